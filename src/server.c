/*
 * The daemon's event loop and everything that is not one connection:
 * listening, accepting (with a pause on EMFILE), signals, reload, the
 * per-turn commit, the global output budget, and the graceful stop.
 */
#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/listener.h>

#include "compat.h"
#include "config.h"
#include "conn.h"
#include "core.h"
#include "http.h"
#include "fastagi.h"
#include "log.h"
#include "metrics.h"
#include "notify.h"
#include "rpc.h"
#include "server.h"

#define ACCEPT_PAUSE_S	1	/* out of descriptors: wait, do not spin */
#define STOP_GRACE_S	10	/* in-flight answers get this long to go out */
#define FINISH_S	10	/* the last commit at a stop is retried so long */
#define LISTEN_BACKLOG	1024
#define SWEEP_S		1	/* how often idle sessions are looked for */
#define PROBE_MS	10	/* the loop's stall probe */
#define STALL_LOGGED_NS	(20 * 1000000ULL)	/* a stall worth a log line */

static void	server_accept_cb(struct evconnlistener *, evutil_socket_t,
		    struct sockaddr *, int, void *);
static void	server_accept_error_cb(struct evconnlistener *, void *);
static void	server_accept_resume_cb(evutil_socket_t, short, void *);
static void	server_signal_cb(evutil_socket_t, short, void *);
static void	server_grace_cb(evutil_socket_t, short, void *);
static void	server_sweep_cb(evutil_socket_t, short, void *);
static void	server_probe_cb(evutil_socket_t, short, void *);
static void	server_stop(struct server *);
static int	server_listen(struct server *, char **);

static int
server_listen(struct server *srv, char **err)
{
	struct sockaddr_storage	 ss;
	struct sockaddr_in	*sin = (struct sockaddr_in *)&ss;
	struct sockaddr_in6	*sin6 = (struct sockaddr_in6 *)&ss;
	socklen_t		 len;
	char			 host[INET6_ADDRSTRLEN];
	int			 port;

	memset(&ss, 0, sizeof ss);
	if (inet_pton(AF_INET, srv->core->conf->listen_address, &sin->sin_addr) ==
	    1) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons((uint16_t)srv->core->conf->listen_port);
		len = sizeof *sin;
	} else if (inet_pton(AF_INET6, srv->core->conf->listen_address,
	    &sin6->sin6_addr) == 1) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons((uint16_t)srv->core->conf->listen_port);
		len = sizeof *sin6;
	} else {
		if (asprintf(err, "listen.address: %s is not an IP address",
		    srv->core->conf->listen_address) == -1)
			*err = NULL;
		return -1;
	}
	srv->listener = evconnlistener_new_bind(srv->base, server_accept_cb,
	    srv, LEV_OPT_CLOSE_ON_FREE | LEV_OPT_REUSEABLE |
	    LEV_OPT_CLOSE_ON_EXEC, LISTEN_BACKLOG, (struct sockaddr *)&ss,
	    (int)len);
	if (srv->listener == NULL) {
		if (asprintf(err, "listen on %s port %d: %s",
		    srv->core->conf->listen_address, srv->core->conf->listen_port,
		    strerror(errno)) == -1)
			*err = NULL;
		return -1;
	}
	evconnlistener_set_error_cb(srv->listener, server_accept_error_cb);
	len = sizeof ss;
	getsockname(evconnlistener_get_fd(srv->listener),
	    (struct sockaddr *)&ss, &len);
	if (ss.ss_family == AF_INET) {
		inet_ntop(AF_INET, &sin->sin_addr, host, sizeof host);
		port = ntohs(sin->sin_port);
	} else {
		inet_ntop(AF_INET6, &sin6->sin6_addr, host, sizeof host);
		port = ntohs(sin6->sin6_port);
	}
	/* Tests and scripts wait for this line to learn the port. */
	log_notice("listening on %s port %d", host, port);
	return 0;
}

/* After a reload, every connection re-checks its client and limits. */
static void
server_reconfigure(void *arg)
{
	struct server	*srv = arg;
	struct conn	*c;

	TAILQ_FOREACH(c, &srv->conns, entry)
		conn_reconfigure(c);
	/* The HTTP front end: its limits, pages, certificate, web sessions. */
	http_reconfigure(srv->http);
	fastagi_reconfigure(srv->fastagi);
}

struct server *
server_new(struct config *conf, char **err)
{
	struct server	*srv;
	struct timeval	 sweep = { SWEEP_S, 0 };
	struct timeval	 probe = { 0, PROBE_MS * 1000 };

	*err = NULL;
	if ((srv = calloc(1, sizeof *srv)) == NULL) {
		config_free(conf);
		*err = strdup("out of memory");
		return NULL;
	}
	TAILQ_INIT(&srv->conns);
	TAILQ_INIT(&srv->dead);
	if ((srv->core = core_new(conf, err)) == NULL) {
		config_free(conf);
		free(srv);
		return NULL;
	}
	srv->core->on_reload = server_reconfigure;
	srv->core->on_reload_arg = srv;
	if ((srv->base = event_base_new()) == NULL) {
		*err = strdup("cannot create the event base");
		goto fail;
	}
	if ((srv->sending = evbuffer_new()) == NULL)
		goto fail;	/* out of memory */
	/* From here on, hotline.db is written on a thread of its own. */
	if (core_start(srv->core, srv->base) == -1) {
		*err = strdup("cannot start the writer thread");
		goto fail;
	}
	srv->ev_sigterm = evsignal_new(srv->base, SIGTERM, server_signal_cb,
	    srv);
	srv->ev_sigint = evsignal_new(srv->base, SIGINT, server_signal_cb,
	    srv);
	srv->ev_sighup = evsignal_new(srv->base, SIGHUP, server_signal_cb,
	    srv);
	srv->ev_accept_resume = evtimer_new(srv->base,
	    server_accept_resume_cb, srv);
	srv->ev_grace = evtimer_new(srv->base, server_grace_cb, srv);
	srv->ev_sweep = event_new(srv->base, -1, EV_PERSIST, server_sweep_cb,
	    srv);
	srv->ev_probe = event_new(srv->base, -1, EV_PERSIST, server_probe_cb,
	    srv);
	if (srv->ev_sigterm == NULL || srv->ev_sigint == NULL ||
	    srv->ev_sighup == NULL || srv->ev_accept_resume == NULL ||
	    srv->ev_grace == NULL || srv->ev_sweep == NULL ||
	    srv->ev_probe == NULL || event_add(srv->ev_sweep, &sweep) ||
	    event_add(srv->ev_probe, &probe) ||
	    evsignal_add(srv->ev_sigterm, NULL) ||
	    evsignal_add(srv->ev_sigint, NULL) ||
	    evsignal_add(srv->ev_sighup, NULL)) {
		*err = strdup("cannot set up signal handling");
		goto fail;
	}
	signal(SIGPIPE, SIG_IGN);
	/* The HTTP front end (SPEC §6.4), when the conf has an http section. */
	if (srv->core->conf->http_enabled &&
	    (srv->http = http_new(srv->base, srv->core, err)) == NULL)
		goto fail;
	/* Asterisk's calls: a front end of its own over the same core. */
	if ((srv->fastagi = fastagi_new(srv->base, srv->core, err)) == NULL)
		goto fail;
	/* Last: the "listening" line tells scripts that signals are handled. */
	if (server_listen(srv, err) == -1)
		goto fail;
	return srv;
fail:
	if (*err == NULL)
		*err = strdup("out of memory");
	server_free(srv);
	return NULL;
}

/* Frees the connections closed during the last turn. */
static void
server_reap(struct server *srv)
{
	struct conn	*c;

	while ((c = TAILQ_FIRST(&srv->dead)) != NULL) {
		TAILQ_REMOVE(&srv->dead, c, entry);
		conn_free(c);
	}
}

void
server_free(struct server *srv)
{
	struct event	**events[] = { &srv->ev_sigterm, &srv->ev_sigint,
	    &srv->ev_sighup, &srv->ev_accept_resume, &srv->ev_grace,
	    &srv->ev_sweep, &srv->ev_probe };
	struct conn	*c;
	size_t		 i;

	if (srv == NULL)
		return;
	while ((c = TAILQ_FIRST(&srv->conns)) != NULL)
		conn_close(c, "shutdown");
	server_reap(srv);
	/* Before the core and the base: its connections and web sessions. */
	http_free(srv->http);
	fastagi_free(srv->fastagi);
	if (srv->listener != NULL)
		evconnlistener_free(srv->listener);
	for (i = 0; i < sizeof events / sizeof events[0]; i++)
		if (*events[i] != NULL)
			event_free(*events[i]);
	core_free(srv->core);
	if (srv->sending != NULL)
		evbuffer_free(srv->sending);
	if (srv->base != NULL)
		event_base_free(srv->base);
	rpc_free_buffers();
	free(srv);
}

static void
server_accept_cb(struct evconnlistener *l, evutil_socket_t fd,
    struct sockaddr *sa, int socklen, void *arg)
{
	struct server	*srv = arg;

	(void)l;
	if (srv->stopping) {
		evutil_closesocket(fd);
		return;
	}
	if (srv->nconns >= (size_t)srv->core->conf->max_connections) {
		log_warnx("connection refused: %zu connections open "
		    "(limits.max_connections)", srv->nconns);
		evutil_closesocket(fd);
		return;
	}
	evutil_make_socket_closeonexec(fd);
	if (conn_new(srv, fd, sa, socklen) == NULL)
		log_warnx("connection dropped: out of memory");
}

/* Out of descriptors: stop accepting for a moment instead of spinning. */
static void
server_accept_error_cb(struct evconnlistener *l, void *arg)
{
	struct server	*srv = arg;
	struct timeval	 tv = { ACCEPT_PAUSE_S, 0 };
	int		 e = EVUTIL_SOCKET_ERROR();

	if (e == EMFILE || e == ENFILE || e == ENOBUFS || e == ENOMEM) {
		log_warnx("accept: %s; pausing %d s", strerror(e),
		    ACCEPT_PAUSE_S);
		evconnlistener_disable(l);
		evtimer_add(srv->ev_accept_resume, &tv);
		return;
	}
	log_warnx("accept: %s", strerror(e));
}

static void
server_accept_resume_cb(evutil_socket_t fd, short what, void *arg)
{
	struct server	*srv = arg;

	(void)fd;
	(void)what;
	if (!srv->stopping)
		evconnlistener_enable(srv->listener);
}

static void
server_signal_cb(evutil_socket_t sig, short what, void *arg)
{
	struct server	*srv = arg;
	char		*err = NULL;

	(void)what;
	if (sig == SIGHUP) {
		log_notice("SIGHUP: reloading");
		notify_reloading();
		if (core_reload(srv->core, &err) == -1)
			log_warnx("reload: %s", err);
		free(err);
		notify_ready();
		return;
	}
	log_notice("%s: stopping", sig == SIGTERM ? "SIGTERM" : "SIGINT");
	server_stop(srv);
}

static void
server_grace_cb(evutil_socket_t fd, short what, void *arg)
{
	struct server	*srv = arg;
	struct conn	*c;

	(void)fd;
	(void)what;
	while ((c = TAILQ_FIRST(&srv->conns)) != NULL)
		conn_close(c, "shutdown: grace period over");
}

/* Once a second: session timeouts, and what is kept for a day. */
static void
server_sweep_cb(evutil_socket_t fd, short what, void *arg)
{
	struct server	*srv = arg;

	(void)fd;
	(void)what;
	core_sweep(srv->core, time(NULL));
}

static uint64_t
mono_ns(void)
{
	struct timespec	t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000000ULL + (uint64_t)t.tv_nsec;
}

/*
 * Every PROBE_MS: how late this timer runs is how long the loop was busy
 * with something else — a stall every answer of the moment waited for.
 */
static void
server_probe_cb(evutil_socket_t fd, short what, void *arg)
{
	struct server	*srv = arg;
	uint64_t	 now = mono_ns(), due;

	(void)fd;
	(void)what;
	due = srv->probe_last + PROBE_MS * 1000000ULL;
	if (srv->probe_last != 0 && now > due) {
		metrics_loop_lag(srv->core->metrics, now - due);
		if (now - due > STALL_LOGGED_NS)
			log_info("the event loop stalled %.1f ms",
			    (double)(now - due) / 1e6);
	} else if (srv->probe_last != 0)
		metrics_loop_lag(srv->core->metrics, 0);
	srv->probe_last = now;
}

/*
 * A graceful stop (SPEC §8): no new connections; every request received
 * before the signal is answered, then each connection closes cleanly.
 */
static void
server_stop(struct server *srv)
{
	struct timeval	 tv = { STOP_GRACE_S, 0 };
	struct conn	*c, *next;

	if (srv->stopping)
		return;
	srv->stopping = 1;
	notify_stopping();
	evconnlistener_disable(srv->listener);
	evtimer_del(srv->ev_accept_resume);
	TAILQ_FOREACH_SAFE(c, &srv->conns, entry, next)
		conn_stop(c);
	/* HTTP: no new connections, requests in flight answered. */
	http_stop(srv->http);
	fastagi_stop(srv->fastagi);
	evtimer_add(srv->ev_grace, &tv);
}

void
server_queued(struct server *srv, struct conn *c, size_t queued)
{
	srv->queued_total += queued - c->queued;
	c->queued = queued;
}

static int
queued_cmp(const void *a, const void *b)
{
	const struct conn	*x = *(struct conn *const *)a;
	const struct conn	*y = *(struct conn *const *)b;

	return x->queued < y->queued ? 1 : x->queued > y->queued ? -1 : 0;
}

/*
 * The global budget of unsent bytes (limits.max_output_total): over it,
 * the connections holding the most stop being read, largest first,
 * until what the others hold is under half the budget; under half, all
 * read again.
 */
static void
server_budget(struct server *srv)
{
	size_t		 budget = (size_t)srv->core->conf->max_output_total;
	size_t		 n = 0, i, left;
	struct conn	*c, **v;

	if (srv->queued_total <= budget) {
		if (srv->budget_paused == 0 || srv->queued_total > budget / 2)
			return;
		TAILQ_FOREACH(c, &srv->conns, entry)
			if (c->budget_paused)
				conn_budget(c, 0);
		return;
	}
	if ((v = calloc(srv->nconns, sizeof *v)) == NULL)
		return;
	TAILQ_FOREACH(c, &srv->conns, entry)
		if (!c->budget_paused && c->queued > 0)
			v[n++] = c;
	qsort(v, n, sizeof *v, queued_cmp);
	left = srv->queued_total;
	for (i = 0; i < n && left > budget / 2; i++) {
		log_warnx("%s: %zu bytes unsent, over the budget of all "
		    "connections: not read until it drains", v[i]->who.origin,
		    v[i]->queued);
		conn_budget(v[i], 1);
		left -= v[i]->queued;
	}
	free(v);
}

int
server_run(struct server *srv)
{
	while (!srv->done) {
		if (event_base_loop(srv->base, EVLOOP_ONCE) == -1) {
			log_warnx("event loop failed");
			return 1;
		}
		core_kick(srv->core);
		server_budget(srv);
		server_reap(srv);
		if (srv->stopping && srv->nconns == 0 &&
		    http_pending(srv->http) == 0 &&
		    fastagi_open(srv->fastagi) == 0)
			srv->done = 1;
	}
	log_notice("the event loop's longest stall: %.1f ms",
	    (double)metrics_loop_lag_max(srv->core->metrics) / 1e6);
	if (core_finish(srv->core, FINISH_S) == -1) {
		log_warnx("stopped: what was pending could not be committed");
		return 1;
	}
	log_notice("stopped");
	return 0;
}
