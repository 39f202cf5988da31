/*
 * measure.h - density change in a region of a subtraction, with its uncertainty.
 *
 * A difference image is midgrey + gain * (live - LUT(warp(reference))): unchanged tissue
 * sits at midgrey, mineral gain above it, loss below. A measurement takes a region in
 * follow-up (live) pixel coordinates - a circle, a polygon, or a region file - keeps
 * only its pixels that are valid (inside the frame and, when a validity mask is given,
 * whose reference sample fell inside the reference frame), and reports:
 *   change      mean(difference - midgrey) / gain, in the follow-up's grey levels;
 *   baseline    the aligned, contrast-matched reference's mean there (live - change),
 *               and the change in % of it;
 *   SE          the standard error of the change from the frames' noise;
 *   z, p        a two-sided z test of "no change" (change = 0).
 *
 * Noise: each frame's noise is estimated from its own pixels (dsr_noise_estimate: the
 * median absolute response of a 3x3 Laplacian-like high-pass, which is blind to smooth
 * anatomy and, being a median, to edges). The difference's noise is then
 *   sigma_d^2 = sigma_live^2 + s^2 sigma_ref^2      (s: the contrast LUT's slope)
 * in the follow-up's grey levels, and SE = sigma_d / sqrt(n) over the region's n pixels:
 * bilinear warping smooths the reference's noise from pixel to pixel but keeps its
 * weights summing to one, so the mean over a region keeps the white-noise variance.
 * With noise models (dsr_noise_model_estimate) both sigmas are taken at each pixel's
 * level and SE^2 = sum(sigma_d^2) / n^2.
 *
 * Colour overlay: pixels whose local change (mean over a box of OVERLAY_BOX^2 pixels)
 * exceeds k standard errors of such a box mean are painted on the follow-up, gain in
 * green and loss in red (the usual colour-coded DSR convention); invalid pixels are
 * never painted. Nothing here prints; failures leave dsr_error().
 */
#ifndef DSR_MEASURE_H
#define DSR_MEASURE_H

#include <stddef.h>
#include <stdint.h>

#include "image.h"

#ifdef __cplusplus
extern "C" {
#endif

#define DSR_REGION_MAX_VERTICES	256
/* A region must keep at least this many valid pixels, and this fraction of its own. */
#define DSR_REGION_MIN_PIXELS	9
#define DSR_REGION_MIN_FRACTION	0.5

enum dsr_region_kind { DSR_REGION_CIRCLE, DSR_REGION_POLYGON };

/* A region in follow-up pixel coordinates (pixel centres at integers). */
struct dsr_region {
	enum dsr_region_kind kind;
	double cx, cy, r;			/* circle */
	size_t n;				/* polygon: vertices */
	double x[DSR_REGION_MAX_VERTICES], y[DSR_REGION_MAX_VERTICES];
	char label[64];				/* for the report; may be empty */
};

/*
 * Parse a region: "circle:X,Y,R", "polygon:X1,Y1,X2,Y2,X3,Y3[,...]" (at least three
 * vertices, not self-touching checks aside: even-odd fill), or the path of a region
 * file (JSON: {"circle": [X, Y, R]} or {"polygon": [[X, Y], ...]}, optional "label").
 * R must be > 0 and every number finite. 0, or -1 with dsr_error() naming what was wrong.
 */
int dsr_region_parse(const char *spec, struct dsr_region *r);
int dsr_region_load(const char *path, struct dsr_region *r);

/*
 * The region's pixels in a @w x @h frame, clipped to the frame and to @valid (non-zero =
 * valid; NULL = all): @mask (w*h bytes) gets 1 inside, 0 outside. Returns the number of
 * pixels kept, and in @full (if not NULL) how many the region has before clipping.
 */
size_t dsr_region_mask(const struct dsr_region *r, uint32_t w, uint32_t h, const uint8_t *valid,
		       uint8_t *mask, size_t *full);

/*
 * A frame's noise standard deviation (grey levels), estimated from the frame itself over
 * the pixels where @valid is non-zero (NULL = all): median |L| / (0.6745 * 6) with L the
 * 3x3 kernel [1 -2 1; -2 4 -2; 1 -2 1] (sum of squares 36), over pixels whose 3x3
 * neighbourhood is valid. -1 (dsr_error()) if the frame is smaller than 3x3 or no pixel
 * qualifies.
 */
double dsr_noise_estimate(const struct dsr_image *im, const uint8_t *valid);

/*
 * A frame's noise as a function of its grey level (radiographs: quantum noise grows with
 * the signal). The frame's pixels are binned by their 3x3 mean between its 1 % and 99 %
 * levels (up to DSR_NOISE_BINS bins, at least DSR_NOISE_BIN_MIN pixels each), and each
 * bin's sigma estimated as dsr_noise_estimate() does, from a histogram of |L|. Bins
 * with too few pixels take their nearest neighbour's value.
 */
#define DSR_NOISE_BINS		16
#define DSR_NOISE_BIN_MIN	2000
struct dsr_noise_model {
	int bins;
	double lo, hi;				/* grey levels the bins span */
	double sigma[DSR_NOISE_BINS];		/* per bin, grey levels */
	double global;				/* over the whole frame */
};

/* Estimate @nm from @im (at least 3x3). 0, or -1 (dsr_error()). */
int dsr_noise_model_estimate(const struct dsr_image *im, struct dsr_noise_model *nm);
/* Sigma at grey level @level (interpolated between bin centres, constant beyond). */
double dsr_noise_model_at(const struct dsr_noise_model *nm, double level);

/* How the difference was made and how noisy its sources are. */
struct dsr_measure_ctx {
	const struct dsr_image *difference;	/* the subtraction */
	const struct dsr_image *live;		/* the follow-up */
	const uint8_t *valid;			/* validity mask of the difference, or NULL */
	double midgrey, gain;			/* the difference's "no change" level and gain */
	double lut_slope, lut_offset;		/* contrast: live level = slope * ref + offset */
	double sigma_live, sigma_ref;		/* frame noise, grey levels (dsr_noise_estimate) */
	/* with these, the noise at each pixel's level replaces the constant sigmas */
	const struct dsr_noise_model *noise_live, *noise_ref;
	double alpha;				/* significance level, e.g. 0.05 */
};

struct dsr_measurement {
	size_t pixels, pixels_full;	/* valid pixels used; the region's before clipping */
	double change;			/* grey levels of the follow-up */
	double baseline;		/* aligned reference's mean in the region */
	double change_pct;		/* 100 * change / baseline (NAN if baseline <= 0) */
	double sigma_diff;		/* noise of one difference pixel, follow-up levels */
	double se, se_pct;		/* standard error of change, and in % */
	double z, p;			/* change / se; two-sided p of "no change" */
	int significant;		/* p < alpha */
	int clipped;			/* some of the region lay outside the valid pixels */
};

/*
 * Measure @r in @c. Regions with fewer than DSR_REGION_MIN_PIXELS valid pixels or less
 * than DSR_REGION_MIN_FRACTION of their own pixels valid are refused (-1, dsr_error()
 * saying how much was left); @m is zeroed first, so it is never left uninitialised.
 */
int dsr_measure_region(const struct dsr_measure_ctx *c, const struct dsr_region *r,
		       struct dsr_measurement *m);

/* Two-sided p value of a standard normal statistic @z. */
double dsr_measure_p_two_sided(double z);

#define DSR_OVERLAY_BOX		5	/* local-mean box side for the overlay */
#define DSR_OVERLAY_K		4.0	/* default threshold in standard errors */

/* What the overlay painted. */
struct dsr_overlay_info {
	double threshold;		/* grey levels of change (follow-up) a box mean must pass */
	size_t gain_pixels, loss_pixels, invalid_pixels;
};

/*
 * The colour overlay: an 8-bit RGB picture (w*h*3 bytes, malloc'd, into *@rgb) of the
 * follow-up windowed between its 0.5 % and 99.5 % levels, with gain painted green and
 * loss red where the box-mean change passes @k standard errors of a box mean; invalid
 * pixels are shown dimmed, never coloured. 0, or -1 (dsr_error()).
 */
int dsr_overlay_make(const struct dsr_measure_ctx *c, double k, uint8_t **rgb,
		     struct dsr_overlay_info *info);

/* Write an 8-bit RGB picture as PNG (temporary file renamed into place). 0 or -1. */
int dsr_rgb_save_png(const uint8_t *rgb, uint32_t w, uint32_t h, const char *path);

#ifdef __cplusplus
}
#endif

#endif /* DSR_MEASURE_H */
