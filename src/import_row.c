/*
 * Validation, normalization and keyed hashing of one affected-list row.
 * The reasons come from the normalizers and never quote the value, so an
 * import report can be shared without leaking what it is about.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto.h"
#include "hasher.h"
#include "import_row.h"
#include "normalize.h"
#include "record.h"

const char *const import_list_cols[LC_COUNT] = {
	"org_code", "name", "kana", "phone", "gender", "birthdate",
	"postal_code", "address", "katagaki", "extra_items",
};

char *
import_trim(char *s)
{
	char	*e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
		*--e = '\0';
	return s;
}

static int
code_cmp(const void *a, const void *b)
{
	return strcmp(((const struct import_code *)a)->code,
	    ((const struct import_code *)b)->code);
}

void
import_row_sort_codes(struct import_code *codes, size_t n)
{
	qsort(codes, n, sizeof *codes, code_cmp);
}

static void
row_error(struct import_row_errors *e, const char *field, const char *reason)
{
	if (e->n == sizeof e->e / sizeof e->e[0])
		return;
	e->e[e->n].field = field;
	snprintf(e->e[e->n].reason, sizeof e->e[e->n].reason, "%s", reason);
	e->n++;
}

/* The items of extra_items (";"-separated age, card), or -1. */
static int
extra_items(char *s, unsigned *items)
{
	char		*item, *save;
	unsigned	 bit;

	for (item = strtok_r(s, ";", &save); item != NULL;
	    item = strtok_r(NULL, ";", &save)) {
		item = import_trim(item);
		if (*item == '\0')
			continue;
		bit = record_item_parse(item);
		if (bit != ITEM_AGE && bit != ITEM_CARD)
			return -1;
		*items |= bit;
	}
	return 0;
}

/*
 * Every field is validated first; then the keys are hashed, and the
 * verification hashes only for rows with a search key: the operator
 * reaches a record through its kana, so a row without one never needs
 * them. They are salted with the search key, so that equal values in
 * different people's records hash differently (a column of gender hashes
 * must not show who shares a gender), yet stay checkable from the row.
 */
int
import_row_build(const struct import_row_ctx *ctx, char **fields,
    struct build_row *b, struct import_row_errors *e)
{
	struct import_code	 key, *hit;
	char			 phone[NORM_PHONE_SIZE], birth[NORM_DATE_SIZE];
	char			 kana[NORM_KANA_SIZE], postal[NORM_POSTAL_SIZE];
	char			 address[NORM_ADDRESS_SIZE], gbuf[2];
	char			*f[LC_COUNT];
	const char		*why;
	int			 k, gender = 0, keys = 0;

	for (k = 0; k < LC_COUNT; k++)
		f[k] = import_trim(fields[k]);
	memset(b, 0, sizeof *b);
	e->n = 0;
	if (*f[LC_ORG] == '\0')
		b->org = ORG_UNKNOWN_ID;
	else {
		key.code = f[LC_ORG];
		hit = bsearch(&key, ctx->codes, ctx->ncodes, sizeof key,
		    code_cmp);
		if (hit == NULL)
			row_error(e, "org_code", "unknown organisation (not in "
			    "the organisation list)");
		else
			b->org = hit->id;
	}
	if (normalize_birthdate(f[LC_BIRTHDATE], ctx->today, birth, &why) !=
	    NORM_OK)
		row_error(e, "birthdate", why);
	b->items = ITEM_BIRTHDATE;
	if (*f[LC_PHONE] != '\0') {
		keys = 1;
		if (normalize_phone(f[LC_PHONE], phone, &why) != NORM_OK)
			row_error(e, "phone", why);
		b->items |= ITEM_PHONE;
		b->has |= BUILD_HAS_LOOKUP | BUILD_HAS_PHONE;
	}
	if (*f[LC_KANA] != '\0') {
		keys = 1;
		if (normalize_kana(f[LC_KANA], kana, &why) != NORM_OK)
			row_error(e, "kana", why);
		b->items |= ITEM_KANA;
		b->has |= BUILD_HAS_SEARCH;
	}
	if (!keys)
		row_error(e, "row", "no match key: needs a phone or a kana name "
		    "besides the birthdate");
	if (*f[LC_GENDER] != '\0') {
		if (normalize_gender(f[LC_GENDER], &gender, &why) != NORM_OK)
			row_error(e, "gender", why);
		b->items |= ITEM_GENDER;
		b->has |= BUILD_HAS_GENDER;
	}
	if (*f[LC_POSTAL] != '\0') {
		if (normalize_postal(f[LC_POSTAL], postal, &why) != NORM_OK)
			row_error(e, "postal_code", why);
		b->items |= ITEM_POSTAL_CODE;
		b->has |= BUILD_HAS_POSTAL;
	}
	if (*f[LC_ADDRESS] != '\0') {
		if (normalize_address(f[LC_ADDRESS], address, &why) != NORM_OK)
			row_error(e, "address", why);
		b->items |= ITEM_ADDRESS;
		b->has |= BUILD_HAS_ADDRESS;
	}
	if (*f[LC_NAME] != '\0')
		b->items |= ITEM_NAME;
	if (*f[LC_KATAGAKI] != '\0')
		b->items |= ITEM_KATAGAKI;
	if (extra_items(f[LC_EXTRA], &b->items) == -1)
		row_error(e, "extra_items", "unknown item (allowed: age, card)");
	if (e->n > 0)
		return -1;

	if (b->has & BUILD_HAS_LOOKUP)
		b->lookup_key = hasher_lookup_key(ctx->hasher, phone, birth);
	if ((b->has & BUILD_HAS_SEARCH) == 0)
		return 0;
	b->search_key = hasher_search_key(ctx->hasher, kana, birth);
	if (b->has & BUILD_HAS_PHONE)
		b->phone_h = hasher_field(ctx->hasher, b->search_key,
		    HASHER_FIELD_PHONE, phone);
	if (b->has & BUILD_HAS_GENDER) {
		gbuf[0] = (char)('0' + gender);
		gbuf[1] = '\0';
		b->gender_h = hasher_field(ctx->hasher, b->search_key,
		    HASHER_FIELD_GENDER, gbuf);
	}
	if (b->has & BUILD_HAS_POSTAL)
		b->postal_h = hasher_field(ctx->hasher, b->search_key,
		    HASHER_FIELD_POSTAL, postal);
	if (b->has & BUILD_HAS_ADDRESS)
		b->address_h = hasher_field(ctx->hasher, b->search_key,
		    HASHER_FIELD_ADDRESS, address);
	return 0;
}
