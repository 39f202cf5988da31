/*
 * test_dicom_nodict.c - DICOM where DCMTK's data dictionary file is missing (a minimal
 * appliance image, the QEMU test machine): libdsr's built-in entries must carry a
 * write and a read-back, and the file must still validate. DCMDICTPATH points nowhere
 * before DCMTK is first touched, so no dictionary loads in this process.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/testutil.h"
#include "dsr/dicom.h"
#include "dsr/error.h"
#include "dsr/image.h"

static void test_roundtrip_without_dictionary(void **state)
{
	(void)state;
	struct t_rng r;
	struct dsr_image *im = dsr_image_new(40, 24, 13);
	assert_non_null(im);
	t_rng_seed(&r, 5);
	t_rng_pixels(&r, im->pixels, 40 * 24, 13);
	struct dsr_dicom_identity id;
	dsr_dicom_identity_anonymous(&id);
	strcpy(id.patient_id, "NODICT-1");
	struct dsr_dicom_derived d = { .identity = &id, .sources = &id, .n_sources = 1,
				       .midgrey = 4096 };
	strcpy(id.sop_class_uid, "1.2.840.10008.5.1.4.1.1.1.3");
	strcpy(id.sop_instance_uid, "1.2.826.0.1.3680043.9.7777.9.1");
	const char *p = t_scratch_path("nodict.dcm");
	if (dsr_dicom_save_derived(im, &d, p, NULL) < 0)
		fail_msg("write without a dictionary: %s", dsr_error());
	struct dsr_image *back = dsr_dicom_load(p);
	if (!back)
		fail_msg("read without a dictionary: %s", dsr_error());
	assert_int_equal(back->bits, 13);
	assert_memory_equal(back->pixels, im->pixels, 40 * 24 * 2);
	struct dsr_dicom_identity got;
	assert_int_equal(dsr_dicom_read_identity(p, &got), 0);
	assert_string_equal(got.patient_id, "NODICT-1");

	/* dciodvfy has its own dictionary: the file is valid whatever wrote it */
	char cmd[512], out[8192];
	snprintf(cmd, sizeof(cmd), "dciodvfy '%s' 2>&1", p);
	FILE *f = popen(cmd, "r");
	assert_non_null(f);
	size_t n = fread(out, 1, sizeof(out) - 1, f);
	out[n] = '\0';
	pclose(f);
	if (strstr(out, "Error") || !strstr(out, "SC"))
		fail_msg("dciodvfy:\n%s", out);
	dsr_image_free(back);
	dsr_image_free(im);
}

int main(void)
{
	setenv("DCMDICTPATH", "/nonexistent/dicom.dic", 1);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip_without_dictionary),
	};
	return cmocka_run_group_tests(tests, NULL, t_scratch_teardown);
}
