/*
 * test_record.c - the dental record (record.h) and what `dsr series` writes for it: teeth
 * in FDI and Universal numbering as the IOD's coded anatomy, visit dates, CDT D0394 in the
 * Procedure Code Sequence, a montage that labels every tile and shows a failed follow-up
 * as failed with its reason, the 8-bit display rendering with its window, and the
 * out-of-field pixels marked in every written image and left out of the statistics.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include <cmocka.h>
#include <jansson.h>

#include "common/testutil.h"
#include "dsr/dicom.h"
#include "dsr/error.h"
#include "dsr/image.h"
#include "dsr/model.h"
#include "dsr/montage.h"
#include "dsr/record.h"

/* FDI and Universal name the same teeth; unknown, repeated and malformed lists refused. */
static void test_teeth(void **state)
{
	struct dsr_teeth t;
	char code[16], meaning[64], text[128];
	const char *scheme;
	(void)state;
	assert_int_equal(dsr_teeth_parse("36,37", DSR_TEETH_FDI, &t), 0);
	assert_int_equal(t.n, 2);
	assert_int_equal(dsr_tooth_universal(36), 19);
	assert_int_equal(dsr_tooth_universal(18), 1);
	assert_int_equal(dsr_tooth_universal(28), 16);
	assert_int_equal(dsr_tooth_universal(38), 17);
	assert_int_equal(dsr_tooth_universal(48), 32);
	struct dsr_teeth u;
	assert_int_equal(dsr_teeth_parse("19,18", DSR_TEETH_UNIVERSAL, &u), 0);
	assert_memory_equal(t.fdi, u.fdi, 2);
	dsr_teeth_format(&t, text, sizeof(text));
	assert_string_equal(text, "FDI 36, 37 (UNIVERSAL 19, 18)");
	assert_int_equal(dsr_tooth_code(36, code, sizeof(code), &scheme, meaning, sizeof(meaning)), 0);
	assert_string_equal(code, "T-54390");
	assert_string_equal(scheme, "SRT");
	assert_string_equal(meaning, "Mandibular left first molar tooth");
	assert_int_equal(dsr_tooth_code(11, code, sizeof(code), &scheme, meaning, sizeof(meaning)), 0);
	assert_string_equal(code, "T-54280");
	assert_string_equal(meaning, "Maxillary right central incisor tooth");
	assert_int_equal(dsr_tooth_code(48, code, sizeof(code), &scheme, meaning, sizeof(meaning)), 0);
	assert_string_equal(code, "T-54520");
	/* and back: SRT as written, SCT as CID 4018 lists it; anything else names no tooth */
	assert_int_equal(dsr_tooth_from_code("SRT", "T-54520"), 48);
	assert_int_equal(dsr_tooth_from_code("SRT", "T-54390"), 36);
	assert_int_equal(dsr_tooth_from_code("SCT", "422653006"), 11);
	assert_int_equal(dsr_tooth_from_code("SCT", "38994002"), 48);
	assert_int_equal(dsr_tooth_from_code("SRT", "T-54215"), 0);
	assert_int_equal(dsr_tooth_from_code("SRT", "T-11170"), 0);
	assert_int_equal(dsr_tooth_from_code("DCM", "T-54390"), 0);
	assert_int_equal(dsr_teeth_parse("19", DSR_TEETH_FDI, &t), -1);
	assert_non_null(strstr(dsr_error(), "not a permanent tooth"));
	assert_int_equal(dsr_teeth_parse("33", DSR_TEETH_UNIVERSAL, &t), -1);
	assert_int_equal(dsr_teeth_parse("36,36", DSR_TEETH_FDI, &t), -1);
	assert_int_equal(dsr_teeth_parse("36,", DSR_TEETH_FDI, &t), -1);
	assert_int_equal(dsr_teeth_parse("36;37", DSR_TEETH_FDI, &t), -1);
	char da[9];
	assert_int_equal(dsr_visit_date_parse("--dates", "2026-02-29", da), -1);
	assert_int_equal(dsr_visit_date_parse("--dates", "2024-02-29", da), 0);
	assert_string_equal(da, "20240229");
}

/* Marking, field statistics and the display rendering on a hand-made difference. */
static void test_field_outputs(void **state)
{
	(void)state;
	struct dsr_image *d = dsr_image_new(4, 2, 12);
	uint8_t valid[8] = { 0, 1, 1, 1, 1, 1, 1, 0 };
	uint16_t px[8] = { 2048, 0, 2048, 2058, 2038, 2048, 4095, 5 };
	assert_non_null(d);
	memcpy(d->pixels, px, sizeof(px));
	assert_int_equal(dsr_mark_out_of_field(d, valid), 2);
	assert_int_equal(d->pixels[0], DSR_OUT_OF_FIELD);
	assert_int_equal(d->pixels[7], DSR_OUT_OF_FIELD);
	assert_int_equal(d->pixels[1], 1);	/* an in-field 0 is lifted: 0 means out of field */
	double mean, sd, c, w;
	assert_int_equal(dsr_field_stats(d, valid, &mean, &sd), 6);
	assert_true(fabs(mean - (1 + 2048 + 2058 + 2038 + 2048 + 4095) / 6.0) < 1e-9);
	struct dsr_image *s = dsr_difference_display(d, valid, 2048, &c, &w);
	assert_non_null(s);
	assert_int_equal(s->bits, 8);
	assert_true(c == 2048 && w >= 8);
	assert_int_equal(s->pixels[0], 0);
	assert_int_equal(s->pixels[7], 0);
	assert_int_equal(s->pixels[1], 1);	/* far below the window */
	assert_int_equal(s->pixels[6], 255);
	assert_int_equal(s->pixels[2], 128);	/* midgrey in the middle of 1..255 */
	assert_true(s->pixels[3] > 128 && s->pixels[4] < 128);
	dsr_image_free(s);
	dsr_image_free(d);
}

/* The series montage itself: a failed member's difference tile is FAILED with its reason
 * (dark tile, text), not black; an in-field difference is grey; out of field hatched. */
static void test_series_montage(void **state)
{
	(void)state;
	struct dsr_image *ref = dsr_image_new(64, 48, 12), *live = dsr_image_new(64, 48, 12);
	struct dsr_image *diff = dsr_image_new(64, 48, 12);
	uint8_t valid[64 * 48];
	assert_non_null(ref);
	assert_non_null(live);
	assert_non_null(diff);
	for (size_t i = 0; i < 64 * 48; i++) {
		ref->pixels[i] = live->pixels[i] = (uint16_t)(1000 + (i % 64) * 20);
		diff->pixels[i] = 2048 + (i % 3) - 1;
		valid[i] = i % 64 < 56;	/* the last 8 columns out of field */
	}
	struct dsr_montage_member m[2] = {
		{ live, diff, valid, 2048, "FOLLOW-UP 1  2025-07-02  QUALITY 0.9500", NULL },
		{ live, NULL, NULL, 2048, "FOLLOW-UP 2  FAILED", "registration failed: test" },
	};
	struct dsr_image *mt = dsr_montage_series(ref, "BASELINE", m, 2, "PATIENT: X\nTEETH: 36", 64);
	assert_non_null(mt);
	size_t dark = 0, text = 0;
	for (size_t i = 0; i < (size_t)mt->width * mt->height; i++) {
		dark += mt->pixels[i] == 15;
		text += mt->pixels[i] == 235;
	}
	/* most of one 64x48 tile is the failed tile's background, and there is text */
	assert_true(dark > 64 * 48 / 2 && dark <= 64 * 48);
	assert_true(text > 200);
	dsr_image_free(mt);
	dsr_image_free(ref);
	dsr_image_free(live);
	dsr_image_free(diff);
}

/* ---- dsr series --------------------------------------------------------------------- */

/* A follow-up shifted by 5 px (a strip out of field), one that cannot be read; teeth,
 * dates and identity given. Everything the record needs is in the outputs. */
static void test_series_record(void **state)
{
	(void)state;
	const char *d = t_scratch_dir();
	char p[1024];
	assert_int_equal(t_run_scratch("%s sample -q -o %s/ref.png --follow %s/live.png --size 160x128 "
			               "--bits 12 --shift 5,0 --seed 3 --truth %s/truth.json", t_dsr_bin(), d, d, d), 0);
	assert_int_equal(t_run_scratch("printf 'not an image' >%s/broken.png", d), 0);
	assert_int_equal(t_run_scratch("%s series %s/ref.png %s/live.png %s/broken.png -o %s/rec --dicom "
			               "--patient-id R-1 --patient-name Roe^Ann --teeth 19,18 "
			               "--tooth-numbering universal --dates 2025-01-10,2025-07-02,2026-01-15 "
			               "--known $(python3 -c \"import json;print(','.join(str(v) for v in "
			               "json.load(open('%s/truth.json'))['affine']))\")",
			               t_dsr_bin(), d, d, d, d, d), 1);
	snprintf(p, sizeof(p), "%s/rec/report.json", d);
	json_error_t err;
	json_t *r = json_load_file(p, 0, &err);
	assert_non_null(r);
	json_t *rec = json_object_get(r, "record");
	assert_int_equal(json_integer_value(json_array_get(json_object_get(json_object_get(rec, "teeth"), "fdi"), 0)), 36);
	assert_string_equal(json_string_value(json_object_get(json_object_get(rec, "procedure"), "code")), "D0394");
	assert_non_null(json_object_get(rec, "legend"));
	assert_string_equal(json_string_value(json_object_get(r, "baseline_visit")), "2025-01-10");
	json_t *m0 = json_array_get(json_object_get(r, "members"), 0);
	json_t *m1 = json_array_get(json_object_get(r, "members"), 1);
	assert_string_equal(json_string_value(json_object_get(m0, "visit")), "2025-07-02");
	assert_string_equal(json_string_value(json_object_get(m1, "status")), "failed");
	assert_non_null(strstr(json_string_value(json_object_get(m1, "error")), "broken.png"));
	json_t *diff = json_object_get(m0, "difference");
	json_int_t off = json_integer_value(json_object_get(diff, "out_of_field_pixels"));
	/* 5 px to the right: the last 5 columns (and the rounding column) have no baseline */
	assert_true(off >= 5 * 128 && off <= 7 * 128);
	json_t *disp = json_object_get(diff, "display");
	assert_true(json_number_value(json_object_get(disp, "window_width")) >= 8);
	/* every written image marks exactly the field mask's pixels */
	snprintf(p, sizeof(p), "%s/rec/difference-01.png", d);
	struct dsr_image *png = dsr_image_load(p);
	snprintf(p, sizeof(p), "%s/rec/difference-01.dcm", d);
	struct dsr_image *dcm = dsr_image_load(p);
	snprintf(p, sizeof(p), "%s/rec/difference-01-display.png", d);
	struct dsr_image *shown = dsr_image_load(p);
	assert_non_null(png);
	assert_non_null(dcm);
	assert_non_null(shown);
	assert_int_equal(shown->bits, 8);
	size_t zeros = 0;
	for (size_t i = 0; i < (size_t)png->width * png->height; i++) {
		int z = png->pixels[i] == DSR_OUT_OF_FIELD;
		zeros += z;
		assert_int_equal(z, dcm->pixels[i] == DSR_OUT_OF_FIELD);
		assert_int_equal(z, shown->pixels[i] == 0);
		if (i % png->width == 0)	/* the left edge had a baseline */
			assert_false(z);
	}
	assert_int_equal(zeros, (size_t)off);
	/* the DICOM's overlay plane marks the same pixels: DCMTK's renderer with and without
	 * overlays differs exactly there */
	assert_int_equal(t_run_scratch("dcm2pnm +O 0 +Omr %s/rec/difference-01.dcm %s/rec/ov.pgm && "
			               "dcm2pnm -O %s/rec/difference-01.dcm %s/rec/no.pgm", d, d, d, d), 0);
	snprintf(p, sizeof(p), "%s/rec/ov.pgm", d);
	struct dsr_image *ov = dsr_image_load(p);
	snprintf(p, sizeof(p), "%s/rec/no.pgm", d);
	struct dsr_image *no = dsr_image_load(p);
	assert_non_null(ov);
	assert_non_null(no);
	for (size_t i = 0; i < (size_t)png->width * png->height; i++)
		assert_int_equal(ov->pixels[i] != no->pixels[i], png->pixels[i] == DSR_OUT_OF_FIELD);
	dsr_image_free(ov);
	dsr_image_free(no);
	dsr_image_free(png);
	dsr_image_free(dcm);
	dsr_image_free(shown);
	/* the DICOM: teeth coded, procedure, acquisition date, valid */
	snprintf(p, sizeof(p), "%s/rec/dump.txt", d);
	assert_int_equal(t_run_scratch("sh -c 'dcmdump +P PrimaryAnatomicStructureSequence +P "
			               "ProcedureCodeSequence +P AcquisitionDate %s/rec/difference-01.dcm >%s'",
			               d, p), 0);
	char *t = t_slurp(p);
	assert_non_null(strstr(t, "T-54390"));
	assert_non_null(strstr(t, "T-54380"));
	assert_non_null(strstr(t, "D0394"));
	assert_non_null(strstr(t, "20250702"));
	free(t);
	snprintf(p, sizeof(p), "%s/rec/vfy.txt", d);
	t_run_scratch("sh -c 'dciodvfy %s/rec/difference-01.dcm >%s 2>&1'", d, p);
	t = t_slurp(p);
	if (strstr(t, "Error"))
		fail_msg("dciodvfy:\n%s", t);
	free(t);
	/* the montage: header and three rows; the failed row's difference tile is dark
	 * (FAILED) not black, and a montage tile of the good row is hatched at the edge */
	snprintf(p, sizeof(p), "%s/rec/montage.png", d);
	struct dsr_image *mt = dsr_image_load(p);
	assert_non_null(mt);
	assert_true(mt->height > 2 * 128);
	dsr_image_free(mt);
	json_decref(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_teeth),
		cmocka_unit_test(test_field_outputs),
		cmocka_unit_test(test_series_montage),
		cmocka_unit_test(test_series_record),
	};
	return cmocka_run_group_tests(tests, NULL, t_scratch_teardown);
}
