/*
 * fuzz_usbip_wire.c - libFuzzer over the USB/IP decoder.
 *
 * The input is treated as a byte stream from a peer, the way usbip_conn.c consumes it:
 * the first byte picks the phase (operation or URB), then PDUs are decoded back to back
 * until one is malformed or incomplete. Every decoded field must be in range and every
 * size must stay inside the input.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "usbip/usbip_wire.h"

static void check_cmd(const struct usbip_cmd *cmd, const uint8_t *buf, size_t len)
{
	if (cmd->size > len || cmd->size < USBIP_HEADER_SIZE)
		abort();
	if (cmd->direction > 1 || cmd->ep > USBIP_EP_MAX)
		abort();
	if (cmd->command == USBIP_CMD_SUBMIT) {
		if (cmd->number_of_packets != 0 && cmd->number_of_packets != -1)
			abort();
		if (cmd->data && (cmd->data < buf ||
				  cmd->data + cmd->transfer_buffer_length > buf + len))
			abort();
	} else if (cmd->command != USBIP_CMD_UNLINK) {
		abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *why = "";
	size_t off = 1;

	if (size < 1)
		return 0;
	if (data[0] & 1) {
		struct usbip_op_req req;

		while (off < size &&
		       usbip_decode_op(data + off, size - off, &req, &why) == USBIP_DECODED) {
			if (req.size > size - off || strnlen(req.busid, sizeof(req.busid)) ==
						     sizeof(req.busid))
				abort();
			off += req.size;
		}
		return 0;
	}
	for (;;) {
		struct usbip_cmd cmd;
		int r = usbip_decode_cmd(data + off, size - off, 1u << 16, &cmd, &why);

		if (r != USBIP_DECODED)
			break;
		check_cmd(&cmd, data + off, size - off);
		off += cmd.size;
	}
	return 0;
}
