/*
 * The service core: everything a request may use, whatever front end
 * brought it — the conf, prompts, hasher, the current affected list,
 * hotline.db (through the commit barrier), the client guards, operator
 * refs, IVR sessions, the IVR callers' daily counts and the operators'
 * open inquiries.
 *
 * A front end (the JSON-RPC port, FastAGI, HTTP) turns its bytes into a
 * principal and a call, hands them to dispatch(), and holds the answer
 * until the commit barrier says the writes it reports are durable. The
 * core knows no front end: it never sees a socket.
 */
#ifndef HOTLINE_CORE_H
#define HOTLINE_CORE_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "config.h"
#include "session.h"

#define PRINCIPAL_NAME_MAX	64	/* longest client name, as in the conf */
#define PRINCIPAL_ORIGIN_MAX	32

struct affected;
struct alerts;
struct cache;
struct callers;
struct commit;
struct event_base;
struct guard;
struct hasher;
struct inquiry_table;
struct jobs;
struct later;
struct live;
struct metrics;
struct prompts;
struct ref_table;
struct store;
struct store_inquiry;

/*
 * Who asks: a client of the conf and its role, as a front end
 * established it (hello on the TCP port, the conf's client for FastAGI,
 * a session cookie for HTTP). Owned by the front end.
 */
struct principal {
	char			 client[PRINCIPAL_NAME_MAX + 1];	/* "" */
	enum role		 role;		/* ROLE_NONE until authenticated */
	/* Where the IVR sessions it opens are listed; NULL: it opens none. */
	struct session_owner	*owner;
	char			 origin[PRINCIPAL_ORIGIN_MAX];	/* for logs */
	char			 peer[64];	/* where it connects from */
	int			 failed_auth;	/* refused hellos */
};

struct core {
	struct config		*conf;
	struct prompts		*prompts;
	struct hasher		*hasher;
	struct affected		*affected;	/* the current generation */
	struct store		*store;		/* the writes (the barrier's) */
	struct store		*reader;	/* the queries */
	struct commit		*commit;
	struct guard		*guard;
	struct ref_table	*refs;
	struct session_table	 sessions;
	struct callers		*callers;
	struct inquiry_table	*open_inquiries;
	struct alerts		*alerts;	/* the open ones */
	struct metrics		*metrics;	/* for /metrics */
	struct live		*live;		/* today's figures */
	struct cache		*answers;	/* rendered lookup answers */
	struct jobs		*jobs;		/* NULL: long work on the loop */
	struct later		*later;		/* calls answered later */
	uint64_t		 next_later;
	char			*raw;		/* an answer's text, per call */
	size_t			 raw_cap;
	int64_t			 next_inquiry;
	int64_t			 next_alert;
	time_t			 started;
	time_t			 expired;	/* the last trim of day-old state */
	size_t			 connections;	/* the front ends' clients now */

	int64_t			 audit_checkpoint;	/* entries at the last */
	time_t			 audit_checkpoint_time;

	/* Front ends re-check their principals and limits after a reload. */
	void			(*on_reload)(void *);
	void			*on_reload_arg;
};

/*
 * Everything from the conf on: key, prompts, affected.db, hotline.db and
 * the state restored from it (suspensions, callers' counts, open
 * inquiries, ids). Takes conf over on success. Returns NULL with *err set.
 */
struct core *core_new(struct config *, char **err);
/*
 * Hands hotline.db to its threads: the writer (commit.c), the
 * checkpointer (store_wal.c) and the jobs' (jobs.c), which tell base's
 * loop what they did.
 */
int	core_start(struct core *, struct event_base *);

/* Commits what is pending, then frees everything the core owns. */
void	core_free(struct core *);

/*
 * Reloads the conf (clients, limits), prompts and affected.db, each only
 * if it is valid; what fails keeps the old version. Returns 0 if all
 * three reloaded, else -1 with *err describing what did not.
 */
int	core_reload(struct core *, char **err);

/*
 * Checks a client's token (constant time; an unknown client costs the
 * same as a wrong token). On success fills who's client and role and
 * returns 0; otherwise clears them, counts the failure, returns -1.
 */
int	core_authenticate(struct core *, struct principal *,
	    const char *client, const char *token);

/*
 * The client a bare token belongs to (a bearer token, as GET /metrics
 * takes it): the token's SHA-256 is compared with every client's in
 * constant time, with no early exit, so the time says nothing about
 * which client, if any, holds it. NULL if none does.
 */
const struct conf_client *core_token_client(struct core *, const char *token);

/*
 * Records an inquiry in the open group and returns its id (allocated
 * here, in memory), or -1 when out of memory (the group then fails).
 */
int64_t	core_inquiry(struct core *, struct store_inquiry *);

/* Runs fn(arg, ok) once the open group is committed (ok) or rolled back. */
int	core_on_commit(struct core *, void (*fn)(void *, int ok), void *arg);

/*
 * Commits what is pending now, waiting for it: hooks run, the answers
 * waiting for it are released, an audit checkpoint is logged when one is
 * due. Returns 0, or -1 if the group was rolled back.
 */
int	core_commit(struct core *);

/*
 * The end of a loop turn: what the turn wrote goes to the writer thread
 * (if it is idle), and is delivered on the loop when it is durable.
 */
void	core_kick(struct core *);

/*
 * At a stop: every session still open ends as abandoned, and what is
 * pending is committed, retried for up to seconds if storage fails.
 * Returns 0, or -1 (logged) if something could not be committed.
 */
int	core_finish(struct core *, int seconds);

/* Once a second: session timeouts and the expiry of what is kept a day. */
void	core_sweep(struct core *, time_t now);

/*
 * The open IVR sessions changed (or an alert opened or closed): the
 * gauges and today's figures follow.
 */
void	core_sessions_changed(struct core *);
void	core_alerts_changed(struct core *);

/*
 * Room for an answer's text of need bytes, valid until the next call is
 * dispatched (dispatch_result.raw); NULL if out of memory.
 */
char	*core_raw(struct core *, size_t need);

/* The language of a request: lang if given (ja, en), else the conf's. */
const char *core_lang(const struct core *, const char *lang);

#endif
