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

/* One follow-up of a series montage. */
struct dsr_montage_member {
	const struct dsr_image *live;	/* NULL if it could not be loaded */
	const struct dsr_image *diff;	/* NULL if the member failed */
	const uint8_t *valid;		/* diff's field mask (model.h), NULL = all in field */
	uint32_t midgrey;
	const char *label;		/* e.g. "FOLLOW-UP 1  2026-03-04  Q 0.9312" */
	const char *failure;		/* why it failed (shown in its difference tile) */
};

/*
 * The series montage: a header of text lines (@header: patient, visit dates, teeth, the
 * legend - '\n'-separated), then one row per follow-up: reference | follow-up |
 * difference, every tile labelled. A difference is windowed about its midgrey on its
 * in-field pixels; out-of-field pixels are hatched; a failed member's tile says FAILED
 * and why. Tiles at most @tile_max pixels on a side. NULL (dsr_error()) on error.
 */
struct dsr_image *dsr_montage_series(const struct dsr_image *ref, const char *ref_label,
				     const struct dsr_montage_member *m, size_t n,
				     const char *header, uint32_t tile_max);

#ifdef __cplusplus
}
#endif

#endif /* DSR_MONTAGE_H */
