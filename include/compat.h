/*
 * What glibc lacks of the BSD interfaces hotline uses.
 */
#ifndef HOTLINE_COMPAT_H
#define HOTLINE_COMPAT_H

#include <sys/queue.h>

/* BSD sys/queue.h: iterate while the current element may be removed. */
#ifndef TAILQ_FOREACH_SAFE
#define TAILQ_FOREACH_SAFE(var, head, field, tvar)			\
	for ((var) = TAILQ_FIRST(head);					\
	    (var) != NULL && ((tvar) = TAILQ_NEXT(var, field), 1);	\
	    (var) = (tvar))
#endif

#endif
