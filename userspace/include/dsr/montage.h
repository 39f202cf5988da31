/*
 * montage.h - one 8-bit picture a technician reads at a glance: reference, live, aligned
 * reference, difference, a checkerboard of aligned reference and live (edges that run
 * straight across the squares mean a good registration), and a panel of text.
 */
#ifndef DSR_MONTAGE_H
#define DSR_MONTAGE_H

#include <stdint.h>

#include "image.h"
#include "model.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * All four frames of the same size. @aligned is the reference warped into the live
 * geometry through the LUT (the model's WARP output), @diff the SUBTRACT output with
 * @midgrey meaning "no change". @caption: lines of text for the panel, separated by
 * '\n' (may be NULL). Returns an 8-bit image, or NULL (dsr_error()).
 */
struct dsr_image *dsr_montage(const struct dsr_image *ref, const struct dsr_image *live,
			      const struct dsr_image *aligned, const struct dsr_image *diff,
			      uint32_t midgrey, const char *caption);

/*
 * The montage of a pair and the parameter set that subtracts it (@p: frame size, depth,
 * transform, gain, midgrey; its mode is ignored): the aligned reference and the
 * difference are made by the reference model, exactly as the board makes them. @lut
 * as for dsr_model_frame(). NULL (dsr_error()) on bad sizes or memory.
 */
struct dsr_image *dsr_montage_pair(const struct dsr_image *ref, const struct dsr_image *live,
				   const struct dsr_params *p, const uint16_t *lut,
				   const char *caption);

#ifdef __cplusplus
}
#endif

#endif /* DSR_MONTAGE_H */
