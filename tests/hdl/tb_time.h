/*
 * tb_time.h - $time for the Verilator harnesses: a span in picoseconds in the model's
 * time precision (VerilatedContext::timeInc's ticks), so that each harness advances
 * $time with its clocks' edges (the DP16KD and MULT18X18D models mark same-edge events
 * by $time; a harness whose $time stands still makes them misreport).
 */
#ifndef TB_TIME_H
#define TB_TIME_H

#include <cstdint>

#include <verilated.h>

/* ps in ticks of c's time precision (an instant or a span; a span below one tick is 0) */
static inline uint64_t tb_ps_ticks(const VerilatedContext &c, uint64_t ps)
{
	for (int p = c.timeprecision(); p < -12; p++)
		ps *= 10;
	for (int p = c.timeprecision(); p > -12; p--)
		ps /= 10;
	return ps;
}

#endif
