/*
 * The import: the organisation list first (it defines the codes), then
 * the affected lists, streaming through a pipeline:
 *
 *   reader thread   CSV rows -> batches of raw fields, in file order
 *   worker threads  batches -> normalized, hashed records (import_row.c)
 *   this thread     records -> affected.db, in batch order
 *
 * Batches come from a fixed pool, so memory does not grow with the list,
 * and they are written in the order they were read, so bad rows are
 * reported in file order. On two cores the
 * normalization and hashing run beside the sqlite inserts instead of
 * before them (docs/BENCHMARKS.md).
 */
#include <sys/stat.h>

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "affected_build.h"
#include "columns.h"
#include "crypto.h"
#include "hasher.h"
#include "csv.h"
#include "import.h"
#include "import_row.h"
#include "normalize.h"
#include "record.h"

#define REPORT_MAX	1000	/* bad rows printed; the rest are counted */
#define FAR_FUTURE	99991231 /* contract periods may end in the future */
#define BATCH_ROWS	512	/* rows handed to a worker at once */
#define BATCHES		16	/* the pool; bounds memory and read-ahead */
#define WORKERS_MAX	8

/*
 * The organisation list's columns (SPEC §4.1): the ten that every list
 * has, then the optional English texts, which an "en" notice uses where
 * they are filled.
 */
enum org_col {
	OC_CODE, OC_NAME, OC_KIND, OC_SERVICE, OC_PERIOD_FROM, OC_PERIOD_TO,
	OC_CONTACT_NAME, OC_CONTACT_PHONE, OC_CONTACT_HOURS, OC_STATUS_NOTE,
	OC_REQUIRED,
	OC_NAME_EN = OC_REQUIRED, OC_SERVICE_EN, OC_CONTACT_NAME_EN,
	OC_CONTACT_HOURS_EN, OC_STATUS_NOTE_EN,
	OC_COUNT,
};

static const char *const org_cols[OC_COUNT] = {
	"code", "name", "kind", "service", "period_from", "period_to",
	"contact_name", "contact_phone", "contact_hours", "status_note",
	"name_en", "service_en", "contact_name_en", "contact_hours_en",
	"status_note_en",
};

enum batch_state {
	BATCH_FREE = 0,
	BATCH_FILLED,		/* raw rows, waiting for a worker */
	BATCH_WORKING,
	BATCH_DONE,		/* records, waiting for the writer */
};

/* Rows of one file, raw and then built. */
struct batch {
	enum batch_state	 state;
	int64_t			 seq;
	const char		*file;
	off_t			 done_bytes;	/* of all files, for progress */
	size_t			 n;
	unsigned long		 line[BATCH_ROWS];
	size_t			 off[BATCH_ROWS];	/* first field in buf */
	const char		*read_error[BATCH_ROWS]; /* from the reader */
	char			*buf;			/* LC_COUNT strings a row */
	size_t			 len, cap;
	int			 bad[BATCH_ROWS];
	struct build_row	 out[BATCH_ROWS];
	struct import_row_errors *err;		/* BATCH_ROWS, on the heap */
};

/* A list file, opened and its header mapped before the pipeline starts. */
struct list_file {
	const char		*path;
	struct csv_reader	*csv;
	int			 pos[LC_COUNT];	/* -1: no such column */
	size_t			 width;		/* fields of the header */
};

struct import {
	const struct import_options	*opt;
	struct import_summary		*sum;
	struct affected_build		*build;
	struct hasher			*hasher;
	struct org_table		 orgs;
	struct import_code		*codes;
	size_t				 ncodes;
	int				 today;
	int64_t				 reported;
	int				 refused;	/* a file-level diagnosis */
	struct timespec			 start, last;	/* progress */
	off_t				 bytes_total;

	struct list_file		*files;
	size_t				 nfiles;

	/* The pipeline; everything below is under lock. */
	pthread_mutex_t			 lock;
	pthread_cond_t			 cond;
	struct batch			 batches[BATCHES];
	int64_t				 fill_seq;	/* next batch to fill */
	int64_t				 work_seq;	/* next batch to build */
	int				 reader_done;
	int				 stop;		/* the writer failed */
	char				*read_err;	/* a file ended early */
};

static void	report(struct import *, const char *, unsigned long,
		    const char *, const char *, ...)
		    __attribute__((format(printf, 5, 6)));
static int	map_header(struct import *, const char *,
		    const struct csv_row *, const char *const *, int, int,
		    int *);
static int	load_orgs(struct import *, char **);
static int	org_row(struct import *, const char *, const struct csv_row *,
		    const int *, size_t);
static int	open_lists(struct import *, char **);
static void	*reader_main(void *);
static void	*worker_main(void *);
static int	write_batches(struct import *, char **);
static void	progress(struct import *, off_t, int);
static void	phase(struct import *, const char *);
static int	batch_add_row(struct batch *, const struct csv_row *,
		    const int *);
static void	reject(struct import *, const char *, unsigned long,
		    const char *, const char *);

/* A CSV field of the rejects file, quoted when it needs to be. */
static void
reject_field(FILE *f, const char *s, int last)
{
	if (strpbrk(s, ",\"\r\n") != NULL) {
		fputc('"', f);
		for (; *s != '\0'; s++) {
			if (*s == '"')
				fputc('"', f);
			fputc(*s, f);
		}
		fputc('"', f);
	} else
		fputs(s, f);
	fputc(last ? '\n' : ',', f);
}

/*
 * One line of --rejects: where and why, never a value (the reasons come
 * from the normalizers, which never quote their input), so the file can
 * go back to the organisation that sent the list.
 */
static void
reject(struct import *im, const char *file, unsigned long line,
    const char *field, const char *reason)
{
	char	num[24];

	if (im->opt->rejects == NULL)
		return;
	snprintf(num, sizeof num, "%lu", line);
	reject_field(im->opt->rejects, file, 0);
	reject_field(im->opt->rejects, num, 0);
	reject_field(im->opt->rejects, field, 0);
	reject_field(im->opt->rejects, reason, 1);
}

/* One bad field: on the report (up to REPORT_MAX) and in the rejects. */
static void
report_field(struct import *im, const char *file, unsigned long line,
    const char *field, const char *reason)
{
	reject(im, file, line, field, reason);
	if (im->opt->report == NULL || im->reported++ >= REPORT_MAX)
		return;
	if (im->opt->progress)
		fputs("\r\033[K", stderr);
	fprintf(im->opt->report, "%s:%lu: %s: %s\n", file, line, field,
	    reason);
}

/* A bad row with one problem. */
static void
report(struct import *im, const char *file, unsigned long line,
    const char *field, const char *fmt, ...)
{
	va_list	ap;
	char	reason[256];

	im->sum->bad_rows++;
	va_start(ap, fmt);
	vsnprintf(reason, sizeof reason, fmt, ap);
	va_end(ap);
	report_field(im, file, line, field, reason);
}

/* The header's problems, each on the header's line (columns_bind). */
struct header_report {
	struct import	*im;
	const char	*file;
	unsigned long	 line;
};

static void
header_problem(void *arg, const char *reason)
{
	struct header_report	*h = arg;

	report(h->im, h->file, h->line, "header", "%s", reason);
}

/*
 * Maps header names to column positions; each of the first required
 * columns must be there once, the others of names at most once (pos -1
 * when absent), and nothing else. Returns 0 or -1 (reported).
 */
static int
map_header(struct import *im, const char *file, const struct csv_row *row,
    const char *const *names, int count, int required, int *pos)
{
	size_t	i;
	int	k, bad = 0;

	for (k = 0; k < count; k++)
		pos[k] = -1;
	for (i = 0; i < row->nfields; i++) {
		for (k = 0; k < count; k++)
			if (strcmp(import_trim(row->fields[i]), names[k]) == 0)
				break;
		if (k == count) {
			report(im, file, row->line, "header", "unknown column "
			    "%zu (expected the columns %s...%s%s)", i + 1,
			    names[0], count > required ? ", optionally " : "",
			    count > required ? names[required] : "");
			bad = 1;
		} else if (pos[k] != -1) {
			report(im, file, row->line, "header", "column %s "
			    "appears twice", names[k]);
			bad = 1;
		} else
			pos[k] = (int)i;
	}
	for (k = 0; k < required; k++)
		if (pos[k] == -1) {
			report(im, file, row->line, "header", "missing column "
			    "%s", names[k]);
			bad = 1;
		}
	return bad ? -1 : 0;
}

/* Validates one organisation row into the table. 1: bad row, reported. */
static int
org_row(struct import *im, const char *file, const struct csv_row *row,
    const int *pos, size_t nfields)
{
	struct org	*o;
	char		*f[OC_COUNT], from[NORM_DATE_SIZE], to[NORM_DATE_SIZE];
	const char	*why, *s;
	size_t		 i;
	int		 k;

	if (row->nfields != nfields) {
		report(im, file, row->line, "row", "%zu fields, expected %zu",
		    row->nfields, nfields);
		return 1;
	}
	for (k = 0; k < OC_COUNT; k++)
		f[k] = pos[k] >= 0 ? import_trim(row->fields[pos[k]]) :
		    (char *)"";
	for (s = f[OC_CODE]; *s != '\0'; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') ||
		    *s == '_' || *s == '-'))
			break;
	if (*s != '\0' || strlen(f[OC_CODE]) < 1 || strlen(f[OC_CODE]) > 32) {
		report(im, file, row->line, "code", "must be 1-32 of a-z 0-9 "
		    "_ -");
		return 1;
	}
	if (strcmp(f[OC_CODE], ORG_UNKNOWN_CODE) == 0) {
		report(im, file, row->line, "code", "\"unknown\" is reserved "
		    "for rows without an organisation");
		return 1;
	}
	for (i = 1; i < im->orgs.n; i++)
		if (strcmp(im->orgs.orgs[i].code, f[OC_CODE]) == 0) {
			report(im, file, row->line, "code", "used twice");
			return 1;
		}
	if (*f[OC_NAME] == '\0') {
		report(im, file, row->line, "name", "required");
		return 1;
	}
	if (strcmp(f[OC_KIND], "municipality") != 0 &&
	    strcmp(f[OC_KIND], "company") != 0 &&
	    strcmp(f[OC_KIND], "agency") != 0) {
		report(im, file, row->line, "kind", "must be municipality, "
		    "company or agency");
		return 1;
	}
	from[0] = to[0] = '\0';
	if (*f[OC_PERIOD_FROM] != '\0' && normalize_birthdate(
	    f[OC_PERIOD_FROM], FAR_FUTURE, from, &why) != NORM_OK) {
		report(im, file, row->line, "period_from", "%s", why);
		return 1;
	}
	if (*f[OC_PERIOD_TO] != '\0' && normalize_birthdate(f[OC_PERIOD_TO],
	    FAR_FUTURE, to, &why) != NORM_OK) {
		report(im, file, row->line, "period_to", "%s", why);
		return 1;
	}
	if (from[0] != '\0' && to[0] != '\0' && strcmp(from, to) > 0) {
		report(im, file, row->line, "period_to", "before period_from");
		return 1;
	}
	o = &im->orgs.orgs[im->orgs.n];
	o->id = (int64_t)im->orgs.n;
	o->code = strdup(f[OC_CODE]);
	o->name = strdup(f[OC_NAME]);
	o->kind = strdup(f[OC_KIND]);
	o->service = strdup(f[OC_SERVICE]);
	o->period_from = strdup(from);
	o->period_to = strdup(to);
	o->contact_name = strdup(f[OC_CONTACT_NAME]);
	o->contact_phone = strdup(f[OC_CONTACT_PHONE]);
	o->contact_hours = strdup(f[OC_CONTACT_HOURS]);
	o->status_note = strdup(f[OC_STATUS_NOTE]);
	o->name_en = strdup(f[OC_NAME_EN]);
	o->service_en = strdup(f[OC_SERVICE_EN]);
	o->contact_name_en = strdup(f[OC_CONTACT_NAME_EN]);
	o->contact_hours_en = strdup(f[OC_CONTACT_HOURS_EN]);
	o->status_note_en = strdup(f[OC_STATUS_NOTE_EN]);
	im->orgs.n++;
	return 0;
}

/* Reads the whole organisation list; any bad row fails the import. */
static int
load_orgs(struct import *im, char **err)
{
	const char		*file = im->opt->orgs_path;
	struct csv_reader	*r;
	struct csv_row		 row;
	struct org		*grown;
	int			 pos[OC_COUNT], rc, have_header = 0;
	size_t			 nfields = 0;
	int64_t			 bad_before = im->sum->bad_rows;
	size_t			 cap = 16, i;

	if ((r = csv_open(file, im->opt->orgs_encoding, err)) == NULL) {
		im->refused = errno == EILSEQ;
		return -1;
	}
	if ((im->orgs.orgs = calloc(cap, sizeof *im->orgs.orgs)) == NULL)
		goto nomem;
	/* Id 0 is the built-in group of rows without an organisation. */
	im->orgs.orgs[0].code = strdup(ORG_UNKNOWN_CODE);
	im->orgs.n = 1;
	while ((rc = csv_read(r, &row)) != 0) {
		if (rc == -1) {
			report(im, file, csv_error_line(r), "row", "%s",
			    csv_error(r));
			continue;
		}
		if (!have_header) {
			have_header = 1;
			if (map_header(im, file, &row, org_cols, OC_COUNT,
			    OC_REQUIRED, pos) == -1)
				break;
			nfields = row.nfields;
			continue;
		}
		if (im->orgs.n == cap) {
			if ((grown = reallocarray(im->orgs.orgs, cap * 2,
			    sizeof *grown)) == NULL)
				goto nomem;
			memset(grown + cap, 0, cap * sizeof *grown);
			im->orgs.orgs = grown;
			cap *= 2;
		}
		if (im->orgs.n > 100000) {
			report(im, file, row.line, "row", "too many "
			    "organisations");
			break;
		}
		(void)org_row(im, file, &row, pos, nfields);
	}
	csv_close(r);
	if (!have_header)
		report(im, file, 1, "header", "the file is empty");
	if (im->sum->bad_rows > bad_before) {
		if (asprintf(err, "%s: %lld bad row(s) in the organisation "
		    "list; nothing imported", file,
		    (long long)(im->sum->bad_rows - bad_before)) == -1)
			*err = NULL;
		return -1;
	}
	if ((im->codes = calloc(im->orgs.n, sizeof *im->codes)) == NULL)
		goto nomem_closed;
	for (i = 1; i < im->orgs.n; i++) {
		im->codes[i - 1].code = im->orgs.orgs[i].code;
		im->codes[i - 1].id = (int64_t)i;
		if (im->orgs.orgs[i].status_note_en == NULL)
			goto nomem_closed;
	}
	im->ncodes = im->orgs.n - 1;
	import_row_sort_codes(im->codes, im->ncodes);
	return 0;
nomem:
	csv_close(r);
nomem_closed:
	*err = strdup("out of memory");
	return -1;
}

/*
 * Opens every list and reads its header before any row is read, so that
 * a wrong file is refused at once and by name.
 */
static int
open_lists(struct import *im, char **err)
{
	struct list_file	*lf;
	struct header_report	 h;
	struct csv_row		 row;
	struct stat		 st;
	size_t			 i;
	int			 rc;

	if ((im->files = calloc(im->opt->nlists, sizeof *im->files)) == NULL) {
		*err = strdup("out of memory");
		return -1;
	}
	for (i = 0; i < im->opt->nlists; i++) {
		lf = &im->files[im->nfiles];
		lf->path = im->opt->lists[i];
		if ((lf->csv = csv_open(lf->path, im->opt->encoding, err)) ==
		    NULL) {
			im->refused = errno == EILSEQ;
			return -1;
		}
		im->nfiles++;
		if (stat(lf->path, &st) == 0)
			im->bytes_total += st.st_size;
		while ((rc = csv_read(lf->csv, &row)) == -1)
			report(im, lf->path, csv_error_line(lf->csv), "row",
			    "%s", csv_error(lf->csv));
		if (rc == 0) {
			report(im, lf->path, 1, "header", "the file is empty");
			goto bad_header;
		}
		h.im = im;
		h.file = lf->path;
		h.line = row.line;
		lf->width = row.nfields;
		if (columns_bind(im->opt->map, COLUMNS_IMPORT, &row, lf->pos,
		    header_problem, &h) > 0)
			goto bad_header;
	}
	return 0;
bad_header:
	if (asprintf(err, "%s: not an affected list (hotline-lists(5): the "
	    "header's columns; --map for another layout); nothing imported",
	    im->files[im->nfiles - 1].path) == -1)
		*err = NULL;
	return -1;
}

/*
 * Copies a row's fields, in column order, into the batch; a column the
 * file does not have is an empty field.
 */
static int
batch_add_row(struct batch *b, const struct csv_row *row, const int *pos)
{
	static char	 empty[1];
	size_t		 need = 0, len[LC_COUNT];
	char		*p, *field[LC_COUNT];
	int		 k;

	for (k = 0; k < LC_COUNT; k++) {
		field[k] = pos[k] == -1 ? empty : row->fields[pos[k]];
		len[k] = strlen(field[k]);
		need += len[k] + 1;
	}
	if (b->len + need > b->cap) {
		if ((p = realloc(b->buf, b->len + need + 65536)) == NULL)
			return -1;
		b->buf = p;
		b->cap = b->len + need + 65536;
	}
	b->off[b->n] = b->len;
	for (k = 0; k < LC_COUNT; k++) {
		memcpy(b->buf + b->len, field[k], len[k] + 1);
		b->len += len[k] + 1;
	}
	return 0;
}

/* Waits for the next batch slot to be free; NULL when told to stop. */
static struct batch *
reader_next_batch(struct import *im, const char *file, off_t done)
{
	struct batch	*b;

	int		 stop;

	pthread_mutex_lock(&im->lock);
	b = &im->batches[im->fill_seq % BATCHES];
	while (b->state != BATCH_FREE && !im->stop)
		pthread_cond_wait(&im->cond, &im->lock);
	stop = im->stop;
	pthread_mutex_unlock(&im->lock);
	if (stop)
		return NULL;
	b->seq = im->fill_seq;
	b->file = file;
	b->done_bytes = done;
	b->n = 0;
	b->len = 0;
	return b;
}

static void
reader_hand_over(struct import *im, struct batch *b)
{
	pthread_mutex_lock(&im->lock);
	b->state = BATCH_FILLED;
	im->fill_seq++;
	pthread_cond_broadcast(&im->cond);
	pthread_mutex_unlock(&im->lock);
}

/* The reader thread: every list, row by row, into batches. */
static void *
reader_main(void *arg)
{
	struct import		*im = arg;
	struct list_file	*lf;
	struct batch		*b = NULL;
	struct csv_row		 row;
	off_t			 done = 0;
	size_t			 i;
	int			 rc;

	for (i = 0; i < im->nfiles; i++) {
		lf = &im->files[i];
		for (;;) {
			if (b == NULL && (b = reader_next_batch(im, lf->path,
			    done)) == NULL)
				goto out;
			if ((rc = csv_read(lf->csv, &row)) == 0)
				break;
			b->line[b->n] = rc == -1 ? csv_error_line(lf->csv) :
			    row.line;
			b->read_error[b->n] = NULL;
			if (rc == -1)
				b->read_error[b->n] = csv_error(lf->csv);
			else if (row.nfields != lf->width)
				b->read_error[b->n] = row.nfields < lf->width ?
				    "fewer fields than the header" :
				    "more fields than the header";
			else if (batch_add_row(b, &row, lf->pos) == -1)
				b->read_error[b->n] = "out of memory";
			b->n++;
			if (b->n == BATCH_ROWS) {
				b->done_bytes = done + csv_offset(lf->csv);
				reader_hand_over(im, b);
				b = NULL;
			}
		}
		/* A read error ends a file early: never import half a file. */
		if (csv_offset(lf->csv) != csv_size(lf->csv)) {
			pthread_mutex_lock(&im->lock);
			if (im->read_err == NULL && asprintf(&im->read_err,
			    "%s: %s", lf->path, csv_error(lf->csv)) == -1)
				im->read_err = NULL;
			im->stop = 1;
			pthread_mutex_unlock(&im->lock);
			break;
		}
		done += csv_size(lf->csv);
		/* Batches do not span files: each names its own file. */
		if (b != NULL && b->n > 0) {
			b->done_bytes = done;
			reader_hand_over(im, b);
			b = NULL;
		}
	}
out:
	pthread_mutex_lock(&im->lock);
	im->reader_done = 1;
	pthread_cond_broadcast(&im->cond);
	pthread_mutex_unlock(&im->lock);
	return NULL;
}

/* A worker thread: builds batches, oldest first, with its own hasher. */
static void *
worker_main(void *arg)
{
	struct import		*im = arg;
	struct import_row_ctx	 ctx;
	struct batch		*b;
	char			*fields[LC_COUNT], *p;
	size_t			 i;
	int			 k;

	ctx.codes = im->codes;
	ctx.ncodes = im->ncodes;
	ctx.today = im->today;
	if ((ctx.hasher = hasher_dup(im->hasher)) == NULL) {
		pthread_mutex_lock(&im->lock);
		im->stop = 1;
		pthread_cond_broadcast(&im->cond);
		pthread_mutex_unlock(&im->lock);
		return NULL;
	}
	for (;;) {
		pthread_mutex_lock(&im->lock);
		for (;;) {
			b = &im->batches[im->work_seq % BATCHES];
			if (im->work_seq < im->fill_seq &&
			    b->state == BATCH_FILLED)
				break;
			if (im->stop || (im->reader_done &&
			    im->work_seq == im->fill_seq)) {
				pthread_mutex_unlock(&im->lock);
				hasher_free(ctx.hasher);
				return NULL;
			}
			pthread_cond_wait(&im->cond, &im->lock);
		}
		b->state = BATCH_WORKING;
		im->work_seq++;
		pthread_mutex_unlock(&im->lock);

		for (i = 0; i < b->n; i++) {
			b->bad[i] = 1;
			if (b->read_error[i] != NULL)
				continue;
			p = b->buf + b->off[i];
			for (k = 0; k < LC_COUNT; k++) {
				fields[k] = p;
				p += strlen(p) + 1;
			}
			b->bad[i] = import_row_build(&ctx, fields, &b->out[i],
			    &b->err[i]) == -1;
		}

		pthread_mutex_lock(&im->lock);
		b->state = BATCH_DONE;
		pthread_cond_broadcast(&im->cond);
		pthread_mutex_unlock(&im->lock);
	}
}

/* --verbose: how long each phase took, for tuning large imports. */
static void
phase(struct import *im, const char *what)
{
	struct timespec	now;

	if (!im->opt->verbose)
		return;
	clock_gettime(CLOCK_MONOTONIC, &now);
	fprintf(stderr, "import: %-40s %7.3f s\n", what,
	    (double)(now.tv_sec - im->start.tv_sec) +
	    (double)(now.tv_nsec - im->start.tv_nsec) / 1e9);
}

/* One line on a terminal: rows, rate, and time left by bytes read. */
static void
progress(struct import *im, off_t done, int final)
{
	struct timespec	now;
	double		elapsed, since, rate, frac, left;

	clock_gettime(CLOCK_MONOTONIC, &now);
	since = (double)(now.tv_sec - im->last.tv_sec) +
	    (double)(now.tv_nsec - im->last.tv_nsec) / 1e9;
	if (!final && since < 0.5)
		return;
	im->last = now;
	elapsed = (double)(now.tv_sec - im->start.tv_sec) +
	    (double)(now.tv_nsec - im->start.tv_nsec) / 1e9;
	rate = elapsed > 0 ? (double)im->sum->rows / elapsed : 0;
	frac = im->bytes_total > 0 ? (double)done / (double)im->bytes_total :
	    0;
	left = frac > 0.001 ? elapsed * (1 - frac) / frac : 0;
	fprintf(stderr, "\r\033[K%lld rows  %.0f rows/s  %3.0f%%  %d:%02d "
	    "left%s", (long long)im->sum->rows, rate, frac * 100,
	    (int)left / 60, (int)left % 60, final ? "\n" : "");
}

/*
 * The writer, on this thread: takes the batches in the order they were
 * read, reports their bad rows, and inserts their records.
 */
static int
write_batches(struct import *im, char **err)
{
	struct batch	*b;
	int64_t		 seq = 0;
	size_t		 i, k;
	int		 rc = 0;

	for (;;) {
		pthread_mutex_lock(&im->lock);
		b = &im->batches[seq % BATCHES];
		while (!(seq < im->fill_seq && b->state == BATCH_DONE) &&
		    !(im->reader_done && seq == im->fill_seq) && !im->stop)
			pthread_cond_wait(&im->cond, &im->lock);
		if (im->stop) {
			/* A read error or a failed worker: the import is off. */
			pthread_mutex_unlock(&im->lock);
			return -1;
		}
		if (seq == im->fill_seq) {
			pthread_mutex_unlock(&im->lock);
			break;
		}
		pthread_mutex_unlock(&im->lock);

		for (i = 0; i < b->n && rc == 0; i++) {
			if (b->read_error[i] != NULL) {
				report(im, b->file, b->line[i], "row", "%s",
				    b->read_error[i]);
				continue;
			}
			if (b->bad[i]) {
				/* Every bad field, one bad row. */
				im->sum->bad_rows++;
				for (k = 0; k < b->err[i].n; k++)
					report_field(im, b->file, b->line[i],
					    b->err[i].e[k].field,
					    b->err[i].e[k].reason);
				continue;
			}
			if (affected_build_row(im->build, &b->out[i], err) ==
			    -1) {
				rc = -1;
				break;
			}
			im->sum->rows++;
			if ((b->out[i].has & BUILD_HAS_LOOKUP) == 0)
				im->sum->no_phone++;
			if (b->out[i].org == ORG_UNKNOWN_ID)
				im->sum->unknown_org++;
			im->sum->orgs[b->out[i].org].rows++;
		}
		if (im->opt->progress)
			progress(im, b->done_bytes, 0);

		pthread_mutex_lock(&im->lock);
		b->state = BATCH_FREE;
		if (rc == -1)
			im->stop = 1;
		pthread_cond_broadcast(&im->cond);
		pthread_mutex_unlock(&im->lock);
		if (rc == -1)
			break;
		seq++;
	}
	return rc;
}

/* Runs the reader, the workers and the writer; joins them all. */
static int
run_pipeline(struct import *im, char **err)
{
	pthread_t	reader, workers[WORKERS_MAX];
	long		ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	int		nworkers, started = 0, i, rc;

	nworkers = ncpu < 1 ? 1 : ncpu > WORKERS_MAX ? WORKERS_MAX : (int)ncpu;
	if (pthread_create(&reader, NULL, reader_main, im) != 0) {
		*err = strdup("cannot start the reader thread");
		return -1;
	}
	for (i = 0; i < nworkers; i++)
		if (pthread_create(&workers[started], NULL, worker_main, im) ==
		    0)
			started++;
	if (started == 0) {
		pthread_mutex_lock(&im->lock);
		im->stop = 1;
		pthread_cond_broadcast(&im->cond);
		pthread_mutex_unlock(&im->lock);
		pthread_join(reader, NULL);
		*err = strdup("cannot start a worker thread");
		return -1;
	}
	rc = write_batches(im, err);
	pthread_mutex_lock(&im->lock);
	im->stop |= rc == -1;
	pthread_cond_broadcast(&im->cond);
	pthread_mutex_unlock(&im->lock);
	pthread_join(reader, NULL);
	for (i = 0; i < started; i++)
		pthread_join(workers[i], NULL);
	if (im->read_err != NULL) {
		free(*err);
		*err = im->read_err;
		im->read_err = NULL;
		rc = -1;
	}
	return rc;
}

int
import_run(const struct import_options *opt, struct import_summary *sum,
    char **err)
{
	struct import		 im;
	struct build_summary	 bs;
	unsigned char		 key[CRYPTO_KEY_SIZE];
	char			 key_id[HASHER_KEY_ID_SIZE];
	size_t			 i;
	int			 rc = -1;

	*err = NULL;
	memset(sum, 0, sizeof *sum);
	memset(&im, 0, sizeof im);
	im.opt = opt;
	im.sum = sum;
	im.today = normalize_today();
	pthread_mutex_init(&im.lock, NULL);
	pthread_cond_init(&im.cond, NULL);
	for (i = 0; i < BATCHES; i++)
		if ((im.batches[i].err = calloc(BATCH_ROWS,
		    sizeof *im.batches[i].err)) == NULL)
			goto out;
	if (crypto_key_load(opt->key_file, 1, key, err) == -1)
		goto out;
	im.hasher = hasher_new(key);
	memset(key, 0, sizeof key);
	if (im.hasher == NULL) {
		*err = strdup("cannot set up HMAC-SHA256");
		goto out;
	}
	hasher_key_id(im.hasher, key_id);
	clock_gettime(CLOCK_MONOTONIC, &im.start);
	if (load_orgs(&im, err) == -1)
		goto out;
	if ((sum->orgs = calloc(im.orgs.n, sizeof *sum->orgs)) == NULL) {
		*err = strdup("out of memory");
		goto out;
	}
	sum->norgs = im.orgs.n;
	for (i = 0; i < im.orgs.n; i++)
		snprintf(sum->orgs[i].code, sizeof sum->orgs[i].code, "%s",
		    im.orgs.orgs[i].code);
	if (open_lists(&im, err) == -1)
		goto out;
	if ((im.build = affected_build_begin(opt->data_dir, key_id, err)) ==
	    NULL)
		goto out;
	for (i = 1; i < im.orgs.n; i++)
		if (affected_build_org(im.build, &im.orgs.orgs[i], err) == -1)
			goto out;
	phase(&im, "organisations read, lists opened");
	im.last = im.start;
	if (run_pipeline(&im, err) == -1)
		goto out;
	phase(&im, "rows read, normalized, hashed, stored");
	if (opt->progress)
		progress(&im, im.bytes_total, 1);
	if (im.reported > REPORT_MAX && opt->report != NULL)
		fprintf(opt->report, "... and %lld more bad fields%s\n",
		    (long long)(im.reported - REPORT_MAX), opt->rejects !=
		    NULL ? " (all in the rejects file)" : "");
	if (sum->bad_rows > opt->max_errors) {
		if (asprintf(err, "%lld bad row(s)%s; nothing imported, the "
		    "current list is unchanged", (long long)sum->bad_rows,
		    opt->max_errors > 0 ? " (more than --max-errors)" : "") ==
		    -1)
			*err = NULL;
		goto out;
	}
	if (sum->rows == 0) {
		im.refused = 1;
		*err = strdup("no rows to import; the current list is "
		    "unchanged");
		goto out;
	}
	rc = affected_build_finish(im.build, &bs, err);
	im.build = NULL;
	phase(&im, "key tables written, synced, renamed");
	sum->lookup_keys = bs.lookup_keys;
	sum->search_keys = bs.search_keys;
out:
	if (rc == -1 && *err == NULL)
		*err = strdup("out of memory");
	if (rc == -1 && (sum->bad_rows > 0 || im.refused))
		sum->refused = 1;
	affected_build_abort(im.build);
	for (i = 0; i < im.nfiles; i++)
		csv_close(im.files[i].csv);
	free(im.files);
	for (i = 0; i < BATCHES; i++) {
		free(im.batches[i].buf);
		free(im.batches[i].err);
	}
	free(im.read_err);
	hasher_free(im.hasher);
	free(im.codes);
	record_org_table_free(&im.orgs);
	pthread_cond_destroy(&im.cond);
	pthread_mutex_destroy(&im.lock);
	return rc;
}

void
import_summary_free(struct import_summary *sum)
{
	free(sum->orgs);
	sum->orgs = NULL;
	sum->norgs = 0;
}
