/*
 * Client connections of the JSON-RPC port: framing (one JSON text per
 * line, at most limits.max_line bytes, arriving whole within
 * limits.line_timeout_s), back-pressure, idle timeout, the answers held
 * for the commit barrier, and a clean close: after the last answer the
 * connection shuts its side and waits for the client's, so that nothing
 * the client has not read is lost to a reset.
 */
#include <sys/ioctl.h>
#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>

#include "config.h"
#include "conn.h"
#include "log.h"
#include "metrics.h"
#include "rpc.h"
#include "server.h"

#define HELLO_FAILURES_MAX	3	/* failed hellos before the close */
#define LINGER_S		5	/* after the last answer, for the EOF */
/*
 * At a stop, a connection takes requests until its socket has been quiet
 * this long: what the client sent before the signal may still be in its
 * own send buffer, not yet in ours.
 */
#define STOP_QUIET_MS		100
/*
 * At most this much goes to the socket at once, as the bufferevent
 * writes at most 16 KiB a turn: a single write of a whole backlog would
 * fill a send buffer the kernel has grown to megabytes, and a client
 * reading steadily but slowly would then see no room made for seconds,
 * which is the write timeout.
 */
#define DIRECT_WRITE_MAX	16384

static void	conn_read_cb(struct bufferevent *, void *);
static void	conn_write_cb(struct bufferevent *, void *);
static void	conn_event_cb(struct bufferevent *, short, void *);
static void	conn_line_cb(evutil_socket_t, short, void *);
static void	conn_answer(struct rpc_peer *, const struct rpc_answer *);
static void	conn_release(struct commit_waiter *, uint64_t, int);
static void	conn_read_lines(struct conn *);
static void	conn_flush(struct conn *);
static void	conn_send(struct conn *, uint64_t, int);
static void	conn_finish(struct conn *, const char *);
static void	conn_apply_limits(struct conn *);

#define CONN_OF(p, member) \
	((struct conn *)(void *)((char *)(p) - offsetof(struct conn, member)))

struct conn *
conn_new(struct server *srv, int fd, const struct sockaddr *sa, int socklen)
{
	struct conn	*c;
	char		 host[INET6_ADDRSTRLEN] = "?";

	if ((c = calloc(1, sizeof *c)) == NULL) {
		evutil_closesocket(fd);
		return NULL;
	}
	c->srv = srv;
	c->id = ++srv->next_conn_id;
	snprintf(c->who.origin, sizeof c->who.origin, "conn %llu",
	    (unsigned long long)c->id);
	if (sa->sa_family == AF_INET && socklen >= (int)sizeof(struct
	    sockaddr_in)) {
		inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr,
		    host, sizeof host);
		snprintf(c->who.peer, sizeof c->who.peer, "%s:%u", host,
		    ntohs(((const struct sockaddr_in *)sa)->sin_port));
	} else if (sa->sa_family == AF_INET6) {
		inet_ntop(AF_INET6,
		    &((const struct sockaddr_in6 *)sa)->sin6_addr, host,
		    sizeof host);
		snprintf(c->who.peer, sizeof c->who.peer, "[%s]:%u", host,
		    ntohs(((const struct sockaddr_in6 *)sa)->sin6_port));
	} else
		snprintf(c->who.peer, sizeof c->who.peer, "local");
	session_owner_init(&c->sessions);
	c->who.owner = &c->sessions;
	c->peer.core = srv->core;
	c->peer.who = &c->who;
	c->peer.answer = conn_answer;
	c->waiter.release = conn_release;
	if (held_init(&c->held) == -1 ||
	    (c->ev_line = evtimer_new(srv->base, conn_line_cb, c)) == NULL ||
	    (c->bev = bufferevent_socket_new(srv->base, fd,
	    BEV_OPT_CLOSE_ON_FREE)) == NULL) {
		evutil_closesocket(fd);
		conn_free(c);
		return NULL;
	}
	bufferevent_setcb(c->bev, conn_read_cb, conn_write_cb, conn_event_cb,
	    c);
	conn_apply_limits(c);
	if (bufferevent_enable(c->bev, EV_READ | EV_WRITE) == -1) {
		conn_free(c);
		return NULL;
	}
	TAILQ_INSERT_TAIL(&srv->conns, c, entry);
	srv->nconns++;
	srv->core->connections++;
	metrics_gauge_add(srv->core->metrics, METRICS_CONNECTIONS_RPC, 1);
	log_debug("%s: open from %s", c->who.origin, c->who.peer);
	return c;
}

/*
 * The read high-watermark stays above the line limit, or a long but legal
 * line would stall the connection; the write low-watermark is where a
 * paused reader resumes.
 */
static void
conn_apply_limits(struct conn *c)
{
	const struct config	*conf = c->srv->core->conf;
	struct timeval		 idle = { conf->idle_timeout_s, 0 };

	bufferevent_setwatermark(c->bev, EV_READ, 0,
	    (size_t)conf->max_line * 2 + 4096);
	bufferevent_setwatermark(c->bev, EV_WRITE,
	    (size_t)conf->max_output / 2, 0);
	/* A client that stops reading our answers is idle too. */
	bufferevent_set_timeouts(c->bev, &idle, &idle);
}

void
conn_close(struct conn *c, const char *reason)
{
	struct server	*srv = c->srv;

	if (c->dead)
		return;
	log_info("%s: closed (%s)%s%s", c->who.origin, reason,
	    c->who.client[0] ? ", client " : "", c->who.client);
	/* Calls still open on this connection end as abandoned. */
	session_end_owner(srv->core, &c->sessions, "connection closed");
	commit_unwait(srv->core->commit, &c->waiter);
	rpc_peer_gone(&c->peer);
	server_queued(srv, c, 0);
	if (c->budget_paused)
		srv->budget_paused--;
	bufferevent_free(c->bev);
	c->bev = NULL;
	evtimer_del(c->ev_line);
	TAILQ_REMOVE(&srv->conns, c, entry);
	srv->nconns--;
	srv->core->connections--;
	metrics_gauge_add(srv->core->metrics, METRICS_CONNECTIONS_RPC, -1);
	TAILQ_INSERT_TAIL(&srv->dead, c, entry);
	c->dead = 1;
}

void
conn_free(struct conn *c)
{
	if (c == NULL)
		return;
	if (c->bev != NULL)
		bufferevent_free(c->bev);
	if (c->ev_line != NULL)
		event_free(c->ev_line);
	rpc_peer_gone(&c->peer);
	held_free(&c->held);
	free(c);
}

/* Nothing held, nothing unsent. */
static int
conn_drained(const struct conn *c)
{
	return held_pieces(&c->held) == 0 &&
	    evbuffer_get_length(bufferevent_get_output(c->bev)) == 0;
}

/*
 * All is sent: shut our side and wait for the client's EOF (bounded), so
 * that closing with its bytes unread does not reset the connection.
 */
static void
conn_linger(struct conn *c)
{
	struct timeval	tv = { LINGER_S, 0 };

	if (c->lingering)
		return;
	if (c->eof) {
		/* The client has closed its side already: nothing to wait for. */
		conn_close(c, "client closed");
		return;
	}
	c->lingering = 1;
	evtimer_del(c->ev_line);
	if (shutdown(bufferevent_getfd(c->bev), SHUT_WR) == -1) {
		conn_close(c, "finished");
		return;
	}
	bufferevent_set_timeouts(c->bev, &tv, NULL);
	bufferevent_setwatermark(c->bev, EV_READ, 0, 0);
	bufferevent_enable(c->bev, EV_READ);
}

/* Stops taking requests; the close follows once all is sent. */
static void
conn_finish(struct conn *c, const char *why)
{
	if (!c->closing)
		log_debug("%s: finishing (%s)", c->who.origin, why);
	c->closing = 1;
	evtimer_del(c->ev_line);
	if (conn_drained(c))
		conn_linger(c);
}

/*
 * Stopping: once nothing more is coming in (the socket quiet, no whole
 * line waiting) the connection finishes after STOP_QUIET_MS, unless a
 * byte arrives meanwhile.
 */
static void
conn_stop_check(struct conn *c)
{
	struct timeval	 quiet = { 0, STOP_QUIET_MS * 1000 };
	int		 pending = 0;

	if (!c->stopping || c->closing || c->dead || c->read_paused ||
	    c->budget_paused)
		return;
	if (ioctl(bufferevent_getfd(c->bev), FIONREAD, &pending) == -1)
		pending = 0;
	if (pending > 0) {
		evtimer_del(c->ev_line);
		return;
	}
	evtimer_add(c->ev_line, &quiet);
}

void
conn_stop(struct conn *c)
{
	if (c->closing || c->dead)
		return;
	c->stopping = 1;
	evtimer_del(c->ev_line);
	conn_read_lines(c);
	if (!c->dead)
		conn_flush(c);
	conn_stop_check(c);
}

/* Splits the input into lines and hands each to the RPC layer. */
static void
conn_read_lines(struct conn *c)
{
	struct evbuffer		*in = bufferevent_get_input(c->bev);
	struct evbuffer_ptr	 eol;
	size_t			 eol_len, len, used;
	size_t			 max = (size_t)c->srv->core->conf->max_line;
	struct timeval		 tv = { c->srv->core->conf->line_timeout_s, 0 };
	const char		*line;
	int			 lines = 0;

	while (!c->closing && !c->read_paused && !c->budget_paused) {
		eol = evbuffer_search_eol(in, NULL, &eol_len, EVBUFFER_EOL_LF);
		if (eol.pos == -1) {
			/* max bytes and a CR whose LF is yet to come are fine. */
			len = evbuffer_get_length(in);
			if (len > max + 1 || (len == max + 1 &&
			    *(evbuffer_pullup(in, -1) + max) != '\r'))
				goto too_long;
			/* A line's deadline runs from its first byte. */
			if (c->stopping)
				;	/* the stop's own deadline */
			else if (len == 0)
				evtimer_del(c->ev_line);
			else if (lines > 0 || !evtimer_pending(c->ev_line, NULL))
				evtimer_add(c->ev_line, &tv);
			return;
		}
		len = (size_t)eol.pos;
		used = len + eol_len;
		if (len > max + 1)	/* +1: a CR before the LF */
			goto too_long;
		if ((line = (const char *)evbuffer_pullup(in,
		    (ev_ssize_t)used)) == NULL) {
			conn_close(c, "out of memory");
			return;
		}
		if (len > 0 && line[len - 1] == '\r')
			len--;
		if (len > max)
			goto too_long;
		rpc_handle_line(&c->peer, line, len);
		evbuffer_drain(in, used);
		lines++;
		if (c->oom) {
			conn_close(c, "out of memory");
			return;
		}
		if (c->who.failed_auth >= HELLO_FAILURES_MAX)
			/* Guessing tokens costs a connection every few tries. */
			conn_finish(c, "too many failed hellos");
	}
	return;
too_long:
	/* A line over the limit: answer once, then close (SPEC §6). */
	log_warnx("%s: line over %zu bytes, closing", c->who.origin, max);
	rpc_answer_error(&c->peer, RPC_INVALID_REQUEST, json_pack(
	    "{s:s, s:i}", "reason", "line too long", "max_line", (int)max));
	evbuffer_drain(in, evbuffer_get_length(in));
	conn_finish(c, "line too long");
}

static void
conn_read_cb(struct bufferevent *bev, void *arg)
{
	struct conn	*c = arg;
	struct evbuffer	*in = bufferevent_get_input(bev);

	if (c->lingering || c->closing) {
		/* Nothing more is taken; what still comes is dropped. */
		evbuffer_drain(in, evbuffer_get_length(in));
		return;
	}
	conn_read_lines(c);
	if (!c->dead)
		conn_flush(c);
	if (!c->dead)
		conn_stop_check(c);
}

/* A line that did not arrive whole in time: a trickle holds no slot. */
static void
conn_line_cb(evutil_socket_t fd, short what, void *arg)
{
	struct conn	*c = arg;

	(void)fd;
	(void)what;
	if (c->stopping) {
		/* Quiet at a stop: everything received has been taken. */
		conn_finish(c, "shutdown");
		return;
	}
	log_warnx("%s: a request line took over %d s, closing", c->who.origin,
	    c->srv->core->conf->line_timeout_s);
	conn_close(c, "request line too slow");
}

/* Keeps one answer, in order, until its group is done. */
static void
conn_answer(struct rpc_peer *p, const struct rpc_answer *a)
{
	struct conn	*c = CONN_OF(p, peer);

	if (c->oom)
		return;
	if (held_add(&c->held, a) == -1) {
		/* The connection closes after this line. */
		c->oom = 1;
		return;
	}
	if (a->seq != 0)
		commit_wait(c->srv->core->commit, &c->waiter, a->seq);
	/* An answer that came later goes out when it may. */
	if (a->fills != 0 && !c->dead)
		conn_send(c, 0, 1);
}

/*
 * Sends the held answers that may go: from the front, those that wait
 * for nothing, and those of group seq (done), in their failed form if it
 * was rolled back. Then the output limits.
 */
static void
conn_send(struct conn *c, uint64_t seq, int ok)
{
	struct evbuffer		*out = bufferevent_get_output(c->bev);
	struct evbuffer		*sending = c->srv->sending;
	size_t			 queued;

	if (evbuffer_get_length(out) > 0)
		/* Behind what is still unsent: in order, after it. */
		held_release(&c->held, seq, ok, out);
	else {
		/*
		 * Written at once, the way the socket takes it: handed to the
		 * bufferevent, each answer would cost a write event added and
		 * then deleted (two epoll_ctl calls) and a turn more. Only what
		 * the socket does not take goes into the output; an error is
		 * left for the bufferevent's own write to find and report.
		 */
		held_release(&c->held, seq, ok, sending);
		if (evbuffer_get_length(sending) > 0) {
			if (evbuffer_write_atmost(sending,
			    bufferevent_getfd(c->bev), DIRECT_WRITE_MAX) == -1 &&
			    errno != EAGAIN && errno != EWOULDBLOCK &&
			    errno != EINTR)
				log_debug("%s: write: %s", c->who.origin,
				    strerror(errno));
			if (evbuffer_get_length(sending) > 0)
				evbuffer_add_buffer(out, sending);
		}
	}
	queued = held_bytes(&c->held) + evbuffer_get_length(out);
	server_queued(c->srv, c, queued);
	if (c->closing) {
		if (conn_drained(c))
			conn_linger(c);
	} else if (evbuffer_get_length(out) >
	    (size_t)c->srv->core->conf->max_output && !c->read_paused) {
		c->read_paused = 1;
		bufferevent_disable(c->bev, EV_READ);
	}
}

static void
conn_flush(struct conn *c)
{
	conn_send(c, 0, 1);
}

static void
conn_release(struct commit_waiter *w, uint64_t seq, int ok)
{
	struct conn	*c = CONN_OF(w, waiter);

	if (!c->dead)
		conn_send(c, seq, ok);
}

static void
conn_write_cb(struct bufferevent *bev, void *arg)
{
	struct conn	*c = arg;

	(void)bev;
	server_queued(c->srv, c, held_bytes(&c->held) +
	    evbuffer_get_length(bufferevent_get_output(c->bev)));
	if (c->closing) {
		if (conn_drained(c))
			conn_linger(c);
		return;
	}
	if (c->read_paused) {
		c->read_paused = 0;
		if (!c->budget_paused)
			bufferevent_enable(c->bev, EV_READ);
		/* Lines that arrived while paused are still in the input. */
		conn_read_lines(c);
		if (!c->dead)
			conn_flush(c);
		if (!c->dead)
			conn_stop_check(c);
	}
}

void
conn_budget(struct conn *c, int paused)
{
	if (c->budget_paused == (paused ? 1 : 0))
		return;
	c->budget_paused = paused ? 1 : 0;
	if (paused) {
		c->srv->budget_paused++;
		bufferevent_disable(c->bev, EV_READ);
		return;
	}
	c->srv->budget_paused--;
	if (!c->read_paused && !c->closing && !c->lingering) {
		bufferevent_enable(c->bev, EV_READ);
		conn_read_lines(c);
		if (!c->dead)
			conn_flush(c);
	}
}

static void
conn_event_cb(struct bufferevent *bev, short what, void *arg)
{
	struct conn	*c = arg;

	(void)bev;
	if (c->lingering) {
		conn_close(c, what & BEV_EVENT_EOF ? (c->stopping ?
		    "shutdown" : "finished") : "finished: no EOF from the "
		    "client");
		return;
	}
	if (what & BEV_EVENT_EOF) {
		/* A half-close still gets the answers to what was sent. */
		if (conn_drained(c))
			conn_close(c, "client closed");
		else {
			c->eof = 1;
			conn_finish(c, "client closed");
		}
	} else if ((what & BEV_EVENT_TIMEOUT) && (what & BEV_EVENT_WRITING))
		conn_close(c, "write timeout: the client does not read");
	else if ((what & BEV_EVENT_TIMEOUT) && !conn_drained(c)) {
		/*
		 * Quiet, but still taking its answers: not idle. The write
		 * timeout is what closes a client that stops reading them.
		 */
		if (!c->read_paused && !c->budget_paused && !c->closing)
			bufferevent_enable(c->bev, EV_READ);
	} else if (what & BEV_EVENT_TIMEOUT)
		conn_close(c, "idle timeout");
	else if (what & BEV_EVENT_ERROR)
		conn_close(c, evutil_socket_error_to_string(
		    EVUTIL_SOCKET_ERROR()));
}

void
conn_reconfigure(struct conn *c)
{
	const struct conf_client	*cl;

	if (c->dead)
		return;
	if (!c->lingering)
		conn_apply_limits(c);
	if (c->who.client[0] == '\0')
		return;
	if ((cl = config_client(c->srv->core->conf, c->who.client)) ==
	    NULL) {
		log_info("%s: client %s removed from the conf", c->who.origin,
		    c->who.client);
		c->who.client[0] = '\0';
		c->who.role = ROLE_NONE;
		return;
	}
	c->who.role = cl->role;
}
