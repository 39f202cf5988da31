// SPDX-License-Identifier: GPL-2.0
/*
 * dsr_stream.c - bulk IN streaming: URBs, DMA buffers and the frame assembler.
 *
 * Several bulk IN URBs stay in flight while a reader streams, every one on
 * dev->in_anchor. As in uvcvideo, the completion handler only hands the buffer back to
 * the CPU and queues the URB on dev->done; a work item on dsr_wq (WQ_UNBOUND |
 * WQ_HIGHPRI), in process context, copies each transfer into its ring slot, folds it
 * into the frame's running CRC and resubmits it at once: no whole-frame work ever
 * stands between a transfer and its resubmission. Completions arrive in submission
 * order and the single work item consumes them in that order, so the byte stream
 * stays ordered.
 *
 * Transfers are copied, not received straight into ring slots: a frame's length is
 * known only from its header, it ends with a short packet, and its trailer must not
 * land in the slot, so direct DMA would need one URB chain per frame shaped by a
 * header not yet seen. One copy of data the CPU reads anyway for the CRC costs a
 * few ms per 32 MiB frame (README).
 *
 * Stopping is ours alone: a URB that completes as unlinked or shut down (-ENOENT,
 * -ECONNRESET, -ESHUTDOWN) is never resubmitted. When we did not ask for it (unbind,
 * reset, unplug: the USB core disabled the endpoint) the stream is broken with
 * -ENODEV. Every other way the pipe can break (resubmit failing, clear-halt failing,
 * transfer errors in a row) is retried within the bounds in dsr.h and then breaks the
 * stream with a persistent error, so no reader sleeps on a stream with nothing in
 * flight.
 *
 * On the wire (dsr_hw.h) each frame is header + payload + trailer and ends with a short
 * or zero-length packet, so a transfer shorter than the URB closes a frame. Every
 * header is untrusted: a bad header, a frame longer or shorter than its header says,
 * a bad trailer or a wrong CRC is counted and dropped, and the assembler picks up again
 * at the first transfer after the next short one, which starts with the next header.
 */
#include <linux/crc32.h>
#include <linux/delay.h>
#include <linux/dma-mapping.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/usb.h>
#include <linux/usb/hcd.h>

#include "dsr.h"

/* Largest transfer a URB asks for; a DMA buffer is one physically contiguous block,
 * halved (not below DSR_URB_KB_FALLBACK) when memory is too fragmented for it. */
#define DSR_URB_KB_MIN		4
#define DSR_URB_KB_MAX		1024
#define DSR_URB_KB_FALLBACK	16

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

	/* only what the device wrote goes back to the CPU (DMA-API.rst, partial sync) */
	if (du->page && urb->actual_length)
		dma_sync_single_for_cpu(dev->dma_dev, du->dma, urb->actual_length,
					DMA_FROM_DEVICE);
	spin_lock_irqsave(&dev->urb_lock, flags);
	list_add_tail(&du->list, &dev->done);
	spin_unlock_irqrestore(&dev->urb_lock, flags);
	queue_work(dsr_wq, &dev->work);
}

/* Whether completions may be resubmitted now; caller holds urb_lock. */
static bool dsr_may_submit(struct dsr_dev *dev)
{
	return dev->in_running && !dev->halted && !dev->broken;
}

/* Submit one IN URB; caller holds urb_lock with in_running set. */
static int dsr_urb_submit_locked(struct dsr_dev *dev, struct dsr_urb *du)
{
	int ret;

	if (du->page)
		dma_sync_single_for_device(dev->dma_dev, du->dma, dev->urb_size, DMA_FROM_DEVICE);
	usb_anchor_urb(du->urb, &dev->in_anchor);
	ret = usb_submit_urb(du->urb, GFP_ATOMIC);
	if (ret) {
		usb_unanchor_urb(du->urb);
		list_add_tail(&du->list, &dev->idle);
	}
	return ret;
}

/* Submit errors that mean the endpoint or the device is gone for good. */
static bool dsr_submit_gone(int ret)
{
	return ret == -ENODEV || ret == -ESHUTDOWN || ret == -ENOENT ||
	       ret == -EHOSTUNREACH || ret == -EPERM;
}

/**
 * dsr_stream_fault - the stream cannot go on: stop resubmitting, tell the reader
 * @dev: the board
 * @err: -ENODEV (the endpoint or device went away), -EPIPE (a halt that would not
 *       clear), -EIO (transfers or submissions kept failing)
 *
 * The error stays until the reader stops the stream (STREAM_OFF or close); frames
 * already complete are still delivered first. URBs still in flight are killed (they
 * come back as stopped, ours): a frame they completed later would follow the error the
 * reader was already given, which would then not be persistent. Process context (the
 * work items) only: killing waits for the completions.
 */
void dsr_stream_fault(struct dsr_dev *dev, int err)
{
	unsigned long flags;

	if (READ_ONCE(dev->disconnected))
		err = -ENODEV;
	spin_lock_irqsave(&dev->urb_lock, flags);
	dev->broken = true;
	spin_unlock_irqrestore(&dev->urb_lock, flags);
	usb_kill_anchored_urbs(&dev->in_anchor);
	if (err != -ENODEV)
		dev_err(&dev->udev->dev, "bulk IN stream stopped: %d\n", err);
	dsr_set_fault(dev, err);
}

/**
 * dsr_submit_failed - a submission failed: the device is gone, or retry (bounded)
 * @dev:   the board
 * @ret:   what usb_submit_urb() returned
 * @round: the failure ends a retry round of retry_work (counted), rather than a
 *         resubmission after a completion or a halt (not counted: one burst of failures,
 *         one per URB in flight, must not use up the retries at once)
 *
 * The URB is on the idle list; retry_work submits every idle URB DSR_RETRY_MS later.
 * After DSR_RETRY_MAX failed rounds in a row the stream breaks with -EIO.
 */
static void dsr_submit_failed(struct dsr_dev *dev, int ret, bool round)
{
	if (dsr_submit_gone(ret) || READ_ONCE(dev->disconnected)) {
		dsr_stream_fault(dev, -ENODEV);
		return;
	}
	dev_err_ratelimited(&dev->udev->dev, "bulk IN submit failed: %d\n", ret);
	if (round && ++dev->retries > DSR_RETRY_MAX) {
		dsr_stream_fault(dev, -EIO);
		return;
	}
	queue_delayed_work(dsr_wq, &dev->retry_work, msecs_to_jiffies(DSR_RETRY_MS));
}

/* Put a consumed URB back in flight, or on the idle list while stopping or halted. */
static void dsr_urb_recycle(struct dsr_dev *dev, struct dsr_urb *du)
{
	int ret = 0;

	spin_lock_irq(&dev->urb_lock);
	if (dsr_may_submit(dev))
		ret = dsr_urb_submit_locked(dev, du);
	else
		list_add_tail(&du->list, &dev->idle);
	spin_unlock_irq(&dev->urb_lock);
	if (ret)
		dsr_submit_failed(dev, ret, false);
}

/* Submit every idle URB (stream start, after a halt, retry). */
static int dsr_urb_submit_idle(struct dsr_dev *dev)
{
	struct dsr_urb *du;
	int ret = 0;

	spin_lock_irq(&dev->urb_lock);
	while (dsr_may_submit(dev) && !list_empty(&dev->idle)) {
		du = list_first_entry(&dev->idle, struct dsr_urb, list);
		list_del(&du->list);
		ret = dsr_urb_submit_locked(dev, du);
		if (ret)
			break;
	}
	spin_unlock_irq(&dev->urb_lock);
	return ret;
}

/* retry_work: a resubmit failed a moment ago; try the idle URBs again. */
static void dsr_retry_work(struct work_struct *work)
{
	struct dsr_dev *dev = container_of(to_delayed_work(work), struct dsr_dev,
					   retry_work);
	int ret = dsr_urb_submit_idle(dev);

	if (ret)
		dsr_submit_failed(dev, ret, true);
	else
		dev->retries = 0;
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
	as->crc = ~0u;
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
		if (dev->check_crc)
			as->crc = crc32_le(as->crc, data, n);
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
 * The trailer's CRC moves into the header and its flags are ORed in, so that
 * userspace sees header + payload only (dsr_hw.h). DSR_FLAG_CRC_VALID says the
 * payload was checked against that CRC here: only with check_crc (the CRC was
 * accumulated transfer by transfer in dsr_asm_copy()). Without it the flag is
 * cleared, whatever the board set, and the reader may check the CRC itself.
 */
static void dsr_asm_finish(struct dsr_dev *dev)
{
	struct dsr_assembler *as = &dev->asm_state;
	const struct dsr_frame_trailer *t = (const void *)as->trailer;
	struct dsr_frame_header *h = dev->ring + as->slot * dev->stride;
	u32 crc = le32_to_cpu(t->payload_crc);
	u32 flags = (le32_to_cpu(h->flags) | le32_to_cpu(t->flags)) & ~DSR_FLAG_CRC_VALID;
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
	if (dev->check_crc) {
		actual = ~as->crc;
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
		flags |= DSR_FLAG_CRC_VALID;
	}
	h->payload_crc = cpu_to_le32(crc);
	h->flags = cpu_to_le32(flags);
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

/* Count a failed transfer; too many in a row (a broken pipe, not noise) end the stream. */
static bool dsr_transfer_error(struct dsr_dev *dev, int status)
{
	spin_lock(&dev->ring_lock);
	dev->stats.transfer_errors++;
	spin_unlock(&dev->ring_lock);
	dev_err_ratelimited(&dev->udev->dev, "bulk IN transfer failed: %d\n", status);
	dsr_asm_abort(dev, "transfer error mid-frame");
	if (++dev->errors_in_row < DSR_ERRORS_MAX)
		return true;
	dsr_stream_fault(dev, -EIO);
	return false;
}

/**
 * dsr_urb_consume - what a completed URB means: data, a halt, an error, or a stop
 * @dev: the board
 * @du:  the URB, off every list
 *
 * Returns true when the URB may go back in flight, false when it must stay idle.
 */
static bool dsr_urb_consume(struct dsr_dev *dev, struct dsr_urb *du)
{
	struct urb *urb = du->urb;
	int status = urb->status;
	bool ours;

	if (!status) {
		spin_lock_irq(&dev->urb_lock);
		ours = dev->broken;
		spin_unlock_irq(&dev->urb_lock);
		if (ours) {	/* after a fault: no frame may follow the error */
			dsr_asm_drop(dev);
			dev->asm_state.state = DSR_ASM_IDLE;
			return false;
		}
		dev->errors_in_row = 0;
		spin_lock(&dev->ring_lock);
		dev->stats.bytes_received += urb->actual_length;
		spin_unlock(&dev->ring_lock);
		dsr_assemble(dev, du->buf, urb->actual_length,
			     urb->actual_length < urb->transfer_buffer_length);
		return true;
	}
	if (dsr_status_is_stop(status)) {
		/* a cut frame is not the board's fault */
		dsr_asm_drop(dev);
		dev->asm_state.state = DSR_ASM_IDLE;
		spin_lock_irq(&dev->urb_lock);
		ours = !dev->in_running || dev->halted || dev->broken;
		spin_unlock_irq(&dev->urb_lock);
		/* not ours: the USB core disabled the endpoint (unbind, reset, unplug) */
		if (!ours)
			dsr_stream_fault(dev, -ENODEV);
		return false;
	}
	if (status == -EPIPE) {
		spin_lock_irq(&dev->urb_lock);
		dev->halted = true;
		spin_unlock_irq(&dev->urb_lock);
		dsr_asm_abort(dev, "endpoint stalled mid-frame");
		return false;
	}
	if (status == -ENODEV || READ_ONCE(dev->disconnected)) {
		dsr_asm_drop(dev);
		dsr_stream_fault(dev, -ENODEV);
		return false;
	}
	return dsr_transfer_error(dev, status);
}

/* Consume every completed URB in order, each back in flight as soon as it is copied. */
static void dsr_consume_done(struct dsr_dev *dev)
{
	struct dsr_urb *du;

	while ((du = dsr_urb_pop_done(dev))) {
		if (dsr_urb_consume(dev, du)) {
			dsr_urb_recycle(dev, du);
		} else {
			spin_lock_irq(&dev->urb_lock);
			list_add_tail(&du->list, &dev->idle);
			spin_unlock_irq(&dev->urb_lock);
		}
		cond_resched();
	}
}

/**
 * dsr_clear_in_halt - CLEAR_FEATURE(ENDPOINT_HALT) on bulk IN, bounded in time
 * @dev: the board
 *
 * usb_clear_halt() with a shorter timeout and a retry: DSR_CLEAR_HALT_TRIES tries of
 * at most DSR_CLEAR_HALT_TIMEOUT_MS each. Serialised against disconnect by io_mutex.
 */
static int dsr_clear_in_halt(struct dsr_dev *dev)
{
	u8 ep = usb_pipeendpoint(dev->in_pipe) | USB_DIR_IN;
	int ret = -EIO, i;

	for (i = 0; i < DSR_CLEAR_HALT_TRIES; i++) {
		if (i)
			msleep(DSR_RETRY_MS);
		ret = dsr_io_begin(dev);
		if (ret)
			return ret;
		ret = usb_control_msg(dev->udev, usb_sndctrlpipe(dev->udev, 0),
				      USB_REQ_CLEAR_FEATURE, USB_RECIP_ENDPOINT,
				      USB_ENDPOINT_HALT, ep, NULL, 0,
				      DSR_CLEAR_HALT_TIMEOUT_MS);
		if (ret >= 0)
			usb_reset_endpoint(dev->udev, ep);
		dsr_io_end(dev);
		if (ret >= 0)
			return 0;
	}
	return ret;
}

/**
 * dsr_recover_halt - clear a stalled bulk IN endpoint and resume streaming
 * @dev: the board
 *
 * Runs in the work item: stops the other URBs (their data after the stall belongs to
 * no frame), clears the halt, then resubmits them all. A halt that will not clear
 * breaks the stream with -EPIPE (within DSR_CLEAR_HALT_TRIES tries).
 */
static void dsr_recover_halt(struct dsr_dev *dev)
{
	int ret;

	usb_kill_anchored_urbs(&dev->in_anchor);
	dsr_consume_done(dev);
	ret = dsr_clear_in_halt(dev);
	spin_lock(&dev->ring_lock);
	dev->stats.stalls++;
	spin_unlock(&dev->ring_lock);
	if (ret) {
		dsr_stream_fault(dev, -EPIPE);
		return;
	}
	dev_warn_ratelimited(&dev->udev->dev, "bulk IN stalled; halt cleared\n");
	spin_lock_irq(&dev->urb_lock);
	dev->halted = false;
	spin_unlock_irq(&dev->urb_lock);
	ret = dsr_urb_submit_idle(dev);
	if (ret)
		dsr_submit_failed(dev, ret, false);
}

/* The work item: consume completed URBs in order, resubmit them, clear halts. */
static void dsr_stream_work(struct work_struct *work)
{
	struct dsr_dev *dev = container_of(work, struct dsr_dev, work);
	bool halted;

	dsr_consume_done(dev);
	spin_lock_irq(&dev->urb_lock);
	halted = dev->halted && dev->in_running && !dev->broken;
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
	if (du->page)
		dma_free_pages(dev->dma_dev, dev->urb_size, du->page, du->dma, DMA_FROM_DEVICE);
	else
		kfree(du->buf);
	usb_free_urb(du->urb);
	memset(du, 0, sizeof(*du));
}

/**
 * dsr_urb_alloc - one bulk IN URB with a buffer of dev->urb_size bytes
 * @dev: the board
 * @du:  zeroed slot to fill
 *
 * For host controllers that DMA: dma_alloc_pages(), one physically contiguous,
 * cacheable block in the kernel's linear map (no vmap, so no vmap cache aliasing to
 * manage), owned by the device between submit and completion and synced explicitly:
 * the whole buffer for the device before each submit, actual_length bytes for the
 * CPU in the completion. Coherent memory would be uncached on ARM carts and slow to
 * copy frames out of.
 */
static int dsr_urb_alloc(struct dsr_dev *dev, struct dsr_urb *du)
{
	du->dev = dev;
	du->urb = usb_alloc_urb(0, GFP_KERNEL);
	if (!du->urb)
		return -ENOMEM;
	if (dev->dma_dev) {
		du->page = dma_alloc_pages(dev->dma_dev, dev->urb_size, &du->dma,
					   DMA_FROM_DEVICE, GFP_KERNEL | __GFP_NOWARN);
		if (!du->page)
			goto err;
		du->buf = page_address(du->page);
	} else {
		du->buf = kmalloc(dev->urb_size, GFP_KERNEL | __GFP_NOWARN);
		if (!du->buf)
			goto err;
	}
	usb_fill_bulk_urb(du->urb, dev->udev, dev->in_pipe, du->buf, dev->urb_size,
			  dsr_in_complete, du);
	if (du->page) {
		du->urb->transfer_dma = du->dma;
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

/* Allocate n_urbs URBs of urb_size bytes onto the idle list, or none. */
static int dsr_urbs_alloc(struct dsr_dev *dev)
{
	unsigned int i, n = dev->n_urbs;
	int ret;

	for (i = 0; i < n; i++) {
		ret = dsr_urb_alloc(dev, &dev->urbs[i]);
		if (ret) {
			dev->n_urbs = i;
			dsr_urbs_free(dev);
			dev->n_urbs = n;
			return ret;
		}
		list_add_tail(&dev->urbs[i].list, &dev->idle);
	}
	return 0;
}

/**
 * dsr_stream_start - allocate the ring and the bulk IN URBs, put them all in flight
 * @dev: the board; caller holds stream_mutex
 *
 * URB buffers are halved (down to DSR_URB_KB_FALLBACK KiB) when memory is too
 * fragmented for blocks of urb_kb.
 */
int dsr_stream_start(struct dsr_dev *dev)
{
	int ret;

	lockdep_assert_held(&dev->stream_mutex);
	if (dev->streaming)
		return 0;
	if (READ_ONCE(dev->disconnected))
		return -ENODEV;
	ret = dsr_ring_alloc(dev);
	if (ret)
		return ret;
	dsr_stream_geometry(dev);
	dev->dma_dev = dsr_dma_device(dev);
	while ((ret = dsr_urbs_alloc(dev)) == -ENOMEM &&
	       dev->urb_size / 2 >= DSR_URB_KB_FALLBACK * 1024 &&
	       dev->urb_size / 2 >= dev->in_maxpacket) {
		dev->urb_size /= 2;
		dev->urb_size -= dev->urb_size % dev->in_maxpacket;
	}
	if (ret)
		return ret;
	dev->check_crc = READ_ONCE(dsr_param_check_crc);
	dev->asm_state.state = DSR_ASM_IDLE;
	dev->asm_state.slot = -1;
	dev->asm_state.have_sequence = false;
	dev->errors_in_row = 0;
	dev->retries = 0;

	spin_lock_irq(&dev->urb_lock);
	dev->in_running = true;
	dev->halted = false;
	dev->broken = false;
	spin_unlock_irq(&dev->urb_lock);
	dev->streaming = true;
	ret = dsr_urb_submit_idle(dev);
	if (ret) {
		dsr_stream_stop_locked(dev);
		return dsr_submit_gone(ret) || READ_ONCE(dev->disconnected) ? -ENODEV : ret;
	}
	return 0;
}

/**
 * dsr_stream_stop_locked - stop the bulk IN transfers and free them
 * @dev: the board; caller holds stream_mutex
 *
 * No URB is resubmitted once in_running is false (submission checks it under
 * urb_lock), so one kill of the anchor and one cancel of each work item leave nothing
 * in flight. A stream fault is forgotten: the next stream starts afresh.
 */
void dsr_stream_stop_locked(struct dsr_dev *dev)
{
	lockdep_assert_held(&dev->stream_mutex);
	if (!dev->streaming)
		return;
	spin_lock_irq(&dev->urb_lock);
	dev->in_running = false;
	spin_unlock_irq(&dev->urb_lock);
	cancel_delayed_work_sync(&dev->retry_work);
	usb_kill_anchored_urbs(&dev->in_anchor);
	cancel_work_sync(&dev->work);
	/* the work may have been cancelled with URBs on done: they are idle now */
	dsr_asm_drop(dev);
	dev->asm_state.state = DSR_ASM_IDLE;
	dsr_urbs_free(dev);
	dev->streaming = false;
	spin_lock(&dev->ring_lock);
	dev->fault = 0;
	spin_unlock(&dev->ring_lock);
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
	INIT_DELAYED_WORK(&dev->retry_work, dsr_retry_work);
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
