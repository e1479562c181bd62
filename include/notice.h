/*
 * Notices: the scripted texts a caller hears or reads, composed from
 * prompts and the organisations a lookup matched. Every complete notice
 * ends with the fraud warning.
 */
#ifndef HOTLINE_NOTICE_H
#define HOTLINE_NOTICE_H

#include <stddef.h>

#include "prompt.h"
#include "record.h"

struct config;
struct evbuffer;

struct notice_ctx {
	const struct prompts	*prompts;
	const struct config	*conf;
	const char		*lang;
};

/* One prompt with the service-wide placeholders filled in. */
int	notice_prompt(const struct notice_ctx *, enum prompt_id,
	    struct evbuffer *);

/* What one organisation held and whom to ask (notice_org*). */
int	notice_org(const struct notice_ctx *, const struct match *,
	    struct evbuffer *);

/*
 * The whole notice of a lookup: with matches, the affected intro, each
 * organisation, the apology; without, the not-found notice; then the
 * fraud warning. Parts are separated by a newline.
 */
int	notice_lookup(const struct notice_ctx *, const struct match *,
	    size_t n, struct evbuffer *);

/* The display name of an organisation (the unknown group's from prompts). */
int	notice_org_name(const struct notice_ctx *, const struct org *,
	    struct evbuffer *);

/* "2017-09-29" as it is said: 2017年9月29日, 29 September 2017. */
void	notice_date(const char *lang, const char *iso, char *out, size_t len);

#endif
