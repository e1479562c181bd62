/*
 * normalize_address() on any bytes. A result (SPEC §5, docs/NORMALIZATION.md)
 * is non-empty UTF-8 that fits NORM_ADDRESS_SIZE, in NFKC, without white
 * space, control or format characters, variation selectors, ASCII lower
 * case or ヶ; it is its own normal form; spaces typed anywhere in the input
 * change nothing; and full-width digits and lower-case letters in place of
 * the result's give the result again.
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

/*
 * The result with full-width digits and lower-case ASCII letters, if that
 * fits NORM_INPUT_MAX; NULL otherwise.
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
		} else if (out[i] >= 'A' && out[i] <= 'Z')
			s[o++] = (char)(out[i] - 'A' + 'a');
		else
			s[o++] = out[i];
	}
	s[o] = '\0';
	return s;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char			*in, *out, *alt;
	const char		*reason = "unset";
	utf8proc_uint8_t	*nfkc;
	utf8proc_int32_t	 c;
	utf8proc_ssize_t	 r;
	size_t			 len, i;
	int			 rc;

	in = fuzz_cstring(data, size);
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
done:
	free(in);
	free(out);
	return 0;
}
