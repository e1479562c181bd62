/*
 * JSON-RPC 2.0 (SPEC §6): one JSON text per line, batches, notifications,
 * error codes, and the dispatch table of methods with the roles allowed
 * to call them.
 */
#ifndef HOTLINE_RPC_H
#define HOTLINE_RPC_H

#include <stddef.h>

#include <jansson.h>

#include "version.h"

#define RPC_PARSE_ERROR		-32700
#define RPC_INVALID_REQUEST	-32600
#define RPC_METHOD_NOT_FOUND	-32601
#define RPC_INVALID_PARAMS	-32602
#define RPC_INTERNAL_ERROR	-32603
#define RPC_UNAUTHENTICATED	-32001
#define RPC_FORBIDDEN		-32002
#define RPC_RATE_LIMITED	-32003
#define RPC_UNKNOWN_SESSION	-32004
#define RPC_STORAGE_UNAVAILABLE	-32005

#define RPC_PROTOCOL_VERSION	1
#define RPC_SERVER_NAME		"hotline/" HOTLINE_VERSION

struct conn;
struct server;

/* One request as a handler sees it. */
struct rpc_call {
	struct server	*srv;
	struct conn	*conn;
	const char	*method;
	json_t		*params;	/* borrowed: an object, or NULL */
	json_t		*result;	/* set by the handler, owned */
	int		 error;		/* 0, or an RPC_* code */
	json_t		*error_data;	/* owned, may be NULL */
	int		 durable;	/* the result reports a store write */
	json_t		*audit_args;	/* owned: what the audit log keeps */
	int		 audited;	/* an audit entry was written */
};

typedef int (*rpc_handler)(struct rpc_call *);

/*
 * Handles one request line (without its line end): parses it, dispatches
 * it, and queues the reply (if any) on the connection.
 */
void	rpc_handle_line(struct conn *, const char *line, size_t len);

/* The reply to a line over the limit: the connection closes after it. */
json_t	*rpc_error_response(json_t *id, int code, json_t *data);

/* A handler's failure: sets the error and returns -1. data is stolen. */
int	rpc_fail(struct rpc_call *, int code, json_t *data);
/* -32602 with data {field, reason}. */
int	rpc_invalid_param(struct rpc_call *, const char *field,
	    const char *reason);

/*
 * Reads an optional string parameter: 0 with *out set (NULL if absent and
 * not required), or -1 after rpc_invalid_param().
 */
int	rpc_param_string(struct rpc_call *, const char *name, int required,
	    const char **out);


#endif
