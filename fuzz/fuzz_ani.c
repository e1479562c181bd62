/*
 * normalize_ani() on any bytes. Caller ID is "withheld" or a phone number
 * (SPEC §5): a number comes out exactly as normalize_phone() gives it, an
 * invalid value is no phone number either, a withheld value never hides a
 * valid number, and a normal form is its own normal form.
 */
#include "fuzz.h"

#include "normalize.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char		*in, *out, *phone, *again;
	const char	*reason = "unset", *preason;
	int		 rc, prc;

	in = fuzz_cstring(data, size);
	out = fuzz_out(NORM_PHONE_SIZE);
	phone = fuzz_out(NORM_PHONE_SIZE);
	again = fuzz_out(NORM_PHONE_SIZE);
	rc = normalize_ani(in, out, &reason);
	prc = normalize_phone(in, phone, &preason);
	switch (rc) {
	case NORM_OK:
		FUZZ_CHECK(prc == NORM_OK && strcmp(out, phone) == 0,
		    "caller ID \"%s\", phone rc %d", out, prc);
		FUZZ_CHECK(normalize_ani(out, again, &reason) == NORM_OK &&
		    strcmp(out, again) == 0, "\"%s\" is not stable", out);
		break;
	case NORM_INVALID:
		fuzz_check_reason(reason, in, size, out, NORM_PHONE_SIZE);
		FUZZ_CHECK(prc == NORM_INVALID, "invalid caller ID, phone %s",
		    phone);
		break;
	case NORM_WITHHELD:
		FUZZ_CHECK(prc == NORM_INVALID, "withheld, but phone %s",
		    phone);
		break;
	default:
		FUZZ_CHECK(0, "rc %d", rc);
	}
	free(in);
	free(out);
	free(phone);
	free(again);
	return 0;
}
