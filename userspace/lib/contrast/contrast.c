/*
 * contrast.c - dsr_contrast_lut(): the LUT that maps the warped reference's grey levels
 * onto the live frame's, by cumulative-histogram matching or by a straight-line fit.
 *
 * The pairs come from the overlap only: live pixel (x, y) and ref'(x, y), the reference
 * warped by the reference model exactly as the board will warp it (identity LUT), so
 * the histogram is of the values the LUT will be indexed by.
 */
#include <math.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "dsr/contrast.h"
#include "dsr/error.h"
#include "dsr/register.h"
#include "common/threads.h"

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

/*
 * What the fits need of the overlap, summed: the pairs (ref', live) both averaged over a
 * 5 x 5 box (see smooth_pair()) as histograms and the sums of a straight-line fit, and
 * how many pixels overlap. Every sum is of integers, kept in integers, so it is the
 * same in any order: the frame is split between two threads and the halves added.
 */
struct lut_stats {
	uint64_t n, ns;			/* overlap pixels; pairs whose whole box overlaps */
	uint64_t sr, sl, srr, srl;	/* the pairs' sums */
	uint32_t *hr, *hl;		/* their histograms (2^bits levels each) */
};

#define SMOOTH_R 2	/* (2r+1)^2 box: noise down 5x before the fits */

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
#define BOX_FULL ((2 * SMOOTH_R + 1) * (2 * SMOOTH_R + 1))

/*
 * The frame work of one LUT, for two threads: (1) in bands of LUT_BAND rows that both
 * take in turn, the live frame's overlap test and the reference warped through the model
 * (mode WARP, identity LUT) exactly as the board warps it; (2) the box sums, the
 * reference's on one thread, the live frame's and the overlap's on the other; (3) the
 * statistics of each half of the rows; (4) after the LUT, each half's residual. Every
 * pixel is the same whichever thread computed it, and the halves' integer sums add
 * exactly, so the LUT does not depend on the thread count.
 */
#define LUT_BAND 32

struct lut_job {
	const struct dsr_params *p;
	const struct dsr_image *ref, *live;
	const struct dsr_homography *hm;
	const uint8_t *mask;
	uint32_t vmask, levels;
	uint16_t *warped;
	uint8_t *inside;
	float *r, *l, *in;	/* ref', live and the overlap as floats, then box sums */
	atomic_uint next;	/* (1): the next band not taken */
	const uint16_t *lut;	/* (4) */
};

/* One half's part of steps 2 to 4. */
struct lut_half {
	struct lut_job *j;
	int part;		/* 0 or 1 */
	int rc;
	struct lut_stats st;
	uint64_t ss;
};

/* The overlap test and the live frame's grey levels for rows [y0, y1). */
static void live_rows(struct lut_job *j, uint32_t y0, uint32_t y1)
{
	uint32_t w = j->live->width, h = j->live->height;
	const double *m = j->hm->h;
	/* an affine's w is 1 exactly, and dividing by it changes nothing */
	int affine = m[6] == 0 && m[7] == 0 && m[8] == 1;

	for (uint32_t y = y0; y < y1; y++)
		for (uint32_t x = 0; x < w; x++) {
			size_t i = (size_t)y * w + x;
			double u = m[0] * x + m[1] * y + m[2], v = m[3] * x + m[4] * y + m[5];

			if (!affine) {
				double wd = m[6] * x + m[7] * y + m[8];

				u /= wd;
				v /= wd;
			}
			j->inside[i] = u >= 0 && v >= 0 && u <= w - 1 && v <= h - 1 &&
				       !(j->mask && (j->mask[i] ||
						     j->mask[(size_t)lround(v) * w + lround(u)]));
			j->l[i] = (float)(j->live->pixels[i] & j->vmask);
			j->in[i] = j->inside[i] ? 1.0f : 0.0f;
		}
}

/* Step 1. */
static void *band_run(void *arg)
{
	struct lut_job *j = arg;
	uint32_t w = j->live->width, h = j->live->height, y0;

	while ((y0 = atomic_fetch_add(&j->next, LUT_BAND)) < h) {
		uint32_t y1 = y0 + LUT_BAND < h ? y0 + LUT_BAND : h;

		live_rows(j, y0, y1);
		dsr_model_rows(j->p, NULL, j->ref->pixels, j->live->pixels, j->warped, y0, y1);
		for (size_t i = (size_t)y0 * w; i < (size_t)y1 * w; i++)
			j->r[i] = (float)(j->warped[i] & j->vmask);
	}
	return NULL;
}

/* Step 2. */
static void *box_run(void *arg)
{
	struct lut_half *hf = arg;
	struct lut_job *j = hf->j;
	uint32_t w = j->live->width, h = j->live->height;

	hf->rc = hf->part ? box_sum(j->r, w, h) : box_sum(j->l, w, h) || box_sum(j->in, w, h);
	return NULL;
}

static void half_rows(const struct lut_half *hf, size_t *i0, size_t *i1)
{
	uint32_t w = hf->j->live->width, h = hf->j->live->height;

	*i0 = hf->part ? (size_t)(h / 2) * w : 0;
	*i1 = hf->part ? (size_t)h * w : (size_t)(h / 2) * w;
}

/* Step 3: the pairs of this half's pixels into its own statistics. */
static void *stats_run(void *arg)
{
	struct lut_half *hf = arg;
	struct lut_job *j = hf->j;
	struct lut_stats *st = &hf->st;
	const float full = BOX_FULL;
	size_t i0, i1;

	half_rows(hf, &i0, &i1);
	st->hr = calloc(j->levels, sizeof(uint32_t));
	st->hl = calloc(j->levels, sizeof(uint32_t));
	if (!st->hr || !st->hl) {
		hf->rc = -1;
		return NULL;
	}
	for (size_t i = i0; i < i1; i++) {
		st->n += j->inside[i];
		if (j->in[i] > full - 0.5f) {
			uint32_t sr = (uint32_t)lrintf(j->r[i] / full);
			uint32_t sl = (uint32_t)lrintf(j->l[i] / full);

			st->hr[sr]++;
			st->hl[sl]++;
			st->sr += sr;
			st->sl += sl;
			st->srr += (uint64_t)sr * sr;
			st->srl += (uint64_t)sr * sl;
			st->ns++;
		}
	}
	return NULL;
}

/* Step 4: the squared differences between the live frame and the LUT'ed ref' over this
 * half's overlap. */
static void *residual_run(void *arg)
{
	struct lut_half *hf = arg;
	struct lut_job *j = hf->j;
	size_t i0, i1;

	half_rows(hf, &i0, &i1);
	for (size_t i = i0; i < i1; i++)
		if (j->inside[i]) {
			int64_t d = (int64_t)(j->live->pixels[i] & j->vmask) -
				    j->lut[j->warped[i] & j->vmask];

			hf->ss += (uint64_t)(d * d);
		}
	return NULL;
}

static void stats_free(struct lut_stats *st)
{
	free(st->hr);
	free(st->hl);
}

/* Steps 1 to 3 into @st: the halves added, into the first half's histograms (which
 * @st then shares); @j's buffers are kept for step 4. */
static int collect_stats(struct lut_job *j, struct lut_half *hf, struct lut_stats *st)
{
	uint32_t w = j->live->width, h = j->live->height;

	atomic_init(&j->next, 0);
	dsr_run_pair(band_run, j, j);
	for (int k = 0; k < 2; k++)
		hf[k] = (struct lut_half){ .j = j, .part = k };
	dsr_run_pair(box_run, &hf[0], &hf[1]);
	if (hf[0].rc || hf[1].rc)
		return dsr_seterr("contrast: out of memory for a %ux%u frame", w, h);
	dsr_run_pair(stats_run, &hf[0], &hf[1]);
	if (hf[0].rc || hf[1].rc)
		return dsr_seterr("contrast: out of memory for the histograms");
	*st = hf[0].st;
	st->n += hf[1].st.n;
	st->ns += hf[1].st.ns;
	st->sr += hf[1].st.sr;
	st->sl += hf[1].st.sl;
	st->srr += hf[1].st.srr;
	st->srl += hf[1].st.srl;
	for (uint32_t v = 0; v < j->levels; v++) {
		st->hr[v] += hf[1].st.hr[v];
		st->hl[v] += hf[1].st.hl[v];
	}
	return 0;
}

/* Least squares live = gain * ref + offset, on the smoothed pairs. */
static void linear_fit(const struct lut_stats *st, double *gain, double *offset)
{
	double sr = (double)st->sr, sl = (double)st->sl, srr = (double)st->srr;
	double srl = (double)st->srl, n = (double)st->ns;
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
static void histogram_lut(const struct lut_stats *st, uint32_t bits, double gain, double *val)
{
	uint32_t levels = 1u << bits;
	const uint32_t *hr = st->hr, *hl = st->hl;
	double cum_r = 0, cum_l = 0;
	uint32_t l = 0;
	int64_t first = -1, last = -1;

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
	struct dsr_params p;
	struct lut_job j;
	struct lut_half hf[2];
	struct lut_stats st = { 0 };
	double gain, offset, *val = NULL;
	uint32_t levels, maxv;
	size_t npx;
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
	npx = (size_t)live->width * live->height;
	memset(hf, 0, sizeof(hf));
	j = (struct lut_job){ .p = &p, .ref = ref, .live = live, .hm = h, .mask = mask,
			      .vmask = maxv, .levels = levels };
	j.warped = malloc(sizeof(uint16_t) * npx);
	j.inside = malloc(npx);
	j.r = malloc(sizeof(float) * npx);
	j.l = malloc(sizeof(float) * npx);
	j.in = malloc(sizeof(float) * npx);
	val = malloc(sizeof(double) * levels);
	if (!j.warped || !j.inside || !j.r || !j.l || !j.in || !val) {
		dsr_seterr("contrast: out of memory for a %ux%u frame", live->width, live->height);
		goto out;
	}
	dsr_params_default(&p, live->width, live->height, pixel_bits);
	p.mode = DSR_MODE_WARP;
	if (dsr_params_set_homography(&p, h)) {
		dsr_seterr("contrast: the transform does not fit the board's registers");
		goto out;
	}
	if (collect_stats(&j, hf, &st))
		goto out;
	if (st.ns < MIN_SAMPLES) {
		dsr_seterr("contrast: only %llu overlapping pixels, too few for a LUT",
			   (unsigned long long)st.n);
		goto out;
	}
	linear_fit(&st, &gain, &offset);
	if (method == DSR_LUT_HISTOGRAM) {
		histogram_lut(&st, pixel_bits, gain, val);
	} else {
		for (uint32_t r = 0; r < levels; r++)
			val[r] = method == DSR_LUT_LINEAR ? gain * r + offset : r;
	}
	for (uint32_t r = 0; r < levels; r++)
		lut[r] = clamp_level(val[r], maxv);
	for (uint32_t r = levels; r < DSR_LUT_SIZE; r++)
		lut[r] = lut[maxv];
	if (info) {
		j.lut = lut;
		dsr_run_pair(residual_run, &hf[0], &hf[1]);
		info->samples = st.n;
		info->gain = gain;
		info->offset = offset;
		info->residual = sqrt((double)(hf[0].ss + hf[1].ss) / (double)st.n);
	}
	rc = 0;
out:
	stats_free(&hf[0].st);	/* st's histograms are the first half's */
	stats_free(&hf[1].st);
	free(val);
	free(j.warped);
	free(j.inside);
	free(j.r);
	free(j.l);
	free(j.in);
	return rc;
}
