/*
 * normalize_ani() on any bytes. Caller ID is "withheld" or a phone number
 * (SPEC §5): a number comes out exactly as normalize_phone() gives it, an
 * invalid value is no phone number either, a withheld value never hides a
 * valid number, and a normal form is its own normal form.
 */
#include "fuzz.h"

#include "normalize.h"

/* Checks one input, as given or spelled in the alphabet. */
static void
check_input(const char *in, size_t size)
{
	char		*out, *phone, *again;
	const char	*reason = "unset", *preason;
	int		 rc, prc;

	fuzz_begin(in);

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
	free(out);
	free(phone);
	free(again);
}

/*
 * The alphabet of caller ID: digits, separators, the letters and kanji of
 * the withheld values (see fuzz_spell()).
 */
static const utf8proc_int32_t alphabet[] = {
	'0', '1', '2', '3', '4', '5', '6', '7', '8', '9',
	'0', '0', '8', '1', '6', '9', '+', '(', ')', '-', ' ', '\t',
	'P', 'O', 'C', 'S', 'p', 'o', 'c', 's', 'a', 'n', 'y', 'm', 'u',
	0xFF10, 0xFF19, 0x3000, 0x30FC, 0x975E, 0x901A, 0x77E5, 0x516C,
	0x8846, 0x96FB, 0x8A71, 0x8868, 0x793A, 0x570F, 0x5916, 0x4E0D,
	0x53EF, 0x80FD,
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
