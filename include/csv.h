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

/* Longest row (after conversion to UTF-8) and most fields a row may have. */
#define CSV_ROW_MAX	(64 * 1024)
#define CSV_FIELDS_MAX	64

struct csv_reader;

/* One row: borrowed pointers into the reader, valid until the next read. */
struct csv_row {
	size_t		  nfields;
	char		 *fields[CSV_FIELDS_MAX];
	unsigned long	  line;		/* line the row starts on, from 1 */
};

/* Parses "auto", "utf-8"/"utf8", "cp932"/"sjis"/"shift_jis". */
int	csv_encoding_parse(const char *, enum csv_encoding *);
const char *csv_encoding_name(enum csv_encoding);

/*
 * Opens path. With CSV_ENCODING_AUTO the file is scanned once to decide.
 * On failure returns NULL and sets *err to a malloc'd message (caller frees).
 */
struct csv_reader *csv_open(const char *path, enum csv_encoding, char **err);

/*
 * Reads the next row: 1 a row, 0 end of file, -1 an error. After an
 * error, csv_error() says why (bad encoding, unterminated quote, row too
 * long, too many fields) and csv_error_line() where; the reader then
 * resynchronises at the next line so that the caller may go on and report
 * further errors.
 */
int	csv_read(struct csv_reader *, struct csv_row *);
const char *csv_error(const struct csv_reader *);
unsigned long csv_error_line(const struct csv_reader *);

/* The encoding in use (after auto-detection). */
enum csv_encoding csv_encoding_of(const struct csv_reader *);

/* Bytes of the file consumed so far and its total size, for progress. */
off_t	csv_offset(const struct csv_reader *);
off_t	csv_size(const struct csv_reader *);

void	csv_close(struct csv_reader *);

#endif
