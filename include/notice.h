/*
 * Notices: the scripted texts a caller hears or reads, composed from
 * prompts and the organisations a lookup matched. Every complete notice
 * ends with the fraud warning.
 *
 * A notice is composed once, as parts (the affected intro, one part per
 * organisation, the apology; or the not-found notice): a text notice
 * joins the parts' texts, the IVR says each part as one action. In the
 * spoken form each part also names the recordings that say it, in order
 * (sound names relative to Asterisk's sounds directory, without an
 * extension):
 *
 *   hotline/<lang>/<prompt>                a prompt the same for every caller
 *   hotline/<lang>/<prompt>-<k>            piece k of a prompt cut at {items}
 *   hotline/<lang>/org/<code>/<prompt>     an organisation's own text
 *   hotline/<lang>/org/<code>/<prompt>-<k>
 *   hotline/<lang>/item_<item>             one leaked item, e.g. item_phone
 *   hotline/en/and                         before the last item of a list
 *
 * An organisation's part varies with the organisation and with the items
 * that leaked: it is cut at {items} into pieces that vary only with the
 * organisation, and each item is a recording of its own. The
 * notice_sounds_* functions list every recording the parts can name, with
 * its text, so that they can be rendered in advance (hotlinectl
 * prompts-audio).
 */
#ifndef HOTLINE_NOTICE_H
#define HOTLINE_NOTICE_H

#include <stddef.h>

#include "prompt.h"
#include "record.h"

struct config;
struct evbuffer;

/* "hotline/en/org/" + a 32-character code + "/" + a prompt + "-k". */
#define NOTICE_SOUND_MAX	96

struct notice_ctx {
	const struct prompts	*prompts;
	const struct config	*conf;
	const char		*lang;
	enum prompt_form	 form;	/* written for text, spoken for the IVR */
};

void	notice_ctx_init(struct notice_ctx *, const struct prompts *,
	    const struct config *, const char *lang, enum prompt_form);

/* One part of a notice: one say action of the IVR, one line of text. */
struct notice_part {
	enum prompt_id	 prompt;
	char		*text;		/* owned */
	char		**audio;	/* spoken form: sound names in order,
					   NULL-terminated; one allocation
					   with its strings, owned; else NULL */
	size_t		 naudio;
};

struct notice_parts {
	struct notice_part	*v;
	size_t			 n;
	size_t			 cap;
};

void	notice_parts_free(struct notice_parts *);

/*
 * A prompt appended to parts as one part: org's override if it has one,
 * vars for its own placeholders (may be NULL), and the service-wide ones
 * ({service_name}, {hotline_number}, {hours} unless vars sets it) filled
 * in. org is the dialled desk's organisation code (its overrides, its own
 * recordings), or NULL.
 */
int	notice_part(const struct notice_ctx *, const char *org,
	    enum prompt_id, const char **vars, struct notice_parts *);

/* Opening hours as said: 毎日、9時から20時まで / every day, 9:00 to 20:00. */
void	notice_hours(const struct notice_ctx *, int open_min, int close_min,
	    char *out, size_t len);

/*
 * The parts of a lookup's notice: with matches, the affected intro, each
 * organisation, the apology; without, the not-found notice. The fraud
 * warning is not among them: the IVR says it before each hangup. desk is
 * the dialled desk's organisation code (its overrides), or NULL.
 */
int	notice_lookup_parts(const struct notice_ctx *, const char *desk,
	    const struct match *, size_t n, struct notice_parts *);

/*
 * The whole notice of a lookup as text: its parts, then the fraud
 * warning, separated by newlines.
 */
int	notice_lookup(const struct notice_ctx *, const struct match *,
	    size_t n, struct evbuffer *);

/* The name of an organisation in ctx's language (the unknown group's from prompts). */
int	notice_org_name(const struct notice_ctx *, const struct org *,
	    struct evbuffer *);

/*
 * Every recording, with the spoken text it says. fn returns 0 to go on,
 * -1 to stop (returned). The same name may be reported more than once.
 */
typedef int (*notice_sound_fn)(void *arg, const char *name,
	    const char *text);

/* The pieces of one prompt as notice_part names them (no items). */
int	notice_sounds(const struct notice_ctx *, const char *org,
	    enum prompt_id, const char **vars, notice_sound_fn, void *);
/* Each item, and the word before a list's last item where there is one. */
int	notice_sounds_items(const struct notice_ctx *, notice_sound_fn,
	    void *);
/* The pieces of an organisation's parts (with and without items). */
int	notice_sounds_org(const struct notice_ctx *, const struct org *,
	    notice_sound_fn, void *);

#endif
