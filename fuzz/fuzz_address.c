/*
 * normalize_address() on any bytes. A result (SPEC §5, docs/NORMALIZATION.md)
 * is non-empty UTF-8 that fits NORM_ADDRESS_SIZE, in NFKC, without white
 * space, control or format characters, variation selectors, ASCII lower
 * case or ヶ; it is its own normal form; spaces typed anywhere in the input
 * change nothing; and full-width digits, lower-case letters and kanji
 * numerals before a dash in place of the result's give the result again.
 */
#include "fuzz.h"

#include "normalize.h"

/* Whether c may appear in a normal form. */
static int
address_allowed(utf8proc_int32_t c)
{
	switch (utf8proc_category(c)) {
	case UTF8PROC_CATEGORY_ZS:
	case UTF8PROC_CATEGORY_ZL:
	case UTF8PROC_CATEGORY_ZP:
	case UTF8PROC_CATEGORY_CC:
	case UTF8PROC_CATEGORY_CF:
		return 0;
	default:
		break;
	}
	return !(c >= 'a' && c <= 'z') && c != 0x30F6 &&
	    !(c >= 0xFE00 && c <= 0xFE0F) && !(c >= 0xE0100 && c <= 0xE01EF);
}

/* normalize_address(spelling) must give want (or be invalid, for NULL). */
static void
same_as(const char *what, const char *spelling, const char *want)
{
	char		*in, *out;
	const char	*reason;
	int		 rc;

	in = fuzz_cstring((const uint8_t *)spelling, strlen(spelling));
	out = fuzz_out(NORM_ADDRESS_SIZE);
	rc = normalize_address(in, out, &reason);
	if (want == NULL)
		FUZZ_CHECK(rc == NORM_INVALID, "%s: \"%s\" gives \"%s\", not "
		    "invalid", what, spelling, out);
	else
		FUZZ_CHECK(rc == NORM_OK && strcmp(out, want) == 0,
		    "%s: \"%s\" gives rc %d \"%s\", not \"%s\"", what,
		    spelling, rc, rc == NORM_OK ? out : reason, want);
	free(in);
	free(out);
}

/*
 * The input with a space after each code point, if the input is UTF-8
 * and the result fits NORM_INPUT_MAX; NULL otherwise.
 */
static char *
spaced(const char *in)
{
	utf8proc_int32_t	 c;
	utf8proc_ssize_t	 r;
	size_t			 i = 0, o = 0, len = strlen(in);
	char			*s;

	if ((s = malloc(2 * len + 1)) == NULL)
		abort();
	while (i < len) {
		r = utf8proc_iterate((const utf8proc_uint8_t *)in + i,
		    (utf8proc_ssize_t)(len - i), &c);
		if (r <= 0 || o + (size_t)r + 1 > NORM_INPUT_MAX) {
			free(s);
			return NULL;
		}
		memcpy(s + o, in + i, (size_t)r);
		o += (size_t)r;
		s[o++] = ' ';
		i += (size_t)r;
	}
	s[o] = '\0';
	return s;
}

/* The kanji numerals, each three bytes of UTF-8: digits, then units. */
static const char *const numerals[] = {
	"〇", "一", "二", "三", "四", "五", "六", "七", "八", "九",
	"十", "百", "千",
};

/* Whether s[0..i) ends in a kanji numeral. */
static int
kanji_numeral_before(const char *s, size_t i)
{
	size_t	 k;

	for (k = 0; k < sizeof numerals / sizeof numerals[0]; k++)
		if (i >= 3 && memcmp(s + i - 3, numerals[k], 3) == 0)
			return 1;
	return 0;
}

/* Appends n (1-9999) in kanji numerals with units (二十三, 百一, 千). */
static void
put_units(char *s, size_t *o, int n)
{
	static const char *const unit[] = { "千", "百", "十", "" };
	static const int value[] = { 1000, 100, 10, 1 };
	size_t	 k;
	int	 d;

	for (k = 0; k < 4; k++) {
		if ((d = n / value[k] % 10) == 0)
			continue;
		if (d > 1 || value[k] == 1) {
			memcpy(s + *o, numerals[d], 3);
			*o += 3;
		}
		if (value[k] > 1) {
			memcpy(s + *o, unit[k], 3);
			*o += 3;
		}
	}
}

/*
 * The result with each run of ASCII digits that a '-' follows written in
 * kanji numerals, positional (〇一) or, with units, when it has no leading
 * zero and is below 10,000: before a dash they are a number
 * (docs/NORMALIZATION.md), so the result comes back. Runs after a kanji
 * numeral stay, as they would join it. NULL if nothing changed or the
 * result would not fit NORM_INPUT_MAX.
 */
static char *
kanji_spelled(const char *out, int units)
{
	size_t	 i = 0, j, k, o = 0, len = strlen(out);
	int	 v, changed = 0;
	char	*s;

	if ((s = malloc(12 * len + 1)) == NULL)
		abort();
	while (i < len) {
		for (j = i; j < len && out[j] >= '0' && out[j] <= '9'; j++)
			;
		if (j == i || j == len || out[j] != '-' || j - i > 9 ||
		    kanji_numeral_before(out, i) ||
		    (units && (out[i] == '0' || j - i > 4))) {
			/* Not such a run: copy one byte, or the run. */
			j = j > i ? j : i + 1;
			memcpy(s + o, out + i, j - i);
			o += j - i;
			i = j;
			continue;
		}
		if (units) {
			for (k = i, v = 0; k < j; k++)
				v = v * 10 + (out[k] - '0');
			put_units(s, &o, v);
		} else {
			for (k = i; k < j; k++) {
				memcpy(s + o, numerals[out[k] - '0'], 3);
				o += 3;
			}
		}
		changed = 1;
		i = j;
	}
	s[o] = '\0';
	if (!changed || o > NORM_INPUT_MAX) {
		free(s);
		return NULL;
	}
	return s;
}

/* Whether the code point at s[i] is a combining mark (class not 0). */
static int
combining_at(const char *s, size_t len, size_t i)
{
	utf8proc_int32_t	 c;

	if (i >= len || utf8proc_iterate((const utf8proc_uint8_t *)s + i,
	    (utf8proc_ssize_t)(len - i), &c) <= 0)
		return 0;
	return utf8proc_get_property(c)->combining_class != 0;
}

/*
 * The result with full-width digits and lower-case ASCII letters, if that
 * fits NORM_INPUT_MAX; NULL otherwise. A letter before a combining mark
 * stays: j and U+030C compose into ǰ, which is no ASCII letter to fold,
 * while J and U+030C have no composed form (only ASCII is folded).
 */
static char *
widened(const char *out)
{
	size_t	 i, o = 0, len = strlen(out);
	char	*s;

	if ((s = malloc(3 * len + 1)) == NULL)
		abort();
	for (i = 0; i < len; i++) {
		if (o + 3 > NORM_INPUT_MAX) {
			free(s);
			return NULL;
		}
		if (out[i] >= '0' && out[i] <= '9') {
			s[o++] = '\xef';
			s[o++] = '\xbc';
			s[o++] = (char)(0x90 + out[i] - '0');
		} else if (out[i] >= 'A' && out[i] <= 'Z' &&
		    !combining_at(out, len, i + 1))
			s[o++] = (char)(out[i] - 'A' + 'a');
		else
			s[o++] = out[i];
	}
	s[o] = '\0';
	return s;
}

/* Checks one input, as given or spelled in the alphabet. */
static void
check_input(const char *in, size_t size)
{
	char			*out, *alt;
	const char		*reason = "unset";
	utf8proc_uint8_t	*nfkc;
	utf8proc_int32_t	 c;
	utf8proc_ssize_t	 r;
	size_t			 len, i;
	int			 rc;

	fuzz_begin(in);

	out = fuzz_out(NORM_ADDRESS_SIZE);
	rc = normalize_address(in, out, &reason);
	FUZZ_CHECK(rc == NORM_OK || rc == NORM_INVALID, "rc %d", rc);
	if (strlen(in) > NORM_INPUT_MAX)
		FUZZ_CHECK(rc == NORM_INVALID, "too long, accepted");
	if ((alt = spaced(in)) != NULL) {
		same_as("spaced", alt, rc == NORM_OK ? out : NULL);
		free(alt);
	}
	if (rc == NORM_INVALID) {
		fuzz_check_reason(reason, in, size, out, NORM_ADDRESS_SIZE);
		goto done;
	}
	FUZZ_CHECK(reason == NULL, "valid, with a reason");
	len = strnlen(out, NORM_ADDRESS_SIZE);
	FUZZ_CHECK(len > 0 && len < NORM_ADDRESS_SIZE, "%zu bytes", len);
	FUZZ_CHECK(fuzz_utf8_valid(out, len), "not UTF-8");
	for (i = 0; i < len; i += (size_t)r) {
		r = utf8proc_iterate((const utf8proc_uint8_t *)out + i,
		    (utf8proc_ssize_t)(len - i), &c);
		FUZZ_CHECK(address_allowed(c), "U+%04X in %s", (unsigned)c,
		    out);
	}
	nfkc = utf8proc_NFKC((const utf8proc_uint8_t *)out);
	FUZZ_CHECK(nfkc != NULL && strcmp((char *)nfkc, out) == 0,
	    "not NFKC: %s", out);
	free(nfkc);

	same_as("again", out, out);
	if ((alt = widened(out)) != NULL) {
		same_as("widened", alt, out);
		free(alt);
	}
	if ((alt = kanji_spelled(out, 0)) != NULL) {
		same_as("kanji", alt, out);
		free(alt);
	}
	if ((alt = kanji_spelled(out, 1)) != NULL) {
		same_as("kanji units", alt, out);
		free(alt);
	}
done:
	free(out);
}

/*
 * The alphabet of addresses: digits, kanji numerals and the marks around
 * them, dashes, spaces and invisible characters, letters in both cases, kana
 * that compose with marks, the marks, and compatibility forms (see
 * fuzz_spell()).
 */
static const utf8proc_int32_t alphabet[] = {
	'0', '1', '2', '3', '9', '-', ' ', '\t', '\n', 'a', 'b', 'i', 'j',
	'A', 'I', 0xFF11, 0xFF41, 0x3007, 0x4E00, 0x4E8C, 0x4E09, 0x56DB,
	0x4E5D, 0x5341, 0x767E, 0x5343, 0x4E01, 0x76EE, 0x756A, 0x5730,
	0x53F7, 0x306E, 0x30CE, 0x4E4B, 0x6761, 0x5272, 0x753A, 0x5E02,
	0x533A, 0x5BAE, 0x65E5, 0x5BA4, 0x2010, 0x2212, 0x2015, 0x30FC,
	0xFF70, 0xFF0D, 0x3000, 0x00A0, 0x2002, 0x200B, 0xFEFF, 0x00AD,
	0xFE00, 0xE0100, 0x3099, 0x309A, 0x309B, 0x309C, 0x0301, 0x0307,
	0x0308, 0x0323, 0x0328, 0x030A, 0x030C, 0x20E3, 0xFF76, 0xFF8A,
	0xFF9E, 0xFF9F, 0x30AB, 0x30B1, 0x30F6, 0x30CF, 0x30A6, 0x304B,
	0x306F, 0x2460, 0x3231, 0x337C, 0x3300, 0xFB01, 0x338F, 0x2163,
	0x212A, 0x212B, 0xFDFA, 0x0001, 0x007F,
};

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char	*in;

	in = fuzz_cstring(data, size);
	check_input(in, size);
	free(in);
	in = fuzz_spell(data, size, alphabet,
	    sizeof alphabet / sizeof alphabet[0], NORM_INPUT_MAX + 4);
	check_input(in, strlen(in));
	free(in);
	return 0;
}
