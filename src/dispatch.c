/*
 * The method table and the one path every call takes through it: role
 * and suspension checks, the rate limit, the handler, the bulk-lookup
 * counting and its alert, and the audit entry. Front ends bring a
 * principal and a call; handlers bring answers; everything between is
 * here, declared once per method.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "alerts.h"
#include "commit.h"
#include "config.h"
#include "core.h"
#include "dispatch.h"
#include "guard.h"
#include "log.h"
#include "method.h"
#include "metrics.h"
#include "prompt.h"
#include "store.h"


/* What a call's lookups count as (call.counted says how many it made). */
enum counts {
	COUNTS_NOTHING = 0,
	COUNTS_LOOKUP,		/* statistics' lookups, the bulk window */
	COUNTS_SEARCH,		/* statistics' searches, the bulk window */
	COUNTS_CHECK,		/* the bulk window only */
};

#define M_NO_AUTH	0x1	/* callable before hello */
#define M_AUDITED	0x2	/* each call is an audit entry */
#define M_RATE		0x4	/* takes a token of the client's bucket */

static const struct method {
	const char	*name;
	unsigned	 roles;		/* admin may call everything */
	enum counts	 counts;
	unsigned	 flags;
	method_fn	 handler;
} methods[] = {
	{ "hello", 0, COUNTS_NOTHING, M_NO_AUTH | M_AUDITED, method_hello },
	{ "ping", 0, COUNTS_NOTHING, M_NO_AUTH, method_ping },
	{ "lookup", ROLE_GATEWAY | ROLE_OPERATOR, COUNTS_LOOKUP,
	  M_AUDITED | M_RATE, method_lookup },
	{ "call.begin", ROLE_GATEWAY, COUNTS_NOTHING, M_AUDITED,
	  method_call_begin },
	{ "call.input", ROLE_GATEWAY, COUNTS_CHECK, M_AUDITED,
	  method_call_input },
	{ "call.end", ROLE_GATEWAY, COUNTS_NOTHING, M_AUDITED,
	  method_call_end },
	{ "operator.search", ROLE_OPERATOR, COUNTS_SEARCH, M_AUDITED,
	  method_operator_search },
	{ "operator.verify", ROLE_OPERATOR, COUNTS_CHECK, M_AUDITED,
	  method_operator_verify },
	{ "notice.render", ROLE_OPERATOR, COUNTS_NOTHING, M_AUDITED,
	  method_notice_render },
	{ "inquiry.record", ROLE_OPERATOR, COUNTS_NOTHING, M_AUDITED,
	  method_inquiry_record },
	{ "stats.summary", ROLE_SUPERVISOR, COUNTS_NOTHING, M_AUDITED,
	  method_stats_summary },
	{ "stats.hourly", ROLE_SUPERVISOR, COUNTS_NOTHING, M_AUDITED,
	  method_stats_hourly },
	{ "stats.live", ROLE_SUPERVISOR, COUNTS_NOTHING, M_AUDITED,
	  method_stats_live },
	{ "alerts.list", ROLE_SUPERVISOR, COUNTS_NOTHING, M_AUDITED,
	  method_alerts_list },
	{ "alerts.ack", ROLE_SUPERVISOR, COUNTS_NOTHING, M_AUDITED,
	  method_alerts_ack },
	{ "admin.reload", ROLE_ADMIN, COUNTS_NOTHING, M_AUDITED,
	  method_admin_reload },
	{ "admin.client_enable", ROLE_ADMIN, COUNTS_NOTHING, M_AUDITED,
	  method_admin_client_enable },
	{ "audit.verify", ROLE_ADMIN, COUNTS_NOTHING, M_AUDITED,
	  method_audit_verify },
	{ "admin.status", ROLE_ADMIN, COUNTS_NOTHING, M_AUDITED,
	  method_admin_status },
};
#define NMETHODS	(sizeof methods / sizeof methods[0])

const char *const *
dispatch_methods(size_t *n)
{
	static const char	*names[NMETHODS];
	size_t			 i;

	for (i = 0; i < NMETHODS; i++)
		names[i] = methods[i].name;
	*n = NMETHODS;
	return names;
}

const char *
dispatch_error_message(int code)
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

int
call_fail(struct call *call, int code, json_t *data)
{
	call->error = code;
	json_decref(call->error_data);
	call->error_data = data;
	return -1;
}

int
call_invalid(struct call *call, const char *field, const char *reason)
{
	return call_fail(call, RPC_INVALID_PARAMS, json_pack("{s:s, s:s}",
	    "field", field, "reason", reason));
}

int
call_string(struct call *call, const char *name, int required,
    const char **out)
{
	json_t	*v = call->params ? json_object_get(call->params, name) : NULL;

	*out = NULL;
	if (v == NULL || json_is_null(v)) {
		if (required)
			return call_invalid(call, name, "required");
		return 0;
	}
	if (!json_is_string(v))
		return call_invalid(call, name, "must be a string");
	*out = json_string_value(v);
	return 0;
}

int
call_lang(struct call *call, const char **lang)
{
	if (call_string(call, "lang", 0, lang) == -1)
		return -1;
	if (*lang != NULL && !prompt_lang_valid(*lang))
		return call_invalid(call, "lang", "must be \"ja\" or \"en\"");
	*lang = core_lang(call->core, *lang);
	return 0;
}

int
call_result(struct call *call, json_t *result)
{
	json_decref(call->result);
	call->result = result;
	return result != NULL ? 0 : call_fail(call, RPC_INTERNAL_ERROR, NULL);
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

/* An alert was committed, or not: the suspension is in force, or not. */
struct alert_hook {
	struct core	*core;
	int64_t		 id;
	int		 suspend;
	char		 client[PRINCIPAL_NAME_MAX + 1];
};

static void
alert_done(void *arg, int ok)
{
	struct alert_hook	*h = arg;

	if (ok) {
		(void)alerts_add(h->core->alerts, h->id);
		core_alerts_changed(h->core);
		if (h->suspend)
			guard_set_suspended(h->core->guard, h->client, 1);
	} else
		guard_alert_lost(h->core->guard, h->client);
	free(h);
}

/*
 * A client crossed the bulk-lookup threshold (SPEC §7): a warning, the
 * alert row, its audit entry, and the suspension when the conf asks —
 * in force once that is committed.
 */
static void
raise_alert(struct core *core, const struct principal *who, int count,
    time_t now)
{
	const struct config	*conf = core->conf;
	struct store_batch	*b = commit_batch(core->commit);
	struct store_alert	 a;
	struct audit_entry	 e;
	struct alert_hook	*h;
	char			 args[96];

	memset(&a, 0, sizeof a);
	a.id = core->next_alert++;
	a.time = now;
	snprintf(a.client, sizeof a.client, "%s", who->client);
	snprintf(a.role, sizeof a.role, "%s", config_role_name(who->role));
	snprintf(a.kind, sizeof a.kind, "bulk_lookup");
	a.count = count;
	a.window_s = conf->alert_window_s;
	a.suspended = conf->alert_suspend;
	log_warnx("ALERT: bulk lookups: client %s (%s) made %d lookups and "
	    "searches in %d s (threshold %d)%s", a.client, a.role, a.count,
	    a.window_s, conf->alert_threshold, a.suspended ?
	    "; suspended until admin.client_enable" : "");
	if ((h = calloc(1, sizeof *h)) == NULL) {
		commit_break(core->commit);
		return;
	}
	h->core = core;
	h->id = a.id;
	h->suspend = a.suspended;
	snprintf(h->client, sizeof h->client, "%s", a.client);
	if (store_batch_alert(b, &a) == -1 || (a.suspended &&
	    store_batch_suspend(b, a.client, 1, now) == -1))
		commit_break(core->commit);
	if (conf->audit_enabled) {
		snprintf(args, sizeof args, "{\"count\":%d,\"suspended\":%s,"
		    "\"window_s\":%d}", a.count, a.suspended ? "true" : "false",
		    a.window_s);
		memset(&e, 0, sizeof e);
		e.time = now;
		e.client = a.client;
		e.role = a.role;
		e.method = "alert.bulk_lookup";
		e.outcome = "raised";
		e.args = args;
		if (store_batch_audit(b, &e) == -1)
			commit_break(core->commit);
	}
	if (core_on_commit(core, alert_done, h) == -1)
		free(h);
}

/* What the call's lookups count as, and the alert they may raise. */
static void
count_call(struct core *core, const struct principal *who,
    const struct method *m, int n, time_t now)
{
	const char	*role = config_role_name(who->role);
	int		 i, count;

	if (n <= 0 || m->counts == COUNTS_NOTHING)
		return;
	if ((m->counts == COUNTS_LOOKUP || m->counts == COUNTS_SEARCH) &&
	    store_batch_request(commit_batch(core->commit), now, who->client,
	    role, m->counts == COUNTS_LOOKUP ? n : 0,
	    m->counts == COUNTS_SEARCH ? n : 0) == -1)
		commit_break(core->commit);
	for (i = 0; i < n; i++)
		if (guard_count(core->guard, core->conf, who->client, now,
		    &count))
			raise_alert(core, who, count, now);
}

/*
 * Appends the call to the audit log: every authenticated request and
 * every hello (ping, a liveness probe, is not). Its arguments are what the
 * handler chose to keep (masked), or else the names of the params — names
 * only, and only names of the shape every real param has, so that no
 * value can ride in as a key. Returns -1 if the entry could not be kept.
 */
static int
audit_call(struct core *core, const struct principal *who,
    struct call *call, time_t now)
{
	struct audit_entry	 e;
	json_t			*names = NULL, *v;
	const char		*key, *args = call->audit_text;
	char			*dumped = NULL, code[16];
	int			 odd = 0, rc = 0;

	if (args == NULL && call->audit_args == NULL) {
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
	if (args == NULL && call->audit_args != NULL)
		args = dumped = json_dumps(call->audit_args, JSON_COMPACT |
		    JSON_SORT_KEYS);
	snprintf(code, sizeof code, "%d", call->error);
	memset(&e, 0, sizeof e);
	e.time = now;
	e.client = who->client[0] ? who->client : "-";
	e.role = config_role_name(who->role);
	e.method = call->method;
	e.outcome = call->error == 0 ? "ok" : code;
	e.args = args;
	if (args == NULL || store_batch_audit(commit_batch(core->commit),
	    &e) == -1) {
		log_warnx("%s: audit entry of %s not kept", who->origin,
		    call->method);
		commit_break(core->commit);
		rc = -1;
	}
	free(dumped);
	return rc;
}

/*
 * A call whose work is done off the loop, between dispatch() and
 * dispatch_finish(): what its counting and audit entry need then, and
 * where its answer goes. Owned by core->later's list.
 */
struct later {
	struct later		*next;
	uint64_t		 id;
	const struct method	*m;
	struct principal	 who;		/* as it was when it asked */
	json_t			*params;	/* a reference */
	json_t			*audit_args;
	later_fn		 to;		/* NULL: nobody waits */
	void			*to_arg;
};

uint64_t
call_later(struct call *call)
{
	struct core	*core = call->core;
	struct later	*l;

	if ((l = calloc(1, sizeof *l)) == NULL) {
		call_fail(call, RPC_INTERNAL_ERROR, NULL);
		return 0;
	}
	l->id = ++core->next_later;
	l->who = *call->who;
	l->who.owner = NULL;
	l->params = json_incref(call->params);
	l->next = core->later;
	core->later = l;
	call->later = l;
	return l->id;
}

/* Where the later call id is linked (*slot NULL: nowhere). */
static struct later **
later_slot(struct core *core, uint64_t id)
{
	struct later	**lp;

	for (lp = &core->later; *lp != NULL; lp = &(*lp)->next)
		if ((*lp)->id == id)
			break;
	return lp;
}

/* Unlinks and returns the later call id, or NULL. */
static struct later *
later_take(struct core *core, uint64_t id)
{
	struct later	**lp = later_slot(core, id), *l = *lp;

	if (l != NULL)
		*lp = l->next;
	return l;
}

static void
later_free(struct later *l)
{
	if (l == NULL)
		return;
	json_decref(l->params);
	json_decref(l->audit_args);
	free(l);
}

void
dispatch_later_to(struct core *core, uint64_t id, later_fn fn, void *arg)
{
	struct later	*l;

	if ((l = *later_slot(core, id)) != NULL) {
		l->to = fn;
		l->to_arg = arg;
	}
}

void
dispatch_later_drop(struct core *core, uint64_t id)
{
	dispatch_later_to(core, id, NULL, NULL);
}

void
dispatch_later_clear(struct core *core)
{
	struct later	*l;

	while ((l = core->later) != NULL) {
		core->later = l->next;
		later_free(l);
	}
}

/*
 * What every call ends with, once its handler is done: the counting of
 * its lookups, its audit entry, and the answer in r.
 */
static void
call_close(struct core *core, const struct principal *who,
    const struct method *m, struct call *call, time_t now, size_t pending,
    struct dispatch_result *r)
{
	if (m != NULL)
		count_call(core, who, m, call->counted, now);
	/*
	 * No audit entry, no answer: what the request learnt must not leave
	 * unrecorded. And an answer waits for its audit entry's commit.
	 */
	if (core->conf->audit_enabled && (m == NULL ||
	    (m->flags & M_AUDITED)) && (who->role != ROLE_NONE ||
	    strcmp(call->method, "hello") == 0) &&
	    audit_call(core, who, call, now) == -1) {
		json_decref(call->result);
		call->result = NULL;
		call->raw = NULL;
		call_fail(call, RPC_STORAGE_UNAVAILABLE, NULL);
	}
	json_decref(call->audit_args);
	call->audit_args = NULL;
	if (commit_pending(core->commit) != pending)
		r->seq = commit_seq(core->commit);
	r->result = call->result;
	r->raw = call->error == 0 ? call->raw : NULL;
	r->raw_len = call->raw_len;
	r->error = call->error;
	r->error_data = call->error_data;
	r->durable = r->error == 0 && r->seq != 0;
}

/* A handler's failure, or no answer at all: an error, no result. */
static void
call_failed(struct call *call)
{
	if (call->error == 0)
		call->error = RPC_INTERNAL_ERROR;
	json_decref(call->result);
	call->result = NULL;
	call->raw = NULL;
}

void
dispatch(struct core *core, struct principal *who, const char *name,
    json_t *params, struct dispatch_result *r)
{
	const struct method	*m = NULL;
	struct call		 call;
	struct timespec		 mono, t0;
	size_t			 i, pending = commit_pending(core->commit);
	time_t			 now = time(NULL);
	int			 retry;

	memset(r, 0, sizeof *r);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < NMETHODS; i++)
		if (strcmp(methods[i].name, name) == 0) {
			m = &methods[i];
			break;
		}
	if (m == NULL && who->role == ROLE_NONE) {
		r->error = RPC_METHOD_NOT_FOUND;
		goto measured;
	}
	/* Not authenticated: nothing to audit, no one to name. */
	if (m != NULL && !(m->flags & M_NO_AUTH) && who->role == ROLE_NONE) {
		r->error = RPC_UNAUTHENTICATED;
		goto measured;
	}
	memset(&call, 0, sizeof call);
	call.core = core;
	call.who = who;
	call.method = m != NULL || audit_name_ok(name) ? name : "(invalid)";
	call.params = json_is_object(params) ? params : NULL;
	/* The role is checked before the params (SPEC §6.2). */
	if (m == NULL)
		/* An authenticated client trying names is audited too. */
		call_fail(&call, RPC_METHOD_NOT_FOUND, NULL);
	else if (!(m->flags & M_NO_AUTH) && guard_suspended(core->guard,
	    who->client))
		/* Every request of a suspended client, whatever its role. */
		call_fail(&call, RPC_FORBIDDEN, json_pack("{s:s}", "reason",
		    "suspended"));
	else if (!(m->flags & M_NO_AUTH) && who->role != ROLE_ADMIN &&
	    (m->roles & who->role) == 0)
		call_fail(&call, RPC_FORBIDDEN, json_pack("{s:s}", "role",
		    config_role_name(who->role)));
	else if (json_is_array(params))
		call_invalid(&call, "params", "must be an object (named "
		    "params)");
	else if ((m->flags & M_RATE) && (clock_gettime(CLOCK_MONOTONIC,
	    &mono), guard_rate(core->guard, core->conf, who->client,
	    (double)mono.tv_sec + (double)mono.tv_nsec / 1e9, &retry) == -1))
		call_fail(&call, RPC_RATE_LIMITED, json_pack("{s:i}",
		    "retry_after_s", retry)), metrics_count(core->metrics,
		    METRICS_RATE_LIMITED_CLIENT, 1);
	else if (m->handler(&call) == -1 || call.error != 0 ||
	    (call.later == NULL && call.result == NULL && call.raw == NULL))
		call_failed(&call);
	if (call.later != NULL && call.error != 0) {
		/* Its work was not queued after all: answered now. */
		later_free(later_take(core, call.later->id));
		call.later = NULL;
	}
	if (call.later != NULL) {
		/* Counted and audited when it is done, with what it found. */
		call.later->m = m;
		call.later->audit_args = call.audit_args;
		r->later = call.later->id;
		goto measured;
	}
	call_close(core, who, m, &call, now, pending, r);
measured:
	clock_gettime(CLOCK_MONOTONIC, &mono);
	metrics_request(core->metrics, m != NULL ? (size_t)(m - methods) :
	    NMETHODS, r->error, (uint64_t)((mono.tv_sec - t0.tv_sec) *
	    1000000000LL + (mono.tv_nsec - t0.tv_nsec)));
}

void
dispatch_finish(struct core *core, uint64_t id,
    int (*fill)(struct call *, void *), void *arg)
{
	struct dispatch_result	 r;
	struct call		 call;
	struct later		*l;
	size_t			 pending = commit_pending(core->commit);

	if ((l = later_take(core, id)) == NULL)
		return;
	memset(&r, 0, sizeof r);
	memset(&call, 0, sizeof call);
	call.core = core;
	call.who = &l->who;
	call.method = l->m->name;
	call.params = l->params;
	call.audit_args = l->audit_args;
	l->audit_args = NULL;
	if (fill(&call, arg) == -1 || call.error != 0 ||
	    (call.result == NULL && call.raw == NULL))
		call_failed(&call);
	call_close(core, &l->who, l->m, &call, time(NULL), pending, &r);
	if (l->to != NULL)
		l->to(l->to_arg, &r);
	dispatch_result_clear(&r);
	later_free(l);
}

void
dispatch_result_clear(struct dispatch_result *r)
{
	json_decref(r->result);
	json_decref(r->error_data);
	r->result = r->error_data = NULL;
}
