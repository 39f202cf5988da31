/*
 * test_dicom.c - DICOM in and out.
 *
 * Inputs are written byte by byte by a small independent encoder below (not by DCMTK,
 * which the reader uses), so the reader is checked against the standard's encoding
 * rather than against itself: implicit and explicit VR little endian, 8 and 16 bits
 * allocated, HighBit below the top, MONOCHROME1, signed pixels, rescale. The writer's
 * output is validated by dicom3tools' dciodvfy (no errors allowed) and inspected with
 * DCMTK's dcmdump, then read back bit for bit.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "dsr/dicom.h"
#include "dsr/error.h"
#include "dsr/image.h"

#define TS_IMPLICIT	"1.2.840.10008.1.2"
#define TS_EXPLICIT	"1.2.840.10008.1.2.1"
#define TS_JPEG_BASE	"1.2.840.10008.1.2.4.50"
#define SOP_CR		"1.2.840.10008.5.1.4.1.1.1"

static char tmpdir[64];

/* ---- a minimal, independent DICOM encoder for test inputs -------------------------- */

struct enc {
	unsigned char buf[1 << 20];
	size_t len;
	int explicit_vr;
};

static void put_u16(struct enc *e, unsigned v)
{
	e->buf[e->len++] = v & 0xff;
	e->buf[e->len++] = (v >> 8) & 0xff;
}

static void put_u32(struct enc *e, uint32_t v)
{
	put_u16(e, v & 0xffff);
	put_u16(e, v >> 16);
}

/* One element: tag, VR (explicit only), length, value padded to even length. */
static void put_elem(struct enc *e, unsigned group, unsigned elem, const char *vr,
		     const void *val, size_t n)
{
	int long_form = !strcmp(vr, "OB") || !strcmp(vr, "OW") || !strcmp(vr, "SQ");
	size_t padded = n + (n & 1);
	put_u16(e, group);
	put_u16(e, elem);
	if (e->explicit_vr || group == 2) {
		e->buf[e->len++] = vr[0];
		e->buf[e->len++] = vr[1];
		if (long_form) {
			put_u16(e, 0);
			put_u32(e, (uint32_t)padded);
		} else {
			put_u16(e, (unsigned)padded);
		}
	} else {
		put_u32(e, (uint32_t)padded);
	}
	memcpy(e->buf + e->len, val, n);
	e->len += n;
	if (n & 1)
		e->buf[e->len++] = !strcmp(vr, "UI") || !strcmp(vr, "OB") ? 0 : ' ';
}

static void put_str(struct enc *e, unsigned g, unsigned el, const char *vr, const char *s)
{
	put_elem(e, g, el, vr, s, strlen(s));
}

static void put_us(struct enc *e, unsigned g, unsigned el, unsigned v)
{
	unsigned char b[2] = { v & 0xff, v >> 8 };
	put_elem(e, g, el, "US", b, 2);
}

struct spec {
	const char *ts;
	unsigned rows, cols, samples, bits_alloc, bits_stored, high_bit, pixrep;
	const char *photometric, *frames, *slope, *intercept;
	const void *pixels;
	size_t pixel_bytes;
	int encapsulated;
};

/* Write a Part 10 file for @s to @path. */
static void write_dicom(const char *path, const struct spec *s)
{
	static struct enc e;
	size_t glen_at;
	memset(&e, 0, sizeof(e));
	e.len = 128;
	memcpy(e.buf + e.len, "DICM", 4);
	e.len += 4;
	put_elem(&e, 2, 0, "UL", "\0\0\0\0", 4);
	glen_at = e.len - 4;
	put_elem(&e, 2, 1, "OB", "\0\1", 2);
	put_str(&e, 2, 2, "UI", SOP_CR);
	put_str(&e, 2, 3, "UI", "1.2.826.0.1.3680043.9.7777.1.1");
	put_str(&e, 2, 0x10, "UI", s->ts);
	put_str(&e, 2, 0x12, "UI", "1.2.826.0.1.3680043.9.7777.0");
	uint32_t glen = (uint32_t)(e.len - glen_at - 4);
	memcpy(e.buf + glen_at, &glen, 4);
	e.explicit_vr = strcmp(s->ts, TS_IMPLICIT) != 0;
	put_str(&e, 8, 0x16, "UI", SOP_CR);
	put_str(&e, 8, 0x18, "UI", "1.2.826.0.1.3680043.9.7777.1.1");
	put_str(&e, 0x10, 0x10, "PN", "Test^Patient");
	put_str(&e, 0x10, 0x20, "LO", "P-42");
	put_str(&e, 0x20, 0x0d, "UI", "1.2.826.0.1.3680043.9.7777.2");
	put_us(&e, 0x28, 2, s->samples);
	put_str(&e, 0x28, 4, "CS", s->photometric);
	if (s->frames)
		put_str(&e, 0x28, 8, "IS", s->frames);
	put_us(&e, 0x28, 0x10, s->rows);
	put_us(&e, 0x28, 0x11, s->cols);
	put_us(&e, 0x28, 0x100, s->bits_alloc);
	put_us(&e, 0x28, 0x101, s->bits_stored);
	put_us(&e, 0x28, 0x102, s->high_bit);
	put_us(&e, 0x28, 0x103, s->pixrep);
	if (s->intercept)
		put_str(&e, 0x28, 0x1052, "DS", s->intercept);
	if (s->slope)
		put_str(&e, 0x28, 0x1053, "DS", s->slope);
	if (s->encapsulated) {
		/* OB, undefined length: empty offset table item, one fragment, delimiter */
		put_u16(&e, 0x7fe0); put_u16(&e, 0x10);
		e.buf[e.len++] = 'O'; e.buf[e.len++] = 'B';
		put_u16(&e, 0); put_u32(&e, 0xffffffffu);
		put_u16(&e, 0xfffe); put_u16(&e, 0xe000); put_u32(&e, 0);
		put_u16(&e, 0xfffe); put_u16(&e, 0xe000); put_u32(&e, (uint32_t)(s->pixel_bytes + (s->pixel_bytes & 1)));
		memcpy(e.buf + e.len, s->pixels, s->pixel_bytes);
		e.len += s->pixel_bytes + (s->pixel_bytes & 1);
		put_u16(&e, 0xfffe); put_u16(&e, 0xe0dd); put_u32(&e, 0);
	} else {
		put_elem(&e, 0x7fe0, 0x10, s->bits_alloc == 8 ? "OB" : "OW", s->pixels, s->pixel_bytes);
	}
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(e.buf, 1, e.len, f), e.len);
	fclose(f);
}

static const char *tmp_path(const char *name)
{
	static char p[4][256];
	static int i;
	i = (i + 1) & 3;
	snprintf(p[i], sizeof(p[i]), "%s/%s", tmpdir, name);
	return p[i];
}

/* Little-endian u16 pixels of a w x h ramp-and-noise pattern within @bits. */
static void pattern16(uint16_t *px, unsigned w, unsigned h, unsigned bits)
{
	uint32_t s = 12345;
	for (unsigned i = 0; i < w * h; i++) {
		s = s * 1103515245u + 12345u;
		px[i] = (uint16_t)(((i % w) * 37 + (i / w) * 11 + (s >> 20)) & ((1u << bits) - 1));
	}
}

/* ---- reading ----------------------------------------------------------------------- */

/* Implicit VR little endian, 16 bit allocated, 12 stored: the stored values exactly. */
static void test_read_implicit_16(void **state)
{
	(void)state;
	uint16_t px[40 * 30];
	pattern16(px, 40, 30, 12);
	struct spec s = { TS_IMPLICIT, 30, 40, 1, 16, 12, 11, 0, "MONOCHROME2", NULL, NULL,
			  NULL, px, sizeof(px), 0 };
	const char *p = tmp_path("implicit16.dcm");
	write_dicom(p, &s);
	struct dsr_image *im = dsr_dicom_load(p);
	assert_non_null(im);
	assert_int_equal(im->width, 40);
	assert_int_equal(im->height, 30);
	assert_int_equal(im->bits, 12);
	assert_memory_equal(im->pixels, px, sizeof(px));
	dsr_image_free(im);
}

/* Explicit VR little endian, 8 bit: each byte one pixel. */
static void test_read_explicit_8(void **state)
{
	(void)state;
	uint8_t px[17 * 9];
	for (unsigned i = 0; i < sizeof(px); i++)
		px[i] = (uint8_t)(i * 7 + 3);
	struct spec s = { TS_EXPLICIT, 9, 17, 1, 8, 8, 7, 0, "MONOCHROME2", NULL, NULL, NULL,
			  px, sizeof(px), 0 };
	const char *p = tmp_path("explicit8.dcm");
	write_dicom(p, &s);
	struct dsr_image *im = dsr_dicom_load(p);
	assert_non_null(im);
	assert_int_equal(im->bits, 8);
	for (unsigned i = 0; i < sizeof(px); i++)
		assert_int_equal(im->pixels[i], px[i]);
	dsr_image_free(im);
}

/* 8 bits allocated in implicit VR (pixel data then has VR OW on the reader's side). */
static void test_read_implicit_8_odd(void **state)
{
	(void)state;
	uint8_t px[7 * 5];
	for (unsigned i = 0; i < sizeof(px); i++)
		px[i] = (uint8_t)(255 - i * 5);
	struct spec s = { TS_IMPLICIT, 5, 7, 1, 8, 8, 7, 0, "MONOCHROME2", NULL, NULL, NULL,
			  px, sizeof(px), 0 };
	const char *p = tmp_path("implicit8.dcm");
	write_dicom(p, &s);
	struct dsr_image *im = dsr_dicom_load(p);
	assert_non_null(im);
	for (unsigned i = 0; i < sizeof(px); i++)
		assert_int_equal(im->pixels[i], px[i]);
	dsr_image_free(im);
}

/* MONOCHROME1: higher stored values are darker, so the image is inverted on load. */
static void test_read_monochrome1(void **state)
{
	(void)state;
	uint16_t px[16 * 16];
	pattern16(px, 16, 16, 12);
	struct spec s = { TS_EXPLICIT, 16, 16, 1, 16, 12, 11, 0, "MONOCHROME1", NULL, NULL,
			  NULL, px, sizeof(px), 0 };
	const char *p = tmp_path("mono1.dcm");
	write_dicom(p, &s);
	struct dsr_image *im = dsr_dicom_load(p);
	assert_non_null(im);
	assert_int_equal(im->bits, 12);
	for (unsigned i = 0; i < 16 * 16; i++)
		assert_int_equal(im->pixels[i], 4095 - px[i]);
	dsr_image_free(im);
}

/* HighBit above BitsStored - 1: the stored bits sit high in the word, and bits outside
 * them (an overlay's, say) are ignored. */
static void test_read_high_bit(void **state)
{
	(void)state;
	uint16_t stored[8 * 8], words[8 * 8];
	pattern16(stored, 8, 8, 12);
	for (unsigned i = 0; i < 64; i++)
		words[i] = (uint16_t)((stored[i] << 4) | (i & 0xf));
	struct spec s = { TS_EXPLICIT, 8, 8, 1, 16, 12, 15, 0, "MONOCHROME2", NULL, NULL, NULL,
			  words, sizeof(words), 0 };
	const char *p = tmp_path("highbit.dcm");
	write_dicom(p, &s);
	struct dsr_image *im = dsr_dicom_load(p);
	assert_non_null(im);
	assert_memory_equal(im->pixels, stored, sizeof(stored));
	dsr_image_free(im);
}

/* Rescale that fits 16 bits: out = slope * stored + intercept, depth from the range. */
static void test_read_rescale(void **state)
{
	(void)state;
	uint16_t px[10 * 10];
	pattern16(px, 10, 10, 12);
	struct spec s = { TS_IMPLICIT, 10, 10, 1, 16, 12, 11, 0, "MONOCHROME2", NULL, "2",
			  "100", px, sizeof(px), 0 };
	const char *p = tmp_path("rescale.dcm");
	write_dicom(p, &s);
	struct dsr_image *im = dsr_dicom_load(p);
	assert_non_null(im);
	assert_int_equal(im->bits, 14);	/* 2 * 4095 + 100 = 8290 needs 14 bits */
	for (unsigned i = 0; i < 100; i++)
		assert_int_equal(im->pixels[i], 2 * px[i] + 100);
	dsr_image_free(im);
}

/* Signed pixels with a negative intercept (CT-like): shifted so the lowest possible
 * value is 0, the differences between pixels kept exactly. */
static void test_read_signed_shift(void **state)
{
	(void)state;
	int16_t px[6 * 6];
	for (int i = 0; i < 36; i++)
		px[i] = (int16_t)(i * 100 - 1800);
	struct spec s = { TS_EXPLICIT, 6, 6, 1, 16, 16, 15, 1, "MONOCHROME2", NULL, "1",
			  "-1024", px, sizeof(px), 0 };
	const char *p = tmp_path("signed.dcm");
	write_dicom(p, &s);
	struct dsr_image *im = dsr_dicom_load(p);
	assert_non_null(im);
	assert_int_equal(im->bits, 16);
	for (int i = 0; i < 36; i++)
		assert_int_equal(im->pixels[i], px[i] + 32768);
	dsr_image_free(im);
}

/* What a dsr image cannot hold is refused with a message that says what it was. */
static void expect_refused(const struct spec *s, const char *name, const char *words)
{
	const char *p = tmp_path(name);
	write_dicom(p, s);
	dsr_seterr("%s", "");
	assert_null(dsr_dicom_load(p));
	if (!strstr(dsr_error(), words))
		fail_msg("error '%s' does not mention '%s'", dsr_error(), words);
}

static void test_refuse_unsupported(void **state)
{
	(void)state;
	uint16_t px[4 * 4 * 3] = { 0 };
	struct spec rgb = { TS_EXPLICIT, 4, 4, 3, 16, 16, 15, 0, "RGB", NULL, NULL, NULL, px,
			    sizeof(px), 0 };
	expect_refused(&rgb, "rgb.dcm", "colour");
	struct spec multi = { TS_EXPLICIT, 4, 2, 1, 16, 16, 15, 0, "MONOCHROME2", "2", NULL,
			      NULL, px, 4 * 2 * 2 * 2, 0 };
	expect_refused(&multi, "multi.dcm", "multi-frame");
	struct spec jpeg = { TS_JPEG_BASE, 4, 4, 1, 8, 8, 7, 0, "MONOCHROME2", NULL, NULL, NULL,
			     px, 20, 1 };
	/* archive encodings are decoded (test_dicom_codecs.c); a JPEG stream of zeros is not
	 * one and is refused by the decoder, naming the transfer syntax */
	expect_refused(&jpeg, "jpeg.dcm", "cannot decode JPEG Baseline");
	struct spec short_px = { TS_EXPLICIT, 40, 40, 1, 16, 16, 15, 0, "MONOCHROME2", NULL,
				 NULL, NULL, px, sizeof(px), 0 };
	expect_refused(&short_px, "short.dcm", "PixelData");
	struct spec depth = { TS_EXPLICIT, 4, 4, 1, 16, 4, 3, 0, "MONOCHROME2", NULL, NULL,
			      NULL, px, 32, 0 };
	expect_refused(&depth, "depth.dcm", "BitsStored");
}

/* Not DICOM at all, and a DICOM file cut short: errors, not crashes. */
static void test_refuse_garbage(void **state)
{
	(void)state;
	const char *p = tmp_path("garbage.dcm");
	FILE *f = fopen(p, "wb");
	assert_non_null(f);
	fputs("P5 2 2 255 abcd", f);
	fclose(f);
	assert_null(dsr_dicom_load(p));
	assert_non_null(strstr(dsr_error(), "not a DICOM"));
	assert_int_equal(dsr_dicom_probe(p), 0);

	uint16_t px[32 * 32];
	pattern16(px, 32, 32, 16);
	struct spec s = { TS_EXPLICIT, 32, 32, 1, 16, 16, 15, 0, "MONOCHROME2", NULL, NULL, NULL,
			  px, sizeof(px), 0 };
	const char *q = tmp_path("cut.dcm");
	write_dicom(q, &s);
	assert_int_equal(dsr_dicom_probe(q), 1);
	for (long cut = 140; cut < 1200; cut += 97) {
		assert_int_equal(truncate(q, cut), 0);
		assert_null(dsr_dicom_load(q));
		assert_true(strlen(dsr_error()) > 0);
	}
}

/* ---- writing ----------------------------------------------------------------------- */

/* Run @cmd, return its output (stdout + stderr) in a static buffer, and its status. */
static const char *run(const char *cmd, int *status)
{
	static char out[1 << 16];
	size_t n = 0;
	FILE *f = popen(cmd, "r");
	assert_non_null(f);
	while (n < sizeof(out) - 1) {
		size_t r = fread(out + n, 1, sizeof(out) - 1 - n, f);
		if (r == 0)
			break;
		n += r;
	}
	out[n] = '\0';
	*status = pclose(f);
	return out;
}

/* Two source identities as a clinic's sensor software would write them. */
static void sources(struct dsr_dicom_identity src[2])
{
	memset(src, 0, 2 * sizeof(src[0]));
	for (int i = 0; i < 2; i++) {
		strcpy(src[i].patient_name, "Doe^Jane");
		strcpy(src[i].patient_id, "PID-0042");
		strcpy(src[i].patient_birth_date, "19700101");
		strcpy(src[i].patient_sex, "F");
		strcpy(src[i].study_instance_uid, "1.2.826.0.1.3680043.9.7777.2.1");
		strcpy(src[i].study_id, "S17");
		strcpy(src[i].study_date, "20260101");
		strcpy(src[i].study_time, "101500");
		strcpy(src[i].accession_number, "ACC123");
		strcpy(src[i].referring_physician, "Smith^John");
		strcpy(src[i].modality, "IO");
		strcpy(src[i].sop_class_uid, "1.2.840.10008.5.1.4.1.1.1.3");
		snprintf(src[i].sop_instance_uid, sizeof(src[i].sop_instance_uid),
			 "1.2.826.0.1.3680043.9.7777.3.%d", i + 1);
	}
}

/* Write a difference image; dciodvfy finds no error, dcmdump shows the identity and both
 * source references, and the pixels read back bit for bit. */
static void test_write_derived(void **state)
{
	(void)state;
	struct dsr_dicom_identity src[2], back;
	sources(src);
	struct dsr_image *im = dsr_image_new(64, 48, 12);
	assert_non_null(im);
	pattern16(im->pixels, 64, 48, 12);
	struct dsr_dicom_derived d = { .identity = &src[0], .sources = src, .n_sources = 2,
				       .derivation = "live - warp(reference); test",
				       .midgrey = 2048 };
	char sop[DSR_DICOM_UID_LEN] = "";
	const char *p = tmp_path("diff.dcm");
	assert_int_equal(dsr_dicom_save_derived(im, &d, p, sop), 0);
	assert_true(strlen(sop) > 10);

	int st;
	char cmd[512];
	snprintf(cmd, sizeof(cmd), "dciodvfy '%s' 2>&1", p);
	const char *out = run(cmd, &st);
	if (strstr(out, "Error"))
		fail_msg("dciodvfy reports errors:\n%s", out);
	assert_non_null(strstr(out, "SC"));	/* it recognised the IOD it checked */

	snprintf(cmd, sizeof(cmd), "dcmdump '%s' 2>&1", p);
	out = run(cmd, &st);
	assert_int_equal(st, 0);
	const char *expect[] = { "Doe^Jane", "PID-0042", "19700101", "ACC123", "Smith^John",
				 "1.2.826.0.1.3680043.9.7777.2.1", "DERIVED\\SECONDARY",
				 "1.2.826.0.1.3680043.9.7777.3.1", "1.2.826.0.1.3680043.9.7777.3.2",
				 "(0008,2112)", "(0008,1140)", "121322", "MONOCHROME2",
				 "live - warp(reference); test", sop };
	for (size_t i = 0; i < sizeof(expect) / sizeof(expect[0]); i++)
		if (!strstr(out, expect[i]))
			fail_msg("dcmdump lacks '%s':\n%s", expect[i], out);

	struct dsr_image *rd = dsr_dicom_load(p);
	assert_non_null(rd);
	assert_int_equal(rd->width, 64);
	assert_int_equal(rd->height, 48);
	assert_int_equal(rd->bits, 12);
	assert_memory_equal(rd->pixels, im->pixels, 64 * 48 * 2);
	dsr_image_free(rd);

	assert_int_equal(dsr_dicom_read_identity(p, &back), 0);
	assert_string_equal(back.patient_name, "Doe^Jane");
	assert_string_equal(back.study_instance_uid, src[0].study_instance_uid);
	assert_string_equal(back.sop_instance_uid, sop);
	assert_string_equal(back.sop_class_uid, "1.2.840.10008.5.1.4.1.1.7");
	assert_string_not_equal(back.sop_instance_uid, src[0].sop_instance_uid);
	dsr_image_free(im);
}

/* No sources: an anonymous study of its own, still a valid object; 16-bit full range
 * survives the round trip; a shared series UID is used as given. */
static void test_write_anonymous(void **state)
{
	(void)state;
	struct dsr_image *im = dsr_image_new(33, 21, 16);
	assert_non_null(im);
	pattern16(im->pixels, 33, 21, 16);
	im->pixels[0] = 0;
	im->pixels[1] = 65535;
	char series[DSR_DICOM_UID_LEN];
	dsr_dicom_new_uid(series);
	struct dsr_dicom_derived d = { .series_instance_uid = series, .midgrey = 32768 };
	const char *p = tmp_path("anon.dcm");
	assert_int_equal(dsr_dicom_save_derived(im, &d, p, NULL), 0);
	int st;
	char cmd[512];
	snprintf(cmd, sizeof(cmd), "dciodvfy '%s' 2>&1", p);
	const char *out = run(cmd, &st);
	if (strstr(out, "Error"))
		fail_msg("dciodvfy reports errors:\n%s", out);
	snprintf(cmd, sizeof(cmd), "dcmdump +P SeriesInstanceUID '%s' 2>&1", p);
	out = run(cmd, &st);
	assert_non_null(strstr(out, series));
	struct dsr_image *rd = dsr_dicom_load(p);
	assert_non_null(rd);
	assert_int_equal(rd->bits, 16);
	assert_memory_equal(rd->pixels, im->pixels, 33 * 21 * 2);
	dsr_image_free(rd);
	dsr_image_free(im);
}

/* The same file through dsr_image_load: DICOM is recognised by content. */
static void test_image_load_dispatch(void **state)
{
	(void)state;
	uint16_t px[12 * 12];
	pattern16(px, 12, 12, 14);
	struct spec s = { TS_IMPLICIT, 12, 12, 1, 16, 14, 13, 0, "MONOCHROME2", NULL, NULL, NULL,
			  px, sizeof(px), 0 };
	const char *p = tmp_path("dispatch.dcm");
	write_dicom(p, &s);
	struct dsr_image *im = dsr_image_load(p);
	if (!im)
		fail_msg("dsr_image_load: %s", dsr_error());
	assert_int_equal(im->bits, 14);
	assert_memory_equal(im->pixels, px, sizeof(px));
	dsr_image_free(im);
}

static int setup(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/test_dicom.XXXXXX");
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_read_implicit_16),
		cmocka_unit_test(test_read_explicit_8),
		cmocka_unit_test(test_read_implicit_8_odd),
		cmocka_unit_test(test_read_monochrome1),
		cmocka_unit_test(test_read_high_bit),
		cmocka_unit_test(test_read_rescale),
		cmocka_unit_test(test_read_signed_shift),
		cmocka_unit_test(test_refuse_unsupported),
		cmocka_unit_test(test_refuse_garbage),
		cmocka_unit_test(test_write_derived),
		cmocka_unit_test(test_write_anonymous),
		cmocka_unit_test(test_image_load_dispatch),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
