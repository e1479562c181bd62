/*
 * lookup: phone + birthdate -> affected or not, with the notice. Each
 * answered lookup is one inquiry, written in the turn's transaction; the
 * reply is released only after that transaction commits.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/buffer.h>
#include <jansson.h>

#include "affected.h"
#include "config.h"
#include "conn.h"
#include "crypto.h"
#include "hasher.h"
#include "guard.h"
#include "log.h"
#include "method.h"
#include "normalize.h"
#include "notice.h"
#include "server.h"
#include "store.h"

static const char *
nullable(const char *s)
{
	return s != NULL && *s != '\0' ? s : NULL;
}

/* One match as the protocol shows it (SPEC §6.2). */
static json_t *
match_json(const struct notice_ctx *nc, const struct match *m)
{
	const struct org	*o = m->org;
	struct org_texts	 t;

	/* The texts in the notice's language (SPEC §4.1 *_en columns). */
	record_org_texts(o, nc->lang, &t);
	return json_pack("{s:o, s:s?, s:{s:s?, s:s?}, s:o, s:s?, "
	    "s:{s:s?, s:s?, s:s?}}",
	    "org", method_org_json(nc, o),
	    "service", nullable(t.service),
	    "period", "from", nullable(o->period_from), "to",
	    nullable(o->period_to),
	    "items", method_items_json(m->items),
	    "status_note", nullable(t.status_note),
	    "contact", "name", nullable(t.contact_name), "phone",
	    nullable(o->contact_phone), "hours", nullable(t.contact_hours));
}

int
method_lookup(struct rpc_call *call)
{
	struct server		*srv = call->srv;
	struct conn		*c = call->conn;
	struct match		 m[AFFECTED_MATCHES_MAX];
	const char		*phone_in, *birth_in, *lang, *why;
	const char		*codes[AFFECTED_MATCHES_MAX];
	char			 phone[NORM_PHONE_SIZE], birth[NORM_DATE_SIZE];
	char			 masked[LOG_MASKED_PHONE_MAX];
	struct inquiry_rec	 rec;
	struct notice_ctx	 nc;
	struct evbuffer		*text = NULL;
	json_t			*matches = NULL;
	int64_t			 id;
	size_t			 len;
	struct timespec		 mono;
	int			 n, i, retry;

	clock_gettime(CLOCK_MONOTONIC, &mono);
	if (guard_rate(srv, c->client, (double)mono.tv_sec +
	    (double)mono.tv_nsec / 1e9, &retry) == -1)
		return rpc_fail(call, RPC_RATE_LIMITED, json_pack("{s:i}",
		    "retry_after_s", retry));
	if (rpc_param_string(call, "phone", 1, &phone_in) == -1 ||
	    rpc_param_string(call, "birthdate", 1, &birth_in) == -1 ||
	    rpc_param_string(call, "lang", 0, &lang) == -1)
		return -1;
	if (lang == NULL)
		lang = srv->conf->default_lang;
	else if (!prompt_lang_valid(lang))
		return rpc_invalid_param(call, "lang", "must be \"ja\" or "
		    "\"en\"");
	if (normalize_phone(phone_in, phone, &why) != NORM_OK)
		return rpc_invalid_param(call, "phone", why);
	/* The audit keeps the phone masked, never the birthdate. */
	call->audit_args = json_pack("{s:s}", "phone",
	    log_mask_phone(phone, masked));
	if (normalize_birthdate(birth_in, normalize_today(), birth, &why) !=
	    NORM_OK)
		return rpc_invalid_param(call, "birthdate", why);

	n = affected_lookup(srv->affected, hasher_lookup_key(srv->hasher,
	    phone, birth), m, AFFECTED_MATCHES_MAX);
	if (n < 0)
		return rpc_fail(call, RPC_STORAGE_UNAVAILABLE, NULL);
	notice_ctx_init(&nc, srv->prompts, srv->conf, lang, PROMPT_WRITTEN);
	if ((text = evbuffer_new()) == NULL || (matches = json_array()) ==
	    NULL)
		goto fail;
	for (i = 0; i < n; i++)
		if (json_array_append_new(matches, match_json(&nc, &m[i])) ==
		    -1)
			goto fail;
	if (notice_lookup(&nc, m, (size_t)n, text) == -1)
		goto fail;
	len = evbuffer_get_length(text);
	call->result = json_pack("{s:s, s:o, s:s%}",
	    "status", n > 0 ? "affected" : "not_found",
	    "matches", matches,
	    "notice", (const char *)evbuffer_pullup(text, -1), len);
	matches = NULL;
	evbuffer_free(text);
	text = NULL;
	if (call->result == NULL)
		goto fail;

	/* Only an answer that can be given becomes an inquiry. */
	for (i = 0; i < n; i++)
		codes[i] = m[i].org->code;
	memset(&rec, 0, sizeof rec);
	rec.time = time(NULL);
	rec.channel = c->role == ROLE_OPERATOR ? CHANNEL_OPERATOR :
	    CHANNEL_API;
	rec.client = c->client;
	rec.role = config_role_name(c->role);
	rec.outcome = n > 0 ? OUTCOME_AFFECTED : OUTCOME_NOT_FOUND;
	rec.duration_s = -1;
	rec.orgs = codes;
	rec.norgs = (size_t)n;
	if ((id = store_inquiry_add(srv->store, &rec)) == -1)
		return rpc_fail(call, RPC_STORAGE_UNAVAILABLE, NULL);
	json_object_set_new(call->result, "inquiry", json_integer(id));
	call->durable = 1;
	store_count_request(srv->store, rec.time, c->client, rec.role, 1, 0);
	guard_count(srv, c, rec.time);
	log_info("conn %llu: lookup by %s: phone %s, %s, %d organisation%s, "
	    "inquiry %lld", (unsigned long long)c->id, c->client, masked,
	    n > 0 ? "affected" : "not found",
	    n, n == 1 ? "" : "s", (long long)id);
	return 0;
fail:
	json_decref(matches);
	evbuffer_free(text);
	return rpc_fail(call, RPC_INTERNAL_ERROR, NULL);
}
