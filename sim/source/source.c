/*
 * source.c - see source.h.
 */
#include "source.h"

#include <stdlib.h>
#include <string.h>

#include "dsr/error.h"
#include "dsr/image.h"
#include "../log.h"

struct source {
	int phantom;
	uint64_t seed;
	/* files */
	struct dsr_image **images;
	int nimages, next;
	/* phantom: the live frame at the last size asked for */
	struct dsr_image *live;
	/* the size last refused, so the refusal is logged once */
	uint32_t refused_w, refused_h;
};

void source_phantom_truth(uint32_t width, uint32_t height, struct dsr_affine *live_to_ref,
			  struct dsr_exposure *exposure, struct dsr_lesion *lesion)
{
	/* 1.5 degrees of rotation, 1% scale and a few pixels of shift about the centre. */
	const double c = 0.99966 * 1.01, s = 0.02618 * 1.01;
	double cx = width / 2.0, cy = height / 2.0;

	live_to_ref->a11 = c;
	live_to_ref->a12 = -s;
	live_to_ref->a21 = s;
	live_to_ref->a22 = c;
	live_to_ref->tx = cx - c * cx + s * cy + 3.25;
	live_to_ref->ty = cy - s * cx - c * cy - 2.5;
	memset(exposure, 0, sizeof(*exposure));
	exposure->gamma = 1;
	exposure->noise = 1;
	exposure->gain = 1.05;
	exposure->offset = 0.01;
	lesion->x = width * 0.6;
	lesion->y = height * 0.45;
	lesion->radius = width / 20.0 > 2 ? width / 20.0 : 2;
	lesion->loss = 0.08;
}

#if SIM_HAVE_PHANTOM
struct dsr_image *source_phantom_render(uint64_t seed, uint32_t width, uint32_t height,
					uint32_t bits, int live)
{
	struct dsr_phantom *ph = dsr_phantom_new(width, height, seed);
	struct dsr_affine a;
	struct dsr_exposure e;
	struct dsr_lesion l;
	struct dsr_image *im;

	if (!ph)
		return NULL;
	source_phantom_truth(width, height, &a, &e, &l);
	if (live)
		im = dsr_phantom_render(ph, &a, &e, &l, bits, seed + 2);
	else
		im = dsr_phantom_render(ph, NULL, NULL, NULL, bits, seed + 1);
	dsr_phantom_free(ph);
	return im;
}
#else
/* This libdsr has no phantom generator (lib/sample): say so instead of playing. */
struct dsr_image *source_phantom_render(uint64_t seed, uint32_t width, uint32_t height,
					uint32_t bits, int live)
{
	(void)seed;
	(void)width;
	(void)height;
	(void)bits;
	(void)live;
	dsr_seterr("this build of libdsr has no phantom generator (userspace/lib/sample)");
	return NULL;
}
#endif

/* The phantom is rendered lazily at the board's size on first use. */
struct source *source_phantom_new(uint64_t seed)
{
	struct source *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->phantom = 1;
	s->seed = seed;
	return s;
}

struct source *source_files_new(char *const *paths, int n)
{
	struct source *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->images = calloc((size_t)n, sizeof(*s->images));
	if (!s->images) {
		free(s);
		return NULL;
	}
	for (int i = 0; i < n; i++) {
		s->images[i] = dsr_image_load(paths[i]);
		if (!s->images[i]) {
			sim_log("--live %s: %s", paths[i], dsr_error());
			s->nimages = i;
			source_free(s);
			return NULL;
		}
		s->nimages = i + 1;
	}
	return s;
}

/* Images, phantom render and the source itself. */
void source_free(struct source *s)
{
	if (!s)
		return;
	for (int i = 0; i < s->nimages; i++)
		dsr_image_free(s->images[i]);
	free(s->images);
	dsr_image_free(s->live);
	free(s);
}

/* Log once that the source cannot play at the board's size. */
static const uint16_t *refuse(struct source *s, uint32_t w, uint32_t h, const char *what)
{
	if (s->refused_w != w || s->refused_h != h)
		sim_log("frame source: %s does not match the board's %ux%u: nothing played",
			what, w, h);
	s->refused_w = w;
	s->refused_h = h;
	return NULL;
}

const uint16_t *source_next(struct source *s, uint32_t width, uint32_t height, uint32_t bits)
{
	if (s->phantom) {
		if (!s->live || s->live->width != width || s->live->height != height ||
		    s->live->bits != bits) {
			dsr_image_free(s->live);
			s->live = source_phantom_render(s->seed, width, height, bits, 1);
			if (!s->live)
				return refuse(s, width, height, dsr_error());
		}
		return s->live->pixels;
	}
	for (int tries = 0; tries < s->nimages; tries++) {
		struct dsr_image *im = s->images[s->next];

		s->next = (s->next + 1) % s->nimages;
		if (im->width == width && im->height == height)
			return im->pixels;
	}
	return refuse(s, width, height, "no --live image");
}
