/*
 * hotline.db: what the service writes — inquiries, the audit log, alerts,
 * client suspensions, the statistics counters and the IVR's caller counts.
 * Never touched by an import.
 *
 * Writes are grouped: the first write after a commit opens a transaction,
 * and the server commits it once per event-loop turn, before it releases
 * the replies that report those writes (SPEC §8: an acknowledged inquiry
 * survives kill -9). One commit then serves every request of the turn,
 * and a request's audit entry shares its inquiry's transaction.
 *
 * store.c: open, commit, inquiries, callers, alerts, suspensions.
 * store_audit.c: the hash chain. store_stats.c: counters and statistics.
 */
#ifndef HOTLINE_STORE_H
#define HOTLINE_STORE_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "crypto.h"
#include "inquiry.h"

#define STORE_SCHEMA_VERSION	2
#define STORE_BUCKET_S		900	/* statistics counters: 15 minutes */
#define STORE_NAME_MAX		64	/* client names, as in the conf */

struct store;

/* One inquiry as written; orgs are organisation codes, each once. */
struct inquiry_rec {
	time_t			 time;
	enum channel		 channel;
	const char		*client;
	const char		*role;		/* the client's role, for stats */
	enum outcome		 outcome;
	int			 duration_s;	/* -1: none */
	int			 completed;	/* final: inquiry.record cannot
						   complete it later */
	const char *const	*orgs;
	size_t			 norgs;
};

/*
 * Opens (creating if need be) data_dir/hotline.db in WAL mode.
 * sync_full: fsync every commit (survives power loss) instead of only
 * writing it to the OS (survives a crash of the process). readonly: for
 * hotlinectl, which only reads (the audit check); no schema is created.
 */
struct store *store_open(const char *data_dir, int sync_full, int readonly,
	    char **err);
void	store_close(struct store *);

/* Adds an inquiry to the open group; returns its id, or -1 (logged). */
int64_t	store_inquiry_add(struct store *, const struct inquiry_rec *);

/*
 * Completes an operator's inquiry (SPEC §6.2 inquiry.record): replaces
 * its outcome, sets its duration, adds organisations; it keeps its time
 * and channel. Only an operator-channel inquiry of this client, and only
 * once: 0 done, 1 not such an inquiry (or already completed), -1 storage.
 */
int	store_inquiry_complete(struct store *, int64_t id, const char *client,
	    enum outcome, int duration_s, const char *const *orgs,
	    size_t norgs);

/*
 * The daily cap of IVR lookups per caller ID: how many the caller (a
 * hasher_caller_key) made after since, or -1; and one more, now.
 */
int	store_caller_lookups(struct store *, int64_t caller, time_t since);
int	store_caller_lookup_add(struct store *, int64_t caller, time_t);
/* Forgets the caller lookups at or before a time (older than the cap). */
int	store_caller_expire(struct store *, time_t before);

/* One alert on bulk lookups (SPEC §7). */
struct store_alert {
	int64_t	id;
	time_t	time;
	char	client[STORE_NAME_MAX + 1];
	char	role[16];
	char	kind[16];
	int	count;
	int	window_s;
	int	suspended;
};

/* Records an alert; its id, or -1. */
int64_t	store_alert_add(struct store *, const struct store_alert *);
/* Alerts at or after since, oldest first; *out is the caller's to free. */
int	store_alerts(struct store *, time_t since, struct store_alert **out,
	    size_t *n);

/* Suspends a client (1) or lifts it (0); kept across restarts. */
int	store_client_suspend(struct store *, const char *client, int on,
	    time_t);
/* Calls fn for each suspended client (at start). */
int	store_clients_suspended(struct store *,
	    void (*fn)(const char *, void *), void *arg);

/* One request as the audit log keeps it (masked arguments only). */
struct audit_entry {
	time_t		 time;
	const char	*client;
	const char	*role;
	const char	*method;
	const char	*outcome;	/* "ok" or the error code */
	const char	*args;		/* canonical JSON, masked */
};

/* Appends to the chain, in the open group; -1 on failure (logged). */
int	store_audit_append(struct store *, const struct audit_entry *);

/* The chain's committed length and head hash (hex). */
void	store_audit_head(const struct store *, int64_t *entries,
	    char head[CRYPTO_SHA256_HEX_SIZE]);

struct audit_report {
	int	ok;
	int64_t	entries;
	char	head[CRYPTO_SHA256_HEX_SIZE];
	int64_t	bad_entry;		/* the first entry that does not fit */
	char	reason[160];
};

/*
 * Walks the whole chain. checkpoint, if not NULL, is "N:HASH" from a
 * logged checkpoint: entry N must exist and have that hash (a truncated
 * log fails here). Returns 0 with the report filled, -1 on a storage error.
 */
int	store_audit_verify(struct store *, const char *checkpoint,
	    struct audit_report *);

/*
 * Statistics counters, kept in memory per 15-minute bucket and written at
 * the commit, in the same transaction as what they count.
 */
void	store_count_request(struct store *, time_t, const char *client,
	    const char *role, int lookups, int searches);
void	store_note_sessions(struct store *, time_t, size_t open);

struct stats_org {
	char	code[33];
	int64_t	inquiries;
	int64_t	affected;
};

struct stats_client {
	char	client[STORE_NAME_MAX + 1];
	char	role[16];
	int64_t	inquiries;
	int64_t	lookups;
	int64_t	searches;
};

struct stats_summary {
	int64_t			 inquiries;
	int64_t			 by_outcome[OUTCOME_COUNT];
	int64_t			 by_channel[CHANNEL_COUNT];
	int64_t			 handled;	/* inquiries with a duration */
	int64_t			 handle_s;	/* their total duration */
	int64_t			 peak_sessions;
	int64_t			 alerts;
	struct stats_org	*orgs;
	size_t			 norgs;
	struct stats_client	*clients;
	size_t			 nclients;
};

/* The numbers of [from, to): local midnights (the conf's time zone). */
int	store_stats_summary(struct store *, time_t from, time_t to,
	    struct stats_summary *);
void	store_stats_free(struct stats_summary *);

/* Inquiries per outcome in each hour [start + 3600 h, +3600), 24 hours. */
int	store_stats_hourly(struct store *, const time_t starts[25],
	    int64_t out[24][OUTCOME_COUNT]);

/* 1 if the last store_commit() failed (admin.status's storage state). */
int	store_commit_failed(const struct store *);

/* 1 if writes are waiting for store_commit(). */
int	store_dirty(const struct store *);

/*
 * Commits the group. 0 on success or when there was nothing to commit;
 * -1 if it failed, in which case every write since the last commit is
 * gone and the replies that reported them must become errors.
 */
int	store_commit(struct store *);

#endif
