/*
 * dsr-drvtest.c - the guest-side tests of dsr.ko, run by tests/qemu/suites/50-driver.sh
 * against boards served by dsr-sim through vhci-hcd.
 *
 *   dsr-drvtest stream DEV [options]   stream from the board's own source through read()
 *                                      or the mapped ring; every pixel of every frame
 *                                      compared with the C reference model, for the
 *                                      parameter generation its header names
 *   dsr-drvtest playback DEV [-n N]    live frames written with write(), each output
 *                                      compared with the model
 *   dsr-drvtest api DEV                error paths: bad ioctl arguments, EMSGSIZE,
 *                                      EAGAIN, poll timeout, EBUSY, EACCES, EPERM
 *   dsr-drvtest block DEV              block in read() and poll() until the board is
 *                                      unplugged; both must fail with ENODEV
 *   dsr-drvtest stats DEV              the driver's counters as key=value lines
 *   dsr-drvtest unbind DEV             sysfs unbind while reading and writing: ENODEV first
 *   dsr-drvtest stuck DEV              a halt that will not clear: an error within 5 s
 *   dsr-drvtest toctou DEV -n N        a thread changes the frame during write()
 *   dsr-drvtest sigkill DEV -n K       writers killed mid-frame; the next write works
 *   dsr-drvtest threads DEV -n N       4 threads on one file, read() and DQBUF
 *   dsr-drvtest dqall DEV              every slot dequeued: the drop policy
 *   dsr-drvtest nocrc DEV -n N         check_crc=0: no CRC_VALID, libdsr checks
 *   dsr-drvtest cycles DEV -n N        open/stream/close cycles: no slab/vmalloc growth
 *   dsr-drvtest pollside DEV           poll() starts nothing read() would not
 *   dsr-drvtest mklive FILE            a live image for dsr-sim --live (--size, --bits)
 *
 * Output: "PASS ..." / "FAIL ..." lines and key=value results; exit status 0 only when
 * every check held and something was checked.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "dsr/dsr.h"
#include "dsr/dsr_ioctl.h"
#include "guest_check.h"

static int open_dev(const char *path, int flags)
{
	int fd = open(path, flags | O_CLOEXEC);

	if (fd < 0) {
		fprintf(stderr, "dsr-drvtest: %s: %s\n", path, strerror(errno));
		exit(2);
	}
	return fd;
}

static void get_info(int fd, struct dsr_ioc_info *info)
{
	if (ioctl(fd, DSR_IOC_GET_INFO, info)) {
		fprintf(stderr, "dsr-drvtest: GET_INFO: %s\n", strerror(errno));
		exit(2);
	}
}

/* ------------------------------------------------------------------ parameters */

/* One parameter set the test committed: its generation, values and LUT. */
struct param_gen {
	uint32_t generation;
	struct dsr_params p;
	uint16_t *lut;
};

#define MAX_GENS 8
static struct param_gen gens[MAX_GENS];
static int n_gens;		/* under up_lock */

/*
 * Parameter uploads run in their own thread, as a control program beside a viewer
 * would, so that the reader never stops reading (a LUT upload takes a while) and a
 * clean run loses no frame. A frame newer than every recorded generation while an
 * upload is in flight waits for that upload's generation to be known.
 */
static pthread_mutex_t up_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t up_cond = PTHREAD_COND_INITIALIZER;
static struct {
	int fd, busy, quit, wait;
	const struct dsr_params *p;
	const uint16_t *lut;
} up;

static int set_params(int fd, const struct dsr_params *p, const uint16_t *lut, int wait);

static void *uploader(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&up_lock);
	for (;;) {
		while (!up.p && !up.quit)
			pthread_cond_wait(&up_cond, &up_lock);
		if (up.quit)
			break;
		pthread_mutex_unlock(&up_lock);
		set_params(up.fd, up.p, up.lut, up.wait);
		pthread_mutex_lock(&up_lock);
		up.p = NULL;
		up.busy = 0;
		pthread_cond_broadcast(&up_cond);
	}
	pthread_mutex_unlock(&up_lock);
	return NULL;
}

/* Hand a set to the uploader; 0 if taken, -1 while it is still busy with the last. */
static int request_upload(const struct dsr_params *p, const uint16_t *lut, int wait)
{
	int rc = -1;

	pthread_mutex_lock(&up_lock);
	if (!up.busy) {
		up.busy = 1;
		up.p = p;
		up.lut = lut;
		up.wait = wait;
		pthread_cond_broadcast(&up_cond);
		rc = 0;
	}
	pthread_mutex_unlock(&up_lock);
	return rc;
}

/* Uploads finished so far. */
static int gens_done(void)
{
	int n;

	pthread_mutex_lock(&up_lock);
	n = up.busy ? -1 : n_gens;
	pthread_mutex_unlock(&up_lock);
	return n;
}

/* A LUT that is not the identity, so that the LUT path is really checked. */
static uint16_t *make_lut(uint32_t bits, int variant)
{
	uint16_t *lut = malloc(DSR_LUT_SIZE * sizeof(*lut));
	uint32_t max = (1u << bits) - 1;

	for (uint32_t i = 0; i < DSR_LUT_SIZE; i++) {
		uint32_t v = i & max;

		v = variant ? (v * 7 / 8 + max / 16) : (v * 9 / 8);
		lut[i] = (uint16_t)(v > max ? max : v);
	}
	return lut;
}

/* Commit @p (+ @lut) through the driver; record it under the generation returned. */
static int set_params(int fd, const struct dsr_params *p, const uint16_t *lut, int wait)
{
	struct dsr_ioc_params ip = {
		.mode = p->mode, .width = p->width, .height = p->height,
		.pixel_bits = p->pixel_bits, .a11 = p->a11, .a12 = p->a12, .a21 = p->a21,
		.a22 = p->a22, .tx = p->tx, .ty = p->ty, .gain = p->gain, .midgrey = p->midgrey,
		.h31 = p->h31, .h32 = p->h32,
		.flags = wait ? DSR_PARAMS_WAIT : 0,
	};
	struct dsr_ioc_lut l = { .first = 0, .count = DSR_LUT_SIZE,
				 .entries = (uint64_t)(uintptr_t)lut };

	if (lut && ioctl(fd, DSR_IOC_LOAD_LUT, &l)) {
		check(0, "LOAD_LUT: %s", strerror(errno));
		return -1;
	}
	if (ioctl(fd, DSR_IOC_SET_PARAMS, &ip)) {
		check(0, "SET_PARAMS mode %u: %s", p->mode, strerror(errno));
		return -1;
	}
	pthread_mutex_lock(&up_lock);
	if (n_gens < MAX_GENS) {
		gens[n_gens].generation = ip.generation;
		gens[n_gens].p = *p;
		gens[n_gens].lut = (uint16_t *)lut;
		n_gens++;
	}
	pthread_mutex_unlock(&up_lock);
	printf("committed mode %u as generation %u\n", p->mode, ip.generation);
	return 0;
}

/* The parameter set a frame of generation @g was made with: the newest commit <= g. */
static const struct param_gen *gen_for(uint32_t g)
{
	const struct param_gen *best = NULL;

	pthread_mutex_lock(&up_lock);
	while (up.busy && n_gens > 0 && (int32_t)(g - gens[n_gens - 1].generation) > 0)
		pthread_cond_wait(&up_cond, &up_lock);
	pthread_mutex_unlock(&up_lock);
	for (int i = 0; i < n_gens; i++)
		if ((int32_t)(g - gens[i].generation) >= 0 &&
		    (!best || (int32_t)(gens[i].generation - best->generation) > 0))
			best = &gens[i];
	return best;
}

/* Subtraction parameters with a real warp: small rotation, scale and shift. */
static void subtract_params(struct dsr_params *p, uint32_t w, uint32_t h, uint32_t bits,
			    int variant)
{
	double a = variant ? -0.03 : 0.02, s = variant ? 0.99 : 1.01;
	struct dsr_affine af = {
		.a11 = s * cos(a), .a12 = -s * sin(a), .tx = variant ? -1.25 : 0.7,
		.a21 = s * sin(a), .a22 = s * cos(a), .ty = variant ? 0.4 : -1.6,
	};

	dsr_params_default(p, w, h, bits);
	p->mode = DSR_MODE_SUBTRACT;
	p->gain = variant ? 3u << (DSR_GAIN_FRAC_BITS - 1) : 2u << DSR_GAIN_FRAC_BITS;
	if (dsr_params_set_affine(p, &af)) {
		fprintf(stderr, "dsr-drvtest: affine does not quantise: %s\n", dsr_error());
		exit(2);
	}
}

/* ------------------------------------------------------------------ frames to the board */

/* An image as a wire frame (header with CRC, payload, trailer) with @flags. */
static uint8_t *wire_frame(const struct dsr_image *im, uint32_t bits, uint32_t flags,
			   size_t *len)
{
	size_t npix = (size_t)im->width * im->height;
	uint8_t *w = malloc(DSR_FRAME_HEADER_SIZE + npix * 2 + DSR_FRAME_TRAILER_SIZE);
	uint8_t *payload = w + DSR_FRAME_HEADER_SIZE;
	struct dsr_frame_info fi = { 0 };

	for (size_t i = 0; i < npix; i++) {
		payload[2 * i] = (uint8_t)im->pixels[i];
		payload[2 * i + 1] = (uint8_t)(im->pixels[i] >> 8);
	}
	fi.width = im->width;
	fi.height = im->height;
	fi.format = DSR_FORMAT_MONO16;
	fi.pixel_bits = bits;
	fi.flags = flags | DSR_FLAG_CRC_VALID;
	fi.payload_length = (uint32_t)(npix * 2);
	fi.payload_crc = dsr_crc32(0, payload, npix * 2);
	dsr_header_pack(&fi, w);
	dsr_trailer_pack(fi.payload_crc, 0, payload + npix * 2);
	*len = DSR_FRAME_HEADER_SIZE + npix * 2 + DSR_FRAME_TRAILER_SIZE;
	return w;
}

/* write() one image to the board; 0 or -1 (check failed). */
static int send_image(int fd, const struct dsr_image *im, uint32_t bits, uint32_t flags)
{
	size_t len;
	uint8_t *w = wire_frame(im, bits, flags, &len);
	ssize_t n = write(fd, w, len);

	free(w);
	if (n != (ssize_t)len) {
		check(0, "write() of a %ux%u frame: %zd (%s)", im->width, im->height, n,
		      n < 0 ? strerror(errno) : "short");
		return -1;
	}
	return 0;
}

/* ------------------------------------------------------------------ frames from the board */

/* How the test takes frames: read() into a buffer, or dequeue from the mapped ring. */
struct reader {
	int fd;
	int use_mmap;
	struct dsr_ioc_info info;
	uint8_t *buf;			/* read(): frame_bytes_max */
	const uint8_t *ring;		/* mmap */
	int held;
};

static void reader_init(struct reader *r, int fd, int use_mmap)
{
	memset(r, 0, sizeof(*r));
	r->fd = fd;
	r->use_mmap = use_mmap;
	r->held = -1;
	get_info(fd, &r->info);
	if (use_mmap) {
		void *p = mmap(NULL, r->info.ring_bytes, PROT_READ, MAP_SHARED, fd, 0);

		if (p == MAP_FAILED) {
			fprintf(stderr, "dsr-drvtest: mmap: %s\n", strerror(errno));
			exit(2);
		}
		r->ring = p;
	} else {
		r->buf = malloc(r->info.frame_bytes_max);
	}
}

/* The next frame (header + payload), waiting at most @timeout_ms; NULL with errno. */
static const uint8_t *reader_next(struct reader *r, size_t *len, int timeout_ms)
{
	struct pollfd pfd = { .fd = r->fd, .events = POLLIN };
	struct dsr_ioc_buffer b = { 0 };
	ssize_t n;
	int rc;

	if (r->held >= 0) {
		b.index = (uint32_t)r->held;
		r->held = -1;
		if (ioctl(r->fd, DSR_IOC_QBUF, &b))
			return NULL;
	}
	rc = poll(&pfd, 1, timeout_ms);
	if (rc <= 0) {
		errno = rc == 0 ? ETIMEDOUT : errno;
		return NULL;
	}
	if (!r->use_mmap) {
		n = read(r->fd, r->buf, r->info.frame_bytes_max);
		if (n < 0)
			return NULL;
		*len = (size_t)n;
		return r->buf;
	}
	memset(&b, 0, sizeof(b));
	if (ioctl(r->fd, DSR_IOC_DQBUF, &b))
		return NULL;
	r->held = (int)b.index;
	*len = b.bytes_used;
	return r->ring + b.offset;
}

/* ------------------------------------------------------------------ stream */

struct stream_opts {
	const char *dev;
	int frames, use_mmap, bench, faults, change_at, source_host;
	uint32_t width, height, bits;
	uint64_t seed;
};

/* Tallies of one streaming run. */
struct stream_result {
	int frames, compared, mismatched, bad_headers, gaps, gens_seen;
	uint64_t bytes;
	double seconds;
	uint32_t last_seq;
	int have_seq;
};

/* Count of pixels where @a and @b differ. */
static size_t differ(const uint16_t *a, const uint16_t *b, size_t n)
{
	size_t d = 0;

	for (size_t i = 0; i < n; i++)
		d += a[i] != b[i];
	return d;
}

/*
 * On the first mismatch, say which simpler pipeline the board's output does match
 * (no reference, identity LUT, no warp), so that a failure points at its cause.
 */
static void explain_mismatch(const struct param_gen *g, const struct dsr_image *ref,
			     const uint16_t *live, const uint16_t *got, const uint16_t *expect,
			     size_t npix, uint32_t flags)
{
	uint16_t *alt = malloc(npix * sizeof(*alt)), *zero = calloc(npix, sizeof(*zero));
	struct dsr_params p;
	size_t i;

	if (!g)
		return;
	for (i = 0; i < npix && got[i] == expect[i]; i++)
		;
	printf("mismatch: flags 0x%x; first at pixel %zu (x %zu y %zu): got %u, model %u\n",
	       flags, i, i % g->p.width, i / g->p.width, got[i], expect[i]);
	dsr_model_frame(&g->p, NULL, ref->pixels, live, alt);
	printf("mismatch: vs model with identity LUT: %zu differ\n", differ(got, alt, npix));
	dsr_model_frame(&g->p, g->lut, zero, live, alt);
	printf("mismatch: vs model with a zero reference: %zu differ\n", differ(got, alt, npix));
	p = g->p;
	p.a11 = p.a22 = 1 << DSR_A_FRAC_BITS;
	p.a12 = p.a21 = p.tx = p.ty = 0;
	dsr_model_frame(&p, g->lut, ref->pixels, live, alt);
	printf("mismatch: vs model without warp: %zu differ\n", differ(got, alt, npix));
	dsr_model_frame(&g->p, g->lut, live, live, alt);
	printf("mismatch: vs model with the live frame as reference: %zu differ\n",
	       differ(got, alt, npix));
	free(alt);
	free(zero);
}

/*
 * Check one received frame: header sane and consistent with what was committed, CRC
 * valid and (unless benchmarking) right, and every pixel equal to the model for the
 * generation the header names. PASS frames define the live image the board's source
 * plays (it plays the same phantom frame each time); every later PASS frame must equal
 * it.
 */
static void check_frame(const struct stream_opts *o, const uint8_t *f, size_t len,
			const struct dsr_image *ref, uint16_t **live, struct stream_result *res)
{
	struct dsr_frame_info fi;
	const char *why;
	const struct param_gen *g = NULL;
	size_t npix = (size_t)o->width * o->height;
	const uint8_t *payload = f + DSR_FRAME_HEADER_SIZE;
	static uint16_t *pix, *expect;
	uint32_t mode, crc;
	size_t bad = 0;

	res->frames++;
	res->bytes += len;
	if (dsr_header_parse(f, len, o->width, o->height, &fi, &why) ||
	    len != DSR_FRAME_HEADER_SIZE + fi.payload_length || fi.width != o->width ||
	    fi.height != o->height || !(fi.flags & DSR_FLAG_CRC_VALID)) {
		res->bad_headers++;
		if (res->bad_headers < 4)
			check(0, "frame %d: header: %s (len %zu, %ux%u, flags 0x%x)", res->frames,
			      why ? why : "size/flags", len, fi.width, fi.height, fi.flags);
		return;
	}
	if (res->have_seq && fi.sequence != res->last_seq + 1)
		res->gaps += (int)(fi.sequence - res->last_seq - 1);
	res->have_seq = 1;
	res->last_seq = fi.sequence;
	/* benchmarking: the driver checked the CRC (DSR_FLAG_CRC_VALID, required above);
	 * libdsr's device transport trusts that flag, so the bench's reader does too */
	if (o->bench)
		return;
	crc = dsr_crc32(0, payload, fi.payload_length);
	if (crc != fi.payload_crc) {
		res->bad_headers++;
		check(0, "frame seq %u: payload CRC %08x, header says %08x", fi.sequence, crc,
		      fi.payload_crc);
		return;
	}
	if (!pix) {
		pix = malloc(npix * sizeof(*pix));
		expect = malloc(npix * sizeof(*expect));
	}
	for (size_t i = 0; i < npix; i++)
		pix[i] = (uint16_t)(payload[2 * i] | payload[2 * i + 1] << 8);
	mode = fi.flags & DSR_FLAG_MODE_MASK;
	if (mode == DSR_MODE_PASS || mode == DSR_MODE_CAPTURE) {
		if (!*live) {
			*live = malloc(npix * sizeof(**live));
			memcpy(*live, pix, npix * sizeof(*pix));
			printf("live image taken from PASS frame seq %u (generation %u)\n",
			       fi.sequence, fi.generation);
		}
		memcpy(expect, *live, npix * sizeof(*expect));
	} else {
		g = gen_for(fi.generation);
		if (!g || g->p.mode != mode || !*live) {
			res->mismatched++;
			if (res->mismatched < 4)
				check(0, "frame seq %u: generation %u mode %u: no committed set "
				      "explains it", fi.sequence, fi.generation, mode);
			return;
		}
		dsr_model_frame(&g->p, g->lut, ref->pixels, *live, expect);
	}
	for (size_t i = 0; i < npix; i++)
		bad += pix[i] != expect[i];
	res->compared++;
	if (bad && res->mismatched == 0)
		explain_mismatch(g, ref, *live, pix, expect, npix, fi.flags);
	if (bad) {
		res->mismatched++;
		if (res->mismatched < 4)
			check(0, "frame seq %u generation %u mode %u: %zu of %zu pixels differ from "
			      "the model", fi.sequence, fi.generation, mode, bad, npix);
	}
}

/*
 * A test image: smooth structure (gradients and rings, so that warping and
 * interpolation matter) plus deterministic noise, @shift moving the pattern. Made
 * here rather than by the phantom generator so the driver test depends only on the
 * reference model.
 */
static struct dsr_image *test_image(uint32_t w, uint32_t h, uint32_t bits, uint64_t seed,
				    double shift)
{
	struct dsr_image *im = dsr_image_new(w, h, bits);
	uint32_t max = (1u << bits) - 1;
	uint64_t x = seed * 6364136223846793005ull + 1442695040888963407ull;

	if (!im) {
		fprintf(stderr, "dsr-drvtest: image: %s\n", dsr_error());
		exit(2);
	}
	for (uint32_t yy = 0; yy < h; yy++)
		for (uint32_t xx = 0; xx < w; xx++) {
			double u = xx + shift, v = yy - 0.5 * shift;
			double r = sqrt((u - w / 2.0) * (u - w / 2.0) + (v - h / 3.0) * (v - h / 3.0));
			double val = 0.45 + 0.25 * sin(r / 3.1) * cos(u / 7.3) + 0.2 * v / h;

			x = x * 6364136223846793005ull + 1442695040888963407ull;
			val += ((double)(x >> 40) / (1 << 24) - 0.5) * 0.02;
			val = val < 0 ? 0 : val > 1 ? 1 : val;
			im->pixels[(size_t)yy * w + xx] = (uint16_t)(val * max + 0.5);
		}
	return im;
}

/* The test's reference image. */
static struct dsr_image *make_reference(const struct stream_opts *o)
{
	return test_image(o->width, o->height, o->bits, o->seed, 0);
}

static void print_stats(int fd)
{
	struct dsr_ioc_stats s;

	if (ioctl(fd, DSR_IOC_GET_STATS, &s)) {
		check(0, "GET_STATS: %s", strerror(errno));
		return;
	}
#define STAT(f) printf("stat " #f "=%llu\n", (unsigned long long)s.f)
	STAT(frames_received);
	STAT(frames_read);
	STAT(frames_dropped);
	STAT(frames_malformed);
	STAT(crc_errors);
	STAT(frames_bad);
	STAT(sequence_gaps);
	STAT(bytes_received);
	STAT(transfer_errors);
	STAT(stalls);
	STAT(frames_sent);
	STAT(last_generation);
#undef STAT
}

/* Frames from the board's own source, checked as they come. */
static int run_stream(const struct stream_opts *o)
{
	int fd = open_dev(o->dev, O_RDWR);
	struct dsr_params pass, warp, p0, p1;
	struct stream_result res = { 0 };
	static uint16_t ident[DSR_LUT_SIZE];
	int warp_at = 0, done;
	pthread_t up_thread;
	struct dsr_image *ref = make_reference(o);
	uint16_t *lut0 = make_lut(o->bits, 0), *lut1 = make_lut(o->bits, 1), *live = NULL;
	struct reader r;
	const uint8_t *f;
	size_t len;
	double t0 = 0;
	int timeouts = 0;

	dsr_params_default(&pass, o->width, o->height, o->bits);
	pass.mode = DSR_MODE_PASS;
	warp = pass;
	warp.mode = DSR_MODE_WARP;
	dsr_lut_identity(ident, o->bits);
	subtract_params(&p0, o->width, o->height, o->bits, 0);
	subtract_params(&p1, o->width, o->height, o->bits, 1);
	if (set_params(fd, &pass, ident, 0) || send_image(fd, ref, o->bits, DSR_FLAG_REFERENCE))
		return verdict();
	reader_init(&r, fd, o->use_mmap);
	up.fd = fd;
	pthread_create(&up_thread, NULL, uploader, NULL);
	if (ioctl(fd, DSR_IOC_STREAM_ON)) {
		check(0, "STREAM_ON: %s", strerror(errno));
		return verdict();
	}
	while (res.frames < o->frames) {
		f = reader_next(&r, &len, 10000);
		if (!f) {
			if (o->faults && errno == ETIMEDOUT && ++timeouts < 3)
				continue;
			check(0, "frame %d of %d: %s", res.frames + 1, o->frames, strerror(errno));
			break;
		}
		if (!res.frames)
			t0 = now_s();
		check_frame(o, f, len, ref, &live, &res);
		/* once the live image is known: the stored reference itself (WARP with the
		 * identity), then subtraction, then new parameters mid-stream */
		done = gens_done();
		if (done == 2 && !warp_at)
			warp_at = res.frames;
		if (live && done == 1 && !o->bench)
			request_upload(&warp, ident, 1);
		else if (done == 2 && !o->bench && res.frames >= warp_at + 3)
			request_upload(&p0, lut0, 1);
		else if (o->bench && done == 1)
			request_upload(&p0, lut0, 0);
		else if (done == 3 - o->bench && res.frames >= o->change_at && o->change_at > 0)
			request_upload(&p1, lut1, 0);
	}
	res.seconds = now_s() - t0;
	pthread_mutex_lock(&up_lock);
	while (up.busy)
		pthread_cond_wait(&up_cond, &up_lock);
	up.quit = 1;
	pthread_cond_broadcast(&up_cond);
	pthread_mutex_unlock(&up_lock);
	pthread_join(up_thread, NULL);
	if (ioctl(fd, DSR_IOC_STREAM_OFF))
		check(0, "STREAM_OFF: %s", strerror(errno));
	printf("path=%s frames=%d compared=%d mismatched=%d bad=%d gaps=%d bytes=%" PRIu64
	       " seconds=%.3f MBps=%.2f fps=%.1f\n", o->use_mmap ? "mmap" : "read", res.frames,
	       res.compared, res.mismatched, res.bad_headers, res.gaps, res.bytes, res.seconds,
	       res.seconds > 0 ? res.bytes / res.seconds / 1e6 : 0.0,
	       res.seconds > 0 ? (res.frames - 1) / res.seconds : 0.0);
	check(res.frames == o->frames, "%d frames received through %s (wanted %d)", res.frames,
	      o->use_mmap ? "mmap" : "read", o->frames);
	check(res.bad_headers == 0, "every frame's header and CRC valid (%d bad)", res.bad_headers);
	if (!o->bench) {
		check(res.compared == res.frames && res.mismatched == 0,
		      "every pixel of %d frames equals the model (%d compared, %d mismatched)",
		      res.frames, res.compared, res.mismatched);
		if (o->change_at > 0)
			check(n_gens == 4, "reference read back through WARP, subtraction, new "
			      "parameters mid-stream (%d sets committed)", n_gens);
	}
	if (!o->faults && !o->bench)
		check(res.gaps == 0, "no frame lost by sequence number (%d missing)", res.gaps);
	print_stats(fd);
	close(fd);
	dsr_image_free(ref);
	free(lut0);
	free(lut1);
	free(live);
	return verdict();
}

/* ------------------------------------------------------------------ playback */

/* Live frames written by the host, each output compared with the model. */
static int run_playback(const struct stream_opts *o)
{
	int fd = open_dev(o->dev, O_RDWR);
	struct dsr_image *ref = make_reference(o), *live;
	uint16_t *lut0 = make_lut(o->bits, 0), *expect;
	struct dsr_params p0;
	struct stream_result res = { 0 };
	struct reader r;
	int matched = 0;

	subtract_params(&p0, o->width, o->height, o->bits, 0);
	/* the reference first, as a cart does (store the baseline, then register) */
	if (send_image(fd, ref, o->bits, DSR_FLAG_REFERENCE) || set_params(fd, &p0, lut0, 0))
		return verdict();
	reader_init(&r, fd, o->use_mmap);
	expect = malloc((size_t)o->width * o->height * sizeof(*expect));
	for (int i = 0; i < o->frames; i++) {
		struct dsr_frame_info fi;
		const uint8_t *f;
		const char *why;
		size_t len, bad = 0;

		live = test_image(o->width, o->height, o->bits, o->seed + 100 + i, 0.37 * i);
		if (send_image(fd, live, o->bits, 0))
			break;
		f = reader_next(&r, &len, 10000);
		if (!f) {
			check(0, "playback frame %d: %s", i, strerror(errno));
			dsr_image_free(live);
			break;
		}
		res.frames++;
		if (dsr_header_parse(f, len, o->width, o->height, &fi, &why) ||
		    (fi.flags & DSR_FLAG_MODE_MASK) != DSR_MODE_SUBTRACT) {
			check(0, "playback frame %d: %s", i, why ? why : "not a subtraction frame");
			dsr_image_free(live);
			continue;
		}
		dsr_model_frame(&p0, lut0, ref->pixels, live->pixels, expect);
		for (size_t k = 0; k < (size_t)o->width * o->height; k++)
			bad += (uint16_t)(f[DSR_FRAME_HEADER_SIZE + 2 * k] |
					  f[DSR_FRAME_HEADER_SIZE + 2 * k + 1] << 8) != expect[k];
		matched += !bad;
		if (bad && matched == 0 && i == 0) {
			struct param_gen pg = { .p = p0, .lut = lut0 };
			uint16_t *got = malloc((size_t)o->width * o->height * sizeof(*got));

			for (size_t k = 0; k < (size_t)o->width * o->height; k++)
				got[k] = (uint16_t)(f[DSR_FRAME_HEADER_SIZE + 2 * k] |
						    f[DSR_FRAME_HEADER_SIZE + 2 * k + 1] << 8);
			explain_mismatch(&pg, ref, live->pixels, got, expect,
					 (size_t)o->width * o->height, fi.flags);
			free(got);
		}
		if (bad)
			check(0, "playback frame %d (seq %u): %zu pixels differ", i, fi.sequence, bad);
		dsr_image_free(live);
	}
	check(res.frames == o->frames && matched == o->frames,
	      "%d written live frames came back subtracted, bit-exact (%d of %d)", o->frames,
	      matched, res.frames);
	print_stats(fd);
	dsr_image_free(ref);
	free(lut0);
	free(expect);
	close(fd);
	return verdict();
}

/* ------------------------------------------------------------------ api */

/* An ioctl that must fail with @want_errno. */
static void expect_errno(int fd, unsigned long cmd, void *arg, int want, const char *what)
{
	int rc = ioctl(fd, cmd, arg);
	int e = errno;

	check(rc < 0 && e == want, "%s -> %s (got %s)", what, strerror(want),
	      rc < 0 ? strerror(e) : "success");
}

/* The driver's error paths, each with the errno its documentation promises. */
static int run_api(const struct stream_opts *o)
{
	int fd = open_dev(o->dev, O_RDWR), fd2, nb;
	struct dsr_ioc_info info;
	struct dsr_ioc_params ip = { 0 };
	struct dsr_ioc_lut l = { 0 };
	struct dsr_ioc_reg reg = { .addr = DSR_REG_ID };
	struct dsr_ioc_buffer b = { .index = 9999 };
	struct dsr_ioc_stats st;
	struct dsr_params p;
	struct pollfd pfd;
	uint8_t small[16], *buf;
	uint16_t lut[4] = { 1, 2, 3, 4 };
	double t;
	ssize_t n;
	void *map;
	int rc;

	get_info(fd, &info);
	check(info.ioctl_version == DSR_IOCTL_VERSION && info.id == DSR_ID_VALUE &&
	      info.ring_frames >= 2 && info.slot_stride >= info.frame_bytes_max &&
	      info.ring_bytes == (uint64_t)info.ring_frames * info.slot_stride &&
	      info.serial[0] && info.reserved[0] == 0,
	      "GET_INFO: version %u, ring %u x %u bytes, serial %s", info.ioctl_version,
	      info.ring_frames, info.slot_stride, info.serial);

	/* wrong size / unknown number / NULL and wild pointers */
	expect_errno(fd, _IOC(_IOC_READ, DSR_IOC_MAGIC, _IOC_NR(DSR_IOC_GET_INFO), 64), &info,
		     EINVAL, "GET_INFO with a wrong struct size");
	expect_errno(fd, _IOW(DSR_IOC_MAGIC, 0x7f, int), &rc, ENOTTY, "unknown ioctl number");
	expect_errno(fd, DSR_IOC_GET_INFO, NULL, EFAULT, "GET_INFO into NULL");
	expect_errno(fd, DSR_IOC_GET_STATS, (void *)16, EFAULT, "GET_STATS into a wild pointer");
	expect_errno(fd, DSR_IOC_SET_PARAMS, NULL, EFAULT, "SET_PARAMS from NULL");

	/* parameters out of range */
	dsr_params_default(&p, info.max_width, info.max_height, 12);
	ip = (struct dsr_ioc_params){ .mode = p.mode, .width = p.width, .height = p.height,
				      .pixel_bits = p.pixel_bits, .a11 = p.a11, .a22 = p.a22,
				      .gain = p.gain, .midgrey = p.midgrey };
	ip.mode = DSR_MODE_MAX + 1;
	expect_errno(fd, DSR_IOC_SET_PARAMS, &ip, EINVAL, "SET_PARAMS mode out of range");
	ip.mode = DSR_MODE_PASS;
	ip.width = info.max_width + 1;
	expect_errno(fd, DSR_IOC_SET_PARAMS, &ip, EINVAL, "SET_PARAMS width beyond the store");
	ip.width = p.width;
	ip.pixel_bits = 17;
	expect_errno(fd, DSR_IOC_SET_PARAMS, &ip, EINVAL, "SET_PARAMS 17 pixel bits");
	ip.pixel_bits = 12;
	ip.midgrey = 1u << 12;
	expect_errno(fd, DSR_IOC_SET_PARAMS, &ip, EINVAL, "SET_PARAMS midgrey >= 2^bits");
	ip.midgrey = p.midgrey;
	ip.gain = 0x10000;
	expect_errno(fd, DSR_IOC_SET_PARAMS, &ip, EINVAL, "SET_PARAMS gain beyond Q8.8");
	ip.gain = p.gain;
	ip.reserved[1] = 1;
	expect_errno(fd, DSR_IOC_SET_PARAMS, &ip, EINVAL, "SET_PARAMS reserved field set");
	ip.reserved[1] = 0;
	ip.h31 = DSR_H_PERSP_MAX + 1;
	expect_errno(fd, DSR_IOC_SET_PARAMS, &ip, EINVAL, "SET_PARAMS h31 beyond the range");
	ip.h31 = 0;
	ip.flags = 0x80;
	expect_errno(fd, DSR_IOC_SET_PARAMS, &ip, EINVAL, "SET_PARAMS unknown flag");

	/* LUT */
	l = (struct dsr_ioc_lut){ .first = 1, .count = 4, .entries = (uintptr_t)lut };
	expect_errno(fd, DSR_IOC_LOAD_LUT, &l, EINVAL, "LOAD_LUT first not a chunk multiple");
	l.first = 0;
	l.count = DSR_LUT_SIZE + 1;
	expect_errno(fd, DSR_IOC_LOAD_LUT, &l, EINVAL, "LOAD_LUT beyond the LUT");
	l.count = 0;
	expect_errno(fd, DSR_IOC_LOAD_LUT, &l, EINVAL, "LOAD_LUT of nothing");
	l.count = 4;
	l.entries = 0;
	expect_errno(fd, DSR_IOC_LOAD_LUT, &l, EFAULT, "LOAD_LUT from NULL entries");

	/* registers: root only, in range */
	rc = ioctl(fd, DSR_IOC_REG_READ, &reg);
	check(rc == 0 && reg.value == DSR_ID_VALUE, "REG_READ of DSR_REG_ID as root: 0x%08x",
	      reg.value);
	reg.addr = 2;
	expect_errno(fd, DSR_IOC_REG_READ, &reg, EINVAL, "REG_READ of an unaligned address");
	reg.addr = DSR_REG_SPAN;
	expect_errno(fd, DSR_IOC_REG_READ, &reg, EINVAL, "REG_READ beyond the register span");

	/* dequeue/queue misuse */
	expect_errno(fd, DSR_IOC_QBUF, &b, EINVAL, "QBUF of a slot index beyond the ring");

	/* write(): only whole, valid frames */
	memset(small, 0, sizeof(small));
	n = write(fd, small, sizeof(small));
	check(n < 0 && errno == EINVAL, "write() of 16 junk bytes -> EINVAL (got %s)",
	      n < 0 ? strerror(errno) : "success");

	/* mmap is read-only */
	map = mmap(NULL, info.slot_stride, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	check(map == MAP_FAILED && errno == EACCES, "writable mmap of the ring -> EACCES (got %s)",
	      map == MAP_FAILED ? strerror(errno) : "mapped");
	map = mmap(NULL, info.ring_bytes + 4096, PROT_READ, MAP_SHARED, fd, 0);
	check(map == MAP_FAILED, "mmap beyond the ring fails (%s)",
	      map == MAP_FAILED ? strerror(errno) : "mapped");

	/* reading with nothing streaming: poll times out, O_NONBLOCK says EAGAIN */
	nb = open_dev(o->dev, O_RDWR | O_NONBLOCK);
	buf = malloc(info.frame_bytes_max);
	n = read(nb, buf, info.frame_bytes_max);
	check(n < 0 && errno == EAGAIN, "O_NONBLOCK read() with no frame -> EAGAIN (got %s)",
	      n < 0 ? strerror(errno) : "data");
	pfd = (struct pollfd){ .fd = nb, .events = POLLIN };
	t = now_s();
	rc = poll(&pfd, 1, 300);
	t = now_s() - t;
	check(rc == 0 && t > 0.25 && t < 5, "poll() with no frame times out after 300 ms "
	      "(rc %d, %.2f s)", rc, t);

	/* one streaming reader: the other opener gets EBUSY, control ioctls still work */
	n = read(fd, buf, info.frame_bytes_max);
	check(n < 0 && errno == EBUSY, "second streaming reader read() -> EBUSY (got %s)",
	      n < 0 ? strerror(errno) : "data");
	expect_errno(fd, DSR_IOC_STREAM_ON, NULL, EBUSY, "second streaming reader STREAM_ON");
	check(ioctl(fd, DSR_IOC_GET_STATS, &st) == 0 && ioctl(fd, DSR_IOC_GET_INFO, &info) == 0,
	      "control ioctls work while another file streams");

	/* a frame larger than the buffer: EMSGSIZE, and the frame stays for a bigger read */
	ip = (struct dsr_ioc_params){ .mode = DSR_MODE_PASS, .width = o->width,
				      .height = o->height, .pixel_bits = o->bits,
				      .a11 = 1 << DSR_A_FRAC_BITS, .a22 = 1 << DSR_A_FRAC_BITS,
				      .gain = 1 << DSR_GAIN_FRAC_BITS };
	check(ioctl(fd, DSR_IOC_SET_PARAMS, &ip) == 0, "SET_PARAMS (PASS %ux%u) from the "
	      "non-streaming file", o->width, o->height);
	if (ioctl(nb, DSR_IOC_STREAM_ON) == 0) {
		pfd = (struct pollfd){ .fd = nb, .events = POLLIN };
		rc = poll(&pfd, 1, 10000);
		check(rc == 1 && (pfd.revents & POLLIN), "poll() wakes on a frame (rc %d, 0x%x)",
		      rc, pfd.revents);
		n = read(nb, small, sizeof(small));
		check(n < 0 && errno == EMSGSIZE, "read() into 16 bytes -> EMSGSIZE (got %s)",
		      n < 0 ? strerror(errno) : "data");
		n = read(nb, buf, info.frame_bytes_max);
		check(n > DSR_FRAME_HEADER_SIZE, "the same frame then reads whole (%zd bytes)", n);
		rc = poll(&pfd, 1, 10000);
		n = read(nb, NULL, info.frame_bytes_max);
		check(n < 0 && errno == EFAULT, "read() into NULL -> EFAULT (got %s)",
		      n < 0 ? strerror(errno) : "data");
		check(ioctl(nb, DSR_IOC_STREAM_OFF) == 0, "STREAM_OFF");
	} else {
		check(0, "STREAM_ON for the EMSGSIZE check: %s", strerror(errno));
	}
	close(nb);
	fd2 = open_dev(o->dev, O_RDWR | O_NONBLOCK);
	n = read(fd2, buf, info.frame_bytes_max);
	check(n < 0 && errno == EAGAIN, "reader released on close: a new file may stream "
	      "(read -> EAGAIN, got %s)", n < 0 ? strerror(errno) : "data");
	close(fd2);

	/* an unprivileged process: EPERM for raw registers, the rest still works */
	fflush(stdout);
	if (fork() == 0) {
		if (setgid(65534) || setuid(65534))
			_exit(3);
		reg.addr = DSR_REG_ID;
		rc = ioctl(fd, DSR_IOC_REG_READ, &reg);
		if (!(rc < 0 && errno == EPERM))
			_exit(4);
		rc = ioctl(fd, DSR_IOC_REG_WRITE, &reg);
		if (!(rc < 0 && errno == EPERM))
			_exit(5);
		_exit(ioctl(fd, DSR_IOC_GET_STATS, &st) ? 6 : 0);
	} else {
		int status = 0;

		wait(&status);
		check(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		      "uid 65534: REG_READ and REG_WRITE -> EPERM, GET_STATS works (child %d)",
		      WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	}
	free(buf);
	close(fd);
	return verdict();
}

/* ------------------------------------------------------------------ block */

struct blocker {
	int fd, use_poll, err;
	double woke;
};

/* A thread that sleeps in read() or poll() until the board goes away. */
static void *block_thread(void *arg)
{
	struct blocker *b = arg;
	uint8_t buf[64];

	if (b->use_poll) {
		struct pollfd pfd = { .fd = b->fd, .events = POLLIN };
		int rc = poll(&pfd, 1, 60000);

		b->err = rc == 1 && (pfd.revents & (POLLERR | POLLHUP)) ? ENODEV :
			 rc == 0 ? ETIMEDOUT : EIO;
	} else {
		ssize_t n = read(b->fd, buf, sizeof(buf));

		b->err = n < 0 ? errno : 0;
	}
	b->woke = now_s();
	return NULL;
}

/* Block in read() and in poll() until unplug; both must end with ENODEV. */
static int run_block(const struct stream_opts *o)
{
	int fd = open_dev(o->dev, O_RDWR);
	struct blocker rb = { .fd = fd, .use_poll = 0 }, pb = { .fd = fd, .use_poll = 1 };
	pthread_t rt, pt;
	struct dsr_ioc_stats st;
	int rc;

	pthread_create(&rt, NULL, block_thread, &rb);
	pthread_create(&pt, NULL, block_thread, &pb);
	printf("blocked\n");
	fflush(stdout);
	pthread_join(rt, NULL);
	pthread_join(pt, NULL);
	printf("woke=%.3f\n", rb.woke);
	check(rb.err == ENODEV, "blocked read() ends with ENODEV on unplug (got %s)",
	      strerror(rb.err));
	check(pb.err == ENODEV, "blocked poll() ends with POLLERR|POLLHUP on unplug (got %s)",
	      strerror(pb.err));
	/*
	 * The reader wakes when the host controller gives back its URBs; the USB core
	 * runs ->disconnect a moment later (vhci over TCP: after the hub notices the
	 * port change). From then on every ioctl must fail with ENODEV: wait for it,
	 * bounded.
	 */
	for (int i = 0;; i++) {
		rc = ioctl(fd, DSR_IOC_GET_STATS, &st);
		if ((rc < 0 && errno == ENODEV) || i == 50)
			break;
		usleep(100 * 1000);
	}
	check(rc < 0 && errno == ENODEV, "ioctl after unplug -> ENODEV within 5 s of the "
	      "reader waking (got %s after %.2f s)", rc < 0 ? strerror(errno) : "success",
	      now_s() - rb.woke);
	close(fd);
	return verdict();
}

/* ------------------------------------------------------------------ hardening tests */

/* Commit a PASS parameter set of @w x @h (applied at the next frame's start: the board
 * checks written frames against the shadow size at once). */
static int set_pass(int fd, uint32_t w, uint32_t h, uint32_t bits)
{
	struct dsr_params p;

	dsr_params_default(&p, w, h, bits);
	p.mode = DSR_MODE_PASS;
	return set_params(fd, &p, NULL, 0);
}

/* The sysfs name of the USB interface behind /dev/dsrN ("1-1:1.0"), into @name. */
static int intf_name(const char *dev, char *name, size_t len)
{
	char path[128], target[256];
	const char *base = strrchr(dev, '/');
	ssize_t n;

	snprintf(path, sizeof(path), "/sys/class/dsr/%s/device", base ? base + 1 : dev);
	n = readlink(path, target, sizeof(target) - 1);
	if (n < 0)
		return -1;
	target[n] = '\0';
	base = strrchr(target, '/');
	snprintf(name, len, "%s", base ? base + 1 : target);
	return 0;
}

/* Write @text to the sysfs file @path; 0 or -1. */
static int sysfs_write(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = write(fd, text, strlen(text));
	close(fd);
	return n == (ssize_t)strlen(text) ? 0 : -1;
}

/* A frame's payload CRC, recomputed, against its header's. */
static int frame_crc_ok(const uint8_t *f, size_t len)
{
	struct dsr_frame_info fi;
	const char *why;

	if (dsr_header_parse(f, len, DSR_WIDTH_MAX, DSR_HEIGHT_MAX, &fi, &why) ||
	    len != DSR_FRAME_HEADER_SIZE + fi.payload_length)
		return 0;
	return dsr_crc32(0, f + DSR_FRAME_HEADER_SIZE, fi.payload_length) == fi.payload_crc;
}

/* A frame's sequence number (header bytes, little-endian). */
static uint32_t frame_seq(const uint8_t *f)
{
	const uint8_t *p = f + DSR_HDR_OFF_SEQUENCE;

	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* What a background reader saw: frames, the first error, and the newest payload. */
struct bg_reader {
	int fd, stop, first_err, frames, mismatched;
	const uint8_t *expect;		/* compare each PASS payload with this, if set */
	size_t expect_len;
	uint8_t *last;			/* the newest frame (header + payload) */
	size_t last_len;
	pthread_mutex_t lock;
};

/* read() until an error or until told to stop (poll with a timeout, so stop is seen). */
static void *bg_read_thread(void *arg)
{
	struct bg_reader *b = arg;
	size_t cap = (size_t)DSR_FRAME_HEADER_SIZE + (size_t)DSR_WIDTH_MAX * DSR_HEIGHT_MAX * 2;
	uint8_t *buf = malloc(cap);

	while (!b->stop) {
		struct pollfd pfd = { .fd = b->fd, .events = POLLIN };
		ssize_t n;
		int rc = poll(&pfd, 1, 200);

		if (rc < 0 && errno == EINTR)
			continue;
		if (rc == 0)
			continue;
		n = read(b->fd, buf, cap);
		if (n < 0 && errno == EAGAIN)
			continue;
		if (n < 0) {
			b->first_err = errno;
			break;
		}
		pthread_mutex_lock(&b->lock);
		b->frames++;
		if (b->expect && ((size_t)n != DSR_FRAME_HEADER_SIZE + b->expect_len ||
				  memcmp(buf + DSR_FRAME_HEADER_SIZE, b->expect, b->expect_len)))
			b->mismatched++;
		b->last = realloc(b->last, (size_t)n);
		memcpy(b->last, buf, (size_t)n);
		b->last_len = (size_t)n;
		pthread_mutex_unlock(&b->lock);
	}
	free(buf);
	return NULL;
}

/* Frames of @w x @h for the PASS tests: pixels, and the wire frame with a given seed. */
static uint8_t *pass_frame(uint32_t w, uint32_t h, uint32_t bits, uint64_t seed, size_t *len)
{
	struct dsr_image *im = test_image(w, h, bits, seed, (double)(seed % 7));
	uint8_t *f = wire_frame(im, bits, 0, len);

	dsr_image_free(im);
	return f;
}

/* A size of at least @bytes of payload within the board's store (multi-chunk writes). */
static void big_size(const struct dsr_ioc_info *info, size_t bytes, uint32_t *w, uint32_t *h)
{
	*w = info->max_width < 256 ? info->max_width : 256;
	*h = (uint32_t)((bytes / 2 + *w - 1) / *w);
	if (*h > info->max_height)
		*h = info->max_height;
}

static uint64_t stat_out_resyncs(int fd)
{
	struct dsr_ioc_stats s;

	return ioctl(fd, DSR_IOC_GET_STATS, &s) ? 0 : s.out_resyncs;
}

/*
 * unbind: a reader in read() and a writer in write() on the same board; the driver is
 * unbound through sysfs mid-stream. The first error each sees must be ENODEV, and so
 * must every call after; then the interface is bound again.
 */
static int run_unbind(const struct stream_opts *o)
{
	int fd = open_dev(o->dev, O_RDWR), rfd = open_dev(o->dev, O_RDWR | O_NONBLOCK);
	struct bg_reader r = { .fd = rfd, .lock = PTHREAD_MUTEX_INITIALIZER };
	struct dsr_ioc_stats st;
	char intf[256];
	pthread_t rt;
	uint8_t *f;
	size_t len;
	int written = 0, werr = 0, frames, rc;
	ssize_t n;
	double t0;

	if (intf_name(o->dev, intf, sizeof(intf))) {
		check(0, "interface of %s: %s", o->dev, strerror(errno));
		return verdict();
	}
	if (set_pass(fd, o->width, o->height, o->bits))
		return verdict();
	f = pass_frame(o->width, o->height, o->bits, 77, &len);
	pthread_create(&rt, NULL, bg_read_thread, &r);
	t0 = now_s();
	for (;;) {
		pthread_mutex_lock(&r.lock);
		frames = r.frames;
		pthread_mutex_unlock(&r.lock);
		if (written >= 3 && frames >= 2 && sysfs_write("/sys/bus/usb/drivers/dsr/unbind", intf) == 0) {
			printf("unbound %s after %d frames written, %d read\n", intf, written, frames);
			t0 = now_s();
			/* the writer goes on: its first error must be ENODEV */
			for (int i = 0; i < 50 && !werr; i++) {
				n = write(fd, f, len);
				if (n < 0)
					werr = errno;
			}
			break;
		}
		n = write(fd, f, len);
		if (n < 0) {
			werr = errno;
			break;
		}
		written++;
		if (now_s() - t0 > 30)
			break;
	}
	check(written >= 3 && werr == ENODEV, "writer: %d frames written, then first error %s "
	      "(want ENODEV)", written, werr ? strerror(werr) : "none");
	for (int i = 0; i < 50 && !r.first_err; i++)
		usleep(100000);
	r.stop = 1;
	pthread_join(rt, NULL);
	check(r.frames >= 2 && r.first_err == ENODEV, "reader: %d frames read, then first error "
	      "%s (want ENODEV) %.2f s after the unbind", r.frames,
	      r.first_err ? strerror(r.first_err) : "none", now_s() - t0);
	n = read(rfd, f, len);
	check(n < 0 && errno == ENODEV, "read() again -> ENODEV (got %s)", n < 0 ? strerror(errno) : "data");
	n = write(fd, f, len);
	check(n < 0 && errno == ENODEV, "write() again -> ENODEV (got %s)", n < 0 ? strerror(errno) : "success");
	rc = ioctl(fd, DSR_IOC_GET_STATS, &st);
	check(rc < 0 && errno == ENODEV, "ioctl after unbind -> ENODEV (got %s)",
	      rc < 0 ? strerror(errno) : "success");
	close(rfd);
	close(fd);
	rc = sysfs_write("/sys/bus/usb/drivers/dsr/bind", intf);
	check(rc == 0, "bound %s again (%s)", intf, rc ? strerror(errno) : "ok");
	free(f);
	free(r.last);
	return verdict();
}

/*
 * stuck: the board stalls bulk IN and refuses to clear the halt (dsr-sim --fault
 * stall-stuck). The reader must get an error within 5 s, and the same error on every
 * later call until it stops the stream; no call may hang.
 */
static int run_stuck(const struct stream_opts *o)
{
	int fd = open_dev(o->dev, O_RDWR);
	struct reader r;
	const uint8_t *f;
	size_t len;
	int frames = 0, err = 0;
	double t_last = 0, t_err = 0;
	struct pollfd pfd;
	ssize_t n;
	int rc;

	if (set_pass(fd, o->width, o->height, o->bits))
		return verdict();
	reader_init(&r, fd, 0);
	if (ioctl(fd, DSR_IOC_STREAM_ON)) {
		check(0, "STREAM_ON: %s", strerror(errno));
		return verdict();
	}
	for (;;) {
		f = reader_next(&r, &len, 8000);
		if (!f) {
			err = errno;
			t_err = now_s();
			break;
		}
		frames++;
		t_last = now_s();
	}
	check(frames >= 1 && (err == EPIPE || err == EIO), "%d frames, then %s %.2f s after the "
	      "last frame (want EPIPE or EIO within 5 s, not a timeout)", frames, strerror(err),
	      t_err - t_last);
	check(t_err - t_last < 5.0, "the broken stream was reported within 5 s (%.2f s)",
	      t_err - t_last);
	n = read(fd, r.buf, r.info.frame_bytes_max);
	check(n < 0 && errno == err, "read() again -> the same error at once (got %s)",
	      n < 0 ? strerror(errno) : "data");
	pfd = (struct pollfd){ .fd = fd, .events = POLLIN };
	rc = poll(&pfd, 1, 2000);
	check(rc == 1 && (pfd.revents & POLLERR), "poll() -> POLLERR at once (rc %d, revents "
	      "0x%x)", rc, pfd.revents);
	check(ioctl(fd, DSR_IOC_STREAM_OFF) == 0, "STREAM_OFF ends the broken stream");
	print_stats(fd);
	close(fd);
	return verdict();
}

struct flipper {
	uint8_t *byte;
	volatile int go, done, stop;
	unsigned long flips;
};

/* Each time the writer starts a write() (go), toggle the byte 2 ms into it: after the
 * driver copied the frame, while the first chunk is on its way. */
static void *flip_thread(void *arg)
{
	struct flipper *fl = arg;
	int seen = 0;

	while (!fl->stop) {
		if (fl->go == seen) {
			usleep(100);
			continue;
		}
		seen = fl->go;
		usleep(2000);
		*(volatile uint8_t *)fl->byte ^= 0x20;
		fl->flips++;
		fl->done = seen;
	}
	return NULL;
}

/*
 * toctou: a thread changes the trailer of a multi-chunk frame while write() sends it:
 * every other frame starts valid and is broken 2 ms into the call, the others start
 * broken and are mended. A driver that checks one read of the buffer and sends another
 * sends a broken trailer (the board refuses it: EPIPE) or sends what it should have
 * refused. Here each write() must either refuse the frame (EINVAL) or send a valid one:
 * the board never refuses a frame (the suite also checks dsr-sim logged no refusal), and
 * each accepted frame comes back bit-exact (PASS mode).
 */
static int run_toctou(const struct stream_opts *o)
{
	int fd = open_dev(o->dev, O_RDWR), rfd = open_dev(o->dev, O_RDWR | O_NONBLOCK);
	struct bg_reader r = { .fd = rfd, .lock = PTHREAD_MUTEX_INITIALIZER };
	struct dsr_ioc_info info;
	struct flipper fl = { 0 };
	uint32_t w, h;
	uint8_t *f;
	size_t len;
	int ok = 0, einval = 0, timedout = 0, other = 0, last_other = 0;
	pthread_t rt, ft;

	get_info(fd, &info);
	big_size(&info, 66000, &w, &h);
	if (set_pass(fd, w, h, o->bits))
		return verdict();
	f = pass_frame(w, h, o->bits, 91, &len);
	r.expect = f + DSR_FRAME_HEADER_SIZE;
	r.expect_len = len - DSR_FRAME_HEADER_SIZE - DSR_FRAME_TRAILER_SIZE;
	pthread_create(&rt, NULL, bg_read_thread, &r);
	fl.byte = f + len - DSR_FRAME_TRAILER_SIZE + DSR_TRL_OFF_MAGIC;
	pthread_create(&ft, NULL, flip_thread, &fl);
	for (int i = 0; i < o->frames; i++) {
		ssize_t n;

		if (((*fl.byte ^ (uint8_t)(DSR_TRAILER_MAGIC & 0xff)) != 0) != (i % 2))
			*fl.byte ^= 0x20;	/* even: starts valid; odd: starts broken */
		fl.go = i + 1;
		n = write(fd, f, len);
		while (fl.done != i + 1)
			usleep(500);
		if (n == (ssize_t)len)
			ok++;
		else if (n < 0 && errno == EINVAL)
			einval++;
		else if (n < 0 && errno == ETIMEDOUT)
			timedout++;	/* a slow board: the cut frame is resynchronised */
		else
			other++, last_other = n < 0 ? errno : 0;
	}
	fl.stop = 1;
	pthread_join(ft, NULL);
	if (*fl.byte != (uint8_t)(DSR_TRAILER_MAGIC & 0xff))
		*fl.byte ^= 0x20;
	for (int i = 0; i < 100; i++) {
		pthread_mutex_lock(&r.lock);
		int got = r.frames;

		pthread_mutex_unlock(&r.lock);
		if (got >= ok)
			break;
		usleep(100000);
	}
	r.stop = 1;
	pthread_join(rt, NULL);
	printf("toctou: %dx%d frames of %zu bytes, %lu flips: %d sent, %d refused by the "
	       "driver, %d timed out, %d other\n", w, h, len, fl.flips, ok, einval, timedout,
	       other);
	check(other == 0, "every write() sent the frame, refused it with EINVAL or timed out "
	      "on a slow board; never EPIPE (%d other outcomes, last %s)", other,
	      strerror(last_other));
	check(ok > 0 && einval > 0, "the race went both ways: %d sent, %d refused", ok, einval);
	/* a write that timed out on its last chunk may still have reached the board whole */
	check(r.frames >= ok && r.frames <= ok + timedout && r.mismatched == 0, "each sent "
	      "frame came back from the board bit-exact (%d for %d sent, %d mismatched)",
	      r.frames, ok, r.mismatched);
	close(rfd);
	close(fd);
	free(f);
	free(r.last);
	return verdict();
}

/*
 * sigkill: a child writes multi-chunk frames in a loop and is killed mid-write, several
 * times; after each kill the next write() must succeed and its frame come back
 * bit-exact, which needs the board resynchronised if the kill cut a frame.
 */
static int run_sigkill(const struct stream_opts *o)
{
	int fd = open_dev(o->dev, O_RDWR), rfd = open_dev(o->dev, O_RDWR | O_NONBLOCK);
	struct bg_reader r = { .fd = rfd, .lock = PTHREAD_MUTEX_INITIALIZER };
	struct dsr_ioc_info info;
	uint64_t resync0;
	uint32_t w, h;
	uint8_t *junk, *mine;
	size_t len;
	int good = 0, kills = o->frames > 0 ? o->frames : 4;
	pthread_t rt;

	get_info(fd, &info);
	big_size(&info, 140000, &w, &h);
	if (set_pass(fd, w, h, o->bits))
		return verdict();
	junk = pass_frame(w, h, o->bits, 5, &len);
	pthread_create(&rt, NULL, bg_read_thread, &r);
	resync0 = stat_out_resyncs(fd);
	srand(7);
	for (int k = 0; k < kills; k++) {
		pid_t pid;
		ssize_t n;
		int ok = 0;

		fflush(stdout);
		pid = fork();
		if (pid == 0) {
			for (;;)
				if (write(fd, junk, len) < 0 && errno == ENODEV)
					_exit(1);
		}
		usleep(150000 + (rand() % 400) * 1000);
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		mine = pass_frame(w, h, o->bits, 1000 + k, &len);
		n = write(fd, mine, len);
		if (n != (ssize_t)len) {
			check(0, "kill %d: the next write() failed: %s", k + 1,
			      n < 0 ? strerror(errno) : "short");
			free(mine);
			continue;
		}
		/* the frame written after the kill comes back, bit-exact */
		for (int i = 0; i < 100 && !ok; i++) {
			pthread_mutex_lock(&r.lock);
			ok = r.last && r.last_len == len - DSR_FRAME_TRAILER_SIZE &&
			     !memcmp(r.last + DSR_FRAME_HEADER_SIZE, mine + DSR_FRAME_HEADER_SIZE,
				     len - DSR_FRAME_HEADER_SIZE - DSR_FRAME_TRAILER_SIZE);
			pthread_mutex_unlock(&r.lock);
			if (!ok)
				usleep(100000);
		}
		good += ok;
		if (!ok)
			check(0, "kill %d: the frame written next did not come back bit-exact", k + 1);
		free(mine);
	}
	r.stop = 1;
	pthread_join(rt, NULL);
	check(good == kills, "after each of %d SIGKILLs mid-write the next write() succeeded "
	      "and came back bit-exact (%d)", kills, good);
	check(stat_out_resyncs(fd) > resync0, "the driver resynchronised bulk OUT after the "
	      "cut frames (%llu times)", (unsigned long long)(stat_out_resyncs(fd) - resync0));
	print_stats(fd);
	close(rfd);
	close(fd);
	free(junk);
	free(r.last);
	return verdict();
}

/* Several threads on one file, half read(), half DQBUF/QBUF. */
struct mt_shared {
	int fd, want, got, dup, bad, err;
	const uint8_t *ring;
	size_t max;
	uint8_t *seen;		/* by sequence, modulo 65536 */
	pthread_mutex_t lock;
};

struct mt_thread {
	struct mt_shared *s;
	int use_dq;
};

/* Note one delivered frame; returns non-zero when enough have been seen. */
static int mt_note(struct mt_shared *s, const uint8_t *f, size_t len)
{
	uint32_t seq = frame_seq(f) & 0xffff;
	int done;

	pthread_mutex_lock(&s->lock);
	s->got++;
	s->dup += s->seen[seq];
	s->seen[seq] = 1;
	s->bad += !frame_crc_ok(f, len);
	done = s->got >= s->want;
	pthread_mutex_unlock(&s->lock);
	return done;
}

static void *mt_thread_fn(void *arg)
{
	struct mt_thread *t = arg;
	struct mt_shared *s = t->s;
	uint8_t *buf = t->use_dq ? NULL : malloc(s->max);

	for (;;) {
		struct pollfd pfd = { .fd = s->fd, .events = POLLIN };
		struct dsr_ioc_buffer b = { 0 };
		int done;

		pthread_mutex_lock(&s->lock);
		done = s->got >= s->want || s->err;
		pthread_mutex_unlock(&s->lock);
		if (done)
			break;
		if (poll(&pfd, 1, 200) <= 0)
			continue;
		if (t->use_dq) {
			if (ioctl(s->fd, DSR_IOC_DQBUF, &b)) {
				if (errno != EAGAIN)
					s->err = errno;
				continue;
			}
			mt_note(s, s->ring + b.offset, b.bytes_used);
			if (ioctl(s->fd, DSR_IOC_QBUF, &b))
				s->err = errno;
		} else {
			ssize_t n = read(s->fd, buf, s->max);

			if (n < 0) {
				if (errno != EAGAIN)
					s->err = errno;
				continue;
			}
			mt_note(s, buf, (size_t)n);
		}
	}
	free(buf);
	return NULL;
}

static int run_threads(const struct stream_opts *o)
{
	int fd = open_dev(o->dev, O_RDWR | O_NONBLOCK);
	struct mt_shared s = { .fd = fd, .want = o->frames, .lock = PTHREAD_MUTEX_INITIALIZER };
	struct mt_thread t[4];
	struct dsr_ioc_stats st0, st1;
	struct dsr_ioc_info info;
	pthread_t th[4];
	void *map;

	get_info(fd, &info);
	if (set_pass(fd, o->width, o->height, o->bits))
		return verdict();
	map = mmap(NULL, info.ring_bytes, PROT_READ, MAP_SHARED, fd, 0);
	if (map == MAP_FAILED) {
		check(0, "mmap: %s", strerror(errno));
		return verdict();
	}
	s.ring = map;
	s.max = info.frame_bytes_max;
	s.seen = calloc(65536, 1);
	ioctl(fd, DSR_IOC_GET_STATS, &st0);
	if (ioctl(fd, DSR_IOC_STREAM_ON)) {
		check(0, "STREAM_ON: %s", strerror(errno));
		return verdict();
	}
	for (int i = 0; i < 4; i++) {
		t[i] = (struct mt_thread){ .s = &s, .use_dq = i % 2 };
		pthread_create(&th[i], NULL, mt_thread_fn, &t[i]);
	}
	for (int i = 0; i < 4; i++)
		pthread_join(th[i], NULL);
	ioctl(fd, DSR_IOC_STREAM_OFF);
	ioctl(fd, DSR_IOC_GET_STATS, &st1);
	check(s.err == 0, "4 threads on one file (2 read(), 2 DQBUF/QBUF): no error (%s)",
	      s.err ? strerror(s.err) : "none");
	check(s.got >= s.want && s.dup == 0 && s.bad == 0, "%d frames delivered, none twice "
	      "(%d duplicates), every CRC right (%d bad)", s.got, s.dup, s.bad);
	check(st1.frames_read - st0.frames_read == (uint64_t)s.got, "frames_read counts each "
	      "delivery once (%llu, delivered %d)",
	      (unsigned long long)(st1.frames_read - st0.frames_read), s.got);
	munmap(map, info.ring_bytes);
	free(s.seen);
	close(fd);
	return verdict();
}

/*
 * dqall: the reader dequeues every slot and holds them. Arriving frames are then
 * dropped (counted), the held slots are never touched, and after QBUF newer frames
 * flow again.
 */
static int run_dqall(const struct stream_opts *o)
{
	int fd = open_dev(o->dev, O_RDWR);
	struct dsr_ioc_info info;
	struct dsr_ioc_stats st0, st1;
	struct dsr_ioc_buffer b[256], nb;
	uint32_t crc[256], maxseq = 0;
	const uint8_t *ring;
	struct reader r;
	int held = 0, intact = 0, rc, nfd;
	size_t len;
	const uint8_t *f;

	get_info(fd, &info);
	if (set_pass(fd, o->width, o->height, o->bits))
		return verdict();
	reader_init(&r, fd, 1);
	ring = r.ring;
	if (ioctl(fd, DSR_IOC_STREAM_ON)) {
		check(0, "STREAM_ON: %s", strerror(errno));
		return verdict();
	}
	for (unsigned int i = 0; i < info.ring_frames && i < 256; i++) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };

		memset(&b[i], 0, sizeof(b[i]));
		if (poll(&pfd, 1, 10000) != 1 || ioctl(fd, DSR_IOC_DQBUF, &b[i])) {
			check(0, "DQBUF %u of %u: %s", i + 1, info.ring_frames, strerror(errno));
			break;
		}
		crc[i] = dsr_crc32(0, ring + b[i].offset, b[i].bytes_used);
		if (b[i].sequence > maxseq)
			maxseq = b[i].sequence;
		held++;
	}
	check(held == (int)info.ring_frames, "every slot dequeued and held (%d of %u)", held,
	      info.ring_frames);
	ioctl(fd, DSR_IOC_GET_STATS, &st0);
	for (int i = 0; i < 100; i++) {
		usleep(100000);
		ioctl(fd, DSR_IOC_GET_STATS, &st1);
		if (st1.frames_dropped >= st0.frames_dropped + 3)
			break;
	}
	check(st1.frames_dropped >= st0.frames_dropped + 3, "frames arriving meanwhile are "
	      "dropped and counted (%llu dropped)",
	      (unsigned long long)(st1.frames_dropped - st0.frames_dropped));
	for (int i = 0; i < held; i++)
		intact += dsr_crc32(0, ring + b[i].offset, b[i].bytes_used) == crc[i] &&
			  frame_seq(ring + b[i].offset) == b[i].sequence;
	check(intact == held, "no held slot was overwritten (%d of %d intact)", intact, held);
	nfd = open_dev(o->dev, O_RDWR | O_NONBLOCK);
	close(nfd);
	memset(&nb, 0, sizeof(nb));
	rc = fcntl(fd, F_SETFL, O_NONBLOCK);
	rc = ioctl(fd, DSR_IOC_DQBUF, &nb);
	check(rc < 0 && errno == EAGAIN, "nothing else to dequeue meanwhile (DQBUF -> %s)",
	      rc < 0 ? strerror(errno) : "a frame");
	fcntl(fd, F_SETFL, 0);
	for (int i = 0; i < held; i++)
		if (ioctl(fd, DSR_IOC_QBUF, &b[i]))
			check(0, "QBUF slot %u: %s", b[i].index, strerror(errno));
	r.held = -1;
	f = reader_next(&r, &len, 10000);
	check(f && frame_seq(f) > maxseq && frame_crc_ok(f, len), "after QBUF a newer frame "
	      "arrives (sequence %u > %u)", f ? frame_seq(f) : 0, maxseq);
	ioctl(fd, DSR_IOC_STREAM_OFF);
	close(fd);
	return verdict();
}

/*
 * nocrc: with check_crc=0 (the suite sets it) and dsr-sim --fault bad-crc, frames come
 * without DSR_FLAG_CRC_VALID, the board's CRC in the header; the broken ones are
 * delivered (not counted as CRC errors), and libdsr's device transport catches them.
 */
static int run_nocrc(const struct stream_opts *o)
{
	int fd = open_dev(o->dev, O_RDWR);
	struct reader r;
	struct dsr_ioc_stats st;
	struct dsr_board *bd;
	struct dsr_frame df;
	int frames = 0, flagged = 0, wrong = 0, lib_ok = 0, lib_crc = 0, lib_other = 0;
	const uint8_t *f;
	size_t len;

	if (set_pass(fd, o->width, o->height, o->bits))
		return verdict();
	reader_init(&r, fd, 0);
	if (ioctl(fd, DSR_IOC_STREAM_ON)) {
		check(0, "STREAM_ON: %s", strerror(errno));
		return verdict();
	}
	while (frames < o->frames && (f = reader_next(&r, &len, 10000))) {
		struct dsr_frame_info fi;
		const char *why;

		frames++;
		if (dsr_header_parse(f, len, DSR_WIDTH_MAX, DSR_HEIGHT_MAX, &fi, &why))
			continue;
		flagged += !!(fi.flags & DSR_FLAG_CRC_VALID);
		wrong += !frame_crc_ok(f, len);
	}
	ioctl(fd, DSR_IOC_GET_STATS, &st);
	check(frames == o->frames && flagged == 0, "%d frames, none marked CRC_VALID (%d)",
	      frames, flagged);
	check(wrong > 0 && st.crc_errors == 0, "frames with a wrong CRC were delivered, not "
	      "checked (%d wrong, crc_errors %llu)", wrong, (unsigned long long)st.crc_errors);
	ioctl(fd, DSR_IOC_STREAM_OFF);
	close(fd);
	bd = dsr_board_open(o->dev);
	if (!bd) {
		check(0, "dsr_board_open %s: %s", o->dev, dsr_error());
		return verdict();
	}
	if (dsr_board_stream_on(bd))
		check(0, "libdsr stream on: %s", dsr_error());
	for (int i = 0; i < o->frames; i++) {
		if (!dsr_board_next_frame(bd, &df, 10000)) {
			lib_ok++;
			if (!(df.info.flags & DSR_FLAG_CRC_VALID))
				check(0, "libdsr handed out frame %u without CRC_VALID", df.info.sequence);
		} else if (strstr(dsr_error(), "CRC")) {
			lib_crc++;
		} else {
			lib_other++;
			printf("libdsr: %s\n", dsr_error());
		}
	}
	dsr_board_close(bd);
	check(lib_ok > 0 && lib_crc > 0 && lib_other == 0, "libdsr checked the CRC itself: %d "
	      "frames good, %d refused for their CRC, %d other errors", lib_ok, lib_crc, lib_other);
	return verdict();
}

/* A /proc/meminfo value in kB, or -1. */
static long meminfo_kb(const char *key)
{
	FILE *fp = fopen("/proc/meminfo", "r");
	char line[128];
	long v = -1;

	while (fp && fgets(line, sizeof(line), fp))
		if (!strncmp(line, key, strlen(key)) && line[strlen(key)] == ':')
			v = strtol(line + strlen(key) + 1, NULL, 10);
	if (fp)
		fclose(fp);
	return v;
}

/* Caches dropped, then the unreclaimable slab and vmalloc use. */
static void mem_now(long *slab, long *vm)
{
	sync();
	sysfs_write("/proc/sys/vm/drop_caches", "3");
	usleep(200000);
	*slab = meminfo_kb("SUnreclaim");
	*vm = meminfo_kb("VmallocUsed");
}

/* One open / stream / close cycle; every @frame_every-th one waits for a real frame. */
static int one_cycle(const char *dev, int with_frame, uint8_t *buf, size_t cap)
{
	int fd = open(dev, O_RDWR | O_NONBLOCK | O_CLOEXEC), rc = 0;
	ssize_t n;

	if (fd < 0)
		return -1;
	if (with_frame) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };

		if (ioctl(fd, DSR_IOC_STREAM_ON) || poll(&pfd, 1, 10000) != 1 ||
		    read(fd, buf, cap) <= 0)
			rc = -1;
	} else {
		n = read(fd, buf, cap);		/* starts the stream: URBs allocated, submitted */
		if (!(n < 0 && errno == EAGAIN) && n <= 0)
			rc = -1;
	}
	close(fd);
	return rc;
}

/* cycles: N open/stream/close cycles; unreclaimable slab and vmalloc use unchanged. */
static int run_cycles(const struct stream_opts *o)
{
	int fd = open_dev(o->dev, O_RDWR), failed = 0;
	struct dsr_ioc_info info;
	long s0, v0, s1, v1;
	uint8_t *buf;
	double t;

	get_info(fd, &info);
	if (set_pass(fd, o->width, o->height, o->bits))
		return verdict();
	close(fd);
	buf = malloc(info.frame_bytes_max);
	one_cycle(o->dev, 1, buf, info.frame_bytes_max);	/* the ring, allocated once */
	mem_now(&s0, &v0);
	t = now_s();
	for (int i = 0; i < o->frames; i++)
		failed += one_cycle(o->dev, i % 100 == 0, buf, info.frame_bytes_max) != 0;
	t = now_s() - t;
	mem_now(&s1, &v1);
	printf("cycles=%d seconds=%.1f SUnreclaim_kB=%ld->%ld VmallocUsed_kB=%ld->%ld\n",
	       o->frames, t, s0, s1, v0, v1);
	check(failed == 0, "%d open/stream/close cycles (every 100th with a frame), %d failed",
	      o->frames, failed);
	check(s1 - s0 < 256, "unreclaimable slab unchanged: %ld kB -> %ld kB (less than 256 kB "
	      "growth allowed for the kernel's own churn)", s0, s1);
	check(v1 - v0 <= 0, "VmallocUsed unchanged: %ld kB -> %ld kB", v0, v1);
	free(buf);
	return verdict();
}

/*
 * pollside: poll() has no side effect beyond read()'s. EPOLLOUT alone does not start
 * the stream; EPOLLIN claims it as read() would; a second file polling for EPOLLIN is
 * simply not readable (no EPOLLERR to spin on) until the first closes.
 */
static int run_pollside(const struct stream_opts *o)
{
	int fd1 = open_dev(o->dev, O_RDWR), fd2 = open_dev(o->dev, O_RDWR | O_NONBLOCK), rc;
	struct pollfd pfd;
	struct dsr_ioc_info info;
	uint8_t buf[64];
	ssize_t n;

	pfd = (struct pollfd){ .fd = fd1, .events = POLLOUT };
	rc = poll(&pfd, 1, 0);
	get_info(fd1, &info);
	check(rc == 1 && (pfd.revents & POLLOUT) && !info.streaming,
	      "poll(POLLOUT) on an idle board: writable, nothing started (revents 0x%x, "
	      "streaming %u)", pfd.revents, info.streaming);
	pfd = (struct pollfd){ .fd = fd1, .events = POLLIN };
	rc = poll(&pfd, 1, 300);
	get_info(fd1, &info);
	check(rc == 0 && info.streaming, "poll(POLLIN) claims the stream as read() would "
	      "(rc %d, streaming %u)", rc, info.streaming);
	pfd = (struct pollfd){ .fd = fd2, .events = POLLIN };
	rc = poll(&pfd, 1, 300);
	check(rc == 0, "a second file polling POLLIN is not readable and gets no POLLERR "
	      "(rc %d, revents 0x%x)", rc, pfd.revents);
	close(fd1);
	pfd = (struct pollfd){ .fd = fd2, .events = POLLIN };
	rc = poll(&pfd, 1, 300);
	n = read(fd2, buf, sizeof(buf));
	check(rc == 0 && n < 0 && errno == EAGAIN, "once the first file closed, the second "
	      "streams (poll rc %d, read -> %s)", rc, n < 0 ? strerror(errno) : "data");
	close(fd2);
	return verdict();
}

/* ------------------------------------------------------------------ main */

static void usage(void)
{
	fprintf(stderr,
		"usage: dsr-drvtest stream|playback|api|block|stats|unbind|stuck|toctou|sigkill|\n"
		"                   threads|dqall|nocrc|cycles|pollside DEV [options]\n"
		"       dsr-drvtest mklive FILE.pgm [--size WxH] [--bits B] [--seed S]\n"
		"  -n N          frames (stream, playback)\n"
		"  --mmap        take frames from the mapped ring (default read())\n"
		"  --size WxH    frame size (default 64x48)\n"
		"  --bits B      pixel bits (default 12)\n"
		"  --change-at K commit new parameters after K frames (stream)\n"
		"  --bench       no pixel comparison, only headers; the CRC flag trusted (stream)\n"
		"  --faults      the simulator injects faults: tolerate missing frames\n"
		"  --seed S      phantom seed\n");
	exit(2);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "mmap", no_argument, NULL, 'm' },
		{ "size", required_argument, NULL, 's' },
		{ "bits", required_argument, NULL, 'b' },
		{ "change-at", required_argument, NULL, 'c' },
		{ "bench", no_argument, NULL, 'B' },
		{ "faults", no_argument, NULL, 'f' },
		{ "seed", required_argument, NULL, 'S' },
		{ NULL, 0, NULL, 0 },
	};
	struct stream_opts o = { .frames = 50, .width = 64, .height = 48, .bits = 12, .seed = 5 };
	const char *cmd;
	int c;

	if (argc < 3)
		usage();
	cmd = argv[1];
	o.dev = argv[2];
	optind = 3;
	while ((c = getopt_long(argc, argv, "n:", opts, NULL)) != -1) {
		switch (c) {
		case 'n': o.frames = atoi(optarg); break;
		case 'm': o.use_mmap = 1; break;
		case 's':
			if (sscanf(optarg, "%ux%u", &o.width, &o.height) != 2)
				usage();
			break;
		case 'b': o.bits = (uint32_t)atoi(optarg); break;
		case 'c': o.change_at = atoi(optarg); break;
		case 'B': o.bench = 1; break;
		case 'f': o.faults = 1; break;
		case 'S': o.seed = strtoull(optarg, NULL, 0); break;
		default: usage();
		}
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!strcmp(cmd, "stream"))
		return run_stream(&o);
	if (!strcmp(cmd, "playback"))
		return run_playback(&o);
	if (!strcmp(cmd, "api"))
		return run_api(&o);
	if (!strcmp(cmd, "block"))
		return run_block(&o);
	if (!strcmp(cmd, "unbind"))
		return run_unbind(&o);
	if (!strcmp(cmd, "stuck"))
		return run_stuck(&o);
	if (!strcmp(cmd, "toctou"))
		return run_toctou(&o);
	if (!strcmp(cmd, "sigkill"))
		return run_sigkill(&o);
	if (!strcmp(cmd, "threads"))
		return run_threads(&o);
	if (!strcmp(cmd, "dqall"))
		return run_dqall(&o);
	if (!strcmp(cmd, "nocrc"))
		return run_nocrc(&o);
	if (!strcmp(cmd, "cycles"))
		return run_cycles(&o);
	if (!strcmp(cmd, "pollside"))
		return run_pollside(&o);
	if (!strcmp(cmd, "mklive")) {
		/* the live image for dsr-sim --live: the same generator, another seed */
		struct dsr_image *im = test_image(o.width, o.height, o.bits, o.seed + 1, 1.5);

		if (dsr_image_save(im, o.dev)) {
			fprintf(stderr, "dsr-drvtest: %s: %s\n", o.dev, dsr_error());
			return 1;
		}
		dsr_image_free(im);
		return 0;
	}
	if (!strcmp(cmd, "stats")) {
		int fd = open_dev(o.dev, O_RDONLY);

		print_stats(fd);
		close(fd);
		return 0;
	}
	usage();
	return 2;
}
