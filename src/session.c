/*
 * The session table: a tsearch(3) tree by id for call.input and
 * call.end, an LRU list so that the timeout sweep only looks at sessions
 * that are actually old, and each connection's own list so that a dropped
 * connection ends exactly its sessions.
 */
#include <search.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "affected.h"
#include "config.h"
#include "crypto.h"
#include "log.h"
#include "server.h"
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
	t->n = 0;
}

struct session *
session_new(struct server *srv, struct conn *c, const char *call_id,
    time_t now)
{
	struct session_table	*t = &srv->sessions;
	struct session		*s;
	void			*node;

	if (t->n >= (size_t)srv->conf->max_sessions)
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
	if ((node = tsearch(s, &t->root, session_cmp)) == NULL) {
		free(s);
		return NULL;
	}
	snprintf(s->call_id, sizeof s->call_id, "%s", call_id);
	snprintf(s->client, sizeof s->client, "%s", c->client);
	snprintf(s->role, sizeof s->role, "%s", config_role_name(c->role));
	s->conn = c;
	s->started = s->last = now;
	TAILQ_INSERT_TAIL(&c->sessions, s, conn_entry);
	TAILQ_INSERT_TAIL(&t->lru, s, lru_entry);
	t->n++;
	store_note_sessions(srv->store, now, t->n);
	return s;
}

struct session *
session_find(struct server *srv, struct conn *c, const char *id)
{
	struct session	 key, *s;
	void		*node;

	if (strlen(id) != SESSION_ID_LEN)
		return NULL;
	memcpy(key.id, id, SESSION_ID_LEN + 1);
	if ((node = tfind(&key, &srv->sessions.root, session_cmp)) == NULL)
		return NULL;
	s = *(struct session **)node;
	return s->conn == c ? s : NULL;
}

void
session_touch(struct server *srv, struct session *s, time_t now)
{
	s->last = now;
	TAILQ_REMOVE(&srv->sessions.lru, s, lru_entry);
	TAILQ_INSERT_TAIL(&srv->sessions.lru, s, lru_entry);
}

/* Takes a session out of every list and frees it. */
static void
session_free(struct server *srv, struct session *s)
{
	tdelete(s, &srv->sessions.root, session_cmp);
	TAILQ_REMOVE(&srv->sessions.lru, s, lru_entry);
	TAILQ_REMOVE(&s->conn->sessions, s, conn_entry);
	srv->sessions.n--;
	ivr_clear(&s->ivr);
	free(s);
}

void
session_drop(struct server *srv, struct session *s)
{
	session_free(srv, s);
}

int64_t
session_end(struct server *srv, struct session *s, const char *reason,
    time_t now)
{
	struct inquiry_rec	 rec;
	const char		*codes[AFFECTED_MATCHES_MAX];
	int64_t			 id;

	memset(&rec, 0, sizeof rec);
	rec.time = now;
	rec.channel = CHANNEL_IVR;
	rec.client = s->client;
	rec.role = s->role;
	rec.outcome = ivr_outcome(&s->ivr);
	/* A call that timed out lasted until its last event, not the sweep. */
	rec.duration_s = (int)((strcmp(reason, "timeout") == 0 ? s->last :
	    now) - s->started);
	rec.orgs = codes;
	rec.norgs = ivr_org_codes(&s->ivr, codes, AFFECTED_MATCHES_MAX);
	id = store_inquiry_add(srv->store, &rec);
	log_info("call %s by %s ended (%s): %s, %d s, inquiry %lld",
	    s->call_id, s->client, reason, inquiry_outcome_name(rec.outcome),
	    rec.duration_s, (long long)id);
	session_free(srv, s);
	return id;
}

void
session_end_conn(struct server *srv, struct conn *c, const char *reason)
{
	struct session	*s;

	while ((s = TAILQ_FIRST(&c->sessions)) != NULL)
		(void)session_end(srv, s, reason, time(NULL));
}

void
session_expire(struct server *srv, time_t now)
{
	struct session	*s;
	time_t		 limit = now - srv->conf->session_timeout_s;

	while ((s = TAILQ_FIRST(&srv->sessions.lru)) != NULL &&
	    s->last <= limit)
		(void)session_end(srv, s, "timeout", now);
}
