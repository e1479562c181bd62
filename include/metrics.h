/*
 * The service's numbers for Prometheus (SPEC §6.4 /metrics): counters,
 * gauges and histograms in memory, with label sets fixed when the metrics
 * are created, rendered as the text exposition format 0.0.4.
 *
 * Recording is a relaxed atomic add on a preallocated slot: no allocation,
 * no lock, safe from any thread (the commit latency may be observed on a
 * writer thread while the loop renders). A scrape reads memory only, never
 * hotline.db, and no label value comes from a client: method names come
 * from the table given at creation (any other name is "other"), error
 * codes from the protocol's fixed list.
 */
#ifndef HOTLINE_METRICS_H
#define HOTLINE_METRICS_H

#include <stddef.h>
#include <stdint.h>

#include "inquiry.h"

#define METRICS_METHODS_MAX	64	/* the dispatch table's methods */

struct evbuffer;
struct metrics;

/* Counters without labels of their own (label values are fixed here). */
enum metrics_counter {
	METRICS_RATE_LIMITED_CLIENT = 0, /* -32003: a client's token bucket */
	METRICS_RATE_LIMITED_CALLER,	/* the IVR's daily cap per caller ID */
	METRICS_ALERTS_RAISED,
	METRICS_AUDIT_ENTRIES,
	METRICS_COMMIT_FAILURES,
	METRICS_COUNTER_COUNT,
};

/* Gauges: set or moved by their owners. */
enum metrics_gauge {
	METRICS_CONNECTIONS_RPC = 0,	/* per listener */
	METRICS_CONNECTIONS_FASTAGI,
	METRICS_CONNECTIONS_HTTP,
	METRICS_SESSIONS_IVR,		/* call.* and FastAGI calls open */
	METRICS_SESSIONS_WEB,		/* signed-in browser sessions */
	METRICS_ALERTS_OPEN,		/* raised, not yet acked */
	METRICS_AFFECTED_RECORDS,	/* rows of the loaded affected.db */
	METRICS_GAUGE_COUNT,
};

/*
 * methods: the names requests are counted under (borrowed; they must
 * outlive the metrics), at most METRICS_METHODS_MAX. version: the
 * build_info label. NULL if out of memory.
 */
struct metrics *metrics_new(const char *const *methods, size_t nmethods,
	    const char *version);
void	metrics_free(struct metrics *);

/*
 * The index requests of a method are counted under: its place in the
 * table, or nmethods ("other") for a name not in it. Look it up once
 * (a dispatch table knows its own index), not per request.
 */
size_t	metrics_method(const struct metrics *, const char *name);

/* One answered request: its method index, 0 or its error code, latency. */
void	metrics_request(struct metrics *, size_t method, int code,
	    uint64_t duration_ns);
/* One committed inquiry, with the outcome it was committed with. */
void	metrics_inquiry(struct metrics *, enum channel, enum outcome);
/* An inquiry completed later (inquiry.record), with its final outcome. */
void	metrics_inquiry_completed(struct metrics *, enum outcome);
/*
 * How late the loop ran its 10 ms probe: a stall of the event loop, seen
 * from inside (the loop's thread only).
 */
void	metrics_loop_lag(struct metrics *, uint64_t lag_ns);
uint64_t metrics_loop_lag_max(const struct metrics *);

/* One commit of hotline.db: how long it took, whether it held. */
void	metrics_commit(struct metrics *, uint64_t duration_ns, int ok);

void	metrics_count(struct metrics *, enum metrics_counter, uint64_t n);
void	metrics_gauge_set(struct metrics *, enum metrics_gauge, int64_t);
void	metrics_gauge_add(struct metrics *, enum metrics_gauge, int64_t);

/* Appends the whole exposition; 0, or -1 if out of memory. */
int	metrics_render(const struct metrics *, struct evbuffer *);

/* The Content-Type of what metrics_render writes. */
#define METRICS_CONTENT_TYPE	"text/plain; version=0.0.4; charset=utf-8"

#endif
