/*
 * testutil.c - see testutil.h.
 */
#include <ftw.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "testutil.h"

void t_rng_seed(struct t_rng *r, uint64_t seed)
{
	r->s = seed;
}

uint64_t t_rng_u64(struct t_rng *r)
{
	uint64_t z = (r->s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

uint32_t t_rng_below(struct t_rng *r, uint32_t n)
{
	return (uint32_t)(t_rng_u64(r) % n);
}

double t_rng_uniform(struct t_rng *r, double lo, double hi)
{
	return lo + (hi - lo) * ((double)(t_rng_u64(r) >> 11) / 9007199254740992.0);
}

void t_rng_pixels(struct t_rng *r, uint16_t *px, size_t n, uint32_t bits)
{
	for (size_t i = 0; i < n; i++)
		px[i] = (uint16_t)(t_rng_u64(r) & ((1u << bits) - 1u));
}

static char scratch[PATH_MAX];

const char *t_scratch_dir(void)
{
	if (!scratch[0]) {
		const char *tmp = getenv("TMPDIR");

		snprintf(scratch, sizeof(scratch), "%s/dsrtest.XXXXXX", tmp && *tmp ? tmp : "/tmp");
		if (!mkdtemp(scratch)) {
			perror("mkdtemp");
			abort();
		}
	}
	return scratch;
}

const char *t_scratch_path(const char *name)
{
	static char path[PATH_MAX + 256];

	snprintf(path, sizeof(path), "%s/%s", t_scratch_dir(), name);
	return path;
}

/* nftw callback: remove whatever it is handed (called depth-first, files before their
 * directories). */
static int remove_entry(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st;
	(void)type;
	(void)ftw;
	return remove(path);
}

/* Remove the scratch directory and everything the test left in it, subdirectories
 * (the outputs of `dsr series -o DIR`, `dsr calibrate -o DIR`) included. */
void t_scratch_cleanup(void)
{
	if (!scratch[0])
		return;
	nftw(scratch, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
	scratch[0] = 0;
}

const char *t_data_path(const char *name)
{
	static char path[PATH_MAX];
	const char *dir = getenv("DSR_TEST_DATA");

	snprintf(path, sizeof(path), "%s/%s", dir && *dir ? dir : "tests/data", name);
	return path;
}

int t_write_file(const char *path, const void *buf, size_t len)
{
	FILE *f = fopen(path, "wb");
	int ok;

	if (!f)
		return -1;
	ok = fwrite(buf, 1, len, f) == len;
	ok &= fclose(f) == 0;
	return ok ? 0 : -1;
}

void *t_read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t cap = 0, n = 0, got;

	if (!f)
		return NULL;
	do {
		if (n == cap) {
			char *nb = realloc(buf, cap = cap ? cap * 2 : 4096);

			if (!nb) {
				free(buf);
				fclose(f);
				return NULL;
			}
			buf = nb;
		}
		got = fread(buf + n, 1, cap - n, f);
		n += got;
	} while (got > 0);
	fclose(f);
	*len = n;
	return buf;
}

int t_scratch_teardown(void **state)
{
	(void)state;
	t_scratch_cleanup();
	return 0;
}

char *t_slurp(const char *path)
{
	size_t n;
	char *s = t_read_file(path, &n);
	char *z;

	if (!s)
		return NULL;
	z = realloc(s, n + 1);
	if (!z) {
		free(s);
		return NULL;
	}
	z[n] = '\0';
	return z;
}

const char *t_dsr_bin(void)
{
	const char *d = getenv("DSR");

	return d ? d : "build/dsr";
}

int t_vrun(const char *log, int append, const char *fmt, va_list ap)
{
	char cmd[4096], full[4400];
	int st;

	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	snprintf(full, sizeof(full), "%s >%s'%s' 2>&1", cmd, append ? ">" : "", log);
	st = system(full);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

int t_run(const char *log, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = t_vrun(log, 0, fmt, ap);
	va_end(ap);
	return rc;
}

int t_run_scratch(const char *fmt, ...)
{
	char log[4096];
	va_list ap;
	int rc;

	snprintf(log, sizeof(log), "%s/" T_RUN_LOG, t_scratch_dir());
	va_start(ap, fmt);
	rc = t_vrun(log, 1, fmt, ap);
	va_end(ap);
	return rc;
}

json_t *t_report(const char *dir)
{
	char p[512];
	json_error_t err;
	json_t *j;

	snprintf(p, sizeof(p), "%s/%s/report.json", t_scratch_dir(), dir);
	j = json_load_file(p, 0, &err);
	if (!j)
		fail_msg("%s: %s", p, err.text);
	return j;
}
