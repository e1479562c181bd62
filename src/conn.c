/*
 * Client connections: framing (one JSON text per line, at most
 * conf max_line bytes), back-pressure, idle timeout, and the held replies.
 */
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
#include "rpc.h"
#include "server.h"
#include "session.h"

static void	conn_read_cb(struct bufferevent *, void *);
static void	conn_write_cb(struct bufferevent *, void *);
static void	conn_event_cb(struct bufferevent *, short, void *);
static void	conn_line_too_long(struct conn *);
static int	conn_write_json(const char *, size_t, void *);
static void	conn_apply_limits(struct conn *);

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
	STAILQ_INIT(&c->replies);
	TAILQ_INIT(&c->sessions);
	if (sa->sa_family == AF_INET && socklen >= (int)sizeof(struct
	    sockaddr_in)) {
		inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr,
		    host, sizeof host);
		snprintf(c->peer, sizeof c->peer, "%s:%u", host,
		    ntohs(((const struct sockaddr_in *)sa)->sin_port));
	} else if (sa->sa_family == AF_INET6) {
		inet_ntop(AF_INET6,
		    &((const struct sockaddr_in6 *)sa)->sin6_addr, host,
		    sizeof host);
		snprintf(c->peer, sizeof c->peer, "[%s]:%u", host,
		    ntohs(((const struct sockaddr_in6 *)sa)->sin6_port));
	} else
		snprintf(c->peer, sizeof c->peer, "local");
	c->bev = bufferevent_socket_new(srv->base, fd, BEV_OPT_CLOSE_ON_FREE);
	if (c->bev == NULL) {
		evutil_closesocket(fd);
		free(c);
		return NULL;
	}
	bufferevent_setcb(c->bev, conn_read_cb, conn_write_cb, conn_event_cb,
	    c);
	conn_apply_limits(c);
	if (bufferevent_enable(c->bev, EV_READ | EV_WRITE) == -1) {
		bufferevent_free(c->bev);
		free(c);
		return NULL;
	}
	TAILQ_INSERT_TAIL(&srv->conns, c, entry);
	srv->nconns++;
	log_debug("conn %llu: open from %s", (unsigned long long)c->id,
	    c->peer);
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
	const struct config	*conf = c->srv->conf;
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
	struct reply	*r;

	log_info("conn %llu: closed (%s)%s%s", (unsigned long long)c->id,
	    reason, c->client[0] ? ", client " : "", c->client);
	/* Calls still open on this connection end as abandoned. */
	session_end_conn(srv, c, "connection closed");
	while ((r = STAILQ_FIRST(&c->replies)) != NULL) {
		STAILQ_REMOVE_HEAD(&c->replies, entry);
		json_decref(r->msg);
		free(r);
	}
	if (c->on_held)
		TAILQ_REMOVE(&srv->held, c, held_entry);
	TAILQ_REMOVE(&srv->conns, c, entry);
	srv->nconns--;
	bufferevent_free(c->bev);
	free(c);
}

/*
 * A stopping server answers what clients have already sent: whatever the
 * kernel holds for this socket is read and handled before reading stops.
 */
void
conn_drain_input(struct conn *c)
{
	struct evbuffer	*in = bufferevent_get_input(c->bev);
	evutil_socket_t	 fd = bufferevent_getfd(c->bev);
	size_t		 limit = (size_t)c->srv->conf->max_line * 4;

	while (!c->closing && evbuffer_get_length(in) < limit &&
	    evbuffer_read(in, fd, (int)(limit - evbuffer_get_length(in))) > 0)
		conn_read_cb(c->bev, c);
	if (!c->closing)
		conn_read_cb(c->bev, c);
}

void
conn_finish(struct conn *c)
{
	c->closing = 1;
	bufferevent_disable(c->bev, EV_READ);
}

int
conn_drained(const struct conn *c)
{
	return STAILQ_EMPTY(&c->replies) &&
	    evbuffer_get_length(bufferevent_get_output(c->bev)) == 0;
}

/* Splits the input into lines and hands each to the RPC layer. */
static void
conn_read_cb(struct bufferevent *bev, void *arg)
{
	struct conn		*c = arg;
	struct evbuffer		*in = bufferevent_get_input(bev);
	struct evbuffer_ptr	 eol;
	size_t			 eol_len, max = (size_t)c->srv->conf->max_line;
	size_t			 len;
	const char		*line;

	while (!c->closing) {
		eol = evbuffer_search_eol(in, NULL, &eol_len, EVBUFFER_EOL_LF);
		if (eol.pos == -1) {
			/* max bytes and a CR whose LF is yet to come are fine. */
			len = evbuffer_get_length(in);
			if (len > max + 1 || (len == max + 1 &&
			    *(evbuffer_pullup(in, -1) + max) != '\r'))
				conn_line_too_long(c);
			return;
		}
		len = (size_t)eol.pos;
		if (len > max + 1) {	/* +1: a CR before the LF */
			conn_line_too_long(c);
			return;
		}
		if ((line = (const char *)evbuffer_pullup(in, eol.pos +
		    (ev_ssize_t)eol_len)) == NULL) {
			conn_close(c, "out of memory");
			return;
		}
		if (len > 0 && line[len - 1] == '\r')
			len--;
		if (len > max) {
			conn_line_too_long(c);
			return;
		}
		rpc_handle_line(c, line, len);
		evbuffer_drain(in, (size_t)eol.pos + eol_len);
	}
}

/* A line over the limit: answer once, then close (SPEC §6). */
static void
conn_line_too_long(struct conn *c)
{
	json_t	*data;

	log_warnx("conn %llu: line over %d bytes, closing",
	    (unsigned long long)c->id, c->srv->conf->max_line);
	data = json_pack("{s:s, s:i}", "reason", "line too long", "max_line",
	    c->srv->conf->max_line);
	conn_queue_reply(c, rpc_error_response(json_null(),
	    RPC_INVALID_REQUEST, data), 0, 0, 0);
	evbuffer_drain(bufferevent_get_input(c->bev),
	    evbuffer_get_length(bufferevent_get_input(c->bev)));
	conn_finish(c);
}

static void
conn_write_cb(struct bufferevent *bev, void *arg)
{
	struct conn	*c = arg;

	(void)bev;
	if (c->closing) {
		if (conn_drained(c))
			conn_close(c, c->srv->stopping ? "shutdown" :
			    "finished");
		return;
	}
	if (c->read_paused) {
		c->read_paused = 0;
		bufferevent_enable(c->bev, EV_READ);
		/* Lines that arrived while paused are still in the input. */
		conn_read_cb(c->bev, c);
	}
}

static void
conn_event_cb(struct bufferevent *bev, short what, void *arg)
{
	struct conn	*c = arg;

	(void)bev;
	if (what & BEV_EVENT_EOF) {
		/* A half-close still gets the answers to what was sent. */
		if (conn_drained(c))
			conn_close(c, "client closed");
		else
			conn_finish(c);
	} else if ((what & BEV_EVENT_TIMEOUT) && (what & BEV_EVENT_WRITING))
		conn_close(c, "write timeout: the client does not read");
	else if (what & BEV_EVENT_TIMEOUT)
		conn_close(c, "idle timeout");
	else if (what & BEV_EVENT_ERROR)
		conn_close(c, evutil_socket_error_to_string(
		    EVUTIL_SOCKET_ERROR()));
}

int
conn_queue_reply(struct conn *c, json_t *msg, int durable, int batch_open,
    int batch_close)
{
	struct reply	*r;

	if (msg == NULL)
		return -1;
	if ((r = calloc(1, sizeof *r)) == NULL) {
		json_decref(msg);
		return -1;
	}
	r->msg = msg;
	r->durable = durable ? 1 : 0;
	r->batch_open = batch_open ? 1 : 0;
	r->batch_close = batch_close ? 1 : 0;
	STAILQ_INSERT_TAIL(&c->replies, r, entry);
	if (!c->on_held) {
		TAILQ_INSERT_TAIL(&c->srv->held, c, held_entry);
		c->on_held = 1;
	}
	return 0;
}

/*
 * Serialized replies are gathered in one contiguous buffer, reused from
 * reply to reply, and handed to the bufferevent in one piece: jansson
 * emits a reply in dozens of small fragments, and an evbuffer_add() for
 * each cost a tenth of a lookup.
 */
struct json_out {
	char	*buf;
	size_t	 len;
	size_t	 cap;
};

static struct json_out	json_out;

static int
conn_write_json(const char *buf, size_t size, void *arg)
{
	struct json_out	*o = arg;
	char		*p;
	size_t		 cap;

	if (o->len + size > o->cap) {
		cap = o->cap ? o->cap : 4096;
		while (cap < o->len + size)
			cap *= 2;
		if ((p = realloc(o->buf, cap)) == NULL)
			return -1;
		o->buf = p;
		o->cap = cap;
	}
	memcpy(o->buf + o->len, buf, size);
	o->len += size;
	return 0;
}

void
conn_output_free(void)
{
	free(json_out.buf);
	memset(&json_out, 0, sizeof json_out);
}

void
conn_release(struct conn *c, int commit_ok)
{
	struct evbuffer	*out = bufferevent_get_output(c->bev);
	struct reply	*r;
	json_t		*err;
	int		 in_batch = 0;

	/* A batch's replies are queued together: "[a,b,c]" on one line. */
	while ((r = STAILQ_FIRST(&c->replies)) != NULL) {
		STAILQ_REMOVE_HEAD(&c->replies, entry);
		if (r->durable && !commit_ok) {
			err = rpc_error_response(json_object_get(r->msg, "id"),
			    RPC_STORAGE_UNAVAILABLE, NULL);
			json_decref(r->msg);
			r->msg = err;
		}
		if (r->batch_open) {
			evbuffer_add(out, "[", 1);
			in_batch = 1;
		}
		json_out.len = 0;
		if (r->msg != NULL && json_dump_callback(r->msg,
		    conn_write_json, &json_out, JSON_COMPACT) == 0)
			evbuffer_add(out, json_out.buf, json_out.len);
		if (r->batch_close) {
			evbuffer_add(out, "]\n", 2);
			in_batch = 0;
		} else
			evbuffer_add(out, in_batch ? "," : "\n", 1);
		json_decref(r->msg);
		free(r);
	}
	TAILQ_REMOVE(&c->srv->held, c, held_entry);
	c->on_held = 0;
	if (!c->closing && evbuffer_get_length(out) >
	    (size_t)c->srv->conf->max_output) {
		c->read_paused = 1;
		bufferevent_disable(c->bev, EV_READ);
	}
}

void
conn_reconfigure(struct conn *c)
{
	const struct conf_client	*cl;

	conn_apply_limits(c);
	if (c->client[0] == '\0')
		return;
	if ((cl = config_client(c->srv->conf, c->client)) == NULL) {
		log_info("conn %llu: client %s removed from the conf",
		    (unsigned long long)c->id, c->client);
		c->client[0] = '\0';
		c->role = ROLE_NONE;
		return;
	}
	c->role = cl->role;
}
