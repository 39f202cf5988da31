/*
 * board.c - the public board calls, and what both transports share: choosing a
 * transport from the user's spec, a parameter set as shadow-register writes plus a
 * LUT and a commit, waiting for the commit to apply, wire frames for the board
 * (reference and live) and the validation of frames received from it.
 *
 * The transports (usb.c for libusb, device.c for /dev/dsrN) fill in the ops table of
 * board_priv.h; anything a transport leaves NULL that can be built from register access
 * is done here.
 */
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "board_priv.h"
#include "dsr/dsr_ioctl.h"
#include "dsr/error.h"

/* How long dsr_board_set_params(..., wait) waits for the board to apply a commit. The
 * board applies it at the next frame start, so with no frames flowing it never does. */
#define COMMIT_WAIT_MS	2000

/* A /dev/dsrN path through the device transport (device.c). */
static struct dsr_board *open_device(const char *path)
{
	return dsr_board_open_device(path);
}

/*
 * Open a board from the user's spec (see board.h): "/dev/..." is the kernel device,
 * "usb", "usb:SERIAL" and "usb:BUS:ADDR" the libusb transport, NULL or "" the kernel
 * device if one exists (the driver owns the streaming interface then) else USB.
 */
struct dsr_board *dsr_board_open(const char *spec)
{
	char path[64];

	if (!spec || !*spec) {
		if (dsr_board_find_device(path, sizeof(path)))
			return open_device(path);
		return dsr_board_open_usb("");
	}
	if (!strncmp(spec, "/dev/", 5))
		return open_device(spec);
	if (!strcmp(spec, "usb"))
		return dsr_board_open_usb("");
	if (!strncmp(spec, "usb:", 4))
		return dsr_board_open_usb(spec + 4);
	return dsr_seterr("board '%s': expected /dev/dsrN, usb, usb:SERIAL or usb:BUS:ADDR", spec),
	       NULL;
}

void dsr_board_close(struct dsr_board *b)
{
	if (b)
		b->ops->close(b);
}

int dsr_board_about(struct dsr_board *b, struct dsr_board_about *about)
{
	memset(about, 0, sizeof(*about));
	return b->ops->about(b, about);
}

int dsr_board_reg_read(struct dsr_board *b, uint32_t addr, uint32_t *value)
{
	if (addr >= DSR_REG_SPAN || addr % 4)
		return dsr_seterr("register 0x%x: not a register (0..0x%x, multiple of 4)", addr,
				  DSR_REG_SPAN - 4);
	return b->ops->reg_read(b, addr, value);
}

int dsr_board_reg_write(struct dsr_board *b, uint32_t addr, uint32_t value)
{
	if (addr >= DSR_REG_SPAN || addr % 4)
		return dsr_seterr("register 0x%x: not a register (0..0x%x, multiple of 4)", addr,
				  DSR_REG_SPAN - 4);
	return b->ops->reg_write(b, addr, value);
}

/* Milliseconds on a clock that does not jump. */
static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The shadow registers in the order they are written, with the struct field each holds. */
static void params_to_regs(const struct dsr_params *p, uint32_t regs[12])
{
	regs[0] = p->mode;
	regs[1] = p->width;
	regs[2] = p->height;
	regs[3] = p->pixel_bits;
	regs[4] = (uint32_t)p->a11;
	regs[5] = (uint32_t)p->a12;
	regs[6] = (uint32_t)p->a21;
	regs[7] = (uint32_t)p->a22;
	regs[8] = (uint32_t)p->tx;
	regs[9] = (uint32_t)p->ty;
	regs[10] = p->gain;
	regs[11] = p->midgrey;
}

static const uint32_t param_reg_addr[12] = {
	DSR_REG_MODE, DSR_REG_WIDTH, DSR_REG_HEIGHT, DSR_REG_PIXEL_BITS,
	DSR_REG_A11, DSR_REG_A12, DSR_REG_A21, DSR_REG_A22,
	DSR_REG_TX, DSR_REG_TY, DSR_REG_GAIN, DSR_REG_MIDGREY,
};

/*
 * Wait until the board has applied the commit that will carry generation @gen: STATUS
 * COMMIT_PENDING clear and GENERATION at @gen. A refused commit (PARAM_ERRORS moved)
 * is an error naming the cause; so is a board that never starts a frame.
 */
static int wait_commit(struct dsr_board *b, uint32_t gen, uint32_t param_errors_before)
{
	int64_t deadline = now_ms() + COMMIT_WAIT_MS;
	uint32_t status, active, perr;

	for (;;) {
		if (b->ops->reg_read(b, DSR_REG_STATUS, &status) ||
		    b->ops->reg_read(b, DSR_REG_GENERATION, &active) ||
		    b->ops->reg_read(b, DSR_REG_PARAM_ERRORS, &perr))
			return -1;
		if (perr != param_errors_before)
			return dsr_seterr("the board refused the parameters (PARAM_ERRORS %u -> %u): "
					  "a value is out of its range", param_errors_before, perr);
		if (!(status & DSR_STATUS_COMMIT_PENDING) && active == gen)
			return 0;
		if (now_ms() > deadline)
			return dsr_seterr("parameters committed but not applied within %d ms (generation "
					  "%u active, %u pending): the board applies them at the next frame "
					  "start and no frame started", COMMIT_WAIT_MS, active, gen);
		struct timespec ts = { 0, 2 * 1000 * 1000 };
		nanosleep(&ts, NULL);
	}
}

/* The LUT in DSR_LUT_CHUNK pieces through the transport's lut_write. */
static int write_lut(struct dsr_board *b, const uint16_t *lut)
{
	for (uint32_t first = 0; first < DSR_LUT_SIZE; first += DSR_LUT_CHUNK)
		if (b->ops->lut_write(b, first, lut + first, DSR_LUT_CHUNK))
			return -1;
	return 0;
}

/*
 * A whole parameter set: checked against the board's frame store first (so the user
 * hears which field is wrong rather than "refused"), written to the shadow registers,
 * LUT, commit, and optionally wait. Returns the generation the commit carries.
 */
int64_t dsr_board_set_params(struct dsr_board *b, const struct dsr_params *p,
			     const uint16_t *lut, int wait)
{
	struct dsr_board_about about;
	uint32_t regs[12], gen, perr;
	const char *why;

	if (dsr_board_about(b, &about))
		return -1;
	if (dsr_params_check(p, about.max_width, about.max_height, &why))
		return dsr_seterr("parameters not valid for this board (%ux%u store): %s",
				  about.max_width, about.max_height, why);
	if (p->pixel_bits > about.pixel_bits_max)
		return dsr_seterr("pixel_bits %u: this board handles at most %u", p->pixel_bits,
				  about.pixel_bits_max);
	if (dsr_params_projective(p) && about.rtl_version < DSR_RTL_VERSION_PROJECTIVE)
		return dsr_seterr("a projective transform (h31, h32) needs RTL %u.%u or later; "
				  "this board has %u.%u: register with --model affine",
				  DSR_RTL_VERSION_PROJECTIVE >> 16, DSR_RTL_VERSION_PROJECTIVE & 0xffff,
				  about.rtl_version >> 16, about.rtl_version & 0xffff);
	if (b->ops->set_params)
		return b->ops->set_params(b, p, lut, wait);
	if (b->ops->reg_read(b, DSR_REG_GENERATION, &gen) ||
	    b->ops->reg_read(b, DSR_REG_PARAM_ERRORS, &perr))
		return -1;
	params_to_regs(p, regs);
	for (int i = 0; i < 12; i++)
		if (b->ops->reg_write(b, param_reg_addr[i], regs[i]))
			return -1;
	/* the perspective registers exist from RTL 1.1; an older board has none to clear */
	if (about.rtl_version >= DSR_RTL_VERSION_PROJECTIVE &&
	    (b->ops->reg_write(b, DSR_REG_H31, (uint32_t)p->h31) ||
	     b->ops->reg_write(b, DSR_REG_H32, (uint32_t)p->h32)))
		return -1;
	if (lut && write_lut(b, lut))
		return -1;
	if (b->ops->reg_write(b, DSR_REG_CTRL, DSR_CTRL_COMMIT))
		return -1;
	gen += 1;
	if (wait && wait_commit(b, gen, perr))
		return -1;
	return gen;
}

/* The shadow registers read back into a parameter set. */
int dsr_board_get_params(struct dsr_board *b, struct dsr_params *p)
{
	struct dsr_board_about about;
	uint32_t regs[12], h[2];

	for (int i = 0; i < 12; i++)
		if (b->ops->reg_read(b, param_reg_addr[i], &regs[i]))
			return -1;
	p->mode = regs[0];
	p->width = regs[1];
	p->height = regs[2];
	p->pixel_bits = regs[3];
	p->a11 = (int32_t)regs[4];
	p->a12 = (int32_t)regs[5];
	p->a21 = (int32_t)regs[6];
	p->a22 = (int32_t)regs[7];
	p->tx = (int32_t)regs[8];
	p->ty = (int32_t)regs[9];
	p->gain = regs[10];
	p->midgrey = regs[11];
	p->h31 = 0;
	p->h32 = 0;
	if (dsr_board_about(b, &about))
		return -1;
	if (about.rtl_version >= DSR_RTL_VERSION_PROJECTIVE &&
	    (b->ops->reg_read(b, DSR_REG_H31, &h[0]) || b->ops->reg_read(b, DSR_REG_H32, &h[1])))
		return -1;
	if (about.rtl_version >= DSR_RTL_VERSION_PROJECTIVE) {
		p->h31 = (int32_t)h[0];
		p->h32 = (int32_t)h[1];
	}
	return 0;
}

/* A wire frame for the board: header with the payload CRC, payload, trailer. */
uint8_t *dsr_board_wire_frame(const struct dsr_image *im, uint32_t pixel_bits,
			      uint32_t flags, size_t *len)
{
	struct dsr_frame_info fi = { 0 };
	size_t npix, payload;
	uint8_t *wire, *p;

	if (!im || im->width < 1 || im->height < 1 || im->width > DSR_WIDTH_MAX ||
	    im->height > DSR_HEIGHT_MAX)
		return dsr_seterr("frame for the board: size outside 1..%ux%u", DSR_WIDTH_MAX,
				  DSR_HEIGHT_MAX), NULL;
	npix = (size_t)im->width * im->height;
	payload = npix * 2;
	wire = malloc(DSR_FRAME_HEADER_SIZE + payload + DSR_FRAME_TRAILER_SIZE);
	if (!wire)
		return dsr_seterr("frame for the board: out of memory (%zu bytes)", payload), NULL;
	p = wire + DSR_FRAME_HEADER_SIZE;
	for (size_t i = 0; i < npix; i++) {
		p[2 * i] = (uint8_t)im->pixels[i];
		p[2 * i + 1] = (uint8_t)(im->pixels[i] >> 8);
	}
	fi.width = im->width;
	fi.height = im->height;
	fi.format = DSR_FORMAT_MONO16;
	fi.pixel_bits = pixel_bits;
	fi.flags = flags | DSR_FLAG_CRC_VALID;
	fi.payload_length = (uint32_t)payload;
	fi.payload_crc = dsr_crc32(0, p, payload);
	dsr_header_pack(&fi, wire);
	dsr_trailer_pack(fi.payload_crc, 0, p + payload);
	*len = DSR_FRAME_HEADER_SIZE + payload + DSR_FRAME_TRAILER_SIZE;
	return wire;
}

/*
 * The pixel depth to announce for an image sent to the board: the depth the board is
 * set to (it masks input pixels to it anyway), or, when its register holds no valid
 * depth yet, the image's own raised to the smallest the board takes.
 */
static uint32_t wire_bits(struct dsr_board *b, const struct dsr_image *im)
{
	uint32_t bits;

	if (b->ops->reg_read(b, DSR_REG_PIXEL_BITS, &bits) == 0 && bits >= DSR_PIXEL_BITS_MIN &&
	    bits <= DSR_PIXEL_BITS_MAX)
		return bits;
	return im->bits < DSR_PIXEL_BITS_MIN ? DSR_PIXEL_BITS_MIN : im->bits;
}

/* An image into the board over bulk OUT, with @flags in its header. */
static int send_image(struct dsr_board *b, const struct dsr_image *im, uint32_t flags)
{
	struct dsr_board_about about;
	uint8_t *wire;
	size_t len;
	int rc;

	if (dsr_board_about(b, &about))
		return -1;
	if (im->width > about.max_width || im->height > about.max_height)
		return dsr_seterr("frame %ux%u: larger than the board's frame store (%ux%u)",
				  im->width, im->height, about.max_width, about.max_height);
	wire = dsr_board_wire_frame(im, wire_bits(b, im), flags, &len);
	if (!wire)
		return -1;
	rc = b->ops->send_frame(b, wire, len);
	free(wire);
	return rc;
}

int dsr_board_upload_reference(struct dsr_board *b, const struct dsr_image *ref)
{
	return send_image(b, ref, DSR_FLAG_REFERENCE);
}

int dsr_board_send_live(struct dsr_board *b, const struct dsr_image *live)
{
	return send_image(b, live, 0);
}

int dsr_board_stream_on(struct dsr_board *b)
{
	return b->ops->stream_on(b);
}

int dsr_board_stream_off(struct dsr_board *b)
{
	return b->ops->stream_off(b);
}

int dsr_board_next_frame(struct dsr_board *b, struct dsr_frame *f, int timeout_ms)
{
	return b->ops->next_frame(b, f, timeout_ms);
}

int dsr_board_stats(struct dsr_board *b, struct dsr_board_stats *st)
{
	memset(st, 0, sizeof(*st));
	return b->ops->stats(b, st);
}

/*
 * A received wire frame, all of it untrusted: the header parsed by the model's parser
 * (limits: the board's store), the length exactly header + payload + trailer, the
 * trailer's magic, and the payload's CRC. On success the trailer's CRC moves into the
 * header with DSR_FLAG_CRC_VALID and the trailer's flags are ORed in.
 */
int dsr_board_check_frame(const uint8_t *wire, size_t len, uint32_t max_w, uint32_t max_h,
			  struct dsr_frame_info *fi, int *crc_error)
{
	uint32_t crc, tflags, got;
	size_t want;
	const char *why;

	*crc_error = 0;
	if (dsr_header_parse(wire, len, max_w, max_h, fi, &why))
		return -1;
	want = DSR_FRAME_HEADER_SIZE + (size_t)fi->payload_length + DSR_FRAME_TRAILER_SIZE;
	if (len != want)
		return dsr_seterr("frame %u: %zu bytes on the wire, header says %zu (%ux%u)",
				  fi->sequence, len, want, fi->width, fi->height);
	if (dsr_trailer_parse(wire + want - DSR_FRAME_TRAILER_SIZE, DSR_FRAME_TRAILER_SIZE, &crc,
			      &tflags, &why))
		return dsr_seterr("frame %u: trailer %s", fi->sequence, why);
	got = dsr_crc32(0, wire + DSR_FRAME_HEADER_SIZE, fi->payload_length);
	if (got != crc) {
		*crc_error = 1;
		return dsr_seterr("frame %u: payload CRC 0x%08x, trailer says 0x%08x", fi->sequence,
				  got, crc);
	}
	fi->payload_crc = crc;
	fi->flags |= tflags | DSR_FLAG_CRC_VALID;
	return 0;
}

/* Every board: /dev/dsrN nodes (not opened: listing needs no access), then USB. */
int dsr_board_list(struct dsr_board_entry *list, int max)
{
	glob_t g;
	int n = 0, usb;

	if (glob(DSR_DEVICE_PREFIX "[0-9]*", 0, NULL, &g) == 0) {
		for (size_t i = 0; i < g.gl_pathc; i++, n++) {
			if (n >= max)
				continue;
			memset(&list[n], 0, sizeof(list[n]));
			snprintf(list[n].spec, sizeof(list[n].spec), "%s", g.gl_pathv[i]);
			snprintf(list[n].transport, sizeof(list[n].transport), "%s (kernel driver)",
				 g.gl_pathv[i]);
		}
		globfree(&g);
	}
	usb = dsr_board_list_usb(n < max ? list + n : NULL, n < max ? max - n : 0);
	if (usb < 0)
		return -1;
	return n + usb;
}
