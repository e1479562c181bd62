/*
 * The callers' lookups as a queue in time order and a count per caller:
 * expiry drops from the old end of the queue and decrements the counts,
 * so a count is always that of the lookups still in the queue.
 */
#include <search.h>
#include <stdlib.h>
#include <string.h>

#include "callers.h"

struct caller_count {
	int64_t	caller;
	int	n;
};

struct caller_lookup {
	int64_t	caller;
	time_t	time;
};

struct callers {
	void			*root;		/* tsearch(3) of caller_count */
	struct caller_lookup	*q;		/* a ring, oldest at head */
	size_t			 head, n, cap;
};

static int
count_cmp(const void *a, const void *b)
{
	int64_t	x = ((const struct caller_count *)a)->caller;
	int64_t	y = ((const struct caller_count *)b)->caller;

	return x < y ? -1 : x > y;
}

struct callers *
callers_new(void)
{
	return calloc(1, sizeof(struct callers));
}

void
callers_free(struct callers *c)
{
	if (c == NULL)
		return;
	tdestroy(c->root, free);
	free(c->q);
	free(c);
}

void
callers_expire(struct callers *c, time_t before)
{
	struct caller_count	 key, *cc;
	struct caller_lookup	*l;
	void			*node;

	while (c->n > 0 && (l = &c->q[c->head])->time <= before) {
		key.caller = l->caller;
		if ((node = tfind(&key, &c->root, count_cmp)) != NULL) {
			cc = *(struct caller_count **)node;
			if (--cc->n == 0) {
				tdelete(cc, &c->root, count_cmp);
				free(cc);
			}
		}
		c->head = (c->head + 1) % c->cap;
		c->n--;
	}
}

int
callers_count(struct callers *c, int64_t caller, time_t since)
{
	struct caller_count	key;
	void			*node;

	callers_expire(c, since);
	key.caller = caller;
	node = tfind(&key, &c->root, count_cmp);
	return node != NULL ? (*(struct caller_count **)node)->n : 0;
}

/* Doubles the ring, keeping its order. */
static int
grow(struct callers *c)
{
	struct caller_lookup	*q;
	size_t			 cap = c->cap ? c->cap * 2 : 256, i;

	if ((q = calloc(cap, sizeof *q)) == NULL)
		return -1;
	for (i = 0; i < c->n; i++)
		q[i] = c->q[(c->head + i) % c->cap];
	free(c->q);
	c->q = q;
	c->head = 0;
	c->cap = cap;
	return 0;
}

int
callers_add(struct callers *c, int64_t caller, time_t t)
{
	struct caller_count	 key, *cc;
	void			*node;

	if (c->n == c->cap && grow(c) == -1)
		return -1;
	key.caller = caller;
	if ((node = tfind(&key, &c->root, count_cmp)) != NULL)
		cc = *(struct caller_count **)node;
	else {
		if ((cc = calloc(1, sizeof *cc)) == NULL)
			return -1;
		cc->caller = caller;
		if (tsearch(cc, &c->root, count_cmp) == NULL) {
			free(cc);
			return -1;
		}
	}
	cc->n++;
	c->q[(c->head + c->n) % c->cap].caller = caller;
	c->q[(c->head + c->n) % c->cap].time = t;
	c->n++;
	return 0;
}
