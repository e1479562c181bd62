/*
 * Statistics (SPEC §6.2 stats.*): counters, moved by each batch in the
 * same transaction as the inquiries they count:
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

/*
 * Counter deltas of one batch, keyed as their tables: inquiries by
 * 15-minute bucket (also written per day), organisations and clients by
 * local day. A batch spans a moment, so a few rows of each suffice; when
 * they are full, they are written and start again.
 */
#define DELTAS_MAX	64

struct inq_delta {
	int64_t		bucket;
	enum channel	channel;
	enum outcome	outcome;
	int64_t		n, dur_n, dur_sum;
};

struct org_delta {
	int64_t		 day;
	const char	*org;
	int64_t		 n, affected;
};

struct client_delta {
	int64_t		 day;
	const char	*client;
	const char	*role;
	int64_t		 inquiries, lookups, searches;
};

struct deltas {
	struct store		*s;
	int			 failed;
	time_t			 day_t;		/* day_of(day_t) == day */
	int64_t			 day;
	size_t			 last_client;	/* the row found last */
	struct inq_delta	 inq[DELTAS_MAX];
	size_t			 ninq;
	struct org_delta	 org[DELTAS_MAX];
	size_t			 norg;
	struct client_delta	 client[DELTAS_MAX];
	size_t			 nclient;
};

static int	deltas_flush(struct deltas *);

/* day_of, remembered: a batch's inquiries mostly share their second. */
static int64_t
deltas_day(struct deltas *d, time_t t)
{
	if (t != d->day_t || d->day == 0) {
		d->day_t = t;
		d->day = day_of(t);
	}
	return d->day;
}

static void
count_inquiry(struct deltas *d, time_t t, enum channel ch, enum outcome oc,
    int sign, int duration_s)
{
	struct inq_delta	*x;
	int64_t			 b = bucket_of(t);
	size_t			 i;

	for (i = 0; i < d->ninq; i++)
		if (d->inq[i].bucket == b && d->inq[i].channel == ch &&
		    d->inq[i].outcome == oc)
			break;
	if (i == d->ninq) {
		if (d->ninq == DELTAS_MAX && deltas_flush(d) == -1)
			return;
		i = d->ninq++;
		x = &d->inq[i];
		memset(x, 0, sizeof *x);
		x->bucket = b;
		x->channel = ch;
		x->outcome = oc;
	}
	x = &d->inq[i];
	x->n += sign;
	if (duration_s >= 0) {
		x->dur_n += sign;
		x->dur_sum += sign * duration_s;
	}
}

static void
count_org(struct deltas *d, time_t t, const char *org, int n, int affected)
{
	int64_t	day = deltas_day(d, t);
	size_t	i;

	for (i = 0; i < d->norg; i++)
		if (d->org[i].day == day && strcmp(d->org[i].org, org) == 0)
			break;
	if (i == d->norg) {
		if (d->norg == DELTAS_MAX && deltas_flush(d) == -1)
			return;
		i = d->norg++;
		memset(&d->org[i], 0, sizeof d->org[i]);
		d->org[i].day = day;
		d->org[i].org = org;
	}
	d->org[i].n += n;
	d->org[i].affected += affected;
}

/* The client's delta row of this day (created empty if need be). */
static struct client_delta *
count_client(struct deltas *d, time_t t, const char *client, const char *role)
{
	struct client_delta	*x;
	int64_t			 day = deltas_day(d, t);
	size_t			 i;

	/* One client makes most of a batch: its row first. */
	if (d->last_client < d->nclient) {
		x = &d->client[d->last_client];
		if (x->day == day && (x->client == client ||
		    strcmp(x->client, client) == 0) && (x->role == role ||
		    strcmp(x->role, role) == 0))
			return x;
	}
	for (i = 0; i < d->nclient; i++)
		if (d->client[i].day == day &&
		    strcmp(d->client[i].client, client) == 0 &&
		    strcmp(d->client[i].role, role) == 0) {
			d->last_client = i;
			return &d->client[i];
		}
	if (d->nclient == DELTAS_MAX && deltas_flush(d) == -1)
		return NULL;
	d->last_client = d->nclient;
	x = &d->client[d->nclient++];
	memset(x, 0, sizeof *x);
	x->day = day;
	x->client = client;
	x->role = role;
	return x;
}

/* Writes the deltas gathered so far and empties them. */
static int
deltas_flush(struct deltas *d)
{
	struct store		*s = d->s;
	struct inq_delta	*x;
	enum store_stmt		 which;
	sqlite3_stmt		*st;
	size_t			 i;
	int			 rc = 0;

	/* Each inquiry delta goes to its 15-minute bucket and to its day. */
	for (i = 0; i < 2 * d->ninq && rc == 0; i++) {
		x = &d->inq[i / 2];
		which = i % 2 ? ST_STAT_DAY : ST_STAT_INQUIRY;
		st = s->st[which];
		sqlite3_bind_int64(st, 1, i % 2 ? deltas_day(d, (time_t)(x->bucket *
		    STORE_BUCKET_S)) : x->bucket);
		sqlite3_bind_text(st, 2, inquiry_channel_name(x->channel), -1,
		    SQLITE_STATIC);
		sqlite3_bind_text(st, 3, inquiry_outcome_name(x->outcome), -1,
		    SQLITE_STATIC);
		sqlite3_bind_int64(st, 4, x->n);
		sqlite3_bind_int64(st, 5, x->dur_n);
		sqlite3_bind_int64(st, 6, x->dur_sum);
		rc = store_exec(s, which);
	}
	st = s->st[ST_STAT_ORG];
	for (i = 0; i < d->norg && rc == 0; i++) {
		sqlite3_bind_int64(st, 1, d->org[i].day);
		sqlite3_bind_text(st, 2, d->org[i].org, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 3, d->org[i].n);
		sqlite3_bind_int64(st, 4, d->org[i].affected);
		rc = store_exec(s, ST_STAT_ORG);
	}
	st = s->st[ST_STAT_CLIENT];
	for (i = 0; i < d->nclient && rc == 0; i++) {
		sqlite3_bind_int64(st, 1, d->client[i].day);
		sqlite3_bind_text(st, 2, d->client[i].client, -1,
		    SQLITE_STATIC);
		sqlite3_bind_text(st, 3, d->client[i].role, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 4, d->client[i].inquiries);
		sqlite3_bind_int64(st, 5, d->client[i].lookups);
		sqlite3_bind_int64(st, 6, d->client[i].searches);
		rc = store_exec(s, ST_STAT_CLIENT);
	}
	d->ninq = d->norg = d->nclient = 0;
	if (rc == -1)
		d->failed = 1;
	return rc;
}

/* The counters an inquiry moves: its bucket, its client, its orgs. */
static void
count_new_inquiry(struct deltas *d, const struct store_inquiry *q)
{
	struct client_delta	*c;
	size_t			 i;

	count_inquiry(d, q->time, q->channel, q->outcome, 1, q->duration_s);
	if ((c = count_client(d, q->time, q->client, q->role)) != NULL)
		c->inquiries++;
	for (i = 0; i < q->norgs; i++)
		count_org(d, q->time, q->orgs[i], 1,
		    q->outcome == OUTCOME_AFFECTED);
}

/* A completion moves the inquiry, at its own time, to its new outcome. */
static void
count_completion(struct deltas *d, const struct store_completion *c)
{
	int	was = c->old_outcome == OUTCOME_AFFECTED;
	int	is = c->outcome == OUTCOME_AFFECTED;
	size_t	i;

	count_inquiry(d, c->time, CHANNEL_OPERATOR, c->old_outcome, -1,
	    c->old_duration_s);
	count_inquiry(d, c->time, CHANNEL_OPERATOR, c->outcome, 1,
	    c->duration_s);
	if (was != is)
		for (i = 0; i < c->nold_orgs; i++)
			count_org(d, c->time, c->old_orgs[i], 0,
			    is ? 1 : -1);
	for (i = 0; i < c->norgs; i++)
		count_org(d, c->time, c->orgs[i], 1, is);
}

int
store_stats_write(struct store *s, const struct store_batch *b)
{
	struct deltas			*d;
	const struct batch_request	*r;
	struct client_delta		*c;
	sqlite3_stmt			*st;
	size_t				 i;
	int				 rc;

	if ((d = calloc(1, sizeof *d)) == NULL)
		return -1;
	d->s = s;
	for (i = 0; i < b->inquiries.n; i++)
		count_new_inquiry(d, &BATCH_AT(b->inquiries,
		    struct batch_inquiry, i)->q);
	for (i = 0; i < b->completions.n; i++)
		count_completion(d, &BATCH_AT(b->completions,
		    struct batch_completion, i)->c);
	for (i = 0; i < b->requests.n; i++) {
		r = BATCH_AT(b->requests, struct batch_request, i);
		if ((c = count_client(d, r->time, r->client, r->role)) !=
		    NULL) {
			c->lookups += r->lookups;
			c->searches += r->searches;
		}
	}
	rc = d->failed ? -1 : deltas_flush(d);
	free(d);
	if (rc == 0 && b->peak != 0) {
		st = s->st[ST_STAT_SESSIONS];
		sqlite3_bind_int64(st, 1, b->peak_bucket);
		sqlite3_bind_int64(st, 2, b->peak);
		rc = store_exec(s, ST_STAT_SESSIONS);
	}
	return rc;
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
	/* from and to are local midnights: [first day, day after last). */
	lo = day_of(from);
	hi = day_of(to);
	if (store_query(s, "SELECT channel, outcome, sum(n), sum(dur_n), "
	    "sum(dur_sum) FROM stat_day WHERE day >= ?1 AND day < ?2 "
	    "GROUP BY channel, outcome", lo, hi, row_inquiry, sum) == -1 ||
	    store_query(s, "SELECT org, sum(n), sum(affected) FROM stat_org "
	    "WHERE day >= ?1 AND day < ?2 GROUP BY org HAVING sum(n) > 0 "
	    "ORDER BY sum(n) DESC, org", lo, hi, row_org, sum) == -1 ||
	    store_query(s, "SELECT client, role, sum(inquiries), sum(lookups), "
	    "sum(searches) FROM stat_client WHERE day >= ?1 AND day < ?2 "
	    "GROUP BY client, role ORDER BY client, role", lo, hi, row_client,
	    sum) == -1 ||
	    store_query(s, "SELECT coalesce(max(peak), 0) FROM stat_sessions "
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
	return store_query(s, "SELECT bucket, outcome, sum(n) FROM "
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

	return store_query(s, "SELECT bucket, channel, outcome, n, dur_n, "
	    "dur_sum FROM stat_inquiry WHERE bucket >= ?1 AND bucket < ?2",
	    bucket_of(from), bucket_of(to), row_live_bucket, &c) == -1 ||
	    store_query(s, "SELECT org, n FROM stat_org WHERE day >= ?1 AND "
	    "day < ?2", day_of(from), day_of(from) + 1, row_live_org, &c) ==
	    -1 ? -1 : 0;
}
