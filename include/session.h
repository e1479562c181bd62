/*
 * IVR sessions: one per call, opened by call.begin on a gateway's
 * connection. A session id is an opaque random string, valid only on the
 * connection that opened it; the session ends with call.end, when its
 * connection drops, or after ivr.session_timeout_s without an event, and
 * each end records the call as one inquiry.
 */
#ifndef HOTLINE_SESSION_H
#define HOTLINE_SESSION_H

#include <sys/queue.h>

#include <stdint.h>
#include <time.h>

#include "conn.h"
#include "ivr.h"

#define SESSION_ID_LEN		24	/* [A-Za-z0-9], about 143 bits */
#define SESSION_CALL_ID_MAX	64

struct server;

struct session {
	char			 id[SESSION_ID_LEN + 1];
	char			 call_id[SESSION_CALL_ID_MAX + 1];
	char			 client[CONN_CLIENT_MAX + 1];
	char			 role[16];
	struct conn		*conn;		/* the owner */
	TAILQ_ENTRY(session)	 conn_entry;
	TAILQ_ENTRY(session)	 lru_entry;	/* least recently active first */
	time_t			 started;
	time_t			 last;
	struct ivr_call		 ivr;
};

TAILQ_HEAD(session_list, session);

/* All open sessions: an index by id and an LRU list for the timeout. */
struct session_table {
	void			*root;		/* tsearch(3) tree */
	struct session_list	 lru;
	size_t			 n;
};

void	session_table_init(struct session_table *);

/*
 * A new session on c for call_id; NULL if the table is full
 * (ivr.max_sessions) or out of memory.
 */
struct session *session_new(struct server *, struct conn *,
	    const char *call_id, time_t now);

/* The session of this id if c owns it, else NULL: no oracle for others. */
struct session *session_find(struct server *, struct conn *, const char *id);

/* Marks activity: the session timeout counts from here. */
void	session_touch(struct server *, struct session *, time_t now);

/*
 * Ends a session: records the call as one inquiry (its outcome, or
 * abandoned), logs why, frees it. Returns the inquiry id, or -1 if
 * hotline.db failed (the session is freed all the same).
 */
int64_t	session_end(struct server *, struct session *, const char *reason,
	    time_t now);

/* Frees a session that could not start: no inquiry, nothing happened. */
void	session_drop(struct server *, struct session *);

/* Ends every session of a connection that is going away. */
void	session_end_conn(struct server *, struct conn *, const char *reason);

/* Ends the sessions idle for longer than the conf's session timeout. */
void	session_expire(struct server *, time_t now);

#endif
