/*
 * test_montage.c - the montage shows each frame in its tile with the promised windows:
 * the checkerboard alternates aligned reference and live, the difference puts midgrey
 * at display grey 128, labels and caption are drawn, big frames are reduced.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/testutil.h"
#include "dsr/error.h"
#include "dsr/montage.h"
#include "montage/montage_priv.h"

#define W 256
#define H 192
#define MID 2048

/* Display pixel of tile @t at picture position (x, y). */
static uint16_t at(const struct dsr_image *m, const struct montage_layout *l, enum montage_tile t,
		   int x, int y)
{
	int ox, oy;

	montage_tile_origin(l, t, &ox, &oy);
	return m->pixels[(size_t)(oy + LABEL_H + y) * m->width + ox + x];
}

/* Does the label strip (or text panel) of tile @t contain text-coloured pixels? */
static int has_text(const struct dsr_image *m, const struct montage_layout *l, enum montage_tile t,
		    int rows)
{
	int ox, oy, n = 0;

	montage_tile_origin(l, t, &ox, &oy);
	for (int y = oy; y < oy + rows && y < (int)m->height; y++)
		for (int x = ox; x < ox + l->cw; x++)
			n += m->pixels[(size_t)y * m->width + x] == TEXT_GREY;
	return n > 20;
}

static struct dsr_image *filled(uint32_t w, uint32_t h, uint16_t v)
{
	struct dsr_image *im = dsr_image_new(w, h, 12);

	assert_non_null(im);
	for (size_t i = 0; i < (size_t)w * h; i++)
		im->pixels[i] = v;
	return im;
}

static void test_tiles(void **state)
{
	struct dsr_image *ref = filled(W, H, 0), *live = filled(W, H, 0);
	struct dsr_image *aligned = filled(W, H, 0), *diff = filled(W, H, MID);
	struct montage_layout l;

	(void)state;
	/* horizontal ramps 1000..3550 in both; aligned is the live ramp shifted up by a
	 * quarter so that checkerboard halves can be told apart */
	for (int y = 0; y < H; y++)
		for (int x = 0; x < W; x++) {
			ref->pixels[y * W + x] = (uint16_t)(1000 + 10 * x);
			live->pixels[y * W + x] = (uint16_t)(1000 + 10 * x);
			aligned->pixels[y * W + x] = (uint16_t)(1000 + 10 * ((x + 64) % W));
		}
	for (int y = 90; y < 110; y++)	/* a change of -100 grey levels */
		for (int x = 100; x < 120; x++)
			diff->pixels[y * W + x] = MID - 100;
	struct dsr_image *m = dsr_montage(ref, live, aligned, diff, MID, "QUALITY 0.99\nLINE TWO");

	assert_non_null(m);
	montage_layout(W, H, &l);
	assert_int_equal(l.f, 1);
	assert_int_equal(m->width, l.width);
	assert_int_equal(m->height, l.height);
	assert_int_equal(m->bits, 8);
	/* the ramp spans the window: dark on the left, bright on the right, monotone */
	assert_true(at(m, &l, TILE_REFERENCE, 2, 50) < 10);
	assert_true(at(m, &l, TILE_REFERENCE, W - 3, 50) > 245);
	for (int x = 1; x < W; x++)
		assert_true(at(m, &l, TILE_LIVE, x, 10) >= at(m, &l, TILE_LIVE, x - 1, 10));
	/* checkerboard: square (0,0) aligned, square (1,0) live, square (1,1) aligned */
	int sq = W / CHECKS;

	assert_int_equal(at(m, &l, TILE_CHECKER, 5, 5), at(m, &l, TILE_ALIGNED, 5, 5));
	assert_int_equal(at(m, &l, TILE_CHECKER, sq + 5, 5), at(m, &l, TILE_LIVE, sq + 5, 5));
	assert_int_equal(at(m, &l, TILE_CHECKER, sq + 5, sq + 5), at(m, &l, TILE_ALIGNED, sq + 5, sq + 5));
	assert_true(at(m, &l, TILE_ALIGNED, 5, 5) != at(m, &l, TILE_LIVE, 5, 5));
	/* difference: no change is mid-grey, the change is dark */
	assert_int_equal(at(m, &l, TILE_DIFFERENCE, 10, 10), 128);
	assert_true(at(m, &l, TILE_DIFFERENCE, 110, 100) < 20);
	/* labels on every picture tile, two lines of caption in the panel */
	for (int t = TILE_REFERENCE; t <= TILE_CHECKER; t++)
		assert_true(has_text(m, &l, (enum montage_tile)t, LABEL_H));
	assert_true(has_text(m, &l, TILE_TEXT, LABEL_H + 2 * (FONT_HEIGHT * TEXT_SCALE + 6)));
	/* and it is a file a viewer opens */
	assert_int_equal(dsr_image_save(m, t_scratch_path("montage.png")), 0);
	dsr_image_free(m);
	dsr_image_free(ref);
	dsr_image_free(live);
	dsr_image_free(aligned);
	dsr_image_free(diff);
	t_scratch_cleanup();
}

/* A 1536 x 768 frame is reduced by 3 (to at most TILE_MAX); bad input is refused. */
static void test_reduction_and_errors(void **state)
{
	struct dsr_image *a = filled(1536, 768, 100), *b = filled(1536, 768, 200);
	struct dsr_image *small = filled(100, 100, 0);
	struct montage_layout l;

	(void)state;
	montage_layout(1536, 768, &l);
	assert_int_equal(l.f, 3);
	struct dsr_image *m = dsr_montage(a, b, a, b, 150, NULL);

	assert_non_null(m);
	assert_int_equal(m->width, l.width);
	assert_true(l.tw <= TILE_MAX && l.th <= TILE_MAX);
	dsr_image_free(m);
	/* the pair form: the model makes aligned and difference; outside is hatched */
	struct dsr_params p;

	dsr_params_default(&p, 1536, 768, 12);
	p.tx = 700 << DSR_T_FRAC_BITS;	/* the right part of live sees no reference */
	m = dsr_montage_pair(a, b, &p, NULL, "PAIR");
	assert_non_null(m);
	montage_layout(1536, 768, &l);
	/* difference of 200 - 100 where the reference exists: all one grey, left edge */
	uint16_t left = at(m, &l, TILE_DIFFERENCE, 5, 100), right = at(m, &l, TILE_DIFFERENCE, 400, 100);

	assert_true(left != right);
	assert_true(right == BACKGROUND || right == BACKGROUND + 30);
	dsr_image_free(m);
	assert_null(dsr_montage(a, b, small, b, 150, NULL));
	assert_non_null(strstr(dsr_error(), "same size"));
	assert_null(dsr_montage(a, NULL, a, b, 150, NULL));
	dsr_image_free(a);
	dsr_image_free(b);
	dsr_image_free(small);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tiles),
		cmocka_unit_test(test_reduction_and_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
