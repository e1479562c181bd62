/*
 * The IVR script (SPEC §6.1). Each event handler appends the actions of
 * that step and moves the call to its next state:
 *
 *   begin -> greeting, fraud warning ->
 *     closed? closed notice, fraud warning, hangup       (out_of_hours)
 *     caller ID over its daily cap? rate-limited notice   (rate_limited)
 *     caller ID valid? ask birthdate : ask phone
 *   phone, birthdate: invalid -> say why, ask again; the last attempt
 *     -> the operator (transferred), or the end if there is none
 *     (invalid_input)
 *   birthdate valid -> lookup -> notice (affected / not_found) -> menu
 *   menu: 1 repeat, 0 operator, 9 or timeout end; after a not-found
 *     answer also 2: the birthdate again (a lookup of the daily cap)
 *
 * Every way out of a call, hangup or transfer, says the fraud warning
 * first. Texts come from the prompts, with the dialled desk's
 * organisation overrides.
 */
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <openssl/crypto.h>

#include "affected.h"
#include "callers.h"
#include "config.h"
#include "crypto.h"
#include "hasher.h"
#include "ivr.h"
#include "notice.h"

#define DAY_S			86400
#define PHONE_DIGITS_MAX	11	/* the longest Japanese number */
#define BIRTH_DIGITS_MAX	8	/* YYYYMMDD; EYYMMDD is one shorter */

static const char *field_names[] = { "phone", "birthdate", "menu" };

/* The prompts the script says on their own (the notices' parts aside). */
static const enum prompt_id said[] = {
	PROMPT_GREETING, PROMPT_FRAUD_WARNING, PROMPT_CLOSED,
	PROMPT_ASK_PHONE, PROMPT_ASK_BIRTHDATE, PROMPT_NO_INPUT,
	PROMPT_INVALID_PHONE, PROMPT_INVALID_BIRTHDATE, PROMPT_MENU,
	PROMPT_MENU_NOT_FOUND,
	PROMPT_MENU_INVALID, PROMPT_TRANSFER, PROMPT_UNABLE,
	PROMPT_RATE_LIMITED, PROMPT_GOODBYE, PROMPT_NOTICE_AFFECTED,
	PROMPT_NOTICE_APOLOGY, PROMPT_NOTICE_NOT_FOUND,
};

static int	push(struct ivr_actions *, const struct ivr_action *);
static int	say(struct ivr_call *, const struct ivr_env *,
		    struct ivr_actions *, enum prompt_id, const char **);
static int	collect(struct ivr_call *, const struct ivr_env *,
		    struct ivr_actions *, enum ivr_field);
static int	ask(struct ivr_call *, const struct ivr_env *,
		    struct ivr_actions *);
static int	ask_menu(struct ivr_call *, const struct ivr_env *,
		    struct ivr_actions *);
static int	end_call(struct ivr_call *, const struct ivr_env *,
		    struct ivr_actions *);
static int	to_operator(struct ivr_call *, const struct ivr_env *,
		    struct ivr_actions *);
static int	failed(struct ivr_call *, const struct ivr_env *,
		    struct ivr_actions *, enum prompt_id);
static int	lookup(struct ivr_call *, const struct ivr_env *, const char *,
		    struct ivr_actions *);
static int	say_notice(struct ivr_call *, const struct ivr_env *,
		    struct ivr_actions *);
static int	within(const struct config *, int, int, time_t);
static void	set_outcome(struct ivr_call *, enum outcome);

const char *
ivr_field_name(enum ivr_field f)
{
	return field_names[f];
}

void
ivr_actions_free(struct ivr_actions *a)
{
	size_t	i;

	for (i = 0; i < a->n; i++) {
		free(a->v[i].text);
		free(a->v[i].audio);
		free(a->v[i].queue);
	}
	free(a->v);
	a->v = NULL;
	a->n = a->cap = 0;
	a->lookups = a->capped = 0;
}

static int
push(struct ivr_actions *a, const struct ivr_action *act)
{
	struct ivr_action	*v;
	size_t			 cap;

	if (a->n == a->cap) {
		cap = a->cap ? a->cap * 2 : 8;
		if ((v = reallocarray(a->v, cap, sizeof *v)) == NULL)
			return -1;
		a->v = v;
		a->cap = cap;
	}
	a->v[a->n++] = *act;
	return 0;
}

/* Moves the parts of a notice into say actions, in order. */
static int
push_parts(struct ivr_actions *a, struct notice_parts *parts)
{
	struct ivr_action	act;
	size_t			i;
	int			rc = 0;

	for (i = 0; i < parts->n; i++) {
		memset(&act, 0, sizeof act);
		act.type = IVR_SAY;
		act.prompt = parts->v[i].prompt;
		act.text = parts->v[i].text;
		act.audio = parts->v[i].audio;
		act.naudio = parts->v[i].naudio;
		if (rc == 0 && push(a, &act) == 0) {
			parts->v[i].text = NULL;
			parts->v[i].audio = NULL;
		} else
			rc = -1;
	}
	notice_parts_free(parts);
	return rc;
}

/* The script speaks: the spoken form, in the call's language. */
static void
ctx_of(const struct ivr_call *c, const struct ivr_env *env,
    struct notice_ctx *nc)
{
	notice_ctx_init(nc, env->prompts, env->conf, c->lang, PROMPT_SPOKEN);
}

static int
say(struct ivr_call *c, const struct ivr_env *env, struct ivr_actions *a,
    enum prompt_id id, const char **vars)
{
	struct notice_ctx	nc;
	struct notice_parts	parts = { NULL, 0, 0 };

	ctx_of(c, env, &nc);
	if (notice_part(&nc, c->org[0] ? c->org : NULL, id, vars,
	    &parts) == -1) {
		notice_parts_free(&parts);
		return -1;
	}
	return push_parts(a, &parts);
}

/* {hours} of the unable notice: when operators answer. */
static const char **
unable_vars(const struct notice_ctx *nc, const struct config *conf,
    const char **vars, char *hours, size_t len)
{
	notice_hours(nc, conf->ivr_operator_open_min,
	    conf->ivr_operator_close_min, hours, len);
	vars[PV_HOURS] = hours;
	return vars;
}

static int
collect(struct ivr_call *c, const struct ivr_env *env, struct ivr_actions *a,
    enum ivr_field field)
{
	struct ivr_action	act;

	(void)c;
	memset(&act, 0, sizeof act);
	act.type = IVR_COLLECT;
	act.field = field;
	act.timeout_ms = env->conf->ivr_digit_timeout_ms;
	switch (field) {
	case IVR_FIELD_PHONE:
		act.max_digits = PHONE_DIGITS_MAX;
		act.terminator = '#';
		break;
	case IVR_FIELD_BIRTHDATE:
		act.max_digits = BIRTH_DIGITS_MAX;
		act.terminator = '#';
		break;
	case IVR_FIELD_MENU:
		act.max_digits = 1;
		break;
	}
	return push(a, &act);
}

/* Whether now falls in [open, close) on one of the conf's days. */
static int
within(const struct config *conf, int open, int close, time_t now)
{
	struct tm	tm;
	int		min;

	localtime_r(&now, &tm);
	if ((conf->days_mask & (1u << tm.tm_wday)) == 0)
		return 0;
	min = tm.tm_hour * 60 + tm.tm_min;
	return min >= open && min < close;
}

static void
set_outcome(struct ivr_call *c, enum outcome o)
{
	c->has_outcome = 1;
	c->outcome = o;
}

/* The question of the current state. */
static int
ask(struct ivr_call *c, const struct ivr_env *env, struct ivr_actions *a)
{
	if (c->state == IVR_ASK_PHONE)
		return say(c, env, a, PROMPT_ASK_PHONE, NULL) == -1 ? -1 :
		    collect(c, env, a, IVR_FIELD_PHONE);
	return say(c, env, a, PROMPT_ASK_BIRTHDATE, NULL) == -1 ? -1 :
	    collect(c, env, a, IVR_FIELD_BIRTHDATE);
}

/* A caller who was not found may have mistyped the birthdate: key 2. */
static int
not_found(const struct ivr_call *c)
{
	return c->has_outcome && c->outcome == OUTCOME_NOT_FOUND;
}

static int
ask_menu(struct ivr_call *c, const struct ivr_env *env, struct ivr_actions *a)
{
	c->state = IVR_MENU;
	return say(c, env, a, not_found(c) ? PROMPT_MENU_NOT_FOUND :
	    PROMPT_MENU, NULL) == -1 ? -1 : collect(c, env, a, IVR_FIELD_MENU);
}

/*
 * Menu 2 after a not-found answer: the birthdate once more. It is one
 * more lookup, so a caller ID at its daily cap gets the rate-limited
 * notice and an operator instead; the call keeps its not_found outcome.
 */
static int
retry_birthdate(struct ivr_call *c, const struct ivr_env *env,
    struct ivr_actions *a)
{
	int	n;

	if (c->caller_known) {
		n = callers_count(env->callers, c->caller, env->now - DAY_S);
		if (n >= env->conf->ivr_daily_lookups) {
			a->capped = 1;
			return say(c, env, a, PROMPT_RATE_LIMITED, NULL) == -1 ?
			    -1 : to_operator(c, env, a);
		}
	}
	c->state = IVR_ASK_BIRTHDATE;
	c->attempts = 0;
	return ask(c, env, a);
}

/* The end of a call: fraud warning, goodbye, hangup. */
static int
end_call(struct ivr_call *c, const struct ivr_env *env, struct ivr_actions *a)
{
	struct ivr_action	act;

	c->state = IVR_DONE;
	memset(&act, 0, sizeof act);
	act.type = IVR_HANGUP;
	if (say(c, env, a, PROMPT_FRAUD_WARNING, NULL) == -1 ||
	    say(c, env, a, PROMPT_GOODBYE, NULL) == -1)
		return -1;
	return push(a, &act);
}

/*
 * To an operator, if there is a queue and operators are at work;
 * otherwise the call ends, saying when they are. A call that has no
 * outcome yet gets transferred or invalid_input accordingly.
 */
static int
to_operator(struct ivr_call *c, const struct ivr_env *env,
    struct ivr_actions *a)
{
	const struct config	*conf = env->conf;
	struct notice_ctx	 nc;
	struct ivr_action	 act;
	const char		*vars[PV_COUNT] = { NULL };
	char			 hours[256];

	if (conf->ivr_operator_queue[0] != '\0' && within(conf,
	    conf->ivr_operator_open_min, conf->ivr_operator_close_min,
	    env->now)) {
		if (!c->has_outcome)
			set_outcome(c, OUTCOME_TRANSFERRED);
		c->state = IVR_DONE;
		memset(&act, 0, sizeof act);
		act.type = IVR_TRANSFER;
		if ((act.queue = strdup(conf->ivr_operator_queue)) == NULL)
			return -1;
		if (say(c, env, a, PROMPT_FRAUD_WARNING, NULL) == -1 ||
		    say(c, env, a, PROMPT_TRANSFER, NULL) == -1 ||
		    push(a, &act) == -1) {
			free(act.queue);
			return -1;
		}
		return 0;
	}
	if (!c->has_outcome)
		set_outcome(c, OUTCOME_INVALID_INPUT);
	ctx_of(c, env, &nc);
	if (say(c, env, a, PROMPT_UNABLE, unable_vars(&nc, conf, vars, hours,
	    sizeof hours)) == -1)
		return -1;
	return end_call(c, env, a);
}

/* An input that could not be used: say why, then ask again or give up. */
static int
failed(struct ivr_call *c, const struct ivr_env *env, struct ivr_actions *a,
    enum prompt_id why)
{
	if (say(c, env, a, why, NULL) == -1)
		return -1;
	if (++c->attempts >= env->conf->ivr_max_attempts)
		return to_operator(c, env, a);
	return ask(c, env, a);
}

/* The notice of the lookup, one say action a part. */
static int
say_notice(struct ivr_call *c, const struct ivr_env *env,
    struct ivr_actions *a)
{
	struct notice_ctx	 nc;
	struct notice_parts	 parts = { NULL, 0, 0 };
	const struct org_table	*orgs;
	struct match		 m[AFFECTED_MATCHES_MAX];
	size_t			 i, n = 0;

	orgs = c->gen != NULL ? affected_orgs(c->gen) : NULL;
	for (i = 0; i < c->nmatches && orgs != NULL; i++)
		if ((m[n].org = record_org_by_id(orgs,
		    c->matches[i].org)) != NULL)
			m[n++].items = c->matches[i].items;
	ctx_of(c, env, &nc);
	if (notice_lookup_parts(&nc, c->org[0] ? c->org : NULL, m, n,
	    &parts) == -1) {
		notice_parts_free(&parts);
		return -1;
	}
	return push_parts(a, &parts);
}

/* The desk greeting's {organisation}: the organisation's name as said. */
static const char **
greeting_vars(const struct notice_ctx *nc, const struct org *o,
    const char **vars)
{
	struct org_texts	t;

	record_org_texts(o, nc->lang, &t);
	vars[PV_ORGANISATION] = t.name;
	return vars;
}

/* Looks the caller up and keeps what it found for the menu's repeat. */
static int
lookup(struct ivr_call *c, const struct ivr_env *env, const char *birth,
    struct ivr_actions *a)
{
	struct match	m[AFFECTED_MATCHES_MAX];
	int		n, i;

	/* A retry after a storage error starts from nothing. */
	free(c->matches);
	c->matches = NULL;
	c->nmatches = 0;
	affected_unref(c->gen);
	c->gen = NULL;
	n = affected_lookup(env->affected, hasher_lookup_key(env->hasher,
	    c->phone, birth), m, AFFECTED_MATCHES_MAX);
	if (n < 0)
		return -1;
	if (n > 0 && (c->matches = calloc((size_t)n,
	    sizeof *c->matches)) == NULL)
		return -1;
	for (i = 0; i < n; i++) {
		c->matches[i].org = (uint32_t)m[i].org->id;
		c->matches[i].items = m[i].items;
	}
	c->nmatches = (size_t)n;
	c->gen = affected_ref(env->affected);
	a->lookups++;
	set_outcome(c, n > 0 ? OUTCOME_AFFECTED : OUTCOME_NOT_FOUND);
	c->attempts = 0;
	if (say_notice(c, env, a) == -1)
		return -1;
	return ask_menu(c, env, a);
}

int
ivr_begin(struct ivr_call *c, const struct ivr_env *env, const char *ani,
    const char *dnis, const char *lang, struct ivr_actions *a)
{
	const struct config	*conf = env->conf;
	const struct org	*o = NULL;
	const char		*vars[PV_COUNT] = { NULL };
	struct notice_ctx	 nc;
	char			 num[NORM_PHONE_SIZE];
	size_t			 i;
	int			 n;

	memset(c, 0, sizeof *c);
	snprintf(c->lang, sizeof c->lang, "%s", lang ? lang :
	    conf->default_lang);
	/* A desk's own number: its organisation greets the caller. */
	if (dnis != NULL && normalize_phone(dnis, num, NULL) == NORM_OK)
		for (i = 0; i < conf->ndnis; i++)
			if (strcmp(conf->dnis[i].number, num) == 0)
				o = record_org_by_code(affected_orgs(
				    env->affected), conf->dnis[i].org);
	if (o != NULL && o->id != ORG_UNKNOWN_ID) {
		snprintf(c->org, sizeof c->org, "%s", o->code);
		ctx_of(c, env, &nc);
		if (say(c, env, a, PROMPT_GREETING_ORG, greeting_vars(&nc, o,
		    vars)) == -1)
			return -1;
	} else if (say(c, env, a, PROMPT_GREETING, NULL) == -1)
		return -1;
	if (say(c, env, a, PROMPT_FRAUD_WARNING, NULL) == -1)
		return -1;

	if (!within(conf, conf->open_min, conf->close_min, env->now)) {
		set_outcome(c, OUTCOME_OUT_OF_HOURS);
		c->state = IVR_DONE;
		return say(c, env, a, PROMPT_CLOSED, NULL) == -1 ? -1 :
		    end_call(c, env, a);
	}
	if (ani != NULL && normalize_ani(ani, c->phone, NULL) == NORM_OK) {
		c->caller_known = 1;
		c->caller = hasher_caller_key(env->hasher, c->phone);
		n = callers_count(env->callers, c->caller, env->now - DAY_S);
		if (n >= conf->ivr_daily_lookups) {
			a->capped = 1;
			set_outcome(c, OUTCOME_RATE_LIMITED);
			return say(c, env, a, PROMPT_RATE_LIMITED, NULL) == -1 ?
			    -1 : to_operator(c, env, a);
		}
		c->state = IVR_ASK_BIRTHDATE;
	} else {
		c->phone[0] = '\0';
		c->state = IVR_ASK_PHONE;
	}
	return ask(c, env, a);
}

int
ivr_input(struct ivr_call *c, const struct ivr_env *env, const char *digits,
    struct ivr_actions *a)
{
	char	birth[NORM_DATE_SIZE];

	if (digits != NULL && digits[0] == '\0')
		digits = NULL;
	switch (c->state) {
	case IVR_ASK_PHONE:
		if (digits == NULL)
			return failed(c, env, a, PROMPT_NO_INPUT);
		if (normalize_phone(digits, c->phone, NULL) != NORM_OK)
			return failed(c, env, a, PROMPT_INVALID_PHONE);
		c->state = IVR_ASK_BIRTHDATE;
		c->attempts = 0;
		return ask(c, env, a);
	case IVR_ASK_BIRTHDATE:
		if (digits == NULL)
			return failed(c, env, a, PROMPT_NO_INPUT);
		/* Only the keypad forms: 8 digits western, 7 era-coded. */
		if (strspn(digits, "0123456789") != strlen(digits) ||
		    (strlen(digits) != 7 && strlen(digits) != 8) ||
		    normalize_birthdate(digits, normalize_today(), birth,
		    NULL) != NORM_OK)
			return failed(c, env, a, PROMPT_INVALID_BIRTHDATE);
		return lookup(c, env, birth, a);
	case IVR_MENU:
		if (digits == NULL || strcmp(digits, "9") == 0)
			return end_call(c, env, a);
		if (strcmp(digits, "1") == 0) {
			c->attempts = 0;
			return say_notice(c, env, a) == -1 ? -1 :
			    ask_menu(c, env, a);
		}
		if (strcmp(digits, "0") == 0)
			return to_operator(c, env, a);
		if (strcmp(digits, "2") == 0 && not_found(c))
			return retry_birthdate(c, env, a);
		if (say(c, env, a, PROMPT_MENU_INVALID, NULL) == -1)
			return -1;
		if (++c->attempts >= env->conf->ivr_max_attempts)
			return end_call(c, env, a);
		return ask_menu(c, env, a);
	case IVR_DONE:
		break;
	}
	return -1;
}

enum outcome
ivr_outcome(const struct ivr_call *c)
{
	return c->has_outcome ? c->outcome : OUTCOME_ABANDONED;
}

size_t
ivr_org_codes(const struct ivr_call *c, const char **codes, size_t max)
{
	const struct org	*o;
	size_t			 i, n = 0;

	for (i = 0; i < c->nmatches && n < max; i++)
		if ((o = record_org_by_id(affected_orgs(c->gen),
		    c->matches[i].org)) != NULL)
			codes[n++] = o->code;
	return n;
}

void
ivr_clear(struct ivr_call *c)
{
	OPENSSL_cleanse(c->phone, sizeof c->phone);
	free(c->matches);
	c->matches = NULL;
	c->nmatches = 0;
	affected_unref(c->gen);
	c->gen = NULL;
}

/* The recordings of one language: see ivr_sounds. */
static int
sounds_lang(const struct ivr_env *env, const char *lang, notice_sound_fn fn,
    void *arg)
{
	const struct org_table	*orgs = env->affected != NULL ?
				    affected_orgs(env->affected) : NULL;
	const struct org	*o;
	struct notice_ctx	 nc;
	const char		*vars[PV_COUNT];
	char			 hours[256];
	size_t			 i, k;

	notice_ctx_init(&nc, env->prompts, env->conf, lang, PROMPT_SPOKEN);
	for (i = 0; i < sizeof said / sizeof said[0]; i++) {
		memset(vars, 0, sizeof vars);
		if (notice_sounds(&nc, NULL, said[i], said[i] == PROMPT_UNABLE ?
		    unable_vars(&nc, env->conf, vars, hours, sizeof hours) :
		    vars, fn, arg) == -1)
			return -1;
	}
	if (notice_sounds_items(&nc, fn, arg) == -1 ||
	    notice_sounds(&nc, NULL, PROMPT_NOTICE_ORG_UNKNOWN, NULL, fn,
	    arg) == -1 ||
	    notice_sounds(&nc, NULL, PROMPT_NOTICE_ORG_UNKNOWN_BRIEF, NULL, fn,
	    arg) == -1)
		return -1;
	for (k = 0; orgs != NULL && k < orgs->n; k++) {
		o = &orgs->orgs[k];
		if (o->id == ORG_UNKNOWN_ID)
			continue;
		memset(vars, 0, sizeof vars);
		if (notice_sounds_org(&nc, o, fn, arg) == -1 ||
		    notice_sounds(&nc, o->code, PROMPT_GREETING_ORG,
		    greeting_vars(&nc, o, vars), fn, arg) == -1)
			return -1;
		/* As the desk of a dialled number: the prompts it overrides. */
		for (i = 0; i < sizeof said / sizeof said[0]; i++) {
			if (!prompt_overridden(env->prompts, lang, o->code,
			    said[i]))
				continue;
			memset(vars, 0, sizeof vars);
			if (notice_sounds(&nc, o->code, said[i],
			    said[i] == PROMPT_UNABLE ? unable_vars(&nc,
			    env->conf, vars, hours, sizeof hours) : vars, fn,
			    arg) == -1)
				return -1;
		}
	}
	return 0;
}

int
ivr_sounds(const struct ivr_env *env, notice_sound_fn fn, void *arg)
{
	int	i;

	for (i = 0; i < PROMPT_LANGS; i++)
		if (sounds_lang(env, prompt_lang_name(i), fn, arg) == -1)
			return -1;
	return 0;
}
