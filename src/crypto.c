/*
 * Key files, SHA-256 digests, hex, constant-time comparison and random
 * handles. The keyed hashing of personal data is hasher.c's.
 */
/* The low-level SHA-256 calls, as in hasher.c: see there why. */
#define OPENSSL_SUPPRESS_DEPRECATED

#include <sys/stat.h>

#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include "bytes.h"
#include "crypto.h"

static int	key_errf(char **, const char *, ...)
		    __attribute__((format(printf, 2, 3)));

static int
key_errf(char **err, const char *fmt, ...)
{
	va_list	ap;

	if (err != NULL) {
		va_start(ap, fmt);
		if (vasprintf(err, fmt, ap) == -1)
			*err = NULL;
		va_end(ap);
	}
	return -1;
}

/*
 * The file of a "credential:NAME" key: systemd passes a unit's
 * credentials in the directory named by $CREDENTIALS_DIRECTORY.
 */
static int
credential_path(const char *spec, char *out, size_t len, char **err)
{
	const char	*name = spec + strlen(CRYPTO_CREDENTIAL_PREFIX);
	const char	*dir = getenv("CREDENTIALS_DIRECTORY");

	if (dir == NULL || *dir == '\0')
		return key_errf(err, "%s: $CREDENTIALS_DIRECTORY is not set: "
		    "run under systemd with LoadCredentialEncrypted=%s:... "
		    "(or LoadCredential=), e.g. systemd-run -P --wait -p "
		    "LoadCredentialEncrypted=%s:/etc/credstore.encrypted/%s "
		    "COMMAND", spec, name, name, name);
	if ((size_t)snprintf(out, len, "%s/%s", dir, name) >= len)
		return key_errf(err, "%s: path too long", spec);
	return 0;
}

int
crypto_key_load(const char *spec, int check_mode,
    unsigned char key[CRYPTO_KEY_SIZE], char **err)
{
	struct stat	st;
	ssize_t		n;
	unsigned char	extra;
	char		cred[4096];
	const char	*path = spec;
	int		fd;

	if (strncmp(spec, CRYPTO_CREDENTIAL_PREFIX,
	    strlen(CRYPTO_CREDENTIAL_PREFIX)) == 0) {
		if (credential_path(spec, cred, sizeof cred, err) == -1)
			return -1;
		path = cred;
	}
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) == -1)
		return key_errf(err, "%s: %s", path, strerror(errno));
	if (fstat(fd, &st) == -1) {
		close(fd);
		return key_errf(err, "%s: %s", path, strerror(errno));
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		return key_errf(err, "%s: not a regular file", path);
	}
	if (check_mode && (st.st_mode & 077) != 0) {
		close(fd);
		return key_errf(err, "%s: readable by group or others "
		    "(mode %03o); chmod 600 it", path,
		    (unsigned)(st.st_mode & 0777));
	}
	n = read(fd, key, CRYPTO_KEY_SIZE);
	if (n != CRYPTO_KEY_SIZE || read(fd, &extra, 1) != 0) {
		close(fd);
		OPENSSL_cleanse(key, CRYPTO_KEY_SIZE);
		return key_errf(err, "%s: not a %d-byte key file", path,
		    CRYPTO_KEY_SIZE);
	}
	close(fd);
	return 0;
}

int
crypto_key_create(const char *path, char **err)
{
	unsigned char	key[CRYPTO_KEY_SIZE];
	int		fd;
	ssize_t		n;

	if (strncmp(path, CRYPTO_CREDENTIAL_PREFIX,
	    strlen(CRYPTO_CREDENTIAL_PREFIX)) == 0)
		return key_errf(err, "%s: a credential is made by systemd-creds "
		    "(docs/OPERATIONS.md): hotlinectl init --key-out FILE "
		    "writes a new key to encrypt", path);
	if (crypto_random(key, sizeof key) == -1)
		return key_errf(err, "%s: no random bytes", path);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW,
	    0600);
	if (fd == -1) {
		OPENSSL_cleanse(key, sizeof key);
		if (errno == EEXIST)
			return key_errf(err, "%s: a key already exists; "
			    "refusing to overwrite it (every stored hash "
			    "depends on it)", path);
		return key_errf(err, "%s: %s", path, strerror(errno));
	}
	n = write(fd, key, sizeof key);
	OPENSSL_cleanse(key, sizeof key);
	if (n != (ssize_t)sizeof key || fsync(fd) == -1) {
		close(fd);
		unlink(path);
		return key_errf(err, "%s: cannot write the key", path);
	}
	if (close(fd) == -1) {
		unlink(path);
		return key_errf(err, "%s: %s", path, strerror(errno));
	}
	return 0;
}

void
crypto_sha256(const void *s, size_t len, unsigned char out[CRYPTO_SHA256_SIZE])
{
	unsigned int	mdlen = 0;

	if (!EVP_Digest(s, len, out, &mdlen, EVP_sha256(), NULL))
		abort();
}

void
crypto_sha256_parts(const struct crypto_part *parts, size_t n,
    unsigned char out[CRYPTO_SHA256_SIZE])
{
	SHA256_CTX	ctx;
	size_t		i;

	SHA256_Init(&ctx);
	for (i = 0; i < n; i++)
		SHA256_Update(&ctx, parts[i].p, parts[i].len);
	SHA256_Final(out, &ctx);
}

void
crypto_sha256_hex(const char *s, size_t len, char out[CRYPTO_SHA256_HEX_SIZE])
{
	unsigned char	md[CRYPTO_SHA256_SIZE];

	crypto_sha256(s, len, md);
	bytes_hex(md, sizeof md, out);
}

int
crypto_hex_decode32(const char *hex, unsigned char out[32])
{
	int	i, hi, lo;

	for (i = 0; i < 32; i++) {
		if ((hi = OPENSSL_hexchar2int((unsigned char)hex[2 * i])) < 0 ||
		    (lo = OPENSSL_hexchar2int((unsigned char)hex[2 * i + 1])) < 0)
			return -1;
		out[i] = (unsigned char)(hi << 4 | lo);
	}
	return hex[64] == '\0' ? 0 : -1;
}

int
crypto_equal(const void *a, const void *b, size_t n)
{
	return CRYPTO_memcmp(a, b, n) == 0;
}

int
crypto_random(void *buf, size_t n)
{
	return RAND_bytes(buf, (int)n) == 1 ? 0 : -1;
}

int
crypto_random_handle(char *out, size_t len)
{
	static const char alphabet[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
	unsigned char	rnd[64];
	size_t		i = 0, j;

	if (len == 0)
		return -1;
	while (i < len - 1) {
		if (crypto_random(rnd, sizeof rnd) == -1)
			return -1;
		/* Rejection keeps every character equally likely (248 = 4*62). */
		for (j = 0; j < sizeof rnd && i < len - 1; j++)
			if (rnd[j] < 248)
				out[i++] = alphabet[rnd[j] % 62];
	}
	out[len - 1] = '\0';
	return 0;
}
