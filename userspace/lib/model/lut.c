/*
 * lut.c - the contrast-matching LUT's identity, the LUT every parameter set starts
 * with and the one a NULL LUT stands for.
 */
#include "model_priv.h"

/* lut[i] = i masked to pixel_bits, for every one of the DSR_LUT_SIZE entries, so that
 * the identity is also well defined for indices the masked pixels never reach. */
void dsr_lut_identity(uint16_t *lut, uint32_t pixel_bits)
{
	uint32_t mask = dsr_pixel_mask(pixel_bits);

	for (uint32_t i = 0; i < DSR_LUT_SIZE; i++)
		lut[i] = (uint16_t)(i & mask);
}
