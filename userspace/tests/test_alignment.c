/*
 * test_alignment.c - the parameter file: canonical round trips, the rules between
 * "affine" and "registers", binding to a frame, the older spellings other tools wrote,
 * and a long list of malformed files, each refused with a message naming the key.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/testutil.h"
#include "dsr/alignment.h"
#include "dsr/error.h"

static const char *write_json(const char *name, const char *text)
{
	const char *p = t_scratch_path(name);

	assert_int_equal(t_write_file(p, text, strlen(text)), 0);
	return p;
}

/* A complete alignment: a real transform, 12-bit frame, histogram LUT, quality. */
static void make_full(struct dsr_alignment *al)
{
	struct dsr_affine a = { 0.9987, -0.0512, 13.25, 0.0498, 1.0013, -7.5 };

	dsr_alignment_init(al);
	dsr_params_default(&al->params, 640, 480, 12);
	assert_int_equal(dsr_params_set_affine(&al->params, &a), 0);
	al->affine = a;
	al->params.gain = 300;
	al->params.midgrey = 2000;
	al->lut = malloc(DSR_LUT_SIZE * sizeof(uint16_t));
	assert_non_null(al->lut);
	for (uint32_t i = 0; i < DSR_LUT_SIZE; i++)
		al->lut[i] = (uint16_t)(((i & 4095) * 3 / 4 + 100) & 0xffff);
	snprintf(al->lut_kind, sizeof(al->lut_kind), "histogram");
	al->quality = 0.97;
}

static void test_round_trip(void **state)
{
	struct dsr_alignment al, back;
	json_t *extra = json_pack("{s:s, s:[i,i]}", "method", "registered", "lesion", 3, 4);
	const char *path = t_scratch_path("full.json");
	size_t len;
	char *text;

	(void)state;
	make_full(&al);
	assert_int_equal(dsr_alignment_save(&al, path, extra), 0);
	text = t_read_file(path, &len);
	assert_non_null(text);
	text = realloc(text, len + 1);
	text[len] = 0;
	assert_non_null(strstr(text, "\"mode\":\"subtract\""));
	assert_non_null(strstr(text, "\"kind\":\"histogram\""));
	assert_non_null(strstr(text, "\"method\": \"registered\""));
	free(text);

	assert_int_equal(dsr_alignment_load(path, &back), 0);
	assert_memory_equal(&back.params, &al.params, sizeof(al.params));
	assert_true(back.affine.a11 == al.affine.a11 && back.affine.tx == al.affine.tx &&
		    back.affine.ty == al.affine.ty && back.affine.a12 == al.affine.a12);
	assert_non_null(back.lut);
	assert_memory_equal(back.lut, al.lut, DSR_LUT_SIZE * 2);
	assert_string_equal(back.lut_kind, "histogram");
	assert_true(back.quality == 0.97);
	assert_non_null(back.extra);
	assert_string_equal(json_string_value(json_object_get(back.extra, "method")), "registered");
	assert_int_equal(json_array_size(json_object_get(back.extra, "lesion")), 2);

	/* extra keys survive a second save without being passed again */
	assert_int_equal(dsr_alignment_save(&back, path, NULL), 0);
	dsr_alignment_free(&back);
	assert_int_equal(dsr_alignment_load(path, &back), 0);
	assert_non_null(json_object_get(back.extra, "lesion"));
	assert_null(back.lut == NULL ? "lost lut" : NULL);
	dsr_alignment_free(&back);
	assert_null(back.lut);
	assert_null(back.extra);
	dsr_alignment_free(&al);
	json_decref(extra);
}

/* With only "affine" the registers are quantised from it and the frame is bound later. */
static void test_affine_only(void **state)
{
	struct dsr_alignment al;
	const char *p = write_json("aff.json", "{\"affine\": [1.0001, 0.002, 5.5, -0.002, 0.9999, -3.25]}");

	(void)state;
	assert_int_equal(dsr_alignment_load(p, &al), 0);
	assert_int_equal(al.params.width, 0);
	assert_int_equal(al.params.a11, (int32_t)lrint(1.0001 * (1 << 24)));
	assert_int_equal(al.params.tx, (int32_t)(5.5 * 65536));
	assert_int_equal(al.params.ty, (int32_t)(-3.25 * 65536));
	assert_int_equal(al.params.mode, DSR_MODE_SUBTRACT);
	assert_null(al.lut);
	assert_true(isnan(al.quality));
	assert_int_equal(dsr_alignment_for_frame(&al, 320, 200, 14), 0);
	assert_int_equal(al.params.width, 320);
	assert_int_equal(al.params.pixel_bits, 14);
	assert_int_equal(al.params.midgrey, 8192);
	assert_int_equal(al.params.gain, 256);
	/* bound now: another size is an error */
	assert_int_equal(dsr_alignment_for_frame(&al, 321, 200, 14), -1);
	assert_non_null(strstr(dsr_error(), "320x200"));
	assert_int_equal(dsr_alignment_for_frame(&al, 320, 200, 12), -1);
	assert_non_null(strstr(dsr_error(), "14-bit"));
	dsr_alignment_free(&al);
	/* a depth the board cannot take */
	assert_int_equal(dsr_alignment_load(p, &al), 0);
	assert_int_equal(dsr_alignment_for_frame(&al, 320, 200, 8), -1);
	assert_non_null(strstr(dsr_error(), "pixel_bits"));
	dsr_alignment_free(&al);
}

/* Registers alone give the affine they implement; with both, they must agree to half
 * a register step. Integer "mode" and the older LUT spelling are read too. */
static void test_registers_and_agreement(void **state)
{
	struct dsr_alignment al;
	char text[1024];
	const char *regs = "\"registers\": {\"mode\": \"warp\", \"width\": 64, \"height\": 32, "
			   "\"pixel_bits\": 12, \"a11\": 16777216, \"a12\": 8, \"a21\": -8, "
			   "\"a22\": 16777216, \"tx\": 98304, \"ty\": -65536, \"gain\": 256, "
			   "\"midgrey\": 2048}";
	const char *p;

	(void)state;
	snprintf(text, sizeof(text), "{%s}", regs);
	p = write_json("regs.json", text);
	assert_int_equal(dsr_alignment_load(p, &al), 0);
	assert_int_equal(al.params.mode, DSR_MODE_WARP);
	assert_true(al.affine.tx == 1.5 && al.affine.ty == -1.0);
	assert_true(al.affine.a12 == 8.0 / (1 << 24));
	assert_int_equal(dsr_alignment_for_frame(&al, 64, 32, 12), 0);
	dsr_alignment_free(&al);

	/* tx = 1.5 + 0.4 step: inside the bound */
	snprintf(text, sizeof(text), "{\"affine\": [1, %.17g, %.17g, %.17g, 1, -1], %s}",
		 8.0 / (1 << 24), 1.5 + 0.4 / 65536, -8.0 / (1 << 24), regs);
	p = write_json("agree.json", text);
	assert_int_equal(dsr_alignment_load(p, &al), 0);
	assert_true(al.affine.tx == 1.5 + 0.4 / 65536);	/* the float stays as given */
	dsr_alignment_free(&al);
	/* 0.6 step: outside */
	snprintf(text, sizeof(text), "{\"affine\": [1, %.17g, %.17g, %.17g, 1, -1], %s}",
		 8.0 / (1 << 24), 1.5 + 0.6 / 65536, -8.0 / (1 << 24), regs);
	p = write_json("disagree.json", text);
	assert_int_equal(dsr_alignment_load(p, &al), -1);
	assert_non_null(strstr(dsr_error(), "tx"));
	assert_non_null(strstr(dsr_error(), "quantisation bound"));
	/* a matrix entry off by 2 steps */
	snprintf(text, sizeof(text), "{\"affine\": [1, %.17g, 1.5, %.17g, 1, -1], %s}",
		 10.0 / (1 << 24), -8.0 / (1 << 24), regs);
	p = write_json("disagree2.json", text);
	assert_int_equal(dsr_alignment_load(p, &al), -1);
	assert_non_null(strstr(dsr_error(), "a12"));

	/* older spellings: integer mode, lut.method + top-level lut_table of 2^12 */
	{
		size_t cap = 64 * 1024, n;
		char *big = malloc(cap);

		assert_non_null(big);
		n = (size_t)snprintf(big, cap, "{\"registers\": {\"mode\": 2, \"width\": 8, "
			"\"height\": 8, \"pixel_bits\": 12, \"a11\": 16777216, \"a12\": 0, "
			"\"a21\": 0, \"a22\": 16777216, \"tx\": 0, \"ty\": 0, \"gain\": 256, "
			"\"midgrey\": 2048}, \"lut\": {\"method\": \"linear\", \"gain\": 1.1}, "
			"\"lut_table\": [");
		for (int i = 0; i < 4096; i++)
			n += (size_t)snprintf(big + n, cap - n, "%s%d", i ? "," : "", 4095 - i);
		snprintf(big + n, cap - n, "]}");
		p = write_json("legacy.json", big);
		free(big);
	}
	assert_int_equal(dsr_alignment_load(p, &al), 0);
	assert_int_equal(al.params.mode, DSR_MODE_SUBTRACT);
	assert_string_equal(al.lut_kind, "linear");
	assert_non_null(al.lut);
	assert_int_equal(al.lut[0], 4095);
	assert_int_equal(al.lut[4095], 0);
	assert_int_equal(al.lut[4096], 4095);	/* repeated over the masked bits */
	assert_int_equal(al.lut[65535], 0);
	assert_null(json_object_get(al.extra, "lut_table"));
	dsr_alignment_free(&al);
}

/* Expect @text to be refused with every string of @msgs in the message. */
static void expect_refused(const char *text, const char *msg1, const char *msg2)
{
	struct dsr_alignment al;
	const char *p = write_json("bad.json", text);

	if (dsr_alignment_load(p, &al) != -1)
		fail_msg("accepted: %s", text);
	if (!strstr(dsr_error(), msg1) || (msg2 && !strstr(dsr_error(), msg2)))
		fail_msg("for %s\n  error '%s' lacks '%s' / '%s'", text, dsr_error(), msg1,
			 msg2 ? msg2 : "");
	assert_null(al.lut);	/* nothing left behind on failure */
	assert_null(al.extra);
}

#define REGS(over) "{\"registers\": {\"mode\": \"subtract\", \"width\": 64, \"height\": 32, " \
	"\"pixel_bits\": 12, \"a11\": 16777216, \"a12\": 0, \"a21\": 0, \"a22\": 16777216, " \
	"\"tx\": 0, \"ty\": 0, \"gain\": 256, " over "}"

static void test_malformed(void **state)
{
	(void)state;
	expect_refused("", "line", NULL);
	expect_refused("{\"affine\": [1, 0, 0, 0, 1, 0]", "line 1", NULL);
	expect_refused("{\"affine\": [1, 0, 0, 0, 1, 0], \"affine\": [1, 0, 0, 0, 1, 0]}",
		       "duplicate", NULL);
	expect_refused("[1, 2, 3]", "not a JSON object", NULL);
	expect_refused("{}", "needs \"affine\", \"homography\" or \"registers\"", NULL);
	expect_refused("{\"quality\": 0.5}", "needs", NULL);
	expect_refused("{\"affine\": [1, 0, 0, 0, 1]}", "affine", "6 numbers");
	expect_refused("{\"affine\": {\"a11\": 1}}", "affine", "array");
	expect_refused("{\"affine\": [1, 0, \"0\", 0, 1, 0]}", "affine", "finite number");
	expect_refused("{\"affine\": [1, 0, 1e300, 0, 1, 0]}", "tx", "range");
	expect_refused("{\"affine\": [200, 0, 0, 0, 1, 0]}", "a11", "range");
	expect_refused(REGS("\"midgrey\": 2048.5") "}", "registers.midgrey", "integer");
	expect_refused(REGS("\"midgrey\": 4096") "}", "midgrey", NULL);
	expect_refused(REGS("\"midgrey\": -1") "}", "registers.midgrey", NULL);
	expect_refused(REGS("\"midgrey\": 1") "x", "line", NULL);
	expect_refused("{\"registers\": {\"mode\": \"subtract\"}}", "registers.width", "missing");
	expect_refused("{\"registers\": [1]}", "registers", "object");
	expect_refused("{\"registers\": {\"mode\": \"bogus\", \"width\": 1}}", "registers.mode",
		       "subtract");
	expect_refused("{\"registers\": {\"mode\": 7, \"width\": 1}}", "registers.mode", "[0, 3]");
	expect_refused("{\"registers\": {\"mode\": \"warp\", \"width\": 0, \"height\": 32, "
		       "\"pixel_bits\": 12, \"a11\": 0, \"a12\": 0, \"a21\": 0, \"a22\": 0, "
		       "\"tx\": 0, \"ty\": 0, \"gain\": 256, \"midgrey\": 0}}", "registers", "width");
	expect_refused("{\"registers\": {\"mode\": \"warp\", \"width\": 64, \"height\": 32, "
		       "\"pixel_bits\": 20, \"a11\": 0, \"a12\": 0, \"a21\": 0, \"a22\": 0, "
		       "\"tx\": 0, \"ty\": 0, \"gain\": 256, \"midgrey\": 0}}", "pixel_bits", NULL);
	expect_refused("{\"registers\": {\"mode\": \"warp\", \"width\": 64, \"height\": 32, "
		       "\"pixel_bits\": 12, \"a11\": 2147483648, \"a12\": 0, \"a21\": 0, "
		       "\"a22\": 0, \"tx\": 0, \"ty\": 0, \"gain\": 256, \"midgrey\": 0}}",
		       "registers.a11", "2147483647");
	expect_refused(REGS("\"midgrey\": 2048, \"gain\": 70000") "}", "duplicate", NULL);
	expect_refused(REGS("\"midgrey\": 2048") ", \"quality\": 2}", "quality", "[-1, 1]");
	expect_refused(REGS("\"midgrey\": 2048") ", \"quality\": \"good\"}", "quality", NULL);
	expect_refused(REGS("\"midgrey\": 2048") ", \"lut\": []}", "lut", "object");
	expect_refused(REGS("\"midgrey\": 2048") ", \"lut\": {\"kind\": \"magic\"}}", "lut.kind", NULL);
	expect_refused(REGS("\"midgrey\": 2048") ", \"lut\": {\"kind\": 3}}", "lut.kind", NULL);
	expect_refused(REGS("\"midgrey\": 2048") ", \"lut\": {\"kind\": \"linear\"}}",
		       "lut.entries", "missing");
	expect_refused(REGS("\"midgrey\": 2048") ", \"lut\": {\"entries\": [1, 2]}}", "lut.kind",
		       "missing");
	expect_refused(REGS("\"midgrey\": 2048") ", \"lut\": {\"kind\": \"linear\", "
		       "\"entries\": [1, 2, 3]}}", "lut.entries", "4096");
	expect_refused(REGS("\"midgrey\": 2048") ", \"lut\": {\"kind\": \"linear\", "
		       "\"entries\": \"none\"}}", "lut.entries", "array");
	expect_refused("{\"affine\": [1, 0, 0, 0, 1, 0], \"lut\": {\"kind\": \"linear\", "
		       "\"entries\": [1, 2, 3]}}", "lut.entries", "4096");
	expect_refused("{\"affine\": [1, 0, 0, 0, 1, 0], \"lut_table\": [1]}", "lut.kind",
		       "missing");
}

/* Wrong LUT entries, in a table big enough to be plausible. */
/* "homography": written instead of "affine" when projective, read back to the same
 * registers; affine files keep their form; wrong sizes, both transforms, perspective
 * beyond the board's range and registers that disagree are refused. */
static void test_homography(void **state)
{
	struct dsr_alignment al, back;
	struct dsr_homography h = { { 1.01, 0.02, 3.5, -0.02, 0.99, -7.25, 1e-5, -2e-5, 1 } };
	const char *p = t_scratch_path("proj.json");
	char *text;
	size_t n;

	(void)state;
	dsr_alignment_init(&al);
	dsr_params_default(&al.params, 640, 480, 12);
	al.homography = h;
	al.projective = 1;
	assert_int_equal(dsr_params_set_homography(&al.params, &h), 0);
	assert_int_equal(dsr_alignment_save(&al, p, NULL), 0);
	text = t_read_file(p, &n);
	assert_non_null(text);
	assert_non_null(strstr(text, "\"homography\""));
	assert_null(strstr(text, "\"affine\""));
	assert_non_null(strstr(text, "\"h31\""));
	free(text);
	assert_int_equal(dsr_alignment_load(p, &back), 0);
	assert_true(back.projective);
	assert_int_equal(back.params.h31, al.params.h31);
	assert_int_equal(back.params.h32, al.params.h32);
	assert_int_equal(back.params.a12, al.params.a12);
	assert_true(fabs(back.homography.h[7] + 2e-5) < 1e-15);
	dsr_alignment_free(&back);
	dsr_alignment_free(&al);
	/* without registers: quantised from the homography, normalised by h33 */
	p = write_json("h.json", "{\"homography\": [2, 0, 4, 0, 2, 6, 2e-5, 0, 2]}");
	assert_int_equal(dsr_alignment_load(p, &back), 0);
	assert_true(back.projective);
	assert_int_equal(back.params.a11, 1 << DSR_A_FRAC_BITS);
	assert_int_equal(back.params.tx, 2 << DSR_T_FRAC_BITS);
	assert_int_equal(back.params.h31, (int32_t)nearbyint(ldexp(1e-5, DSR_H_FRAC_BITS)));
	dsr_alignment_free(&back);
	expect_refused("{\"homography\": [1, 0, 0, 0, 1, 0, 0, 0]}", "homography", "9 numbers");
	expect_refused("{\"homography\": [1, 0, 0, 0, 1, 0, 0, 0, 0]}", "homography", "h33");
	expect_refused("{\"homography\": [1, 0, 0, 0, 1, 0, 1e-3, 0, 1]}", "h31", "range");
	expect_refused("{\"homography\": [1, 0, 0, 0, 1, 0, 0, 0, 1], "
		       "\"affine\": [1, 0, 0, 0, 1, 0]}", "both", NULL);
	expect_refused(REGS("\"midgrey\": 2048") ", \"homography\": [1, 0, 0, 0, 1, 0, 1e-5, 0, 1]}", "h31",
		       "disagrees");
}

static void test_malformed_lut_entries(void **state)
{
	const int bad_values[] = { -1, 65536 };

	(void)state;
	for (int k = 0; k < 3; k++) {
		size_t cap = 64 * 1024, n;
		char *big = malloc(cap);

		assert_non_null(big);
		n = (size_t)snprintf(big, cap, REGS("\"midgrey\": 2048") ", \"lut\": {\"kind\": "
				     "\"linear\", \"entries\": [");
		for (int i = 0; i < 4096; i++) {
			if (i == 1234 && k < 2)
				n += (size_t)snprintf(big + n, cap - n, ",%d", bad_values[k]);
			else if (i == 1234)
				n += (size_t)snprintf(big + n, cap - n, ",1.5");
			else
				n += (size_t)snprintf(big + n, cap - n, "%s%d", i ? "," : "", i);
		}
		snprintf(big + n, cap - n, "]}}");
		expect_refused(big, "lut.entries", "entry 1234");
		free(big);
	}
}

/* Files that are not files, or far too large. */
static void test_file_errors(void **state)
{
	struct dsr_alignment al;
	const char *p = t_scratch_path("huge.json");
	FILE *f;

	(void)state;
	assert_int_equal(dsr_alignment_load(t_scratch_path("missing.json"), &al), -1);
	assert_non_null(strstr(dsr_error(), "No such file"));
	f = fopen(p, "w");
	assert_non_null(f);
	assert_int_equal(ftruncate(fileno(f), 64 << 20), 0);	/* sparse: costs nothing */
	fclose(f);
	assert_int_equal(dsr_alignment_load(p, &al), -1);
	assert_non_null(strstr(dsr_error(), "too large"));
	unlink(p);
}

/* Saving refuses what the board would not take and extras that redefine the format,
 * and a refused save leaves the old file alone. */
static void test_save_refusals(void **state)
{
	struct dsr_alignment al, back;
	const char *path = t_scratch_path("keep.json");
	json_t *bad_extra = json_pack("{s:i}", "registers", 1);
	json_t *not_object = json_integer(3);

	(void)state;
	make_full(&al);
	assert_int_equal(dsr_alignment_save(&al, path, NULL), 0);
	assert_int_equal(dsr_alignment_save(&al, path, bad_extra), -1);
	assert_non_null(strstr(dsr_error(), "\"registers\""));
	assert_int_equal(dsr_alignment_save(&al, path, not_object), -1);
	al.params.width = 0;
	assert_int_equal(dsr_alignment_save(&al, path, NULL), -1);
	assert_non_null(strstr(dsr_error(), "width"));
	assert_int_equal(dsr_alignment_save(&al, "/nonexistent-dir/a.json", NULL), -1);
	assert_int_equal(dsr_alignment_load(path, &back), 0);
	assert_int_equal(back.params.width, 640);
	dsr_alignment_free(&back);
	/* an identity LUT is written as its entries and read back as kind identity */
	al.params.width = 640;
	free(al.lut);
	al.lut = NULL;
	assert_int_equal(dsr_alignment_save(&al, path, NULL), 0);
	assert_int_equal(dsr_alignment_load(path, &back), 0);
	assert_string_equal(back.lut_kind, "identity");
	assert_non_null(back.lut);
	for (uint32_t i = 0; i < DSR_LUT_SIZE; i++)
		assert_int_equal(back.lut[i], i & 4095);
	dsr_alignment_free(&back);
	dsr_alignment_free(&al);
	json_decref(bad_extra);
	json_decref(not_object);
}

/* A loaded alignment drives the model exactly as the values it holds. */
static void test_drives_model(void **state)
{
	struct dsr_alignment al, back;
	const char *path = t_scratch_path("model.json");
	uint16_t ref[640 * 4], live[640 * 4], out1[640 * 4], out2[640 * 4];
	struct t_rng r;

	(void)state;
	make_full(&al);
	al.params.height = 4;
	assert_int_equal(dsr_alignment_save(&al, path, NULL), 0);
	assert_int_equal(dsr_alignment_load(path, &back), 0);
	assert_int_equal(dsr_alignment_for_frame(&back, 640, 4, 12), 0);
	t_rng_seed(&r, 1);
	t_rng_pixels(&r, ref, 640 * 4, 12);
	t_rng_pixels(&r, live, 640 * 4, 12);
	dsr_model_frame(&al.params, al.lut, ref, live, out1);
	dsr_model_frame(&back.params, back.lut, ref, live, out2);
	assert_memory_equal(out1, out2, sizeof(out1));
	dsr_alignment_free(&al);
	dsr_alignment_free(&back);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_affine_only),
		cmocka_unit_test(test_registers_and_agreement),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_homography),
		cmocka_unit_test(test_malformed_lut_entries),
		cmocka_unit_test(test_file_errors),
		cmocka_unit_test(test_save_refusals),
		cmocka_unit_test(test_drives_model),
	};

	return cmocka_run_group_tests(tests, NULL, t_scratch_teardown);
}
