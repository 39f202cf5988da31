/*
 * test_identity.c - the patient identity a derived image carries (identity.h), and the
 * regressions of issue 14: a pair of two patients subtracted silently, identity options
 * ignored for DICOM sources, invalid values written (a birth date cut to "1980-01-",
 * sex X, a UID "notauid", UTF-8 without Specific Character Set, an ID cut to 64
 * characters), anonymous output with an empty Patient ID. Library checks first, then the
 * real `dsr` ($DSR) on files, its DICOM checked by dciodvfy and dcmdump. And the outputs
 * (outputs.h): `-o` naming the baseline overwrote it; a reused `series -o DIR` kept stale
 * differences of the earlier run; `series --montage FILE` took FILE as a follow-up.
 */
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
#include "dsr/dicom.h"
#include "dsr/error.h"
#include "dsr/identity.h"
#include "dsr/image.h"

static int set(struct dsr_identity_opts *o, enum dsr_identity_field f, const char *v)
{
	return dsr_identity_opts_set(o, f, v);
}

/* Dates: YYYY-MM-DD becomes YYYYMMDD, never "1980-01-"; impossible dates are refused. */
static void test_dates(void **state)
{
	struct dsr_identity_opts o = { 0 };
	(void)state;
	assert_int_equal(set(&o, DSR_ID_BIRTH_DATE, "1980-01-01"), 0);
	assert_string_equal(o.given.patient_birth_date, "19800101");
	assert_int_equal(set(&o, DSR_ID_BIRTH_DATE, "20000229"), 0);
	assert_int_equal(set(&o, DSR_ID_BIRTH_DATE, "19000229"), -1);
	assert_non_null(strstr(dsr_error(), "calendar"));
	assert_int_equal(set(&o, DSR_ID_BIRTH_DATE, "1980-13-01"), -1);
	assert_int_equal(set(&o, DSR_ID_BIRTH_DATE, "1980-01-"), -1);
	assert_int_equal(set(&o, DSR_ID_BIRTH_DATE, "01/02/1980"), -1);
	assert_non_null(strstr(dsr_error(), "--birth-date"));
	assert_int_equal(dsr_vr_check("TM", "t", "235960.123456"), 0);
	assert_int_equal(dsr_vr_check("TM", "t", "2400"), -1);
	assert_int_equal(dsr_vr_check("TM", "t", "12:00"), -1);
}

/* Sex from its enumerated set; UIDs by their syntax and length. */
static void test_sex_and_uid(void **state)
{
	struct dsr_identity_opts o = { 0 };
	char uid[80];
	(void)state;
	assert_int_equal(set(&o, DSR_ID_SEX, "X"), -1);
	assert_non_null(strstr(dsr_error(), "M, F or O"));
	assert_int_equal(set(&o, DSR_ID_SEX, "f"), -1);
	assert_int_equal(set(&o, DSR_ID_SEX, "F"), 0);
	assert_int_equal(set(&o, DSR_ID_STUDY_UID, "notauid"), -1);
	assert_non_null(strstr(dsr_error(), "--study-uid"));
	assert_int_equal(set(&o, DSR_ID_STUDY_UID, "1.2.03.4"), -1);
	assert_int_equal(set(&o, DSR_ID_STUDY_UID, "1.2..4"), -1);
	assert_int_equal(set(&o, DSR_ID_STUDY_UID, "1.2.840.10008.0.4"), 0);
	memset(uid, 0, sizeof(uid));
	strcpy(uid, "1.2");
	while (strlen(uid) < 65)
		strcat(uid, ".9");
	assert_int_equal(set(&o, DSR_ID_STUDY_UID, uid), -1);
	assert_string_equal(o.given.study_instance_uid, "1.2.840.10008.0.4");
}

/* Too long is refused, never cut; UTF-8 gets its character set; bad bytes are refused. */
static void test_text(void **state)
{
	struct dsr_identity_opts o = { 0 };
	char id[101];
	(void)state;
	memset(id, 'A', 100);
	id[100] = '\0';
	assert_int_equal(set(&o, DSR_ID_PATIENT_ID, id), -1);
	assert_non_null(strstr(dsr_error(), "100 characters"));
	assert_string_equal(o.given.patient_id, "");
	id[64] = '\0';
	assert_int_equal(set(&o, DSR_ID_PATIENT_ID, id), 0);
	assert_int_equal(strlen(o.given.patient_id), 64);
	assert_string_equal(o.given.specific_character_set, "");
	assert_int_equal(set(&o, DSR_ID_PATIENT_NAME, "Müller^Zoë"), 0);
	assert_string_equal(o.given.specific_character_set, DSR_CHARSET_UTF8);
	assert_int_equal(set(&o, DSR_ID_PATIENT_NAME, "M\xfcller"), -1);	/* Latin-1 */
	assert_int_equal(set(&o, DSR_ID_PATIENT_NAME, "A^B^C^D^E^F"), -1);
	assert_int_equal(set(&o, DSR_ID_ACCESSION, "A\\B"), -1);
	assert_int_equal(set(&o, DSR_ID_STUDY_ID, "12345678901234567"), -1);
}

static void ident(struct dsr_dicom_identity *id, const char *pid, const char *name,
		  const char *birth, const char *study)
{
	memset(id, 0, sizeof(*id));
	strcpy(id->patient_id, pid);
	strcpy(id->patient_name, name);
	strcpy(id->patient_birth_date, birth);
	strcpy(id->study_instance_uid, study);
	strcpy(id->sop_instance_uid, "1.2.3.4.5");
}

/* One patient or refused; the override is recorded; options agree or are refused. */
static void test_resolve(void **state)
{
	struct dsr_dicom_identity a, b, fresh, out;
	struct dsr_identity_outcome oc;
	struct dsr_identity_opts o = { 0 };
	char why[256];
	(void)state;
	dsr_dicom_identity_anonymous(&fresh);
	ident(&a, "A-1", "Doe^Jane", "19800101", "1.2.3.1");
	ident(&b, "B-2", "Roe^Rick", "19700505", "1.2.3.2");
	assert_int_equal(dsr_identity_same_patient(&a, &b, why, sizeof(why)), 0);
	assert_int_equal(dsr_identity_resolve(&a, &b, &o, &fresh, &out, &oc), -1);
	assert_non_null(strstr(dsr_error(), "different patients"));
	assert_non_null(strstr(dsr_error(), "A-1"));
	o.accept_mismatch = 1;
	assert_int_equal(dsr_identity_resolve(&a, &b, &o, &fresh, &out, &oc), 0);
	assert_true(oc.mismatch_accepted);
	assert_non_null(strstr(oc.note, "B-2"));
	assert_string_equal(out.patient_id, "B-2");	/* the follow-up's study */
	o.accept_mismatch = 0;
	/* no IDs: name (case, padding) and birth date */
	ident(&a, "", "DOE^JANE^", "19800101", "1.2.3.1");
	ident(&b, "", "Doe^Jane", "19800101", "1.2.3.2");
	assert_int_equal(dsr_identity_same_patient(&a, &b, why, sizeof(why)), 1);
	strcpy(b.patient_birth_date, "19800102");
	assert_int_equal(dsr_identity_same_patient(&a, &b, why, sizeof(why)), 0);
	strcpy(b.patient_birth_date, "");
	assert_int_equal(dsr_identity_same_patient(&a, &b, why, sizeof(why)), -1);
	/* options against a DICOM source: a contradiction is refused, a gap is filled */
	ident(&a, "A-1", "Doe^Jane", "", "1.2.3.1");
	assert_int_equal(set(&o, DSR_ID_PATIENT_ID, "Z-9"), 0);
	assert_int_equal(dsr_identity_resolve(&a, NULL, &o, &fresh, &out, &oc), -1);
	assert_non_null(strstr(dsr_error(), "contradicts"));
	memset(&o, 0, sizeof(o));
	assert_int_equal(set(&o, DSR_ID_BIRTH_DATE, "1980-01-01"), 0);
	assert_int_equal(dsr_identity_resolve(&a, NULL, &o, &fresh, &out, &oc), 0);
	assert_string_equal(out.patient_birth_date, "19800101");
	/* no DICOM and no options: visibly unidentified, never an empty Patient ID */
	memset(&o, 0, sizeof(o));
	assert_int_equal(dsr_identity_resolve(NULL, NULL, &o, &fresh, &out, &oc), 0);
	assert_true(oc.unidentified);
	assert_string_equal(out.patient_id, DSR_UNIDENTIFIED);
	assert_string_equal(out.study_instance_uid, fresh.study_instance_uid);
	/* a name without an ID cannot be filed */
	assert_int_equal(set(&o, DSR_ID_PATIENT_NAME, "Doe^Jane"), 0);
	assert_int_equal(dsr_identity_resolve(NULL, NULL, &o, &fresh, &out, &oc), -1);
	assert_non_null(strstr(dsr_error(), "--patient-id"));
}

/* ---- the dsr command on files ------------------------------------------------------ */

/* dciodvfy on @path: no "Error" line. */
static void assert_valid_dicom(const char *file)
{
	char path[1024], log[1024];
	snprintf(path, sizeof(path), "%s", file);
	snprintf(log, sizeof(log), "%s", t_scratch_path("dciodvfy.log"));
	t_run(log, "dciodvfy '%s'", path);
	char *t = t_slurp(log);
	assert_non_null(t);
	if (strstr(t, "Error"))
		fail_msg("dciodvfy %s:\n%s", path, t);
	free(t);
}

/* A smooth 64x64 frame, shifted by @dx; saved as PNG and as DICOM of patient @pid. */
static void make_source(const char *name, int dx, const char *pid, const char *pname)
{
	struct dsr_image *im = dsr_image_new(64, 64, 12);
	char png[64], dcm[64];
	assert_non_null(im);
	for (uint32_t y = 0; y < 64; y++)
		for (uint32_t x = 0; x < 64; x++)
			dsr_image_row(im, y)[x] = (uint16_t)(2000 + 600 * ((x + dx) % 16 < 8) +
							     15 * y + 7 * ((x * 13 + y * 7) % 11));
	snprintf(png, sizeof(png), "%s.png", name);
	snprintf(dcm, sizeof(dcm), "%s.dcm", name);
	assert_int_equal(dsr_image_save(im, t_scratch_path(png)), 0);
	struct dsr_dicom_identity id;
	dsr_dicom_identity_anonymous(&id);
	strcpy(id.patient_id, pid);
	strcpy(id.patient_name, pname);
	strcpy(id.study_instance_uid, "1.2.826.0.1.3680043.9.7777.30");
	struct dsr_dicom_derived dd = { .identity = &id, .midgrey = 2048 };
	assert_int_equal(dsr_dicom_save_derived(im, &dd, t_scratch_path(dcm), NULL), 0);
	dsr_image_free(im);
}

static int setup(void **state)
{
	(void)state;
	make_source("a1", 0, "PAT-A", "Alpha^Anna");
	make_source("a2", 1, "PAT-A", "Alpha^Anna");
	make_source("b1", 1, "PAT-B", "Beta^Bert");
	return 0;
}

/* Patient A against patient B: refused (not filed under B); with the override, done and
 * the override is in the DICOM and the report. */
static void test_cli_wrong_patient(void **state)
{
	const char *d = t_scratch_dir();
	char log[1024];
	snprintf(log, sizeof(log), "%s", t_scratch_path("wp.log"));
	(void)state;
	assert_int_equal(t_run(log, "%s series %s/a1.dcm %s/b1.dcm -o %s/wp1 --known 1,0,1,0,1,0",
			       t_dsr_bin(), d, d, d), 1);
	char *t = t_slurp(log);
	assert_non_null(strstr(t, "different patients"));
	free(t);
	t = t_slurp(t_scratch_path("wp1/report.json"));
	assert_non_null(strstr(t, "\"failed\""));
	free(t);
	assert_int_equal(t_run(log, "test -e %s/wp1/difference-01.dcm", d), 1);
	assert_int_equal(t_run(log, "%s series %s/a1.dcm %s/b1.dcm -o %s/wp2 --known 1,0,1,0,1,0 "
			       "--accept-patient-mismatch", t_dsr_bin(), d, d, d), 0);
	t_run(log, "dcmdump +L +P ImageComments %s/wp2/difference-01.dcm", d);
	t = t_slurp(log);
	assert_non_null(strstr(t, "different patients"));
	assert_non_null(strstr(t, "PAT-A"));
	free(t);
	t = t_slurp(t_scratch_path("wp2/report.json"));
	assert_non_null(strstr(t, "mismatch_override"));
	free(t);
	assert_valid_dicom(t_scratch_path("wp2/difference-01.dcm"));
	/* every command that pairs two images: subtract and register refuse too */
	assert_int_equal(t_run(log, "%s subtract %s/a1.dcm %s/b1.dcm --register -o %s/wp3.png",
			       t_dsr_bin(), d, d, d), 1);
	t = t_slurp(log);
	assert_non_null(strstr(t, "different patients"));
	free(t);
	assert_int_equal(t_run(log, "%s register %s/a1.dcm %s/b1.dcm", t_dsr_bin(), d, d), 1);
	t = t_slurp(log);
	assert_non_null(strstr(t, "different patients"));
	free(t);
}

/* --patient-* options are checked against DICOM sources, not silently ignored. */
static void test_cli_options_with_dicom(void **state)
{
	const char *d = t_scratch_dir();
	char log[1024];
	snprintf(log, sizeof(log), "%s", t_scratch_path("od.log"));
	(void)state;
	assert_int_equal(t_run(log, "%s series %s/a1.dcm %s/a2.dcm -o %s/od1 --known 1,0,1,0,1,0 "
			       "--patient-id PAT-Z", t_dsr_bin(), d, d, d), 1);
	char *t = t_slurp(log);
	assert_non_null(strstr(t, "contradicts"));
	free(t);
	assert_int_equal(t_run(log, "%s series %s/a1.dcm %s/a2.dcm -o %s/od2 --known 1,0,1,0,1,0 "
			       "--patient-id PAT-A --birth-date 1980-01-01", t_dsr_bin(), d, d, d), 0);
	t_run(log, "dcmdump +P PatientBirthDate +P PatientID %s/od2/difference-01.dcm", d);
	t = t_slurp(log);
	assert_non_null(strstr(t, "[19800101]"));
	assert_non_null(strstr(t, "[PAT-A]"));
	free(t);
}

/* Every identity option on PNG sources: valid DICOM (dciodvfy), UTF-8 declared, the
 * values whole; bad values are usage errors. */
static void test_cli_every_option(void **state)
{
	const char *d = t_scratch_dir();
	char log[1024];
	snprintf(log, sizeof(log), "%s", t_scratch_path("eo.log"));
	char id64[65];
	(void)state;
	memset(id64, '7', 64);
	id64[64] = '\0';
	assert_int_equal(t_run(log, "%s series %s/a1.png %s/a2.png -o %s/eo --dicom --known "
			       "1,0,1,0,1,0 --patient-name 'Müller^Zoë' --patient-id %s "
			       "--birth-date 1980-01-01 --sex F --study-uid 1.2.826.0.1.3680043.9.7777.31 "
			       "--study-id S1 --accession ACC-1 --referring 'Dr^Ångström'",
			       t_dsr_bin(), d, d, d, id64), 0);
	assert_valid_dicom(t_scratch_path("eo/difference-01.dcm"));
	t_run(log, "dcmdump +P SpecificCharacterSet +P PatientID +P PatientBirthDate +P PatientSex "
	      "+P StudyInstanceUID %s/eo/difference-01.dcm", d);
	char *t = t_slurp(log);
	assert_non_null(strstr(t, "ISO_IR 192"));
	assert_non_null(strstr(t, id64));
	assert_non_null(strstr(t, "[19800101]"));
	assert_non_null(strstr(t, "[F]"));
	assert_non_null(strstr(t, "1.2.826.0.1.3680043.9.7777.31"));
	free(t);
	const char *bad[] = { "--birth-date 1980-01-", "--sex X", "--study-uid notauid",
			      "--patient-id AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(t_run(log, "%s series %s/a1.png %s/a2.png -o %s/eo-bad --dicom %s",
				       t_dsr_bin(), d, d, d, bad[i]), 2);
		t = t_slurp(log);
		assert_non_null(strstr(t, "--"));
		free(t);
		assert_int_equal(t_run(log, "test -e %s/eo-bad", d), 1);
	}
}

/* PNG sources and no identity: DICOM marked UNIDENTIFIED, never an empty Patient ID. */
static void test_cli_unidentified(void **state)
{
	const char *d = t_scratch_dir();
	char log[1024];
	snprintf(log, sizeof(log), "%s", t_scratch_path("un.log"));
	(void)state;
	assert_int_equal(t_run(log, "%s series %s/a1.png %s/a2.png -o %s/un --dicom --known "
			       "1,0,1,0,1,0", t_dsr_bin(), d, d, d), 0);
	char *t = t_slurp(log);
	assert_non_null(strstr(t, "UNIDENTIFIED"));
	free(t);
	struct dsr_dicom_identity got;
	assert_int_equal(dsr_dicom_read_identity(t_scratch_path("un/difference-01.dcm"), &got), 0);
	assert_string_equal(got.patient_id, DSR_UNIDENTIFIED);
	assert_string_equal(got.patient_name, DSR_UNIDENTIFIED);
	assert_valid_dicom(t_scratch_path("un/difference-01.dcm"));
}

/* The same file as input and output, under another name, is refused; the baseline is
 * untouched. */
static void test_cli_output_is_input(void **state)
{
	const char *d = t_scratch_dir();
	char log[1024];
	snprintf(log, sizeof(log), "%s", t_scratch_path("oi.log"));
	size_t n0, n1;
	(void)state;
	char *before = t_read_file(t_scratch_path("a1.png"), &n0);
	assert_non_null(before);
	assert_int_equal(t_run(log, "ln -sf a1.png %s/alias.png", d), 0);
	assert_int_equal(t_run(log, "%s subtract %s/a1.png %s/a2.png --register -o %s/./alias.png",
			       t_dsr_bin(), d, d, d), 1);
	char *t = t_slurp(log);
	assert_non_null(strstr(t, "would overwrite the input"));
	free(t);
	assert_int_equal(t_run(log, "%s subtract %s/a1.png %s/a2.png --register -o %s/x.png "
			       "--montage %s/a2.png", t_dsr_bin(), d, d, d, d), 1);
	char *after = t_read_file(t_scratch_path("a1.png"), &n1);
	assert_int_equal(n0, n1);
	assert_memory_equal(before, after, n0);
	free(before);
	free(after);
}

/* A reused series directory: refused without --force; --force removes exactly what the
 * previous manifest lists (a stale difference-02 goes, a user's file stays). The
 * montage option takes its FILE, not a follow-up. */
static void test_cli_series_dir(void **state)
{
	const char *d = t_scratch_dir();
	char log[1024];
	snprintf(log, sizeof(log), "%s", t_scratch_path("sd.log"));
	(void)state;
	assert_int_equal(t_run(log, "%s series %s/a1.png %s/a2.png %s/a2.png -o %s/sd --known "
			       "1,0,1,0,1,0 --montage %s/m.png", t_dsr_bin(), d, d, d, d, d), 0);
	char *t = t_slurp(t_scratch_path("sd/report.json"));
	assert_non_null(strstr(t, "m.png"));
	assert_null(strstr(t, "\"index\": 3"));	/* two follow-ups, not three */
	free(t);
	assert_int_equal(t_run(log, "test -f %s/sd/difference-02.png && test -f %s/sd/manifest.json "
			       "&& touch %s/sd/notes.txt", d, d, d), 0);
	assert_int_equal(t_run(log, "%s series %s/a1.png %s/a2.png -o %s/sd --known 1,0,1,0,1,0",
			       t_dsr_bin(), d, d, d), 1);
	t = t_slurp(log);
	assert_non_null(strstr(t, "not empty"));
	free(t);
	assert_int_equal(t_run(log, "%s series %s/a1.png %s/a2.png -o %s/sd --known 1,0,1,0,1,0 "
			       "--force", t_dsr_bin(), d, d, d), 0);
	assert_int_equal(t_run(log, "test ! -e %s/sd/difference-02.png", d), 0);
	assert_int_equal(t_run(log, "test -f %s/sd/difference-01.png && test -f %s/sd/notes.txt",
			       d, d), 0);
	t = t_slurp(t_scratch_path("sd/manifest.json"));
	assert_non_null(strstr(t, "difference-01.png"));
	assert_null(strstr(t, "difference-02.png"));
	assert_null(strstr(t, "notes.txt"));
	free(t);
	/* calibrate replaces its previous run the same way: a stale difference.dcm listed by
	 * the earlier manifest goes even when this run fails before writing one */
	static const char man[] = "{\"command\": \"calibrate\", \"files\": [\"difference.dcm\"]}";
	assert_int_equal(t_run(log, "mkdir -p %s/cal && cp %s/a1.dcm %s/cal/difference.dcm && "
			       "touch %s/cal/notes.txt", d, d, d, d), 0);
	assert_int_equal(t_write_file(t_scratch_path("cal/manifest.json"), man, strlen(man)), 0);
	assert_int_equal(t_run(log, "%s calibrate --reference %s/a1.png --live %s/a2.png -o %s/cal "
			       "--usb=NO-SUCH-SERIAL", t_dsr_bin(), d, d, d), 1);
	t = t_slurp(log);
	int gone = t_run(log, "test ! -e %s/cal/difference.dcm && test -f %s/cal/notes.txt "
		         "&& test -f %s/cal/report.json", d, d, d);
	if (gone != 0)
		fail_msg("calibrate left the previous run's files:\n%s", t);
	free(t);
}

/* subtract writes DICOM on request, says the quality in one line even into a pipe, and
 * refuses parameters of another bit depth (12-bit images, 16-bit parameters). */
static void test_cli_subtract_dicom_and_depth(void **state)
{
	const char *d = t_scratch_dir();
	char log[1024];
	snprintf(log, sizeof(log), "%s", t_scratch_path("sb.log"));
	(void)state;
	assert_int_equal(t_run(log, "%s subtract %s/a1.png %s/a2.png --register -o %s/sb.png "
			       "--dicom %s/sb.dcm --patient-id P-7 | cat", t_dsr_bin(), d, d, d, d), 0);
	char *t = t_slurp(log);
	assert_non_null(strstr(t, "registration quality 0."));
	assert_non_null(strstr(t, "sb.dcm"));
	assert_non_null(strstr(t, "8-bit view, window centre 2048"));
	free(t);
	struct dsr_image *shown = dsr_image_load(t_scratch_path("sb-display.png"));
	assert_non_null(shown);
	assert_int_equal(shown->bits, 8);
	dsr_image_free(shown);
	assert_valid_dicom(t_scratch_path("sb.dcm"));
	assert_int_equal(t_run(log, "%s sample -o %s/s16.png --size 64x64 --bits 16 --truth %s/t16.json -q",
			       t_dsr_bin(), d, d), 0);
	assert_int_equal(t_run(log, "%s subtract %s/a1.png %s/a2.png -p %s/t16.json -o %s/sb2.png",
			       t_dsr_bin(), d, d, d, d), 1);
	t = t_slurp(log);
	assert_non_null(strstr(t, "12-bit pixels"));
	assert_non_null(strstr(t, "16 bits"));
	free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dates),
		cmocka_unit_test(test_sex_and_uid),
		cmocka_unit_test(test_text),
		cmocka_unit_test(test_resolve),
		cmocka_unit_test(test_cli_wrong_patient),
		cmocka_unit_test(test_cli_options_with_dicom),
		cmocka_unit_test(test_cli_every_option),
		cmocka_unit_test(test_cli_unidentified),
		cmocka_unit_test(test_cli_output_is_input),
		cmocka_unit_test(test_cli_series_dir),
		cmocka_unit_test(test_cli_subtract_dicom_and_depth),
	};
	return cmocka_run_group_tests(tests, setup, t_scratch_teardown);
}
