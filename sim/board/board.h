/*
 * board.h - the Verilated board behind a small C interface: the board top behind the
 * FX3 model (board_fx3.cc, the default) or the dsr_top boundary (board_rtl.cc).
 *
 * The bridge model drives the RTL through this: register accesses and the firmware's
 * other EP0 work, the live frame input (one frame at a time) and the output frames
 * (little-endian bytes, frame ends marked). The
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

/* What the FX3 firmware does for the host on EP0, beyond single register accesses
 * (dsr_hw.h, "The FPGA's USB side"). On the board top (board_fx3.cc) each call is one
 * command packet that the FPGA answers (DSR_CMD_GET_INFO, DSR_CMD_LUT_WRITE,
 * DSR_CMD_CAPTURE_BEGIN / _END); on the dsr_top boundary (board_rtl.cc) the same register
 * accesses are made from C. All return -1 if the board did not answer or refused. */
struct board_ident {
	uint32_t id, rtl_version, max_width, max_height;	/* the FPGA's registers */
};
int board_get_info(struct board *b, struct board_ident *info);
/* @n (1..DSR_LUT_CHUNK) shadow LUT entries from index @first (no commit). */
int board_lut_write(struct board *b, uint32_t first, const uint16_t *entries, uint32_t n);
/* Before a reference frame: MODE kept, MODE = CAPTURE, commit. After it: MODE restored,
 * commit. A second begin keeps the first MODE; an end without a begin fails. */
int board_capture_begin(struct board *b);
int board_capture_end(struct board *b);

/* Start streaming a frame of @width x @height pixels into the live input; @pixels must
 * stay valid until board_input_busy() returns 0. @flags: the host frame's header flags
 * (DSR_FLAG_REFERENCE for a reference upload: the FX3 board makes it the active reference
 * only when its CRC checks; the direct RTL board ignores them). Returns -1 if a frame is
 * still being fed. */
int board_feed(struct board *b, const uint16_t *pixels, uint32_t width, uint32_t height,
	       uint32_t flags);
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
