/*
 * Names of channels and outcomes, as stored in hotline.db and sent in
 * JSON: one table each, so that the two can never disagree. And the
 * table of operators' open inquiries: a tsearch(3) tree by id, and a list
 * in the order they were opened, which is the order they expire in.
 */
#include <search.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compat.h"
#include "inquiry.h"

static const char *channel_names[CHANNEL_COUNT] = {
	"ivr", "api", "operator",
};

static const char *outcome_names[OUTCOME_COUNT] = {
	"affected", "not_found", "invalid_input", "transferred",
	"out_of_hours", "rate_limited", "abandoned",
};

const char *
inquiry_channel_name(enum channel c)
{
	return (unsigned)c < CHANNEL_COUNT ? channel_names[c] : "?";
}

const char *
inquiry_outcome_name(enum outcome o)
{
	return (unsigned)o < OUTCOME_COUNT ? outcome_names[o] : "?";
}

int
inquiry_outcome_parse(const char *s, enum outcome *out)
{
	int	i;

	for (i = 0; i < OUTCOME_COUNT; i++)
		if (strcmp(s, outcome_names[i]) == 0) {
			*out = (enum outcome)i;
			return 0;
		}
	return -1;
}

TAILQ_HEAD(open_list, inquiry_open);

struct inquiry_table {
	void			*root;
	struct open_list	 fifo;
};

static int
open_cmp(const void *a, const void *b)
{
	int64_t	x = ((const struct inquiry_open *)a)->id;
	int64_t	y = ((const struct inquiry_open *)b)->id;

	return x < y ? -1 : x > y;
}

struct inquiry_table *
inquiry_table_new(void)
{
	struct inquiry_table	*t;

	if ((t = calloc(1, sizeof *t)) != NULL)
		TAILQ_INIT(&t->fifo);
	return t;
}

void
inquiry_open_remove(struct inquiry_table *t, struct inquiry_open *o)
{
	tdelete(o, &t->root, open_cmp);
	TAILQ_REMOVE(&t->fifo, o, entry);
	free(o);
}

void
inquiry_table_free(struct inquiry_table *t)
{
	struct inquiry_open	*o;

	if (t == NULL)
		return;
	while ((o = TAILQ_FIRST(&t->fifo)) != NULL)
		inquiry_open_remove(t, o);
	free(t);
}

struct inquiry_open *
inquiry_open_add(struct inquiry_table *t, enum inquiry_open_state state,
    int64_t id, time_t when,
    const char *client, enum outcome outcome, int duration_s,
    const char *const *orgs, size_t norgs)
{
	struct inquiry_open	*o;
	size_t			 size = sizeof *o + norgs * sizeof(char *), i;
	char			*p;

	for (i = 0; i < norgs; i++)
		size += strlen(orgs[i]) + 1;
	if ((o = calloc(1, size)) == NULL)
		return NULL;
	o->state = state;
	o->table = t;
	o->id = id;
	o->time = when;
	snprintf(o->client, sizeof o->client, "%s", client);
	o->outcome = outcome;
	o->duration_s = duration_s;
	o->orgs = (const char **)(o + 1);
	p = (char *)(o->orgs + norgs);
	for (i = 0; i < norgs; i++) {
		o->orgs[i] = p;
		p = stpcpy(p, orgs[i]) + 1;
	}
	o->norgs = norgs;
	if (tsearch(o, &t->root, open_cmp) == NULL) {
		free(o);
		return NULL;
	}
	TAILQ_INSERT_TAIL(&t->fifo, o, entry);
	return o;
}

struct inquiry_open *
inquiry_open_find(struct inquiry_table *t, int64_t id, const char *client)
{
	struct inquiry_open	key, **node;

	key.id = id;
	if ((node = tfind(&key, &t->root, open_cmp)) == NULL)
		return NULL;
	return strcmp((*node)->client, client) == 0 ? *node : NULL;
}

void
inquiry_open_expire(struct inquiry_table *t, time_t before)
{
	struct inquiry_open	*o, *next;

	TAILQ_FOREACH_SAFE(o, &t->fifo, entry, next) {
		if (o->time > before)
			break;
		if (o->state == INQUIRY_OPEN)
			inquiry_open_remove(t, o);
	}
}
