/*
 * What protects the list from its own clients (SPEC §7): a token bucket
 * per client on lookups, a rolling count of each client's lookups and
 * searches that raises one alert per crossing of the threshold, and the
 * suspension of a client that crossed it, when the conf says so.
 *
 * The lesson of the leak is that access logs existed and nobody read
 * them: this is the service reading its own.
 */
#ifndef HOTLINE_GUARD_H
#define HOTLINE_GUARD_H

#include <time.h>

struct server;
struct conn;

struct guard;

struct guard *guard_new(void);
void	guard_free(struct guard *);

/*
 * Takes a token for a lookup by client at now (seconds, monotonic):
 * 0, or -1 with *retry_after_s, whole seconds until one is free.
 */
int	guard_rate(struct server *, const char *client, double now,
	    int *retry_after_s);

/*
 * Counts one lookup or search by the connection's client. On the first
 * crossing of the threshold (again after the count fell back below it)
 * raises the alert: warning log, audit entry, alert row, and the
 * suspension if the conf asks for it.
 */
void	guard_count(struct server *, struct conn *, time_t now);

int	guard_suspended(struct server *, const char *client);
/* Sets or lifts a suspension, in memory (the caller keeps hotline.db). */
void	guard_set_suspended(struct server *, const char *client, int on);

#endif
