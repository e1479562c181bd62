/*
 * Deterministic synthetic affected lists for the demo, the tests and the
 * benchmarks. Everyone in them is fictional: names drawn from built-in
 * lists of common Japanese surnames and given names (with matching kana),
 * phones of every kind, birthdates 1925-2005, addresses in fictional towns.
 * The same seed and options always give byte-identical files.
 */
#ifndef HOTLINE_GEN_H
#define HOTLINE_GEN_H

#include <stdint.h>
#include <stdio.h>

struct gen_options {
	uint64_t	 seed;
	unsigned long	 rows;		/* rows of the affected list */
	/*
	 * Optional TSV of "code<TAB>size" lines ('#' comments, blank lines
	 * ignored; an optional third column gives the kind: municipality,
	 * company or agency); sizes are scaled to rows, each count within 1
	 * of its share. The code "unknown" stands for rows without an
	 * organisation. Every other code gets a fictional organisation
	 * ("架空市（code）"). NULL: built-in fictional organisations.
	 */
	const char	*sizes_path;
	unsigned	 two_org_permille;	/* people listed twice (default 30) */
	unsigned	 no_phone_permille;	/* rows without phone (default 20) */
	unsigned	 unknown_permille;	/* rows without organisation when no
					   sizes file is given (default 100) */
};

/* Fills in the defaults above; seed 1, 100000 rows. */
void	gen_options_init(struct gen_options *);

/*
 * Writes the organisation list (SPEC §4.1) to orgs and the affected list
 * (SPEC §4.2) to affected, both UTF-8 CSV (no BOM, LF) with a header row;
 * exactly options.rows rows, at most 100,000,000. orgs may be NULL. If
 * sample is not NULL, the first person of each kind that a demo or test
 * wants to try is written to it, one per line, tab-separated:
 *   kind  phone  birthdate  kana  org_codes(;-separated, "unknown" for none)
 * with kind one of: one-org, two-org, unknown-org, no-phone (in that
 * order; a kind that does not occur is left out), phone in national
 * digits (empty for no-phone), birthdate YYYY-MM-DD and kana in full-width
 * katakana without a space, as spelt before the SPEC §5 foldings.
 * The streams are flushed, not closed. Memory does not grow with rows.
 * Returns 0, or -1 with *err set to a malloc'd message (a bad sizes line
 * reads "path:line: reason", and then nothing has been written).
 */
int	gen_write(const struct gen_options *, FILE *orgs, FILE *affected,
	    FILE *sample, char **err);

#endif
