/*
 * device.c - the board through the kernel driver: /dev/dsrN (driver/, dsr_ioctl.h).
 *
 * Control goes through the driver's ioctls (parameters, LUT, statistics; raw registers
 * only for CAP_SYS_ADMIN), frames to the board through write(), and frames from it
 * through the driver's ring mapped read-only: DSR_IOC_DQBUF hands out a slot, which
 * stays ours (and its pixels valid) until the next frame is asked for, when
 * DSR_IOC_QBUF gives it back. Zero copies on little-endian hosts.
 *
 * Integrity: DSR_FLAG_CRC_VALID from the driver means it checked the payload against
 * the board's CRC. A frame without it (the driver loaded with check_crc=0) is checked
 * here, so that every frame this transport hands out has had its CRC checked once.
 */
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "board_priv.h"
#include "dsr/dsr_ioctl.h"
#include "dsr/error.h"
#include "dsr/model.h"

struct device_board {
	struct dsr_board board;
	int fd;
	char path[64];
	struct dsr_ioc_info info;
	const uint8_t *ring;	/* the driver's ring, mapped on the first frame */
	size_t ring_len;
	int held;		/* slot dequeued for the caller, or -1 */
	uint16_t *swapped;	/* big-endian hosts: the pixels in host order */
};

static struct device_board *dev_of(struct dsr_board *b)
{
	return b->priv;
}

/* errno as the user should read it, for operation @what. Returns -1. */
static int dev_fail(struct device_board *d, const char *what)
{
	int e = errno;

	if (e == ENODEV)
		return dsr_seterr("%s: %s: the board was unplugged", d->path, what);
	if (e == EPERM)
		return dsr_seterr("%s: %s: raw register access through the kernel driver needs "
				  "CAP_SYS_ADMIN (run as root, or use --usb)", d->path, what);
	if (e == EBUSY)
		return dsr_seterr("%s: %s: another program is streaming from this board", d->path,
				  what);
	return dsr_seterr("%s: %s: %s", d->path, what, strerror(e));
}

/* One ioctl, retried when a signal interrupted it. */
static int dev_ioctl(struct device_board *d, unsigned long cmd, void *arg)
{
	int rc;

	do
		rc = ioctl(d->fd, cmd, arg);
	while (rc < 0 && errno == EINTR);
	return rc;
}

static int dev_about(struct dsr_board *b, struct dsr_board_about *about)
{
	struct device_board *d = dev_of(b);

	if (dev_ioctl(d, DSR_IOC_GET_INFO, &d->info))
		return dev_fail(d, "board info");
	snprintf(about->serial, sizeof(about->serial), "%.32s", d->info.serial);
	snprintf(about->transport, sizeof(about->transport), "%s", d->path);
	about->rtl_version = d->info.rtl_version;
	about->firmware_version = d->info.firmware_version;
	about->max_width = d->info.max_width;
	about->max_height = d->info.max_height;
	about->pixel_bits_max = d->info.pixel_bits_max;
	about->simulated = !!(d->info.board_flags & DSR_BOARD_INFO_SIMULATED);
	return 0;
}

/* The parameter registers and the generation, readable without privilege (GET_PARAMS). */
static int param_reg(uint32_t addr, const struct dsr_ioc_params *p, uint32_t *value)
{
	switch (addr) {
	case DSR_REG_MODE: *value = p->mode; return 1;
	case DSR_REG_WIDTH: *value = p->width; return 1;
	case DSR_REG_HEIGHT: *value = p->height; return 1;
	case DSR_REG_PIXEL_BITS: *value = p->pixel_bits; return 1;
	case DSR_REG_A11: *value = (uint32_t)p->a11; return 1;
	case DSR_REG_A12: *value = (uint32_t)p->a12; return 1;
	case DSR_REG_A21: *value = (uint32_t)p->a21; return 1;
	case DSR_REG_A22: *value = (uint32_t)p->a22; return 1;
	case DSR_REG_TX: *value = (uint32_t)p->tx; return 1;
	case DSR_REG_TY: *value = (uint32_t)p->ty; return 1;
	case DSR_REG_GAIN: *value = p->gain; return 1;
	case DSR_REG_MIDGREY: *value = p->midgrey; return 1;
	case DSR_REG_H31: *value = (uint32_t)p->h31; return 1;
	case DSR_REG_H32: *value = (uint32_t)p->h32; return 1;
	case DSR_REG_GENERATION: *value = p->generation; return 1;
	}
	return 0;
}

static int dev_reg_read(struct dsr_board *b, uint32_t addr, uint32_t *value)
{
	struct device_board *d = dev_of(b);
	struct dsr_ioc_params p;
	struct dsr_ioc_reg r = { .addr = addr };
	uint32_t dummy;

	if (param_reg(addr, &(struct dsr_ioc_params){ 0 }, &dummy)) {
		if (dev_ioctl(d, DSR_IOC_GET_PARAMS, &p))
			return dev_fail(d, "reading the parameters");
		param_reg(addr, &p, value);
		return 0;
	}
	if (dev_ioctl(d, DSR_IOC_REG_READ, &r))
		return dev_fail(d, "register read");
	*value = r.value;
	return 0;
}

static int dev_reg_write(struct dsr_board *b, uint32_t addr, uint32_t value)
{
	struct device_board *d = dev_of(b);
	struct dsr_ioc_reg r = { .addr = addr, .value = value };

	if (dev_ioctl(d, DSR_IOC_REG_WRITE, &r))
		return dev_fail(d, "register write");
	return 0;
}

static int dev_lut_write(struct dsr_board *b, uint32_t first, const uint16_t *entries,
			 uint32_t n)
{
	struct device_board *d = dev_of(b);
	struct dsr_ioc_lut l = { .first = first, .count = n,
				 .entries = (uint64_t)(uintptr_t)entries };

	if (dev_ioctl(d, DSR_IOC_LOAD_LUT, &l))
		return dev_fail(d, "LUT upload");
	return 0;
}

/* A whole set through the driver: LUT first (shadow), then the registers and commit. */
static int64_t dev_set_params(struct dsr_board *b, const struct dsr_params *p,
			      const uint16_t *lut, int wait)
{
	struct device_board *d = dev_of(b);
	struct dsr_ioc_params ip = {
		.mode = p->mode, .width = p->width, .height = p->height,
		.pixel_bits = p->pixel_bits, .a11 = p->a11, .a12 = p->a12, .a21 = p->a21,
		.a22 = p->a22, .tx = p->tx, .ty = p->ty, .gain = p->gain, .midgrey = p->midgrey,
		.h31 = p->h31, .h32 = p->h32,
		.flags = wait ? DSR_PARAMS_WAIT : 0,
	};

	if (lut && dev_lut_write(b, 0, lut, DSR_LUT_SIZE))
		return -1;
	if (dev_ioctl(d, DSR_IOC_SET_PARAMS, &ip)) {
		if (errno == ETIMEDOUT)
			return dsr_seterr("%s: parameters committed but not applied in time: the "
					  "board applies them at the next frame start and no frame "
					  "started", d->path);
		if (errno == EINVAL)
			return dsr_seterr("%s: the driver or the board refused the parameters "
					  "(a value out of range)", d->path);
		return dev_fail(d, "parameter upload");
	}
	return ip.generation;
}

static int dev_send_frame(struct dsr_board *b, const void *wire, size_t len)
{
	struct device_board *d = dev_of(b);
	ssize_t n;

	do
		n = write(d->fd, wire, len);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return dev_fail(d, "frame upload");
	if ((size_t)n != len)
		return dsr_seterr("%s: frame upload: %zd of %zu bytes written", d->path, n, len);
	return 0;
}

static int dev_stream_on(struct dsr_board *b)
{
	struct device_board *d = dev_of(b);

	if (dev_ioctl(d, DSR_IOC_STREAM_ON, NULL))
		return dev_fail(d, "stream on");
	return 0;
}

/* Give back the slot the caller had, if any. */
static int dev_release_held(struct device_board *d)
{
	struct dsr_ioc_buffer buf = { 0 };

	if (d->held < 0)
		return 0;
	buf.index = (uint32_t)d->held;
	d->held = -1;
	if (dev_ioctl(d, DSR_IOC_QBUF, &buf))
		return dev_fail(d, "returning a frame buffer");
	return 0;
}

static int dev_stream_off(struct dsr_board *b)
{
	struct device_board *d = dev_of(b);

	if (dev_release_held(d))
		return -1;
	if (dev_ioctl(d, DSR_IOC_STREAM_OFF, NULL))
		return dev_fail(d, "stream off");
	return 0;
}

/* Map the driver's ring once, with the geometry the driver reports. */
static int dev_map_ring(struct device_board *d)
{
	void *p;

	if (d->ring)
		return 0;
	if (dev_ioctl(d, DSR_IOC_GET_INFO, &d->info))
		return dev_fail(d, "ring geometry");
	if (d->info.ioctl_version != DSR_IOCTL_VERSION)
		return dsr_seterr("%s: driver speaks ioctl version %u, this libdsr %u", d->path,
				  d->info.ioctl_version, DSR_IOCTL_VERSION);
	p = mmap(NULL, d->info.ring_bytes, PROT_READ, MAP_SHARED, d->fd, 0);
	if (p == MAP_FAILED)
		return dev_fail(d, "mapping the frame ring");
	d->ring = p;
	d->ring_len = d->info.ring_bytes;
	return 0;
}

/* Wait up to @timeout_ms (< 0: forever) for a frame; 0 ready, -1 error or timeout. */
static int dev_wait_frame(struct device_board *d, int timeout_ms)
{
	struct pollfd pfd = { .fd = d->fd, .events = POLLIN };
	int rc;

	do
		rc = poll(&pfd, 1, timeout_ms);
	while (rc < 0 && errno == EINTR);
	if (rc < 0)
		return dev_fail(d, "waiting for a frame");
	if (rc == 0)
		return dsr_seterr("%s: no frame within %d ms", d->path, timeout_ms);
	if (pfd.revents & (POLLERR | POLLHUP)) {
		errno = (pfd.revents & POLLHUP) ? ENODEV : EIO;
		return dev_fail(d, "waiting for a frame");
	}
	return 0;
}

/* The pixels of a mapped slot in host order (a copy only on big-endian hosts). */
static const uint16_t *dev_pixels(struct device_board *d, const uint8_t *payload, size_t npix)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	uint16_t *p = realloc(d->swapped, npix * sizeof(*p));

	if (!p)
		return dsr_seterr("%s: out of memory for a frame", d->path), NULL;
	d->swapped = p;
	for (size_t i = 0; i < npix; i++)
		p[i] = (uint16_t)(payload[2 * i] | payload[2 * i + 1] << 8);
	return p;
#else
	(void)d;
	(void)npix;
	return (const uint16_t *)payload;
#endif
}

/* A frame the driver did not check (no DSR_FLAG_CRC_VALID): check its CRC here. */
static int dev_check_crc(struct device_board *d, const uint8_t *slot, struct dsr_frame_info *fi)
{
	uint32_t crc;

	if (fi->flags & DSR_FLAG_CRC_VALID)
		return 0;
	crc = dsr_crc32(0, slot + DSR_FRAME_HEADER_SIZE, fi->payload_length);
	if (crc != fi->payload_crc)
		return dsr_seterr("%s: frame %u: payload CRC %08x, the board sent %08x (the "
				  "driver did not check it: check_crc=0)", d->path, fi->sequence,
				  crc, fi->payload_crc);
	fi->flags |= DSR_FLAG_CRC_VALID;
	return 0;
}

/*
 * The next frame, zero-copy from the mapped ring. The driver validated the frame; the
 * header is parsed again here because the mapping is memory another component fills,
 * and a library never trusts it blindly.
 */
static int dev_next_frame(struct dsr_board *b, struct dsr_frame *f, int timeout_ms)
{
	struct device_board *d = dev_of(b);
	struct dsr_ioc_buffer buf = { 0 };
	const uint8_t *slot;
	const char *why;

	if (dev_release_held(d) || dev_map_ring(d))
		return -1;
	if (timeout_ms >= 0 && dev_wait_frame(d, timeout_ms))
		return -1;
	if (dev_ioctl(d, DSR_IOC_DQBUF, &buf))
		return dev_fail(d, "dequeueing a frame");
	d->held = (int)buf.index;
	if (buf.offset > d->ring_len || buf.bytes_used > d->ring_len - buf.offset ||
	    buf.bytes_used < DSR_FRAME_HEADER_SIZE)
		return dsr_seterr("%s: driver handed out slot %u outside its ring", d->path,
				  buf.index);
	slot = d->ring + buf.offset;
	if (dsr_header_parse(slot, buf.bytes_used, d->info.max_width, d->info.max_height,
			     &f->info, &why))
		return dsr_seterr("%s: frame in slot %u: %s", d->path, buf.index, why);
	if (DSR_FRAME_HEADER_SIZE + (size_t)f->info.payload_length != buf.bytes_used)
		return dsr_seterr("%s: frame in slot %u: %u bytes, header says %u", d->path,
				  buf.index, buf.bytes_used, f->info.payload_length);
	if (dev_check_crc(d, slot, &f->info))
		return -1;
	f->pixels = dev_pixels(d, slot + DSR_FRAME_HEADER_SIZE,
			       (size_t)f->info.width * f->info.height);
	return f->pixels ? 0 : -1;
}

/* The driver's counters in the transport-neutral form (usb.c's meanings). */
static int dev_stats(struct dsr_board *b, struct dsr_board_stats *st)
{
	struct device_board *d = dev_of(b);
	struct dsr_ioc_stats s;

	if (dev_ioctl(d, DSR_IOC_GET_STATS, &s))
		return dev_fail(d, "statistics");
	st->frames = s.frames_received;
	st->bytes = s.bytes_received;
	st->dropped = s.frames_dropped + s.sequence_gaps;
	st->malformed = s.frames_malformed + s.frames_bad;
	st->crc_errors = s.crc_errors;
	st->overruns = s.frames_dropped;
	return 0;
}

static void dev_close(struct dsr_board *b)
{
	struct device_board *d = dev_of(b);

	if (d->ring)
		munmap((void *)d->ring, d->ring_len);
	close(d->fd);
	free(d->swapped);
	free(d);
}

static const struct dsr_board_ops device_ops = {
	.name = "device",
	.about = dev_about,
	.reg_read = dev_reg_read,
	.reg_write = dev_reg_write,
	.set_params = dev_set_params,
	.lut_write = dev_lut_write,
	.send_frame = dev_send_frame,
	.stream_on = dev_stream_on,
	.stream_off = dev_stream_off,
	.next_frame = dev_next_frame,
	.stats = dev_stats,
	.close = dev_close,
};

struct dsr_board *dsr_board_open_device(const char *path)
{
	struct device_board *d;

	if (strlen(path) >= sizeof(d->path))
		return dsr_seterr("%s: path too long", path), NULL;
	d = calloc(1, sizeof(*d));
	if (!d)
		return dsr_seterr("%s: out of memory", path), NULL;
	snprintf(d->path, sizeof(d->path), "%s", path);
	d->held = -1;
	d->fd = open(path, O_RDWR | O_CLOEXEC);
	if (d->fd < 0) {
		int e = errno;

		free(d);
		if (e == EACCES)
			return dsr_seterr("%s: permission denied: install udev/60-dsr-device.rules "
					  "and join the 'dsr' group", path), NULL;
		if (e == ENOENT || e == ENODEV || e == ENXIO)
			return dsr_seterr("%s: no such board (is dsr.ko loaded and the board "
					  "plugged in?)", path), NULL;
		return dsr_seterr("%s: %s", path, strerror(e)), NULL;
	}
	if (dev_ioctl(d, DSR_IOC_GET_INFO, &d->info) || d->info.id != DSR_ID_VALUE) {
		int e = errno;

		close(d->fd);
		free(d);
		return dsr_seterr("%s: not a DSR board device (%s)", path,
				  e ? strerror(e) : "wrong id"), NULL;
	}
	d->board.ops = &device_ops;
	d->board.priv = d;
	return &d->board;
}

const char *dsr_board_find_device(char *buf, size_t len)
{
	glob_t g;
	const char *found = NULL;

	if (glob(DSR_DEVICE_PREFIX "[0-9]*", 0, NULL, &g) != 0)
		return NULL;
	if (g.gl_pathc > 0 && strlen(g.gl_pathv[0]) < len) {
		snprintf(buf, len, "%s", g.gl_pathv[0]);
		found = buf;
	}
	globfree(&g);
	return found;
}
