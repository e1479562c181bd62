/*
 * The commit barrier: the open group (a batch, its hooks, its sequence
 * number) and the owners waiting for groups to be done. Groups are done
 * in sequence order, so an owner resolves its held answers front to back.
 */
#include <stdlib.h>
#include <time.h>

#include "commit.h"
#include "compat.h"
#include "log.h"
#include "store.h"

struct hook {
	void	(*fn)(void *, int);
	void	*arg;
};

TAILQ_HEAD(waiter_list, commit_waiter);

struct commit {
	struct store		*store;
	commit_done_fn		 done;
	void			*done_arg;
	struct store_batch	*batch;
	uint64_t		 seq;		/* the open group's */
	int			 broken;	/* a write of the group failed */
	int			 last_failed;	/* the last group's commit */
	struct hook		*hooks;
	size_t			 nhooks, hooks_cap;
	struct hook		*spare;		/* the other hook array */
	size_t			 spare_cap;
	struct waiter_list	 waiters;
};

struct commit *
commit_new(struct store *store, commit_done_fn done, void *done_arg)
{
	struct commit	*c;

	if ((c = calloc(1, sizeof *c)) == NULL)
		return NULL;
	if ((c->batch = store_batch_new()) == NULL) {
		free(c);
		return NULL;
	}
	c->store = store;
	c->done = done;
	c->done_arg = done_arg;
	c->seq = 1;
	TAILQ_INIT(&c->waiters);
	return c;
}

void
commit_free(struct commit *c)
{
	if (c == NULL)
		return;
	store_batch_free(c->batch);
	free(c->hooks);
	free(c->spare);
	free(c);
}

struct store_batch *
commit_batch(struct commit *c)
{
	return c->batch;
}

uint64_t
commit_seq(const struct commit *c)
{
	return c->seq;
}

size_t
commit_pending(const struct commit *c)
{
	return store_batch_size(c->batch) + c->nhooks + (size_t)c->broken;
}

int
commit_failed(const struct commit *c)
{
	return c->last_failed;
}

void
commit_break(struct commit *c)
{
	c->broken = 1;
}

int
commit_hook(struct commit *c, void (*fn)(void *, int), void *arg)
{
	struct hook	*h;
	size_t		 cap;

	if (c->nhooks == c->hooks_cap) {
		cap = c->hooks_cap ? c->hooks_cap * 2 : 16;
		if ((h = reallocarray(c->hooks, cap, sizeof *h)) == NULL) {
			c->broken = 1;
			return -1;
		}
		c->hooks = h;
		c->hooks_cap = cap;
	}
	c->hooks[c->nhooks].fn = fn;
	c->hooks[c->nhooks].arg = arg;
	c->nhooks++;
	return 0;
}

void
commit_wait(struct commit *c, struct commit_waiter *w, uint64_t seq)
{
	if (w->waits_for == 0)
		TAILQ_INSERT_TAIL(&c->waiters, w, entry);
	if (seq > w->waits_for)
		w->waits_for = seq;
}

void
commit_unwait(struct commit *c, struct commit_waiter *w)
{
	if (w->waits_for != 0)
		TAILQ_REMOVE(&c->waiters, w, entry);
	w->waits_for = 0;
}

int
commit_run(struct commit *c)
{
	struct commit_waiter	*w, *next;
	uint64_t		 seq = c->seq;
	struct timespec		 t0, t1;
	struct hook		*run;
	size_t			 i, nrun, run_cap;
	int			 ok;

	if (commit_pending(c) == 0 && TAILQ_EMPTY(&c->waiters))
		return 0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	ok = !c->broken && store_batch_apply(c->store, c->batch) == 0;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	c->last_failed = !ok;
	if (c->done != NULL && store_batch_size(c->batch) > 0)
		c->done(c->done_arg, c->batch, ok, (uint64_t)((t1.tv_sec -
		    t0.tv_sec) * 1000000000LL + (t1.tv_nsec - t0.tv_nsec)));
	if (!ok)
		log_warnx("hotline.db: group %llu not committed; its answers "
		    "become storage errors", (unsigned long long)seq);
	/*
	 * The next group opens before the hooks run: what a hook writes
	 * (a retry) goes into it, with the hooks it registers.
	 */
	store_batch_reset(c->batch);
	c->broken = 0;
	c->seq++;
	run = c->hooks;
	nrun = c->nhooks;
	run_cap = c->hooks_cap;
	c->hooks = c->spare;
	c->hooks_cap = c->spare_cap;
	c->nhooks = 0;
	for (i = 0; i < nrun; i++)
		run[i].fn(run[i].arg, ok);
	c->spare = run;
	c->spare_cap = run_cap;
	TAILQ_FOREACH_SAFE(w, &c->waiters, entry, next) {
		if (w->waits_for <= seq) {
			TAILQ_REMOVE(&c->waiters, w, entry);
			w->waits_for = 0;
		}
		w->release(w, seq, ok);
	}
	return ok ? 0 : -1;
}
