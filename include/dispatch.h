/*
 * Dispatch: one place where every call of every front end is run. The
 * method table says, per method, which roles may call it, what it counts
 * as (a lookup, a search, a check: the bulk-lookup window and the
 * statistics), whether it is rate limited and audited; dispatch() does
 * all of that around the handler, in this order:
 *
 *   method known? -> authenticated? -> suspended? -> role? -> params an
 *   object? -> rate -> handler -> counting (and the alert) -> audit
 *
 * The error codes are the protocol's (SPEC §6) whatever the front end:
 * JSON-RPC sends them as they are, FastAGI and HTTP map them.
 */
#ifndef HOTLINE_DISPATCH_H
#define HOTLINE_DISPATCH_H

#include <stdint.h>

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

#define HOTLINE_SERVER_NAME	"hotline/" HOTLINE_VERSION
#define HOTLINE_PROTOCOL	1

struct core;
struct later;
struct principal;

/* One call as a handler sees it: (core, principal, params) in, an answer out. */
struct call {
	struct core		*core;
	struct principal	*who;		/* hello may change it */
	const char		*method;
	json_t			*params;	/* borrowed: an object, or NULL */

	json_t			*result;	/* set by the handler, owned */
	const char		*raw;		/* or the result as JSON text */
	size_t			 raw_len;
	const char		*audit_text;	/* or what the audit keeps, as
						   canonical JSON */
	char			 audit_buf[128]; /* room for audit_text */
	int			 error;		/* 0, or an RPC_* code */
	json_t			*error_data;	/* owned, may be NULL */
	json_t			*audit_args;	/* owned: what the audit keeps */
	int			 counted;	/* lookups or searches it made */
	struct later		*later;		/* call_later(): done off the
						   loop, answered later */
};

typedef int (*method_fn)(struct call *);

/* The answer of one call. */
struct dispatch_result {
	json_t		*result;	/* owned, NULL with an error */
	/*
	 * Or the result as JSON text (a rendered answer): borrowed, valid
	 * until the next call is dispatched.
	 */
	const char	*raw;
	size_t		 raw_len;
	int		 error;
	json_t		*error_data;	/* owned, may be NULL */
	/*
	 * The group of writes the answer waits for (0: none); durable: the
	 * result reports a write, and a failed commit turns it into -32005.
	 */
	uint64_t	 seq;
	int		 durable;
	/*
	 * Or the answer comes later (call_later): the id the front end
	 * names it by, in dispatch_later_to() or dispatch_later_drop().
	 */
	uint64_t	 later;
};

/* Where a later answer goes: fn(arg, r) on the loop, r cleared after. */
typedef void	(*later_fn)(void *arg, struct dispatch_result *r);

/*
 * Runs one call of method with params (an object, an array or NULL) on
 * behalf of who, and fills r. Never fails: every problem is an error
 * code in r.
 */
void	dispatch(struct core *, struct principal *, const char *method,
	    json_t *params, struct dispatch_result *r);

/* The methods' names, in table order (what the metrics count under). */
const char *const *dispatch_methods(size_t *n);

/*
 * A call done off the loop (audit.verify, on the jobs' thread): its
 * handler calls call_later() and queues the work; dispatch's result then
 * carries a later id and no answer, and the front end keeps the answer's
 * place. When the work is done, dispatch_finish() runs the handler's
 * second half (fill sets the result or an error, as a handler does) and
 * the counting and the audit entry every call has; the answer goes where
 * dispatch_later_to() said, or nowhere if its asker is gone.
 */
uint64_t call_later(struct call *);	/* its id, or 0 after call_fail() */
void	dispatch_later_to(struct core *, uint64_t later, later_fn, void *arg);
void	dispatch_later_drop(struct core *, uint64_t later);
void	dispatch_finish(struct core *, uint64_t later,
	    int (*fill)(struct call *, void *), void *arg);
/* Forgets every call whose work will not be done (at the stop). */
void	dispatch_later_clear(struct core *);

/* Frees what a result holds (after the front end has used it). */
void	dispatch_result_clear(struct dispatch_result *);

/* The JSON-RPC message of an error code. */
const char *dispatch_error_message(int code);

/* A handler's failure: sets the error and returns -1. data is stolen. */
int	call_fail(struct call *, int code, json_t *data);
/* -32602 with data {field, reason}. */
int	call_invalid(struct call *, const char *field, const char *reason);

/*
 * Reads an optional string parameter: 0 with *out set (NULL if absent and
 * not required), or -1 after call_invalid().
 */
int	call_string(struct call *, const char *name, int required,
	    const char **out);

/* The "lang" parameter: 0 with *lang (the conf's default if absent). */
int	call_lang(struct call *, const char **lang);

/* Sets the result; -1 (an internal error) if it is NULL. */
int	call_result(struct call *, json_t *result);

#endif
