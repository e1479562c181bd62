/*
 * The IVR's daily cap per caller ID (SPEC §6.1 step 6), in memory: the
 * lookups each caller (a hasher_caller_key, never a number) made in the
 * last day. hotline.db keeps the same rows so that a restart restores
 * them; the table is the only thing the IVR asks.
 */
#ifndef HOTLINE_CALLERS_H
#define HOTLINE_CALLERS_H

#include <stdint.h>
#include <time.h>

struct callers;

struct callers *callers_new(void);
void	callers_free(struct callers *);

/* Lookups by caller after since (older ones are forgotten first). */
int	callers_count(struct callers *, int64_t caller, time_t since);

/* One more lookup by caller at t (times come in order); -1 if no memory. */
int	callers_add(struct callers *, int64_t caller, time_t t);

/* Forgets the lookups at or before a time. */
void	callers_expire(struct callers *, time_t before);

#endif
