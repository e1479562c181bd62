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

#include "commit.h"
#include "affected.h"
#include "config.h"
#include "core.h"
#include "guard.h"
#include "jobs.h"
#include "log.h"
#include "method.h"
#include "store.h"
#include "version.h"

int
method_admin_reload(struct call *call)
{
	char	*err = NULL;
	int	 rc;

	log_notice("admin.reload by %s", call->who->client);
	rc = core_reload(call->core, &err);
	rc = call_result(call, json_pack("{s:b, s:s?}", "reloaded", rc == 0,
	    "errors", err));
	free(err);
	return rc;
}

/* A lifted suspension is in force once it is committed. */
struct enable_hook {
	struct guard	*guard;
	char		 client[PRINCIPAL_NAME_MAX + 1];
};

static void
enable_done(void *arg, int ok)
{
	struct enable_hook	*h = arg;

	if (ok)
		guard_set_suspended(h->guard, h->client, 0);
	free(h);
}

int
method_admin_client_enable(struct call *call)
{
	struct core		*core = call->core;
	struct enable_hook	*h;
	const char		*client;

	if (call_string(call, "client", 1, &client) == -1)
		return -1;
	if (config_client(core->conf, client) == NULL)
		return call_invalid(call, "client", "not a client of the conf");
	call->audit_args = json_pack("{s:s}", "client", client);
	if ((h = calloc(1, sizeof *h)) == NULL)
		return call_fail(call, RPC_INTERNAL_ERROR, NULL);
	h->guard = core->guard;
	snprintf(h->client, sizeof h->client, "%s", client);
	if (store_batch_suspend(commit_batch(core->commit), client, 0,
	    time(NULL)) == -1 || core_on_commit(core, enable_done, h) == -1) {
		free(h);
		commit_break(core->commit);
		return call_fail(call, RPC_STORAGE_UNAVAILABLE, NULL);
	}
	log_notice("client %s enabled by %s", client, call->who->client);
	return call_result(call, json_pack("{s:s, s:b}", "client", client,
	    "suspended", 0));
}

/* The answer of audit.verify from its report (rc -1: hotline.db failed). */
static int
verify_answer(struct call *call, int rc, const struct audit_report *r)
{
	json_t	*result;

	if (rc == -1)
		return call_fail(call, RPC_STORAGE_UNAVAILABLE, NULL);
	/* Only a malformed checkpoint leaves no entry to name. */
	if (!r->ok && r->bad_entry == 0)
		return call_invalid(call, "checkpoint", "must be N:HASH, as "
		    "in an \"audit checkpoint\" log line");
	result = json_pack("{s:b, s:I, s:s}", "ok", r->ok, "entries",
	    (json_int_t)r->entries, "head", r->head);
	if (result != NULL && !r->ok) {
		json_object_set_new(result, "bad_entry",
		    json_integer(r->bad_entry));
		json_object_set_new(result, "reason", json_string(r->reason));
	}
	return call_result(call, result);
}

/* An audit.verify on the jobs' thread: what it asked, what it found. */
struct verify_job {
	struct core		*core;
	uint64_t		 later;
	char			*checkpoint;	/* NULL: none */
	int			 rc;
	struct audit_report	 report;
};

static void
verify_run(struct store *s, void *arg)
{
	struct verify_job	*v = arg;

	v->rc = store_audit_verify(s, v->checkpoint, &v->report);
}

static int
verify_fill(struct call *call, void *arg)
{
	struct verify_job	*v = arg;

	return verify_answer(call, v->rc, &v->report);
}

static void
verify_done(void *arg, int ran)
{
	struct verify_job	*v = arg;

	if (ran)
		dispatch_finish(v->core, v->later, verify_fill, v);
	free(v->checkpoint);
	free(v);
}

/*
 * Reading and hashing the whole log takes seconds once it is long: on the
 * jobs' thread, with the answer's place kept (without a jobs' thread, as
 * in hotlinectl's tests of the core, here and now).
 */
int
method_audit_verify(struct call *call)
{
	struct core		*core = call->core;
	struct audit_report	 r;
	struct verify_job	*v;
	const char		*checkpoint;

	if (call_string(call, "checkpoint", 0, &checkpoint) == -1)
		return -1;
	if (core->jobs == NULL)
		return verify_answer(call, store_audit_verify(core->reader,
		    checkpoint, &r), &r);
	if ((v = calloc(1, sizeof *v)) == NULL || (checkpoint != NULL &&
	    (v->checkpoint = strdup(checkpoint)) == NULL)) {
		free(v);
		return call_fail(call, RPC_INTERNAL_ERROR, NULL);
	}
	v->core = core;
	if ((v->later = call_later(call)) == 0) {
		free(v->checkpoint);
		free(v);
		return -1;
	}
	if (jobs_add(core->jobs, verify_run, verify_done, v) == -1) {
		free(v->checkpoint);
		free(v);
		return call_fail(call, RPC_INTERNAL_ERROR, NULL);
	}
	return 0;
}

/*
 * admin.status: what a running hotlined serves, from memory only (no
 * sqlite read): version, uptime, connections, IVR sessions, the list
 * loaded and the storage's state.
 */
int
method_admin_status(struct call *call)
{
	struct core	*core = call->core;
	struct tm	 tm;
	char		 started[32], zone[8], head[CRYPTO_SHA256_HEX_SIZE];
	int64_t		 audit_n = 0;
	time_t		 now = time(NULL);

	localtime_r(&core->started, &tm);
	strftime(started, sizeof started, "%Y-%m-%dT%H:%M:%S", &tm);
	strftime(zone, sizeof zone, "%z", &tm);
	snprintf(started + strlen(started), sizeof started - strlen(started),
	    "%.3s:%.2s", zone, zone + 3);
	commit_audit_head(core->commit, &audit_n, head);
	return call_result(call, json_pack("{s:s, s:s, s:I, s:I, s:I, "
	    "s:{s:I, s:I, s:s?}, s:{s:b, s:s, s:I}}",
	    "version", HOTLINE_VERSION, "started", started,
	    "uptime_s", (json_int_t)(now - core->started),
	    "connections", (json_int_t)core->connections,
	    "ivr_sessions", (json_int_t)core->sessions.n,
	    "list", "records", (json_int_t)affected_rows(core->affected),
	    "organisations", (json_int_t)(affected_orgs(core->affected)->n - 1),
	    "built_at", *affected_built_at(core->affected) != '\0' ?
	    affected_built_at(core->affected) : NULL,
	    "storage", "ok", !commit_failed(core->commit),
	    "synchronous", core->conf->sync_full ? "full" : "normal",
	    "audit_entries", (json_int_t)audit_n));
}
