/*
 * test_pacs.c - the PACS client's own logic, without a network (the Orthanc flow is
 * tests/pacs/pacs-test.sh): settings from options and config files with their refusals,
 * C-FIND answers checked before use (UIDs, dates, teeth, lengths), tooth numbers in FDI
 * and Universal notation.
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
#include "dsr/error.h"
#include "dsr/pacs.h"

static void test_config_set(void **state)
{
	struct dsr_pacs_config c;
	(void)state;

	dsr_pacs_config_default(&c);
	assert_string_equal(c.calling_ae, "DSR");
	assert_int_equal(c.port, 104);
	assert_int_equal(c.retrieve, DSR_PACS_GET);
	assert_int_equal(dsr_pacs_config_set(&c, "called_ae", "ORTHANC"), 0);
	assert_int_equal(dsr_pacs_config_set(&c, "port", "4242"), 0);
	assert_int_equal(dsr_pacs_config_set(&c, "retrieve", "move"), 0);
	assert_int_equal(dsr_pacs_config_set(&c, "host", "pacs.clinic.local"), 0);
	assert_string_equal(c.called_ae, "ORTHANC");
	assert_int_equal(c.port, 4242);
	assert_int_equal(c.retrieve, DSR_PACS_MOVE);

	static const char *const bad[][2] = {
		{ "called_ae", "" }, { "called_ae", "SEVENTEEN-CHARS-X" }, { "calling_ae", "A\\B" },
		{ "calling_ae", "    " }, { "calling_ae", "tab\there" }, { "port", "0" },
		{ "port", "65536" }, { "port", "12ab" }, { "port", "-1" }, { "timeout", "0" },
		{ "retrieve", "fetch" }, { "host", "a b" }, { "host", "" }, { "colour", "red" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_true(dsr_pacs_config_set(&c, bad[i][0], bad[i][1]) < 0);
		assert_non_null(strstr(dsr_error(), bad[i][0]));
	}
	/* refusals leave the settings as they were */
	assert_string_equal(c.called_ae, "ORTHANC");
	assert_int_equal(c.port, 4242);
}

static void test_config_file(void **state)
{
	struct dsr_pacs_config c;
	const char *p = t_scratch_path("pacs.conf");
	(void)state;

	const char *good = "# clinic PACS\n\ncalled_ae = ARCHIVE   # the archive\n"
			   "  host=10.0.0.5\nport = 11112\ntimeout = 30\n";
	assert_int_equal(t_write_file(p, good, strlen(good)), 0);
	dsr_pacs_config_default(&c);
	assert_int_equal(dsr_pacs_config_load(&c, p), 0);
	assert_string_equal(c.called_ae, "ARCHIVE");
	assert_string_equal(c.host, "10.0.0.5");
	assert_int_equal(c.port, 11112);
	assert_int_equal(c.timeout, 30);

	const char *bad = "host = 10.0.0.5\nport 104\n";
	assert_int_equal(t_write_file(p, bad, strlen(bad)), 0);
	assert_true(dsr_pacs_config_load(&c, p) < 0);
	assert_non_null(strstr(dsr_error(), "pacs.conf:2"));
	const char *badval = "port = 104\nretrieve = carrier-pigeon\n";
	assert_int_equal(t_write_file(p, badval, strlen(badval)), 0);
	assert_true(dsr_pacs_config_load(&c, p) < 0);
	assert_non_null(strstr(dsr_error(), "pacs.conf:2: retrieve"));
	assert_true(dsr_pacs_config_load(&c, t_scratch_path("none.conf")) < 0);
}

static void *load(const char *name, size_t *len)
{
	void *b = t_read_file(t_data_path(name), len);

	assert_non_null(b);
	return b;
}

/* An answer as Orthanc sends it: UIDs, the image's own date, two teeth. */
static void test_answer_full(void **state)
{
	struct dsr_pacs_match m;
	size_t len;
	uint8_t *b = load("pacs-answer-full.bin", &len);
	(void)state;

	assert_int_equal(dsr_pacs_parse_answer_bytes(b, len, &m), 0);
	assert_string_equal(m.patient_id, "P1");
	assert_string_equal(m.patient_name, "Doe^Jane");
	assert_string_equal(m.sop_uid, "1.2.826.0.1.3680043.9.7777.14.1.1.1");
	assert_string_equal(m.sop_class_uid, "1.2.840.10008.5.1.4.1.1.1.3");
	assert_string_equal(m.modality, "IO");
	assert_string_equal(m.date, "20250110");
	assert_string_equal(m.time, "101510.123456");
	assert_string_equal(m.teeth, "36 37");
	assert_int_equal(m.derived, 0);
	assert_true(dsr_pacs_match_tooth(&m, "36"));
	assert_true(dsr_pacs_match_tooth(&m, "U18"));	/* Universal 18 = FDI 37 */
	assert_false(dsr_pacs_match_tooth(&m, "38"));
	assert_false(dsr_pacs_match_tooth(&m, "3"));

	/* cut short anywhere, or a length beyond the answer: refused, never read past it */
	for (size_t cut = 1; cut < len; cut += 7)
		assert_true(dsr_pacs_parse_answer_bytes(b, cut, &m) < 0);
	b[4] = 0xff;	/* first element's length: huge */
	b[5] = 0xff;
	b[6] = 0xff;
	b[7] = 0x7f;
	assert_true(dsr_pacs_parse_answer_bytes(b, len, &m) < 0);
	assert_non_null(strstr(dsr_error(), "longer than the answer"));
	free(b);
}

static void test_answer_refused(void **state)
{
	struct dsr_pacs_match m;
	size_t len;
	(void)state;

	uint8_t *b = load("pacs-answer-baddate.bin", &len);
	memset(&m, 0x5a, sizeof(m));
	assert_true(dsr_pacs_parse_answer_bytes(b, len, &m) < 0);
	assert_non_null(strstr(dsr_error(), "20250230"));
	free(b);
	b = load("pacs-answer-baduid.bin", &len);
	assert_true(dsr_pacs_parse_answer_bytes(b, len, &m) < 0);
	assert_non_null(strstr(dsr_error(), "SOP Instance UID"));
	free(b);
	b = load("pacs-answer-derived.bin", &len);
	assert_int_equal(dsr_pacs_parse_answer_bytes(b, len, &m), 0);
	assert_int_equal(m.derived, 1);
	assert_string_equal(m.teeth, "");
	free(b);
	assert_true(dsr_pacs_parse_answer_bytes("", 0, &m) < 0);
}

static void test_teeth(void **state)
{
	static const struct { const char *in; int fdi; } t[] = {
		{ "36", 36 }, { "fdi:11", 11 }, { "85", 85 }, { "U1", 18 }, { "U8", 11 },
		{ "U9", 21 }, { "U16", 28 }, { "U17", 38 }, { "U19", 36 }, { "U24", 31 },
		{ "U25", 41 }, { "U32", 48 }, { "universal:30", 46 }, { "UA", 55 }, { "UE", 51 },
		{ "UF", 61 }, { "UJ", 65 }, { "UK", 75 }, { "UO", 71 }, { "UP", 81 }, { "UT", 85 },
		{ "universal:K", 75 },
		{ "19x", 0 }, { "U33", 0 }, { "U0", 0 }, { "09", 0 }, { "49", 0 }, { "56", 0 },
		{ "UU", 0 }, { "", 0 }, { "3", 0 }, { "136", 0 }, { "fdi:U1", 0 },
	};
	(void)state;
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (dsr_pacs_tooth_fdi(t[i].in) != t[i].fdi)
			fail_msg("tooth '%s': %d, expected %d", t[i].in, dsr_pacs_tooth_fdi(t[i].in),
				 t[i].fdi);
}

/* No PACS at all: a clear error, no crash, nothing claimed. */
static void test_unreachable(void **state)
{
	struct dsr_pacs_config c;
	struct dsr_pacs_stored r;
	const char *files[] = { t_data_path("pacs-answer-full.bin") };
	(void)state;

	dsr_pacs_config_default(&c);
	c.port = 1;
	c.timeout = 2;
	assert_true(dsr_pacs_echo(&c) < 0);
	assert_non_null(strstr(dsr_error(), "not reachable"));
	/* not a DICOM file: nothing sent, said so */
	assert_true(dsr_pacs_store(&c, files, 1, &r) < 0);
	assert_int_equal(r.stored, 0);
	assert_true(strlen(r.message) > 0);
	struct dsr_pacs_query q = { .patient_id = "P*" };
	struct dsr_pacs_match *m;
	size_t n;
	assert_true(dsr_pacs_find(&c, &q, &m, &n, NULL) < 0);
	assert_non_null(strstr(dsr_error(), "wildcards"));
	q.patient_id = "P1";
	q.date_from = "20250231";
	assert_true(dsr_pacs_find(&c, &q, &m, &n, NULL) < 0);
	assert_non_null(strstr(dsr_error(), "20250231"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_config_set),
		cmocka_unit_test(test_config_file),
		cmocka_unit_test(test_answer_full),
		cmocka_unit_test(test_answer_refused),
		cmocka_unit_test(test_teeth),
		cmocka_unit_test(test_unreachable),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);

	t_scratch_cleanup();
	return rc;
}
