/*
 * usb.c - the libusb transport: a DSR board reached directly over USB, no kernel driver.
 *
 * Register access, board info and the LUT go through vendor control requests addressed
 * to the device (dsr_hw.h), which libusb may send even while the kernel driver owns
 * interface 0: so `dsr info` and `dsr upload` work beside dsr.ko. Only bulk traffic
 * (reference and live frames out, output frames in) claims the interface, and when the
 * kernel driver is bound that is refused with a message pointing at /dev/dsrN.
 *
 * Streaming follows libusb's asynchronous pattern: USB_XFERS bulk IN transfers in
 * flight, completions handled in one event loop driven from dsr_board_next_frame(),
 * every completed transfer resubmitted; closing cancels them all and drains. Received
 * bytes are assembled into frames (a short packet ends each frame), each validated by
 * board.c, and queued in a small ring; after a malformed frame the assembler
 * resynchronises on the next valid header.
 */
#include <errno.h>
#include <libusb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

#include "board_priv.h"
#include "dsr/error.h"

#define USB_XFERS		8		/* bulk IN transfers in flight */
#define USB_XFER_BYTES		(128 * 1024)	/* bytes per bulk IN transfer */
#define USB_RING		8		/* received frames waiting for the reader */
#define CTRL_TIMEOUT_MS		2000
#define BULK_OUT_TIMEOUT_MS	10000
#define DRAIN_TIMEOUT_MS	2000
#define MAX_LISTED		16

/* A received frame waiting in the ring: header in host order, pixels in host order. */
struct ring_slot {
	struct dsr_frame_info info;
	uint16_t *pixels;
	size_t cap;		/* pixels allocated */
};

struct usb_board {
	libusb_context *ctx;
	libusb_device_handle *handle;
	struct dsr_board_about about;
	int claimed;

	/* Streaming state, touched only from the thread that drives the event loop. */
	struct libusb_transfer *xfer[USB_XFERS];
	int in_flight;		/* submitted transfers not yet completed */
	int streaming;		/* resubmit completed transfers */
	int gone;		/* LIBUSB_ERROR_NO_DEVICE seen: the board was unplugged */
	int stalled;		/* bulk IN answered STALL */
	int xfer_error;		/* another transfer status, reported once */

	uint8_t *acc;		/* bytes of the frame being assembled */
	size_t acc_len, acc_cap;
	int in_garbage;		/* skipping bytes after a malformed frame */
	uint32_t last_seq;
	int have_seq;

	struct ring_slot ring[USB_RING];
	unsigned head, count;	/* ready frames: ring[head .. head+count) */
	int held;		/* ring[head] is handed out to the caller */

	struct dsr_board_stats stats;
};

static struct usb_board *usb_of(struct dsr_board *b)
{
	return b->priv;
}

/* libusb's error as words, with the action to take for the ones users meet. */
static int usb_fail(const char *what, int rc)
{
	if (rc == LIBUSB_ERROR_NO_DEVICE)
		return dsr_seterr("%s: the board was unplugged (LIBUSB_ERROR_NO_DEVICE)", what);
	if (rc == LIBUSB_ERROR_ACCESS)
		return dsr_seterr("%s: permission denied: install the udev rules (make -C udev "
				  "install) and join the dsr group, or log in at the console", what);
	if (rc == LIBUSB_ERROR_TIMEOUT)
		return dsr_seterr("%s: the board did not answer in time (LIBUSB_ERROR_TIMEOUT)", what);
	if (rc == LIBUSB_ERROR_PIPE)
		return dsr_seterr("%s: the board refused the request (STALL)", what);
	return dsr_seterr("%s: %s (%s)", what, libusb_strerror(rc), libusb_error_name(rc));
}

/* ---------------------------------------------------------------- control requests */

static int usb_reg_read(struct dsr_board *b, uint32_t addr, uint32_t *value)
{
	struct usb_board *u = usb_of(b);
	uint8_t d[4];
	char what[64];
	int rc;

	rc = libusb_control_transfer(u->handle, LIBUSB_ENDPOINT_IN | LIBUSB_REQUEST_TYPE_VENDOR |
				     LIBUSB_RECIPIENT_DEVICE, DSR_REQ_REG_READ, 0, (uint16_t)addr,
				     d, 4, CTRL_TIMEOUT_MS);
	snprintf(what, sizeof(what), "register read 0x%03x", addr);
	if (rc < 0)
		return usb_fail(what, rc);
	if (rc != 4)
		return dsr_seterr("%s: the board answered %d bytes, expected 4", what, rc);
	*value = (uint32_t)d[0] | (uint32_t)d[1] << 8 | (uint32_t)d[2] << 16 | (uint32_t)d[3] << 24;
	return 0;
}

static int usb_reg_write(struct dsr_board *b, uint32_t addr, uint32_t value)
{
	struct usb_board *u = usb_of(b);
	uint8_t d[4] = { (uint8_t)value, (uint8_t)(value >> 8), (uint8_t)(value >> 16),
			 (uint8_t)(value >> 24) };
	char what[64];
	int rc;

	rc = libusb_control_transfer(u->handle, LIBUSB_ENDPOINT_OUT | LIBUSB_REQUEST_TYPE_VENDOR |
				     LIBUSB_RECIPIENT_DEVICE, DSR_REQ_REG_WRITE, 0, (uint16_t)addr,
				     d, 4, CTRL_TIMEOUT_MS);
	snprintf(what, sizeof(what), "register write 0x%03x", addr);
	if (rc < 0)
		return usb_fail(what, rc);
	if (rc != 4)
		return dsr_seterr("%s: the board took %d bytes, expected 4", what, rc);
	return 0;
}

/* Shadow LUT entries in DSR_REQ_LUT_WRITE chunks (wValue = first / DSR_LUT_CHUNK). */
static int usb_lut_write(struct dsr_board *b, uint32_t first, const uint16_t *entries,
			 uint32_t n)
{
	struct usb_board *u = usb_of(b);
	uint8_t d[DSR_LUT_CHUNK * 2];
	char what[64];

	if (first % DSR_LUT_CHUNK || first + n > DSR_LUT_SIZE)
		return dsr_seterr("LUT write [%u, %u): not chunk-aligned or beyond %u entries", first,
				  first + n, DSR_LUT_SIZE);
	for (uint32_t done = 0; done < n; done += DSR_LUT_CHUNK) {
		uint32_t k = n - done < DSR_LUT_CHUNK ? n - done : DSR_LUT_CHUNK;
		int rc;

		for (uint32_t i = 0; i < k; i++) {
			d[2 * i] = (uint8_t)entries[done + i];
			d[2 * i + 1] = (uint8_t)(entries[done + i] >> 8);
		}
		rc = libusb_control_transfer(u->handle, LIBUSB_ENDPOINT_OUT |
					     LIBUSB_REQUEST_TYPE_VENDOR | LIBUSB_RECIPIENT_DEVICE,
					     DSR_REQ_LUT_WRITE, (uint16_t)((first + done) / DSR_LUT_CHUNK),
					     0, d, (uint16_t)(2 * k), CTRL_TIMEOUT_MS);
		snprintf(what, sizeof(what), "LUT write at entry %u", first + done);
		if (rc < 0)
			return usb_fail(what, rc);
		if (rc != (int)(2 * k))
			return dsr_seterr("%s: the board took %d bytes of %u", what, rc, 2 * k);
	}
	return 0;
}

/* The playback source on or off (DSR_REQ_STREAM). */
static int usb_source(struct usb_board *u, int on)
{
	int rc = libusb_control_transfer(u->handle, LIBUSB_ENDPOINT_OUT | LIBUSB_REQUEST_TYPE_VENDOR |
					 LIBUSB_RECIPIENT_DEVICE, DSR_REQ_STREAM, (uint16_t)on, 0,
					 NULL, 0, CTRL_TIMEOUT_MS);

	return rc < 0 ? usb_fail(on ? "start streaming" : "stop streaming", rc) : 0;
}

/* A string descriptor as ASCII, "" if the device has none or did not answer (then < 0). */
static int string_desc(libusb_device_handle *h, uint8_t index, char *buf, size_t len)
{
	int rc = 0;

	buf[0] = 0;
	if (index)
		rc = libusb_get_string_descriptor_ascii(h, index, (unsigned char *)buf, (int)len);
	if (rc < 0)
		buf[0] = 0;
	return rc < 0 ? rc : 0;
}

/* Where the board sits: "usb 1-1.2 (bus 1, address 3, high speed)". */
static void describe(libusb_device *dev, char *buf, size_t len)
{
	static const char *const speeds[] = { "unknown speed", "low speed", "full speed",
					      "high speed", "super speed", "super speed+" };
	uint8_t ports[8];
	int n = libusb_get_port_numbers(dev, ports, 8), sp = libusb_get_device_speed(dev);
	char path[32], full[128];
	size_t o;

	o = (size_t)snprintf(path, sizeof(path), "%u", libusb_get_bus_number(dev));
	for (int i = 0; i < n && o < sizeof(path); i++)
		o += (size_t)snprintf(path + o, sizeof(path) - o, "%c%u", i ? '.' : '-', ports[i]);
	snprintf(full, sizeof(full), "usb %s (bus %u, address %u, %s)", path,
		 libusb_get_bus_number(dev), libusb_get_device_address(dev),
		 sp >= 0 && sp < 6 ? speeds[sp] : speeds[0]);
	o = strlen(full) < len ? strlen(full) : len - 1;
	memcpy(buf, full, o);
	buf[o] = 0;
}

/*
 * DSR_REQ_GET_INFO, untrusted: the answer must be a whole struct dsr_board_info with the
 * board's ID. The serial string descriptor names the board; the info's copy is used
 * when the descriptor is missing.
 */
static int read_info(struct usb_board *u, libusb_device *dev)
{
	uint8_t d[sizeof(struct dsr_board_info)];
	struct libusb_device_descriptor desc;
	struct dsr_board_about *a = &u->about;
	int rc;

	rc = libusb_control_transfer(u->handle, LIBUSB_ENDPOINT_IN | LIBUSB_REQUEST_TYPE_VENDOR |
				     LIBUSB_RECIPIENT_DEVICE, DSR_REQ_GET_INFO, 0, 0, d, sizeof(d),
				     CTRL_TIMEOUT_MS);
	if (rc < 0)
		return usb_fail("board info (GET_INFO)", rc);
	if (rc < (int)sizeof(d))
		return dsr_seterr("board info: %d bytes, expected %zu", rc, sizeof(d));
#define LE16(o) ((uint32_t)d[o] | (uint32_t)d[(o) + 1] << 8)
#define LE32(o) (LE16(o) | LE16((o) + 2) << 16)
	if (LE32(0) != DSR_ID_VALUE)
		return dsr_seterr("board info: ID 0x%08x, expected 0x%08x: not a DSR board?",
				  LE32(0), DSR_ID_VALUE);
	a->rtl_version = LE32(4);
	a->firmware_version = LE32(8);
	a->max_width = LE16(12);
	a->max_height = LE16(14);
	a->pixel_bits_max = LE16(16);
	a->simulated = !!(LE16(18) & DSR_BOARD_INFO_SIMULATED);
#undef LE16
#undef LE32
	if (a->max_width < 1 || a->max_width > DSR_WIDTH_MAX || a->max_height < 1 ||
	    a->max_height > DSR_HEIGHT_MAX || a->pixel_bits_max < DSR_PIXEL_BITS_MIN ||
	    a->pixel_bits_max > DSR_PIXEL_BITS_MAX)
		return dsr_seterr("board info: frame store %ux%u, %u bits: outside the contract",
				  a->max_width, a->max_height, a->pixel_bits_max);
	if (libusb_get_device_descriptor(dev, &desc) == 0)
		string_desc(u->handle, desc.iSerialNumber, a->serial, sizeof(a->serial));
	if (!a->serial[0]) {
		memcpy(a->serial, d + 20, 32);
		a->serial[32] = 0;
	}
	describe(dev, a->transport, sizeof(a->transport));
	return 0;
}

static int usb_about(struct dsr_board *b, struct dsr_board_about *about)
{
	*about = usb_of(b)->about;
	return 0;
}

/* ---------------------------------------------------------------- bulk OUT */

/*
 * The streaming interface, claimed on first bulk use. When dsr.ko owns it the board's
 * frames belong to /dev/dsrN: say so rather than detaching the driver under its users.
 */
static int claim(struct usb_board *u)
{
	int rc;

	if (u->claimed)
		return 0;
	rc = libusb_kernel_driver_active(u->handle, DSR_USB_INTERFACE);
	if (rc == 1)
		return dsr_seterr("the kernel driver is bound to the board's streaming interface: "
				  "frames go through /dev/dsrN (use --device /dev/dsrN); register "
				  "access and parameter upload still work over --usb");
	rc = libusb_claim_interface(u->handle, DSR_USB_INTERFACE);
	if (rc == LIBUSB_ERROR_BUSY)
		return dsr_seterr("the board's streaming interface is in use by another program");
	if (rc < 0)
		return usb_fail("claim interface 0", rc);
	u->claimed = 1;
	return 0;
}

/* One whole wire frame to bulk OUT, ended by a zero-length packet when it fills the
 * last packet exactly (a short or zero-length packet ends each frame). */
static int usb_send_frame(struct dsr_board *b, const void *wire, size_t len)
{
	struct usb_board *u = usb_of(b);
	int done = 0, rc, mps;

	if (claim(u))
		return -1;
	if (len > INT32_MAX)
		return dsr_seterr("frame of %zu bytes: too large for one transfer", len);
	rc = libusb_bulk_transfer(u->handle, DSR_USB_EP_OUT, (unsigned char *)wire, (int)len,
				  &done, BULK_OUT_TIMEOUT_MS);
	if (rc == LIBUSB_ERROR_PIPE) {
		/* The board refuses a frame it finds malformed by halting bulk OUT; clear the
		 * halt so that the next frame can go, and say so. */
		int cr = libusb_clear_halt(u->handle, DSR_USB_EP_OUT);

		return dsr_seterr("frame to the board (bulk OUT): the board refused it (STALL: "
				  "size not its WIDTH x HEIGHT, or malformed)%s",
				  cr < 0 ? "; clearing the halt failed too" : "; halt cleared");
	}
	if (rc < 0)
		return usb_fail("frame to the board (bulk OUT)", rc);
	if ((size_t)done != len)
		return dsr_seterr("frame to the board: %d of %zu bytes taken", done, len);
	mps = libusb_get_max_packet_size(libusb_get_device(u->handle), DSR_USB_EP_OUT);
	if (mps > 0 && len % (size_t)mps == 0) {
		rc = libusb_bulk_transfer(u->handle, DSR_USB_EP_OUT, NULL, 0, &done,
					  BULK_OUT_TIMEOUT_MS);
		if (rc < 0)
			return usb_fail("end of frame (zero-length packet)", rc);
	}
	return 0;
}

/* ---------------------------------------------------------------- frame assembly */

/*
 * A validated frame into the ring, pixels converted to host order. Sequence gaps count
 * as dropped (frames lost anywhere: malformed, CRC, not sent); a full ring drops the new
 * frame (the caller is reading too late) and counts an overrun.
 */
static void ring_put(struct usb_board *u, const struct dsr_frame_info *fi, const uint8_t *payload)
{
	size_t npix = (size_t)fi->width * fi->height;
	struct ring_slot *s;

	if (u->have_seq && fi->sequence - u->last_seq - 1 < 0x80000000u)
		u->stats.dropped += fi->sequence - u->last_seq - 1;
	u->last_seq = fi->sequence;
	u->have_seq = 1;
	if (u->count == USB_RING) {
		u->stats.overruns++;
		return;
	}
	s = &u->ring[(u->head + u->count) % USB_RING];
	if (s->cap < npix) {
		uint16_t *p = realloc(s->pixels, npix * sizeof(*p));

		if (!p) {
			u->stats.overruns++;
			return;
		}
		s->pixels = p;
		s->cap = npix;
	}
	for (size_t i = 0; i < npix; i++)
		s->pixels[i] = (uint16_t)(payload[2 * i] | payload[2 * i + 1] << 8);
	s->info = *fi;
	u->count++;
	u->stats.frames++;
}

/* Offset of the next position after @from where a valid header starts, or where a
 * header could still begin once more bytes arrive; @len if neither. */
static size_t find_header(struct usb_board *u, size_t from)
{
	static const uint8_t magic[4] = { DSR_FRAME_MAGIC & 0xff, (DSR_FRAME_MAGIC >> 8) & 0xff,
					  (DSR_FRAME_MAGIC >> 16) & 0xff, DSR_FRAME_MAGIC >> 24 };
	struct dsr_frame_info fi;

	for (size_t o = from; o < u->acc_len; o++) {
		if (u->acc[o] != magic[0])
			continue;
		if (u->acc_len - o < DSR_FRAME_HEADER_SIZE) {
			size_t k = u->acc_len - o < 4 ? u->acc_len - o : 4;

			if (!memcmp(u->acc + o, magic, k))
				return o;
			continue;
		}
		if (!dsr_header_parse(u->acc + o, DSR_FRAME_HEADER_SIZE, u->about.max_width,
				      u->about.max_height, &fi, NULL))
			return o;
	}
	return u->acc_len;
}

/* Count one malformed stretch of bytes (once per run of garbage). */
static void note_malformed(struct usb_board *u)
{
	if (!u->in_garbage)
		u->stats.malformed++;
	u->in_garbage = 1;
}

/*
 * Take every complete frame out of the assembly buffer. @ended: the transfer that just
 * completed was short, so the board ended a frame there and whatever is left over is a
 * truncated frame. Malformed bytes are skipped up to the next valid header.
 */
static void assemble(struct usb_board *u, int ended)
{
	size_t off = 0;

again:
	while (u->acc_len - off >= DSR_FRAME_HEADER_SIZE) {
		struct dsr_frame_info fi;
		size_t total;
		int crc_error;

		if (dsr_header_parse(u->acc + off, u->acc_len - off, u->about.max_width,
				     u->about.max_height, &fi, NULL)) {
			note_malformed(u);
			u->acc_len -= off;
			memmove(u->acc, u->acc + off, u->acc_len);
			off = find_header(u, 1);
			continue;
		}
		total = DSR_FRAME_HEADER_SIZE + (size_t)fi.payload_length + DSR_FRAME_TRAILER_SIZE;
		if (u->acc_len - off < total)
			break;
		if (dsr_board_check_frame(u->acc + off, total, u->about.max_width,
					  u->about.max_height, &fi, &crc_error)) {
			if (crc_error) {
				u->stats.crc_errors++;
				off += total;
			} else {
				note_malformed(u);
				off += 1;
				u->acc_len -= off;
				memmove(u->acc, u->acc + off, u->acc_len);
				off = find_header(u, 0);
			}
			continue;
		}
		u->in_garbage = 0;
		ring_put(u, &fi, u->acc + off + DSR_FRAME_HEADER_SIZE);
		off += total;
	}
	if (ended && u->acc_len > off) {
		/* Leftover at the end of a transfer: a truncated frame, or garbage. A valid
		 * header inside it (the frame after a truncated one) starts over from there. */
		dsr_seterr("a frame ended after %zu bytes, before its header's length",
			   u->acc_len - off);
		note_malformed(u);
		u->acc_len -= off;
		memmove(u->acc, u->acc + off, u->acc_len);
		off = find_header(u, 1);
		if (u->acc_len - off >= DSR_FRAME_HEADER_SIZE)
			goto again;
		off = u->acc_len;
	}
	if (ended)
		u->in_garbage = 0;
	u->acc_len -= off;
	memmove(u->acc, u->acc + off, u->acc_len);
}

/* Bytes of a completed transfer onto the assembly buffer. The buffer never needs more
 * than one largest frame plus one transfer; beyond that the bytes are garbage. */
static void append(struct usb_board *u, const uint8_t *data, size_t n)
{
	size_t limit = DSR_FRAME_HEADER_SIZE + (size_t)u->about.max_width * u->about.max_height * 2 +
		       DSR_FRAME_TRAILER_SIZE + USB_XFER_BYTES;

	if (u->acc_len + n > limit) {
		note_malformed(u);
		u->acc_len = 0;
	}
	if (u->acc_len + n > u->acc_cap) {
		size_t cap = u->acc_len + n > limit ? u->acc_len + n : limit;
		uint8_t *p = realloc(u->acc, cap);

		if (!p) {
			u->stats.dropped++;
			u->acc_len = 0;
			return;
		}
		u->acc = p;
		u->acc_cap = cap;
	}
	memcpy(u->acc + u->acc_len, data, n);
	u->acc_len += n;
	u->stats.bytes += n;
}

/* ---------------------------------------------------------------- bulk IN streaming */

/* Completion of one bulk IN transfer: assemble its bytes and send it out again. */
static void LIBUSB_CALL in_done(struct libusb_transfer *t)
{
	struct usb_board *u = t->user_data;

	u->in_flight--;
	switch (t->status) {
	case LIBUSB_TRANSFER_COMPLETED:
		append(u, t->buffer, (size_t)t->actual_length);
		assemble(u, t->actual_length < t->length);
		if (u->streaming && !u->stalled && !u->gone) {
			int rc = libusb_submit_transfer(t);

			if (rc == 0)
				u->in_flight++;
			else if (rc == LIBUSB_ERROR_NO_DEVICE)
				u->gone = 1;
			else
				u->xfer_error = rc;
		}
		break;
	case LIBUSB_TRANSFER_CANCELLED:
		break;
	case LIBUSB_TRANSFER_NO_DEVICE:
		u->gone = 1;
		break;
	case LIBUSB_TRANSFER_STALL:
		u->stalled = 1;
		break;
	default:
		u->xfer_error = LIBUSB_ERROR_IO;
		break;
	}
}

/* Run the event loop for up to @ms milliseconds. */
static void pump(struct usb_board *u, int ms)
{
	struct timeval tv = { ms / 1000, (ms % 1000) * 1000 };

	libusb_handle_events_timeout_completed(u->ctx, &tv, NULL);
}

/* Cancel every transfer in flight and wait for their completions (bounded). */
static void drain(struct usb_board *u)
{
	struct timespec t0, t;

	u->streaming = 0;
	for (int i = 0; i < USB_XFERS; i++)
		if (u->xfer[i])
			libusb_cancel_transfer(u->xfer[i]);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (u->in_flight > 0) {
		pump(u, 50);
		clock_gettime(CLOCK_MONOTONIC, &t);
		if ((t.tv_sec - t0.tv_sec) * 1000 + (t.tv_nsec - t0.tv_nsec) / 1000000 > DRAIN_TIMEOUT_MS)
			break;
	}
}

/* Allocate (once) and submit all bulk IN transfers. */
static int submit_all(struct usb_board *u)
{
	for (int i = 0; i < USB_XFERS; i++) {
		struct libusb_transfer *t = u->xfer[i];
		int rc;

		if (!t) {
			uint8_t *buf = malloc(USB_XFER_BYTES);

			t = libusb_alloc_transfer(0);
			if (!t || !buf) {
				free(buf);
				libusb_free_transfer(t);
				return dsr_seterr("streaming: out of memory for transfers");
			}
			libusb_fill_bulk_transfer(t, u->handle, DSR_USB_EP_IN, buf, USB_XFER_BYTES,
						  in_done, u, 0);
			t->flags = LIBUSB_TRANSFER_FREE_BUFFER;
			u->xfer[i] = t;
		}
		rc = libusb_submit_transfer(t);
		if (rc < 0)
			return usb_fail("streaming: submit bulk IN transfer", rc);
		u->in_flight++;
	}
	return 0;
}

static int usb_stream_on(struct dsr_board *b)
{
	struct usb_board *u = usb_of(b);

	if (u->streaming)
		return 0;
	if (claim(u))
		return -1;
	u->acc_len = 0;
	u->in_garbage = 0;
	u->stalled = 0;
	u->xfer_error = 0;
	u->streaming = 1;
	if (submit_all(u)) {
		drain(u);
		return -1;
	}
	if (usb_source(u, 1)) {
		drain(u);
		return -1;
	}
	return 0;
}

static int usb_stream_off(struct dsr_board *b)
{
	struct usb_board *u = usb_of(b);
	int rc = 0;

	if (!u->streaming)
		return 0;
	if (!u->gone)
		rc = usb_source(u, 0);
	drain(u);
	return rc;
}

/* After a STALL on bulk IN: stop, clear the halt, start again; the frame in progress is
 * lost and counted as malformed. */
static int recover_stall(struct usb_board *u)
{
	int rc;

	drain(u);
	u->stalled = 0;
	rc = libusb_clear_halt(u->handle, DSR_USB_EP_IN);
	if (rc < 0)
		return usb_fail("bulk IN stalled, and clearing the halt failed", rc);
	u->acc_len = 0;
	u->streaming = 1;
	if (submit_all(u))
		return -1;
	return dsr_seterr("bulk IN endpoint 0x%02x stalled: halt cleared, streaming resumed",
			  DSR_USB_EP_IN);
}

/* Milliseconds since an arbitrary start, monotonic. */
static int64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * The next complete frame. The one handed out last time goes back to the ring first.
 * Drives the event loop until a frame is ready, the board goes away, the endpoint
 * stalls, or @timeout_ms passes.
 */
static int usb_next_frame(struct dsr_board *b, struct dsr_frame *f, int timeout_ms)
{
	struct usb_board *u = usb_of(b);
	int64_t deadline = mono_ms() + timeout_ms;

	if (u->held) {
		u->held = 0;
		u->head = (u->head + 1) % USB_RING;
		u->count--;
	}
	while (u->count == 0) {
		int64_t left = deadline - mono_ms();

		if (u->gone)
			return dsr_seterr("streaming: the board was unplugged (LIBUSB_ERROR_NO_DEVICE)");
		if (u->stalled)
			return recover_stall(u);
		if (u->xfer_error) {
			int rc = u->xfer_error;

			u->xfer_error = 0;
			return usb_fail("streaming: bulk IN transfer failed", rc);
		}
		if (!u->streaming)
			return dsr_seterr("not streaming (dsr_board_stream_on first)");
		if (timeout_ms >= 0 && left <= 0)
			return dsr_seterr("no frame from the board within %d ms", timeout_ms);
		pump(u, timeout_ms < 0 || left > 100 ? 100 : (int)left);
	}
	f->info = u->ring[u->head].info;
	f->pixels = u->ring[u->head].pixels;
	u->held = 1;
	return 0;
}

static int usb_stats(struct dsr_board *b, struct dsr_board_stats *st)
{
	*st = usb_of(b)->stats;
	return 0;
}

static void usb_close(struct dsr_board *b)
{
	struct usb_board *u = usb_of(b);

	if (u->streaming && !u->gone)
		usb_source(u, 0);
	drain(u);
	for (int i = 0; i < USB_XFERS; i++)
		if (u->xfer[i] && (u->in_flight == 0 || u->gone))
			libusb_free_transfer(u->xfer[i]);
	if (u->claimed)
		libusb_release_interface(u->handle, DSR_USB_INTERFACE);
	libusb_close(u->handle);
	libusb_exit(u->ctx);
	for (int i = 0; i < USB_RING; i++)
		free(u->ring[i].pixels);
	free(u->acc);
	free(u);
	free(b);
}

static const struct dsr_board_ops usb_ops = {
	.name = "usb",
	.about = usb_about,
	.reg_read = usb_reg_read,
	.reg_write = usb_reg_write,
	.set_params = NULL,
	.lut_write = usb_lut_write,
	.send_frame = usb_send_frame,
	.stream_on = usb_stream_on,
	.stream_off = usb_stream_off,
	.next_frame = usb_next_frame,
	.stats = usb_stats,
	.close = usb_close,
};

/* ---------------------------------------------------------------- finding a board */

/* True if @dev has the board's VID:PID. */
static int is_board(libusb_device *dev)
{
	struct libusb_device_descriptor d;

	return libusb_get_device_descriptor(dev, &d) == 0 && d.idVendor == DSR_USB_VID &&
	       d.idProduct == DSR_USB_PID;
}

/* The usbfs path of a device, for messages about permissions. */
static void devnode(libusb_device *dev, char *buf, size_t len)
{
	snprintf(buf, len, "/dev/bus/usb/%03u/%03u", libusb_get_bus_number(dev),
		 libusb_get_device_address(dev));
}

/* A listing entry for one board: where, serial if readable, why not otherwise. */
static void list_entry(libusb_device *dev, struct dsr_board_entry *e)
{
	struct libusb_device_descriptor d;
	libusb_device_handle *h;
	char node[32];
	int rc;

	memset(e, 0, sizeof(*e));
	snprintf(e->spec, sizeof(e->spec), "usb:%u:%u", libusb_get_bus_number(dev),
		 libusb_get_device_address(dev));
	describe(dev, e->transport, sizeof(e->transport));
	rc = libusb_open(dev, &h);
	if (rc < 0) {
		devnode(dev, node, sizeof(node));
		snprintf(e->problem, sizeof(e->problem), "%s: %s", node,
			 rc == LIBUSB_ERROR_ACCESS ? "permission denied (udev rules / dsr group)"
						   : libusb_strerror(rc));
		return;
	}
	if (libusb_get_device_descriptor(dev, &d) < 0 ||
	    string_desc(h, d.iSerialNumber, e->serial, sizeof(e->serial)) < 0)
		snprintf(e->problem, sizeof(e->problem),
			 "did not answer the serial number request: replug or power-cycle it");
	else if (libusb_kernel_driver_active(h, DSR_USB_INTERFACE) == 1)
		snprintf(e->problem, sizeof(e->problem),
			 "kernel driver bound: stream through /dev/dsrN");
	libusb_close(h);
}

/* A libusb context, with a message if there is no USB at all. */
static libusb_context *new_context(void)
{
	libusb_context *ctx;
	int rc = libusb_init(&ctx);

	if (rc < 0)
		return usb_fail("libusb", rc), NULL;
	return ctx;
}

int dsr_board_list_usb(struct dsr_board_entry *list, int max)
{
	libusb_context *ctx = new_context();
	libusb_device **devs;
	ssize_t n;
	int found = 0;

	if (!ctx)
		return -1;
	n = libusb_get_device_list(ctx, &devs);
	if (n < 0) {
		libusb_exit(ctx);
		return usb_fail("listing USB devices", (int)n);
	}
	for (ssize_t i = 0; i < n; i++) {
		if (!is_board(devs[i]))
			continue;
		if (found < max)
			list_entry(devs[i], &list[found]);
		found++;
	}
	libusb_free_device_list(devs, 1);
	libusb_exit(ctx);
	return found;
}

/* Boards passed over while looking for a serial, and why: named in the error message. */
struct passed_over {
	int denied;	/* could not be opened: permission */
	int silent;	/* opened, but its serial could not be read */
};

/* Does @dev answer to @selector: "" (any), "BUS:ADDR", or a serial number? Reading the
 * serial may fail; @why counts the failures for the message. */
static int selected(libusb_device *dev, const char *selector, struct passed_over *why)
{
	unsigned bus, addr;
	char end, serial[64];
	struct libusb_device_descriptor d;
	libusb_device_handle *h;
	int rc;

	if (!*selector)
		return 1;
	if (sscanf(selector, "%u:%u%c", &bus, &addr, &end) == 2)
		return bus == libusb_get_bus_number(dev) && addr == libusb_get_device_address(dev);
	rc = libusb_open(dev, &h);
	if (rc < 0) {
		why->denied += rc == LIBUSB_ERROR_ACCESS;
		why->silent += rc != LIBUSB_ERROR_ACCESS;
		return 0;
	}
	serial[0] = 0;
	if (libusb_get_device_descriptor(dev, &d) < 0 ||
	    string_desc(h, d.iSerialNumber, serial, sizeof(serial)) < 0)
		why->silent++;
	libusb_close(h);
	return !strcmp(serial, selector);
}

/* The message when several boards match: each with its address and serial. */
static void several(libusb_device **match, int n)
{
	char msg[400];
	size_t o = 0;

	o += (size_t)snprintf(msg, sizeof(msg), "%d DSR boards on USB:", n);
	for (int i = 0; i < n && o < sizeof(msg); i++) {
		struct dsr_board_entry e;

		list_entry(match[i], &e);
		o += (size_t)snprintf(msg + o, sizeof(msg) - o, " %s serial '%s';", e.spec + 4,
				      e.serial[0] ? e.serial : "?");
	}
	dsr_seterr("%s choose one with --usb SERIAL or --usb BUS:ADDR", msg);
}

/* Open the one device chosen, read its info, and wrap it as a struct dsr_board. */
static struct dsr_board *open_one(libusb_context *ctx, libusb_device *dev)
{
	struct usb_board *u = calloc(1, sizeof(*u));
	struct dsr_board *b = calloc(1, sizeof(*b));
	char node[32], what[64];
	int rc;

	if (!u || !b) {
		free(u);
		free(b);
		return dsr_seterr("out of memory"), NULL;
	}
	u->ctx = ctx;
	devnode(dev, node, sizeof(node));
	rc = libusb_open(dev, &u->handle);
	if (rc < 0) {
		snprintf(what, sizeof(what), "opening %s", node);
		usb_fail(what, rc);
		free(u);
		free(b);
		return NULL;
	}
	if (read_info(u, dev)) {
		libusb_close(u->handle);
		free(u);
		free(b);
		return NULL;
	}
	b->ops = &usb_ops;
	b->priv = u;
	return b;
}

/*
 * Open by @selector: "" the only board, "BUS:ADDR", or a serial number. Errors name the
 * case: no board, several (listed), none with that serial/address, permission denied.
 */
struct dsr_board *dsr_board_open_usb(const char *selector)
{
	libusb_context *ctx = new_context();
	libusb_device **devs, *match[MAX_LISTED];
	struct dsr_board *b = NULL;
	struct passed_over why = { 0, 0 };
	int n = 0, boards = 0;
	ssize_t count;

	if (!ctx)
		return NULL;
	count = libusb_get_device_list(ctx, &devs);
	if (count < 0) {
		usb_fail("listing USB devices", (int)count);
		libusb_exit(ctx);
		return NULL;
	}
	for (ssize_t i = 0; i < count; i++) {
		if (!is_board(devs[i]))
			continue;
		boards++;
		if (selected(devs[i], selector, &why) && n < MAX_LISTED)
			match[n++] = devs[i];
	}
	if (boards == 0)
		dsr_seterr("no DSR board on USB (no device %04x:%04x): is it plugged in and powered?",
			   DSR_USB_VID, DSR_USB_PID);
	else if (n == 0 && why.denied)
		dsr_seterr("no DSR board with serial '%s' among those readable; some could not be "
			   "opened: permission denied (install the udev rules, join the dsr group)",
			   selector);
	else if (n == 0 && why.silent)
		dsr_seterr("no DSR board with serial '%s' among those readable: %d of the %d on USB "
			   "did not answer the serial number request (a board that stopped answering "
			   "its control endpoint: replug or power-cycle it)",
			   selector, why.silent, boards);
	else if (n == 0)
		dsr_seterr("no DSR board at '%s' (%d on USB: see `dsr list`)", selector, boards);
	else if (n > 1)
		several(match, n);
	else
		b = open_one(ctx, match[0]);
	libusb_free_device_list(devs, 1);
	if (!b)
		libusb_exit(ctx);
	return b;
}
