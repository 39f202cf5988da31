/*
 * fault.h - fault injection on the board's output, for the driver's sake.
 *
 * Each mode is selected on its own (--fault MODE[,every=N], repeatable) and hits every
 * Nth output frame forwarded to the host (N = 1 by default: every frame).
 */
#ifndef SIM_FAULT_H
#define SIM_FAULT_H

enum fault_kind {
	FAULT_CORRUPT_HEADER,	/* header magic wrong */
	FAULT_WRONG_LENGTH,	/* payload_length disagrees with width * height * 2 */
	FAULT_TRUNCATED,	/* frame cut short mid-payload, next frame follows */
	FAULT_BAD_CRC,		/* trailer CRC wrong */
	FAULT_STALL,		/* bulk IN halts at the frame's start until CLEAR_FEATURE */
	FAULT_DISCONNECT,	/* connection dropped mid-frame */
	FAULT_STALL_STUCK,	/* bulk IN halts at the frame's start and CLEAR_FEATURE
				 * (ENDPOINT_HALT) on it STALLs too: the halt never clears */
	FAULT_IO_ERROR,		/* from the frame's start on, every bulk IN transfer fails
				 * with -EPROTO (a dead link): the host must give up */
	FAULT_KINDS
};

struct fault_plan {
	unsigned int every[FAULT_KINDS];	/* 0 = mode off */
};

/* Parse "MODE" or "MODE,every=N" into @plan. Returns 0, or -1 with @why set. */
int fault_parse(struct fault_plan *plan, const char *arg, const char **why);
const char *fault_name(enum fault_kind k);
/* Bit mask (1 << kind) of the faults that hit output frame number @frame (1-based). */
unsigned int fault_hits(const struct fault_plan *plan, unsigned long long frame);

#endif /* SIM_FAULT_H */
