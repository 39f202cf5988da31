/*
 * make_seeds.c - writes the fuzzer's seed corpus: one valid PDU stream per kind (control
 * IN, control OUT with data, bulk IN, bulk OUT, unlink, devlist, import).
 */
#include <stdio.h>
#include <string.h>

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

int main(int argc, char **argv)
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
