/*
 * Unit tests for the synthetic list generator (src/gen.c). The generated
 * CSV is read back with a small RFC 4180 parser of its own, and phones,
 * birthdates and kana are reduced here with just enough normalization to
 * compare rows, so that these tests do not depend on src/normalize.c.
 * The sizes file is $HOTLINE_TESTDATA/orgs-incident-sizes.tsv (default
 * tests/data).
 */
#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "gen.h"
#include "gen_names.h"

#define AFFECTED_HEADER "org_code,name,kana,phone,gender,birthdate," \
	"postal_code,address,katagaki,extra_items"
#define ORGS_HEADER "code,name,kind,service,period_from,period_to," \
	"contact_name,contact_phone,contact_hours,status_note,name_en," \
	"service_en,contact_name_en,contact_hours_en,status_note_en"

#define TEST_FIELDS	16
#define TEST_FIELD_MAX	1024
#define TEST_CODES	64

/* What one gen_write produced, read back into memory. */
struct output {
	char	*orgs;
	size_t	 orgs_len;
	char	*affected;
	size_t	 affected_len;
	char	*sample;
	size_t	 sample_len;
};

/* One parsed CSV record. */
struct record {
	int	 nf;
	char	 f[TEST_FIELDS][TEST_FIELD_MAX];
	int	 quoted_newline;	/* a newline inside quotes */
	int	 quoted;		/* some field was quoted */
};

static char *
slurp(FILE *fp, size_t *len)
{
	char	*buf;
	long	 n;

	assert_int_equal(fflush(fp), 0);
	assert_int_equal(fseek(fp, 0, SEEK_END), 0);
	n = ftell(fp);
	assert_true(n >= 0);
	rewind(fp);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, fp), (size_t)n);
	buf[n] = '\0';
	*len = (size_t)n;
	return buf;
}

/* Runs gen_write into temporary files; returns its result. */
static int
run(const struct gen_options *o, struct output *out, char **err)
{
	FILE	*orgs, *aff, *smp;
	int	 rc;

	orgs = tmpfile();
	aff = tmpfile();
	smp = tmpfile();
	assert_non_null(orgs);
	assert_non_null(aff);
	assert_non_null(smp);
	rc = gen_write(o, orgs, aff, smp, err);
	out->orgs = slurp(orgs, &out->orgs_len);
	out->affected = slurp(aff, &out->affected_len);
	out->sample = slurp(smp, &out->sample_len);
	fclose(orgs);
	fclose(aff);
	fclose(smp);
	return rc;
}

static void
run_ok(const struct gen_options *o, struct output *out)
{
	char	*err = NULL;

	if (run(o, out, &err) != 0)
		fail_msg("gen_write: %s", err != NULL ? err : "?");
	assert_null(err);
}

static void
output_free(struct output *out)
{
	free(out->orgs);
	free(out->affected);
	free(out->sample);
}

/* Parses the record at *pp and advances past it; 0 at the end. */
static int
parse_record(const char **pp, struct record *r)
{
	const char	*p = *pp;
	size_t		 n;
	int		 inq;

	if (*p == '\0')
		return 0;
	memset(r, 0, sizeof(*r));
	r->nf = 1;
	n = 0;
	inq = 0;
	for (;; p++) {
		if (*p == '\0') {
			assert_false(inq);
			break;
		}
		if (inq) {
			if (*p == '"' && p[1] == '"')
				p++;
			else if (*p == '"') {
				inq = 0;
				continue;
			} else if (*p == '\n')
				r->quoted_newline = 1;
		} else if (*p == '"' && n == 0) {
			inq = 1;
			r->quoted = 1;
			continue;
		} else if (*p == ',') {
			assert_true(r->nf < TEST_FIELDS);
			r->f[r->nf - 1][n] = '\0';
			r->nf++;
			n = 0;
			continue;
		} else if (*p == '\n') {
			p++;
			break;
		}
		assert_true(n < TEST_FIELD_MAX - 1);
		r->f[r->nf - 1][n++] = *p;
	}
	r->f[r->nf - 1][n] = '\0';
	*pp = p;
	return 1;
}

static size_t
count_char(const char *s, char c)
{
	size_t	 n = 0;

	for (; *s != '\0'; s++)
		n += *s == c;
	return n;
}

/* Phone as written -> national digits (full-width digits, +81). */
static void
norm_phone(const char *in, char *out, size_t len)
{
	const unsigned char	*u = (const unsigned char *)in;
	size_t			 n = 0;
	int			 intl = strncmp(in, "+81", 3) == 0;

	while (*u != '\0') {
		if (*u >= '0' && *u <= '9') {
			assert_true(n < len - 1);
			out[n++] = (char)*u;
			u++;
		} else if (u[0] == 0xef && u[1] == 0xbc && u[2] >= 0x90 &&
		    u[2] <= 0x99) {
			assert_true(n < len - 1);
			out[n++] = (char)('0' + (u[2] - 0x90));
			u += 3;
		} else
			u++;
	}
	out[n] = '\0';
	if (intl) {
		assert_true(n >= 2 && out[0] == '8' && out[1] == '1');
		out[0] = '0';
		memmove(out + 1, out + 2, n - 1);
	}
}

/* Reads 1-4 ASCII digits at *pp; -1 if there are none. */
static int
digits(const char **pp, int max)
{
	const char	*p = *pp;
	int		 v = 0, n = 0;

	while (n < max && *p >= '0' && *p <= '9') {
		v = v * 10 + (*p++ - '0');
		n++;
	}
	if (n == 0)
		return -1;
	*pp = p;
	return v;
}

static int
valid_ymd(int y, int m, int d)
{
	static const int mdays[] = {
		31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31,
	};
	int	 leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	if (m < 1 || m > 12 || d < 1)
		return 0;
	return d <= mdays[m - 1] + (m == 2 && leap);
}

/*
 * Birthdate in the forms the generator writes -> YYYYMMDD, or -1. Era
 * dates are checked against their era's boundaries (SPEC §5).
 */
static int
norm_date(const char *s)
{
	static const struct {
		const char	*name;
		int		 offset, first, last;
	} eras[] = {
		{ "大正", 1911, 19120730, 19261224 },
		{ "昭和", 1925, 19261225, 19890107 },
		{ "平成", 1988, 19890108, 20190430 },
		{ "T", 1911, 19120730, 19261224 },
		{ "S", 1925, 19261225, 19890107 },
		{ "H", 1988, 19890108, 20190430 },
	};
	const char	*p = s;
	size_t		 i, len;
	int		 y, m, d, key;

	for (i = 0; i < sizeof(eras) / sizeof(eras[0]); i++) {
		len = strlen(eras[i].name);
		if (strncmp(s, eras[i].name, len) != 0)
			continue;
		p = s + len;
		if (strncmp(p, "元", strlen("元")) == 0) {
			y = 1;
			p += strlen("元");
		} else if ((y = digits(&p, 2)) < 1)
			return -1;
		if (len == 1) {
			if (*p++ != '.' || (m = digits(&p, 2)) < 0 ||
			    *p++ != '.' || (d = digits(&p, 2)) < 0 || *p != '\0')
				return -1;
		} else {
			if (strncmp(p, "年", strlen("年")) != 0)
				return -1;
			p += strlen("年");
			if ((m = digits(&p, 2)) < 0 ||
			    strncmp(p, "月", strlen("月")) != 0)
				return -1;
			p += strlen("月");
			if ((d = digits(&p, 2)) < 0 || strcmp(p, "日") != 0)
				return -1;
		}
		y += eras[i].offset;
		key = y * 10000 + m * 100 + d;
		if (!valid_ymd(y, m, d) || key < eras[i].first ||
		    key > eras[i].last)
			return -1;
		return key;
	}
	if (strlen(s) == 8 && strspn(s, "0123456789") == 8) {
		y = digits(&p, 4);
		m = digits(&p, 2);
		d = digits(&p, 2);
	} else {
		if ((y = digits(&p, 4)) < 0 || (*p != '-' && *p != '/'))
			return -1;
		p++;
		if ((m = digits(&p, 2)) < 0 || (*p != '-' && *p != '/'))
			return -1;
		p++;
		if ((d = digits(&p, 2)) < 0 || *p != '\0')
			return -1;
	}
	if (!valid_ymd(y, m, d))
		return -1;
	return y * 10000 + m * 100 + d;
}

/*
 * Kana as written -> full-width katakana without spaces: half-width
 * letters through the generator's own table, hiragana shifted.
 */
static void
norm_kana(const char *in, char *out, size_t len)
{
	const unsigned char	*u = (const unsigned char *)in;
	const char		*hw, *best;
	size_t			 n = 0, blen, k, hl;
	unsigned		 cp, bcp;

	while (*u != '\0') {
		if (*u == ' ') {
			u++;
			continue;
		}
		if (strncmp((const char *)u, "　", 3) == 0) {
			u += 3;
			continue;
		}
		/* Longest half-width match (ｶﾞ before ｶ). */
		best = NULL;
		blen = 0;
		bcp = 0;
		for (k = 0; k <= GEN_NAMES_HALFWIDTH_LAST -
		    GEN_NAMES_HALFWIDTH_FIRST; k++) {
			if ((hw = gen_names_halfwidth[k]) == NULL)
				continue;
			hl = strlen(hw);
			if (hl > blen && strncmp((const char *)u, hw, hl) == 0) {
				best = hw;
				blen = hl;
				bcp = GEN_NAMES_HALFWIDTH_FIRST + (unsigned)k;
			}
		}
		assert_true((*u & 0xf0) == 0xe0);
		if (best != NULL) {
			cp = bcp;
			u += blen;
		} else {
			cp = ((unsigned)(u[0] & 0x0f) << 12) |
			    ((unsigned)(u[1] & 0x3f) << 6) |
			    (unsigned)(u[2] & 0x3f);
			u += 3;
			if (cp >= 0x3041 && cp <= 0x3096)
				cp += 0x60;
		}
		/* Only katakana and the long vowel mark may remain. */
		assert_true(cp >= 0x30a1 && cp <= 0x30fc);
		assert_true(n + 3 < len);
		out[n++] = (char)(0xe0 | (cp >> 12));
		out[n++] = (char)(0x80 | ((cp >> 6) & 0x3f));
		out[n++] = (char)(0x80 | (cp & 0x3f));
	}
	out[n] = '\0';
}

static const char *
testdata(char *buf, size_t len, const char *name)
{
	const char	*dir;

	dir = getenv("HOTLINE_TESTDATA");
	if (dir == NULL || *dir == '\0')
		dir = "tests/data";
	assert_true((size_t)snprintf(buf, len, "%s/%s", dir, name) < len);
	return buf;
}

/* Writes content to a new temporary file whose path goes into path. */
static void
write_temp(char *path, size_t len, const char *content)
{
	int	 fd;
	FILE	*fp;

	assert_true((size_t)snprintf(path, len, "/tmp/test_gen.XXXXXX") < len);
	fd = mkstemp(path);
	assert_true(fd >= 0);
	fp = fdopen(fd, "w");
	assert_non_null(fp);
	assert_int_equal(fputs(content, fp) >= 0, 1);
	assert_int_equal(fclose(fp), 0);
}

static void
test_options_init(void **state)
{
	struct gen_options	 o;

	(void)state;
	memset(&o, 0xa5, sizeof(o));
	gen_options_init(&o);
	assert_int_equal(o.seed, 1);
	assert_int_equal(o.rows, 100000);
	assert_null(o.sizes_path);
	assert_int_equal(o.two_org_permille, 30);
	assert_int_equal(o.no_phone_permille, 20);
	assert_int_equal(o.unknown_permille, 100);
}

static void
test_deterministic(void **state)
{
	struct gen_options	 o;
	struct output		 a, b;
	char			 path[PATH_MAX];

	(void)state;
	gen_options_init(&o);
	o.rows = 3000;
	o.seed = 42;
	run_ok(&o, &a);
	run_ok(&o, &b);
	assert_true(a.affected_len > 0);
	assert_int_equal(a.affected_len, b.affected_len);
	assert_memory_equal(a.affected, b.affected, a.affected_len);
	assert_string_equal(a.orgs, b.orgs);
	assert_string_equal(a.sample, b.sample);
	output_free(&a);
	output_free(&b);

	o.sizes_path = testdata(path, sizeof(path), "orgs-incident-sizes.tsv");
	run_ok(&o, &a);
	run_ok(&o, &b);
	assert_int_equal(a.affected_len, b.affected_len);
	assert_memory_equal(a.affected, b.affected, a.affected_len);
	assert_string_equal(a.orgs, b.orgs);
	assert_string_equal(a.sample, b.sample);
	output_free(&a);
	output_free(&b);
}

static void
test_seed_changes_output(void **state)
{
	struct gen_options	 o;
	struct output		 a, b;

	(void)state;
	gen_options_init(&o);
	o.rows = 500;
	run_ok(&o, &a);
	o.seed = 2;
	run_ok(&o, &b);
	assert_true(a.affected_len != b.affected_len ||
	    memcmp(a.affected, b.affected, a.affected_len) != 0);
	assert_string_not_equal(a.sample, b.sample);
	output_free(&a);
	output_free(&b);
}

/* Checks that out holds exactly rows records and no embedded newline. */
static void
check_row_count(const struct output *out, unsigned long rows)
{
	const char	*p = out->affected;
	struct record	*r;
	unsigned long	 n = 0;

	assert_int_equal(count_char(out->affected, '\n'), rows + 1);
	assert_true(out->affected_len > 0);
	assert_int_equal(out->affected[out->affected_len - 1], '\n');
	r = malloc(sizeof(*r));
	assert_non_null(r);
	assert_true(parse_record(&p, r));	/* header */
	while (parse_record(&p, r)) {
		assert_false(r->quoted_newline);
		n++;
	}
	assert_int_equal(n, rows);
	free(r);
}

static void
test_row_counts(void **state)
{
	static const unsigned long sizes[] = { 0, 1, 2, 3, 17, 999, 4321 };
	struct gen_options	 o;
	struct output		 out;
	size_t			 i;

	(void)state;
	gen_options_init(&o);
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		o.rows = sizes[i];
		o.two_org_permille = 30;
		run_ok(&o, &out);
		check_row_count(&out, sizes[i]);
		output_free(&out);

		/* Everyone in two organisations: pairs must still add up. */
		o.two_org_permille = 1000;
		run_ok(&o, &out);
		check_row_count(&out, sizes[i]);
		output_free(&out);
	}
}

static void
test_headers(void **state)
{
	struct gen_options	 o;
	struct output		 out;

	(void)state;
	gen_options_init(&o);
	o.rows = 0;
	run_ok(&o, &out);
	assert_string_equal(out.affected, AFFECTED_HEADER "\n");
	assert_true(strncmp(out.orgs, ORGS_HEADER "\n",
	    strlen(ORGS_HEADER) + 1) == 0);
	assert_string_equal(out.sample, "");
	output_free(&out);

	o.rows = 10;
	run_ok(&o, &out);
	assert_true(strncmp(out.affected, AFFECTED_HEADER "\n",
	    strlen(AFFECTED_HEADER) + 1) == 0);
	output_free(&out);
}

/* Collects the organisation codes of an organisation list. */
static size_t
org_codes(const char *orgs, char codes[][40], size_t max)
{
	const char	*p = orgs;
	struct record	*r;
	size_t		 n = 0;

	r = malloc(sizeof(*r));
	assert_non_null(r);
	assert_true(parse_record(&p, r));
	while (parse_record(&p, r)) {
		assert_int_equal(r->nf, 15);
		assert_true(n < max);
		/* Every organisation has an English name, in ASCII. */
		assert_true(r->f[10][0] != '\0');
		for (const char *c = r->f[10]; *c != '\0'; c++)
			assert_true((unsigned char)*c < 0x80);
		assert_true(strlen(r->f[0]) < 40);
		strcpy(codes[n++], r->f[0]);
		/* kind */
		assert_true(strcmp(r->f[2], "municipality") == 0 ||
		    strcmp(r->f[2], "company") == 0 ||
		    strcmp(r->f[2], "agency") == 0);
		assert_true(r->f[1][0] != '\0');
	}
	free(r);
	return n;
}

static int
code_index(char codes[][40], size_t n, const char *code)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		if (strcmp(codes[i], code) == 0)
			return (int)i;
	return -1;
}

static void
test_fields(void **state)
{
	struct gen_options	 o;
	struct output		 out;
	struct record		*r;
	const char		*p;
	char			 codes[TEST_CODES][40];
	size_t			 ncodes, quoted = 0, odd_kana = 0, rows = 0;
	char			 kana[256];

	(void)state;
	gen_options_init(&o);
	o.rows = 20000;
	o.seed = 7;
	run_ok(&o, &out);
	assert_null(strchr(out.affected, '\r'));
	assert_false(strncmp(out.affected, "\xef\xbb\xbf", 3) == 0);
	ncodes = org_codes(out.orgs, codes, TEST_CODES);
	assert_int_equal(ncodes, 12);

	r = malloc(sizeof(*r));
	assert_non_null(r);
	p = out.affected;
	assert_true(parse_record(&p, r));
	assert_int_equal(r->nf, 10);
	while (parse_record(&p, r)) {
		rows++;
		assert_int_equal(r->nf, 10);
		if (r->f[0][0] != '\0')
			assert_true(code_index(codes, ncodes, r->f[0]) >= 0);
		quoted += r->quoted;
		assert_true(r->f[1][0] != '\0');
		assert_true(r->f[2][0] != '\0');
		assert_true(r->f[5][0] != '\0');
		norm_kana(r->f[2], kana, sizeof(kana));
		if (strcmp(kana, r->f[2]) != 0 &&
		    strchr(r->f[2], ' ') == NULL &&
		    strstr(r->f[2], "　") == NULL)
			odd_kana++;	/* hiragana or half-width */
		/* extra_items */
		assert_true(r->f[9][0] == '\0' ||
		    strcmp(r->f[9], "age") == 0 ||
		    strcmp(r->f[9], "card") == 0 ||
		    strcmp(r->f[9], "age;card") == 0);
		/* gender */
		assert_true(r->f[4][0] == '\0' ||
		    strcmp(r->f[4], "男") == 0 || strcmp(r->f[4], "女") == 0 ||
		    strcmp(r->f[4], "M") == 0 || strcmp(r->f[4], "F") == 0 ||
		    strcmp(r->f[4], "1") == 0 || strcmp(r->f[4], "2") == 0);
	}
	assert_int_equal(rows, 20000);
	/* The rare katagaki with a comma or quote must come out quoted. */
	assert_true(quoted > 0);
	assert_true(odd_kana > 0);
	free(r);
	output_free(&out);
}

/* Reads a sizes TSV (valid) into codes/sizes; returns the count. */
static size_t
read_sizes(const char *path, char codes[][40], unsigned long long *sizes,
    size_t max)
{
	FILE	*fp;
	char	 line[512], *tab;
	size_t	 n = 0;

	fp = fopen(path, "r");
	assert_non_null(fp);
	while (fgets(line, sizeof(line), fp) != NULL) {
		line[strcspn(line, "\r\n")] = '\0';
		if (line[0] == '#' || line[0] == '\0')
			continue;
		tab = strchr(line, '\t');
		assert_non_null(tab);
		*tab = '\0';
		assert_true(n < max);
		assert_true(strlen(line) < 40);
		strcpy(codes[n], line);
		sizes[n++] = strtoull(tab + 1, NULL, 10);
	}
	fclose(fp);
	return n;
}

static void
test_sizes_file(void **state)
{
	struct gen_options	 o;
	struct output		 out;
	struct record		*r;
	const char		*p;
	char			 path[PATH_MAX];
	char			 codes[TEST_CODES][40], ocodes[TEST_CODES][40];
	unsigned long long	 sizes[TEST_CODES], total = 0, exact;
	unsigned long		 counts[TEST_CODES] = { 0 }, sum = 0;
	size_t			 n, nocodes, i, j;
	int			 k, unknown = -1;

	(void)state;
	gen_options_init(&o);
	o.rows = 50000;
	o.sizes_path = testdata(path, sizeof(path), "orgs-incident-sizes.tsv");
	n = read_sizes(path, codes, sizes, TEST_CODES);
	assert_true(n > 2);
	for (i = 0; i < n; i++) {
		total += sizes[i];
		if (strcmp(codes[i], "unknown") == 0)
			unknown = (int)i;
	}
	assert_true(unknown >= 0);
	run_ok(&o, &out);

	/* The organisation list: every code but "unknown", in order. */
	nocodes = org_codes(out.orgs, ocodes, TEST_CODES);
	assert_int_equal(nocodes, n - 1);
	for (i = 0, j = 0; i < n; i++) {
		if ((int)i == unknown)
			continue;
		assert_string_equal(ocodes[j], codes[i]);
		j++;
	}

	r = malloc(sizeof(*r));
	assert_non_null(r);
	p = out.affected;
	assert_true(parse_record(&p, r));
	while (parse_record(&p, r)) {
		if (r->f[0][0] == '\0')
			k = unknown;
		else
			k = code_index(codes, n, r->f[0]);
		assert_true(k >= 0);
		/* "unknown" is the empty code, never written out. */
		assert_string_not_equal(r->f[0], "unknown");
		counts[k]++;
		sum++;
	}
	assert_int_equal(sum, o.rows);
	for (i = 0; i < n; i++) {
		/* |count - size * rows / total| < 1 */
		exact = sizes[i] * o.rows;
		if ((unsigned long long)counts[i] * total > exact)
			assert_true((unsigned long long)counts[i] * total -
			    exact < total);
		else
			assert_true(exact -
			    (unsigned long long)counts[i] * total < total);
	}
	free(r);
	output_free(&out);
}

struct sample_line {
	char	 kind[16];
	char	 phone[16];
	char	 date[16];
	char	 kana[256];
	char	 orgs[80];
};

/* Copies the next tab- or newline-ended column of *pp into buf. */
static void
column(const char **pp, char *buf, size_t len, char end)
{
	const char	*p = *pp;
	size_t		 n;

	n = strcspn(p, end == '\t' ? "\t\n" : "\n");
	assert_int_equal(p[n], end);
	assert_true(n < len);
	memcpy(buf, p, n);
	buf[n] = '\0';
	*pp = p + n + 1;
}

/* Splits the sample into its lines; returns how many. */
static size_t
parse_sample(const char *s, struct sample_line *lines, size_t max)
{
	size_t	 n = 0;

	while (*s != '\0') {
		assert_true(n < max);
		column(&s, lines[n].kind, sizeof(lines[n].kind), '\t');
		column(&s, lines[n].phone, sizeof(lines[n].phone), '\t');
		column(&s, lines[n].date, sizeof(lines[n].date), '\t');
		column(&s, lines[n].kana, sizeof(lines[n].kana), '\t');
		column(&s, lines[n].orgs, sizeof(lines[n].orgs), '\n');
		n++;
	}
	return n;
}

static void
test_sample(void **state)
{
	static const char *kinds[] = {
		"one-org", "two-org", "unknown-org", "no-phone",
	};
	struct gen_options	 o;
	struct output		 out;
	struct record		*r;
	struct sample_line	 sl[8];
	const char		*p;
	char			 phone[32], kana[256], date[16], orgs[80];
	char			*semi;
	size_t			 n, i;
	int			 hits[4] = { 0 }, d;
	char			 seen[4][80];

	(void)state;
	gen_options_init(&o);
	o.rows = 5000;
	run_ok(&o, &out);
	n = parse_sample(out.sample, sl, 8);
	assert_int_equal(n, 4);
	for (i = 0; i < 4; i++) {
		assert_string_equal(sl[i].kind, kinds[i]);
		assert_int_equal(strlen(sl[i].date), 10);
		norm_kana(sl[i].kana, kana, sizeof(kana));
		assert_string_equal(kana, sl[i].kana);
		seen[i][0] = '\0';
	}
	assert_int_equal(strlen(sl[0].phone) >= 10, 1);
	assert_null(strchr(sl[0].orgs, ';'));
	assert_string_not_equal(sl[0].orgs, "unknown");
	assert_non_null(strchr(sl[1].orgs, ';'));
	assert_string_equal(sl[2].orgs, "unknown");
	assert_string_equal(sl[3].phone, "");

	r = malloc(sizeof(*r));
	assert_non_null(r);
	p = out.affected;
	assert_true(parse_record(&p, r));
	while (parse_record(&p, r)) {
		norm_phone(r->f[3], phone, sizeof(phone));
		norm_kana(r->f[2], kana, sizeof(kana));
		d = norm_date(r->f[5]);
		assert_true(d > 0);
		snprintf(date, sizeof(date), "%04d-%02d-%02d", d / 10000,
		    d / 100 % 100, d % 100);
		for (i = 0; i < 4; i++) {
			if (strcmp(phone, sl[i].phone) != 0 ||
			    strcmp(date, sl[i].date) != 0)
				continue;
			if (i == 3 && strcmp(kana, sl[i].kana) != 0)
				continue;
			assert_string_equal(kana, sl[i].kana);
			hits[i]++;
			if (seen[i][0] != '\0')
				strcat(seen[i], ";");
			strcat(seen[i], r->f[0][0] == '\0' ? "unknown" : r->f[0]);
		}
	}
	assert_int_equal(hits[0], 1);
	assert_string_equal(seen[0], sl[0].orgs);
	/* Two rows, two different organisations, in the sample's order. */
	assert_int_equal(hits[1], 2);
	assert_string_equal(seen[1], sl[1].orgs);
	snprintf(orgs, sizeof(orgs), "%s", sl[1].orgs);
	semi = strchr(orgs, ';');
	assert_non_null(semi);
	*semi = '\0';
	assert_string_not_equal(orgs, semi + 1);
	assert_string_not_equal(orgs, "unknown");
	assert_string_not_equal(semi + 1, "unknown");
	assert_int_equal(hits[2], 1);
	assert_string_equal(seen[2], "unknown");
	assert_true(hits[3] >= 1);
	free(r);
	output_free(&out);
}

/* Small lists hold what exists, and nothing for an empty one. */
static void
test_sample_small(void **state)
{
	struct gen_options	 o;
	struct output		 out;
	struct sample_line	 sl[8];

	(void)state;
	gen_options_init(&o);
	o.rows = 1;
	o.no_phone_permille = 0;
	run_ok(&o, &out);
	assert_int_equal(parse_sample(out.sample, sl, 8), 1);
	assert_true(strcmp(sl[0].kind, "one-org") == 0 ||
	    strcmp(sl[0].kind, "unknown-org") == 0);
	output_free(&out);
}

static void
test_no_phone_rows(void **state)
{
	struct gen_options	 o;
	struct output		 out;
	struct record		*r;
	const char		*p;
	unsigned long		 empty = 0;

	(void)state;
	gen_options_init(&o);
	o.rows = 20000;
	o.no_phone_permille = 100;
	run_ok(&o, &out);
	r = malloc(sizeof(*r));
	assert_non_null(r);
	p = out.affected;
	assert_true(parse_record(&p, r));
	while (parse_record(&p, r)) {
		if (r->f[3][0] != '\0')
			continue;
		empty++;
		assert_true(r->f[2][0] != '\0');
		assert_true(norm_date(r->f[5]) > 0);
	}
	/* About 10% (binomial, 20000 rows: far more than 5 sigma apart). */
	assert_true(empty > 1400 && empty < 2600);
	output_free(&out);

	o.no_phone_permille = 0;
	run_ok(&o, &out);
	p = out.affected;
	assert_true(parse_record(&p, r));
	while (parse_record(&p, r))
		assert_true(r->f[3][0] != '\0');
	free(r);
	output_free(&out);
}

static void
test_birthdates(void **state)
{
	struct gen_options	 o;
	struct output		 out;
	struct record		*r;
	const char		*p;
	int			 d, iso = 0, slash = 0, era = 0;
	int			 lo = 99999999, hi = 0;

	(void)state;
	gen_options_init(&o);
	o.rows = 20000;
	o.seed = 3;
	run_ok(&o, &out);
	r = malloc(sizeof(*r));
	assert_non_null(r);
	p = out.affected;
	assert_true(parse_record(&p, r));
	while (parse_record(&p, r)) {
		d = norm_date(r->f[5]);
		if (d < 0)
			fail_msg("bad birthdate \"%s\"", r->f[5]);
		assert_true(d >= 19250101 && d <= 20051231);
		lo = d < lo ? d : lo;
		hi = d > hi ? d : hi;
		iso += strchr(r->f[5], '-') != NULL;
		slash += strchr(r->f[5], '/') != NULL;
		era += strstr(r->f[5], "年") != NULL;
	}
	/* Mostly ISO, some of each other form, spread over the range. */
	assert_true(iso > 20000 / 2);
	assert_true(slash > 0);
	assert_true(era > 0);
	assert_true(lo < 19300101 && hi > 20000101);
	free(r);
	output_free(&out);
}

/* Every phone is one person's: listed once, or twice by two orgs. */
static void
check_two_org_pairs(const struct output *out, unsigned long *pairs)
{
	struct entry {
		char	 phone[16];
		char	 org[40];
		char	 kana[128];
		int	 date;
	}		*e;
	struct record	*r;
	const char	*p;
	size_t		 n = 0, i, j, cap = 0;

	r = malloc(sizeof(*r));
	assert_non_null(r);
	p = out->affected;
	assert_true(parse_record(&p, r));
	e = NULL;
	while (parse_record(&p, r)) {
		if (r->f[3][0] == '\0')
			continue;
		if (n == cap) {
			cap = cap == 0 ? 1024 : cap * 2;
			e = realloc(e, cap * sizeof(*e));
			assert_non_null(e);
		}
		norm_phone(r->f[3], e[n].phone, sizeof(e[n].phone));
		assert_true(strlen(e[n].phone) == 10 ||
		    strlen(e[n].phone) == 11);
		assert_true(strlen(r->f[0]) < sizeof(e[n].org));
		strcpy(e[n].org, r->f[0]);
		norm_kana(r->f[2], e[n].kana, sizeof(e[n].kana));
		e[n].date = norm_date(r->f[5]);
		n++;
	}
	*pairs = 0;
	/* Quadratic, but on a few thousand rows. */
	for (i = 0; i < n; i++) {
		int	 same = 0;

		for (j = 0; j < n; j++) {
			if (j == i || strcmp(e[i].phone, e[j].phone) != 0)
				continue;
			same++;
			assert_string_not_equal(e[i].org, e[j].org);
			assert_true(e[i].org[0] != '\0' && e[j].org[0] != '\0');
			assert_string_equal(e[i].kana, e[j].kana);
			assert_int_equal(e[i].date, e[j].date);
		}
		assert_true(same <= 1);
		*pairs += (unsigned long)same;
	}
	*pairs /= 2;
	free(e);
	free(r);
}

static void
test_two_org(void **state)
{
	struct gen_options	 o;
	struct output		 out;
	unsigned long		 pairs;
	char			 path[PATH_MAX];

	(void)state;
	gen_options_init(&o);
	o.rows = 4000;
	o.two_org_permille = 100;
	run_ok(&o, &out);
	check_two_org_pairs(&out, &pairs);
	/* About 100 per 1000 people, 3600 people. */
	assert_true(pairs > 250 && pairs < 480);
	output_free(&out);

	/*
	 * Everyone listed twice: the pending ring fills up and drains, and
	 * only the last organisation's rows can be left for single people.
	 */
	o.two_org_permille = 1000;
	o.no_phone_permille = 0;
	o.unknown_permille = 0;
	run_ok(&o, &out);
	check_two_org_pairs(&out, &pairs);
	assert_true(pairs > 1850);
	output_free(&out);

	/* One real organisation: nobody can be in two. */
	write_temp(path, sizeof(path), "only\t10\nunknown\t1\n");
	o.sizes_path = path;
	run_ok(&o, &out);
	check_two_org_pairs(&out, &pairs);
	assert_int_equal(pairs, 0);
	check_row_count(&out, 4000);
	output_free(&out);
	unlink(path);
}

static void
test_sizes_kind_column(void **state)
{
	struct gen_options	 o;
	struct output		 out;
	char			 path[PATH_MAX];

	(void)state;
	gen_options_init(&o);
	o.rows = 100;
	write_temp(path, sizeof(path), "# comment\r\n\r\nshop\t3\tcompany\r\n"
	    "town-a\t1\r\nkokuho-x\t1\nzero\t0\tagency\n");
	o.sizes_path = path;
	run_ok(&o, &out);
	assert_non_null(strstr(out.orgs, "\nshop,架空商事株式会社（shop）,company,"));
	assert_non_null(strstr(out.orgs, "\ntown-a,架空市（town-a）,municipality,"));
	assert_non_null(strstr(out.orgs, "\nkokuho-x,"));
	assert_non_null(strstr(out.orgs, ",agency,"));
	assert_non_null(strstr(out.orgs, "\nzero,"));
	assert_null(strstr(out.affected, "\nzero,"));
	check_row_count(&out, 100);
	output_free(&out);
	unlink(path);
}

static void
test_bad_sizes(void **state)
{
	static const struct {
		const char	*content;
		int		 line;
	} cases[] = {
		{ "a\t1\nb\tx\n", 2 },
		{ "# c\n\nA\t1\n", 3 },
		{ "a\t1\na\t2\n", 2 },
		{ "a 1\n", 1 },
		{ "a\t1\tshop\n", 1 },
		{ "a\t1\tcompany\textra\n", 1 },
		{ "a\t99999999999\n", 1 },
		{ "a\t\n", 1 },
		{ "\t5\n", 1 },
		{ "a\t-1\n", 1 },
		{ "unknown\t1\nunknown\t2\n", 2 },
		{ "unknown\t1\tagency\n", 1 },
		{ "a\t1\nthis-code-is-much-longer-than-32-chars\t1\n", 2 },
		{ "a\t1\nb\t1\nc\t1\n"
		  "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
		  "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
		  "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
		  "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
		  "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
		  "\t1\n", 4 },
	};
	struct gen_options	 o;
	struct output		 out;
	char			 path[PATH_MAX], want[PATH_MAX + 32];
	char			*err;
	size_t			 i;

	(void)state;
	gen_options_init(&o);
	o.rows = 10;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		write_temp(path, sizeof(path), cases[i].content);
		o.sizes_path = path;
		err = NULL;
		assert_int_equal(run(&o, &out, &err), -1);
		assert_non_null(err);
		snprintf(want, sizeof(want), "%s:%d: ", path, cases[i].line);
		if (strncmp(err, want, strlen(want)) != 0)
			fail_msg("case %zu: \"%s\" does not start with \"%s\"",
			    i, err, want);
		assert_true(strlen(err) > strlen(want));
		/* Nothing is written when the sizes are bad. */
		assert_int_equal(out.affected_len, 0);
		assert_int_equal(out.orgs_len, 0);
		free(err);
		output_free(&out);
		unlink(path);
	}

	/* All sizes zero, and a missing file: named, no line. */
	write_temp(path, sizeof(path), "a\t0\nunknown\t0\n");
	o.sizes_path = path;
	err = NULL;
	assert_int_equal(run(&o, &out, &err), -1);
	assert_non_null(err);
	assert_true(strncmp(err, path, strlen(path)) == 0);
	free(err);
	output_free(&out);
	unlink(path);

	o.sizes_path = "/nonexistent/sizes.tsv";
	err = NULL;
	assert_int_equal(run(&o, &out, &err), -1);
	assert_non_null(err);
	assert_non_null(strstr(err, "/nonexistent/sizes.tsv"));
	free(err);
	output_free(&out);
}

static void
test_bad_options(void **state)
{
	struct gen_options	 o;
	struct output		 out;
	char			*err;

	(void)state;
	gen_options_init(&o);
	o.rows = 1000000000UL;
	err = NULL;
	assert_int_equal(run(&o, &out, &err), -1);
	assert_non_null(err);
	free(err);
	output_free(&out);

	gen_options_init(&o);
	o.two_org_permille = 1001;
	err = NULL;
	assert_int_equal(run(&o, &out, &err), -1);
	assert_non_null(err);
	free(err);
	output_free(&out);

	gen_options_init(&o);
	o.rows = 10;
	assert_int_equal(gen_write(&o, NULL, NULL, NULL, &err), -1);
	assert_non_null(err);
	free(err);
}

static void
test_write_error(void **state)
{
	struct gen_options	 o;
	FILE			*full, *aff;
	char			*err = NULL;

	(void)state;
	if ((full = fopen("/dev/full", "w")) == NULL) {
		skip();
		return;
	}
	gen_options_init(&o);
	o.rows = 20000;
	assert_int_equal(gen_write(&o, NULL, full, NULL, &err), -1);
	assert_non_null(err);
	assert_non_null(strstr(err, "affected list"));
	free(err);
	fclose(full);

	full = fopen("/dev/full", "w");
	assert_non_null(full);
	aff = tmpfile();
	assert_non_null(aff);
	err = NULL;
	assert_int_equal(gen_write(&o, full, aff, NULL, &err), -1);
	assert_non_null(err);
	assert_non_null(strstr(err, "organisation list"));
	free(err);
	fclose(full);
	fclose(aff);

	/* Orgs and sample may be NULL. */
	full = tmpfile();
	assert_non_null(full);
	o.rows = 10;
	err = NULL;
	assert_int_equal(gen_write(&o, NULL, full, NULL, &err), 0);
	assert_null(err);
	fclose(full);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_options_init),
		cmocka_unit_test(test_deterministic),
		cmocka_unit_test(test_seed_changes_output),
		cmocka_unit_test(test_row_counts),
		cmocka_unit_test(test_headers),
		cmocka_unit_test(test_fields),
		cmocka_unit_test(test_sizes_file),
		cmocka_unit_test(test_sample),
		cmocka_unit_test(test_sample_small),
		cmocka_unit_test(test_no_phone_rows),
		cmocka_unit_test(test_birthdates),
		cmocka_unit_test(test_two_org),
		cmocka_unit_test(test_sizes_kind_column),
		cmocka_unit_test(test_bad_sizes),
		cmocka_unit_test(test_bad_options),
		cmocka_unit_test(test_write_error),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
