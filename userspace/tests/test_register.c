/*
 * test_register.c - the accuracy requirement on a fixed, seeded set of phantom pairs.
 *
 * Each pair: a baseline and a follow-up of the same phantom, the follow-up through a
 * known transform (rotation +-10 deg, scale 0.9..1.1, shear +-2 %, translation up to
 * +-15 % of the frame), another exposure (gain 0.75..1.3, gamma 0.8..1.25) and the
 * phantom's realistic noise (independent in both frames). The error of a pair is the
 * RMS, over every pixel of the frame, of the distance between where the true and the
 * estimated transforms send it. Required: median <= 0.05 px, 95th percentile <= 0.2 px,
 * success (RMS < 1 px) on at least 99 % of the pairs.
 *
 * Registered with the default model (auto), which must keep the affine on every pair.
 *
 * 256 x 256 frames and 100 pairs keep this to well under a minute under ASan/UBSan.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/testutil.h"
#include "dsr/error.h"
#include "dsr/register.h"
#include "dsr/sample.h"

#define N 256
#define PAIRS 100
#define PAIRS_PER_PHANTOM 4
#define BITS 12

/* A repositioning within the requirement's ranges, about the frame centre. */
static struct dsr_affine random_transform(struct t_rng *r)
{
	double th = t_rng_uniform(r, -10, 10) * M_PI / 180, s = t_rng_uniform(r, 0.9, 1.1);
	double sh = t_rng_uniform(r, -0.02, 0.02), c = (N - 1) / 2.0;
	struct dsr_affine a = { s * cos(th), -s * sin(th) + sh, 0, s * sin(th), s * cos(th), 0 };

	a.tx = c - a.a11 * c - a.a12 * c + t_rng_uniform(r, -0.15, 0.15) * N;
	a.ty = c - a.a21 * c - a.a22 * c + t_rng_uniform(r, -0.15, 0.15) * N;
	return a;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Linear-interpolated percentile of sorted values. */
static double percentile(const double *v, int n, double p)
{
	double pos = p * (n - 1);
	int i = (int)pos;

	return i + 1 < n ? v[i] + (pos - i) * (v[i + 1] - v[i]) : v[n - 1];
}

static void test_accuracy_set(void **state)
{
	static double err[PAIRS], sorted[PAIRS];
	struct dsr_phantom *ph = NULL;
	struct dsr_image *ref = NULL;
	struct t_rng rng;
	int ok = 0, failed = 0, projective = 0;
	double seconds = 0, worst_ratio = 0;

	(void)state;
	t_rng_seed(&rng, 20261126);
	printf("pair  rot(deg)  scale  shear%%     tx      ty   gain gamma    RMS px   max px  quality  resid/noise\n");
	for (int k = 0; k < PAIRS; k++) {
		if (k % PAIRS_PER_PHANTOM == 0) {
			dsr_image_free(ref);
			dsr_phantom_free(ph);
			ph = dsr_phantom_new(N, N, 5000 + k);
			assert_non_null(ph);
			ref = dsr_phantom_render(ph, NULL, NULL, NULL, BITS, 77000 + k);
			assert_non_null(ref);
		}
		struct dsr_affine a = random_transform(&rng);
		struct dsr_exposure e;

		dsr_exposure_default(&e);
		e.gain = t_rng_uniform(&rng, 0.75, 1.3);
		e.gamma = t_rng_uniform(&rng, 0.8, 1.25);
		struct dsr_image *live = dsr_phantom_render(ph, &a, &e, NULL, BITS, 88000 + k);
		struct dsr_register_result r;
		double rms = INFINITY, max = INFINITY;

		assert_non_null(live);
		if (dsr_register_pair(ref, live, NULL, &r) == 0)	/* the default: auto */
			dsr_affine_distance(&a, &r.affine, N, N, &rms, &max);
		else
			failed++;
		projective += r.projective;
		seconds += r.seconds;
		if (isfinite(rms) && r.residual_ratio > worst_ratio)
			worst_ratio = r.residual_ratio;
		err[k] = rms;
		ok += rms < 1.0;
		if (k < 10 || rms > 0.1)	/* the first few, and every poor one */
			printf("%4d %8.2f %7.3f %6.2f %7.1f %7.1f %6.2f %5.2f %9.4f %8.4f  %.4f  %6.2f%s\n", k,
			       atan2(a.a21, a.a11) * 180 / M_PI, hypot(a.a11, a.a21),
			       100 * (a.a12 + a.a21), a.tx, a.ty, e.gain, e.gamma, rms, max,
			       r.quality, r.residual_ratio, isfinite(rms) ? "" : "  FAILED");
		dsr_image_free(live);
	}
	dsr_image_free(ref);
	dsr_phantom_free(ph);
	memcpy(sorted, err, sizeof(err));
	qsort(sorted, PAIRS, sizeof(double), cmp_double);
	double med = percentile(sorted, PAIRS, 0.5), p95 = percentile(sorted, PAIRS, 0.95);

	printf("\naccuracy over %d pairs of %dx%d (affine model):\n", PAIRS, N, N);
	printf("  median RMS   %.4f px   (required <= 0.05)\n", med);
	printf("  95th pct RMS %.4f px   (required <= 0.2)\n", p95);
	printf("  max RMS      %.4f px\n", sorted[PAIRS - 1]);
	printf("  success      %d/%d = %.0f %% (RMS < 1 px; required >= 99 %%), %d reported "
	       "failure\n", ok, PAIRS, 100.0 * ok / PAIRS, failed);
	printf("  residual/noise ratio: at most %.2f (failure above %.0f)\n", worst_ratio,
	       DSR_REGISTER_MAX_RESIDUAL);
	printf("  mean time    %.1f ms per pair (this build)\n", 1e3 * seconds / PAIRS);
	printf("  model        affine chosen on %d of %d pairs (the default, auto)\n",
	       PAIRS - projective, PAIRS);
	assert_true(med <= 0.05);
	assert_true(p95 <= 0.2);
	assert_true(ok >= (PAIRS * 99 + 99) / 100);
	assert_int_equal(projective, 0);	/* no angulation: the homography not warranted */
}

static int teardown(void **state)
{
	(void)state;
	dsr_register_cleanup();
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_accuracy_set),
	};

	return cmocka_run_group_tests(tests, NULL, teardown);
}
