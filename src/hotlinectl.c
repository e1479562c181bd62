/*
 * hotlinectl: administration of hotline. Dispatches to one function per
 * command (ctl_*.c); the table is ctl_usage.c's.
 */
#include <stdio.h>
#include <string.h>

#include "ctl.h"
#include "log.h"
#include "version.h"

static int
usage(FILE *out, int status)
{
	size_t	i;

	fprintf(out, "usage: hotlinectl COMMAND [options]\n\ncommands:\n");
	for (i = 0; i < ctl_ncommands; i++)
		fprintf(out, "  %-8s %s\n", ctl_commands[i].name,
		    ctl_commands[i].summary);
	fprintf(out, "\nhotlinectl COMMAND --help shows a command's options; "
	    "hotlinectl(8) has them all.\n"
	    "A command finds its conf with -c FILE, else $HOTLINE_CONF, else "
	    "the demo's.\n");
	return status;
}

int
main(int argc, char *argv[])
{
	size_t	i;

	log_init("hotlinectl", LOG_LEVEL_WARN, LOG_TARGET_STDERR);
	if (argc < 2)
		return usage(stderr, CTL_EXIT_USAGE);
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0)
		return usage(stdout, CTL_EXIT_OK);
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0) {
		printf("hotlinectl %s\n", HOTLINE_VERSION);
		return CTL_EXIT_OK;
	}
	for (i = 0; i < ctl_ncommands; i++)
		if (strcmp(argv[1], ctl_commands[i].name) == 0)
			return ctl_commands[i].run(argc - 1, argv + 1);
	fprintf(stderr, "hotlinectl: unknown command %s\n", argv[1]);
	return usage(stderr, CTL_EXIT_USAGE);
}
