/*
 * bridge.c - the USB bridge model. See bridge.h.
 */
#include "bridge.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dsr/dsr_hw.h"
#include "dsr/model.h"
#include "out_fifo.h"
#include "../log.h"

#define USB_REQ_GET_STATUS		0
#define USB_REQ_CLEAR_FEATURE		1
#define USB_REQ_SET_FEATURE		3
#define USB_REQ_SET_ADDRESS		5
#define USB_REQ_GET_DESCRIPTOR		6
#define USB_REQ_GET_CONFIGURATION	8
#define USB_REQ_SET_CONFIGURATION	9
#define USB_REQ_GET_INTERFACE		10
#define USB_REQ_SET_INTERFACE		11
#define USB_REQ_SET_SEL			48
#define USB_REQ_SET_ISOCH_DELAY		49
#define USB_FEATURE_ENDPOINT_HALT	0

#define RT_DIR_IN		0x80
#define RT_TYPE_MASK		0x60
#define RT_TYPE_STANDARD	0x00
#define RT_TYPE_VENDOR		0x40
#define RT_RECIP_MASK		0x1f
#define RT_RECIP_DEVICE		0
#define RT_RECIP_INTERFACE	1
#define RT_RECIP_ENDPOINT	2

#define HOST_QUEUE_MAX		2	/* whole host frames buffered before OUT URBs wait */
#define STAGE_MAX		(256u << 10)
#define DISPOSITION_MAX		64
#define WATCHDOG_CYCLES		(64u << 20)	/* no output this long: stop expecting it */

enum disposition { FORWARD, DISCARD };

/* A validated frame from bulk OUT waiting for (or being fed to) the live input. */
struct host_frame {
	struct host_frame *next;
	uint16_t *pixels;
	uint32_t width, height;
	int reference;
};

/* Bulk OUT assembly of one frame from the host. */
struct out_rx {
	uint8_t hdr[DSR_FRAME_HEADER_SIZE];
	size_t hlen;
	struct dsr_frame_info fi;
	uint8_t *body;			/* payload + trailer */
	size_t blen, bneed;
};

/* The output frame currently coming out of the RTL. */
struct out_tx {
	uint64_t pos;			/* bytes of this frame seen */
	enum disposition disp;
	unsigned int faults;
	int cut;			/* truncated: the rest is dropped */
	uint8_t hdr[DSR_FRAME_HEADER_SIZE];
	uint64_t trunc_at, crc_at;	/* frame offsets */
};

struct bridge {
	struct board *board;
	struct bridge_config cfg;
	unsigned int maxp;
	uint32_t max_w, max_h;		/* the frame store, for the header checks */

	/* USB state */
	int attached;
	uint8_t configuration;
	int halt_in, halt_out;
	int halt_in_stuck;		/* stall-stuck fault: CLEAR_FEATURE on IN STALLs */
	int in_dead;			/* io-error fault: bulk IN transfers fail (-EPROTO) */
	int zlp_owed;
	int streaming;

	/* input side */
	struct out_rx rx;
	struct host_frame *queue_head, *queue_tail;
	size_t queue_len;
	struct host_frame *feeding;	/* frame whose pixels the board is reading */
	int restore_pending;		/* a reference went in: CAPTURE_END owed */
	uint64_t next_due_ns;
	uint8_t disp[DISPOSITION_MAX];
	size_t disp_head, disp_count;

	/* output side */
	struct out_fifo fifo;
	struct out_tx tx;
	uint8_t *stage;
	uint64_t expect_offset;		/* frames given up on by the watchdog */
	uint64_t last_output_cycle;

	struct bridge_stats st;
};

/* Little-endian load/store: the USB payloads are LE whatever the host is. */
static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static void put_le32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

/* The bridge asks the board for its identity once (ID, frame store size) for the header
 * checks; GET_INFO asks again each time. */
struct bridge *bridge_new(struct board *board, const struct bridge_config *cfg)
{
	struct bridge *br = calloc(1, sizeof(*br));
	struct board_ident ident;

	if (!br)
		return NULL;
	br->board = board;
	br->cfg = *cfg;
	br->maxp = usb_desc_maxpacket(cfg->speed);
	br->stage = malloc(STAGE_MAX);
	if (!br->stage || fifo_init(&br->fifo, cfg->fifo_bytes) < 0) {
		sim_log("out of memory for the bridge FIFO");
		bridge_free(br);
		return NULL;
	}
	if (board_get_info(board, &ident) < 0) {
		sim_log("the RTL does not answer GET_INFO");
		bridge_free(br);
		return NULL;
	}
	br->max_w = ident.max_width;
	br->max_h = ident.max_height;
	if (ident.id != DSR_ID_VALUE)
		sim_log("warning: RTL ID register reads 0x%08x, expected 0x%08x", ident.id,
			DSR_ID_VALUE);
	if (br->max_w > DSR_WIDTH_MAX || br->max_h > DSR_HEIGHT_MAX || !br->max_w ||
	    !br->max_h) {
		sim_log("RTL reports an impossible frame store of %ux%u", br->max_w, br->max_h);
		bridge_free(br);
		return NULL;
	}
	return br;
}

/* Host frame lifetime: freed once the board has read its pixels or on detach. */
static void free_host_frame(struct host_frame *f)
{
	if (f) {
		free(f->pixels);
		free(f);
	}
}

/* Forget a partially received bulk OUT frame. */
static void rx_reset(struct out_rx *rx)
{
	free(rx->body);
	memset(rx, 0, sizeof(*rx));
}

/* Drop host frames not yet started (detach). */
static void queue_clear(struct bridge *br)
{
	while (br->queue_head) {
		struct host_frame *f = br->queue_head;

		br->queue_head = f->next;
		free_host_frame(f);
	}
	br->queue_tail = NULL;
	br->queue_len = 0;
}

/* Everything the bridge owns; the board is the caller's. */
void bridge_free(struct bridge *br)
{
	if (!br)
		return;
	queue_clear(br);
	free_host_frame(br->feeding);
	rx_reset(&br->rx);
	fifo_destroy(&br->fifo);
	free(br->stage);
	free(br);
}

/* Counters for the exit summary and the tests. */
const struct bridge_stats *bridge_stats(const struct bridge *br)
{
	return &br->st;
}

/* ---------------------------------------------------------------------------------
 * Endpoint 0.
 */

struct setup {
	uint8_t type;		/* bmRequestType */
	uint8_t request;
	uint16_t value, index, length;
};

/* The 8-byte setup packet in host order. */
static void parse_setup(const uint8_t *s, struct setup *st)
{
	st->type = s[0];
	st->request = s[1];
	st->value = (uint16_t)(s[2] | s[3] << 8);
	st->index = (uint16_t)(s[4] | s[5] << 8);
	st->length = (uint16_t)(s[6] | s[7] << 8);
}

/* Complete a control IN transfer with @n bytes of @data, cut to what the host asked. */
static void reply_in(struct usbip_conn *c, struct usbip_urb *urb, const struct setup *st,
		     const void *data, size_t n)
{
	uint8_t *p;

	if (n > st->length)
		n = st->length;
	if (n > urb->length)
		n = urb->length;
	p = usbip_conn_complete(c, urb, 0, (uint32_t)n);
	if (p)
		memcpy(p, data, n);
}

/* The halt flag of a data endpoint, NULL for any other endpoint address. */
static int *halt_flag(struct bridge *br, uint16_t ep)
{
	if (ep == DSR_USB_EP_IN)
		return &br->halt_in;
	if (ep == DSR_USB_EP_OUT)
		return &br->halt_out;
	return NULL;
}

/* Configuration or interface (re)selection resets the endpoints' halt state. */
static void reset_endpoints(struct bridge *br)
{
	br->halt_in = 0;
	br->halt_out = 0;
	br->zlp_owed = 0;
}

/* The standard requests a bulk-only vendor device answers. Returns 0, or -1 to STALL. */
static int standard_request(struct bridge *br, struct usbip_conn *c, struct usbip_urb *urb,
			    const struct setup *st)
{
	uint8_t buf[256];
	uint8_t recip = st->type & RT_RECIP_MASK;
	int *halt;
	int n;

	switch (st->request) {
	case USB_REQ_GET_DESCRIPTOR:
		if (st->type != (RT_DIR_IN | RT_RECIP_DEVICE))
			return -1;
		n = usb_desc_get(br->cfg.speed, (uint8_t)(st->value >> 8), (uint8_t)st->value,
				 br->cfg.serial, buf, sizeof(buf));
		if (n < 0)
			return -1;
		reply_in(c, urb, st, buf, (size_t)n);
		return 0;
	case USB_REQ_SET_CONFIGURATION:
		if (st->type != RT_RECIP_DEVICE || st->value > 1)
			return -1;
		br->configuration = (uint8_t)st->value;
		reset_endpoints(br);
		usbip_conn_complete(c, urb, 0, 0);
		if (st->value && br->cfg.on_configured)
			br->cfg.on_configured(br->cfg.on_configured_arg);
		return 0;
	case USB_REQ_GET_CONFIGURATION:
		if (st->type != (RT_DIR_IN | RT_RECIP_DEVICE))
			return -1;
		reply_in(c, urb, st, &br->configuration, 1);
		return 0;
	case USB_REQ_SET_INTERFACE:
		if (st->type != RT_RECIP_INTERFACE || st->index != DSR_USB_INTERFACE ||
		    st->value != 0 || !br->configuration)
			return -1;
		reset_endpoints(br);
		usbip_conn_complete(c, urb, 0, 0);
		return 0;
	case USB_REQ_GET_INTERFACE:
		if (st->type != (RT_DIR_IN | RT_RECIP_INTERFACE) ||
		    st->index != DSR_USB_INTERFACE || !br->configuration)
			return -1;
		buf[0] = 0;
		reply_in(c, urb, st, buf, 1);
		return 0;
	case USB_REQ_GET_STATUS:
		if (!(st->type & RT_DIR_IN))
			return -1;
		memset(buf, 0, 2);
		if (recip == RT_RECIP_DEVICE) {
			buf[0] = 1;	/* self-powered */
		} else if (recip == RT_RECIP_ENDPOINT) {
			halt = halt_flag(br, st->index);
			if (!halt && (st->index & 0x7f) != 0)
				return -1;
			buf[0] = halt && *halt;
		} else if (recip != RT_RECIP_INTERFACE || st->index != DSR_USB_INTERFACE) {
			return -1;
		}
		reply_in(c, urb, st, buf, 2);
		return 0;
	case USB_REQ_CLEAR_FEATURE:
	case USB_REQ_SET_FEATURE:
		if (st->type & RT_DIR_IN)
			return -1;
		if (recip == RT_RECIP_ENDPOINT) {
			if (st->value != USB_FEATURE_ENDPOINT_HALT)
				return -1;
			halt = halt_flag(br, st->index);
			if (!halt) {
				if ((st->index & 0x7f) != 0)
					return -1;
			} else if (halt == &br->halt_in && br->halt_in_stuck &&
				   st->request == USB_REQ_CLEAR_FEATURE) {
				sim_log("fault: stall-stuck: CLEAR_FEATURE(ENDPOINT_HALT) on 0x%02x "
					"refused", DSR_USB_EP_IN);
				return -1;
			} else {
				*halt = st->request == USB_REQ_SET_FEATURE;
				if (halt == &br->halt_out && !*halt)
					rx_reset(&br->rx);
			}
		} else if (recip != RT_RECIP_DEVICE) {
			return -1;
		}
		/* Device features (remote wakeup, U1/U2 enable) change nothing here. */
		usbip_conn_complete(c, urb, 0, 0);
		return 0;
	case USB_REQ_SET_ADDRESS:
	case USB_REQ_SET_SEL:
	case USB_REQ_SET_ISOCH_DELAY:
		if (st->type != RT_RECIP_DEVICE)
			return -1;
		usbip_conn_complete(c, urb, 0, urb->length);
		return 0;
	default:
		return -1;
	}
}

/* Fill struct dsr_board_info: the FPGA's registers (one GET_INFO command on the board
 * top), the firmware's own version, depth and serial. -1 if the FPGA did not answer. */
static int board_info(const struct bridge *br, struct dsr_board_info *info)
{
	struct board_ident ident;

	if (board_get_info(br->board, &ident) < 0)
		return -1;
	memset(info, 0, sizeof(*info));
	put_le32((uint8_t *)&info->id, ident.id);
	put_le32((uint8_t *)&info->rtl_version, ident.rtl_version);
	put_le32((uint8_t *)&info->firmware_version, SIM_FIRMWARE_VERSION);
	/* little-endian host: see the build check */
	info->max_width = (__le16)ident.max_width;
	info->max_height = (__le16)ident.max_height;
	info->pixel_bits_max = DSR_PIXEL_BITS_MAX;
	info->flags = DSR_BOARD_INFO_SIMULATED;
	strncpy(info->serial, br->cfg.serial, sizeof(info->serial) - 1);
	return 0;
}

/* A register address the vendor requests may touch: aligned, inside the decoded span. */
static int reg_addr_ok(uint16_t addr)
{
	return addr < DSR_REG_SPAN && (addr & 3) == 0;
}

/* LUT_WRITE: entries into the shadow LUT (one LUT_WRITE command on the board top). */
static int lut_write(struct bridge *br, const struct setup *st, const uint8_t *data,
		     uint32_t len)
{
	uint32_t first = (uint32_t)st->value * DSR_LUT_CHUNK;
	uint32_t n = st->length / 2u;
	uint16_t entries[DSR_LUT_CHUNK];

	if (st->length == 0 || st->length % 2 || n > DSR_LUT_CHUNK || len < st->length ||
	    first + n > DSR_LUT_SIZE)
		return -1;
	for (uint32_t i = 0; i < n; i++)
		entries[i] = (uint16_t)(data[2 * i] | data[2 * i + 1] << 8);
	return board_lut_write(br->board, first, entries, n);
}

/* The vendor requests of dsr_hw.h, addressed to the device. Returns 0, or -1 to STALL. */
static int vendor_request(struct bridge *br, struct usbip_conn *c, struct usbip_urb *urb,
			  const struct setup *st)
{
	struct dsr_board_info info;
	uint8_t buf[4];
	uint32_t v;

	if (st->type == (RT_DIR_IN | RT_TYPE_VENDOR | RT_RECIP_DEVICE)) {
		switch (st->request) {
		case DSR_REQ_REG_READ:
			if (st->length != 4 || urb->length < 4 || !reg_addr_ok(st->index) ||
			    board_reg_read(br->board, st->index, &v) < 0)
				return -1;
			put_le32(buf, v);
			reply_in(c, urb, st, buf, 4);
			return 0;
		case DSR_REQ_GET_INFO:
			if (board_info(br, &info) < 0)
				return -1;
			reply_in(c, urb, st, &info, sizeof(info));
			return 0;
		default:
			return -1;
		}
	}
	if (st->type != (RT_TYPE_VENDOR | RT_RECIP_DEVICE))
		return -1;
	switch (st->request) {
	case DSR_REQ_REG_WRITE:
		if (st->length != 4 || urb->length < 4 || !reg_addr_ok(st->index) ||
		    board_reg_write(br->board, st->index, le32(urb->data)) < 0)
			return -1;
		break;
	case DSR_REQ_LUT_WRITE:
		if (lut_write(br, st, urb->data, urb->length) < 0)
			return -1;
		break;
	case DSR_REQ_STREAM:
		if (st->length != 0 || st->value > 1)
			return -1;
		if (st->value && !br->streaming && !br->cfg.source)
			sim_log("streaming on, but no frame source (--live/--phantom): only "
				"frames sent on bulk OUT are played");
		br->streaming = st->value;
		br->next_due_ns = 0;
		break;
	default:
		return -1;
	}
	usbip_conn_complete(c, urb, 0, urb->length);
	return 0;
}

/* Endpoint 0: every request completes at once, unknown or malformed ones with -EPIPE. */
static void bridge_control(void *dev, struct usbip_conn *c, struct usbip_urb *urb)
{
	struct bridge *br = dev;
	struct setup st;
	int r = -1;

	parse_setup(urb->setup, &st);
	/* The data stage must agree with the setup packet's direction and length. */
	if (!!(st.type & RT_DIR_IN) == (urb->direction == USBIP_DIR_IN) || st.length == 0) {
		if (!(st.type & RT_DIR_IN) && urb->length < st.length)
			r = -1;
		else if ((st.type & RT_TYPE_MASK) == RT_TYPE_STANDARD)
			r = standard_request(br, c, urb, &st);
		else if ((st.type & RT_TYPE_MASK) == RT_TYPE_VENDOR)
			r = vendor_request(br, c, urb, &st);
	}
	if (r < 0)
		usbip_conn_complete(c, urb, -EPIPE, 0);
}

/* ---------------------------------------------------------------------------------
 * Bulk OUT: host frames.
 */

/* A malformed host frame: log, count, halt the endpoint, forget the partial frame. */
static int refuse_frame(struct bridge *br, const char *why)
{
	sim_log("bulk OUT: frame refused, endpoint 0x%02x stalled: %s", DSR_USB_EP_OUT, why);
	br->st.host_frames_refused++;
	br->halt_out = 1;
	rx_reset(&br->rx);
	return -1;
}

/* The header is complete: validate it against the board. */
static int rx_header(struct bridge *br)
{
	struct out_rx *rx = &br->rx;
	const char *why = "";
	uint32_t w, h;

	if (dsr_header_parse(rx->hdr, sizeof(rx->hdr), br->max_w, br->max_h, &rx->fi,
			     &why) < 0)
		return refuse_frame(br, why);
	if (board_reg_read(br->board, DSR_REG_WIDTH, &w) < 0 ||
	    board_reg_read(br->board, DSR_REG_HEIGHT, &h) < 0)
		return refuse_frame(br, "the RTL did not answer a register read");
	if (rx->fi.width != w || rx->fi.height != h) {
		char msg[128];

		snprintf(msg, sizeof(msg), "frame is %ux%u but the board is set to %ux%u",
			 rx->fi.width, rx->fi.height, w, h);
		return refuse_frame(br, msg);
	}
	rx->bneed = (size_t)rx->fi.payload_length + DSR_FRAME_TRAILER_SIZE;
	rx->body = malloc(rx->bneed);
	if (!rx->body)
		return refuse_frame(br, "out of memory for the frame");
	return 0;
}

/* Payload and trailer are complete: check them and queue the frame for the input. */
static int rx_frame(struct bridge *br)
{
	struct out_rx *rx = &br->rx;
	const uint8_t *payload = rx->body;
	uint32_t crc, trl_crc, trl_flags;
	const char *why = "";
	struct host_frame *f;
	size_t npx = (size_t)rx->fi.width * rx->fi.height;

	if (dsr_trailer_parse(rx->body + rx->fi.payload_length, DSR_FRAME_TRAILER_SIZE,
			      &trl_crc, &trl_flags, &why) < 0)
		return refuse_frame(br, why);
	crc = dsr_crc32(0, payload, rx->fi.payload_length);
	if (crc != trl_crc)
		return refuse_frame(br, "payload CRC does not match the trailer");
	if ((rx->fi.flags & DSR_FLAG_CRC_VALID) && crc != rx->fi.payload_crc)
		return refuse_frame(br, "payload CRC does not match the header");
	f = calloc(1, sizeof(*f));
	if (f)
		f->pixels = malloc(npx * sizeof(uint16_t));
	if (!f || !f->pixels) {
		free(f);
		return refuse_frame(br, "out of memory for the frame");
	}
	for (size_t i = 0; i < npx; i++)
		f->pixels[i] = (uint16_t)(payload[2 * i] | payload[2 * i + 1] << 8);
	f->width = rx->fi.width;
	f->height = rx->fi.height;
	f->reference = !!(rx->fi.flags & DSR_FLAG_REFERENCE);
	if (br->queue_tail)
		br->queue_tail->next = f;
	else
		br->queue_head = f;
	br->queue_tail = f;
	br->queue_len++;
	br->st.host_frames++;
	br->st.host_references += (uint64_t)f->reference;
	rx_reset(rx);
	return 0;
}

/* Take one bulk OUT transfer's bytes into the frame assembly. @short_xfer: it ended
 * with a short packet, so a frame still incomplete afterwards was cut short. */
static int rx_consume(struct bridge *br, const uint8_t *p, size_t n, int short_xfer)
{
	struct out_rx *rx = &br->rx;

	while (n) {
		size_t take;

		if (rx->hlen < DSR_FRAME_HEADER_SIZE) {
			take = DSR_FRAME_HEADER_SIZE - rx->hlen;
			take = take < n ? take : n;
			memcpy(rx->hdr + rx->hlen, p, take);
			rx->hlen += take;
			if (rx->hlen == DSR_FRAME_HEADER_SIZE && rx_header(br) < 0)
				return -1;
		} else {
			take = rx->bneed - rx->blen;
			take = take < n ? take : n;
			memcpy(rx->body + rx->blen, p, take);
			rx->blen += take;
			if (rx->blen == rx->bneed && rx_frame(br) < 0)
				return -1;
		}
		p += take;
		n -= take;
	}
	if (short_xfer && rx->hlen)
		return refuse_frame(br, "frame cut short by a short packet");
	return 0;
}

/* Bulk OUT URB: consumed whole into the frame assembly unless two frames already wait. */
static int bulk_out(struct bridge *br, struct usbip_conn *c, struct usbip_urb *urb)
{
	int short_xfer = urb->length % br->maxp != 0 || urb->length == 0;

	if (br->halt_out) {
		usbip_conn_complete(c, urb, -EPIPE, 0);
		return 1;
	}
	if (br->queue_len >= HOST_QUEUE_MAX)
		return 0;
	if (rx_consume(br, urb->data, urb->length, short_xfer) < 0)
		usbip_conn_complete(c, urb, -EPIPE, 0);
	else
		usbip_conn_complete(c, urb, 0, urb->length);
	return 1;
}

/* ---------------------------------------------------------------------------------
 * Bulk IN: FIFO to URBs.
 */

/* Move FIFO bytes of the head frame into the head IN URB; complete it when it is full
 * or the frame ended (short packet, or a zero-length packet owed for the next URB). */
static int bulk_in(struct bridge *br, struct usbip_conn *c, struct usbip_urb *urb)
{
	struct fifo_frame *fr;
	int ended = 0, status;
	uint8_t *p;

	if (br->halt_in) {
		usbip_conn_complete(c, urb, -EPIPE, 0);
		return 1;
	}
	if (br->in_dead) {
		usbip_conn_complete(c, urb, -EPROTO, 0);
		return 1;
	}
	if (br->zlp_owed || urb->length == 0) {
		br->zlp_owed = 0;
		usbip_conn_complete(c, urb, 0, 0);
		return 1;
	}
	for (;;) {
		uint64_t avail, stop;
		size_t take;
		int mid = 0;

		fr = fifo_head_frame(&br->fifo);
		if (!fr)
			return 0;
		if (fr->ended && br->fifo.rd >= fr->end) {
			fifo_drop_head_frame(&br->fifo);
			continue;
		}
		if (br->fifo.rd == fr->start && urb->filled == 0 &&
		    (fr->faults & (1u << FAULT_IO_ERROR))) {
			br->in_dead = 1;
			br->st.faults[FAULT_IO_ERROR]++;
			sim_log("fault: io-error: bulk IN 0x%02x transfers fail from now on",
				DSR_USB_EP_IN);
			usbip_conn_complete(c, urb, -EPROTO, 0);
			return 1;
		}
		if (br->fifo.rd == fr->start && urb->filled == 0 &&
		    (fr->faults & (1u << FAULT_STALL | 1u << FAULT_STALL_STUCK)) && !fr->stalled) {
			int stuck = !!(fr->faults & (1u << FAULT_STALL_STUCK));

			fr->stalled = 1;
			br->halt_in = 1;
			br->halt_in_stuck |= stuck;
			br->st.faults[stuck ? FAULT_STALL_STUCK : FAULT_STALL]++;
			sim_log("fault: %s: bulk IN 0x%02x halted at the start of a frame",
				stuck ? "stall-stuck" : "stall", DSR_USB_EP_IN);
			usbip_conn_complete(c, urb, -EPIPE, 0);
			return 1;
		}
		stop = fr->ended ? fr->end : br->fifo.wr;
		if ((fr->faults & (1u << FAULT_DISCONNECT)) && fr->cut_at &&
		    fr->cut_at >= br->fifo.rd && fr->cut_at <= stop) {
			stop = fr->cut_at;
			mid = 1;
		}
		avail = stop - br->fifo.rd;
		take = urb->length - urb->filled;
		if (avail < take)
			take = (size_t)avail;
		if (take && !urb->data) {
			urb->data = malloc(urb->length);
			if (!urb->data) {
				usbip_conn_abort(c, "out of memory for an IN transfer");
				return 0;
			}
		}
		fifo_pop(&br->fifo, urb->data + urb->filled, take);
		urb->filled += (uint32_t)take;
		if (mid && br->fifo.rd == fr->cut_at) {
			p = usbip_conn_complete(c, urb, 0, urb->filled);
			if (p)
				memcpy(p, urb->data, urb->filled);
			br->st.bytes_in_urbs += urb->filled;
			br->st.faults[FAULT_DISCONNECT]++;
			/* Let the host have what it got (best effort), then hang up. */
			usbip_conn_on_writable(c);
			usbip_conn_abort(c, "fault: disconnect in the middle of a frame");
			return 1;
		}
		if (fr->ended && br->fifo.rd == fr->end) {
			fifo_drop_head_frame(&br->fifo);
			if (urb->filled == urb->length && urb->length % br->maxp == 0)
				br->zlp_owed = 1;
			ended = 1;
			break;
		}
		if (urb->filled < urb->length)
			return 0;
		break;
	}
	/* Full, frame not over, and the length is not whole packets: the device's next
	 * packet would not fit (babble), as a host controller reports it. */
	status = !ended && urb->length % br->maxp ? -EOVERFLOW : 0;
	p = usbip_conn_complete(c, urb, status, urb->filled);
	if (p)
		memcpy(p, urb->data, urb->filled);
	br->st.bytes_in_urbs += urb->filled;
	return 1;
}

/* The URB at the head of a data endpoint queue; nothing is configured before
 * SET_CONFIGURATION. */
static int bridge_service(void *dev, struct usbip_conn *c, struct usbip_urb *urb)
{
	struct bridge *br = dev;

	if (!br->configuration) {
		usbip_conn_complete(c, urb, -EPIPE, 0);
		return 1;
	}
	if (urb->ep == (DSR_USB_EP_OUT & 0x0f) && urb->direction == USBIP_DIR_OUT)
		return bulk_out(br, c, urb);
	if (urb->ep == (DSR_USB_EP_IN & 0x0f) && urb->direction == USBIP_DIR_IN)
		return bulk_in(br, c, urb);
	usbip_conn_complete(c, urb, -EPIPE, 0);
	return 1;
}

/* What OP_REP_DEVLIST / OP_REP_IMPORT say about the board. */
static void bridge_describe(void *dev, struct usbip_device_desc *d)
{
	struct bridge *br = dev;

	snprintf(d->path, sizeof(d->path), "/sys/devices/dsr-sim/%s", br->cfg.serial);
	snprintf(d->busid, sizeof(d->busid), "%s", br->cfg.busid);
	d->busnum = 1;
	d->devnum = 2;
	d->speed = br->cfg.speed == SIM_SPEED_SUPER ? USBIP_SPEED_SUPER : USBIP_SPEED_HIGH;
	d->id_vendor = DSR_USB_VID;
	d->id_product = DSR_USB_PID;
	d->bcd_device = SIM_BCD_DEVICE;
	d->configuration_value = br->configuration;
	d->num_configurations = 1;
	d->num_interfaces = 1;
	d->interface_class = 0xff;
}

/* The host went away: USB state back to power-on, output resynchronised to the next
 * frame boundary (the frame in progress is dropped), host frames not yet started
 * forgotten, streaming off. */
static void bridge_detach(void *dev)
{
	struct bridge *br = dev;

	br->attached = 0;
	br->configuration = 0;
	reset_endpoints(br);
	br->streaming = 0;
	rx_reset(&br->rx);
	queue_clear(br);
	fifo_reset(&br->fifo);
	/* The rest of an output frame in progress has no place in the emptied FIFO. */
	if (br->tx.pos && br->tx.disp == FORWARD) {
		br->tx.disp = DISCARD;
		br->st.frames_discarded++;
	}
}

/* One host at a time: a second import is refused while one is attached. */
static int bridge_attach(void *dev)
{
	struct bridge *br = dev;

	if (br->attached)
		return -1;
	br->attached = 1;
	return 0;
}

const struct usbip_device_ops bridge_usbip_ops = {
	.attach = bridge_attach,
	.describe = bridge_describe,
	.control = bridge_control,
	.service = bridge_service,
	.detach = bridge_detach,
};

/* ---------------------------------------------------------------------------------
 * Feeding the live input.
 */

static void disposition_push(struct bridge *br, enum disposition d)
{
	if (br->disp_count == DISPOSITION_MAX)
		return;
	br->disp[(br->disp_head + br->disp_count) % DISPOSITION_MAX] = (uint8_t)d;
	br->disp_count++;
}

/* Frames come out of the RTL in the order they went in: one disposition each. */
static enum disposition disposition_pop(struct bridge *br)
{
	enum disposition d;

	if (!br->disp_count)
		return FORWARD;
	d = br->disp[br->disp_head];
	br->disp_head = (br->disp_head + 1) % DISPOSITION_MAX;
	br->disp_count--;
	return d;
}

/* Start the next host frame; a reference goes in under DSR_MODE_CAPTURE. */
static void feed_host_frame(struct bridge *br)
{
	struct host_frame *f = br->queue_head;

	br->queue_head = f->next;
	if (!br->queue_head)
		br->queue_tail = NULL;
	br->queue_len--;
	f->next = NULL;
	if (f->reference) {
		if (board_capture_begin(br->board) < 0) {
			sim_log("reference capture: the RTL did not answer; frame dropped");
			free_host_frame(f);
			return;
		}
		br->restore_pending = 1;
	}
	br->feeding = f;
	disposition_push(br, f->reference ? DISCARD : FORWARD);
	board_feed(br->board, f->pixels, f->width, f->height,
		   f->reference ? DSR_FLAG_REFERENCE : 0);
}

/* Start a source frame at the board's current size, if the source has one. */
static void feed_source_frame(struct bridge *br)
{
	uint32_t w, h, bits;
	const uint16_t *px;

	if (board_reg_read(br->board, DSR_REG_WIDTH, &w) < 0 ||
	    board_reg_read(br->board, DSR_REG_HEIGHT, &h) < 0 ||
	    board_reg_read(br->board, DSR_REG_PIXEL_BITS, &bits) < 0)
		return;
	if (!w || !h || w > br->max_w || h > br->max_h || bits < DSR_PIXEL_BITS_MIN ||
	    bits > DSR_PIXEL_BITS_MAX)
		return;
	px = source_next(br->cfg.source, w, h, bits);
	if (!px)
		return;
	disposition_push(br, FORWARD);
	board_feed(br->board, px, w, h, 0);
	br->st.source_frames++;
}

/* Is a source frame due at @now (and schedule the one after)? */
static int source_due(struct bridge *br, uint64_t now)
{
	uint64_t period;

	if (!br->streaming || !br->cfg.source)
		return 0;
	if (br->cfg.fps <= 0)
		return 1;
	if (br->next_due_ns && now < br->next_due_ns)
		return 0;
	period = (uint64_t)(1e9 / br->cfg.fps);
	if (!br->next_due_ns || now - br->next_due_ns > 4 * period)
		br->next_due_ns = now + period;
	else
		br->next_due_ns += period;
	return 1;
}

/* Between batches of clocks: finish a capture, then start the next host or source frame. */
void bridge_tick(struct bridge *br, uint64_t now_ns)
{
	if (board_input_busy(br->board)) {
		/* The sensor does not wait: a frame due now is lost. With fps 0 it waits. */
		if (br->cfg.fps > 0 && source_due(br, now_ns))
			br->st.source_dropped++;
		return;
	}
	free_host_frame(br->feeding);
	br->feeding = NULL;
	if (br->restore_pending) {
		br->restore_pending = 0;
		if (board_capture_end(br->board) < 0)
			sim_log("reference capture: the board did not restore its mode");
	}
	if (br->queue_head)
		feed_host_frame(br);
	else if (source_due(br, now_ns))
		feed_source_frame(br);
}

/* How long the event loop may sleep before the source needs it. */
int64_t bridge_next_due_ns(const struct bridge *br, uint64_t now_ns)
{
	/* At fps 0 a frame starts whenever the input is free, which only happens after
	 * clocks or socket events: no timer, so a host that stops reading costs no CPU. */
	if (!br->streaming || !br->cfg.source || br->cfg.fps <= 0)
		return -1;
	if (!br->next_due_ns || br->next_due_ns <= now_ns)
		return 0;
	return (int64_t)(br->next_due_ns - now_ns);
}

/* Frames fed whose output has not ended yet (minus those the watchdog gave up on). */
static uint64_t frames_in_flight(const struct bridge *br)
{
	uint64_t fed = board_frames_fed(br->board);
	uint64_t ended = board_frames_ended(br->board) + br->expect_offset;

	return fed > ended ? fed - ended : 0;
}

/* Clock only when input is pending or output is still coming, and the FIFO has room. */
int bridge_has_work(const struct bridge *br)
{
	if (!board_input_busy(br->board) && !frames_in_flight(br))
		return 0;
	return fifo_space(&br->fifo) >= DSR_FRAME_HEADER_SIZE + 2;
}

/* ---------------------------------------------------------------------------------
 * Output: RTL words to the FIFO, with dispositions and faults.
 */

/* First bytes of an output frame: decide whether it goes to the host, and its faults. */
static void tx_begin(struct bridge *br)
{
	struct out_tx *tx = &br->tx;

	memset(tx, 0, sizeof(*tx));
	tx->disp = disposition_pop(br);
	if (tx->disp == DISCARD) {
		br->st.frames_discarded++;
		return;
	}
	br->st.frames_forwarded++;
	tx->faults = fault_hits(&br->cfg.faults, br->st.frames_forwarded);
	for (int k = 0; k < FAULT_KINDS; k++) {
		if (!(tx->faults & (1u << k)) || k == FAULT_STALL || k == FAULT_DISCONNECT ||
		    k == FAULT_STALL_STUCK || k == FAULT_IO_ERROR)
			continue;
		br->st.faults[k]++;
		sim_log("fault: %s on output frame %llu", fault_name((enum fault_kind)k),
			(unsigned long long)br->st.frames_forwarded);
	}
	if (tx->faults & (1u << FAULT_DISCONNECT))
		sim_log("fault: disconnect armed for output frame %llu",
			(unsigned long long)br->st.frames_forwarded);
	fifo_frame_begin(&br->fifo, tx->faults);
}

/* The 64 header bytes are in: apply header faults and learn where the payload ends. */
static void tx_header(struct bridge *br)
{
	struct out_tx *tx = &br->tx;
	uint32_t w = (uint32_t)(tx->hdr[DSR_HDR_OFF_WIDTH] | tx->hdr[DSR_HDR_OFF_WIDTH + 1] << 8);
	uint32_t h = (uint32_t)(tx->hdr[DSR_HDR_OFF_HEIGHT] |
				tx->hdr[DSR_HDR_OFF_HEIGHT + 1] << 8);
	uint64_t payload = (uint64_t)w * h * 2;
	struct fifo_frame *fr;

	tx->trunc_at = DSR_FRAME_HEADER_SIZE + (payload / 2 & ~(uint64_t)1);
	tx->crc_at = DSR_FRAME_HEADER_SIZE + payload + DSR_TRL_OFF_PAYLOAD_CRC;
	if (tx->faults & (1u << FAULT_CORRUPT_HEADER))
		tx->hdr[DSR_HDR_OFF_MAGIC + 3] ^= 0x20;
	if (tx->faults & (1u << FAULT_WRONG_LENGTH))
		put_le32(tx->hdr + DSR_HDR_OFF_PAYLOAD_LENGTH,
			 le32(tx->hdr + DSR_HDR_OFF_PAYLOAD_LENGTH) + 2);
	if (tx->disp == FORWARD) {
		fr = &br->fifo.frames[(br->fifo.fhead + br->fifo.fcount - 1) %
				      br->fifo.frames_cap];
		fr->cut_at = fr->start + tx->trunc_at;
		fifo_push(&br->fifo, tx->hdr, sizeof(tx->hdr));
	}
}

/* Bytes [p, p+n) of the current output frame, none of them past its end. */
static void tx_bytes(struct bridge *br, uint8_t *p, size_t n)
{
	struct out_tx *tx = &br->tx;

	if (tx->pos == 0 && n)
		tx_begin(br);
	if (tx->pos < DSR_FRAME_HEADER_SIZE) {
		size_t take = DSR_FRAME_HEADER_SIZE - (size_t)tx->pos;

		take = take < n ? take : n;
		memcpy(tx->hdr + tx->pos, p, take);
		tx->pos += take;
		p += take;
		n -= take;
		if (tx->pos == DSR_FRAME_HEADER_SIZE)
			tx_header(br);
	}
	if (!n)
		return;
	if (tx->disp == FORWARD && !tx->cut) {
		size_t keep = n;

		if (tx->faults & (1u << FAULT_BAD_CRC) && tx->crc_at >= tx->pos &&
		    tx->crc_at < tx->pos + n)
			p[tx->crc_at - tx->pos] ^= 0x01;
		if ((tx->faults & (1u << FAULT_TRUNCATED)) && tx->pos + n >= tx->trunc_at) {
			keep = (size_t)(tx->trunc_at - tx->pos);
			tx->cut = 1;
		}
		fifo_push(&br->fifo, p, keep);
		if (tx->cut)
			fifo_frame_end(&br->fifo);
	}
	tx->pos += n;
}

/* The RTL raised m_last: the frame is complete. */
static void tx_end(struct bridge *br)
{
	struct out_tx *tx = &br->tx;

	if (tx->disp == FORWARD) {
		if (tx->pos < DSR_FRAME_HEADER_SIZE)
			fifo_push(&br->fifo, tx->hdr, (size_t)tx->pos);
		if (!tx->cut)
			fifo_frame_end(&br->fifo);
	}
	memset(tx, 0, sizeof(*tx));
}

/* One batch of clocks: RTL words to the FIFO frame by frame, then the output watchdog. */
uint64_t bridge_run(struct bridge *br, uint64_t cycles)
{
	struct board_out o;
	size_t space = fifo_space(&br->fifo), done = 0;
	uint64_t ran;

	if (!bridge_has_work(br))
		return 0;
	memset(&o, 0, sizeof(o));
	o.buf = br->stage;
	/* Header bytes held back in tx.hdr still have to fit. */
	o.cap = space - DSR_FRAME_HEADER_SIZE;
	if (o.cap > STAGE_MAX)
		o.cap = STAGE_MAX;
	o.cap &= ~(size_t)1;
	ran = board_run(br->board, cycles, &o);
	for (unsigned int i = 0; i < o.nends; i++) {
		tx_bytes(br, o.buf + done, o.ends[i] - done);
		tx_end(br);
		done = o.ends[i];
	}
	tx_bytes(br, o.buf + done, o.len - done);
	if (o.len)
		br->last_output_cycle = board_cycles(br->board);
	else if (!board_input_busy(br->board) && frames_in_flight(br) &&
		 board_cycles(br->board) - br->last_output_cycle > WATCHDOG_CYCLES) {
		sim_log("the RTL produced no output for %u cycles with %llu frame(s) in flight: "
			"no longer waiting for them", WATCHDOG_CYCLES,
			(unsigned long long)frames_in_flight(br));
		br->expect_offset += frames_in_flight(br);
	}
	return ran;
}
