/*
 * call.begin, call.input, call.end: the IVR engine (ivr.c) as methods,
 * for telephony gateways and the FastAGI front end alike. This file only
 * translates: params in, actions out, sessions found and ended, and what
 * the engine did (a lookup) reported to dispatch and the commit.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "callers.h"
#include "commit.h"
#include "config.h"
#include "core.h"
#include "ivr.h"
#include "log.h"
#include "method.h"
#include "metrics.h"
#include "prompt.h"
#include "session.h"
#include "store.h"

#define DIGITS_MAX	32	/* keyed digits in one call.input */
#define TEXT_MAX	64	/* call_id, reason */

static json_t	*actions_json(const struct ivr_actions *);
static json_t	*audio_json(const struct ivr_action *);
static int	 printable(const char *, size_t);
static void	 env_of(struct core *, struct ivr_env *);

static void
env_of(struct core *core, struct ivr_env *env)
{
	env->conf = core->conf;
	env->prompts = core->prompts;
	env->hasher = core->hasher;
	env->affected = core->affected;
	env->callers = core->callers;
	env->now = time(NULL);
}

/* A caller's lookup counts towards the daily cap once it is committed. */
struct caller_hook {
	struct callers	*callers;
	int64_t		 caller;
	time_t		 time;
};

static void
caller_committed(void *arg, int ok)
{
	struct caller_hook	*h = arg;

	if (ok)
		(void)callers_add(h->callers, h->caller, h->time);
	free(h);
}

/* The IVR looked its caller up: the cap's row, and its hook. */
static int
caller_looked_up(struct core *core, const struct ivr_call *c, time_t now)
{
	struct caller_hook	*h;

	if (!c->caller_known)
		return 0;
	if ((h = malloc(sizeof *h)) == NULL)
		return -1;
	h->callers = core->callers;
	h->caller = c->caller;
	h->time = now;
	if (store_batch_caller(commit_batch(core->commit), c->caller,
	    now) == -1 || core_on_commit(core, caller_committed, h) == -1) {
		free(h);
		commit_break(core->commit);
		return -1;
	}
	return 0;
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
method_call_begin(struct call *call)
{
	struct core		*core = call->core;
	struct ivr_actions	 a;
	struct ivr_env		 env;
	struct session		*s;
	const char		*call_id, *ani, *dnis, *lang;
	json_t			*actions;

	memset(&a, 0, sizeof a);
	if (call_string(call, "call_id", 1, &call_id) == -1 ||
	    call_string(call, "ani", 0, &ani) == -1 ||
	    call_string(call, "dnis", 0, &dnis) == -1 ||
	    call_lang(call, &lang) == -1)
		return -1;
	if (!printable(call_id, TEXT_MAX))
		return call_invalid(call, "call_id", "1-64 printable ASCII "
		    "characters");
	env_of(core, &env);
	if ((s = session_new(core, call->who, call_id, env.now)) == NULL) {
		log_warnx("call %s: no session: %zu open (ivr.max_sessions)",
		    call_id, core->sessions.n);
		return call_fail(call, RPC_INTERNAL_ERROR, json_pack("{s:s}",
		    "reason", "too many open sessions"));
	}
	if (ivr_begin(&s->ivr, &env, ani, dnis, lang, &a) == -1 ||
	    (actions = actions_json(&a)) == NULL) {
		ivr_actions_free(&a);
		session_drop(core, s);
		return call_fail(call, RPC_INTERNAL_ERROR, NULL);
	}
	if (a.capped)
		metrics_count(core->metrics, METRICS_RATE_LIMITED_CALLER, 1);
	ivr_actions_free(&a);
	log_debug("call %s by %s: session opened", call_id, s->client);
	return call_result(call, json_pack("{s:s, s:o}", "session", s->id,
	    "actions", actions));
}

int
method_call_input(struct call *call)
{
	struct core		*core = call->core;
	struct ivr_actions	 a;
	struct ivr_env		 env;
	struct session		*s;
	const char		*id, *digits;
	json_t			*timeout, *actions;
	char			 keyed[DIGITS_MAX + 1];
	size_t			 len;

	memset(&a, 0, sizeof a);
	if (call_string(call, "session", 1, &id) == -1 ||
	    call_string(call, "digits", 0, &digits) == -1)
		return -1;
	timeout = json_object_get(call->params, "timeout");
	if (timeout != NULL && !json_is_true(timeout) &&
	    !json_is_false(timeout))
		return call_invalid(call, "timeout", "must be true");
	if ((digits == NULL) == !json_is_true(timeout))
		return call_invalid(call, "digits", "give either digits or "
		    "timeout: true");
	if (digits != NULL) {
		len = strlen(digits);
		if (len > DIGITS_MAX || strspn(digits, "0123456789*#") != len)
			return call_invalid(call, "digits", "up to 32 of 0-9, "
			    "* and #");
		/* The terminator is the gateway's, not the caller's data. */
		memcpy(keyed, digits, len + 1);
		while (len > 0 && keyed[len - 1] == '#')
			keyed[--len] = '\0';
	}
	if ((s = session_find(core, call->who->owner, id)) == NULL ||
	    s->ending || s->ivr.state == IVR_DONE)
		return call_fail(call, RPC_UNKNOWN_SESSION, NULL);
	env_of(core, &env);
	session_touch(core, s, env.now);
	if (ivr_input(&s->ivr, &env, digits != NULL ? keyed : NULL, &a) ==
	    -1) {
		ivr_actions_free(&a);
		return call_fail(call, RPC_STORAGE_UNAVAILABLE, NULL);
	}
	/*
	 * A gateway's calls are lookups too: they count towards its
	 * bulk-lookup window, or call.* would be an unwatched oracle.
	 */
	call->counted = a.lookups;
	if (a.capped)
		metrics_count(core->metrics, METRICS_RATE_LIMITED_CALLER, 1);
	if (a.lookups > 0 && caller_looked_up(core, &s->ivr, env.now) == -1) {
		ivr_actions_free(&a);
		return call_fail(call, RPC_STORAGE_UNAVAILABLE, NULL);
	}
	actions = actions_json(&a);
	ivr_actions_free(&a);
	if (actions == NULL)
		return call_fail(call, RPC_INTERNAL_ERROR, NULL);
	return call_result(call, json_pack("{s:o}", "actions", actions));
}

int
method_call_end(struct call *call)
{
	struct core	*core = call->core;
	struct session	*s;
	const char	*id, *reason;
	enum outcome	 outcome;
	int64_t		 inquiry;

	if (call_string(call, "session", 1, &id) == -1 ||
	    call_string(call, "reason", 0, &reason) == -1)
		return -1;
	if (reason == NULL)
		reason = "ended";
	else if (!printable(reason, TEXT_MAX))
		return call_invalid(call, "reason", "1-64 printable ASCII "
		    "characters");
	if ((s = session_find(core, call->who->owner, id)) == NULL ||
	    s->ending)
		return call_fail(call, RPC_UNKNOWN_SESSION, NULL);
	outcome = ivr_outcome(&s->ivr);
	if ((inquiry = session_end(core, s, reason, time(NULL))) == -1)
		return call_fail(call, RPC_STORAGE_UNAVAILABLE, NULL);
	return call_result(call, json_pack("{s:I, s:s}", "inquiry",
	    (json_int_t)inquiry, "outcome", inquiry_outcome_name(outcome)));
}
