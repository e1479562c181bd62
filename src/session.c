/*
 * The session table: a tsearch(3) tree by id for call.input and
 * call.end, an LRU list so that the timeout sweep only looks at sessions
 * that are actually old, and each owner's own list so that an owner that
 * goes away ends exactly its sessions.
 */
#include <search.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "affected.h"
#include "commit.h"
#include "config.h"
#include "core.h"
#include "crypto.h"
#include "log.h"
#include "session.h"
#include "store.h"

static int
session_cmp(const void *a, const void *b)
{
	return strcmp(((const struct session *)a)->id,
	    ((const struct session *)b)->id);
}

void
session_table_init(struct session_table *t)
{
	t->root = NULL;
	TAILQ_INIT(&t->lru);
	TAILQ_INIT(&t->orphans);
	t->n = 0;
}

void
session_owner_init(struct session_owner *o)
{
	TAILQ_INIT(&o->sessions);
}

struct session *
session_new(struct core *core, const struct principal *who,
    const char *call_id, time_t now)
{
	struct session_table	*t = &core->sessions;
	struct session		*s;

	if (t->n >= (size_t)core->conf->max_sessions || who->owner == NULL)
		return NULL;
	if ((s = calloc(1, sizeof *s)) == NULL)
		return NULL;
	/* A collision of 143 random bits does not happen; check anyway. */
	do {
		if (crypto_random_handle(s->id, sizeof s->id) == -1) {
			free(s);
			return NULL;
		}
	} while (tfind(s, &t->root, session_cmp) != NULL);
	if (tsearch(s, &t->root, session_cmp) == NULL) {
		free(s);
		return NULL;
	}
	snprintf(s->call_id, sizeof s->call_id, "%s", call_id);
	snprintf(s->client, sizeof s->client, "%s", who->client);
	snprintf(s->role, sizeof s->role, "%s", config_role_name(who->role));
	s->core = core;
	s->owner = who->owner;
	s->started = s->last = now;
	TAILQ_INSERT_TAIL(&s->owner->sessions, s, owner_entry);
	TAILQ_INSERT_TAIL(&t->lru, s, lru_entry);
	t->n++;
	store_batch_sessions(commit_batch(core->commit), now, t->n);
	core_sessions_changed(core);
	return s;
}

struct session *
session_find(struct core *core, struct session_owner *owner, const char *id)
{
	struct session	 key, *s;
	void		*node;

	if (owner == NULL || strlen(id) != SESSION_ID_LEN)
		return NULL;
	memcpy(key.id, id, SESSION_ID_LEN + 1);
	if ((node = tfind(&key, &core->sessions.root, session_cmp)) == NULL)
		return NULL;
	s = *(struct session **)node;
	return s->owner == owner ? s : NULL;
}

void
session_touch(struct core *core, struct session *s, time_t now)
{
	s->last = now;
	TAILQ_REMOVE(&core->sessions.lru, s, lru_entry);
	TAILQ_INSERT_TAIL(&core->sessions.lru, s, lru_entry);
}

/* Takes a session out of every list and frees it. */
static void
session_free(struct core *core, struct session *s)
{
	tdelete(s, &core->sessions.root, session_cmp);
	if (!s->ending)
		TAILQ_REMOVE(s->owner != NULL ? &core->sessions.lru :
		    &core->sessions.orphans, s, lru_entry);
	if (s->owner != NULL)
		TAILQ_REMOVE(&s->owner->sessions, s, owner_entry);
	core->sessions.n--;
	ivr_clear(&s->ivr);
	free(s);
	core_sessions_changed(core);
}

void
session_drop(struct core *core, struct session *s)
{
	session_free(core, s);
}

/*
 * The end's commit is done: the session goes; or it failed: the session
 * is open again — for its owner's retry, or, without an owner, for the
 * sweep to end it again.
 */
static void
session_end_done(void *arg, int ok)
{
	struct session	*s = arg;
	struct core	*core = s->core;

	if (ok) {
		session_free(core, s);
		return;
	}
	s->ending = 0;
	log_warnx("call %s: its end was not committed; %s", s->call_id,
	    s->owner != NULL ? "it can end again" : "ended again shortly");
	TAILQ_INSERT_TAIL(s->owner != NULL ? &core->sessions.lru :
	    &core->sessions.orphans, s, lru_entry);
}

int64_t
session_end(struct core *core, struct session *s, const char *reason,
    time_t now)
{
	struct store_inquiry	 q;
	const char		*codes[AFFECTED_MATCHES_MAX];
	int64_t			 id;

	if (s->ending)
		return -1;
	memset(&q, 0, sizeof q);
	q.time = now;
	q.channel = CHANNEL_IVR;
	q.client = s->client;
	q.role = s->role;
	q.outcome = ivr_outcome(&s->ivr);
	/* A call that timed out lasted until its last event, not the sweep. */
	q.duration_s = (int)((strcmp(reason, "timeout") == 0 ? s->last :
	    now) - s->started);
	q.orgs = codes;
	q.norgs = ivr_org_codes(&s->ivr, codes, AFFECTED_MATCHES_MAX);
	if ((id = core_inquiry(core, &q)) == -1 ||
	    core_on_commit(core, session_end_done, s) == -1)
		return -1;
	TAILQ_REMOVE(s->owner != NULL ? &core->sessions.lru :
	    &core->sessions.orphans, s, lru_entry);
	s->ending = 1;
	log_info("call %s by %s ended (%s): %s, %d s, inquiry %lld",
	    s->call_id, s->client, reason, inquiry_outcome_name(q.outcome),
	    q.duration_s, (long long)id);
	return id;
}

void
session_end_owner(struct core *core, struct session_owner *owner,
    const char *reason)
{
	struct session	*s;

	while ((s = TAILQ_FIRST(&owner->sessions)) != NULL) {
		if (!s->ending)
			(void)session_end(core, s, reason, time(NULL));
		/* Whatever its end becomes, it no longer has an owner. */
		TAILQ_REMOVE(&owner->sessions, s, owner_entry);
		if (!s->ending) {
			TAILQ_REMOVE(&core->sessions.lru, s, lru_entry);
			TAILQ_INSERT_TAIL(&core->sessions.orphans, s,
			    lru_entry);
		}
		s->owner = NULL;
	}
}

void
session_expire(struct core *core, time_t now)
{
	struct session	*s;
	time_t		 limit = now - core->conf->session_timeout_s;

	while ((s = TAILQ_FIRST(&core->sessions.orphans)) != NULL)
		if (session_end(core, s, "owner gone", now) == -1)
			break;
	while ((s = TAILQ_FIRST(&core->sessions.lru)) != NULL &&
	    s->last <= limit)
		if (session_end(core, s, "timeout", now) == -1)
			break;
}

void
session_end_all(struct core *core, const char *reason)
{
	struct session	*s;
	time_t		 now = time(NULL);

	while ((s = TAILQ_FIRST(&core->sessions.orphans)) != NULL)
		if (session_end(core, s, reason, now) == -1)
			return;
	while ((s = TAILQ_FIRST(&core->sessions.lru)) != NULL)
		if (session_end(core, s, reason, now) == -1)
			return;
}

void
session_table_free(struct core *core)
{
	struct session	*s;
	void		*node;

	while ((node = core->sessions.root) != NULL) {
		s = *(struct session **)node;
		tdelete(s, &core->sessions.root, session_cmp);
		ivr_clear(&s->ivr);
		free(s);
	}
	session_table_init(&core->sessions);
}
