/*
 * The IVR script (SPEC §6.1) as a state machine that knows nothing of the
 * transport: it takes the events of a call (begin, digits, a timeout) and
 * yields the actions a gateway performs (say, collect, transfer, hangup).
 * The JSON-RPC methods call.* (method_call.c) drive it today; a FastAGI
 * front-end for Asterisk can drive the same engine.
 *
 * A call's state is small and fixed: nothing in it grows with the length
 * of the call. What the caller keys in is never said back.
 */
#ifndef HOTLINE_IVR_H
#define HOTLINE_IVR_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "inquiry.h"
#include "normalize.h"
#include "notice.h"
#include "prompt.h"

struct affected;
struct callers;
struct config;
struct hasher;
struct prompts;

enum ivr_action_type {
	IVR_SAY = 0,
	IVR_COLLECT,
	IVR_TRANSFER,
	IVR_HANGUP,
};

/* The field a collect action asks for. */
enum ivr_field {
	IVR_FIELD_PHONE = 0,
	IVR_FIELD_BIRTHDATE,
	IVR_FIELD_MENU,
};

/*
 * A say action is its prompt, its text (spoken form) and the recordings
 * that say the same, in order: sound names such as hotline/ja/greeting or
 * hotline/ja/org/<code>/notice_org-1 (notice.h), relative to the sounds
 * directory and without an extension, so that a front end (FastAGI's
 * STREAM FILE) plays them without knowing anything of the script.
 */
struct ivr_action {
	enum ivr_action_type	 type;
	enum prompt_id		 prompt;	/* say */
	char			*text;		/* say; owned */
	char			**audio;	/* say; NULL-terminated, owned */
	size_t			 naudio;	/* say */
	enum ivr_field		 field;		/* collect */
	int			 max_digits;	/* collect */
	int			 timeout_ms;	/* collect */
	int			 terminator;	/* collect: '#' or 0 */
	char			*queue;		/* transfer; owned */
};

/*
 * The actions of one event, in order, and what the event did that others
 * count: a lookup in the affected list (the bulk-lookup window, the
 * caller's daily cap), or one the daily cap refused (the metrics).
 */
struct ivr_actions {
	struct ivr_action	*v;
	size_t			 n;
	size_t			 cap;
	int			 lookups;
	int			 capped;	/* the caller's daily cap refused one */
};

enum ivr_state {
	IVR_ASK_PHONE = 0,
	IVR_ASK_BIRTHDATE,
	IVR_MENU,
	IVR_DONE,	/* transferred or hung up: no more input */
};

/* One organisation the lookup found, as a session keeps it. */
struct ivr_match {
	uint32_t	org;		/* org id in the generation below */
	uint32_t	items;
};

struct ivr_call {
	enum ivr_state		 state;
	int			 attempts;	/* failed inputs of this field */
	int			 has_outcome;
	enum outcome		 outcome;
	char			 lang[3];
	char			 org[33];	/* the dialled desk's organisation */
	char			 phone[NORM_PHONE_SIZE];	/* wiped at the end */
	int			 caller_known;	/* a valid caller ID */
	int64_t			 caller;	/* its hasher_caller_key */
	struct affected		*gen;		/* the matches' list (a ref) */
	struct ivr_match	*matches;	/* at most AFFECTED_MATCHES_MAX */
	size_t			 nmatches;
};

/*
 * What the engine works with; now is the event's time. It reads the
 * callers' counts and writes nothing: what it did is in the actions.
 */
struct ivr_env {
	const struct config	*conf;
	const struct prompts	*prompts;
	struct hasher		*hasher;
	struct affected		*affected;
	struct callers		*callers;
	time_t			 now;
};

/*
 * Starts a call: greeting, fraud warning, then the first question (or the
 * closed or rate-limited notice). ani and dnis may be NULL; lang NULL
 * means the conf's default. Returns 0, or -1 if out of memory.
 */
int	ivr_begin(struct ivr_call *, const struct ivr_env *, const char *ani,
	    const char *dnis, const char *lang, struct ivr_actions *);

/*
 * Digits the caller keyed (without the terminator), or NULL: a timeout.
 * Returns 0, or -1 if the list could not be read or out of memory (the
 * call stays where it was, and the same input can be given again).
 */
int	ivr_input(struct ivr_call *, const struct ivr_env *,
	    const char *digits, struct ivr_actions *);

/* The call's outcome so far: abandoned if it reached none. */
enum outcome ivr_outcome(const struct ivr_call *);

/* The organisation codes of the lookup's matches, for the inquiry. */
size_t	ivr_org_codes(const struct ivr_call *, const char **codes, size_t max);

/* Wipes the caller's data and releases the list generation. */
void	ivr_clear(struct ivr_call *);

void	ivr_actions_free(struct ivr_actions *);

/*
 * Every recording a say action of env's script can name, in every
 * language, with the text it says: the script's prompts (with the conf's
 * service-wide values), the pieces of the notices, each leaked item, and
 * each organisation of env's list with its own pieces and the prompts it
 * overrides. What hotlinectl prompts-audio renders. fn returns 0 to go
 * on, -1 to stop (returned).
 */
int	ivr_sounds(const struct ivr_env *, notice_sound_fn, void *);

const char *ivr_field_name(enum ivr_field);

#endif
