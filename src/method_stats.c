/*
 * Supervisor methods (SPEC §6.2): stats.summary, stats.hourly,
 * alerts.list. Dates are ISO dates in the conf's time zone, inclusive;
 * times in answers are ISO 8601 with that zone's offset.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/buffer.h>
#include <jansson.h>

#include "affected.h"
#include "config.h"
#include "method.h"
#include "notice.h"
#include "server.h"
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
org_name(struct server *srv, const char *code)
{
	const struct org	*o;
	struct notice_ctx	 nc;

	if ((o = record_org_by_code(affected_orgs(srv->affected), code)) ==
	    NULL)
		return json_null();
	nc.prompts = srv->prompts;
	nc.conf = srv->conf;
	nc.lang = srv->conf->default_lang;
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
method_stats_summary(struct rpc_call *call)
{
	struct server		*srv = call->srv;
	struct stats_summary	 sum;
	const char		*from_in, *to_in;
	char			 from_s[11], to_s[11];
	json_t			*orgs, *clients, *channels;
	time_t			 from, to, now = time(NULL);
	int64_t			 matched;
	size_t			 i;

	if (rpc_param_string(call, "from", 0, &from_in) == -1 ||
	    rpc_param_string(call, "to", 0, &to_in) == -1)
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
		return rpc_invalid_param(call, "from", "must be a date "
		    "YYYY-MM-DD");
	if ((to_in != NULL && strlen(to_in) != 10) ||
	    (to = local_midnight(to_s, 1)) == -1)
		return rpc_invalid_param(call, "to", "must be a date "
		    "YYYY-MM-DD");
	if (to <= from || to - from > (time_t)RANGE_DAYS_MAX * 86400 + 7200)
		return rpc_invalid_param(call, "to", "must be on or after "
		    "from, at most 400 days later");
	call->audit_args = json_pack("{s:s, s:s}", "from", from_s, "to",
	    to_s);
	if (store_stats_summary(srv->store, from, to, &sum) == -1)
		return rpc_fail(call, RPC_STORAGE_UNAVAILABLE, NULL);
	orgs = json_array();
	for (i = 0; i < sum.norgs; i++)
		json_array_append_new(orgs, json_pack("{s:s, s:o, s:I, s:I}",
		    "code", sum.orgs[i].code, "name", org_name(srv,
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
	call->result = json_pack("{s:s, s:s, s:s, s:I, s:o, s:o, s:o, s:o, "
	    "s:I, s:o, s:o, s:I}",
	    "from", from_s, "to", to_s, "tz", srv->conf->time_zone,
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
	if (call->result != NULL)
		json_object_set_new(call->result, "ivr_sessions",
		    json_integer((json_int_t)srv->sessions.n));
	return call->result != NULL ? 0 : -1;
}

int
method_stats_hourly(struct rpc_call *call)
{
	struct server	*srv = call->srv;
	int64_t		 by[24][OUTCOME_COUNT], n;
	time_t		 starts[25], day;
	struct tm	 tm;
	const char	*date;
	json_t		*hours;
	int		 h, i;

	if (rpc_param_string(call, "date", 1, &date) == -1)
		return -1;
	if ((day = local_midnight(date, 0)) == -1)
		return rpc_invalid_param(call, "date", "must be a date "
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
	if (store_stats_hourly(srv->store, starts, by) == -1)
		return rpc_fail(call, RPC_STORAGE_UNAVAILABLE, NULL);
	hours = json_array();
	for (h = 0; h < 24; h++) {
		for (n = 0, i = 0; i < OUTCOME_COUNT; i++)
			n += by[h][i];
		json_array_append_new(hours, json_pack("{s:i, s:I, s:o}",
		    "hour", h, "inquiries", (json_int_t)n, "by_outcome",
		    outcomes_json(by[h])));
	}
	call->result = json_pack("{s:s, s:s, s:o}", "date", date, "tz",
	    srv->conf->time_zone, "hours", hours);
	return call->result != NULL ? 0 : -1;
}

int
method_alerts_list(struct rpc_call *call)
{
	struct server		*srv = call->srv;
	struct store_alert	*a;
	const char		*since_in;
	char			 when[32];
	json_t			*list;
	time_t			 since = 0;
	size_t			 n, i;

	if (rpc_param_string(call, "since", 0, &since_in) == -1)
		return -1;
	if (since_in != NULL && (since = parse_time(since_in)) == -1)
		return rpc_invalid_param(call, "since", "must be an ISO 8601 "
		    "time, e.g. 2026-11-26T09:00:00+09:00");
	if (store_alerts(srv->store, since, &a, &n) == -1)
		return rpc_fail(call, RPC_STORAGE_UNAVAILABLE, NULL);
	list = json_array();
	for (i = 0; i < n; i++) {
		iso_time(a[i].time, when);
		json_array_append_new(list, json_pack("{s:I, s:s, s:s, s:s, "
		    "s:s, s:i, s:i, s:b}", "id", (json_int_t)a[i].id, "time",
		    when, "client", a[i].client, "role", a[i].role, "kind",
		    a[i].kind, "count", a[i].count, "window_s", a[i].window_s,
		    "suspended", a[i].suspended));
	}
	free(a);
	call->result = json_pack("{s:o}", "alerts", list);
	return call->result != NULL ? 0 : -1;
}
