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

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_full),
		cmocka_unit_test(test_errors_with_lines),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
