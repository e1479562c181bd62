/*
 * Method handlers, one group per file (method_*.c); rpc.c's dispatch
 * table says which roles may call each.
 */
#ifndef HOTLINE_METHOD_H
#define HOTLINE_METHOD_H

#include "rpc.h"

/* method_session.c */
int	method_hello(struct rpc_call *);
int	method_ping(struct rpc_call *);

/* method_lookup.c */
int	method_lookup(struct rpc_call *);

/* method_call.c */
int	method_call_begin(struct rpc_call *);
int	method_call_input(struct rpc_call *);
int	method_call_end(struct rpc_call *);

#endif
