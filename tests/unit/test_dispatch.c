/*
 * dispatch.c and the core with no socket at all: lookup, operator.search
 * and a whole IVR call driven through dispatch(), the role check before
 * the params, and what a failed commit leaves behind (nothing: the
 * retried call.end records the call once, a suspension that was not
 * committed is not in force).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <event2/buffer.h>
#include <jansson.h>
#include <sqlite3.h>

#include "commit.h"
#include "core.h"
#include "dispatch.h"
#include "guard.h"
#include "metrics.h"
#include "session.h"
#include "world.h"

/* Runs one call; returns its error code (0: a result in *out, owned). */
static int
run(struct world *w, struct principal *who, const char *method,
    const char *params, json_t **out, uint64_t *seq)
{
	struct dispatch_result	 r;
	json_t			*p = NULL;
	int			 code;

	if (params != NULL)
		assert_non_null(p = json_loads(params, 0, NULL));
	dispatch(w->core, who, method, p, &r);
	json_decref(p);
	code = r.error;
	if (seq != NULL)
		*seq = r.seq;
	if (out != NULL) {
		/* A rendered answer is JSON text: as a client reads it. */
		if (r.raw != NULL)
			assert_non_null(*out = json_loadb(r.raw, r.raw_len, 0,
			    NULL));
		else
			*out = r.result;
		r.result = NULL;
	}
	dispatch_result_clear(&r);
	return code;
}

/* The committed number of inquiries today, as a supervisor sees it. */
static long long
inquiries_today(struct world *w, const char *channel)
{
	struct principal	 sup;
	json_t			*res;
	long long		 n;

	world_principal(w, &sup, NULL, "sup");
	assert_int_equal(run(w, &sup, "stats.summary", NULL, &res, NULL), 0);
	n = channel == NULL ? json_integer_value(json_object_get(res,
	    "inquiries")) : json_integer_value(json_object_get(json_object_get(
	    res, "by_channel"), channel));
	json_decref(res);
	return n;
}

static void
test_lookup(void **state)
{
	struct world		*w;
	struct principal	 gw;
	json_t			*res;
	uint64_t		 seq;

	(void)state;
	assert_non_null(w = world_new(NULL));
	world_principal(w, &gw, NULL, "gw");
	assert_int_equal(gw.role, ROLE_GATEWAY);
	assert_int_equal(run(w, &gw, "lookup", "{\"phone\": \"080-3333-4444\","
	    "\"birthdate\": \"昭和45年12月3日\"}", &res, &seq), 0);
	assert_string_equal(json_string_value(json_object_get(res, "status")),
	    "affected");
	assert_int_equal(json_array_size(json_object_get(res, "matches")), 2);
	assert_non_null(strstr(json_string_value(json_object_get(res,
	    "notice")), "警察相談専用電話"));
	assert_true(json_integer_value(json_object_get(res, "inquiry")) > 0);
	/* The answer waits for the open group; nothing is durable yet. */
	assert_int_equal(seq, commit_seq(w->core->commit));
	assert_int_equal(inquiries_today(w, NULL), 0);
	assert_int_equal(core_commit(w->core), 0);
	assert_int_equal(inquiries_today(w, "api"), 1);
	json_decref(res);

	/* Bad params name their field and change nothing. */
	assert_int_equal(run(w, &gw, "lookup", "{\"phone\": \"110\","
	    "\"birthdate\": \"1970-12-03\"}", &res, NULL), RPC_INVALID_PARAMS);
	assert_int_equal(core_commit(w->core), 0);
	assert_int_equal(inquiries_today(w, NULL), 1);
	world_free(w);
}

static void
test_roles_before_params(void **state)
{
	struct world		*w;
	struct principal	 sup, none;
	uint64_t		 seq;

	(void)state;
	assert_non_null(w = world_new(NULL));
	world_principal(w, &sup, NULL, "sup");
	world_principal(w, &none, NULL, "nobody");
	assert_int_equal(none.role, ROLE_NONE);
	assert_int_equal(run(w, &sup, "lookup", "[1]", NULL, &seq),
	    RPC_FORBIDDEN);
	/* Audited: the error waits for its audit entry's commit. */
	assert_int_not_equal(seq, 0);
	assert_int_equal(run(w, &none, "lookup", "{}", NULL, &seq),
	    RPC_UNAUTHENTICATED);
	assert_int_equal(seq, 0);
	assert_int_equal(run(w, &none, "ping", NULL, NULL, &seq), 0);
	assert_int_equal(seq, 0);
	assert_int_equal(run(w, &sup, "no.such", NULL, NULL, NULL),
	    RPC_METHOD_NOT_FOUND);
	world_free(w);
}

static void
test_operator_search(void **state)
{
	struct world		*w;
	struct principal	 op, op2;
	json_t			*res, *cands, *c;
	char			 params[256];
	size_t			 i;
	int			 phone_match = 0;

	(void)state;
	assert_non_null(w = world_new(NULL));
	world_principal(w, &op, NULL, "op");
	world_principal(w, &op2, NULL, "op2");
	assert_int_equal(run(w, &op, "operator.search", "{\"kana\": "
	    "\"すずき はなこ\", \"birthdate\": \"1970-12-03\", \"phone\": "
	    "\"08033334444\"}", &res, NULL), 0);
	cands = json_object_get(res, "candidates");
	assert_int_equal(json_array_size(cands), 2);
	json_array_foreach(cands, i, c) {
		assert_true(strlen(json_string_value(json_object_get(c,
		    "ref"))) >= 16);
		phone_match += strcmp(json_string_value(json_object_get(
		    json_object_get(c, "checks"), "phone")), "match") == 0;
	}
	assert_int_equal(phone_match, 2);
	/* A ref verifies for its operator only. */
	c = json_array_get(cands, 0);
	snprintf(params, sizeof params, "{\"ref\": \"%s\", \"gender\": \"F\"}",
	    json_string_value(json_object_get(c, "ref")));
	assert_int_equal(run(w, &op2, "operator.verify", params, NULL, NULL),
	    RPC_INVALID_PARAMS);
	assert_int_equal(run(w, &op, "operator.verify", params, NULL, NULL),
	    0);
	json_decref(res);
	world_free(w);
}

/* The action kinds of a result: "say:greeting,collect:birthdate,...". */
static void
kinds(json_t *res, char *out, size_t len)
{
	json_t	*a;
	size_t	 i, o = 0;

	out[0] = '\0';
	json_array_foreach(json_object_get(res, "actions"), i, a) {
		o += (size_t)snprintf(out + o, len - o, "%s%s", i ? "," : "",
		    json_string_value(json_object_get(a, "type")));
		if (json_object_get(a, "prompt") != NULL)
			o += (size_t)snprintf(out + o, len - o, ":%s",
			    json_string_value(json_object_get(a, "prompt")));
		if (json_object_get(a, "field") != NULL)
			o += (size_t)snprintf(out + o, len - o, ":%s",
			    json_string_value(json_object_get(a, "field")));
	}
}

/* Begins a call of gw; returns its session id (static). */
static const char *
begin(struct world *w, struct principal *gw, const char *ani)
{
	static char	 id[SESSION_ID_LEN + 1];
	char		 params[128], got[512];
	json_t		*res;

	snprintf(params, sizeof params, "{\"call_id\": \"c-1\", \"ani\": "
	    "\"%s\"}", ani);
	assert_int_equal(run(w, gw, "call.begin", params, &res, NULL), 0);
	kinds(res, got, sizeof got);
	assert_string_equal(got, "say:greeting,say:fraud_warning,"
	    "say:ask_birthdate,collect:birthdate");
	snprintf(id, sizeof id, "%s", json_string_value(json_object_get(res,
	    "session")));
	json_decref(res);
	return id;
}

static void
test_ivr_call(void **state)
{
	struct world		*w;
	struct principal	 gw, other;
	struct session_owner	 owner, owner2;
	const char		*id;
	char			 params[128], got[512];
	json_t			*res;

	(void)state;
	assert_non_null(w = world_new(NULL));
	world_principal(w, &gw, &owner, "gw");
	world_principal(w, &other, &owner2, "gw");
	id = begin(w, &gw, "08033334444");
	assert_int_equal(w->core->sessions.n, 1);
	/* A session is its owner's: another owner gets -32004. */
	snprintf(params, sizeof params, "{\"session\": \"%s\", \"digits\": "
	    "\"19701203#\"}", id);
	assert_int_equal(run(w, &other, "call.input", params, NULL, NULL),
	    RPC_UNKNOWN_SESSION);
	assert_int_equal(run(w, &gw, "call.input", params, &res, NULL), 0);
	kinds(res, got, sizeof got);
	assert_string_equal(got, "say:notice_affected,say:notice_org,"
	    "say:notice_org,say:notice_apology,say:menu,collect:menu");
	json_decref(res);
	snprintf(params, sizeof params, "{\"session\": \"%s\", \"digits\": "
	    "\"9\"}", id);
	assert_int_equal(run(w, &gw, "call.input", params, &res, NULL), 0);
	kinds(res, got, sizeof got);
	assert_string_equal(got, "say:fraud_warning,say:goodbye,hangup");
	json_decref(res);
	snprintf(params, sizeof params, "{\"session\": \"%s\"}", id);
	assert_int_equal(run(w, &gw, "call.end", params, &res, NULL), 0);
	assert_string_equal(json_string_value(json_object_get(res,
	    "outcome")), "affected");
	json_decref(res);
	/* Ended: no second end, and gone once committed. */
	assert_int_equal(run(w, &gw, "call.end", params, NULL, NULL),
	    RPC_UNKNOWN_SESSION);
	assert_int_equal(w->core->sessions.n, 1);
	assert_int_equal(core_commit(w->core), 0);
	assert_int_equal(w->core->sessions.n, 0);
	assert_int_equal(inquiries_today(w, "ivr"), 1);

	/* An owner that goes away abandons its calls. */
	(void)begin(w, &gw, "09011112222");
	session_end_owner(w->core, &owner, "connection closed");
	assert_int_equal(core_commit(w->core), 0);
	assert_int_equal(w->core->sessions.n, 0);
	assert_int_equal(inquiries_today(w, "ivr"), 2);
	world_free(w);
}

/* Another process's write lock on hotline.db: every commit fails. */
static sqlite3 *
lock_store(struct world *w)
{
	sqlite3	*db;
	char	 path[128];

	snprintf(path, sizeof path, "%s/hotline.db", w->dir);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL),
	    SQLITE_OK);
	return db;
}

static void
unlock_store(sqlite3 *db)
{
	assert_int_equal(sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL),
	    SQLITE_OK);
	sqlite3_close(db);
}

static void
test_failed_commit_call_end(void **state)
{
	struct world		*w;
	struct principal	 gw;
	struct session_owner	 owner;
	const char		*id;
	char			 params[128];
	json_t			*res;
	sqlite3			*lock;
	int64_t			 first;

	(void)state;
	assert_non_null(w = world_new(NULL));
	world_principal(w, &gw, &owner, "gw");
	id = begin(w, &gw, "09011112222");
	assert_int_equal(core_commit(w->core), 0);
	snprintf(params, sizeof params, "{\"session\": \"%s\"}", id);
	lock = lock_store(w);
	assert_int_equal(run(w, &gw, "call.end", params, &res, NULL), 0);
	first = json_integer_value(json_object_get(res, "inquiry"));
	json_decref(res);
	/* The commit fails: the answer becomes -32005, the call is open. */
	assert_int_equal(core_commit(w->core), -1);
	assert_int_equal(w->core->sessions.n, 1);
	unlock_store(lock);
	assert_int_equal(run(w, &gw, "call.end", params, &res, NULL), 0);
	/* Retried, it records the call once, under a new id. */
	assert_true(json_integer_value(json_object_get(res, "inquiry")) >
	    first);
	json_decref(res);
	assert_int_equal(core_commit(w->core), 0);
	assert_int_equal(w->core->sessions.n, 0);
	assert_int_equal(inquiries_today(w, "ivr"), 1);
	world_free(w);
}

static void
test_failed_commit_suspension(void **state)
{
	struct world		*w;
	struct principal	 gw, adm;
	const char		*lookup = "{\"phone\": \"0312345678\", "
	    "\"birthdate\": \"1950-01-15\"}";
	sqlite3			*lock;

	(void)state;
	assert_non_null(w = world_new("alerts = { threshold = 1; "
	    "suspend = true; };"));
	world_principal(w, &gw, NULL, "gw");
	world_principal(w, &adm, NULL, "adm");
	assert_int_equal(run(w, &gw, "lookup", lookup, NULL, NULL), 0);
	assert_int_equal(core_commit(w->core), 0);
	lock = lock_store(w);
	/* The second lookup crosses the threshold; its alert is not kept. */
	assert_int_equal(run(w, &gw, "lookup", lookup, NULL, NULL), 0);
	assert_int_equal(core_commit(w->core), -1);
	assert_false(guard_suspended(w->core->guard, "gw"));
	unlock_store(lock);
	/* The next crossing alerts again, and this one is in force. */
	assert_int_equal(run(w, &gw, "lookup", lookup, NULL, NULL), 0);
	assert_false(guard_suspended(w->core->guard, "gw"));
	assert_int_equal(core_commit(w->core), 0);
	assert_true(guard_suspended(w->core->guard, "gw"));
	assert_int_equal(run(w, &gw, "lookup", lookup, NULL, NULL),
	    RPC_FORBIDDEN);
	/* An enable that fails to commit leaves the suspension in force. */
	lock = lock_store(w);
	assert_int_equal(run(w, &adm, "admin.client_enable",
	    "{\"client\": \"gw\"}", NULL, NULL), 0);
	assert_int_equal(core_commit(w->core), -1);
	assert_true(guard_suspended(w->core->guard, "gw"));
	unlock_store(lock);
	assert_int_equal(run(w, &adm, "admin.client_enable",
	    "{\"client\": \"gw\"}", NULL, NULL), 0);
	assert_int_equal(core_commit(w->core), 0);
	assert_false(guard_suspended(w->core->guard, "gw"));
	world_free(w);
}

static void
test_failed_commit_open_inquiry(void **state)
{
	struct world		*w;
	struct principal	 op;
	json_t			*res;
	char			 params[128];
	sqlite3			*lock;
	long long		 id;

	(void)state;
	assert_non_null(w = world_new(NULL));
	world_principal(w, &op, NULL, "op");
	assert_int_equal(run(w, &op, "lookup", "{\"phone\": \"0312345678\", "
	    "\"birthdate\": \"1950-01-15\"}", &res, NULL), 0);
	id = json_integer_value(json_object_get(res, "inquiry"));
	json_decref(res);
	assert_int_equal(core_commit(w->core), 0);
	snprintf(params, sizeof params, "{\"inquiry\": %lld, \"outcome\": "
	    "\"transferred\", \"duration_s\": 60}", id);
	lock = lock_store(w);
	assert_int_equal(run(w, &op, "inquiry.record", params, NULL, NULL), 0);
	/* Completing while that commits: already taken. */
	assert_int_equal(run(w, &op, "inquiry.record", params, NULL, NULL),
	    RPC_INVALID_PARAMS);
	assert_int_equal(core_commit(w->core), -1);
	unlock_store(lock);
	/* Not completed after all: it can be, once. */
	assert_int_equal(run(w, &op, "inquiry.record", params, NULL, NULL), 0);
	assert_int_equal(core_commit(w->core), 0);
	assert_int_equal(run(w, &op, "inquiry.record", params, NULL, NULL),
	    RPC_INVALID_PARAMS);
	assert_int_equal(inquiries_today(w, "operator"), 1);
	world_free(w);
}

/* The exposition's line for a series, e.g. a counter with its labels. */
static long long
metric(struct world *w, const char *series)
{
	struct evbuffer	*b;
	char		*text, *at;
	long long	 v = -1;

	assert_non_null(b = evbuffer_new());
	assert_int_equal(metrics_render(w->core->metrics, b), 0);
	evbuffer_add(b, "", 1);
	text = (char *)evbuffer_pullup(b, -1);
	/* A sample's line, not its HELP or TYPE line. */
	for (at = text; (at = strstr(at, series)) != NULL; at++)
		if (at == text || at[-1] == '\n') {
			v = strtoll(at + strlen(series), NULL, 10);
			break;
		}
	evbuffer_free(b);
	return v;
}

/* What the wallboard and /metrics show is what was committed, only. */
static void
test_live_and_metrics(void **state)
{
	struct world		*w;
	struct principal	 gw, sup;
	struct session_owner	 owner;
	const char		*lookup = "{\"phone\": \"0312345678\", "
	    "\"birthdate\": \"1950-01-15\"}";
	const char		*series = "hotline_inquiries_total{channel=\"api\","
	    "outcome=\"affected\"} ";
	json_t			*res;
	sqlite3			*lock;

	(void)state;
	assert_non_null(w = world_new(NULL));
	world_principal(w, &gw, &owner, "gw");
	world_principal(w, &sup, NULL, "sup");
	assert_int_equal(run(w, &gw, "lookup", lookup, NULL, NULL), 0);
	assert_int_equal(metric(w, series), 0);
	assert_int_equal(core_commit(w->core), 0);
	assert_int_equal(metric(w, series), 1);
	lock = lock_store(w);
	assert_int_equal(run(w, &gw, "lookup", lookup, NULL, NULL), 0);
	assert_int_equal(core_commit(w->core), -1);
	unlock_store(lock);
	assert_int_equal(metric(w, series), 1);
	assert_int_equal(metric(w, "hotline_commit_failures_total "), 1);
	(void)begin(w, &gw, "09011112222");
	assert_int_equal(metric(w, "hotline_sessions_open{kind=\"ivr\"} "),
	    1);
	assert_int_equal(run(w, &sup, "stats.live", "{\"top\": 5}", &res,
	    NULL), 0);
	assert_int_equal(json_integer_value(json_object_get(res,
	    "inquiries")), 1);
	assert_int_equal(json_integer_value(json_object_get(res,
	    "calls_now")), 1);
	assert_string_equal(json_string_value(json_object_get(json_array_get(
	    json_object_get(res, "top_orgs"), 0), "code")), "unknown");
	json_decref(res);
	assert_int_equal(run(w, &sup, "stats.live", "{\"top\": 50}", NULL,
	    NULL), RPC_INVALID_PARAMS);
	assert_int_equal(run(w, &gw, "stats.live", NULL, NULL, NULL),
	    RPC_FORBIDDEN);
	world_free(w);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lookup),
		cmocka_unit_test(test_roles_before_params),
		cmocka_unit_test(test_operator_search),
		cmocka_unit_test(test_ivr_call),
		cmocka_unit_test(test_failed_commit_call_end),
		cmocka_unit_test(test_failed_commit_suspension),
		cmocka_unit_test(test_failed_commit_open_inquiry),
		cmocka_unit_test(test_live_and_metrics),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
