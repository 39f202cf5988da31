/*
 * register.c - dsr_register_pair(): coarse to fine registration of a live frame onto
 * its reference.
 *
 *   1. both frames to float [0, 1], lightly blurred, and a 2x box pyramid;
 *   2. on a level of at most GLOBAL_SIZE pixels: Fourier-Mellin candidates for rotation
 *      and scale (plus "none"), each followed by phase correlation for translation;
 *   3. each candidate refined by ECC on the coarsest level, the best kept;
 *   4. ECC level by level down to full resolution, few iterations where pixels are many;
 *   5. checks: overlap, convergence, quality; a failure is an error, never a result.
 */
#include <math.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dsr/dsr_hw.h"
#include "dsr/error.h"
#include "dsr/register.h"
#include "register/register_priv.h"

#define MAX_LEVELS	12
#define GLOBAL_SIZE	256	/* largest side of the level the global search runs on */
#define ECC_TOP_SIZE	128	/* largest side of the level ECC starts on */
#define MIN_LEVEL_SIDE	24	/* no pyramid level smaller than this */
#define MIN_FRAME_SIDE	32	/* frames smaller than this are refused */
#define N_CANDIDATES	4
#define RESIDUE_FLOOR	1e-3	/* of var(live): the residue of noise-free related frames */

#define AUTO_EPS	0.001
#define PAR_LEVEL_PIXELS	(48 * 1024)	/* levels below this: per-pixel steps on one thread */	/* both fits of the model choice converge this far (pixels) */

#ifndef PROJ_TOP_SIZE
#define PROJ_TOP_SIZE	256	/* largest side of the level projective ECC starts on, */
#endif
#ifndef PROJ_FULL_SIZE
#define PROJ_FULL_SIZE	512	/* unless the frame is this small: then at full size */
#endif

static const char *const motion_names[] = { "translation", "rigid", "similarity", "affine",
					    "projective", "auto" };
#define N_MOTIONS	(sizeof(motion_names) / sizeof(motion_names[0]))

const char *dsr_motion_name(enum dsr_motion m)
{
	return (unsigned)m < N_MOTIONS ? motion_names[m] : NULL;
}

int dsr_motion_parse(const char *name, enum dsr_motion *m)
{
	for (unsigned i = 0; i < N_MOTIONS; i++)
		if (name && !strcmp(name, motion_names[i])) {
			*m = (enum dsr_motion)i;
			return 0;
		}
	return dsr_seterr("unknown motion model '%s' (translation, rigid, similarity, affine, "
			  "projective, auto)", name ? name : "");
}

void dsr_register_opts_default(struct dsr_register_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->motion = DSR_MOTION_AUTO;
}

void dsr_register_cleanup(void)
{
	fft_cache_free();
}

/* Where two transforms send the pixels apart: |D x + e| is convex in x, so its maximum
 * is at a corner, and its mean square over the grid follows from the grid's moments. */
void dsr_affine_distance(const struct dsr_affine *a, const struct dsr_affine *b,
			 uint32_t width, uint32_t height, double *rms, double *max)
{
	double d11 = a->a11 - b->a11, d12 = a->a12 - b->a12, e1 = a->tx - b->tx;
	double d21 = a->a21 - b->a21, d22 = a->a22 - b->a22, e2 = a->ty - b->ty;
	double W = width, H = height;
	double mx = (W - 1) / 2, my = (H - 1) / 2;
	double mxx = (W - 1) * (2 * W - 1) / 6, myy = (H - 1) * (2 * H - 1) / 6;
	double ms = 0, worst = 0;

	ms += d11 * d11 * mxx + d12 * d12 * myy + e1 * e1 +
	      2 * (d11 * d12 * mx * my + d11 * e1 * mx + d12 * e1 * my);
	ms += d21 * d21 * mxx + d22 * d22 * myy + e2 * e2 +
	      2 * (d21 * d22 * mx * my + d21 * e2 * mx + d22 * e2 * my);
	for (int k = 0; k < 4; k++) {
		double x = k & 1 ? W - 1 : 0, y = k & 2 ? H - 1 : 0;
		double d = hypot(d11 * x + d12 * y + e1, d21 * x + d22 * y + e2);

		if (d > worst)
			worst = d;
	}
	if (rms)
		*rms = sqrt(fmax(ms, 0));
	if (max)
		*max = worst;
}

/* Everything one registration holds: pyramids of both frames and the reference's
 * gradients. */
struct pyramid {
	int levels;
	struct fimg *ref[MAX_LEVELS], *live[MAX_LEVELS];
	struct fimg *gx[MAX_LEVELS], *gy[MAX_LEVELS];
	struct fimg *mapped[MAX_LEVELS];	/* ref through the grey-level map */
	double noise_ref, noise_live;		/* pixel noise variances, full size */
	double map_slope2[MAX_LEVELS];	/* squared slope of each level's grey-level map at
					 * its mean, 0 = none */
};

static void pyramid_free(struct pyramid *py)
{
	for (int l = 0; l < py->levels; l++) {
		fimg_free(py->ref[l]);
		fimg_free(py->live[l]);
		fimg_free(py->gx[l]);
		fimg_free(py->gy[l]);
		if (py->mapped[l])
			py->mapped[l]->valid = NULL;	/* shared with ref[l] */
		fimg_free(py->mapped[l]);
	}
}

/* One frame's half of the pyramid: its automatic mask, the float image, its noise, the
 * blur, the levels, the dilated masks. (The reference's gradients are taken when a level
 * is first used, see level_gradients(): most levels use only those of the mapped
 * reference.) */
struct side_job {
	const struct dsr_image *im;
	const uint8_t *mask;
	int automask, levels;
	struct fimg *lv[MAX_LEVELS];
	double noise;
	int rc;
	char err[256];
};

static int side_build(struct side_job *j)
{
	uint8_t *m = NULL;
	size_t nm = 0;

	if (j->automask && auto_mask(j->im, j->mask, &m, &nm))
		return -1;
	j->lv[0] = fimg_from_image(j->im, j->automask && (nm || j->mask) ? m : j->mask);
	free(m);
	j->levels = 1;
	if (!j->lv[0])
		return -1;
	j->noise = fimg_noise_var(j->lv[0]);
	if (fimg_blur5(j->lv[0]))
		return -1;
	while (j->levels < MAX_LEVELS) {
		const struct fimg *r = j->lv[j->levels - 1];

		if (r->w / 2 < MIN_LEVEL_SIDE || r->h / 2 < MIN_LEVEL_SIDE)
			break;
		j->lv[j->levels] = fimg_half(r);
		if (!j->lv[j->levels++])
			return -1;
	}
	/* keep ECC off pixels that blur and gradients have mixed with masked ones */
	for (int l = 0; l < j->levels; l++)
		if (fimg_dilate_invalid(j->lv[l], l ? 2 : 4))
			return -1;
	return 0;
}

static void *side_run(void *arg)
{
	struct side_job *j = arg;

	j->rc = side_build(j);
	if (j->rc)
		snprintf(j->err, sizeof(j->err), "%s", dsr_error());
	return NULL;
}

/* Both halves, the live frame's on a second thread (both cores), then into @py. */
static int pyramid_build(struct pyramid *py, const struct dsr_image *ref,
			 const struct dsr_image *live, const uint8_t *mask, int automask)
{
	struct side_job j[2];

	memset(py, 0, sizeof(*py));
	memset(j, 0, sizeof(j));
	j[0] = (struct side_job){ .im = ref, .mask = mask, .automask = automask };
	j[1] = (struct side_job){ .im = live, .mask = mask, .automask = automask };
	dsr_run_pair(side_run, &j[0], &j[1]);
	py->levels = j[0].levels < j[1].levels ? j[0].levels : j[1].levels;
	for (int l = 0; l < MAX_LEVELS; l++) {	/* everything built goes to @py, to be freed */
		if (l < py->levels) {
			py->ref[l] = j[0].lv[l];
			py->live[l] = j[1].lv[l];
		} else {
			fimg_free(j[0].lv[l]);
			fimg_free(j[1].lv[l]);
		}
	}
	py->noise_ref = j[0].noise;
	py->noise_live = j[1].noise;
	for (int k = 0; k < 2; k++)
		if (j[k].rc)
			return dsr_seterr("%s", j[k].err);
	return 0;
}

/* The gradients of level @l's reference as it is (mapped or not), unless taken. */
static int level_gradients(struct pyramid *py, int l)
{
	if (py->gx[l])
		return 0;
	return fimg_gradient(py->mapped[l] ? py->mapped[l] : py->ref[l], &py->gx[l], &py->gy[l]);
}

/* The first level whose larger side is at most @size (or the coarsest). */
static int level_for_size(const struct pyramid *py, int size)
{
	for (int l = 0; l < py->levels; l++)
		if (py->ref[l]->w <= size && py->ref[l]->h <= size)
			return l;
	return py->levels - 1;
}

/* Express a transform found on level @from on level @to. */
static void affine_move(struct dsr_affine *a, int from, int to)
{
	for (; from < to; from++)
		affine_to_coarser(a);
	for (; from > to; from--)
		affine_to_finer(a);
}

/* The reference resampled into the live frame's geometry through @a; outside samples
 * take the mean so that they add no edge to the spectrum. */
static struct fimg *warp_for_spectrum(const struct fimg *ref, const struct dsr_affine *a)
{
	struct fimg *o = fimg_new(ref->w, ref->h);
	double sum = 0;

	if (!o)
		return NULL;
	for (size_t i = 0; i < (size_t)ref->w * ref->h; i++)
		sum += ref->p[i];
	float mean = (float)(sum / ((double)ref->w * ref->h));

	for (int y = 0; y < ref->h; y++)
		for (int x = 0; x < ref->w; x++) {
			float u = (float)(a->a11 * x + a->a12 * y + a->tx);
			float v = (float)(a->a21 * x + a->a22 * y + a->ty);
			int in = u >= 0 && v >= 0 && u <= ref->w - 1 && v <= ref->h - 1;

			o->p[(size_t)y * ref->w + x] = in ? fimg_bilinear(ref, u, v) : mean;
		}
	return o;
}

/* A starting transform on the global level: rotation/scale @rs about the centre, then
 * the translation that phase correlation finds for what is left. */
static int start_from(const struct fimg *ref, const struct fimg *live,
		      const struct rot_scale *rs, struct dsr_affine *a)
{
	double cx = 0.5 * (ref->w - 1), cy = 0.5 * (ref->h - 1), dx, dy;

	affine_similarity(a, rs->theta, rs->scale, cx, cy, 0, 0);
	struct fimg *w = warp_for_spectrum(ref, a);

	if (!w)
		return -1;
	/* live(x) = w(x + d) = ref(A (x + d) + t0), so t = t0 + A d */
	int rc = phase_correlate(w, live, &dx, &dy, NULL);

	fimg_free(w);
	if (rc)
		return -1;
	a->tx += a->a11 * dx + a->a12 * dy;
	a->ty += a->a21 * dx + a->a22 * dy;
	return 0;
}

static void progress(const struct dsr_register_opts *o, double f, const char *stage)
{
	if (o->progress)
		o->progress(o->progress_ctx, f, stage);
}

/* A copy of @im with masked pixels replaced by the mean (for the FFT steps, which want
 * no hard edges where the mask cut pixels out; ECC keeps the original). */
static struct fimg *filled_copy(const struct fimg *im)
{
	struct fimg *c = fimg_new(im->w, im->h);

	if (!c)
		return NULL;
	memcpy(c->p, im->p, sizeof(float) * (size_t)im->w * im->h);
	if (im->valid) {
		c->valid = malloc((size_t)im->w * im->h);
		if (!c->valid) {
			fimg_free(c);
			dsr_seterr("registration: out of memory for the mask");
			return NULL;
		}
		memcpy(c->valid, im->valid, (size_t)im->w * im->h);
		fimg_fill_invalid(c);
	}
	return c;
}

/* Candidates for rotation and scale allowed by the motion model, "none" always among
 * them (a Fourier-Mellin peak can lose to the straight answer on a near-aligned pair). */
static int rotation_candidates(const struct fimg *r, const struct fimg *l, enum dsr_motion m,
			       struct rot_scale *c)
{
	int n = 0;

	c[n++] = (struct rot_scale){ 0, 1, 0 };
	if (m == DSR_MOTION_TRANSLATION)
		return n;
	struct rot_scale fm[N_CANDIDATES];
	int k = fourier_mellin(r, l, fm, N_CANDIDATES - 1);

	if (k < 0)
		return -1;
	for (int i = 0; i < k; i++) {
		if (fabs(fm[i].theta) > M_PI / 4 || fm[i].scale < 0.6 || fm[i].scale > 1.6)
			continue;	/* not a plausible repositioning of an intra-oral sensor */
		if (m == DSR_MOTION_RIGID)
			fm[i].scale = 1;
		c[n++] = fm[i];
	}
	return n;
}

/* The candidates of the global search, each started by phase correlation on level @lg
 * and refined by ECC on level @lt into its own slot; each thread takes the next one not
 * yet taken (their costs differ by ten times). */
struct cand_search {
	const struct pyramid *py;
	const struct fimg *r, *l;	/* level lg, masked pixels filled */
	const struct rot_scale *cand;
	enum dsr_motion motion;
	int lg, lt, n;
	atomic_int next;
	struct dsr_affine a[N_CANDIDATES];
	struct ecc_state st[N_CANDIDATES];
	int rc[N_CANDIDATES];	/* 0, 1 = ECC fell off the frame, -1 = error in err[] */
	char err[N_CANDIDATES][256];
};

static void *cand_run(void *arg)
{
	struct cand_search *j = arg;
	const struct pyramid *py = j->py;

	for (int i; (i = atomic_fetch_add(&j->next, 1)) < j->n;) {
		j->st[i] = (struct ecc_state){ .motion = j->motion, .max_iter = 40, .eps = 0.01 };
		if (start_from(j->r, j->l, &j->cand[i], &j->a[i])) {
			j->rc[i] = -1;
			snprintf(j->err[i], sizeof(j->err[i]), "%s", dsr_error());
			continue;
		}
		affine_move(&j->a[i], j->lg, j->lt);
		j->rc[i] = ecc_refine(py->ref[j->lt], py->gx[j->lt], py->gy[j->lt], py->live[j->lt],
				      &j->a[i], &j->st[i]) ? 1 : 0;
	}
	return NULL;
}

/* Steps 2 and 3: the best start on the top ECC level, by correlation after refinement.
 * The candidates are independent: both threads take them in turn; the best is picked in
 * their order, as one after the other would. */
static int global_search(struct pyramid *py, const struct dsr_register_opts *o,
			 struct dsr_affine *best, int *top, unsigned *iters)
{
	int lg = level_for_size(py, GLOBAL_SIZE), lt = level_for_size(py, ECC_TOP_SIZE);
	struct fimg *r = filled_copy(py->ref[lg]), *l = r ? filled_copy(py->live[lg]) : NULL;
	struct rot_scale cand[N_CANDIDATES];
	struct cand_search *j = calloc(1, sizeof(*j));
	double best_rho = -2;
	int n, rc = -1;

	if (!j)
		dsr_seterr("registration: out of memory for the global search");
	if (!j || !r || !l || level_gradients(py, lt))
		goto out;
	n = rotation_candidates(r, l, o->motion, cand);
	if (n < 0)
		goto out;
	j->py = py, j->r = r, j->l = l, j->cand = cand, j->motion = o->motion;
	j->lg = lg, j->lt = lt, j->n = n;
	atomic_init(&j->next, 0);
	dsr_run_pair(cand_run, j, j);
	for (int i = 0; i < n; i++) {
		if (j->rc[i] < 0) {
			dsr_seterr("%s", j->err[i]);
			goto out;
		}
		if (j->rc[i])
			continue;	/* this start fell off the frame; others may not */
		*iters += j->st[i].iterations;
		if (j->st[i].rho > best_rho) {
			best_rho = j->st[i].rho;
			*best = j->a[i];
		}
		progress(o, 0.1 + 0.3 * (i + 1) / n, "global search");
	}
	if (best_rho < -1) {
		dsr_seterr("registration failed: no starting point overlaps the reference");
		goto out;
	}
	*top = lt;
	rc = 0;
out:
	free(j);
	fimg_free(r);
	fimg_free(l);
	return rc;
}

/*
 * Before ECC on level @l: map the reference's grey levels onto the live frame's with a
 * cubic fitted under the current estimate (see photometric.c), and take the gradients
 * of the mapped reference. Keeps the plain reference when the fit is not possible.
 */
/* The mapped reference and then its gradients, each by row halves on the two threads
 * (per-pixel work: the same values either way). */
struct map_job {
	const struct photo_map *pm;
	const struct fimg *src;
	struct fimg *dst, *gx, *gy;
	int y0, y1, gradients;
};

static void *map_run(void *arg)
{
	struct map_job *j = arg;

	if (j->gradients)
		fimg_gradient_rows(j->dst, j->gx, j->gy, j->y0, j->y1);
	else
		photometric_apply_range(j->pm, j->src, j->dst, (size_t)j->y0 * j->src->w,
					(size_t)j->y1 * j->src->w);
	return NULL;
}

static int map_level_h(struct pyramid *py, int l, const struct dsr_homography *h)
{
	struct photo_map pm;
	struct fimg *ref = py->ref[l];
	int w = ref->w, hh = ref->h;

	if (photometric_fit_h(ref, py->live[l], h, &pm))
		return level_gradients(py, l);
	if (!py->mapped[l]) {
		py->mapped[l] = fimg_new(w, hh);
		if (!py->mapped[l])
			return -1;
		py->mapped[l]->valid = ref->valid;	/* shared, freed once */
	}
	py->map_slope2[l] = (pm.c[1] / pm.sd) * (pm.c[1] / pm.sd);
	fimg_free(py->gx[l]);
	fimg_free(py->gy[l]);
	py->gx[l] = fimg_new(w, hh);
	py->gy[l] = fimg_new(w, hh);
	if (!py->gx[l] || !py->gy[l])
		return -1;
	struct map_job j[2] = {
		{ &pm, ref, py->mapped[l], py->gx[l], py->gy[l], 0, hh / 2, 0 },
		{ &pm, ref, py->mapped[l], py->gx[l], py->gy[l], hh / 2, hh, 0 },
	};

	for (int k = 0; k < 2; k++, j[0].gradients = j[1].gradients = 1) {
		if ((size_t)w * hh >= PAR_LEVEL_PIXELS) {
			dsr_run_pair(map_run, &j[0], &j[1]);
		} else {
			map_run(&j[0]);
			map_run(&j[1]);
		}
	}
	return 0;
}

static int map_level(struct pyramid *py, int l, const struct dsr_affine *a)
{
	struct dsr_homography h;

	dsr_homography_from_affine(a, &h);
	return map_level_h(py, l, &h);
}

/*
 * What the pixel noise becomes on pyramid level @l: the level-0 blur [1 4 6 4 1] / 16
 * and l 2x box averages make one separable kernel k (the blur convolved with a box of
 * 2^l), sampled every 2^l pixels. @gain: the factor on a white noise variance, (sum
 * k^2)^2; @eff: pixels per independent sample of that correlated noise, (sum over the
 * level's lags of its autocorrelation)^2. Level 0: gain (70/256)^2, eff (256/70)^2.
 */
static void level_noise(int l, double *gain, double *eff)
{
	double k[5 + (1 << MAX_LEVELS)] = { 1 / 16.0, 4 / 16.0, 6 / 16.0, 4 / 16.0, 1 / 16.0 };
	int n = 5, step = 1 << l;
	double r0 = 0, sum = 0;

	for (int j = 0; j < l; j++) {	/* convolve with (delta_0 + delta_2^j) / 2 */
		int s = 1 << j;

		for (int i = n + s - 1; i >= 0; i--)
			k[i] = 0.5 * ((i < n ? k[i] : 0) + (i >= s ? k[i - s] : 0));
		n += s;
	}
	for (int m = 0; m < n; m += step) {	/* autocorrelation at the level's lags */
		double r = 0;

		for (int i = 0; i + m < n; i++)
			r += k[i] * k[i + m];
		if (m == 0)
			r0 = r;
		sum += m ? 2 * r : r;
	}
	*gain = r0 * r0;
	*eff = (sum / r0) * (sum / r0);
}

/* The variance the pixel noise of the two frames explains on level @l, in live's grey
 * levels (noise measured on each frame, at least the quantisation's; the reference's
 * carried into live's grey levels by the slope of the level's grey-level map, or by the
 * ratio of the spreads if there is none). */
static double level_noise_var(const struct pyramid *py, const struct ecc_state *st,
			      uint32_t bits, int l)
{
	double q = 1.0 / ((1u << (bits >= 1 && bits <= 16 ? bits : 16)) - 1);
	double nr = fmax(py->noise_ref, q * q / 12), nl = fmax(py->noise_live, q * q / 12);
	double gain2 = py->map_slope2[l] > 0 ? py->map_slope2[l]
					     : st->var_live / fmax(st->var_ref, 1e-30);
	double gain, eff;

	level_noise(l, &gain, &eff);
	return gain * (nl + nr * gain2);
}

/* The residual variance after ECC: (1 - rho^2) var(live). */
static double residual_var(const struct ecc_state *st)
{
	return st->var_live * (1 - st->rho * st->rho);
}

/*
 * The residual variance after registration on level @l against what the noise
 * explains (level_noise_var()), plus RESIDUE_FLOOR of live's variance for what
 * interpolation and the motion model leave even without noise. Related frames give
 * about 1 or less; a false match leaves anatomy in the residual.
 */
static double residual_ratio(const struct pyramid *py, const struct ecc_state *st,
			     uint32_t bits, int l)
{
	return residual_var(st) /
	       (level_noise_var(py, st, bits, l) + RESIDUE_FLOOR * st->var_live);
}

/*
 * The evidence for the homography on level @l, @h: chi-square with 2 degrees of freedom
 * if the pair is affine. The drop of the residual variance from the affine (@sa) to the
 * projective fit (@sp), times the number of independent residual samples, over the
 * noise variance: what the frames' noise explains on that level, or the projective
 * residual if smaller (the residual holds the noise; the image estimate can overstate
 * it where texture reaches the finest wavelet band). Independent samples: the overlap's
 * pixels over how many pixels make one, measured on the residual itself
 * (ecc_residual_eff()), or what the blur alone implies if that cannot be measured.
 */
static double projective_chi2(const struct pyramid *py, const struct ecc_state *sa,
			      const struct ecc_state *sp, const struct dsr_homography *h,
			      uint32_t bits, int l)
{
	double gain, eff, rp = residual_var(sp);
	double noise = fmin(level_noise_var(py, sp, bits, l), rp);
	double meff = ecc_residual_eff(py->mapped[l] ? py->mapped[l] : py->ref[l],
				       py->live[l], h);

	level_noise(l, &gain, &eff);
	if (meff > eff)
		eff = meff;
	if (!(noise > 0))
		return 0;
	return sp->n / eff * (residual_var(sa) - rp) / noise;
}

/* Sanity of a result: a transform far from a plausible repositioning is a failure. */
static int plausible(const struct dsr_affine *a)
{
	double det = a->a11 * a->a22 - a->a12 * a->a21;

	return isfinite(a->tx) && isfinite(a->ty) && det > 0.25 && det < 4.0;
}

/* The largest distance, over the frame's corners, between where two homographies send
 * a live pixel (the maximum over the frame for the small perspective here). */
static double homography_shift(const struct dsr_homography *a, const struct dsr_homography *b,
			       int w, int h)
{
	double worst = 0;

	for (int k = 0; k < 4; k++) {
		double x = k & 1 ? w - 1 : 0, y = k & 2 ? h - 1 : 0, ua, va, ub, vb;

		homography_apply(a, x, y, &ua, &va);
		homography_apply(b, x, y, &ub, &vb);
		worst = fmax(worst, hypot(ua - ub, va - vb));
	}
	return worst;
}

/* The affine ECC on levels @from down to @to, the estimate in res->affine on level
 * @from + 1 (or @from if that is the top) in, on level @to out. */
static int affine_levels(struct pyramid *py, const struct dsr_register_opts *o,
			 enum dsr_motion motion, struct dsr_register_result *res,
			 struct ecc_state *st, int from, int to, int top)
{
	/*
	 * Coarse levels iterate to 0.005 of their pixel; at full resolution, where an
	 * iteration costs most, a Gauss-Newton step that moves no pixel further than 0.02 px
	 * started close enough to land within a thousandth of a pixel, so taking it ends the
	 * search (usually after the first step).
	 */
	for (int l = from; l >= to; l--) {
		*st = (struct ecc_state){ .motion = motion };
		st->max_iter = l == 0 ? 8 : l == 1 ? 15 : 40;
		st->eps = l == 0 ? 0.02 : 0.005;
		if (l < top)
			affine_move(&res->affine, l + 1, l);
		if (map_level(py, l, &res->affine))
			return -1;
		if (ecc_refine(py->mapped[l] ? py->mapped[l] : py->ref[l], py->gx[l], py->gy[l],
			       py->live[l], &res->affine, st))
			return -1;
		res->iterations += st->iterations;
		progress(o, 0.4 + 0.6 * (top - l + 1) / (top + 1), "refining");
	}
	return 0;
}

/* The projective ECC on levels @from down to @to, @h on level @from in, @to out; the
 * grey-level map of each level refitted under the homography. */
static int projective_levels(struct pyramid *py, struct dsr_homography *h,
			     struct dsr_register_result *res, struct ecc_state *ps, int from,
			     int to, double eps)
{
	for (int l = from; l >= to; l--) {
		*ps = (struct ecc_state){ .max_iter = l == 0 && !eps ? 8 : 20,
					  .eps = eps ? eps : l == 0 ? 0.02 : 0.005 };
		if (l < from)
			homography_to_finer(h);
		if (map_level_h(py, l, h))
			return -1;
		if (ecc_refine_projective(py->mapped[l] ? py->mapped[l] : py->ref[l], py->gx[l],
					  py->gy[l], py->live[l], h, ps))
			return -1;
		res->iterations += ps->iterations;
	}
	return 0;
}

/* Is @h (on level @l) within the perspective the board accepts at full size? Auto
 * keeps the affine where it is not (the board could not apply the homography). */
static int within_board(const struct dsr_homography *h, int l)
{
	struct dsr_homography f = *h;
	double lim = ldexp(DSR_H_PERSP_MAX, -DSR_H_FRAC_BITS);

	for (; l > 0; l--)
		homography_to_finer(&f);
	return fabs(f.h[6] / f.h[8]) <= lim && fabs(f.h[7] / f.h[8]) <= lim;
}

/*
 * On level @l, where the affine ECC (@st) has just converged: the projective fit from
 * it, and with DSR_MOTION_AUTO the choice (see DSR_REGISTER_AUTO_CHI2). 1 = go on
 * projectively (@h on level @l, @st its state), 0 = go on with the affine, -1 = error.
 */
static int choose_model(struct pyramid *py, const struct dsr_register_opts *o,
			struct dsr_register_result *res, struct ecc_state *st,
			struct dsr_homography *h, uint32_t bits, int l)
{
	struct ecc_state ps, as = { .motion = DSR_MOTION_AFFINE, .max_iter = 20,
				    .eps = AUTO_EPS };
	struct dsr_homography ha;
	struct dsr_affine a = res->affine;
	double slope2 = py->map_slope2[l];	/* the affine's grey-level map */

	/* both models converged alike, the affine on a copy (its descent goes on from
	 * where it was, as without the choice) */
	if (ecc_refine(py->mapped[l] ? py->mapped[l] : py->ref[l], py->gx[l], py->gy[l],
		       py->live[l], &a, &as))
		return -1;
	res->iterations += as.iterations;
	dsr_homography_from_affine(&res->affine, &ha);
	*h = ha;
	res->model_level = l;
	res->affine_residual_ratio = residual_ratio(py, &as, bits, l);
	if (projective_levels(py, h, res, &ps, l, l, AUTO_EPS))
		return -1;
	res->projective_residual_ratio = residual_ratio(py, &ps, bits, l);
	res->model_chi2 = projective_chi2(py, &as, &ps, h, bits, l);
	if (o->motion == DSR_MOTION_AUTO &&
	    !(res->model_chi2 > DSR_REGISTER_AUTO_CHI2 && within_board(h, l) &&
	      residual_var(&as) - residual_var(&ps) >
		      DSR_REGISTER_AUTO_MIN_DROP * residual_var(&ps) &&
	      homography_shift(h, &ha, py->live[l]->w, py->live[l]->h) * (1 << l) >
		      DSR_REGISTER_AUTO_MIN_SHIFT)) {
		py->map_slope2[l] = slope2;	/* the affine goes on as if alone */
		return 0;
	}
	*st = ps;
	return 1;
}

int dsr_register_pair(const struct dsr_image *ref, const struct dsr_image *live,
		      const struct dsr_register_opts *opts, struct dsr_register_result *res)
{
	struct dsr_register_opts def, aopts;
	struct pyramid py;
	struct timespec t0, t1;
	struct ecc_state st = { 0 };
	int top = 0, rc = -1;
	double min_q, max_r;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (!opts) {
		dsr_register_opts_default(&def);
		opts = &def;
	}
	memset(res, 0, sizeof(*res));
	affine_identity(&res->affine);
	if (!ref || !live || !ref->pixels || !live->pixels)
		return dsr_seterr("registration: missing image");
	if (ref->width != live->width || ref->height != live->height)
		return dsr_seterr("registration: reference is %ux%u but live is %ux%u; "
				  "frames must be the same size", ref->width, ref->height,
				  live->width, live->height);
	if (ref->width < MIN_FRAME_SIDE || ref->height < MIN_FRAME_SIDE)
		return dsr_seterr("registration: %ux%u is too small (at least %dx%d)",
				  ref->width, ref->height, MIN_FRAME_SIDE, MIN_FRAME_SIDE);
	if ((unsigned)opts->motion >= N_MOTIONS)
		return dsr_seterr("registration: unknown motion model %d", (int)opts->motion);
	aopts = *opts;
	if (opts->motion >= DSR_MOTION_PROJECTIVE)
		aopts.motion = DSR_MOTION_AFFINE;	/* the start of the projective fit */
	min_q = opts->min_quality > 0 ? opts->min_quality : DSR_REGISTER_MIN_QUALITY;
	max_r = opts->max_residual > 0 ? opts->max_residual : DSR_REGISTER_MAX_RESIDUAL;

	progress(opts, 0, "pyramid");
	if (pyramid_build(&py, ref, live, opts->mask, !opts->no_auto_mask))
		goto out;
	progress(opts, 0.1, "global search");
	if (global_search(&py, &aopts, &res->affine, &top, &res->iterations))
		goto out;
	/*
	 * Down the pyramid, the affine first. With --model projective or auto it stops on
	 * the level where the projective ECC starts (full size for frames of at most
	 * PROJ_FULL_SIZE, else the first level of at most PROJ_TOP_SIZE), and goes on from
	 * there with the model chosen: the affine's finer passes would only be redone, and
	 * the choice and the projective's many first iterations cost a sixteenth or less
	 * of what they would at full size.
	 */
	int stop = 0, proj = 0;

	if (opts->motion >= DSR_MOTION_PROJECTIVE) {
		stop = level_for_size(&py, PROJ_FULL_SIZE) ? level_for_size(&py, PROJ_TOP_SIZE) : 0;
		stop = stop > top ? top : stop;
	}
	if (affine_levels(&py, opts, aopts.motion, res, &st, top, stop, top))
		goto out;
	if (opts->motion >= DSR_MOTION_PROJECTIVE && st.converged) {
		proj = choose_model(&py, opts, res, &st, &res->homography, ref->bits, stop);
		if (proj < 0)
			goto out;
	}
	if (proj) {
		if (stop > 0)	/* on from the level below the choice's */
			homography_to_finer(&res->homography);
		if (stop > 0 && projective_levels(&py, &res->homography, res, &st, stop - 1, 0, 0))
			goto out;
		res->projective = 1;
		affine_move(&res->affine, stop, 0);	/* the affine part at full size */
	} else if (stop > 0 && !st.converged) {
		affine_move(&res->affine, stop, 0);	/* refused below */
	} else if (stop > 0 &&
		   affine_levels(&py, opts, aopts.motion, res, &st, stop - 1, 0, top)) {
		goto out;
	}
	/* the last full-resolution step moved no pixel by more than its eps: the
	 * correlation and overlap measured before it are those of the result */
	res->quality = st.rho;
	res->overlap = st.overlap;
	res->residual_ratio = stop && !st.converged ? 0 : residual_ratio(&py, &st, ref->bits, 0);
	if (!proj)
		dsr_homography_from_affine(&res->affine, &res->homography);

	if (!plausible(&res->affine)) {
		dsr_seterr("registration failed: the estimate is not a plausible repositioning");
	} else if (res->overlap < DSR_REGISTER_MIN_OVERLAP) {
		dsr_seterr("registration failed: only %.0f%% of the live frame overlaps the "
			   "reference (at least %.0f%% needed)", 100 * res->overlap,
			   100 * DSR_REGISTER_MIN_OVERLAP);
	} else if (!st.converged) {
		dsr_seterr("registration failed: ECC did not converge at full resolution "
			   "(quality %.3f)", res->quality);
	} else if (res->quality < min_q) {
		dsr_seterr("registration failed: correlation %.3f is below %.3f; the frames do "
			   "not show the same region, or too little of it", res->quality, min_q);
	} else if (!(res->residual_ratio <= max_r)) {
		dsr_seterr("registration failed: what remains after alignment is %.3g times what "
			   "the frames' noise explains (at most %.3g): a false match, different "
			   "anatomy, or a model too weak for the pair (quality %.3f)",
			   res->residual_ratio, max_r, res->quality);
	} else {
		rc = 0;
	}
out:
	pyramid_free(&py);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	res->seconds = (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec);
	return rc;
}
