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
#include "conn.h"
#include "guard.h"
#include "log.h"
#include "server.h"
#include "store.h"

#define GUARD_SLOTS	60	/* the window, in sixtieths */

struct guard_client {
	char	 name[CONN_CLIENT_MAX + 1];
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
guard_rate(struct server *srv, const char *client, double now,
    int *retry_after_s)
{
	const struct config	*conf = srv->conf;
	struct guard_client	*c;
	double			 rate = conf->rate_lookups_per_s;

	if (rate <= 0 || (c = client_get(srv->guard, client)) == NULL)
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

void
guard_count(struct server *srv, struct conn *conn, time_t now)
{
	const struct config	*conf = srv->conf;
	struct guard_client	*c;
	struct store_alert	 a;
	struct audit_entry	 e;
	char			 args[96];
	int64_t			 slot_s, no, i;

	if ((c = client_get(srv->guard, conn->client)) == NULL)
		return;
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
		return;
	}
	if (c->alerted)
		return;
	c->alerted = 1;
	memset(&a, 0, sizeof a);
	a.time = now;
	snprintf(a.client, sizeof a.client, "%s", conn->client);
	snprintf(a.role, sizeof a.role, "%s", config_role_name(conn->role));
	snprintf(a.kind, sizeof a.kind, "bulk_lookup");
	a.count = (int)c->total;
	a.window_s = conf->alert_window_s;
	a.suspended = conf->alert_suspend;
	log_warnx("ALERT: bulk lookups: client %s (%s) made %d lookups and "
	    "searches in %d s (threshold %d)%s", a.client, a.role, a.count,
	    a.window_s, conf->alert_threshold, a.suspended ?
	    "; suspended until admin.client_enable" : "");
	(void)store_alert_add(srv->store, &a);
	if (a.suspended) {
		c->suspended = 1;
		(void)store_client_suspend(srv->store, a.client, 1, now);
	}
	if (conf->audit_enabled) {
		snprintf(args, sizeof args, "{\"count\":%d,\"suspended\":%s,"
		    "\"window_s\":%d}", a.count, a.suspended ? "true" : "false",
		    a.window_s);
		memset(&e, 0, sizeof e);
		e.time = now;
		e.client = a.client;
		e.role = a.role;
		e.method = "alert.bulk_lookup";
		e.outcome = "raised";
		e.args = args;
		(void)store_audit_append(srv->store, &e);
	}
}

int
guard_suspended(struct server *srv, const char *client)
{
	struct guard_client	key, **node;

	if (srv->guard == NULL)
		return 0;
	snprintf(key.name, sizeof key.name, "%s", client);
	node = tfind(&key, &srv->guard->root, client_cmp);
	return node != NULL && (*node)->suspended;
}

void
guard_set_suspended(struct server *srv, const char *client, int on)
{
	struct guard_client	*c;

	if ((c = client_get(srv->guard, client)) == NULL)
		return;
	c->suspended = on;
	if (!on) {
		/* A fresh start: the next crossing alerts again. */
		memset(c->slot, 0, sizeof c->slot);
		c->total = 0;
		c->alerted = 0;
	}
}
