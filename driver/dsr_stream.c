// SPDX-License-Identifier: GPL-2.0
/*
 * dsr_stream.c - bulk IN streaming: URBs, DMA buffers and the frame assembler.
 *
 * Several bulk IN URBs stay in flight while a reader streams, every one on
 * dev->in_anchor. As in uvcvideo, the completion handler only hands the buffer back to
 * the CPU and queues the URB on dev->done; a work item, in process context, parses the
 * bytes into frames in the ring and resubmits. Completions arrive in submission order
 * and the single work item consumes them in that order, so the byte stream stays
 * ordered.
 *
 * On the wire (dsr_hw.h) each frame is header + payload + trailer and ends with a short
 * or zero-length packet, so a transfer shorter than the URB closes a frame. Every
 * header is untrusted: a bad header, a frame longer or shorter than its header says,
 * a bad trailer or a wrong CRC is counted and dropped, and the assembler picks up again
 * at the first transfer after the next short one, which starts with the next header.
 */
#include <linux/crc32.h>
#include <linux/dma-mapping.h>
#include <linux/slab.h>
#include <linux/usb.h>
#include <linux/usb/hcd.h>

#include "dsr.h"

/* Largest transfer a URB asks for; a DMA buffer is one physically contiguous block. */
#define DSR_URB_KB_MIN		4
#define DSR_URB_KB_MAX		1024

/* Completions that mean "the URB was stopped on purpose", not a device error. */
static bool dsr_status_is_stop(int status)
{
	return status == -ENOENT || status == -ECONNRESET || status == -ESHUTDOWN;
}

/**
 * dsr_in_complete - completion of a bulk IN URB (interrupt context)
 * @urb: the URB; its context is the struct dsr_urb
 *
 * Gives the buffer back to the CPU and defers everything else to the work item.
 */
static void dsr_in_complete(struct urb *urb)
{
	struct dsr_urb *du = urb->context;
	struct dsr_dev *dev = du->dev;
	unsigned long flags;

	if (du->sgt)
		dma_sync_sgtable_for_cpu(dev->dma_dev, du->sgt, DMA_FROM_DEVICE);
	spin_lock_irqsave(&dev->urb_lock, flags);
	list_add_tail(&du->list, &dev->done);
	spin_unlock_irqrestore(&dev->urb_lock, flags);
	queue_work(system_highpri_wq, &dev->work);
}

/* Submit one IN URB; caller holds urb_lock with in_running set. */
static int dsr_urb_submit_locked(struct dsr_dev *dev, struct dsr_urb *du)
{
	int ret;

	if (du->sgt)
		dma_sync_sgtable_for_device(dev->dma_dev, du->sgt, DMA_FROM_DEVICE);
	usb_anchor_urb(du->urb, &dev->in_anchor);
	ret = usb_submit_urb(du->urb, GFP_ATOMIC);
	if (ret) {
		usb_unanchor_urb(du->urb);
		list_add_tail(&du->list, &dev->idle);
	}
	return ret;
}

/* Record a failure to resubmit: the reader hears about it once, the log once. */
static void dsr_submit_failed(struct dsr_dev *dev, int ret)
{
	/* -ENODEV, -ESHUTDOWN: the device or its host controller is going away */
	if (ret == -ENODEV || ret == -ESHUTDOWN || READ_ONCE(dev->disconnected)) {
		dsr_set_error(dev, -ENODEV);
		return;
	}
	if (ret != -EPERM)	/* -EPERM: the URB is being killed */
		dev_err_ratelimited(&dev->udev->dev, "bulk IN submit failed: %d\n", ret);
	dsr_set_error(dev, -EIO);
}

/* Put a consumed URB back in flight, or on the idle list while stopping or halted. */
static void dsr_urb_recycle(struct dsr_dev *dev, struct dsr_urb *du)
{
	int ret = 0;

	spin_lock_irq(&dev->urb_lock);
	if (dev->in_running && !dev->halted)
		ret = dsr_urb_submit_locked(dev, du);
	else
		list_add_tail(&du->list, &dev->idle);
	spin_unlock_irq(&dev->urb_lock);
	if (ret)
		dsr_submit_failed(dev, ret);
}

/* Submit every idle URB (stream start, after a halt). */
static int dsr_urb_submit_idle(struct dsr_dev *dev)
{
	struct dsr_urb *du;
	int ret = 0;

	spin_lock_irq(&dev->urb_lock);
	while (dev->in_running && !dev->halted && !list_empty(&dev->idle)) {
		du = list_first_entry(&dev->idle, struct dsr_urb, list);
		list_del(&du->list);
		ret = dsr_urb_submit_locked(dev, du);
		if (ret)
			break;
	}
	spin_unlock_irq(&dev->urb_lock);
	return ret;
}

/* The oldest completed URB not yet consumed, or NULL. */
static struct dsr_urb *dsr_urb_pop_done(struct dsr_dev *dev)
{
	struct dsr_urb *du = NULL;

	spin_lock_irq(&dev->urb_lock);
	if (!list_empty(&dev->done)) {
		du = list_first_entry(&dev->done, struct dsr_urb, list);
		list_del(&du->list);
	}
	spin_unlock_irq(&dev->urb_lock);
	return du;
}

/* Count a malformed frame; rate-limited so that a babbling board cannot flood the log. */
static void dsr_malformed(struct dsr_dev *dev, const char *why)
{
	spin_lock(&dev->ring_lock);
	dev->stats.frames_malformed++;
	spin_unlock(&dev->ring_lock);
	dev_warn_ratelimited(&dev->udev->dev, "dropped malformed frame: %s\n", why);
}

/**
 * dsr_header_check - validate an untrusted frame header against this board
 * @dev:     the board, whose limits bound the sizes
 * @h:       64 header bytes
 * @payload: the payload length, when valid
 *
 * Shared by the IN assembler and write(). Returns NULL, or what is wrong.
 */
const char *dsr_header_check(struct dsr_dev *dev, const struct dsr_frame_header *h,
			     u32 *payload)
{
	u32 w = le16_to_cpu(h->width), ht = le16_to_cpu(h->height);
	u32 bits = le16_to_cpu(h->pixel_bits);

	if (le32_to_cpu(h->magic) != DSR_FRAME_MAGIC)
		return "bad magic";
	if (le16_to_cpu(h->version) != DSR_FRAME_VERSION)
		return "unknown header version";
	if (le16_to_cpu(h->header_size) != DSR_FRAME_HEADER_SIZE)
		return "bad header size";
	if (le16_to_cpu(h->format) != DSR_FORMAT_MONO16)
		return "unknown pixel format";
	if (bits < DSR_PIXEL_BITS_MIN || bits > dev->pixel_bits_max)
		return "pixel bits out of range";
	if (!w || w > dev->max_width || !ht || ht > dev->max_height)
		return "frame size beyond the board's maximum";
	if (le32_to_cpu(h->payload_length) != w * ht * 2)
		return "payload length is not width * height * 2";
	*payload = w * ht * 2;
	return NULL;
}

/* Forget the frame being assembled, giving its slot back. */
static void dsr_asm_drop(struct dsr_dev *dev)
{
	struct dsr_assembler *as = &dev->asm_state;

	if (as->slot >= 0)
		dsr_ring_discard(dev, as->slot);
	as->slot = -1;
}

/* A transfer failed or the endpoint halted: a frame in progress is lost. */
static void dsr_asm_abort(struct dsr_dev *dev, const char *why)
{
	struct dsr_assembler *as = &dev->asm_state;

	if (as->state == DSR_ASM_COLLECT)
		dsr_malformed(dev, why);
	dsr_asm_drop(dev);
	as->state = DSR_ASM_IDLE;
}

/* Frames missing between the previous valid header and this one. */
static void dsr_asm_sequence(struct dsr_dev *dev, u32 seq)
{
	struct dsr_assembler *as = &dev->asm_state;
	u32 gap = seq - as->next_sequence;

	if (as->have_sequence && gap && gap < 0x80000000u) {
		spin_lock(&dev->ring_lock);
		dev->stats.sequence_gaps += gap;
		spin_unlock(&dev->ring_lock);
	}
	as->have_sequence = true;
	as->next_sequence = seq + 1;
}

/**
 * dsr_asm_begin - the first transfer of a frame: check its header, find a slot
 * @dev:  the board
 * @data: transfer bytes
 * @len:  their number (> 0)
 *
 * Returns true when the frame is being collected into a slot.
 */
static bool dsr_asm_begin(struct dsr_dev *dev, const u8 *data, u32 len)
{
	struct dsr_assembler *as = &dev->asm_state;
	const struct dsr_frame_header *h = (const void *)data;
	const char *why;
	u32 payload;

	if (len < DSR_FRAME_HEADER_SIZE) {
		dsr_malformed(dev, "transfer shorter than a header");
		return false;
	}
	why = dsr_header_check(dev, h, &payload);
	if (why) {
		dsr_malformed(dev, why);
		return false;
	}
	dsr_asm_sequence(dev, le32_to_cpu(h->sequence));
	as->slot = dsr_ring_get_slot(dev);
	if (as->slot < 0)
		return false;
	memcpy(dev->ring + as->slot * dev->stride, data, DSR_FRAME_HEADER_SIZE);
	as->payload = payload;
	as->expected = DSR_FRAME_HEADER_SIZE + payload + DSR_FRAME_TRAILER_SIZE;
	as->received = DSR_FRAME_HEADER_SIZE;
	return true;
}

/* Payload bytes into the slot, trailer bytes aside, as the position says. */
static void dsr_asm_copy(struct dsr_dev *dev, const u8 *data, u32 len)
{
	struct dsr_assembler *as = &dev->asm_state;
	u32 end_payload = DSR_FRAME_HEADER_SIZE + as->payload;
	u8 *slot = dev->ring + as->slot * dev->stride;
	u32 n;

	if (as->received < end_payload) {
		n = min(len, end_payload - as->received);
		memcpy(slot + as->received, data, n);
		as->received += n;
		data += n;
		len -= n;
	}
	if (len) {
		memcpy(as->trailer + (as->received - end_payload), data, len);
		as->received += len;
	}
}

/**
 * dsr_asm_finish - all bytes of a frame are in: check the trailer, publish the frame
 * @dev: the board
 *
 * The trailer's CRC moves into the header with DSR_FLAG_CRC_VALID and its flags are
 * ORed in, so that userspace sees header + payload only (dsr_hw.h).
 */
static void dsr_asm_finish(struct dsr_dev *dev)
{
	struct dsr_assembler *as = &dev->asm_state;
	const struct dsr_frame_trailer *t = (const void *)as->trailer;
	struct dsr_frame_header *h = dev->ring + as->slot * dev->stride;
	u32 crc = le32_to_cpu(t->payload_crc);
	u32 flags = le32_to_cpu(h->flags) | le32_to_cpu(t->flags);
	u32 actual;

	if (le32_to_cpu(t->magic) != DSR_TRAILER_MAGIC) {
		dsr_malformed(dev, "bad trailer magic");
		dsr_asm_drop(dev);
		return;
	}
	if (flags & DSR_FLAG_BAD) {
		spin_lock(&dev->ring_lock);
		dev->stats.frames_bad++;
		spin_unlock(&dev->ring_lock);
		dev_warn_ratelimited(&dev->udev->dev, "board flagged frame %u bad\n",
				     le32_to_cpu(h->sequence));
		dsr_asm_drop(dev);
		return;
	}
	if (READ_ONCE(dsr_param_check_crc)) {
		actual = ~crc32_le(~0u, (const u8 *)(h + 1), as->payload);
		if (actual != crc) {
			spin_lock(&dev->ring_lock);
			dev->stats.crc_errors++;
			spin_unlock(&dev->ring_lock);
			dev_warn_ratelimited(&dev->udev->dev,
					     "frame %u: payload CRC %08x, trailer says %08x\n",
					     le32_to_cpu(h->sequence), actual, crc);
			dsr_asm_drop(dev);
			return;
		}
	}
	h->payload_crc = cpu_to_le32(crc);
	h->flags = cpu_to_le32(flags | DSR_FLAG_CRC_VALID);
	dsr_ring_publish(dev, as->slot, DSR_FRAME_HEADER_SIZE + as->payload);
	as->slot = -1;
}

/**
 * dsr_assemble - feed one completed transfer to the frame assembler
 * @dev:   the board
 * @data:  the bytes received
 * @len:   how many
 * @short_transfer: the transfer ended before the URB was full: end of a frame
 */
static void dsr_assemble(struct dsr_dev *dev, const u8 *data, u32 len, bool short_transfer)
{
	struct dsr_assembler *as = &dev->asm_state;

	switch (as->state) {
	case DSR_ASM_SKIP:
		if (short_transfer)
			as->state = DSR_ASM_IDLE;
		return;
	case DSR_ASM_IDLE:
		if (!len)	/* the zero-length packet after a frame that filled its URB */
			return;
		if (!dsr_asm_begin(dev, data, len)) {
			as->state = short_transfer ? DSR_ASM_IDLE : DSR_ASM_SKIP;
			return;
		}
		data += DSR_FRAME_HEADER_SIZE;
		len -= DSR_FRAME_HEADER_SIZE;
		as->state = DSR_ASM_COLLECT;
		fallthrough;
	case DSR_ASM_COLLECT:
		if (len > as->expected - as->received) {
			dsr_malformed(dev, "frame longer than its header says");
			dsr_asm_drop(dev);
			as->state = short_transfer ? DSR_ASM_IDLE : DSR_ASM_SKIP;
			return;
		}
		dsr_asm_copy(dev, data, len);
		if (as->received == as->expected) {
			dsr_asm_finish(dev);
			as->state = DSR_ASM_IDLE;
		} else if (short_transfer) {
			dsr_malformed(dev, "frame truncated");
			dsr_asm_drop(dev);
			as->state = DSR_ASM_IDLE;
		}
		return;
	}
}

/* What a completed URB means: data for the assembler, a halt, an error, or a stop. */
static void dsr_urb_consume(struct dsr_dev *dev, struct dsr_urb *du)
{
	struct urb *urb = du->urb;
	int status = urb->status;

	if (!status) {
		spin_lock(&dev->ring_lock);
		dev->stats.bytes_received += urb->actual_length;
		spin_unlock(&dev->ring_lock);
		dsr_assemble(dev, du->buf, urb->actual_length,
			     urb->actual_length < urb->transfer_buffer_length);
		return;
	}
	if (dsr_status_is_stop(status)) {
		/* stopping on purpose: a cut frame is not the board's fault */
		dsr_asm_drop(dev);
		dev->asm_state.state = DSR_ASM_IDLE;
		return;
	}
	if (status == -EPIPE) {
		spin_lock_irq(&dev->urb_lock);
		dev->halted = true;
		spin_unlock_irq(&dev->urb_lock);
		dsr_asm_abort(dev, "endpoint stalled mid-frame");
		return;
	}
	spin_lock(&dev->ring_lock);
	dev->stats.transfer_errors++;
	spin_unlock(&dev->ring_lock);
	dev_err_ratelimited(&dev->udev->dev, "bulk IN transfer failed: %d\n", status);
	dsr_asm_abort(dev, "transfer error mid-frame");
}

/**
 * dsr_recover_halt - clear a stalled bulk IN endpoint and resume streaming
 * @dev: the board
 *
 * Runs in the work item: stops the other URBs (their data after the stall belongs to
 * no frame), clears the halt, then resubmits them all.
 */
static void dsr_recover_halt(struct dsr_dev *dev)
{
	struct dsr_urb *du;
	int ret;

	usb_kill_anchored_urbs(&dev->in_anchor);
	while ((du = dsr_urb_pop_done(dev))) {
		dsr_urb_consume(dev, du);
		dsr_urb_recycle(dev, du);
	}
	ret = usb_clear_halt(dev->udev, dev->in_pipe);
	spin_lock(&dev->ring_lock);
	dev->stats.stalls++;
	spin_unlock(&dev->ring_lock);
	if (ret) {
		if (!READ_ONCE(dev->disconnected))
			dev_err(&dev->udev->dev, "clearing bulk IN halt failed: %d\n", ret);
		dsr_set_error(dev, READ_ONCE(dev->disconnected) ? -ENODEV : -EPIPE);
		return;
	}
	dev_warn_ratelimited(&dev->udev->dev, "bulk IN stalled; halt cleared\n");
	spin_lock_irq(&dev->urb_lock);
	dev->halted = false;
	spin_unlock_irq(&dev->urb_lock);
	ret = dsr_urb_submit_idle(dev);
	if (ret)
		dsr_submit_failed(dev, ret);
}

/* The work item: consume completed URBs in order, resubmit them, clear halts. */
static void dsr_stream_work(struct work_struct *work)
{
	struct dsr_dev *dev = container_of(work, struct dsr_dev, work);
	struct dsr_urb *du;
	bool halted;

	while ((du = dsr_urb_pop_done(dev))) {
		dsr_urb_consume(dev, du);
		dsr_urb_recycle(dev, du);
	}
	spin_lock_irq(&dev->urb_lock);
	halted = dev->halted && dev->in_running;
	spin_unlock_irq(&dev->urb_lock);
	if (halted)
		dsr_recover_halt(dev);
}

/**
 * dsr_dma_device - the device that DMA buffers for this board must be allocated for
 * @dev: the board
 *
 * The host controller's DMA device when it does DMA (or force_dma asks for it and the
 * device has a DMA mask); NULL when the controller moves data with the CPU (vhci-hcd,
 * dummy-hcd), where plain kmalloc memory is right and cache maintenance would be wrong.
 */
static struct device *dsr_dma_device(struct dsr_dev *dev)
{
	struct usb_hcd *hcd = bus_to_hcd(dev->udev->bus);
	struct device *dma_dev = hcd->self.sysdev;

	if (!dma_dev || !dma_dev->dma_mask)
		return NULL;
	if (hcd_uses_dma(hcd) || READ_ONCE(dsr_param_force_dma))
		return dma_dev;
	return NULL;
}

/* Free one URB and its buffer. */
static void dsr_urb_free(struct dsr_dev *dev, struct dsr_urb *du)
{
	if (du->sgt) {
		dma_vunmap_noncontiguous(dev->dma_dev, du->buf);
		dma_free_noncontiguous(dev->dma_dev, dev->urb_size, du->sgt, DMA_FROM_DEVICE);
	} else {
		kfree(du->buf);
	}
	usb_free_urb(du->urb);
	memset(du, 0, sizeof(*du));
}

/**
 * dsr_urb_alloc - one bulk IN URB with a buffer of dev->urb_size bytes
 * @dev: the board
 * @du:  zeroed slot to fill
 *
 * Non-coherent DMA memory (dma_alloc_noncontiguous, mapped once, synced explicitly
 * around each transfer) as uvcvideo does: coherent memory is uncached on ARM carts and
 * slow to copy frames out of.
 */
static int dsr_urb_alloc(struct dsr_dev *dev, struct dsr_urb *du)
{
	du->dev = dev;
	du->urb = usb_alloc_urb(0, GFP_KERNEL);
	if (!du->urb)
		return -ENOMEM;
	if (dev->dma_dev) {
		du->sgt = dma_alloc_noncontiguous(dev->dma_dev, dev->urb_size,
						  DMA_FROM_DEVICE, GFP_KERNEL, 0);
		if (!du->sgt)
			goto err;
		du->buf = dma_vmap_noncontiguous(dev->dma_dev, dev->urb_size, du->sgt);
		if (!du->buf) {
			dma_free_noncontiguous(dev->dma_dev, dev->urb_size, du->sgt,
					       DMA_FROM_DEVICE);
			du->sgt = NULL;
			goto err;
		}
	} else {
		du->buf = kmalloc(dev->urb_size, GFP_KERNEL);
		if (!du->buf)
			goto err;
	}
	usb_fill_bulk_urb(du->urb, dev->udev, dev->in_pipe, du->buf, dev->urb_size,
			  dsr_in_complete, du);
	if (du->sgt) {
		du->urb->transfer_dma = sg_dma_address(du->sgt->sgl);
		du->urb->transfer_flags |= URB_NO_TRANSFER_DMA_MAP;
	}
	return 0;
err:
	usb_free_urb(du->urb);
	du->urb = NULL;
	return -ENOMEM;
}

/* Free every URB of the stream; none may be in flight. */
static void dsr_urbs_free(struct dsr_dev *dev)
{
	unsigned int i;

	for (i = 0; i < dev->n_urbs; i++)
		dsr_urb_free(dev, &dev->urbs[i]);
	dev->n_urbs = 0;
	INIT_LIST_HEAD(&dev->done);
	INIT_LIST_HEAD(&dev->idle);
}

/* The URB count and size for this stream, from the module parameters. */
static void dsr_stream_geometry(struct dsr_dev *dev)
{
	unsigned int kb = clamp_t(unsigned int, READ_ONCE(dsr_param_urb_kb),
				  DSR_URB_KB_MIN, DSR_URB_KB_MAX);
	size_t size = (size_t)kb * 1024;

	dev->n_urbs = clamp_t(unsigned int, READ_ONCE(dsr_param_urbs), 1, DSR_URBS_MAX);
	size -= size % dev->in_maxpacket;
	dev->urb_size = max_t(size_t, size, dev->in_maxpacket);
}

/**
 * dsr_stream_start - allocate the bulk IN URBs and put them all in flight
 * @dev: the board; caller holds stream_mutex
 */
int dsr_stream_start(struct dsr_dev *dev)
{
	unsigned int i, n;
	int ret;

	lockdep_assert_held(&dev->stream_mutex);
	if (dev->streaming)
		return 0;
	if (READ_ONCE(dev->disconnected))
		return -ENODEV;
	dsr_stream_geometry(dev);
	dev->dma_dev = dsr_dma_device(dev);
	n = dev->n_urbs;
	for (i = 0; i < n; i++) {
		ret = dsr_urb_alloc(dev, &dev->urbs[i]);
		if (ret) {
			dev->n_urbs = i;
			dsr_urbs_free(dev);
			return ret;
		}
		list_add_tail(&dev->urbs[i].list, &dev->idle);
	}
	dev->asm_state.state = DSR_ASM_IDLE;
	dev->asm_state.slot = -1;
	dev->asm_state.have_sequence = false;

	spin_lock_irq(&dev->urb_lock);
	dev->in_running = true;
	dev->halted = false;
	spin_unlock_irq(&dev->urb_lock);
	dev->streaming = true;
	ret = dsr_urb_submit_idle(dev);
	if (ret) {
		dsr_stream_stop_locked(dev);
		return READ_ONCE(dev->disconnected) ? -ENODEV : ret;
	}
	return 0;
}

/**
 * dsr_stream_stop_locked - stop the bulk IN transfers and free them
 * @dev: the board; caller holds stream_mutex
 *
 * No URB is resubmitted once in_running is false (submission checks it under
 * urb_lock), so one kill of the anchor and one cancel of the work item leave nothing
 * in flight.
 */
void dsr_stream_stop_locked(struct dsr_dev *dev)
{
	lockdep_assert_held(&dev->stream_mutex);
	if (!dev->streaming)
		return;
	spin_lock_irq(&dev->urb_lock);
	dev->in_running = false;
	spin_unlock_irq(&dev->urb_lock);
	usb_kill_anchored_urbs(&dev->in_anchor);
	cancel_work_sync(&dev->work);
	dsr_asm_drop(dev);
	dev->asm_state.state = DSR_ASM_IDLE;
	dsr_urbs_free(dev);
	dev->streaming = false;
}

/* dsr_stream_stop_locked() for callers without stream_mutex (disconnect, suspend). */
void dsr_stream_stop(struct dsr_dev *dev)
{
	mutex_lock(&dev->stream_mutex);
	dsr_stream_stop_locked(dev);
	mutex_unlock(&dev->stream_mutex);
}

/* Streaming state of a new board. */
void dsr_stream_init(struct dsr_dev *dev)
{
	spin_lock_init(&dev->urb_lock);
	INIT_LIST_HEAD(&dev->done);
	INIT_LIST_HEAD(&dev->idle);
	init_usb_anchor(&dev->in_anchor);
	INIT_WORK(&dev->work, dsr_stream_work);
	dev->asm_state.slot = -1;
}

/**
 * dsr_claim_reader - make @file the board's one streaming reader, and stream
 * @dev:  the board
 * @file: the caller's open file
 *
 * Returns -EBUSY when another open file streams, -ENODEV once unplugged.
 */
int dsr_claim_reader(struct dsr_dev *dev, struct file *file)
{
	int ret = 0;

	if (READ_ONCE(dev->disconnected))
		return -ENODEV;
	if (READ_ONCE(dev->reader) == file && READ_ONCE(dev->streaming))
		return 0;
	mutex_lock(&dev->stream_mutex);
	if (dev->reader && dev->reader != file)
		ret = -EBUSY;
	else
		ret = dsr_stream_start(dev);
	if (!ret)
		WRITE_ONCE(dev->reader, file);
	mutex_unlock(&dev->stream_mutex);
	return ret;
}

/**
 * dsr_release_reader - @file closes: if it streamed, stop and reset the ring
 * @dev:  the board
 * @file: the closing file
 */
void dsr_release_reader(struct dsr_dev *dev, struct file *file)
{
	mutex_lock(&dev->stream_mutex);
	if (dev->reader == file) {
		if (dev->source_on && !dsr_io_begin(dev)) {
			dsr_vendor_out(dev, DSR_REQ_STREAM, 0, 0, NULL, 0);
			dsr_io_end(dev);
		}
		dev->source_on = false;
		dsr_stream_stop_locked(dev);
		dsr_ring_reset(dev);
		WRITE_ONCE(dev->reader, NULL);
	}
	mutex_unlock(&dev->stream_mutex);
}
