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
 * the offset equals the size.
 */
#include <sys/mman.h>

#include <fcntl.h>
#include <unistd.h>

#include "fuzz.h"

#include "csv.h"

#define PAD_BASE	(CSV_ROW_MAX - 128)

static int	 memfd = -1;
static char	 path[64];
static char	*pad;

/* The file and the pad, once per process. */
static void
setup(void)
{
	if (memfd != -1)
		return;
	if ((memfd = memfd_create("fuzz_csv", MFD_CLOEXEC)) == -1)
		abort();
	snprintf(path, sizeof path, "/proc/self/fd/%d", memfd);
	if ((pad = malloc(PAD_BASE + 256)) == NULL)
		abort();
}

/* Makes the file's content pad[0..padlen) + data[0..size). */
static void
put_file(const uint8_t *data, size_t size, size_t padlen)
{
	size_t	 off = 0, len = padlen + size;
	ssize_t	 n;

	if (ftruncate(memfd, 0) == -1)
		abort();
	while (off < len) {
		if (off < padlen)
			n = pwrite(memfd, pad + off, padlen - off, (off_t)off);
		else
			n = pwrite(memfd, data + (off - padlen), len - off,
			    (off_t)off);
		if (n <= 0)
			abort();
		off += (size_t)n;
	}
}

/* Whether the file, after a UTF-8 BOM, is valid UTF-8 (or empty). */
static int
file_is_utf8(const uint8_t *data, size_t size, size_t padlen)
{
	if (padlen == 0 && size >= 3 && memcmp(data, "\xef\xbb\xbf", 3) == 0)
		return fuzz_utf8_valid((const char *)data + 3, size - 3);
	return fuzz_utf8_valid((const char *)data, size);
}

static void
read_all(enum csv_encoding enc, size_t len, int utf8)
{
	struct csv_reader	*r;
	struct csv_row		 row;
	unsigned long		 line = 1;
	size_t			 reads, i, flen, total;
	char			*err = NULL;
	int			 rc;

	r = csv_open(path, enc, &err);
	FUZZ_CHECK(r != NULL, "csv_open: %s", err != NULL ? err : "?");
	FUZZ_CHECK(err == NULL, "an error with a reader");
	if (enc == CSV_ENCODING_AUTO)
		FUZZ_CHECK(csv_encoding_of(r) == (utf8 ? CSV_ENCODING_UTF8 :
		    CSV_ENCODING_CP932), "detected %s",
		    csv_encoding_name(csv_encoding_of(r)));
	else
		FUZZ_CHECK(csv_encoding_of(r) == enc, "encoding changed");
	FUZZ_CHECK(csv_size(r) == (off_t)len, "size %lld of %zu",
	    (long long)csv_size(r), len);

	/* A row or an error takes at least one byte of the file. */
	for (reads = 0; reads <= len + 1; reads++) {
		rc = csv_read(r, &row);
		FUZZ_CHECK(rc >= -1 && rc <= 1, "rc %d", rc);
		FUZZ_CHECK(csv_offset(r) >= 0 && csv_offset(r) <= (off_t)len,
		    "offset %lld of %zu", (long long)csv_offset(r), len);
		if (rc == 0)
			break;
		if (rc == -1) {
			FUZZ_CHECK(strcmp(csv_error(r), "no error") != 0,
			    "an error without a reason");
			FUZZ_CHECK(csv_error_line(r) >= line,
			    "error at line %lu after line %lu",
			    csv_error_line(r), line);
			FUZZ_CHECK(row.nfields == 0, "an error with fields");
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
		/* UTF-8 is copied, never grown (quotes only go). */
		if (csv_encoding_of(r) == CSV_ENCODING_UTF8)
			FUZZ_CHECK(total - row.nfields <= len, "grew");
	}
	FUZZ_CHECK(reads <= len + 1, "no end after %zu reads", reads);
	FUZZ_CHECK(csv_read(r, &row) == 0 && csv_read(r, &row) == 0,
	    "the end did not stay the end");
	FUZZ_CHECK(csv_offset(r) == csv_size(r), "ends at %lld of %lld",
	    (long long)csv_offset(r), (long long)csv_size(r));
	csv_close(r);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const enum csv_encoding encs[] = {
		CSV_ENCODING_AUTO, CSV_ENCODING_UTF8, CSV_ENCODING_CP932,
	};
	size_t		 padlen = 0, e;
	unsigned	 opt;
	int		 utf8;

	if (size < 2)
		return 0;
	opt = data[0];
	if (opt & 4)
		padlen = PAD_BASE + data[1];
	data += 2;
	size -= 2;
	setup();
	if (padlen > 0) {
		memset(pad, 'a', padlen);
		if (!(opt & 8))
			pad[padlen - 1] = '\n';
	}
	put_file(data, size, padlen);
	utf8 = file_is_utf8(data, size, padlen);
	for (e = 0; e < 3; e++)
		if ((opt & 3) == 3 || (opt & 3) == e)
			read_all(encs[e], padlen + size, utf8);
	return 0;
}
