/*
 * A batch: the writes of one group commit, held as data until they are
 * applied in one transaction. Strings are copied into an arena of the
 * batch, records into arrays; both are kept across store_batch_reset(),
 * so that a busy service fills the same memory turn after turn instead of
 * allocating per request.
 */
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "store_int.h"

#define ARENA_CHUNK	16384	/* bytes of strings per chunk, at least */

struct arena_chunk {
	struct arena_chunk	*next;
	size_t			 used;
	size_t			 size;
	char			 data[];
};

struct store_batch *
store_batch_new(void)
{
	return calloc(1, sizeof(struct store_batch));
}

static void
arena_free(struct arena_chunk *c)
{
	struct arena_chunk	*next;

	for (; c != NULL; c = next) {
		next = c->next;
		free(c);
	}
}

void
store_batch_free(struct store_batch *b)
{
	if (b == NULL)
		return;
	free(b->inquiries.v);
	free(b->completions.v);
	free(b->audit.v);
	free(b->alerts.v);
	free(b->suspends.v);
	free(b->acks.v);
	free(b->callers.v);
	free(b->requests.v);
	arena_free(b->arena);
	free(b);
}

void
store_batch_reset(struct store_batch *b)
{
	struct arena_chunk	*c;

	b->inquiries.n = b->completions.n = b->audit.n = b->alerts.n = 0;
	b->suspends.n = b->acks.n = b->callers.n = b->requests.n = 0;
	b->caller_expire = 0;
	b->peak_bucket = b->peak = 0;
	/* The newest chunk is kept for the next batch, the rest freed. */
	if ((c = b->arena) != NULL) {
		arena_free(c->next);
		c->next = NULL;
		c->used = 0;
	}
}

size_t
store_batch_size(const struct store_batch *b)
{
	return b->inquiries.n + b->completions.n + b->audit.n + b->alerts.n +
	    b->suspends.n + b->acks.n + b->callers.n + b->requests.n +
	    (b->caller_expire != 0) + (b->peak != 0);
}

void
store_batch_counts(const struct store_batch *b, struct store_batch_counts *c)
{
	c->inquiries = b->inquiries.n;
	c->completions = b->completions.n;
	c->audit = b->audit.n;
	c->alerts = b->alerts.n;
}

void
store_batch_foreach(const struct store_batch *b,
    void (*fn)(const struct store_inquiry *, void *),
    void (*cfn)(const struct store_completion *, void *), void *arg)
{
	size_t	i;

	for (i = 0; i < b->inquiries.n; i++)
		fn(&BATCH_AT(b->inquiries, struct batch_inquiry, i)->q, arg);
	for (i = 0; i < b->completions.n; i++)
		cfn(&BATCH_AT(b->completions, struct batch_completion, i)->c,
		    arg);
}

/* Room for len bytes in the arena; NULL if out of memory. */
static void *
arena_alloc(struct store_batch *b, size_t len)
{
	struct arena_chunk	*c = b->arena;
	size_t			 size;
	void			*p;

	len = (len + 7) & ~(size_t)7;
	if (c == NULL || c->size - c->used < len) {
		size = len > ARENA_CHUNK ? len : ARENA_CHUNK;
		if ((c = malloc(sizeof *c + size)) == NULL)
			return NULL;
		c->used = 0;
		c->size = size;
		c->next = b->arena;
		b->arena = c;
	}
	p = c->data + c->used;
	c->used += len;
	return p;
}

static const char *
arena_strdup(struct store_batch *b, const char *s)
{
	size_t	 len;
	char	*p;

	if (s == NULL)
		return NULL;
	len = strlen(s) + 1;
	if ((p = arena_alloc(b, len)) != NULL)
		memcpy(p, s, len);
	return p;
}

/* A copy of a list of strings; NULL (and *ok 0) if out of memory. */
static const char *const *
arena_strings(struct store_batch *b, const char *const *v, size_t n, int *ok)
{
	const char	**out;
	size_t		  i;

	*ok = 1;
	if (n == 0)
		return NULL;
	if ((out = arena_alloc(b, n * sizeof *out)) == NULL) {
		*ok = 0;
		return NULL;
	}
	for (i = 0; i < n; i++)
		if ((out[i] = arena_strdup(b, v[i])) == NULL) {
			*ok = 0;
			return NULL;
		}
	return out;
}

/* The next free record of a vector, grown if need be; NULL if no memory. */
static void *
vec_push(struct batch_vec *v, size_t size)
{
	void	*p;
	size_t	 cap;

	if (v->n == v->cap) {
		cap = v->cap ? v->cap * 2 : 64;
		if ((p = realloc(v->v, cap * size)) == NULL)
			return NULL;
		v->v = p;
		v->cap = cap;
	}
	p = (char *)v->v + v->n * size;
	memset(p, 0, size);
	return p;
}

int
store_batch_inquiry(struct store_batch *b, const struct store_inquiry *q)
{
	struct batch_inquiry	*r;
	int			 ok;

	if ((r = vec_push(&b->inquiries, sizeof *r)) == NULL)
		return -1;
	r->q = *q;
	r->q.client = arena_strdup(b, q->client);
	r->q.role = arena_strdup(b, q->role);
	r->q.orgs = arena_strings(b, q->orgs, q->norgs, &ok);
	if (r->q.client == NULL || r->q.role == NULL || !ok)
		return -1;
	b->inquiries.n++;
	return 0;
}

int
store_batch_completion(struct store_batch *b, const struct store_completion *c)
{
	struct batch_completion	*r;
	int			 ok1, ok2;

	if ((r = vec_push(&b->completions, sizeof *r)) == NULL)
		return -1;
	r->c = *c;
	r->c.old_orgs = arena_strings(b, c->old_orgs, c->nold_orgs, &ok1);
	r->c.orgs = arena_strings(b, c->orgs, c->norgs, &ok2);
	if (!ok1 || !ok2)
		return -1;
	b->completions.n++;
	return 0;
}

int
store_batch_audit(struct store_batch *b, const struct audit_entry *e)
{
	struct batch_audit	*r;

	if ((r = vec_push(&b->audit, sizeof *r)) == NULL)
		return -1;
	r->e.time = e->time;
	if ((r->e.client = arena_strdup(b, e->client)) == NULL ||
	    (r->e.role = arena_strdup(b, e->role)) == NULL ||
	    (r->e.method = arena_strdup(b, e->method)) == NULL ||
	    (r->e.outcome = arena_strdup(b, e->outcome)) == NULL ||
	    (r->e.args = arena_strdup(b, e->args)) == NULL)
		return -1;
	b->audit.n++;
	return 0;
}

int
store_batch_alert(struct store_batch *b, const struct store_alert *a)
{
	struct store_alert	*r;

	if ((r = vec_push(&b->alerts, sizeof *r)) == NULL)
		return -1;
	*r = *a;
	b->alerts.n++;
	return 0;
}

int
store_batch_suspend(struct store_batch *b, const char *client, int on,
    time_t t)
{
	struct batch_suspend	*r;

	if ((r = vec_push(&b->suspends, sizeof *r)) == NULL ||
	    (r->client = arena_strdup(b, client)) == NULL)
		return -1;
	r->on = on;
	r->time = t;
	b->suspends.n++;
	return 0;
}

int
store_batch_ack(struct store_batch *b, int64_t alert, const char *by,
    const char *note, time_t t)
{
	struct batch_ack	*r;

	if ((r = vec_push(&b->acks, sizeof *r)) == NULL ||
	    (r->by = arena_strdup(b, by)) == NULL ||
	    (r->note = arena_strdup(b, note)) == NULL)
		return -1;
	r->alert = alert;
	r->time = t;
	b->acks.n++;
	return 0;
}

int
store_batch_caller(struct store_batch *b, int64_t caller, time_t t)
{
	struct batch_caller	*r;

	if ((r = vec_push(&b->callers, sizeof *r)) == NULL)
		return -1;
	r->caller = caller;
	r->time = t;
	b->callers.n++;
	return 0;
}

void
store_batch_caller_expire(struct store_batch *b, time_t before)
{
	if (before > b->caller_expire)
		b->caller_expire = before;
}

int
store_batch_request(struct store_batch *b, time_t t, const char *client,
    const char *role, int lookups, int searches)
{
	struct batch_request	*r;

	if ((r = vec_push(&b->requests, sizeof *r)) == NULL ||
	    (r->client = arena_strdup(b, client)) == NULL ||
	    (r->role = arena_strdup(b, role)) == NULL)
		return -1;
	r->time = t;
	r->lookups = lookups;
	r->searches = searches;
	b->requests.n++;
	return 0;
}

void
store_batch_sessions(struct store_batch *b, time_t t, size_t open)
{
	int64_t	bucket = (int64_t)t / STORE_BUCKET_S;

	/* A batch spans milliseconds; a new bucket's peak starts afresh. */
	if (bucket != b->peak_bucket) {
		b->peak_bucket = bucket;
		b->peak = 0;
	}
	if ((int64_t)open > b->peak)
		b->peak = (int64_t)open;
}

int
store_batch_apply(struct store *s, struct store_batch *b)
{
	unsigned char	head[CRYPTO_SHA256_SIZE];
	int64_t		n;

	if (store_batch_size(b) == 0)
		return 0;
	if (store_begin(s) == -1)
		return -1;
	/*
	 * The head is read inside the write transaction: another process
	 * (hotlinectl match) may have appended since the last batch.
	 */
	if (store_audit_last(s, &n, head) == -1 ||
	    store_record_write(s, b) == -1 ||
	    store_stats_write(s, b) == -1 ||
	    store_audit_write(s, b, &n, head) == -1 ||
	    store_commit(s) == -1) {
		store_rollback(s);
		return -1;
	}
	store_audit_committed(s, n, head);
	return 0;
}
