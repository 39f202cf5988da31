/*
 * model_priv.h - the per-pixel arithmetic of the reference model, shared by the frame
 * loop (pipeline.c) and the single-pixel entry point (warp.c).
 *
 * Every step here is one line of the arithmetic paragraph in dsr_hw.h, in the same
 * order and with the same widths as the RTL. All intermediate values are int64_t or
 * uint64_t and bounded as stated, so no register value can overflow anything.
 */
#ifndef DSR_MODEL_PRIV_H
#define DSR_MODEL_PRIV_H

#include <stdint.h>

#include "dsr/model.h"

/*
 * Floor division by 2^n of a signed value (the RTL's arithmetic right shift). Written
 * without shifting a negative number, which C leaves implementation-defined: for v < 0,
 * ~v = -v - 1 >= 0 and ~((-v - 1) >> n) = floor(v / 2^n).
 */
static inline int64_t dsr_shr_floor(int64_t v, unsigned n)
{
	return v >= 0 ? v >> n : ~((~v) >> n);
}

/* Mask of the significant bits of a pixel at @pixel_bits (12..16 after params_check;
 * any value 1..16 works). */
static inline uint32_t dsr_pixel_mask(uint32_t pixel_bits)
{
	return pixel_bits >= 16 ? 0xffffu : (1u << pixel_bits) - 1u;
}

/*
 * Start value of a coordinate accumulator for a frame: the Q16.16 translation widened
 * to Q.24 (times 2^(24-16), written as a multiplication because shifting a negative
 * value left is undefined in C) plus the rounding constant that makes the later
 * truncation to 1/256 pixel a round-to-nearest. |t| < 2^31 so |result| < 2^39 + 2^15.
 */
static inline int64_t dsr_acc_start(int32_t t)
{
	return (int64_t)t * (1 << (DSR_A_FRAC_BITS - DSR_T_FRAC_BITS)) + DSR_ACC_ROUND;
}

/* Start value of a projective numerator: the translation in Q.24, no rounding constant
 * (it is added after the division). */
static inline int64_t dsr_num_start(int32_t t)
{
	return (int64_t)t * (1 << (DSR_A_FRAC_BITS - DSR_T_FRAC_BITS));
}

/* Denominator accumulator at the frame start: 1.0 in Q.40. */
#define DSR_DEN_ONE	((int64_t)1 << DSR_H_FRAC_BITS)

/*
 * R = 1 / D in Q2.30 from the denominator accumulator D (Q.40): the seed table and two
 * Newton-Raphson steps of dsr_hw.h. d is clamped into [0.75, 1.25), which the board's
 * range check guarantees anyway, so any D gives a defined result. Every product is
 * below 2^63: d < 2^31, r0 < 2^17, r1 and r2 < 2^31, the errors e < 2^31.
 */
static inline uint32_t dsr_reciprocal(int64_t den)
{
	int64_t dd = dsr_shr_floor(den, DSR_H_FRAC_BITS - DSR_RCP_FRAC_BITS);
	uint64_t d, r0, r1, r2, e;

	if (dd < (int64_t)DSR_RCP_D_MIN)
		dd = DSR_RCP_D_MIN;
	if (dd > (int64_t)DSR_RCP_D_MAX)
		dd = DSR_RCP_D_MAX;
	d = (uint64_t)dd;
	r0 = DSR_RCP_SEED((d >> (DSR_RCP_FRAC_BITS - DSR_RCP_SEED_STEP_BITS)) -
			  DSR_RCP_SEED_BASE);
	e = (2ull << DSR_RCP_FRAC_BITS) - ((d * r0) >> DSR_RCP_SEED_FRAC_BITS);
	r1 = (r0 * e) >> DSR_RCP_SEED_FRAC_BITS;
	e = (2ull << DSR_RCP_FRAC_BITS) - ((d * r1) >> DSR_RCP_FRAC_BITS);
	r2 = (r1 * e) >> DSR_RCP_FRAC_BITS;
	return (uint32_t)r2;
}

/*
 * The sampled accumulator of a projective numerator n (Q.24) and reciprocal r (Q2.30):
 * floor(n * r / 2^30) + DSR_ACC_ROUND. n * r needs up to 64 + 31 bits, so the product is
 * split: n = hi * 2^32 + lo with lo unsigned, and floor((hi * r * 2^32 + lo * r) / 2^30)
 * = hi * r * 4 + floor(lo * r / 2^30) exactly (hi * r * 4 < 2^63 for |n| < 2^62).
 */
static inline int64_t dsr_project(int64_t n, uint32_t r)
{
	int64_t hi = dsr_shr_floor(n, 32);
	uint64_t lo = (uint64_t)n & 0xffffffffu;
	uint64_t lo_r = (lo * r) >> DSR_RCP_FRAC_BITS;

	return hi * (int64_t)r * (1 << (32 - DSR_RCP_FRAC_BITS)) + (int64_t)lo_r + DSR_ACC_ROUND;
}

/* Clamp a neighbour coordinate into [0, n - 1]: the border rule (edge replication). */
static inline uint32_t dsr_clamp_coord(int64_t c, uint32_t n)
{
	if (c < 0)
		return 0;
	if (c > (int64_t)n - 1)
		return n - 1;
	return (uint32_t)c;
}

/*
 * Bilinear sample of the reference at accumulator position (acc_u, acc_v), both
 * already including DSR_ACC_ROUND. Integer part by floor, weight = the 8 bits below
 * the binary point (two's complement bits, so also right for negative positions).
 * Each of the four neighbour coordinates is clamped separately. With @ref NULL every
 * reference pixel reads as 0. The result is at most the largest neighbour, so it
 * never exceeds 2^pixel_bits - 1 when the reference pixels are masked.
 *
 * Widths: p <= 65535, weights <= 256, so top/bot <= 2^24 and the sum before the
 * final shift < 2^32 + 2^15; uint64_t has room to spare.
 */
static inline uint32_t dsr_bilinear(const struct dsr_params *p, const uint16_t *ref,
				    uint32_t mask, int64_t acc_u, int64_t acc_v)
{
	int64_t ui = dsr_shr_floor(acc_u, DSR_A_FRAC_BITS);
	int64_t vi = dsr_shr_floor(acc_v, DSR_A_FRAC_BITS);
	unsigned wshift = DSR_A_FRAC_BITS - DSR_W_BITS;
	uint64_t fx = ((uint64_t)acc_u >> wshift) & (DSR_W_ONE - 1);
	uint64_t fy = ((uint64_t)acc_v >> wshift) & (DSR_W_ONE - 1);
	uint32_t x0, x1, y0, y1;
	uint64_t p00, p10, p01, p11, top, bot;

	if (!ref)
		return 0;
	x0 = dsr_clamp_coord(ui, p->width);
	x1 = dsr_clamp_coord(ui + 1, p->width);
	y0 = dsr_clamp_coord(vi, p->height);
	y1 = dsr_clamp_coord(vi + 1, p->height);
	p00 = ref[(size_t)y0 * p->width + x0] & mask;
	p10 = ref[(size_t)y0 * p->width + x1] & mask;
	p01 = ref[(size_t)y1 * p->width + x0] & mask;
	p11 = ref[(size_t)y1 * p->width + x1] & mask;
	top = p00 * (DSR_W_ONE - fx) + p10 * fx;
	bot = p01 * (DSR_W_ONE - fx) + p11 * fx;
	return (uint32_t)((top * (DSR_W_ONE - fy) + bot * fy + (1u << (2 * DSR_W_BITS - 1)))
			  >> (2 * DSR_W_BITS));
}

/* ref' = lut[ref]; a NULL LUT is the identity. ref < 2^16 always. */
static inline uint32_t dsr_lut_apply(const uint16_t *lut, uint32_t ref)
{
	return lut ? lut[ref] : ref;
}

/*
 * The subtraction: out = clamp(midgrey + ((d * gain + 128) >> 8), 0, 2^bits - 1),
 * d = live - ref' signed. |d| < 2^16, gain < 2^16, so d * gain fits easily in int64_t.
 */
static inline uint32_t dsr_subtract_pixel(const struct dsr_params *p, uint32_t mask,
					  uint32_t live, uint32_t refp)
{
	int64_t d = (int64_t)live - (int64_t)refp;
	int64_t g = dsr_shr_floor(d * (int64_t)p->gain + (1 << (DSR_GAIN_FRAC_BITS - 1)),
				  DSR_GAIN_FRAC_BITS);
	int64_t out = (int64_t)p->midgrey + g;

	if (out < 0)
		return 0;
	if (out > (int64_t)mask)
		return mask;
	return (uint32_t)out;
}

#endif /* DSR_MODEL_PRIV_H */
