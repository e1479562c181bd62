/*
 * The open alerts as a sorted array of ids: alerts are raised a few a day
 * at most, and each is looked up by id.
 */
#include <stdlib.h>
#include <string.h>

#include "alerts.h"

struct open_alert {
	int64_t			id;
	enum alert_state	state;
};

struct alerts {
	struct open_alert	*v;
	size_t			 n, cap;
};

struct alerts *
alerts_new(void)
{
	return calloc(1, sizeof(struct alerts));
}

void
alerts_free(struct alerts *a)
{
	if (a == NULL)
		return;
	free(a->v);
	free(a);
}

/* The index of id, or where it would go. */
static size_t
alerts_at(const struct alerts *a, int64_t id)
{
	size_t	lo = 0, hi = a->n, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (a->v[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

int
alerts_add(struct alerts *a, int64_t id)
{
	struct open_alert	*v;
	size_t			 i = alerts_at(a, id), cap;

	if (i < a->n && a->v[i].id == id)
		return 0;
	if (a->n == a->cap) {
		cap = a->cap ? a->cap * 2 : 16;
		if ((v = reallocarray(a->v, cap, sizeof *v)) == NULL)
			return -1;
		a->v = v;
		a->cap = cap;
	}
	memmove(&a->v[i + 1], &a->v[i], (a->n - i) * sizeof *a->v);
	a->v[i].id = id;
	a->v[i].state = ALERT_OPEN;
	a->n++;
	return 0;
}

enum alert_state
alerts_state(const struct alerts *a, int64_t id)
{
	size_t	i = alerts_at(a, id);

	return i < a->n && a->v[i].id == id ? a->v[i].state : 0;
}

void
alerts_set(struct alerts *a, int64_t id, enum alert_state state)
{
	size_t	i = alerts_at(a, id);

	if (i < a->n && a->v[i].id == id)
		a->v[i].state = state;
}

void
alerts_remove(struct alerts *a, int64_t id)
{
	size_t	i = alerts_at(a, id);

	if (i < a->n && a->v[i].id == id) {
		memmove(&a->v[i], &a->v[i + 1], (a->n - i - 1) *
		    sizeof *a->v);
		a->n--;
	}
}

size_t
alerts_open(const struct alerts *a)
{
	return a->n;
}
