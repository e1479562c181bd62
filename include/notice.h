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

/*
 * A prompt, with org's override if it has one, vars for its own
 * placeholders (may be NULL), and the service-wide ones ({service_name},
 * {hotline_number}, {hours} unless vars sets it) filled in.
 */
int	notice_render(const struct notice_ctx *, const char *org,
	    enum prompt_id, const char **vars, struct evbuffer *);

/* Opening hours as said: 毎日、9時から20時まで / every day, 9:00 to 20:00. */
void	notice_hours(const struct notice_ctx *, int open_min, int close_min,
	    char *out, size_t len);


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


#endif
