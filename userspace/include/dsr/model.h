/*
 * model.h - the C reference model of the board's pixel pipeline.
 *
 * This is the specification: the RTL, `dsr subtract` and the registration code's
 * quantisation all agree with it bit for bit. See dsr_hw.h for the formats and the
 * arithmetic in one paragraph; userspace/lib/model/ for the code.
 */
#ifndef DSR_MODEL_H
#define DSR_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include "dsr_hw.h"

#ifdef __cplusplus
extern "C" {
#endif

/* One parameter set exactly as the board's registers hold it. */
struct dsr_params {
	uint32_t mode;		/* DSR_MODE_* */
	uint32_t width, height;	/* frame size, 1..max */
	uint32_t pixel_bits;	/* DSR_PIXEL_BITS_MIN..MAX */
	int32_t a11, a12, a21, a22;	/* Q8.24 */
	int32_t tx, ty;		/* Q16.16 */
	int32_t h31, h32;	/* 0 for an affine warp */
	uint32_t gain;		/* Q8.8 */
	uint32_t midgrey;	/* grey level */
};

/* A transform in floating point: (u, v) = (a11 x + a12 y + tx, a21 x + a22 y + ty),
 * (x, y) a live pixel, (u, v) the reference position. Same order as the JSON "affine". */
struct dsr_affine {
	double a11, a12, tx, a21, a22, ty;
};

/* A homography in floating point, row-major: (u, v) = ((h11 x + h12 y + h13) / w,
 * (h21 x + h22 y + h23) / w), w = h31 x + h32 y + h33. Same order as the JSON
 * "homography"; the affine is h31 = h32 = 0, h33 = 1. */
struct dsr_homography {
	double h[9];
};

/* Parameters for the identity warp, gain 1, midgrey at half range, subtract mode. */
void dsr_params_default(struct dsr_params *p, uint32_t width, uint32_t height,
			uint32_t pixel_bits);

/* 0 if the board would accept @p with a frame store of max_w x max_h, otherwise a
 * DSR_ERR_BAD_PARAMS-worthy problem: returns -1 and, if @why is non-NULL, points it
 * at a static message naming the field. */
int dsr_params_check(const struct dsr_params *p, uint32_t max_w, uint32_t max_h,
		     const char **why);

/* Quantise a float transform into p's a11..ty (round to nearest). Returns -1 if a
 * value does not fit its register. The error bound is in dsr_hw.h. */
int dsr_params_set_affine(struct dsr_params *p, const struct dsr_affine *a);
/* The transform the registers actually implement (ignores h31 / h32). */
void dsr_params_get_affine(const struct dsr_params *p, struct dsr_affine *a);
/* Quantise a homography: normalised to h33 = 1, then a11..ty as set_affine and h31, h32
 * to. Returns -1 (registers untouched) if h33 is not usable, a value does not
 * fit its register or the perspective exceeds DSR_H_PERSP_MAX. */
int dsr_params_set_homography(struct dsr_params *p, const struct dsr_homography *h);
/* The homography the registers implement (h33 = 1). */
void dsr_params_get_homography(const struct dsr_params *p, struct dsr_homography *h);
/* Whether @p warps projectively (h31 or h32 non-zero). */
int dsr_params_projective(const struct dsr_params *p);
/* The homography of an affine transform. */
void dsr_homography_from_affine(const struct dsr_affine *a, struct dsr_homography *h);

/* The sampled position of live pixel (x, y): the accumulators as the sampler splits
 * them (Q.24, DSR_ACC_ROUND included). */
void dsr_model_position(const struct dsr_params *p, uint32_t x, uint32_t y,
			int64_t *acc_u, int64_t *acc_v);
/* The reciprocal step on its own: R (Q2.30) of a denominator accumulator D (Q.40). */
uint32_t dsr_model_reciprocal(int64_t den);

/* Identity LUT for @pixel_bits: lut[i] = i (masked to pixel_bits) for all DSR_LUT_SIZE. */
void dsr_lut_identity(uint16_t *lut, uint32_t pixel_bits);

/*
 * Run one frame through the pipeline.
 * @ref:  the reference store, width*height pixels (same size as the live frame), or
 *        NULL if the board holds none (warp/subtract then use zeros and the board sets
 *        DSR_FLAG_NO_REFERENCE).
 * @lut:  DSR_LUT_SIZE entries, or NULL for identity.
 * @live: width*height input pixels; bits above pixel_bits are ignored.
 * @out:  width*height output pixels.
 * In DSR_MODE_CAPTURE the caller stores @live as the new reference itself.
 */
void dsr_model_frame(const struct dsr_params *p, const uint16_t *lut, const uint16_t *ref,
		     const uint16_t *live, uint16_t *out);
/* Only rows [y0, y1) of @out (@live and @out are still the whole frame): the same
 * pixels as dsr_model_frame() gives them, for splitting a frame between threads. */
void dsr_model_rows(const struct dsr_params *p, const uint16_t *lut, const uint16_t *ref,
		    const uint16_t *live, uint16_t *out, uint32_t y0, uint32_t y1);

/* The reference value at live pixel (x, y) after warp, bilinear and LUT (ref'). */
uint16_t dsr_model_warp_pixel(const struct dsr_params *p, const uint16_t *lut,
			      const uint16_t *ref, uint32_t x, uint32_t y);

/*
 * The field of view: @valid[y * width + x] = 1 where the reference sample for live
 * pixel (x, y) lies inside the reference frame (no edge-replicated neighbour carries
 * weight), 0 where it is out of field - the reference never saw that part, so the
 * difference there is not change and belongs in no statistic. Same accumulators and
 * rounding as dsr_model_frame(). @valid holds width * height bytes. Returns the number
 * of pixels in field.
 */
size_t dsr_model_field_mask(const struct dsr_params *p, uint8_t *valid);

/* CRC-32 (IEEE), continuable: crc = dsr_crc32(0, buf, len) for a whole buffer. */
uint32_t dsr_crc32(uint32_t crc, const void *buf, size_t len);

/* Host-order view of a frame header. */
struct dsr_frame_info {
	uint32_t width, height, format, pixel_bits;
	uint32_t sequence, generation;
	uint64_t timestamp;
	uint32_t flags, payload_length, payload_crc;
};

/* Write a header to 64 bytes of wire format. */
void dsr_header_pack(const struct dsr_frame_info *fi, void *wire);
/* Parse and validate a header from untrusted bytes (@len available). Returns 0, or -1
 * with @why naming the problem (bad magic, version, header size, sizes beyond
 * max_w x max_h, format, pixel bits, payload length not width*height*2). */
int dsr_header_parse(const void *wire, size_t len, uint32_t max_w, uint32_t max_h,
		     struct dsr_frame_info *fi, const char **why);
/* Trailer: pack / parse-and-validate (magic). */
void dsr_trailer_pack(uint32_t payload_crc, uint32_t flags, void *wire);
int dsr_trailer_parse(const void *wire, size_t len, uint32_t *payload_crc, uint32_t *flags,
		      const char **why);

#ifdef __cplusplus
}
#endif

#endif /* DSR_MODEL_H */
