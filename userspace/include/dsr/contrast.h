/*
 * contrast.h - the LUT that matches the reference's grey levels to the live frame's.
 *
 * The board looks every warped reference value up in a LUT of DSR_LUT_SIZE entries
 * before subtracting (dsr_hw.h); only the first 2^pixel_bits entries can be addressed.
 * Between two visits the exposure changes (tube voltage, time, sensor ageing), so the
 * same anatomy gives different grey levels; the LUT maps the reference's levels onto
 * the live frame's, so that what did not change subtracts to midgrey.
 *
 * Both estimates use only the overlap: live pixels whose reference position, under the
 * registration transform, lies inside the reference, and that no mask excludes. The
 * reference side is sampled exactly as the board does (the reference model's warp), so
 * the LUT is indexed by the very values it will see.
 */
#ifndef DSR_CONTRAST_H
#define DSR_CONTRAST_H

#include <stdint.h>

#include "image.h"
#include "model.h"

#ifdef __cplusplus
extern "C" {
#endif

enum dsr_lut_method {
	DSR_LUT_IDENTITY = 0,	/* lut[i] = i */
	DSR_LUT_HISTOGRAM,	/* cumulative-histogram (CDF) matching, any monotone change */
	DSR_LUT_LINEAR,		/* least-squares live = gain * ref + offset */
};

/* "identity", "histogram", "linear"; NULL for an unknown value. */
const char *dsr_lut_method_name(enum dsr_lut_method m);
/* Parse one of those names; -1 (dsr_error()) if unknown. */
int dsr_lut_method_parse(const char *name, enum dsr_lut_method *m);

/* What the fit found, for the report. */
struct dsr_contrast_info {
	uint64_t samples;	/* overlap pixels used */
	double gain, offset;	/* linear fit live ~ gain * ref + offset (grey levels),
				 * computed for every method */
	double residual;	/* RMS of live - lut[ref'] over the overlap, grey levels */
};

/*
 * Build @lut (DSR_LUT_SIZE entries) for frames of equal size and depth @pixel_bits:
 * lut[r] is the live grey level that reference level r corresponds to. Entries from
 * 2^pixel_bits on repeat the last meaningful one. @a is the live -> reference
 * transform; @mask (width*height bytes, non-zero = ignore, or NULL) as in register.h.
 * @info may be NULL. Returns -1 (dsr_error()) if sizes differ or the overlap has too
 * few pixels for a fit.
 */
int dsr_contrast_lut(const struct dsr_image *ref, const struct dsr_image *live,
		     const struct dsr_affine *a, const uint8_t *mask,
		     enum dsr_lut_method method, uint32_t pixel_bits, uint16_t *lut,
		     struct dsr_contrast_info *info);
/* The same through a homography (a projective alignment; h33 != 0). */
int dsr_contrast_lut_h(const struct dsr_image *ref, const struct dsr_image *live,
		       const struct dsr_homography *h, const uint8_t *mask,
		       enum dsr_lut_method method, uint32_t pixel_bits, uint16_t *lut,
		       struct dsr_contrast_info *info);

#ifdef __cplusplus
}
#endif

#endif /* DSR_CONTRAST_H */
