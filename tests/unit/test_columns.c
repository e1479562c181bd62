/*
 * columns.c: header binding, table-driven — list names, Japanese aliases
 * in their width and case variants, --map, and every way a header fails,
 * in the import's strict mode and the match job's lenient one.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "columns.h"

struct problems {
	int	n;
	char	text[2048];
};

static void
collect(void *arg, const char *reason)
{
	struct problems	*p = arg;

	p->n++;
	snprintf(p->text + strlen(p->text), sizeof p->text - strlen(p->text),
	    "%s|", reason);
}

/* Splits a header line at commas into a row (the buffer is modified). */
static void
row_of(char *line, struct csv_row *row)
{
	char	*p = line;

	row->nfields = 0;
	row->line = 1;
	for (;;) {
		row->fields[row->nfields++] = p;
		if ((p = strchr(p, ',')) == NULL)
			break;
		*p++ = '\0';
	}
}

static const struct {
	const char		*header;
	const char		*map;
	enum columns_mode	 mode;
	int			 problems;
	const char		*want;	/* "field=index,..." bound, or error text */
} cases[] = {
	{ "org_code,name,kana,phone,gender,birthdate,postal_code,address,"
	  "katagaki,extra_items", NULL, COLUMNS_IMPORT, 0,
	  "org_code=0,kana=2,phone=3,birthdate=5,extra_items=9" },
	{ "団体コード,氏名,フリガナ,電話番号,性別,生年月日,郵便番号,住所,方書",
	  NULL, COLUMNS_IMPORT, 0,
	  "org_code=0,name=1,kana=2,phone=3,gender=4,birthdate=5,"
	  "postal_code=6,address=7,katagaki=8" },
	/* Width, case and spaces fold: ﾌﾘｶﾞﾅ, ＴＥＬ, Tel, ideographic space. */
	{ "ORG_CODE, ﾌﾘｶﾞﾅ ,ＴＥＬ,　生年月日　", NULL, COLUMNS_IMPORT, 0,
	  "org_code=0,kana=1,phone=2,birthdate=3" },
	{ "org_code,カナ,Tel,誕生日,〒", NULL, COLUMNS_IMPORT, 0,
	  "kana=1,phone=2,birthdate=3,postal_code=4" },
	/* Strict: an unknown column; lenient: ignored. */
	{ "org_code,kana,birthdate,備考", NULL, COLUMNS_IMPORT, 1,
	  "unknown column 4" },
	{ "kana,birthdate,備考,世帯番号", NULL, COLUMNS_MATCH, 0,
	  "kana=0,birthdate=1" },
	/* The required columns. */
	{ "name,kana,phone", NULL, COLUMNS_IMPORT, 2,
	  "missing column org_code|missing column birthdate" },
	{ "org_code,name,birthdate", NULL, COLUMNS_IMPORT, 1,
	  "missing columns kana and phone" },
	{ "name,birthdate", NULL, COLUMNS_MATCH, 1,
	  "missing columns kana and phone" },
	{ "org_code,phone,電話番号,birthdate", NULL, COLUMNS_IMPORT, 1,
	  "column phone appears twice (columns 2 and 3)" },
	/* --map: any layout; "-" ignores; it wins over an alias. */
	{ "団体,カナ名,連絡先,誕生,備考", "団体=org_code,カナ名=kana,"
	  "連絡先=phone,誕生=birthdate,備考=-", COLUMNS_IMPORT, 0,
	  "org_code=0,kana=1,phone=2,birthdate=3" },
	{ "org_code,kana,birthdate,住所,旧住所", "住所=-,旧住所=address",
	  COLUMNS_IMPORT, 0, "address=4" },
	{ "org_code,kana,birthdate", "誕生日=birthdate", COLUMNS_IMPORT, 1,
	  "--map entry 1 names no column" },
	/* A TSV read as CSV is one field: one diagnosis. */
	{ "org_code\tkana\tbirthdate", NULL, COLUMNS_IMPORT, 1,
	  "tab-separated" },
};

static int
field_index(const char *name)
{
	int	k;

	for (k = 0; k < LC_COUNT; k++)
		if (strcmp(import_list_cols[k], name) == 0)
			return k;
	return -1;
}

static void
test_bind(void **state)
{
	struct columns_map	*map;
	struct problems		 p;
	struct csv_row		 row;
	char			 line[512], want[256], *item, *save, *eq;
	char			*err = NULL;
	int			 pos[LC_COUNT];
	size_t			 i;

	(void)state;
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		map = NULL;
		if (cases[i].map != NULL) {
			map = columns_map_parse(cases[i].map, &err);
			assert_non_null(map);
		}
		snprintf(line, sizeof line, "%s", cases[i].header);
		row_of(line, &row);
		memset(&p, 0, sizeof p);
		if (columns_bind(map, cases[i].mode, &row, pos, collect, &p) !=
		    cases[i].problems || p.n != cases[i].problems)
			fail_msg("case %zu: %d problems: %s", i, p.n, p.text);
		if (cases[i].problems > 0) {
			if (strstr(p.text, cases[i].want) == NULL)
				fail_msg("case %zu: %s", i, p.text);
		} else {
			snprintf(want, sizeof want, "%s", cases[i].want);
			for (item = strtok_r(want, ",", &save); item != NULL;
			    item = strtok_r(NULL, ",", &save)) {
				eq = strchr(item, '=');
				*eq = '\0';
				if (pos[field_index(item)] != atoi(eq + 1))
					fail_msg("case %zu: %s at %d", i, item,
					    pos[field_index(item)]);
			}
		}
		columns_map_free(map);
	}
}

static void
test_map_parse_errors(void **state)
{
	static const char *bad[] = {
		"", "kana", "=kana", "列=organisation", "列=kana=x,=phone",
	};
	char	*err;
	size_t	 i;

	(void)state;
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		err = NULL;
		assert_null(columns_map_parse(bad[i], &err));
		assert_non_null(err);
		assert_non_null(strstr(err, "--map"));
		free(err);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bind),
		cmocka_unit_test(test_map_parse_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
