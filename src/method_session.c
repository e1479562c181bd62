/*
 * Connection-level methods: hello (authentication) and ping.
 */
#include <string.h>

#include <jansson.h>

#include "config.h"
#include "conn.h"
#include "crypto.h"
#include "log.h"
#include "method.h"
#include "server.h"

#define TOKEN_MAX	256	/* longest token looked at */
#define HELLO_FAILURES_MAX 3	/* failed hellos before the connection closes */

/* A client name from the network, fit for a log line. */
static const char *
printable_name(const char *s)
{
	size_t	n;

	for (n = 0; s[n] != '\0'; n++)
		if (n >= CONN_CLIENT_MAX || !((s[n] >= 'a' && s[n] <= 'z') ||
		    (s[n] >= 'A' && s[n] <= 'Z') || (s[n] >= '0' &&
		    s[n] <= '9') || s[n] == '-' || s[n] == '_' || s[n] == '.'))
			return "(unprintable name)";
	return n > 0 ? s : "(empty name)";
}

/*
 * Authenticates the connection as a conf client (again, if need be). The token's SHA-256 is
 * compared in constant time, and an unknown client costs the same as a
 * wrong token, so that neither timing nor the error says which it was.
 */
int
method_hello(struct rpc_call *call)
{
	static const unsigned char	 dummy[CRYPTO_SHA256_SIZE];
	const struct conf_client	*cl;
	struct conn			*c = call->conn;
	const char			*client, *token;
	unsigned char			 digest[CRYPTO_SHA256_SIZE];
	size_t				 tlen;
	int				 ok;

	if (rpc_param_string(call, "client", 1, &client) == -1 ||
	    rpc_param_string(call, "token", 1, &token) == -1)
		return -1;
	tlen = strlen(token);
	cl = config_client(call->srv->conf, client);
	/* Who tried: a name of the conf, or nothing from the network. */
	call->audit_args = json_pack("{s:s}", "client", cl != NULL ?
	    cl->name : "(unknown)");
	crypto_sha256(token, tlen > TOKEN_MAX ? TOKEN_MAX : tlen, digest);
	ok = crypto_equal(digest, cl != NULL ? cl->token_sha256 : dummy,
	    sizeof digest);
	if (!ok || cl == NULL || tlen > TOKEN_MAX) {
		/* A failed hello leaves the connection unauthenticated. */
		c->client[0] = '\0';
		c->role = ROLE_NONE;
		log_warnx("conn %llu: hello refused for client %s from %s",
		    (unsigned long long)c->id, printable_name(client),
		    c->peer);
		/* Guessing tokens costs a connection every few tries. */
		if (++c->failed_hellos >= HELLO_FAILURES_MAX)
			conn_finish(c);
		return rpc_fail(call, RPC_UNAUTHENTICATED, NULL);
	}
	snprintf(c->client, sizeof c->client, "%s", cl->name);
	c->role = cl->role;
	log_info("conn %llu: client %s authenticated as %s",
	    (unsigned long long)c->id, cl->name, config_role_name(cl->role));
	call->result = json_pack("{s:s, s:s, s:i}", "role",
	    config_role_name(cl->role), "server", RPC_SERVER_NAME,
	    "protocol", RPC_PROTOCOL_VERSION);
	return call->result != NULL ? 0 : -1;
}

int
method_ping(struct rpc_call *call)
{
	call->result = json_string("pong");
	return call->result != NULL ? 0 : -1;
}
