/*
 * The bulk-lookup alerts nobody has reviewed yet (SPEC §6.2 alerts.ack):
 * the leak this hotline answers for went unseen for ten years because the
 * access logs were never read, so an alert stays open — on the
 * wallboard, in the metrics — until a supervisor acknowledges it. Kept in
 * memory (restored from hotline.db at start) so that an ack is checked
 * without a read, and a second ack of the same alert is refused at once.
 */
#ifndef HOTLINE_ALERTS_H
#define HOTLINE_ALERTS_H

#include <stddef.h>
#include <stdint.h>

enum alert_state {
	ALERT_OPEN = 1,
	ALERT_ACKING,		/* its ack is committing */
};

struct alerts;

struct alerts *alerts_new(void);
void	alerts_free(struct alerts *);

/* An open alert (committed); -1 if out of memory. */
int	alerts_add(struct alerts *, int64_t id);
/* Its state, or 0 if it is not open. */
enum alert_state alerts_state(const struct alerts *, int64_t id);
void	alerts_set(struct alerts *, int64_t id, enum alert_state);
/* Reviewed: no longer open. */
void	alerts_remove(struct alerts *, int64_t id);
/* How many are open (acking ones included). */
size_t	alerts_open(const struct alerts *);

#endif
