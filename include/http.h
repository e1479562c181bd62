/*
 * The HTTP front end (SPEC §6.4), on libevent's evhttp in the server's
 * event base, over TLS when the conf names a certificate:
 *
 *   GET  /healthz     200 while the loop runs
 *   GET  /readyz      200, or 503 with the reason
 *   GET  /metrics     Prometheus text, for a supervisor's or admin's token
 *   POST /login       {client, token} -> {role, csrf} and the session cookie
 *   POST /logout      ends the session
 *   POST /rpc         a JSON-RPC request or batch, as on the TCP port
 *   GET  /, /desk, /wallboard and their assets, from http.web_dir
 *
 * One more front end over the core: a sign-in is a hello through
 * dispatch, /rpc goes through rpc.c and dispatch like a line of the TCP
 * port (same roles, audit, rate limits and alerts), and an answer that
 * reports writes is held until the commit barrier releases it.
 */
#ifndef HOTLINE_HTTP_H
#define HOTLINE_HTTP_H

#include <stddef.h>

struct config;
struct core;
struct event_base;
struct http;

/*
 * The listener of the conf's http section (the caller checks that there
 * is one), its pages and TLS context. NULL with *err set (malloc'd).
 */
struct http *http_new(struct event_base *, struct core *, char **err);

/* Closes every connection, ends every web session, frees (NULL: no-op). */
void	http_free(struct http *);

/*
 * A graceful stop: no new connections, idle ones closed now, requests in
 * flight answered (then their connections close), the rest closed after
 * a grace period.
 */
void	http_stop(struct http *);

/* Connections still open (0 for NULL): the loop ends at a stop when 0. */
size_t	http_pending(const struct http *);

/*
 * After a reload: the new limits, pages and certificate (each kept as it
 * was if the new one cannot be used), and every web session re-checked
 * against the conf's clients.
 */
void	http_reconfigure(struct http *);

/* hotlined -t: the pages and the certificate can be used. 0, or -1. */
int	http_check(const struct config *, char **err);

#endif
