/*
 * Today's figures in memory, for the supervisor wallboard (SPEC §6.4,
 * stats.live): inquiries by outcome and channel, the match rate,
 * transfers, abandoned calls, the average handle time, the inquiries of
 * each local hour, the organisations most asked about, and the IVR calls
 * open now and at most today.
 *
 * Fed one committed inquiry at a time (after its commit, so the wallboard
 * never shows what a failed commit lost), and a completion that moves an
 * inquiry to its final outcome; seeded at start from hotline.db's
 * counters, so a restart loses nothing of today. "Today" is the local day
 * in the process time zone (the conf's, set with TZ): every call that
 * takes now rolls the figures over to zero once now has passed local
 * midnight, with no timer. Counted exactly as stats.summary counts (an
 * inquiry at the time it was committed; a completion at the inquiry's own
 * time), so the two agree for today.
 *
 * Not thread-safe: the event loop's thread owns it. A read is a copy of a
 * few kilobytes and a scan of at most LIVE_ORGS_MAX organisations.
 */
#ifndef HOTLINE_LIVE_H
#define HOTLINE_LIVE_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <jansson.h>

#include "inquiry.h"

#define LIVE_ORGS_MAX	1024	/* organisations ranked a day (69 + 1 in
				   the incident); more are counted in the
				   totals, not ranked */
#define LIVE_TOP_MAX	20	/* the most asked-about list, at most */
#define LIVE_CODE_MAX	32	/* an organisation code (SPEC §4.1) */

struct live;
struct store;

struct live_org {
	char	code[LIVE_CODE_MAX + 1];
	int64_t	inquiries;
};

/* What live_figures() copies out. */
struct live_figures {
	char		date[11];		/* YYYY-MM-DD, local */
	time_t		day_start;		/* its local midnight */
	int64_t		inquiries;
	int64_t		by_outcome[OUTCOME_COUNT];
	int64_t		by_channel[CHANNEL_COUNT];
	int64_t		handled;		/* inquiries with a duration */
	int64_t		handle_s;		/* and their total */
	int64_t		hours[24][OUTCOME_COUNT]; /* by local hour */
	int64_t		calls_now;		/* IVR sessions open */
	int64_t		calls_peak;		/* and at most, today */
	size_t		orgs;			/* asked about today */
	struct live_org	top[LIVE_TOP_MAX];	/* busiest first */
	size_t		ntop;
};

/* Empty figures for the day of now; NULL if out of memory. */
struct live *live_new(time_t now);
void	live_free(struct live *);

/*
 * Seeds today's figures from hotline.db's counters (store_live_seed), in
 * place of what the live figures held: at start, before any inquiry is
 * fed. 0, or -1 (the figures are then empty, and logged).
 */
int	live_seed(struct live *, struct store *, time_t now);

/*
 * One committed inquiry: its time, channel, outcome, duration (-1: none)
 * and organisations (codes, each once). An inquiry of an earlier day is
 * not today's and is ignored.
 */
void	live_inquiry(struct live *, time_t now, time_t t, enum channel,
	    enum outcome, int duration_s, const char *const *orgs,
	    size_t norgs);

/*
 * A committed completion (inquiry.record of an earlier inquiry): the
 * inquiry of time t moves from (old outcome, old duration) to the new
 * ones, and counts for the organisations newly added to it.
 */
void	live_inquiry_completed(struct live *, time_t now, time_t t,
	    enum channel, enum outcome old, int old_duration_s,
	    enum outcome new, int new_duration_s, const char *const *orgs,
	    size_t norgs);

/* IVR sessions open now (and the day's peak follows). */
void	live_sessions(struct live *, time_t now, int64_t open);

/* Today's figures as of now, the top list cut to top (<= LIVE_TOP_MAX). */
void	live_figures(struct live *, time_t now, size_t top,
	    struct live_figures *);

/*
 * The stats.live result: {date, inquiries, by_outcome, by_channel,
 * match_rate, transfers, abandoned, avg_handle_s, calls_now, calls_peak,
 * hours: [{hour, inquiries, affected, not_found}] (24), top_orgs: [{code,
 * name, inquiries}]}. org_name gives an organisation's display name (a new
 * reference, or NULL for null). The caller adds tz. NULL if out of memory.
 */
json_t	*live_json(struct live *, time_t now, size_t top,
	    json_t *(*org_name)(const char *code, void *), void *arg);

#endif
