/*
 * normalize_kana() on any bytes. A result (SPEC §5, docs/NORMALIZATION.md)
 * is non-empty UTF-8 that fits NORM_KANA_SIZE, made of katakana and ー
 * only, with no small kana, no ヴ ヂ ヅ ヲ ヰ ヱ ヷ ヸ ヹ ヺ (all folded), no
 * ー that follows no kana; it is its own normal form, and its hiragana
 * and half-width spellings give it too, as does the result with spaces
 * and middle dots between its kana.
 */
#include "fuzz.h"

#include "normalize.h"

#define CHOUON	0x30FC	/* ー */

/* Whether c may appear in a normal form. */
static int
kana_allowed(utf8proc_int32_t c)
{
	switch (c) {
	case 0x30A1: case 0x30A3: case 0x30A5: case 0x30A7: case 0x30A9:
	case 0x30C3: case 0x30E3: case 0x30E5: case 0x30E7: case 0x30EE:
	case 0x30F5: case 0x30F6:		/* small kana */
	case 0x30F4: case 0x30C2: case 0x30C5:	/* ヴ ヂ ヅ */
	case 0x30F2: case 0x30F0: case 0x30F1:	/* ヲ ヰ ヱ */
	case 0x30F7: case 0x30F8: case 0x30F9: case 0x30FA: /* ヷ ヸ ヹ ヺ */
		return 0;
	}
	return (c >= 0x30A1 && c <= 0x30FA) || c == CHOUON;
}

/*
 * Half-width katakana: hw[c - 0x30A0] is the half-width form of katakana
 * c, built from NFKC of U+FF66-FF9D; voiced kana are their base and a
 * half-width mark ﾞ or ﾟ.
 */
static utf8proc_int32_t	 hw[0x60];

static void
hw_init(void)
{
	utf8proc_int32_t	 c, full;
	utf8proc_ssize_t	 n;

	for (c = 0xFF66; c <= 0xFF9D; c++) {
		n = utf8proc_decompose_char(c, &full, 1,
		    UTF8PROC_DECOMPOSE | UTF8PROC_COMPAT, NULL);
		if (n == 1 && full >= 0x30A0 && full < 0x3100)
			hw[full - 0x30A0] = c;
	}
}

/* Appends the half-width spelling of katakana c to s[*o]; 0 if none. */
static int
put_halfwidth(char *s, size_t *o, utf8proc_int32_t c)
{
	utf8proc_int32_t	 d[2];
	utf8proc_ssize_t	 n, k;

	if (c == CHOUON) {
		*o += (size_t)utf8proc_encode_char(0xFF70,
		    (utf8proc_uint8_t *)s + *o);
		return 1;
	}
	/* ガ is カ and U+3099: canonical decomposition, at most two. */
	n = utf8proc_decompose_char(c, d, 2, UTF8PROC_DECOMPOSE, NULL);
	if (n < 1 || n > 2 || d[0] < 0x30A0 || d[0] >= 0x3100 ||
	    hw[d[0] - 0x30A0] == 0)
		return 0;
	*o += (size_t)utf8proc_encode_char(hw[d[0] - 0x30A0],
	    (utf8proc_uint8_t *)s + *o);
	for (k = 1; k < n; k++)
		*o += (size_t)utf8proc_encode_char(d[k] == 0x3099 ? 0xFF9E :
		    0xFF9F, (utf8proc_uint8_t *)s + *o);
	return 1;
}

/* normalize_kana(spelling) must give want. */
static void
same_as(const char *spelling, const char *want)
{
	char		*in, *out;
	const char	*reason;
	int		 rc;

	in = fuzz_cstring((const uint8_t *)spelling, strlen(spelling));
	out = fuzz_out(NORM_KANA_SIZE);
	rc = normalize_kana(in, out, &reason);
	FUZZ_CHECK(rc == NORM_OK && strcmp(out, want) == 0,
	    "\"%s\" gives rc %d \"%s\", not \"%s\"", spelling, rc,
	    rc == NORM_OK ? out : reason, want);
	free(in);
	free(out);
}

/* Checks one input, as given or spelled in the alphabet. */
static void
check_input(const char *in, size_t size)
{
	char			*out, hira[NORM_KANA_SIZE];
	char			 half[2 * NORM_KANA_SIZE];
	char			 spaced[2 * NORM_KANA_SIZE];
	const char		*reason = "unset";
	utf8proc_int32_t	 c;
	utf8proc_ssize_t	 r;
	size_t			 len, i, h, o = 0, sp = 0;
	int			 rc, first = 1, halfok = 1;

	fuzz_begin(in);

	if (hw[0x30AB - 0x30A0] == 0)
		hw_init();

	out = fuzz_out(NORM_KANA_SIZE);
	rc = normalize_kana(in, out, &reason);
	FUZZ_CHECK(rc == NORM_OK || rc == NORM_INVALID, "rc %d", rc);
	if (strlen(in) > NORM_INPUT_MAX)
		FUZZ_CHECK(rc == NORM_INVALID, "too long, accepted");
	if (rc == NORM_INVALID) {
		fuzz_check_reason(reason, in, size, out, NORM_KANA_SIZE);
		goto done;
	}
	FUZZ_CHECK(reason == NULL, "valid, with a reason");
	len = strnlen(out, NORM_KANA_SIZE);
	FUZZ_CHECK(len > 0 && len < NORM_KANA_SIZE, "%zu bytes", len);
	FUZZ_CHECK(fuzz_utf8_valid(out, len), "not UTF-8");
	for (i = 0, h = 0; i < len; i += (size_t)r, first = 0) {
		r = utf8proc_iterate((const utf8proc_uint8_t *)out + i,
		    (utf8proc_ssize_t)(len - i), &c);
		FUZZ_CHECK(kana_allowed(c), "U+%04X in %s", (unsigned)c, out);
		FUZZ_CHECK(!(first && c == CHOUON), "leading ー: %s", out);
		/* A space or a middle dot after each kana. */
		memcpy(spaced + sp, out + i, (size_t)r);
		sp += (size_t)r;
		if (sp % 2)
			spaced[sp++] = ' ';
		else {
			memcpy(spaced + sp, "・", 3);
			sp += 3;
		}
		if (halfok)
			halfok = put_halfwidth(half, &o, c);
		/* Katakana with a hiragana twin, written as hiragana. */
		if (c >= 0x30A1 && c <= 0x30F6)
			c -= 0x60;
		h += (size_t)utf8proc_encode_char(c,
		    (utf8proc_uint8_t *)hira + h);
	}
	hira[h] = '\0';
	half[o] = '\0';
	spaced[sp] = '\0';
	same_as(out, out);
	same_as(hira, out);
	same_as(spaced, out);
	FUZZ_CHECK(halfok, "no half-width form for %s", out);
	same_as(half, out);
done:
	free(out);
}

/*
 * The alphabet of kana names: hiragana, katakana and half-width letters that
 * take voiced marks or fold, the marks in every form, dashes, spaces and
 * dots, and what is no kana (see fuzz_spell()).
 */
static const utf8proc_int32_t alphabet[] = {
	0x3042, 0x304B, 0x304C, 0x3055, 0x306F, 0x3071, 0x3046, 0x3094,
	0x3095, 0x3096, 0x309D, 0x309E, 0x309F, 0x30A2, 0x30AB, 0x30AC,
	0x30B1, 0x30CF, 0x30D1, 0x30A6, 0x30F4, 0x30EF, 0x30F7, 0x30F0,
	0x30F8, 0x30F1, 0x30F9, 0x30F2, 0x30FA, 0x30A1, 0x30C3, 0x30E3,
	0x30EE, 0x30F5, 0x30F6, 0x30F3, 0x30FD, 0x30FE, 0x30FF, 0x30C2,
	0x30C5, 0xFF66, 0xFF67, 0xFF6F, 0xFF76, 0xFF8A, 0xFF73, 0xFF9C,
	0xFF9D, 0xFF9E, 0xFF9F, 0xFF70, 0xFF65, 0x3099, 0x309A, 0x309B,
	0x309C, 0x30FC, '-', 0x2010, 0x2212, 0x2015, 0x301C, ' ', 0x3000,
	'\t', 0x30FB, 0x00B7, 0x30A0, '=', 0x32D0, 0x3300, 0x337F, 0x6F22,
	'A', 0xFF41, '1', 0x1B000, 0x31F0, 0x3031, 0x0301, 0x20DD, 0xFE00,
	0x200B,
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
