/*
 * image.h - grey images in memory and on disk.
 *
 * Every image in libdsr is unsigned 16-bit grey, row-major, with `bits` significant
 * bits (8..16). Files: PNG and TIFF (8/16-bit grey), PGM (P2/P5), DICOM (reading grey
 * images; see dicom.h for writing). The format is chosen by content when loading and by
 * extension when saving. Loaders treat files as untrusted.
 */
#ifndef DSR_IMAGE_H
#define DSR_IMAGE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * The memory budget. Images larger than this in either dimension, or in pixels, are
 * refused from their header, before anything is decoded: 32 Mpixel (e.g. 8192 x 4096,
 * four times a panoramic radiograph) keeps a pair's registration and subtraction within
 * about 2 GiB (docs/architecture.md, "Memory"). A file's whole decoded pixel data
 * (every frame of a multi-frame DICOM) is bounded by DSR_DECODE_BUDGET.
 */
#define DSR_IMAGE_MAX_DIM	32768u
#define DSR_IMAGE_MAX_PIXELS	(1u << 25)
#define DSR_DECODE_BUDGET	(512u << 20)

struct dsr_image {
	uint32_t width, height;
	uint32_t bits;		/* significant bits, 8..16 */
	uint16_t *pixels;	/* width * height, row-major */
};

/* A zeroed image, or NULL (dsr_error()) if the size is out of range or memory ran out. */
struct dsr_image *dsr_image_new(uint32_t width, uint32_t height, uint32_t bits);
struct dsr_image *dsr_image_copy(const struct dsr_image *im);
void dsr_image_free(struct dsr_image *im);

static inline uint16_t *dsr_image_row(const struct dsr_image *im, uint32_t y)
{
	return im->pixels + (size_t)y * im->width;
}

/* Load PNG / TIFF / PGM / DICOM, recognised by their first bytes (DICOM's "DICM" at
 * byte 128 first: its preamble may begin like anything else). NULL on failure. */
struct dsr_image *dsr_image_load(const char *path);
/* The same, choosing frame @frame (0-based) of a multi-frame DICOM; -1 as
 * dsr_image_load (a multi-frame file is refused). Other formats have frame 0 only. */
struct dsr_image *dsr_image_load_frame(const char *path, long frame);
/* Save by extension: .png (16-bit if bits > 8), .tif/.tiff, .pgm. -1 on failure.
 * Writes to a temporary file and renames it, so an existing file is never left
 * half-written. */
int dsr_image_save(const struct dsr_image *im, const char *path);

#ifdef __cplusplus
}
#endif

#endif /* DSR_IMAGE_H */
