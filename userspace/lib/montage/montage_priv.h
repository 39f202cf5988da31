/*
 * montage_priv.h - the montage's bitmap font.
 */
#ifndef DSR_MONTAGE_PRIV_H
#define DSR_MONTAGE_PRIV_H

#include <stdint.h>

#include "dsr/image.h"

#define FONT_WIDTH	5
#define FONT_HEIGHT	7
#define FONT_ADVANCE	6	/* columns per character, gap included */

/* Layout of the montage (montage.c), shared with its test. */
#define TILE_MAX	512	/* largest tile side, display pixels */
#define MARGIN		12
#define TEXT_SCALE	2
#define LABEL_H		(FONT_HEIGHT * TEXT_SCALE + 10)
#define BACKGROUND	40
#define TEXT_GREY	235
#define CHECKS		8	/* checkerboard squares along the longer side */

enum montage_tile {
	TILE_REFERENCE, TILE_LIVE, TILE_ALIGNED, TILE_DIFFERENCE, TILE_CHECKER, TILE_TEXT
};

/* Reduction factor, column width and tile size for a w x h frame; the top-left corner
 * of a tile's label (the picture starts LABEL_H lower). */
struct montage_layout {
	int f, tw, th, cw;
	uint32_t width, height;
};
void montage_layout(uint32_t w, uint32_t h, struct montage_layout *l);
void montage_tile_origin(const struct montage_layout *l, enum montage_tile t, int *x, int *y);

int font_draw(struct dsr_image *im, int x, int y, int scale, uint16_t value, const char *text);

#endif /* DSR_MONTAGE_PRIV_H */
