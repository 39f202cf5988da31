/*
 * tiff.c - TIFF through libtiff: 8- and 16-bit grey, one sample per pixel.
 *
 * Reading accepts strips or tiles in any compression libtiff decodes, MinIsBlack or
 * MinIsWhite (inverted so that higher is brighter), unsigned samples; colour, palette,
 * float, signed and other bit depths are refused by name. A 16-bit file whose
 * MaxSampleValue is 2^k - 1 (8 <= k < 16) and whose pixels respect it is read as a
 * k-bit image; the writer records the depth that way (deflate-compressed, horizontal
 * predictor, 16-bit samples for images above 8 bits).
 *
 * libtiff's error and warning messages are routed into dsr_seterr() (the first error of
 * an operation is the one kept: later ones are consequences); nothing is printed.
 */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <tiffio.h>

#include "dsr/error.h"
#include "image_priv.h"

/* Per-operation state for the error handler. */
struct tiff_ctx {
	const char *path;
	int have_error;
};

/* libtiff error handler for one open file: record the first message. Returning 1 stops
 * libtiff from also calling the global handler. */
static int tiff_error_cb(TIFF *tif, void *user, const char *module, const char *fmt,
			 va_list ap)
{
	struct tiff_ctx *c = user;
	char msg[256];

	(void)tif;
	if (!c->have_error) {
		vsnprintf(msg, sizeof(msg), fmt, ap);
		dsr_seterr("%s: TIFF: %s%s%s", c->path, module ? module : "", module ? ": " : "",
			   msg);
		c->have_error = 1;
	}
	return 1;
}

/* Warnings (unknown tags and the like) are not errors. */
static int tiff_warning_cb(TIFF *tif, void *user, const char *module, const char *fmt,
			   va_list ap)
{
	(void)tif, (void)user, (void)module, (void)fmt, (void)ap;
	return 1;
}

/* Messages libtiff issues without a file context go to the process-wide handlers,
 * whose default prints to stderr: replace them once with silent ones. */
static void silent_global(const char *module, const char *fmt, va_list ap)
{
	(void)module, (void)fmt, (void)ap;
}

static void install_global_handlers(void)
{
	TIFFSetErrorHandler(silent_global);
	TIFFSetWarningHandler(silent_global);
}

/* Open @fd (dup'ed, so the caller keeps it) with our handlers. */
static TIFF *tiff_open(int fd, const char *mode, struct tiff_ctx *c)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	TIFFOpenOptions *opts;
	TIFF *tif = NULL;
	int dfd;

	pthread_once(&once, install_global_handlers);
	opts = TIFFOpenOptionsAlloc();
	dfd = dup(fd);
	if (!opts || dfd < 0) {
		dsr_seterr("%s: TIFF: out of resources", c->path);
	} else {
		TIFFOpenOptionsSetErrorHandlerExtR(opts, tiff_error_cb, c);
		TIFFOpenOptionsSetWarningHandlerExtR(opts, tiff_warning_cb, c);
		/* no single allocation inside libtiff beyond a 16-bit row of the widest
		 * image times a generous strip height */
		TIFFOpenOptionsSetMaxSingleMemAlloc(opts, (tmsize_t)256 << 20);
		tif = TIFFFdOpenExt(dfd, c->path, mode, opts);
		if (!tif && !c->have_error)
			dsr_seterr("%s: TIFF: cannot open", c->path);
	}
	if (!tif && dfd >= 0)
		close(dfd);
	if (opts)
		TIFFOpenOptionsFree(opts);
	return tif;
}

/* The layout of the first image in the file, checked against what we read. */
struct tiff_layout {
	uint32_t width, height;
	uint16_t bps, spp, photometric, sample_format;
	int tiled;
	uint32_t tile_w, tile_h;
};

static int read_layout(TIFF *tif, struct tiff_ctx *c, struct tiff_layout *l)
{
	if (!TIFFGetField(tif, TIFFTAG_IMAGEWIDTH, &l->width) ||
	    !TIFFGetField(tif, TIFFTAG_IMAGELENGTH, &l->height))
		return dsr_seterr("%s: TIFF: no image size", c->path);
	if (dsr_image_check_size(c->path, l->width, l->height))
		return -1;
	TIFFGetFieldDefaulted(tif, TIFFTAG_BITSPERSAMPLE, &l->bps);
	TIFFGetFieldDefaulted(tif, TIFFTAG_SAMPLESPERPIXEL, &l->spp);
	TIFFGetFieldDefaulted(tif, TIFFTAG_SAMPLEFORMAT, &l->sample_format);
	if (!TIFFGetField(tif, TIFFTAG_PHOTOMETRIC, &l->photometric))
		l->photometric = PHOTOMETRIC_MINISBLACK;
	if (l->spp != 1)
		return dsr_seterr("%s: TIFF has %u samples per pixel (colour or alpha); only grey "
				  "images are read", c->path, l->spp);
	if (l->photometric != PHOTOMETRIC_MINISBLACK && l->photometric != PHOTOMETRIC_MINISWHITE)
		return dsr_seterr("%s: TIFF photometric interpretation %u is not grey "
				  "(MinIsBlack/MinIsWhite)", c->path, l->photometric);
	if (l->bps != 8 && l->bps != 16)
		return dsr_seterr("%s: TIFF with %u bits per sample; only 8 and 16 are read",
				  c->path, l->bps);
	if (l->sample_format != SAMPLEFORMAT_UINT && l->sample_format != SAMPLEFORMAT_VOID)
		return dsr_seterr("%s: TIFF samples are not unsigned integers (format %u)",
				  c->path, l->sample_format);
	l->tiled = TIFFIsTiled(tif);
	if (l->tiled && (!TIFFGetField(tif, TIFFTAG_TILEWIDTH, &l->tile_w) ||
			 !TIFFGetField(tif, TIFFTAG_TILELENGTH, &l->tile_h) || !l->tile_w ||
			 !l->tile_h || l->tile_w > DSR_IMAGE_MAX_DIM || l->tile_h > DSR_IMAGE_MAX_DIM))
		return dsr_seterr("%s: TIFF tile size missing or invalid", c->path);
	return 0;
}

/* Copy @n samples from a decoded buffer (host order after libtiff) into pixels. */
static void copy_samples(uint16_t *dst, const void *src, size_t n, int bps16)
{
	if (bps16) {
		memcpy(dst, src, n * 2);
	} else {
		const uint8_t *s = src;

		for (size_t i = 0; i < n; i++)
			dst[i] = s[i];
	}
}

/* Rows of a stripped image, in order (which every compression scheme supports). */
static int read_strips(TIFF *tif, struct tiff_ctx *c, const struct tiff_layout *l,
		       struct dsr_image *im)
{
	tmsize_t size = TIFFScanlineSize(tif);
	void *buf;
	int rc = 0;

	if (size < (tmsize_t)l->width * (l->bps / 8))
		return dsr_seterr("%s: TIFF scanline size inconsistent", c->path);
	buf = malloc(size);
	if (!buf)
		return dsr_seterr("%s: out of memory", c->path);
	for (uint32_t y = 0; y < l->height && rc == 0; y++) {
		if (TIFFReadScanline(tif, buf, y, 0) < 0) {
			if (!c->have_error)
				dsr_seterr("%s: TIFF: cannot read row %u", c->path, y);
			rc = -1;
		} else {
			copy_samples(dsr_image_row(im, y), buf, l->width, l->bps == 16);
		}
	}
	free(buf);
	return rc;
}

/* Tiles, each clipped to the image. */
static int read_tiles(TIFF *tif, struct tiff_ctx *c, const struct tiff_layout *l,
		      struct dsr_image *im)
{
	tmsize_t size = TIFFTileSize(tif);
	size_t bpp = l->bps / 8;
	uint8_t *buf;
	int rc = 0;

	if (size < (tmsize_t)((uint64_t)l->tile_w * l->tile_h * bpp))
		return dsr_seterr("%s: TIFF tile size inconsistent", c->path);
	buf = malloc(size);
	if (!buf)
		return dsr_seterr("%s: out of memory", c->path);
	for (uint32_t ty = 0; ty < l->height && rc == 0; ty += l->tile_h) {
		for (uint32_t tx = 0; tx < l->width && rc == 0; tx += l->tile_w) {
			uint32_t w = l->width - tx < l->tile_w ? l->width - tx : l->tile_w;
			uint32_t h = l->height - ty < l->tile_h ? l->height - ty : l->tile_h;

			if (TIFFReadTile(tif, buf, tx, ty, 0, 0) < 0) {
				if (!c->have_error)
					dsr_seterr("%s: TIFF: cannot read tile at (%u, %u)",
						   c->path, tx, ty);
				rc = -1;
				break;
			}
			for (uint32_t y = 0; y < h; y++)
				copy_samples(dsr_image_row(im, ty + y) + tx,
					     buf + (size_t)y * l->tile_w * bpp, w, l->bps == 16);
		}
	}
	free(buf);
	return rc;
}

/* Depth from MaxSampleValue (see the top of the file), MinIsWhite inverted. */
static void finish_pixels(TIFF *tif, const struct tiff_layout *l, struct dsr_image *im)
{
	size_t n = (size_t)im->width * im->height;
	uint16_t maxval = 0;
	uint32_t max;

	if (l->bps == 16 && TIFFGetField(tif, TIFFTAG_MAXSAMPLEVALUE, &maxval)) {
		for (unsigned k = 8; k < 16; k++) {
			if (maxval != (1u << k) - 1)
				continue;
			im->bits = k;
			for (size_t i = 0; i < n; i++)
				if (im->pixels[i] > maxval) {
					im->bits = 16;	/* the tag lies: keep all bits */
					break;
				}
		}
	}
	max = (1u << im->bits) - 1;
	if (l->photometric == PHOTOMETRIC_MINISWHITE)
		for (size_t i = 0; i < n; i++)
			im->pixels[i] = (uint16_t)(max - im->pixels[i]);
}

struct dsr_image *dsr_tiff_read(int fd, const char *path)
{
	struct tiff_ctx c = { .path = path };
	struct tiff_layout l = { 0 };
	struct dsr_image *im = NULL;
	TIFF *tif = tiff_open(fd, "r", &c);
	int rc;

	if (!tif)
		return NULL;
	rc = read_layout(tif, &c, &l);
	if (rc == 0) {
		im = dsr_image_new(l.width, l.height, l.bps);
		rc = im ? 0 : -1;
	}
	if (rc == 0)
		rc = l.tiled ? read_tiles(tif, &c, &l, im) : read_strips(tif, &c, &l, im);
	if (rc == 0)
		finish_pixels(tif, &l, im);
	TIFFClose(tif);
	if (rc) {
		dsr_image_free(im);
		return NULL;
	}
	return im;
}

/* Tags of a grey image: deflate with the horizontal predictor, MaxSampleValue giving
 * the true depth of 16-bit samples. */
static int write_tags(TIFF *tif, const struct dsr_image *im)
{
	uint16_t bps = im->bits > 8 ? 16 : 8;

	return TIFFSetField(tif, TIFFTAG_IMAGEWIDTH, im->width) &&
	       TIFFSetField(tif, TIFFTAG_IMAGELENGTH, im->height) &&
	       TIFFSetField(tif, TIFFTAG_BITSPERSAMPLE, bps) &&
	       TIFFSetField(tif, TIFFTAG_SAMPLESPERPIXEL, 1) &&
	       TIFFSetField(tif, TIFFTAG_SAMPLEFORMAT, SAMPLEFORMAT_UINT) &&
	       TIFFSetField(tif, TIFFTAG_PHOTOMETRIC, PHOTOMETRIC_MINISBLACK) &&
	       TIFFSetField(tif, TIFFTAG_PLANARCONFIG, PLANARCONFIG_CONTIG) &&
	       TIFFSetField(tif, TIFFTAG_COMPRESSION, COMPRESSION_ADOBE_DEFLATE) &&
	       TIFFSetField(tif, TIFFTAG_PREDICTOR, PREDICTOR_HORIZONTAL) &&
	       TIFFSetField(tif, TIFFTAG_MAXSAMPLEVALUE, (uint16_t)((1u << im->bits) - 1)) &&
	       TIFFSetField(tif, TIFFTAG_ROWSPERSTRIP, TIFFDefaultStripSize(tif, 0));
}

/* Rows through a scratch buffer (the predictor may modify what it is given). */
static int write_rows(TIFF *tif, const struct dsr_image *im)
{
	size_t bpp = im->bits > 8 ? 2 : 1;
	uint8_t *buf = malloc((size_t)im->width * bpp);
	int ok = buf != NULL;

	for (uint32_t y = 0; ok && y < im->height; y++) {
		const uint16_t *px = dsr_image_row(im, y);

		if (bpp == 2)
			memcpy(buf, px, (size_t)im->width * 2);
		else
			for (uint32_t x = 0; x < im->width; x++)
				buf[x] = (uint8_t)px[x];
		ok = TIFFWriteScanline(tif, buf, y, 0) >= 0;
	}
	free(buf);
	return ok ? 0 : -1;
}

int dsr_tiff_write(const struct dsr_image *im, int fd, const char *path)
{
	struct tiff_ctx c = { .path = path };
	TIFF *tif = tiff_open(fd, "w", &c);
	int rc;

	if (!tif)
		return -1;
	rc = write_tags(tif, im) ? write_rows(tif, im) : -1;
	if (rc == 0 && !TIFFWriteDirectory(tif))
		rc = -1;
	TIFFClose(tif);
	if (rc && !c.have_error)
		dsr_seterr("%s: TIFF: write failed", path);
	return rc || c.have_error ? -1 : 0;
}
