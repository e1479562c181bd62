/*
 * Asterisk's AGI protocol as a FastAGI server sees it (res/res_agi.c of
 * asterisk/asterisk; docs/ASTERISK.md has the byte-level notes): a pure
 * codec, no sockets and no event loop, so that the FastAGI front end and
 * the tests share one parser.
 *
 *   Asterisk -> us   the agi_* environment block (agi_env_feed), then one
 *                    response per command (agi_reply_line), and "HANGUP"
 *                    lines when the caller hangs up.
 *   us -> Asterisk   one command line at a time (agi_cmd_*), each quoted
 *                    as res_agi.c's parse_args() reads it.
 */
#ifndef HOTLINE_AGI_H
#define HOTLINE_AGI_H

#include <stddef.h>

/*
 * Bounds. Asterisk reads a command into AGI_BUF_LEN (8192) bytes with
 * fgets: a longer line would be cut into two commands, so a command line
 * with its LF must fit in 8191 bytes. An environment line is one key and
 * a value Asterisk took from the channel (names, numbers, the AGI()
 * arguments); a block has about 25 keys plus agi_arg_N for each AGI()
 * argument (at most 127: MAX_ARGS is 128).
 */
#define AGI_CMD_MAX		8191	/* bytes of a command line, LF included */
#define AGI_ENV_LINE_MAX	2048	/* bytes of one environment line */
#define AGI_ENV_LINES_MAX	200	/* lines of one environment block */
#define AGI_VALUE_MAX		256	/* a value hotline keeps, NUL included */
#define AGI_REPLY_LINE_MAX	8192	/* bytes of a response line */
#define AGI_USAGE_LINES_MAX	64	/* lines of a 520 usage text */

/* The restricted and unavailable bits of agi_callingpres (AST_PRES_*). */
#define AGI_PRES_RESTRICTION	0x60

/* What the environment block says that hotline uses. */
struct agi_env {
	char	request[AGI_VALUE_MAX];		/* agi_request */
	char	network_script[AGI_VALUE_MAX];	/* "hotline?lang=ja" */
	char	channel[AGI_VALUE_MAX];
	char	language[AGI_VALUE_MAX];
	char	uniqueid[AGI_VALUE_MAX];
	char	callerid[AGI_VALUE_MAX];
	char	dnid[AGI_VALUE_MAX];
	char	arg1[AGI_VALUE_MAX];		/* agi_arg_1 */
	int	callingpres;			/* -1: not given */
	int	network;			/* agi_network: yes */
	unsigned seen;				/* which of the above were given */

	/* The parser's state. */
	char	line[AGI_ENV_LINE_MAX];
	size_t	linelen;
	int	lines;
	int	done;
	const char *error;			/* why the block was refused */
};

enum agi_status {
	AGI_MORE = 0,		/* give more bytes or lines */
	AGI_DONE,		/* complete */
	AGI_HANGUP,		/* a "HANGUP" line: the caller hung up */
	AGI_ERROR,		/* malformed or over a bound: close */
};

void	agi_env_init(struct agi_env *);

/*
 * Feeds bytes of the environment block as they arrive, in any pieces.
 * *used says how many were consumed: after AGI_DONE, the rest belongs to
 * what follows the block. AGI_ERROR leaves env->error set.
 */
enum agi_status agi_env_feed(struct agi_env *, const char *, size_t,
	    size_t *used);

/*
 * The caller's number, or NULL when withheld: agi_callerid empty or
 * "unknown", or agi_callingpres with a restriction bit (SPEC §6.3).
 */
const char *agi_env_caller(const struct agi_env *);

/*
 * The call's language as asked for: agi_arg_1, else lang= of
 * agi_network_script's query, else agi_language; NULL if none of them
 * says one. out gets at most len - 1 bytes.
 */
const char *agi_env_lang(const struct agi_env *, char *out, size_t len);

/*
 * The value of one parameter of agi_network_script's query ("lang" of
 * "hotline?lang=ja&x=1"), or NULL if it has none or an empty one. out
 * gets at most len - 1 bytes.
 */
const char *agi_script_param(const struct agi_env *, const char *name,
	    char *out, size_t len);

/* One response to one command. */
struct agi_reply {
	int	code;			/* 200, 510, 511, 520 */
	char	result[64];		/* after result=; "" if none or empty */
	int	has_result;
	long	result_num;		/* result as a number, if it is one */
	int	result_is_num;
	char	data[64];		/* inside the parentheses: "timeout" */
	int	has_data;
	long	endpos;			/* endpos=, or -1 */
};

/* A response as it is read, line by line (a 520 can take several). */
struct agi_reply_state {
	int	in_usage;		/* inside 520-... / 520 End ... */
	int	usage_lines;
};

void	agi_reply_init(struct agi_reply_state *);

/*
 * One line from Asterisk while a command runs, without its LF (a CR
 * before it is dropped). AGI_DONE: *r is the response. AGI_MORE: a 520
 * usage text goes on. AGI_HANGUP: the caller hung up; the response is
 * still to come. AGI_ERROR: not a line of the protocol.
 */
enum agi_status agi_reply_line(struct agi_reply_state *, const char *,
	    size_t, struct agi_reply *r);

/*
 * One argument quoted for parse_args(): in double quotes, '"' and '\'
 * escaped with '\', control characters (CR and LF would end the line)
 * said as a space. Returns the length written, or -1 if it does not fit
 * in len bytes with its NUL.
 */
int	agi_quote(const char *, char *out, size_t len);

/*
 * One argument of a dialplan application run by EXEC, escaped for
 * Asterisk's argument splitter (',' separates arguments, "()[]" nest,
 * '"' quotes, '\' escapes), before agi_quote quotes it for the line.
 */
int	agi_app_escape(const char *, char *out, size_t len);

/*
 * The commands hotline sends, each a whole line with its LF in out;
 * -1 if a bound is passed (a name or value hotline would not send).
 */
int	agi_cmd_answer(char *out, size_t len);
int	agi_cmd_stream_file(char *out, size_t len, const char *sound,
	    const char *escape_digits);
int	agi_cmd_get_data(char *out, size_t len, const char *sound,
	    int timeout_ms, int max_digits);
int	agi_cmd_exec(char *out, size_t len, const char *app,
	    const char *const *args, size_t nargs);
int	agi_cmd_set_variable(char *out, size_t len, const char *name,
	    const char *value);
int	agi_cmd_hangup(char *out, size_t len);

#endif
