/*
 * test_calibrate.c - `dsr calibrate` on the host, where no board is attached: the parts
 * that must work before any board is touched. With --reference/--live files the pair is
 * registered first, so a pair below the quality threshold is refused offline, with the
 * reason, a report saying so, and nothing uploaded; --force gets past the threshold and
 * then stops at the missing board with a clear message. The run through a board
 * (upload, bit-exact subtraction frames) is tests/qemu/suites/70-app.sh.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include <cmocka.h>
#include <jansson.h>

#include "common/testutil.h"
#include "dsr/image.h"
#include "dsr/model.h"

#define W 192
#define H 160

/* Run @cmd with stdout+stderr into scratch file "out.log"; its text in @out. */
static int run(char *out, size_t size, const char *fmt, ...)
{
	char cmd[2048], full[2300];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	const char *log = t_scratch_path("out.log");
	snprintf(full, sizeof(full), "%s >'%s' 2>&1", cmd, log);
	int st = system(full);
	size_t n = 0;
	char *t = t_read_file(t_scratch_path("out.log"), &n);
	snprintf(out, size, "%.*s", (int)n, t ? t : "");
	free(t);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

/* A smooth textured scene seen through a shift (@dx, @dy), with a little noise. */
static struct dsr_image *scene(double dx, double dy, uint64_t seed)
{
	struct dsr_image *im = dsr_image_new(W, H, 12);
	struct t_rng r;
	t_rng_seed(&r, seed);
	for (uint32_t y = 0; y < H; y++)
		for (uint32_t x = 0; x < W; x++) {
			double u = x + dx, v = y + dy;
			double s = 1800 + 500 * sin(u * 0.11) * cos(v * 0.07) + 350 * sin(u * 0.031 + v * 0.05) +
				   250 * cos(hypot(u - 90, v - 70) * 0.15) + t_rng_uniform(&r, -8, 8);
			dsr_image_row(im, y)[x] = (uint16_t)s;
		}
	return im;
}

static int setup(void **state)
{
	(void)state;
	struct dsr_image *ref = scene(0, 0, 1), *live = scene(2.5, -1.75, 2);
	int rc = dsr_image_save(ref, t_scratch_path("ref.png")) == 0 &&
		 dsr_image_save(live, t_scratch_path("live.png")) == 0 ? 0 : -1;
	dsr_image_free(ref);
	dsr_image_free(live);
	return rc;
}

/* Below the threshold: exit 1, the reason on stderr, the report says refused and
 * carries the estimate, and no board was needed to get there. */
static void test_refuses_below_threshold(void **state)
{
	(void)state;
	static char out[16384];
	const char *d = t_scratch_dir();
	int rc = run(out, sizeof(out), "%s calibrate --reference %s/ref.png --live %s/live.png "
		     "--min-quality 0.99999 -o %s/refused --usb=NO-SUCH-SERIAL", t_dsr_bin(), d, d, d);
	assert_int_equal(rc, 1);
	if (!strstr(out, "below the threshold") || !strstr(out, "nothing was uploaded") ||
	    !strstr(out, "--force"))
		fail_msg("refusal does not say why or how to override:\n%s", out);
	assert_null(strstr(out, "NO-SUCH-SERIAL"));	/* the board was never opened */
	json_t *j = t_report("refused");
	assert_string_equal(json_string_value(json_object_get(j, "status")), "failed");
	assert_non_null(json_object_get(j, "refused"));
	json_t *reg = json_object_get(j, "registration");
	double q = json_number_value(json_object_get(reg, "quality"));
	assert_true(q > 0.5 && q < 0.99999);
	/* the estimate itself is right: live (x, y) shows the scene at (x + 2.5, y - 1.75) */
	json_t *a = json_object_get(reg, "affine");
	assert_true(fabs(json_number_value(json_array_get(a, 2)) - 2.5) < 0.1);
	assert_true(fabs(json_number_value(json_array_get(a, 5)) + 1.75) < 0.1);
	json_decref(j);
}

/* --force gets past the threshold, then the missing board is a clear error. */
static void test_force_then_no_board(void **state)
{
	(void)state;
	static char out[16384];
	const char *d = t_scratch_dir();
	int rc = run(out, sizeof(out), "%s calibrate --reference %s/ref.png --live %s/live.png "
		     "--min-quality 0.99999 --force -o %s/forced --usb=NO-SUCH-SERIAL", t_dsr_bin(), d, d, d);
	assert_int_equal(rc, 1);
	if (!strstr(out, "uploading anyway because of --force"))
		fail_msg("--force not honoured:\n%s", out);
	if (!strstr(out, "NO-SUCH-SERIAL") && !strstr(out, "no DSR board"))
		fail_msg("no clear message about the missing board:\n%s", out);
	json_t *j = t_report("forced");
	assert_string_equal(json_string_value(json_object_get(j, "status")), "failed");
	assert_true(strlen(json_string_value(json_object_get(j, "error"))) > 10);
	json_decref(j);
}

/* Usage errors: exit 2 with the reason. */
static void test_usage(void **state)
{
	(void)state;
	static char out[8192];
	assert_int_equal(run(out, sizeof(out), "%s calibrate --reference x.png", t_dsr_bin()), 2);
	assert_non_null(strstr(out, "--reference and --live go together"));
	assert_int_equal(run(out, sizeof(out), "%s calibrate --min-quality 2", t_dsr_bin()), 2);
	assert_non_null(strstr(out, "--min-quality"));
	assert_int_equal(run(out, sizeof(out), "%s calibrate --frames 0", t_dsr_bin()), 2);
}

/* A reference that is not an image: exit 1 naming the file. */
static void test_bad_input(void **state)
{
	(void)state;
	static char out[8192];
	const char *bad = t_scratch_path("bad.png");
	assert_int_equal(t_write_file(bad, "\x89PNG\r\n\x1a\n garbage", 17), 0);
	const char *d = t_scratch_dir();
	assert_int_equal(run(out, sizeof(out), "%s calibrate --reference %s/bad.png --live %s/live.png -o %s/bad",
			     t_dsr_bin(), d, d, d), 1);
	assert_non_null(strstr(out, "bad.png"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_refuses_below_threshold),
		cmocka_unit_test(test_force_then_no_board),
		cmocka_unit_test(test_usage),
		cmocka_unit_test(test_bad_input),
	};
	return cmocka_run_group_tests(tests, setup, t_scratch_teardown);
}
