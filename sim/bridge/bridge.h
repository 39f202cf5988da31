/*
 * bridge.h - the model of the board's USB bridge (the FX3 firmware's role).
 *
 * Between the USB side (URBs from usbip_conn) and the Verilated board:
 *  - endpoint 0: standard requests and the vendor requests of dsr_hw.h
 *  - bulk OUT 0x02: host frames, validated as untrusted, fed to the live input; a
 *    DSR_FLAG_REFERENCE frame is captured by switching the board to DSR_MODE_CAPTURE
 *    around it (with commits) and restoring the host's mode afterwards; its output echo
 *    is not forwarded. A malformed frame STALLs the endpoint (CLEAR_FEATURE clears it).
 *  - bulk IN 0x81: the board's output frames from a FIFO; a frame ends with a short
 *    packet or a zero-length packet. A full FIFO with no IN URB pending back-pressures
 *    the RTL; the playback source then drops frames (counted).
 *  - the playback source (files or phantom) at a frame rate while streaming is on
 *  - fault injection on the output frames (fault.h)
 */
#ifndef SIM_BRIDGE_H
#define SIM_BRIDGE_H

#include <stddef.h>
#include <stdint.h>

#include "fault.h"
#include "usb_desc.h"
#include "../board/board.h"
#include "../source/source.h"
#include "../usbip/usbip_conn.h"

struct bridge_config {
	enum usb_speed_kind speed;
	const char *serial;		/* USB serial string and GET_INFO serial */
	const char *busid;		/* what OP_REP_DEVLIST calls the device, e.g. "1-1" */
	size_t fifo_bytes;		/* bulk IN FIFO */
	struct fault_plan faults;
	struct source *source;		/* NULL: no playback source */
	double fps;			/* source frame rate; 0 = as fast as the board goes */
	/* Called once the host has set a configuration (vhci mode prints its busid). */
	void (*on_configured)(void *arg);
	void *on_configured_arg;
};

struct bridge_stats {
	uint64_t host_frames;		/* valid frames received on bulk OUT */
	uint64_t host_references;	/* of which references */
	uint64_t host_frames_refused;	/* malformed frames that stalled bulk OUT */
	uint64_t source_frames;		/* frames played by the source */
	uint64_t source_dropped;	/* source frames dropped: the input was busy */
	uint64_t frames_forwarded;	/* output frames put into the IN FIFO */
	uint64_t frames_discarded;	/* output frames not forwarded (reference echo) */
	uint64_t faults[FAULT_KINDS];	/* injections per mode */
	uint64_t bytes_in_urbs;		/* bytes delivered to IN URBs */
};

struct bridge;

/* The bridge drives @board (not owned). NULL on failure (logged). */
struct bridge *bridge_new(struct board *board, const struct bridge_config *cfg);
void bridge_free(struct bridge *br);

/* The ops a usbip_conn calls; the device pointer is the bridge. */
extern const struct usbip_device_ops bridge_usbip_ops;

/* Start frames that are due (host frames first, then the source at @now_ns on a
 * monotonic clock) and finish a reference capture. Call on every loop turn. */
void bridge_tick(struct bridge *br, uint64_t now_ns);
/* 1 if clocking the board now can make progress (input to feed, output to collect and
 * room for it). */
int bridge_has_work(const struct bridge *br);
/* Clock the board up to @cycles and move its output into the FIFO. */
uint64_t bridge_run(struct bridge *br, uint64_t cycles);
/* Nanoseconds until the source's next frame is due; -1 if none is scheduled. */
int64_t bridge_next_due_ns(const struct bridge *br, uint64_t now_ns);

const struct bridge_stats *bridge_stats(const struct bridge *br);

#endif /* SIM_BRIDGE_H */
