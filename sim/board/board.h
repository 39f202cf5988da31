/*
 * board.h - the Verilated board (dsr_top) behind a small C interface.
 *
 * The bridge model drives the RTL's three ports through this: the register bus, the
 * live pixel input (one frame at a time, with start-of-frame and end-of-line marks) and
 * the output word stream (packed into little-endian bytes, frame ends marked). The
 * clock only advances inside board_run() and the register calls, so the simulator's
 * single-threaded event loop decides when the RTL runs.
 */
#ifndef SIM_BOARD_H
#define SIM_BOARD_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct board;

/* Where board_run() puts output bytes; the RTL is back-pressured (m_ready low) when
 * @cap is reached. @ends[] receives the byte offsets just past each frame's last word. */
#define BOARD_OUT_ENDS_MAX 64
struct board_out {
	uint8_t *buf;
	size_t cap, len;
	size_t ends[BOARD_OUT_ENDS_MAX];
	unsigned int nends;
};

/* A board held in reset for a few cycles, then released. NULL if out of memory. */
struct board *board_new(void);
void board_free(struct board *b);
void board_reset(struct board *b);

/* Register bus access; -1 if the RTL did not answer within a bounded number of cycles.
 * The pixel streams pause (no input offered, no output taken) during the access. */
int board_reg_read(struct board *b, uint32_t addr, uint32_t *value);
int board_reg_write(struct board *b, uint32_t addr, uint32_t value);

/* Start streaming a frame of @width x @height pixels into the live input; @pixels must
 * stay valid until board_input_busy() returns 0. Returns -1 if a frame is still being
 * fed. */
int board_feed(struct board *b, const uint16_t *pixels, uint32_t width, uint32_t height);
int board_input_busy(const struct board *b);

/* Run up to @cycles clocks, feeding input and collecting output into @o. Stops early
 * when @o is full or BOARD_OUT_ENDS_MAX frames ended. Returns the cycles run. */
uint64_t board_run(struct board *b, uint64_t cycles, struct board_out *o);

/* Clocks since creation, output words taken, and frames fed / ended. */
uint64_t board_cycles(const struct board *b);
uint64_t board_frames_fed(const struct board *b);
uint64_t board_frames_ended(const struct board *b);

#ifdef __cplusplus
}
#endif

#endif /* SIM_BOARD_H */
