/*
 * lookup_load: a closed-loop load generator that speaks hotline's
 * protocol (SPEC §6), for make bench (bench/lookup_bench.py drives it).
 *
 *	lookup_load -p PORT [-h 127.0.0.1] -c CONNS -d SECONDS [-w WARMUP_S]
 *	    [-P PIPELINE] -C CLIENT -T TOKEN -f PEOPLE_FILE [-m lookup|ping]
 *
 * Each connection says hello, then keeps PIPELINE requests outstanding
 * and sends the next one when a reply line arrives. The request lines are
 * formatted once at start, from PEOPLE_FILE ("phone<TAB>birthdate" per
 * line); each connection cycles through them from its own offset.
 * Latencies go into a fixed histogram (1 µs buckets up to 100 ms, 1 ms
 * buckets up to a minute), never a list of samples. After the warm-up, replies are counted for SECONDS;
 * then one line of JSON goes to stdout:
 *
 *	{"requests":N,"errors":E,"seconds":S,"rps":R,"p50_us":..,
 *	 "p99_us":..,"p999_us":..,"max_us":..,"conns":C,...}
 *
 * requests counts every reply in the window, errors those without a
 * "result"; answered_total counts the result replies of the whole run
 * (warm-up included), which is what the daemon must have committed as
 * inquiries, give or take the requests in flight when the run stopped.
 * Exit 1 if a connection could not connect, say hello, or was lost.
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

#define HIST_FINE_NS	1000		/* 1 µs buckets ... */
#define HIST_FINE	100000		/* ... up to 100 ms, */
#define HIST_COARSE_NS	1000000		/* then 1 ms buckets ... */
#define HIST_COARSE	60000		/* ... up to 60.1 s, then overflow */
#define HIST_BUCKETS	(HIST_FINE + HIST_COARSE)
#define SETUP_TIMEOUT_S	30		/* to connect and say hello, all */
#define PING_LINES	1024		/* distinct ids for -m ping */
#define PEOPLE_MAX	10000000	/* lines read from PEOPLE_FILE */
#define FIELD_MAX	256		/* bytes in a phone or birthdate */
#define REPLY_SHOWN	200		/* bytes of a bad hello reply shown */
#define LOST_SHOWN	5		/* lost connections named one by one */

enum phase {
	PHASE_SETUP,		/* connecting, saying hello */
	PHASE_WARMUP,		/* running, not counting */
	PHASE_MEASURE,		/* running and counting */
	PHASE_DONE,
};

enum mode {
	MODE_LOOKUP,
	MODE_PING,
};

struct load;

struct lconn {
	struct load		*ld;
	struct bufferevent	*bev;
	int			 n;		/* for messages */
	int			 ready;		/* hello answered */
	size_t			 next;		/* next line to send */
	uint64_t		*sent;		/* ring of send times, ns */
	size_t			 head;		/* oldest in the ring */
	size_t			 inflight;
};

struct load {
	struct event_base	*base;
	struct sockaddr_storage	 ss;
	socklen_t		 sslen;
	enum mode		 mode;
	enum phase		 phase;
	int			 failed;	/* set-up failed: no report */

	char			*hello;		/* the hello line */
	size_t			 hello_len;
	char			**lines;	/* request lines, LF included */
	size_t			*lens;
	size_t			 nlines;

	struct lconn		*conns;
	int			 nconns;
	int			 nready;
	int			 nlost;
	size_t			 pipeline;

	double			 warmup_s;
	double			 duration_s;
	struct event		*ev_setup;
	struct event		*ev_phase;

	uint64_t		 t_start, t_end;
	uint64_t		 requests, errors, answered_total;
	uint64_t		 hist[HIST_BUCKETS];
	uint64_t		 overflow;
	uint64_t		 max_ns;
};

static void	usage(void) __attribute__((noreturn));
static uint64_t	now_ns(void);
static long	parse_long(const char *, long, long, const char *);
static double	parse_seconds(const char *, const char *);
static char	*format_line(json_t *, size_t *);
static void	load_people(struct load *, const char *);
static void	load_pings(struct load *);
static void	load_hello(struct load *, const char *, const char *);
static void	load_address(struct load *, const char *, long);
static void	load_raise_nofile(int);
static void	lconn_start(struct load *, struct lconn *);
static void	lconn_send(struct lconn *, uint64_t);
static void	lconn_lost(struct lconn *, const char *);
static void	lconn_read_cb(struct bufferevent *, void *);
static void	lconn_event_cb(struct bufferevent *, short, void *);
static int	lconn_hello_reply(struct lconn *, struct evbuffer *, size_t);
static void	load_fail(struct load *);
static void	load_setup_timeout_cb(evutil_socket_t, short, void *);
static void	load_phase_cb(evutil_socket_t, short, void *);
static void	load_arm(struct load *, double);
static void	hist_add(struct load *, uint64_t);
static uint64_t	hist_quantile_us(const struct load *, double);
static void	load_report(const struct load *);

static void
usage(void)
{
	fprintf(stderr, "usage: lookup_load -p port [-h host] -c conns "
	    "-d seconds [-w warmup_s]\n"
	    "           [-P pipeline] -C client -T token -f people_file "
	    "[-m lookup|ping]\n");
	exit(2);
}

static uint64_t
now_ns(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static long
parse_long(const char *s, long min, long max, const char *what)
{
	char	*end;
	long	 v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < min || v > max) {
		fprintf(stderr, "lookup_load: %s: %s is not a number from %ld "
		    "to %ld\n", what, s, min, max);
		exit(2);
	}
	return v;
}

static double
parse_seconds(const char *s, const char *what)
{
	char	*end;
	double	 v;

	errno = 0;
	v = strtod(s, &end);
	if (errno != 0 || end == s || *end != '\0' || !(v >= 0 && v < 1e6)) {
		fprintf(stderr, "lookup_load: %s: %s is not a number of "
		    "seconds\n", what, s);
		exit(2);
	}
	return v;
}

/*
 * One compact JSON text and its LF, made once at start: jansson does the
 * escaping, and the hot path only copies bytes.
 */
static char *
format_line(json_t *msg, size_t *len)
{
	char	*text, *line;
	size_t	 n;

	if (msg == NULL || (text = json_dumps(msg, JSON_COMPACT)) == NULL) {
		fprintf(stderr, "lookup_load: cannot format a request\n");
		exit(1);
	}
	json_decref(msg);
	n = strlen(text);
	if ((line = realloc(text, n + 2)) == NULL) {
		fprintf(stderr, "lookup_load: out of memory\n");
		exit(1);
	}
	line[n] = '\n';
	line[n + 1] = '\0';
	*len = n + 1;
	return line;
}

/* Reads "phone<TAB>birthdate" lines into ready-to-send lookup lines. */
static void
load_people(struct load *ld, const char *path)
{
	FILE	*f;
	char	*buf = NULL, *tab, **lines;
	size_t	 cap = 0, alloc = 0, *lens;
	ssize_t	 n;
	long	 lineno = 0;

	if ((f = fopen(path, "r")) == NULL) {
		fprintf(stderr, "lookup_load: %s: %s\n", path,
		    strerror(errno));
		exit(1);
	}
	while ((n = getline(&buf, &cap, f)) != -1) {
		lineno++;
		while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
			buf[--n] = '\0';
		if (n == 0)
			continue;
		if ((tab = strchr(buf, '\t')) == NULL || tab - buf > FIELD_MAX ||
		    strlen(tab + 1) > FIELD_MAX) {
			fprintf(stderr, "lookup_load: %s:%ld: want "
			    "phone<TAB>birthdate\n", path, lineno);
			exit(1);
		}
		*tab = '\0';
		if (ld->nlines == alloc) {
			alloc = alloc ? alloc * 2 : 1024;
			if (alloc > PEOPLE_MAX) {
				fprintf(stderr, "lookup_load: %s: over %d "
				    "lines\n", path, PEOPLE_MAX);
				exit(1);
			}
			lines = reallocarray(ld->lines, alloc, sizeof *lines);
			lens = reallocarray(ld->lens, alloc, sizeof *lens);
			if (lines == NULL || lens == NULL) {
				fprintf(stderr, "lookup_load: out of memory\n");
				exit(1);
			}
			ld->lines = lines;
			ld->lens = lens;
		}
		/* The id only has to differ among a connection's in-flight. */
		ld->lines[ld->nlines] = format_line(json_pack(
		    "{s:s, s:I, s:s, s:{s:s, s:s}}", "jsonrpc", "2.0",
		    "id", (json_int_t)ld->nlines + 1, "method", "lookup",
		    "params", "phone", buf, "birthdate", tab + 1),
		    &ld->lens[ld->nlines]);
		ld->nlines++;
	}
	if (ferror(f)) {
		fprintf(stderr, "lookup_load: %s: %s\n", path,
		    strerror(errno));
		exit(1);
	}
	free(buf);
	fclose(f);
	if (ld->nlines == 0) {
		fprintf(stderr, "lookup_load: %s: no people\n", path);
		exit(1);
	}
}

static void
load_pings(struct load *ld)
{
	size_t	i;

	ld->nlines = PING_LINES;
	ld->lines = calloc(ld->nlines, sizeof *ld->lines);
	ld->lens = calloc(ld->nlines, sizeof *ld->lens);
	if (ld->lines == NULL || ld->lens == NULL) {
		fprintf(stderr, "lookup_load: out of memory\n");
		exit(1);
	}
	for (i = 0; i < ld->nlines; i++)
		ld->lines[i] = format_line(json_pack("{s:s, s:I, s:s}",
		    "jsonrpc", "2.0", "id", (json_int_t)i + 1, "method",
		    "ping"), &ld->lens[i]);
}

static void
load_hello(struct load *ld, const char *client, const char *token)
{
	ld->hello = format_line(json_pack("{s:s, s:i, s:s, s:{s:s, s:s}}",
	    "jsonrpc", "2.0", "id", 0, "method", "hello", "params",
	    "client", client, "token", token), &ld->hello_len);
}

static void
load_address(struct load *ld, const char *host, long port)
{
	struct sockaddr_in	*sin = (struct sockaddr_in *)&ld->ss;
	struct sockaddr_in6	*sin6 = (struct sockaddr_in6 *)&ld->ss;

	memset(&ld->ss, 0, sizeof ld->ss);
	if (inet_pton(AF_INET, host, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons((uint16_t)port);
		ld->sslen = sizeof *sin;
	} else if (inet_pton(AF_INET6, host, &sin6->sin6_addr) == 1) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons((uint16_t)port);
		ld->sslen = sizeof *sin6;
	} else {
		fprintf(stderr, "lookup_load: -h %s: not an IP address\n",
		    host);
		exit(2);
	}
}

/* Thousands of connections need thousands of descriptors. */
static void
load_raise_nofile(int conns)
{
	struct rlimit	rl;
	rlim_t		want = (rlim_t)conns + 32;

	if (getrlimit(RLIMIT_NOFILE, &rl) == -1 || rl.rlim_cur >= want)
		return;
	if (rl.rlim_max != RLIM_INFINITY && rl.rlim_max < want) {
		fprintf(stderr, "lookup_load: -c %d needs %llu descriptors, "
		    "the hard limit is %llu\n", conns, (unsigned long long)want,
		    (unsigned long long)rl.rlim_max);
		exit(1);
	}
	rl.rlim_cur = want;
	if (setrlimit(RLIMIT_NOFILE, &rl) == -1) {
		fprintf(stderr, "lookup_load: setrlimit: %s\n",
		    strerror(errno));
		exit(1);
	}
}

static void
lconn_start(struct load *ld, struct lconn *lc)
{
	lc->ld = ld;
	if ((lc->sent = calloc(ld->pipeline, sizeof *lc->sent)) == NULL ||
	    (lc->bev = bufferevent_socket_new(ld->base, -1,
	    BEV_OPT_CLOSE_ON_FREE)) == NULL) {
		fprintf(stderr, "lookup_load: out of memory\n");
		exit(1);
	}
	bufferevent_setcb(lc->bev, lconn_read_cb, NULL, lconn_event_cb, lc);
	if (bufferevent_enable(lc->bev, EV_READ | EV_WRITE) == -1 ||
	    bufferevent_socket_connect(lc->bev, (struct sockaddr *)&ld->ss,
	    (int)ld->sslen) == -1) {
		fprintf(stderr, "lookup_load: conn %d: connect: %s\n", lc->n,
		    evutil_socket_error_to_string(EVUTIL_SOCKET_ERROR()));
		exit(1);
	}
}

/* Queues the connection's next request, stamped with its send time. */
static void
lconn_send(struct lconn *lc, uint64_t t)
{
	struct load	*ld = lc->ld;
	size_t		 slot = (lc->head + lc->inflight) % ld->pipeline;

	bufferevent_write(lc->bev, ld->lines[lc->next], ld->lens[lc->next]);
	if (++lc->next == ld->nlines)
		lc->next = 0;
	lc->sent[slot] = t;
	lc->inflight++;
}

/* A connection that dies after its hello: reported, the run goes on. */
static void
lconn_lost(struct lconn *lc, const char *why)
{
	struct load	*ld = lc->ld;

	if (++ld->nlost <= LOST_SHOWN)
		fprintf(stderr, "lookup_load: conn %d: lost: %s\n", lc->n,
		    why);
	bufferevent_free(lc->bev);
	lc->bev = NULL;
	if (ld->nlost == ld->nconns) {
		fprintf(stderr, "lookup_load: every connection was lost\n");
		ld->t_end = now_ns();
		if (ld->phase != PHASE_MEASURE)
			ld->t_start = ld->t_end;
		ld->phase = PHASE_DONE;
		event_base_loopbreak(ld->base);
	}
}

/*
 * The hello reply decides whether this connection may run at all; a
 * refusal is shown (it names the cause, e.g. a wrong token) and fails
 * the whole run, since its numbers would mean nothing.
 */
static int
lconn_hello_reply(struct lconn *lc, struct evbuffer *in, size_t len)
{
	struct load		*ld = lc->ld;
	struct evbuffer_ptr	 end, p;
	char			 shown[REPLY_SHOWN + 1];
	size_t			 n, i;
	uint64_t		 t;

	evbuffer_ptr_set(in, &end, len, EVBUFFER_PTR_SET);
	p = evbuffer_search_range(in, "\"result\"", 8, NULL, &end);
	if (p.pos == -1) {
		n = len < REPLY_SHOWN ? len : REPLY_SHOWN;
		evbuffer_copyout(in, shown, n);
		shown[n] = '\0';
		fprintf(stderr, "lookup_load: conn %d: hello failed: %s\n",
		    lc->n, shown);
		load_fail(ld);
		return -1;
	}
	lc->ready = 1;
	/* Start at different offsets, so that connections differ. */
	lc->next = (size_t)lc->n * (ld->nlines / (size_t)ld->nconns + 1) %
	    ld->nlines;
	t = now_ns();
	for (i = 0; i < ld->pipeline; i++)
		lconn_send(lc, t);
	if (++ld->nready == ld->nconns) {
		event_del(ld->ev_setup);
		if (ld->warmup_s > 0) {
			ld->phase = PHASE_WARMUP;
			load_arm(ld, ld->warmup_s);
		} else {
			ld->phase = PHASE_MEASURE;
			ld->t_start = now_ns();
			load_arm(ld, ld->duration_s);
		}
	}
	return 0;
}

/*
 * One reply line per request, in order (SPEC §6), so the oldest send time
 * is the one this reply answers; only "is it a result" is looked at.
 */
static void
lconn_read_cb(struct bufferevent *bev, void *arg)
{
	struct lconn		*lc = arg;
	struct load		*ld = lc->ld;
	struct evbuffer		*in = bufferevent_get_input(bev);
	struct evbuffer_ptr	 eol, p;
	size_t			 eol_len;
	uint64_t		 t;
	int			 ok;

	while (ld->phase != PHASE_DONE && !ld->failed) {
		eol = evbuffer_search_eol(in, NULL, &eol_len, EVBUFFER_EOL_LF);
		if (eol.pos == -1)
			return;
		if (!lc->ready) {
			if (lconn_hello_reply(lc, in, (size_t)eol.pos) == -1)
				return;
			evbuffer_drain(in, (size_t)eol.pos + eol_len);
			continue;
		}
		if (lc->inflight == 0) {
			lconn_lost(lc, "a reply to no request");
			return;
		}
		p = evbuffer_search_range(in, "\"result\"", 8, NULL, &eol);
		ok = p.pos != -1;
		evbuffer_drain(in, (size_t)eol.pos + eol_len);
		t = now_ns();
		if (ok)
			ld->answered_total++;
		if (ld->phase == PHASE_MEASURE) {
			ld->requests++;
			if (!ok)
				ld->errors++;
			hist_add(ld, t - lc->sent[lc->head]);
		}
		lc->head = (lc->head + 1) % ld->pipeline;
		lc->inflight--;
		lconn_send(lc, t);
	}
}

static void
lconn_event_cb(struct bufferevent *bev, short what, void *arg)
{
	struct lconn	*lc = arg;
	struct load	*ld = lc->ld;
	const char	*why;
	int		 one = 1;

	if (what & BEV_EVENT_CONNECTED) {
		/* Pipelined requests must not wait for Nagle. */
		setsockopt(bufferevent_getfd(bev), IPPROTO_TCP, TCP_NODELAY,
		    &one, sizeof one);
		bufferevent_write(bev, ld->hello, ld->hello_len);
		return;
	}
	why = what & BEV_EVENT_EOF ? "closed by the server" :
	    evutil_socket_error_to_string(EVUTIL_SOCKET_ERROR());
	if (ld->phase == PHASE_DONE)
		return;
	if (!lc->ready) {
		fprintf(stderr, "lookup_load: conn %d: %s before hello: %s\n",
		    lc->n, what & BEV_EVENT_EOF ? "closed" : "failed", why);
		load_fail(ld);
		return;
	}
	lconn_lost(lc, why);
}

static void
load_fail(struct load *ld)
{
	ld->failed = 1;
	event_base_loopbreak(ld->base);
}

static void
load_setup_timeout_cb(evutil_socket_t fd, short what, void *arg)
{
	struct load	*ld = arg;

	(void)fd;
	(void)what;
	fprintf(stderr, "lookup_load: only %d of %d connections said hello "
	    "within %d s\n", ld->nready, ld->nconns, SETUP_TIMEOUT_S);
	load_fail(ld);
}

static void
load_arm(struct load *ld, double s)
{
	struct timeval	tv;

	tv.tv_sec = (time_t)s;
	tv.tv_usec = (suseconds_t)((s - (double)tv.tv_sec) * 1e6);
	evtimer_add(ld->ev_phase, &tv);
}

/* Warm-up over: start counting. Measurement over: stop the loop. */
static void
load_phase_cb(evutil_socket_t fd, short what, void *arg)
{
	struct load	*ld = arg;

	(void)fd;
	(void)what;
	if (ld->phase == PHASE_WARMUP) {
		ld->phase = PHASE_MEASURE;
		ld->t_start = now_ns();
		load_arm(ld, ld->duration_s);
		return;
	}
	ld->t_end = now_ns();
	ld->phase = PHASE_DONE;
	event_base_loopbreak(ld->base);
}

static void
hist_add(struct load *ld, uint64_t ns)
{
	uint64_t	b = ns / HIST_FINE_NS;

	if (b >= HIST_FINE)
		b = HIST_FINE + (ns - (uint64_t)HIST_FINE * HIST_FINE_NS) /
		    HIST_COARSE_NS;
	if (b < HIST_BUCKETS)
		ld->hist[b]++;
	else
		ld->overflow++;
	if (ns > ld->max_ns)
		ld->max_ns = ns;
}

/*
 * The latency at quantile q, in µs: the lower bound of the bucket holding
 * the sample of rank ceil(q * n). In the overflow (over a minute) only
 * the maximum is known, so that is what is reported.
 */
static uint64_t
hist_quantile_us(const struct load *ld, double q)
{
	uint64_t	n = ld->requests, rank, seen = 0;
	size_t		b;

	if (n == 0)
		return 0;
	rank = (uint64_t)(q * (double)n);
	if ((double)rank < q * (double)n)
		rank++;
	if (rank == 0)
		rank = 1;
	for (b = 0; b < HIST_BUCKETS; b++) {
		seen += ld->hist[b];
		if (seen < rank)
			continue;
		if (b < HIST_FINE)
			return (uint64_t)b * HIST_FINE_NS / 1000;
		return ((uint64_t)HIST_FINE * HIST_FINE_NS +
		    (uint64_t)(b - HIST_FINE) * HIST_COARSE_NS) / 1000;
	}
	return ld->max_ns / 1000;
}

static void
load_report(const struct load *ld)
{
	double	s = (double)(ld->t_end - ld->t_start) / 1e9;

	printf("{\"requests\":%" PRIu64 ",\"errors\":%" PRIu64
	    ",\"seconds\":%.3f,\"rps\":%.1f,\"p50_us\":%" PRIu64
	    ",\"p99_us\":%" PRIu64 ",\"p999_us\":%" PRIu64
	    ",\"max_us\":%" PRIu64 ",\"conns\":%d,\"pipeline\":%zu"
	    ",\"lost_conns\":%d,\"answered_total\":%" PRIu64 "}\n",
	    ld->requests, ld->errors, s, s > 0 ? (double)ld->requests / s : 0,
	    hist_quantile_us(ld, 0.50), hist_quantile_us(ld, 0.99),
	    hist_quantile_us(ld, 0.999), ld->max_ns / 1000, ld->nconns,
	    ld->pipeline, ld->nlost, ld->answered_total);
	fflush(stdout);
}

int
main(int argc, char *argv[])
{
	static struct load	 ld;	/* the histogram is large */
	struct timeval		 setup = { SETUP_TIMEOUT_S, 0 };
	const char		*host = "127.0.0.1", *client = NULL;
	const char		*token = NULL, *people = NULL;
	long			 port = -1, conns = -1;
	int			 ch, i, rc;

	ld.warmup_s = 1;
	ld.duration_s = -1;
	ld.pipeline = 1;
	ld.mode = MODE_LOOKUP;
	while ((ch = getopt(argc, argv, "p:h:c:d:w:P:C:T:f:m:")) != -1) {
		switch (ch) {
		case 'p':
			port = parse_long(optarg, 1, 65535, "-p");
			break;
		case 'h':
			host = optarg;
			break;
		case 'c':
			conns = parse_long(optarg, 1, 1000000, "-c");
			break;
		case 'd':
			ld.duration_s = parse_seconds(optarg, "-d");
			break;
		case 'w':
			ld.warmup_s = parse_seconds(optarg, "-w");
			break;
		case 'P':
			ld.pipeline = (size_t)parse_long(optarg, 1, 100000,
			    "-P");
			break;
		case 'C':
			client = optarg;
			break;
		case 'T':
			token = optarg;
			break;
		case 'f':
			people = optarg;
			break;
		case 'm':
			if (strcmp(optarg, "lookup") == 0)
				ld.mode = MODE_LOOKUP;
			else if (strcmp(optarg, "ping") == 0)
				ld.mode = MODE_PING;
			else
				usage();
			break;
		default:
			usage();
		}
	}
	if (optind != argc || port == -1 || conns == -1 ||
	    ld.duration_s <= 0 || client == NULL || token == NULL ||
	    (people == NULL && ld.mode == MODE_LOOKUP))
		usage();
	ld.nconns = (int)conns;
	load_address(&ld, host, port);
	load_hello(&ld, client, token);
	if (ld.mode == MODE_LOOKUP)
		load_people(&ld, people);
	else
		load_pings(&ld);
	if (ld.pipeline > ld.nlines) {
		fprintf(stderr, "lookup_load: -P %zu is more than the %zu "
		    "distinct requests\n", ld.pipeline, ld.nlines);
		return 1;
	}
	load_raise_nofile(ld.nconns);
	signal(SIGPIPE, SIG_IGN);

	if ((ld.base = event_base_new()) == NULL ||
	    (ld.ev_setup = evtimer_new(ld.base, load_setup_timeout_cb,
	    &ld)) == NULL ||
	    (ld.ev_phase = evtimer_new(ld.base, load_phase_cb, &ld)) == NULL ||
	    (ld.conns = calloc((size_t)ld.nconns, sizeof *ld.conns)) == NULL) {
		fprintf(stderr, "lookup_load: cannot set up the event loop\n");
		return 1;
	}
	evtimer_add(ld.ev_setup, &setup);
	for (i = 0; i < ld.nconns; i++) {
		ld.conns[i].n = i;
		lconn_start(&ld, &ld.conns[i]);
	}
	event_base_dispatch(ld.base);

	rc = 0;
	if (ld.failed)
		rc = 1;
	else if (ld.phase != PHASE_DONE) {
		fprintf(stderr, "lookup_load: the event loop stopped early\n");
		rc = 1;
	} else {
		load_report(&ld);
		if (ld.nlost > 0) {
			fprintf(stderr, "lookup_load: %d of %d connections "
			    "lost\n", ld.nlost, ld.nconns);
			rc = 1;
		}
	}
	for (i = 0; i < ld.nconns; i++) {
		if (ld.conns[i].bev != NULL)
			bufferevent_free(ld.conns[i].bev);
		free(ld.conns[i].sent);
	}
	free(ld.conns);
	for (i = 0; (size_t)i < ld.nlines; i++)
		free(ld.lines[i]);
	free(ld.lines);
	free(ld.lens);
	free(ld.hello);
	event_free(ld.ev_setup);
	event_free(ld.ev_phase);
	event_base_free(ld.base);
	return rc;
}
