/*
 * The jobs' thread: a queue in, a list of what is done out, a pipe that
 * wakes the loop. The connection is opened read-only, so a job cannot
 * write hotline.db; it reads a snapshot while the writer goes on.
 */
#include <sys/resource.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "jobs.h"
#include "log.h"
#include "store.h"

#define JOBS_NICE	10	/* behind the loop and the writer */

struct job {
	struct job	*next;
	job_run_fn	 run;
	job_done_fn	 done;
	void		*arg;
};

/* A FIFO of jobs. */
struct job_list {
	struct job	*head;
	struct job	**tail;
};

struct jobs {
	struct store	*db;		/* the thread's own, read-only */
	struct event	*ev_done;
	int		 pipe[2];	/* thread -> loop: "one is done" */
	pthread_t	 thread;
	int		 threaded;
	pthread_mutex_t	 lock;		/* guards what follows */
	pthread_cond_t	 cond;
	struct job_list	 queued;
	struct job_list	 done;		/* ran, not yet delivered */
	int		 stop;
};

static void
list_init(struct job_list *l)
{
	l->head = NULL;
	l->tail = &l->head;
}

static void
list_push(struct job_list *l, struct job *j)
{
	j->next = NULL;
	*l->tail = j;
	l->tail = &j->next;
}

static struct job *
list_pop(struct job_list *l)
{
	struct job	*j = l->head;

	if (j != NULL && (l->head = j->next) == NULL)
		l->tail = &l->head;
	return j;
}

static void *
jobs_main(void *arg)
{
	struct jobs	*js = arg;
	struct job	*j;
	ssize_t		 n;

	(void)setpriority(PRIO_PROCESS, (id_t)gettid(), JOBS_NICE);
	pthread_mutex_lock(&js->lock);
	while (!js->stop) {
		if ((j = list_pop(&js->queued)) == NULL) {
			pthread_cond_wait(&js->cond, &js->lock);
			continue;
		}
		pthread_mutex_unlock(&js->lock);
		j->run(js->db, j->arg);
		pthread_mutex_lock(&js->lock);
		list_push(&js->done, j);
		pthread_mutex_unlock(&js->lock);
		/* A full pipe already says there is something to take. */
		do
			n = write(js->pipe[1], "", 1);
		while (n == -1 && errno == EINTR);
		pthread_mutex_lock(&js->lock);
	}
	pthread_mutex_unlock(&js->lock);
	return NULL;
}

/* On the loop: every job done is delivered, in the order it ran. */
static void
jobs_done_cb(evutil_socket_t fd, short what, void *arg)
{
	struct jobs	*js = arg;
	struct job	*j;
	char		 buf[64];

	(void)what;
	while (read(fd, buf, sizeof buf) > 0)
		;
	for (;;) {
		pthread_mutex_lock(&js->lock);
		j = list_pop(&js->done);
		pthread_mutex_unlock(&js->lock);
		if (j == NULL)
			break;
		j->done(j->arg, 1);
		free(j);
	}
}

struct jobs *
jobs_start(const char *data_dir, struct event_base *base, char **err)
{
	struct jobs	*js;

	*err = NULL;
	if ((js = calloc(1, sizeof *js)) == NULL) {
		*err = strdup("out of memory");
		return NULL;
	}
	js->pipe[0] = js->pipe[1] = -1;
	list_init(&js->queued);
	list_init(&js->done);
	if (pthread_mutex_init(&js->lock, NULL) != 0 ||
	    pthread_cond_init(&js->cond, NULL) != 0) {
		free(js);
		*err = strdup("cannot set up the jobs' lock");
		return NULL;
	}
	if ((js->db = store_open(data_dir, 0, 1, err)) == NULL)
		goto fail;
	if (pipe2(js->pipe, O_NONBLOCK | O_CLOEXEC) == -1 ||
	    (js->ev_done = event_new(base, js->pipe[0], EV_READ | EV_PERSIST,
	    jobs_done_cb, js)) == NULL || event_add(js->ev_done, NULL) == -1 ||
	    pthread_create(&js->thread, NULL, jobs_main, js) != 0) {
		*err = strdup("cannot start the jobs' thread");
		goto fail;
	}
	js->threaded = 1;
	return js;
fail:
	jobs_stop(js);
	return NULL;
}

int
jobs_add(struct jobs *js, job_run_fn run, job_done_fn done, void *arg)
{
	struct job	*j;
	int		 rc = -1;

	if ((j = calloc(1, sizeof *j)) == NULL)
		return -1;
	j->run = run;
	j->done = done;
	j->arg = arg;
	pthread_mutex_lock(&js->lock);
	if (!js->stop) {
		list_push(&js->queued, j);
		pthread_cond_signal(&js->cond);
		rc = 0;
	}
	pthread_mutex_unlock(&js->lock);
	if (rc == -1)
		free(j);
	return rc;
}

/* Drops every job of l: its done learns it did not (or will not) reach. */
static void
drop_all(struct job_list *l)
{
	struct job	*j;

	while ((j = list_pop(l)) != NULL) {
		j->done(j->arg, 0);
		free(j);
	}
}

void
jobs_stop(struct jobs *js)
{
	if (js == NULL)
		return;
	if (js->threaded) {
		pthread_mutex_lock(&js->lock);
		js->stop = 1;
		pthread_cond_signal(&js->cond);
		pthread_mutex_unlock(&js->lock);
		/* A read of millions of entries need not be finished. */
		store_interrupt(js->db);
		pthread_join(js->thread, NULL);
	}
	/* In the order they came: those that ran first. */
	drop_all(&js->done);
	drop_all(&js->queued);
	if (js->ev_done != NULL)
		event_free(js->ev_done);
	if (js->pipe[0] != -1)
		close(js->pipe[0]);
	if (js->pipe[1] != -1)
		close(js->pipe[1]);
	store_close(js->db);
	pthread_mutex_destroy(&js->lock);
	pthread_cond_destroy(&js->cond);
	free(js);
}
