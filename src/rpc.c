/*
 * JSON-RPC 2.0 over lines: decoding, validation of the request object,
 * batches and notifications, and the encoding of answers. A bad request
 * never closes the connection; it gets the error the specification names
 * and the peer reads on.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "config.h"
#include "core.h"
#include "rpc.h"

/* A growable buffer an answer is encoded in, reused from one to the next. */
struct outbuf {
	char	*buf;
	size_t	 len;
	size_t	 cap;
};

static struct outbuf	out_text, out_failed;

static int
outbuf_add(const char *buf, size_t size, void *arg)
{
	struct outbuf	*o = arg;
	char		*p;
	size_t		 cap;

	if (size == 0)
		return 0;
	if (o->len + size > o->cap) {
		cap = o->cap ? o->cap : 4096;
		while (cap < o->len + size)
			cap *= 2;
		if ((p = realloc(o->buf, cap)) == NULL)
			return -1;
		o->buf = p;
		o->cap = cap;
	}
	memcpy(o->buf + o->len, buf, size);
	o->len += size;
	return 0;
}

void
rpc_free_buffers(void)
{
	free(out_text.buf);
	free(out_failed.buf);
	memset(&out_text, 0, sizeof out_text);
	memset(&out_failed, 0, sizeof out_failed);
}

static json_t *
error_response(json_t *id, int code, json_t *data)
{
	json_t	*err;

	err = json_pack("{s:i, s:s}", "code", code, "message",
	    dispatch_error_message(code));
	if (err != NULL && data != NULL)
		json_object_set_new(err, "data", data);
	else
		json_decref(data);
	return json_pack("{s:s, s:O?, s:o}", "jsonrpc", "2.0", "id", id,
	    "error", err);
}

/* prefix, the message, suffix into o; -1 if it could not be encoded. */
static int
encode(struct outbuf *o, const char *prefix, json_t *msg, const char *suffix)
{
	o->len = 0;
	if (outbuf_add(prefix, strlen(prefix), o) == -1 || msg == NULL ||
	    json_dump_callback(msg, outbuf_add, o, JSON_COMPACT) == -1 ||
	    outbuf_add(suffix, strlen(suffix), o) == -1)
		return -1;
	return 0;
}

/*
 * Hands one piece to the peer. A durable answer carries the -32005 it
 * becomes if its commit fails: no client ever sees an inquiry id that is
 * not durable.
 */
static void
emit(struct rpc_peer *p, const char *prefix, json_t *msg, uint64_t seq,
    int durable, const char *suffix)
{
	struct rpc_answer	 a;
	json_t			*failed = NULL;

	memset(&a, 0, sizeof a);
	if (encode(&out_text, prefix, msg, suffix) == -1) {
		/* A reply jansson cannot encode: say so, never nothing. */
		json_decref(msg);
		msg = error_response(json_null(), RPC_INTERNAL_ERROR, NULL);
		if (encode(&out_text, prefix, msg, suffix) == -1) {
			json_decref(msg);
			return;
		}
		durable = 0;
	}
	a.text = out_text.buf;
	a.len = out_text.len;
	a.seq = seq;
	if (durable && (failed = error_response(json_object_get(msg, "id"),
	    RPC_STORAGE_UNAVAILABLE, NULL)) != NULL &&
	    encode(&out_failed, prefix, failed, suffix) == 0) {
		a.failed = out_failed.buf;
		a.failed_len = out_failed.len;
	}
	json_decref(failed);
	json_decref(msg);
	p->answer(p, &a);
}

void
rpc_answer_error(struct rpc_peer *p, int code, json_t *data)
{
	emit(p, "", error_response(json_null(), code, data), 0, 0, "\n");
}

/*
 * Validates and runs one request object. Returns its response, or NULL
 * for a notification. A malformed request is answered even without an
 * id, as JSON-RPC 2.0 asks, since it cannot be known to be a
 * notification.
 */
static json_t *
rpc_request(struct rpc_peer *p, json_t *req, uint64_t *seq, int *durable)
{
	struct dispatch_result	 r;
	json_t			*id, *version, *method, *params, *resp;

	*seq = 0;
	*durable = 0;
	if (!json_is_object(req))
		return error_response(json_null(), RPC_INVALID_REQUEST,
		    json_pack("{s:s}", "reason", "a request is an object"));
	id = json_object_get(req, "id");
	if (id != NULL && !json_is_string(id) && !json_is_integer(id) &&
	    !json_is_real(id) && !json_is_null(id))
		return error_response(json_null(), RPC_INVALID_REQUEST,
		    json_pack("{s:s}", "reason", "id must be a string, a "
		    "number or null"));
	version = json_object_get(req, "jsonrpc");
	method = json_object_get(req, "method");
	params = json_object_get(req, "params");
	if (!json_is_string(version) ||
	    strcmp(json_string_value(version), "2.0") != 0)
		return error_response(id ? id : json_null(),
		    RPC_INVALID_REQUEST, json_pack("{s:s}", "reason",
		    "jsonrpc must be \"2.0\""));
	if (!json_is_string(method))
		return error_response(id ? id : json_null(),
		    RPC_INVALID_REQUEST, json_pack("{s:s}", "reason",
		    "method must be a string"));
	if (params != NULL && !json_is_object(params) && !json_is_array(params))
		return error_response(id ? id : json_null(),
		    RPC_INVALID_REQUEST, json_pack("{s:s}", "reason",
		    "params must be an object"));
	dispatch(p->core, p->who, json_string_value(method), params, &r);
	*seq = r.seq;
	if (id == NULL) {
		/* A notification: done, and nothing to say. */
		dispatch_result_clear(&r);
		return NULL;
	}
	if (r.error != 0) {
		resp = error_response(id, r.error, r.error_data);
		r.error_data = NULL;
	} else {
		resp = json_pack("{s:s, s:O, s:O}", "jsonrpc", "2.0", "id", id,
		    "result", r.result);
		*durable = r.durable;
	}
	dispatch_result_clear(&r);
	return resp;
}

void
rpc_handle_line(struct rpc_peer *p, const char *line, size_t len)
{
	json_error_t	 jerr;
	json_t		*req, *elem, *resp, *last = NULL;
	uint64_t	 seq, last_seq = 0;
	size_t		 i, n, sent = 0;
	int		 durable, last_durable = 0;

	/* Blank lines between requests are tolerated. */
	for (i = 0; i < len && (line[i] == ' ' || line[i] == '\t'); i++)
		;
	if (i == len)
		return;
	req = json_loadb(line, len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY,
	    &jerr);
	if (req == NULL) {
		rpc_answer_error(p, RPC_PARSE_ERROR, json_pack("{s:s, s:i}",
		    "reason", "not a JSON text", "column", jerr.column));
		return;
	}
	if (!json_is_array(req)) {
		if ((resp = rpc_request(p, req, &seq, &durable)) != NULL)
			emit(p, "", resp, seq, durable, "\n");
		json_decref(req);
		return;
	}
	n = json_array_size(req);
	if (n == 0 || n > (size_t)p->core->conf->max_batch) {
		rpc_answer_error(p, RPC_INVALID_REQUEST, json_pack("{s:s, s:i}",
		    "reason", n == 0 ? "empty batch" : "batch too large",
		    "max_batch", p->core->conf->max_batch));
		json_decref(req);
		return;
	}
	/*
	 * A batch's answers make one line "[a,b,c]". Each goes to the peer
	 * as soon as the next exists, so that the last can close the line;
	 * a batch of notifications only says nothing at all.
	 */
	json_array_foreach(req, i, elem) {
		if ((resp = rpc_request(p, elem, &seq, &durable)) == NULL)
			continue;
		if (last != NULL)
			emit(p, sent++ == 0 ? "[" : ",", last, last_seq,
			    last_durable, "");
		last = resp;
		last_seq = seq;
		last_durable = durable;
	}
	if (last != NULL)
		emit(p, sent == 0 ? "[" : ",", last, last_seq, last_durable,
		    "]\n");
	json_decref(req);
}
