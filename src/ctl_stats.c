/*
 * hotlinectl stats, alerts and audit: the supervisor's numbers and alerts
 * at a terminal (asked of hotlined over the protocol, so they are what
 * every client gets, and an ack is audited like any other), and the audit
 * chain's check (read from hotline.db directly, so it works when hotlined
 * is down).
 */
#include <errno.h>
#include <signal.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <utf8proc.h>

#include "client.h"
#include "config.h"
#include "ctl.h"
#include "store.h"

#define WIDTH		80	/* a table fits a terminal of this width */
#define DAYS_MAX	400	/* --by day and hour: one stats.summary's range */

enum by { BY_NONE, BY_DAY, BY_HOUR, BY_ORG, BY_CLIENT };
enum format { FMT_TABLE, FMT_CSV, FMT_JSON };

static const char *outcomes[] = { "affected", "not_found", "invalid_input",
    "transferred", "out_of_hours", "rate_limited", "abandoned" };

/* Prints s in exactly cols columns: cut (on a character) or padded. */
static void
print_cell(const char *s, int cols)
{
	utf8proc_int32_t	cp;
	utf8proc_ssize_t	n;
	int			w = 0, cw;

	while (*s != '\0') {
		n = utf8proc_iterate((const utf8proc_uint8_t *)s, -1, &cp);
		if (n <= 0)
			break;
		cw = utf8proc_charwidth(cp);
		if (w + cw > cols)
			break;
		fwrite(s, 1, (size_t)n, stdout);
		w += cw;
		s += n;
	}
	for (; w < cols; w++)
		putchar(' ');
}

/* A CSV field, quoted when it needs to be. */
static void
print_csv(const char *s, int last)
{
	if (strpbrk(s, ",\"\r\n") != NULL) {
		putchar('"');
		for (; *s != '\0'; s++) {
			if (*s == '"')
				putchar('"');
			putchar(*s);
		}
		putchar('"');
	} else
		fputs(s, stdout);
	putchar(last ? '\n' : ',');
}

static long long
num(json_t *o, const char *key)
{
	return json_integer_value(json_object_get(o, key));
}

static const char *
str(json_t *o, const char *key)
{
	const char	*s = json_string_value(json_object_get(o, key));

	return s != NULL ? s : "";
}

static void
print_summary(json_t *r, enum format fmt)
{
	json_t		*by = json_object_get(r, "by_outcome");
	json_t		*ch = json_object_get(r, "by_channel");
	json_t		*rate = json_object_get(r, "match_rate");
	json_t		*handle = json_object_get(r, "avg_handle_s");
	char		 a[32];
	size_t		 i;

	if (fmt == FMT_CSV) {
		printf("from,to,tz,inquiries,");
		for (i = 0; i < 7; i++)
			printf("%s,", outcomes[i]);
		printf("ivr,api,operator,match_rate,avg_handle_s,"
		    "peak_sessions,alerts\n");
		printf("%s,%s,%s,%lld,", str(r, "from"), str(r, "to"),
		    str(r, "tz"), num(r, "inquiries"));
		for (i = 0; i < 7; i++)
			printf("%lld,", num(by, outcomes[i]));
		printf("%lld,%lld,%lld,", num(ch, "ivr"), num(ch, "api"),
		    num(ch, "operator"));
		if (json_is_real(rate))
			printf("%.4f", json_real_value(rate));
		putchar(',');
		if (json_is_real(handle))
			printf("%.1f", json_real_value(handle));
		printf(",%lld,%lld\n", num(r, "peak_sessions"),
		    num(r, "alerts"));
		return;
	}
	printf("hotline statistics %s to %s (%s)\n\n", str(r, "from"),
	    str(r, "to"), str(r, "tz"));
	printf("  inquiries      %12s", ctl_thousands(num(r, "inquiries"), a,
	    sizeof a));
	if (json_is_real(rate))
		printf("    match rate  %5.1f%%", 100 *
		    json_real_value(rate));
	if (json_is_real(handle))
		printf("    avg handle %5.0f s", json_real_value(handle));
	printf("\n  peak sessions  %12s", ctl_thousands(num(r,
	    "peak_sessions"), a, sizeof a));
	printf("    alerts %12s\n\n", ctl_thousands(num(r, "alerts"), a,
	    sizeof a));
	printf("  by outcome\n");
	for (i = 0; i < 7; i++)
		printf("    %-16s %12s\n", outcomes[i], ctl_thousands(num(by,
		    outcomes[i]), a, sizeof a));
	printf("  by channel\n");
	printf("    %-16s %12s\n", "ivr", ctl_thousands(num(ch, "ivr"), a,
	    sizeof a));
	printf("    %-16s %12s\n", "api", ctl_thousands(num(ch, "api"), a,
	    sizeof a));
	printf("    %-16s %12s\n", "operator", ctl_thousands(num(ch,
	    "operator"), a, sizeof a));
}

static void
print_orgs(json_t *r, enum format fmt)
{
	json_t		*o;
	const char	*name;
	char		 a[32], b[32];
	size_t		 i;

	if (fmt == FMT_CSV)
		printf("code,name,inquiries,affected\n");
	else
		printf("%-20s %-32s %12s %12s\n", "code", "name", "inquiries",
		    "affected");
	json_array_foreach(json_object_get(r, "by_org"), i, o) {
		name = str(o, "name");
		if (fmt == FMT_CSV) {
			print_csv(str(o, "code"), 0);
			print_csv(name, 0);
			printf("%lld,%lld\n", num(o, "inquiries"), num(o,
			    "affected"));
			continue;
		}
		print_cell(str(o, "code"), 20);
		putchar(' ');
		print_cell(name, 32);
		printf(" %12s %12s\n", ctl_thousands(num(o, "inquiries"), a,
		    sizeof a), ctl_thousands(num(o, "affected"), b,
		    sizeof b));
	}
}

static void
print_clients(json_t *r, enum format fmt)
{
	json_t	*c;
	char	 a[32], b[32], d[32];
	size_t	 i;

	if (fmt == FMT_CSV)
		printf("client,role,inquiries,lookups,searches\n");
	else
		printf("%-24s %-10s %13s %13s %13s\n", "client", "role",
		    "inquiries", "lookups", "searches");
	json_array_foreach(json_object_get(r, "by_client"), i, c) {
		if (fmt == FMT_CSV) {
			print_csv(str(c, "client"), 0);
			print_csv(str(c, "role"), 0);
			printf("%lld,%lld,%lld\n", num(c, "inquiries"), num(c,
			    "lookups"), num(c, "searches"));
			continue;
		}
		print_cell(str(c, "client"), 24);
		putchar(' ');
		print_cell(str(c, "role"), 10);
		printf(" %13s %13s %13s\n", ctl_thousands(num(c, "inquiries"),
		    a, sizeof a), ctl_thousands(num(c, "lookups"), b,
		    sizeof b), ctl_thousands(num(c, "searches"), d,
		    sizeof d));
	}
}

/* The sums of a day's hours: inquiries and each outcome. */
static void
day_totals(json_t *day, long long *n, long long by[7])
{
	json_t	*h;
	size_t	 i;
	int	 k;

	*n = 0;
	memset(by, 0, 7 * sizeof *by);
	json_array_foreach(json_object_get(day, "hours"), i, h) {
		*n += num(h, "inquiries");
		for (k = 0; k < 7; k++)
			by[k] += num(json_object_get(h, "by_outcome"),
			    outcomes[k]);
	}
}

/*
 * Hours of each day, with the volume drawn as a bar; over several days
 * each day ends with its total, so that 72 rows still read as 3 days.
 */
static void
print_hours(json_t **days, size_t ndays, enum format fmt)
{
	json_t		*h, *by;
	long long	 max = 1, n, tby[7];
	size_t		 d, i;
	int		 bar, k;

	if (fmt == FMT_CSV) {
		printf("date,hour,inquiries");
		for (i = 0; i < 7; i++)
			printf(",%s", outcomes[i]);
		putchar('\n');
	}
	for (d = 0; d < ndays; d++)
		json_array_foreach(json_object_get(days[d], "hours"), i, h)
			if (num(h, "inquiries") > max)
				max = num(h, "inquiries");
	if (fmt == FMT_TABLE)
		printf("%-10s %5s %10s %9s %9s  %s\n", "date", "hour",
		    "inquiries", "affected", "not_found", "volume");
	for (d = 0; d < ndays; d++) {
		json_array_foreach(json_object_get(days[d], "hours"), i, h) {
			by = json_object_get(h, "by_outcome");
			n = num(h, "inquiries");
			if (fmt == FMT_CSV) {
				printf("%s,%lld,%lld", str(days[d], "date"),
				    num(h, "hour"), n);
				for (k = 0; k < 7; k++)
					printf(",%lld", num(by, outcomes[k]));
				putchar('\n');
				continue;
			}
			/* 10+1+5+1+10+1+9+1+9+2 = 49 columns before the bar. */
			bar = (int)((n * (WIDTH - 50) + max - 1) / max);
			printf("%-10s %5lld %10lld %9lld %9lld  ",
			    str(days[d], "date"), num(h, "hour"), n,
			    num(by, "affected"), num(by, "not_found"));
			for (k = 0; k < bar; k++)
				putchar('#');
			putchar('\n');
		}
		if (ndays < 2)
			continue;
		day_totals(days[d], &n, tby);
		if (fmt == FMT_CSV) {
			printf("%s,total,%lld", str(days[d], "date"), n);
			for (k = 0; k < 7; k++)
				printf(",%lld", tby[k]);
			putchar('\n');
		} else
			printf("%-10s %5s %10lld %9lld %9lld\n\n",
			    str(days[d], "date"), "total", n, tby[0], tby[1]);
	}
}

/* One row per day, then the period's total (the summary itself). */
static void
print_days(json_t **days, size_t ndays, json_t *total, enum format fmt)
{
	json_t		*by, *rate;
	size_t		 d;
	int		 k;

	if (fmt == FMT_CSV) {
		printf("date,inquiries");
		for (k = 0; k < 7; k++)
			printf(",%s", outcomes[k]);
		printf(",match_rate\n");
	} else
		printf("%-10s %10s %9s %9s %9s %9s %9s  %s\n", "date",
		    "inquiries", "affected", "not_found", "invalid", "transfer",
		    "abandoned", "match");
	for (d = 0; d <= ndays; d++) {
		json_t	*r = d < ndays ? days[d] : total;

		by = json_object_get(r, "by_outcome");
		rate = json_object_get(r, "match_rate");
		if (fmt == FMT_CSV) {
			printf("%s,%lld", d < ndays ? str(r, "from") : "total",
			    num(r, "inquiries"));
			for (k = 0; k < 7; k++)
				printf(",%lld", num(by, outcomes[k]));
			putchar(',');
			if (json_is_real(rate))
				printf("%.4f", json_real_value(rate));
			putchar('\n');
			continue;
		}
		printf("%-10s %10lld %9lld %9lld %9lld %9lld %9lld", d < ndays ?
		    str(r, "from") : "total", num(r, "inquiries"),
		    num(by, "affected"), num(by, "not_found"),
		    num(by, "invalid_input"), num(by, "transferred"),
		    num(by, "abandoned"));
		if (json_is_real(rate))
			printf("  %5.1f%%", 100 * json_real_value(rate));
		putchar('\n');
	}
}

/* The dates of [from, to], at most max; -1 if they are not dates. */
static int
date_range(const char *from, const char *to, char dates[][11], size_t max,
    size_t *n)
{
	struct tm	tm;
	time_t		t;
	int		y, m, d;

	*n = 0;
	if (sscanf(from, "%4d-%2d-%2d", &y, &m, &d) != 3)
		return -1;
	memset(&tm, 0, sizeof tm);
	tm.tm_year = y - 1900;
	tm.tm_mon = m - 1;
	tm.tm_mday = d;
	tm.tm_hour = 12;
	tm.tm_isdst = -1;
	for (t = mktime(&tm); *n < max; t += 86400) {
		localtime_r(&t, &tm);
		strftime(dates[*n], 11, "%Y-%m-%d", &tm);
		if (strcmp(dates[(*n)++], to) >= 0)
			return 0;
	}
	return -1;
}

static void
print_json(json_t *j)
{
	char	*dump;

	dump = json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	printf("%s\n", dump ? dump : "");
	free(dump);
}

static volatile sig_atomic_t watch_stop;

static void
watch_signal(int sig)
{
	(void)sig;
	watch_stop = 1;
}

/*
 * --watch: a live view redrawn every few seconds from the methods every
 * supervisor client has (stats.summary of today, stats.hourly of today,
 * alerts.list): calls in the IVR now, today by outcome, the current hour,
 * and the alerts nobody has acked.
 */
static int
watch(struct client *c, int every, long frames)
{
	struct sigaction	 sa;
	json_t			*sum, *hours, *alerts, *params, *data, *h, *a;
	json_t			*by;
	struct tm		 tm;
	time_t			 now;
	char			*err = NULL, today[11], clock[16];
	size_t			 i;
	int			 code, k, tty = isatty(STDOUT_FILENO), open;
	int			 rc = CTL_EXIT_OK;
	long			 frame;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = watch_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	for (frame = 0; !watch_stop && (frames == 0 || frame < frames);
	    frame++) {
		sum = client_call(c, "stats.summary", NULL, &code, &data,
		    &err);
		/* Today and this hour are the service's, not this machine's. */
		if (sum != NULL && *str(sum, "tz") != '\0' &&
		    (getenv("TZ") == NULL || strcmp(getenv("TZ"),
		    str(sum, "tz")) != 0)) {
			setenv("TZ", str(sum, "tz"), 1);
			tzset();
		}
		now = time(NULL);
		localtime_r(&now, &tm);
		strftime(today, sizeof today, "%Y-%m-%d", &tm);
		strftime(clock, sizeof clock, "%H:%M:%S", &tm);
		params = json_pack("{s:s}", "date", today);
		hours = sum != NULL ? client_call(c, "stats.hourly", params,
		    &code, &data, &err) : NULL;
		json_decref(params);
		alerts = hours != NULL ? client_call(c, "alerts.list", NULL,
		    &code, &data, &err) : NULL;
		if (alerts == NULL) {
			ctl_print_error("stats", err, data);
			json_decref(sum);
			json_decref(hours);
			rc = CTL_EXIT_ERROR;
			break;
		}
		if (tty)
			fputs("\033[H\033[2J", stdout);	/* home, clear */
		else if (frame > 0)
			putchar('\n');
		printf("hotline now: %s %s (%s)\n\n", today, clock,
		    str(sum, "tz"));
		printf("  calls in the IVR now  %6lld\n", num(sum,
		    "ivr_sessions"));
		printf("  inquiries today       %6lld", num(sum, "inquiries"));
		if (json_is_real(json_object_get(sum, "match_rate")))
			printf("    match rate %5.1f%%", 100 * json_real_value(
			    json_object_get(sum, "match_rate")));
		putchar('\n');
		by = json_object_get(sum, "by_outcome");
		for (k = 0; k < 7; k++)
			printf("    %-18s %6lld\n", outcomes[k], num(by,
			    outcomes[k]));
		h = json_array_get(json_object_get(hours, "hours"),
		    (size_t)tm.tm_hour);
		printf("  this hour (%02d:00)     %6lld  affected %lld, "
		    "not_found %lld\n", tm.tm_hour, num(h, "inquiries"),
		    num(json_object_get(h, "by_outcome"), "affected"),
		    num(json_object_get(h, "by_outcome"), "not_found"));
		open = 0;
		json_array_foreach(json_object_get(alerts, "alerts"), i, a) {
			/* Open: not acked (acked_by absent or null). */
			if (json_is_string(json_object_get(a, "acked_by")))
				continue;
			if (open++ == 0)
				printf("\n  OPEN ALERTS\n");
			printf("    #%lld %s %s (%s): %lld lookups in %lld s%s\n",
			    num(a, "id"), str(a, "time"), str(a, "client"),
			    str(a, "role"), num(a, "count"), num(a, "window_s"),
			    json_is_true(json_object_get(a, "suspended")) ?
			    ", suspended" : "");
		}
		if (open == 0)
			printf("\n  no open alerts\n");
		if (tty)
			printf("\n(every %d s; Ctrl-C ends)\n", every);
		fflush(stdout);
		json_decref(sum);
		json_decref(hours);
		json_decref(alerts);
		if (frames != 0 && frame + 1 >= frames)
			break;
		for (k = 0; k < every * 10 && !watch_stop; k++)
			usleep(100000);
	}
	free(err);
	return rc;
}

static const char *const stats_roles[] = { "supervisor", "admin", NULL };

int
ctl_stats(int argc, char **argv)
{
	static const struct option opts[] = {
		CTL_TARGET_OPTIONS,
		CTL_COMMON_OPTIONS,
		{ "from", required_argument, NULL, 'f' },
		{ "to", required_argument, NULL, 't' },
		{ "by", required_argument, NULL, 'b' },
		{ "format", required_argument, NULL, 'F' },
		{ "watch", optional_argument, NULL, 'w' },
		{ "frames", required_argument, NULL, 'n' },
		{ NULL, 0, NULL, 0 },
	};
	struct ctl_target	 t;
	struct client		*c;
	enum by			 by = BY_NONE;
	enum format		 fmt = FMT_TABLE;
	const char		*from = NULL, *to = NULL;
	char			 dates[DAYS_MAX][11], *err = NULL, *end;
	json_t			*params, *res = NULL, *data, *out;
	json_t			*days[DAYS_MAX];
	size_t			 ndays = 0, i, max;
	long			 every = 0, frames = 0;
	int			 ch, code, rc;

	ctl_target_init(&t, "stats", stats_roles);
	while ((ch = getopt_long(argc, argv, CTL_TARGET_SHORT "f:t:b:F:hV",
	    opts, NULL)) != -1) {
		if ((rc = ctl_help("stats", ch)) != -1)
			return rc;
		switch (ch) {
		case 'f':
			from = optarg;
			break;
		case 't':
			to = optarg;
			break;
		case 'b':
			if (strcmp(optarg, "day") == 0)
				by = BY_DAY;
			else if (strcmp(optarg, "hour") == 0)
				by = BY_HOUR;
			else if (strcmp(optarg, "org") == 0)
				by = BY_ORG;
			else if (strcmp(optarg, "client") == 0)
				by = BY_CLIENT;
			else
				return ctl_usage_error("stats", "--by: day, "
				    "hour, org or client");
			break;
		case 'F':
			if (strcmp(optarg, "table") == 0)
				fmt = FMT_TABLE;
			else if (strcmp(optarg, "csv") == 0)
				fmt = FMT_CSV;
			else if (strcmp(optarg, "json") == 0)
				fmt = FMT_JSON;
			else
				return ctl_usage_error("stats", "--format: "
				    "table, csv or json");
			break;
		case 'w':
			every = 5;
			/* --watch 10 as well as --watch=10 */
			if (optarg == NULL && optind < argc &&
			    argv[optind][0] >= '0' && argv[optind][0] <= '9')
				optarg = argv[optind++];
			if (optarg != NULL) {
				errno = 0;
				every = strtol(optarg, &end, 10);
				if (errno != 0 || *end != '\0' || every < 1 ||
				    every > 3600)
					return ctl_usage_error("stats",
					    "--watch: 1 to 3600 seconds");
			}
			break;
		case 'n':
			errno = 0;
			frames = strtol(optarg, &end, 10);
			if (errno != 0 || *end != '\0' || frames < 1)
				return ctl_usage_error("stats", "--frames: a "
				    "count");
			break;
		default:
			if (ctl_target_option(&t, ch, optarg) == -1)
				return ctl_usage_error("stats", NULL);
		}
	}
	if (optind != argc)
		return ctl_usage_error("stats", "no arguments expected");
	if (every > 0 && (from != NULL || to != NULL || by != BY_NONE))
		return ctl_usage_error("stats", "--watch shows today: no "
		    "--from, --to or --by with it");
	if ((c = ctl_target_connect(&t, &rc)) == NULL)
		return rc;
	rc = CTL_EXIT_ERROR;
	if (every > 0) {
		rc = watch(c, (int)every, frames);
		client_close(c);
		return rc;
	}
	params = json_pack("{s:s?, s:s?}", "from", from, "to", to);
	res = client_call(c, "stats.summary", params, &code, &data, &err);
	json_decref(params);
	if (res == NULL) {
		ctl_print_error("stats", err, data);
		rc = code == -32602 ? CTL_EXIT_USAGE : CTL_EXIT_ERROR;
		goto out;
	}
	if (by == BY_HOUR || by == BY_DAY) {
		max = by == BY_HOUR ? DAYS_MAX : DAYS_MAX;
		if (date_range(str(res, "from"), str(res, "to"), dates, max,
		    &ndays) == -1) {
			fprintf(stderr, "hotlinectl stats: --by %s shows at "
			    "most %d days\n", by == BY_HOUR ? "hour" : "day",
			    DAYS_MAX);
			rc = CTL_EXIT_USAGE;
			ndays = 0;
			goto out;
		}
		for (i = 0; i < ndays; i++) {
			params = by == BY_HOUR ? json_pack("{s:s}", "date",
			    dates[i]) : json_pack("{s:s, s:s}", "from",
			    dates[i], "to", dates[i]);
			days[i] = client_call(c, by == BY_HOUR ?
			    "stats.hourly" : "stats.summary", params, &code,
			    &data, &err);
			json_decref(params);
			if (days[i] == NULL) {
				ctl_print_error("stats", err, data);
				ndays = i;
				goto out;
			}
		}
	}
	if (fmt == FMT_JSON) {
		/* One JSON document, whatever the view. */
		if (by == BY_HOUR || by == BY_DAY) {
			out = json_array();
			for (i = 0; i < ndays; i++)
				json_array_append(out, days[i]);
			out = json_pack("{s:s, s:s, s:s, s:o, s:O}", "from",
			    str(res, "from"), "to", str(res, "to"), "tz",
			    str(res, "tz"), "days", out, "total", res);
			print_json(out);
			json_decref(out);
		} else if (by == BY_ORG)
			print_json(json_object_get(res, "by_org"));
		else if (by == BY_CLIENT)
			print_json(json_object_get(res, "by_client"));
		else
			print_json(res);
	} else if (by == BY_HOUR)
		print_hours(days, ndays, fmt);
	else if (by == BY_DAY)
		print_days(days, ndays, res, fmt);
	else if (by == BY_ORG)
		print_orgs(res, fmt);
	else if (by == BY_CLIENT)
		print_clients(res, fmt);
	else
		print_summary(res, fmt);
	rc = CTL_EXIT_OK;
out:
	for (i = 0; i < ndays; i++)
		json_decref(days[i]);
	json_decref(res);
	free(err);
	client_close(c);
	return rc;
}

/* One line of a table: the note with its line ends as spaces, cut. */
static void
print_note(const char *note, int cols)
{
	char	buf[4 * 500 + 1];
	size_t	i;

	snprintf(buf, sizeof buf, "%s", note);
	for (i = 0; buf[i] != '\0'; i++)
		if (buf[i] == '\n' || buf[i] == '\t' || buf[i] == '\r')
			buf[i] = ' ';
	print_cell(buf, cols);
}

static void
print_alerts(json_t *r)
{
	json_t		*a;
	const char	*by;
	char		 who[80];
	size_t		 i;

	printf("%6s  %-25s  %-20s %6s %8s  %s\n", "id", "time", "client",
	    "count", "window_s", "state");
	json_array_foreach(json_object_get(r, "alerts"), i, a) {
		by = json_string_value(json_object_get(a, "acked_by"));
		snprintf(who, sizeof who, "%s (%s)", str(a, "client"),
		    str(a, "role"));
		printf("%6lld  %-25s  ", num(a, "id"), str(a, "time"));
		print_cell(who, 20);
		printf(" %6lld %8lld  %s%s\n", num(a, "count"), num(a,
		    "window_s"), by != NULL ? "acked" : "OPEN",
		    json_is_true(json_object_get(a, "suspended")) ?
		    ", suspended" : "");
		if (by == NULL)
			continue;
		printf("        acked by %s at %s\n        note: ", by,
		    str(a, "acked_at"));
		print_note(str(a, "note"), WIDTH - 14);
		putchar('\n');
	}
}

int
ctl_alerts(int argc, char **argv)
{
	static const struct option opts[] = {
		CTL_TARGET_OPTIONS,
		CTL_COMMON_OPTIONS,
		{ "since", required_argument, NULL, 's' },
		{ "unacked", no_argument, NULL, 'u' },
		{ "ack", required_argument, NULL, 'a' },
		{ "note", required_argument, NULL, 'n' },
		{ "format", required_argument, NULL, 'F' },
		{ NULL, 0, NULL, 0 },
	};
	struct ctl_target	 t;
	struct client		*c;
	const char		*since = NULL, *note = NULL;
	char			*err = NULL, *dump, *end;
	json_t			*params, *res, *data;
	long long		 ack = 0;
	int			 ch, code, unacked = 0, as_json = 0;
	int			 rc = CTL_EXIT_ERROR;

	ctl_target_init(&t, "alerts", stats_roles);
	while ((ch = getopt_long(argc, argv, CTL_TARGET_SHORT "s:ua:n:F:hV",
	    opts, NULL)) != -1) {
		if ((rc = ctl_help("alerts", ch)) != -1)
			return rc;
		rc = CTL_EXIT_ERROR;
		switch (ch) {
		case 's':
			since = optarg;
			break;
		case 'u':
			unacked = 1;
			break;
		case 'a':
			errno = 0;
			ack = strtoll(optarg, &end, 10);
			if (errno != 0 || *end != '\0' || end == optarg ||
			    ack < 1)
				goto usage;
			break;
		case 'n':
			note = optarg;
			break;
		case 'F':
			if (strcmp(optarg, "json") == 0)
				as_json = 1;
			else if (strcmp(optarg, "table") != 0)
				goto usage;
			break;
		default:
			if (ctl_target_option(&t, ch, optarg) == -1)
				goto usage;
		}
	}
	/* An ack says what was found: --ack and --note go together. */
	if (optind != argc || (ack != 0) != (note != NULL) ||
	    (ack != 0 && (since != NULL || unacked)))
		goto usage;
	if ((c = ctl_target_connect(&t, &rc)) == NULL)
		return rc;
	rc = CTL_EXIT_ERROR;
	if (ack != 0) {
		params = json_pack("{s:I, s:s}", "id", (json_int_t)ack, "note",
		    note);
		res = client_call(c, "alerts.ack", params, &code, &data, &err);
	} else {
		params = json_pack("{s:s?, s:b}", "since", since, "unacked",
		    unacked);
		res = client_call(c, "alerts.list", params, &code, &data, &err);
	}
	json_decref(params);
	if (res == NULL) {
		ctl_print_error("alerts", err, data);
		goto out;
	}
	if (as_json) {
		dump = json_dumps(res, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		printf("%s\n", dump ? dump : "");
		free(dump);
	} else if (ack != 0)
		printf("alert %lld acknowledged by %s at %s\n", num(res, "id"),
		    str(res, "acked_by"), str(res, "acked_at"));
	else
		print_alerts(res);
	rc = CTL_EXIT_OK;
out:
	json_decref(res);
	free(err);
	client_close(c);
	return rc;
usage:
	return ctl_usage_error("alerts", NULL);
}

int
ctl_audit(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "conf", required_argument, NULL, 'c' },
		{ "checkpoint", required_argument, NULL, 'k' },
		CTL_COMMON_OPTIONS,
		{ NULL, 0, NULL, 0 },
	};
	struct audit_report	 r;
	struct config		*conf;
	struct store		*s;
	const char		*conf_path = NULL, *checkpoint = NULL;
	char			*err = NULL, n[32];
	int			 ch, rc;

	while ((ch = getopt_long(argc, argv, "c:k:hV", opts, NULL)) != -1) {
		if ((rc = ctl_help("audit", ch)) != -1)
			return rc;
		switch (ch) {
		case 'c':
			conf_path = optarg;
			break;
		case 'k':
			checkpoint = optarg;
			break;
		default:
			goto usage;
		}
	}
	if (optind + 1 != argc || strcmp(argv[optind], "verify") != 0)
		goto usage;
	if ((conf_path = ctl_conf_path(conf_path, 1)) == NULL)
		return ctl_usage_error("audit", "-c conf (or $HOTLINE_CONF) "
		    "needed");
	if ((conf = ctl_load_conf(conf_path)) == NULL)
		return CTL_EXIT_ERROR;
	rc = CTL_EXIT_ERROR;
	if ((s = store_open(conf->data_dir, 0, 1, &err)) == NULL) {
		fprintf(stderr, "hotlinectl audit: %s\n", err);
		free(err);
		config_free(conf);
		return CTL_EXIT_ERROR;
	}
	if (store_audit_verify(s, checkpoint, &r) == -1)
		fprintf(stderr, "hotlinectl audit: cannot read the audit "
		    "log\n");
	else if (r.ok) {
		printf("audit log OK: %s entries, head %lld:%s\n",
		    ctl_thousands(r.entries, n, sizeof n),
		    (long long)r.entries, r.head);
		rc = CTL_EXIT_OK;
	} else if (r.bad_entry == 0) {
		fprintf(stderr, "hotlinectl audit: %s\n", r.reason);
		rc = CTL_EXIT_USAGE;
	} else {
		printf("audit log BROKEN at entry %lld: %s\n",
		    (long long)r.bad_entry, r.reason);
		rc = CTL_EXIT_NO;
	}
	store_close(s);
	config_free(conf);
	return rc;
usage:
	return ctl_usage_error("audit", NULL);
}
