/*
 * Internal to store.c, store_audit.c and store_stats.c: the store's
 * state and statements. Nothing else includes this file.
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
	ST_INQUIRY_GET,
	ST_INQUIRY_ORGS,
	ST_INQUIRY_COMPLETE,
	ST_CALLER_COUNT,
	ST_CALLER_ADD,
	ST_CALLER_EXPIRE,
	ST_ALERT_ADD,
	ST_ALERTS,
	ST_CLIENT_SUSPEND,
	ST_CLIENTS_SUSPENDED,
	ST_AUDIT_ADD,
	ST_STAT_INQUIRY,
	ST_STAT_DAY,
	ST_STAT_ORG,
	ST_STAT_CLIENT,
	ST_STAT_SESSIONS,
	ST_COUNT,
};

/*
 * Counter deltas gathered between commits, keyed as their tables:
 * inquiries by 15-minute bucket (also written per day), organisations and
 * clients by local day. Statistics are asked for by whole days; only the
 * hourly view needs finer buckets.
 */
#define STAT_DELTAS_MAX	64

struct stat_inq_delta {
	int64_t		bucket;
	enum channel	channel;
	enum outcome	outcome;
	int64_t		n, dur_n, dur_sum;
};

struct stat_org_delta {
	int64_t	day;		/* YYYYMMDD in the process time zone */
	char	org[33];
	int64_t	n, affected;
};

struct stat_client_delta {
	int64_t	day;
	char	client[STORE_NAME_MAX + 1];
	char	role[16];
	int64_t	inquiries, lookups, searches;
};

struct store {
	sqlite3			*db;
	sqlite3_stmt		*st[ST_COUNT];
	int			 readonly;
	int			 in_txn;
	int			 failed;	/* a write of this group failed */
	int			 commit_failed;	/* the last commit failed */

	/* The audit chain's head: committed, and with this group's entries. */
	int64_t			 audit_n;
	unsigned char		 audit_head[CRYPTO_SHA256_SIZE];
	int64_t			 audit_n_pending;
	unsigned char		 audit_head_pending[CRYPTO_SHA256_SIZE];

	struct stat_inq_delta	 inq[STAT_DELTAS_MAX];
	size_t			 ninq;
	struct stat_org_delta	 org[STAT_DELTAS_MAX];
	size_t			 norg;
	struct stat_client_delta client[STAT_DELTAS_MAX];
	size_t			 nclient;
	int64_t			 peak_bucket;	/* sessions: this bucket's peak */
	int64_t			 peak;
	int			 peak_dirty;
};

/* store.c */
int	store_begin(struct store *);
int	store_exec_stmt(struct store *, enum store_stmt);
void	store_failed(struct store *, const char *);

/* store_audit.c */
int	store_audit_load(struct store *);
void	store_audit_committed(struct store *, int ok);

/* store_stats.c */
void	store_stats_inquiry(struct store *, time_t, enum channel,
	    enum outcome, int sign, int duration_s);
void	store_stats_org(struct store *, time_t, const char *org, int n,
	    int affected);
void	store_stats_client_inquiry(struct store *, time_t,
	    const char *client, const char *role);
int	store_stats_flush(struct store *);
void	store_stats_discard(struct store *);

#endif
