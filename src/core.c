/*
 * The service core: built from the conf, restored from hotline.db,
 * reloaded on request, committed once a turn, swept once a second.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "affected.h"
#include "alerts.h"
#include "cache.h"
#include "callers.h"
#include "commit.h"
#include "config.h"
#include "core.h"
#include "crypto.h"
#include "guard.h"
#include "hasher.h"
#include "dispatch.h"
#include "inquiry.h"
#include "jobs.h"
#include "live.h"
#include "log.h"
#include "metrics.h"
#include "prompt.h"
#include "refs.h"
#include "store.h"

#define DAY_S		86400
#define EXPIRE_S	600	/* how often what is kept a day is trimmed */
#define TOKEN_MAX	256	/* longest token looked at */
#define ANSWERS_MAX	4096	/* rendered lookup answers kept */

static struct affected *
open_affected(struct core *core, const struct config *conf, char **err)
{
	char		 key_id[HASHER_KEY_ID_SIZE];
	char		*path;
	struct affected	*a;

	hasher_key_id(core->hasher, key_id);
	if (asprintf(&path, "%s/affected.db", conf->data_dir) == -1) {
		*err = strdup("out of memory");
		return NULL;
	}
	a = affected_open(path, key_id, err);
	free(path);
	return a;
}

/* A suspension survives a restart: the admin must lift it. */
static void
restore_suspended(const char *client, void *arg)
{
	struct core	*core = arg;

	guard_set_suspended(core->guard, client, 1);
	log_notice("client %s is suspended (admin.client_enable lifts it)",
	    client);
}

static void
restore_caller(int64_t caller, time_t t, void *arg)
{
	struct core	*core = arg;

	(void)callers_add(core->callers, caller, t);
}

static void
restore_alert(int64_t id, void *arg)
{
	struct core	*core = arg;

	(void)alerts_add(core->alerts, id);
}

static void
restore_open_inquiry(const struct store_inquiry *q, void *arg)
{
	struct core	*core = arg;

	(void)inquiry_open_add(core->open_inquiries, INQUIRY_OPEN, q->id,
	    q->time, q->client, q->outcome, q->duration_s, q->orgs, q->norgs);
}

static void	checkpoint(struct core *, int);

static void
committed_inquiry(const struct store_inquiry *q, void *arg)
{
	struct core	*core = arg;

	metrics_inquiry(core->metrics, q->channel, q->outcome);
	live_inquiry(core->live, time(NULL), q->time, q->channel, q->outcome,
	    q->duration_s, q->orgs, q->norgs);
}

static void
committed_completion(const struct store_completion *c, void *arg)
{
	struct core	*core = arg;

	metrics_inquiry_completed(core->metrics, c->outcome);
	live_inquiry_completed(core->live, time(NULL), c->time,
	    CHANNEL_OPERATOR, c->old_outcome, c->old_duration_s, c->outcome,
	    c->duration_s, c->orgs, c->norgs);
}

/*
 * A group is done: the metrics and today's figures count what it made
 * durable, and nothing of a group that failed.
 */
static void
committed(void *arg, const struct store_batch *b, int ok, uint64_t ns)
{
	struct core			*core = arg;
	struct store_batch_counts	 n;

	metrics_commit(core->metrics, ns, ok);
	if (!ok)
		return;
	checkpoint(core, 0);
	store_batch_counts(b, &n);
	metrics_count(core->metrics, METRICS_AUDIT_ENTRIES, n.audit);
	metrics_count(core->metrics, METRICS_ALERTS_RAISED, n.alerts);
	store_batch_foreach(b, committed_inquiry, committed_completion, core);
}

void
core_sessions_changed(struct core *core)
{
	metrics_gauge_set(core->metrics, METRICS_SESSIONS_IVR,
	    (int64_t)core->sessions.n);
	live_sessions(core->live, time(NULL), (int64_t)core->sessions.n);
}

void
core_alerts_changed(struct core *core)
{
	metrics_gauge_set(core->metrics, METRICS_ALERTS_OPEN,
	    (int64_t)alerts_open(core->alerts));
}

/* What hotline.db knows that the service keeps in memory. */
static int
restore(struct core *core, char **err)
{
	struct store_state	st;
	time_t			day_ago = time(NULL) - DAY_S;
	int64_t			n;
	char			head[CRYPTO_SHA256_HEX_SIZE];

	if (store_state(core->store, &st) == -1 ||
	    store_clients_suspended(core->store, restore_suspended,
	    core) == -1 ||
	    store_callers(core->store, day_ago, restore_caller, core) == -1 ||
	    store_open_inquiries(core->store, day_ago, restore_open_inquiry,
	    core) == -1 ||
	    store_open_alerts(core->store, restore_alert, core) == -1) {
		*err = strdup("hotline.db: cannot read what the service "
		    "restores at start");
		return -1;
	}
	core->next_inquiry = st.next_inquiry;
	core->next_alert = st.next_alert;
	if (store_audit_head(core->store, &n, head) == -1) {
		*err = strdup("hotline.db: cannot read the audit log's head");
		return -1;
	}
	core->audit_checkpoint = n;
	if (live_seed(core->live, core->reader, time(NULL)) == -1) {
		*err = strdup("hotline.db: cannot read today's counters");
		return -1;
	}
	core_alerts_changed(core);
	metrics_gauge_set(core->metrics, METRICS_AFFECTED_RECORDS,
	    affected_rows(core->affected));
	return 0;
}

struct core *
core_new(struct config *conf, char **err)
{
	struct core		*core;
	const char *const	*methods;
	unsigned char		 key[CRYPTO_KEY_SIZE];
	size_t			 nmethods;

	*err = NULL;
	if ((core = calloc(1, sizeof *core)) == NULL) {
		*err = strdup("out of memory");
		return NULL;
	}
	session_table_init(&core->sessions);
	core->conf = conf;
	core->started = time(NULL);
	if (crypto_key_load(conf->key_file, 1, key, err) == -1)
		goto fail;
	core->hasher = hasher_new(key);
	memset(key, 0, sizeof key);
	if (core->hasher == NULL) {
		*err = strdup("cannot set up HMAC-SHA256");
		goto fail;
	}
	if ((core->prompts = prompt_load(conf->prompts_dir, err)) == NULL ||
	    (core->affected = open_affected(core, conf, err)) == NULL ||
	    (core->store = store_open(conf->data_dir, conf->sync_full, 0,
	    err)) == NULL ||
	    (core->reader = store_open(conf->data_dir, 0, 1, err)) == NULL)
		goto fail;
	methods = dispatch_methods(&nmethods);
	if ((core->metrics = metrics_new(methods, nmethods,
	    HOTLINE_VERSION)) == NULL ||
	    (core->live = live_new(core->started)) == NULL ||
	    (core->commit = commit_new(core->store, committed, core)) ==
	    NULL ||
	    (core->guard = guard_new()) == NULL ||
	    (core->refs = ref_table_new()) == NULL ||
	    (core->callers = callers_new()) == NULL ||
	    (core->open_inquiries = inquiry_table_new()) == NULL ||
	    (core->answers = cache_new(ANSWERS_MAX)) == NULL ||
	    (core->alerts = alerts_new()) == NULL)
		goto fail;
	if (restore(core, err) == -1)
		goto fail;
	if (!conf->audit_enabled)
		log_warnx("audit.enabled is false: requests are not audited "
		    "(for measurements only)");
	return core;
fail:
	if (*err == NULL)
		*err = strdup("out of memory");
	core->conf = NULL;	/* the caller still owns it */
	core_free(core);
	return NULL;
}

int
core_start(struct core *core, struct event_base *base)
{
	char	*err;

	if (store_wal_start(core->store, core->conf->data_dir) == -1) {
		log_warnx("hotline.db: no checkpointer thread; the writer "
		    "checkpoints itself");
	}
	if ((core->jobs = jobs_start(core->conf->data_dir, base, &err)) ==
	    NULL) {
		log_warnx("hotline.db: %s", err != NULL ? err : "out of memory");
		free(err);
		return -1;
	}
	return commit_start(core->commit, base);
}

/* Logs the audit log's length and head (SPEC §7; docs/DESIGN.md). */
static void
checkpoint(struct core *core, int force)
{
	char	head[CRYPTO_SHA256_HEX_SIZE];
	int64_t	n;
	time_t	now;

	commit_audit_head(core->commit, &n, head);
	now = time(NULL);
	if (n == 0 || n == core->audit_checkpoint || (!force &&
	    (n < core->audit_checkpoint +
	    core->conf->audit_checkpoint_every ||
	    now == core->audit_checkpoint_time)))
		return;
	core->audit_checkpoint = n;
	core->audit_checkpoint_time = now;
	log_notice("audit checkpoint %lld:%s", (long long)n, head);
}

void
core_free(struct core *core)
{
	if (core == NULL)
		return;
	jobs_stop(core->jobs);
	core->jobs = NULL;
	dispatch_later_clear(core);
	if (core->commit != NULL) {
		if (core_commit(core) == -1)
			log_warnx("hotline.db: the final commit failed");
		checkpoint(core, 1);
	}
	session_table_free(core);
	cache_free(core->answers);
	free(core->raw);
	alerts_free(core->alerts);
	inquiry_table_free(core->open_inquiries);
	callers_free(core->callers);
	ref_table_free(core->refs);
	guard_free(core->guard);
	commit_free(core->commit);
	live_free(core->live);
	metrics_free(core->metrics);
	store_close(core->reader);
	store_close(core->store);
	affected_unref(core->affected);
	prompt_free(core->prompts);
	hasher_free(core->hasher);
	config_free(core->conf);
	free(core);
}

/* Adds "what kept: why" to the reload's message; frees why. */
static void
reload_failed(char **msg, const char *what, char *why)
{
	char	*tmp;

	if (asprintf(&tmp, "%s%s%s kept: %s", *msg ? *msg : "",
	    *msg ? "; " : "", what, why ? why : "?") == -1)
		tmp = NULL;
	free(*msg);
	*msg = tmp;
	free(why);
}

int
core_reload(struct core *core, char **err)
{
	struct config	*conf;
	struct prompts	*prompts;
	struct affected	*a;
	char		*e = NULL, *msg = NULL;
	int		 failed = 0;

	*err = NULL;
	conf = config_load(core->conf->path, &e);
	if (conf != NULL && (strcmp(conf->data_dir, core->conf->data_dir) ||
	    strcmp(conf->key_file, core->conf->key_file) ||
	    strcmp(conf->listen_address, core->conf->listen_address) ||
	    conf->listen_port != core->conf->listen_port ||
	    config_http_restart(conf, core->conf))) {
		config_free(conf);
		conf = NULL;
		e = strdup("data_dir, key_file, listen and the http listener "
		    "(address, port, TLS on or off) need a restart");
	}
	if (conf == NULL) {
		reload_failed(&msg, "conf", e);
		failed = 1;
	} else {
		config_free(core->conf);
		core->conf = conf;
		config_apply_time_zone(conf);
		log_set_level(conf->log_level);
		if (core->on_reload != NULL)
			core->on_reload(core->on_reload_arg);
		log_info("reload: conf loaded, %zu clients", conf->nclients);
	}
	e = NULL;
	if ((prompts = prompt_load(core->conf->prompts_dir, &e)) == NULL) {
		reload_failed(&msg, "prompts", e);
		failed = 1;
	} else {
		prompt_free(core->prompts);
		core->prompts = prompts;
		log_info("reload: prompts loaded");
	}
	e = NULL;
	if ((a = open_affected(core, core->conf, &e)) == NULL) {
		reload_failed(&msg, "affected.db", e);
		failed = 1;
	} else {
		affected_unref(core->affected);
		core->affected = a;
		metrics_gauge_set(core->metrics, METRICS_AFFECTED_RECORDS,
		    affected_rows(a));
		log_info("reload: affected.db loaded, %lld records",
		    (long long)affected_rows(a));
	}
	/* Whatever reloaded, answers are rendered anew. */
	cache_clear(core->answers);
	*err = msg;
	return failed ? -1 : 0;
}

int
core_authenticate(struct core *core, struct principal *who,
    const char *client, const char *token)
{
	static const unsigned char	 dummy[CRYPTO_SHA256_SIZE];
	const struct conf_client	*cl;
	unsigned char			 digest[CRYPTO_SHA256_SIZE];
	size_t				 tlen = strlen(token);
	int				 ok;

	cl = config_client(core->conf, client);
	crypto_sha256(token, tlen > TOKEN_MAX ? TOKEN_MAX : tlen, digest);
	ok = crypto_equal(digest, cl != NULL ? cl->token_sha256 : dummy,
	    sizeof digest);
	if (!ok || cl == NULL || tlen > TOKEN_MAX) {
		who->client[0] = '\0';
		who->role = ROLE_NONE;
		who->failed_auth++;
		return -1;
	}
	snprintf(who->client, sizeof who->client, "%s", cl->name);
	who->role = cl->role;
	return 0;
}

const struct conf_client *
core_token_client(struct core *core, const char *token)
{
	const struct conf_client	*found = NULL;
	unsigned char			 digest[CRYPTO_SHA256_SIZE];
	size_t				 i, tlen = strlen(token);
	int				 eq;

	crypto_sha256(token, tlen > TOKEN_MAX ? TOKEN_MAX : tlen, digest);
	for (i = 0; i < core->conf->nclients; i++) {
		eq = crypto_equal(digest, core->conf->clients[i].token_sha256,
		    sizeof digest);
		found = eq ? &core->conf->clients[i] : found;
	}
	return tlen > TOKEN_MAX || tlen == 0 ? NULL : found;
}

int64_t
core_inquiry(struct core *core, struct store_inquiry *q)
{
	q->id = core->next_inquiry;
	if (store_batch_inquiry(commit_batch(core->commit), q) == -1) {
		commit_break(core->commit);
		return -1;
	}
	core->next_inquiry++;
	return q->id;
}

int
core_on_commit(struct core *core, void (*fn)(void *, int), void *arg)
{
	return commit_hook(core->commit, fn, arg);
}

int
core_commit(struct core *core)
{
	return commit_run(core->commit);
}

void
core_kick(struct core *core)
{
	commit_kick(core->commit);
}

int
core_finish(struct core *core, int seconds)
{
	struct timespec	 pause = { 0, 250 * 1000 * 1000 };
	time_t		 until = time(NULL) + seconds;
	int		 rc;

	/* The loop is gone: work still off it will not be answered. */
	jobs_stop(core->jobs);
	core->jobs = NULL;
	for (;;) {
		session_end_all(core, "shutdown");
		rc = core_commit(core);
		if (rc == 0 && core->sessions.n == 0)
			return 0;
		if (time(NULL) >= until)
			break;
		nanosleep(&pause, NULL);
	}
	log_warnx("hotline.db: %zu call%s not recorded at the stop: storage "
	    "unavailable for %d s", core->sessions.n, core->sessions.n == 1 ?
	    "" : "s", seconds);
	return -1;
}

void
core_sweep(struct core *core, time_t now)
{
	session_expire(core, now);
	if (now - core->expired >= EXPIRE_S) {
		core->expired = now;
		callers_expire(core->callers, now - DAY_S);
		store_batch_caller_expire(commit_batch(core->commit),
		    now - DAY_S);
		inquiry_open_expire(core->open_inquiries,
		    now - INQUIRY_OPEN_S);
	}
}

char *
core_raw(struct core *core, size_t need)
{
	char	*p;
	size_t	 cap;

	if (need > core->raw_cap) {
		for (cap = core->raw_cap ? core->raw_cap : 4096; cap < need;
		    cap *= 2)
			;
		if ((p = realloc(core->raw, cap)) == NULL)
			return NULL;
		core->raw = p;
		core->raw_cap = cap;
	}
	return core->raw;
}

const char *
core_lang(const struct core *core, const char *lang)
{
	return lang != NULL ? lang : core->conf->default_lang;
}
