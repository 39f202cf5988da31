/*
 * alignment.h - the parameter file: what registration found, what the board gets.
 *
 * One JSON object, written by `dsr sample --truth`, registration and calibration, read
 * by `dsr subtract`, `dsr upload` and the tests. The keys this library knows:
 *
 *   "affine":    [a11, a12, tx, a21, a22, ty]   live -> reference, floating point
 *                (model.h's convention and order)
 *   "homography": [h11, h12, h13, h21, h22, h23, h31, h32, h33]   instead of "affine" when
 *                the transform is projective (struct dsr_homography's order); then
 *                "registers" also holds "h31" and "h32" (optional otherwise, 0)
 *   "registers": {"mode": "pass"|"capture"|"subtract"|"warp", "width": W, "height": H,
 *                 "pixel_bits": B, "a11": i, "a12": i, "a21": i, "a22": i, "tx": i,
 *                 "ty": i, "gain": i, "midgrey": i}    the board's values (dsr_hw.h)
 *   "quality":   a number in [-1, 1] (registration's correlation coefficient)
 *   "lut":       {"kind": "identity"|"histogram"|"linear", "entries": [2^B integers]}
 * Any other top-level keys are kept (struct dsr_alignment.extra) and written back.
 *
 * Reading is strict about what it knows (the file is untrusted input: every type and
 * range is checked and the message names the key) and lenient about spelling other
 * tools already wrote: "mode" may also be the integer DSR_MODE_*, the LUT kind may be
 * under "method", and the entries may be a top-level "lut_table"; entries may number
 * 2^B or DSR_LUT_SIZE. Writing always produces the canonical form above.
 *
 * "affine" and "homography" exclude each other. With "homography" read "affine" below
 * as "homography" (its registers include h31 / h32; the bound for those is half their
 * step too).
 *
 * Which of "affine" and "registers" wins: with only "affine", the registers are
 * quantised from it and width/height/pixel_bits stay 0 until dsr_alignment_for_frame()
 * supplies them from the images; with only "registers", "affine" is what they
 * implement; with both, they must agree within the quantisation bound (half a register
 * step, dsr_hw.h), else the file is refused.
 */
#ifndef DSR_ALIGNMENT_H
#define DSR_ALIGNMENT_H

#include <stdint.h>

#include <jansson.h>

#include "model.h"

#ifdef __cplusplus
extern "C" {
#endif

struct dsr_alignment {
	struct dsr_affine affine;	/* live -> reference (the affine part if projective) */
	struct dsr_homography homography;	/* the whole transform (h33 = 1) */
	int projective;			/* written as "homography" rather than "affine" */
	struct dsr_params params;	/* registers; width == 0 until the frame is known */
	uint16_t *lut;			/* DSR_LUT_SIZE entries (malloc'ed), NULL = identity */
	char lut_kind[16];		/* "identity", "histogram", "linear" */
	double quality;			/* NAN if absent */
	json_t *extra;			/* the file's other top-level keys (owned), or NULL */
};

/* Identity affine and registers (subtract mode, gain 1, frame size unknown = 0),
 * identity LUT, no quality, no extra keys. */
void dsr_alignment_init(struct dsr_alignment *al);

/* Read @path into @al (initialised here; free with dsr_alignment_free even on
 * failure). 0, or -1 with dsr_error() naming the file and the key at fault. */
int dsr_alignment_load(const char *path, struct dsr_alignment *al);

/*
 * Bind an alignment to the frames it will be used on: if the registers do not know
 * the frame yet (width 0, an "affine"-only file), take @width, @height, @pixel_bits
 * and a midgrey of half range; otherwise they must match, else -1 with dsr_error()
 * naming the field. Then everything must pass dsr_params_check() and a LUT read from
 * the file must have been made for this pixel depth.
 */
int dsr_alignment_for_frame(struct dsr_alignment *al, uint32_t width, uint32_t height,
			    uint32_t pixel_bits);

/*
 * Write @al to @path in the canonical form (registers must pass dsr_params_check),
 * followed by al->extra's keys and then @extra's (NULL for none; its keys win over
 * al->extra's). Neither may redefine a key of the format. Written to a temporary file
 * and renamed. 0 or -1 with dsr_error().
 */
int dsr_alignment_save(const struct dsr_alignment *al, const char *path, const json_t *extra);

/* Free the LUT and extra keys; @al is left initialised. */
void dsr_alignment_free(struct dsr_alignment *al);

/* "pass", "capture", "subtract", "warp" for DSR_MODE_*; NULL if out of range. */
const char *dsr_mode_name(uint32_t mode);

#ifdef __cplusplus
}
#endif

#endif /* DSR_ALIGNMENT_H */
