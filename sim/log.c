/*
 * log.c - see log.h.
 */
#include "log.h"

#include <stdarg.h>
#include <stdio.h>

static int log_on = 1;

/* Tests that provoke errors on purpose silence the log. */
void sim_log_enable(int on)
{
	log_on = on;
}

/* Print one whole line with a single write so that lines from two simulators on one
 * terminal never interleave mid-line. */
void sim_log(const char *fmt, ...)
{
	char line[512];
	va_list ap;
	int n;

	if (!log_on)
		return;
	n = snprintf(line, sizeof(line), "dsr-sim: ");
	va_start(ap, fmt);
	vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
	va_end(ap);
	fprintf(stderr, "%s\n", line);
}
