/*
 * board_speed.c - the simulated board's own speed, below the bridge: PASS frames of
 * W x H fed through board.h and taken back, CPU time and pipeline clocks per pixel.
 * `make bench` runs it on each build and prints one line per build:
 *   BENCH sim board=<name> size=<w>x<h> frames=<n> px_per_cpu_s=<x> cycles_per_px=<y>
 * Every output frame's pixels are checked against what was fed (PASS is the identity on
 * the configured bits), so a broken build cannot post a number.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "board/board.h"
#include "dsr/dsr_hw.h"

static double cpu_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
	return (double)t.tv_sec + t.tv_nsec * 1e-9;
}

static int setup(struct board *b, uint32_t w, uint32_t h)
{
	return board_reg_write(b, DSR_REG_MODE, DSR_MODE_PASS) < 0 ||
	       board_reg_write(b, DSR_REG_WIDTH, w) < 0 ||
	       board_reg_write(b, DSR_REG_HEIGHT, h) < 0 ||
	       board_reg_write(b, DSR_REG_PIXEL_BITS, 16) < 0 ||
	       board_reg_write(b, DSR_REG_CTRL, DSR_CTRL_COMMIT) < 0 ? -1 : 0;
}

/* The pixels of the output frame ending at @end in @o against @px. */
static int check_frame(const uint8_t *f, size_t len, const uint16_t *px, uint32_t w, uint32_t h)
{
	size_t n = (size_t)w * h;

	if (len != DSR_FRAME_HEADER_SIZE + 2 * n + DSR_FRAME_TRAILER_SIZE)
		return -1;
	for (size_t i = 0; i < n; i++)
		if ((uint16_t)(f[DSR_FRAME_HEADER_SIZE + 2 * i] |
			       f[DSR_FRAME_HEADER_SIZE + 2 * i + 1] << 8) != px[i])
			return -1;
	return 0;
}

int main(int argc, char **argv)
{
	const char *name = argc > 1 ? argv[1] : "?";
	uint32_t w = argc > 2 ? (uint32_t)atoi(argv[2]) : 256;
	uint32_t h = argc > 3 ? (uint32_t)atoi(argv[3]) : 256;
	unsigned frames = argc > 4 ? (unsigned)atoi(argv[4]) : 8;
	size_t flen = DSR_FRAME_HEADER_SIZE + 2ull * w * h + DSR_FRAME_TRAILER_SIZE;
	struct board *b = board_new();
	uint16_t *px = malloc((size_t)w * h * sizeof(*px));
	struct board_out o = { .cap = 2 * flen };
	unsigned fed = 0, done = 0;
	uint64_t c0;
	double t0;

	o.buf = malloc(o.cap);
	if (!b || !px || !o.buf || !w || !h || !frames || setup(b, w, h) < 0) {
		fprintf(stderr, "board_speed: no board, or it refused %ux%u\n", w, h);
		return 1;
	}
	for (size_t i = 0; i < (size_t)w * h; i++)
		px[i] = (uint16_t)(i * 2654435761u >> 7);
	c0 = board_cycles(b);
	t0 = cpu_s();
	while (done < frames) {
		if (fed < frames && !board_input_busy(b) && board_feed(b, px, w, h, 0) == 0)
			fed++;
		board_run(b, 4096, &o);
		if (o.nends) {
			if (check_frame(o.buf, o.ends[0], px, w, h) < 0) {
				fprintf(stderr, "board_speed: frame %u differs from its input\n", done);
				return 1;
			}
			memmove(o.buf, o.buf + o.ends[0], o.len - o.ends[0]);
			o.len -= o.ends[0];
			for (unsigned i = 1; i < o.nends; i++)
				o.ends[i - 1] = o.ends[i] - o.ends[0];
			o.nends--;
			done++;
		}
		if (board_cycles(b) - c0 > 64ull * frames * w * h + 10000000) {
			fprintf(stderr, "board_speed: %u of %u frames after %llu clocks\n", done,
				frames, (unsigned long long)(board_cycles(b) - c0));
			return 1;
		}
	}
	double s = cpu_s() - t0, pixels = (double)frames * w * h;
	printf("BENCH sim board=%s size=%ux%u frames=%u px_per_cpu_s=%.0f cycles_per_px=%.3f\n",
	       name, w, h, frames, pixels / s, (double)(board_cycles(b) - c0) / pixels);
	board_free(b);
	free(px);
	free(o.buf);
	return 0;
}
