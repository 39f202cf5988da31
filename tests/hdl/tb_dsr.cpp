// tb_dsr.cpp - Verilator testbench of dsr_top against the C reference model.
//
// Random frames (sizes from 1x1 to the build's maximum, odd widths, 12..16 bits,
// noise and structured images), random parameter sets (rotation +-15 deg, scale
// 0.8..1.25, shear, translations far outside the frame, LUTs, gain, midgrey), all four
// modes with capture-then-subtract sequences, commits in the middle of frames, refused
// commits, short / long / misframed input, random input gaps and output back-pressure.
// Every output header field, every pixel and the trailer CRC are compared with
// dsr_model_frame() as the board mirror (tb_board.cpp) says each frame must be made.
//
//   tb_dsr [+seed=N] [+frames=N] [+trace [+trace_from=CYCLE] [+trace_to=CYCLE]] [+throughput]
//          [+test=NAME[,NAME...]] [+replay=stim.hex +expect=out.hex [+dump=F.pgm] [+evalcheck]]
//
// +replay runs a stimulus file written by gen_smoke (the Icarus smoke test's input) and
// compares with its expected output: the benchmark runs the same frames on both
// simulators. Exit status 0 only if every frame matched and nothing was left over.
// +evalcheck evaluates every cycle with the clock low, as the replay otherwise does only
// when an input with a combinational path to an output changed, and fails if that
// would have changed s_ready or reg_ready (see replay()), and runs the input logic where
// the replay leaves it out, failing if it changes the model; it and +fulleval (any mode)
// also evaluate every rising edge by Verilator's eval() instead of rise_fast().
#include <algorithm>
#include <chrono>
#include <cinttypes>
#include <cmath>
#include <csignal>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <functional>
#include <memory>
#include <random>
#include <string>
#include <type_traits>
#include <vector>

#include <verilated.h>
#if VM_TRACE
#include <verilated_fst_c.h>
#endif

#include "Vdsr_top.h"
#include "Vdsr_top___024root.h"	// the clock edge detector (replay)
#if __has_include(<valgrind/callgrind.h>)
#include <valgrind/callgrind.h>	// make bench counts the replay loop's instructions
#else
#define CALLGRIND_TOGGLE_COLLECT
#endif
#include "dsr/dsr_hw.h"
#include "tb_board.h"
#include "tb_stim.h"
#include "tb_time.h"

#ifndef TB_MAX_WIDTH
#define TB_MAX_WIDTH 256
#endif
#ifndef TB_MAX_HEIGHT
#define TB_MAX_HEIGHT 256
#endif
#ifndef TB_PIXEL_BITS_MAX
#define TB_PIXEL_BITS_MAX 16
#endif

#if defined(TB_DRAM) && !defined(TB_DRAM_KHZ)
#error "TB_DRAM_KHZ: the DRAM core's controller clock (tests/hdl/Makefile)"
#endif

// the pipeline clock the simulation stands for (DRAM build: the controller's clock is set
// against it), kHz: dsr_hw.h's
static const unsigned PIPE_KHZ = DSR_PIPE_CLK_KHZ;

// hdl/README.md: a register read answers exactly five cycles after its acceptance
static const int REG_READ_CYCLES = 5;

static volatile sig_atomic_t interrupted;

// A draw of std::uniform_real_distribution<double>(0, 1) on a std::mt19937_64, bit for
// bit as libstdc++ makes it (one 64-bit draw times 2^-64, kept below 1; checked on 95 M
// draws of 19 seeds), without the log2 of the generator's range that libstdc++ works out
// with logl and pow on every call (a sixth of the testbench's own instructions in the
// random run, which draws two per cycle): every seed still makes the same run.
static inline double unit01(std::mt19937_64 &r)
{
	double x = (double)r() * 0x1p-64;
	return x < 1.0 ? x : std::nextafter(1.0, 0.0);
}

struct Unit01 {
	double operator()(std::mt19937_64 &r) const { return unit01(r); }
};

// the largest frame the random run sends (+maxdim=N caps both; the build's maximum by
// default): the DRAM build holds 4096 x 4096, the bounded run stays small
static uint32_t max_w = TB_MAX_WIDTH, max_h = TB_MAX_HEIGHT;

static void on_sigint(int sig)
{
	(void)sig;
	interrupted = 1;
}

// ------------------------------------------------------------------ simulation core

// The rising edge without Verilator's scheduler loops. Verilator 5.006's eval() for this
// one-clock model runs the input-combinational region once (its trigger is the loop's
// first iteration), then, if the clock's stored value (__Vtrigrprev__TOP__clk) was low
// and the clock is high, the clocked region once (one trigger, the clock's rising edge);
// its loops evaluate the triggers again and find none. rise_fast() makes the same two
// calls (the generated eval_ico and eval_nba, with their trigger set as eval() sets it)
// and the same edge bookkeeping, without the loops' trigger evaluations, the trigger
// vector copies and eval_step()'s end-of-eval calls (their message queue is for
// multi-threaded models): ~130 instructions a cycle (make bench's callgrind). Only
// where the model is as described: the generated functions exist (weak references,
// null otherwise), the members exist and each trigger vector has one trigger (one
// clock: not the DRAM build, whose second clock keeps eval(), nor the DSR_ECP5 build,
// whose MULT18X18D model clocks its registers through muxes of its clock pins); else
// eval(). Sim's constructor asks once (probe), so that each edge tests only Sim::fast.
#ifndef TB_DRAM
void Vdsr_top___024root___eval_ico(Vdsr_top___024root *) __attribute__((weak));
void Vdsr_top___024root___eval_nba(Vdsr_top___024root *) __attribute__((weak));
template <class Root>
static auto rise_fast(Root *r, int, bool ico_done, bool probe = false) -> typename std::enable_if<
	std::is_same<decltype(r->__VicoTriggered), VlTriggerVec<1>>::value &&
	std::is_same<decltype(r->__VactTriggered), VlTriggerVec<1>>::value &&
	std::is_same<decltype(r->__VnbaTriggered), VlTriggerVec<1>>::value &&
	sizeof(r->__Vtrigrprev__TOP__clk) == 1 && sizeof(r->clk) == 1, bool>::type
{
	if (probe)
		return Vdsr_top___024root___eval_ico && Vdsr_top___024root___eval_nba;
	r->clk = 1;
	if (!ico_done) {
		r->__VicoTriggered.at(0) = 1;
		Vdsr_top___024root___eval_ico(r);
	}
	if (!r->__Vtrigrprev__TOP__clk) {
		r->__Vtrigrprev__TOP__clk = 1;
		r->__VnbaTriggered.at(0) = 1;
		Vdsr_top___024root___eval_nba(r);
	}
	return true;
}
#endif
template <class Root>
static bool rise_fast(Root *, long, bool, bool = false)
{
	return false;
}

// The DUT with its clock, optional FST trace and the board's time base.
struct Sim {
	VerilatedContext ctx;
	std::unique_ptr<Vdsr_top> top;
#if VM_TRACE
	std::unique_ptr<VerilatedFstC> tfp;
#endif
	uint64_t cycle = 0;	// clock edges since the start
	// simulation time of half a pipeline clock, in the model's time precision: step()
	// advances $time by it at each edge (rising edges at odd multiples), so that
	// anything keyed on $time (ecp5_dp16kd.v's same-edge collision stamps) sees each
	// cycle at a time of its own; at least 1
	uint64_t half_ticks = 1;
	bool fast = true;	// rise_fast() where it applies
	bool rise_ok = false;	// the model is rise_fast()'s (whether or not fast)
	// set by the caller for the next step(): the input logic's values are those of the
	// inputs as they are now (see replay()), so rise_fast() leaves its run out
	bool ico_done = false;
	uint64_t now = 0;	// the board's TIME counter during this cycle
	uint64_t trace_from = 0, trace_to = UINT64_MAX;	// dump window (cycles)
#ifdef TB_DRAM
	// DRAM build: the controller's clock, by default the one the core's timings were
	// generated for (TB_DRAM_KHZ: 37.5 MHz, the board's sys 75 MHz bandwidth on the 1:4
	// simulation core, tests/hdl/Makefile; +dramclk=MHz, at most the pipeline's): a
	// phase accumulator in kHz.
	// Slow memory holds requests and responses back in random bursts
	unsigned dram_khz = TB_DRAM_KHZ;
	unsigned dram_phase = 0;
	uint64_t dram_cycles = 0;
	double slow_mem = 0;
	std::mt19937 hold_rng;
	unsigned hold_left = 0;
#endif

	Sim(int argc, char **argv, bool trace, uint32_t seed)
	{
		ctx.commandArgs(argc, argv);
		// +evalcheck (and +fulleval): Verilator's eval() at every edge, as the reference
		// for rise_fast() and the replay's left-out clock-low eval()
		fast = !*ctx.commandArgsPlusMatch("evalcheck") && !*ctx.commandArgsPlusMatch("fulleval");
#if VM_TRACE
		fast = false;
#endif
#if VM_COVERAGE
		ctx.randReset(0);	// toggles are activity, not random initial values flushed out
#else
		ctx.randReset(2);
#endif
		ctx.randSeed((int)seed);
		top.reset(new Vdsr_top(&ctx));
		rise_ok = rise_fast(top->rootp, 0, false, true);
		fast = fast && rise_ok;
		// half a period of PIPE_KHZ (at least a tick, so $time always moves)
		half_ticks = std::max<uint64_t>(1, tb_ps_ticks(ctx, 500000000u / PIPE_KHZ));
#if VM_TRACE
		if (trace) {
			ctx.traceEverOn(true);
			tfp.reset(new VerilatedFstC);
			top->trace(tfp.get(), 99);
			tfp->open("build/tb_dsr.fst");
		}
#else
		(void)trace;
#endif
		top->clk = 0;
		top->rst = 1;
#ifdef TB_DRAM
		top->dram_clk = 0;
		top->mem_hold = 0;
		top->ref_rd_slot = 0;
		top->ref_wr_slot = 0;
		hold_rng.seed(seed ^ 0x5eedu);
#endif
		top->reg_valid = 0;
		top->s_valid = 0;
		top->m_ready = 0;
		top->eval();
		for (int i = 0; i < 8; i++)
			step();
#if VM_COVERAGE
		// toggles count from here: a register going from its random initial value to its
		// reset value is no activity. The reset's line/branch/user counts go to a file of
		// their own (coverage.py adds them; toggles only from coverage.dat).
		ctx.coveragep()->write("build/coverage_reset.dat");
		ctx.coveragep()->zero();
#endif
		top->rst = 0;
		top->eval();
		now = 0;
	}

	~Sim()
	{
#if VM_TRACE
		if (tfp)
			tfp->close();
#endif
		top->final();
#if VM_COVERAGE
		ctx.coveragep()->write("build/coverage.dat");
#endif
	}

	// One rising edge with the inputs as set; the TIME counter follows the RTL's.
	// The falling edge is not evaluated (nothing in the RTL uses it; the next cycle's
	// eval() after the inputs are set sees clk low): one eval per edge, not two. A
	// trace evaluates it so that the dump shows the clock low. $time advances half a
	// period before each edge: a rising edge's eval() at an odd multiple, the clock-low
	// eval() of the next cycle (and the DRAM clock's edges) at the even one after it.
	void step()
	{
		ctx.timeInc(half_ticks);
		if (!fast || !rise_fast(top->rootp, 0, ico_done)) {
			top->clk = 1;
			top->eval();
		}
		ico_done = false;
#if VM_TRACE
		bool dump = tfp && cycle >= trace_from && cycle <= trace_to;
		if (dump)
			tfp->dump(2 * cycle + 1);
#endif
		top->clk = 0;
		ctx.timeInc(half_ticks);	// the falling edge (evaluated by the next cycle's eval())
#if VM_TRACE
		if (dump) {
			top->eval();
			tfp->dump(2 * cycle + 2);
		}
#endif
#ifdef TB_EVAL_FALLING
		top->eval();	// the loop before it was dropped (make bench's baseline binary)
#endif
		cycle++;
		now = top->rst ? 0 : now + 1;
#ifdef TB_DRAM
		dram_phase += dram_khz;
		if (dram_phase >= PIPE_KHZ) {
			dram_phase -= PIPE_KHZ;
			top->dram_clk = 1;
			top->eval();
			top->dram_clk = 0;
#ifdef TB_EVAL_FALLING
			top->eval();
#endif
			dram_cycles++;
		}
		if (slow_mem > 0) {
			if (hold_left) {
				hold_left--;
			} else if (std::uniform_real_distribution<double>(0, 1)(hold_rng) < slow_mem) {
				hold_left = 1 + hold_rng() % 64;
			}
			top->mem_hold = hold_left != 0;
		}
#endif
	}
};

// ------------------------------------------------------------------ stimulus queues

struct Beat {
	uint16_t data;
	bool sof, eol;
	int frame;	// plan index (for triggers), -1 for stray pixels
	uint32_t pixel;
};

struct RegOp {
	bool write;
	uint32_t addr, data;
	bool check;		// a read whose value the mirror knows
};

struct RegBatch {
	int frame;		// start when the feeder has sent @pixel pixels of this plan frame
	uint32_t pixel;
	bool hold_feeder;	// the next frame's s_sof waits until this batch is issued
	int hold_frame;
	std::vector<RegOp> ops;
};

// Receives the m_* stream and cuts it into frames.
struct Sink {
	std::vector<uint16_t> words;
	bool prev_stall = false;
	uint16_t prev_data = 0;
	bool prev_last = false;
	unsigned frames = 0;
};

// ------------------------------------------------------------------ the bench

class Bench {
public:
	Bench(Sim &sim, uint32_t seed) : sim(sim), rng(seed),
		board(TB_MAX_WIDTH, TB_MAX_HEIGHT, TB_PIXEL_BITS_MAX) {}

	Sim &sim;
	std::mt19937_64 rng;
	BoardMirror board;

	std::deque<Beat> beats;
	std::deque<RegBatch> batches;	// waiting for their trigger, in order
	std::deque<RegOp> ops;		// issued one per cycle
	std::deque<std::pair<uint32_t, uint32_t>> reads;	// addr, expected
	std::deque<bool> reads_known;
	std::deque<uint64_t> rd_pipe;	// the cycle each read in flight was accepted in
	Sink sink;

	double p_valid = 1.0, p_ready = 1.0;
	int sent_frame = -1;		// plan frame of the last beat sent
	uint32_t sent_pixel = 0;	// pixels of it sent
	int hold_frame = -1;		// s_sof of this plan frame waits for a batch
	unsigned passed = 0, failed = 0;
	uint64_t first_fail = UINT64_MAX;
	RegOp wq_op{};			// the write accepted at the last edge: it takes effect
	bool wq_have = false;		// at this one (dsr_regs' write stage, reg_ready low)
	unsigned hold_offs = 0;		// cycles a register write was held off (reg_ready low)	// cycle of the first failure (for the trace window)
	uint64_t pixels_compared = 0;
	uint64_t first_sof_cycle = 0, last_out_cycle = 0;
	uint64_t moves = 0;		// handshakes so far (input pixels, output words, register ops)
	// A commit the mirror took acts at an edge; in the cycle after it the next parameters
	// are still settling (dsr_regs' nxt_stable low), so a frame start offered then must
	// wait exactly that one cycle: counted here, checked in every test
	uint64_t commit_edge = UINT64_MAX;	// cycle whose edge activated the last good commit
	unsigned sof_held_after_commit = 0;	// frame starts offered in the cycle after it, held
	unsigned sof_taken_after_hold = 0;	// ... and taken in the cycle after that
	bool sof_was_held = false;
	uint64_t sof_hold_cycles = 0;		// edge to start of the last such start
	bool quiet = false;
	std::function<void(const ExpectedFrame &, const std::vector<uint16_t> &)> on_frame;

	double uniform() { return unit01(rng); }

	// Set the inputs of this cycle, evaluate, account for the handshakes, clock.
	void cycle()
	{
		Vdsr_top *t = sim.top.get();

		// triggers: a batch starts when the feeder reached its position
		while (!batches.empty()) {
			RegBatch &b = batches.front();
			// due once the feeder reached the pixel, or has nothing left of that frame
			// (a short frame may never reach it)
			bool past = beats.empty() || beats.front().frame > b.frame;
			if (!past && (b.frame > sent_frame || (b.frame == sent_frame && sent_pixel < b.pixel)))
				break;
			for (auto &op : b.ops)
				ops.push_back(op);
			batches.pop_front();
		}

		// register bus
		bool reg_go = !ops.empty();
		t->reg_valid = reg_go;
		if (reg_go) {
			t->reg_write = ops.front().write;
			t->reg_addr = ops.front().addr;
			t->reg_wdata = ops.front().data;
		}

		// pixel input
		bool held = !beats.empty() && beats.front().sof && hold_frame >= 0 &&
			    beats.front().frame >= hold_frame;
		bool s_go = !beats.empty() && !held && uniform() < p_valid;
		t->s_valid = s_go;
		if (s_go) {
			t->s_data = beats.front().data;
			t->s_sof = beats.front().sof;
			t->s_eol = beats.front().eol;
		} else {
			t->s_data = (uint16_t)rng();	// garbage while not valid
			t->s_sof = rng() & 1;
			t->s_eol = rng() & 1;
		}

		// output back-pressure
		t->m_ready = uniform() < p_ready;
		t->eval();

		// read answers (registered, so visible now)
		if (t->reg_rvalid) {
			if (reads.empty()) {
				fail_msg("reg_rvalid without a pending read");
			} else {
				auto r = reads.front();
				bool known = reads_known.front();
				uint64_t lat = sim.cycle - rd_pipe.front();
				reads.pop_front();
				reads_known.pop_front();
				rd_pipe.pop_front();
				if (lat != REG_READ_CYCLES) {
					char m[160];
					snprintf(m, sizeof(m), "register 0x%03x answered %" PRIu64
						 " cycles after its acceptance, not %d", r.first, lat,
						 REG_READ_CYCLES);
					fail_msg(m);
				}
				if (known && t->reg_rdata != r.second) {
					char m[160];
					snprintf(m, sizeof(m), "register 0x%03x read 0x%08x, expected 0x%08x",
						 r.first, t->reg_rdata, r.second);
					fail_msg(m);
				}
			}
		}

		// reads take the state before this edge
		bool reg_fire = reg_go && t->reg_ready;
		if (reg_go && !t->reg_ready && ops.front().write && !wq_have)	// (not the write
			hold_offs++;			//  stage; a LUT_DATA read waits a cycle after it)
		RegOp op{};
		if (reg_fire) {
			moves++;
			op = ops.front();
			ops.pop_front();
			if (!op.write) {
				bool known;
				uint32_t v = board.reg_read(op.addr, sim.now, &known);
				reads.push_back({op.addr, v});
				reads_known.push_back(known && op.check);
				rd_pipe.push_back(sim.cycle);
			}
		}

		// output stream
		if (t->m_valid) {
			if (sink.prev_stall && (t->m_data != sink.prev_data || t->m_last != sink.prev_last))
				fail_msg("m_data changed while m_valid && !m_ready");
			sink.prev_stall = !t->m_ready;
			sink.prev_data = t->m_data;
			sink.prev_last = t->m_last;
			if (t->m_ready) {
				sink.words.push_back(t->m_data);
				moves++;
				if (t->m_last) {
					board.frames_out++;
					board.frame_done();
					last_out_cycle = sim.cycle;
					check_frame();
				}
			}
		} else if (sink.prev_stall) {
			fail_msg("m_valid dropped without a handshake");
			sink.prev_stall = false;
		}

		// a write takes effect a cycle after its acceptance (dsr_regs' write stage): the
		// one accepted at the last edge acts at this one, this edge's waits for the next.
		// The RTL's order within one clock edge: register writes see the state before
		// the edge (a LUT_DATA write goes to the bank that was the shadow one), except
		// that a commit taking effect in the cycle of a frame start waits for the next start
		RegOp wop = wq_op;
		bool wact = wq_have;
		wq_have = reg_fire && op.write;
		if (wq_have)
			wq_op = op;
		bool ctrl = wact && wop.addr == DSR_REG_CTRL;
		if (wact && !ctrl)
			board.reg_write(wop.addr, wop.data);

		// input handshake: a frame start first, then the pixel
		if (s_go && t->s_sof)
			board.frame_short_seen();
		if (s_go && t->s_sof && sim.cycle == commit_edge + 1) {
			if (t->s_ready)
				fail_msg("a frame start was taken in the cycle after a commit's edge");
			else
				sof_held_after_commit++;
			sof_was_held = true;
		} else if (sof_was_held && s_go && t->s_sof && t->s_ready) {
			// (later than +2 is no error in general: a full context FIFO holds too)
			sof_hold_cycles = sim.cycle - commit_edge;
			sof_taken_after_hold += sof_hold_cycles == 2;
			sof_was_held = false;
		}
		if (s_go && t->s_ready) {
			Beat b = beats.front();
			beats.pop_front();
			moves++;
			if (b.sof) {
				if (first_sof_cycle == 0)
					first_sof_cycle = sim.cycle;
				board.frame_start(sim.now);
			}
			board.pixel(b.data, b.eol);
			if (b.frame != sent_frame) {
				sent_frame = b.frame;
				sent_pixel = 0;
			}
			sent_pixel++;
		}

		if (ctrl) {
			uint32_t refused = board.param_errors;
			board.reg_write(wop.addr, wop.data);
			if ((wop.data & DSR_CTRL_COMMIT) && board.param_errors == refused)
				commit_edge = sim.cycle;
		}
		if (!board.violation.empty()) {
			fail_msg(board.violation.c_str());
			board.violation.clear();
		}
		board.tick();
		// a batch holding the feeder is done once its last op left the queue and took
		// effect
		if (hold_frame >= 0 && ops.empty() && !wq_have && (batches.empty() ||
		    batches.front().hold_frame != hold_frame))
			hold_frame = next_hold();

		sim.step();
	}

	int next_hold()
	{
		for (auto &b : batches)
			if (b.hold_feeder)
				return b.hold_frame;
		return -1;
	}

	void fail_msg(const char *m)
	{
		if (failed < 20)
			fprintf(stderr, "FAIL cycle %" PRIu64 ": %s\n", sim.cycle, m);
		note_fail();
	}

	void note_fail()
	{
		if (first_fail == UINT64_MAX)
			first_fail = sim.cycle;
		failed++;
	}

	// One complete output frame in sink.words: compare with the mirror's next frame.
	void check_frame();

	bool drained() const
	{
		return beats.empty() && ops.empty() && !wq_have && batches.empty() && reads.empty() &&
		       board.expected.empty();
	}
};

static void print_params(const struct dsr_params &p)
{
	fprintf(stderr,
		"  params: mode %u %ux%u bits %u a11 %d a12 %d a21 %d a22 %d tx %d ty %d "
		"h31 %d h32 %d gain %u midgrey %u\n",
		p.mode, p.width, p.height, p.pixel_bits, p.a11, p.a12, p.a21, p.a22, p.tx, p.ty,
		p.h31, p.h32, p.gain, p.midgrey);
}

// For a mismatch: the model's intermediate values at the pixel.
static void explain(const ExpectedFrame &e, uint32_t x, uint32_t y)
{
	const uint16_t *ref = e.ref ? e.ref->data() : nullptr;
	const uint16_t *lut = e.lut ? e.lut->data() : nullptr;
	int64_t au, av;

	dsr_model_position(&e.p, x, y, &au, &av);
	fprintf(stderr, "  model: live %u ref' %u (ref before LUT %u) at u %.4f v %.4f%s\n",
		e.live[(size_t)y * e.p.width + x],
		dsr_model_warp_pixel(&e.p, lut, ref, x, y), dsr_model_warp_pixel(&e.p, NULL, ref, x, y),
		au / 16777216.0, av / 16777216.0, lut ? "" : " (identity LUT)");
}

void Bench::check_frame()
{
	std::vector<uint16_t> w;
	w.swap(sink.words);
	unsigned seq = sink.frames++;

	if (board.expected.empty()) {
		fail_msg("an output frame nobody started");
		return;
	}
	ExpectedFrame e = board.expected.front();
	board.expected.pop_front();

	size_t n = (size_t)e.p.width * e.p.height;
	size_t hw = DSR_FRAME_HEADER_SIZE / 2, tw = DSR_FRAME_TRAILER_SIZE / 2;
	bool ok = true;
	char m[256];
	auto bad = [&](const char *what, uint64_t got, uint64_t want) {
		if (ok || failed < 20) {
			fprintf(stderr, "FAIL frame %u (output %u): %s = %" PRIu64 ", expected %" PRIu64 "\n",
				e.index, seq, what, got, want);
			print_params(e.p);
		}
		ok = false;
	};

	if (w.size() != hw + n + tw) {
		bad("words", w.size(), hw + n + tw);
	} else {
		std::vector<uint8_t> bytes(w.size() * 2);
		for (size_t i = 0; i < w.size(); i++) {
			bytes[2 * i] = (uint8_t)w[i];
			bytes[2 * i + 1] = (uint8_t)(w[i] >> 8);
		}
		struct dsr_frame_info fi;
		const char *why = nullptr;
		if (dsr_header_parse(bytes.data(), DSR_FRAME_HEADER_SIZE, TB_MAX_WIDTH, TB_MAX_HEIGHT,
				     &fi, &why)) {
			snprintf(m, sizeof(m), "frame %u: header refused: %s", e.index, why);
			fail_msg(m);
			ok = false;
		} else {
			if (fi.width != e.p.width) bad("width", fi.width, e.p.width);
			if (fi.height != e.p.height) bad("height", fi.height, e.p.height);
			if (fi.format != DSR_FORMAT_MONO16) bad("format", fi.format, DSR_FORMAT_MONO16);
			if (fi.pixel_bits != e.p.pixel_bits) bad("pixel_bits", fi.pixel_bits, e.p.pixel_bits);
			if (fi.sequence != seq) bad("sequence", fi.sequence, seq);
			if (fi.generation != e.generation) bad("generation", fi.generation, e.generation);
			if (fi.timestamp != e.timestamp) bad("timestamp", fi.timestamp, e.timestamp);
			uint32_t hflags = e.flags & ~DSR_FLAG_BAD;
			if (fi.flags != hflags) bad("header flags", fi.flags, hflags);
			if (fi.payload_length != n * 2) bad("payload_length", fi.payload_length, n * 2);
			if (fi.payload_crc != 0) bad("header payload_crc", fi.payload_crc, 0);
		}
		uint32_t tcrc = 0, tflags = 0;
		if (dsr_trailer_parse(bytes.data() + 2 * (hw + n), DSR_FRAME_TRAILER_SIZE, &tcrc,
				      &tflags, &why)) {
			snprintf(m, sizeof(m), "frame %u: trailer refused: %s", e.index, why);
			fail_msg(m);
			ok = false;
		} else {
			uint32_t crc = dsr_crc32(0, bytes.data() + 2 * hw, n * 2);
			if (tcrc != crc) bad("trailer crc vs received payload", tcrc, crc);
			if (tflags != e.flags) bad("trailer flags", tflags, e.flags);
		}
		unsigned shown = 0;
		for (size_t i = 0; i < n; i++) {
			uint16_t got = w[hw + i], want = e.out[i];
			if (got != want) {
				if (shown++ < 5) {
					fprintf(stderr, "FAIL frame %u x %zu y %zu: rtl %u model %u\n",
						e.index, i % e.p.width, i / e.p.width, got, want);
					if (shown == 1)
						print_params(e.p);
					explain(e, (uint32_t)(i % e.p.width), (uint32_t)(i / e.p.width));
				}
				ok = false;
			}
		}
		if (shown > 5)
			fprintf(stderr, "FAIL frame %u: %u of %zu pixels differ\n", e.index, shown, n);
		pixels_compared += n;
	}
	if (getenv("TB_LOG"))
		fprintf(stderr, "frame %u: mode %u %ux%u bits %u gen %u flags 0x%x bad %d %s\n", e.index,
			e.p.mode, e.p.width, e.p.height, e.p.pixel_bits, e.generation, e.flags, e.bad,
			ok ? "ok" : "MISMATCH");
	if (on_frame)
		on_frame(e, w);
	if (ok)
		passed++;
	else
		note_fail();
}

// ------------------------------------------------------------------ random plans

struct Plan {
	uint32_t w, h;
	uint32_t bits;
	uint32_t mode;
};

// A random image: noise, smooth structure, or both; bits above @bits random too
// (the board must ignore them).
static std::vector<uint16_t> random_image(std::mt19937_64 &rng, uint32_t w, uint32_t h,
					  uint32_t bits, int kind, const std::vector<uint16_t> *base)
{
	std::vector<uint16_t> im((size_t)w * h);
	uint32_t max = (1u << bits) - 1;
	Unit01 u;
	double cx = u(rng) * w, cy = u(rng) * h, r = 1 + u(rng) * (w + h) / 3.0;
	double gx = u(rng) * 2 - 1, gy = u(rng) * 2 - 1;
	for (uint32_t y = 0; y < h; y++) {
		for (uint32_t x = 0; x < w; x++) {
			double v;
			size_t i = (size_t)y * w + x;
			if (base && base->size() == im.size()) {
				v = ((*base)[i] & max) + (u(rng) - 0.5) * max * 0.05;
			} else if (kind == 0) {
				v = u(rng) * max;
			} else {
				double d = std::hypot(x - cx, y - cy);
				v = max * (0.5 + 0.2 * gx * x / (w + 1) + 0.2 * gy * y / (h + 1));
				if (d < r)
					v += max * 0.25 * std::cos(d / r * 3.14159);
				v += (u(rng) - 0.5) * max * (kind == 1 ? 0.02 : 0.2);
			}
			if (v < 0) v = 0;
			if (v > max) v = max;
			uint16_t high = (uint16_t)(rng() & ~(uint64_t)max);
			im[i] = (uint16_t)((uint32_t)v | (rng() % 4 == 0 ? high : 0));
		}
	}
	return im;
}

// A random parameter set for @pl: rotation, scale, shear about the frame centre, a
// translation that now and then throws the sample far outside the frame.
static struct dsr_params random_params(std::mt19937_64 &rng, const Plan &pl)
{
	Unit01 u;
	struct dsr_params p;
	dsr_params_default(&p, pl.w, pl.h, pl.bits);
	p.mode = pl.mode;
	double th = (u(rng) * 30 - 15) * 3.14159265358979 / 180;
	double s = 0.8 + u(rng) * 0.45;
	double sh = (u(rng) - 0.5) * 0.2;
	struct dsr_affine a;
	a.a11 = s * std::cos(th);
	a.a12 = -s * std::sin(th) + sh;
	a.a21 = s * std::sin(th);
	a.a22 = s * std::cos(th);
	double cx = (pl.w - 1) / 2.0, cy = (pl.h - 1) / 2.0;
	double far = u(rng) < 0.1 ? 4.0 : 0.1;
	a.tx = cx - (a.a11 * cx + a.a12 * cy) + (u(rng) - 0.5) * far * (pl.w + 8);
	a.ty = cy - (a.a21 * cx + a.a22 * cy) + (u(rng) - 0.5) * far * (pl.h + 8);
	if (u(rng) < 0.1) {	// identity now and then: exact integer samples
		a.a11 = a.a22 = 1;
		a.a12 = a.a21 = 0;
		a.tx = (double)(int)((u(rng) - 0.5) * 6);
		a.ty = (double)(int)((u(rng) - 0.5) * 6);
	}
	dsr_params_set_affine(&p, &a);
	// perspective over the board's whole range (extremes now and then), affine a quarter
	// of the time (values beyond the range: directed_gain_midgrey)
	const int32_t hm = DSR_H_PERSP_MAX;
	double pk = u(rng);
	auto span = [&](int32_t lim) {
		return (int32_t)((int64_t)(rng() % (2 * (uint64_t)lim + 1)) - lim);
	};
	if (pk < 0.25) {
		p.h31 = p.h32 = 0;
	} else if (pk < 0.35) {
		p.h31 = rng() & 1 ? hm : -hm;
		p.h32 = rng() & 1 ? hm : -hm;
	} else {
		p.h31 = span(hm);
		p.h32 = span(hm);
	}
	p.gain = (uint32_t)(u(rng) < 0.2 ? rng() % 0x10000 : 0x40 + rng() % 0x400);
	p.midgrey = (uint32_t)(rng() % (1u << pl.bits));
	return p;
}

// Register writes of a full parameter set and the commit.
static void push_params(std::vector<RegOp> &ops, const struct dsr_params &p)
{
	const uint32_t regs[14][2] = {
		{DSR_REG_MODE, p.mode}, {DSR_REG_WIDTH, p.width}, {DSR_REG_HEIGHT, p.height},
		{DSR_REG_PIXEL_BITS, p.pixel_bits}, {DSR_REG_A11, (uint32_t)p.a11},
		{DSR_REG_A12, (uint32_t)p.a12}, {DSR_REG_A21, (uint32_t)p.a21},
		{DSR_REG_A22, (uint32_t)p.a22}, {DSR_REG_TX, (uint32_t)p.tx},
		{DSR_REG_TY, (uint32_t)p.ty}, {DSR_REG_GAIN, p.gain}, {DSR_REG_MIDGREY, p.midgrey},
		{DSR_REG_H31, (uint32_t)p.h31}, {DSR_REG_H32, (uint32_t)p.h32},
	};
	for (auto &r : regs)
		ops.push_back({true, r[0], r[1], false});
	for (auto &r : regs)	// shadow registers read back
		ops.push_back({false, r[0], 0, true});
	ops.push_back({true, DSR_REG_CTRL, DSR_CTRL_COMMIT, false});
}

// A LUT upload: every entry of the board's LUT, a random monotone-ish curve.
static void push_lut(std::mt19937_64 &rng, std::vector<RegOp> &ops, uint32_t bits)
{
	uint32_t n = 1u << TB_PIXEL_BITS_MAX, max = (1u << bits) - 1;
	Unit01 u;
	double g = 0.5 + u(rng), off = (u(rng) - 0.5) * 0.2;
	bool wild = u(rng) < 0.2;
	ops.push_back({true, DSR_REG_LUT_ADDR, 0, false});
	for (uint32_t i = 0; i < n; i++) {
		double v = std::pow((double)(i & max) / max, g) + off;
		uint32_t e = wild ? (uint32_t)(rng() & 0xffff) : (uint32_t)(v < 0 ? 0 : v > 1 ? max : v * max);
		ops.push_back({true, DSR_REG_LUT_DATA, e, false});
	}
	// read a few entries back
	for (int k = 0; k < 4; k++) {
		uint32_t i = (uint32_t)(rng() % n);
		ops.push_back({true, DSR_REG_LUT_ADDR, i, false});
		ops.push_back({false, DSR_REG_LUT_DATA, 0, true});
		ops.push_back({false, DSR_REG_LUT_ADDR, 0, true});
	}
}

// Beats of one frame, with an optional defect.
static void push_frame(Bench &b, int fi, const std::vector<uint16_t> &im, uint32_t w, uint32_t h,
		       int defect)
{
	std::mt19937_64 &rng = b.rng;
	size_t n = (size_t)w * h;
	size_t send = n, eol_flip = (size_t)-1;
	if (defect == 1 && n > 1)		// short
		send = 1 + rng() % (n - 1);
	if (defect == 3)			// misplaced end of line
		eol_flip = rng() % n;
	for (size_t i = 0; i < send; i++) {
		bool eol = (i % w) == w - 1;
		if (i == eol_flip)
			eol = !eol;
		b.beats.push_back({im[i], i == 0, eol, fi, (uint32_t)i});
	}
	if (defect == 2) {			// long
		unsigned extra = 1 + rng() % 20;
		for (unsigned i = 0; i < extra; i++)
			b.beats.push_back({(uint16_t)rng(), false, rng() % 3 == 0, fi, (uint32_t)(n + i)});
	}
}

// ------------------------------------------------------------------ runs

// Run until everything queued has been sent and checked. @limit bounds the cycles
// without progress (a hang: no input pixel, output word or register operation
// handshaken), not the total: a long drain of queued LUT uploads is fine. (A sum of what
// is left would not do: one pixel in and one word out per cycle leave it unchanged, so a
// frame of more than @limit pixels streaming at full rate looked like a hang.)
static uint64_t run_until_drained(Bench &b, uint64_t limit)
{
	uint64_t start = b.sim.cycle, last_move = b.sim.cycle;
	uint64_t moves = b.moves;

	while (!b.drained() && !interrupted) {
		b.cycle();
		if (b.moves != moves) {
			moves = b.moves;
			last_move = b.sim.cycle;
		}
		if (b.sim.cycle - last_move > limit) {
			fprintf(stderr, "FAIL: no progress for %" PRIu64 " cycles (%zu beats, %zu ops, %zu frames expected)\n",
				limit, b.beats.size(), b.ops.size(), b.board.expected.size());
			b.note_fail();
			break;
		}
	}
	return b.sim.cycle - start;
}

// Idle cycles, then: no output, all counters as the mirror says.
static void final_checks(Bench &b)
{
	b.p_ready = 1.0;
	for (int i = 0; i < 200; i++) {
		b.cycle();
		if (b.sim.top->m_valid || !b.sink.words.empty()) {
			b.fail_msg("output words after the last expected frame");
			break;
		}
	}
	const uint32_t regs[] = {DSR_REG_ID, DSR_REG_VERSION, DSR_REG_MAX_WIDTH, DSR_REG_MAX_HEIGHT,
				 DSR_REG_STATUS, DSR_REG_ERROR, DSR_REG_GENERATION, DSR_REG_FRAMES_IN,
				 DSR_REG_FRAMES_OUT, DSR_REG_BAD_FRAMES, DSR_REG_PARAM_ERRORS,
				 DSR_REG_TIME_LO, DSR_REG_TIME_HI, DSR_REG_CTRL, 0x0fc, 0x0a0};
	for (uint32_t r : regs)
		b.ops.push_back({false, r, 0, true});
	run_until_drained(b, 1000);
	for (int i = 0; i < 4; i++)
		b.cycle();
	if (!b.reads.empty())
		b.fail_msg("register reads never answered");
}

// Frames back to back with no back-pressure: cycles per pixel and per-frame overhead.
static void throughput(Bench &b, uint32_t w, uint32_t h, unsigned frames, double *cpp,
		       double *overhead)
{
	Plan pl{w, h, 12, DSR_MODE_SUBTRACT};
	struct dsr_params p = random_params(b.rng, pl);
	RegBatch batch{-1, 0, false, -1, {}};
	push_params(batch.ops, p);
	b.batches.push_back(batch);
	run_until_drained(b, 100000);
	b.p_valid = b.p_ready = 1.0;
	b.first_sof_cycle = 0;
	for (unsigned f = 0; f < frames; f++)
		push_frame(b, 1000000 + f, random_image(b.rng, w, h, 12, 1, nullptr), w, h, 0);
	run_until_drained(b, 100000 + (uint64_t)frames * w * h * 4);
	uint64_t cycles = b.last_out_cycle - b.first_sof_cycle + 1;
	*cpp = (double)cycles / ((double)frames * w * h);
	*overhead = ((double)cycles - (double)frames * w * h) / frames;
}

#ifdef TB_DRAM
// One transform of the bench grid: rotation (degrees), scale, shear, anisotropy about
// the frame centre, shifted by 3 % of the frame so part of it reads outside.
struct BenchXf {
	double deg, scale, shear, aniso;
};

// +bench=W,H[,corners]: capture a W x H reference, then one SUBTRACT frame per transform
// of the grid, back to back input and output: pixels per pipeline clock (first pixel in
// to last word out, header and trailer included), DRAM words read, every pixel checked.
// Prints one line per transform and "BENCH dram WxH px_per_clk min=.. median=.. worst=..".
static int dram_bench(Bench &b, uint32_t w, uint32_t h, bool corners, std::vector<double> *all)
{
	std::vector<BenchXf> grid;
	const double degs[] = {-10, -5, 0, 5, 10}, scales[] = {0.9, 1.0, 1.1};
	if (corners) {
		grid = {{0, 1.0, 0, 0}, {10, 1.1, 0, 0}, {-10, 0.9, 0, 0}, {10, 1.0, 0.02, -0.02}};
	} else {
		for (double d : degs)
			for (double sc : scales)
				grid.push_back({d, sc, 0, 0});
		grid.push_back({10, 1.0, 0.02, 0});
		grid.push_back({10, 1.0, -0.02, 0});
		grid.push_back({10, 1.0, 0, 0.02});
		grid.push_back({-10, 1.0, 0, -0.02});
	}
	Plan pl{w, h, 12, DSR_MODE_CAPTURE};
	struct dsr_params p;
	dsr_params_default(&p, w, h, 12);
	p.mode = DSR_MODE_CAPTURE;
	RegBatch batch{-1, 0, false, -1, {}};
	push_params(batch.ops, p);
	b.batches.push_back(batch);
	run_until_drained(b, 100000);
	b.p_valid = b.p_ready = 1.0;
	std::vector<uint16_t> ref = random_image(b.rng, w, h, 12, 2, nullptr);
	push_frame(b, 2000000, ref, w, h, 0);
	run_until_drained(b, 1000000);
	std::vector<double> pxclk;
	for (size_t i = 0; i < grid.size(); i++) {
		const BenchXf &x = grid[i];
		double th = x.deg * 3.14159265358979 / 180;
		struct dsr_affine a;
		a.a11 = x.scale * (1 + x.aniso) * std::cos(th);
		a.a12 = -x.scale * std::sin(th) + x.shear;
		a.a21 = x.scale * std::sin(th);
		a.a22 = x.scale * (1 - x.aniso) * std::cos(th);
		double cx = (w - 1) / 2.0, cy = (h - 1) / 2.0;
		a.tx = cx - (a.a11 * cx + a.a12 * cy) + 0.03 * w;
		a.ty = cy - (a.a21 * cx + a.a22 * cy) - 0.03 * h;
		dsr_params_default(&p, w, h, 12);
		p.mode = DSR_MODE_SUBTRACT;
		dsr_params_set_affine(&p, &a);
		RegBatch nb{-1, 0, false, -1, {}};
		push_params(nb.ops, p);
		b.batches.push_back(nb);
		run_until_drained(b, 100000);
		std::vector<uint16_t> live = random_image(b.rng, w, h, 12, 1, &ref);
		unsigned failed = b.failed;
		uint32_t words0 = b.sim.top->dram_rd_words;
		b.first_sof_cycle = 0;
		push_frame(b, 2000001 + (int)i, live, w, h, 0);
		run_until_drained(b, 1000000);
		uint64_t cycles = b.last_out_cycle - b.first_sof_cycle + 1;
		uint32_t words = b.sim.top->dram_rd_words - words0;
		double r = (double)w * h / (double)cycles;
		// DRAM: 128-bit words; the simulation core is 1:4, one word per controller
		// clock at most (100 MHz: 1.6 GB/s, 0.8 words per 125 MHz pipeline clock)
		double used = (double)words / (double)cycles;
		double peak = (double)b.sim.dram_khz / PIPE_KHZ;
		printf("bench %ux%u rot %+5.1f scale %.2f shear %+.2f aniso %+.2f: %.4f px/clk, "
		       "DRAM %.3f words/clk = %.0f MB/s of %.0f (%.1f %%), %.2f words/px%s\n",
		       w, h, x.deg, x.scale, x.shear, x.aniso, r, used, used * 16 * PIPE_KHZ / 1000,
		       peak * 16 * PIPE_KHZ / 1000, 100 * used / peak, (double)words / ((double)w * h),
		       b.failed != failed ? "  MISMATCH" : "");
		pxclk.push_back(r);
	}
	std::vector<double> sorted = pxclk;
	std::sort(sorted.begin(), sorted.end());
	size_t worst = (size_t)(std::min_element(pxclk.begin(), pxclk.end()) - pxclk.begin());
	printf("BENCH dram %ux%u px_per_clk min=%.4f median=%.4f worst=%.4f (rot %+.1f scale %.2f "
	       "shear %+.2f aniso %+.2f)\n", w, h, sorted.front(), sorted[sorted.size() / 2],
	       sorted.front(), grid[worst].deg, grid[worst].scale, grid[worst].shear,
	       grid[worst].aniso);
	all->insert(all->end(), pxclk.begin(), pxclk.end());
	return b.failed ? 1 : 0;
}
#endif

// Verilator sees a rising edge only if its last eval() saw the clock low: it keeps the
// clock's value of that eval() (Verilator 5.006: __Vtrigrprev__TOP__clk). Setting it low
// stands for that eval() where it is known to change nothing else; false where this
// Verilator keeps it elsewhere, or where the model has other triggers than the clock's
// rising edge (then the caller evaluates). Those are clocks derived from clk inside the
// model: the DSR_ECP5 build's MULT18X18D model clocks its registers by a mux of its CLK
// pins (one trigger each); left at 1 without the clock-low eval(), they would see no
// rising edge in the next cycle and the products would not load (make verilator-ecp5's
// binary failed the replay in the header's words so, and passed with +evalcheck).
template <class Root>
static auto clk_seen_low(Root *r, int) -> typename std::enable_if<
	std::is_same<decltype(r->__VactTriggered), VlTriggerVec<1>>::value &&
	sizeof(r->__Vtrigrprev__TOP__clk) == 1, bool>::type
{
	r->__Vtrigrprev__TOP__clk = 0;
	return true;
}
template <class Root>
static bool clk_seen_low(Root *, long)
{
	return false;
}

// Play a gen_smoke stimulus file and compare with its expected output (see tb_stim.h).
// Output back-pressure follows the same 16-bit LFSR as tb_smoke.sv.
//
// One eval() per cycle where possible: the inputs change every cycle, but only s_sof
// (into s_ready) and reg_addr, reg_write (into reg_ready) reach an output without a
// register. While those three stay as they were at the last eval(), the outputs of the
// last rising edge are already the new inputs' (every other output is a register), so
// the eval() with the clock low is left out and only its edge bookkeeping done; the
// rising edge's eval() still runs the input logic with the new inputs. That saves the
// input logic's second run and an eval()'s overhead per cycle (-7 % instructions).
// The rising edge leaves the input logic (the ico region) out too where it would compute
// what the last eval() did: after a clock-low eval(), or where every input but the data
// bits (reg_wdata, s_data, which only reach registers) is as in the last cycle, whose
// rising edge recomputed it with the new register values: 73 % of the bench's cycles,
// -80 instructions per pixel (3090.8 -> 3010.5, make bench's callgrind). +evalcheck runs
// it there anyway and fails if that changes any byte of the model.
// +evalcheck evaluates anyway and counts an error wherever s_ready or reg_ready would
// have differed. The DRAM build always evaluates (its second clock's edges need it).
static int replay(Sim &sim, const char *stim_path, const char *exp_path, const char *dump,
		  bool eval_check)
{
	std::vector<uint16_t> frame_words;	// the frame being received (for +dump)
	std::vector<uint16_t> last_frame;
	std::vector<uint64_t> stim;
	std::vector<uint32_t> exp;
	FILE *f = fopen(stim_path, "r");
	char line[64];
	if (!f) {
		fprintf(stderr, "tb_dsr: cannot open %s\n", stim_path);
		return 2;
	}
	while (fgets(line, sizeof(line), f))
		stim.push_back(strtoull(line, NULL, 16));
	fclose(f);
	f = fopen(exp_path, "r");
	if (!f) {
		fprintf(stderr, "tb_dsr: cannot open %s\n", exp_path);
		return 2;
	}
	while (fgets(line, sizeof(line), f))
		exp.push_back((uint32_t)strtoul(line, NULL, 16));
	fclose(f);

	// the stimulus decoded before the loop, each word into the input values it sets (a
	// byte copied per input and cycle), an STIM_END word after the last (which the loop
	// never passes, so no bound test); the fields but data laid out as one 64-bit word,
	// compared at once (ctl below)
	struct Beat {
		uint32_t data;	// reg_wdata, and s_data's 16 bits
		uint16_t addr;
		uint8_t reg_valid, reg_write, s_valid, s_sof, s_eol, cmd;
	};
	static_assert(sizeof(Beat) == 12 && offsetof(Beat, cmd) == 11, "Beat: 4 + 8 bytes");
	std::vector<Beat> beats;
	beats.reserve(stim.size() + 1);
	for (size_t i = 0; i <= stim.size(); i++) {
		const uint64_t w = i < stim.size() ? stim[i] : (uint64_t)STIM_END << 60;
		const uint8_t cmd = (uint8_t)(w >> 60);
		beats.push_back(Beat{(uint32_t)w, (uint16_t)((w >> 48) & 0xfff),
			cmd == STIM_WRITE || cmd == STIM_READ, cmd == STIM_WRITE, cmd == STIM_PIXEL,
			(uint8_t)((w >> 32) & 1), (uint8_t)((w >> 33) & 1), cmd});
	}
	// the ports as the model's own members (rootp: Vdsr_top's ports are references to
	// them, each reloaded after every byte-wide store): the same values, fewer loads
	Vdsr_top___024root *t = sim.top->rootp;
	const Beat *bp = beats.data();
	size_t si = 0, ei = 0, pixels = 0, errors = 0, frames = 0;
	uint16_t lfsr = 0xace1;
	std::deque<uint32_t> rd_want;
	auto t0 = std::chrono::steady_clock::now();
	uint64_t c0 = sim.cycle, idle = 0;
	bool first = true;	// the inputs of the last eval() that reach an output
	uint8_t p_sof = 0, p_write = 0;
	uint16_t p_addr = 0;
	uint64_t p_ctl = 0;	// the last cycle's inputs but the data bits (ctl below)
#ifndef TB_DRAM
	std::vector<unsigned char> before(eval_check ? sizeof(*t) : 0);
	uint64_t ico_checks = 0;
#endif
	CALLGRIND_TOGGLE_COLLECT;
	while (!interrupted && idle < 1000) {
		const Beat &b = bp[si];
		const uint8_t cmd = b.cmd, sof = b.s_sof, wr = b.reg_write;
		const uint16_t addr = b.addr;
		t->reg_valid = b.reg_valid;
		t->reg_write = wr;
		t->reg_addr = addr;
		t->reg_wdata = b.data;
		t->s_valid = b.s_valid;
		t->s_sof = sof;
		t->s_eol = b.s_eol;
		t->s_data = (uint16_t)b.data;
		lfsr = (uint16_t)((lfsr >> 1) ^ (-(lfsr & 1) & 0xb400));
		const uint8_t m_ready = (lfsr & 3) != 0;
		t->m_ready = m_ready;
		// every input this loop sets but the 32 data bits (reg_wdata, s_data): they only
		// reach registers, so the input logic's values (Verilator's ico region) are the
		// same as at the last eval() while ctl stays, the rising edge's eval() having
		// recomputed them with its new register values (cmd < 4: bit 63 free)
		uint64_t ctl;
		memcpy(&ctl, &b.addr, sizeof(ctl));
		ctl |= (uint64_t)m_ready << 63;
		const bool ctl_same = !first && ctl == p_ctl;
		bool same = !first && sof == p_sof && addr == p_addr && wr == p_write;
#ifdef TB_DRAM
		same = false;
#else
		// +evalcheck: where the fast replay leaves the input logic out, run it (the ico
		// region alone, the clock high as rise_fast() has it) and fail if it changed
		// anything in the model (a data bit reaching combinational logic). Only for
		// rise_fast()'s model: elsewhere nothing is left out (the DSR_ECP5 build's input
		// logic also follows the clock, which the edge's eval() has set low again)
		if (ctl_same && eval_check && sim.rise_ok) {
			t->clk = 1;
			t->__VicoTriggered.at(0) = 1;
			memcpy(before.data(), (const void *)t, before.size());
			Vdsr_top___024root___eval_ico(t);
			ico_checks++;
			if (memcmp(before.data(), (const void *)t, before.size()) && errors++ < 10)
				fprintf(stderr, "replay: cycle %" PRIu64 ": the input logic changed the "
					"model with only the data inputs changed\n", sim.cycle - c0);
			t->clk = 0;
		}
#endif
		sim.ico_done = ctl_same;
		p_ctl = ctl;
		if (same && eval_check) {
			uint8_t s_ready = t->s_ready, reg_ready = t->reg_ready;
			sim.top->eval();
			if ((t->s_ready != s_ready || t->reg_ready != reg_ready) && errors++ < 10)
				fprintf(stderr, "replay: cycle %" PRIu64 ": s_ready %u/%u, reg_ready %u/%u "
					"after the clock-low eval (the inputs' paths to the outputs changed)\n",
					sim.cycle - c0, s_ready, t->s_ready, reg_ready, t->reg_ready);
		} else if (!same || !clk_seen_low(t, 0)) {
			sim.top->eval();
			sim.ico_done = true;	// the rising edge's would be the same
			p_sof = sof;
			p_addr = addr;
			p_write = wr;
			first = false;
		}
		if (t->reg_rvalid) {	// a read answers five cycles after its acceptance
			if (rd_want.empty() || t->reg_rdata != rd_want.front()) {
				if (errors++ < 10)
					fprintf(stderr, "replay: register read got %08x, expected %08x\n",
						t->reg_rdata, rd_want.empty() ? 0 : rd_want.front());
			}
			if (!rd_want.empty())
				rd_want.pop_front();
		}
		if (cmd == STIM_READ && t->reg_ready)
			rd_want.push_back(b.data);
		const unsigned px = b.s_valid & t->s_ready;	// a pixel taken
		si += (b.reg_valid & t->reg_ready) | px;
		pixels += px;
		if (t->m_valid && t->m_ready) {
			uint32_t e = ei < exp.size() ? exp[ei] : EXP_END;
			uint32_t got = t->m_data | (t->m_last ? EXP_LAST : 0);
			if (e & EXP_END) {
				if (errors++ < 10)
					fprintf(stderr, "replay: output word %zu beyond the expected end\n", ei);
			} else if (!(e & EXP_DONTCARE) && got != (e & 0x1ffff)) {
				if (errors++ < 10)
					fprintf(stderr, "replay: word %zu: got %05x, expected %05x\n", ei, got,
						e & 0x1ffff);
			}
			if (dump)	// the words kept only for +dump
				frame_words.push_back(t->m_data);
			if (t->m_last) {
				frames++;
				if (dump) {
					last_frame.swap(frame_words);
					frame_words.clear();
				}
			}
			ei++;
		}
		idle = cmd == STIM_END ? idle + 1 : 0;
		sim.step();
	}
	CALLGRIND_TOGGLE_COLLECT;
#ifndef TB_DRAM
	if (eval_check && sim.rise_ok)
		printf("replay: the input logic left out at %" PRIu64 " cycles, checked there\n",
		       ico_checks);
#endif
	double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
	if (ei >= exp.size() || !(exp[ei] & EXP_END)) {
		fprintf(stderr, "replay: %zu output words, expected %zu\n", ei, exp.size() - 1);
		errors++;
	}
	// +dump: the last frame's payload as a 16-bit PGM (header fields from the frame)
	if (dump && last_frame.size() >= (DSR_FRAME_HEADER_SIZE + DSR_FRAME_TRAILER_SIZE) / 2) {
		uint32_t w = last_frame[DSR_HDR_OFF_WIDTH / 2], h = last_frame[DSR_HDR_OFF_HEIGHT / 2];
		uint32_t bits = last_frame[DSR_HDR_OFF_PIXEL_BITS / 2];
		FILE *df = fopen(dump, "wb");
		if (!df || (size_t)w * h + (DSR_FRAME_HEADER_SIZE + DSR_FRAME_TRAILER_SIZE) / 2 != last_frame.size()) {
			fprintf(stderr, "replay: cannot dump the last frame to %s\n", dump);
			errors++;
		} else {
			fprintf(df, "P5\n%u %u\n%u\n", w, h, (1u << bits) - 1);
			for (size_t i = 0; i < (size_t)w * h; i++) {
				uint16_t v = last_frame[DSR_FRAME_HEADER_SIZE / 2 + i];
				fputc(v >> 8, df);
				fputc(v & 0xff, df);
			}
		}
		if (df)
			fclose(df);
	}
	printf("replay: %zu frames, %zu input pixels, %" PRIu64 " cycles in %.3f s: %.0f pixels/s, %s\n",
	       frames, pixels, sim.cycle - c0, secs, pixels / secs, errors ? "FAIL" : "pass");
	return errors ? 1 : 0;
}

static bool arg(int argc, char **argv, const char *name, std::string *val)
{
	size_t l = strlen(name);
	for (int i = 1; i < argc; i++) {
		if (strncmp(argv[i], name, l) == 0 && (argv[i][l] == '=' || argv[i][l] == 0)) {
			if (val)
				*val = argv[i][l] == '=' ? argv[i] + l + 1 : "";
			return true;
		}
	}
	return false;
}

// The randomised run.
static void random_run(Bench &b, unsigned frames)
{
	std::mt19937_64 &rng = b.rng;
	Unit01 u;
	Plan pl{16, 16, 12, DSR_MODE_CAPTURE};
	std::vector<uint16_t> scene;
	const double readies[] = {1.0, 1.0, 0.9, 0.5, 0.2};
	const double valids[] = {1.0, 1.0, 0.9, 0.6};

	// stray pixels before the first frame: dropped and counted once
	for (int i = 0; i < 3; i++)
		b.beats.push_back({(uint16_t)rng(), false, false, -1, 0});

	// A short frame stays open until the next frame start (dsr_frame_in pads it then), and
	// a LUT_DATA write held off for a pending swap waits for that start or an empty
	// pipeline (dsr_regs): so after a short frame the feeder must not wait for a batch,
	// as a host must not wait for a LUT upload with an input frame open. Such a batch
	// keeps the size and lands wherever it lands.
	bool prev_short = false;
	for (unsigned f = 0; f < frames; f++) {
		if (f % 8 == 0) {
			b.p_ready = readies[rng() % 5];
			b.p_valid = valids[rng() % 4];
		}
		bool change = f == 0 || u(rng) < 0.35;
		if (change) {
			Plan np = pl;
			if (!prev_short && (f == 0 || u(rng) < 0.25)) {
				double r = u(rng);
				if (r < 0.04) { np.w = 1; np.h = 1; }
				else if (r < 0.08) { np.w = 1 + rng() % 40; np.h = 1; }
				else if (r < 0.12) { np.w = 1; np.h = 1 + rng() % 40; }
				else if (r < 0.17) { np.w = max_w; np.h = max_h; }
				else if (r < 0.65) { np.w = 1 + rng() % 48; np.h = 1 + rng() % 48; }
				else if (r < 0.68) { np.w = 1 + rng() % max_w; np.h = 1 + rng() % max_h; }
				else { np.w = 1 + rng() % max_w; np.h = 1 + rng() % 96; }
				np.bits = 12 + rng() % (TB_PIXEL_BITS_MAX - 11);	// depths the board takes
				np.mode = DSR_MODE_CAPTURE;	// a new size starts with a reference
			} else {
				double r = u(rng);
				np.mode = r < 0.15 ? DSR_MODE_CAPTURE : r < 0.6 ? DSR_MODE_SUBTRACT :
					  r < 0.85 ? DSR_MODE_WARP : DSR_MODE_PASS;
				if (u(rng) < 0.15)
					np.bits = 12 + rng() % (TB_PIXEL_BITS_MAX - 11);	// depths the board takes
			}
			struct dsr_params p = random_params(rng, np);
			RegBatch batch{(int)f - 1, 0, false, (int)f, {}};
			if (f > 0)
				batch.pixel = (uint32_t)(rng() % ((size_t)pl.w * pl.h + 1));
			if (u(rng) < 0.05) {	// a refused commit first
				struct dsr_params q = p;
				switch (rng() % 4) {
				case 0: q.width = 0; break;
				case 1: q.height = TB_MAX_HEIGHT + 1 + rng() % 100; break;
				case 2: q.pixel_bits = 11; break;
				default: q.midgrey = 1u << q.pixel_bits; break;
				}
				push_params(batch.ops, q);
			}
			if (u(rng) < 0.2 || f == 0)
				push_lut(rng, batch.ops, np.bits);
			push_params(batch.ops, p);
			// the clock read now and then: TIME's bits through the read path
			batch.ops.push_back({false, DSR_REG_TIME_LO, 0, true});
			batch.ops.push_back({false, DSR_REG_TIME_HI, 0, true});
			// a new geometry must be active before its first pixel; other changes
			// may land in either frame and the mirror says which
			batch.hold_feeder = !prev_short &&
					    (f == 0 || np.w != pl.w || np.h != pl.h || u(rng) < 0.5);
			b.batches.push_back(batch);
			if (batch.hold_feeder && b.hold_frame < 0)
				b.hold_frame = (int)f;
			pl = np;
		}
		if (pl.mode == DSR_MODE_CAPTURE || scene.size() != (size_t)pl.w * pl.h)
			scene = random_image(rng, pl.w, pl.h, pl.bits, (int)(rng() % 3), nullptr);
		std::vector<uint16_t> im = pl.mode == DSR_MODE_CAPTURE ? scene :
			random_image(rng, pl.w, pl.h, pl.bits, 1, u(rng) < 0.7 ? &scene : nullptr);
		double r = u(rng);
		int defect = r < 0.04 ? 1 : r < 0.08 ? 2 : r < 0.11 ? 3 : 0;
		if (f + 1 == frames && defect == 1)
			defect = 0;	// the last frame must end by itself
		push_frame(b, (int)f, im, pl.w, pl.h, defect);
		prev_short = defect == 1 && (size_t)pl.w * pl.h > 1;
		// keep the queues short: run while a few frames are queued
		while (b.beats.size() > 4 * (size_t)max_w * max_h && !interrupted)
			b.cycle();
	}
	run_until_drained(b, 2000000);
}

// ------------------------------------------------------------------ directed register tests

// Queue @ops and run until they and everything before them are done.
static void run_ops(Bench &b, const std::vector<RegOp> &ops)
{
	for (auto &op : ops)
		b.ops.push_back(op);
	run_until_drained(b, 200000);
}

// A full LUT upload of @table (every entry of the board's LUT).
static void push_table(std::vector<RegOp> &ops, const std::vector<uint16_t> &table)
{
	ops.push_back({true, DSR_REG_LUT_ADDR, 0, false});
	for (uint16_t e : table)
		ops.push_back({true, DSR_REG_LUT_DATA, e, false});
}

// Read @addr and compare with the mirror; also assert the mirror's own value is @want
// (the documented outcome), so a mirror that copied an RTL bug cannot hide it.
static void expect_reg(Bench &b, uint32_t addr, uint32_t want, const char *what)
{
	bool known;
	BoardMirror probe = b.board;	// what a read now returns, without side effects
	uint32_t v = probe.reg_read(addr, b.sim.now, &known);
	if (v != want) {
		char m[160];
		snprintf(m, sizeof(m), "directed %s: the documented value is 0x%x, the mirror says 0x%x",
			 what, want, v);
		b.fail_msg(m);
	}
	run_ops(b, {{false, addr, 0, true}});
}

// GAIN and MIDGREY are checked over all 32 written bits (MIDGREY also against
// 2^PIXEL_BITS), H31 and H32 against DSR_H_PERSP_MAX: out of range is refused.
static void directed_gain_midgrey(Bench &b, const struct dsr_params &good)
{
	uint32_t errors0 = b.board.param_errors;
	const uint32_t bad[][2] = {
		{DSR_REG_GAIN, 0x10000},		// reads back 0 if only 16 bits are kept
		{DSR_REG_GAIN, 0x80000100},
		{DSR_REG_MIDGREY, 0x10000 | (1u << (good.pixel_bits - 1))},
		{DSR_REG_MIDGREY, 0xffff0000u},
		{DSR_REG_MIDGREY, 1u << good.pixel_bits},	// fits 16 bits, not PIXEL_BITS
		{DSR_REG_H31, (uint32_t)DSR_H_PERSP_MAX + 1},
		{DSR_REG_H32, (uint32_t)-(int32_t)(DSR_H_PERSP_MAX + 1)},
		{DSR_REG_H31, 0x80000000u},
	};
	for (auto &r : bad) {
		std::vector<RegOp> ops;
		push_params(ops, good);
		ops.back() = {true, r[0], r[1], false};	// the bad value instead of the commit
		ops.push_back({false, r[0], 0, true});
		ops.push_back({true, DSR_REG_CTRL, DSR_CTRL_COMMIT, false});
		run_ops(b, ops);
		expect_reg(b, r[0], r[1], "GAIN/MIDGREY/H31/H32 read back all 32 bits");
		expect_reg(b, DSR_REG_ERROR, DSR_ERR_BAD_PARAMS,
			   "a wide GAIN/MIDGREY or a perspective beyond the range is refused");
		run_ops(b, {{true, DSR_REG_ERROR, DSR_ERR_BAD_PARAMS, false}});
	}
	if (b.board.param_errors != errors0 + 8)
		b.fail_msg("directed GAIN/MIDGREY: not every wide value counted in PARAM_ERRORS");
	std::vector<RegOp> ops;
	push_params(ops, good);
	run_ops(b, ops);
}

// LUT_ADDR outside the LUT and LUT_DATA past the last entry are refused with an error.
static void directed_lut_range(Bench &b)
{
	const uint32_t n = 1u << TB_PIXEL_BITS_MAX;
	run_ops(b, {{true, DSR_REG_LUT_ADDR, 5, false}, {true, DSR_REG_LUT_ADDR, n, false}});
	expect_reg(b, DSR_REG_LUT_ADDR, 5, "LUT_ADDR beyond the LUT leaves the index");
	expect_reg(b, DSR_REG_ERROR, DSR_ERR_LUT_RANGE, "LUT_ADDR beyond the LUT");
	run_ops(b, {{true, DSR_REG_ERROR, DSR_ERR_LUT_RANGE, false},
		    {true, DSR_REG_LUT_ADDR, 0x80000000u, false}});
	expect_reg(b, DSR_REG_ERROR, DSR_ERR_LUT_RANGE, "LUT_ADDR bit 31");
	run_ops(b, {{true, DSR_REG_ERROR, DSR_ERR_LUT_RANGE, false},
		    {true, DSR_REG_LUT_ADDR, n - 1, false}, {true, DSR_REG_LUT_DATA, 0x123, false}});
	expect_reg(b, DSR_REG_ERROR, 0, "the last LUT entry is inside the LUT");
	expect_reg(b, DSR_REG_LUT_ADDR, n, "LUT_ADDR one past the end after the last entry");
	run_ops(b, {{true, DSR_REG_LUT_DATA, 0x456, false}});
	expect_reg(b, DSR_REG_ERROR, DSR_ERR_LUT_RANGE, "LUT_DATA write past the end");
	expect_reg(b, DSR_REG_LUT_ADDR, n, "a refused LUT_DATA access does not step");
	run_ops(b, {{true, DSR_REG_ERROR, DSR_ERR_LUT_RANGE, false},
		    {true, DSR_REG_LUT_ADDR, n - 1, false}});
	expect_reg(b, DSR_REG_LUT_DATA, 0x123, "the last entry kept, not overwritten by a wrap");
	expect_reg(b, DSR_REG_LUT_DATA, 0, "LUT_DATA read past the end");
	expect_reg(b, DSR_REG_ERROR, DSR_ERR_LUT_RANGE, "LUT_DATA read past the end");
	run_ops(b, {{true, DSR_REG_ERROR, DSR_ERR_LUT_RANGE, false}});
}

// LUT commit: a LUT written after a commit never reaches the frames of that commit, a
// commit takes the LUT written before it, and a commit with no LUT write keeps the LUT.
static void directed_lut_commit(Bench &b)
{
	const uint32_t w = 48, h = 40, bits = 12, n = 1u << TB_PIXEL_BITS_MAX;
	Plan pl{w, h, bits, DSR_MODE_CAPTURE};
	struct dsr_params cap = random_params(b.rng, pl);
	struct dsr_params warp = cap, warp2 = cap;
	warp.mode = warp2.mode = DSR_MODE_WARP;
	warp2.tx += 3 << DSR_T_FRAC_BITS;	// affine only
	std::vector<uint16_t> lut_a(n), lut_b(n);
	for (uint32_t i = 0; i < n; i++) {
		lut_a[i] = (uint16_t)((4095 - (i & 4095)) ^ (i >> 12));
		lut_b[i] = (uint16_t)(((i & 4095) * 7 + 11) & 4095);
	}
	unsigned base = b.board.frames_started;
	std::vector<RegOp> ops;
	push_params(ops, cap);
	run_ops(b, ops);
	ops.clear();
	push_table(ops, lut_a);				// written, not yet committed
	run_ops(b, ops);

	// F0 capture; mid-F0 the commit of WARP (takes LUT A), at once LUT B written: it
	// must wait, F1 meets A; B is committed during F1 (F2 held until then), F2 meets B;
	// an affine-only commit before F3 keeps B
	const int f0 = 2000000;
	b.p_valid = 0.5;
	b.p_ready = 0.7;
	RegBatch x{f0, 200, false, -1, {}};
	push_params(x.ops, warp);
	push_table(x.ops, lut_b);
	RegBatch y{f0 + 1, 0, true, f0 + 2, {}};
	push_params(y.ops, warp);
	RegBatch z{f0 + 2, 0, true, f0 + 3, {}};
	push_params(z.ops, warp2);
	b.batches.push_back(x);
	b.batches.push_back(y);
	b.batches.push_back(z);
	std::vector<uint16_t> scene = random_image(b.rng, w, h, bits, 1, nullptr);
	for (int f = 0; f < 4; f++)
		push_frame(b, f0 + f, f ? random_image(b.rng, w, h, bits, 1, &scene) : scene, w, h, 0);
	if (b.hold_frame < 0)
		b.hold_frame = b.next_hold();

	const std::vector<uint16_t> *want[4] = {nullptr, &lut_a, &lut_b, &lut_b};
	unsigned seen = 0;
	b.on_frame = [&](const ExpectedFrame &e, const std::vector<uint16_t> &) {
		if (e.index < base || e.index >= base + 4)
			return;
		unsigned k = e.index - base;
		seen++;
		if (!want[k])
			return;
		bool same = e.lut && std::equal(want[k]->begin(), want[k]->begin() + (1u << bits),
						e.lut->begin());
		if (!same) {
			char m[96];
			snprintf(m, sizeof(m), "directed LUT commit: frame F%u does not meet LUT %c",
				 k, want[k] == &lut_a ? 'A' : 'B');
			b.fail_msg(m);
		}
	};
	run_until_drained(b, 400000);
	b.on_frame = nullptr;
	if (seen != 4)
		b.fail_msg("directed LUT commit: not all four frames came out");
	b.p_valid = b.p_ready = 1.0;
}

// Parameters for a directed test: @mode, w x h, 12 bits, identity transform, gain 1.0.
static struct dsr_params plain_params(uint32_t mode, uint32_t w, uint32_t h)
{
	struct dsr_params p{};
	p.mode = mode;
	p.width = w;
	p.height = h;
	p.pixel_bits = 12;
	p.a11 = p.a22 = 1 << DSR_A_FRAC_BITS;
	p.gain = 1 << DSR_GAIN_FRAC_BITS;
	p.midgrey = 2048;
	return p;
}

// A rotation by @deg degrees about the centre of a w x h frame.
static struct dsr_affine rotation_about_centre(double deg, uint32_t w, uint32_t h)
{
	struct dsr_affine a{};
	const double th = deg * 3.14159265358979 / 180;
	const double cx = (w - 1) / 2.0, cy = (h - 1) / 2.0;
	a.a11 = a.a22 = std::cos(th);
	a.a12 = -std::sin(th);
	a.a21 = std::sin(th);
	a.tx = cx - (a.a11 * cx + a.a12 * cy);
	a.ty = cy - (a.a21 * cx + a.a22 * cy);
	return a;
}

// Commit @p and wait until it is done (no frame in flight, so it activates with the next).
static void commit_now(Bench &b, const struct dsr_params &p)
{
	std::vector<RegOp> ops;
	push_params(ops, p);
	run_ops(b, ops);
}

// Capture a random w x h scene as frame @id (run until it is out) and return it: the
// reference of a directed test's subtractions.
static std::vector<uint16_t> capture_scene(Bench &b, uint32_t w, uint32_t h, int id)
{
	commit_now(b, plain_params(DSR_MODE_CAPTURE, w, h));
	std::vector<uint16_t> scene = random_image(b.rng, w, h, 12, 2, nullptr);
	push_frame(b, id, scene, w, h, 0);
	run_until_drained(b, 400000);
	return scene;
}

// The LUT-write hold-off after a swap, under long back-pressure: F0 (table A) is deep in
// the pipeline when F1 starts with table B; an upload of table C queued at once must wait
// until F1's first pixel has reached the LUT, else F0's last pixels meet C. WARP frames
// without a reference read lut[0] for every pixel, so entry 0 shows which table they met.
static void directed_lut_hold(Bench &b)
{
	const uint32_t w = 16, h = 16, n = 1u << TB_PIXEL_BITS_MAX;
	struct dsr_params p = plain_params(DSR_MODE_WARP, w, h);
	std::vector<uint16_t> a(n, 100), bt(n, 200), c(n, 300);
	std::vector<RegOp> ops;
	push_table(ops, a);
	run_ops(b, ops);
	commit_now(b, p);			// nothing in flight: A active at once
	ops.clear();
	push_table(ops, bt);			// B into the shadow bank, not yet committed
	run_ops(b, ops);
	unsigned held0 = b.hold_offs;
	const int f0 = 3000000;
	RegBatch x{f0, 0, true, f0 + 1, {}};	// mid-F0: commit B; F1 waits for it
	push_params(x.ops, p);
	RegBatch y{f0 + 1, 1, false, -1, {}};	// right after F1 started: table C
	push_table(y.ops, c);
	b.batches.push_back(x);
	b.batches.push_back(y);
	for (int f = 0; f < 2; f++)
		push_frame(b, f0 + f, random_image(b.rng, w, h, 12, 1, nullptr), w, h, 0);
	if (b.hold_frame < 0)
		b.hold_frame = b.next_hold();
	b.p_ready = 0.03;
	run_until_drained(b, 400000);
	b.p_ready = 1.0;
	commit_now(b, p);	// C active for what follows
	if (b.hold_offs == held0)
		b.fail_msg("directed lut-hold: no LUT write was held off (the case was not reached)");
}

// A size change without a capture: the reference of the old size is not used, by width
// or by height alone (frames carry NO_REFERENCE), and the same size again uses it.
static void directed_size_change(Bench &b)
{
	const uint32_t w = 24, h = 20;
	const uint32_t sizes[][2] = {{w, h}, {w, h - 4}, {w - 4, h}, {w, h}};
	commit_now(b, plain_params(DSR_MODE_CAPTURE, w, h));
	push_frame(b, 4000000, random_image(b.rng, w, h, 12, 1, nullptr), w, h, 0);
	run_until_drained(b, 200000);
	unsigned seen = 0;
	for (unsigned k = 0; k < 4; k++) {
		uint32_t sw = sizes[k][0], sh = sizes[k][1];
		bool want_noref = sw != w || sh != h;
		commit_now(b, plain_params(DSR_MODE_SUBTRACT, sw, sh));
		b.on_frame = [&](const ExpectedFrame &e, const std::vector<uint16_t> &) {
			seen++;
			if (!!(e.flags & DSR_FLAG_NO_REFERENCE) != want_noref)
				b.fail_msg("directed size-change: the mirror's NO_REFERENCE is not the documented one");
		};
		push_frame(b, 4000001 + (int)k, random_image(b.rng, sw, sh, 12, 1, nullptr), sw, sh, 0);
		run_until_drained(b, 200000);
		b.on_frame = nullptr;
	}
	if (seen != 4)
		b.fail_msg("directed size-change: not all frames came out");
}

// The frame context FIFO at full: many 1x1 frames against a nearly stopped output.
static void directed_ctx_full(Bench &b)
{
	commit_now(b, plain_params(DSR_MODE_PASS, 1, 1));
	unsigned base = b.passed;
	for (int f = 0; f < 40; f++)
		push_frame(b, 5000000 + f, random_image(b.rng, 1, 1, 12, 1, nullptr), 1, 1, 0);
	b.p_ready = 0.02;
	run_until_drained(b, 400000);
	b.p_ready = 1.0;
	if (b.passed - base != 40)
		b.fail_msg("directed ctx-full: not all 40 tiny frames came out right");
}

// Every ERROR bit raised, then cleared one at a time (write 1 to clear, others stay);
// CLEAR_COUNTERS zeroes the four counters.
static void directed_w1c(Bench &b)
{
	const uint32_t n = 1u << TB_PIXEL_BITS_MAX;
	run_ops(b, {{true, DSR_REG_ERROR, 0xffffffffu, false}});
	commit_now(b, plain_params(DSR_MODE_PASS, 8, 4));
	for (int i = 0; i < 3; i++)			// stray pixels: long frame
		b.beats.push_back({(uint16_t)b.rng(), false, false, -1, 0});
	push_frame(b, 6000000, random_image(b.rng, 8, 4, 12, 1, nullptr), 8, 4, 1);	// short
	push_frame(b, 6000001, random_image(b.rng, 8, 4, 12, 1, nullptr), 8, 4, 3);	// line
	push_frame(b, 6000002, random_image(b.rng, 8, 4, 12, 1, nullptr), 8, 4, 0);
	run_until_drained(b, 200000);
	struct dsr_params bad = plain_params(DSR_MODE_PASS, 0, 4);	// refused
	commit_now(b, bad);
	run_ops(b, {{true, DSR_REG_LUT_ADDR, n, false}});		// LUT_RANGE
	const uint32_t bits[] = {DSR_ERR_SHORT_FRAME, DSR_ERR_LONG_FRAME, DSR_ERR_LINE_LENGTH,
				 DSR_ERR_BAD_PARAMS, DSR_ERR_LUT_RANGE};
	uint32_t all = 0;
	for (uint32_t e : bits)
		all |= e;
	expect_reg(b, DSR_REG_ERROR, all, "w1c: every error bit raised");
	for (uint32_t e : bits) {
		run_ops(b, {{true, DSR_REG_ERROR, e, false}});
		all &= ~e;
		expect_reg(b, DSR_REG_ERROR, all, "w1c: one bit cleared, the others kept");
	}
	commit_now(b, plain_params(DSR_MODE_PASS, 8, 4));
	if (b.board.frames_in == 0 || b.board.bad_frames == 0 || b.board.param_errors == 0)
		b.fail_msg("directed clear-counters: counters were zero before the clear");
	run_ops(b, {{true, DSR_REG_CTRL, DSR_CTRL_CLEAR_COUNTERS, false}});
	expect_reg(b, DSR_REG_FRAMES_IN, 0, "clear-counters: FRAMES_IN");
	expect_reg(b, DSR_REG_FRAMES_OUT, 0, "clear-counters: FRAMES_OUT");
	expect_reg(b, DSR_REG_BAD_FRAMES, 0, "clear-counters: BAD_FRAMES");
	expect_reg(b, DSR_REG_PARAM_ERRORS, 0, "clear-counters: PARAM_ERRORS");
}

// A commit taking effect in the same cycle as a frame start (accepted the cycle before:
// dsr_regs' write stage): that frame keeps the old set,
// the following frame start activates the commit (the mirror, the header generation and
// the frame's geometry say so).
static void directed_commit_at_sof(Bench &b)
{
	commit_now(b, plain_params(DSR_MODE_PASS, 8, 4));
	std::vector<RegOp> ops;
	push_params(ops, plain_params(DSR_MODE_PASS, 8, 6));
	ops.pop_back();				// everything but the commit
	run_ops(b, ops);
	unsigned base = b.passed;
	b.p_valid = b.p_ready = 1.0;
	b.ops.push_back({true, DSR_REG_CTRL, DSR_CTRL_COMMIT, false});
	b.cycle();				// accepted now, takes effect with the s_sof
	push_frame(b, 7000000, random_image(b.rng, 8, 4, 12, 1, nullptr), 8, 4, 0);
	push_frame(b, 7000001, random_image(b.rng, 8, 6, 12, 1, nullptr), 8, 6, 0);
	run_until_drained(b, 200000);
	if (b.passed - base != 2)
		b.fail_msg("directed commit-at-sof: the two frames did not come out right");
}

// A frame start offered d = 0 .. 7 cycles after a commit was put on the bus (the pipeline
// idle each time), so one of them is offered in the cycle right after the commit's edge:
// that one waits exactly one cycle (dsr_regs' nxt_stable, dsr_top's sof_hold) and then
// starts with the new set; the others start at once, before or after the commit's edge.
// The geometry stays, so only the commit's timing differs between frames; the mirror checks
// each header's GENERATION against the start the RTL took.
static void directed_start_after_commit(Bench &b)
{
	const uint32_t w = 8, h = 4;
	commit_now(b, plain_params(DSR_MODE_PASS, w, h));
	unsigned base = b.passed, held0 = b.sof_held_after_commit, taken0 = b.sof_taken_after_hold;
	b.p_valid = b.p_ready = 1.0;
	for (int d = 0; d < 8; d++) {
		std::vector<RegOp> ops;
		push_params(ops, plain_params(DSR_MODE_PASS, w, h));
		ops.pop_back();				// everything but the commit
		run_ops(b, ops);
		b.ops.push_back({true, DSR_REG_CTRL, DSR_CTRL_COMMIT, false});
		for (int i = 0; i < d; i++)
			b.cycle();
		push_frame(b, 7100000 + d, random_image(b.rng, w, h, 12, 1, nullptr), w, h, 0);
		run_until_drained(b, 200000);
	}
	if (b.passed - base != 8)
		b.fail_msg("directed start-after-commit: not all eight frames came out right");
	if (b.sof_held_after_commit - held0 != 1 || b.sof_taken_after_hold - taken0 != 1)
		b.fail_msg(("directed start-after-commit: " +
			    std::to_string(b.sof_held_after_commit - held0) +
			    " frame start(s) offered in the cycle after the commit's edge, " +
			    std::to_string(b.sof_taken_after_hold - taken0) +
			    " taken one cycle later (want 1 and 1; the last taken " +
			    std::to_string(b.sof_hold_cycles) + " cycles after the edge)").c_str());
}

// A LUT committed while a frame is in flight, and no frame after it: once the pipeline has
// run empty the committed bank becomes active without a frame start (the shadow bank is
// free for the next upload at once), and the next frame meets it.
static void directed_idle_swap(Bench &b)
{
	const uint32_t w = 16, h = 8, n = 1u << TB_PIXEL_BITS_MAX;
	struct dsr_params p = plain_params(DSR_MODE_WARP, w, h);
	std::vector<uint16_t> d(n, 777);
	std::vector<RegOp> ops;
	push_table(ops, d);			// D into the shadow bank
	run_ops(b, ops);
	RegBatch x{8000000, 0, false, -1, {}};	// commit D while the frame is in flight
	push_params(x.ops, p);
	b.batches.push_back(x);
	push_frame(b, 8000000, random_image(b.rng, w, h, 12, 1, nullptr), w, h, 0);
	b.p_ready = 0.2;
	run_until_drained(b, 200000);
	b.p_ready = 1.0;
	for (int i = 0; i < 50; i++)		// the pipeline runs empty
		b.cycle();
	bool met = false;
	b.on_frame = [&](const ExpectedFrame &e, const std::vector<uint16_t> &) {
		met = e.lut && (*e.lut)[0] == 777;
	};
	push_frame(b, 8000001, random_image(b.rng, w, h, 12, 1, nullptr), w, h, 0);
	run_until_drained(b, 200000);
	b.on_frame = nullptr;
	if (!met)
		b.fail_msg("directed idle-swap: the next frame did not meet the committed LUT");
}

// The pipeline's reset with nothing in flight (the bench drained): the mirror starts anew.
static void reset_dut(Bench &b)
{
	// as at power-up (Sim's constructor): the reset seen at a clock edge, then the inputs
	// settled with the clock low and the board's TIME restarted
	Vdsr_top *t = b.sim.top.get();
	t->rst = 1;
	t->s_valid = 0;
	t->reg_valid = 0;
	t->m_ready = 0;
	t->eval();
	for (int i = 0; i < 8; i++)
		b.sim.step();
	t->rst = 0;
	t->eval();
	b.sim.now = 0;
	b.sink = Sink{};
	b.sent_frame = -1;
	b.sent_pixel = 0;
	b.board = BoardMirror(TB_MAX_WIDTH, TB_MAX_HEIGHT, TB_PIXEL_BITS_MAX);
}

// A reset leaves both LUT banks unwritten: until the first upload and commit, frames read
// the reference through the identity LUT (dsr_lut's bypass, from the frame table's identity
// bit), which the random run never meets (it uploads a table before its first frame).
// After a reset with nothing in flight: a capture, then a rotated subtraction and a warp
// with no upload, bit-exact.
static void directed_identity_lut(Bench &b)
{
	const uint32_t w = 40, h = 24;
	unsigned base = b.passed;
	run_until_drained(b, 200000);
	reset_dut(b);
	commit_now(b, plain_params(DSR_MODE_CAPTURE, w, h));
	std::vector<uint16_t> scene = random_image(b.rng, w, h, 12, 2, nullptr);
	push_frame(b, 9400000, scene, w, h, 0);
	run_until_drained(b, 200000);
	const uint32_t modes[] = {DSR_MODE_SUBTRACT, DSR_MODE_WARP};
	for (int k = 0; k < 2; k++) {
		struct dsr_params p = plain_params(modes[k], w, h);
		struct dsr_affine a = rotation_about_centre(k ? -5 : 7, w, h);
		dsr_params_set_affine(&p, &a);
		commit_now(b, p);
		push_frame(b, 9400001 + k, random_image(b.rng, w, h, 12, 1, &scene), w, h, 0);
		run_until_drained(b, 200000);
	}
	if (b.board.any_lut_loaded())
		b.fail_msg("directed identity-lut: a LUT bank was loaded (the identity LUT was not met)");
	if (b.passed - base != 3)
		b.fail_msg("directed identity-lut: the three frames did not come out right");
}

#ifdef TB_DRAM
// Assert the pipeline reset once @fi has sent @after pixels, and start the bench over
// from the reset state: nothing queued, the mirror as after power-up. The DRAM
// controller is not reset and may still owe reads.
static void reset_mid_frame(Bench &b, int fi, uint32_t after)
{
	uint64_t moves = b.moves, last_move = b.sim.cycle;
	while (!interrupted && !b.beats.empty() && !(b.sent_frame == fi && b.sent_pixel >= after)) {
		b.cycle();
		if (b.moves != moves) {
			moves = b.moves;
			last_move = b.sim.cycle;
		} else if (b.sim.cycle - last_move > 200000) {
			b.fail_msg("directed reset-owed: no progress before the reset");
			break;
		}
	}
	Vdsr_top *t = b.sim.top.get();
	t->rst = 1;
	t->s_valid = 0;
	t->reg_valid = 0;
	t->m_ready = 0;
	for (int i = 0; i < 8; i++)
		b.sim.step();
	t->rst = 0;
	b.beats.clear();
	b.batches.clear();
	b.ops.clear();
	b.reads.clear();
	b.reads_known.clear();
	b.rd_pipe.clear();
	b.sink = Sink{};
	b.sent_frame = -1;
	b.sent_pixel = 0;
	b.hold_frame = -1;
	b.board = BoardMirror(TB_MAX_WIDTH, TB_MAX_HEIGHT, TB_PIXEL_BITS_MAX);
}

// A pipeline reset while the DRAM controller still owes reads of the reference cache:
// dsr_mem_bridge drops the responses to reads sent before it, so later fills line up.
// A rotated subtraction (the prefetcher a window ahead, reads in flight) is cut by a
// reset at three points; after each a new scene is captured (no reads: the late
// responses arrive meanwhile) and finally subtracted against. A stale response left in
// the response FIFO would land in that frame's first fill: wrong pixels.
static void directed_reset_owed(Bench &b)
{
	const uint32_t w = 256, h = 64;
	const uint32_t cut[] = {700, 5000, 12000};
	unsigned base = b.passed;
	b.p_valid = b.p_ready = 1.0;
	std::vector<uint16_t> scene;
	struct dsr_params sub = plain_params(DSR_MODE_SUBTRACT, w, h);
	struct dsr_affine a = rotation_about_centre(8, w, h);
	dsr_params_set_affine(&sub, &a);
	for (int k = 0; k <= 3; k++) {
		commit_now(b, plain_params(DSR_MODE_CAPTURE, w, h));
		scene = random_image(b.rng, w, h, 12, 2, nullptr);
		push_frame(b, 9300000 + 2 * k, scene, w, h, 0);
		run_until_drained(b, 200000);
		commit_now(b, sub);
		push_frame(b, 9300001 + 2 * k, random_image(b.rng, w, h, 12, 1, &scene), w, h, 0);
		if (k < 3)
			reset_mid_frame(b, 9300001 + 2 * k, cut[k]);
		else
			run_until_drained(b, 400000);
	}
	if (b.passed - base != 5)
		b.fail_msg("directed reset-owed: the frames after the resets did not come out right");
}

// A fill right after the done of its slot's last reader: the prefetcher's last-reader
// block RAM is read in the cycle that reader's done is written, so the fill's wait comes
// through the write bypass (dsr_ref_prefetch lr_byp; its assertions check every wait).
// v = 16 x + y / 16: each pixel reads the tile rows four below the last pixel's, the same
// cache slots (2^REF_CACHE_NYB = 4 tile rows a column), so every pixel's first fill
// replaces the tiles the pixel before it read. make -C tests/hdl dram-slow checks that
// dsr_ref_prefetch counted such fills.
static void directed_last_bypass(Bench &b)
{
	const uint32_t w = 16, h = 256;
	unsigned base = b.passed;
	std::vector<uint16_t> scene = capture_scene(b, w, h, 9400000);
	struct dsr_params p = plain_params(DSR_MODE_SUBTRACT, w, h);
	struct dsr_affine a{};
	a.a11 = 0.125;
	a.a12 = 0.03;
	a.a21 = 16.0;
	a.a22 = 1.0 / 16;
	dsr_params_set_affine(&p, &a);
	commit_now(b, p);
	push_frame(b, 9400001, random_image(b.rng, w, h, 12, 1, &scene), w, h, 0);
	run_until_drained(b, 800000);
	if (b.passed - base != 2)
		b.fail_msg("directed last-bypass: the two frames did not come out right");
}
#endif

// Named directed tests (+test=NAME[,NAME...]; make -C tests/hdl test-NAME).
// Every bit of every shadow register and of the register address both ways: all ones,
// then zeros, each read back (the mirror knows what a read returns); a commit of the
// all-ones set is refused. The register file's toggle coverage needs it: random
// parameters stay in range, so the high bits of MODE, WIDTH, PIXEL_BITS, GAIN... never move.
static void directed_reg_toggle(Bench &b)
{
	static const uint32_t shadow[] = {DSR_REG_MODE, DSR_REG_WIDTH, DSR_REG_HEIGHT,
		DSR_REG_PIXEL_BITS, DSR_REG_A11, DSR_REG_A12, DSR_REG_A21, DSR_REG_A22, DSR_REG_TX,
		DSR_REG_TY, DSR_REG_GAIN, DSR_REG_MIDGREY, DSR_REG_H31, DSR_REG_H32};
	for (uint32_t v : {0xffffffffu, 0u, 0xffffffffu}) {
		std::vector<RegOp> ops;
		for (uint32_t a : shadow) {
			ops.push_back({true, a, v, false});
			ops.push_back({false, a, 0, true});
		}
		run_ops(b, ops);
	}
	run_ops(b, {{true, DSR_REG_CTRL, DSR_CTRL_COMMIT, false},	// refused: out of range
		    {false, DSR_REG_PARAM_ERRORS, 0, true},
		    {false, 0xffc, 0, true}, {false, 0x000, 0, true},	// unknown address reads 0
		    {false, DSR_REG_ID | 3, 0, true}});	// so does an unaligned one (address bits 0, 1)
	run_until_drained(b, 100000);
	commit_now(b, plain_params(DSR_MODE_PASS, 8, 4));
	push_frame(b, 7000000, random_image(b.rng, 8, 4, 12, 1, nullptr), 8, 4, 0);
	run_until_drained(b, 200000);
}

// The build's largest frames and their neighbours: a W x H capture, a (W-1) x (H-1)
// capture and a subtraction against it, so every bit of the width, height, pixel count
// and payload length is set and cleared (the random run seldom draws frames above 128
// lines). Each with the perspective terms at their limits (H31, H32 = +-DSR_H_PERSP_MAX,
// signs differing per frame): the denominator reaches both ends of its range in this
// build at the far corners (toggle coverage of the reciprocal datapath).
static void directed_max_size(Bench &b)
{
	const uint32_t w1 = max_w > 1 ? max_w - 1 : 1, h1 = max_h > 1 ? max_h - 1 : 1;
	const struct {
		uint32_t mode, w, h;
		int32_t h31, h32;
	} frames[] = {{DSR_MODE_CAPTURE, max_w, max_h, DSR_H_PERSP_MAX, DSR_H_PERSP_MAX},
		      {DSR_MODE_CAPTURE, w1, h1, -DSR_H_PERSP_MAX, -DSR_H_PERSP_MAX},
		      {DSR_MODE_SUBTRACT, w1, h1, DSR_H_PERSP_MAX, -DSR_H_PERSP_MAX}};
	unsigned base = b.passed;
	std::vector<uint16_t> scene;
	for (const auto &f : frames) {
		struct dsr_params p = plain_params(f.mode, f.w, f.h);
		p.h31 = f.h31;
		p.h32 = f.h32;
		commit_now(b, p);
		if (f.mode == DSR_MODE_CAPTURE)
			scene = random_image(b.rng, f.w, f.h, 12, 2, nullptr);
		push_frame(b, 9000000 + (int)(&f - frames), f.mode == DSR_MODE_CAPTURE ? scene :
			   random_image(b.rng, f.w, f.h, 12, 1, &scene), f.w, f.h, 0);
		run_until_drained(b, 4000000);
	}
	if (b.passed - base != 3)
		b.fail_msg("directed max-size: the three largest frames did not come out right");
}

// Transforms outside the random run's range: a 180-degree turn (A11 = A22 = -1, the sign
// bits of the coefficients and of the generator's products) and a 2.5x zoom (A11 = A22
// = 2.5: bit 25 of Q8.24), each subtracted against a capture; the pixels against the model.
static void directed_flip_zoom(Bench &b)
{
	const uint32_t w = 32, h = 24;
	unsigned base = b.passed;
	std::vector<uint16_t> scene = capture_scene(b, w, h, 9100000);
	const double scale[] = {-1.0, 2.5};
	for (int k = 0; k < 2; k++) {
		struct dsr_params p = plain_params(DSR_MODE_SUBTRACT, w, h);
		struct dsr_affine a{};
		a.a11 = a.a22 = scale[k];
		a.tx = (w - 1) / 2.0 * (1 - scale[k]);
		a.ty = (h - 1) / 2.0 * (1 - scale[k]);
		dsr_params_set_affine(&p, &a);
		commit_now(b, p);
		push_frame(b, 9100001 + k, random_image(b.rng, w, h, 12, 1, &scene), w, h, 0);
		run_until_drained(b, 200000);
	}
	if (b.passed - base != 3)
		b.fail_msg("directed flip-zoom: the three frames did not come out right");
}

// LUT words are 16 bits in every build: a table with bits 12-15 set in every entry
// uploaded into each bank in turn (upload, commit, frame, twice), read back in part and
// met by a frame without a reference (every pixel reads entry 0); the random run's
// "wild" tables reach only the bank that happens to be the shadow at the time.
static void directed_lut_wide(Bench &b)
{
	const uint32_t w = 16, h = 8, n = 1u << TB_PIXEL_BITS_MAX;
	unsigned base = b.passed;
	for (int k = 0; k < 2; k++) {
		std::vector<uint16_t> t(n);
		for (auto &e : t)
			e = (uint16_t)(b.rng() | 0xf000u);
		std::vector<RegOp> ops;
		push_table(ops, t);
		for (uint32_t i : {0u, n / 2, n - 1}) {
			ops.push_back({true, DSR_REG_LUT_ADDR, i, false});
			ops.push_back({false, DSR_REG_LUT_DATA, 0, true});
		}
		run_ops(b, ops);
		commit_now(b, plain_params(DSR_MODE_WARP, w, h));
		push_frame(b, 9300000 + k, random_image(b.rng, w, h, 12, 1, nullptr), w, h, 0);
		run_until_drained(b, 200000);
	}
	if (b.passed - base != 2)
		b.fail_msg("directed lut-wide: the two frames did not come out right");
}

// The counters past their first bits: 300 frames of 1 x 1, each after a commit (the
// generation advances at the frame start that takes a pending commit), every sixth long
// (FRAMES_IN/OUT, BAD_FRAMES, GENERATION, the sequence number), then 40 refused commits
// (PARAM_ERRORS); every counter read back against the mirror, GENERATION and FRAMES_OUT
// after every frame. Toggle coverage of the counters and the read path then reaches bit 8
// (bit 5 for the error counters) whatever the random run.
static void directed_counters(Bench &b)
{
	commit_now(b, plain_params(DSR_MODE_PASS, 1, 1));
	unsigned base = b.passed;
	uint32_t gen0 = b.board.generation();
	for (int f = 0; f < 300; f++) {
		// each value of GENERATION and FRAMES_OUT read back (their bits through the read path)
		run_ops(b, {{true, DSR_REG_CTRL, DSR_CTRL_COMMIT, false},
			    {false, DSR_REG_GENERATION, 0, true}, {false, DSR_REG_FRAMES_OUT, 0, true}});
		push_frame(b, 9200000 + f, random_image(b.rng, 1, 1, 12, 1, nullptr), 1, 1,
			   f % 6 == 5 ? 2 : 0);
		run_until_drained(b, 100000);
	}
	if (b.passed - base != 300)
		b.fail_msg("directed counters: not all 300 tiny frames came out right");
	std::vector<RegOp> ops(40, RegOp{true, DSR_REG_CTRL, DSR_CTRL_COMMIT, false});
	ops.insert(ops.begin(), RegOp{true, DSR_REG_WIDTH, 0, false});	// refused from now on
	run_ops(b, ops);
	commit_now(b, plain_params(DSR_MODE_PASS, 8, 4));
	for (uint32_t r : {DSR_REG_GENERATION, DSR_REG_FRAMES_IN, DSR_REG_FRAMES_OUT,
			   DSR_REG_BAD_FRAMES, DSR_REG_PARAM_ERRORS, DSR_REG_ERROR})
		b.ops.push_back({false, r, 0, true});
	run_until_drained(b, 1000);
	if (b.board.generation() - gen0 < 300 || b.board.frames_in < 300 ||
	    b.board.bad_frames < 32 || b.board.param_errors < 40)
		b.fail_msg(("directed counters: the mirror's counters did not get that far: generation " +
			    std::to_string(b.board.generation()) + ", frames in " +
			    std::to_string(b.board.frames_in) + ", bad " + std::to_string(b.board.bad_frames) +
			    ", refused commits " + std::to_string(b.board.param_errors)).c_str());
}

struct Directed {
	const char *name;
	void (*run)(Bench &);
	bool long_run;	// the full run includes it in the coverage build only (named: always)
};
static void directed_gain_midgrey_any(Bench &b)
{
	directed_gain_midgrey(b, random_params(b.rng, Plan{32, 24, 12, DSR_MODE_SUBTRACT}));
}
static const Directed directed_tests[] = {
	{"gain-midgrey", directed_gain_midgrey_any},
	{"lut-range", directed_lut_range},
	{"lut-commit", directed_lut_commit},
	{"lut-hold", directed_lut_hold},
	{"size-change", directed_size_change},
	{"ctx-full", directed_ctx_full},
	{"w1c", directed_w1c},
	{"commit-at-sof", directed_commit_at_sof},
	{"start-after-commit", directed_start_after_commit},
	{"idle-swap", directed_idle_swap},
	{"reg-toggle", directed_reg_toggle},
	{"max-size", directed_max_size, true},	// 3 frames of 64K pixels
	{"flip-zoom", directed_flip_zoom},
	{"lut-wide", directed_lut_wide},
	{"counters", directed_counters, true},	// 300 frames, one at a time
	{"identity-lut", directed_identity_lut},	// resets the pipeline: last
#ifdef TB_DRAM
	{"reset-owed", directed_reset_owed},
	{"last-bypass", directed_last_bypass},
#endif
};

// The register-file rules that were broken once, each forced on purpose; @only picks
// some by name (comma-separated), empty runs all.
static int directed_run(Bench &b, const std::string &only)
{
	unsigned failed0 = b.failed;
	int ran = 0;
	run_ops(b, {{true, DSR_REG_ERROR, 0xffffffffu, false}});	// earlier input errors
	for (const Directed &d : directed_tests) {
		if (!only.empty() && ("," + only + ",").find(std::string(",") + d.name + ",") == std::string::npos)
			continue;
		if (only.empty() && d.long_run && !VM_COVERAGE)
			continue;
		unsigned f0 = b.failed;
		d.run(b);
		// the clock read between tests (checked): TIME's bits through the read path
		run_ops(b, {{false, DSR_REG_TIME_LO, 0, true}, {false, DSR_REG_TIME_HI, 0, true}});
		printf("directed %s: %s\n", d.name, b.failed == f0 ? "pass" : "FAIL");
		ran++;
	}
	printf("directed: %d tests: %s\n", ran, b.failed == failed0 ? "pass" : "FAIL");
	return ran;
}

int main(int argc, char **argv)
{
	std::string v;
	uint32_t seed = (uint32_t)std::random_device{}();
	unsigned frames = 200;
	if (arg(argc, argv, "+seed", &v))
		seed = (uint32_t)strtoul(v.c_str(), NULL, 0);
	if (arg(argc, argv, "+frames", &v))
		frames = (unsigned)strtoul(v.c_str(), NULL, 0);
	bool trace = arg(argc, argv, "+trace", NULL);
	std::string only;
	bool selected = arg(argc, argv, "+test", &only);
	if (arg(argc, argv, "+maxdim", &v)) {
		uint32_t m = (uint32_t)strtoul(v.c_str(), NULL, 0);
		if (m >= 1 && m < max_w)
			max_w = m;
		if (m >= 1 && m < max_h)
			max_h = m;
	}
	signal(SIGINT, on_sigint);

	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("tb_dsr: seed %u, frames %u, build %ux%u, %u-bit LUT%s\n", seed, frames,
	       TB_MAX_WIDTH, TB_MAX_HEIGHT, TB_PIXEL_BITS_MAX, trace ? ", trace build/tb_dsr.fst" : "");
	Sim sim(argc, argv, trace, seed);
	if (arg(argc, argv, "+trace_from", &v))
		sim.trace_from = strtoull(v.c_str(), NULL, 0);
	if (arg(argc, argv, "+trace_to", &v))
		sim.trace_to = strtoull(v.c_str(), NULL, 0);
	Bench b(sim, seed);
#ifdef TB_DRAM
	if (arg(argc, argv, "+slowmem", &v))
		sim.slow_mem = strtod(v.c_str(), NULL);
	if (arg(argc, argv, "+dramclk", &v)) {
		double mhz = strtod(v.c_str(), NULL);
		if (!(mhz >= 1 && mhz <= PIPE_KHZ / 1000)) {
			fprintf(stderr, "tb_dsr: +dramclk wants the DRAM controller's clock in MHz, "
				"1..%u (the pipeline runs at %u), not '%s'\n", PIPE_KHZ / 1000,
				PIPE_KHZ / 1000, v.c_str());
			return 2;
		}
		sim.dram_khz = (unsigned)(mhz * 1000 + 0.5);
	}
	printf("tb_dsr: DRAM build (LiteDRAM SDRAMPHYModel, %.1f MHz against the pipeline's %u), "
	       "frames up to %ux%u, slow memory %.3f\n", sim.dram_khz / 1000.0, PIPE_KHZ / 1000,
	       max_w, max_h, sim.slow_mem);
#endif

	std::string stim, expect, dump;
	if (arg(argc, argv, "+replay", &stim) && arg(argc, argv, "+expect", &expect)) {
		bool d = arg(argc, argv, "+dump", &dump);
		return replay(sim, stim.c_str(), expect.c_str(), d ? dump.c_str() : nullptr,
			      arg(argc, argv, "+evalcheck", NULL));
	}

#ifdef TB_DRAM
	// +bench=W,H[,corners][;W,H...]: the DRAM bench, then one summary line over all sizes
	if (arg(argc, argv, "+bench", &v)) {
		std::vector<double> all;
		int rc = 0;
		size_t pos = 0;
		while (pos < v.size()) {
			size_t end = v.find(';', pos);
			std::string one = v.substr(pos, end == std::string::npos ? std::string::npos : end - pos);
			pos = end == std::string::npos ? v.size() : end + 1;
			unsigned w = 0, h = 0;
			if (sscanf(one.c_str(), "%u,%u", &w, &h) != 2 || !w || !h || w > TB_MAX_WIDTH ||
			    h > TB_MAX_HEIGHT) {
				fprintf(stderr, "tb_dsr: +bench wants W,H[,corners] within the build, not '%s'\n",
					one.c_str());
				return 2;
			}
			rc |= dram_bench(b, w, h, one.find("corners") != std::string::npos, &all);
		}
		std::sort(all.begin(), all.end());
		if (all.empty())
			return 2;
		printf("BENCH dram px_per_clk median=%.4f worst=%.4f\n", all[all.size() / 2], all.front());
		printf("%u passed, %u failed\n", b.passed, b.failed);
		return rc;
	}
#endif
	auto t0 = std::chrono::steady_clock::now();
	if (arg(argc, argv, "+throughput", NULL)) {	// the throughput prelude, on request
		double cpp = 0, overhead = 0;
		throughput(b, max_w, 64, 4, &cpp, &overhead);
		printf("throughput: %.4f cycles/pixel on %ux64 frames back to back, %.0f cycles overhead per frame\n",
		       cpp, max_w, overhead);
	}
	unsigned base_passed = b.passed;
	if (selected && (only.empty() || directed_run(b, only) == 0)) {
		fprintf(stderr, "tb_dsr: +test=%s names no test; tests:", only.c_str());
		for (const Directed &d : directed_tests)
			fprintf(stderr, " %s", d.name);
		fprintf(stderr, "\n");
		return 2;
	}
	if (!selected) {
		random_run(b, frames);
		directed_run(b, "");
	} else {
		frames = 0;
	}
	final_checks(b);
	auto t1 = std::chrono::steady_clock::now();
	double secs = std::chrono::duration<double>(t1 - t0).count();

	if (interrupted)
		b.fail_msg("interrupted");
	if (b.passed + b.failed < frames + base_passed)
		b.fail_msg("fewer frames compared than sent");
	printf("tb_dsr: seed %u: %" PRIu64 " pixels compared in %u frames, %" PRIu64 " cycles, "
	       "%.0f cycles/s, %.0f pixels/s\n",
	       seed, b.pixels_compared, b.passed + b.failed, sim.cycle, sim.cycle / secs,
	       b.pixels_compared / secs);
	printf("%u passed, %u failed\n", b.passed, b.failed);
	if (b.failed) {
		// the same run again, traced around the first failure
#ifdef TB_DRAM
		// the DRAM build has no trace variant
		if (selected)
			printf("reproduce: make -C tests/hdl dram-test-%s SEED=%u DRAM_SLOW=%g "
			       "DRAM_CLK=%g\n", only.c_str(), seed, sim.slow_mem,
			       sim.dram_khz / 1000.0);
		else
			printf("reproduce: make -C tests/hdl dram SEED=%u DRAM_FRAMES=%u DRAM_MAXDIM=%u "
			       "DRAM_SLOW=%g DRAM_CLK=%g\n", seed, frames, max_w, sim.slow_mem,
			       sim.dram_khz / 1000.0);
#else
		uint64_t from = b.first_fail > 20000 ? b.first_fail - 20000 : 0;
		printf("reproduce: make -C tests/hdl %s SEED=%u FRAMES=%u MAX_WIDTH=%u MAX_HEIGHT=%u "
		       "PIXEL_BITS_MAX=%u TRACE=1 TRACE_FROM=%" PRIu64 " TRACE_TO=%" PRIu64 "\n",
		       selected ? ("test-" + only).c_str() : "verilator", seed, frames, TB_MAX_WIDTH,
		       TB_MAX_HEIGHT, TB_PIXEL_BITS_MAX, from, b.first_fail + 2000);
#endif
	}
	return b.failed ? 1 : 0;
}
