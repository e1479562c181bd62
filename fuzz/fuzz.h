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

/* A broken invariant: say which, then abort so libFuzzer keeps the input. */
#define FUZZ_CHECK(cond, ...) do {					\
	if (!(cond)) {							\
		fprintf(stderr, "%s:%d: invariant broken: %s: ",	\
		    __FILE__, __LINE__, #cond);				\
		fprintf(stderr, __VA_ARGS__);				\
		fputc('\n', stderr);					\
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
