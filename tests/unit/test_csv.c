/*
 * Unit tests for the streaming CSV reader (src/csv.c). Fixtures live in
 * $HOTLINE_TESTDATA/csv (default tests/data/csv, written by
 * make_fixtures.py there); inputs whose exact layout matters, such as a
 * CP932 character split across two read blocks, are generated here.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "csv.h"

/* The reader's read(2) size; every 4 KiB boundary is straddled anyway. */
#define TEST_BLOCK	(64 * 1024)
#define TEST_PAGE	4096

/* Writes the path of fixture name into buf. */
static void
fixture_path(char *buf, size_t len, const char *name)
{
	const char	*dir;

	dir = getenv("HOTLINE_TESTDATA");
	if (dir == NULL || *dir == '\0')
		dir = "tests/data";
	assert_true((size_t)snprintf(buf, len, "%s/csv/%s", dir, name) < len);
}

static struct csv_reader *
open_path(const char *path, enum csv_encoding enc)
{
	struct csv_reader	*r;
	char			*err = NULL;

	r = csv_open(path, enc, &err);
	if (r == NULL)
		fail_msg("csv_open %s: %s", path, err != NULL ? err : "?");
	assert_null(err);
	return r;
}

static struct csv_reader *
open_fixture(const char *name, enum csv_encoding enc)
{
	char	path[PATH_MAX];

	fixture_path(path, sizeof path, name);
	return open_path(path, enc);
}

/* Writes data to a new temporary file and returns its malloc'd path. */
static char *
temp_file(const void *data, size_t len)
{
	const char	*dir;
	char		*path;
	ssize_t		 n;
	size_t		 off = 0;
	int		 fd;

	if ((dir = getenv("TMPDIR")) == NULL || *dir == '\0')
		dir = "/tmp";
	assert_int_not_equal(asprintf(&path, "%s/test_csv.XXXXXX", dir), -1);
	fd = mkstemp(path);
	assert_int_not_equal(fd, -1);
	while (off < len) {
		n = write(fd, (const char *)data + off, len - off);
		assert_true(n > 0);
		off += n;
	}
	assert_int_equal(close(fd), 0);
	return path;
}

static void
temp_drop(char *path)
{
	unlink(path);
	free(path);
}

/* Reads one row and checks its line and every field. */
static void
expect_row(struct csv_reader *r, unsigned long line, size_t n, ...)
{
	struct csv_row	 row;
	va_list		 ap;
	size_t		 i;
	int		 rc;

	rc = csv_read(r, &row);
	if (rc != 1)
		fail_msg("line %lu: csv_read %d: %s at line %lu", line, rc,
		    csv_error(r), csv_error_line(r));
	assert_int_equal(row.line, line);
	assert_int_equal(row.nfields, n);
	va_start(ap, n);
	for (i = 0; i < n; i++)
		assert_string_equal(row.fields[i], va_arg(ap, const char *));
	va_end(ap);
}

/* Reads one row and checks that it is the error msg at line. */
static void
expect_error(struct csv_reader *r, const char *msg, unsigned long line)
{
	struct csv_row	row;
	int		rc;

	rc = csv_read(r, &row);
	if (rc != -1)
		fail_msg("expected \"%s\" at line %lu, got %d (line %lu)",
		    msg, line, rc, row.line);
	assert_string_equal(csv_error(r), msg);
	assert_int_equal(csv_error_line(r), line);
	assert_int_equal(row.nfields, 0);
}

/* Checks the end of the file, twice: it stays the end. */
static void
expect_eof(struct csv_reader *r)
{
	struct csv_row	row;

	assert_int_equal(csv_read(r, &row), 0);
	assert_int_equal(csv_read(r, &row), 0);
	assert_int_equal(csv_offset(r), csv_size(r));
}

static void
test_encoding_parse(void **state)
{
	static const struct {
		const char		*name;
		int			 rc;
		enum csv_encoding	 enc;
	} cases[] = {
		{ "auto",		0, CSV_ENCODING_AUTO },
		{ "AUTO",		0, CSV_ENCODING_AUTO },
		{ "utf-8",		0, CSV_ENCODING_UTF8 },
		{ "UTF-8",		0, CSV_ENCODING_UTF8 },
		{ "utf8",		0, CSV_ENCODING_UTF8 },
		{ "Utf8",		0, CSV_ENCODING_UTF8 },
		{ "cp932",		0, CSV_ENCODING_CP932 },
		{ "CP932",		0, CSV_ENCODING_CP932 },
		{ "sjis",		0, CSV_ENCODING_CP932 },
		{ "SJIS",		0, CSV_ENCODING_CP932 },
		{ "shift_jis",		0, CSV_ENCODING_CP932 },
		{ "Shift_JIS",		0, CSV_ENCODING_CP932 },
		{ "windows-31j",	0, CSV_ENCODING_CP932 },
		{ "Windows-31J",	0, CSV_ENCODING_CP932 },
		{ "",			-1, CSV_ENCODING_AUTO },
		{ "utf",		-1, CSV_ENCODING_AUTO },
		{ "utf-16",		-1, CSV_ENCODING_AUTO },
		{ "latin1",		-1, CSV_ENCODING_AUTO },
		{ "cp9320",		-1, CSV_ENCODING_AUTO },
		{ " utf-8",		-1, CSV_ENCODING_AUTO },
	};
	enum csv_encoding	enc;
	size_t			i;

	(void)state;
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		enc = (enum csv_encoding)99;
		assert_int_equal(csv_encoding_parse(cases[i].name, &enc),
		    cases[i].rc);
		if (cases[i].rc == 0)
			assert_int_equal(enc, cases[i].enc);
	}
	assert_string_equal(csv_encoding_name(CSV_ENCODING_AUTO), "auto");
	assert_string_equal(csv_encoding_name(CSV_ENCODING_UTF8), "utf-8");
	assert_string_equal(csv_encoding_name(CSV_ENCODING_CP932), "cp932");
	/* Every name parses back to the same encoding. */
	assert_int_equal(csv_encoding_parse(
	    csv_encoding_name(CSV_ENCODING_CP932), &enc), 0);
	assert_int_equal(enc, CSV_ENCODING_CP932);
}

static void
test_open_missing(void **state)
{
	char	 path[PATH_MAX], want[PATH_MAX + 64];
	char	*err = NULL;

	(void)state;
	fixture_path(path, sizeof path, "no-such-file.csv");
	assert_null(csv_open(path, CSV_ENCODING_AUTO, &err));
	assert_non_null(err);
	snprintf(want, sizeof want, "%s: %s", path, strerror(ENOENT));
	assert_string_equal(err, want);
	free(err);
	/* err may be NULL when the caller does not want the message. */
	assert_null(csv_open(path, CSV_ENCODING_UTF8, NULL));
}

static void
test_open_not_regular(void **state)
{
	char	 path[PATH_MAX], want[PATH_MAX + 64];
	char	*err = NULL;
	char	*dir;

	(void)state;
	fixture_path(path, sizeof path, "quotes.csv");
	dir = strdup(path);
	assert_non_null(dir);
	*strrchr(dir, '/') = '\0';
	assert_null(csv_open(dir, CSV_ENCODING_UTF8, &err));
	snprintf(want, sizeof want, "%s: not a regular file", dir);
	assert_string_equal(err, want);
	free(err);
	free(dir);

	err = NULL;
	assert_null(csv_open("/dev/null", CSV_ENCODING_AUTO, &err));
	assert_string_equal(err, "/dev/null: not a regular file");
	free(err);
}

static void
test_quotes(void **state)
{
	struct csv_reader	*r;

	(void)state;
	r = open_fixture("quotes.csv", CSV_ENCODING_UTF8);
	expect_row(r, 1, 3, "code", "name", "note");
	expect_row(r, 2, 3, "a1", "Tokyo, Japan", "He said \"hi\"");
	expect_row(r, 3, 3, "a2", "", "plain");
	/* A quote inside an unquoted field is a literal. */
	expect_row(r, 4, 3, "a3", "ab\"cd", "x\"y");
	/* Text after a closing quote is kept. */
	expect_row(r, 5, 3, "a4", "abcd", "\"quoted\"");
	expect_row(r, 6, 3, "a5", "a,b,c", "");
	expect_eof(r);
	csv_close(r);
}

static void
test_multiline(void **state)
{
	struct csv_reader	*r;

	(void)state;
	r = open_fixture("multiline.csv", CSV_ENCODING_AUTO);
	expect_row(r, 1, 2, "id", "text");
	expect_row(r, 2, 2, "1", "line one\nline two");
	expect_row(r, 4, 2, "2", "crlf\r\ninside");
	expect_row(r, 6, 2, "3", "two\n\nblank lines");
	expect_row(r, 9, 2, "4", "after");
	expect_eof(r);
	csv_close(r);
}

static void
test_bom(void **state)
{
	static const enum csv_encoding	 encs[] = {
		CSV_ENCODING_AUTO, CSV_ENCODING_UTF8, CSV_ENCODING_CP932,
	};
	struct csv_reader		*r;
	struct csv_row			 row;
	size_t				 i;

	(void)state;
	for (i = 0; i < sizeof encs / sizeof encs[0]; i++) {
		r = open_fixture("bom.csv", encs[i]);
		assert_int_equal(csv_offset(r), 3);
		assert_int_equal(csv_read(r, &row), 1);
		assert_int_equal(row.line, 1);
		assert_int_equal(row.nfields, 2);
		assert_int_equal(strlen(row.fields[0]), 8);
		assert_string_equal(row.fields[0], "org_code");
		assert_string_equal(row.fields[1], "name");
		if (encs[i] != CSV_ENCODING_CP932) {
			assert_int_equal(csv_encoding_of(r),
			    CSV_ENCODING_UTF8);
			expect_row(r, 2, 2, "acme", "Acme 株式会社");
			expect_eof(r);
		}
		csv_close(r);
	}
}

static void
test_crlf(void **state)
{
	struct csv_reader	*r;

	(void)state;
	r = open_fixture("crlf.csv", CSV_ENCODING_UTF8);
	expect_row(r, 1, 2, "a", "b");
	expect_row(r, 2, 2, "1", "2");
	expect_row(r, 4, 2, "3", "x");
	expect_eof(r);
	csv_close(r);
}

static void
test_no_final_newline(void **state)
{
	struct csv_reader	*r;

	(void)state;
	r = open_fixture("no_final_newline.csv", CSV_ENCODING_UTF8);
	expect_row(r, 1, 2, "h1", "h2");
	expect_row(r, 2, 2, "1", "2");
	expect_row(r, 3, 2, "3", "x,y");
	expect_eof(r);
	csv_close(r);
}

static void
test_empty_lines(void **state)
{
	struct csv_reader	*r;

	(void)state;
	r = open_fixture("empty_lines.csv", CSV_ENCODING_UTF8);
	expect_row(r, 1, 2, "a", "b");
	expect_row(r, 3, 2, "1", "2");
	expect_row(r, 6, 2, "3", "4");
	expect_eof(r);
	csv_close(r);
}

static void
test_unterminated_quote(void **state)
{
	struct csv_reader	*r;

	(void)state;
	r = open_fixture("unterminated.csv", CSV_ENCODING_UTF8);
	expect_row(r, 1, 2, "a", "b");
	expect_row(r, 2, 2, "1", "2");
	expect_error(r, "unterminated quoted field", 3);
	expect_eof(r);
	csv_close(r);
}

/* Appends n copies of c to the buffer at *p. */
static char *
fill(char *p, int c, size_t n)
{
	memset(p, c, n);
	return p + n;
}

static void
test_row_too_long(void **state)
{
	struct csv_reader	*r;
	char			*buf, *p, *path;
	size_t			 i;

	(void)state;
	buf = malloc(4 * CSV_ROW_MAX);
	assert_non_null(buf);
	p = buf;
	p += sprintf(p, "a,b\nx,");
	p = fill(p, 'y', CSV_ROW_MAX + 100);
	p += sprintf(p, "\nc,d\nx,\"");
	/* A long quoted field over 700 lines: skipped as one row. */
	for (i = 0; i < 700; i++) {
		p = fill(p, 'z', 100);
		*p++ = '\n';
	}
	p += sprintf(p, "\",q\ne,f\n");
	path = temp_file(buf, p - buf);
	free(buf);

	r = open_path(path, CSV_ENCODING_AUTO);
	expect_row(r, 1, 2, "a", "b");
	expect_error(r, "row too long", 2);
	expect_row(r, 3, 2, "c", "d");
	expect_error(r, "row too long", 4);
	expect_row(r, 705, 2, "e", "f");
	expect_eof(r);
	csv_close(r);
	temp_drop(path);
}

static void
test_row_max_boundary(void **state)
{
	struct csv_reader	*r;
	struct csv_row		 row;
	char			*buf, *p, *path;

	(void)state;
	buf = malloc(5 * CSV_ROW_MAX);
	assert_non_null(buf);
	/* A field and its NUL fill the row buffer exactly. */
	p = fill(buf, 'm', CSV_ROW_MAX - 1);
	*p++ = '\n';
	/* One byte more does not fit. */
	p = fill(p, 'n', CSV_ROW_MAX);
	*p++ = '\n';
	/* Two fields: the second one's NUL is the byte too many. */
	p = fill(p, 'o', CSV_ROW_MAX - 1);
	p += sprintf(p, ",\n");
	/* Two fields and their NULs fill the buffer exactly. */
	p = fill(p, 'p', CSV_ROW_MAX - 2);
	p += sprintf(p, ",\nok\n");
	path = temp_file(buf, p - buf);
	free(buf);

	r = open_path(path, CSV_ENCODING_UTF8);
	assert_int_equal(csv_read(r, &row), 1);
	assert_int_equal(row.nfields, 1);
	assert_int_equal(strlen(row.fields[0]), CSV_ROW_MAX - 1);
	assert_int_equal(row.fields[0][CSV_ROW_MAX - 2], 'm');
	expect_error(r, "row too long", 2);
	expect_error(r, "row too long", 3);
	assert_int_equal(csv_read(r, &row), 1);
	assert_int_equal(row.line, 4);
	assert_int_equal(row.nfields, 2);
	assert_int_equal(strlen(row.fields[0]), CSV_ROW_MAX - 2);
	assert_string_equal(row.fields[1], "");
	expect_row(r, 5, 1, "ok");
	expect_eof(r);
	csv_close(r);
	temp_drop(path);
}

static void
test_too_many_fields(void **state)
{
	struct csv_reader	*r;
	struct csv_row		 row;
	char			 buf[4096], num[16], *p = buf, *path;
	size_t			 i;

	(void)state;
	for (i = 0; i < CSV_FIELDS_MAX; i++)
		p += sprintf(p, "%s%zu", i > 0 ? "," : "", i);
	*p++ = '\n';
	for (i = 0; i <= CSV_FIELDS_MAX; i++)
		p += sprintf(p, "%s%zu", i > 0 ? "," : "", i);
	*p++ = '\n';
	/* 64 fields and a trailing comma make 65. */
	for (i = 0; i < CSV_FIELDS_MAX; i++)
		p += sprintf(p, "%zu,", i);
	p += sprintf(p, "\nlast,row\n");
	path = temp_file(buf, p - buf);

	r = open_path(path, CSV_ENCODING_UTF8);
	assert_int_equal(csv_read(r, &row), 1);
	assert_int_equal(row.line, 1);
	assert_int_equal(row.nfields, CSV_FIELDS_MAX);
	for (i = 0; i < CSV_FIELDS_MAX; i++) {
		snprintf(num, sizeof num, "%zu", i);
		assert_string_equal(row.fields[i], num);
	}
	expect_error(r, "too many fields", 2);
	expect_error(r, "too many fields", 3);
	expect_row(r, 4, 2, "last", "row");
	expect_eof(r);
	csv_close(r);
	temp_drop(path);
}

static void
test_bad_utf8_forced(void **state)
{
	struct csv_reader	*r;
	char			*path;

	(void)state;
	r = open_fixture("bad_utf8.csv", CSV_ENCODING_UTF8);
	expect_row(r, 1, 2, "a", "b");
	expect_row(r, 2, 2, "ok", "日本");
	expect_error(r, "bad UTF-8", 3);
	expect_row(r, 4, 2, "good", "1");
	expect_error(r, "bad UTF-8", 5);
	expect_error(r, "bad UTF-8", 6);
	expect_error(r, "bad UTF-8", 7);
	expect_error(r, "bad UTF-8", 8);
	expect_error(r, "bad UTF-8", 9);
	/* The row starts on line 10, the bad bytes are on line 11. */
	expect_error(r, "bad UTF-8", 11);
	expect_error(r, "bad UTF-8", 12);
	expect_error(r, "bad UTF-8", 13);
	expect_row(r, 14, 2, "last", "ｶﾅ");
	expect_eof(r);
	csv_close(r);

	/* A sequence cut short by the end of the file. */
	path = temp_file("a,b\nc,\xe3\x81", 8);
	r = open_path(path, CSV_ENCODING_UTF8);
	expect_row(r, 1, 2, "a", "b");
	expect_error(r, "bad UTF-8", 2);
	expect_eof(r);
	csv_close(r);
	temp_drop(path);
}

static void
test_auto_detect(void **state)
{
	static const struct {
		const char		*name;
		enum csv_encoding	 enc;
	} cases[] = {
		{ "cp932_utf8.csv",	CSV_ENCODING_UTF8 },
		{ "bom.csv",		CSV_ENCODING_UTF8 },
		{ "quotes.csv",		CSV_ENCODING_UTF8 },
		{ "cp932.csv",		CSV_ENCODING_CP932 },
		{ "bad_utf8.csv",	CSV_ENCODING_CP932 },
		{ "bad_cp932.csv",	CSV_ENCODING_CP932 },
	};
	struct csv_reader	*r;
	char			*path;
	size_t			 i;

	(void)state;
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		r = open_fixture(cases[i].name, CSV_ENCODING_AUTO);
		if (csv_encoding_of(r) != cases[i].enc)
			fail_msg("%s: detected %s", cases[i].name,
			    csv_encoding_name(csv_encoding_of(r)));
		/* Detection rewinds: reading starts at the top. */
		assert_int_equal(csv_offset(r),
		    strcmp(cases[i].name, "bom.csv") == 0 ? 3 : 0);
		csv_close(r);
	}
	/* UTF-8 cut short by the end of the file is not UTF-8. */
	path = temp_file("a,b\nc,\xe3\x81", 8);
	r = open_path(path, CSV_ENCODING_AUTO);
	assert_int_equal(csv_encoding_of(r), CSV_ENCODING_CP932);
	csv_close(r);
	temp_drop(path);

	r = open_fixture("cp932.csv", CSV_ENCODING_AUTO);
	expect_row(r, 1, 5, "org_code", "name", "kana", "address", "note");
	expect_row(r, 2, 5, "acme", "株式会社髙橋商事", "ﾀｶﾊｼ ｼｮｳｼﾞ",
	    "東京都港区１－２－３", "受付 9:00～17:00");
	csv_close(r);
}

static void
test_cp932_decoding(void **state)
{
	struct csv_reader	*r;

	(void)state;
	r = open_fixture("cp932.csv", CSV_ENCODING_CP932);
	assert_int_equal(csv_encoding_of(r), CSV_ENCODING_CP932);
	expect_row(r, 1, 5, "org_code", "name", "kana", "address", "note");
	/* 髙 U+9AD9; FF5E: 0x8160; FF0D: 0x817C; FF71 etc.: half-width. */
	expect_row(r, 2, 5, "acme",
	    "\xe6\xa0\xaa\xe5\xbc\x8f\xe4\xbc\x9a\xe7\xa4\xbe"
	    "\xe9\xab\x99\xe6\xa9\x8b\xe5\x95\x86\xe4\xba\x8b",
	    "\xef\xbe\x80\xef\xbd\xb6\xef\xbe\x8a\xef\xbd\xbc "
	    "\xef\xbd\xbc\xef\xbd\xae\xef\xbd\xb3\xef\xbd\xbc\xef\xbe\x9e",
	    "東京都港区１\xef\xbc\x8d２\xef\xbc\x8d３",
	    "受付 9:00\xef\xbd\x9e" "17:00");
	/* ㈱ U+3231, 﨑 U+FA11, ① U+2460. */
	expect_row(r, 3, 5, "beta", "\xe3\x88\xb1山\xef\xa8\x91工業",
	    "ヤマサキ", "大阪府\xe2\x91\xa0番地",
	    "価格\xef\xbc\x8d" "100円、\"注意\"");
	expect_row(r, 4, 5, "gamma", "ひらがな", "カタカナ",
	    "北海道\r\n札幌市",
	    "\xef\xbd\x9e\xef\xbc\x8d\xe2\x91\xa0\xe3\x88\xb1"
	    "\xe9\xab\x99\xef\xa8\x91");
	expect_eof(r);
	csv_close(r);
}

static void
test_cp932_twin(void **state)
{
	struct csv_reader	*a, *b;
	struct csv_row		 ra, rb;
	size_t			 i, rows = 0;
	int			 rc;

	(void)state;
	a = open_fixture("cp932.csv", CSV_ENCODING_CP932);
	b = open_fixture("cp932_utf8.csv", CSV_ENCODING_UTF8);
	for (;;) {
		rc = csv_read(a, &ra);
		assert_int_equal(csv_read(b, &rb), rc);
		if (rc == 0)
			break;
		assert_int_equal(rc, 1);
		rows++;
		assert_int_equal(ra.line, rb.line);
		assert_int_equal(ra.nfields, rb.nfields);
		for (i = 0; i < ra.nfields; i++)
			assert_string_equal(ra.fields[i], rb.fields[i]);
	}
	assert_int_equal(rows, 4);
	csv_close(a);
	csv_close(b);
}

/* One character of a generated file: its bytes there and in UTF-8. */
struct gen_char {
	const char	*raw;
	const char	*utf8;
};

static const struct gen_char gen_cp932[] = {
	{ "a", "a" },
	{ "\xb1", "\xef\xbd\xb1" },		/* ｱ */
	{ "\x88\x9f", "\xe4\xba\x9c" },		/* 亜 */
	{ "\x81\x60", "\xef\xbd\x9e" },		/* ～, trail byte '`' */
	{ "\x87\x40", "\xe2\x91\xa0" },		/* ①, trail byte '@' */
	{ "\xfb\xfc", "\xe9\xab\x99" },		/* 髙 */
	{ "\x82\xa0", "\xe3\x81\x82" },		/* あ */
	{ " ", " " },
	{ NULL, NULL },
};

static const struct gen_char gen_utf8[] = {
	{ "a", "a" },
	{ "\xc3\xa9", "\xc3\xa9" },
	{ "\xef\xbd\xb1", "\xef\xbd\xb1" },
	{ "\xe4\xba\x9c", "\xe4\xba\x9c" },
	{ "\xf0\x9f\x98\x80", "\xf0\x9f\x98\x80" },
	{ "\xe9\xab\x99", "\xe9\xab\x99" },
	/* The edges of what is valid: U+0800, U+D7FF, U+40000, U+10FFFF. */
	{ "\xe0\xa0\x80", "\xe0\xa0\x80" },
	{ "\xed\x9f\xbf", "\xed\x9f\xbf" },
	{ "\xf1\x80\x80\x80", "\xf1\x80\x80\x80" },
	{ "\xf4\x8f\xbf\xbf", "\xf4\x8f\xbf\xbf" },
	{ " ", " " },
	{ NULL, NULL },
};

/* A generated file and the expected text field of each row. */
struct gen {
	char	*raw;
	size_t	 len;
	char	**want;
	size_t	 nrows;
};

/* Bytes left before the next TEST_PAGE boundary. */
static size_t
gen_room(const struct gen *g)
{
	return TEST_PAGE - g->len % TEST_PAGE;
}

static void
gen_put(struct gen *g, char *text, size_t *tlen, const struct gen_char *c)
{
	memcpy(g->raw + g->len, c->raw, strlen(c->raw));
	g->len += strlen(c->raw);
	memcpy(text + *tlen, c->utf8, strlen(c->utf8));
	*tlen += strlen(c->utf8);
}

/*
 * Builds rows "NNNNNN,text\n" of about total bytes where a multibyte
 * character straddles every TEST_PAGE boundary (so every read block
 * boundary too) and no row terminator or prefix touches one.
 */
static void
gen_build(struct gen *g, const struct gen_char *set, size_t total)
{
	char		text[2048];
	size_t		nset, tlen, i, want, k = 0, m = 0;
	const struct gen_char *c;

	for (nset = 0; set[nset].raw != NULL; nset++)
		;
	memset(g, 0, sizeof *g);
	g->raw = malloc(total + 4096);
	g->want = calloc(total / 16, sizeof *g->want);
	assert_non_null(g->raw);
	assert_non_null(g->want);
	while (g->len < total) {
		g->len += sprintf(g->raw + g->len, "%06zu,", g->nrows);
		tlen = 0;
		want = 20 + g->nrows % 60;
		for (i = 0; i < want || gen_room(g) <= 8; i++) {
			if (gen_room(g) == 1) {
				/* Force a straddle: any multibyte char. */
				do {
					c = &set[m++ % nset];
				} while (strlen(c->raw) < 2);
			} else {
				c = &set[k++ % nset];
				/* Ending exactly on the boundary is no use. */
				if (strlen(c->raw) == gen_room(g))
					c = &set[0];
			}
			gen_put(g, text, &tlen, c);
		}
		g->raw[g->len++] = '\n';
		text[tlen] = '\0';
		g->want[g->nrows] = strdup(text);
		assert_non_null(g->want[g->nrows]);
		g->nrows++;
	}
}

static void
gen_free(struct gen *g)
{
	size_t	i;

	for (i = 0; i < g->nrows; i++)
		free(g->want[i]);
	free(g->want);
	free(g->raw);
}

/* Reads a generated file and checks every row and the progress offsets. */
static void
gen_check(const struct gen *g, enum csv_encoding enc, enum csv_encoding is)
{
	struct csv_reader	*r;
	struct csv_row		 row;
	char			*path, num[16];
	size_t			 n = 0;
	off_t			 off, last = 0;
	int			 mid = 0;

	path = temp_file(g->raw, g->len);
	r = open_path(path, enc);
	assert_int_equal(csv_encoding_of(r), is);
	assert_int_equal(csv_size(r), g->len);
	assert_int_equal(csv_offset(r), 0);
	while (csv_read(r, &row) == 1) {
		assert_true(n < g->nrows);
		snprintf(num, sizeof num, "%06zu", n);
		assert_int_equal(row.line, n + 1);
		assert_int_equal(row.nfields, 2);
		assert_string_equal(row.fields[0], num);
		assert_string_equal(row.fields[1], g->want[n]);
		off = csv_offset(r);
		assert_true(off >= last);
		assert_true(off <= csv_size(r));
		if (off > 0 && off < csv_size(r))
			mid = 1;
		last = off;
		n++;
	}
	assert_string_equal(csv_error(r), "no error");
	assert_int_equal(n, g->nrows);
	assert_true(mid);
	expect_eof(r);
	csv_close(r);
	temp_drop(path);
}

static void
test_cp932_block_straddle(void **state)
{
	struct gen	g;
	size_t		b;

	(void)state;
	gen_build(&g, gen_cp932, 3 * TEST_BLOCK + 5000);
	/* The generator did its job: lead byte before, trail byte after. */
	for (b = TEST_PAGE; b < g.len; b += TEST_PAGE) {
		assert_true((unsigned char)g.raw[b - 1] >= 0x81);
		assert_true(g.raw[b] != '\n' && g.raw[b] != ',');
	}
	assert_int_equal((unsigned char)g.raw[TEST_BLOCK - 1] & 0x80, 0x80);
	gen_check(&g, CSV_ENCODING_CP932, CSV_ENCODING_CP932);
	gen_check(&g, CSV_ENCODING_AUTO, CSV_ENCODING_CP932);
	gen_free(&g);
}

static void
test_utf8_block_straddle(void **state)
{
	struct gen	g;
	size_t		b;

	(void)state;
	gen_build(&g, gen_utf8, 3 * TEST_BLOCK + 5000);
	for (b = TEST_PAGE; b < g.len; b += TEST_PAGE)
		assert_int_equal((unsigned char)g.raw[b] & 0xc0, 0x80);
	/* AUTO must carry a split sequence between its scan blocks. */
	gen_check(&g, CSV_ENCODING_AUTO, CSV_ENCODING_UTF8);
	gen_check(&g, CSV_ENCODING_UTF8, CSV_ENCODING_UTF8);
	gen_free(&g);
}

static void
test_bad_cp932(void **state)
{
	struct csv_reader	*r;

	(void)state;
	r = open_fixture("bad_cp932.csv", CSV_ENCODING_CP932);
	expect_row(r, 1, 2, "a", "b");
	expect_error(r, "bad CP932 byte sequence", 2);
	expect_row(r, 3, 2, "2", "ok漢字");
	/* A lead byte before LF: the LF still ends the row. */
	expect_error(r, "bad CP932 byte sequence", 4);
	expect_row(r, 5, 2, "4", "q");
	/* A lead byte cut short by the end of the file. */
	expect_error(r, "bad CP932 byte sequence", 6);
	expect_eof(r);
	csv_close(r);
}

static void
test_nul_byte(void **state)
{
	static const enum csv_encoding	 encs[] = {
		CSV_ENCODING_UTF8, CSV_ENCODING_CP932,
	};
	struct csv_reader		*r;
	size_t				 i;

	(void)state;
	for (i = 0; i < sizeof encs / sizeof encs[0]; i++) {
		r = open_fixture("nul.csv", encs[i]);
		expect_row(r, 1, 2, "a", "b");
		expect_error(r, "NUL byte", 2);
		expect_row(r, 3, 2, "2", "z");
		expect_error(r, "NUL byte", 5);
		expect_row(r, 6, 2, "3", "t");
		expect_eof(r);
		csv_close(r);
	}
}

static void
test_offsets(void **state)
{
	struct csv_reader	*r;
	struct csv_row		 row;
	struct stat		 st;
	char			 path[PATH_MAX], buf[1024];
	const char		*nl;
	ssize_t			 len;
	off_t			 last = 0;
	int			 fd;

	(void)state;
	/* UTF-8: after each row, exactly the bytes up to its newline. */
	fixture_path(path, sizeof path, "quotes.csv");
	fd = open(path, O_RDONLY);
	assert_int_not_equal(fd, -1);
	len = read(fd, buf, sizeof buf);
	close(fd);
	assert_true(len > 0 && (size_t)len < sizeof buf);
	r = open_path(path, CSV_ENCODING_UTF8);
	assert_int_equal(csv_size(r), len);
	assert_int_equal(csv_offset(r), 0);
	nl = buf;
	while (csv_read(r, &row) == 1) {
		nl = memchr(nl, '\n', buf + len - nl);
		assert_non_null(nl);
		nl++;
		assert_int_equal(csv_offset(r), nl - buf);
	}
	assert_int_equal(nl - buf, len);
	assert_int_equal(csv_offset(r), len);
	csv_close(r);

	/* CP932: increasing, ending at the size. */
	fixture_path(path, sizeof path, "cp932.csv");
	assert_int_equal(stat(path, &st), 0);
	r = open_path(path, CSV_ENCODING_CP932);
	assert_int_equal(csv_size(r), st.st_size);
	assert_int_equal(csv_offset(r), 0);
	while (csv_read(r, &row) == 1) {
		assert_true(csv_offset(r) >= last);
		last = csv_offset(r);
	}
	assert_int_equal(csv_offset(r), st.st_size);
	csv_close(r);
	/* Files of several blocks: see gen_check(). */
}

/* Small inputs, each read in every encoding (they are ASCII). */
static void
test_small_inputs(void **state)
{
	static const struct {
		const char	*in;
		struct {
			unsigned long	 line;
			const char	*f[4];
		} rows[4];
	} cases[] = {
		{ "", { { 0, { NULL } } } },
		{ "\n\r\n\r\n\n", { { 0, { NULL } } } },
		{ "\xef\xbb\xbf", { { 0, { NULL } } } },
		{ "\xef\xbb\xbfx", { { 1, { "x" } } } },
		{ "a", { { 1, { "a" } } } },
		{ "a,", { { 1, { "a", "" } } } },
		{ ",\n", { { 1, { "", "" } } } },
		{ "\"\"\n", { { 1, { "" } } } },
		{ "\"a\"\"\"", { { 1, { "a\"" } } } },
		{ " a , b ", { { 1, { " a ", " b " } } } },
		{ "a\"b\"", { { 1, { "a\"b\"" } } } },
		{ "\n\na\n", { { 3, { "a" } } } },
		{ "a\rb\r\rc", { { 1, { "a" } }, { 2, { "b" } },
		    { 4, { "c" } } } },
		{ "a\r\n\r\nb", { { 1, { "a" } }, { 3, { "b" } } } },
		{ "\"a\"\rb", { { 1, { "a" } }, { 2, { "b" } } } },
		{ "a,\"b\r\nc\"\r\nd", { { 1, { "a", "b\r\nc" } },
		    { 3, { "d" } } } },
		{ "\"a\rb\"\n\"\n\"", { { 1, { "a\rb" } },
		    { 3, { "\n" } } } },
	};
	static const enum csv_encoding	 encs[] = {
		CSV_ENCODING_AUTO, CSV_ENCODING_UTF8, CSV_ENCODING_CP932,
	};
	struct csv_reader		*r;
	struct csv_row			 row;
	char				*path;
	size_t				 i, e, k, n;

	(void)state;
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		path = temp_file(cases[i].in, strlen(cases[i].in));
		for (e = 0; e < sizeof encs / sizeof encs[0]; e++) {
			r = open_path(path, encs[e]);
			for (k = 0; cases[i].rows[k].line != 0; k++) {
				if (csv_read(r, &row) != 1)
					fail_msg("case %zu row %zu: %s", i, k,
					    csv_error(r));
				for (n = 0; cases[i].rows[k].f[n] != NULL; n++)
					;
				assert_int_equal(row.line,
				    cases[i].rows[k].line);
				assert_int_equal(row.nfields, n);
				for (n = 0; n < row.nfields; n++)
					assert_string_equal(row.fields[n],
					    cases[i].rows[k].f[n]);
			}
			expect_eof(r);
			csv_close(r);
		}
		temp_drop(path);
	}
}

/* xorshift64: a fixed sequence, so a failure can be replayed. */
static uint64_t
fuzz_next(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* Mutated fixtures must never crash, hang or leak, in any encoding. */
static void
test_fuzz_mutations(void **state)
{
	static const char	*seeds[] = {
		"quotes.csv", "multiline.csv", "cp932.csv", "bad_utf8.csv",
	};
	static const char	 special[] = "\",\r\n\0\xff\x81\xef\xbb\xbf";
	static const enum csv_encoding encs[] = {
		CSV_ENCODING_AUTO, CSV_ENCODING_UTF8, CSV_ENCODING_CP932,
	};
	struct csv_reader	*r;
	struct csv_row		 row;
	char			 path[PATH_MAX], base[4096], buf[8192];
	char			*tmp;
	uint64_t		 s = 0x9e3779b97f4a7c15ULL;
	size_t			 blen, len, iter, m, pos, e, reads, i;
	ssize_t			 n;
	int			 fd, rc;

	(void)state;
	for (iter = 0; iter < 400; iter++) {
		fixture_path(path, sizeof path,
		    seeds[iter % (sizeof seeds / sizeof seeds[0])]);
		fd = open(path, O_RDONLY);
		assert_int_not_equal(fd, -1);
		n = read(fd, base, sizeof base);
		assert_true(n > 0);
		close(fd);
		blen = n;
		memcpy(buf, base, blen);
		len = blen;
		for (m = fuzz_next(&s) % 8 + 1; m > 0; m--) {
			pos = fuzz_next(&s) % (len + 1);
			switch (fuzz_next(&s) % 4) {
			case 0:
				if (pos < len)
					buf[pos] = (char)fuzz_next(&s);
				break;
			case 1:
				if (len < sizeof buf - 1) {
					memmove(buf + pos + 1, buf + pos,
					    len - pos);
					buf[pos] = special[fuzz_next(&s) %
					    (sizeof special - 1)];
					len++;
				}
				break;
			case 2:
				if (pos < len) {
					memmove(buf + pos, buf + pos + 1,
					    len - pos - 1);
					len--;
				}
				break;
			default:
				len = pos;
				break;
			}
		}
		tmp = temp_file(buf, len);
		for (e = 0; e < sizeof encs / sizeof encs[0]; e++) {
			r = open_path(tmp, encs[e]);
			for (reads = 0; (rc = csv_read(r, &row)) != 0;
			    reads++) {
				assert_true(reads <= len);
				if (rc == -1) {
					assert_true(csv_error_line(r) >= 1);
					continue;
				}
				assert_int_equal(rc, 1);
				assert_true(row.nfields >= 1);
				assert_true(row.nfields <= CSV_FIELDS_MAX);
				for (i = 0; i < row.nfields; i++)
					assert_true(strlen(row.fields[i]) <
					    CSV_ROW_MAX);
			}
			assert_int_equal(csv_offset(r), (off_t)len);
			csv_close(r);
		}
		temp_drop(tmp);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_encoding_parse),
		cmocka_unit_test(test_open_missing),
		cmocka_unit_test(test_open_not_regular),
		cmocka_unit_test(test_quotes),
		cmocka_unit_test(test_multiline),
		cmocka_unit_test(test_bom),
		cmocka_unit_test(test_crlf),
		cmocka_unit_test(test_no_final_newline),
		cmocka_unit_test(test_empty_lines),
		cmocka_unit_test(test_unterminated_quote),
		cmocka_unit_test(test_row_too_long),
		cmocka_unit_test(test_row_max_boundary),
		cmocka_unit_test(test_too_many_fields),
		cmocka_unit_test(test_bad_utf8_forced),
		cmocka_unit_test(test_auto_detect),
		cmocka_unit_test(test_cp932_decoding),
		cmocka_unit_test(test_cp932_twin),
		cmocka_unit_test(test_cp932_block_straddle),
		cmocka_unit_test(test_utf8_block_straddle),
		cmocka_unit_test(test_bad_cp932),
		cmocka_unit_test(test_nul_byte),
		cmocka_unit_test(test_offsets),
		cmocka_unit_test(test_small_inputs),
		cmocka_unit_test(test_fuzz_mutations),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
