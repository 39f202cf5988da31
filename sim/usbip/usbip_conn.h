/*
 * usbip_conn.h - one USB/IP connection: byte buffers, URB queues, unlink rules.
 *
 * The connection owns the socket. It decodes what arrives (usbip_wire.c), answers the
 * operation phase itself, keeps submitted URBs queued per endpoint and direction, and
 * hands them to a device through an ops table. It knows nothing of DSR; the device
 * (bridge/) knows nothing of the wire format.
 *
 * Rules kept here, because vhci-hcd tears the device down otherwise: every URB gets
 * exactly one RET_SUBMIT, except an unlinked one, which gets none; RET_UNLINK carries
 * the unlink request's own seqnum and -ECONNRESET if the URB was still pending, 0 if it
 * had completed.
 */
#ifndef SIM_USBIP_CONN_H
#define SIM_USBIP_CONN_H

#include <stddef.h>
#include <stdint.h>

#include "usbip_wire.h"

/* A submitted URB as the device sees it. */
struct usbip_urb {
	struct usbip_urb *next;
	uint32_t seqnum;
	uint32_t ep;			/* endpoint number */
	uint32_t direction;		/* USBIP_DIR_* */
	uint32_t transfer_flags;
	uint32_t length;		/* transfer_buffer_length */
	int32_t number_of_packets;	/* echoed in RET_SUBMIT */
	uint8_t setup[8];
	uint8_t *data;			/* OUT: the `length` bytes the host sent; IN: the
					 * device's fill buffer (malloc'd by the device) */
	uint32_t filled;		/* IN: bytes the device has put in `data` */
};

struct usbip_conn;

/*
 * What a device provides. The device completes an URB with usbip_conn_complete()
 * (returning where to put IN data) from inside control() or service(); service()
 * returns 1 if it completed the URB, 0 if the URB must wait for the device.
 */
struct usbip_device_ops {
	/* A connection imports the device (or starts imported): 0, or -1 if it is busy. */
	int (*attach)(void *dev);
	void (*describe)(void *dev, struct usbip_device_desc *desc);
	/* Endpoint 0: must complete the URB before returning. */
	void (*control)(void *dev, struct usbip_conn *c, struct usbip_urb *urb);
	/* Any other endpoint: complete the queue head now or leave it (return 0). */
	int (*service)(void *dev, struct usbip_conn *c, struct usbip_urb *urb);
	/* The host side went away (connection closed): forget per-connection state. */
	void (*detach)(void *dev);
};

enum usbip_conn_state {
	USBIP_CONN_OP,		/* expecting OP_REQ_DEVLIST / OP_REQ_IMPORT */
	USBIP_CONN_URB,		/* device imported: CMD_SUBMIT / CMD_UNLINK */
	USBIP_CONN_CLOSING,	/* flush what is queued, then close */
	USBIP_CONN_DEAD,	/* close now */
};

/* Counters for tests and the exit summary. */
struct usbip_conn_stats {
	uint64_t submits, unlinks, unlinked_pending, ret_submits;
	uint64_t bytes_in, bytes_out;
};

/* @fd becomes the connection's. @imported: skip the operation phase (vhci, --fd). */
struct usbip_conn *usbip_conn_new(int fd, int imported, const struct usbip_device_ops *ops,
				  void *dev);
void usbip_conn_free(struct usbip_conn *c);

int usbip_conn_fd(const struct usbip_conn *c);
enum usbip_conn_state usbip_conn_state(const struct usbip_conn *c);
const struct usbip_conn_stats *usbip_conn_stats(const struct usbip_conn *c);
/* poll() events the connection is waiting for (0 when it should be closed). */
short usbip_conn_events(const struct usbip_conn *c);

/* Read what the socket has and act on it; then write what can be written.
 * Returns -1 once the connection should be closed. */
int usbip_conn_on_readable(struct usbip_conn *c);
int usbip_conn_on_writable(struct usbip_conn *c);
/* Offer queued URBs to the device again (new data may have arrived). */
void usbip_conn_service(struct usbip_conn *c);
/* URBs waiting on endpoint @ep in @direction. */
size_t usbip_conn_pending(const struct usbip_conn *c, uint32_t ep, uint32_t direction);

/*
 * Complete @urb with @status (0 or a negative errno) and @actual bytes. For an IN
 * transfer returns where the device must write the @actual data bytes (valid until the
 * next call into the connection); NULL otherwise. The URB is freed by the connection.
 */
uint8_t *usbip_conn_complete(struct usbip_conn *c, struct usbip_urb *urb, int32_t status,
			     uint32_t actual);
/* Bytes queued for the socket and not yet written. */
size_t usbip_conn_backlog(const struct usbip_conn *c);
/* The connection's work is done (operation phase answered): mark it for closing. */
void usbip_conn_finish(struct usbip_conn *c);
/* Drop the connection at once (the "disconnect" fault), logging @why. */
void usbip_conn_abort(struct usbip_conn *c, const char *why);

#endif /* SIM_USBIP_CONN_H */
