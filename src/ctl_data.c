/*
 * hotlinectl init, token, import and gen: the data directory, client
 * tokens, and the affected list.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "columns.h"
#include "config.h"
#include "crypto.h"
#include "csv.h"
#include "ctl.h"
#include "gen.h"
#include "import.h"

#define TOKEN_LEN	32	/* characters of a new token: ~190 bits */

struct config *
ctl_load_conf(const char *path)
{
	struct config	*c;
	char		*err = NULL;

	if ((c = config_load(path, &err)) == NULL) {
		fprintf(stderr, "%s", err);
		free(err);
		return NULL;
	}
	config_apply_time_zone(c);
	return c;
}

int
ctl_mkdir_p(const char *path)
{
	char	 buf[PATH_MAX], *p;

	if (snprintf(buf, sizeof buf, "%s", path) >= (int)sizeof buf) {
		errno = ENAMETOOLONG;
		return -1;
	}
	for (p = buf + 1; *p != '\0'; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0700) == -1 && errno != EEXIST)
			return -1;
		*p = '/';
	}
	if (mkdir(buf, 0700) == -1 && errno != EEXIST)
		return -1;
	return 0;
}

int
ctl_init(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "conf", required_argument, NULL, 'c' },
		{ "data-dir", required_argument, NULL, 'd' },
		{ "key-out", required_argument, NULL, 'k' },
		CTL_COMMON_OPTIONS,
		{ NULL, 0, NULL, 0 },
	};
	struct config	*conf = NULL;
	const char	*conf_path = NULL, *dir = NULL, *key_out = NULL;
	char		*key_path = NULL, *err = NULL;
	int		 ch, rc = CTL_EXIT_ERROR, credential = 0;

	while ((ch = getopt_long(argc, argv, "c:d:k:hV", opts, NULL)) != -1) {
		if ((rc = ctl_help("init", ch)) != -1)
			return rc;
		switch (ch) {
		case 'c':
			conf_path = optarg;
			break;
		case 'd':
			dir = optarg;
			break;
		case 'k':
			key_out = optarg;
			break;
		default:
			return ctl_usage_error("init", NULL);
		}
	}
	rc = CTL_EXIT_ERROR;
	if (optind != argc)
		return ctl_usage_error("init", "no arguments expected");
	if (dir == NULL && (conf_path = ctl_conf_path(conf_path, 1)) == NULL)
		return ctl_usage_error("init", "-c conf (or $HOTLINE_CONF) or "
		    "--data-dir needed");
	if (dir == NULL) {
		if ((conf = ctl_load_conf(conf_path)) == NULL)
			return CTL_EXIT_ERROR;
		dir = conf->data_dir;
		key_path = strdup(conf->key_file);
		credential = strncmp(conf->key_file, CRYPTO_CREDENTIAL_PREFIX,
		    strlen(CRYPTO_CREDENTIAL_PREFIX)) == 0;
	} else if (asprintf(&key_path, "%s/hotline.key", dir) == -1)
		key_path = NULL;
	if (key_path == NULL)
		goto out;
	if (ctl_mkdir_p(dir) == -1) {
		fprintf(stderr, "hotlinectl init: %s: %s\n", dir,
		    strerror(errno));
		goto out;
	}
	if (key_out != NULL || credential) {
		/* The key goes elsewhere: to be sealed, never beside the data. */
		if (key_out == NULL) {
			printf("created %s; the key is the credential %s: make "
			    "it with\n  hotlinectl init --key-out FILE, then "
			    "systemd-creds encrypt (docs/OPERATIONS.md)\n", dir,
			    key_path);
			rc = CTL_EXIT_OK;
			goto out;
		}
		free(key_path);
		if ((key_path = strdup(key_out)) == NULL)
			goto out;
	}
	if (crypto_key_create(key_path, &err) == -1) {
		fprintf(stderr, "hotlinectl init: %s\n", err);
		free(err);
		goto out;
	}
	printf("created %s and the key %s (mode 0600)\n", dir, key_path);
	printf("keep a copy of the key somewhere safe: every stored hash "
	    "depends on it\n");
	rc = CTL_EXIT_OK;
out:
	free(key_path);
	config_free(conf);
	return rc;
}

int
ctl_token(int argc, char **argv)
{
	static const struct option opts[] = {
		CTL_COMMON_OPTIONS,
		{ NULL, 0, NULL, 0 },
	};
	char	token[TOKEN_LEN + 1], hex[CRYPTO_SHA256_HEX_SIZE];
	int	ch, rc;

	while ((ch = getopt_long(argc, argv, "hV", opts, NULL)) != -1) {
		if ((rc = ctl_help("token", ch)) != -1)
			return rc;
		return ctl_usage_error("token", NULL);
	}
	if (optind != argc)
		return ctl_usage_error("token", "no arguments expected");
	if (crypto_random_handle(token, sizeof token) == -1) {
		fprintf(stderr, "hotlinectl token: no random bytes\n");
		return CTL_EXIT_ERROR;
	}
	crypto_sha256_hex(token, strlen(token), hex);
	printf("token:        %s\n", token);
	printf("token_sha256: %s\n", hex);
	printf("Give the token to the client; put token_sha256 in the conf's "
	    "clients entry.\n");
	return CTL_EXIT_OK;
}

const char *
ctl_thousands(long long v, char *buf, size_t len)
{
	char	tmp[32];
	size_t	n, i, o = 0;

	n = (size_t)snprintf(tmp, sizeof tmp, "%lld", v < 0 ? -v : v);
	if (v < 0 && o + 1 < len)
		buf[o++] = '-';
	for (i = 0; i < n && o + 2 < len; i++) {
		if (i > 0 && (n - i) % 3 == 0)
			buf[o++] = ',';
		buf[o++] = tmp[i];
	}
	buf[o] = '\0';
	return buf;
}

/* --rejects FILE: created 0600, replaced whole; NULL after saying why. */
static FILE *
open_rejects(const char *path)
{
	FILE	*f;
	int	 fd;

	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW,
	    0600);
	if (fd == -1 || fchmod(fd, 0600) == -1 || (f = fdopen(fd, "w")) ==
	    NULL) {
		fprintf(stderr, "hotlinectl import: %s: %s\n", path,
		    strerror(errno));
		if (fd != -1)
			close(fd);
		return NULL;
	}
	fprintf(f, "file,line,field,reason\n");
	return f;
}

int
ctl_import(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "conf", required_argument, NULL, 'c' },
		{ "orgs", required_argument, NULL, 'o' },
		{ "encoding", required_argument, NULL, 'e' },
		{ "orgs-encoding", required_argument, NULL, 'E' },
		{ "map", required_argument, NULL, 'M' },
		{ "rejects", required_argument, NULL, 'r' },
		{ "max-errors", required_argument, NULL, 'm' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "verbose", no_argument, NULL, 'v' },
		CTL_COMMON_OPTIONS,
		{ NULL, 0, NULL, 0 },
	};
	struct import_options	 opt;
	struct import_summary	 sum;
	struct config		*conf = NULL;
	struct columns_map	*map = NULL;
	const char		*conf_path = NULL, *rejects = NULL;
	char			*err = NULL, *end, a[32], b[32];
	size_t			 i;
	int			 ch, quiet = 0, rc;

	memset(&opt, 0, sizeof opt);
	opt.report = stderr;
	while ((ch = getopt_long(argc, argv, "c:o:e:E:M:r:m:qvhV", opts,
	    NULL)) != -1) {
		if ((rc = ctl_help("import", ch)) != -1) {
			columns_map_free(map);
			return rc;
		}
		switch (ch) {
		case 'c':
			conf_path = optarg;
			break;
		case 'o':
			opt.orgs_path = optarg;
			break;
		case 'e':
		case 'E':
			if (csv_encoding_parse(optarg, ch == 'e' ?
			    &opt.encoding : &opt.orgs_encoding) == -1) {
				columns_map_free(map);
				return ctl_usage_error("import", "--%s: auto, "
				    "utf-8 or cp932", ch == 'e' ? "encoding" :
				    "orgs-encoding");
			}
			break;
		case 'M':
			columns_map_free(map);
			if ((map = columns_map_parse(optarg, &err)) == NULL) {
				rc = ctl_usage_error("import", "%s", err);
				free(err);
				return rc;
			}
			break;
		case 'r':
			rejects = optarg;
			break;
		case 'm':
			errno = 0;
			opt.max_errors = strtol(optarg, &end, 10);
			if (errno != 0 || *end != '\0' || opt.max_errors < 0) {
				columns_map_free(map);
				return ctl_usage_error("import", "--max-errors: "
				    "a count");
			}
			break;
		case 'q':
			quiet = 1;
			break;
		case 'v':
			opt.verbose = 1;
			break;
		default:
			columns_map_free(map);
			return ctl_usage_error("import", NULL);
		}
	}
	rc = CTL_EXIT_ERROR;
	if (opt.orgs_path == NULL || optind == argc) {
		columns_map_free(map);
		return ctl_usage_error("import", "--orgs and at least one list "
		    "needed");
	}
	if ((conf_path = ctl_conf_path(conf_path, 1)) == NULL) {
		columns_map_free(map);
		return ctl_usage_error("import", "-c conf (or $HOTLINE_CONF) "
		    "needed");
	}
	if ((conf = ctl_load_conf(conf_path)) == NULL)
		goto out;
	if (rejects != NULL && (opt.rejects = open_rejects(rejects)) == NULL)
		goto out;
	opt.map = map;
	opt.data_dir = conf->data_dir;
	opt.key_file = conf->key_file;
	opt.lists = (const char *const *)argv + optind;
	opt.nlists = (size_t)(argc - optind);
	opt.progress = !quiet && isatty(STDERR_FILENO);
	if (import_run(&opt, &sum, &err) == -1) {
		fprintf(stderr, "hotlinectl import: %s\n", err);
		/* Bad rows or a wrong file are a refusal; the rest, errors. */
		rc = sum.refused ? CTL_EXIT_NO : CTL_EXIT_ERROR;
		free(err);
		import_summary_free(&sum);
		goto out;
	}
	if (!quiet) {
		printf("imported %s rows from %zu file(s) into "
		    "%s/affected.db\n", ctl_thousands(sum.rows, a, sizeof a),
		    opt.nlists, conf->data_dir);
		if (sum.bad_rows > 0)
			printf("  bad rows skipped (--max-errors): %s\n",
			    ctl_thousands(sum.bad_rows, a, sizeof a));
		printf("  lookup keys (phone + birthdate): %s\n",
		    ctl_thousands(sum.lookup_keys, a, sizeof a));
		printf("  search keys (kana + birthdate):  %s\n",
		    ctl_thousands(sum.search_keys, a, sizeof a));
		printf("  rows without phone:              %s\n",
		    ctl_thousands(sum.no_phone, a, sizeof a));
		printf("  rows of unknown source:          %s\n",
		    ctl_thousands(sum.unknown_org, a, sizeof a));
		printf("  rows per organisation:\n");
		for (i = 1; i < sum.norgs; i++)
			printf("    %-32s %12s\n", sum.orgs[i].code,
			    ctl_thousands(sum.orgs[i].rows, b, sizeof b));
		printf("a running hotlined serves it after hotlinectl reload "
		    "(or SIGHUP)\n");
	}
	import_summary_free(&sum);
	rc = CTL_EXIT_OK;
out:
	if (opt.rejects != NULL && fclose(opt.rejects) == EOF) {
		fprintf(stderr, "hotlinectl import: %s: %s\n", rejects,
		    strerror(errno));
		rc = CTL_EXIT_ERROR;
	}
	columns_map_free(map);
	config_free(conf);
	return rc;
}

int
ctl_gen(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "rows", required_argument, NULL, 'n' },
		{ "seed", required_argument, NULL, 's' },
		{ "sizes", required_argument, NULL, 'z' },
		{ "orgs-out", required_argument, NULL, 'o' },
		{ "list-out", required_argument, NULL, 'l' },
		{ "sample", no_argument, NULL, 'S' },
		CTL_COMMON_OPTIONS,
		{ NULL, 0, NULL, 0 },
	};
	struct gen_options	 g;
	const char		*orgs_path = NULL, *list_path = NULL;
	FILE			*orgs = NULL, *list = NULL;
	char			*err = NULL, *end;
	int			 ch, sample = 0, rc;

	gen_options_init(&g);
	while ((ch = getopt_long(argc, argv, "n:s:z:o:l:ShV", opts, NULL)) !=
	    -1) {
		if ((rc = ctl_help("gen", ch)) != -1)
			return rc;
		switch (ch) {
		case 'n':
			errno = 0;
			g.rows = strtoul(optarg, &end, 10);
			if (errno != 0 || *end != '\0')
				goto usage;
			break;
		case 's':
			errno = 0;
			g.seed = strtoull(optarg, &end, 10);
			if (errno != 0 || *end != '\0')
				goto usage;
			break;
		case 'z':
			g.sizes_path = optarg;
			break;
		case 'o':
			orgs_path = optarg;
			break;
		case 'l':
			list_path = optarg;
			break;
		case 'S':
			sample = 1;
			break;
		default:
			goto usage;
		}
	}
	if (optind != argc || orgs_path == NULL || list_path == NULL)
		goto usage;
	rc = CTL_EXIT_ERROR;
	if ((orgs = fopen(orgs_path, "w")) == NULL ||
	    (list = fopen(list_path, "w")) == NULL) {
		fprintf(stderr, "hotlinectl gen: %s: %s\n", orgs == NULL ?
		    orgs_path : list_path, strerror(errno));
		goto out;
	}
	if (gen_write(&g, orgs, list, sample ? stdout : NULL, &err) == -1) {
		fprintf(stderr, "hotlinectl gen: %s\n", err);
		free(err);
		goto out;
	}
	rc = 0;
out:
	if (orgs != NULL && fclose(orgs) == EOF && rc == 0) {
		fprintf(stderr, "hotlinectl gen: %s: %s\n", orgs_path,
		    strerror(errno));
		rc = CTL_EXIT_ERROR;
	}
	if (list != NULL && fclose(list) == EOF && rc == 0) {
		fprintf(stderr, "hotlinectl gen: %s: %s\n", list_path,
		    strerror(errno));
		rc = CTL_EXIT_ERROR;
	}
	return rc;
usage:
	return ctl_usage_error("gen", NULL);
}
