// SPDX-License-Identifier: GPL-2.0
/*
 * dsr_ring.c - the ring of frame buffers and the reader's side of it.
 *
 * The ring's geometry is fixed at probe, sized for the board's largest frame and
 * bounded by the ring_mb module parameter: n_slots slots of `stride` bytes, each
 * holding a frame as read() returns it (header + payload). It reaches userspace
 * through DSR_IOC_GET_INFO. The memory (vmalloc_user, so it can be mapped read-only
 * into the reader) is allocated when a file first streams or maps it, not at plug
 * time, and freed with the board.
 *
 * A slot moves FREE -> FILLING (assembler) -> READY (published, on ring_ready in
 * arrival order) -> USER (dequeued) or COPYING (read() copies it out) -> FREE. When the
 * assembler needs a slot and none is free, the oldest READY frame is dropped and its
 * slot reused: a slow reader loses old frames, never the newest. Every drop counts in
 * stats.frames_dropped and is logged at error level (rate-limited).
 */
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/poll.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/version.h>
#include <linux/vmalloc.h>

#include "dsr.h"

#define DSR_RING_FRAMES_MIN	2
#define DSR_RING_FRAMES_MAX	256

/* vm_flags became read-only behind accessors in 6.3. */
static void dsr_vm_flags_clear(struct vm_area_struct *vma, vm_flags_t flags)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 3, 0)
	vm_flags_clear(vma, flags);
#else
	vma->vm_flags &= ~flags;
#endif
}

/**
 * dsr_ring_geometry - the ring's shape for the board's largest frame (probe)
 * @dev:    the board (max_width/max_height known)
 * @frames: slots wanted (module parameter ring_frames)
 * @max_mb: the most memory the ring may take (ring_mb); fewer slots if needed. When
 *          not even DSR_RING_FRAMES_MIN slots fit, n_slots is 0 and streaming fails
 *          with ENOMEM: the limit is never exceeded.
 */
void dsr_ring_geometry(struct dsr_dev *dev, unsigned int frames, unsigned int max_mb)
{
	u64 limit = (u64)max_mb << 20;

	dev->frame_bytes_max = DSR_FRAME_HEADER_SIZE + dev->max_width * dev->max_height * 2;
	dev->stride = PAGE_ALIGN(dev->frame_bytes_max);
	frames = clamp_t(unsigned int, frames, DSR_RING_FRAMES_MIN, DSR_RING_FRAMES_MAX);
	while (frames > DSR_RING_FRAMES_MIN && (u64)frames * dev->stride > limit)
		frames--;
	dev->n_slots = (u64)frames * dev->stride > limit ? 0 : frames;
}

/**
 * dsr_ring_alloc - the ring's memory, the first time a file streams or maps it
 * @dev: the board; caller holds stream_mutex
 */
int dsr_ring_alloc(struct dsr_dev *dev)
{
	unsigned int i;

	lockdep_assert_held(&dev->stream_mutex);
	if (dev->ring)
		return 0;
	if (!dev->n_slots) {
		dev_err(&dev->udev->dev,
			"ring_mb=%u is too small for %d frames of %ux%u: not streaming\n",
			dsr_param_ring_mb, DSR_RING_FRAMES_MIN, dev->max_width, dev->max_height);
		return -ENOMEM;
	}
	dev->slots = kcalloc(dev->n_slots, sizeof(*dev->slots), GFP_KERNEL);
	if (!dev->slots)
		return -ENOMEM;
	dev->ring = vmalloc_user((size_t)dev->n_slots * dev->stride);
	if (!dev->ring) {
		kfree(dev->slots);
		dev->slots = NULL;
		return -ENOMEM;
	}
	spin_lock(&dev->ring_lock);
	for (i = 0; i < dev->n_slots; i++) {
		dev->slots[i].state = DSR_SLOT_FREE;
		list_add_tail(&dev->slots[i].list, &dev->ring_free);
	}
	spin_unlock(&dev->ring_lock);
	return 0;
}

/* Free the ring (last reference gone). */
void dsr_ring_free(struct dsr_dev *dev)
{
	vfree(dev->ring);
	kfree(dev->slots);
	dev->ring = NULL;
	dev->slots = NULL;
}

/* Move slot @i to @state, on @list (or on none). Caller holds ring_lock. */
static void dsr_slot_move(struct dsr_dev *dev, int i, enum dsr_slot_state state,
			  struct list_head *list)
{
	struct dsr_slot *s = &dev->slots[i];

	if (s->state == DSR_SLOT_READY)
		WRITE_ONCE(dev->n_ready, dev->n_ready - 1);
	list_del_init(&s->list);
	s->state = state;
	if (state == DSR_SLOT_READY)
		WRITE_ONCE(dev->n_ready, dev->n_ready + 1);
	if (list)
		list_add_tail(&s->list, list);
}

/**
 * dsr_ring_get_slot - a slot for the frame that starts arriving now
 * @dev: the board
 *
 * A free slot if there is one, else the oldest unread frame's (dropped); -1 when the
 * reader holds every slot, and the arriving frame is the one dropped.
 */
int dsr_ring_get_slot(struct dsr_dev *dev)
{
	struct dsr_slot *s = NULL;
	u32 lost_seq = 0;
	bool overrun = false;
	int i = -1;

	spin_lock(&dev->ring_lock);
	if (!list_empty(&dev->ring_free)) {
		s = list_first_entry(&dev->ring_free, struct dsr_slot, list);
	} else if (!list_empty(&dev->ring_ready)) {
		s = list_first_entry(&dev->ring_ready, struct dsr_slot, list);
		overrun = true;
	}
	if (s) {
		i = s - dev->slots;
		if (overrun) {
			const struct dsr_frame_header *h = dev->ring + i * dev->stride;

			lost_seq = le32_to_cpu(h->sequence);
		}
		dsr_slot_move(dev, i, DSR_SLOT_FILLING, NULL);
	}
	if (!s || overrun)
		dev->stats.frames_dropped++;
	spin_unlock(&dev->ring_lock);

	if (overrun)
		dev_err_ratelimited(&dev->udev->dev,
				    "ring overrun: reader too slow, dropped frame %u\n", lost_seq);
	else if (!s)
		dev_err_ratelimited(&dev->udev->dev,
				    "ring overrun: every slot dequeued, dropped the arriving frame\n");
	return i;
}

/**
 * dsr_ring_publish - a complete, valid frame is in slot @i: queue it and wake readers
 * @dev:   the board
 * @i:     the slot the assembler filled
 * @bytes: header + payload
 */
void dsr_ring_publish(struct dsr_dev *dev, int i, u32 bytes)
{
	const struct dsr_frame_header *h = dev->ring + i * dev->stride;

	spin_lock(&dev->ring_lock);
	dev->slots[i].bytes = bytes;
	dsr_slot_move(dev, i, DSR_SLOT_READY, &dev->ring_ready);
	dev->stats.frames_received++;
	dev->stats.last_sequence = le32_to_cpu(h->sequence);
	dev->stats.last_generation = le32_to_cpu(h->generation);
	dev->last_width = le16_to_cpu(h->width);
	dev->last_height = le16_to_cpu(h->height);
	spin_unlock(&dev->ring_lock);
	wake_up_interruptible(&dev->wait);
}

/* The assembler gives up on slot @i: back to the free list. */
void dsr_ring_discard(struct dsr_dev *dev, int i)
{
	spin_lock(&dev->ring_lock);
	dsr_slot_move(dev, i, DSR_SLOT_FREE, &dev->ring_free);
	spin_unlock(&dev->ring_lock);
}

/*
 * The streaming reader closed (streaming stopped, nothing FILLING): every slot is free
 * again, so that the next reader starts with an empty ring.
 */
void dsr_ring_reset(struct dsr_dev *dev)
{
	unsigned int i;

	spin_lock(&dev->ring_lock);
	for (i = 0; dev->slots && i < dev->n_slots; i++)
		dsr_slot_move(dev, i, DSR_SLOT_FREE, &dev->ring_free);
	dev->fault = 0;
	spin_unlock(&dev->ring_lock);
}

/**
 * dsr_set_fault - the stream broke: remember why for the reader, and wake it
 * @dev: the board
 * @err: negative errno; the first one is kept until the stream stops
 */
void dsr_set_fault(struct dsr_dev *dev, int err)
{
	spin_lock(&dev->ring_lock);
	if (!dev->fault)
		dev->fault = err;
	spin_unlock(&dev->ring_lock);
	wake_up_interruptible_all(&dev->wait);
}

/* What a sleeping reader waits for. */
static bool dsr_reader_wakeup(struct dsr_dev *dev)
{
	return READ_ONCE(dev->n_ready) || READ_ONCE(dev->fault) ||
	       READ_ONCE(dev->disconnected);
}

/**
 * dsr_ring_take - wait for the oldest ready frame and take it out of the queue
 * @dev:   the board
 * @file:  the reader (O_NONBLOCK decides between -EAGAIN and sleeping)
 * @state: DSR_SLOT_USER (dequeue) or DSR_SLOT_COPYING (read)
 *
 * Returns the slot, or -ENODEV (unplugged), the stream's fault once no complete frame
 * is left (every call, until the stream stops), -EAGAIN, or -ERESTARTSYS.
 */
static int dsr_ring_take(struct dsr_dev *dev, struct file *file, enum dsr_slot_state state)
{
	struct dsr_slot *s;
	int err, ret;

	for (;;) {
		if (READ_ONCE(dev->disconnected))
			return -ENODEV;
		spin_lock(&dev->ring_lock);
		err = dev->fault;
		ret = -EAGAIN;
		if (!list_empty(&dev->ring_ready)) {
			s = list_first_entry(&dev->ring_ready, struct dsr_slot, list);
			ret = s - dev->slots;
			dsr_slot_move(dev, ret, state, NULL);
			dev->stats.frames_read++;
		}
		spin_unlock(&dev->ring_lock);
		if (ret >= 0)
			return ret;
		if (err)
			return err;
		if (file->f_flags & O_NONBLOCK)
			return ret;
		ret = wait_event_interruptible(dev->wait, dsr_reader_wakeup(dev));
		if (ret)
			return ret;
	}
}

/* A taken frame could not be delivered: it goes back to the head of the queue. */
static void dsr_ring_untake(struct dsr_dev *dev, int i)
{
	spin_lock(&dev->ring_lock);
	dsr_slot_move(dev, i, DSR_SLOT_READY, NULL);
	list_add(&dev->slots[i].list, &dev->ring_ready);
	dev->stats.frames_read--;
	spin_unlock(&dev->ring_lock);
	wake_up_interruptible(&dev->wait);
}

/* A delivered frame's slot is free for the assembler again. */
static void dsr_ring_give_back(struct dsr_dev *dev, int i)
{
	spin_lock(&dev->ring_lock);
	dsr_slot_move(dev, i, DSR_SLOT_FREE, &dev->ring_free);
	spin_unlock(&dev->ring_lock);
}

/**
 * dsr_read - read(): one whole frame, header then payload
 * @file:  the reader
 * @buf:   user buffer
 * @count: its size; smaller than the frame gives -EMSGSIZE and the frame stays queued
 * @ppos:  unused (stream)
 */
ssize_t dsr_read(struct file *file, char __user *buf, size_t count, loff_t *ppos)
{
	struct dsr_dev *dev = file->private_data;
	u32 bytes;
	int ret, i;

	ret = dsr_claim_reader(dev, file);
	if (ret)
		return ret;
	i = dsr_ring_take(dev, file, DSR_SLOT_COPYING);
	if (i < 0)
		return i;
	bytes = dev->slots[i].bytes;
	if (count < bytes) {
		dsr_ring_untake(dev, i);
		return -EMSGSIZE;
	}
	if (copy_to_user(buf, dev->ring + i * dev->stride, bytes)) {
		dsr_ring_untake(dev, i);
		return -EFAULT;
	}
	dsr_ring_give_back(dev, i);
	return bytes;
}

/**
 * dsr_poll - poll(): readable when a complete frame is queued for this file
 * @file: an open file of the board
 * @wait: poll table
 *
 * No side effect beyond what read() would do: only a caller asking for EPOLLIN
 * claims the stream (and starts the transfers), as its read() would. A file that
 * another one streams from is simply not readable (no EPOLLERR, on which an epoll
 * user would spin); it is woken when that reader lets go. EPOLLOUT when no other
 * write() is in progress; EPOLLERR when read() would fail at once.
 */
__poll_t dsr_poll(struct file *file, struct poll_table_struct *wait)
{
	struct dsr_dev *dev = file->private_data;
	__poll_t mask = 0;
	struct file *reader;

	poll_wait(file, &dev->wait, wait);
	if (READ_ONCE(dev->disconnected))
		return EPOLLERR | EPOLLHUP;
	if (!mutex_is_locked(&dev->write_mutex))
		mask |= EPOLLOUT | EPOLLWRNORM;
	reader = READ_ONCE(dev->reader);
	if ((poll_requested_events(wait) & (EPOLLIN | EPOLLRDNORM)) &&
	    (!reader || reader == file)) {
		switch (dsr_claim_reader(dev, file)) {
		case 0:
			break;
		case -EBUSY:	/* another file won the race to stream */
			return mask;
		default:
			return mask | EPOLLERR;
		}
		reader = file;
	}
	if (reader != file)
		return mask;
	if (READ_ONCE(dev->n_ready))
		mask |= EPOLLIN | EPOLLRDNORM;
	else if (READ_ONCE(dev->fault))
		mask |= EPOLLERR;
	return mask;
}

/**
 * dsr_mmap - map the ring read-only (allocating it, as streaming would)
 * @file: any open file of the board
 * @vma:  a read-only mapping within ring_bytes
 */
int dsr_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct dsr_dev *dev = file->private_data;
	int ret;

	if (READ_ONCE(dev->disconnected))
		return -ENODEV;
	if (vma->vm_flags & VM_WRITE)
		return -EACCES;
	mutex_lock(&dev->stream_mutex);
	ret = dsr_ring_alloc(dev);
	mutex_unlock(&dev->stream_mutex);
	if (ret)
		return ret;
	dsr_vm_flags_clear(vma, VM_MAYWRITE);
	return remap_vmalloc_range(vma, dev->ring, vma->vm_pgoff);
}

/**
 * dsr_dqbuf - DSR_IOC_DQBUF: hand the oldest ready slot to the mapping reader
 * @dev:  the board
 * @file: the reader
 * @arg:  where the slot's description goes
 */
int dsr_dqbuf(struct dsr_dev *dev, struct file *file, struct dsr_ioc_buffer __user *arg)
{
	struct dsr_ioc_buffer b;
	const struct dsr_frame_header *h;
	int ret, i;

	ret = dsr_claim_reader(dev, file);
	if (ret)
		return ret;
	i = dsr_ring_take(dev, file, DSR_SLOT_USER);
	if (i < 0)
		return i;
	h = dev->ring + i * dev->stride;
	memset(&b, 0, sizeof(b));
	b.index = i;
	b.bytes_used = dev->slots[i].bytes;
	b.offset = (u64)i * dev->stride;
	b.sequence = le32_to_cpu(h->sequence);
	b.generation = le32_to_cpu(h->generation);
	b.flags = le32_to_cpu(h->flags);
	if (copy_to_user(arg, &b, sizeof(b))) {
		dsr_ring_untake(dev, i);
		return -EFAULT;
	}
	return 0;
}

/**
 * dsr_qbuf - DSR_IOC_QBUF: the mapping reader is done with a dequeued slot
 * @dev:  the board
 * @file: the reader
 * @arg:  the slot, as DSR_IOC_DQBUF described it (only index is used)
 */
int dsr_qbuf(struct dsr_dev *dev, struct file *file, struct dsr_ioc_buffer __user *arg)
{
	struct dsr_ioc_buffer b;
	int ret = 0;

	if (copy_from_user(&b, arg, sizeof(b)))
		return -EFAULT;
	if (b.index >= dev->n_slots)
		return -EINVAL;
	if (READ_ONCE(dev->reader) != file)
		return -EBUSY;
	spin_lock(&dev->ring_lock);
	if (dev->slots && dev->slots[b.index].state == DSR_SLOT_USER)
		dsr_slot_move(dev, b.index, DSR_SLOT_FREE, &dev->ring_free);
	else
		ret = -EINVAL;
	spin_unlock(&dev->ring_lock);
	return ret;
}
