/*
 * hotlinectl demo: a complete demo in one directory — key, a synthetic
 * list of fictional people imported into affected.db, and a conf with
 * well-known demo tokens for loopback only. The generated CSV files live
 * in a temporary directory and are removed after the import: the demo
 * directory holds no personal data in the clear, as in production.
 */
#include <sys/stat.h>

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "crypto.h"
#include "ctl.h"
#include "gen.h"
#include "import.h"

static int	write_conf(const char *, const char *, int, int,
		    const char *);
static int	build_list(const char *, const struct gen_options *);
static int	print_samples(const struct gen_options *, int, int);

static const char *demo_clients[][2] = {
	{ CTL_DEMO_GATEWAY, "gateway" },
	{ CTL_DEMO_OPERATOR, "operator" },
	{ CTL_DEMO_SUPERVISOR, "supervisor" },
	{ CTL_DEMO_ADMIN, "admin" },
};

/*
 * web: the pages' directory (the source tree's web/), or NULL for the
 * installed one that hotlined knows by itself.
 */
static int
write_conf(const char *path, const char *prompts, int port, int http_port,
    const char *web)
{
	char	 token[64], hex[CRYPTO_SHA256_HEX_SIZE];
	FILE	*f;
	size_t	 i;

	if ((f = fopen(path, "w")) == NULL)
		return -1;
	fprintf(f,
	    "# hotline demo configuration, written by hotlinectl demo.\n"
	    "# The demo tokens are public (\"<client>-token\"): loopback "
	    "only.\n"
	    "# conf/hotline.conf documents every key.\n\n"
	    "listen = { address = \"127.0.0.1\"; port = %d; };\n"
	    "data_dir = \"data\";\n"
	    "prompts_dir = \"%s\";\n\n"
	    "service = {\n"
	    "  name = \"情報流出専用ダイヤル\";\n"
	    "  hotline_number = \"0120-000-000\";\n"
	    "  lang = \"ja\";\n"
	    "};\n\n"
	    "# Open around the clock, so that the demo answers at any hour.\n"
	    "hours = {\n"
	    "  open = \"00:00\";\n"
	    "  close = \"24:00\";\n"
	    "  days = [\"mon\", \"tue\", \"wed\", \"thu\", \"fri\", \"sat\","
	    " \"sun\"];\n"
	    "  time_zone = \"Asia/Tokyo\";\n"
	    "};\n\n"
	    "log = { level = \"info\"; target = \"stderr\"; };\n\n"
	    "clients = (\n", port, prompts);
	for (i = 0; i < sizeof demo_clients / sizeof demo_clients[0]; i++) {
		snprintf(token, sizeof token, "%s%s", demo_clients[i][0],
		    CTL_DEMO_TOKEN_SUFFIX);
		crypto_sha256_hex(token, strlen(token), hex);
		fprintf(f, "  { name = \"%s\"; role = \"%s\";\n"
		    "    token_sha256 = \"%s\"; }%s\n", demo_clients[i][0],
		    demo_clients[i][1], hex, i + 1 < sizeof demo_clients /
		    sizeof demo_clients[0] ? "," : "");
	}
	fprintf(f, ");\n");
	fprintf(f, "\n# The operator desk, the wallboard and /metrics: "
	    "http://127.0.0.1:%d/\n"
	    "http = {\n"
	    "  address = \"127.0.0.1\";\n"
	    "  port = %d;\n", http_port, http_port);
	if (web != NULL)
		fprintf(f, "  web_dir = \"%s\";\n", web);
	fprintf(f, "};\n");
	if (ferror(f)) {
		fclose(f);
		return -1;
	}
	return fclose(f) == 0 ? 0 : -1;
}

/* Generates the list into a private temporary directory and imports it. */
static int
build_list(const char *dir, const struct gen_options *g)
{
	struct import_options	 opt;
	struct import_summary	 sum;
	char			 tmp[] = "/tmp/hotline-demo.XXXXXX";
	char			 orgs_path[PATH_MAX], list_path[PATH_MAX];
	char			 data[PATH_MAX + 32], key[PATH_MAX + 32];
	char			 n[32];
	const char		*lists[1];
	char			*err = NULL;
	FILE			*orgs = NULL, *list = NULL;
	int			 rc = -1;

	if (mkdtemp(tmp) == NULL) {
		fprintf(stderr, "hotlinectl demo: %s: %s\n", tmp,
		    strerror(errno));
		return -1;
	}
	snprintf(orgs_path, sizeof orgs_path, "%s/orgs.csv", tmp);
	snprintf(list_path, sizeof list_path, "%s/affected.csv", tmp);
	snprintf(data, sizeof data, "%s/data", dir);
	snprintf(key, sizeof key, "%s/data/hotline.key", dir);
	if ((orgs = fopen(orgs_path, "w")) == NULL ||
	    (list = fopen(list_path, "w")) == NULL) {
		fprintf(stderr, "hotlinectl demo: %s\n", strerror(errno));
		goto out;
	}
	if (gen_write(g, orgs, list, NULL, &err) == -1) {
		fprintf(stderr, "hotlinectl demo: gen: %s\n", err);
		goto out;
	}
	if (fclose(orgs) == EOF || fclose(list) == EOF) {
		orgs = list = NULL;
		fprintf(stderr, "hotlinectl demo: %s\n", strerror(errno));
		goto out;
	}
	orgs = list = NULL;
	memset(&opt, 0, sizeof opt);
	opt.data_dir = data;
	opt.key_file = key;
	opt.orgs_path = orgs_path;
	lists[0] = list_path;
	opt.lists = lists;
	opt.nlists = 1;
	opt.report = stderr;
	opt.progress = isatty(STDERR_FILENO);
	if (import_run(&opt, &sum, &err) == -1) {
		fprintf(stderr, "hotlinectl demo: import: %s\n", err);
		goto out;
	}
	printf("imported %s fictional rows from %zu fictional "
	    "organisations\n", ctl_thousands(sum.rows, n, sizeof n),
	    sum.norgs - 1);
	import_summary_free(&sum);
	rc = 0;
out:
	free(err);
	if (orgs != NULL)
		fclose(orgs);
	if (list != NULL)
		fclose(list);
	unlink(orgs_path);
	unlink(list_path);
	rmdir(tmp);
	return rc;
}

/*
 * The generator is deterministic: running it again, with the lists sent
 * to /dev/null, gives the same people without storing them anywhere.
 */
static int
print_samples(const struct gen_options *g, int port, int http_port)
{
	FILE		*null, *mem;
	char		*buf = NULL, *line, *save, *f[5], portopt[32];
	char		 first[64] = "", kana[160] = "";
	size_t		 len = 0;
	int		 k, shown = 0;
	char		*err = NULL;
	const char	*what;

	if ((null = fopen("/dev/null", "w")) == NULL ||
	    (mem = open_memstream(&buf, &len)) == NULL) {
		if (null != NULL)
			fclose(null);
		return -1;
	}
	if (gen_write(g, null, null, mem, &err) == -1) {
		fprintf(stderr, "hotlinectl demo: %s\n", err);
		free(err);
	}
	fclose(null);
	fclose(mem);
	printf("\nFictional callers to try (phone, birthdate):\n");
	for (line = strtok_r(buf, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		f[0] = line;
		for (k = 1; k < 5; k++) {
			if ((f[k] = strchr(f[k - 1], '\t')) == NULL)
				break;
			*f[k]++ = '\0';
		}
		if (k < 5 || *f[1] == '\0')
			continue;	/* no-phone people need an operator */
		if (strcmp(f[0], "one-org") == 0)
			what = "listed by one organisation";
		else if (strcmp(f[0], "two-org") == 0)
			what = "listed by two organisations";
		else if (strcmp(f[0], "unknown-org") == 0)
			what = "source still being identified";
		else
			continue;
		printf("  %-12s %-11s %s\n", f[1], f[2], what);
		if (shown++ == 0) {
			snprintf(first, sizeof first, "%s %s", f[1], f[2]);
			snprintf(kana, sizeof kana, "%s, %s", f[3], f[2]);
		}
	}
	printf("  (anyone else is not listed, e.g. 09000000000 1980-01-01)\n");
	if (port == CTL_DEMO_PORT)
		portopt[0] = '\0';
	else
		snprintf(portopt, sizeof portopt, " --port %d", port);
	if (shown > 0)
		printf("\nOnce hotlined runs (make demo starts it), look one "
		    "up from another terminal:\n  build/hotlinectl lookup%s "
		    "%s\n", portopt, first);
	printf("\nThe operator desk and the wallboard: http://127.0.0.1:%d/\n"
	    "  sign in as %s / %s%s (desk) or %s / %s%s (wallboard)\n",
	    http_port, CTL_DEMO_OPERATOR, CTL_DEMO_OPERATOR,
	    CTL_DEMO_TOKEN_SUFFIX, CTL_DEMO_SUPERVISOR, CTL_DEMO_SUPERVISOR,
	    CTL_DEMO_TOKEN_SUFFIX);
	if (kana[0] != '\0')
		printf("  at the desk, search by kana and birthdate: %s\n", kana);
	free(buf);
	return 0;
}

int
ctl_demo(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "dir", required_argument, NULL, 'd' },
		{ "rows", required_argument, NULL, 'n' },
		{ "port", required_argument, NULL, 'p' },
		{ "prompts", required_argument, NULL, 'P' },
		{ "http-port", required_argument, NULL, 'H' },
		{ "web", required_argument, NULL, 'w' },
		{ "force", no_argument, NULL, 'f' },
		CTL_COMMON_OPTIONS,
		{ NULL, 0, NULL, 0 },
	};
	struct gen_options	 g;
	struct stat		 st;
	const char		*dir_arg = "demo", *prompts_arg = "prompts";
	const char		*web_arg = NULL;
	char			 dir[PATH_MAX], prompts[PATH_MAX], web[PATH_MAX];
	char			 path[PATH_MAX + 32], *err = NULL, *end;
	int			 ch, port = CTL_DEMO_PORT, force = 0, rc;
	int			 http_port = CTL_DEMO_HTTP_PORT, have_web = 0;

	gen_options_init(&g);
	while ((ch = getopt_long(argc, argv, "d:n:p:P:H:w:fhV", opts, NULL)) !=
	    -1) {
		if ((rc = ctl_help("demo", ch)) != -1)
			return rc;
		switch (ch) {
		case 'd':
			dir_arg = optarg;
			break;
		case 'n':
			g.rows = strtoul(optarg, &end, 10);
			if (*end != '\0' || g.rows == 0)
				goto usage;
			break;
		case 'p':
			port = (int)strtol(optarg, &end, 10);
			if (*end != '\0' || port < 1 || port > 65535)
				goto usage;
			break;
		case 'P':
			prompts_arg = optarg;
			break;
		case 'H':
			http_port = (int)strtol(optarg, &end, 10);
			if (*end != '\0' || http_port < 1 || http_port > 65535 ||
			    http_port == port)
				goto usage;
			break;
		case 'w':
			web_arg = optarg;
			break;
		case 'f':
			force = 1;
			break;
		default:
			goto usage;
		}
	}
	if (optind != argc)
		goto usage;
	if (realpath(prompts_arg, prompts) == NULL) {
		fprintf(stderr, "hotlinectl demo: prompts directory %s: %s "
		    "(run from the source tree or give --prompts)\n",
		    prompts_arg, strerror(errno));
		return CTL_EXIT_ERROR;
	}
	/* The source tree's pages, unless they are installed. */
	if (web_arg != NULL && realpath(web_arg, web) == NULL) {
		fprintf(stderr, "hotlinectl demo: web directory %s: %s\n",
		    web_arg, strerror(errno));
		return CTL_EXIT_ERROR;
	}
	have_web = web_arg != NULL || realpath("web", web) != NULL;
	snprintf(path, sizeof path, "%s/data", dir_arg);
	if (ctl_mkdir_p(path) == -1 || realpath(dir_arg, dir) == NULL) {
		fprintf(stderr, "hotlinectl demo: %s: %s\n", dir_arg,
		    strerror(errno));
		return CTL_EXIT_ERROR;
	}
	snprintf(path, sizeof path, "%s/hotline.conf", dir);
	if (write_conf(path, prompts, port, http_port, have_web ? web :
	    NULL) == -1) {
		fprintf(stderr, "hotlinectl demo: %s: %s\n", path,
		    strerror(errno));
		return CTL_EXIT_ERROR;
	}
	snprintf(path, sizeof path, "%s/data/hotline.key", dir);
	if (stat(path, &st) == -1 && crypto_key_create(path, &err) == -1) {
		fprintf(stderr, "hotlinectl demo: %s\n", err);
		free(err);
		return CTL_EXIT_ERROR;
	}
	snprintf(path, sizeof path, "%s/data/affected.db", dir);
	if (force || stat(path, &st) == -1) {
		if (build_list(dir, &g) == -1)
			return CTL_EXIT_ERROR;
	} else
		printf("keeping the demo list in %s (--force rebuilds it)\n",
		    path);
	printf("demo ready: %s/hotline.conf\n", dir);
	print_samples(&g, port, http_port);
	return 0;
usage:
	return ctl_usage_error("demo", NULL);
}
