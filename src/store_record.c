/*
 * The rows of hotline.db that record what happened: inquiries and their
 * organisations, completions, the IVR's caller lookups, alerts and client
 * suspensions — written from a batch, and read back at start.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "store_int.h"

static int
inquiry_org_add(struct store *s, int64_t id, const char *org)
{
	sqlite3_stmt	*st = s->st[ST_INQUIRY_ORG_ADD];

	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_text(st, 2, org, -1, SQLITE_STATIC);
	return store_exec(s, ST_INQUIRY_ORG_ADD);
}

static int
inquiry_write(struct store *s, const struct store_inquiry *q)
{
	sqlite3_stmt	*st = s->st[ST_INQUIRY_ADD];
	size_t		 i;

	sqlite3_bind_int64(st, 1, q->id);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)q->time);
	sqlite3_bind_text(st, 3, inquiry_channel_name(q->channel), -1,
	    SQLITE_STATIC);
	sqlite3_bind_text(st, 4, q->client, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, inquiry_outcome_name(q->outcome), -1,
	    SQLITE_STATIC);
	if (q->duration_s >= 0)
		sqlite3_bind_int(st, 6, q->duration_s);
	sqlite3_bind_int(st, 7, q->completed ? 1 : 0);
	if (store_exec(s, ST_INQUIRY_ADD) == -1)
		return -1;
	for (i = 0; i < q->norgs; i++)
		if (inquiry_org_add(s, q->id, q->orgs[i]) == -1)
			return -1;
	return 0;
}

static int
completion_write(struct store *s, const struct store_completion *c)
{
	sqlite3_stmt	*st = s->st[ST_INQUIRY_COMPLETE];
	size_t		 i;

	sqlite3_bind_text(st, 1, inquiry_outcome_name(c->outcome), -1,
	    SQLITE_STATIC);
	if (c->duration_s >= 0)
		sqlite3_bind_int(st, 2, c->duration_s);
	sqlite3_bind_int64(st, 3, c->id);
	if (store_exec(s, ST_INQUIRY_COMPLETE) == -1)
		return -1;
	for (i = 0; i < c->norgs; i++)
		if (inquiry_org_add(s, c->id, c->orgs[i]) == -1)
			return -1;
	return 0;
}

static int
alert_write(struct store *s, const struct store_alert *a)
{
	sqlite3_stmt	*st = s->st[ST_ALERT_ADD];

	sqlite3_bind_int64(st, 1, a->id);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)a->time);
	sqlite3_bind_text(st, 3, a->client, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, a->role, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, a->kind, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 6, a->count);
	sqlite3_bind_int(st, 7, a->window_s);
	sqlite3_bind_int(st, 8, a->suspended);
	return store_exec(s, ST_ALERT_ADD);
}

static int
ack_write(struct store *s, const struct batch_ack *a)
{
	sqlite3_stmt	*st = s->st[ST_ALERT_ACK];

	sqlite3_bind_text(st, 1, a->by, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)a->time);
	sqlite3_bind_text(st, 3, a->note, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, a->alert);
	return store_exec(s, ST_ALERT_ACK);
}

int
store_record_write(struct store *s, const struct store_batch *b)
{
	const struct batch_suspend	*su;
	const struct batch_caller	*ca;
	sqlite3_stmt			*st;
	size_t				 i;

	for (i = 0; i < b->inquiries.n; i++)
		if (inquiry_write(s, &BATCH_AT(b->inquiries,
		    struct batch_inquiry, i)->q) == -1)
			return -1;
	for (i = 0; i < b->completions.n; i++)
		if (completion_write(s, &BATCH_AT(b->completions,
		    struct batch_completion, i)->c) == -1)
			return -1;
	for (i = 0; i < b->alerts.n; i++)
		if (alert_write(s, BATCH_AT(b->alerts, struct store_alert,
		    i)) == -1)
			return -1;
	for (i = 0; i < b->acks.n; i++)
		if (ack_write(s, BATCH_AT(b->acks, struct batch_ack, i)) == -1)
			return -1;
	st = s->st[ST_CLIENT_SUSPEND];
	for (i = 0; i < b->suspends.n; i++) {
		su = BATCH_AT(b->suspends, struct batch_suspend, i);
		sqlite3_bind_text(st, 1, su->client, -1, SQLITE_STATIC);
		sqlite3_bind_int(st, 2, su->on ? 1 : 0);
		sqlite3_bind_int64(st, 3, (sqlite3_int64)su->time);
		if (store_exec(s, ST_CLIENT_SUSPEND) == -1)
			return -1;
	}
	st = s->st[ST_CALLER_ADD];
	for (i = 0; i < b->callers.n; i++) {
		ca = BATCH_AT(b->callers, struct batch_caller, i);
		sqlite3_bind_int64(st, 1, ca->caller);
		sqlite3_bind_int64(st, 2, (sqlite3_int64)ca->time);
		if (store_exec(s, ST_CALLER_ADD) == -1)
			return -1;
	}
	if (b->caller_expire != 0) {
		sqlite3_bind_int64(s->st[ST_CALLER_EXPIRE], 1,
		    (sqlite3_int64)b->caller_expire);
		if (store_exec(s, ST_CALLER_EXPIRE) == -1)
			return -1;
	}
	return 0;
}

static int
row_max(sqlite3_stmt *st, void *arg)
{
	*(int64_t *)arg = sqlite3_column_int64(st, 0) + 1;
	return 0;
}

int
store_state(struct store *s, struct store_state *out)
{
	out->next_inquiry = out->next_alert = 1;
	if (store_query(s, "SELECT coalesce(max(id), 0) FROM inquiry", 0, 0,
	    row_max, &out->next_inquiry) == -1 ||
	    store_query(s, "SELECT coalesce(max(id), 0) FROM alert", 0, 0,
	    row_max, &out->next_alert) == -1)
		return -1;
	return 0;
}

struct suspended_ctx {
	void	(*fn)(const char *, void *);
	void	*arg;
};

static int
row_suspended(sqlite3_stmt *st, void *arg)
{
	struct suspended_ctx	*c = arg;

	c->fn((const char *)sqlite3_column_text(st, 0), c->arg);
	return 0;
}

int
store_clients_suspended(struct store *s, void (*fn)(const char *, void *),
    void *arg)
{
	struct suspended_ctx	c = { fn, arg };

	return store_query(s, "SELECT client FROM client_state WHERE "
	    "suspended = 1 ORDER BY client", 0, 0, row_suspended, &c);
}

struct callers_ctx {
	void	(*fn)(int64_t, time_t, void *);
	void	*arg;
};

static int
row_caller(sqlite3_stmt *st, void *arg)
{
	struct callers_ctx	*c = arg;

	c->fn(sqlite3_column_int64(st, 0), (time_t)sqlite3_column_int64(st,
	    1), c->arg);
	return 0;
}

int
store_callers(struct store *s, time_t since,
    void (*fn)(int64_t, time_t, void *), void *arg)
{
	struct callers_ctx	c = { fn, arg };

	return store_query(s, "SELECT caller, time FROM caller_lookup WHERE "
	    "time > ?1 ORDER BY time", (int64_t)since, 0, row_caller, &c);
}

struct open_ctx {
	void			(*fn)(const struct store_inquiry *, void *);
	void			*arg;
	struct store		*s;
};

static int
row_open(sqlite3_stmt *st, void *arg)
{
	struct open_ctx		*c = arg;
	struct store_inquiry	 q;
	sqlite3_stmt		*orgs;
	const char		*codes[STORE_ORGS_MAX];
	char			 buf[STORE_ORGS_MAX][STORE_ORG_MAX + 1];
	size_t			 n = 0;

	memset(&q, 0, sizeof q);
	q.id = sqlite3_column_int64(st, 0);
	q.time = (time_t)sqlite3_column_int64(st, 1);
	q.channel = CHANNEL_OPERATOR;
	q.client = (const char *)sqlite3_column_text(st, 2);
	if (inquiry_outcome_parse((const char *)sqlite3_column_text(st, 3),
	    &q.outcome) == -1)
		return 0;
	q.duration_s = sqlite3_column_type(st, 4) == SQLITE_NULL ? -1 :
	    sqlite3_column_int(st, 4);
	if (sqlite3_prepare_v2(c->s->db, "SELECT org FROM inquiry_org WHERE "
	    "inquiry = ?", -1, &orgs, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_int64(orgs, 1, q.id);
	while (n < STORE_ORGS_MAX && sqlite3_step(orgs) == SQLITE_ROW) {
		snprintf(buf[n], sizeof buf[n], "%s",
		    (const char *)sqlite3_column_text(orgs, 0));
		codes[n] = buf[n];
		n++;
	}
	sqlite3_finalize(orgs);
	q.orgs = codes;
	q.norgs = n;
	c->fn(&q, c->arg);
	return 0;
}

int
store_open_inquiries(struct store *s, time_t since,
    void (*fn)(const struct store_inquiry *, void *), void *arg)
{
	struct open_ctx	c = { fn, arg, s };

	return store_query(s, "SELECT id, time, client, outcome, duration_s "
	    "FROM inquiry WHERE time > ?1 AND channel = 'operator' AND "
	    "completed = 0 ORDER BY id", (int64_t)since, 0, row_open, &c);
}

/* A text column, "" for NULL. */
static const char *
column_text(sqlite3_stmt *st, int i)
{
	const unsigned char	*t = sqlite3_column_text(st, i);

	return t != NULL ? (const char *)t : "";
}

struct open_alerts_ctx {
	void	(*fn)(int64_t, void *);
	void	*arg;
};

static int
row_open_alert(sqlite3_stmt *st, void *arg)
{
	struct open_alerts_ctx	*c = arg;

	c->fn(sqlite3_column_int64(st, 0), c->arg);
	return 0;
}

int
store_open_alerts(struct store *s, void (*fn)(int64_t, void *), void *arg)
{
	struct open_alerts_ctx	c = { fn, arg };

	return store_query(s, "SELECT id FROM alert WHERE acked_at IS NULL "
	    "ORDER BY id", 0, 0, row_open_alert, &c);
}

struct alerts_ctx {
	struct store_alert	*v;
	size_t			 n, cap;
};

static int
row_alert(sqlite3_stmt *st, void *arg)
{
	struct alerts_ctx	*c = arg;
	struct store_alert	*grown, *a;

	if (c->n == c->cap) {
		c->cap = c->cap ? c->cap * 2 : 16;
		if ((grown = reallocarray(c->v, c->cap, sizeof *grown)) ==
		    NULL)
			return -1;
		c->v = grown;
	}
	a = &c->v[c->n++];
	memset(a, 0, sizeof *a);
	a->id = sqlite3_column_int64(st, 0);
	a->time = (time_t)sqlite3_column_int64(st, 1);
	snprintf(a->client, sizeof a->client, "%s",
	    (const char *)sqlite3_column_text(st, 2));
	snprintf(a->role, sizeof a->role, "%s",
	    (const char *)sqlite3_column_text(st, 3));
	snprintf(a->kind, sizeof a->kind, "%s",
	    (const char *)sqlite3_column_text(st, 4));
	a->count = sqlite3_column_int(st, 5);
	a->window_s = sqlite3_column_int(st, 6);
	a->suspended = sqlite3_column_int(st, 7);
	if (sqlite3_column_type(st, 9) != SQLITE_NULL) {
		a->acked_at = (time_t)sqlite3_column_int64(st, 9);
		snprintf(a->acked_by, sizeof a->acked_by, "%s",
		    column_text(st, 8));
		snprintf(a->note, sizeof a->note, "%s", column_text(st, 10));
	}
	return 0;
}

int
store_alerts(struct store *s, time_t since, int unacked,
    struct store_alert **out, size_t *n)
{
	struct alerts_ctx	c = { NULL, 0, 0 };

	*out = NULL;
	*n = 0;
	if (store_query(s, "SELECT id, time, client, role, kind, count, "
	    "window_s, suspended, acked_by, acked_at, note FROM alert "
	    "WHERE time >= ?1 AND (?2 = 0 OR acked_at IS NULL) ORDER BY id",
	    (int64_t)since, unacked ? 1 : 0, row_alert, &c) == -1) {
		free(c.v);
		return -1;
	}
	*out = c.v;
	*n = c.n;
	return 0;
}
