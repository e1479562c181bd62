/*
 * Internal to the store_*.c files: the connection and its statements (the
 * bottom layer, store.c) and the batch as the layers above read it.
 * Nothing else includes this file.
 */
#ifndef HOTLINE_STORE_INT_H
#define HOTLINE_STORE_INT_H

#include <sqlite3.h>

#include "store.h"

enum store_stmt {
	ST_BEGIN = 0,
	ST_COMMIT,
	ST_ROLLBACK,
	ST_INQUIRY_ADD,
	ST_INQUIRY_ORG_ADD,
	ST_INQUIRY_COMPLETE,
	ST_CALLER_ADD,
	ST_CALLER_EXPIRE,
	ST_ALERT_ADD,
	ST_ALERT_ACK,
	ST_CLIENT_SUSPEND,
	ST_AUDIT_ADD,
	ST_AUDIT_LAST,
	ST_STAT_INQUIRY,
	ST_STAT_DAY,
	ST_STAT_ORG,
	ST_STAT_CLIENT,
	ST_STAT_SESSIONS,
	ST_COUNT,
};

struct store_wal;

struct store {
	sqlite3			*db;
	struct store_wal	*wal;		/* the checkpointer, if started */
	sqlite3_stmt		*st[ST_COUNT];
	int			 readonly;
	int			 in_txn;

	/* The audit chain's head as this connection last saw it committed. */
	int			 audit_known;	/* read yet */
	int64_t			 audit_n;
	unsigned char		 audit_head[CRYPTO_SHA256_SIZE];
};

/* store.c: the transaction layer. */
int	store_begin(struct store *);
int	store_commit(struct store *);
void	store_rollback(struct store *);
/* Steps a bound write statement to its end and resets it; -1 logged. */
int	store_exec(struct store *, enum store_stmt);
/* Logs a failure with sqlite's message. */
void	store_error(struct store *, const char *what);
/* Runs fn for each row of a one-off query bound with two integers. */
int	store_query(struct store *, const char *sql, int64_t a, int64_t b,
	    int (*fn)(sqlite3_stmt *, void *), void *arg);

/* One arena-held string list. */
struct store_strings {
	const char	**v;
	size_t		  n;
};

struct batch_inquiry {
	struct store_inquiry	 q;		/* strings in the arena */
};

struct batch_completion {
	struct store_completion	 c;
};

struct batch_audit {
	struct audit_entry	 e;
};

struct batch_suspend {
	const char	*client;
	int		 on;
	time_t		 time;
};

struct batch_ack {
	int64_t		 alert;
	const char	*by;
	const char	*note;
	time_t		 time;
};

struct batch_caller {
	int64_t	caller;
	time_t	time;
};

struct batch_request {
	time_t		 time;
	const char	*client;
	const char	*role;
	int		 lookups;
	int		 searches;
};

struct arena_chunk;

/* A growable array of fixed-size records. */
struct batch_vec {
	void	*v;
	size_t	 n;
	size_t	 cap;
};

struct store_batch {
	struct batch_vec	 inquiries;	/* struct batch_inquiry */
	struct batch_vec	 completions;	/* struct batch_completion */
	struct batch_vec	 audit;		/* struct batch_audit */
	struct batch_vec	 alerts;	/* struct store_alert */
	struct batch_vec	 suspends;	/* struct batch_suspend */
	struct batch_vec	 acks;		/* struct batch_ack */
	struct batch_vec	 callers;	/* struct batch_caller */
	struct batch_vec	 requests;	/* struct batch_request */
	time_t			 caller_expire;	/* 0: none */
	int64_t			 peak_bucket;	/* sessions: the bucket's peak */
	int64_t			 peak;		/* 0: none */

	struct arena_chunk	*arena;		/* strings, newest chunk first */
};

#define BATCH_AT(vec, type, i)	(&((type *)(vec).v)[i])

/* The layers above store.c, each writing its part of a batch. */
int	store_record_write(struct store *, const struct store_batch *);
int	store_stats_write(struct store *, const struct store_batch *);
/* Chains and writes the batch's audit entries onto the current head. */
int	store_audit_write(struct store *, const struct store_batch *,
	    int64_t *n, unsigned char head[CRYPTO_SHA256_SIZE]);
/* The chain's head is (n, head) now that they are committed. */
void	store_audit_committed(struct store *, int64_t n,
	    const unsigned char head[CRYPTO_SHA256_SIZE]);
/* Reads the chain's committed head into the arguments (in a transaction). */
int	store_audit_last(struct store *, int64_t *n,
	    unsigned char head[CRYPTO_SHA256_SIZE]);

#endif
