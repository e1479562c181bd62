/*
 * The Asterisk FastAGI front end (SPEC §6.3): a listener for the conf's
 * fastagi section, one TCP connection per call. Each connection is a
 * channel: it reads the agi_* block, turns it into call.begin, plays the
 * actions the IVR engine answers with as AGI commands (one at a time,
 * each response read before the next), and turns the caller's digits
 * into call.input and the end of the call into call.end — all through
 * dispatch(), as the principal of fastagi.client, so that outcomes,
 * limits, inquiries, audit, alerts and statistics are those of call.*.
 *
 * src/agi.c is the protocol's codec; this file is the sockets and the
 * call's state machine. docs/ASTERISK.md describes both for the
 * administrator.
 */
#ifndef HOTLINE_FASTAGI_H
#define HOTLINE_FASTAGI_H

#include <stddef.h>

struct core;
struct event_base;
struct fastagi;

/*
 * The FastAGI front end of core's conf: listening if the conf has a
 * fastagi section, idle otherwise (a reload may add one). NULL with *err
 * set if the section's address cannot be bound.
 */
struct fastagi *fastagi_new(struct event_base *, struct core *, char **err);

/*
 * Closes every channel at once (their calls end as abandoned, or with
 * their lookup's outcome) and the listener. Accepts NULL.
 */
void	fastagi_free(struct fastagi *);

/*
 * A graceful stop: no new calls; each call finishes the command it is
 * in, ends (abandoned, or its lookup's outcome), has HOTLINE_OUTCOME and
 * HOTLINE_INQUIRY set, and its connection closes. What is left after a
 * grace period is closed.
 */
void	fastagi_stop(struct fastagi *);

/* Channels open: the loop runs until a stop has closed them all. */
size_t	fastagi_open(const struct fastagi *);

/*
 * After a reload: the listener follows the section (added, moved,
 * removed; a new address that cannot be bound keeps the old one), and
 * each call re-checks its client against the new conf.
 */
void	fastagi_reconfigure(struct fastagi *);

#endif
