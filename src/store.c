/*
 * hotline.db (schema in docs/STORAGE.md): opening, the group transaction,
 * inquiries, the IVR's caller counts, alerts and suspensions. Statements
 * are prepared once at open; every failure is logged with sqlite's
 * message and reported to the caller as -1, never to a client in detail.
 */
#include <sys/stat.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "store_int.h"

#define STR2(x)			#x
#define STR(x)			STR2(x)
#define STORE_VERSION_STR	STR(STORE_SCHEMA_VERSION)

static const char store_schema[] =
    "CREATE TABLE IF NOT EXISTS inquiry ("
    "  id INTEGER PRIMARY KEY,"
    "  time INTEGER NOT NULL,"
    "  channel TEXT NOT NULL,"
    "  client TEXT NOT NULL,"
    "  outcome TEXT NOT NULL,"
    "  duration_s INTEGER,"
    "  completed INTEGER NOT NULL DEFAULT 0);"
    "CREATE INDEX IF NOT EXISTS inquiry_time ON inquiry(time);"
    "CREATE TABLE IF NOT EXISTS inquiry_org ("
    "  inquiry INTEGER NOT NULL,"
    "  org TEXT NOT NULL,"
    "  PRIMARY KEY (inquiry, org)) WITHOUT ROWID;"
    "CREATE TABLE IF NOT EXISTS caller_lookup ("
    "  caller INTEGER NOT NULL,"
    "  time INTEGER NOT NULL);"
    "CREATE INDEX IF NOT EXISTS caller_lookup_caller"
    "  ON caller_lookup(caller, time);"
    "CREATE TABLE IF NOT EXISTS audit ("
    "  id INTEGER PRIMARY KEY,"
    "  time INTEGER NOT NULL,"
    "  client TEXT NOT NULL,"
    "  role TEXT NOT NULL,"
    "  method TEXT NOT NULL,"
    "  outcome TEXT NOT NULL,"
    "  args TEXT NOT NULL,"
    "  hash BLOB NOT NULL);"
    "CREATE TABLE IF NOT EXISTS alert ("
    "  id INTEGER PRIMARY KEY,"
    "  time INTEGER NOT NULL,"
    "  client TEXT NOT NULL,"
    "  role TEXT NOT NULL,"
    "  kind TEXT NOT NULL,"
    "  count INTEGER NOT NULL,"
    "  window_s INTEGER NOT NULL,"
    "  suspended INTEGER NOT NULL);"
    "CREATE INDEX IF NOT EXISTS alert_time ON alert(time);"
    "CREATE TABLE IF NOT EXISTS client_state ("
    "  client TEXT PRIMARY KEY,"
    "  suspended INTEGER NOT NULL,"
    "  since INTEGER NOT NULL) WITHOUT ROWID;"
    "CREATE TABLE IF NOT EXISTS stat_inquiry ("
    "  bucket INTEGER NOT NULL,"
    "  channel TEXT NOT NULL,"
    "  outcome TEXT NOT NULL,"
    "  n INTEGER NOT NULL,"
    "  dur_n INTEGER NOT NULL,"
    "  dur_sum INTEGER NOT NULL,"
    "  PRIMARY KEY (bucket, channel, outcome)) WITHOUT ROWID;"
    "CREATE TABLE IF NOT EXISTS stat_day ("
    "  day INTEGER NOT NULL,"
    "  channel TEXT NOT NULL,"
    "  outcome TEXT NOT NULL,"
    "  n INTEGER NOT NULL,"
    "  dur_n INTEGER NOT NULL,"
    "  dur_sum INTEGER NOT NULL,"
    "  PRIMARY KEY (day, channel, outcome)) WITHOUT ROWID;"
    "CREATE TABLE IF NOT EXISTS stat_org ("
    "  day INTEGER NOT NULL,"
    "  org TEXT NOT NULL,"
    "  n INTEGER NOT NULL,"
    "  affected INTEGER NOT NULL,"
    "  PRIMARY KEY (day, org)) WITHOUT ROWID;"
    "CREATE TABLE IF NOT EXISTS stat_client ("
    "  day INTEGER NOT NULL,"
    "  client TEXT NOT NULL,"
    "  role TEXT NOT NULL,"
    "  inquiries INTEGER NOT NULL,"
    "  lookups INTEGER NOT NULL,"
    "  searches INTEGER NOT NULL,"
    "  PRIMARY KEY (day, client, role)) WITHOUT ROWID;"
    "CREATE TABLE IF NOT EXISTS stat_sessions ("
    "  bucket INTEGER PRIMARY KEY,"
    "  peak INTEGER NOT NULL);";

static const char *store_sql[ST_COUNT] = {
	[ST_BEGIN] = "BEGIN IMMEDIATE",
	[ST_COMMIT] = "COMMIT",
	[ST_ROLLBACK] = "ROLLBACK",
	[ST_INQUIRY_ADD] = "INSERT INTO inquiry (time, channel, client, "
	    "outcome, duration_s, completed) VALUES (?, ?, ?, ?, ?, ?)",
	[ST_INQUIRY_ORG_ADD] = "INSERT OR IGNORE INTO inquiry_org "
	    "(inquiry, org) VALUES (?, ?)",
	[ST_INQUIRY_GET] = "SELECT time, channel, client, outcome, "
	    "duration_s, completed FROM inquiry WHERE id = ?",
	[ST_INQUIRY_ORGS] = "SELECT org FROM inquiry_org WHERE inquiry = ?",
	[ST_INQUIRY_COMPLETE] = "UPDATE inquiry SET outcome = ?, "
	    "duration_s = ?, completed = 1 WHERE id = ?",
	[ST_CALLER_COUNT] = "SELECT count(*) FROM caller_lookup "
	    "WHERE caller = ? AND time > ?",
	[ST_CALLER_ADD] = "INSERT INTO caller_lookup (caller, time) "
	    "VALUES (?, ?)",
	[ST_CALLER_EXPIRE] = "DELETE FROM caller_lookup WHERE time <= ?",
	[ST_ALERT_ADD] = "INSERT INTO alert (time, client, role, kind, count, "
	    "window_s, suspended) VALUES (?, ?, ?, ?, ?, ?, ?)",
	[ST_ALERTS] = "SELECT id, time, client, role, kind, count, window_s, "
	    "suspended FROM alert WHERE time >= ? ORDER BY id",
	[ST_CLIENT_SUSPEND] = "INSERT INTO client_state VALUES (?, ?, ?) "
	    "ON CONFLICT (client) DO UPDATE SET suspended = "
	    "excluded.suspended, since = excluded.since",
	[ST_CLIENTS_SUSPENDED] = "SELECT client FROM client_state "
	    "WHERE suspended = 1 ORDER BY client",
	[ST_AUDIT_ADD] = "INSERT INTO audit VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
	[ST_STAT_INQUIRY] = "INSERT INTO stat_inquiry VALUES (?, ?, ?, ?, ?, ?) "
	    "ON CONFLICT DO UPDATE SET n = n + excluded.n, "
	    "dur_n = dur_n + excluded.dur_n, "
	    "dur_sum = dur_sum + excluded.dur_sum",
	[ST_STAT_DAY] = "INSERT INTO stat_day VALUES (?, ?, ?, ?, ?, ?) "
	    "ON CONFLICT DO UPDATE SET n = n + excluded.n, "
	    "dur_n = dur_n + excluded.dur_n, "
	    "dur_sum = dur_sum + excluded.dur_sum",
	[ST_STAT_ORG] = "INSERT INTO stat_org VALUES (?, ?, ?, ?) "
	    "ON CONFLICT DO UPDATE SET n = n + excluded.n, "
	    "affected = affected + excluded.affected",
	[ST_STAT_CLIENT] = "INSERT INTO stat_client VALUES (?, ?, ?, ?, ?, ?) "
	    "ON CONFLICT DO UPDATE SET inquiries = inquiries + "
	    "excluded.inquiries, lookups = lookups + excluded.lookups, "
	    "searches = searches + excluded.searches",
	[ST_STAT_SESSIONS] = "INSERT INTO stat_sessions VALUES (?, ?) "
	    "ON CONFLICT DO UPDATE SET peak = max(peak, excluded.peak)",
};

/* Records that a write of this group failed: the group will roll back. */
void
store_failed(struct store *s, const char *what)
{
	log_warnx("hotline.db: %s: %s", what, sqlite3_errmsg(s->db));
	s->failed = 1;
}

struct store *
store_open(const char *data_dir, int sync_full, int readonly, char **err)
{
	struct store	*s;
	char		*path = NULL;
	char		 pragmas[256];
	int		 i, version = -1;
	sqlite3_stmt	*st;

	*err = NULL;
	if ((s = calloc(1, sizeof *s)) == NULL ||
	    asprintf(&path, "%s/hotline.db", data_dir) == -1) {
		free(s);
		*err = strdup("out of memory");
		return NULL;
	}
	s->readonly = readonly;
	if (sqlite3_open_v2(path, &s->db, readonly ? SQLITE_OPEN_READONLY :
	    SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
	    NULL) != SQLITE_OK)
		goto sqlerr;
	/* A reader in another process must not stall the event loop long. */
	sqlite3_busy_timeout(s->db, 200);
	if (sqlite3_prepare_v2(s->db, "PRAGMA user_version", -1, &st, NULL) ==
	    SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
		version = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	if (version == -1)
		goto sqlerr;
	if ((version != 0 || readonly) && version != STORE_SCHEMA_VERSION) {
		if (asprintf(err, "%s: schema version %d, this hotline "
		    "uses %d", path, version, STORE_SCHEMA_VERSION) == -1)
			*err = NULL;
		goto fail;
	}
	if (!readonly) {
		chmod(path, 0600);
		snprintf(pragmas, sizeof pragmas,
		    "PRAGMA journal_mode = WAL;"
		    "PRAGMA synchronous = %s;",
		    sync_full ? "FULL" : "NORMAL");
		if (sqlite3_exec(s->db, pragmas, NULL, NULL, NULL) !=
		    SQLITE_OK ||
		    sqlite3_exec(s->db, store_schema, NULL, NULL, NULL) !=
		    SQLITE_OK ||
		    sqlite3_exec(s->db, "PRAGMA user_version = "
		    STORE_VERSION_STR, NULL, NULL, NULL) != SQLITE_OK)
			goto sqlerr;
	}
	for (i = 0; i < ST_COUNT; i++)
		if (sqlite3_prepare_v3(s->db, store_sql[i], -1,
		    SQLITE_PREPARE_PERSISTENT, &s->st[i], NULL) != SQLITE_OK)
			goto sqlerr;
	if (store_audit_load(s) == -1)
		goto sqlerr;
	free(path);
	return s;
sqlerr:
	if (asprintf(err, "%s: %s", path, s->db ? sqlite3_errmsg(s->db) :
	    "cannot open") == -1)
		*err = NULL;
fail:
	if (*err == NULL)
		*err = strdup("out of memory");
	free(path);
	store_close(s);
	return NULL;
}

void
store_close(struct store *s)
{
	int	i;

	if (s == NULL)
		return;
	if (s->in_txn)
		(void)store_commit(s);
	for (i = 0; i < ST_COUNT; i++)
		sqlite3_finalize(s->st[i]);
	sqlite3_close(s->db);
	free(s);
}

int
store_exec_stmt(struct store *s, enum store_stmt which)
{
	sqlite3_stmt	*st = s->st[which];
	int		 rc;

	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		log_warnx("hotline.db: %s: %s", store_sql[which],
		    sqlite3_errmsg(s->db));
		return -1;
	}
	return 0;
}

/* Opens the group transaction on the first write after a commit. */
int
store_begin(struct store *s)
{
	if (s->readonly)
		return -1;
	if (s->in_txn)
		return s->failed ? -1 : 0;
	if (store_exec_stmt(s, ST_BEGIN) == -1)
		return -1;
	s->in_txn = 1;
	s->failed = 0;
	return 0;
}

static int
inquiry_org_add(struct store *s, int64_t id, const char *org)
{
	sqlite3_stmt	*st = s->st[ST_INQUIRY_ORG_ADD];
	int		 rc;

	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_text(st, 2, org, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return -1;
	return sqlite3_changes(s->db);
}

int64_t
store_inquiry_add(struct store *s, const struct inquiry_rec *q)
{
	sqlite3_stmt	*st = s->st[ST_INQUIRY_ADD];
	int64_t		 id;
	size_t		 i;
	int		 rc, added;

	if (store_begin(s) == -1)
		return -1;
	sqlite3_bind_int64(st, 1, (sqlite3_int64)q->time);
	sqlite3_bind_text(st, 2, inquiry_channel_name(q->channel), -1,
	    SQLITE_STATIC);
	sqlite3_bind_text(st, 3, q->client, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 4, inquiry_outcome_name(q->outcome), -1,
	    SQLITE_STATIC);
	if (q->duration_s >= 0)
		sqlite3_bind_int(st, 5, q->duration_s);
	else
		sqlite3_bind_null(st, 5);
	sqlite3_bind_int(st, 6, q->completed ? 1 : 0);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		store_failed(s, "inquiry");
		return -1;
	}
	id = sqlite3_last_insert_rowid(s->db);
	store_stats_inquiry(s, q->time, q->channel, q->outcome, 1,
	    q->duration_s);
	store_stats_client_inquiry(s, q->time, q->client, q->role);
	for (i = 0; i < q->norgs; i++) {
		if ((added = inquiry_org_add(s, id, q->orgs[i])) == -1) {
			store_failed(s, "inquiry organisation");
			return -1;
		}
		if (added)
			store_stats_org(s, q->time, q->orgs[i], 1,
			    q->outcome == OUTCOME_AFFECTED);
	}
	return id;
}

int
store_inquiry_complete(struct store *s, int64_t id, const char *client,
    enum outcome outcome, int duration_s, const char *const *orgs,
    size_t norgs)
{
	sqlite3_stmt	*st = s->st[ST_INQUIRY_GET];
	enum outcome	 old;
	time_t		 t;
	char		 org[33];
	size_t		 i;
	int		 rc, mine, was_affected, is_affected, added, delta;
	int		 old_dur;

	if (store_begin(s) == -1)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	if ((rc = sqlite3_step(st)) != SQLITE_ROW) {
		sqlite3_reset(st);
		if (rc == SQLITE_DONE)
			return 1;
		store_failed(s, "inquiry");
		return -1;
	}
	t = (time_t)sqlite3_column_int64(st, 0);
	mine = strcmp((const char *)sqlite3_column_text(st, 1), "operator") ==
	    0 && strcmp((const char *)sqlite3_column_text(st, 2), client) ==
	    0 && sqlite3_column_int(st, 5) == 0 &&
	    inquiry_outcome_parse((const char *)sqlite3_column_text(st, 3),
	    &old) == 0;
	old_dur = sqlite3_column_type(st, 4) == SQLITE_NULL ? -1 :
	    sqlite3_column_int(st, 4);
	sqlite3_reset(st);
	if (!mine)
		return 1;

	st = s->st[ST_INQUIRY_COMPLETE];
	sqlite3_bind_text(st, 1, inquiry_outcome_name(outcome), -1,
	    SQLITE_STATIC);
	if (duration_s >= 0)
		sqlite3_bind_int(st, 2, duration_s);
	else
		sqlite3_bind_null(st, 2);
	sqlite3_bind_int64(st, 3, id);
	if (sqlite3_step(st) != SQLITE_DONE) {
		sqlite3_reset(st);
		store_failed(s, "inquiry completion");
		return -1;
	}
	sqlite3_reset(st);
	/* The counters move the inquiry, at its own time, to its new outcome. */
	store_stats_inquiry(s, t, CHANNEL_OPERATOR, old, -1, old_dur);
	store_stats_inquiry(s, t, CHANNEL_OPERATOR, outcome, 1, duration_s);
	was_affected = old == OUTCOME_AFFECTED;
	is_affected = outcome == OUTCOME_AFFECTED;
	if (was_affected != is_affected) {
		delta = is_affected ? 1 : -1;
		st = s->st[ST_INQUIRY_ORGS];
		sqlite3_bind_int64(st, 1, id);
		while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
			snprintf(org, sizeof org, "%s",
			    (const char *)sqlite3_column_text(st, 0));
			store_stats_org(s, t, org, 0, delta);
		}
		sqlite3_reset(st);
		if (rc != SQLITE_DONE) {
			store_failed(s, "inquiry organisations");
			return -1;
		}
	}
	for (i = 0; i < norgs; i++) {
		if ((added = inquiry_org_add(s, id, orgs[i])) == -1) {
			store_failed(s, "inquiry organisation");
			return -1;
		}
		if (added)
			store_stats_org(s, t, orgs[i], 1, is_affected);
	}
	return 0;
}

int
store_caller_lookups(struct store *s, int64_t caller, time_t since)
{
	sqlite3_stmt	*st = s->st[ST_CALLER_COUNT];
	int		 n = -1;

	sqlite3_bind_int64(st, 1, caller);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)since);
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int(st, 0);
	else
		log_warnx("hotline.db: caller count: %s",
		    sqlite3_errmsg(s->db));
	sqlite3_reset(st);
	return n;
}

int
store_caller_lookup_add(struct store *s, int64_t caller, time_t t)
{
	sqlite3_stmt	*st = s->st[ST_CALLER_ADD];

	if (store_begin(s) == -1)
		return -1;
	sqlite3_bind_int64(st, 1, caller);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)t);
	if (store_exec_stmt(s, ST_CALLER_ADD) == -1) {
		s->failed = 1;
		return -1;
	}
	return 0;
}

int
store_caller_expire(struct store *s, time_t before)
{
	sqlite3_stmt	*st = s->st[ST_CALLER_EXPIRE];

	if (store_begin(s) == -1)
		return -1;
	sqlite3_bind_int64(st, 1, (sqlite3_int64)before);
	if (store_exec_stmt(s, ST_CALLER_EXPIRE) == -1) {
		s->failed = 1;
		return -1;
	}
	return 0;
}

int64_t
store_alert_add(struct store *s, const struct store_alert *a)
{
	sqlite3_stmt	*st = s->st[ST_ALERT_ADD];

	if (store_begin(s) == -1)
		return -1;
	sqlite3_bind_int64(st, 1, (sqlite3_int64)a->time);
	sqlite3_bind_text(st, 2, a->client, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 3, a->role, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 4, a->kind, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(st, 5, a->count);
	sqlite3_bind_int(st, 6, a->window_s);
	sqlite3_bind_int(st, 7, a->suspended);
	if (store_exec_stmt(s, ST_ALERT_ADD) == -1) {
		s->failed = 1;
		return -1;
	}
	return sqlite3_last_insert_rowid(s->db);
}

int
store_alerts(struct store *s, time_t since, struct store_alert **out,
    size_t *n)
{
	sqlite3_stmt		*st = s->st[ST_ALERTS];
	struct store_alert	*v = NULL, *grown, *a;
	size_t			 cap = 0;
	int			 rc;

	*out = NULL;
	*n = 0;
	sqlite3_bind_int64(st, 1, (sqlite3_int64)since);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (*n == cap) {
			cap = cap ? cap * 2 : 16;
			if ((grown = reallocarray(v, cap, sizeof *v)) == NULL) {
				rc = SQLITE_NOMEM;
				break;
			}
			v = grown;
		}
		a = &v[(*n)++];
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
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		log_warnx("hotline.db: alerts: %s", sqlite3_errmsg(s->db));
		free(v);
		*n = 0;
		return -1;
	}
	*out = v;
	return 0;
}

int
store_client_suspend(struct store *s, const char *client, int on, time_t t)
{
	sqlite3_stmt	*st = s->st[ST_CLIENT_SUSPEND];

	if (store_begin(s) == -1)
		return -1;
	sqlite3_bind_text(st, 1, client, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(st, 2, on ? 1 : 0);
	sqlite3_bind_int64(st, 3, (sqlite3_int64)t);
	if (store_exec_stmt(s, ST_CLIENT_SUSPEND) == -1) {
		s->failed = 1;
		return -1;
	}
	return 0;
}

int
store_clients_suspended(struct store *s, void (*fn)(const char *, void *),
    void *arg)
{
	sqlite3_stmt	*st = s->st[ST_CLIENTS_SUSPENDED];
	int		 rc;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		fn((const char *)sqlite3_column_text(st, 0), arg);
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

int
store_dirty(const struct store *s)
{
	return s->in_txn || s->ninq || s->norg || s->nclient || s->peak_dirty;
}

int
store_commit(struct store *s)
{
	int	rc = 0;

	if (!s->in_txn && store_dirty(s) && store_begin(s) == -1)
		rc = -1;
	if (!s->in_txn) {
		store_stats_discard(s);
		store_audit_committed(s, 0);
		return rc;
	}
	/* The counters of this group go into its own transaction. */
	if (store_stats_flush(s) == -1)
		s->failed = 1;
	if (s->failed || store_exec_stmt(s, ST_COMMIT) == -1) {
		/* sqlite may already have rolled back; then this fails too. */
		if (!sqlite3_get_autocommit(s->db))
			(void)store_exec_stmt(s, ST_ROLLBACK);
		rc = -1;
	}
	store_stats_discard(s);
	store_audit_committed(s, rc == 0);
	s->in_txn = 0;
	s->failed = 0;
	s->commit_failed = rc != 0;
	return rc;
}

int
store_commit_failed(const struct store *s)
{
	return s->commit_failed;
}
