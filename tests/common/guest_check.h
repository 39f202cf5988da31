/*
 * guest_check.h - the PASS/FAIL reporting of the guest test programs (dsr-drvtest,
 * dsr-compat32, dsr-boardtest): one line per check, failures counted and the run goes
 * on, and an exit status that is success only when something was checked and nothing
 * failed, so a program that checked nothing cannot pass.
 *
 * Header-only (static functions): dsr-compat32 is a static 32-bit build that links
 * nothing but libc.
 */
#ifndef DSR_TESTS_GUEST_CHECK_H
#define DSR_TESTS_GUEST_CHECK_H

#include <stdarg.h>
#include <stdio.h>
#include <time.h>

static int checks, failures;

/* One check's outcome, printed at once (a guest that hangs later keeps its log). */
static void check(int ok, const char *fmt, ...) __attribute__((format(printf, 2, 3), unused));
static void check(int ok, const char *fmt, ...)
{
	va_list ap;

	checks++;
	failures += !ok;
	printf("%s ", ok ? "PASS" : "FAIL");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

/* The exit status: success only when something was checked and nothing failed. */
static __attribute__((unused)) int verdict(void)
{
	printf("checks=%d failures=%d\n", checks, failures);
	return checks > 0 && failures == 0 ? 0 : 1;
}

/* Monotonic seconds, for timeouts and rates. */
static __attribute__((unused)) double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

#endif
