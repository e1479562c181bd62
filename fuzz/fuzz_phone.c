/*
 * normalize_phone() on any bytes. Besides memory errors, checks what
 * SPEC §5 and docs/NORMALIZATION.md promise of a result: 10 or 11 digits,
 * a leading 0 but not 00 or 010, 11 digits exactly for 020/050/060/070/
 * 080/090; digits that the input typed (the last ones, after the trunk
 * 0); a normal form that is its own normal form and that the +81, 0081,
 * 010 81 and +81 (0) spellings, parentheses, dashes and full-width digits
 * reach too.
 */
#include "fuzz.h"

#include "normalize.h"

/* The 11-digit prefixes of docs/NORMALIZATION.md. */
static int
long_prefix(const char *d)
{
	return d[0] == '0' && d[1] != '\0' && strchr("256789", d[1]) != NULL &&
	    d[2] == '0';
}

/* ASCII and full-width digits of s, in order; how many (capped at max). */
static size_t
typed_digits(const char *s, char *d, size_t max)
{
	utf8proc_int32_t	 c;
	utf8proc_ssize_t	 r;
	size_t			 i = 0, n = 0, len = strlen(s);

	while (i < len) {
		r = utf8proc_iterate((const utf8proc_uint8_t *)s + i,
		    (utf8proc_ssize_t)(len - i), &c);
		if (r <= 0)
			break;
		i += (size_t)r;
		if (c >= '0' && c <= '9' && n < max)
			d[n++] = (char)c;
		else if (c >= 0xFF10 && c <= 0xFF19 && n < max)
			d[n++] = (char)('0' + c - 0xFF10);
	}
	d[n] = '\0';
	return n;
}

/* normalize_phone(spelling) must give want. */
static void
same_as(const char *spelling, const char *want)
{
	char		*in, *out;
	const char	*reason;
	int		 rc;

	in = fuzz_cstring((const uint8_t *)spelling, strlen(spelling));
	out = fuzz_out(NORM_PHONE_SIZE);
	rc = normalize_phone(in, out, &reason);
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
	char		*out, typed[64], alt[64];
	const char	*reason = "unset";
	size_t		 len, i, nt;
	int		 rc;

	fuzz_begin(in);

	len = strlen(in);
	out = fuzz_out(NORM_PHONE_SIZE);
	rc = normalize_phone(in, out, &reason);
	FUZZ_CHECK(rc == NORM_OK || rc == NORM_INVALID, "rc %d", rc);
	if (len > NORM_INPUT_MAX)
		FUZZ_CHECK(rc == NORM_INVALID, "%zu bytes accepted", len);
	if (rc == NORM_INVALID) {
		fuzz_check_reason(reason, in, size, out, NORM_PHONE_SIZE);
		goto done;
	}

	FUZZ_CHECK(reason == NULL, "valid, with a reason");
	len = strnlen(out, NORM_PHONE_SIZE);
	FUZZ_CHECK(len == 10 || len == 11, "%zu digits", len);
	for (i = 0; i < len; i++)
		FUZZ_CHECK(out[i] >= '0' && out[i] <= '9', "not a digit");
	FUZZ_CHECK(out[0] == '0', "no leading 0: %s", out);
	FUZZ_CHECK(out[1] != '0' && strncmp(out, "010", 3) != 0,
	    "an international prefix: %s", out);
	FUZZ_CHECK((len == 11) == long_prefix(out), "%zu digits: %s", len,
	    out);

	/* Nothing invented: after the trunk 0, the last digits typed. */
	nt = typed_digits(in, typed, sizeof typed - 1);
	FUZZ_CHECK(nt >= len - 1 && strcmp(typed + nt - (len - 1),
	    out + 1) == 0, "%s from the digits %s", out, typed);

	same_as(out, out);
	snprintf(alt, sizeof alt, "+81%s", out + 1);
	same_as(alt, out);
	snprintf(alt, sizeof alt, "0081-%s", out + 1);
	same_as(alt, out);
	snprintf(alt, sizeof alt, "+81 (0)%s", out + 1);
	same_as(alt, out);
	snprintf(alt, sizeof alt, "010 81 %s", out + 1);
	same_as(alt, out);
	snprintf(alt, sizeof alt, "(%.3s) %.*s-%s", out, (int)len - 7,
	    out + 3, out + len - 4);
	same_as(alt, out);
	/* Full-width digits, U+FF10 + d (EF BC 90+d), and ー between. */
	for (i = 0, nt = 0; i < len; i++) {
		if (i == 3 || i == len - 4) {
			memcpy(alt + nt, "ー", 3);
			nt += 3;
		}
		alt[nt++] = '\xef';
		alt[nt++] = '\xbc';
		alt[nt++] = (char)(0x90 + out[i] - '0');
	}
	alt[nt] = '\0';
	same_as(alt, out);
done:
	free(out);
}

/*
 * The alphabet of phone numbers: digits (most of it), their full-width
 * forms, the separators and brackets, '+', service marks and letters (see
 * fuzz_spell()).
 */
static const utf8proc_int32_t alphabet[] = {
	'0', '1', '2', '3', '4', '5', '6', '7', '8', '9',
	'0', '1', '2', '3', '4', '5', '6', '7', '8', '9',
	'0', '0', '8', '1', '+', '(', ')', '-', ' ', '.', '#', '*', 'a', 'P',
	'\t', 0xFF10, 0xFF11, 0xFF18, 0xFF19, 0xFF0B, 0xFF08, 0xFF09, 0xFF0D,
	0xFF0E, 0x30FC, 0xFF70, 0x2010, 0x2011, 0x2012, 0x2013, 0x2014,
	0x2015, 0x2212, 0x2500, 0xFE58, 0xFE63, 0x3000, 0x00A0, 0xFF03,
	0xFF0A, 0xFF21, 0xFF41, 0x0660, 0x2460, 0x00B9, 0x1D7CE, 0x3099,
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
