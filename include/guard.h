/*
 * What protects the list from its own clients (SPEC §7): a token bucket
 * per client on lookups, a rolling count of each client's lookups and
 * searches that says when it crosses the threshold, and whether a client
 * is suspended. It only counts: raising the alert, writing it and the
 * suspension, is dispatch's.
 *
 * The lesson of the leak is that access logs existed and nobody read
 * them: this is the service reading its own.
 */
#ifndef HOTLINE_GUARD_H
#define HOTLINE_GUARD_H

#include <time.h>

struct config;

struct guard;

struct guard *guard_new(void);
void	guard_free(struct guard *);

/*
 * Takes a token for a lookup by client at now (seconds, monotonic):
 * 0, or -1 with *retry_after_s, whole seconds until one is free.
 */
int	guard_rate(struct guard *, const struct config *, const char *client,
	    double now, int *retry_after_s);

/*
 * Counts one lookup or search by client. Returns 1 on the first crossing
 * of the threshold (again after the count fell back below it), with the
 * window's count in *count: the caller raises the alert. Else 0.
 */
int	guard_count(struct guard *, const struct config *, const char *client,
	    time_t now, int *count);

/* The alert of a crossing was not recorded: the next count raises it. */
void	guard_alert_lost(struct guard *, const char *client);

int	guard_suspended(const struct guard *, const char *client);
/* Sets or lifts a suspension, in memory (the caller keeps hotline.db). */
void	guard_set_suspended(struct guard *, const char *client, int on);

#endif
