/*
 * One row of an affected list turned into what affected.db stores:
 * validation, normalization (SPEC §5) and keyed hashing. A pure function
 * of the row, the organisation codes and the key, so that the import can
 * run it on several threads at once.
 */
#ifndef HOTLINE_IMPORT_ROW_H
#define HOTLINE_IMPORT_ROW_H

#include <stddef.h>
#include <stdint.h>

#include "affected_build.h"

/* The affected list's columns (SPEC §4.2), in header order. */
enum list_col {
	LC_ORG, LC_NAME, LC_KANA, LC_PHONE, LC_GENDER, LC_BIRTHDATE,
	LC_POSTAL, LC_ADDRESS, LC_KATAGAKI, LC_EXTRA, LC_COUNT,
};

extern const char *const import_list_cols[LC_COUNT];

/* An organisation code and its id, sorted by code for bsearch. */
struct import_code {
	const char	*code;
	int64_t		 id;
};

struct import_row_ctx {
	const struct import_code *codes;
	size_t			 ncodes;
	struct hasher		*hasher;	/* this thread's own */
	int			 today;		/* YYYYMMDD */
};

/* Why a field is bad: the column and a reason that never quotes it. */
struct import_row_error {
	const char	*field;
	char		 reason[120];
};

/* Every bad field of a row: at most one per column, and the row's own. */
struct import_row_errors {
	size_t			n;
	struct import_row_error	e[LC_COUNT + 1];
};

/*
 * Builds a row from its fields (trimmed in place). Returns 0 with *out
 * filled, or -1 with *e listing every bad field of the row, so that one
 * pass over a list finds all that needs fixing.
 */
int	import_row_build(const struct import_row_ctx *, char **fields,
	    struct build_row *out, struct import_row_errors *e);

/* Sorts codes for import_row_build's lookups. */
void	import_row_sort_codes(struct import_code *, size_t);

/* Trims ASCII spaces and tabs at both ends, in place. */
char	*import_trim(char *);

#endif
