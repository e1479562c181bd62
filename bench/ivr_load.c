/*
 * ivr_load: many IVR calls at once, as a telephony gateway drives them
 * (SPEC §6.1), for make bench (bench/ivr_bench.py drives it).
 *
 *	ivr_load -p PORT -c CONNS -n CALLS -d SECONDS [-w WARMUP_S]
 *	    [-t THINK_MS] -C CLIENT -T TOKEN
 *
 * CALLS calls spread over CONNS gateway connections, each call a script:
 * call.begin with a caller ID of its own, then after a pause the
 * birthdate (call.input), after another the menu's 9, then call.end, and
 * after a pause the next call. Pauses are THINK_MS (3000) give or take
 * half, so each call moves every few seconds, as a caller keying digits
 * does. Latencies of call.input go into a fixed histogram; after the
 * warm-up they are counted for SECONDS, then one line of JSON goes to
 * stdout:
 *
 *	{"calls":N,"inputs":N,"errors":E,"seconds":S,"p50_us":..,
 *	 "p99_us":..,"max_us":..,"open":N}
 */
#include <sys/resource.h>
#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <jansson.h>

#define HIST_US		1000000		/* 1 µs buckets up to a second */
#define SETUP_TIMEOUT_S	60

enum step {
	STEP_BEGIN = 0,		/* call.begin to send */
	STEP_BIRTHDATE,		/* call.input of the birthdate */
	STEP_MENU,		/* call.input of 9 */
	STEP_END,		/* call.end */
};

struct load;
struct iconn;

struct icall {
	struct iconn		*ic;
	struct event		*ev;		/* the pause before the next step */
	enum step		 step;
	char			 session[64];
	uint64_t		 serial;	/* makes each call's caller ID */
};

/* What a connection waits for, in order. */
struct pending {
	struct icall	*call;
	enum step	 step;
	uint64_t	 sent_ns;
};

struct iconn {
	struct load		*ld;
	struct bufferevent	*bev;
	int			 n;
	int			 ready;
	struct pending		*q;		/* a ring */
	size_t			 head, len, cap;
	uint64_t		 next_id;
};

struct load {
	struct event_base	*base;
	struct sockaddr_in	 sin;
	const char		*client, *token;
	struct iconn		*conns;
	int			 nconns, nready;
	struct icall		*calls;
	int			 ncalls;
	int			 think_ms;
	double			 warmup_s, duration_s;
	int			 measuring, done, failed;
	struct event		*ev_phase;
	uint64_t		 t_start, t_end;
	uint64_t		 calls_done, inputs, errors;
	uint64_t		 hist[HIST_US], over, max_ns;
	uint64_t		 serial;
	int64_t			 open;		/* calls with a session now */
};

static uint64_t
now_ns(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void
usage(void)
{
	fprintf(stderr, "usage: ivr_load -p port -c conns -n calls -d seconds "
	    "[-w warmup_s] [-t think_ms] -C client -T token\n");
	exit(2);
}

static void	call_next(struct icall *);

/* Sends one request of a call and remembers what it waits for. */
static void
send_request(struct icall *c, const char *method, json_t *params)
{
	struct iconn	*ic = c->ic;
	struct pending	*p, *grown;
	char		*text;
	size_t		 i, cap;

	if (ic->len == ic->cap) {
		cap = ic->cap ? ic->cap * 2 : 64;
		if ((grown = calloc(cap, sizeof *grown)) == NULL)
			exit(1);
		for (i = 0; i < ic->len; i++)
			grown[i] = ic->q[(ic->head + i) % ic->cap];
		free(ic->q);
		ic->q = grown;
		ic->head = 0;
		ic->cap = cap;
	}
	p = &ic->q[(ic->head + ic->len) % ic->cap];
	p->call = c;
	p->step = c->step;
	text = json_dumps(json_pack("{s:s, s:I, s:s, s:o}", "jsonrpc", "2.0",
	    "id", (json_int_t)++ic->next_id, "method", method, "params",
	    params), JSON_COMPACT);
	bufferevent_write(ic->bev, text, strlen(text));
	bufferevent_write(ic->bev, "\n", 1);
	free(text);
	p->sent_ns = now_ns();
	ic->len++;
}

static void
call_pause_cb(evutil_socket_t fd, short what, void *arg)
{
	struct icall	*c = arg;
	char		 ani[32], id[32];

	(void)fd;
	(void)what;
	switch (c->step) {
	case STEP_BEGIN:
		c->serial = ++c->ic->ld->serial;
		snprintf(ani, sizeof ani, "090%08" PRIu64, c->serial %
		    100000000);
		snprintf(id, sizeof id, "load-%" PRIu64, c->serial);
		send_request(c, "call.begin", json_pack("{s:s, s:s}",
		    "call_id", id, "ani", ani));
		break;
	case STEP_BIRTHDATE:
		send_request(c, "call.input", json_pack("{s:s, s:s}",
		    "session", c->session, "digits", "19750401#"));
		break;
	case STEP_MENU:
		send_request(c, "call.input", json_pack("{s:s, s:s}",
		    "session", c->session, "digits", "9"));
		break;
	case STEP_END:
		send_request(c, "call.end", json_pack("{s:s}", "session",
		    c->session));
		break;
	}
}

/* The pause before a call's next step: THINK_MS give or take half. */
static void
call_next(struct icall *c)
{
	int		ms = c->ic->ld->think_ms;
	struct timeval	tv;

	ms = ms / 2 + (int)((unsigned)rand() % (unsigned)(ms + 1));
	tv.tv_sec = ms / 1000;
	tv.tv_usec = (ms % 1000) * 1000;
	evtimer_add(c->ev, &tv);
}

static void
hist_add(struct load *ld, uint64_t ns)
{
	uint64_t	us = ns / 1000;

	if (us < HIST_US)
		ld->hist[us]++;
	else
		ld->over++;
	if (ns > ld->max_ns)
		ld->max_ns = ns;
}

static void
answer(struct iconn *ic, json_t *msg)
{
	struct load	*ld = ic->ld;
	struct pending	*p;
	struct icall	*c;
	json_t		*res;
	uint64_t	 t = now_ns();

	if (ic->len == 0) {
		fprintf(stderr, "ivr_load: a reply to no request\n");
		exit(1);
	}
	p = &ic->q[ic->head];
	ic->head = (ic->head + 1) % ic->cap;
	ic->len--;
	c = p->call;
	res = json_object_get(msg, "result");
	if (p->step == STEP_BIRTHDATE || p->step == STEP_MENU) {
		if (ld->measuring) {
			ld->inputs++;
			hist_add(ld, t - p->sent_ns);
		}
	}
	if (res == NULL) {
		if (ld->measuring)
			ld->errors++;
		/* Start over with a new call. */
		if (p->step != STEP_BEGIN && p->step != STEP_END)
			ld->open--;
		c->step = STEP_BEGIN;
		call_next(c);
		return;
	}
	switch (p->step) {
	case STEP_BEGIN:
		snprintf(c->session, sizeof c->session, "%s",
		    json_string_value(json_object_get(res, "session")));
		ld->open++;
		c->step = STEP_BIRTHDATE;
		break;
	case STEP_BIRTHDATE:
		c->step = STEP_MENU;
		break;
	case STEP_MENU:
		c->step = STEP_END;
		break;
	case STEP_END:
		ld->open--;
		if (ld->measuring)
			ld->calls_done++;
		c->step = STEP_BEGIN;
		break;
	}
	call_next(c);
}

static void
conn_read_cb(struct bufferevent *bev, void *arg)
{
	struct iconn	*ic = arg;
	struct load	*ld = ic->ld;
	struct evbuffer	*in = bufferevent_get_input(bev);
	char		*line;
	size_t		 len;
	json_t		*msg;
	int		 i, k;

	while ((line = evbuffer_readln(in, &len, EVBUFFER_EOL_LF)) != NULL) {
		msg = json_loadb(line, len, 0, NULL);
		free(line);
		if (msg == NULL) {
			fprintf(stderr, "ivr_load: not JSON\n");
			exit(1);
		}
		if (!ic->ready) {
			if (json_object_get(msg, "result") == NULL) {
				fprintf(stderr, "ivr_load: hello refused\n");
				exit(1);
			}
			ic->ready = 1;
			/* This connection's calls start, spread over a pause. */
			k = ld->ncalls / ld->nconns;
			for (i = ic->n * k; i < (ic->n + 1) * k; i++)
				call_next(&ld->calls[i]);
			ld->nready++;
		} else
			answer(ic, msg);
		json_decref(msg);
	}
}

static void
conn_event_cb(struct bufferevent *bev, short what, void *arg)
{
	struct iconn	*ic = arg;
	char		*hello;
	int		 one = 1;

	if (what & BEV_EVENT_CONNECTED) {
		setsockopt(bufferevent_getfd(bev), IPPROTO_TCP, TCP_NODELAY,
		    &one, sizeof one);
		hello = json_dumps(json_pack("{s:s, s:i, s:s, s:{s:s, s:s}}",
		    "jsonrpc", "2.0", "id", 0, "method", "hello", "params",
		    "client", ic->ld->client, "token", ic->ld->token),
		    JSON_COMPACT);
		bufferevent_write(bev, hello, strlen(hello));
		bufferevent_write(bev, "\n", 1);
		free(hello);
		return;
	}
	if (ic->ld->done)
		return;
	fprintf(stderr, "ivr_load: conn %d lost\n", ic->n);
	exit(1);
}

static void
phase_cb(evutil_socket_t fd, short what, void *arg)
{
	struct load	*ld = arg;
	struct timeval	 tv;

	(void)fd;
	(void)what;
	if (!ld->measuring) {
		ld->measuring = 1;
		ld->t_start = now_ns();
		tv.tv_sec = (time_t)ld->duration_s;
		tv.tv_usec = 0;
		evtimer_add(ld->ev_phase, &tv);
		return;
	}
	ld->t_end = now_ns();
	ld->done = 1;
	event_base_loopbreak(ld->base);
}

static uint64_t
quantile_us(const struct load *ld, double q)
{
	uint64_t	rank = (uint64_t)(q * (double)ld->inputs), seen = 0;
	size_t		b;

	if (rank == 0)
		rank = 1;
	for (b = 0; b < HIST_US; b++)
		if ((seen += ld->hist[b]) >= rank)
			return b;
	return ld->max_ns / 1000;
}

int
main(int argc, char *argv[])
{
	static struct load	 ld;
	struct rlimit		 rl;
	struct timeval		 tv;
	long			 port = 0;
	int			 ch, i;

	ld.think_ms = 3000;
	ld.warmup_s = 5;
	while ((ch = getopt(argc, argv, "p:c:n:d:w:t:C:T:")) != -1) {
		switch (ch) {
		case 'p':
			port = strtol(optarg, NULL, 10);
			break;
		case 'c':
			ld.nconns = atoi(optarg);
			break;
		case 'n':
			ld.ncalls = atoi(optarg);
			break;
		case 'd':
			ld.duration_s = atof(optarg);
			break;
		case 'w':
			ld.warmup_s = atof(optarg);
			break;
		case 't':
			ld.think_ms = atoi(optarg);
			break;
		case 'C':
			ld.client = optarg;
			break;
		case 'T':
			ld.token = optarg;
			break;
		default:
			usage();
		}
	}
	if (port <= 0 || ld.nconns <= 0 || ld.ncalls < ld.nconns ||
	    ld.duration_s <= 0 || ld.think_ms < 2 || ld.client == NULL ||
	    ld.token == NULL)
		usage();
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur <
	    (rlim_t)ld.nconns + 64) {
		rl.rlim_cur = (rlim_t)ld.nconns + 64;
		(void)setrlimit(RLIMIT_NOFILE, &rl);
	}
	signal(SIGPIPE, SIG_IGN);
	ld.sin.sin_family = AF_INET;
	ld.sin.sin_port = htons((uint16_t)port);
	inet_pton(AF_INET, "127.0.0.1", &ld.sin.sin_addr);
	if ((ld.base = event_base_new()) == NULL ||
	    (ld.ev_phase = evtimer_new(ld.base, phase_cb, &ld)) == NULL ||
	    (ld.conns = calloc((size_t)ld.nconns, sizeof *ld.conns)) == NULL ||
	    (ld.calls = calloc((size_t)ld.ncalls, sizeof *ld.calls)) == NULL)
		return 1;
	for (i = 0; i < ld.ncalls; i++) {
		/* Calls k * n .. k * (n + 1) - 1 are connection n's. */
		ld.calls[i].ic = &ld.conns[i / (ld.ncalls / ld.nconns) <
		    ld.nconns ? i / (ld.ncalls / ld.nconns) : ld.nconns - 1];
		if ((ld.calls[i].ev = evtimer_new(ld.base, call_pause_cb,
		    &ld.calls[i])) == NULL)
			return 1;
	}
	for (i = 0; i < ld.nconns; i++) {
		ld.conns[i].ld = &ld;
		ld.conns[i].n = i;
		if ((ld.conns[i].bev = bufferevent_socket_new(ld.base, -1,
		    BEV_OPT_CLOSE_ON_FREE)) == NULL)
			return 1;
		bufferevent_setcb(ld.conns[i].bev, conn_read_cb, NULL,
		    conn_event_cb, &ld.conns[i]);
		bufferevent_enable(ld.conns[i].bev, EV_READ | EV_WRITE);
		if (bufferevent_socket_connect(ld.conns[i].bev,
		    (struct sockaddr *)&ld.sin, sizeof ld.sin) == -1) {
			fprintf(stderr, "ivr_load: connect failed\n");
			return 1;
		}
	}
	tv.tv_sec = (time_t)ld.warmup_s;
	tv.tv_usec = 0;
	evtimer_add(ld.ev_phase, &tv);
	event_base_dispatch(ld.base);
	printf("{\"calls\":%" PRIu64 ",\"inputs\":%" PRIu64 ",\"errors\":%"
	    PRIu64 ",\"seconds\":%.3f,\"p50_us\":%" PRIu64 ",\"p99_us\":%"
	    PRIu64 ",\"p999_us\":%" PRIu64 ",\"max_us\":%" PRIu64
	    ",\"open\":%" PRId64 "}\n", ld.calls_done, ld.inputs, ld.errors,
	    (double)(ld.t_end - ld.t_start) / 1e9, quantile_us(&ld, 0.5),
	    quantile_us(&ld, 0.99), quantile_us(&ld, 0.999),
	    ld.max_ns / 1000, ld.open);
	return ld.nready == ld.nconns ? 0 : 1;
}
