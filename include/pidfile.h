/*
 * hotlined's pid file (-p FILE or the conf's pid_file): written once the
 * service listens, locked while it runs so that a second hotlined with
 * the same file refuses to start, removed at a clean stop.
 */
#ifndef HOTLINE_PIDFILE_H
#define HOTLINE_PIDFILE_H

struct pidfile;

/* Creates and locks path, writes our pid; NULL with *err set. */
struct pidfile *pidfile_create(const char *path, char **err);
/* Removes the file and frees; NULL is fine. */
void	pidfile_remove(struct pidfile *);

#endif
