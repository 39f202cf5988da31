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

/* USB boards for dsr_board_list() (usb.c): fills up to @max, returns the count or -1. */
int dsr_board_list_usb(struct dsr_board_entry *list, int max);

/* Received-frame validation common to both transports (board.c): checks a whole wire
 * frame @wire of @len bytes (header, payload, trailer) against the board's limits,
 * moves the trailer's CRC into the header (DSR_FLAG_CRC_VALID) and ORs its flags in.
 * Returns 0 with @fi filled; -1 with dsr_error() set and *crc_error = 1 when only the
 * payload CRC is wrong, 0 when the frame is malformed. */
int dsr_board_check_frame(const uint8_t *wire, size_t len, uint32_t max_w, uint32_t max_h,
			  struct dsr_frame_info *fi, int *crc_error);
/* A whole wire frame for the board (header with CRC, payload LE, trailer) from an image;
 * @flags e.g. DSR_FLAG_REFERENCE. malloc'ed, *len set; NULL with dsr_error() set. */
uint8_t *dsr_board_wire_frame(const struct dsr_image *im, uint32_t pixel_bits,
			      uint32_t flags, size_t *len);

#endif /* DSR_BOARD_PRIV_H */
