/*
 * dsr-compat32.c - the driver's ioctls from 32-bit userspace (built with gcc -m32
 * -static, run in the 64-bit guest: the kernel's compat path, compat_ptr_ioctl).
 *
 *   dsr-compat32 DEV WIDTH HEIGHT BITS
 *
 * Every ioctl of dsr_ioctl.h with the struct as a 32-bit program lays it out: GET_INFO,
 * SET_PARAMS / GET_PARAMS (values read back equal), LOAD_LUT (a 64-bit user pointer
 * made from a 32-bit one), REG_READ, GET_STATS, STREAM_ON, DQBUF / QBUF through a
 * 32-bit mapping of the ring, read(), STREAM_OFF; and the error paths (EFAULT, EINVAL).
 * Only the UAPI header is used: no libdsr, which is built 64-bit. Prints PASS/FAIL
 * lines; exit 0 when every check held.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "dsr/dsr_ioctl.h"
#include "guest_check.h"

/* CRC-32 (IEEE), bitwise: this program links nothing but libc. */
static uint32_t crc32_ieee(const uint8_t *p, size_t n)
{
	uint32_t c = 0xffffffffu;

	while (n--) {
		c ^= *p++;
		for (int k = 0; k < 8; k++)
			c = c & 1 ? (c >> 1) ^ 0xedb88320u : c >> 1;
	}
	return ~c;
}

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Check one frame as the driver hands it out: magic, size, CRC. */
static int frame_ok(const uint8_t *f, size_t len, uint32_t w, uint32_t h)
{
	uint32_t plen = le32(f + DSR_HDR_OFF_PAYLOAD_LENGTH);

	return len == DSR_FRAME_HEADER_SIZE + (size_t)w * h * 2 && plen == w * h * 2 &&
	       le32(f + DSR_HDR_OFF_MAGIC) == DSR_FRAME_MAGIC &&
	       (le32(f + DSR_HDR_OFF_FLAGS) & DSR_FLAG_CRC_VALID) &&
	       crc32_ieee(f + DSR_FRAME_HEADER_SIZE, plen) == le32(f + DSR_HDR_OFF_PAYLOAD_CRC);
}

static void control_ioctls(int fd, const struct dsr_ioc_info *info, uint32_t w, uint32_t h,
			   uint32_t bits)
{
	struct dsr_ioc_params p = { .mode = DSR_MODE_PASS, .width = w, .height = h,
				    .pixel_bits = bits, .a11 = 1 << 24, .a22 = 1 << 24,
				    .gain = 1 << 8, .midgrey = 1u << (bits - 1) };
	struct dsr_ioc_params g = { 0 };
	struct dsr_ioc_reg reg = { .addr = DSR_REG_ID };
	struct dsr_ioc_stats st;
	static uint16_t lut[DSR_LUT_CHUNK];
	struct dsr_ioc_lut l = { .first = 0, .count = DSR_LUT_CHUNK,
				 .entries = (uint64_t)(uintptr_t)lut };
	int rc;

	for (uint32_t i = 0; i < DSR_LUT_CHUNK; i++)
		lut[i] = (uint16_t)i;
	check(info->ioctl_version == DSR_IOCTL_VERSION && info->id == DSR_ID_VALUE &&
	      info->ring_bytes == (uint64_t)info->ring_frames * info->slot_stride &&
	      info->serial[0], "GET_INFO: version %u, ring %u x %u, serial %s",
	      info->ioctl_version, info->ring_frames, info->slot_stride, info->serial);
	rc = ioctl(fd, DSR_IOC_LOAD_LUT, &l);
	check(rc == 0, "LOAD_LUT with a 32-bit pointer widened to __u64 (%s)",
	      rc ? strerror(errno) : "ok");
	l.entries = 16;
	rc = ioctl(fd, DSR_IOC_LOAD_LUT, &l);
	check(rc < 0 && errno == EFAULT, "LOAD_LUT from a wild pointer -> EFAULT (got %s)",
	      rc ? strerror(errno) : "success");
	rc = ioctl(fd, DSR_IOC_SET_PARAMS, &p);
	check(rc == 0 && p.generation > 0, "SET_PARAMS PASS %ux%u: generation %u (%s)",
	      w, h, p.generation, rc ? strerror(errno) : "ok");
	rc = ioctl(fd, DSR_IOC_GET_PARAMS, &g);
	check(rc == 0 && g.width == w && g.height == h && g.pixel_bits == bits &&
	      g.mode == DSR_MODE_PASS && g.a11 == p.a11 && g.generation + 1 == p.generation,
	      "GET_PARAMS reads the same set back (%ux%u; active generation %u, the set's "
	      "%u applies at the next frame)", g.width, g.height, g.generation, p.generation);
	p.reserved[1] = 1;
	rc = ioctl(fd, DSR_IOC_SET_PARAMS, &p);
	check(rc < 0 && errno == EINVAL, "SET_PARAMS with a reserved word set -> EINVAL (got %s)",
	      rc ? strerror(errno) : "success");
	rc = ioctl(fd, DSR_IOC_REG_READ, &reg);
	check(rc == 0 && reg.value == DSR_ID_VALUE, "REG_READ DSR_REG_ID: 0x%08x", reg.value);
	rc = ioctl(fd, DSR_IOC_GET_STATS, &st);
	check(rc == 0 && st.reserved[0] == 0, "GET_STATS (frames_sent %llu)",
	      (unsigned long long)st.frames_sent);
	rc = ioctl(fd, DSR_IOC_GET_STATS, (void *)8);
	check(rc < 0 && errno == EFAULT, "GET_STATS into a wild pointer -> EFAULT (got %s)",
	      rc ? strerror(errno) : "success");
}

static void streaming(int fd, const struct dsr_ioc_info *info, uint32_t w, uint32_t h)
{
	struct dsr_ioc_buffer b = { 0 };
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	uint8_t *buf = malloc(info->frame_bytes_max);
	const uint8_t *ring;
	ssize_t n;
	int rc;

	ring = mmap(NULL, (size_t)info->ring_bytes, PROT_READ, MAP_SHARED, fd, 0);
	check(ring != MAP_FAILED, "32-bit mmap of the %llu-byte ring",
	      (unsigned long long)info->ring_bytes);
	if (ring == MAP_FAILED)
		return;
	rc = ioctl(fd, DSR_IOC_STREAM_ON);
	check(rc == 0, "STREAM_ON (%s)", rc ? strerror(errno) : "ok");
	rc = poll(&pfd, 1, 10000) == 1 ? ioctl(fd, DSR_IOC_DQBUF, &b) : -1;
	check(rc == 0 && b.offset == (uint64_t)b.index * info->slot_stride &&
	      frame_ok(ring + b.offset, b.bytes_used, w, h) &&
	      b.sequence == le32(ring + b.offset + DSR_HDR_OFF_SEQUENCE),
	      "DQBUF: slot %u at %llu, %u bytes, sequence %u, frame valid", b.index,
	      (unsigned long long)b.offset, b.bytes_used, b.sequence);
	rc = ioctl(fd, DSR_IOC_QBUF, &b);
	check(rc == 0, "QBUF slot %u (%s)", b.index, rc ? strerror(errno) : "ok");
	n = read(fd, buf, info->frame_bytes_max);
	check(n > 0 && frame_ok(buf, (size_t)n, w, h), "read(): %zd bytes, frame valid", n);
	rc = ioctl(fd, DSR_IOC_STREAM_OFF);
	check(rc == 0, "STREAM_OFF (%s)", rc ? strerror(errno) : "ok");
	munmap((void *)ring, (size_t)info->ring_bytes);
	free(buf);
}

int main(int argc, char **argv)
{
	struct dsr_ioc_info info;
	int fd;

	if (argc != 5) {
		fprintf(stderr, "usage: dsr-compat32 DEV WIDTH HEIGHT BITS\n");
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	fd = open(argv[1], O_RDWR | O_CLOEXEC);
	if (fd < 0 || ioctl(fd, DSR_IOC_GET_INFO, &info)) {
		fprintf(stderr, "dsr-compat32: %s: %s\n", argv[1], strerror(errno));
		return 2;
	}
	printf("pointer size %zu, struct dsr_ioc_info %zu bytes\n", sizeof(void *), sizeof(info));
	control_ioctls(fd, &info, (uint32_t)atoi(argv[2]), (uint32_t)atoi(argv[3]),
		       (uint32_t)atoi(argv[4]));
	streaming(fd, &info, (uint32_t)atoi(argv[2]), (uint32_t)atoi(argv[3]));
	close(fd);
	return verdict();
}
