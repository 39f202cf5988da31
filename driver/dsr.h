/* SPDX-License-Identifier: GPL-2.0 */
/*
 * dsr.h - internal interfaces of the DSR board driver.
 *
 * The driver is split by job: dsr_core.c (USB probe/disconnect, char device, lifetime,
 * control requests), dsr_stream.c (bulk IN transfers and the frame assembler),
 * dsr_ring.c (the ring of frame buffers: read, poll, mmap, dequeue/queue),
 * dsr_ioctl.c (ioctls and bulk OUT uploads) and dsr_sysfs.c (class attributes).
 */
#ifndef DSR_DRIVER_H
#define DSR_DRIVER_H

#include <linux/dma-mapping.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/usb.h>
#include <linux/wait.h>
#include <linux/workqueue.h>

#include <dsr/dsr_ioctl.h>

#define DSR_MAX_BOARDS		16
#define DSR_URBS_MAX		64
#define DSR_CTRL_TIMEOUT_MS	5000	/* USB_CTRL_SET_TIMEOUT: a LUT chunk is 2048 register writes */
#define DSR_BULK_OUT_TIMEOUT_MS	5000

/*
 * Recovery bounds (dsr_stream.c, dsr_ioctl.c): how long a broken pipe may take before
 * the reader or writer hears about it. A failed submission is retried (every idle URB
 * at once) every DSR_RETRY_MS, DSR_RETRY_MAX rounds in a row at most (0.5 s); a
 * clear-halt is tried DSR_CLEAR_HALT_TRIES times with a DSR_CLEAR_HALT_TIMEOUT_MS
 * control timeout, DSR_RETRY_MS apart (at most 4.1 s); DSR_ERRORS_MAX transfer errors
 * in a row end the stream. Then the error is persistent (see struct dsr_dev.fault).
 */
#define DSR_RETRY_MS			50
#define DSR_RETRY_MAX			10
#define DSR_CLEAR_HALT_TRIES		2
#define DSR_CLEAR_HALT_TIMEOUT_MS	2000
#define DSR_ERRORS_MAX			16

/* Module parameters (dsr_core.c), read when streaming starts. */
extern unsigned int dsr_param_urbs;
extern unsigned int dsr_param_urb_kb;
extern unsigned int dsr_param_ring_frames;
extern unsigned int dsr_param_ring_mb;
extern bool dsr_param_check_crc;
extern bool dsr_param_force_dma;
extern struct workqueue_struct *dsr_wq;

/**
 * struct dsr_urb - one bulk IN transfer of the streaming ring and its buffer.
 * @urb:   the URB, resubmitted after each completion while streaming
 * @dev:   owning board
 * @buf:   kernel address of the transfer buffer
 * @page:  the dma_alloc_pages() block behind @buf, or NULL when @buf is kmalloc'ed
 *         (host controllers that move data with the CPU, such as vhci-hcd)
 * @dma:   its DMA address (when @page)
 * @list:  on dsr_dev.done (completed, waiting for the work item) or dsr_dev.idle
 */
struct dsr_urb {
	struct urb *urb;
	struct dsr_dev *dev;
	void *buf;
	struct page *page;
	dma_addr_t dma;
	struct list_head list;
};

/* Where a ring slot is; see dsr_ring.c for the transitions. */
enum dsr_slot_state {
	DSR_SLOT_FREE,		/* on ring_free, may be filled */
	DSR_SLOT_FILLING,	/* the assembler writes into it */
	DSR_SLOT_READY,		/* on ring_ready, a complete frame not yet read */
	DSR_SLOT_USER,		/* dequeued by DSR_IOC_DQBUF, mapped by the reader */
	DSR_SLOT_COPYING,	/* being copied out by read() */
};

struct dsr_slot {
	struct list_head list;
	enum dsr_slot_state state;
	u32 bytes;		/* header + payload when READY/USER */
};

/* Byte-stream parser state of the frame assembler (dsr_stream.c). */
enum dsr_asm_state {
	DSR_ASM_IDLE,		/* the next transfer starts a frame */
	DSR_ASM_COLLECT,	/* inside a frame with a valid header */
	DSR_ASM_SKIP,		/* discarding up to the end of a bad frame */
};

struct dsr_assembler {
	enum dsr_asm_state state;
	int slot;		/* slot being filled, -1 when none */
	u32 received;		/* bytes of the current wire frame so far */
	u32 expected;		/* header + payload + trailer */
	u32 payload;		/* payload bytes */
	u32 crc;		/* running CRC-32 of the payload received so far */
	u8 trailer[DSR_FRAME_TRAILER_SIZE];
	bool have_sequence;
	u32 next_sequence;
};

/**
 * struct dsr_dev - one board.
 *
 * Lifetime: @kref is held by probe (dropped in disconnect) and by every open file;
 * dsr_delete() frees everything on the last put.
 */
struct dsr_dev {
	struct usb_device *udev;
	struct usb_interface *intf;	/* NULL once disconnected; under io_mutex */
	struct kref kref;
	struct mutex io_mutex;		/* intf, and one control sequence at a time */
	struct mutex stream_mutex;	/* reader, streaming state, URB buffers */
	struct mutex write_mutex;	/* one bulk OUT frame at a time; out_resync */
	bool disconnected;		/* READ_ONCE: wakes and fails every waiter */
	bool out_resync;		/* a frame was cut: resync bulk OUT first */

	int minor;
	struct device *class_dev;

	/* What the board said at probe (DSR_REQ_GET_INFO), host order. */
	u32 rtl_version, firmware_version;
	u32 max_width, max_height, pixel_bits_max, board_flags;
	char serial[32];

	unsigned int in_pipe, out_pipe;
	u16 in_maxpacket, out_maxpacket;

	/* Streaming (dsr_stream.c). */
	struct file *reader;		/* the one file that streams; stream_mutex */
	bool streaming;			/* transfers allocated and submitted; stream_mutex */
	bool source_on;			/* the board's playback source was started */
	bool check_crc;			/* check_crc, read at stream start */
	struct dsr_urb urbs[DSR_URBS_MAX];
	unsigned int n_urbs;
	size_t urb_size;
	struct device *dma_dev;		/* the host controller's DMA device */
	struct usb_anchor in_anchor;	/* every bulk IN URB in flight */
	struct usb_anchor out_anchor;	/* every bulk OUT URB in flight */
	spinlock_t urb_lock;		/* done, idle, in_running, halted, broken */
	struct list_head done;		/* completed URBs in completion order */
	struct list_head idle;		/* URBs not submitted */
	bool in_running;		/* completions may be resubmitted */
	bool halted;			/* the IN endpoint stalled: clear it */
	bool broken;			/* a fault ended the stream: submit nothing */
	unsigned int errors_in_row;	/* failed transfers since the last good one */
	unsigned int retries;		/* failed retry rounds in a row (retry_work) */
	struct work_struct work;	/* on dsr_wq: consume, resubmit, clear halts */
	struct delayed_work retry_work;	/* resubmit idle URBs after a failed submit */
	struct dsr_assembler asm_state;	/* only the work item touches it */

	/* The ring (dsr_ring.c): geometry from probe, memory from the first stream. */
	void *ring;			/* vmalloc_user: slots * stride bytes; stream_mutex */
	struct dsr_slot *slots;
	unsigned int n_slots;
	size_t stride;
	u32 frame_bytes_max;		/* header + largest payload */
	spinlock_t ring_lock;		/* slots' state and lists, stats, error */
	struct list_head ring_free;
	struct list_head ring_ready;
	unsigned int n_ready;
	wait_queue_head_t wait;		/* readers and pollers: frame, fault, unplug, write done */
	int fault;			/* the stream broke: every reader call gets it until
					 * the stream is stopped (STREAM_OFF, close) */
	u32 last_width, last_height;	/* of the newest valid frame */
	struct dsr_ioc_stats stats;
};

/* dsr_core.c */
void dsr_delete(struct kref *kref);
int dsr_reg_read(struct dsr_dev *dev, u32 addr, u32 *value);
int dsr_reg_write(struct dsr_dev *dev, u32 addr, u32 value);
int dsr_vendor_out(struct dsr_dev *dev, u8 request, u16 value, u16 index,
		   const void *data, u16 size);
int dsr_io_begin(struct dsr_dev *dev);
void dsr_io_end(struct dsr_dev *dev);

/* dsr_stream.c */
int dsr_stream_start(struct dsr_dev *dev);
void dsr_stream_stop(struct dsr_dev *dev);
void dsr_stream_stop_locked(struct dsr_dev *dev);
const char *dsr_header_check(struct dsr_dev *dev, const struct dsr_frame_header *h,
			     u32 *payload);
void dsr_stream_init(struct dsr_dev *dev);
void dsr_stream_fault(struct dsr_dev *dev, int err);
int dsr_claim_reader(struct dsr_dev *dev, struct file *file);
void dsr_release_reader(struct dsr_dev *dev, struct file *file);

/* dsr_ring.c */
void dsr_ring_geometry(struct dsr_dev *dev, unsigned int frames, unsigned int max_mb);
int dsr_ring_alloc(struct dsr_dev *dev);
void dsr_ring_free(struct dsr_dev *dev);
int dsr_ring_get_slot(struct dsr_dev *dev);
void dsr_ring_publish(struct dsr_dev *dev, int slot, u32 bytes);
void dsr_ring_discard(struct dsr_dev *dev, int slot);
void dsr_ring_reset(struct dsr_dev *dev);
void dsr_set_fault(struct dsr_dev *dev, int err);
ssize_t dsr_read(struct file *file, char __user *buf, size_t count, loff_t *ppos);
__poll_t dsr_poll(struct file *file, struct poll_table_struct *wait);
int dsr_mmap(struct file *file, struct vm_area_struct *vma);
int dsr_dqbuf(struct dsr_dev *dev, struct file *file, struct dsr_ioc_buffer __user *arg);
int dsr_qbuf(struct dsr_dev *dev, struct file *file, struct dsr_ioc_buffer __user *arg);

/* dsr_ioctl.c */
long dsr_ioctl(struct file *file, unsigned int cmd, unsigned long arg);
ssize_t dsr_write(struct file *file, const char __user *buf, size_t count, loff_t *ppos);

/* dsr_sysfs.c */
extern const struct attribute_group *dsr_class_groups[];

#endif /* DSR_DRIVER_H */
