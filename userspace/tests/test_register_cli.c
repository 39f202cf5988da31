/*
 * test_register_cli.c - `dsr register` as a user runs it: the transform it prints is the
 * phantom's true one, --json carries affine/quality/registers, -o writes a parameter
 * file that the alignment reader accepts and that agrees with what was printed, the
 * landmark mode prints per-point residuals, and failures exit 1 (usage errors 2) with a
 * message instead of a transform.
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
#include "dsr/alignment.h"
#include "dsr/error.h"
#include "dsr/image.h"
#include "dsr/register.h"
#include "dsr/sample.h"

#define N 256

static char out[65536];

/* A scratch path that stays valid (t_scratch_path() reuses one buffer): a ring of 8. */
static const char *sp(const char *name)
{
	static char ring[8][1024];
	static int next;
	char *b = ring[next++ % 8];

	snprintf(b, sizeof(ring[0]), "%s", t_scratch_path(name));
	return b;
}

static const char *dsr_bin(void)
{
	const char *d = getenv("DSR");

	return d ? d : "build/dsr";
}

/* Run `dsr ARGS` with stdout (and, if @with_err, stderr) into @out; the exit code. */
static int run(int with_err, const char *fmt, ...)
{
	char args[2048], cmd[4096];
	va_list ap;
	size_t n = 0;

	va_start(ap, fmt);
	vsnprintf(args, sizeof(args), fmt, ap);
	va_end(ap);
	snprintf(cmd, sizeof(cmd), "%s %s >'%s' %s", dsr_bin(), args, sp("out.txt"),
		 with_err ? "2>&1" : "2>/dev/null");
	int st = system(cmd);
	char *t = t_read_file(sp("out.txt"), &n);

	snprintf(out, sizeof(out), "%.*s", (int)n, t ? t : "");
	free(t);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

static struct dsr_affine truth;


/* ref.png and live.png in the scratch directory: a phantom pair with a known transform. */
static int make_pair(void **state)
{
	struct dsr_phantom *ph = dsr_phantom_new(N, N, 31);
	struct dsr_exposure e;
	double th = 4 * M_PI / 180, c = 1.03 * cos(th), s = 1.03 * sin(th), cx = (N - 1) / 2.0;

	(void)state;
	truth = (struct dsr_affine){ c, -s + 0.01, 0, s, c, 0 };
	truth.tx = cx - truth.a11 * cx - truth.a12 * cx + 14.5;
	truth.ty = cx - truth.a21 * cx - truth.a22 * cx - 20.25;
	dsr_exposure_default(&e);
	struct dsr_image *ref = dsr_phantom_render(ph, NULL, &e, NULL, 12, 1);

	e.gain = 1.2;
	e.gamma = 0.9;
	struct dsr_image *live = dsr_phantom_render(ph, &truth, &e, NULL, 12, 2);
	struct dsr_image *flat = dsr_image_new(N, N, 12);

	if (!ref || !live || !flat || dsr_image_save(ref, sp("ref.png")) ||
	    dsr_image_save(live, sp("live.png")) ||
	    dsr_image_save(flat, sp("flat.png")))
		return -1;
	dsr_image_free(ref);
	dsr_image_free(live);
	dsr_image_free(flat);
	dsr_phantom_free(ph);
	return 0;
}

static int cleanup(void **state)
{
	(void)state;
	t_scratch_cleanup();
	dsr_register_cleanup();
	return 0;
}

/* A JSON array of six numbers as a transform. */
static struct dsr_affine affine_of(json_t *arr)
{
	assert_true(json_is_array(arr) && json_array_size(arr) == 6);
	return (struct dsr_affine){ json_number_value(json_array_get(arr, 0)),
				    json_number_value(json_array_get(arr, 1)),
				    json_number_value(json_array_get(arr, 2)),
				    json_number_value(json_array_get(arr, 3)),
				    json_number_value(json_array_get(arr, 4)),
				    json_number_value(json_array_get(arr, 5)) };
}

static void test_text_and_json(void **state)
{
	char ref[1024], live[1024];
	double rms;

	(void)state;
	snprintf(ref, sizeof(ref), "%s", sp("ref.png"));
	snprintf(live, sizeof(live), "%s", sp("live.png"));
	assert_int_equal(run(1, "register '%s' '%s'", ref, live), 0);
	printf("%s", out);
	assert_non_null(strstr(out, "quality: 0.9"));
	assert_non_null(strstr(out, "A11 0x"));
	/* the printed affine line is the true transform */
	const char *p = strstr(out, "affine: [");
	struct dsr_affine a;

	assert_non_null(p);
	assert_int_equal(sscanf(p, "affine: [%lf, %lf, %lf, %lf, %lf, %lf]", &a.a11, &a.a12, &a.tx,
				&a.a21, &a.a22, &a.ty), 6);
	dsr_affine_distance(&truth, &a, N, N, &rms, NULL);
	assert_true(rms < 0.1);

	assert_int_equal(run(0, "register --json --model affine '%s' '%s'", ref, live), 0);
	json_error_t err;
	json_t *j = json_loads(out, 0, &err);

	assert_non_null(j);
	assert_string_equal(json_string_value(json_object_get(j, "motion")), "affine");
	assert_true(json_number_value(json_object_get(j, "quality")) > 0.9);
	assert_true(json_number_value(json_object_get(j, "residual_ratio")) < 5);
	assert_true(json_is_object(json_object_get(j, "registers")));
	a = affine_of(json_object_get(j, "affine"));
	dsr_affine_distance(&truth, &a, N, N, &rms, NULL);
	assert_true(rms < 0.1);
	/* the pair is scaled and sheared: a rigid model cannot explain it, and says so */
	assert_int_equal(run(1, "register --json --model rigid '%s' '%s'", ref, live), 1);
	printf("rigid model on an affine pair: %s", out);
	assert_non_null(strstr(out, "model too weak"));
	json_decref(j);
}

/* -o writes what the alignment reader (dsr subtract -p, dsr upload) accepts. */
static void test_parameter_file(void **state)
{
	const char *path = sp("params.json");
	char ref[1024], live[1024];
	struct dsr_alignment al;
	double rms;

	(void)state;
	snprintf(ref, sizeof(ref), "%s", sp("ref.png"));
	snprintf(live, sizeof(live), "%s", sp("live.png"));
	assert_int_equal(run(1, "register -q --lut linear -o '%s' '%s' '%s'", path, ref, live), 0);
	assert_int_equal(dsr_alignment_load(path, &al), 0);
	assert_int_equal(dsr_alignment_for_frame(&al, N, N, 12), 0);
	dsr_affine_distance(&truth, &al.affine, N, N, &rms, NULL);
	printf("parameter file: rms %.4f px from the truth, quality %.4f, LUT %s\n", rms,
	       al.quality, al.lut_kind);
	assert_true(rms < 0.1);
	assert_true(al.quality > 0.9 && al.quality <= 1);
	assert_string_equal(al.lut_kind, "linear");
	assert_non_null(al.lut);
	assert_true(al.lut[2000] > al.lut[1000]);
	dsr_alignment_free(&al);
}

/* Landmarks on the true transform, one of them 2 px off: its residual shows. */
static void test_landmarks(void **state)
{
	const double pts[5][2] = { { 40, 40 }, { 210, 50 }, { 60, 200 }, { 200, 210 }, { 128, 128 } };
	char text[1024] = "# live_x live_y ref_x ref_y\n";

	(void)state;
	for (int i = 0; i < 5; i++) {
		double x = pts[i][0], y = pts[i][1];
		double u = truth.a11 * x + truth.a12 * y + truth.tx + (i == 4 ? 2.0 : 0);
		double v = truth.a21 * x + truth.a22 * y + truth.ty;
		size_t len = strlen(text);

		snprintf(text + len, sizeof(text) - len, "%.4f %.4f %.4f %.4f\n", x, y, u, v);
	}
	assert_int_equal(t_write_file(sp("lm.txt"), text, strlen(text)), 0);
	assert_int_equal(run(1, "register --landmarks '%s' '%s' '%s'", sp("lm.txt"),
			     sp("ref.png"), sp("live.png")), 0);
	printf("%s", out);
	assert_non_null(strstr(out, "landmarks: 5 pairs"));
	assert_non_null(strstr(out, "residual"));
	/* the odd point carries most of the 2 px: least squares spreads 20 % to the rest */
	const char *p = strstr(out, "    5  live");

	assert_non_null(p);
	p = strstr(p, "residual ");
	assert_non_null(p);
	double r5 = atof(p + 9);

	assert_true(r5 > 1.0 && r5 < 2.0);
}

/* The default model is chosen on evidence: the affine pair gets "affine" alone, the same
 * pair seen through a tilted beam gets "homography", each saying which in "model". */
static void test_default_model(void **state)
{
	struct dsr_phantom *ph = dsr_phantom_new(N, N, 31);
	struct dsr_homography h;
	json_error_t err;

	(void)state;
	assert_non_null(ph);
	assert_int_equal(dsr_beam_angulation(N, N, 4, -3, 3750, &truth, &h), 0);
	struct dsr_image *live = dsr_phantom_render_h(ph, &h, NULL, NULL, 12, 3);

	assert_non_null(live);
	assert_int_equal(dsr_image_save(live, sp("tilted.png")), 0);
	dsr_image_free(live);
	dsr_phantom_free(ph);
	for (int k = 0; k < 2; k++) {
		if (run(0, "register --json '%s' '%s'", sp("ref.png"),
			sp(k ? "tilted.png" : "live.png"))) {
			run(1, "register '%s' '%s'", sp("ref.png"), sp(k ? "tilted.png" : "live.png"));
			fail_msg("dsr register: %s", out);
		}
		json_t *j = json_loads(out, 0, &err), *hj;

		assert_non_null(j);
		printf("default model, %s pair: model %s, chi2 %.1f\n", k ? "tilted" : "affine",
		       json_string_value(json_object_get(j, "model")),
		       json_number_value(json_object_get(json_object_get(j, "model_choice"),
							 "chi2")));
		assert_string_equal(json_string_value(json_object_get(j, "motion")), "auto");
		assert_string_equal(json_string_value(json_object_get(j, "model")),
				    k ? "projective" : "affine");
		assert_non_null(json_object_get(j, "affine"));
		hj = json_object_get(j, "homography");
		assert_int_equal(hj != NULL, k);
		if (k) {
			assert_int_equal(json_array_size(hj), 9);
			for (int i = 0; i < 9; i++)	/* h31, h32 to 1e-6, the rest to 1 % */
				assert_true(fabs(json_number_value(json_array_get(hj, i)) - h.h[i]) <
					    (i >= 6 ? 1e-6 : 0.01 * fmax(1, fabs(h.h[i]))));
		}
		json_decref(j);
	}
}

/* The JSON of `dsr register -o` without its timing: what must not depend on threads. */
static char *result_without_time(const char *path)
{
	json_error_t err;
	json_t *j = json_load_file(path, 0, &err);
	char *s;

	assert_non_null(j);
	assert_int_equal(json_object_del(j, "seconds"), 0);
	assert_non_null(json_object_get(j, "lut"));
	s = json_dumps(j, JSON_SORT_KEYS | JSON_REAL_PRECISION(17));
	json_decref(j);
	assert_non_null(s);
	return s;
}

/*
 * DSR_THREADS: one thread and two give the same transform, registers and LUT bit for
 * bit (on a 512^2 pair, so that the ECC sums of the finest levels are split too); a
 * value that is no positive integer is a usage error naming it.
 */
static void test_threads(void **state)
{
	struct dsr_phantom *ph = dsr_phantom_new(512, 512, 7);
	struct dsr_exposure e;
	struct dsr_affine t = { 1.01, -0.05, 9.5, 0.05, 1.01, -6.25 };
	char ref[1024], live[1024], *one, *two;

	(void)state;
	assert_non_null(ph);
	dsr_exposure_default(&e);
	struct dsr_image *r = dsr_phantom_render(ph, NULL, &e, NULL, 12, 1);
	struct dsr_image *l = dsr_phantom_render(ph, &t, &e, NULL, 12, 2);

	snprintf(ref, sizeof(ref), "%s", sp("ref512.png"));
	snprintf(live, sizeof(live), "%s", sp("live512.png"));
	assert_true(r && l && !dsr_image_save(r, ref) && !dsr_image_save(l, live));
	dsr_image_free(r);
	dsr_image_free(l);
	dsr_phantom_free(ph);
	assert_int_equal(run(1, "register -q -o '%s' '%s' '%s'", sp("t1.json"), ref, live), 0);
	one = result_without_time(sp("t1.json"));
	assert_int_equal(run(1, "register -q -o '%s' '%s' '%s'", sp("t2.json"), ref, live), 0);
	two = result_without_time(sp("t2.json"));
	assert_string_equal(one, two);	/* run to run */
	free(two);
	setenv("DSR_THREADS", "1", 1);
	assert_int_equal(run(1, "register -q -o '%s' '%s' '%s'", sp("t2.json"), ref, live), 0);
	two = result_without_time(sp("t2.json"));
	assert_string_equal(one, two);	/* one thread as two */
	free(two);
	free(one);
	setenv("DSR_THREADS", "two", 1);
	assert_int_equal(run(1, "register -q '%s' '%s'", ref, live), 2);
	assert_non_null(strstr(out, "DSR_THREADS='two'"));
	unsetenv("DSR_THREADS");
}

/* Failures: exit 1 and a message, no transform; usage errors exit 2. */
static void test_failures(void **state)
{
	(void)state;
	assert_int_equal(run(1, "register '%s' '%s'", sp("ref.png"),
			     sp("flat.png")), 1);
	printf("flat live frame: %s", out);
	assert_non_null(strstr(out, "dsr register:"));
	assert_null(strstr(out, "affine:"));
	assert_int_equal(run(1, "register '%s' '%s'", sp("ref.png"),
			     sp("missing.png")), 1);
	assert_int_equal(run(1, "register --model shear '%s' '%s'", sp("ref.png"),
			     sp("live.png")), 2);
	assert_non_null(strstr(out, "unknown motion model"));
	assert_int_equal(run(1, "register '%s'", sp("ref.png")), 2);
	assert_int_equal(run(1, "register --mask '%s' '%s' '%s'", sp("lm.txt"),
			     sp("ref.png"), sp("live.png")), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_text_and_json),
		cmocka_unit_test(test_parameter_file),
		cmocka_unit_test(test_landmarks),
		cmocka_unit_test(test_default_model),
		cmocka_unit_test(test_threads),
		cmocka_unit_test(test_failures),
	};

	return cmocka_run_group_tests(tests, make_pair, cleanup);
}
