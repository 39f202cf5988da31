/*
 * test_image.c - image files in and out: round trips of every format and depth,
 * conversions of colour PNG, and the loaders' behaviour on broken, forged and fuzzed
 * files (a clear error, never a crash, nothing allocated for data that is not there).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <cmocka.h>
#include <png.h>
#include <tiffio.h>

#include "common/testutil.h"
#include "dsr/error.h"
#include "dsr/image.h"

/* A random image of the given size and depth. */
static struct dsr_image *random_image(uint32_t w, uint32_t h, uint32_t bits, uint64_t seed)
{
	struct dsr_image *im = dsr_image_new(w, h, bits);
	struct t_rng r;

	assert_non_null(im);
	t_rng_seed(&r, seed);
	t_rng_pixels(&r, im->pixels, (size_t)w * h, bits);
	im->pixels[0] = 0;				/* both extremes present */
	im->pixels[1] = (uint16_t)((1u << bits) - 1);
	return im;
}

/* Save and load back; the result must be identical in size, depth and every pixel. */
static void round_trip(const char *name, uint32_t bits)
{
	struct dsr_image *im = random_image(37, 19, bits, bits * 1000 + strlen(name));
	struct dsr_image *back;
	const char *path = t_scratch_path(name);

	assert_int_equal(dsr_image_save(im, path), 0);
	back = dsr_image_load(path);
	if (!back)
		fail_msg("%s: %s", name, dsr_error());
	assert_int_equal(back->width, 37);
	assert_int_equal(back->height, 19);
	assert_int_equal(back->bits, bits);
	assert_memory_equal(back->pixels, im->pixels, 37 * 19 * 2);
	dsr_image_free(back);
	dsr_image_free(im);
}

static void test_round_trips(void **state)
{
	const uint32_t depths[] = { 8, 10, 12, 14, 16 };
	const char *exts[] = { "png", "tif", "tiff", "pgm", "PNG" };
	char name[64];

	(void)state;
	for (size_t e = 0; e < 5; e++)
		for (size_t d = 0; d < 5; d++) {
			snprintf(name, sizeof(name), "rt%u.%s", depths[d], exts[e]);
			round_trip(name, depths[d]);
		}
}

/* Saving goes through a temporary file: a refused save leaves an existing file as it
 * was and no temporary behind; unknown extensions and bad images are named. */
static void test_save_is_atomic_and_checked(void **state)
{
	struct dsr_image *im = random_image(8, 8, 12, 1);
	const char *path = t_scratch_path("keep.png");
	struct dsr_image *back;
	DIR *d;
	struct dirent *e;

	(void)state;
	assert_int_equal(dsr_image_save(im, path), 0);
	im->pixels[9] = 5000;	/* above 12 bits */
	assert_int_equal(dsr_image_save(im, path), -1);
	assert_non_null(strstr(dsr_error(), "does not fit"));
	back = dsr_image_load(path);
	assert_non_null(back);
	assert_int_not_equal(back->pixels[9], 5000);
	dsr_image_free(back);
	im->pixels[9] = 4095;
	assert_int_equal(dsr_image_save(im, t_scratch_path("x.jpg")), -1);
	assert_non_null(strstr(dsr_error(), "unknown image type"));
	assert_int_equal(dsr_image_save(im, "/nonexistent-dir/x.png"), -1);
	assert_non_null(strstr(dsr_error(), "temporary"));
	d = opendir(t_scratch_dir());
	assert_non_null(d);
	while ((e = readdir(d)))
		assert_null(strstr(e->d_name, ".tmp"));
	closedir(d);
	dsr_image_free(im);
}

static void test_new_limits(void **state)
{
	(void)state;
	assert_null(dsr_image_new(0, 10, 12));
	assert_non_null(strstr(dsr_error(), "outside the limits"));
	assert_null(dsr_image_new(DSR_IMAGE_MAX_DIM + 1, 1, 12));
	assert_null(dsr_image_new(DSR_IMAGE_MAX_DIM, DSR_IMAGE_MAX_DIM, 12));
	assert_null(dsr_image_new(10, 10, 7));
	assert_non_null(strstr(dsr_error(), "bits"));
	assert_null(dsr_image_new(10, 10, 17));
}

/* Expect loading @path to fail with @msg in the error. */
static void expect_load_error(const char *path, const char *msg)
{
	struct dsr_image *im = dsr_image_load(path);

	if (im)
		fail_msg("%s loaded (%ux%u) but should fail with '%s'", path, im->width,
			 im->height, msg);
	if (!strstr(dsr_error(), msg))
		fail_msg("%s: error '%s' does not contain '%s'", path, dsr_error(), msg);
}

/* Every proper prefix of a valid file of each format fails cleanly. */
static void test_truncated_files(void **state)
{
	const char *names[] = { "tr.png", "tr.tif", "tr.pgm" };
	int failures = 0;

	(void)state;
	for (int k = 0; k < 3; k++) {
		struct dsr_image *im = random_image(40, 30, 16, 7 + k);
		const char *path = t_scratch_path(names[k]);
		size_t len;
		uint8_t *buf;

		assert_int_equal(dsr_image_save(im, path), 0);
		buf = t_read_file(path, &len);
		assert_non_null(buf);
		for (size_t cut = 0; cut < len; cut += (cut < 200 ? 1 : 97)) {
			const char *tp = t_scratch_path("cut.bin");
			struct dsr_image *got;

			assert_int_equal(t_write_file(tp, buf, cut), 0);
			got = dsr_image_load(tp);
			if (got) {	/* only possible if what is left still decodes fully */
				fail_msg("%s cut at %zu of %zu loaded", names[k], cut, len);
			}
			assert_true(strlen(dsr_error()) > 0);
			failures++;
		}
		free(buf);
		dsr_image_free(im);
	}
	assert_true(failures > 300);
	expect_load_error(t_scratch_path("cut.bin"), "");
}

static void test_wrong_magic(void **state)
{
	const char *p = t_scratch_path("magic.bin");

	(void)state;
	assert_int_equal(t_write_file(p, "hello world, not an image at all", 32), 0);
	expect_load_error(p, "not a PNG, TIFF, PGM or DICOM");
	assert_int_equal(t_write_file(p, "", 0), 0);
	expect_load_error(p, "empty");
	assert_int_equal(t_write_file(p, "P6\n2 2\n255\n012345678901", 23), 0);
	expect_load_error(p, "only grey PGM");
	expect_load_error(t_scratch_path("does-not-exist.png"), "cannot open");
	expect_load_error(t_scratch_dir(), "cannot read");
}

/* A PNG made of chunks we write by hand (so any IHDR can be forged), CRCs computed
 * with zlib. */
static size_t put_chunk(uint8_t *out, const char *type, const uint8_t *data, uint32_t len)
{
	uint32_t crc;

	out[0] = (uint8_t)(len >> 24), out[1] = (uint8_t)(len >> 16);
	out[2] = (uint8_t)(len >> 8), out[3] = (uint8_t)len;
	memcpy(out + 4, type, 4);
	if (len)
		memcpy(out + 8, data, len);
	crc = (uint32_t)crc32(0, out + 4, 4 + len);
	out[8 + len] = (uint8_t)(crc >> 24), out[9 + len] = (uint8_t)(crc >> 16);
	out[10 + len] = (uint8_t)(crc >> 8), out[11 + len] = (uint8_t)crc;
	return 12 + len;
}

static void forged_png_type(const char *path, uint32_t w, uint32_t h, int color, int interlace)
{
	static const uint8_t sig[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };
	uint8_t buf[256], ihdr[13] = { 0 };
	size_t n = 8;

	memcpy(buf, sig, 8);
	ihdr[0] = (uint8_t)(w >> 24), ihdr[1] = (uint8_t)(w >> 16);
	ihdr[2] = (uint8_t)(w >> 8), ihdr[3] = (uint8_t)w;
	ihdr[4] = (uint8_t)(h >> 24), ihdr[5] = (uint8_t)(h >> 16);
	ihdr[6] = (uint8_t)(h >> 8), ihdr[7] = (uint8_t)h;
	ihdr[8] = 16;	/* bit depth */
	ihdr[9] = (uint8_t)color;
	ihdr[12] = (uint8_t)interlace;
	n += put_chunk(buf + n, "IHDR", ihdr, 13);
	n += put_chunk(buf + n, "IDAT", (const uint8_t *)"\x78\x9c\x03\x00\x00\x00\x00\x01", 8);
	n += put_chunk(buf + n, "IEND", NULL, 0);
	assert_int_equal(t_write_file(path, buf, n), 0);
}

/* A 16-bit grey, non-interlaced PNG of any claimed size. */
static void forged_png(const char *path, uint32_t w, uint32_t h)
{
	forged_png_type(path, w, h, 0, 0);
}

/* Minimal little-endian TIFF: header and one IFD with the given width/height/bps/spp. */
static void forged_tiff(const char *path, uint32_t w, uint32_t h, uint16_t bps, uint16_t spp,
			uint16_t photometric)
{
	uint8_t b[200] = { 'I', 'I', 42, 0, 8, 0, 0, 0 };
	const uint16_t tags[][2] = { { 256, 4 }, { 257, 4 }, { 258, 3 }, { 259, 3 },
				     { 262, 3 }, { 273, 4 }, { 277, 3 }, { 278, 4 }, { 279, 4 } };
	const uint32_t vals[] = { w, h, bps, 1, photometric, 150, spp, h, 16 };
	size_t o = 10;

	b[8] = 9;
	for (int i = 0; i < 9; i++, o += 12) {
		b[o] = (uint8_t)tags[i][0], b[o + 1] = (uint8_t)(tags[i][0] >> 8);
		b[o + 2] = (uint8_t)tags[i][1];
		b[o + 4] = 1;
		b[o + 8] = (uint8_t)vals[i], b[o + 9] = (uint8_t)(vals[i] >> 8);
		if (tags[i][1] == 4)
			b[o + 10] = (uint8_t)(vals[i] >> 16), b[o + 11] = (uint8_t)(vals[i] >> 24);
	}
	assert_int_equal(t_write_file(path, b, sizeof(b)), 0);
}

/* Headers claiming absurd sizes are refused before any pixel memory is taken. */
static void test_absurd_dimensions(void **state)
{
	const char *p = t_scratch_path("absurd.bin");
	const char *pgm_huge = "P5\n100000 100000\n255\n";
	const char *pgm_big = "P5\n30000 30000\n65535\nxx";

	(void)state;
	assert_int_equal(t_write_file(p, pgm_huge, strlen(pgm_huge)), 0);
	expect_load_error(p, "width or height");
	assert_int_equal(t_write_file(p, pgm_big, strlen(pgm_big)), 0);
	expect_load_error(p, "outside the limits");	/* 9e8 pixels > MAX_PIXELS */
	/* issue 14: 16000 x 16000 declared in a small file cost 6.3 GB before it failed */
	assert_int_equal(t_write_file(p, "P5\n16000 16000\n65535\nxx", 24), 0);
	expect_load_error(p, "outside the limits");
	assert_int_equal(t_write_file(p, "P5\n5000 5000\n65535\nxx", 22), 0);
	expect_load_error(p, "truncated");		/* fits limits; data absent */
	assert_int_equal(t_write_file(p, "P5\n0 10\n255\n", 12), 0);
	expect_load_error(p, "outside the limits");
	assert_int_equal(t_write_file(p, "P2\n2 1\n70000\n1 2", 16), 0);
	expect_load_error(p, "maxval");

	forged_png(p, 40000, 10);
	expect_load_error(p, "PNG");
	forged_png(p, 0x7fffffff, 0x7fffffff);
	expect_load_error(p, "PNG");
	forged_png(p, 30000, 30000);
	expect_load_error(p, "outside the limits");
	forged_png_type(p, 4200, 4096, 6, 1);	/* RGBA16 interlaced: 138 MB to decode */
	expect_load_error(p, "interlaced");
	forged_png(p, 100, 100);	/* a valid size whose IDAT is empty */
	expect_load_error(p, "PNG");

	forged_tiff(p, 1000000, 1000000, 16, 1, 1);
	expect_load_error(p, "outside the limits");
	forged_tiff(p, 30000, 30000, 16, 1, 1);
	expect_load_error(p, "outside the limits");
	forged_tiff(p, 4, 4, 8, 1, 1);	/* sane: 16 bytes of pixel data at offset 150 */
	{
		struct dsr_image *im = dsr_image_load(p);

		if (!im)
			fail_msg("forged 4x4 TIFF: %s", dsr_error());
		assert_int_equal(im->width, 4);
		assert_int_equal(im->bits, 8);
		dsr_image_free(im);
	}
	forged_tiff(p, 4, 4, 8, 3, 2);
	expect_load_error(p, "3 samples per pixel");
	forged_tiff(p, 4, 4, 12, 1, 1);
	expect_load_error(p, "12 bits per sample");
	forged_tiff(p, 4, 4, 8, 1, 4);	/* transparency mask */
	expect_load_error(p, "not grey");
	forged_tiff(p, 4, 1000, 16, 1, 1);	/* strips point past the end of the file */
	expect_load_error(p, "TIFF");
}

/* Write a PNG with libpng directly: any colour type, 8-bit samples given per channel. */
static void write_png_raw(const char *path, uint32_t w, uint32_t h, int color_type,
			  const uint8_t *data, int channels, const png_color *palette, int npal,
			  const uint8_t *trns, int ntrns)
{
	FILE *f = fopen(path, "wb");
	png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
	png_infop info = png_create_info_struct(png);

	assert_non_null(f);
	if (setjmp(png_jmpbuf(png)))
		fail_msg("libpng failed writing the test PNG");
	png_init_io(png, f);
	png_set_IHDR(png, info, w, h, 8, color_type, PNG_INTERLACE_NONE,
		     PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
	if (palette)
		png_set_PLTE(png, info, palette, npal);
	if (trns)
		png_set_tRNS(png, info, trns, ntrns, NULL);
	png_write_info(png, info);
	for (uint32_t y = 0; y < h; y++)
		png_write_row(png, (png_const_bytep)(data + (size_t)y * w * channels));
	png_write_end(png, NULL);
	png_destroy_write_struct(&png, &info);
	fclose(f);
}

/* Colour, palette and alpha PNGs: luminance by Rec. 709, opaque alpha dropped,
 * transparency refused. */
static void test_colour_png(void **state)
{
	const char *p = t_scratch_path("colour.png");
	const uint8_t rgb[] = { 255, 0, 0, 0, 255, 0, 0, 0, 255, 200, 200, 200 };
	const uint8_t rgba[] = { 10, 20, 30, 255, 40, 50, 60, 255 };
	const uint8_t rgba_t[] = { 10, 20, 30, 255, 40, 50, 60, 128 };
	const uint8_t ga[] = { 77, 255, 99, 255 };
	const png_color pal[3] = { { 0, 0, 0 }, { 255, 255, 255 }, { 0, 0, 255 } };
	const uint8_t idx[] = { 0, 1, 2, 1 };
	const uint8_t trns[] = { 255, 0, 255 };
	struct dsr_image *im;

	(void)state;
	write_png_raw(p, 4, 1, PNG_COLOR_TYPE_RGB, rgb, 3, NULL, 0, NULL, 0);
	im = dsr_image_load(p);
	assert_non_null(im);
	assert_int_equal(im->bits, 8);
	assert_int_equal(im->pixels[0], 54);	/* 0.2126 * 255 = 54.2 */
	assert_int_equal(im->pixels[1], 182);	/* 0.7152 * 255 = 182.4 */
	assert_int_equal(im->pixels[2], 18);	/* 0.0722 * 255 = 18.4 */
	assert_int_equal(im->pixels[3], 200);
	dsr_image_free(im);

	write_png_raw(p, 2, 1, PNG_COLOR_TYPE_RGBA, rgba, 4, NULL, 0, NULL, 0);
	im = dsr_image_load(p);
	assert_non_null(im);
	assert_int_equal(im->pixels[0], 19);	/* .2126*10 + .7152*20 + .0722*30 = 18.6 */
	dsr_image_free(im);

	write_png_raw(p, 2, 1, PNG_COLOR_TYPE_RGBA, rgba_t, 4, NULL, 0, NULL, 0);
	expect_load_error(p, "transparent");

	write_png_raw(p, 2, 1, PNG_COLOR_TYPE_GRAY_ALPHA, ga, 2, NULL, 0, NULL, 0);
	im = dsr_image_load(p);
	assert_non_null(im);
	assert_int_equal(im->pixels[0], 77);
	assert_int_equal(im->pixels[1], 99);
	dsr_image_free(im);

	write_png_raw(p, 4, 1, PNG_COLOR_TYPE_PALETTE, idx, 1, pal, 3, NULL, 0);
	im = dsr_image_load(p);
	assert_non_null(im);
	assert_int_equal(im->pixels[0], 0);
	assert_int_equal(im->pixels[1], 255);
	assert_int_equal(im->pixels[2], 18);
	dsr_image_free(im);

	/* palette with a transparent entry that a pixel uses */
	write_png_raw(p, 4, 1, PNG_COLOR_TYPE_PALETTE, idx, 1, pal, 3, trns, 3);
	expect_load_error(p, "transparent");
}

/* A one-row grey PNG of @depth bits written by libpng directly (no sBIT chunk). */
static void write_png_grey_row(const char *path, uint32_t w, int depth, const uint8_t *row)
{
	FILE *f = fopen(path, "wb");
	png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
	png_infop info = png_create_info_struct(png);

	assert_non_null(f);
	if (setjmp(png_jmpbuf(png)))
		fail_msg("libpng failed writing the test PNG");
	png_init_io(png, f);
	png_set_IHDR(png, info, w, 1, depth, PNG_COLOR_TYPE_GRAY, PNG_INTERLACE_NONE,
		     PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
	png_write_info(png, info);
	png_write_row(png, row);
	png_write_end(png, NULL);
	png_destroy_write_struct(&png, &info);
	fclose(f);
}

/* Grey PNGs not written by us: 16 bits without sBIT keep 16 bits; low-depth grey is
 * expanded to 8 bits. */
static void test_png_depths(void **state)
{
	const char *p = t_scratch_path("depth.png");
	const uint8_t row1[1] = { 0xa0 };	/* 1-bit: 1 0 1 0 */
	const uint8_t row16[4] = { 0x12, 0x34, 0xff, 0xff };
	struct dsr_image *im;

	(void)state;
	write_png_grey_row(p, 4, 1, row1);
	im = dsr_image_load(p);
	assert_non_null(im);
	assert_int_equal(im->bits, 8);
	assert_int_equal(im->pixels[0], 255);
	assert_int_equal(im->pixels[1], 0);
	assert_int_equal(im->pixels[2], 255);
	dsr_image_free(im);
	write_png_grey_row(p, 2, 16, row16);
	im = dsr_image_load(p);
	assert_non_null(im);
	assert_int_equal(im->bits, 16);
	assert_int_equal(im->pixels[0], 0x1234);
	assert_int_equal(im->pixels[1], 0xffff);
	dsr_image_free(im);
}

/* PGM: ASCII with comments, maxval setting the depth, values above maxval refused. */
static void test_pgm_variants(void **state)
{
	const char *p = t_scratch_path("v.pgm");
	const char *ascii = "P2\n# a comment\n3 2 # trailing\n1000\n0 1 2\n999 1000 500\n";
	struct dsr_image *im;

	(void)state;
	assert_int_equal(t_write_file(p, ascii, strlen(ascii)), 0);
	im = dsr_image_load(p);
	assert_non_null(im);
	assert_int_equal(im->bits, 10);
	assert_int_equal(im->width, 3);
	assert_int_equal(im->pixels[3], 999);
	assert_int_equal(im->pixels[4], 1000);
	dsr_image_free(im);
	assert_int_equal(t_write_file(p, "P2\n2 1\n100\n5 101\n", 17), 0);
	expect_load_error(p, "exceeds maxval");
	assert_int_equal(t_write_file(p, "P5\n2 1\n100\n\x05\x65", 13), 0);
	expect_load_error(p, "exceeds maxval");
	assert_int_equal(t_write_file(p, "P2\n2 1\n100\n5 x", 14), 0);
	expect_load_error(p, "not a number");
	assert_int_equal(t_write_file(p, "P5\n2 1\n100\n\x05\x06", 13), 0);
	im = dsr_image_load(p);
	assert_non_null(im);
	assert_int_equal(im->bits, 8);
	assert_int_equal(im->pixels[1], 6);
	dsr_image_free(im);
}

/* TIFF written by libtiff itself: tiled, MinIsWhite; and a float TIFF refused. */
static void test_tiff_variants(void **state)
{
	const char *p = t_scratch_path("v.tif");
	struct dsr_image *im;
	TIFF *tif;
	uint16_t tile[16 * 16];

	(void)state;
	tif = TIFFOpen(p, "w");
	assert_non_null(tif);
	TIFFSetField(tif, TIFFTAG_IMAGEWIDTH, 20);
	TIFFSetField(tif, TIFFTAG_IMAGELENGTH, 18);
	TIFFSetField(tif, TIFFTAG_BITSPERSAMPLE, 16);
	TIFFSetField(tif, TIFFTAG_SAMPLESPERPIXEL, 1);
	TIFFSetField(tif, TIFFTAG_PHOTOMETRIC, PHOTOMETRIC_MINISWHITE);
	TIFFSetField(tif, TIFFTAG_TILEWIDTH, 16);
	TIFFSetField(tif, TIFFTAG_TILELENGTH, 16);
	for (uint32_t ty = 0; ty < 18; ty += 16)
		for (uint32_t tx = 0; tx < 20; tx += 16) {
			for (int i = 0; i < 256; i++)	/* value = 100*(x) + y, inverted */
				tile[i] = (uint16_t)(65535 - (100 * (tx + i % 16) + ty + i / 16));
			assert_true(TIFFWriteTile(tif, tile, tx, ty, 0, 0) >= 0);
		}
	TIFFClose(tif);
	im = dsr_image_load(p);
	if (!im)
		fail_msg("%s", dsr_error());
	assert_int_equal(im->bits, 16);
	for (uint32_t y = 0; y < 18; y++)
		for (uint32_t x = 0; x < 20; x++)
			assert_int_equal(im->pixels[y * 20 + x], 100 * x + y);
	dsr_image_free(im);

	tif = TIFFOpen(p, "w");
	assert_non_null(tif);
	TIFFSetField(tif, TIFFTAG_IMAGEWIDTH, 2);
	TIFFSetField(tif, TIFFTAG_IMAGELENGTH, 1);
	TIFFSetField(tif, TIFFTAG_BITSPERSAMPLE, 16);
	TIFFSetField(tif, TIFFTAG_SAMPLESPERPIXEL, 1);
	TIFFSetField(tif, TIFFTAG_SAMPLEFORMAT, SAMPLEFORMAT_INT);
	TIFFSetField(tif, TIFFTAG_PHOTOMETRIC, PHOTOMETRIC_MINISBLACK);
	TIFFWriteScanline(tif, tile, 0, 0);
	TIFFClose(tif);
	expect_load_error(p, "not unsigned");
}

/* A file with the DICOM magic goes to the DICOM reader, whose message says DICOM. */
static void test_dicom_dispatch(void **state)
{
	uint8_t buf[300];
	const char *p = t_scratch_path("fake.dcm");

	(void)state;
	memset(buf, 0, sizeof(buf));
	memcpy(buf + 128, "DICM", 4);
	memset(buf + 132, 0xee, sizeof(buf) - 132);
	assert_int_equal(t_write_file(p, buf, sizeof(buf)), 0);
	expect_load_error(p, "DICOM");
}

/* Inputs kept from fuzzing and hand-made corrupt files in tests/data/image-bad-*: each
 * must fail with a message (none of them is a valid image). */
static void test_regression_inputs(void **state)
{
	const char *dir = t_data_path("");
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	(void)state;
	assert_non_null(d);
	while ((e = readdir(d))) {
		char path[4096];
		struct dsr_image *im;

		if (strncmp(e->d_name, "image-bad-", 10))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		im = dsr_image_load(path);
		if (im)
			fail_msg("%s loaded", e->d_name);
		assert_true(strlen(dsr_error()) > 0);
		n++;
	}
	closedir(d);
	assert_true(n >= 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trips),
		cmocka_unit_test(test_save_is_atomic_and_checked),
		cmocka_unit_test(test_new_limits),
		cmocka_unit_test(test_truncated_files),
		cmocka_unit_test(test_wrong_magic),
		cmocka_unit_test(test_absurd_dimensions),
		cmocka_unit_test(test_colour_png),
		cmocka_unit_test(test_png_depths),
		cmocka_unit_test(test_pgm_variants),
		cmocka_unit_test(test_tiff_variants),
		cmocka_unit_test(test_dicom_dispatch),
		cmocka_unit_test(test_regression_inputs),
	};

	return cmocka_run_group_tests(tests, NULL, t_scratch_teardown);
}
