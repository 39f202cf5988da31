/*
 * mkdata.c - the guest suites' test data, made on the host before the initramfs:
 *   ref.png            a 12-bit reference frame (smooth anatomy-like grey levels, an
 *                      edge-rich disc, per-pixel noise), WxH
 *   live-K.png         K = 0..3: the same scene seen through a small rotation and shift
 *                      with an exposure change, different noise: live frames to play
 *   live-small.png     a live frame of half the size (the board must refuse it)
 *   params.json        "registers" for subtraction at live-0's transform (quantised by
 *                      the model), gain 1.25, midgrey half range, in the format
 *                      `dsr upload` reads
 *   params-warp.json   the same in warp mode
 *   params-shift.json  subtraction with live-0's shift only (no rotation)
 *   params-lut.json    the same with a contrast LUT (alignment.h's "lut" entries)
 *   params-bad.json    a frame larger than any board (dsr upload must refuse it)
 * Deterministic: the same files on every machine.
 * usage: mkdata OUTDIR [WIDTH HEIGHT]
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "dsr/error.h"
#include "dsr/image.h"
#include "dsr/model.h"

#define BITS 12

/* A repeatable per-pixel noise value in [0, 63]. */
static unsigned noise(uint32_t x, uint32_t y, uint32_t seed)
{
	uint32_t h = x * 0x9e3779b1u ^ (y + 0x7f4a7c15u) * 0x85ebca6bu ^ seed * 0xc2b2ae35u;

	h ^= h >> 15;
	h *= 0x2c1b3c6du;
	h ^= h >> 12;
	return h & 63;
}

/* The scene at reference position (u, v), before noise and exposure. */
static double scene(double u, double v)
{
	double g = 1500 + 500 * sin(u * 0.11) + 400 * cos(v * 0.07) + 300 * sin((u + v) * 0.05);

	if ((u - 40) * (u - 40) + (v - 70) * (v - 70) < 15 * 15)
		g += 900;
	return g;
}

/* Render the scene through live->reference transform @a with @gain and noise @seed. */
static struct dsr_image *render(uint32_t w, uint32_t h, const struct dsr_affine *a,
				double gain, uint32_t seed)
{
	struct dsr_image *im = dsr_image_new(w, h, BITS);

	if (!im)
		return NULL;
	for (uint32_t y = 0; y < h; y++)
		for (uint32_t x = 0; x < w; x++) {
			double u = a->a11 * x + a->a12 * y + a->tx, v = a->a21 * x + a->a22 * y + a->ty;
			double g = scene(u, v) * gain + noise(x, y, seed);

			dsr_image_row(im, y)[x] = (uint16_t)(g < 0 ? 0 : g > 4095 ? 4095 : g);
		}
	return im;
}

/* A live->reference transform: rotation @deg about the origin, then a shift. */
static struct dsr_affine transform(double deg, double tx, double ty)
{
	double c = cos(deg * M_PI / 180), s = sin(deg * M_PI / 180);

	return (struct dsr_affine){ c, -s, tx, s, c, ty };
}

/* A parameter file in `dsr upload`'s format. */
static int write_params(const char *path, const struct dsr_params *p)
{
	FILE *f = fopen(path, "w");

	if (!f)
		return -1;
	fprintf(f, "{\n  \"registers\": {\"mode\": %u, \"width\": %u, \"height\": %u, \"pixel_bits\": %u,\n"
		   "    \"a11\": %d, \"a12\": %d, \"a21\": %d, \"a22\": %d, \"tx\": %d, \"ty\": %d,\n"
		   "    \"gain\": %u, \"midgrey\": %u}\n}\n", p->mode, p->width, p->height,
		p->pixel_bits, p->a11, p->a12, p->a21, p->a22, p->tx, p->ty, p->gain, p->midgrey);
	return fclose(f);
}

/* The shift-only set with a contrast LUT (a gamma-like curve, 2^BITS entries), in
 * alignment.h's form: exercises the LUT's way to the board. */
static int write_params_lut(const char *path, const struct dsr_params *p)
{
	FILE *f = fopen(path, "w");
	uint32_t levels = 1u << p->pixel_bits;

	if (!f)
		return -1;
	fprintf(f, "{\n  \"registers\": {\"mode\": %u, \"width\": %u, \"height\": %u, \"pixel_bits\": %u,\n"
		   "    \"a11\": %d, \"a12\": %d, \"a21\": %d, \"a22\": %d, \"tx\": %d, \"ty\": %d,\n"
		   "    \"gain\": %u, \"midgrey\": %u},\n  \"lut\": {\"kind\": \"histogram\", \"entries\": [",
		p->mode, p->width, p->height, p->pixel_bits, p->a11, p->a12, p->a21, p->a22, p->tx,
		p->ty, p->gain, p->midgrey);
	for (uint32_t i = 0; i < levels; i++)
		fprintf(f, "%s%u", i ? "," : "",
			(uint32_t)(pow(i / (double)(levels - 1), 0.8) * (levels - 1) + 0.5));
	fprintf(f, "]}\n}\n");
	return fclose(f);
}

int main(int argc, char **argv)
{
	uint32_t w = argc > 3 ? (uint32_t)atoi(argv[2]) : 128, h = argc > 3 ? (uint32_t)atoi(argv[3]) : 128;
	struct dsr_affine id = transform(0, 0, 0), live_t[4] = {
		transform(1.5, 2.25, -1.5), transform(-0.8, -1.75, 0.5),
		transform(0.3, 0.6, 1.2), transform(2.0, -2.5, -2.0),
	};
	struct dsr_params p;
	char path[4096];

	if (argc != 2 && argc != 4) {
		fprintf(stderr, "usage: mkdata OUTDIR [WIDTH HEIGHT]\n");
		return 2;
	}
	struct dsr_image *ref = render(w, h, &id, 1.0, 1);

	snprintf(path, sizeof(path), "%s/ref.png", argv[1]);
	if (!ref || dsr_image_save(ref, path))
		goto fail;
	dsr_image_free(ref);
	for (int k = 0; k < 4; k++) {
		struct dsr_image *live = render(w, h, &live_t[k], 0.9 + 0.05 * k, 2 + k);

		snprintf(path, sizeof(path), "%s/live-%d.png", argv[1], k);
		if (!live || dsr_image_save(live, path))
			goto fail;
		dsr_image_free(live);
	}
	struct dsr_image *small = render(w / 2, h / 2, &id, 1.0, 9);

	snprintf(path, sizeof(path), "%s/live-small.png", argv[1]);
	if (!small || dsr_image_save(small, path))
		goto fail;
	dsr_image_free(small);
	dsr_params_default(&p, w, h, BITS);
	p.gain = 320;
	if (dsr_params_set_affine(&p, &live_t[0]))
		goto fail;
	snprintf(path, sizeof(path), "%s/params.json", argv[1]);
	if (write_params(path, &p))
		goto fail;
	p.mode = DSR_MODE_WARP;
	snprintf(path, sizeof(path), "%s/params-warp.json", argv[1]);
	if (write_params(path, &p))
		goto fail;
	p.mode = DSR_MODE_SUBTRACT;
	p.a11 = p.a22 = 1 << DSR_A_FRAC_BITS;
	p.a12 = p.a21 = 0;
	snprintf(path, sizeof(path), "%s/params-shift.json", argv[1]);
	if (write_params(path, &p))
		goto fail;
	snprintf(path, sizeof(path), "%s/params-lut.json", argv[1]);
	if (write_params_lut(path, &p))
		goto fail;
	p.width = DSR_WIDTH_MAX + 1;
	snprintf(path, sizeof(path), "%s/params-bad.json", argv[1]);
	if (write_params(path, &p))
		goto fail;
	printf("mkdata: %ux%u %d-bit reference, 4 live frames, parameter files in %s\n", w, h, BITS, argv[1]);
	return 0;
fail:
	fprintf(stderr, "mkdata: %s: %s\n", path, dsr_error());
	return 1;
}
