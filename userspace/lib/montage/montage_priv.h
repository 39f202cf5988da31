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

int font_draw(struct dsr_image *im, int x, int y, int scale, uint16_t value, const char *text);

#endif /* DSR_MONTAGE_PRIV_H */
