/*
 * live.c: today's figures as inquiries and completions are fed, the
 * rollover at local midnight (and on days of 23 and 25 hours), the
 * ranking of organisations, the stats.live JSON, and seeding from a real
 * hotline.db: seeded figures equal the figures fed the same inquiries.
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
#include <jansson.h>

#include "live.h"
#include "store.h"

static void
zone(const char *tz)
{
	setenv("TZ", tz, 1);
	tzset();
}

/* A local time of the process zone. */
static time_t
at(int y, int mo, int d, int h, int mi, int s)
{
	struct tm	tm;

	memset(&tm, 0, sizeof tm);
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = s;
	tm.tm_isdst = -1;
	return mktime(&tm);
}

static const char *const komorebi[] = { "komorebi" };
static const char *const both[] = { "komorebi", "sakura-tel" };
static const char *const unknown[] = { "unknown" };

static void
test_counts(void **state)
{
	time_t			 now;
	struct live		*l;
	struct live_figures	 f;

	(void)state;
	zone("Asia/Tokyo");
	now = at(2026, 11, 26, 15, 0, 0);
	l = live_new(now);
	live_inquiry(l, now, at(2026, 11, 26, 9, 5, 0), CHANNEL_IVR,
	    OUTCOME_AFFECTED, 60, komorebi, 1);
	live_inquiry(l, now, at(2026, 11, 26, 9, 59, 59), CHANNEL_IVR,
	    OUTCOME_NOT_FOUND, 30, NULL, 0);
	live_inquiry(l, now, at(2026, 11, 26, 10, 0, 0), CHANNEL_IVR,
	    OUTCOME_ABANDONED, 5, NULL, 0);
	live_inquiry(l, now, at(2026, 11, 26, 14, 0, 0), CHANNEL_API,
	    OUTCOME_AFFECTED, -1, both, 2);
	live_inquiry(l, now, at(2026, 11, 26, 14, 30, 0), CHANNEL_OPERATOR,
	    OUTCOME_TRANSFERRED, 100, NULL, 0);
	/* Yesterday's, committed late: not today's. */
	live_inquiry(l, now, at(2026, 11, 25, 23, 59, 59), CHANNEL_IVR,
	    OUTCOME_AFFECTED, 10, komorebi, 1);
	live_figures(l, now, 10, &f);
	assert_string_equal(f.date, "2026-11-26");
	assert_int_equal(f.day_start, at(2026, 11, 26, 0, 0, 0));
	assert_int_equal(f.inquiries, 5);
	assert_int_equal(f.by_outcome[OUTCOME_AFFECTED], 2);
	assert_int_equal(f.by_outcome[OUTCOME_NOT_FOUND], 1);
	assert_int_equal(f.by_outcome[OUTCOME_ABANDONED], 1);
	assert_int_equal(f.by_outcome[OUTCOME_TRANSFERRED], 1);
	assert_int_equal(f.by_outcome[OUTCOME_RATE_LIMITED], 0);
	assert_int_equal(f.by_channel[CHANNEL_IVR], 3);
	assert_int_equal(f.by_channel[CHANNEL_API], 1);
	assert_int_equal(f.by_channel[CHANNEL_OPERATOR], 1);
	assert_int_equal(f.handled, 4);
	assert_int_equal(f.handle_s, 195);
	assert_int_equal(f.hours[9][OUTCOME_AFFECTED], 1);
	assert_int_equal(f.hours[9][OUTCOME_NOT_FOUND], 1);
	assert_int_equal(f.hours[10][OUTCOME_ABANDONED], 1);
	assert_int_equal(f.hours[14][OUTCOME_AFFECTED], 1);
	assert_int_equal(f.hours[14][OUTCOME_TRANSFERRED], 1);
	assert_int_equal(f.hours[23][OUTCOME_AFFECTED], 0);
	assert_int_equal(f.orgs, 2);
	assert_int_equal(f.ntop, 2);
	assert_string_equal(f.top[0].code, "komorebi");
	assert_int_equal(f.top[0].inquiries, 2);
	assert_string_equal(f.top[1].code, "sakura-tel");
	assert_int_equal(f.top[1].inquiries, 1);
	/* Bad enums are not counted anywhere. */
	live_inquiry(l, now, now, CHANNEL_COUNT, OUTCOME_AFFECTED, 1, NULL, 0);
	live_inquiry(l, now, now, CHANNEL_IVR, OUTCOME_COUNT, 1, NULL, 0);
	live_figures(l, now, 10, &f);
	assert_int_equal(f.inquiries, 5);
	live_free(l);
}

static void
test_completion(void **state)
{
	time_t			 now, t;
	struct live		*l;
	struct live_figures	 f;

	(void)state;
	zone("Asia/Tokyo");
	now = at(2026, 11, 26, 11, 0, 0);
	l = live_new(now);
	t = at(2026, 11, 26, 10, 5, 0);
	live_inquiry(l, now, t, CHANNEL_OPERATOR, OUTCOME_AFFECTED, -1,
	    komorebi, 1);
	live_inquiry_completed(l, now, t, CHANNEL_OPERATOR, OUTCOME_AFFECTED,
	    -1, OUTCOME_TRANSFERRED, 200, both, 2);
	live_figures(l, now, 10, &f);
	assert_int_equal(f.inquiries, 1);
	assert_int_equal(f.by_outcome[OUTCOME_AFFECTED], 0);
	assert_int_equal(f.by_outcome[OUTCOME_TRANSFERRED], 1);
	assert_int_equal(f.by_channel[CHANNEL_OPERATOR], 1);
	assert_int_equal(f.handled, 1);
	assert_int_equal(f.handle_s, 200);
	assert_int_equal(f.hours[10][OUTCOME_TRANSFERRED], 1);
	assert_int_equal(f.hours[10][OUTCOME_AFFECTED], 0);
	/* The orgs a completion adds count; komorebi was there already in
	   the store's view, and is passed only if newly added. */
	assert_int_equal(f.top[0].inquiries, 2);
	/* One with a duration already, completed with another. */
	live_inquiry(l, now, t, CHANNEL_OPERATOR, OUTCOME_NOT_FOUND, 40, NULL,
	    0);
	live_inquiry_completed(l, now, t, CHANNEL_OPERATOR, OUTCOME_NOT_FOUND,
	    40, OUTCOME_ABANDONED, -1, NULL, 0);
	live_figures(l, now, 10, &f);
	assert_int_equal(f.inquiries, 2);
	assert_int_equal(f.by_outcome[OUTCOME_NOT_FOUND], 0);
	assert_int_equal(f.by_outcome[OUTCOME_ABANDONED], 1);
	assert_int_equal(f.handled, 1);
	assert_int_equal(f.handle_s, 200);
	/* Yesterday's inquiry completed today belongs to yesterday. */
	live_inquiry_completed(l, now, at(2026, 11, 25, 18, 0, 0),
	    CHANNEL_OPERATOR, OUTCOME_AFFECTED, -1, OUTCOME_NOT_FOUND, 10,
	    unknown, 1);
	live_figures(l, now, 10, &f);
	assert_int_equal(f.inquiries, 2);
	assert_int_equal(f.by_outcome[OUTCOME_AFFECTED], 0);
	assert_int_equal(f.orgs, 2);
	live_free(l);
}

static void
test_midnight(void **state)
{
	time_t			 now;
	struct live		*l;
	struct live_figures	 f;

	(void)state;
	zone("Asia/Tokyo");
	now = at(2026, 11, 26, 23, 59, 50);
	l = live_new(now);
	live_sessions(l, now, 7);
	live_sessions(l, now, 5);
	live_inquiry(l, now, now, CHANNEL_IVR, OUTCOME_AFFECTED, 60, komorebi,
	    1);
	live_figures(l, now, 10, &f);
	assert_int_equal(f.inquiries, 1);
	assert_int_equal(f.hours[23][OUTCOME_AFFECTED], 1);
	assert_int_equal(f.calls_now, 5);
	assert_int_equal(f.calls_peak, 7);
	/* Midnight: a read alone rolls the figures over. */
	now = at(2026, 11, 27, 0, 0, 0);
	live_figures(l, now, 10, &f);
	assert_string_equal(f.date, "2026-11-27");
	assert_int_equal(f.day_start, now);
	assert_int_equal(f.inquiries, 0);
	assert_int_equal(f.by_outcome[OUTCOME_AFFECTED], 0);
	assert_int_equal(f.hours[23][OUTCOME_AFFECTED], 0);
	assert_int_equal(f.handled, 0);
	assert_int_equal(f.orgs, 0);
	assert_int_equal(f.ntop, 0);
	/* The calls still open are; today's peak starts from them. */
	assert_int_equal(f.calls_now, 5);
	assert_int_equal(f.calls_peak, 5);
	/* Yesterday's inquiry committed a second late: not today's. */
	live_inquiry(l, now + 1, at(2026, 11, 26, 23, 59, 59), CHANNEL_IVR,
	    OUTCOME_AFFECTED, 60, komorebi, 1);
	live_inquiry(l, now + 1, now + 1, CHANNEL_API, OUTCOME_NOT_FOUND, -1,
	    NULL, 0);
	/* A clock set back across midnight does not wipe today. */
	live_figures(l, at(2026, 11, 26, 23, 59, 58), 10, &f);
	assert_string_equal(f.date, "2026-11-27");
	assert_int_equal(f.inquiries, 1);
	assert_int_equal(f.hours[0][OUTCOME_NOT_FOUND], 1);
	/* A feed (not a read) rolls over too, days later. */
	now = at(2026, 11, 30, 8, 0, 0);
	live_inquiry(l, now, now, CHANNEL_IVR, OUTCOME_TRANSFERRED, 9, NULL,
	    0);
	live_figures(l, now, 10, &f);
	assert_string_equal(f.date, "2026-11-30");
	assert_int_equal(f.inquiries, 1);
	assert_int_equal(f.hours[8][OUTCOME_TRANSFERRED], 1);
	live_free(l);
}

/* Days of 23 and 25 hours: midnight is where the zone's rules put it. */
static void
test_clock_changes(void **state)
{
	time_t			 now;
	struct live		*l;
	struct live_figures	 f;

	(void)state;
	zone("Europe/Berlin");
	now = at(2026, 3, 29, 12, 0, 0);
	l = live_new(now);
	live_figures(l, now, 10, &f);
	assert_int_equal(at(2026, 3, 30, 0, 0, 0) - f.day_start, 23 * 3600);
	live_inquiry(l, now, at(2026, 3, 29, 3, 30, 0), CHANNEL_IVR,
	    OUTCOME_AFFECTED, -1, NULL, 0);
	live_figures(l, now, 10, &f);
	assert_int_equal(f.hours[3][OUTCOME_AFFECTED], 1);
	live_figures(l, at(2026, 3, 30, 0, 0, 0) - 1, 10, &f);
	assert_string_equal(f.date, "2026-03-29");
	live_figures(l, at(2026, 3, 30, 0, 0, 0), 10, &f);
	assert_string_equal(f.date, "2026-03-30");
	live_free(l);
	now = at(2026, 10, 25, 12, 0, 0);
	l = live_new(now);
	live_figures(l, now, 10, &f);
	assert_int_equal(at(2026, 10, 26, 0, 0, 0) - f.day_start, 25 * 3600);
	live_free(l);
	zone("Asia/Tokyo");
}

static void
test_ranking(void **state)
{
	time_t			 now;
	struct live		*l;
	struct live_figures	 f;
	char			 code[40];
	const char		*one[1] = { code };
	int			 i, k;

	(void)state;
	zone("Asia/Tokyo");
	now = at(2026, 11, 26, 12, 0, 0);
	l = live_new(now);
	/* org-00 once, org-01 twice, ... org-29 thirty times. */
	for (i = 0; i < 30; i++)
		for (k = 0; k <= i; k++) {
			snprintf(code, sizeof code, "org-%02d", i);
			live_inquiry(l, now, now, CHANNEL_API, OUTCOME_AFFECTED,
			    -1, one, 1);
		}
	/* A tie, broken by the code. */
	snprintf(code, sizeof code, "aaa");
	for (k = 0; k < 30; k++)
		live_inquiry(l, now, now, CHANNEL_API, OUTCOME_AFFECTED, -1, one,
		    1);
	/* Too long for an organisation code: never ranked. */
	memset(code, 'x', 39);
	code[39] = '\0';
	for (k = 0; k < 100; k++)
		live_inquiry(l, now, now, CHANNEL_API, OUTCOME_AFFECTED, -1, one,
		    1);
	live_figures(l, now, 5, &f);
	assert_int_equal(f.orgs, 31);
	assert_int_equal(f.ntop, 5);
	assert_string_equal(f.top[0].code, "aaa");
	assert_int_equal(f.top[0].inquiries, 30);
	assert_string_equal(f.top[1].code, "org-29");
	assert_string_equal(f.top[2].code, "org-28");
	assert_string_equal(f.top[4].code, "org-26");
	assert_int_equal(f.top[4].inquiries, 27);
	live_figures(l, now, 1000, &f);
	assert_int_equal(f.ntop, LIVE_TOP_MAX);
	assert_int_equal(f.inquiries, 465 + 30 + 100);
	live_figures(l, now, 0, &f);
	assert_int_equal(f.ntop, 0);
	live_free(l);
}

static json_t *
name_of(const char *code, void *arg)
{
	(*(int *)arg)++;
	if (strcmp(code, "komorebi") == 0)
		return json_string("こもれび市");
	return NULL;
}

static void
test_json(void **state)
{
	time_t		 now;
	struct live	*l;
	json_t		*j, *h;
	int		 calls = 0;
	size_t		 i;

	(void)state;
	zone("Asia/Tokyo");
	now = at(2026, 11, 26, 12, 0, 0);
	l = live_new(now);
	j = live_json(l, now, 5, name_of, &calls);
	assert_non_null(j);
	assert_true(json_is_null(json_object_get(j, "match_rate")));
	assert_true(json_is_null(json_object_get(j, "avg_handle_s")));
	assert_int_equal(json_array_size(json_object_get(j, "top_orgs")), 0);
	assert_int_equal(json_object_size(json_object_get(j, "by_outcome")),
	    OUTCOME_COUNT);
	json_decref(j);
	live_inquiry(l, now, now, CHANNEL_IVR, OUTCOME_AFFECTED, 30, both, 2);
	live_inquiry(l, now, now, CHANNEL_IVR, OUTCOME_AFFECTED, 60, komorebi,
	    1);
	live_inquiry(l, now, now, CHANNEL_OPERATOR, OUTCOME_NOT_FOUND, -1, NULL,
	    0);
	live_inquiry(l, now, now, CHANNEL_IVR, OUTCOME_TRANSFERRED, 90, NULL,
	    0);
	live_inquiry(l, now, now, CHANNEL_IVR, OUTCOME_ABANDONED, -1, NULL, 0);
	live_sessions(l, now, 3);
	j = live_json(l, now, 5, name_of, &calls);
	assert_non_null(j);
	assert_int_equal(calls, 2);
	assert_string_equal(json_string_value(json_object_get(j, "date")),
	    "2026-11-26");
	assert_int_equal(json_integer_value(json_object_get(j, "inquiries")),
	    5);
	assert_float_equal(json_real_value(json_object_get(j, "match_rate")),
	    2.0 / 3.0, 1e-9);
	assert_float_equal(json_real_value(json_object_get(j,
	    "avg_handle_s")), 60.0, 1e-9);
	assert_int_equal(json_integer_value(json_object_get(j, "transfers")),
	    1);
	assert_int_equal(json_integer_value(json_object_get(j, "abandoned")),
	    1);
	assert_int_equal(json_integer_value(json_object_get(j, "calls_now")),
	    3);
	assert_int_equal(json_integer_value(json_object_get(j, "calls_peak")),
	    3);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(j,
	    "by_channel"), "ivr")), 4);
	h = json_object_get(j, "hours");
	assert_int_equal(json_array_size(h), 24);
	for (i = 0; i < 24; i++) {
		assert_int_equal(json_integer_value(json_object_get(
		    json_array_get(h, i), "hour")), i);
		assert_int_equal(json_integer_value(json_object_get(
		    json_array_get(h, i), "inquiries")), i == 12 ? 5 : 0);
	}
	assert_int_equal(json_integer_value(json_object_get(json_array_get(h,
	    12), "affected")), 2);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(h,
	    12), "not_found")), 1);
	h = json_object_get(j, "top_orgs");
	assert_int_equal(json_array_size(h), 2);
	assert_string_equal(json_string_value(json_object_get(json_array_get(h,
	    0), "name")), "こもれび市");
	assert_true(json_is_null(json_object_get(json_array_get(h, 1),
	    "name")));
	assert_string_equal(json_string_value(json_object_get(json_array_get(h,
	    1), "code")), "sakura-tel");
	json_decref(j);
	live_free(l);
}

/* Both the store and the figures fed the same inquiries; see below. */
struct event {
	int		 day, h, m;
	enum channel	 ch;
	enum outcome	 oc;
	int		 dur;
	const char *const *orgs;
	size_t		 norgs;
	int		 complete;	/* then: to this outcome */
	enum outcome	 to;
	int		 to_dur;
	const char *const *add;
	size_t		 nadd;
};

static void
test_seed(void **state)
{
	const struct event ev[] = {
		{ 26, 9, 10, CHANNEL_IVR, OUTCOME_AFFECTED, 60, komorebi, 1,
		  0, 0, 0, NULL, 0 },
		{ 26, 10, 20, CHANNEL_OPERATOR, OUTCOME_AFFECTED, -1, komorebi,
		  1, 1, OUTCOME_TRANSFERRED, 120, both + 1, 1 },
		{ 26, 10, 21, CHANNEL_OPERATOR, OUTCOME_NOT_FOUND, -1, NULL, 0,
		  1, OUTCOME_AFFECTED, 300, unknown, 1 },
		{ 26, 14, 59, CHANNEL_API, OUTCOME_AFFECTED, -1, unknown, 1,
		  0, 0, 0, NULL, 0 },
		{ 26, 0, 0, CHANNEL_IVR, OUTCOME_ABANDONED, 3, NULL, 0,
		  0, 0, 0, NULL, 0 },
		{ 25, 23, 50, CHANNEL_API, OUTCOME_NOT_FOUND, -1, komorebi, 1,
		  0, 0, 0, NULL, 0 },	/* yesterday */
		{ 27, 0, 0, CHANNEL_API, OUTCOME_NOT_FOUND, -1, komorebi, 1,
		  0, 0, 0, NULL, 0 },	/* tomorrow, as a clock may */
	};
	char			 dir[] = "/tmp/hotline-live-XXXXXX", path[128];
	struct store		*s;
	struct store_inquiry	 q;
	struct store_completion	 c;
	struct store_batch	*batch;
	const char		*added[4];
	size_t			 nadded, j, k;
	struct live		*fed, *seeded;
	struct live_figures	 a, b;
	time_t			 now, t;
	int64_t			 id;
	char			*err = NULL;
	size_t			 i;
	const char		*files[] = { "hotline.db", "hotline.db-wal",
	    "hotline.db-shm" };

	(void)state;
	zone("Asia/Tokyo");
	now = at(2026, 11, 26, 15, 0, 0);
	assert_non_null(mkdtemp(dir));
	s = store_open(dir, 0, 0, &err);
	assert_non_null(s);
	assert_non_null(batch = store_batch_new());
	fed = live_new(now);
	for (i = 0; i < sizeof ev / sizeof ev[0]; i++) {
		t = at(2026, 11, ev[i].day, ev[i].h, ev[i].m, 0);
		memset(&q, 0, sizeof q);
		q.time = t;
		q.channel = ev[i].ch;
		q.client = "op";
		q.role = "operator";
		q.outcome = ev[i].oc;
		q.duration_s = ev[i].dur;
		q.orgs = ev[i].orgs;
		q.norgs = ev[i].norgs;
		q.id = id = (int64_t)i + 1;
		assert_int_equal(store_batch_inquiry(batch, &q), 0);
		live_inquiry(fed, now, t, ev[i].ch, ev[i].oc, ev[i].dur,
		    ev[i].orgs, ev[i].norgs);
		if (!ev[i].complete)
			continue;
		/* The service names only the organisations not yet in. */
		for (nadded = 0, j = 0; j < ev[i].nadd; j++) {
			for (k = 0; k < ev[i].norgs; k++)
				if (strcmp(ev[i].orgs[k], ev[i].add[j]) == 0)
					break;
			if (k == ev[i].norgs)
				added[nadded++] = ev[i].add[j];
		}
		memset(&c, 0, sizeof c);
		c.id = id;
		c.time = t;
		c.old_outcome = ev[i].oc;
		c.old_duration_s = ev[i].dur;
		c.old_orgs = ev[i].orgs;
		c.nold_orgs = ev[i].norgs;
		c.outcome = ev[i].to;
		c.duration_s = ev[i].to_dur;
		c.orgs = added;
		c.norgs = nadded;
		assert_int_equal(store_batch_completion(batch, &c), 0);
		live_inquiry_completed(fed, now, t, ev[i].ch, ev[i].oc,
		    ev[i].dur, ev[i].to, ev[i].to_dur, ev[i].add, ev[i].nadd);
	}
	/* Seeding reads what was committed. */
	assert_int_equal(store_batch_apply(s, batch), 0);
	store_batch_free(batch);
	seeded = live_new(now);
	live_inquiry(seeded, now, now, CHANNEL_IVR, OUTCOME_AFFECTED, 1, NULL,
	    0);	/* replaced by the seed */
	assert_int_equal(live_seed(seeded, s, now), 0);
	live_figures(fed, now, LIVE_TOP_MAX, &a);
	live_figures(seeded, now, LIVE_TOP_MAX, &b);
	assert_int_equal(b.inquiries, 5);
	assert_int_equal(b.by_outcome[OUTCOME_AFFECTED], 3);
	assert_int_equal(b.by_outcome[OUTCOME_TRANSFERRED], 1);
	assert_int_equal(b.by_outcome[OUTCOME_ABANDONED], 1);
	assert_int_equal(b.by_outcome[OUTCOME_NOT_FOUND], 0);
	assert_int_equal(b.by_channel[CHANNEL_OPERATOR], 2);
	assert_int_equal(b.handled, 4);
	assert_int_equal(b.handle_s, 60 + 120 + 300 + 3);
	assert_int_equal(b.hours[10][OUTCOME_TRANSFERRED], 1);
	assert_int_equal(b.hours[10][OUTCOME_AFFECTED], 1);
	assert_int_equal(b.hours[0][OUTCOME_ABANDONED], 1);
	assert_int_equal(b.orgs, 3);
	assert_string_equal(b.top[0].code, "komorebi");
	assert_int_equal(b.top[0].inquiries, 2);
	assert_string_equal(b.top[1].code, "unknown");
	assert_int_equal(b.top[1].inquiries, 2);
	assert_string_equal(b.top[2].code, "sakura-tel");
	assert_int_equal(b.calls_peak, 0);
	assert_memory_equal(&a, &b, sizeof a);
	/* Again: the same, not twice as much. */
	assert_int_equal(live_seed(seeded, s, now), 0);
	live_figures(seeded, now, LIVE_TOP_MAX, &b);
	assert_memory_equal(&a, &b, sizeof a);
	/* Seeded for tomorrow: tomorrow's one inquiry. */
	assert_int_equal(live_seed(seeded, s, at(2026, 11, 27, 9, 0, 0)), 0);
	live_figures(seeded, at(2026, 11, 27, 9, 0, 0), LIVE_TOP_MAX, &b);
	assert_int_equal(b.inquiries, 1);
	assert_int_equal(b.by_outcome[OUTCOME_NOT_FOUND], 1);
	live_free(fed);
	live_free(seeded);
	store_close(s);
	for (i = 0; i < sizeof files / sizeof files[0]; i++) {
		snprintf(path, sizeof path, "%s/%s", dir, files[i]);
		unlink(path);
	}
	assert_int_equal(rmdir(dir), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_counts),
		cmocka_unit_test(test_completion),
		cmocka_unit_test(test_midnight),
		cmocka_unit_test(test_clock_changes),
		cmocka_unit_test(test_ranking),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_seed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
