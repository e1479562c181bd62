/*
 * hotlinectl match (SPEC §8): an organisation matches its own resident or
 * customer register against its records in the list, to learn whom to
 * write to. Offline, on affected.db with the key; only that
 * organisation's records are ever read (affected_entries filters by
 * organisation), and the output holds line numbers and flags only.
 *
 * A register row is read like an affected-list row (columns.c's header
 * aliases and --map, import_row.c's normalization and hashing), which
 * gives its lookup key, its search key and its verification hashes
 * salted with that search key — the salt of every record found by it.
 *
 * Records are found two ways, each record counted once:
 *  - by (kana, birthdate): search entries, one per record, with the
 *    hashes of gender, postal code, address and phone, so that each of
 *    those fields can be checked;
 *  - by (phone, birthdate): lookup entries, one per record, with the
 *    record's items only. A record found this way whose kana is the
 *    row's is also a search entry whose phone hash matches, so
 *    records = search + lookup - (search entries whose phone matches).
 *    The rest are found by phone alone: their kana is a mismatch (they
 *    have one, and it is not the row's) or unknown (they have none); the
 *    other fields cannot be compared (their hashes are salted with the
 *    record's own kana), so they are unknown.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <libgen.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "affected.h"
#include "columns.h"
#include "config.h"
#include "crypto.h"
#include "csv.h"
#include "ctl.h"
#include "hasher.h"
#include "import_row.h"
#include "normalize.h"
#include "record.h"
#include "store.h"

#define MATCH_ENTRIES_MAX	1024	/* records of one key and org read */
#define REPORT_MAX		1000	/* bad fields printed on stderr */

enum check { CHECK_UNKNOWN = 0, CHECK_MATCH, CHECK_MISMATCH };
enum field { F_KANA, F_PHONE, F_GENDER, F_POSTAL, F_ADDRESS, F_COUNT };

static const char *const check_names[] = { "unknown", "match", "mismatch" };

struct matcher {
	struct affected		*list;
	struct hasher		*hasher;
	int64_t			 org;
	struct import_row_ctx	 ctx;
	struct affected_entry	 found[MATCH_ENTRIES_MAX];
};

/* The checks of one candidate; better: more matches, then fewer misses. */
struct verdict {
	enum check	c[F_COUNT];
	int		matches;
	int		mismatches;
};

static void
verdict_count(struct verdict *v)
{
	int	f;

	v->matches = v->mismatches = 0;
	for (f = 0; f < F_COUNT; f++) {
		v->matches += v->c[f] == CHECK_MATCH;
		v->mismatches += v->c[f] == CHECK_MISMATCH;
	}
}

static int
verdict_better(const struct verdict *a, const struct verdict *b)
{
	return a->matches > b->matches || (a->matches == b->matches &&
	    a->mismatches < b->mismatches);
}

/* A field both sides have: equal hashes or not; else unknown. */
static enum check
compare(unsigned row_has, unsigned rec_has, unsigned bit, int64_t a,
    int64_t b)
{
	if ((row_has & bit) == 0 || (rec_has & bit) == 0)
		return CHECK_UNKNOWN;
	return a == b ? CHECK_MATCH : CHECK_MISMATCH;
}

/*
 * The records of one row and the checks against the best of them;
 * returns the number of records, or -1 on a storage error.
 */
static int64_t
match_row(struct matcher *m, const struct build_row *row,
    struct verdict *best)
{
	struct verdict	 v;
	int64_t		 records = 0, with_kana = 0, phone_hits = 0;
	int		 n, i, have = 0;

	memset(best, 0, sizeof *best);
	if (row->has & BUILD_HAS_SEARCH) {
		if ((n = affected_entries(m->list, 1, row->search_key, m->org,
		    m->found, MATCH_ENTRIES_MAX)) < 0)
			return -1;
		for (i = 0; i < n; i++) {
			const struct affected_entry *e = &m->found[i];

			v.c[F_KANA] = CHECK_MATCH;
			v.c[F_PHONE] = compare(row->has, e->has,
			    BUILD_HAS_PHONE, row->phone_h, e->h[3]);
			v.c[F_GENDER] = compare(row->has, e->has,
			    BUILD_HAS_GENDER, row->gender_h, e->h[0]);
			v.c[F_POSTAL] = compare(row->has, e->has,
			    BUILD_HAS_POSTAL, row->postal_h, e->h[1]);
			v.c[F_ADDRESS] = compare(row->has, e->has,
			    BUILD_HAS_ADDRESS, row->address_h, e->h[2]);
			verdict_count(&v);
			phone_hits += v.c[F_PHONE] == CHECK_MATCH;
			if (!have || verdict_better(&v, best))
				*best = v;
			have = 1;
		}
		records += n;
	}
	if (row->has & BUILD_HAS_LOOKUP) {
		if ((n = affected_entries(m->list, 0, row->lookup_key, m->org,
		    m->found, MATCH_ENTRIES_MAX)) < 0)
			return -1;
		for (i = 0; i < n; i++)
			with_kana += (m->found[i].items & ITEM_KANA) != 0;
		/* The ones the search found already, counted once. */
		with_kana -= phone_hits;
		if (with_kana < 0)
			with_kana = 0;	/* a 64-bit hash collision, at most */
		records += n - phone_hits < 0 ? 0 : n - phone_hits;
		memset(&v, 0, sizeof v);
		v.c[F_PHONE] = CHECK_MATCH;
		if (n - phone_hits - with_kana > 0) {
			/* Found by phone, no kana of its own: unknown. */
			verdict_count(&v);
			if (!have || verdict_better(&v, best))
				*best = v;
			have = 1;
		}
		if (with_kana > 0) {
			v.c[F_KANA] = (row->has & BUILD_HAS_SEARCH) ?
			    CHECK_MISMATCH : CHECK_UNKNOWN;
			verdict_count(&v);
			if (!have || verdict_better(&v, best))
				*best = v;
			have = 1;
		}
	}
	return records;
}

/*
 * The audit entry of a match job: who ran it (the local user: the job
 * runs offline, as an administrator of the machine), which organisation,
 * rows read and matched. The only place the job writes hotline.db.
 */
static int
match_audit(const struct config *conf, const char *org, int64_t rows,
    int64_t matched)
{
	struct audit_entry	 e;
	struct store		*s;
	struct passwd		*pw;
	json_t			*args;
	char			*err = NULL, *text, client[96];
	int			 rc = -1;

	pw = getpwuid(geteuid());
	snprintf(client, sizeof client, "local:%s", pw != NULL ?
	    pw->pw_name : "?");
	if ((s = store_open(conf->data_dir, conf->sync_full, 0, &err)) ==
	    NULL) {
		fprintf(stderr, "hotlinectl match: audit: %s\n", err);
		free(err);
		return -1;
	}
	args = json_pack("{s:s, s:I, s:I}", "org", org, "rows",
	    (json_int_t)rows, "matched", (json_int_t)matched);
	text = args != NULL ? json_dumps(args, JSON_COMPACT |
	    JSON_SORT_KEYS) : NULL;
	json_decref(args);
	memset(&e, 0, sizeof e);
	e.time = time(NULL);
	e.client = client;
	e.role = "admin";
	e.method = "match";
	e.outcome = "ok";
	e.args = text;
	/*
	 * A transaction of its own that reads the chain's head inside it: a
	 * running hotlined's entries and this one chain whichever is first.
	 */
	if (text != NULL && store_audit_append_one(s, &e) == 0)
		rc = 0;
	else
		fprintf(stderr, "hotlinectl match: cannot write the audit "
		    "entry to hotline.db\n");
	free(text);
	store_close(s);
	return rc;
}

/* The output's temporary file beside it, mode 0600; NULL after saying why. */
static FILE *
open_out(const char *out, char *tmp, size_t len)
{
	char	 copy[PATH_MAX];
	FILE	*f;
	int	 fd;

	snprintf(copy, sizeof copy, "%s", out);
	if ((size_t)snprintf(tmp, len, "%s/.%s.XXXXXX", dirname(copy),
	    basename((char *)out)) >= len) {
		fprintf(stderr, "hotlinectl match: %s: path too long\n", out);
		return NULL;
	}
	if ((fd = mkstemp(tmp)) == -1 || fchmod(fd, 0600) == -1 ||
	    (f = fdopen(fd, "w")) == NULL) {
		fprintf(stderr, "hotlinectl match: %s: %s\n", tmp,
		    strerror(errno));
		if (fd != -1) {
			close(fd);
			unlink(tmp);
		}
		return NULL;
	}
	return f;
}

struct header_report {
	const char	*file;
	unsigned long	 line;
};

static void
header_problem(void *arg, const char *reason)
{
	struct header_report	*h = arg;

	fprintf(stderr, "%s:%lu: header: %s\n", h->file, h->line, reason);
}

static void
progress(off_t done, off_t size, int64_t rows, int64_t matched, int final)
{
	fprintf(stderr, "\r\033[K%lld rows, %lld matched  %3.0f%%%s",
	    (long long)rows, (long long)matched, size > 0 ? 100.0 *
	    (double)done / (double)size : 100.0, final ? "\n" : "");
}

/* Reads the register, writes the output; the counts for the audit. */
static int
match_file(struct matcher *m, struct csv_reader *r, const char *path,
    const struct columns_map *map, FILE *out, int64_t *nrows,
    int64_t *nmatched, int64_t *nerrors)
{
	static char		 empty[1];
	struct import_row_errors e;
	struct header_report	 h = { path, 1 };
	struct csv_row		 row;
	struct build_row	 b;
	struct verdict		 v;
	struct timespec		 now, last = { 0, 0 };
	char			*fields[LC_COUNT];
	int64_t			 records;
	size_t			 k, width, reported = 0;
	int			 pos[LC_COUNT], rc, f, tty = isatty(STDERR_FILENO);

	while ((rc = csv_read(r, &row)) == -1)
		fprintf(stderr, "%s:%lu: row: %s\n", path, csv_error_line(r),
		    csv_error(r));
	if (rc == 0) {
		fprintf(stderr, "%s:1: header: the file is empty\n", path);
		return -1;
	}
	h.line = row.line;
	if (columns_bind(map, COLUMNS_MATCH, &row, pos, header_problem, &h) >
	    0)
		return -1;
	/* What the job never reads: the organisation is --org's. */
	pos[LC_ORG] = pos[LC_NAME] = pos[LC_KATAGAKI] = pos[LC_EXTRA] = -1;
	width = row.nfields;
	fprintf(out, "line,records,kana,phone,gender,postal_code,address\n");
	for (;;) {
		if ((rc = csv_read(r, &row)) == 0)
			break;
		(*nrows)++;
		if (rc == -1 || row.nfields != width) {
			(*nerrors)++;
			fprintf(stderr, "%s:%lu: row: %s\n", path, rc == -1 ?
			    csv_error_line(r) : row.line, rc == -1 ?
			    csv_error(r) : row.nfields < width ?
			    "fewer fields than the header" :
			    "more fields than the header");
			fprintf(out, "%lu,error,,,,,\n", rc == -1 ?
			    csv_error_line(r) : row.line);
			continue;
		}
		for (k = 0; k < LC_COUNT; k++)
			fields[k] = pos[k] == -1 ? empty : row.fields[pos[k]];
		if (import_row_build(&m->ctx, fields, &b, &e) == -1) {
			(*nerrors)++;
			for (k = 0; k < e.n; k++)
				if (reported++ < REPORT_MAX)
					fprintf(stderr, "%s:%lu: %s: %s\n", path,
					    row.line, e.e[k].field,
					    e.e[k].reason);
			fprintf(out, "%lu,error,,,,,\n", row.line);
			continue;
		}
		if ((records = match_row(m, &b, &v)) == -1)
			return -1;
		fprintf(out, "%lu,%lld", row.line, (long long)records);
		for (f = 0; f < F_COUNT; f++)
			fprintf(out, ",%s", records > 0 ? check_names[v.c[f]] :
			    "");
		fputc('\n', out);
		*nmatched += records > 0;
		if (tty) {
			clock_gettime(CLOCK_MONOTONIC, &now);
			if (now.tv_sec != last.tv_sec) {
				last = now;
				progress(csv_offset(r), csv_size(r), *nrows,
				    *nmatched, 0);
			}
		}
	}
	if (csv_offset(r) != csv_size(r)) {
		fprintf(stderr, "hotlinectl match: %s: %s\n", path,
		    csv_error(r));
		return -1;
	}
	if (reported > REPORT_MAX)
		fprintf(stderr, "... and %zu more bad fields\n",
		    reported - REPORT_MAX);
	if (tty)
		progress(csv_size(r), csv_size(r), *nrows, *nmatched, 1);
	return 0;
}

int
ctl_match(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "conf", required_argument, NULL, 'c' },
		{ "org", required_argument, NULL, 'o' },
		{ "encoding", required_argument, NULL, 'e' },
		{ "map", required_argument, NULL, 'M' },
		{ "out", required_argument, NULL, 'O' },
		CTL_COMMON_OPTIONS,
		{ NULL, 0, NULL, 0 },
	};
	struct matcher		*m = NULL;
	struct config		*conf = NULL;
	struct columns_map	*map = NULL;
	struct csv_reader	*r = NULL;
	const struct org	*o;
	struct stat		 st_in, st_out;
	enum csv_encoding	 enc = CSV_ENCODING_AUTO;
	unsigned char		 key[CRYPTO_KEY_SIZE];
	char			 key_id[HASHER_KEY_ID_SIZE], tmp[PATH_MAX];
	char			*err = NULL, *path = NULL;
	const char		*conf_path = NULL, *org = NULL, *out = NULL;
	FILE			*f = NULL;
	int64_t			 rows = 0, matched = 0, errors = 0;
	int			 ch, rc;

	tmp[0] = '\0';
	while ((ch = getopt_long(argc, argv, "c:o:e:M:O:hV", opts, NULL)) !=
	    -1) {
		if ((rc = ctl_help("match", ch)) != -1)
			goto done;
		rc = CTL_EXIT_USAGE;
		switch (ch) {
		case 'c':
			conf_path = optarg;
			break;
		case 'o':
			org = optarg;
			break;
		case 'e':
			if (csv_encoding_parse(optarg, &enc) == -1) {
				rc = ctl_usage_error("match", "--encoding: "
				    "auto, utf-8 or cp932");
				goto done;
			}
			break;
		case 'M':
			columns_map_free(map);
			if ((map = columns_map_parse(optarg, &err)) == NULL) {
				rc = ctl_usage_error("match", "%s", err);
				goto done;
			}
			break;
		case 'O':
			out = optarg;
			break;
		default:
			rc = ctl_usage_error("match", NULL);
			goto done;
		}
	}
	if (org == NULL || out == NULL || optind + 1 != argc) {
		rc = ctl_usage_error("match", "--org, --out and one register "
		    "needed");
		goto done;
	}
	if ((conf_path = ctl_conf_path(conf_path, 1)) == NULL) {
		rc = ctl_usage_error("match", "-c conf (or $HOTLINE_CONF) "
		    "needed");
		goto done;
	}
	/* Never write over the register itself. */
	if (stat(argv[optind], &st_in) == 0 && stat(out, &st_out) == 0 &&
	    st_in.st_dev == st_out.st_dev && st_in.st_ino == st_out.st_ino) {
		rc = ctl_usage_error("match", "--out is the register itself");
		goto done;
	}
	rc = CTL_EXIT_ERROR;
	if ((conf = ctl_load_conf(conf_path)) == NULL)
		goto done;
	if ((m = calloc(1, sizeof *m)) == NULL)
		goto done;
	if (crypto_key_load(conf->key_file, 1, key, &err) == -1) {
		fprintf(stderr, "hotlinectl match: %s\n", err);
		goto done;
	}
	m->hasher = hasher_new(key);
	memset(key, 0, sizeof key);
	if (m->hasher == NULL)
		goto done;
	hasher_key_id(m->hasher, key_id);
	if (asprintf(&path, "%s/affected.db", conf->data_dir) == -1) {
		path = NULL;
		goto done;
	}
	if ((m->list = affected_open(path, key_id, &err)) == NULL) {
		fprintf(stderr, "hotlinectl match: %s\n", err);
		goto done;
	}
	if ((o = record_org_by_code(affected_orgs(m->list), org)) == NULL) {
		rc = ctl_usage_error("match", "--org: no organisation of that "
		    "code in affected.db");
		goto done;
	}
	m->org = o->id;
	m->ctx.hasher = m->hasher;
	m->ctx.today = normalize_today();
	if ((r = csv_open(argv[optind], enc, &err)) == NULL) {
		fprintf(stderr, "hotlinectl match: %s\n", err);
		goto done;
	}
	if ((f = open_out(out, tmp, sizeof tmp)) == NULL)
		goto done;
	if (match_file(m, r, argv[optind], map, f, &rows, &matched,
	    &errors) == -1)
		goto done;
	if (fflush(f) == EOF || fsync(fileno(f)) == -1) {
		fprintf(stderr, "hotlinectl match: %s: %s\n", tmp,
		    strerror(errno));
		goto done;
	}
	/* Audited before the result exists under its name. */
	if (match_audit(conf, org, rows, matched) == -1)
		goto done;
	if (rename(tmp, out) == -1) {
		fprintf(stderr, "hotlinectl match: %s: %s\n", out,
		    strerror(errno));
		goto done;
	}
	tmp[0] = '\0';
	printf("%lld rows read, %lld matched (%lld could not be read): %s\n",
	    (long long)rows, (long long)matched, (long long)errors, out);
	rc = errors > 0 ? CTL_EXIT_NO : CTL_EXIT_OK;
done:
	if (f != NULL)
		fclose(f);
	if (tmp[0] != '\0')
		unlink(tmp);
	csv_close(r);
	if (m != NULL) {
		affected_unref(m->list);
		hasher_free(m->hasher);
		free(m);
	}
	free(path);
	free(err);
	columns_map_free(map);
	config_free(conf);
	return rc;
}
