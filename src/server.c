/*
 * The daemon's event loop and everything that is not one connection:
 * listening, accepting (with a pause on EMFILE), signals, reload, the
 * per-turn commit and release of replies, and the graceful stop.
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

#include "affected.h"
#include "config.h"
#include "conn.h"
#include "crypto.h"
#include "hasher.h"
#include "guard.h"
#include "refs.h"
#include "log.h"
#include "notify.h"
#include "prompt.h"
#include "server.h"
#include "store.h"

#define ACCEPT_PAUSE_S	1	/* out of descriptors: wait, do not spin */
#define STOP_GRACE_S	10	/* in-flight replies get this long to go out */
#define LISTEN_BACKLOG	1024
#define SWEEP_S		1	/* how often idle sessions are looked for */
#define CALLER_EXPIRE_S	600	/* how often old caller counts are dropped */

static void	server_accept_cb(struct evconnlistener *, evutil_socket_t,
		    struct sockaddr *, int, void *);
static void	server_accept_error_cb(struct evconnlistener *, void *);
static void	server_accept_resume_cb(evutil_socket_t, short, void *);
static void	server_signal_cb(evutil_socket_t, short, void *);
static void	server_grace_cb(evutil_socket_t, short, void *);
static void	server_sweep_cb(evutil_socket_t, short, void *);
static void	server_release(struct server *);
static void	server_stop(struct server *);
static void	server_checkpoint(struct server *, int);
static int	server_listen(struct server *, char **);
static struct affected *server_open_affected(struct server *,
		    const struct config *, char **);

static struct affected *
server_open_affected(struct server *srv, const struct config *conf,
    char **err)
{
	char			 key_id[HASHER_KEY_ID_SIZE];
	char			*path;
	struct affected		*a;

	hasher_key_id(srv->hasher, key_id);
	if (asprintf(&path, "%s/affected.db", conf->data_dir) == -1) {
		*err = strdup("out of memory");
		return NULL;
	}
	a = affected_open(path, key_id, err);
	free(path);
	return a;
}

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
	if (inet_pton(AF_INET, srv->conf->listen_address, &sin->sin_addr) ==
	    1) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons((uint16_t)srv->conf->listen_port);
		len = sizeof *sin;
	} else if (inet_pton(AF_INET6, srv->conf->listen_address,
	    &sin6->sin6_addr) == 1) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons((uint16_t)srv->conf->listen_port);
		len = sizeof *sin6;
	} else {
		if (asprintf(err, "listen.address: %s is not an IP address",
		    srv->conf->listen_address) == -1)
			*err = NULL;
		return -1;
	}
	srv->listener = evconnlistener_new_bind(srv->base, server_accept_cb,
	    srv, LEV_OPT_CLOSE_ON_FREE | LEV_OPT_REUSEABLE |
	    LEV_OPT_CLOSE_ON_EXEC, LISTEN_BACKLOG, (struct sockaddr *)&ss,
	    (int)len);
	if (srv->listener == NULL) {
		if (asprintf(err, "listen on %s port %d: %s",
		    srv->conf->listen_address, srv->conf->listen_port,
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

/* A suspension survives a restart: the admin must lift it. */
static void
server_load_suspended(const char *client, void *arg)
{
	struct server	*srv = arg;

	guard_set_suspended(srv, client, 1);
	log_notice("client %s is suspended (admin.client_enable lifts it)",
	    client);
}

struct server *
server_new(struct config *conf, char **err)
{
	struct server	*srv;
	unsigned char	 key[CRYPTO_KEY_SIZE];
	struct timeval	 sweep = { SWEEP_S, 0 };

	*err = NULL;
	if ((srv = calloc(1, sizeof *srv)) == NULL) {
		*err = strdup("out of memory");
		return NULL;
	}
	session_table_init(&srv->sessions);
	TAILQ_INIT(&srv->conns);
	TAILQ_INIT(&srv->held);
	srv->conf = conf;
	srv->started = time(NULL);
	if (crypto_key_load(conf->key_file, 1, key, err) == -1)
		goto fail;
	srv->hasher = hasher_new(key);
	memset(key, 0, sizeof key);
	if (srv->hasher == NULL) {
		*err = strdup("cannot set up HMAC-SHA256");
		goto fail;
	}
	if ((srv->prompts = prompt_load(conf->prompts_dir, err)) == NULL)
		goto fail;
	if ((srv->affected = server_open_affected(srv, conf, err)) == NULL)
		goto fail;
	if ((srv->store = store_open(conf->data_dir, conf->sync_full, 0,
	    err)) == NULL)
		goto fail;
	if ((srv->guard = guard_new()) == NULL ||
	    (srv->refs = ref_table_new()) == NULL ||
	    store_clients_suspended(srv->store, server_load_suspended,
	    srv) == -1) {
		*err = strdup("cannot set up the client guards");
		goto fail;
	}
	if ((srv->base = event_base_new()) == NULL) {
		*err = strdup("cannot create the event base");
		goto fail;
	}
	if (server_listen(srv, err) == -1)
		goto fail;
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
	if (srv->ev_sigterm == NULL || srv->ev_sigint == NULL ||
	    srv->ev_sighup == NULL || srv->ev_accept_resume == NULL ||
	    srv->ev_grace == NULL || srv->ev_sweep == NULL ||
	    event_add(srv->ev_sweep, &sweep) ||
	    evsignal_add(srv->ev_sigterm, NULL) ||
	    evsignal_add(srv->ev_sigint, NULL) ||
	    evsignal_add(srv->ev_sighup, NULL)) {
		*err = strdup("cannot set up signal handling");
		goto fail;
	}
	signal(SIGPIPE, SIG_IGN);
	if (!conf->audit_enabled)
		log_warnx("audit.enabled is false: requests are not audited "
		    "(for measurements only)");
	return srv;
fail:
	if (*err == NULL)
		*err = strdup("out of memory");
	srv->conf = NULL;	/* the caller still owns it */
	server_free(srv);
	return NULL;
}

void
server_free(struct server *srv)
{
	struct event	**events[] = { &srv->ev_sigterm, &srv->ev_sigint,
	    &srv->ev_sighup, &srv->ev_accept_resume, &srv->ev_grace,
	    &srv->ev_sweep };
	struct conn	*c;
	size_t		 i;

	if (srv == NULL)
		return;
	while ((c = TAILQ_FIRST(&srv->conns)) != NULL)
		conn_close(c, "shutdown");
	if (srv->listener != NULL)
		evconnlistener_free(srv->listener);
	for (i = 0; i < sizeof events / sizeof events[0]; i++)
		if (*events[i] != NULL)
			event_free(*events[i]);
	if (srv->base != NULL)
		event_base_free(srv->base);
	ref_table_free(srv->refs);
	guard_free(srv->guard);
	store_close(srv->store);
	affected_unref(srv->affected);
	prompt_free(srv->prompts);
	hasher_free(srv->hasher);
	config_free(srv->conf);
	conn_output_free();
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
	if (srv->nconns >= (size_t)srv->conf->max_connections) {
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
		if (server_reload(srv, &err) == -1)
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

/*
 * Once a second: end the sessions that saw no event for the session
 * timeout; now and then, forget caller counts older than a day.
 */
static void
server_sweep_cb(evutil_socket_t fd, short what, void *arg)
{
	struct server	*srv = arg;
	time_t		 now = time(NULL);

	(void)fd;
	(void)what;
	session_expire(srv, now);
	if (now - srv->caller_expired >= CALLER_EXPIRE_S) {
		srv->caller_expired = now;
		(void)store_caller_expire(srv->store, now - 86400);
	}
}

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
	/*
	 * Requests already read are answered: their replies are held for
	 * this turn's commit. Each connection closes once it has sent them.
	 */
	TAILQ_FOREACH_SAFE(c, &srv->conns, entry, next) {
		conn_drain_input(c);
		conn_finish(c);
		if (conn_drained(c))
			conn_close(c, "shutdown");
	}
	evtimer_add(srv->ev_grace, &tv);
}

/*
 * The end of a loop turn: commit what the turn wrote, then release the
 * replies. Before the commit no client has seen an inquiry id, so a failed
 * commit only turns those replies into errors.
 */
static void
server_release(struct server *srv)
{
	struct conn	*c, *next;
	int		 ok;

	if (TAILQ_EMPTY(&srv->held) && !store_dirty(srv->store))
		return;
	ok = store_commit(srv->store) == 0;
	if (!ok)
		log_warnx("hotline.db: commit failed; the turn's replies "
		    "become storage errors");
	TAILQ_FOREACH_SAFE(c, &srv->held, held_entry, next) {
		conn_release(c, ok);
		if (c->closing && conn_drained(c))
			conn_close(c, srv->stopping ? "shutdown" : "finished");
	}
	server_checkpoint(srv, 0);
}

/*
 * Every audit.checkpoint_every entries (at most once a second), and at the
 * end, the audit log's length and head go to the log (syslog, off the
 * machine): a log truncated later no longer reaches a checkpoint
 * (hotlinectl audit verify --checkpoint).
 */
static void
server_checkpoint(struct server *srv, int force)
{
	char	head[CRYPTO_SHA256_HEX_SIZE];
	int64_t	n;
	time_t	now;

	store_audit_head(srv->store, &n, head);
	now = time(NULL);
	if (n == 0 || n == srv->audit_checkpoint || (!force && (n <
	    srv->audit_checkpoint + srv->conf->audit_checkpoint_every ||
	    now == srv->audit_checkpoint_time)))
		return;
	srv->audit_checkpoint = n;
	srv->audit_checkpoint_time = now;
	log_notice("audit checkpoint %lld:%s", (long long)n, head);
}

int
server_run(struct server *srv)
{
	while (!srv->done) {
		if (event_base_loop(srv->base, EVLOOP_ONCE) == -1) {
			log_warnx("event loop failed");
			return 1;
		}
		server_release(srv);
		if (srv->stopping && srv->nconns == 0)
			srv->done = 1;
	}
	if (store_commit(srv->store) == -1)
		log_warnx("hotline.db: final commit failed");
	server_checkpoint(srv, 1);
	log_notice("stopped");
	return 0;
}

/* Adds "what kept: why" to the reload's message; frees why. */
static void
reload_failed(char **msg, const char *what, char *why)
{
	char	*tmp;

	if (asprintf(&tmp, "%s%s%s kept: %s", *msg ? *msg : "",
	    *msg ? "; " : "", what, why ? why : "?") == -1)
		tmp = NULL;
	free(*msg);
	*msg = tmp;
	free(why);
}

int
server_reload(struct server *srv, char **err)
{
	struct config	*conf;
	struct prompts	*prompts;
	struct affected	*a;
	struct conn	*c;
	char		*e = NULL, *msg = NULL;
	int		 failed = 0;

	*err = NULL;
	conf = config_load(srv->conf->path, &e);
	if (conf != NULL && (strcmp(conf->data_dir, srv->conf->data_dir) ||
	    strcmp(conf->key_file, srv->conf->key_file) ||
	    strcmp(conf->listen_address, srv->conf->listen_address) ||
	    conf->listen_port != srv->conf->listen_port)) {
		config_free(conf);
		conf = NULL;
		e = strdup("data_dir, key_file and listen need a restart");
	}
	if (conf == NULL) {
		reload_failed(&msg, "conf", e);
		failed = 1;
	} else {
		config_free(srv->conf);
		srv->conf = conf;
		config_apply_time_zone(conf);
		log_set_level(conf->log_level);
		TAILQ_FOREACH(c, &srv->conns, entry)
			conn_reconfigure(c);
		log_info("reload: conf loaded, %zu clients", conf->nclients);
	}
	e = NULL;
	if ((prompts = prompt_load(srv->conf->prompts_dir, &e)) == NULL) {
		reload_failed(&msg, "prompts", e);
		failed = 1;
	} else {
		prompt_free(srv->prompts);
		srv->prompts = prompts;
		log_info("reload: prompts loaded");
	}
	e = NULL;
	if ((a = server_open_affected(srv, srv->conf, &e)) == NULL) {
		reload_failed(&msg, "affected.db", e);
		failed = 1;
	} else {
		affected_unref(srv->affected);
		srv->affected = a;
		log_info("reload: affected.db loaded, %lld records",
		    (long long)affected_rows(a));
	}
	*err = msg;
	return failed ? -1 : 0;
}
