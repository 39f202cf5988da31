/*
 * test_contrast.c - the contrast-matching LUT on synthetic exposures: a gamma change is
 * recovered within 2 %, a gain/offset change by the linear fit, only the overlap counts,
 * and the LUT is laid out as the board wants it.
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
#include "dsr/contrast.h"
#include "dsr/error.h"
#include "dsr/image.h"

#define W 256
#define H 256
#define BITS 12
#define FS 4095.0

/* A reference with smooth structure over most of the grey range plus fine texture. */
static struct dsr_image *make_reference(uint64_t seed)
{
	struct dsr_image *im = dsr_image_new(W, H, BITS);
	struct t_rng r;

	assert_non_null(im);
	t_rng_seed(&r, seed);
	for (int y = 0; y < H; y++)
		for (int x = 0; x < W; x++) {
			double s = 0.5 + 0.35 * sin(x * 0.031 + 0.4 * sin(y * 0.05)) * cos(y * 0.023) +
				   0.03 * t_rng_uniform(&r, -1, 1);

			im->pixels[y * W + x] = (uint16_t)lround(FS * fmin(fmax(s, 0.02), 0.98));
		}
	return im;
}

/* live(x, y) = gain * FS * (ref(x + dx, y + dy) / FS)^gamma + noise; pixels that see
 * outside the reference are garbage (so only the overlap may be used). */
static struct dsr_image *make_live(const struct dsr_image *ref, int dx, int dy, double gain,
				   double gamma, double noise, uint64_t seed)
{
	struct dsr_image *im = dsr_image_new(W, H, BITS);
	struct t_rng r;

	assert_non_null(im);
	t_rng_seed(&r, seed);
	for (int y = 0; y < H; y++)
		for (int x = 0; x < W; x++) {
			int u = x + dx, v = y + dy;
			double l;

			if (u < 0 || v < 0 || u >= W || v >= H) {
				im->pixels[y * W + x] = (uint16_t)t_rng_below(&r, 4096);
				continue;
			}
			l = gain * FS * pow(ref->pixels[v * W + u] / FS, gamma) +
			    noise * t_rng_uniform(&r, -1, 1);
			im->pixels[y * W + x] = (uint16_t)lround(fmin(fmax(l, 0), FS));
		}
	return im;
}

/* Fit log(lut[r] / FS) = log(gain) + gamma log(r / FS) over the reference levels between
 * the 5th and 95th percentile of the reference. */
static double fitted_gamma(const uint16_t *lut, const struct dsr_image *ref)
{
	static uint32_t hist[4096];
	uint32_t lo = 0, hi = 4095, cum = 0;
	double sx = 0, sy = 0, sxx = 0, sxy = 0, n = 0;

	for (int i = 0; i < 4096; i++)
		hist[i] = 0;
	for (int i = 0; i < W * H; i++)
		hist[ref->pixels[i]]++;
	for (uint32_t i = 0; i < 4096; i++) {
		cum += hist[i];
		if (cum < 0.05 * W * H)
			lo = i;
		if (cum < 0.95 * W * H)
			hi = i;
	}
	for (uint32_t r = lo + 1; r <= hi; r++) {
		double x = log(r / FS), y = log(fmax(lut[r], 1) / FS);

		sx += x;
		sy += y;
		sxx += x * x;
		sxy += x * y;
		n += 1;
	}
	assert_true(n > 100);
	return (sxy - sx * sy / n) / (sxx - sx * sx / n);
}

/* Histogram matching recovers gamma 0.8 .. 1.25 within 2 %, with a gain and a shift. */
static void test_histogram_recovers_gamma(void **state)
{
	static const double gammas[] = { 0.8, 0.9, 1.1, 1.25 };
	static uint16_t lut[DSR_LUT_SIZE];
	struct dsr_image *ref = make_reference(1);
	struct dsr_affine a = { 1, 0, 7, 0, 1, -5 };	/* live (x, y) sees ref (x+7, y-5) */

	(void)state;
	for (unsigned i = 0; i < sizeof(gammas) / sizeof(gammas[0]); i++) {
		struct dsr_image *live = make_live(ref, 7, -5, 0.9, gammas[i], 8, 10 + i);
		struct dsr_contrast_info info;

		assert_int_equal(dsr_contrast_lut(ref, live, &a, NULL, DSR_LUT_HISTOGRAM, BITS,
						  lut, &info), 0);
		double g = fitted_gamma(lut, ref);

		printf("gamma %.2f: recovered %.4f (%.2f %%), %llu samples, residual %.1f\n",
		       gammas[i], g, 100 * (g / gammas[i] - 1), (unsigned long long)info.samples,
		       info.residual);
		assert_true(fabs(g / gammas[i] - 1) < 0.02);
		assert_int_equal(info.samples, (uint64_t)(W - 7) * (H - 5));
		/* monotone, and the rest of the board's LUT repeats the last level */
		for (uint32_t r = 1; r < 4096; r++)
			assert_true(lut[r] >= lut[r - 1]);
		for (uint32_t r = 4096; r < DSR_LUT_SIZE; r++)
			assert_int_equal(lut[r], lut[4095]);
		dsr_image_free(live);
	}
	dsr_image_free(ref);
}

/* The linear fit recovers gain and offset; its LUT is that straight line. */
static void test_linear_fit(void **state)
{
	static uint16_t lut[DSR_LUT_SIZE];
	struct dsr_image *ref = make_reference(2);
	struct dsr_image *live = dsr_image_new(W, H, BITS);
	struct dsr_affine id = { 1, 0, 0, 0, 1, 0 };
	struct dsr_contrast_info info;

	(void)state;
	for (int i = 0; i < W * H; i++)
		live->pixels[i] = (uint16_t)lround(fmin(0.8 * ref->pixels[i] + 300, FS));
	assert_int_equal(dsr_contrast_lut(ref, live, &id, NULL, DSR_LUT_LINEAR, BITS, lut, &info), 0);
	printf("linear: gain %.4f offset %.1f residual %.2f\n", info.gain, info.offset,
	       info.residual);
	assert_true(fabs(info.gain - 0.8) < 0.002);
	assert_true(fabs(info.offset - 300) < 2);
	assert_true(info.residual < 1.0);
	assert_int_equal(lut[1000], 1100);
	assert_int_equal(lut[0], 300);
	dsr_image_free(live);
	dsr_image_free(ref);
}

/* Identity is the identity, and garbage outside the overlap does not matter. */
static void test_identity_and_mask(void **state)
{
	static uint16_t lut[DSR_LUT_SIZE], lut2[DSR_LUT_SIZE];
	struct dsr_image *ref = make_reference(3);
	struct dsr_image *live = make_live(ref, 0, 0, 1.2, 1.0, 0, 4);
	struct dsr_affine id = { 1, 0, 0, 0, 1, 0 };
	uint8_t *mask = calloc(W * H, 1);

	(void)state;
	assert_non_null(mask);
	assert_int_equal(dsr_contrast_lut(ref, live, &id, NULL, DSR_LUT_IDENTITY, BITS, lut, NULL), 0);
	for (uint32_t r = 0; r < 4096; r++)
		assert_int_equal(lut[r], r);
	/* scribble over the left half of the live frame and mask it out: same LUT */
	assert_int_equal(dsr_contrast_lut(ref, live, &id, NULL, DSR_LUT_HISTOGRAM, BITS, lut, NULL), 0);
	for (int y = 0; y < H; y++)
		for (int x = 0; x < W / 2; x++) {
			live->pixels[y * W + x] = 4095;
			mask[y * W + x] = 1;
		}
	assert_int_equal(dsr_contrast_lut(ref, live, &id, mask, DSR_LUT_HISTOGRAM, BITS, lut2, NULL), 0);
	int worst = 0;

	for (uint32_t r = 600; r < 3500; r++)
		worst = abs((int)lut[r] - (int)lut2[r]) > worst ? abs((int)lut[r] - (int)lut2[r]) : worst;
	printf("masked half: largest LUT change %d levels\n", worst);
	assert_true(worst < 40);
	/* and without the mask the scribble does pull the LUT away */
	assert_int_equal(dsr_contrast_lut(ref, live, &id, NULL, DSR_LUT_HISTOGRAM, BITS, lut2, NULL), 0);
	assert_true(abs((int)lut[2000] - (int)lut2[2000]) > 200);
	free(mask);
	dsr_image_free(live);
	dsr_image_free(ref);
}

/* No overlap, bad depth, different sizes: errors with a message, not a LUT. */
static void test_errors(void **state)
{
	static uint16_t lut[DSR_LUT_SIZE];
	struct dsr_image *ref = make_reference(5);
	struct dsr_image *live = make_reference(6);
	struct dsr_image *small = dsr_image_new(W / 2, H, BITS);
	struct dsr_affine away = { 1, 0, 5000, 0, 1, 0 }, id = { 1, 0, 0, 0, 1, 0 };

	(void)state;
	assert_int_equal(dsr_contrast_lut(ref, live, &away, NULL, DSR_LUT_HISTOGRAM, BITS, lut, NULL), -1);
	assert_non_null(strstr(dsr_error(), "overlap"));
	assert_int_equal(dsr_contrast_lut(ref, live, &id, NULL, DSR_LUT_HISTOGRAM, 8, lut, NULL), -1);
	assert_int_equal(dsr_contrast_lut(ref, small, &id, NULL, DSR_LUT_HISTOGRAM, BITS, lut, NULL), -1);
	enum dsr_lut_method m;

	assert_int_equal(dsr_lut_method_parse("linear", &m), 0);
	assert_int_equal(m, DSR_LUT_LINEAR);
	assert_int_equal(dsr_lut_method_parse("cubic", &m), -1);
	dsr_image_free(small);
	dsr_image_free(live);
	dsr_image_free(ref);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_histogram_recovers_gamma),
		cmocka_unit_test(test_linear_fit),
		cmocka_unit_test(test_identity_and_mask),
		cmocka_unit_test(test_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
