/*
 * noise.c - a frame's noise as a function of grey level, estimated from the frame: the
 * median absolute response of the 3x3 high-pass [1 -2 1; -2 4 -2; 1 -2 1] per bin of
 * local level, from histograms (memory independent of the frame size). See measure.h.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dsr/error.h"
#include "dsr/measure.h"

#define MAD_TO_SIGMA	0.6744897501960817
#define KERNEL_NORM	6.0
#define L_CAP		65535u	/* |L| histogram range; larger responses are edges anyway */

/* The grey levels at fractions @a and @b of @im's pixel histogram. */
static void level_range(const struct dsr_image *im, double a, double b, double *lo, double *hi)
{
	uint32_t *h = calloc(65536, sizeof(*h));
	size_t n = (size_t)im->width * im->height, acc = 0;
	int have = 0;

	*lo = 0;
	*hi = 65535;
	if (!h)
		return;
	for (size_t i = 0; i < n; i++)
		h[im->pixels[i]]++;
	for (uint32_t v = 0; v < 65536; v++) {
		acc += h[v];
		if (!have && acc >= a * n) {
			*lo = v;
			have = 1;
		}
		if (acc >= b * n) {
			*hi = v;
			break;
		}
	}
	if (*hi <= *lo)
		*hi = *lo + 1;
	free(h);
}

/* The median of a histogram of @n values. */
static double hist_median(const uint32_t *h, size_t n)
{
	size_t acc = 0, half = (n + 1) / 2;

	for (uint32_t v = 0; v <= L_CAP; v++) {
		acc += h[v];
		if (acc >= half)
			return v;
	}
	return L_CAP;
}

/* |L| and the 3x3 mean at interior pixel (x, y). */
static void respond(const struct dsr_image *im, uint32_t x, uint32_t y, uint32_t *l, double *mean)
{
	const uint16_t *a = dsr_image_row(im, y - 1), *b = dsr_image_row(im, y),
		       *c = dsr_image_row(im, y + 1);
	long v = (long)a[x - 1] - 2L * a[x] + a[x + 1] - 2L * b[x - 1] + 4L * b[x] - 2L * b[x + 1] +
		 c[x - 1] - 2L * c[x] + c[x + 1];
	long s = (long)a[x - 1] + a[x] + a[x + 1] + b[x - 1] + b[x] + b[x + 1] + c[x - 1] + c[x] +
		 c[x + 1];
	unsigned long m = (unsigned long)labs(v);

	*l = m > L_CAP ? L_CAP : (uint32_t)m;
	*mean = s / 9.0;
}

/* Bins with too few samples take the nearest filled bin's sigma. */
static void fill_gaps(struct dsr_noise_model *nm, const size_t *count)
{
	for (int b = 0; b < nm->bins; b++) {
		if (count[b] >= DSR_NOISE_BIN_MIN)
			continue;
		nm->sigma[b] = nm->global;
		for (int d = 1; d < nm->bins; d++) {
			if (b - d >= 0 && count[b - d] >= DSR_NOISE_BIN_MIN) {
				nm->sigma[b] = nm->sigma[b - d];
				break;
			}
			if (b + d < nm->bins && count[b + d] >= DSR_NOISE_BIN_MIN) {
				nm->sigma[b] = nm->sigma[b + d];
				break;
			}
		}
	}
}

int dsr_noise_model_estimate(const struct dsr_image *im, struct dsr_noise_model *nm)
{
	uint32_t w = im->width, h = im->height;
	size_t n = w >= 3 && h >= 3 ? (size_t)(w - 2) * (h - 2) : 0, count[DSR_NOISE_BINS] = { 0 };

	memset(nm, 0, sizeof(*nm));
	if (n == 0)
		return dsr_seterr("noise: a %ux%u frame is too small (needs 3x3)", w, h);
	nm->bins = (int)(n / (2 * DSR_NOISE_BIN_MIN));
	nm->bins = nm->bins < 1 ? 1 : nm->bins > DSR_NOISE_BINS ? DSR_NOISE_BINS : nm->bins;
	level_range(im, 0.01, 0.99, &nm->lo, &nm->hi);
	/* one |L| histogram per bin, and one for the whole frame */
	uint32_t *hist = calloc((size_t)(nm->bins + 1) * (L_CAP + 1), sizeof(*hist));
	if (!hist)
		return dsr_seterr("noise: out of memory");
	uint32_t *all = hist + (size_t)nm->bins * (L_CAP + 1);
	for (uint32_t y = 1; y + 1 < h; y++) {
		for (uint32_t x = 1; x + 1 < w; x++) {
			uint32_t l;
			double mean;

			respond(im, x, y, &l, &mean);
			int b = (int)floor((mean - nm->lo) / (nm->hi - nm->lo) * nm->bins);
			b = b < 0 ? 0 : b >= nm->bins ? nm->bins - 1 : b;
			hist[(size_t)b * (L_CAP + 1) + l]++;
			count[b]++;
			all[l]++;
		}
	}
	nm->global = hist_median(all, n) / (MAD_TO_SIGMA * KERNEL_NORM);
	for (int b = 0; b < nm->bins; b++)
		if (count[b] >= DSR_NOISE_BIN_MIN)
			nm->sigma[b] = hist_median(hist + (size_t)b * (L_CAP + 1), count[b]) /
				       (MAD_TO_SIGMA * KERNEL_NORM);
	fill_gaps(nm, count);
	free(hist);
	return 0;
}

double dsr_noise_model_at(const struct dsr_noise_model *nm, double level)
{
	if (nm->bins <= 1)
		return nm->bins == 1 ? nm->sigma[0] : nm->global;
	double t = (level - nm->lo) / (nm->hi - nm->lo) * nm->bins - 0.5;
	if (!(t > 0))
		return nm->sigma[0];
	if (t >= nm->bins - 1)
		return nm->sigma[nm->bins - 1];
	int b = (int)t;
	double f = t - b;
	return nm->sigma[b] * (1 - f) + nm->sigma[b + 1] * f;
}
