/*
 * normalize_birthdate() on any bytes, judged on two days: the day the test
 * vectors are judged on and the real today. A result is YYYY-MM-DD, a real
 * calendar date, not before 1900-01-01 and not after today (SPEC §5); the
 * reference day only decides "in the future"; and the result is its own
 * normal form and what every other form SPEC §5 lists gives for the date
 * (YYYYMMDD, YYYY/M/D, 年月日 in digits and kanji, and in its era: the
 * name, the letter, 元年, YYMMDD after the era and the DTMF EYYMMDD).
 */
#include "fuzz.h"

#include "normalize.h"

/* The day tests/data/normalize.tsv is judged on. */
#define VECTORS_DAY	20261122

/* The eras of SPEC §5: names, letters, 元年 and their first days. */
static const struct {
	const char	*name;
	char		 letter;
	int		 year1;
	int		 first, last;
} eras[] = {
	{ "明治", 'M', 1868, 18680125, 19120729 },
	{ "大正", 'T', 1912, 19120730, 19261224 },
	{ "昭和", 'S', 1926, 19261225, 19890107 },
	{ "平成", 'H', 1989, 19890108, 20190430 },
	{ "令和", 'R', 2019, 20190501, 99991231 },
};

/* n (1-9999) in kanji numerals with units: 千九百七十五, 五十, 十二. */
static void
kanji(char *buf, size_t size, int n)
{
	static const char *const digit[] = {
	    "", "一", "二", "三", "四", "五", "六", "七", "八", "九" };
	static const char *const unit[] = { "千", "百", "十", "" };
	static const int value[] = { 1000, 100, 10, 1 };
	size_t	 k;
	int	 d;

	buf[0] = '\0';
	for (k = 0; k < 4; k++) {
		d = n / value[k] % 10;
		if (d == 0)
			continue;
		if (d > 1 || value[k] == 1)
			strncat(buf, digit[d], size - strlen(buf) - 1);
		strncat(buf, unit[k], size - strlen(buf) - 1);
	}
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
	char	 alt[64], ky[32], km[16], kd[16];
	size_t	 k;
	int	 i, y, m, d, v, ey;

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
	snprintf(alt, sizeof alt, "%d.%d.%d", y, m, d);
	same_as(alt, today, out);
	snprintf(alt, sizeof alt, "%d年%d月%d日", y, m, d);
	same_as(alt, today, out);
	kanji(ky, sizeof ky, y);
	kanji(km, sizeof km, m);
	kanji(kd, sizeof kd, d);
	snprintf(alt, sizeof alt, "%s年%s月%s日", ky, km, kd);
	same_as(alt, today, out);

	/* The era forms, in the era the date belongs to. */
	for (k = 0; k < sizeof eras / sizeof eras[0]; k++)
		if (v >= eras[k].first && v <= eras[k].last)
			break;
	if (k == sizeof eras / sizeof eras[0])
		return v;
	ey = y - eras[k].year1 + 1;
	kanji(ky, sizeof ky, ey);
	snprintf(alt, sizeof alt, "%s%s年%s月%s日", eras[k].name,
	    ey == 1 ? "元" : ky, km, kd);
	same_as(alt, today, out);
	snprintf(alt, sizeof alt, "%s%d年%d月%d日", eras[k].name, ey, m, d);
	same_as(alt, today, out);
	snprintf(alt, sizeof alt, "%c%d.%d.%d", eras[k].letter, ey, m, d);
	same_as(alt, today, out);
	snprintf(alt, sizeof alt, "%c%02d/%02d/%02d", eras[k].letter + 32,
	    ey, m, d);
	same_as(alt, today, out);
	if (ey <= 99) {
		snprintf(alt, sizeof alt, "%s%02d%02d%02d", eras[k].name, ey,
		    m, d);
		same_as(alt, today, out);
		snprintf(alt, sizeof alt, "%d%02d%02d%02d", (int)k + 1, ey, m,
		    d);
		same_as(alt, today, out);
	}
	return v;
}

/* Checks one input, as given or spelled in the alphabet. */
static void
check_input(const char *in, size_t size)
{
	static int	 real_today;
	char		*out1, *out2;
	const char	*r1 = "unset", *r2 = "unset";
	int		 rc1, rc2, v1, v2, early, late;

	fuzz_begin(in);

	if (real_today == 0)
		real_today = normalize_today();
	early = real_today < VECTORS_DAY ? real_today : VECTORS_DAY;
	late = real_today < VECTORS_DAY ? VECTORS_DAY : real_today;

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
	free(out1);
	free(out2);
}

/*
 * The alphabet of birthdates: digits, separators, 年月日, era names, letters
 * and ligatures, kanji numerals, and compatibility forms that NFKC turns
 * into numbers and units (①, ㋃ 4月, ㏠ 1日) (see fuzz_spell()).
 */
static const utf8proc_int32_t alphabet[] = {
	'0', '1', '2', '3', '4', '5', '6', '7', '8', '9',
	'1', '9', '0', '2', '-', '/', '.', ' ', 'M', 'T', 'S', 'H', 'R',
	'm', 's', 'h', 'X', '\t', 0x3000, 0x2010, 0x2212, 0x30FC, 0xFF0D,
	0xFF0F, 0xFF0E, 0xFF10, 0xFF11, 0xFF19, 0x5E74, 0x6708, 0x65E5,
	0x5143, 0x660E, 0x6CBB, 0x5927, 0x6B63, 0x662D, 0x548C, 0x5E73,
	0x6210, 0x4EE4, 0x337E, 0x337D, 0x337C, 0x337B, 0x32FF, 0x3007,
	0x4E00, 0x4E8C, 0x4E09, 0x56DB, 0x4E94, 0x516D, 0x4E03, 0x516B,
	0x4E5D, 0x5341, 0x767E, 0x5343, 0x751F, 0x2460, 0x2488, 0x00B9,
	0x32C3, 0x32CB, 0x33E0, 0x33FE, 0x1D7CF,
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
