/*
 * test_register_projective.c - projective registration on a seeded set of phantom pairs
 * with beam angulation, against affine-only registration of the same pairs.
 *
 * Each pair: a baseline and a follow-up of the same phantom, the follow-up through a
 * known homography: a point-source projection of the plane tilted by up to +-5 degrees
 * about both axes (focal distance 3750 px, e.g. 300 mm at 80 um pixels), which spans
 * the board's whole perspective range |h31|*4096, |h32|*4096 <= 0.1, followed by a
 * repositioning (rotation +-10 deg, scale 0.9..1.1, shear +-2 %, translation +-10 %),
 * another exposure and independent noise. The error of a pair is the RMS over every
 * pixel of the distance between where the true and the estimated transforms send it.
 * Required of --model projective: median <= 0.03 px, 95th percentile <= 0.2 px, success
 * (RMS < 1 px) >= 99 %. The affine-only table is printed for comparison: the error
 * projective registration removes.
 *
 * Also: a border-filled pair (a rotated frame with constant corners, a clipped band)
 * within 0.1 px.
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

#ifndef N
#define N 320
#endif
#ifndef PAIRS
#define PAIRS 100
#endif
#define PAIRS_PER_PHANTOM 4
#define BITS 12
#define FOCAL 3750.0
#define MAX_TILT 5.0

/* Repositioning about the frame centre, then the angulation. */
static void random_pair_transform(struct t_rng *r, struct dsr_homography *h, double *tilt)
{
	double th = t_rng_uniform(r, -10, 10) * M_PI / 180, s = t_rng_uniform(r, 0.9, 1.1);
	double sh = t_rng_uniform(r, -0.02, 0.02), c = (N - 1) / 2.0;
	struct dsr_affine a = { s * cos(th), -s * sin(th) + sh, 0, s * sin(th), s * cos(th), 0 };

	a.tx = c - a.a11 * c - a.a12 * c + t_rng_uniform(r, -0.1, 0.1) * N;
	a.ty = c - a.a21 * c - a.a22 * c + t_rng_uniform(r, -0.1, 0.1) * N;
	tilt[0] = t_rng_uniform(r, -MAX_TILT, MAX_TILT);
	tilt[1] = t_rng_uniform(r, -MAX_TILT, MAX_TILT);
	assert_int_equal(dsr_beam_angulation(N, N, tilt[0], tilt[1], FOCAL, &a, h), 0);
}

/* RMS and max over an n x n frame of the distance between two homographies' mappings. */
static void h_distance_n(const struct dsr_homography *a, const struct dsr_homography *b,
			 int n, double *rms, double *max)
{
	double ss = 0, worst = 0;

	for (int y = 0; y < n; y++)
		for (int x = 0; x < n; x++) {
			const double *p = a->h, *q = b->h;
			double wp = p[6] * x + p[7] * y + p[8], wq = q[6] * x + q[7] * y + q[8];
			double du = (p[0] * x + p[1] * y + p[2]) / wp - (q[0] * x + q[1] * y + q[2]) / wq;
			double dv = (p[3] * x + p[4] * y + p[5]) / wp - (q[3] * x + q[4] * y + q[5]) / wq;
			double d2 = du * du + dv * dv;

			ss += d2;
			worst = fmax(worst, d2);
		}
	*rms = sqrt(ss / ((double)n * n));
	*max = sqrt(worst);
}

static void h_distance(const struct dsr_homography *a, const struct dsr_homography *b,
		       double *rms, double *max)
{
	h_distance_n(a, b, N, rms, max);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double percentile(const double *v, int n, double p)
{
	double pos = p * (n - 1);
	int i = (int)pos;

	return i + 1 < n ? v[i] + (pos - i) * (v[i + 1] - v[i]) : v[n - 1];
}

struct table {
	double err[PAIRS], seconds;
	int ok, failed;
	double med, p95, max;
};

static void table_finish(struct table *t, const char *name)
{
	double sorted[PAIRS];

	memcpy(sorted, t->err, sizeof(sorted));
	qsort(sorted, PAIRS, sizeof(double), cmp_double);
	t->med = percentile(sorted, PAIRS, 0.5);
	t->p95 = percentile(sorted, PAIRS, 0.95);
	t->max = sorted[PAIRS - 1];
	printf("%-12s %8.4f %8.4f %8.4f   %3d/%d  %3d   %6.1f\n", name, t->med, t->p95, t->max,
	       t->ok, PAIRS, t->failed, 1e3 * t->seconds / PAIRS);
}

/* One registration of a pair into table @t at index k. */
static void run(struct table *t, int k, const struct dsr_image *ref, const struct dsr_image *live,
		enum dsr_motion m, const struct dsr_homography *truth, double *rms_out)
{
	struct dsr_register_opts o;
	struct dsr_register_result r;
	double rms = INFINITY, max;

	dsr_register_opts_default(&o);
	o.motion = m;
	if (dsr_register_pair(ref, live, &o, &r) == 0)
		h_distance(truth, &r.homography, &rms, &max);
	else if (t->failed++ < 3)
		printf("pair %d, %s: %s\n", k, dsr_motion_name(m), dsr_error());
	if (!isfinite(rms))
		rms = 1e9;	/* a failure: sorts last */
	t->seconds += r.seconds;
	t->err[k] = rms;
	t->ok += rms < 1.0;
	*rms_out = rms;
}

static void test_projective_accuracy_set(void **state)
{
	static struct table proj, aff;
	struct dsr_phantom *ph = NULL;
	struct dsr_image *ref = NULL;
	struct t_rng rng;
	double hmax = 0;

	(void)state;
	t_rng_seed(&rng, 20261205);
	printf("pair  tilt x  tilt y  h31*4096 h32*4096   RMS proj  RMS affine\n");
	for (int k = 0; k < PAIRS; k++) {
		struct dsr_homography h;
		struct dsr_exposure e;
		double tilt[2], rp, ra;

		if (k % PAIRS_PER_PHANTOM == 0) {
			dsr_image_free(ref);
			dsr_phantom_free(ph);
			ph = dsr_phantom_new(N, N, 9000 + k);
			assert_non_null(ph);
			ref = dsr_phantom_render(ph, NULL, NULL, NULL, BITS, 97000 + k);
			assert_non_null(ref);
		}
		random_pair_transform(&rng, &h, tilt);
		hmax = fmax(hmax, fmax(fabs(h.h[6]), fabs(h.h[7])) * 4096);
		dsr_exposure_default(&e);
		e.gain = t_rng_uniform(&rng, 0.8, 1.25);
		e.gamma = t_rng_uniform(&rng, 0.85, 1.15);
		struct dsr_image *live = dsr_phantom_render_h(ph, &h, &e, NULL, BITS, 98000 + k);

		assert_non_null(live);
		run(&proj, k, ref, live, DSR_MOTION_PROJECTIVE, &h, &rp);
		run(&aff, k, ref, live, DSR_MOTION_AFFINE, &h, &ra);
		if (k < 8 || rp > 0.1)
			printf("%4d %7.2f %7.2f %8.4f %8.4f %10.4f %10.4f%s\n", k, tilt[0], tilt[1],
			       h.h[6] * 4096, h.h[7] * 4096, rp, ra, isfinite(rp) ? "" : "  FAILED");
		dsr_image_free(live);
	}
	dsr_image_free(ref);
	dsr_phantom_free(ph);
	printf("\n%d pairs of %dx%d, beam angulation up to %.0f deg (largest |h3x|*4096 %.3f):\n",
	       PAIRS, N, N, MAX_TILT, hmax);
	printf("model        median     p95      max    success fail  ms/pair\n");
	table_finish(&proj, "projective");
	table_finish(&aff, "affine only");
	printf("required of projective: median <= 0.03, p95 <= 0.2, success >= 99 %%\n");
	assert_true(hmax > 0.08);	/* the set does reach across the range */
	assert_true(proj.med <= 0.03);
	assert_true(proj.p95 <= 0.2);
	assert_true(proj.ok >= (PAIRS * 99 + 99) / 100);
	assert_true(aff.med > proj.med);
}

/* A rotated frame padded with constant grey where it has no data (and clipped white
 * along one edge): registered within 0.1 px, as without the fill; the fill and the
 * clipped band are found and masked in both frames. Without the automatic mask the same
 * pair is printed for comparison. */
static void test_border_filled_pair(void **state)
{
	const uint32_t n = 256;
	struct dsr_phantom *ph = dsr_phantom_new(n, n, 4242);
	struct dsr_image *ref, *live;
	double th = 12 * M_PI / 180, c = (n - 1) / 2.0, rms[2] = { 0 }, max;
	struct dsr_affine a = { cos(th), -sin(th), 0, sin(th), cos(th), 0 };
	struct dsr_homography truth;
	int filled = 0;

	(void)state;
	assert_non_null(ph);
	a.tx = c - a.a11 * c - a.a12 * c + 6.3;
	a.ty = c - a.a21 * c - a.a22 * c - 4.7;
	dsr_homography_from_affine(&a, &truth);
	ref = dsr_phantom_render(ph, NULL, NULL, NULL, BITS, 1);
	live = dsr_phantom_render(ph, &a, NULL, NULL, BITS, 2);
	assert_non_null(ref);
	assert_non_null(live);
	for (uint32_t y = 0; y < n; y++)
		for (uint32_t x = 0; x < n; x++) {
			double u = a.a11 * x + a.a12 * y + a.tx, v = a.a21 * x + a.a22 * y + a.ty;

			if (u < 0 || v < 0 || u > n - 1 || v > n - 1) {
				live->pixels[(size_t)y * n + x] = 2048;	/* the padding */
				filled++;
			}
		}
	for (uint32_t y = 0; y < 6; y++)	/* a clipped band in the reference */
		for (uint32_t x = 0; x < n; x++)
			ref->pixels[(size_t)y * n + x] = (1u << BITS) - 1;
	assert_true(filled > (int)(n * n / 20));
	for (int k = 0; k < 2; k++) {
		struct dsr_register_opts o;
		struct dsr_register_result r;

		dsr_register_opts_default(&o);
		o.no_auto_mask = k;
		if (dsr_register_pair(ref, live, &o, &r) == 0) {
			struct dsr_homography h;

			dsr_homography_from_affine(&r.affine, &h);
			h_distance_n(&truth, &h, n, &rms[k], &max);
		} else {
			rms[k] = INFINITY;
			printf("border-filled pair, %s: %s\n", k ? "no automatic mask" : "automatic mask",
			       dsr_error());
		}
	}
	printf("border-filled pair (%d padded pixels): RMS %.4f px with the automatic mask, "
	       "%.4f px without\n", filled, rms[0], rms[1]);
	assert_true(rms[0] <= 0.1);
	dsr_image_free(ref);
	dsr_image_free(live);
	dsr_phantom_free(ph);
}

/* --model auto: the homography on an angulated pair, the affine on a pair without
 * angulation (the extra parameters then lower the residual by less than noise explains). */
static void test_auto_choice(void **state)
{
	struct dsr_phantom *ph = dsr_phantom_new(N, N, 777);
	struct dsr_image *ref;
	const double tilts[2][2] = { { 4.5, -3.5 }, { 0, 0 } };

	(void)state;
	assert_non_null(ph);
	ref = dsr_phantom_render(ph, NULL, NULL, NULL, BITS, 11);
	assert_non_null(ref);
	for (int k = 0; k < 2; k++) {
		double c = (N - 1) / 2.0, th = 4 * M_PI / 180, rms, max;
		struct dsr_affine a = { cos(th), -sin(th), 0, sin(th), cos(th), 0 };
		struct dsr_homography h;
		struct dsr_register_opts o;
		struct dsr_register_result r;

		a.tx = c - a.a11 * c - a.a12 * c + 3.3;
		a.ty = c - a.a21 * c - a.a22 * c - 2.1;
		assert_int_equal(dsr_beam_angulation(N, N, tilts[k][0], tilts[k][1], FOCAL, &a, &h), 0);
		struct dsr_image *live = dsr_phantom_render_h(ph, &h, NULL, NULL, BITS, 12 + k);

		assert_non_null(live);
		dsr_register_opts_default(&o);
		o.motion = DSR_MOTION_AUTO;
		assert_int_equal(dsr_register_pair(ref, live, &o, &r), 0);
		h_distance(&h, &r.homography, &rms, &max);
		printf("auto, tilt %.1f/%.1f deg: %s, residual on level %d: %.4f x noise affine, "
		       "%.4f projective, chi-square %.1f; RMS %.4f px\n", tilts[k][0], tilts[k][1],
		       r.projective ? "projective" : "affine", r.model_level,
		       r.affine_residual_ratio, r.projective_residual_ratio, r.model_chi2, rms);
		assert_int_equal(r.projective, k == 0);
		assert_true(rms < 0.05);
		if (k == 1) {	/* the affine chosen is bit for bit the affine model's result */
			struct dsr_register_result ra;

			o.motion = DSR_MOTION_AFFINE;
			assert_int_equal(dsr_register_pair(ref, live, &o, &ra), 0);
			assert_memory_equal(&ra.affine, &r.affine, sizeof(r.affine));
			assert_memory_equal(&ra.homography, &r.homography, sizeof(r.homography));
			assert_true(ra.quality == r.quality && ra.residual_ratio == r.residual_ratio);
		}
		dsr_image_free(live);
	}
	dsr_image_free(ref);
	dsr_phantom_free(ph);
}

/* The default is auto, and auto keeps the affine where the homography would be beyond
 * the board's perspective range (the board could not apply it; --model projective
 * reports that instead). */
static void test_auto_default_and_range(void **state)
{
	struct dsr_phantom *ph = dsr_phantom_new(N, N, 778);
	struct dsr_affine a = { 1, 0, 2.5, 0, 1, -1.5 };
	struct dsr_homography h;
	struct dsr_register_opts o;
	struct dsr_register_result r;

	(void)state;
	dsr_register_opts_default(&o);
	assert_int_equal(o.motion, DSR_MOTION_AUTO);
	assert_non_null(ph);
	/* 8 degrees at 2500 px: |h31| * 4096 = 0.14, beyond 0.1 */
	assert_int_equal(dsr_beam_angulation(N, N, 8, 0, 2500, &a, &h), 0);
	assert_true(fabs(h.h[6]) * 4096 > 0.1);
	struct dsr_image *ref = dsr_phantom_render(ph, NULL, NULL, NULL, BITS, 21);
	struct dsr_image *live = dsr_phantom_render_h(ph, &h, NULL, NULL, BITS, 22);

	assert_non_null(ref);
	assert_non_null(live);
	int rc = dsr_register_pair(ref, live, &o, &r);

	printf("auto beyond the range: %s (chi-square %.0f)\n", rc ? dsr_error() :
	       r.projective ? "projective" : "affine", r.model_chi2);
	assert_int_equal(r.projective, 0);
	assert_true(r.model_chi2 > DSR_REGISTER_AUTO_CHI2);	/* the evidence was there */
	dsr_image_free(ref);
	dsr_image_free(live);
	dsr_phantom_free(ph);
}

/* Landmarks under auto: the homography from five points on where the F-test wants it,
 * the affine for points an affine explains. */
static void test_landmarks_auto(void **state)
{
	struct dsr_affine a = { 1.02, -0.05, 7.5, 0.06, 0.99, -4.25 }, got;
	struct dsr_homography h, hg;
	struct dsr_landmark pts[8];
	struct t_rng rng;
	double rms;
	int proj;

	(void)state;
	t_rng_seed(&rng, 99);
	assert_int_equal(dsr_beam_angulation(1000, 1000, 4, -3, 6000, &a, &h), 0);
	for (int k = 0; k < 2; k++) {
		for (int i = 0; i < 8; i++) {
			double x = t_rng_uniform(&rng, 50, 950), y = t_rng_uniform(&rng, 50, 950);
			double w = k ? h.h[6] * x + h.h[7] * y + 1 : 1;
			double u = k ? (h.h[0] * x + h.h[1] * y + h.h[2]) / w
				     : a.a11 * x + a.a12 * y + a.tx;
			double v = k ? (h.h[3] * x + h.h[4] * y + h.h[5]) / w
				     : a.a21 * x + a.a22 * y + a.ty;

			/* a hand's placement: 0.3 px of scatter */
			pts[i] = (struct dsr_landmark){ x, y, u + t_rng_uniform(&rng, -0.3, 0.3),
							v + t_rng_uniform(&rng, -0.3, 0.3) };
		}
		assert_int_equal(dsr_register_landmarks_auto(pts, 8, &got, &hg, &proj, NULL, &rms), 0);
		printf("landmarks auto, %s points: %s, RMS %.3f px\n", k ? "projective" : "affine",
		       proj ? "projective" : "affine", rms);
		assert_int_equal(proj, k);
		assert_true(rms < 0.4);
	}
	/* four points leave nothing to judge by: the affine */
	assert_int_equal(dsr_register_landmarks_auto(pts, 4, &got, &hg, &proj, NULL, &rms), 0);
	assert_int_equal(proj, 0);
}

/* A frame larger than the projective start level (640 x 480): --model projective stops
 * the affine descent at that level and goes on projectively from there. */
static void test_projective_large_frame(void **state)
{
	const uint32_t w = 640, h = 480;
	struct dsr_phantom *ph = dsr_phantom_new(w, h, 31);
	struct dsr_affine a = { 1, 0, 4.5, 0, 1, -3.25 };
	struct dsr_homography t, got;
	struct dsr_register_opts o;
	struct dsr_register_result r;
	double ss = 0, rms;

	(void)state;
	assert_non_null(ph);
	assert_int_equal(dsr_beam_angulation(w, h, 3.5, -2.5, 6000, &a, &t), 0);
	struct dsr_image *ref = dsr_phantom_render(ph, NULL, NULL, NULL, BITS, 5);
	struct dsr_image *live = dsr_phantom_render_h(ph, &t, NULL, NULL, BITS, 6);

	assert_non_null(ref);
	assert_non_null(live);
	dsr_register_opts_default(&o);
	o.motion = DSR_MOTION_PROJECTIVE;
	assert_int_equal(dsr_register_pair(ref, live, &o, &r), 0);
	assert_true(r.projective);
	got = r.homography;
	for (uint32_t y = 0; y < h; y += 2)
		for (uint32_t x = 0; x < w; x += 2) {
			const double *p = t.h, *q = got.h;
			double wp = p[6] * x + p[7] * y + p[8], wq = q[6] * x + q[7] * y + q[8];
			double du = (p[0] * x + p[1] * y + p[2]) / wp - (q[0] * x + q[1] * y + q[2]) / wq;
			double dv = (p[3] * x + p[4] * y + p[5]) / wp - (q[3] * x + q[4] * y + q[5]) / wq;

			ss += du * du + dv * dv;
		}
	rms = sqrt(ss / ((double)w * h / 4));
	printf("projective %ux%u: RMS %.4f px, quality %.4f, residual %.3f x noise\n", w, h, rms,
	       r.quality, r.residual_ratio);
	assert_true(rms < 0.05);
	/* the affine part is reported at full size: close to the homography near the centre */
	assert_true(fabs(r.affine.tx - got.h[2]) < 5 && fabs(r.affine.a11 - got.h[0]) < 0.05);
	dsr_image_free(ref);
	dsr_image_free(live);
	dsr_phantom_free(ph);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_border_filled_pair),
		cmocka_unit_test(test_auto_choice),
		cmocka_unit_test(test_auto_default_and_range),
		cmocka_unit_test(test_landmarks_auto),
		cmocka_unit_test(test_projective_large_frame),
		cmocka_unit_test(test_projective_accuracy_set),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);

	dsr_register_cleanup();
	return rc;
}
