/*
 * What the affected list says about a person: which organisations held
 * their record and which items leaked. These are the only facts hotline
 * keeps in the clear (SPEC §4).
 */
#ifndef HOTLINE_RECORD_H
#define HOTLINE_RECORD_H

#include <stddef.h>
#include <stdint.h>

/* Items that leaked, as bits; the order is the order they are said in. */
enum item {
	ITEM_NAME = 1 << 0,
	ITEM_KANA = 1 << 1,
	ITEM_PHONE = 1 << 2,
	ITEM_GENDER = 1 << 3,
	ITEM_BIRTHDATE = 1 << 4,
	ITEM_AGE = 1 << 5,
	ITEM_POSTAL_CODE = 1 << 6,
	ITEM_ADDRESS = 1 << 7,
	ITEM_KATAGAKI = 1 << 8,
	ITEM_CARD = 1 << 9,
};
#define ITEM_COUNT	10

/* The built-in group of records whose source is not yet known. */
#define ORG_UNKNOWN_CODE	"unknown"
#define ORG_UNKNOWN_ID		0

/*
 * An organisation whose list leaked; every field is a NUL-terminated
 * string. The *_en fields are the optional English texts (SPEC §4.1),
 * "" where the list gives none.
 */
struct org {
	int64_t	 id;
	char	*code;
	char	*name;
	char	*kind;		/* municipality, company, agency; unknown */
	char	*service;
	char	*period_from;	/* YYYY-MM-DD or "" */
	char	*period_to;
	char	*contact_name;
	char	*contact_phone;
	char	*contact_hours;
	char	*status_note;
	char	*name_en;
	char	*service_en;
	char	*contact_name_en;
	char	*contact_hours_en;
	char	*status_note_en;
};

/* An organisation's free texts in one language (borrowed from the org). */
struct org_texts {
	const char	*name;
	const char	*service;
	const char	*contact_name;
	const char	*contact_hours;
	const char	*status_note;
};

/*
 * The texts an "en" reader or listener gets: each *_en value where it is
 * filled, the Japanese one where it is empty; any other language gets the
 * Japanese texts.
 */
void	record_org_texts(const struct org *, const char *lang,
	    struct org_texts *);

struct org_table {
	struct org	*orgs;	/* by id: orgs[i].id == i; [0] is unknown */
	size_t		 n;
};

/* One organisation a person's lookup found, with the items it held. */
struct match {
	const struct org	*org;
	unsigned		 items;
};

/* "name", "kana", ... as in JSON and the CSV's extra_items. */
const char *record_item_name(unsigned bit);
/* The bit of an item name, or 0. */
unsigned record_item_parse(const char *);

const struct org *record_org_by_code(const struct org_table *, const char *);
const struct org *record_org_by_id(const struct org_table *, int64_t);
void	record_org_table_free(struct org_table *);

/*
 * Folds one stored row (org id, items) into matches[0..*n): one match per
 * organisation, items OR-ed, kept in organisation id order. Rows of an
 * unknown org id are ignored. Returns -1 when max matches are already
 * held and the row names yet another organisation.
 */
int	record_merge(const struct org_table *, struct match *matches,
	    size_t *n, size_t max, int64_t org_id, unsigned items);

#endif
