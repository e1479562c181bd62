/*
 * Admin methods (SPEC §6.2): admin.reload, admin.client_enable,
 * audit.verify, and admin.status (what hotlinectl status shows). Each is
 * audited like every other request.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "affected.h"
#include "config.h"
#include "guard.h"
#include "log.h"
#include "method.h"
#include "server.h"
#include "store.h"
#include "version.h"

int
method_admin_reload(struct rpc_call *call)
{
	char	*err = NULL;
	int	 rc;

	log_notice("admin.reload by %s", call->conn->client);
	rc = server_reload(call->srv, &err);
	call->result = json_pack("{s:b, s:s?}", "reloaded", rc == 0,
	    "errors", err);
	free(err);
	return call->result != NULL ? 0 : -1;
}

int
method_admin_client_enable(struct rpc_call *call)
{
	struct server	*srv = call->srv;
	const char	*client;

	if (rpc_param_string(call, "client", 1, &client) == -1)
		return -1;
	if (config_client(srv->conf, client) == NULL)
		return rpc_invalid_param(call, "client", "not a client of the "
		    "conf");
	call->audit_args = json_pack("{s:s}", "client", client);
	if (store_client_suspend(srv->store, client, 0, time(NULL)) == -1)
		return rpc_fail(call, RPC_STORAGE_UNAVAILABLE, NULL);
	guard_set_suspended(srv, client, 0);
	log_notice("client %s enabled by %s", client, call->conn->client);
	call->result = json_pack("{s:s, s:b}", "client", client, "suspended",
	    0);
	call->durable = 1;
	return call->result != NULL ? 0 : -1;
}

int
method_audit_verify(struct rpc_call *call)
{
	struct audit_report	 r;
	const char		*checkpoint;

	if (rpc_param_string(call, "checkpoint", 0, &checkpoint) == -1)
		return -1;
	if (store_audit_verify(call->srv->store, checkpoint, &r) == -1)
		return rpc_fail(call, RPC_STORAGE_UNAVAILABLE, NULL);
	/* Only a malformed checkpoint leaves no entry to name. */
	if (!r.ok && r.bad_entry == 0)
		return rpc_invalid_param(call, "checkpoint", "must be N:HASH, "
		    "as in an \"audit checkpoint\" log line");
	call->result = json_pack("{s:b, s:I, s:s}", "ok", r.ok, "entries",
	    (json_int_t)r.entries, "head", r.head);
	if (call->result != NULL && !r.ok) {
		json_object_set_new(call->result, "bad_entry",
		    json_integer(r.bad_entry));
		json_object_set_new(call->result, "reason",
		    json_string(r.reason));
	}
	return call->result != NULL ? 0 : -1;
}

/*
 * admin.status: what a running hotlined serves, from memory only (no
 * sqlite read): version, uptime, connections, IVR sessions, the list
 * loaded and the storage's state.
 */
int
method_admin_status(struct rpc_call *call)
{
	struct server	*srv = call->srv;
	struct tm	 tm;
	char		 started[32], zone[8], head[CRYPTO_SHA256_HEX_SIZE];
	int64_t		 audit_n;
	time_t		 now = time(NULL);

	localtime_r(&srv->started, &tm);
	strftime(started, sizeof started, "%Y-%m-%dT%H:%M:%S", &tm);
	strftime(zone, sizeof zone, "%z", &tm);
	snprintf(started + strlen(started), sizeof started - strlen(started),
	    "%.3s:%.2s", zone, zone + 3);
	store_audit_head(srv->store, &audit_n, head);
	call->result = json_pack("{s:s, s:s, s:I, s:I, s:I, s:{s:I, s:I, "
	    "s:s?}, s:{s:b, s:s, s:I}}",
	    "version", HOTLINE_VERSION, "started", started,
	    "uptime_s", (json_int_t)(now - srv->started),
	    "connections", (json_int_t)srv->nconns,
	    "ivr_sessions", (json_int_t)srv->sessions.n,
	    "list", "records", (json_int_t)affected_rows(srv->affected),
	    "organisations", (json_int_t)(affected_orgs(srv->affected)->n - 1),
	    "built_at", *affected_built_at(srv->affected) != '\0' ?
	    affected_built_at(srv->affected) : NULL,
	    "storage", "ok", !store_commit_failed(srv->store),
	    "synchronous", srv->conf->sync_full ? "full" : "normal",
	    "audit_entries", (json_int_t)audit_n);
	return call->result != NULL ? 0 : -1;
}
