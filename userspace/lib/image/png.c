/*
 * png.c - PNG through libpng.
 *
 * Reading: grey at any depth is read as it is; palette and RGB images are converted to
 * luminance (Rec. 709 weights) so that a radiograph exported in colour still loads;
 * an alpha channel is accepted only if every pixel is opaque, because a transparent
 * pixel has no grey value a subtraction could use. A 16-bit grey image with an sBIT
 * chunk of 8..15 bits is shifted back down to those bits (the scaling the writer does).
 *
 * Writing: 8-bit grey for 8-bit images; otherwise 16-bit grey with the values scaled
 * to full range by left shift plus bit replication (what the PNG specification asks
 * for) and an sBIT chunk naming the true depth, so that viewers show the image at
 * normal brightness and dsr_image_load gets the exact values back. dsr_png_write_rgb
 * writes packed 8-bit RGB (the colour overlay of lib/measure) through the same setup.
 *
 * libpng reports errors by longjmp: the callbacks below turn them into dsr_seterr()
 * messages and nothing is ever printed.
 */
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>

#include <png.h>

#include "dsr/error.h"
#include "image_priv.h"

/* Largest decoded interlaced image (all rows at once, before conversion to grey). */
#define PNG_INTERLACED_MAX_BYTES	((size_t)128 << 20)

/* State that must survive a longjmp: owned by the caller of the function that calls
 * setjmp, so none of it is a modified local of that function. */
struct png_ctx {
	const char *path;
	png_structp png;
	png_infop info;
	struct dsr_image *im;
	uint8_t *rows;		/* decoded rows: one, or all for interlaced images */
	png_bytep *row_ptrs;	/* interlaced images: a pointer per row into rows */
};

/* libpng's error callback: keep the message, unwind to the setjmp. */
static void png_error_cb(png_structp png, png_const_charp msg)
{
	struct png_ctx *c = png_get_error_ptr(png);

	dsr_seterr("%s: PNG: %s", c->path, msg);
	png_longjmp(png, 1);
}

/* Warnings (e.g. a bad CRC in an ancillary chunk that libpng skips) are not errors,
 * and the library never prints. */
static void png_warning_cb(png_structp png, png_const_charp msg)
{
	(void)png;
	(void)msg;
}

/* Read callback: the stock one says only "Read Error" when the file ends early. */
static void png_read_cb(png_structp png, png_bytep out, size_t len)
{
	FILE *f = png_get_io_ptr(png);

	if (fread(out, 1, len, f) != len)
		png_error(png, ferror(f) ? "read error" : "file truncated (ends before the image does)");
}

/* One sample of a decoded row: 8 bits, or 16 bits big-endian as PNG stores them. */
static uint32_t sample(const uint8_t *row, size_t i, int depth16)
{
	return depth16 ? (uint32_t)row[2 * i] << 8 | row[2 * i + 1] : row[i];
}

/* Rec. 709 luminance in integers; the weights sum to 2^15 so full scale stays full. */
static uint32_t luminance(uint32_t r, uint32_t g, uint32_t b)
{
	return (r * 6966u + g * 23436u + b * 2366u + 16384u) >> 15;
}

/* One decoded row (after png_set_expand: 1..4 channels of 8 or 16 bits) into grey
 * pixels shifted right by @shift. Returns -1 if a pixel is not fully opaque. */
static int convert_row(const uint8_t *row, uint16_t *out, uint32_t width, int channels,
		       int depth16, unsigned shift)
{
	uint32_t opaque = depth16 ? 0xffff : 0xff;

	for (uint32_t x = 0; x < width; x++) {
		size_t i = (size_t)x * channels;
		uint32_t v;

		if (channels >= 3)
			v = luminance(sample(row, i, depth16), sample(row, i + 1, depth16),
				      sample(row, i + 2, depth16));
		else
			v = sample(row, i, depth16);
		if ((channels == 2 || channels == 4) &&
		    sample(row, i + channels - 1, depth16) != opaque)
			return -1;
		out[x] = (uint16_t)(v >> shift);
	}
	return 0;
}

/* The significant bits of a grey 16-bit image from sBIT, or 0 to keep all 16. */
static unsigned sbit_bits(png_structp png, png_infop info, int color_type, int depth)
{
	png_color_8p sbit;

	if (depth != 16 || color_type != PNG_COLOR_TYPE_GRAY ||
	    !png_get_sBIT(png, info, &sbit))
		return 0;
	return sbit->gray >= 8 && sbit->gray < 16 ? sbit->gray : 0;
}

/* Everything that can longjmp: header, transforms, size checks, the rows. */
static int read_body(struct png_ctx *c)
{
	png_uint_32 w, h;
	int depth, color_type, interlace, channels, passes, depth16;
	unsigned bits, sbits, shift;
	size_t rowbytes;

	if (setjmp(png_jmpbuf(c->png)))
		return -1;
	png_set_user_limits(c->png, DSR_IMAGE_MAX_DIM, DSR_IMAGE_MAX_DIM);
	png_read_info(c->png, c->info);
	png_get_IHDR(c->png, c->info, &w, &h, &depth, &color_type, &interlace, NULL, NULL);
	if (dsr_image_check_size(c->path, w, h))
		return -1;
	sbits = sbit_bits(c->png, c->info, color_type, depth);
	png_set_expand(c->png);	/* palette -> RGB, grey < 8 bits -> 8, tRNS -> alpha */
	passes = png_set_interlace_handling(c->png);
	png_read_update_info(c->png, c->info);
	channels = png_get_channels(c->png, c->info);
	depth16 = png_get_bit_depth(c->png, c->info) == 16;
	rowbytes = png_get_rowbytes(c->png, c->info);
	if (channels < 1 || channels > 4 || rowbytes < (size_t)w * channels * (depth16 ? 2 : 1))
		return dsr_seterr("%s: PNG: unexpected row layout", c->path);
	/* an interlaced image is decoded whole before conversion: bound that buffer */
	if (passes > 1 && rowbytes * h > PNG_INTERLACED_MAX_BYTES)
		return dsr_seterr("%s: interlaced PNG of %ux%u is too large to decode here; "
				  "save it without interlacing", c->path, (unsigned)w, (unsigned)h);
	bits = sbits ? sbits : depth16 ? 16 : 8;
	shift = sbits ? 16 - sbits : 0;
	c->im = dsr_image_new(w, h, bits);
	if (!c->im)
		return -1;
	c->rows = malloc(rowbytes * (passes > 1 ? h : 1));
	if (!c->rows)
		return dsr_seterr("%s: out of memory", c->path);
	if (passes > 1) {	/* interlaced: libpng needs every row at once */
		c->row_ptrs = malloc(sizeof(png_bytep) * h);
		if (!c->row_ptrs)
			return dsr_seterr("%s: out of memory", c->path);
		for (png_uint_32 y = 0; y < h; y++)
			c->row_ptrs[y] = c->rows + rowbytes * y;
		png_read_image(c->png, c->row_ptrs);
	}
	for (png_uint_32 y = 0; y < h; y++) {
		uint8_t *row = passes > 1 ? c->rows + rowbytes * y : c->rows;

		if (passes == 1)
			png_read_row(c->png, row, NULL);
		if (convert_row(row, dsr_image_row(c->im, y), w, channels, depth16, shift))
			return dsr_seterr("%s: PNG has transparent pixels; a radiograph must be "
					  "opaque (flatten it onto a background first)", c->path);
	}
	png_read_end(c->png, NULL);
	return 0;
}

struct dsr_image *dsr_png_read(FILE *f, const char *path)
{
	struct png_ctx c = { .path = path };
	struct dsr_image *im = NULL;

	c.png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &c, png_error_cb, png_warning_cb);
	if (c.png)
		c.info = png_create_info_struct(c.png);
	if (!c.png || !c.info) {
		dsr_seterr("%s: PNG: out of memory", path);
	} else {
		png_set_read_fn(c.png, f, png_read_cb);
		if (read_body(&c) == 0) {
			im = c.im;
			c.im = NULL;
		}
	}
	png_destroy_read_struct(c.png ? &c.png : NULL, c.info ? &c.info : NULL, NULL);
	free(c.rows);
	free(c.row_ptrs);
	dsr_image_free(c.im);
	return im;
}

/* A pixel of @bits (9..16) scaled to 16 bits: shift left, replicate the top bits into
 * the vacated low bits, so 2^bits - 1 becomes 65535 and v >> (16 - bits) is v again. */
static uint32_t scale_to_16(uint32_t v, unsigned bits)
{
	unsigned s = 16 - bits;

	return s ? (v << s) | (v >> (bits - s)) : v;
}

/* Everything that can longjmp on the write side of a grey image. */
static int write_body(struct png_ctx *c, const void *src)
{
	const struct dsr_image *im = src;
	int depth16 = im->bits > 8;
	png_color_8 sbit = { 0 };

	if (setjmp(png_jmpbuf(c->png)))
		return -1;
	png_set_IHDR(c->png, c->info, im->width, im->height, depth16 ? 16 : 8,
		     PNG_COLOR_TYPE_GRAY, PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT,
		     PNG_FILTER_TYPE_DEFAULT);
	if (depth16 && im->bits < 16) {
		sbit.gray = (png_byte)im->bits;
		png_set_sBIT(c->png, c->info, &sbit);
	}
	png_set_compression_level(c->png, 6);
	png_write_info(c->png, c->info);
	c->rows = malloc((size_t)im->width * 2);
	if (!c->rows)
		return dsr_seterr("%s: out of memory", c->path);
	for (uint32_t y = 0; y < im->height; y++) {
		const uint16_t *px = dsr_image_row(im, y);

		for (uint32_t x = 0; x < im->width; x++) {
			uint32_t v = depth16 ? scale_to_16(px[x], im->bits) : px[x];

			if (depth16) {
				c->rows[2 * x] = (uint8_t)(v >> 8);
				c->rows[2 * x + 1] = (uint8_t)v;
			} else {
				c->rows[x] = (uint8_t)v;
			}
		}
		png_write_row(c->png, c->rows);
	}
	png_write_end(c->png, NULL);
	return 0;
}

/* Packed 8-bit RGB rows, as the colour overlay makes them. */
struct rgb_src {
	const uint8_t *rgb;
	uint32_t width, height;
};

static int write_rgb_body(struct png_ctx *c, const void *src)
{
	const struct rgb_src *r = src;

	if (setjmp(png_jmpbuf(c->png)))
		return -1;
	png_set_IHDR(c->png, c->info, r->width, r->height, 8, PNG_COLOR_TYPE_RGB,
		     PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
	png_write_info(c->png, c->info);
	for (uint32_t y = 0; y < r->height; y++)
		png_write_row(c->png, (png_const_bytep)(r->rgb + (size_t)y * r->width * 3));
	png_write_end(c->png, NULL);
	return 0;
}

/* The libpng write setup and teardown around @body, which writes @src. */
static int write_with(FILE *f, const char *path, int (*body)(struct png_ctx *, const void *),
		      const void *src)
{
	struct png_ctx c = { .path = path };
	int rc = -1;

	c.png = png_create_write_struct(PNG_LIBPNG_VER_STRING, &c, png_error_cb, png_warning_cb);
	if (c.png)
		c.info = png_create_info_struct(c.png);
	if (!c.png || !c.info) {
		dsr_seterr("%s: PNG: out of memory", path);
	} else {
		png_init_io(c.png, f);
		rc = body(&c, src);
	}
	png_destroy_write_struct(c.png ? &c.png : NULL, c.info ? &c.info : NULL);
	free(c.rows);
	return rc;
}

int dsr_png_write(const struct dsr_image *im, FILE *f, const char *path)
{
	return write_with(f, path, write_body, im);
}

int dsr_png_write_rgb(const uint8_t *rgb, uint32_t width, uint32_t height, FILE *f,
		      const char *path)
{
	struct rgb_src r = { .rgb = rgb, .width = width, .height = height };

	return write_with(f, path, write_rgb_body, &r);
}
