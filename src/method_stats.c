/*
 * Supervisor methods (SPEC §6.2): stats.summary, stats.hourly,
 * alerts.list, alerts.ack. Dates are ISO dates in the conf's time zone,
 * inclusive; times in answers are ISO 8601 with that zone's offset.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/buffer.h>
#include <jansson.h>
#include <utf8proc.h>

#include "affected.h"
#include "alerts.h"
#include "commit.h"
#include "config.h"
#include "core.h"
#include "live.h"
#include "log.h"
#include "method.h"
#include "notice.h"
#include "store.h"

#define RANGE_DAYS_MAX	400	/* one stats.summary call */

/* Local midnight of YYYY-MM-DD plus days; -1 if not such a date. */
static time_t
local_midnight(const char *s, int days)
{
	struct tm	tm;
	int		y, m, d;
	char		tail;

	if (strlen(s) != 10 || sscanf(s, "%4d-%2d-%2d%c", &y, &m, &d,
	    &tail) != 3 || m < 1 || m > 12 || d < 1 || d > 31 || y < 2000 ||
	    y > 2999)
		return -1;
	memset(&tm, 0, sizeof tm);
	tm.tm_year = y - 1900;
	tm.tm_mon = m - 1;
	tm.tm_mday = d;
	tm.tm_isdst = -1;
	if (mktime(&tm) == -1 || tm.tm_mday != d)
		return -1;	/* mktime moved a 31 February on */
	tm.tm_mday = d + days;
	tm.tm_hour = 0;
	tm.tm_isdst = -1;
	return mktime(&tm);
}

static void
local_date(time_t t, char out[11])
{
	struct tm	tm;

	localtime_r(&t, &tm);
	strftime(out, 11, "%Y-%m-%d", &tm);
}

/* 2026-11-26T16:59:10+09:00 */
static void
iso_time(time_t t, char out[32])
{
	struct tm	tm;
	char		z[8];

	localtime_r(&t, &tm);
	strftime(out, 32, "%Y-%m-%dT%H:%M:%S", &tm);
	strftime(z, sizeof z, "%z", &tm);
	snprintf(out + strlen(out), 32 - strlen(out), "%.3s:%.2s", z, z + 3);
}

/*
 * Parses YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS] with an optional Z or
 * +HH:MM / -HH:MM (the conf's zone when there is none); -1 if not.
 */
static time_t
parse_time(const char *s)
{
	struct tm	tm;
	int		y, mo, d, h = 0, mi = 0, sec = 0, oh, om, n = 0;
	char		sign;
	time_t		t;

	if (sscanf(s, "%4d-%2d-%2d%n", &y, &mo, &d, &n) != 3 || n != 10)
		return -1;
	s += 10;
	if (*s == 'T' || *s == ' ') {
		n = 0;
		if (sscanf(s + 1, "%2d:%2d%n", &h, &mi, &n) != 2 || n != 5)
			return -1;
		s += 6;
		if (*s == ':') {
			n = 0;
			if (sscanf(s + 1, "%2d%n", &sec, &n) != 1 || n != 2)
				return -1;
			s += 3;
		}
	}
	if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 ||
	    sec > 60)
		return -1;
	memset(&tm, 0, sizeof tm);
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	if (*s == '\0') {
		tm.tm_isdst = -1;
		return mktime(&tm);
	}
	if (strcmp(s, "Z") == 0)
		return timegm(&tm);
	if ((s[0] != '+' && s[0] != '-') || sscanf(s, "%c%2d:%2d%n", &sign,
	    &oh, &om, &n) != 3 || n != 6 || oh > 14 || om > 59)
		return -1;
	t = timegm(&tm);
	return sign == '+' ? t - (oh * 3600 + om * 60) :
	    t + (oh * 3600 + om * 60);
}

/* An organisation's display name: the current list's, or null. */
static json_t *
org_name(struct core *core, const char *code)
{
	const struct org	*o;
	struct notice_ctx	 nc;

	if ((o = record_org_by_code(affected_orgs(core->affected), code)) ==
	    NULL)
		return json_null();
	notice_ctx_init(&nc, core->prompts, core->conf, core->conf->default_lang,
	    PROMPT_WRITTEN);
	return method_org_name_json(&nc, o);
}

static json_t *
outcomes_json(const int64_t *by)
{
	json_t	*j = json_object();
	int	 i;

	for (i = 0; i < OUTCOME_COUNT; i++)
		json_object_set_new(j, inquiry_outcome_name((enum outcome)i),
		    json_integer(by[i]));
	return j;
}

int
method_stats_summary(struct call *call)
{
	struct core		*core = call->core;
	struct stats_summary	 sum;
	const char		*from_in, *to_in;
	char			 from_s[11], to_s[11];
	json_t			*orgs, *clients, *channels, *result;
	time_t			 from, to, now = time(NULL);
	int64_t			 matched;
	size_t			 i;

	if (call_string(call, "from", 0, &from_in) == -1 ||
	    call_string(call, "to", 0, &to_in) == -1)
		return -1;
	/* Today by default; a lone date stands for both ends. */
	local_date(now, from_s);
	memcpy(to_s, from_s, sizeof to_s);
	if (to_in != NULL)
		snprintf(to_s, sizeof to_s, "%s", to_in);
	if (from_in != NULL)
		snprintf(from_s, sizeof from_s, "%s", from_in);
	else if (to_in != NULL)
		memcpy(from_s, to_s, sizeof from_s);
	if ((from_in != NULL && strlen(from_in) != 10) ||
	    (from = local_midnight(from_s, 0)) == -1)
		return call_invalid(call, "from", "must be a date "
		    "YYYY-MM-DD");
	if ((to_in != NULL && strlen(to_in) != 10) ||
	    (to = local_midnight(to_s, 1)) == -1)
		return call_invalid(call, "to", "must be a date "
		    "YYYY-MM-DD");
	if (to <= from || to - from > (time_t)RANGE_DAYS_MAX * 86400 + 7200)
		return call_invalid(call, "to", "must be on or after "
		    "from, at most 400 days later");
	call->audit_args = json_pack("{s:s, s:s}", "from", from_s, "to",
	    to_s);
	if (store_stats_summary(core->reader, from, to, &sum) == -1)
		return call_fail(call, RPC_STORAGE_UNAVAILABLE, NULL);
	orgs = json_array();
	for (i = 0; i < sum.norgs; i++)
		json_array_append_new(orgs, json_pack("{s:s, s:o, s:I, s:I}",
		    "code", sum.orgs[i].code, "name", org_name(core,
		    sum.orgs[i].code), "inquiries", (json_int_t)
		    sum.orgs[i].inquiries, "affected", (json_int_t)
		    sum.orgs[i].affected));
	clients = json_array();
	for (i = 0; i < sum.nclients; i++)
		json_array_append_new(clients, json_pack("{s:s, s:s, s:I, "
		    "s:I, s:I}", "client", sum.clients[i].client, "role",
		    sum.clients[i].role, "inquiries", (json_int_t)
		    sum.clients[i].inquiries, "lookups", (json_int_t)
		    sum.clients[i].lookups, "searches", (json_int_t)
		    sum.clients[i].searches));
	channels = json_object();
	for (i = 0; i < CHANNEL_COUNT; i++)
		json_object_set_new(channels, inquiry_channel_name(
		    (enum channel)i), json_integer(sum.by_channel[i]));
	matched = sum.by_outcome[OUTCOME_AFFECTED] +
	    sum.by_outcome[OUTCOME_NOT_FOUND];
	result = json_pack("{s:s, s:s, s:s, s:I, s:o, s:o, s:o, s:o, "
	    "s:I, s:o, s:o, s:I}",
	    "from", from_s, "to", to_s, "tz", core->conf->time_zone,
	    "inquiries", (json_int_t)sum.inquiries,
	    "by_outcome", outcomes_json(sum.by_outcome),
	    "by_channel", channels,
	    "match_rate", matched > 0 ? json_real((double)
	    sum.by_outcome[OUTCOME_AFFECTED] / (double)matched) : json_null(),
	    "avg_handle_s", sum.handled > 0 ? json_real((double)sum.handle_s /
	    (double)sum.handled) : json_null(),
	    "peak_sessions", (json_int_t)sum.peak_sessions,
	    "by_org", orgs,
	    "by_client", clients,
	    "alerts", (json_int_t)sum.alerts);
	store_stats_free(&sum);
	/* Not of the period: the calls in the IVR now, for live views. */
	if (result != NULL)
		json_object_set_new(result, "ivr_sessions",
		    json_integer((json_int_t)core->sessions.n));
	return call_result(call, result);
}

int
method_stats_hourly(struct call *call)
{
	struct core	*core = call->core;
	int64_t		 by[24][OUTCOME_COUNT], n;
	time_t		 starts[25], day;
	struct tm	 tm;
	const char	*date;
	json_t		*hours;
	int		 h, i;

	if (call_string(call, "date", 1, &date) == -1)
		return -1;
	if ((day = local_midnight(date, 0)) == -1)
		return call_invalid(call, "date", "must be a date "
		    "YYYY-MM-DD");
	call->audit_args = json_pack("{s:s}", "date", date);
	/* Each local hour's start; mktime() knows the zone's rules. */
	for (h = 0; h <= 24; h++) {
		localtime_r(&day, &tm);
		tm.tm_hour = h;
		tm.tm_min = tm.tm_sec = 0;
		tm.tm_isdst = -1;
		starts[h] = mktime(&tm);
	}
	if (store_stats_hourly(core->reader, starts, by) == -1)
		return call_fail(call, RPC_STORAGE_UNAVAILABLE, NULL);
	hours = json_array();
	for (h = 0; h < 24; h++) {
		for (n = 0, i = 0; i < OUTCOME_COUNT; i++)
			n += by[h][i];
		json_array_append_new(hours, json_pack("{s:i, s:I, s:o}",
		    "hour", h, "inquiries", (json_int_t)n, "by_outcome",
		    outcomes_json(by[h])));
	}
	return call_result(call, json_pack("{s:s, s:s, s:o}", "date", date,
	    "tz", core->conf->time_zone, "hours", hours));
}

int
method_alerts_list(struct call *call)
{
	struct core		*core = call->core;
	struct store_alert	*a;
	const char		*since_in;
	char			 when[32], acked[32];
	json_t			*list, *unacked;
	time_t			 since = 0;
	size_t			 n, i;

	if (call_string(call, "since", 0, &since_in) == -1)
		return -1;
	if (since_in != NULL && (since = parse_time(since_in)) == -1)
		return call_invalid(call, "since", "must be an ISO 8601 time, "
		    "e.g. 2026-11-26T09:00:00+09:00");
	unacked = call->params ? json_object_get(call->params, "unacked") :
	    NULL;
	if (unacked != NULL && !json_is_boolean(unacked) &&
	    !json_is_null(unacked))
		return call_invalid(call, "unacked", "must be true or false");
	if (store_alerts(core->reader, since, json_is_true(unacked), &a,
	    &n) == -1)
		return call_fail(call, RPC_STORAGE_UNAVAILABLE, NULL);
	list = json_array();
	for (i = 0; i < n; i++) {
		iso_time(a[i].time, when);
		if (a[i].acked_at != 0)
			iso_time(a[i].acked_at, acked);
		json_array_append_new(list, json_pack("{s:I, s:s, s:s, s:s, "
		    "s:s, s:i, s:i, s:b, s:s?, s:s?, s:s?}", "id",
		    (json_int_t)a[i].id, "time", when, "client", a[i].client,
		    "role", a[i].role, "kind", a[i].kind, "count", a[i].count,
		    "window_s", a[i].window_s, "suspended", a[i].suspended,
		    "acked_by", a[i].acked_at ? a[i].acked_by : NULL,
		    "acked_at", a[i].acked_at ? acked : NULL,
		    "note", a[i].acked_at ? a[i].note : NULL));
	}
	free(a);
	return call_result(call, json_pack("{s:o}", "alerts", list));
}

/* Whether a character may stand between the digits of a phone number. */
static int
phone_separator(utf8proc_int32_t cp, utf8proc_category_t cat)
{
	return cat == UTF8PROC_CATEGORY_PD || cat == UTF8PROC_CATEGORY_PS ||
	    cat == UTF8PROC_CATEGORY_PE || cat == UTF8PROC_CATEGORY_ZS ||
	    cp == 0x30fc || cp == '+' || cp == 0xff0b;
}

/*
 * Why a review note cannot be kept, or NULL: 1-STORE_NOTE_MAX characters
 * of prose, not blank, no control character but line ends and tabs, and
 * nothing shaped like a phone number (10 digits or more starting with 0
 * or +, with only spaces, dashes and brackets between them; dates and
 * times do not start so). The note is stored as typed, so this is the
 * one check between a supervisor's slip and hotline.db.
 */
static const char *
note_problem(const char *note, size_t len)
{
	utf8proc_int32_t	cp;
	utf8proc_ssize_t	n;
	utf8proc_category_t	cat;
	size_t			off, chars = 0;
	int			digits = 0, plus = 0, phone_like = 0;
	int			blank = 1;

	if (strlen(note) != len)
		return "must not contain NUL";
	for (off = 0; off < len; off += (size_t)n) {
		n = utf8proc_iterate((const utf8proc_uint8_t *)note + off,
		    (utf8proc_ssize_t)(len - off), &cp);
		if (n <= 0)
			return "must be UTF-8";
		if (++chars > STORE_NOTE_MAX)
			return "must be 1-500 characters";
		cat = utf8proc_category(cp);
		if ((cat == UTF8PROC_CATEGORY_CC && cp != '\n' &&
		    cp != '\t') || cat == UTF8PROC_CATEGORY_CF)
			return "must not contain control characters";
		if (cat != UTF8PROC_CATEGORY_ZS && cp != '\n' && cp != '\t')
			blank = 0;
		if (cat == UTF8PROC_CATEGORY_ND) {
			if (digits++ == 0)
				phone_like = plus || cp == '0' ||
				    cp == 0xff10;
			if (digits >= 10 && phone_like)
				return "must not hold a phone number";
		} else if (phone_separator(cp, cat)) {
			if (digits == 0 && (cp == '+' || cp == 0xff0b))
				plus = 1;
			/* "ticket 4711 0312345678": a new number may start. */
			if (cat == UTF8PROC_CATEGORY_ZS && !phone_like)
				digits = plus = 0;
		} else
			digits = plus = 0;
	}
	if (chars == 0 || blank)
		return "must be 1-500 characters, not blank";
	return NULL;
}

/* The ack is committed: the alert is closed; or not: still open. */
struct ack_hook {
	struct core	*core;
	int64_t		 id;
};

static void
ack_done(void *arg, int ok)
{
	struct ack_hook	*h = arg;

	if (ok) {
		alerts_remove(h->core->alerts, h->id);
		core_alerts_changed(h->core);
	} else
		alerts_set(h->core->alerts, h->id, ALERT_OPEN);
	free(h);
}

int
method_alerts_ack(struct call *call)
{
	struct core	*core = call->core;
	struct ack_hook	*h;
	json_t		*idv;
	const char	*note, *problem, *by = call->who->client;
	json_int_t	 id;
	time_t		 now = time(NULL);
	char		 when[32];

	idv = call->params ? json_object_get(call->params, "id") : NULL;
	if (idv == NULL || json_is_null(idv))
		return call_invalid(call, "id", "required");
	if (!json_is_integer(idv) || (id = json_integer_value(idv)) < 1)
		return call_invalid(call, "id", "must be an alert id");
	if (call_string(call, "note", 1, &note) == -1)
		return -1;
	if ((problem = note_problem(note, json_string_length(
	    json_object_get(call->params, "note")))) != NULL)
		return call_invalid(call, "note", problem);
	/*
	 * The audit keeps the alert's id, not the note: the note lives in
	 * the alert's row, which can be corrected; the hash chain cannot,
	 * and no free text typed by a person belongs in it.
	 */
	call->audit_args = json_pack("{s:I}", "id", id);
	/* Unknown, acknowledged, or being acknowledged: one answer. */
	if (alerts_state(core->alerts, (int64_t)id) != ALERT_OPEN)
		return call_invalid(call, "id", "not an open alert");
	if ((h = malloc(sizeof *h)) == NULL)
		return call_fail(call, RPC_INTERNAL_ERROR, NULL);
	h->core = core;
	h->id = (int64_t)id;
	if (store_batch_ack(commit_batch(core->commit), (int64_t)id, by, note,
	    now) == -1 || core_on_commit(core, ack_done, h) == -1) {
		free(h);
		commit_break(core->commit);
		return call_fail(call, RPC_STORAGE_UNAVAILABLE, NULL);
	}
	alerts_set(core->alerts, (int64_t)id, ALERT_ACKING);
	log_notice("alert %lld acknowledged by %s", (long long)id, by);
	iso_time(now, when);
	return call_result(call, json_pack("{s:I, s:s, s:s}", "id", id,
	    "acked_by", by, "acked_at", when));
}

static json_t *
live_org_name(const char *code, void *arg)
{
	return org_name(arg, code);
}

/*
 * stats.live {top?}: today's figures from memory, for the wallboard (a
 * refresh reads no disk): SPEC §6.4, docs/WEB.md.
 */
int
method_stats_live(struct call *call)
{
	struct core	*core = call->core;
	json_t		*topv, *result;
	json_int_t	 top = 10;

	topv = call->params ? json_object_get(call->params, "top") : NULL;
	if (topv != NULL && !json_is_null(topv) && (!json_is_integer(topv) ||
	    (top = json_integer_value(topv)) < 1 || top > LIVE_TOP_MAX))
		return call_invalid(call, "top", "a whole number, 1 to 20");
	call->audit_args = json_pack("{s:I}", "top", top);
	if ((result = live_json(core->live, time(NULL), (size_t)top,
	    live_org_name, core)) == NULL)
		return call_fail(call, RPC_INTERNAL_ERROR, NULL);
	json_object_set_new(result, "tz", json_string(core->conf->time_zone));
	return call_result(call, result);
}
