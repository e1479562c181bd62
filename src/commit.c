/*
 * The commit barrier: groups of writes, the owners waiting for them, and
 * the writer thread that applies them.
 *
 * A group is a batch, its hooks and a sequence number. The loop fills the
 * open group; at the end of a loop turn commit_kick() hands it to the
 * writer, if the writer is idle, and opens the next. The writer applies
 * the group to hotline.db in one transaction — the loop never waits for
 * the disk — and tells the loop (a byte on a pipe) that it is done; the
 * loop then counts it, runs its hooks and calls its waiters back, all on
 * the loop thread, and hands over the group that filled meanwhile. So a
 * group holds whatever became ready while the previous one was being
 * written (group commit), and groups are done in sequence order, which
 * lets an owner resolve its held answers front to back.
 *
 * Until commit_start(), and for commit_run(), a group is applied on the
 * calling thread (tests, hotlinectl, the last commit at a stop).
 */
#include <sys/resource.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "commit.h"
#include "compat.h"
#include "log.h"
#include "store.h"

/*
 * How long the writer waits for a lock another process holds: long
 * enough for a second writer's few rows (hotlinectl match), short once
 * storage has failed, so that while hotline.db stays locked an answer
 * becomes -32005 within STORE_BUSY_MS + FAILING_BUSY_MS.
 */
#define HEALTHY_BUSY_MS	200
#define FAILING_BUSY_MS	20

#define WRITER_NICE	5	/* the writer thread's niceness */

/* A commit slower than this is worth a log line (the disk is busy). */
#define SLOW_COMMIT_NS	(50 * 1000000ULL)

struct hook {
	void	(*fn)(void *, int);
	void	*arg;
};

struct group {
	struct store_batch	*batch;
	struct hook		*hooks;
	size_t			 nhooks, hooks_cap;
	uint64_t		 seq;
	int			 broken;	/* a write of it failed */
};

TAILQ_HEAD(waiter_list, commit_waiter);

struct commit {
	struct store		*store;
	commit_done_fn		 done;
	void			*done_arg;
	struct group		*open;		/* filling on the loop */
	struct group		*flight;	/* with the writer, or NULL */
	struct group		*spare;		/* the next open one */
	uint64_t		 next_seq;
	int			 last_failed;
	struct waiter_list	 waiters;

	/* The audit chain's head as last committed, for checkpoints. */
	int64_t			 audit_n;
	char			 audit_head[CRYPTO_SHA256_HEX_SIZE];

	/* The writer thread; lock guards what it shares with the loop. */
	int			 threaded;
	pthread_t		 thread;
	pthread_mutex_t		 lock;
	pthread_cond_t		 cond;
	int			 go;		/* flight is the writer's */
	int			 ready;		/* and applied: result below */
	int			 stop;
	int			 result_ok;
	uint64_t		 result_ns;
	int			 pipe[2];	/* writer -> loop: "done" */
	struct event		*ev_done;
};

static struct group *
group_new(void)
{
	struct group	*g;

	if ((g = calloc(1, sizeof *g)) == NULL)
		return NULL;
	if ((g->batch = store_batch_new()) == NULL) {
		free(g);
		return NULL;
	}
	return g;
}

static void
group_free(struct group *g)
{
	if (g == NULL)
		return;
	store_batch_free(g->batch);
	free(g->hooks);
	free(g);
}

static void
group_reset(struct group *g, uint64_t seq)
{
	store_batch_reset(g->batch);
	g->nhooks = 0;
	g->broken = 0;
	g->seq = seq;
}

static size_t
group_pending(const struct group *g)
{
	return store_batch_size(g->batch) + g->nhooks + (size_t)g->broken;
}

struct commit *
commit_new(struct store *store, commit_done_fn done, void *done_arg)
{
	struct commit	*c;
	int64_t		 n = 0;

	if ((c = calloc(1, sizeof *c)) == NULL)
		return NULL;
	c->pipe[0] = c->pipe[1] = -1;
	if ((c->open = group_new()) == NULL ||
	    (c->spare = group_new()) == NULL ||
	    store_audit_head(store, &n, c->audit_head) == -1) {
		commit_free(c);
		return NULL;
	}
	c->audit_n = n;
	c->store = store;
	c->done = done;
	c->done_arg = done_arg;
	c->open->seq = 1;
	c->next_seq = 2;
	TAILQ_INIT(&c->waiters);
	return c;
}

struct store_batch *
commit_batch(struct commit *c)
{
	return c->open->batch;
}

uint64_t
commit_seq(const struct commit *c)
{
	return c->open->seq;
}

size_t
commit_pending(const struct commit *c)
{
	return group_pending(c->open);
}

int
commit_failed(const struct commit *c)
{
	return c->last_failed;
}

void
commit_audit_head(const struct commit *c, int64_t *n,
    char head[CRYPTO_SHA256_HEX_SIZE])
{
	*n = c->audit_n;
	memcpy(head, c->audit_head, CRYPTO_SHA256_HEX_SIZE);
}

void
commit_break(struct commit *c)
{
	c->open->broken = 1;
}

int
commit_hook(struct commit *c, void (*fn)(void *, int), void *arg)
{
	struct group	*g = c->open;
	struct hook	*h;
	size_t		 cap;

	if (g->nhooks == g->hooks_cap) {
		cap = g->hooks_cap ? g->hooks_cap * 2 : 16;
		if ((h = reallocarray(g->hooks, cap, sizeof *h)) == NULL) {
			g->broken = 1;
			return -1;
		}
		g->hooks = h;
		g->hooks_cap = cap;
	}
	g->hooks[g->nhooks].fn = fn;
	g->hooks[g->nhooks].arg = arg;
	g->nhooks++;
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

/* Applies a group's batch on this thread; its outcome and duration. */
static int
group_apply(struct commit *c, struct group *g, uint64_t *ns)
{
	struct timespec	t0, t1;
	int		ok;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	ok = !g->broken && store_batch_apply(c->store, g->batch) == 0;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	*ns = (uint64_t)((t1.tv_sec - t0.tv_sec) * 1000000000LL +
	    (t1.tv_nsec - t0.tv_nsec));
	/* While storage fails, fail fast; once it holds, be patient. */
	store_busy_timeout(c->store, ok ? HEALTHY_BUSY_MS : FAILING_BUSY_MS);
	return ok;
}

/*
 * A group is done (on the loop thread): the service counts it, its hooks
 * run, its waiters are called back; then it is the spare.
 */
static void
group_deliver(struct commit *c, struct group *g, int ok, uint64_t ns)
{
	struct commit_waiter	*w, *next;
	size_t			 i;

	c->last_failed = !ok;
	if (!ok)
		log_warnx("hotline.db: group %llu not committed; its answers "
		    "become storage errors", (unsigned long long)g->seq);
	else if (ns > SLOW_COMMIT_NS)
		log_info("hotline.db: group %llu of %zu writes took %llu ms",
		    (unsigned long long)g->seq, store_batch_size(g->batch),
		    (unsigned long long)(ns / 1000000));
	else
		(void)store_audit_head(c->store, &c->audit_n, c->audit_head);
	if (c->done != NULL && store_batch_size(g->batch) > 0)
		c->done(c->done_arg, g->batch, ok, ns);
	for (i = 0; i < g->nhooks; i++)
		g->hooks[i].fn(g->hooks[i].arg, ok);
	TAILQ_FOREACH_SAFE(w, &c->waiters, entry, next) {
		if (w->waits_for <= g->seq) {
			TAILQ_REMOVE(&c->waiters, w, entry);
			w->waits_for = 0;
		}
		w->release(w, g->seq, ok);
	}
	c->spare = g;
}

/*
 * Takes the open group out for applying and opens the next: NULL if
 * there is nothing to apply and nobody waits.
 */
static struct group *
take_open(struct commit *c)
{
	struct group	*g = c->open;

	if (group_pending(g) == 0)
		return NULL;
	c->open = c->spare;
	c->spare = NULL;
	group_reset(c->open, c->next_seq++);
	return g;
}

static void *
commit_writer(void *arg)
{
	struct commit	*c = arg;
	struct group	*g;
	uint64_t	 ns;
	ssize_t		 n;
	int		 ok;

	/*
	 * On a core shared with the event loop, a commit yields to the loop:
	 * answers wait for the commit anyway, and a turn of the loop serves
	 * everybody else meanwhile.
	 */
	(void)setpriority(PRIO_PROCESS, (id_t)gettid(), WRITER_NICE);
	pthread_mutex_lock(&c->lock);
	for (;;) {
		while (!c->go && !c->stop)
			pthread_cond_wait(&c->cond, &c->lock);
		if (!c->go)
			break;
		g = c->flight;
		pthread_mutex_unlock(&c->lock);
		ok = group_apply(c, g, &ns);
		pthread_mutex_lock(&c->lock);
		c->go = 0;
		c->ready = 1;
		c->result_ok = ok;
		c->result_ns = ns;
		pthread_cond_broadcast(&c->cond);
		pthread_mutex_unlock(&c->lock);
		do
			n = write(c->pipe[1], "", 1);
		while (n == -1 && errno == EINTR);
		pthread_mutex_lock(&c->lock);
	}
	pthread_mutex_unlock(&c->lock);
	return NULL;
}

/* Hands the open group to the (idle) writer; 1 if there was one. */
static int
hand_over(struct commit *c)
{
	struct group	*g;

	if (c->flight != NULL || (g = take_open(c)) == NULL)
		return 0;
	pthread_mutex_lock(&c->lock);
	c->flight = g;
	c->go = 1;
	pthread_cond_signal(&c->cond);
	pthread_mutex_unlock(&c->lock);
	return 1;
}

/* The writer's group is applied: deliver it; 0 if there was none ready. */
static int
take_result(struct commit *c, int block)
{
	struct group	*g;
	uint64_t	 ns;
	int		 ok;

	pthread_mutex_lock(&c->lock);
	while (block && c->flight != NULL && !c->ready)
		pthread_cond_wait(&c->cond, &c->lock);
	if (c->flight == NULL || !c->ready) {
		pthread_mutex_unlock(&c->lock);
		return 0;
	}
	g = c->flight;
	ok = c->result_ok;
	ns = c->result_ns;
	c->flight = NULL;
	c->ready = 0;
	pthread_mutex_unlock(&c->lock);
	group_deliver(c, g, ok, ns);
	return 1;
}

static void
commit_done_cb(evutil_socket_t fd, short what, void *arg)
{
	struct commit	*c = arg;
	char		 buf[64];

	(void)what;
	while (read(fd, buf, sizeof buf) > 0)
		;
	if (take_result(c, 0))
		(void)hand_over(c);
}

int
commit_start(struct commit *c, struct event_base *base)
{
	if (pipe2(c->pipe, O_NONBLOCK | O_CLOEXEC) == -1)
		return -1;
	if ((c->ev_done = event_new(base, c->pipe[0], EV_READ | EV_PERSIST,
	    commit_done_cb, c)) == NULL || event_add(c->ev_done, NULL) == -1)
		return -1;
	if (pthread_mutex_init(&c->lock, NULL) != 0 ||
	    pthread_cond_init(&c->cond, NULL) != 0)
		return -1;
	if (pthread_create(&c->thread, NULL, commit_writer, c) != 0)
		return -1;
	c->threaded = 1;
	return 0;
}

void
commit_kick(struct commit *c)
{
	struct group	*g;
	uint64_t	 ns;
	int		 ok;

	if (c->threaded) {
		(void)hand_over(c);
		return;
	}
	if ((g = take_open(c)) == NULL)
		return;
	ok = group_apply(c, g, &ns);
	group_deliver(c, g, ok, ns);
}

int
commit_run(struct commit *c)
{
	struct group	*g;
	uint64_t	 ns;
	int		 ok = 1;

	if (!c->threaded) {
		if ((g = take_open(c)) == NULL)
			return c->last_failed ? -1 : 0;
		ok = group_apply(c, g, &ns);
		group_deliver(c, g, ok, ns);
		return ok ? 0 : -1;
	}
	/* What the writer has first, then what is open, waited for. */
	(void)take_result(c, 1);
	if (hand_over(c))
		(void)take_result(c, 1);
	return c->last_failed ? -1 : 0;
}

/* Stops the writer after what it has; the rest is the caller's. */
static void
commit_stop(struct commit *c)
{
	if (!c->threaded)
		return;
	(void)take_result(c, 1);
	pthread_mutex_lock(&c->lock);
	c->stop = 1;
	pthread_cond_broadcast(&c->cond);
	pthread_mutex_unlock(&c->lock);
	pthread_join(c->thread, NULL);
	pthread_mutex_destroy(&c->lock);
	pthread_cond_destroy(&c->cond);
	c->threaded = 0;
}

void
commit_free(struct commit *c)
{
	if (c == NULL)
		return;
	commit_stop(c);
	if (c->ev_done != NULL)
		event_free(c->ev_done);
	if (c->pipe[0] != -1)
		close(c->pipe[0]);
	if (c->pipe[1] != -1)
		close(c->pipe[1]);
	group_free(c->open);
	group_free(c->flight);
	group_free(c->spare);
	free(c);
}
