/*
 * Keyed hashing, tokens and randomness.
 *
 * Personal data is stored only as HMAC-SHA256 of its normalized form under
 * keys derived from the 32-byte key file, truncated to 64 bits
 * (docs/STORAGE.md gives the collision arithmetic). Each purpose has its
 * own derived key, so a hash of one kind can never be compared with one of
 * another kind.
 */
#ifndef HOTLINE_CRYPTO_H
#define HOTLINE_CRYPTO_H

#include <stddef.h>
#include <stdint.h>

#define CRYPTO_KEY_SIZE		32
#define CRYPTO_SHA256_SIZE	32
#define CRYPTO_SHA256_HEX_SIZE	65	/* with NUL */
#define CRYPTO_KEY_ID_SIZE	17	/* 16 hex digits and NUL */

/* The fields of a record that an operator may verify. */
enum crypto_field {
	CRYPTO_FIELD_GENDER = 1,
	CRYPTO_FIELD_POSTAL,
	CRYPTO_FIELD_ADDRESS,
	CRYPTO_FIELD_PHONE,
};

struct hasher;

/*
 * Reads the key file. Refuses a file that is not exactly CRYPTO_KEY_SIZE
 * bytes, or (check_mode) that group or others may read.
 * Returns 0, or -1 with *err set to a malloc'd message.
 */
int	crypto_key_load(const char *path, int check_mode,
	    unsigned char key[CRYPTO_KEY_SIZE], char **err);

/* Creates a new random key file, mode 0600; never overwrites one. */
int	crypto_key_create(const char *path, char **err);

/* HMAC-SHA256 of msg under key (RFC 2104). */
void	crypto_hmac_sha256(const unsigned char *key, size_t keylen,
	    const void *msg, size_t len,
	    unsigned char out[CRYPTO_SHA256_SIZE]);

/*
 * A hasher holds the derived keys as precomputed HMAC states. It is not
 * shared between threads: each thread hashes with its own hasher_dup().
 */
struct hasher *hasher_new(const unsigned char key[CRYPTO_KEY_SIZE]);
struct hasher *hasher_dup(const struct hasher *);
void	hasher_free(struct hasher *);

/* Identifies the key without revealing it: affected.db records it. */
void	hasher_key_id(struct hasher *, char out[CRYPTO_KEY_ID_SIZE]);

/* The IVR/lookup key of a normalized (phone, YYYY-MM-DD birthdate). */
int64_t	hasher_lookup_key(struct hasher *, const char *phone,
	    const char *birthdate);

/* A caller ID as hotline.db counts its lookups (the daily cap). */
int64_t	hasher_caller_key(struct hasher *, const char *phone);

/* The operator search key of a normalized (kana, birthdate). */
int64_t	hasher_search_key(struct hasher *, const char *kana,
	    const char *birthdate);

/*
 * The verification hash of one field of one record. A per-record salt
 * (the record's search key) is mixed in so that equal values in different
 * records hash differently: a column of gender hashes must not reveal
 * which records share a value.
 */
int64_t	hasher_field(struct hasher *, int64_t salt, enum crypto_field,
	    const char *value);

/* SHA-256 of s. */
void	crypto_sha256(const void *s, size_t len,
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
