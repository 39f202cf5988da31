/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * dsr_ioctl.h - the UAPI of the dsr.ko kernel driver (/dev/dsrN).
 *
 * What crosses the kernel boundary, defined once for the driver (driver/), libdsr's
 * device transport (userspace/lib/board/device.c) and the guest tests. Every struct has
 * a fixed size with explicit padding, checked below, so that the size encoded in each
 * ioctl number is the size of the struct, the same on 32- and 64-bit userspace.
 * Reserved fields must be zero on input (EINVAL otherwise) and are zero on output.
 *
 * The char device:
 *  read()   one whole frame per call: the 64-byte struct dsr_frame_header followed by
 *           the payload (header.payload_length bytes). The trailer the board sent is
 *           not returned: its CRC is in header.payload_crc and its flags are ORed into
 *           header.flags. DSR_FLAG_CRC_VALID means the driver checked the payload
 *           against that CRC (module parameter check_crc, on by default, read when a
 *           stream starts); without it the CRC is the board's, unchecked, and the
 *           reader should check it (libdsr does). A buffer smaller than the frame
 *           fails with EMSGSIZE and leaves the frame queued; a buffer of
 *           dsr_ioc_info.frame_bytes_max always suffices. O_NONBLOCK gives EAGAIN when
 *           no frame is ready. The first read(), poll() or DSR_IOC_DQBUF starts the bulk
 *           IN transfers; only one open file may stream at a time (EBUSY for others),
 *           until it is closed.
 *  poll()   EPOLLIN when a complete frame is ready for this file; EPOLLERR when read()
 *           would fail at once; EPOLLERR|EPOLLHUP once unplugged; EPOLLOUT when no
 *           other write() is in progress. Asking for EPOLLIN claims the stream as
 *           read() would; nothing else has side effects. A file another one streams
 *           from is not readable (no EPOLLERR) until that file closes.
 *  mmap()   read-only, the whole ring: ring_frames slots of slot_stride bytes, each a
 *           frame laid out as read() returns it. DSR_IOC_DQBUF hands out the oldest
 *           ready slot, DSR_IOC_QBUF gives it back. A slot is never overwritten while
 *           dequeued.
 *  write()  one whole wire frame (header, payload, trailer; dsr_hw.h) to the board over
 *           bulk OUT: DSR_FLAG_REFERENCE in the header stores it as the reference,
 *           otherwise it is a live frame for playback. Partial frames are refused
 *           (EINVAL). The frame is copied once; what is checked is what is sent. A
 *           frame cut on the way (timeout ETIMEDOUT, fatal signal, the board refusing
 *           it: EPIPE) leaves the board resynchronised (dsr_hw.h): the next write()
 *           starts a fresh frame.
 *
 * Ring overrun policy: when a frame arrives and no slot is free, the oldest frame not
 * yet read is dropped (live display keeps the newest); if every slot is dequeued by the
 * reader, the arriving frame is dropped. Both count in frames_dropped.
 *
 * Errors: once the board is unplugged or the driver unbound, the first error every
 * read(), write(), poll() and ioctl() sees is ENODEV. When the stream breaks for good
 * (a bulk IN halt that will not clear: EPIPE; transfers or resubmissions failing
 * beyond the driver's retries: EIO; within 4.1 s, driver/README.md), read(),
 * DQBUF and poll() report the error after the frames already complete, on every call,
 * until the reader stops the stream (STREAM_OFF or close); it never just sleeps.
 */
#ifndef DSR_IOCTL_H
#define DSR_IOCTL_H

#include <linux/ioctl.h>
#include <linux/types.h>

#include "dsr_hw.h"

#define DSR_IOCTL_VERSION	1	/* bumped on any incompatible change below */
#define DSR_IOC_MAGIC		0xd5

#define DSR_DEVICE_CLASS	"dsr"		/* /sys/class/dsr/dsrN */
#define DSR_DEVICE_PREFIX	"/dev/dsr"	/* /dev/dsr0, /dev/dsr1, ... */

/* DSR_IOC_GET_INFO: the board, and the ring's geometry (never compile it in). */
struct dsr_ioc_info {
	__u32 ioctl_version;	/* DSR_IOCTL_VERSION */
	__u32 id;		/* DSR_ID_VALUE */
	__u32 rtl_version;	/* (major << 16) | minor */
	__u32 firmware_version;	/* bridge firmware, (major << 16) | minor */
	__u32 max_width;	/* the board's frame store */
	__u32 max_height;
	__u32 pixel_bits_max;
	__u32 board_flags;	/* DSR_BOARD_INFO_* */
	__u32 ring_frames;	/* slots in the ring */
	__u32 slot_stride;	/* bytes from one slot to the next (page multiple) */
	__u64 ring_bytes;	/* length to mmap: ring_frames * slot_stride */
	__u32 frame_bytes_max;	/* header + largest payload: enough for any read() */
	__u32 urbs;		/* bulk IN transfers in flight while streaming */
	__u32 urb_bytes;	/* bytes per bulk IN transfer */
	__u32 usb_speed;	/* enum usb_device_speed */
	__u32 streaming;	/* 1 while the bulk IN transfers run */
	__u32 reserved0;
	char serial[32];	/* NUL-terminated; characters outside [A-Za-z0-9._-] as '_' */
	__u32 reserved[8];
};

/* DSR_IOC_SET_PARAMS / GET_PARAMS: one parameter set, as struct dsr_params holds it. */
struct dsr_ioc_params {
	__u32 mode;		/* DSR_MODE_* */
	__u32 width;		/* 1..max_width */
	__u32 height;		/* 1..max_height */
	__u32 pixel_bits;	/* DSR_PIXEL_BITS_MIN..pixel_bits_max */
	__s32 a11, a12, a21, a22;	/* Q8.24 */
	__s32 tx, ty;		/* Q16.16 */
	__u32 gain;		/* Q8.8, <= DSR_GAIN_MAX */
	__u32 midgrey;		/* < 2^pixel_bits */
	__u32 flags;		/* in (SET): DSR_PARAMS_* */
	__u32 generation;	/* out: SET the generation frames made with this set carry;
				 *      GET the active generation */
	__s32 h31, h32;		/* |h| <= DSR_H_PERSP_MAX; non-zero only on
				 * boards with rtl_version >= DSR_RTL_VERSION_PROJECTIVE
				 * (were reserved: 0 keeps the affine warp) */
	__u32 reserved[2];
};
#define DSR_PARAMS_WAIT		(1u << 0)	/* return once the board applied the set */

/* DSR_IOC_LOAD_LUT: shadow LUT entries [first, first + count); committed by the next
 * DSR_IOC_SET_PARAMS. */
struct dsr_ioc_lut {
	__u32 first;		/* a multiple of DSR_LUT_CHUNK */
	__u32 count;		/* 1..DSR_LUT_SIZE - first */
	__u64 entries;		/* user pointer to count __u16 values, host order */
	__u32 reserved[2];
};

/* DSR_IOC_REG_READ / REG_WRITE: one 32-bit register (CAP_SYS_ADMIN). */
struct dsr_ioc_reg {
	__u32 addr;		/* multiple of 4, < DSR_REG_SPAN */
	__u32 value;
};

/* DSR_IOC_DQBUF (out) / DSR_IOC_QBUF (in: index only): a ring slot. */
struct dsr_ioc_buffer {
	__u32 index;		/* slot, 0..ring_frames-1 */
	__u32 bytes_used;	/* header + payload */
	__u64 offset;		/* of the slot in the mapping: index * slot_stride */
	__u32 sequence;		/* copied from the frame's header */
	__u32 generation;
	__u32 flags;
	__u32 reserved[5];
};

/* DSR_IOC_GET_STATS: the driver's counters since the board was plugged in. */
struct dsr_ioc_stats {
	__u64 frames_received;	/* complete, valid frames put into the ring */
	__u64 frames_read;	/* handed to userspace by read() or DQBUF */
	__u64 frames_dropped;	/* ring overrun (see above) */
	__u64 frames_malformed;	/* bad header, wrong length, truncated, bad trailer */
	__u64 crc_errors;	/* payload CRC differs from the trailer's (check_crc=1) */
	__u64 frames_bad;	/* the board flagged the frame DSR_FLAG_BAD (dropped) */
	__u64 sequence_gaps;	/* frames missing by sequence number */
	__u64 bytes_received;	/* bulk IN bytes */
	__u64 transfer_errors;	/* bulk IN transfers that failed */
	__u64 stalls;		/* bulk IN halts cleared */
	__u64 frames_sent;	/* frames written to the board over bulk OUT */
	__u32 last_sequence;	/* of the newest valid frame */
	__u32 last_generation;
	__u32 ring_ready;	/* frames waiting to be read now */
	__u32 reserved0;
	__u64 out_resyncs;	/* bulk OUT resynchronised after a cut or refused frame */
	__u64 reserved[3];
};

#define DSR_IOC_GET_INFO	_IOR(DSR_IOC_MAGIC, 0x00, struct dsr_ioc_info)
#define DSR_IOC_SET_PARAMS	_IOWR(DSR_IOC_MAGIC, 0x01, struct dsr_ioc_params)
#define DSR_IOC_GET_PARAMS	_IOR(DSR_IOC_MAGIC, 0x02, struct dsr_ioc_params)
#define DSR_IOC_LOAD_LUT	_IOW(DSR_IOC_MAGIC, 0x03, struct dsr_ioc_lut)
#define DSR_IOC_STREAM_ON	_IO(DSR_IOC_MAGIC, 0x04)	/* start transfers + board source */
#define DSR_IOC_STREAM_OFF	_IO(DSR_IOC_MAGIC, 0x05)
#define DSR_IOC_GET_STATS	_IOR(DSR_IOC_MAGIC, 0x06, struct dsr_ioc_stats)
#define DSR_IOC_REG_READ	_IOWR(DSR_IOC_MAGIC, 0x07, struct dsr_ioc_reg)
#define DSR_IOC_REG_WRITE	_IOW(DSR_IOC_MAGIC, 0x08, struct dsr_ioc_reg)
#define DSR_IOC_DQBUF		_IOWR(DSR_IOC_MAGIC, 0x09, struct dsr_ioc_buffer)
#define DSR_IOC_QBUF		_IOW(DSR_IOC_MAGIC, 0x0a, struct dsr_ioc_buffer)
/* A known command number with the wrong size or direction fails with EINVAL. */

/* The sizes the ioctl numbers encode; a change here is a new DSR_IOCTL_VERSION. */
#ifdef __cplusplus
#define DSR_IOCTL_ASSERT(c, m)	static_assert(c, m)
#else
#define DSR_IOCTL_ASSERT(c, m)	_Static_assert(c, m)
#endif
DSR_IOCTL_ASSERT(sizeof(struct dsr_ioc_info) == 136, "dsr_ioc_info size");
DSR_IOCTL_ASSERT(sizeof(struct dsr_ioc_params) == 72, "dsr_ioc_params size");
DSR_IOCTL_ASSERT(sizeof(struct dsr_ioc_lut) == 24, "dsr_ioc_lut size");
DSR_IOCTL_ASSERT(sizeof(struct dsr_ioc_reg) == 8, "dsr_ioc_reg size");
DSR_IOCTL_ASSERT(sizeof(struct dsr_ioc_buffer) == 48, "dsr_ioc_buffer size");
DSR_IOCTL_ASSERT(sizeof(struct dsr_ioc_stats) == 136, "dsr_ioc_stats size");
DSR_IOCTL_ASSERT(sizeof(struct dsr_frame_header) == DSR_FRAME_HEADER_SIZE, "header size");
DSR_IOCTL_ASSERT(sizeof(struct dsr_frame_trailer) == DSR_FRAME_TRAILER_SIZE, "trailer size");
#undef DSR_IOCTL_ASSERT

#endif /* DSR_IOCTL_H */
