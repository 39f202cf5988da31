/*
 * out_fifo.h - the bridge's output FIFO: bytes of board output frames on their way to
 * bulk IN URBs, with a record per frame (where it starts and ends, which faults hit it).
 *
 * It models the bridge chip's buffer: when it is full and no IN URB takes data, the RTL
 * is back-pressured. Positions are absolute byte counts since the last reset.
 */
#ifndef SIM_OUT_FIFO_H
#define SIM_OUT_FIFO_H

#include <stddef.h>
#include <stdint.h>

struct fifo_frame {
	uint64_t start, end;	/* end valid once `ended` */
	unsigned int faults;	/* 1 << FAULT_* */
	int ended;
	int stalled;		/* the stall fault already fired for this frame */
	uint64_t cut_at;	/* mid-payload position (disconnect fault), 0 = unknown */
};

struct out_fifo {
	uint8_t *buf;
	size_t cap, mask;	/* power of two */
	uint64_t wr, rd;
	struct fifo_frame *frames;	/* ring of open/unsent frame records */
	size_t frames_cap, fhead, fcount;
};

int fifo_init(struct out_fifo *f, size_t cap);
void fifo_destroy(struct out_fifo *f);
void fifo_reset(struct out_fifo *f);
size_t fifo_space(const struct out_fifo *f);
/* Open a new frame record at the write position; -1 if the record ring is full. */
int fifo_frame_begin(struct out_fifo *f, unsigned int faults);
void fifo_frame_end(struct out_fifo *f);
/* Append @n bytes (the caller checked fifo_space()). */
void fifo_push(struct out_fifo *f, const uint8_t *p, size_t n);
/* Move @n bytes from the read position to @dst. */
void fifo_pop(struct out_fifo *f, uint8_t *dst, size_t n);
/* The oldest frame record, or NULL. */
struct fifo_frame *fifo_head_frame(struct out_fifo *f);
void fifo_drop_head_frame(struct out_fifo *f);

#endif /* SIM_OUT_FIFO_H */
