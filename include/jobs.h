/*
 * Work too long for the event loop: audit.verify reads and hashes the
 * whole audit log, which takes seconds once it holds millions of entries,
 * and the loop must answer calls meanwhile. One thread, with a read-only
 * connection to hotline.db of its own, runs the jobs in the order they
 * came; the loop learns of each one done (a byte on a pipe) and runs its
 * done function there.
 */
#ifndef HOTLINE_JOBS_H
#define HOTLINE_JOBS_H

struct event_base;
struct jobs;
struct store;

/* On the jobs' thread: the work, with the jobs' own connection. */
typedef void	(*job_run_fn)(struct store *, void *arg);
/*
 * On the loop: the work is done (ran 1), or was dropped at the stop
 * before it could be done or delivered (ran 0: only free what arg holds).
 */
typedef void	(*job_done_fn)(void *arg, int ran);

/* Opens hotline.db in data_dir for reading and starts the thread. */
struct jobs	*jobs_start(const char *data_dir, struct event_base *,
		    char **err);

/* Queues one job; 0, or -1 (out of memory, or stopping) and nothing ran. */
int	jobs_add(struct jobs *, job_run_fn, job_done_fn, void *arg);

/*
 * Interrupts the job running, stops the thread, and drops every job not
 * yet delivered (done with ran 0); then frees everything. NULL is fine.
 */
void	jobs_stop(struct jobs *);

#endif
