/*
 * threads.c - DSR_THREADS and the two-way split the registration and the contrast
 * estimate run their halves with.
 */
#include <pthread.h>
#include <stdlib.h>

#include "common/threads.h"
#include "dsr/error.h"
#include "dsr/register.h"

int dsr_threads(void)
{
	const char *e = getenv("DSR_THREADS");
	char *end;
	long n;

	if (!e)
		return 2;
	n = strtol(e, &end, 10);
	if (end == e || *end || n < 1)
		return dsr_seterr("DSR_THREADS='%s': expected a positive integer (threads for "
				  "registration, default 2)", e);
	return n >= 2 ? 2 : 1;
}

/* A second thread only when DSR_THREADS allows it (bad values mean the default) and it
 * starts; the results never depend on which way the two halves ran. */
void dsr_run_pair(void *(*fn)(void *), void *a, void *b)
{
	pthread_t t;
	int threaded = dsr_threads() != 1 && pthread_create(&t, NULL, fn, b) == 0;

	fn(a);
	if (threaded)
		pthread_join(t, NULL);
	else
		fn(b);
}
