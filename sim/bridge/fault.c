/*
 * fault.c - see fault.h.
 */
#include "fault.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static const char *const names[FAULT_KINDS] = {
	[FAULT_CORRUPT_HEADER] = "corrupt-header",
	[FAULT_WRONG_LENGTH] = "wrong-length",
	[FAULT_TRUNCATED] = "truncated",
	[FAULT_BAD_CRC] = "bad-crc",
	[FAULT_STALL] = "stall",
	[FAULT_DISCONNECT] = "disconnect",
	[FAULT_STALL_STUCK] = "stall-stuck",
	[FAULT_IO_ERROR] = "io-error",
};

/* The --fault spelling of a mode, for log lines. */
const char *fault_name(enum fault_kind k)
{
	return (unsigned int)k < FAULT_KINDS ? names[k] : "?";
}

/* MODE or MODE,every=N; N in 1..1000000. */
int fault_parse(struct fault_plan *plan, const char *arg, const char **why)
{
	const char *comma = strchr(arg, ',');
	size_t len = comma ? (size_t)(comma - arg) : strlen(arg);
	unsigned long every = 1;
	int kind = -1;

	for (int k = 0; k < FAULT_KINDS; k++)
		if (strlen(names[k]) == len && strncmp(arg, names[k], len) == 0)
			kind = k;
	if (kind < 0) {
		*why = "unknown fault mode (corrupt-header, wrong-length, truncated, bad-crc, "
		       "stall, disconnect, stall-stuck, io-error)";
		return -1;
	}
	if (comma) {
		char *end;

		if (strncmp(comma + 1, "every=", 6) != 0) {
			*why = "fault option must be every=N";
			return -1;
		}
		errno = 0;
		every = strtoul(comma + 7, &end, 10);
		if (errno || *end || end == comma + 7 || every == 0 || every > 1000000) {
			*why = "every=N needs N in 1..1000000";
			return -1;
		}
	}
	plan->every[kind] = (unsigned int)every;
	return 0;
}

/* Every Nth forwarded frame, counted from 1. */
unsigned int fault_hits(const struct fault_plan *plan, unsigned long long frame)
{
	unsigned int mask = 0;

	for (int k = 0; k < FAULT_KINDS; k++)
		if (plan->every[k] && frame % plan->every[k] == 0)
			mask |= 1u << k;
	return mask;
}
