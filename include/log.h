/*
 * Logging: stderr or syslog, one level threshold, printf-checked.
 *
 * Personal data never reaches a log call. Phone numbers are passed through
 * log_mask_phone() first; birthdates, names, kana and addresses are never
 * logged at all.
 */
#ifndef HOTLINE_LOG_H
#define HOTLINE_LOG_H

#include <stddef.h>

enum log_level {
	LOG_LEVEL_WARN = 0,
	LOG_LEVEL_INFO,
	LOG_LEVEL_DEBUG,
};

/* Where log lines go. */
enum log_target {
	LOG_TARGET_STDERR = 0,
	LOG_TARGET_SYSLOG,
};

void	log_init(const char *ident, enum log_level, enum log_target);
/* The syslog facility of the next log_init (LOG_DAEMON by default). */
void	log_set_facility(int);
/* "daemon", "user", "auth", "authpriv", "local0".."local7": 0, or -1. */
int	log_facility_parse(const char *, int *);
void	log_set_level(enum log_level);
int	log_level_parse(const char *, enum log_level *);

/* log_warn appends strerror(errno); the x variants do not. */
void	log_warn(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_warnx(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_info(const char *, ...) __attribute__((format(printf, 1, 2)));
/* Always written, whatever the level: start, stop, checkpoints. */
void	log_notice(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_debug(const char *, ...) __attribute__((format(printf, 1, 2)));
void	fatalx(const char *, ...)
	    __attribute__((format(printf, 1, 2), noreturn));

/* syslog(3)'s LOG_DAEMON, without making every includer see syslog.h. */
#define LOG_FACILITY_DEFAULT	(3 << 3)

/* Longest masked phone, with its NUL. */
#define LOG_MASKED_PHONE_MAX 24

/*
 * Writes a phone number masked to its last 4 digits ("*******5678") into
 * out. Shorter values are masked entirely.
 */
const char *log_mask_phone(const char *phone, char out[LOG_MASKED_PHONE_MAX]);

#endif
