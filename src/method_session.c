/*
 * Session-level methods: hello (authentication) and ping.
 */
#include <string.h>

#include <jansson.h>

#include "config.h"
#include "core.h"
#include "log.h"
#include "method.h"

/* A client name from the network, fit for a log line. */
static const char *
printable_name(const char *s)
{
	size_t	n;

	for (n = 0; s[n] != '\0'; n++)
		if (n >= PRINCIPAL_NAME_MAX || !((s[n] >= 'a' && s[n] <= 'z') ||
		    (s[n] >= 'A' && s[n] <= 'Z') || (s[n] >= '0' &&
		    s[n] <= '9') || s[n] == '-' || s[n] == '_' || s[n] == '.'))
			return "(unprintable name)";
	return n > 0 ? s : "(empty name)";
}

/*
 * Authenticates the principal as a conf client (again, if need be). A
 * failed hello leaves it unauthenticated; its front end decides what
 * repeated failures cost (the TCP port closes the connection).
 */
int
method_hello(struct call *call)
{
	const struct conf_client	*cl;
	struct principal		*who = call->who;
	const char			*client, *token;

	if (call_string(call, "client", 1, &client) == -1 ||
	    call_string(call, "token", 1, &token) == -1)
		return -1;
	cl = config_client(call->core->conf, client);
	/* Who tried: a name of the conf, or nothing from the network. */
	call->audit_args = json_pack("{s:s}", "client", cl != NULL ?
	    cl->name : "(unknown)");
	if (core_authenticate(call->core, who, client, token) == -1) {
		log_warnx("%s: hello refused for client %s from %s",
		    who->origin, printable_name(client), who->peer);
		return call_fail(call, RPC_UNAUTHENTICATED, NULL);
	}
	log_info("%s: client %s authenticated as %s", who->origin,
	    who->client, config_role_name(who->role));
	return call_result(call, json_pack("{s:s, s:s, s:i}", "role",
	    config_role_name(who->role), "server", HOTLINE_SERVER_NAME,
	    "protocol", HOTLINE_PROTOCOL));
}

int
method_ping(struct call *call)
{
	return call_result(call, json_string("pong"));
}
