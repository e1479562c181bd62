/*
 * hotlinectl's commands, one function each (the table is in hotlinectl.c).
 * Each takes its own argv (argv[0] is the command name) and returns the
 * process exit status.
 */
#ifndef HOTLINE_CTL_H
#define HOTLINE_CTL_H

#include <stddef.h>
#include <stdio.h>

struct config;

/* ctl_data.c */
int	ctl_init(int, char **);
int	ctl_token(int, char **);
int	ctl_import(int, char **);
int	ctl_gen(int, char **);

/* ctl_audio.c */
int	ctl_prompts_audio(int, char **);

/* ctl_demo.c */
int	ctl_demo(int, char **);

/* ctl_client.c */
int	ctl_lookup(int, char **);
int	ctl_call(int, char **);
int	ctl_reload(int, char **);
int	ctl_status(int, char **);

/* ctl_stats.c */
int	ctl_stats(int, char **);
int	ctl_alerts(int, char **);
int	ctl_audit(int, char **);

/* ctl_match.c */
int	ctl_match(int, char **);

/*
 * Exit statuses, the same for every command (each command's usage and
 * hotlinectl(8) say which it uses): 1 is a "no" that is an answer (not
 * found, a broken audit chain, a refused list), 3 a failure to get one.
 */
#define CTL_EXIT_OK	0
#define CTL_EXIT_NO	1
#define CTL_EXIT_USAGE	2
#define CTL_EXIT_ERROR	3

/* ctl_usage.c: the command table, usages, --help and --version. */
struct ctl_command {
	const char	*name;
	int		(*run)(int, char **);
	const char	*summary;	/* one line for hotlinectl --help */
	const char	*usage;		/* the command's --help */
};
extern const struct ctl_command ctl_commands[];
extern const size_t ctl_ncommands;

/* --help and --version of every command (getopt 'h' and 'V'). */
#define CTL_COMMON_OPTIONS						\
	{ "help", no_argument, NULL, 'h' },				\
	{ "version", no_argument, NULL, 'V' }

/* Prints a command's usage: on stdout for --help, on stderr for errors. */
void	ctl_usage(const char *cmd, FILE *);
/* 'h': usage on stdout; 'V': the version; returns CTL_EXIT_OK, else -1. */
int	ctl_help(const char *cmd, int ch);
/* A usage error: the message (if any), then the usage; CTL_EXIT_USAGE. */
int	ctl_usage_error(const char *cmd, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));

/*
 * The conf a command uses: -c FILE, else $HOTLINE_CONF, else the demo's
 * (demo/hotline.conf) if required and it exists; NULL if none.
 */
const char *ctl_conf_path(const char *opt, int required);

/* The getopt_long options every protocol command takes. */
#define CTL_TARGET_OPTIONS						\
	{ "conf", required_argument, NULL, 'c' },			\
	{ "host", required_argument, NULL, 'H' },			\
	{ "port", required_argument, NULL, 'p' },			\
	{ "client", required_argument, NULL, 'C' },			\
	{ "token", required_argument, NULL, 'T' }
#define CTL_TARGET_SHORT	"c:H:p:C:T:"

/*
 * Where a protocol command connects and as whom. The address is --host
 * and --port, else the conf's listen (-c or $HOTLINE_CONF), else the
 * demo's. The client is --client/--token, else the environment
 * (HOTLINE_<ROLE>_CLIENT/_TOKEN for a role the command may use, then
 * HOTLINE_CLIENT/HOTLINE_TOKEN), else the demo client of the command's
 * first role.
 */
struct ctl_target {
	const char		*cmd;
	const char *const	*roles;		/* the command's, preferred first */
	const char		*conf_path;
	const char		*host;
	int			 port;
	const char		*client;
	const char		*token;
	const char		*source;	/* where the client came from */
	char			 host_buf[64];
	char			 client_buf[80];
	char			 token_buf[128];
};

struct client;
struct json_t;

/* roles: NULL-terminated role names the command may use. */
void	ctl_target_init(struct ctl_target *, const char *cmd,
	    const char *const *roles);
/* Handles -c, --host, --port, --client, --token; -1 if not one of them. */
int	ctl_target_option(struct ctl_target *, int ch, const char *arg);
/*
 * Resolves the address and client, connects and says hello; NULL after
 * printing why, with *status the exit status to return.
 */
struct client *ctl_target_connect(struct ctl_target *, int *status);
/* Prints an error answer, with its field and reason when it has them. */
void	ctl_print_error(const char *cmd, const char *err,
	    struct json_t *data);

/* Loads a conf for a command, printing every problem; NULL on failure. */
struct config *ctl_load_conf(const char *path);

/* mkdir -p; what it creates gets mode 0700. */
int	ctl_mkdir_p(const char *path);

/* 1,234,567: a long count is read at a glance. */
const char *ctl_thousands(long long, char *buf, size_t len);

/* The demo's fixed client tokens: for loopback demos only. */
#define CTL_DEMO_GATEWAY	"demo-gateway"
#define CTL_DEMO_OPERATOR	"demo-operator"
#define CTL_DEMO_SUPERVISOR	"demo-supervisor"
#define CTL_DEMO_ADMIN		"demo-admin"
#define CTL_DEMO_TOKEN_SUFFIX	"-token"
#define CTL_DEMO_PORT		7411
#define CTL_DEMO_HTTP_PORT	7480	/* the desk, the wallboard, /metrics */

#endif
