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
#include "bytes.h"
#include "cache.h"
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

/*
 * The answer's text but for its inquiry id: what the matches make of it
 * in this language, rendered once and kept (core->answers) until a
 * reload. The key is the language and each match's organisation and
 * items, in order.
 */
static const char *
answer_text(struct call *call, const char *lang, const struct match *m,
    int n, size_t *len)
{
	struct core		*core = call->core;
	unsigned char		 key[4 + AFFECTED_MATCHES_MAX * 6];
	const char		*text;
	struct notice_ctx	 nc;
	struct evbuffer		*notice = NULL;
	json_t			*matches = NULL, *result;
	char			*dumped;
	size_t			 klen = 0, dlen;
	int			 i;

	key[klen++] = (unsigned char)lang[0];
	key[klen++] = (unsigned char)lang[1];
	key[klen++] = (unsigned char)(n >> 8);
	key[klen++] = (unsigned char)n;
	for (i = 0; i < n; i++) {
		bytes_put_le(key + klen, (uint64_t)m[i].org->id, 4);
		bytes_put_le(key + klen + 4, m[i].items, 2);
		klen += 6;
	}
	if ((text = cache_get(core->answers, key, klen, len)) != NULL)
		return text;
	notice_ctx_init(&nc, core->prompts, core->conf, lang, PROMPT_WRITTEN);
	if ((notice = evbuffer_new()) == NULL ||
	    (matches = json_array()) == NULL)
		goto fail;
	for (i = 0; i < n; i++)
		if (json_array_append_new(matches, match_json(&nc, &m[i])) ==
		    -1)
			goto fail;
	if (notice_lookup(&nc, m, (size_t)n, notice) == -1)
		goto fail;
	result = json_pack("{s:s, s:o, s:s%}",
	    "status", n > 0 ? "affected" : "not_found",
	    "matches", matches,
	    "notice", (const char *)evbuffer_pullup(notice, -1),
	    evbuffer_get_length(notice));
	matches = NULL;
	evbuffer_free(notice);
	notice = NULL;
	if (result == NULL)
		goto fail;
	dumped = json_dumps(result, JSON_COMPACT);
	json_decref(result);
	/* Kept without its closing brace: the inquiry id follows. */
	if (dumped == NULL || (dlen = strlen(dumped)) < 2 ||
	    cache_put(core->answers, key, klen, dumped, dlen - 1) == -1) {
		free(dumped);
		goto fail;
	}
	free(dumped);
	return cache_get(core->answers, key, klen, len);
fail:
	json_decref(matches);
	evbuffer_free(notice);
	return NULL;
}

int
method_lookup(struct call *call)
{
	struct core		*core = call->core;
	const struct principal	*who = call->who;
	struct match		 m[AFFECTED_MATCHES_MAX];
	const char		*phone_in, *birth_in, *lang, *why, *text;
	const char		*codes[AFFECTED_MATCHES_MAX];
	char			 phone[NORM_PHONE_SIZE], birth[NORM_DATE_SIZE];
	char			 masked[LOG_MASKED_PHONE_MAX], *raw;
	struct store_inquiry	 q;
	struct inquiry_open	*o;
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
	snprintf(call->audit_buf, sizeof call->audit_buf,
	    "{\"phone\":\"%s\"}", log_mask_phone(phone, masked));
	call->audit_text = call->audit_buf;
	if (normalize_birthdate(birth_in, normalize_today(), birth, &why) !=
	    NORM_OK)
		return call_invalid(call, "birthdate", why);

	n = affected_lookup(core->affected, hasher_lookup_key(core->hasher,
	    phone, birth), m, AFFECTED_MATCHES_MAX);
	if (n < 0)
		return call_fail(call, RPC_STORAGE_UNAVAILABLE, NULL);
	if ((text = answer_text(call, lang, m, n, &len)) == NULL)
		return call_fail(call, RPC_INTERNAL_ERROR, NULL);

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
	/* The rendered answer, its inquiry id, its closing brace. */
	if ((raw = core_raw(core, len + 32)) == NULL)
		return call_fail(call, RPC_INTERNAL_ERROR, NULL);
	memcpy(raw, text, len);
	len += (size_t)snprintf(raw + len, 32, ",\"inquiry\":%lld}",
	    (long long)id);
	call->raw = raw;
	call->raw_len = len;
	call->counted = 1;
	log_info("%s: lookup by %s: phone %s, %s, %d organisation%s, "
	    "inquiry %lld", who->origin, who->client, masked,
	    n > 0 ? "affected" : "not found",
	    n, n == 1 ? "" : "s", (long long)id);
	return 0;
}
