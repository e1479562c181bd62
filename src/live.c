/*
 * Today's figures for the wallboard (include/live.h). Plain counters and
 * a small open-addressing table of organisation codes; the day's bounds
 * are computed once a day with mktime(), which knows the zone's rules
 * (a day of a clock change has 23 or 25 hours).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "live.h"
#include "log.h"
#include "store.h"

#define SLOTS	(2 * LIVE_ORGS_MAX)	/* the code index, at most half full */

struct live {
	time_t		day_start;
	time_t		next_midnight;
	char		date[11];

	int64_t		inquiries;
	int64_t		by_outcome[OUTCOME_COUNT];
	int64_t		by_channel[CHANNEL_COUNT];
	int64_t		handled;
	int64_t		handle_s;
	int64_t		hours[24][OUTCOME_COUNT];
	int64_t		calls_now;
	int64_t		calls_peak;

	struct live_org	orgs[LIVE_ORGS_MAX];
	size_t		norgs;
	uint16_t	slot[SLOTS];		/* org index + 1, 0: free */
	time_t		hour_at;		/* hour_of's last question */
	int		hour;
};

/* Local midnight of the day of t plus days. */
static time_t
midnight(time_t t, int days)
{
	struct tm	tm;

	localtime_r(&t, &tm);
	tm.tm_mday += days;
	tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
	tm.tm_isdst = -1;
	return mktime(&tm);
}

/* Empties the figures and makes them the day of now's. */
static void
reset(struct live *l, time_t now)
{
	struct tm	tm;
	int64_t		calls_now = l->calls_now;

	memset(l, 0, sizeof *l);
	l->day_start = midnight(now, 0);
	l->next_midnight = midnight(now, 1);
	localtime_r(&l->day_start, &tm);
	strftime(l->date, sizeof l->date, "%Y-%m-%d", &tm);
	/* Calls open across midnight are still open; today's peak starts. */
	l->calls_now = l->calls_peak = calls_now;
}

/* Past local midnight: a new day. Only forward, so a clock set back
 * across midnight does not wipe today. */
static void
roll(struct live *l, time_t now)
{
	if (now >= l->next_midnight)
		reset(l, now);
}

static int
today(const struct live *l, time_t t)
{
	return t >= l->day_start && t < l->next_midnight;
}

struct live *
live_new(time_t now)
{
	struct live	*l;

	if ((l = calloc(1, sizeof *l)) == NULL)
		return NULL;
	reset(l, now);
	return l;
}

void
live_free(struct live *l)
{
	free(l);
}

static uint32_t
hash(const char *s)
{
	uint32_t	h = 2166136261u;	/* FNV-1a */

	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

/* Counts n more for an organisation; past LIVE_ORGS_MAX a new one is not
 * ranked (the totals still count it). */
static void
org_add(struct live *l, const char *code, int64_t n)
{
	struct live_org	*o;
	uint32_t	 i;

	if (strlen(code) > LIVE_CODE_MAX)
		return;
	for (i = hash(code) % SLOTS; l->slot[i] != 0; i = (i + 1) % SLOTS) {
		o = &l->orgs[l->slot[i] - 1];
		if (strcmp(o->code, code) == 0) {
			o->inquiries += n;
			return;
		}
	}
	if (l->norgs == LIVE_ORGS_MAX)
		return;
	o = &l->orgs[l->norgs++];
	snprintf(o->code, sizeof o->code, "%s", code);
	o->inquiries = n;
	l->slot[i] = (uint16_t)l->norgs;
}

/* The local hour of t; remembered for the second it was asked for. */
static int
hour_of(struct live *l, time_t t)
{
	struct tm	tm;

	if (t != l->hour_at || l->hour_at == 0) {
		localtime_r(&t, &tm);
		l->hour_at = t;
		l->hour = tm.tm_hour;
	}
	return l->hour;
}

/* n inquiries of one kind at time t (n < 0 takes them away). */
static void
count(struct live *l, time_t t, enum channel ch, enum outcome oc,
    int64_t n, int64_t dur_n, int64_t dur_sum)
{
	if ((unsigned)ch >= CHANNEL_COUNT || (unsigned)oc >= OUTCOME_COUNT)
		return;
	l->inquiries += n;
	l->by_outcome[oc] += n;
	l->by_channel[ch] += n;
	l->handled += dur_n;
	l->handle_s += dur_sum;
	l->hours[hour_of(l, t)][oc] += n;
}

static void
seed_bucket(void *arg, time_t t, enum channel ch, enum outcome oc,
    int64_t n, int64_t dur_n, int64_t dur_sum)
{
	struct live	*l = arg;

	if (today(l, t))
		count(l, t, ch, oc, n, dur_n, dur_sum);
}

static void
seed_org(void *arg, const char *code, int64_t n)
{
	org_add(arg, code, n);
}

int
live_seed(struct live *l, struct store *s, time_t now)
{
	l->calls_now = 0;
	reset(l, now);
	if (store_live_seed(s, l->day_start, l->next_midnight, seed_bucket,
	    seed_org, l) == -1) {
		log_warnx("live figures: today's counters could not be read");
		reset(l, now);
		return -1;
	}
	return 0;
}

void
live_inquiry(struct live *l, time_t now, time_t t, enum channel ch,
    enum outcome oc, int duration_s, const char *const *orgs, size_t norgs)
{
	size_t	i;

	roll(l, now);
	if (!today(l, t))
		return;
	count(l, t, ch, oc, 1, duration_s >= 0, duration_s >= 0 ?
	    duration_s : 0);
	for (i = 0; i < norgs; i++)
		org_add(l, orgs[i], 1);
}

void
live_inquiry_completed(struct live *l, time_t now, time_t t,
    enum channel ch, enum outcome old, int old_duration_s, enum outcome new,
    int new_duration_s, const char *const *orgs, size_t norgs)
{
	size_t	i;

	roll(l, now);
	if (!today(l, t))
		return;
	count(l, t, ch, old, -1, -(old_duration_s >= 0), old_duration_s >= 0 ?
	    -(int64_t)old_duration_s : 0);
	count(l, t, ch, new, 1, new_duration_s >= 0, new_duration_s >= 0 ?
	    new_duration_s : 0);
	for (i = 0; i < norgs; i++)
		org_add(l, orgs[i], 1);
}

void
live_sessions(struct live *l, time_t now, int64_t open)
{
	roll(l, now);
	l->calls_now = open;
	if (open > l->calls_peak)
		l->calls_peak = open;
}

/* Whether organisation a ranks before b: more inquiries, then by code. */
static int
ranks_before(const struct live_org *a, const struct live_org *b)
{
	if (a->inquiries != b->inquiries)
		return a->inquiries > b->inquiries;
	return strcmp(a->code, b->code) < 0;
}

void
live_figures(struct live *l, time_t now, size_t top, struct live_figures *f)
{
	unsigned char	 taken[LIVE_ORGS_MAX];
	struct live_org	*best;
	size_t		 i, k, besti = 0;

	roll(l, now);
	memset(f, 0, sizeof *f);
	memcpy(f->date, l->date, sizeof f->date);
	f->day_start = l->day_start;
	f->inquiries = l->inquiries;
	memcpy(f->by_outcome, l->by_outcome, sizeof f->by_outcome);
	memcpy(f->by_channel, l->by_channel, sizeof f->by_channel);
	f->handled = l->handled;
	f->handle_s = l->handle_s;
	memcpy(f->hours, l->hours, sizeof f->hours);
	f->calls_now = l->calls_now;
	f->calls_peak = l->calls_peak;
	if (top > LIVE_TOP_MAX)
		top = LIVE_TOP_MAX;
	memset(taken, 0, sizeof taken);
	for (i = 0; i < l->norgs; i++)
		if (l->orgs[i].inquiries > 0)
			f->orgs++;
	/* A selection of the few best: top is small, so is the table. */
	for (k = 0; k < top; k++) {
		best = NULL;
		for (i = 0; i < l->norgs; i++)
			if (!taken[i] && l->orgs[i].inquiries > 0 &&
			    (best == NULL || ranks_before(&l->orgs[i], best))) {
				best = &l->orgs[i];
				besti = i;
			}
		if (best == NULL)
			break;
		taken[besti] = 1;
		f->top[f->ntop++] = *best;
	}
}

static json_t *
counts_json(const int64_t *v, int n, const char *(*name)(int))
{
	json_t	*o = json_object();
	int	 i;

	for (i = 0; o != NULL && i < n; i++)
		json_object_set_new(o, name(i), json_integer(v[i]));
	return o;
}

static const char *
outcome_name(int i)
{
	return inquiry_outcome_name((enum outcome)i);
}

static const char *
channel_name(int i)
{
	return inquiry_channel_name((enum channel)i);
}

json_t *
live_json(struct live *l, time_t now, size_t top,
    json_t *(*org_name)(const char *, void *), void *arg)
{
	struct live_figures	*f;
	json_t			*hours, *orgs, *name, *r = NULL;
	int64_t			 n, matched;
	size_t			 i;
	int			 h, k;

	/* A few kilobytes: not on the loop's stack. */
	if ((f = malloc(sizeof *f)) == NULL)
		return NULL;
	live_figures(l, now, top, f);
	hours = json_array();
	for (h = 0; hours != NULL && h < 24; h++) {
		for (n = 0, k = 0; k < OUTCOME_COUNT; k++)
			n += f->hours[h][k];
		json_array_append_new(hours, json_pack("{s:i, s:I, s:I, s:I}",
		    "hour", h, "inquiries", (json_int_t)n, "affected",
		    (json_int_t)f->hours[h][OUTCOME_AFFECTED], "not_found",
		    (json_int_t)f->hours[h][OUTCOME_NOT_FOUND]));
	}
	orgs = json_array();
	for (i = 0; orgs != NULL && i < f->ntop; i++) {
		name = org_name != NULL ? org_name(f->top[i].code, arg) : NULL;
		json_array_append_new(orgs, json_pack("{s:s, s:o, s:I}", "code",
		    f->top[i].code, "name", name != NULL ? name : json_null(),
		    "inquiries", (json_int_t)f->top[i].inquiries));
	}
	matched = f->by_outcome[OUTCOME_AFFECTED] +
	    f->by_outcome[OUTCOME_NOT_FOUND];
	if (hours != NULL && orgs != NULL)
		r = json_pack("{s:s, s:I, s:o, s:o, s:o, s:I, s:I, s:o, s:I, "
		    "s:I, s:o, s:o}",
		    "date", f->date,
		    "inquiries", (json_int_t)f->inquiries,
		    "by_outcome", counts_json(f->by_outcome, OUTCOME_COUNT,
		    outcome_name),
		    "by_channel", counts_json(f->by_channel, CHANNEL_COUNT,
		    channel_name),
		    "match_rate", matched > 0 ? json_real((double)
		    f->by_outcome[OUTCOME_AFFECTED] / (double)matched) :
		    json_null(),
		    "transfers", (json_int_t)f->by_outcome[OUTCOME_TRANSFERRED],
		    "abandoned", (json_int_t)f->by_outcome[OUTCOME_ABANDONED],
		    "avg_handle_s", f->handled > 0 ? json_real((double)
		    f->handle_s / (double)f->handled) : json_null(),
		    "calls_now", (json_int_t)f->calls_now,
		    "calls_peak", (json_int_t)f->calls_peak,
		    "hours", hours, "top_orgs", orgs);
	else {
		json_decref(hours);
		json_decref(orgs);
	}
	free(f);
	return r;
}
