/*
 * contrast.c - dsr_contrast_lut(): the LUT that maps the warped reference's grey levels
 * onto the live frame's, by cumulative-histogram matching or by a straight-line fit.
 *
 * The pairs come from the overlap only: live pixel (x, y) and ref'(x, y), the reference
 * warped by the reference model exactly as the board will warp it (identity LUT), so
 * the histogram is of the values the LUT will be indexed by.
 */
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "dsr/contrast.h"
#include "dsr/error.h"
#include "dsr/register.h"

#define MIN_SAMPLES 64

static const char *const lut_names[] = { "identity", "histogram", "linear" };

const char *dsr_lut_method_name(enum dsr_lut_method m)
{
	return (unsigned)m < 3 ? lut_names[m] : NULL;
}

int dsr_lut_method_parse(const char *name, enum dsr_lut_method *m)
{
	for (unsigned i = 0; i < 3; i++)
		if (name && !strcmp(name, lut_names[i])) {
			*m = (enum dsr_lut_method)i;
			return 0;
		}
	return dsr_seterr("unknown LUT method '%s' (histogram, linear, identity)",
			  name ? name : "");
}

/* The overlap as parallel arrays of (ref', live) grey levels: raw (what the board will
 * see, for the residual) and smoothed (for the fits, see smooth_pairs()). */
struct pairs {
	size_t n, ns;
	uint16_t *ref, *live;
	uint16_t *sref, *slive;
};

#define SMOOTH_R 2	/* (2r+1)^2 box: noise down 5x before the fits */

static void pairs_free(struct pairs *pr)
{
	free(pr->ref);
	free(pr->live);
	free(pr->sref);
	free(pr->slive);
}

/* One output of the box sum along a line: the terms in the order k = -R..R, those
 * outside [0, n) left out (edges: partial sums, never used). */
static inline float box_at(const float *v, size_t stride, int i, int n)
{
	float s = 0;

	for (int k = -SMOOTH_R; k <= SMOOTH_R; k++)
		if (i + k >= 0 && i + k < n)
			s += v[(size_t)(i + k) * stride];
	return s;
}

/* Box sums of radius SMOOTH_R of a w x h float image, in place (edges: partial sums,
 * never used: only windows wholly inside the overlap are). Inside, the same sums in the
 * same order without the edge tests, one row at a time, so that they vectorise. */
static int box_sum(float *im, uint32_t w, uint32_t h)
{
	float *tmp = malloc(sizeof(float) * (size_t)w * h);
	const int R = SMOOTH_R;

	if (!tmp)
		return -1;
	for (uint32_t y = 0; y < h; y++) {
		const float *a = im + (size_t)y * w;
		float *o = tmp + (size_t)y * w;

		for (int x = 0; x < (int)w; x++) {
			if (x == R && (int)w > 2 * R)	/* the interior, edges tested no more */
				for (; x < (int)w - R; x++) {
					float s = 0;

#pragma GCC unroll 8
					for (int k = -R; k <= R; k++)
						s += a[x + k];
					o[x] = s;
				}
			if (x < (int)w)
				o[x] = box_at(a, 1, x, (int)w);
		}
	}
	for (uint32_t y = 0; y < h; y++) {
		float *o = im + (size_t)y * w;

		if ((int)y < R || (int)y >= (int)h - R) {
			for (uint32_t x = 0; x < w; x++)
				o[x] = box_at(tmp + x, w, (int)y, (int)h);
			continue;
		}
		const float *rows[2 * SMOOTH_R + 1];

		for (int k = -R; k <= R; k++)
			rows[k + R] = tmp + (size_t)(y + k) * w;
		for (uint32_t x = 0; x < w; x++) {
			float s = 0;

#pragma GCC unroll 8
			for (int k = 0; k <= 2 * R; k++)
				s += rows[k][x];
			o[x] = s;
		}
	}
	free(tmp);
	return 0;
}

/*
 * The pairs the fits use: both frames averaged over a 5 x 5 box, at pixels whose whole
 * box lies in the overlap. Matching histograms of noisy frames matches their noise too:
 * the warped reference is smoother (bilinear interpolation averages its noise) than the
 * live frame, and CDF matching then stretches the reference's levels, which leaves a
 * bias of ten grey levels in flat regions. The LUT is for the anatomy's grey levels, and
 * averaging takes the noise (not the anatomy) out of both histograms alike.
 */
static void smooth_pairs(const float *r, const float *l, const float *in, size_t npx,
			 struct pairs *pr)
{
	const float full = (2 * SMOOTH_R + 1) * (2 * SMOOTH_R + 1);

	pr->ns = 0;
	for (size_t i = 0; i < npx; i++)
		if (in[i] > full - 0.5f) {
			pr->sref[pr->ns] = (uint16_t)lrintf(r[i] / full);
			pr->slive[pr->ns] = (uint16_t)lrintf(l[i] / full);
			pr->ns++;
		}
}

/* The reference warped through the model (mode WARP, identity LUT) exactly as the board
 * warps it, in bands of WARP_BAND rows that both threads take in turn (the second from
 * the start, the main one once its own half, live_side(), is done); every row is the
 * same whichever thread made it. */
#define WARP_BAND 32

struct warp_job {
	const struct dsr_params *p;
	const struct dsr_image *ref, *live;
	uint16_t *warped;
	float *r;
	uint32_t vmask;
	atomic_uint next;	/* the next band not taken */
};

static void *warp_run(void *arg)
{
	struct warp_job *j = arg;
	uint32_t w = j->live->width, h = j->live->height, y0;

	while ((y0 = atomic_fetch_add(&j->next, WARP_BAND)) < h) {
		uint32_t y1 = y0 + WARP_BAND < h ? y0 + WARP_BAND : h;

		dsr_model_rows(j->p, NULL, j->ref->pixels, j->live->pixels, j->warped, y0, y1);
		for (size_t i = (size_t)y0 * w; i < (size_t)y1 * w; i++)
			j->r[i] = (float)(j->warped[i] & j->vmask);
	}
	return NULL;
}

/* Which live pixels pair with a reference position inside the frame that the mask does
 * not exclude, and the live frame's and that set's box sums (@l, @in). */
static int live_side(const struct dsr_image *live, const struct dsr_homography *hm,
		     const uint8_t *mask, uint32_t vmask, uint8_t *inside, float *l, float *in)
{
	uint32_t w = live->width, h = live->height;
	const double *m = hm->h;
	/* an affine's w is 1 exactly, and dividing by it changes nothing */
	int affine = m[6] == 0 && m[7] == 0 && m[8] == 1;

	for (uint32_t y = 0; y < h; y++)
		for (uint32_t x = 0; x < w; x++) {
			size_t i = (size_t)y * w + x;
			double u = m[0] * x + m[1] * y + m[2], v = m[3] * x + m[4] * y + m[5];

			if (!affine) {
				double wd = m[6] * x + m[7] * y + m[8];

				u /= wd;
				v /= wd;
			}

			inside[i] = u >= 0 && v >= 0 && u <= w - 1 && v <= h - 1 &&
				    !(mask && (mask[i] || mask[(size_t)lround(v) * w + lround(u)]));
			l[i] = (float)(live->pixels[i] & vmask);
			in[i] = inside[i] ? 1.0f : 0.0f;
		}
	return box_sum(l, w, h) || box_sum(in, w, h) ? -1 : 0;
}

/* The pairs (warped reference, live) over the overlap, raw and smoothed. */
static int collect_pairs(const struct dsr_image *ref, const struct dsr_image *live,
			 const struct dsr_homography *hm, const uint8_t *mask, uint32_t bits,
			 struct pairs *pr)
{
	uint32_t w = live->width, h = live->height, vmask = (1u << bits) - 1;
	size_t npx = (size_t)w * h;
	struct dsr_params p;
	uint16_t *warped = malloc(sizeof(uint16_t) * npx);
	uint8_t *inside = malloc(npx);
	float *r = malloc(sizeof(float) * npx), *l = malloc(sizeof(float) * npx);
	float *in = malloc(sizeof(float) * npx);
	struct warp_job j = { .p = &p, .ref = ref, .live = live, .warped = warped, .r = r,
			      .vmask = vmask };
	pthread_t t;
	int threaded, rc = -1, lrc;

	atomic_init(&j.next, 0);
	memset(pr, 0, sizeof(*pr));
	pr->ref = malloc(sizeof(uint16_t) * npx);
	pr->live = malloc(sizeof(uint16_t) * npx);
	pr->sref = malloc(sizeof(uint16_t) * npx);
	pr->slive = malloc(sizeof(uint16_t) * npx);
	if (!warped || !inside || !r || !l || !in || !pr->ref || !pr->live || !pr->sref ||
	    !pr->slive) {
		dsr_seterr("contrast: out of memory for a %ux%u frame", w, h);
		goto out;
	}
	dsr_params_default(&p, w, h, bits);
	p.mode = DSR_MODE_WARP;
	if (dsr_params_set_homography(&p, hm)) {
		dsr_seterr("contrast: the transform does not fit the board's registers");
		goto out;
	}
	threaded = dsr_threads() != 1 && pthread_create(&t, NULL, warp_run, &j) == 0;
	lrc = live_side(live, hm, mask, vmask, inside, l, in);
	warp_run(&j);	/* the bands left */
	if (threaded)
		pthread_join(t, NULL);
	if (lrc || box_sum(r, w, h)) {
		dsr_seterr("contrast: out of memory for a %ux%u frame", w, h);
		goto out;
	}
	for (size_t i = 0; i < npx; i++)
		if (inside[i]) {
			pr->ref[pr->n] = warped[i] & vmask;
			pr->live[pr->n] = live->pixels[i] & vmask;
			pr->n++;
		}
	smooth_pairs(r, l, in, npx, pr);
	rc = 0;
out:
	free(warped);
	free(inside);
	free(r);
	free(l);
	free(in);
	if (rc)
		pairs_free(pr);
	return rc;
}

/* Least squares live = gain * ref + offset, on the smoothed pairs. */
static void linear_fit(const struct pairs *pr, double *gain, double *offset)
{
	double sr = 0, sl = 0, srr = 0, srl = 0, n = (double)pr->ns;

	for (size_t i = 0; i < pr->ns; i++) {
		double r = pr->sref[i], l = pr->slive[i];

		sr += r;
		sl += l;
		srr += r * r;
		srl += r * l;
	}
	double var = srr - sr * sr / n;

	*gain = var > 0 ? (srl - sr * sl / n) / var : 1.0;
	*offset = (sl - *gain * sr) / n;
}

static uint16_t clamp_level(double v, uint32_t maxv)
{
	if (!(v > 0))
		return 0;
	if (v >= maxv)
		return (uint16_t)maxv;
	return (uint16_t)lround(v);
}

/*
 * Cumulative-histogram matching: reference level r, at mid-rank q of its pixels among
 * the overlap, maps to the live level at the same rank, with each live level's pixels
 * spread evenly over [l - 0.5, l + 0.5) so that the map is continuous. Levels the
 * overlap does not contain are interpolated between their neighbours, and continued
 * with the linear fit's slope beyond the extremes.
 */
static int histogram_lut(const struct pairs *pr, uint32_t bits, double gain, double *val)
{
	uint32_t levels = 1u << bits;
	uint32_t *hr = calloc(levels, sizeof(uint32_t)), *hl = calloc(levels, sizeof(uint32_t));
	double cum_r = 0, cum_l = 0;
	uint32_t l = 0;
	int64_t first = -1, last = -1;

	if (!hr || !hl) {
		free(hr);
		free(hl);
		return dsr_seterr("contrast: out of memory for the histograms");
	}
	for (size_t i = 0; i < pr->ns; i++) {
		hr[pr->sref[i]]++;
		hl[pr->slive[i]]++;
	}
	for (uint32_t r = 0; r < levels; r++) {
		if (!hr[r])
			continue;
		double q = cum_r + 0.5 * hr[r];

		cum_r += hr[r];
		while (l + 1 < levels && cum_l + hl[l] <= q) {
			cum_l += hl[l];
			l++;
		}
		val[r] = hl[l] ? (double)l - 0.5 + (q - cum_l) / hl[l] : (double)l;
		if (first < 0)
			first = r;
		/* interpolate the gap since the previous present level */
		if (last >= 0)
			for (int64_t k = last + 1; k < r; k++)
				val[k] = val[last] + (val[r] - val[last]) * (double)(k - last) /
						     (double)(r - last);
		last = r;
	}
	for (int64_t k = 0; k < first; k++)
		val[k] = val[first] - gain * (double)(first - k);
	for (int64_t k = last + 1; k < levels; k++)
		val[k] = val[last] + gain * (double)(k - last);
	free(hr);
	free(hl);
	return 0;
}

int dsr_contrast_lut(const struct dsr_image *ref, const struct dsr_image *live,
		     const struct dsr_affine *a, const uint8_t *mask,
		     enum dsr_lut_method method, uint32_t pixel_bits, uint16_t *lut,
		     struct dsr_contrast_info *info)
{
	struct dsr_homography h;

	dsr_homography_from_affine(a, &h);
	return dsr_contrast_lut_h(ref, live, &h, mask, method, pixel_bits, lut, info);
}

int dsr_contrast_lut_h(const struct dsr_image *ref, const struct dsr_image *live,
		       const struct dsr_homography *h, const uint8_t *mask,
		       enum dsr_lut_method method, uint32_t pixel_bits, uint16_t *lut,
		       struct dsr_contrast_info *info)
{
	struct pairs pr;
	double gain, offset, *val = NULL;
	uint32_t levels, maxv;
	int rc = -1;

	if (pixel_bits < DSR_PIXEL_BITS_MIN || pixel_bits > DSR_PIXEL_BITS_MAX)
		return dsr_seterr("contrast: pixel depth %u outside %d..%d", pixel_bits,
				  DSR_PIXEL_BITS_MIN, DSR_PIXEL_BITS_MAX);
	if (!ref || !live || ref->width != live->width || ref->height != live->height)
		return dsr_seterr("contrast: reference and live frames differ in size");
	if ((unsigned)method > DSR_LUT_LINEAR)
		return dsr_seterr("contrast: unknown LUT method %d", (int)method);
	levels = 1u << pixel_bits;
	maxv = levels - 1;
	if (collect_pairs(ref, live, h, mask, pixel_bits, &pr))
		return -1;
	if (pr.ns < MIN_SAMPLES) {
		dsr_seterr("contrast: only %zu overlapping pixels, too few for a LUT", pr.n);
		goto out;
	}
	linear_fit(&pr, &gain, &offset);
	val = malloc(sizeof(double) * levels);
	if (!val) {
		dsr_seterr("contrast: out of memory");
		goto out;
	}
	if (method == DSR_LUT_HISTOGRAM) {
		if (histogram_lut(&pr, pixel_bits, gain, val))
			goto out;
	} else {
		for (uint32_t r = 0; r < levels; r++)
			val[r] = method == DSR_LUT_LINEAR ? gain * r + offset : r;
	}
	for (uint32_t r = 0; r < levels; r++)
		lut[r] = clamp_level(val[r], maxv);
	for (uint32_t r = levels; r < DSR_LUT_SIZE; r++)
		lut[r] = lut[maxv];
	if (info) {
		double ss = 0;

		for (size_t i = 0; i < pr.n; i++) {
			double d = (double)pr.live[i] - lut[pr.ref[i]];

			ss += d * d;
		}
		info->samples = pr.n;
		info->gain = gain;
		info->offset = offset;
		info->residual = sqrt(ss / (double)pr.n);
	}
	rc = 0;
out:
	free(val);
	pairs_free(&pr);
	return rc;
}
