/*
 * test_sample.c - the phantom: deterministic, structured like a radiograph (teeth
 * brighter than bone brighter than soft tissue), exposure and lesion applied with the
 * magnitudes the physics says, noise at the stated level, and rendering through a
 * transform sampling the very same scene (the ground truth registration tests rely on).
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/testutil.h"
#include "dsr/error.h"
#include "dsr/sample.h"
#include "sample/sample_priv.h"

#define W 384
#define H 384

static struct dsr_phantom *ph;

static int setup(void **state)
{
	(void)state;
	ph = dsr_phantom_new(W, H, 42);
	return ph ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	dsr_phantom_free(ph);
	return 0;
}

/* Baseline exposure without noise: every difference is the scene's. */
static struct dsr_image *render_clean(const struct dsr_affine *a, const struct dsr_exposure *e,
				      const struct dsr_lesion *l, uint32_t bits)
{
	struct dsr_exposure clean;
	struct dsr_image *im;

	if (e)
		clean = *e;
	else
		dsr_exposure_default(&clean);
	clean.noise = 0;
	im = dsr_phantom_render(ph, a, &clean, l, bits, 0);
	if (!im)
		fail_msg("render: %s", dsr_error());
	return im;
}

/* Which tissues the ray through pixel (x, y) crosses. */
enum region { R_OTHER, R_SOFT_ONLY, R_BONE_ONLY, R_ROOT_IN_BONE, R_ENAMEL };

static enum region classify(uint32_t x, uint32_t y)
{
	struct phantom_paths p;

	phantom_paths(ph, x, y, NULL, &p);
	if (p.enamel > 1.0)
		return R_ENAMEL;
	if (p.enamel == 0 && p.dentin == 0 && p.pulp == 0 && p.trabecular == 0 && p.cortical == 0)
		return R_SOFT_ONLY;
	if (p.enamel == 0 && p.dentin == 0 && p.cortical == 0 && p.trabecular > 5)
		return R_BONE_ONLY;
	if (p.enamel == 0 && p.dentin > 3 && p.trabecular > 1)
		return R_ROOT_IN_BONE;
	return R_OTHER;
}

static void test_deterministic(void **state)
{
	struct dsr_image *a = dsr_phantom_render(ph, NULL, NULL, NULL, 12, 7);
	struct dsr_image *b = dsr_phantom_render(ph, NULL, NULL, NULL, 12, 7);
	struct dsr_image *c = dsr_phantom_render(ph, NULL, NULL, NULL, 12, 8);
	struct dsr_phantom *other = dsr_phantom_new(W, H, 43);
	struct dsr_image *d = dsr_phantom_render(other, NULL, NULL, NULL, 12, 7);
	size_t n = (size_t)W * H, differ_c = 0, differ_d = 0;

	(void)state;
	assert_non_null(a);
	assert_non_null(b);
	assert_non_null(c);
	assert_non_null(d);
	assert_memory_equal(a->pixels, b->pixels, n * 2);
	for (size_t i = 0; i < n; i++) {
		differ_c += a->pixels[i] != c->pixels[i];
		differ_d += abs((int)a->pixels[i] - (int)d->pixels[i]) > 100;
	}
	assert_true(differ_c > n / 2);	/* another noise seed: other noise */
	assert_true(differ_d > n / 10);	/* another phantom seed: other anatomy */
	dsr_image_free(a);
	dsr_image_free(b);
	dsr_image_free(c);
	dsr_image_free(d);
	dsr_phantom_free(other);
}

/* Mean grey level over pixels of one region of the clean image; the pixel count too. */
static double region_mean(const struct dsr_image *im, enum region r, size_t *count)
{
	double sum = 0;
	size_t n = 0;

	for (uint32_t y = 0; y < H; y += 2)
		for (uint32_t x = 0; x < W; x += 2)
			if (classify(x, y) == r) {
				sum += im->pixels[y * W + x];
				n++;
			}
	*count = n;
	return n ? sum / n : 0;
}

/* A radiograph, not a test card: every kind of region is present and in the order of
 * density, the image has contrast and edges. */
static void test_structure(void **state)
{
	struct dsr_image *im = render_clean(NULL, NULL, NULL, 12);
	size_t n_enamel, n_root, n_bone, n_soft, n = (size_t)W * H;
	double enamel = region_mean(im, R_ENAMEL, &n_enamel);
	double root = region_mean(im, R_ROOT_IN_BONE, &n_root);
	double bone = region_mean(im, R_BONE_ONLY, &n_bone);
	double soft = region_mean(im, R_SOFT_ONLY, &n_soft);
	double mean = 0, var = 0, grad = 0;

	(void)state;
	assert_true(n_enamel > 100 && n_root > 100 && n_bone > 100 && n_soft > 100);
	assert_true(enamel > root + 200);
	assert_true(root > bone + 100);
	assert_true(bone > soft + 500);
	for (size_t i = 0; i < n; i++)
		mean += im->pixels[i];
	mean /= n;
	for (size_t i = 0; i < n; i++)
		var += (im->pixels[i] - mean) * (im->pixels[i] - mean);
	for (uint32_t y = 0; y < H - 1; y++)
		for (uint32_t x = 0; x < W - 1; x++) {
			double gx = im->pixels[y * W + x + 1] - im->pixels[y * W + x];
			double gy = im->pixels[(y + 1) * W + x] - im->pixels[y * W + x];

			grad += gx * gx + gy * gy;
		}
	assert_true(sqrt(var / n) > 0.1 * 4095);	/* contrast */
	assert_true(grad / n > 25.0);		/* RMS gradient > 5 levels per pixel */
	dsr_image_free(im);
}

/* A point with bone (and no tooth) everywhere within @r pixels. */
static int find_bone_spot(double r, double *cx, double *cy)
{
	for (double y = H - r - 2; y > H / 2; y -= 8)
		for (double x = r + 2; x < W - r - 2; x += 8) {
			int ok = 1;

			for (double dy = -r; dy <= r && ok; dy += 2)
				for (double dx = -r; dx <= r && ok; dx += 2)
					ok = classify((uint32_t)(x + dx), (uint32_t)(y + dy)) == R_BONE_ONLY;
			if (ok) {
				*cx = x;
				*cy = y;
				return 0;
			}
		}
	return -1;
}

/* 5 % mineral loss in a disc of bone: the mean change over the disc's core is the
 * change of Beer-Lambert transmission computed from the scene's own path lengths
 * (a 5 % drop in the bone's attenuation), within 3 %, and clearly visible. */
static void test_lesion_mean_change(void **state)
{
	struct dsr_lesion les = { .radius = 14, .loss = 0.05 };
	struct dsr_image *base, *with;
	double measured = 0, expected = 0, core = les.radius - 0.25 * les.radius / 2 - 1;
	size_t n = 0, outside_changed = 0;
	const double max = 65535;

	(void)state;
	assert_int_equal(find_bone_spot(les.radius + 2, &les.x, &les.y), 0);
	base = render_clean(NULL, NULL, NULL, 16);
	with = render_clean(NULL, NULL, &les, 16);
	for (uint32_t y = 0; y < H; y++)
		for (uint32_t x = 0; x < W; x++) {
			double r = hypot(x - les.x, y - les.y);
			int d = (int)with->pixels[y * W + x] - (int)base->pixels[y * W + x];

			if (r <= core) {
				struct phantom_paths p, q;

				phantom_paths(ph, x, y, NULL, &p);
				phantom_paths(ph, x, y, &les, &q);
				assert_true(fabs(q.mineral_scale - 0.95) < 1e-12);
				expected += (exp(-q.attenuation) - exp(-p.attenuation)) * max;
				measured += -d;	/* grey = 1 - transmission */
				n++;
			} else if (r > les.radius + 0.25 * les.radius / 2 + 1 && d != 0) {
				outside_changed++;
			}
		}
	assert_true(n > 300);
	measured /= n;
	expected /= n;
	assert_true(expected > 0.005 * max);	/* a visible change: > 0.5 % of full scale */
	assert_true(fabs(measured - expected) < 0.03 * expected);
	assert_int_equal(outside_changed, 0);
	dsr_image_free(base);
	dsr_image_free(with);
}

/* Gain scales the detected signal, gamma bends it, offset shifts the grey level: each
 * checked pixel by pixel against the baseline image (16 bits, no noise). */
static void test_exposure(void **state)
{
	struct dsr_exposure e;
	struct dsr_image *base = render_clean(NULL, NULL, NULL, 16), *im;
	const double max = 65535;
	size_t n = (size_t)W * H, clipped = 0;

	(void)state;
	dsr_exposure_default(&e);
	assert_true(e.gain == 1 && e.gamma == 1 && e.offset == 0 && e.noise == 1);

	e.gain = 1.25;
	im = render_clean(NULL, &e, NULL, 16);
	for (size_t i = 0; i < n; i++) {
		double t = 1 - base->pixels[i] / max;
		double want = (1 - fmin(1, 1.25 * t)) * max;

		assert_true(fabs(im->pixels[i] - want) <= 2);
		clipped += want == 0;
	}
	assert_true(clipped < n / 2);
	dsr_image_free(im);

	e.gain = 1;
	e.gamma = 1.3;
	im = render_clean(NULL, &e, NULL, 16);
	for (size_t i = 0; i < n; i++) {
		double t = 1 - base->pixels[i] / max;

		assert_true(fabs(im->pixels[i] - (1 - pow(t, 1.3)) * max) <= 2);
	}
	dsr_image_free(im);

	e.gamma = 1;
	e.offset = 0.05;
	im = render_clean(NULL, &e, NULL, 16);
	for (size_t i = 0; i < n; i++)
		assert_true(fabs(im->pixels[i] - fmin(max, base->pixels[i] + 0.05 * max)) <= 1);
	dsr_image_free(im);
	dsr_image_free(base);
}

/* Noise: the difference of two noise seeds has the standard deviation the detector
 * model predicts pixel by pixel (sqrt(counts) quantum noise plus read noise), the
 * signal-to-noise ratio in bone is in the stated 40..100, and noise grows with the
 * signal (quantum noise), so it is larger in soft tissue than under enamel. */
static void test_noise_level(void **state)
{
	struct dsr_image *clean = render_clean(NULL, NULL, NULL, 16);
	struct dsr_image *a = dsr_phantom_render(ph, NULL, NULL, NULL, 16, 1);
	struct dsr_image *b = dsr_phantom_render(ph, NULL, NULL, NULL, 16, 2);
	const double max = 65535;
	double sum_r2 = 0, snr_sum = 0, var[2] = { 0 };
	size_t n = 0, n_bone = 0, cnt[2] = { 0 };

	(void)state;
	assert_non_null(a);
	assert_non_null(b);
	for (uint32_t y = 0; y < H; y += 1)
		for (uint32_t x = 0; x < W; x += 1) {
			size_t i = (size_t)y * W + x;
			double t = 1 - clean->pixels[i] / max;
			double counts = DETECTOR_AIR_COUNTS * t;
			double sigma = sqrt(counts + DETECTOR_READ_NOISE * DETECTOR_READ_NOISE) /
				       DETECTOR_AIR_COUNTS * max;
			double d = (double)a->pixels[i] - b->pixels[i];
			enum region r;

			if (t < 0.02 || t > 0.98)
				continue;	/* near clipping */
			sum_r2 += d * d / (2 * sigma * sigma);
			n++;
			if ((x | y) & 3)
				continue;
			r = classify(x, y);
			if (r == R_BONE_ONLY) {
				snr_sum += counts / sqrt(counts + DETECTOR_READ_NOISE * DETECTOR_READ_NOISE);
				n_bone++;
			}
			if (r == R_SOFT_ONLY || r == R_ENAMEL) {
				var[r == R_ENAMEL] += d * d / 2;
				cnt[r == R_ENAMEL]++;
			}
		}
	assert_true(n > (size_t)W * H / 2);
	assert_true(fabs(sqrt(sum_r2 / n) - 1) < 0.05);
	assert_true(n_bone > 50);
	assert_true(snr_sum / n_bone > 40 && snr_sum / n_bone < 100);
	assert_true(cnt[0] > 50 && cnt[1] > 50);
	assert_true(sqrt(var[0] / cnt[0]) > 1.8 * sqrt(var[1] / cnt[1]));
	dsr_image_free(clean);
	dsr_image_free(a);
	dsr_image_free(b);
}

/* Rendering through live->reference samples the same scene: an integer shift of the
 * transform is an exact shift of the image (up to rounding of the last bit). */
static void test_render_through_transform(void **state)
{
	struct dsr_affine shift = { 1, 0, 7, 0, 1, -4 };
	struct dsr_image *ref = render_clean(NULL, NULL, NULL, 16);
	struct dsr_image *live = render_clean(&shift, NULL, NULL, 16);
	size_t checked = 0, exact = 0;

	(void)state;
	for (uint32_t y = 4; y < H; y++)
		for (uint32_t x = 0; x + 7 < W; x++) {
			int d = (int)live->pixels[y * W + x] - (int)ref->pixels[(y - 4) * W + x + 7];

			assert_true(abs(d) <= 1);
			exact += d == 0;
			checked++;
		}
	assert_true(checked > 100000);
	assert_true(exact > checked * 99 / 100);
	dsr_image_free(ref);
	dsr_image_free(live);
}

/* Depth, limits and bad parameters. */
static void test_bits_and_refusals(void **state)
{
	struct dsr_exposure e;
	struct dsr_affine bad = { NAN, 0, 0, 0, 1, 0 };
	struct dsr_lesion les = { 10, 10, -1, 0.1 };
	struct dsr_image *im = dsr_phantom_render(ph, NULL, NULL, NULL, 12, 3);
	uint16_t top = 0;

	(void)state;
	assert_non_null(im);
	assert_int_equal(im->bits, 12);
	for (size_t i = 0; i < (size_t)W * H; i++)
		top = im->pixels[i] > top ? im->pixels[i] : top;
	assert_true(top <= 4095 && top > 3000);
	dsr_image_free(im);
	assert_null(dsr_phantom_render(ph, NULL, NULL, NULL, 17, 3));
	assert_non_null(strstr(dsr_error(), "bits"));
	assert_null(dsr_phantom_render(ph, &bad, NULL, NULL, 12, 3));
	assert_non_null(strstr(dsr_error(), "transform"));
	dsr_exposure_default(&e);
	e.gamma = 0;
	assert_null(dsr_phantom_render(ph, NULL, &e, NULL, 12, 3));
	assert_non_null(strstr(dsr_error(), "gamma"));
	assert_null(dsr_phantom_render(ph, NULL, NULL, &les, 12, 3));
	assert_non_null(strstr(dsr_error(), "lesion"));
	assert_null(dsr_phantom_new(0, 10, 1));
	assert_null(dsr_phantom_new(40000, 10, 1));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_deterministic),
		cmocka_unit_test(test_structure),
		cmocka_unit_test(test_lesion_mean_change),
		cmocka_unit_test(test_exposure),
		cmocka_unit_test(test_noise_level),
		cmocka_unit_test(test_render_through_transform),
		cmocka_unit_test(test_bits_and_refusals),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
