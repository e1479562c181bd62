/*
 * Read side of affected.db. The file never changes once built (an import
 * writes a new one and renames it into place), so it is opened immutable:
 * sqlite then takes no locks, and reads are served from the memory map.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "affected.h"
#include "bytes.h"
#include "log.h"

struct affected {
	int		 refs;
	sqlite3		*db;
	sqlite3_stmt	*lookup;
	sqlite3_stmt	*search;
	struct org_table orgs;
	int64_t		 rows;
	char		 built_at[32];	/* meta built_at, "" if none */
};

static int	affected_load_orgs(struct affected *, int, char **);
static char	*column_dup(sqlite3_stmt *, int);
static int	meta_get(sqlite3 *, const char *, char *, size_t);
static char	*uri_escape(const char *);

/* A path made safe for a file: URI ('%', '?' and '#' escaped). */
static char *
uri_escape(const char *path)
{
	char	*out, *p;

	if ((out = malloc(strlen(path) * 3 + 1)) == NULL)
		return NULL;
	for (p = out; *path != '\0'; path++) {
		if (*path == '%' || *path == '?' || *path == '#')
			p += sprintf(p, "%%%02X", (unsigned char)*path);
		else
			*p++ = *path;
	}
	*p = '\0';
	return out;
}

/* A NOT NULL text column as a new string ("" for NULL). */
static char *
column_dup(sqlite3_stmt *st, int col)
{
	const unsigned char	*t = sqlite3_column_text(st, col);

	return strdup(t != NULL ? (const char *)t : "");
}

static int
meta_get(sqlite3 *db, const char *key, char *out, size_t len)
{
	sqlite3_stmt	*st;
	int		 rc = -1;

	if (sqlite3_prepare_v2(db, "SELECT value FROM meta WHERE key = ?", -1,
	    &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW) {
		snprintf(out, len, "%s", (const char *)sqlite3_column_text(st,
		    0));
		rc = 0;
	}
	sqlite3_finalize(st);
	return rc;
}

/*
 * Loads the organisations. A version 1 file has no English columns: its
 * organisations read as having none ("" each), as SPEC §4.1 allows.
 */
static int
affected_load_orgs(struct affected *a, int version, char **err)
{
	sqlite3_stmt	*st;
	struct org	*o;
	int64_t		 count = 0, id;
	int		 rc;

	if (sqlite3_prepare_v2(a->db, "SELECT max(id) FROM org", -1, &st,
	    NULL) != SQLITE_OK)
		goto sqlerr;
	if (sqlite3_step(st) == SQLITE_ROW)
		count = sqlite3_column_int64(st, 0) + 1;
	sqlite3_finalize(st);
	if (count < 1 || count > 100000) {
		*err = strdup("affected.db: bad organisation table");
		return -1;
	}
	if ((a->orgs.orgs = calloc((size_t)count, sizeof *o)) == NULL) {
		*err = strdup("out of memory");
		return -1;
	}
	if (sqlite3_prepare_v2(a->db, version >= 2 ?
	    "SELECT id, code, name, kind, service, period_from, period_to, "
	    "contact_name, contact_phone, contact_hours, status_note, "
	    "name_en, service_en, contact_name_en, contact_hours_en, "
	    "status_note_en FROM org ORDER BY id" :
	    "SELECT id, code, name, kind, service, period_from, period_to, "
	    "contact_name, contact_phone, contact_hours, status_note, "
	    "'', '', '', '', '' FROM org ORDER BY id", -1, &st,
	    NULL) != SQLITE_OK)
		goto sqlerr;
	/* Ids are dense from 0 (unknown); the table is indexed by id. */
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		id = sqlite3_column_int64(st, 0);
		if (id != (int64_t)a->orgs.n || id >= count)
			break;
		o = &a->orgs.orgs[a->orgs.n++];
		o->id = id;
		o->code = column_dup(st, 1);
		o->name = column_dup(st, 2);
		o->kind = column_dup(st, 3);
		o->service = column_dup(st, 4);
		o->period_from = column_dup(st, 5);
		o->period_to = column_dup(st, 6);
		o->contact_name = column_dup(st, 7);
		o->contact_phone = column_dup(st, 8);
		o->contact_hours = column_dup(st, 9);
		o->status_note = column_dup(st, 10);
		o->name_en = column_dup(st, 11);
		o->service_en = column_dup(st, 12);
		o->contact_name_en = column_dup(st, 13);
		o->contact_hours_en = column_dup(st, 14);
		o->status_note_en = column_dup(st, 15);
		if (o->code == NULL || o->name == NULL || o->kind == NULL ||
		    o->service == NULL || o->period_from == NULL ||
		    o->period_to == NULL || o->contact_name == NULL ||
		    o->contact_phone == NULL || o->contact_hours == NULL ||
		    o->status_note == NULL || o->name_en == NULL ||
		    o->service_en == NULL || o->contact_name_en == NULL ||
		    o->contact_hours_en == NULL || o->status_note_en == NULL) {
			sqlite3_finalize(st);
			*err = strdup("out of memory");
			return -1;
		}
	}
	sqlite3_finalize(st);
	if ((int64_t)a->orgs.n != count ||
	    strcmp(a->orgs.orgs[0].code, ORG_UNKNOWN_CODE) != 0) {
		*err = strdup("affected.db: organisation ids are not dense");
		return -1;
	}
	return 0;
sqlerr:
	if (asprintf(err, "affected.db: %s", sqlite3_errmsg(a->db)) == -1)
		*err = NULL;
	return -1;
}

struct affected *
affected_open(const char *path, const char *key_id, char **err)
{
	struct affected	*a;
	sqlite3_stmt	*st;
	char		*uri = NULL, *q;
	char		 stored[64], rows[32];
	int		 version = 0, appid = 0;

	*err = NULL;
	if ((a = calloc(1, sizeof *a)) == NULL) {
		*err = strdup("out of memory");
		return NULL;
	}
	a->refs = 1;
	if ((q = uri_escape(path)) == NULL ||
	    asprintf(&uri, "file:%s?mode=ro&immutable=1", q) == -1)
		uri = NULL;
	free(q);
	if (uri == NULL) {
		*err = strdup("out of memory");
		goto fail;
	}
	if (sqlite3_open_v2(uri, &a->db, SQLITE_OPEN_READONLY |
	    SQLITE_OPEN_URI | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		if (asprintf(err, "%s: %s", path, a->db ?
		    sqlite3_errmsg(a->db) : "cannot open") == -1)
			*err = NULL;
		goto fail;
	}
	/* Lookups touch a few pages at random: map the file, cache little. */
	sqlite3_exec(a->db, "PRAGMA mmap_size = 4294967296; "
	    "PRAGMA cache_size = -16384;", NULL, NULL, NULL);
	if (sqlite3_prepare_v2(a->db, "PRAGMA user_version", -1, &st, NULL) ==
	    SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
		version = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	if (sqlite3_prepare_v2(a->db, "PRAGMA application_id", -1, &st,
	    NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
		appid = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	if (appid != AFFECTED_APPLICATION_ID) {
		if (asprintf(err, "%s: not an affected list (run hotlinectl "
		    "import)", path) == -1)
			*err = NULL;
		goto fail;
	}
	if (version < AFFECTED_SCHEMA_OLDEST ||
	    version > AFFECTED_SCHEMA_VERSION) {
		if (asprintf(err, "%s: schema version %d, this hotline reads "
		    "%d to %d (re-import the lists with this hotlinectl)", path,
		    version, AFFECTED_SCHEMA_OLDEST,
		    AFFECTED_SCHEMA_VERSION) == -1)
			*err = NULL;
		goto fail;
	}
	if (key_id != NULL && (meta_get(a->db, "key_id", stored,
	    sizeof stored) == -1 || strcmp(stored, key_id) != 0)) {
		if (asprintf(err, "%s: built with another key than %s "
		    "(re-import the lists with this key)", path, key_id) == -1)
			*err = NULL;
		goto fail;
	}
	if (meta_get(a->db, "rows", rows, sizeof rows) == 0)
		a->rows = strtoll(rows, NULL, 10);
	(void)meta_get(a->db, "built_at", a->built_at, sizeof a->built_at);
	if (affected_load_orgs(a, version, err) == -1)
		goto fail;
	if (sqlite3_prepare_v3(a->db, "SELECT entries FROM lookup "
	    "WHERE slot BETWEEN ?1 AND ?2", -1, SQLITE_PREPARE_PERSISTENT,
	    &a->lookup, NULL) != SQLITE_OK) {
		if (asprintf(err, "%s: %s", path, sqlite3_errmsg(a->db)) == -1)
			*err = NULL;
		goto fail;
	}
	if (sqlite3_prepare_v3(a->db, "SELECT entries FROM search "
	    "WHERE slot BETWEEN ?1 AND ?2", -1, SQLITE_PREPARE_PERSISTENT,
	    &a->search, NULL) != SQLITE_OK) {
		if (asprintf(err, "%s: %s", path, sqlite3_errmsg(a->db)) == -1)
			*err = NULL;
		goto fail;
	}
	free(uri);
	return a;
fail:
	if (*err == NULL)
		*err = strdup("out of memory");
	free(uri);
	affected_unref(a);
	return NULL;
}

struct affected *
affected_ref(struct affected *a)
{
	a->refs++;
	return a;
}

void
affected_unref(struct affected *a)
{
	if (a == NULL || --a->refs > 0)
		return;
	sqlite3_finalize(a->lookup);
	sqlite3_finalize(a->search);
	sqlite3_close(a->db);
	record_org_table_free(&a->orgs);
	free(a);
}

const struct org_table *
affected_orgs(const struct affected *a)
{
	return &a->orgs;
}

int64_t
affected_rows(const struct affected *a)
{
	return a->rows;
}

const char *
affected_built_at(const struct affected *a)
{
	return a->built_at;
}

int64_t
affected_bucket(int64_t key)
{
	return (int64_t)((uint64_t)key >> (64 - AFFECTED_BUCKET_BITS));
}

int64_t
affected_slot(int64_t bucket, int run)
{
	return bucket << AFFECTED_RUN_BITS | run;
}

void
affected_entry_put(unsigned char *p, const struct affected_entry *e,
    int search)
{
	int	i;

	bytes_put_le(p, (uint64_t)e->key, 8);
	bytes_put_le(p + 8, (uint64_t)e->org, 4);
	bytes_put_le(p + 12, e->items, 2);
	bytes_put_le(p + 14, e->has, 2);
	if (search)
		for (i = 0; i < 4; i++)
			bytes_put_le(p + 16 + 8 * i, (uint64_t)e->h[i], 8);
}

void
affected_entry_get(const unsigned char *p, struct affected_entry *e,
    int search)
{
	int	i;

	e->key = (int64_t)bytes_get_le(p, 8);
	e->org = (int64_t)bytes_get_le(p + 8, 4);
	e->items = (unsigned)bytes_get_le(p + 12, 2);
	e->has = (unsigned)bytes_get_le(p + 14, 2);
	for (i = 0; i < 4; i++)
		e->h[i] = search ? (int64_t)bytes_get_le(p + 16 + 8 * i, 8) : 0;
}

int
affected_lookup(struct affected *a, int64_t key, struct match *out,
    size_t max)
{
	struct affected_entry	 e;
	const unsigned char	*blob;
	int64_t			 bucket = affected_bucket(key);
	size_t			 n = 0, len, off;
	int			 rc;

	sqlite3_bind_int64(a->lookup, 1, affected_slot(bucket, 0));
	sqlite3_bind_int64(a->lookup, 2, affected_slot(bucket,
	    AFFECTED_RUNS_MAX - 1));
	while ((rc = sqlite3_step(a->lookup)) == SQLITE_ROW) {
		blob = sqlite3_column_blob(a->lookup, 0);
		len = (size_t)sqlite3_column_bytes(a->lookup, 0);
		for (off = 0; blob != NULL && off + AFFECTED_LOOKUP_ENTRY <=
		    len; off += AFFECTED_LOOKUP_ENTRY) {
			/* Entries are sorted by key within a row. */
			if ((int64_t)bytes_get_le(blob + off, 8) != key)
				continue;
			affected_entry_get(blob + off, &e, 0);
			(void)record_merge(&a->orgs, out, &n, max, e.org,
			    e.items);
		}
	}
	sqlite3_reset(a->lookup);
	if (rc != SQLITE_DONE) {
		log_warnx("affected.db: lookup: %s", sqlite3_errmsg(a->db));
		return -1;
	}
	return (int)n;
}

int
affected_search(struct affected *a, int64_t key, struct affected_entry *out,
    size_t max)
{
	const unsigned char	*blob;
	int64_t			 bucket = affected_bucket(key);
	size_t			 n = 0, len, off;
	int			 rc;

	sqlite3_bind_int64(a->search, 1, affected_slot(bucket, 0));
	sqlite3_bind_int64(a->search, 2, affected_slot(bucket,
	    AFFECTED_RUNS_MAX - 1));
	while ((rc = sqlite3_step(a->search)) == SQLITE_ROW) {
		blob = sqlite3_column_blob(a->search, 0);
		len = (size_t)sqlite3_column_bytes(a->search, 0);
		for (off = 0; blob != NULL && off + AFFECTED_SEARCH_ENTRY <=
		    len && n < max; off += AFFECTED_SEARCH_ENTRY)
			if ((int64_t)bytes_get_le(blob + off, 8) == key)
				affected_entry_get(blob + off, &out[n++], 1);
	}
	sqlite3_reset(a->search);
	if (rc != SQLITE_DONE) {
		log_warnx("affected.db: search: %s", sqlite3_errmsg(a->db));
		return -1;
	}
	return (int)n;
}

int
affected_entries(struct affected *a, int search, int64_t key, int64_t org,
    struct affected_entry *out, size_t max)
{
	sqlite3_stmt		*st = search ? a->search : a->lookup;
	const unsigned char	*blob;
	int64_t			 bucket = affected_bucket(key);
	size_t			 n = 0, len, off, size;
	int			 rc;

	size = search ? AFFECTED_SEARCH_ENTRY : AFFECTED_LOOKUP_ENTRY;
	sqlite3_bind_int64(st, 1, affected_slot(bucket, 0));
	sqlite3_bind_int64(st, 2, affected_slot(bucket,
	    AFFECTED_RUNS_MAX - 1));
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		blob = sqlite3_column_blob(st, 0);
		len = (size_t)sqlite3_column_bytes(st, 0);
		for (off = 0; blob != NULL && off + size <= len && n < max;
		    off += size)
			if ((int64_t)bytes_get_le(blob + off, 8) == key &&
			    (int64_t)bytes_get_le(blob + off + 8, 4) == org)
				affected_entry_get(blob + off, &out[n++],
				    search);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		log_warnx("affected.db: entries: %s", sqlite3_errmsg(a->db));
		return -1;
	}
	return (int)n;
}
