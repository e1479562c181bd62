/*
 * The daemon: listener, signals, the event loop and the state every
 * request may use. The loop runs one turn at a time; after each turn the
 * group transaction is committed and only then are the turn's replies
 * released (server_release), so that an acknowledged inquiry is durable.
 */
#ifndef HOTLINE_SERVER_H
#define HOTLINE_SERVER_H

#include <sys/queue.h>

#include "compat.h"
#include "session.h"

#include <stddef.h>
#include <stdint.h>
#include <time.h>

struct affected;
struct config;
struct conn;
struct event;
struct event_base;
struct evconnlistener;
struct guard;
struct hasher;
struct prompts;
struct ref_table;
struct store;

TAILQ_HEAD(conn_list, conn);

struct server {
	struct event_base	*base;
	struct evconnlistener	*listener;
	struct event		*ev_sigterm;
	struct event		*ev_sigint;
	struct event		*ev_sighup;
	struct event		*ev_accept_resume;
	struct event		*ev_grace;

	struct config		*conf;
	struct prompts		*prompts;
	struct hasher		*hasher;
	struct affected		*affected;
	struct store		*store;
	struct guard		*guard;
	struct ref_table	*refs;
	int64_t			 audit_checkpoint;	/* entries at the last */
	time_t			 audit_checkpoint_time;

	struct session_table	 sessions;
	struct event		*ev_sweep;	/* session timeouts, housekeeping */
	time_t			 caller_expired; /* last caller count cleanup */

	struct conn_list	 conns;
	size_t			 nconns;
	struct conn_list	 held;		/* conns with replies to release */
	uint64_t		 next_conn_id;

	int			 stopping;
	int			 done;
	time_t			 started;	/* for admin.status's uptime */
};

/*
 * Everything from the conf on: key, prompts, affected.db, hotline.db, the
 * listening socket. Returns NULL with *err set.
 */
struct server *server_new(struct config *, char **err);
void	server_free(struct server *);

/* Runs until SIGTERM/SIGINT has been handled; returns the exit status. */
int	server_run(struct server *);

/*
 * Reloads the conf (clients, limits), prompts and affected.db, each only
 * if it is valid; what fails keeps the old version. Returns 0 if all
 * three reloaded, else -1 with *err describing what did not.
 */
int	server_reload(struct server *, char **err);


#endif
