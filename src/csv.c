/*
 * Streaming CSV reader for the organisation and affected lists (SPEC §4.1,
 * §4.2). The file is read in fixed blocks and parsed by a small state
 * machine that copies each field into one row buffer, so memory does not
 * depend on the size of the file and nothing is allocated per row.
 *
 * Choices beyond RFC 4180, all of them lenient towards what spreadsheets
 * and hand-edited files produce:
 *  - A '"' inside an unquoted field is an ordinary character (ab"cd).
 *  - Text after a closing quote is appended to the field ("ab"cd -> abcd).
 *  - LF, CRLF and a lone CR all end a line and count as one line each.
 *  - Empty lines are not rows; a line holding "" is a row of one empty field.
 *  - After an error the rest of the row is consumed (quotes still honoured),
 *    so the next csv_read() starts at the next row. An unterminated quote
 *    runs to the end of the file: it is reported at the line where its row
 *    started and the next csv_read() returns 0.
 *  - Encoding errors and NUL bytes are reported on the physical line where
 *    they occur; row-level errors (too long, too many fields) on the line
 *    where the row starts.
 */
#include <sys/types.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <iconv.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "csv.h"

/* Bytes read from the file at a time: read(2) costs nothing at this size. */
#define CSV_BLOCK	(64 * 1024)

/*
 * Converted text buffer. CP932 gives at most 3 UTF-8 bytes per input byte
 * (half-width katakana), so one raw block always fits in one conversion.
 */
#define CSV_TEXT_MAX	(3 * CSV_BLOCK + 64)

/*
 * Non-ASCII bytes the first block needs before it is called EUC-JP: a
 * few names' worth, so that a handful of stray bytes decide nothing.
 */
#define CSV_SNIFF_HIGH	64

/* Room for the incomplete multibyte sequence carried between blocks. */
#define CSV_TAIL_MAX	16

/*
 * Stands for an undecodable CP932 sequence in the converted text. The byte
 * 0xFF never occurs in UTF-8, so the parser cannot mistake it for text.
 */
#define CSV_BAD_BYTE	0xff

/*
 * UTF-8 validation is a DFA run over every byte the parser copies, in the
 * shift-based form: csv_dfa_init() packs, for each input byte, the next
 * state of every state into one 64-bit word, each state being the bit
 * offset of its 6-bit slot. A step is then one load and one shift, and
 * the state carries across read blocks by itself.
 */
#define CSV_U8_ACCEPT	0	/* between characters */
#define CSV_U8_ERROR	6	/* invalid; stays so until reset */
#define CSV_U8_TAIL1	12	/* one continuation byte to go */
#define CSV_U8_TAIL2	18	/* two continuation bytes to go */
#define CSV_U8_E0	24	/* after E0: A0-BF (no overlongs) */
#define CSV_U8_ED	30	/* after ED: 80-9F (no surrogates) */
#define CSV_U8_TAIL3	36	/* three continuation bytes to go */
#define CSV_U8_F0	42	/* after F0: 90-BF (no overlongs) */
#define CSV_U8_F4	48	/* after F4: 80-8F (up to U+10FFFF) */
#define CSV_U8_MASK	63

/* Set in a scan table entry for a byte that ends a run (see csv_span). */
#define CSV_STOP	(UINT64_C(1) << 63)

/* Where the parser is inside the current row. */
enum csv_state {
	CSV_ST_FIELD = 0,	/* at the start of a field */
	CSV_ST_PLAIN,		/* inside an unquoted field */
	CSV_ST_QUOTED,		/* inside a quoted field */
	CSV_ST_QUOTE,		/* just after a '"' inside a quoted field */
};

struct csv_reader {
	int			 fd;
	enum csv_encoding	 enc;	/* CSV_ENCODING_UTF8 or _CP932 */
	iconv_t			 cd;
	off_t			 size;
	off_t			 nread;	/* bytes read from the file so far */
	int			 eof;	/* read(2) returned 0 */
	int			 done;	/* csv_read() returns 0 from now on */

	unsigned char		*raw;	/* CP932 bytes awaiting conversion */
	size_t			 rawpos;
	size_t			 rawlen;

	unsigned char		 text[CSV_TEXT_MAX];	/* UTF-8 being parsed */
	size_t			 textpos;
	size_t			 textlen;

	uint64_t		 plain[256];	/* DFA step or CSV_STOP */
	uint64_t		 quoted[256];
	uint64_t		 u8;	/* DFA state, in the low 6 bits */

	unsigned long		 line;	/* line of the next byte, from 1 */
	int			 prev_cr; /* the last byte consumed was a CR */

	char			 row[CSV_ROW_MAX];
	size_t			 rowlen;
	size_t			 fieldstart;
	size_t			 nfields;
	int			 full;	/* row abandoned: stop storing */

	const char		*err;
	unsigned long		 errline;
	char			 errbuf[96];	/* for "read error: ..." */
};

/* Bytes that end a run of ordinary bytes in an unquoted field. */
static const unsigned char csv_plain_stop[256] = {
	['\0'] = 1, ['\n'] = 1, ['\r'] = 1, [','] = 1, [CSV_BAD_BYTE] = 1,
};

/* Bytes that end a run of ordinary bytes in a quoted field. */
static const unsigned char csv_quoted_stop[256] = {
	['\0'] = 1, ['\n'] = 1, ['\r'] = 1, ['"'] = 1, [CSV_BAD_BYTE] = 1,
};

static const struct {
	const char		*name;
	enum csv_encoding	 enc;
} csv_encodings[] = {
	{ "auto",	CSV_ENCODING_AUTO },
	{ "utf-8",	CSV_ENCODING_UTF8 },
	{ "utf8",	CSV_ENCODING_UTF8 },
	{ "cp932",	CSV_ENCODING_CP932 },
	/* What Japanese users call Shift_JIS is nearly always Windows' CP932. */
	{ "sjis",	CSV_ENCODING_CP932 },
	{ "shift_jis",	CSV_ENCODING_CP932 },
	{ "windows-31j", CSV_ENCODING_CP932 },
};

static void	csv_open_error(char **, const char *, const char *);
static const char *csv_sniff(struct csv_reader *, off_t, enum csv_encoding);
static ssize_t	csv_read_raw(struct csv_reader *, unsigned char *, size_t);
static int	csv_detect(struct csv_reader *, enum csv_encoding *);
static ssize_t	csv_fill(struct csv_reader *);
static ssize_t	csv_fill_cp932(struct csv_reader *);
static void	csv_dfa_init(uint64_t *);
static void	csv_scan_init(struct csv_reader *);
static size_t	csv_span(struct csv_reader *, const unsigned char *,
		    const unsigned char *, const uint64_t *);
static void	csv_utf8_end(struct csv_reader *);
static void	csv_fail(struct csv_reader *, const char *, unsigned long);
static void	csv_append(struct csv_reader *, const unsigned char *, size_t,
		    unsigned long);
static void	csv_end_field(struct csv_reader *, struct csv_row *,
		    unsigned long);
static void	csv_newline(struct csv_reader *, int);
static void	csv_bad_byte(struct csv_reader *, int);

int
csv_encoding_parse(const char *s, enum csv_encoding *out)
{
	size_t	i;

	for (i = 0; i < sizeof csv_encodings / sizeof csv_encodings[0]; i++) {
		if (strcasecmp(s, csv_encodings[i].name) == 0) {
			*out = csv_encodings[i].enc;
			return 0;
		}
	}
	return -1;
}

const char *
csv_encoding_name(enum csv_encoding enc)
{
	switch (enc) {
	case CSV_ENCODING_AUTO:
		return "auto";
	case CSV_ENCODING_UTF8:
		return "utf-8";
	case CSV_ENCODING_CP932:
		return "cp932";
	}
	return "unknown";
}

/* Sets the caller's *err to "path: reason", if the caller wants it. */
static void
csv_open_error(char **err, const char *path, const char *reason)
{
	if (err == NULL)
		return;
	if (asprintf(err, "%s: %s", path, reason) == -1)
		*err = NULL;
}

struct csv_reader *
csv_open(const char *path, enum csv_encoding enc, char **err)
{
	static const unsigned char	 bom[3] = { 0xef, 0xbb, 0xbf };
	struct csv_reader		*r;
	struct stat			 st;
	unsigned char			 head[3];
	const char			*reason;
	char				 buf[128];
	ssize_t				 n;
	off_t				 start = 0;

	if (err != NULL)
		*err = NULL;
	if (enc != CSV_ENCODING_AUTO && enc != CSV_ENCODING_UTF8 &&
	    enc != CSV_ENCODING_CP932) {
		csv_open_error(err, path, "unknown encoding");
		return NULL;
	}
	if ((r = calloc(1, sizeof *r)) == NULL) {
		csv_open_error(err, path, strerror(errno));
		return NULL;
	}
	r->cd = (iconv_t)-1;
	r->line = 1;
	csv_scan_init(r);
	/* O_NONBLOCK: opening a FIFO must not hang before we can refuse it. */
	if ((r->fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)) == -1)
		goto syserr;
	if (fstat(r->fd, &st) == -1)
		goto syserr;
	if (!S_ISREG(st.st_mode)) {
		reason = "not a regular file";
		goto fail;
	}
	r->size = st.st_size;

	do {
		n = pread(r->fd, head, sizeof head, 0);
	} while (n == -1 && errno == EINTR);
	if (n == -1)
		goto syserr;
	if (n == sizeof head && memcmp(head, bom, sizeof bom) == 0)
		start = sizeof bom;

	if (enc == CSV_ENCODING_AUTO) {
		if (lseek(r->fd, start, SEEK_SET) == -1 ||
		    csv_detect(r, &enc) == -1)
			goto syserr;
		r->eof = 0;
	}
	if ((reason = csv_sniff(r, start, enc)) != NULL) {
		csv_open_error(err, path, reason);
		csv_close(r);
		errno = EILSEQ;		/* the input, not the system */
		return NULL;
	}
	if (lseek(r->fd, start, SEEK_SET) == -1)
		goto syserr;
	r->nread = start;
	r->enc = enc;

	if (enc == CSV_ENCODING_CP932) {
		if ((r->cd = iconv_open("UTF-8", "CP932")) == (iconv_t)-1) {
			snprintf(buf, sizeof buf,
			    "CP932 conversion unavailable: %s", strerror(errno));
			reason = buf;
			goto fail;
		}
		if ((r->raw = malloc(CSV_BLOCK + CSV_TAIL_MAX)) == NULL)
			goto syserr;
	}
	(void)posix_fadvise(r->fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	return r;

syserr:
	reason = strerror(errno);
fail:
	csv_open_error(err, path, reason);
	csv_close(r);
	return NULL;
}

void
csv_close(struct csv_reader *r)
{
	if (r == NULL)
		return;
	if (r->fd != -1)
		close(r->fd);
	if (r->cd != (iconv_t)-1)
		iconv_close(r->cd);
	free(r->raw);
	free(r);
}

/* Whether len bytes decode in the encoding (a sequence cut at the end is). */
static int
csv_decodes(const char *from, const unsigned char *buf, size_t len,
    unsigned char *out, size_t outlen)
{
	iconv_t	 cd;
	char	*ip = (char *)buf, *op;
	size_t	 il = len, ol, rc;
	int	 ok = 1;

	if ((cd = iconv_open("UTF-8", from)) == (iconv_t)-1)
		return 0;
	while (il > 0) {
		op = (char *)out;
		ol = outlen;
		rc = iconv(cd, &ip, &il, &op, &ol);
		if (rc != (size_t)-1)
			break;
		if (errno == E2BIG)
			continue;
		ok = errno == EINVAL;	/* cut by the block: fine */
		break;
	}
	iconv_close(cd);
	return ok;
}

/*
 * One diagnosis for a file that is not text of the expected kind, from
 * its first block, instead of an error on every row: UTF-16 (Excel's
 * "Unicode text") and EUC-JP are the usual wrong saves. NULL if none.
 */
static const char *
csv_sniff(struct csv_reader *r, off_t start, enum csv_encoding enc)
{
	unsigned char	*buf = r->text;
	ssize_t		 n;
	size_t		 i, nul = 0, high = 0;

	do {
		n = pread(r->fd, buf, CSV_BLOCK, 0);
	} while (n == -1 && errno == EINTR);
	if (n <= 0)
		return NULL;
	for (i = 0; i < (size_t)n; i++) {
		nul += buf[i] == 0;
		high += buf[i] >= 0x80;
	}
	if ((n >= 2 && ((buf[0] == 0xff && buf[1] == 0xfe) ||
	    (buf[0] == 0xfe && buf[1] == 0xff))) || (n >= 4 && nul * 8 >=
	    (size_t)n))
		return "the file is UTF-16 (Excel's \"Unicode text\", which "
		    "is tab-separated too), not UTF-8 or CP932: save it as "
		    "\"CSV UTF-8\", or convert it with iconv -f UTF-16 -t "
		    "UTF-8";
	/*
	 * EUC-JP read as CP932 decodes to nonsense or fails here and there;
	 * CP932 text is almost never valid EUC-JP (its kanji lead bytes
	 * 0x88-0x9f are not EUC-JP), so valid EUC-JP is the diagnosis.
	 */
	if (enc == CSV_ENCODING_CP932 && high >= CSV_SNIFF_HIGH &&
	    csv_decodes("EUC-JP",
	    buf + start, (size_t)n - (size_t)start, r->text + CSV_BLOCK,
	    sizeof r->text - CSV_BLOCK))
		return "the file looks like EUC-JP, not UTF-8 or CP932: "
		    "convert it, e.g. iconv -f EUC-JP -t UTF-8";
	return NULL;
}

/* read(2) that retries on EINTR and keeps the byte count for progress. */
static ssize_t
csv_read_raw(struct csv_reader *r, unsigned char *buf, size_t len)
{
	ssize_t	n;

	if (r->eof)
		return 0;
	do {
		n = read(r->fd, buf, len);
	} while (n == -1 && errno == EINTR);
	if (n == -1)
		return -1;
	if (n == 0)
		r->eof = 1;
	r->nread += n;
	return n;
}

/* Packs the UTF-8 DFA's transitions (RFC 3629, Table 3-7 of Unicode). */
static void
csv_dfa_init(uint64_t *dfa)
{
	unsigned	b, to;

	for (b = 0; b < 256; b++) {
		if (b < 0x80)
			to = CSV_U8_ACCEPT;
		else if (b < 0xc2)
			to = CSV_U8_ERROR;
		else if (b < 0xe0)
			to = CSV_U8_TAIL1;
		else if (b == 0xe0)
			to = CSV_U8_E0;
		else if (b == 0xed)
			to = CSV_U8_ED;
		else if (b < 0xf0)
			to = CSV_U8_TAIL2;
		else if (b == 0xf0)
			to = CSV_U8_F0;
		else if (b < 0xf4)
			to = CSV_U8_TAIL3;
		else if (b == 0xf4)
			to = CSV_U8_F4;
		else
			to = CSV_U8_ERROR;
		dfa[b] = (uint64_t)to << CSV_U8_ACCEPT;
		/* Anything not set below leads to CSV_U8_ERROR. */
		dfa[b] |= (uint64_t)CSV_U8_ERROR << CSV_U8_ERROR;
		if (b < 0x80 || b > 0xbf) {
			dfa[b] |= (uint64_t)CSV_U8_ERROR << CSV_U8_TAIL1 |
			    (uint64_t)CSV_U8_ERROR << CSV_U8_TAIL2 |
			    (uint64_t)CSV_U8_ERROR << CSV_U8_E0 |
			    (uint64_t)CSV_U8_ERROR << CSV_U8_ED |
			    (uint64_t)CSV_U8_ERROR << CSV_U8_TAIL3 |
			    (uint64_t)CSV_U8_ERROR << CSV_U8_F0 |
			    (uint64_t)CSV_U8_ERROR << CSV_U8_F4;
			continue;
		}
		dfa[b] |= (uint64_t)CSV_U8_ACCEPT << CSV_U8_TAIL1 |
		    (uint64_t)CSV_U8_TAIL1 << CSV_U8_TAIL2 |
		    (uint64_t)(b >= 0xa0 ? CSV_U8_TAIL1 : CSV_U8_ERROR) <<
		    CSV_U8_E0 |
		    (uint64_t)(b <= 0x9f ? CSV_U8_TAIL1 : CSV_U8_ERROR) <<
		    CSV_U8_ED |
		    (uint64_t)CSV_U8_TAIL2 << CSV_U8_TAIL3 |
		    (uint64_t)(b >= 0x90 ? CSV_U8_TAIL2 : CSV_U8_ERROR) <<
		    CSV_U8_F0 |
		    (uint64_t)(b <= 0x8f ? CSV_U8_TAIL2 : CSV_U8_ERROR) <<
		    CSV_U8_F4;
	}
}

/*
 * Builds the two scan tables: the DFA step for each byte, with CSV_STOP
 * for the bytes that end a run in an unquoted or a quoted field.
 */
static void
csv_scan_init(struct csv_reader *r)
{
	unsigned	b;

	csv_dfa_init(r->plain);
	memcpy(r->quoted, r->plain, sizeof r->quoted);
	for (b = 0; b < 256; b++) {
		if (csv_plain_stop[b])
			r->plain[b] |= CSV_STOP;
		if (csv_quoted_stop[b])
			r->quoted[b] |= CSV_STOP;
	}
}

/*
 * Scans the whole file once to decide between UTF-8 and CP932: a single
 * invalid sequence anywhere makes it CP932, so a file that merely starts
 * with ASCII is not misread.
 */
static int
csv_detect(struct csv_reader *r, enum csv_encoding *out)
{
	uint64_t	 st = CSV_U8_ACCEPT;
	ssize_t		 n, i;
	const uint64_t	*dfa = r->plain;

	for (;;) {
		if ((n = csv_read_raw(r, r->text, CSV_BLOCK)) == -1)
			return -1;
		for (i = 0; i < n; i++)
			st = dfa[r->text[i]] >> (st & CSV_U8_MASK);
		st &= CSV_U8_MASK;
		if (st == CSV_U8_ERROR || (n == 0 && st != CSV_U8_ACCEPT)) {
			*out = CSV_ENCODING_CP932;
			return 0;
		}
		if (n == 0) {
			*out = CSV_ENCODING_UTF8;
			return 0;
		}
	}
}

/*
 * Refills the text buffer once it is used up: returns the bytes now
 * available, 0 at the end of the file, -1 on a read error.
 */
static ssize_t
csv_fill(struct csv_reader *r)
{
	ssize_t	n;

	if (r->enc == CSV_ENCODING_CP932)
		return csv_fill_cp932(r);
	n = csv_read_raw(r, r->text, CSV_BLOCK);
	r->textpos = 0;
	r->textlen = n > 0 ? (size_t)n : 0;
	return n;
}

/*
 * Converts the next CP932 bytes to UTF-8. A sequence split across two
 * blocks is carried over; an invalid one becomes CSV_BAD_BYTE and its
 * first byte is skipped, so a following newline still ends the row.
 */
static ssize_t
csv_fill_cp932(struct csv_reader *r)
{
	char	*ip, *op;
	size_t	 il, ol, rc, tail;
	ssize_t	 n;
	int	 saved;

	r->textpos = 0;
	r->textlen = 0;
	for (;;) {
		if (r->rawpos < r->rawlen) {
			ip = (char *)r->raw + r->rawpos;
			il = r->rawlen - r->rawpos;
			op = (char *)r->text;
			ol = sizeof r->text;
			rc = iconv(r->cd, &ip, &il, &op, &ol);
			saved = errno;
			r->rawpos = (unsigned char *)ip - r->raw;
			r->textlen = (unsigned char *)op - r->text;
			if (rc == (size_t)-1 && saved == EILSEQ &&
			    r->textlen == 0) {
				r->text[0] = CSV_BAD_BYTE;
				r->textlen = 1;
				r->rawpos++;
			}
			/* EILSEQ after some text: the marker comes next time. */
			if (r->textlen > 0)
				return r->textlen;
			/* Otherwise EINVAL: only a partial sequence is left. */
		}
		if ((tail = r->rawlen - r->rawpos) > CSV_TAIL_MAX) {
			/* No CP932 sequence is this long: skip a byte. */
			r->text[0] = CSV_BAD_BYTE;
			r->textlen = 1;
			r->rawpos++;
			return 1;
		}
		/* Reads stay aligned to CSV_BLOCK; the tail sits before. */
		memmove(r->raw, r->raw + r->rawpos, tail);
		r->rawpos = 0;
		r->rawlen = tail;
		n = csv_read_raw(r, r->raw + tail, CSV_BLOCK);
		if (n == -1)
			return -1;
		if (n == 0) {
			if (tail == 0)
				return 0;
			/* A sequence cut short by the end of the file. */
			r->rawlen = 0;
			r->text[0] = CSV_BAD_BYTE;
			r->textlen = 1;
			return 1;
		}
		r->rawlen += n;
	}
}

/*
 * Length of the run of bytes from p that are not stop bytes, run through
 * the UTF-8 DFA on the way: the one pass over the text that must be fast,
 * hence one table load per byte and the unrolling.
 */
static size_t
csv_span(struct csv_reader *r, const unsigned char *p,
    const unsigned char *end, const uint64_t *tab)
{
	const unsigned char	*s = p;
	uint64_t		 st = r->u8, x;

	while (end - p >= 4) {
		if ((x = tab[p[0]]) & CSV_STOP)
			goto out;
		st = x >> (st & CSV_U8_MASK);
		if ((x = tab[p[1]]) & CSV_STOP) {
			p += 1;
			goto out;
		}
		st = x >> (st & CSV_U8_MASK);
		if ((x = tab[p[2]]) & CSV_STOP) {
			p += 2;
			goto out;
		}
		st = x >> (st & CSV_U8_MASK);
		if ((x = tab[p[3]]) & CSV_STOP) {
			p += 3;
			goto out;
		}
		st = x >> (st & CSV_U8_MASK);
		p += 4;
	}
	while (p < end && !((x = tab[*p]) & CSV_STOP)) {
		st = x >> (st & CSV_U8_MASK);
		p++;
	}
out:
	r->u8 = st & CSV_U8_MASK;
	return p - s;
}

/*
 * Called at each stop byte (all ASCII) and at the end of the file, where
 * no UTF-8 sequence may be pending: reports a bad one on its own line.
 */
static void
csv_utf8_end(struct csv_reader *r)
{
	if (r->u8 == CSV_U8_ACCEPT)
		return;
	csv_fail(r, "bad UTF-8", r->line);
	r->u8 = CSV_U8_ACCEPT;
}

/* Records the first error of the row; later ones would only repeat it. */
static void
csv_fail(struct csv_reader *r, const char *msg, unsigned long line)
{
	if (r->err != NULL)
		return;
	r->err = msg;
	r->errline = line;
}

/* Appends to the current field, keeping room for its terminating NUL. */
static void
csv_append(struct csv_reader *r, const unsigned char *s, size_t n,
    unsigned long rowline)
{
	if (r->full)
		return;
	if (r->rowlen + n >= CSV_ROW_MAX) {
		r->full = 1;
		csv_fail(r, "row too long", rowline);
		return;
	}
	memcpy(r->row + r->rowlen, s, n);
	r->rowlen += n;
}

/* Terminates the current field and hands it to the row, within limits. */
static void
csv_end_field(struct csv_reader *r, struct csv_row *row,
    unsigned long rowline)
{
	if (r->full)
		return;
	if (r->nfields == CSV_FIELDS_MAX) {
		r->full = 1;
		csv_fail(r, "too many fields", rowline);
		return;
	}
	if (r->rowlen >= CSV_ROW_MAX) {
		r->full = 1;
		csv_fail(r, "row too long", rowline);
		return;
	}
	r->row[r->rowlen++] = '\0';
	row->fields[r->nfields++] = r->row + r->fieldstart;
	r->fieldstart = r->rowlen;
}

/* Counts a line break: CR and LF once each, CRLF once in all. */
static void
csv_newline(struct csv_reader *r, int c)
{
	if (c == '\r') {
		r->line++;
		r->prev_cr = 1;
		return;
	}
	if (!r->prev_cr)
		r->line++;
	r->prev_cr = 0;
}

/* A NUL or an undecodable sequence, reported on its own physical line. */
static void
csv_bad_byte(struct csv_reader *r, int c)
{
	if (c == '\0')
		csv_fail(r, "NUL byte", r->line);
	else if (r->enc == CSV_ENCODING_CP932)
		csv_fail(r, "bad CP932 byte sequence", r->line);
	else
		csv_fail(r, "bad UTF-8", r->line);
	r->prev_cr = 0;
}

int
csv_read(struct csv_reader *r, struct csv_row *row)
{
	enum csv_state		 st = CSV_ST_FIELD;
	const unsigned char	*p, *end;
	unsigned char		 b;
	unsigned long		 rowline;
	size_t			 n;
	ssize_t			 got;
	int			 c, started = 0;

	row->nfields = 0;
	r->err = NULL;
	r->errline = 0;
	if (r->done)
		return 0;
	r->rowlen = r->fieldstart = r->nfields = 0;
	r->full = 0;
	rowline = row->line = r->line;

	for (;;) {
		if (r->textpos == r->textlen) {
			if ((got = csv_fill(r)) == -1) {
				/* Not a bad row: the rest of the file is lost. */
				snprintf(r->errbuf, sizeof r->errbuf,
				    "read error: %s", strerror(errno));
				r->err = r->errbuf;
				r->errline = r->line;
				r->done = 1;
				row->nfields = 0;
				return -1;
			}
			if (got == 0)
				break;
		}
		p = r->text + r->textpos;
		end = r->text + r->textlen;

		switch (st) {
		case CSV_ST_FIELD:
			if (*p == '"') {
				r->textpos++;
				r->prev_cr = 0;
				started = 1;
				st = CSV_ST_QUOTED;
				continue;
			}
			st = CSV_ST_PLAIN;
			/* FALLTHROUGH */
		case CSV_ST_PLAIN:
			if ((n = csv_span(r, p, end, r->plain)) > 0) {
				csv_append(r, p, n, rowline);
				r->textpos += n;
				r->prev_cr = 0;
				started = 1;
				if (r->textpos == r->textlen)
					continue;
				p += n;
			}
			csv_utf8_end(r);
			c = *p;
			r->textpos++;
			if (c == ',') {
				csv_end_field(r, row, rowline);
				r->prev_cr = 0;
				started = 1;
				st = CSV_ST_FIELD;
			} else if (c == '\n' || c == '\r') {
				csv_newline(r, c);
				if (started)
					goto row_end;
				/* An empty line: the row starts later. */
				rowline = row->line = r->line;
				st = CSV_ST_FIELD;
			} else {
				csv_bad_byte(r, c);
				started = 1;
			}
			continue;
		case CSV_ST_QUOTED:
			if ((n = csv_span(r, p, end, r->quoted)) > 0) {
				csv_append(r, p, n, rowline);
				r->textpos += n;
				r->prev_cr = 0;
				if (r->textpos == r->textlen)
					continue;
				p += n;
			}
			csv_utf8_end(r);
			c = *p;
			r->textpos++;
			if (c == '"') {
				r->prev_cr = 0;
				st = CSV_ST_QUOTE;
			} else if (c == '\n' || c == '\r') {
				b = c;
				csv_append(r, &b, 1, rowline);
				csv_newline(r, c);
			} else
				csv_bad_byte(r, c);
			continue;
		case CSV_ST_QUOTE:
			c = *p;
			if (c == '"') {
				b = c;
				csv_append(r, &b, 1, rowline);
				r->textpos++;
				r->prev_cr = 0;
				st = CSV_ST_QUOTED;
			} else if (c == ',') {
				csv_end_field(r, row, rowline);
				r->textpos++;
				r->prev_cr = 0;
				st = CSV_ST_FIELD;
			} else if (c == '\n' || c == '\r') {
				r->textpos++;
				csv_newline(r, c);
				goto row_end;
			} else
				st = CSV_ST_PLAIN;	/* "ab"cd: lenient */
			continue;
		}
	}

	/* End of file. */
	csv_utf8_end(r);
	if (st == CSV_ST_QUOTED) {
		r->err = "unterminated quoted field";
		r->errline = rowline;
		r->done = 1;
		return -1;
	}
	if (!started) {
		r->done = 1;
		return 0;
	}

row_end:
	csv_end_field(r, row, rowline);
	if (r->err != NULL) {
		row->nfields = 0;
		return -1;
	}
	row->nfields = r->nfields;
	return 1;
}

const char *
csv_error(const struct csv_reader *r)
{
	return r->err != NULL ? r->err : "no error";
}

unsigned long
csv_error_line(const struct csv_reader *r)
{
	return r->errline;
}

enum csv_encoding
csv_encoding_of(const struct csv_reader *r)
{
	return r->enc;
}

/*
 * Counts what was read minus what still waits in the buffers. In CP932
 * mode converted text not yet parsed counts as consumed, which is close
 * enough for a progress meter.
 */
off_t
csv_offset(const struct csv_reader *r)
{
	if (r->enc == CSV_ENCODING_CP932)
		return r->nread - (off_t)(r->rawlen - r->rawpos);
	return r->nread - (off_t)(r->textlen - r->textpos);
}

off_t
csv_size(const struct csv_reader *r)
{
	return r->size;
}
