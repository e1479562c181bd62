/*
 * Logging for hotlined and hotlinectl. Lines go to stderr, or to
 * syslog(3) with the conf's facility. libevent's own messages are routed
 * here too, so that one threshold governs everything the daemon says.
 *
 * On stderr a line starts with the local time of the process's time zone
 * (the conf's hours.time_zone, which hours and statistics use too) and its
 * UTC offset, so that a log line and a statistics hour are read alike.
 * Under journald (JOURNAL_STREAM names our stderr) the journal stamps each
 * line itself: the line carries no time then, only a "<N>" priority prefix
 * that journald turns into the entry's level.
 */
#include <sys/stat.h>

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "log.h"

static enum log_level	 log_level = LOG_LEVEL_INFO;
static enum log_target	 log_target = LOG_TARGET_STDERR;
static const char	*log_ident = "hotline";
static int		 log_facility = LOG_DAEMON;
static int		 log_journal = -1;	/* -1: not checked yet */

static const struct {
	const char	*name;
	int		 facility;
} log_facilities[] = {
	{ "daemon", LOG_DAEMON }, { "user", LOG_USER }, { "auth", LOG_AUTH },
	{ "authpriv", LOG_AUTHPRIV }, { "local0", LOG_LOCAL0 },
	{ "local1", LOG_LOCAL1 }, { "local2", LOG_LOCAL2 },
	{ "local3", LOG_LOCAL3 }, { "local4", LOG_LOCAL4 },
	{ "local5", LOG_LOCAL5 }, { "local6", LOG_LOCAL6 },
	{ "local7", LOG_LOCAL7 },
};

static void log_vwrite(int, const char *, const char *, va_list)
    __attribute__((format(printf, 3, 0)));
static void log_event_cb(int, const char *);

void
log_init(const char *ident, enum log_level level, enum log_target target)
{
	log_ident = ident;
	log_level = level;
	if (log_target == LOG_TARGET_SYSLOG && target != LOG_TARGET_SYSLOG)
		closelog();
	log_target = target;
	if (target == LOG_TARGET_SYSLOG)
		openlog(ident, LOG_PID | LOG_NDELAY, log_facility);
	event_set_log_callback(log_event_cb);
}

void
log_set_level(enum log_level level)
{
	log_level = level;
}

int
log_facility_parse(const char *s, int *out)
{
	size_t	i;

	for (i = 0; i < sizeof log_facilities / sizeof log_facilities[0]; i++)
		if (strcasecmp(s, log_facilities[i].name) == 0) {
			*out = log_facilities[i].facility;
			return 0;
		}
	return -1;
}

void
log_set_facility(int facility)
{
	log_facility = facility;
}

/*
 * systemd sets JOURNAL_STREAM to "device:inode" of the stream it connects
 * to stdout/stderr; it counts only if stderr is still that stream.
 */
static int
log_to_journal(void)
{
	struct stat		 st;
	const char		*env;
	unsigned long long	 dev, ino;

	if ((env = getenv("JOURNAL_STREAM")) == NULL ||
	    sscanf(env, "%llu:%llu", &dev, &ino) != 2 ||
	    fstat(STDERR_FILENO, &st) == -1)
		return 0;
	return (unsigned long long)st.st_dev == dev &&
	    (unsigned long long)st.st_ino == ino;
}

int
log_level_parse(const char *s, enum log_level *out)
{
	if (strcasecmp(s, "warn") == 0 || strcasecmp(s, "warning") == 0)
		*out = LOG_LEVEL_WARN;
	else if (strcasecmp(s, "info") == 0)
		*out = LOG_LEVEL_INFO;
	else if (strcasecmp(s, "debug") == 0)
		*out = LOG_LEVEL_DEBUG;
	else
		return -1;
	return 0;
}

static void
log_vwrite(int prio, const char *suffix, const char *fmt, va_list ap)
{
	char		 msg[2048];
	const char	*tag;
	struct timespec	 ts;
	struct tm	 tm;
	char		 when[48], zone[8];

	vsnprintf(msg, sizeof msg, fmt, ap);
	if (log_target == LOG_TARGET_SYSLOG) {
		if (suffix != NULL)
			syslog(prio, "%s: %s", msg, suffix);
		else
			syslog(prio, "%s", msg);
		return;
	}
	switch (prio) {
	case LOG_CRIT:
		tag = "fatal";
		break;
	case LOG_WARNING:
		tag = "warning";
		break;
	case LOG_DEBUG:
		tag = "debug";
		break;
	case LOG_NOTICE:
		tag = "notice";
		break;
	default:
		tag = "info";
		break;
	}
	if (log_journal == -1)
		log_journal = log_to_journal();
	if (log_journal) {
		/* sd-daemon(3)'s prefix: the journal keeps the level. */
		if (suffix != NULL)
			fprintf(stderr, "<%d>%s: %s: %s\n", prio, tag, msg,
			    suffix);
		else
			fprintf(stderr, "<%d>%s: %s\n", prio, tag, msg);
		return;
	}
	clock_gettime(CLOCK_REALTIME, &ts);
	localtime_r(&ts.tv_sec, &tm);
	strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%S", &tm);
	strftime(zone, sizeof zone, "%z", &tm);
	/* +0900 -> +09:00, as ISO 8601 and the statistics answers write it. */
	snprintf(when + strlen(when), sizeof when - strlen(when),
	    ".%03ld%.3s:%.2s", ts.tv_nsec / 1000000, zone, zone + 3);
	if (suffix != NULL)
		fprintf(stderr, "%s %s %s: %s: %s\n", when, log_ident, tag,
		    msg, suffix);
	else
		fprintf(stderr, "%s %s %s: %s\n", when, log_ident, tag, msg);
}

void
log_warn(const char *fmt, ...)
{
	va_list	ap;
	int	saved = errno;

	va_start(ap, fmt);
	log_vwrite(LOG_WARNING, strerror(saved), fmt, ap);
	va_end(ap);
	errno = saved;
}

void
log_warnx(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	log_vwrite(LOG_WARNING, NULL, fmt, ap);
	va_end(ap);
}

void
log_info(const char *fmt, ...)
{
	va_list	ap;

	if (log_level < LOG_LEVEL_INFO)
		return;
	va_start(ap, fmt);
	log_vwrite(LOG_INFO, NULL, fmt, ap);
	va_end(ap);
}

void
log_notice(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	log_vwrite(LOG_NOTICE, NULL, fmt, ap);
	va_end(ap);
}

void
log_debug(const char *fmt, ...)
{
	va_list	ap;

	if (log_level < LOG_LEVEL_DEBUG)
		return;
	va_start(ap, fmt);
	log_vwrite(LOG_DEBUG, NULL, fmt, ap);
	va_end(ap);
}

void
fatalx(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	log_vwrite(LOG_CRIT, NULL, fmt, ap);
	va_end(ap);
	exit(1);
}

/* libevent's severities mapped onto ours. */
static void
log_event_cb(int severity, const char *msg)
{
	switch (severity) {
	case EVENT_LOG_DEBUG:
		log_debug("libevent: %s", msg);
		break;
	case EVENT_LOG_MSG:
		log_info("libevent: %s", msg);
		break;
	default:
		log_warnx("libevent: %s", msg);
		break;
	}
}

const char *
log_mask_phone(const char *phone, char out[LOG_MASKED_PHONE_MAX])
{
	size_t	len, i, keep;

	if (phone == NULL || *phone == '\0') {
		snprintf(out, LOG_MASKED_PHONE_MAX, "-");
		return out;
	}
	len = strlen(phone);
	if (len >= LOG_MASKED_PHONE_MAX)
		len = LOG_MASKED_PHONE_MAX - 1;
	/* Fewer than 8 characters would reveal too much of a short value. */
	keep = len >= 8 ? 4 : 0;
	for (i = 0; i < len - keep; i++)
		out[i] = '*';
	memcpy(out + len - keep, phone + strlen(phone) - keep, keep);
	out[len] = '\0';
	return out;
}
