/*
 * Answers a front end holds until the commit barrier releases them, in
 * the order they were asked: their bytes in one buffer, each with the
 * form it takes if its commit fails (conn.c and http.c keep theirs so).
 * An answer that comes later (a call done off the loop: audit.verify)
 * keeps its place in the order, and is filled in when it comes.
 */
#ifndef HOTLINE_HELD_H
#define HOTLINE_HELD_H

#include <stddef.h>
#include <stdint.h>

struct evbuffer;
struct held_mark;
struct rpc_answer;

struct held {
	struct evbuffer		*bytes;		/* the answers, in order */
	struct held_mark	*marks;		/* a ring, the oldest at head */
	size_t			 head, n, cap;
};

/* 0, or -1 if out of memory. */
int	held_init(struct held *);
void	held_free(struct held *);
/* Forgets every held answer. */
void	held_reset(struct held *);

/*
 * Keeps one piece of an answer (rpc.c's), or its place when its bytes
 * come later (a->later), or fills such a place (a->fills). 0, or -1 if
 * out of memory.
 */
int	held_add(struct held *, const struct rpc_answer *);

/*
 * Moves what may go to out: from the front, what waits for nothing and
 * what waited for group seq (done: ok, or its failed form); it stops at
 * an answer still waiting or still to come. seq 0: only the first kind.
 */
void	held_release(struct held *, uint64_t seq, int ok, struct evbuffer *out);

/* Pieces held, and the bytes they hold. */
size_t	held_pieces(const struct held *);
size_t	held_bytes(const struct held *);

#endif
