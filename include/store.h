/*
 * hotline.db: what the service writes (inquiries; later the audit log and
 * alerts). Never touched by an import.
 *
 * Writes are grouped: the first write after a commit opens a transaction,
 * and the server commits it once per event-loop turn, before it releases
 * the replies that report those writes (SPEC §8: an acknowledged inquiry
 * survives kill -9). One commit then serves every request of the turn.
 */
#ifndef HOTLINE_STORE_H
#define HOTLINE_STORE_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "inquiry.h"

#define STORE_SCHEMA_VERSION	1

struct store;

/* One inquiry as written; orgs are organisation codes, each once. */
struct inquiry_rec {
	time_t			 time;
	enum channel		 channel;
	const char		*client;
	enum outcome		 outcome;
	int			 duration_s;	/* -1: none */
	const char *const	*orgs;
	size_t			 norgs;
};

/*
 * Opens (creating if need be) data_dir/hotline.db in WAL mode.
 * sync_full: fsync every commit (survives power loss) instead of only
 * writing it to the OS (survives a crash of the process).
 */
struct store *store_open(const char *data_dir, int sync_full, char **err);
void	store_close(struct store *);

/* Adds an inquiry to the open group; returns its id, or -1 (logged). */
int64_t	store_inquiry_add(struct store *, const struct inquiry_rec *);

/*
 * The daily cap of IVR lookups per caller ID: how many the caller (a
 * hasher_caller_key) made after since, or -1; and one more, now.
 */
int	store_caller_lookups(struct store *, int64_t caller, time_t since);
int	store_caller_lookup_add(struct store *, int64_t caller, time_t);
/* Forgets the caller lookups at or before a time (older than the cap). */
int	store_caller_expire(struct store *, time_t before);

/* 1 if writes are waiting for store_commit(). */
int	store_dirty(const struct store *);

/*
 * Commits the group. 0 on success or when there was nothing to commit;
 * -1 if it failed, in which case every write since the last commit is
 * gone and the replies that reported them must become errors.
 */
int	store_commit(struct store *);

#endif
