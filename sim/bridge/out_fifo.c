/*
 * out_fifo.c - see out_fifo.h.
 */
#include "out_fifo.h"

#include <stdlib.h>
#include <string.h>

/* Capacity rounded up to a power of two so positions wrap with a mask. */
int fifo_init(struct out_fifo *f, size_t cap)
{
	size_t c = 4096;

	memset(f, 0, sizeof(*f));
	while (c < cap)
		c *= 2;
	f->buf = malloc(c);
	/* The smallest frame is 64 + 2 + 16 bytes: one record per 64 bytes is plenty. */
	f->frames_cap = c / 64 + 4;
	f->frames = calloc(f->frames_cap, sizeof(*f->frames));
	if (!f->buf || !f->frames) {
		fifo_destroy(f);
		return -1;
	}
	f->cap = c;
	f->mask = c - 1;
	return 0;
}

/* Free the buffers (safe after a failed init). */
void fifo_destroy(struct out_fifo *f)
{
	free(f->buf);
	free(f->frames);
	f->buf = NULL;
	f->frames = NULL;
}

/* Empty: positions and frame records back to zero (detach). */
void fifo_reset(struct out_fifo *f)
{
	f->wr = f->rd = 0;
	f->fhead = f->fcount = 0;
}

/* Bytes that can still be pushed. */
size_t fifo_space(const struct out_fifo *f)
{
	return f->cap - (size_t)(f->wr - f->rd);
}

int fifo_frame_begin(struct out_fifo *f, unsigned int faults)
{
	struct fifo_frame *fr;

	if (f->fcount == f->frames_cap)
		return -1;
	fr = &f->frames[(f->fhead + f->fcount) % f->frames_cap];
	memset(fr, 0, sizeof(*fr));
	fr->start = f->wr;
	fr->faults = faults;
	f->fcount++;
	return 0;
}

/* Close the newest frame record at the write position. */
void fifo_frame_end(struct out_fifo *f)
{
	struct fifo_frame *fr;

	if (!f->fcount)
		return;
	fr = &f->frames[(f->fhead + f->fcount - 1) % f->frames_cap];
	fr->end = f->wr;
	fr->ended = 1;
}

/* Copy in, in at most two pieces around the wrap. */
void fifo_push(struct out_fifo *f, const uint8_t *p, size_t n)
{
	size_t at = (size_t)f->wr & f->mask;
	size_t first = n < f->cap - at ? n : f->cap - at;

	memcpy(f->buf + at, p, first);
	memcpy(f->buf, p + first, n - first);
	f->wr += n;
}

/* Copy out, in at most two pieces around the wrap. */
void fifo_pop(struct out_fifo *f, uint8_t *dst, size_t n)
{
	size_t at = (size_t)f->rd & f->mask;
	size_t first = n < f->cap - at ? n : f->cap - at;

	memcpy(dst, f->buf + at, first);
	memcpy(dst + first, f->buf, n - first);
	f->rd += n;
}

/* The frame the next IN byte belongs to. */
struct fifo_frame *fifo_head_frame(struct out_fifo *f)
{
	return f->fcount ? &f->frames[f->fhead] : NULL;
}

/* The head frame has been sent completely. */
void fifo_drop_head_frame(struct out_fifo *f)
{
	if (!f->fcount)
		return;
	f->fhead = (f->fhead + 1) % f->frames_cap;
	f->fcount--;
}
