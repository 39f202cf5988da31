/*
 * fuzz_usbip_conn.c - libFuzzer over a whole dsr-sim connection: the input is what a
 * hostile peer writes on the socket after import (CMD_SUBMIT / CMD_UNLINK with any
 * setup packets, bulk data and frames), served by the real connection code, bridge
 * model and Verilated board until the connection ends. The board persists across inputs
 * like a board on a bench that many hosts talk to.
 */
#include <stdint.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include "log.h"
#include "sim.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct sim *sim;
	int sv[2];
	size_t off = 0;

	if (!sim) {
		struct sim_options o;

		sim_log_enable(0);
		sim_options_default(&o);
		o.fifo_bytes = 16384;
		sim = sim_new(&o);
		if (!sim)
			abort();
	}
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		return 0;
	while (off < size) {
		ssize_t n = write(sv[0], data + off, size - off);

		if (n <= 0)
			break;
		off += (size_t)n;
	}
	shutdown(sv[0], SHUT_WR);
	sim_serve_fd(sim, sv[1]);
	close(sv[0]);
	return 0;
}
