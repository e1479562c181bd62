/*
 * Prompts: what the service says, one file per prompt and language
 * (prompts/<lang>/<id>.txt), with named placeholders such as
 * {organisation}. An organisation may override any prompt with
 * prompts/<lang>/org/<code>/<id>.txt.
 *
 * Each prompt has a spoken form (<id>.txt: what the IVR says and the
 * audio renders, numbers as a voice says them, "1 8 8") and, where the
 * two differ, a written form beside it (<id>.written.txt: what a text
 * notice shows, numbers as a person dials them, "188", "#9110"). Without
 * a written file the spoken text is the written one too (SPEC §6).
 *
 * Loading checks everything up front (a missing prompt, an unknown or
 * misplaced placeholder, a stray file, a spoken text a voice cannot say,
 * a written fraud warning without 188 or #9110) and reports
 * "file:line: message", so that hotlined -t catches what a caller would
 * otherwise hear or read.
 */
#ifndef HOTLINE_PROMPT_H
#define HOTLINE_PROMPT_H

struct evbuffer;

enum prompt_id {
	PROMPT_FRAUD_WARNING = 0,
	PROMPT_NOTICE_AFFECTED,
	PROMPT_NOTICE_ORG,
	PROMPT_NOTICE_ORG_UNKNOWN,
	PROMPT_NOTICE_ORG_BRIEF,	/* the items are not known */
	PROMPT_NOTICE_ORG_UNKNOWN_BRIEF,
	PROMPT_NOTICE_APOLOGY,
	PROMPT_NOTICE_NOT_FOUND,
	PROMPT_PERIOD_RANGE,
	PROMPT_PERIOD_FROM,
	PROMPT_PERIOD_TO,
	PROMPT_PERIOD_UNKNOWN,
	PROMPT_CONTACT_PHONE,
	PROMPT_CONTACT_HOURS,
	PROMPT_ORG_UNKNOWN_NAME,
	PROMPT_ITEM_NAME,
	PROMPT_ITEM_KANA,
	PROMPT_ITEM_PHONE,
	PROMPT_ITEM_GENDER,
	PROMPT_ITEM_BIRTHDATE,
	PROMPT_ITEM_AGE,
	PROMPT_ITEM_POSTAL_CODE,
	PROMPT_ITEM_ADDRESS,
	PROMPT_ITEM_KATAGAKI,
	PROMPT_ITEM_CARD,
	/* The IVR script (SPEC §6.1). */
	PROMPT_GREETING,
	PROMPT_GREETING_ORG,
	PROMPT_CLOSED,
	PROMPT_ASK_PHONE,
	PROMPT_ASK_BIRTHDATE,
	PROMPT_NO_INPUT,
	PROMPT_INVALID_PHONE,
	PROMPT_INVALID_BIRTHDATE,
	PROMPT_MENU,
	PROMPT_MENU_INVALID,
	PROMPT_MENU_NOT_FOUND,	/* the menu after a not-found answer */
	PROMPT_TRANSFER,
	PROMPT_UNABLE,
	PROMPT_RATE_LIMITED,
	PROMPT_GOODBYE,
	PROMPT_COUNT,
};

/* Placeholders a template may use (each prompt allows a subset). */
enum prompt_var {
	PV_ORGANISATION = 0,
	PV_SERVICE,
	PV_PERIOD,
	PV_ITEMS,
	PV_STATUS_NOTE,
	PV_CONTACT,
	PV_HOURS,
	PV_HOTLINE_NUMBER,
	PV_SERVICE_NAME,
	PV_FROM,
	PV_TO,
	PV_PHONE,
	PV_COUNT,
};

/* Which form of a prompt to render. */
enum prompt_form {
	PROMPT_SPOKEN = 0,	/* the IVR's say texts, the audio */
	PROMPT_WRITTEN,		/* lookup notices, notice.render, screens */
};

/* Languages, in the order of the prompts/ subdirectories. */
#define PROMPT_LANGS	2

struct prompts;

struct prompts *prompt_load(const char *dir, char **errs);
void	prompt_free(struct prompts *);

/* 1 if lang is a language the prompts have ("ja", "en"). */
int	prompt_lang_valid(const char *lang);

const char *prompt_name(enum prompt_id);
/* The placeholders prompt id may use, as bits 1 << PV_*. */
unsigned prompt_vars(enum prompt_id);
/* The language at index i (0 <= i < PROMPT_LANGS): "ja", "en". */
const char *prompt_lang_name(int i);

/*
 * Appends prompt id in lang and form to out, with org's override if it
 * has one (org may be NULL) and vars[PV_*] for the placeholders (NULL
 * reads as empty). Returns 0, or -1 if out of memory.
 */
int	prompt_render(const struct prompts *, const char *lang,
	    const char *org, enum prompt_id, enum prompt_form,
	    const char *const *vars, struct evbuffer *out);

/*
 * The same, but at each {split} placeholder fn(arg, out) is called in
 * place of inserting a value: it may take what out holds so far (the
 * part before the placeholder) and append whatever stands for it. This
 * is how a notice is cut into recordable pieces around its list of
 * items. fn returns 0, or -1 to stop (returned).
 */
int	prompt_render_split(const struct prompts *, const char *lang,
	    const char *org, enum prompt_id, enum prompt_form,
	    const char *const *vars, enum prompt_var split,
	    int (*fn)(void *, struct evbuffer *), void *arg,
	    struct evbuffer *out);

/* 1 if org has its own template (either form) of prompt id in lang. */
int	prompt_overridden(const struct prompts *, const char *lang,
	    const char *org, enum prompt_id);

#endif
