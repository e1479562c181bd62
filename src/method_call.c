/*
 * call.begin, call.input, call.end: the JSON-RPC face of the IVR engine
 * (ivr.c) for telephony gateways. This file only translates: params in,
 * actions out, sessions found and ended.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "config.h"
#include "conn.h"
#include "guard.h"
#include "ivr.h"
#include "log.h"
#include "method.h"
#include "prompt.h"
#include "server.h"
#include "session.h"

#define DIGITS_MAX	32	/* keyed digits in one call.input */
#define TEXT_MAX	64	/* call_id, reason */

static json_t	*actions_json(const struct ivr_actions *);
static json_t	*audio_json(const struct ivr_action *);
static int	 printable(const char *, size_t);
static void	 env_of(struct server *, struct ivr_env *);

static void
env_of(struct server *srv, struct ivr_env *env)
{
	env->conf = srv->conf;
	env->prompts = srv->prompts;
	env->hasher = srv->hasher;
	env->affected = srv->affected;
	env->store = srv->store;
	env->now = time(NULL);
}

/* 1..max printable ASCII characters: safe to log, short enough to keep. */
static int
printable(const char *s, size_t max)
{
	size_t	n;

	for (n = 0; s[n] != '\0'; n++)
		if (n >= max || s[n] < '!' || s[n] > '~')
			return 0;
	return n > 0;
}

/* The recordings that say a say action, in order (sound names). */
static json_t *
audio_json(const struct ivr_action *act)
{
	json_t	*arr = json_array();
	size_t	 i;

	for (i = 0; i < act->naudio && arr != NULL; i++)
		json_array_append_new(arr, json_string(act->audio[i]));
	return arr;
}

static json_t *
actions_json(const struct ivr_actions *a)
{
	const struct ivr_action	*act;
	json_t			*arr, *j = NULL;
	char			 term[2];
	size_t			 i;

	if ((arr = json_array()) == NULL)
		return NULL;
	for (i = 0; i < a->n; i++) {
		act = &a->v[i];
		switch (act->type) {
		case IVR_SAY:
			j = json_pack("{s:s, s:s, s:s, s:o}", "type", "say",
			    "prompt", prompt_name(act->prompt), "text",
			    act->text, "audio", audio_json(act));
			break;
		case IVR_COLLECT:
			j = json_pack("{s:s, s:s, s:i, s:i}", "type",
			    "collect", "field", ivr_field_name(act->field),
			    "max_digits", act->max_digits, "timeout_ms",
			    act->timeout_ms);
			if (j != NULL && act->terminator != 0) {
				term[0] = (char)act->terminator;
				term[1] = '\0';
				json_object_set_new(j, "terminator",
				    json_string(term));
			}
			break;
		case IVR_TRANSFER:
			j = json_pack("{s:s, s:s}", "type", "transfer",
			    "queue", act->queue);
			break;
		case IVR_HANGUP:
			j = json_pack("{s:s}", "type", "hangup");
			break;
		}
		if (json_array_append_new(arr, j) == -1) {
			json_decref(arr);
			return NULL;
		}
	}
	return arr;
}

int
method_call_begin(struct rpc_call *call)
{
	struct server		*srv = call->srv;
	struct ivr_actions	 a = { NULL, 0, 0 };
	struct ivr_env		 env;
	struct session		*s;
	const char		*call_id, *ani, *dnis, *lang;
	json_t			*actions;

	if (rpc_param_string(call, "call_id", 1, &call_id) == -1 ||
	    rpc_param_string(call, "ani", 0, &ani) == -1 ||
	    rpc_param_string(call, "dnis", 0, &dnis) == -1 ||
	    rpc_param_string(call, "lang", 0, &lang) == -1)
		return -1;
	if (!printable(call_id, TEXT_MAX))
		return rpc_invalid_param(call, "call_id", "1-64 printable "
		    "ASCII characters");
	if (lang != NULL && !prompt_lang_valid(lang))
		return rpc_invalid_param(call, "lang", "must be \"ja\" or "
		    "\"en\"");
	env_of(srv, &env);
	if ((s = session_new(srv, call->conn, call_id, env.now)) == NULL) {
		log_warnx("call %s: no session: %zu open (ivr.max_sessions)",
		    call_id, srv->sessions.n);
		return rpc_fail(call, RPC_INTERNAL_ERROR, json_pack("{s:s}",
		    "reason", "too many open sessions"));
	}
	if (ivr_begin(&s->ivr, &env, ani, dnis, lang, &a) == -1) {
		ivr_actions_free(&a);
		session_drop(srv, s);
		return rpc_fail(call, RPC_STORAGE_UNAVAILABLE, NULL);
	}
	actions = actions_json(&a);
	ivr_actions_free(&a);
	if (actions == NULL) {
		session_drop(srv, s);
		return rpc_fail(call, RPC_INTERNAL_ERROR, NULL);
	}
	log_debug("call %s by %s: session opened", call_id, s->client);
	call->result = json_pack("{s:s, s:o}", "session", s->id, "actions",
	    actions);
	return call->result != NULL ? 0 : -1;
}

int
method_call_input(struct rpc_call *call)
{
	struct server		*srv = call->srv;
	struct ivr_actions	 a = { NULL, 0, 0 };
	struct ivr_env		 env;
	struct session		*s;
	const char		*id, *digits;
	json_t			*timeout, *actions;
	char			 keyed[DIGITS_MAX + 1];
	size_t			 len;
	int			 looked_up;

	if (rpc_param_string(call, "session", 1, &id) == -1 ||
	    rpc_param_string(call, "digits", 0, &digits) == -1)
		return -1;
	timeout = json_object_get(call->params, "timeout");
	if (timeout != NULL && !json_is_true(timeout) &&
	    !json_is_false(timeout))
		return rpc_invalid_param(call, "timeout", "must be true");
	if ((digits == NULL) == !json_is_true(timeout))
		return rpc_invalid_param(call, "digits", "give either digits "
		    "or timeout: true");
	if (digits != NULL) {
		len = strlen(digits);
		if (len > DIGITS_MAX || strspn(digits, "0123456789*#") != len)
			return rpc_invalid_param(call, "digits", "up to 32 of "
			    "0-9, * and #");
		/* The terminator is the gateway's, not the caller's data. */
		memcpy(keyed, digits, len + 1);
		while (len > 0 && keyed[len - 1] == '#')
			keyed[--len] = '\0';
	}
	if ((s = session_find(srv, call->conn, id)) == NULL ||
	    s->ivr.state == IVR_DONE)
		return rpc_fail(call, RPC_UNKNOWN_SESSION, NULL);
	env_of(srv, &env);
	session_touch(srv, s, env.now);
	looked_up = s->ivr.gen != NULL;
	if (ivr_input(&s->ivr, &env, digits != NULL ? keyed : NULL, &a) ==
	    -1) {
		ivr_actions_free(&a);
		return rpc_fail(call, RPC_STORAGE_UNAVAILABLE, NULL);
	}
	/*
	 * A gateway's calls are lookups too: they count towards its
	 * bulk-lookup window, or call.* would be an unwatched oracle.
	 */
	if (!looked_up && s->ivr.gen != NULL)
		guard_count(srv, call->conn, env.now);
	actions = actions_json(&a);
	ivr_actions_free(&a);
	if (actions == NULL)
		return rpc_fail(call, RPC_INTERNAL_ERROR, NULL);
	call->result = json_pack("{s:o}", "actions", actions);
	return call->result != NULL ? 0 : -1;
}

int
method_call_end(struct rpc_call *call)
{
	struct server	*srv = call->srv;
	struct session	*s;
	const char	*id, *reason;
	enum outcome	 outcome;
	int64_t		 inquiry;

	if (rpc_param_string(call, "session", 1, &id) == -1 ||
	    rpc_param_string(call, "reason", 0, &reason) == -1)
		return -1;
	if (reason == NULL)
		reason = "ended";
	else if (!printable(reason, TEXT_MAX))
		return rpc_invalid_param(call, "reason", "1-64 printable ASCII "
		    "characters");
	if ((s = session_find(srv, call->conn, id)) == NULL)
		return rpc_fail(call, RPC_UNKNOWN_SESSION, NULL);
	outcome = ivr_outcome(&s->ivr);
	if ((inquiry = session_end(srv, s, reason, time(NULL))) == -1)
		return rpc_fail(call, RPC_STORAGE_UNAVAILABLE, NULL);
	call->result = json_pack("{s:I, s:s}", "inquiry", (json_int_t)inquiry,
	    "outcome", inquiry_outcome_name(outcome));
	call->durable = 1;
	return call->result != NULL ? 0 : -1;
}
