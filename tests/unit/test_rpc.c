/*
 * rpc.c: JSON-RPC 2.0 decoding, validation, batches and notifications,
 * authentication and roles, through a peer without a socket (its answers
 * are collected as the pieces a front end would hold and send).
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
#include "core.h"
#include "rpc.h"
#include "world.h"

#define PIECES_MAX	16

struct fixture {
	struct world		*w;
	struct principal	 who;
	struct rpc_peer		 peer;
	char			*piece[PIECES_MAX];
	uint64_t		 seq[PIECES_MAX];
	size_t			 n;
};

static void
collect(struct rpc_peer *p, const struct rpc_answer *a)
{
	struct fixture	*f = (struct fixture *)(void *)((char *)p -
	    offsetof(struct fixture, peer));

	assert_true(f->n < PIECES_MAX);
	assert_non_null(f->piece[f->n] = malloc(a->len + 1));
	memcpy(f->piece[f->n], a->text, a->len);
	f->piece[f->n][a->len] = '\0';
	f->seq[f->n++] = a->seq;
}

static void
clear(struct fixture *f)
{
	size_t	i;

	for (i = 0; i < f->n; i++)
		free(f->piece[i]);
	f->n = 0;
}

static int
setup(void **state)
{
	struct fixture	*f = calloc(1, sizeof *f);

	if (f == NULL || (f->w = world_new("limits = { max_batch = 4; };")) ==
	    NULL)
		return -1;
	world_principal(f->w, &f->who, NULL, "nobody");
	f->peer.core = f->w->core;
	f->peer.who = &f->who;
	f->peer.answer = collect;
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture	*f = *state;

	clear(f);
	world_free(f->w);
	free(f);
	return 0;
}

static void
send_line(struct fixture *f, const char *line)
{
	clear(f);
	rpc_handle_line(&f->peer, line, strlen(line));
}

/* Sends one line and returns its single answer's error code (0: result). */
static int
one(struct fixture *f, const char *line, json_t **msg)
{
	json_t	*m, *err;
	size_t	 len;
	int	 code;

	send_line(f, line);
	assert_int_equal(f->n, 1);
	len = strlen(f->piece[0]);
	assert_true(len > 0 && f->piece[0][len - 1] == '\n');
	assert_non_null(m = json_loads(f->piece[0], 0, NULL));
	assert_true(json_is_object(m));
	err = json_object_get(m, "error");
	code = err ? (int)json_integer_value(json_object_get(err, "code")) :
	    0;
	assert_string_equal(json_string_value(json_object_get(m, "jsonrpc")),
	    "2.0");
	if (msg != NULL)
		*msg = m;
	else
		json_decref(m);
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
	/* ping waits for nothing. */
	assert_int_equal(f->seq[0], 0);
	assert_int_equal(one(f, "{\"jsonrpc\":\"2.0\",\"id\":1,"
	    "\"method\":\"nope\"}", NULL), RPC_METHOD_NOT_FOUND);
	assert_int_equal(one(f, "{\"jsonrpc\":\"2.0\",\"id\":1,"
	    "\"method\":\"lookup\",\"params\":{}}", NULL),
	    RPC_UNAUTHENTICATED);
	assert_int_equal(one(f, "{\"jsonrpc\":\"2.0\",\"id\":1,"
	    "\"method\":\"hello\",\"params\":{\"client\":\"gw\","
	    "\"token\":\"wrong\"}}", NULL), RPC_UNAUTHENTICATED);
	assert_int_equal(f->who.failed_auth, 1);
	assert_int_equal(one(f, "{\"jsonrpc\":\"2.0\",\"id\":1,"
	    "\"method\":\"hello\",\"params\":[\"gw\",\"gw-token\"]}", &m),
	    RPC_INVALID_PARAMS);
	assert_string_equal(json_string_value(json_object_get(json_object_get(
	    json_object_get(m, "error"), "data"), "field")), "params");
	json_decref(m);
	assert_int_equal(one(f, "{\"jsonrpc\":\"2.0\",\"id\":1,"
	    "\"method\":\"hello\",\"params\":{\"client\":\"gw\","
	    "\"token\":\"gw-token\"}}", &m), 0);
	assert_string_equal(json_string_value(json_object_get(json_object_get(
	    m, "result"), "role")), "gateway");
	json_decref(m);
	assert_int_equal(f->who.role, ROLE_GATEWAY);
	/* An audited answer waits for the open group's commit. */
	assert_int_not_equal(f->seq[0], 0);
	/* A role without the method: -32002 before any param is looked at. */
	f->who.role = ROLE_SUPERVISOR;
	assert_int_equal(one(f, "{\"jsonrpc\":\"2.0\",\"id\":1,"
	    "\"method\":\"lookup\",\"params\":[1]}", NULL), RPC_FORBIDDEN);
}

static void
test_batch_and_notifications(void **state)
{
	struct fixture	*f = *state;
	char		 line[1024];
	json_t		*m;

	send_line(f, "[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"},"
	    "{\"jsonrpc\":\"2.0\",\"method\":\"ping\"},"
	    "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"nope\"},"
	    "7]");
	assert_int_equal(f->n, 3);
	assert_int_equal(f->piece[0][0], '[');
	assert_int_equal(f->piece[1][0], ',');
	assert_int_equal(f->piece[2][0], ',');
	/* The pieces make one line: a JSON array of three answers. */
	snprintf(line, sizeof line, "%s%s%s", f->piece[0], f->piece[1],
	    f->piece[2]);
	assert_int_equal(line[strlen(line) - 1], '\n');
	assert_non_null(m = json_loads(line, 0, NULL));
	assert_int_equal(json_array_size(m), 3);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(m,
	    0), "id")), 1);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(m,
	    1), "id")), 2);
	assert_true(json_is_null(json_object_get(json_array_get(m, 2), "id")));
	json_decref(m);

	/* One response in a batch is still a batch. */
	send_line(f, "[{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"ping\"}]");
	assert_int_equal(f->n, 1);
	assert_non_null(m = json_loads(f->piece[0], 0, NULL));
	assert_true(json_is_array(m));
	json_decref(m);

	/* Notifications, alone or batched, get nothing, even when wrong. */
	send_line(f, "{\"jsonrpc\":\"2.0\",\"method\":\"nope\"}");
	assert_int_equal(f->n, 0);
	send_line(f, "[{\"jsonrpc\":\"2.0\",\"method\":\"ping\"}]");
	assert_int_equal(f->n, 0);
	send_line(f, "   ");
	assert_int_equal(f->n, 0);
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
