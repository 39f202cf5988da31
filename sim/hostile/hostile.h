/*
 * hostile.h - the hostile-device mode of dsr-sim: a seeded mutator at the USB/IP
 * boundary.
 *
 * A relay sits between the host's socket (vhci-hcd) and the connection the simulator
 * serves. It passes the host's commands through untouched (remembering what each URB
 * asked for) and rewrites what the board answers: bulk IN frames (header fields,
 * lengths, flags, trailers, payload bytes, short and overlong transfers, missing short
 * packets, error statuses), vendor replies (GET_INFO, register reads) and descriptors
 * (missing or extra endpoints, odd wMaxPacketSize, a second interface, odd device
 * fields, garbled strings). It knows nothing of the bridge: it sees only the wire, so
 * it exercises the driver exactly as a misbehaving device would.
 *
 * Every choice comes from one 64-bit seed: a run is reproduced by its seed and the
 * host's requests.
 *
 * The same relay also serves --replay: the board's first frame repeated on bulk IN at
 * the speed of the host's URBs, so that a host's data path can be measured beyond the
 * speed of the Verilated RTL.
 */
#ifndef SIM_HOSTILE_H
#define SIM_HOSTILE_H

#include <stdint.h>

struct hostile_config {
	int enabled;
	uint64_t seed;
	double frames;		/* probability that a bulk IN frame is mutated */
	double control;		/* ... that a vendor/standard ep0 reply is mutated */
	double descriptors;	/* ... that a connection's descriptors are mutated */
	double fatal;		/* ... of a mutation vhci-hcd treats as a protocol error
				 * (actual_length beyond the URB): the device goes away */
	int replay;		/* --replay: once the board has sent one whole frame, the
				 * relay answers bulk IN itself with that frame (sequence
				 * numbers counting on) as fast as the host takes it */
};

/* The kinds of mutation, counted in the summary. */
enum hostile_kind {
	HK_HEADER_FIELD, HK_HEADER_BYTE, HK_FLAGS, HK_LENGTH, HK_TRAILER, HK_PAYLOAD,
	HK_SHORT, HK_NO_SHORT, HK_OVERLONG, HK_BABBLE, HK_STATUS, HK_FATAL,
	HK_FRAME_KINDS,
	HK_INFO = HK_FRAME_KINDS, HK_REG, HK_CTRL_STALL,
	HK_DESC_DEVICE, HK_DESC_DROP_EP, HK_DESC_EXTRA_EP, HK_DESC_ODD_MPS,
	HK_DESC_SECOND_IF, HK_DESC_NO_EPS, HK_DESC_EP_KIND, HK_DESC_STRING, HK_DESC_BYTES,
	HK_KINDS
};

struct hostile_stats {
	uint64_t frames, frames_mutated, frames_replayed;
	uint64_t control, control_mutated;
	uint64_t enumerations, enumerations_mutated;
	uint64_t kinds[HK_KINDS];
};

/* "seed=N[,frames=P][,control=P][,descriptors=P][,fatal=P]" (P in [0, 1]); defaults
 * frames 0.5, control 0.02, descriptors 0, fatal 0. 0, or -1 with @why set. */
int hostile_parse(struct hostile_config *cfg, const char *spec, const char **why);

/*
 * Put a relay (its own thread) between @host_fd, connected to the host, and a new
 * socket whose other end is returned for the simulator to serve. The relay owns
 * @host_fd. -1 on failure (logged).
 */
int hostile_wrap(int host_fd, const struct hostile_config *cfg);

/* Wait (≤ 2 s) for every relay to finish flushing, log the summary line, return the
 * totals. */
const struct hostile_stats *hostile_finish(void);

/* Name of a kind, for the summary. */
const char *hostile_kind_name(enum hostile_kind k);

#endif /* SIM_HOSTILE_H */
