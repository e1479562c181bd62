/*
 * jobs.c: work run on a thread of its own with its own read-only
 * connection, delivered on the loop in the order it ran; at the stop the
 * running one is interrupted and whatever was not delivered is dropped.
 */
#include <pthread.h>
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

#include "jobs.h"
#include "store.h"
#include "store_int.h"

#define JOBS_MAX	8

struct fixture {
	char			 dir[64];
	struct store		*store;		/* creates hotline.db */
	struct event_base	*base;
	struct jobs		*jobs;
	pthread_t		 loop;
	/* Per job: where it ran, what it found, how it ended. */
	int			 ran_on_loop[JOBS_MAX];
	int			 rc[JOBS_MAX];
	int			 done[JOBS_MAX];	/* 0; 1 ran; 2 dropped */
	int			 order[JOBS_MAX];
	size_t			 ndone;
};

struct job_arg {
	struct fixture	*f;
	int		 i;
	int		 slow;		/* a read that would take minutes */
};

static struct job_arg	args[JOBS_MAX];

static int
setup(void **state)
{
	struct fixture	*f = calloc(1, sizeof *f);
	char		*err = NULL;

	if (f == NULL)
		return -1;
	snprintf(f->dir, sizeof f->dir, "/tmp/hotline-jobs.XXXXXX");
	if (mkdtemp(f->dir) == NULL ||
	    (f->store = store_open(f->dir, 0, 0, &err)) == NULL ||
	    (f->base = event_base_new()) == NULL ||
	    (f->jobs = jobs_start(f->dir, f->base, &err)) == NULL) {
		free(err);
		return -1;
	}
	f->loop = pthread_self();
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture	*f = *state;
	char		 cmd[128];

	jobs_stop(f->jobs);
	store_close(f->store);
	event_base_free(f->base);
	snprintf(cmd, sizeof cmd, "rm -rf %s", f->dir);
	free(f);
	return system(cmd) == 0 ? 0 : -1;
}

static void
job_run(struct store *s, void *arg)
{
	struct job_arg		*a = arg;
	struct audit_report	 r;
	sqlite3_stmt		*st;
	const char		*sql = "WITH RECURSIVE n(i) AS (SELECT 1 UNION "
	    "ALL SELECT i + 1 FROM n WHERE i < 10000000000) SELECT count(*) "
	    "FROM n";

	a->f->ran_on_loop[a->i] = pthread_equal(pthread_self(), a->f->loop);
	if (!a->slow) {
		a->f->rc[a->i] = store_audit_verify(s, NULL, &r) == 0 &&
		    r.ok ? SQLITE_OK : SQLITE_ERROR;
		return;
	}
	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK) {
		a->f->rc[a->i] = SQLITE_ERROR;
		return;
	}
	a->f->rc[a->i] = sqlite3_step(st);
	sqlite3_finalize(st);
}

static void
job_done(void *arg, int ran)
{
	struct job_arg	*a = arg;

	a->f->done[a->i] = ran ? 1 : 2;
	a->f->order[a->f->ndone++] = a->i;
}

static void
add(struct fixture *f, int i, int slow)
{
	args[i].f = f;
	args[i].i = i;
	args[i].slow = slow;
	assert_int_equal(jobs_add(f->jobs, job_run, job_done, &args[i]), 0);
}

static void
test_run_off_the_loop_in_order(void **state)
{
	struct fixture	*f = *state;
	time_t		 until = time(NULL) + 10;
	int		 i;

	for (i = 0; i < 4; i++)
		add(f, i, 0);
	while (f->ndone < 4 && time(NULL) < until)
		event_base_loop(f->base, EVLOOP_ONCE);
	assert_int_equal(f->ndone, 4);
	for (i = 0; i < 4; i++) {
		assert_int_equal(f->order[i], i);
		assert_int_equal(f->done[i], 1);
		assert_int_equal(f->rc[i], SQLITE_OK);
		assert_false(f->ran_on_loop[i]);
	}
}

static void
test_stop_interrupts_and_drops(void **state)
{
	struct fixture	*f = *state;
	struct timespec	 t0, t1, pause = { 0, 100 * 1000 * 1000 };

	add(f, 0, 1);
	add(f, 1, 0);
	add(f, 2, 0);
	/* The first is well into its read when the stop comes. */
	nanosleep(&pause, NULL);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	jobs_stop(f->jobs);
	f->jobs = NULL;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	assert_true(t1.tv_sec - t0.tv_sec < 2);
	assert_int_equal(f->rc[0], SQLITE_INTERRUPT);
	/* None reached the loop: all three dropped, in order. */
	assert_int_equal(f->ndone, 3);
	assert_int_equal(f->done[0], 2);
	assert_int_equal(f->done[1], 2);
	assert_int_equal(f->done[2], 2);
	assert_int_equal(f->order[0], 0);
	assert_int_equal(f->order[1], 1);
	assert_int_equal(f->order[2], 2);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_run_off_the_loop_in_order,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_stop_interrupts_and_drops,
		    setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
