/*
 * test_board.c - the transport-independent half of lib/board: wire frames built for the
 * board and the validation of frames received from it (board.c), and the public calls'
 * refusal of bad arguments. The CRC is recomputed here with zlib's crc32 (the same IEEE
 * polynomial), so a wrong dsr_crc32 cannot agree with itself.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include <cmocka.h>

#include "board/board_priv.h"
#include "dsr/error.h"
#include "dsr/image.h"

#define W 7
#define H 5

/* A small image with distinct pixels, some above 12 bits. */
static struct dsr_image *test_image(void)
{
	struct dsr_image *im = dsr_image_new(W, H, 16);

	assert_non_null(im);
	for (uint32_t i = 0; i < W * H; i++)
		im->pixels[i] = (uint16_t)(i * 1031 + 7);
	return im;
}

static uint32_t le32(const uint8_t *b)
{
	return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

/* The wire frame: header fields, little-endian payload, CRC in header and trailer. */
static void test_wire_frame_layout(void **state)
{
	struct dsr_image *im = test_image();
	size_t len = 0;
	uint8_t *w = dsr_board_wire_frame(im, 12, DSR_FLAG_REFERENCE, &len);
	uint32_t crc;

	(void)state;
	assert_non_null(w);
	assert_int_equal(len, DSR_FRAME_HEADER_SIZE + W * H * 2 + DSR_FRAME_TRAILER_SIZE);
	assert_int_equal(le32(w + DSR_HDR_OFF_MAGIC), DSR_FRAME_MAGIC);
	assert_int_equal(w[DSR_HDR_OFF_WIDTH], W);
	assert_int_equal(w[DSR_HDR_OFF_HEIGHT], H);
	assert_int_equal(w[DSR_HDR_OFF_PIXEL_BITS], 12);
	assert_int_equal(le32(w + DSR_HDR_OFF_FLAGS), DSR_FLAG_REFERENCE | DSR_FLAG_CRC_VALID);
	assert_int_equal(le32(w + DSR_HDR_OFF_PAYLOAD_LENGTH), W * H * 2);
	for (uint32_t i = 0; i < W * H; i++)
		assert_int_equal(w[64 + 2 * i] | w[64 + 2 * i + 1] << 8, im->pixels[i]);
	crc = (uint32_t)crc32(0, w + 64, W * H * 2);
	assert_int_equal(le32(w + DSR_HDR_OFF_PAYLOAD_CRC), crc);
	assert_int_equal(le32(w + 64 + W * H * 2 + DSR_TRL_OFF_PAYLOAD_CRC), crc);
	assert_int_equal(le32(w + 64 + W * H * 2 + DSR_TRL_OFF_MAGIC), DSR_TRAILER_MAGIC);
	free(w);
	dsr_image_free(im);
}

/* A board-style frame (CRC 0 in the header, in the trailer only) from a wire frame. */
static uint8_t *board_frame(size_t *len, uint32_t trailer_flags)
{
	struct dsr_image *im = test_image();
	uint8_t *w = dsr_board_wire_frame(im, 16, DSR_MODE_SUBTRACT, len);
	uint32_t crc;

	assert_non_null(w);
	crc = le32(w + DSR_HDR_OFF_PAYLOAD_CRC);
	memset(w + DSR_HDR_OFF_PAYLOAD_CRC, 0, 4);
	w[DSR_HDR_OFF_FLAGS] &= (uint8_t)~DSR_FLAG_CRC_VALID;
	dsr_trailer_pack(crc, trailer_flags, w + *len - DSR_FRAME_TRAILER_SIZE);
	dsr_image_free(im);
	return w;
}

/* A good frame: accepted, the trailer's CRC moved into the header, flags ORed in. */
static void test_check_good_frame(void **state)
{
	size_t len;
	uint8_t *w = board_frame(&len, DSR_FLAG_BAD);
	struct dsr_frame_info fi;
	int crc_error = -1;

	(void)state;
	assert_int_equal(dsr_board_check_frame(w, len, 64, 64, &fi, &crc_error), 0);
	assert_int_equal(crc_error, 0);
	assert_int_equal(fi.width, W);
	assert_int_equal(fi.height, H);
	assert_int_equal(fi.payload_crc, (uint32_t)crc32(0, w + 64, W * H * 2));
	assert_int_equal(fi.flags, DSR_MODE_SUBTRACT | DSR_FLAG_CRC_VALID | DSR_FLAG_BAD);
	free(w);
}

/* One payload bit flipped: a CRC error, told apart from a malformed frame. */
static void test_check_crc_error(void **state)
{
	size_t len;
	uint8_t *w = board_frame(&len, 0);
	struct dsr_frame_info fi;
	int crc_error = 0;

	(void)state;
	w[64 + 11] ^= 0x10;
	assert_int_equal(dsr_board_check_frame(w, len, 64, 64, &fi, &crc_error), -1);
	assert_int_equal(crc_error, 1);
	assert_non_null(strstr(dsr_error(), "CRC"));
	free(w);
}

/* Malformed: trailer magic, length short or long, beyond the board's frame store. */
static void test_check_malformed(void **state)
{
	size_t len;
	uint8_t *w = board_frame(&len, 0);
	struct dsr_frame_info fi;
	int crc_error = 1;

	(void)state;
	assert_int_equal(dsr_board_check_frame(w, len - 1, 64, 64, &fi, &crc_error), -1);
	assert_int_equal(crc_error, 0);
	assert_non_null(strstr(dsr_error(), "bytes on the wire"));
	assert_int_equal(dsr_board_check_frame(w, len, W - 1, 64, &fi, &crc_error), -1);
	assert_non_null(strstr(dsr_error(), "width"));
	assert_int_equal(dsr_board_check_frame(w, 10, 64, 64, &fi, &crc_error), -1);
	w[len - DSR_FRAME_TRAILER_SIZE + DSR_TRL_OFF_MAGIC] ^= 1;
	assert_int_equal(dsr_board_check_frame(w, len, 64, 64, &fi, &crc_error), -1);
	assert_int_equal(crc_error, 0);
	assert_non_null(strstr(dsr_error(), "trailer"));
	w[DSR_HDR_OFF_MAGIC] ^= 1;
	assert_int_equal(dsr_board_check_frame(w, len, 64, 64, &fi, &crc_error), -1);
	assert_non_null(strstr(dsr_error(), "magic"));
	free(w);
}

/* Specs dsr_board_open() does not know are refused with a message naming them. */
static void test_open_bad_spec(void **state)
{
	(void)state;
	assert_null(dsr_board_open("serial-port:3"));
	assert_non_null(strstr(dsr_error(), "serial-port:3"));
	assert_null(dsr_board_wire_frame(NULL, 12, 0, &(size_t){ 0 }));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_wire_frame_layout),
		cmocka_unit_test(test_check_good_frame),
		cmocka_unit_test(test_check_crc_error),
		cmocka_unit_test(test_check_malformed),
		cmocka_unit_test(test_open_bad_spec),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
