/*
 * IVR sessions: one per call, opened by call.begin. A session id is an
 * opaque random string, valid only for the owner that opened it — a
 * JSON-RPC connection, a FastAGI channel; the core knows owners only as
 * the list of their sessions. A session ends with call.end, when its
 * owner goes away, or after ivr.session_timeout_s without an event, and
 * each end records the call as one inquiry.
 *
 * An ended session stays until the inquiry is committed: if the commit
 * fails, the session is as it was before the end, so that call.end can be
 * retried (or, with its owner gone, the sweep ends it again).
 */
#ifndef HOTLINE_SESSION_H
#define HOTLINE_SESSION_H

#include <sys/queue.h>

#include <stdint.h>
#include <time.h>

#include "config.h"
#include "ivr.h"

#define SESSION_ID_LEN		24	/* [A-Za-z0-9], about 143 bits */
#define SESSION_CALL_ID_MAX	64
#define SESSION_CLIENT_MAX	64

struct core;
struct principal;

struct session {
	char			 id[SESSION_ID_LEN + 1];
	char			 call_id[SESSION_CALL_ID_MAX + 1];
	char			 client[SESSION_CLIENT_MAX + 1];
	char			 role[16];
	struct core		*core;
	struct session_owner	*owner;		/* NULL: it went away */
	TAILQ_ENTRY(session)	 owner_entry;
	TAILQ_ENTRY(session)	 lru_entry;	/* or on the orphans */
	time_t			 started;
	time_t			 last;
	int			 ending;	/* its inquiry is committing */
	struct ivr_call		 ivr;
};

TAILQ_HEAD(session_list, session);

/* What a front end embeds to own sessions: the list of its own. */
struct session_owner {
	struct session_list	 sessions;
};

/*
 * All open sessions: an index by id, an LRU list for the timeout, and the
 * orphans — sessions whose owner went away while their end could not be
 * committed — that the sweep ends again.
 */
struct session_table {
	void			*root;		/* tsearch(3) tree */
	struct session_list	 lru;
	struct session_list	 orphans;
	size_t			 n;
};

void	session_table_init(struct session_table *);
void	session_owner_init(struct session_owner *);

/*
 * A new session of who (its client, role and owner) for call_id; NULL if
 * the table is full (ivr.max_sessions) or out of memory.
 */
struct session *session_new(struct core *, const struct principal *,
	    const char *call_id, time_t now);

/* The session of this id if owner owns it, else NULL: no oracle. */
struct session *session_find(struct core *, struct session_owner *,
	    const char *id);

/* Marks activity: the session timeout counts from here. */
void	session_touch(struct core *, struct session *, time_t now);

/*
 * Ends a session: records the call as one inquiry (its outcome, or
 * abandoned) in the open group and logs why; the session is freed once
 * that is committed. Returns the inquiry id, or -1 (already ending, or
 * out of memory).
 */
int64_t	session_end(struct core *, struct session *, const char *reason,
	    time_t now);

/* Frees a session that could not start: no inquiry, nothing happened. */
void	session_drop(struct core *, struct session *);

/* Ends every session of an owner that is going away, as abandoned. */
void	session_end_owner(struct core *, struct session_owner *,
	    const char *reason);

/*
 * Ends the sessions idle for longer than the conf's session timeout, and
 * the orphans again.
 */
void	session_expire(struct core *, time_t now);

/* Ends every session that is not ending yet (a stop). */
void	session_end_all(struct core *, const char *reason);

/* Frees every session without recording anything (at exit). */
void	session_table_free(struct core *);

#endif
