/*
 * One client of the JSON-RPC port: its bufferevent, line framing, its
 * principal, the IVR sessions it owns, and the answers it holds until
 * the commit barrier releases them. A connection is closed in exactly
 * one place, conn_close(), which logs why; its memory is freed after the
 * loop turn, never inside a callback that may still use it.
 */
#ifndef HOTLINE_CONN_H
#define HOTLINE_CONN_H

#include <sys/queue.h>
#include <sys/socket.h>

#include <stddef.h>
#include <stdint.h>

#include "commit.h"
#include "held.h"
#include "core.h"
#include "rpc.h"
#include "session.h"

struct bufferevent;
struct event;
struct evbuffer;
struct server;

struct conn {
	TAILQ_ENTRY(conn)	 entry;		/* the server's conns, or dead */
	struct server		*srv;
	struct bufferevent	*bev;
	struct event		*ev_line;	/* a line's deadline; at a stop,
						   the quiet one */
	uint64_t		 id;		/* for logs */

	struct principal	 who;
	struct session_owner	 sessions;
	struct rpc_peer		 peer;
	struct commit_waiter	 waiter;

	struct held		 held;		/* answers not yet released */
	size_t			 queued;	/* held + output, as last counted */

	unsigned		 stopping:1;	/* SIGTERM: finish, then close */
	unsigned		 closing:1;	/* close once all is sent */
	unsigned		 lingering:1;	/* sent all; waiting for EOF */
	unsigned		 read_paused:1;	/* its output is over the limit */
	unsigned		 budget_paused:1; /* the global output budget */
	unsigned		 eof:1;		/* the client closed its side */
	unsigned		 oom:1;		/* an answer could not be kept */
	unsigned		 dead:1;	/* closed; freed after the turn */
};

/* Takes over fd; on failure closes it and returns NULL. */
struct conn *conn_new(struct server *, int fd, const struct sockaddr *,
	    int socklen);
void	conn_close(struct conn *, const char *reason);
/* Frees a closed connection (the server, after the loop turn). */
void	conn_free(struct conn *);

/*
 * A graceful stop: the requests already sent (in our buffers, the
 * kernel's, the client's) are answered until the socket is quiet, then
 * the connection closes cleanly.
 */
void	conn_stop(struct conn *);

/*
 * After a reload: re-check the authenticated client against the new conf
 * (a removed client loses its access at once) and apply the new limits.
 */
void	conn_reconfigure(struct conn *);

/* Stops (1) or resumes (0) reading for the global output budget. */
void	conn_budget(struct conn *, int paused);

#endif
