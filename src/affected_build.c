/*
 * Write side of affected.db (schema and byte layout in docs/STORAGE.md).
 *
 * The two match keys each have a table, lookup (phone + birthdate:
 * organisation and items) and search (kana + birthdate: organisation,
 * items and verification hashes), laid out as hash tables in a B-tree:
 * a row holds the entries of one bucket (the key's top bits) from one run
 * of the import, as a BLOB. Entries are gathered in memory, sorted, and
 * written a bucket at a time, so that a million rows are some hundred
 * thousand sqlite inserts instead of two million; sqlite's per-insert
 * cost, not hashing, is what bounds an import.
 *
 * The build runs without journal or syncs into a private file, with a
 * fixed page cache and runs of a fixed size: memory does not grow with
 * the list.
 */
#include <sys/file.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "affected.h"
#include "affected_build.h"
#include "crypto.h"
#include "hasher.h"

#define STR2(x)	#x
#define STR(x)	STR2(x)

/* Page cache of the build in KiB: bounds memory, whatever the list size. */
#define BUILD_CACHE_KIB	65536

/*
 * Entries of a table gathered before a run is written: 2^20, so that a
 * full run fills each of the 2^17 buckets with about eight entries, and
 * memory stays near 72 MiB a table whatever the list's size.
 */
#define BUILD_RUN_ENTRIES	(1u << 20)

static const char build_schema[] =
    "CREATE TABLE meta ("
    "  key TEXT PRIMARY KEY,"
    "  value TEXT NOT NULL);"
    "CREATE TABLE org ("
    "  id INTEGER PRIMARY KEY,"
    "  code TEXT NOT NULL UNIQUE,"
    "  name TEXT NOT NULL,"
    "  kind TEXT NOT NULL,"
    "  service TEXT NOT NULL,"
    "  period_from TEXT NOT NULL,"
    "  period_to TEXT NOT NULL,"
    "  contact_name TEXT NOT NULL,"
    "  contact_phone TEXT NOT NULL,"
    "  contact_hours TEXT NOT NULL,"
    "  status_note TEXT NOT NULL,"
    "  name_en TEXT NOT NULL,"
    "  service_en TEXT NOT NULL,"
    "  contact_name_en TEXT NOT NULL,"
    "  contact_hours_en TEXT NOT NULL,"
    "  status_note_en TEXT NOT NULL);"
    "CREATE TABLE lookup ("
    "  slot INTEGER PRIMARY KEY,"
    "  entries BLOB NOT NULL);"
    "CREATE TABLE search ("
    "  slot INTEGER PRIMARY KEY,"
    "  entries BLOB NOT NULL);"
    "INSERT INTO org VALUES (0, 'unknown', '', 'unknown', '', '', '', '',"
    "  '', '', '', '', '', '', '', '');";

enum build_stmt {
	BS_ORG = 0,
	BS_LOOKUP,
	BS_SEARCH,
	BS_COUNT,
};

static const char *build_sql[BS_COUNT] = {
	/* One placeholder a column: code ... status_note_en (16). */
	[BS_ORG] = ("INSERT INTO org VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
	    "?, ?, ?, ?, ?)"),
	[BS_LOOKUP] = "INSERT INTO lookup VALUES (?, ?)",
	[BS_SEARCH] = "INSERT INTO search VALUES (?, ?)",
};

struct run {
	enum build_stmt		 which;
	size_t			 entry_size;
	struct affected_entry	*v;
	size_t			 n;
	size_t			 cap;
	int			 number;	/* runs written so far */
	unsigned char		*blob;		/* one bucket's entries */
	size_t			 blob_cap;
};

struct affected_build {
	char		*dir;
	char		*tmp_path;
	char		*final_path;
	int		 lock_fd;
	sqlite3		*db;
	sqlite3_stmt	*st[BS_COUNT];
	int64_t		 next_org;
	int64_t		 rows;
	struct run	 lookup;
	struct run	 search;
	char		 key_id[HASHER_KEY_ID_SIZE];
};

static int	build_errf(char **, const char *, ...)
		    __attribute__((format(printf, 2, 3)));
static int	build_sqlerr(struct affected_build *, const char *, char **);
static int	build_meta(struct affected_build *, const char *, const char *);
static int64_t	count_keys(struct affected_build *, struct run *,
		    const char *);
static int	fsync_path(const char *, int);
static int	run_flush(struct affected_build *, struct run *, char **);

static int
build_errf(char **err, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	if (vasprintf(err, fmt, ap) == -1)
		*err = NULL;
	va_end(ap);
	return -1;
}

static int
build_sqlerr(struct affected_build *b, const char *what, char **err)
{
	return build_errf(err, "%s: %s: %s", b->tmp_path, what,
	    sqlite3_errmsg(b->db));
}

struct affected_build *
affected_build_begin(const char *dir, const char *key_id, char **err)
{
	struct affected_build	*b;
	char			*lock_path = NULL;
	int			 i;

	*err = NULL;
	if ((b = calloc(1, sizeof *b)) == NULL)
		goto nomem;
	b->lock_fd = -1;
	snprintf(b->key_id, sizeof b->key_id, "%s", key_id);
	if ((b->dir = strdup(dir)) == NULL ||
	    asprintf(&b->tmp_path, "%s/affected.db.new", dir) == -1 ||
	    asprintf(&b->final_path, "%s/affected.db", dir) == -1)
		goto nomem;
	/*
	 * One import at a time: the lock is on the data directory itself,
	 * so that no lock file is left behind (and none can be taken over
	 * while it is being removed).
	 */
	b->lock_fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (b->lock_fd == -1) {
		build_errf(err, "%s: %s", dir, strerror(errno));
		goto fail;
	}
	if (flock(b->lock_fd, LOCK_EX | LOCK_NB) == -1) {
		build_errf(err, "%s: another import is running", dir);
		goto fail;
	}
	/* An earlier version's lock file has no use any more. */
	if (asprintf(&lock_path, "%s/import.lock", dir) != -1)
		(void)unlink(lock_path);
	free(lock_path);
	lock_path = NULL;
	/* A file left by an interrupted import is ours to replace. */
	if (unlink(b->tmp_path) == -1 && errno != ENOENT) {
		build_errf(err, "%s: %s", b->tmp_path, strerror(errno));
		goto fail;
	}
	if (sqlite3_open_v2(b->tmp_path, &b->db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		build_sqlerr(b, "open", err);
		goto fail;
	}
	chmod(b->tmp_path, 0600);
	if (sqlite3_exec(b->db,
	    "PRAGMA journal_mode = OFF;"
	    "PRAGMA synchronous = OFF;"
	    "PRAGMA locking_mode = EXCLUSIVE;"
	    "PRAGMA temp_store = FILE;"
	    "PRAGMA cache_size = -" STR(BUILD_CACHE_KIB) ";"
	    "PRAGMA application_id = " STR(AFFECTED_APPLICATION_ID) ";"
	    "PRAGMA user_version = " STR(AFFECTED_SCHEMA_VERSION) ";",
	    NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_exec(b->db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_exec(b->db, build_schema, NULL, NULL, NULL) != SQLITE_OK) {
		build_sqlerr(b, "schema", err);
		goto fail;
	}
	for (i = 0; i < BS_COUNT; i++)
		if (sqlite3_prepare_v2(b->db, build_sql[i], -1, &b->st[i],
		    NULL) != SQLITE_OK) {
			build_sqlerr(b, "prepare", err);
			goto fail;
		}
	b->next_org = 1;
	b->lookup.which = BS_LOOKUP;
	b->lookup.entry_size = AFFECTED_LOOKUP_ENTRY;
	b->search.which = BS_SEARCH;
	b->search.entry_size = AFFECTED_SEARCH_ENTRY;
	return b;
nomem:
	*err = strdup("out of memory");
fail:
	free(lock_path);
	affected_build_abort(b);
	return NULL;
}

int
affected_build_org(struct affected_build *b, const struct org *o, char **err)
{
	sqlite3_stmt	*st = b->st[BS_ORG];
	const char	*text[] = { o->code, o->name, o->kind, o->service,
	    o->period_from, o->period_to, o->contact_name, o->contact_phone,
	    o->contact_hours, o->status_note, o->name_en, o->service_en,
	    o->contact_name_en, o->contact_hours_en, o->status_note_en };
	int		 i, rc;

	sqlite3_bind_int64(st, 1, b->next_org);
	for (i = 0; i < (int)(sizeof text / sizeof text[0]); i++)
		sqlite3_bind_text(st, i + 2, text[i] ? text[i] : "", -1,
		    SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return build_sqlerr(b, "organisation", err);
	b->next_org++;
	return 0;
}

/* Orders a bucket's entries by key, then organisation. */
static int
entry_cmp(const struct affected_entry *x, const struct affected_entry *y)
{
	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	if (x->org != y->org)
		return x->org < y->org ? -1 : 1;
	return 0;
}

/*
 * Sorts one bucket's entries (a handful: insertion sort) and writes them
 * as one row. Each record keeps its own entry in both tables, even a
 * person listed twice by one organisation: lookups fold them into one
 * match per organisation anyway, and the match job counts records.
 */
static int
run_put_bucket(struct affected_build *b, struct run *r, int64_t bucket,
    struct affected_entry *v, size_t n, char **err)
{
	sqlite3_stmt		*st = b->st[r->which];
	struct affected_entry	 t;
	unsigned char		*p;
	size_t			 i, j, len = 0;
	int			 rc, search = r->which == BS_SEARCH;

	for (i = 1; i < n; i++) {
		t = v[i];
		for (j = i; j > 0 && entry_cmp(&v[j - 1], &t) > 0; j--)
			v[j] = v[j - 1];
		v[j] = t;
	}
	if (n * r->entry_size > r->blob_cap) {
		if ((p = realloc(r->blob, n * r->entry_size * 2)) == NULL)
			return build_errf(err, "out of memory");
		r->blob = p;
		r->blob_cap = n * r->entry_size * 2;
	}
	for (i = 0; i < n; i++) {
		affected_entry_put(r->blob + len, &v[i], search);
		len += r->entry_size;
	}
	sqlite3_bind_int64(st, 1, affected_slot(bucket, r->number));
	sqlite3_bind_blob(st, 2, r->blob, (int)len, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return build_sqlerr(b, "key table", err);
	return 0;
}

/*
 * Writes a run a bucket at a time, in bucket order: a counting sort by
 * bucket (two passes over the run) puts each bucket's entries together.
 */
static int
run_flush(struct affected_build *b, struct run *r, char **err)
{
	uint32_t		*count = NULL, *order = NULL;
	struct affected_entry	*group = NULL, *grown;
	size_t			 nbuckets = (size_t)1 << AFFECTED_BUCKET_BITS;
	size_t			 i, k, n, cap = 0;
	int			 rc = -1;

	if (r->n == 0)
		return 0;
	if (r->number == AFFECTED_RUNS_MAX)
		return build_errf(err, "list too large: more than %d runs of "
		    "%u rows", AFFECTED_RUNS_MAX, BUILD_RUN_ENTRIES);
	if ((count = calloc(nbuckets + 1, sizeof *count)) == NULL ||
	    (order = reallocarray(NULL, r->n, sizeof *order)) == NULL) {
		build_errf(err, "out of memory");
		goto out;
	}
	for (i = 0; i < r->n; i++)
		count[affected_bucket(r->v[i].key) + 1]++;
	for (k = 1; k <= nbuckets; k++)
		count[k] += count[k - 1];
	for (i = 0; i < r->n; i++)
		order[count[affected_bucket(r->v[i].key)]++] = (uint32_t)i;
	/* count[k] now ends bucket k; bucket k starts where k - 1 ends. */
	for (k = 0, i = 0; k < nbuckets; k++) {
		n = count[k] - i;
		if (n == 0)
			continue;
		if (n > cap) {
			cap = n * 2;
			if ((grown = reallocarray(group, cap,
			    sizeof *group)) == NULL) {
				build_errf(err, "out of memory");
				goto out;
			}
			group = grown;
		}
		for (n = 0; i < count[k]; i++)
			group[n++] = r->v[order[i]];
		if (run_put_bucket(b, r, (int64_t)k, group, n, err) == -1)
			goto out;
	}
	r->n = 0;
	r->number++;
	rc = 0;
out:
	free(count);
	free(order);
	free(group);
	return rc;
}

/* Appends to a run, writing it when full. */
static int
run_add(struct affected_build *b, struct run *r,
    const struct affected_entry *e, char **err)
{
	struct affected_entry	*v;
	size_t			 cap;

	if (r->n == r->cap) {
		cap = r->cap == 0 ? 4096 : r->cap * 2;
		if (cap > BUILD_RUN_ENTRIES)
			cap = BUILD_RUN_ENTRIES;
		if ((v = reallocarray(r->v, cap, sizeof *v)) == NULL)
			return build_errf(err, "out of memory");
		r->v = v;
		r->cap = cap;
	}
	r->v[r->n++] = *e;
	if (r->n == BUILD_RUN_ENTRIES)
		return run_flush(b, r, err);
	return 0;
}

int
affected_build_row(struct affected_build *b, const struct build_row *r,
    char **err)
{
	struct affected_entry	e;

	memset(&e, 0, sizeof e);
	e.org = r->org;
	e.items = r->items;
	if (r->has & BUILD_HAS_LOOKUP) {
		e.key = r->lookup_key;
		if (run_add(b, &b->lookup, &e, err) == -1)
			return -1;
	}
	if (r->has & BUILD_HAS_SEARCH) {
		e.key = r->search_key;
		e.has = r->has & (BUILD_HAS_GENDER | BUILD_HAS_POSTAL |
		    BUILD_HAS_ADDRESS | BUILD_HAS_PHONE);
		e.h[0] = r->gender_h;
		e.h[1] = r->postal_h;
		e.h[2] = r->address_h;
		e.h[3] = r->phone_h;
		if (run_add(b, &b->search, &e, err) == -1)
			return -1;
	}
	b->rows++;
	return 0;
}

static int
key_cmp(const void *a, const void *b)
{
	int64_t	x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * Distinct keys of a table, by one scan in slot order: the rows of a
 * bucket are adjacent, and a key lives in one bucket.
 */
static int64_t
count_keys(struct affected_build *b, struct run *r, const char *table)
{
	sqlite3_stmt		*st;
	struct affected_entry	 e;
	const unsigned char	*blob;
	char			 sql[64];
	int64_t			*keys = NULL, *grown, n = 0, bucket = -1, cur;
	size_t			 nk = 0, cap = 0, len, off, i;
	int			 rc;

	snprintf(sql, sizeof sql, "SELECT slot, entries FROM %s ORDER BY "
	    "slot", table);
	if (sqlite3_prepare_v2(b->db, sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	for (;;) {
		rc = sqlite3_step(st);
		cur = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) >>
		    AFFECTED_RUN_BITS : -2;
		if (cur != bucket) {
			if (nk > 1)
				qsort(keys, nk, sizeof *keys, key_cmp);
			for (i = 0; i < nk; i++)
				n += i == 0 || keys[i] != keys[i - 1];
			nk = 0;
			bucket = cur;
		}
		if (rc != SQLITE_ROW)
			break;
		blob = sqlite3_column_blob(st, 1);
		len = (size_t)sqlite3_column_bytes(st, 1);
		for (off = 0; off + r->entry_size <= len;
		    off += r->entry_size) {
			if (nk == cap) {
				cap = cap ? cap * 2 : 256;
				if ((grown = reallocarray(keys, cap,
				    sizeof *keys)) == NULL) {
					n = -1;
					goto out;
				}
				keys = grown;
			}
			affected_entry_get(blob + off, &e, 0);
			keys[nk++] = e.key;
		}
	}
out:
	sqlite3_finalize(st);
	free(keys);
	return n;
}

static int
build_meta(struct affected_build *b, const char *key, const char *value)
{
	sqlite3_stmt	*st;
	int		 rc;

	if (sqlite3_prepare_v2(b->db, "INSERT OR REPLACE INTO meta "
	    "VALUES (?, ?)", -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, value, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* fsync a file or directory by path. */
static int
fsync_path(const char *path, int dir)
{
	int	fd, rc;

	fd = open(path, (dir ? O_RDONLY | O_DIRECTORY : O_RDWR) | O_CLOEXEC);
	if (fd == -1)
		return -1;
	rc = fsync(fd);
	close(fd);
	return rc;
}

int
affected_build_finish(struct affected_build *b, struct build_summary *sum,
    char **err)
{
	char	 num[32], when[32];
	time_t	 now = time(NULL);
	int	 rc = -1, i;

	*err = NULL;
	memset(sum, 0, sizeof *sum);
	if (run_flush(b, &b->lookup, err) == -1 ||
	    run_flush(b, &b->search, err) == -1)
		goto out;
	for (i = 0; i < BS_COUNT; i++) {
		sqlite3_finalize(b->st[i]);
		b->st[i] = NULL;
	}
	sum->rows = b->rows;
	sum->lookup_keys = count_keys(b, &b->lookup, "lookup");
	sum->search_keys = count_keys(b, &b->search, "search");
	snprintf(num, sizeof num, "%lld", (long long)sum->rows);
	strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
	if (build_meta(b, "key_id", b->key_id) == -1 ||
	    build_meta(b, "rows", num) == -1 ||
	    build_meta(b, "built_at", when) == -1 ||
	    sqlite3_exec(b->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
		build_sqlerr(b, "commit", err);
		goto out;
	}
	if (sqlite3_close(b->db) != SQLITE_OK) {
		build_sqlerr(b, "close", err);
		goto out;
	}
	b->db = NULL;
	/* Durable first, then visible: a crash leaves old or new, never half. */
	if (fsync_path(b->tmp_path, 0) == -1 ||
	    rename(b->tmp_path, b->final_path) == -1 ||
	    fsync_path(b->dir, 1) == -1) {
		build_errf(err, "%s: %s", b->final_path, strerror(errno));
		goto out;
	}
	rc = 0;
out:
	affected_build_abort(b);
	return rc;
}

void
affected_build_abort(struct affected_build *b)
{
	int	i;

	if (b == NULL)
		return;
	for (i = 0; i < BS_COUNT; i++)
		sqlite3_finalize(b->st[i]);
	if (b->db != NULL)
		sqlite3_close(b->db);
	if (b->tmp_path != NULL)
		unlink(b->tmp_path);
	if (b->lock_fd != -1)
		close(b->lock_fd);
	free(b->lookup.v);
	free(b->search.v);
	free(b->lookup.blob);
	free(b->search.blob);
	free(b->dir);
	free(b->tmp_path);
	free(b->final_path);
	free(b);
}
