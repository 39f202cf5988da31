/*
 * testutil.h - small helpers shared by the cmocka test programs: a seeded random
 * generator (tests must be reproducible), scratch files, the test data directory, and
 * running the dsr command under test.
 */
#ifndef DSR_TESTUTIL_H
#define DSR_TESTUTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

/* splitmix64: a deterministic stream from a seed. */
struct t_rng {
	uint64_t s;
};

void t_rng_seed(struct t_rng *r, uint64_t seed);
uint64_t t_rng_u64(struct t_rng *r);
/* Uniform in [0, n), n > 0. */
uint32_t t_rng_below(struct t_rng *r, uint32_t n);
/* Uniform in [lo, hi). */
double t_rng_uniform(struct t_rng *r, double lo, double hi);
/* n pixels uniform in [0, 2^bits). */
void t_rng_pixels(struct t_rng *r, uint16_t *px, size_t n, uint32_t bits);

/* A fresh scratch directory (mkdtemp under $TMPDIR or /tmp), and a path inside it.
 * t_scratch_path returns a static buffer valid until the next call. */
const char *t_scratch_dir(void);
const char *t_scratch_path(const char *name);
/* Remove the scratch directory and everything directly in it. */
void t_scratch_cleanup(void);
/* t_scratch_cleanup as a cmocka group teardown. */
int t_scratch_teardown(void **state);

/* $DSR_TEST_DATA/name, or tests/data/name relative to the current directory. */
const char *t_data_path(const char *name);

/* Write @len bytes to @path; 0 or -1. */
int t_write_file(const char *path, const void *buf, size_t len);
/* Read a whole file into a malloc'd buffer; NULL on failure. */
void *t_read_file(const char *path, size_t *len);

/* A whole file as a malloc'd NUL-terminated string; NULL on failure. */
char *t_slurp(const char *path);

/* The dsr binary under test: $DSR, or build/dsr. */
const char *t_dsr_bin(void);

/* Run a shell command made from @fmt with stdout and stderr to @log (appended to when
 * @append, else replaced); its exit status, 128 if it did not exit normally. */
int t_vrun(const char *log, int append, const char *fmt, va_list ap);
int t_run(const char *log, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* t_run appending to <scratch dir>/cmd.log (T_RUN_LOG), for tests that keep one log. */
#define T_RUN_LOG "cmd.log"
int t_run_scratch(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* <scratch dir>/@dir/report.json parsed; fails the running test if it is not JSON. */
struct json_t *t_report(const char *dir);

#endif /* DSR_TESTUTIL_H */
