/*
 * TLS for the HTTP listener (SPEC §6.4): a server context from the conf's
 * certificate chain and key, and one OpenSSL bufferevent per connection
 * (libevent's bufferevent_openssl), so that evhttp speaks HTTPS without
 * knowing it. The only file besides crypto.c that includes OpenSSL.
 */
#ifndef HOTLINE_TLS_H
#define HOTLINE_TLS_H

struct bufferevent;
struct event_base;
struct tls;

/*
 * A server context: TLS 1.2 and later, the chain of cert_path (PEM) and
 * its key_path. NULL with *err set (malloc'd) if either cannot be used.
 */
struct tls *tls_new(const char *cert_path, const char *key_path, char **err);
void	tls_free(struct tls *);

/*
 * A bufferevent for one incoming connection, without its socket yet
 * (evhttp sets it): it accepts the handshake, then carries plain text.
 * NULL if out of memory.
 */
struct bufferevent *tls_bufferevent(struct tls *, struct event_base *);

#endif
