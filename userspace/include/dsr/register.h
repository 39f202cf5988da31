/*
 * register.h - estimating the live -> reference transform of a pair of frames.
 *
 * Convention (the same as model.h, the JSON files and the board): the transform maps a
 * LIVE pixel (x, y) to the REFERENCE position (u, v) = (a11 x + a12 y + tx,
 * a21 x + a22 y + ty), integer coordinates at pixel centres, (0,0) top-left.
 *
 * Coarse to fine: windowed phase correlation (FFTW) with a sub-pixel peak for the
 * translation, a log-polar (Fourier-Mellin) step on the magnitude spectra for rotation
 * and scale, then ECC refinement (enhanced correlation coefficient, Evangelidis and
 * Psarakis 2008) of the chosen motion model on an image pyramid. ECC is invariant to a
 * gain and offset between the exposures; before each level a cubic grey-level map fitted
 * over the overlap takes out a gamma change as well.
 *
 * A result is refused (an error, never a transform) when the overlap is too small, ECC
 * did not converge at full resolution, the correlation is low, or the residual is far
 * above what the two frames' own noise explains (a false match, other anatomy, or a
 * motion model too weak for the pair).
 *
 * Thread safety: registrations may run in parallel (FFTW plans are cached per frame
 * size under a lock); dsr_register_cleanup() only when none runs.
 *
 * Landmark mode: least squares over three or more hand-picked point pairs.
 */
#ifndef DSR_REGISTER_H
#define DSR_REGISTER_H

#include <stddef.h>
#include <stdint.h>

#include "image.h"
#include "model.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Degrees of freedom of the estimated transform. */
enum dsr_motion {
	DSR_MOTION_TRANSLATION = 0,	/* tx, ty */
	DSR_MOTION_RIGID,		/* rotation + translation */
	DSR_MOTION_SIMILARITY,		/* rotation + isotropic scale + translation */
	DSR_MOTION_AFFINE,		/* all six */
	DSR_MOTION_PROJECTIVE,		/* homography: the affine refined with h31, h32 */
	DSR_MOTION_AUTO,		/* affine, or projective where the evidence says so */
};

/* "translation", "rigid", "similarity", "affine", "projective", "auto"; NULL for an
 * unknown value. */
const char *dsr_motion_name(enum dsr_motion m);
/* Parse one of those names. -1 (dsr_error()) if unknown. */
int dsr_motion_parse(const char *name, enum dsr_motion *m);

/* Called now and then while registering (fraction 0..1, a short stage name). */
typedef void (*dsr_progress_fn)(void *ctx, double fraction, const char *stage);

struct dsr_register_opts {
	enum dsr_motion motion;
	/*
	 * Optional mask, width*height bytes in sensor coordinates (the same for both
	 * frames, like a sensor border or a burnt-in label): a non-zero byte marks a
	 * pixel to IGNORE. Used for the live pixel and for the reference sample it maps
	 * to. NULL = use every pixel.
	 */
	const uint8_t *mask;
	/* Failure threshold on the final correlation coefficient; 0 = the default
	 * (DSR_REGISTER_MIN_QUALITY). */
	double min_quality;
	/* Failure threshold on the residual-to-noise ratio (see dsr_register_result);
	 * 0 = the default (DSR_REGISTER_MAX_RESIDUAL). */
	double max_residual;
	/* 1 = do not mask constant fills and clipped pixels automatically (by default
	 * each frame's own are ignored, in addition to @mask; see automask.c) */
	int no_auto_mask;
	dsr_progress_fn progress;	/* NULL = none */
	void *progress_ctx;
};

#define DSR_REGISTER_MIN_QUALITY	0.5	/* below this the pair did not register */
#define DSR_REGISTER_MIN_OVERLAP	0.25	/* fraction of live pixels that must map
						 * inside the reference */
#define DSR_REGISTER_MAX_RESIDUAL	25.0	/* residual variance / what the two frames'
						 * noise explains; registered pairs of the
						 * same anatomy sit near 1 */

/*
 * DSR_MOTION_AUTO (the default) keeps the projective fit only where its two extra
 * parameters lower the residual by more than noise explains: on the pyramid level where
 * the projective fit starts (full size for frames of at most 512 pixels, else the first
 * level of at most 256), the drop of the residual variance from
 * the affine to the projective fit, times the effective number of independent pixels,
 * over the noise variance there (what the two frames' own noise explains, or the
 * projective residual if smaller), is chi-square with 2 degrees of freedom if the pair
 * is affine; the homography is kept if that statistic exceeds
 * DSR_REGISTER_AUTO_CHI2 = -2 ln(1e-3), a false alarm rate of 1 in 1000 pairs, AND the
 * drop is more than DSR_REGISTER_AUTO_MIN_DROP of the projective residual (ECC's noisy
 * reference gradients let any extra parameter absorb a small fixed fraction, which the
 * statistic alone would call significant on large frames), AND it moves some corner of
 * the frame by more than DSR_REGISTER_AUTO_MIN_SHIFT from the affine, AND it is within
 * the board's perspective range (docs/projective.md gives the measurements). The same test with the landmarks' residual (an F-test) picks the model of
 * dsr_register_landmarks_auto().
 */
#define DSR_REGISTER_AUTO_ALPHA		1e-3
#define DSR_REGISTER_AUTO_CHI2		13.815510557964274	/* -2 ln(ALPHA) */
#define DSR_REGISTER_AUTO_MIN_DROP	0.04	/* of the projective residual variance */
#define DSR_REGISTER_AUTO_MIN_SHIFT	0.05	/* pixels */

/* Defaults: auto, no mask, default threshold, no progress. */
void dsr_register_opts_default(struct dsr_register_opts *o);

struct dsr_register_result {
	struct dsr_affine affine;	/* live -> reference, floating point (the affine fit) */
	/* The result as a homography: the projective fit if @projective, else the affine. */
	struct dsr_homography homography;
	int projective;			/* the projective model was fitted and kept */
	/* With auto or projective: the residual ratio of the affine fit and of the
	 * projective one on the level where the projective fit starts (full size for
	 * frames of at most 512 pixels, else the first level of at most 256), and the chi-square statistic of the drop (see
	 * DSR_REGISTER_AUTO_CHI2); 0 when not measured. */
	double affine_residual_ratio;
	double projective_residual_ratio;
	double model_chi2;
	int model_level;		/* that pyramid level (0 = full size) */
	double quality;		/* final ECC correlation coefficient on the overlap, -1..1 */
	/* What is left after registration, over what the noise of both frames (measured
	 * on each) explains: about 1 when only noise differs, a little more with real
	 * change; hundreds for different anatomy or a false match. */
	double residual_ratio;
	double overlap;		/* fraction of live pixels mapping inside the reference */
	unsigned iterations;	/* ECC iterations over all pyramid levels */
	double seconds;		/* wall time of the estimate */
};

/*
 * Register a pair of frames of the same size. Returns 0 with @res filled, or -1 with
 * dsr_error() saying why (sizes differ, too small, overlap too small, did not
 * converge, quality below the threshold). On failure @res still holds the best
 * estimate and its quality, for diagnostics only: never use it as a result.
 */
int dsr_register_pair(const struct dsr_image *ref, const struct dsr_image *live,
		      const struct dsr_register_opts *opts, struct dsr_register_result *res);

/* One landmark: a point in the live frame and the same anatomy in the reference. */
struct dsr_landmark {
	double live_x, live_y;
	double ref_x, ref_y;
};

/*
 * Least-squares transform of kind @motion through @n landmarks (at least 1 for
 * translation, 2 for rigid and similarity, 3 for affine; and at least 3 for any
 * model, so that a residual means something). @residuals (n entries, may be NULL)
 * receives each point's distance, in reference pixels, between the transformed live
 * point and its reference point; @rms their root mean square. -1 (dsr_error()) when
 * there are too few points or they are degenerate (collinear for affine).
 */
int dsr_register_landmarks(const struct dsr_landmark *pts, size_t n, enum dsr_motion motion,
			   struct dsr_affine *a, double *residuals, double *rms);

/* The homography through @n >= 4 landmarks (normalised DLT, least squares; exact for
 * four). -1 (dsr_error()) for fewer points or a degenerate set. */
int dsr_register_landmarks_h(const struct dsr_landmark *pts, size_t n, struct dsr_homography *h,
			     double *residuals, double *rms);

/*
 * DSR_MOTION_AUTO for landmarks: the affine fit, or the homography where it lowers the
 * residual sum of squares more than the points' own scatter explains (F-test with 2 and
 * 2n - 8 degrees of freedom at DSR_REGISTER_AUTO_ALPHA; needs n >= 5, with fewer the
 * affine). *projective says which; @h holds the result either way, @a its affine part
 * (the affine fit when that was kept). @residuals, @rms as above.
 */
int dsr_register_landmarks_auto(const struct dsr_landmark *pts, size_t n, struct dsr_affine *a,
				struct dsr_homography *h, int *projective, double *residuals,
				double *rms);

/*
 * Parse a landmark file: one pair per line, "live_x live_y ref_x ref_y" separated by
 * blanks or commas; '#' starts a comment. Returns the number of pairs with *pts
 * malloc'ed (free() it), or -1 (dsr_error() names the line).
 */
long dsr_landmarks_load(const char *path, struct dsr_landmark **pts);

/* RMS and maximum over all pixels of a width x height frame of |a(x) - b(x)|, the
 * distance between where two transforms send each live pixel. */
void dsr_affine_distance(const struct dsr_affine *a, const struct dsr_affine *b,
			 uint32_t width, uint32_t height, double *rms, double *max);

/* Free FFTW plans and buffers cached by registration (optional, e.g. before exit). */
void dsr_register_cleanup(void);

/*
 * Threads registration and the contrast LUT use: the environment's DSR_THREADS (1 or
 * more; above 2 counts as 2), 2 when unset. Every result is bit for bit the same for
 * any count. Returns -1 (and sets the error) when DSR_THREADS is set but not a positive
 * integer; the library then uses 2.
 */
int dsr_threads(void);

#ifdef __cplusplus
}
#endif

#endif /* DSR_REGISTER_H */
