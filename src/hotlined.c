/*
 * hotlined: the hotline service. Wires the configuration, logging and the
 * server together; everything else lives in the library.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "crypto.h"
#include "http.h"
#include "log.h"
#include "notify.h"
#include "pidfile.h"
#include "prompt.h"
#include "server.h"
#include "version.h"

#define DEFAULT_CONF	HOTLINE_CONF_PATH

/* --help: the usage on stdout, exit 0; a usage error: on stderr, exit 2. */
static void __attribute__((noreturn))
usage(FILE *out, int status)
{
	fprintf(out, "usage: hotlined [-dt] [-c conf] [-p pidfile]\n"
	    "  -c, --conf FILE      configuration (default " DEFAULT_CONF ")\n"
	    "  -d, --debug          log at debug level\n"
	    "  -t, --test           check the configuration, key and prompts, "
	    "then exit\n"
	    "  -p, --pid-file FILE  write the process id there (also the "
	    "conf's pid_file)\n"
	    "  -h, --help           this text\n"
	    "  -V, --version        the version\n"
	    "Exit status: 0 after a clean stop or a good -t; 1 if the "
	    "configuration, key,\nprompts or databases cannot be used; 2 on "
	    "a usage error.\n");
	exit(status);
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
	if (http_check(conf, &err) == -1) {
		fprintf(stderr, "%s: %s\n", conf->path, err);
		free(err);
		rc = 1;
	}
	if (rc == 0)
		printf("%s: configuration OK\n", conf->path);
	return rc;
}

int
main(int argc, char *argv[])
{
	static const struct option opts[] = {
		{ "conf", required_argument, NULL, 'c' },
		{ "debug", no_argument, NULL, 'd' },
		{ "test", no_argument, NULL, 't' },
		{ "pid-file", required_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct config	*conf;
	struct server	*srv;
	struct pidfile	*pid = NULL;
	const char	*path = DEFAULT_CONF, *pid_path = NULL;
	char		*err = NULL;
	int		 ch, test = 0, debug = 0, rc;

	while ((ch = getopt_long(argc, argv, "c:dtp:hV", opts, NULL)) != -1) {
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
		case 'p':
			pid_path = optarg;
			break;
		case 'h':
			usage(stdout, 0);
		case 'V':
			printf("hotlined %s%s\n", HOTLINE_VERSION,
			    notify_supported() ? " (sd_notify)" : "");
			return 0;
		default:
			usage(stderr, 2);
		}
	}
	if (optind != argc)
		usage(stderr, 2);
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
	log_set_facility(conf->log_facility);
	log_init("hotlined", debug ? LOG_LEVEL_DEBUG : conf->log_level,
	    conf->log_target);
	if (pid_path == NULL)
		pid_path = conf->pid_file;
	if ((srv = server_new(conf, &err)) == NULL) {
		log_warnx("%s", err);
		free(err);
		return 1;
	}
	/* Written once the port is open: its presence means "serving". */
	if (pid_path != NULL && (pid = pidfile_create(pid_path, &err)) ==
	    NULL) {
		log_warnx("%s", err);
		free(err);
		server_free(srv);
		return 1;
	}
	notify_ready();
	rc = server_run(srv);
	server_free(srv);
	pidfile_remove(pid);
	return rc;
}
