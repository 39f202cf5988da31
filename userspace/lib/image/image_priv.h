/*
 * image_priv.h - the format readers and writers behind dsr_image_load/_save.
 *
 * Readers get an open stream positioned at the start of the file (the dispatcher has
 * already looked at the magic bytes) and the path for messages; they return a new
 * image or NULL with dsr_error() naming the file and the problem. Writers get an image
 * that dsr_image_save has validated (size, bits, every pixel < 2^bits) and a stream to
 * a temporary file; they return 0 or -1 and never close the stream.
 */
#ifndef DSR_IMAGE_PRIV_H
#define DSR_IMAGE_PRIV_H

#include <stdio.h>

#include "dsr/image.h"

struct dsr_image *dsr_png_read(FILE *f, const char *path);
int dsr_png_write(const struct dsr_image *im, FILE *f, const char *path);
/* Packed 8-bit RGB, @width * 3 bytes a row (lib/measure's overlay writes through this). */
int dsr_png_write_rgb(const uint8_t *rgb, uint32_t width, uint32_t height, FILE *f,
		      const char *path);

/* TIFF works on a file descriptor; the reader and writer dup() it, so @fd stays the
 * caller's to close. */
struct dsr_image *dsr_tiff_read(int fd, const char *path);
int dsr_tiff_write(const struct dsr_image *im, int fd, const char *path);

struct dsr_image *dsr_pgm_read(FILE *f, const char *path);
int dsr_pgm_write(const struct dsr_image *im, FILE *f, const char *path);

/* The error for a size outside image.h's limits, in one wording for every format
 * (returns -1 after dsr_seterr). */
int dsr_image_check_size(const char *path, uint64_t width, uint64_t height);

/* Bytes left in @f from its current position, or -1 if it is not a regular file. */
long long dsr_stream_remaining(FILE *f);

#endif /* DSR_IMAGE_PRIV_H */
