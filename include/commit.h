/*
 * The commit barrier (SPEC §8): an answer that reports a write leaves only
 * after that write is durable, and writes are committed in groups.
 *
 * Writes go into the open group's batch (commit_batch). Each group has a
 * sequence number; an answer that reports its writes is held by its owner
 * — a connection, an HTTP request, a FastAGI channel — as {owner, sequence,
 * release callback}: the owner waits (commit_wait) and the barrier calls
 * it back when that group is committed or rolled back. The barrier knows
 * no owner's type and holds no answer itself; the owner writes its own.
 *
 * Hooks (commit_hook) change memory only once the group is committed, or
 * undo what was done ahead of it when it is rolled back, so that a failed
 * commit leaves the service as it was: a call.end can be retried, a
 * suspension that was not written is not in force.
 */
#ifndef HOTLINE_COMMIT_H
#define HOTLINE_COMMIT_H

#include <sys/queue.h>

#include <stddef.h>
#include <stdint.h>

#include "crypto.h"

struct event_base;
struct store;
struct store_batch;

/* An owner of held answers. */
struct commit_waiter {
	/* Group seq is done: ok, or rolled back. */
	void			(*release)(struct commit_waiter *, uint64_t seq,
				    int ok);
	TAILQ_ENTRY(commit_waiter) entry;
	uint64_t		 waits_for;	/* last group it needs; 0: none */
};

struct commit;

/*
 * What the service learns of each group once it is done, before the
 * hooks and the waiters: its batch (still whole), whether it held, how
 * long the commit took. For the figures and metrics, which count only
 * what is durable.
 */
typedef void (*commit_done_fn)(void *arg, const struct store_batch *,
	    int ok, uint64_t duration_ns);

struct commit *commit_new(struct store *, commit_done_fn, void *arg);
/*
 * Stops the writer thread after the group it has (delivered); the open
 * group is dropped: the caller commits (or not) first.
 */
void	commit_free(struct commit *);

/*
 * Starts the writer thread, which from now on owns the store, and tells
 * the loop of base when a group is done. -1 if it cannot.
 */
int	commit_start(struct commit *, struct event_base *);

/* The open group's batch, its sequence number, and how much it holds. */
struct store_batch *commit_batch(struct commit *);
uint64_t commit_seq(const struct commit *);
size_t	commit_pending(const struct commit *);

/*
 * A write to the batch failed (out of memory): the whole group will roll
 * back, as a half-written group must not be committed.
 */
void	commit_break(struct commit *);

/* fn(arg, ok) runs when the open group is done; -1 if out of memory. */
int	commit_hook(struct commit *, void (*fn)(void *, int ok), void *arg);

/* w waits for group seq (and is called back for each group until then). */
void	commit_wait(struct commit *, struct commit_waiter *, uint64_t seq);
/* w goes away: no more callbacks. */
void	commit_unwait(struct commit *, struct commit_waiter *);

/* 1 if the last group could not be committed (admin.status). */
int	commit_failed(const struct commit *);

/* The audit chain's length and head as last committed. */
void	commit_audit_head(const struct commit *, int64_t *n,
	    char head[CRYPTO_SHA256_HEX_SIZE]);

/*
 * The end of a loop turn: the open group goes to the writer if it is
 * idle (else it keeps filling until the writer's group is done). Without
 * a writer thread, the group is applied and delivered here.
 */
void	commit_kick(struct commit *);

/*
 * Commits now, waiting: the writer's group and then the open one are
 * applied, their hooks run, their waiters called back. Returns 0, or -1
 * if the last group was rolled back.
 */
int	commit_run(struct commit *);

#endif
