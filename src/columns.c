/*
 * Header binding for affected lists and registers. A header name is
 * compared after NFKC and case folding, with spaces trimmed, so that
 * ＴＥＬ, tel and TEL, ﾌﾘｶﾞﾅ and フリガナ are one name; --map entries are
 * compared the same way and win over the aliases.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <utf8proc.h>

#include "columns.h"

#define NAME_MAX_BYTES	256	/* a header name longer than this is no name */

/*
 * Aliases, by column. Only names that mean one column in every layout
 * seen: "携帯電話" is not an alias of phone, since a register may have
 * both a fixed line and a mobile column.
 */
static const char *const aliases[LC_COUNT][10] = {
	[LC_ORG] = { "団体コード", "組織コード", "提供元コード" },
	[LC_NAME] = { "氏名", "名前", "漢字氏名", "氏名(漢字)", "お名前" },
	[LC_KANA] = { "フリガナ", "ふりがな", "カナ", "カナ氏名", "氏名カナ",
	    "氏名(カナ)", "氏名フリガナ", "ヨミガナ", "よみがな" },
	[LC_PHONE] = { "電話番号", "電話", "tel", "連絡先電話番号" },
	[LC_GENDER] = { "性別" },
	[LC_BIRTHDATE] = { "生年月日", "誕生日" },
	[LC_POSTAL] = { "郵便番号", "〒" },
	[LC_ADDRESS] = { "住所", "現住所" },
	[LC_KATAGAKI] = { "方書", "方書き", "建物名" },
	[LC_EXTRA] = { "流出項目" },
};

struct columns_map {
	size_t	 n;
	char	*col[COLUMNS_MAP_MAX];	/* the header name, folded */
	int	 field[COLUMNS_MAP_MAX];	/* LC_*, or -1: ignore */
};

/* A name folded for comparison, malloc'd; NULL if not valid UTF-8. */
static char *
fold(const char *s)
{
	utf8proc_uint8_t	*out = NULL;
	char			*p, *e;
	size_t			 len = strlen(s);

	if (len > NAME_MAX_BYTES)
		return NULL;
	if (utf8proc_map((const utf8proc_uint8_t *)s, (utf8proc_ssize_t)len,
	    &out, UTF8PROC_STABLE | UTF8PROC_COMPAT | UTF8PROC_COMPOSE |
	    UTF8PROC_CASEFOLD) < 0)
		return NULL;
	p = (char *)out;
	while (*p == ' ' || *p == '\t')
		p++;
	e = p + strlen(p);
	while (e > p && (e[-1] == ' ' || e[-1] == '\t'))
		*--e = '\0';
	memmove(out, p, strlen(p) + 1);
	return (char *)out;
}

/* A field's list name or alias, folded alike: its LC_*, or -1. */
static int
field_of(const char *folded)
{
	char	*a;
	int	 k, i, hit = -1;

	for (k = 0; k < LC_COUNT && hit == -1; k++) {
		if (strcmp(folded, import_list_cols[k]) == 0)
			return k;
		for (i = 0; i < 10 && aliases[k][i] != NULL && hit == -1; i++) {
			if ((a = fold(aliases[k][i])) == NULL)
				continue;
			if (strcmp(folded, a) == 0)
				hit = k;
			free(a);
		}
	}
	return hit;
}

struct columns_map *
columns_map_parse(const char *spec, char **err)
{
	struct columns_map	*m;
	char			*copy, *item, *save, *eq, *col;
	int			 k;

	*err = NULL;
	if ((m = calloc(1, sizeof *m)) == NULL || (copy = strdup(spec)) ==
	    NULL) {
		free(m);
		*err = strdup("out of memory");
		return NULL;
	}
	for (item = strtok_r(copy, ",", &save); item != NULL;
	    item = strtok_r(NULL, ",", &save)) {
		if ((eq = strrchr(item, '=')) == NULL || eq == item) {
			if (asprintf(err, "--map: entry %zu: not COLUMN=FIELD",
			    m->n + 1) == -1)
				*err = NULL;
			goto fail;
		}
		*eq++ = '\0';
		while (*eq == ' ')
			eq++;
		if (strcmp(eq, "-") == 0)
			k = -1;
		else {
			for (k = 0; k < LC_COUNT; k++)
				if (strcmp(eq, import_list_cols[k]) == 0)
					break;
			if (k == LC_COUNT) {
				if (asprintf(err, "--map: entry %zu: the field "
				    "must be a list column (org_code, name, "
				    "kana, phone, gender, birthdate, "
				    "postal_code, address, katagaki, "
				    "extra_items) or -", m->n + 1) == -1)
					*err = NULL;
				goto fail;
			}
		}
		if (m->n == COLUMNS_MAP_MAX) {
			if (asprintf(err, "--map: at most %d entries",
			    COLUMNS_MAP_MAX) == -1)
				*err = NULL;
			goto fail;
		}
		if ((col = fold(item)) == NULL || *col == '\0') {
			free(col);
			if (asprintf(err, "--map: entry %zu: no column name",
			    m->n + 1) == -1)
				*err = NULL;
			goto fail;
		}
		m->col[m->n] = col;
		m->field[m->n++] = k;
	}
	free(copy);
	if (m->n == 0) {
		*err = strdup("--map: empty");
		columns_map_free(m);
		return NULL;
	}
	return m;
fail:
	if (*err == NULL)
		*err = strdup("out of memory");
	free(copy);
	columns_map_free(m);
	return NULL;
}

void
columns_map_free(struct columns_map *m)
{
	size_t	i;

	if (m == NULL)
		return;
	for (i = 0; i < m->n; i++)
		free(m->col[i]);
	free(m);
}

static void
reportf(columns_report_fn fn, void *arg, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
reportf(columns_report_fn fn, void *arg, const char *fmt, ...)
{
	char	buf[256];
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	fn(arg, buf);
}

int
columns_bind(const struct columns_map *map, enum columns_mode mode,
    const struct csv_row *hdr, int pos[LC_COUNT], columns_report_fn fn,
    void *arg)
{
	char		*name;
	int		 used[COLUMNS_MAP_MAX] = { 0 };
	size_t		 i, j;
	int		 k, bad = 0, mapped;

	for (k = 0; k < LC_COUNT; k++)
		pos[k] = -1;
	/* A TSV read as CSV is one field holding the tabs. */
	if (hdr->nfields == 1 && strchr(hdr->fields[0], '\t') != NULL) {
		reportf(fn, arg, "the file is tab-separated (TSV, e.g. Excel's "
		    "\"Unicode text\"), not comma-separated: save it as \"CSV "
		    "UTF-8\" or CSV");
		return 1;
	}
	for (i = 0; i < hdr->nfields; i++) {
		if ((name = fold(hdr->fields[i])) == NULL) {
			if (mode == COLUMNS_IMPORT) {
				reportf(fn, arg, "column %zu: not a column "
				    "name", i + 1);
				bad++;
			}
			continue;
		}
		k = -1;
		mapped = 0;
		for (j = 0; map != NULL && j < map->n; j++)
			if (strcmp(map->col[j], name) == 0) {
				k = map->field[j];
				used[j] = mapped = 1;
			}
		if (!mapped)
			k = field_of(name);
		free(name);
		if (mapped && k == -1)
			continue;	/* COL=-: ignored on purpose */
		if (k == -1) {
			if (mode == COLUMNS_IMPORT) {
				reportf(fn, arg, "unknown column %zu (not a "
				    "list column or alias: --map it, or "
				    "ignore it with COLUMN=-)", i + 1);
				bad++;
			}
			continue;
		}
		if (pos[k] != -1) {
			reportf(fn, arg, "column %s appears twice (columns %d "
			    "and %zu)", import_list_cols[k], pos[k] + 1, i + 1);
			bad++;
			continue;
		}
		pos[k] = (int)i;
	}
	for (j = 0; map != NULL && j < map->n; j++)
		if (!used[j]) {
			reportf(fn, arg, "--map entry %zu names no column of "
			    "the header", j + 1);
			bad++;
		}
	if (mode == COLUMNS_IMPORT && pos[LC_ORG] == -1) {
		reportf(fn, arg, "missing column org_code");
		bad++;
	}
	if (pos[LC_BIRTHDATE] == -1) {
		reportf(fn, arg, "missing column birthdate");
		bad++;
	}
	if (pos[LC_KANA] == -1 && pos[LC_PHONE] == -1) {
		reportf(fn, arg, "missing columns kana and phone (a row is "
		    "found by either, with the birthdate)");
		bad++;
	}
	return bad;
}
