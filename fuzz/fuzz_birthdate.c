/*
 * normalize_birthdate() on any bytes, judged on two days: the day the test
 * vectors are judged on and the real today. A result is YYYY-MM-DD, a real
 * calendar date, not before 1900-01-01 and not after today (SPEC §5); the
 * reference day only decides "in the future"; and the result, also spelled
 * YYYYMMDD and YYYY/M/D, is its own normal form.
 */
#include "fuzz.h"

#include "normalize.h"

/* The day tests/data/normalize.tsv is judged on. */
#define VECTORS_DAY	20261122

static int
days_in_month(int y, int m)
{
	static const int days[] = {
	    31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 29;
	return days[m - 1];
}

/* normalize_birthdate(spelling, today) must give want. */
static void
same_as(const char *spelling, int today, const char *want)
{
	char		*in, *out;
	const char	*reason;
	int		 rc;

	in = fuzz_cstring((const uint8_t *)spelling, strlen(spelling));
	out = fuzz_out(NORM_DATE_SIZE);
	rc = normalize_birthdate(in, today, out, &reason);
	FUZZ_CHECK(rc == NORM_OK && strcmp(out, want) == 0,
	    "\"%s\" gives rc %d \"%s\", not \"%s\"", spelling, rc,
	    rc == NORM_OK ? out : reason, want);
	free(in);
	free(out);
}

/* Checks one result against today; its value as YYYYMMDD, or 0. */
static int
check(const char *in, size_t size, int today, int rc, const char *out,
    const char *reason)
{
	char	 alt[32];
	int	 i, y, m, d, v;

	FUZZ_CHECK(rc == NORM_OK || rc == NORM_INVALID, "rc %d", rc);
	if (strlen(in) > NORM_INPUT_MAX)
		FUZZ_CHECK(rc == NORM_INVALID, "too long, accepted");
	if (rc == NORM_INVALID) {
		fuzz_check_reason(reason, in, size, out, NORM_DATE_SIZE);
		return 0;
	}
	FUZZ_CHECK(reason == NULL, "valid, with a reason");
	FUZZ_CHECK(strnlen(out, NORM_DATE_SIZE) == 10, "not 10 bytes");
	for (i = 0; i < 10; i++) {
		if (i == 4 || i == 7)
			FUZZ_CHECK(out[i] == '-', "%s", out);
		else
			FUZZ_CHECK(out[i] >= '0' && out[i] <= '9', "%s", out);
	}
	y = atoi(out);
	m = atoi(out + 5);
	d = atoi(out + 8);
	FUZZ_CHECK(m >= 1 && m <= 12 && d >= 1 && d <= days_in_month(y, m),
	    "not a calendar date: %s", out);
	v = y * 10000 + m * 100 + d;
	FUZZ_CHECK(v >= 19000101, "before 1900-01-01: %s", out);
	FUZZ_CHECK(v <= today, "after %d: %s", today, out);

	same_as(out, today, out);
	snprintf(alt, sizeof alt, "%04d%02d%02d", y, m, d);
	same_as(alt, today, out);
	snprintf(alt, sizeof alt, "%d/%d/%d", y, m, d);
	same_as(alt, today, out);
	return v;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int	 real_today;
	char		*in, *out1, *out2;
	const char	*r1 = "unset", *r2 = "unset";
	int		 rc1, rc2, v1, v2, early, late;

	if (real_today == 0)
		real_today = normalize_today();
	early = real_today < VECTORS_DAY ? real_today : VECTORS_DAY;
	late = real_today < VECTORS_DAY ? VECTORS_DAY : real_today;

	in = fuzz_cstring(data, size);
	out1 = fuzz_out(NORM_DATE_SIZE);
	out2 = fuzz_out(NORM_DATE_SIZE);
	rc1 = normalize_birthdate(in, early, out1, &r1);
	rc2 = normalize_birthdate(in, late, out2, &r2);
	v1 = check(in, size, early, rc1, out1, r1);
	v2 = check(in, size, late, rc2, out2, r2);
	/* A later today only accepts more dates, and the same ones. */
	if (v1 != 0)
		FUZZ_CHECK(v2 == v1, "%s on %d, rc %d on %d", out1, early,
		    rc2, late);
	if (v1 == 0 && v2 != 0)
		FUZZ_CHECK(v2 > early, "%s refused on %d (%s)", out2, early,
		    r1);
	free(in);
	free(out1);
	free(out2);
	return 0;
}
