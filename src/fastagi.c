/*
 * The FastAGI front end: Asterisk's AGI(agi://...) opens one connection
 * per call, and each is a channel that drives the IVR script through
 * dispatch() like a gateway speaking call.* would:
 *
 *   agi_* block -> call.begin -> ANSWER, the actions -> GET DATA ->
 *   call.input -> the actions -> ... -> transfer or hangup -> call.end
 *   -> SET VARIABLE HOTLINE_OUTCOME, HOTLINE_INQUIRY -> EXEC <queue_app>
 *   or HANGUP -> close
 *
 * Asterisk runs one command at a time and a line that arrives while a
 * prompt plays stops it without a response (docs/ASTERISK.md), so a
 * channel has at most one command outstanding and sends the next only
 * after the response. An answer of dispatch that reports writes (its
 * seq) is held until the commit barrier releases it: the caller hears
 * nothing that is not durable, as a JSON-RPC client reads nothing that
 * is not. A hangup (a HANGUP line, -1 from a question, 511) ends the
 * call with call.end; the two variables are still set (Asterisk allows
 * that on a dead channel) and nothing else is sent.
 */
#include <sys/queue.h>
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
#include <event2/listener.h>
#include <jansson.h>

#include "agi.h"
#include "commit.h"
#include "compat.h"
#include "config.h"
#include "core.h"
#include "dispatch.h"
#include "fastagi.h"
#include "inquiry.h"
#include "log.h"
#include "metrics.h"
#include "notice.h"
#include "prompt.h"
#include "session.h"

#define FA_BACKLOG		256
#define FA_ACCEPT_PAUSE_S	1	/* out of descriptors: wait, do not spin */
#define FA_STOP_GRACE_S		10	/* a stop waits so long for the calls */
/*
 * A response line is at most AGI_REPLY_LINE_MAX bytes; the read
 * high-watermark stays above it so that a long line is never stalled.
 */
#define FA_READ_MAX		(AGI_REPLY_LINE_MAX * 2)
#define FA_FEED_CHUNK		4096	/* env bytes handed to the codec at once */
#define FA_DIGITS_MAX		32	/* what call.input takes */
#define FA_QUEUE_MAX		128	/* an operator queue's name */
/* GET DATA plays a file: this one, when the question has no recording. */
#define FA_SILENCE		"silence/1"

/* The placeholders that carry an organisation's data (SPEC §6.3). */
#define FA_ORG_VARS	((1u << PV_ORGANISATION) | (1u << PV_SERVICE) | \
			 (1u << PV_PERIOD) | (1u << PV_ITEMS) | \
			 (1u << PV_STATUS_NOTE) | (1u << PV_CONTACT))

enum chan_state {
	CH_ENV = 0,	/* reading the agi_* block */
	CH_IDLE,	/* between two steps, for the length of a callback */
	CH_HELD,	/* an answer of dispatch waits for its commit */
	CH_COMMAND,	/* a command is out; its response is awaited */
};

enum chan_cmd {
	CMD_NONE = 0,
	CMD_ANSWER,
	CMD_STREAM,
	CMD_TTS,
	CMD_GET_DATA,
	CMD_SET_OUTCOME,
	CMD_SET_INQUIRY,
	CMD_TRANSFER,
	CMD_HANGUP,
};

static const char *cmd_names[] = {
	"none", "ANSWER", "STREAM FILE", "EXEC (tts_app)", "GET DATA",
	"SET VARIABLE", "SET VARIABLE", "EXEC (queue_app)", "HANGUP",
};

enum chan_method {
	METHOD_BEGIN = 0,
	METHOD_INPUT,
	METHOD_END,
};

static const char *method_names[] = { "call.begin", "call.input",
	"call.end" };

/* How the call leaves once it has ended. */
enum chan_final {
	FINAL_NONE = 0,		/* close: the caller is gone, a stop, an error */
	FINAL_TRANSFER,
	FINAL_HANGUP,
};

struct fastagi_chan {
	TAILQ_ENTRY(fastagi_chan) entry;	/* the channels, or dead */
	struct fastagi		*fa;
	struct bufferevent	*bev;
	struct event		*ev_timeout;	/* the block, or a response */
	struct event		*ev_kick;	/* goes on after a release */
	uint64_t		 id;

	struct principal	 who;
	struct session_owner	 sessions;
	struct commit_waiter	 waiter;
	struct agi_env		 env;
	struct agi_reply_state	 rs;

	enum chan_state		 state;
	enum chan_cmd		 cmd;		/* the command out */
	char			 session[SESSION_ID_LEN + 1];
	char			 call_id[SESSION_CALL_ID_MAX + 1];

	/* The actions being played: action ai, its recording pi. */
	json_t			*actions;
	size_t			 ai, pi;
	char			 question[NOTICE_SOUND_MAX];
	size_t			 tts_skip;	/* action ai + 1: not by TTS */

	/* The answer held for the barrier. */
	enum chan_method	 method;
	struct dispatch_result	 held;
	int			 release_ok;

	enum chan_final		 final;
	char			 queue[FA_QUEUE_MAX];
	char			 outcome[32];
	char			 inquiry[32];

	unsigned		 released:1;	/* held answer may be used */
	unsigned		 answered:1;
	unsigned		 hung_up:1;	/* the caller is gone */
	unsigned		 ending:1;	/* call.end dispatched */
	unsigned		 stopping:1;
	unsigned		 tts_off:1;	/* tts_app is not on the PBX */
	unsigned		 dead:1;	/* closed; freed after the turn */
};

TAILQ_HEAD(chan_list, fastagi_chan);

struct fastagi {
	struct event_base	*base;
	struct core		*core;
	struct evconnlistener	*listener;
	char			 address[64];	/* as the conf said, bound */
	int			 port;
	struct event		*ev_reap;
	struct event		*ev_grace;
	struct event		*ev_resume;
	struct chan_list	 chans;
	struct chan_list	 dead;
	size_t			 n;
	uint64_t		 next_id;
	int			 stopping;
};

#define CHAN_OF(p, member) ((struct fastagi_chan *)(void *)((char *)(p) - \
	offsetof(struct fastagi_chan, member)))

static int	fastagi_listen(struct fastagi *, char **);
static void	fastagi_accept_cb(struct evconnlistener *, evutil_socket_t,
		    struct sockaddr *, int, void *);
static void	fastagi_accept_error_cb(struct evconnlistener *, void *);
static void	fastagi_resume_cb(evutil_socket_t, short, void *);
static void	fastagi_reap_cb(evutil_socket_t, short, void *);
static void	fastagi_grace_cb(evutil_socket_t, short, void *);
static void	chan_new(struct fastagi *, evutil_socket_t, const char *);
static void	chan_close(struct fastagi_chan *, const char *);
static void	chan_free(struct fastagi_chan *);
static void	chan_read_cb(struct bufferevent *, void *);
static void	chan_event_cb(struct bufferevent *, short, void *);
static void	chan_timeout_cb(evutil_socket_t, short, void *);
static void	chan_kick_cb(evutil_socket_t, short, void *);
static void	chan_release(struct commit_waiter *, uint64_t, int);
static void	chan_lines(struct fastagi_chan *);
static void	chan_reply(struct fastagi_chan *, const struct agi_reply *);
static void	chan_begin(struct fastagi_chan *);
static void	chan_next(struct fastagi_chan *);
static void	chan_end(struct fastagi_chan *, const char *);
static void	chan_variables(struct fastagi_chan *);
static void	chan_leave(struct fastagi_chan *);
static void	chan_principal(struct fastagi_chan *);
static void	chan_write_cb(struct bufferevent *, void *);

/* -- the listener --------------------------------------------------- */

static int
fastagi_listen(struct fastagi *fa, char **err)
{
	const struct config	*conf = fa->core->conf;
	struct sockaddr_storage	 ss;
	struct sockaddr_in	*sin = (struct sockaddr_in *)&ss;
	struct sockaddr_in6	*sin6 = (struct sockaddr_in6 *)&ss;
	struct evconnlistener	*l;
	socklen_t		 len;
	char			 host[INET6_ADDRSTRLEN];

	memset(&ss, 0, sizeof ss);
	if (inet_pton(AF_INET, conf->fastagi_address, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons((uint16_t)conf->fastagi_port);
		len = sizeof *sin;
	} else if (inet_pton(AF_INET6, conf->fastagi_address,
	    &sin6->sin6_addr) == 1) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons((uint16_t)conf->fastagi_port);
		len = sizeof *sin6;
	} else {
		if (asprintf(err, "fastagi.address: %s is not an IP address",
		    conf->fastagi_address) == -1)
			*err = NULL;
		return -1;
	}
	l = evconnlistener_new_bind(fa->base, fastagi_accept_cb, fa,
	    LEV_OPT_CLOSE_ON_FREE | LEV_OPT_REUSEABLE | LEV_OPT_CLOSE_ON_EXEC,
	    FA_BACKLOG, (struct sockaddr *)&ss, (int)len);
	if (l == NULL) {
		if (asprintf(err, "fastagi: listen on %s port %d: %s",
		    conf->fastagi_address, conf->fastagi_port,
		    strerror(errno)) == -1)
			*err = NULL;
		return -1;
	}
	evconnlistener_set_error_cb(l, fastagi_accept_error_cb);
	if (fa->listener != NULL)
		evconnlistener_free(fa->listener);
	fa->listener = l;
	snprintf(fa->address, sizeof fa->address, "%s", conf->fastagi_address);
	fa->port = conf->fastagi_port;
	len = sizeof ss;
	getsockname(evconnlistener_get_fd(l), (struct sockaddr *)&ss, &len);
	if (ss.ss_family == AF_INET)
		inet_ntop(AF_INET, &sin->sin_addr, host, sizeof host);
	else
		inet_ntop(AF_INET6, &sin6->sin6_addr, host, sizeof host);
	/* Tests and scripts read the port here when the conf says 0. */
	log_notice("fastagi: Asterisk's calls on %s port %d, as client %s",
	    host, ntohs(ss.ss_family == AF_INET ? sin->sin_port :
	    sin6->sin6_port), conf->fastagi_client);
	return 0;
}

struct fastagi *
fastagi_new(struct event_base *base, struct core *core, char **err)
{
	struct fastagi	*fa;

	*err = NULL;
	if ((fa = calloc(1, sizeof *fa)) == NULL) {
		*err = strdup("out of memory");
		return NULL;
	}
	fa->base = base;
	fa->core = core;
	TAILQ_INIT(&fa->chans);
	TAILQ_INIT(&fa->dead);
	if ((fa->ev_reap = event_new(base, -1, 0, fastagi_reap_cb, fa)) ==
	    NULL || (fa->ev_grace = evtimer_new(base, fastagi_grace_cb,
	    fa)) == NULL || (fa->ev_resume = evtimer_new(base,
	    fastagi_resume_cb, fa)) == NULL) {
		fastagi_free(fa);
		*err = strdup("out of memory");
		return NULL;
	}
	if (core->conf->fastagi && fastagi_listen(fa, err) == -1) {
		fastagi_free(fa);
		if (*err == NULL)
			*err = strdup("out of memory");
		return NULL;
	}
	return fa;
}

static void
fastagi_reap(struct fastagi *fa)
{
	struct fastagi_chan	*ch;

	while ((ch = TAILQ_FIRST(&fa->dead)) != NULL) {
		TAILQ_REMOVE(&fa->dead, ch, entry);
		chan_free(ch);
	}
}

void
fastagi_free(struct fastagi *fa)
{
	struct fastagi_chan	*ch;

	if (fa == NULL)
		return;
	while ((ch = TAILQ_FIRST(&fa->chans)) != NULL)
		chan_close(ch, "shutdown");
	fastagi_reap(fa);
	if (fa->listener != NULL)
		evconnlistener_free(fa->listener);
	if (fa->ev_reap != NULL)
		event_free(fa->ev_reap);
	if (fa->ev_grace != NULL)
		event_free(fa->ev_grace);
	if (fa->ev_resume != NULL)
		event_free(fa->ev_resume);
	free(fa);
}

size_t
fastagi_open(const struct fastagi *fa)
{
	return fa != NULL ? fa->n : 0;
}

void
fastagi_stop(struct fastagi *fa)
{
	struct timeval		 tv = { FA_STOP_GRACE_S, 0 };
	struct fastagi_chan	*ch, *next;

	if (fa == NULL || fa->stopping)
		return;
	fa->stopping = 1;
	if (fa->listener != NULL)
		evconnlistener_disable(fa->listener);
	evtimer_del(fa->ev_resume);
	TAILQ_FOREACH_SAFE(ch, &fa->chans, entry, next) {
		ch->stopping = 1;
		/*
		 * Not a call yet, or one that is with the operators' queue
		 * (its session has ended): nothing to finish. Otherwise the
		 * command out and the answer held finish first.
		 */
		if (ch->state == CH_ENV || (ch->state == CH_COMMAND &&
		    ch->cmd == CMD_TRANSFER))
			chan_close(ch, "shutdown");
	}
	if (fa->n > 0)
		evtimer_add(fa->ev_grace, &tv);
}

static void
fastagi_grace_cb(evutil_socket_t fd, short what, void *arg)
{
	struct fastagi		*fa = arg;
	struct fastagi_chan	*ch;

	(void)fd;
	(void)what;
	while ((ch = TAILQ_FIRST(&fa->chans)) != NULL)
		chan_close(ch, "shutdown: grace period over");
}

void
fastagi_reconfigure(struct fastagi *fa)
{
	const struct config	*conf;
	struct fastagi_chan	*ch;
	char			*err = NULL;

	if (fa == NULL)
		return;
	conf = fa->core->conf;
	TAILQ_FOREACH(ch, &fa->chans, entry)
		chan_principal(ch);
	if (fa->stopping)
		return;
	if (!conf->fastagi) {
		if (fa->listener != NULL) {
			evconnlistener_free(fa->listener);
			fa->listener = NULL;
			log_notice("fastagi: no fastagi section any more: not "
			    "listening (calls in progress go on)");
		}
		return;
	}
	if (fa->listener != NULL && strcmp(fa->address,
	    conf->fastagi_address) == 0 && fa->port == conf->fastagi_port)
		return;
	if (fastagi_listen(fa, &err) == -1) {
		log_warnx("reload: %s; %s", err ? err : "out of memory",
		    fa->listener != NULL ? "the old listener stays" :
		    "no FastAGI listener");
		free(err);
	}
}

/* Whether the peer's address is one of fastagi.allow's. */
static int
fastagi_allowed(const struct config *conf, const struct sockaddr *sa)
{
	const struct conf_net	*n;
	const unsigned char	*a;
	int			 family, bits, i;
	size_t			 k;

	if (sa->sa_family == AF_INET) {
		family = AF_INET;
		a = (const unsigned char *)&((const struct sockaddr_in *)
		    (const void *)sa)->sin_addr;
	} else if (sa->sa_family == AF_INET6) {
		a = (const unsigned char *)&((const struct sockaddr_in6 *)
		    (const void *)sa)->sin6_addr;
		family = AF_INET6;
		/* ::ffff:192.0.2.1 on a "::" listener is 192.0.2.1. */
		if (IN6_IS_ADDR_V4MAPPED((const struct in6_addr *)
		    (const void *)a)) {
			family = AF_INET;
			a += 12;
		}
	} else
		return 0;
	for (k = 0; k < conf->fastagi_nallow; k++) {
		n = &conf->fastagi_allow[k];
		if (n->family != family)
			continue;
		for (i = 0, bits = n->prefix; bits >= 8; i++, bits -= 8)
			if (a[i] != n->addr[i])
				break;
		if (bits >= 8)
			continue;
		if (bits == 0 || ((a[i] ^ n->addr[i]) &
		    (0xff << (8 - bits)) & 0xff) == 0)
			return 1;
	}
	return 0;
}

static void
peer_name(const struct sockaddr *sa, char *out, size_t len)
{
	char	host[INET6_ADDRSTRLEN] = "?";

	if (sa->sa_family == AF_INET) {
		inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)
		    sa)->sin_addr, host, sizeof host);
		snprintf(out, len, "%s:%u", host, ntohs(((const struct
		    sockaddr_in *)(const void *)sa)->sin_port));
	} else if (sa->sa_family == AF_INET6) {
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)
		    (const void *)sa)->sin6_addr, host, sizeof host);
		snprintf(out, len, "[%s]:%u", host, ntohs(((const struct
		    sockaddr_in6 *)(const void *)sa)->sin6_port));
	} else
		snprintf(out, len, "?");
}

static void
fastagi_accept_cb(struct evconnlistener *l, evutil_socket_t fd,
    struct sockaddr *sa, int socklen, void *arg)
{
	struct fastagi	*fa = arg;
	char		 peer[64];

	(void)l;
	(void)socklen;
	peer_name(sa, peer, sizeof peer);
	if (fa->stopping) {
		evutil_closesocket(fd);
		return;
	}
	/* FastAGI has no authentication: the address is all there is. */
	if (!fastagi_allowed(fa->core->conf, sa)) {
		log_warnx("fastagi: connection from %s refused: not in "
		    "fastagi.allow", peer);
		evutil_closesocket(fd);
		return;
	}
	if (fa->n >= (size_t)fa->core->conf->fastagi_max_calls) {
		log_warnx("fastagi: connection from %s refused: %zu calls "
		    "open (fastagi.max_calls)", peer, fa->n);
		evutil_closesocket(fd);
		return;
	}
	evutil_make_socket_closeonexec(fd);
	chan_new(fa, fd, peer);
}

static void
fastagi_accept_error_cb(struct evconnlistener *l, void *arg)
{
	struct fastagi	*fa = arg;
	struct timeval	 tv = { FA_ACCEPT_PAUSE_S, 0 };
	int		 e = EVUTIL_SOCKET_ERROR();

	if (e == EMFILE || e == ENFILE || e == ENOBUFS || e == ENOMEM) {
		log_warnx("fastagi: accept: %s; pausing %d s", strerror(e),
		    FA_ACCEPT_PAUSE_S);
		evconnlistener_disable(l);
		evtimer_add(fa->ev_resume, &tv);
		return;
	}
	log_warnx("fastagi: accept: %s", strerror(e));
}

static void
fastagi_resume_cb(evutil_socket_t fd, short what, void *arg)
{
	struct fastagi	*fa = arg;

	(void)fd;
	(void)what;
	if (!fa->stopping && fa->listener != NULL)
		evconnlistener_enable(fa->listener);
}

/* Closed channels are freed here, outside every callback of theirs. */
static void
fastagi_reap_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	fastagi_reap(arg);
}

/* -- a channel: its life ---------------------------------------------- */

/*
 * The principal of a call: the conf's fastagi.client, as a gateway. A
 * call in progress keeps its client across a reload while that client
 * is in the conf; one removed loses its access at once, as on the TCP
 * port.
 */
static void
chan_principal(struct fastagi_chan *ch)
{
	const struct config		*conf = ch->fa->core->conf;
	const struct conf_client	*cl;

	if (ch->who.client[0] == '\0' && conf->fastagi_client != NULL)
		snprintf(ch->who.client, sizeof ch->who.client, "%s",
		    conf->fastagi_client);
	if ((cl = config_client(conf, ch->who.client)) == NULL) {
		if (ch->who.role != ROLE_NONE)
			log_info("agi %llu: client %s removed from the conf",
			    (unsigned long long)ch->id, ch->who.client);
		ch->who.role = ROLE_NONE;
		return;
	}
	ch->who.role = cl->role;
}

static void
chan_new(struct fastagi *fa, evutil_socket_t fd, const char *peer)
{
	struct core		*core = fa->core;
	struct fastagi_chan	*ch;
	struct timeval		 tv = { core->conf->fastagi_env_timeout_s, 0 };

	if ((ch = calloc(1, sizeof *ch)) == NULL) {
		log_warnx("fastagi: connection from %s dropped: out of memory",
		    peer);
		evutil_closesocket(fd);
		return;
	}
	ch->fa = fa;
	ch->id = ++fa->next_id;
	snprintf(ch->who.origin, sizeof ch->who.origin, "agi %llu",
	    (unsigned long long)ch->id);
	snprintf(ch->who.peer, sizeof ch->who.peer, "%s", peer);
	session_owner_init(&ch->sessions);
	ch->who.owner = &ch->sessions;
	chan_principal(ch);
	ch->waiter.release = chan_release;
	agi_env_init(&ch->env);
	agi_reply_init(&ch->rs);
	ch->state = CH_ENV;
	if ((ch->ev_timeout = evtimer_new(fa->base, chan_timeout_cb, ch)) ==
	    NULL || (ch->ev_kick = event_new(fa->base, -1, 0, chan_kick_cb,
	    ch)) == NULL || (ch->bev = bufferevent_socket_new(fa->base, fd,
	    BEV_OPT_CLOSE_ON_FREE)) == NULL) {
		log_warnx("fastagi: connection from %s dropped: out of memory",
		    peer);
		evutil_closesocket(fd);
		chan_free(ch);
		return;
	}
	bufferevent_setcb(ch->bev, chan_read_cb, chan_write_cb, chan_event_cb,
	    ch);
	bufferevent_setwatermark(ch->bev, EV_READ, 0, FA_READ_MAX);
	if (bufferevent_enable(ch->bev, EV_READ | EV_WRITE) == -1) {
		chan_free(ch);
		return;
	}
	evtimer_add(ch->ev_timeout, &tv);
	TAILQ_INSERT_TAIL(&fa->chans, ch, entry);
	fa->n++;
	core->connections++;
	metrics_gauge_add(core->metrics, METRICS_CONNECTIONS_FASTAGI, 1);
	log_debug("%s: open from %s", ch->who.origin, peer);
}

/*
 * The one place a channel closes: its call, if it is still open, ends
 * as abandoned (or with its lookup's outcome); it is freed after the
 * loop turn.
 */
static void
chan_close(struct fastagi_chan *ch, const char *reason)
{
	struct fastagi	*fa = ch->fa;
	struct core	*core = fa->core;

	if (ch->dead)
		return;
	log_info("%s: closed (%s)", ch->who.origin, reason);
	session_end_owner(core, &ch->sessions, "connection closed");
	commit_unwait(core->commit, &ch->waiter);
	dispatch_result_clear(&ch->held);
	bufferevent_free(ch->bev);
	ch->bev = NULL;
	evtimer_del(ch->ev_timeout);
	event_del(ch->ev_kick);
	TAILQ_REMOVE(&fa->chans, ch, entry);
	fa->n--;
	core->connections--;
	metrics_gauge_add(core->metrics, METRICS_CONNECTIONS_FASTAGI, -1);
	TAILQ_INSERT_TAIL(&fa->dead, ch, entry);
	ch->dead = 1;
	event_active(fa->ev_reap, EV_TIMEOUT, 0);
	if (fa->stopping && fa->n == 0)
		evtimer_del(fa->ev_grace);
}

static void
chan_free(struct fastagi_chan *ch)
{
	if (ch == NULL)
		return;
	if (ch->bev != NULL)
		bufferevent_free(ch->bev);
	if (ch->ev_timeout != NULL)
		event_free(ch->ev_timeout);
	if (ch->ev_kick != NULL)
		event_free(ch->ev_kick);
	dispatch_result_clear(&ch->held);
	json_decref(ch->actions);
	free(ch);
}

static void
chan_timeout_cb(evutil_socket_t fd, short what, void *arg)
{
	struct fastagi_chan	*ch = arg;

	(void)fd;
	(void)what;
	if (ch->state == CH_ENV) {
		log_warnx("%s: no whole agi_* block within %d s", ch->who.origin,
		    ch->fa->core->conf->fastagi_env_timeout_s);
		chan_close(ch, "environment block too slow");
		return;
	}
	log_warnx("%s: no response to %s in time", ch->who.origin,
	    cmd_names[ch->cmd]);
	chan_close(ch, "response timeout");
}

/*
 * At a stop, a call handed to the queue application needs hotline no
 * more: once Asterisk has the EXEC line, the connection may go (the
 * caller stays in the queue; Asterisk sees the close after it).
 */
static void
chan_write_cb(struct bufferevent *bev, void *arg)
{
	struct fastagi_chan	*ch = arg;

	if (ch->stopping && ch->state == CH_COMMAND &&
	    ch->cmd == CMD_TRANSFER &&
	    evbuffer_get_length(bufferevent_get_output(bev)) == 0)
		chan_close(ch, "shutdown: the call is with the queue");
}

static void
chan_event_cb(struct bufferevent *bev, short what, void *arg)
{
	struct fastagi_chan	*ch = arg;

	(void)bev;
	if (what & BEV_EVENT_EOF)
		/* Asterisk ended the AGI (or the caller, with the channel). */
		chan_close(ch, "Asterisk closed the connection");
	else if (what & BEV_EVENT_ERROR)
		chan_close(ch, evutil_socket_error_to_string(
		    EVUTIL_SOCKET_ERROR()));
}

/* -- a channel: bytes in --------------------------------------------- */

static void
chan_read_cb(struct bufferevent *bev, void *arg)
{
	struct fastagi_chan	*ch = arg;
	struct evbuffer		*in = bufferevent_get_input(bev);
	enum agi_status		 st;
	const char		*p;
	size_t			 n, used;

	while (ch->state == CH_ENV && (n = evbuffer_get_length(in)) > 0) {
		if (n > FA_FEED_CHUNK)
			n = FA_FEED_CHUNK;
		if ((p = (const char *)evbuffer_pullup(in, (ev_ssize_t)n)) ==
		    NULL) {
			chan_close(ch, "out of memory");
			return;
		}
		st = agi_env_feed(&ch->env, p, n, &used);
		evbuffer_drain(in, used);
		if (st == AGI_ERROR) {
			log_warnx("%s: environment block refused: %s",
			    ch->who.origin, ch->env.error);
			chan_close(ch, "bad environment block");
			return;
		}
		if (st == AGI_DONE)
			chan_begin(ch);
		if (ch->dead)
			return;
	}
	if (ch->state != CH_ENV)
		chan_lines(ch);
}

/*
 * The lines Asterisk sent: HANGUP lines at any time, a response only
 * while a command is out. Anything else is not Asterisk: close.
 */
static void
chan_lines(struct fastagi_chan *ch)
{
	struct evbuffer		*in = bufferevent_get_input(ch->bev);
	struct evbuffer_ptr	 eol;
	struct agi_reply	 r;
	enum agi_status		 st;
	const char		*line;
	size_t			 eol_len, len;

	while (!ch->dead) {
		eol = evbuffer_search_eol(in, NULL, &eol_len, EVBUFFER_EOL_LF);
		if (eol.pos == -1) {
			if (evbuffer_get_length(in) >= AGI_REPLY_LINE_MAX) {
				log_warnx("%s: a line over %d bytes",
				    ch->who.origin, AGI_REPLY_LINE_MAX);
				chan_close(ch, "line too long");
			}
			return;
		}
		len = (size_t)eol.pos;
		if (len >= AGI_REPLY_LINE_MAX) {
			log_warnx("%s: a line over %d bytes", ch->who.origin,
			    AGI_REPLY_LINE_MAX);
			chan_close(ch, "line too long");
			return;
		}
		if ((line = (const char *)evbuffer_pullup(in,
		    (ev_ssize_t)(len + eol_len))) == NULL) {
			chan_close(ch, "out of memory");
			return;
		}
		st = agi_reply_line(&ch->rs, line, len, &r);
		evbuffer_drain(in, len + eol_len);
		switch (st) {
		case AGI_HANGUP:
			if (!ch->hung_up)
				log_info("%s: call %s: the caller hung up",
				    ch->who.origin, ch->call_id);
			ch->hung_up = 1;
			break;
		case AGI_MORE:
			if (ch->state != CH_COMMAND) {
				chan_close(ch, "a response to no command");
				return;
			}
			break;
		case AGI_DONE:
			if (ch->state != CH_COMMAND) {
				chan_close(ch, "a response to no command");
				return;
			}
			chan_reply(ch, &r);
			break;
		case AGI_ERROR:
			log_warnx("%s: not a line of the AGI protocol",
			    ch->who.origin);
			chan_close(ch, "protocol error");
			return;
		}
	}
}

/* -- a channel: the call ------------------------------------------------ */

/* One command out; its response is awaited for timeout_s. */
static void
chan_send(struct fastagi_chan *ch, enum chan_cmd cmd, const char *line,
    int n, int timeout_s)
{
	struct timeval	tv = { timeout_s, 0 };

	if (n < 0) {
		/* A bound of the codec: hotline would not send this. */
		log_warnx("%s: %s not sent: over the bounds of a command",
		    ch->who.origin, cmd_names[cmd]);
		chan_close(ch, "command too long");
		return;
	}
	if (bufferevent_write(ch->bev, line, (size_t)n) == -1) {
		chan_close(ch, "out of memory");
		return;
	}
	ch->state = CH_COMMAND;
	ch->cmd = cmd;
	evtimer_add(ch->ev_timeout, &tv);
}

/*
 * Runs a call of the IVR through dispatch. The answer is kept until the
 * barrier releases it — at once when it waits for nothing — and used by
 * chan_kick_cb, on the loop, outside the barrier's callback.
 */
static void
chan_dispatch(struct fastagi_chan *ch, enum chan_method m, json_t *params)
{
	struct core	*core = ch->fa->core;

	dispatch_result_clear(&ch->held);
	if (params == NULL) {
		ch->held.error = RPC_INTERNAL_ERROR;
		ch->held.seq = 0;
	} else
		dispatch(core, &ch->who, method_names[m], params, &ch->held);
	json_decref(params);
	ch->method = m;
	ch->state = CH_HELD;
	ch->released = 0;
	if (ch->held.seq != 0)
		commit_wait(core->commit, &ch->waiter, ch->held.seq);
	else {
		ch->released = 1;
		ch->release_ok = 1;
		event_active(ch->ev_kick, EV_TIMEOUT, 0);
	}
}

static void
chan_release(struct commit_waiter *w, uint64_t seq, int ok)
{
	struct fastagi_chan	*ch = CHAN_OF(w, waiter);

	if (ch->dead || ch->state != CH_HELD || seq < ch->held.seq)
		return;
	ch->released = 1;
	ch->release_ok = ok;
	event_active(ch->ev_kick, EV_TIMEOUT, 0);
}

/* 1..max printable ASCII characters: safe as a call_id and in logs. */
static int
printable(const char *s, size_t max)
{
	size_t	n;

	for (n = 0; s[n] != '\0'; n++)
		if (n >= max || s[n] < '!' || s[n] > '~')
			return 0;
	return n > 0;
}

/* "en", "en_US", "EN-gb" -> "en", if hotline speaks it; else NULL. */
static const char *
lang_of(const char *s, char out[3])
{
	if (s == NULL || strlen(s) < 2 || (s[2] != '\0' && s[2] != '_' &&
	    s[2] != '-'))
		return NULL;
	out[0] = (char)(s[0] | 0x20);
	out[1] = (char)(s[1] | 0x20);
	out[2] = '\0';
	return prompt_lang_valid(out) ? out : NULL;
}

/*
 * The call's language (SPEC §6.3): agi_arg_1, else lang= of the script,
 * else the channel's language; the first of them that hotline speaks,
 * else the conf's default (NULL).
 */
static const char *
chan_lang(const struct agi_env *e, char out[3])
{
	char	q[AGI_VALUE_MAX];

	if (lang_of(e->arg1, out) != NULL ||
	    lang_of(agi_script_param(e, "lang", q, sizeof q), out) != NULL ||
	    lang_of(e->language, out) != NULL)
		return out;
	return NULL;
}

/* The block is whole: the call begins. */
static void
chan_begin(struct fastagi_chan *ch)
{
	const struct agi_env	*e = &ch->env;
	const char		*ani, *lang;
	char			 l[3], masked[LOG_MASKED_PHONE_MAX];
	json_t			*params;

	evtimer_del(ch->ev_timeout);
	ch->state = CH_IDLE;
	if (printable(e->uniqueid, SESSION_CALL_ID_MAX))
		memcpy(ch->call_id, e->uniqueid, strlen(e->uniqueid) + 1);
	else
		snprintf(ch->call_id, sizeof ch->call_id, "agi-%llu",
		    (unsigned long long)ch->id);
	ani = agi_env_caller(e);
	lang = chan_lang(e, l);
	log_info("%s: call %s from %s, caller %s, lang %s", ch->who.origin,
	    ch->call_id, ch->who.peer, ani != NULL ? log_mask_phone(ani,
	    masked) : "withheld", lang != NULL ? lang : "default");
	if (ch->stopping) {
		chan_close(ch, "shutdown");
		return;
	}
	params = json_pack("{s:s}", "call_id", ch->call_id);
	if (params != NULL && ani != NULL)
		json_object_set_new(params, "ani", json_string(ani));
	if (params != NULL && e->dnid[0] != '\0' &&
	    strcmp(e->dnid, "unknown") != 0)
		json_object_set_new(params, "dnis", json_string(e->dnid));
	if (params != NULL && lang != NULL)
		json_object_set_new(params, "lang", json_string(lang));
	chan_dispatch(ch, METHOD_BEGIN, params);
}

/* The prompt of a say action, by its name. */
static int
prompt_of(const char *name)
{
	int	i;

	for (i = 0; name != NULL && i < PROMPT_COUNT; i++)
		if (strcmp(prompt_name((enum prompt_id)i), name) == 0)
			return i;
	return -1;
}

/*
 * Whether a say action is spoken by tts_app rather than played from its
 * recordings: with a TTS, the parts that carry an organisation's data
 * (its name, service, period, items, note, contact) are spoken whole,
 * in one voice, and everything the same for every caller is played.
 */
static int
chan_tts(const struct fastagi_chan *ch, json_t *act)
{
	int	id;

	if (ch->fa->core->conf->fastagi_tts_app[0] == '\0' || ch->tts_off)
		return 0;
	if (json_array_size(json_object_get(act, "audio")) == 0)
		return 1;
	id = prompt_of(json_string_value(json_object_get(act, "prompt")));
	return id >= 0 && (prompt_vars((enum prompt_id)id) & FA_ORG_VARS) != 0;
}

static const char *
type_of(json_t *act)
{
	const char	*t = json_string_value(json_object_get(act, "type"));

	return t != NULL ? t : "";
}

/*
 * One step of a say action: its text with EXEC tts_app, or its next
 * recording with STREAM FILE — but the last recording before a collect,
 * the question, is kept for GET DATA to play. 1: a command is out; 0:
 * the action is done.
 */
static int
chan_say(struct fastagi_chan *ch, json_t *act, json_t *next)
{
	const struct config	*conf = ch->fa->core->conf;
	json_t			*audio = json_object_get(act, "audio");
	const char		*args[1], *name;
	char			 line[AGI_CMD_MAX + 1];
	int			 k;

	if (ch->tts_skip != ch->ai + 1 && chan_tts(ch, act)) {
		if (ch->pi > 0)
			return 0;
		args[0] = json_string_value(json_object_get(act, "text"));
		if (args[0] == NULL)
			args[0] = "";
		if ((k = agi_cmd_exec(line, sizeof line, conf->fastagi_tts_app,
		    args, 1)) != -1) {
			ch->pi = 1;
			chan_send(ch, CMD_TTS, line, k,
			    conf->fastagi_reply_timeout_s);
			return 1;
		}
		/* Too long for one command line: its recordings play. */
		log_warnx("%s: a text too long for tts_app; its recordings "
		    "play", ch->who.origin);
		ch->tts_skip = ch->ai + 1;
	}
	while (ch->pi < json_array_size(audio)) {
		name = json_string_value(json_array_get(audio, ch->pi));
		ch->pi++;
		if (name == NULL)
			continue;
		if (ch->pi == json_array_size(audio) &&
		    strcmp(type_of(next), "collect") == 0 &&
		    strlen(name) < sizeof ch->question) {
			snprintf(ch->question, sizeof ch->question, "%s", name);
			return 0;
		}
		chan_send(ch, CMD_STREAM, line, agi_cmd_stream_file(line,
		    sizeof line, name, ""), conf->fastagi_reply_timeout_s);
		return 1;
	}
	return 0;
}

/*
 * The next step of the actions: ANSWER once, each say (chan_say), a
 * collect with GET DATA — its file the question, so that the caller may
 * key in while it plays — and a transfer or hangup by ending the call
 * first. Called after each response and each released answer.
 */
static void
chan_next(struct fastagi_chan *ch)
{
	const struct config	*conf = ch->fa->core->conf;
	json_t			*act;
	const char		*type, *queue;
	char			 line[AGI_CMD_MAX + 1];
	size_t			 n;
	int			 k, timeout, max;

	ch->state = CH_IDLE;
	if (ch->hung_up || ch->stopping) {
		chan_leave(ch);
		return;
	}
	if (!ch->answered) {
		chan_send(ch, CMD_ANSWER, line, agi_cmd_answer(line,
		    sizeof line), conf->fastagi_reply_timeout_s);
		return;
	}
	n = json_array_size(ch->actions);
	for (; ch->ai < n; ch->ai++, ch->pi = 0) {
		act = json_array_get(ch->actions, ch->ai);
		type = type_of(act);
		if (strcmp(type, "say") == 0) {
			if (chan_say(ch, act, json_array_get(ch->actions,
			    ch->ai + 1)))
				return;
		} else if (strcmp(type, "collect") == 0) {
			timeout = (int)json_integer_value(json_object_get(act,
			    "timeout_ms"));
			max = (int)json_integer_value(json_object_get(act,
			    "max_digits"));
			/*
			 * GET DATA returns at max digits: the '#' the caller
			 * is told to press after them would come in during the
			 * next question and end it empty. One more digit lets
			 * the terminator end this one.
			 */
			if (json_is_string(json_object_get(act, "terminator")))
				max++;
			k = agi_cmd_get_data(line, sizeof line,
			    ch->question[0] ? ch->question : FA_SILENCE,
			    timeout, max);
			ch->question[0] = '\0';
			ch->ai++;
			ch->pi = 0;
			chan_send(ch, CMD_GET_DATA, line, k,
			    conf->fastagi_reply_timeout_s + timeout / 1000);
			return;
		} else if (strcmp(type, "transfer") == 0) {
			queue = json_string_value(json_object_get(act,
			    "queue"));
			snprintf(ch->queue, sizeof ch->queue, "%s",
			    queue != NULL ? queue : "");
			ch->final = FINAL_TRANSFER;
			ch->ai = n;
			chan_end(ch, "transfer");
			return;
		} else if (strcmp(type, "hangup") == 0) {
			ch->final = FINAL_HANGUP;
			ch->ai = n;
			chan_end(ch, "hangup");
			return;
		}
	}
	/* Actions that stop short of a question or an end: the end. */
	ch->final = FINAL_HANGUP;
	chan_end(ch, "hangup");
}

/* The call ends: call.end, then the variables, then how it leaves. */
static void
chan_end(struct fastagi_chan *ch, const char *reason)
{
	ch->ending = 1;
	chan_dispatch(ch, METHOD_END, json_pack("{s:s, s:s}", "session",
	    ch->session, "reason", reason));
}

/*
 * The caller is gone, or the service stops, or a call could not go on:
 * end the call if it is open (its variables are set then), else close.
 */
static void
chan_leave(struct fastagi_chan *ch)
{
	if (ch->session[0] != '\0' && !ch->ending) {
		ch->final = FINAL_NONE;
		/* call.end's reason: one word, as a gateway would give. */
		chan_end(ch, ch->hung_up ? "caller-hangup" : ch->stopping ?
		    "shutdown" : "error");
		return;
	}
	chan_close(ch, ch->hung_up ? "the caller hung up" : ch->stopping ?
	    "shutdown" : "call ended");
}

/* HOTLINE_OUTCOME and HOTLINE_INQUIRY: set even on a dead channel. */
static void
chan_variables(struct fastagi_chan *ch)
{
	char	line[AGI_CMD_MAX + 1];

	chan_send(ch, CMD_SET_OUTCOME, line, agi_cmd_set_variable(line,
	    sizeof line, "HOTLINE_OUTCOME", ch->outcome),
	    ch->fa->core->conf->fastagi_reply_timeout_s);
}

/* After the variables: to the queue, or hung up, or just closed. */
static void
chan_final(struct fastagi_chan *ch)
{
	const struct config	*conf = ch->fa->core->conf;
	const char		*args[1] = { ch->queue };
	char			 line[AGI_CMD_MAX + 1];

	ch->state = CH_IDLE;
	if (ch->hung_up || ch->final == FINAL_NONE) {
		chan_close(ch, ch->hung_up ? "the caller hung up" :
		    ch->stopping ? "shutdown" : "call ended");
		return;
	}
	if (ch->final == FINAL_TRANSFER) {
		log_info("%s: call %s to the queue %s", ch->who.origin,
		    ch->call_id, ch->queue);
		chan_send(ch, CMD_TRANSFER, line, agi_cmd_exec(line,
		    sizeof line, conf->fastagi_queue_app, args, 1),
		    conf->fastagi_transfer_timeout_s);
		return;
	}
	chan_send(ch, CMD_HANGUP, line, agi_cmd_hangup(line, sizeof line),
	    conf->fastagi_reply_timeout_s);
}

/* Keyed digits of a GET DATA response, or NULL for none (a timeout). */
static const char *
digits_of(const struct fastagi_chan *ch, const struct agi_reply *r)
{
	size_t	n = strlen(r->result);

	if (r->code != 200 || n == 0)
		return NULL;
	if (n > FA_DIGITS_MAX || strspn(r->result, "0123456789*#") != n) {
		log_warnx("%s: GET DATA answered with no digits hotline takes",
		    ch->who.origin);
		return NULL;
	}
	return r->result;
}

/* The response to the command out. */
static void
chan_reply(struct fastagi_chan *ch, const struct agi_reply *r)
{
	const struct config	*conf = ch->fa->core->conf;
	enum chan_cmd		 cmd = ch->cmd;
	const char		*digits;
	char			 line[AGI_CMD_MAX + 1];
	json_t			*params;
	long			 res = r->result_is_num ? r->result_num : 0;

	evtimer_del(ch->ev_timeout);
	ch->state = CH_IDLE;
	ch->cmd = CMD_NONE;
	if (r->code == 511) {
		/* A dead channel: the HANGUP line may not have come yet. */
		ch->hung_up = 1;
	} else if (r->code != 200)
		/* 510, 520: this Asterisk does not take what hotline sent. */
		log_warnx("%s: %s answered %d", ch->who.origin, cmd_names[cmd],
		    r->code);
	switch (cmd) {
	case CMD_ANSWER:
		ch->answered = 1;
		if (r->code == 200 && res == -1)
			ch->hung_up = 1;
		chan_next(ch);
		break;
	case CMD_STREAM:
		/*
		 * -1: the file is not there, or the caller hung up — the
		 * HANGUP line (or the next command's 511) tells which.
		 */
		if (r->code == 200 && res == -1)
			log_debug("%s: a recording not played to its end",
			    ch->who.origin);
		chan_next(ch);
		break;
	case CMD_TTS:
		if (r->code == 200 && res == -1)
			ch->hung_up = 1;
		else if (r->code != 200 || res == -2) {
			log_warnx("%s: tts_app %s is not on the PBX (EXEC %s); "
			    "the recordings play instead", ch->who.origin,
			    conf->fastagi_tts_app, r->code == 200 ?
			    "answered -2" : "refused");
			ch->tts_off = 1;
			ch->pi = 0;	/* the same say, from its recordings */
		}
		chan_next(ch);
		break;
	case CMD_GET_DATA:
		if (ch->hung_up || (r->code == 200 && res == -1 &&
		    r->has_data == 0)) {
			ch->hung_up = 1;
			chan_next(ch);
			break;
		}
		if (ch->stopping) {
			chan_next(ch);
			break;
		}
		params = json_pack("{s:s}", "session", ch->session);
		if (params != NULL && (digits = digits_of(ch, r)) != NULL)
			json_object_set_new(params, "digits",
			    json_string(digits));
		else if (params != NULL)
			json_object_set_new(params, "timeout", json_true());
		chan_dispatch(ch, METHOD_INPUT, params);
		break;
	case CMD_SET_OUTCOME:
		chan_send(ch, CMD_SET_INQUIRY, line, agi_cmd_set_variable(line,
		    sizeof line, "HOTLINE_INQUIRY", ch->inquiry),
		    conf->fastagi_reply_timeout_s);
		break;
	case CMD_SET_INQUIRY:
		chan_final(ch);
		break;
	case CMD_TRANSFER:
		if (r->code == 200 && res == -2)
			log_warnx("%s: queue_app %s is not on the PBX: call %s "
			    "was not transferred", ch->who.origin,
			    conf->fastagi_queue_app, ch->call_id);
		chan_close(ch, "transferred");
		break;
	case CMD_HANGUP:
		chan_close(ch, "hung up");
		break;
	case CMD_NONE:
		chan_close(ch, "a response to no command");
		break;
	}
}

/* An answer of dispatch is released: the call goes on with it. */
static void
chan_kick_cb(evutil_socket_t fd, short what, void *arg)
{
	struct fastagi_chan	*ch = arg;
	struct dispatch_result	*h = &ch->held;
	json_t			*v;
	const char		*s;

	(void)fd;
	(void)what;
	if (ch->dead || ch->state != CH_HELD || !ch->released)
		return;
	ch->released = 0;
	ch->state = CH_IDLE;
	if (!ch->release_ok && h->durable) {
		/* Its writes were rolled back: it was never said. */
		json_decref(h->result);
		h->result = NULL;
		h->error = RPC_STORAGE_UNAVAILABLE;
	}
	if (h->error != 0 || h->result == NULL) {
		log_warnx("%s: call %s: %s failed: %s (%d)", ch->who.origin,
		    ch->call_id, method_names[ch->method],
		    dispatch_error_message(h->error), h->error);
		dispatch_result_clear(h);
		/*
		 * Without a call, or without its end, there is nothing to
		 * set: the dialplan sees no HOTLINE_OUTCOME (docs/ASTERISK.md).
		 * A call that cannot go on is ended first.
		 */
		if (ch->method == METHOD_INPUT)
			chan_leave(ch);
		else
			chan_close(ch, ch->method == METHOD_BEGIN ?
			    "call.begin failed" : "call.end failed");
		return;
	}
	switch (ch->method) {
	case METHOD_BEGIN:
		s = json_string_value(json_object_get(h->result, "session"));
		snprintf(ch->session, sizeof ch->session, "%s", s ? s : "");
		/* FALLTHROUGH */
	case METHOD_INPUT:
		json_decref(ch->actions);
		ch->actions = json_incref(json_object_get(h->result,
		    "actions"));
		ch->ai = ch->pi = ch->tts_skip = 0;
		ch->question[0] = '\0';
		dispatch_result_clear(h);
		chan_next(ch);
		break;
	case METHOD_END:
		s = json_string_value(json_object_get(h->result, "outcome"));
		snprintf(ch->outcome, sizeof ch->outcome, "%s", s ? s : "");
		v = json_object_get(h->result, "inquiry");
		snprintf(ch->inquiry, sizeof ch->inquiry, "%lld",
		    (long long)json_integer_value(v));
		dispatch_result_clear(h);
		chan_variables(ch);
		break;
	}
}
