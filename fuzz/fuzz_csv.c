/*
 * The CSV reader (src/csv.c) on any file, in every encoding. The input is
 * two bytes of options and then the file:
 *
 *   byte 0, bits 0-1   encoding: 0 auto, 1 UTF-8, 2 CP932, 3 all three
 *   byte 0, bit 2      put a pad of about 64 KiB before the file, so that
 *                      it straddles the reader's read block and its row
 *                      limit (CSV_ROW_MAX): a row of 'a's
 *   byte 0, bit 3      the pad's row goes on into the file (no newline)
 *   byte 1             the pad is CSV_ROW_MAX - 128 + byte 1 bytes long
 *
 * The file lives in a memfd opened through /proc/self/fd, so csv_open()
 * sees a regular file and nothing touches the disk. Checked, besides
 * memory errors (include/csv.h): auto-detection says UTF-8 exactly for
 * valid UTF-8; a row has 1 to CSV_FIELDS_MAX fields of NUL-terminated
 * UTF-8 that fit CSV_ROW_MAX together; lines only grow; an error has a
 * reason and a line; every read moves on, the end stays the end, and there
 * the offset equals the size. And for every file that is valid UTF-8 read
 * as UTF-8, or valid CP932 read as CP932 (converted at once with iconv),
 * every row, field, line and error equals what a plain byte-by-byte
 * reading of the rules in src/csv.c's header gives (struct ref).
 */
#include <sys/mman.h>

#include <errno.h>
#include <fcntl.h>
#include <iconv.h>
#include <unistd.h>

#include "fuzz.h"

#include "csv.h"

#define PAD_BASE	(CSV_ROW_MAX - 128)

static int	 memfd = -1;
static char	 path[64];

/*
 * An independent reading of the rules in src/csv.c's header, byte by byte,
 * of UTF-8 text: a valid UTF-8 file as it is, a CP932 file converted at
 * once. It gives what each csv_read() must return: the rows, their lines
 * and fields, and the row-level errors (NUL byte, row too long, too many
 * fields, unterminated quoted field) with their lines.
 */
struct ref {
	const unsigned char	*s;
	size_t			 len, pos;
	unsigned long		 line;
	int			 prev_cr, done, full;
	char			 row[CSV_ROW_MAX];
	size_t			 rowlen, fieldstart, nfields;
	size_t			 start[CSV_FIELDS_MAX];
	const char		*err;
	unsigned long		 errline;
};

static struct ref	 ref;

enum { R_FIELD, R_PLAIN, R_QUOTED, R_QUOTE };

static void
ref_fail(const char *msg, unsigned long line)
{
	if (ref.err == NULL) {
		ref.err = msg;
		ref.errline = line;
	}
}

static void
ref_append(unsigned char c, unsigned long rowline)
{
	if (ref.full)
		return;
	if (ref.rowlen + 1 >= CSV_ROW_MAX) {
		ref.full = 1;
		ref_fail("row too long", rowline);
		return;
	}
	ref.row[ref.rowlen++] = (char)c;
}

static void
ref_end_field(unsigned long rowline)
{
	if (ref.full)
		return;
	if (ref.nfields == CSV_FIELDS_MAX || ref.rowlen >= CSV_ROW_MAX) {
		ref.full = 1;
		ref_fail(ref.nfields == CSV_FIELDS_MAX ? "too many fields" :
		    "row too long", rowline);
		return;
	}
	ref.row[ref.rowlen++] = '\0';
	ref.start[ref.nfields++] = ref.fieldstart;
	ref.fieldstart = ref.rowlen;
}

/* CR and LF count a line each, CRLF one. */
static void
ref_newline(unsigned char c)
{
	if (c == '\r' || !ref.prev_cr)
		ref.line++;
	ref.prev_cr = c == '\r';
}

/* Starts reading s[0..len); bom: skip a UTF-8 BOM there. */
static void
ref_open(const unsigned char *s, size_t len, int bom)
{
	ref.s = s;
	ref.len = len;
	ref.pos = bom && len >= 3 && memcmp(s, "\xef\xbb\xbf", 3) == 0 ?
	    3 : 0;
	ref.line = 1;
	ref.prev_cr = ref.done = 0;
}

/* The next csv_read(): 1 a row, 0 the end, -1 an error (ref.err). */
static int
ref_read(unsigned long *rowlinep)
{
	unsigned long	 rowline = ref.line;
	unsigned char	 c;
	int		 st = R_FIELD, started = 0;

	ref.err = NULL;
	ref.full = 0;
	ref.rowlen = ref.fieldstart = ref.nfields = 0;
	if (ref.done)
		return 0;
	while (ref.pos < ref.len) {
		c = ref.s[ref.pos];
		switch (st) {
		case R_FIELD:
			if (c == '"') {
				ref.pos++;
				ref.prev_cr = 0;
				started = 1;
				st = R_QUOTED;
				continue;
			}
			st = R_PLAIN;
			/* FALLTHROUGH */
		case R_PLAIN:
			ref.pos++;
			if (c == '\n' || c == '\r') {
				ref_newline(c);
				if (started)
					goto row_end;
				rowline = ref.line;	/* an empty line */
				st = R_FIELD;
				continue;
			}
			ref.prev_cr = 0;
			started = 1;
			if (c == ',') {
				ref_end_field(rowline);
				st = R_FIELD;
			} else if (c == '\0')
				ref_fail("NUL byte", ref.line);
			else
				ref_append(c, rowline);
			continue;
		case R_QUOTED:
			ref.pos++;
			if (c == '"') {
				ref.prev_cr = 0;
				st = R_QUOTE;
			} else if (c == '\0') {
				ref.prev_cr = 0;
				ref_fail("NUL byte", ref.line);
			} else {
				ref_append(c, rowline);
				if (c == '\n' || c == '\r')
					ref_newline(c);
				else
					ref.prev_cr = 0;
			}
			continue;
		case R_QUOTE:
			if (c == '"') {
				ref.pos++;
				ref.prev_cr = 0;
				ref_append(c, rowline);
				st = R_QUOTED;
			} else if (c == ',') {
				ref.pos++;
				ref.prev_cr = 0;
				ref_end_field(rowline);
				st = R_FIELD;
			} else if (c == '\n' || c == '\r') {
				ref.pos++;
				ref_newline(c);
				goto row_end;
			} else
				st = R_PLAIN;	/* "ab"cd */
			continue;
		}
	}
	ref.done = 1;
	if (st == R_QUOTED) {
		ref.err = "unterminated quoted field";
		ref.errline = rowline;
		return -1;
	}
	if (!started)
		return 0;
row_end:
	ref_end_field(rowline);
	*rowlinep = rowline;
	return ref.err != NULL ? -1 : 1;
}

/* Whether s[0..len), after a BOM, is valid UTF-8. */
static int
is_utf8(const unsigned char *s, size_t len)
{
	size_t	 i = len >= 3 && memcmp(s, "\xef\xbb\xbf", 3) == 0 ? 3 : 0;

	return fuzz_utf8_valid((const char *)s + i, len - i);
}

/*
 * The file s[0..len) after a BOM, converted from CP932 at once with iconv,
 * in conv (malloc'd), with its length; -1 if it does not convert whole.
 * The reader converts block by block: it must read the same text.
 */
static int
cp932_all(const unsigned char *s, size_t len, unsigned char **conv,
    size_t *convlen)
{
	static iconv_t	 cd = (iconv_t)-1;
	char		*ip, *op;
	size_t		 il, ol, i;

	if (cd == (iconv_t)-1 &&
	    (cd = iconv_open("UTF-8", "CP932")) == (iconv_t)-1)
		abort();
	i = len >= 3 && memcmp(s, "\xef\xbb\xbf", 3) == 0 ? 3 : 0;
	if ((*conv = malloc(3 * (len - i) + 1)) == NULL)
		abort();
	ip = (char *)s + i;
	il = len - i;
	op = (char *)*conv;
	ol = 3 * (len - i) + 1;
	(void)iconv(cd, NULL, NULL, NULL, NULL);
	if (iconv(cd, &ip, &il, &op, &ol) == (size_t)-1 || il != 0) {
		free(*conv);
		*conv = NULL;
		return -1;
	}
	*convlen = (size_t)(op - (char *)*conv);
	return 0;
}

/* Makes the memfd's content s[0..len). */
static void
put_file(const unsigned char *s, size_t len)
{
	size_t	 off = 0;
	ssize_t	 n;

	if (memfd == -1) {
		if ((memfd = memfd_create("fuzz_csv", MFD_CLOEXEC)) == -1)
			abort();
		snprintf(path, sizeof path, "/proc/self/fd/%d", memfd);
	}
	if (ftruncate(memfd, 0) == -1)
		abort();
	while (off < len) {
		if ((n = pwrite(memfd, s + off, len - off, (off_t)off)) <= 0)
			abort();
		off += (size_t)n;
	}
}

/* Whether iconv decodes s[0..len) from EUC-JP (a cut at the end is fine). */
static int
eucjp_decodes(const unsigned char *s, size_t len)
{
	static iconv_t	 cd = (iconv_t)-1;
	static char	 out[65536];
	char		*ip = (char *)s, *op;
	size_t		 il = len, ol, rc;

	if (cd == (iconv_t)-1 &&
	    (cd = iconv_open("UTF-8", "EUC-JP")) == (iconv_t)-1)
		abort();
	(void)iconv(cd, NULL, NULL, NULL, NULL);
	while (il > 0) {
		op = out;
		ol = sizeof out;
		rc = iconv(cd, &ip, &il, &op, &ol);
		if (rc != (size_t)-1)
			return 1;
		if (errno != E2BIG)
			return errno == EINVAL;
	}
	return 1;
}

/*
 * The refusal csv_open makes of a whole file from its first 64 KiB
 * (hotline-lists(5)): UTF-16, or EUC-JP where CP932 was to be read; the
 * words its message carries, or NULL when it must read the file.
 */
static const char *
expected_refusal(const unsigned char *s, size_t len, enum csv_encoding enc)
{
	size_t	n = len < 65536 ? len : 65536, i, nul = 0, high = 0, start;

	start = len >= 3 && s[0] == 0xef && s[1] == 0xbb && s[2] == 0xbf ?
	    3 : 0;
	for (i = 0; i < n; i++) {
		nul += s[i] == 0;
		high += s[i] >= 0x80;
	}
	if ((n >= 2 && ((s[0] == 0xff && s[1] == 0xfe) || (s[0] == 0xfe &&
	    s[1] == 0xff))) || (n >= 4 && nul * 8 >= n))
		return "UTF-16";
	if (enc == CSV_ENCODING_AUTO)
		enc = is_utf8(s, len) ? CSV_ENCODING_UTF8 : CSV_ENCODING_CP932;
	if (enc == CSV_ENCODING_CP932 && high >= 64 && eucjp_decodes(s + start,
	    n - start))
		return "EUC-JP";
	return NULL;
}

/* Reads the file s[0..len) to its end in encoding enc, checking each read. */
static void
read_all(const unsigned char *s, size_t len, enum csv_encoding enc)
{
	struct csv_reader	*r;
	struct csv_row		 row;
	enum csv_encoding	 used;
	const char		*why;
	unsigned long		 line = 1, refline = 0;
	size_t			 reads, i, flen, total;
	char			*err = NULL;
	unsigned char		*conv = NULL;
	size_t			 convlen = 0;
	int			 rc, refrc, judge;

	r = csv_open(path, enc, &err);
	if ((why = expected_refusal(s, len, enc)) != NULL) {
		FUZZ_CHECK(r == NULL && err != NULL && strstr(err, why) != NULL,
		    "no %s diagnosis: %s", why, err != NULL ? err : "a reader");
		free(err);
		return;
	}
	FUZZ_CHECK(r != NULL, "csv_open: %s", err != NULL ? err : "?");
	FUZZ_CHECK(err == NULL, "an error with a reader");
	used = csv_encoding_of(r);
	if (enc == CSV_ENCODING_AUTO)
		FUZZ_CHECK(used == (is_utf8(s, len) ? CSV_ENCODING_UTF8 :
		    CSV_ENCODING_CP932), "detected %s",
		    csv_encoding_name(used));
	else
		FUZZ_CHECK(used == enc, "encoding changed");
	FUZZ_CHECK(csv_size(r) == (off_t)len, "size %lld of %zu",
	    (long long)csv_size(r), len);
	if (used == CSV_ENCODING_UTF8) {
		if ((judge = is_utf8(s, len)))
			ref_open(s, len, 1);
	} else if ((judge = cp932_all(s, len, &conv, &convlen) == 0))
		ref_open(conv, convlen, 0);

	/* A row or an error takes at least one byte of the file. */
	for (reads = 0; reads <= len + 1; reads++) {
		rc = csv_read(r, &row);
		FUZZ_CHECK(rc >= -1 && rc <= 1, "rc %d", rc);
		FUZZ_CHECK(csv_offset(r) >= 0 && csv_offset(r) <= (off_t)len,
		    "offset %lld of %zu", (long long)csv_offset(r), len);
		if (judge) {
			refrc = ref_read(&refline);
			FUZZ_CHECK(rc == refrc, "read %zu: rc %d (%s at %lu), "
			    "want %d (%s at %lu)", reads, rc, csv_error(r),
			    csv_error_line(r), refrc,
			    ref.err != NULL ? ref.err : "-", ref.errline);
		}
		if (rc == 0)
			break;
		if (rc == -1) {
			FUZZ_CHECK(strcmp(csv_error(r), "no error") != 0,
			    "an error without a reason");
			FUZZ_CHECK(csv_error_line(r) >= line,
			    "error at line %lu after line %lu",
			    csv_error_line(r), line);
			FUZZ_CHECK(row.nfields == 0, "an error with fields");
			if (judge)
				FUZZ_CHECK(strcmp(csv_error(r), ref.err) == 0 &&
				    csv_error_line(r) == ref.errline,
				    "\"%s\" at line %lu, want \"%s\" at %lu",
				    csv_error(r), csv_error_line(r), ref.err,
				    ref.errline);
			line = csv_error_line(r);
			continue;
		}
		FUZZ_CHECK(row.line >= line, "row at line %lu after line %lu",
		    row.line, line);
		line = row.line;
		FUZZ_CHECK(row.nfields >= 1 && row.nfields <= CSV_FIELDS_MAX,
		    "%zu fields", row.nfields);
		for (i = 0, total = 0; i < row.nfields; i++) {
			flen = strlen(row.fields[i]);
			FUZZ_CHECK(fuzz_utf8_valid(row.fields[i], flen),
			    "field %zu is not UTF-8", i);
			total += flen + 1;
		}
		FUZZ_CHECK(total <= CSV_ROW_MAX, "a row of %zu bytes", total);
		if (!judge)
			continue;
		FUZZ_CHECK(row.line == refline && row.nfields == ref.nfields,
		    "row at line %lu with %zu fields, want line %lu with %zu",
		    row.line, row.nfields, refline, ref.nfields);
		for (i = 0; i < row.nfields; i++)
			FUZZ_CHECK(strcmp(row.fields[i],
			    ref.row + ref.start[i]) == 0,
			    "line %lu field %zu: \"%s\", want \"%s\"", row.line,
			    i, row.fields[i], ref.row + ref.start[i]);
	}
	FUZZ_CHECK(reads <= len + 1, "no end after %zu reads", reads);
	FUZZ_CHECK(csv_read(r, &row) == 0 && csv_read(r, &row) == 0,
	    "the end did not stay the end");
	FUZZ_CHECK(csv_offset(r) == csv_size(r), "ends at %lld of %lld",
	    (long long)csv_offset(r), (long long)csv_size(r));
	csv_close(r);
	free(conv);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const enum csv_encoding encs[] = {
		CSV_ENCODING_AUTO, CSV_ENCODING_UTF8, CSV_ENCODING_CP932,
	};
	unsigned char	*file;
	size_t		 padlen = 0, len, e;
	unsigned	 opt;

	if (size < 2)
		return 0;
	opt = data[0];
	if (opt & 4)
		padlen = PAD_BASE + data[1];
	len = padlen + size - 2;
	if ((file = malloc(len + 1)) == NULL)
		abort();
	memset(file, 'a', padlen);
	if (padlen > 0 && !(opt & 8))
		file[padlen - 1] = '\n';
	memcpy(file + padlen, data + 2, size - 2);
	put_file(file, len);
	for (e = 0; e < 3; e++)
		if ((opt & 3) == 3 || (opt & 3) == e)
			read_all(file, len, encs[e]);
	free(file);
	return 0;
}
