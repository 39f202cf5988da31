/*
 * pipeline.c - one frame through the board's pipeline: dsr_model_frame().
 *
 * This loop is what the Verilator testbenches compare the RTL against and what
 * `dsr subtract` runs, so it follows the hardware step for step: the coordinate
 * accumulators start at (t << 8) + DSR_ACC_ROUND each frame; each line starts from the
 * row accumulators, which advance by a12 / a22 after the line; each pixel advances the
 * running accumulators by a11 / a21 after it is sampled.
 *
 * Bounds (why int64_t is enough and the RTL's DSR_ACC_BITS = 48 too): with every
 * register at its extreme, |t * 2^8| <= 2^39, and over at most 4096 pixels and 4096
 * lines |a * n| <= 2^31 * 2^12 each, so |acc| < 2^39 + 2^44 < 2^47 for frames within
 * DSR_WIDTH_MAX x DSR_HEIGHT_MAX; divided by D > 0.8 still below 2^45. The denominator
 * stays within (0.8, 1.2) * 2^40 < 2^41 for checked h31 / h32. For larger (unchecked) sizes int64_t still holds
 * 2^39 + 2 * 2^31 * 2^32 < 2^64.
 */
#include "model_priv.h"

/* One output pixel from the live pixel and ref' (already through the LUT), by mode. */
static uint32_t output_pixel(const struct dsr_params *p, uint32_t mask, uint32_t live,
			     uint32_t refp)
{
	switch (p->mode) {
	case DSR_MODE_WARP:
		return refp < mask ? refp : mask;
	case DSR_MODE_SUBTRACT:
		return dsr_subtract_pixel(p, mask, live, refp);
	case DSR_MODE_PASS:
	case DSR_MODE_CAPTURE:
	default:
		return live;
	}
}

/* Whether a mode reads the reference at all (pass and capture do not). */
static int mode_uses_reference(uint32_t mode)
{
	return mode == DSR_MODE_WARP || mode == DSR_MODE_SUBTRACT;
}

/* The running accumulators of the coordinate generator: numerators (Q.24; for the
 * affine warp they include DSR_ACC_ROUND already) and the denominator (Q.40). */
struct coord {
	int64_t u, v, d;
};

/* The sampled position of the running accumulators: for an affine warp the numerators
 * themselves, otherwise divided by the denominator (dsr_hw.h). */
static void coord_position(const struct coord *c, int projective, int64_t *acc_u,
			   int64_t *acc_v)
{
	uint32_t r;

	if (!projective) {
		*acc_u = c->u;
		*acc_v = c->v;
		return;
	}
	r = dsr_reciprocal(c->d);
	*acc_u = dsr_project(c->u, r);
	*acc_v = dsr_project(c->v, r);
}

/*
 * The frame. Expects @p to pass dsr_params_check() (what the board accepts); for other
 * values it still computes the formulas without overflow, but no board does the same.
 * Modes above DSR_MODE_MAX behave as pass-through here; the board refuses them.
 * An affine set (h31 = h32 = 0) skips the division, which would return the numerators
 * unchanged (R = 1 exactly; test_model checks that too).
 */
void dsr_model_frame(const struct dsr_params *p, const uint16_t *lut, const uint16_t *ref,
		     const uint16_t *live, uint16_t *out)
{
	dsr_model_rows(p, lut, ref, live, out, 0, p->height);
}

/* Rows [y0, y1) of the frame: the row accumulators of line y0 are those the frame loop
 * reaches after y0 lines (integer sums, so y0 steps at once are the same), so any split
 * of the rows gives the frame's pixels bit for bit. */
void dsr_model_rows(const struct dsr_params *p, const uint16_t *lut, const uint16_t *ref,
		    const uint16_t *live, uint16_t *out, uint32_t y0, uint32_t y1)
{
	uint32_t mask = dsr_pixel_mask(p->pixel_bits);
	int uses_ref = mode_uses_reference(p->mode);
	int proj = dsr_params_projective(p);
	struct coord row = {
		proj ? dsr_num_start(p->tx) : dsr_acc_start(p->tx),
		proj ? dsr_num_start(p->ty) : dsr_acc_start(p->ty),
		DSR_DEN_ONE,
	};

	row.u += (int64_t)y0 * p->a12;
	row.v += (int64_t)y0 * p->a22;
	row.d += (int64_t)y0 * p->h32;
	for (uint32_t y = y0; y < y1 && y < p->height; y++) {
		const uint16_t *lrow = live + (size_t)y * p->width;
		uint16_t *orow = out + (size_t)y * p->width;
		struct coord run = row;

		for (uint32_t x = 0; x < p->width; x++) {
			uint32_t lv = lrow[x] & mask;
			uint32_t refp = 0;

			if (uses_ref) {
				int64_t acc_u, acc_v;

				coord_position(&run, proj, &acc_u, &acc_v);
				refp = dsr_lut_apply(lut, dsr_bilinear(p, ref, mask, acc_u, acc_v));
			}
			orow[x] = (uint16_t)output_pixel(p, mask, lv, refp);
			run.u += p->a11;
			run.v += p->a21;
			run.d += p->h31;
		}
		row.u += p->a12;
		row.v += p->a22;
		row.d += p->h32;
	}
}
