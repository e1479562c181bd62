/*
 * One client connection: its bufferevent, line framing, authentication,
 * and the replies waiting for the turn's commit. A connection is freed in
 * exactly one place, conn_close(), which logs why.
 */
#ifndef HOTLINE_CONN_H
#define HOTLINE_CONN_H

#include <sys/queue.h>
#include <sys/socket.h>

#include <stdint.h>

#include <jansson.h>

#include "config.h"

struct bufferevent;
struct server;
struct session;

/* A reply held until the commit of the turn that produced it. */
struct reply {
	STAILQ_ENTRY(reply)	 entry;
	json_t			*msg;		/* owned */
	unsigned		 durable:1;	/* reports a store write */
	unsigned		 batch_open:1;	/* first element of a batch */
	unsigned		 batch_close:1;	/* last element of a batch */
};

#define CONN_CLIENT_MAX	64	/* longest client name, as in the conf */

struct conn {
	TAILQ_ENTRY(conn)	 entry;
	TAILQ_ENTRY(conn)	 held_entry;
	int			 on_held;
	struct server		*srv;
	struct bufferevent	*bev;
	uint64_t		 id;		/* for logs */
	char			 peer[64];

	/* Set by hello. */
	char			 client[CONN_CLIENT_MAX + 1];
	enum role		 role;

	STAILQ_HEAD(, reply)	 replies;
	TAILQ_HEAD(, session)	 sessions;	/* IVR sessions it opened */
	int			 closing;	/* close once output is sent */
	int			 read_paused;	/* output over the limit */
	int			 failed_hellos;
};

/* Takes over fd; on failure closes it and returns NULL. */
struct conn *conn_new(struct server *, int fd, const struct sockaddr *,
	    int socklen);
void	conn_close(struct conn *, const char *reason);

/* Queues a reply (owned) for release after the commit. */
int	conn_queue_reply(struct conn *, json_t *msg, int durable,
	    int batch_open, int batch_close);

/*
 * Sends the held replies; commit_ok 0 turns each durable reply into a
 * -32005 error, since what it reported was rolled back.
 */
void	conn_release(struct conn *, int commit_ok);

/* Reads and handles what the client has already sent (graceful stop). */
void	conn_drain_input(struct conn *);

/* Marks the connection to close once what is queued has been sent. */
void	conn_finish(struct conn *);

/*
 * After a reload: re-check the authenticated client against the new conf
 * (a removed client loses its access at once) and apply the new limits.
 */
void	conn_reconfigure(struct conn *);

/* Frees the buffer replies are serialized in (at exit). */
void	conn_output_free(void);

/* 1 when the connection has nothing left to send. */
int	conn_drained(const struct conn *);

#endif
