/*
 * field.c - which live pixels the reference actually covers: dsr_model_field_mask().
 *
 * The board samples the reference at every live pixel; where the sample position lies
 * outside the reference frame the border rule (edge replication) invents a value, and
 * the difference there is not change but a streak of the reference's edge. A pixel is
 * in field when its bilinear sample needs no clamped neighbour with a non-zero weight,
 * i.e. the sample position (rounded to 1/256 pixel, as the board rounds it) lies in
 * [0, width - 1] x [0, height - 1]. The position is dsr_model_position()'s: the one the
 * frame loop samples, affine or projective.
 */
#include "model_priv.h"

/* One axis: integer part @i and weight @f of the sample lie within 0..n-1. */
static int axis_in_field(int64_t acc, uint32_t n)
{
	int64_t i = dsr_shr_floor(acc, DSR_A_FRAC_BITS);
	uint64_t f = ((uint64_t)acc >> (DSR_A_FRAC_BITS - DSR_W_BITS)) & (DSR_W_ONE - 1);

	return i >= 0 && (i < (int64_t)n - 1 || (i == (int64_t)n - 1 && f == 0));
}

size_t dsr_model_field_mask(const struct dsr_params *p, uint8_t *valid)
{
	size_t count = 0;

	for (uint32_t y = 0; y < p->height; y++) {
		uint8_t *vrow = valid + (size_t)y * p->width;

		for (uint32_t x = 0; x < p->width; x++) {
			int64_t acc_u, acc_v;

			dsr_model_position(p, x, y, &acc_u, &acc_v);
			vrow[x] = (uint8_t)(axis_in_field(acc_u, p->width) &&
					    axis_in_field(acc_v, p->height));
			count += vrow[x];
		}
	}
	return count;
}
