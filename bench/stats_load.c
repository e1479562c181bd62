/*
 * stats_load: fills hotline.db with a busy month through the store's own
 * write path (inquiries with their organisations, per-client counters,
 * session peaks, commits in groups as hotlined makes them), then times
 * the statistics queries on it.
 *
 *   stats_load DATA_DIR [INQUIRIES] [DAYS] [RUNS]
 *
 * Prints one JSON line: fill rate, and the median and worst time of
 * stats.summary over the whole period and of stats.hourly for one day.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "store.h"

#define CLIENTS		24
#define ORGS		69
#define GROUP		2000	/* inquiries a commit, as under load */

static double
now_s(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int
cmp_double(const void *a, const void *b)
{
	double	x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

int
main(int argc, char *argv[])
{
	static char		 clients[CLIENTS][16], orgs[ORGS][16];
	static const char	*roles[3] = { "gateway", "gateway", "operator" };
	struct stats_summary	 sum;
	struct tm		 tm;
	struct store_inquiry	 rec;
	struct store		*s;
	struct store_batch	*b = NULL;
	const char		*codes[2];
	int64_t			 n = 1000000, i, hourly[24][OUTCOME_COUNT];
	time_t			 end, start, t, starts[25];
	double			 t0, fill, *ts, *th;
	char			*err = NULL;
	int			 days = 30, runs = 21, k, r, h;
	uint64_t		 x = 88172645463325252ULL;

	if (argc < 2) {
		fprintf(stderr, "usage: stats_load DATA_DIR [INQUIRIES] [DAYS] "
		    "[RUNS]\n");
		return 2;
	}
	if (argc > 2)
		n = strtoll(argv[2], NULL, 10);
	if (argc > 3)
		days = atoi(argv[3]);
	if (argc > 4)
		runs = atoi(argv[4]);
	log_init("stats_load", LOG_LEVEL_WARN, LOG_TARGET_STDERR);
	/* The counters' days are those of the service's zone. */
	setenv("TZ", getenv("TZ") ? getenv("TZ") : "Asia/Tokyo", 1);
	tzset();
	if ((s = store_open(argv[1], 0, 0, &err)) == NULL ||
	    (b = store_batch_new()) == NULL) {
		fprintf(stderr, "stats_load: %s\n", err);
		return 1;
	}
	for (k = 0; k < CLIENTS; k++)
		snprintf(clients[k], sizeof clients[k], "client-%02d", k);
	for (k = 0; k < ORGS; k++)
		snprintf(orgs[k], sizeof orgs[k], "org-%02d", k);
	/* Whole local days, as stats.summary asks: up to tonight's midnight. */
	t = time(NULL);
	localtime_r(&t, &tm);
	tm.tm_mday++;
	tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
	tm.tm_isdst = -1;
	end = mktime(&tm);
	tm.tm_mday -= days;
	tm.tm_isdst = -1;
	start = mktime(&tm);
	t0 = now_s();
	for (i = 0; i < n; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		t = start + (time_t)(i * ((int64_t)(end - start)) / n);
		memset(&rec, 0, sizeof rec);
		rec.time = t;
		rec.channel = (enum channel)(x % 3);
		rec.client = clients[x % CLIENTS];
		rec.role = roles[rec.channel];
		rec.outcome = (x >> 8) % 10 < 4 ? OUTCOME_AFFECTED :
		    (x >> 8) % 10 < 8 ? OUTCOME_NOT_FOUND :
		    (enum outcome)(2 + (x >> 16) % 5);
		rec.duration_s = rec.channel == CHANNEL_API ? -1 :
		    (int)(30 + (x >> 24) % 600);
		codes[0] = orgs[(x >> 32) % ORGS];
		/* Two different organisations, as a lookup names each once. */
		codes[1] = orgs[((x >> 32) % ORGS + 1 + (x >> 40) % (ORGS - 1)) %
		    ORGS];
		rec.orgs = codes;
		rec.norgs = rec.outcome == OUTCOME_AFFECTED ?
		    1 + (x >> 48) % 2 : 0;
		rec.id = i + 1;
		if (store_batch_inquiry(b, &rec) == -1)
			return 1;
		if (rec.channel == CHANNEL_API &&
		    store_batch_request(b, t, rec.client, rec.role, 1, 0) == -1)
			return 1;
		if (i % GROUP == GROUP - 1) {
			store_batch_sessions(b, t, (size_t)((x >> 20) % 3000));
			if (store_batch_apply(s, b) == -1)
				return 1;
			store_batch_reset(b);
		}
	}
	if (store_batch_apply(s, b) == -1)
		return 1;
	store_batch_free(b);
	fill = now_s() - t0;

	ts = calloc((size_t)runs, sizeof *ts);
	th = calloc((size_t)runs, sizeof *th);
	for (r = 0; r < runs; r++) {
		t0 = now_s();
		if (store_stats_summary(s, start, end, &sum) == -1)
			return 1;
		ts[r] = (now_s() - t0) * 1000;
		if (sum.inquiries != n) {
			fprintf(stderr, "stats_load: summary counts %lld "
			    "inquiries, not %lld\n", (long long)sum.inquiries,
			    (long long)n);
			return 1;
		}
		store_stats_free(&sum);
		for (h = 0; h <= 24; h++)
			starts[h] = end - 86400 + h * 3600;
		t0 = now_s();
		if (store_stats_hourly(s, starts, hourly) == -1)
			return 1;
		th[r] = (now_s() - t0) * 1000;
	}
	qsort(ts, (size_t)runs, sizeof *ts, cmp_double);
	qsort(th, (size_t)runs, sizeof *th, cmp_double);
	printf("{\"inquiries\":%lld,\"days\":%d,\"fill_s\":%.2f,"
	    "\"fill_per_s\":%.0f,\"summary_ms_median\":%.2f,"
	    "\"summary_ms_max\":%.2f,\"hourly_ms_median\":%.2f,"
	    "\"hourly_ms_max\":%.2f,\"runs\":%d}\n", (long long)n, days, fill,
	    (double)n / fill, ts[runs / 2], ts[runs - 1], th[runs / 2],
	    th[runs - 1], runs);
	free(ts);
	free(th);
	store_close(s);
	return 0;
}
