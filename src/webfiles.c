/*
 * The web directory in memory (include/webfiles.h).
 */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "crypto.h"
#include "webfiles.h"

struct webfiles {
	struct webfile	files[WEBFILES_MAX];
	size_t		n;
};

static const struct {
	const char	*ext;
	const char	*type;
} types[] = {
	{ ".html", "text/html; charset=utf-8" },
	{ ".js", "text/javascript; charset=utf-8" },
	{ ".css", "text/css; charset=utf-8" },
	{ ".png", "image/png" },
	{ ".svg", "image/svg+xml" },
	{ ".ico", "image/x-icon" },
};

/* What every page needs; without one of them nothing is served. */
static const char *const required[] = {
	"index.html", "desk.html", "wallboard.html",
};

/* The Content-Type of a name we serve, or NULL for one we do not. */
static const char *
type_of(const char *name)
{
	size_t	i, n = strlen(name), e;

	if (n == 0 || n > WEBFILE_NAME_MAX || name[0] == '.')
		return NULL;
	for (i = 0; i < n; i++)
		if (!((name[i] >= 'a' && name[i] <= 'z') || (name[i] >= '0' &&
		    name[i] <= '9') || name[i] == '_' || name[i] == '-' ||
		    name[i] == '.'))
			return NULL;
	for (i = 0; i < sizeof types / sizeof types[0]; i++) {
		e = strlen(types[i].ext);
		if (n > e && strcmp(name + n - e, types[i].ext) == 0)
			return types[i].type;
	}
	return NULL;
}

/* Reads one regular file of at most WEBFILE_MAX_BYTES; 0, or -1 (errno). */
static int
read_file(int dirfd, const char *name, struct webfile *f)
{
	struct stat	 st;
	ssize_t		 got;
	size_t		 off = 0;
	int		 fd;

	if ((fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) ==
	    -1)
		return -1;
	if (fstat(fd, &st) == -1)
		goto fail;
	if (!S_ISREG(st.st_mode)) {
		errno = EINVAL;
		goto fail;
	}
	if (st.st_size > WEBFILE_MAX_BYTES) {
		errno = EFBIG;
		goto fail;
	}
	if ((f->data = malloc((size_t)st.st_size + 1)) == NULL)
		goto fail;
	while (off < (size_t)st.st_size) {
		if ((got = read(fd, f->data + off, (size_t)st.st_size - off)) ==
		    -1) {
			if (errno == EINTR)
				continue;
			goto fail;
		}
		if (got == 0)
			break;
		off += (size_t)got;
	}
	f->len = off;
	close(fd);
	return 0;
fail:
	free(f->data);
	f->data = NULL;
	close(fd);
	return -1;
}

/* A strong validator: the first 64 bits of the content's SHA-256. */
static void
make_etag(struct webfile *f)
{
	unsigned char	d[CRYPTO_SHA256_SIZE];
	size_t		i;

	crypto_sha256(f->data, f->len, d);
	f->etag[0] = '"';
	for (i = 0; i < 8; i++)
		snprintf(f->etag + 1 + 2 * i, 3, "%02x", d[i]);
	f->etag[17] = '"';
	f->etag[18] = '\0';
}

struct webfiles *
webfiles_load(const char *dir, char **err)
{
	struct webfiles	*w;
	struct webfile	*f;
	struct dirent	*de;
	const char	*type;
	DIR		*d;
	size_t		 i;

	*err = NULL;
	if ((w = calloc(1, sizeof *w)) == NULL) {
		*err = strdup("out of memory");
		return NULL;
	}
	if ((d = opendir(dir)) == NULL) {
		if (asprintf(err, "http.web_dir: %s: %s", dir,
		    strerror(errno)) == -1)
			*err = NULL;
		goto fail;
	}
	while ((de = readdir(d)) != NULL) {
		if ((type = type_of(de->d_name)) == NULL)
			continue;
		if (w->n == WEBFILES_MAX) {
			if (asprintf(err, "http.web_dir: %s: more than %d "
			    "files", dir, WEBFILES_MAX) == -1)
				*err = NULL;
			break;
		}
		f = &w->files[w->n];
		snprintf(f->name, sizeof f->name, "%s", de->d_name);
		f->type = type;
		f->page = strcmp(type, types[0].type) == 0;
		if (read_file(dirfd(d), de->d_name, f) == -1) {
			if (asprintf(err, "http.web_dir: %s/%s: %s", dir,
			    de->d_name, strerror(errno)) == -1)
				*err = NULL;
			break;
		}
		make_etag(f);
		w->n++;
	}
	closedir(d);
	if (*err != NULL)
		goto fail;
	for (i = 0; i < sizeof required / sizeof required[0]; i++)
		if (webfiles_find(w, required[i]) == NULL) {
			if (asprintf(err, "http.web_dir: %s: no %s (the pages "
			    "are installed with hotline, see http.web_dir)", dir,
			    required[i]) == -1)
				*err = NULL;
			goto fail;
		}
	return w;
fail:
	if (*err == NULL)
		*err = strdup("out of memory");
	webfiles_free(w);
	return NULL;
}

void
webfiles_free(struct webfiles *w)
{
	size_t	i;

	if (w == NULL)
		return;
	for (i = 0; i < w->n; i++)
		free(w->files[i].data);
	free(w);
}

const struct webfile *
webfiles_find(const struct webfiles *w, const char *name)
{
	size_t	i;

	for (i = 0; i < w->n; i++)
		if (strcmp(w->files[i].name, name) == 0)
			return &w->files[i];
	return NULL;
}

size_t
webfiles_count(const struct webfiles *w)
{
	return w->n;
}
