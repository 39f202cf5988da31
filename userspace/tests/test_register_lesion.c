/*
 * test_register_lesion.c - what the clinic needs from the software path, end to end
 * through the `dsr` binary: a follow-up from the sample generator (another position,
 * another exposure, a lesion of 5 % mineral loss) against its baseline, aligned by
 * `dsr subtract --register` alone. The lesion must stand out of the difference and the
 * unchanged anatomy must subtract to midgrey.
 *
 * Gain 1 (the default, unit gain): the difference is then in the frames' own grey
 * levels, so "within a few grey levels of midgrey" means what it says, and the noise
 * (about 30 levels, 12-bit) stays far from the clamp. The contrast-to-noise ratio does
 * not depend on the gain. It is reported twice: per pixel (|mean in the lesion - mean of
 * the ring 2r..4r| / standard deviation of the ring), and at the montage's display
 * scale for this 1024-pixel frame (2 x 2 box binning), where the requirement's CNR >= 3
 * is asserted. At the phantom's realistic noise a 5 % loss gives about 2 per pixel.
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

#include "common/testutil.h"
#include "dsr/alignment.h"
#include "dsr/image.h"
#include "dsr/register.h"

#define N 1024
#define LESION_X 512.0	/* reference position */
#define LESION_Y 600.0
#define LESION_R 24.0
#define MIDGREY 2048	/* half range of 12 bits */

static const char *dsr_bin(void)
{
	const char *d = getenv("DSR");

	return d ? d : "build/dsr";
}

/* A scratch path that stays valid (t_scratch_path() reuses one buffer): a ring of 8. */
static const char *sp(const char *name)
{
	static char ring[8][1024];
	static int next;
	char *b = ring[next++ % 8];

	snprintf(b, sizeof(ring[0]), "%s", t_scratch_path(name));
	return b;
}

/* `dsr ARGS`, output to the scratch log; the exit code. */
static int run(const char *fmt, ...)
{
	char args[2048], cmd[4096];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(args, sizeof(args), fmt, ap);
	va_end(ap);
	snprintf(cmd, sizeof(cmd), "%s %s >>'%s' 2>&1", dsr_bin(), args, sp("log.txt"));
	int st = system(cmd);

	return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

/* Mean and standard deviation of @im (binned @b x @b) over binned pixels whose centre
 * lies at distance [r0, r1] from (cx, cy) (live pixels) and that @keep accepts. */
static void ring_stats(const struct dsr_image *im, int b, double cx, double cy, double r0,
		       double r1, double *mean, double *sd)
{
	double s = 0, s2 = 0, n = 0;

	for (uint32_t y = 0; y + b <= im->height; y += b)
		for (uint32_t x = 0; x + b <= im->width; x += b) {
			double px = x + 0.5 * (b - 1), py = y + 0.5 * (b - 1);
			double d = hypot(px - cx, py - cy), v = 0;

			if (d < r0 || d > r1)
				continue;
			for (int dy = 0; dy < b; dy++)
				for (int dx = 0; dx < b; dx++)
					v += im->pixels[(y + dy) * im->width + x + dx];
			v /= b * b;
			s += v;
			s2 += v * v;
			n += 1;
		}
	*mean = s / n;
	*sd = sqrt(fmax(s2 / n - *mean * *mean, 0));
}

/* Contrast-to-noise ratio of the lesion at live (cx, cy), binned @b x @b. */
static double lesion_cnr(const struct dsr_image *diff, int b, double cx, double cy,
			 double *contrast)
{
	double in, in_sd, ring, ring_sd;

	ring_stats(diff, b, cx, cy, 0, LESION_R, &in, &in_sd);
	ring_stats(diff, b, cx, cy, 2 * LESION_R, 4 * LESION_R, &ring, &ring_sd);
	*contrast = in - ring;
	return fabs(in - ring) / ring_sd;
}

static void test_lesion_after_register(void **state)
{
	struct dsr_alignment truth;
	double cx, cy, contrast, det;

	(void)state;
	assert_int_equal(run("sample -q -o '%s' --follow '%s' --size %dx%d --rotate 4 --scale 1.03 "
			     "--shear 0.01 --shift 40,-30 --gain 1.2 --gamma 0.9 "
			     "--lesion %g,%g,%g,0.05 --truth '%s'", sp("ref.png"), sp("live.png"),
			     N, N, LESION_X, LESION_Y, LESION_R, sp("truth.json")), 0);
	assert_int_equal(run("subtract -q '%s' '%s' --register -o '%s' --montage '%s'", sp("ref.png"),
			     sp("live.png"), sp("diff.png"), sp("montage.png")), 0);
	struct dsr_image *diff = dsr_image_load(sp("diff.png"));
	struct dsr_image *montage = dsr_image_load(sp("montage.png"));

	assert_non_null(diff);
	assert_non_null(montage);
	assert_int_equal(diff->width, N);
	assert_int_equal(diff->bits, 12);
	assert_true(montage->width > N);
	/* where the lesion is in the live frame: the true transform, inverted */
	assert_int_equal(dsr_alignment_load(sp("truth.json"), &truth), 0);
	const struct dsr_affine *a = &truth.affine;

	det = a->a11 * a->a22 - a->a12 * a->a21;
	cx = (a->a22 * (LESION_X - a->tx) - a->a12 * (LESION_Y - a->ty)) / det;
	cy = (-a->a21 * (LESION_X - a->tx) + a->a11 * (LESION_Y - a->ty)) / det;

	double cnr1 = lesion_cnr(diff, 1, cx, cy, &contrast);
	double cnr2 = lesion_cnr(diff, 2, cx, cy, &contrast);

	printf("lesion (5 %% loss, r %.0f px) at live (%.1f, %.1f): contrast %.1f grey levels, "
	       "CNR %.2f per pixel, %.2f at 2x2 display scale\n", LESION_R, cx, cy, contrast,
	       cnr1, cnr2);
	assert_true(contrast < 0);	/* loss of density reads darker */
	assert_true(cnr2 >= 3.0);

	/* unchanged anatomy: 64 x 64 blocks of the overlap, away from the lesion and the
	 * overlap's edge, each within a few grey levels of midgrey on average */
	double worst = 0, sum = 0, cnt = 0;

	for (int by = 0; by < N; by += 64)
		for (int bx = 0; bx < N; bx += 64) {
			double s = 0, n = 0;

			for (int y = by; y < by + 64; y++)
				for (int x = bx; x < bx + 64; x++) {
					double u = a->a11 * x + a->a12 * y + a->tx;
					double v = a->a21 * x + a->a22 * y + a->ty;

					if (u < 8 || v < 8 || u > N - 9 || v > N - 9 ||
					    hypot(x - cx, y - cy) < 3 * LESION_R)
						continue;
					s += diff->pixels[y * N + x];
					n += 1;
				}
			if (n < 2048)
				continue;
			double m = s / n - MIDGREY;

			worst = fmax(worst, fabs(m));
			sum += s;
			cnt += n;
		}
	printf("unchanged regions: mean %.2f grey levels from midgrey, worst 64x64 block %.2f\n",
	       sum / cnt - MIDGREY, worst);
	assert_true(fabs(sum / cnt - MIDGREY) < 1.0);
	assert_true(worst < 4.0);
	dsr_alignment_free(&truth);
	dsr_image_free(diff);
	dsr_image_free(montage);
}

/* --register that cannot register writes nothing and says why; -p and --register are
 * one or the other. */
static void test_register_failure(void **state)
{
	struct dsr_image *flat = dsr_image_new(N, N, 12);
	size_t n;
	char *log;

	(void)state;
	assert_non_null(flat);
	assert_int_equal(dsr_image_save(flat, sp("flat.png")), 0);
	dsr_image_free(flat);
	assert_int_equal(run("subtract -q '%s' '%s' --register -o '%s'", sp("ref.png"),
			     sp("flat.png"), sp("none.png")), 1);
	log = t_read_file(sp("log.txt"), &n);
	assert_non_null(log);
	log = realloc(log, n + 1);
	log[n] = 0;
	assert_non_null(strstr(log, "dsr subtract: registration"));
	free(log);
	assert_null(t_read_file(sp("none.png"), &n));
	assert_int_equal(run("subtract -q '%s' '%s' -o '%s'", sp("ref.png"), sp("live.png"),
			     sp("none.png")), 2);
	assert_int_equal(run("subtract -q '%s' '%s' --register -p '%s' -o '%s'", sp("ref.png"),
			     sp("live.png"), sp("truth.json"), sp("none.png")), 2);
	assert_int_equal(run("subtract -q '%s' '%s' -p '%s' --lut linear -o '%s'", sp("ref.png"),
			     sp("live.png"), sp("truth.json"), sp("none.png")), 2);
}

static int cleanup(void **state)
{
	(void)state;
	t_scratch_cleanup();
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lesion_after_register),
		cmocka_unit_test(test_register_failure),
	};

	return cmocka_run_group_tests(tests, NULL, cleanup);
}
