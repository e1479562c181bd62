/*
 * Streaming CSV reader for the organisation and affected lists (SPEC §4.1,
 * §4.2): RFC 4180 quoting (embedded commas, quotes and newlines), LF or
 * CRLF, a UTF-8 BOM stripped, UTF-8 or CP932 input (converted to UTF-8
 * with iconv), and auto-detection between the two.
 *
 * Memory does not grow with the file: the reader holds one input block and
 * one row. Fields are returned as NUL-terminated UTF-8 strings that stay
 * valid until the next csv_read().
 */
#ifndef HOTLINE_CSV_H
#define HOTLINE_CSV_H

#include <stddef.h>
#include <sys/types.h>

enum csv_encoding {
	CSV_ENCODING_AUTO = 0,	/* valid UTF-8 -> UTF-8, else CP932 */
	CSV_ENCODING_UTF8,
	CSV_ENCODING_CP932,
};

/*
 * Longest row (after conversion to UTF-8: its fields' bytes plus one NUL
 * each, so one field of up to CSV_ROW_MAX - 1 bytes) and most fields a row
 * may have.
 */
#define CSV_ROW_MAX	(64 * 1024)
#define CSV_FIELDS_MAX	64

struct csv_reader;

/* One row: borrowed pointers into the reader, valid until the next read. */
struct csv_row {
	size_t		  nfields;
	char		 *fields[CSV_FIELDS_MAX];
	unsigned long	  line;		/* line the row starts on, from 1 */
};

/*
 * Parses "auto", "utf-8"/"utf8", "cp932"/"sjis"/"shift_jis"/"windows-31j",
 * case-insensitively: 0, or -1 for anything else. Shift_JIS means CP932.
 */
int	csv_encoding_parse(const char *, enum csv_encoding *);
const char *csv_encoding_name(enum csv_encoding);

/*
 * Opens path, a regular file. With CSV_ENCODING_AUTO the whole file is
 * scanned once to decide (valid UTF-8 -> UTF-8, else CP932). A UTF-8 BOM
 * is skipped whatever the encoding. On failure returns NULL and, if err is
 * not NULL, sets *err to a malloc'd "path: reason" (caller frees).
 */
struct csv_reader *csv_open(const char *path, enum csv_encoding, char **err);

/*
 * Reads the next row: 1 a row, 0 end of file, -1 an error. Empty lines
 * are skipped. After an error, csv_error() says why ("bad UTF-8", "bad
 * CP932 byte sequence", "NUL byte", "unterminated quoted field", "row too
 * long", "too many fields") and csv_error_line() where; the rest of that
 * row is skipped so that the caller may go on and report further errors.
 * An unterminated quote runs to the end of the file, so the next read
 * returns 0. "read error: ..." means the rest of the file could not be
 * read: the next read returns 0 but csv_offset() stays below csv_size(),
 * and the caller must not treat the file as complete.
 */
int	csv_read(struct csv_reader *, struct csv_row *);
const char *csv_error(const struct csv_reader *);
unsigned long csv_error_line(const struct csv_reader *);

/* The encoding in use (after auto-detection). */
enum csv_encoding csv_encoding_of(const struct csv_reader *);

/*
 * Bytes of the file consumed so far and its size at open, for progress
 * (in CP932 mode text converted but not yet parsed counts as consumed).
 * At the end of the file the offset equals the size, unless the file
 * changed meanwhile.
 */
off_t	csv_offset(const struct csv_reader *);
off_t	csv_size(const struct csv_reader *);

void	csv_close(struct csv_reader *);

#endif
