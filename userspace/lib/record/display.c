/*
 * display.c - the difference as it is written: out-of-field pixels marked, statistics
 * over the field only, and an 8-bit rendering an ordinary viewer shows (record.h).
 */
#include <math.h>
#include <stdlib.h>

#include "dsr/error.h"
#include "dsr/image.h"
#include "dsr/record.h"

size_t dsr_mark_out_of_field(struct dsr_image *diff, const uint8_t *valid)
{
	size_t n = (size_t)diff->width * diff->height, marked = 0;

	for (size_t i = 0; i < n; i++) {
		if (!valid[i]) {
			diff->pixels[i] = DSR_OUT_OF_FIELD;
			marked++;
		} else if (diff->pixels[i] == DSR_OUT_OF_FIELD) {
			diff->pixels[i] = DSR_OUT_OF_FIELD + 1;
		}
	}
	return marked;
}

size_t dsr_field_stats(const struct dsr_image *im, const uint8_t *valid, double *mean,
		       double *sd)
{
	size_t n = (size_t)im->width * im->height, k = 0;
	double s = 0, s2 = 0;

	for (size_t i = 0; i < n; i++)
		if (!valid || valid[i]) {
			s += im->pixels[i];
			s2 += (double)im->pixels[i] * im->pixels[i];
			k++;
		}
	if (!k) {
		*mean = *sd = NAN;
		return 0;
	}
	*mean = s / k;
	*sd = sqrt(fmax(s2 / k - *mean * *mean, 0));
	return k;
}

/* Six robust standard deviations of the in-field deviation from @midgrey, >= 4. */
static double robust_span(const struct dsr_image *diff, const uint8_t *valid, uint32_t midgrey)
{
	size_t n = (size_t)diff->width * diff->height, cnt = 0, cum = 0;
	uint32_t *hist = calloc(65536, sizeof(*hist));
	double span = 4;

	if (!hist)
		return 256;
	for (size_t i = 0; i < n; i++)
		if (!valid || valid[i]) {
			hist[abs((int)diff->pixels[i] - (int)midgrey)]++;
			cnt++;
		}
	for (int v = 0; v < 65536 && cnt; v++) {
		cum += hist[v];
		if (2 * cum >= cnt) {
			span = fmax(6 * 1.4826 * v, 4);
			break;
		}
	}
	free(hist);
	return span;
}

struct dsr_image *dsr_difference_display(const struct dsr_image *diff, const uint8_t *valid,
					 uint32_t midgrey, double *centre, double *width)
{
	struct dsr_image *out = dsr_image_new(diff->width, diff->height, 8);
	double span = robust_span(diff, valid, midgrey);

	if (!out)
		return NULL;
	*centre = midgrey;
	*width = 2 * span;
	for (size_t i = 0; i < (size_t)diff->width * diff->height; i++) {
		double v = 1 + 254.0 * ((double)diff->pixels[i] - (midgrey - span)) / (2 * span);

		out->pixels[i] = valid && !valid[i] ? 0 :
				 (uint16_t)(v < 1 ? 1 : v > 255 ? 255 : lround(v));
	}
	return out;
}
