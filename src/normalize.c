/*
 * Normalization (SPEC §5): phone numbers, caller ID, birthdates, kana
 * names, postal codes, gender and addresses, each into one canonical form,
 * so that a value typed by a caller, an operator or a list matches the same
 * value typed anywhere else. docs/NORMALIZATION.md describes every rule.
 *
 * Nothing here allocates: NFKC runs through utf8proc_decompose() and
 * utf8proc_normalize_utf32() into a buffer on the stack (16 KiB, 32 KiB for
 * addresses), and the common ASCII inputs (phone numbers, birthdates) skip
 * NFKC altogether. All input
 * is treated as hostile: lengths are bounded by NORM_INPUT_MAX, invalid
 * UTF-8 is rejected, and every write into an out buffer is checked.
 */
#include <stdint.h>
#include <string.h>
#include <time.h>

#include <utf8proc.h>

#include "normalize.h"

typedef utf8proc_int32_t cp_t;

/*
 * Room for the NFKC form of one input, in code points. A code point may
 * expand to several (㍼ -> 昭和, ㌀ -> アパート), but real input stays far
 * below four per byte; input that would not fit is "too long".
 */
#define NFKC_MAX	(4 * NORM_INPUT_MAX)
#define NFKC_OPTIONS	(UTF8PROC_STABLE | UTF8PROC_COMPOSE | UTF8PROC_COMPAT)

/* A phone number has at most 11 digits; more are counted, not kept. */
#define PHONE_DIGITS_MAX	20

/* Reasons shared by several normalizers. */
static const char R_MISSING[] = "missing";
static const char R_TOO_LONG[] = "too long";
static const char R_UTF8[] = "not valid UTF-8";
static const char R_EMPTY[] = "empty";

/* Kanji and kana code points the rules below name. */
#define CP_NO_HIRA	0x306E	/* の */
#define CP_NO_KATA	0x30CE	/* ノ */
#define CP_NO_KANJI	0x4E4B	/* 之 */
#define CP_CHOU		0x4E01	/* 丁 */
#define CP_ME		0x76EE	/* 目 */
#define CP_BAN		0x756A	/* 番 */
#define CP_CHI		0x5730	/* 地 */
#define CP_GOU		0x53F7	/* 号 */
#define CP_JOU		0x6761	/* 条 */
#define CP_WARI		0x5272	/* 割 */
#define CP_GEN		0x5143	/* 元 */
#define CP_NEN		0x5E74	/* 年 */
#define CP_GATSU	0x6708	/* 月 */
#define CP_NICHI	0x65E5	/* 日 */
#define CP_CHOUON	0x30FC	/* ー */

static int
fail(const char **reason, const char *why)
{
	if (reason != NULL)
		*reason = why;
	return NORM_INVALID;
}

static int
ok(const char **reason)
{
	if (reason != NULL)
		*reason = NULL;
	return NORM_OK;
}

/*
 * Bounds the input and validates its UTF-8 before any rule looks at it, so
 * that every later loop can rely on len and on well-formed sequences.
 */
static int
input_check(const char *in, size_t *lenp, int *asciip, const char **reason)
{
	size_t			 len, i;
	int			 ascii = 1;
	utf8proc_ssize_t	 r;
	cp_t			 c;

	if (in == NULL)
		return fail(reason, R_MISSING);
	len = strnlen(in, NORM_INPUT_MAX + 1);
	if (len > NORM_INPUT_MAX)
		return fail(reason, R_TOO_LONG);
	for (i = 0; i < len; i++) {
		if ((unsigned char)in[i] >= 0x80) {
			ascii = 0;
			break;
		}
	}
	while (i < len) {
		r = utf8proc_iterate((const utf8proc_uint8_t *)in + i,
		    (utf8proc_ssize_t)(len - i), &c);
		if (r <= 0)
			return fail(reason, R_UTF8);
		i += (size_t)r;
	}
	*lenp = len;
	if (asciip != NULL)
		*asciip = ascii;
	return NORM_OK;
}

/* Decodes the code point at in[*i] of a string input_check() accepted. */
static cp_t
next_cp(const char *in, size_t len, size_t *i)
{
	utf8proc_ssize_t	 r;
	cp_t			 c;

	if ((unsigned char)in[*i] < 0x80)
		return (unsigned char)in[(*i)++];
	r = utf8proc_iterate((const utf8proc_uint8_t *)in + *i,
	    (utf8proc_ssize_t)(len - *i), &c);
	if (r <= 0) {
		/* Unreachable after input_check(); stop the caller's loop. */
		*i = len;
		return -1;
	}
	*i += (size_t)r;
	return c;
}

/*
 * Code points that NFKC leaves as they are and that nothing composes
 * with: printable ASCII, 々, hiragana, katakana with ・ and ー, and the
 * CJK unified ideographs. Combining marks, spacing voiced marks, the
 * ideographic space, half-width and full-width forms are all outside.
 */
static int
nfkc_stable(cp_t c)
{
	return (c >= 0x20 && c <= 0x7e) || c == 0x3005 ||
	    (c >= 0x3041 && c <= 0x3096) || (c >= 0x30a1 && c <= 0x30fc) ||
	    (c >= 0x4e00 && c <= 0x9fff);
}

/*
 * NFKC of in[0..len) into buf as code points, without the allocation that
 * utf8proc_map() would make. Text made only of NFKC-stable code points
 * (most names and addresses in a list) is copied as it is: utf8proc's
 * decomposition is the import's largest cost after sqlite.
 */
static int
nfkc(const char *in, size_t len, cp_t buf[NFKC_MAX], size_t *n,
    const char **reason)
{
	utf8proc_ssize_t	 r;
	size_t			 i = 0, k = 0;
	int			 stable = 1;

	while (i < len && stable) {
		if (k == NFKC_MAX)
			return fail(reason, R_TOO_LONG);
		buf[k] = next_cp(in, len, &i);
		stable = nfkc_stable(buf[k++]);
	}
	if (stable) {
		*n = k;
		return NORM_OK;
	}
	r = utf8proc_decompose((const utf8proc_uint8_t *)in,
	    (utf8proc_ssize_t)len, buf, NFKC_MAX, NFKC_OPTIONS);
	if (r == UTF8PROC_ERROR_INVALIDUTF8)
		return fail(reason, R_UTF8);
	if (r < 0)
		return fail(reason, "cannot be normalized");
	if (r > NFKC_MAX)
		return fail(reason, R_TOO_LONG);
	r = utf8proc_normalize_utf32(buf, r, NFKC_OPTIONS);
	if (r < 0)
		return fail(reason, "cannot be normalized");
	*n = (size_t)r;
	return NORM_OK;
}

static int
is_space(cp_t c)
{
	return c == ' ' || c == '\t' || c == 0x3000;
}

/* Every mark people type for a dash, hyphen, minus or long-vowel bar. */
static int
is_dash(cp_t c)
{
	switch (c) {
	case '-':
	case 0x2010:	/* ‐ hyphen */
	case 0x2011:	/* ‑ non-breaking hyphen */
	case 0x2012:	/* ‒ figure dash */
	case 0x2013:	/* – en dash */
	case 0x2014:	/* — em dash */
	case 0x2015:	/* ― horizontal bar */
	case 0x2212:	/* − minus sign */
	case 0x2500:	/* ─ box drawing horizontal */
	case 0xFE58:	/* ﹘ small em dash */
	case 0xFE63:	/* ﹣ small hyphen-minus */
	case 0xFF0D:	/* － full-width hyphen-minus */
	case CP_CHOUON:	/* ー prolonged sound mark */
	case 0xFF70:	/* ｰ half-width prolonged sound mark */
		return 1;
	}
	return 0;
}

/* ASCII and full-width digits; -1 for anything else. */
static int
digit_value(cp_t c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 0xFF10 && c <= 0xFF19)
		return c - 0xFF10;
	return -1;
}

static int
kanji_digit(cp_t c)
{
	switch (c) {
	case 0x3007:	return 0;	/* 〇 */
	case 0x4E00:	return 1;	/* 一 */
	case 0x4E8C:	return 2;	/* 二 */
	case 0x4E09:	return 3;	/* 三 */
	case 0x56DB:	return 4;	/* 四 */
	case 0x4E94:	return 5;	/* 五 */
	case 0x516D:	return 6;	/* 六 */
	case 0x4E03:	return 7;	/* 七 */
	case 0x516B:	return 8;	/* 八 */
	case 0x4E5D:	return 9;	/* 九 */
	}
	return -1;
}

static int
kanji_unit(cp_t c)
{
	switch (c) {
	case 0x5341:	return 10;	/* 十 */
	case 0x767E:	return 100;	/* 百 */
	case 0x5343:	return 1000;	/* 千 */
	}
	return 0;
}

static int
is_kanji_numeral(cp_t c)
{
	return kanji_digit(c) >= 0 || kanji_unit(c) > 0;
}

/*
 * Value of a run of kanji numerals, either positional (一九七五, 〇一) or
 * with units (五十, 三十一, 千九百七十五); *ndig is the digit count of a
 * positional run and 0 for one with units. -1 if the run is no number
 * (二三十, 十十).
 */
static int
kanji_number(const cp_t *s, size_t len, int *ndig)
{
	size_t	 i;
	int	 total = 0, cur = -1, last = 10000, d, u, units = 0;

	for (i = 0; i < len; i++)
		if (kanji_unit(s[i]) > 0)
			units = 1;
	if (!units) {
		if (len == 0 || len > 9)
			return -1;
		for (i = 0; i < len; i++)
			total = total * 10 + kanji_digit(s[i]);
		*ndig = (int)len;
		return total;
	}
	for (i = 0; i < len; i++) {
		if ((u = kanji_unit(s[i])) > 0) {
			if (u >= last)
				return -1;
			total += (cur == -1 ? 1 : cur) * u;
			cur = -1;
			last = u;
		} else {
			d = kanji_digit(s[i]);
			if (cur != -1 || d == 0)
				return -1;
			cur = d;
		}
	}
	if (cur != -1)
		total += cur;
	*ndig = 0;
	return total;
}

/* Appends the UTF-8 of c to out[*o], keeping room for the NUL. */
static int
put_cp(char *out, size_t size, size_t *o, cp_t c)
{
	utf8proc_uint8_t	 tmp[4];
	utf8proc_ssize_t	 r;

	r = utf8proc_encode_char(c, tmp);
	if (r <= 0)
		return -1;
	if (*o + (size_t)r >= size)
		return -1;
	memcpy(out + *o, tmp, (size_t)r);
	*o += (size_t)r;
	return 0;
}

/* in[*b..*e) is in[0..len) without its leading and trailing spaces. */
static void
trim_spaces(const char *in, size_t len, size_t *b, size_t *e)
{
	size_t	 i;

	for (*b = 0; *b < len; *b = i) {
		i = *b;
		if (!is_space(next_cp(in, len, &i)))
			break;
	}
	for (*e = *b, i = *b; i < len; )
		if (!is_space(next_cp(in, len, &i)))
			*e = i;
}

/*
 * Whether s[0..len) is word, ignoring ASCII case (and only ASCII case,
 * whatever the locale).
 */
static int
ascii_caseeq(const char *s, size_t len, const char *word)
{
	size_t	 i;
	int	 a, b;

	if (strlen(word) != len)
		return 0;
	for (i = 0; i < len; i++) {
		a = (unsigned char)s[i];
		b = (unsigned char)word[i];
		if (a >= 'A' && a <= 'Z')
			a += 'a' - 'A';
		if (a != b)
			return 0;
	}
	return 1;
}

/* Phone: what one input character means; folds full-width forms. */
static int
phone_char(cp_t c)
{
	int	 d;

	if ((d = digit_value(c)) >= 0)
		return '0' + d;
	switch (c) {
	case '+':
	case 0xFF0B:
		return '+';
	case '(':
	case 0xFF08:
		return '(';
	case ')':
	case 0xFF09:
		return ')';
	case '.':
	case 0xFF0E:
	case 0x00A0:
		return ' ';
	case '#':
	case '*':
	case 0xFF03:
	case 0xFF0A:
		return '#';
	}
	if (is_space(c) || is_dash(c))
		return ' ';
	if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= 0xFF21 && c <= 0xFF3A) || (c >= 0xFF41 && c <= 0xFF5A))
		return 'a';
	return -1;
}

/*
 * The prefixes whose numbers have 11 digits: 020, 050, 060, 070, 080
 * (which includes 0800) and 090.
 */
static int
phone_is_long(const char *d)
{
	return d[0] == '0' && d[2] == '0' && d[1] != '\0' &&
	    strchr("256789", d[1]) != NULL;
}

/*
 * Folds the input to digits first and only then reads prefixes, so that
 * any spacing or punctuation of "+81 (0)3-1234-5678" gives one answer.
 */
int
normalize_phone(const char *in, char out[NORM_PHONE_SIZE],
    const char **reason)
{
	char	 d[PHONE_DIGITS_MAX + 1];
	size_t	 len, i, nd = 0, skip;
	int	 c, plus = 0, depth = 0, intl = 0;

	out[0] = '\0';
	if (input_check(in, &len, NULL, reason) != NORM_OK)
		return NORM_INVALID;
	for (i = 0; i < len; ) {
		if (in[i] >= '0' && in[i] <= '9')
			c = in[i++];
		else
			c = phone_char(next_cp(in, len, &i));
		switch (c) {
		case ' ':
			break;
		case '+':
			if (nd > 0 || plus || depth > 0)
				return fail(reason, "'+' only at the start");
			plus = 1;
			break;
		case '(':
			if (++depth > 1)
				return fail(reason, "unbalanced parentheses");
			break;
		case ')':
			if (--depth < 0)
				return fail(reason, "unbalanced parentheses");
			break;
		case '#':
			return fail(reason,
			    "a service code with # or *, not a phone number");
		case 'a':
			return fail(reason, "contains letters");
		case -1:
			return fail(reason, "contains a character other than "
			    "digits, spaces, dashes and parentheses");
		default:
			if (nd < PHONE_DIGITS_MAX)
				d[nd] = (char)c;
			nd++;
			break;
		}
	}
	if (depth != 0)
		return fail(reason, "unbalanced parentheses");
	if (nd == 0)
		return fail(reason, plus ? "no digits" : R_EMPTY);
	if (nd > PHONE_DIGITS_MAX)
		return fail(reason, "too many digits");
	d[nd] = '\0';

	/* International forms: +81, 0081, 010 81 and a bare 81. */
	skip = 0;
	if (plus)
		intl = 1;
	else if (strncmp(d, "0081", 4) == 0) {
		intl = 1;
		skip = 2;
	} else if (strncmp(d, "01081", 5) == 0) {
		intl = 1;
		skip = 3;
	} else if (strncmp(d, "00", 2) == 0 || strncmp(d, "010", 3) == 0)
		return fail(reason, "not a Japanese phone number");
	else if (strncmp(d, "81", 2) == 0)
		intl = 1;
	if (intl) {
		if (strncmp(d + skip, "81", 2) != 0)
			return fail(reason, "not a Japanese phone number");
		skip += 2;
		/* The trunk 0 of "+81 (0)3 ..." and "+81 03 ..." */
		if (d[skip] == '0')
			skip++;
		/* d[skip - 1] becomes the national trunk 0. */
		skip--;
		d[skip] = '0';
		nd -= skip;
		memmove(d, d + skip, nd + 1);
	}

	if (nd < 10)
		return fail(reason, "too few digits for a phone number "
		    "(10 or 11 with the leading 0)");
	if (nd > 11)
		return fail(reason, "too many digits for a phone number "
		    "(10 or 11 with the leading 0)");
	if (d[0] != '0')
		return fail(reason, "does not start with 0 or +81");
	/* 00 and 010 dial abroad: no national number starts so. */
	if (d[1] == '0' || strncmp(d, "010", 3) == 0)
		return fail(reason, "not a Japanese phone number");
	if (nd == 11 && !phone_is_long(d))
		return fail(reason, "11 digits, but only 020/050/060/070/080/"
		    "090/0800 numbers have 11");
	if (nd == 10 && phone_is_long(d))
		return fail(reason, "020/050/060/070/080/090/0800 numbers "
		    "have 11 digits");
	memcpy(out, d, nd + 1);
	return ok(reason);
}

/*
 * Caller-ID values that mean "no caller ID" (SPEC §5), compared
 * case-insensitively for ASCII, exactly for the Japanese ones.
 */
static const char *const ani_withheld[] = {
	"anonymous", "restricted", "withheld", "unknown", "unavailable",
	"private", "p", "o", "c", "s", "266696687",
	"非通知", "公衆電話", "表示圏外", "通知不可能",
};

/*
 * Tells "no caller ID" apart from a number first, so that a withheld call
 * is never reported as an invalid phone number.
 */
int
normalize_ani(const char *in, char out[NORM_PHONE_SIZE],
    const char **reason)
{
	size_t	 len, b, e, k;

	out[0] = '\0';
	if (input_check(in, &len, NULL, reason) != NORM_OK)
		return NORM_INVALID;
	trim_spaces(in, len, &b, &e);
	if (e == b) {
		if (reason != NULL)
			*reason = "withheld";
		return NORM_WITHHELD;
	}
	for (k = 0; k < sizeof ani_withheld / sizeof ani_withheld[0]; k++) {
		if (ascii_caseeq(in + b, e - b, ani_withheld[k])) {
			if (reason != NULL)
				*reason = "withheld";
			return NORM_WITHHELD;
		}
	}
	return normalize_phone(in, out, reason);
}

/*
 * The Japanese eras a birthdate may be given in, oldest first; an era's
 * DTMF code (EYYMMDD) is its index + 1. The ligatures ㍾㍽㍼㍻㋿ need no
 * entry: NFKC expands them to the names.
 */
static const struct era {
	cp_t	 name[2];	/* 昭和; the first alone abbreviates it */
	char	 letter;	/* S */
	int	 year1;		/* western year of 元年 */
	int	 first;		/* YYYYMMDD */
	int	 last;		/* YYYYMMDD */
} eras[] = {
	{ { 0x660E, 0x6CBB }, 'M', 1868, 18680125, 19120729 },
	{ { 0x5927, 0x6B63 }, 'T', 1912, 19120730, 19261224 },
	{ { 0x662D, 0x548C }, 'S', 1926, 19261225, 19890107 },
	{ { 0x5E73, 0x6210 }, 'H', 1989, 19890108, 20190430 },
	{ { 0x4EE4, 0x548C }, 'R', 2019, 20190501, 99991231 },
};
#define NERAS	((int)(sizeof eras / sizeof eras[0]))

/*
 * A birthdate's parsed number: its value and how many digits it was
 * written with (0 for kanji with units such as 五十).
 */
struct dnum {
	int	 val;
	int	 ndig;
	int	 ascii;
};

static void
skip_spaces(const cp_t *s, size_t n, size_t *i)
{
	while (*i < n && is_space(s[*i]))
		(*i)++;
}

/* The era named at s[*i], by name, abbreviation or letter; -1 if none. */
static int
date_era(const cp_t *s, size_t n, size_t *i)
{
	int	 k;
	cp_t	 c = s[*i];

	if (c >= 'a' && c <= 'z')
		c -= 'a' - 'A';
	for (k = 0; k < NERAS; k++) {
		if (c == eras[k].letter) {
			(*i)++;
			return k;
		}
		if (c == eras[k].name[0]) {
			(*i)++;
			if (*i < n && s[*i] == eras[k].name[1])
				(*i)++;
			return k;
		}
	}
	return -1;
}

/* Reads one number, ASCII digits or kanji numerals, at s[*i]. */
static int
date_num(const cp_t *s, size_t n, size_t *i, struct dnum *num)
{
	size_t	 j = *i, k;
	int	 v = 0, nd = 0;

	if (j < n && s[j] >= '0' && s[j] <= '9') {
		while (j < n && s[j] >= '0' && s[j] <= '9') {
			if (nd < 9)
				v = v * 10 + (s[j] - '0');
			nd++;
			j++;
		}
		num->ascii = 1;
	} else if (j < n && is_kanji_numeral(s[j])) {
		for (k = j; k < n && is_kanji_numeral(s[k]); k++)
			;
		if ((v = kanji_number(s + j, k - j, &nd)) < 0)
			return -1;
		j = k;
		num->ascii = 0;
	} else
		return -1;
	num->val = v;
	num->ndig = nd;
	*i = j;
	return 0;
}

/* The separator at s[*i]: '-', '/', '.', or 年/月/日 as 'Y'/'M'/'D'. */
static int
date_sep(const cp_t *s, size_t n, size_t *i)
{
	int	 c;

	if (*i >= n)
		return 0;
	if (s[*i] == '/' || s[*i] == '.')
		c = s[*i];
	else if (is_dash(s[*i]))
		c = '-';
	else if (s[*i] == CP_NEN)
		c = 'Y';
	else if (s[*i] == CP_GATSU)
		c = 'M';
	else if (s[*i] == CP_NICHI)
		c = 'D';
	else
		return 0;
	(*i)++;
	return c;
}

static int
days_in_month(int y, int m)
{
	static const int days[] = {
	    31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 29;
	return days[m - 1];
}

/*
 * Checks a parsed date against the calendar, its era, 1900-01-01 and
 * today, and stores it as YYYYMMDD.
 */
static const char *
date_check(int era, int y, int m, int d, int today, int *ymd)
{
	int	 v;

	if (era >= 0) {
		if (y < 1)
			return "an era year starts at 1 (元年)";
		y += eras[era].year1 - 1;
	}
	if (y < 1 || y > 9999 || m < 1 || m > 12 || d < 1 ||
	    d > days_in_month(y, m))
		return "not a calendar date";
	v = y * 10000 + m * 100 + d;
	if (era >= 0 && (v < eras[era].first || v > eras[era].last))
		return "outside the era";
	if (v < 19000101)
		return "before 1900-01-01";
	if (v > today)
		return "in the future";
	*ymd = v;
	return NULL;
}

/* The digits-only forms: YYYYMMDD, EYYMMDD (DTMF) and, after an era, YYMMDD. */
static const char *
date_compact(int era, const struct dnum *num, int today, int *ymd)
{
	int	 v = num->val;

	if (!num->ascii)
		return "not a date";
	if (era < 0 && num->ndig == 8)
		return date_check(-1, v / 10000, v / 100 % 100, v % 100,
		    today, ymd);
	if (era < 0 && num->ndig == 7) {
		era = v / 1000000 - 1;
		if (era < 0 || era >= NERAS)
			return "the era digit of EYYMMDD must be 1-5";
		v %= 1000000;
		return date_check(era, v / 10000, v / 100 % 100, v % 100,
		    today, ymd);
	}
	if (era >= 0 && num->ndig == 6)
		return date_check(era, v / 10000, v / 100 % 100, v % 100,
		    today, ymd);
	if (era < 0 && num->ndig == 6)
		return "6 digits are ambiguous: use YYYYMMDD";
	if (num->ndig > 8)
		return "too many digits";
	return "incomplete date";
}

/* Parses the NFKC form of a birthdate (SPEC §5) into YYYYMMDD. */
static const char *
date_parse(const cp_t *s, size_t n, int today, int *ymd)
{
	struct dnum	 year, mon, day;
	size_t		 i = 0;
	int		 era, sep1, sep2;

	skip_spaces(s, n, &i);
	if (i == n)
		return R_EMPTY;
	era = date_era(s, n, &i);
	skip_spaces(s, n, &i);
	if (era >= 0 && i < n && s[i] == CP_GEN) {
		i++;
		year.val = 1;
		year.ndig = 1;
		year.ascii = 0;
	} else if (date_num(s, n, &i, &year) == -1)
		return era >= 0 && i == n ? "no year after the era" :
		    "not a date";
	skip_spaces(s, n, &i);
	if (i == n)
		return date_compact(era, &year, today, ymd);
	if ((sep1 = date_sep(s, n, &i)) == 0 || sep1 == 'M' || sep1 == 'D')
		return "not a date";
	skip_spaces(s, n, &i);
	if (date_num(s, n, &i, &mon) == -1)
		return "incomplete date";
	skip_spaces(s, n, &i);
	sep2 = date_sep(s, n, &i);
	if (sep2 == 0)
		return "incomplete date";
	if ((sep1 == 'Y' && sep2 != 'M') || (sep1 != 'Y' && sep2 != sep1))
		return "mixed separators";
	skip_spaces(s, n, &i);
	if (date_num(s, n, &i, &day) == -1)
		return "incomplete date";
	skip_spaces(s, n, &i);
	if (sep1 == 'Y' && i < n && s[i] == CP_NICHI) {
		i++;
		skip_spaces(s, n, &i);
	}
	if (i != n)
		return "unexpected text after the date";
	if (era < 0 && year.ndig != 4 && year.ndig != 0)
		return "the year needs 4 digits or an era";
	if (era >= 0 && year.ndig > 2)
		return "an era year has 1 or 2 digits";
	if (mon.ndig > 2 || day.ndig > 2)
		return "month and day have 1 or 2 digits";
	return date_check(era, year.val, mon.val, day.val, today, ymd);
}

/*
 * Parses the NFKC form of the input, except for ASCII input, which NFKC
 * leaves alone and which is by far the most common (DTMF and web forms).
 */
int
normalize_birthdate(const char *in, int today, char out[NORM_DATE_SIZE],
    const char **reason)
{
	cp_t		 buf[NFKC_MAX];
	size_t		 len, n, i;
	int		 ascii, ymd = 0, y, m, d;
	const char	*why;

	out[0] = '\0';
	if (input_check(in, &len, &ascii, reason) != NORM_OK)
		return NORM_INVALID;
	if (ascii) {
		/* NFKC leaves ASCII alone: skip it. */
		for (i = 0; i < len; i++)
			buf[i] = (unsigned char)in[i];
		n = len;
	} else if (nfkc(in, len, buf, &n, reason) != NORM_OK)
		return NORM_INVALID;
	if ((why = date_parse(buf, n, today, &ymd)) != NULL)
		return fail(reason, why);
	y = ymd / 10000;
	m = ymd / 100 % 100;
	d = ymd % 100;
	out[0] = (char)('0' + y / 1000);
	out[1] = (char)('0' + y / 100 % 10);
	out[2] = (char)('0' + y / 10 % 10);
	out[3] = (char)('0' + y % 10);
	out[4] = '-';
	out[5] = (char)('0' + m / 10);
	out[6] = (char)('0' + m % 10);
	out[7] = '-';
	out[8] = (char)('0' + d / 10);
	out[9] = (char)('0' + d % 10);
	out[10] = '\0';
	return ok(reason);
}

/* The process time zone is the hotline's: a birth "today" is local. */
int
normalize_today(void)
{
	/* Every lookup asks: one localtime_r a second, per thread. */
	static _Thread_local time_t	 cached_at;
	static _Thread_local int	 cached;
	time_t				 now = time(NULL);
	struct tm			 tm;

	if (now == cached_at && cached != 0)
		return cached;
	/* localtime_r only fails for years beyond int; UTC is close enough. */
	if (localtime_r(&now, &tm) == NULL && gmtime_r(&now, &tm) == NULL)
		return 0;
	cached_at = now;
	cached = (tm.tm_year + 1900) * 10000 + (tm.tm_mon + 1) * 100 +
	    tm.tm_mday;
	return cached;
}

/*
 * Hiragana, katakana and half-width katakana letters: what a spacing
 * voiced mark typed after it belongs to.
 */
static int
is_kana_letter(cp_t c)
{
	return (c >= 0x3041 && c <= 0x3096) || (c >= 0x30A1 && c <= 0x30FA) ||
	    (c >= 0xFF66 && c <= 0xFF9D);
}

/*
 * Turns each spacing voiced mark (゛ U+309B, ゜ U+309C) that follows a kana
 * letter into its combining form (U+3099, U+309A), in place: NFKC then
 * composes カ゛ into ガ, which it does not do for the spacing marks. Both
 * forms are three bytes in UTF-8, so only the last byte changes.
 */
static void
kana_join_marks(char *s, size_t len)
{
	size_t	 i = 0, at;
	cp_t	 c, prev = 0;

	while (i < len) {
		at = i;
		c = next_cp(s, len, &i);
		if ((c == 0x309B || c == 0x309C) && is_kana_letter(prev)) {
			s[at + 2] = (char)((unsigned char)s[at + 2] - 2);
			c = c - 2;
		}
		prev = c;
	}
}

/* Small kana to large, then the bank-kana foldings (SPEC §5, in order). */
static cp_t
kana_fold(cp_t c)
{
	switch (c) {
	case 0x30A1: case 0x30A3: case 0x30A5: case 0x30A7: case 0x30A9:
	case 0x30C3: case 0x30E3: case 0x30E5: case 0x30E7: case 0x30EE:
		c++;			/* ァィゥェォッャュョヮ */
		break;
	case 0x30F5:
		c = 0x30AB;		/* ヵ -> カ */
		break;
	case 0x30F6:
		c = 0x30B1;		/* ヶ -> ケ */
		break;
	}
	switch (c) {
	case 0x30F4:	return 0x30D6;	/* ヴ -> ブ */
	case 0x30C2:	return 0x30B8;	/* ヂ -> ジ */
	case 0x30C5:	return 0x30BA;	/* ヅ -> ズ */
	case 0x30F2:	return 0x30AA;	/* ヲ -> オ */
	case 0x30F0:	return 0x30A4;	/* ヰ -> イ */
	case 0x30F1:	return 0x30A8;	/* ヱ -> エ */
	}
	return c;
}

/*
 * Applies SPEC §5's steps in its order: join spacing voiced marks, NFKC,
 * hiragana to katakana, drop spaces and dots, dashes to ー, then fold.
 */
int
normalize_kana(const char *in, char out[NORM_KANA_SIZE], const char **reason)
{
	char	 pre[NORM_INPUT_MAX + 1];
	cp_t	 buf[NFKC_MAX], c, prev = 0;
	size_t	 len, n, i, o = 0;

	out[0] = '\0';
	if (input_check(in, &len, NULL, reason) != NORM_OK)
		return NORM_INVALID;
	memcpy(pre, in, len);
	pre[len] = '\0';
	kana_join_marks(pre, len);
	if (nfkc(pre, len, buf, &n, reason) != NORM_OK)
		return NORM_INVALID;
	for (i = 0; i < n; i++) {
		c = buf[i];
		if (c >= 0x3041 && c <= 0x3096)
			c += 0x60;		/* hiragana -> katakana */
		/* Spaces, middle dots, and ゠ or = between given names. */
		if (is_space(c) || c == 0x30FB || c == 0x00B7 ||
		    c == 0x30A0 || c == '=')
			continue;
		if (is_dash(c)) {
			if (!((prev >= 0x30A1 && prev <= 0x30FA) ||
			    prev == CP_CHOUON)) {
				out[0] = '\0';
				return fail(reason, "a long-vowel mark "
				    "that follows no kana");
			}
			c = CP_CHOUON;
		}
		c = kana_fold(c);
		if (c >= 0x30F7 && c <= 0x30FA) {
			/* ヷヸヹヺ are ヴァ ヴィ ヴェ ヴォ: ブア ブイ ブエ ブオ. */
			static const cp_t vowel[] = {
			    0x30A2, 0x30A4, 0x30A8, 0x30AA };

			if (put_cp(out, NORM_KANA_SIZE, &o, 0x30D6) == -1 ||
			    put_cp(out, NORM_KANA_SIZE, &o,
			    vowel[c - 0x30F7]) == -1) {
				out[0] = '\0';
				return fail(reason, R_TOO_LONG);
			}
			prev = c;
			continue;
		}
		if (!((c >= 0x30A1 && c <= 0x30FA) || c == CP_CHOUON)) {
			out[0] = '\0';
			if (c == 0x3099 || c == 0x309A)
				return fail(reason, "a voiced mark on a kana "
				    "that cannot take it");
			switch (utf8proc_category(c)) {
			case UTF8PROC_CATEGORY_LU:
			case UTF8PROC_CATEGORY_LL:
			case UTF8PROC_CATEGORY_LT:
			case UTF8PROC_CATEGORY_LM:
			case UTF8PROC_CATEGORY_LO:
			case UTF8PROC_CATEGORY_ND:
				return fail(reason, "not a kana name");
			default:
				break;
			}
			return fail(reason, "contains a character that is "
			    "not kana");
		}
		if (put_cp(out, NORM_KANA_SIZE, &o, c) == -1) {
			out[0] = '\0';
			return fail(reason, R_TOO_LONG);
		}
		prev = c;
	}
	out[o] = '\0';
	if (o == 0)
		return fail(reason, "no kana in it");
	return ok(reason);
}

/*
 * Accepts exactly one optional 〒, one optional separator after the third
 * digit and spaces around, so that anything else is reported, not guessed.
 */
int
normalize_postal(const char *in, char out[NORM_POSTAL_SIZE],
    const char **reason)
{
	char	 d[7];
	size_t	 len, i, nd = 0;
	cp_t	 c;
	int	 v, mark = 0, sep = 0, trailing = 0;

	out[0] = '\0';
	if (input_check(in, &len, NULL, reason) != NORM_OK)
		return NORM_INVALID;
	for (i = 0; i < len; ) {
		c = next_cp(in, len, &i);
		if ((v = digit_value(c)) >= 0) {
			if (trailing)
				return fail(reason, "spaces inside the code");
			if (nd == 7)
				return fail(reason, "more than 7 digits");
			d[nd++] = (char)('0' + v);
		} else if (c == 0x3012 || c == 0x3036) {
			/* 〒 or 〶, once, before the digits. */
			if (mark || nd > 0 || sep)
				return fail(reason, "〒 only at the start");
			mark = 1;
		} else if (is_space(c) && (nd == 0 || nd == 7 || trailing)) {
			/* Leading and trailing space. */
			if (nd == 7)
				trailing = 1;
		} else if (is_space(c) || is_dash(c)) {
			if (nd != 3 || sep)
				return fail(reason, "a separator only after "
				    "the first 3 digits");
			sep = 1;
		} else
			return fail(reason, "not 7 digits");
	}
	if (nd == 0)
		return fail(reason, R_EMPTY);
	if (nd != 7)
		return fail(reason, "not 7 digits");
	memcpy(out, d, 7);
	out[7] = '\0';
	return ok(reason);
}

/* Matches whole values only, so that "男女" or "male" are not guessed. */
int
normalize_gender(const char *in, int *out, const char **reason)
{
	static const struct {
		const char	*s;
		int		 code;
	} names[] = {
		{ "1", 1 }, { "M", 1 }, { "m", 1 }, { "男", 1 }, { "男性", 1 },
		{ "１", 1 }, { "Ｍ", 1 }, { "ｍ", 1 },
		{ "2", 2 }, { "F", 2 }, { "f", 2 }, { "女", 2 }, { "女性", 2 },
		{ "２", 2 }, { "Ｆ", 2 }, { "ｆ", 2 },
	};
	size_t	 len, b, e, k;

	*out = 0;
	if (input_check(in, &len, NULL, reason) != NORM_OK)
		return NORM_INVALID;
	trim_spaces(in, len, &b, &e);
	if (e == b)
		return fail(reason, R_EMPTY);
	for (k = 0; k < sizeof names / sizeof names[0]; k++) {
		if (strlen(names[k].s) == e - b &&
		    memcmp(in + b, names[k].s, e - b) == 0) {
			*out = names[k].code;
			return ok(reason);
		}
	}
	return fail(reason, "not 1/2/M/F/男/女");
}

/* Address tokens (docs/NORMALIZATION.md). */
enum atok {
	A_END,
	A_DIGITS,	/* ASCII digits */
	A_KANJI,	/* kanji numerals that form a number */
	A_MARK,		/* 丁目 番地 番 号 */
	A_DASH,		/* any dash */
	A_NO,		/* の ノ 之 */
	A_SUFFIX,	/* 条 地割: keep, but a numeral before is a number */
	A_TEXT,		/* one other code point */
};

struct addr_tok {
	enum atok	 kind;
	size_t		 start, end;
	int		 val;	/* A_KANJI with units */
	int		 ndig;	/* A_KANJI: positional digits, or 0 */
};

/* The token at s[i]. */
static void
addr_token(const cp_t *s, size_t n, size_t i, struct addr_tok *t)
{
	size_t	 j;

	t->start = i;
	t->end = i + 1;
	t->val = 0;
	t->ndig = 0;
	if (i >= n) {
		t->kind = A_END;
		t->end = n;
		return;
	}
	if (s[i] >= '0' && s[i] <= '9') {
		for (j = i; j < n && s[j] >= '0' && s[j] <= '9'; j++)
			;
		t->kind = A_DIGITS;
		t->end = j;
	} else if (is_kanji_numeral(s[i])) {
		for (j = i; j < n && is_kanji_numeral(s[j]); j++)
			;
		t->val = kanji_number(s + i, j - i, &t->ndig);
		t->kind = t->val >= 0 ? A_KANJI : A_TEXT;
		t->end = j;
	} else if (s[i] == CP_CHOU && i + 1 < n && s[i + 1] == CP_ME) {
		t->kind = A_MARK;
		t->end = i + 2;
	} else if (s[i] == CP_BAN && i + 1 < n && s[i + 1] == CP_CHI) {
		t->kind = A_MARK;
		t->end = i + 2;
	} else if (s[i] == CP_BAN || s[i] == CP_GOU)
		t->kind = A_MARK;
	else if (is_dash(s[i]))
		t->kind = A_DASH;
	else if (s[i] == CP_NO_HIRA || s[i] == CP_NO_KATA ||
	    s[i] == CP_NO_KANJI)
		t->kind = A_NO;
	else if (s[i] == CP_JOU)
		t->kind = A_SUFFIX;
	else if (s[i] == CP_CHI && i + 1 < n && s[i + 1] == CP_WARI) {
		t->kind = A_SUFFIX;
		t->end = i + 2;
	} else
		t->kind = A_TEXT;
}

static int
is_han(cp_t c)
{
	return (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF) ||
	    (c >= 0xF900 && c <= 0xFAFF) || (c >= 0x20000 && c <= 0x3FFFF) ||
	    c == 0x3005;
}

/* Whether the token at s[i] is a number (digits, or kanji numerals). */
static int
addr_number_at(const cp_t *s, size_t n, size_t i)
{
	struct addr_tok	 t;

	addr_token(s, n, i, &t);
	return t.kind == A_DIGITS || t.kind == A_KANJI;
}

/*
 * Whether kanji numerals are a house number rather than part of a place
 * name (四日市, 九十九里, 千代田): they are when a marker, dash, suffix or
 * の-and-a-number follows, or when they follow a marker and no kanji
 * follows them.
 */
static int
addr_kanji_is_number(const cp_t *s, size_t n, const struct addr_tok *t,
    int after_sep)
{
	struct addr_tok	 nx;

	addr_token(s, n, t->end, &nx);
	switch (nx.kind) {
	case A_MARK:
	case A_DASH:
	case A_SUFFIX:
		return 1;
	case A_NO:
		return addr_number_at(s, n, nx.end);
	case A_END:
		return after_sep;
	default:
		return after_sep && !is_han(s[nx.start]);
	}
}

/* Appends a number's decimal digits. */
static int
put_number(char *out, size_t size, size_t *o, int v)
{
	char	 tmp[16];
	size_t	 k = 0;

	do {
		tmp[k++] = (char)('0' + v % 10);
		v /= 10;
	} while (v > 0 && k < sizeof tmp);
	if (*o + k >= size)
		return -1;
	while (k > 0)
		out[(*o)++] = tmp[--k];
	return 0;
}

/*
 * Drops white space, invisible format characters (zero-width space, BOM)
 * and variation selectors (葛󠄀 is 葛) from an address, and folds ASCII
 * letters to upper case and ヶ to ケ; returns how many code points went or
 * were folded, or -1 for a control character. A fold counts because it
 * can make a pair that NFKC composes, as a removal can: ケ and U+3099 are
 * ゲ, I and U+0307 are İ.
 */
static int
addr_filter(cp_t *buf, size_t *n)
{
	size_t			 i, m, folded = 0;
	cp_t			 c;
	utf8proc_category_t	 cat;

	for (i = m = 0; i < *n; i++) {
		c = buf[i];
		cat = utf8proc_category(c);
		if (cat == UTF8PROC_CATEGORY_ZS || cat == UTF8PROC_CATEGORY_ZL ||
		    cat == UTF8PROC_CATEGORY_ZP || cat == UTF8PROC_CATEGORY_CF ||
		    c == '\t' || c == '\n' || c == '\r' || c == '\v' ||
		    c == '\f' || (c >= 0xFE00 && c <= 0xFE0F) ||
		    (c >= 0xE0100 && c <= 0xE01EF))
			continue;
		if (cat == UTF8PROC_CATEGORY_CC)
			return -1;
		if (c >= 'a' && c <= 'z') {
			c -= 'a' - 'A';
			folded++;
		} else if (c == 0x30F6) {
			c = 0x30B1;
			folded++;
		}
		buf[m++] = c;
	}
	i = *n - m;
	*n = m;
	return (int)(i + folded);
}

/*
 * NFKC and addr_filter() on an address. Removing what NFKC made of a
 * spacing mark (ハ゜ is ハ, ' ', U+309A) leaves marks to compose and
 * reorder, and so can a fold (ヶ゙ is ゲ once ヶ is ケ), so then the
 * filtered text goes through NFKC once more: the result is stable, and
 * normalizing it again changes nothing. Spaces are dropped before NFKC,
 * so most addresses need one pass only.
 */
static int
addr_fold(const char *in, size_t len, cp_t buf[NFKC_MAX], size_t *n,
    const char **reason)
{
	char			 bytes[4 * NFKC_MAX];
	size_t			 i, k = 0;
	utf8proc_ssize_t	 r;
	int			 pass, changed;

	for (i = 0; i < len; i++) {
		if (in[i] == ' ' || (in[i] >= '\t' && in[i] <= '\r'))
			continue;
		if (len - i >= 3 && memcmp(in + i, "\xe3\x80\x80", 3) == 0) {
			i += 2;		/* U+3000 */
			continue;
		}
		bytes[k++] = in[i];
	}
	for (pass = 0; ; pass++) {
		if (nfkc(bytes, k, buf, n, reason) != NORM_OK)
			return NORM_INVALID;
		if ((changed = addr_filter(buf, n)) == -1)
			return fail(reason, "contains control characters");
		if (changed == 0 || pass == 1)
			return NORM_OK;
		/* Back to UTF-8 for the second pass. */
		if ((r = utf8proc_reencode(buf, (utf8proc_ssize_t)*n, 0)) < 0)
			return fail(reason, "cannot be normalized");
		k = (size_t)r;
		memcpy(bytes, buf, k);
	}
}

/*
 * Writes numbers as digits and the separators between them as one '-',
 * leaving place names alone (docs/NORMALIZATION.md has the rules).
 */
int
normalize_address(const char *in, char out[NORM_ADDRESS_SIZE],
    const char **reason)
{
	cp_t		 buf[NFKC_MAX], c;
	size_t		 len, n, i, k, o = 0;
	struct addr_tok	 t;
	int		 prev = A_END, pending = 0, r = 0;

	out[0] = '\0';
	if (input_check(in, &len, NULL, reason) != NORM_OK)
		return NORM_INVALID;
	if (addr_fold(in, len, buf, &n, reason) != NORM_OK)
		return NORM_INVALID;

	/*
	 * prev is the role of the last token written: A_DIGITS for a number,
	 * A_MARK for a separator after a number (then pending says a '-' is
	 * owed to the next number), A_TEXT for anything else.
	 */
	for (i = 0; i < n && r == 0; i = t.end) {
		addr_token(buf, n, i, &t);
		if (t.kind == A_KANJI &&
		    !addr_kanji_is_number(buf, n, &t, prev == A_MARK))
			t.kind = A_TEXT;
		if (t.kind == A_NO && !((prev == A_DIGITS || prev == A_MARK) &&
		    addr_number_at(buf, n, t.end)))
			t.kind = A_TEXT;
		switch (t.kind) {
		case A_DIGITS:
		case A_KANJI:
			if (pending)
				r = put_cp(out, NORM_ADDRESS_SIZE, &o, '-');
			pending = 0;
			if (t.kind == A_KANJI && t.ndig == 0) {
				if (r == 0)
					r = put_number(out, NORM_ADDRESS_SIZE,
					    &o, t.val);
				prev = A_DIGITS;
				break;
			}
			for (k = t.start; k < t.end && r == 0; k++) {
				c = buf[k];
				if (t.kind == A_KANJI)
					c = '0' + kanji_digit(c);
				r = put_cp(out, NORM_ADDRESS_SIZE, &o, c);
			}
			prev = A_DIGITS;
			break;
		case A_MARK:
		case A_DASH:
		case A_NO:
			if (prev == A_DIGITS || prev == A_MARK) {
				pending = 1;
				prev = A_MARK;
				break;
			}
			/* FALLTHROUGH */
		default:
			pending = 0;
			for (k = t.start; k < t.end && r == 0; k++)
				r = put_cp(out, NORM_ADDRESS_SIZE, &o, buf[k]);
			prev = A_TEXT;
			break;
		}
	}
	if (r != 0) {
		out[0] = '\0';
		return fail(reason, R_TOO_LONG);
	}
	out[o] = '\0';
	if (o == 0)
		return fail(reason, R_EMPTY);
	return ok(reason);
}
