/*
 * measure_out.h - the measurement options every subtracting command shares (--region,
 * --overlay, --overlay-k, --alpha, and the old --lesion), and what they leave behind:
 * the "noise", "measurements", "overlay" and "lesion" entries of report.json, the
 * overlay PNG (and its DICOM colour object), and lines for the montage and stdout.
 * The arithmetic is libdsr's (dsr/measure.h); this is the glue around it.
 */
#ifndef DSR_TOOL_MEASURE_OUT_H
#define DSR_TOOL_MEASURE_OUT_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "dsr/contrast.h"
#include "dsr/measure.h"
#include "dsr/model.h"

#define MEASURE_MAX_REGIONS 16

struct measure_opts {
	struct dsr_region regions[MEASURE_MAX_REGIONS];
	const char *specs[MEASURE_MAX_REGIONS];	/* as given, for the report */
	size_t n;
	int overlay;		/* --overlay: write the colour overlay */
	double k;		/* --overlay-k: threshold in standard errors */
	double alpha;		/* --alpha: significance level */
};

#define MEASURE_OPT_FIRST 0x500
#define MEASURE_LONG_OPTIONS \
	{ "region", required_argument, NULL, MEASURE_OPT_FIRST + 0 }, \
	{ "overlay", no_argument, NULL, MEASURE_OPT_FIRST + 1 }, \
	{ "overlay-k", required_argument, NULL, MEASURE_OPT_FIRST + 2 }, \
	{ "alpha", required_argument, NULL, MEASURE_OPT_FIRST + 3 }
#define MEASURE_HELP \
	"Measurement (follow-up pixel coordinates; see docs/measurement.md):\n" \
	"  --region circle:X,Y,R | polygon:X1,Y1,X2,Y2,X3,Y3,... | FILE.json\n" \
	"                          density change in the region (repeatable, up to 16):\n" \
	"                          grey levels, %% of the baseline, standard error, z test\n" \
	"  --overlay               colour overlay of change beyond the noise: gain green,\n" \
	"                          loss red (PNG; DICOM colour object with DICOM output)\n" \
	"  --overlay-k K           overlay threshold in standard errors (default 4)\n" \
	"  --alpha A               significance level of the z test (default 0.05)\n"

void measure_opts_default(struct measure_opts *mo);
/* 1 if @c was a measurement option and @arg good, 0 if not one, -1 (dsr_error()) if bad. */
int measure_option(struct measure_opts *mo, int c, const char *arg);
/* --lesion X,Y,R with R > 0 (reference coordinates). 0, or -1 with dsr_error(). */
int parse_lesion(const char *s, double v[3]);

/* What measuring one pair produced. */
struct measure_result {
	uint8_t *rgb;		/* the overlay (w*h*3), or NULL */
	uint32_t w, h;
	char text[1024];	/* one line per region, for stdout */
	char caption[512];	/* short lines in the montage font (no commas), or "" */
};

/*
 * Measure one subtracted pair: the field mask of @params, each frame's noise, every
 * region of @mo, and with --overlay the overlay written to @overlay_png. Entries
 * "noise", "measurements" and "overlay" go into @j. A refused region is reported as
 * such in @j and is not a failure; -1 (dsr_error()) only when nothing could be measured
 * (memory, an unwritable overlay).
 */
int measure_pair(const struct measure_opts *mo, const struct dsr_image *ref,
		 const struct dsr_image *live, const struct dsr_params *params,
		 const struct dsr_contrast_info *contrast, const struct dsr_image *diff,
		 const char *overlay_png, json_t *j, struct measure_result *out);
void measure_result_free(struct measure_result *r);

/*
 * Lines for a montage header from one member's report entry (its "measurements" and
 * "lesion"): "FOLLOW-UP @k: R1 -38.2+-0.4 -2.06% P<0.001 LOSS", appended to @buf.
 */
void measure_caption_json(json_t *member, size_t k, char *buf, size_t size);

/*
 * The --lesion report: the disc of radius @lesion[2] at reference (@lesion[0],
 * @lesion[1]) mapped into the follow-up by @a (live -> reference), its density change
 * and its contrast-to-noise ratio against the ring 2r..4r, both clipped to the field of
 * @params. A lesion that keeps too little is reported as refused, with the reason.
 * Writes "lesion" into @j; returns the CNR, or -1 when refused.
 */
double measure_lesion(const double lesion[3], const struct dsr_affine *a,
		      const struct dsr_image *ref, const struct dsr_image *live,
		      const struct dsr_params *params, const struct dsr_contrast_info *contrast,
		      const struct dsr_image *diff, json_t *j);

#endif /* DSR_TOOL_MEASURE_OUT_H */
