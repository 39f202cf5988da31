/*
 * register_priv.h - the pieces of registration, shared by the files of
 * lib/register/ and its tests.
 *
 * Float images normalised to [0, 1], a 2x box pyramid, FFTW phase correlation, the
 * log-polar rotation/scale step and ECC refinement. Coordinates everywhere are at pixel
 * centres; a transform maps live (x, y) to reference (u, v) as in model.h.
 */
#ifndef DSR_REGISTER_PRIV_H
#define DSR_REGISTER_PRIV_H

#include <stddef.h>
#include <stdint.h>

#include "dsr/image.h"
#include "dsr/model.h"
#include "dsr/register.h"
#include "common/threads.h"

/* A float image; a NULL mask means every pixel is valid, otherwise 1 = valid. */
struct fimg {
	int w, h;
	float *p;
	uint8_t *valid;
};


struct fimg *fimg_new(int w, int h);
void fimg_free(struct fimg *im);
/* From a libdsr image, scaled by 1/(2^bits - 1); @ignore (w*h, non-zero = ignore) or NULL. */
struct fimg *fimg_from_image(const struct dsr_image *im, const uint8_t *ignore);
/* Half size by 2x2 box averaging; a coarse pixel is valid only if all four were. */
struct fimg *fimg_half(const struct fimg *im);
/* Separable binomial [1 4 6 4 1]/16 blur in place (noise before gradients). */
int fimg_blur5(struct fimg *im);
/* Bilinear sample at (u, v); 0 if outside [0, w-1] x [0, h-1]. Inline: the grey-level
 * map and the spectrum's warp take one a pixel. */
static inline float fimg_bilinear(const struct fimg *im, float u, float v)
{
	if (!(u >= 0.0f && v >= 0.0f && u <= (float)(im->w - 1) && v <= (float)(im->h - 1)))
		return 0.0f;
	int x0 = (int)u, y0 = (int)v;
	int x1 = x0 + 1 < im->w ? x0 + 1 : x0, y1 = y0 + 1 < im->h ? y0 + 1 : y0;
	float fx = u - (float)x0, fy = v - (float)y0;
	const float *r0 = im->p + (size_t)y0 * im->w, *r1 = im->p + (size_t)y1 * im->w;
	float top = r0[x0] + fx * (r0[x1] - r0[x0]);
	float bot = r1[x0] + fx * (r1[x1] - r1[x0]);

	return top + fy * (bot - top);
}

/* Affine transform helpers (struct dsr_affine, live -> reference). */
void affine_identity(struct dsr_affine *a);
/* The same transform expressed on the pyramid level one step coarser / finer. */
void affine_to_coarser(struct dsr_affine *a);
void affine_to_finer(struct dsr_affine *a);
/* a = s R(theta) about the image centre (cx, cy), plus a translation (dx, dy). */
void affine_similarity(struct dsr_affine *a, double theta, double scale, double cx,
		       double cy, double dx, double dy);

/*
 * Phase correlation: the shift (dx, dy) such that live(x, y) ~ ref(x + dx, y + dy),
 * with a Hann window and sub-pixel peak refinement. Both images of the same size.
 * @peak (may be NULL) receives the normalised height of the peak (0..1, high =
 * confident). Returns -1 (dsr_error()) if FFTW could not be set up.
 */
int phase_correlate(const struct fimg *ref, const struct fimg *live, double *dx, double *dy,
		    double *peak);

/*
 * Fourier-Mellin: rotation and isotropic scale from the log-polar magnitude spectra.
 * Fills up to @max candidates (theta radians, scale), best first; returns how many,
 * or -1 (dsr_error()).
 */
struct rot_scale {
	double theta, scale, peak;
};
int fourier_mellin(const struct fimg *ref, const struct fimg *live, struct rot_scale *cand,
		   int max);

/* The ignore mask (w*h bytes, non-zero = ignore) of @im's constant fills and clipped
 * pixels OR @user (may be NULL), malloc'ed into *out; *masked = how many. 0 or -1. */
int auto_mask(const struct dsr_image *im, const uint8_t *user, uint8_t **out, size_t *masked);

/* Grow the ignored region by r pixels. */
int fimg_dilate_invalid(struct fimg *im, int r);
/* Variance of the pixel noise of @im, from the median absolute value of its finest
 * diagonal wavelet band (robust to edges and texture); valid pixels only. */
double fimg_noise_var(const struct fimg *im);
/* Fill masked pixels with the mean of the valid ones (for the FFT steps); in place. */
void fimg_fill_invalid(struct fimg *im);

/* Cached FFTW plans, one pair per size; the cache owns them. */
struct fft_plan;
struct fft_plan *fft_plan_get(int w, int h);
void fft_forward(struct fft_plan *pl, float *in, void *out);	/* r2c, out (w/2+1)*h */
void fft_inverse(struct fft_plan *pl, void *in, float *out);	/* c2r, unnormalised */
void fft_cache_free(void);

/* ECC refinement of @a on one level. */
struct ecc_state {
	enum dsr_motion motion;
	int max_iter;
	double eps;		/* stop when the update moves no pixel further than this */
	/* out */
	double rho;		/* correlation coefficient at the final transform */
	double overlap;		/* fraction of valid live pixels mapping into ref */
	double n;		/* live pixels in the overlap */
	double var_live, var_ref;	/* per-pixel variances over the overlap */
	int iterations;
	int converged;
};
/* @ref is sampled at a(x); @gx/@gy are its gradients. 0, or -1 with dsr_error(). */
int ecc_refine(const struct fimg *ref, const struct fimg *gx, const struct fimg *gy,
	       const struct fimg *live, struct dsr_affine *a, struct ecc_state *st);
/* The same for a homography (8 parameters, st->motion ignored). */
int ecc_refine_projective(const struct fimg *ref, const struct fimg *gx, const struct fimg *gy,
			  const struct fimg *live, struct dsr_homography *h, struct ecc_state *st);
/* Pixels per independent sample of the ECC residual under @h (batch means over 16 x 16
 * blocks); 0 if too few blocks overlap. */
double ecc_residual_eff(const struct fimg *ref, const struct fimg *live,
			const struct dsr_homography *h);
/* A homography on the pyramid level one step coarser / finer. */
void homography_to_coarser(struct dsr_homography *h);
void homography_to_finer(struct dsr_homography *h);
/* (u, v) of live (x, y) under @h. */
void homography_apply(const struct dsr_homography *h, double x, double y, double *u,
		      double *v);

/* Central-difference gradients of @im. */
int fimg_gradient(const struct fimg *im, struct fimg **gx, struct fimg **gy);
/* Rows [y0, y1) of them into images of @im's size. */
void fimg_gradient_rows(const struct fimg *im, struct fimg *gx, struct fimg *gy, int y0, int y1);


/* A cubic grey-level map live ~ c0 + c1 z + c2 z^2 + c3 z^3, z = (ref - m) / sd. */
struct photo_map {
	double c[4], m, sd;
};
/* Fit over the overlap under @a; -1 if the overlap is too small or flat. */
int photometric_fit_h(const struct fimg *ref, const struct fimg *live,
		      const struct dsr_homography *h, struct photo_map *pm);
int photometric_fit(const struct fimg *ref, const struct fimg *live, const struct dsr_affine *a,
		    struct photo_map *pm);
void photometric_apply(const struct photo_map *pm, const struct fimg *src, struct fimg *dst);
/* The same for pixels [i0, i1). */
void photometric_apply_range(const struct photo_map *pm, const struct fimg *src,
			     struct fimg *dst, size_t i0, size_t i1);

#endif /* DSR_REGISTER_PRIV_H */
