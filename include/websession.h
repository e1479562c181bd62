/*
 * Web sessions (SPEC §6.4): what POST /login opens for a browser. A
 * session is a principal (the client of the conf that signed in, its
 * role) known by a random id that travels only in the HttpOnly cookie,
 * with a random CSRF token that the page sends back in a header. It
 * ends at sign-out, after http.session_lifetime_s from its sign-in,
 * after http.session_idle_s without a request, when its client leaves
 * the conf, or at a stop; at most http.max_sessions are open.
 *
 * Ids are looked up by a scan that compares every session's id in
 * constant time: the table is small (bounded by the conf) and the time
 * of a lookup says nothing about how much of a guessed id was right.
 */
#ifndef HOTLINE_WEBSESSION_H
#define HOTLINE_WEBSESSION_H

#include <sys/queue.h>

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "core.h"
#include "session.h"

#define WEBSESSION_ID_LEN	32	/* [A-Za-z0-9], about 190 bits */
#define WEBSESSION_CSRF_LEN	32

struct websession {
	TAILQ_ENTRY(websession)	 entry;
	char			 id[WEBSESSION_ID_LEN + 1];
	char			 csrf[WEBSESSION_CSRF_LEN + 1];
	uint64_t		 serial;	/* "web 3" in the logs */
	struct principal	 who;
	/* IVR sessions it opened (an admin may call call.begin too). */
	struct session_owner	 owner;
	time_t			 created;
	time_t			 last;		/* its last request */
};

TAILQ_HEAD(websession_list, websession);

struct websession_table {
	struct core		*core;
	struct websession_list	 list;		/* oldest sign-in first */
	size_t			 n;
	uint64_t		 next_serial;
};

void	websession_table_init(struct websession_table *, struct core *);

/*
 * A new session for who (authenticated: its client and role; its peer
 * for the logs). NULL if the table is full (*full set) or out of memory.
 */
struct websession *websession_new(struct websession_table *,
	    const struct principal *who, time_t now, int *full);

/*
 * The live session of a cookie's id, touched (its idle time starts
 * again), or NULL: unknown, malformed, or expired (then ended).
 */
struct websession *websession_find(struct websession_table *,
	    const char *id, time_t now);

/* 1 if token is the session's CSRF token (constant time). */
int	websession_csrf_ok(const struct websession *, const char *token);

/* Ends a session (its IVR sessions as abandoned) and frees it. */
void	websession_end(struct websession_table *, struct websession *,
	    const char *reason);

/* Ends the sessions past their lifetime or idle time. */
void	websession_expire(struct websession_table *, time_t now);

/*
 * After a reload: a session whose client left the conf ends, the others
 * take their client's new role.
 */
void	websession_reconfigure(struct websession_table *);

/* Ends every session (a stop, or the table going away). */
void	websession_end_all(struct websession_table *, const char *reason);

#endif
