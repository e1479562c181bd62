/*
 * Normalization of what callers, operators and lists say into one canonical
 * form per field (SPEC §5). The same functions serve the import, the IVR,
 * lookup and operator input, so that a value typed anywhere matches the
 * value imported from any list.
 *
 * Every function writes into a caller-supplied buffer (no allocation: this
 * runs on the request path), returns NORM_OK or NORM_INVALID, and on
 * NORM_INVALID sets *reason to a short static English phrase that never
 * contains the input ("not a Japanese phone number", "not a calendar
 * date"...). reason may be NULL.
 */
#ifndef HOTLINE_NORMALIZE_H
#define HOTLINE_NORMALIZE_H

#include <stddef.h>

#define NORM_OK		 0
#define NORM_INVALID	-1
#define NORM_WITHHELD	 1	/* normalize_ani: no caller ID */

/* Output sizes, each with room for the NUL. */
#define NORM_PHONE_SIZE		12	/* 10 or 11 digits */
#define NORM_DATE_SIZE		11	/* YYYY-MM-DD */
#define NORM_POSTAL_SIZE	8	/* 7 digits */
#define NORM_KANA_SIZE		256	/* longer kana names are invalid */
#define NORM_ADDRESS_SIZE	1024	/* longer addresses are invalid */

/* Longest input any normalizer looks at; longer input is invalid. */
#define NORM_INPUT_MAX		1024

/* Phone number -> national form, digits only, leading 0. */
int	normalize_phone(const char *in, char out[NORM_PHONE_SIZE],
	    const char **reason);

/*
 * Caller ID (ANI) -> national form, or NORM_WITHHELD for the values that
 * mean "no caller ID" (empty, anonymous, P, O, 非通知, ...). A value that is
 * neither withheld nor a valid phone number is NORM_INVALID.
 */
int	normalize_ani(const char *in, char out[NORM_PHONE_SIZE],
	    const char **reason);

/*
 * Birthdate -> YYYY-MM-DD. today is the reference date as YYYYMMDD
 * (normalize_today() for the real one): a date after it is invalid, as is
 * one before 1900-01-01.
 */
int	normalize_birthdate(const char *in, int today,
	    char out[NORM_DATE_SIZE], const char **reason);

/* Today's date in the process time zone as YYYYMMDD. */
int	normalize_today(void);

/* Kana name -> canonical katakana (voiced marks joined, folded, no spaces). */
int	normalize_kana(const char *in, char out[NORM_KANA_SIZE],
	    const char **reason);

/* Postal code -> 7 digits. */
int	normalize_postal(const char *in, char out[NORM_POSTAL_SIZE],
	    const char **reason);

/* Gender -> ISO 5218 code, 1 (male) or 2 (female). */
int	normalize_gender(const char *in, int *out, const char **reason);

/*
 * Address -> one comparable form: NFKC, kanji numerals to digits,
 * 丁目/番地/番/号/の and dashes reduced to '-', spaces removed
 * (docs/NORMALIZATION.md).
 */
int	normalize_address(const char *in, char out[NORM_ADDRESS_SIZE],
	    const char **reason);

#endif
