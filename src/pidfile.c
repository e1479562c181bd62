/*
 * The pid file. It is locked (flock) for the life of the process: a lock
 * that is held means a running hotlined, while a file left by a crash is
 * unlocked and simply taken over.
 */
#include <sys/file.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pidfile.h"

struct pidfile {
	char	*path;
	int	 fd;
};

struct pidfile *
pidfile_create(const char *path, char **err)
{
	struct pidfile	*p;
	char		 buf[32];
	int		 n;

	*err = NULL;
	if ((p = calloc(1, sizeof *p)) == NULL || (p->path = strdup(path)) ==
	    NULL) {
		free(p);
		*err = strdup("out of memory");
		return NULL;
	}
	p->fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (p->fd == -1) {
		if (asprintf(err, "pid file %s: %s", path, strerror(errno)) ==
		    -1)
			*err = NULL;
		goto fail;
	}
	if (flock(p->fd, LOCK_EX | LOCK_NB) == -1) {
		if (asprintf(err, "pid file %s: another hotlined holds it",
		    path) == -1)
			*err = NULL;
		close(p->fd);
		p->fd = -1;
		goto fail;
	}
	n = snprintf(buf, sizeof buf, "%ld\n", (long)getpid());
	if (ftruncate(p->fd, 0) == -1 || write(p->fd, buf, (size_t)n) != n) {
		if (asprintf(err, "pid file %s: %s", path, strerror(errno)) ==
		    -1)
			*err = NULL;
		unlink(path);
		close(p->fd);
		p->fd = -1;
		goto fail;
	}
	return p;
fail:
	if (*err == NULL)
		*err = strdup("out of memory");
	free(p->path);
	free(p);
	return NULL;
}

void
pidfile_remove(struct pidfile *p)
{
	if (p == NULL)
		return;
	/* Unlink while the lock is held: no other hotlined took it over. */
	unlink(p->path);
	close(p->fd);
	free(p->path);
	free(p);
}
