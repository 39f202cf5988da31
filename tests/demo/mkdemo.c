/*
 * mkdemo.c - the demo's patient: a baseline radiograph and a follow-up from libdsr's
 * phantom (sample.h), with the truth the demo compares against.
 *
 *   OUTDIR/reference.png  the baseline visit: identity geometry, baseline exposure
 *   OUTDIR/live.png       the follow-up: the sensor placed a little differently
 *                         (rotation, scale, shift), a different exposure, and a small
 *                         lesion of mineral loss in the bone
 *   OUTDIR/truth.json     "affine" (live -> reference, the project's JSON order),
 *                         "lesion" [x, y, radius] in reference pixels, "loss",
 *                         "exposure" {gain, gamma}
 *
 * Deterministic: the same files on every machine.
 * usage: mkdemo OUTDIR [WIDTH HEIGHT]
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "dsr/error.h"
#include "dsr/image.h"
#include "dsr/sample.h"

#define BITS 12
#define SEED 2026

/* The follow-up's placement: rotation @deg about the frame centre, scale @s, then a
 * shift, expressed as the live -> reference map. */
static struct dsr_affine placement(uint32_t w, uint32_t h, double deg, double s, double dx,
				   double dy)
{
	double c = s * cos(deg * M_PI / 180), n = s * sin(deg * M_PI / 180);
	double cx = (w - 1) / 2.0, cy = (h - 1) / 2.0;
	struct dsr_affine a = { c, -n, 0, n, c, 0 };

	a.tx = cx - c * cx + n * cy + dx;
	a.ty = cy - n * cx - c * cy + dy;
	return a;
}

/* truth.json: what registration should find and where the lesion is. */
static int write_truth(const char *path, const struct dsr_affine *a, const struct dsr_lesion *l,
		       const struct dsr_exposure *e)
{
	FILE *f = fopen(path, "w");

	if (!f)
		return dsr_seterr("%s: cannot write", path);
	fprintf(f, "{\n  \"affine\": [%.9f, %.9f, %.6f, %.9f, %.9f, %.6f],\n"
		   "  \"lesion\": [%.3f, %.3f, %.3f],\n  \"loss\": %.3f,\n"
		   "  \"exposure\": {\"gain\": %.3f, \"gamma\": %.3f}\n}\n",
		a->a11, a->a12, a->tx, a->a21, a->a22, a->ty, l->x, l->y, l->radius, l->loss,
		e->gain, e->gamma);
	return fclose(f) == 0 ? 0 : dsr_seterr("%s: write failed", path);
}

int main(int argc, char **argv)
{
	uint32_t w = argc == 4 ? (uint32_t)atoi(argv[2]) : 512;
	uint32_t h = argc == 4 ? (uint32_t)atoi(argv[3]) : 384;
	char path[4096];
	struct dsr_exposure base, follow;
	struct dsr_image *ref = NULL, *live = NULL;
	int rc = 1;

	if ((argc != 2 && argc != 4) || w < 64 || h < 64 || w > 4096 || h > 4096) {
		fprintf(stderr, "usage: mkdemo OUTDIR [WIDTH HEIGHT]   (64..4096)\n");
		return 2;
	}
	struct dsr_phantom *ph = dsr_phantom_new(w, h, SEED);
	if (!ph)
		goto out;
	struct dsr_affine a = placement(w, h, 2.5, 1.01, 0.025 * w, -0.02 * h);
	struct dsr_lesion lesion = { 0.58 * w, 0.47 * h, w / 24.0, 0.08 };
	dsr_exposure_default(&base);
	follow = base;
	follow.gain = 1.08;
	follow.gamma = 0.92;
	ref = dsr_phantom_render(ph, NULL, &base, NULL, BITS, SEED + 1);
	live = dsr_phantom_render(ph, &a, &follow, &lesion, BITS, SEED + 2);
	if (!ref || !live)
		goto out;
	snprintf(path, sizeof(path), "%s/reference.png", argv[1]);
	if (dsr_image_save(ref, path))
		goto out;
	snprintf(path, sizeof(path), "%s/live.png", argv[1]);
	if (dsr_image_save(live, path))
		goto out;
	snprintf(path, sizeof(path), "%s/truth.json", argv[1]);
	if (write_truth(path, &a, &lesion, &follow))
		goto out;
	printf("mkdemo: %ux%u %d-bit baseline and follow-up (rotation 2.5 deg, scale 1.01, "
	       "lesion r %.1f px, %.0f %% loss) in %s\n", w, h, BITS, lesion.radius,
	       lesion.loss * 100, argv[1]);
	rc = 0;
out:
	if (rc)
		fprintf(stderr, "mkdemo: %s\n", dsr_error());
	dsr_image_free(ref);
	dsr_image_free(live);
	dsr_phantom_free(ph);
	return rc;
}
