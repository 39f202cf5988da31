/*
 * board_priv.h - the transport interface behind struct dsr_board.
 *
 * board.c holds the public calls and the parts common to both transports (parameter
 * upload as register writes, frame validation); each transport fills in an ops table.
 */
#ifndef DSR_BOARD_PRIV_H
#define DSR_BOARD_PRIV_H

#include "dsr/board.h"

struct dsr_board_ops {
	const char *name;	/* "usb", "device" */
	int (*about)(struct dsr_board *b, struct dsr_board_about *about);
	int (*reg_read)(struct dsr_board *b, uint32_t addr, uint32_t *value);
	int (*reg_write)(struct dsr_board *b, uint32_t addr, uint32_t value);
	/* Optional: a whole parameter set (+ LUT) at once (the driver's ioctl); NULL means
	 * board.c does it with reg_write/lut_write. Returns the generation or -1. */
	int64_t (*set_params)(struct dsr_board *b, const struct dsr_params *p,
			      const uint16_t *lut, int wait);
	/* Shadow LUT entries [first, first + n). */
	int (*lut_write)(struct dsr_board *b, uint32_t first, const uint16_t *entries,
			 uint32_t n);
	/* A whole wire frame (header + payload + trailer) over bulk OUT. */
	int (*send_frame)(struct dsr_board *b, const void *wire, size_t len);
	int (*stream_on)(struct dsr_board *b);
	int (*stream_off)(struct dsr_board *b);
	int (*next_frame)(struct dsr_board *b, struct dsr_frame *f, int timeout_ms);
	int (*stats)(struct dsr_board *b, struct dsr_board_stats *st);
	void (*close)(struct dsr_board *b);
};

struct dsr_board {
	const struct dsr_board_ops *ops;
	void *priv;		/* the transport's own state */
};

/* Transport constructors: NULL on failure with dsr_error() set. */
struct dsr_board *dsr_board_open_usb(const char *selector);	/* "", SERIAL or BUS:ADDR */
struct dsr_board *dsr_board_open_device(const char *path);	/* "/dev/dsrN" */
/* The first /dev/dsrN present, or NULL (no error set) when there is none. */
const char *dsr_board_find_device(char *buf, size_t len);

#endif /* DSR_BOARD_PRIV_H */
