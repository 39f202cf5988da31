/*
 * threads.h - libdsr-internal: run two halves of a job, on two threads when DSR_THREADS
 * (dsr_threads(), dsr/register.h) allows.
 */
#ifndef DSR_COMMON_THREADS_H
#define DSR_COMMON_THREADS_H

/* fn(a) here and fn(b) on a second thread when DSR_THREADS allows one, else one after
 * the other; returns when both are done. */
void dsr_run_pair(void *(*fn)(void *), void *a, void *b);

#endif
