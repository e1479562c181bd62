/*
 * The held answers: marks in a ring, each the length of its answer and
 * of its failed form in the shared buffer, and the group it waits for;
 * a place kept for an answer that comes later has a buffer of its own
 * once it comes.
 */
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>

#include "held.h"
#include "rpc.h"

/* A later answer's place, not yet filled: nothing may pass it. */
#define SEQ_TO_COME	UINT64_MAX

struct held_mark {
	size_t		 len;
	size_t		 failed_len;
	uint64_t	 seq;
	uint64_t	 later;		/* its id, if it came later */
	struct evbuffer	*own;		/* its bytes, if it came later */
};

int
held_init(struct held *h)
{
	memset(h, 0, sizeof *h);
	return (h->bytes = evbuffer_new()) == NULL ? -1 : 0;
}

void
held_reset(struct held *h)
{
	size_t	i;

	for (i = 0; i < h->n; i++)
		if (h->marks[(h->head + i) % h->cap].own != NULL)
			evbuffer_free(h->marks[(h->head + i) % h->cap].own);
	if (h->bytes != NULL)
		evbuffer_drain(h->bytes, evbuffer_get_length(h->bytes));
	h->head = h->n = 0;
}

void
held_free(struct held *h)
{
	held_reset(h);
	if (h->bytes != NULL)
		evbuffer_free(h->bytes);
	free(h->marks);
	memset(h, 0, sizeof *h);
}

size_t
held_pieces(const struct held *h)
{
	return h->n;
}

size_t
held_bytes(const struct held *h)
{
	return h->bytes != NULL ? evbuffer_get_length(h->bytes) : 0;
}

static struct held_mark *
mark_push(struct held *h)
{
	struct held_mark	*grown;
	size_t			 cap, i;

	if (h->n == h->cap) {
		cap = h->cap ? h->cap * 2 : 16;
		if ((grown = calloc(cap, sizeof *grown)) == NULL)
			return NULL;
		for (i = 0; i < h->n; i++)
			grown[i] = h->marks[(h->head + i) % h->cap];
		free(h->marks);
		h->marks = grown;
		h->head = 0;
		h->cap = cap;
	}
	return &h->marks[(h->head + h->n) % h->cap];
}

/* Fills the place kept for a later answer. */
static int
fill(struct held *h, const struct rpc_answer *a)
{
	struct held_mark	*m;
	size_t			 i;

	for (i = 0; i < h->n; i++) {
		m = &h->marks[(h->head + i) % h->cap];
		if (m->later != a->fills || m->own != NULL)
			continue;
		if ((m->own = evbuffer_new()) == NULL ||
		    evbuffer_add(m->own, a->text, a->len) == -1 ||
		    (a->failed != NULL && evbuffer_add(m->own, a->failed,
		    a->failed_len) == -1))
			return -1;
		m->len = a->len;
		m->failed_len = a->failed != NULL ? a->failed_len : 0;
		m->seq = a->seq;
		return 0;
	}
	return 0;	/* its asker's answers were dropped meanwhile */
}

int
held_add(struct held *h, const struct rpc_answer *a)
{
	struct held_mark	*m;

	if (a->fills != 0)
		return fill(h, a);
	if ((m = mark_push(h)) == NULL)
		return -1;
	memset(m, 0, sizeof *m);
	if (a->later != 0) {
		m->later = a->later;
		m->seq = SEQ_TO_COME;
	} else {
		if (evbuffer_add(h->bytes, a->text, a->len) == -1 ||
		    (a->failed != NULL && evbuffer_add(h->bytes, a->failed,
		    a->failed_len) == -1))
			return -1;
		m->len = a->len;
		m->failed_len = a->failed != NULL ? a->failed_len : 0;
		m->seq = a->seq;
	}
	h->n++;
	return 0;
}

void
held_release(struct held *h, uint64_t seq, int ok, struct evbuffer *out)
{
	struct held_mark	*m;
	struct evbuffer		*from;

	while (h->n > 0) {
		m = &h->marks[h->head];
		if (m->seq == SEQ_TO_COME || (m->seq != 0 && m->seq > seq))
			break;
		from = m->own != NULL ? m->own : h->bytes;
		if (m->seq != 0 && !ok && m->failed_len > 0) {
			evbuffer_drain(from, m->len);
			evbuffer_remove_buffer(from, out, m->failed_len);
		} else {
			evbuffer_remove_buffer(from, out, m->len);
			evbuffer_drain(from, m->failed_len);
		}
		if (m->own != NULL)
			evbuffer_free(m->own);
		h->head = (h->head + 1) % h->cap;
		h->n--;
	}
}
