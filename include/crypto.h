/*
 * Key files, SHA-256 digests, hex, constant-time comparison and random
 * handles (sessions, refs, tokens). Keyed hashing is hasher.h's.
 */
#ifndef HOTLINE_CRYPTO_H
#define HOTLINE_CRYPTO_H

#include <stddef.h>
#include <stdint.h>

#define CRYPTO_KEY_SIZE		32
#define CRYPTO_SHA256_SIZE	32
#define CRYPTO_SHA256_HEX_SIZE	65	/* with NUL */

/*
 * A key_file of "credential:NAME" is the systemd credential NAME:
 * $CREDENTIALS_DIRECTORY/NAME, so that the key need not sit on the disk
 * beside the data it protects (SPEC §4).
 */
#define CRYPTO_CREDENTIAL_PREFIX	"credential:"

/*
 * Reads the key file (a path or "credential:NAME"). Refuses a file that
 * is not exactly CRYPTO_KEY_SIZE bytes, or (check_mode) that group or
 * others may read. Returns 0, or -1 with *err set to a malloc'd message.
 */
int	crypto_key_load(const char *path, int check_mode,
	    unsigned char key[CRYPTO_KEY_SIZE], char **err);

/*
 * Creates a new random key file, mode 0600; never overwrites one. A
 * credential cannot be created here (systemd-creds encrypt makes it).
 */
int	crypto_key_create(const char *path, char **err);


/* SHA-256 of s. */
void	crypto_sha256(const void *s, size_t len,
	    unsigned char out[CRYPTO_SHA256_SIZE]);

/* SHA-256 of several parts one after the other, without joining them. */
struct crypto_part {
	const void	*p;
	size_t		 len;
};
void	crypto_sha256_parts(const struct crypto_part *, size_t n,
	    unsigned char out[CRYPTO_SHA256_SIZE]);

/* SHA-256 of s as lowercase hex. */
void	crypto_sha256_hex(const char *s, size_t len,
	    char out[CRYPTO_SHA256_HEX_SIZE]);

/* Parses 64 hex digits into 32 bytes; -1 if malformed. */
int	crypto_hex_decode32(const char *hex, unsigned char out[32]);

/* Constant-time comparison of n bytes: 1 if equal. */
int	crypto_equal(const void *, const void *, size_t n);

/* Fills buf with cryptographically random bytes; -1 on failure. */
int	crypto_random(void *buf, size_t n);

/*
 * Writes a random handle of len-1 characters from [A-Za-z0-9] plus NUL
 * (sessions, refs, tokens); -1 on failure.
 */
int	crypto_random_handle(char *out, size_t len);

#endif
