/*
 * hotline.db (schema in docs/STORAGE.md). Statements are prepared once at
 * open; every failure is logged with sqlite's message and reported to the
 * caller as -1, never to a client in detail.
 */
#include <sys/stat.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "log.h"
#include "store.h"

static const char store_schema[] =
    "CREATE TABLE IF NOT EXISTS inquiry ("
    "  id INTEGER PRIMARY KEY,"
    "  time INTEGER NOT NULL,"
    "  channel TEXT NOT NULL,"
    "  client TEXT NOT NULL,"
    "  outcome TEXT NOT NULL,"
    "  duration_s INTEGER);"
    "CREATE INDEX IF NOT EXISTS inquiry_time ON inquiry(time);"
    "CREATE TABLE IF NOT EXISTS inquiry_org ("
    "  inquiry INTEGER NOT NULL REFERENCES inquiry(id),"
    "  org TEXT NOT NULL,"
    "  PRIMARY KEY (inquiry, org)) WITHOUT ROWID;"
    "CREATE TABLE IF NOT EXISTS caller_lookup ("
    "  caller INTEGER NOT NULL,"
    "  time INTEGER NOT NULL);"
    "CREATE INDEX IF NOT EXISTS caller_lookup_caller"
    "  ON caller_lookup(caller, time);";

enum store_stmt {
	ST_BEGIN = 0,
	ST_COMMIT,
	ST_ROLLBACK,
	ST_INQUIRY_ADD,
	ST_INQUIRY_ORG_ADD,
	ST_CALLER_COUNT,
	ST_CALLER_ADD,
	ST_CALLER_EXPIRE,
	ST_COUNT,
};

static const char *store_sql[ST_COUNT] = {
	"BEGIN IMMEDIATE",
	"COMMIT",
	"ROLLBACK",
	"INSERT INTO inquiry (time, channel, client, outcome, duration_s) "
	    "VALUES (?, ?, ?, ?, ?)",
	"INSERT OR IGNORE INTO inquiry_org (inquiry, org) VALUES (?, ?)",
	"SELECT count(*) FROM caller_lookup WHERE caller = ? AND time > ?",
	"INSERT INTO caller_lookup (caller, time) VALUES (?, ?)",
	"DELETE FROM caller_lookup WHERE time <= ?",
};

struct store {
	sqlite3		*db;
	sqlite3_stmt	*st[ST_COUNT];
	int		 in_txn;
	int		 failed;	/* a write of this group failed */
};

static int	store_exec_stmt(struct store *, enum store_stmt);
static int	store_begin(struct store *);

struct store *
store_open(const char *data_dir, int sync_full, char **err)
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
	if (sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK)
		goto sqlerr;
	chmod(path, 0600);
	snprintf(pragmas, sizeof pragmas,
	    "PRAGMA journal_mode = WAL;"
	    "PRAGMA synchronous = %s;"
	    "PRAGMA foreign_keys = OFF;",
	    sync_full ? "FULL" : "NORMAL");
	/* A reader (hotlinectl stats) must not stall the event loop long. */
	sqlite3_busy_timeout(s->db, 200);
	if (sqlite3_exec(s->db, pragmas, NULL, NULL, NULL) != SQLITE_OK)
		goto sqlerr;
	if (sqlite3_prepare_v2(s->db, "PRAGMA user_version", -1, &st, NULL) ==
	    SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
		version = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	if (version != 0 && version != STORE_SCHEMA_VERSION) {
		if (asprintf(err, "%s: schema version %d, this hotline writes "
		    "%d", path, version, STORE_SCHEMA_VERSION) == -1)
			*err = NULL;
		goto fail;
	}
	if (sqlite3_exec(s->db, store_schema, NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_exec(s->db, "PRAGMA user_version = 1", NULL, NULL, NULL) !=
	    SQLITE_OK)
		goto sqlerr;
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
		(void)store_commit(s);
	for (i = 0; i < ST_COUNT; i++)
		sqlite3_finalize(s->st[i]);
	sqlite3_close(s->db);
	free(s);
}

static int
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
static int
store_begin(struct store *s)
{
	if (s->in_txn)
		return s->failed ? -1 : 0;
	if (store_exec_stmt(s, ST_BEGIN) == -1)
		return -1;
	s->in_txn = 1;
	s->failed = 0;
	return 0;
}

int64_t
store_inquiry_add(struct store *s, const struct inquiry_rec *q)
{
	sqlite3_stmt	*st = s->st[ST_INQUIRY_ADD];
	int64_t		 id;
	size_t		 i;
	int		 rc;

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
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		goto fail;
	id = sqlite3_last_insert_rowid(s->db);
	st = s->st[ST_INQUIRY_ORG_ADD];
	for (i = 0; i < q->norgs; i++) {
		sqlite3_bind_int64(st, 1, id);
		sqlite3_bind_text(st, 2, q->orgs[i], -1, SQLITE_TRANSIENT);
		rc = sqlite3_step(st);
		sqlite3_reset(st);
		if (rc != SQLITE_DONE)
			goto fail;
	}
	return id;
fail:
	log_warnx("hotline.db: inquiry: %s", sqlite3_errmsg(s->db));
	s->failed = 1;
	return -1;
}

int
store_dirty(const struct store *s)
{
	return s->in_txn;
}

int
store_commit(struct store *s)
{
	int	rc = 0;

	if (!s->in_txn)
		return 0;
	if (s->failed || store_exec_stmt(s, ST_COMMIT) == -1) {
		/* sqlite may already have rolled back; then this fails too. */
		if (!sqlite3_get_autocommit(s->db))
			(void)store_exec_stmt(s, ST_ROLLBACK);
		rc = -1;
	}
	s->in_txn = 0;
	s->failed = 0;
	return rc;
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
	int		 rc;

	if (store_begin(s) == -1)
		return -1;
	sqlite3_bind_int64(st, 1, caller);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)t);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		log_warnx("hotline.db: caller lookup: %s",
		    sqlite3_errmsg(s->db));
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
