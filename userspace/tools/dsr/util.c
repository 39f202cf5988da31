/*
 * util.c - see util.h.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "dsr/error.h"
#include "util.h"

int cli_fail(const char *cmd)
{
	fprintf(stderr, "dsr %s: %s\n", cmd, dsr_error()[0] ? dsr_error() : "failed");
	return DSR_EXIT_FAIL;
}

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "dsr %s: ", cmd);
	if (fmt) {
		va_start(ap, fmt);
		vfprintf(stderr, fmt, ap);
		va_end(ap);
	} else {
		fputs(dsr_error(), stderr);
	}
	fprintf(stderr, "\n(see 'dsr %s --help')\n", cmd);
	return DSR_EXIT_USAGE;
}

int cli_parse_uint(const char *opt, const char *s, uint64_t lo, uint64_t hi, uint64_t *v)
{
	char *end;
	unsigned long long n;

	errno = 0;
	n = strtoull(s, &end, 0);
	if (!*s || *end || errno || strchr(s, '-') || n < lo || n > hi)
		return dsr_seterr("%s '%s': expected an integer in %llu..%llu", opt, s,
				  (unsigned long long)lo, (unsigned long long)hi);
	*v = n;
	return 0;
}

int cli_parse_double(const char *opt, const char *s, double lo, double hi, double *v)
{
	char *end;
	double d;

	errno = 0;
	d = strtod(s, &end);
	if (!*s || *end || errno || !isfinite(d) || d < lo || d > hi)
		return dsr_seterr("%s '%s': expected a number in %g..%g", opt, s, lo, hi);
	*v = d;
	return 0;
}

int cli_parse_doubles(const char *opt, const char *s, double *v, size_t n)
{
	const char *p = s;

	for (size_t i = 0; i < n; i++) {
		char *end;

		errno = 0;
		v[i] = strtod(p, &end);
		if (end == p || errno || !isfinite(v[i]) || *end != (i + 1 < n ? ',' : '\0'))
			return dsr_seterr("%s '%s': expected %zu comma-separated numbers", opt, s, n);
		p = end + 1;
	}
	return 0;
}

int cli_parse_size(const char *opt, const char *s, uint32_t max, uint32_t *w, uint32_t *h)
{
	char *end, *end2;
	unsigned long a, b;

	errno = 0;
	a = strtoul(s, &end, 10);
	if (end == s || (*end != 'x' && *end != 'X') || strchr(s, '-'))
		goto bad;
	b = strtoul(end + 1, &end2, 10);
	if (end2 == end + 1 || *end2 || errno || a < 1 || b < 1 || a > max || b > max)
		goto bad;
	*w = (uint32_t)a;
	*h = (uint32_t)b;
	return 0;
bad:
	return dsr_seterr("%s '%s': expected WIDTHxHEIGHT, each 1..%u", opt, s, max);
}

void cli_progress_begin(struct cli_progress *p, const char *label)
{
	p->tty = isatty(STDERR_FILENO);
	p->label = label;
	p->last = -1;
	cli_progress_update(p, 0, NULL);
}

void cli_progress_update(struct cli_progress *p, double fraction, const char *stage)
{
	static const char bar[] = "##############################";
	const int width = (int)sizeof(bar) - 1;
	int pct, fill;

	if (!p->tty)
		return;
	fraction = fraction < 0 ? 0 : fraction > 1 ? 1 : fraction;
	pct = (int)(fraction * 100 + 0.5);
	if (pct == p->last && !stage)
		return;
	p->last = pct;
	fill = (int)(fraction * width + 0.5);
	fprintf(stderr, "\r%-12.12s [%.*s%*s] %3d%% %-20.20s", p->label ? p->label : "", fill,
		bar, width - fill, "", pct, stage ? stage : "");
	fflush(stderr);
}

void cli_progress_fn(void *ctx, double fraction, const char *stage)
{
	cli_progress_update(ctx, fraction, stage);
}

void cli_progress_end(struct cli_progress *p)
{
	if (p->tty)
		fprintf(stderr, "\r%*s\r", 72, "");
}
