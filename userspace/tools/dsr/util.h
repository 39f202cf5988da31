/*
 * util.h - small helpers the `dsr` subcommands share: reporting failures and usage
 * errors the same way everywhere (and returning the exit code instead of exiting, so a
 * command cleans up on every path), parsing option values strictly, and a progress
 * bar that appears only when stderr is a terminal (scripts and logs stay clean).
 */
#ifndef DSR_TOOL_UTIL_H
#define DSR_TOOL_UTIL_H

#include <stddef.h>
#include <stdint.h>

/* "dsr <cmd>: <dsr_error()>" on stderr; returns DSR_EXIT_FAIL. */
int cli_fail(const char *cmd);

/* "dsr <cmd>: <message>" and a pointer to --help on stderr; returns DSR_EXIT_USAGE.
 * With @fmt NULL the message is dsr_error()'s. */
int cli_usage_error(const char *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * Option values. Each returns 0, or -1 with dsr_error() naming the option and what it
 * expected; the whole string must be the value (no trailing junk).
 */
int cli_parse_uint(const char *opt, const char *s, uint64_t lo, uint64_t hi, uint64_t *v);
int cli_parse_double(const char *opt, const char *s, double lo, double hi, double *v);
/* Exactly @n comma-separated finite numbers, e.g. "3.5,-2" or "100,120,8,0.05". */
int cli_parse_doubles(const char *opt, const char *s, double *v, size_t n);
/* "WxH", each 1..@max. */
int cli_parse_size(const char *opt, const char *s, uint32_t max, uint32_t *w, uint32_t *h);

/* A progress bar on stderr, drawn only if stderr is a terminal. */
struct cli_progress {
	int tty;
	const char *label;
	int last;	/* last drawn percentage, to redraw only on change */
};

void cli_progress_begin(struct cli_progress *p, const char *label);
/* @fraction 0..1 of the whole job; @stage a short word or NULL. */
void cli_progress_update(struct cli_progress *p, double fraction, const char *stage);
/* The same as a dsr_progress_fn (register.h): @ctx is a struct cli_progress. */
void cli_progress_fn(void *ctx, double fraction, const char *stage);
/* Erase the bar (a finished job leaves no trace on the terminal). */
void cli_progress_end(struct cli_progress *p);

#endif /* DSR_TOOL_UTIL_H */
