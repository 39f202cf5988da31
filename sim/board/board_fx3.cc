/*
 * board_fx3.cc - board.h on the board's FPGA as it goes on the board: the Verilated
 * dsr_board_core (FX3 slave-FIFO side, clock-domain crossings, command decoder, inbound
 * frame checker, dsr_top) behind the FX3 model of fx3_model.h (dsr-sim's default build);
 * with BOARD_FX3_DRAM (SIM_REF_DRAM=1) dsr_board_dram_sim: the same core with the
 * reference in DRAM and its double buffer, and LiteDRAM's core with its simulation PHY.
 *
 * Only the PLL, the DDR3 PHY and the I/O cells are replaced: the clocks (PCLK and
 * pipeline at dsr_hw.h's DSR_FX3_CLK_KHZ and DSR_PIPE_CLK_KHZ; DRAM controller SIM_DRAM_KHZ, 37.5 MHz: the board's sys 75 MHz
 * bandwidth on the 1:4 simulation core, sim/Makefile) are driven here, DQ is split into
 * in/out/enable. What the bridge asks of the
 * board becomes what the FX3 firmware would do: register accesses are command packets on
 * thread 1 answered on thread 3, a fed frame is a host frame (header, pixels, CRC,
 * trailer) on thread 0, output frames come back from thread 2 trimmed to their size.
 * Register accesses do not pause the streams here: the sockets are independent.
 */
#include "board.h"

#include <cstdarg>
#include <cstdio>
#include <memory>

#include "Vdsr_top.h"
#include "verilated.h"

#include "dsr/dsr_hw.h"
#include "dsr/model.h"

using Vdsr_board_core = Vdsr_top;	/* --prefix Vdsr_top on the board top */
#include "fx3_model.h"

/* the board's two clocks (dsr_hw.h), half periods in ps: 5000 and 4000 */
static const uint64_t FX3_HALF_PS = 500000000ull / DSR_FX3_CLK_KHZ;
static const uint64_t PIPE_HALF_PS = 500000000ull / DSR_PIPE_CLK_KHZ;

#ifdef BOARD_FX3_DRAM
#ifndef SIM_DRAM_KHZ
#error "SIM_DRAM_KHZ: the DRAM core's controller clock (sim/Makefile)"
#endif
/* the DRAM controller's half period, ps (13333 at 37.5 MHz) */
static const uint64_t DRAM_HALF_PS = 500000000ull / SIM_DRAM_KHZ;
#endif

#define REG_TIMEOUT_EDGES 4000000
#define RESET_EDGES 64

/* A protocol violation by the RTL: logged, counted (a bug in the RTL or the model). */
static unsigned long fx3_errors;
void fx3_model_error(const char *fmt, ...)
{
	va_list ap;

	if (fx3_errors++ >= 20)
		return;
	va_start(ap, fmt);
	fprintf(stderr, "dsr-sim fx3: ");
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

struct board {
	std::unique_ptr<VerilatedContext> ctx;
	std::unique_ptr<Vdsr_top> top;
	std::mt19937_64 rng{1};
	std::unique_ptr<Fx3> fx;
	std::unique_ptr<Host> host;
	uint64_t fx_next = 0, pipe_next = 0;	/* ps */
	bool fx_level = false, pipe_level = false;
	bool fx_low_unseen = false, pipe_low_unseen = false;
#ifdef BOARD_FX3_DRAM
	uint64_t dram_next = 900;
	bool dram_level = false;
#endif
	uint64_t cycles = 0;		/* pipeline clocks */
	uint64_t frames_fed = 0, frames_ended = 0;
	std::vector<uint8_t> out;	/* output frame being delivered */
	size_t out_pos = 0;
	uint8_t tag = 0;
};

/* The earlier of the two clocks' next edges (FX3_HALF_PS, PIPE_HALF_PS; edges that fall
 * on the same instant are one evaluation, as in the FPGA). Only rising edges do work: a
 * falling clock is set low at once and evaluated with the next edge, unless that edge is
 * its own rise (Verilator has to see a clock low before it can see it rise). That is 12
 * evaluations per 40 ns instead of 18. */
static void step(struct board *b)
{
	Vdsr_top *top = b->top.get();
#ifdef BOARD_FX3_DRAM
	/* the DRAM controller's clock (SIM_DRAM_KHZ): both edges evaluated */
	if (b->dram_next < std::min(b->fx_next, b->pipe_next)) {
		b->dram_level = !b->dram_level;
		top->dram_clk = b->dram_level;
		top->eval();
		b->dram_next += DRAM_HALF_PS;
		return;
	}
#endif
	uint64_t t = std::min(b->fx_next, b->pipe_next);
	bool fx = b->fx_next == t, pipe = b->pipe_next == t;
	bool fx_rise = fx && !b->fx_level, pipe_rise = pipe && !b->pipe_level;

	if (fx) {
		b->fx_next += FX3_HALF_PS;
		b->fx_level = !b->fx_level;
	}
	if (pipe) {
		b->pipe_next += PIPE_HALF_PS;
		b->pipe_level = !b->pipe_level;
	}
	if (fx && !fx_rise) {
		top->fx3_clk = 0;
		b->fx_low_unseen = true;
	}
	if (pipe && !pipe_rise) {
		top->pipe_clk = 0;
		b->pipe_low_unseen = true;
	}
	if (!fx_rise && !pipe_rise)
		return;
	if ((fx_rise && b->fx_low_unseen) || (pipe_rise && b->pipe_low_unseen))
		top->eval();
	Pins before(top);
	if (fx_rise)
		top->fx3_clk = 1;
	if (pipe_rise)
		top->pipe_clk = 1;
	top->eval();
	b->fx_low_unseen = b->pipe_low_unseen = false;
	if (fx_rise) {
		b->fx->clock(before, top);
		b->host->step();
	}
	if (pipe_rise)
		b->cycles++;
}

/* Power-up reset: PLL unlocked, then locked with the button released; the FX3 firmware
 * starts its GPIF once the FPGA is out of reset. */
extern "C" void board_reset(struct board *b)
{
	b->fx.reset(new Fx3(b->rng));
	b->host.reset(new Host(*b->fx, b->rng));
	b->fx->host_drain_pct = 100;
	b->host->supply_pct = 100;
	b->out.clear();
	b->out_pos = 0;
	b->top->arst = 1;
	b->top->pll_locked = 0;
	for (int i = 0; i < RESET_EDGES; i++)
		step(b);
	b->top->pll_locked = 1;
	b->top->arst = 0;
	for (int i = 0; i < RESET_EDGES; i++)
		step(b);
	b->fx->armed = true;
}

/* randReset(0): zeroed state at power-up, then the reset sequence. */
extern "C" struct board *board_new(void)
{
	struct board *b = new (std::nothrow) struct board();

	if (!b)
		return nullptr;
	b->ctx.reset(new VerilatedContext);
	b->ctx->randReset(0);
	b->top.reset(new Vdsr_top{b->ctx.get(), "dsr_board_core"});
	board_reset(b);
	return b;
}

extern "C" void board_free(struct board *b)
{
	if (!b)
		return;
	b->top->final();
	delete b;
}

/* One command packet and its response; -1 if none came or the board refused it. The
 * response's words after the header and status go to @value (up to @nvalue of them). */
static int command(struct board *b, uint32_t op, uint32_t addr, const std::vector<uint32_t> &data,
		   uint32_t count, uint32_t *value, size_t nvalue = 1)
{
	std::vector<uint32_t> w = {DSR_CMD_MAGIC << 16 | op << 8 | ++b->tag, addr, count};
	w.insert(w.end(), data.begin(), data.end());
	std::vector<uint8_t> bytes(w.size() * 4);
	memcpy(bytes.data(), w.data(), bytes.size());
	b->host->send(DSR_FX3_THREAD_CMD, bytes);
	for (int i = 0; i < REG_TIMEOUT_EDGES && b->host->responses.empty(); i++)
		step(b);
	if (b->host->responses.empty())
		return -1;
	std::vector<uint32_t> r = b->host->responses.front();
	b->host->responses.pop_front();
	if (r.size() != 2 + std::max(nvalue, (size_t)1) ||
	    r[0] != (DSR_RSP_MAGIC << 16 | op << 8 | b->tag) || r[1] != DSR_RSP_OK)
		return -1;
	if (value)
		std::copy(r.begin() + 2, r.begin() + 2 + nvalue, value);
	return 0;
}

extern "C" int board_reg_read(struct board *b, uint32_t addr, uint32_t *value)
{
	return command(b, DSR_CMD_REG_READ, addr, {}, 0, value);
}

extern "C" int board_reg_write(struct board *b, uint32_t addr, uint32_t value)
{
	return command(b, DSR_CMD_REG_WRITE, addr, {value}, 1, nullptr);
}

/* The firmware's EP0 work, each one command packet the FPGA answers (dsr_hw.h). */
extern "C" int board_get_info(struct board *b, struct board_ident *info)
{
	uint32_t v[DSR_RSP_INFO_WORDS - 2];

	if (command(b, DSR_CMD_GET_INFO, 0, {}, 0, v, DSR_RSP_INFO_WORDS - 2) < 0)
		return -1;
	info->id = v[0];
	info->rtl_version = v[1];
	info->max_width = v[2];
	info->max_height = v[3];
	return 0;
}

/* Two entries a word, low half first. */
extern "C" int board_lut_write(struct board *b, uint32_t first, const uint16_t *entries,
			       uint32_t n)
{
	if (!n || n > DSR_LUT_CHUNK)
		return -1;
	std::vector<uint32_t> words((n + 1) / 2, 0);
	for (uint32_t i = 0; i < n; i++)
		words[i / 2] |= (uint32_t)entries[i] << (16 * (i & 1));
	return command(b, DSR_CMD_LUT_WRITE, first, words, n, nullptr);
}

extern "C" int board_capture_begin(struct board *b)
{
	return command(b, DSR_CMD_CAPTURE_BEGIN, 0, {}, 0, nullptr);
}

extern "C" int board_capture_end(struct board *b)
{
	return command(b, DSR_CMD_CAPTURE_END, 0, {}, 0, nullptr);
}

/* A frame as the host sends it on bulk OUT: header (CRC in it), pixels, trailer. */
extern "C" int board_feed(struct board *b, const uint16_t *pixels, uint32_t width,
			  uint32_t height, uint32_t flags)
{
	if (board_input_busy(b) || !width || !height)
		return -1;
	struct dsr_frame_info fi = {};
	fi.width = width;
	fi.height = height;
	fi.format = DSR_FORMAT_MONO16;
	fi.pixel_bits = DSR_PIXEL_BITS_MAX;
	fi.flags = flags;
	fi.payload_length = 2 * width * height;
	std::vector<uint8_t> f(DSR_FRAME_HEADER_SIZE + fi.payload_length + DSR_FRAME_TRAILER_SIZE);
	uint8_t *p = f.data() + DSR_FRAME_HEADER_SIZE;
	for (size_t i = 0; i < (size_t)width * height; i++) {
		p[2 * i] = (uint8_t)pixels[i];
		p[2 * i + 1] = (uint8_t)(pixels[i] >> 8);
	}
	fi.payload_crc = dsr_crc32(0, p, fi.payload_length);
	dsr_header_pack(&fi, f.data());
	dsr_trailer_pack(fi.payload_crc, 0, p + fi.payload_length);
	b->host->send(DSR_FX3_THREAD_FRAMES_OUT, f);
	b->frames_fed++;
	return 0;
}

/* The frame is busy until the FPGA has read its last buffer. */
extern "C" int board_input_busy(const struct board *b)
{
	return !b->host->pending[0].empty() || !b->fx->rx[0].empty();
}

/* Clock, delivering output frame bytes into @o; the host stops reading (the FX3's IN
 * socket fills, the RTL is back-pressured) while @o is full. */
extern "C" uint64_t board_run(struct board *b, uint64_t cycles, struct board_out *o)
{
	uint64_t start = b->cycles;

	while (b->cycles - start < cycles) {
		if (b->out_pos == b->out.size() && !b->host->frames_in.empty()) {
			b->out.swap(b->host->frames_in.front());
			b->host->frames_in.pop_front();
			b->out_pos = 0;
		}
		if (b->out_pos < b->out.size()) {
			size_t n = std::min(o->cap - o->len, b->out.size() - b->out_pos);
			memcpy(o->buf + o->len, b->out.data() + b->out_pos, n);
			o->len += n;
			b->out_pos += n;
			if (b->out_pos == b->out.size()) {
				o->ends[o->nends++] = o->len;
				b->frames_ended++;
				b->out.clear();
				b->out_pos = 0;
			}
		}
		if (o->cap - o->len < 2 || o->nends == BOARD_OUT_ENDS_MAX)
			break;
		/* back-pressure: frames already reassembled wait, the socket fills */
		b->fx->host_drain_pct = b->host->frames_in.size() > 1 ? 0 : 100;
		step(b);
	}
	return b->cycles - start;
}

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
