/*
 * fimage.c - float images for registration: conversion, pyramid, blur, gradients, and
 * the bookkeeping of a transform across pyramid levels.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dsr/error.h"
#include "register/register_priv.h"

/* A w x h float image with no mask, its pixels not set (every caller writes all of
 * them); NULL (dsr_error()) when out of memory. */
struct fimg *fimg_new(int w, int h)
{
	struct fimg *im = calloc(1, sizeof(*im));

	if (!im || w <= 0 || h <= 0) {
		free(im);
		dsr_seterr("registration: cannot allocate a %dx%d image", w, h);
		return NULL;
	}
	im->w = w;
	im->h = h;
	im->p = malloc(sizeof(float) * (size_t)w * h);
	if (!im->p) {
		free(im);
		dsr_seterr("registration: out of memory for a %dx%d image", w, h);
		return NULL;
	}
	return im;
}

void fimg_free(struct fimg *im)
{
	if (!im)
		return;
	free(im->p);
	free(im->valid);
	free(im);
}

/* Grey levels to [0, 1] so that every level of the pyramid has the same scale; the
 * ignore mask (non-zero = ignore) becomes a validity map. */
struct fimg *fimg_from_image(const struct dsr_image *src, const uint8_t *ignore)
{
	struct fimg *im = fimg_new((int)src->width, (int)src->height);
	size_t n = (size_t)src->width * src->height;
	uint32_t bits = src->bits >= 1 && src->bits <= 16 ? src->bits : 16;
	uint32_t maskv = (bits >= 16) ? 0xffffu : ((1u << bits) - 1);
	float scale = 1.0f / (float)maskv;

	if (!im)
		return NULL;
	for (size_t i = 0; i < n; i++)
		im->p[i] = (float)(src->pixels[i] & maskv) * scale;
	if (ignore) {
		im->valid = malloc(n);
		if (!im->valid) {
			fimg_free(im);
			dsr_seterr("registration: out of memory for the mask");
			return NULL;
		}
		for (size_t i = 0; i < n; i++)
			im->valid[i] = ignore[i] ? 0 : 1;
	}
	return im;
}

/* One pyramid step: coarse pixel (X, Y) is the mean of fine pixels 2X..2X+1, 2Y..2Y+1,
 * so its centre sits at fine (2X + 0.5, 2Y + 0.5) (see affine_to_coarser()). */
struct fimg *fimg_half(const struct fimg *im)
{
	int w = im->w / 2, h = im->h / 2;
	struct fimg *c = fimg_new(w, h);

	if (!c)
		return NULL;
	for (int y = 0; y < h; y++) {
		const float *r0 = im->p + (size_t)(2 * y) * im->w;
		const float *r1 = r0 + im->w;
		float *o = c->p + (size_t)y * w;

		for (int x = 0; x < w; x++)
			o[x] = 0.25f * (r0[2 * x] + r0[2 * x + 1] + r1[2 * x] + r1[2 * x + 1]);
	}
	if (im->valid) {
		c->valid = malloc((size_t)w * h);
		if (!c->valid) {
			fimg_free(c);
			dsr_seterr("registration: out of memory for the mask");
			return NULL;
		}
		for (int y = 0; y < h; y++) {
			const uint8_t *m0 = im->valid + (size_t)(2 * y) * im->w;
			const uint8_t *m1 = m0 + im->w;

			for (int x = 0; x < w; x++)
				c->valid[(size_t)y * w + x] = m0[2 * x] && m0[2 * x + 1] &&
							      m1[2 * x] && m1[2 * x + 1];
		}
	}
	return c;
}

/* Binomial 5-tap blur, edges replicated: takes the edge off sensor noise before the
 * gradients are taken at full resolution (coarser levels are already averaged). The
 * vertical pass combines whole rows, so it runs along memory like the horizontal one. */
int fimg_blur5(struct fimg *im)
{
	int w = im->w, h = im->h;
	float *tmp = malloc(sizeof(float) * (size_t)w * h);

	if (!tmp)
		return dsr_seterr("registration: out of memory for a blur");
	for (int y = 0; y < h; y++) {
		const float *r = im->p + (size_t)y * w;
		float *o = tmp + (size_t)y * w;

		for (int x = 2; x + 2 < w; x++)	/* no edge tests inside: vectorises */
			o[x] = (r[x - 2] + r[x + 2] + 4.0f * (r[x - 1] + r[x + 1]) + 6.0f * r[x]) *
			       (1.0f / 16.0f);
		for (int x = 0; x < w; x = x == 1 && w > 4 ? w - 2 : x + 1) {	/* the edges */
			int xm2 = x >= 2 ? x - 2 : 0, xm1 = x >= 1 ? x - 1 : 0;
			int xp1 = x + 1 < w ? x + 1 : w - 1, xp2 = x + 2 < w ? x + 2 : w - 1;

			o[x] = (r[xm2] + r[xp2] + 4.0f * (r[xm1] + r[xp1]) + 6.0f * r[x]) *
			       (1.0f / 16.0f);
		}
	}
	for (int y = 0; y < h; y++) {
		const float *a = tmp + (size_t)(y >= 2 ? y - 2 : 0) * w;
		const float *b = tmp + (size_t)(y >= 1 ? y - 1 : 0) * w;
		const float *c = tmp + (size_t)y * w;
		const float *d = tmp + (size_t)(y + 1 < h ? y + 1 : h - 1) * w;
		const float *e = tmp + (size_t)(y + 2 < h ? y + 2 : h - 1) * w;
		float *o = im->p + (size_t)y * w;

		for (int x = 0; x < w; x++)
			o[x] = (a[x] + e[x] + 4.0f * (b[x] + d[x]) + 6.0f * c[x]) * (1.0f / 16.0f);
	}
	free(tmp);
	return 0;
}

/* Rows [y0, y1) of the central differences of @im into @gx, @gy (allocated). */
void fimg_gradient_rows(const struct fimg *im, struct fimg *gx, struct fimg *gy, int y0, int y1)
{
	int w = im->w, h = im->h;

	for (int y = y0; y < y1; y++) {
		const float *r = im->p + (size_t)y * w;
		const float *up = im->p + (size_t)(y > 0 ? y - 1 : y) * w;
		const float *dn = im->p + (size_t)(y + 1 < h ? y + 1 : y) * w;
		float sy = (y > 0 && y + 1 < h) ? 0.5f : 1.0f;
		float *ox = gx->p + (size_t)y * w, *oy = gy->p + (size_t)y * w;

		for (int x = 1; x + 1 < w; x++)	/* no edge tests inside: vectorises */
			ox[x] = (r[x + 1] - r[x - 1]) * 0.5f;
		for (int x = 0; x < w; x++)
			oy[x] = h > 1 ? (dn[x] - up[x]) * sy : 0.0f;
		if (w > 1) {
			ox[0] = r[1] - r[0];
			ox[w - 1] = r[w - 1] - r[w - 2];
		} else {
			ox[0] = 0.0f;
		}
	}
}

/* Central differences (one-sided at the edges): what ECC's Jacobian needs. */
int fimg_gradient(const struct fimg *im, struct fimg **gxo, struct fimg **gyo)
{
	struct fimg *gx = fimg_new(im->w, im->h), *gy = fimg_new(im->w, im->h);

	if (!gx || !gy) {
		fimg_free(gx);
		fimg_free(gy);
		return -1;
	}
	fimg_gradient_rows(im, gx, gy, 0, im->h);
	*gxo = gx;
	*gyo = gy;
	return 0;
}

/* Grow the ignored region by @r pixels (a square neighbourhood): blur, gradients and
 * bilinear samples reach that far, so pixels that close to a label carry its edges. */
int fimg_dilate_invalid(struct fimg *im, int r)
{
	int w = im->w, h = im->h;
	uint8_t *tmp;

	if (!im->valid || r <= 0)
		return 0;
	tmp = malloc((size_t)w * h);
	if (!tmp)
		return dsr_seterr("registration: out of memory for the mask");
	/* rows, then columns: a separable minimum */
	for (int y = 0; y < h; y++)
		for (int x = 0; x < w; x++) {
			uint8_t v = 1;

			for (int k = x - r; k <= x + r && v; k++)
				if (k >= 0 && k < w && !im->valid[(size_t)y * w + k])
					v = 0;
			tmp[(size_t)y * w + x] = v;
		}
	for (int y = 0; y < h; y++)
		for (int x = 0; x < w; x++) {
			uint8_t v = 1;

			for (int k = y - r; k <= y + r && v; k++)
				if (k >= 0 && k < h && !tmp[(size_t)k * w + x])
					v = 0;
			im->valid[(size_t)y * w + x] = v;
		}
	free(tmp);
	return 0;
}

/*
 * Donoho's estimate: on 2x2 blocks the diagonal difference (a - b - c + d) / 2 of
 * white noise has the noise's variance, and smooth anatomy and straight edges give
 * it almost nothing, so the median of its magnitude / 0.6745 is the noise sigma.
 */
double fimg_noise_var(const struct fimg *im)
{
	size_t cap = (size_t)(im->w / 2) * (im->h / 2), n = 0;
	float *d = malloc(sizeof(float) * (cap ? cap : 1));
	double sigma;

	if (!d)
		return 0;
	for (int y = 0; y + 1 < im->h; y += 2)
		for (int x = 0; x + 1 < im->w; x += 2) {
			size_t i = (size_t)y * im->w + x;

			if (im->valid && !(im->valid[i] && im->valid[i + 1] && im->valid[i + im->w] &&
					   im->valid[i + im->w + 1]))
				continue;
			d[n++] = fabsf(im->p[i] - im->p[i + 1] - im->p[i + im->w] +
				       im->p[i + im->w + 1]) * 0.5f;
		}
	if (n == 0) {
		free(d);
		return 0;
	}
	/* median by selection: nth_element is not in C, a partial quickselect is */
	size_t k = n / 2, lo = 0, hi = n - 1;

	while (lo < hi) {
		float pivot = d[(lo + hi) / 2];
		size_t i = lo, j = hi;

		while (i <= j) {
			while (d[i] < pivot)
				i++;
			while (d[j] > pivot)
				j--;
			if (i <= j) {
				float t = d[i];

				d[i] = d[j];
				d[j] = t;
				i++;
				if (j == 0)
					break;
				j--;
			}
		}
		if (k <= j)
			hi = j;
		else if (k >= i)
			lo = i;
		else
			break;
	}
	sigma = d[k] / 0.6745;
	free(d);
	return sigma * sigma;
}

/* Masked pixels would put a hard edge into the spectrum; the mean of the rest does not. */
void fimg_fill_invalid(struct fimg *im)
{
	size_t n = (size_t)im->w * im->h, cnt = 0;
	double sum = 0;

	if (!im->valid)
		return;
	for (size_t i = 0; i < n; i++)
		if (im->valid[i]) {
			sum += im->p[i];
			cnt++;
		}
	float mean = cnt ? (float)(sum / (double)cnt) : 0.0f;

	for (size_t i = 0; i < n; i++)
		if (!im->valid[i])
			im->p[i] = mean;
}

void affine_identity(struct dsr_affine *a)
{
	*a = (struct dsr_affine){ 1, 0, 0, 0, 1, 0 };
}

/* Fine (x, y) = 2 (X, Y) + 0.5 on both sides of the transform, solved for the coarse
 * translation; the matrix is the same on every level. */
void affine_to_coarser(struct dsr_affine *a)
{
	a->tx = (a->tx + 0.5 * (a->a11 + a->a12) - 0.5) * 0.5;
	a->ty = (a->ty + 0.5 * (a->a21 + a->a22) - 0.5) * 0.5;
}

void affine_to_finer(struct dsr_affine *a)
{
	a->tx = 2.0 * a->tx + 0.5 - 0.5 * (a->a11 + a->a12);
	a->ty = 2.0 * a->ty + 0.5 - 0.5 * (a->a21 + a->a22);
}

/* u = c + s R(theta) (x - c) + d: a rotation and scale about the frame centre. */
void affine_similarity(struct dsr_affine *a, double theta, double scale, double cx,
		       double cy, double dx, double dy)
{
	double c = scale * cos(theta), s = scale * sin(theta);

	a->a11 = c;
	a->a12 = -s;
	a->a21 = s;
	a->a22 = c;
	a->tx = cx - (c * cx - s * cy) + dx;
	a->ty = cy - (s * cx + c * cy) + dy;
}

/* 3x3 product c = a b (row-major). */
static void mat3_mul(const double *a, const double *b, double *c)
{
	for (int r = 0; r < 3; r++)
		for (int k = 0; k < 3; k++)
			c[3 * r + k] = a[3 * r] * b[k] + a[3 * r + 1] * b[3 + k] + a[3 * r + 2] * b[6 + k];
}

/* A coarse pixel X has its centre at fine x = 2X + 0.5: H_c = C^-1 H_f C with
 * C = [2 0 0.5; 0 2 0.5; 0 0 1], normalised to h33 = 1. */
static void homography_rescale(struct dsr_homography *h, const double *pre, const double *post)
{
	double t[9], o[9];

	mat3_mul(h->h, post, t);
	mat3_mul(pre, t, o);
	for (int i = 0; i < 9; i++)
		h->h[i] = o[i] / o[8];
}

void homography_to_coarser(struct dsr_homography *h)
{
	static const double cinv[9] = { 0.5, 0, -0.25, 0, 0.5, -0.25, 0, 0, 1 };
	static const double c[9] = { 2, 0, 0.5, 0, 2, 0.5, 0, 0, 1 };

	homography_rescale(h, cinv, c);
}

void homography_to_finer(struct dsr_homography *h)
{
	static const double cinv[9] = { 0.5, 0, -0.25, 0, 0.5, -0.25, 0, 0, 1 };
	static const double c[9] = { 2, 0, 0.5, 0, 2, 0.5, 0, 0, 1 };

	homography_rescale(h, c, cinv);
}

void homography_apply(const struct dsr_homography *h, double x, double y, double *u,
		      double *v)
{
	const double *m = h->h;
	double w = m[6] * x + m[7] * y + m[8];

	*u = (m[0] * x + m[1] * y + m[2]) / w;
	*v = (m[3] * x + m[4] * y + m[5]) / w;
}
