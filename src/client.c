/*
 * hotlinectl's side of the protocol: connect, send one line, read one
 * line. Blocking and simple on purpose; the daemon is where concurrency
 * lives.
 */
#include <sys/socket.h>

#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "client.h"

#define CLIENT_LINE_MAX	(4 * 1024 * 1024)	/* longest response line */

struct client {
	int	 fd;
	char	*buf;
	size_t	 len, cap;
	long	 next_id;
	json_t	*last;		/* the last response, kept for its error data */
	char	 role[32];
};

struct client *
client_connect(const char *host, int port, char **err)
{
	struct addrinfo	 hints, *res, *ai;
	struct client	*c;
	char		 service[16];
	int		 fd = -1, rc, saved = 0;

	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	snprintf(service, sizeof service, "%d", port);
	if ((rc = getaddrinfo(host, service, &hints, &res)) != 0) {
		if (asprintf(err, "%s: %s", host, gai_strerror(rc)) == -1)
			*err = NULL;
		return NULL;
	}
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		if ((fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC,
		    ai->ai_protocol)) == -1)
			continue;
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
			break;
		saved = errno;
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	if (fd == -1) {
		if (asprintf(err, "cannot connect to %s port %d: %s (is "
		    "hotlined running?)", host, port, strerror(saved)) == -1)
			*err = NULL;
		return NULL;
	}
	if ((c = calloc(1, sizeof *c)) == NULL) {
		close(fd);
		*err = strdup("out of memory");
		return NULL;
	}
	c->fd = fd;
	c->next_id = 1;
	return c;
}

void
client_close(struct client *c)
{
	if (c == NULL)
		return;
	close(c->fd);
	free(c->buf);
	json_decref(c->last);
	free(c);
}

/* Reads one line (without LF) into c->buf; its length, or -1. */
static ssize_t
client_readline(struct client *c, char **err)
{
	char	*nl, *p;
	ssize_t	 n;
	size_t	 len;

	for (;;) {
		if (c->len > 0 && (nl = memchr(c->buf, '\n', c->len)) != NULL)
			return nl - c->buf;
		if (c->len >= CLIENT_LINE_MAX) {
			*err = strdup("response line too long");
			return -1;
		}
		if (c->cap - c->len < 65536) {
			if ((p = realloc(c->buf, c->cap + 65536)) == NULL) {
				*err = strdup("out of memory");
				return -1;
			}
			c->buf = p;
			c->cap += 65536;
		}
		n = read(c->fd, c->buf + c->len, c->cap - c->len);
		if (n == 0) {
			*err = strdup("the server closed the connection");
			return -1;
		}
		if (n == -1) {
			if (errno == EINTR)
				continue;
			if (asprintf(err, "read: %s", strerror(errno)) == -1)
				*err = NULL;
			return -1;
		}
		len = (size_t)n;
		c->len += len;
	}
}

json_t *
client_call(struct client *c, const char *method, json_t *params, int *code,
    json_t **data, char **err)
{
	json_t		*req, *resp, *result, *error;
	char		*line;
	size_t		 len, off;
	ssize_t		 n, w;
	json_error_t	 jerr;

	*err = NULL;
	if (code != NULL)
		*code = 0;
	if (data != NULL)
		*data = NULL;
	req = json_pack("{s:s, s:i, s:s, s:O*}", "jsonrpc", "2.0", "id",
	    c->next_id++, "method", method, "params", params);
	line = req != NULL ? json_dumps(req, JSON_COMPACT) : NULL;
	json_decref(req);
	if (line == NULL) {
		*err = strdup("cannot encode the request");
		return NULL;
	}
	len = strlen(line);
	line[len] = '\n';	/* json_dumps leaves room: replace the NUL */
	for (off = 0; off < len + 1; off += (size_t)w) {
		w = write(c->fd, line + off, len + 1 - off);
		if (w == -1 && errno == EINTR) {
			w = 0;
			continue;
		}
		if (w <= 0) {
			free(line);
			if (asprintf(err, "write: %s", strerror(errno)) == -1)
				*err = NULL;
			return NULL;
		}
	}
	free(line);
	if ((n = client_readline(c, err)) == -1)
		return NULL;
	resp = json_loadb(c->buf, (size_t)n, 0, &jerr);
	memmove(c->buf, c->buf + n + 1, c->len - (size_t)n - 1);
	c->len -= (size_t)n + 1;
	if (resp == NULL) {
		*err = strdup("the server sent something that is not JSON");
		return NULL;
	}
	json_decref(c->last);
	c->last = resp;
	if ((error = json_object_get(resp, "error")) != NULL) {
		if (code != NULL)
			*code = (int)json_integer_value(json_object_get(error,
			    "code"));
		if (data != NULL)
			*data = json_object_get(error, "data");
		if (asprintf(err, "%s (%lld)", json_string_value(
		    json_object_get(error, "message")) ?: "error",
		    json_integer_value(json_object_get(error, "code"))) == -1)
			*err = NULL;
		return NULL;
	}
	if ((result = json_object_get(resp, "result")) == NULL) {
		*err = strdup("the response has neither result nor error");
		return NULL;
	}
	return json_incref(result);
}

const char *
client_hello(struct client *c, const char *name, const char *token,
    char **err)
{
	json_t	*params, *res;

	params = json_pack("{s:s, s:s}", "client", name, "token", token);
	res = client_call(c, "hello", params, NULL, NULL, err);
	json_decref(params);
	if (res == NULL)
		return NULL;
	snprintf(c->role, sizeof c->role, "%s",
	    json_string_value(json_object_get(res, "role")) ?: "?");
	json_decref(res);
	return c->role;
}
