/*
 * test_hostile.c - the hostile-device relay and --replay, through a USB/IP client on a
 * socketpair (the relay wraps the connection exactly as in dsr-sim --fd/--vhci).
 *
 * What must hold: a seed reproduces the same mutated bytes; frames and descriptors are
 * really mutated and counted; the relay keeps the stream framed (every URB answered
 * exactly once, in order); --replay repeats the board's frame with sequence numbers
 * counting on, ending frames as the bridge does.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "dsr/model.h"
#include "hostile/hostile.h"
#include "log.h"
#include "sim.h"
#include "usb_client.h"

#define W	32
#define H	24
#define BITS	12
#define URB_LEN	4096u

static void pixels(uint16_t *px, uint32_t seed)
{
	for (uint32_t i = 0; i < W * H; i++)
		px[i] = (uint16_t)((i * 37u + seed * 101u) & 0x0fff);
}

static void send_frame(struct usb_client *cl, const uint16_t *px)
{
	size_t payload = (size_t)W * H * 2, len = DSR_FRAME_HEADER_SIZE + payload +
						  DSR_FRAME_TRAILER_SIZE;
	uint8_t *b = malloc(len);
	struct dsr_frame_info fi = { 0 };

	assert_non_null(b);
	for (size_t i = 0; i < (size_t)W * H; i++) {
		b[DSR_FRAME_HEADER_SIZE + 2 * i] = (uint8_t)px[i];
		b[DSR_FRAME_HEADER_SIZE + 2 * i + 1] = (uint8_t)(px[i] >> 8);
	}
	fi.width = W;
	fi.height = H;
	fi.format = DSR_FORMAT_MONO16;
	fi.pixel_bits = BITS;
	fi.flags = DSR_FLAG_CRC_VALID;
	fi.payload_length = (uint32_t)payload;
	fi.payload_crc = dsr_crc32(0, b + DSR_FRAME_HEADER_SIZE, payload);
	dsr_header_pack(&fi, b);
	dsr_trailer_pack(fi.payload_crc, 0, b + DSR_FRAME_HEADER_SIZE + payload);
	assert_int_equal(bulk_out(cl, b, (uint32_t)len), 0);
	free(b);
}

/* W x H pass-through, committed. */
static void pass_mode(struct usb_client *cl)
{
	assert_int_equal(reg_write(cl, DSR_REG_MODE, DSR_MODE_PASS), 0);
	assert_int_equal(reg_write(cl, DSR_REG_WIDTH, W), 0);
	assert_int_equal(reg_write(cl, DSR_REG_HEIGHT, H), 0);
	assert_int_equal(reg_write(cl, DSR_REG_PIXEL_BITS, BITS), 0);
	assert_int_equal(reg_write(cl, DSR_REG_CTRL, DSR_CTRL_COMMIT), 0);
}

static struct usb_client *start(const char *hostile, int replay)
{
	struct sim_options o;
	const char *why = "";
	struct usb_client *cl;

	sim_options_default(&o);
	if (hostile && hostile_parse(&o.hostile, hostile, &why) < 0)
		fail_msg("--hostile %s: %s", hostile, why);
	if (replay) {
		o.hostile.enabled = 1;
		o.hostile.replay = 1;
	}
	cl = client_start(&o);
	assert_non_null(cl);
	return cl;
}

/* The raw replies to @n frames: a frame fits one URB_LEN transfer, so each frame is
 * one transfer whatever the relay did to it (status, actual length, bytes). */
static uint8_t *stream(struct usb_client *cl, int n, size_t *total)
{
	uint8_t *all = malloc((size_t)n * (URB_LEN + 8));

	assert_non_null(all);
	*total = 0;
	for (int i = 0; i < n; i++) {
		uint16_t px[W * H];
		uint32_t actual = 0;
		int32_t status;

		pixels(px, (uint32_t)i);
		send_frame(cl, px);
		status = bulk_in(cl, all + *total + 8, URB_LEN, &actual);
		assert_true(status != -1000);
		memcpy(all + *total, &status, 4);
		memcpy(all + *total + 4, &actual, 4);
		*total += 8 + actual;
	}
	return all;
}

/* Bytes of the same requests, with and without the relay, with two seeds. */
static void test_seed_reproduces_mutations(void **state)
{
	const char *specs[] = { NULL, "seed=11,frames=1", "seed=11,frames=1", "seed=12,frames=1" };
	uint8_t *out[4];
	size_t len[4];
	const struct hostile_stats *st;
	uint64_t before;

	(void)state;
	before = hostile_finish()->frames_mutated;
	for (int k = 0; k < 4; k++) {
		struct usb_client *cl = start(specs[k], 0);

		assert_int_equal(client_enumerate(cl), 0);
		pass_mode(cl);
		out[k] = stream(cl, 12, &len[k]);
		client_stop(cl);
	}
	assert_true(len[1] == len[2] && !memcmp(out[1], out[2], len[1]));
	assert_true(len[0] != len[1] || memcmp(out[0], out[1], len[0]));
	assert_true(len[1] != len[3] || memcmp(out[1], out[3], len[1]));
	st = hostile_finish();
	/* frames=1: every frame the relay saw end was mutated, three runs of 12 */
	assert_true(st->frames_mutated - before >= 30);
	for (int k = 0; k < 4; k++)
		free(out[k]);
}

/* An OUT completion passes with the bytes the board took (the driver checks them). */
static void test_out_actual_kept(void **state)
{
	struct usb_client *cl = start("seed=5,frames=1,control=1", 0);
	uint8_t reg[4] = { 1, 0, 0, 0 };
	uint8_t setup[8] = { 0x40, DSR_REQ_REG_WRITE, 0, 0, DSR_REG_MODE, 0, 4, 0 };
	struct usb_reply rep;
	uint32_t seq;

	(void)state;
	seq = client_submit(cl, 0, USBIP_DIR_OUT, setup, reg, 4);
	assert_int_equal(client_recv(cl, &rep, 5000), 0);
	assert_int_equal(rep.seqnum, seq);
	assert_int_equal(rep.status, 0);
	assert_int_equal(rep.actual, 4);
	reply_free(&rep);
	client_stop(cl);
}

/* Without mutations the relay is transparent: pass-through frames arrive intact. */
static void test_relay_transparent(void **state)
{
	struct usb_client *cl = start("seed=5,frames=0,control=0", 0);
	uint16_t px[W * H];

	(void)state;
	assert_int_equal(client_enumerate(cl), 0);
	pass_mode(cl);
	for (int i = 0; i < 5; i++) {
		size_t len;
		int status;
		uint8_t *f;
		struct dsr_frame_info fi;
		const char *why = "";

		pixels(px, 40u + (uint32_t)i);
		send_frame(cl, px);
		f = read_frame(cl, URB_LEN, &len, &status);
		assert_non_null(f);
		assert_int_equal(status, 0);
		if (dsr_header_parse(f, len, 4096, 4096, &fi, &why))
			fail_msg("header: %s", why);
		for (uint32_t k = 0; k < W * H; k++)
			assert_int_equal(f[DSR_FRAME_HEADER_SIZE + 2 * k] |
					 f[DSR_FRAME_HEADER_SIZE + 2 * k + 1] << 8, px[k]);
		free(f);
	}
	client_stop(cl);
}

/* Descriptor plans: over seeds 1..24 (each builds a board: the DRAM model is slow to
 * construct) every structural kind shows up, and the mutated configuration descriptor
 * differs from the board's. */
static void test_descriptor_plans(void **state)
{
	uint8_t clean[256], got[256];
	uint32_t clean_len = 0, got_len;
	const struct hostile_stats *st;
	uint64_t kinds0[HK_KINDS], mutated0, differ = 0;

	(void)state;
	st = hostile_finish();
	memcpy(kinds0, st->kinds, sizeof(kinds0));
	mutated0 = st->enumerations_mutated;
	{
		struct usb_client *cl = start(NULL, 0);

		assert_int_equal(ctrl_in(cl, 0x80, 6, 0x0200, 0, 255, clean, &clean_len), 0);
		client_stop(cl);
	}
	for (uint64_t seed = 1; seed <= 24; seed++) {
		char spec[64];
		struct usb_client *cl;
		uint8_t dev[18];
		uint32_t n;

		snprintf(spec, sizeof(spec), "seed=%llu,descriptors=1,control=0",
			 (unsigned long long)seed);
		cl = start(spec, 0);
		ctrl_in(cl, 0x80, 6, 0x0100, 0, 18, dev, &n);
		got_len = 0;
		if (ctrl_in(cl, 0x80, 6, 0x0200, 0, 9, got, &got_len) == 0 && got_len == 9)
			ctrl_in(cl, 0x80, 6, 0x0200, 0, 255, got, &got_len);
		differ += got_len != clean_len || memcmp(got, clean, got_len);
		ctrl_in(cl, 0x80, 6, 0x0303, 0x0409, 255, got, &n);
		client_stop(cl);
		hostile_finish();	/* joins the finished relay */
	}
	st = hostile_finish();
	assert_true(st->enumerations_mutated - mutated0 >= 20);
	for (int k = HK_DESC_DROP_EP; k <= HK_DESC_EP_KIND; k++)
		if (st->kinds[k] == kinds0[k])
			fail_msg("descriptor mutation %s never applied in 24 seeds",
				 hostile_kind_name((enum hostile_kind)k));
	assert_true(differ >= 12);
}

/* --replay: the first frame again and again, sequence + 1 each, as fast as asked. */
static void test_replay(void **state)
{
	struct usb_client *cl = start(NULL, 1);
	uint16_t px[W * H];
	uint32_t seq0 = 0;

	(void)state;
	assert_int_equal(client_enumerate(cl), 0);
	pass_mode(cl);
	pixels(px, 9);
	send_frame(cl, px);
	for (int i = 0; i < 50; i++) {
		size_t len;
		int status;
		uint8_t *f = read_frame(cl, URB_LEN, &len, &status);
		struct dsr_frame_info fi;
		const char *why = "";

		assert_non_null(f);
		assert_int_equal(status, 0);
		if (dsr_header_parse(f, len, 4096, 4096, &fi, &why))
			fail_msg("replayed frame %d: %s", i, why);
		if (i == 0)
			seq0 = fi.sequence;
		assert_int_equal(fi.sequence, seq0 + (uint32_t)i);
		for (uint32_t k = 0; k < W * H; k++)
			assert_int_equal(f[DSR_FRAME_HEADER_SIZE + 2 * k] |
					 f[DSR_FRAME_HEADER_SIZE + 2 * k + 1] << 8, px[k]);
		free(f);
	}
	client_stop(cl);
	assert_true(hostile_finish()->frames_replayed >= 49);
}

static void test_parse(void **state)
{
	struct hostile_config c;
	const char *why = "";

	(void)state;
	assert_int_equal(hostile_parse(&c, "seed=3", &why), 0);
	assert_true(c.enabled && c.seed == 3 && c.frames == 0.5);
	assert_int_equal(hostile_parse(&c, "seed=3,frames=0.25,descriptors=1,fatal=0", &why), 0);
	assert_true(c.frames == 0.25 && c.descriptors == 1);
	assert_int_equal(hostile_parse(&c, "frames=1", &why), -1);
	assert_non_null(strstr(why, "seed"));
	assert_int_equal(hostile_parse(&c, "seed=1,frames=2", &why), -1);
	assert_int_equal(hostile_parse(&c, "seed=1,bogus=1", &why), -1);
	assert_int_equal(hostile_parse(&c, "seed=x", &why), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_relay_transparent),
		cmocka_unit_test(test_out_actual_kept),
		cmocka_unit_test(test_seed_reproduces_mutations),
		cmocka_unit_test(test_descriptor_plans),
		cmocka_unit_test(test_replay),
	};

	sim_log_enable(0);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
