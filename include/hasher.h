/*
 * Keyed hashing of personal data.
 *
 * Personal data is stored only as HMAC-SHA256 of its normalized form under
 * keys derived from the 32-byte key file, truncated to 64 bits
 * (docs/STORAGE.md gives the collision arithmetic). Each purpose has its
 * own derived key, so a hash of one kind can never be compared with one of
 * another kind.
 */
#ifndef HOTLINE_HASHER_H
#define HOTLINE_HASHER_H

#include <stddef.h>
#include <stdint.h>

#include "crypto.h"

#define HASHER_KEY_ID_SIZE	17	/* 16 hex digits and NUL */

/* The fields of a record that an operator may verify. */
enum hasher_field {
	HASHER_FIELD_GENDER = 1,
	HASHER_FIELD_POSTAL,
	HASHER_FIELD_ADDRESS,
	HASHER_FIELD_PHONE,
};

/* HMAC-SHA256 of msg under key (RFC 2104). */
void	hasher_hmac_sha256(const unsigned char *key, size_t keylen,
	    const void *msg, size_t len,
	    unsigned char out[CRYPTO_SHA256_SIZE]);

struct hasher;

/*
 * A hasher holds the derived keys as precomputed HMAC states. It is not
 * shared between threads: each thread hashes with its own hasher_dup().
 */
struct hasher *hasher_new(const unsigned char key[CRYPTO_KEY_SIZE]);
struct hasher *hasher_dup(const struct hasher *);
void	hasher_free(struct hasher *);

/* Identifies the key without revealing it: affected.db records it. */
void	hasher_key_id(struct hasher *, char out[HASHER_KEY_ID_SIZE]);

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
int64_t	hasher_field(struct hasher *, int64_t salt, enum hasher_field,
	    const char *value);

#endif
