/*
 * Operator methods (SPEC §6.2): operator.search, operator.verify,
 * notice.render, inquiry.record. "Verify, don't reveal": an operator
 * hears the caller's name, birthdate and maybe phone, postal code and
 * address, and the service only says whether what was heard matches a
 * record — never what the record holds.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/buffer.h>
#include <jansson.h>

#include "affected.h"
#include "affected_build.h"
#include "commit.h"
#include "config.h"
#include "core.h"
#include "hasher.h"
#include "inquiry.h"
#include "log.h"
#include "method.h"
#include "normalize.h"
#include "notice.h"
#include "refs.h"
#include "store.h"

#define CANDIDATES_MAX	256	/* records of one (kana, birthdate) */
#define REFS_MAX	64	/* refs named in one request */
#define REF_REASON	"unknown or expired ref"

/* The fields an operator may check, in the order of the entry's hashes. */
static const struct {
	const char		*name;
	enum hasher_field	 field;
	unsigned		 has;
	int			 slot;		/* affected_entry.h[] */
} check_fields[] = {
	{ "gender", HASHER_FIELD_GENDER, BUILD_HAS_GENDER, 0 },
	{ "postal_code", HASHER_FIELD_POSTAL, BUILD_HAS_POSTAL, 1 },
	{ "address", HASHER_FIELD_ADDRESS, BUILD_HAS_ADDRESS, 2 },
	{ "phone", HASHER_FIELD_PHONE, BUILD_HAS_PHONE, 3 },
};
#define NCHECKS	(sizeof check_fields / sizeof check_fields[0])

/* A field the operator gave, normalized and hashed per record. */
struct given {
	int	present;
	char	value[NORM_ADDRESS_SIZE];
};

static json_t	*checked_json(const struct given *);
static int	 given_fields(struct call *, struct given *, int);
static json_t	*checks_json(struct core *, const struct given *,
		    const struct affected_entry *);
static int	 refs_param(struct call *, const char *, int,
		    const struct ref **, size_t *);

/* The names of the fields given: what the audit keeps, not the values. */
static json_t *
checked_json(const struct given *g)
{
	json_t	*fields = json_array();
	size_t	 i;

	for (i = 0; i < NCHECKS && fields != NULL; i++)
		if (g[i].present)
			json_array_append_new(fields,
			    json_string(check_fields[i].name));
	return json_pack("{s:o}", "checked", fields);
}

/*
 * Reads and normalizes the optional fields to check. Each reason names
 * the field; none quotes the value.
 */
static int
given_fields(struct call *call, struct given *g, int with_address)
{
	const char	*in, *why;
	int		 gender;
	size_t		 i;

	memset(g, 0, sizeof *g * NCHECKS);
	for (i = 0; i < NCHECKS; i++) {
		if (!with_address && check_fields[i].field ==
		    HASHER_FIELD_ADDRESS)
			continue;
		if (call_string(call, check_fields[i].name, 0, &in) == -1)
			return -1;
		if (in == NULL)
			continue;
		g[i].present = 1;
		switch (check_fields[i].field) {
		case HASHER_FIELD_GENDER:
			if (normalize_gender(in, &gender, &why) != NORM_OK)
				return call_invalid(call, "gender", why);
			snprintf(g[i].value, sizeof g[i].value, "%d", gender);
			break;
		case HASHER_FIELD_POSTAL:
			if (normalize_postal(in, g[i].value, &why) != NORM_OK)
				return call_invalid(call, "postal_code",
				    why);
			break;
		case HASHER_FIELD_ADDRESS:
			if (normalize_address(in, g[i].value, &why) != NORM_OK)
				return call_invalid(call, "address", why);
			break;
		case HASHER_FIELD_PHONE:
			if (normalize_phone(in, g[i].value, &why) != NORM_OK)
				return call_invalid(call, "phone", why);
			break;
		}
	}
	return 0;
}

/* match / mismatch / unknown for each field given, against one record. */
static json_t *
checks_json(struct core *core, const struct given *g,
    const struct affected_entry *e)
{
	json_t		*checks = json_object();
	const char	*verdict;
	size_t		 i;

	for (i = 0; i < NCHECKS && checks != NULL; i++) {
		if (!g[i].present)
			continue;
		if ((e->has & check_fields[i].has) == 0)
			verdict = "unknown";
		else if (hasher_field(core->hasher, e->key,
		    check_fields[i].field, g[i].value) ==
		    e->h[check_fields[i].slot])
			verdict = "match";
		else
			verdict = "mismatch";
		json_object_set_new(checks, check_fields[i].name,
		    json_string(verdict));
	}
	return checks;
}

/*
 * The refs of a param (an array of ref strings), each this operator's
 * and alive. Unknown, expired, malformed and other operators' refs all
 * get the same answer.
 */
static int
refs_param(struct call *call, const char *name, int required,
    const struct ref **out, size_t *n)
{
	json_t		*arr = call->params ? json_object_get(call->params,
	    name) : NULL, *v;
	const char	*id;
	size_t		 i;
	time_t		 now = time(NULL);

	*n = 0;
	if (arr == NULL || json_is_null(arr)) {
		if (required)
			return call_invalid(call, name, "required");
		return 0;
	}
	if (!json_is_array(arr) || json_array_size(arr) == 0 ||
	    json_array_size(arr) > REFS_MAX)
		return call_invalid(call, name, "must be an array of 1 "
		    "to 64 refs");
	json_array_foreach(arr, i, v) {
		id = json_string_value(v);
		if (id == NULL || (out[*n] = ref_find(call->core->refs,
		    call->core->conf, call->who->client, id, now)) == NULL)
			return call_invalid(call, name, REF_REASON);
		(*n)++;
	}
	return 0;
}

int
method_operator_search(struct call *call)
{
	struct core		*core = call->core;
	const struct principal	*who = call->who;
	struct affected_entry	*found;
	struct given		 g[NCHECKS];
	struct notice_ctx	 nc;
	const struct org	*o;
	const struct ref	*r;
	const char		*kana_in, *birth_in, *why;
	char			 kana[NORM_KANA_SIZE], birth[NORM_DATE_SIZE];
	json_t			*cands = NULL, *cand;
	int64_t			 key;
	time_t			 now = time(NULL);
	size_t			 i;
	int			 n;

	if (call_string(call, "kana", 1, &kana_in) == -1 ||
	    call_string(call, "birthdate", 1, &birth_in) == -1)
		return -1;
	if (normalize_kana(kana_in, kana, &why) != NORM_OK)
		return call_invalid(call, "kana", why);
	if (normalize_birthdate(birth_in, normalize_today(), birth, &why) !=
	    NORM_OK)
		return call_invalid(call, "birthdate", why);
	if (given_fields(call, g, 0) == -1)
		return -1;
	call->audit_args = checked_json(g);

	if ((found = calloc(CANDIDATES_MAX, sizeof *found)) == NULL)
		return call_fail(call, RPC_INTERNAL_ERROR, NULL);
	key = hasher_search_key(core->hasher, kana, birth);
	if ((n = affected_search(core->affected, key, found,
	    CANDIDATES_MAX)) < 0) {
		free(found);
		return call_fail(call, RPC_STORAGE_UNAVAILABLE, NULL);
	}
	notice_ctx_init(&nc, core->prompts, core->conf, core->conf->default_lang,
	    PROMPT_WRITTEN);
	if ((cands = json_array()) == NULL)
		goto fail;
	for (i = 0; i < (size_t)n; i++) {
		if ((o = record_org_by_id(affected_orgs(core->affected),
		    found[i].org)) == NULL)
			continue;
		if ((r = ref_new(core->refs, core->conf, who->client,
		    core->affected, &found[i], now)) == NULL)
			goto fail;
		cand = json_pack("{s:s, s:o, s:o, s:o}", "ref", r->id, "org",
		    method_org_json(&nc, o), "items",
		    method_items_json(found[i].items),
		    "checks", checks_json(core, g, &found[i]));
		if (json_array_append_new(cands, cand) == -1)
			goto fail;
	}
	free(found);
	call->counted = 1;
	log_info("%s: search by %s: %d candidate%s", who->origin, who->client,
	    n, n == 1 ? "" : "s");
	return call_result(call, json_pack("{s:o}", "candidates", cands));
fail:
	free(found);
	json_decref(cands);
	return call_fail(call, RPC_INTERNAL_ERROR, NULL);
}

int
method_operator_verify(struct call *call)
{
	struct given		 g[NCHECKS];
	struct ref		*r;
	const char		*id;
	time_t			 now = time(NULL);

	if (call_string(call, "ref", 1, &id) == -1)
		return -1;
	if ((r = ref_find(call->core->refs, call->core->conf,
	    call->who->client, id, now)) == NULL)
		return call_invalid(call, "ref", REF_REASON);
	/* Verify is an oracle: limited per ref, counted like a search. */
	if (r->verifies >= REF_VERIFY_MAX)
		return call_invalid(call, "ref", "checked too often; search "
		    "again");
	r->verifies++;
	call->counted = 1;
	if (given_fields(call, g, 1) == -1)
		return -1;
	call->audit_args = checked_json(g);
	return call_result(call, json_pack("{s:o}", "checks",
	    checks_json(call->core, g, &r->e)));
}

/*
 * The organisations of the orgs param, each known (or "unknown"), each
 * once, as matches without items: the operator names the organisation,
 * not a record.
 */
static int
orgs_param(struct call *call, json_t *arr, struct match *m, size_t *n)
{
	const struct org	*o;
	const char		*code;
	json_t			*v;
	size_t			 i, k;

	*n = 0;
	if (!json_is_array(arr) || json_array_size(arr) == 0 ||
	    json_array_size(arr) > AFFECTED_MATCHES_MAX)
		return call_invalid(call, "orgs", "must be an array of "
		    "organisation codes");
	json_array_foreach(arr, i, v) {
		if ((code = json_string_value(v)) == NULL ||
		    (o = record_org_by_code(affected_orgs(call->core->affected),
		    code)) == NULL)
			return call_invalid(call, "orgs", "unknown "
			    "organisation");
		for (k = 0; k < *n; k++)
			if (m[k].org == o)
				break;
		if (k == *n) {
			m[*n].org = o;
			m[*n].items = 0;
			(*n)++;
		}
	}
	return 0;
}

int
method_notice_render(struct call *call)
{
	struct core		*core = call->core;
	const struct ref	*refs[REFS_MAX];
	struct match		 m[AFFECTED_MATCHES_MAX];
	struct notice_ctx	 nc;
	struct evbuffer		*text;
	const struct org	*o;
	const char		*lang;
	json_t			*orgs, *result;
	size_t			 nrefs, n = 0, i, k, len;

	orgs = call->params ? json_object_get(call->params, "orgs") : NULL;
	if (call_lang(call, &lang) == -1)
		return -1;
	if (refs_param(call, "refs", orgs == NULL, refs, &nrefs) == -1)
		return -1;
	if (nrefs > 0 && orgs != NULL)
		return call_invalid(call, "orgs", "give refs or orgs, not "
		    "both");
	if (orgs != NULL && orgs_param(call, orgs, m, &n) == -1)
		return -1;
	/* Records of one organisation make one part, their items joined. */
	for (i = 0; i < nrefs; i++) {
		if ((o = record_org_by_id(affected_orgs(refs[i]->gen),
		    refs[i]->e.org)) == NULL)
			continue;
		for (k = 0; k < n; k++)
			if (strcmp(m[k].org->code, o->code) == 0)
				break;
		if (k == n) {
			m[n].org = o;
			m[n++].items = 0;
		}
		m[k].items |= refs[i]->e.items;
	}
	notice_ctx_init(&nc, core->prompts, core->conf, lang, PROMPT_WRITTEN);
	if ((text = evbuffer_new()) == NULL ||
	    notice_lookup(&nc, m, n, text) == -1) {
		evbuffer_free(text);
		return call_fail(call, RPC_INTERNAL_ERROR, NULL);
	}
	len = evbuffer_get_length(text);
	result = json_pack("{s:s%, s:s}", "text",
	    (const char *)evbuffer_pullup(text, -1), len, "lang", lang);
	evbuffer_free(text);
	return call_result(call, result);
}

/* A completion is committed: the inquiry is no longer open; or not. */
static void
completion_done(void *arg, int ok)
{
	struct inquiry_open	*o = arg;

	if (ok)
		inquiry_open_remove(o->table, o);
	else
		o->state = INQUIRY_OPEN;
}

/*
 * Completes an operator's own open lookup (SPEC §6.2): its new outcome
 * and duration, and the organisations of refs it did not name yet.
 */
static int
complete_inquiry(struct call *call, int64_t id, enum outcome outcome,
    int duration_s, const char *const *codes, size_t ncodes)
{
	struct core		*core = call->core;
	struct inquiry_open	*o;
	struct store_completion	 c;
	const char		*added[REFS_MAX];
	size_t			 nadded = 0, i, k;

	if ((o = inquiry_open_find(core->open_inquiries, id,
	    call->who->client)) == NULL || o->state != INQUIRY_OPEN)
		return call_invalid(call, "inquiry", "unknown inquiry");
	for (i = 0; i < ncodes; i++) {
		for (k = 0; k < o->norgs; k++)
			if (strcmp(o->orgs[k], codes[i]) == 0)
				break;
		if (k == o->norgs)
			added[nadded++] = codes[i];
	}
	memset(&c, 0, sizeof c);
	c.id = id;
	c.time = o->time;
	c.old_outcome = o->outcome;
	c.old_duration_s = o->duration_s;
	c.old_orgs = o->orgs;
	c.nold_orgs = o->norgs;
	c.outcome = outcome;
	c.duration_s = duration_s;
	c.orgs = added;
	c.norgs = nadded;
	if (store_batch_completion(commit_batch(core->commit), &c) == -1 ||
	    core_on_commit(core, completion_done, o) == -1) {
		commit_break(core->commit);
		return call_fail(call, RPC_STORAGE_UNAVAILABLE, NULL);
	}
	o->state = INQUIRY_COMPLETING;
	return 0;
}

int
method_inquiry_record(struct call *call)
{
	struct core		*core = call->core;
	const struct principal	*who = call->who;
	const struct ref	*refs[REFS_MAX];
	const char		*codes[REFS_MAX], *outcome_in;
	const struct org	*o;
	struct store_inquiry	 q;
	enum outcome		 outcome;
	json_t			*jid, *jdur;
	json_int_t		 dur = -1;
	int64_t			 id;
	size_t			 nrefs, ncodes = 0, i, k;

	if (call_string(call, "outcome", 1, &outcome_in) == -1)
		return -1;
	if (inquiry_outcome_parse(outcome_in, &outcome) == -1 ||
	    outcome == OUTCOME_OUT_OF_HOURS || outcome == OUTCOME_RATE_LIMITED)
		return call_invalid(call, "outcome", "must be affected, "
		    "not_found, invalid_input, transferred or abandoned");
	jdur = json_object_get(call->params, "duration_s");
	if (jdur != NULL && !json_is_null(jdur)) {
		if (!json_is_integer(jdur) || (dur = json_integer_value(jdur)) <
		    0 || dur > 86400)
			return call_invalid(call, "duration_s", "whole "
			    "seconds, 0 to 86400");
	}
	jid = json_object_get(call->params, "inquiry");
	if (jid != NULL && !json_is_null(jid) && (!json_is_integer(jid) ||
	    json_integer_value(jid) < 1))
		return call_invalid(call, "inquiry", "unknown inquiry");
	if (refs_param(call, "refs", 0, refs, &nrefs) == -1)
		return -1;
	for (i = 0; i < nrefs; i++) {
		if ((o = record_org_by_id(affected_orgs(refs[i]->gen),
		    refs[i]->e.org)) == NULL)
			continue;
		for (k = 0; k < ncodes; k++)
			if (strcmp(codes[k], o->code) == 0)
				break;
		if (k == ncodes)
			codes[ncodes++] = o->code;
	}
	call->audit_args = json_pack("{s:s}", "outcome",
	    inquiry_outcome_name(outcome));
	if (jid != NULL && json_is_integer(jid)) {
		json_object_set(call->audit_args, "inquiry", jid);
		id = json_integer_value(jid);
		if (complete_inquiry(call, id, outcome, (int)dur, codes,
		    ncodes) == -1)
			return -1;
	} else {
		memset(&q, 0, sizeof q);
		q.time = time(NULL);
		q.channel = CHANNEL_OPERATOR;
		q.client = who->client;
		q.role = config_role_name(who->role);
		q.outcome = outcome;
		q.duration_s = (int)dur;
		q.completed = 1;	/* recorded whole: not completable */
		q.orgs = codes;
		q.norgs = ncodes;
		if ((id = core_inquiry(core, &q)) == -1)
			return call_fail(call, RPC_STORAGE_UNAVAILABLE, NULL);
	}
	return call_result(call, json_pack("{s:I}", "inquiry", (json_int_t)id));
}
