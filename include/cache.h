/*
 * A bounded cache of rendered texts by key, least recently used out
 * first. What a lookup answers depends only on the organisations it
 * matched, their items and the language (and on the list, prompts and
 * conf, after which the cache is emptied), so the same few hundred
 * answers are rendered once instead of for every caller.
 */
#ifndef HOTLINE_CACHE_H
#define HOTLINE_CACHE_H

#include <stddef.h>

struct cache;

struct cache *cache_new(size_t max_entries);
void	cache_free(struct cache *);

/* The text of key, or NULL; *len its length. Borrowed until a put. */
const char *cache_get(struct cache *, const void *key, size_t klen,
	    size_t *len);

/* Keeps a copy of text under key (an old entry may go); -1 if no memory. */
int	cache_put(struct cache *, const void *key, size_t klen,
	    const char *text, size_t len);

/* Forgets everything (after a reload). */
void	cache_clear(struct cache *);

#endif
