/*
 * The ref table: a tsearch(3) tree by id and a list in creation order.
 * Every ref lives equally long, so creation order is expiry order: the
 * oldest are dropped first, when they expire or when the table is full.
 */
#include <search.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "crypto.h"
#include "refs.h"

struct ref_table {
	void			*root;
	TAILQ_HEAD(, ref)	 fifo;
	size_t			 n;
};

static int
ref_cmp(const void *a, const void *b)
{
	return strcmp(((const struct ref *)a)->id,
	    ((const struct ref *)b)->id);
}

struct ref_table *
ref_table_new(void)
{
	struct ref_table	*t;

	if ((t = calloc(1, sizeof *t)) == NULL)
		return NULL;
	TAILQ_INIT(&t->fifo);
	return t;
}

static void
ref_drop(struct ref_table *t, struct ref *r)
{
	tdelete(r, &t->root, ref_cmp);
	TAILQ_REMOVE(&t->fifo, r, entry);
	t->n--;
	affected_unref(r->gen);
	free(r);
}

void
ref_table_free(struct ref_table *t)
{
	struct ref	*r;

	if (t == NULL)
		return;
	while ((r = TAILQ_FIRST(&t->fifo)) != NULL)
		ref_drop(t, r);
	free(t);
}

/* Drops what has expired, and the oldest beyond the table's size. */
static void
ref_expire(struct ref_table *t, const struct config *conf, time_t now,
    size_t room)
{
	struct ref	*r;

	while ((r = TAILQ_FIRST(&t->fifo)) != NULL && (r->expires <= now ||
	    t->n + room > (size_t)conf->max_refs))
		ref_drop(t, r);
}

const struct ref *
ref_new(struct ref_table *t, const struct config *conf, const char *client,
    struct affected *gen, const struct affected_entry *e, time_t now)
{
	struct ref	*r;

	ref_expire(t, conf, now, 1);
	if ((r = calloc(1, sizeof *r)) == NULL)
		return NULL;
	do {
		if (crypto_random_handle(r->id, sizeof r->id) == -1) {
			free(r);
			return NULL;
		}
	} while (tfind(r, &t->root, ref_cmp) != NULL);
	if (tsearch(r, &t->root, ref_cmp) == NULL) {
		free(r);
		return NULL;
	}
	snprintf(r->client, sizeof r->client, "%s", client);
	r->expires = now + conf->ref_lifetime_s;
	r->gen = affected_ref(gen);
	r->verifies = 0;
	r->e = *e;
	TAILQ_INSERT_TAIL(&t->fifo, r, entry);
	t->n++;
	return r;
}

struct ref *
ref_find(struct ref_table *t, const struct config *conf, const char *client,
    const char *id, time_t now)
{
	struct ref	 key, **node;

	ref_expire(t, conf, now, 0);
	if (strlen(id) != REF_LEN)
		return NULL;
	memcpy(key.id, id, REF_LEN + 1);
	if ((node = tfind(&key, &t->root, ref_cmp)) == NULL)
		return NULL;
	return strcmp((*node)->client, client) == 0 ? *node : NULL;
}
