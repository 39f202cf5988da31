/*
 * test_cli.c - `dsr sample` and `dsr subtract` end to end, through the real binary
 * ($DSR): the images sample writes are the library's renders of the scene it
 * describes, the truth file holds the transform its help text defines, and subtract's
 * output is the reference model's, pixel for pixel; for an exact integer shift without
 * noise the difference is flat midgrey except where the lesion is. Plus the usage
 * and input errors, with their exit codes.
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
#include <unistd.h>

#include <cmocka.h>

#include "common/testutil.h"
#include "dsr/alignment.h"
#include "dsr/error.h"
#include "dsr/image.h"
#include "dsr/model.h"
#include "dsr/record.h"
#include "dsr/sample.h"

static char output[65536];

/* Run `$DSR args` in the scratch directory; its exit status, output in output[]. */
static int dsr(const char *fmt, ...)
{
	char args[2048], cmd[4096];
	const char *bin = getenv("DSR");
	va_list ap;
	size_t n = 0;
	FILE *f;
	int st;

	va_start(ap, fmt);
	vsnprintf(args, sizeof(args), fmt, ap);
	va_end(ap);
	snprintf(cmd, sizeof(cmd), "cd '%s' && '%s' %s 2>&1", t_scratch_dir(),
		 bin && *bin ? bin : "build/dsr", args);
	f = popen(cmd, "r");
	assert_non_null(f);
	while (n < sizeof(output) - 1) {
		size_t r = fread(output + n, 1, sizeof(output) - 1 - n, f);

		if (!r)
			break;
		n += r;
	}
	output[n] = 0;
	st = pclose(f);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

static struct dsr_image *load(const char *name)
{
	struct dsr_image *im = dsr_image_load(t_scratch_path(name));

	if (!im)
		fail_msg("%s", dsr_error());
	return im;
}

/* The follow-up map as `dsr sample --help` defines it. */
static void help_transform(double deg, double s, double sh, double dx, double dy, uint32_t w,
			   uint32_t h, struct dsr_affine *a)
{
	double th = deg * M_PI / 180, cx = (w - 1) / 2.0, cy = (h - 1) / 2.0;
	double m[4] = { cos(th) * s, cos(th) * sh - sin(th) * s, sin(th) * s,
			sin(th) * sh + cos(th) * s };

	*a = (struct dsr_affine){ m[0], m[1], cx + dx - m[0] * cx - m[1] * cy,
				  m[2], m[3], cy + dy - m[2] * cx - m[3] * cy };
}

/* A full run: sample writes what the library renders, the truth is the stated map,
 * subtract writes what the model computes. */
static void test_sample_truth_subtract(void **state)
{
	const uint32_t W = 200, H = 160;
	struct dsr_lesion les = { 120, 100, 6, 0.1 };
	struct dsr_exposure e = { 1.05, 0.95, 0, 1 };
	struct dsr_affine want;
	struct dsr_alignment al;
	struct dsr_phantom *ph;
	struct dsr_image *ref, *live, *diff, *expect;
	const double *wa = &want.a11, *ga;

	(void)state;
	assert_int_equal(dsr("sample -q -o ref.png --follow live.png --size 200x160 --bits 12 "
			     "--seed 5 --rotate 2 --scale 1.01 --shear 0.01 --shift 3.5,-2 "
			     "--gain 1.05 --gamma 0.95 --lesion 120,100,6,0.1 --truth truth.json"), 0);
	help_transform(2, 1.01, 0.01, 3.5, -2, W, H, &want);
	ph = dsr_phantom_new(W, H, 5);
	assert_non_null(ph);

	ref = load("ref.png");
	expect = dsr_phantom_render(ph, NULL, NULL, NULL, 12, 10);
	assert_int_equal(ref->bits, 12);
	assert_memory_equal(ref->pixels, expect->pixels, (size_t)W * H * 2);
	dsr_image_free(expect);

	live = load("live.png");
	expect = dsr_phantom_render(ph, &want, &e, &les, 12, 11);
	assert_memory_equal(live->pixels, expect->pixels, (size_t)W * H * 2);
	dsr_image_free(expect);

	assert_int_equal(dsr_alignment_load(t_scratch_path("truth.json"), &al), 0);
	ga = &al.affine.a11;
	for (int i = 0; i < 6; i++)
		assert_true(fabs(ga[i] - wa[i]) < 1e-12);
	assert_int_equal(al.params.width, W);
	assert_int_equal(al.params.height, H);
	assert_int_equal(al.params.pixel_bits, 12);
	assert_int_equal(al.params.a11, (int32_t)lrint(want.a11 * (1 << 24)));
	assert_int_equal(al.params.ty, (int32_t)lrint(want.ty * 65536));
	assert_non_null(json_object_get(al.extra, "sample"));

	assert_int_equal(dsr("subtract ref.png live.png -p truth.json -o diff.png -q"), 0);
	diff = load("diff.png");
	assert_int_equal(diff->bits, 12);
	expect = dsr_image_new(W, H, 12);
	dsr_model_frame(&al.params, al.lut, ref->pixels, live->pixels, expect->pixels);
	{	/* the written difference marks out-of-field pixels (record.h) */
		uint8_t *valid = malloc((size_t)W * H);
		assert_non_null(valid);
		dsr_model_field_mask(&al.params, valid);
		assert_true(dsr_mark_out_of_field(expect, valid) > 0);
		free(valid);
	}
	assert_memory_equal(diff->pixels, expect->pixels, (size_t)W * H * 2);
	dsr_image_free(expect);
	dsr_image_free(diff);

	/* --mode warp: the aligned reference, as the model's warp gives it */
	assert_int_equal(dsr("subtract ref.png live.png -p truth.json -o warp.tif --mode warp"), 0);
	diff = load("warp.tif");
	for (uint32_t y = 0; y < H; y += 7)
		for (uint32_t x = 0; x < W; x += 5)
			assert_int_equal(diff->pixels[y * W + x],
					 dsr_model_warp_pixel(&al.params, al.lut, ref->pixels, x, y));
	dsr_image_free(diff);
	dsr_image_free(ref);
	dsr_image_free(live);
	dsr_alignment_free(&al);
	dsr_phantom_free(ph);
}

/* No noise, same exposure, an integer shift: the subtraction is flat midgrey (within
 * one level of rendering round-off) except at the lesion, which is darker. */
static void test_flat_difference_shows_lesion(void **state)
{
	const uint32_t W = 192, H = 160;
	struct dsr_image *diff;
	size_t flat = 0, off = 0;
	double lesion_sum = 0;
	int lesion_n = 0;

	(void)state;
	assert_int_equal(dsr("sample -q -o r.pgm --follow l.pgm --size 192x160 --bits 14 --seed 9 "
			     "--noise 0 --shift 6,-4 --lesion 100,110,8,0.2 --truth t.json"), 0);
	assert_int_equal(dsr("subtract -q r.pgm l.pgm -p t.json -o d.png"), 0);
	diff = load("d.png");
	assert_int_equal(diff->bits, 14);
	for (uint32_t y = 8; y < H - 8; y++)
		for (uint32_t x = 8; x < W - 8; x++) {
			/* live (x, y) shows reference (x + 6, y - 4): lesion at live (94, 114) */
			double r = hypot(x - 94.0, y - 114.0);
			int d = (int)diff->pixels[y * W + x] - 8192;

			if (r < 6) {
				lesion_sum += d;
				lesion_n++;
			} else if (r > 12) {
				flat += abs(d) <= 1;
				off += abs(d) > 1;
			}
		}
	assert_true(flat > 20000);
	assert_int_equal(off, 0);
	assert_true(lesion_n > 50);
	assert_true(lesion_sum / lesion_n < -20);	/* mineral lost: less attenuation */
	dsr_image_free(diff);
}

/* Usage errors exit 2, failures exit 1, with a message naming the problem; a failed
 * subtraction writes nothing. */
static void test_errors(void **state)
{
	(void)state;
	assert_int_equal(dsr("sample -q -o e.png --size 64x48 --truth e.json"), 0);
	assert_int_equal(dsr("sample -q -o e2.png --follow e3.png --size 80x48"), 0);

	assert_int_equal(dsr("subtract e.png e.png -o x.png"), 2);
	assert_non_null(strstr(output, "-p PARAMS"));	/* or --register */
	assert_int_equal(dsr("subtract e.png -p e.json -o x.png"), 2);
	assert_int_equal(dsr("subtract e.png e.png -p e.json -o x.png --bogus"), 2);
	assert_int_equal(dsr("subtract e.png e.png -p e.json -o x.png --mode capture"), 2);
	assert_int_equal(dsr("subtract e2.png e3.png -p e.json -o x.png"), 1);
	assert_non_null(strstr(output, "parameters are for 64x48"));
	assert_int_equal(dsr("subtract e.png e3.png -p e.json -o x.png"), 1);
	assert_non_null(strstr(output, "is 64x48 but"));
	assert_int_equal(dsr("subtract nothere.png e.png -p e.json -o x.png"), 1);
	assert_non_null(strstr(output, "cannot open"));
	assert_int_equal(dsr("subtract e.png e.png -p nothere.json -o x.png"), 1);
	assert_int_equal(access(t_scratch_path("x.png"), F_OK), -1);

	assert_int_equal(dsr("sample -o s.png --size 0x10"), 2);
	assert_non_null(strstr(output, "--size"));
	assert_int_equal(dsr("sample -o s.png --rotate 3"), 2);
	assert_non_null(strstr(output, "--follow"));
	assert_int_equal(dsr("sample -o s.png --bits 8 --truth s.json"), 2);
	assert_int_equal(dsr("sample -o s.png --follow l.png --lesion 1,2,3"), 2);
	assert_non_null(strstr(output, "4 comma-separated"));
	assert_int_equal(dsr("sample --size 10x10"), 2);
	assert_int_equal(dsr("sample -o s.jpg --size 10x10"), 1);
	assert_non_null(strstr(output, "unknown image type"));
	assert_int_equal(dsr("sample --help"), 0);
	assert_non_null(strstr(output, "usage: dsr sample"));
	assert_int_equal(dsr("subtract --help"), 0);
	assert_non_null(strstr(output, "usage: dsr subtract"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sample_truth_subtract),
		cmocka_unit_test(test_flat_difference_shows_lesion),
		cmocka_unit_test(test_errors),
	};

	return cmocka_run_group_tests(tests, NULL, t_scratch_teardown);
}
