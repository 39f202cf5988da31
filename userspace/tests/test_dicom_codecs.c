/*
 * test_dicom_codecs.c - archive DICOM: every transfer syntax read and checked pixel for
 * pixel. Test files are made at test time by DCMTK's own encoders (dcmcjpeg, dcmcjpls,
 * dcmcrle, dcmconv) and OpenJPEG's opj_compress, at 8, 12 and 16 bits, from an
 * uncompressed image whose pixels the test knows. Lossless encodings must give exactly
 * those pixels; lossy ones exactly what the encoder's own decoder makes of the file
 * (dcmdjpeg, dcmdjpls, opj_decompress). Also: a valid file whose 128-byte preamble
 * begins with TIFF magic, multi-frame files and the --frame choice, and sizes over the
 * memory budget refused from the header, before decoding.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <zlib.h>

#include <cmocka.h>

#include "common/dcmgen.h"
#include "common/testutil.h"
#include "dsr/dicom.h"
#include "dsr/error.h"
#include "dsr/image.h"

#define W 48
#define H 40
#define FRAMES 3

static const unsigned depths[] = { 8, 12, 16 };
static uint16_t pixels[3][FRAMES * W * H];	/* per depth, every frame */

/* Run a shell command (output to a log); 0 if it exited 0. */
static int sh(const char *fmt, ...)
{
	char cmd[4096], full[4400];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	snprintf(full, sizeof(full), "(%s) >>'%s/tools.log' 2>&1", cmd, t_scratch_dir());
	int st = system(full);
	return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -1;
}

/* A scratch file name that stays valid for the next 255 calls (t_scratch_path reuses
 * one buffer). */
static char *path(const char *fmt, ...)
{
	static char bufs[256][512];
	static unsigned k;
	char name[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(name, sizeof(name), fmt, ap);
	va_end(ap);
	char *b = bufs[k++ % 256];
	snprintf(b, 512, "%s", t_scratch_path(name));
	return b;
}

/* Smooth structure plus a little texture, full range of the depth, different per frame. */
static void make_pixels(void)
{
	struct t_rng r;
	t_rng_seed(&r, 14);
	for (int d = 0; d < 3; d++) {
		double maxv = (double)((1u << depths[d]) - 1);
		for (int f = 0; f < FRAMES; f++)
			for (int y = 0; y < H; y++)
				for (int x = 0; x < W; x++) {
					double v = 0.15 + 0.7 * (x + y + 9 * f) / (W + H + 9.0 * FRAMES) +
						   0.04 * ((x / 6 + y / 5) % 2) +
						   t_rng_uniform(&r, -0.02, 0.02);
					pixels[d][(size_t)f * W * H + y * W + x] = (uint16_t)(v * maxv);
				}
	}
}

static int setup(void **state)
{
	(void)state;
	make_pixels();
	for (int d = 0; d < 3; d++) {
		unsigned alloc = depths[d] == 8 ? 8 : 16;
		if (t_dicom_write_grey(path("raw%u.dcm", depths[d]), W, H, alloc, depths[d], 1,
				       pixels[d]) < 0 ||
		    t_dicom_write_grey(path("multi%u.dcm", depths[d]), W, H, alloc, depths[d],
				       FRAMES, pixels[d]) < 0)
			return -1;
	}
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	if (!getenv("DSR_KEEP_CODEC_FILES"))
		t_scratch_cleanup();
	return 0;
}

/* @file loads as frame @frame of depth index @d, pixel for pixel. */
static void assert_pixels(const char *file, int d, long frame)
{
	struct dsr_image *im = dsr_image_load_frame(file, frame);
	if (!im)
		fail_msg("%s: %s", file, dsr_error());
	assert_int_equal(im->width, W);
	assert_int_equal(im->height, H);
	assert_int_equal(im->bits, depths[d]);
	const uint16_t *want = pixels[d] + (size_t)(frame < 0 ? 0 : frame) * W * H;
	for (size_t i = 0; i < (size_t)W * H; i++)
		if (im->pixels[i] != want[i])
			fail_msg("%s: pixel (%zu, %zu) = %u, expected %u", file, i % W, i / W,
				 im->pixels[i], want[i]);
	dsr_image_free(im);
}

/* @a and @b load to the same pixels (a lossy file against its encoder's decoding). */
static void assert_same(const char *a, const char *b)
{
	struct dsr_image *x = dsr_image_load(a), *y = dsr_image_load(b);
	if (!x || !y)
		fail_msg("%s / %s: %s", a, b, dsr_error());
	assert_int_equal(x->width, y->width);
	assert_int_equal(x->height, y->height);
	assert_memory_equal(x->pixels, y->pixels, (size_t)x->width * x->height * 2);
	dsr_image_free(x);
	dsr_image_free(y);
}

/* The transfer syntax UID a file was written in. */
static void assert_xfer(const char *file, const char *uid)
{
	const char *log = path("xfer.log");
	char cmd[1200];
	snprintf(cmd, sizeof(cmd), "dcmdump -M -Un +P TransferSyntaxUID '%s' >'%s' 2>&1", file, log);
	assert_int_equal(system(cmd), 0);
	size_t n;
	char *t = t_read_file(log, &n);
	assert_non_null(t);
	t = realloc(t, n + 1);
	t[n] = '\0';
	int ok = strstr(t, uid) != NULL;
	if (!ok)
		print_error("%s: expected transfer syntax %s, dcmdump says\n%s", file, uid, t);
	free(t);
	assert_true(ok);
}

/* Lossless: JPEG process 14 (SV1 and any predictor), JPEG-LS, RLE, JPEG 2000, and the
 * uncompressed encodings other than the one written. */
static void test_lossless(void **state)
{
	(void)state;
	for (int d = 0; d < 3; d++) {
		unsigned b = depths[d];
		const char *raw = path("raw%u.dcm", b);
		struct { const char *cmd, *name, *uid; } enc[] = {
			{ "dcmcjpeg +e1", "jpeg-sv1", "1.2.840.10008.1.2.4.70" },
			{ "dcmcjpeg +el", "jpeg-lossless", "1.2.840.10008.1.2.4.57" },
			{ "dcmcjpls +el", "jpegls", "1.2.840.10008.1.2.4.80" },
			{ "dcmcrle", "rle", "1.2.840.10008.1.2.5" },
			{ "dcmconv +ti", "implicit", "1.2.840.10008.1.2" },
			{ "dcmconv +tb", "bigendian", "1.2.840.10008.1.2.2" },
			{ "dcmconv +td", "deflated", "1.2.840.10008.1.2.1.99" },
		};
		assert_pixels(raw, d, -1);
		for (size_t i = 0; i < sizeof(enc) / sizeof(enc[0]); i++) {
			const char *out = path("%s%u.dcm", enc[i].name, b);
			assert_int_equal(sh("%s '%s' '%s'", enc[i].cmd, raw, out), 0);
			assert_xfer(out, enc[i].uid);
			assert_pixels(out, d, -1);
		}
		/* JPEG 2000 lossless: OpenJPEG's reversible 5/3 on a PGM of the pixels */
		struct dsr_image *im = dsr_image_load(raw);
		assert_non_null(im);
		const char *pgm = path("j2k%u.pgm", b), *j2k = path("j2k%u.j2k", b);
		assert_int_equal(dsr_image_save(im, pgm), 0);
		dsr_image_free(im);
		assert_int_equal(sh("opj_compress -i '%s' -o '%s'", pgm, j2k), 0);
		const char *out = path("j2k%u.dcm", b);
		assert_int_equal(t_dicom_encapsulate(raw, &j2k, 1, "1.2.840.10008.1.2.4.90", out), 0);
		assert_xfer(out, "1.2.840.10008.1.2.4.90");
		assert_pixels(out, d, -1);
	}
}

/* Lossy: JPEG baseline (8 bits), extended (12 bits), JPEG-LS near-lossless, JPEG 2000
 * irreversible; each equal to its own encoder's decoding, and close to the original. */
static void test_lossy(void **state)
{
	(void)state;
	for (int d = 0; d < 3; d++) {
		unsigned b = depths[d];
		const char *raw = path("raw%u.dcm", b);
		if (b == 8) {
			const char *o = path("jpeg-baseline.dcm"), *u = path("jpeg-baseline-d.dcm");
			assert_int_equal(sh("dcmcjpeg +eb '%s' '%s' && dcmdjpeg '%s' '%s'", raw, o, o, u), 0);
			assert_xfer(o, "1.2.840.10008.1.2.4.50");
			assert_same(o, u);
		}
		if (b <= 12) {
			const char *o = path("jpeg-extended%u.dcm", b), *u = path("jpeg-extended%u-d.dcm", b);
			assert_int_equal(sh("dcmcjpeg +ee '%s' '%s' && dcmdjpeg '%s' '%s'", raw, o, o, u), 0);
			assert_xfer(o, "1.2.840.10008.1.2.4.51");
			assert_same(o, u);
		}
		const char *o = path("jpegls-near%u.dcm", b), *u = path("jpegls-near%u-d.dcm", b);
		assert_int_equal(sh("dcmcjpls +en '%s' '%s' && dcmdjpls '%s' '%s'", raw, o, o, u), 0);
		assert_xfer(o, "1.2.840.10008.1.2.4.81");
		assert_same(o, u);
		/* JPEG 2000 irreversible, against opj_decompress of the same codestream */
		const char *pgm = path("j2k%u.pgm", b), *j2k = path("j2k-lossy%u.j2k", b);
		const char *dec = path("j2k-lossy%u-d.pgm", b), *out = path("j2k-lossy%u.dcm", b);
		assert_int_equal(sh("opj_compress -I -r 8 -i '%s' -o '%s' && opj_decompress -i '%s' -o '%s'",
				    pgm, j2k, j2k, dec), 0);
		assert_int_equal(t_dicom_encapsulate(raw, &j2k, 1, "1.2.840.10008.1.2.4.91", out), 0);
		assert_xfer(out, "1.2.840.10008.1.2.4.91");
		assert_same(out, dec);
	}
}

/* A valid RLE file whose preamble begins with TIFF magic is DICOM, not a broken TIFF. */
static void test_tiff_magic_preamble(void **state)
{
	(void)state;
	const char *rle = path("rle16.dcm"), *dual = path("tiff-preamble.dcm");
	size_t n;
	unsigned char *b = t_read_file(rle, &n);
	assert_non_null(b);
	assert_true(n > 132 && !memcmp(b + 128, "DICM", 4));
	memcpy(b, "II*\0\x08\0\0\0", 8);
	assert_int_equal(t_write_file(dual, b, n), 0);
	free(b);
	assert_pixels(dual, 2, -1);
}

/* Multi-frame: every frame by number, uncompressed, RLE and JPEG 2000; without a frame
 * the file is refused naming --frame; a frame beyond the last is refused. */
static void test_multiframe(void **state)
{
	(void)state;
	for (int d = 0; d < 3; d++) {
		unsigned b = depths[d];
		const char *raw = path("multi%u.dcm", b), *rle = path("multi-rle%u.dcm", b);
		assert_int_equal(sh("dcmcrle '%s' '%s'", raw, rle), 0);
		const char *cs[FRAMES];
		for (int f = 0; f < FRAMES; f++) {
			struct dsr_image *im = dsr_image_load_frame(raw, f);
			if (!im)
				fail_msg("%s", dsr_error());
			const char *pgm = path("mf%u-%d.pgm", b, f);
			char *j = path("mf%u-%d.j2k", b, f);
			assert_int_equal(dsr_image_save(im, pgm), 0);
			dsr_image_free(im);
			assert_int_equal(sh("opj_compress -i '%s' -o '%s'", pgm, j), 0);
			cs[f] = j;
		}
		const char *j2k = path("multi-j2k%u.dcm", b);
		assert_int_equal(t_dicom_encapsulate(raw, cs, FRAMES, "1.2.840.10008.1.2.4.90", j2k), 0);
		const char *files[] = { raw, rle, j2k };
		for (int k = 0; k < 3; k++) {
			for (long f = 0; f < FRAMES; f++)
				assert_pixels(files[k], d, f);
			assert_null(dsr_image_load(files[k]));
			assert_non_null(strstr(dsr_error(), "--frame"));
			assert_null(dsr_image_load_frame(files[k], FRAMES));
			assert_non_null(strstr(dsr_error(), "frame 4"));
		}
	}
}

/* The command line picks the frame: --frame 2 of a multi-frame JPEG 2000 file against
 * itself is a flat difference; without --frame the file is refused naming the option. */
static void test_frame_option(void **state)
{
	(void)state;
	const char *dsr = getenv("DSR") ? getenv("DSR") : "build/dsr";
	const char *f = path("multi-j2k16.dcm");
	assert_int_equal(sh("'%s' series '%s' '%s' -o '%s' --known 1,0,0,0,1,0 --frame 2 -q "
			    "--no-montage", dsr, f, f, path("frame-out")), 0);
	struct dsr_image *d = dsr_image_load(path("frame-out/difference-01.png"));
	assert_non_null(d);
	for (size_t i = 0; i < (size_t)W * H; i++)
		assert_int_equal(d->pixels[i], 1u << 15);
	dsr_image_free(d);
	assert_int_equal(sh("'%s' series '%s' '%s' -o '%s' --known 1,0,0,0,1,0 -q 2>&1 | "
			    "grep -q -- '--frame'", dsr, f, f, path("frame-out2")), 0);
}

/* Declared sizes over the budget are refused from the header: a PNG of 500 KB that
 * declares 16000 x 16000 (it cost 6.3 GB and 32 s), and a DICOM whose frames would
 * decode to more than DSR_DECODE_BUDGET. */
static void test_memory_budget(void **state)
{
	(void)state;
	static const unsigned char sig[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };
	unsigned char png[80];
	unsigned char ihdr[17] = { 'I', 'H', 'D', 'R', 0, 0, 0x3e, 0x80, 0, 0, 0x3e, 0x80, 8, 0, 0, 0, 0 };
	memcpy(png, sig, 8);
	png[8] = 0; png[9] = 0; png[10] = 0; png[11] = 13;
	memcpy(png + 12, ihdr, 17);
	uint32_t crc = (uint32_t)crc32(0, ihdr, 17);
	png[29] = crc >> 24; png[30] = crc >> 16; png[31] = crc >> 8; png[32] = crc;
	/* an empty IDAT: the header is all a loader may read before refusing */
	static const unsigned char idat[12] = { 0, 0, 0, 0, 'I', 'D', 'A', 'T', 0x35, 0xaf, 0x06, 0x1e };
	memcpy(png + 33, idat, 12);
	assert_int_equal(t_write_file(path("huge.png"), png, 45), 0);
	assert_null(dsr_image_load(path("huge.png")));
	assert_non_null(strstr(dsr_error(), "16000x16000"));
	assert_non_null(strstr(dsr_error(), "outside the limits"));
	/* 4096 x 4096 x 40 frames of 16 bits = 1280 MiB declared, in a file of a few KB */
	const char *big = path("big-frames.dcm");
	assert_int_equal(sh("cp '%s' '%s' && dcmodify -nb -m '(0028,0010)=4096' -m '(0028,0011)=4096' "
			    "-m '(0028,0008)=40' '%s'", path("multi16.dcm"), big, big), 0);
	assert_null(dsr_image_load_frame(big, 0));
	assert_non_null(strstr(dsr_error(), "memory budget"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lossless),
		cmocka_unit_test(test_lossy),
		cmocka_unit_test(test_tiff_magic_preamble),
		cmocka_unit_test(test_multiframe),
		cmocka_unit_test(test_frame_option),
		cmocka_unit_test(test_memory_budget),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
