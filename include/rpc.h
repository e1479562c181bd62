/*
 * JSON-RPC 2.0 (SPEC §6) framing, for every front end that speaks it (the
 * TCP port, HTTP's POST /rpc): one JSON text per line, batches,
 * notifications, validation of the request object, and the encoding of
 * answers. What a request does is dispatch's; where its answer goes and
 * how long it is held is the peer's.
 */
#ifndef HOTLINE_RPC_H
#define HOTLINE_RPC_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "dispatch.h"

struct core;
struct principal;

/*
 * One piece of an answer line, in order: a whole line for a single
 * request; for a batch, one element each with its bracket or comma. It
 * waits for group seq (0: none); if that group fails, failed (when not
 * NULL) is sent instead of text.
 */
struct rpc_answer {
	const char	*text;
	size_t		 len;
	const char	*failed;
	size_t		 failed_len;
	uint64_t	 seq;
	/*
	 * A call done off the loop: later is the id of the place its answer
	 * takes (no text yet); the answer itself comes with fills = that id.
	 */
	uint64_t	 later;
	uint64_t	 fills;
};

struct rpc_later;

/*
 * Who speaks, and where the answers go (copied before answer returns).
 * A front end zeroes it, sets the first three, and calls rpc_peer_gone()
 * when it goes away.
 */
struct rpc_peer {
	struct core		*core;
	struct principal	*who;
	void			(*answer)(struct rpc_peer *,
				    const struct rpc_answer *);
	struct rpc_later	*later;		/* answers still to come */
};

/* Handles one request line (without its line end). */
void	rpc_handle_line(struct rpc_peer *, const char *line, size_t len);

/* The peer is going: answers still to come go nowhere. */
void	rpc_peer_gone(struct rpc_peer *);

/* Answers with an error for no request (id null): a line over the limit. */
void	rpc_answer_error(struct rpc_peer *, int code, json_t *data);

/* Frees the encoding buffers (at exit). */
void	rpc_free_buffers(void);

#endif
