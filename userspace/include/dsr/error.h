/*
 * error.h - how libdsr reports failure.
 *
 * Functions return -1 or NULL on failure and leave a message for the user, naming what
 * was wrong, in a per-thread buffer that dsr_error() returns. The library never prints.
 */
#ifndef DSR_ERROR_H
#define DSR_ERROR_H

#ifdef __cplusplus
extern "C" {
#endif

/* The message of the last failure in this thread ("" if none). */
const char *dsr_error(void);

/* For libdsr's own code (and its tests): set the message, printf-style. Returns -1 so
 * that `return dsr_seterr(...)` reads naturally. */
int dsr_seterr(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#ifdef __cplusplus
}
#endif

#endif /* DSR_ERROR_H */
