/*
 * Byte codecs shared by the file formats: little-endian integers (the
 * entries of affected.db, the audit chain's hashed framing) and lowercase
 * hex (digests in conf files, logs and answers). One definition each.
 */
#ifndef HOTLINE_BYTES_H
#define HOTLINE_BYTES_H

#include <stddef.h>
#include <stdint.h>

/* Writes the n low bytes of v, least significant first. */
static inline void
bytes_put_le(unsigned char *p, uint64_t v, int n)
{
	int	i;

	for (i = 0; i < n; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

/* Reads n bytes written by bytes_put_le. */
static inline uint64_t
bytes_get_le(const unsigned char *p, int n)
{
	uint64_t	v = 0;

	while (n-- > 0)
		v = v << 8 | p[n];
	return v;
}

/* n bytes as 2n lowercase hex digits and a NUL. */
static inline void
bytes_hex(const unsigned char *p, size_t n, char *out)
{
	static const char	hex[] = "0123456789abcdef";
	size_t			i;

	for (i = 0; i < n; i++) {
		out[2 * i] = hex[p[i] >> 4];
		out[2 * i + 1] = hex[p[i] & 0xf];
	}
	out[2 * n] = '\0';
}

#endif
