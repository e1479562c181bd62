/*
 * hotlinectl's command table and every command's usage, in one place, so
 * that `hotlinectl --help`, `hotlinectl CMD --help` and a usage error say
 * the same thing (and hotlinectl(8) has one text to follow).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ctl.h"
#include "version.h"

#define TARGET_USAGE							\
	"  -c, --conf FILE      the service's conf: its listen address "	\
	"(else $HOTLINE_CONF,\n"					\
	"                       else the demo's 127.0.0.1 port 7411)\n"	\
	"  --host H, --port P   connect there instead\n"			\
	"  --client NAME, --token T\n"					\
	"                       as this client; else $HOTLINE_<ROLE>_CLIENT "	\
	"and _TOKEN\n"							\
	"                       for a role the command may use, else "	\
	"$HOTLINE_CLIENT and\n"						\
	"                       $HOTLINE_TOKEN, else the demo client "	\
	"(a token in argv is\n"						\
	"                       visible to other users: prefer the "		\
	"environment)\n"

#define CONF_USAGE							\
	"  -c, --conf FILE      the conf (else $HOTLINE_CONF, else "		\
	"demo/hotline.conf)\n"

const struct ctl_command ctl_commands[] = {
	{ "init", ctl_init, "create the data directory and the key",
	  "usage: hotlinectl init [-c conf | --data-dir DIR] [--key-out FILE]\n"
	  "Creates the data directory (mode 0700) and the 32-byte key (mode "
	  "0600);\nan existing key is never overwritten. With key_file = "
	  "\"credential:NAME\"\nonly the directory is made: --key-out FILE "
	  "writes a new key to seal with\nsystemd-creds encrypt "
	  "(docs/OPERATIONS.md).\n"
	  CONF_USAGE
	  "Exit status: 0 created, 2 usage, 3 error.\n" },
	{ "token", ctl_token, "print a new client token and its SHA-256",
	  "usage: hotlinectl token\n"
	  "Prints a new random client token and its SHA-256 (the conf's "
	  "token_sha256).\n"
	  "Exit status: 0, 2 usage, 3 error.\n" },
	{ "import", ctl_import, "import the organisation and affected lists",
	  "usage: hotlinectl import [-c conf] --orgs ORGS.csv [options] "
	  "LIST.csv...\n"
	  "Imports the organisation list and the affected lists into a new "
	  "affected.db\n(hotline-lists(5)); nothing changes unless every row "
	  "is good.\n"
	  CONF_USAGE
	  "  --encoding E         the lists: auto (default), utf-8 or cp932\n"
	  "  --orgs-encoding E    the organisation list: auto (default), "
	  "utf-8 or cp932\n"
	  "  --map 'COL=FIELD,...'  read column COL as FIELD (a list column "
	  "name),\n"
	  "                       or as - to ignore it\n"
	  "  --max-errors N       import the good rows if at most N are bad\n"
	  "  --rejects FILE       write file,line,field,reason of each bad "
	  "field (mode 0600)\n"
	  "  --quiet, --verbose   no summary; phase timings\n"
	  "Exit status: 0 imported, 1 refused (bad rows, wrong file), 2 "
	  "usage, 3 error.\n" },
	{ "gen", ctl_gen, "write a synthetic list of fictional people",
	  "usage: hotlinectl gen [--rows N] [--seed S] [--sizes SIZES.tsv] "
	  "[--sample]\n"
	  "                      --orgs-out ORGS.csv --list-out LIST.csv\n"
	  "Exit status: 0 written, 2 usage, 3 error.\n" },
	{ "demo", ctl_demo, "build the demo data set",
	  "usage: hotlinectl demo [--dir DIR] [--rows N] [--port PORT] "
	  "[--prompts DIR]\n"
	  "                       [--http-port PORT] [--web DIR] [--force]\n"
	  "Exit status: 0 built, 2 usage, 3 error.\n" },
	{ "lookup", ctl_lookup, "look a caller up by phone and birthdate",
	  "usage: hotlinectl lookup [options] PHONE BIRTHDATE\n"
	  "Looks a caller up through a running hotlined (roles gateway, "
	  "operator, admin).\n"
	  TARGET_USAGE
	  "  --lang ja|en         the notice's language\n"
	  "  --json               the protocol's answer\n"
	  "Exit status: 0 affected, 1 not found, 2 usage, 3 error (connection, "
	  "invalid\ninput, refused).\n" },
	{ "call", ctl_call, "try a call: a terminal softphone",
	  "usage: hotlinectl call [options] [--ani N] [--dnis N] [--lang ja|en] "
	  "[--digits D,D...]\n"
	  "Opens an IVR session (role gateway), prints what it says and asks "
	  "for the keys\n(0-9 * #; an empty line is a timeout, Ctrl-D hangs "
	  "up). --digits answers the\nquestions in order instead.\n"
	  TARGET_USAGE
	  "Exit status: 0 the call ended, 2 usage, 3 error.\n" },
	{ "stats", ctl_stats, "statistics per day, hour, organisation, client",
	  "usage: hotlinectl stats [--from DATE] [--to DATE] "
	  "[--by day|hour|org|client]\n"
	  "                        [--format table|csv|json] [--watch "
	  "[SECONDS]] [options]\n"
	  "The statistics of a running hotlined (roles supervisor, admin). "
	  "Dates are\nYYYY-MM-DD of the service's time zone, inclusive; both "
	  "default to today.\n--watch redraws a live view every SECONDS (5) "
	  "until interrupted.\n"
	  TARGET_USAGE
	  "Exit status: 0, 2 usage, 3 error.\n" },
	{ "alerts", ctl_alerts, "list the bulk-lookup alerts, acknowledge one",
	  "usage: hotlinectl alerts [--since TIME] [--unacked] "
	  "[--format table|json] [options]\n"
	  "       hotlinectl alerts --ack ID --note TEXT [--format table|json] "
	  "[options]\n"
	  "Lists the bulk-lookup alerts of a running hotlined (roles "
	  "supervisor, admin),\nor records that one was reviewed and what was "
	  "found (1-500 characters, no\npersonal data): an alert stays open "
	  "until someone has looked at it.\n"
	  TARGET_USAGE
	  "Exit status: 0, 2 usage, 3 error (refused, or not an open "
	  "alert).\n" },
	{ "audit", ctl_audit, "check the audit log's hash chain",
	  "usage: hotlinectl audit [-c conf] [--checkpoint N:HASH] verify\n"
	  "Checks the audit log's hash chain in hotline.db (read directly).\n"
	  CONF_USAGE
	  "  --checkpoint N:HASH  an \"audit checkpoint N:HASH\" line from "
	  "hotlined's log\n"
	  "Exit status: 0 intact, 1 broken, 2 usage, 3 error.\n" },
	{ "match", ctl_match, "match an organisation's register with its "
	  "records",
	  "usage: hotlinectl match [-c conf] --org CODE [--encoding E] "
	  "[--map 'COL=FIELD,...']\n"
	  "                        REGISTER.csv --out MATCHED.csv\n"
	  "For each row of an organisation's register (birthdate and kana or "
	  "phone), the\nnumber of that organisation's records with its (kana, "
	  "birthdate) or (phone,\nbirthdate), and match/mismatch/unknown for "
	  "kana, phone, gender, postal_code\nand address against the best one. "
	  "Line numbers and flags only, never a value;\nthe output is mode "
	  "0600. Needs the key and affected.db; audited.\n"
	  CONF_USAGE
	  "Exit status: 0 written, 1 written but some rows could not be read, "
	  "2 usage,\n3 error (nothing written).\n" },
	{ "prompts-audio", ctl_prompts_audio, "render the IVR's recordings "
	  "(placeholders)",
	  "usage: hotlinectl prompts-audio [-c conf] --out DIR [--prompts DIR] "
	  "[--affected FILE]\n"
	  "                                [--no-orgs] [--ja-voice V] "
	  "[--en-voice V] [--force]\n"
	  "                                [--dry-run]\n"
	  "Renders every recording the IVR names (every prompt, and every "
	  "organisation's\nspoken parts of affected.db) to 8 kHz mono WAV "
	  "with espeak-ng and sox, in\nAsterisk's layout DIR/hotline/<lang>/"
	  "<name>.wav, each with its text beside it\n(<name>.txt, the script "
	  "for a studio). A file whose text is unchanged is kept\n(studio "
	  "recordings survive); --force renders all again.\n"
	  CONF_USAGE
	  "Exit status: 0 rendered, 2 usage, 3 error.\n" },
	{ "reload", ctl_reload, "reload hotlined's conf, prompts and list",
	  "usage: hotlinectl reload [options]\n"
	  "Asks a running hotlined to reload (admin.reload, as SIGHUP): each "
	  "of the conf,\nthe prompts and affected.db that fails keeps its old "
	  "version.\n"
	  TARGET_USAGE
	  "Exit status: 0 all reloaded, 1 something kept, 2 usage, 3 error.\n" },
	{ "status", ctl_status, "what a running hotlined serves",
	  "usage: hotlinectl status [--json] [options]\n"
	  "Version, uptime, connections, IVR sessions, the list loaded and the "
	  "storage of a\nrunning hotlined (admin.status).\n"
	  TARGET_USAGE
	  "Exit status: 0 serving, 1 serving but hotline.db failed its last "
	  "commit,\n2 usage, 3 not reachable or refused.\n" },
};

const size_t ctl_ncommands = sizeof ctl_commands / sizeof ctl_commands[0];

void
ctl_usage(const char *cmd, FILE *out)
{
	size_t	i;

	for (i = 0; i < ctl_ncommands; i++)
		if (strcmp(ctl_commands[i].name, cmd) == 0) {
			fputs(ctl_commands[i].usage, out);
			return;
		}
}

int
ctl_help(const char *cmd, int ch)
{
	if (ch == 'h') {
		ctl_usage(cmd, stdout);
		return CTL_EXIT_OK;
	}
	if (ch == 'V') {
		printf("hotlinectl %s\n", HOTLINE_VERSION);
		return CTL_EXIT_OK;
	}
	return -1;
}

int
ctl_usage_error(const char *cmd, const char *fmt, ...)
{
	va_list	ap;

	if (fmt != NULL) {
		fprintf(stderr, "hotlinectl %s: ", cmd);
		va_start(ap, fmt);
		vfprintf(stderr, fmt, ap);
		va_end(ap);
		fputc('\n', stderr);
	}
	ctl_usage(cmd, stderr);
	return CTL_EXIT_USAGE;
}

const char *
ctl_conf_path(const char *opt, int required)
{
	const char	*env;

	if (opt != NULL)
		return opt;
	if ((env = getenv("HOTLINE_CONF")) != NULL && *env != '\0')
		return env;
	if (required && access("demo/hotline.conf", R_OK) == 0)
		return "demo/hotline.conf";
	return NULL;
}
