/*
 * board_rtl.cc - board.h implemented on the Verilated dsr_top.
 *
 * One clock cycle: present the inputs, evaluate with the clock low so that
 * combinational ready/valid paths settle, sample the handshakes (a transfer happens on
 * the rising edge when valid and ready are both high), then raise the clock and
 * evaluate again. Two evals per cycle, no per-cycle allocation or system call.
 *
 * SIM_BOARD=core: BOARD_DRAM (its default): the model is dsr_dram_sim, the reference in DRAM
 * through LiteDRAM's generated core with its simulation PHY; its controller clock runs at
 * SIM_DRAM_KHZ against the pipeline's DSR_PIPE_CLK_KHZ (37.5: the board's sys 75 MHz bandwidth on
 * the 1:4 simulation core, sim/Makefile): a phase accumulator in kHz gives one DRAM edge
 * whenever it passes the pipeline's. The two clocks only meet in dsr_mem_bridge's async FIFOs. While the
 * controller has nothing to do (dram_idle) its clock stands: the LiteDRAM model is most
 * of the simulation's cost, and register traffic and USB gaps need none of it.
 */
#include "board.h"

#include <memory>

#include "Vdsr_top.h"
#include "verilated.h"

#include "dsr/dsr_hw.h"

#ifdef BOARD_DRAM
#ifndef SIM_DRAM_KHZ
#error "SIM_DRAM_KHZ: the DRAM core's controller clock (sim/Makefile)"
#endif
#define PIPE_KHZ ((unsigned)DSR_PIPE_CLK_KHZ)
#endif

#define REG_TIMEOUT_CYCLES 100000
#define RESET_CYCLES 8

struct board {
	std::unique_ptr<VerilatedContext> ctx;
	std::unique_ptr<Vdsr_top> top;
	uint64_t cycles;
	/* live input */
	const uint16_t *in_px;
	uint32_t in_w, in_h;
	uint64_t in_pos, in_total;
	uint64_t frames_fed, frames_ended;
	unsigned dram_phase;
	/* board_capture_*: what dsr_cmd keeps on the board top */
	uint32_t kept_mode;
	bool capturing;
};

/* The DRAM controller's clock edges that fall into the pipeline cycle just clocked. */
static inline void dram_tick(struct board *b)
{
#ifdef BOARD_DRAM
	b->dram_phase += SIM_DRAM_KHZ;
	/* the controller has nothing to do: its clock stands (only refresh pauses) */
	if (b->top->dram_idle) {
		b->dram_phase %= PIPE_KHZ;
		return;
	}
	if (b->dram_phase >= PIPE_KHZ) {
		b->dram_phase -= PIPE_KHZ;
		b->top->dram_clk = 1;
		b->top->eval();
		b->top->dram_clk = 0;
		b->top->eval();
	}
#else
	(void)b;
#endif
}

/* One clock with the inputs already set: returns after the rising edge. The caller
 * samples handshakes through the pre-edge callback's results. */
static inline void clock_low(struct board *b)
{
	b->top->clk = 0;
	b->top->eval();
}

/* Rising edge: the registers take what was set up before it. */
static inline void clock_high(struct board *b)
{
	b->top->clk = 1;
	b->top->eval();
	b->cycles++;
	dram_tick(b);
}

/* Idle the streams: nothing offered on the input, nothing accepted on the output. */
static void streams_idle(struct board *b)
{
	b->top->s_valid = 0;
	b->top->s_sof = 0;
	b->top->s_eol = 0;
	b->top->m_ready = 0;
}

/* randReset(0): the simulated board powers up with zeroed state, then reset. */
extern "C" struct board *board_new(void)
{
	struct board *b = new (std::nothrow) struct board();

	if (!b)
		return nullptr;
	b->ctx.reset(new VerilatedContext);
	b->ctx->randReset(0);
	b->top.reset(new Vdsr_top{b->ctx.get(), "dsr_top"});
#ifdef BOARD_DRAM
	b->top->dram_clk = 0;
	b->top->mem_hold = 0;
	b->top->ref_rd_slot = 0;
	b->top->ref_wr_slot = 0;
#endif
	board_reset(b);
	return b;
}

/* Run final blocks, then free the model. */
extern "C" void board_free(struct board *b)
{
	if (!b)
		return;
	b->top->final();
	delete b;
}

/* Synchronous reset for RESET_CYCLES clocks; the input forgets its frame. */
extern "C" void board_reset(struct board *b)
{
	streams_idle(b);
	b->top->reg_valid = 0;
	b->top->rst = 1;
	for (int i = 0; i < RESET_CYCLES; i++) {
		clock_low(b);
		clock_high(b);
	}
	b->top->rst = 0;
	clock_low(b);
	b->in_px = nullptr;
	b->in_pos = b->in_total = 0;
	b->capturing = false;
}

/* Present one register request and clock until it is accepted, then (for a read) until
 * the single reg_rvalid pulse, which may come in the accepting cycle or any later one. */
static int reg_access(struct board *b, int write, uint32_t addr, uint32_t wdata,
		      uint32_t *rdata)
{
	int accepted = 0;

	streams_idle(b);
	b->top->reg_valid = 1;
	b->top->reg_write = write ? 1 : 0;
	b->top->reg_addr = addr & 0xfff;
	b->top->reg_wdata = wdata;
	for (int i = 0; i < REG_TIMEOUT_CYCLES; i++) {
		clock_low(b);
		int fire = b->top->reg_valid && b->top->reg_ready;
		int got = !write && (accepted || fire) && b->top->reg_rvalid;

		if (got)
			*rdata = b->top->reg_rdata;
		clock_high(b);
		if (fire) {
			accepted = 1;
			b->top->reg_valid = 0;
		}
		if (accepted && (write || got)) {
			clock_low(b);
			return 0;
		}
	}
	b->top->reg_valid = 0;
	clock_low(b);
	return -1;
}

/* Register bus accessors used by the bridge's vendor requests. */
extern "C" int board_reg_read(struct board *b, uint32_t addr, uint32_t *value)
{
	return reg_access(b, 0, addr, 0, value);
}

extern "C" int board_reg_write(struct board *b, uint32_t addr, uint32_t value)
{
	return reg_access(b, 1, addr, value, nullptr);
}

/* The firmware's EP0 work on this boundary: the register accesses dsr_cmd makes on the
 * board top for DSR_CMD_GET_INFO, _LUT_WRITE and _CAPTURE_BEGIN / _END, from C. */
extern "C" int board_get_info(struct board *b, struct board_ident *info)
{
	return board_reg_read(b, DSR_REG_ID, &info->id) < 0 ||
	       board_reg_read(b, DSR_REG_VERSION, &info->rtl_version) < 0 ||
	       board_reg_read(b, DSR_REG_MAX_WIDTH, &info->max_width) < 0 ||
	       board_reg_read(b, DSR_REG_MAX_HEIGHT, &info->max_height) < 0 ? -1 : 0;
}

extern "C" int board_lut_write(struct board *b, uint32_t first, const uint16_t *entries,
			       uint32_t n)
{
	if (!n || n > DSR_LUT_CHUNK || board_reg_write(b, DSR_REG_LUT_ADDR, first) < 0)
		return -1;
	for (uint32_t i = 0; i < n; i++)
		if (board_reg_write(b, DSR_REG_LUT_DATA, entries[i]) < 0)
			return -1;
	return 0;
}

extern "C" int board_capture_begin(struct board *b)
{
	uint32_t mode;

	if (board_reg_read(b, DSR_REG_MODE, &mode) < 0)
		return -1;
	if (!b->capturing)
		b->kept_mode = mode;
	b->capturing = true;
	return board_reg_write(b, DSR_REG_MODE, DSR_MODE_CAPTURE) < 0 ||
	       board_reg_write(b, DSR_REG_CTRL, DSR_CTRL_COMMIT) < 0 ? -1 : 0;
}

extern "C" int board_capture_end(struct board *b)
{
	if (!b->capturing)
		return -1;
	b->capturing = false;
	return board_reg_write(b, DSR_REG_MODE, b->kept_mode) < 0 ||
	       board_reg_write(b, DSR_REG_CTRL, DSR_CTRL_COMMIT) < 0 ? -1 : 0;
}

/* Only one input frame at a time: the bridge serialises host and source frames. */
extern "C" int board_feed(struct board *b, const uint16_t *pixels, uint32_t width,
			  uint32_t height, uint32_t flags)
{
	(void)flags;	/* the bridge checked the frame; one reference slot here */
	if (board_input_busy(b) || !width || !height)
		return -1;
	b->in_px = pixels;
	b->in_w = width;
	b->in_h = height;
	b->in_pos = 0;
	b->in_total = (uint64_t)width * height;
	return 0;
}

/* Pixels of the current frame not yet accepted by the RTL. */
extern "C" int board_input_busy(const struct board *b)
{
	return b->in_pos < b->in_total;
}

/* The hot loop: one pixel offered and one word taken per clock at most. */
extern "C" uint64_t board_run(struct board *b, uint64_t cycles, struct board_out *o)
{
	Vdsr_top *top = b->top.get();
	uint64_t n;

	top->reg_valid = 0;
	for (n = 0; n < cycles; n++) {
		int in_valid = b->in_pos < b->in_total;
		int out_room = o->cap - o->len >= 2 && o->nends < BOARD_OUT_ENDS_MAX;

		if (!out_room)
			break;
		if (in_valid) {
			uint64_t x = b->in_pos % b->in_w;

			top->s_valid = 1;
			top->s_data = b->in_px[b->in_pos];
			top->s_sof = b->in_pos == 0;
			top->s_eol = x == b->in_w - 1;
		} else {
			top->s_valid = 0;
			top->s_sof = 0;
			top->s_eol = 0;
		}
		top->m_ready = 1;
		top->clk = 0;
		top->eval();
		int s_fire = in_valid && top->s_ready;
		int m_fire = top->m_valid;
		uint16_t word = top->m_data;
		int last = top->m_last;
		top->clk = 1;
		top->eval();
		b->cycles++;
		dram_tick(b);
		if (s_fire) {
			if (b->in_pos == 0)
				b->frames_fed++;
			b->in_pos++;
		}
		if (m_fire) {
			o->buf[o->len] = (uint8_t)word;
			o->buf[o->len + 1] = (uint8_t)(word >> 8);
			o->len += 2;
			if (last) {
				o->ends[o->nends++] = o->len;
				b->frames_ended++;
			}
		}
	}
	streams_idle(b);
	top->clk = 0;
	top->eval();
	return n;
}

/* Counters the bridge uses to know whether output is still coming. */
extern "C" uint64_t board_cycles(const struct board *b)
{
	return b->cycles;
}

extern "C" uint64_t board_frames_fed(const struct board *b)
{
	return b->frames_fed;
}

extern "C" uint64_t board_frames_ended(const struct board *b)
{
	return b->frames_ended;
}
