/*
 * usb_client.c - see usb_client.h.
 */
#include "usb_client.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "dsr/dsr_hw.h"
#include "usbip/usbip_wire.h"

#define DEVID ((1u << 16) | 2u)
#define TIMEOUT_MS 20000

/* Reply timeout: TIMEOUT_MS, or DSR_CLIENT_TIMEOUT_MS (the full-size run on a loaded host). */
static int reply_timeout_ms(void)
{
	const char *e = getenv("DSR_CLIENT_TIMEOUT_MS");
	long v = e ? strtol(e, NULL, 10) : 0;

	return v > 0 && v < 3600000 ? (int)v : TIMEOUT_MS;
}

static void *serve_thread(void *arg)
{
	struct usb_client *cl = arg;

	cl->serve_result = sim_serve_fd(cl->sim, cl->server_fd);
	return NULL;
}

struct usb_client *client_start(const struct sim_options *o)
{
	struct usb_client *cl = calloc(1, sizeof(*cl));
	int sv[2];

	if (!cl)
		return NULL;
	cl->sim = sim_new(o);
	if (!cl->sim || socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) {
		sim_free(cl->sim);
		free(cl);
		return NULL;
	}
	cl->fd = sv[0];
	cl->server_fd = sv[1];
	cl->seqnum = 1;
	if (pthread_create(&cl->thread, NULL, serve_thread, cl) != 0) {
		close(sv[0]);
		close(sv[1]);
		sim_free(cl->sim);
		free(cl);
		return NULL;
	}
	return cl;
}

int client_stop(struct usb_client *cl)
{
	return client_stop_stats(cl, NULL);
}

int client_stop_stats(struct usb_client *cl, struct bridge_stats *st)
{
	int r;

	if (cl->fd >= 0)
		close(cl->fd);
	pthread_join(cl->thread, NULL);
	r = cl->serve_result;
	if (st)
		*st = *bridge_stats(sim_bridge(cl->sim));
	sim_free(cl->sim);
	free(cl);
	return r;
}

int client_send_raw(struct usb_client *cl, const void *buf, size_t len)
{
	const uint8_t *p = buf;

	while (len) {
		ssize_t n = send(cl->fd, p, len, MSG_NOSIGNAL);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

uint32_t client_submit(struct usb_client *cl, uint32_t ep, uint32_t dir, const uint8_t setup[8],
		       const void *data, uint32_t len)
{
	uint8_t hdr[USBIP_HEADER_SIZE];
	uint32_t seq = cl->seqnum++;

	usbip_encode_cmd_submit(hdr, seq, DEVID, dir, ep, 0, len, setup);
	client_send_raw(cl, hdr, sizeof(hdr));
	if (dir == USBIP_DIR_OUT && len)
		client_send_raw(cl, data, len);
	return seq;
}

uint32_t client_unlink(struct usb_client *cl, uint32_t seqnum)
{
	uint8_t hdr[USBIP_HEADER_SIZE];
	uint32_t seq = cl->seqnum++;

	usbip_encode_cmd_unlink(hdr, seq, seqnum);
	client_send_raw(cl, hdr, sizeof(hdr));
	return seq;
}

/* Read exactly @len bytes within @timeout_ms. */
static int recv_all(int fd, void *buf, size_t len, int timeout_ms)
{
	uint8_t *p = buf;

	while (len) {
		struct pollfd pfd = { fd, POLLIN, 0 };
		ssize_t n;

		if (poll(&pfd, 1, timeout_ms) <= 0)
			return -1;
		n = recv(fd, p, len, 0);
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int client_recv(struct usb_client *cl, struct usb_reply *r, int timeout_ms)
{
	uint8_t hdr[USBIP_HEADER_SIZE];

	memset(r, 0, sizeof(*r));
	if (recv_all(cl->fd, hdr, sizeof(hdr), timeout_ms) < 0)
		return -1;
	r->command = usbip_get32(hdr);
	r->seqnum = usbip_get32(hdr + 4);
	r->status = (int32_t)usbip_get32(hdr + 20);
	if (r->command == USBIP_RET_SUBMIT)
		r->actual = usbip_get32(hdr + 24);
	else if (r->command != USBIP_RET_UNLINK)
		return -1;
	/* Only IN replies carry data; the tests know which they sent, the length says it. */
	return 0;
}

/* Fetch the IN data that follows a RET_SUBMIT. */
int client_recv_data(struct usb_client *cl, struct usb_reply *r)
{
	if (!r->actual)
		return 0;
	r->data = malloc(r->actual);
	if (!r->data)
		return -1;
	return recv_all(cl->fd, r->data, r->actual, reply_timeout_ms());
}

void reply_free(struct usb_reply *r)
{
	free(r->data);
	r->data = NULL;
}

int client_wait_eof(struct usb_client *cl, int timeout_ms)
{
	uint8_t buf[4096];

	for (;;) {
		struct pollfd pfd = { cl->fd, POLLIN, 0 };
		ssize_t n;

		if (poll(&pfd, 1, timeout_ms) <= 0)
			return 0;
		n = recv(cl->fd, buf, sizeof(buf), 0);
		if (n == 0)
			return 1;
		if (n < 0)
			return errno == ECONNRESET;
	}
}

/* Submit and wait for the matching reply (IN data read). */
static int transfer(struct usb_client *cl, uint32_t ep, uint32_t dir, const uint8_t setup[8],
		    const void *out, uint32_t len, void *in, uint32_t *actual)
{
	uint32_t seq = client_submit(cl, ep, dir, setup, out, len);
	struct usb_reply r;
	int status;

	if (client_recv(cl, &r, reply_timeout_ms()) < 0 || r.command != USBIP_RET_SUBMIT ||
	    r.seqnum != seq)
		return -1000;
	if (dir == USBIP_DIR_IN && client_recv_data(cl, &r) < 0) {
		reply_free(&r);
		return -1000;
	}
	if (actual)
		*actual = r.actual;
	if (in && r.data)
		memcpy(in, r.data, r.actual);
	status = r.status;
	reply_free(&r);
	return status;
}

static void make_setup(uint8_t s[8], uint8_t type, uint8_t req, uint16_t value, uint16_t index,
		       uint16_t length)
{
	s[0] = type;
	s[1] = req;
	s[2] = (uint8_t)value;
	s[3] = (uint8_t)(value >> 8);
	s[4] = (uint8_t)index;
	s[5] = (uint8_t)(index >> 8);
	s[6] = (uint8_t)length;
	s[7] = (uint8_t)(length >> 8);
}

int ctrl_in(struct usb_client *cl, uint8_t type, uint8_t req, uint16_t value, uint16_t index,
	    uint16_t length, void *buf, uint32_t *actual)
{
	uint8_t s[8];

	make_setup(s, type, req, value, index, length);
	return transfer(cl, 0, USBIP_DIR_IN, s, NULL, length, buf, actual);
}

int ctrl_out(struct usb_client *cl, uint8_t type, uint8_t req, uint16_t value, uint16_t index,
	     const void *buf, uint16_t length)
{
	uint8_t s[8];

	make_setup(s, type, req, value, index, length);
	return transfer(cl, 0, USBIP_DIR_OUT, s, buf, length, NULL, NULL);
}

int reg_read(struct usb_client *cl, uint32_t addr, uint32_t *value)
{
	uint8_t b[4];
	uint32_t actual = 0;
	int st = ctrl_in(cl, 0xc0, DSR_REQ_REG_READ, 0, (uint16_t)addr, 4, b, &actual);

	if (st == 0 && actual != 4)
		return -1001;
	*value = (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 |
		 (uint32_t)b[3] << 24;
	return st;
}

int reg_write(struct usb_client *cl, uint32_t addr, uint32_t value)
{
	uint8_t b[4] = { (uint8_t)value, (uint8_t)(value >> 8), (uint8_t)(value >> 16),
			 (uint8_t)(value >> 24) };

	return ctrl_out(cl, 0x40, DSR_REQ_REG_WRITE, 0, (uint16_t)addr, b, 4);
}

int bulk_out(struct usb_client *cl, const void *buf, uint32_t len)
{
	return transfer(cl, DSR_USB_EP_OUT & 0x0f, USBIP_DIR_OUT, NULL, buf, len, NULL, NULL);
}

int bulk_in(struct usb_client *cl, void *buf, uint32_t len, uint32_t *actual)
{
	return transfer(cl, DSR_USB_EP_IN & 0x0f, USBIP_DIR_IN, NULL, NULL, len, buf, actual);
}

int client_enumerate(struct usb_client *cl)
{
	uint8_t buf[512];
	uint32_t actual;
	uint16_t total;

	if (ctrl_in(cl, 0x80, 6, 0x0100, 0, 64, buf, &actual) || actual != 18)
		return -1;
	if (ctrl_in(cl, 0x80, 6, 0x0100, 0, 18, buf, &actual) || actual != 18)
		return -1;
	if (ctrl_in(cl, 0x80, 6, 0x0200, 0, 9, buf, &actual) || actual != 9)
		return -1;
	total = (uint16_t)(buf[2] | buf[3] << 8);
	if (ctrl_in(cl, 0x80, 6, 0x0200, 0, total, buf, &actual) || actual != total)
		return -1;
	for (uint16_t i = 0; i < 4; i++)
		if (ctrl_in(cl, 0x80, 6, (uint16_t)(0x0300 | i), i ? 0x0409 : 0, 255, buf,
			    &actual))
			return -1;
	return ctrl_out(cl, 0x00, 9, 1, 0, NULL, 0) ? -1 : 0;
}

uint8_t *read_frame(struct usb_client *cl, uint32_t urb_len, size_t *len, int *status)
{
	uint8_t *frame = NULL;
	size_t n = 0;

	*status = 0;
	for (;;) {
		uint8_t *p = realloc(frame, n + urb_len);
		uint32_t actual = 0;
		int st;

		if (!p) {
			free(frame);
			return NULL;
		}
		frame = p;
		st = bulk_in(cl, frame + n, urb_len, &actual);
		if (st) {
			*status = st;
			*len = n;
			return frame;
		}
		n += actual;
		if (actual < urb_len)
			break;
	}
	*len = n;
	return frame;
}
