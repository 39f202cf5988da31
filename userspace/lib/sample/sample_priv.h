/*
 * sample_priv.h - the phantom's insides, shared by its scene (phantom.c), the renderer
 * (render.c) and test_sample.c, which checks rendered pixels against the scene's own
 * line integrals.
 *
 * Units: the scene is built in millimetres (an intra-oral sensor of about 26 mm across
 * its short side); reference pixel coordinates are converted on entry. Attenuation
 * coefficients are per millimetre at an effective energy of roughly 60 keV.
 */
#ifndef DSR_SAMPLE_PRIV_H
#define DSR_SAMPLE_PRIV_H

#include <stdint.h>

#include "dsr/sample.h"

#define PHANTOM_MAX_TEETH	3
#define PHANTOM_SHORT_SIDE_MM	26.0	/* the sensor's short side */

/* Linear attenuation coefficients, 1/mm. */
#define MU_ENAMEL	0.42
#define MU_DENTIN	0.16
#define MU_CORTICAL	0.16	/* lamina dura, crestal cortex */
#define MU_TRABECULAR	0.085	/* bone with its marrow spaces, per mm of alveolar process */
#define MU_SOFT		0.02	/* gingiva, cheek, pulp */

/* Detector: photons per pixel in the open beam at baseline exposure, and the
 * electronic noise in the same units. In bone (transmission about 0.35) that gives a
 * signal-to-noise ratio of about 55, typical of a CMOS intra-oral sensor. */
#define DETECTOR_AIR_COUNTS	10000.0
#define DETECTOR_READ_NOISE	15.0

/* One tooth, in millimetres: crown top at (cx, top), long axis tilted by @tilt. */
struct phantom_tooth {
	double cx, top;		/* centre of the occlusal surface */
	double cos_t, sin_t;	/* axis direction (sin, cos) points rootwards */
	double len;		/* occlusal surface to apex */
	double wc, wcej;	/* half widths: crown at its widest, at the cemento-enamel junction */
	double enamel;		/* enamel thickness at the occlusal surface */
	double cusp;		/* height of the cusp relief */
	double depth;		/* bucco-lingual depth / mesio-distal width */
};

struct dsr_phantom {
	uint32_t width, height;
	uint64_t seed;
	double mm_per_px;
	int n_teeth;
	struct phantom_tooth teeth[PHANTOM_MAX_TEETH];
	double crest_y, crest_amp, crest_period, crest_phase;	/* alveolar crest line */
	double bone_depth;	/* bucco-lingual thickness of the alveolar process */
	double pdl;		/* periodontal ligament space width */
	double lamina;		/* lamina dura thickness */
	double soft_base, soft_slope;	/* soft tissue thickness: base + slope * y (mm) */
	uint32_t noise_seed[4];	/* lattice seeds for the textures */
};

/* Path lengths (mm) of one ray through each material, and what they add up to. */
struct phantom_paths {
	double enamel, dentin, pulp, soft, trabecular, cortical;
	double mineral_scale;	/* 1 - loss inside a lesion: scales enamel, dentin, bone */
	double attenuation;	/* sum of mu * path, the exponent of Beer-Lambert */
};

/* The scene along the ray through reference position (u, v) (pixels). */
void phantom_paths(const struct dsr_phantom *ph, double u, double v,
		   const struct dsr_lesion *lesion, struct phantom_paths *out);

/* Transmission exp(-attenuation) at (u, v): what the renderer integrates. */
double phantom_transmission(const struct dsr_phantom *ph, double u, double v,
			    const struct dsr_lesion *lesion);

/* 2D gradient noise in about [-0.7, 0.7], C2-continuous, lattice spacing 1. */
double gradient_noise(uint32_t seed, double x, double y);
/* A 32-bit hash of three words: the lattice gradients and the per-pixel noise. */
uint32_t hash3(uint32_t a, uint32_t b, uint32_t c);

#endif /* DSR_SAMPLE_PRIV_H */
