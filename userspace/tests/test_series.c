/*
 * test_series.c - `dsr series`: one reference against several follow-ups, end to end
 * through the real `dsr` binary ($DSR). The follow-ups are rendered from one continuous
 * scene through known transforms, with an exposure change and (in the first) a lesion
 * of 8 % density loss, so the test knows what registration must find and where the
 * lesion must show.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "common/testutil.h"
#include "dsr/dicom.h"
#include "dsr/error.h"
#include "dsr/image.h"
#include "dsr/record.h"
#include "dsr/register.h"

#define W 256
#define H 256
#define BITS 12

static struct dsr_affine truth[2];
/* reference position and radius of the lesion, and its density loss */
static const struct { double x, y, radius, loss; } lesion = { 120.0, 150.0, 7.0, 0.08 };

/* The scene at reference position (u, v): smooth anatomy-like structure with edges. */
static double scene(double u, double v)
{
	double g = 1700 + 450 * sin(u * 0.09) * cos(v * 0.06) + 300 * sin(u * 0.027 + v * 0.041) +
		   200 * cos(hypot(u - 100, v - 90) * 0.13);
	if (hypot(u - 170, v - 60) < 25)
		g += 500;	/* a bright filling: a hard edge */
	return g;
}

/* A frame of the scene seen through @a (NULL = identity), exposure @gain, noise of
 * +-10 grey levels from @seed, and the lesion if @with_lesion. */
static struct dsr_image *render(const struct dsr_affine *a, double gain, int with_lesion,
				uint64_t seed)
{
	struct dsr_image *im = dsr_image_new(W, H, BITS);
	struct t_rng r;
	if (!im)
		return NULL;
	t_rng_seed(&r, seed);
	for (uint32_t y = 0; y < H; y++)
		for (uint32_t x = 0; x < W; x++) {
			double u = a ? a->a11 * x + a->a12 * y + a->tx : x;
			double v = a ? a->a21 * x + a->a22 * y + a->ty : y;
			double g = scene(u, v);
			if (with_lesion && hypot(u - lesion.x, v - lesion.y) < lesion.radius)
				g *= 1 - lesion.loss;
			g = g * gain + t_rng_uniform(&r, -10, 10);
			dsr_image_row(im, y)[x] = (uint16_t)(g < 0 ? 0 : g > 4095 ? 4095 : g);
		}
	return im;
}

/* Rotation by @deg about the frame centre, scale @s, then shift (@dx, @dy): live -> ref. */
static struct dsr_affine rot(double deg, double s, double dx, double dy)
{
	double c = s * cos(deg * M_PI / 180), n = s * sin(deg * M_PI / 180);
	double cx = (W - 1) / 2.0, cy = (H - 1) / 2.0;
	struct dsr_affine a = { c, -n, 0, n, c, 0 };
	a.tx = cx - c * cx + n * cy + dx;
	a.ty = cy - n * cx - c * cy + dy;
	return a;
}

/* Render the reference and the two follow-ups into the scratch directory. */
static int setup(void **state)
{
	(void)state;
	truth[0] = rot(2.0, 1.0, 4.5, -3.25);
	truth[1] = rot(-3.0, 1.02, -6.0, 2.0);
	struct dsr_image *ref = render(NULL, 1.0, 0, 1);
	struct dsr_image *l1 = render(&truth[0], 1.12, 1, 2);
	struct dsr_image *l2 = render(&truth[1], 0.9, 0, 3);
	struct dsr_image *noise = dsr_image_new(W, H, BITS);
	struct t_rng r;
	t_rng_seed(&r, 99);
	t_rng_pixels(&r, noise->pixels, W * H, BITS);
	int rc = ref && l1 && l2 &&
		 dsr_image_save(ref, t_scratch_path("ref.png")) == 0 &&
		 dsr_image_save(l1, t_scratch_path("live1.png")) == 0 &&
		 dsr_image_save(l2, t_scratch_path("live2.png")) == 0 &&
		 dsr_image_save(noise, t_scratch_path("noise.png")) == 0 ? 0 : -1;
	dsr_image_free(ref);
	dsr_image_free(l1);
	dsr_image_free(l2);
	dsr_image_free(noise);
	return rc;
}

static struct dsr_affine affine_of(json_t *a)
{
	assert_true(json_is_array(a) && json_array_size(a) == 6);
	double v[6];
	for (int i = 0; i < 6; i++)
		v[i] = json_number_value(json_array_get(a, i));
	return (struct dsr_affine){ v[0], v[1], v[2], v[3], v[4], v[5] };
}

/* Two follow-ups: both registered to well under a pixel of the truth, the lesion stands
 * out with CNR >= 3, differences written as 16-bit PNG and DICOM with the given
 * identity, identical pixels in both, a montage of three tiles per member. */
static void test_series_two_followups(void **state)
{
	(void)state;
	char log[512], out[512];
	snprintf(log, sizeof(log), "%s/series.log", t_scratch_dir());
	snprintf(out, sizeof(out), "%s/out", t_scratch_dir());
	const char *d = t_scratch_dir();
	int rc = t_run(log, "%s series %s/ref.png %s/live1.png %s/live2.png -o %s --dicom "
		       "--lesion %.1f,%.1f,%.1f --patient-id PID-7 --patient-name 'Series^Test'",
		       t_dsr_bin(), d, d, d, out, lesion.x, lesion.y, lesion.radius);
	char *text = t_slurp(log);
	if (rc != 0)
		fail_msg("dsr series exit %d:\n%s", rc, text ? text : "");
	free(text);

	json_t *j = t_report("out");
	json_t *members = json_object_get(j, "members");
	assert_int_equal(json_array_size(members), 2);
	for (size_t k = 0; k < 2; k++) {
		json_t *m = json_array_get(members, k);
		assert_string_equal(json_string_value(json_object_get(m, "status")), "ok");
		struct dsr_affine found = affine_of(json_object_get(m, "affine"));
		double rms, max;
		dsr_affine_distance(&found, &truth[k], W, H, &rms, &max);
		if (rms > 0.25)
			fail_msg("member %zu: transform %.3f px RMS from the truth", k + 1, rms);
		assert_true(json_number_value(json_object_get(m, "quality")) > 0.8);
	}
	json_t *les = json_object_get(json_array_get(members, 0), "lesion");
	assert_non_null(les);
	double cnr = json_number_value(json_object_get(les, "cnr"));
	if (cnr < 3.0)
		fail_msg("lesion CNR %.2f < 3", cnr);

	/* PNG and DICOM hold the same difference, centred on midgrey */
	struct dsr_image *png = dsr_image_load(t_scratch_path("out/difference-01.png"));
	struct dsr_image *dcm = dsr_dicom_load(t_scratch_path("out/difference-01.dcm"));
	assert_non_null(png);
	assert_non_null(dcm);
	assert_int_equal(png->width, W);
	assert_int_equal(dcm->height, H);
	assert_memory_equal(png->pixels, dcm->pixels, W * H * 2);
	/* in field centred on midgrey; out of field (no reference) marked 0, a strip along
	 * the edges the follow-up moved in */
	double sum = 0;
	size_t in = 0, off = 0;
	for (size_t i = 0; i < W * H; i++) {
		if (png->pixels[i] == DSR_OUT_OF_FIELD) {
			off++;
			continue;
		}
		sum += png->pixels[i];
		in++;
	}
	assert_true(off > 0 && off < W * H / 10);
	assert_true(fabs(sum / in - (1 << (BITS - 1))) < 40);
	dsr_image_free(png);
	dsr_image_free(dcm);

	struct dsr_dicom_identity id1, id2;
	assert_int_equal(dsr_dicom_read_identity(t_scratch_path("out/difference-01.dcm"), &id1), 0);
	assert_int_equal(dsr_dicom_read_identity(t_scratch_path("out/difference-02.dcm"), &id2), 0);
	assert_string_equal(id1.patient_id, "PID-7");
	assert_string_equal(id1.patient_name, "Series^Test");
	assert_string_equal(id1.study_instance_uid, id2.study_instance_uid);
	assert_string_not_equal(id1.sop_instance_uid, id2.sop_instance_uid);

	struct dsr_image *mont = dsr_image_load(t_scratch_path("out/montage.png"));
	assert_non_null(mont);
	assert_true(mont->width > mont->height);	/* 3 tiles across, 2 rows */
	dsr_image_free(mont);
	json_decref(j);
}

/* A follow-up that is not the same anatomy fails on its own, with a reason in the
 * report; the good one is still done; the exit status says something failed. */
static void test_series_one_fails(void **state)
{
	(void)state;
	char log[512];
	const char *d = t_scratch_dir();
	snprintf(log, sizeof(log), "%s/fail.log", d);
	int rc = t_run(log, "%s series %s/ref.png %s/live1.png %s/noise.png -o %s/out2 -q", t_dsr_bin(),
		       d, d, d, d);
	assert_int_equal(rc, 1);
	json_t *j = t_report("out2");
	json_t *members = json_object_get(j, "members");
	assert_string_equal(json_string_value(json_object_get(json_array_get(members, 0), "status")), "ok");
	json_t *bad = json_array_get(members, 1);
	assert_string_equal(json_string_value(json_object_get(bad, "status")), "failed");
	assert_true(strlen(json_string_value(json_object_get(bad, "error"))) > 10);
	assert_int_equal(json_integer_value(json_object_get(j, "failed")), 1);
	json_decref(j);
}

/* DICOM sources: the differences land in the sources' study, name both source instances
 * and are written as DICOM without being asked. */
static void test_series_dicom_sources(void **state)
{
	(void)state;
	struct dsr_dicom_identity src;
	memset(&src, 0, sizeof(src));
	strcpy(src.patient_name, "Doe^Jane");
	strcpy(src.patient_id, "P-DCM");
	strcpy(src.study_instance_uid, "1.2.826.0.1.3680043.9.7777.20");
	strcpy(src.modality, "IO");
	const char *names[2] = { "ref.png", "live1.png" }, *dcms[2] = { "ref.dcm", "live1.dcm" };
	char uids[2][DSR_DICOM_UID_LEN];
	for (int i = 0; i < 2; i++) {
		struct dsr_image *im = dsr_image_load(t_scratch_path(names[i]));
		assert_non_null(im);
		struct dsr_dicom_derived dd = { .identity = &src, .midgrey = 2048 };
		assert_int_equal(dsr_dicom_save_derived(im, &dd, t_scratch_path(dcms[i]), uids[i]), 0);
		dsr_image_free(im);
	}
	char log[512];
	const char *d = t_scratch_dir();
	snprintf(log, sizeof(log), "%s/dcm.log", d);
	int rc = t_run(log, "%s series %s/ref.dcm %s/live1.dcm -o %s/out3 -q", t_dsr_bin(), d, d, d);
	assert_int_equal(rc, 0);
	struct dsr_dicom_identity got;
	assert_int_equal(dsr_dicom_read_identity(t_scratch_path("out3/difference-01.dcm"), &got), 0);
	assert_string_equal(got.study_instance_uid, src.study_instance_uid);
	assert_string_equal(got.patient_id, "P-DCM");
	rc = t_run(log, "dcmdump +P ReferencedSOPInstanceUID %s/out3/difference-01.dcm", d);
	assert_int_equal(rc, 0);
	char *dump = t_slurp(log);
	assert_non_null(dump);
	assert_non_null(strstr(dump, uids[0]));
	assert_non_null(strstr(dump, uids[1]));
	free(dump);
	rc = t_run(log, "dciodvfy %s/out3/difference-01.dcm", d);
	dump = t_slurp(log);
	if (strstr(dump, "Error"))
		fail_msg("dciodvfy:\n%s", dump);
	free(dump);
}

/* Turn a DICOM file into a Digital Intra-Oral X-Ray image (for presentation) as a sensor
 * would write it, with dcmodify (which keeps the meta header's SOP class in step): the
 * acquisition attributes the IOD requires. */
static void make_intraoral(const char *path)
{
	char cmd[2048], log[512];
	snprintf(log, sizeof(log), "%s/dcmodify.log", t_scratch_dir());
	snprintf(cmd, sizeof(cmd),
		 "dcmodify -nb -m '(0008,0016)=1.2.840.10008.5.1.4.1.1.1.3' -m '(0008,0060)=IO' "
		 "-e '(0008,0064)' -e '(0018,1012)' -e '(0018,1014)' -e '(0020,0060)' "
		 "-m '(0008,0008)=ORIGINAL\\PRIMARY' -i '(0008,0068)=FOR PRESENTATION' "
		 "-i '(0028,1040)=LIN' -i '(0028,1041)=1' -i '(0028,1052)=0' -i '(0028,1053)=1' "
		 "-i '(0028,1054)=US' -i '(2050,0020)=IDENTITY' -m '(0020,0020)=A\\F' "
		 "-i '(0018,7004)=DIRECT' -i '(0018,1164)=0.019\\0.019' -i '(0018,1508)=NONE' "
		 "-i '(0020,0062)=R' -i '(0008,2218)[0].(0008,0100)=T-11170' "
		 "-i '(0008,2218)[0].(0008,0102)=SRT' -i '(0008,2218)[0].(0008,0104)=Maxilla' "
		 "-i '(0008,2228)[0].(0008,0100)=T-54210' -i '(0008,2228)[0].(0008,0102)=SRT' "
		 "-i '(0008,2228)[0].(0008,0104)=Tooth' -i '(0040,0555)' '%s'", path);
	assert_int_equal(t_run(log, "%s", cmd), 0);
}

/* Intra-oral sources: the difference is an intra-oral image too (for presentation),
 * carrying the acquisition's attributes, and dciodvfy finds no error in it. */
static void test_series_intraoral_sources(void **state)
{
	(void)state;
	char log[512];
	const char *d = t_scratch_dir();
	/* ref.dcm and live1.dcm were written by test_series_dicom_sources */
	assert_int_equal(t_run(t_scratch_path("cp.log"), "cp %s/ref.dcm %s/ref-io.dcm && cp %s/live1.dcm %s/live1-io.dcm",
			       d, d, d, d), 0);
	make_intraoral(t_scratch_path("ref-io.dcm"));
	make_intraoral(t_scratch_path("live1-io.dcm"));
	snprintf(log, sizeof(log), "%s/io.log", d);
	int rc = t_run(log, "%s series %s/ref-io.dcm %s/live1-io.dcm -o %s/out4 -q --teeth 11,21",
		       t_dsr_bin(), d, d, d);
	if (rc != 0) {
		char *t = t_slurp(log);
		fail_msg("dsr series on intra-oral sources: exit %d\n%s", rc, t);
	}
	struct dsr_dicom_identity got;
	assert_int_equal(dsr_dicom_read_identity(t_scratch_path("out4/difference-01.dcm"), &got), 0);
	assert_string_equal(got.sop_class_uid, "1.2.840.10008.5.1.4.1.1.1.3");
	assert_string_equal(got.modality, "IO");
	t_run(log, "dciodvfy %s/out4/difference-01.dcm", d);
	char *dump = t_slurp(log);
	if (strstr(dump, "Error") || !strstr(dump, "IntraoralImageForPresentation"))
		fail_msg("dciodvfy:\n%s", dump);
	free(dump);
	t_run(log, "dcmdump +P ImagerPixelSpacing +P ImageLaterality +P CodeValue "
	      "%s/out4/difference-01.dcm", d);
	dump = t_slurp(log);
	assert_non_null(strstr(dump, "0.019"));
	/* without --teeth the record takes the sources' coded tooth (T-54210: FDI 18) */
	assert_int_equal(t_run(log, "%s series %s/ref-io.dcm %s/live1-io.dcm -o %s/out5 -q",
			       t_dsr_bin(), d, d, d), 0);
	char *rep = t_slurp(t_scratch_path("out5/report.json"));
	assert_non_null(rep);
	assert_non_null(strstr(rep, "FDI 18 (UNIVERSAL 1)"));
	free(rep);
	/* --teeth replaced the source's anatomy with CID 4018 codes: 11 and 21 */
	assert_non_null(strstr(dump, "T-54280"));
	assert_non_null(strstr(dump, "T-54290"));
	assert_null(strstr(dump, "T-54210"));
	free(dump);
}

/* Usage errors exit 2 and say what was wrong. */
static void test_series_usage(void **state)
{
	(void)state;
	char log[512];
	snprintf(log, sizeof(log), "%s/usage.log", t_scratch_dir());
	assert_int_equal(t_run(log, "%s series %s/ref.png", t_dsr_bin(), t_scratch_dir()), 2);
	assert_int_equal(t_run(log, "%s series -o x %s/ref.png", t_dsr_bin(), t_scratch_dir()), 2);
	char *t = t_slurp(log);
	assert_non_null(strstr(t, "at least one live"));
	free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_series_two_followups),
		cmocka_unit_test(test_series_one_fails),
		cmocka_unit_test(test_series_dicom_sources),
		cmocka_unit_test(test_series_intraoral_sources),
		cmocka_unit_test(test_series_usage),
	};
	return cmocka_run_group_tests(tests, setup, t_scratch_teardown);
}
