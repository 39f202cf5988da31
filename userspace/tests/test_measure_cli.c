/*
 * test_measure_cli.c - measurement through the commands: `dsr series` and `dsr subtract`
 * with --region (circle, polygon, region file), --overlay (PNG, and a dciodvfy-clean RGB
 * Secondary Capture beside the DICOM difference), and the old --lesion: at an edge it is
 * clipped or refused, never uninitialised (the same report twice), r <= 0 is a usage
 * error. Frames: a smooth scene, a known translation, a lesion of known density loss.
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
#include "dsr/image.h"

#define W 256
#define H 200
#define BITS 12
/* the follow-up loses LOSS grey levels in the disc (LX, LY, LR), live coordinates */
#define LX 150.0
#define LY 90.0
#define LR 12.0
#define LOSS 40.0

/* Gaussian noise by Box-Muller. */
static double gauss(struct t_rng *r)
{
	return sqrt(-2 * log(t_rng_uniform(r, 1e-12, 1))) * cos(2 * M_PI * t_rng_uniform(r, 0, 1));
}

/* Scene at (u, v): blobs and ramps with texture for registration. */
static double scene(double u, double v)
{
	return 1400 + 3 * u + 1.5 * v + 500 * sin(u / 17.0) * cos(v / 23.0) +
	       300 * exp(-((u - 80) * (u - 80) + (v - 120) * (v - 120)) / 400.0);
}

/* The reference at (x, y), or the follow-up shifted by (3.5, -2.25) with the lesion. */
static struct dsr_image *render(int follow, uint64_t seed)
{
	struct dsr_image *im = dsr_image_new(W, H, BITS);
	struct t_rng r;

	assert_non_null(im);
	t_rng_seed(&r, seed);
	for (uint32_t y = 0; y < H; y++) {
		for (uint32_t x = 0; x < W; x++) {
			double u = follow ? x + 3.5 : x, v = follow ? y - 2.25 : y;
			double g = scene(u, v) + 6 * gauss(&r);

			if (follow && hypot(x - LX, y - LY) <= LR)
				g -= LOSS;
			dsr_image_row(im, y)[x] = (uint16_t)fmin(fmax(g, 0), 4095);
		}
	}
	return im;
}

static int setup(void **state)
{
	(void)state;
	struct dsr_image *ref = render(0, 1), *live = render(1, 2);
	int rc = dsr_image_save(ref, t_scratch_path("ref.png")) == 0 &&
		 dsr_image_save(live, t_scratch_path("live.png")) == 0 ? 0 : -1;
	const char *region = "{\"polygon\": [[140, 80], [160, 80], [160, 100], [140, 100]], "
			     "\"label\": \"26 mesial\"}";
	if (t_write_file(t_scratch_path("region.json"), region, strlen(region)) < 0)
		rc = -1;
	dsr_image_free(ref);
	dsr_image_free(live);
	return rc;
}

static double num(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	if (!json_is_number(v))
		fail_msg("\"%s\" is not a number", key);
	return json_number_value(v);
}

static void dciodvfy_clean(const char *path)
{
	char cmd[600], out[8192];
	size_t n = 0;

	snprintf(cmd, sizeof(cmd), "dciodvfy '%s' 2>&1", path);
	FILE *f = popen(cmd, "r");
	assert_non_null(f);
	while (n < sizeof(out) - 1) {
		size_t r = fread(out + n, 1, sizeof(out) - 1 - n, f);
		if (r == 0)
			break;
		n += r;
	}
	out[n] = '\0';
	pclose(f);
	if (strstr(out, "Error"))
		fail_msg("dciodvfy %s:\n%s", path, out);
	assert_non_null(strstr(out, "SC"));
}

/*
 * series with three regions and the overlay: the lesion disc shows the loss within 4
 * standard errors and is significant; a region beside it is not; the file region keeps
 * its label; the overlay paints loss; the RGB DICOM is dciodvfy clean and names the
 * difference as its source.
 */
static void test_series_regions(void **state)
{
	(void)state;
	const char *d = t_scratch_dir();
	int rc = t_run_scratch("%s series %s/ref.png %s/live.png -o %s/s1 --dicom --patient-id M-1 "
		               "--region circle:%g,%g,%g --region polygon:30,30,70,30,70,70,30,70 "
		               "--region %s/region.json --overlay", t_dsr_bin(), d, d, d, LX, LY, LR - 1, d);
	assert_int_equal(rc, 0);
	json_t *j = t_report("s1");
	json_t *m = json_array_get(json_object_get(j, "members"), 0);
	json_t *noise = json_object_get(m, "noise");
	/* both frames carry noise of 6 levels */
	assert_true(fabs(num(noise, "sigma_live") - 6) < 0.6);
	assert_true(fabs(num(noise, "sigma_reference") - 6) < 0.6);
	json_t *ms = json_object_get(m, "measurements");
	assert_int_equal(json_array_size(ms), 3);
	json_t *lesion = json_array_get(ms, 0), *quiet = json_array_get(ms, 1),
	       *file = json_array_get(ms, 2);
	double change = num(lesion, "change"), se = num(lesion, "se");
	print_message("lesion: change %.2f +- %.2f (%.2f %%), z %.1f\n", change, se,
		      num(lesion, "change_pct"), num(lesion, "z"));
	assert_true(fabs(change + LOSS) < 4 * se + 2);	/* 2: LUT and interpolation residue */
	assert_true(se > 0.3 && se < 1.5);
	assert_true(json_is_true(json_object_get(lesion, "significant")));
	assert_string_equal(json_string_value(json_object_get(lesion, "direction")), "loss");
	assert_true(fabs(num(quiet, "z")) < 4);
	assert_string_equal(json_string_value(json_object_get(file, "label")), "26 mesial");
	assert_true(num(file, "change") < -LOSS / 3);

	json_t *ov = json_object_get(m, "overlay");
	assert_non_null(ov);
	assert_true(num(ov, "loss_pixels") > 200);
	/* chance colour in the unchanged field: k = 3 leaves ~0.3 % of box means */
	assert_true(num(ov, "gain_pixels") < 0.01 * W * H);
	struct dsr_image *png = dsr_image_load(t_scratch_path("s1/overlay-01.png"));
	assert_non_null(png);
	assert_int_equal(png->width, W);
	dsr_image_free(png);
	dciodvfy_clean(t_scratch_path("s1/overlay-01.dcm"));
	char cmd[600], out[65536];
	snprintf(cmd, sizeof(cmd), "dcmdump +P 0008,1150 +P 0008,1155 +P 0010,0020 +P 0028,0004 '%s'",
		 t_scratch_path("s1/overlay-01.dcm"));
	FILE *f = popen(cmd, "r");
	size_t n = fread(out, 1, sizeof(out) - 1, f);
	out[n] = '\0';
	pclose(f);
	const char *diff_sop = json_string_value(json_object_get(json_object_get(m, "difference"),
								  "sop_instance_uid"));
	assert_non_null(diff_sop);
	assert_non_null(strstr(out, diff_sop));
	assert_non_null(strstr(out, "M-1"));
	assert_non_null(strstr(out, "RGB"));
	json_decref(j);
}

/*
 * --lesion regressions: at the frame's edge the disc is clipped and measured or, when too
 * little is left, refused with a reason; the same command twice writes the same lesion
 * entry (nothing uninitialised); r <= 0 is a usage error.
 */
static void test_lesion_edges(void **state)
{
	(void)state;
	const char *d = t_scratch_dir();
	/* reference (2, 100) r 10: live x ~ -1.5, the disc mostly outside */
	for (int k = 0; k < 2; k++)
		assert_int_equal(t_run_scratch("%s series %s/ref.png %s/live.png -o %s/e%d -q --lesion 2,100,10",
				               t_dsr_bin(), d, d, d, k), 0);
	json_t *a = t_report("e0"), *b = t_report("e1");
	json_t *la = json_object_get(json_array_get(json_object_get(a, "members"), 0), "lesion");
	json_t *lb = json_object_get(json_array_get(json_object_get(b, "members"), 0), "lesion");
	assert_non_null(la);
	assert_non_null(json_object_get(la, "refused"));
	assert_null(json_object_get(la, "mean_ring"));
	assert_true(json_equal(la, lb));
	json_decref(a);
	json_decref(b);

	/* a disc at the edge with enough inside: clipped, measured, the ring too */
	assert_int_equal(t_run_scratch("%s series %s/ref.png %s/live.png -o %s/e2 -q --lesion 12,100,10",
			               t_dsr_bin(), d, d, d), 0);
	a = t_report("e2");
	la = json_object_get(json_array_get(json_object_get(a, "members"), 0), "lesion");
	assert_null(json_object_get(la, "refused"));
	assert_true(json_is_true(json_object_get(la, "clipped")));
	double ring = num(la, "mean_ring");
	assert_true(ring > 1900 && ring < 2200);	/* near midgrey 2048 */
	assert_true(num(la, "cnr") >= 0 && num(la, "cnr") < 10);
	json_decref(a);

	/* the lesion itself: measured, a loss, CNR well above 3 */
	assert_int_equal(t_run_scratch("%s series %s/ref.png %s/live.png -o %s/e3 -q --lesion %g,%g,%g",
			               t_dsr_bin(), d, d, d, LX + 3.5, LY - 2.25, LR - 1), 0);
	a = t_report("e3");
	la = json_object_get(json_array_get(json_object_get(a, "members"), 0), "lesion");
	assert_true(num(la, "cnr") > 3);
	assert_true(num(la, "change") < -LOSS / 2);
	json_decref(a);

	assert_int_equal(t_run_scratch("%s series %s/ref.png %s/live.png -o %s/e4 --lesion 100,100,0",
			               t_dsr_bin(), d, d, d), 2);
	assert_int_equal(t_run_scratch("%s series %s/ref.png %s/live.png -o %s/e4 --lesion 100,100,-3",
			               t_dsr_bin(), d, d, d), 2);
}

/* Bad regions are usage errors naming the problem; a region outside the frame is refused in
 * the report while the rest of the run succeeds. */
static void test_region_refusals(void **state)
{
	(void)state;
	const char *d = t_scratch_dir();
	assert_int_equal(t_run_scratch("%s series %s/ref.png %s/live.png -o %s/r0 --region circle:1,2",
			               t_dsr_bin(), d, d, d), 2);
	assert_int_equal(t_run_scratch("%s series %s/ref.png %s/live.png -o %s/r0 --region %s/none.json",
			               t_dsr_bin(), d, d, d, d), 2);
	assert_int_equal(t_run_scratch("%s series %s/ref.png %s/live.png -o %s/r1 -q --region circle:600,20,5 "
			               "--region circle:0,0,6", t_dsr_bin(), d, d, d), 0);
	json_t *j = t_report("r1");
	json_t *ms = json_object_get(json_array_get(json_object_get(j, "members"), 0), "measurements");
	assert_non_null(strstr(json_string_value(json_object_get(json_array_get(ms, 0), "refused")),
			       "refused"));
	assert_int_equal(json_integer_value(json_object_get(json_array_get(ms, 0), "pixels")), 0);
	/* the corner disc keeps a quarter: refused too */
	assert_non_null(json_object_get(json_array_get(ms, 1), "refused"));
	json_decref(j);
}

/* subtract --register with a region prints the measurement, writes OUT-overlay.png and,
 * with --dicom FILE, a dciodvfy-clean FILE-overlay.dcm. */
static void test_subtract_region(void **state)
{
	(void)state;
	const char *d = t_scratch_dir();
	assert_int_equal(t_run_scratch("%s subtract %s/ref.png %s/live.png --register -o %s/sub.png -q "
			               "--region circle:%g,%g,%g --overlay --dicom %s/sub.dcm --patient-id M-2 "
			               "--montage %s/sub-montage.png", t_dsr_bin(), d, d, d, LX, LY, LR - 1, d, d), 0);
	dciodvfy_clean(t_scratch_path("sub-overlay.dcm"));
	struct dsr_image *mont = dsr_image_load(t_scratch_path("sub-montage.png"));
	assert_non_null(mont);
	dsr_image_free(mont);
	size_t n;
	char *log = t_read_file(t_scratch_path(T_RUN_LOG), &n);
	assert_non_null(log);
	log = realloc(log, n + 1);
	log[n] = '\0';
	assert_non_null(strstr(log, "LOSS"));
	free(log);
	struct dsr_image *ov = dsr_image_load(t_scratch_path("sub-overlay.png"));
	assert_non_null(ov);
	dsr_image_free(ov);
	assert_int_equal(t_run_scratch("%s subtract %s/ref.png %s/live.png --register -o %s/w.png -q "
			               "--mode warp --overlay", t_dsr_bin(), d, d, d), 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_series_regions),
		cmocka_unit_test(test_lesion_edges),
		cmocka_unit_test(test_region_refusals),
		cmocka_unit_test(test_subtract_region),
	};

	return cmocka_run_group_tests(tests, setup, t_scratch_teardown);
}
