/*
 * commit.c with its writer thread: groups applied off the loop and
 * delivered on it in order, the next group filling while one is written,
 * hooks before waiters, and a storage lock that fails groups fast after
 * the first.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <event2/event.h>
#include <sqlite3.h>

#include "commit.h"
#include "store.h"

#define EVENTS_MAX	16

struct fixture {
	char			 dir[64];
	struct store		*store;
	struct commit		*commit;
	struct event_base	*base;
	struct commit_waiter	 w;
	/* What happened, in order: 'd' done, 'h' hook, 'r' release. */
	char			 ev[EVENTS_MAX];
	uint64_t		 seq[EVENTS_MAX];
	int			 ok[EVENTS_MAX];
	size_t			 n;
	int64_t			 next_id;
};

static struct fixture	*fx;

static void
record(char what, uint64_t seq, int ok)
{
	assert_true(fx->n < EVENTS_MAX);
	fx->ev[fx->n] = what;
	fx->seq[fx->n] = seq;
	fx->ok[fx->n++] = ok;
}

static void
done_cb(void *arg, const struct store_batch *b, int ok, uint64_t ns)
{
	(void)arg;
	(void)b;
	(void)ns;
	record('d', 0, ok);
}

static void
hook_cb(void *arg, int ok)
{
	record('h', (uint64_t)(uintptr_t)arg, ok);
}

static void
release_cb(struct commit_waiter *w, uint64_t seq, int ok)
{
	(void)w;
	record('r', seq, ok);
}

static int
setup(void **state)
{
	struct fixture	*f = calloc(1, sizeof *f);
	char		*err = NULL;

	if (f == NULL)
		return -1;
	snprintf(f->dir, sizeof f->dir, "/tmp/hotline-commit.XXXXXX");
	if (mkdtemp(f->dir) == NULL ||
	    (f->store = store_open(f->dir, 0, 0, &err)) == NULL ||
	    (f->commit = commit_new(f->store, done_cb, f)) == NULL ||
	    (f->base = event_base_new()) == NULL ||
	    commit_start(f->commit, f->base) == -1)
		return -1;
	f->w.release = release_cb;
	f->next_id = 1;
	fx = f;
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture	*f = *state;
	char		 cmd[128];

	commit_free(f->commit);
	store_close(f->store);
	event_base_free(f->base);
	snprintf(cmd, sizeof cmd, "rm -rf %s", f->dir);
	free(f);
	return system(cmd) == 0 ? 0 : -1;
}

/* One inquiry into the open group, waited for; its group's seq. */
static uint64_t
write_one(struct fixture *f)
{
	struct store_inquiry	q;
	uint64_t		seq = commit_seq(f->commit);

	memset(&q, 0, sizeof q);
	q.id = f->next_id++;
	q.time = time(NULL);
	q.channel = CHANNEL_API;
	q.client = "gw";
	q.role = "gateway";
	q.outcome = OUTCOME_NOT_FOUND;
	q.duration_s = -1;
	assert_int_equal(store_batch_inquiry(commit_batch(f->commit), &q), 0);
	assert_int_equal(commit_hook(f->commit, hook_cb,
	    (void *)(uintptr_t)seq), 0);
	commit_wait(f->commit, &f->w, seq);
	return seq;
}

/* Runs the loop until n events happened (or 5 s passed). */
static void
loop_until(struct fixture *f, size_t n)
{
	struct timeval	tv = { 0, 50000 };
	time_t		until = time(NULL) + 5;

	while (f->n < n && time(NULL) < until)
		event_base_loopexit(f->base, &tv), event_base_dispatch(f->base);
	assert_int_equal(f->n, n);
}

static int64_t
inquiries(struct fixture *f)
{
	sqlite3		*db;
	sqlite3_stmt	*st;
	char		 path[128];
	int64_t		 n = -1;

	snprintf(path, sizeof path, "%s/hotline.db", f->dir);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT count(*) FROM "
	    "inquiry", -1, &st, NULL), SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return n;
}

static void
test_groups_in_order(void **state)
{
	struct fixture	*f = *state;
	uint64_t	 s1, s2;

	s1 = write_one(f);
	commit_kick(f->commit);
	/* The first is with the writer: the next group fills meanwhile. */
	s2 = write_one(f);
	assert_int_not_equal(s1, s2);
	commit_kick(f->commit);
	loop_until(f, 6);
	/* Each group: counted, its hooks, then its waiters; in order. */
	assert_memory_equal(f->ev, "dhrdhr", 6);
	assert_int_equal(f->seq[1], s1);
	assert_int_equal(f->seq[2], s1);
	assert_int_equal(f->seq[4], s2);
	assert_int_equal(f->seq[5], s2);
	assert_true(f->ok[0] && f->ok[2] && f->ok[3] && f->ok[5]);
	assert_int_equal(inquiries(f), 2);
	/* Nothing pending: a kick does nothing. */
	commit_kick(f->commit);
	assert_int_equal(commit_run(f->commit), 0);
	assert_int_equal(f->n, 6);
}

static void
test_run_waits(void **state)
{
	struct fixture	*f = *state;

	(void)write_one(f);
	commit_kick(f->commit);
	(void)write_one(f);
	/* Both groups, without the loop: the writer's, then the open one. */
	assert_int_equal(commit_run(f->commit), 0);
	assert_int_equal(f->n, 6);
	assert_int_equal(inquiries(f), 2);
}

static double
now_s(void)
{
	struct timespec	t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void
test_locked_store_fails_fast(void **state)
{
	struct fixture	*f = *state;
	sqlite3		*db;
	char		 path[128];
	double		 t0, first, second;

	snprintf(path, sizeof path, "%s/hotline.db", f->dir);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL),
	    SQLITE_OK);
	t0 = now_s();
	(void)write_one(f);
	assert_int_equal(commit_run(f->commit), -1);
	first = now_s() - t0;
	t0 = now_s();
	(void)write_one(f);
	assert_int_equal(commit_run(f->commit), -1);
	second = now_s() - t0;
	/* The first waits out the busy timeout; the next fail at once. */
	assert_true(first >= 0.15 && first < 0.5);
	assert_true(second < 0.1);
	assert_false(f->ok[2] || f->ok[5]);
	assert_int_equal(sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL),
	    SQLITE_OK);
	sqlite3_close(db);
	(void)write_one(f);
	assert_int_equal(commit_run(f->commit), 0);
	assert_true(f->ok[8]);
	assert_int_equal(inquiries(f), 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_groups_in_order, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_run_waits, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_locked_store_fails_fast,
		    setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
