/*
 * warp.c - the warp of the reference into the live frame's geometry, one pixel at a
 * time: dsr_model_warp_pixel().
 *
 * The frame loop in pipeline.c generates the same accumulator values incrementally, as
 * the RTL does; here they are computed in closed form for a single pixel. The two are
 * equal because the accumulation is exact integer addition that cannot overflow
 * (see dsr_hw.h and the bounds in model_priv.h), and test_model.c checks it.
 */
#include "model_priv.h"

/* Accumulator value at live pixel (x, y) for the coefficient pair (a_x, a_y) and the
 * translation t: start + a_x * x + a_y * y. |.| < 2^39 + 2 * 2^31 * 2^32 < 2^64. */
static int64_t acc_at(int32_t a_x, int32_t a_y, int32_t t, uint32_t x, uint32_t y)
{
	return dsr_acc_start(t) + (int64_t)a_x * x + (int64_t)a_y * y;
}

/* The sampled accumulators at live (x, y): the affine ones, or the numerators (started
 * without the rounding constant) divided by the denominator 1 + h31 x + h32 y. */
void dsr_model_position(const struct dsr_params *p, uint32_t x, uint32_t y,
			int64_t *acc_u, int64_t *acc_v)
{
	int64_t round = DSR_ACC_ROUND;
	uint32_t r;

	*acc_u = acc_at(p->a11, p->a12, p->tx, x, y);
	*acc_v = acc_at(p->a21, p->a22, p->ty, x, y);
	if (!dsr_params_projective(p))
		return;
	r = dsr_reciprocal(DSR_DEN_ONE + (int64_t)p->h31 * x + (int64_t)p->h32 * y);
	*acc_u = dsr_project(*acc_u - round, r);
	*acc_v = dsr_project(*acc_v - round, r);
}

uint32_t dsr_model_reciprocal(int64_t den)
{
	return dsr_reciprocal(den);
}

/* ref' at live (x, y): warp, bilinear with the border rule, LUT. */
uint16_t dsr_model_warp_pixel(const struct dsr_params *p, const uint16_t *lut,
			      const uint16_t *ref, uint32_t x, uint32_t y)
{
	uint32_t mask = dsr_pixel_mask(p->pixel_bits);
	int64_t acc_u, acc_v;

	dsr_model_position(p, x, y, &acc_u, &acc_v);
	return (uint16_t)dsr_lut_apply(lut, dsr_bilinear(p, ref, mask, acc_u, acc_v));
}
