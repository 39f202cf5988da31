/*
 * usb_client.h - a USB/IP client for the tests: what vhci-hcd does, over a socket.
 *
 * Submits URBs (CMD_SUBMIT), unlinks them (CMD_UNLINK) and reads the replies, with
 * timeouts so that a server that never answers fails the test instead of hanging it.
 * A test harness runs dsr-sim's loop (sim_serve_fd) in a thread on the other end of a
 * socketpair.
 */
#ifndef SIM_TEST_USB_CLIENT_H
#define SIM_TEST_USB_CLIENT_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "sim.h"

struct usb_client {
	int fd;
	uint32_t seqnum;
	/* the board in the serving thread */
	struct sim *sim;
	int server_fd;
	pthread_t thread;
	int serve_result;
};

/* A reply: RET_SUBMIT (with IN data) or RET_UNLINK. */
struct usb_reply {
	uint32_t command, seqnum;
	int32_t status;
	uint32_t actual;
	uint8_t *data;		/* malloc'd IN data, or NULL */
};

/* Start dsr-sim with @o on one end of a socketpair, in a thread; NULL on failure. */
struct usb_client *client_start(const struct sim_options *o);
/* Close the client end, wait for the server loop to return; returns its result. */
int client_stop(struct usb_client *cl);
/* The same, copying the bridge's counters first (when @st is non-NULL). */
int client_stop_stats(struct usb_client *cl, struct bridge_stats *st);

/* Send raw bytes (malformed PDUs). */
int client_send_raw(struct usb_client *cl, const void *buf, size_t len);
/* Submit; returns the seqnum used. @data for OUT transfers. */
uint32_t client_submit(struct usb_client *cl, uint32_t ep, uint32_t dir, const uint8_t setup[8],
		       const void *data, uint32_t len);
uint32_t client_unlink(struct usb_client *cl, uint32_t seqnum);
/* Next reply within @timeout_ms: 0, or -1 on timeout / EOF / garbage. */
int client_recv(struct usb_client *cl, struct usb_reply *r, int timeout_ms);
/* After client_recv() of an IN RET_SUBMIT: read its r->actual data bytes. */
int client_recv_data(struct usb_client *cl, struct usb_reply *r);
void reply_free(struct usb_reply *r);
/* 1 if the server closed the connection within @timeout_ms. */
int client_wait_eof(struct usb_client *cl, int timeout_ms);

/* Synchronous helpers: return the URB status (0, -EPIPE...), -1000 on no reply. */
int ctrl_in(struct usb_client *cl, uint8_t type, uint8_t req, uint16_t value, uint16_t index,
	    uint16_t length, void *buf, uint32_t *actual);
int ctrl_out(struct usb_client *cl, uint8_t type, uint8_t req, uint16_t value, uint16_t index,
	     const void *buf, uint16_t length);
int reg_read(struct usb_client *cl, uint32_t addr, uint32_t *value);
int reg_write(struct usb_client *cl, uint32_t addr, uint32_t value);
int bulk_out(struct usb_client *cl, const void *buf, uint32_t len);
int bulk_in(struct usb_client *cl, void *buf, uint32_t len, uint32_t *actual);

/* Enumerate like the kernel does, then SET_CONFIGURATION 1. Returns 0 or -1. */
int client_enumerate(struct usb_client *cl);
/*
 * Read one whole frame from bulk IN with @urb_len transfers: appends until a transfer
 * comes back shorter than asked. Returns the bytes (malloc'd, *len set) or NULL.
 */
uint8_t *read_frame(struct usb_client *cl, uint32_t urb_len, size_t *len, int *status);

#endif /* SIM_TEST_USB_CLIENT_H */
