/*
 * The affected list's header, read as organisations write it: the SPEC
 * §4.2 column names, their Japanese aliases (氏名, フリガナ, 電話番号,
 * ...), and a --map for any other layout. The import and the match job
 * bind their files' headers here, so both read the same files alike
 * (hotline-lists(5) has the alias table).
 */
#ifndef HOTLINE_COLUMNS_H
#define HOTLINE_COLUMNS_H

#include "csv.h"
#include "import_row.h"

/* How strict a header is. */
enum columns_mode {
	/*
	 * import: org_code and birthdate are required, a phone or kana
	 * column too, and an unknown column is an error (--map COL=- to
	 * ignore it): a typo must not silently drop a column of the list.
	 */
	COLUMNS_IMPORT = 0,
	/* match: birthdate and kana or phone; other columns are ignored. */
	COLUMNS_MATCH,
};

/* A parsed --map 'COL=FIELD,...'. */
struct columns_map;

/* Most --map entries. */
#define COLUMNS_MAP_MAX	64

/* Parses a --map; NULL with *err set (malloc'd) if malformed. */
struct columns_map *columns_map_parse(const char *spec, char **err);
void	columns_map_free(struct columns_map *);

/* Called once per problem with the header: field "header", a reason. */
typedef void (*columns_report_fn)(void *arg, const char *reason);

/*
 * Binds a header row: pos[LC_*] gets the field index of each list column,
 * or -1 when the file has none (read as empty). map may be NULL. Returns
 * the number of problems reported (0: usable). Reasons name columns by
 * number and by their list names, never by the header's own text, which
 * may be a row of data in a file without a header.
 */
int	columns_bind(const struct columns_map *, enum columns_mode,
	    const struct csv_row *header, int pos[LC_COUNT],
	    columns_report_fn, void *arg);

#endif
