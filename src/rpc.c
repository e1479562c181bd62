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

/*
 * One answer before it is encoded: a whole JSON-RPC response (an error,
 * or a result as a json_t), or a result rendered as text, with the id it
 * answers.
 */
struct answer {
	json_t		*msg;		/* owned: the response; or NULL */
	json_t		*id;		/* owned: with raw */
	const char	*raw;		/* the result as JSON text */
	char		*raw_copy;	/* owned, when raw had to be kept */
	size_t		 raw_len;
	uint64_t	 seq;
	int		 durable;
	uint64_t	 later;		/* its place only: it comes later */
	uint64_t	 fills;		/* it is what came for that place */
};

/*
 * An answer that comes later (dispatch's later calls): the request's id,
 * kept until it comes, on its peer's list.
 */
struct rpc_later {
	struct rpc_later	*next;
	struct rpc_peer		*peer;
	uint64_t		 later;
	json_t			*id;
};

static void
answer_clear(struct answer *a)
{
	json_decref(a->msg);
	json_decref(a->id);
	free(a->raw_copy);
	memset(a, 0, sizeof *a);
}

/* An id as JSON text: integers without jansson, the rest with it. */
static int
add_id(struct outbuf *o, json_t *id)
{
	char	num[32];
	int	n;

	if (json_is_integer(id)) {
		n = snprintf(num, sizeof num, "%" JSON_INTEGER_FORMAT,
		    json_integer_value(id));
		return outbuf_add(num, (size_t)n, o);
	}
	return json_dump_callback(id, outbuf_add, o, JSON_COMPACT |
	    JSON_ENCODE_ANY);
}

static int
add_str(struct outbuf *o, const char *s)
{
	return outbuf_add(s, strlen(s), o);
}

/* prefix, the answer, suffix into o; -1 if it could not be encoded. */
static int
encode(struct outbuf *o, const char *prefix, const struct answer *a,
    const char *suffix)
{
	o->len = 0;
	if (add_str(o, prefix) == -1)
		return -1;
	if (a->msg != NULL) {
		if (json_dump_callback(a->msg, outbuf_add, o,
		    JSON_COMPACT) == -1)
			return -1;
	} else if (add_str(o, "{\"jsonrpc\":\"2.0\",\"id\":") == -1 ||
	    add_id(o, a->id) == -1 || add_str(o, ",\"result\":") == -1 ||
	    outbuf_add(a->raw, a->raw_len, o) == -1 || add_str(o, "}") == -1)
		return -1;
	return add_str(o, suffix);
}

/* What a durable answer becomes if its commit fails: -32005, same id. */
static int
encode_failed(struct outbuf *o, const char *prefix, const struct answer *a,
    const char *suffix)
{
	json_t	*id = a->msg != NULL ? json_object_get(a->msg, "id") : a->id;

	o->len = 0;
	if (add_str(o, prefix) == -1 ||
	    add_str(o, "{\"jsonrpc\":\"2.0\",\"id\":") == -1 ||
	    add_id(o, id != NULL ? id : json_null()) == -1)
		return -1;
	if (outbuf_add(",\"error\":{\"code\":", 17, o) == -1)
		return -1;
	return add_str(o, "-32005,\"message\":\"Storage unavailable\"}}") ==
	    -1 ? -1 : add_str(o, suffix);
}

/* A piece of punctuation, waiting for nothing. */
static void
emit_text(struct rpc_peer *p, const char *s)
{
	struct rpc_answer	 a;

	if (*s == '\0')
		return;
	memset(&a, 0, sizeof a);
	a.text = s;
	a.len = strlen(s);
	p->answer(p, &a);
}

/*
 * Hands one piece to the peer. A durable answer carries the -32005 it
 * becomes if its commit fails: no client ever sees an inquiry id that is
 * not durable. Clears the answer.
 */
static void
emit(struct rpc_peer *p, const char *prefix, struct answer *an,
    const char *suffix)
{
	struct rpc_answer	 a;

	memset(&a, 0, sizeof a);
	if (an->later != 0) {
		/* Its place, between the batch's punctuation. */
		emit_text(p, prefix);
		a.later = an->later;
		p->answer(p, &a);
		emit_text(p, suffix);
		answer_clear(an);
		return;
	}
	if (encode(&out_text, prefix, an, suffix) == -1) {
		/* A reply jansson cannot encode: say so, never nothing. */
		answer_clear(an);
		an->msg = error_response(json_null(), RPC_INTERNAL_ERROR,
		    NULL);
		if (encode(&out_text, prefix, an, suffix) == -1) {
			answer_clear(an);
			return;
		}
	}
	a.text = out_text.buf;
	a.len = out_text.len;
	a.seq = an->seq;
	a.fills = an->fills;
	if (an->durable && encode_failed(&out_failed, prefix, an,
	    suffix) == 0) {
		a.failed = out_failed.buf;
		a.failed_len = out_failed.len;
	}
	answer_clear(an);
	p->answer(p, &a);
}

void
rpc_answer_error(struct rpc_peer *p, int code, json_t *data)
{
	struct answer	a;

	memset(&a, 0, sizeof a);
	a.msg = error_response(json_null(), code, data);
	emit(p, "", &a, "\n");
}

/* The answer to request id from dispatch's result (whose error it takes). */
static void
answer_set(struct answer *an, json_t *id, struct dispatch_result *r)
{
	an->seq = r->seq;
	if (r->error != 0) {
		an->msg = error_response(id, r->error, r->error_data);
		r->error_data = NULL;
	} else if (r->raw != NULL) {
		an->id = json_incref(id);
		an->raw = r->raw;
		an->raw_len = r->raw_len;
		an->durable = r->durable;
	} else {
		an->msg = json_pack("{s:s, s:O, s:O}", "jsonrpc", "2.0", "id",
		    id, "result", r->result);
		an->durable = r->durable;
	}
}

/* The later answer came: it takes its place. */
static void
later_came(void *arg, struct dispatch_result *r)
{
	struct rpc_later	*l = arg, **lp;
	struct rpc_peer		*p = l->peer;
	struct answer		 an;

	for (lp = &p->later; *lp != NULL; lp = &(*lp)->next)
		if (*lp == l) {
			*lp = l->next;
			break;
		}
	memset(&an, 0, sizeof an);
	answer_set(&an, l->id, r);
	an.fills = l->later;
	emit(p, "", &an, "");
	json_decref(l->id);
	free(l);
}

/* Request id's answer comes later: its place, and where it will go. */
static void
answer_later(struct rpc_peer *p, json_t *id, uint64_t later,
    struct answer *an)
{
	struct rpc_later	*l;

	if ((l = calloc(1, sizeof *l)) == NULL) {
		dispatch_later_drop(p->core, later);
		an->msg = error_response(id, RPC_INTERNAL_ERROR, NULL);
		return;
	}
	l->peer = p;
	l->later = later;
	l->id = json_incref(id);
	l->next = p->later;
	p->later = l;
	dispatch_later_to(p->core, later, later_came, l);
	an->later = later;
}

void
rpc_peer_gone(struct rpc_peer *p)
{
	struct rpc_later	*l;

	while ((l = p->later) != NULL) {
		p->later = l->next;
		dispatch_later_drop(p->core, l->later);
		json_decref(l->id);
		free(l);
	}
}

/*
 * Validates and runs one request object into *an; 0, or -1 for a
 * notification (nothing to answer). A malformed request is answered
 * even without an id, as JSON-RPC 2.0 asks, since it cannot be known to
 * be a notification.
 */
static int
rpc_request(struct rpc_peer *p, json_t *req, struct answer *an)
{
	struct dispatch_result	 r;
	json_t			*id, *version, *method, *params;

	memset(an, 0, sizeof *an);
	if (!json_is_object(req)) {
		an->msg = error_response(json_null(), RPC_INVALID_REQUEST,
		    json_pack("{s:s}", "reason", "a request is an object"));
		return 0;
	}
	id = json_object_get(req, "id");
	if (id != NULL && !json_is_string(id) && !json_is_integer(id) &&
	    !json_is_real(id) && !json_is_null(id)) {
		an->msg = error_response(json_null(), RPC_INVALID_REQUEST,
		    json_pack("{s:s}", "reason", "id must be a string, a "
		    "number or null"));
		return 0;
	}
	version = json_object_get(req, "jsonrpc");
	method = json_object_get(req, "method");
	params = json_object_get(req, "params");
	if (!json_is_string(version) ||
	    strcmp(json_string_value(version), "2.0") != 0) {
		an->msg = error_response(id ? id : json_null(),
		    RPC_INVALID_REQUEST, json_pack("{s:s}", "reason",
		    "jsonrpc must be \"2.0\""));
		return 0;
	}
	if (!json_is_string(method)) {
		an->msg = error_response(id ? id : json_null(),
		    RPC_INVALID_REQUEST, json_pack("{s:s}", "reason",
		    "method must be a string"));
		return 0;
	}
	if (params != NULL && !json_is_object(params) &&
	    !json_is_array(params)) {
		an->msg = error_response(id ? id : json_null(),
		    RPC_INVALID_REQUEST, json_pack("{s:s}", "reason",
		    "params must be an object"));
		return 0;
	}
	dispatch(p->core, p->who, json_string_value(method), params, &r);
	an->seq = r.seq;
	if (id == NULL) {
		/* A notification: done, and nothing to say. */
		dispatch_result_clear(&r);
		return -1;
	}
	if (r.later != 0)
		answer_later(p, id, r.later, an);
	else
		answer_set(an, id, &r);
	dispatch_result_clear(&r);
	return 0;
}

/* A rendered answer kept past the next call (a batch): its own copy. */
static int
answer_keep(struct answer *a)
{
	if (a->raw == NULL || a->raw_copy != NULL)
		return 0;
	if ((a->raw_copy = malloc(a->raw_len)) == NULL)
		return -1;
	memcpy(a->raw_copy, a->raw, a->raw_len);
	a->raw = a->raw_copy;
	return 0;
}

void
rpc_handle_line(struct rpc_peer *p, const char *line, size_t len)
{
	json_error_t	 jerr;
	json_t		*req, *elem;
	struct answer	 an, last;
	size_t		 i, n, sent = 0;
	int		 have_last = 0;

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
		if (rpc_request(p, req, &an) == 0)
			emit(p, "", &an, "\n");
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
	memset(&last, 0, sizeof last);
	json_array_foreach(req, i, elem) {
		if (rpc_request(p, elem, &an) == -1)
			continue;
		if (have_last)
			emit(p, sent++ == 0 ? "[" : ",", &last, "");
		if (answer_keep(&an) == -1) {
			answer_clear(&an);
			an.msg = error_response(json_null(),
			    RPC_INTERNAL_ERROR, NULL);
		}
		last = an;
		have_last = 1;
	}
	if (have_last)
		emit(p, sent == 0 ? "[" : ",", &last, "]\n");
	json_decref(req);
}
