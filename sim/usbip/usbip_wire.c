/*
 * usbip_wire.c - decode and encode USB/IP PDUs. See usbip_wire.h.
 */
#include "usbip_wire.h"

#include <string.h>

/* Header offsets, from the protocol document. */
#define OFF_COMMAND		0
#define OFF_SEQNUM		4
#define OFF_DEVID		8
#define OFF_DIRECTION		12
#define OFF_EP			16
#define OFF_FLAGS		20	/* submit: transfer_flags; ret: status; unlink: seqnum */
#define OFF_LENGTH		24	/* submit: transfer_buffer_length; ret: actual_length */
#define OFF_START_FRAME		28
#define OFF_PACKETS		32
#define OFF_INTERVAL		36	/* ret_submit: error_count */
#define OFF_SETUP		40

/*
 * Decode an operation-phase request (OP_REQ_DEVLIST or OP_REQ_IMPORT) from the first
 * @len bytes of @buf. Only protocol version 0x0111 is spoken, as by usbipd itself.
 */
int usbip_decode_op(const uint8_t *buf, size_t len, struct usbip_op_req *req,
		    const char **why)
{
	if (len < USBIP_OP_HEADER_SIZE)
		return USBIP_NEED_MORE;
	memset(req, 0, sizeof(*req));
	req->version = usbip_get16(buf);
	req->code = usbip_get16(buf + 2);
	if (req->version != USBIP_VERSION) {
		*why = "unsupported USB/IP protocol version (want 0x0111)";
		return USBIP_MALFORMED;
	}
	switch (req->code) {
	case USBIP_OP_REQ_DEVLIST:
		req->size = USBIP_OP_HEADER_SIZE;
		return USBIP_DECODED;
	case USBIP_OP_REQ_IMPORT:
		if (len < USBIP_OP_IMPORT_SIZE)
			return USBIP_NEED_MORE;
		if (!memchr(buf + USBIP_OP_HEADER_SIZE, 0, USBIP_BUSID_SIZE)) {
			*why = "OP_REQ_IMPORT busid is not NUL-terminated";
			return USBIP_MALFORMED;
		}
		memcpy(req->busid, buf + USBIP_OP_HEADER_SIZE, USBIP_BUSID_SIZE);
		req->size = USBIP_OP_IMPORT_SIZE;
		return USBIP_DECODED;
	default:
		*why = "unknown operation code";
		return USBIP_MALFORMED;
	}
}

/* The fields every CMD_* shares, checked for range. */
static int decode_basic(const uint8_t *buf, struct usbip_cmd *cmd, const char **why)
{
	cmd->command = usbip_get32(buf + OFF_COMMAND);
	cmd->seqnum = usbip_get32(buf + OFF_SEQNUM);
	cmd->devid = usbip_get32(buf + OFF_DEVID);
	cmd->direction = usbip_get32(buf + OFF_DIRECTION);
	cmd->ep = usbip_get32(buf + OFF_EP);
	if (cmd->command != USBIP_CMD_SUBMIT && cmd->command != USBIP_CMD_UNLINK) {
		*why = "unknown command (want CMD_SUBMIT or CMD_UNLINK)";
		return USBIP_MALFORMED;
	}
	if (cmd->direction != USBIP_DIR_OUT && cmd->direction != USBIP_DIR_IN) {
		*why = "direction is neither IN nor OUT";
		return USBIP_MALFORMED;
	}
	if (cmd->ep > USBIP_EP_MAX) {
		*why = "endpoint number above 15";
		return USBIP_MALFORMED;
	}
	return USBIP_DECODED;
}

/*
 * Decode one CMD_SUBMIT (with its OUT data) or CMD_UNLINK from the first @len bytes of
 * @buf. Transfers longer than @transfer_max and isochronous transfers are refused.
 */
int usbip_decode_cmd(const uint8_t *buf, size_t len, uint32_t transfer_max,
		     struct usbip_cmd *cmd, const char **why)
{
	if (len < USBIP_HEADER_SIZE)
		return USBIP_NEED_MORE;
	memset(cmd, 0, sizeof(*cmd));
	if (decode_basic(buf, cmd, why) != USBIP_DECODED)
		return USBIP_MALFORMED;
	if (cmd->command == USBIP_CMD_UNLINK) {
		cmd->unlink_seqnum = usbip_get32(buf + OFF_FLAGS);
		cmd->size = USBIP_HEADER_SIZE;
		return USBIP_DECODED;
	}
	cmd->transfer_flags = usbip_get32(buf + OFF_FLAGS);
	cmd->transfer_buffer_length = usbip_get32(buf + OFF_LENGTH);
	cmd->number_of_packets = (int32_t)usbip_get32(buf + OFF_PACKETS);
	cmd->interval = usbip_get32(buf + OFF_INTERVAL);
	memcpy(cmd->setup, buf + OFF_SETUP, sizeof(cmd->setup));
	if (cmd->number_of_packets != 0 && cmd->number_of_packets != -1) {
		*why = "number_of_packets set: isochronous transfers are not supported";
		return USBIP_MALFORMED;
	}
	if (cmd->transfer_buffer_length > transfer_max) {
		*why = "transfer_buffer_length beyond the accepted maximum";
		return USBIP_MALFORMED;
	}
	cmd->size = USBIP_HEADER_SIZE;
	if (cmd->direction == USBIP_DIR_OUT) {
		if (len - USBIP_HEADER_SIZE < cmd->transfer_buffer_length)
			return USBIP_NEED_MORE;
		cmd->data = buf + USBIP_HEADER_SIZE;
		cmd->size += cmd->transfer_buffer_length;
	}
	return USBIP_DECODED;
}

/* Copy @s into a fixed-size, zero-padded wire field. */
static void put_string(uint8_t *dst, size_t size, const char *s)
{
	size_t n = strnlen(s, size - 1);

	memset(dst, 0, size);
	memcpy(dst, s, n);
}

/* The 312-byte device description shared by OP_REP_DEVLIST and OP_REP_IMPORT. */
static void put_device(uint8_t *p, const struct usbip_device_desc *dev)
{
	put_string(p, USBIP_PATH_SIZE, dev->path);
	p += USBIP_PATH_SIZE;
	put_string(p, USBIP_BUSID_SIZE, dev->busid);
	p += USBIP_BUSID_SIZE;
	usbip_put32(p, dev->busnum);
	usbip_put32(p + 4, dev->devnum);
	usbip_put32(p + 8, dev->speed);
	usbip_put16(p + 12, dev->id_vendor);
	usbip_put16(p + 14, dev->id_product);
	usbip_put16(p + 16, dev->bcd_device);
	p[18] = dev->device_class;
	p[19] = dev->device_subclass;
	p[20] = dev->device_protocol;
	p[21] = dev->configuration_value;
	p[22] = dev->num_configurations;
	p[23] = dev->num_interfaces;
}

/* The 8-byte header every OP_REP_* starts with. */
static void put_op_header(uint8_t *p, uint16_t code, uint32_t status)
{
	usbip_put16(p, USBIP_VERSION);
	usbip_put16(p + 2, code);
	usbip_put32(p + 4, status);
}

/* OP_REP_DEVLIST with the one device and its one interface. Returns the size, 0 if
 * @cap is too small. */
size_t usbip_encode_devlist(uint8_t *buf, size_t cap, const struct usbip_device_desc *dev)
{
	size_t size = USBIP_OP_HEADER_SIZE + 4 + USBIP_DEVICE_DESC_SIZE +
		      USBIP_INTERFACE_DESC_SIZE;
	uint8_t *itf = buf + USBIP_OP_HEADER_SIZE + 4 + USBIP_DEVICE_DESC_SIZE;

	if (cap < size)
		return 0;
	put_op_header(buf, USBIP_OP_REP_DEVLIST, 0);
	usbip_put32(buf + USBIP_OP_HEADER_SIZE, 1);
	put_device(buf + USBIP_OP_HEADER_SIZE + 4, dev);
	itf[0] = dev->interface_class;
	itf[1] = dev->interface_subclass;
	itf[2] = dev->interface_protocol;
	itf[3] = 0;
	return size;
}

/* OP_REP_IMPORT: success with the device description, or (dev NULL) the error reply,
 * which is the bare header with status 1. */
size_t usbip_encode_import(uint8_t *buf, size_t cap, const struct usbip_device_desc *dev)
{
	size_t size = USBIP_OP_HEADER_SIZE + (dev ? USBIP_DEVICE_DESC_SIZE : 0);

	if (cap < size)
		return 0;
	put_op_header(buf, USBIP_OP_REP_IMPORT, dev ? 0 : 1);
	if (dev)
		put_device(buf + USBIP_OP_HEADER_SIZE, dev);
	return size;
}

/* RET_SUBMIT header; devid, direction and ep are 0 as the protocol asks of servers. */
void usbip_encode_ret_submit(uint8_t out[USBIP_HEADER_SIZE], uint32_t seqnum, int32_t status,
			     uint32_t actual_length, int32_t number_of_packets)
{
	memset(out, 0, USBIP_HEADER_SIZE);
	usbip_put32(out + OFF_COMMAND, USBIP_RET_SUBMIT);
	usbip_put32(out + OFF_SEQNUM, seqnum);
	usbip_put32(out + OFF_FLAGS, (uint32_t)status);
	usbip_put32(out + OFF_LENGTH, actual_length);
	usbip_put32(out + OFF_PACKETS, (uint32_t)number_of_packets);
}

/* RET_UNLINK header carrying the unlink request's own seqnum. */
void usbip_encode_ret_unlink(uint8_t out[USBIP_HEADER_SIZE], uint32_t seqnum, int32_t status)
{
	memset(out, 0, USBIP_HEADER_SIZE);
	usbip_put32(out + OFF_COMMAND, USBIP_RET_UNLINK);
	usbip_put32(out + OFF_SEQNUM, seqnum);
	usbip_put32(out + OFF_FLAGS, (uint32_t)status);
}

/* CMD_SUBMIT header as vhci-hcd sends it (number_of_packets -1: not isochronous). */
void usbip_encode_cmd_submit(uint8_t out[USBIP_HEADER_SIZE], uint32_t seqnum, uint32_t devid,
			     uint32_t direction, uint32_t ep, uint32_t transfer_flags,
			     uint32_t length, const uint8_t setup[8])
{
	memset(out, 0, USBIP_HEADER_SIZE);
	usbip_put32(out + OFF_COMMAND, USBIP_CMD_SUBMIT);
	usbip_put32(out + OFF_SEQNUM, seqnum);
	usbip_put32(out + OFF_DEVID, devid);
	usbip_put32(out + OFF_DIRECTION, direction);
	usbip_put32(out + OFF_EP, ep);
	usbip_put32(out + OFF_FLAGS, transfer_flags);
	usbip_put32(out + OFF_LENGTH, length);
	usbip_put32(out + OFF_PACKETS, 0xffffffffu);
	if (setup)
		memcpy(out + OFF_SETUP, setup, 8);
}

/* CMD_UNLINK of @unlink_seqnum, as vhci-hcd sends it. */
void usbip_encode_cmd_unlink(uint8_t out[USBIP_HEADER_SIZE], uint32_t seqnum,
			     uint32_t unlink_seqnum)
{
	memset(out, 0, USBIP_HEADER_SIZE);
	usbip_put32(out + OFF_COMMAND, USBIP_CMD_UNLINK);
	usbip_put32(out + OFF_SEQNUM, seqnum);
	usbip_put32(out + OFF_FLAGS, unlink_seqnum);
}

/* OP_REQ_DEVLIST (8 bytes) or OP_REQ_IMPORT (40 bytes, busid zero-padded). */
void usbip_encode_op_req(uint8_t *out, uint16_t code, const char *busid)
{
	put_op_header(out, code, 0);
	if (code == USBIP_OP_REQ_IMPORT)
		put_string(out + USBIP_OP_HEADER_SIZE, USBIP_BUSID_SIZE, busid ? busid : "");
}
