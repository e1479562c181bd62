/*
 * normalize_postal() on any bytes. A result is 7 ASCII digits (SPEC §5),
 * its own normal form, and what 〒NNN-NNNN and the full-width spelling
 * give too.
 */
#include "fuzz.h"

#include "normalize.h"

/* normalize_postal(spelling) must give want. */
static void
same_as(const char *spelling, const char *want)
{
	char		*in, *out;
	const char	*reason;
	int		 rc;

	in = fuzz_cstring((const uint8_t *)spelling, strlen(spelling));
	out = fuzz_out(NORM_POSTAL_SIZE);
	rc = normalize_postal(in, out, &reason);
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
	char		*out, alt[64];
	const char	*reason = "unset";
	size_t		 i, o;
	int		 rc;

	fuzz_begin(in);

	out = fuzz_out(NORM_POSTAL_SIZE);
	rc = normalize_postal(in, out, &reason);
	FUZZ_CHECK(rc == NORM_OK || rc == NORM_INVALID, "rc %d", rc);
	if (strlen(in) > NORM_INPUT_MAX)
		FUZZ_CHECK(rc == NORM_INVALID, "too long, accepted");
	if (rc == NORM_INVALID) {
		fuzz_check_reason(reason, in, size, out, NORM_POSTAL_SIZE);
		goto done;
	}
	FUZZ_CHECK(reason == NULL, "valid, with a reason");
	FUZZ_CHECK(strnlen(out, NORM_POSTAL_SIZE) == 7, "not 7 bytes");
	for (i = 0; i < 7; i++)
		FUZZ_CHECK(out[i] >= '0' && out[i] <= '9', "not a digit");
	same_as(out, out);
	snprintf(alt, sizeof alt, "〒%.3s-%s", out, out + 3);
	same_as(alt, out);
	/* Full-width digits: U+FF10 + d is EF BC 90+d. */
	for (i = 0, o = 0; i < 7; i++) {
		alt[o++] = '\xef';
		alt[o++] = '\xbc';
		alt[o++] = (char)(0x90 + out[i] - '0');
	}
	alt[o] = '\0';
	same_as(alt, out);
done:
	free(out);
}

/*
 * The alphabet of postal codes: digits (most of it), full-width digits, 〒
 * and 〶, separators and spaces (see fuzz_spell()).
 */
static const utf8proc_int32_t alphabet[] = {
	'0', '1', '2', '3', '4', '5', '6', '7', '8', '9',
	'0', '1', '2', '3', '4', '5', '6', '7', '8', '9',
	'-', ' ', '\t', 0x3000, 0x30FC, 0xFF0D, 0x2010, 0x2212, 0x3012,
	0x3036, 0xFF10, 0xFF11, 0xFF19, 'a', 0x2460, 0x00A0,
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
