/*
 * lookup: phone + birthdate -> affected or not, with the notice. Each
 * answered lookup is one inquiry in the open group; the answer leaves
 * only once that group is committed. An operator's lookup stays open for
 * inquiry.record to complete.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/buffer.h>
#include <jansson.h>

#include "affected.h"
#include "config.h"
#include "core.h"
#include "hasher.h"
#include "inquiry.h"
#include "log.h"
#include "method.h"
#include "normalize.h"
#include "notice.h"
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

/* The operator's inquiry is durable, and open for completion, or gone. */
static void
lookup_committed(void *arg, int ok)
{
	struct inquiry_open	*o = arg;

	if (ok)
		o->state = INQUIRY_OPEN;
	else
		inquiry_open_remove(o->table, o);
}

int
method_lookup(struct call *call)
{
	struct core		*core = call->core;
	const struct principal	*who = call->who;
	struct match		 m[AFFECTED_MATCHES_MAX];
	const char		*phone_in, *birth_in, *lang, *why;
	const char		*codes[AFFECTED_MATCHES_MAX];
	char			 phone[NORM_PHONE_SIZE], birth[NORM_DATE_SIZE];
	char			 masked[LOG_MASKED_PHONE_MAX];
	struct store_inquiry	 q;
	struct inquiry_open	*o;
	struct notice_ctx	 nc;
	struct evbuffer		*text = NULL;
	json_t			*matches = NULL, *result;
	int64_t			 id;
	size_t			 len;
	int			 n, i;

	if (call_string(call, "phone", 1, &phone_in) == -1 ||
	    call_string(call, "birthdate", 1, &birth_in) == -1 ||
	    call_lang(call, &lang) == -1)
		return -1;
	if (normalize_phone(phone_in, phone, &why) != NORM_OK)
		return call_invalid(call, "phone", why);
	/* The audit keeps the phone masked, never the birthdate. */
	call->audit_args = json_pack("{s:s}", "phone",
	    log_mask_phone(phone, masked));
	if (normalize_birthdate(birth_in, normalize_today(), birth, &why) !=
	    NORM_OK)
		return call_invalid(call, "birthdate", why);

	n = affected_lookup(core->affected, hasher_lookup_key(core->hasher,
	    phone, birth), m, AFFECTED_MATCHES_MAX);
	if (n < 0)
		return call_fail(call, RPC_STORAGE_UNAVAILABLE, NULL);
	notice_ctx_init(&nc, core->prompts, core->conf, lang, PROMPT_WRITTEN);
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
	result = json_pack("{s:s, s:o, s:s%}",
	    "status", n > 0 ? "affected" : "not_found",
	    "matches", matches,
	    "notice", (const char *)evbuffer_pullup(text, -1), len);
	matches = NULL;
	evbuffer_free(text);
	text = NULL;
	if (call_result(call, result) == -1)
		return -1;

	/* Only an answer that can be given becomes an inquiry. */
	for (i = 0; i < n; i++)
		codes[i] = m[i].org->code;
	memset(&q, 0, sizeof q);
	q.time = time(NULL);
	q.channel = who->role == ROLE_OPERATOR ? CHANNEL_OPERATOR :
	    CHANNEL_API;
	q.client = who->client;
	q.role = config_role_name(who->role);
	q.outcome = n > 0 ? OUTCOME_AFFECTED : OUTCOME_NOT_FOUND;
	q.duration_s = -1;
	q.orgs = codes;
	q.norgs = (size_t)n;
	if ((id = core_inquiry(core, &q)) == -1)
		return call_fail(call, RPC_STORAGE_UNAVAILABLE, NULL);
	if (q.channel == CHANNEL_OPERATOR) {
		if ((o = inquiry_open_add(core->open_inquiries,
		    INQUIRY_COMMITTING, id, q.time, q.client, q.outcome, -1,
		    codes, (size_t)n)) == NULL)
			return call_fail(call, RPC_INTERNAL_ERROR, NULL);
		if (core_on_commit(core, lookup_committed, o) == -1) {
			inquiry_open_remove(core->open_inquiries, o);
			return call_fail(call, RPC_INTERNAL_ERROR, NULL);
		}
	}
	json_object_set_new(call->result, "inquiry", json_integer(id));
	call->counted = 1;
	log_info("%s: lookup by %s: phone %s, %s, %d organisation%s, "
	    "inquiry %lld", who->origin, who->client, masked,
	    n > 0 ? "affected" : "not found",
	    n, n == 1 ? "" : "s", (long long)id);
	return 0;
fail:
	json_decref(matches);
	evbuffer_free(text);
	return call_fail(call, RPC_INTERNAL_ERROR, NULL);
}
