/*
 * test_measure.c - density measurement on synthetic frames of known change and noise:
 * the noise estimate, the change and its standard error (also through the board's
 * bilinear warp), the calibration of the z test over many noise draws, regions at the
 * edge (clipped or refused, never uninitialised), region parsing and files, the colour
 * overlay and its PNG.
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
#include "dsr/image.h"
#include "dsr/measure.h"
#include "dsr/dsr_hw.h"
#include "dsr/model.h"

#define MID 2048.0

/* A standard normal draw (Box-Muller). */
static double gauss(struct t_rng *r)
{
	double u = t_rng_uniform(r, 1e-12, 1), v = t_rng_uniform(r, 0, 1);

	return sqrt(-2 * log(u)) * cos(2 * M_PI * v);
}

/* Anatomy-like smooth level: a ramp and a broad bump around 1200. */
static double level(uint32_t x, uint32_t y, uint32_t w, uint32_t h)
{
	double dx = x - w / 2.0, dy = y - h / 2.0;

	return 1000 + 0.8 * x + 0.4 * y + 300 * exp(-(dx * dx + dy * dy) / (0.1 * w * h));
}

/* A 12-bit frame: level + @change inside the disc (cx, cy, r) + noise of @sigma. */
static struct dsr_image *frame(uint32_t w, uint32_t h, double sigma, double change, double cx,
			       double cy, double r, struct t_rng *rng)
{
	struct dsr_image *im = dsr_image_new(w, h, 12);

	assert_non_null(im);
	for (uint32_t y = 0; y < h; y++) {
		for (uint32_t x = 0; x < w; x++) {
			double v = level(x, y, w, h) + sigma * gauss(rng);

			if ((x - cx) * (x - cx) + (y - cy) * (y - cy) <= r * r)
				v += change;
			dsr_image_row(im, y)[x] = (uint16_t)lrint(fmin(fmax(v, 0), 4095));
		}
	}
	return im;
}

/* The difference of the board (identity LUT, gain 1) for the transform @a. */
static struct dsr_image *subtract(const struct dsr_image *ref, const struct dsr_image *live,
				  const struct dsr_affine *a)
{
	struct dsr_params p;
	struct dsr_image *d = dsr_image_new(live->width, live->height, 12);

	assert_non_null(d);
	dsr_params_default(&p, live->width, live->height, 12);
	assert_int_equal(p.midgrey, (uint32_t)MID);
	assert_int_equal(dsr_params_set_affine(&p, a), 0);
	dsr_model_frame(&p, NULL, ref->pixels, live->pixels, d->pixels);
	return d;
}

static void ctx_init(struct dsr_measure_ctx *c, const struct dsr_image *d,
		     const struct dsr_image *live, const struct dsr_image *ref)
{
	memset(c, 0, sizeof(*c));
	c->difference = d;
	c->live = live;
	c->midgrey = MID;
	c->gain = 1;
	c->lut_slope = 1;
	c->alpha = 0.05;
	c->sigma_live = dsr_noise_estimate(live, NULL);
	c->sigma_ref = dsr_noise_estimate(ref, NULL);
}

static const struct dsr_affine identity = { 1, 0, 0, 0, 1, 0 };

/* The estimator finds sigma over smooth anatomy, within 5 %, and ignores a sharp edge. */
static void test_noise_estimate(void **state)
{
	struct t_rng rng;
	(void)state;
	t_rng_seed(&rng, 11);
	for (double sigma = 4; sigma <= 32; sigma *= 2) {
		struct dsr_image *im = frame(256, 256, sigma, 400, 128, 128, 60, &rng);
		double est = dsr_noise_estimate(im, NULL);

		assert_true(fabs(est - sigma) < 0.05 * sigma);
		dsr_image_free(im);
	}
	struct dsr_image *tiny = dsr_image_new(2, 8, 12);
	assert_true(dsr_noise_estimate(tiny, NULL) < 0);
	assert_non_null(strstr(dsr_error(), "too small"));
	dsr_image_free(tiny);
}

/*
 * A loss of 30 levels in a disc of radius 20, frames with noise 8 and 6, the reference
 * shifted by a sub-pixel translation through the board's bilinear warp: the change is
 * found within 4 standard errors, the SE is within 10 % of sqrt(8^2 + 6^2) / sqrt(n), and
 * the z test calls it significant.
 */
static void test_known_change(void **state)
{
	const double sl = 8, sr = 6, delta = -30, cx = 100, cy = 90, r = 20;
	const struct dsr_affine shift = { 1, 0, 0.37, 0, 1, -0.61 };
	struct t_rng rng;
	struct dsr_measure_ctx c;
	struct dsr_measurement m;
	struct dsr_region reg;
	(void)state;

	t_rng_seed(&rng, 12);
	struct dsr_image *ref = frame(200, 180, sr, 0, 0, 0, 0, &rng);
	struct dsr_image *live = frame(200, 180, sl, delta, cx, cy, r, &rng);
	struct dsr_image *d = subtract(ref, live, &shift);
	ctx_init(&c, d, live, ref);
	assert_int_equal(dsr_region_parse("circle:100,90,20", &reg), 0);
	assert_int_equal(dsr_measure_region(&c, &reg, &m), 0);

	double se_true = sqrt(sl * sl + sr * sr) / sqrt((double)m.pixels);
	/* the ramp's bilinear shift adds 0.8 * 0.37 - 0.4 * 0.61 ~ 0.05 levels of bias */
	assert_true(fabs(m.change - delta) < 4 * se_true);
	assert_true(fabs(m.se - se_true) < 0.1 * se_true);
	assert_int_equal(m.pixels, m.pixels_full);
	assert_int_equal(m.clipped, 0);
	assert_true(m.z < -20 && m.p < 1e-9 && m.significant);
	double base = level(100, 90, 200, 180);
	assert_true(fabs(m.baseline - base) < 20);
	assert_true(fabs(m.change_pct - 100 * m.change / m.baseline) < 1e-9);
	assert_true(fabs(m.change_pct - 100 * delta / base) < 0.5);
	assert_true(fabs(m.se_pct - 100 * m.se / m.baseline) < 1e-9);

	/* beside the lesion nothing changed: not significant at 0.1 % */
	assert_int_equal(dsr_region_parse("polygon:20,20,60,20,60,60,20,60", &reg), 0);
	assert_int_equal(dsr_measure_region(&c, &reg, &m), 0);
	assert_int_equal(m.pixels, 40 * 40); /* half-open: the far edges are out */
	assert_true(fabs(m.z) < 3.3);
	dsr_image_free(ref);
	dsr_image_free(live);
	dsr_image_free(d);
}

/*
 * The board's gain (2) and a contrast LUT of slope 1.5 between the frames: the change is
 * reported in the follow-up's grey levels (the gain divided out) and its SE is
 * sqrt(sigma_live^2 + 1.5^2 sigma_ref^2) / sqrt(n), within 10 %.
 */
static void test_gain_and_lut(void **state)
{
	const double sl = 7, sr = 4, delta = -30, slope = 1.5;
	struct t_rng rng;
	struct dsr_params p;
	struct dsr_measure_ctx c;
	struct dsr_measurement m;
	struct dsr_region reg;
	uint16_t *lut = malloc(DSR_LUT_SIZE * sizeof(*lut));
	(void)state;

	assert_non_null(lut);
	for (uint32_t i = 0; i < DSR_LUT_SIZE; i++)
		lut[i] = (uint16_t)fmin(lrint(slope * (i & 4095)), 4095);
	t_rng_seed(&rng, 16);
	struct dsr_image *live = frame(200, 160, sl, delta, 90, 80, 18, &rng);
	struct dsr_image *ref = dsr_image_new(200, 160, 12);
	assert_non_null(ref);
	for (uint32_t y = 0; y < 160; y++)
		for (uint32_t x = 0; x < 200; x++)
			dsr_image_row(ref, y)[x] =
				(uint16_t)lrint(level(x, y, 200, 160) / slope + sr * gauss(&rng));
	struct dsr_image *d = dsr_image_new(200, 160, 12);
	assert_non_null(d);
	dsr_params_default(&p, 200, 160, 12);
	p.gain = 2u << DSR_GAIN_FRAC_BITS;
	dsr_model_frame(&p, lut, ref->pixels, live->pixels, d->pixels);
	ctx_init(&c, d, live, ref);
	c.gain = 2;
	c.lut_slope = slope;
	assert_int_equal(dsr_region_parse("circle:90,80,17", &reg), 0);
	assert_int_equal(dsr_measure_region(&c, &reg, &m), 0);
	double se_true = sqrt(sl * sl + slope * slope * sr * sr) / sqrt((double)m.pixels);
	print_message("gain 2, slope 1.5: change %.2f (true %.0f), se %.3f (true %.3f)\n", m.change,
		      delta, m.se, se_true);
	assert_true(fabs(m.change - delta) < 4 * se_true + 0.5);	/* 0.5: LUT rounding */
	assert_true(fabs(m.se - se_true) < 0.1 * se_true);
	assert_true(m.significant);
	free(lut);
	dsr_image_free(ref);
	dsr_image_free(live);
	dsr_image_free(d);
}

/* A ramp from 500 to 3500 across the frame with quantum-like noise 0.3 sqrt(level). */
static struct dsr_image *quantum_frame(uint32_t w, uint32_t h, struct t_rng *rng)
{
	struct dsr_image *im = dsr_image_new(w, h, 12);

	assert_non_null(im);
	for (uint32_t y = 0; y < h; y++)
		for (uint32_t x = 0; x < w; x++) {
			double level = 500 + 3000.0 * x / (w - 1);
			dsr_image_row(im, y)[x] = (uint16_t)lrint(level + 0.3 * sqrt(level) * gauss(rng));
		}
	return im;
}

/*
 * Noise that grows with the signal: the noise model finds sigma at 1000 and 3000 within
 * 10 %; over 120 draws of an unchanged pair the z statistics of a dark and a bright region
 * both have unit spread (0.75..1.3), where one sigma for the whole frame would make them
 * about 0.7 and 1.2.
 */
static void test_signal_dependent_noise(void **state)
{
	const int trials = 120;
	/* a sub-pixel shift along the rows only: the ramp runs across them, so no bias */
	const struct dsr_affine shift = { 1, 0, 0, 0, 1, 0.5 };
	struct t_rng rng;
	struct dsr_noise_model nm;
	struct dsr_region dark, bright;
	double s2[2] = { 0, 0 };
	(void)state;

	t_rng_seed(&rng, 17);
	struct dsr_image *probe = quantum_frame(256, 256, &rng);
	assert_int_equal(dsr_noise_model_estimate(probe, &nm), 0);
	assert_true(nm.bins == DSR_NOISE_BINS);
	for (double level = 1000; level <= 3000; level += 2000) {
		double truth = 0.3 * sqrt(level), est = dsr_noise_model_at(&nm, level);
		print_message("noise at %.0f: %.2f (true %.2f)\n", level, est, truth);
		assert_true(fabs(est - truth) < 0.1 * truth);
	}
	dsr_image_free(probe);
	assert_int_equal(dsr_region_parse("circle:30,64,12", &dark), 0);
	assert_int_equal(dsr_region_parse("circle:220,64,12", &bright), 0);
	for (int t = 0; t < trials; t++) {
		struct dsr_image *ref = quantum_frame(256, 128, &rng), *live = quantum_frame(256, 128, &rng);
		struct dsr_image *d = subtract(ref, live, &shift);
		struct dsr_noise_model nl, nr;
		struct dsr_measure_ctx c;
		struct dsr_measurement m;

		ctx_init(&c, d, live, ref);
		assert_int_equal(dsr_noise_model_estimate(live, &nl), 0);
		assert_int_equal(dsr_noise_model_estimate(ref, &nr), 0);
		c.noise_live = &nl;
		c.noise_ref = &nr;
		assert_int_equal(dsr_measure_region(&c, &dark, &m), 0);
		s2[0] += m.z * m.z;
		assert_int_equal(dsr_measure_region(&c, &bright, &m), 0);
		s2[1] += m.z * m.z;
		dsr_image_free(ref);
		dsr_image_free(live);
		dsr_image_free(d);
	}
	double sd0 = sqrt(s2[0] / trials), sd1 = sqrt(s2[1] / trials);
	print_message("z spread: dark %.2f, bright %.2f\n", sd0, sd1);
	assert_true(sd0 > 0.75 && sd0 < 1.3);
	assert_true(sd1 > 0.75 && sd1 < 1.3);
}

/*
 * No change, 300 noise draws through the bilinear warp: the z statistics have unit
 * spread (0.85..1.15) and about 5 % of them (at most 9 %) pass |z| > 1.96, so the SE is
 * what the test assumes it is.
 */
static void test_z_calibrated(void **state)
{
	const int trials = 300;
	const struct dsr_affine shift = { 1, 0, 0.5, 0, 1, 0.25 };
	struct t_rng rng;
	struct dsr_region reg;
	double s2 = 0;
	int reject = 0;
	(void)state;

	t_rng_seed(&rng, 13);
	assert_int_equal(dsr_region_parse("circle:32,32,10", &reg), 0);
	for (int t = 0; t < trials; t++) {
		struct dsr_image *ref = frame(64, 64, 10, 0, 0, 0, 0, &rng);
		struct dsr_image *live = frame(64, 64, 10, 0, 0, 0, 0, &rng);
		struct dsr_image *d = subtract(ref, live, &shift);
		struct dsr_measure_ctx c;
		struct dsr_measurement m;

		ctx_init(&c, d, live, ref);
		assert_int_equal(dsr_measure_region(&c, &reg, &m), 0);
		s2 += m.z * m.z;
		reject += m.significant;
		dsr_image_free(ref);
		dsr_image_free(live);
		dsr_image_free(d);
	}
	double sd = sqrt(s2 / trials);
	print_message("z spread %.3f, %d of %d significant at 5 %%\n", sd, reject, trials);
	assert_true(sd > 0.85 && sd < 1.15);
	assert_true(reject <= trials * 9 / 100);
}

/*
 * Regions at the frame's edge or over invalid pixels are clipped; if too little is left
 * they are refused and the result is all zeros, never garbage.
 */
static void test_edges(void **state)
{
	struct t_rng rng;
	struct dsr_measure_ctx c;
	struct dsr_measurement m;
	struct dsr_region reg;
	(void)state;

	t_rng_seed(&rng, 14);
	struct dsr_image *ref = frame(64, 48, 5, 0, 0, 0, 0, &rng);
	struct dsr_image *live = frame(64, 48, 5, 0, 0, 0, 0, &rng);
	struct dsr_image *d = subtract(ref, live, &identity);
	ctx_init(&c, d, live, ref);

	/* a circle centred on the left edge: about half of it is kept */
	assert_int_equal(dsr_region_parse("circle:0,24,8", &reg), 0);
	assert_int_equal(dsr_measure_region(&c, &reg, &m), 0);
	assert_true(m.clipped);
	assert_int_equal(m.pixels, 107); /* columns 0..8 of the disc of radius 8 */
	assert_true(m.pixels_full >= 199 && m.pixels_full <= 203);

	/* mostly outside: refused, zeroed */
	memset(&m, 0x5a, sizeof(m));
	assert_int_equal(dsr_region_parse("circle:-6,24,8", &reg), 0);
	assert_true(dsr_measure_region(&c, &reg, &m) < 0);
	assert_non_null(strstr(dsr_error(), "refused"));
	assert_int_equal(m.significant, 0);
	assert_true(m.change == 0 && m.se == 0 && m.baseline == 0 && m.z == 0);

	/* entirely outside the frame */
	assert_int_equal(dsr_region_parse("circle:500,500,3", &reg), 0);
	assert_true(dsr_measure_region(&c, &reg, &m) < 0);
	assert_int_equal(m.pixels, 0);

	/* too small to measure */
	assert_int_equal(dsr_region_parse("circle:30,30,1", &reg), 0);
	assert_true(dsr_measure_region(&c, &reg, &m) < 0);
	assert_int_equal(m.pixels, 5);

	/* invalid pixels (out of field) are excluded like the frame's outside */
	uint8_t *valid = malloc(64 * 48);
	assert_non_null(valid);
	for (size_t i = 0; i < 64 * 48; i++)
		valid[i] = i % 64 >= 10;
	c.valid = valid;
	assert_int_equal(dsr_region_parse("polygon:5,5,20,5,20,20,5,20", &reg), 0);
	assert_int_equal(dsr_measure_region(&c, &reg, &m), 0);
	assert_int_equal(m.pixels, 10 * 15);
	assert_int_equal(m.pixels_full, 15 * 15);
	assert_true(m.clipped);
	assert_int_equal(dsr_region_parse("polygon:0,5,12,5,12,20,0,20", &reg), 0);
	assert_true(dsr_measure_region(&c, &reg, &m) < 0);
	free(valid);
	dsr_image_free(ref);
	dsr_image_free(live);
	dsr_image_free(d);
}

/* Region syntax: every malformed spec is refused with a message naming it. */
static void test_region_parse(void **state)
{
	static const char *const bad[] = {
		"circle:1,2", "circle:1,2,0", "circle:1,2,-3", "circle:1,2,3,4", "circle:1,nan,3",
		"circle:a,b,c", "polygon:1,2,3,4", "polygon:1,2,3,4,5", "polygon:", "square:1,2,3",
		"circle:1e300,2,3", "circle:1,,3",
	};
	struct dsr_region r;
	(void)state;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_true(dsr_region_parse(bad[i], &r) < 0);
		assert_true(strlen(dsr_error()) > 0);
	}
	assert_int_equal(dsr_region_parse("polygon:0,0,10,0,5,8.5", &r), 0);
	assert_int_equal(r.kind, DSR_REGION_POLYGON);
	assert_int_equal(r.n, 3);
	assert_true(r.x[2] == 5 && r.y[2] == 8.5);
}

/* Region files: circle, polygon and label; malformed files refused. */
static void test_region_file(void **state)
{
	struct dsr_region r;
	const char *p = t_scratch_path("r.json");
	(void)state;

	const char *ok = "{\"polygon\": [[1, 1], [9, 1], [9, 9], [1, 9]], \"label\": \"36 distal\"}";
	assert_int_equal(t_write_file(p, ok, strlen(ok)), 0);
	assert_int_equal(dsr_region_parse(p, &r), 0);
	assert_int_equal(r.n, 4);
	assert_string_equal(r.label, "36 distal");
	uint8_t mask[12 * 12];
	size_t full;
	assert_int_equal(dsr_region_mask(&r, 12, 12, NULL, mask, &full), 64);
	assert_int_equal(full, 64);

	static const char *const bad[] = {
		"{\"circle\": [1, 2]}", "{\"circle\": [1, 2, 3], \"polygon\": [[0,0],[1,0],[0,1]]}",
		"{\"polygon\": [[0, 0], [1, 0]]}", "{\"circle\": [1, 2, \"3\"]}", "[1, 2, 3]", "{",
		"{\"circle\": [1, 2, 3], \"label\": 5}",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(t_write_file(p, bad[i], strlen(bad[i])), 0);
		assert_true(dsr_region_load(p, &r) < 0);
		assert_non_null(strstr(dsr_error(), "r.json"));
	}
	assert_true(dsr_region_parse(t_scratch_path("missing.json"), &r) < 0);
}

/*
 * The overlay paints the lesion (loss, red) and a gain disc (green), almost nothing of
 * the unchanged field (k = 4: ~0.006 % of box means by chance for white noise; < 0.05 %
 * allowed), never an invalid pixel; the PNG
 * is an 8-bit RGB file.
 */
static void test_overlay(void **state)
{
	struct t_rng rng;
	struct dsr_measure_ctx c;
	struct dsr_overlay_info info;
	uint8_t *rgb;
	(void)state;

	t_rng_seed(&rng, 15);
	struct dsr_image *ref = frame(160, 120, 6, 0, 0, 0, 0, &rng);
	struct dsr_image *live = frame(160, 120, 6, -25, 40, 60, 12, &rng);
	/* a gain disc on the right */
	for (uint32_t y = 0; y < 120; y++)
		for (uint32_t x = 0; x < 160; x++)
			if ((x - 120.0) * (x - 120.0) + (y - 60.0) * (y - 60.0) <= 144)
				dsr_image_row(live, y)[x] += 25;
	struct dsr_image *d = subtract(ref, live, &identity);
	uint8_t *valid = malloc(160 * 120);
	assert_non_null(valid);
	for (size_t i = 0; i < 160 * 120; i++)
		valid[i] = i / 160 >= 4;	/* the top four rows out of field */
	ctx_init(&c, d, live, ref);
	c.valid = valid;
	assert_int_equal(dsr_overlay_make(&c, DSR_OVERLAY_K, &rgb, &info), 0);
	const uint8_t *loss = rgb + 3 * (60 * 160 + 40), *gain = rgb + 3 * (60 * 160 + 120);
	assert_true(loss[0] > loss[1] + 60 && loss[0] > loss[2] + 60);
	assert_true(gain[1] > gain[0] + 60 && gain[1] > gain[2] + 60);
	/* each disc has ~450 pixels; the box blurs its rim */
	assert_true(info.loss_pixels > 350 && info.loss_pixels < 700);
	assert_true(info.gain_pixels > 350 && info.gain_pixels < 700);
	assert_int_equal(info.invalid_pixels, 4 * 160);
	size_t coloured_far = 0;
	for (uint32_t y = 0; y < 120; y++) {
		for (uint32_t x = 0; x < 160; x++) {
			const uint8_t *p = rgb + 3 * (y * 160 + x);
			int grey = p[0] == p[1] && p[1] == p[2];

			if (y < 4)
				assert_true(grey);
			double d1 = hypot(x - 40.0, y - 60.0), d2 = hypot(x - 120.0, y - 60.0);
			if (d1 > 16 && d2 > 16 && !grey)
				coloured_far++;
		}
	}
	print_message("overlay: %zu loss, %zu gain, %zu false colour, threshold %.2f\n",
		      info.loss_pixels, info.gain_pixels, coloured_far, info.threshold);
	assert_true(coloured_far < 160 * 120 / 2000);

	const char *png = t_scratch_path("overlay.png");
	assert_int_equal(dsr_rgb_save_png(rgb, 160, 120, png), 0);
	size_t len;
	uint8_t *bytes = t_read_file(png, &len);
	assert_non_null(bytes);
	assert_memory_equal(bytes, "\x89PNG\r\n\x1a\n", 8);
	assert_int_equal(bytes[24], 8);	/* bit depth */
	assert_int_equal(bytes[25], 2);	/* colour type RGB */
	free(bytes);
	assert_true(dsr_rgb_save_png(rgb, 160, 120, t_scratch_path("no/such/dir.png")) < 0);
	free(rgb);
	free(valid);
	dsr_image_free(ref);
	dsr_image_free(live);
	dsr_image_free(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_noise_estimate),
		cmocka_unit_test(test_known_change),
		cmocka_unit_test(test_gain_and_lut),
		cmocka_unit_test(test_z_calibrated),
		cmocka_unit_test(test_signal_dependent_noise),
		cmocka_unit_test(test_edges),
		cmocka_unit_test(test_region_parse),
		cmocka_unit_test(test_region_file),
		cmocka_unit_test(test_overlay),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);

	t_scratch_cleanup();
	return rc;
}
