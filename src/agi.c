/*
 * The AGI codec. Every rule here is res_agi.c's (docs/ASTERISK.md gives
 * the line of each): setup_env() writes the block one "key: value\n" at a
 * time and ends it with "\n"; each command is answered by one line, or by
 * "520-" usage lines ending in "520 End of proper usage."; a "HANGUP" line
 * comes between them when the caller hangs up; parse_args() splits a
 * command at spaces outside double quotes, with '\' escaping the next
 * character.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agi.h"

/* The keys kept, where each goes, and its bit in env->seen. */
static const struct {
	const char	*key;
	size_t		 off;
} env_keys[] = {
	{ "agi_request", offsetof(struct agi_env, request) },
	{ "agi_network_script", offsetof(struct agi_env, network_script) },
	{ "agi_channel", offsetof(struct agi_env, channel) },
	{ "agi_language", offsetof(struct agi_env, language) },
	{ "agi_uniqueid", offsetof(struct agi_env, uniqueid) },
	{ "agi_callerid", offsetof(struct agi_env, callerid) },
	{ "agi_dnid", offsetof(struct agi_env, dnid) },
	{ "agi_arg_1", offsetof(struct agi_env, arg1) },
};
#define NKEYS		(sizeof env_keys / sizeof env_keys[0])
#define SEEN_PRES	(1u << NKEYS)
#define SEEN_NETWORK	(1u << (NKEYS + 1))

static int	env_line(struct agi_env *, char *, size_t);
static int	is_key(const char *, size_t);
static int	parse_num(const char *, size_t, long *);
static int	parse_200(const char *, size_t, struct agi_reply *);
static int	valid_word(const char *, const char *);

void
agi_env_init(struct agi_env *e)
{
	memset(e, 0, sizeof *e);
	e->callingpres = -1;
}

/* Keys are what Asterisk names them: lower case, digits and '_'. */
static int
is_key(const char *s, size_t n)
{
	size_t	i;

	if (n == 0)
		return 0;
	for (i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' &&
		    s[i] <= '9') || s[i] == '_'))
			return 0;
	return 1;
}

/* A decimal number of the whole of s[0..n), with an optional '-'. */
static int
parse_num(const char *s, size_t n, long *out)
{
	size_t	i = 0;
	long	v = 0;
	int	neg = 0;

	if (n > 0 && s[0] == '-') {
		neg = 1;
		i = 1;
	}
	if (i == n || n - i > 18)
		return -1;
	for (; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*out = neg ? -v : v;
	return 0;
}

/* One line of the block, without its LF. 1: the block ended. */
static int
env_line(struct agi_env *e, char *line, size_t n)
{
	const char	*colon, *val;
	size_t		 klen, vlen, i;
	long		 pres;

	if (n > 0 && line[n - 1] == '\r')
		line[--n] = '\0';
	if (n == 0)
		return 1;
	if (++e->lines > AGI_ENV_LINES_MAX) {
		e->error = "too many lines in the environment block";
		return -1;
	}
	if ((colon = memchr(line, ':', n)) == NULL ||
	    !is_key(line, klen = (size_t)(colon - line))) {
		e->error = "not a \"key: value\" line";
		return -1;
	}
	/* "key: value"; Asterisk always writes the space, even before "". */
	val = colon + 1;
	if (*val == ' ')
		val++;
	vlen = n - (size_t)(val - line);
	for (i = 0; i < NKEYS; i++)
		if (strlen(env_keys[i].key) == klen &&
		    memcmp(env_keys[i].key, line, klen) == 0) {
			if (e->seen & (1u << i)) {
				e->error = "a key given twice";
				return -1;
			}
			if (vlen >= AGI_VALUE_MAX) {
				e->error = "a value too long";
				return -1;
			}
			memcpy((char *)e + env_keys[i].off, val, vlen);
			((char *)e + env_keys[i].off)[vlen] = '\0';
			e->seen |= 1u << i;
			return 0;
		}
	if (klen == strlen("agi_callingpres") &&
	    memcmp(line, "agi_callingpres", klen) == 0) {
		if ((e->seen & SEEN_PRES) ||
		    parse_num(val, vlen, &pres) == -1 || pres < 0 ||
		    pres > 255) {
			e->error = "agi_callingpres is not a presentation";
			return -1;
		}
		e->callingpres = (int)pres;
		e->seen |= SEEN_PRES;
	} else if (klen == strlen("agi_network") &&
	    memcmp(line, "agi_network", klen) == 0) {
		e->network = vlen == 3 && memcmp(val, "yes", 3) == 0;
		e->seen |= SEEN_NETWORK;
	}
	/* Any other key is normal: Asterisk adds keys over the years. */
	return 0;
}

enum agi_status
agi_env_feed(struct agi_env *e, const char *buf, size_t len, size_t *used)
{
	size_t	i;
	int	rc;

	*used = 0;
	if (e->done)
		return AGI_DONE;
	if (e->error != NULL)
		return AGI_ERROR;
	for (i = 0; i < len; i++) {
		if (buf[i] == '\0') {
			e->error = "a NUL byte in the environment block";
			*used = i + 1;
			return AGI_ERROR;
		}
		if (buf[i] != '\n') {
			if (e->linelen + 1 >= sizeof e->line) {
				e->error = "an environment line too long";
				*used = i + 1;
				return AGI_ERROR;
			}
			e->line[e->linelen++] = buf[i];
			continue;
		}
		e->line[e->linelen] = '\0';
		rc = env_line(e, e->line, e->linelen);
		e->linelen = 0;
		*used = i + 1;
		if (rc == -1)
			return AGI_ERROR;
		if (rc == 1) {
			e->done = 1;
			return AGI_DONE;
		}
	}
	*used = len;
	return AGI_MORE;
}

const char *
agi_env_caller(const struct agi_env *e)
{
	if (e->callerid[0] == '\0' || strcmp(e->callerid, "unknown") == 0)
		return NULL;
	if (e->callingpres >= 0 && (e->callingpres & AGI_PRES_RESTRICTION))
		return NULL;
	return e->callerid;
}

const char *
agi_script_param(const struct agi_env *e, const char *name, char *out,
    size_t len)
{
	const char	*q, *p, *end;
	size_t		 n, k = strlen(name);

	if (len == 0)
		return NULL;
	/* hotline?lang=en&x=1: the query of the script's name. */
	if ((q = strchr(e->network_script, '?')) == NULL)
		return NULL;
	for (p = q + 1; *p != '\0'; p = *end ? end + 1 : end) {
		if ((end = strchr(p, '&')) == NULL)
			end = p + strlen(p);
		if (strncmp(p, name, k) == 0 && p[k] == '=' && end > p + k + 1) {
			n = (size_t)(end - p - k - 1);
			if (n >= len)
				n = len - 1;
			memcpy(out, p + k + 1, n);
			out[n] = '\0';
			return out;
		}
	}
	return NULL;
}

const char *
agi_env_lang(const struct agi_env *e, char *out, size_t len)
{
	if (len == 0)
		return NULL;
	if (e->arg1[0] != '\0') {
		snprintf(out, len, "%s", e->arg1);
		return out;
	}
	if (agi_script_param(e, "lang", out, len) != NULL)
		return out;
	if (e->language[0] != '\0') {
		snprintf(out, len, "%s", e->language);
		return out;
	}
	return NULL;
}

void
agi_reply_init(struct agi_reply_state *s)
{
	memset(s, 0, sizeof *s);
}

/*
 * The rest of a 200 line: "result=X", then " (data)" and "endpos=N" in
 * any order (STREAM FILE: "200 result=0 endpos=8000", GET DATA: "200
 * result=123 (timeout)"). Other key=value words are let through.
 */
static int
parse_200(const char *s, size_t n, struct agi_reply *r)
{
	size_t	i = 0, start, k;
	const char *close;

	while (i < n) {
		if (s[i] == ' ') {
			i++;
			continue;
		}
		if (s[i] == '(') {
			if (r->has_data || (close = memchr(s + i, ')',
			    n - i)) == NULL)
				return -1;
			k = (size_t)(close - (s + i)) - 1;
			if (k >= sizeof r->data)
				return -1;
			memcpy(r->data, s + i + 1, k);
			r->data[k] = '\0';
			r->has_data = 1;
			i = (size_t)(close - s) + 1;
			continue;
		}
		start = i;
		while (i < n && s[i] != ' ')
			i++;
		if (i - start >= 7 && memcmp(s + start, "result=", 7) == 0) {
			k = i - start - 7;
			if (r->has_result || k >= sizeof r->result)
				return -1;
			memcpy(r->result, s + start + 7, k);
			r->result[k] = '\0';
			r->has_result = 1;
			r->result_is_num = parse_num(r->result, k,
			    &r->result_num) == 0;
		} else if (i - start >= 7 &&
		    memcmp(s + start, "endpos=", 7) == 0) {
			if (parse_num(s + start + 7, i - start - 7,
			    &r->endpos) == -1)
				return -1;
		} else if (memchr(s + start, '=', i - start) == NULL)
			return -1;
	}
	return r->has_result ? 0 : -1;
}

enum agi_status
agi_reply_line(struct agi_reply_state *st, const char *line, size_t n,
    struct agi_reply *r)
{
	static const char end_usage[] = "520 End of proper usage.";
	long	code;

	if (n > 0 && line[n - 1] == '\r')
		n--;
	if (n >= AGI_REPLY_LINE_MAX || memchr(line, '\0', n) != NULL)
		return AGI_ERROR;
	memset(r, 0, sizeof *r);
	r->endpos = -1;
	if (st->in_usage) {
		if (n == sizeof end_usage - 1 && memcmp(line, end_usage,
		    n) == 0) {
			st->in_usage = 0;
			st->usage_lines = 0;
			r->code = 520;
			return AGI_DONE;
		}
		/* The usage text itself: any line, but not forever. */
		return ++st->usage_lines > AGI_USAGE_LINES_MAX ? AGI_ERROR :
		    AGI_MORE;
	}
	if (n == 6 && memcmp(line, "HANGUP", 6) == 0)
		return AGI_HANGUP;
	if (n < 3 || parse_num(line, 3, &code) == -1 || code < 100 ||
	    (n > 3 && line[3] != ' ' && line[3] != '-'))
		return AGI_ERROR;
	r->code = (int)code;
	if (n > 3 && line[3] == '-') {
		/* "520-Invalid command syntax.  Proper usage follows:" */
		if (code != 520)
			return AGI_ERROR;
		st->in_usage = 1;
		st->usage_lines = 0;
		return AGI_MORE;
	}
	if (code == 200 && (n < 4 || parse_200(line + 4, n - 4, r) == -1))
		return AGI_ERROR;
	return AGI_DONE;
}

int
agi_quote(const char *in, char *out, size_t len)
{
	size_t	o = 0;
	unsigned char c;

	if (len < 3)
		return -1;
	out[o++] = '"';
	for (; *in != '\0'; in++) {
		c = (unsigned char)*in;
		/* This character (escaped or not), the closing quote, NUL. */
		if (o + (c == '"' || c == '\\' ? 2 : 1) + 2 > len)
			return -1;
		if (c == '"' || c == '\\')
			out[o++] = '\\';
		/* A CR or LF would end the command: a space is said instead. */
		out[o++] = c < 0x20 || c == 0x7f ? ' ' : (char)c;
	}
	out[o++] = '"';
	out[o] = '\0';
	return (int)o;
}

int
agi_app_escape(const char *in, char *out, size_t len)
{
	size_t	o = 0;

	if (len == 0)
		return -1;
	for (; *in != '\0'; in++) {
		if (o + (strchr(",\"\\()[]", *in) != NULL ? 2 : 1) + 1 > len)
			return -1;
		if (strchr(",\"\\()[]", *in) != NULL)
			out[o++] = '\\';
		out[o++] = *in;
	}
	out[o] = '\0';
	return (int)o;
}

/* A word hotline puts unquoted on a line: only chars of allowed. */
static int
valid_word(const char *s, const char *allowed)
{
	if (*s == '\0' || strlen(s) > 255)
		return 0;
	for (; *s != '\0'; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		    (*s >= '0' && *s <= '9') || strchr(allowed, *s) != NULL))
			return 0;
	return 1;
}

/* snprintf for a whole command line: -1 if it does not fit the bounds. */
static int
line_done(int n, size_t len)
{
	if (n < 0 || (size_t)n >= len || n > AGI_CMD_MAX)
		return -1;
	return n;
}

int
agi_cmd_answer(char *out, size_t len)
{
	return line_done(snprintf(out, len, "ANSWER\n"), len);
}

int
agi_cmd_hangup(char *out, size_t len)
{
	return line_done(snprintf(out, len, "HANGUP\n"), len);
}

int
agi_cmd_stream_file(char *out, size_t len, const char *sound,
    const char *escape)
{
	char	q[64];

	if (!valid_word(sound, "_/-") || strlen(escape) > 12 ||
	    (*escape != '\0' && !valid_word(escape, "*#")) ||
	    agi_quote(escape, q, sizeof q) == -1)
		return -1;
	return line_done(snprintf(out, len, "STREAM FILE %s %s\n", sound, q),
	    len);
}

int
agi_cmd_get_data(char *out, size_t len, const char *sound, int timeout_ms,
    int max_digits)
{
	if (!valid_word(sound, "_/-") || timeout_ms < 0 ||
	    timeout_ms > 600000 || max_digits < 1 || max_digits > 64)
		return -1;
	return line_done(snprintf(out, len, "GET DATA %s %d %d\n", sound,
	    timeout_ms, max_digits), len);
}

int
agi_cmd_set_variable(char *out, size_t len, const char *name,
    const char *value)
{
	char	*q;
	int	 n;

	if (!valid_word(name, "_") || (q = malloc(AGI_CMD_MAX)) == NULL)
		return -1;
	if (agi_quote(value, q, AGI_CMD_MAX) == -1) {
		free(q);
		return -1;
	}
	n = line_done(snprintf(out, len, "SET VARIABLE %s %s\n", name, q),
	    len);
	free(q);
	return n;
}

int
agi_cmd_exec(char *out, size_t len, const char *app, const char *const *args,
    size_t nargs)
{
	char	*data, *q;
	size_t	 i, o = 0;
	int	 n = -1, k;

	if (!valid_word(app, "_") || (data = malloc(AGI_CMD_MAX)) == NULL)
		return -1;
	if ((q = malloc(AGI_CMD_MAX)) == NULL) {
		free(data);
		return -1;
	}
	data[0] = '\0';
	for (i = 0; i < nargs; i++) {
		if (i > 0) {
			if (o + 2 > AGI_CMD_MAX)
				goto out;
			data[o++] = ',';
			data[o] = '\0';
		}
		if ((k = agi_app_escape(args[i], data + o, AGI_CMD_MAX - o)) ==
		    -1)
			goto out;
		o += (size_t)k;
	}
	if (agi_quote(data, q, AGI_CMD_MAX) == -1)
		goto out;
	n = line_done(snprintf(out, len, "EXEC %s %s\n", app, q), len);
out:
	free(data);
	free(q);
	return n;
}
