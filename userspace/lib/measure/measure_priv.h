/*
 * measure_priv.h - what measure.c and overlay.c share.
 */
#ifndef DSR_MEASURE_PRIV_H
#define DSR_MEASURE_PRIV_H

#include <stddef.h>

#include "dsr/measure.h"

/*
 * The noise variance of difference pixel @i in follow-up grey levels:
 * sigma_live^2 + slope^2 sigma_ref^2, the sigmas taken at the pixel's level when @c has
 * noise models (the reference's at the level the contrast fit maps it to), else @c's
 * constants.
 */
double measure_var_diff(const struct dsr_measure_ctx *c, size_t i);

#endif /* DSR_MEASURE_PRIV_H */
