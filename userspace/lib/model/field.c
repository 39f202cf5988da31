/*
 * field.c - which live pixels the reference actually covers: dsr_model_field_mask().
 *
 * The board samples the reference at every live pixel; where the sample position lies
 * outside the reference frame the border rule (edge replication) invents a value, and
 * the difference there is not change but a streak of the reference's edge. This walks
 * the same accumulators as the frame loop (pipeline.c) and marks a pixel in field when
 * its bilinear sample needs no clamped neighbour with a non-zero weight, i.e. the
 * sample position (rounded to 1/256 pixel, as the board rounds it) lies in
 * [0, width - 1] x [0, height - 1].
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
	int64_t row_u = dsr_acc_start(p->tx);
	int64_t row_v = dsr_acc_start(p->ty);
	size_t count = 0;

	for (uint32_t y = 0; y < p->height; y++) {
		uint8_t *vrow = valid + (size_t)y * p->width;
		int64_t acc_u = row_u;
		int64_t acc_v = row_v;

		for (uint32_t x = 0; x < p->width; x++) {
			vrow[x] = (uint8_t)(axis_in_field(acc_u, p->width) &&
					    axis_in_field(acc_v, p->height));
			count += vrow[x];
			acc_u += p->a11;
			acc_v += p->a21;
		}
		row_u += p->a12;
		row_v += p->a22;
	}
	return count;
}
