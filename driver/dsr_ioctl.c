// SPDX-License-Identifier: GPL-2.0
/*
 * dsr_ioctl.c - ioctls (dsr_ioctl.h) and frames to the board over bulk OUT.
 *
 * Control ioctls (info, parameters, LUT, statistics, registers) work from any open
 * file; streaming ones (stream on/off, dequeue/queue) from the one streaming reader.
 * Every argument is untrusted: reserved fields must be zero, parameters are checked
 * as dsr_params_check() does before they reach the board, and every struct copied
 * out is fully initialised.
 */
#include <linux/capability.h>
#include <linux/delay.h>
#include <linux/fs.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "dsr.h"

/* Bytes per bulk OUT URB: a multiple of every bulk packet size, so only the last is short. */
#define DSR_OUT_CHUNK		(64 * 1024)
#define DSR_COMMIT_WAIT_MS	2000

/* The shadow registers of a parameter set, in the order they are written. */
static const u32 dsr_param_regs[] = {
	DSR_REG_MODE, DSR_REG_WIDTH, DSR_REG_HEIGHT, DSR_REG_PIXEL_BITS,
	DSR_REG_A11, DSR_REG_A12, DSR_REG_A21, DSR_REG_A22,
	DSR_REG_TX, DSR_REG_TY, DSR_REG_GAIN, DSR_REG_MIDGREY,
	DSR_REG_H31, DSR_REG_H32,
};

/* The same set as register values, in dsr_param_regs order. */
static void dsr_params_to_regs(const struct dsr_ioc_params *p, u32 *v)
{
	v[0] = p->mode;
	v[1] = p->width;
	v[2] = p->height;
	v[3] = p->pixel_bits;
	v[4] = p->a11;
	v[5] = p->a12;
	v[6] = p->a21;
	v[7] = p->a22;
	v[8] = p->tx;
	v[9] = p->ty;
	v[10] = p->gain;
	v[11] = p->midgrey;
	v[12] = p->h31;
	v[13] = p->h32;
}

/* And back. */
static void dsr_regs_to_params(const u32 *v, struct dsr_ioc_params *p)
{
	p->mode = v[0];
	p->width = v[1];
	p->height = v[2];
	p->pixel_bits = v[3];
	p->a11 = v[4];
	p->a12 = v[5];
	p->a21 = v[6];
	p->a22 = v[7];
	p->tx = v[8];
	p->ty = v[9];
	p->gain = v[10];
	p->midgrey = v[11];
	p->h31 = v[12];
	p->h32 = v[13];
}

/* True when every reserved word is zero. */
static bool dsr_zero(const __u32 *w, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (w[i])
			return false;
	return true;
}

/**
 * dsr_params_validate - what the board would refuse, refused here (as dsr_params_check)
 * @dev: the board, for its frame store size and pixel depth
 * @p:   the parameter set from userspace
 *
 * Returns NULL or the name of the problem.
 */
static const char *dsr_params_validate(struct dsr_dev *dev, const struct dsr_ioc_params *p)
{
	if (p->mode > DSR_MODE_MAX)
		return "mode";
	if (!p->width || p->width > dev->max_width)
		return "width";
	if (!p->height || p->height > dev->max_height)
		return "height";
	if (p->pixel_bits < DSR_PIXEL_BITS_MIN || p->pixel_bits > dev->pixel_bits_max)
		return "pixel_bits";
	if (p->gain > DSR_GAIN_MAX)
		return "gain";
	if (p->midgrey > DSR_MIDGREY_MAX || p->midgrey >= (1u << p->pixel_bits))
		return "midgrey";
	if (p->h31 < -(s32)DSR_H_PERSP_MAX || p->h31 > (s32)DSR_H_PERSP_MAX)
		return "h31";
	if (p->h32 < -(s32)DSR_H_PERSP_MAX || p->h32 > (s32)DSR_H_PERSP_MAX)
		return "h32";
	if ((p->h31 || p->h32) && dev->rtl_version < DSR_RTL_VERSION_PROJECTIVE)
		return "h31/h32 (this board's RTL has no projective warp)";
	return NULL;
}

/* Wait (bounded) until no earlier commit is pending, so a set never straddles two. */
static int dsr_wait_commit_idle(struct dsr_dev *dev)
{
	unsigned long end = jiffies + msecs_to_jiffies(DSR_COMMIT_WAIT_MS);
	u32 status;
	int ret;

	for (;;) {
		ret = dsr_reg_read(dev, DSR_REG_STATUS, &status);
		if (ret || !(status & DSR_STATUS_COMMIT_PENDING))
			return ret;
		/* no frame starts, so nothing can apply half-way: go ahead */
		if (time_after(jiffies, end))
			return 0;
		usleep_range(1000, 2000);
	}
}

/**
 * dsr_commit_params - write a parameter set to the shadow registers and commit it
 * @dev: the board, inside dsr_io_begin()
 * @p:   a validated set
 * @generation: the generation frames made with it will carry
 */
static int dsr_commit_params(struct dsr_dev *dev, const struct dsr_ioc_params *p,
			     u32 *generation)
{
	u32 v[ARRAY_SIZE(dsr_param_regs)], active;
	unsigned int i;
	int ret;

	dsr_params_to_regs(p, v);
	ret = dsr_wait_commit_idle(dev);
	if (ret)
		return ret;
	ret = dsr_reg_read(dev, DSR_REG_GENERATION, &active);
	if (ret)
		return ret;
	for (i = 0; i < ARRAY_SIZE(dsr_param_regs); i++) {
		ret = dsr_reg_write(dev, dsr_param_regs[i], v[i]);
		if (ret)
			return ret;
	}
	ret = dsr_reg_write(dev, DSR_REG_CTRL, DSR_CTRL_COMMIT);
	if (ret)
		return ret;
	*generation = active + 1;
	return 0;
}

/* DSR_PARAMS_WAIT: poll the active generation until it reaches @generation. */
static int dsr_wait_generation(struct dsr_dev *dev, u32 generation)
{
	unsigned long end = jiffies + msecs_to_jiffies(DSR_COMMIT_WAIT_MS);
	u32 active, err;
	int ret;

	for (;;) {
		ret = dsr_io_begin(dev);
		if (ret)
			return ret;
		ret = dsr_reg_read(dev, DSR_REG_GENERATION, &active);
		if (!ret && (s32)(active - generation) < 0)
			ret = dsr_reg_read(dev, DSR_REG_ERROR, &err);
		else
			err = 0;
		dsr_io_end(dev);
		if (ret)
			return ret;
		if ((s32)(active - generation) >= 0)
			return 0;
		if (err & DSR_ERR_BAD_PARAMS)
			return -EINVAL;
		if (time_after(jiffies, end))
			return -ETIMEDOUT;
		usleep_range(2000, 4000);
	}
}

/* DSR_IOC_SET_PARAMS */
static int dsr_ioc_set_params(struct dsr_dev *dev, void __user *argp)
{
	struct dsr_ioc_params p;
	const char *why;
	u32 generation = 0;
	int ret;

	if (copy_from_user(&p, argp, sizeof(p)))
		return -EFAULT;
	if ((p.flags & ~DSR_PARAMS_WAIT) || !dsr_zero(p.reserved, ARRAY_SIZE(p.reserved)))
		return -EINVAL;
	why = dsr_params_validate(dev, &p);
	if (why) {
		dev_dbg(&dev->udev->dev, "parameters refused: %s out of range\n", why);
		return -EINVAL;
	}
	ret = dsr_io_begin(dev);
	if (ret)
		return ret;
	ret = dsr_commit_params(dev, &p, &generation);
	dsr_io_end(dev);
	if (!ret && (p.flags & DSR_PARAMS_WAIT))
		ret = dsr_wait_generation(dev, generation);
	if (ret)
		return ret;
	p.generation = generation;
	return copy_to_user(argp, &p, sizeof(p)) ? -EFAULT : 0;
}

/* DSR_IOC_GET_PARAMS: the shadow set and the active generation. */
static int dsr_ioc_get_params(struct dsr_dev *dev, void __user *argp)
{
	u32 v[ARRAY_SIZE(dsr_param_regs)], generation = 0;
	struct dsr_ioc_params p;
	unsigned int i;
	int ret;

	ret = dsr_io_begin(dev);
	if (ret)
		return ret;
	for (i = 0; i < ARRAY_SIZE(dsr_param_regs) && !ret; i++)
		ret = dsr_reg_read(dev, dsr_param_regs[i], &v[i]);
	if (!ret)
		ret = dsr_reg_read(dev, DSR_REG_GENERATION, &generation);
	dsr_io_end(dev);
	if (ret)
		return ret;
	memset(&p, 0, sizeof(p));
	dsr_regs_to_params(v, &p);
	p.generation = generation;
	return copy_to_user(argp, &p, sizeof(p)) ? -EFAULT : 0;
}

/* DSR_IOC_LOAD_LUT: shadow LUT entries, DSR_LUT_CHUNK per control request. */
static int dsr_ioc_load_lut(struct dsr_dev *dev, void __user *argp)
{
	const u16 __user *src;
	struct dsr_ioc_lut l;
	u32 done, n, i;
	__le16 *chunk;
	u16 *host;
	int ret = 0;

	if (copy_from_user(&l, argp, sizeof(l)))
		return -EFAULT;
	if (!dsr_zero(l.reserved, ARRAY_SIZE(l.reserved)) || l.first % DSR_LUT_CHUNK ||
	    l.first >= DSR_LUT_SIZE || !l.count || l.count > DSR_LUT_SIZE - l.first)
		return -EINVAL;
	src = u64_to_user_ptr(l.entries);
	/* LUT writes go to the bank a pending commit is about to make active: wait */
	ret = dsr_io_begin(dev);
	if (ret)
		return ret;
	ret = dsr_wait_commit_idle(dev);
	dsr_io_end(dev);
	if (ret)
		return ret;
	host = kmalloc_array(DSR_LUT_CHUNK, sizeof(*host), GFP_KERNEL);
	if (!host)
		return -ENOMEM;
	chunk = (__le16 *)host;
	for (done = 0; done < l.count && !ret; done += n) {
		n = min_t(u32, l.count - done, DSR_LUT_CHUNK);
		if (copy_from_user(host, src + done, n * sizeof(*host))) {
			ret = -EFAULT;
			break;
		}
		for (i = 0; i < n; i++)
			chunk[i] = cpu_to_le16(host[i]);
		ret = dsr_io_begin(dev);
		if (ret)
			break;
		ret = dsr_vendor_out(dev, DSR_REQ_LUT_WRITE, (l.first + done) / DSR_LUT_CHUNK,
				     0, chunk, n * sizeof(*chunk));
		dsr_io_end(dev);
	}
	kfree(host);
	return ret;
}

/* DSR_IOC_GET_INFO */
static int dsr_ioc_get_info(struct dsr_dev *dev, void __user *argp)
{
	struct dsr_ioc_info info;

	memset(&info, 0, sizeof(info));
	info.ioctl_version = DSR_IOCTL_VERSION;
	info.id = DSR_ID_VALUE;
	info.rtl_version = dev->rtl_version;
	info.firmware_version = dev->firmware_version;
	info.max_width = dev->max_width;
	info.max_height = dev->max_height;
	info.pixel_bits_max = dev->pixel_bits_max;
	info.board_flags = dev->board_flags;
	info.ring_frames = dev->n_slots;
	info.slot_stride = dev->stride;
	info.ring_bytes = (u64)dev->n_slots * dev->stride;
	info.frame_bytes_max = dev->frame_bytes_max;
	mutex_lock(&dev->stream_mutex);
	if (dev->streaming) {
		info.urbs = dev->n_urbs;
		info.urb_bytes = dev->urb_size;
	} else {
		info.urbs = clamp_t(unsigned int, dsr_param_urbs, 1, DSR_URBS_MAX);
		info.urb_bytes = 0;
	}
	info.streaming = dev->streaming;
	mutex_unlock(&dev->stream_mutex);
	info.usb_speed = dev->udev->speed;
	strscpy(info.serial, dev->serial, sizeof(info.serial));
	return copy_to_user(argp, &info, sizeof(info)) ? -EFAULT : 0;
}

/* DSR_IOC_GET_STATS */
static int dsr_ioc_get_stats(struct dsr_dev *dev, void __user *argp)
{
	struct dsr_ioc_stats st;

	spin_lock(&dev->ring_lock);
	st = dev->stats;
	st.ring_ready = dev->n_ready;
	spin_unlock(&dev->ring_lock);
	st.reserved0 = 0;
	memset(st.reserved, 0, sizeof(st.reserved));
	return copy_to_user(argp, &st, sizeof(st)) ? -EFAULT : 0;
}

/* DSR_IOC_REG_READ / REG_WRITE: raw access for administrators only. */
static int dsr_ioc_reg(struct dsr_dev *dev, void __user *argp, bool write)
{
	struct dsr_ioc_reg r;
	int ret;

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	if (copy_from_user(&r, argp, sizeof(r)))
		return -EFAULT;
	if (r.addr >= DSR_REG_SPAN || r.addr % 4)
		return -EINVAL;
	ret = dsr_io_begin(dev);
	if (ret)
		return ret;
	if (write)
		ret = dsr_reg_write(dev, r.addr, r.value);
	else
		ret = dsr_reg_read(dev, r.addr, &r.value);
	dsr_io_end(dev);
	if (ret || write)
		return ret;
	return copy_to_user(argp, &r, sizeof(r)) ? -EFAULT : 0;
}

/* DSR_IOC_STREAM_ON: bulk IN transfers for this reader, and the board's source. */
static int dsr_ioc_stream_on(struct dsr_dev *dev, struct file *file)
{
	int ret;

	ret = dsr_claim_reader(dev, file);
	if (ret)
		return ret;
	mutex_lock(&dev->stream_mutex);
	ret = dsr_io_begin(dev);
	if (!ret) {
		ret = dsr_vendor_out(dev, DSR_REQ_STREAM, 1, 0, NULL, 0);
		dsr_io_end(dev);
	}
	if (!ret)
		dev->source_on = true;
	mutex_unlock(&dev->stream_mutex);
	return ret;
}

/* DSR_IOC_STREAM_OFF: stop the board's source, then the transfers. */
static int dsr_ioc_stream_off(struct dsr_dev *dev, struct file *file)
{
	int ret = 0;

	mutex_lock(&dev->stream_mutex);
	if (dev->reader && dev->reader != file) {
		ret = -EBUSY;
		goto out;
	}
	if (dev->source_on) {
		ret = dsr_io_begin(dev);
		if (!ret) {
			ret = dsr_vendor_out(dev, DSR_REQ_STREAM, 0, 0, NULL, 0);
			dsr_io_end(dev);
		}
		dev->source_on = false;
	}
	dsr_stream_stop_locked(dev);
out:
	mutex_unlock(&dev->stream_mutex);
	return ret;
}

/* Highest command number; a known number with another size or direction is EINVAL. */
#define DSR_IOC_NR_LAST		_IOC_NR(DSR_IOC_QBUF)

/**
 * dsr_ioctl - the board's ioctls (dsr_ioctl.h)
 * @file: an open file of the board
 * @cmd:  DSR_IOC_*
 * @arg:  user pointer to the command's struct
 */
long dsr_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct dsr_dev *dev = file->private_data;
	void __user *argp = (void __user *)arg;

	if (_IOC_TYPE(cmd) != DSR_IOC_MAGIC)
		return -ENOTTY;
	if (READ_ONCE(dev->disconnected))
		return -ENODEV;
	switch (cmd) {
	case DSR_IOC_GET_INFO:
		return dsr_ioc_get_info(dev, argp);
	case DSR_IOC_SET_PARAMS:
		return dsr_ioc_set_params(dev, argp);
	case DSR_IOC_GET_PARAMS:
		return dsr_ioc_get_params(dev, argp);
	case DSR_IOC_LOAD_LUT:
		return dsr_ioc_load_lut(dev, argp);
	case DSR_IOC_STREAM_ON:
		return dsr_ioc_stream_on(dev, file);
	case DSR_IOC_STREAM_OFF:
		return dsr_ioc_stream_off(dev, file);
	case DSR_IOC_GET_STATS:
		return dsr_ioc_get_stats(dev, argp);
	case DSR_IOC_REG_READ:
		return dsr_ioc_reg(dev, argp, false);
	case DSR_IOC_REG_WRITE:
		return dsr_ioc_reg(dev, argp, true);
	case DSR_IOC_DQBUF:
		return dsr_dqbuf(dev, file, argp);
	case DSR_IOC_QBUF:
		return dsr_qbuf(dev, file, argp);
	}
	return _IOC_NR(cmd) <= DSR_IOC_NR_LAST ? -EINVAL : -ENOTTY;
}

static void dsr_out_complete(struct urb *urb)
{
	complete(urb->context);
}

/* Bulk OUT outcomes that mean the endpoint or the device went away (unbind, unplug). */
static bool dsr_out_gone(struct dsr_dev *dev, int ret)
{
	return READ_ONCE(dev->disconnected) || ret == -ENODEV || ret == -ESHUTDOWN ||
	       ret == -ENOENT || ret == -EHOSTUNREACH || ret == -EPERM;
}

/**
 * dsr_out_submit - submit one bulk OUT URB, serialised against disconnect
 * @dev: the board
 * @urb: filled URB
 *
 * Under io_mutex with intf checked, and on out_anchor (poisoned by disconnect), so
 * that no URB reaches the interface after ->disconnect.
 */
static int dsr_out_submit(struct dsr_dev *dev, struct urb *urb)
{
	int ret = dsr_io_begin(dev);

	if (ret)
		return ret;
	usb_anchor_urb(urb, &dev->out_anchor);
	ret = usb_submit_urb(urb, GFP_KERNEL);
	if (ret)
		usb_unanchor_urb(urb);
	dsr_io_end(dev);
	return ret;
}

/**
 * dsr_bulk_out - send one chunk of a frame over bulk OUT and wait for it
 * @dev:  the board
 * @buf:  kmalloc'ed bytes
 * @len:  how many (a multiple of the packet size unless it is the last chunk)
 * @last: the frame's last chunk: end it with a zero-length packet if it is not short
 *
 * Waits at most DSR_BULK_OUT_TIMEOUT_MS; only a fatal signal interrupts it (-EINTR).
 */
static int dsr_bulk_out(struct dsr_dev *dev, void *buf, size_t len, bool last)
{
	DECLARE_COMPLETION_ONSTACK(done);
	struct urb *urb;
	long left;
	int ret;

	urb = usb_alloc_urb(0, GFP_KERNEL);
	if (!urb)
		return -ENOMEM;
	usb_fill_bulk_urb(urb, dev->udev, dev->out_pipe, buf, len, dsr_out_complete, &done);
	if (last)
		urb->transfer_flags |= URB_ZERO_PACKET;
	ret = dsr_out_submit(dev, urb);
	if (ret)
		goto out;
	left = wait_for_completion_killable_timeout(&done,
						    msecs_to_jiffies(DSR_BULK_OUT_TIMEOUT_MS));
	if (left <= 0) {
		usb_kill_urb(urb);
		ret = left ? -EINTR : -ETIMEDOUT;
		goto out;
	}
	ret = urb->status;
	if (!ret && urb->actual_length != len)
		ret = -EIO;
out:
	usb_free_urb(urb);
	return ret && dsr_out_gone(dev, ret) ? -ENODEV : ret;
}

/**
 * dsr_out_resync - put the board's bulk OUT receiver back at a frame boundary
 * @dev: the board; caller holds write_mutex
 *
 * CLEAR_FEATURE(ENDPOINT_HALT) on bulk OUT: the board discards a partly received
 * frame (dsr_hw.h, "resynchronising bulk OUT") and the host's data toggle restarts.
 * Used after a frame was cut (timeout, fatal signal, error) or refused (STALL).
 * A failed resync is retried before the next frame.
 */
static int dsr_out_resync(struct dsr_dev *dev)
{
	u8 ep = usb_pipeendpoint(dev->out_pipe);
	int ret = dsr_io_begin(dev);

	if (ret)
		return ret;
	ret = usb_control_msg(dev->udev, usb_sndctrlpipe(dev->udev, 0),
			      USB_REQ_CLEAR_FEATURE, USB_RECIP_ENDPOINT, USB_ENDPOINT_HALT,
			      ep, NULL, 0, DSR_CTRL_TIMEOUT_MS);
	if (ret >= 0)
		usb_reset_endpoint(dev->udev, ep);
	dsr_io_end(dev);
	dev->out_resync = ret < 0;
	if (ret >= 0) {
		spin_lock(&dev->ring_lock);
		dev->stats.out_resyncs++;
		spin_unlock(&dev->ring_lock);
	}
	if (ret < 0)
		dev_err_ratelimited(&dev->udev->dev, "bulk OUT resync failed: %d\n", ret);
	return ret < 0 ? -EIO : 0;
}

/**
 * dsr_write_check - validate a wire frame, in the kernel's own copy of it
 * @dev:   the board
 * @frame: header + payload + trailer, copied from userspace once
 * @count: its length, which must be exactly the frame's
 */
static int dsr_write_check(struct dsr_dev *dev, const u8 *frame, size_t count)
{
	const struct dsr_frame_trailer *t;
	u32 payload;

	if (dsr_header_check(dev, (const struct dsr_frame_header *)frame, &payload) ||
	    count != DSR_FRAME_HEADER_SIZE + payload + DSR_FRAME_TRAILER_SIZE)
		return -EINVAL;
	t = (const void *)(frame + count - DSR_FRAME_TRAILER_SIZE);
	if (le32_to_cpu(t->magic) != DSR_TRAILER_MAGIC)
		return -EINVAL;
	return 0;
}

/**
 * dsr_write_frame - send a validated frame, chunk by chunk through a DMA-able buffer
 * @dev:   the board; caller holds write_mutex
 * @frame: the validated kernel copy (may be vmalloc'ed, so it is bounced)
 * @count: its length
 *
 * A frame cut anywhere after its first URB was submitted leaves the board
 * mid-frame: it is resynchronised before returning (or before the next frame).
 */
static int dsr_write_frame(struct dsr_dev *dev, const u8 *frame, size_t count)
{
	size_t done, n;
	void *chunk;
	int ret = 0;

	if (dev->out_resync && dsr_out_resync(dev))
		return READ_ONCE(dev->disconnected) ? -ENODEV : -EIO;
	chunk = kmalloc(min_t(size_t, count, DSR_OUT_CHUNK), GFP_KERNEL);
	if (!chunk)
		return -ENOMEM;
	for (done = 0; done < count && !ret; done += n) {
		n = min_t(size_t, count - done, DSR_OUT_CHUNK);
		memcpy(chunk, frame + done, n);
		ret = dsr_bulk_out(dev, chunk, n, done + n == count);
	}
	kfree(chunk);
	if (ret && ret != -ENODEV)
		dsr_out_resync(dev);
	return ret;
}

/**
 * dsr_write - write(): one whole wire frame to the board (reference or playback)
 * @file:  any open file of the board
 * @buf:   header + payload + trailer (dsr_hw.h)
 * @count: exactly the frame's length
 * @ppos:  unused
 *
 * The frame is copied from userspace once; that copy is validated and that copy is
 * sent, so changing the buffer during the call cannot get past the checks.
 */
ssize_t dsr_write(struct file *file, const char __user *buf, size_t count, loff_t *ppos)
{
	struct dsr_dev *dev = file->private_data;
	u8 *frame;
	int ret;

	if (READ_ONCE(dev->disconnected))
		return -ENODEV;
	if (count < DSR_FRAME_HEADER_SIZE + DSR_FRAME_TRAILER_SIZE ||
	    count > dev->frame_bytes_max + DSR_FRAME_TRAILER_SIZE)
		return -EINVAL;
	frame = kvmalloc(count, GFP_KERNEL);
	if (!frame)
		return -ENOMEM;
	ret = copy_from_user(frame, buf, count) ? -EFAULT : dsr_write_check(dev, frame, count);
	if (ret)
		goto out;
	ret = mutex_lock_interruptible(&dev->write_mutex);
	if (ret)
		goto out;
	ret = dsr_write_frame(dev, frame, count);
	mutex_unlock(&dev->write_mutex);
	wake_up_interruptible(&dev->wait);	/* pollers waiting for EPOLLOUT */
	if (!ret) {
		spin_lock(&dev->ring_lock);
		dev->stats.frames_sent++;
		spin_unlock(&dev->ring_lock);
	}
out:
	kvfree(frame);
	if (ret && READ_ONCE(dev->disconnected))
		ret = -ENODEV;
	return ret ? ret : count;
}
