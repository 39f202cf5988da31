/*
 * usbip_conn.c - one USB/IP connection. See usbip_conn.h.
 */
#include "usbip_conn.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../log.h"

#define READ_CHUNK		(256u << 10)
#define READ_BUDGET		(4u << 20)	/* bytes read per call before the board runs */
#define URBS_MAX		4096		/* queued URBs per connection */
#define OUT_PENDING_MAX		(64u << 20)	/* queued OUT data before we stop reading */
#define BACKLOG_MAX		(4u << 20)	/* unsent bytes before IN URBs wait */

struct urb_queue {
	struct usbip_urb *head, *tail;
	size_t count;
};

struct usbip_conn {
	int fd;
	enum usbip_conn_state state;
	int imported;			/* URB phase reached: detach() on close */
	const struct usbip_device_ops *ops;
	void *dev;

	uint8_t *in;			/* received, not yet decoded */
	size_t in_len, in_cap;
	uint8_t *out;			/* encoded, not yet written: [out_off, out_len) */
	size_t out_off, out_len, out_cap;

	struct urb_queue queue[USBIP_EP_MAX + 1][2];	/* [ep][direction] */
	size_t urbs;			/* queued, all endpoints */
	size_t out_pending;		/* OUT data bytes held by queued URBs */
	struct usbip_urb *completed;	/* set by usbip_conn_complete() */

	struct usbip_conn_stats st;
};

/* A connection on @fd, non-blocking; an imported one attaches to the device at once. */
struct usbip_conn *usbip_conn_new(int fd, int imported, const struct usbip_device_ops *ops,
				  void *dev)
{
	struct usbip_conn *c = calloc(1, sizeof(*c));
	int fl;

	if (!c)
		return NULL;
	fl = fcntl(fd, F_GETFL);
	if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0) {
		free(c);
		return NULL;
	}
	c->fd = fd;
	c->ops = ops;
	c->dev = dev;
	c->state = USBIP_CONN_OP;
	if (imported) {
		if (ops->attach(dev) < 0) {
			free(c);
			return NULL;
		}
		c->imported = 1;
		c->state = USBIP_CONN_URB;
	}
	return c;
}

/* Free every queued URB (connection closing): none of them gets an answer. */
static void free_queues(struct usbip_conn *c)
{
	for (int ep = 0; ep <= USBIP_EP_MAX; ep++) {
		for (int d = 0; d < 2; d++) {
			struct usbip_urb *u = c->queue[ep][d].head, *next;

			for (; u; u = next) {
				next = u->next;
				free(u->data);
				free(u);
			}
			memset(&c->queue[ep][d], 0, sizeof(c->queue[ep][d]));
		}
	}
	c->urbs = 0;
	c->out_pending = 0;
}

/* Close the socket and tell the device its host has gone (if it was imported). */
void usbip_conn_free(struct usbip_conn *c)
{
	if (!c)
		return;
	free_queues(c);
	if (c->imported && c->ops->detach)
		c->ops->detach(c->dev);
	close(c->fd);
	free(c->in);
	free(c->out);
	free(c);
}

/* Accessors for the event loop and the tests. */
int usbip_conn_fd(const struct usbip_conn *c)
{
	return c->fd;
}

enum usbip_conn_state usbip_conn_state(const struct usbip_conn *c)
{
	return c->state;
}

const struct usbip_conn_stats *usbip_conn_stats(const struct usbip_conn *c)
{
	return &c->st;
}

/* Encoded replies not yet accepted by the socket (IN URBs wait above BACKLOG_MAX). */
size_t usbip_conn_backlog(const struct usbip_conn *c)
{
	return c->out_len - c->out_off;
}

/* URBs waiting on one endpoint queue (tests and diagnostics). */
size_t usbip_conn_pending(const struct usbip_conn *c, uint32_t ep, uint32_t direction)
{
	if (ep > USBIP_EP_MAX || direction > 1)
		return 0;
	return c->queue[ep][direction].count;
}

/* poll() events: input unless closing or too much OUT data is queued, output if any. */
short usbip_conn_events(const struct usbip_conn *c)
{
	short ev = 0;

	if (c->state == USBIP_CONN_DEAD)
		return 0;
	if ((c->state == USBIP_CONN_OP || c->state == USBIP_CONN_URB) &&
	    c->out_pending < OUT_PENDING_MAX)
		ev |= POLLIN;
	if (usbip_conn_backlog(c) || c->state == USBIP_CONN_CLOSING)
		ev |= POLLOUT;
	return ev;
}

/* Normal end (OP phase answered, peer gone): close without a log line. */
void usbip_conn_finish(struct usbip_conn *c)
{
	c->state = USBIP_CONN_DEAD;
}

/* Abnormal end: one log line naming why, then close. */
void usbip_conn_abort(struct usbip_conn *c, const char *why)
{
	sim_log("closing the USB/IP connection: %s", why);
	c->state = USBIP_CONN_DEAD;
}

/* Make room for @n more bytes at the end of the output buffer; NULL if out of memory. */
static uint8_t *out_reserve(struct usbip_conn *c, size_t n)
{
	uint8_t *p;

	if (c->out_off && c->out_off == c->out_len)
		c->out_off = c->out_len = 0;
	if (c->out_cap - c->out_len < n && c->out_off > c->out_cap / 2) {
		memmove(c->out, c->out + c->out_off, c->out_len - c->out_off);
		c->out_len -= c->out_off;
		c->out_off = 0;
	}
	if (c->out_cap - c->out_len < n) {
		size_t cap = c->out_cap ? c->out_cap : 65536;

		while (cap - c->out_len < n)
			cap *= 2;
		p = realloc(c->out, cap);
		if (!p)
			return NULL;
		c->out = p;
		c->out_cap = cap;
	}
	p = c->out + c->out_len;
	c->out_len += n;
	return p;
}

/* Queue the RET_SUBMIT of @urb; for IN data, reserve room for it right behind the header. */
uint8_t *usbip_conn_complete(struct usbip_conn *c, struct usbip_urb *urb, int32_t status,
			     uint32_t actual)
{
	int in = urb->direction == USBIP_DIR_IN;
	uint32_t data = in ? actual : 0;
	uint8_t *p;

	c->completed = urb;
	if (c->state == USBIP_CONN_DEAD)
		return NULL;
	p = out_reserve(c, USBIP_HEADER_SIZE + data);
	if (!p) {
		usbip_conn_abort(c, "out of memory for a reply");
		return NULL;
	}
	usbip_encode_ret_submit(p, urb->seqnum, status, actual, urb->number_of_packets);
	c->st.ret_submits++;
	c->st.bytes_out += data;
	return data ? p + USBIP_HEADER_SIZE : NULL;
}

/* Queue a reply that is only a header or a fixed operation-phase message. */
static int out_put(struct usbip_conn *c, const void *buf, size_t n)
{
	uint8_t *p = out_reserve(c, n);

	if (!p) {
		usbip_conn_abort(c, "out of memory for a reply");
		return -1;
	}
	memcpy(p, buf, n);
	return 0;
}

/* OP_REQ_DEVLIST: describe the device, then close; OP_REQ_IMPORT: attach if the busid
 * is ours. */
static void handle_op(struct usbip_conn *c, const struct usbip_op_req *req)
{
	struct usbip_device_desc desc;
	uint8_t buf[USBIP_OP_HEADER_SIZE + 4 + USBIP_DEVICE_DESC_SIZE + USBIP_INTERFACE_DESC_SIZE];
	size_t n;

	memset(&desc, 0, sizeof(desc));
	c->ops->describe(c->dev, &desc);
	if (req->code == USBIP_OP_REQ_DEVLIST) {
		n = usbip_encode_devlist(buf, sizeof(buf), &desc);
		c->state = USBIP_CONN_CLOSING;
	} else if (strcmp(req->busid, desc.busid) == 0 && c->ops->attach(c->dev) == 0) {
		n = usbip_encode_import(buf, sizeof(buf), &desc);
		c->state = USBIP_CONN_URB;
		c->imported = 1;
		sim_log("device %s imported", desc.busid);
	} else {
		sim_log("import of busid \"%s\" refused (ours is %s%s)", req->busid,
			desc.busid, strcmp(req->busid, desc.busid) ? "" : ", already imported");
		n = usbip_encode_import(buf, sizeof(buf), NULL);
		c->state = USBIP_CONN_CLOSING;
	}
	out_put(c, buf, n);
}

/* Pop and free the head of a queue (the device completed it). */
static void queue_pop(struct usbip_conn *c, struct urb_queue *q)
{
	struct usbip_urb *u = q->head;

	q->head = u->next;
	if (!q->head)
		q->tail = NULL;
	q->count--;
	c->urbs--;
	if (u->direction == USBIP_DIR_OUT)
		c->out_pending -= u->length;
	free(u->data);
	free(u);
}

/* Offer the URBs of one queue to the device until it leaves one waiting. */
static void service_queue(struct usbip_conn *c, struct urb_queue *q, int in)
{
	while (q->head && c->state == USBIP_CONN_URB) {
		if (in && usbip_conn_backlog(c) >= BACKLOG_MAX)
			return;
		c->completed = NULL;
		if (!c->ops->service(c->dev, c, q->head))
			return;
		if (c->completed != q->head) {
			usbip_conn_abort(c, "device reported an URB done without completing it");
			return;
		}
		queue_pop(c, q);
	}
}

/* Offer every endpoint queue to the device, OUT before IN (new frames before reading). */
void usbip_conn_service(struct usbip_conn *c)
{
	for (int ep = 1; ep <= USBIP_EP_MAX; ep++) {
		if (c->queue[ep][USBIP_DIR_OUT].head)
			service_queue(c, &c->queue[ep][USBIP_DIR_OUT], 0);
		if (c->queue[ep][USBIP_DIR_IN].head)
			service_queue(c, &c->queue[ep][USBIP_DIR_IN], 1);
	}
}

/* CMD_SUBMIT: control transfers complete at once, the rest join their endpoint's queue. */
static void handle_submit(struct usbip_conn *c, const struct usbip_cmd *cmd)
{
	struct usbip_urb *u = calloc(1, sizeof(*u));
	struct urb_queue *q;

	if (!u) {
		usbip_conn_abort(c, "out of memory for an URB");
		return;
	}
	c->st.submits++;
	u->seqnum = cmd->seqnum;
	u->ep = cmd->ep;
	u->direction = cmd->direction;
	u->transfer_flags = cmd->transfer_flags;
	u->length = cmd->transfer_buffer_length;
	u->number_of_packets = cmd->number_of_packets;
	memcpy(u->setup, cmd->setup, sizeof(u->setup));
	if (cmd->data && u->length) {
		u->data = malloc(u->length);
		if (!u->data) {
			free(u);
			usbip_conn_abort(c, "out of memory for OUT data");
			return;
		}
		memcpy(u->data, cmd->data, u->length);
		c->st.bytes_in += u->length;
	}
	if (u->ep == 0) {
		c->completed = NULL;
		c->ops->control(c->dev, c, u);
		if (c->completed != u)
			usbip_conn_complete(c, u, -EPIPE, 0);
		free(u->data);
		free(u);
		return;
	}
	if (c->urbs >= URBS_MAX) {
		free(u->data);
		free(u);
		usbip_conn_abort(c, "more than 4096 URBs queued");
		return;
	}
	q = &c->queue[u->ep][u->direction];
	if (q->tail)
		q->tail->next = u;
	else
		q->head = u;
	q->tail = u;
	q->count++;
	c->urbs++;
	if (u->direction == USBIP_DIR_OUT)
		c->out_pending += u->length;
	service_queue(c, q, u->direction == USBIP_DIR_IN);
}

/* CMD_UNLINK: a pending URB is dropped without a RET_SUBMIT (-ECONNRESET); one already
 * answered is reported as such (0). */
static void handle_unlink(struct usbip_conn *c, const struct usbip_cmd *cmd)
{
	uint8_t hdr[USBIP_HEADER_SIZE];
	int32_t status = 0;

	c->st.unlinks++;
	for (int ep = 0; ep <= USBIP_EP_MAX && !status; ep++) {
		for (int d = 0; d < 2 && !status; d++) {
			struct urb_queue *q = &c->queue[ep][d];
			struct usbip_urb **pp = &q->head, *prev = NULL;

			for (; *pp; prev = *pp, pp = &(*pp)->next) {
				struct usbip_urb *u = *pp;

				if (u->seqnum != cmd->unlink_seqnum)
					continue;
				*pp = u->next;
				if (q->tail == u)
					q->tail = prev;
				q->count--;
				c->urbs--;
				if (u->direction == USBIP_DIR_OUT)
					c->out_pending -= u->length;
				free(u->data);
				free(u);
				status = -ECONNRESET;
				c->st.unlinked_pending++;
				break;
			}
		}
	}
	usbip_encode_ret_unlink(hdr, cmd->seqnum, status);
	out_put(c, hdr, sizeof(hdr));
}

/* Bytes needed before the PDU at the start of the input can be decoded. */
static size_t pdu_needed(const struct usbip_conn *c)
{
	const uint8_t *p = c->in;

	if (c->state == USBIP_CONN_OP)
		return USBIP_OP_IMPORT_SIZE;
	if (c->in_len >= USBIP_HEADER_SIZE && usbip_get32(p) == USBIP_CMD_SUBMIT &&
	    usbip_get32(p + 12) == USBIP_DIR_OUT) {
		uint32_t len = usbip_get32(p + 24);

		if (len <= USBIP_TRANSFER_MAX)
			return USBIP_HEADER_SIZE + (size_t)len;
	}
	return USBIP_HEADER_SIZE;
}

/* Decode and act on every whole PDU in the input buffer. */
static void process_input(struct usbip_conn *c)
{
	size_t off = 0;
	const char *why = "";

	for (;;) {
		const uint8_t *p = c->in + off;
		size_t len = c->in_len - off;
		int r = USBIP_NEED_MORE;

		if (c->state == USBIP_CONN_OP) {
			struct usbip_op_req req;

			r = usbip_decode_op(p, len, &req, &why);
			if (r == USBIP_DECODED) {
				handle_op(c, &req);
				off += req.size;
				/* Anything after a devlist request or a refused import is
				 * ignored: the connection is closing. */
			}
		} else if (c->state == USBIP_CONN_URB) {
			struct usbip_cmd cmd;

			r = usbip_decode_cmd(p, len, USBIP_TRANSFER_MAX, &cmd, &why);
			if (r == USBIP_DECODED) {
				if (cmd.command == USBIP_CMD_SUBMIT)
					handle_submit(c, &cmd);
				else
					handle_unlink(c, &cmd);
				off += cmd.size;
			}
		} else {
			off = c->in_len;
			break;
		}
		if (r == USBIP_NEED_MORE)
			break;
		if (r == USBIP_MALFORMED) {
			char msg[160];

			snprintf(msg, sizeof(msg), "malformed PDU: %s", why);
			usbip_conn_abort(c, msg);
			return;
		}
	}
	memmove(c->in, c->in + off, c->in_len - off);
	c->in_len -= off;
}

/* Read up to READ_BUDGET bytes, decoding as they come, so the board keeps running. */
int usbip_conn_on_readable(struct usbip_conn *c)
{
	size_t budget = READ_BUDGET;

	while (budget && (c->state == USBIP_CONN_OP || c->state == USBIP_CONN_URB) &&
	       c->out_pending < OUT_PENDING_MAX) {
		size_t want = pdu_needed(c);
		ssize_t n;

		if (want < c->in_len + READ_CHUNK)
			want = c->in_len + READ_CHUNK;
		if (c->in_cap < want) {
			uint8_t *p = realloc(c->in, want);

			if (!p) {
				usbip_conn_abort(c, "out of memory for input");
				return -1;
			}
			c->in = p;
			c->in_cap = want;
		}
		n = recv(c->fd, c->in + c->in_len, c->in_cap - c->in_len, 0);
		if (n == 0) {
			sim_log("USB/IP peer closed the connection");
			c->state = USBIP_CONN_DEAD;
			return -1;
		}
		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				break;
			if (errno == EINTR)
				continue;
			sim_log("USB/IP connection: read failed: %s", strerror(errno));
			c->state = USBIP_CONN_DEAD;
			return -1;
		}
		c->in_len += (size_t)n;
		budget = (size_t)n >= budget ? 0 : budget - (size_t)n;
		process_input(c);
	}
	if (c->state == USBIP_CONN_DEAD)
		return -1;
	return usbip_conn_on_writable(c);
}

/* Write what the socket takes; -1 once the connection should be closed. */
int usbip_conn_on_writable(struct usbip_conn *c)
{
	while (c->out_len > c->out_off) {
		ssize_t n = send(c->fd, c->out + c->out_off, c->out_len - c->out_off,
				 MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				break;
			if (errno == EINTR)
				continue;
			sim_log("USB/IP connection: write failed: %s", strerror(errno));
			c->state = USBIP_CONN_DEAD;
			return -1;
		}
		c->out_off += (size_t)n;
	}
	if (c->out_off == c->out_len)
		c->out_off = c->out_len = 0;
	if (c->state == USBIP_CONN_DEAD)
		return -1;
	if (c->state == USBIP_CONN_CLOSING && c->out_len == 0)
		return -1;
	return 0;
}
