/*
 * Built-in tables for the synthetic list generator (gen.c): common
 * Japanese surnames and given names with their katakana readings,
 * fictional places, buildings and organisations. Private to gen.c; kept
 * apart so that the generator's logic is not buried in data.
 */
#ifndef HOTLINE_GEN_NAMES_H
#define HOTLINE_GEN_NAMES_H

#include <stddef.h>

/* A name in kanji and its reading in full-width katakana. */
struct gen_names_name {
	const char	*kanji;
	const char	*kana;
};

/* A built-in fictional organisation (SPEC §4.1 fields) and its share. */
struct gen_names_org {
	const char	*code;
	const char	*name;
	const char	*kind;
	const char	*service;
	const char	*period_from;
	const char	*period_to;
	const char	*contact_name;
	const char	*contact_phone;
	const char	*contact_hours;
	const char	*status_note;
	unsigned long	 weight;	/* relative number of people */
	/* The optional English texts (SPEC §4.1), "" where none. */
	const char	*name_en;
	const char	*service_en;
	const char	*contact_name_en;
	const char	*contact_hours_en;
	const char	*status_note_en;
};

extern const struct gen_names_name	gen_names_surnames[];
extern const size_t			gen_names_nsurnames;
extern const struct gen_names_name	gen_names_male[];
extern const size_t			gen_names_nmale;
extern const struct gen_names_name	gen_names_female[];
extern const size_t			gen_names_nfemale;

/* Fictional prefectures, cities and towns; towns are generic names. */
extern const char *const	gen_names_prefs[];
extern const size_t		gen_names_nprefs;
extern const char *const	gen_names_cities[];
extern const size_t		gen_names_ncities;
extern const char *const	gen_names_towns[];
extern const size_t		gen_names_ntowns;

/*
 * Building names for the 方書 line, and a few rare ones with a comma or a
 * quote so that the CSV quoting is exercised.
 */
extern const char *const	gen_names_buildings[];
extern const size_t		gen_names_nbuildings;
extern const char *const	gen_names_odd_buildings[];
extern const size_t		gen_names_nodd_buildings;

extern const struct gen_names_org	gen_names_orgs[];
extern const size_t			gen_names_norgs;

/*
 * Text for organisations made up from a sizes file; each *_en table is
 * the English of the table before it, entry for entry.
 */
extern const char *const	gen_names_services[];
extern const char *const	gen_names_services_en[];
extern const size_t		gen_names_nservices;
extern const char *const	gen_names_hours[];
extern const char *const	gen_names_hours_en[];
extern const size_t		gen_names_nhours;
extern const char *const	gen_names_notes[];
extern const char *const	gen_names_notes_en[];
extern const size_t		gen_names_nnotes;

/* Kanji numerals 0-9, for the occasional "三丁目". */
extern const char *const	gen_names_kanji_digits[];

/*
 * Half-width form of each full-width katakana U+30A1..U+30FC (voiced
 * letters become two characters, ｶﾞ); NULL where none exists.
 */
#define GEN_NAMES_HALFWIDTH_FIRST	0x30A1
#define GEN_NAMES_HALFWIDTH_LAST	0x30FC
extern const char *const	gen_names_halfwidth[];

#endif
