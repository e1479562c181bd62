/*
 * Method handlers, one group per file (method_*.c); dispatch.c's table
 * says who may call each and what it counts as. A handler takes a call —
 * the core, the principal, the params — and sets a result or an error;
 * it never learns which front end asked.
 */
#ifndef HOTLINE_METHOD_H
#define HOTLINE_METHOD_H

#include "dispatch.h"

struct notice_ctx;
struct org;

/* method_json.c: shapes shared by several methods. */
json_t	*method_items_json(unsigned items);
/* An organisation's display name (the unknown group's in nc's language). */
json_t	*method_org_name_json(const struct notice_ctx *, const struct org *);
/* {code, name, kind} */
json_t	*method_org_json(const struct notice_ctx *, const struct org *);

/* method_session.c */
int	method_hello(struct call *);
int	method_ping(struct call *);

/* method_lookup.c */
int	method_lookup(struct call *);

/* method_operator.c */
int	method_operator_search(struct call *);
int	method_operator_verify(struct call *);
int	method_notice_render(struct call *);
int	method_inquiry_record(struct call *);

/* method_stats.c */
int	method_stats_summary(struct call *);
int	method_stats_hourly(struct call *);
int	method_alerts_list(struct call *);
int	method_alerts_ack(struct call *);
int	method_stats_live(struct call *);

/* method_admin.c */
int	method_admin_reload(struct call *);
int	method_admin_client_enable(struct call *);
int	method_audit_verify(struct call *);
int	method_admin_status(struct call *);

/* method_call.c */
int	method_call_begin(struct call *);
int	method_call_input(struct call *);
int	method_call_end(struct call *);

#endif
