// tb_board.h - what the testbench expects the board to do, cycle by cycle.
//
// A mirror of the board's externally visible state machine (shadow / pending / active
// parameter sets, the double-buffered LUT, the reference store, counters), driven by
// the same handshakes the RTL sees, in the same order within a cycle (a frame start
// first, then a register access). Pixels themselves come from the C reference model
// (dsr_model_frame): the mirror only decides which parameters, LUT and reference each
// frame meets, and which frames are bad.
#ifndef TB_BOARD_H
#define TB_BOARD_H

#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "dsr/model.h"

// One output frame as the board must send it.
struct ExpectedFrame {
	unsigned index;			// input frame number (0 = first frame started)
	struct dsr_params p;
	uint32_t generation;
	uint64_t timestamp;
	uint32_t flags;			// header flags
	bool bad;
	std::vector<uint16_t> out;
	std::shared_ptr<std::vector<uint16_t>> ref;	// what the frame met (diagnostics)
	std::shared_ptr<std::vector<uint16_t>> lut;	// null: identity
	std::vector<uint16_t> live;
};

class BoardMirror {
public:
	BoardMirror(uint32_t max_w, uint32_t max_h, uint32_t bits_max);

	void reg_write(uint32_t addr, uint32_t data);
	// value a read of @addr returns (2 cycles later); @known false for the timer
	uint32_t reg_read(uint32_t addr, uint64_t now, bool *known);
	void frame_start(uint64_t now);
	void pixel(uint16_t data, bool eol);
	void frame_short_seen();	// s_sof presented while a frame is in progress
	void frame_done();		// an output frame's last word was taken this cycle
	void tick();			// end of the cycle: the edge's bookkeeping

	bool commit_pending() const { return pend_valid; }
	uint64_t last_swap() const { return last_swap_cycle; }
	uint32_t generation() const { return gen; }

	// a documented rule the RTL's handshakes broke (the bench reports and clears it)
	std::string violation;
	std::deque<ExpectedFrame> expected;
	uint32_t frames_in = 0, frames_out = 0, bad_frames = 0, param_errors = 0;
	uint32_t error_bits = 0;
	unsigned frames_started = 0;

	// a LUT upload was committed since power-up (else frames meet the identity LUT)
	bool any_lut_loaded() const { return loaded[0] || loaded[1]; }
private:
	void finalize();
	void count_bad();
	struct dsr_params shadow_params() const;
	bool idle() const { return frames_started == frames_done; }
	void lut_swap(uint64_t now);

	uint32_t max_w, max_h, bits_max;
	// shadow registers as written
	uint32_t sh_mode, sh_width, sh_height, sh_bits, sh_gain, sh_midgrey;
	int32_t sh_a[4], sh_t[2], sh_h[2];
	struct dsr_params pend, act;
	bool pend_valid = false;
	uint32_t gen = 0;
	// LUT
	std::vector<uint16_t> bank[2];
	bool loaded[2] = {false, false};
	unsigned lut_active = 0;
	bool dirty = false, swap_pending = false;
	uint32_t lut_index = 0;		// 0 .. 2^bits_max (one past the end)
	unsigned frames_done = 0, done_now = 0;
	uint64_t now_cycle = 0;
	uint64_t last_swap_cycle = 0;
	uint64_t time_hi_latched = 0;
	// reference store
	std::shared_ptr<std::vector<uint16_t>> ref;
	uint32_t ref_w = 0, ref_h = 0;
	bool ref_valid = false;
	// frame in progress
	bool open = false;
	bool counted = false;		// this frame (or run of dropped pixels) counted bad
	struct Current {
		ExpectedFrame f;
		std::vector<uint16_t> live;
		std::shared_ptr<std::vector<uint16_t>> ref;
		std::vector<uint16_t> lut;
		bool identity;
		size_t count;
	} cur;
};

#endif
