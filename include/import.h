/*
 * Import of the organisation list and the affected lists into a new
 * affected.db (SPEC §4.1-4.2): validation, normalization, keyed hashing.
 * All or nothing: unless every row is good (or --max-errors allows the
 * bad ones), the old affected.db stays in place, unchanged.
 */
#ifndef HOTLINE_IMPORT_H
#define HOTLINE_IMPORT_H

#include <stdint.h>
#include <stdio.h>

#include "csv.h"

struct columns_map;

struct import_options {
	const char		*data_dir;
	const char		*key_file;
	const char		*orgs_path;
	const char *const	*lists;		/* affected list files */
	size_t			 nlists;
	enum csv_encoding	 encoding;	/* of the lists */
	enum csv_encoding	 orgs_encoding;	/* of the organisation list */
	const struct columns_map *map;		/* --map, or NULL */
	long			 max_errors;	/* bad rows tolerated */
	int			 progress;	/* a progress line on stderr */
	int			 verbose;	/* phase timings on stderr */
	FILE			*report;	/* each bad row, file:line: ... */
	FILE			*rejects;	/* file,line,field,reason, or NULL */
};

struct import_org_count {
	char	code[33];
	int64_t	rows;
};

struct import_summary {
	int64_t			 rows;		/* rows imported */
	int64_t			 bad_rows;
	int64_t			 lookup_keys;	/* distinct phone+birthdate */
	int64_t			 search_keys;	/* distinct kana+birthdate */
	int64_t			 no_phone;
	int64_t			 unknown_org;
	struct import_org_count	*orgs;		/* rows per organisation */
	size_t			 norgs;
	int			 refused;	/* failed on the input: bad
						   rows, a wrong file */
};

/* Returns 0 on success, or -1 with *err set (nothing changed). */
int	import_run(const struct import_options *, struct import_summary *,
	    char **err);
void	import_summary_free(struct import_summary *);

#endif
