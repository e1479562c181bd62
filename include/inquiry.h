/*
 * The vocabulary of inquiries: how a question reached the hotline
 * (channel) and how it ended (outcome), SPEC §6.1-6.2.
 */
#ifndef HOTLINE_INQUIRY_H
#define HOTLINE_INQUIRY_H

#include <sys/queue.h>

#include <stddef.h>
#include <stdint.h>
#include <time.h>

enum channel {
	CHANNEL_IVR = 0,
	CHANNEL_API,
	CHANNEL_OPERATOR,
	CHANNEL_COUNT,
};

enum outcome {
	OUTCOME_AFFECTED = 0,
	OUTCOME_NOT_FOUND,
	OUTCOME_INVALID_INPUT,
	OUTCOME_TRANSFERRED,
	OUTCOME_OUT_OF_HOURS,
	OUTCOME_RATE_LIMITED,
	OUTCOME_ABANDONED,
	OUTCOME_COUNT,
};

const char *inquiry_channel_name(enum channel);
const char *inquiry_outcome_name(enum outcome);
/* 0 and *out set, or -1 for an unknown name. */
int	inquiry_outcome_parse(const char *, enum outcome *out);

/*
 * The operators' inquiries that inquiry.record may still complete
 * (SPEC §6.2): an operator's lookup, open for a day. Kept in memory so
 * that completing one needs no read of hotline.db; restored from it at
 * start.
 */
#define INQUIRY_OPEN_S	86400
#define INQUIRY_CLIENT_MAX 64

enum inquiry_open_state {
	INQUIRY_COMMITTING = 0,	/* its own commit is not done yet */
	INQUIRY_OPEN,		/* inquiry.record may complete it */
	INQUIRY_COMPLETING,	/* its completion is committing */
};

struct inquiry_table;

struct inquiry_open {
	int64_t			 id;
	time_t			 time;
	char			 client[INQUIRY_CLIENT_MAX + 1];
	enum outcome		 outcome;
	int			 duration_s;
	const char		**orgs;		/* codes, in the same block */
	size_t			 norgs;
	enum inquiry_open_state	 state;
	struct inquiry_table	*table;		/* the one it is in */
	TAILQ_ENTRY(inquiry_open) entry;	/* oldest first */
};

struct inquiry_table *inquiry_table_new(void);
void	inquiry_table_free(struct inquiry_table *);

/* Adds an inquiry (copied) in that state; NULL if out of memory. */
struct inquiry_open *inquiry_open_add(struct inquiry_table *,
	    enum inquiry_open_state, int64_t id, time_t,
	    const char *client, enum outcome, int duration_s,
	    const char *const *orgs, size_t norgs);

/* The open inquiry id of client, or NULL (for others' alike). */
struct inquiry_open *inquiry_open_find(struct inquiry_table *, int64_t id,
	    const char *client);

void	inquiry_open_remove(struct inquiry_table *, struct inquiry_open *);

/* Drops the open ones opened at or before a time. */
void	inquiry_open_expire(struct inquiry_table *, time_t before);

#endif
