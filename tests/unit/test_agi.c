/*
 * agi.c, table-driven: the environment block as res_agi.c writes it
 * (whole, byte by byte, with and without agi_network_script, empty
 * values, withheld callers) and as a hostile peer might (long lines, NUL,
 * no colon, a key twice, too many lines); every response shape; and the
 * quoting of command arguments, checked against a copy of res_agi.c's
 * own parse_args() and app.c's argument splitter.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "agi.h"

/* What Asterisk 20's setup_env() sends for AGI(agi://h/hotline?lang=en). */
static const char env_full[] =
    "agi_network: yes\n"
    "agi_network_script: hotline?lang=en\n"
    "agi_request: agi://127.0.0.1:4573/hotline?lang=en\n"
    "agi_channel: PJSIP/trunk-00000001\n"
    "agi_language: ja\n"
    "agi_type: PJSIP\n"
    "agi_uniqueid: 1700000000.1\n"
    "agi_version: 20.5.0\n"
    "agi_callerid: 0312345678\n"
    "agi_calleridname: unknown\n"
    "agi_callingpres: 0\n"
    "agi_callingani2: 0\n"
    "agi_callington: 0\n"
    "agi_callingtns: 0\n"
    "agi_dnid: 0120000555\n"
    "agi_rdnis: unknown\n"
    "agi_context: hotline\n"
    "agi_extension: s\n"
    "agi_priority: 2\n"
    "agi_enhanced: 0.0\n"
    "agi_accountcode: \n"
    "agi_threadid: 140000000000000\n"
    "\n"
    "200 result=0\n";

static void
test_env_whole_and_byte_by_byte(void **state)
{
	struct agi_env	e;
	size_t		used, i, total;
	char		lang[16];
	enum agi_status	st = AGI_MORE;

	(void)state;
	agi_env_init(&e);
	assert_int_equal(agi_env_feed(&e, env_full, sizeof env_full - 1,
	    &used), AGI_DONE);
	/* What follows the block is left for the reader of responses. */
	assert_string_equal(env_full + used, "200 result=0\n");
	assert_true(e.network);
	assert_string_equal(e.network_script, "hotline?lang=en");
	assert_string_equal(e.callerid, "0312345678");
	assert_string_equal(e.dnid, "0120000555");
	assert_string_equal(e.channel, "PJSIP/trunk-00000001");
	assert_int_equal(e.callingpres, 0);
	assert_string_equal(agi_env_caller(&e), "0312345678");
	/* ?lang= of the script before the channel's language. */
	assert_string_equal(agi_env_lang(&e, lang, sizeof lang), "en");
	assert_string_equal(agi_script_param(&e, "lang", lang, sizeof lang),
	    "en");
	assert_null(agi_script_param(&e, "lan", lang, sizeof lang));
	assert_null(agi_script_param(&e, "x", lang, sizeof lang));
	snprintf(e.network_script, sizeof e.network_script,
	    "hotline?langx=1&lang=ja&y=");
	assert_string_equal(agi_script_param(&e, "lang", lang, sizeof lang),
	    "ja");
	assert_null(agi_script_param(&e, "y", lang, sizeof lang));
	assert_string_equal(agi_script_param(&e, "langx", lang, 1), "");
	/* The same block a byte per write. */
	agi_env_init(&e);
	for (i = 0, total = 0; i < sizeof env_full - 1 && st == AGI_MORE; i++) {
		st = agi_env_feed(&e, env_full + i, 1, &used);
		total += used;
	}
	assert_int_equal(st, AGI_DONE);
	assert_string_equal(env_full + total, "200 result=0\n");
	assert_string_equal(e.callerid, "0312345678");
	/* After the end, the parser takes nothing more. */
	assert_int_equal(agi_env_feed(&e, "x\n", 2, &used), AGI_DONE);
	assert_int_equal(used, 0);
}

/* One table row: a block, and what hotline makes of it. */
static const struct {
	const char	*block;
	enum agi_status	 status;
	const char	*caller;	/* NULL: withheld */
	const char	*lang;		/* NULL: none given */
	const char	*error;		/* part of env.error */
} env_cases[] = {
	/* Without agi_network_script (AGI(agi://host)): agi_language. */
	{ "agi_network: yes\nagi_language: en\nagi_callerid: 09011112222\n"
	  "agi_callingpres: 1\n\n", AGI_DONE, "09011112222", "en", NULL },
	/* agi_arg_1 (AGI(agi://h/hotline,ja)) first of all. */
	{ "agi_network_script: hotline?lang=en\nagi_arg_1: ja\n"
	  "agi_language: en\n\n", AGI_DONE, NULL, "ja", NULL },
	{ "agi_network_script: hotline?x=1&lang=ja&y=2\n\n", AGI_DONE, NULL,
	  "ja", NULL },
	{ "agi_network_script: hotline?lang=\nagi_language: \n\n", AGI_DONE,
	  NULL, NULL, NULL },
	/* Withheld: unknown, empty, or a restriction bit of the presentation. */
	{ "agi_callerid: unknown\nagi_callingpres: 0\n\n", AGI_DONE, NULL, NULL,
	  NULL },
	{ "agi_callerid: \n\n", AGI_DONE, NULL, NULL, NULL },
	{ "agi_callerid: 0312345678\nagi_callingpres: 32\n\n", AGI_DONE, NULL,
	  NULL, NULL },
	{ "agi_callerid: 0312345678\nagi_callingpres: 67\n\n", AGI_DONE, NULL,
	  NULL, NULL },
	{ "agi_callerid: 0312345678\nagi_callingpres: 3\n\n", AGI_DONE,
	  "0312345678", NULL, NULL },
	/* Empty values, unknown keys and CRLF are normal. */
	{ "agi_accountcode: \r\nagi_future_key: x: y\r\nagi_callerid: 1\r\n\r\n",
	  AGI_DONE, "1", NULL, NULL },
	{ "agi_callerid: 1\n", AGI_MORE, "1", NULL, NULL },
	/* Hostile. */
	{ "agi_callerid 0312345678\n\n", AGI_ERROR, NULL, NULL, "key: value" },
	{ ": x\n\n", AGI_ERROR, NULL, NULL, "key: value" },
	{ "AGI_CALLERID: 1\n\n", AGI_ERROR, NULL, NULL, "key: value" },
	{ "agi_callerid: 1\nagi_callerid: 2\n\n", AGI_ERROR, NULL, NULL,
	  "twice" },
	{ "agi_callingpres: x\n\n", AGI_ERROR, NULL, NULL, "presentation" },
	{ "agi_callingpres: 256\n\n", AGI_ERROR, NULL, NULL, "presentation" },
	{ "agi_callingpres: -1\n\n", AGI_ERROR, NULL, NULL, "presentation" },
};

static void
test_env_table(void **state)
{
	struct agi_env	e;
	size_t		used, i;
	char		lang[16];
	const char	*c, *l;

	(void)state;
	for (i = 0; i < sizeof env_cases / sizeof env_cases[0]; i++) {
		agi_env_init(&e);
		assert_int_equal(agi_env_feed(&e, env_cases[i].block,
		    strlen(env_cases[i].block), &used), env_cases[i].status);
		if (env_cases[i].status == AGI_ERROR) {
			assert_non_null(e.error);
			assert_non_null(strstr(e.error, env_cases[i].error));
			/* An error sticks. */
			assert_int_equal(agi_env_feed(&e, "\n", 1, &used),
			    AGI_ERROR);
			continue;
		}
		c = agi_env_caller(&e);
		if (env_cases[i].caller == NULL)
			assert_null(c);
		else
			assert_string_equal(c, env_cases[i].caller);
		l = agi_env_lang(&e, lang, sizeof lang);
		if (env_cases[i].lang == NULL)
			assert_null(l);
		else
			assert_string_equal(l, env_cases[i].lang);
	}
}

static void
test_env_bounds(void **state)
{
	struct agi_env	 e;
	size_t		 used, n;
	char		*big;
	int		 i;

	(void)state;
	big = malloc(4 * AGI_ENV_LINE_MAX);
	/* A line longer than the bound, fed in pieces. */
	agi_env_init(&e);
	memset(big, 'a', 4 * AGI_ENV_LINE_MAX);
	memcpy(big, "agi_x: ", 7);
	assert_int_equal(agi_env_feed(&e, big, 1000, &used), AGI_MORE);
	assert_int_equal(agi_env_feed(&e, big + 1000, 3 * AGI_ENV_LINE_MAX,
	    &used), AGI_ERROR);
	assert_non_null(strstr(e.error, "too long"));
	/* A kept value longer than its field. */
	agi_env_init(&e);
	n = (size_t)snprintf(big, 4 * AGI_ENV_LINE_MAX, "agi_callerid: ");
	memset(big + n, '1', AGI_VALUE_MAX);
	memcpy(big + n + AGI_VALUE_MAX, "\n\n", 3);
	assert_int_equal(agi_env_feed(&e, big, strlen(big), &used), AGI_ERROR);
	assert_non_null(strstr(e.error, "value too long"));
	/* A NUL byte. */
	agi_env_init(&e);
	assert_int_equal(agi_env_feed(&e, "agi_x: a\0b\n\n", 12, &used),
	    AGI_ERROR);
	assert_non_null(strstr(e.error, "NUL"));
	/* A block that never ends. */
	agi_env_init(&e);
	for (i = 0; i < AGI_ENV_LINES_MAX; i++)
		assert_int_equal(agi_env_feed(&e, "agi_x: 1\n", 9, &used),
		    AGI_MORE);
	assert_int_equal(agi_env_feed(&e, "agi_x: 1\n", 9, &used), AGI_ERROR);
	assert_non_null(strstr(e.error, "too many lines"));
	free(big);
}

/* Responses as res_agi.c words them, and what they mean. */
static const struct {
	const char	*line;
	enum agi_status	 status;
	int		 code;
	const char	*result;	/* NULL: none */
	long		 num;		/* if result is a number */
	const char	*data;		/* NULL: none */
	long		 endpos;
} reply_cases[] = {
	{ "200 result=0", AGI_DONE, 200, "0", 0, NULL, -1 },	/* ANSWER */
	{ "200 result=1", AGI_DONE, 200, "1", 1, NULL, -1 },	/* SET VARIABLE */
	{ "200 result=-1", AGI_DONE, 200, "-1", -1, NULL, -1 },
	{ "200 result=0 endpos=24000", AGI_DONE, 200, "0", 0, NULL, 24000 },
	{ "200 result=49 endpos=8000", AGI_DONE, 200, "49", 49, NULL, 8000 },
	{ "200 result=-1 endpos=0", AGI_DONE, 200, "-1", -1, NULL, 0 },
	{ "200 result=19750401", AGI_DONE, 200, "19750401", 19750401, NULL,
	  -1 },
	{ "200 result=12 (timeout)", AGI_DONE, 200, "12", 12, "timeout", -1 },
	{ "200 result= (timeout)", AGI_DONE, 200, "", 0, "timeout", -1 },
	{ "200 result=", AGI_DONE, 200, "", 0, NULL, -1 },
	{ "200 result=1 (speech) endpos=0 results=1", AGI_DONE, 200, "1", 1,
	  "speech", 0 },
	{ "200 result=0\r", AGI_DONE, 200, "0", 0, NULL, -1 },
	{ "510 Invalid or unknown command", AGI_DONE, 510, NULL, 0, NULL, -1 },
	{ "511 Command Not Permitted on a dead channel or intercept routine",
	  AGI_DONE, 511, NULL, 0, NULL, -1 },
	{ "520 Invalid command syntax.  Proper usage not available.",
	  AGI_DONE, 520, NULL, 0, NULL, -1 },
	{ "HANGUP", AGI_HANGUP, 0, NULL, 0, NULL, -1 },
	/* Not the protocol. */
	{ "", AGI_ERROR, 0, NULL, 0, NULL, -1 },
	{ "200", AGI_ERROR, 0, NULL, 0, NULL, -1 },
	{ "200 ", AGI_ERROR, 0, NULL, 0, NULL, -1 },
	{ "200 endpos=1", AGI_ERROR, 0, NULL, 0, NULL, -1 },
	{ "200 result=1 result=2", AGI_ERROR, 0, NULL, 0, NULL, -1 },
	{ "200 result=1 (timeout", AGI_ERROR, 0, NULL, 0, NULL, -1 },
	{ "200 result=1 endpos=x", AGI_ERROR, 0, NULL, 0, NULL, -1 },
	{ "200 result=1 garbage", AGI_ERROR, 0, NULL, 0, NULL, -1 },
	{ "200 result=01234567890123456789012345678901234567890123456789"
	  "0123456789012345", AGI_ERROR, 0, NULL, 0, NULL, -1 },
	{ "2x0 result=1", AGI_ERROR, 0, NULL, 0, NULL, -1 },
	{ "200x result=1", AGI_ERROR, 0, NULL, 0, NULL, -1 },
	{ "510-Invalid", AGI_ERROR, 0, NULL, 0, NULL, -1 },
	{ "HANGUP now", AGI_ERROR, 0, NULL, 0, NULL, -1 },
	{ "hangup", AGI_ERROR, 0, NULL, 0, NULL, -1 },
};

static void
test_reply_table(void **state)
{
	struct agi_reply_state	st;
	struct agi_reply	r;
	size_t			i;

	(void)state;
	for (i = 0; i < sizeof reply_cases / sizeof reply_cases[0]; i++) {
		agi_reply_init(&st);
		assert_int_equal(agi_reply_line(&st, reply_cases[i].line,
		    strlen(reply_cases[i].line), &r), reply_cases[i].status);
		if (reply_cases[i].status != AGI_DONE)
			continue;
		assert_int_equal(r.code, reply_cases[i].code);
		if (reply_cases[i].result == NULL)
			assert_false(r.has_result);
		else {
			assert_true(r.has_result);
			assert_string_equal(r.result, reply_cases[i].result);
			if (r.result_is_num)
				assert_int_equal(r.result_num,
				    reply_cases[i].num);
		}
		if (reply_cases[i].data == NULL)
			assert_false(r.has_data);
		else
			assert_string_equal(r.data, reply_cases[i].data);
		assert_int_equal(r.endpos, reply_cases[i].endpos);
	}
}

/* 520 with its usage text, a HANGUP around responses, a NUL. */
static void
test_reply_sequences(void **state)
{
	static const char *usage[] = {
		"520-Invalid command syntax.  Proper usage follows:",
		" Usage: STREAM FILE <filename> <escape digits> [sample offset]",
		"200 result=0",		/* usage text, not a response */
		"HANGUP",
		"",
	};
	struct agi_reply_state	st;
	struct agi_reply	r;
	size_t			i;

	(void)state;
	agi_reply_init(&st);
	for (i = 0; i < sizeof usage / sizeof usage[0]; i++)
		assert_int_equal(agi_reply_line(&st, usage[i], strlen(usage[i]),
		    &r), AGI_MORE);
	assert_int_equal(agi_reply_line(&st, "520 End of proper usage.", 24,
	    &r), AGI_DONE);
	assert_int_equal(r.code, 520);
	/* The next response reads as usual. */
	assert_int_equal(agi_reply_line(&st, "200 result=1", 12, &r), AGI_DONE);
	assert_string_equal(r.result, "1");
	/* A usage text that never ends. */
	agi_reply_init(&st);
	assert_int_equal(agi_reply_line(&st, usage[0], strlen(usage[0]), &r),
	    AGI_MORE);
	for (i = 0; i < AGI_USAGE_LINES_MAX; i++)
		assert_int_equal(agi_reply_line(&st, "x", 1, &r), AGI_MORE);
	assert_int_equal(agi_reply_line(&st, "x", 1, &r), AGI_ERROR);
	/* HANGUP in place of the response, then the response (dead: 511). */
	agi_reply_init(&st);
	assert_int_equal(agi_reply_line(&st, "HANGUP", 6, &r), AGI_HANGUP);
	assert_int_equal(agi_reply_line(&st, "511 Command Not Permitted on a "
	    "dead channel or intercept routine", 64, &r), AGI_DONE);
	assert_int_equal(r.code, 511);
	assert_int_equal(agi_reply_line(&st, "200 result=1\0", 13, &r),
	    AGI_ERROR);
}

/*
 * res_agi.c's parse_args(), copied as it is (asterisk/asterisk
 * res/res_agi.c), less the log line: the reference for agi_quote.
 */
#define MAX_ARGS 128
static int
parse_args(char *s, int *max, const char *argv[])
{
	int x = 0, quoted = 0, escaped = 0, whitespace = 1;
	char *cur;

	cur = s;
	while (*s) {
		switch (*s) {
		case '"':
			if (escaped)
				goto normal;
			else
				quoted = !quoted;
			if (quoted && whitespace) {
				argv[x++] = cur;
				whitespace = 0;
			}
			escaped = 0;
			break;
		case ' ':
		case '\t':
			if (!quoted && !escaped) {
				whitespace = 1;
				*(cur++) = '\0';
			} else
				goto normal;
			break;
		case '\\':
			if (escaped) {
				goto normal;
			} else {
				escaped = 1;
			}
			break;
		default:
normal:
			if (whitespace) {
				if (x >= MAX_ARGS - 1)
					break;
				argv[x++] = cur;
				whitespace = 0;
			}
			*(cur++) = *s;
			escaped = 0;
		}
		s++;
	}
	*(cur++) = '\0';
	argv[x] = NULL;
	*max = x;
	return 0;
}

/* app.c's __ast_app_separate_args(), copied likewise (remove_chars 1). */
static unsigned
separate_args(char *buf, char delim, char **array, int arraylen)
{
	int argc, paren = 0, quote = 0, bracket = 0;
	char *scan, *wasdelim = NULL;

	memset(array, 0, arraylen * sizeof(*array));
	scan = buf;
	for (argc = 0; *scan && (argc < arraylen - 1); argc++) {
		array[argc] = scan;
		for (; *scan; scan++) {
			if (*scan == '(') {
				paren++;
			} else if (*scan == ')') {
				if (paren)
					paren--;
			} else if (*scan == '[') {
				bracket++;
			} else if (*scan == ']') {
				if (bracket)
					bracket--;
			} else if (*scan == '"' && delim != '"') {
				quote = quote ? 0 : 1;
				memmove(scan, scan + 1, strlen(scan));
				scan--;
			} else if (*scan == '\\') {
				memmove(scan, scan + 1, strlen(scan));
			} else if ((*scan == delim) && !paren && !quote &&
			    !bracket) {
				wasdelim = scan;
				*scan++ = '\0';
				break;
			}
		}
	}
	if (*scan || (scan > buf && (scan - 1) == wasdelim))
		array[argc++] = scan;
	return (unsigned)argc;
}

/* Texts a caller hears, and ones a hostile list might hold. */
static const char *texts[] = {
	"Komorebi City held this data, from 1 April 2016.",
	"こもれび市の、特定健康診査（電話）です。",
	"say \"hash\" then \\ and \\\"",
	"two\nlines\r\nand a\ttab",
	"(unbalanced [brackets, and, commas",
	"trailing backslash \\",
	"",
	"${CALLERID(num)} is not a variable here",
};

static void
test_quote_round_trip(void **state)
{
	const char	*argv[MAX_ARGS], *app_args[2];
	char		 line[AGI_CMD_MAX + 1], want[512], *args[8];
	size_t		 i, k;
	int		 argc, n;

	(void)state;
	for (i = 0; i < sizeof texts / sizeof texts[0]; i++) {
		/* What the text becomes: control characters as spaces. */
		snprintf(want, sizeof want, "%s", texts[i]);
		for (k = 0; want[k] != '\0'; k++)
			if ((unsigned char)want[k] < 0x20)
				want[k] = ' ';
		/* SET VARIABLE: one argument, exactly the text. */
		n = agi_cmd_set_variable(line, sizeof line, "HOTLINE_X",
		    texts[i]);
		assert_true(n > 0);
		assert_int_equal(strchr(line, '\n') - line, n - 1);
		assert_null(strchr(line, '\r'));
		line[n - 1] = '\0';
		parse_args(line, &argc, argv);
		assert_int_equal(argc, 4);
		assert_string_equal(argv[0], "SET");
		assert_string_equal(argv[2], "HOTLINE_X");
		assert_string_equal(argv[3], want);
		/* EXEC: the app gets the text as one argument, then "ja". */
		app_args[0] = texts[i];
		app_args[1] = "ja";
		n = agi_cmd_exec(line, sizeof line, "Festival", app_args, 2);
		assert_true(n > 0);
		line[n - 1] = '\0';
		parse_args(line, &argc, argv);
		assert_int_equal(argc, 3);
		assert_string_equal(argv[1], "Festival");
		snprintf(line, sizeof line, "%s", argv[2]);
		assert_int_equal(separate_args(line, ',', args, 8), 2);
		assert_string_equal(args[0], want);
		assert_string_equal(args[1], "ja");
	}
}

static void
test_commands(void **state)
{
	const char	*q = "support";
	char		 line[AGI_CMD_MAX + 1], *big;

	(void)state;
	assert_int_equal(agi_cmd_answer(line, sizeof line), 7);
	assert_string_equal(line, "ANSWER\n");
	assert_true(agi_cmd_stream_file(line, sizeof line,
	    "hotline/ja/org/komorebi/notice_org-1", "") > 0);
	assert_string_equal(line,
	    "STREAM FILE hotline/ja/org/komorebi/notice_org-1 \"\"\n");
	assert_true(agi_cmd_stream_file(line, sizeof line, "hotline/en/menu",
	    "019") > 0);
	assert_string_equal(line, "STREAM FILE hotline/en/menu \"019\"\n");
	assert_true(agi_cmd_get_data(line, sizeof line,
	    "hotline/ja/ask_birthdate", 8000, 8) > 0);
	assert_string_equal(line, "GET DATA hotline/ja/ask_birthdate 8000 8\n");
	assert_true(agi_cmd_exec(line, sizeof line, "Queue", &q, 1) > 0);
	assert_string_equal(line, "EXEC Queue \"support\"\n");
	assert_true(agi_cmd_set_variable(line, sizeof line, "HOTLINE_OUTCOME",
	    "affected") > 0);
	assert_string_equal(line, "SET VARIABLE HOTLINE_OUTCOME \"affected\"\n");
	assert_true(agi_cmd_hangup(line, sizeof line) > 0);
	assert_string_equal(line, "HANGUP\n");
	/* Names that would break the line or the quoting are refused. */
	assert_int_equal(agi_cmd_stream_file(line, sizeof line, "a b", ""), -1);
	assert_int_equal(agi_cmd_stream_file(line, sizeof line, "a\"b", ""),
	    -1);
	assert_int_equal(agi_cmd_stream_file(line, sizeof line, "", ""), -1);
	assert_int_equal(agi_cmd_stream_file(line, sizeof line, "x", "1 2"),
	    -1);
	assert_int_equal(agi_cmd_get_data(line, sizeof line, "x\n", 1, 1), -1);
	assert_int_equal(agi_cmd_get_data(line, sizeof line, "x", -1, 1), -1);
	assert_int_equal(agi_cmd_get_data(line, sizeof line, "x", 1, 0), -1);
	assert_int_equal(agi_cmd_set_variable(line, sizeof line, "A B", "x"),
	    -1);
	assert_int_equal(agi_cmd_exec(line, sizeof line, "Que ue", &q, 1), -1);
	/* A buffer too small, a text too long for one command line. */
	assert_int_equal(agi_cmd_answer(line, 4), -1);
	big = malloc(AGI_CMD_MAX + 1);
	memset(big, 'a', AGI_CMD_MAX);
	big[AGI_CMD_MAX] = '\0';
	assert_int_equal(agi_cmd_set_variable(line, sizeof line, "X", big), -1);
	memset(big, ',', AGI_CMD_MAX / 2);
	big[AGI_CMD_MAX / 2] = '\0';
	q = big;
	assert_int_equal(agi_cmd_exec(line, sizeof line, "Festival", &q, 1),
	    -1);
	free(big);
	assert_int_equal(agi_quote("ab", line, 4), -1);
	assert_int_equal(agi_quote("ab", line, 5), 4);
	assert_int_equal(agi_app_escape("a,b", line, 4), -1);
	assert_int_equal(agi_app_escape("a,b", line, 5), 4);
	assert_string_equal(line, "a\\,b");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_env_whole_and_byte_by_byte),
		cmocka_unit_test(test_env_table),
		cmocka_unit_test(test_env_bounds),
		cmocka_unit_test(test_reply_table),
		cmocka_unit_test(test_reply_sequences),
		cmocka_unit_test(test_quote_round_trip),
		cmocka_unit_test(test_commands),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
