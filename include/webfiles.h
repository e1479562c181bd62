/*
 * The pages and their assets (web/: HTML, JavaScript, CSS, images), read
 * from http.web_dir into memory at start and on reload, so that serving
 * one never waits for a disk. Only plain files with a known extension
 * and a name of [a-z0-9_.-] are taken; the three pages must be there.
 */
#ifndef HOTLINE_WEBFILES_H
#define HOTLINE_WEBFILES_H

#include <stddef.h>

#define WEBFILES_MAX		64		/* files in web_dir */
#define WEBFILE_MAX_BYTES	(1024 * 1024)	/* one file, at most */
#define WEBFILE_NAME_MAX	64
#define WEBFILE_ETAG_SIZE	19		/* "16 hex digits" + NUL */

struct webfiles;

struct webfile {
	char		 name[WEBFILE_NAME_MAX + 1];	/* "desk.js" */
	const char	*type;		/* its Content-Type */
	int		 page;		/* an .html file */
	char		*data;
	size_t		 len;
	char		 etag[WEBFILE_ETAG_SIZE];	/* of the content */
};

/* Reads dir. NULL with *err set (malloc'd) if it cannot be served. */
struct webfiles *webfiles_load(const char *dir, char **err);
void	webfiles_free(struct webfiles *);

/* The file of that name ("desk.js"), or NULL. */
const struct webfile *webfiles_find(const struct webfiles *,
	    const char *name);

/* How many files were read (for the log). */
size_t	webfiles_count(const struct webfiles *);

#endif
