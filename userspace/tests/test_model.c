/*
 * test_model.c - the reference model against the arithmetic of dsr_hw.h: every
 * expectation here is computed independently of lib/model (closed forms, hand-made
 * vectors, a second CRC implementation), so a wrong model cannot agree with itself.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include <cmocka.h>

#include "common/testutil.h"
#include "dsr/error.h"
#include "dsr/model.h"

#define Q24 (1 << DSR_A_FRAC_BITS)
#define Q16 (1 << DSR_T_FRAC_BITS)

/* A frame's worth of pixel buffers, freed together. */
struct frames {
	uint16_t *ref, *live, *out;
	size_t n;
};

static void frames_alloc(struct frames *f, uint32_t w, uint32_t h)
{
	f->n = (size_t)w * h;
	f->ref = calloc(f->n, 2);
	f->live = calloc(f->n, 2);
	f->out = calloc(f->n, 2);
	assert_non_null(f->ref);
	assert_non_null(f->live);
	assert_non_null(f->out);
}

static void frames_free(struct frames *f)
{
	free(f->ref);
	free(f->live);
	free(f->out);
}

static uint32_t clampu(int64_t v, uint32_t n)
{
	return v < 0 ? 0 : v >= n ? n - 1 : (uint32_t)v;
}

/* Equal live and reference frames under the identity give midgrey everywhere, at
 * every pixel depth and for several gains. */
static void test_identity_equal_frames_is_midgrey(void **state)
{
	struct t_rng r;
	struct frames f;
	struct dsr_params p;
	const uint32_t gains[] = { 256, 1, 0x0180, DSR_GAIN_MAX };

	(void)state;
	t_rng_seed(&r, 1);
	frames_alloc(&f, 37, 23);
	for (uint32_t bits = DSR_PIXEL_BITS_MIN; bits <= DSR_PIXEL_BITS_MAX; bits++) {
		for (size_t g = 0; g < sizeof(gains) / sizeof(gains[0]); g++) {
			t_rng_pixels(&r, f.ref, f.n, bits);
			memcpy(f.live, f.ref, f.n * 2);
			dsr_params_default(&p, 37, 23, bits);
			p.gain = gains[g];
			assert_int_equal(p.midgrey, 1u << (bits - 1));
			memset(f.out, 0, f.n * 2);
			dsr_model_frame(&p, NULL, f.ref, f.live, f.out);
			for (size_t i = 0; i < f.n; i++)
				assert_int_equal(f.out[i], p.midgrey);
		}
	}
	frames_free(&f);
}

/* An integer translation is an exact shift, with edge replication past the border. */
static void test_integer_translation_shifts_exactly(void **state)
{
	const uint32_t w = 50, h = 31;
	const int shifts[][2] = { { 3, -2 }, { -7, 5 }, { 0, 0 }, { 49, 30 }, { -60, 2 } };
	struct t_rng r;
	struct frames f;
	struct dsr_params p;
	size_t checked = 0;

	(void)state;
	t_rng_seed(&r, 2);
	frames_alloc(&f, w, h);
	t_rng_pixels(&r, f.ref, f.n, 14);
	for (size_t s = 0; s < sizeof(shifts) / sizeof(shifts[0]); s++) {
		dsr_params_default(&p, w, h, 14);
		p.mode = DSR_MODE_WARP;
		p.tx = shifts[s][0] * Q16;
		p.ty = shifts[s][1] * Q16;
		dsr_model_frame(&p, NULL, f.ref, f.live, f.out);
		for (uint32_t y = 0; y < h; y++)
			for (uint32_t x = 0; x < w; x++) {
				uint32_t sx = clampu((int64_t)x + shifts[s][0], w);
				uint32_t sy = clampu((int64_t)y + shifts[s][1], h);

				assert_int_equal(f.out[y * w + x], f.ref[sy * w + sx]);
				checked++;
			}
	}
	assert_int_equal(checked, 5 * w * h);
	frames_free(&f);
}

/* The identity LUT maps every index to itself (masked), and using it changes nothing
 * compared with no LUT. */
static void test_identity_lut_is_noop(void **state)
{
	static uint16_t lut[DSR_LUT_SIZE];
	struct t_rng r;
	struct frames f;
	uint16_t *out2;
	struct dsr_params p;
	struct dsr_affine a = { 0.97, 0.05, 3.3, -0.04, 1.02, -1.7 };

	(void)state;
	dsr_lut_identity(lut, 12);
	for (uint32_t i = 0; i < DSR_LUT_SIZE; i++)
		assert_int_equal(lut[i], i & 0xfff);
	dsr_lut_identity(lut, 16);
	for (uint32_t i = 0; i < DSR_LUT_SIZE; i++)
		assert_int_equal(lut[i], i);

	t_rng_seed(&r, 3);
	frames_alloc(&f, 40, 30);
	out2 = calloc(f.n, 2);
	assert_non_null(out2);
	t_rng_pixels(&r, f.ref, f.n, 16);
	t_rng_pixels(&r, f.live, f.n, 16);
	dsr_params_default(&p, 40, 30, 16);
	assert_int_equal(dsr_params_set_affine(&p, &a), 0);
	dsr_model_frame(&p, NULL, f.ref, f.live, f.out);
	dsr_model_frame(&p, lut, f.ref, f.live, out2);
	assert_memory_equal(f.out, out2, f.n * 2);
	free(out2);
	frames_free(&f);
}

/* A LUT is applied to the interpolated reference: an inverting LUT in warp mode. */
static void test_lut_applied(void **state)
{
	static uint16_t lut[DSR_LUT_SIZE];
	struct t_rng r;
	struct frames f;
	struct dsr_params p;

	(void)state;
	for (uint32_t i = 0; i < DSR_LUT_SIZE; i++)
		lut[i] = (uint16_t)(4095 - (i & 4095));
	t_rng_seed(&r, 4);
	frames_alloc(&f, 16, 9);
	t_rng_pixels(&r, f.ref, f.n, 12);
	dsr_params_default(&p, 16, 9, 12);
	p.mode = DSR_MODE_WARP;
	dsr_model_frame(&p, lut, f.ref, f.live, f.out);
	for (size_t i = 0; i < f.n; i++)
		assert_int_equal(f.out[i], 4095 - f.ref[i]);
	frames_free(&f);
}

/* The subtraction clamps at 0 and at 2^bits - 1, and warp mode clamps a LUT value
 * above the pixel range. */
static void test_clamping_both_ends(void **state)
{
	static uint16_t lut[DSR_LUT_SIZE];
	uint16_t ref[4] = { 0, 4095, 0, 4095 }, live[4] = { 4095, 0, 4095, 0 }, out[4];
	struct dsr_params p;

	(void)state;
	dsr_params_default(&p, 2, 2, 12);
	/* identity warp: ref' = ref; live - ref' = +4095, -4095, +4095, -4095 */
	dsr_model_frame(&p, NULL, ref, live, out);
	assert_int_equal(out[0], 4095);
	assert_int_equal(out[1], 0);
	p.gain = DSR_GAIN_MAX;
	dsr_model_frame(&p, NULL, ref, live, out);
	assert_int_equal(out[0], 4095);
	assert_int_equal(out[1], 0);
	/* gain 0: nothing but midgrey */
	p.gain = 0;
	dsr_model_frame(&p, NULL, ref, live, out);
	assert_int_equal(out[0], 2048);
	assert_int_equal(out[1], 2048);
	/* midgrey at the ends: one step either way clamps */
	p.gain = 256;
	p.midgrey = 4095;
	live[1] = 4095;
	dsr_model_frame(&p, NULL, ref, live, out);
	assert_int_equal(out[1], 4095);	/* d = 0 -> 4095 */
	assert_int_equal(out[0], 4095);	/* d > 0 clamps */
	/* warp mode: LUT value 65535 at 12 bits comes out as 4095 */
	for (uint32_t i = 0; i < DSR_LUT_SIZE; i++)
		lut[i] = 0xffff;
	p.mode = DSR_MODE_WARP;
	dsr_model_frame(&p, lut, ref, live, out);
	for (int i = 0; i < 4; i++)
		assert_int_equal(out[i], 4095);
	/* subtract with ref' = 65535 > every live value: clamps to 0 */
	p.mode = DSR_MODE_SUBTRACT;
	p.midgrey = 2048;
	dsr_model_frame(&p, lut, ref, live, out);
	for (int i = 0; i < 4; i++)
		assert_int_equal(out[i], 0);
}

/* The subtraction against the formula written in floating point with floor(). */
static void test_subtract_formula(void **state)
{
	struct t_rng r;
	struct frames f;
	struct dsr_params p;

	(void)state;
	t_rng_seed(&r, 5);
	frames_alloc(&f, 64, 64);
	for (int round = 0; round < 20; round++) {
		uint32_t bits = DSR_PIXEL_BITS_MIN + t_rng_below(&r, 5);
		uint32_t max = (1u << bits) - 1;

		t_rng_pixels(&r, f.ref, f.n, bits);
		for (size_t i = 0; i < f.n; i++)	/* live close to ref, so few clamps */
			f.live[i] = (uint16_t)clampu((int64_t)f.ref[i] + (int)t_rng_below(&r, 401) - 200,
						     max + 1);
		dsr_params_default(&p, 64, 64, bits);
		p.gain = t_rng_below(&r, DSR_GAIN_MAX + 1);
		p.midgrey = t_rng_below(&r, max + 1);
		dsr_model_frame(&p, NULL, f.ref, f.live, f.out);
		for (size_t i = 0; i < f.n; i++) {
			double d = (double)f.live[i] - f.ref[i];
			double o = p.midgrey + floor((d * p.gain + 128.0) / 256.0);

			o = o < 0 ? 0 : o > max ? max : o;
			assert_int_equal(f.out[i], (uint32_t)o);
		}
	}
	frames_free(&f);
}

/* Border rule: samples left of / above the frame replicate the first column / row;
 * right of / below replicate the last; far outside gives the corner. */
static void test_border_rule_edge_replication(void **state)
{
	const uint32_t w = 8, h = 6;
	struct t_rng r;
	struct frames f;
	struct dsr_params p;

	(void)state;
	t_rng_seed(&r, 6);
	frames_alloc(&f, w, h);
	t_rng_pixels(&r, f.ref, f.n, 12);
	dsr_params_default(&p, w, h, 12);
	p.mode = DSR_MODE_WARP;

	/* half a pixel left: x = 0 samples between (-1) and 0, both clamp to column 0 */
	p.tx = -Q16 / 2;
	dsr_model_frame(&p, NULL, f.ref, f.live, f.out);
	for (uint32_t y = 0; y < h; y++) {
		assert_int_equal(f.out[y * w], f.ref[y * w]);
		/* inside: (a + b + 1) / 2 rounding per the formula, fx = 128 */
		for (uint32_t x = 1; x < w; x++) {
			uint32_t a = f.ref[y * w + x - 1], b = f.ref[y * w + x];

			assert_int_equal(f.out[y * w + x], ((a * 128 + b * 128) * 256 + 32768) >> 16);
		}
	}
	/* half a pixel right: the last column samples w-1 and w (clamped to w-1) */
	p.tx = Q16 / 2;
	dsr_model_frame(&p, NULL, f.ref, f.live, f.out);
	for (uint32_t y = 0; y < h; y++)
		assert_int_equal(f.out[y * w + w - 1], f.ref[y * w + w - 1]);
	/* far outside in both directions: corners */
	p.tx = 1000 * Q16;
	p.ty = 1000 * Q16;
	dsr_model_frame(&p, NULL, f.ref, f.live, f.out);
	for (size_t i = 0; i < f.n; i++)
		assert_int_equal(f.out[i], f.ref[f.n - 1]);
	p.tx = -1000 * Q16;
	p.ty = -1000 * Q16;
	dsr_model_frame(&p, NULL, f.ref, f.live, f.out);
	for (size_t i = 0; i < f.n; i++)
		assert_int_equal(f.out[i], f.ref[0]);
	/* below the frame, inside horizontally: the last row */
	p.tx = 0;
	p.ty = 100 * Q16;
	dsr_model_frame(&p, NULL, f.ref, f.live, f.out);
	for (uint32_t y = 0; y < h; y++)
		for (uint32_t x = 0; x < w; x++)
			assert_int_equal(f.out[y * w + x], f.ref[(h - 1) * w + x]);
	frames_free(&f);
}

/* Floor of v / 2^n for any sign, by division (independent of the model's shifts). */
static int64_t floor_div_pow2(int64_t v, unsigned n)
{
	int64_t d = (int64_t)1 << n;
	return v >= 0 ? v / d : -((-v + d - 1) / d);
}

/* The field mask in closed form: the sample position in 1/256 pixel, rounded as the
 * board rounds it, lies in [0, (n - 1) * 256] on both axes. */
static void field_expect(const struct dsr_params *p, uint8_t *want)
{
	for (uint32_t y = 0; y < p->height; y++)
		for (uint32_t x = 0; x < p->width; x++) {
			int64_t au = (int64_t)p->tx * 256 + (int64_t)p->a11 * x + (int64_t)p->a12 * y;
			int64_t av = (int64_t)p->ty * 256 + (int64_t)p->a21 * x + (int64_t)p->a22 * y;
			int64_t u = floor_div_pow2(au + (1 << 15), 16);
			int64_t v = floor_div_pow2(av + (1 << 15), 16);

			want[y * p->width + x] = u >= 0 && u <= (int64_t)(p->width - 1) * 256 &&
						 v >= 0 && v <= (int64_t)(p->height - 1) * 256;
		}
}

/* Out-of-field pixels: identity all in; half a pixel off either side loses exactly
 * that column; a rotation agrees with the closed form; far away nothing is in field. */
static void test_field_mask(void **state)
{
	const uint32_t w = 40, h = 30;
	struct dsr_params p;
	uint8_t *got = malloc(w * h), *want = malloc(w * h);
	size_t n, expect;

	(void)state;
	assert_non_null(got);
	assert_non_null(want);
	dsr_params_default(&p, w, h, 12);
	assert_int_equal(dsr_model_field_mask(&p, got), w * h);
	p.tx = Q16 / 2;
	assert_int_equal(dsr_model_field_mask(&p, got), (w - 1) * h);
	for (uint32_t y = 0; y < h; y++)
		assert_int_equal(got[y * w + w - 1], 0);
	p.tx = -Q16 / 2;
	assert_int_equal(dsr_model_field_mask(&p, got), (w - 1) * h);
	for (uint32_t y = 0; y < h; y++)
		assert_int_equal(got[y * w], 0);
	p.tx = 1000 * Q16;
	assert_int_equal(dsr_model_field_mask(&p, got), 0);
	/* 5 degrees about the origin, shifted: edges of both axes cut diagonally */
	struct dsr_affine a = { cos(0.0873), -sin(0.0873), 3.3, sin(0.0873), cos(0.0873), -2.7 };
	dsr_params_default(&p, w, h, 12);
	assert_int_equal(dsr_params_set_affine(&p, &a), 0);
	n = dsr_model_field_mask(&p, got);
	field_expect(&p, want);
	expect = 0;
	for (size_t i = 0; i < w * h; i++)
		expect += want[i];
	assert_memory_equal(got, want, w * h);
	assert_int_equal(n, expect);
	assert_true(n > w * h / 2 && n < w * h);
	free(got);
	free(want);
}

/* Bilinear weights resolve 1/256 pixel: on a ramp ref(x) = 256 x, a shift of k/256
 * pixel gives exactly 256 x + k, in both axes, for every k. */
static void test_bilinear_resolution_1_256(void **state)
{
	const uint32_t w = 200, h = 200;
	struct frames f;
	struct dsr_params p;
	int checked = 0;

	(void)state;
	frames_alloc(&f, w, h);
	dsr_params_default(&p, w, h, 16);
	p.mode = DSR_MODE_WARP;
	for (int axis = 0; axis < 2; axis++) {
		for (uint32_t y = 0; y < h; y++)
			for (uint32_t x = 0; x < w; x++)
				f.ref[y * w + x] = (uint16_t)(256 * (axis ? y : x));
		for (int k = 0; k < 256; k++) {
			p.tx = axis ? 0 : k * (Q16 / 256);
			p.ty = axis ? k * (Q16 / 256) : 0;
			for (uint32_t i = 0; i < 50; i++) {
				uint32_t x = 3 + i * 3, y = 190 - i * 3;
				uint32_t c = axis ? y : x;

				assert_int_equal(dsr_model_warp_pixel(&p, NULL, f.ref, x, y),
						 256 * c + k);
				checked++;
			}
		}
		/* a shift 1/512 below k/256 rounds up to k/256 (round to nearest) */
		p.tx = axis ? 0 : 5 * (Q16 / 256) - Q16 / 512;
		p.ty = axis ? 5 * (Q16 / 256) - Q16 / 512 : 0;
		assert_int_equal(dsr_model_warp_pixel(&p, NULL, f.ref, 10, 10), 2560 + 5);
		/* and one Q16.16 step less than that rounds down */
		p.tx = axis ? 0 : 5 * (Q16 / 256) - Q16 / 512 - 1;
		p.ty = axis ? 5 * (Q16 / 256) - Q16 / 512 - 1 : 0;
		assert_int_equal(dsr_model_warp_pixel(&p, NULL, f.ref, 10, 10), 2560 + 4);
	}
	assert_int_equal(checked, 2 * 256 * 50);
	frames_free(&f);
}

/* The frame loop's incremental accumulation equals the closed form at every pixel,
 * including registers at their extremes (which must not overflow: UBSan watches). */
static void test_incremental_equals_closed_form(void **state)
{
	const int32_t extremes[] = { INT32_MIN, INT32_MAX, -1, 0, 1, Q24, -Q24 };
	static uint16_t lut[DSR_LUT_SIZE];
	struct t_rng r;
	struct frames f;
	struct dsr_params p;

	(void)state;
	t_rng_seed(&r, 7);
	frames_alloc(&f, 33, 17);
	for (uint32_t i = 0; i < DSR_LUT_SIZE; i++)
		lut[i] = (uint16_t)t_rng_u64(&r);
	for (int round = 0; round < 200; round++) {
		int32_t *regs[6];

		dsr_params_default(&p, 33, 17, 12 + t_rng_below(&r, 5));
		p.mode = DSR_MODE_WARP;
		regs[0] = &p.a11, regs[1] = &p.a12, regs[2] = &p.a21;
		regs[3] = &p.a22, regs[4] = &p.tx, regs[5] = &p.ty;
		for (int k = 0; k < 6; k++)
			*regs[k] = round < 100 ? extremes[t_rng_below(&r, 7)]
					       : (int32_t)(uint32_t)t_rng_u64(&r);
		if (round % 3 == 0) {	/* plausible transforms too */
			p.a11 = Q24 + (int32_t)t_rng_below(&r, Q24 / 4) - Q24 / 8;
			p.a22 = Q24 + (int32_t)t_rng_below(&r, Q24 / 4) - Q24 / 8;
			p.tx = (int32_t)t_rng_below(&r, 40 * Q16) - 20 * Q16;
		}
		if (round % 2 == 0) {	/* projective: any accepted h31 / h32, and beyond */
			int32_t span = round % 8 == 0 ? INT32_MAX : (int32_t)DSR_H_PERSP_MAX;

			p.h31 = (int32_t)((int64_t)(t_rng_u64(&r) % ((uint64_t)span * 2 + 1)) - span);
			p.h32 = (int32_t)((int64_t)(t_rng_u64(&r) % ((uint64_t)span * 2 + 1)) - span);
		}
		t_rng_pixels(&r, f.ref, f.n, 16);	/* bits above pixel_bits: masked */
		dsr_model_frame(&p, round & 1 ? lut : NULL, f.ref, f.live, f.out);
		for (uint32_t y = 0; y < 17; y++)
			for (uint32_t x = 0; x < 33; x++) {
				uint32_t want = dsr_model_warp_pixel(&p, round & 1 ? lut : NULL,
								     f.ref, x, y);
				uint32_t max = (1u << p.pixel_bits) - 1;

				assert_int_equal(f.out[y * 33 + x], want < max ? want : max);
			}
	}
	frames_free(&f);
}

/* Pass and capture output the live frame, masked to pixel_bits; with no reference
 * warp reads zeros (ref' = lut[0]). */
static void test_pass_capture_and_no_reference(void **state)
{
	static uint16_t lut[DSR_LUT_SIZE];
	struct t_rng r;
	struct frames f;
	struct dsr_params p;

	(void)state;
	t_rng_seed(&r, 8);
	frames_alloc(&f, 21, 13);
	t_rng_pixels(&r, f.live, f.n, 16);
	for (uint32_t mode = DSR_MODE_PASS; mode <= DSR_MODE_CAPTURE; mode++) {
		dsr_params_default(&p, 21, 13, 12);
		p.mode = mode;
		dsr_model_frame(&p, NULL, NULL, f.live, f.out);
		for (size_t i = 0; i < f.n; i++)
			assert_int_equal(f.out[i], f.live[i] & 0xfff);
	}
	dsr_lut_identity(lut, 12);
	lut[0] = 77;
	p.mode = DSR_MODE_WARP;
	dsr_model_frame(&p, lut, NULL, f.live, f.out);
	for (size_t i = 0; i < f.n; i++)
		assert_int_equal(f.out[i], 77);
	p.mode = DSR_MODE_SUBTRACT;
	p.gain = 256;
	dsr_model_frame(&p, NULL, NULL, f.live, f.out);
	for (size_t i = 0; i < f.n; i++) {
		uint32_t want = 2048 + (f.live[i] & 0xfff);

		assert_int_equal(f.out[i], want > 4095 ? 4095 : want);
	}
	frames_free(&f);
}

/* The exact transform of the registers, u in pixels, computed from the integers with
 * no rounding constant: (a11 x + a12 y + tx * 2^8) / 2^24 (exact in a double). */
static void register_warp(const struct dsr_params *p, double x, double y, double *u, double *v)
{
	int64_t iu = (int64_t)p->a11 * (int64_t)x + (int64_t)p->a12 * (int64_t)y + (int64_t)p->tx * 256;
	int64_t iv = (int64_t)p->a21 * (int64_t)x + (int64_t)p->a22 * (int64_t)y + (int64_t)p->ty * 256;

	*u = ldexp((double)iu, -DSR_A_FRAC_BITS);
	*v = ldexp((double)iv, -DSR_A_FRAC_BITS);
}

/* A random transform of the kind registration produces: rotation +-15 degrees, scale
 * 0.8..1.25 per axis, shear +-0.1, translation +-2000 pixels. */
static void random_affine(struct t_rng *r, struct dsr_affine *a)
{
	double th = t_rng_uniform(r, -15, 15) * M_PI / 180;
	double sx = exp(t_rng_uniform(r, log(0.8), log(1.25)));
	double sy = exp(t_rng_uniform(r, log(0.8), log(1.25)));
	double sh = t_rng_uniform(r, -0.1, 0.1);
	double c = cos(th), s = sin(th);

	/* R * [sx sh; 0 sy] */
	a->a11 = c * sx;
	a->a12 = c * sh - s * sy;
	a->a21 = s * sx;
	a->a22 = s * sh + c * sy;
	a->tx = t_rng_uniform(r, -2000, 2000);
	a->ty = t_rng_uniform(r, -2000, 2000);
}

/* Quantisation: over 2000 random transforms, the registers' exact transform stays
 * within 1/100 pixel of the float one at the corners of a 4096 x 4096 frame and at
 * random points; and the measured worst case is inside the bound stated in dsr_hw.h. */
static void test_quantisation_within_one_hundredth(void **state)
{
	struct t_rng r;
	double worst = 0;
	int points = 0;

	(void)state;
	t_rng_seed(&r, 9);
	for (int n = 0; n < 2000; n++) {
		struct dsr_affine a, back;
		struct dsr_params p;

		random_affine(&r, &a);
		dsr_params_default(&p, DSR_WIDTH_MAX, DSR_HEIGHT_MAX, 16);
		assert_int_equal(dsr_params_set_affine(&p, &a), 0);
		dsr_params_get_affine(&p, &back);
		assert_true(fabs(back.a11 - a.a11) <= ldexp(1, -25));
		assert_true(fabs(back.tx - a.tx) <= ldexp(1, -17));
		for (int k = 0; k < 24; k++) {
			double x, y, u, v, eu, ev;

			if (k < 4) {
				x = k & 1 ? DSR_WIDTH_MAX - 1 : 0;
				y = k & 2 ? DSR_HEIGHT_MAX - 1 : 0;
			} else {
				x = t_rng_below(&r, DSR_WIDTH_MAX);
				y = t_rng_below(&r, DSR_HEIGHT_MAX);
			}
			register_warp(&p, x, y, &u, &v);
			eu = fabs(u - (a.a11 * x + a.a12 * y + a.tx));
			ev = fabs(v - (a.a21 * x + a.a22 * y + a.ty));
			worst = fmax(worst, fmax(eu, ev));
			points++;
		}
	}
	assert_int_equal(points, 2000 * 24);
	assert_true(worst < 0.01);
	assert_true(worst < 2.5e-4);	/* the bound dsr_hw.h states */
	assert_true(worst > 0);		/* the test did measure something */
}

/* 1 / D exactly, relative: R (Q2.30) against 2^70 / D. */
static double reciprocal_error(int64_t den)
{
	double exact = ldexp(1.0, DSR_H_FRAC_BITS + DSR_RCP_FRAC_BITS) / (double)den;

	return fabs((double)dsr_model_reciprocal(den) - exact) / exact;
}

/* The arithmetic paragraph of dsr_hw.h written out again, in 128 bits. */
static int64_t paragraph_acc(int64_t n, int64_t den)
{
	__extension__ typedef __int128 i128;
	int64_t dd = den >= 0 ? den >> 10 : -((-den + 1023) >> 10);
	uint64_t d = dd < DSR_RCP_D_MIN ? DSR_RCP_D_MIN : dd > DSR_RCP_D_MAX ? DSR_RCP_D_MAX
									 : (uint64_t)dd;
	uint64_t r0 = (1u << 23) / ((d >> 23) - 96 + 96);
	uint64_t r1 = (r0 * ((2ull << 30) - ((d * r0) >> 16))) >> 16;
	uint64_t r2 = (r1 * ((2ull << 30) - ((d * r1) >> 30))) >> 30;
	i128 prod = (i128)n * (i128)r2;
	i128 q = prod >= 0 ? prod >> 30 : -((-prod + ((1 << 30) - 1)) >> 30);

	return (int64_t)q + DSR_ACC_ROUND;
}

/* The reciprocal: exactly 1 at D = 1, within 2^-26 of 1/D over the whole range the board
 * accepts (D in (0.8, 1.2)), and the model's positions follow the paragraph of dsr_hw.h
 * bit for bit (incl. the clamp for any D). */
static void test_reciprocal(void **state)
{
	const int64_t one = (int64_t)1 << DSR_H_FRAC_BITS;
	struct t_rng r;
	double worst = 0;

	(void)state;
	t_rng_seed(&r, 21);
	assert_int_equal(dsr_model_reciprocal(one), 1u << DSR_RCP_FRAC_BITS);
	for (int i = 0; i < DSR_RCP_SEED_ENTRIES; i++)	/* every seed entry, both ends */
		for (int end = 0; end < 2; end++) {
			int64_t d = ((int64_t)(DSR_RCP_SEED_BASE + i + end) << 33) - end;

			if (d > (int64_t)(0.8 * one) && d < (int64_t)(1.2 * one))
				worst = fmax(worst, reciprocal_error(d));
		}
	for (int i = 0; i < 200000; i++) {
		int64_t d = (int64_t)(0.8 * one) + 1 + (int64_t)(t_rng_u64(&r) % (uint64_t)(0.4 * one));

		worst = fmax(worst, reciprocal_error(d));
	}
	assert_true(worst > 0);
	assert_true(worst < ldexp(1, -26));
	for (int i = 0; i < 20000; i++) {
		struct dsr_params p;
		int64_t au, av, n;
		uint32_t x = t_rng_below(&r, 4096), y = t_rng_below(&r, 4096);

		dsr_params_default(&p, 4096, 4096, 12);
		p.a11 = (int32_t)t_rng_u64(&r);
		p.a22 = (int32_t)t_rng_u64(&r);
		p.tx = (int32_t)t_rng_u64(&r);
		p.ty = (int32_t)t_rng_u64(&r);
		p.h31 = (int32_t)t_rng_u64(&r) >> (i & 1 ? 0 : 6);
		p.h32 = (int32_t)t_rng_u64(&r) >> (i & 1 ? 0 : 6);
		dsr_model_position(&p, x, y, &au, &av);
		n = (int64_t)p.a11 * x + (int64_t)p.a12 * y + (int64_t)p.tx * 256;
		assert_true(au == paragraph_acc(n, one + (int64_t)p.h31 * x + (int64_t)p.h32 * y));
		n = (int64_t)p.a21 * x + (int64_t)p.a22 * y + (int64_t)p.ty * 256;
		assert_true(av == paragraph_acc(n, one + (int64_t)p.h31 * x + (int64_t)p.h32 * y));
	}
}

/* With h31 = h32 = 0 the projective arithmetic is the affine one, bit for bit: R = 1
 * exactly and floor(n * 2^30 / 2^30) = n, for numerators across the whole range. */
static void test_projective_identity_is_affine(void **state)
{
	const int64_t one = (int64_t)1 << DSR_H_FRAC_BITS;
	struct t_rng r;

	(void)state;
	t_rng_seed(&r, 22);
	for (int i = 0; i < 100000; i++) {
		int64_t n = (int64_t)(t_rng_u64(&r) >> 16) - ((int64_t)1 << 47);

		assert_true(paragraph_acc(n, one) == n + DSR_ACC_ROUND);
	}
}

/* A random homography of the accepted range: a random affine (as registration finds),
 * and h31, h32 with |h|*4096 up to 0.1, the extremes included. */
static void random_homography(struct t_rng *r, struct dsr_homography *h, int n)
{
	struct dsr_affine a;
	double lim = 0.1 / 4096;

	random_affine(r, &a);
	dsr_homography_from_affine(&a, h);
	h->h[6] = n % 10 == 0 ? (n & 16 ? lim : -lim) * 0.999999 : t_rng_uniform(r, -lim, lim);
	h->h[7] = n % 10 == 1 ? (n & 16 ? lim : -lim) * 0.999999 : t_rng_uniform(r, -lim, lim);
	if (n % 7 == 0) {	/* any scale: h33 is normalised away */
		double s = t_rng_uniform(r, 0.2, 5) * (n & 8 ? -1 : 1);

		for (int i = 0; i < 9; i++)
			h->h[i] *= s;
	}
}

/* Position error at (x, y) of the registers against the float homography. */
static double homography_error(const struct dsr_params *p, const struct dsr_homography *h,
			       uint32_t x, uint32_t y)
{
	const double *m = h->h;
	double w = m[6] * x + m[7] * y + m[8];
	int64_t au, av;

	dsr_model_position(p, x, y, &au, &av);
	return fmax(fabs(ldexp((double)(au - DSR_ACC_ROUND), -DSR_A_FRAC_BITS) -
			 (m[0] * x + m[1] * y + m[2]) / w),
		    fabs(ldexp((double)(av - DSR_ACC_ROUND), -DSR_A_FRAC_BITS) -
			 (m[3] * x + m[4] * y + m[5]) / w));
}

/* 1200 random homographies over the accepted range: the warped position stays within
 * 1/100 pixel of the float result at the corners of 4096 x 4096 and random points
 * (every pixel of the frame for a few), and under the 1e-3 bound dsr_hw.h states. */
static void test_homography_within_one_hundredth(void **state)
{
	struct t_rng r;
	double worst = 0;
	long points = 0;

	(void)state;
	t_rng_seed(&r, 23);
	for (int n = 0; n < 1200; n++) {
		struct dsr_homography h;
		struct dsr_params p;
		int full = n < 2;

		random_homography(&r, &h, n);
		dsr_params_default(&p, DSR_WIDTH_MAX, DSR_HEIGHT_MAX, 16);
		assert_int_equal(dsr_params_set_homography(&p, &h), 0);
		assert_int_equal(dsr_params_check(&p, 0, 0, NULL), 0);
		for (uint32_t k = 0; k < (full ? 4096u * 4096u : 64u); k++) {
			uint32_t x, y;

			if (full) {
				x = k % 4096, y = k / 4096;
			} else if (k < 4) {
				x = k & 1 ? DSR_WIDTH_MAX - 1 : 0;
				y = k & 2 ? DSR_HEIGHT_MAX - 1 : 0;
			} else {
				x = t_rng_below(&r, DSR_WIDTH_MAX);
				y = t_rng_below(&r, DSR_HEIGHT_MAX);
			}
			worst = fmax(worst, homography_error(&p, &h, x, y));
			points++;
		}
	}
	print_message("homography: worst position error %.3g px over %ld points\n", worst,
		      points);
	assert_int_equal(points, 2L * 4096 * 4096 + 1198L * 64);
	assert_true(worst > 0);
	assert_true(worst < 0.01);
	assert_true(worst < 1e-3);	/* the bound dsr_hw.h states */
}

/* Homographies outside the range are refused naming the coefficient, the registers
 * untouched; the commit check refuses the registers beyond DSR_H_PERSP_MAX; the affine
 * as a homography gives the affine registers. */
static void test_homography_range(void **state)
{
	struct dsr_params p, q;
	struct dsr_homography h = { { 1, 0, 0, 0, 1, 0, 0, 0, 1 } };
	struct dsr_affine a = { 1.01, 0.02, 3.5, -0.02, 0.99, -7.25 };
	const char *why = NULL;

	(void)state;
	dsr_params_default(&p, 100, 100, 12);
	h.h[6] = 0.11 / 4096;
	assert_int_equal(dsr_params_set_homography(&p, &h), -1);
	assert_non_null(strstr(dsr_error(), "h31"));
	h.h[6] = 0;
	h.h[7] = -0.2 / 4096;
	assert_int_equal(dsr_params_set_homography(&p, &h), -1);
	assert_non_null(strstr(dsr_error(), "h32"));
	h.h[7] = 0;
	h.h[8] = 0;
	assert_int_equal(dsr_params_set_homography(&p, &h), -1);
	assert_non_null(strstr(dsr_error(), "h33"));
	h.h[8] = NAN;
	assert_int_equal(dsr_params_set_homography(&p, &h), -1);
	assert_int_equal(p.h31, 0);
	assert_int_equal(p.a11, Q24);
	h = (struct dsr_homography){ { 2, 0, 4, 0, 2, 6, 0.1 / 4096, 0, 2 } };	/* scale 2 */
	assert_int_equal(dsr_params_set_homography(&p, &h), 0);
	assert_int_equal(p.a11, Q24);
	assert_int_equal(p.tx, 2 * Q16);
	assert_int_equal(p.ty, 3 * Q16);
	assert_int_equal(p.h31, (int32_t)nearbyint(ldexp(0.05 / 4096, DSR_H_FRAC_BITS)));
	assert_true(dsr_params_projective(&p));
	q = p;
	q.h31 = DSR_H_PERSP_MAX;
	q.h32 = -DSR_H_PERSP_MAX;
	assert_int_equal(dsr_params_check(&q, 0, 0, &why), 0);
	q.h31 = DSR_H_PERSP_MAX + 1;
	assert_int_equal(dsr_params_check(&q, 0, 0, &why), -1);
	assert_non_null(strstr(why, "h31"));
	q.h31 = 0;
	q.h32 = -DSR_H_PERSP_MAX - 1;
	assert_int_equal(dsr_params_check(&q, 0, 0, &why), -1);
	assert_non_null(strstr(why, "h32"));
	dsr_homography_from_affine(&a, &h);
	assert_int_equal(dsr_params_set_homography(&p, &h), 0);
	assert_false(dsr_params_projective(&p));
	assert_int_equal(dsr_params_set_affine(&q, &a), 0);
	assert_int_equal(q.h31, 0);
	assert_memory_equal(&p.a11, &q.a11, 6 * sizeof(int32_t));
}

/* Quantisation refuses what does not fit and leaves the registers alone. */
static void test_set_affine_range(void **state)
{
	struct dsr_params p;
	struct dsr_affine ok = { 1, 0, 0, 0, 1, 0 };
	struct dsr_affine big = { 128.0, 0, 0, 0, 1, 0 };
	struct dsr_affine far = { 1, 0, 40000.0, 0, 1, 0 };
	struct dsr_affine nan = { 1, 0, 0, 0, NAN, 0 };
	struct dsr_affine edge = { -128.0, 127.99, -32768.0, 0, 1, 32767.99 };

	(void)state;
	dsr_params_default(&p, 100, 100, 12);
	assert_int_equal(dsr_params_set_affine(&p, &ok), 0);
	assert_int_equal(dsr_params_set_affine(&p, &big), -1);
	assert_non_null(strstr(dsr_error(), "a11"));
	assert_int_equal(dsr_params_set_affine(&p, &far), -1);
	assert_non_null(strstr(dsr_error(), "tx"));
	assert_int_equal(dsr_params_set_affine(&p, &nan), -1);
	assert_non_null(strstr(dsr_error(), "a22"));
	assert_int_equal(p.a11, Q24);
	assert_int_equal(p.tx, 0);
	assert_int_equal(p.a22, Q24);
	assert_int_equal(dsr_params_set_affine(&p, &edge), 0);
	assert_int_equal(p.a11, INT32_MIN);
	assert_int_equal(p.tx, INT32_MIN);
}

/* The board's commit check names the field at fault. */
static void test_params_check(void **state)
{
	struct dsr_params p, q;
	const char *why = "unset";

	(void)state;
	dsr_params_default(&p, 640, 480, 12);
	assert_int_equal(p.a11, Q24);
	assert_int_equal(p.a22, Q24);
	assert_int_equal(p.gain, 256);
	assert_int_equal(p.mode, DSR_MODE_SUBTRACT);
	assert_int_equal(dsr_params_check(&p, 0, 0, &why), 0);
	assert_null(why);
	assert_int_equal(dsr_params_check(&p, 640, 480, NULL), 0);
#define EXPECT_BAD(field, value, mw, mh)                                            \
	do {                                                                        \
		q = p;                                                              \
		q.field = value;                                                    \
		assert_int_equal(dsr_params_check(&q, mw, mh, &why), -1);          \
		assert_non_null(why);                                               \
		assert_non_null(strstr(why, #field));                               \
	} while (0)
	EXPECT_BAD(mode, DSR_MODE_MAX + 1, 0, 0);
	EXPECT_BAD(width, 0, 0, 0);
	EXPECT_BAD(width, 641, 640, 480);
	EXPECT_BAD(width, DSR_WIDTH_MAX + 1, 0, 0);
	EXPECT_BAD(height, 0, 0, 0);
	EXPECT_BAD(height, 481, 640, 480);
	EXPECT_BAD(pixel_bits, 11, 0, 0);
	EXPECT_BAD(pixel_bits, 17, 0, 0);
	EXPECT_BAD(gain, DSR_GAIN_MAX + 1, 0, 0);
	EXPECT_BAD(midgrey, 4096, 0, 0);
#undef EXPECT_BAD
	q = p;
	q.pixel_bits = 16;
	q.midgrey = 65535;
	assert_int_equal(dsr_params_check(&q, 0, 0, &why), 0);
	q.a11 = INT32_MIN;	/* every register value is a valid number */
	q.tx = INT32_MAX;
	assert_int_equal(dsr_params_check(&q, 0, 0, &why), 0);
}

/* CRC-32: the check value, continuation, the table against the bit-serial definition,
 * and agreement with zlib's independent implementation on random data. */
static void test_crc32(void **state)
{
	static uint8_t buf[100000];
	struct t_rng r;

	(void)state;
	assert_int_equal(dsr_crc32(0, "123456789", 9), 0xcbf43926u);
	assert_int_equal(dsr_crc32(dsr_crc32(0, "1234", 4), "56789", 5), 0xcbf43926u);
	assert_int_equal(dsr_crc32(0, "", 0), 0);
	for (uint32_t n = 0; n < 256; n++) {	/* one byte through the bit-serial CRC */
		uint8_t b = (uint8_t)n;
		uint32_t c = 0xffffffffu ^ n;

		for (int k = 0; k < 8; k++)
			c = c & 1 ? (c >> 1) ^ 0xedb88320u : c >> 1;
		assert_int_equal(dsr_crc32(0, &b, 1), ~c);
	}
	t_rng_seed(&r, 10);
	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)t_rng_u64(&r);
	assert_int_equal(dsr_crc32(0, buf, sizeof(buf)),
			 (uint32_t)crc32(0, buf, sizeof(buf)));
}

/* A header and payload known byte for byte (computed outside this project with
 * Python's struct and zlib.crc32). */
static void test_header_known_vector(void **state)
{
	static const uint8_t want[64] = {
		0x44, 0x53, 0x52, 0x31, 0x01, 0x00, 0x40, 0x00, 0x02, 0x00, 0x02, 0x00,
		0x01, 0x00, 0x0c, 0x00, 0x07, 0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00,
		0xef, 0xcd, 0xab, 0x89, 0x67, 0x45, 0x23, 0x01, 0x22, 0x00, 0x00, 0x00,
		0x08, 0x00, 0x00, 0x00, 0xf8, 0xba, 0xaa, 0x69,
	};
	static const uint8_t payload[8] = { 0x01, 0x00, 0xff, 0x0f, 0x00, 0x08, 0xbc, 0x0a };
	uint8_t wire[64 + 8];
	struct dsr_frame_info fi = {
		.width = 2, .height = 2, .format = DSR_FORMAT_MONO16, .pixel_bits = 12,
		.sequence = 7, .generation = 3, .timestamp = 0x0123456789abcdefull,
		.flags = DSR_MODE_SUBTRACT | DSR_FLAG_CRC_VALID, .payload_length = 8,
	};

	(void)state;
	assert_int_equal(sizeof(struct dsr_frame_header), DSR_FRAME_HEADER_SIZE);
	assert_int_equal(sizeof(struct dsr_frame_trailer), DSR_FRAME_TRAILER_SIZE);
	fi.payload_crc = dsr_crc32(0, payload, sizeof(payload));
	assert_int_equal(fi.payload_crc, 0x69aabaf8u);
	memset(wire, 0xaa, sizeof(wire));
	dsr_header_pack(&fi, wire);
	assert_memory_equal(wire, want, 64);
	memcpy(wire + 64, payload, 8);
	assert_int_equal(dsr_crc32(0, wire, sizeof(wire)), 0x6c6090fbu);
}

/* Pack then parse gives back every field, for random values. */
static void test_header_round_trip(void **state)
{
	struct t_rng r;
	uint8_t wire[DSR_FRAME_HEADER_SIZE];

	(void)state;
	t_rng_seed(&r, 11);
	for (int n = 0; n < 1000; n++) {
		struct dsr_frame_info in, out;
		const char *why = "unset";

		memset(&in, 0, sizeof(in));
		in.width = 1 + t_rng_below(&r, DSR_WIDTH_MAX);
		in.height = 1 + t_rng_below(&r, DSR_HEIGHT_MAX);
		in.format = DSR_FORMAT_MONO16;
		in.pixel_bits = DSR_PIXEL_BITS_MIN + t_rng_below(&r, 5);
		in.sequence = (uint32_t)t_rng_u64(&r);
		in.generation = (uint32_t)t_rng_u64(&r);
		in.timestamp = t_rng_u64(&r);
		in.flags = (uint32_t)t_rng_u64(&r);
		in.payload_length = in.width * in.height * 2;
		in.payload_crc = (uint32_t)t_rng_u64(&r);
		dsr_header_pack(&in, wire);
		memset(&out, 0, sizeof(out));
		assert_int_equal(dsr_header_parse(wire, sizeof(wire), 0, 0, &out, &why), 0);
		assert_null(why);
		/* field by field: the padding after payload_crc is not a value (the parser may
		 * fill *fi from a copy whose padding is whatever its stack held) */
		assert_int_equal(in.width, out.width);
		assert_int_equal(in.height, out.height);
		assert_int_equal(in.format, out.format);
		assert_int_equal(in.pixel_bits, out.pixel_bits);
		assert_int_equal(in.sequence, out.sequence);
		assert_int_equal(in.generation, out.generation);
		assert_true(in.timestamp == out.timestamp);
		assert_int_equal(in.flags, out.flags);
		assert_int_equal(in.payload_length, out.payload_length);
		assert_int_equal(in.payload_crc, out.payload_crc);
	}
}

/* Damage one field of a valid header and expect the parser's message for it. */
static void expect_rejected(const uint8_t *good, size_t off, size_t size, uint32_t value,
			    size_t len, uint32_t max_w, uint32_t max_h, const char *msg)
{
	uint8_t wire[DSR_FRAME_HEADER_SIZE];
	struct dsr_frame_info fi;
	const char *why = NULL;

	memcpy(wire, good, sizeof(wire));
	for (size_t i = 0; i < size; i++)
		wire[off + i] = (uint8_t)(value >> (8 * i));
	memset(&fi, 0x5a, sizeof(fi));
	assert_int_equal(dsr_header_parse(wire, len, max_w, max_h, &fi, &why), -1);
	assert_non_null(why);
	assert_non_null(strstr(why, msg));
	assert_non_null(strstr(dsr_error(), msg));
	assert_int_equal(fi.width, 0x5a5a5a5a);	/* untouched on failure */
}

/* The parser rejects each kind of bad header with the matching message. */
static void test_header_rejects(void **state)
{
	uint8_t good[DSR_FRAME_HEADER_SIZE];
	struct dsr_frame_info fi = {
		.width = 640, .height = 480, .format = DSR_FORMAT_MONO16, .pixel_bits = 14,
		.payload_length = 640 * 480 * 2,
	};
	const size_t L = DSR_FRAME_HEADER_SIZE;

	(void)state;
	dsr_header_pack(&fi, good);
	assert_int_equal(dsr_header_parse(good, L, 640, 480, &fi, NULL), 0);
	expect_rejected(good, 0, 0, 0, L - 1, 0, 0, "truncated");
	expect_rejected(good, 0, 0, 0, 0, 0, 0, "truncated");
	expect_rejected(good, DSR_HDR_OFF_MAGIC, 4, DSR_TRAILER_MAGIC, L, 0, 0, "bad magic");
	expect_rejected(good, DSR_HDR_OFF_MAGIC, 1, 'X', L, 0, 0, "bad magic");
	expect_rejected(good, DSR_HDR_OFF_VERSION, 2, 2, L, 0, 0, "version");
	expect_rejected(good, DSR_HDR_OFF_VERSION, 2, 0, L, 0, 0, "version");
	expect_rejected(good, DSR_HDR_OFF_HEADER_SIZE, 2, 48, L, 0, 0, "header size");
	expect_rejected(good, DSR_HDR_OFF_HEADER_SIZE, 2, 128, L, 0, 0, "header size");
	expect_rejected(good, DSR_HDR_OFF_WIDTH, 2, 0, L, 0, 0, "width");
	expect_rejected(good, 0, 0, 0, L, 639, 480, "width");
	expect_rejected(good, DSR_HDR_OFF_WIDTH, 2, DSR_WIDTH_MAX + 1, L, 0, 0, "width");
	expect_rejected(good, DSR_HDR_OFF_HEIGHT, 2, 0, L, 0, 0, "height");
	expect_rejected(good, 0, 0, 0, L, 640, 479, "height");
	expect_rejected(good, DSR_HDR_OFF_FORMAT, 2, 2, L, 0, 0, "format");
	expect_rejected(good, DSR_HDR_OFF_PIXEL_BITS, 2, 11, L, 0, 0, "pixel bits");
	expect_rejected(good, DSR_HDR_OFF_PIXEL_BITS, 2, 17, L, 0, 0, "pixel bits");
	expect_rejected(good, DSR_HDR_OFF_PAYLOAD_LENGTH, 4, 640 * 480 * 2 - 2, L, 0, 0,
			"payload length");
	expect_rejected(good, DSR_HDR_OFF_PAYLOAD_LENGTH, 4, 0xffffffffu, L, 0, 0,
			"payload length");
}

/* Trailer pack/parse and its two failure modes. */
static void test_trailer(void **state)
{
	static const uint8_t want[16] = { 0x78, 0x56, 0x34, 0x12, 0x40, 0, 0, 0,
					  0x44, 0x53, 0x52, 0x45, 0, 0, 0, 0 };
	uint8_t wire[16];
	uint32_t crc = 0, flags = 0;
	const char *why = "unset";

	(void)state;
	dsr_trailer_pack(0x12345678u, DSR_FLAG_BAD, wire);
	assert_memory_equal(wire, want, 16);
	assert_int_equal(dsr_trailer_parse(wire, 16, &crc, &flags, &why), 0);
	assert_null(why);
	assert_int_equal(crc, 0x12345678u);
	assert_int_equal(flags, DSR_FLAG_BAD);
	assert_int_equal(dsr_trailer_parse(wire, 15, &crc, &flags, &why), -1);
	assert_non_null(strstr(why, "truncated"));
	wire[DSR_TRL_OFF_MAGIC] ^= 1;
	assert_int_equal(dsr_trailer_parse(wire, 16, &crc, &flags, &why), -1);
	assert_non_null(strstr(why, "magic"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_identity_equal_frames_is_midgrey),
		cmocka_unit_test(test_integer_translation_shifts_exactly),
		cmocka_unit_test(test_identity_lut_is_noop),
		cmocka_unit_test(test_lut_applied),
		cmocka_unit_test(test_clamping_both_ends),
		cmocka_unit_test(test_subtract_formula),
		cmocka_unit_test(test_border_rule_edge_replication),
		cmocka_unit_test(test_field_mask),
		cmocka_unit_test(test_bilinear_resolution_1_256),
		cmocka_unit_test(test_incremental_equals_closed_form),
		cmocka_unit_test(test_pass_capture_and_no_reference),
		cmocka_unit_test(test_quantisation_within_one_hundredth),
		cmocka_unit_test(test_set_affine_range),
		cmocka_unit_test(test_reciprocal),
		cmocka_unit_test(test_projective_identity_is_affine),
		cmocka_unit_test(test_homography_within_one_hundredth),
		cmocka_unit_test(test_homography_range),
		cmocka_unit_test(test_params_check),
		cmocka_unit_test(test_crc32),
		cmocka_unit_test(test_header_known_vector),
		cmocka_unit_test(test_header_round_trip),
		cmocka_unit_test(test_header_rejects),
		cmocka_unit_test(test_trailer),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
