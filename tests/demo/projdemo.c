/*
 * projdemo.c - the demo's projective pair: the follow-up taken with the beam angulated by
 * a few degrees (libdsr's phantom, a point-source projection of the tilted plane), then
 * registered and subtracted twice through the C model of the board: with the affine
 * model only, and with the projective one. Prints the registration error against the
 * truth and the residual of each difference, and writes both differences side by side.
 *
 *   OUTDIR/projective-pair.png        the two differences, affine-only left, projective
 *                                     right, contrast stretched around "no change"
 *   OUTDIR/projective-reference.png, projective-live.png   the pair
 *
 * Deterministic. usage: projdemo OUTDIR [WIDTH HEIGHT]
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dsr/contrast.h"
#include "dsr/error.h"
#include "dsr/image.h"
#include "dsr/model.h"
#include "dsr/register.h"
#include "dsr/sample.h"

#define BITS 12
#define GAP 8

/* RMS over the frame of the distance between where two homographies send a pixel. */
static double h_rms(const struct dsr_homography *a, const struct dsr_homography *b,
		    uint32_t w, uint32_t h)
{
	double ss = 0;

	for (uint32_t y = 0; y < h; y++)
		for (uint32_t x = 0; x < w; x++) {
			const double *p = a->h, *q = b->h;
			double wp = p[6] * x + p[7] * y + p[8], wq = q[6] * x + q[7] * y + q[8];
			double du = (p[0] * x + p[1] * y + p[2]) / wp - (q[0] * x + q[1] * y + q[2]) / wq;
			double dv = (p[3] * x + p[4] * y + p[5]) / wp - (q[3] * x + q[4] * y + q[5]) / wq;

			ss += du * du + dv * dv;
		}
	return sqrt(ss / ((double)w * h));
}

/* Register with @m, quantise, build the LUT, subtract through the model. */
static int subtract(const struct dsr_image *ref, const struct dsr_image *live, enum dsr_motion m,
		    struct dsr_register_result *r, struct dsr_image **diff)
{
	struct dsr_register_opts o;
	struct dsr_params p;
	static uint16_t lut[DSR_LUT_SIZE];
	struct dsr_contrast_info ci;

	dsr_register_opts_default(&o);
	o.motion = m;
	if (dsr_register_pair(ref, live, &o, r))
		return -1;
	dsr_params_default(&p, live->width, live->height, BITS);
	if (r->projective ? dsr_params_set_homography(&p, &r->homography)
			  : dsr_params_set_affine(&p, &r->affine))
		return -1;
	if (dsr_contrast_lut_h(ref, live, &r->homography, NULL, DSR_LUT_HISTOGRAM, BITS, lut, &ci))
		return -1;
	*diff = dsr_image_new(live->width, live->height, BITS);
	if (!*diff)
		return -1;
	dsr_model_frame(&p, lut, ref->pixels, live->pixels, (*diff)->pixels);
	return 0;
}

/* RMS of the difference from "no change" (midgrey), inside a 6 % margin (where both
 * frames see the anatomy) and away from the lesion. */
static double residual(const struct dsr_image *d, const struct dsr_lesion *l)
{
	uint32_t mx = d->width * 6 / 100, my = d->height * 6 / 100, mid = 1u << (BITS - 1);
	double ss = 0, n = 0;

	for (uint32_t y = my; y < d->height - my; y++)
		for (uint32_t x = mx; x < d->width - mx; x++) {
			double e = (double)d->pixels[(size_t)y * d->width + x] - mid;

			if (hypot(x - l->x, y - l->y) < 3 * l->radius)
				continue;
			ss += e * e;
			n += 1;
		}
	return sqrt(ss / n);
}

int main(int argc, char **argv)
{
	uint32_t w = argc == 4 ? (uint32_t)atoi(argv[2]) : 512;
	uint32_t h = argc == 4 ? (uint32_t)atoi(argv[3]) : 384;
	double cx = (w - 1) / 2.0, cy = (h - 1) / 2.0, th = 2 * M_PI / 180;
	double focal = 3750.0 * (w > h ? w : h) / 512;	/* 300 mm, pixels 512/4096 of 80 um */
	struct dsr_affine a = { cos(th), -sin(th), 0, sin(th), cos(th), 0 };
	struct dsr_lesion les = { 0.62 * w, 0.55 * h, 7, 0.08 };
	struct dsr_exposure e;
	struct dsr_homography truth;
	struct dsr_register_result r[2];
	struct dsr_image *ref, *live, *diff[2] = { NULL, NULL }, *pair;
	const enum dsr_motion models[2] = { DSR_MOTION_AFFINE, DSR_MOTION_PROJECTIVE };
	double err[2], res[2];
	char path[4096], pair_path[4096];

	if (argc != 2 && argc != 4) {
		fprintf(stderr, "usage: projdemo OUTDIR [WIDTH HEIGHT]\n");
		return 2;
	}
	a.tx = cx - a.a11 * cx - a.a12 * cy + 6.0;
	a.ty = cy - a.a21 * cx - a.a22 * cy - 4.0;
	struct dsr_phantom *ph = dsr_phantom_new(w, h, 4711);

	dsr_exposure_default(&e);
	ref = ph ? dsr_phantom_render(ph, NULL, &e, NULL, BITS, 1) : NULL;
	e.gain = 1.1;
	if (!ref || dsr_beam_angulation(w, h, 4.0, -3.0, focal, &a, &truth))
		goto fail;
	live = dsr_phantom_render_h(ph, &truth, &e, &les, BITS, 2);
	if (!live)
		goto fail;
	for (int k = 0; k < 2; k++) {
		if (subtract(ref, live, models[k], &r[k], &diff[k]))
			goto fail;
		err[k] = h_rms(&truth, &r[k].homography, w, h);
		res[k] = residual(diff[k], &les);
	}
	/* side by side, stretched: midgrey +- 6 x the projective residual to black / white */
	pair = dsr_image_new(2 * w + GAP, h, 8);
	if (!pair)
		goto fail;
	for (uint32_t y = 0; y < h; y++)
		for (uint32_t x = 0; x < 2 * w + GAP; x++) {
			int k = x >= w + GAP, in = x < w || k;
			double v = in ? diff[k]->pixels[(size_t)y * w + (k ? x - w - GAP : x)] : 0;
			double s = 127.5 + 127.5 * (v - (1u << (BITS - 1))) / (6 * res[1]);

			pair->pixels[(size_t)y * pair->width + x] =
				(uint16_t)(!in ? 255 : s < 0 ? 0 : s > 255 ? 255 : lrint(s));
		}
	snprintf(pair_path, sizeof(pair_path), "%s/projective-pair.png", argv[1]);
	if (dsr_image_save(pair, pair_path))
		goto fail;
	snprintf(path, sizeof(path), "%s/projective-reference.png", argv[1]);
	if (dsr_image_save(ref, path))
		goto fail;
	snprintf(path, sizeof(path), "%s/projective-live.png", argv[1]);
	if (dsr_image_save(live, path))
		goto fail;
	printf("projective pair %ux%u: beam angulated 4.0 / -3.0 deg (h31*4096 %.3f, h32*4096 %.3f)\n",
	       w, h, truth.h[6] * 4096, truth.h[7] * 4096);
	printf("  %-12s registration error %.3f px RMS, residual %.1f grey levels RMS\n",
	       "affine only", err[0], res[0]);
	printf("  %-12s registration error %.3f px RMS, residual %.1f grey levels RMS\n",
	       "projective", err[1], res[1]);
	printf("  (%s: affine-only difference left, projective right)\n", pair_path);
	return err[1] < err[0] && res[1] < res[0] ? 0 : 1;
fail:
	fprintf(stderr, "projdemo: %s\n", dsr_error());
	return 1;
}
