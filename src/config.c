/*
 * Configuration: libconfig parses, this file validates. Every scalar key is
 * a row of conf_keys[] (type, range, where it goes, what it means); the two
 * lists (clients, dnis) have their own checks. All problems are collected
 * and reported as "file:line: message", and unknown keys are errors too: a
 * typo in a limit must not silently leave the default in force.
 */
#include <sys/socket.h>
#include <sys/stat.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <ctype.h>
#include <libgen.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <libconfig.h>

#include "config.h"
#include "normalize.h"
#include "version.h"

enum conf_type {
	CONF_INT,
	CONF_STRING,
	CONF_STRING_EMPTY, /* a string that may be empty */
	CONF_BOOL,
	CONF_PATH,	/* a string, made absolute against the conf's directory */
	CONF_SPECIAL,	/* a string handed to a parse function */
};

typedef const char *(*conf_parse_fn)(struct config *, const char *);

struct conf_key {
	const char	*path;
	enum conf_type	 type;
	long		 min, max;	/* CONF_INT range */
	size_t		 offset;	/* into struct config, -1 for SPECIAL */
	conf_parse_fn	 parse;
	const char	*help;
};

static const char *parse_sync(struct config *, const char *);
static const char *parse_lang(struct config *, const char *);
static const char *parse_open(struct config *, const char *);
static const char *parse_close(struct config *, const char *);
static const char *parse_time_zone(struct config *, const char *);
static const char *parse_log_level(struct config *, const char *);
static const char *parse_op_open(struct config *, const char *);
static const char *parse_op_close(struct config *, const char *);
static const char *parse_log_target(struct config *, const char *);
static const char *parse_log_facility(struct config *, const char *);
static const char *parse_key_file(struct config *, const char *);
static const char *parse_http_address(struct config *, const char *);
static const char *parse_tls_cert(struct config *, const char *);
static const char *parse_tls_key(struct config *, const char *);
static const char *parse_fa_address(struct config *, const char *);
static const char *parse_fa_tts_app(struct config *, const char *);
static const char *parse_fa_queue_app(struct config *, const char *);
static int	config_role_parse(const char *, enum role *);

#define OFF(f)	offsetof(struct config, f)
#define NOOFF	((size_t)-1)

static const struct conf_key conf_keys[] = {
	{ "listen.address", CONF_STRING, 0, 0, OFF(listen_address), NULL,
	  "address to listen on" },
	{ "listen.port", CONF_INT, 0, 65535, OFF(listen_port), NULL,
	  "TCP port (0: any free port, logged at start)" },
	{ "data_dir", CONF_PATH, 0, 0, OFF(data_dir), NULL,
	  "directory of affected.db, hotline.db and the key" },
	{ "key_file", CONF_SPECIAL, 0, 0, NOOFF, parse_key_file,
	  "32-byte key file, mode 0600, or \"credential:NAME\"" },
	{ "pid_file", CONF_PATH, 0, 0, OFF(pid_file), NULL,
	  "file hotlined writes its process id to (default: none)" },
	{ "prompts_dir", CONF_PATH, 0, 0, OFF(prompts_dir), NULL,
	  "directory holding prompts/<lang>/" },
	{ "storage.synchronous", CONF_SPECIAL, 0, 0, NOOFF, parse_sync,
	  "\"normal\" or \"full\"" },
	{ "service.name", CONF_STRING, 0, 0, OFF(service_name), NULL,
	  "the hotline's name as said in prompts" },
	{ "service.hotline_number", CONF_STRING, 0, 0, OFF(hotline_number),
	  NULL, "the hotline's phone number as said in prompts" },
	{ "service.lang", CONF_SPECIAL, 0, 0, NOOFF, parse_lang,
	  "default language, \"ja\" or \"en\"" },
	{ "limits.max_line", CONF_INT, 256, 1048576, OFF(max_line), NULL,
	  "longest request line in bytes" },
	{ "limits.idle_timeout_s", CONF_INT, 1, 86400, OFF(idle_timeout_s),
	  NULL, "seconds of silence before a connection is closed" },
	{ "limits.max_connections", CONF_INT, 1, 1000000,
	  OFF(max_connections), NULL, "connections at once" },
	{ "limits.max_batch", CONF_INT, 1, 10000, OFF(max_batch), NULL,
	  "requests in one batch" },
	{ "limits.max_output", CONF_INT, 65536, 1073741824, OFF(max_output),
	  NULL, "unsent reply bytes before a connection stops being read" },
	{ "limits.max_output_total", CONF_INT, 1048576, 2147483647,
	  OFF(max_output_total), NULL, "unsent reply bytes of all "
	  "connections before the largest stop being read" },
	{ "limits.line_timeout_s", CONF_INT, 1, 3600, OFF(line_timeout_s),
	  NULL, "seconds a request line may take to arrive whole" },
	{ "hours.open", CONF_SPECIAL, 0, 0, NOOFF, parse_open,
	  "opening time, HH:MM" },
	{ "hours.close", CONF_SPECIAL, 0, 0, NOOFF, parse_close,
	  "closing time, HH:MM" },
	{ "hours.time_zone", CONF_SPECIAL, 0, 0, NOOFF, parse_time_zone,
	  "time zone of the hours and statistics, e.g. Asia/Tokyo" },
	{ "ivr.max_attempts", CONF_INT, 1, 10, OFF(ivr_max_attempts), NULL,
	  "failed inputs of one field before the call goes to an operator" },
	{ "ivr.digit_timeout_ms", CONF_INT, 1000, 60000,
	  OFF(ivr_digit_timeout_ms), NULL,
	  "how long the gateway waits for digits" },
	{ "ivr.operator_queue", CONF_STRING_EMPTY, 0, 0,
	  OFF(ivr_operator_queue), NULL,
	  "operator queue for transfers; \"\" when there is none" },
	{ "ivr.operator_open", CONF_SPECIAL, 0, 0, NOOFF, parse_op_open,
	  "operators' first minute, HH:MM (default: hours.open)" },
	{ "ivr.operator_close", CONF_SPECIAL, 0, 0, NOOFF, parse_op_close,
	  "operators' end, HH:MM (default: hours.close)" },
	{ "ivr.daily_lookups_per_caller", CONF_INT, 1, 1000,
	  OFF(ivr_daily_lookups), NULL,
	  "lookups one caller ID may make in 24 hours" },
	{ "ivr.session_timeout_s", CONF_INT, 10, 86400,
	  OFF(session_timeout_s), NULL,
	  "a session without events this long is closed as abandoned" },
	{ "ivr.max_sessions", CONF_INT, 1, 1000000, OFF(max_sessions), NULL,
	  "open IVR sessions at once" },
	{ "rate.lookups_per_s", CONF_INT, 0, 1000000,
	  OFF(rate_lookups_per_s), NULL,
	  "lookups a second one client may make (0: no limit)" },
	{ "rate.burst", CONF_INT, 1, 1000000, OFF(rate_burst), NULL,
	  "lookups a client may make at once above that rate" },
	{ "alerts.window_s", CONF_INT, 60, 86400 * 7, OFF(alert_window_s),
	  NULL, "the rolling window of bulk-lookup detection" },
	{ "alerts.threshold", CONF_INT, 1, 100000000, OFF(alert_threshold),
	  NULL, "lookups and searches of one client in the window that "
	  "raise an alert" },
	{ "alerts.suspend", CONF_BOOL, 0, 0, OFF(alert_suspend), NULL,
	  "suspend a client that raises an alert until admin.client_enable" },
	{ "operator.ref_lifetime_s", CONF_INT, 10, 86400, OFF(ref_lifetime_s),
	  NULL, "how long a search result's ref stays valid" },
	{ "operator.max_refs", CONF_INT, 1000, 10000000, OFF(max_refs), NULL,
	  "refs kept at once; the oldest go first" },
	{ "audit.enabled", CONF_BOOL, 0, 0, OFF(audit_enabled), NULL,
	  "keep the audit log (off only to measure its cost)" },
	{ "audit.checkpoint_every", CONF_INT, 1, 100000000,
	  OFF(audit_checkpoint_every), NULL,
	  "audit entries between checkpoint lines in the log" },
	{ "log.level", CONF_SPECIAL, 0, 0, NOOFF, parse_log_level,
	  "\"warn\", \"info\" or \"debug\"" },
	{ "log.target", CONF_SPECIAL, 0, 0, NOOFF, parse_log_target,
	  "\"stderr\" or \"syslog\"" },
	{ "log.facility", CONF_SPECIAL, 0, 0, NOOFF, parse_log_facility,
	  "syslog facility: daemon, user, auth, authpriv, local0-local7" },
	{ "http.address", CONF_SPECIAL, 0, 0, NOOFF, parse_http_address,
	  "IP address of the HTTP listener (not loopback: TLS required)" },
	{ "http.port", CONF_INT, 0, 65535, OFF(http_port), NULL,
	  "HTTP port (0: any free port, logged at start)" },
	{ "http.tls_cert", CONF_SPECIAL, 0, 0, NOOFF, parse_tls_cert,
	  "PEM certificate chain for HTTPS (\"\": plain HTTP)" },
	{ "http.tls_key", CONF_SPECIAL, 0, 0, NOOFF, parse_tls_key,
	  "PEM private key of tls_cert" },
	{ "http.web_dir", CONF_PATH, 0, 0, OFF(http_web_dir), NULL,
	  "directory of the pages (index.html, desk.html, wallboard.html)" },
	{ "http.max_header_bytes", CONF_INT, 1024, 1048576,
	  OFF(http_max_header_bytes), NULL,
	  "request line and headers of one request, in bytes" },
	{ "http.max_body_bytes", CONF_INT, 1024, 16777216,
	  OFF(http_max_body_bytes), NULL,
	  "body of one request (a JSON-RPC request or batch), in bytes" },
	{ "http.max_connections", CONF_INT, 1, 100000,
	  OFF(http_max_connections), NULL,
	  "HTTP connections at once; more wait to be accepted" },
	{ "http.idle_timeout_s", CONF_INT, 1, 3600, OFF(http_idle_timeout_s),
	  NULL, "seconds without a byte before a connection is closed" },
	{ "http.request_timeout_s", CONF_INT, 1, 3600,
	  OFF(http_request_timeout_s), NULL,
	  "seconds one request may take to arrive whole" },
	{ "http.session_lifetime_s", CONF_INT, 1, 604800,
	  OFF(http_session_lifetime_s), NULL,
	  "a web session ends this long after its sign-in" },
	{ "http.session_idle_s", CONF_INT, 1, 604800, OFF(http_session_idle_s),
	  NULL, "a web session ends after this long without a request" },
	{ "http.max_sessions", CONF_INT, 1, 100000, OFF(http_max_sessions),
	  NULL, "web sessions at once; a sign-in beyond is refused" },
	{ "http.access_log", CONF_BOOL, 0, 0, OFF(http_access_log), NULL,
	  "log one line per HTTP response (no personal data)" },
	{ "fastagi.address", CONF_SPECIAL, 0, 0, NOOFF, parse_fa_address,
	  "IP address the FastAGI listener binds" },
	{ "fastagi.port", CONF_INT, 0, 65535, OFF(fastagi_port), NULL,
	  "FastAGI TCP port (4573 is Asterisk's; 0: any free port, logged)" },
	{ "fastagi.tts_app", CONF_SPECIAL, 0, 0, NOOFF, parse_fa_tts_app,
	  "dialplan application that speaks a text; \"\": the recordings" },
	{ "fastagi.queue_app", CONF_SPECIAL, 0, 0, NOOFF, parse_fa_queue_app,
	  "dialplan application a transfer runs with the operator queue" },
	{ "fastagi.client", CONF_STRING, 0, 0, OFF(fastagi_client), NULL,
	  "the gateway client of clients that FastAGI calls count as" },
	{ "fastagi.max_calls", CONF_INT, 1, 1000000, OFF(fastagi_max_calls),
	  NULL, "FastAGI connections at once" },
	{ "fastagi.env_timeout_s", CONF_INT, 1, 600,
	  OFF(fastagi_env_timeout_s), NULL,
	  "seconds the agi_* environment block may take to arrive" },
	{ "fastagi.reply_timeout_s", CONF_INT, 5, 86400,
	  OFF(fastagi_reply_timeout_s), NULL,
	  "seconds Asterisk may take to answer a command (a prompt plays "
	  "meanwhile; a question adds its digit timeout)" },
	{ "fastagi.transfer_timeout_s", CONF_INT, 5, 7 * 86400,
	  OFF(fastagi_transfer_timeout_s), NULL,
	  "seconds a call may stay with the queue application before "
	  "hotline closes its connection" },
};

/* Keys that are not scalars: checked by their own functions. */
static const char *conf_special_keys[] = { "hours.days", "clients", "dnis",
	"fastagi.allow" };

static const char *day_names[7] = {
	"sun", "mon", "tue", "wed", "thu", "fri", "sat"
};

struct conf_errors {
	const char	*file;
	char		*text;
	size_t		 len;
	int		 count;
};

static void	conf_error(struct conf_errors *, int, const char *, ...)
		    __attribute__((format(printf, 3, 4)));
static void	config_defaults(struct config *);
static int	config_set_string(char **, const char *);
static char	*config_resolve(const char *, const char *);
static void	config_walk(config_setting_t *, const char *,
		    struct conf_errors *);
static void	config_scalars(config_t *, struct config *,
		    struct conf_errors *);
static void	config_days(config_t *, struct config *, struct conf_errors *);
static void	config_clients(config_t *, struct config *,
		    struct conf_errors *);
static void	config_dnis(config_t *, struct config *, struct conf_errors *);
static void	config_fastagi(config_t *, struct config *,
		    struct conf_errors *);
static int	config_net_parse(const char *, struct conf_net *);
static const char *member_string(config_setting_t *, const char *, int *);

static void
conf_error(struct conf_errors *e, int line, const char *fmt, ...)
{
	char	 msg[512];
	char	*p;
	int	 n;
	va_list	 ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	n = snprintf(NULL, 0, "%s:%d: %s\n", e->file, line, msg);
	if ((p = realloc(e->text, e->len + (size_t)n + 1)) == NULL)
		return;
	e->text = p;
	snprintf(e->text + e->len, (size_t)n + 1, "%s:%d: %s\n", e->file,
	    line, msg);
	e->len += (size_t)n;
	e->count++;
}

/* Every default in one place; conf/hotline.conf shows the same values. */
static void
config_defaults(struct config *c)
{
	config_set_string(&c->listen_address, "127.0.0.1");
	c->listen_port = 7411;
	config_set_string(&c->data_dir, HOTLINE_DATA_DIR);
	config_set_string(&c->prompts_dir, HOTLINE_PROMPTS_DIR);
	c->sync_full = 0;
	config_set_string(&c->service_name, "情報流出専用ダイヤル");
	config_set_string(&c->hotline_number, "0120-000-000");
	config_set_string(&c->default_lang, "ja");
	c->max_line = 16384;
	c->idle_timeout_s = 300;
	c->max_connections = 10000;
	c->max_batch = 100;
	c->max_output = 4 * 1024 * 1024;
	c->max_output_total = 256 * 1024 * 1024;
	c->line_timeout_s = 30;
	config_set_string(&c->time_zone, "Asia/Tokyo");
	c->open_min = 9 * 60;
	c->close_min = 20 * 60;
	c->days_mask = 0x7f;
	c->log_level = LOG_LEVEL_INFO;
	c->log_target = LOG_TARGET_STDERR;
	c->log_facility = LOG_FACILITY_DEFAULT;
	c->ivr_max_attempts = 3;
	c->ivr_digit_timeout_ms = 10000;
	config_set_string(&c->ivr_operator_queue, "operators");
	c->ivr_operator_open_min = -1;	/* hours.open, once it is known */
	c->ivr_operator_close_min = -1;
	c->ivr_daily_lookups = 5;
	c->session_timeout_s = 1800;
	c->max_sessions = 20000;
	c->rate_lookups_per_s = 200;
	c->rate_burst = 400;
	c->alert_window_s = 3600;
	c->alert_threshold = 1000;
	c->alert_suspend = 0;
	c->ref_lifetime_s = 900;
	c->max_refs = 100000;
	c->audit_enabled = 1;
	c->audit_checkpoint_every = 10000;
	config_set_string(&c->http_address, "127.0.0.1");
	c->http_port = 7480;
	config_set_string(&c->http_tls_cert, "");
	config_set_string(&c->http_tls_key, "");
	config_set_string(&c->http_web_dir, HOTLINE_WEB_DIR);
	c->http_max_header_bytes = 8192;
	c->http_max_body_bytes = 16384;	/* limits.max_line's default */
	c->http_max_connections = 1000;
	c->http_idle_timeout_s = 60;
	c->http_request_timeout_s = 10;
	c->http_session_lifetime_s = 8 * 3600;
	c->http_session_idle_s = 30 * 60;
	c->http_max_sessions = 1000;
	c->http_access_log = 1;
	c->fastagi = 0;
	config_set_string(&c->fastagi_address, "127.0.0.1");
	c->fastagi_port = 4573;
	if ((c->fastagi_allow = calloc(2, sizeof *c->fastagi_allow)) != NULL) {
		config_net_parse("127.0.0.1", &c->fastagi_allow[0]);
		config_net_parse("::1", &c->fastagi_allow[1]);
		c->fastagi_nallow = 2;
	}
	config_set_string(&c->fastagi_tts_app, "");
	config_set_string(&c->fastagi_queue_app, "Queue");
	c->fastagi_max_calls = 1000;
	c->fastagi_env_timeout_s = 10;
	c->fastagi_reply_timeout_s = 300;
	c->fastagi_transfer_timeout_s = 4 * 3600;
}

static int
config_set_string(char **dst, const char *s)
{
	char	*p;

	if ((p = strdup(s)) == NULL)
		return -1;
	free(*dst);
	*dst = p;
	return 0;
}

/* Relative paths in the conf are relative to the conf file's directory. */
static char *
config_resolve(const char *conf_path, const char *p)
{
	char	*copy, *dir, *out;

	if (p[0] == '/' || p[0] == '\0')
		return strdup(p);
	if ((copy = strdup(conf_path)) == NULL)
		return NULL;
	dir = dirname(copy);
	if (asprintf(&out, "%s/%s", dir, p) == -1)
		out = NULL;
	free(copy);
	return out;
}

static const char *
parse_sync(struct config *c, const char *s)
{
	if (strcmp(s, "normal") == 0)
		c->sync_full = 0;
	else if (strcmp(s, "full") == 0)
		c->sync_full = 1;
	else
		return "must be \"normal\" or \"full\"";
	return NULL;
}

static const char *
parse_lang(struct config *c, const char *s)
{
	if (strcmp(s, "ja") != 0 && strcmp(s, "en") != 0)
		return "must be \"ja\" or \"en\"";
	return config_set_string(&c->default_lang, s) == 0 ? NULL :
	    "out of memory";
}

/* "HH:MM" -> minutes after midnight; 24:00 allowed as a closing time. */
static int
parse_hhmm(const char *s)
{
	int	h, m;

	if (strlen(s) != 5 || !isdigit((unsigned char)s[0]) ||
	    !isdigit((unsigned char)s[1]) || s[2] != ':' ||
	    !isdigit((unsigned char)s[3]) || !isdigit((unsigned char)s[4]))
		return -1;
	h = (s[0] - '0') * 10 + (s[1] - '0');
	m = (s[3] - '0') * 10 + (s[4] - '0');
	if (m > 59 || h > 24 || (h == 24 && m != 0))
		return -1;
	return h * 60 + m;
}

static const char *
parse_open(struct config *c, const char *s)
{
	if ((c->open_min = parse_hhmm(s)) == -1)
		return "must be a time HH:MM";
	return NULL;
}

static const char *
parse_close(struct config *c, const char *s)
{
	if ((c->close_min = parse_hhmm(s)) == -1)
		return "must be a time HH:MM";
	return NULL;
}

/*
 * An unknown TZ name silently means UTC to the C library, which would shift
 * business hours and statistics by hours: so the zone file must exist.
 */
static const char *
parse_time_zone(struct config *c, const char *s)
{
	const char	*dir;
	char		 path[PATH_MAX];

	if (*s == '\0' || strstr(s, "..") != NULL || s[0] == '/')
		return "must be a zone name such as \"Asia/Tokyo\"";
	if ((dir = getenv("TZDIR")) == NULL)
		dir = "/usr/share/zoneinfo";
	snprintf(path, sizeof path, "%s/%s", dir, s);
	if (access(path, R_OK) == -1)
		return "unknown time zone (no zone file; is tzdata installed?)";
	return config_set_string(&c->time_zone, s) == 0 ? NULL :
	    "out of memory";
}

static const char *
parse_op_open(struct config *c, const char *s)
{
	if ((c->ivr_operator_open_min = parse_hhmm(s)) == -1)
		return "must be a time HH:MM";
	return NULL;
}

static const char *
parse_op_close(struct config *c, const char *s)
{
	if ((c->ivr_operator_close_min = parse_hhmm(s)) == -1)
		return "must be a time HH:MM";
	return NULL;
}

static const char *
parse_log_level(struct config *c, const char *s)
{
	if (log_level_parse(s, &c->log_level) == -1)
		return "must be \"warn\", \"info\" or \"debug\"";
	return NULL;
}

static const char *
parse_log_target(struct config *c, const char *s)
{
	if (strcmp(s, "stderr") == 0)
		c->log_target = LOG_TARGET_STDERR;
	else if (strcmp(s, "syslog") == 0)
		c->log_target = LOG_TARGET_SYSLOG;
	else
		return "must be \"stderr\" or \"syslog\"";
	return NULL;
}

static const char *
parse_log_facility(struct config *c, const char *s)
{
	if (log_facility_parse(s, &c->log_facility) == -1)
		return "must be daemon, user, auth, authpriv or local0-local7";
	return NULL;
}

/*
 * "credential:NAME" names a systemd credential (SPEC §4): the key is read
 * from $CREDENTIALS_DIRECTORY/NAME when it is needed, so it is kept as
 * written; anything else is a path, made absolute like the other paths.
 */
static const char *
parse_key_file(struct config *c, const char *s)
{
	const char	*name;
	char		*abs;

	if (*s == '\0')
		return "must not be empty (32-byte key file, or "
		    "\"credential:NAME\")";
	if (strncmp(s, CRYPTO_CREDENTIAL_PREFIX,
	    strlen(CRYPTO_CREDENTIAL_PREFIX)) == 0) {
		name = s + strlen(CRYPTO_CREDENTIAL_PREFIX);
		if (*name == '\0' || strchr(name, '/') != NULL ||
		    strcmp(name, ".") == 0 || strcmp(name, "..") == 0 ||
		    strlen(name) > 255)
			return "credential:NAME: NAME must be a credential "
			    "name, without '/'";
		return config_set_string(&c->key_file, s) == 0 ? NULL :
		    "out of memory";
	}
	if ((abs = config_resolve(c->path, s)) == NULL)
		return "out of memory";
	free(c->key_file);
	c->key_file = abs;
	return NULL;
}

/* An IP address, as the listener binds it: no host name to resolve. */
static const char *
parse_http_address(struct config *c, const char *s)
{
	struct in6_addr	a6;
	struct in_addr	a4;

	if (inet_pton(AF_INET, s, &a4) != 1 && inet_pton(AF_INET6, s,
	    &a6) != 1)
		return "must be an IPv4 or IPv6 address, e.g. \"127.0.0.1\"";
	return config_set_string(&c->http_address, s) == 0 ? NULL :
	    "out of memory";
}

/* A path made absolute like the others, or "" for none. */
static const char *
parse_optional_path(struct config *c, char **dst, const char *s)
{
	char	*abs;

	if ((abs = config_resolve(c->path, s)) == NULL)
		return "out of memory";
	free(*dst);
	*dst = abs;
	return NULL;
}

static const char *
parse_tls_cert(struct config *c, const char *s)
{
	return parse_optional_path(c, &c->http_tls_cert, s);
}

static const char *
parse_tls_key(struct config *c, const char *s)
{
	return parse_optional_path(c, &c->http_tls_key, s);
}

/* 127.0.0.0/8, ::1 and ::ffff:127.0.0.0/104: this machine only. */
static int
address_is_loopback(const char *s)
{
	struct in6_addr	a6;
	struct in_addr	a4;

	if (inet_pton(AF_INET, s, &a4) == 1)
		return (ntohl(a4.s_addr) >> 24) == 127;
	if (inet_pton(AF_INET6, s, &a6) != 1)
		return 0;
	if (IN6_IS_ADDR_LOOPBACK(&a6))
		return 1;
	return IN6_IS_ADDR_V4MAPPED(&a6) && a6.s6_addr[12] == 127;
}

/*
 * The http section as a whole (SPEC §6.4): tokens and what callers say
 * must not cross a network in the clear, so an address other than
 * loopback needs TLS; a certificate needs its key; the key must not be
 * readable by everyone.
 */
static void
config_http(config_t *cf, struct config *c, struct conf_errors *e)
{
	config_setting_t	*s, *k;
	struct stat		 st;
	int			 line, cert, key;

	if ((s = config_lookup(cf, "http")) == NULL)
		return;
	line = config_setting_source_line(s);
	if (!config_setting_is_group(s)) {
		conf_error(e, line, "http: must be a section { address = ...; "
		    "port = ...; }");
		return;
	}
	c->http_enabled = 1;
	cert = c->http_tls_cert[0] != '\0';
	key = c->http_tls_key[0] != '\0';
	if (cert != key) {
		k = config_lookup(cf, cert ? "http.tls_cert" : "http.tls_key");
		conf_error(e, k != NULL ? (int)config_setting_source_line(k) : line,
		    "http: tls_cert and tls_key go together: %s is missing",
		    cert ? "tls_key" : "tls_cert");
	}
	if (!cert && !key && !address_is_loopback(c->http_address)) {
		k = config_lookup(cf, "http.address");
		conf_error(e, k != NULL ? (int)config_setting_source_line(k) : line,
		    "http.address: %s is not a loopback address: tls_cert and "
		    "tls_key are required (tokens and what callers say must "
		    "not cross a network in the clear)", c->http_address);
	}
	if (key && stat(c->http_tls_key, &st) == 0 && (st.st_mode & S_IROTH)) {
		k = config_lookup(cf, "http.tls_key");
		conf_error(e, k != NULL ? (int)config_setting_source_line(k) : line,
		    "http.tls_key: %s is readable by everyone (chmod o-r)",
		    c->http_tls_key);
	}
}

int
config_http_restart(const struct config *a, const struct config *b)
{
	if (a->http_enabled != b->http_enabled)
		return 1;
	if (!a->http_enabled)
		return 0;
	return strcmp(a->http_address, b->http_address) != 0 ||
	    a->http_port != b->http_port ||
	    (a->http_tls_cert[0] != '\0') != (b->http_tls_cert[0] != '\0');
}

static const char *
parse_fa_address(struct config *c, const char *s)
{
	unsigned char	buf[16];

	if (inet_pton(AF_INET, s, buf) != 1 && inet_pton(AF_INET6, s,
	    buf) != 1)
		return "must be an IP address, e.g. \"127.0.0.1\"";
	return config_set_string(&c->fastagi_address, s) == 0 ? NULL :
	    "out of memory";
}

/*
 * A dialplan application's name as EXEC takes it: hotline puts it on the
 * command line unquoted, so only what application names are made of.
 */
static int
app_name_ok(const char *s)
{
	size_t	n;

	for (n = 0; s[n] != '\0'; n++)
		if (n >= 64 || !(isalnum((unsigned char)s[n]) || s[n] == '_'))
			return 0;
	return n > 0;
}

static const char *
parse_fa_tts_app(struct config *c, const char *s)
{
	if (*s != '\0' && !app_name_ok(s))
		return "must be \"\" or an application name (letters, "
		    "digits, '_'), e.g. \"Festival\"";
	return config_set_string(&c->fastagi_tts_app, s) == 0 ? NULL :
	    "out of memory";
}

static const char *
parse_fa_queue_app(struct config *c, const char *s)
{
	if (!app_name_ok(s))
		return "must be an application name (letters, digits, '_'), "
		    "e.g. \"Queue\"";
	return config_set_string(&c->fastagi_queue_app, s) == 0 ? NULL :
	    "out of memory";
}

/* "192.0.2.1", "192.0.2.0/24", "2001:db8::/32", "::1". */
static int
config_net_parse(const char *s, struct conf_net *n)
{
	char		 buf[INET6_ADDRSTRLEN + 8], *slash, *end;
	long		 bits;
	int		 max;

	if (strlen(s) >= sizeof buf)
		return -1;
	memcpy(buf, s, strlen(s) + 1);
	memset(n, 0, sizeof *n);
	if ((slash = strchr(buf, '/')) != NULL)
		*slash++ = '\0';
	if (inet_pton(AF_INET, buf, n->addr) == 1) {
		n->family = AF_INET;
		max = 32;
	} else if (inet_pton(AF_INET6, buf, n->addr) == 1) {
		n->family = AF_INET6;
		max = 128;
	} else
		return -1;
	n->prefix = max;
	if (slash != NULL) {
		if (!isdigit((unsigned char)*slash))
			return -1;
		bits = strtol(slash, &end, 10);
		if (*end != '\0' || bits < 0 || bits > max)
			return -1;
		n->prefix = (int)bits;
	}
	return 0;
}

/*
 * The fastagi section: there or not (no section, no listener), its allow
 * list, and its client, which must be a gateway client of clients — the
 * one whose audit, limits and statistics FastAGI calls are.
 */
static void
config_fastagi(config_t *cf, struct config *c, struct conf_errors *e)
{
	config_setting_t		*sec, *s, *m;
	const struct conf_client	*cl;
	const char			*v;
	struct conf_net			*nets;
	int				 n, k, line;

	if ((sec = config_lookup(cf, "fastagi")) == NULL)
		return;
	line = config_setting_source_line(sec);
	if (!config_setting_is_group(sec)) {
		conf_error(e, line, "fastagi: must be a section { ... }");
		return;
	}
	c->fastagi = 1;
	if ((s = config_lookup(cf, "fastagi.allow")) != NULL) {
		line = config_setting_source_line(s);
		if (!config_setting_is_array(s) && !config_setting_is_list(s)) {
			conf_error(e, line, "fastagi.allow: must be a list of "
			    "addresses, e.g. [\"127.0.0.1\", \"10.0.0.0/24\"]");
			return;
		}
		n = config_setting_length(s);
		if (n == 0) {
			conf_error(e, line, "fastagi.allow: must name at least "
			    "one address (FastAGI has no authentication)");
			return;
		}
		if ((nets = calloc((size_t)n, sizeof *nets)) == NULL)
			return;
		free(c->fastagi_allow);
		c->fastagi_allow = nets;
		c->fastagi_nallow = 0;
		for (k = 0; k < n; k++) {
			m = config_setting_get_elem(s, (unsigned)k);
			if ((v = config_setting_get_string(m)) == NULL ||
			    config_net_parse(v, &nets[c->fastagi_nallow]) ==
			    -1) {
				conf_error(e, line, "fastagi.allow: element "
				    "%d: must be an IP address or a network "
				    "ADDRESS/BITS", k + 1);
				continue;
			}
			c->fastagi_nallow++;
		}
	}
	s = config_lookup(cf, "fastagi.client");
	line = s != NULL ? config_setting_source_line(s) :
	    config_setting_source_line(sec);
	if (c->fastagi_client == NULL) {
		conf_error(e, line, "fastagi.client: required (the gateway "
		    "client of clients that FastAGI calls count as)");
		return;
	}
	if ((cl = config_client(c, c->fastagi_client)) == NULL)
		conf_error(e, line, "fastagi.client: \"%s\" is not a client "
		    "of clients", c->fastagi_client);
	else if (cl->role != ROLE_GATEWAY)
		conf_error(e, line, "fastagi.client: \"%s\" must have the "
		    "role gateway, not %s", c->fastagi_client,
		    config_role_name(cl->role));
}

/* Reports every setting whose path is neither in the table nor a list. */
static void
config_walk(config_setting_t *s, const char *prefix, struct conf_errors *e)
{
	config_setting_t	*m;
	char			 path[256];
	const char		*name;
	size_t			 i;
	int			 n, k, known;

	n = config_setting_length(s);
	for (k = 0; k < n; k++) {
		m = config_setting_get_elem(s, (unsigned)k);
		if ((name = config_setting_name(m)) == NULL)
			continue;
		snprintf(path, sizeof path, "%s%s%s", prefix,
		    *prefix ? "." : "", name);
		known = 0;
		for (i = 0; i < sizeof conf_special_keys /
		    sizeof conf_special_keys[0]; i++)
			if (strcmp(path, conf_special_keys[i]) == 0)
				known = 1;
		if (known)
			continue;
		if (config_setting_is_group(m)) {
			for (i = 0; i < sizeof conf_keys / sizeof conf_keys[0];
			    i++)
				if (strncmp(conf_keys[i].path, path,
				    strlen(path)) == 0 &&
				    conf_keys[i].path[strlen(path)] == '.')
					known = 1;
			if (!known)
				conf_error(e, config_setting_source_line(m),
				    "%s: unknown section", path);
			else
				config_walk(m, path, e);
			continue;
		}
		for (i = 0; i < sizeof conf_keys / sizeof conf_keys[0]; i++)
			if (strcmp(conf_keys[i].path, path) == 0)
				known = 1;
		if (!known)
			conf_error(e, config_setting_source_line(m),
			    "%s: unknown key", path);
	}
}

static void
config_scalars(config_t *cf, struct config *c, struct conf_errors *e)
{
	const struct conf_key	*k;
	config_setting_t	*s;
	const char		*str, *why;
	char			*abs;
	long long		 v;
	size_t			 i;
	int			 line;

	for (i = 0; i < sizeof conf_keys / sizeof conf_keys[0]; i++) {
		k = &conf_keys[i];
		if ((s = config_lookup(cf, k->path)) == NULL)
			continue;
		line = config_setting_source_line(s);
		if (k->type == CONF_BOOL) {
			if (config_setting_type(s) != CONFIG_TYPE_BOOL) {
				conf_error(e, line, "%s: must be true or false "
				    "(%s)", k->path, k->help);
				continue;
			}
			*(int *)((char *)c + k->offset) =
			    config_setting_get_bool(s);
			continue;
		}
		if (k->type == CONF_INT) {
			if (config_setting_type(s) != CONFIG_TYPE_INT &&
			    config_setting_type(s) != CONFIG_TYPE_INT64) {
				conf_error(e, line, "%s: must be an integer "
				    "(%s)", k->path, k->help);
				continue;
			}
			v = config_setting_get_int64(s);
			if (v < k->min || v > k->max) {
				conf_error(e, line, "%s: must be between %ld "
				    "and %ld (%s)", k->path, k->min, k->max,
				    k->help);
				continue;
			}
			*(int *)((char *)c + k->offset) = (int)v;
			continue;
		}
		if ((str = config_setting_get_string(s)) == NULL) {
			conf_error(e, line, "%s: must be a string (%s)",
			    k->path, k->help);
			continue;
		}
		switch (k->type) {
		case CONF_STRING:
			if (*str == '\0') {
				conf_error(e, line, "%s: must not be empty "
				    "(%s)", k->path, k->help);
				break;
			}
			config_set_string((char **)((char *)c + k->offset),
			    str);
			break;
		case CONF_STRING_EMPTY:
			config_set_string((char **)((char *)c + k->offset),
			    str);
			break;
		case CONF_PATH:
			if (*str == '\0') {
				conf_error(e, line, "%s: must not be empty "
				    "(%s)", k->path, k->help);
				break;
			}
			if ((abs = config_resolve(c->path, str)) == NULL)
				break;
			free(*(char **)((char *)c + k->offset));
			*(char **)((char *)c + k->offset) = abs;
			break;
		case CONF_SPECIAL:
			if ((why = k->parse(c, str)) != NULL)
				conf_error(e, line, "%s: %s", k->path, why);
			break;
		default:
			break;
		}
	}
}

static void
config_days(config_t *cf, struct config *c, struct conf_errors *e)
{
	config_setting_t	*s, *d;
	const char		*name;
	unsigned		 mask = 0;
	int			 n, i, j, found;

	if ((s = config_lookup(cf, "hours.days")) == NULL)
		return;
	if (!config_setting_is_array(s) && !config_setting_is_list(s)) {
		conf_error(e, config_setting_source_line(s), "hours.days: must "
		    "be a list of day names, e.g. [\"mon\", \"tue\"]");
		return;
	}
	n = config_setting_length(s);
	for (i = 0; i < n; i++) {
		d = config_setting_get_elem(s, (unsigned)i);
		found = 0;
		if ((name = config_setting_get_string(d)) != NULL)
			for (j = 0; j < 7; j++)
				if (strcasecmp(name, day_names[j]) == 0) {
					mask |= 1u << j;
					found = 1;
				}
		if (!found)
			conf_error(e, config_setting_source_line(s),
			    "hours.days: element %d: must be one of sun, mon, "
			    "tue, wed, thu, fri, sat", i + 1);
	}
	if (n == 0)
		conf_error(e, config_setting_source_line(s),
		    "hours.days: must name at least one day");
	c->days_mask = mask;
}

/* A required string member of a list element, or NULL (*line set). */
static const char *
member_string(config_setting_t *elem, const char *name, int *line)
{
	config_setting_t	*m;

	*line = config_setting_source_line(elem);
	if ((m = config_setting_get_member(elem, name)) == NULL)
		return NULL;
	*line = config_setting_source_line(m);
	return config_setting_get_string(m);
}

static void
config_clients(config_t *cf, struct config *c, struct conf_errors *e)
{
	config_setting_t	*s, *elem, *m;
	struct conf_client	*cl;
	const char		*name, *role, *token;
	const char		*allowed[] = { "name", "role", "token_sha256" };
	size_t			 i, j;
	int			 n, k, line, known;

	if ((s = config_lookup(cf, "clients")) == NULL)
		return;
	if (!config_setting_is_list(s)) {
		conf_error(e, config_setting_source_line(s), "clients: must be "
		    "a list ( { name = ...; role = ...; token_sha256 = ...; } )");
		return;
	}
	n = config_setting_length(s);
	if ((c->clients = calloc((size_t)n + 1, sizeof *c->clients)) == NULL)
		return;
	for (k = 0; k < n; k++) {
		elem = config_setting_get_elem(s, (unsigned)k);
		if (!config_setting_is_group(elem)) {
			conf_error(e, config_setting_source_line(elem),
			    "clients: element %d: must be a group { ... }",
			    k + 1);
			continue;
		}
		for (j = 0; j < (size_t)config_setting_length(elem); j++) {
			m = config_setting_get_elem(elem, (unsigned)j);
			known = 0;
			for (i = 0; i < 3; i++)
				if (strcmp(config_setting_name(m),
				    allowed[i]) == 0)
					known = 1;
			if (!known)
				conf_error(e, config_setting_source_line(m),
				    "clients.%s: unknown key",
				    config_setting_name(m));
		}
		cl = &c->clients[c->nclients];
		name = member_string(elem, "name", &line);
		if (name == NULL || *name == '\0' || strlen(name) > 64) {
			conf_error(e, line, "clients: element %d: name: "
			    "required, 1-64 characters", k + 1);
			continue;
		}
		for (i = 0; i < c->nclients; i++)
			if (strcmp(c->clients[i].name, name) == 0)
				conf_error(e, line, "clients: name \"%s\" is "
				    "used twice", name);
		role = member_string(elem, "role", &line);
		if (role == NULL || config_role_parse(role, &cl->role) == -1) {
			conf_error(e, line, "clients.%s: role: must be "
			    "gateway, operator, supervisor or admin", name);
			continue;
		}
		token = member_string(elem, "token_sha256", &line);
		if (token == NULL || strlen(token) != 64 ||
		    crypto_hex_decode32(token, cl->token_sha256) == -1) {
			conf_error(e, line, "clients.%s: token_sha256: must be "
			    "64 hex digits (hotlinectl token prints one)",
			    name);
			continue;
		}
		if ((cl->name = strdup(name)) == NULL)
			continue;
		c->nclients++;
	}
}

static void
config_dnis(config_t *cf, struct config *c, struct conf_errors *e)
{
	config_setting_t	*s, *elem;
	struct conf_dnis	*d;
	const char		*number, *org, *why;
	char			 norm[NORM_PHONE_SIZE];
	int			 n, k, line;

	if ((s = config_lookup(cf, "dnis")) == NULL)
		return;
	if (!config_setting_is_list(s)) {
		conf_error(e, config_setting_source_line(s), "dnis: must be a "
		    "list ( { number = ...; org = ...; } )");
		return;
	}
	n = config_setting_length(s);
	if ((c->dnis = calloc((size_t)n + 1, sizeof *c->dnis)) == NULL)
		return;
	for (k = 0; k < n; k++) {
		elem = config_setting_get_elem(s, (unsigned)k);
		number = member_string(elem, "number", &line);
		if (number == NULL ||
		    normalize_phone(number, norm, &why) != NORM_OK) {
			conf_error(e, line, "dnis: element %d: number: must "
			    "be a phone number", k + 1);
			continue;
		}
		org = member_string(elem, "org", &line);
		if (org == NULL || *org == '\0') {
			conf_error(e, line, "dnis: element %d: org: required "
			    "(an organisation code)", k + 1);
			continue;
		}
		d = &c->dnis[c->ndnis];
		d->number = strdup(norm);
		d->org = strdup(org);
		if (d->number == NULL || d->org == NULL) {
			free(d->number);
			free(d->org);
			continue;
		}
		c->ndnis++;
	}
}

struct config *
config_load(const char *path, char **errs)
{
	struct config		*c;
	struct conf_errors	 e = { path, NULL, 0, 0 };
	config_t		 cf;
	char			*def;

	*errs = NULL;
	if ((c = calloc(1, sizeof *c)) == NULL || (c->path = strdup(path)) ==
	    NULL) {
		free(c);
		*errs = strdup("out of memory");
		return NULL;
	}
	config_defaults(c);
	config_init(&cf);
	if (config_read_file(&cf, path) == CONFIG_FALSE) {
		if (config_error_type(&cf) == CONFIG_ERR_FILE_IO)
			conf_error(&e, 0, "cannot read the file");
		else
			conf_error(&e, config_error_line(&cf), "%s",
			    config_error_text(&cf));
		goto done;
	}
	config_walk(config_root_setting(&cf), "", &e);
	config_scalars(&cf, c, &e);
	config_days(&cf, c, &e);
	config_clients(&cf, c, &e);
	config_dnis(&cf, c, &e);
	config_http(&cf, c, &e);
	config_fastagi(&cf, c, &e);
	if (c->open_min >= c->close_min)
		conf_error(&e, 0, "hours: open must be before close");
	if (c->ivr_operator_open_min == -1)
		c->ivr_operator_open_min = c->open_min;
	if (c->ivr_operator_close_min == -1)
		c->ivr_operator_close_min = c->close_min;
	if (c->ivr_operator_open_min >= c->ivr_operator_close_min)
		conf_error(&e, 0, "ivr: operator_open must be before "
		    "operator_close");
	if (c->key_file == NULL) {
		if (asprintf(&def, "%s/hotline.key", c->data_dir) == -1)
			def = NULL;
		c->key_file = def;
	}
done:
	config_destroy(&cf);
	if (e.count > 0 || c->key_file == NULL) {
		*errs = e.text != NULL ? e.text : strdup("out of memory");
		config_free(c);
		return NULL;
	}
	free(e.text);
	return c;
}

void
config_free(struct config *c)
{
	size_t	i;

	if (c == NULL)
		return;
	for (i = 0; i < c->nclients; i++)
		free(c->clients[i].name);
	free(c->clients);
	for (i = 0; i < c->ndnis; i++) {
		free(c->dnis[i].number);
		free(c->dnis[i].org);
	}
	free(c->dnis);
	free(c->path);
	free(c->listen_address);
	free(c->data_dir);
	free(c->key_file);
	free(c->pid_file);
	free(c->prompts_dir);
	free(c->service_name);
	free(c->hotline_number);
	free(c->default_lang);
	free(c->time_zone);
	free(c->ivr_operator_queue);
	free(c->http_address);
	free(c->http_tls_cert);
	free(c->http_tls_key);
	free(c->http_web_dir);
	free(c->fastagi_address);
	free(c->fastagi_allow);
	free(c->fastagi_tts_app);
	free(c->fastagi_queue_app);
	free(c->fastagi_client);
	free(c);
}

const struct conf_client *
config_client(const struct config *c, const char *name)
{
	size_t	i;

	for (i = 0; i < c->nclients; i++)
		if (strcmp(c->clients[i].name, name) == 0)
			return &c->clients[i];
	return NULL;
}

const char *
config_role_name(enum role r)
{
	switch (r) {
	case ROLE_GATEWAY:
		return "gateway";
	case ROLE_OPERATOR:
		return "operator";
	case ROLE_SUPERVISOR:
		return "supervisor";
	case ROLE_ADMIN:
		return "admin";
	default:
		return "none";
	}
}

static int
config_role_parse(const char *s, enum role *out)
{
	static const enum role roles[] = { ROLE_GATEWAY, ROLE_OPERATOR,
	    ROLE_SUPERVISOR, ROLE_ADMIN };
	size_t	i;

	for (i = 0; i < sizeof roles / sizeof roles[0]; i++)
		if (strcmp(s, config_role_name(roles[i])) == 0) {
			*out = roles[i];
			return 0;
		}
	return -1;
}

void
config_apply_time_zone(const struct config *c)
{
	setenv("TZ", c->time_zone, 1);
	tzset();
}
