/*
 * sample.h - synthetic intra-oral radiographs with known ground truth.
 *
 * A phantom is a scene defined continuously in reference coordinates: teeth (enamel,
 * dentin, pulp, roots), trabecular alveolar bone, soft tissue. Rendering it through a
 * known live->reference transform, with an exposure change, a lesion and noise, gives a
 * follow-up whose true registration is known exactly. Deterministic for a given seed.
 */
#ifndef DSR_SAMPLE_H
#define DSR_SAMPLE_H

#include <stdint.h>

#include "image.h"
#include "model.h"

#ifdef __cplusplus
extern "C" {
#endif

struct dsr_phantom;

struct dsr_exposure {
	double gain;	/* multiplies the detected signal; 1 = baseline */
	double gamma;	/* applied to normalised signal; 1 = baseline */
	double offset;	/* added, as a fraction of full scale; 0 = baseline */
	double noise;	/* quantum + electronic noise scale; 1 = realistic, 0 = none */
};

struct dsr_lesion {
	double x, y;	/* centre in reference pixel coordinates */
	double radius;	/* pixels; 0 = no lesion */
	double loss;	/* fraction of mineral density lost, e.g. 0.05 */
};

struct dsr_phantom *dsr_phantom_new(uint32_t width, uint32_t height, uint64_t seed);
void dsr_phantom_free(struct dsr_phantom *ph);

/* Baseline exposure: gain 1, gamma 1, offset 0, noise 1. */
void dsr_exposure_default(struct dsr_exposure *e);

/*
 * Render the phantom as seen by a live frame of the phantom's size: live pixel (x, y)
 * shows the scene at reference position live_to_ref(x, y). live_to_ref NULL = identity
 * (the reference itself); exposure NULL = baseline; lesion NULL = none.
 */
struct dsr_image *dsr_phantom_render(const struct dsr_phantom *ph,
				     const struct dsr_affine *live_to_ref,
				     const struct dsr_exposure *exposure,
				     const struct dsr_lesion *lesion,
				     uint32_t bits, uint64_t noise_seed);

/* The same through a homography (live -> reference, h31 x + h32 y + h33 > 0 over the
 * frame). */
struct dsr_image *dsr_phantom_render_h(const struct dsr_phantom *ph,
				       const struct dsr_homography *live_to_ref,
				       const struct dsr_exposure *exposure,
				       const struct dsr_lesion *lesion,
				       uint32_t bits, uint64_t noise_seed);

/*
 * Beam angulation: the follow-up's beam meets the sensor turned by @tilt_x_deg about
 * the vertical axis and @tilt_y_deg about the horizontal one, the source @focal_px
 * pixels from the sensor (e.g. 300 mm / 0.02 mm pixels = 15000). A nearly planar object
 * then maps by the point-source projection of a tilted plane, K R K^-1 about the frame
 * centre; @a (the sensor's repositioning, as for dsr_phantom_render) follows it.
 * @out = A K R K^-1, normalised to h33 = 1. -1 with dsr_error() for unusable values.
 */
int dsr_beam_angulation(uint32_t width, uint32_t height, double tilt_x_deg, double tilt_y_deg,
			double focal_px, const struct dsr_affine *a, struct dsr_homography *out);

#ifdef __cplusplus
}
#endif

#endif /* DSR_SAMPLE_H */
