/*
 * JSON-RPC 2.0 over lines: decoding, validation, the dispatch table, and
 * error replies. A bad request never closes the connection; it gets the
 * error the specification names and the connection reads on.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "config.h"
#include "conn.h"
#include "log.h"
#include "method.h"
#include "rpc.h"
#include "server.h"
#include "store.h"
#include "guard.h"

#define ROLES_ANY	(ROLE_GATEWAY | ROLE_OPERATOR | ROLE_SUPERVISOR | \
			 ROLE_ADMIN)
#define NO_AUTH		0x100	/* callable before hello */

/* Every method: who may call it and what handles it. */
static const struct {
	const char	*name;
	unsigned	 roles;
	rpc_handler	 handler;
} rpc_methods[] = {
	{ "hello",	NO_AUTH,				method_hello },
	{ "ping",	NO_AUTH,				method_ping },
	{ "lookup",	ROLE_GATEWAY | ROLE_OPERATOR,		method_lookup },
	{ "call.begin",	ROLE_GATEWAY,				method_call_begin },
	{ "call.input",	ROLE_GATEWAY,				method_call_input },
	{ "call.end",	ROLE_GATEWAY,				method_call_end },
	{ "operator.search", ROLE_OPERATOR,	method_operator_search },
	{ "operator.verify", ROLE_OPERATOR,	method_operator_verify },
	{ "notice.render", ROLE_OPERATOR,	method_notice_render },
	{ "inquiry.record", ROLE_OPERATOR,	method_inquiry_record },
	{ "stats.summary", ROLE_SUPERVISOR,	method_stats_summary },
	{ "stats.hourly", ROLE_SUPERVISOR,	method_stats_hourly },
	{ "alerts.list", ROLE_SUPERVISOR,	method_alerts_list },
	{ "admin.reload", ROLE_ADMIN,		method_admin_reload },
	{ "admin.client_enable", ROLE_ADMIN,	method_admin_client_enable },
	{ "audit.verify", ROLE_ADMIN,		method_audit_verify },
	{ "admin.status", ROLE_ADMIN,		method_admin_status },
};

static int	 audit_name_ok(const char *);
static json_t	*rpc_dispatch(struct conn *, json_t *, int *);
static int	 rpc_audit(struct conn *, struct rpc_call *);
static json_t	*rpc_result_response(json_t *, json_t *);

static const char *
rpc_error_message(int code)
{
	switch (code) {
	case RPC_PARSE_ERROR:
		return "Parse error";
	case RPC_INVALID_REQUEST:
		return "Invalid Request";
	case RPC_METHOD_NOT_FOUND:
		return "Method not found";
	case RPC_INVALID_PARAMS:
		return "Invalid params";
	case RPC_UNAUTHENTICATED:
		return "Unauthenticated";
	case RPC_FORBIDDEN:
		return "Forbidden";
	case RPC_RATE_LIMITED:
		return "Rate limited";
	case RPC_UNKNOWN_SESSION:
		return "Unknown or finished session";
	case RPC_STORAGE_UNAVAILABLE:
		return "Storage unavailable";
	default:
		return "Internal error";
	}
}

json_t *
rpc_error_response(json_t *id, int code, json_t *data)
{
	json_t	*err;

	err = json_pack("{s:i, s:s}", "code", code, "message",
	    rpc_error_message(code));
	if (err != NULL && data != NULL)
		json_object_set_new(err, "data", data);
	else
		json_decref(data);
	return json_pack("{s:s, s:O?, s:o}", "jsonrpc", "2.0", "id", id,
	    "error", err);
}

static json_t *
rpc_result_response(json_t *id, json_t *result)
{
	return json_pack("{s:s, s:O, s:O}", "jsonrpc", "2.0", "id", id,
	    "result", result);
}

int
rpc_fail(struct rpc_call *call, int code, json_t *data)
{
	call->error = code;
	json_decref(call->error_data);
	call->error_data = data;
	return -1;
}

int
rpc_invalid_param(struct rpc_call *call, const char *field,
    const char *reason)
{
	return rpc_fail(call, RPC_INVALID_PARAMS, json_pack("{s:s, s:s}",
	    "field", field, "reason", reason));
}

int
rpc_param_string(struct rpc_call *call, const char *name, int required,
    const char **out)
{
	json_t	*v = call->params ? json_object_get(call->params, name) : NULL;

	*out = NULL;
	if (v == NULL || json_is_null(v)) {
		if (required)
			return rpc_invalid_param(call, name, "required");
		return 0;
	}
	if (!json_is_string(v))
		return rpc_invalid_param(call, name, "must be a string");
	*out = json_string_value(v);
	return 0;
}

/*
 * Whether a name from the network (a method, a param) may go into the
 * audit log as it is: 1-64 of [a-z._], as every real name is. No digit
 * passes, so no phone number or date can hide in a name.
 */
static int
audit_name_ok(const char *s)
{
	size_t	n;

	for (n = 0; s[n] != '\0'; n++)
		if (n >= 64 || !((s[n] >= 'a' && s[n] <= 'z') ||
		    s[n] == '.' || s[n] == '_'))
			return 0;
	return n > 0;
}

/*
 * Validates and runs one request object. Returns its response, or NULL
 * for a notification. A malformed request is answered even without an id,
 * as JSON-RPC 2.0 asks, since it cannot be known to be a notification. *durable says whether the response reports a write.
 */
static json_t *
rpc_dispatch(struct conn *c, json_t *req, int *durable)
{
	struct rpc_call	 call;
	json_t		*id, *version, *method, *params, *resp;
	const char	*name;
	size_t		 i;
	int		 notification, known;

	*durable = 0;
	if (!json_is_object(req))
		return rpc_error_response(json_null(), RPC_INVALID_REQUEST,
		    json_pack("{s:s}", "reason", "a request is an object"));
	id = json_object_get(req, "id");
	notification = (id == NULL);
	if (id != NULL && !json_is_string(id) && !json_is_integer(id) &&
	    !json_is_real(id) && !json_is_null(id))
		return rpc_error_response(json_null(), RPC_INVALID_REQUEST,
		    json_pack("{s:s}", "reason", "id must be a string, a "
		    "number or null"));
	if (id == NULL)
		id = json_null();
	version = json_object_get(req, "jsonrpc");
	method = json_object_get(req, "method");
	params = json_object_get(req, "params");
	if (!json_is_string(version) ||
	    strcmp(json_string_value(version), "2.0") != 0)
		return rpc_error_response(id,
		    RPC_INVALID_REQUEST, json_pack("{s:s}", "reason",
		    "jsonrpc must be \"2.0\""));
	if (!json_is_string(method))
		return rpc_error_response(id,
		    RPC_INVALID_REQUEST, json_pack("{s:s}", "reason",
		    "method must be a string"));
	if (params != NULL && !json_is_object(params) && !json_is_array(params))
		return rpc_error_response(id,
		    RPC_INVALID_REQUEST, json_pack("{s:s}", "reason",
		    "params must be an object"));
	name = json_string_value(method);
	for (i = 0; i < sizeof rpc_methods / sizeof rpc_methods[0]; i++)
		if (strcmp(rpc_methods[i].name, name) == 0)
			break;
	known = i < sizeof rpc_methods / sizeof rpc_methods[0];
	if (!known && c->role == ROLE_NONE)
		return notification ? NULL : rpc_error_response(id,
		    RPC_METHOD_NOT_FOUND, NULL);
	memset(&call, 0, sizeof call);
	call.srv = c->srv;
	call.conn = c;
	call.method = known || audit_name_ok(name) ? name : "(invalid)";
	call.params = json_is_object(params) ? params : NULL;
	/* The role is checked before the params (SPEC §6.2). */
	if (known && !(rpc_methods[i].roles & NO_AUTH) &&
	    c->role == ROLE_NONE) {
		/* Not authenticated: nothing to audit, no one to name. */
		return notification ? NULL : rpc_error_response(id,
		    RPC_UNAUTHENTICATED, NULL);
	}
	if (!known)
		/* An authenticated client trying names is audited too. */
		rpc_fail(&call, RPC_METHOD_NOT_FOUND, NULL);
	else if (!(rpc_methods[i].roles & NO_AUTH) &&
	    guard_suspended(c->srv, c->client))
		/* Every request of a suspended client, whatever its role. */
		rpc_fail(&call, RPC_FORBIDDEN, json_pack("{s:s}", "reason",
		    "suspended"));
	else if (!(rpc_methods[i].roles & NO_AUTH) && c->role != ROLE_ADMIN &&
	    (rpc_methods[i].roles & c->role) == 0)
		rpc_fail(&call, RPC_FORBIDDEN, json_pack("{s:s}", "role",
		    config_role_name(c->role)));
	else if (json_is_array(params))
		rpc_invalid_param(&call, "params", "must be an object (named "
		    "params)");
	else if (rpc_methods[i].handler(&call) == 0 && call.result != NULL)
		*durable = call.durable;
	else if (call.error == 0)
		call.error = RPC_INTERNAL_ERROR;
	/*
	 * No audit entry, no answer: what the request learnt must not leave
	 * unrecorded. And an answer waits for its audit entry's commit.
	 */
	if (rpc_audit(c, &call) == -1) {
		json_decref(call.result);
		call.result = NULL;
		rpc_fail(&call, RPC_STORAGE_UNAVAILABLE, NULL);
	} else if (call.audited)
		*durable = 1;
	json_decref(call.audit_args);
	if (call.error == 0) {
		resp = notification ? NULL : rpc_result_response(id,
		    call.result);
		json_decref(call.result);
		json_decref(call.error_data);
		return resp;
	}
	json_decref(call.result);
	*durable = 0;
	if (notification) {
		json_decref(call.error_data);
		return NULL;
	}
	return rpc_error_response(id, call.error, call.error_data);
}

/*
 * Appends the request to the audit log, in the turn's transaction: every
 * authenticated request and every hello (ping, a liveness probe, is not).
 * Its arguments are what the handler chose to keep (masked), or else the
 * names of the params — names only, and only names of the shape every
 * real param has, so that no value can ride in as a key. Returns -1 if
 * the entry could not be written.
 */
static int
rpc_audit(struct conn *c, struct rpc_call *call)
{
	struct audit_entry	 e;
	json_t			*names = NULL, *v;
	const char		*key;
	char			*args, code[16];
	int			 odd = 0, rc = 0;

	if (!c->srv->conf->audit_enabled || strcmp(call->method, "ping") == 0 ||
	    (c->role == ROLE_NONE && strcmp(call->method, "hello") != 0))
		return 0;
	if (call->audit_args == NULL) {
		names = json_array();
		if (call->params != NULL)
			json_object_foreach(call->params, key, v) {
				if (audit_name_ok(key))
					json_array_append_new(names,
					    json_string(key));
				else
					odd++;
			}
		call->audit_args = json_pack("{s:o}", "params", names);
		if (odd > 0 && call->audit_args != NULL)
			json_object_set_new(call->audit_args, "other_params",
			    json_integer(odd));
	}
	args = call->audit_args != NULL ? json_dumps(call->audit_args,
	    JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	snprintf(code, sizeof code, "%d", call->error);
	memset(&e, 0, sizeof e);
	e.time = time(NULL);
	e.client = c->client[0] ? c->client : "-";
	e.role = config_role_name(c->role);
	e.method = call->method;
	e.outcome = call->error == 0 ? "ok" : code;
	e.args = args != NULL ? args : "{}";
	if (args == NULL || store_audit_append(c->srv->store, &e) == -1) {
		log_warnx("conn %llu: audit entry of %s not written",
		    (unsigned long long)c->id, call->method);
		rc = -1;
	} else
		call->audited = 1;
	free(args);
	return rc;
}

void
rpc_handle_line(struct conn *c, const char *line, size_t len)
{
	json_error_t	 jerr;
	json_t		*req, *elem, *resp, *last = NULL;
	size_t		 i, n, queued = 0;
	int		 durable, last_durable = 0;

	/* Blank lines between requests are tolerated. */
	for (i = 0; i < len && (line[i] == ' ' || line[i] == '\t'); i++)
		;
	if (i == len)
		return;
	req = json_loadb(line, len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY,
	    &jerr);
	if (req == NULL) {
		conn_queue_reply(c, rpc_error_response(json_null(),
		    RPC_PARSE_ERROR, json_pack("{s:s, s:i}", "reason",
		    "not a JSON text", "column", jerr.column)), 0, 0, 0);
		return;
	}
	if (!json_is_array(req)) {
		if ((resp = rpc_dispatch(c, req, &durable)) != NULL)
			conn_queue_reply(c, resp, durable, 0, 0);
		json_decref(req);
		return;
	}
	n = json_array_size(req);
	if (n == 0 || n > (size_t)c->srv->conf->max_batch) {
		conn_queue_reply(c, rpc_error_response(json_null(),
		    RPC_INVALID_REQUEST, json_pack("{s:s, s:i}", "reason",
		    n == 0 ? "empty batch" : "batch too large", "max_batch",
		    c->srv->conf->max_batch)), 0, 0, 0);
		json_decref(req);
		return;
	}
	/*
	 * Each response is queued as soon as the next one exists, so that
	 * the last can be marked as closing the batch.
	 */
	json_array_foreach(req, i, elem) {
		if ((resp = rpc_dispatch(c, elem, &durable)) == NULL)
			continue;
		if (last != NULL)
			conn_queue_reply(c, last, last_durable, queued == 0, 0);
		queued += last != NULL;
		last = resp;
		last_durable = durable;
	}
	if (last != NULL)
		conn_queue_reply(c, last, last_durable, queued == 0, 1);
	json_decref(req);
}
