/*
 * hotlinectl's protocol commands: lookup. They talk to a running hotlined
 * exactly as any other client does, so what they show is what clients get.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "client.h"
#include "ctl.h"

/* Where to connect and as whom; defaults reach `make demo`. */
struct ctl_target {
	const char	*host;
	int		 port;
	const char	*client;
	const char	*token;
	char		 token_buf[128];
};

static void
target_init(struct ctl_target *t, const char *client)
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

/* Handles --host, --port, --client, --token; 0 if ch was one of them. */
static int
target_option(struct ctl_target *t, int ch, const char *arg)
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

static struct client *
target_connect(const struct ctl_target *t, const char *cmd)
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

/* Prints an error response's data, field and reason, when it has them. */
static void
print_error(const char *cmd, const char *err, json_t *data)
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
		{ "host", required_argument, NULL, 'H' },
		{ "port", required_argument, NULL, 'p' },
		{ "client", required_argument, NULL, 'C' },
		{ "token", required_argument, NULL, 'T' },
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

	target_init(&t, CTL_DEMO_GATEWAY);
	while ((ch = getopt_long(argc, argv, "H:p:C:T:l:jh", opts, NULL)) !=
	    -1) {
		if (ch == 'l')
			lang = optarg;
		else if (ch == 'j')
			as_json = 1;
		else if (target_option(&t, ch, optarg) == -1)
			goto usage;
	}
	if (argc - optind != 2)
		goto usage;
	if ((c = target_connect(&t, "lookup")) == NULL)
		return 1;
	params = json_pack("{s:s, s:s, s:s?}", "phone", argv[optind],
	    "birthdate", argv[optind + 1], "lang", lang);
	res = client_call(c, "lookup", params, &code, &data, &err);
	json_decref(params);
	if (res == NULL) {
		print_error("lookup", err, data);
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
