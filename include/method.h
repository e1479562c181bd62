/*
 * Method handlers, one group per file (method_*.c); rpc.c's dispatch
 * table says which roles may call each.
 */
#ifndef HOTLINE_METHOD_H
#define HOTLINE_METHOD_H

#include "rpc.h"

struct notice_ctx;
struct org;

/* method_json.c: shapes shared by several methods. */
json_t	*method_items_json(unsigned items);
/* An organisation's display name (the unknown group's in nc's language). */
json_t	*method_org_name_json(const struct notice_ctx *, const struct org *);
/* {code, name, kind} */
json_t	*method_org_json(const struct notice_ctx *, const struct org *);

/* method_session.c */
int	method_hello(struct rpc_call *);
int	method_ping(struct rpc_call *);

/* method_lookup.c */
int	method_lookup(struct rpc_call *);

/* method_operator.c */
int	method_operator_search(struct rpc_call *);
int	method_operator_verify(struct rpc_call *);
int	method_notice_render(struct rpc_call *);
int	method_inquiry_record(struct rpc_call *);

/* method_stats.c */
int	method_stats_summary(struct rpc_call *);
int	method_stats_hourly(struct rpc_call *);
int	method_alerts_list(struct rpc_call *);

/* method_admin.c */
int	method_admin_reload(struct rpc_call *);
int	method_admin_client_enable(struct rpc_call *);
int	method_audit_verify(struct rpc_call *);
int	method_admin_status(struct rpc_call *);

/* method_call.c */
int	method_call_begin(struct rpc_call *);
int	method_call_input(struct rpc_call *);
int	method_call_end(struct rpc_call *);

#endif
