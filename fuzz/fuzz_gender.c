/*
 * normalize_gender() on any bytes: 1 or 2 when valid (ISO 5218), a reason
 * when not, and spaces around a value change nothing.
 */
#include "fuzz.h"

#include "normalize.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char		*in, *spaced;
	const char	*reason = "unset";
	size_t		 len;
	int		 rc, g = -1, g2 = -1;

	in = fuzz_cstring(data, size);
	fuzz_begin(in);
	rc = normalize_gender(in, &g, &reason);
	FUZZ_CHECK(rc == NORM_OK || rc == NORM_INVALID, "rc %d", rc);
	if (strlen(in) > NORM_INPUT_MAX)
		FUZZ_CHECK(rc == NORM_INVALID, "too long, accepted");
	if (rc == NORM_INVALID) {
		fuzz_check_reason(reason, in, size, NULL, 0);
		goto done;
	}
	FUZZ_CHECK(reason == NULL, "valid, with a reason");
	FUZZ_CHECK(g == 1 || g == 2, "code %d", g);
	/* Spaces around: " \t" before and U+3000 after, if it fits. */
	len = strlen(in);
	if (len + 5 > NORM_INPUT_MAX)
		goto done;
	if ((spaced = malloc(len + 6)) == NULL)
		abort();
	memcpy(spaced, " \t", 2);
	memcpy(spaced + 2, in, len);
	memcpy(spaced + 2 + len, "\xe3\x80\x80", 4);
	FUZZ_CHECK(normalize_gender(spaced, &g2, &reason) == NORM_OK &&
	    g2 == g, "spaced: %d, not %d", g2, g);
	free(spaced);
done:
	free(in);
	return 0;
}
