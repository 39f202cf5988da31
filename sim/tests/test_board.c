/*
 * test_board.c - dsr-sim end to end through a real USB/IP client over a socketpair:
 * enumeration, register round-trips through the Verilated RTL, reference upload and live
 * frames compared bit for bit with dsr_model_frame, URB queueing and UNLINK rules,
 * every fault mode as seen on the wire, malformed input closing the connection cleanly,
 * the TCP operation phase, the playback source, and (DSR_SIM_BENCH=1) bulk IN MB/s.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cmocka.h>

#include "dsr/dsr_hw.h"
#include "dsr/image.h"
#include "dsr/model.h"
#include "log.h"
#include "tests/usb_client.h"
#include "usbip/usbip_wire.h"

#define W 40
#define H 24
#define BITS 12
#define URB_LEN (8 * 512)

/* Depth written into the frames' headers (the full-size test sends 16-bit frames). */
static uint32_t wire_bits = BITS;

/* ---------------------------------------------------------------------------------
 * Helpers: frames on the wire, parameters, the board's output.
 */

/* Deterministic test pixels with some structure (gradient + texture) and stray high
 * bits that the board must mask. */
static void make_pixels(uint16_t *px, uint32_t w, uint32_t h, uint32_t seed)
{
	uint32_t s = seed * 2654435761u + 1;

	for (uint32_t y = 0; y < h; y++) {
		for (uint32_t x = 0; x < w; x++) {
			s = s * 1103515245u + 12345u;
			px[y * w + x] = (uint16_t)((x * 60 + y * 90 + (s >> 20) % 300) |
						   ((s >> 8) & 0xf000));
		}
	}
}

/* Header + payload + trailer as the host sends them. */
static uint8_t *wire_frame(const uint16_t *px, uint32_t w, uint32_t h, uint32_t flags,
			   size_t *len)
{
	size_t payload = (size_t)w * h * 2;
	uint8_t *b = malloc(DSR_FRAME_HEADER_SIZE + payload + DSR_FRAME_TRAILER_SIZE);
	struct dsr_frame_info fi;

	assert_non_null(b);
	for (size_t i = 0; i < (size_t)w * h; i++) {
		b[DSR_FRAME_HEADER_SIZE + 2 * i] = (uint8_t)px[i];
		b[DSR_FRAME_HEADER_SIZE + 2 * i + 1] = (uint8_t)(px[i] >> 8);
	}
	memset(&fi, 0, sizeof(fi));
	fi.width = w;
	fi.height = h;
	fi.format = DSR_FORMAT_MONO16;
	fi.pixel_bits = wire_bits;
	fi.flags = flags | DSR_FLAG_CRC_VALID;
	fi.payload_length = (uint32_t)payload;
	fi.payload_crc = dsr_crc32(0, b + DSR_FRAME_HEADER_SIZE, payload);
	dsr_header_pack(&fi, b);
	dsr_trailer_pack(fi.payload_crc, 0, b + DSR_FRAME_HEADER_SIZE + payload);
	*len = DSR_FRAME_HEADER_SIZE + payload + DSR_FRAME_TRAILER_SIZE;
	return b;
}

static void send_frame(struct usb_client *cl, const uint16_t *px, uint32_t w, uint32_t h,
		       uint32_t flags)
{
	size_t len;
	uint8_t *b = wire_frame(px, w, h, flags, &len);

	assert_int_equal(bulk_out(cl, b, (uint32_t)len), 0);
	free(b);
}

/* Write a parameter set (and LUT) through the vendor requests, then commit. */
static void upload_params(struct usb_client *cl, const struct dsr_params *p,
			  const uint16_t *lut)
{
	const uint32_t regs[][2] = {
		{ DSR_REG_MODE, p->mode }, { DSR_REG_WIDTH, p->width },
		{ DSR_REG_HEIGHT, p->height }, { DSR_REG_PIXEL_BITS, p->pixel_bits },
		{ DSR_REG_A11, (uint32_t)p->a11 }, { DSR_REG_A12, (uint32_t)p->a12 },
		{ DSR_REG_A21, (uint32_t)p->a21 }, { DSR_REG_A22, (uint32_t)p->a22 },
		{ DSR_REG_TX, (uint32_t)p->tx }, { DSR_REG_TY, (uint32_t)p->ty },
		{ DSR_REG_GAIN, p->gain }, { DSR_REG_MIDGREY, p->midgrey },
		{ DSR_REG_H31, (uint32_t)p->h31 }, { DSR_REG_H32, (uint32_t)p->h32 },
	};

	for (size_t i = 0; i < sizeof(regs) / sizeof(regs[0]); i++)
		assert_int_equal(reg_write(cl, regs[i][0], regs[i][1]), 0);
	if (lut) {
		uint8_t chunk[DSR_LUT_CHUNK * 2];

		for (uint32_t c = 0; c < DSR_LUT_SIZE / DSR_LUT_CHUNK; c++) {
			for (uint32_t i = 0; i < DSR_LUT_CHUNK; i++) {
				chunk[2 * i] = (uint8_t)lut[c * DSR_LUT_CHUNK + i];
				chunk[2 * i + 1] = (uint8_t)(lut[c * DSR_LUT_CHUNK + i] >> 8);
			}
			assert_int_equal(ctrl_out(cl, 0x40, DSR_REQ_LUT_WRITE, (uint16_t)c, 0,
						  chunk, sizeof(chunk)), 0);
		}
	}
	assert_int_equal(reg_write(cl, DSR_REG_CTRL, DSR_CTRL_COMMIT), 0);
}

/* A subtraction that exercises every stage: rotation, sub-pixel shift, a LUT that is not
 * the identity, gain above one. */
static void subtract_params(struct dsr_params *p, uint16_t *lut, uint32_t w, uint32_t h)
{
	struct dsr_affine a = { 0.9986, -0.0523, 1.37, 0.0523, 0.9986, -0.81 };

	dsr_params_default(p, w, h, BITS);
	p->mode = DSR_MODE_SUBTRACT;
	assert_int_equal(dsr_params_set_affine(p, &a), 0);
	p->gain = 384;
	p->midgrey = 2048;
	for (uint32_t i = 0; i < DSR_LUT_SIZE; i++) {
		uint32_t v = (i & ((1u << BITS) - 1)) * 9 / 8;

		lut[i] = (uint16_t)(v > 4095 ? 4095 : v);
	}
}

struct out_frame {
	struct dsr_frame_info fi;
	uint8_t *bytes;
	size_t len;
	uint32_t trl_crc, trl_flags;
};

/* Read one output frame from bulk IN and check its framing (header, trailer, CRC). */
static void read_out_frame(struct usb_client *cl, struct out_frame *of)
{
	const char *why = "";
	int status;

	memset(of, 0, sizeof(*of));
	of->bytes = read_frame(cl, URB_LEN, &of->len, &status);
	assert_non_null(of->bytes);
	assert_int_equal(status, 0);
	assert_true(of->len >= DSR_FRAME_HEADER_SIZE + DSR_FRAME_TRAILER_SIZE);
	if (dsr_header_parse(of->bytes, of->len, 4096, 4096, &of->fi, &why) < 0)
		fail_msg("output header: %s", why);
	assert_int_equal(of->len, DSR_FRAME_HEADER_SIZE + of->fi.payload_length +
			 DSR_FRAME_TRAILER_SIZE);
	if (dsr_trailer_parse(of->bytes + of->len - DSR_FRAME_TRAILER_SIZE,
			      DSR_FRAME_TRAILER_SIZE, &of->trl_crc, &of->trl_flags, &why) < 0)
		fail_msg("output trailer: %s", why);
	assert_int_equal(of->trl_crc, dsr_crc32(0, of->bytes + DSR_FRAME_HEADER_SIZE,
						of->fi.payload_length));
}

static void expect_pixels(const struct out_frame *of, const uint16_t *want, size_t n)
{
	const uint8_t *p = of->bytes + DSR_FRAME_HEADER_SIZE;

	assert_int_equal(of->fi.payload_length, n * 2);
	for (size_t i = 0; i < n; i++) {
		uint16_t got = (uint16_t)(p[2 * i] | p[2 * i + 1] << 8);

		if (got != want[i])
			fail_msg("pixel %zu (x %zu, y %zu): board %u, model %u", i,
				 i % of->fi.width, i / of->fi.width, got, want[i]);
	}
}

/* A pass-through frame: the live pixels, masked to the board's BITS-bit depth. */
static void expect_passed_through(const struct out_frame *of, const uint16_t *live, size_t n)
{
	uint16_t *want = malloc(n * sizeof(*want));

	assert_non_null(want);
	for (size_t k = 0; k < n; k++)
		want[k] = live[k] & ((1u << BITS) - 1);
	expect_pixels(of, want, n);
	free(want);
}

static struct usb_client *start(const struct sim_options *o)
{
	struct usb_client *cl = client_start(o);

	assert_non_null(cl);
	assert_int_equal(client_enumerate(cl), 0);
	return cl;
}

static struct usb_client *start_default(void)
{
	struct sim_options o;

	sim_options_default(&o);
	o.serial = "TESTSERIAL7";
	return start(&o);
}

static void stop(struct usb_client *cl)
{
	assert_int_equal(client_stop(cl), 0);
}

/* Configure W x H PASS mode so every live frame comes back as it went in (masked). */
static void pass_mode(struct usb_client *cl, uint32_t w, uint32_t h)
{
	struct dsr_params p;

	dsr_params_default(&p, w, h, BITS);
	p.mode = DSR_MODE_PASS;
	upload_params(cl, &p, NULL);
}

/* ---------------------------------------------------------------------------------
 * Enumeration and standard requests.
 */

static void test_enumeration_high_speed(void **state)
{
	struct usb_client *cl = start_default();
	uint8_t buf[256];
	uint32_t n;

	(void)state;
	assert_int_equal(ctrl_in(cl, 0x80, 6, 0x0100, 0, 18, buf, &n), 0);
	assert_int_equal(buf[2] | buf[3] << 8, 0x0200);
	assert_int_equal(buf[7], 64);
	assert_int_equal(buf[8] | buf[9] << 8, DSR_USB_VID);
	assert_int_equal(buf[10] | buf[11] << 8, DSR_USB_PID);
	assert_int_equal(ctrl_in(cl, 0x80, 6, 0x0303, 0x0409, 255, buf, &n), 0);
	assert_int_equal(n, 2 + 2 * strlen("TESTSERIAL7"));
	assert_memory_equal(buf + 2, "T\0E\0S\0T\0", 8);
	assert_int_equal(ctrl_in(cl, 0x80, 6, 0x0302, 0x0409, 255, buf, &n), 0);
	assert_int_equal(n, 2 + 2 * strlen(DSR_USB_PRODUCT));
	assert_int_equal(ctrl_in(cl, 0x80, 8, 0, 0, 1, buf, &n), 0);
	assert_int_equal(buf[0], 1);
	assert_int_equal(ctrl_in(cl, 0x80, 0, 0, 0, 2, buf, &n), 0);
	assert_int_equal(buf[0], 1);	/* self-powered */
	assert_int_equal(ctrl_in(cl, 0x82, 0, 0, DSR_USB_EP_IN, 2, buf, &n), 0);
	assert_int_equal(buf[0], 0);	/* not halted */
	assert_int_equal(ctrl_out(cl, 0x01, 11, 0, 0, NULL, 0), 0);	/* SET_INTERFACE 0/0 */
	assert_int_equal(ctrl_in(cl, 0x81, 10, 0, 0, 1, buf, &n), 0);
	assert_int_equal(ctrl_in(cl, 0x80, 6, 0x0f00, 0, 5, buf, &n), -EPIPE);	/* no BOS */
	stop(cl);
}

static void test_enumeration_super_speed(void **state)
{
	struct sim_options o;
	struct usb_client *cl;
	uint8_t buf[256];
	uint32_t n;

	(void)state;
	sim_options_default(&o);
	o.speed = SIM_SPEED_SUPER;
	cl = start(&o);
	assert_int_equal(ctrl_in(cl, 0x80, 6, 0x0100, 0, 18, buf, &n), 0);
	assert_int_equal(buf[2] | buf[3] << 8, 0x0300);
	assert_int_equal(buf[7], 9);
	assert_int_equal(ctrl_in(cl, 0x80, 6, 0x0200, 0, 255, buf, &n), 0);
	assert_int_equal(n, 44);
	assert_int_equal(buf[18 + 4] | buf[18 + 5] << 8, DSR_USB_SS_MAXPACKET);
	assert_int_equal(buf[25 + 1], 48);	/* SS endpoint companion */
	assert_int_equal(buf[25 + 2], DSR_USB_SS_MAXBURST - 1);
	assert_int_equal(ctrl_in(cl, 0x80, 6, 0x0f00, 0, 255, buf, &n), 0);
	assert_int_equal(n, 22);
	assert_int_equal(ctrl_out(cl, 0x00, 49, 40, 0, NULL, 0), 0);	/* SET_ISOCH_DELAY */
	stop(cl);
}

/* Requests the device does not know STALL, and the device works on afterwards. */
static void test_unknown_requests_stall(void **state)
{
	struct usb_client *cl = start_default();
	uint8_t buf[64] = { 0 };
	uint32_t n, v;

	(void)state;
	assert_int_equal(ctrl_in(cl, 0xc0, 0x77, 0, 0, 4, buf, &n), -EPIPE);
	assert_int_equal(ctrl_out(cl, 0x40, 0x77, 0, 0, buf, 4), -EPIPE);
	assert_int_equal(ctrl_in(cl, 0xc1, DSR_REQ_REG_READ, 0, 0, 4, buf, &n), -EPIPE);
	assert_int_equal(ctrl_in(cl, 0x80, 6, 0x2200, 0, 64, buf, &n), -EPIPE);
	assert_int_equal(ctrl_in(cl, 0x80, 6, 0x0309, 0x0409, 64, buf, &n), -EPIPE);
	assert_int_equal(ctrl_in(cl, 0xc0, DSR_REQ_REG_READ, 0, DSR_REG_SPAN, 4, buf, &n),
			 -EPIPE);
	assert_int_equal(ctrl_in(cl, 0xc0, DSR_REQ_REG_READ, 0, 2, 4, buf, &n), -EPIPE);
	assert_int_equal(ctrl_in(cl, 0xc0, DSR_REQ_REG_READ, 0, 0, 2, buf, &n), -EPIPE);
	assert_int_equal(ctrl_out(cl, 0x40, DSR_REQ_REG_WRITE, 0, DSR_REG_MODE, buf, 2), -EPIPE);
	assert_int_equal(ctrl_out(cl, 0x40, DSR_REQ_LUT_WRITE, 32, 0, buf, 2), -EPIPE);
	assert_int_equal(ctrl_out(cl, 0x40, DSR_REQ_LUT_WRITE, 0, 0, buf, 3), -EPIPE);
	assert_int_equal(ctrl_out(cl, 0x40, DSR_REQ_STREAM, 2, 0, NULL, 0), -EPIPE);
	assert_int_equal(ctrl_out(cl, 0x00, 9, 7, 0, NULL, 0), -EPIPE);	/* no config 7 */
	assert_int_equal(reg_read(cl, DSR_REG_ID, &v), 0);
	assert_int_equal(v, DSR_ID_VALUE);
	stop(cl);
}

/* ---------------------------------------------------------------------------------
 * Registers.
 */

static void test_register_round_trip(void **state)
{
	struct usb_client *cl = start_default();
	struct dsr_board_info info;
	uint32_t v, n;

	(void)state;
	assert_int_equal(reg_read(cl, DSR_REG_ID, &v), 0);
	assert_int_equal(v, DSR_ID_VALUE);
	assert_int_equal(reg_read(cl, DSR_REG_VERSION, &v), 0);
	assert_int_equal(v, DSR_RTL_VERSION);
	assert_int_equal(reg_write(cl, DSR_REG_A12, 0xfff12345u), 0);
	assert_int_equal(reg_read(cl, DSR_REG_A12, &v), 0);
	assert_int_equal(v, 0xfff12345u);
	assert_int_equal(reg_write(cl, DSR_REG_TX, 0x00031234u), 0);
	assert_int_equal(reg_read(cl, DSR_REG_TX, &v), 0);
	assert_int_equal(v, 0x00031234u);
	assert_int_equal(ctrl_in(cl, 0xc0, DSR_REQ_GET_INFO, 0, 0, sizeof(info), &info, &n), 0);
	assert_int_equal(n, sizeof(info));
	assert_int_equal(info.id, DSR_ID_VALUE);
	assert_int_equal(info.rtl_version, DSR_RTL_VERSION);
	assert_int_equal(info.pixel_bits_max, DSR_PIXEL_BITS_MAX);
	assert_true(info.flags & DSR_BOARD_INFO_SIMULATED);
	assert_string_equal(info.serial, "TESTSERIAL7");
	assert_int_equal(reg_read(cl, DSR_REG_MAX_WIDTH, &v), 0);
	assert_int_equal(info.max_width, v);
	stop(cl);
}

/* ---------------------------------------------------------------------------------
 * Frames: reference upload, live frames, bit-exact against the model.
 */

static void test_reference_and_subtract_bit_exact(void **state)
{
	struct usb_client *cl = start_default();
	static uint16_t lut[DSR_LUT_SIZE];
	uint16_t ref[W * H], live[W * H], want[W * H], stored[W * H];
	struct dsr_params p;
	struct out_frame of;
	uint32_t v, seq0 = 0, gen0 = 0;

	(void)state;
	subtract_params(&p, lut, W, H);
	upload_params(cl, &p, lut);
	make_pixels(ref, W, H, 1);
	send_frame(cl, ref, W, H, DSR_FLAG_REFERENCE);
	/* The bridge restores the host's mode after the capture. */
	for (int i = 0; i < 3; i++) {
		make_pixels(live, W, H, 10 + (uint32_t)i);
		send_frame(cl, live, W, H, 0);
		read_out_frame(cl, &of);
		for (size_t k = 0; k < W * H; k++)
			stored[k] = (uint16_t)(ref[k] & ((1u << BITS) - 1));
		dsr_model_frame(&p, lut, stored, live, want);
		assert_int_equal(of.fi.width, W);
		assert_int_equal(of.fi.height, H);
		assert_int_equal(of.fi.pixel_bits, BITS);
		assert_int_equal(of.fi.flags & DSR_FLAG_MODE_MASK, DSR_MODE_SUBTRACT);
		assert_false(of.fi.flags & DSR_FLAG_NO_REFERENCE);
		assert_false(of.trl_flags & DSR_FLAG_BAD);
		expect_pixels(&of, want, W * H);
		if (i == 0) {
			seq0 = of.fi.sequence;
			gen0 = of.fi.generation;
		} else {
			assert_int_equal(of.fi.sequence, seq0 + (uint32_t)i);
			assert_int_equal(of.fi.generation, gen0);
		}
		free(of.bytes);
	}
	assert_int_equal(reg_read(cl, DSR_REG_MODE, &v), 0);
	assert_int_equal(v, DSR_MODE_SUBTRACT);
	assert_int_equal(reg_read(cl, DSR_REG_STATUS, &v), 0);
	assert_true(v & DSR_STATUS_REF_VALID);
	assert_int_equal(reg_read(cl, DSR_REG_FRAMES_IN, &v), 0);
	assert_int_equal(v, 4);	/* reference + 3 live */
	stop(cl);
}

/* The projective warp through the whole board: a homography with the largest
 * perspective the board accepts (h31 = -max, h32 = +max) and one in between; every
 * output pixel equals the model's, and the perspective registers read back. */
static void test_projective_subtract_bit_exact(void **state)
{
	struct usb_client *cl = start_default();
	static uint16_t lut[DSR_LUT_SIZE];
	uint16_t ref[W * H], live[W * H], want[W * H], stored[W * H];
	const int32_t hs[2][2] = { { -(int32_t)DSR_H_PERSP_MAX, (int32_t)DSR_H_PERSP_MAX },
				   { 12345678, -7654321 } };
	struct dsr_params p;
	struct out_frame of;
	uint32_t v;

	(void)state;
	make_pixels(ref, W, H, 3);
	subtract_params(&p, lut, W, H);
	upload_params(cl, &p, lut);
	send_frame(cl, ref, W, H, DSR_FLAG_REFERENCE);
	for (size_t k = 0; k < W * H; k++)
		stored[k] = (uint16_t)(ref[k] & ((1u << BITS) - 1));
	for (int i = 0; i < 2; i++) {
		p.h31 = hs[i][0];
		p.h32 = hs[i][1];
		p.mode = i ? DSR_MODE_SUBTRACT : DSR_MODE_WARP;
		assert_int_equal(dsr_params_check(&p, 0, 0, NULL), 0);
		upload_params(cl, &p, NULL);
		assert_int_equal(reg_read(cl, DSR_REG_H31, &v), 0);
		assert_int_equal(v, (uint32_t)p.h31);
		assert_int_equal(reg_read(cl, DSR_REG_H32, &v), 0);
		assert_int_equal(v, (uint32_t)p.h32);
		make_pixels(live, W, H, 20 + (uint32_t)i);
		send_frame(cl, live, W, H, 0);
		read_out_frame(cl, &of);
		dsr_model_frame(&p, lut, stored, live, want);
		assert_int_equal(of.fi.flags & DSR_FLAG_MODE_MASK, p.mode);
		assert_false(of.trl_flags & DSR_FLAG_BAD);
		expect_pixels(&of, want, W * H);
		free(of.bytes);
	}
	assert_int_equal(reg_read(cl, DSR_REG_VERSION, &v), 0);
	assert_true(v >= DSR_RTL_VERSION_PROJECTIVE);
	stop(cl);
}

/* Frames of a size the board is not set to, bad magic, bad CRC, or cut short STALL bulk
 * OUT until CLEAR_FEATURE(ENDPOINT_HALT); then a good frame goes through. */
static void test_bulk_out_malformed_stalls(void **state)
{
	struct usb_client *cl = start_default();
	uint16_t px[W * H];
	uint8_t st[2];
	uint32_t n;
	size_t len;
	uint8_t *b;
	struct out_frame of;

	(void)state;
	pass_mode(cl, W, H);
	make_pixels(px, W, H, 3);
	for (int kind = 0; kind < 4; kind++) {
		b = wire_frame(px, W, H, 0, &len);
		if (kind == 0)
			b[0] ^= 0xff;				/* magic */
		else if (kind == 1)
			b[DSR_FRAME_HEADER_SIZE + 7] ^= 1;	/* payload vs CRC */
		if (kind == 3) {
			struct dsr_frame_info fi;
			const char *why;

			assert_int_equal(dsr_header_parse(b, len, 4096, 4096, &fi, &why), 0);
			free(b);
			b = wire_frame(px, W / 2, H, 0, &len);	/* not the board's size */
		}
		if (kind == 2)
			assert_int_equal(bulk_out(cl, b, 1000), -EPIPE);	/* short */
		else
			assert_int_equal(bulk_out(cl, b, (uint32_t)len), -EPIPE);
		free(b);
		assert_int_equal(ctrl_in(cl, 0x82, 0, 0, DSR_USB_EP_OUT, 2, st, &n), 0);
		assert_int_equal(st[0], 1);
		b = wire_frame(px, W, H, 0, &len);
		assert_int_equal(bulk_out(cl, b, (uint32_t)len), -EPIPE);	/* still halted */
		free(b);
		assert_int_equal(ctrl_out(cl, 0x02, 1, 0, DSR_USB_EP_OUT, NULL, 0), 0);
	}
	send_frame(cl, px, W, H, 0);
	read_out_frame(cl, &of);
	expect_passed_through(&of, px, W * H);
	free(of.bytes);
	stop(cl);
}

/* ---------------------------------------------------------------------------------
 * URB queueing, ZLP, UNLINK.
 */

/* Several IN URBs queued before any data complete in order as the frame arrives: full
 * packets, then the short one that ends the frame. */
static void test_many_urbs_queued(void **state)
{
	struct usb_client *cl = start_default();
	uint16_t px[W * H];
	uint32_t seq[6];
	size_t frame_len = DSR_FRAME_HEADER_SIZE + W * H * 2 + DSR_FRAME_TRAILER_SIZE;
	size_t got = 0;
	struct usb_reply r;

	(void)state;
	pass_mode(cl, W, H);
	for (int i = 0; i < 6; i++)
		seq[i] = client_submit(cl, 1, USBIP_DIR_IN, NULL, NULL, 512);
	make_pixels(px, W, H, 4);
	send_frame(cl, px, W, H, 0);	/* its RET_SUBMIT may come before or after IN ones */
	for (int i = 0; i < 4;) {
		assert_int_equal(client_recv(cl, &r, 20000), 0);
		assert_int_equal(r.command, USBIP_RET_SUBMIT);
		if (r.actual == 0 || r.seqnum > seq[5]) {
			reply_free(&r);
			continue;	/* the bulk OUT completion */
		}
		assert_int_equal(client_recv_data(cl, &r), 0);
		assert_int_equal(r.seqnum, seq[i]);
		assert_int_equal(r.status, 0);
		assert_int_equal(r.actual, i < 3 ? 512 : frame_len - 3 * 512);
		got += r.actual;
		reply_free(&r);
		i++;
	}
	assert_int_equal(got, frame_len);
	/* two remain pending: unlink them */
	for (int i = 4; i < 6; i++) {
		uint32_t u = client_unlink(cl, seq[i]);

		assert_int_equal(client_recv(cl, &r, 20000), 0);
		assert_int_equal(r.command, USBIP_RET_UNLINK);
		assert_int_equal(r.seqnum, u);
		assert_int_equal(r.status, -ECONNRESET);
	}
	stop(cl);
}

/* A frame of exactly one max packet: a 512-byte URB takes it whole, and the next URB
 * gets the zero-length packet that ends the frame. */
static void test_zero_length_packet(void **state)
{
	struct usb_client *cl = start_default();
	enum { ZW = 24, ZH = 9 };	/* 64 + 432 + 16 = 512 bytes */
	uint16_t px[ZW * ZH];
	uint8_t buf[512];
	uint32_t n;

	(void)state;
	pass_mode(cl, ZW, ZH);
	make_pixels(px, ZW, ZH, 5);
	send_frame(cl, px, ZW, ZH, 0);
	assert_int_equal(bulk_in(cl, buf, 512, &n), 0);
	assert_int_equal(n, 512);
	assert_int_equal(bulk_in(cl, buf, 512, &n), 0);
	assert_int_equal(n, 0);
	stop(cl);
}

/* UNLINK of a pending URB: -ECONNRESET with the unlink's seqnum and never a RET_SUBMIT
 * for it; UNLINK of a completed URB: status 0. */
static void test_unlink_rules(void **state)
{
	struct usb_client *cl = start_default();
	struct usb_reply r;
	uint32_t in_seq, u, v, ctl_seq;
	uint8_t setup[8] = { 0xc0, DSR_REQ_REG_READ, 0, 0, 0, 0, 4, 0 };

	(void)state;
	in_seq = client_submit(cl, 1, USBIP_DIR_IN, NULL, NULL, 4096);
	u = client_unlink(cl, in_seq);
	assert_int_equal(client_recv(cl, &r, 20000), 0);
	assert_int_equal(r.command, USBIP_RET_UNLINK);
	assert_int_equal(r.seqnum, u);
	assert_int_equal(r.status, -ECONNRESET);
	/* the next reply is for the next request, not the unlinked URB */
	ctl_seq = client_submit(cl, 0, USBIP_DIR_IN, setup, NULL, 4);
	assert_int_equal(client_recv(cl, &r, 20000), 0);
	assert_int_equal(r.command, USBIP_RET_SUBMIT);
	assert_int_equal(r.seqnum, ctl_seq);
	assert_int_equal(client_recv_data(cl, &r), 0);
	memcpy(&v, r.data, 4);
	assert_int_equal(v, DSR_ID_VALUE);
	reply_free(&r);
	/* unlink after completion */
	u = client_unlink(cl, ctl_seq);
	assert_int_equal(client_recv(cl, &r, 20000), 0);
	assert_int_equal(r.command, USBIP_RET_UNLINK);
	assert_int_equal(r.seqnum, u);
	assert_int_equal(r.status, 0);
	/* and a frame sent now is still delivered whole to a fresh URB */
	pass_mode(cl, W, H);
	{
		uint16_t px[W * H];
		struct out_frame of;

		make_pixels(px, W, H, 6);
		send_frame(cl, px, W, H, 0);
		read_out_frame(cl, &of);
		assert_int_equal(of.fi.width, W);
		free(of.bytes);
	}
	stop(cl);
}

/* ---------------------------------------------------------------------------------
 * Fault injection as the driver sees it.
 */

static struct usb_client *start_fault(const char *spec)
{
	struct sim_options o;
	const char *why = "";

	sim_options_default(&o);
	assert_int_equal(fault_parse(&o.faults, spec, &why), 0);
	return start(&o);
}

/* Send one live frame and read what comes back, raw. */
static uint8_t *send_and_read(struct usb_client *cl, uint32_t seed, size_t *len, int *status)
{
	uint16_t px[W * H];

	make_pixels(px, W, H, seed);
	send_frame(cl, px, W, H, 0);
	return read_frame(cl, URB_LEN, len, status);
}

static void test_fault_corrupt_header(void **state)
{
	struct usb_client *cl = start_fault("corrupt-header");
	struct dsr_frame_info fi;
	const char *why = "";
	size_t len;
	int status;
	uint8_t *b;

	(void)state;
	pass_mode(cl, W, H);
	b = send_and_read(cl, 7, &len, &status);
	assert_int_equal(status, 0);
	assert_int_equal(len, DSR_FRAME_HEADER_SIZE + W * H * 2 + DSR_FRAME_TRAILER_SIZE);
	assert_int_equal(dsr_header_parse(b, len, 4096, 4096, &fi, &why), -1);
	assert_non_null(strstr(why, "magic"));
	free(b);
	stop(cl);
}

static void test_fault_wrong_length(void **state)
{
	struct usb_client *cl = start_fault("wrong-length");
	size_t len;
	int status;
	uint8_t *b;

	(void)state;
	pass_mode(cl, W, H);
	b = send_and_read(cl, 8, &len, &status);
	assert_int_equal(status, 0);
	assert_int_equal(len, DSR_FRAME_HEADER_SIZE + W * H * 2 + DSR_FRAME_TRAILER_SIZE);
	assert_int_equal(b[DSR_HDR_OFF_PAYLOAD_LENGTH] | b[DSR_HDR_OFF_PAYLOAD_LENGTH + 1] << 8,
			 W * H * 2 + 2);
	free(b);
	stop(cl);
}

/* every=2: frame 1 whole, frame 2 cut mid-payload (a short transfer), frame 3 whole. */
static void test_fault_truncated(void **state)
{
	struct usb_client *cl = start_fault("truncated,every=2");
	size_t len, whole = DSR_FRAME_HEADER_SIZE + W * H * 2 + DSR_FRAME_TRAILER_SIZE;
	int status;
	uint8_t *b;

	(void)state;
	pass_mode(cl, W, H);
	for (int i = 1; i <= 3; i++) {
		b = send_and_read(cl, 20 + (uint32_t)i, &len, &status);
		assert_int_equal(status, 0);
		assert_int_equal(b[0] | b[1] << 8 | b[2] << 16 | (uint32_t)b[3] << 24,
				 DSR_FRAME_MAGIC);
		if (i == 2)
			assert_int_equal(len, DSR_FRAME_HEADER_SIZE + W * H);
		else
			assert_int_equal(len, whole);
		free(b);
	}
	stop(cl);
}

static void test_fault_bad_crc(void **state)
{
	struct usb_client *cl = start_fault("bad-crc");
	uint32_t crc, flags;
	const char *why = "";
	size_t len;
	int status;
	uint8_t *b;

	(void)state;
	pass_mode(cl, W, H);
	b = send_and_read(cl, 9, &len, &status);
	assert_int_equal(status, 0);
	assert_int_equal(len, DSR_FRAME_HEADER_SIZE + W * H * 2 + DSR_FRAME_TRAILER_SIZE);
	assert_int_equal(dsr_trailer_parse(b + len - DSR_FRAME_TRAILER_SIZE, DSR_FRAME_TRAILER_SIZE,
					   &crc, &flags, &why), 0);
	assert_int_not_equal(crc, dsr_crc32(0, b + DSR_FRAME_HEADER_SIZE, W * H * 2));
	free(b);
	stop(cl);
}

/* The IN endpoint halts at the frame's start; CLEAR_FEATURE lets the frame through. */
static void test_fault_stall(void **state)
{
	struct usb_client *cl = start_fault("stall");
	struct out_frame of;
	uint16_t px[W * H];
	uint8_t buf[URB_LEN], st[2];
	uint32_t n;

	(void)state;
	pass_mode(cl, W, H);
	make_pixels(px, W, H, 11);
	send_frame(cl, px, W, H, 0);
	assert_int_equal(bulk_in(cl, buf, URB_LEN, &n), -EPIPE);
	assert_int_equal(bulk_in(cl, buf, URB_LEN, &n), -EPIPE);	/* stays halted */
	assert_int_equal(ctrl_in(cl, 0x82, 0, 0, DSR_USB_EP_IN, 2, st, &n), 0);
	assert_int_equal(st[0], 1);
	assert_int_equal(ctrl_out(cl, 0x02, 1, 0, DSR_USB_EP_IN, NULL, 0), 0);
	read_out_frame(cl, &of);
	expect_passed_through(&of, px, W * H);
	free(of.bytes);
	stop(cl);
}

/* Part of the frame arrives, then the server drops the connection; the loop returns 0. */
static void test_fault_disconnect(void **state)
{
	struct usb_client *cl = start_fault("disconnect");
	uint16_t px[W * H];
	uint8_t buf[512];
	uint32_t n;

	(void)state;
	pass_mode(cl, W, H);
	make_pixels(px, W, H, 12);
	send_frame(cl, px, W, H, 0);
	assert_int_equal(bulk_in(cl, buf, 512, &n), 0);
	assert_int_equal(n, 512);
	assert_int_equal(buf[0] | buf[1] << 8 | buf[2] << 16 | (uint32_t)buf[3] << 24,
			 DSR_FRAME_MAGIC);
	/* the next URB reaches the middle of the payload: the server hangs up */
	client_submit(cl, 1, USBIP_DIR_IN, NULL, NULL, 4096);
	assert_int_equal(client_wait_eof(cl, 20000), 1);
	stop(cl);
}

/* ---------------------------------------------------------------------------------
 * Untrusted bytes.
 */

static void expect_closed_on(const void *pdu, size_t len)
{
	struct usb_client *cl = start_default();

	assert_int_equal(client_send_raw(cl, pdu, len), 0);
	assert_int_equal(client_wait_eof(cl, 20000), 1);
	stop(cl);
}

static void test_malformed_pdus_close_cleanly(void **state)
{
	uint8_t b[USBIP_HEADER_SIZE * 2];

	(void)state;
	sim_log_enable(0);
	usbip_encode_cmd_submit(b, 1, 0, USBIP_DIR_IN, 1, 0, 512, NULL);
	usbip_put32(b, 7);
	expect_closed_on(b, USBIP_HEADER_SIZE);
	usbip_encode_cmd_submit(b, 1, 0, 5, 1, 0, 512, NULL);
	expect_closed_on(b, USBIP_HEADER_SIZE);
	usbip_encode_cmd_submit(b, 1, 0, USBIP_DIR_IN, 99, 0, 512, NULL);
	expect_closed_on(b, USBIP_HEADER_SIZE);
	usbip_encode_cmd_submit(b, 1, 0, USBIP_DIR_IN, 1, 0, 512, NULL);
	usbip_put32(b + 32, 3);
	expect_closed_on(b, USBIP_HEADER_SIZE);
	usbip_encode_cmd_submit(b, 1, 0, USBIP_DIR_OUT, 2, 0, 0x7fffffff, NULL);
	expect_closed_on(b, USBIP_HEADER_SIZE);
	usbip_encode_cmd_submit(b, 1, 0, USBIP_DIR_IN, 1, 0, 0xffffffff, NULL);
	expect_closed_on(b, USBIP_HEADER_SIZE);
	for (size_t i = 0; i < sizeof(b); i++)
		b[i] = (uint8_t)(i * 37 + 11);
	expect_closed_on(b, sizeof(b));
	sim_log_enable(1);
}

/* A truncated PDU followed by the peer closing: the loop ends cleanly, nothing leaks. */
static void test_peer_closes_mid_pdu(void **state)
{
	struct usb_client *cl = start_default();
	uint8_t b[USBIP_HEADER_SIZE + 10];

	(void)state;
	usbip_encode_cmd_submit(b, 1, 0, USBIP_DIR_OUT, 2, 0, 100000, NULL);
	assert_int_equal(client_send_raw(cl, b, sizeof(b)), 0);
	stop(cl);
}

/* ---------------------------------------------------------------------------------
 * TCP: OP_REQ_DEVLIST and OP_REQ_IMPORT as `usbip list` and `usbip attach` send them.
 */

struct tcp_server {
	struct sim *sim;
	int lfd;
	int result;
};

static void *tcp_thread(void *arg)
{
	struct tcp_server *t = arg;

	t->result = sim_serve_tcp(t->sim, t->lfd);
	return NULL;
}

static int tcp_connect(int port)
{
	struct sockaddr_in a;
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_port = htons((uint16_t)port);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	return fd;
}

static void test_tcp_devlist_import(void **state)
{
	struct sim_options o;
	struct tcp_server t;
	struct sockaddr_in a;
	socklen_t alen = sizeof(a);
	pthread_t th;
	uint8_t buf[512];
	struct usb_client cl;
	uint32_t v;
	int fd, port;

	memset(&cl, 0, sizeof(cl));

	(void)state;
	sim_options_default(&o);
	o.busid = "3-2";
	t.sim = sim_new(&o);
	assert_non_null(t.sim);
	t.lfd = socket(AF_INET, SOCK_STREAM, 0);
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(t.lfd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(listen(t.lfd, 4), 0);
	assert_int_equal(getsockname(t.lfd, (struct sockaddr *)&a, &alen), 0);
	port = ntohs(a.sin_port);
	assert_int_equal(pthread_create(&th, NULL, tcp_thread, &t), 0);

	fd = tcp_connect(port);
	usbip_encode_op_req(buf, USBIP_OP_REQ_DEVLIST, NULL);
	assert_int_equal(send(fd, buf, 8, 0), 8);
	assert_int_equal(recv(fd, buf, sizeof(buf), MSG_WAITALL), 0x148);
	close(fd);

	fd = tcp_connect(port);
	usbip_encode_op_req(buf, USBIP_OP_REQ_IMPORT, "9-9");	/* not ours */
	assert_int_equal(send(fd, buf, 40, 0), 40);
	assert_int_equal(recv(fd, buf, sizeof(buf), MSG_WAITALL), 8);
	assert_int_equal(usbip_get32(buf + 4), 1);
	close(fd);

	fd = tcp_connect(port);
	usbip_encode_op_req(buf, USBIP_OP_REQ_IMPORT, "3-2");
	assert_int_equal(send(fd, buf, 40, 0), 40);
	assert_int_equal(recv(fd, buf, 8 + 312, MSG_WAITALL), 8 + 312);
	assert_int_equal(usbip_get16(buf + 2), USBIP_OP_REP_IMPORT);
	assert_int_equal(usbip_get32(buf + 4), 0);
	assert_string_equal((char *)buf + 8 + 256, "3-2");
	assert_int_equal(usbip_get16(buf + 8 + 0x134 - 8), DSR_USB_VID);
	cl.fd = fd;
	cl.seqnum = 1;
	assert_int_equal(client_enumerate(&cl), 0);
	assert_int_equal(reg_read(&cl, DSR_REG_ID, &v), 0);
	assert_int_equal(v, DSR_ID_VALUE);
	close(fd);

	sim_stop(t.sim);
	pthread_join(th, NULL);
	assert_int_equal(t.result, 0);
	close(t.lfd);
	sim_free(t.sim);
}

/* Import over TCP into @cl (fd set, seqnum reset) and configure the device. */
static void tcp_import(struct usb_client *cl, int port)
{
	uint8_t buf[8 + 312];

	memset(cl, 0, sizeof(*cl));
	cl->fd = tcp_connect(port);
	cl->seqnum = 1;
	usbip_encode_op_req(buf, USBIP_OP_REQ_IMPORT, "1-1");
	assert_int_equal(send(cl->fd, buf, 40, 0), 40);
	assert_int_equal(recv(cl->fd, buf, sizeof(buf), MSG_WAITALL), sizeof(buf));
	assert_int_equal(usbip_get32(buf + 4), 0);
	assert_int_equal(client_enumerate(cl), 0);
}

/* A host that lost the connection mid-frame (disconnect fault on frame 2) imports again
 * and gets whole frames: the rest of the interrupted frame never reaches it. */
static void test_reimport_after_disconnect(void **state)
{
	struct sim_options o;
	struct tcp_server t;
	struct sockaddr_in a;
	socklen_t alen = sizeof(a);
	struct usb_client cl;
	struct out_frame of;
	uint16_t px[W * H];
	uint8_t buf[512];
	const char *why = "";
	pthread_t th;
	uint32_t n;
	int port;

	(void)state;
	sim_options_default(&o);
	assert_int_equal(fault_parse(&o.faults, "disconnect,every=2", &why), 0);
	t.sim = sim_new(&o);
	assert_non_null(t.sim);
	t.lfd = socket(AF_INET, SOCK_STREAM, 0);
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(t.lfd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(listen(t.lfd, 4), 0);
	assert_int_equal(getsockname(t.lfd, (struct sockaddr *)&a, &alen), 0);
	port = ntohs(a.sin_port);
	assert_int_equal(pthread_create(&th, NULL, tcp_thread, &t), 0);

	tcp_import(&cl, port);
	pass_mode(&cl, W, H);
	make_pixels(px, W, H, 40);
	send_frame(&cl, px, W, H, 0);
	read_out_frame(&cl, &of);	/* frame 1: whole */
	free(of.bytes);
	send_frame(&cl, px, W, H, 0);
	assert_int_equal(bulk_in(&cl, buf, 512, &n), 0);	/* frame 2: first packet... */
	client_submit(&cl, 1, USBIP_DIR_IN, NULL, NULL, 4096);
	assert_int_equal(client_wait_eof(&cl, 20000), 1);	/* ...then the line drops */
	close(cl.fd);

	tcp_import(&cl, port);
	make_pixels(px, W, H, 41);
	send_frame(&cl, px, W, H, 0);
	read_out_frame(&cl, &of);	/* frame 3: whole, not the rest of frame 2 */
	expect_passed_through(&of, px, W * H);
	free(of.bytes);
	close(cl.fd);

	sim_stop(t.sim);
	pthread_join(th, NULL);
	assert_int_equal(t.result, 0);
	close(t.lfd);
	sim_free(t.sim);
}

/* The devlist reply itself, read whole before the server closes. */
static void test_tcp_devlist_reply(void **state)
{
	struct sim_options o;
	struct tcp_server t;
	struct sockaddr_in a;
	socklen_t alen = sizeof(a);
	pthread_t th;
	uint8_t buf[512];
	int fd;

	(void)state;
	sim_options_default(&o);
	t.sim = sim_new(&o);
	assert_non_null(t.sim);
	t.lfd = socket(AF_INET, SOCK_STREAM, 0);
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(t.lfd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(listen(t.lfd, 4), 0);
	assert_int_equal(getsockname(t.lfd, (struct sockaddr *)&a, &alen), 0);
	assert_int_equal(pthread_create(&th, NULL, tcp_thread, &t), 0);
	fd = tcp_connect(ntohs(a.sin_port));
	usbip_encode_op_req(buf, USBIP_OP_REQ_DEVLIST, NULL);
	assert_int_equal(send(fd, buf, 8, 0), 8);
	assert_int_equal(recv(fd, buf, sizeof(buf), MSG_WAITALL), 0x148);
	assert_int_equal(usbip_get16(buf + 2), USBIP_OP_REP_DEVLIST);
	assert_int_equal(usbip_get32(buf + 8), 1);
	assert_string_equal((char *)buf + 0x10c, "1-1");
	assert_int_equal(usbip_get16(buf + 0x138), DSR_USB_VID);
	assert_int_equal(buf[0x144], 0xff);
	close(fd);
	sim_stop(t.sim);
	pthread_join(th, NULL);
	close(t.lfd);
	sim_free(t.sim);
}

/* ---------------------------------------------------------------------------------
 * Playback source and throughput.
 */

static double seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* Stream @frames frames of @w x @h from a --live file in PASS mode; each must be the file
 * (masked). Returns bulk IN MB/s. */
static double stream_file(uint32_t w, uint32_t h, int frames, uint32_t urb_len)
{
	char dir[] = "/tmp/dsr-sim-test-XXXXXX", path[64];
	char *live[1] = { path };
	struct dsr_image *im;
	struct sim_options o;
	struct usb_client *cl;
	size_t bytes = 0;
	double t0, t1;

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/live.pgm", dir);
	im = dsr_image_new(w, h, BITS);
	assert_non_null(im);
	make_pixels(im->pixels, w, h, 77);
	for (size_t k = 0; k < (size_t)w * h; k++)
		im->pixels[k] &= (1u << BITS) - 1;
	assert_int_equal(dsr_image_save(im, path), 0);
	sim_options_default(&o);
	o.live = live;
	o.nlive = 1;
	cl = start(&o);
	unlink(path);
	rmdir(dir);
	pass_mode(cl, w, h);
	assert_int_equal(ctrl_out(cl, 0x40, DSR_REQ_STREAM, 1, 0, NULL, 0), 0);
	t0 = seconds();
	for (int i = 0; i < frames; i++) {
		uint8_t *b;
		size_t len;
		int status;
		struct dsr_frame_info fi;
		const char *why = "";

		b = read_frame(cl, urb_len, &len, &status);
		assert_non_null(b);
		assert_int_equal(status, 0);
		assert_int_equal(dsr_header_parse(b, len, 4096, 4096, &fi, &why), 0);
		assert_int_equal(len, DSR_FRAME_HEADER_SIZE + (size_t)w * h * 2 +
				 DSR_FRAME_TRAILER_SIZE);
		for (size_t k = 0; k < (size_t)w * h; k++)
			if ((uint16_t)(b[64 + 2 * k] | b[65 + 2 * k] << 8) != im->pixels[k])
				fail_msg("frame %d pixel %zu differs from the --live file", i, k);
		bytes += len;
		free(b);
	}
	t1 = seconds();
	assert_int_equal(ctrl_out(cl, 0x40, DSR_REQ_STREAM, 0, 0, NULL, 0), 0);
	stop(cl);
	dsr_image_free(im);
	return bytes / (t1 - t0) / 1e6;
}

static void test_source_stream(void **state)
{
	(void)state;
	assert_true(stream_file(W, H, 5, URB_LEN) > 0);
}

/* The phantom source plays the follow-up that source_phantom_render() describes. */
static void test_phantom_stream(void **state)
{
	struct sim_options o;
	struct usb_client *cl;
	struct dsr_image *want;
	struct out_frame of;

	(void)state;
	sim_options_default(&o);
	o.phantom = 1;
	o.phantom_seed = 5;
	cl = start(&o);
	pass_mode(cl, 48, 32);
	want = source_phantom_render(5, 48, 32, BITS, 1);
	assert_non_null(want);
	assert_int_equal(ctrl_out(cl, 0x40, DSR_REQ_STREAM, 1, 0, NULL, 0), 0);
	for (int i = 0; i < 2; i++) {
		read_out_frame(cl, &of);
		expect_pixels(&of, want->pixels, 48 * 32);
		free(of.bytes);
	}
	stop(cl);
	dsr_image_free(want);
}

/* At a fixed frame rate with nobody reading, the FIFO fills, the RTL is back-pressured
 * and the source drops frames; what is delivered afterwards is still whole frames. */
static void test_source_drops_when_host_stalls(void **state)
{
	char dir[] = "/tmp/dsr-sim-test-XXXXXX", path[64];
	char *live[1] = { path };
	struct dsr_image *im;
	struct sim_options o;
	struct usb_client *cl;
	struct bridge_stats st;
	struct out_frame of;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/live.pgm", dir);
	im = dsr_image_new(W, H, BITS);
	assert_non_null(im);
	make_pixels(im->pixels, W, H, 31);
	for (size_t k = 0; k < W * H; k++)
		im->pixels[k] &= (1u << BITS) - 1;
	assert_int_equal(dsr_image_save(im, path), 0);
	sim_options_default(&o);
	o.live = live;
	o.nlive = 1;
	o.fps = 500;
	o.fifo_bytes = 8192;
	cl = start(&o);
	unlink(path);
	rmdir(dir);
	pass_mode(cl, W, H);
	assert_int_equal(ctrl_out(cl, 0x40, DSR_REQ_STREAM, 1, 0, NULL, 0), 0);
	usleep(400 * 1000);
	for (int i = 0; i < 6; i++) {
		read_out_frame(cl, &of);
		expect_pixels(&of, im->pixels, W * H);
		free(of.bytes);
	}
	assert_int_equal(ctrl_out(cl, 0x40, DSR_REQ_STREAM, 0, 0, NULL, 0), 0);
	assert_int_equal(client_stop_stats(cl, &st), 0);
	assert_true(st.source_dropped > 0);
	assert_true(st.source_frames >= 6);
	assert_true(st.frames_forwarded <= st.source_frames);
	dsr_image_free(im);
}

/* ---------------------------------------------------------------------------------
 * The dsr-sim binary itself: --fd, SIGTERM, bad options.
 */

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>

/* Run $DSR_SIM with @argv (fd @keep stays open in the child). Returns the pid. */
static pid_t spawn_sim(char *const argv[], int keep)
{
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0) {
		if (keep == 3)
			fcntl(3, F_SETFD, 0);
		else if (keep >= 0)
			dup2(keep, 3);	/* the copy is not close-on-exec */
		execv(getenv("DSR_SIM"), argv);
		_exit(127);
	}
	return pid;
}

static int wait_exit(pid_t pid)
{
	int st;

	assert_int_equal(waitpid(pid, &st, 0), pid);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static void test_binary_fd_mode(void **state)
{
	char *argv[] = { "dsr-sim", "--fd", "3", "--quiet", NULL };
	struct usb_client cl;
	uint32_t v;
	int sv[2];
	pid_t pid;

	(void)state;
	if (!getenv("DSR_SIM"))
		skip();
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
	pid = spawn_sim(argv, sv[1]);
	close(sv[1]);
	memset(&cl, 0, sizeof(cl));
	cl.fd = sv[0];
	cl.seqnum = 1;
	assert_int_equal(client_enumerate(&cl), 0);
	assert_int_equal(reg_read(&cl, DSR_REG_ID, &v), 0);
	assert_int_equal(v, DSR_ID_VALUE);
	close(sv[0]);
	assert_int_equal(wait_exit(pid), 0);
}

/* A loopback TCP port nobody listens on now: the kernel's pick for port 0. A fixed
 * number can be anyone's (an earlier suite's ephemeral port made CI fail once). */
static int free_tcp_port(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	assert_true(fd >= 0);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &len), 0);
	close(fd);
	return ntohs(a.sin_port);
}

/* Wait until something accepts on 127.0.0.1:@port (the board is built and the server
 * listens), at most @secs seconds. Returns 0 once it does. */
static int wait_listening(int port, int secs)
{
	struct sockaddr_in a = { .sin_family = AF_INET };

	a.sin_port = htons((uint16_t)port);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	for (int i = 0; i < secs * 20; i++) {
		int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		int ok;

		assert_true(fd >= 0);
		ok = connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0;
		close(fd);
		if (ok)
			return 0;
		usleep(50 * 1000);
	}
	return -1;
}

static void test_binary_sigterm_and_usage(void **state)
{
	char *serve[] = { "dsr-sim", "--port", "0", "--quiet", NULL };
	char *bad[] = { "dsr-sim", "--fault", "sometimes", NULL };
	char *bad2[] = { "dsr-sim", "--speed", "warp", NULL };
	char num[16];
	char *port[] = { "dsr-sim", "--port", num, NULL };
	pid_t pid;

	(void)state;
	if (!getenv("DSR_SIM"))
		skip();
	assert_int_equal(wait_exit(spawn_sim(serve, -1)), 2);	/* port 0 refused */
	assert_int_equal(wait_exit(spawn_sim(bad, -1)), 2);
	assert_int_equal(wait_exit(spawn_sim(bad2, -1)), 2);
	snprintf(num, sizeof(num), "%d", free_tcp_port());
	pid = spawn_sim(port, -1);
	/* SIGTERM once it serves (a peer connected and went), not after a guessed delay. */
	assert_int_equal(wait_listening(atoi(num), 60), 0);
	kill(pid, SIGTERM);
	assert_int_equal(wait_exit(pid), 0);
}

/* Bulk IN throughput of the simulated board (host-side, in-process client). A
 * benchmark, not a pass/fail timing test: it only prints. */
static void test_bench_bulk_in(void **state)
{
	double small, large;

	(void)state;
	if (!getenv("DSR_SIM_BENCH"))
		skip();
	small = stream_file(256, 256, 20, 64 * 1024);
	large = stream_file(1024, 1024, 4, 1024 * 1024);
	print_message("bulk IN through USB/IP (in-process client): 256x256 %.2f MB/s, 1024x1024 "
		      "%.2f MB/s\n", small, large);
}

/* A full-size 16-bit pair from the phantom on the DRAM build (DSR_SIM_FULLSIZE=1, make
 * fullsize): 2000 x 1500 reference upload, then subtraction frames with a rotated, shifted
 * transform, every pixel against the model. Too long for make test (minutes). */
static void test_fullsize_bit_exact(void **state)
{
	const uint32_t w = 2000, h = 1500, bits = 16, frames = 2;
	struct dsr_affine a = { 1.0152, -0.0871, 21.4, 0.0871, 0.9861, -13.7 };
	static uint16_t lut[DSR_LUT_SIZE];
	struct dsr_image *ref, *live;
	struct usb_client *cl;
	struct dsr_params p;
	struct out_frame of;
	uint16_t *want;
	struct timespec t0, t1;

	(void)state;
	if (!getenv("DSR_SIM_FULLSIZE"))
		skip();
	clock_gettime(CLOCK_MONOTONIC, &t0);
	cl = start_default();
	dsr_params_default(&p, w, h, bits);
	p.mode = DSR_MODE_SUBTRACT;
	assert_int_equal(dsr_params_set_affine(&p, &a), 0);
	p.gain = 320;
	p.midgrey = 32768;
	for (uint32_t i = 0; i < DSR_LUT_SIZE; i++)
		lut[i] = (uint16_t)(i - i / 16);
	upload_params(cl, &p, lut);
	ref = source_phantom_render(11, w, h, bits, 0);
	live = source_phantom_render(11, w, h, bits, 1);
	want = malloc((size_t)w * h * sizeof(*want));
	assert_non_null(ref);
	assert_non_null(live);
	assert_non_null(want);
	wire_bits = bits;
	send_frame(cl, ref->pixels, w, h, DSR_FLAG_REFERENCE);
	dsr_model_frame(&p, lut, ref->pixels, live->pixels, want);
	for (uint32_t i = 0; i < frames; i++) {
		send_frame(cl, live->pixels, w, h, 0);
		read_out_frame(cl, &of);
		assert_int_equal(of.fi.width, w);
		assert_int_equal(of.fi.height, h);
		assert_int_equal(of.fi.flags & DSR_FLAG_MODE_MASK, DSR_MODE_SUBTRACT);
		assert_false(of.fi.flags & DSR_FLAG_NO_REFERENCE);
		assert_false(of.trl_flags & DSR_FLAG_BAD);
		expect_pixels(&of, want, (size_t)w * h);
		free(of.bytes);
	}
	wire_bits = BITS;
	stop(cl);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	print_message("full size: %ux%u x %u bits, reference upload + %u subtraction frames "
		      "bit-exact with the model in %.1f s\n", w, h, bits, frames,
		      (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
	free(want);
	dsr_image_free(ref);
	dsr_image_free(live);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_enumeration_high_speed),
		cmocka_unit_test(test_enumeration_super_speed),
		cmocka_unit_test(test_unknown_requests_stall),
		cmocka_unit_test(test_register_round_trip),
		cmocka_unit_test(test_reference_and_subtract_bit_exact),
		cmocka_unit_test(test_projective_subtract_bit_exact),
		cmocka_unit_test(test_bulk_out_malformed_stalls),
		cmocka_unit_test(test_many_urbs_queued),
		cmocka_unit_test(test_zero_length_packet),
		cmocka_unit_test(test_unlink_rules),
		cmocka_unit_test(test_fault_corrupt_header),
		cmocka_unit_test(test_fault_wrong_length),
		cmocka_unit_test(test_fault_truncated),
		cmocka_unit_test(test_fault_bad_crc),
		cmocka_unit_test(test_fault_stall),
		cmocka_unit_test(test_fault_disconnect),
		cmocka_unit_test(test_malformed_pdus_close_cleanly),
		cmocka_unit_test(test_peer_closes_mid_pdu),
		cmocka_unit_test(test_tcp_devlist_import),
		cmocka_unit_test(test_tcp_devlist_reply),
		cmocka_unit_test(test_reimport_after_disconnect),
		cmocka_unit_test(test_source_stream),
		cmocka_unit_test(test_phantom_stream),
		cmocka_unit_test(test_source_drops_when_host_stalls),
		cmocka_unit_test(test_binary_fd_mode),
		cmocka_unit_test(test_binary_sigterm_and_usage),
		cmocka_unit_test(test_bench_bulk_in),
		cmocka_unit_test(test_fullsize_bit_exact),
	};

	/* DSR_SIM_TEST=PATTERN: only the tests whose names match (make bench runs one) */
	if (getenv("DSR_SIM_TEST"))
		cmocka_set_test_filter(getenv("DSR_SIM_TEST"));
	return cmocka_run_group_tests_name("sim: dsr-sim over USB/IP with the Verilated board",
					   tests, NULL, NULL);
}
