/*
 * Composition of notices from prompts. Language rules that templates
 * cannot express (how dates are said, how a list of items is joined, how
 * business days are named) live here, one branch per language.
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

static int	is_ja(const struct notice_ctx *);
static void	clock_text(const struct notice_ctx *, int, char *, size_t);
static const char *hours_text(const struct notice_ctx *);
static char	*take_string(struct evbuffer *);
static char	*items_text(const struct notice_ctx *, unsigned);
static char	*period_text(const struct notice_ctx *, const struct org *);
static char	*contact_text(const struct notice_ctx *, const struct org *);

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

/* Renders a prompt with the service-wide placeholders filled in. */
int
notice_render(const struct notice_ctx *n, const char *org, enum prompt_id id,
    const char **vars, struct evbuffer *out)
{
	const char	*own[PV_COUNT] = { NULL };

	if (vars == NULL)
		vars = own;
	if (vars[PV_HOURS] == NULL)
		vars[PV_HOURS] = hours_text(n);
	vars[PV_SERVICE_NAME] = n->conf->service_name;
	vars[PV_HOTLINE_NUMBER] = n->conf->hotline_number;
	return prompt_render(n->prompts, n->lang, org, id, vars, out);
}

static int
notice_prompt(const struct notice_ctx *n, enum prompt_id id,
    struct evbuffer *out)
{
	return notice_render(n, NULL, id, NULL, out);
}

/* The leaked items as said: 氏名、電話番号、住所 / name, phone number and address. */
static char *
items_text(const struct notice_ctx *n, unsigned items)
{
	struct evbuffer	*b;
	char		*s;
	int		 i, total = 0, k = 0;

	for (i = 0; i < ITEM_COUNT; i++)
		if (items & (1u << i))
			total++;
	if ((b = evbuffer_new()) == NULL)
		return NULL;
	for (i = 0; i < ITEM_COUNT; i++) {
		if ((items & (1u << i)) == 0)
			continue;
		if (k > 0) {
			if (is_ja(n))
				evbuffer_add(b, "、", strlen("、"));
			else if (k == total - 1)
				evbuffer_add(b, total > 2 ? ", and " : " and ",
				    total > 2 ? 6 : 5);
			else
				evbuffer_add(b, ", ", 2);
		}
		notice_render(n, NULL, item_prompts[i], NULL, b);
		k++;
	}
	s = take_string(b);
	evbuffer_free(b);
	return s;
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
contact_text(const struct notice_ctx *n, const struct org *o)
{
	struct evbuffer	*b;
	const char	*vars[PV_COUNT] = { NULL };
	const char	*sep = is_ja(n) ? "、" : ", ";
	char		*s;

	if ((b = evbuffer_new()) == NULL)
		return NULL;
	evbuffer_add(b, *o->contact_name ? o->contact_name : o->name,
	    strlen(*o->contact_name ? o->contact_name : o->name));
	if (*o->contact_phone != '\0') {
		evbuffer_add(b, sep, strlen(sep));
		vars[PV_PHONE] = o->contact_phone;
		notice_render(n, o->code, PROMPT_CONTACT_PHONE, vars, b);
	}
	if (*o->contact_hours != '\0') {
		evbuffer_add(b, sep, strlen(sep));
		vars[PV_HOURS] = o->contact_hours;
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
	if (o->id == ORG_UNKNOWN_ID)
		return notice_render(n, NULL, PROMPT_ORG_UNKNOWN_NAME, NULL, out);
	return evbuffer_add(out, o->name, strlen(o->name));
}

int
notice_org(const struct notice_ctx *n, const struct match *m,
    struct evbuffer *out)
{
	const struct org	*o = m->org;
	const char		*vars[PV_COUNT] = { NULL };
	char			*items, *period = NULL, *contact = NULL;
	int			 rc = -1;

	if ((items = items_text(n, m->items)) == NULL)
		return -1;
	vars[PV_ITEMS] = items;
	/* No items: an operator names an organisation, not a record. */
	if (o->id == ORG_UNKNOWN_ID) {
		rc = notice_render(n, NULL, m->items ?
		    PROMPT_NOTICE_ORG_UNKNOWN : PROMPT_NOTICE_ORG_UNKNOWN_BRIEF,
		    vars, out);
		free(items);
		return rc;
	}
	if ((period = period_text(n, o)) == NULL ||
	    (contact = contact_text(n, o)) == NULL)
		goto out;
	vars[PV_ORGANISATION] = o->name;
	vars[PV_SERVICE] = o->service;
	vars[PV_PERIOD] = period;
	vars[PV_STATUS_NOTE] = o->status_note;
	vars[PV_CONTACT] = contact;
	rc = notice_render(n, o->code, m->items ? PROMPT_NOTICE_ORG :
	    PROMPT_NOTICE_ORG_BRIEF, vars, out);
out:
	free(items);
	free(period);
	free(contact);
	return rc;
}

int
notice_lookup(const struct notice_ctx *n, const struct match *m, size_t nm,
    struct evbuffer *out)
{
	size_t	i;

	if (nm == 0) {
		if (notice_prompt(n, PROMPT_NOTICE_NOT_FOUND, out) == -1)
			return -1;
	} else {
		if (notice_prompt(n, PROMPT_NOTICE_AFFECTED, out) == -1)
			return -1;
		for (i = 0; i < nm; i++)
			if (evbuffer_add(out, "\n", 1) == -1 ||
			    notice_org(n, &m[i], out) == -1)
				return -1;
		if (evbuffer_add(out, "\n", 1) == -1 ||
		    notice_prompt(n, PROMPT_NOTICE_APOLOGY, out) == -1)
			return -1;
	}
	if (evbuffer_add(out, "\n", 1) == -1 ||
	    notice_prompt(n, PROMPT_FRAUD_WARNING, out) == -1)
		return -1;
	return 0;
}
