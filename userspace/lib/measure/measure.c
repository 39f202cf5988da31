/*
 * measure.c - frame noise from the data, and the density change in a region with its
 * standard error and a z test of "no change". See measure.h for the model.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dsr/error.h"
#include "dsr/measure.h"
#include "measure_priv.h"

/* Median absolute deviation to sigma for a normal variable. */
#define MAD_TO_SIGMA	0.6744897501960817
/* sqrt of the sum of squares of the kernel [1 -2 1; -2 4 -2; 1 -2 1] */
#define KERNEL_NORM	6.0

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* All nine pixels of the 3x3 neighbourhood of (x, y) valid? */
static int neighbourhood_valid(const uint8_t *valid, uint32_t w, uint32_t x, uint32_t y)
{
	if (!valid)
		return 1;
	for (uint32_t dy = 0; dy < 3; dy++)
		for (uint32_t dx = 0; dx < 3; dx++)
			if (!valid[(size_t)(y + dy - 1) * w + x + dx - 1])
				return 0;
	return 1;
}

double dsr_noise_estimate(const struct dsr_image *im, const uint8_t *valid)
{
	uint32_t w = im->width, h = im->height;
	size_t n = 0;
	double *r;

	if (w < 3 || h < 3)
		return dsr_seterr("noise: a %ux%u frame is too small (needs 3x3)", w, h);
	r = malloc((size_t)(w - 2) * (h - 2) * sizeof(*r));
	if (!r)
		return dsr_seterr("noise: out of memory");
	for (uint32_t y = 1; y + 1 < h; y++) {
		const uint16_t *a = dsr_image_row(im, y - 1), *b = dsr_image_row(im, y),
			       *c = dsr_image_row(im, y + 1);
		for (uint32_t x = 1; x + 1 < w; x++) {
			if (!neighbourhood_valid(valid, w, x, y))
				continue;
			double l = (double)a[x - 1] - 2.0 * a[x] + a[x + 1]
				 - 2.0 * b[x - 1] + 4.0 * b[x] - 2.0 * b[x + 1]
				 + c[x - 1] - 2.0 * c[x] + c[x + 1];
			r[n++] = fabs(l);
		}
	}
	if (n == 0) {
		free(r);
		return dsr_seterr("noise: no valid 3x3 neighbourhood in the frame");
	}
	qsort(r, n, sizeof(*r), cmp_double);
	double med = n % 2 ? r[n / 2] : (r[n / 2 - 1] + r[n / 2]) / 2;
	free(r);
	return med / (MAD_TO_SIGMA * KERNEL_NORM);
}

double dsr_measure_p_two_sided(double z)
{
	return erfc(fabs(z) / sqrt(2.0));
}

double measure_var_diff(const struct dsr_measure_ctx *c, size_t i)
{
	double s = c->lut_slope, sl = c->sigma_live, sr = c->sigma_ref;

	if (c->noise_live && c->noise_ref) {
		double level = c->live->pixels[i];

		sl = dsr_noise_model_at(c->noise_live, level);
		sr = dsr_noise_model_at(c->noise_ref, s > 0 ? (level - c->lut_offset) / s : level);
	}
	return sl * sl + s * s * sr * sr;
}

static int check_ctx(const struct dsr_measure_ctx *c)
{
	const struct dsr_image *d = c->difference, *l = c->live;

	if (!d || !l || d->width != l->width || d->height != l->height)
		return dsr_seterr("measure: the difference and the follow-up must have the same size");
	if (!(c->gain > 0) || !isfinite(c->midgrey) || !(c->sigma_live >= 0) || !(c->sigma_ref >= 0) ||
	    !isfinite(c->lut_slope) || !(c->alpha > 0 && c->alpha < 1))
		return dsr_seterr("measure: gain, midgrey, noise, LUT slope or alpha out of range");
	return 0;
}

int dsr_measure_region(const struct dsr_measure_ctx *c, const struct dsr_region *r,
		       struct dsr_measurement *m)
{
	uint32_t w, h;
	uint8_t *mask;
	size_t n, full;
	double sd = 0, sl = 0, var = 0;

	memset(m, 0, sizeof(*m));
	if (check_ctx(c) < 0)
		return -1;
	w = c->difference->width;
	h = c->difference->height;
	mask = malloc((size_t)w * h);
	if (!mask)
		return dsr_seterr("measure: out of memory");
	n = dsr_region_mask(r, w, h, c->valid, mask, &full);
	m->pixels = n;
	m->pixels_full = full;
	m->clipped = n < full;
	if (n < DSR_REGION_MIN_PIXELS || (double)n < DSR_REGION_MIN_FRACTION * (double)full) {
		free(mask);
		return dsr_seterr("region keeps %zu of its %zu pixels inside the valid field "
				  "(needs at least %d and %.0f %%): refused", n, full,
				  DSR_REGION_MIN_PIXELS, DSR_REGION_MIN_FRACTION * 100);
	}
	for (size_t i = 0; i < (size_t)w * h; i++) {
		if (!mask[i])
			continue;
		sd += c->difference->pixels[i];
		sl += c->live->pixels[i];
		var += measure_var_diff(c, i);
	}
	free(mask);
	m->change = (sd / n - c->midgrey) / c->gain;
	m->baseline = sl / n - m->change;
	m->sigma_diff = sqrt(var / n);		/* RMS over the region's pixels */
	m->se = sqrt(var) / n;
	m->change_pct = m->baseline > 0 ? 100.0 * m->change / m->baseline : NAN;
	m->se_pct = m->baseline > 0 ? 100.0 * m->se / m->baseline : NAN;
	if (m->se > 0) {
		m->z = m->change / m->se;
		m->p = dsr_measure_p_two_sided(m->z);
	} else {
		/* noiseless frames: any change is certain, none is not */
		m->z = m->change == 0 ? 0 : copysign(INFINITY, m->change);
		m->p = m->change == 0 ? 1 : 0;
	}
	m->significant = m->p < c->alpha;
	return 0;
}
