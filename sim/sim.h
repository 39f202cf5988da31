/*
 * sim.h - dsr-sim's event loop: the Verilated board, the bridge model, the frame source
 * and the USB/IP connections, in one thread around poll().
 *
 * main.c parses options into struct sim_options and calls one of the serve functions;
 * the tests do the same over a socketpair.
 */
#ifndef SIM_SIM_H
#define SIM_SIM_H

#include <stddef.h>
#include <stdint.h>

#include "bridge/bridge.h"
#include "hostile/hostile.h"

struct sim_options {
	enum usb_speed_kind speed;
	const char *serial;		/* default "DSRSIM0001" */
	const char *busid;		/* default "1-1" */
	size_t fifo_bytes;		/* default 256 KiB */
	struct fault_plan faults;
	double fps;			/* 0 = as fast as possible */
	char *const *live;		/* --live files */
	int nlive;
	int phantom;
	uint64_t phantom_seed;
	uint64_t batch_cycles;		/* clocks per loop turn, default 4096 */
	struct hostile_config hostile;	/* --hostile: mutate what the board sends */
};

struct sim;

void sim_options_default(struct sim_options *o);
/* Board, bridge and source. NULL on failure (logged). */
struct sim *sim_new(const struct sim_options *o);
void sim_free(struct sim *s);
struct bridge *sim_bridge(struct sim *s);
struct board *sim_board(struct sim *s);

/* Serve an already-connected socket (straight to CMD_SUBMIT) until it closes or
 * sim_stop(). Takes ownership of @fd. Returns 0 on a clean end. */
int sim_serve_fd(struct sim *s, int fd);
/* Serve TCP connections on @listen_fd (OP_REQ_DEVLIST / OP_REQ_IMPORT first) until
 * sim_stop() or a signal. */
int sim_serve_tcp(struct sim *s, int listen_fd);
/* Attach to vhci-hcd through a socketpair and serve it until the kernel closes it. */
int sim_serve_vhci(struct sim *s);

/* Make a serve function return soon; safe from a signal handler or another thread. */
void sim_stop(struct sim *s);

#endif /* SIM_SIM_H */
