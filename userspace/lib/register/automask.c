/*
 * automask.c - the pixels of a frame that no model should be fitted to, found in the
 * frame itself: constant fills (the grey corners of a rotated, padded image; a flat
 * collimator shadow; anything written as one value) and clipped pixels (saturated, or
 * at zero). Both carry no anatomy, and their edges against the image are strong false
 * features that would pull the fit (a padded pair was 0.57 px off without this).
 *
 * A constant fill: every pixel of a 5 x 5 neighbourhood has exactly the same value. The
 * detector noise of a real exposure never does that; a noise-free plateau may, and then
 * loses nothing, having no gradient. The fill is masked with a margin of 3 pixels beyond
 * its edge (the blur and gradients of the pyramid then widen the margin further).
 * Clipped pixels (0 or 2^bits - 1) are masked with a margin of 1.
 */
#include <stdlib.h>
#include <string.h>

#include "dsr/error.h"
#include "register/register_priv.h"

#define FILL_MARGIN	3
#define CLIP_MARGIN	1

/* Grow the set bytes of @m (w x h) by r pixels: a separable maximum. */
static int grow(uint8_t *m, int w, int h, int r)
{
	uint8_t *t = malloc((size_t)w * h);

	if (!t)
		return dsr_seterr("registration: out of memory for the automatic mask");
	for (int y = 0; y < h; y++)
		for (int x = 0; x < w; x++) {
			uint8_t v = 0;

			for (int k = x - r; k <= x + r && !v; k++)
				v = k >= 0 && k < w && m[(size_t)y * w + k];
			t[(size_t)y * w + x] = v;
		}
	for (int y = 0; y < h; y++)
		for (int x = 0; x < w; x++) {
			uint8_t v = 0;

			for (int k = y - r; k <= y + r && !v; k++)
				v = k >= 0 && k < h && t[(size_t)k * w + x];
			m[(size_t)y * w + x] = v;
		}
	free(t);
	return 0;
}

/* Whether two pixels have the same value (bits above the depth ignored). */
static inline uint8_t same(uint16_t a, uint16_t b, uint32_t mask)
{
	return ((a ^ b) & mask) == 0;
}

/*
 * 1 where the 3 x 3 neighbourhood of interior pixel (x, y) of @p is one value, else 0.
 * Separably, so that the loops vectorise: each row's three around x are one value
 * (@tmp), and the middle column's three are too.
 */
static void flat3(const uint16_t *p, int w, int h, uint32_t mask, uint8_t *out, uint8_t *tmp)
{
	memset(out, 0, (size_t)w * h);
	for (int y = 0; y < h; y++) {
		const uint16_t *c = p + (size_t)y * w;
		uint8_t *t = tmp + (size_t)y * w;

		for (int x = 1; x < w - 1; x++)
			t[x] = same(c[x - 1], c[x], mask) & same(c[x + 1], c[x], mask);
	}
	for (int y = 1; y < h - 1; y++) {
		const uint16_t *c = p + (size_t)y * w;
		const uint8_t *t = tmp + (size_t)y * w;
		uint8_t *o = out + (size_t)y * w;

		for (int x = 1; x < w - 1; x++)
			o[x] = t[x - w] & t[x] & t[x + w] & same(c[x - w], c[x], mask) &
			       same(c[x + w], c[x], mask);
	}
}

/* 1 where the 3 x 3 neighbourhood of interior pixel (x, y) of @f is all 1 (a separable
 * minimum through @tmp), else 0. */
static void all3(const uint8_t *f, int w, int h, uint8_t *out, uint8_t *tmp)
{
	memset(out, 0, (size_t)w * h);
	for (int y = 0; y < h; y++) {
		const uint8_t *a = f + (size_t)y * w;
		uint8_t *t = tmp + (size_t)y * w;

		for (int x = 1; x < w - 1; x++)
			t[x] = a[x - 1] & a[x] & a[x + 1];
	}
	for (int y = 1; y < h - 1; y++) {
		const uint8_t *t = tmp + (size_t)y * w;
		uint8_t *o = out + (size_t)y * w;

		for (int x = 1; x < w - 1; x++)
			o[x] = t[x - w] & t[x] & t[x + w];
	}
}

int auto_mask(const struct dsr_image *im, const uint8_t *user, uint8_t **out, size_t *masked)
{
	int w = (int)im->width, h = (int)im->height;
	size_t n = (size_t)w * h, count = 0;
	uint32_t bits = im->bits >= 1 && im->bits <= 16 ? im->bits : 16;
	uint32_t mask = bits >= 16 ? 0xffffu : (1u << bits) - 1;
	uint8_t *f = malloc(n), *core = malloc(n), *clip = malloc(n);
	int rc = -1;

	*out = NULL;
	if (!f || !core || !clip) {
		dsr_seterr("registration: out of memory for the automatic mask");
		goto done;
	}
	flat3(im->pixels, w, h, mask, f, clip);	/* clip: scratch until it is computed */
	/* the fill's core: flat 3 x 3 all around, i.e. a constant 5 x 5 */
	all3(f, w, h, core, clip);
	size_t ncore = 0, nclip = 0;

	for (size_t i = 0; i < n; i++) {
		uint32_t v = im->pixels[i] & mask;

		clip[i] = v == 0 || v == mask;
		nclip += clip[i];
		ncore += core[i];
	}
	/* growing costs two passes of 2r + 1 reads a pixel: only when there is something */
	if ((ncore && grow(core, w, h, 2 + FILL_MARGIN)) || (nclip && grow(clip, w, h, CLIP_MARGIN)))
		goto done;
	for (size_t i = 0; i < n; i++) {
		core[i] = core[i] || clip[i] || (user && user[i]);
		count += core[i];
	}
	*masked = count;
	*out = core;
	core = NULL;
	rc = 0;
done:
	free(f);
	free(core);
	free(clip);
	return rc;
}
