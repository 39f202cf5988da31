/*
 * board.h - a DSR board, reached through the kernel driver (/dev/dsrN) or libusb.
 *
 * One opaque handle, two transports (lib/board/device.c and lib/board/usb.c) behind
 * the same calls, so every `dsr` command works with either.
 */
#ifndef DSR_BOARD_H
#define DSR_BOARD_H

#include <stddef.h>
#include <stdint.h>

#include "dsr_hw.h"
#include "image.h"
#include "model.h"

#ifdef __cplusplus
extern "C" {
#endif

struct dsr_board;

/* What a board says about itself, in host order. */
struct dsr_board_about {
	char serial[33];
	char transport[64];	/* "usb 1-1 (bus 1, address 2)" or "/dev/dsr0" */
	uint32_t rtl_version, firmware_version;
	uint32_t max_width, max_height, pixel_bits_max;
	int simulated;
};

/* A received frame: header fields in host order and its pixels. The pixels stay valid
 * until the next dsr_board_next_frame() or dsr_board_close(). */
struct dsr_frame {
	struct dsr_frame_info info;
	const uint16_t *pixels;	/* info.width * info.height */
};

/*
 * Open a board. @spec:
 *   NULL or ""      the kernel device if one is bound, else the only USB board
 *   "/dev/dsrN"     a kernel device
 *   "usb"           the only board on USB, "usb:SERIAL", "usb:BUS:ADDR"
 * NULL on failure, with dsr_error() saying which (no board, several boards, permission
 * denied pointing at the udev rules, ...).
 */
struct dsr_board *dsr_board_open(const char *spec);
void dsr_board_close(struct dsr_board *b);

int dsr_board_about(struct dsr_board *b, struct dsr_board_about *about);
int dsr_board_reg_read(struct dsr_board *b, uint32_t addr, uint32_t *value);
int dsr_board_reg_write(struct dsr_board *b, uint32_t addr, uint32_t value);

/* Write a full parameter set (and a LUT of DSR_LUT_SIZE entries unless NULL) to the
 * shadow registers and commit; waits until the board has applied it when @wait is set.
 * Returns the generation the commit will carry (>= 0), or -1. */
int64_t dsr_board_set_params(struct dsr_board *b, const struct dsr_params *p,
			     const uint16_t *lut, int wait);
int dsr_board_get_params(struct dsr_board *b, struct dsr_params *p);

/* Frames into the board over bulk OUT. */
int dsr_board_upload_reference(struct dsr_board *b, const struct dsr_image *ref);
int dsr_board_send_live(struct dsr_board *b, const struct dsr_image *live);

int dsr_board_stream_on(struct dsr_board *b);
int dsr_board_stream_off(struct dsr_board *b);
/* Next complete frame; 0 on success, -1 on error or after timeout_ms (< 0: forever). */
int dsr_board_next_frame(struct dsr_board *b, struct dsr_frame *f, int timeout_ms);

/* Counters the transport keeps (frames, bytes, dropped, malformed, crc errors...). */
struct dsr_board_stats {
	uint64_t frames, bytes, dropped, malformed, crc_errors, overruns;
};
int dsr_board_stats(struct dsr_board *b, struct dsr_board_stats *st);

/* One board found by dsr_board_list(), for `dsr list` (added with the libusb transport). */
struct dsr_board_entry {
	char spec[48];		/* what dsr_board_open() takes: "usb:1:2" or "/dev/dsr0" */
	char serial[33];	/* "" when the device could not be opened */
	char transport[64];	/* as in struct dsr_board_about */
	char problem[160];	/* why it could not be opened (permission...), or "" */
};

/* Every board present, kernel devices first, then USB boards (which may be the same
 * hardware: a USB board with the driver bound says so in .problem). Fills up to @max
 * entries and returns how many boards there are (may exceed @max), or -1. */
int dsr_board_list(struct dsr_board_entry *list, int max);

#ifdef __cplusplus
}
#endif

#endif /* DSR_BOARD_H */
