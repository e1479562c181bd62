/*
 * Operator refs (SPEC §6.2): the handle an operator gets for each
 * candidate of operator.search, to verify it and to name it in
 * notice.render and inquiry.record. A ref is an opaque random string,
 * bound to the operator client that got it, valid for the conf's ref
 * lifetime, and kept only in memory, in a bounded table (a restart
 * invalidates every ref). It never exposes a database id.
 */
#ifndef HOTLINE_REFS_H
#define HOTLINE_REFS_H

#include <sys/queue.h>

#include <time.h>

#include "affected.h"

#define REF_LEN		24	/* [A-Za-z0-9], about 143 bits */
#define REF_CLIENT_MAX	64

struct config;

struct ref {
	char			 id[REF_LEN + 1];
	char			 client[REF_CLIENT_MAX + 1];
	time_t			 expires;
	struct affected		*gen;		/* the list it came from (a ref) */
	struct affected_entry	 e;		/* the record: org, items, hashes */
	int			 verifies;	/* operator.verify calls made */
	TAILQ_ENTRY(ref)	 entry;		/* oldest first */
};

struct ref_table;

struct ref_table *ref_table_new(void);
void	ref_table_free(struct ref_table *);

/* A new ref of client for a record of gen; NULL if out of memory. */
const struct ref *ref_new(struct ref_table *, const struct config *,
	    const char *client, struct affected *gen,
	    const struct affected_entry *, time_t now);

/*
 * operator.verify calls one ref allows: enough to check what a caller
 * says, too few to guess a stored value by trying them all.
 */
#define REF_VERIFY_MAX	10

/*
 * The ref if it exists, has not expired and belongs to client; NULL for
 * all the rest alike, so that the answer is no oracle.
 */
struct ref *ref_find(struct ref_table *, const struct config *,
	    const char *client, const char *id, time_t now);

#endif
