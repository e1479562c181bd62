/*
 * hotlined: the hotline service. Wires the configuration, logging and the
 * server together; everything else lives in the library.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "crypto.h"
#include "log.h"
#include "prompt.h"
#include "server.h"

#define DEFAULT_CONF	"/etc/hotline/hotline.conf"

static void __attribute__((noreturn))
usage(void)
{
	fprintf(stderr, "usage: hotlined [-dt] [-c conf]\n"
	    "  -c conf  configuration file (default " DEFAULT_CONF ")\n"
	    "  -d       log at debug level\n"
	    "  -t       check the configuration, key and prompts, then exit\n");
	exit(2);
}

/* -t: everything start-up would check, without opening the databases. */
static int
check_only(const struct config *conf)
{
	unsigned char	 key[CRYPTO_KEY_SIZE];
	struct prompts	*p;
	char		*err = NULL;
	int		 rc = 0;

	if (crypto_key_load(conf->key_file, 1, key, &err) == -1) {
		fprintf(stderr, "%s: key_file: %s\n", conf->path, err);
		free(err);
		rc = 1;
	}
	memset(key, 0, sizeof key);
	if ((p = prompt_load(conf->prompts_dir, &err)) == NULL) {
		fprintf(stderr, "%s", err);
		free(err);
		rc = 1;
	}
	prompt_free(p);
	if (rc == 0)
		printf("%s: configuration OK\n", conf->path);
	return rc;
}

int
main(int argc, char *argv[])
{
	struct config	*conf;
	struct server	*srv;
	const char	*path = DEFAULT_CONF;
	char		*err = NULL;
	int		 ch, test = 0, debug = 0, rc;

	while ((ch = getopt(argc, argv, "c:dt")) != -1) {
		switch (ch) {
		case 'c':
			path = optarg;
			break;
		case 'd':
			debug = 1;
			break;
		case 't':
			test = 1;
			break;
		default:
			usage();
		}
	}
	if (optind != argc)
		usage();
	log_init("hotlined", LOG_LEVEL_INFO, LOG_TARGET_STDERR);
	if ((conf = config_load(path, &err)) == NULL) {
		fprintf(stderr, "%s", err);
		free(err);
		return 1;
	}
	config_apply_time_zone(conf);
	if (test) {
		rc = check_only(conf);
		config_free(conf);
		return rc;
	}
	log_init("hotlined", debug ? LOG_LEVEL_DEBUG : conf->log_level,
	    conf->log_target);
	if ((srv = server_new(conf, &err)) == NULL) {
		log_warnx("%s", err);
		free(err);
		return 1;
	}
	rc = server_run(srv);
	server_free(srv);
	return rc;
}
