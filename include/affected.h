/*
 * The affected list as hotlined reads it: affected.db, opened read-only.
 *
 * Each open file is a generation, reference-counted: SIGHUP opens the new
 * file and makes it current, while a call that looked its caller up in the
 * old generation keeps that one alive until it no longer needs it.
 */
#ifndef HOTLINE_AFFECTED_H
#define HOTLINE_AFFECTED_H

#include <stddef.h>
#include <stdint.h>

#include "record.h"

/*
 * affected.db's schema version and application id ("HLAF"). Version 2
 * added the organisations' English texts (SPEC §4.1 *_en columns);
 * hotlined still reads a version 1 file, as one without English texts.
 */
#define AFFECTED_SCHEMA_VERSION	2
#define AFFECTED_SCHEMA_OLDEST	1
#define AFFECTED_APPLICATION_ID	1212956998	/* 0x484c4146 */

/*
 * The key tables (lookup, search) are hash tables in a B-tree: a row
 * holds, as a BLOB, the entries of one bucket (the key's top 17 bits)
 * written by one run of the import; its rowid, the slot, is
 * bucket << 8 | run. A lookup is one range seek over a bucket's slots.
 * docs/STORAGE.md describes the byte layout.
 */
#define AFFECTED_BUCKET_BITS	17
#define AFFECTED_RUN_BITS	8
#define AFFECTED_RUNS_MAX	(1 << AFFECTED_RUN_BITS)

/* Entries, little-endian: key 8, org 4, items 2, has 2 (+ 4 hashes of 8). */
#define AFFECTED_LOOKUP_ENTRY	16
#define AFFECTED_SEARCH_ENTRY	48

/* One decoded entry of either table. */
struct affected_entry {
	int64_t		key;
	int64_t		org;
	unsigned	items;
	unsigned	has;		/* BUILD_HAS_* bits (search) */
	int64_t		h[4];		/* gender, postal, address, phone */
};

/* The bucket of a key, and the first slot of that bucket. */
int64_t	affected_bucket(int64_t key);
int64_t	affected_slot(int64_t bucket, int run);

/* Encodes/decodes one entry; search entries carry the hashes. */
void	affected_entry_put(unsigned char *, const struct affected_entry *,
	    int search);
void	affected_entry_get(const unsigned char *, struct affected_entry *,
	    int search);

/* Most organisations one lookup may report; the incident had 69. */
#define AFFECTED_MATCHES_MAX	256

struct affected;

/*
 * Opens path read-only and loads its organisations. key_id is the
 * running key's id (hasher_key_id): a file built with another key would
 * never match anyone, so it is refused. A tool that reads only the
 * organisations (hotlinectl prompts-audio) passes NULL: no key, no
 * check. Returns NULL with *err set.
 */
struct affected *affected_open(const char *path, const char *key_id,
	    char **err);
struct affected *affected_ref(struct affected *);
void	affected_unref(struct affected *);

const struct org_table *affected_orgs(const struct affected *);
/* Records in the file, from its meta table. */
int64_t	affected_rows(const struct affected *);
/* When the import built it (UTC, ISO 8601), or "". */
const char *affected_built_at(const struct affected *);

/*
 * Finds every record with this lookup key and folds them into one match
 * per organisation. Returns the number of matches (0: not found), or -1
 * on a storage error (logged).
 */
int	affected_lookup(struct affected *, int64_t key, struct match *out,
	    size_t max);

/*
 * Finds every record with this search key (operator.search): one entry
 * each. Returns how many (at most max), or -1 on a storage error.
 */
int	affected_search(struct affected *, int64_t key,
	    struct affected_entry *out, size_t max);

/*
 * The entries of one key (a lookup key when !search, else a search key)
 * that belong to organisation org, each as stored: one per record (a
 * lookup entry per record since the match job counts records). For the
 * match job, which must never consult another organisation's records.
 * Returns how many (at most max), or -1 on a storage error (logged).
 */
int	affected_entries(struct affected *, int search, int64_t key,
	    int64_t org, struct affected_entry *out, size_t max);

#endif
