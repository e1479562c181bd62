/*
 * Statistics (SPEC §6.2 stats.*): counters kept as deltas in memory between
 * commits and written in the same transaction as the inquiries they count:
 * per local day for stats.summary (a month is a few thousand counter rows
 * to add up, not a million inquiries to scan), and inquiries also per
 * 15-minute bucket for stats.hourly (every time zone's hours start on such
 * a boundary). The day is the local date in the process time zone, the
 * conf's (config_apply_time_zone).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "store_int.h"

static int64_t
bucket_of(time_t t)
{
	return (int64_t)t / STORE_BUCKET_S;
}

/* YYYYMMDD of a time, in the process time zone. */
static int64_t
day_of(time_t t)
{
	struct tm	tm;

	localtime_r(&t, &tm);
	return (int64_t)(tm.tm_year + 1900) * 10000 + (tm.tm_mon + 1) * 100 +
	    tm.tm_mday;
}

void
store_stats_inquiry(struct store *s, time_t t, enum channel ch,
    enum outcome oc, int sign, int duration_s)
{
	struct stat_inq_delta	*d;
	int64_t			 b = bucket_of(t);
	size_t			 i;

	for (i = 0; i < s->ninq; i++)
		if (s->inq[i].bucket == b && s->inq[i].channel == ch &&
		    s->inq[i].outcome == oc)
			break;
	if (i == s->ninq) {
		if (s->ninq == STAT_DELTAS_MAX && store_stats_flush(s) == -1) {
			s->failed = 1;
			return;
		}
		i = s->ninq++;
		d = &s->inq[i];
		memset(d, 0, sizeof *d);
		d->bucket = b;
		d->channel = ch;
		d->outcome = oc;
	}
	d = &s->inq[i];
	d->n += sign;
	if (duration_s >= 0) {
		d->dur_n += sign;
		d->dur_sum += sign * duration_s;
	}
}

void
store_stats_org(struct store *s, time_t t, const char *org, int n,
    int affected)
{
	struct stat_org_delta	*d;
	int64_t			 day = day_of(t);
	size_t			 i;

	for (i = 0; i < s->norg; i++)
		if (s->org[i].day == day && strcmp(s->org[i].org, org) == 0)
			break;
	if (i == s->norg) {
		if (s->norg == STAT_DELTAS_MAX && store_stats_flush(s) == -1) {
			s->failed = 1;
			return;
		}
		i = s->norg++;
		d = &s->org[i];
		memset(d, 0, sizeof *d);
		d->day = day;
		snprintf(d->org, sizeof d->org, "%s", org);
	}
	s->org[i].n += n;
	s->org[i].affected += affected;
}

/* The client's delta row of this bucket (created empty if need be). */
static struct stat_client_delta *
client_delta(struct store *s, time_t t, const char *client, const char *role)
{
	struct stat_client_delta	*d;
	int64_t				 day = day_of(t);
	size_t				 i;

	for (i = 0; i < s->nclient; i++)
		if (s->client[i].day == day &&
		    strcmp(s->client[i].client, client) == 0 &&
		    strcmp(s->client[i].role, role) == 0)
			return &s->client[i];
	if (s->nclient == STAT_DELTAS_MAX && store_stats_flush(s) == -1) {
		s->failed = 1;
		return NULL;
	}
	d = &s->client[s->nclient++];
	memset(d, 0, sizeof *d);
	d->day = day;
	snprintf(d->client, sizeof d->client, "%s", client);
	snprintf(d->role, sizeof d->role, "%s", role);
	return d;
}

void
store_stats_client_inquiry(struct store *s, time_t t, const char *client,
    const char *role)
{
	struct stat_client_delta	*d;

	if ((d = client_delta(s, t, client, role ? role : "")) != NULL)
		d->inquiries++;
}

void
store_count_request(struct store *s, time_t t, const char *client,
    const char *role, int lookups, int searches)
{
	struct stat_client_delta	*d;

	if ((d = client_delta(s, t, client, role)) != NULL) {
		d->lookups += lookups;
		d->searches += searches;
	}
}

void
store_note_sessions(struct store *s, time_t t, size_t open)
{
	int64_t	b = bucket_of(t);

	if (b != s->peak_bucket) {
		s->peak_bucket = b;
		s->peak = 0;
	}
	if ((int64_t)open > s->peak) {
		s->peak = (int64_t)open;
		s->peak_dirty = 1;
	}
}

/* Writes the deltas into the open transaction (opening it if need be). */
int
store_stats_flush(struct store *s)
{
	struct stat_inq_delta	*d;
	enum store_stmt		 which;
	sqlite3_stmt		*st;
	size_t			 i;
	int			 rc = 0;

	if (s->ninq + s->norg + s->nclient == 0 && !s->peak_dirty)
		return 0;
	if (store_begin(s) == -1)
		return -1;
	/* Each inquiry delta goes to its 15-minute bucket and to its day. */
	for (i = 0; i < 2 * s->ninq && rc == 0; i++) {
		d = &s->inq[i / 2];
		which = i % 2 ? ST_STAT_DAY : ST_STAT_INQUIRY;
		st = s->st[which];
		sqlite3_bind_int64(st, 1, i % 2 ? day_of((time_t)(d->bucket *
		    STORE_BUCKET_S)) : d->bucket);
		sqlite3_bind_text(st, 2, inquiry_channel_name(d->channel), -1,
		    SQLITE_STATIC);
		sqlite3_bind_text(st, 3, inquiry_outcome_name(d->outcome), -1,
		    SQLITE_STATIC);
		sqlite3_bind_int64(st, 4, d->n);
		sqlite3_bind_int64(st, 5, d->dur_n);
		sqlite3_bind_int64(st, 6, d->dur_sum);
		rc = store_exec_stmt(s, which);
	}
	st = s->st[ST_STAT_ORG];
	for (i = 0; i < s->norg && rc == 0; i++) {
		sqlite3_bind_int64(st, 1, s->org[i].day);
		sqlite3_bind_text(st, 2, s->org[i].org, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 3, s->org[i].n);
		sqlite3_bind_int64(st, 4, s->org[i].affected);
		rc = store_exec_stmt(s, ST_STAT_ORG);
	}
	st = s->st[ST_STAT_CLIENT];
	for (i = 0; i < s->nclient && rc == 0; i++) {
		sqlite3_bind_int64(st, 1, s->client[i].day);
		sqlite3_bind_text(st, 2, s->client[i].client, -1,
		    SQLITE_STATIC);
		sqlite3_bind_text(st, 3, s->client[i].role, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 4, s->client[i].inquiries);
		sqlite3_bind_int64(st, 5, s->client[i].lookups);
		sqlite3_bind_int64(st, 6, s->client[i].searches);
		rc = store_exec_stmt(s, ST_STAT_CLIENT);
	}
	if (s->peak_dirty && rc == 0) {
		st = s->st[ST_STAT_SESSIONS];
		sqlite3_bind_int64(st, 1, s->peak_bucket);
		sqlite3_bind_int64(st, 2, s->peak);
		rc = store_exec_stmt(s, ST_STAT_SESSIONS);
	}
	store_stats_discard(s);
	return rc;
}

void
store_stats_discard(struct store *s)
{
	s->ninq = s->norg = s->nclient = 0;
	s->peak_dirty = 0;
}

/*
 * Runs a SELECT over [lo, hi) (buckets, or days), calling fn for each
 * row.
 */
static int
range_query(struct store *s, const char *sql, int64_t lo, int64_t hi,
    int (*fn)(sqlite3_stmt *, void *), void *arg)
{
	sqlite3_stmt	*st;
	int		 rc;

	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK) {
		log_warnx("hotline.db: statistics: %s", sqlite3_errmsg(s->db));
		return -1;
	}
	sqlite3_bind_int64(st, 1, lo);
	sqlite3_bind_int64(st, 2, hi);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		if (fn(st, arg) == -1) {
			rc = SQLITE_NOMEM;
			break;
		}
	if (rc != SQLITE_DONE)
		log_warnx("hotline.db: statistics: %s", sqlite3_errmsg(s->db));
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

static int
row_inquiry(sqlite3_stmt *st, void *arg)
{
	struct stats_summary	*sum = arg;
	const char		*ch = (const char *)sqlite3_column_text(st, 0);
	enum outcome		 oc;
	int64_t			 n = sqlite3_column_int64(st, 2);
	int			 i;

	if (inquiry_outcome_parse((const char *)sqlite3_column_text(st, 1),
	    &oc) == 0)
		sum->by_outcome[oc] += n;
	for (i = 0; i < CHANNEL_COUNT; i++)
		if (strcmp(ch, inquiry_channel_name((enum channel)i)) == 0)
			sum->by_channel[i] += n;
	sum->inquiries += n;
	sum->handled += sqlite3_column_int64(st, 3);
	sum->handle_s += sqlite3_column_int64(st, 4);
	return 0;
}

static int
row_org(sqlite3_stmt *st, void *arg)
{
	struct stats_summary	*sum = arg;
	struct stats_org	*grown, *o;

	if ((grown = reallocarray(sum->orgs, sum->norgs + 1,
	    sizeof *grown)) == NULL)
		return -1;
	sum->orgs = grown;
	o = &sum->orgs[sum->norgs++];
	snprintf(o->code, sizeof o->code, "%s",
	    (const char *)sqlite3_column_text(st, 0));
	o->inquiries = sqlite3_column_int64(st, 1);
	o->affected = sqlite3_column_int64(st, 2);
	return 0;
}

static int
row_client(sqlite3_stmt *st, void *arg)
{
	struct stats_summary	*sum = arg;
	struct stats_client	*grown, *c;

	if ((grown = reallocarray(sum->clients, sum->nclients + 1,
	    sizeof *grown)) == NULL)
		return -1;
	sum->clients = grown;
	c = &sum->clients[sum->nclients++];
	snprintf(c->client, sizeof c->client, "%s",
	    (const char *)sqlite3_column_text(st, 0));
	snprintf(c->role, sizeof c->role, "%s",
	    (const char *)sqlite3_column_text(st, 1));
	c->inquiries = sqlite3_column_int64(st, 2);
	c->lookups = sqlite3_column_int64(st, 3);
	c->searches = sqlite3_column_int64(st, 4);
	return 0;
}

static int
row_peak(sqlite3_stmt *st, void *arg)
{
	*(int64_t *)arg = sqlite3_column_int64(st, 0);
	return 0;
}

int
store_stats_summary(struct store *s, time_t from, time_t to,
    struct stats_summary *sum)
{
	sqlite3_stmt	*st;
	int64_t		 lo, hi;
	int		 rc = -1;

	memset(sum, 0, sizeof *sum);
	/* What this turn counted so far belongs in the answer too. */
	if (!s->readonly && store_stats_flush(s) == -1)
		return -1;
	/* from and to are local midnights: [first day, day after last). */
	lo = day_of(from);
	hi = day_of(to);
	if (range_query(s, "SELECT channel, outcome, sum(n), sum(dur_n), "
	    "sum(dur_sum) FROM stat_day WHERE day >= ?1 AND day < ?2 "
	    "GROUP BY channel, outcome", lo, hi, row_inquiry, sum) == -1 ||
	    range_query(s, "SELECT org, sum(n), sum(affected) FROM stat_org "
	    "WHERE day >= ?1 AND day < ?2 GROUP BY org HAVING sum(n) > 0 "
	    "ORDER BY sum(n) DESC, org", lo, hi, row_org, sum) == -1 ||
	    range_query(s, "SELECT client, role, sum(inquiries), sum(lookups), "
	    "sum(searches) FROM stat_client WHERE day >= ?1 AND day < ?2 "
	    "GROUP BY client, role ORDER BY client, role", lo, hi, row_client,
	    sum) == -1 ||
	    range_query(s, "SELECT coalesce(max(peak), 0) FROM stat_sessions "
	    "WHERE bucket >= ?1 AND bucket < ?2", bucket_of(from),
	    bucket_of(to), row_peak, &sum->peak_sessions) == -1)
		goto out;
	if (sqlite3_prepare_v2(s->db, "SELECT count(*) FROM alert WHERE "
	    "time >= ? AND time < ?", -1, &st, NULL) != SQLITE_OK)
		goto out;
	sqlite3_bind_int64(st, 1, (sqlite3_int64)from);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)to);
	if (sqlite3_step(st) == SQLITE_ROW) {
		sum->alerts = sqlite3_column_int64(st, 0);
		rc = 0;
	}
	sqlite3_finalize(st);
out:
	if (rc == -1)
		store_stats_free(sum);
	return rc;
}

void
store_stats_free(struct stats_summary *sum)
{
	free(sum->orgs);
	free(sum->clients);
	sum->orgs = NULL;
	sum->clients = NULL;
	sum->norgs = sum->nclients = 0;
}

struct hourly_ctx {
	const time_t	*starts;
	int64_t		(*out)[OUTCOME_COUNT];
};

static int
row_hourly(sqlite3_stmt *st, void *arg)
{
	struct hourly_ctx	*h = arg;
	time_t			 t = (time_t)(sqlite3_column_int64(st, 0) *
	    STORE_BUCKET_S);
	enum outcome		 oc;
	int			 i;

	if (inquiry_outcome_parse((const char *)sqlite3_column_text(st, 1),
	    &oc) == -1)
		return 0;
	for (i = 0; i < 24; i++)
		if (t >= h->starts[i] && t < h->starts[i + 1])
			h->out[i][oc] += sqlite3_column_int64(st, 2);
	return 0;
}

int
store_stats_hourly(struct store *s, const time_t starts[25],
    int64_t out[24][OUTCOME_COUNT])
{
	struct hourly_ctx	h = { starts, out };

	memset(out, 0, sizeof(int64_t) * 24 * OUTCOME_COUNT);
	if (!s->readonly && store_stats_flush(s) == -1)
		return -1;
	return range_query(s, "SELECT bucket, outcome, sum(n) FROM "
	    "stat_inquiry WHERE bucket >= ?1 AND bucket < ?2 GROUP BY bucket, "
	    "outcome", bucket_of(starts[0]), bucket_of(starts[24]), row_hourly,
	    &h);
}

struct live_seed_ctx {
	void	(*bucket)(void *, time_t, enum channel, enum outcome,
		    int64_t, int64_t, int64_t);
	void	(*org)(void *, const char *, int64_t);
	void	*arg;
};

static int
row_live_bucket(sqlite3_stmt *st, void *arg)
{
	struct live_seed_ctx	*c = arg;
	const char		*ch = (const char *)sqlite3_column_text(st, 1);
	enum outcome		 oc;
	int			 i;

	if (inquiry_outcome_parse((const char *)sqlite3_column_text(st, 2),
	    &oc) == -1)
		return 0;
	for (i = 0; i < CHANNEL_COUNT; i++)
		if (strcmp(ch, inquiry_channel_name((enum channel)i)) == 0)
			c->bucket(c->arg, (time_t)(sqlite3_column_int64(st, 0) *
			    STORE_BUCKET_S), (enum channel)i, oc,
			    sqlite3_column_int64(st, 3),
			    sqlite3_column_int64(st, 4),
			    sqlite3_column_int64(st, 5));
	return 0;
}

static int
row_live_org(sqlite3_stmt *st, void *arg)
{
	struct live_seed_ctx	*c = arg;

	c->org(c->arg, (const char *)sqlite3_column_text(st, 0),
	    sqlite3_column_int64(st, 1));
	return 0;
}

int
store_live_seed(struct store *s, time_t from, time_t to,
    void (*bucket)(void *, time_t, enum channel, enum outcome, int64_t,
    int64_t, int64_t), void (*org)(void *, const char *, int64_t),
    void *arg)
{
	struct live_seed_ctx	c = { bucket, org, arg };

	if (!s->readonly && store_stats_flush(s) == -1)
		return -1;
	return range_query(s, "SELECT bucket, channel, outcome, n, dur_n, "
	    "dur_sum FROM stat_inquiry WHERE bucket >= ?1 AND bucket < ?2",
	    bucket_of(from), bucket_of(to), row_live_bucket, &c) == -1 ||
	    range_query(s, "SELECT org, n FROM stat_org WHERE day >= ?1 AND "
	    "day < ?2", day_of(from), day_of(from) + 1, row_live_org, &c) ==
	    -1 ? -1 : 0;
}
