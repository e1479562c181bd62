/*
 * hotlinectl's protocol commands: lookup. They talk to a running hotlined
 * exactly as any other client does, so what they show is what clients get.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "client.h"
#include "ctl.h"

void
ctl_target_init(struct ctl_target *t, const char *client)
{
	const char	*env;

	t->host = "127.0.0.1";
	t->port = CTL_DEMO_PORT;
	t->client = client;
	snprintf(t->token_buf, sizeof t->token_buf, "%s%s", client,
	    CTL_DEMO_TOKEN_SUFFIX);
	t->token = t->token_buf;
	/* A real token belongs in the environment, not in argv (ps shows it). */
	if ((env = getenv("HOTLINE_CLIENT")) != NULL)
		t->client = env;
	if ((env = getenv("HOTLINE_TOKEN")) != NULL)
		t->token = env;
}

int
ctl_target_option(struct ctl_target *t, int ch, const char *arg)
{
	char	*end;
	long	 port;

	switch (ch) {
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

struct client *
ctl_target_connect(const struct ctl_target *t, const char *cmd)
{
	struct client	*c;
	char		*err = NULL;

	if ((c = client_connect(t->host, t->port, &err)) == NULL) {
		fprintf(stderr, "hotlinectl %s: %s\n", cmd, err);
		free(err);
		return NULL;
	}
	if (client_hello(c, t->client, t->token, &err) == NULL) {
		fprintf(stderr, "hotlinectl %s: hello as %s: %s\n", cmd,
		    t->client, err);
		free(err);
		client_close(c);
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

int
ctl_lookup(int argc, char **argv)
{
	static const struct option opts[] = {
		CTL_TARGET_OPTIONS,
		{ "lang", required_argument, NULL, 'l' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct ctl_target	 t;
	struct client		*c;
	json_t			*params, *res, *data, *m;
	const char		*lang = NULL;
	char			*err = NULL, *dump;
	size_t			 i;
	int			 ch, as_json = 0, code;

	ctl_target_init(&t, CTL_DEMO_GATEWAY);
	while ((ch = getopt_long(argc, argv, "H:p:C:T:l:jh", opts, NULL)) !=
	    -1) {
		if (ch == 'l')
			lang = optarg;
		else if (ch == 'j')
			as_json = 1;
		else if (ctl_target_option(&t, ch, optarg) == -1)
			goto usage;
	}
	if (argc - optind != 2)
		goto usage;
	if ((c = ctl_target_connect(&t, "lookup")) == NULL)
		return 1;
	params = json_pack("{s:s, s:s, s:s?}", "phone", argv[optind],
	    "birthdate", argv[optind + 1], "lang", lang);
	res = client_call(c, "lookup", params, &code, &data, &err);
	json_decref(params);
	if (res == NULL) {
		ctl_print_error("lookup", err, data);
		free(err);
		client_close(c);
		return 1;
	}
	if (as_json) {
		dump = json_dumps(res, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		printf("%s\n", dump ? dump : "");
		free(dump);
	} else {
		printf("status:  %s\n", json_string_value(json_object_get(res,
		    "status")));
		json_array_foreach(json_object_get(res, "matches"), i, m)
			printf("org:     %s (%s)\n", json_string_value(
			    json_object_get(json_object_get(m, "org"), "name")),
			    json_string_value(json_object_get(
			    json_object_get(m, "org"), "code")));
		printf("inquiry: %lld\n\n%s\n", json_integer_value(
		    json_object_get(res, "inquiry")), json_string_value(
		    json_object_get(res, "notice")));
	}
	json_decref(res);
	client_close(c);
	return 0;
usage:
	fprintf(stderr, "usage: hotlinectl lookup [--host H] [--port P] "
	    "[--client NAME] [--token T]\n"
	    "           [--lang ja|en] [--json] PHONE BIRTHDATE\n"
	    "The client and token default to the demo gateway; "
	    "HOTLINE_CLIENT and HOTLINE_TOKEN\noverride them.\n");
	return 2;
}

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
	printf("  > %s, up to %d digits (empty line: timeout; Ctrl-D hangs "
	    "up): ", field, max_digits);
	fflush(stdout);
	if (fgets(out, (int)len, stdin) == NULL) {
		printf("\n");
		return -1;
	}
	out[strcspn(out, "\r\n")] = '\0';
	return 0;
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
		{ "help", no_argument, NULL, 'h' },
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

	ctl_target_init(&t, CTL_DEMO_GATEWAY);
	while ((ch = getopt_long(argc, argv, "H:p:C:T:a:d:l:D:h", opts,
	    NULL)) != -1) {
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
			free(ks.buf);
			if ((ks.buf = strdup(optarg)) == NULL)
				return 1;
			ks.next = ks.buf;
			break;
		default:
			if (ctl_target_option(&t, ch, optarg) == -1)
				goto usage;
		}
	}
	if (optind != argc)
		goto usage;
	if ((c = ctl_target_connect(&t, "call")) == NULL) {
		free(ks.buf);
		return 1;
	}
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
	fprintf(stderr, "usage: hotlinectl call [--host H] [--port P] "
	    "[--client NAME] [--token T]\n"
	    "           [--ani CALLER-ID] [--dnis DIALLED] [--lang ja|en] "
	    "[--digits D1,D2,...]\n"
	    "Without --digits, asks for each input at the terminal. An empty "
	    "entry is a\ntimeout. The client defaults to the demo gateway.\n");
	return 2;
}
