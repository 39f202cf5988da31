/*
 * source.h - the live frames the board's "sensor" plays when streaming is on.
 *
 * Either image files (PNG/PGM/TIFF/DICOM via libdsr's dsr_image_load, played in order and
 * repeated) or the phantom generator of libdsr (sample.h): a follow-up radiograph with a
 * known transform, exposure change and lesion, so that a host that registers and
 * subtracts it can check what it finds. Frames are rendered once per size and reused.
 */
#ifndef SIM_SOURCE_H
#define SIM_SOURCE_H

#include <stdint.h>

#include "dsr/model.h"
#include "dsr/sample.h"

struct source;

/* The phantom's follow-up: these are what a host should recover. The reference is the
 * phantom rendered with the identity transform, baseline exposure, no lesion, and
 * noise seed = seed + 1; the live frame uses noise seed = seed + 2. */
void source_phantom_truth(uint32_t width, uint32_t height, struct dsr_affine *live_to_ref,
			  struct dsr_exposure *exposure, struct dsr_lesion *lesion);

struct source *source_phantom_new(uint64_t seed);
/* Loads every file now; NULL (logged, naming the file) if one cannot be read. */
struct source *source_files_new(char *const *paths, int n);
void source_free(struct source *s);

/* The next live frame for a board configured for @width x @height at @bits, or NULL
 * (logged once per size) when the source has no frame of that size. */
const uint16_t *source_next(struct source *s, uint32_t width, uint32_t height, uint32_t bits);

/* Render the phantom's reference and live frames as images (for --dump-phantom). */
struct dsr_image *source_phantom_render(uint64_t seed, uint32_t width, uint32_t height,
					uint32_t bits, int live);

#endif /* SIM_SOURCE_H */
