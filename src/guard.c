/*
 * Per-client guards: token buckets, rolling windows, suspensions. One
 * record per client name, created on first use, in a tsearch(3) tree;
 * only authenticated clients (those of the conf) ever get one.
 */
#include <search.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "guard.h"

#define GUARD_SLOTS	60	/* the window, in sixtieths */
#define GUARD_NAME_MAX	64	/* client names, as in the conf */

struct guard_client {
	char	 name[GUARD_NAME_MAX + 1];
	double	 tokens;
	double	 refilled;		/* when tokens were last added */
	int64_t	 slot[GUARD_SLOTS];
	int64_t	 slot_no;		/* the window slot of the last count */
	int64_t	 total;			/* the sum of slot[] */
	int	 alerted;		/* above the threshold since the alert */
	int	 suspended;
};

struct guard {
	void	*root;
};

static int
client_cmp(const void *a, const void *b)
{
	return strcmp(((const struct guard_client *)a)->name,
	    ((const struct guard_client *)b)->name);
}

struct guard *
guard_new(void)
{
	return calloc(1, sizeof(struct guard));
}

static void
client_free(void *p)
{
	free(p);
}

void
guard_free(struct guard *g)
{
	if (g == NULL)
		return;
	tdestroy(g->root, client_free);
	free(g);
}

/* The client's record, created on first use; NULL if out of memory. */
static struct guard_client *
client_get(struct guard *g, const char *name)
{
	struct guard_client	 key, *c;
	void			*node;

	snprintf(key.name, sizeof key.name, "%s", name);
	if ((node = tfind(&key, &g->root, client_cmp)) != NULL)
		return *(struct guard_client **)node;
	if ((c = calloc(1, sizeof *c)) == NULL)
		return NULL;
	memcpy(c->name, key.name, sizeof c->name);
	c->tokens = -1;		/* full at first use */
	if (tsearch(c, &g->root, client_cmp) == NULL) {
		free(c);
		return NULL;
	}
	return c;
}

int
guard_rate(struct guard *g, const struct config *conf, const char *client,
    double now, int *retry_after_s)
{
	struct guard_client	*c;
	double			 rate = conf->rate_lookups_per_s;

	if (rate <= 0 || (c = client_get(g, client)) == NULL)
		return 0;
	if (c->tokens < 0)
		c->tokens = conf->rate_burst;
	else {
		c->tokens += (now - c->refilled) * rate;
		if (c->tokens > conf->rate_burst)
			c->tokens = conf->rate_burst;
	}
	c->refilled = now;
	if (c->tokens >= 1) {
		c->tokens -= 1;
		return 0;
	}
	/* Whole seconds, rounded up: after them a token is there. */
	*retry_after_s = (int)((1 - c->tokens) / rate);
	if (*retry_after_s < (1 - c->tokens) / rate || *retry_after_s < 1)
		(*retry_after_s)++;
	return -1;
}

int
guard_count(struct guard *g, const struct config *conf, const char *client,
    time_t now, int *count)
{
	struct guard_client	*c;
	int64_t			 slot_s, no, i;

	if ((c = client_get(g, client)) == NULL)
		return 0;
	/* Rounded up: the window is never shorter than the conf says. */
	slot_s = (conf->alert_window_s + GUARD_SLOTS - 1) / GUARD_SLOTS;
	no = (int64_t)now / slot_s;
	/* Slots that fell out of the window since the last count empty. */
	for (i = c->slot_no + 1; i <= no && i <= c->slot_no + GUARD_SLOTS;
	    i++) {
		c->total -= c->slot[i % GUARD_SLOTS];
		c->slot[i % GUARD_SLOTS] = 0;
	}
	if (no > c->slot_no)
		c->slot_no = no;
	c->slot[no % GUARD_SLOTS]++;
	c->total++;
	if (c->total <= conf->alert_threshold) {
		c->alerted = 0;
		return 0;
	}
	if (c->alerted)
		return 0;
	c->alerted = 1;
	*count = (int)c->total;
	return 1;
}

void
guard_alert_lost(struct guard *g, const char *client)
{
	struct guard_client	*c;

	if ((c = client_get(g, client)) != NULL)
		c->alerted = 0;
}

int
guard_suspended(const struct guard *g, const char *client)
{
	struct guard_client	key, **node;

	if (g == NULL)
		return 0;
	snprintf(key.name, sizeof key.name, "%s", client);
	node = tfind(&key, &g->root, client_cmp);
	return node != NULL && (*node)->suspended;
}

void
guard_set_suspended(struct guard *g, const char *client, int on)
{
	struct guard_client	*c;

	if ((c = client_get(g, client)) == NULL)
		return;
	c->suspended = on;
	if (!on) {
		/* A fresh start: the next crossing alerts again. */
		memset(c->slot, 0, sizeof c->slot);
		c->total = 0;
		c->alerted = 0;
	}
}
