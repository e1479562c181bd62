/*
 * The daemon: the event loop, the JSON-RPC listener and its connections,
 * signals, the once-a-turn commit and the graceful stop. Everything a
 * request uses lives in the core (core.h); the server is one front end
 * over it and the owner of the loop.
 */
#ifndef HOTLINE_SERVER_H
#define HOTLINE_SERVER_H

#include <sys/queue.h>

#include <stddef.h>
#include <stdint.h>

struct config;
struct conn;
struct core;
struct event;
struct event_base;
struct evbuffer;
struct evconnlistener;
struct http;
struct fastagi;

TAILQ_HEAD(conn_list, conn);

struct server {
	struct event_base	*base;
	struct evconnlistener	*listener;
	struct event		*ev_sigterm;
	struct event		*ev_sigint;
	struct event		*ev_sighup;
	struct event		*ev_accept_resume;
	struct event		*ev_grace;
	struct event		*ev_sweep;
	struct event		*ev_probe;	/* the loop's stall probe */
	uint64_t		 probe_last;	/* when it last ran, ns */

	struct core		*core;
	struct http		*http;		/* NULL: no http section */
	struct fastagi		*fastagi;	/* Asterisk's calls */

	struct conn_list	 conns;
	size_t			 nconns;
	struct conn_list	 dead;		/* closed, freed after the turn */
	uint64_t		 next_conn_id;
	size_t			 queued_total;	/* unsent bytes of all conns */
	size_t			 budget_paused;	/* conns it stopped reading */
	struct evbuffer		*sending;	/* answers on their way to a
						   socket, within one call */

	int			 stopping;
	int			 done;
};

/*
 * The core from the conf on, the listening socket, the signals. Takes
 * conf over. Returns NULL with *err set.
 */
struct server *server_new(struct config *, char **err);
void	server_free(struct server *);

/*
 * Runs until SIGTERM/SIGINT has been handled; returns the exit status:
 * 0, or 1 if what was pending at the stop could not be committed.
 */
int	server_run(struct server *);

/* A connection's unsent bytes changed: the global budget may act. */
void	server_queued(struct server *, struct conn *, size_t queued);

#endif
