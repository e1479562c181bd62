/*
 * Prompt templates: loaded and checked whole, rendered without parsing.
 * Each template is kept as its text plus a list of segments (literal runs
 * and placeholder references) so that rendering is a few memcpy()s.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <utf8proc.h>

#include "prompt.h"

#define PROMPT_FILE_MAX		8192	/* bytes; a prompt is a few sentences */
#define PROMPT_ORGS_MAX		1024	/* organisations with overrides */

/* Placeholder names, indexed by enum prompt_var. */
static const char *var_names[PV_COUNT] = {
	"organisation", "service", "period", "items", "status_note",
	"contact", "hours", "hotline_number", "service_name", "from", "to",
	"phone",
};

#define V(x)	(1u << (x))
#define COMMON	(V(PV_SERVICE_NAME) | V(PV_HOTLINE_NUMBER) | V(PV_HOURS))

/* Every prompt, its file name and the placeholders it may use. */
static const struct {
	const char	*name;
	unsigned	 vars;
} prompt_table[PROMPT_COUNT] = {
	[PROMPT_FRAUD_WARNING] = { "fraud_warning", COMMON },
	[PROMPT_NOTICE_AFFECTED] = { "notice_affected", COMMON },
	[PROMPT_NOTICE_ORG] = { "notice_org", COMMON | V(PV_ORGANISATION) |
	    V(PV_SERVICE) | V(PV_PERIOD) | V(PV_ITEMS) | V(PV_STATUS_NOTE) |
	    V(PV_CONTACT) },
	[PROMPT_NOTICE_ORG_UNKNOWN] = { "notice_org_unknown", COMMON |
	    V(PV_ITEMS) },
	[PROMPT_NOTICE_ORG_BRIEF] = { "notice_org_brief", COMMON |
	    V(PV_ORGANISATION) | V(PV_SERVICE) | V(PV_PERIOD) |
	    V(PV_STATUS_NOTE) | V(PV_CONTACT) },
	[PROMPT_NOTICE_ORG_UNKNOWN_BRIEF] = { "notice_org_unknown_brief",
	    COMMON },
	[PROMPT_NOTICE_APOLOGY] = { "notice_apology", COMMON },
	[PROMPT_NOTICE_NOT_FOUND] = { "notice_not_found", COMMON },
	[PROMPT_PERIOD_RANGE] = { "period_range", V(PV_FROM) | V(PV_TO) },
	[PROMPT_PERIOD_FROM] = { "period_from", V(PV_FROM) },
	[PROMPT_PERIOD_TO] = { "period_to", V(PV_TO) },
	[PROMPT_PERIOD_UNKNOWN] = { "period_unknown", 0 },
	[PROMPT_CONTACT_PHONE] = { "contact_phone", V(PV_PHONE) },
	[PROMPT_CONTACT_HOURS] = { "contact_hours", V(PV_HOURS) },
	[PROMPT_ORG_UNKNOWN_NAME] = { "org_unknown_name", 0 },
	[PROMPT_ITEM_NAME] = { "item_name", 0 },
	[PROMPT_ITEM_KANA] = { "item_kana", 0 },
	[PROMPT_ITEM_PHONE] = { "item_phone", 0 },
	[PROMPT_ITEM_GENDER] = { "item_gender", 0 },
	[PROMPT_ITEM_BIRTHDATE] = { "item_birthdate", 0 },
	[PROMPT_ITEM_AGE] = { "item_age", 0 },
	[PROMPT_ITEM_POSTAL_CODE] = { "item_postal_code", 0 },
	[PROMPT_ITEM_ADDRESS] = { "item_address", 0 },
	[PROMPT_ITEM_KATAGAKI] = { "item_katagaki", 0 },
	[PROMPT_ITEM_CARD] = { "item_card", 0 },
	[PROMPT_GREETING] = { "greeting", COMMON },
	[PROMPT_GREETING_ORG] = { "greeting_org", COMMON |
	    V(PV_ORGANISATION) },
	[PROMPT_CLOSED] = { "closed", COMMON },
	[PROMPT_ASK_PHONE] = { "ask_phone", COMMON },
	[PROMPT_ASK_BIRTHDATE] = { "ask_birthdate", COMMON },
	[PROMPT_NO_INPUT] = { "no_input", COMMON },
	[PROMPT_INVALID_PHONE] = { "invalid_phone", COMMON },
	[PROMPT_INVALID_BIRTHDATE] = { "invalid_birthdate", COMMON },
	[PROMPT_MENU] = { "menu", COMMON },
	[PROMPT_MENU_INVALID] = { "menu_invalid", COMMON },
	[PROMPT_MENU_NOT_FOUND] = { "menu_not_found", COMMON },
	[PROMPT_TRANSFER] = { "transfer", COMMON },
	[PROMPT_UNABLE] = { "unable", COMMON },
	[PROMPT_RATE_LIMITED] = { "rate_limited", COMMON },
	[PROMPT_GOODBYE] = { "goodbye", COMMON },
};

/*
 * What a spoken prompt must not contain, because it is read aloud:
 * brackets (a TTS engine reads them or swallows what is inside),
 * addresses of web pages (nobody can write one down from a phone call)
 * and '#' (a voice reads a symbol, not the key: say シャープ, "hash").
 * A written form (<id>.written.txt) may show all of these.
 */
static const struct {
	const char	*s;
	const char	*why;
} unspeakable[] = {
	{ "(", "no brackets" }, { ")", "no brackets" },
	{ "\xef\xbc\x88", "no brackets" }, { "\xef\xbc\x89", "no brackets" },
	{ "[", "no brackets" }, { "]", "no brackets" },
	{ "\xe3\x80\x90", "no brackets" }, { "\xe3\x80\x91", "no brackets" },
	{ "<", "no brackets" }, { ">", "no brackets" },
	{ "://", "no web addresses" }, { "www.", "no web addresses" },
	{ "#", "say the key's name (シャープ, hash); the written form "
	    "belongs in <prompt>.written.txt" },
};

/* What every written fraud warning shows, as a person dials it (SPEC §6). */
static const char *const dialled[] = { "188", "#9110" };

static const char *lang_names[PROMPT_LANGS] = { "ja", "en" };

struct prompt_seg {
	int		 var;		/* -1: literal text */
	uint32_t	 off;
	uint32_t	 len;
};

struct prompt_tmpl {
	char			*text;
	struct prompt_seg	*segs;
	size_t			 nsegs;
};

/* Templates by form: [PROMPT_SPOKEN], [PROMPT_WRITTEN] (NULL: none). */
struct prompt_org {
	char			*code;
	struct prompt_tmpl	*tmpl[2][PROMPT_COUNT];	/* NULL: not overridden */
};

struct prompt_lang {
	struct prompt_tmpl	 base[PROMPT_COUNT];	/* spoken */
	struct prompt_tmpl	*written[PROMPT_COUNT];	/* NULL: as spoken */
	struct prompt_org	*orgs;
	size_t			 norgs;
};

struct prompts {
	struct prompt_lang	 lang[PROMPT_LANGS];
};

struct prompt_errors {
	char	*text;
	size_t	 len;
	int	 count;
};

static void	perr(struct prompt_errors *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));
static int	tmpl_parse(struct prompt_tmpl *, char *, size_t, unsigned,
		    const char *, struct prompt_errors *);
static int	tmpl_load(struct prompt_tmpl *, const char *, enum prompt_id,
		    enum prompt_form, struct prompt_errors *);
static void	tmpl_free(struct prompt_tmpl *);
static int	prompt_lookup(const char *, enum prompt_form *);
static int	has_number(const char *, const char *);
static void	check_written_warning(const struct prompt_tmpl *,
		    const char *, struct prompt_errors *);
static struct prompt_tmpl *written_load(const char *, enum prompt_id,
		    struct prompt_errors *);
static void	load_org_dir(struct prompt_lang *, const char *, const char *,
		    struct prompt_errors *);
static int	valid_code(const char *);

static void
perr(struct prompt_errors *e, const char *fmt, ...)
{
	char	 msg[1024];
	char	*p;
	size_t	 n;
	va_list	 ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	n = strlen(msg);
	if ((p = realloc(e->text, e->len + n + 2)) == NULL)
		return;
	e->text = p;
	memcpy(e->text + e->len, msg, n);
	e->text[e->len + n] = '\n';
	e->text[e->len + n + 1] = '\0';
	e->len += n + 1;
	e->count++;
}

/*
 * Splits text into literal and placeholder segments. Takes ownership of
 * text. Reports each unknown or disallowed placeholder with its line.
 */
static int
tmpl_parse(struct prompt_tmpl *t, char *text, size_t len, unsigned allowed,
    const char *path, struct prompt_errors *e)
{
	size_t		 i = 0, start, cap = 8, line = 1, k;
	char		*close;
	int		 var, errors = e->count;
	struct prompt_seg *segs;

	if ((t->segs = calloc(cap, sizeof *t->segs)) == NULL) {
		free(text);
		return -1;
	}
	t->text = text;
	start = 0;
	while (i <= len) {
		if (i < len && text[i] != '{') {
			if (text[i] == '\n')
				line++;
			i++;
			continue;
		}
		/* A literal run ends here (at '{' or at the end). */
		if (t->nsegs + 2 > cap) {
			cap *= 2;
			if ((segs = reallocarray(t->segs, cap,
			    sizeof *segs)) == NULL)
				return -1;
			t->segs = segs;
		}
		if (i > start) {
			t->segs[t->nsegs].var = -1;
			t->segs[t->nsegs].off = (uint32_t)start;
			t->segs[t->nsegs].len = (uint32_t)(i - start);
			t->nsegs++;
		}
		if (i == len)
			break;
		if ((close = memchr(text + i, '}', len - i)) == NULL ||
		    memchr(text + i, '\n', (size_t)(close - (text + i))) !=
		    NULL) {
			perr(e, "%s:%zu: unterminated placeholder", path, line);
			break;
		}
		var = -1;
		for (k = 0; k < PV_COUNT; k++)
			if ((size_t)(close - text - i - 1) ==
			    strlen(var_names[k]) && memcmp(text + i + 1,
			    var_names[k], strlen(var_names[k])) == 0)
				var = (int)k;
		if (var == -1)
			perr(e, "%s:%zu: unknown placeholder %.*s", path, line,
			    (int)(close - text - i + 1), text + i);
		else if ((allowed & V(var)) == 0)
			perr(e, "%s:%zu: placeholder {%s} cannot be used in "
			    "this prompt", path, line, var_names[var]);
		else {
			t->segs[t->nsegs].var = var;
			t->segs[t->nsegs].off = 0;
			t->segs[t->nsegs].len = 0;
			t->nsegs++;
		}
		i = (size_t)(close - text) + 1;
		start = i;
	}
	return e->count == errors ? 0 : -1;
}

/* Reads, validates and parses one template file of the given form. */
static int
tmpl_load(struct prompt_tmpl *t, const char *path, enum prompt_id id,
    enum prompt_form form, struct prompt_errors *e)
{
	char		*text;
	struct stat	 st;
	ssize_t		 n;
	size_t		 len, i;
	utf8proc_int32_t cp;
	utf8proc_ssize_t step;
	const char	*p, *q;
	size_t		 line;
	int		 fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		if (errno == ENOENT)
			perr(e, "%s:0: missing prompt %s", path,
			    prompt_table[id].name);
		else
			perr(e, "%s:0: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode) ||
	    st.st_size > PROMPT_FILE_MAX) {
		close(fd);
		perr(e, "%s:0: not a regular file of at most %d bytes", path,
		    PROMPT_FILE_MAX);
		return -1;
	}
	if ((text = malloc((size_t)st.st_size + 1)) == NULL) {
		close(fd);
		return -1;
	}
	n = read(fd, text, (size_t)st.st_size);
	close(fd);
	if (n != st.st_size) {
		free(text);
		perr(e, "%s:0: short read", path);
		return -1;
	}
	len = (size_t)n;
	text[len] = '\0';
	for (i = 0; i < len; i += (size_t)step) {
		step = utf8proc_iterate((const utf8proc_uint8_t *)text + i,
		    (utf8proc_ssize_t)(len - i), &cp);
		if (step < 0 || cp == 0) {
			free(text);
			perr(e, "%s:0: not UTF-8 text", path);
			return -1;
		}
	}
	/* The final newline of the file is not part of what is said. */
	while (len > 0 && (text[len - 1] == '\n' || text[len - 1] == '\r' ||
	    text[len - 1] == ' '))
		text[--len] = '\0';
	if (len == 0) {
		free(text);
		perr(e, "%s:1: empty prompt", path);
		return -1;
	}
	for (i = 0; form == PROMPT_SPOKEN &&
	    i < sizeof unspeakable / sizeof unspeakable[0]; i++)
		if ((p = strstr(text, unspeakable[i].s)) != NULL) {
			for (line = 1, q = text; q < p; q++)
				line += *q == '\n';
			perr(e, "%s:%zu: \"%s\" cannot be said on the phone: %s",
			    path, line, unspeakable[i].s, unspeakable[i].why);
			free(text);
			return -1;
		}
	return tmpl_parse(t, text, len, prompt_table[id].vars, path, e);
}

static void
tmpl_free(struct prompt_tmpl *t)
{
	if (t == NULL)
		return;
	free(t->text);
	free(t->segs);
	t->text = NULL;
	t->segs = NULL;
	t->nsegs = 0;
}

/*
 * The prompt id of a file name "<id>.txt" (spoken) or "<id>.written.txt"
 * (written), or -1.
 */
static int
prompt_lookup(const char *file, enum prompt_form *form)
{
	size_t	n = strlen(file);
	int	i;

	if (n < 5 || strcmp(file + n - 4, ".txt") != 0)
		return -1;
	n -= 4;
	*form = PROMPT_SPOKEN;
	if (n > 8 && strncmp(file + n - 8, ".written", 8) == 0) {
		n -= 8;
		*form = PROMPT_WRITTEN;
	}
	for (i = 0; i < PROMPT_COUNT; i++)
		if (strlen(prompt_table[i].name) == n &&
		    strncmp(prompt_table[i].name, file, n) == 0)
			return i;
	return -1;
}

/* Whether text holds number as a whole: "188", not "1880" or "2188". */
static int
has_number(const char *text, const char *number)
{
	const char	*p;
	size_t		 n = strlen(number);

	for (p = text; (p = strstr(p, number)) != NULL; p++)
		if ((p == text || p[-1] < '0' || p[-1] > '9') &&
		    (p[n] < '0' || p[n] > '9'))
			return 1;
	return 0;
}

/*
 * A written fraud warning shows the numbers as they are dialled (SPEC
 * §6): a screen, a web page or an SMS with "1 8 8" or "シャープ 9 1 1 0"
 * cannot be tapped or copied. t is the template that written notices
 * use (the written file, or the spoken one where there is none).
 */
static void
check_written_warning(const struct prompt_tmpl *t, const char *path,
    struct prompt_errors *e)
{
	size_t	i;

	if (t->text == NULL)
		return;		/* it failed to load: already reported */
	for (i = 0; i < sizeof dialled / sizeof dialled[0]; i++)
		if (!has_number(t->text, dialled[i]))
			perr(e, "%s:1: the written fraud warning must show %s "
			    "as it is dialled (a spoken form goes in "
			    "fraud_warning.txt, the written one in "
			    "fraud_warning.written.txt)", path, dialled[i]);
}

/* Loads <id>.written.txt if there is one; NULL if none (or bad: reported). */
static struct prompt_tmpl *
written_load(const char *path, enum prompt_id id, struct prompt_errors *e)
{
	struct prompt_tmpl	*t;

	if (access(path, F_OK) == -1 && errno == ENOENT)
		return NULL;
	if ((t = calloc(1, sizeof *t)) == NULL)
		return NULL;
	(void)tmpl_load(t, path, id, PROMPT_WRITTEN, e);
	return t;
}

static int
valid_code(const char *s)
{
	size_t	n = 0;

	for (; *s != '\0'; s++, n++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') ||
		    *s == '_' || *s == '-'))
			return 0;
	return n >= 1 && n <= 32;
}

/* Loads prompts/<lang>/org/<code>/ overrides. */
static void
load_org_dir(struct prompt_lang *l, const char *langdir, const char *code,
    struct prompt_errors *e)
{
	struct prompt_org	*o, *orgs;
	struct dirent		*de;
	DIR			*d;
	char			 dir[4096], path[4352];
	enum prompt_form	 form;
	struct prompt_tmpl	*t;
	int			 id;

	if (snprintf(dir, sizeof dir, "%s/org/%s", langdir, code) >=
	    (int)sizeof dir || !valid_code(code)) {
		perr(e, "%s:0: not an organisation code", dir);
		return;
	}
	if (l->norgs >= PROMPT_ORGS_MAX ||
	    (orgs = reallocarray(l->orgs, l->norgs + 1, sizeof *orgs)) ==
	    NULL) {
		perr(e, "%s:0: too many organisation overrides", dir);
		return;
	}
	l->orgs = orgs;
	o = &l->orgs[l->norgs];
	memset(o, 0, sizeof *o);
	if ((o->code = strdup(code)) == NULL)
		return;
	l->norgs++;
	if ((d = opendir(dir)) == NULL) {
		perr(e, "%s:0: %s", dir, strerror(errno));
		return;
	}
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		if (snprintf(path, sizeof path, "%s/%s", dir, de->d_name) >=
		    (int)sizeof path || (id = prompt_lookup(de->d_name,
		    &form)) == -1) {
			perr(e, "%s:0: not a prompt name", path);
			continue;
		}
		if ((o->tmpl[form][id] = calloc(1, sizeof *t)) == NULL)
			continue;
		(void)tmpl_load(o->tmpl[form][id], path, (enum prompt_id)id,
		    form, e);
	}
	closedir(d);
	/* The organisation's own warning, if any, is checked as written. */
	if ((t = o->tmpl[PROMPT_WRITTEN][PROMPT_FRAUD_WARNING]) != NULL ||
	    (t = o->tmpl[PROMPT_SPOKEN][PROMPT_FRAUD_WARNING]) != NULL) {
		snprintf(path, sizeof path, "%s/fraud_warning%s.txt", dir,
		    t == o->tmpl[PROMPT_WRITTEN][PROMPT_FRAUD_WARNING] ?
		    ".written" : "");
		check_written_warning(t, path, e);
	}
}

struct prompts *
prompt_load(const char *dir, char **errs)
{
	struct prompt_errors	 e = { NULL, 0, 0 };
	struct prompts		*p;
	struct prompt_lang	*l;
	struct dirent		*de;
	DIR			*d;
	char			 langdir[4096], path[4352];
	enum prompt_form	 form;
	int			 i, id;

	*errs = NULL;
	if ((p = calloc(1, sizeof *p)) == NULL) {
		*errs = strdup("out of memory");
		return NULL;
	}
	for (i = 0; i < PROMPT_LANGS; i++) {
		l = &p->lang[i];
		if (snprintf(langdir, sizeof langdir, "%s/%s", dir,
		    lang_names[i]) >= (int)sizeof langdir) {
			perr(&e, "%s:0: path too long", dir);
			break;
		}
		if (access(langdir, F_OK) == -1) {
			perr(&e, "%s:0: %s (prompts_dir)", langdir,
			    strerror(errno));
			continue;
		}
		for (id = 0; id < PROMPT_COUNT; id++) {
			if (snprintf(path, sizeof path, "%s/%s.txt", langdir,
			    prompt_table[id].name) >= (int)sizeof path)
				continue;
			(void)tmpl_load(&l->base[id], path, (enum prompt_id)id,
			    PROMPT_SPOKEN, &e);
			if (snprintf(path, sizeof path, "%s/%s.written.txt",
			    langdir, prompt_table[id].name) >=
			    (int)sizeof path)
				continue;
			l->written[id] = written_load(path, (enum prompt_id)id,
			    &e);
		}
		snprintf(path, sizeof path, "%s/fraud_warning%s.txt", langdir,
		    l->written[PROMPT_FRAUD_WARNING] ? ".written" : "");
		check_written_warning(l->written[PROMPT_FRAUD_WARNING] ?
		    l->written[PROMPT_FRAUD_WARNING] :
		    &l->base[PROMPT_FRAUD_WARNING], path, &e);
		/* A stray file is most likely a misspelt prompt. */
		if ((d = opendir(langdir)) != NULL) {
			while ((de = readdir(d)) != NULL) {
				if (de->d_name[0] == '.' ||
				    strcmp(de->d_name, "org") == 0)
					continue;
				if (prompt_lookup(de->d_name, &form) == -1)
					perr(&e, "%s/%s:0: not a prompt name",
					    langdir, de->d_name);
			}
			closedir(d);
		}
		if (snprintf(path, sizeof path, "%s/org", langdir) <
		    (int)sizeof path && (d = opendir(path)) != NULL) {
			while ((de = readdir(d)) != NULL)
				if (de->d_name[0] != '.')
					load_org_dir(l, langdir, de->d_name,
					    &e);
			closedir(d);
		}
	}
	if (e.count > 0) {
		*errs = e.text;
		prompt_free(p);
		return NULL;
	}
	free(e.text);
	return p;
}

void
prompt_free(struct prompts *p)
{
	struct prompt_lang	*l;
	size_t			 j;
	int			 i, id, f;

	if (p == NULL)
		return;
	for (i = 0; i < PROMPT_LANGS; i++) {
		l = &p->lang[i];
		for (id = 0; id < PROMPT_COUNT; id++) {
			tmpl_free(&l->base[id]);
			tmpl_free(l->written[id]);
			free(l->written[id]);
		}
		for (j = 0; j < l->norgs; j++) {
			for (f = 0; f < 2; f++)
				for (id = 0; id < PROMPT_COUNT; id++) {
					tmpl_free(l->orgs[j].tmpl[f][id]);
					free(l->orgs[j].tmpl[f][id]);
				}
			free(l->orgs[j].code);
		}
		free(l->orgs);
	}
	free(p);
}

int
prompt_lang_valid(const char *lang)
{
	int	i;

	for (i = 0; i < PROMPT_LANGS; i++)
		if (strcmp(lang, lang_names[i]) == 0)
			return 1;
	return 0;
}

const char *
prompt_name(enum prompt_id id)
{
	return (unsigned)id < PROMPT_COUNT ? prompt_table[id].name : "?";
}

unsigned
prompt_vars(enum prompt_id id)
{
	return (unsigned)id < PROMPT_COUNT ? prompt_table[id].vars : 0;
}

const char *
prompt_lang_name(int i)
{
	return i >= 0 && i < PROMPT_LANGS ? lang_names[i] : NULL;
}

static const struct prompt_lang *
lang_of(const struct prompts *p, const char *lang)
{
	int	k;

	for (k = 0; k < PROMPT_LANGS; k++)
		if (strcmp(lang, lang_names[k]) == 0)
			return &p->lang[k];
	return &p->lang[0];
}

static const struct prompt_org *
org_of(const struct prompt_lang *l, const char *org)
{
	size_t	i;

	if (org != NULL)
		for (i = 0; i < l->norgs; i++)
			if (strcmp(l->orgs[i].code, org) == 0)
				return &l->orgs[i];
	return NULL;
}

/*
 * The template to render: the organisation's before the common one, the
 * written form before the spoken one where written text is asked for.
 */
static const struct prompt_tmpl *
tmpl_of(const struct prompts *p, const char *lang, const char *org,
    enum prompt_id id, enum prompt_form form)
{
	const struct prompt_lang	*l = lang_of(p, lang);
	const struct prompt_org		*o = org_of(l, org);

	if (o != NULL) {
		if (form == PROMPT_WRITTEN &&
		    o->tmpl[PROMPT_WRITTEN][id] != NULL)
			return o->tmpl[PROMPT_WRITTEN][id];
		if (o->tmpl[PROMPT_SPOKEN][id] != NULL)
			return o->tmpl[PROMPT_SPOKEN][id];
	}
	if (form == PROMPT_WRITTEN && l->written[id] != NULL)
		return l->written[id];
	return &l->base[id];
}

int
prompt_overridden(const struct prompts *p, const char *lang, const char *org,
    enum prompt_id id)
{
	const struct prompt_org	*o = org_of(lang_of(p, lang), org);

	return o != NULL && (o->tmpl[PROMPT_SPOKEN][id] != NULL ||
	    o->tmpl[PROMPT_WRITTEN][id] != NULL);
}

int
prompt_render_split(const struct prompts *p, const char *lang,
    const char *org, enum prompt_id id, enum prompt_form form,
    const char *const *vars, enum prompt_var split,
    int (*fn)(void *, struct evbuffer *), void *arg, struct evbuffer *out)
{
	const struct prompt_tmpl	*t = tmpl_of(p, lang, org, id, form);
	const struct prompt_seg		*s;
	const char			*v;
	size_t				 i;

	for (i = 0; i < t->nsegs; i++) {
		s = &t->segs[i];
		if (s->var == -1) {
			if (evbuffer_add(out, t->text + s->off, s->len) == -1)
				return -1;
		} else if (fn != NULL && s->var == (int)split) {
			if (fn(arg, out) == -1)
				return -1;
		} else if (vars != NULL && (v = vars[s->var]) != NULL) {
			if (evbuffer_add(out, v, strlen(v)) == -1)
				return -1;
		}
	}
	return 0;
}

int
prompt_render(const struct prompts *p, const char *lang, const char *org,
    enum prompt_id id, enum prompt_form form, const char *const *vars,
    struct evbuffer *out)
{
	return prompt_render_split(p, lang, org, id, form, vars, PV_COUNT,
	    NULL, NULL, out);
}
