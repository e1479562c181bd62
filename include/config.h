/*
 * The configuration file (libconfig syntax; conf/hotline.conf documents
 * every key). config_load() parses and validates it completely, so a
 * running daemon only ever swaps in a configuration that is whole.
 */
#ifndef HOTLINE_CONFIG_H
#define HOTLINE_CONFIG_H

#include <stddef.h>

#include "crypto.h"
#include "log.h"

/* Roles, as a bit mask so that a method can allow several. */
enum role {
	ROLE_NONE = 0,
	ROLE_GATEWAY = 1 << 0,
	ROLE_OPERATOR = 1 << 1,
	ROLE_SUPERVISOR = 1 << 2,
	ROLE_ADMIN = 1 << 3,
};

struct conf_client {
	char		*name;
	enum role	 role;
	unsigned char	 token_sha256[CRYPTO_SHA256_SIZE];
};

/* A dialled number (DNIS) that belongs to one organisation's own desk. */
struct conf_dnis {
	char	*number;	/* normalized national form */
	char	*org;		/* organisation code */
};

/* An address or network of fastagi.allow (an address is a /32 or /128). */
struct conf_net {
	int		 family;	/* AF_INET or AF_INET6 */
	unsigned char	 addr[16];	/* network byte order */
	int		 prefix;	/* leading bits that must match */
};

struct config {
	char		*path;

	char		*listen_address;
	int		 listen_port;

	char		*data_dir;
	char		*key_file;	/* a path, or "credential:NAME" */
	char		*pid_file;	/* NULL: none */
	char		*prompts_dir;
	int		 sync_full;	/* storage.synchronous = "full" */

	char		*service_name;
	char		*hotline_number;
	char		*default_lang;

	int		 max_line;
	int		 idle_timeout_s;
	int		 max_connections;
	int		 max_batch;
	int		 max_output;
	int		 max_output_total;
	int		 line_timeout_s;

	char		*time_zone;
	int		 open_min;	/* minutes after midnight */
	int		 close_min;
	unsigned	 days_mask;	/* bit 0 Sunday ... bit 6 Saturday */

	enum log_level	 log_level;
	enum log_target	 log_target;
	int		 log_facility;	/* syslog(3)'s LOG_DAEMON... */

	/* The IVR script (SPEC §6.1). */
	int		 ivr_max_attempts;	/* failed inputs before transfer */
	int		 ivr_digit_timeout_ms;
	char		*ivr_operator_queue;	/* "": no queue, no transfer */
	int		 ivr_operator_open_min;	/* operator hours */
	int		 ivr_operator_close_min;
	int		 ivr_daily_lookups;	/* per caller ID in 24 h */
	int		 session_timeout_s;
	int		 max_sessions;

	/* Per client (SPEC §7): a token bucket on lookups, bulk detection. */
	int		 rate_lookups_per_s;	/* 0: no limit */
	int		 rate_burst;
	int		 alert_window_s;
	int		 alert_threshold;	/* lookups + searches a window */
	int		 alert_suspend;		/* suspend a client that crosses */

	int		 ref_lifetime_s;	/* operator refs */
	int		 max_refs;

	int		 audit_enabled;		/* off only to measure its cost */
	int		 audit_checkpoint_every; /* entries between log lines */

	/*
	 * The HTTP front end (SPEC §6.4): the pages, /rpc, /metrics. No
	 * http section in the file, no listener (http_enabled 0).
	 */
	int		 http_enabled;
	char		*http_address;
	int		 http_port;
	char		*http_tls_cert;		/* "": plain HTTP (loopback) */
	char		*http_tls_key;
	char		*http_web_dir;
	int		 http_max_header_bytes;	/* request line + headers */
	int		 http_max_body_bytes;
	int		 http_max_connections;
	int		 http_idle_timeout_s;	/* between bytes, keep-alive */
	int		 http_request_timeout_s; /* a whole request's arrival */
	int		 http_session_lifetime_s; /* a web session at most */
	int		 http_session_idle_s;	/* without a request */
	int		 http_max_sessions;
	int		 http_access_log;

	/*
	 * Asterisk FastAGI (SPEC §6.3): a listener only when the conf has
	 * the section. Its calls are those of the gateway client named.
	 */
	int		 fastagi;		/* the section is there */
	char		*fastagi_address;
	int		 fastagi_port;
	struct conf_net	*fastagi_allow;
	size_t		 fastagi_nallow;
	char		*fastagi_tts_app;	/* "": play the recordings */
	char		*fastagi_queue_app;
	char		*fastagi_client;
	int		 fastagi_max_calls;
	int		 fastagi_env_timeout_s;
	int		 fastagi_reply_timeout_s;
	int		 fastagi_transfer_timeout_s;

	struct conf_client *clients;
	size_t		 nclients;
	struct conf_dnis *dnis;
	size_t		 ndnis;
};

/*
 * Loads and validates path. On failure returns NULL and sets *errs to a
 * malloc'd text of one "file:line: message" per line, every problem found.
 */
struct config *config_load(const char *path, char **errs);
void	config_free(struct config *);

/* The client of that name, or NULL. */
const struct conf_client *config_client(const struct config *,
	    const char *name);

const char *config_role_name(enum role);

/*
 * 1 if the http sections of two confs differ in what only a restart can
 * change: whether there is a listener, its address and port, and whether
 * it speaks TLS (a new certificate or key is taken on reload).
 */
int	config_http_restart(const struct config *, const struct config *);

/*
 * Applies the process-wide parts: the time zone (TZ) used for business
 * hours, statistics and log-free date checks.
 */
void	config_apply_time_zone(const struct config *);

#endif
