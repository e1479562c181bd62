/*
 * Building a new affected.db: the write side, used by the import only.
 *
 * Rows go into "affected.db.new" in the data directory, with indexes built
 * once at the end; affected_build_finish() makes the file durable and
 * renames it over affected.db in one step. Until then the old file stays
 * in place, unchanged, and a running hotlined keeps serving it.
 */
#ifndef HOTLINE_AFFECTED_BUILD_H
#define HOTLINE_AFFECTED_BUILD_H

#include <stdint.h>

#include "record.h"

/* Which of a built row's hashes are present. */
#define BUILD_HAS_LOOKUP	0x01
#define BUILD_HAS_SEARCH	0x02
#define BUILD_HAS_GENDER	0x04
#define BUILD_HAS_POSTAL	0x08
#define BUILD_HAS_ADDRESS	0x10
#define BUILD_HAS_PHONE		0x20

/* One row of a list, as stored: no value in the clear. */
struct build_row {
	int64_t		org;		/* org id, ORG_UNKNOWN_ID for none */
	unsigned	items;
	unsigned	has;		/* BUILD_HAS_* */
	int64_t		lookup_key;
	int64_t		search_key;
	int64_t		gender_h;	/* verification hashes, salted with */
	int64_t		postal_h;	/* the search key (hasher_field) */
	int64_t		address_h;
	int64_t		phone_h;
};

struct build_summary {
	int64_t		rows;
	int64_t		lookup_keys;	/* distinct (phone, birthdate) keys */
	int64_t		search_keys;	/* distinct (kana, birthdate) keys */
};

struct affected_build;

/*
 * Starts a build in data_dir, taking the import lock (a flock on the
 * directory: one import at a time). Returns NULL with *err set.
 */
struct affected_build *affected_build_begin(const char *data_dir,
	    const char *key_id, char **err);

/* Adds an organisation; ids are given in order from 1 (0 is unknown). */
int	affected_build_org(struct affected_build *, const struct org *,
	    char **err);

/* Adds a row to the tables of the keys it has. */
int	affected_build_row(struct affected_build *, const struct build_row *,
	    char **err);

/*
 * Indexes, records the summary, syncs, and renames the file into place.
 * Frees the build whatever the result; on failure nothing has changed.
 */
int	affected_build_finish(struct affected_build *, struct build_summary *,
	    char **err);

/* Discards the build: the old affected.db is untouched. NULL is fine. */
void	affected_build_abort(struct affected_build *);

#endif
