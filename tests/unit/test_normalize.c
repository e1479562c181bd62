/*
 * Unit tests for normalize.c: every vector of tests/data/normalize.tsv
 * (SPEC §5), read at run time from $HOTLINE_TESTDATA (default tests/data),
 * plus the edge cases the vectors do not cover: address equivalences and
 * place names, era boundaries, hostile input, and the reasons given.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "normalize.h"

/* The vectors are judged on this day (the file's header asks for it). */
#define TODAY		20261122

/* Fewer vectors than this means the file was not read properly. */
#define MIN_VECTORS	150

/* Guard bytes after each out buffer, to catch overruns without ASan. */
#define GUARD		16

struct vector {
	int	 line;
	char	*kind;
	char	*input;
	char	*expected;
};

static struct vector	*vectors;
static size_t		 nvectors;
static int		 bad_lines;

static const char *const kinds[] = {
	"phone", "ani", "birthdate", "kana", "postal_code", "gender",
};

/* Splits one TSV line in place; returns the number of fields. */
static int
split_tabs(char *line, char **field, int max)
{
	int	 n = 0;
	char	*p = line;

	while (n < max) {
		field[n++] = p;
		if ((p = strchr(p, '\t')) == NULL)
			break;
		*p++ = '\0';
	}
	return n;
}

/* Reads every vector once for the whole group; a missing file leaves none,
 * which test_vectors_count then reports. */
static int
load_vectors(void **state)
{
	const char	*dir;
	char		 path[4096], *line = NULL, *field[4];
	size_t		 cap = 0, alloc = 0, k;
	ssize_t		 len;
	FILE		*fp;
	int		 lineno = 0, nf, known;

	(void)state;
	if ((dir = getenv("HOTLINE_TESTDATA")) == NULL || *dir == '\0')
		dir = "tests/data";
	snprintf(path, sizeof path, "%s/normalize.tsv", dir);
	if ((fp = fopen(path, "r")) == NULL) {
		fprintf(stderr, "cannot open %s\n", path);
		return 0;
	}
	while ((len = getline(&line, &cap, fp)) != -1) {
		lineno++;
		while (len > 0 && (line[len - 1] == '\n' ||
		    line[len - 1] == '\r'))
			line[--len] = '\0';
		if (len == 0 || line[0] == '#')
			continue;
		nf = split_tabs(line, field, 4);
		known = 0;
		for (k = 0; k < sizeof kinds / sizeof kinds[0]; k++)
			if (strcmp(field[0], kinds[k]) == 0)
				known = 1;
		if (nf < 3 || !known) {
			fprintf(stderr, "%s:%d: not a vector\n", path, lineno);
			bad_lines++;
			continue;
		}
		if (nvectors == alloc) {
			alloc = alloc ? alloc * 2 : 256;
			vectors = realloc(vectors, alloc * sizeof *vectors);
			if (vectors == NULL)
				abort();
		}
		vectors[nvectors].line = lineno;
		vectors[nvectors].kind = strdup(field[0]);
		vectors[nvectors].input = strdup(field[1]);
		vectors[nvectors].expected = strdup(field[2]);
		if (vectors[nvectors].kind == NULL ||
		    vectors[nvectors].input == NULL ||
		    vectors[nvectors].expected == NULL)
			abort();
		nvectors++;
	}
	free(line);
	fclose(fp);
	return 0;
}

static int
free_vectors(void **state)
{
	size_t	 i;

	(void)state;
	for (i = 0; i < nvectors; i++) {
		free(vectors[i].kind);
		free(vectors[i].input);
		free(vectors[i].expected);
	}
	free(vectors);
	vectors = NULL;
	nvectors = 0;
	return 0;
}

/*
 * Whether an invalid result's reason is acceptable: present, not a pointer
 * into the input, and not repeating it (inputs under 3 bytes, like "X",
 * may well appear in a fixed phrase).
 */
static int
reason_ok(const char *in, const char *reason)
{
	if (reason == NULL || *reason == '\0')
		return 0;
	if (in != NULL && reason >= in && reason <= in + strlen(in))
		return 0;
	if (in != NULL && strlen(in) >= 3 && strstr(reason, in) != NULL)
		return 0;
	return 1;
}

/*
 * Runs one normalizer named by kind on input and writes its result as the
 * vector file spells it: the value, "!invalid" or "-" (withheld).
 */
static void
run_kind(const char *kind, const char *input, char *got, size_t gotsize,
    const char **reason)
{
	char	 buf[NORM_ADDRESS_SIZE + GUARD];
	int	 rc, g = 0;
	size_t	 size, k;

	*reason = NULL;
	memset(buf, 0x5a, sizeof buf);
	if (strcmp(kind, "phone") == 0) {
		size = NORM_PHONE_SIZE;
		rc = normalize_phone(input, buf, reason);
	} else if (strcmp(kind, "ani") == 0) {
		size = NORM_PHONE_SIZE;
		rc = normalize_ani(input, buf, reason);
	} else if (strcmp(kind, "birthdate") == 0) {
		size = NORM_DATE_SIZE;
		rc = normalize_birthdate(input, TODAY, buf, reason);
	} else if (strcmp(kind, "kana") == 0) {
		size = NORM_KANA_SIZE;
		rc = normalize_kana(input, buf, reason);
	} else if (strcmp(kind, "postal_code") == 0) {
		size = NORM_POSTAL_SIZE;
		rc = normalize_postal(input, buf, reason);
	} else if (strcmp(kind, "gender") == 0) {
		size = 0;
		rc = normalize_gender(input, &g, reason);
		snprintf(buf, sizeof buf, "%d", g);
	} else {
		size = NORM_ADDRESS_SIZE;
		rc = normalize_address(input, buf, reason);
	}
	for (k = size; size > 0 && k < size + GUARD; k++)
		if ((unsigned char)buf[k] != 0x5a)
			fail_msg("%s: wrote past its out buffer", kind);
	if (rc == NORM_INVALID)
		snprintf(got, gotsize, "!invalid");
	else if (rc == NORM_WITHHELD)
		snprintf(got, gotsize, "-");
	else if (rc == NORM_OK)
		snprintf(got, gotsize, "%s", buf);
	else
		snprintf(got, gotsize, "?rc=%d", rc);
}

/* Checks every vector of one kind, reporting each failure before failing. */
static void
check_kind(const char *kind)
{
	char		 got[NORM_ADDRESS_SIZE + GUARD];
	char		 again[NORM_ADDRESS_SIZE + GUARD];
	const char	*reason;
	size_t		 i;
	int		 n = 0, bad = 0;

	for (i = 0; i < nvectors; i++) {
		if (strcmp(vectors[i].kind, kind) != 0)
			continue;
		n++;
		run_kind(kind, vectors[i].input, got, sizeof got, &reason);
		if (strcmp(got, vectors[i].expected) != 0) {
			print_error("normalize.tsv:%d: %s \"%s\": got \"%s\" "
			    "(%s), want \"%s\"\n", vectors[i].line, kind,
			    vectors[i].input, got, reason ? reason : "-",
			    vectors[i].expected);
			bad++;
		} else if (strcmp(got, "!invalid") == 0 &&
		    !reason_ok(vectors[i].input, reason)) {
			print_error("normalize.tsv:%d: %s \"%s\": bad reason "
			    "\"%s\"\n", vectors[i].line, kind,
			    vectors[i].input, reason ? reason : "(null)");
			bad++;
		} else if (strcmp(got, "!invalid") != 0 &&
		    strcmp(got, "-") != 0) {
			/* A normal form is its own normal form. */
			run_kind(kind, got, again, sizeof again, &reason);
			if (strcmp(got, again) != 0) {
				print_error("normalize.tsv:%d: %s \"%s\" is "
				    "not stable: \"%s\"\n", vectors[i].line,
				    kind, got, again);
				bad++;
			}
		}
	}
	assert_true(n > 0);
	assert_int_equal(bad, 0);
}

static void
test_vectors_count(void **state)
{
	(void)state;
	assert_int_equal(bad_lines, 0);
	assert_true(nvectors >= MIN_VECTORS);
}

static void
test_vectors_phone(void **state)
{
	(void)state;
	check_kind("phone");
}

static void
test_vectors_ani(void **state)
{
	(void)state;
	check_kind("ani");
}

static void
test_vectors_birthdate(void **state)
{
	(void)state;
	check_kind("birthdate");
}

static void
test_vectors_kana(void **state)
{
	(void)state;
	check_kind("kana");
}

static void
test_vectors_postal(void **state)
{
	(void)state;
	check_kind("postal_code");
}

static void
test_vectors_gender(void **state)
{
	(void)state;
	check_kind("gender");
}

/* Asserts one result, as check_kind does for a vector. */
static void
expect(const char *kind, const char *input, const char *want)
{
	char		 got[NORM_ADDRESS_SIZE + GUARD];
	char		 again[NORM_ADDRESS_SIZE + GUARD];
	const char	*reason;

	run_kind(kind, input, got, sizeof got, &reason);
	if (strcmp(got, want) != 0)
		fail_msg("%s \"%s\": got \"%s\" (%s), want \"%s\"", kind,
		    input, got, reason ? reason : "-", want);
	if (strcmp(want, "!invalid") != 0 && strcmp(want, "-") != 0) {
		run_kind(kind, got, again, sizeof again, &reason);
		if (strcmp(got, again) != 0)
			fail_msg("%s \"%s\" is not stable: \"%s\"", kind,
			    got, again);
	}
	if (strcmp(want, "!invalid") == 0 && !reason_ok(input, reason))
		fail_msg("%s \"%s\": bad reason \"%s\"", kind, input,
		    reason ? reason : "(null)");
}

/* Asserts an invalid result and its exact reason. */
static void
expect_reason(const char *kind, const char *input, const char *want)
{
	char		 got[NORM_ADDRESS_SIZE + GUARD];
	const char	*reason;

	run_kind(kind, input, got, sizeof got, &reason);
	if (strcmp(got, "!invalid") != 0 || reason == NULL ||
	    strcmp(reason, want) != 0)
		fail_msg("%s \"%s\": got \"%s\" (%s), want reason \"%s\"",
		    kind, input, got, reason ? reason : "(null)", want);
}

static void
test_address_equivalences(void **state)
{
	static const char *const same[] = {
		"東京都千代田区千代田1丁目1番1号",
		"東京都千代田区千代田1-1-1",
		"東京都千代田区千代田一丁目一番一号",
		"東京都 千代田区 千代田１－１－１",
		"東京都千代田区千代田1の1の1",
		"東京都千代田区千代田1丁目1-1",
		"東京都千代田区千代田1ー1ー1",
		"東京都千代田区千代田1‐1‐1",
		"東京都千代田区千代田1−1−1",
		"東京都千代田区千代田一の一の一",
		"東京都千代田区千代田一ノ一ノ一",
		"東京都千代田区千代田1丁目1番地の1",
		"東京都千代田区千代田1丁目1番地1",
		"　東京都千代田区千代田1-1-1-　",
		"東京都千代田区千代田①-1-1",
	};
	size_t	 i;

	(void)state;
	for (i = 0; i < sizeof same / sizeof same[0]; i++)
		expect("address", same[i], "東京都千代田区千代田1-1-1");

	expect("address", "大阪府大阪市北区梅田三丁目二十三番十号",
	    "大阪府大阪市北区梅田3-23-10");
	expect("address", "大阪府大阪市北区梅田3-23-10",
	    "大阪府大阪市北区梅田3-23-10");
	expect("address", "長野県塩尻市大字宗賀一〇一番地",
	    "長野県塩尻市大字宗賀101");
	expect("address", "長野県塩尻市大字宗賀百一番地",
	    "長野県塩尻市大字宗賀101");
	expect("address", "札幌市中央区北一条西二丁目1",
	    "札幌市中央区北1条西2-1");
	expect("address", "札幌市中央区北1条西2丁目1番地",
	    "札幌市中央区北1条西2-1");
	expect("address", "岩手県九戸郡軽米町第一地割二番地",
	    "岩手県九戸郡軽米町第1地割2");
	expect("address", "東京都千代田区霞が関1-2-1",
	    "東京都千代田区霞が関1-2-1");
	expect("address", "埼玉県川越市霞ヶ関北1-2",
	    "埼玉県川越市霞ケ関北1-2");
	expect("address", "埼玉県川越市霞ケ関北1丁目2番",
	    "埼玉県川越市霞ケ関北1-2");
	expect("address", "東京都港区1丁目2番3号サンハイツ101号室",
	    "東京都港区1-2-3サンハイツ101室");
	expect("address", "東京都港区1-2-3 サンハイツ101号室",
	    "東京都港区1-2-3サンハイツ101室");
	expect("address", "ｻﾝﾊｲﾂ b棟", "サンハイツB棟");
	/* Invisible characters and variation selectors do not count. */
	expect("address", "東京都葛\xf3\xa0\x84\x80飾区\xe2\x80\x8b" "1-2",
	    "東京都葛飾区1-2");
	expect("address", "\xef\xbb\xbf東京都葛飾区1-2", "東京都葛飾区1-2");
	/* Spacing voiced marks join their kana, as in kana names. */
	expect("address", "ハ゜レス1-2", "パレス1-2");
	expect("address", "ﾊﾟﾚｽ1-2", "パレス1-2");
	/* A run of kanji numerals that is no number stays text, whole. */
	expect("address", "二三十-1", "二三十-1");
}

static void
test_address_place_names(void **state)
{
	static const char *const names[] = {
		"三重県四日市市",
		"千葉県山武郡九十九里町",
		"東京都三鷹市",
		"東京都八王子市",
		"愛知県一宮市",
		"新潟県十日町市",
		"東京都千代田区",
		"東京都中央区八丁堀",
		"兵庫県神戸市中央区三宮町",
		"兵庫県神戸市中央区三ノ宮",
		"京都府京都市上京区一条通",
		"東京都港区六本木",
		"広島県三次市",
		"宮城県仙台市若林区六丁の目中町",
		"センター",
	};
	char	 want[NORM_ADDRESS_SIZE];
	size_t	 i;

	(void)state;
	for (i = 0; i < sizeof names / sizeof names[0]; i++) {
		/* 一条通 keeps the place name but reads 一 before 条 as a
		 * number, like 北一条 in Sapporo. */
		if (strcmp(names[i], "京都府京都市上京区一条通") == 0)
			snprintf(want, sizeof want, "京都府京都市上京区1条通");
		else
			snprintf(want, sizeof want, "%s", names[i]);
		expect("address", names[i], want);
	}
	expect("address", "三重県四日市市四日市町一丁目二番",
	    "三重県四日市市四日市町1-2");
	expect("address", "千葉県山武郡九十九里町片貝二十三番地",
	    "千葉県山武郡九十九里町片貝23");
	expect("address", "東京都千代田区千代田一丁目三田ビル",
	    "東京都千代田区千代田1三田ビル");
	expect("address", "東京都千代田区一番町",
	    "東京都千代田区1町");
	expect("address", "東京都千代田区1番町",
	    "東京都千代田区1町");
}

static void
test_address_invalid(void **state)
{
	char	 big[NORM_INPUT_MAX + 2];

	(void)state;
	expect_reason("address", "", "empty");
	expect_reason("address", " 　 ", "empty");
	expect_reason("address", "東京都\x01千代田区", "contains control characters");
	memset(big, 'A', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	expect_reason("address", big, "too long");
	/* The longest address that fits the out buffer. */
	big[NORM_ADDRESS_SIZE - 1] = '\0';
	expect("address", big, big);
}

/*
 * Folding ヶ to ケ and ASCII letters to upper case can give a pair that NFKC
 * composes (ケ and U+3099 are ゲ; I and U+0307 are İ), so a fold, like a
 * removal, needs NFKC once more; without it the form is not stable.
 */
static void
test_address_fold_composes(void **state)
{
	(void)state;
	expect("address", "ヶ\xe3\x82\x99", "ゲ");
	expect("address", "霞ヶ\xe3\x82\x99関1-2", "霞ゲ関1-2");
	expect("address", "i\xcc\x87", "\xc4\xb0");
	expect("address", "Ai\xcc\x87" "1", "A\xc4\xb0" "1");
	/* A fold that composes with nothing stays one pass. */
	expect("address", "霞ヶ関b棟", "霞ケ関B棟");
}

/* Every normalizer on an input one byte too long, and on one that fits. */
static void
test_overlong_input(void **state)
{
	static const char *const all[] = {
		"phone", "ani", "birthdate", "kana", "postal_code", "gender",
		"address",
	};
	char	*big;
	size_t	 i;

	(void)state;
	big = malloc(NORM_INPUT_MAX + 2);
	assert_non_null(big);
	memset(big, '1', NORM_INPUT_MAX + 1);
	big[NORM_INPUT_MAX + 1] = '\0';
	for (i = 0; i < sizeof all / sizeof all[0]; i++)
		expect_reason(all[i], big, "too long");
	/* Within the limit but still hostile: many digits, many spaces. */
	big[NORM_INPUT_MAX] = '\0';
	expect_reason("phone", big, "too many digits");
	expect_reason("birthdate", big, "too many digits");
	memset(big, ' ', NORM_INPUT_MAX);
	expect_reason("phone", big, "empty");
	expect("ani", big, "-");
	/* 341 three-byte kana: within the input limit, past the out one. */
	for (i = 0; i + 3 <= NORM_INPUT_MAX; i += 3)
		memcpy(big + i, "カ", 3);
	big[i] = '\0';
	expect_reason("kana", big, "too long");
	/* An NFKC expansion (㌀ is アパート) past the out buffer. */
	for (i = 0; i + 3 <= NORM_INPUT_MAX; i += 3)
		memcpy(big + i, "㌀", 3);
	big[i] = '\0';
	expect_reason("kana", big, "too long");
	expect_reason("address", big, "too long");
	/* The worst NFKC expansion, ﷺ (18 code points): past NFKC_MAX. */
	for (i = 0; i + 3 <= NORM_INPUT_MAX; i += 3)
		memcpy(big + i, "\xef\xb7\xba", 3);
	big[i] = '\0';
	expect_reason("address", big, "too long");
	free(big);
}

static void
test_invalid_utf8(void **state)
{
	static const char *const all[] = {
		"phone", "ani", "birthdate", "kana", "postal_code", "gender",
		"address",
	};
	static const char *const bad[] = {
		"\xff",
		"090\2001234",
		"\xc0\xb0",			/* overlong '0' */
		"\xe0\x80\xb0",			/* overlong '0' */
		"\xed\xa0\x80",			/* surrogate U+D800 */
		"\xf4\x90\x80\x80",		/* past U+10FFFF */
		"\xe3\x82",			/* truncated カ */
		"ヤマダ\xe3",
		"1975-04-01\xfe",
	};
	size_t	 i, j;

	(void)state;
	for (i = 0; i < sizeof all / sizeof all[0]; i++)
		for (j = 0; j < sizeof bad / sizeof bad[0]; j++)
			expect_reason(all[i], bad[j], "not valid UTF-8");
}

static void
test_null_input(void **state)
{
	char		 out[NORM_ADDRESS_SIZE];
	const char	*reason = NULL;
	int		 g;

	(void)state;
	assert_int_equal(normalize_phone(NULL, out, &reason), NORM_INVALID);
	assert_non_null(reason);
	assert_int_equal(normalize_ani(NULL, out, NULL), NORM_INVALID);
	assert_int_equal(normalize_birthdate(NULL, TODAY, out, NULL),
	    NORM_INVALID);
	assert_int_equal(normalize_kana(NULL, out, NULL), NORM_INVALID);
	assert_int_equal(normalize_postal(NULL, out, NULL), NORM_INVALID);
	assert_int_equal(normalize_gender(NULL, &g, NULL), NORM_INVALID);
	assert_int_equal(normalize_address(NULL, out, NULL), NORM_INVALID);
	/* reason may be NULL on success and failure alike. */
	assert_int_equal(normalize_phone("abc", out, NULL), NORM_INVALID);
	assert_int_equal(normalize_phone("0312345678", out, NULL), NORM_OK);
	assert_string_equal(out, "0312345678");
}

static void
test_phone_edge(void **state)
{
	(void)state;
	expect("phone", "+81 (0)3-1234-5678", "0312345678");
	expect("phone", "+81(0)90-1234-5678", "09012345678");
	expect("phone", "＋８１（０）３－１２３４－５６７８", "0312345678");
	expect("phone", "81-3-1234-5678", "0312345678");
	expect("phone", "010 81 3 1234 5678", "0312345678");
	expect("phone", "0081 3 1234 5678", "0312345678");
	expect("phone", " 03.1234.5678 ", "0312345678");
	expect("phone", "03–1234—5678", "0312345678");
	expect("phone", "0120-220-614", "0120220614");
	expect("phone", "0800-123-4567", "08001234567");
	expect("phone", "0570-123-456", "0570123456");
	expect("phone", "080-123-4567", "!invalid");
	expect("phone", "0800-123-456", "!invalid");
	expect_reason("phone", "+1 212 555 0100", "not a Japanese phone number");
	expect_reason("phone", "010-1-212-555-0100",
	    "not a Japanese phone number");
	expect_reason("phone", "001-1-212-555-0100",
	    "not a Japanese phone number");
	expect_reason("phone", "00-1234-5678", "not a Japanese phone number");
	expect_reason("phone", "+81 10 1234 5678",
	    "not a Japanese phone number");
	expect_reason("phone", "+81 0 0312345678",
	    "not a Japanese phone number");
	expect_reason("phone", "03-1234-5678+", "'+' only at the start");
	expect_reason("phone", "(03-1234-5678", "unbalanced parentheses");
	expect_reason("phone", "03)1234(5678", "unbalanced parentheses");
	expect_reason("phone", "((03))1234-5678", "unbalanced parentheses");
	expect_reason("phone", "#9110",
	    "a service code with # or *, not a phone number");
	expect_reason("phone", "*67 03-1234-5678",
	    "a service code with # or *, not a phone number");
	expect_reason("phone", "03-1234-5678 ext", "contains letters");
	expect_reason("phone", "０３－１２３４－５６７８内線",
	    "contains a character other than digits, spaces, dashes and "
	    "parentheses");
	expect_reason("phone", "03-1234-5678\n",
	    "contains a character other than digits, spaces, dashes and "
	    "parentheses");
	expect_reason("phone", "+", "no digits");
	expect_reason("phone", "+81", "too few digits for a phone number "
	    "(10 or 11 with the leading 0)");
	expect_reason("phone", "9012345678", "does not start with 0 or +81");
	expect_reason("phone", "0120-1234-567", "11 digits, but only "
	    "020/050/060/070/080/090/0800 numbers have 11");
	expect_reason("phone", "090-1234-567",
	    "020/050/060/070/080/090/0800 numbers have 11 digits");
	expect_reason("phone", "188", "too few digits for a phone number "
	    "(10 or 11 with the leading 0)");
	expect_reason("phone", "012345678901234567890123",
	    "too many digits");
}

static void
test_ani_edge(void **state)
{
	(void)state;
	expect("ani", "  anonymous  ", "-");
	expect("ani", "ANONYMOUS", "-");
	expect("ani", "Private", "-");
	expect("ani", "p", "-");
	expect("ani", "　非通知　", "-");
	expect("ani", "   ", "-");
	expect("ani", "Unavailable", "-");
	expect("ani", "anonymously", "!invalid");
	expect("ani", "PP", "!invalid");
	expect("ani", " 090-1234-5678 ", "09012345678");
	expect("ani", "+81-90-1234-5678", "09012345678");
	expect_reason("ani", "110", "too few digits for a phone number "
	    "(10 or 11 with the leading 0)");
}

/* Each era boundary on both sides, by name, abbreviation, letter and DTMF. */
static void
test_birthdate_era_boundaries(void **state)
{
	(void)state;
	/* 明治 / 大正: 1912-07-29 | 1912-07-30 */
	expect("birthdate", "明治45年7月29日", "1912-07-29");
	expect_reason("birthdate", "明治45年7月30日", "outside the era");
	expect("birthdate", "大正元年7月30日", "1912-07-30");
	expect_reason("birthdate", "大正元年7月29日", "outside the era");
	expect("birthdate", "1450729", "1912-07-29");
	expect("birthdate", "2010730", "1912-07-30");
	expect_reason("birthdate", "2010729", "outside the era");
	expect_reason("birthdate", "1450730", "outside the era");
	/* 大正 / 昭和: 1926-12-24 | 1926-12-25 */
	expect("birthdate", "大15.12.24", "1926-12-24");
	expect_reason("birthdate", "大15.12.25", "outside the era");
	expect("birthdate", "T15/12/24", "1926-12-24");
	expect("birthdate", "昭元.12.25", "1926-12-25");
	expect_reason("birthdate", "S1.12.24", "outside the era");
	expect("birthdate", "3011225", "1926-12-25");
	expect_reason("birthdate", "3011224", "outside the era");
	expect("birthdate", "2151224", "1926-12-24");
	expect_reason("birthdate", "2151225", "outside the era");
	/* 昭和 / 平成: 1989-01-07 | 1989-01-08 */
	expect("birthdate", "S64.1.7", "1989-01-07");
	expect_reason("birthdate", "S64.1.8", "outside the era");
	expect("birthdate", "平1.1.8", "1989-01-08");
	expect_reason("birthdate", "h1.1.7", "outside the era");
	expect("birthdate", "㍻元年1月8日", "1989-01-08");
	expect_reason("birthdate", "4010107", "outside the era");
	/* 平成 / 令和: 2019-04-30 | 2019-05-01 */
	expect("birthdate", "平成31年4月30日", "2019-04-30");
	expect_reason("birthdate", "H31.5.1", "outside the era");
	expect("birthdate", "4310430", "2019-04-30");
	expect_reason("birthdate", "4310501", "outside the era");
	expect("birthdate", "令1.5.1", "2019-05-01");
	expect("birthdate", "㋿元年5月1日", "2019-05-01");
	expect("birthdate", "ｒ１．５．１", "2019-05-01");
	expect_reason("birthdate", "5010430", "outside the era");
	/* Era years past the end of the era. */
	expect_reason("birthdate", "大正16年1月1日", "outside the era");
	expect_reason("birthdate", "S99.1.1", "outside the era");
	expect_reason("birthdate", "昭和0年1月1日",
	    "an era year starts at 1 (元年)");
}

static void
test_birthdate_leap_days(void **state)
{
	(void)state;
	expect("birthdate", "平成12年2月29日", "2000-02-29");
	expect("birthdate", "H12.2.29", "2000-02-29");
	expect("birthdate", "4120229", "2000-02-29");
	expect("birthdate", "昭和63年2月29日", "1988-02-29");
	expect("birthdate", "令和2年2月29日", "2020-02-29");
	expect("birthdate", "大正5年2月29日", "1916-02-29");
	expect_reason("birthdate", "大正4年2月29日", "not a calendar date");
	expect("birthdate", "明治37年2月29日", "1904-02-29");
	expect_reason("birthdate", "令和3年2月29日", "not a calendar date");
	expect_reason("birthdate", "明治33年2月29日", "not a calendar date");
	expect_reason("birthdate", "3540229", "not a calendar date");
	expect_reason("birthdate", "1975-02-30", "not a calendar date");
	expect_reason("birthdate", "1975-00-10", "not a calendar date");
	expect_reason("birthdate", "1975-01-00", "not a calendar date");
	expect_reason("birthdate", "1975-01-32", "not a calendar date");
}

static void
test_birthdate_limits(void **state)
{
	char		 out[NORM_DATE_SIZE];
	const char	*reason;

	(void)state;
	/* 明治 starts before 1900, but nobody born then is alive. */
	expect_reason("birthdate", "明治32年12月31日", "before 1900-01-01");
	expect_reason("birthdate", "M1.1.25", "before 1900-01-01");
	expect_reason("birthdate", "1321231", "before 1900-01-01");
	expect("birthdate", "明治33年1月1日", "1900-01-01");
	expect("birthdate", "M33.1.1", "1900-01-01");
	expect("birthdate", "1330101", "1900-01-01");
	expect("birthdate", "1900-01-01", "1900-01-01");
	expect_reason("birthdate", "1899-12-31", "before 1900-01-01");
	/* today itself is allowed, the next day is not. */
	expect("birthdate", "2026-11-22", "2026-11-22");
	expect_reason("birthdate", "2026-11-23", "in the future");
	expect_reason("birthdate", "令和8年11月23日", "in the future");
	expect_reason("birthdate", "5081123", "in the future");
	assert_int_equal(normalize_birthdate("2030-01-01", 20300101, out,
	    &reason), NORM_OK);
	assert_null(reason);
	assert_string_equal(out, "2030-01-01");
	assert_int_equal(normalize_birthdate("2030-01-01", 20291231, out,
	    &reason), NORM_INVALID);
	assert_string_equal(reason, "in the future");
}

static void
test_birthdate_forms(void **state)
{
	(void)state;
	expect("birthdate", "一九七五年四月一日", "1975-04-01");
	expect("birthdate", "千九百七十五年四月一日", "1975-04-01");
	expect("birthdate", "昭和五十年十二月三十一日", "1975-12-31");
	expect("birthdate", "昭和五〇年一二月三一日", "1975-12-31");
	expect("birthdate", "昭和 50年 4月 1日", "1975-04-01");
	expect("birthdate", " 1975/04/01 ", "1975-04-01");
	expect("birthdate", "１９７５／４／１", "1975-04-01");
	expect("birthdate", "1975‐4‐1", "1975-04-01");
	expect("birthdate", "1975年4月1", "1975-04-01");
	expect("birthdate", "S500401", "1975-04-01");
	expect("birthdate", "昭和500401", "1975-04-01");
	expect("birthdate", "H元.1.8", "1989-01-08");
	expect("birthdate", "㍼50.4.1", "1975-04-01");
	expect("birthdate", "㍽15年12月24日", "1926-12-24");
	expect("birthdate", "㍽元年12月24日", "1912-12-24");
	expect("birthdate", "㍾45年7月29日", "1912-07-29");
	expect("birthdate", "Ｈ３１．４．３０", "2019-04-30");
	expect_reason("birthdate", "1975-4/1", "mixed separators");
	expect_reason("birthdate", "1975年4/1", "mixed separators");
	expect_reason("birthdate", "75-4-1", "the year needs 4 digits or an era");
	expect_reason("birthdate", "S050.4.1", "an era year has 1 or 2 digits");
	expect_reason("birthdate", "1975-004-01",
	    "month and day have 1 or 2 digits");
	expect_reason("birthdate", "750401",
	    "6 digits are ambiguous: use YYYYMMDD");
	expect_reason("birthdate", "6010101",
	    "the era digit of EYYMMDD must be 1-5");
	expect_reason("birthdate", "0750401",
	    "the era digit of EYYMMDD must be 1-5");
	expect_reason("birthdate", "1975-4", "incomplete date");
	expect_reason("birthdate", "1975-04-01 12:00",
	    "unexpected text after the date");
	expect_reason("birthdate", "昭和", "no year after the era");
	expect_reason("birthdate", "元年4月1日", "not a date");
	expect_reason("birthdate", "X50.4.1", "not a date");
	expect_reason("birthdate", "", "empty");
	expect_reason("birthdate", "   ", "empty");
	expect_reason("birthdate", "二三十年四月一日", "not a date");
}

static void
test_kana_edge(void **state)
{
	(void)state;
	/* Combining marks compose through NFKC. */
	expect("kana", "カ\xe3\x82\x99ンタ\xe3\x82\x99", "ガンダ");
	expect("kana", "ハ\xe3\x82\x9aン", "パン");
	expect("kana", "か゛", "ガ");
	expect("kana", "ｶ゛", "ガ");
	expect("kana", "カﾞ", "ガ");
	expect("kana", "ウ゛ァイオリン", "ブアイオリン");
	expect("kana", "ワ゛", "ブア");
	expect("kana", "ヷヸヹヺ", "ブアブイブエブオ");
	expect("kana", "ゕゖ", "カケ");
	expect("kana", "ヵヶ", "カケ");
	expect("kana", "サトー−", "サトーー");
	expect("kana", " ヤマダ\tタロウ ", "ヤマダタロウ");
	expect("kana", "ヤマダ·タロウ", "ヤマダタロウ");
	expect("kana", "ジャン゠ポール", "ジヤンポール");
	expect("kana", "ｼﾞｬﾝ=ﾎﾟｰﾙ", "ジヤンポール");
	expect_reason("kana", "゛カ", "a voiced mark on a kana that cannot "
	    "take it");
	expect_reason("kana", "ア゛", "a voiced mark on a kana that cannot "
	    "take it");
	expect_reason("kana", "ア\xe3\x82\x99", "a voiced mark on a kana "
	    "that cannot take it");
	expect_reason("kana", "ーヤマダ", "a long-vowel mark that follows "
	    "no kana");
	expect_reason("kana", "-", "a long-vowel mark that follows no kana");
	expect_reason("kana", "山田太郎", "not a kana name");
	expect_reason("kana", "yamada", "not a kana name");
	expect_reason("kana", "ヤマダ1", "not a kana name");
	expect_reason("kana", "ヤマダ!", "contains a character that is not "
	    "kana");
	expect_reason("kana", "ヤマダ♪", "contains a character that is not "
	    "kana");
	expect_reason("kana", "ヤマダ\x7f", "contains a character that is "
	    "not kana");
	expect_reason("kana", "・", "no kana in it");
	expect_reason("kana", "", "no kana in it");
}

static void
test_postal_edge(void **state)
{
	(void)state;
	expect("postal_code", " 〒 100-0013 ", "1000013");
	expect("postal_code", "〒１００ー００１３", "1000013");
	expect("postal_code", "100　0013", "1000013");
	expect_reason("postal_code", "〒〒100-0013", "〒 only at the start");
	expect_reason("postal_code", "100-0013〒", "〒 only at the start");
	expect_reason("postal_code", "10-00013",
	    "a separator only after the first 3 digits");
	expect_reason("postal_code", "100--0013",
	    "a separator only after the first 3 digits");
	expect_reason("postal_code", "1000013 1", "spaces inside the code");
	expect_reason("postal_code", "12345678", "more than 7 digits");
	expect_reason("postal_code", "123-456", "not 7 digits");
	expect_reason("postal_code", "abc-defg", "not 7 digits");
	expect_reason("postal_code", "〒", "empty");
	expect_reason("postal_code", "", "empty");
}

static void
test_gender_edge(void **state)
{
	(void)state;
	expect("gender", " 男 ", "1");
	expect("gender", "Ｍ", "1");
	expect("gender", "ｆ", "2");
	expect("gender", "２", "2");
	expect_reason("gender", "male", "not 1/2/M/F/男/女");
	expect_reason("gender", "男女", "not 1/2/M/F/男/女");
	expect_reason("gender", "0", "not 1/2/M/F/男/女");
	expect_reason("gender", "9", "not 1/2/M/F/男/女");
	expect_reason("gender", "", "empty");
}

static void
test_normalize_today(void **state)
{
	time_t		 now = time(NULL);
	struct tm	 tm;
	int		 t, want;

	(void)state;
	t = normalize_today();
	assert_non_null(localtime_r(&now, &tm));
	want = (tm.tm_year + 1900) * 10000 + (tm.tm_mon + 1) * 100 +
	    tm.tm_mday;
	/* Midnight may pass between the two calls. */
	assert_true(t == want || t + 1 == want || t / 100 % 100 == 12);
	assert_true(t > 20240101 && t < 99991231);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vectors_count),
		cmocka_unit_test(test_vectors_phone),
		cmocka_unit_test(test_vectors_ani),
		cmocka_unit_test(test_vectors_birthdate),
		cmocka_unit_test(test_vectors_kana),
		cmocka_unit_test(test_vectors_postal),
		cmocka_unit_test(test_vectors_gender),
		cmocka_unit_test(test_address_equivalences),
		cmocka_unit_test(test_address_place_names),
		cmocka_unit_test(test_address_invalid),
		cmocka_unit_test(test_address_fold_composes),
		cmocka_unit_test(test_overlong_input),
		cmocka_unit_test(test_invalid_utf8),
		cmocka_unit_test(test_null_input),
		cmocka_unit_test(test_phone_edge),
		cmocka_unit_test(test_ani_edge),
		cmocka_unit_test(test_birthdate_era_boundaries),
		cmocka_unit_test(test_birthdate_leap_days),
		cmocka_unit_test(test_birthdate_limits),
		cmocka_unit_test(test_birthdate_forms),
		cmocka_unit_test(test_kana_edge),
		cmocka_unit_test(test_postal_edge),
		cmocka_unit_test(test_gender_edge),
		cmocka_unit_test(test_normalize_today),
	};

	return cmocka_run_group_tests(tests, load_vectors, free_vectors);
}
