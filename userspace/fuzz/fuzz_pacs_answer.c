/*
 * fuzz_pacs_answer.c - libFuzzer harness for what the PACS client takes from a C-FIND
 * answer: the bytes are the answer's data set (implicit VR little endian, as it comes
 * off the wire after DCMTK's DIMSE layer), checked by dsr_pacs_parse_answer_bytes().
 * DCMTK checks the encoding; this checks what the values mean. An accepted answer must
 * hold valid, terminated UIDs and dates, and tooth matching must stay in bounds.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dsr/pacs.h"

static void check_uid(const char *u, int required)
{
	size_t n = strnlen(u, DSR_DICOM_UID_LEN);

	if (n == DSR_DICOM_UID_LEN || (required && n == 0) || strspn(u, "0123456789.") != n)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dsr_pacs_match m;
	static const char *const teeth[] = { "36", "U19", "fdi:11", "universal:K", "85" };

	if (dsr_pacs_parse_answer_bytes(data, size, &m) < 0)
		return 0;
	check_uid(m.study_uid, 1);
	check_uid(m.series_uid, 1);
	check_uid(m.sop_uid, 1);
	check_uid(m.sop_class_uid, 0);
	if (strnlen(m.date, DSR_DICOM_DA_LEN) != 0 && strnlen(m.date, DSR_DICOM_DA_LEN) != 8)
		abort();
	if (strnlen(m.teeth, DSR_PACS_TEETH_LEN) == DSR_PACS_TEETH_LEN ||
	    strnlen(m.patient_name, DSR_DICOM_PN_LEN) == DSR_DICOM_PN_LEN)
		abort();
	for (size_t i = 0; i < sizeof(teeth) / sizeof(teeth[0]); i++)
		(void)dsr_pacs_match_tooth(&m, teeth[i]);
	return 0;
}
