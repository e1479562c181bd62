/*
 * Deterministic synthetic affected lists (include/gen.h).
 *
 * Every person is derived from the seed and a person index alone, through
 * a splitmix64 stream keyed by both, so that a person can be re-derived at
 * any time instead of being remembered: a person listed by two
 * organisations gets the second row a few thousand rows later by
 * re-deriving it from the index kept in a small fixed ring. Memory stays
 * the same whether the list has a hundred rows or ten million.
 *
 * Organisations are drawn for each row from the rows each organisation
 * still has to receive (weighted by what is left, through a Fenwick tree),
 * so that the per-organisation counts come out exactly as scaled from the
 * weights and the total is exactly options.rows.
 *
 * Phones are unique per person by construction: the person index goes
 * through a keyed permutation (a Feistel network with cycle walking) of a
 * space of about 400 million numbers split among the kinds of numbers
 * (mobile, IP, fixed lines with 2- to 4-digit area codes).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gen.h"
#include "gen_names.h"
#include "log.h"

/*
 * Most rows: each person index must map to its own phone number, and the
 * phone space below holds 396 million; 100 million rows is ten times the
 * real incident and a file of about 14 GB.
 */
#define GEN_ROWS_MAX		100000000UL

/* Most organisations in a sizes file: contact phones are 0120-000-NNN. */
#define GEN_ORGS_MAX		1000

/* Longest organisation code (SPEC §4.1) and sizes-file line. */
#define GEN_CODE_MAX		32
#define GEN_TSV_LINE_MAX	256

/* Largest size in a sizes file; keeps size * rows within 64 bits. */
#define GEN_SIZE_MAX		1000000000ULL

/*
 * Second rows of two-organisation people waiting to be written, and how
 * many rows later at most they come; when the ring is full the oldest is
 * written at once.
 */
#define GEN_PENDING_MAX		1024
#define GEN_REPEAT_SPREAD	5000

/* Output buffer: the rows are written with one fwrite per megabyte. */
#define GEN_OUTBUF_SIZE		(1024 * 1024)

/* Longest field built; the tables keep every field far below it. */
#define GEN_FIELD_MAX		512

/* Birthdates are drawn uniformly from this range. */
#define GEN_BIRTH_FIRST_Y	1925
#define GEN_BIRTH_LAST_Y	2005

#define GEN_GOLDEN		0x9e3779b97f4a7c15ULL

/* Independent random streams, each keyed by (seed, stream, index). */
enum gen_stream {
	GEN_STREAM_PERSON = 1,	/* who a person is, by person index */
	GEN_STREAM_ROW,		/* how a row is written; +variant */
	GEN_STREAM_ROW2,
	GEN_STREAM_DRAW,	/* organisation draws, one sequence */
	GEN_STREAM_PHONE,	/* key of the phone permutation */
	GEN_STREAM_ORG,		/* made-up organisation records */
};

struct gen_rng {
	uint64_t	 s;
};

/*
 * A kind of phone number: its national prefix, its hyphen groups and how
 * many numbers of the kind the generator uses (spread evenly over the
 * subscriber numbers, so that 060 stays rarer than 090). Fixed-line local
 * numbers start with 2-9, as real ones do: 06-0xxx-xxxx would read as a
 * 060 mobile number.
 */
struct gen_phone_kind {
	const char	*prefix;
	unsigned char	 groups[3];
	int		 fixed;
	uint32_t	 range;
};

static const struct gen_phone_kind gen_phone_kinds[] = {
	{ "090", { 3, 4, 4 }, 0, 100000000 },
	{ "080", { 3, 4, 4 }, 0, 100000000 },
	{ "070", { 3, 4, 4 }, 0, 50000000 },
	{ "060", { 3, 4, 4 }, 0, 10000000 },
	{ "050", { 3, 4, 4 }, 0, 20000000 },
	{ "03", { 2, 4, 4 }, 1, 50000000 },
	{ "06", { 2, 4, 4 }, 1, 25000000 },
	{ "011", { 3, 3, 4 }, 1, 5000000 },
	{ "022", { 3, 3, 4 }, 1, 5000000 },
	{ "045", { 3, 3, 4 }, 1, 5000000 },
	{ "052", { 3, 3, 4 }, 1, 5000000 },
	{ "075", { 3, 3, 4 }, 1, 5000000 },
	{ "082", { 3, 3, 4 }, 1, 5000000 },
	{ "092", { 3, 3, 4 }, 1, 5000000 },
	{ "0466", { 4, 2, 4 }, 1, 800000 },
	{ "0422", { 4, 2, 4 }, 1, 800000 },
	{ "0276", { 4, 2, 4 }, 1, 800000 },
	{ "0595", { 4, 2, 4 }, 1, 800000 },
	{ "0857", { 4, 2, 4 }, 1, 800000 },
	{ "0982", { 4, 2, 4 }, 1, 800000 },
	{ "0138", { 4, 2, 4 }, 1, 800000 },
	{ "0268", { 4, 2, 4 }, 1, 800000 },
};
#define GEN_NPHONE_KINDS \
	(sizeof(gen_phone_kinds) / sizeof(gen_phone_kinds[0]))

/* The permutation works on 30 bits; the phone space must fit in them. */
#define GEN_PHONE_BITS		30

struct gen_person {
	unsigned long			 index;
	const struct gen_names_name	*sur;
	const struct gen_names_name	*given;
	int				 female;
	int				 two_org;
	int				 no_phone;
	char				 phone[12];	/* national digits */
	unsigned char			 groups[3];
	int				 year, month, day;
	int				 has_address;
	unsigned			 pref, city, town;
	int				 banchi;	/* 12番地3, no 丁目 */
	unsigned			 a, b, c;
	const char			*building;	/* NULL: no 方書 */
	unsigned			 room;
	int				 room_form;
	char				 postal[8];
};

/* An organisation (or, last in the array, the unknown-source group). */
struct gen_org {
	char				 code[GEN_CODE_MAX + 1];
	const char			*kind;
	const struct gen_names_org	*builtin;	/* NULL: made up */
	uint64_t			 weight;
	uint64_t			 left;		/* rows still to draw */
};

struct gen_pending {
	unsigned long	 index;
	unsigned long	 due;		/* row number to write it at */
	uint32_t	 org;
};

struct gen_sample {
	int		 set;
	char		 phone[12];
	char		 date[11];
	char		 kana[128];
	char		 orgs[2 * GEN_CODE_MAX + 2];
};

enum gen_kind {
	GEN_KIND_ONE_ORG = 0,
	GEN_KIND_TWO_ORG,
	GEN_KIND_UNKNOWN_ORG,
	GEN_KIND_NO_PHONE,
	GEN_NKINDS,
};

static const char *const gen_kind_names[GEN_NKINDS] = {
	"one-org", "two-org", "unknown-org", "no-phone",
};

/* Buffered output to one stream; the first failure is remembered. */
struct gen_out {
	FILE		*fp;
	char		*buf;
	size_t		 len;
	int		 error;		/* errno of the first failure, or 0 */
};

/* A field being built. */
struct gen_str {
	char		 b[GEN_FIELD_MAX];
	size_t		 n;
};

struct gen_state {
	const struct gen_options *opt;
	struct gen_org		*orgs;		/* norgs real ones + unknown */
	size_t			 norgs;
	uint64_t		*tree;		/* Fenwick tree of org.left */
	size_t			 treesize;	/* norgs + 1 */
	size_t			 treetop;	/* highest power of 2 <= size */
	uint64_t		 real_left;	/* rows left for real orgs */
	uint64_t		 all_left;
	struct gen_rng		 draw;
	uint64_t		 phone_key;
	uint32_t		 phone_space;
	long			 birth_first;	/* days since 1970-01-01 */
	uint32_t		 birth_days;
	struct gen_pending	 pending[GEN_PENDING_MAX];
	size_t			 phead, pcount;
	struct gen_out		 out;
	struct gen_sample	 sample[GEN_NKINDS];
};

static void	gen_seterr(char **, const char *, ...)
		    __attribute__((format(printf, 2, 3)));

/* Sets *err (when the caller wants it) to a malloc'd message. */
static void
gen_seterr(char **err, const char *fmt, ...)
{
	va_list	 ap;

	if (err == NULL)
		return;
	va_start(ap, fmt);
	if (vasprintf(err, fmt, ap) == -1)
		*err = NULL;
	va_end(ap);
}

void
gen_options_init(struct gen_options *o)
{
	memset(o, 0, sizeof *o);
	o->seed = 1;
	o->rows = 100000;
	o->sizes_path = NULL;
	o->two_org_permille = 30;
	o->no_phone_permille = 20;
	o->unknown_permille = 100;
}

/* The splitmix64 finalizer: a bijective 64-bit mix. */
static uint64_t
gen_mix(uint64_t z)
{
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/*
 * Starts the stream for (seed, stream, index); the index is hashed so that
 * neighbouring indexes do not get overlapping splitmix64 sequences.
 */
static void
gen_rng_init(struct gen_rng *r, uint64_t seed, uint64_t stream, uint64_t index)
{
	r->s = gen_mix(gen_mix(seed + stream * GEN_GOLDEN) ^
	    gen_mix(index + GEN_GOLDEN));
}

static uint64_t
gen_next(struct gen_rng *r)
{
	r->s += GEN_GOLDEN;
	return gen_mix(r->s);
}

/* A number in [0, n), n > 0; the bias of the multiply is below 2^-32. */
static uint32_t
gen_below(struct gen_rng *r, uint32_t n)
{
	return (uint32_t)(((gen_next(r) >> 32) * (uint64_t)n) >> 32);
}

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant). */
static long
gen_days_from_civil(int y, int m, int d)
{
	long		 era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

/* The inverse of gen_days_from_civil. */
static void
gen_civil_from_days(long z, int *y, int *m, int *d)
{
	long		 era, doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)(yoe + era * 400 + (*m <= 2));
}

/*
 * A keyed permutation of [0, n): a 4-round Feistel network on 30 bits,
 * applied again while the result falls outside (cycle walking), which
 * keeps it a bijection on [0, n).
 */
static uint32_t
gen_permute(uint64_t key, uint32_t x, uint32_t n)
{
	uint32_t	 l, r, t;
	int		 i;

	do {
		l = x >> (GEN_PHONE_BITS / 2);
		r = x & ((1U << (GEN_PHONE_BITS / 2)) - 1);
		for (i = 0; i < 4; i++) {
			t = r;
			r = l ^ (uint32_t)(gen_mix((key + (uint64_t)i *
			    GEN_GOLDEN) ^ t) & ((1U << (GEN_PHONE_BITS / 2)) - 1));
			l = t;
		}
		x = (l << (GEN_PHONE_BITS / 2)) | r;
	} while (x >= n);
	return x;
}

static void
gen_str_add(struct gen_str *s, const char *p, size_t n)
{
	if (n > sizeof(s->b) - 1 - s->n)
		n = sizeof(s->b) - 1 - s->n;
	memcpy(s->b + s->n, p, n);
	s->n += n;
	s->b[s->n] = '\0';
}

static void
gen_str_adds(struct gen_str *s, const char *p)
{
	gen_str_add(s, p, strlen(p));
}

/* Appends v in decimal, zero-padded to width digits. */
static void
gen_str_uint(struct gen_str *s, unsigned long v, int width)
{
	char	 tmp[24];
	int	 n = 0;

	do {
		tmp[sizeof(tmp) - 1 - n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0 || n < width);
	gen_str_add(s, tmp + sizeof(tmp) - n, (size_t)n);
}

/* Appends ASCII text with its digits and '-' made full-width. */
static void
gen_str_fullwidth(struct gen_str *s, const char *p)
{
	char	 fw[3];

	for (; *p != '\0'; p++) {
		if (*p >= '0' && *p <= '9') {
			fw[0] = (char)0xef;
			fw[1] = (char)0xbc;
			fw[2] = (char)(0x90 + (*p - '0'));
			gen_str_add(s, fw, 3);
		} else if (*p == '-')
			gen_str_add(s, "－", strlen("－"));
		else
			gen_str_add(s, p, 1);
	}
}

enum gen_kana_form {
	GEN_KANA_KATAKANA = 0,
	GEN_KANA_HIRAGANA,
	GEN_KANA_HALFWIDTH,
};

/* Appends full-width katakana in the given form (hiragana, half-width). */
static void
gen_str_kana(struct gen_str *s, const char *p, enum gen_kana_form form)
{
	const unsigned char	*u = (const unsigned char *)p;
	const char		*hw;
	unsigned		 cp;
	char			 enc[3];

	if (form == GEN_KANA_KATAKANA) {
		gen_str_adds(s, p);
		return;
	}
	while (*u != '\0') {
		/* The tables hold only 3-byte characters; copy anything else. */
		if ((u[0] & 0xf0) != 0xe0 || u[1] == '\0' || u[2] == '\0') {
			gen_str_add(s, (const char *)u, 1);
			u++;
			continue;
		}
		cp = ((unsigned)(u[0] & 0x0f) << 12) |
		    ((unsigned)(u[1] & 0x3f) << 6) | (unsigned)(u[2] & 0x3f);
		if (form == GEN_KANA_HIRAGANA && cp >= 0x30a1 && cp <= 0x30f6) {
			cp -= 0x60;
			enc[0] = (char)(0xe0 | (cp >> 12));
			enc[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
			enc[2] = (char)(0x80 | (cp & 0x3f));
			gen_str_add(s, enc, 3);
		} else if (form == GEN_KANA_HALFWIDTH &&
		    cp >= GEN_NAMES_HALFWIDTH_FIRST &&
		    cp <= GEN_NAMES_HALFWIDTH_LAST &&
		    (hw = gen_names_halfwidth[cp -
		    GEN_NAMES_HALFWIDTH_FIRST]) != NULL)
			gen_str_adds(s, hw);
		else
			gen_str_add(s, (const char *)u, 3);
		u += 3;
	}
}

/* Writes out what is buffered; after a failure, nothing more is written. */
static void
gen_out_flush(struct gen_out *o)
{
	if (o->error == 0 && o->len > 0 &&
	    fwrite(o->buf, 1, o->len, o->fp) != o->len)
		o->error = errno != 0 ? errno : EIO;
	o->len = 0;
}

static void
gen_out_put(struct gen_out *o, const char *p, size_t n)
{
	if (n > GEN_OUTBUF_SIZE - o->len) {
		gen_out_flush(o);
		if (n > GEN_OUTBUF_SIZE)
			n = GEN_OUTBUF_SIZE;
	}
	memcpy(o->buf + o->len, p, n);
	o->len += n;
}

static void
gen_out_puts(struct gen_out *o, const char *p)
{
	gen_out_put(o, p, strlen(p));
}

/* Writes one CSV field, quoted only if it holds a comma, quote or newline. */
static void
gen_out_field(struct gen_out *o, const char *p, size_t n)
{
	size_t		 i, start;

	for (i = 0; i < n; i++) {
		if (p[i] == ',' || p[i] == '"' || p[i] == '\n' || p[i] == '\r')
			break;
	}
	if (i == n) {
		gen_out_put(o, p, n);
		return;
	}
	gen_out_put(o, "\"", 1);
	start = 0;
	for (i = 0; i < n; i++) {
		if (p[i] != '"')
			continue;
		gen_out_put(o, p + start, i + 1 - start);	/* with the quote */
		gen_out_put(o, "\"", 1);
		start = i + 1;
	}
	gen_out_put(o, p + start, n - start);
	gen_out_put(o, "\"", 1);
}

static void
gen_out_fields(struct gen_out *o, const char *p)
{
	gen_out_field(o, p, strlen(p));
}

/*
 * How many subscriber numbers a kind of phone number has, and the first
 * one (fixed-line local numbers do not start with 0 or 1).
 */
static uint64_t
gen_phone_space(const struct gen_phone_kind *k, uint64_t *first, int *digits)
{
	uint64_t	 space = 1;
	int		 i;

	*digits = k->groups[0] + k->groups[1] + k->groups[2] -
	    (int)strlen(k->prefix);
	for (i = 0; i < *digits; i++)
		space *= 10;
	*first = k->fixed ? space / 10 * 2 : 0;
	return space - *first;
}

/* Which kind, national digits and hyphen groups the n-th phone number has. */
static void
gen_phone(const struct gen_state *g, struct gen_rng *r, unsigned long index,
    struct gen_person *p)
{
	const struct gen_phone_kind	*k = NULL;
	uint32_t			 x, stride;
	uint64_t			 first, sub;
	size_t				 i;
	int				 digits;
	struct gen_str			 s;

	x = gen_permute(g->phone_key, (uint32_t)index, g->phone_space);
	for (i = 0; i < GEN_NPHONE_KINDS; i++) {
		k = &gen_phone_kinds[i];
		if (x < k->range)
			break;
		x -= k->range;
	}
	stride = (uint32_t)(gen_phone_space(k, &first, &digits) / k->range);
	sub = first + (uint64_t)x * stride + gen_below(r, stride);
	s.n = 0;
	gen_str_adds(&s, k->prefix);
	gen_str_uint(&s, (unsigned long)sub, digits);
	memcpy(p->phone, s.b, s.n + 1);
	memcpy(p->groups, k->groups, sizeof(p->groups));
}

/* Derives everything about person index that does not vary between rows. */
static void
gen_person(const struct gen_state *g, unsigned long index, struct gen_person *p)
{
	const struct gen_options	*opt = g->opt;
	struct gen_rng			 r;
	uint32_t			 pc;
	struct gen_str			 s;

	gen_rng_init(&r, opt->seed, GEN_STREAM_PERSON, index);
	p->index = index;
	p->female = (int)gen_below(&r, 2);
	p->sur = &gen_names_surnames[gen_below(&r,
	    (uint32_t)gen_names_nsurnames)];
	if (p->female)
		p->given = &gen_names_female[gen_below(&r,
		    (uint32_t)gen_names_nfemale)];
	else
		p->given = &gen_names_male[gen_below(&r,
		    (uint32_t)gen_names_nmale)];
	p->two_org = gen_below(&r, 1000) < opt->two_org_permille;
	p->no_phone = gen_below(&r, 1000) < opt->no_phone_permille;
	gen_phone(g, &r, index, p);
	gen_civil_from_days(g->birth_first + gen_below(&r, g->birth_days),
	    &p->year, &p->month, &p->day);

	p->has_address = gen_below(&r, 100) >= 2;
	p->pref = gen_below(&r, (uint32_t)gen_names_nprefs);
	p->city = gen_below(&r, (uint32_t)gen_names_ncities);
	p->town = gen_below(&r, (uint32_t)gen_names_ntowns);
	p->banchi = gen_below(&r, 100) < 5;
	if (p->banchi) {
		p->a = 1 + gen_below(&r, 999);
		p->b = 1 + gen_below(&r, 20);
		p->c = 0;
	} else {
		p->a = 1 + gen_below(&r, 9);
		p->b = 1 + gen_below(&r, 30);
		p->c = 1 + gen_below(&r, 30);
	}
	if (gen_below(&r, 100) < 15) {
		if (gen_below(&r, 100) == 0)
			p->building = gen_names_odd_buildings[gen_below(&r,
			    (uint32_t)gen_names_nodd_buildings)];
		else
			p->building = gen_names_buildings[gen_below(&r,
			    (uint32_t)gen_names_nbuildings)];
		p->room = (1 + gen_below(&r, 9)) * 100 + 1 + gen_below(&r, 12);
		p->room_form = (int)gen_below(&r, 100);
	} else {
		p->building = NULL;
		p->room = 0;
		p->room_form = 0;
	}
	pc = 1000000 + gen_below(&r, 9000000);
	s.n = 0;
	gen_str_uint(&s, pc, 7);
	memcpy(p->postal, s.b, sizeof(p->postal));
}

/* The era (SPEC §5 boundaries) of a date after 1912-07-29. */
static void
gen_era(int y, int m, int d, const char **name, char *abbr, int *ey)
{
	int	 key = y * 10000 + m * 100 + d;

	if (key <= 19261224) {
		*name = "大正";
		*abbr = 'T';
		*ey = y - 1911;
	} else if (key <= 19890107) {
		*name = "昭和";
		*abbr = 'S';
		*ey = y - 1925;
	} else if (key <= 20190430) {
		*name = "平成";
		*abbr = 'H';
		*ey = y - 1988;
	} else {
		*name = "令和";
		*abbr = 'R';
		*ey = y - 2018;
	}
}

/* The birthdate in one of the forms lists use. */
static void
gen_birthdate(const struct gen_person *p, struct gen_rng *r, struct gen_str *s)
{
	const char	*era;
	char		 abbr;
	int		 ey;
	uint32_t	 f = gen_below(r, 100);

	gen_era(p->year, p->month, p->day, &era, &abbr, &ey);
	if (f < 70) {
		gen_str_uint(s, (unsigned long)p->year, 4);
		gen_str_add(s, "-", 1);
		gen_str_uint(s, (unsigned long)p->month, 2);
		gen_str_add(s, "-", 1);
		gen_str_uint(s, (unsigned long)p->day, 2);
	} else if (f < 82) {
		gen_str_uint(s, (unsigned long)p->year, 4);
		gen_str_add(s, "/", 1);
		gen_str_uint(s, (unsigned long)p->month, 1);
		gen_str_add(s, "/", 1);
		gen_str_uint(s, (unsigned long)p->day, 1);
	} else if (f < 85) {
		gen_str_uint(s, (unsigned long)p->year, 4);
		gen_str_uint(s, (unsigned long)p->month, 2);
		gen_str_uint(s, (unsigned long)p->day, 2);
	} else if (f < 95 || abbr == 'T') {
		gen_str_adds(s, era);
		if (ey == 1)
			gen_str_adds(s, "元");
		else
			gen_str_uint(s, (unsigned long)ey, 1);
		gen_str_adds(s, "年");
		gen_str_uint(s, (unsigned long)p->month, 1);
		gen_str_adds(s, "月");
		gen_str_uint(s, (unsigned long)p->day, 1);
		gen_str_adds(s, "日");
	} else {
		gen_str_add(s, &abbr, 1);
		gen_str_uint(s, (unsigned long)ey, 1);
		gen_str_add(s, ".", 1);
		gen_str_uint(s, (unsigned long)p->month, 1);
		gen_str_add(s, ".", 1);
		gen_str_uint(s, (unsigned long)p->day, 1);
	}
}

/* The phone number in one of the forms lists use. */
static void
gen_phone_text(const struct gen_person *p, struct gen_rng *r,
    struct gen_str *s)
{
	const char	*d = p->phone;
	int		 g0 = p->groups[0], g1 = p->groups[1], g2 = p->groups[2];
	uint32_t	 f = gen_below(r, 100);
	struct gen_str	 t;

	if (f < 70 || (f >= 82 && f < 86)) {
		t.n = 0;
		gen_str_add(&t, d, (size_t)g0);
		gen_str_add(&t, "-", 1);
		gen_str_add(&t, d + g0, (size_t)g1);
		gen_str_add(&t, "-", 1);
		gen_str_add(&t, d + g0 + g1, (size_t)g2);
		if (f < 70)
			gen_str_add(s, t.b, t.n);
		else
			gen_str_fullwidth(s, t.b);
	} else if (f < 82)
		gen_str_adds(s, d);
	else if (f < 90) {
		gen_str_adds(s, "+81 ");
		gen_str_add(s, d + 1, (size_t)g0 - 1);
		gen_str_add(s, "-", 1);
		gen_str_add(s, d + g0, (size_t)g1);
		gen_str_add(s, "-", 1);
		gen_str_add(s, d + g0 + g1, (size_t)g2);
	} else if (f < 95) {
		gen_str_add(s, "(", 1);
		gen_str_add(s, d, (size_t)g0);
		gen_str_add(s, ")", 1);
		gen_str_add(s, d + g0, (size_t)g1);
		gen_str_add(s, "-", 1);
		gen_str_add(s, d + g0 + g1, (size_t)g2);
	} else {
		gen_str_add(s, d, (size_t)g0);
		gen_str_add(s, " ", 1);
		gen_str_add(s, d + g0, (size_t)g1);
		gen_str_add(s, " ", 1);
		gen_str_add(s, d + g0 + g1, (size_t)g2);
	}
}

/* The address in one of the equivalent ways of writing it. */
static void
gen_address(const struct gen_person *p, struct gen_rng *r, struct gen_str *s)
{
	uint32_t	 f = gen_below(r, 100);
	struct gen_str	 t;

	gen_str_adds(s, gen_names_prefs[p->pref]);
	gen_str_adds(s, gen_names_cities[p->city]);
	gen_str_adds(s, gen_names_towns[p->town]);
	if (p->banchi) {
		gen_str_uint(s, p->a, 1);
		gen_str_adds(s, f < 70 ? "番地" : "-");
		gen_str_uint(s, p->b, 1);
		return;
	}
	t.n = 0;
	if (f < 90 || f >= 95)
		gen_str_uint(&t, p->a, 1);
	else
		gen_str_adds(&t, gen_names_kanji_digits[p->a]);
	if (f < 50 || f >= 90) {
		gen_str_adds(&t, "丁目");
		gen_str_uint(&t, p->b, 1);
		gen_str_adds(&t, "番");
		gen_str_uint(&t, p->c, 1);
		gen_str_adds(&t, "号");
	} else if (f < 80) {
		gen_str_add(&t, "-", 1);
		gen_str_uint(&t, p->b, 1);
		gen_str_add(&t, "-", 1);
		gen_str_uint(&t, p->c, 1);
	} else {
		gen_str_adds(&t, "丁目");
		gen_str_uint(&t, p->b, 1);
		gen_str_add(&t, "-", 1);
		gen_str_uint(&t, p->c, 1);
	}
	if (f >= 95)
		gen_str_fullwidth(s, t.b);
	else
		gen_str_add(s, t.b, t.n);
}

/*
 * Writes one row of person p for organisation org (the last slot: none);
 * variant 0 is the first row, 1 the second row of a two-organisation
 * person, which may be written differently.
 */
static void
gen_row(struct gen_state *g, const struct gen_person *p, size_t org,
    int variant)
{
	struct gen_out	*o = &g->out;
	struct gen_rng	 r;
	struct gen_str	 s;
	enum gen_kana_form form;
	uint32_t	 f;
	const char	*sep;

	gen_rng_init(&r, g->opt->seed, GEN_STREAM_ROW + (uint64_t)variant,
	    p->index);

	if (org < g->norgs)
		gen_out_fields(o, g->orgs[org].code);
	gen_out_put(o, ",", 1);

	s.n = 0;
	f = gen_below(&r, 100);
	sep = f < 70 ? " " : f < 90 ? "　" : "";
	gen_str_adds(&s, p->sur->kanji);
	gen_str_adds(&s, sep);
	gen_str_adds(&s, p->given->kanji);
	gen_out_field(o, s.b, s.n);
	gen_out_put(o, ",", 1);

	s.n = 0;
	f = gen_below(&r, 1000);
	form = f < 25 ? GEN_KANA_HALFWIDTH : f < 50 ? GEN_KANA_HIRAGANA :
	    GEN_KANA_KATAKANA;
	f = gen_below(&r, 100);
	if (form == GEN_KANA_HALFWIDTH)
		sep = f < 50 ? " " : "";
	else
		sep = f < 35 ? " " : f < 50 ? "　" : "";
	gen_str_kana(&s, p->sur->kana, form);
	gen_str_adds(&s, sep);
	gen_str_kana(&s, p->given->kana, form);
	gen_out_field(o, s.b, s.n);
	gen_out_put(o, ",", 1);

	if (!p->no_phone) {
		s.n = 0;
		gen_phone_text(p, &r, &s);
		gen_out_field(o, s.b, s.n);
	}
	gen_out_put(o, ",", 1);

	f = gen_below(&r, 100);
	if (f < 80)
		gen_out_puts(o, p->female ? "女" : "男");
	else if (f < 86)
		gen_out_puts(o, p->female ? "F" : "M");
	else if (f < 92)
		gen_out_puts(o, p->female ? "2" : "1");
	gen_out_put(o, ",", 1);

	s.n = 0;
	gen_birthdate(p, &r, &s);
	gen_out_field(o, s.b, s.n);
	gen_out_put(o, ",", 1);

	f = gen_below(&r, 100);
	if (p->has_address) {
		s.n = 0;
		if (f < 85 || f >= 97) {
			gen_str_add(&s, p->postal, 3);
			gen_str_add(&s, "-", 1);
			gen_str_add(&s, p->postal + 3, 4);
			if (f >= 97) {
				struct gen_str	 t = s;

				s.n = 0;
				gen_str_fullwidth(&s, t.b);
			}
		} else if (f < 93)
			gen_str_add(&s, p->postal, 7);
		else {
			gen_str_adds(&s, "〒");
			gen_str_add(&s, p->postal, 3);
			gen_str_add(&s, "-", 1);
			gen_str_add(&s, p->postal + 3, 4);
		}
		gen_out_field(o, s.b, s.n);
	}
	gen_out_put(o, ",", 1);

	if (p->has_address) {
		s.n = 0;
		gen_address(p, &r, &s);
		gen_out_field(o, s.b, s.n);
	}
	gen_out_put(o, ",", 1);

	if (p->building != NULL) {
		s.n = 0;
		gen_str_adds(&s, p->building);
		if (p->room_form < 60) {
			gen_str_uint(&s, p->room, 1);
			gen_str_adds(&s, "号室");
		} else {
			gen_str_adds(&s, p->room_form < 85 ? " " : "-");
			gen_str_uint(&s, p->room, 1);
		}
		gen_out_field(o, s.b, s.n);
	}
	gen_out_put(o, ",", 1);

	f = gen_below(&r, 10000);
	if (f < 10)
		gen_out_puts(o, "card");
	else if (f < 30)
		gen_out_puts(o, "age;card");
	else if (f < 1230)
		gen_out_puts(o, "age");
	gen_out_put(o, "\n", 1);
}

static void
gen_tree_add(struct gen_state *g, size_t i, uint64_t delta)
{
	for (i++; i <= g->treesize; i += i & (~i + 1))
		g->tree[i - 1] += delta;
}

/* The slot whose cumulative range of rows left holds u (u < the total). */
static size_t
gen_tree_find(const struct gen_state *g, uint64_t u)
{
	size_t	 pos = 0, step;

	for (step = g->treetop; step > 0; step >>= 1) {
		if (pos + step <= g->treesize && g->tree[pos + step - 1] <= u) {
			pos += step;
			u -= g->tree[pos - 1];
		}
	}
	return pos;
}

/* Takes one row from slot i. */
static void
gen_take(struct gen_state *g, size_t i)
{
	g->orgs[i].left--;
	gen_tree_add(g, i, (uint64_t)-1);
	g->all_left--;
	if (i < g->norgs)
		g->real_left--;
}

/*
 * Draws the organisations of a new person: a real first and a second one
 * different from it for a two-organisation person, when rows and
 * organisations allow; otherwise one slot among all, unknown included.
 * Returns how many rows the person gets.
 */
static int
gen_draw(struct gen_state *g, int two_org, size_t *a, size_t *b)
{
	uint64_t	 la;

	if (two_org && g->all_left >= 2 && g->real_left >= 2) {
		*a = gen_tree_find(g, gen_next(&g->draw) % g->real_left);
		gen_take(g, *a);
		la = g->orgs[*a].left;
		if (g->real_left > la) {
			gen_tree_add(g, *a, (uint64_t)0 - la);
			*b = gen_tree_find(g,
			    gen_next(&g->draw) % (g->real_left - la));
			gen_tree_add(g, *a, la);
			gen_take(g, *b);
			return 2;
		}
		return 1;
	}
	*a = gen_tree_find(g, gen_next(&g->draw) % g->all_left);
	gen_take(g, *a);
	return 1;
}

/* Records the person as the sample of its kind if it is the first one. */
static void
gen_note_sample(struct gen_state *g, const struct gen_person *p, size_t a,
    size_t b, int nrows)
{
	struct gen_sample	*sm;
	enum gen_kind		 kind;
	struct gen_str		 s;

	if (p->no_phone)
		kind = GEN_KIND_NO_PHONE;
	else if (nrows == 2)
		kind = GEN_KIND_TWO_ORG;
	else if (a == g->norgs)
		kind = GEN_KIND_UNKNOWN_ORG;
	else
		kind = GEN_KIND_ONE_ORG;
	sm = &g->sample[kind];
	if (sm->set)
		return;
	sm->set = 1;
	memcpy(sm->phone, p->no_phone ? "" : p->phone,
	    p->no_phone ? 1 : strlen(p->phone) + 1);
	s.n = 0;
	gen_str_uint(&s, (unsigned long)p->year, 4);
	gen_str_add(&s, "-", 1);
	gen_str_uint(&s, (unsigned long)p->month, 2);
	gen_str_add(&s, "-", 1);
	gen_str_uint(&s, (unsigned long)p->day, 2);
	memcpy(sm->date, s.b, sizeof(sm->date));
	snprintf(sm->kana, sizeof(sm->kana), "%s%s", p->sur->kana,
	    p->given->kana);
	snprintf(sm->orgs, sizeof(sm->orgs), "%s%s%s",
	    a == g->norgs ? "unknown" : g->orgs[a].code,
	    nrows == 2 ? ";" : "", nrows == 2 ? g->orgs[b].code : "");
}

/* Writes every row of the affected list; O(1) memory in the row count. */
static void
gen_rows(struct gen_state *g)
{
	unsigned long		 rows = g->opt->rows, written = 0, next = 0;
	struct gen_person	 p;
	struct gen_pending	*pe;
	size_t			 a, b = 0;
	int			 n;

	gen_out_puts(&g->out, "org_code,name,kana,phone,gender,birthdate,"
	    "postal_code,address,katagaki,extra_items\n");
	while (written < rows && g->out.error == 0) {
		pe = &g->pending[g->phead];
		if (g->pcount > 0 && (pe->due <= written || g->all_left == 0 ||
		    g->pcount == GEN_PENDING_MAX)) {
			gen_person(g, pe->index, &p);
			gen_row(g, &p, pe->org, 1);
			g->phead = (g->phead + 1) % GEN_PENDING_MAX;
			g->pcount--;
			written++;
			continue;
		}
		gen_person(g, next, &p);
		n = gen_draw(g, p.two_org, &a, &b);
		gen_note_sample(g, &p, a, b, n);
		gen_row(g, &p, a, 0);
		written++;
		if (n == 2) {
			pe = &g->pending[(g->phead + g->pcount) %
			    GEN_PENDING_MAX];
			pe->index = next;
			pe->org = (uint32_t)b;
			pe->due = written + 1 +
			    gen_below(&g->draw, GEN_REPEAT_SPREAD);
			g->pcount++;
		}
		next++;
	}
	gen_out_flush(&g->out);
}

/*
 * A made-up organisation's kind from its code when the sizes file gives
 * none (a third column does): most organisations of the incident were
 * local governments, so that is the default.
 */
static const char *
gen_guess_kind(const char *code)
{
	if (strstr(code, "kokuho") != NULL || strstr(code, "agency") != NULL)
		return "agency";
	if (strstr(code, "corp") != NULL || strstr(code, "-inc") != NULL ||
	    strstr(code, "-kk") != NULL)
		return "company";
	return "municipality";
}

/* Checks an organisation code against SPEC §4.1: [a-z0-9_-]{1,32}. */
static int
gen_valid_code(const char *s, size_t n)
{
	size_t	 i;

	if (n == 0 || n > GEN_CODE_MAX)
		return 0;
	for (i = 0; i < n; i++) {
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= '0' && s[i] <= '9') || s[i] == '_' || s[i] == '-'))
			return 0;
	}
	return 1;
}

/* Adds slot (code, kind, weight) unless the code is already there. */
static int
gen_add_org(struct gen_state *g, const char *code, size_t n, const char *kind,
    uint64_t weight)
{
	struct gen_org	*o;
	size_t		 i;

	for (i = 0; i < g->norgs; i++) {
		if (strlen(g->orgs[i].code) == n &&
		    memcmp(g->orgs[i].code, code, n) == 0)
			return -1;
	}
	o = &g->orgs[g->norgs++];
	memcpy(o->code, code, n);
	o->code[n] = '\0';
	o->kind = kind;
	o->builtin = NULL;
	o->weight = weight;
	return 0;
}

/* Parses one non-comment sizes line; returns a reason or NULL. */
static const char *
gen_sizes_line(struct gen_state *g, char *line, int *seen_unknown)
{
	struct gen_org	*unknown = &g->orgs[GEN_ORGS_MAX];
	char		*code, *size, *kind, *end;
	const char	*k;
	uint64_t	 v;

	code = line;
	if ((size = strchr(code, '\t')) == NULL)
		return "expected code<TAB>size";
	*size++ = '\0';
	if ((kind = strchr(size, '\t')) != NULL) {
		*kind++ = '\0';
		if (strchr(kind, '\t') != NULL)
			return "too many fields";
		if (strcmp(kind, "municipality") != 0 &&
		    strcmp(kind, "company") != 0 && strcmp(kind, "agency") != 0)
			return "kind must be municipality, company or agency";
	}
	if (!gen_valid_code(code, strlen(code)))
		return "organisation code must be 1-32 of [a-z0-9_-]";
	if (*size == '\0')
		return "size must be a whole number";
	v = 0;
	for (end = size; *end != '\0'; end++) {
		if (*end < '0' || *end > '9')
			return "size must be a whole number";
		v = v * 10 + (uint64_t)(*end - '0');
		if (v > GEN_SIZE_MAX)
			return "size too large";
	}
	if (strcmp(code, "unknown") == 0) {
		if (*seen_unknown)
			return "duplicate code";
		if (kind != NULL)
			return "the unknown group has no kind";
		*seen_unknown = 1;
		unknown->weight = v;
		return NULL;
	}
	if (g->norgs == GEN_ORGS_MAX)
		return "too many organisations";
	/* The kind points at a string literal, not into the line buffer. */
	if (kind == NULL)
		k = gen_guess_kind(code);
	else if (strcmp(kind, "company") == 0)
		k = "company";
	else if (strcmp(kind, "agency") == 0)
		k = "agency";
	else
		k = "municipality";
	if (gen_add_org(g, code, strlen(code), k, v) == -1)
		return "duplicate code";
	return NULL;
}

/* Reads the sizes TSV into g->orgs, unknown group last. */
static int
gen_read_sizes(struct gen_state *g, const char *path, char **err)
{
	FILE		*fp;
	char		 line[GEN_TSV_LINE_MAX + 2];
	unsigned long	 lineno = 0;
	const char	*why;
	size_t		 n;
	int		 seen_unknown = 0;

	if ((fp = fopen(path, "r")) == NULL) {
		gen_seterr(err, "%s: %s", path, strerror(errno));
		return -1;
	}
	g->orgs[GEN_ORGS_MAX].weight = 0;
	while (fgets(line, sizeof(line), fp) != NULL) {
		lineno++;
		n = strlen(line);
		if (n > 0 && line[n - 1] == '\n')
			line[--n] = '\0';
		else if (!feof(fp)) {
			gen_seterr(err, "%s:%lu: line too long", path, lineno);
			fclose(fp);
			return -1;
		}
		if (n > 0 && line[n - 1] == '\r')
			line[--n] = '\0';
		if (n == 0 || line[0] == '#')
			continue;
		if ((why = gen_sizes_line(g, line, &seen_unknown)) != NULL) {
			gen_seterr(err, "%s:%lu: %s", path, lineno, why);
			fclose(fp);
			return -1;
		}
	}
	if (ferror(fp)) {
		gen_seterr(err, "%s: %s", path, strerror(errno));
		fclose(fp);
		return -1;
	}
	fclose(fp);
	/* Move the unknown group right after the real organisations. */
	g->orgs[g->norgs] = g->orgs[GEN_ORGS_MAX];
	if (g->opt->rows > 0 && g->orgs[g->norgs].weight == 0) {
		for (n = 0; n < g->norgs; n++)
			if (g->orgs[n].weight > 0)
				break;
		if (n == g->norgs) {
			gen_seterr(err, "%s: no organisation has a size above 0",
			    path);
			return -1;
		}
	}
	return 0;
}

/* The built-in organisations with the unknown group at unknown_permille. */
static void
gen_builtin_orgs(struct gen_state *g)
{
	const struct gen_names_org	*b;
	uint64_t			 total = 0;
	size_t				 i;

	for (i = 0; i < gen_names_norgs; i++)
		total += gen_names_orgs[i].weight;
	for (i = 0; i < gen_names_norgs; i++) {
		b = &gen_names_orgs[i];
		gen_add_org(g, b->code, strlen(b->code), b->kind,
		    (uint64_t)b->weight * (1000 - g->opt->unknown_permille));
		g->orgs[i].builtin = b;
	}
	g->orgs[g->norgs].weight = total * g->opt->unknown_permille;
}

struct gen_remainder {
	uint64_t	 rem;
	size_t		 slot;
};

static int
gen_remainder_cmp(const void *a, const void *b)
{
	const struct gen_remainder *x = a, *y = b;

	if (x->rem != y->rem)
		return x->rem > y->rem ? -1 : 1;
	return x->slot < y->slot ? -1 : x->slot > y->slot;
}

/*
 * Splits rows among the slots in proportion to their weights by the
 * largest-remainder method, so that each count is within 1 of its exact
 * share and the counts add up to rows.
 */
static int
gen_scale(struct gen_state *g)
{
	struct gen_remainder	*r;
	uint64_t		 total = 0, given = 0, rows = g->opt->rows;
	size_t			 i, n = g->norgs + 1;

	for (i = 0; i < n; i++)
		total += g->orgs[i].weight;
	for (i = 0; i < n; i++)
		g->orgs[i].left = 0;
	if (rows == 0 || total == 0)
		return 0;
	if ((r = calloc(n, sizeof(*r))) == NULL)
		return -1;
	for (i = 0; i < n; i++) {
		/* weight <= 10^12 and rows <= 10^8: no overflow. */
		g->orgs[i].left = g->orgs[i].weight * rows / total;
		given += g->orgs[i].left;
		r[i].rem = g->orgs[i].weight * rows % total;
		r[i].slot = i;
	}
	qsort(r, n, sizeof(*r), gen_remainder_cmp);
	for (i = 0; given < rows; i++, given++)
		g->orgs[r[i].slot].left++;
	free(r);
	return 0;
}

/* Writes one organisation row (SPEC §4.1), made up when not built in. */
static void
gen_org_row(struct gen_state *g, size_t i)
{
	const struct gen_org		*o = &g->orgs[i];
	const struct gen_names_org	*b = o->builtin;
	struct gen_out			*out = &g->out;
	struct gen_rng			 r;
	struct gen_str			 name, s, name_en;
	const char			*fmt, *fmt_en;
	long				 from, to;
	uint32_t			 service, hours, note;
	int				 y, m, d;

	if (b != NULL) {
		const char *f[] = { b->code, b->name, b->kind, b->service,
		    b->period_from, b->period_to, b->contact_name,
		    b->contact_phone, b->contact_hours, b->status_note,
		    b->name_en, b->service_en, b->contact_name_en,
		    b->contact_hours_en, b->status_note_en };
		size_t	 k;

		for (k = 0; k < sizeof(f) / sizeof(f[0]); k++) {
			if (k > 0)
				gen_out_put(out, ",", 1);
			gen_out_fields(out, f[k]);
		}
		gen_out_put(out, "\n", 1);
		return;
	}
	gen_rng_init(&r, g->opt->seed, GEN_STREAM_ORG, i);
	if (strcmp(o->kind, "company") == 0) {
		fmt = "架空商事株式会社";
		fmt_en = "Fictional Trading Co. Ltd.";
	} else if (strcmp(o->kind, "agency") == 0) {
		fmt = "架空広域連合";
		fmt_en = "Fictional Regional Union";
	} else if (strstr(o->code, "pref") != NULL) {
		fmt = "架空県";
		fmt_en = "Fictional Prefecture";
	} else {
		fmt = "架空市";
		fmt_en = "Fictional City";
	}
	name.n = 0;
	gen_str_adds(&name, fmt);
	gen_str_adds(&name, "（");
	gen_str_adds(&name, o->code);
	gen_str_adds(&name, "）");
	name_en.n = 0;
	gen_str_adds(&name_en, fmt_en);
	gen_str_adds(&name_en, " ");
	gen_str_adds(&name_en, o->code);

	gen_out_fields(out, o->code);
	gen_out_put(out, ",", 1);
	gen_out_field(out, name.b, name.n);
	gen_out_put(out, ",", 1);
	gen_out_fields(out, o->kind);
	gen_out_put(out, ",", 1);
	service = gen_below(&r, (uint32_t)gen_names_nservices);
	gen_out_fields(out, gen_names_services[service]);
	gen_out_put(out, ",", 1);
	if (gen_below(&r, 100) >= 25) {
		from = gen_days_from_civil(2013, 4, 1) + gen_below(&r, 1826);
		to = from + 180 + gen_below(&r, 1320);
		s.n = 0;
		gen_civil_from_days(from, &y, &m, &d);
		gen_str_uint(&s, (unsigned long)y, 4);
		gen_str_add(&s, "-", 1);
		gen_str_uint(&s, (unsigned long)m, 2);
		gen_str_add(&s, "-", 1);
		gen_str_uint(&s, (unsigned long)d, 2);
		gen_str_add(&s, ",", 1);
		gen_civil_from_days(to, &y, &m, &d);
		gen_str_uint(&s, (unsigned long)y, 4);
		gen_str_add(&s, "-", 1);
		gen_str_uint(&s, (unsigned long)m, 2);
		gen_str_add(&s, "-", 1);
		gen_str_uint(&s, (unsigned long)d, 2);
		gen_out_put(out, s.b, s.n);
	} else
		gen_out_put(out, ",", 1);
	gen_out_put(out, ",", 1);
	gen_str_adds(&name, " 担当窓口");
	gen_out_field(out, name.b, name.n);
	gen_out_put(out, ",", 1);
	s.n = 0;
	gen_str_adds(&s, "0120-000-");
	gen_str_uint(&s, (unsigned long)i, 3);
	gen_out_put(out, s.b, s.n);
	gen_out_put(out, ",", 1);
	hours = gen_below(&r, (uint32_t)gen_names_nhours);
	gen_out_fields(out, gen_names_hours[hours]);
	gen_out_put(out, ",", 1);
	note = gen_below(&r, (uint32_t)gen_names_nnotes);
	gen_out_fields(out, gen_names_notes[note]);
	/* The English columns: name, service, contact, hours, note. */
	gen_out_put(out, ",", 1);
	gen_out_field(out, name_en.b, name_en.n);
	gen_out_put(out, ",", 1);
	gen_out_fields(out, gen_names_services_en[service]);
	gen_out_put(out, ",", 1);
	gen_str_adds(&name_en, " desk");
	gen_out_field(out, name_en.b, name_en.n);
	gen_out_put(out, ",", 1);
	gen_out_fields(out, gen_names_hours_en[hours]);
	gen_out_put(out, ",", 1);
	gen_out_fields(out, gen_names_notes_en[note]);
	gen_out_put(out, "\n", 1);
}

/* Writes the organisation list. */
static void
gen_orgs(struct gen_state *g)
{
	size_t	 i;

	gen_out_puts(&g->out, "code,name,kind,service,period_from,period_to,"
	    "contact_name,contact_phone,contact_hours,status_note,name_en,"
	    "service_en,contact_name_en,contact_hours_en,status_note_en\n");
	for (i = 0; i < g->norgs; i++)
		gen_org_row(g, i);
	gen_out_flush(&g->out);
}

/* Flushes fp and reports a write error on it (what is "orgs list" etc.). */
static int
gen_finish(FILE *fp, int error, const char *what, char **err)
{
	if (error == 0 && fflush(fp) != 0)
		error = errno != 0 ? errno : EIO;
	if (error == 0 && ferror(fp))
		error = EIO;
	if (error != 0) {
		gen_seterr(err, "gen: writing the %s: %s", what,
		    strerror(error));
		return -1;
	}
	return 0;
}

/* Checks the options before anything is written. */
static int
gen_check(const struct gen_options *opt, FILE *affected, char **err)
{
	if (affected == NULL) {
		gen_seterr(err, "gen: no stream for the affected list");
		return -1;
	}
	if (opt->rows > GEN_ROWS_MAX) {
		gen_seterr(err, "gen: at most %lu rows", GEN_ROWS_MAX);
		return -1;
	}
	if (opt->two_org_permille > 1000 || opt->no_phone_permille > 1000 ||
	    opt->unknown_permille > 1000) {
		gen_seterr(err, "gen: a permille must be at most 1000");
		return -1;
	}
	return 0;
}

/* Sets up everything gen_rows needs: sizes, tree, phone and date spaces. */
static int
gen_setup(struct gen_state *g, char **err)
{
	const struct gen_phone_kind	*k;
	uint64_t			 first;
	size_t				 i;
	int				 digits;

	g->orgs = calloc(GEN_ORGS_MAX + 1, sizeof(*g->orgs));
	g->out.buf = malloc(GEN_OUTBUF_SIZE);
	if (g->orgs == NULL || g->out.buf == NULL) {
		gen_seterr(err, "gen: out of memory");
		return -1;
	}
	if (g->opt->sizes_path != NULL) {
		if (gen_read_sizes(g, g->opt->sizes_path, err) == -1)
			return -1;
	} else
		gen_builtin_orgs(g);
	memcpy(g->orgs[g->norgs].code, "unknown", sizeof("unknown"));
	g->orgs[g->norgs].kind = NULL;
	g->orgs[g->norgs].builtin = NULL;

	g->treesize = g->norgs + 1;
	g->tree = calloc(g->treesize, sizeof(*g->tree));
	if (g->tree == NULL || gen_scale(g) == -1) {
		gen_seterr(err, "gen: out of memory");
		return -1;
	}
	for (g->treetop = 1; g->treetop * 2 <= g->treesize; g->treetop *= 2)
		;
	g->all_left = g->real_left = 0;
	for (i = 0; i < g->treesize; i++) {
		gen_tree_add(g, i, g->orgs[i].left);
		g->all_left += g->orgs[i].left;
		if (i < g->norgs)
			g->real_left += g->orgs[i].left;
	}

	gen_rng_init(&g->draw, g->opt->seed, GEN_STREAM_DRAW, 0);
	g->phone_key = gen_mix(g->opt->seed ^ (GEN_STREAM_PHONE * GEN_GOLDEN));
	g->phone_space = 0;
	for (i = 0; i < GEN_NPHONE_KINDS; i++) {
		k = &gen_phone_kinds[i];
		if (gen_phone_space(k, &first, &digits) < k->range)
			fatalx("gen: phone kind %s: range too large", k->prefix);
		g->phone_space += k->range;
	}
	if (g->phone_space < GEN_ROWS_MAX ||
	    g->phone_space > (1U << GEN_PHONE_BITS))
		fatalx("gen: phone space does not fit the row limit");
	g->birth_first = gen_days_from_civil(GEN_BIRTH_FIRST_Y, 1, 1);
	g->birth_days = (uint32_t)(gen_days_from_civil(GEN_BIRTH_LAST_Y,
	    12, 31) - g->birth_first + 1);
	return 0;
}

/* Writes the first person of each kind, in kind order. */
static void
gen_samples(const struct gen_state *g, FILE *fp)
{
	const struct gen_sample	*sm;
	int			 k;

	for (k = 0; k < GEN_NKINDS; k++) {
		sm = &g->sample[k];
		if (!sm->set)
			continue;
		fprintf(fp, "%s\t%s\t%s\t%s\t%s\n", gen_kind_names[k],
		    sm->phone, sm->date, sm->kana, sm->orgs);
	}
}

int
gen_write(const struct gen_options *opt, FILE *orgs, FILE *affected,
    FILE *sample, char **err)
{
	struct gen_state	*g;
	int			 rc = -1;

	if (err != NULL)
		*err = NULL;
	if (gen_check(opt, affected, err) == -1)
		return -1;
	/* The state holds the pending ring: keep it off the stack. */
	if ((g = calloc(1, sizeof(*g))) == NULL) {
		gen_seterr(err, "gen: out of memory");
		return -1;
	}
	g->opt = opt;
	if (gen_setup(g, err) == -1)
		goto done;

	if (orgs != NULL) {
		g->out.fp = orgs;
		gen_orgs(g);
		if (gen_finish(orgs, g->out.error, "organisation list",
		    err) == -1)
			goto done;
	}
	g->out.fp = affected;
	g->out.error = 0;
	gen_rows(g);
	if (gen_finish(affected, g->out.error, "affected list", err) == -1)
		goto done;
	if (sample != NULL) {
		gen_samples(g, sample);
		if (gen_finish(sample, 0, "sample", err) == -1)
			goto done;
	}
	rc = 0;
done:
	free(g->tree);
	free(g->orgs);
	free(g->out.buf);
	free(g);
	return rc;
}
