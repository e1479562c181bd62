/*
 * A service core for unit tests, with no socket anywhere: a temporary
 * data directory with a conf, a key and tests/data/people imported, and
 * the core built from them exactly as hotlined builds it. Included by the
 * tests that need one (header only: each test is one binary).
 */
#ifndef HOTLINE_TEST_WORLD_H
#define HOTLINE_TEST_WORLD_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "core.h"
#include "crypto.h"
#include "import.h"

struct world {
	char		 dir[64];
	struct core	*core;
};

/* Clients of every role; the conf keeps only their tokens' SHA-256. */
static const struct {
	const char	*name, *role, *token;
} world_clients[] = {
	{ "gw", "gateway", "gw-token" },
	{ "op", "operator", "op-token" },
	{ "op2", "operator", "op2-token" },
	{ "sup", "supervisor", "sup-token" },
	{ "adm", "admin", "adm-token" },
};

/* A world whose conf has extra appended; NULL if anything failed. */
static inline struct world *
world_new(const char *extra)
{
	struct world		*w = calloc(1, sizeof *w);
	struct import_options	 opt;
	struct import_summary	 sum;
	struct config		*conf;
	char			 path[128], key[128], hex[CRYPTO_SHA256_HEX_SIZE];
	char			 orgs[256], list[256], cwd[256], *err = NULL;
	const char		*data = getenv("HOTLINE_TESTDATA");
	const char		*lists[1];
	size_t			 i;
	FILE			*f;

	if (w == NULL)
		return NULL;
	if (data == NULL)
		data = "tests/data";
	snprintf(w->dir, sizeof w->dir, "/tmp/hotline-world.XXXXXX");
	if (mkdtemp(w->dir) == NULL)
		return NULL;
	snprintf(path, sizeof path, "%s/hotline.conf", w->dir);
	snprintf(key, sizeof key, "%s/hotline.key", w->dir);
	if ((f = fopen(path, "w")) == NULL)
		return NULL;
	if (getcwd(cwd, sizeof cwd) == NULL)
		return NULL;
	fprintf(f, "data_dir = \"%s\";\nprompts_dir = \"%s/prompts\";\n"
	    "log = { level = \"warn\"; };\n"
	    "hours = { open = \"00:00\"; close = \"24:00\"; };\n"
	    "rate = { lookups_per_s = 1000000; burst = 1000000; };\n"
	    "clients = (\n", w->dir, cwd);
	for (i = 0; i < sizeof world_clients / sizeof world_clients[0];
	    i++) {
		crypto_sha256_hex(world_clients[i].token,
		    strlen(world_clients[i].token), hex);
		fprintf(f, "%s{ name = \"%s\"; role = \"%s\"; "
		    "token_sha256 = \"%s\"; }", i ? ",\n" : "",
		    world_clients[i].name, world_clients[i].role, hex);
	}
	fprintf(f, ");\n%s\n", extra != NULL ? extra : "");
	fclose(f);
	if ((conf = config_load(path, &err)) == NULL) {
		fprintf(stderr, "world: %s", err);
		return NULL;
	}
	config_apply_time_zone(conf);
	if (crypto_key_create(key, &err) == -1)
		return NULL;
	snprintf(orgs, sizeof orgs, "%s/people/orgs.csv", data);
	snprintf(list, sizeof list, "%s/people/affected.csv", data);
	memset(&opt, 0, sizeof opt);
	opt.data_dir = w->dir;
	opt.key_file = key;
	opt.orgs_path = orgs;
	lists[0] = list;
	opt.lists = lists;
	opt.nlists = 1;
	if (import_run(&opt, &sum, &err) == -1) {
		fprintf(stderr, "world: %s\n", err);
		return NULL;
	}
	import_summary_free(&sum);
	if ((w->core = core_new(conf, &err)) == NULL) {
		fprintf(stderr, "world: %s\n", err);
		return NULL;
	}
	return w;
}

static inline void
world_free(struct world *w)
{
	char	cmd[128];

	if (w == NULL)
		return;
	core_free(w->core);
	snprintf(cmd, sizeof cmd, "rm -rf %s", w->dir);
	if (system(cmd) != 0)
		fprintf(stderr, "world: %s not removed\n", w->dir);
	free(w);
}

/* An authenticated principal of a world client, owning sessions. */
static inline void
world_principal(struct world *w, struct principal *who,
    struct session_owner *owner, const char *client)
{
	size_t	i;

	memset(who, 0, sizeof *who);
	snprintf(who->origin, sizeof who->origin, "test");
	who->owner = owner;
	if (owner != NULL)
		session_owner_init(owner);
	for (i = 0; i < sizeof world_clients / sizeof world_clients[0]; i++)
		if (strcmp(world_clients[i].name, client) == 0)
			(void)core_authenticate(w->core, who, client,
			    world_clients[i].token);
}

#endif
