/*
 * hotline.db's bottom layer (schema in docs/STORAGE.md): the connection,
 * the schema, the statements — prepared once at open — and the only
 * code that begins, executes and commits. Every failure is logged with
 * sqlite's message and reported to the caller as -1, never to a client in
 * detail.
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

/* How long a statement waits for a lock another process holds. */
#define STORE_BUSY_MS		200

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
    "  suspended INTEGER NOT NULL,"
    "  acked_by TEXT,"
    "  acked_at INTEGER,"
    "  note TEXT);"
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

/*
 * What turns a file of version N into N + 1, in place, at open: the
 * oldest file this hotline opens is version STORE_MIGRATE_FROM.
 */
#define STORE_MIGRATE_FROM	2
static const char *const store_migrations[STORE_SCHEMA_VERSION] = {
	[2] = "ALTER TABLE alert ADD COLUMN acked_by TEXT;"
	    "ALTER TABLE alert ADD COLUMN acked_at INTEGER;"
	    "ALTER TABLE alert ADD COLUMN note TEXT;",
};

static const char *store_sql[ST_COUNT] = {
	[ST_BEGIN] = "BEGIN IMMEDIATE",
	[ST_COMMIT] = "COMMIT",
	[ST_ROLLBACK] = "ROLLBACK",
	[ST_INQUIRY_ADD] = "INSERT INTO inquiry (id, time, channel, client, "
	    "outcome, duration_s, completed) VALUES (?, ?, ?, ?, ?, ?, ?)",
	[ST_INQUIRY_ORG_ADD] = "INSERT OR IGNORE INTO inquiry_org "
	    "(inquiry, org) VALUES (?, ?)",
	[ST_INQUIRY_COMPLETE] = "UPDATE inquiry SET outcome = ?, "
	    "duration_s = ?, completed = 1 WHERE id = ?",
	[ST_CALLER_ADD] = "INSERT INTO caller_lookup (caller, time) "
	    "VALUES (?, ?)",
	[ST_CALLER_EXPIRE] = "DELETE FROM caller_lookup WHERE time <= ?",
	[ST_ALERT_ADD] = "INSERT INTO alert (id, time, client, role, kind, "
	    "count, window_s, suspended) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
	[ST_ALERT_ACK] = "UPDATE alert SET acked_by = ?, acked_at = ?, "
	    "note = ? WHERE id = ? AND acked_at IS NULL",
	[ST_CLIENT_SUSPEND] = "INSERT INTO client_state VALUES (?, ?, ?) "
	    "ON CONFLICT (client) DO UPDATE SET suspended = "
	    "excluded.suspended, since = excluded.since",
	[ST_AUDIT_ADD] = "INSERT INTO audit VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
	[ST_AUDIT_LAST] = "SELECT id, hash FROM audit ORDER BY id DESC LIMIT 1",
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

void
store_error(struct store *s, const char *what)
{
	log_warnx("hotline.db: %s: %s", what, sqlite3_errmsg(s->db));
}

/*
 * Brings a file of an older version up to this one, in one transaction:
 * a failure leaves it as it was.
 */
static int
store_migrate(sqlite3 *db, int version)
{
	int	v;

	if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
		return -1;
	for (v = version; v < STORE_SCHEMA_VERSION; v++)
		if (sqlite3_exec(db, store_migrations[v], NULL, NULL, NULL) !=
		    SQLITE_OK)
			goto fail;
	if (sqlite3_exec(db, "PRAGMA user_version = " STORE_VERSION_STR,
	    NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
		goto fail;
	log_info("hotline.db: schema version %d upgraded to %d", version,
	    STORE_SCHEMA_VERSION);
	return 0;
fail:
	log_warnx("hotline.db: upgrade from version %d: %s", version,
	    sqlite3_errmsg(db));
	(void)sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	return -1;
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
	sqlite3_busy_timeout(s->db, STORE_BUSY_MS);
	if (sqlite3_prepare_v2(s->db, "PRAGMA user_version", -1, &st, NULL) ==
	    SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
		version = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	if (version == -1)
		goto sqlerr;
	if ((version != 0 || readonly) && version != STORE_SCHEMA_VERSION &&
	    (readonly || version < STORE_MIGRATE_FROM ||
	    version > STORE_SCHEMA_VERSION)) {
		if (asprintf(err, "%s: schema version %d, this hotline "
		    "uses %d%s", path, version, STORE_SCHEMA_VERSION,
		    version >= STORE_MIGRATE_FROM &&
		    version < STORE_SCHEMA_VERSION ? " (hotlined upgrades it "
		    "when it starts)" : "") == -1)
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
		    (version != 0 && version < STORE_SCHEMA_VERSION &&
		    store_migrate(s->db, version) == -1) ||
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
		store_rollback(s);
	store_wal_stop(s);
	for (i = 0; i < ST_COUNT; i++)
		sqlite3_finalize(s->st[i]);
	sqlite3_close(s->db);
	free(s);
}

void
store_busy_timeout(struct store *s, int ms)
{
	sqlite3_busy_timeout(s->db, ms);
}

void
store_interrupt(struct store *s)
{
	sqlite3_interrupt(s->db);
}

int
store_exec(struct store *s, enum store_stmt which)
{
	sqlite3_stmt	*st = s->st[which];
	int		 rc;

	rc = sqlite3_step(st);
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	if (rc != SQLITE_DONE) {
		log_warnx("hotline.db: %s: %s", store_sql[which],
		    sqlite3_errmsg(s->db));
		return -1;
	}
	return 0;
}

int
store_begin(struct store *s)
{
	if (s->readonly || s->in_txn)
		return -1;
	if (store_exec(s, ST_BEGIN) == -1)
		return -1;
	s->in_txn = 1;
	return 0;
}

int
store_commit(struct store *s)
{
	if (!s->in_txn)
		return -1;
	if (store_exec(s, ST_COMMIT) == -1) {
		store_rollback(s);
		return -1;
	}
	s->in_txn = 0;
	return 0;
}

void
store_rollback(struct store *s)
{
	/* sqlite may already have rolled back (a full disk); then so be it. */
	if (!sqlite3_get_autocommit(s->db))
		(void)store_exec(s, ST_ROLLBACK);
	s->in_txn = 0;
}

int
store_query(struct store *s, const char *sql, int64_t a, int64_t b,
    int (*fn)(sqlite3_stmt *, void *), void *arg)
{
	sqlite3_stmt	*st;
	int		 rc;

	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK) {
		store_error(s, "query");
		return -1;
	}
	if (sqlite3_bind_parameter_count(st) >= 1)
		sqlite3_bind_int64(st, 1, a);
	if (sqlite3_bind_parameter_count(st) >= 2)
		sqlite3_bind_int64(st, 2, b);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		if (fn(st, arg) == -1) {
			rc = SQLITE_NOMEM;
			break;
		}
	if (rc != SQLITE_DONE)
		store_error(s, "query");
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : -1;
}
