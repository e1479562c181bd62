/*
 * TLS for the HTTP listener: an OpenSSL server context and libevent's
 * OpenSSL bufferevents (include/tls.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/event.h>

#include "tls.h"

struct tls {
	SSL_CTX	*ctx;
};

/* "what: path: the first OpenSSL error" into *err. */
static void
tls_error(char **err, const char *what, const char *path)
{
	char	buf[256];

	ERR_error_string_n(ERR_get_error(), buf, sizeof buf);
	ERR_clear_error();
	if (asprintf(err, "%s%s%s: %s", what, path ? " " : "", path ? path : "",
	    buf) == -1)
		*err = NULL;
}

struct tls *
tls_new(const char *cert_path, const char *key_path, char **err)
{
	struct tls	*t;

	*err = NULL;
	if ((t = calloc(1, sizeof *t)) == NULL) {
		*err = strdup("out of memory");
		return NULL;
	}
	if ((t->ctx = SSL_CTX_new(TLS_server_method())) == NULL) {
		tls_error(err, "TLS context", NULL);
		goto fail;
	}
	/*
	 * No protocol older than TLS 1.2, no renegotiation (a client could
	 * make the loop pay for handshakes without end), the server's order
	 * of ciphers.
	 */
	if (SSL_CTX_set_min_proto_version(t->ctx, TLS1_2_VERSION) != 1) {
		tls_error(err, "TLS context", NULL);
		goto fail;
	}
	SSL_CTX_set_options(t->ctx, SSL_OP_NO_RENEGOTIATION |
	    SSL_OP_CIPHER_SERVER_PREFERENCE | SSL_OP_NO_COMPRESSION);
	if (SSL_CTX_use_certificate_chain_file(t->ctx, cert_path) != 1) {
		tls_error(err, "http.tls_cert", cert_path);
		goto fail;
	}
	if (SSL_CTX_use_PrivateKey_file(t->ctx, key_path, SSL_FILETYPE_PEM) !=
	    1) {
		tls_error(err, "http.tls_key", key_path);
		goto fail;
	}
	if (SSL_CTX_check_private_key(t->ctx) != 1) {
		tls_error(err, "http.tls_key: not the key of http.tls_cert",
		    key_path);
		goto fail;
	}
	return t;
fail:
	if (*err == NULL)
		*err = strdup("out of memory");
	tls_free(t);
	return NULL;
}

void
tls_free(struct tls *t)
{
	if (t == NULL)
		return;
	/* Connections still open keep their own reference to the context. */
	SSL_CTX_free(t->ctx);
	free(t);
}

struct bufferevent *
tls_bufferevent(struct tls *t, struct event_base *base)
{
	struct bufferevent	*bev;
	SSL			*ssl;

	if ((ssl = SSL_new(t->ctx)) == NULL) {
		ERR_clear_error();
		return NULL;
	}
	/* CLOSE_ON_FREE: the bufferevent frees the SSL and closes the fd. */
	bev = bufferevent_openssl_socket_new(base, -1, ssl,
	    BUFFEREVENT_SSL_ACCEPTING, BEV_OPT_CLOSE_ON_FREE);
	if (bev == NULL) {
		SSL_free(ssl);
		return NULL;
	}
	/* A browser that closes without close_notify has finished, not failed. */
	bufferevent_openssl_set_allow_dirty_shutdown(bev, 1);
	return bev;
}
