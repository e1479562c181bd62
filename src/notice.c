/*
 * Composition of notices from prompts. Language rules that templates
 * cannot express (how dates are said, how a list of items is joined, how
 * business days are named, how a phone number is said) live here, one
 * branch per language. So do the names of the recordings that say each
 * part (notice.h): the IVR and the audio renderer get them from here, and
 * a transport never composes one.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>

#include "config.h"
#include "notice.h"

static const enum prompt_id item_prompts[ITEM_COUNT] = {
	PROMPT_ITEM_NAME, PROMPT_ITEM_KANA, PROMPT_ITEM_PHONE,
	PROMPT_ITEM_GENDER, PROMPT_ITEM_BIRTHDATE, PROMPT_ITEM_AGE,
	PROMPT_ITEM_POSTAL_CODE, PROMPT_ITEM_ADDRESS, PROMPT_ITEM_KATAGAKI,
	PROMPT_ITEM_CARD,
};

static const char *month_names[12] = {
	"January", "February", "March", "April", "May", "June", "July",
	"August", "September", "October", "November", "December",
};

/* Placeholders whose value belongs to one organisation. */
#define ORG_VARS	((1u << PV_ORGANISATION) | (1u << PV_SERVICE) | \
			 (1u << PV_PERIOD) | (1u << PV_STATUS_NOTE) | \
			 (1u << PV_CONTACT) | (1u << PV_PHONE) | \
			 (1u << PV_FROM) | (1u << PV_TO))

/* The longest phone number as said: each digit spaced, groups paused. */
#define SPOKEN_NUMBER_MAX	256

/*
 * One part being composed: its text, and in the spoken form the names
 * of the recordings that say it. The prompt is rendered piece by piece:
 * a piece ends at each {items} placeholder (the items follow, one
 * recording each) and at the end of the prompt.
 */
struct speech {
	const struct notice_ctx	*n;
	struct evbuffer		*text;
	struct evbuffer		*piece;
	struct evbuffer		*names;	/* NUL-terminated, in order */
	size_t			 naudio;
	char			 base[NOTICE_SOUND_MAX];
	int			 cuts;	/* {items} met so far */
	unsigned		 items;
	notice_sound_fn		 fn;	/* listing: each piece */
	void			*arg;
};

static int	is_ja(const struct notice_ctx *);
static int	notice_render(const struct notice_ctx *, const char *,
		    enum prompt_id, const char **, struct evbuffer *);
static const char **service_vars(const struct notice_ctx *, const char **,
		    const char **, char *, size_t);
static void	clock_text(const struct notice_ctx *, int, char *, size_t);
static const char *hours_text(const struct notice_ctx *);
static char	*take_string(struct evbuffer *);
static void	spoken_number(const struct notice_ctx *, const char *, char *,
		    size_t);
static int	items_add(struct speech *, unsigned);
static char	*period_text(const struct notice_ctx *, const struct org *);
static char	*contact_text(const struct notice_ctx *, const struct org *,
		    const struct org_texts *);
static int	speech_open(struct speech *, const struct notice_ctx *);
static void	speech_close(struct speech *);
static int	speech_flush(struct speech *, int);
static int	speech_at_items(void *, struct evbuffer *);
static int	speak(struct speech *, const char *, const char *,
		    enum prompt_id, const char **);
static int	speech_part(struct speech *, enum prompt_id,
		    struct notice_parts *);
static int	org_speak(struct speech *, const struct match *);

void
notice_ctx_init(struct notice_ctx *n, const struct prompts *prompts,
    const struct config *conf, const char *lang, enum prompt_form form)
{
	n->prompts = prompts;
	n->conf = conf;
	n->lang = lang;
	n->form = form;
}

static int
is_ja(const struct notice_ctx *n)
{
	return strcmp(n->lang, "ja") == 0;
}

/* Takes what the buffer holds as a new string and empties the buffer. */
static char *
take_string(struct evbuffer *b)
{
	size_t	 len = evbuffer_get_length(b);
	char	*s;

	if ((s = malloc(len + 1)) == NULL)
		return NULL;
	evbuffer_remove(b, s, len);
	s[len] = '\0';
	return s;
}

static void
notice_date(const char *lang, const char *iso, char *out, size_t len)
{
	int	y, m, d;

	if (sscanf(iso, "%4d-%2d-%2d", &y, &m, &d) != 3 || m < 1 || m > 12) {
		snprintf(out, len, "%s", iso);
		return;
	}
	if (strcmp(lang, "ja") == 0)
		snprintf(out, len, "%d年%d月%d日", y, m, d);
	else
		snprintf(out, len, "%d %s %d", d, month_names[m - 1], y);
}

/* A time of day as said: 8時30分 / 8:30. */
static void
clock_text(const struct notice_ctx *n, int min, char *out, size_t len)
{
	if (!is_ja(n))
		snprintf(out, len, "%d:%02d", min / 60, min % 60);
	else if (min % 60 == 0)
		snprintf(out, len, "%d時", min / 60);
	else
		snprintf(out, len, "%d時%d分", min / 60, min % 60);
}

/*
 * The business hours as said, for {hours}: the same few words for every
 * prompt rendered, so they are made once per language and conf hours.
 */
static const char *
hours_text(const struct notice_ctx *n)
{
	static struct {
		char		lang[3];
		int		open, close;
		unsigned	days;
		char		text[256];
	} cache[2];
	int	i = strcmp(n->lang, "ja") == 0 ? 0 : 1;

	if (strcmp(cache[i].lang, n->lang) != 0 ||
	    cache[i].open != n->conf->open_min ||
	    cache[i].close != n->conf->close_min ||
	    cache[i].days != n->conf->days_mask) {
		snprintf(cache[i].lang, sizeof cache[i].lang, "%s", n->lang);
		cache[i].open = n->conf->open_min;
		cache[i].close = n->conf->close_min;
		cache[i].days = n->conf->days_mask;
		notice_hours(n, cache[i].open, cache[i].close, cache[i].text,
		    sizeof cache[i].text);
	}
	return cache[i].text;
}

void
notice_hours(const struct notice_ctx *n, int open_min, int close_min,
    char *out, size_t len)
{
	static const char *ja_days[7] = { "日曜", "月曜", "火曜", "水曜",
	    "木曜", "金曜", "土曜" };
	static const char *en_days[7] = { "Sunday", "Monday", "Tuesday",
	    "Wednesday", "Thursday", "Friday", "Saturday" };
	const struct config	*c = n->conf;
	char			 days[160] = "", open[32], close[32];
	size_t			 dl = 0;
	int			 i, d;

	if (c->days_mask == 0x7f)
		snprintf(days, sizeof days, "%s", is_ja(n) ? "毎日" :
		    "every day");
	else
		/* Monday first, as a week is said. */
		for (i = 1; i <= 7 && dl < sizeof days; i++) {
			d = i % 7;
			if ((c->days_mask & (1u << d)) == 0)
				continue;
			dl += (size_t)snprintf(days + dl, sizeof days - dl,
			    "%s%s", dl == 0 ? "" : (is_ja(n) ? "、" : ", "),
			    is_ja(n) ? ja_days[d] : en_days[d]);
		}
	clock_text(n, open_min, open, sizeof open);
	clock_text(n, close_min, close, sizeof close);
	if (is_ja(n))
		snprintf(out, len, "%s、%sから%sまで", days, open, close);
	else
		snprintf(out, len, "%s, %s to %s", days, open, close);
}

/*
 * A phone number as a voice says it: each digit on its own, a pause
 * between the groups (0120-000-101: 0 1 2 0、0 0 0、1 0 1). Written
 * forms show the number as the list gives it, hyphens and all.
 */
static void
spoken_number(const struct notice_ctx *n, const char *in, char *out,
    size_t len)
{
	const char	*pause = is_ja(n) ? "、" : ", ";
	size_t		 o = 0, k;
	int		 digit = 0, gap = 0;

	if (len == 0)
		return;
	for (; *in != '\0' && o + 8 < len; in++) {
		if (*in >= '0' && *in <= '9') {
			if (gap && o > 0)
				for (k = 0; pause[k] != '\0'; k++)
					out[o++] = pause[k];
			else if (digit)
				out[o++] = ' ';
			out[o++] = *in;
			digit = 1;
			gap = 0;
		} else if (*in == '-' || *in == ' ' || *in == '(' ||
		    *in == ')')
			gap = digit;
		else {
			out[o++] = *in;
			digit = gap = 0;
		}
	}
	out[o] = '\0';
}

/*
 * The service-wide placeholders filled in: vars (or own, where vars is
 * NULL), with the hotline's number in number as a voice says it.
 */
static const char **
service_vars(const struct notice_ctx *n, const char **vars, const char **own,
    char *number, size_t len)
{
	if (vars == NULL)
		vars = own;
	if (vars[PV_HOURS] == NULL)
		vars[PV_HOURS] = hours_text(n);
	vars[PV_SERVICE_NAME] = n->conf->service_name;
	vars[PV_HOTLINE_NUMBER] = n->conf->hotline_number;
	if (n->form == PROMPT_SPOKEN && n->conf->hotline_number != NULL) {
		spoken_number(n, n->conf->hotline_number, number, len);
		vars[PV_HOTLINE_NUMBER] = number;
	}
	return vars;
}

/* Renders a prompt with the service-wide placeholders filled in. */
static int
notice_render(const struct notice_ctx *n, const char *org, enum prompt_id id,
    const char **vars, struct evbuffer *out)
{
	const char	*own[PV_COUNT] = { NULL };
	char		 number[SPOKEN_NUMBER_MAX];

	vars = service_vars(n, vars, own, number, sizeof number);
	return prompt_render(n->prompts, n->lang, org, id, n->form, vars, out);
}

static int
speech_open(struct speech *sp, const struct notice_ctx *n)
{
	memset(sp, 0, sizeof *sp);
	sp->n = n;
	if ((sp->text = evbuffer_new()) == NULL ||
	    (sp->piece = evbuffer_new()) == NULL ||
	    (sp->names = evbuffer_new()) == NULL) {
		speech_close(sp);
		return -1;
	}
	return 0;
}

static void
speech_close(struct speech *sp)
{
	if (sp->text != NULL)
		evbuffer_free(sp->text);
	if (sp->piece != NULL)
		evbuffer_free(sp->piece);
	if (sp->names != NULL)
		evbuffer_free(sp->names);
	sp->text = sp->piece = sp->names = NULL;
}

/* Adds a recording's name (spoken form only) and reports it if listing. */
static int
speech_name(struct speech *sp, const char *name, const char *text,
    size_t len)
{
	char	*t;
	int	 rc;

	if (sp->n->form != PROMPT_SPOKEN)
		return 0;
	if (evbuffer_add(sp->names, name, strlen(name) + 1) == -1)
		return -1;
	sp->naudio++;
	if (sp->fn == NULL)
		return 0;
	/* text is a piece of a buffer, not a string: copy it out. */
	if ((t = malloc(len + 1)) == NULL)
		return -1;
	memcpy(t, text, len);
	t[len] = '\0';
	rc = sp->fn(sp->arg, name, t);
	free(t);
	return rc;
}

/*
 * Ends the piece rendered so far: its text joins the part's, and it gets
 * its recording's name, numbered if the prompt is cut (at a cut, or at
 * the end of a prompt that was cut). An empty piece says nothing and
 * names nothing.
 */
static int
speech_flush(struct speech *sp, int cut)
{
	char	 name[NOTICE_SOUND_MAX + 16];
	size_t	 len = evbuffer_get_length(sp->piece);
	int	 rc = 0;

	if (len > 0) {
		if (cut || sp->cuts > 0)
			snprintf(name, sizeof name, "%s-%d", sp->base,
			    sp->cuts + 1);
		else
			snprintf(name, sizeof name, "%s", sp->base);
		rc = speech_name(sp, name, (const char *)evbuffer_pullup(
		    sp->piece, -1), len);
		if (rc == 0 && evbuffer_add_buffer(sp->text, sp->piece) == -1)
			rc = -1;
	}
	if (cut)
		sp->cuts++;
	return rc;
}

/* {items}: the piece before ends here, then each item follows. */
static int
speech_at_items(void *arg, struct evbuffer *out)
{
	struct speech	*sp = arg;

	(void)out;
	if (speech_flush(sp, 1) == -1)
		return -1;
	return items_add(sp, sp->items);
}

/*
 * The leaked items as said: 氏名、電話番号、住所 / name, phone number and
 * address; one recording each, and "and" before the last in English.
 */
static int
items_add(struct speech *sp, unsigned items)
{
	const struct notice_ctx	*n = sp->n;
	struct evbuffer		*b = sp->text;
	char			 name[NOTICE_SOUND_MAX];
	size_t			 before;
	int			 i, total = 0, k = 0;

	for (i = 0; i < ITEM_COUNT; i++)
		if (items & (1u << i))
			total++;
	for (i = 0; i < ITEM_COUNT; i++) {
		if ((items & (1u << i)) == 0)
			continue;
		if (k > 0) {
			if (is_ja(n))
				evbuffer_add(b, "、", strlen("、"));
			else if (k == total - 1) {
				evbuffer_add(b, total > 2 ? ", and " : " and ",
				    total > 2 ? 6 : 5);
				snprintf(name, sizeof name, "hotline/%s/and",
				    n->lang);
				if (speech_name(sp, name, "and", 3) == -1)
					return -1;
			} else
				evbuffer_add(b, ", ", 2);
		}
		before = evbuffer_get_length(b);
		if (notice_render(n, NULL, item_prompts[i], NULL, b) == -1)
			return -1;
		snprintf(name, sizeof name, "hotline/%s/%s", n->lang,
		    prompt_name(item_prompts[i]));
		/* The item's text is what was just added after before. */
		if (n->form == PROMPT_SPOKEN && speech_name(sp, name,
		    (const char *)evbuffer_pullup(b, -1) + before,
		    evbuffer_get_length(b) - before) == -1)
			return -1;
		k++;
	}
	return 0;
}

/*
 * Renders prompt id into the speech, piece by piece. code names the
 * organisation whose recordings these are (NULL: the same for every
 * caller); override the organisation whose templates apply.
 */
static int
speak(struct speech *sp, const char *code, const char *override,
    enum prompt_id id, const char **vars)
{
	const struct notice_ctx	*n = sp->n;
	const char		*own[PV_COUNT] = { NULL };
	char			 number[SPOKEN_NUMBER_MAX];

	if (code != NULL)
		snprintf(sp->base, sizeof sp->base, "hotline/%s/org/%s/%s",
		    n->lang, code, prompt_name(id));
	else
		snprintf(sp->base, sizeof sp->base, "hotline/%s/%s", n->lang,
		    prompt_name(id));
	sp->cuts = 0;
	vars = service_vars(n, vars, own, number, sizeof number);
	if (prompt_render_split(n->prompts, n->lang, override, id, n->form,
	    vars, PV_ITEMS, speech_at_items, sp, sp->piece) == -1)
		return -1;
	return speech_flush(sp, 0);
}

/* Moves what the speech holds into a new part of parts. */
static int
speech_part(struct speech *sp, enum prompt_id id, struct notice_parts *parts)
{
	struct notice_part	*v, *p;
	size_t			 cap, i, len, nlen;
	char			*names, *strings;

	if (parts->n == parts->cap) {
		cap = parts->cap ? parts->cap * 2 : 8;
		if ((v = reallocarray(parts->v, cap, sizeof *v)) == NULL)
			return -1;
		parts->v = v;
		parts->cap = cap;
	}
	p = &parts->v[parts->n];
	memset(p, 0, sizeof *p);
	p->prompt = id;
	if ((p->text = take_string(sp->text)) == NULL)
		return -1;
	if (sp->naudio > 0) {
		nlen = evbuffer_get_length(sp->names);
		len = (sp->naudio + 1) * sizeof *p->audio + nlen;
		if ((p->audio = malloc(len)) == NULL) {
			free(p->text);
			return -1;
		}
		strings = (char *)(p->audio + sp->naudio + 1);
		evbuffer_remove(sp->names, strings, nlen);
		for (i = 0, names = strings; i < sp->naudio; i++) {
			p->audio[i] = names;
			names += strlen(names) + 1;
		}
		p->audio[i] = NULL;
		p->naudio = sp->naudio;
	}
	sp->naudio = 0;
	parts->n++;
	return 0;
}

void
notice_parts_free(struct notice_parts *parts)
{
	size_t	i;

	for (i = 0; i < parts->n; i++) {
		free(parts->v[i].text);
		free(parts->v[i].audio);
	}
	free(parts->v);
	parts->v = NULL;
	parts->n = parts->cap = 0;
}

/* Whether a prompt said for a desk's callers is that desk's own text. */
static const char *
own_code(const struct notice_ctx *n, const char *org, enum prompt_id id)
{
	if (org == NULL)
		return NULL;
	if ((prompt_vars(id) & ORG_VARS) != 0 ||
	    prompt_overridden(n->prompts, n->lang, org, id))
		return org;
	return NULL;
}

int
notice_part(const struct notice_ctx *n, const char *org, enum prompt_id id,
    const char **vars, struct notice_parts *parts)
{
	struct speech	sp;
	int		rc = -1;

	if (speech_open(&sp, n) == -1)
		return -1;
	if (speak(&sp, own_code(n, org, id), org, id, vars) == 0)
		rc = speech_part(&sp, id, parts);
	speech_close(&sp);
	return rc;
}

static char *
period_text(const struct notice_ctx *n, const struct org *o)
{
	struct evbuffer	*b;
	const char	*vars[PV_COUNT] = { NULL };
	char		 from[64], to[64], *s;
	enum prompt_id	 id;

	notice_date(n->lang, o->period_from, from, sizeof from);
	notice_date(n->lang, o->period_to, to, sizeof to);
	vars[PV_FROM] = from;
	vars[PV_TO] = to;
	if (*o->period_from != '\0' && *o->period_to != '\0')
		id = PROMPT_PERIOD_RANGE;
	else if (*o->period_from != '\0')
		id = PROMPT_PERIOD_FROM;
	else if (*o->period_to != '\0')
		id = PROMPT_PERIOD_TO;
	else
		id = PROMPT_PERIOD_UNKNOWN;
	if ((b = evbuffer_new()) == NULL)
		return NULL;
	notice_render(n, o->code, id, vars, b);
	s = take_string(b);
	evbuffer_free(b);
	return s;
}

/* Whom to ask: the contact's name, then phone and hours where known. */
static char *
contact_text(const struct notice_ctx *n, const struct org *o,
    const struct org_texts *t)
{
	struct evbuffer	*b;
	const char	*vars[PV_COUNT] = { NULL };
	const char	*sep = is_ja(n) ? "、" : ", ";
	const char	*who = *t->contact_name ? t->contact_name : t->name;
	char		*s, number[SPOKEN_NUMBER_MAX];

	if ((b = evbuffer_new()) == NULL)
		return NULL;
	evbuffer_add(b, who, strlen(who));
	if (*o->contact_phone != '\0') {
		evbuffer_add(b, sep, strlen(sep));
		vars[PV_PHONE] = o->contact_phone;
		if (n->form == PROMPT_SPOKEN) {
			spoken_number(n, o->contact_phone, number,
			    sizeof number);
			vars[PV_PHONE] = number;
		}
		notice_render(n, o->code, PROMPT_CONTACT_PHONE, vars, b);
	}
	if (*t->contact_hours != '\0') {
		evbuffer_add(b, sep, strlen(sep));
		vars[PV_HOURS] = t->contact_hours;
		notice_render(n, o->code, PROMPT_CONTACT_HOURS, vars, b);
	}
	s = take_string(b);
	evbuffer_free(b);
	return s;
}

int
notice_org_name(const struct notice_ctx *n, const struct org *o,
    struct evbuffer *out)
{
	struct org_texts	t;

	if (o->id == ORG_UNKNOWN_ID)
		return notice_render(n, NULL, PROMPT_ORG_UNKNOWN_NAME, NULL,
		    out);
	record_org_texts(o, n->lang, &t);
	return evbuffer_add(out, t.name, strlen(t.name));
}

/*
 * One organisation's part: what it held, when, which items, its note and
 * whom to ask. Its pieces are its own recordings; the unknown group's are
 * the same for everyone.
 */
static int
org_speak(struct speech *sp, const struct match *m)
{
	const struct notice_ctx	*n = sp->n;
	const struct org	*o = m->org;
	const char		*vars[PV_COUNT] = { NULL };
	struct org_texts	 t;
	char			*period = NULL, *contact = NULL;
	int			 rc = -1;

	sp->items = m->items;
	/* No items: an operator names an organisation, not a record. */
	if (o->id == ORG_UNKNOWN_ID)
		return speak(sp, NULL, NULL, m->items ?
		    PROMPT_NOTICE_ORG_UNKNOWN :
		    PROMPT_NOTICE_ORG_UNKNOWN_BRIEF, NULL);
	record_org_texts(o, n->lang, &t);
	if ((period = period_text(n, o)) == NULL ||
	    (contact = contact_text(n, o, &t)) == NULL)
		goto out;
	vars[PV_ORGANISATION] = t.name;
	vars[PV_SERVICE] = t.service;
	vars[PV_PERIOD] = period;
	vars[PV_STATUS_NOTE] = t.status_note;
	vars[PV_CONTACT] = contact;
	rc = speak(sp, o->code, o->code, m->items ? PROMPT_NOTICE_ORG :
	    PROMPT_NOTICE_ORG_BRIEF, vars);
out:
	free(period);
	free(contact);
	return rc;
}

int
notice_lookup_parts(const struct notice_ctx *n, const char *desk,
    const struct match *m, size_t nm, struct notice_parts *parts)
{
	struct speech	sp;
	size_t		i;
	int		rc = -1;

	if (nm == 0)
		return notice_part(n, desk, PROMPT_NOTICE_NOT_FOUND, NULL,
		    parts);
	if (notice_part(n, desk, PROMPT_NOTICE_AFFECTED, NULL, parts) == -1 ||
	    speech_open(&sp, n) == -1)
		return -1;
	for (i = 0; i < nm; i++)
		if (org_speak(&sp, &m[i]) == -1 ||
		    speech_part(&sp, m[i].org->id == ORG_UNKNOWN_ID ?
		    PROMPT_NOTICE_ORG_UNKNOWN : PROMPT_NOTICE_ORG, parts) == -1)
			goto out;
	rc = notice_part(n, desk, PROMPT_NOTICE_APOLOGY, NULL, parts);
out:
	speech_close(&sp);
	return rc;
}

int
notice_lookup(const struct notice_ctx *n, const struct match *m, size_t nm,
    struct evbuffer *out)
{
	struct notice_parts	parts = { NULL, 0, 0 };
	size_t			i;
	int			rc = -1;

	if (notice_lookup_parts(n, NULL, m, nm, &parts) == -1 ||
	    notice_part(n, NULL, PROMPT_FRAUD_WARNING, NULL, &parts) == -1)
		goto out;
	for (i = 0; i < parts.n; i++)
		if ((i > 0 && evbuffer_add(out, "\n", 1) == -1) ||
		    evbuffer_add(out, parts.v[i].text,
		    strlen(parts.v[i].text)) == -1)
			goto out;
	rc = 0;
out:
	notice_parts_free(&parts);
	return rc;
}

int
notice_sounds(const struct notice_ctx *n, const char *org, enum prompt_id id,
    const char **vars, notice_sound_fn fn, void *arg)
{
	struct speech	sp;
	int		rc;

	if (speech_open(&sp, n) == -1)
		return -1;
	sp.fn = fn;
	sp.arg = arg;
	rc = speak(&sp, own_code(n, org, id), org, id, vars);
	speech_close(&sp);
	return rc;
}

int
notice_sounds_items(const struct notice_ctx *n, notice_sound_fn fn,
    void *arg)
{
	struct speech	sp;
	int		rc;

	if (speech_open(&sp, n) == -1)
		return -1;
	sp.fn = fn;
	sp.arg = arg;
	/* Every item in one list: each, and the joining word, once. */
	rc = items_add(&sp, (1u << ITEM_COUNT) - 1);
	speech_close(&sp);
	return rc;
}

int
notice_sounds_org(const struct notice_ctx *n, const struct org *o,
    notice_sound_fn fn, void *arg)
{
	struct speech	sp;
	struct match	m;
	int		rc;

	if (speech_open(&sp, n) == -1)
		return -1;
	sp.fn = fn;
	sp.arg = arg;
	m.org = o;
	/* Cut at {items}; the items themselves are listed apart. */
	m.items = ITEM_NAME;
	rc = org_speak(&sp, &m);
	m.items = 0;
	if (rc == 0)
		rc = org_speak(&sp, &m);
	speech_close(&sp);
	return rc;
}
