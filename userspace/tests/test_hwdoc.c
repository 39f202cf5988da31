/*
 * test_hwdoc.c - docs/hardware-contract.md says what dsr_hw.h says.
 *
 * The document is generated from the header by docs/gen-hwdoc.sh (awk over the text).
 * This test regenerates it and fails if the committed file is stale, then checks the
 * generator itself against the compiler: every register offset, mode, request and header
 * field offset printed in the document must equal the value the C compiler sees.
 * Runs from userspace/ (as `make test` does).
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
#include "dsr/dsr_hw.h"

#define DOC "../docs/hardware-contract.md"
#define GEN "../docs/gen-hwdoc.sh"
#define HDR "include/dsr/dsr_hw.h"

static char *doc;

/* The numeric value in the document's row for macro @name. */
static long doc_value(const char *name)
{
	char key[96];
	snprintf(key, sizeof(key), "| `%s` | `", name);
	const char *p = strstr(doc, key);
	if (!p)
		fail_msg("%s: no row for %s", DOC, name);
	return strtol(p + strlen(key), NULL, 0);
}

/* The offset column of the row for field @field after the heading @section. */
static long doc_offset(const char *section, const char *field)
{
	char key[96];
	const char *s = strstr(doc, section);
	if (!s)
		fail_msg("%s: no section '%s'", DOC, section);
	snprintf(key, sizeof(key), " | `%s` |", field);
	const char *p = strstr(s, key);
	if (!p)
		fail_msg("%s: no field %s under '%s'", DOC, field, section);
	while (p > s && p[-1] != '|')
		p--;
	return strtol(p, NULL, 10);
}

static void test_document_is_current(void **state)
{
	(void)state;
	const char *out = t_scratch_path("hardware-contract.md");
	char cmd[512];
	snprintf(cmd, sizeof(cmd), "sh %s %s >%s", GEN, HDR, out);
	assert_int_equal(system(cmd), 0);
	size_t n1, n2;
	char *fresh = t_read_file(out, &n1);
	char *committed = t_read_file(DOC, &n2);
	assert_non_null(fresh);
	if (!committed)
		fail_msg("%s missing: run 'sh docs/gen-hwdoc.sh > docs/hardware-contract.md'", DOC);
	if (n1 != n2 || memcmp(fresh, committed, n1))
		fail_msg("%s is stale: regenerate it with docs/gen-hwdoc.sh", DOC);
	free(fresh);
	free(committed);
}

#define CHECK(m) do { if (doc_value(#m) != (long)(m)) \
	fail_msg("%s: %s = %ld, compiler says %ld", DOC, #m, doc_value(#m), (long)(m)); } while (0)

static void test_values_match_compiler(void **state)
{
	(void)state;
	CHECK(DSR_REG_ID); CHECK(DSR_REG_VERSION); CHECK(DSR_REG_MAX_WIDTH);
	CHECK(DSR_REG_MAX_HEIGHT); CHECK(DSR_REG_STATUS); CHECK(DSR_REG_ERROR);
	CHECK(DSR_REG_CTRL); CHECK(DSR_REG_GENERATION); CHECK(DSR_REG_FRAMES_IN);
	CHECK(DSR_REG_FRAMES_OUT); CHECK(DSR_REG_BAD_FRAMES); CHECK(DSR_REG_PARAM_ERRORS);
	CHECK(DSR_REG_TIME_LO); CHECK(DSR_REG_TIME_HI); CHECK(DSR_REG_MODE);
	CHECK(DSR_REG_WIDTH); CHECK(DSR_REG_HEIGHT); CHECK(DSR_REG_PIXEL_BITS);
	CHECK(DSR_REG_A11); CHECK(DSR_REG_A12); CHECK(DSR_REG_A21); CHECK(DSR_REG_A22);
	CHECK(DSR_REG_TX); CHECK(DSR_REG_TY); CHECK(DSR_REG_GAIN); CHECK(DSR_REG_MIDGREY);
	CHECK(DSR_REG_LUT_ADDR); CHECK(DSR_REG_LUT_DATA); CHECK(DSR_REG_SPAN);
	CHECK(DSR_MODE_PASS); CHECK(DSR_MODE_CAPTURE); CHECK(DSR_MODE_SUBTRACT);
	CHECK(DSR_MODE_WARP);
	CHECK(DSR_REQ_REG_READ); CHECK(DSR_REQ_REG_WRITE); CHECK(DSR_REQ_LUT_WRITE);
	CHECK(DSR_REQ_GET_INFO); CHECK(DSR_REQ_STREAM); CHECK(DSR_LUT_CHUNK);
	CHECK(DSR_USB_VID); CHECK(DSR_USB_PID); CHECK(DSR_USB_EP_IN); CHECK(DSR_USB_EP_OUT);
	CHECK(DSR_A_FRAC_BITS); CHECK(DSR_T_FRAC_BITS); CHECK(DSR_W_BITS);
	CHECK(DSR_GAIN_FRAC_BITS); CHECK(DSR_FRAME_MAGIC); CHECK(DSR_TRAILER_MAGIC);
	CHECK(DSR_HDR_OFF_SEQUENCE); CHECK(DSR_HDR_OFF_GENERATION); CHECK(DSR_HDR_OFF_FLAGS);
	CHECK(DSR_HDR_OFF_PAYLOAD_CRC); CHECK(DSR_TRL_OFF_MAGIC);
}

#define FIELD(sec, st, f) do { long o = doc_offset(sec, #f); if (o != (long)offsetof(st, f)) \
	fail_msg("%s: %s.%s at %ld, compiler says %zu", DOC, #st, #f, o, offsetof(st, f)); } while (0)

static void test_field_offsets_match_compiler(void **state)
{
	(void)state;
	const char *h = "## Frame header", *t = "## Frame trailer", *i = "dsr_board_info`)";
	FIELD(h, struct dsr_frame_header, magic);
	FIELD(h, struct dsr_frame_header, version);
	FIELD(h, struct dsr_frame_header, header_size);
	FIELD(h, struct dsr_frame_header, width);
	FIELD(h, struct dsr_frame_header, height);
	FIELD(h, struct dsr_frame_header, format);
	FIELD(h, struct dsr_frame_header, pixel_bits);
	FIELD(h, struct dsr_frame_header, sequence);
	FIELD(h, struct dsr_frame_header, generation);
	FIELD(h, struct dsr_frame_header, timestamp);
	FIELD(h, struct dsr_frame_header, flags);
	FIELD(h, struct dsr_frame_header, payload_length);
	FIELD(h, struct dsr_frame_header, payload_crc);
	assert_int_equal(doc_offset(h, "reserved[5]"), offsetof(struct dsr_frame_header, reserved));
	FIELD(t, struct dsr_frame_trailer, payload_crc);
	FIELD(t, struct dsr_frame_trailer, flags);
	FIELD(t, struct dsr_frame_trailer, magic);
	FIELD(i, struct dsr_board_info, firmware_version);
	FIELD(i, struct dsr_board_info, max_width);
	FIELD(i, struct dsr_board_info, flags);
	assert_int_equal(doc_offset(i, "serial[32]"), offsetof(struct dsr_board_info, serial));
}

static int setup(void **state)
{
	(void)state;
	size_t n;
	doc = t_read_file(DOC, &n);
	if (!doc)
		return -1;
	doc = realloc(doc, n + 1);
	doc[n] = '\0';
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	free(doc);
	t_scratch_cleanup();
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_document_is_current),
		cmocka_unit_test(test_values_match_compiler),
		cmocka_unit_test(test_field_offsets_match_compiler),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
