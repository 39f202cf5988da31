/*
 * error.c - the per-thread failure message behind dsr_error().
 */
#include <stdarg.h>
#include <stdio.h>

#include "dsr/error.h"

static _Thread_local char last_error[512];

const char *dsr_error(void)
{
	return last_error;
}

int dsr_seterr(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(last_error, sizeof(last_error), fmt, ap);
	va_end(ap);
	return -1;
}
