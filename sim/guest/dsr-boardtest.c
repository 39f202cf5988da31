/*
 * dsr-boardtest.c - guest-side tests of dsr.ko against simulated boards it plugs in
 * itself (dsr-sim --vhci: on the host in host mode, see sim/remote/).
 *
 *   dsr-boardtest frames  [opts]   frames written with write() in pass-through and read
 *                                  back through read() or the mapped ring, compared bit
 *                                  for bit: full-size radiographs, multi-URB frames and
 *                                  a frame that ends exactly on an URB boundary
 *   dsr-boardtest hostile [opts]   boards in hostile mode (dsr-sim --hostile) streaming
 *                                  mutated frames; frames the driver delivers as valid
 *                                  must be valid; until --target mutated frames
 *   dsr-boardtest enum [opts]      boards with mutated descriptors and control replies,
 *                                  plugged and unplugged until --count mutated
 *                                  enumerations
 *
 * Prints PASS/FAIL lines and one result line per command (FRAMES, HOSTILE, ENUM);
 * exit status 0 only if every check held and something was checked.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "dsr/dsr.h"
#include "dsr/dsr_ioctl.h"
#include "guest_check.h"

static void sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* ------------------------------------------------------------------ boards */

struct board {
	pid_t pid;
	char serial[32];
	char log[128];
	char dev[64];			/* /dev/dsrN once bound */
};

/* Start dsr-sim --vhci --serial SERIAL ARGS... with its output in /tmp/<serial>.log. */
static int board_start(struct board *b, const char *serial, char *const extra[])
{
	char *argv[32];
	int n = 0;

	memset(b, 0, sizeof(*b));
	snprintf(b->serial, sizeof(b->serial), "%s", serial);
	snprintf(b->log, sizeof(b->log), "/tmp/%s.log", serial);
	argv[n++] = "dsr-sim";
	argv[n++] = "--vhci";
	argv[n++] = "--serial";
	argv[n++] = b->serial;
	for (int i = 0; extra && extra[i] && n < 30; i++)
		argv[n++] = extra[i];
	argv[n] = NULL;
	b->pid = fork();
	if (b->pid < 0)
		return -1;
	if (b->pid == 0) {
		int fd = open(b->log, O_WRONLY | O_CREAT | O_TRUNC, 0644);

		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
		}
		execvp("dsr-sim", argv);
		_exit(127);
	}
	return 0;
}

/* /dev/dsrN whose sysfs serial is @serial, into @dev; 0 if found. */
static int dev_by_serial(const char *serial, char *dev, size_t len)
{
	DIR *d = opendir("/sys/class/dsr");
	struct dirent *e;
	int found = -1;

	if (!d)
		return -1;
	while (found && (e = readdir(d))) {
		char path[300], s[64] = "";
		FILE *f;

		if (e->d_name[0] == '.')
			continue;
		if (strlen(e->d_name) > 32)
			continue;
		snprintf(path, sizeof(path), "/sys/class/dsr/%.32s/serial", e->d_name);
		f = fopen(path, "r");
		if (!f)
			continue;
		if (fgets(s, sizeof(s), f) && !strncmp(s, serial, strlen(serial)) &&
		    (s[strlen(serial)] == '\n' || !s[strlen(serial)])) {
			snprintf(dev, len, "/dev/%.32s", e->d_name);
			found = access(dev, R_OK) ? -1 : 0;
		}
		fclose(f);
	}
	closedir(d);
	return found;
}

/* Wait ≤ @ms for the driver to bind the board; 0 with b->dev set. */
static int board_wait_dev(struct board *b, int ms)
{
	for (int t = 0; t < ms; t += 20) {
		if (!dev_by_serial(b->serial, b->dev, sizeof(b->dev)))
			return 0;
		if (waitpid(b->pid, NULL, WNOHANG) == b->pid) {
			b->pid = 0;
			return -1;
		}
		sleep_ms(20);
	}
	return -1;
}

/* Unplug: SIGTERM, wait ≤ 10 s (then SIGKILL); the simulator's exit status. */
static int board_stop(struct board *b)
{
	int st = 0;

	if (b->pid <= 0)
		return 0;
	kill(b->pid, SIGTERM);
	for (int t = 0; t < 10000; t += 10) {
		if (waitpid(b->pid, &st, WNOHANG) == b->pid) {
			b->pid = 0;
			return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
		}
		sleep_ms(10);
	}
	kill(b->pid, SIGKILL);
	waitpid(b->pid, &st, 0);
	b->pid = 0;
	return 137;
}

/* The numbers of the simulator's "hostile: frames=.. mutated=.. ..." summary line. */
struct hostile_counts {
	unsigned long long frames, mutated, control, control_mutated, enums, enums_mutated;
	int found;
};

static void hostile_counts(const struct board *b, struct hostile_counts *h)
{
	char line[2048];
	FILE *f = fopen(b->log, "r");

	memset(h, 0, sizeof(*h));
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		const char *p = strstr(line, "hostile: frames=");

		if (p && sscanf(p, "hostile: frames=%llu mutated=%llu control=%llu mutated=%llu "
				"enumerations=%llu mutated=%llu", &h->frames, &h->mutated,
				&h->control, &h->control_mutated, &h->enums,
				&h->enums_mutated) == 6)
			h->found = 1;
	}
	fclose(f);
}

/* ------------------------------------------------------------------ frames */

/* A 16-bit test pattern that differs at every pixel position and seed (a hash). */
static void pattern(uint16_t *px, size_t n, uint32_t bits, uint64_t seed)
{
	uint16_t mask = (uint16_t)((1u << bits) - 1);

	for (size_t i = 0; i < n; i++) {
		uint64_t z = (seed << 32) + i;

		z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
		z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
		px[i] = (uint16_t)(z ^ (z >> 31)) & mask;
	}
}

/* @px as a frame to the board: header with CRC, payload, trailer. */
static uint8_t *wire_frame(const uint16_t *px, uint32_t w, uint32_t h, uint32_t bits,
			   size_t *len)
{
	size_t npix = (size_t)w * h;
	uint8_t *f = malloc(DSR_FRAME_HEADER_SIZE + npix * 2 + DSR_FRAME_TRAILER_SIZE);
	uint8_t *payload = f + DSR_FRAME_HEADER_SIZE;
	struct dsr_frame_info fi = { 0 };

	if (!f)
		return NULL;
	for (size_t i = 0; i < npix; i++) {
		payload[2 * i] = (uint8_t)px[i];
		payload[2 * i + 1] = (uint8_t)(px[i] >> 8);
	}
	fi.width = w;
	fi.height = h;
	fi.format = DSR_FORMAT_MONO16;
	fi.pixel_bits = bits;
	fi.flags = DSR_FLAG_CRC_VALID;
	fi.payload_length = (uint32_t)(npix * 2);
	fi.payload_crc = dsr_crc32(0, payload, npix * 2);
	dsr_header_pack(&fi, f);
	dsr_trailer_pack(fi.payload_crc, 0, payload + npix * 2);
	*len = DSR_FRAME_HEADER_SIZE + npix * 2 + DSR_FRAME_TRAILER_SIZE;
	return f;
}

/* Pass-through at W x H: the board's output is its input. @report: a failure is a check. */
static int set_pass(int fd, uint32_t w, uint32_t h, uint32_t bits, int report)
{
	struct dsr_params p;
	struct dsr_ioc_params ip;

	dsr_params_default(&p, w, h, bits);
	memset(&ip, 0, sizeof(ip));
	ip.mode = DSR_MODE_PASS;
	ip.width = w;
	ip.height = h;
	ip.pixel_bits = bits;
	ip.a11 = p.a11;
	ip.a22 = p.a22;
	ip.gain = p.gain;
	ip.midgrey = p.midgrey;
	/* no DSR_PARAMS_WAIT: nothing streams yet; the commit applies at the next frame */
	if (ioctl(fd, DSR_IOC_SET_PARAMS, &ip)) {
		if (report)
			check(0, "SET_PARAMS pass-through %ux%u/%u: %s", w, h, bits, strerror(errno));
		return -1;
	}
	return 0;
}

/* The next frame by read() into @buf or DQBUF from @ring (held slot in *@held). */
static const uint8_t *next_frame(int fd, const uint8_t *ring, uint8_t *buf, size_t cap,
				 int *held, size_t *len, int timeout_ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	struct dsr_ioc_buffer b;
	ssize_t n;
	int rc;

	if (*held >= 0) {
		memset(&b, 0, sizeof(b));
		b.index = (uint32_t)*held;
		*held = -1;
		if (ioctl(fd, DSR_IOC_QBUF, &b))
			return NULL;
	}
	rc = poll(&p, 1, timeout_ms);
	if (rc <= 0) {
		errno = rc ? errno : ETIMEDOUT;
		return NULL;
	}
	if (!ring) {
		n = read(fd, buf, cap);
		if (n < 0)
			return NULL;
		*len = (size_t)n;
		return buf;
	}
	memset(&b, 0, sizeof(b));
	if (ioctl(fd, DSR_IOC_DQBUF, &b))
		return NULL;
	*held = (int)b.index;
	*len = b.bytes_used;
	return ring + b.offset;
}

/* Pixels of a delivered frame equal to @px; counts differing pixels. */
static size_t compare(const uint8_t *payload, const uint16_t *px, size_t npix)
{
	size_t bad = 0;

	for (size_t i = 0; i < npix; i++)
		bad += (uint16_t)(payload[2 * i] | payload[2 * i + 1] << 8) != px[i];
	return bad;
}

struct frames_opts {
	uint32_t w, h, bits;
	int n, use_mmap, urb_edge;
	const char *serial;
	int timeout_ms;
};

/* A size W x H (≤ max) whose wire frame ends exactly on an URB boundary. */
static int urb_edge_size(uint32_t urb, uint32_t maxw, uint32_t maxh, uint32_t *w, uint32_t *h)
{
	const uint32_t over = DSR_FRAME_HEADER_SIZE + DSR_FRAME_TRAILER_SIZE;

	for (uint32_t k = 2; k < 64; k++) {
		uint64_t pix = ((uint64_t)k * urb - over);

		if (pix % 2)
			continue;
		pix /= 2;
		for (uint32_t ww = maxw; ww >= 16; ww--)
			if (pix % ww == 0 && pix / ww <= maxh && pix / ww >= 16) {
				*w = ww;
				*h = (uint32_t)(pix / ww);
				return 0;
			}
	}
	return -1;
}

/* The bulk IN transfer size when GET_INFO does not say (not streaming): the module's
 * urb_kb parameter, else the driver's default of 64 KiB. */
static uint32_t urb_bytes_param(void)
{
	FILE *f = fopen("/sys/module/dsr/parameters/urb_kb", "r");
	unsigned kb = 64;

	if (f) {
		if (fscanf(f, "%u", &kb) != 1 || !kb)
			kb = 64;
		fclose(f);
	}
	return kb * 1024u;
}

static int run_frames(const struct frames_opts *o)
{
	struct board b;
	struct dsr_ioc_info info;
	uint32_t w = o->w, h = o->h;
	int fd, held = -1, ok = 0;
	uint8_t *buf = NULL;
	const uint8_t *ring = NULL;
	double t0, bytes = 0;

	if (board_start(&b, o->serial, NULL) || board_wait_dev(&b, 15000)) {
		check(0, "board %s: no /dev/dsrN within 15 s", o->serial);
		board_stop(&b);
		return verdict();
	}
	fd = open(b.dev, O_RDWR | O_CLOEXEC);
	if (fd < 0 || ioctl(fd, DSR_IOC_GET_INFO, &info)) {
		check(0, "%s: %s", b.dev, strerror(errno));
		board_stop(&b);
		return verdict();
	}
	if (!info.urb_bytes)
		info.urb_bytes = urb_bytes_param();
	if (o->urb_edge && urb_edge_size(info.urb_bytes, info.max_width, info.max_height, &w, &h)) {
		check(0, "no frame size within %ux%u ends on a %u-byte URB boundary",
		      info.max_width, info.max_height, info.urb_bytes);
		goto out;
	}
	if (w > info.max_width || h > info.max_height) {
		check(0, "board %s: frame store %ux%u, %ux%u needed", o->serial, info.max_width,
		      info.max_height, w, h);
		goto out;
	}
	size_t npix = (size_t)w * h, wire = DSR_FRAME_HEADER_SIZE + npix * 2 +
					   DSR_FRAME_TRAILER_SIZE;

	printf("frames: %ux%u %u bits, %zu wire bytes = %.2f URBs of %u, %s\n", w, h, o->bits,
	       wire, (double)wire / info.urb_bytes, info.urb_bytes, o->use_mmap ? "mmap" : "read()");
	if (set_pass(fd, w, h, o->bits, 1))
		goto out;
	if (o->use_mmap) {
		void *p = mmap(NULL, info.ring_bytes, PROT_READ, MAP_SHARED, fd, 0);

		if (p == MAP_FAILED) {
			check(0, "mmap %llu bytes: %s", (unsigned long long)info.ring_bytes,
			      strerror(errno));
			goto out;
		}
		ring = p;
	} else {
		buf = malloc(info.frame_bytes_max);
	}
	uint16_t *px = malloc(npix * sizeof(*px));

	t0 = now_s();
	for (int i = 0; i < o->n; i++) {
		size_t len = 0, flen;
		uint8_t *f;
		const uint8_t *got;
		struct dsr_frame_info fi;
		const char *why = NULL;
		ssize_t wr;

		pattern(px, npix, o->bits, 1000u + (uint64_t)i);
		f = wire_frame(px, w, h, o->bits, &len);
		wr = f ? write(fd, f, len) : -1;
		free(f);
		if (wr != (ssize_t)len) {
			check(0, "write() of frame %d (%zu bytes): %zd %s", i, len, wr,
			      wr < 0 ? strerror(errno) : "short");
			break;
		}
		got = next_frame(fd, ring, buf, info.frame_bytes_max, &held, &flen, o->timeout_ms);
		if (!got) {
			check(0, "frame %d back: %s", i, strerror(errno));
			break;
		}
		if (dsr_header_parse(got, flen, w, h, &fi, &why) ||
		    flen != DSR_FRAME_HEADER_SIZE + npix * 2 || fi.width != w || fi.height != h) {
			check(0, "frame %d: header: %s (%zu bytes)", i, why ? why : "size", flen);
			continue;
		}
		size_t bad = compare(got + DSR_FRAME_HEADER_SIZE, px, npix);

		check(!bad && (fi.flags & DSR_FLAG_CRC_VALID) &&
		      dsr_crc32(0, got + DSR_FRAME_HEADER_SIZE, npix * 2) == fi.payload_crc,
		      "%ux%u/%u frame %d via %s: %zu of %zu pixels differ, CRC %s", w, h, o->bits,
		      i, o->use_mmap ? "mmap" : "read()", bad, npix,
		      fi.flags & DSR_FLAG_CRC_VALID ? "valid" : "not checked");
		ok += !bad;
		bytes += (double)flen;
	}
	double secs = now_s() - t0;

	printf("FRAMES size=%ux%u bits=%u path=%s frames=%d bitexact=%d urbs_per_frame=%.2f "
	       "seconds=%.2f MBps=%.2f\n", w, h, o->bits, o->use_mmap ? "mmap" : "read", o->n, ok,
	       (double)wire / info.urb_bytes, secs, secs > 0 ? bytes / secs / 1e6 : 0);
	free(px);
out:
	close(fd);
	free(buf);
	if (board_stop(&b))
		check(0, "board %s did not stop cleanly", o->serial);
	return verdict();
}

/* ------------------------------------------------------------------ hostile frames */

struct hostile_opts {
	uint64_t seed, target;
	uint32_t w, h, bits;
	double seconds;			/* per board */
	double frames_p, control_p;
	int max_boards;
};

/* Check what the driver delivered from a hostile board: a frame it calls valid is. */
static void judge_delivered(const uint8_t *f, size_t len, uint32_t w, uint32_t h,
			    const uint16_t *px, uint64_t *delivered, uint64_t *lies,
			    uint64_t *exact)
{
	struct dsr_frame_info fi;
	const char *why;

	(*delivered)++;
	if (dsr_header_parse(f, len, 65535, 65535, &fi, &why) ||
	    len != DSR_FRAME_HEADER_SIZE + (size_t)fi.payload_length) {
		(*lies)++;
		if (*lies < 4)
			check(0, "delivered frame (%zu bytes) has a bad header: %s", len,
			      why ? why : "length");
		return;
	}
	if ((fi.flags & DSR_FLAG_CRC_VALID) &&
	    dsr_crc32(0, f + DSR_FRAME_HEADER_SIZE, fi.payload_length) != fi.payload_crc) {
		(*lies)++;
		if (*lies < 4)
			check(0, "delivered frame seq %u: CRC_VALID but the CRC is wrong", fi.sequence);
		return;
	}
	if ((fi.flags & DSR_FLAG_CRC_VALID) && fi.width == w && fi.height == h &&
	    fi.payload_length == w * h * 2 && !compare(f + DSR_FRAME_HEADER_SIZE, px, (size_t)w * h))
		(*exact)++;
}

static int run_hostile(const struct hostile_opts *o)
{
	uint64_t mutated = 0, frames = 0, delivered = 0, lies = 0, exact = 0, ctl = 0;
	size_t npix = (size_t)o->w * o->h;
	uint16_t *px = malloc(npix * sizeof(*px));
	struct dsr_image *im = dsr_image_new(o->w, o->h, o->bits);
	const char *live = "/tmp/hostile-live.pgm";
	int boards = 0, unbound = 0;
	double t_all = now_s();

	pattern(px, npix, o->bits, 77);
	memcpy(im->pixels, px, npix * sizeof(*px));
	if (dsr_image_save(im, live)) {
		check(0, "%s: %s", live, dsr_error());
		return verdict();
	}
	while (mutated < o->target && boards < o->max_boards) {
		char serial[32], spec[128], *extra[6];
		struct board b;
		struct hostile_counts hc;
		struct dsr_ioc_info info;
		uint8_t *buf = NULL;
		int fd, held = -1;
		double t0;

		snprintf(serial, sizeof(serial), "HOST%05d", boards);
		snprintf(spec, sizeof(spec), "seed=%llu,frames=%g,control=%g",
			 (unsigned long long)(o->seed + (uint64_t)boards), o->frames_p, o->control_p);
		extra[0] = "--live";
		extra[1] = (char *)live;
		extra[2] = "--hostile";
		extra[3] = spec;
		extra[4] = NULL;
		boards++;
		if (board_start(&b, serial, extra))
			break;
		if (board_wait_dev(&b, 10000)) {
			unbound++;	/* a mutated GET_INFO may make the driver refuse it */
			board_stop(&b);
			continue;
		}
		fd = open(b.dev, O_RDWR | O_CLOEXEC);
		if (fd < 0 || ioctl(fd, DSR_IOC_GET_INFO, &info) || set_pass(fd, o->w, o->h, o->bits, 0) ||
		    ioctl(fd, DSR_IOC_STREAM_ON)) {
			if (fd >= 0)
				close(fd);
			unbound++;
			board_stop(&b);
			continue;
		}
		buf = malloc(info.frame_bytes_max);
		t0 = now_s();
		while (now_s() - t0 < o->seconds) {
			size_t len;
			const uint8_t *f = next_frame(fd, NULL, buf, info.frame_bytes_max, &held,
						      &len, 1000);

			if (f)
				judge_delivered(f, len, o->w, o->h, px, &delivered, &lies, &exact);
			else if (errno == ENODEV)
				break;	/* the board went away (a fatal mutation) */
		}
		close(fd);
		free(buf);
		board_stop(&b);
		hostile_counts(&b, &hc);
		if (!hc.found) {
			check(0, "board %s: no hostile summary in %s", serial, b.log);
			break;
		}
		frames += hc.frames;
		mutated += hc.mutated;
		ctl += hc.control_mutated;
		/* progress, so that a long run cut short still says how far it got */
		printf("hostile-progress boards=%d frames=%llu mutated=%llu delivered=%llu "
		       "invalid_delivered=%llu seconds=%.0f\n", boards, (unsigned long long)frames,
		       (unsigned long long)mutated, (unsigned long long)delivered,
		       (unsigned long long)lies, now_s() - t_all);
	}
	check(mutated >= o->target, "%llu mutated frames sent to dsr.ko by %d boards (wanted %llu)",
	      (unsigned long long)mutated, boards, (unsigned long long)o->target);
	check(lies == 0, "every frame dsr.ko delivered as valid was valid (%llu delivered, %llu "
	      "not)", (unsigned long long)delivered, (unsigned long long)lies);
	check(exact > 0, "intact frames came through bit-exact (%llu)", (unsigned long long)exact);
	printf("HOSTILE frames=%llu mutated=%llu control_mutated=%llu delivered=%llu "
	       "bitexact=%llu invalid_delivered=%llu boards=%d unbound=%d seconds=%.1f\n",
	       (unsigned long long)frames, (unsigned long long)mutated, (unsigned long long)ctl,
	       (unsigned long long)delivered, (unsigned long long)exact,
	       (unsigned long long)lies, boards, unbound, now_s() - t_all);
	free(px);
	dsr_image_free(im);
	return verdict();
}

/* ------------------------------------------------------------------ hostile enumerations */

struct enum_opts {
	uint64_t seed;
	int count, parallel;
	double settle;			/* seconds a board stays plugged */
};

/* One slot of the parallel plug/unplug loop. */
struct enum_slot {
	struct board b;
	double t0;
	int streamed;
};

/* If the driver bound this board, stream a little from it (whatever arrives). */
static void poke(struct enum_slot *s)
{
	struct dsr_ioc_info info;
	uint8_t buf[4096];
	int fd;

	if (s->streamed || dev_by_serial(s->b.serial, s->b.dev, sizeof(s->b.dev)))
		return;
	s->streamed = 1;
	fd = open(s->b.dev, O_RDWR | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return;
	if (!ioctl(fd, DSR_IOC_GET_INFO, &info) && !set_pass(fd, 16, 16, 12, 0) &&
	    !ioctl(fd, DSR_IOC_STREAM_ON)) {
		struct pollfd p = { .fd = fd, .events = POLLIN };

		if (poll(&p, 1, 200) > 0 && read(fd, buf, sizeof(buf)) < 0)
			(void)errno;
	}
	close(fd);
}

static int run_enum(const struct enum_opts *o)
{
	struct enum_slot slots[16];
	unsigned long long enums = 0, mutated = 0, started = 0;
	int live = 0, bad_exit = 0;
	double t_all = now_s();
	const char *img = "/tmp/enum-live.pgm";
	struct dsr_image *im = dsr_image_new(16, 16, 12);

	pattern(im->pixels, 256, 12, 5);
	dsr_image_save(im, img);
	dsr_image_free(im);
	memset(slots, 0, sizeof(slots));
	while (mutated < (unsigned long long)o->count || live) {
		for (int i = 0; i < o->parallel; i++) {
			struct enum_slot *s = &slots[i];

			if (s->b.pid > 0 && now_s() - s->t0 >= o->settle) {
				struct hostile_counts hc;
				int rc = board_stop(&s->b);

				live--;
				hostile_counts(&s->b, &hc);
				enums += hc.enums;
				mutated += hc.enums_mutated;
				if (hc.enums_mutated)
					printf("enum-progress boards=%llu enumerations=%llu mutated=%llu "
					       "seconds=%.0f\n", started, enums, mutated,
					       now_s() - t_all);
				/* 143: our SIGTERM reached the simulator before it could
				 * handle it (unplugged while starting); a crash is a failure */
				if (rc && rc != 1 && rc != 143 && bad_exit++ < 3)
					check(0, "enumeration board %s: simulator exit %d", s->b.serial, rc);
			} else if (s->b.pid > 0 && now_s() - s->t0 > o->settle / 2) {
				poke(s);
			}
			if (s->b.pid <= 0 && mutated + (unsigned long long)live <
			    (unsigned long long)o->count + (unsigned long long)o->parallel) {
				char serial[32], spec[160], *extra[6];

				if (mutated >= (unsigned long long)o->count)
					continue;
				snprintf(serial, sizeof(serial), "ENUM%05llu", started);
				snprintf(spec, sizeof(spec), "seed=%llu,descriptors=1,control=0.3,"
					 "frames=0.5,fatal=0.02",
					 (unsigned long long)(o->seed + started));
				extra[0] = "--live";
				extra[1] = (char *)img;
				extra[2] = "--hostile";
				extra[3] = spec;
				extra[4] = NULL;
				started++;
				if (board_start(&s->b, serial, extra) == 0) {
					s->t0 = now_s();
					s->streamed = 0;
					live++;
				}
			}
		}
		sleep_ms(20);
	}
	check(mutated >= (unsigned long long)o->count,
	      "%llu mutated enumerations (of %llu seen, %llu boards) survived by the kernel",
	      mutated, enums, started);
	printf("ENUM enumerations=%llu mutated=%llu boards=%llu seconds=%.1f\n", enums, mutated,
	       started, now_s() - t_all);
	return verdict();
}

/* ------------------------------------------------------------------ main */

static void usage(void)
{
	fprintf(stderr,
		"usage: dsr-boardtest frames [--size WxH | --urb-edge] [--bits B] [-n N] [--mmap]\n"
		"                            [--serial S] [--timeout MS]\n"
		"       dsr-boardtest hostile [--target N] [--seed S] [--size WxH] [--bits B]\n"
		"                             [--seconds T] [--frames P] [--control P] [--boards N]\n"
		"       dsr-boardtest enum [--count N] [--seed S] [--parallel P] [--settle T]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "size", required_argument, NULL, 's' }, { "bits", required_argument, NULL, 'b' },
		{ "mmap", no_argument, NULL, 'm' }, { "urb-edge", no_argument, NULL, 'u' },
		{ "serial", required_argument, NULL, 'S' }, { "timeout", required_argument, NULL, 't' },
		{ "target", required_argument, NULL, 'T' }, { "seed", required_argument, NULL, 'e' },
		{ "seconds", required_argument, NULL, 'z' }, { "frames", required_argument, NULL, 'f' },
		{ "control", required_argument, NULL, 'c' }, { "boards", required_argument, NULL, 'B' },
		{ "count", required_argument, NULL, 'C' }, { "parallel", required_argument, NULL, 'p' },
		{ "settle", required_argument, NULL, 'L' }, { NULL, 0, NULL, 0 },
	};
	struct frames_opts fo = { 64, 48, 16, 2, 0, 0, "BIGF0001", 120000 };
	struct hostile_opts ho = { 1, 1000, 16, 16, 12, 20, 0.5, 0.0, 1000 };
	struct enum_opts eo = { 1, 20, 4, 1.5 };
	const char *cmd;
	int c;

	if (argc < 2)
		usage();
	cmd = argv[1];
	optind = 2;
	while ((c = getopt_long(argc, argv, "n:", opts, NULL)) != -1) {
		uint32_t w, h;

		switch (c) {
		case 's':
			if (sscanf(optarg, "%ux%u", &w, &h) != 2 || !w || !h)
				usage();
			fo.w = ho.w = w;
			fo.h = ho.h = h;
			break;
		case 'b': fo.bits = ho.bits = (uint32_t)atoi(optarg); break;
		case 'n': fo.n = atoi(optarg); break;
		case 'm': fo.use_mmap = 1; break;
		case 'u': fo.urb_edge = 1; break;
		case 'S': fo.serial = optarg; break;
		case 't': fo.timeout_ms = atoi(optarg); break;
		case 'T': ho.target = strtoull(optarg, NULL, 0); break;
		case 'e': ho.seed = eo.seed = strtoull(optarg, NULL, 0); break;
		case 'z': ho.seconds = atof(optarg); break;
		case 'f': ho.frames_p = atof(optarg); break;
		case 'c': ho.control_p = atof(optarg); break;
		case 'B': ho.max_boards = atoi(optarg); break;
		case 'C': eo.count = atoi(optarg); break;
		case 'p': eo.parallel = atoi(optarg); break;
		case 'L': eo.settle = atof(optarg); break;
		default: usage();
		}
	}
	if (eo.parallel < 1 || eo.parallel > 16)
		usage();
	setvbuf(stdout, NULL, _IOLBF, 0);
	signal(SIGPIPE, SIG_IGN);
	if (!strcmp(cmd, "frames"))
		return run_frames(&fo);
	if (!strcmp(cmd, "hostile"))
		return run_hostile(&ho);
	if (!strcmp(cmd, "enum"))
		return run_enum(&eo);
	usage();
	return 2;
}
