/*
 * Prometheus metrics (include/metrics.h): fixed slots of relaxed atomics,
 * and the text exposition format 0.0.4.
 *
 * Each observation adds to one slot, so recording costs one or two
 * uncontended atomic adds and never waits. A histogram keeps one count per
 * bucket (not cumulative) and the sum in nanoseconds; rendering makes the
 * buckets cumulative and prints _count as the last of them, so that
 * _count and le="+Inf" agree in every scrape even while another thread
 * observes.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/buffer.h>
#include <event2/event.h>

#include "metrics.h"
#include "rpc.h"

/* Latency buckets, in seconds as Prometheus prints them and in ns. */
#define NBUCKETS	16	/* 15 bounds and +Inf */
static const char *const bucket_le[NBUCKETS] = {
	"0.0001", "0.00025", "0.0005", "0.001", "0.0025", "0.005", "0.01",
	"0.025", "0.05", "0.1", "0.25", "0.5", "1", "2.5", "5", "+Inf",
};
static const uint64_t bucket_ns[NBUCKETS - 1] = {
	100000, 250000, 500000, 1000000, 2500000, 5000000, 10000000,
	25000000, 50000000, 100000000, 250000000, 500000000, 1000000000,
	2500000000, 5000000000,
};

/* The protocol's codes (SPEC §6): a request's code label is one of them. */
static const int codes[] = {
	0, RPC_PARSE_ERROR, RPC_INVALID_REQUEST, RPC_METHOD_NOT_FOUND,
	RPC_INVALID_PARAMS, RPC_INTERNAL_ERROR, RPC_UNAUTHENTICATED,
	RPC_FORBIDDEN, RPC_RATE_LIMITED, RPC_UNKNOWN_SESSION,
	RPC_STORAGE_UNAVAILABLE,
};
#define NCODES		(sizeof codes / sizeof codes[0] + 1)	/* + other */

struct histogram {
	_Atomic uint64_t	bucket[NBUCKETS];
	_Atomic uint64_t	sum_ns;
};

struct metrics {
	const char *const	*methods;
	size_t			 nmethods;
	char			 version[64];
	time_t			 started;

	_Atomic uint64_t	 inquiries[CHANNEL_COUNT][OUTCOME_COUNT];
	_Atomic uint64_t	 completions[OUTCOME_COUNT];
	/* [nmethods] is "other" */
	_Atomic uint64_t	 requests[METRICS_METHODS_MAX + 1][NCODES];
	struct histogram	 request_latency[METRICS_METHODS_MAX + 1];
	struct histogram	 commit_latency;
	struct histogram	 loop_lag;
	_Atomic uint64_t	 loop_lag_max_ns;
	_Atomic uint64_t	 counters[METRICS_COUNTER_COUNT];
	_Atomic int64_t		 gauges[METRICS_GAUGE_COUNT];
};

/* The label set of each counter and gauge: name, then its labels. */
static const struct {
	const char	*name;
	const char	*labels;	/* rendered as is, or "" */
} counter_names[METRICS_COUNTER_COUNT] = {
	[METRICS_RATE_LIMITED_CLIENT] = { "hotline_rate_limited_total",
	    "{limit=\"client\"}" },
	[METRICS_RATE_LIMITED_CALLER] = { "hotline_rate_limited_total",
	    "{limit=\"caller\"}" },
	[METRICS_ALERTS_RAISED] = { "hotline_alerts_raised_total", "" },
	[METRICS_AUDIT_ENTRIES] = { "hotline_audit_entries_total", "" },
	[METRICS_COMMIT_FAILURES] = { "hotline_commit_failures_total", "" },
}, gauge_names[METRICS_GAUGE_COUNT] = {
	[METRICS_CONNECTIONS_RPC] = { "hotline_connections_open",
	    "{listener=\"rpc\"}" },
	[METRICS_CONNECTIONS_FASTAGI] = { "hotline_connections_open",
	    "{listener=\"fastagi\"}" },
	[METRICS_CONNECTIONS_HTTP] = { "hotline_connections_open",
	    "{listener=\"http\"}" },
	[METRICS_SESSIONS_IVR] = { "hotline_sessions_open",
	    "{kind=\"ivr\"}" },
	[METRICS_SESSIONS_WEB] = { "hotline_sessions_open",
	    "{kind=\"web\"}" },
	[METRICS_ALERTS_OPEN] = { "hotline_alerts_open", "" },
	[METRICS_AFFECTED_RECORDS] = { "hotline_affected_records", "" },
};

/* HELP texts, by family name (one HELP and TYPE line per family). */
static const struct {
	const char	*name;
	const char	*help;
} helps[] = {
	{ "hotline_rate_limited_total", "Lookups refused by a rate limit: a "
	    "client's token bucket, or the IVR's daily cap per caller ID." },
	{ "hotline_alerts_raised_total", "Bulk-lookup alerts raised." },
	{ "hotline_audit_entries_total", "Entries appended to the audit "
	    "log." },
	{ "hotline_commit_failures_total", "Commits of hotline.db that "
	    "failed (their replies became -32005)." },
	{ "hotline_connections_open", "Connections open, per listener." },
	{ "hotline_sessions_open", "Sessions open: IVR calls, signed-in "
	    "browser sessions." },
	{ "hotline_alerts_open", "Bulk-lookup alerts not yet acknowledged." },
	{ "hotline_affected_records", "Records of the loaded affected "
	    "list." },
};

struct metrics *
metrics_new(const char *const *methods, size_t nmethods, const char *version)
{
	struct metrics	*m;

	if (nmethods > METRICS_METHODS_MAX)
		return NULL;
	/* calloc: every slot starts at zero, as atomics may be set so. */
	if ((m = calloc(1, sizeof *m)) == NULL)
		return NULL;
	m->methods = methods;
	m->nmethods = nmethods;
	snprintf(m->version, sizeof m->version, "%s", version);
	m->started = time(NULL);
	return m;
}

void
metrics_free(struct metrics *m)
{
	free(m);
}

size_t
metrics_method(const struct metrics *m, const char *name)
{
	size_t	i;

	for (i = 0; i < m->nmethods; i++)
		if (strcmp(m->methods[i], name) == 0)
			return i;
	return m->nmethods;
}

static void
add(_Atomic uint64_t *slot, uint64_t n)
{
	atomic_fetch_add_explicit(slot, n, memory_order_relaxed);
}

static uint64_t
get(const _Atomic uint64_t *slot)
{
	/* C11 takes a pointer to non-const even for a load. */
	return atomic_load_explicit((_Atomic uint64_t *)slot,
	    memory_order_relaxed);
}

static void
observe(struct histogram *h, uint64_t ns)
{
	size_t	i;

	for (i = 0; i < NBUCKETS - 1 && ns > bucket_ns[i]; i++)
		;
	add(&h->bucket[i], 1);
	add(&h->sum_ns, ns);
}

static size_t
code_index(int code)
{
	size_t	i;

	for (i = 0; i < NCODES - 1; i++)
		if (codes[i] == code)
			return i;
	return NCODES - 1;
}

void
metrics_request(struct metrics *m, size_t method, int code,
    uint64_t duration_ns)
{
	if (method > m->nmethods)
		method = m->nmethods;
	add(&m->requests[method][code_index(code)], 1);
	observe(&m->request_latency[method], duration_ns);
}

void
metrics_inquiry(struct metrics *m, enum channel ch, enum outcome oc)
{
	if ((unsigned)ch < CHANNEL_COUNT && (unsigned)oc < OUTCOME_COUNT)
		add(&m->inquiries[ch][oc], 1);
}

void
metrics_inquiry_completed(struct metrics *m, enum outcome oc)
{
	if ((unsigned)oc < OUTCOME_COUNT)
		add(&m->completions[oc], 1);
}

void
metrics_loop_lag(struct metrics *m, uint64_t lag_ns)
{
	uint64_t	max = atomic_load_explicit(&m->loop_lag_max_ns,
	    memory_order_relaxed);

	observe(&m->loop_lag, lag_ns);
	/* Only the loop's thread records it: a plain compare is enough. */
	if (lag_ns > max)
		atomic_store_explicit(&m->loop_lag_max_ns, lag_ns,
		    memory_order_relaxed);
}

uint64_t
metrics_loop_lag_max(const struct metrics *m)
{
	return atomic_load_explicit(&m->loop_lag_max_ns,
	    memory_order_relaxed);
}

void
metrics_commit(struct metrics *m, uint64_t duration_ns, int ok)
{
	observe(&m->commit_latency, duration_ns);
	if (!ok)
		add(&m->counters[METRICS_COMMIT_FAILURES], 1);
}

void
metrics_count(struct metrics *m, enum metrics_counter c, uint64_t n)
{
	if ((unsigned)c < METRICS_COUNTER_COUNT)
		add(&m->counters[c], n);
}

void
metrics_gauge_set(struct metrics *m, enum metrics_gauge g, int64_t v)
{
	if ((unsigned)g < METRICS_GAUGE_COUNT)
		atomic_store_explicit(&m->gauges[g], v, memory_order_relaxed);
}

void
metrics_gauge_add(struct metrics *m, enum metrics_gauge g, int64_t d)
{
	if ((unsigned)g < METRICS_GAUGE_COUNT)
		atomic_fetch_add_explicit(&m->gauges[g], d,
		    memory_order_relaxed);
}

/* Rendering: rc collects every evbuffer failure. */
struct out {
	struct evbuffer	*b;
	int		 rc;
};

static void __attribute__((format(printf, 2, 3)))
emit(struct out *o, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	if (evbuffer_add_vprintf(o->b, fmt, ap) < 0)
		o->rc = -1;
	va_end(ap);
}

static void
family(struct out *o, const char *name, const char *type, const char *help)
{
	emit(o, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* A label value as the format quotes it: \\, \" and \n escaped. */
static void
label_value(struct out *o, const char *v)
{
	const char	*p;

	for (p = v; *p != '\0'; p++) {
		if (*p == '\\' || *p == '"')
			emit(o, "\\%c", *p);
		else if (*p == '\n')
			emit(o, "\\n");
		else if (evbuffer_add(o->b, p, 1) == -1)
			o->rc = -1;
	}
}

static const char *
method_name(const struct metrics *m, size_t i)
{
	return i < m->nmethods ? m->methods[i] : "other";
}

static void
histogram(struct out *o, const char *name, const struct histogram *h,
    const struct metrics *m, size_t method)
{
	uint64_t	cum = 0;
	size_t		i;

	for (i = 0; i < NBUCKETS; i++) {
		cum += get(&h->bucket[i]);
		emit(o, "%s_bucket{", name);
		if (m != NULL) {
			emit(o, "method=\"");
			label_value(o, method_name(m, method));
			emit(o, "\",");
		}
		emit(o, "le=\"%s\"} %" PRIu64 "\n", bucket_le[i], cum);
	}
	emit(o, "%s_sum", name);
	if (m != NULL) {
		emit(o, "{method=\"");
		label_value(o, method_name(m, method));
		emit(o, "\"}");
	}
	emit(o, " %.9f\n%s_count", (double)get(&h->sum_ns) / 1e9, name);
	if (m != NULL) {
		emit(o, "{method=\"");
		label_value(o, method_name(m, method));
		emit(o, "\"}");
	}
	emit(o, " %" PRIu64 "\n", cum);
}

static uint64_t
histogram_count(const struct histogram *h)
{
	uint64_t	n = 0;
	size_t		i;

	for (i = 0; i < NBUCKETS; i++)
		n += get(&h->bucket[i]);
	return n;
}

static const char *
help_of(const char *name)
{
	size_t	i;

	for (i = 0; i < sizeof helps / sizeof helps[0]; i++)
		if (strcmp(helps[i].name, name) == 0)
			return helps[i].help;
	return "";
}

int
metrics_render(const struct metrics *m, struct evbuffer *b)
{
	struct out	 o = { b, 0 };
	const char	*last = "";
	size_t		 i, j;
	uint64_t	 n;

	family(&o, "hotline_inquiries_total", "counter", "Inquiries "
	    "committed, by channel and the outcome they were committed with.");
	for (i = 0; i < CHANNEL_COUNT; i++)
		for (j = 0; j < OUTCOME_COUNT; j++)
			emit(&o, "hotline_inquiries_total{channel=\"%s\","
			    "outcome=\"%s\"} %" PRIu64 "\n",
			    inquiry_channel_name((enum channel)i),
			    inquiry_outcome_name((enum outcome)j),
			    get(&m->inquiries[i][j]));
	family(&o, "hotline_inquiry_completions_total", "counter",
	    "Inquiries completed by an operator afterwards, by their final "
	    "outcome.");
	for (j = 0; j < OUTCOME_COUNT; j++)
		emit(&o, "hotline_inquiry_completions_total{outcome=\"%s\"} "
		    "%" PRIu64 "\n", inquiry_outcome_name((enum outcome)j),
		    get(&m->completions[j]));

	/* Requests: every known method's "ok", and what else happened. */
	family(&o, "hotline_requests_total", "counter", "Requests answered, "
	    "by method and code (ok, or the JSON-RPC error code).");
	for (i = 0; i <= m->nmethods; i++)
		for (j = 0; j < NCODES; j++) {
			n = get(&m->requests[i][j]);
			if (n == 0 && (j != 0 || i == m->nmethods))
				continue;
			emit(&o, "hotline_requests_total{method=\"");
			label_value(&o, method_name(m, i));
			if (j == 0)
				emit(&o, "\",code=\"ok\"}");
			else if (j == NCODES - 1)
				emit(&o, "\",code=\"other\"}");
			else
				emit(&o, "\",code=\"%d\"}", codes[j]);
			emit(&o, " %" PRIu64 "\n", n);
		}
	family(&o, "hotline_request_duration_seconds", "histogram",
	    "Time from a request's dispatch to its answer, by method.");
	for (i = 0; i <= m->nmethods; i++)
		if (histogram_count(&m->request_latency[i]) > 0)
			histogram(&o, "hotline_request_duration_seconds",
			    &m->request_latency[i], m, i);
	family(&o, "hotline_commit_duration_seconds", "histogram",
	    "Time one commit of hotline.db took (a group of writes).");
	histogram(&o, "hotline_commit_duration_seconds", &m->commit_latency,
	    NULL, 0);
	family(&o, "hotline_loop_lag_seconds", "histogram",
	    "How late the event loop ran a 10 ms timer: what any answer may "
	    "have waited for a turn.");
	histogram(&o, "hotline_loop_lag_seconds", &m->loop_lag, NULL, 0);
	family(&o, "hotline_loop_lag_max_seconds", "gauge",
	    "The longest the event loop was late since the start.");
	emit(&o, "hotline_loop_lag_max_seconds %.6f\n", (double)get(
	    &m->loop_lag_max_ns) / 1e9);

	for (i = 0; i < METRICS_COUNTER_COUNT; i++) {
		if (strcmp(counter_names[i].name, last) != 0)
			family(&o, counter_names[i].name, "counter",
			    help_of(counter_names[i].name));
		last = counter_names[i].name;
		emit(&o, "%s%s %" PRIu64 "\n", counter_names[i].name,
		    counter_names[i].labels, get(&m->counters[i]));
	}
	for (i = 0; i < METRICS_GAUGE_COUNT; i++) {
		if (strcmp(gauge_names[i].name, last) != 0)
			family(&o, gauge_names[i].name, "gauge",
			    help_of(gauge_names[i].name));
		last = gauge_names[i].name;
		emit(&o, "%s%s %" PRId64 "\n", gauge_names[i].name,
		    gauge_names[i].labels, atomic_load_explicit(
		    (_Atomic int64_t *)&m->gauges[i], memory_order_relaxed));
	}

	family(&o, "hotline_build_info", "gauge", "The running build: "
	    "hotline's version and libevent's.");
	emit(&o, "hotline_build_info{version=\"");
	label_value(&o, m->version);
	emit(&o, "\",libevent=\"");
	label_value(&o, event_get_version());
	emit(&o, "\"} 1\n");
	family(&o, "hotline_start_time_seconds", "gauge", "When hotlined "
	    "started, in Unix seconds.");
	emit(&o, "hotline_start_time_seconds %lld\n", (long long)m->started);
	return o.rc;
}
