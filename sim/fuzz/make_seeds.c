/*
 * make_seeds.c - writes the fuzzer's seed corpus: one valid PDU stream per kind (control
 * IN, control OUT with data, bulk IN, bulk OUT, unlink, devlist, import) for the decoder
 * fuzzer, and a whole session (configure, set the board to 8x4, send a reference and a
 * live frame, read the output, unlink) for the connection fuzzer.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dsr/dsr_hw.h"
#include "dsr/model.h"
#include "usbip/usbip_wire.h"

static void put(const char *dir, const char *name, const uint8_t *b, size_t n)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/seed-%s", dir, name);
	f = fopen(path, "wb");
	if (!f)
		return;
	fwrite(b, 1, n, f);
	fclose(f);
}

/* Append one CMD_SUBMIT (+ OUT data) to @b at @n. */
static size_t submit(uint8_t *b, size_t n, uint32_t seq, uint32_t dir, uint32_t ep,
		     const uint8_t setup[8], const void *data, uint32_t len)
{
	usbip_encode_cmd_submit(b + n, seq, 0x10002, dir, ep, 0, len, setup);
	n += USBIP_HEADER_SIZE;
	if (dir == USBIP_DIR_OUT && len) {
		memcpy(b + n, data, len);
		n += len;
	}
	return n;
}

/* A wire frame of 8x4 pixels, as the host sends it. */
static size_t frame(uint8_t *b, uint32_t flags)
{
	struct dsr_frame_info fi;

	memset(&fi, 0, sizeof(fi));
	for (int i = 0; i < 64; i++)
		b[DSR_FRAME_HEADER_SIZE + i] = (uint8_t)(i * 13);
	fi.width = 8;
	fi.height = 4;
	fi.format = DSR_FORMAT_MONO16;
	fi.pixel_bits = 12;
	fi.flags = flags;
	fi.payload_length = 64;
	fi.payload_crc = dsr_crc32(0, b + DSR_FRAME_HEADER_SIZE, 64);
	dsr_header_pack(&fi, b);
	dsr_trailer_pack(fi.payload_crc, 0, b + DSR_FRAME_HEADER_SIZE + 64);
	return DSR_FRAME_HEADER_SIZE + 64 + DSR_FRAME_TRAILER_SIZE;
}

/* The connection fuzzer's seed: a short but complete session. */
static void session_seed(const char *dir)
{
	static uint8_t b[8192];
	uint8_t f[256], v[4];
	const uint8_t set_config[8] = { 0, 9, 1, 0, 0, 0, 0, 0 };
	const uint8_t get_info[8] = { 0xc0, DSR_REQ_GET_INFO, 0, 0, 0, 0, 64, 0 };
	const uint8_t stream_on[8] = { 0x40, DSR_REQ_STREAM, 1, 0, 0, 0, 0, 0 };
	const uint8_t clear_halt[8] = { 2, 1, 0, 0, DSR_USB_EP_OUT, 0, 0, 0 };
	const uint32_t regs[][2] = { { DSR_REG_WIDTH, 8 }, { DSR_REG_HEIGHT, 4 },
				     { DSR_REG_MODE, DSR_MODE_SUBTRACT },
				     { DSR_REG_CTRL, DSR_CTRL_COMMIT } };
	uint32_t seq = 1;
	size_t n = 0, fl;

	n = submit(b, n, seq++, USBIP_DIR_OUT, 0, set_config, NULL, 0);
	n = submit(b, n, seq++, USBIP_DIR_IN, 0, get_info, NULL, 64);
	for (size_t i = 0; i < 4; i++) {
		uint8_t s[8] = { 0x40, DSR_REQ_REG_WRITE, 0, 0, (uint8_t)regs[i][0], 0, 4, 0 };

		v[0] = (uint8_t)regs[i][1];
		v[1] = v[2] = v[3] = 0;
		n = submit(b, n, seq++, USBIP_DIR_OUT, 0, s, v, 4);
	}
	fl = frame(f, DSR_FLAG_REFERENCE);
	n = submit(b, n, seq++, USBIP_DIR_OUT, 2, NULL, f, (uint32_t)fl);
	n = submit(b, n, seq++, USBIP_DIR_IN, 1, NULL, NULL, 512);
	fl = frame(f, 0);
	n = submit(b, n, seq++, USBIP_DIR_OUT, 2, NULL, f, (uint32_t)fl);
	n = submit(b, n, seq++, USBIP_DIR_IN, 1, NULL, NULL, 512);
	f[0] ^= 1;
	n = submit(b, n, seq++, USBIP_DIR_OUT, 2, NULL, f, (uint32_t)fl);
	n = submit(b, n, seq++, USBIP_DIR_OUT, 0, clear_halt, NULL, 0);
	n = submit(b, n, seq++, USBIP_DIR_OUT, 0, stream_on, NULL, 0);
	usbip_encode_cmd_unlink(b + n, seq, seq - 4);
	n += USBIP_HEADER_SIZE;
	put(dir, "session", b, n);
}

int main(int argc, char **argv)
{
	if (argc > 2 && strcmp(argv[1], "--conn") == 0) {
		session_seed(argv[2]);
		return 0;
	}
	{
	const uint8_t get_desc[8] = { 0x80, 6, 0, 1, 0, 0, 18, 0 };
	const uint8_t reg_write[8] = { 0x40, 2, 0, 0, 0x40, 0, 4, 0 };
	uint8_t b[4 + 3 * USBIP_HEADER_SIZE + 600];
	const char *dir = argc > 1 ? argv[1] : ".";
	size_t n;

	b[0] = 0;
	usbip_encode_cmd_submit(b + 1, 1, 0x10002, USBIP_DIR_IN, 0, 0, 18, get_desc);
	usbip_encode_cmd_submit(b + 1 + USBIP_HEADER_SIZE, 2, 0x10002, USBIP_DIR_OUT, 0, 0, 4,
				reg_write);
	memcpy(b + 1 + 2 * USBIP_HEADER_SIZE, "\3\0\0\0", 4);
	usbip_encode_cmd_unlink(b + 5 + 2 * USBIP_HEADER_SIZE, 3, 1);
	put(dir, "control", b, 5 + 3 * USBIP_HEADER_SIZE);
	usbip_encode_cmd_submit(b + 1, 4, 0x10002, USBIP_DIR_OUT, 2, 0, 512, NULL);
	memset(b + 1 + USBIP_HEADER_SIZE, 0x5a, 512);
	n = 1 + USBIP_HEADER_SIZE + 512;
	usbip_encode_cmd_submit(b + n, 5, 0x10002, USBIP_DIR_IN, 1, 0, 65536, NULL);
	put(dir, "bulk", b, n + USBIP_HEADER_SIZE);
	b[0] = 1;
	usbip_encode_op_req(b + 1, USBIP_OP_REQ_DEVLIST, NULL);
	usbip_encode_op_req(b + 9, USBIP_OP_REQ_IMPORT, "1-1");
	put(dir, "op", b, 9 + USBIP_OP_IMPORT_SIZE);
	return 0;
	}
}
