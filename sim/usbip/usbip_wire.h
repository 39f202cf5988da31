/*
 * usbip_wire.h - the USB/IP wire format (Linux Documentation/usb/usbip_protocol.rst).
 *
 * Pure byte-level decoding and encoding, no I/O and no allocation: the connection code
 * (usbip_conn.c) feeds it whatever bytes the socket produced and acts on the result.
 * Every byte handed to the decoders is untrusted; they validate each field and name the
 * first problem they find. All USB/IP fields are big-endian on the wire.
 */
#ifndef SIM_USBIP_WIRE_H
#define SIM_USBIP_WIRE_H

#include <stddef.h>
#include <stdint.h>

#define USBIP_VERSION		0x0111

/* Operation phase (before a device is imported). */
#define USBIP_OP_REQ_DEVLIST	0x8005
#define USBIP_OP_REP_DEVLIST	0x0005
#define USBIP_OP_REQ_IMPORT	0x8003
#define USBIP_OP_REP_IMPORT	0x0003
#define USBIP_OP_HEADER_SIZE	8
#define USBIP_OP_IMPORT_SIZE	(USBIP_OP_HEADER_SIZE + USBIP_BUSID_SIZE)
#define USBIP_PATH_SIZE		256
#define USBIP_BUSID_SIZE	32
#define USBIP_DEVICE_DESC_SIZE	312	/* path .. bNumInterfaces */
#define USBIP_INTERFACE_DESC_SIZE 4

/* URB phase. */
#define USBIP_CMD_SUBMIT	1
#define USBIP_CMD_UNLINK	2
#define USBIP_RET_SUBMIT	3
#define USBIP_RET_UNLINK	4
#define USBIP_HEADER_SIZE	48
#define USBIP_DIR_OUT		0
#define USBIP_DIR_IN		1
#define USBIP_EP_MAX		15

/* Linux enum usb_device_speed values carried in devlist/import and the vhci attach. */
#define USBIP_SPEED_HIGH	3
#define USBIP_SPEED_SUPER	5

/* The largest transfer_buffer_length accepted (usbfs' own default cap is 16 MiB). */
#define USBIP_TRANSFER_MAX	(16u << 20)

/* Result of a decoder: a whole PDU was decoded, more bytes are needed, or the bytes are
 * malformed (the connection must be closed). */
enum usbip_decode {
	USBIP_DECODED = 0,
	USBIP_NEED_MORE = 1,
	USBIP_MALFORMED = -1,
};

/* An operation-phase request in host order. */
struct usbip_op_req {
	uint16_t version;
	uint16_t code;			/* USBIP_OP_REQ_* */
	char busid[USBIP_BUSID_SIZE];	/* NUL-terminated (import only) */
	size_t size;			/* bytes the request occupied */
};

/* A CMD_SUBMIT or CMD_UNLINK in host order. For a submit with direction OUT the data
 * (transfer_buffer_length bytes) follows the 48-byte header; `data` points at it
 * inside the caller's buffer. */
struct usbip_cmd {
	uint32_t command;		/* USBIP_CMD_SUBMIT / USBIP_CMD_UNLINK */
	uint32_t seqnum;
	uint32_t devid;
	uint32_t direction;		/* USBIP_DIR_* */
	uint32_t ep;			/* 0..USBIP_EP_MAX */
	/* submit */
	uint32_t transfer_flags;
	uint32_t transfer_buffer_length;
	int32_t number_of_packets;	/* 0 or -1: only non-isochronous transfers */
	uint32_t interval;
	uint8_t setup[8];
	const uint8_t *data;		/* OUT data, or NULL */
	/* unlink */
	uint32_t unlink_seqnum;
	size_t size;			/* bytes the PDU occupied (header + OUT data) */
};

/* The device as described in OP_REP_DEVLIST / OP_REP_IMPORT. */
struct usbip_device_desc {
	char path[USBIP_PATH_SIZE];
	char busid[USBIP_BUSID_SIZE];
	uint32_t busnum, devnum, speed;
	uint16_t id_vendor, id_product, bcd_device;
	uint8_t device_class, device_subclass, device_protocol;
	uint8_t configuration_value, num_configurations, num_interfaces;
	uint8_t interface_class, interface_subclass, interface_protocol;	/* interface 0 */
};

int usbip_decode_op(const uint8_t *buf, size_t len, struct usbip_op_req *req,
		    const char **why);
int usbip_decode_cmd(const uint8_t *buf, size_t len, uint32_t transfer_max,
		     struct usbip_cmd *cmd, const char **why);

size_t usbip_encode_devlist(uint8_t *buf, size_t cap, const struct usbip_device_desc *dev);
size_t usbip_encode_import(uint8_t *buf, size_t cap, const struct usbip_device_desc *dev);
void usbip_encode_ret_submit(uint8_t out[USBIP_HEADER_SIZE], uint32_t seqnum, int32_t status,
			     uint32_t actual_length, int32_t number_of_packets);
void usbip_encode_ret_unlink(uint8_t out[USBIP_HEADER_SIZE], uint32_t seqnum, int32_t status);

/* Encoders for the client side, used by the tests and the fuzzer's seed corpus. */
void usbip_encode_cmd_submit(uint8_t out[USBIP_HEADER_SIZE], uint32_t seqnum, uint32_t devid,
			     uint32_t direction, uint32_t ep, uint32_t transfer_flags,
			     uint32_t length, const uint8_t setup[8]);
void usbip_encode_cmd_unlink(uint8_t out[USBIP_HEADER_SIZE], uint32_t seqnum,
			     uint32_t unlink_seqnum);
void usbip_encode_op_req(uint8_t *out, uint16_t code, const char *busid);

/* Big-endian helpers shared with the tests. */
static inline uint32_t usbip_get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static inline uint16_t usbip_get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline void usbip_put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static inline void usbip_put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

#endif /* SIM_USBIP_WIRE_H */
