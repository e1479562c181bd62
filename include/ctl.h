/*
 * hotlinectl's commands, one function each (the table is in hotlinectl.c).
 * Each takes its own argv (argv[0] is the command name) and returns the
 * process exit status.
 */
#ifndef HOTLINE_CTL_H
#define HOTLINE_CTL_H

#include <stddef.h>

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

/* ctl_stats.c */
int	ctl_stats(int, char **);
int	ctl_alerts(int, char **);
int	ctl_audit(int, char **);

/* The getopt_long options every protocol command takes. */
#define CTL_TARGET_OPTIONS						\
	{ "host", required_argument, NULL, 'H' },			\
	{ "port", required_argument, NULL, 'p' },			\
	{ "client", required_argument, NULL, 'C' },			\
	{ "token", required_argument, NULL, 'T' }

/* Where a protocol command connects and as whom; defaults reach the demo. */
struct ctl_target {
	const char	*host;
	int		 port;
	const char	*client;
	const char	*token;
	char		 token_buf[128];
};

struct client;
struct json_t;

/* The demo client of that name; HOTLINE_CLIENT, HOTLINE_TOKEN override. */
void	ctl_target_init(struct ctl_target *, const char *client);
/* Handles --host (H), --port (p), --client (C), --token (T); -1 if not. */
int	ctl_target_option(struct ctl_target *, int ch, const char *arg);
/* Connects and says hello; NULL after printing why. */
struct client *ctl_target_connect(const struct ctl_target *, const char *cmd);
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

#endif
