/*
 * hotlinectl: administration of hotline. Dispatches to one function per
 * command (ctl_*.c).
 */
#include <stdio.h>
#include <string.h>

#include "ctl.h"
#include "log.h"

static const struct {
	const char	*name;
	int		(*run)(int, char **);
	const char	*usage;
} commands[] = {
	{ "init", ctl_init,
	  "init (-c conf | --data-dir DIR)     create the data dir and key" },
	{ "token", ctl_token,
	  "token                               print a new client token" },
	{ "import", ctl_import,
	  "import -c conf --orgs FILE LIST...  import the affected lists" },
	{ "gen", ctl_gen,
	  "gen --orgs-out F --list-out F       write a synthetic list" },
	{ "demo", ctl_demo,
	  "demo [--dir demo]                   build the demo data set" },
	{ "lookup", ctl_lookup,
	  "lookup PHONE BIRTHDATE              look a caller up" },
	{ "call", ctl_call,
	  "call [--ani N] [--digits D,D...]    try a call: a terminal softphone" },
	{ "stats", ctl_stats,
	  "stats [--from D] [--to D] [--by hour|org|client]  statistics" },
	{ "alerts", ctl_alerts,
	  "alerts [--unacked] [--ack ID --note TEXT]  bulk-lookup alerts" },
	{ "audit", ctl_audit,
	  "audit -c conf verify                check the audit log's chain" },
	{ "prompts-audio", ctl_prompts_audio,
	  "prompts-audio -c conf --out DIR     render the IVR's recordings" },
};

static int
usage(void)
{
	size_t	i;

	fprintf(stderr, "usage: hotlinectl COMMAND [options]\n");
	for (i = 0; i < sizeof commands / sizeof commands[0]; i++)
		fprintf(stderr, "  %s\n", commands[i].usage);
	fprintf(stderr, "hotlinectl COMMAND --help shows a command's "
	    "options.\n");
	return 2;
}

int
main(int argc, char *argv[])
{
	size_t	i;

	log_init("hotlinectl", LOG_LEVEL_WARN, LOG_TARGET_STDERR);
	if (argc < 2)
		return usage();
	for (i = 0; i < sizeof commands / sizeof commands[0]; i++)
		if (strcmp(argv[1], commands[i].name) == 0)
			return commands[i].run(argc - 1, argv + 1);
	fprintf(stderr, "hotlinectl: unknown command %s\n", argv[1]);
	return usage();
}
