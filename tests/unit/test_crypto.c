/*
 * crypto.c: the HMAC construction against RFC 4231 and OpenSSL's EVP_MAC,
 * the hasher's domain separation, key files, hex, handles.
 */
#include <sys/stat.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include "crypto.h"
#include "hasher.h"

static void
unhex(const char *hex, unsigned char *out, size_t *len)
{
	size_t	i;

	*len = strlen(hex) / 2;
	for (i = 0; i < *len; i++)
		sscanf(hex + 2 * i, "%2hhx", &out[i]);
}

/* RFC 4231 test cases 1, 2, 4, 6 and 7 (HMAC-SHA-256). */
static void
test_rfc4231(void **state)
{
	static const struct {
		const char	*key, *data, *mac;
	} v[] = {
		{ "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b",
		  "4869205468657265",
		  "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7" },
		{ "4a656665",
		  "7768617420646f2079612077616e7420666f72206e6f7468696e673f",
		  "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843" },
		{ "0102030405060708090a0b0c0d0e0f10111213141516171819",
		  "cdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcd"
		  "cdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcd",
		  "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b" },
		{ "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
		  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
		  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
		  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
		  "aaaaaa",
		  "54657374205573696e67204c6172676572205468616e20426c6f636b2d53697a"
		  "65204b6579202d2048617368204b6579204669727374",
		  "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54" },
		{ "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
		  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
		  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
		  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
		  "aaaaaa",
		  "5468697320697320612074657374207573696e672061206c6172676572207468"
		  "616e20626c6f636b2d73697a65206b657920616e642061206c61726765722074"
		  "68616e20626c6f636b2d73697a6520646174612e20546865206b6579206e6565"
		  "647320746f20626520686173686564206265666f7265206265696e6720757365"
		  "642062792074686520484d414320616c676f726974686d2e",
		  "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2" },
	};
	unsigned char	key[256], data[512], want[32], got[32];
	size_t		klen, dlen, mlen, i;

	(void)state;
	for (i = 0; i < sizeof v / sizeof v[0]; i++) {
		unhex(v[i].key, key, &klen);
		unhex(v[i].data, data, &dlen);
		unhex(v[i].mac, want, &mlen);
		hasher_hmac_sha256(key, klen, data, dlen, got);
		assert_memory_equal(got, want, 32);
	}
}

/* Our HMAC equals OpenSSL's EVP_MAC HMAC on random keys and messages. */
static void
test_matches_evp_mac(void **state)
{
	EVP_MAC		*mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
	EVP_MAC_CTX	*ctx;
	OSSL_PARAM	 p[2];
	unsigned char	 key[100], msg[300], a[32], b[32];
	size_t		 klen, mlen, outlen;
	int		 i;

	(void)state;
	assert_non_null(mac);
	p[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
	    (char *)"SHA256", 0);
	p[1] = OSSL_PARAM_construct_end();
	for (i = 0; i < 200; i++) {
		assert_int_equal(crypto_random(key, sizeof key), 0);
		assert_int_equal(crypto_random(msg, sizeof msg), 0);
		klen = 1 + (size_t)key[0] % sizeof key;
		mlen = (size_t)msg[0] * (size_t)msg[1] % sizeof msg;
		hasher_hmac_sha256(key, klen, msg, mlen, a);
		ctx = EVP_MAC_CTX_new(mac);
		assert_true(EVP_MAC_init(ctx, key, klen, p));
		assert_true(EVP_MAC_update(ctx, msg, mlen));
		assert_true(EVP_MAC_final(ctx, b, &outlen, sizeof b));
		EVP_MAC_CTX_free(ctx);
		assert_memory_equal(a, b, 32);
	}
	EVP_MAC_free(mac);
}

static void
test_hasher_separation(void **state)
{
	unsigned char	 k1[32], k2[32];
	struct hasher	*a, *b, *d;
	char		 id1[HASHER_KEY_ID_SIZE], id2[HASHER_KEY_ID_SIZE];

	(void)state;
	memset(k1, 1, sizeof k1);
	memset(k2, 2, sizeof k2);
	a = hasher_new(k1);
	b = hasher_new(k2);
	d = hasher_dup(a);
	assert_non_null(a);
	assert_non_null(b);
	assert_non_null(d);
	/* Deterministic, and the same in a duplicate. */
	assert_true(hasher_lookup_key(a, "09012345678", "1975-04-01") ==
	    hasher_lookup_key(d, "09012345678", "1975-04-01"));
	/* Another key, another value. */
	assert_true(hasher_lookup_key(a, "09012345678", "1975-04-01") !=
	    hasher_lookup_key(b, "09012345678", "1975-04-01"));
	/* Purposes are separated: the same text is not the same key. */
	assert_true(hasher_lookup_key(a, "ア", "1975-04-01") !=
	    hasher_search_key(a, "ア", "1975-04-01"));
	/* Framing: moving the boundary changes the value. */
	assert_true(hasher_lookup_key(a, "0312", "3451975-04-01") !=
	    hasher_lookup_key(a, "0312345", "1975-04-01"));
	/* Field hashes depend on the record and on the field. */
	assert_true(hasher_field(a, 1, HASHER_FIELD_GENDER, "1") !=
	    hasher_field(a, 2, HASHER_FIELD_GENDER, "1"));
	assert_true(hasher_field(a, 1, HASHER_FIELD_GENDER, "1") !=
	    hasher_field(a, 1, HASHER_FIELD_POSTAL, "1"));
	assert_true(hasher_field(a, 1, HASHER_FIELD_GENDER, "1") ==
	    hasher_field(d, 1, HASHER_FIELD_GENDER, "1"));
	hasher_key_id(a, id1);
	hasher_key_id(b, id2);
	assert_int_equal(strlen(id1), 16);
	assert_string_not_equal(id1, id2);
	hasher_free(a);
	hasher_free(b);
	hasher_free(d);
	hasher_free(NULL);
}

static void
test_key_files(void **state)
{
	char		 dir[] = "/tmp/hotline-crypto.XXXXXX", path[64];
	unsigned char	 key[CRYPTO_KEY_SIZE], again[CRYPTO_KEY_SIZE];
	struct stat	 st;
	char		*err = NULL;
	FILE		*f;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/k", dir);
	assert_int_equal(crypto_key_create(path, &err), 0);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(st.st_size, CRYPTO_KEY_SIZE);
	assert_int_equal(crypto_key_load(path, 1, key, &err), 0);
	/* Never overwritten. */
	assert_int_equal(crypto_key_create(path, &err), -1);
	assert_non_null(strstr(err, "refusing"));
	free(err);
	assert_int_equal(crypto_key_load(path, 1, again, &err), 0);
	assert_memory_equal(key, again, sizeof key);
	/* Readable by others: refused when checked. */
	chmod(path, 0644);
	assert_int_equal(crypto_key_load(path, 1, key, &err), -1);
	assert_non_null(strstr(err, "group or others"));
	free(err);
	assert_int_equal(crypto_key_load(path, 0, key, &err), 0);
	unlink(path);
	/* A file of the wrong size is not a key. */
	f = fopen(path, "w");
	fputs("short", f);
	fclose(f);
	chmod(path, 0600);
	assert_int_equal(crypto_key_load(path, 1, key, &err), -1);
	assert_non_null(strstr(err, "32-byte"));
	free(err);
	unlink(path);
	assert_int_equal(crypto_key_load(path, 1, key, &err), -1);
	free(err);
	rmdir(dir);
}

static void
test_hex_and_sha256(void **state)
{
	char		hex[CRYPTO_SHA256_HEX_SIZE];
	unsigned char	out[32], md[32];

	(void)state;
	crypto_sha256_hex("abc", 3, hex);
	assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	assert_int_equal(crypto_hex_decode32(hex, out), 0);
	crypto_sha256("abc", 3, md);
	assert_memory_equal(out, md, 32);
	assert_true(crypto_equal(md, out, 32));
	hex[10] = 'g';
	assert_int_equal(crypto_hex_decode32(hex, out), -1);
	assert_int_equal(crypto_hex_decode32("abcd", out), -1);
	md[31] ^= 1;
	crypto_sha256("abc", 3, out);
	assert_false(crypto_equal(md, out, 32));
}

static void
test_random_handle(void **state)
{
	char	a[25], b[25];
	size_t	i;

	(void)state;
	assert_int_equal(crypto_random_handle(a, sizeof a), 0);
	assert_int_equal(crypto_random_handle(b, sizeof b), 0);
	assert_int_equal(strlen(a), 24);
	assert_string_not_equal(a, b);
	for (i = 0; i < 24; i++)
		assert_non_null(strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZ"
		    "abcdefghijklmnopqrstuvwxyz0123456789", a[i]));
	assert_int_equal(crypto_random_handle(a, 0), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc4231),
		cmocka_unit_test(test_matches_evp_mac),
		cmocka_unit_test(test_hasher_separation),
		cmocka_unit_test(test_key_files),
		cmocka_unit_test(test_hex_and_sha256),
		cmocka_unit_test(test_random_handle),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
