/*
 * test_usbip_wire.c - the USB/IP decoder and encoders, fault option parsing, the output
 * FIFO and the USB descriptors: everything of dsr-sim that needs no RTL.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "bridge/fault.h"
#include "bridge/out_fifo.h"
#include "bridge/usb_desc.h"
#include "dsr/dsr_hw.h"
#include "usbip/usbip_wire.h"

static const uint8_t setup_get_desc[8] = { 0x80, 6, 0, 1, 0, 0, 18, 0 };

/* A CMD_SUBMIT as vhci-hcd sends it decodes field for field. */
static void test_submit_in(void **state)
{
	uint8_t buf[USBIP_HEADER_SIZE];
	struct usbip_cmd cmd;
	const char *why = "";

	(void)state;
	usbip_encode_cmd_submit(buf, 77, 0x10002, USBIP_DIR_IN, 0, 0x200, 18, setup_get_desc);
	assert_int_equal(usbip_decode_cmd(buf, sizeof(buf), USBIP_TRANSFER_MAX, &cmd, &why),
			 USBIP_DECODED);
	assert_int_equal(cmd.command, USBIP_CMD_SUBMIT);
	assert_int_equal(cmd.seqnum, 77);
	assert_int_equal(cmd.devid, 0x10002);
	assert_int_equal(cmd.direction, USBIP_DIR_IN);
	assert_int_equal(cmd.transfer_flags, 0x200);
	assert_int_equal(cmd.transfer_buffer_length, 18);
	assert_int_equal(cmd.number_of_packets, -1);
	assert_memory_equal(cmd.setup, setup_get_desc, 8);
	assert_null(cmd.data);
	assert_int_equal(cmd.size, USBIP_HEADER_SIZE);
	/* one byte short of a header: wait for more */
	assert_int_equal(usbip_decode_cmd(buf, sizeof(buf) - 1, USBIP_TRANSFER_MAX, &cmd, &why),
			 USBIP_NEED_MORE);
}

/* An OUT submit is decoded only once all its data is there, and points at it. */
static void test_submit_out_data(void **state)
{
	uint8_t buf[USBIP_HEADER_SIZE + 100];
	struct usbip_cmd cmd;
	const char *why = "";

	(void)state;
	usbip_encode_cmd_submit(buf, 5, 0, USBIP_DIR_OUT, 2, 0, 100, NULL);
	for (int i = 0; i < 100; i++)
		buf[USBIP_HEADER_SIZE + i] = (uint8_t)i;
	for (size_t len = USBIP_HEADER_SIZE; len < sizeof(buf); len += 33)
		assert_int_equal(usbip_decode_cmd(buf, len, USBIP_TRANSFER_MAX, &cmd, &why),
				 USBIP_NEED_MORE);
	assert_int_equal(usbip_decode_cmd(buf, sizeof(buf), USBIP_TRANSFER_MAX, &cmd, &why),
			 USBIP_DECODED);
	assert_int_equal(cmd.ep, 2);
	assert_int_equal(cmd.size, sizeof(buf));
	assert_ptr_equal(cmd.data, buf + USBIP_HEADER_SIZE);
	assert_int_equal(cmd.data[99], 99);
}

static void test_unlink(void **state)
{
	uint8_t buf[USBIP_HEADER_SIZE];
	struct usbip_cmd cmd;
	const char *why = "";

	(void)state;
	usbip_encode_cmd_unlink(buf, 9, 4);
	assert_int_equal(usbip_decode_cmd(buf, sizeof(buf), USBIP_TRANSFER_MAX, &cmd, &why),
			 USBIP_DECODED);
	assert_int_equal(cmd.command, USBIP_CMD_UNLINK);
	assert_int_equal(cmd.seqnum, 9);
	assert_int_equal(cmd.unlink_seqnum, 4);
}

/* Each malformed header is refused with a reason naming the field. */
static void expect_malformed(uint8_t *buf, const char *word)
{
	struct usbip_cmd cmd;
	const char *why = "";

	assert_int_equal(usbip_decode_cmd(buf, USBIP_HEADER_SIZE, 1u << 20, &cmd, &why),
			 USBIP_MALFORMED);
	assert_non_null(strstr(why, word));
}

static void test_malformed(void **state)
{
	uint8_t buf[USBIP_HEADER_SIZE];

	(void)state;
	usbip_encode_cmd_submit(buf, 1, 0, USBIP_DIR_IN, 1, 0, 512, NULL);
	usbip_put32(buf, 3);	/* RET_SUBMIT from a client */
	expect_malformed(buf, "command");
	usbip_encode_cmd_submit(buf, 1, 0, 2, 1, 0, 512, NULL);
	expect_malformed(buf, "direction");
	usbip_encode_cmd_submit(buf, 1, 0, USBIP_DIR_IN, 16, 0, 512, NULL);
	expect_malformed(buf, "endpoint");
	usbip_encode_cmd_submit(buf, 1, 0, USBIP_DIR_IN, 1, 0, 512, NULL);
	usbip_put32(buf + 32, 8);	/* number_of_packets: isochronous */
	expect_malformed(buf, "isochronous");
	usbip_encode_cmd_submit(buf, 1, 0, USBIP_DIR_IN, 1, 0, (1u << 20) + 1, NULL);
	expect_malformed(buf, "transfer_buffer_length");
	memset(buf, 0xff, sizeof(buf));
	expect_malformed(buf, "command");
}

/* number_of_packets 0 (what 6.1's vhci sends for bulk) is as good as -1. */
static void test_packets_zero(void **state)
{
	uint8_t buf[USBIP_HEADER_SIZE];
	struct usbip_cmd cmd;
	const char *why = "";

	(void)state;
	usbip_encode_cmd_submit(buf, 1, 0, USBIP_DIR_IN, 1, 0, 512, NULL);
	usbip_put32(buf + 32, 0);
	assert_int_equal(usbip_decode_cmd(buf, sizeof(buf), USBIP_TRANSFER_MAX, &cmd, &why),
			 USBIP_DECODED);
	assert_int_equal(cmd.number_of_packets, 0);
}

static void test_op_requests(void **state)
{
	uint8_t buf[USBIP_OP_IMPORT_SIZE];
	struct usbip_op_req req;
	const char *why = "";

	(void)state;
	usbip_encode_op_req(buf, USBIP_OP_REQ_DEVLIST, NULL);
	assert_int_equal(usbip_decode_op(buf, 7, &req, &why), USBIP_NEED_MORE);
	assert_int_equal(usbip_decode_op(buf, 8, &req, &why), USBIP_DECODED);
	assert_int_equal(req.code, USBIP_OP_REQ_DEVLIST);
	assert_int_equal(req.size, 8);
	usbip_encode_op_req(buf, USBIP_OP_REQ_IMPORT, "1-1");
	assert_int_equal(usbip_decode_op(buf, 39, &req, &why), USBIP_NEED_MORE);
	assert_int_equal(usbip_decode_op(buf, 40, &req, &why), USBIP_DECODED);
	assert_string_equal(req.busid, "1-1");
	memset(buf + 8, 'x', 32);	/* busid without its NUL */
	assert_int_equal(usbip_decode_op(buf, 40, &req, &why), USBIP_MALFORMED);
	assert_non_null(strstr(why, "busid"));
	usbip_put16(buf, 0x0106);
	assert_int_equal(usbip_decode_op(buf, 40, &req, &why), USBIP_MALFORMED);
	assert_non_null(strstr(why, "version"));
	usbip_encode_op_req(buf, 0x8004, NULL);
	assert_int_equal(usbip_decode_op(buf, 8, &req, &why), USBIP_MALFORMED);
}

/* OP_REP_DEVLIST and OP_REP_IMPORT put each field at the documented offset. */
static void test_op_replies(void **state)
{
	struct usbip_device_desc d;
	uint8_t buf[400];

	(void)state;
	memset(&d, 0, sizeof(d));
	strcpy(d.path, "/sys/devices/dsr-sim/X");
	strcpy(d.busid, "1-1");
	d.busnum = 1;
	d.devnum = 2;
	d.speed = USBIP_SPEED_HIGH;
	d.id_vendor = DSR_USB_VID;
	d.id_product = DSR_USB_PID;
	d.num_interfaces = 1;
	d.interface_class = 0xff;
	assert_int_equal(usbip_encode_devlist(buf, sizeof(buf), &d), 0x148);
	assert_int_equal(usbip_get16(buf + 2), USBIP_OP_REP_DEVLIST);
	assert_int_equal(usbip_get32(buf + 8), 1);
	assert_string_equal((char *)buf + 0x10c, "1-1");
	assert_int_equal(usbip_get32(buf + 0x134), USBIP_SPEED_HIGH);
	assert_int_equal(usbip_get16(buf + 0x138), DSR_USB_VID);
	assert_int_equal(usbip_get16(buf + 0x13a), DSR_USB_PID);
	assert_int_equal(buf[0x143], 1);
	assert_int_equal(buf[0x144], 0xff);
	assert_int_equal(usbip_encode_devlist(buf, 100, &d), 0);
	assert_int_equal(usbip_encode_import(buf, sizeof(buf), &d), 8 + 312);
	assert_int_equal(usbip_get32(buf + 4), 0);
	assert_int_equal(usbip_get32(buf + 0x130), USBIP_SPEED_HIGH);
	assert_int_equal(usbip_encode_import(buf, sizeof(buf), NULL), 8);
	assert_int_equal(usbip_get32(buf + 4), 1);
}

static void test_ret_encoders(void **state)
{
	uint8_t buf[USBIP_HEADER_SIZE];

	(void)state;
	usbip_encode_ret_submit(buf, 12, -32, 0, -1);
	assert_int_equal(usbip_get32(buf), USBIP_RET_SUBMIT);
	assert_int_equal(usbip_get32(buf + 4), 12);
	assert_int_equal(usbip_get32(buf + 8), 0);	/* devid */
	assert_int_equal(usbip_get32(buf + 12), 0);	/* direction */
	assert_int_equal(usbip_get32(buf + 16), 0);	/* ep */
	assert_int_equal((int32_t)usbip_get32(buf + 20), -32);
	assert_int_equal(usbip_get32(buf + 32), 0xffffffffu);
	usbip_encode_ret_unlink(buf, 13, -104);
	assert_int_equal(usbip_get32(buf), USBIP_RET_UNLINK);
	assert_int_equal(usbip_get32(buf + 4), 13);
	assert_int_equal((int32_t)usbip_get32(buf + 20), -104);
}

static void test_fault_parse(void **state)
{
	struct fault_plan plan;
	const char *why = "";

	(void)state;
	memset(&plan, 0, sizeof(plan));
	assert_int_equal(fault_parse(&plan, "bad-crc", &why), 0);
	assert_int_equal(plan.every[FAULT_BAD_CRC], 1);
	assert_int_equal(fault_parse(&plan, "truncated,every=3", &why), 0);
	assert_int_equal(plan.every[FAULT_TRUNCATED], 3);
	assert_int_equal(fault_hits(&plan, 3), (1u << FAULT_BAD_CRC) | (1u << FAULT_TRUNCATED));
	assert_int_equal(fault_hits(&plan, 4), 1u << FAULT_BAD_CRC);
	assert_int_equal(fault_parse(&plan, "nonsense", &why), -1);
	assert_non_null(strstr(why, "unknown"));
	assert_int_equal(fault_parse(&plan, "stall,every=0", &why), -1);
	assert_int_equal(fault_parse(&plan, "stall,every=x", &why), -1);
	assert_int_equal(fault_parse(&plan, "stall,often=2", &why), -1);
	assert_int_equal(plan.every[FAULT_STALL], 0);
}

/* Bytes and frame records survive the ring's wrap-around. */
static void test_fifo_wrap(void **state)
{
	struct out_fifo f;
	uint8_t in[3000], out[3000];

	(void)state;
	assert_int_equal(fifo_init(&f, 4096), 0);
	for (int round = 0; round < 10; round++) {
		for (size_t i = 0; i < sizeof(in); i++)
			in[i] = (uint8_t)(i * 7 + (size_t)round);
		assert_true(fifo_space(&f) >= sizeof(in));
		assert_int_equal(fifo_frame_begin(&f, 0), 0);
		fifo_push(&f, in, sizeof(in));
		fifo_frame_end(&f);
		assert_int_equal(fifo_head_frame(&f)->end - fifo_head_frame(&f)->start, 3000);
		fifo_pop(&f, out, sizeof(out));
		assert_memory_equal(in, out, sizeof(in));
		fifo_drop_head_frame(&f);
		assert_null(fifo_head_frame(&f));
	}
	assert_int_equal(fifo_space(&f), 4096);
	fifo_destroy(&f);
}

/* Descriptors: sizes, packet sizes and the serial string per speed. */
static void test_descriptors(void **state)
{
	uint8_t d[256];
	int n;

	(void)state;
	n = usb_desc_get(SIM_SPEED_HIGH, USB_DT_DEVICE, 0, "S1", d, sizeof(d));
	assert_int_equal(n, 18);
	assert_int_equal(d[2] | d[3] << 8, 0x0200);
	assert_int_equal(d[8] | d[9] << 8, DSR_USB_VID);
	n = usb_desc_get(SIM_SPEED_HIGH, USB_DT_CONFIG, 0, "S1", d, sizeof(d));
	assert_int_equal(n, 9 + 9 + 7 + 7);
	assert_int_equal(d[2] | d[3] << 8, n);
	assert_int_equal(d[18 + 2], DSR_USB_EP_IN);
	assert_int_equal(d[18 + 4] | d[18 + 5] << 8, DSR_USB_HS_MAXPACKET);
	assert_int_equal(d[25 + 2], DSR_USB_EP_OUT);
	n = usb_desc_get(SIM_SPEED_SUPER, USB_DT_CONFIG, 0, "S1", d, sizeof(d));
	assert_int_equal(n, 9 + 9 + 2 * (7 + 6));
	assert_int_equal(d[18 + 4] | d[18 + 5] << 8, DSR_USB_SS_MAXPACKET);
	assert_int_equal(d[25 + 1], USB_DT_SS_EP_COMP);
	assert_int_equal(d[25 + 2], DSR_USB_SS_MAXBURST - 1);
	assert_int_equal(usb_desc_get(SIM_SPEED_HIGH, USB_DT_BOS, 0, "S1", d, sizeof(d)), -1);
	n = usb_desc_get(SIM_SPEED_SUPER, USB_DT_BOS, 0, "S1", d, sizeof(d));
	assert_int_equal(n, 22);
	n = usb_desc_get(SIM_SPEED_HIGH, USB_DT_STRING, USB_STRING_SERIAL, "AB7", d, sizeof(d));
	assert_int_equal(n, 8);
	assert_memory_equal(d + 2, "A\0B\0" "7\0", 6);
	assert_int_equal(usb_desc_get(SIM_SPEED_HIGH, USB_DT_STRING, 9, "S", d, sizeof(d)), -1);
	/* truncated to the host's wLength */
	assert_int_equal(usb_desc_get(SIM_SPEED_HIGH, USB_DT_CONFIG, 0, "S", d, 9), 9);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_submit_in),
		cmocka_unit_test(test_submit_out_data),
		cmocka_unit_test(test_unlink),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_packets_zero),
		cmocka_unit_test(test_op_requests),
		cmocka_unit_test(test_op_replies),
		cmocka_unit_test(test_ret_encoders),
		cmocka_unit_test(test_fault_parse),
		cmocka_unit_test(test_fifo_wrap),
		cmocka_unit_test(test_descriptors),
	};

	return cmocka_run_group_tests_name("sim: usbip wire, faults, fifo, descriptors", tests,
					   NULL, NULL);
}
