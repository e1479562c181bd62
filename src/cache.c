/*
 * The cache: an open hash table of entry pointers (keys and texts in one
 * allocation each) and a list in use order. Sized once: max_entries, a
 * table twice that, so chains stay short.
 */
#include <sys/queue.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cache.h"

struct entry {
	TAILQ_ENTRY(entry)	 lru;		/* most recently used first */
	struct entry		*next;		/* in its bucket */
	uint64_t		 hash;
	size_t			 klen;
	size_t			 len;
	char			 data[];	/* key, then text */
};

TAILQ_HEAD(entry_list, entry);

struct cache {
	struct entry		**table;
	size_t			  nbuckets;
	size_t			  n, max;
	struct entry_list	  lru;
};

/* FNV-1a: keys are a few bytes, made by the service, not by callers. */
static uint64_t
hash(const void *key, size_t len)
{
	const unsigned char	*p = key;
	uint64_t		 h = 14695981039346656037ULL;

	while (len-- > 0)
		h = (h ^ *p++) * 1099511628211ULL;
	return h;
}

struct cache *
cache_new(size_t max_entries)
{
	struct cache	*c;

	if ((c = calloc(1, sizeof *c)) == NULL)
		return NULL;
	c->max = max_entries > 0 ? max_entries : 1;
	c->nbuckets = c->max * 2;
	if ((c->table = calloc(c->nbuckets, sizeof *c->table)) == NULL) {
		free(c);
		return NULL;
	}
	TAILQ_INIT(&c->lru);
	return c;
}

static void
entry_remove(struct cache *c, struct entry *e)
{
	struct entry	**pp = &c->table[e->hash % c->nbuckets];

	while (*pp != e)
		pp = &(*pp)->next;
	*pp = e->next;
	TAILQ_REMOVE(&c->lru, e, lru);
	c->n--;
	free(e);
}

void
cache_clear(struct cache *c)
{
	struct entry	*e;

	while ((e = TAILQ_FIRST(&c->lru)) != NULL)
		entry_remove(c, e);
}

void
cache_free(struct cache *c)
{
	if (c == NULL)
		return;
	cache_clear(c);
	free(c->table);
	free(c);
}

const char *
cache_get(struct cache *c, const void *key, size_t klen, size_t *len)
{
	uint64_t	 h = hash(key, klen);
	struct entry	*e;

	for (e = c->table[h % c->nbuckets]; e != NULL; e = e->next)
		if (e->hash == h && e->klen == klen &&
		    memcmp(e->data, key, klen) == 0) {
			TAILQ_REMOVE(&c->lru, e, lru);
			TAILQ_INSERT_HEAD(&c->lru, e, lru);
			*len = e->len;
			return e->data + klen;
		}
	return NULL;
}

int
cache_put(struct cache *c, const void *key, size_t klen, const char *text,
    size_t len)
{
	struct entry	*e;
	size_t		 b;

	if ((e = malloc(sizeof *e + klen + len + 1)) == NULL)
		return -1;
	if (c->n >= c->max)
		entry_remove(c, TAILQ_LAST(&c->lru, entry_list));
	e->hash = hash(key, klen);
	e->klen = klen;
	e->len = len;
	memcpy(e->data, key, klen);
	memcpy(e->data + klen, text, len);
	e->data[klen + len] = '\0';
	b = e->hash % c->nbuckets;
	e->next = c->table[b];
	c->table[b] = e;
	TAILQ_INSERT_HEAD(&c->lru, e, lru);
	c->n++;
	return 0;
}
