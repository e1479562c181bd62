/*
 * Web sessions (include/websession.h): a bounded list, ids and CSRF
 * tokens from crypto_random_handle, constant-time lookups, expiry.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compat.h"
#include "config.h"
#include "core.h"
#include "crypto.h"
#include "log.h"
#include "metrics.h"
#include "websession.h"

void
websession_table_init(struct websession_table *t, struct core *core)
{
	memset(t, 0, sizeof *t);
	t->core = core;
	TAILQ_INIT(&t->list);
}

static void
gauge(struct websession_table *t)
{
	metrics_gauge_set(t->core->metrics, METRICS_SESSIONS_WEB,
	    (int64_t)t->n);
}

struct websession *
websession_new(struct websession_table *t, const struct principal *who,
    time_t now, int *full)
{
	struct websession	*s;

	*full = 0;
	if (t->n >= (size_t)t->core->conf->http_max_sessions) {
		*full = 1;
		return NULL;
	}
	if ((s = calloc(1, sizeof *s)) == NULL)
		return NULL;
	if (crypto_random_handle(s->id, sizeof s->id) == -1 ||
	    crypto_random_handle(s->csrf, sizeof s->csrf) == -1) {
		free(s);
		return NULL;
	}
	s->serial = ++t->next_serial;
	s->who = *who;
	snprintf(s->who.origin, sizeof s->who.origin, "web %llu",
	    (unsigned long long)s->serial);
	session_owner_init(&s->owner);
	s->who.owner = &s->owner;
	s->created = s->last = now;
	TAILQ_INSERT_TAIL(&t->list, s, entry);
	t->n++;
	gauge(t);
	log_info("%s: client %s (%s) signed in from %s", s->who.origin,
	    s->who.client, config_role_name(s->who.role), s->who.peer);
	return s;
}

/* Why a session may no longer be used at now, or NULL. */
static const char *
expired(const struct websession_table *t, const struct websession *s,
    time_t now)
{
	const struct config	*conf = t->core->conf;

	if (now - s->created >= conf->http_session_lifetime_s)
		return "lifetime over";
	if (now - s->last >= conf->http_session_idle_s)
		return "idle";
	return NULL;
}

struct websession *
websession_find(struct websession_table *t, const char *id, time_t now)
{
	struct websession	*s, *found = NULL;
	const char		*why;
	char			 probe[WEBSESSION_ID_LEN];
	int			 eq;

	if (id == NULL || strlen(id) != WEBSESSION_ID_LEN)
		return NULL;
	memcpy(probe, id, sizeof probe);
	/* Every id is compared, whatever matched: no early exit. */
	TAILQ_FOREACH(s, &t->list, entry) {
		eq = crypto_equal(probe, s->id, sizeof probe);
		found = eq ? s : found;
	}
	if (found == NULL)
		return NULL;
	if ((why = expired(t, found, now)) != NULL) {
		websession_end(t, found, why);
		return NULL;
	}
	found->last = now;
	return found;
}

int
websession_csrf_ok(const struct websession *s, const char *token)
{
	if (token == NULL || strlen(token) != WEBSESSION_CSRF_LEN)
		return 0;
	return crypto_equal(token, s->csrf, WEBSESSION_CSRF_LEN);
}

void
websession_end(struct websession_table *t, struct websession *s,
    const char *reason)
{
	log_info("%s: session of client %s ended (%s)", s->who.origin,
	    s->who.client[0] ? s->who.client : "-", reason);
	/* Calls it opened end as abandoned, as a closed connection's do. */
	session_end_owner(t->core, &s->owner, "web session ended");
	TAILQ_REMOVE(&t->list, s, entry);
	t->n--;
	gauge(t);
	explicit_bzero(s, sizeof *s);
	free(s);
}

void
websession_expire(struct websession_table *t, time_t now)
{
	struct websession	*s, *next;
	const char		*why;

	TAILQ_FOREACH_SAFE(s, &t->list, entry, next)
		if ((why = expired(t, s, now)) != NULL)
			websession_end(t, s, why);
}

void
websession_reconfigure(struct websession_table *t)
{
	const struct conf_client	*cl;
	struct websession		*s, *next;

	TAILQ_FOREACH_SAFE(s, &t->list, entry, next) {
		if ((cl = config_client(t->core->conf, s->who.client)) ==
		    NULL) {
			websession_end(t, s, "client removed from the conf");
			continue;
		}
		s->who.role = cl->role;
	}
}

void
websession_end_all(struct websession_table *t, const char *reason)
{
	struct websession	*s;

	while ((s = TAILQ_FIRST(&t->list)) != NULL)
		websession_end(t, s, reason);
}
