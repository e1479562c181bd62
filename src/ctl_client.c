/*
 * hotlinectl's protocol commands: lookup. They talk to a running hotlined
 * exactly as any other client does, so what they show is what clients get.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "client.h"
#include "config.h"
#include "ctl.h"

void
ctl_target_init(struct ctl_target *t, const char *cmd,
    const char *const *roles)
{
	memset(t, 0, sizeof *t);
	t->cmd = cmd;
	t->roles = roles;
	t->port = -1;
}

int
ctl_target_option(struct ctl_target *t, int ch, const char *arg)
{
	char	*end;
	long	 port;

	switch (ch) {
	case 'c':
		t->conf_path = arg;
		return 0;
	case 'H':
		t->host = arg;
		return 0;
	case 'p':
		errno = 0;
		port = strtol(arg, &end, 10);
		if (errno != 0 || *end != '\0' || port < 1 || port > 65535)
			return -1;
		t->port = (int)port;
		return 0;
	case 'C':
		t->client = arg;
		return 0;
	case 'T':
		t->token = arg;
		return 0;
	default:
		return -1;
	}
}

/* HOTLINE_<ROLE>_<WHAT>, e.g. HOTLINE_SUPERVISOR_TOKEN. */
static const char *
role_var(const char *role, const char *what, char *name, size_t len)
{
	char	*p;

	snprintf(name, len, "HOTLINE_%s_%s", role, what);
	for (p = name; *p != '\0'; p++)
		if (*p >= 'a' && *p <= 'z')
			*p = (char)(*p - 'a' + 'A');
	return name;
}

static const char *
role_env(const char *role, const char *what)
{
	char	name[64];

	return getenv(role_var(role, what, name, sizeof name));
}

/* The advice of a wrong client: which variables to set. */
static void
wrong_client(const struct ctl_target *t, const char *what)
{
	char	roles[128], v1[64], v2[64];
	size_t	i, n;

	roles[0] = '\0';
	for (n = 0; t->roles[n] != NULL; n++)
		;
	for (i = 0; i < n; i++)
		snprintf(roles + strlen(roles), sizeof roles - strlen(roles),
		    "%s%s", i == 0 ? "" : i + 1 == n ? " or " : ", ",
		    t->roles[i]);
	fprintf(stderr, "hotlinectl %s: client %s (from %s) %s; %s needs a "
	    "%s client: set %s and %s, or give --client\n", t->cmd, t->client,
	    t->source, what, t->cmd, roles,
	    role_var(t->roles[0], "CLIENT", v1, sizeof v1),
	    role_var(t->roles[0], "TOKEN", v2, sizeof v2));
}

/*
 * Picks the client: --client/--token; else a role's own pair from the
 * environment, so that a supervisor set for stats does not become the
 * client of lookup; else the generic pair; else the demo's. A name
 * without its token (or the reverse) is a usage error, never mixed with a
 * demo token. Returns 0, or CTL_EXIT_USAGE after printing why.
 */
static int
target_client(struct ctl_target *t)
{
	const char	*c, *k;
	size_t		 i;

	if (t->client != NULL || t->token != NULL) {
		if (t->client == NULL)
			return ctl_usage_error(t->cmd, "--token needs "
			    "--client");
		if (t->token == NULL) {
			/* The environment may hold this client's token. */
			for (i = 0; t->roles[i] != NULL && t->token == NULL;
			    i++)
				if ((c = role_env(t->roles[i], "CLIENT")) !=
				    NULL && strcmp(c, t->client) == 0)
					t->token = role_env(t->roles[i],
					    "TOKEN");
			if (t->token == NULL && (c = getenv(
			    "HOTLINE_CLIENT")) != NULL && strcmp(c,
			    t->client) == 0)
				t->token = getenv("HOTLINE_TOKEN");
			if (t->token == NULL) {
				snprintf(t->token_buf, sizeof t->token_buf,
				    "%s%s", t->client, CTL_DEMO_TOKEN_SUFFIX);
				t->token = t->token_buf;
			}
		}
		t->source = "--client";
		return 0;
	}
	for (i = 0; t->roles[i] != NULL; i++) {
		c = role_env(t->roles[i], "CLIENT");
		k = role_env(t->roles[i], "TOKEN");
		if (c == NULL && k == NULL)
			continue;
		if (c == NULL || k == NULL)
			return ctl_usage_error(t->cmd, "HOTLINE_%s_CLIENT and "
			    "HOTLINE_%s_TOKEN go together", t->roles[i],
			    t->roles[i]);
		t->client = c;
		t->token = k;
		t->source = "the environment";
		return 0;
	}
	c = getenv("HOTLINE_CLIENT");
	k = getenv("HOTLINE_TOKEN");
	if (c != NULL || k != NULL) {
		if (c == NULL || k == NULL)
			return ctl_usage_error(t->cmd, "HOTLINE_CLIENT and "
			    "HOTLINE_TOKEN go together");
		t->client = c;
		t->token = k;
		t->source = "HOTLINE_CLIENT";
		return 0;
	}
	snprintf(t->client_buf, sizeof t->client_buf, "demo-%s", t->roles[0]);
	snprintf(t->token_buf, sizeof t->token_buf, "%s%s", t->client_buf,
	    CTL_DEMO_TOKEN_SUFFIX);
	t->client = t->client_buf;
	t->token = t->token_buf;
	t->source = "the demo";
	return 0;
}

/*
 * With a conf, its listen address and port (a wildcard address is
 * reached on loopback), and a check that the client is one of its
 * clients with a role the command may use: a wrong client is named
 * before anything is sent.
 */
static int
target_conf(struct ctl_target *t)
{
	const struct conf_client	*cl;
	struct config			*conf;
	char				 what[PATH_MAX + 32];
	size_t				 i;
	int				 ok = 0;

	if ((conf = ctl_load_conf(t->conf_path)) == NULL)
		return CTL_EXIT_ERROR;
	if (t->host == NULL) {
		if (strcmp(conf->listen_address, "0.0.0.0") == 0)
			snprintf(t->host_buf, sizeof t->host_buf, "127.0.0.1");
		else if (strcmp(conf->listen_address, "::") == 0)
			snprintf(t->host_buf, sizeof t->host_buf, "::1");
		else
			snprintf(t->host_buf, sizeof t->host_buf, "%s",
			    conf->listen_address);
		t->host = t->host_buf;
	}
	if (t->port == -1) {
		if (conf->listen_port == 0) {
			config_free(conf);
			return ctl_usage_error(t->cmd, "%s: listen.port is 0 "
			    "(any free port): give --port", t->conf_path);
		}
		t->port = conf->listen_port;
	}
	if ((cl = config_client(conf, t->client)) != NULL)
		for (i = 0; t->roles[i] != NULL; i++)
			if (strcmp(config_role_name(cl->role), t->roles[i]) ==
			    0)
				ok = 1;
	if (!ok) {
		snprintf(what, sizeof what, "%s%s%s", cl == NULL ?
		    "is not a client of " : "is a ", cl == NULL ?
		    t->conf_path : config_role_name(cl->role), cl == NULL ?
		    "" : " client");
		wrong_client(t, what);
		config_free(conf);
		return CTL_EXIT_USAGE;
	}
	config_free(conf);
	return 0;
}

struct client *
ctl_target_connect(struct ctl_target *t, int *status)
{
	struct client	*c;
	const char	*role;
	char		*err = NULL, what[64];
	size_t		 i;
	int		 fits = 0;

	*status = CTL_EXIT_ERROR;
	if ((*status = target_client(t)) != 0)
		return NULL;
	t->conf_path = ctl_conf_path(t->conf_path, 0);
	if (t->conf_path != NULL && (*status = target_conf(t)) != 0)
		return NULL;
	*status = CTL_EXIT_ERROR;
	if (t->host == NULL)
		t->host = "127.0.0.1";
	if (t->port == -1)
		t->port = CTL_DEMO_PORT;
	if ((c = client_connect(t->host, t->port, &err)) == NULL) {
		fprintf(stderr, "hotlinectl %s: %s\n", t->cmd, err);
		free(err);
		return NULL;
	}
	if ((role = client_hello(c, t->client, t->token, &err)) == NULL) {
		fprintf(stderr, "hotlinectl %s: hello as %s (from %s): %s\n",
		    t->cmd, t->client, t->source, err);
		free(err);
		client_close(c);
		return NULL;
	}
	for (i = 0; t->roles[i] != NULL; i++)
		fits |= strcmp(role, t->roles[i]) == 0;
	if (!fits) {
		snprintf(what, sizeof what, "is a %s client", role);
		wrong_client(t, what);
		client_close(c);
		*status = CTL_EXIT_USAGE;
		return NULL;
	}
	return c;
}

void
ctl_print_error(const char *cmd, const char *err, json_t *data)
{
	const char	*field, *reason;

	field = json_string_value(json_object_get(data, "field"));
	reason = json_string_value(json_object_get(data, "reason"));
	if (field != NULL && reason != NULL)
		fprintf(stderr, "hotlinectl %s: %s: %s: %s\n", cmd, err, field,
		    reason);
	else
		fprintf(stderr, "hotlinectl %s: %s\n", cmd, err);
}

static const char *const lookup_roles[] = { "gateway", "operator", "admin",
    NULL };
static const char *const call_roles[] = { "gateway", "admin", NULL };
static const char *const admin_roles[] = { "admin", NULL };

/* A failed call's exit status: wrong arguments are the caller's (2). */
static int
call_status(int code)
{
	return code == -32602 ? CTL_EXIT_USAGE : CTL_EXIT_ERROR;
}

int
ctl_lookup(int argc, char **argv)
{
	static const struct option opts[] = {
		CTL_TARGET_OPTIONS,
		CTL_COMMON_OPTIONS,
		{ "lang", required_argument, NULL, 'l' },
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 },
	};
	struct ctl_target	 t;
	struct client		*c;
	json_t			*params, *res, *data, *m;
	const char		*lang = NULL, *status;
	char			*err = NULL, *dump;
	size_t			 i;
	int			 ch, as_json = 0, code, rc;

	ctl_target_init(&t, "lookup", lookup_roles);
	while ((ch = getopt_long(argc, argv, CTL_TARGET_SHORT "l:jhV", opts,
	    NULL)) != -1) {
		if ((rc = ctl_help("lookup", ch)) != -1)
			return rc;
		if (ch == 'l')
			lang = optarg;
		else if (ch == 'j')
			as_json = 1;
		else if (ctl_target_option(&t, ch, optarg) == -1)
			return ctl_usage_error("lookup", NULL);
	}
	if (argc - optind != 2)
		return ctl_usage_error("lookup", "PHONE and BIRTHDATE needed");
	if ((c = ctl_target_connect(&t, &rc)) == NULL)
		return rc;
	params = json_pack("{s:s, s:s, s:s?}", "phone", argv[optind],
	    "birthdate", argv[optind + 1], "lang", lang);
	res = client_call(c, "lookup", params, &code, &data, &err);
	json_decref(params);
	if (res == NULL) {
		ctl_print_error("lookup", err, data);
		free(err);
		client_close(c);
		return call_status(code);
	}
	status = json_string_value(json_object_get(res, "status"));
	if (as_json) {
		dump = json_dumps(res, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		printf("%s\n", dump ? dump : "");
		free(dump);
	} else {
		printf("status:  %s\n", status);
		json_array_foreach(json_object_get(res, "matches"), i, m)
			printf("org:     %s (%s)\n", json_string_value(
			    json_object_get(json_object_get(m, "org"), "name")),
			    json_string_value(json_object_get(
			    json_object_get(m, "org"), "code")));
		printf("inquiry: %lld\n\n%s\n", json_integer_value(
		    json_object_get(res, "inquiry")), json_string_value(
		    json_object_get(res, "notice")));
	}
	rc = status != NULL && strcmp(status, "affected") == 0 ? CTL_EXIT_OK :
	    CTL_EXIT_NO;
	json_decref(res);
	client_close(c);
	return rc;
}

/* An admin command without params: connects, calls, hands the result. */
static json_t *
admin_call(struct ctl_target *t, const char *method, int *rc)
{
	struct client	*c;
	json_t		*res, *data;
	char		*err = NULL;
	int		 code;

	if ((c = ctl_target_connect(t, rc)) == NULL)
		return NULL;
	res = client_call(c, method, NULL, &code, &data, &err);
	if (res == NULL) {
		ctl_print_error(t->cmd, err, data);
		*rc = call_status(code);
	}
	free(err);
	client_close(c);
	return res;
}

int
ctl_reload(int argc, char **argv)
{
	static const struct option opts[] = {
		CTL_TARGET_OPTIONS,
		CTL_COMMON_OPTIONS,
		{ NULL, 0, NULL, 0 },
	};
	struct ctl_target	 t;
	json_t			*res;
	const char		*errors;
	int			 ch, rc;

	ctl_target_init(&t, "reload", admin_roles);
	while ((ch = getopt_long(argc, argv, CTL_TARGET_SHORT "hV", opts,
	    NULL)) != -1) {
		if ((rc = ctl_help("reload", ch)) != -1)
			return rc;
		if (ctl_target_option(&t, ch, optarg) == -1)
			return ctl_usage_error("reload", NULL);
	}
	if (optind != argc)
		return ctl_usage_error("reload", "no arguments expected");
	if ((res = admin_call(&t, "admin.reload", &rc)) == NULL)
		return rc;
	errors = json_string_value(json_object_get(res, "errors"));
	if (json_is_true(json_object_get(res, "reloaded"))) {
		printf("reloaded: conf, prompts and affected.db\n");
		rc = CTL_EXIT_OK;
	} else {
		printf("reload incomplete: %s\n", errors ? errors : "?");
		rc = CTL_EXIT_NO;
	}
	json_decref(res);
	return rc;
}

/* 3 d 04:05:06 */
static void
duration(long long s, char *out, size_t len)
{
	if (s >= 86400)
		snprintf(out, len, "%lld d %02lld:%02lld:%02lld", s / 86400,
		    s % 86400 / 3600, s % 3600 / 60, s % 60);
	else
		snprintf(out, len, "%02lld:%02lld:%02lld", s / 3600,
		    s % 3600 / 60, s % 60);
}

int
ctl_status(int argc, char **argv)
{
	static const struct option opts[] = {
		CTL_TARGET_OPTIONS,
		CTL_COMMON_OPTIONS,
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 },
	};
	struct ctl_target	 t;
	json_t			*res, *list, *store;
	char			*dump, up[64], n[32];
	int			 ch, rc, as_json = 0;

	ctl_target_init(&t, "status", admin_roles);
	while ((ch = getopt_long(argc, argv, CTL_TARGET_SHORT "jhV", opts,
	    NULL)) != -1) {
		if ((rc = ctl_help("status", ch)) != -1)
			return rc;
		if (ch == 'j')
			as_json = 1;
		else if (ctl_target_option(&t, ch, optarg) == -1)
			return ctl_usage_error("status", NULL);
	}
	if (optind != argc)
		return ctl_usage_error("status", "no arguments expected");
	if ((res = admin_call(&t, "admin.status", &rc)) == NULL)
		return rc;
	list = json_object_get(res, "list");
	store = json_object_get(res, "storage");
	rc = json_is_true(json_object_get(store, "ok")) ? CTL_EXIT_OK :
	    CTL_EXIT_NO;
	if (as_json) {
		dump = json_dumps(res, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		printf("%s\n", dump ? dump : "");
		free(dump);
		json_decref(res);
		return rc;
	}
	duration(json_integer_value(json_object_get(res, "uptime_s")), up,
	    sizeof up);
	printf("hotlined %s, up %s, since %s\n", json_string_value(
	    json_object_get(res, "version")), up, json_string_value(
	    json_object_get(res, "started")));
	printf("  connections   %lld\n", json_integer_value(json_object_get(
	    res, "connections")));
	printf("  IVR sessions  %lld\n", json_integer_value(json_object_get(
	    res, "ivr_sessions")));
	printf("  list          %s records, %lld organisations, built %s\n",
	    ctl_thousands(json_integer_value(json_object_get(list,
	    "records")), n, sizeof n), json_integer_value(json_object_get(
	    list, "organisations")), json_string_value(json_object_get(list,
	    "built_at")) ?: "?");
	printf("  storage       hotline.db %s, audit log %lld entries, "
	    "synchronous %s\n", rc == 0 ? "ok" : "FAILED its last commit",
	    json_integer_value(json_object_get(store, "audit_entries")),
	    json_string_value(json_object_get(store, "synchronous")) ?: "?");
	json_decref(res);
	return rc;
}

#define KEYPAD	"0123456789*#"

/* The keys of a non-interactive call: --digits split at the commas. */
struct keys_script {
	char	*buf;
	char	*next;		/* NULL: interactive */
	int	 over;
};

/* Reads the caller's next keys: from the script, or from the terminal. */
static int
next_keys(struct keys_script *ks, const char *field, int max_digits,
    char *out, size_t len)
{
	char	*comma;
	size_t	 keys;
	int	 ch;

	if (ks->buf != NULL) {
		if (ks->over) {
			/* The script is over: the caller stays silent. */
			out[0] = '\0';
			printf("    (no more keys: timeout)\n");
			return 0;
		}
		if ((comma = strchr(ks->next, ',')) != NULL)
			*comma = '\0';
		else
			ks->over = 1;
		snprintf(out, len, "%s", ks->next);
		if (comma != NULL)
			ks->next = comma + 1;
		printf("    keys: %s\n", out[0] ? out : "(timeout)");
		return 0;
	}
	/*
	 * A phone's keypad has 0-9, * and #: anything else is asked again
	 * here, as a caller could not have pressed it, instead of ending
	 * the call.
	 */
	for (;;) {
		printf("  > %s, up to %d digits (empty line: timeout; Ctrl-D "
		    "hangs up): ", field, max_digits);
		fflush(stdout);
		if (fgets(out, (int)len, stdin) == NULL) {
			printf("\n");
			return -1;
		}
		if (strchr(out, '\n') == NULL && !feof(stdin))
			while ((ch = getchar()) != EOF && ch != '\n')
				;	/* the rest of an overlong line */
		out[strcspn(out, "\r\n")] = '\0';
		keys = strlen(out) - (out[0] != '\0' &&
		    out[strlen(out) - 1] == '#');
		if (strspn(out, KEYPAD) == strlen(out) && keys <=
		    (size_t)max_digits)
			return 0;
		printf("    a phone has the keys 0-9, * and #; up to %d here: "
		    "try again\n", max_digits);
	}
}

int
ctl_call(int argc, char **argv)
{
	static const struct option opts[] = {
		CTL_TARGET_OPTIONS,
		{ "ani", required_argument, NULL, 'a' },
		{ "dnis", required_argument, NULL, 'd' },
		{ "lang", required_argument, NULL, 'l' },
		{ "digits", required_argument, NULL, 'D' },
		CTL_COMMON_OPTIONS,
		{ NULL, 0, NULL, 0 },
	};
	struct ctl_target	 t;
	struct client		*c;
	json_t			*params, *res, *data, *act, *actions;
	const char		*ani = NULL, *dnis = NULL, *lang = NULL;
	const char		*type, *method = "call.begin";
	struct keys_script	 ks = { NULL, NULL, 0 };
	char			*err = NULL, session[64] = "", keys[128];
	char			 call_id[64];
	size_t			 i;
	int			 ch, code, done = 0, hung_up = 0, rc = 1;

	ctl_target_init(&t, "call", call_roles);
	while ((ch = getopt_long(argc, argv, CTL_TARGET_SHORT "a:d:l:D:hV",
	    opts, NULL)) != -1) {
		if ((rc = ctl_help("call", ch)) != -1) {
			free(ks.buf);
			return rc;
		}
		switch (ch) {
		case 'a':
			ani = optarg;
			break;
		case 'd':
			dnis = optarg;
			break;
		case 'l':
			lang = optarg;
			break;
		case 'D':
			if (strspn(optarg, KEYPAD ",") != strlen(optarg)) {
				free(ks.buf);
				return ctl_usage_error("call", "--digits: keys "
				    "0-9, * and #, answers separated by commas");
			}
			free(ks.buf);
			if ((ks.buf = strdup(optarg)) == NULL)
				return CTL_EXIT_ERROR;
			ks.next = ks.buf;
			break;
		default:
			if (ctl_target_option(&t, ch, optarg) == -1)
				goto usage;
		}
	}
	if (optind != argc)
		goto usage;
	if ((c = ctl_target_connect(&t, &rc)) == NULL) {
		free(ks.buf);
		return rc;
	}
	rc = CTL_EXIT_ERROR;
	snprintf(call_id, sizeof call_id, "softphone-%ld-%ld",
	    (long)getpid(), (long)time(NULL));
	params = json_pack("{s:s, s:s?, s:s?, s:s?}", "call_id", call_id,
	    "ani", ani, "dnis", dnis, "lang", lang);
	printf("call %s, caller ID %s\n", call_id, ani ? ani : "withheld");
	while (!done) {
		res = client_call(c, method, params, &code, &data, &err);
		json_decref(params);
		params = NULL;
		if (res == NULL) {
			ctl_print_error("call", err, data);
			goto out;
		}
		if (session[0] == '\0')
			snprintf(session, sizeof session, "%s",
			    json_string_value(json_object_get(res, "session")));
		actions = json_object_get(res, "actions");
		json_array_foreach(actions, i, act) {
			type = json_string_value(json_object_get(act, "type"));
			if (type == NULL)
				continue;
			if (strcmp(type, "say") == 0) {
				printf("  [%s] %s\n", json_string_value(
				    json_object_get(act, "prompt")),
				    json_string_value(json_object_get(act,
				    "text")));
			} else if (strcmp(type, "transfer") == 0) {
				printf("  -> transferred to the queue %s\n",
				    json_string_value(json_object_get(act,
				    "queue")));
				done = 1;
			} else if (strcmp(type, "hangup") == 0) {
				printf("  -> hangup\n");
				done = 1;
			} else if (strcmp(type, "collect") == 0 && !done) {
				if (next_keys(&ks, json_string_value(
				    json_object_get(act, "field")),
				    (int)json_integer_value(json_object_get(act,
				    "max_digits")), keys, sizeof keys) == -1) {
					hung_up = done = 1;
					break;
				}
				params = keys[0] != '\0' ?
				    json_pack("{s:s, s:s}", "session", session,
				    "digits", keys) :
				    json_pack("{s:s, s:b}", "session", session,
				    "timeout", 1);
				method = "call.input";
			}
		}
		json_decref(res);
		if (!done && params == NULL) {
			fprintf(stderr, "hotlinectl call: the service asked "
			    "for nothing; ending the call\n");
			done = 1;
		}
	}
	json_decref(params);
	params = json_pack("{s:s, s:s}", "session", session, "reason",
	    hung_up ? "caller-hangup" : "completed");
	res = client_call(c, "call.end", params, &code, &data, &err);
	if (res == NULL) {
		ctl_print_error("call", err, data);
		goto out;
	}
	printf("outcome: %s, inquiry %lld\n", json_string_value(
	    json_object_get(res, "outcome")), json_integer_value(
	    json_object_get(res, "inquiry")));
	json_decref(res);
	rc = 0;
out:
	json_decref(params);
	free(err);
	free(ks.buf);
	client_close(c);
	return rc;
usage:
	free(ks.buf);
	return ctl_usage_error("call", NULL);
}
