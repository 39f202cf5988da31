/*
 * bench_register.c - registration speed and accuracy on phantom pairs with known
 * transforms, at the size the clinic uses. Writes every pair (16-bit PGM) and the true
 * transform into a directory so that bench_opencv.py runs OpenCV's findTransformECC on
 * exactly the same pairs in the same `make bench` run.
 *
 *   bench_register SIZE PAIRS DIR [SEED]
 *
 * DIR/truth.txt: "k a11 a12 tx a21 a22 ty" per pair; DIR/dsr.txt: "k cpu_ms rms ok wall_ms".
 * Times are CPU time of this process (one thread), which a busy shared machine does
 * not inflate the way it inflates wall time; wall time is recorded beside it.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "dsr/error.h"
#include "dsr/register.h"
#include "dsr/sample.h"

/* splitmix64, so that the pairs are the same on every machine */
static uint64_t rng_state;

static double uniform(double lo, double hi)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	z ^= z >> 31;
	return lo + (hi - lo) * (double)(z >> 11) / 9007199254740992.0;
}

/* A repositioning within the requirement's ranges, about the frame centre. */
static struct dsr_affine random_transform(uint32_t n)
{
	double th = uniform(-10, 10) * M_PI / 180, s = uniform(0.9, 1.1);
	double sh = uniform(-0.02, 0.02), c = (n - 1) / 2.0;
	struct dsr_affine a = { s * cos(th), -s * sin(th) + sh, 0, s * sin(th), s * cos(th), 0 };

	a.tx = c - a.a11 * c - a.a12 * c + uniform(-0.15, 0.15) * n;
	a.ty = c - a.a21 * c - a.a22 * c + uniform(-0.15, 0.15) * n;
	return a;
}

static double now(clockid_t clk)
{
	struct timespec t;

	clock_gettime(clk, &t);
	return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* The median of sorted @v (the mean of the middle two for an even count). */
static double median(const double *v, int n)
{
	return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
	if (argc < 4) {
		fprintf(stderr, "usage: bench_register SIZE PAIRS DIR [SEED]\n");
		return 2;
	}
	uint32_t n = (uint32_t)atoi(argv[1]);
	int pairs = atoi(argv[2]);
	const char *dir = argv[3];
	char path[4096];
	FILE *truth, *res;
	double *ms = calloc((size_t)pairs, sizeof(double)), *err = calloc((size_t)pairs, sizeof(double));
	int ok = 0;

	rng_state = argc > 4 ? strtoull(argv[4], NULL, 0) : 2026;
	snprintf(path, sizeof(path), "%s/truth.txt", dir);
	truth = fopen(path, "w");
	snprintf(path, sizeof(path), "%s/dsr.txt", dir);
	res = fopen(path, "w");
	if (!truth || !res || !ms || !err || n < 64 || pairs < 1) {
		fprintf(stderr, "bench_register: cannot write into %s\n", dir);
		return 1;
	}
	for (int k = 0; k < pairs; k++) {
		struct dsr_phantom *ph = dsr_phantom_new(n, n, 1000 + k);
		struct dsr_affine a = random_transform(n);
		struct dsr_exposure e;
		struct dsr_register_result r;
		double rms = 1e9;

		dsr_exposure_default(&e);
		struct dsr_image *ref = dsr_phantom_render(ph, NULL, &e, NULL, 12, 2 * k + 1);

		e.gain = uniform(0.75, 1.3);
		e.gamma = uniform(0.8, 1.25);
		struct dsr_image *live = dsr_phantom_render(ph, &a, &e, NULL, 12, 2 * k + 2);

		if (!ref || !live) {
			fprintf(stderr, "bench_register: phantom: %s\n", dsr_error());
			return 1;
		}
		snprintf(path, sizeof(path), "%s/ref_%03d.pgm", dir, k);
		dsr_image_save(ref, path);
		snprintf(path, sizeof(path), "%s/live_%03d.pgm", dir, k);
		dsr_image_save(live, path);
		fprintf(truth, "%d %.12g %.12g %.12g %.12g %.12g %.12g\n", k, a.a11, a.a12, a.tx,
			a.a21, a.a22, a.ty);
		if (k == 0)	/* warm-up: FFTW plans for this size are made once per process */
			dsr_register_pair(ref, live, NULL, &r);
		double t0 = now(CLOCK_PROCESS_CPUTIME_ID), w0 = now(CLOCK_MONOTONIC);
		int rc = dsr_register_pair(ref, live, NULL, &r);
		double wall = 1e3 * (now(CLOCK_MONOTONIC) - w0);

		ms[k] = 1e3 * (now(CLOCK_PROCESS_CPUTIME_ID) - t0);
		if (rc == 0)
			dsr_affine_distance(&a, &r.affine, n, n, &rms, NULL);
		err[k] = rms;
		ok += rc == 0 && rms < 1;
		fprintf(res, "%d %.3f %.6f %d %.3f\n", k, ms[k], rms, rc == 0 && rms < 1, wall);
		if (isatty(STDERR_FILENO))
			fprintf(stderr, "\rdsr: pair %d/%d  %.0f ms  rms %.4f px   ", k + 1, pairs,
				ms[k], rms);
		dsr_image_free(ref);
		dsr_image_free(live);
		dsr_phantom_free(ph);
	}
	if (isatty(STDERR_FILENO))
		fprintf(stderr, "\n");
	qsort(ms, (size_t)pairs, sizeof(double), cmp_double);
	qsort(err, (size_t)pairs, sizeof(double), cmp_double);
	printf("dsr_register_pair  %ux%u, %d pairs, one core: median %.1f CPU ms/pair (min %.1f, max %.1f); "
	       "RMS error median %.4f px, max %.4f px; success %d/%d\n", n, n, pairs,
	       median(ms, pairs), ms[0], ms[pairs - 1], median(err, pairs), err[pairs - 1], ok,
	       pairs);
	fclose(truth);
	fclose(res);
	free(ms);
	free(err);
	dsr_register_cleanup();
	return 0;
}
