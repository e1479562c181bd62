/*
 * config.c: defaults, every section parsed, relative paths, and errors
 * collected as "file:line: message".
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "config.h"
#include "version.h"

static char path[64];

static struct config *
load(const char *text, char **err)
{
	FILE	*f;

	snprintf(path, sizeof path, "/tmp/hotline-conf-XXXXXX");
	close(mkstemp(path));
	assert_non_null(f = fopen(path, "w"));
	fputs(text, f);
	fclose(f);
	*err = NULL;
	return config_load(path, err);
}

static void
test_defaults(void **state)
{
	struct config	*c;
	char		*err;

	(void)state;
	assert_non_null(c = load("", &err));
	assert_string_equal(c->listen_address, "127.0.0.1");
	assert_int_equal(c->listen_port, 7411);
	assert_int_equal(c->max_line, 16384);
	assert_int_equal(c->open_min, 9 * 60);
	assert_int_equal(c->close_min, 20 * 60);
	assert_int_equal(c->days_mask, 0x7f);
	assert_string_equal(c->time_zone, "Asia/Tokyo");
	assert_string_equal(c->key_file, "/var/lib/hotline/hotline.key");
	assert_int_equal(c->nclients, 0);
	config_free(c);
	unlink(path);
}

static void
test_full(void **state)
{
	const struct conf_client	*cl;
	struct config			*c;
	char				*err;

	(void)state;
	c = load("listen = { address = \"::1\"; port = 0; };\n"
	    "data_dir = \"data\";\n"
	    "prompts_dir = \"/p\";\n"
	    "storage = { synchronous = \"full\"; };\n"
	    "limits = { max_line = 1024; max_batch = 7; };\n"
	    "hours = { open = \"08:30\"; close = \"24:00\"; "
	    "days = [\"mon\", \"sat\"]; time_zone = \"UTC\"; };\n"
	    "log = { level = \"debug\"; target = \"syslog\"; };\n"
	    "clients = ( { name = \"op1\"; role = \"operator\"; token_sha256 = "
	    "\"2bb80d537b1da3e38bd30361aa855686bde0eacd7162fef6a25fe97bf527a25b\";"
	    " } );\n"
	    "dnis = ( { number = \"0120-000-001\"; org = \"adachi\"; } );\n",
	    &err);
	assert_non_null(c);
	assert_string_equal(c->listen_address, "::1");
	assert_int_equal(c->listen_port, 0);
	/* Relative to the conf's directory. */
	assert_string_equal(c->data_dir, "/tmp/data");
	assert_string_equal(c->key_file, "/tmp/data/hotline.key");
	assert_int_equal(c->sync_full, 1);
	assert_int_equal(c->max_line, 1024);
	assert_int_equal(c->max_batch, 7);
	assert_int_equal(c->open_min, 8 * 60 + 30);
	assert_int_equal(c->close_min, 24 * 60);
	assert_int_equal(c->days_mask, (1 << 1) | (1 << 6));
	assert_int_equal(c->log_level, LOG_LEVEL_DEBUG);
	assert_int_equal(c->log_target, LOG_TARGET_SYSLOG);
	assert_non_null(cl = config_client(c, "op1"));
	assert_int_equal(cl->role, ROLE_OPERATOR);
	assert_int_equal(cl->token_sha256[0], 0x2b);
	assert_null(config_client(c, "op2"));
	assert_int_equal(c->ndnis, 1);
	assert_string_equal(c->dnis[0].number, "0120000001");
	assert_string_equal(c->dnis[0].org, "adachi");
	config_free(c);
	unlink(path);
}

static void
test_errors_with_lines(void **state)
{
	char	*err, want[128];

	(void)state;
	assert_null(load("limits = {\n  max_line = 10;\n  idle = 3;\n};\n"
	    "clients = ( { name = \"a\"; role = \"root\"; },\n"
	    "  { name = \"b\"; role = \"gateway\"; token_sha256 = \"zz\"; } );\n"
	    "hours = { open = \"21:00\"; close = \"20:00\"; };\n", &err));
	snprintf(want, sizeof want, "%s:2: limits.max_line: must be between "
	    "256 and 1048576", path);
	assert_non_null(strstr(err, want));
	snprintf(want, sizeof want, "%s:3: limits.idle: unknown key", path);
	assert_non_null(strstr(err, want));
	snprintf(want, sizeof want, "%s:5: clients.a: role:", path);
	assert_non_null(strstr(err, want));
	snprintf(want, sizeof want, "%s:6: clients.b: token_sha256:", path);
	assert_non_null(strstr(err, want));
	assert_non_null(strstr(err, "open must be before close"));
	free(err);
	unlink(path);
	assert_null(load("a = ;\n", &err));
	snprintf(want, sizeof want, "%s:1: ", path);
	assert_non_null(strstr(err, want));
	free(err);
	unlink(path);
	assert_null(config_load("/nonexistent/hotline.conf", &err));
	assert_non_null(strstr(err, "cannot read"));
	free(err);
}

/* The http section: none, no listener; its defaults; its keys. */
static void
test_http(void **state)
{
	struct config	*c, *d;
	char		*err;

	(void)state;
	assert_non_null(c = load("", &err));
	assert_int_equal(c->http_enabled, 0);
	assert_string_equal(c->http_address, "127.0.0.1");
	assert_int_equal(c->http_port, 7480);
	assert_string_equal(c->http_tls_cert, "");
	assert_string_equal(c->http_web_dir, HOTLINE_WEB_DIR);
	assert_int_equal(c->http_max_header_bytes, 8192);
	assert_int_equal(c->http_max_body_bytes, 16384);
	assert_int_equal(c->http_max_connections, 1000);
	assert_int_equal(c->http_idle_timeout_s, 60);
	assert_int_equal(c->http_request_timeout_s, 10);
	assert_int_equal(c->http_session_lifetime_s, 8 * 3600);
	assert_int_equal(c->http_session_idle_s, 30 * 60);
	assert_int_equal(c->http_max_sessions, 1000);
	assert_int_equal(c->http_access_log, 1);
	unlink(path);
	assert_non_null(d = load("http = {};\n", &err));
	assert_int_equal(d->http_enabled, 1);
	assert_int_equal(config_http_restart(c, d), 1);
	config_free(d);
	unlink(path);
	assert_non_null(d = load("http = { address = \"::1\"; port = 0; "
	    "tls_cert = \"c.pem\"; tls_key = \"/k.pem\"; web_dir = \"w\"; "
	    "max_header_bytes = 4096; max_body_bytes = 65536; "
	    "max_connections = 10; idle_timeout_s = 5; request_timeout_s = 3; "
	    "session_lifetime_s = 600; session_idle_s = 60; max_sessions = 7; "
	    "access_log = false; };\n", &err));
	assert_string_equal(d->http_address, "::1");
	assert_int_equal(d->http_port, 0);
	/* Relative to the conf's directory, as every path. */
	assert_string_equal(d->http_tls_cert, "/tmp/c.pem");
	assert_string_equal(d->http_tls_key, "/k.pem");
	assert_string_equal(d->http_web_dir, "/tmp/w");
	assert_int_equal(d->http_max_header_bytes, 4096);
	assert_int_equal(d->http_max_body_bytes, 65536);
	assert_int_equal(d->http_max_connections, 10);
	assert_int_equal(d->http_idle_timeout_s, 5);
	assert_int_equal(d->http_request_timeout_s, 3);
	assert_int_equal(d->http_session_lifetime_s, 600);
	assert_int_equal(d->http_session_idle_s, 60);
	assert_int_equal(d->http_max_sessions, 7);
	assert_int_equal(d->http_access_log, 0);
	config_free(c);
	unlink(path);
	/* Only the listener itself needs a restart; a new cert does not. */
	assert_non_null(c = load("http = { address = \"::1\"; port = 0; "
	    "tls_cert = \"other.pem\"; tls_key = \"/k2.pem\"; "
	    "max_sessions = 9; };\n", &err));
	assert_int_equal(config_http_restart(c, d), 0);
	config_free(c);
	unlink(path);
	assert_non_null(c = load("http = { address = \"::1\"; port = 1; "
	    "tls_cert = \"c.pem\"; tls_key = \"/k.pem\"; };\n", &err));
	assert_int_equal(config_http_restart(c, d), 1);
	config_free(c);
	unlink(path);
	assert_non_null(c = load("http = { address = \"::1\"; port = 0; };\n",
	    &err));
	assert_int_equal(config_http_restart(c, d), 1);	/* TLS off */
	config_free(c);
	config_free(d);
	unlink(path);
}

static void
test_http_errors(void **state)
{
	struct config	*c;
	char		*err, want[256];

	(void)state;
	assert_null(load("http = {\n  address = \"192.0.2.1\";\n};\n",
	    &err));
	snprintf(want, sizeof want, "%s:2: http.address: 192.0.2.1 is not a "
	    "loopback address: tls_cert and tls_key are required", path);
	assert_non_null(strstr(err, want));
	free(err);
	unlink(path);
	assert_null(load("http = {\n  tls_key = \"/k.pem\";\n"
	    "  address = \"example.org\";\n  max_sessions = 0;\n};\n",
	    &err));
	snprintf(want, sizeof want, "%s:2: http: tls_cert and tls_key go "
	    "together: tls_cert is missing", path);
	assert_non_null(strstr(err, want));
	snprintf(want, sizeof want, "%s:3: http.address: must be an IPv4 or "
	    "IPv6 address", path);
	assert_non_null(strstr(err, want));
	snprintf(want, sizeof want, "%s:4: http.max_sessions: must be between "
	    "1 and 100000", path);
	assert_non_null(strstr(err, want));
	free(err);
	unlink(path);
	assert_null(load("http = 3;\n", &err));
	snprintf(want, sizeof want, "%s:1: http: must be a section", path);
	assert_non_null(strstr(err, want));
	free(err);
	unlink(path);
	/* Loopback in every spelling is fine without TLS. */
	assert_non_null(c = load("http = { address = \"127.10.0.1\"; };\n",
	    &err));
	config_free(c);
	unlink(path);
	assert_non_null(c = load("http = { address = \"::ffff:127.0.0.1\"; "
	    "};\n", &err));
	config_free(c);
	unlink(path);
}

#define TOKEN "\"2bb80d537b1da3e38bd30361aa855686bde0eacd7162fef6a25fe97bf527a25b\""

static void
test_fastagi(void **state)
{
	struct config	*c;
	char		*err;

	(void)state;
	/* No section, no listener; the defaults are those of SPEC §6.3. */
	assert_non_null(c = load("", &err));
	assert_int_equal(c->fastagi, 0);
	assert_int_equal(c->fastagi_port, 4573);
	assert_string_equal(c->fastagi_queue_app, "Queue");
	assert_string_equal(c->fastagi_tts_app, "");
	assert_int_equal(c->fastagi_nallow, 2);
	config_free(c);
	unlink(path);
	assert_non_null(c = load("clients = ( { name = \"pbx\"; role = "
	    "\"gateway\"; token_sha256 = " TOKEN "; } );\n"
	    "fastagi = { address = \"::\"; port = 0; client = \"pbx\";\n"
	    "  allow = [\"192.0.2.7\", \"10.0.0.0/8\", \"2001:db8::/32\"];\n"
	    "  tts_app = \"Festival\"; queue_app = \"Queue_2\";\n"
	    "  max_calls = 5; env_timeout_s = 2; reply_timeout_s = 30;\n"
	    "  transfer_timeout_s = 60; };\n", &err));
	assert_int_equal(c->fastagi, 1);
	assert_string_equal(c->fastagi_address, "::");
	assert_int_equal(c->fastagi_port, 0);
	assert_string_equal(c->fastagi_client, "pbx");
	assert_string_equal(c->fastagi_tts_app, "Festival");
	assert_string_equal(c->fastagi_queue_app, "Queue_2");
	assert_int_equal(c->fastagi_nallow, 3);
	assert_int_equal(c->fastagi_allow[0].prefix, 32);
	assert_int_equal(c->fastagi_allow[1].prefix, 8);
	assert_int_equal(c->fastagi_allow[2].prefix, 32);
	assert_int_equal(c->fastagi_allow[1].addr[0], 10);
	assert_int_equal(c->fastagi_max_calls, 5);
	assert_int_equal(c->fastagi_env_timeout_s, 2);
	assert_int_equal(c->fastagi_reply_timeout_s, 30);
	assert_int_equal(c->fastagi_transfer_timeout_s, 60);
	config_free(c);
	unlink(path);
}

static void
test_fastagi_errors(void **state)
{
	static const struct {
		const char	*text;
		const char	*want;	/* after "path:" */
	} cases[] = {
		{ "fastagi = { };\n", "1: fastagi.client: required" },
		{ "fastagi = { client = \"nobody\"; };\n",
		  "1: fastagi.client: \"nobody\" is not a client" },
		{ "clients = ( { name = \"op\"; role = \"operator\"; "
		  "token_sha256 = " TOKEN "; } );\nfastagi = {\n"
		  "client = \"op\"; };\n",
		  "3: fastagi.client: \"op\" must have the role gateway, not "
		  "operator" },
		{ "fastagi = {\n address = \"localhost\"; };\n",
		  "2: fastagi.address: must be an IP address" },
		{ "fastagi = {\n\n allow = [ ]; };\n",
		  "3: fastagi.allow: must name at least one address" },
		{ "fastagi = {\n allow = [\"10.0.0.0/33\"]; };\n",
		  "2: fastagi.allow: element 1: must be an IP address" },
		{ "fastagi = {\n allow = [\"127.0.0.1\", \"x\"]; };\n",
		  "2: fastagi.allow: element 2:" },
		{ "fastagi = {\n allow = \"127.0.0.1\"; };\n",
		  "2: fastagi.allow: must be a list" },
		{ "fastagi = {\n tts_app = \"Festival,x\"; };\n",
		  "2: fastagi.tts_app: must be" },
		{ "fastagi = {\n queue_app = \"\"; };\n",
		  "2: fastagi.queue_app: must be an application name" },
		{ "fastagi = {\n port = 70000; };\n",
		  "2: fastagi.port: must be between 0 and 65535" },
		{ "fastagi = {\n timeout = 3; };\n",
		  "2: fastagi.timeout: unknown key" },
		{ "fastagi = 1;\n", "1: fastagi: must be a section" },
	};
	char	*err, want[256];
	size_t	 i;

	(void)state;
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		assert_null(load(cases[i].text, &err));
		snprintf(want, sizeof want, "%s:%s", path, cases[i].want);
		if (strstr(err, want) == NULL)
			fail_msg("case %zu: want \"%s\" in:\n%s", i, want, err);
		free(err);
		unlink(path);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_full),
		cmocka_unit_test(test_errors_with_lines),
		cmocka_unit_test(test_http),
		cmocka_unit_test(test_http_errors),
		cmocka_unit_test(test_fastagi),
		cmocka_unit_test(test_fastagi_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
