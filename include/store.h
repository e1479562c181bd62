/*
 * hotline.db: what the service writes — inquiries, the audit log, alerts,
 * client suspensions, the statistics counters and the IVR's caller
 * lookups. Never touched by an import.
 *
 * The storage is a stack, each layer calling only the one below:
 *
 *   store_batch.c   a batch: one group commit's writes, as data, applied
 *                   in one transaction (store_batch_apply)
 *   store_record.c  inquiries, completions, callers, alerts, suspensions
 *   store_audit.c   the audit hash chain
 *   store_stats.c   the statistics counters and their queries
 *   store.c         the connection, schema, statements and the only
 *                   BEGIN / step / COMMIT / ROLLBACK
 *
 * The service never writes row by row: it fills a batch in memory (ids of
 * inquiries and alerts are its own, allocated in memory), and the commit
 * barrier (commit.c) applies the batch and only then releases the answers
 * that report it. A batch is self-contained — it owns copies of every
 * string — so it can be applied by another thread than the one that
 * filled it.
 */
#ifndef HOTLINE_STORE_H
#define HOTLINE_STORE_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "crypto.h"
#include "inquiry.h"

#define STORE_SCHEMA_VERSION	3	/* 3: alerts are acknowledged */
#define STORE_BUCKET_S		900	/* statistics counters: 15 minutes */
#define STORE_NAME_MAX		64	/* client names, as in the conf */
#define STORE_ORG_MAX		32	/* organisation codes */
#define STORE_ORGS_MAX		256	/* organisations one inquiry names */
#define STORE_NOTE_MAX		500	/* an alert's review note, characters */

struct store;

/*
 * Opens (creating if need be) data_dir/hotline.db in WAL mode.
 * sync_full: fsync every commit (survives power loss) instead of only
 * writing it to the OS (survives a crash of the process). readonly: a
 * reader (hotlinectl's audit check, the daemon's queries); no schema is
 * created and nothing can be written.
 */
struct store *store_open(const char *data_dir, int sync_full, int readonly,
	    char **err);
void	store_close(struct store *);

/*
 * Checkpoints of the WAL on a thread and connection of their own, never
 * inside the writer's commits (store_wal.c); -1 if it cannot start.
 */
int	store_wal_start(struct store *, const char *data_dir);
void	store_wal_stop(struct store *);

/* How long a write waits for a lock another process holds. */
void	store_busy_timeout(struct store *, int ms);
/*
 * Makes the statement running on s (on another thread) stop soon with an
 * error: a long read at a stop.
 */
void	store_interrupt(struct store *);

/* One inquiry as written; orgs are organisation codes, each once. */
struct store_inquiry {
	int64_t			 id;		/* allocated by the service */
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
 * An operator's inquiry completed by inquiry.record (SPEC §6.2): its new
 * outcome and duration, and organisations added. The old state (known to
 * the service, which holds the open inquiries) moves the counters.
 */
struct store_completion {
	int64_t			 id;
	time_t			 time;		/* the inquiry's own time */
	enum outcome		 old_outcome;
	int			 old_duration_s;
	const char *const	*old_orgs;
	size_t			 nold_orgs;
	enum outcome		 outcome;
	int			 duration_s;
	const char *const	*orgs;		/* added (those not yet in) */
	size_t			 norgs;
};

/* One alert on bulk lookups (SPEC §7), and its review (alerts.ack). */
struct store_alert {
	int64_t	id;			/* allocated by the service */
	time_t	time;
	char	client[STORE_NAME_MAX + 1];
	char	role[16];
	char	kind[16];
	int	count;
	int	window_s;
	int	suspended;
	time_t	acked_at;			/* 0: still open */
	char	acked_by[STORE_NAME_MAX + 1];
	char	note[STORE_NOTE_MAX * 4 + 1];	/* UTF-8 */
};

/* One request as the audit log keeps it (masked arguments only). */
struct audit_entry {
	time_t		 time;
	const char	*client;
	const char	*role;
	const char	*method;
	const char	*outcome;	/* "ok" or the error code */
	const char	*args;		/* canonical JSON, masked */
};

struct store_batch;

struct store_batch *store_batch_new(void);
void	store_batch_free(struct store_batch *);
/* Empties a batch for reuse (its memory is kept). */
void	store_batch_reset(struct store_batch *);
/* Writes held: 0 when applying it would change nothing. */
size_t	store_batch_size(const struct store_batch *);

/*
 * Adding to a batch copies every string; each returns 0, or -1 when out
 * of memory (then the batch is as it was).
 */
int	store_batch_inquiry(struct store_batch *, const struct store_inquiry *);
int	store_batch_completion(struct store_batch *,
	    const struct store_completion *);
int	store_batch_audit(struct store_batch *, const struct audit_entry *);
int	store_batch_alert(struct store_batch *, const struct store_alert *);
int	store_batch_suspend(struct store_batch *, const char *client, int on,
	    time_t);
/* A supervisor's review of an open alert. */
int	store_batch_ack(struct store_batch *, int64_t alert, const char *by,
	    const char *note, time_t);
/* An IVR caller's lookup (a hasher_caller_key), for the daily cap. */
int	store_batch_caller(struct store_batch *, int64_t caller, time_t);
/* Forgets the caller lookups at or before a time (older than the cap). */
void	store_batch_caller_expire(struct store_batch *, time_t before);
/* A lookup or search by a client, for stats.summary's by_client. */
int	store_batch_request(struct store_batch *, time_t, const char *client,
	    const char *role, int lookups, int searches);
/* Open IVR sessions now: the peak of the 15-minute bucket. */
void	store_batch_sessions(struct store_batch *, time_t, size_t open);

/* What a batch holds, for what is fed once it is committed. */
struct store_batch_counts {
	size_t	inquiries, completions, audit, alerts;
};
void	store_batch_counts(const struct store_batch *,
	    struct store_batch_counts *);
/* Calls fn for each inquiry of the batch, then cfn for each completion. */
void	store_batch_foreach(const struct store_batch *,
	    void (*fn)(const struct store_inquiry *, void *),
	    void (*cfn)(const struct store_completion *, void *), void *arg);

/*
 * Applies a batch in one transaction: its rows, the audit entries
 * chained onto the log's head, and the counters they move. 0 when it is
 * durable (as the conf's synchronous mode makes it), -1 when nothing of
 * it was written (logged with sqlite's message).
 */
int	store_batch_apply(struct store *, struct store_batch *);

/* What the service restores at start. */
struct store_state {
	int64_t	next_inquiry;		/* one past the largest id */
	int64_t	next_alert;
};
int	store_state(struct store *, struct store_state *);

/* Calls fn for each suspended client. */
int	store_clients_suspended(struct store *,
	    void (*fn)(const char *, void *), void *arg);

/* Calls fn for each IVR caller lookup after since. */
int	store_callers(struct store *, time_t since,
	    void (*fn)(int64_t caller, time_t, void *), void *arg);

/*
 * Calls fn for each operator-channel inquiry after since that
 * inquiry.record may still complete, with its organisations.
 */
int	store_open_inquiries(struct store *, time_t since,
	    void (*fn)(const struct store_inquiry *, void *), void *arg);

/*
 * Alerts at or after since (only the open ones if unacked), oldest first;
 * *out is the caller's to free.
 */
int	store_alerts(struct store *, time_t since, int unacked,
	    struct store_alert **out, size_t *n);

/* Calls fn for each alert nobody has acknowledged yet. */
int	store_open_alerts(struct store *, void (*fn)(int64_t, void *),
	    void *arg);

/*
 * The chain's length and head hash (hex), as last committed through this
 * connection (read from the file the first time). -1 on a storage error.
 */
int	store_audit_head(struct store *, int64_t *entries,
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
 * Appends one entry to the chain in a transaction of its own, for a
 * process other than hotlined (hotlinectl match): the head is read inside
 * the transaction, so a running hotlined's entries and this one chain
 * correctly whichever commits first.
 */
int	store_audit_append_one(struct store *, const struct audit_entry *);

struct stats_org {
	char	code[STORE_ORG_MAX + 1];
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

/* The committed numbers of [from, to): local midnights (the conf's zone). */
int	store_stats_summary(struct store *, time_t from, time_t to,
	    struct stats_summary *);
void	store_stats_free(struct stats_summary *);

/* Inquiries per outcome in each hour [starts[h], starts[h + 1]), 24 hours. */
int	store_stats_hourly(struct store *, const time_t starts[25],
	    int64_t out[24][OUTCOME_COUNT]);

/*
 * Today's counters, for the live figures seeded at start (live.c): calls
 * bucket() for each 15-minute counter row of [from, to) (a bucket's start,
 * channel, outcome, inquiries, and those with a duration and their sum;
 * a completion may have left a row negative) and org() for each
 * organisation counted on the local day of from. 0, or -1 (logged).
 */
int	store_live_seed(struct store *, time_t from, time_t to,
	    void (*bucket)(void *, time_t, enum channel, enum outcome,
	    int64_t n, int64_t dur_n, int64_t dur_sum),
	    void (*org)(void *, const char *code, int64_t n), void *arg);

#endif
