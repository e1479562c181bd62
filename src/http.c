/*
 * The HTTP front end (include/http.h): evhttp's listener and connections,
 * the routes, the security headers of every response, web sessions and
 * CSRF, /rpc through rpc.c with its answers held for the commit barrier,
 * the access log, and the limits.
 *
 * evhttp parses and frames; it does not count connections nor say when
 * one opens. Each connection is made here (evhttp_set_bevcb), so it is
 * counted at accept, and bound to its evhttp connection right after
 * (bufferevent_getcb gives it), where its close callback is set: from
 * then on it is freed in exactly one place, http_closed(), which evhttp
 * calls whatever ends the connection.
 */
#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <errno.h>
#include <search.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <event2/listener.h>

#include <jansson.h>

#include "affected.h"
#include "commit.h"
#include "compat.h"
#include "config.h"
#include "core.h"
#include "dispatch.h"
#include "held.h"
#include "http.h"
#include "log.h"
#include "metrics.h"
#include "rpc.h"
#include "tls.h"
#include "webfiles.h"
#include "websession.h"

#define HTTP_GRACE_S	10	/* at a stop, requests in flight get this long */
#define HTTP_SWEEP_S	1	/* how often web sessions' expiry is checked */
#define HTTP_PAUSE_S	1	/* out of descriptors: stop accepting so long */
#define HTTP_CLIENT_MAX	64	/* a sign-in's client name (as in the conf) */
#define HTTP_TOKEN_MAX	256	/* a token, as hello looks at it */
#define HTTP_COOKIE	"hotline_session"

/*
 * A policy for pages that run only their own files: no inline script or
 * style, nothing from another origin, never in a frame (docs/WEB.md).
 */
#define HTTP_CSP	"default-src 'none'; script-src 'self'; " \
			"style-src 'self'; img-src 'self'; connect-src 'self'; " \
			"form-action 'self'; frame-ancestors 'none'; " \
			"base-uri 'none'"

/* What every response carries, whoever made it. */
static const struct {
	const char	*name;
	const char	*value;
} security_headers[] = {
	{ "Content-Security-Policy", HTTP_CSP },
	{ "X-Content-Type-Options", "nosniff" },
	{ "X-Frame-Options", "DENY" },
	{ "Referrer-Policy", "no-referrer" },
	{ "Cross-Origin-Opener-Policy", "same-origin" },
	{ "Cross-Origin-Resource-Policy", "same-origin" },
};
#define HTTP_HSTS	"max-age=31536000"

enum route {
	ROUTE_OTHER = 0,
	ROUTE_HEALTHZ,
	ROUTE_READYZ,
	ROUTE_METRICS,
	ROUTE_LOGIN,
	ROUTE_LOGOUT,
	ROUTE_RPC,
	ROUTE_INDEX,
	ROUTE_DESK,
	ROUTE_WALLBOARD,
	ROUTE_ASSET,
	ROUTE_FAVICON,
};

#define M_GET	(EVHTTP_REQ_GET | EVHTTP_REQ_HEAD)
#define M_POST	EVHTTP_REQ_POST

static const struct {
	const char	*path;
	enum route	 route;
	unsigned	 methods;
	const char	*file;		/* a page: its file in web_dir */
	unsigned	 roles;		/* a page: who may open it (and admin) */
} routes[] = {
	{ "/healthz", ROUTE_HEALTHZ, M_GET, NULL, 0 },
	{ "/readyz", ROUTE_READYZ, M_GET, NULL, 0 },
	{ "/metrics", ROUTE_METRICS, M_GET, NULL, 0 },
	{ "/login", ROUTE_LOGIN, M_POST, NULL, 0 },
	{ "/logout", ROUTE_LOGOUT, M_POST, NULL, 0 },
	{ "/rpc", ROUTE_RPC, M_POST, NULL, 0 },
	{ "/", ROUTE_INDEX, M_GET, "index.html", ~0u },
	{ "/desk", ROUTE_DESK, M_GET, "desk.html", ROLE_OPERATOR },
	{ "/wallboard", ROUTE_WALLBOARD, M_GET, "wallboard.html",
	  ROLE_SUPERVISOR },
	/* What a browser asks for on a page without an icon (a 403). */
	{ "/favicon.ico", ROUTE_FAVICON, M_GET, NULL, 0 },
};
#define NROUTES	(sizeof routes / sizeof routes[0])

enum hold {
	HOLD_NONE = 0,
	HOLD_RPC,		/* /rpc: answers waiting for their groups */
	HOLD_LOGIN,		/* /login: the hello's audit entry */
};

struct http_conn {
	TAILQ_ENTRY(http_conn)	 entry;		/* http's fresh or conns */
	struct http		*h;
	struct bufferevent	*bev;
	struct evhttp_connection *evcon;	/* NULL until bound */
	struct evbuffer_cb_entry *in_cb;
	struct evbuffer_cb_entry *out_cb;
	struct event		*ev_deadline;	/* a request's arrival */
	uint64_t		 id;
	char			 origin[PRINCIPAL_ORIGIN_MAX];	/* "http 7" */
	char			 peer[64];

	/* The request in hand: evhttp reads the next after its answer. */
	struct evhttp_request	*req;
	enum route		 route;
	const struct webfile	*file;		/* ROUTE_ASSET */
	char			 client[PRINCIPAL_NAME_MAX + 1]; /* for logs */
	struct timespec		 seg;		/* this loop segment's start */
	uint64_t		 loop_ns;	/* the loop's time on it */

	enum hold		 hold;
	struct commit_waiter	 waiter;
	struct rpc_peer		 rpc;
	struct principal	 who;		/* /login: who signs in */
	uint64_t		 login_seq;
	int			 login_error;	/* the hello's, or 0 */
	struct held		 held;		/* answers not yet released */
	struct evbuffer		*out;		/* answers released */

	unsigned		 broken:1;	/* could not be set up: close */
	unsigned		 ours:1;	/* our answer is being written */
	unsigned		 injecting:1;
	unsigned		 oom:1;
};

TAILQ_HEAD(http_conn_list, http_conn);

struct http {
	struct event_base	*base;
	struct core		*core;
	struct evhttp		*evhttp;
	struct evhttp_bound_socket *bound;
	struct evconnlistener	*listener;
	struct tls		*tls;		/* NULL: plain HTTP (loopback) */
	struct webfiles		*files;
	struct websession_table	 sessions;

	struct http_conn_list	 fresh;		/* accepted, not yet bound */
	struct http_conn_list	 conns;		/* bound */
	void			*by_evcon;	/* tsearch(3) tree of conns */
	size_t			 nconns;	/* fresh and bound */
	uint64_t		 next_id;

	struct event		*ev_bind;	/* binds the fresh ones */
	struct event		*ev_sweep;
	struct event		*ev_grace;
	struct event		*ev_resume;
	int			 paused_full;	/* at http.max_connections */
	int			 paused_error;	/* out of descriptors */
	int			 stopping;
};

#define CONN_OF(p, member) \
	((struct http_conn *)(void *)((char *)(p) - \
	offsetof(struct http_conn, member)))

static void	http_closed(struct evhttp_connection *, void *);
static void	http_send(struct http_conn *, int, const char *, int,
		    struct evbuffer *);
static void	http_release(struct commit_waiter *, uint64_t, int);
static void	http_rpc_answer(struct rpc_peer *, const struct rpc_answer *);
static void	http_rpc_release(struct http_conn *, uint64_t, int);

static uint64_t
elapsed_ns(const struct timespec *t0)
{
	struct timespec	t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)((t.tv_sec - t0->tv_sec) * 1000000000LL +
	    (t.tv_nsec - t0->tv_nsec));
}

/* ---- the listener and the connections' life ---- */

static int
evcon_cmp(const void *a, const void *b)
{
	const struct http_conn	*x = a, *y = b;
	uintptr_t		 p = (uintptr_t)x->evcon, q = (uintptr_t)y->evcon;

	return p < q ? -1 : p > q;
}

/* The connection a request came on, or NULL (not bound yet). */
static struct http_conn *
http_conn_of(struct http *h, struct evhttp_request *req)
{
	struct http_conn	 key, **found;

	key.evcon = evhttp_request_get_connection(req);
	if (key.evcon == NULL)
		return NULL;
	found = tfind(&key, &h->by_evcon, evcon_cmp);
	return found != NULL ? *found : NULL;
}

/* Accepting stops at http.max_connections, and for a while on EMFILE. */
static void
http_accepting(struct http *h)
{
	h->paused_full = h->nconns >= (size_t)h->core->conf->http_max_connections;
	if (h->listener == NULL)
		return;		/* evhttp_free() is closing everything */
	if (h->stopping || h->paused_full || h->paused_error)
		evconnlistener_disable(h->listener);
	else
		evconnlistener_enable(h->listener);
}

static void
http_count(struct http *h, int d)
{
	h->nconns += (size_t)d;
	h->core->connections += (size_t)d;
	metrics_gauge_add(h->core->metrics, METRICS_CONNECTIONS_HTTP, d);
}

/* Frees what a connection owns of its own (not the bufferevent). */
static void
http_conn_free(struct http_conn *c)
{
	if (c->in_cb != NULL)
		evbuffer_remove_cb_entry(bufferevent_get_input(c->bev),
		    c->in_cb);
	if (c->out_cb != NULL)
		evbuffer_remove_cb_entry(bufferevent_get_output(c->bev),
		    c->out_cb);
	if (c->ev_deadline != NULL)
		event_free(c->ev_deadline);
	rpc_peer_gone(&c->rpc);
	held_free(&c->held);
	if (c->out != NULL)
		evbuffer_free(c->out);
	free(c);
}

/*
 * The first bytes of a request start its deadline (http.request_timeout_s):
 * one that trickles in holds no connection for long.
 */
static void
http_input_cb(struct evbuffer *in, const struct evbuffer_cb_info *info,
    void *arg)
{
	struct http_conn	*c = arg;
	struct timeval		 tv = { c->h->core->conf->http_request_timeout_s,
	    0 };

	(void)in;
	if (info->n_added > 0 && c->req == NULL && c->evcon != NULL &&
	    !evtimer_pending(c->ev_deadline, NULL))
		evtimer_add(c->ev_deadline, &tv);
}

static void
http_deadline_cb(evutil_socket_t fd, short what, void *arg)
{
	struct http_conn	*c = arg;

	(void)fd;
	(void)what;
	log_warnx("%s: a request took over %d s to arrive, closing",
	    c->origin, c->h->core->conf->http_request_timeout_s);
	/* Our own timer, not evhttp's callback: the connection may go. */
	evhttp_connection_free(c->evcon);
}

/* The security headers as text, after a status line evhttp wrote. */
static void
http_security_text(struct http_conn *c, struct evbuffer *out)
{
	size_t	i;

	for (i = 0; i < sizeof security_headers / sizeof security_headers[0];
	    i++)
		evbuffer_add_printf(out, "%s: %s\r\n", security_headers[i].name,
		    security_headers[i].value);
	if (c->h->tls != NULL)
		evbuffer_add_printf(out, "Strict-Transport-Security: %s\r\n",
		    HTTP_HSTS);
	evbuffer_add_printf(out, "Cache-Control: no-store\r\n");
}

/*
 * evhttp answers some requests itself, before any callback of ours: a
 * malformed request line or header (400), headers or a body over the
 * limits (413). Those responses carry the security headers too: when a
 * response that is not ours starts and a status line is all the output
 * holds, they go in right after it. evhttp writes the status line first
 * and alone (evhttp_make_header_response); were it ever to write more at
 * once, nothing would be inserted — never anything broken.
 */
static void
http_output_cb(struct evbuffer *out, const struct evbuffer_cb_info *info,
    void *arg)
{
	struct http_conn	*c = arg;
	struct evbuffer_ptr	 eol;
	struct evbuffer_iovec	 v;
	size_t			 eol_len;
	char			 line[64];

	if (c->ours || c->injecting || info->orig_size != 0 ||
	    info->n_added == 0)
		return;
	/*
	 * A socket bufferevent freezes its output's start (evbuffer_copyout
	 * refuses then); peeking and searching read it all the same.
	 */
	if (evbuffer_peek(out, -1, NULL, &v, 1) < 1 || v.iov_len < 12 ||
	    memcmp(v.iov_base, "HTTP/", 5) != 0)
		return;
	eol = evbuffer_search_eol(out, NULL, &eol_len,
	    EVBUFFER_EOL_CRLF_STRICT);
	if (eol.pos < 0 || (size_t)eol.pos + eol_len !=
	    evbuffer_get_length(out) || eol.pos >= (ev_ssize_t)sizeof line ||
	    (size_t)eol.pos > v.iov_len)
		return;
	memcpy(line, v.iov_base, (size_t)eol.pos);
	line[eol.pos] = '\0';
	c->injecting = 1;
	http_security_text(c, out);
	c->injecting = 0;
	if (c->h->core->conf->http_access_log)
		log_info("%s: refused by the HTTP parser (malformed, or over "
		    "http.max_header_bytes or http.max_body_bytes): %s",
		    c->origin, line + 9);
}

/*
 * evhttp asks for each accepted connection's bufferevent: it is made
 * here (with TLS when the conf has a certificate), so the connection is
 * counted now and bound to its evhttp connection right after accept.
 */
static struct bufferevent *
http_bev_cb(struct event_base *base, void *arg)
{
	struct http		*h = arg;
	struct http_conn	*c;
	struct bufferevent	*bev = NULL;
	int			 broken = 0;

	if (h->tls != NULL)
		bev = tls_bufferevent(h->tls, base);
	if (bev == NULL) {
		/*
		 * Without its TLS the connection must not be read at all: it
		 * gets a plain bufferevent and is closed when bound, before
		 * anything is read.
		 */
		broken = h->tls != NULL;
		bev = bufferevent_socket_new(base, -1, BEV_OPT_CLOSE_ON_FREE);
	}
	if (bev == NULL)
		return NULL;	/* evhttp's own attempt fails too, and closes */
	if ((c = calloc(1, sizeof *c)) == NULL) {
		bufferevent_free(bev);
		return NULL;
	}
	c->h = h;
	c->bev = bev;
	c->broken = broken;
	c->id = ++h->next_id;
	snprintf(c->origin, sizeof c->origin, "http %llu",
	    (unsigned long long)c->id);
	c->waiter.release = http_release;
	c->rpc.core = h->core;
	c->rpc.answer = http_rpc_answer;
	if ((c->ev_deadline = evtimer_new(base, http_deadline_cb, c)) ==
	    NULL || (c->in_cb = evbuffer_add_cb(bufferevent_get_input(bev),
	    http_input_cb, c)) == NULL || (c->out_cb = evbuffer_add_cb(
	    bufferevent_get_output(bev), http_output_cb, c)) == NULL)
		c->broken = 1;
	/* Until it is bound, the bufferevent must outlive evhttp's hold. */
	bufferevent_incref(bev);
	TAILQ_INSERT_TAIL(&h->fresh, c, entry);
	http_count(h, 1);
	http_accepting(h);
	event_active(h->ev_bind, EV_TIMEOUT, 1);
	return bev;
}

/*
 * Binds the connections accepted since the last time to their evhttp
 * connections (their bufferevents' callback argument), before any of
 * them can have read a byte: the close callback is set, the peer is
 * known. One that evhttp gave up meanwhile is forgotten.
 */
static void
http_bind(struct http *h)
{
	struct http_conn	*c;
	bufferevent_event_cb	 eventcb;
	void			*arg;
	char			*addr = NULL;
	ev_uint16_t		 port = 0;

	while ((c = TAILQ_FIRST(&h->fresh)) != NULL) {
		TAILQ_REMOVE(&h->fresh, c, entry);
		eventcb = NULL;
		arg = NULL;
		bufferevent_getcb(c->bev, NULL, NULL, &eventcb, &arg);
		if (eventcb == NULL || arg == NULL) {
			/* evhttp freed it: the last reference is ours. */
			http_count(h, -1);
			bufferevent_decref(c->bev);
			c->in_cb = c->out_cb = NULL;	/* went with it */
			http_conn_free(c);
			continue;
		}
		c->evcon = arg;
		evhttp_connection_get_peer(c->evcon, &addr, &port);
		snprintf(c->peer, sizeof c->peer, "%s%s%s:%u",
		    addr != NULL && strchr(addr, ':') ? "[" : "",
		    addr != NULL ? addr : "?",
		    addr != NULL && strchr(addr, ':') ? "]" : "",
		    (unsigned)port);
		evhttp_connection_set_closecb(c->evcon, http_closed, c);
		/* Not indexed (out of memory): its requests get a 503. */
		(void)tsearch(c, &h->by_evcon, evcon_cmp);
		TAILQ_INSERT_TAIL(&h->conns, c, entry);
		bufferevent_decref(c->bev);
		log_debug("%s: open from %s", c->origin, c->peer);
		if (c->broken || h->stopping)
			evhttp_connection_free(c->evcon);
	}
	http_accepting(h);
}

static void
http_bind_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	http_bind(arg);
}

/*
 * evhttp closes a connection, for whatever reason: the one place where
 * a connection is freed. A request still in hand is forgotten (its held
 * answers with it); one evhttp detached from the connection is ours to
 * free.
 */
static void
http_closed(struct evhttp_connection *evcon, void *arg)
{
	struct http_conn	*c = arg;
	struct http		*h = c->h;

	(void)evcon;
	if (c->req != NULL) {
		log_info("%s: closed before its answer went out", c->origin);
		commit_unwait(h->core->commit, &c->waiter);
		if (evhttp_request_get_connection(c->req) == NULL)
			evhttp_request_free(c->req);
		c->req = NULL;
	}
	log_debug("%s: closed", c->origin);
	tdelete(c, &h->by_evcon, evcon_cmp);
	TAILQ_REMOVE(&h->conns, c, entry);
	http_count(h, -1);
	http_conn_free(c);
	http_accepting(h);
}

/* Out of descriptors: stop accepting for a moment instead of spinning. */
static void
http_accept_error_cb(struct evconnlistener *l, void *arg)
{
	struct http	*h = arg;
	struct timeval	 tv = { HTTP_PAUSE_S, 0 };
	int		 e = EVUTIL_SOCKET_ERROR();

	(void)l;
	if (e == EMFILE || e == ENFILE || e == ENOBUFS || e == ENOMEM) {
		log_warnx("http: accept: %s; pausing %d s", strerror(e),
		    HTTP_PAUSE_S);
		h->paused_error = 1;
		http_accepting(h);
		evtimer_add(h->ev_resume, &tv);
		return;
	}
	log_warnx("http: accept: %s", strerror(e));
}

static void
http_resume_cb(evutil_socket_t fd, short what, void *arg)
{
	struct http	*h = arg;

	(void)fd;
	(void)what;
	h->paused_error = 0;
	http_accepting(h);
}

/* ---- answers ---- */

static const char *
method_name(enum evhttp_cmd_type m)
{
	switch (m) {
	case EVHTTP_REQ_GET:
		return "GET";
	case EVHTTP_REQ_POST:
		return "POST";
	case EVHTTP_REQ_HEAD:
		return "HEAD";
	case EVHTTP_REQ_PUT:
		return "PUT";
	case EVHTTP_REQ_DELETE:
		return "DELETE";
	case EVHTTP_REQ_OPTIONS:
		return "OPTIONS";
	case EVHTTP_REQ_TRACE:
		return "TRACE";
	case EVHTTP_REQ_CONNECT:
		return "CONNECT";
	case EVHTTP_REQ_PATCH:
		return "PATCH";
	default:
		return "?";
	}
}

/*
 * The path as the access log shows it: a route's own, an asset's name,
 * or "(other)" — never what a client made up, which could be anything
 * it typed.
 */
static const char *
route_name(const struct http_conn *c, char *buf, size_t size)
{
	size_t	i;

	if (c->route == ROUTE_ASSET && c->file != NULL) {
		snprintf(buf, size, "/%s", c->file->name);
		return buf;
	}
	for (i = 0; i < NROUTES; i++)
		if (routes[i].route == c->route)
			return routes[i].path;
	return "(other)";
}

static void
http_done_cb(struct evhttp_request *req, void *arg)
{
	struct http_conn	*c = arg;
	struct timeval		 tv = { c->h->core->conf->http_request_timeout_s,
	    0 };

	(void)req;
	c->req = NULL;
	c->ours = 0;
	/* A next request already in the input has its deadline too. */
	if (evbuffer_get_length(bufferevent_get_input(c->bev)) > 0)
		evtimer_add(c->ev_deadline, &tv);
}

/*
 * Sends the answer to the request in hand: the security headers, its
 * type, Cache-Control (no-store but for assets), and the access log
 * line. body may be NULL; it is emptied.
 */
static void
http_send(struct http_conn *c, int code, const char *type, int cacheable,
    struct evbuffer *body)
{
	struct evkeyvalq	*o = evhttp_request_get_output_headers(c->req);
	char			 path[WEBFILE_NAME_MAX + 2];
	size_t			 i, len = body ? evbuffer_get_length(body) : 0;

	for (i = 0; i < sizeof security_headers / sizeof security_headers[0];
	    i++)
		evhttp_add_header(o, security_headers[i].name,
		    security_headers[i].value);
	if (c->h->tls != NULL)
		evhttp_add_header(o, "Strict-Transport-Security", HTTP_HSTS);
	evhttp_add_header(o, "Cache-Control", cacheable ? "no-cache" :
	    "no-store");
	if (type != NULL)
		evhttp_add_header(o, "Content-Type", type);
	if (c->h->stopping)
		evhttp_add_header(o, "Connection", "close");
	c->loop_ns += elapsed_ns(&c->seg);
	if (c->h->core->conf->http_access_log)
		log_info("%s: %s %s %d %zu%s%s (%.3f ms)", c->origin,
		    method_name(evhttp_request_get_command(c->req)),
		    route_name(c, path, sizeof path), code, len,
		    c->client[0] ? " client " : "", c->client,
		    (double)c->loop_ns / 1e6);
	c->ours = 1;
	evhttp_request_set_on_complete_cb(c->req, http_done_cb, c);
	evhttp_send_reply(c->req, code, NULL, body);
}

/* A short text answer (a status and why). */
static void
http_text(struct http_conn *c, int code, const char *text)
{
	struct evbuffer	*b = evbuffer_new();

	if (b != NULL)
		evbuffer_add_printf(b, "%s\n", text);
	http_send(c, code, "text/plain; charset=utf-8", 0, b);
	if (b != NULL)
		evbuffer_free(b);
}

/* A JSON answer (an object, stolen). */
static void
http_json(struct http_conn *c, int code, json_t *obj)
{
	struct evbuffer	*b = evbuffer_new();
	char		*s = obj != NULL ? json_dumps(obj, JSON_COMPACT) : NULL;

	if (b != NULL && s != NULL)
		evbuffer_add_printf(b, "%s\n", s);
	free(s);
	json_decref(obj);
	http_send(c, code, "application/json", 0, b);
	if (b != NULL)
		evbuffer_free(b);
}

static void
http_error(struct http_conn *c, int code, const char *why)
{
	http_json(c, code, json_pack("{s:s}", "error", why));
}

/* ---- sessions: the cookie, the CSRF header, the origin ---- */

/* The session cookie's value, copied into out, or 0 if there is none. */
static int
cookie_value(struct evhttp_request *req, char *out, size_t size)
{
	const char	*h, *p, *end;
	size_t		 nlen = strlen(HTTP_COOKIE), vlen;

	h = evhttp_find_header(evhttp_request_get_input_headers(req),
	    "Cookie");
	for (p = h; p != NULL && *p != '\0'; p = end) {
		while (*p == ' ' || *p == '\t' || *p == ';')
			p++;
		end = p + strcspn(p, ";");
		if ((size_t)(end - p) > nlen && strncmp(p, HTTP_COOKIE,
		    nlen) == 0 && p[nlen] == '=') {
			vlen = (size_t)(end - p) - nlen - 1;
			while (vlen > 0 && (p[nlen + 1 + vlen - 1] == ' ' ||
			    p[nlen + 1 + vlen - 1] == '\t'))
				vlen--;
			if (vlen >= size)
				return 0;
			memcpy(out, p + nlen + 1, vlen);
			out[vlen] = '\0';
			return 1;
		}
	}
	return 0;
}

/* The web session of the request's cookie, or NULL. */
static struct websession *
http_session(struct http_conn *c)
{
	struct websession	*s;
	char			 id[WEBSESSION_ID_LEN + 2];

	if (!cookie_value(c->req, id, sizeof id))
		return NULL;
	s = websession_find(&c->h->sessions, id, time(NULL));
	explicit_bzero(id, sizeof id);
	if (s != NULL)
		snprintf(c->client, sizeof c->client, "%s", s->who.client);
	return s;
}

/*
 * A browser says where a POST comes from: Origin (scheme://host:port)
 * must be this server's, and Sec-Fetch-Site, when sent, same-origin.
 * A client that sends neither (curl, a script) is judged by its session
 * and CSRF token alone.
 */
static int
same_origin(struct http_conn *c)
{
	struct evkeyvalq	*in = evhttp_request_get_input_headers(c->req);
	const char		*origin, *host, *site, *scheme;
	size_t			 n;

	site = evhttp_find_header(in, "Sec-Fetch-Site");
	if (site != NULL && strcmp(site, "same-origin") != 0 &&
	    strcmp(site, "none") != 0)
		return 0;
	if ((origin = evhttp_find_header(in, "Origin")) == NULL)
		return 1;
	if ((host = evhttp_find_header(in, "Host")) == NULL)
		return 0;
	scheme = c->h->tls != NULL ? "https://" : "http://";
	n = strlen(scheme);
	return strncasecmp(origin, scheme, n) == 0 &&
	    strcasecmp(origin + n, host) == 0;
}

/* The Set-Cookie of a session, or of its end (NULL). */
static void
set_cookie(struct http_conn *c, const struct websession *s)
{
	char	buf[160];

	snprintf(buf, sizeof buf, "%s=%s; Path=/; HttpOnly; SameSite=Strict%s%s",
	    HTTP_COOKIE, s != NULL ? s->id : "", c->h->tls != NULL ?
	    "; Secure" : "", s != NULL ? "" : "; Max-Age=0");
	evhttp_add_header(evhttp_request_get_output_headers(c->req),
	    "Set-Cookie", buf);
	explicit_bzero(buf, sizeof buf);
}

/* ---- held answers ---- */

/* Forgets what the last request held. */
static void
http_hold_reset(struct http_conn *c)
{
	held_reset(&c->held);
	if (c->out != NULL)
		evbuffer_drain(c->out, evbuffer_get_length(c->out));
	c->hold = HOLD_NONE;
	c->oom = 0;
	explicit_bzero(&c->who, sizeof c->who);
}

/* Keeps one piece of a JSON-RPC answer, in order, until its group is done. */
static void
http_rpc_answer(struct rpc_peer *p, const struct rpc_answer *a)
{
	struct http_conn	*c = CONN_OF(p, rpc);

	if (c->oom)
		return;
	if ((c->held.bytes == NULL && held_init(&c->held) == -1) ||
	    (c->out == NULL && (c->out = evbuffer_new()) == NULL) ||
	    held_add(&c->held, a) == -1) {
		c->oom = 1;
		return;
	}
	if (a->seq != 0)
		commit_wait(c->h->core->commit, &c->waiter, a->seq);
	/* An answer that came later (a call done off the loop) may go. */
	if (a->fills != 0 && c->hold == HOLD_RPC)
		http_rpc_release(c, 0, 1);
}

/*
 * Moves the pieces that may go (those that wait for nothing, and those
 * of group seq, done) to the answer, in their failed form if that group
 * was rolled back; once all went, the answer is sent.
 */
static void
http_rpc_release(struct http_conn *c, uint64_t seq, int ok)
{
	held_release(&c->held, seq, ok, c->out);
	if (held_pieces(&c->held) > 0)
		return;
	http_send(c, 200, "application/json", 0, c->out);
	http_hold_reset(c);
}

/* The sign-in's hello is durable (or not): the session opens (or not). */
static void
http_login_done(struct http_conn *c, int ok)
{
	struct websession	*s;
	int			 full;

	if (c->login_error != 0) {
		/* Each refused sign-in costs a connection. */
		evhttp_add_header(evhttp_request_get_output_headers(c->req),
		    "Connection", "close");
		http_error(c, 401, "unknown client or wrong token");
		http_hold_reset(c);
		return;
	}
	if (!ok) {
		http_error(c, 503, "storage unavailable");
		http_hold_reset(c);
		return;
	}
	if ((s = websession_new(&c->h->sessions, &c->who, time(NULL),
	    &full)) == NULL) {
		http_error(c, 503, full ? "too many web sessions "
		    "(http.max_sessions)" : "out of memory");
		http_hold_reset(c);
		return;
	}
	set_cookie(c, s);
	http_json(c, 200, json_pack("{s:s, s:s}", "role",
	    config_role_name(s->who.role), "csrf", s->csrf));
	http_hold_reset(c);
}

static void
http_release(struct commit_waiter *w, uint64_t seq, int ok)
{
	struct http_conn	*c = CONN_OF(w, waiter);

	clock_gettime(CLOCK_MONOTONIC, &c->seg);
	if (c->hold == HOLD_RPC)
		http_rpc_release(c, seq, ok);
	else if (c->hold == HOLD_LOGIN && seq >= c->login_seq)
		http_login_done(c, ok);
}

/* ---- the routes ---- */

static void
http_healthz(struct http_conn *c)
{
	http_text(c, 200, "ok");
}

/* Ready: affected.db loaded, hotline.db taking writes, not stopping. */
static void
http_readyz(struct http_conn *c)
{
	struct core	*core = c->h->core;

	if (c->h->stopping)
		http_text(c, 503, "stopping");
	else if (core->affected == NULL)
		http_text(c, 503, "affected.db is not loaded");
	else if (commit_failed(core->commit))
		http_text(c, 503, "hotline.db does not accept writes (the last "
		    "commit failed)");
	else
		http_text(c, 200, "ready");
}

/*
 * Prometheus scrapes with a supervisor's or admin's token as a bearer
 * token; from memory only, no sqlite.
 */
static void
http_metrics(struct http_conn *c)
{
	const struct conf_client	*cl = NULL;
	const char			*auth;
	struct evbuffer			*b;

	auth = evhttp_find_header(evhttp_request_get_input_headers(c->req),
	    "Authorization");
	if (auth != NULL && strncasecmp(auth, "Bearer ", 7) == 0)
		cl = core_token_client(c->h->core, auth + 7);
	if (cl == NULL || (cl->role != ROLE_SUPERVISOR &&
	    cl->role != ROLE_ADMIN)) {
		log_warnx("%s: /metrics refused from %s: %s", c->origin,
		    c->peer, auth == NULL ? "no bearer token" : cl == NULL ?
		    "not a client's token" : "not a supervisor or admin");
		evhttp_add_header(evhttp_request_get_output_headers(c->req),
		    "WWW-Authenticate", "Bearer realm=\"hotline\"");
		http_text(c, 401, "a supervisor's or admin's token is required");
		return;
	}
	snprintf(c->client, sizeof c->client, "%s", cl->name);
	if ((b = evbuffer_new()) == NULL || metrics_render(c->h->core->metrics,
	    b) == -1) {
		if (b != NULL)
			evbuffer_free(b);
		http_text(c, 500, "out of memory");
		return;
	}
	http_send(c, 200, METRICS_CONTENT_TYPE, 0, b);
	evbuffer_free(b);
}

/* The request's body as a string (NUL-terminated), or NULL. */
static const char *
body_text(struct http_conn *c, size_t *len)
{
	struct evbuffer	*in = evhttp_request_get_input_buffer(c->req);
	unsigned char	*p;

	*len = evbuffer_get_length(in);
	if (evbuffer_add(in, "", 1) == -1 || (p = evbuffer_pullup(in, -1)) ==
	    NULL)
		return NULL;
	return (const char *)p;
}

/* client and token from a JSON object or a form; 0, or -1. */
static int
login_params(struct http_conn *c, json_t **params)
{
	struct evkeyvalq	 kv;
	const char		*type, *body, *client = NULL, *token = NULL;
	json_t			*j = NULL;
	size_t			 len;
	int			 rc = -1;

	*params = NULL;
	type = evhttp_find_header(evhttp_request_get_input_headers(c->req),
	    "Content-Type");
	if ((body = body_text(c, &len)) == NULL)
		return -1;
	TAILQ_INIT(&kv);
	if (type != NULL && strncasecmp(type, "application/json", 16) == 0) {
		if ((j = json_loadb(body, len, JSON_REJECT_DUPLICATES, NULL)) !=
		    NULL && json_is_object(j)) {
			client = json_string_value(json_object_get(j, "client"));
			token = json_string_value(json_object_get(j, "token"));
		}
	} else if (type != NULL && strncasecmp(type,
	    "application/x-www-form-urlencoded", 33) == 0) {
		if (evhttp_parse_query_str(body, &kv) == 0) {
			client = evhttp_find_header(&kv, "client");
			token = evhttp_find_header(&kv, "token");
		}
	} else
		return -2;
	if (client != NULL && token != NULL && *client != '\0' &&
	    *token != '\0' && strlen(client) <= HTTP_CLIENT_MAX &&
	    strlen(token) <= HTTP_TOKEN_MAX &&
	    (*params = json_pack("{s:s, s:s}", "client", client, "token",
	    token)) != NULL)
		rc = 0;
	json_decref(j);
	evhttp_clear_headers(&kv);
	return rc;
}

/*
 * POST /login: a hello through dispatch for a principal of its own, so
 * that it is counted, audited and logged as one; its answer waits for
 * the audit entry's commit, and the session opens once that holds.
 */
static void
http_login(struct http_conn *c)
{
	struct dispatch_result	 r;
	struct websession	*old;
	json_t			*params;
	int			 rc;

	if (!same_origin(c)) {
		http_error(c, 403, "cross-origin sign-in");
		return;
	}
	if ((rc = login_params(c, &params)) == -2) {
		http_error(c, 415, "a form or a JSON object {client, token}");
		return;
	}
	if (rc == -1) {
		http_error(c, 400, "client and token are required");
		return;
	}
	/* A new sign-in in a browser ends the session it had. */
	if ((old = http_session(c)) != NULL)
		websession_end(&c->h->sessions, old, "replaced by a new "
		    "sign-in");
	c->client[0] = '\0';
	memset(&c->who, 0, sizeof c->who);
	snprintf(c->who.origin, sizeof c->who.origin, "%s", c->origin);
	snprintf(c->who.peer, sizeof c->who.peer, "%s", c->peer);
	dispatch(c->h->core, &c->who, "hello", params, &r);
	json_decref(params);
	/* Refused or not, the answer waits for the hello's audit entry. */
	c->login_error = r.error;
	c->login_seq = r.seq;
	dispatch_result_clear(&r);
	snprintf(c->client, sizeof c->client, "%s", c->who.client);
	c->hold = HOLD_LOGIN;
	if (c->login_seq == 0) {
		http_login_done(c, 1);
		return;
	}
	commit_wait(c->h->core->commit, &c->waiter, c->login_seq);
}

static void
http_logout(struct http_conn *c)
{
	struct websession	*s;
	const char		*csrf;

	if (!same_origin(c)) {
		http_error(c, 403, "cross-origin sign-out");
		return;
	}
	if ((s = http_session(c)) != NULL) {
		csrf = evhttp_find_header(evhttp_request_get_input_headers(
		    c->req), "X-CSRF-Token");
		if (!websession_csrf_ok(s, csrf)) {
			http_error(c, 403, "missing or wrong X-CSRF-Token");
			return;
		}
		websession_end(&c->h->sessions, s, "signed out");
	}
	set_cookie(c, NULL);
	http_json(c, 200, json_object());
}

/*
 * POST /rpc: the body is one JSON-RPC text (a request or a batch), run
 * by rpc.c for the session's principal exactly as a line of the TCP
 * port; the answer is sent once every piece of it may go.
 */
static void
http_rpc(struct http_conn *c)
{
	struct websession	*s;
	const char		*csrf, *body;
	size_t			 len;

	if (!same_origin(c)) {
		http_error(c, 403, "cross-origin request");
		return;
	}
	if ((s = http_session(c)) == NULL) {
		http_error(c, 401, "not signed in, or the session expired");
		return;
	}
	csrf = evhttp_find_header(evhttp_request_get_input_headers(c->req),
	    "X-CSRF-Token");
	if (!websession_csrf_ok(s, csrf)) {
		http_error(c, 403, "missing or wrong X-CSRF-Token");
		return;
	}
	if ((body = body_text(c, &len)) == NULL) {
		http_error(c, 500, "out of memory");
		return;
	}
	snprintf(s->who.peer, sizeof s->who.peer, "%s", c->peer);
	c->hold = HOLD_RPC;
	held_reset(&c->held);
	c->rpc.who = &s->who;
	rpc_handle_line(&c->rpc, body, len);
	c->rpc.who = NULL;
	/* A failed hello in the body leaves the session signed out. */
	if (s->who.role == ROLE_NONE)
		websession_end(&c->h->sessions, s, "a hello failed");
	if (c->oom) {
		commit_unwait(c->h->core->commit, &c->waiter);
		http_hold_reset(c);
		http_error(c, 500, "out of memory");
		return;
	}
	if (held_pieces(&c->held) == 0) {
		/* Notifications only: nothing to say. */
		http_hold_reset(c);
		http_send(c, 204, NULL, 0, NULL);
		return;
	}
	http_rpc_release(c, 0, 1);
}

/* A page: its role, then the file; no session shows its sign-in. */
static void
http_page(struct http_conn *c, size_t i)
{
	const struct webfile	*f = webfiles_find(c->h->files, routes[i].file);
	struct websession	*s = http_session(c);
	struct evbuffer		*b;

	if (s != NULL && s->who.role != ROLE_ADMIN &&
	    !(routes[i].roles & s->who.role)) {
		http_text(c, 403, "this page is not for your role: sign out, "
		    "or sign in at /");
		return;
	}
	if (f == NULL || (b = evbuffer_new()) == NULL) {
		http_text(c, 500, "out of memory");
		return;
	}
	/* A copy: a reload may free the table before this is sent. */
	evbuffer_add(b, f->data, f->len);
	http_send(c, 200, f->type, 0, b);
	evbuffer_free(b);
}

/* A script, style sheet or image: cached, revalidated by its ETag. */
static void
http_asset(struct http_conn *c)
{
	const char	*inm;
	struct evbuffer	*b;

	evhttp_add_header(evhttp_request_get_output_headers(c->req), "ETag",
	    c->file->etag);
	inm = evhttp_find_header(evhttp_request_get_input_headers(c->req),
	    "If-None-Match");
	if (inm != NULL && strcmp(inm, c->file->etag) == 0) {
		http_send(c, 304, NULL, 1, NULL);
		return;
	}
	if ((b = evbuffer_new()) == NULL) {
		http_text(c, 500, "out of memory");
		return;
	}
	evbuffer_add(b, c->file->data, c->file->len);
	http_send(c, 200, c->file->type, 1, b);
	evbuffer_free(b);
}

/* Which route a path is, and the index of its row (NROUTES: an asset). */
static enum route
route_of(struct http *h, const char *path, size_t *row,
    const struct webfile **file)
{
	const struct webfile	*f;
	size_t			 i;

	*file = NULL;
	for (i = 0; i < NROUTES; i++)
		if (strcmp(routes[i].path, path) == 0) {
			*row = i;
			return routes[i].route;
		}
	*row = NROUTES;
	if (path[0] == '/' && (f = webfiles_find(h->files, path + 1)) != NULL &&
	    !f->page) {
		*file = f;
		return ROUTE_ASSET;
	}
	return ROUTE_OTHER;
}

/* A request on a connection that is not indexed: 503, then close. */
static void
http_orphan(struct http *h, struct evhttp_request *req)
{
	struct evkeyvalq	*o = evhttp_request_get_output_headers(req);
	size_t			 i;

	log_warnx("http: a request on a connection that is not indexed");
	for (i = 0; i < sizeof security_headers / sizeof security_headers[0];
	    i++)
		evhttp_add_header(o, security_headers[i].name,
		    security_headers[i].value);
	if (h->tls != NULL)
		evhttp_add_header(o, "Strict-Transport-Security", HTTP_HSTS);
	evhttp_add_header(o, "Cache-Control", "no-store");
	evhttp_add_header(o, "Connection", "close");
	evhttp_send_reply(req, 503, NULL, NULL);
}

static void
http_request_cb(struct evhttp_request *req, void *arg)
{
	struct http		*h = arg;
	struct http_conn	*c;
	const struct evhttp_uri	*uri;
	const char		*path;
	enum evhttp_cmd_type	 m = evhttp_request_get_command(req);
	unsigned		 allowed;
	size_t			 row;

	if ((c = http_conn_of(h, req)) == NULL) {
		/*
		 * Every connection is bound before it can read (or it could
		 * not be indexed, out of memory): answered, then closed.
		 */
		http_orphan(h, req);
		return;
	}
	clock_gettime(CLOCK_MONOTONIC, &c->seg);
	evtimer_del(c->ev_deadline);
	http_hold_reset(c);
	c->req = req;
	c->loop_ns = 0;
	c->client[0] = '\0';
	uri = evhttp_request_get_evhttp_uri(req);
	path = uri != NULL ? evhttp_uri_get_path(uri) : NULL;
	if (path == NULL || *path == '\0')
		path = "/";
	c->route = route_of(h, path, &row, &c->file);
	allowed = row < NROUTES ? routes[row].methods : c->route ==
	    ROUTE_ASSET ? M_GET : 0;
	if (c->route == ROUTE_OTHER) {
		http_text(c, 404, "not found");
		return;
	}
	if (!(allowed & m)) {
		evhttp_add_header(evhttp_request_get_output_headers(req),
		    "Allow", allowed == M_POST ? "POST" : "GET, HEAD");
		http_text(c, 405, "method not allowed");
		return;
	}
	switch (c->route) {
	case ROUTE_HEALTHZ:
		http_healthz(c);
		break;
	case ROUTE_READYZ:
		http_readyz(c);
		break;
	case ROUTE_METRICS:
		http_metrics(c);
		break;
	case ROUTE_LOGIN:
		http_login(c);
		break;
	case ROUTE_LOGOUT:
		http_logout(c);
		break;
	case ROUTE_RPC:
		http_rpc(c);
		break;
	case ROUTE_ASSET:
		http_asset(c);
		break;
	case ROUTE_FAVICON:
		http_send(c, 204, NULL, 1, NULL);
		break;
	default:
		http_page(c, row);
		break;
	}
	/* Held for the barrier: the loop's time so far counts. */
	if (c->req != NULL && !c->ours)
		c->loop_ns += elapsed_ns(&c->seg);
}

/* ---- set up, reload, stop ---- */

static void
http_sweep_cb(evutil_socket_t fd, short what, void *arg)
{
	struct http	*h = arg;

	(void)fd;
	(void)what;
	websession_expire(&h->sessions, time(NULL));
}

static void
http_grace_cb(evutil_socket_t fd, short what, void *arg)
{
	struct http		*h = arg;
	struct http_conn	*c;

	(void)fd;
	(void)what;
	while ((c = TAILQ_FIRST(&h->conns)) != NULL) {
		log_info("%s: closed at the stop: grace period over",
		    c->origin);
		evhttp_connection_free(c->evcon);
	}
}

/* The limits evhttp applies to each new connection. */
static void
http_apply_limits(struct http *h)
{
	const struct config	*conf = h->core->conf;

	evhttp_set_max_headers_size(h->evhttp, conf->http_max_header_bytes);
	evhttp_set_max_body_size(h->evhttp, conf->http_max_body_bytes);
	evhttp_set_timeout(h->evhttp, conf->http_idle_timeout_s);
}

/* The bound socket's address, as the log says it. */
static void
log_listening(struct http *h)
{
	struct sockaddr_storage	 ss;
	socklen_t		 len = sizeof ss;
	char			 host[INET6_ADDRSTRLEN] = "?";
	int			 port = 0;

	if (getsockname(evhttp_bound_socket_get_fd(h->bound),
	    (struct sockaddr *)&ss, &len) == 0) {
		if (ss.ss_family == AF_INET) {
			inet_ntop(AF_INET, &((struct sockaddr_in *)&ss)->
			    sin_addr, host, sizeof host);
			port = ntohs(((struct sockaddr_in *)&ss)->sin_port);
		} else if (ss.ss_family == AF_INET6) {
			inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&ss)->
			    sin6_addr, host, sizeof host);
			port = ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
		}
	}
	/* Tests and scripts read the port from this line. */
	log_notice("serving %s on %s port %d (%zu files of %s)",
	    h->tls != NULL ? "https" : "http", host, port,
	    webfiles_count(h->files), h->core->conf->http_web_dir);
}

struct http *
http_new(struct event_base *base, struct core *core, char **err)
{
	const struct config	*conf = core->conf;
	struct http		*h;
	struct timeval		 sweep = { HTTP_SWEEP_S, 0 };

	*err = NULL;
	if ((h = calloc(1, sizeof *h)) == NULL) {
		*err = strdup("out of memory");
		return NULL;
	}
	h->base = base;
	h->core = core;
	TAILQ_INIT(&h->fresh);
	TAILQ_INIT(&h->conns);
	websession_table_init(&h->sessions, core);
	if ((h->files = webfiles_load(conf->http_web_dir, err)) == NULL)
		goto fail;
	if (conf->http_tls_cert[0] != '\0' && (h->tls = tls_new(
	    conf->http_tls_cert, conf->http_tls_key, err)) == NULL)
		goto fail;
	if ((h->evhttp = evhttp_new(base)) == NULL ||
	    (h->ev_bind = event_new(base, -1, 0, http_bind_cb, h)) == NULL ||
	    (h->ev_sweep = event_new(base, -1, EV_PERSIST, http_sweep_cb,
	    h)) == NULL ||
	    (h->ev_grace = evtimer_new(base, http_grace_cb, h)) == NULL ||
	    (h->ev_resume = evtimer_new(base, http_resume_cb, h)) == NULL ||
	    event_add(h->ev_sweep, &sweep) == -1)
		goto fail;
	/* Every method reaches us, so that a 405 carries our headers too. */
	evhttp_set_allowed_methods(h->evhttp, EVHTTP_REQ_GET |
	    EVHTTP_REQ_POST | EVHTTP_REQ_HEAD | EVHTTP_REQ_PUT |
	    EVHTTP_REQ_DELETE | EVHTTP_REQ_OPTIONS | EVHTTP_REQ_TRACE |
	    EVHTTP_REQ_CONNECT | EVHTTP_REQ_PATCH);
	evhttp_set_default_content_type(h->evhttp, NULL);
	/* Read an oversized body to its end, so the client sees the 413. */
	evhttp_set_flags(h->evhttp, EVHTTP_SERVER_LINGERING_CLOSE);
	http_apply_limits(h);
	evhttp_set_bevcb(h->evhttp, http_bev_cb, h);
	evhttp_set_gencb(h->evhttp, http_request_cb, h);
	if ((h->bound = evhttp_bind_socket_with_handle(h->evhttp,
	    conf->http_address, (ev_uint16_t)conf->http_port)) == NULL) {
		if (asprintf(err, "http: listen on %s port %d: %s",
		    conf->http_address, conf->http_port, strerror(errno)) == -1)
			*err = NULL;
		goto fail;
	}
	h->listener = evhttp_bound_socket_get_listener(h->bound);
	evconnlistener_set_error_cb(h->listener, http_accept_error_cb);
	log_listening(h);
	return h;
fail:
	if (*err == NULL)
		*err = strdup("out of memory");
	http_free(h);
	return NULL;
}

void
http_free(struct http *h)
{
	struct http_conn	*c;

	if (h == NULL)
		return;
	/*
	 * evhttp frees its listener, then closes its connections:
	 * http_closed() frees ours, without touching the listener.
	 */
	h->listener = NULL;
	if (h->evhttp != NULL)
		evhttp_free(h->evhttp);
	/* Accepted but not bound: the bufferevent's last reference is ours. */
	while ((c = TAILQ_FIRST(&h->fresh)) != NULL) {
		TAILQ_REMOVE(&h->fresh, c, entry);
		http_count(h, -1);
		bufferevent_decref(c->bev);
		c->in_cb = c->out_cb = NULL;
		http_conn_free(c);
	}
	websession_end_all(&h->sessions, "shutdown");
	if (h->ev_bind != NULL)
		event_free(h->ev_bind);
	if (h->ev_sweep != NULL)
		event_free(h->ev_sweep);
	if (h->ev_grace != NULL)
		event_free(h->ev_grace);
	if (h->ev_resume != NULL)
		event_free(h->ev_resume);
	tls_free(h->tls);
	webfiles_free(h->files);
	free(h);
}

void
http_stop(struct http *h)
{
	struct timeval		 tv = { HTTP_GRACE_S, 0 };
	struct http_conn	*c, *next;

	if (h == NULL || h->stopping)
		return;
	h->stopping = 1;
	http_accepting(h);
	evtimer_del(h->ev_resume);
	/* The accepted but not yet bound close when they are bound. */
	TAILQ_FOREACH_SAFE(c, &h->conns, entry, next)
		if (c->req == NULL && !evtimer_pending(c->ev_deadline, NULL))
			evhttp_connection_free(c->evcon);
	evtimer_add(h->ev_grace, &tv);
}

size_t
http_pending(const struct http *h)
{
	return h != NULL ? h->nconns : 0;
}

void
http_reconfigure(struct http *h)
{
	const struct config	*conf;
	struct webfiles		*files;
	struct tls		*tls;
	char			*err = NULL;

	if (h == NULL)
		return;
	conf = h->core->conf;
	http_apply_limits(h);
	http_accepting(h);
	if ((files = webfiles_load(conf->http_web_dir, &err)) == NULL) {
		log_warnx("reload: http: the pages are kept: %s", err);
		free(err);
		err = NULL;
	} else {
		webfiles_free(h->files);
		h->files = files;
	}
	if (h->tls != NULL) {
		if ((tls = tls_new(conf->http_tls_cert, conf->http_tls_key,
		    &err)) == NULL) {
			log_warnx("reload: http: the certificate is kept: %s",
			    err);
			free(err);
		} else {
			/* Open connections keep the context they started with. */
			tls_free(h->tls);
			h->tls = tls;
		}
	}
	websession_reconfigure(&h->sessions);
	log_info("reload: http: %zu pages and assets, %zu web sessions",
	    webfiles_count(h->files), h->sessions.n);
}

int
http_check(const struct config *conf, char **err)
{
	struct webfiles	*files;
	struct tls	*tls;

	*err = NULL;
	if (!conf->http_enabled)
		return 0;
	if ((files = webfiles_load(conf->http_web_dir, err)) == NULL)
		return -1;
	webfiles_free(files);
	if (conf->http_tls_cert[0] != '\0') {
		if ((tls = tls_new(conf->http_tls_cert, conf->http_tls_key,
		    err)) == NULL)
			return -1;
		tls_free(tls);
	}
	return 0;
}
