/*
 * bench_register.c - registration speed and accuracy on phantom pairs with known
 * transforms, at the size the clinic uses. Writes every pair (16-bit PGM) and the true
 * transform into a directory so that bench_opencv.py runs OpenCV's findTransformECC on
 * exactly the same pairs in the same `make bench` run.
 *
 *   bench_register SIZE|WxH PAIRS DIR [SEED [MODEL [BITS]]]
 *
 * MODEL affine (default): repositioned pairs; projective: the follow-ups also through
 * beam angulation (up to +-5 degrees, source 15000 px away scaled to the frame). Both
 * registered with the default model (auto, which must choose affine resp. projective),
 * or with the model named by the environment's BENCH_MOTION. BITS: 12 (default) or 16.
 *
 * DIR/truth.txt: "k h11 h12 h13 h21 h22 h23 h31 h32 h33" per pair; DIR/dsr.txt:
 * "k cpu_ms rms ok wall_ms projective"; DIR/ref_k.pgm, live_k.pgm.
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
static struct dsr_affine random_transform(uint32_t w, uint32_t h)
{
	double th = uniform(-10, 10) * M_PI / 180, s = uniform(0.9, 1.1);
	double sh = uniform(-0.02, 0.02), cx = (w - 1) / 2.0, cy = (h - 1) / 2.0;
	struct dsr_affine a = { s * cos(th), -s * sin(th) + sh, 0, s * sin(th), s * cos(th), 0 };

	a.tx = cx - a.a11 * cx - a.a12 * cy + uniform(-0.15, 0.15) * w;
	a.ty = cy - a.a21 * cx - a.a22 * cy + uniform(-0.15, 0.15) * h;
	return a;
}

/* RMS over the frame (every 4th pixel each way) of the distance between two mappings. */
static double h_rms(const struct dsr_homography *a, const struct dsr_homography *b,
		    uint32_t w, uint32_t h)
{
	double ss = 0;
	long cnt = 0;

	for (uint32_t y = 0; y < h; y += 4)
		for (uint32_t x = 0; x < w; x += 4) {
			const double *p = a->h, *q = b->h;
			double wp = p[6] * x + p[7] * y + p[8], wq = q[6] * x + q[7] * y + q[8];
			double du = (p[0] * x + p[1] * y + p[2]) / wp - (q[0] * x + q[1] * y + q[2]) / wq;
			double dv = (p[3] * x + p[4] * y + p[5]) / wp - (q[3] * x + q[4] * y + q[5]) / wq;

			ss += du * du + dv * dv;
			cnt++;
		}
	return sqrt(ss / (double)cnt);
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
	uint32_t n = (uint32_t)atoi(argv[1]), nh = n;
	int pairs = atoi(argv[2]);
	int proj = argc > 5 && !strcmp(argv[5], "projective");
	uint32_t bits = argc > 6 ? (uint32_t)atoi(argv[6]) : 12;
	struct dsr_register_opts opts;

	if (strchr(argv[1], 'x'))
		nh = (uint32_t)atoi(strchr(argv[1], 'x') + 1);
	dsr_register_opts_default(&opts);
	if (getenv("BENCH_MOTION") && dsr_motion_parse(getenv("BENCH_MOTION"), &opts.motion))
		return 2;
	const char *dir = argv[3];
	char path[4096];
	FILE *truth, *res;
	double *ms = calloc((size_t)pairs, sizeof(double)), *err = calloc((size_t)pairs, sizeof(double));
	int ok = 0, nproj = 0;

	rng_state = argc > 4 ? strtoull(argv[4], NULL, 0) : 2026;
	snprintf(path, sizeof(path), "%s/truth.txt", dir);
	truth = fopen(path, "w");
	snprintf(path, sizeof(path), "%s/dsr.txt", dir);
	res = fopen(path, "w");
	if (!truth || !res || !ms || !err || n < 64 || nh < 64 || pairs < 1 ||
	    (bits != 12 && bits != 16)) {
		fprintf(stderr, "bench_register: cannot write into %s\n", dir);
		return 1;
	}
	for (int k = 0; k < pairs; k++) {
		struct dsr_phantom *ph = dsr_phantom_new(n, nh, 1000 + k);
		struct dsr_affine a = random_transform(n, nh);
		struct dsr_homography h;
		double f = 15000.0 * (n > nh ? n : nh) / 4096;	/* a 4096 px sensor's geometry */
		struct dsr_exposure e;
		struct dsr_register_result r;
		double rms = 1e9;

		dsr_exposure_default(&e);
		struct dsr_image *ref = dsr_phantom_render(ph, NULL, &e, NULL, bits, 2 * k + 1);

		e.gain = uniform(0.75, 1.3);
		e.gamma = uniform(0.8, 1.25);
		dsr_beam_angulation(n, nh, proj ? uniform(-5, 5) : 0, proj ? uniform(-5, 5) : 0, f, &a,
				    &h);
		struct dsr_image *live = dsr_phantom_render_h(ph, &h, &e, NULL, bits, 2 * k + 2);

		if (!ref || !live) {
			fprintf(stderr, "bench_register: phantom: %s\n", dsr_error());
			return 1;
		}
		snprintf(path, sizeof(path), "%s/ref_%03d.pgm", dir, k);
		dsr_image_save(ref, path);
		snprintf(path, sizeof(path), "%s/live_%03d.pgm", dir, k);
		dsr_image_save(live, path);
		fprintf(truth, "%d %.12g %.12g %.12g %.12g %.12g %.12g %.12g %.12g %.12g\n", k,
			h.h[0], h.h[1], h.h[2], h.h[3], h.h[4], h.h[5], h.h[6], h.h[7], h.h[8]);
		if (k == 0)	/* warm-up: FFTW plans for this size are made once per process */
			dsr_register_pair(ref, live, &opts, &r);
		double t0 = now(CLOCK_PROCESS_CPUTIME_ID), w0 = now(CLOCK_MONOTONIC);
		int rc = dsr_register_pair(ref, live, &opts, &r);
		double wall = 1e3 * (now(CLOCK_MONOTONIC) - w0);

		ms[k] = 1e3 * (now(CLOCK_PROCESS_CPUTIME_ID) - t0);
		if (rc == 0)
			rms = h_rms(&h, &r.homography, n, nh);
		err[k] = rms;
		ok += rc == 0 && rms < 1;
		fprintf(res, "%d %.3f %.6f %d %.3f %d\n", k, ms[k], rms, rc == 0 && rms < 1, wall,
			rc == 0 && r.projective);
		nproj += rc == 0 && r.projective;
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
	printf("dsr_register_pair  %ux%u %u-bit %s pairs, --model %s, %d pairs: median %.1f CPU "
	       "ms/pair (min %.1f, max %.1f); RMS error median %.4f px, max %.4f px; success "
	       "%d/%d; projective chosen on %d\n", n, nh, bits, proj ? "projective" : "affine",
	       dsr_motion_name(opts.motion), pairs, median(ms, pairs), ms[0], ms[pairs - 1],
	       median(err, pairs), err[pairs - 1], ok, pairs, nproj);
	fclose(truth);
	fclose(res);
	free(ms);
	free(err);
	dsr_register_cleanup();
	return 0;
}
