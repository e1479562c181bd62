/*
 * hotline.db's WAL checkpoints, on a thread and a connection of their
 * own. The writer's connection never checkpoints (a checkpoint inside a
 * commit would hold that group's answers back for milliseconds); after
 * each commit its WAL hook tells this thread how long the WAL has grown,
 * and past WAL_PAGES a passive checkpoint copies the pages into the
 * database while the writer goes on appending. Once a checkpoint has
 * copied everything, the writer starts the WAL from its beginning again,
 * so the file stays bounded.
 */
#include <sys/resource.h>

#include <pthread.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "store_int.h"

#define WAL_PAGES	1000	/* pages in the WAL that call for a checkpoint */
/*
 * Pages after which the writer itself finishes the checkpoint, so that
 * its next transaction starts the WAL from the beginning again, and the
 * size the file is then cut back to.
 */
#define WAL_RESTART_PAGES	(4 * WAL_PAGES)
#define WAL_LIMIT_BYTES		(WAL_RESTART_PAGES * 4096)
#define WAL_NICE	19	/* the checkpointer's niceness: background */

struct store_wal {
	sqlite3		*db;		/* the checkpointer's own connection */
	pthread_t	 thread;
	pthread_mutex_t	 lock;
	pthread_cond_t	 cond;
	int		 due;
	int		 stop;
	int		 pages;		/* the WAL as the writer last saw it */
	int		 restart_at;	/* when the writer tries (its thread only) */
};

/* The writer's WAL hook: runs on the writer thread after each commit. */
static int
wal_hook(void *arg, sqlite3 *db, const char *name, int pages)
{
	struct store_wal	*w = arg;
	int			 log_pages, done;

	/*
	 * Under a steady load the checkpointer never catches up: by the
	 * time it has copied the WAL, the writer has appended to it, and
	 * the WAL only starts over when a transaction begins with all of it
	 * copied. Past WAL_RESTART_PAGES the writer copies the rest itself
	 * (passive: it waits for no one; a reader's old snapshot only puts
	 * it off), between two of its groups: answers wait a moment, the
	 * loop does not. A checkpoint that ran costs the writer its page
	 * cache, so one that a reader kept from finishing (a long
	 * audit.verify) is tried again only a bound later, not at every
	 * commit; one that could not start (the checkpointer's running) is
	 * tried at the next.
	 */
	if (pages < WAL_RESTART_PAGES)
		w->restart_at = WAL_RESTART_PAGES;
	if (pages >= w->restart_at) {
		if (sqlite3_wal_checkpoint_v2(db, name,
		    SQLITE_CHECKPOINT_PASSIVE, &log_pages, &done) == SQLITE_OK &&
		    done < log_pages)
			w->restart_at = pages + WAL_RESTART_PAGES;
	} else if (pages >= WAL_PAGES) {
		pthread_mutex_lock(&w->lock);
		w->pages = pages;
		w->due = 1;
		pthread_cond_signal(&w->cond);
		pthread_mutex_unlock(&w->lock);
	}
	return SQLITE_OK;
}

static void *
wal_main(void *arg)
{
	struct store_wal	*w = arg;
	int			 log_pages, done, rc;

	/*
	 * A checkpoint copies megabytes: on a core the event loop shares,
	 * it yields to the loop (and to the writer), never the reverse.
	 */
	(void)setpriority(PRIO_PROCESS, (id_t)gettid(), WAL_NICE);
	pthread_mutex_lock(&w->lock);
	while (!w->stop) {
		if (!w->due) {
			pthread_cond_wait(&w->cond, &w->lock);
			continue;
		}
		w->due = 0;
		pthread_mutex_unlock(&w->lock);
		rc = sqlite3_wal_checkpoint_v2(w->db, NULL,
		    SQLITE_CHECKPOINT_PASSIVE, &log_pages, &done);
		if ((rc != SQLITE_OK && rc != SQLITE_BUSY) ||
		    (rc == SQLITE_OK && log_pages < 0))
			log_warnx("hotline.db: checkpoint: %s", rc != SQLITE_OK ?
			    sqlite3_errmsg(w->db) : "no WAL to checkpoint");
		else
			log_debug("hotline.db: checkpoint: %d of %d pages",
			    done, log_pages);
		pthread_mutex_lock(&w->lock);
	}
	pthread_mutex_unlock(&w->lock);
	return NULL;
}

int
store_wal_start(struct store *s, const char *data_dir)
{
	struct store_wal	*w;
	char			*path, pragma[64];

	if (s->readonly || s->wal != NULL)
		return -1;
	if ((w = calloc(1, sizeof *w)) == NULL)
		return -1;
	if (asprintf(&path, "%s/hotline.db", data_dir) == -1) {
		free(w);
		return -1;
	}
	if (sqlite3_open_v2(path, &w->db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		log_warnx("hotline.db: checkpointer: %s", sqlite3_errmsg(w->db));
		sqlite3_close(w->db);
		free(path);
		free(w);
		return -1;
	}
	free(path);
	sqlite3_busy_timeout(w->db, 1000);
	/*
	 * A connection learns that the file is in WAL mode when it first
	 * reads it; until then sqlite (before 3.41) takes a checkpoint on it
	 * for one on a file without a WAL, does nothing and says so with
	 * -1 frames, and the WAL grows without bound.
	 */
	if (sqlite3_exec(w->db, "SELECT count(*) FROM sqlite_master", NULL,
	    NULL, NULL) != SQLITE_OK) {
		log_warnx("hotline.db: checkpointer: %s", sqlite3_errmsg(w->db));
		sqlite3_close(w->db);
		free(w);
		return -1;
	}
	pthread_mutex_init(&w->lock, NULL);
	pthread_cond_init(&w->cond, NULL);
	if (pthread_create(&w->thread, NULL, wal_main, w) != 0) {
		sqlite3_close(w->db);
		free(w);
		return -1;
	}
	s->wal = w;
	/* From now on this thread checkpoints, and the writer past a bound. */
	sqlite3_wal_autocheckpoint(s->db, 0);
	snprintf(pragma, sizeof pragma, "PRAGMA journal_size_limit = %d",
	    WAL_LIMIT_BYTES);
	(void)sqlite3_exec(s->db, pragma, NULL, NULL, NULL);
	sqlite3_wal_hook(s->db, wal_hook, w);
	return 0;
}

void
store_wal_stop(struct store *s)
{
	struct store_wal	*w = s->wal;

	if (w == NULL)
		return;
	sqlite3_wal_hook(s->db, NULL, NULL);
	pthread_mutex_lock(&w->lock);
	w->stop = 1;
	pthread_cond_signal(&w->cond);
	pthread_mutex_unlock(&w->lock);
	pthread_join(w->thread, NULL);
	pthread_mutex_destroy(&w->lock);
	pthread_cond_destroy(&w->cond);
	sqlite3_close(w->db);
	free(w);
	s->wal = NULL;
	sqlite3_wal_autocheckpoint(s->db, WAL_PAGES);
}
