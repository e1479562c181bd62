/*
 * Shared by the libFuzzer targets (fuzz/fuzz_*.c, docs/FUZZING.md): the
 * input as an exactly sized C string, so that ASan sees a read past its
 * NUL, out buffers of exactly the size a header promises, and the checks
 * that turn a broken invariant into a crash that libFuzzer reports.
 */
#ifndef HOTLINE_FUZZ_H
#define HOTLINE_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <utf8proc.h>

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* The string being checked, for the report of a broken invariant. */
static const char	*fuzz_input;

/* Whether c reads as itself in a test's source: letters, digits, marks. */
static inline int
fuzz_visible(utf8proc_int32_t c)
{
	switch (utf8proc_category(c)) {
	case UTF8PROC_CATEGORY_LU: case UTF8PROC_CATEGORY_LL:
	case UTF8PROC_CATEGORY_LT: case UTF8PROC_CATEGORY_LM:
	case UTF8PROC_CATEGORY_LO: case UTF8PROC_CATEGORY_ND:
	case UTF8PROC_CATEGORY_NL: case UTF8PROC_CATEGORY_NO:
	case UTF8PROC_CATEGORY_PC: case UTF8PROC_CATEGORY_PD:
	case UTF8PROC_CATEGORY_PS: case UTF8PROC_CATEGORY_PE:
	case UTF8PROC_CATEGORY_PI: case UTF8PROC_CATEGORY_PF:
	case UTF8PROC_CATEGORY_PO: case UTF8PROC_CATEGORY_SM:
	case UTF8PROC_CATEGORY_SC: case UTF8PROC_CATEGORY_SK:
	case UTF8PROC_CATEGORY_SO:
		return 1;
	default:
		return 0;
	}
}

/*
 * Writes s as a C string literal, ready for a regression test: visible
 * characters as they are, everything else (combining marks, spaces other
 * than ' ', controls, invalid UTF-8) as \x escapes.
 */
static inline void
fuzz_print_literal(FILE *fp, const char *s)
{
	const unsigned char	*p = (const unsigned char *)s;
	size_t			 len = strlen(s), i = 0, k;
	utf8proc_int32_t	 c;
	utf8proc_ssize_t	 r;
	int			 escaped = 0;

	fputc('"', fp);
	while (i < len) {
		r = utf8proc_iterate(p + i, (utf8proc_ssize_t)(len - i), &c);
		if (r <= 0) {
			r = 1;
			c = -1;
		}
		if (c == '"' || c == '\\') {
			fprintf(fp, "\\%c", (int)c);
			escaped = 0;
		} else if ((c >= 0x20 && c < 0x7f) ||
		    (c >= 0x80 && fuzz_visible(c))) {
			/* A hex digit would extend the escape before it. */
			if (escaped && c < 0x80 && strchr("0123456789abcdefABCDEF",
			    (int)c) != NULL)
				fputs("\"\"", fp);
			fwrite(p + i, 1, (size_t)r, fp);
			escaped = 0;
		} else {
			for (k = 0; k < (size_t)r; k++)
				fprintf(fp, "\\x%02x", p[i + k]);
			escaped = 1;
		}
		i += (size_t)r;
	}
	fputs("\"\n", fp);
}

/*
 * Says which string is checked next: kept for a report, and printed at
 * once when FUZZ_ECHO is set (replaying a crash shows its input that way,
 * also when it was spelled in an alphabet).
 */
static inline void
fuzz_begin(const char *in)
{
	static int	 echo = -1;

	if (echo == -1)
		echo = getenv("FUZZ_ECHO") != NULL;
	fuzz_input = in;
	if (echo) {
		fputs("input: ", stderr);
		fuzz_print_literal(stderr, in);
	}
}

/* A broken invariant: say which, then abort so libFuzzer keeps the input. */
#define FUZZ_CHECK(cond, ...) do {					\
	if (!(cond)) {							\
		fprintf(stderr, "%s:%d: invariant broken: %s: ",	\
		    __FILE__, __LINE__, #cond);				\
		fprintf(stderr, __VA_ARGS__);				\
		fputc('\n', stderr);					\
		if (fuzz_input != NULL) {				\
			fputs("input: ", stderr);			\
			fuzz_print_literal(stderr, fuzz_input);		\
		}							\
		abort();						\
	}								\
} while (0)

/* The input, NUL-terminated, in a heap block of exactly size + 1 bytes. */
static inline char *
fuzz_cstring(const uint8_t *data, size_t size)
{
	char	*s;

	if ((s = malloc(size + 1)) == NULL)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

/*
 * The input spelled in an alphabet, in a heap block of exactly its size:
 * byte b becomes the code point alpha[b % n]. Mutations then work on the
 * characters a normalizer cares about (a combining mark right after the
 * letter it may join, a kanji numeral before 丁目) instead of on UTF-8
 * bytes, which they mostly break. Stops before passing max bytes.
 */
static inline char *
fuzz_spell(const uint8_t *data, size_t size, const utf8proc_int32_t *alpha,
    size_t n, size_t max)
{
	utf8proc_uint8_t	 tmp[4];
	utf8proc_ssize_t	 r;
	size_t			 i, o = 0;
	char			*s;

	if ((s = malloc(4 * size + 1)) == NULL)
		abort();
	for (i = 0; i < size; i++) {
		r = utf8proc_encode_char(alpha[data[i] % n], tmp);
		if (r <= 0 || o + (size_t)r > max)
			break;
		memcpy(s + o, tmp, (size_t)r);
		o += (size_t)r;
	}
	s[o] = '\0';
	/* Shrink to the exact size, so that ASan sees a read past the NUL. */
	if ((s = realloc(s, o + 1)) == NULL)
		abort();
	return s;
}

/* A heap block of exactly size bytes, filled with garbage, for an out. */
static inline char *
fuzz_out(size_t size)
{
	char	*s;

	if ((s = malloc(size)) == NULL)
		abort();
	memset(s, 0xa5, size);
	return s;
}

/* Whether s[0..len) is well-formed UTF-8 (utf8proc's reading of it). */
static inline int
fuzz_utf8_valid(const char *s, size_t len)
{
	utf8proc_int32_t	 c;
	utf8proc_ssize_t	 r;
	size_t			 i = 0;

	while (i < len) {
		r = utf8proc_iterate((const utf8proc_uint8_t *)s + i,
		    (utf8proc_ssize_t)(len - i), &c);
		if (r <= 0)
			return 0;
		i += (size_t)r;
	}
	return 1;
}

/*
 * An invalid result's reason (include/normalize.h): a short fixed phrase,
 * never a pointer into the input or the out buffer.
 */
static inline void
fuzz_check_reason(const char *reason, const char *in, size_t inlen,
    const char *out, size_t outsize)
{
	size_t	 len;

	FUZZ_CHECK(reason != NULL, "invalid without a reason");
	FUZZ_CHECK(!(reason >= in && reason <= in + inlen),
	    "reason points into the input");
	FUZZ_CHECK(out == NULL || !(reason >= out && reason < out + outsize),
	    "reason points into the out buffer");
	len = strlen(reason);
	FUZZ_CHECK(len > 0 && len < 128, "reason of %zu bytes", len);
}

#endif
