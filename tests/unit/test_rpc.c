/*
 * rpc.c: JSON-RPC 2.0 decoding, validation, batches and notifications,
 * authentication and roles, on a connection without a socket (the
 * replies are read from its queue).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "config.h"
#include "conn.h"
#include "crypto.h"
#include "rpc.h"
#include "server.h"

struct fixture {
	struct server	srv;
	struct config	conf;
	struct conf_client client;
	struct conn	c;
};

static int
setup(void **state)
{
	struct fixture	*f = calloc(1, sizeof *f);

	TAILQ_INIT(&f->srv.conns);
	TAILQ_INIT(&f->srv.held);
	f->srv.conf = &f->conf;
	f->conf.max_line = 16384;
	f->conf.max_batch = 4;
	f->client.name = (char *)"gw";
	f->client.role = ROLE_GATEWAY;
	crypto_sha256("secret", 6, f->client.token_sha256);
	f->conf.clients = &f->client;
	f->conf.nclients = 1;
	f->c.srv = &f->srv;
	STAILQ_INIT(&f->c.replies);
	*state = f;
	return 0;
}

/* Takes the queued replies off the connection. */
static size_t
drain(struct fixture *f, struct reply **out, size_t max)
{
	struct reply	*r;
	size_t		 n = 0;

	while ((r = STAILQ_FIRST(&f->c.replies)) != NULL) {
		STAILQ_REMOVE_HEAD(&f->c.replies, entry);
		if (n < max)
			out[n++] = r;
		else {
			json_decref(r->msg);
			free(r);
		}
	}
	if (f->c.on_held) {
		TAILQ_REMOVE(&f->srv.held, &f->c, held_entry);
		f->c.on_held = 0;
	}
	return n;
}

static void
free_replies(struct reply **r, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++) {
		json_decref(r[i]->msg);
		free(r[i]);
	}
}

static int
teardown(void **state)
{
	struct fixture	*f = *state;
	struct reply	*r[16];

	free_replies(r, drain(f, r, 16));
	free(f);
	return 0;
}

/* Sends one line and returns its single reply's error code (0: result). */
static int
one(struct fixture *f, const char *line, json_t **msg)
{
	struct reply	*r[4];
	json_t		*err;
	size_t		 n;
	int		 code;

	rpc_handle_line(&f->c, line, strlen(line));
	n = drain(f, r, 4);
	assert_int_equal(n, 1);
	assert_false(r[0]->batch_open);
	err = json_object_get(r[0]->msg, "error");
	code = err ? (int)json_integer_value(json_object_get(err, "code")) :
	    0;
	assert_string_equal(json_string_value(json_object_get(r[0]->msg,
	    "jsonrpc")), "2.0");
	if (msg != NULL)
		*msg = json_incref(r[0]->msg);
	free_replies(r, n);
	return code;
}

static void
test_parse_errors(void **state)
{
	struct fixture	*f = *state;
	json_t		*m;

	assert_int_equal(one(f, "{\"jsonrpc\":", &m), RPC_PARSE_ERROR);
	assert_true(json_is_null(json_object_get(m, "id")));
	json_decref(m);
	assert_int_equal(one(f, "{\"jsonrpc\":\"2.0\",\"id\":1,\"id\":2,"
	    "\"method\":\"ping\"}", NULL), RPC_PARSE_ERROR);
	assert_int_equal(one(f, "\xff\xfe", NULL), RPC_PARSE_ERROR);
}

static void
test_invalid_requests(void **state)
{
	struct fixture	*f = *state;
	json_t		*m;

	assert_int_equal(one(f, "42", NULL), RPC_INVALID_REQUEST);
	assert_int_equal(one(f, "{\"id\":3,\"method\":\"ping\"}", &m),
	    RPC_INVALID_REQUEST);
	assert_int_equal(json_integer_value(json_object_get(m, "id")), 3);
	json_decref(m);
	assert_int_equal(one(f, "{\"jsonrpc\":\"2.0\",\"id\":[1],"
	    "\"method\":\"ping\"}", &m), RPC_INVALID_REQUEST);
	assert_true(json_is_null(json_object_get(m, "id")));
	json_decref(m);
	assert_int_equal(one(f, "{\"jsonrpc\":\"2.0\",\"id\":1,"
	    "\"method\":\"ping\",\"params\":\"x\"}", NULL),
	    RPC_INVALID_REQUEST);
	assert_int_equal(one(f, "[]", NULL), RPC_INVALID_REQUEST);
	/* max_batch is 4 in this fixture. */
	assert_int_equal(one(f, "[1,2,3,4,5]", NULL), RPC_INVALID_REQUEST);
}

static void
test_methods_and_roles(void **state)
{
	struct fixture	*f = *state;
	json_t		*m;

	assert_int_equal(one(f, "{\"jsonrpc\":\"2.0\",\"id\":1,"
	    "\"method\":\"ping\"}", &m), 0);
	assert_string_equal(json_string_value(json_object_get(m, "result")),
	    "pong");
	json_decref(m);
	assert_int_equal(one(f, "{\"jsonrpc\":\"2.0\",\"id\":1,"
	    "\"method\":\"nope\"}", NULL), RPC_METHOD_NOT_FOUND);
	assert_int_equal(one(f, "{\"jsonrpc\":\"2.0\",\"id\":1,"
	    "\"method\":\"lookup\",\"params\":{}}", NULL),
	    RPC_UNAUTHENTICATED);
	assert_int_equal(one(f, "{\"jsonrpc\":\"2.0\",\"id\":1,"
	    "\"method\":\"hello\",\"params\":{\"client\":\"gw\","
	    "\"token\":\"wrong\"}}", NULL), RPC_UNAUTHENTICATED);
	assert_int_equal(one(f, "{\"jsonrpc\":\"2.0\",\"id\":1,"
	    "\"method\":\"hello\",\"params\":[\"gw\",\"secret\"]}", &m),
	    RPC_INVALID_PARAMS);
	assert_string_equal(json_string_value(json_object_get(json_object_get(
	    json_object_get(m, "error"), "data"), "field")), "params");
	json_decref(m);
	assert_int_equal(one(f, "{\"jsonrpc\":\"2.0\",\"id\":1,"
	    "\"method\":\"hello\",\"params\":{\"client\":\"gw\","
	    "\"token\":\"secret\"}}", &m), 0);
	assert_string_equal(json_string_value(json_object_get(json_object_get(
	    m, "result"), "role")), "gateway");
	json_decref(m);
	assert_int_equal(f->c.role, ROLE_GATEWAY);
	/* A role without the method: -32002 before any param is looked at. */
	f->c.role = ROLE_SUPERVISOR;
	assert_int_equal(one(f, "{\"jsonrpc\":\"2.0\",\"id\":1,"
	    "\"method\":\"lookup\",\"params\":[1]}", NULL), RPC_FORBIDDEN);
}

static void
test_batch_and_notifications(void **state)
{
	struct fixture	*f = *state;
	struct reply	*r[8];
	const char	*line;
	size_t		 n;

	line = "[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"},"
	    "{\"jsonrpc\":\"2.0\",\"method\":\"ping\"},"
	    "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"nope\"},"
	    "7]";
	rpc_handle_line(&f->c, line, strlen(line));
	n = drain(f, r, 8);
	assert_int_equal(n, 3);
	assert_true(r[0]->batch_open);
	assert_false(r[0]->batch_close);
	assert_false(r[1]->batch_open);
	assert_false(r[1]->batch_close);
	assert_true(r[2]->batch_close);
	assert_int_equal(json_integer_value(json_object_get(r[0]->msg, "id")),
	    1);
	assert_int_equal(json_integer_value(json_object_get(r[1]->msg, "id")),
	    2);
	assert_true(json_is_null(json_object_get(r[2]->msg, "id")));
	free_replies(r, n);

	/* One response in a batch is still a batch. */
	line = "[{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"ping\"}]";
	rpc_handle_line(&f->c, line, strlen(line));
	n = drain(f, r, 8);
	assert_int_equal(n, 1);
	assert_true(r[0]->batch_open && r[0]->batch_close);
	free_replies(r, n);

	/* Notifications, alone or batched, get nothing, even when wrong. */
	line = "{\"jsonrpc\":\"2.0\",\"method\":\"nope\"}";
	rpc_handle_line(&f->c, line, strlen(line));
	line = "[{\"jsonrpc\":\"2.0\",\"method\":\"ping\"}]";
	rpc_handle_line(&f->c, line, strlen(line));
	line = "   ";
	rpc_handle_line(&f->c, line, strlen(line));
	assert_int_equal(drain(f, r, 8), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_parse_errors, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_invalid_requests, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_methods_and_roles, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_batch_and_notifications,
		    setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
