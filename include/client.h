/*
 * A blocking JSON-RPC client for hotlinectl (lookup, call, stats): one
 * connection, one request at a time.
 */
#ifndef HOTLINE_CLIENT_H
#define HOTLINE_CLIENT_H

#include <jansson.h>

struct client;

struct client *client_connect(const char *host, int port, char **err);
void	client_close(struct client *);

/*
 * Sends a request and waits for its response. Returns the result (the
 * caller's to json_decref), or NULL with *err set; *code, if not NULL,
 * gets the JSON-RPC error code (0 for a transport failure) and *data the
 * error's data (borrowed until the next call), if any.
 */
json_t	*client_call(struct client *, const char *method, json_t *params,
	    int *code, json_t **data, char **err);

/* hello; returns the role name (static storage in the client) or NULL. */
const char *client_hello(struct client *, const char *name,
	    const char *token, char **err);

#endif
