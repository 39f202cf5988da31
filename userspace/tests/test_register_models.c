/*
 * test_register_models.c - each motion model on pairs of its own kind, the result being
 * of that kind; the mask; the clear failures (unrelated frames, too little overlap,
 * different sizes); landmarks with known residuals and the landmark file.
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
#include "register/register_priv.h"

#define W 256
#define H 256
#define BITS 12

/* u = c + s R(theta) (x - c) + shear + (dx, dy): a transform of a given kind. */
static struct dsr_affine about_centre(double theta_deg, double scale, double shear, double dx,
				      double dy)
{
	double th = theta_deg * M_PI / 180, c = scale * cos(th), s = scale * sin(th);
	double cx = 0.5 * (W - 1), cy = 0.5 * (H - 1);
	struct dsr_affine a = { c, -s + shear, 0, s, c, 0 };

	a.tx = cx - a.a11 * cx - a.a12 * cy + dx;
	a.ty = cy - a.a21 * cx - a.a22 * cy + dy;
	return a;
}

/* A baseline and a follow-up of the same phantom, the follow-up through @a with an
 * exposure change. */
static void make_pair(uint64_t seed, const struct dsr_affine *a, struct dsr_image **ref,
		      struct dsr_image **live)
{
	struct dsr_phantom *ph = dsr_phantom_new(W, H, seed);
	struct dsr_exposure e;

	assert_non_null(ph);
	dsr_exposure_default(&e);
	*ref = dsr_phantom_render(ph, NULL, &e, NULL, BITS, seed * 7 + 1);
	e.gain = 1.15;
	e.gamma = 0.9;
	*live = dsr_phantom_render(ph, a, &e, NULL, BITS, seed * 7 + 2);
	assert_non_null(*ref);
	assert_non_null(*live);
	dsr_phantom_free(ph);
}

static double register_and_score(const struct dsr_image *ref, const struct dsr_image *live,
				 enum dsr_motion m, const uint8_t *mask,
				 const struct dsr_affine *truth, struct dsr_affine *got)
{
	struct dsr_register_opts o;
	struct dsr_register_result r;
	double rms, max;

	dsr_register_opts_default(&o);
	o.motion = m;
	o.mask = mask;
	if (dsr_register_pair(ref, live, &o, &r))
		fail_msg("%s registration failed: %s", dsr_motion_name(m), dsr_error());
	dsr_affine_distance(truth, &r.affine, W, H, &rms, &max);
	printf("%-11s rms %.4f max %.4f px, quality %.4f, %u iterations\n", dsr_motion_name(m),
	       rms, max, r.quality, r.iterations);
	assert_true(r.quality > 0.8 && r.quality <= 1.0);
	*got = r.affine;
	return rms;
}

/* Each model on a pair of its own kind: accurate, and the result is of that kind. */
static void test_each_model(void **state)
{
	struct {
		enum dsr_motion m;
		struct dsr_affine a;
	} cases[] = {
		{ DSR_MOTION_TRANSLATION, about_centre(0, 1, 0, 17.3, -9.6) },
		{ DSR_MOTION_RIGID, about_centre(7.5, 1, 0, -12.2, 20.1) },
		{ DSR_MOTION_SIMILARITY, about_centre(-6, 1.07, 0, 8.4, 11.9) },
		{ DSR_MOTION_AFFINE, about_centre(4, 0.94, 0.018, -21.7, -6.2) },
	};

	(void)state;
	for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct dsr_image *ref, *live;
		struct dsr_affine g;

		make_pair(100 + i, &cases[i].a, &ref, &live);
		assert_true(register_and_score(ref, live, cases[i].m, NULL, &cases[i].a, &g) < 0.1);
		switch (cases[i].m) {
		case DSR_MOTION_TRANSLATION:
			assert_true(g.a11 == 1 && g.a22 == 1 && g.a12 == 0 && g.a21 == 0);
			break;
		case DSR_MOTION_RIGID:
			assert_true(fabs(g.a11 * g.a22 - g.a12 * g.a21 - 1) < 1e-9);
			/* fall through */
		case DSR_MOTION_SIMILARITY:
			assert_true(fabs(g.a11 - g.a22) < 1e-9 && fabs(g.a12 + g.a21) < 1e-9);
			break;
		default:
			break;
		}
		dsr_image_free(ref);
		dsr_image_free(live);
	}
}

/* A model too weak for the pair does worse than the right one: the models really differ. */
static void test_weak_model_is_worse(void **state)
{
	struct dsr_affine a = about_centre(6, 1.06, 0.015, 5, 5), g;
	struct dsr_image *ref, *live;

	(void)state;
	make_pair(200, &a, &ref, &live);
	double good = register_and_score(ref, live, DSR_MOTION_AFFINE, NULL, &a, &g);
	struct dsr_register_opts o;
	struct dsr_register_result r;
	double rms;

	dsr_register_opts_default(&o);
	o.motion = DSR_MOTION_RIGID;
	o.min_quality = 0.01;
	if (dsr_register_pair(ref, live, &o, &r) == 0) {
		dsr_affine_distance(&a, &r.affine, W, H, &rms, NULL);
		printf("rigid on an affine pair: rms %.3f px\n", rms);
		assert_true(rms > 10 * good && rms > 0.5);
	}
	dsr_image_free(ref);
	dsr_image_free(live);
}

/* A burnt-in label at the same sensor position in both frames pulls towards identity;
 * masked, it does not matter. Being clipped (0 / 4095) and made of constant blocks, the
 * automatic mask finds it too; only with that switched off does the label win. */
static void test_mask(void **state)
{
	struct dsr_affine a = about_centre(3, 1, 0, 9.5, -7.25), g;
	struct dsr_image *ref, *live;
	uint8_t *mask = calloc(W * H, 1);

	(void)state;
	assert_non_null(mask);
	make_pair(300, &a, &ref, &live);
	for (int y = 10; y < 70; y++)
		for (int x = 10; x < 120; x++) {
			uint16_t v = ((x / 6 + y / 6) & 1) ? 4095 : 0;

			ref->pixels[y * W + x] = live->pixels[y * W + x] = v;
			mask[y * W + x] = 1;
		}
	assert_true(register_and_score(ref, live, DSR_MOTION_AFFINE, mask, &a, &g) < 0.1);
	/* no user mask: the automatic one finds the label */
	assert_true(register_and_score(ref, live, DSR_MOTION_AFFINE, NULL, &a, &g) < 0.1);
	/* no mask at all: the label wins, a failure (or at least a poor estimate) */
	struct dsr_register_opts o;
	struct dsr_register_result r;
	double rms = INFINITY;

	dsr_register_opts_default(&o);
	o.no_auto_mask = 1;
	if (dsr_register_pair(ref, live, &o, &r) == 0)
		dsr_affine_distance(&a, &r.affine, W, H, &rms, NULL);
	printf("same pair unmasked: %s, rms %.3f px\n", isfinite(rms) ? "registered" : dsr_error(), rms);
	assert_true(rms > 0.5);
	free(mask);
	dsr_image_free(ref);
	dsr_image_free(live);
}

/* Never a silently wrong transform: unrelated frames, too little overlap, bad sizes. */
static void test_failures(void **state)
{
	struct dsr_phantom *p1 = dsr_phantom_new(W, H, 400), *p2 = dsr_phantom_new(W, H, 401);
	struct dsr_image *a = dsr_phantom_render(p1, NULL, NULL, NULL, BITS, 1);
	struct dsr_image *b = dsr_phantom_render(p2, NULL, NULL, NULL, BITS, 2);
	struct dsr_affine far = about_centre(0, 1, 0, 0.85 * W, 0.8 * H);
	struct dsr_image *c = dsr_phantom_render(p1, &far, NULL, NULL, BITS, 3);
	struct dsr_image *small = dsr_image_new(W, H / 2, BITS);
	struct dsr_register_result r;

	(void)state;
	assert_int_equal(dsr_register_pair(a, b, NULL, &r), -1);
	printf("unrelated frames: %s\n", dsr_error());
	assert_non_null(strstr(dsr_error(), "registration failed"));
	assert_int_equal(dsr_register_pair(a, c, NULL, &r), -1);
	printf("3%% overlap: %s\n", dsr_error());
	assert_int_equal(dsr_register_pair(a, small, NULL, &r), -1);
	assert_non_null(strstr(dsr_error(), "same size"));
	/* a flat live frame has nothing to register on */
	memset(small->pixels, 0, sizeof(uint16_t) * W * H / 2);
	struct dsr_image *flat = dsr_image_new(W, H, BITS);

	assert_int_equal(dsr_register_pair(a, flat, NULL, &r), -1);
	printf("flat frame: %s\n", dsr_error());
	dsr_image_free(flat);
	dsr_image_free(small);
	dsr_image_free(a);
	dsr_image_free(b);
	dsr_image_free(c);
	dsr_phantom_free(p1);
	dsr_phantom_free(p2);
}

/* The coarse steps on their own: Fourier-Mellin finds rotation and scale, phase
 * correlation the shift, each close enough for ECC (and with the right signs). */
static void test_coarse_steps(void **state)
{
	struct dsr_phantom *ph = dsr_phantom_new(W, H, 500);
	struct dsr_affine a = about_centre(8, 1.06, 0, 0, 0), s = about_centre(0, 1, 0, 12.25, -7.5);
	struct dsr_image *ref = dsr_phantom_render(ph, NULL, NULL, NULL, BITS, 1);
	struct dsr_image *rot = dsr_phantom_render(ph, &a, NULL, NULL, BITS, 2);
	struct dsr_image *shifted = dsr_phantom_render(ph, &s, NULL, NULL, BITS, 3);
	struct fimg *fr = fimg_from_image(ref, NULL), *fo = fimg_from_image(rot, NULL);
	struct fimg *fs = fimg_from_image(shifted, NULL);
	struct rot_scale c[3];
	double dx, dy, peak;

	(void)state;
	assert_true(fr && fo && fs);
	assert_true(fourier_mellin(fr, fo, c, 3) >= 1);
	printf("Fourier-Mellin: %.3f deg (true 8), scale %.4f (true 1.06)\n",
	       c[0].theta * 180 / M_PI, c[0].scale);
	assert_true(fabs(c[0].theta * 180 / M_PI - 8) < 0.5);
	assert_true(fabs(c[0].scale - 1.06) < 0.01);
	assert_int_equal(phase_correlate(fr, fs, &dx, &dy, &peak), 0);
	printf("phase correlation: (%.3f, %.3f) (true 12.25, -7.5), peak %.3f\n", dx, dy, peak);
	assert_true(fabs(dx - 12.25) < 0.25 && fabs(dy + 7.5) < 0.25);
	fimg_free(fr);
	fimg_free(fo);
	fimg_free(fs);
	dsr_image_free(ref);
	dsr_image_free(rot);
	dsr_image_free(shifted);
	dsr_phantom_free(ph);
}

/*
 * Landmarks: four points on a square, the reference points moved off the transform by
 * +-delta in the x*y pattern, which is orthogonal to every model's parameters. So the
 * fit is the true transform and every residual is exactly delta.
 */
/* Projective landmarks: four points give the homography exactly, eight noisy ones
 * within their noise; fewer than four, or four with three on a line, are refused. */
static void test_landmarks_projective(void **state)
{
	const struct dsr_homography t = { { 1.02, -0.05, 12.5, 0.04, 0.99, -7.25, 2e-5, -1.5e-5, 1 } };
	const double xs[8] = { 20, 1000, 30, 990, 500, 260, 740, 515 };
	const double ys[8] = { 15, 25, 1010, 1000, 510, 300, 760, 100 };
	struct dsr_landmark p[8];
	struct dsr_homography got;
	double res[8], rms, worst = 0;

	(void)state;
	for (int i = 0; i < 8; i++) {
		const double *m = t.h;
		double w = m[6] * xs[i] + m[7] * ys[i] + 1;

		p[i] = (struct dsr_landmark){ xs[i], ys[i], (m[0] * xs[i] + m[1] * ys[i] + m[2]) / w,
					       (m[3] * xs[i] + m[4] * ys[i] + m[5]) / w };
	}
	assert_int_equal(dsr_register_landmarks_h(p, 4, &got, res, &rms), 0);
	for (int i = 0; i < 9; i++)
		worst = fmax(worst, fabs(got.h[i] - t.h[i]) * (i < 6 && i % 3 == 2 ? 1 : 1000));
	printf("landmarks projective, 4 points: rms %.2g px, largest coefficient error %.2g\n",
	       rms, worst);
	assert_true(rms < 1e-9 && worst < 1e-9);
	for (int i = 0; i < 8; i++)	/* +-0.5 px of pick error */
		p[i].ref_x += i & 1 ? 0.5 : -0.5;
	assert_int_equal(dsr_register_landmarks_h(p, 8, &got, res, &rms), 0);
	printf("landmarks projective, 8 noisy points: rms %.3f px\n", rms);
	assert_true(rms > 0.1 && rms < 0.5);
	assert_int_equal(dsr_register_landmarks_h(p, 3, &got, res, &rms), -1);
	assert_non_null(strstr(dsr_error(), "at least 4"));
	p[2] = (struct dsr_landmark){ 510, 20, 511, 21 };	/* on the line of 0 and 1 */
	p[3] = (struct dsr_landmark){ 760, 22.5, 762, 24 };
	p[3].live_y = 15 + (25 - 15) * (760.0 - 20) / (1000 - 20);
	p[2].live_y = 15 + (25 - 15) * (510.0 - 20) / (1000 - 20);
	assert_int_equal(dsr_register_landmarks_h(p, 4, &got, res, &rms), -1);
	assert_non_null(strstr(dsr_error(), "degenerate"));
}

static void test_landmarks_known_residuals(void **state)
{
	const double delta = 0.75, sx[4] = { 1, 1, -1, -1 }, sy[4] = { 1, -1, 1, -1 };
	struct dsr_affine truths[4] = {
		{ 1, 0, 12.5, 0, 1, -3.25 },
		about_centre(8, 1, 0, 4, -6),
		about_centre(-5, 1.08, 0, -7, 2),
		about_centre(3, 0.93, 0.02, 11, 9),
	};

	(void)state;
	for (int m = 0; m < 4; m++) {
		const struct dsr_affine *t = &truths[m];
		struct dsr_landmark p[4];
		struct dsr_affine got;
		double res[4], rms, drms;

		for (int i = 0; i < 4; i++) {
			double x = 200 + 90 * sx[i], y = 150 + 60 * sy[i];

			p[i].live_x = x;
			p[i].live_y = y;
			p[i].ref_x = t->a11 * x + t->a12 * y + t->tx + delta * sx[i] * sy[i];
			p[i].ref_y = t->a21 * x + t->a22 * y + t->ty;
		}
		assert_int_equal(dsr_register_landmarks(p, 4, (enum dsr_motion)m, &got, res, &rms), 0);
		dsr_affine_distance(t, &got, 1024, 1024, &drms, NULL);
		printf("landmarks %-11s residuals %.6f %.6f %.6f %.6f rms %.6f, off by %.2g px\n",
		       dsr_motion_name((enum dsr_motion)m), res[0], res[1], res[2], res[3], rms, drms);
		for (int i = 0; i < 4; i++)
			assert_true(fabs(res[i] - delta) < 1e-9);
		assert_true(fabs(rms - delta) < 1e-9);
		assert_true(drms < 1e-9);
	}
}

static void test_landmarks_errors_and_file(void **state)
{
	struct dsr_landmark line[3] = { { 0, 0, 1, 1 }, { 10, 10, 11, 11 }, { 20, 20, 21, 21 } };
	struct dsr_landmark *pts;
	struct dsr_affine a;
	double rms;
	char path[1024];
	const char good[] = "# live_x live_y ref_x ref_y\n10 20 12 21\n\n"
			    "100, 20, 102.5, 21  # comment\n50 90 52 91.5\n";
	const char bad[] = "10 20 12 21\n1 2 3\n";

	(void)state;
	snprintf(path, sizeof(path), "%s", t_scratch_path("lm.txt"));
	assert_int_equal(dsr_register_landmarks(line, 2, DSR_MOTION_TRANSLATION, &a, NULL, &rms), -1);
	assert_non_null(strstr(dsr_error(), "at least 3"));
	assert_int_equal(dsr_register_landmarks(line, 3, DSR_MOTION_AFFINE, &a, NULL, &rms), -1);
	assert_non_null(strstr(dsr_error(), "collinear"));
	assert_int_equal(dsr_register_landmarks(line, 3, DSR_MOTION_RIGID, &a, NULL, &rms), 0);
	assert_true(rms < 1e-9 && fabs(a.tx - 1) < 1e-9);

	assert_int_equal(t_write_file(path, good, sizeof(good) - 1), 0);
	assert_int_equal(dsr_landmarks_load(path, &pts), 3);
	assert_true(pts[1].live_x == 100 && pts[1].ref_x == 102.5 && pts[2].ref_y == 91.5);
	free(pts);
	assert_int_equal(t_write_file(path, bad, sizeof(bad) - 1), 0);
	assert_int_equal(dsr_landmarks_load(path, &pts), -1);
	printf("bad landmark file: %s\n", dsr_error());
	assert_non_null(strstr(dsr_error(), ":2:"));
	assert_int_equal(dsr_landmarks_load(t_scratch_path("missing.txt"), &pts), -1);
	/* untrusted text: not-a-number, infinity, binary junk, an endless line, nothing */
	static const char *const junk[] = {
		"1 2 3 nan\n", "1 2 3 inf\n", "1 2 3 4 5\n", "1,,2 3 4\n", "\x01\xff\xfe 2 3 4\n",
		"# only a comment\n\n", "1e999 2 3 4\n",
	};

	for (unsigned i = 0; i < sizeof(junk) / sizeof(junk[0]); i++) {
		assert_int_equal(t_write_file(path, junk[i], strlen(junk[i])), 0);
		assert_int_equal(dsr_landmarks_load(path, &pts), -1);
		assert_null(pts);
	}
	char *longline = malloc(5000);

	assert_non_null(longline);
	memset(longline, '1', 4999);
	longline[4999] = 0;
	assert_int_equal(t_write_file(path, longline, 4999), 0);
	assert_int_equal(dsr_landmarks_load(path, &pts), -1);
	printf("endless line: %s\n", dsr_error());
	free(longline);
	t_scratch_cleanup();
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
		cmocka_unit_test(test_coarse_steps),
		cmocka_unit_test(test_each_model),
		cmocka_unit_test(test_weak_model_is_worse),
		cmocka_unit_test(test_mask),
		cmocka_unit_test(test_failures),
		cmocka_unit_test(test_landmarks_known_residuals),
		cmocka_unit_test(test_landmarks_projective),
		cmocka_unit_test(test_landmarks_errors_and_file),
	};

	return cmocka_run_group_tests(tests, NULL, teardown);
}
