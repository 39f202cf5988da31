// tb_board_top.cpp - the board's FPGA (dsr_board_core) behind a model of the FX3 (Verilator).
//
// Two unrelated jittered clocks (PCLK 100 MHz, pipeline 125 MHz). The FX3 model plays the
// GPIF II synchronous slave FIFO at its pins: four sockets with DSR_FX3_BUF_COUNT DMA
// buffers of DSR_FX3_BUF_BYTES, a count word in front of each buffer it hands to the FPGA,
// read data DSR_FX3_RD_LATENCY edges after SLRD#, and flags that follow a read or write
// after a random 1..DSR_FX3_FLAG_LATENCY edges (per edge, so they may even flicker back).
// It checks the pin protocol: no read of an empty socket, no write into a full one, no
// read/write on the wrong thread or without SLCS#, no bus contention (DQ driven by the
// FPGA while SLOE# is low). Its host side supplies buffers and drains them at random
// rates, so every socket runs full and empty at any point of a frame.
//
// The firmware model turns register/LUT requests into command packets and reads the
// responses; host frames go out as USB packets packed into DMA buffers (short packets and
// zero-length packets as on the wire). The test: register reads, malformed commands,
// parameter sets with LUTs, capture/subtract/warp/pass frames of odd sizes (1x1, sizes
// whose bytes are a multiple of the packet or buffer size, frames over several buffers),
// frames with a bad CRC or a bad header; every output frame bit-exact against the C model,
// every inbound verdict as expected.
//
// TB_BOARD_DRAM (the default board build): dsr_board_dram_sim, the core with its reference
// in DRAM behind LiteDRAM's SDRAMPHYModel on a third clock (the controller's, TB_DRAM_KHZ:
// 37.5 MHz, the board's sys 75 MHz bandwidth on the 1:4 simulation core),
// and the reference double buffer: a reference upload corrupted mid-frame must leave the
// old reference active (subtraction bit-exact against it), a good one replaces it.
//
//   tb_board_top [+seed=N]
#include <algorithm>
#include <chrono>
#include <cinttypes>
#include <cstdarg>
#include <functional>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include <verilated.h>
#if VM_TRACE
#include <verilated_vcd_c.h>
#endif

#ifdef TB_BOARD_DRAM
#ifndef TB_DRAM_KHZ
#error "TB_DRAM_KHZ: the DRAM core's controller clock (tests/hdl/Makefile)"
#endif
static const uint64_t DRAM_HALF_PS = 500000000ull / TB_DRAM_KHZ;	// 13333 at 37.5 MHz
#endif
#ifdef TB_BOARD_DRAM
#include "Vdsr_board_dram_sim.h"
typedef Vdsr_board_dram_sim Vboard;
#define FX3_DUT Vdsr_board_dram_sim
#else
#include "Vdsr_board_core.h"
typedef Vdsr_board_core Vboard;
#endif
#include "dsr/dsr_hw.h"
#include "dsr/model.h"
#include "fx3_model.h"
#include "tb_time.h"

// the board's two clocks (dsr_hw.h), half periods in ps: 5000 and 4000
static const uint64_t FX3_HALF_PS = 500000000ull / DSR_FX3_CLK_KHZ;
static const uint64_t PIPE_HALF_PS = 500000000ull / DSR_PIPE_CLK_KHZ;

#ifndef TB_MAX_WIDTH
#define TB_MAX_WIDTH 128
#endif
#ifndef TB_MAX_HEIGHT
#define TB_MAX_HEIGHT 128
#endif
#ifndef TB_PIXEL_BITS_MAX
#define TB_PIXEL_BITS_MAX 16
#endif

static int failures;
static void vfail(const char *fmt, va_list ap)
{
	if (failures++ >= 20)
		return;
	fprintf(stderr, "tb_board_top: FAIL: ");
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

static void fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void fail(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vfail(fmt, ap);
	va_end(ap);
}

// The FX3 model's protocol checks fail the test.
void fx3_model_error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vfail(fmt, ap);
	va_end(ap);
}

// ------------------------------------------------------------------ the clocks

struct Bench {
	VerilatedContext ctx;
	std::unique_ptr<Vboard> d;
	std::mt19937_64 rng;
	Fx3 fx;
	Host host;
	uint64_t fx_next = 0, pipe_next = 1700, dram_next = 900, now = 0;
	bool fx_level = false, pipe_level = false, dram_level = false;
	bool fell_unseen[2] = {false, false};	// [is_fx]: a falling edge not evaluated yet
	uint64_t pixels = 0;		// output pixels compared (the speed figure)
	unsigned verdict_ok = 0, verdict_bad = 0, verdict_ref = 0;
	uint8_t tag = 0;
#if VM_TRACE
	std::unique_ptr<VerilatedVcdC> tfp;
	~Bench() { if (tfp) tfp->close(); }
#endif

	Bench(uint64_t seed) : rng(seed), fx(rng), host(fx, rng)
	{
		ctx.randReset(2);
		ctx.randSeed((int)seed);
		d.reset(new Vboard(&ctx));
#if VM_TRACE
		ctx.traceEverOn(true);
		tfp.reset(new VerilatedVcdC);
		d->trace(tfp.get(), 99);
		tfp->open("build/tb_board_top.vcd");
#endif
		d->arst = 1;
		d->pll_locked = 0;
		for (int i = 0; i < 40; i++)
			step();
		d->pll_locked = 1;
		for (int i = 0; i < 40; i++)
			step();
		d->arst = 0;
		for (int i = 0; i < 40; i++)
			step();
		fx.armed = true;
	}

	// The earliest of the clocks' next edges (FX3_HALF_PS and PIPE_HALF_PS, jittered; the
	// DRAM build's controller clock TB_DRAM_KHZ, jittered too).
	void step()
	{
#ifdef TB_BOARD_DRAM
		if (dram_next < fx_next && dram_next < pipe_next) {
			now = dram_next;
			ctx.time(tb_ps_ticks(ctx, now));
			dram_level = !dram_level;
			d->dram_clk = dram_level;
			d->eval();
			dram_next += DRAM_HALF_PS + rng() % 400;
			return;
		}
#endif
		bool is_fx = fx_next <= pipe_next;
		uint64_t &next = is_fx ? fx_next : pipe_next;
		bool &level = is_fx ? fx_level : pipe_level;
		level = !level;
		now = next;
		ctx.time(tb_ps_ticks(ctx, now));	// $time follows the edges
		Pins before(d.get());
		// A falling edge changes nothing (no negedge logic): it is evaluated with the
		// next rising edge of either clock (except in a trace), but always before the
		// same clock's next rising edge, or the model would not see that edge.
		if (level && fell_unseen[is_fx])
			d->eval();
		if (is_fx)
			d->fx3_clk = level;
		else
			d->pipe_clk = level;
#if !VM_TRACE
		fell_unseen[is_fx] = !level;
		if (level)
#endif
		{
			d->eval();
			fell_unseen[0] = fell_unseen[1] = false;
		}
		if (is_fx && level)
			fx.clock(before, d.get());	// the FX3 sampled what was there before the edge
#if VM_TRACE
		if (now < 400000000ull)
			tfp->dump(now);
#endif
		if (is_fx && level)
			host.step();
		if (!is_fx && level && fx.armed) {
			verdict_ok += d->in_frame_ok;
			verdict_bad += d->in_frame_bad;
			verdict_ref += (d->in_frame_ok || d->in_frame_bad) && d->in_frame_reference;
		}
		next += (is_fx ? FX3_HALF_PS : PIPE_HALF_PS) + rng() % 400;
	}

	bool run_until(const std::function<bool()> &done, uint64_t limit, const char *what)
	{
		for (uint64_t i = 0; i < limit && !failures; i++) {
			if (done())
				return true;
			step();
		}
		if (!failures)
			fail("timeout waiting for %s", what);
		return false;
	}

	// One command packet and its whole response (empty if none came).
	std::vector<uint32_t> command_raw(uint32_t op, uint32_t addr, const std::vector<uint32_t> &data,
					  uint32_t count, uint32_t magic = DSR_CMD_MAGIC)
	{
		std::vector<uint32_t> w = {magic << 16 | op << 8 | ++tag, addr, count};
		w.insert(w.end(), data.begin(), data.end());
		std::vector<uint8_t> bytes(w.size() * 4);
		memcpy(bytes.data(), w.data(), bytes.size());
		host.send(1, bytes);
		if (!run_until([&] { return !host.responses.empty(); }, 4000000, "a response"))
			return {};
		std::vector<uint32_t> r = host.responses.front();
		host.responses.pop_front();
		return r;
	}

	// One command packet and its response: returns the response's status, @value.
	uint32_t command(uint32_t op, uint32_t addr, const std::vector<uint32_t> &data,
			 uint32_t count, uint32_t *value, uint32_t magic = DSR_CMD_MAGIC)
	{
		std::vector<uint32_t> r = command_raw(op, addr, data, count, magic);
		if (r.empty())
			return ~0u;
		if (r.size() != DSR_RSP_WORDS || r[0] != (DSR_RSP_MAGIC << 16 | (op & 0xff) << 8 | tag)) {
			fail("response %zu words, first 0x%08x for op %u tag %u", r.size(),
			     r.empty() ? 0 : r[0], op, tag);
			return ~0u;
		}
		if (value)
			*value = r[2];
		return r[1];
	}

	void reg_write(uint32_t addr, uint32_t v)
	{
		uint32_t st = command(DSR_CMD_REG_WRITE, addr, {v}, 1, nullptr);
		if (st != DSR_RSP_OK)
			fail("REG_WRITE 0x%03x: status %u", addr, st);
	}

	uint32_t reg_read(uint32_t addr)
	{
		uint32_t v = 0, st = command(DSR_CMD_REG_READ, addr, {}, 0, &v);
		if (st != DSR_RSP_OK)
			fail("REG_READ 0x%03x: status %u", addr, st);
		return v;
	}
};

// ------------------------------------------------------------------ the scenario

static std::vector<uint8_t> host_frame(const std::vector<uint16_t> &px, uint32_t w, uint32_t h,
				       uint32_t bits, uint32_t flags, bool bad_crc)
{
	struct dsr_frame_info fi = {};
	fi.width = w;
	fi.height = h;
	fi.format = DSR_FORMAT_MONO16;
	fi.pixel_bits = bits;
	fi.flags = flags;
	fi.payload_length = 2 * w * h;
	std::vector<uint8_t> f(DSR_FRAME_HEADER_SIZE + fi.payload_length + DSR_FRAME_TRAILER_SIZE);
	for (size_t i = 0; i < px.size(); i++) {
		f[DSR_FRAME_HEADER_SIZE + 2 * i] = (uint8_t)px[i];
		f[DSR_FRAME_HEADER_SIZE + 2 * i + 1] = (uint8_t)(px[i] >> 8);
	}
	uint32_t crc = dsr_crc32(0, f.data() + DSR_FRAME_HEADER_SIZE, fi.payload_length);
	fi.payload_crc = crc;
	dsr_header_pack(&fi, f.data());
	dsr_trailer_pack(bad_crc ? crc ^ 0x10 : crc, 0, f.data() + DSR_FRAME_HEADER_SIZE + fi.payload_length);
	return f;
}

static void write_params(Bench &b, const struct dsr_params &p)
{
	const uint32_t regs[12][2] = {
		{DSR_REG_MODE, p.mode}, {DSR_REG_WIDTH, p.width}, {DSR_REG_HEIGHT, p.height},
		{DSR_REG_PIXEL_BITS, p.pixel_bits}, {DSR_REG_A11, (uint32_t)p.a11},
		{DSR_REG_A12, (uint32_t)p.a12}, {DSR_REG_A21, (uint32_t)p.a21},
		{DSR_REG_A22, (uint32_t)p.a22}, {DSR_REG_TX, (uint32_t)p.tx},
		{DSR_REG_TY, (uint32_t)p.ty}, {DSR_REG_GAIN, p.gain}, {DSR_REG_MIDGREY, p.midgrey},
	};
	for (auto &r : regs)
		b.reg_write(r[0], r[1]);
	b.reg_write(DSR_REG_CTRL, DSR_CTRL_COMMIT);
}

// The LUT through LUT_WRITE commands of DSR_LUT_CHUNK entries.
static void write_lut(Bench &b, const std::vector<uint16_t> &lut)
{
	for (size_t c = 0; c < lut.size(); c += DSR_LUT_CHUNK) {
		size_t n = std::min((size_t)DSR_LUT_CHUNK, lut.size() - c);
		std::vector<uint32_t> words((n + 1) / 2, 0);
		for (size_t i = 0; i < n; i++)
			words[i / 2] |= (uint32_t)lut[c + i] << (16 * (i & 1));
		uint32_t st = b.command(DSR_CMD_LUT_WRITE, (uint32_t)c, words, (uint32_t)n, nullptr);
		if (st != DSR_RSP_OK)
			fail("LUT_WRITE at %zu: status %u", c, st);
	}
}

// The next output frame against the model's.
static void check_output(Bench &b, const struct dsr_params &p, const std::vector<uint16_t> *lut,
			 const std::vector<uint16_t> *ref, const std::vector<uint16_t> &live,
			 uint32_t gen)
{
	if (!b.run_until([&] { return !b.host.frames_in.empty(); }, 20000000, "an output frame"))
		return;
	std::vector<uint8_t> f = b.host.frames_in.front();
	b.host.frames_in.pop_front();
	struct dsr_frame_info fi;
	const char *why = nullptr;
	if (dsr_header_parse(f.data(), f.size(), TB_MAX_WIDTH, TB_MAX_HEIGHT, &fi, &why)) {
		fail("output header: %s", why);
		return;
	}
	if (fi.width != p.width || fi.height != p.height || fi.generation != gen)
		fail("output %ux%u generation %u, expected %ux%u generation %u", fi.width, fi.height,
		     fi.generation, p.width, p.height, gen);
	std::vector<uint16_t> want((size_t)p.width * p.height);
	dsr_model_frame(&p, lut ? lut->data() : nullptr, ref ? ref->data() : nullptr, live.data(),
			want.data());
	size_t bad = 0;
	b.pixels += want.size();
	for (size_t i = 0; i < want.size(); i++) {
		uint16_t got = f[DSR_FRAME_HEADER_SIZE + 2 * i] | f[DSR_FRAME_HEADER_SIZE + 2 * i + 1] << 8;
		if (got != want[i] && bad++ < 3)
			fail("%ux%u mode %u pixel %zu: %u, model %u", p.width, p.height, p.mode, i, got,
			     want[i]);
	}
	uint32_t crc, flags;
	if (dsr_trailer_parse(f.data() + DSR_FRAME_HEADER_SIZE + fi.payload_length,
			      DSR_FRAME_TRAILER_SIZE, &crc, &flags, &why))
		fail("output trailer: %s", why);
	else if (crc != dsr_crc32(0, f.data() + DSR_FRAME_HEADER_SIZE, fi.payload_length))
		fail("output trailer CRC");
}

// Send @wire, wait for its output frame and compare it.
static void frame_through(Bench &b, const struct dsr_params &p, const std::vector<uint16_t> *lut,
			  const std::vector<uint16_t> *ref, const std::vector<uint16_t> &live,
			  uint32_t gen, const std::vector<uint8_t> &wire)
{
	b.host.send(0, wire);
	check_output(b, p, lut, ref, live, gen);
}

static std::vector<uint16_t> image(std::mt19937_64 &rng, uint32_t w, uint32_t h, uint32_t bits,
				   const std::vector<uint16_t> *base)
{
	std::vector<uint16_t> im((size_t)w * h);
	uint32_t max = (1u << bits) - 1;
	for (size_t i = 0; i < im.size(); i++) {
		int v = base ? (int)((*base)[i] & max) + (int)(rng() % 41) - 20 : (int)(rng() & max);
		im[i] = (uint16_t)(v < 0 ? 0 : v > (int)max ? max : v);
	}
	return im;
}

int main(int argc, char **argv)
{
	uint64_t seed = 1;
	for (int i = 1; i < argc; i++)
		if (!strncmp(argv[i], "+seed=", 6))
			seed = strtoull(argv[i] + 6, nullptr, 0);
	auto t0 = std::chrono::steady_clock::now();
	Bench b(seed);
	std::mt19937_64 &rng = b.rng;

	// registers through command packets, and packets the board must refuse
	if (b.reg_read(DSR_REG_ID) != DSR_ID_VALUE)
		fail("ID register");
	if (b.reg_read(DSR_REG_MAX_WIDTH) != TB_MAX_WIDTH)
		fail("MAX_WIDTH register");
	if (b.command(DSR_CMD_REG_READ, 0, {}, 0, nullptr, 0x1234) != DSR_RSP_BAD_COMMAND)
		fail("a wrong magic is not refused");
	if (b.command(DSR_CMD_REG_READ, 0x102, {}, 0, nullptr) != DSR_RSP_BAD_ADDRESS)
		fail("an unaligned address is not refused");
	if (b.command(DSR_CMD_REG_WRITE, DSR_REG_GAIN, {1, 2}, 1, nullptr) != DSR_RSP_BAD_COMMAND)
		fail("a REG_WRITE longer than its count is not refused");
	if (b.command(0x7f, 0, {}, 0, nullptr) != DSR_RSP_BAD_COMMAND)
		fail("an unknown opcode is not refused");
	b.reg_write(DSR_REG_GAIN, 0x123);
	if (b.reg_read(DSR_REG_GAIN) != 0x123)
		fail("GAIN read back");

	// the firmware's EP0 work as commands: GET_INFO from the FPGA's registers, the
	// reference capture's bracket (MODE kept, CAPTURE + COMMIT; MODE back + COMMIT)
	{
		std::vector<uint32_t> r = b.command_raw(DSR_CMD_GET_INFO, 0, {}, 0);
		if (r.size() != DSR_RSP_INFO_WORDS ||
		    r[0] != (DSR_RSP_MAGIC << 16 | DSR_CMD_GET_INFO << 8 | b.tag) ||
		    r[1] != DSR_RSP_OK || r[2] != DSR_ID_VALUE || r[3] != DSR_RTL_VERSION ||
		    r[4] != TB_MAX_WIDTH || r[5] != TB_MAX_HEIGHT)
			fail("GET_INFO: %zu words, status %u, id 0x%08x version 0x%08x %ux%u", r.size(),
			     r.size() > 1 ? r[1] : ~0u, r.size() > 2 ? r[2] : 0, r.size() > 3 ? r[3] : 0,
			     r.size() > 4 ? r[4] : 0, r.size() > 5 ? r[5] : 0);
	}
	if (b.command(DSR_CMD_GET_INFO, 4, {}, 0, nullptr) != DSR_RSP_BAD_COMMAND)
		fail("a GET_INFO with an address is not refused");
	if (b.command(DSR_CMD_GET_INFO, 0, {7}, 1, nullptr) != DSR_RSP_BAD_COMMAND)
		fail("a GET_INFO with data is not refused");
	if (b.command(DSR_CMD_CAPTURE_END, 0, {}, 0, nullptr) != DSR_RSP_BAD_COMMAND)
		fail("a CAPTURE_END without a CAPTURE_BEGIN is not refused");
	{
		uint32_t v = 0;
		b.reg_write(DSR_REG_MODE, DSR_MODE_WARP);
		if (b.command(DSR_CMD_CAPTURE_BEGIN, 0, {}, 0, &v) != DSR_RSP_OK || v != DSR_MODE_WARP)
			fail("CAPTURE_BEGIN: kept mode %u, expected %u", v, DSR_MODE_WARP);
		if (b.reg_read(DSR_REG_MODE) != DSR_MODE_CAPTURE ||
		    !(b.reg_read(DSR_REG_STATUS) & DSR_STATUS_COMMIT_PENDING))
			fail("CAPTURE_BEGIN did not set MODE = CAPTURE and commit");
		if (b.command(DSR_CMD_CAPTURE_BEGIN, 0, {}, 0, &v) != DSR_RSP_OK || v != DSR_MODE_WARP)
			fail("a second CAPTURE_BEGIN: kept mode %u, expected the first's %u", v,
			     DSR_MODE_WARP);
		if (b.command(DSR_CMD_CAPTURE_END, 0, {}, 0, &v) != DSR_RSP_OK || v != DSR_MODE_WARP ||
		    b.reg_read(DSR_REG_MODE) != DSR_MODE_WARP)
			fail("CAPTURE_END: restored mode %u, expected %u", v, DSR_MODE_WARP);
		if (b.command(DSR_CMD_CAPTURE_END, 0, {}, 0, nullptr) != DSR_RSP_BAD_COMMAND)
			fail("a second CAPTURE_END is not refused");
	}

	// frames: capture a reference, then subtract / warp / pass, sizes of every kind
	const uint32_t sizes[][2] = {
		{16, 12}, {1, 1}, {8, 59}, {33, 17}, {128, 128}, {64, 1}, {1, 40}, {96, 85},
	};
	uint32_t gen = 0;
	unsigned expect_ok = 0, expect_bad = 0, expect_ref = 0;
	std::vector<uint16_t> lut(1u << TB_PIXEL_BITS_MAX);
	bool have_lut = false;
	std::vector<uint16_t> good_ref;	// the last reference uploaded, and its parameters
	struct dsr_params good_p;
	for (auto &sz : sizes) {
		uint32_t w = sz[0], h = sz[1], bits = 12 + rng() % 5;
		struct dsr_params p;
		dsr_params_default(&p, w, h, bits);
		p.mode = DSR_MODE_CAPTURE;
		b.fx.host_drain_pct = 5 + rng() % 96;
		b.host.supply_pct = 5 + rng() % 96;
		write_params(b, p);
		gen++;
		std::vector<uint16_t> ref = image(rng, w, h, bits, nullptr);
		frame_through(b, p, nullptr, nullptr, ref, gen,
			      host_frame(ref, w, h, bits, DSR_FLAG_REFERENCE, false));
		expect_ok++;
		expect_ref++;
		good_ref = ref;
		good_p = p;
		if (rng() % 2 || !have_lut) {
			for (size_t i = 0; i < lut.size(); i++)
				lut[i] = (uint16_t)(((i * 7) >> 3) & ((1u << bits) - 1));
			write_lut(b, lut);
			have_lut = true;
		}
		for (uint32_t mode : {DSR_MODE_SUBTRACT, DSR_MODE_WARP, DSR_MODE_PASS}) {
			struct dsr_params q = p;
			q.mode = mode;
			struct dsr_affine a = {1, 0, (double)(rng() % 5) - 2.0, 0, 1, 0.5};
			dsr_params_set_affine(&q, &a);
			q.gain = 0x80 + rng() % 0x200;
			write_params(b, q);
			gen++;
			std::vector<uint16_t> live = image(rng, w, h, bits, &ref);
			frame_through(b, q, &lut, &ref, live, gen, host_frame(live, w, h, bits, 0, false));
			expect_ok++;
		}
		if (failures)
			break;
	}

#ifdef TB_BOARD_DRAM
	// the reference double buffer: a capture-mode upload whose payload is corrupted in the
	// middle (its CRC no longer checks) goes into the inactive slot and is never made
	// active: subtraction stays bit-exact against the old reference; a good REFERENCE
	// upload that the pipeline runs as a subtraction (the firmware did not switch to
	// CAPTURE) writes nothing and must not flip to the older capture in the other slot;
	// a good capture-mode frame without the flag (the sensor's frame captured on the
	// board) replaces the reference, and so does a good capture-mode upload
	enum { UP_CORRUPT, UP_NOT_CAPTURE, UP_SENSOR, UP_GOOD };
	for (int round = UP_CORRUPT; round <= UP_GOOD && !failures; round++) {
		bool corrupt = round == UP_CORRUPT, flips = round >= UP_SENSOR;
		uint32_t flags = round == UP_SENSOR ? 0 : DSR_FLAG_REFERENCE;
		uint32_t w = good_p.width, h = good_p.height, bits = good_p.pixel_bits;
		unsigned slot = b.d->ref_slot;
		struct dsr_params p = good_p;
		p.mode = round == UP_NOT_CAPTURE ? DSR_MODE_SUBTRACT : DSR_MODE_CAPTURE;
		write_params(b, p);
		gen++;
		std::vector<uint16_t> up = image(rng, w, h, bits, round == UP_NOT_CAPTURE ?
						 &good_ref : nullptr);
		std::vector<uint8_t> wire = host_frame(up, w, h, bits, flags, false);
		if (corrupt) {
			size_t i = up.size() / 2;
			wire[DSR_FRAME_HEADER_SIZE + 2 * i] ^= 0x5a;
			up[i] ^= 0x5a;	// what the pipeline receives (and a capture outputs)
		}
		if (round == UP_NOT_CAPTURE)
			frame_through(b, p, &lut, &good_ref, up, gen, wire);
		else
			frame_through(b, p, nullptr, nullptr, up, gen, wire);
		corrupt ? expect_bad++ : expect_ok++;
		expect_ref += flags != 0;
		b.run_until([&] { return b.verdict_ok == expect_ok && b.verdict_bad == expect_bad; },
			    4000000, "the upload's verdict");
		for (int i = 0; i < 100; i++)
			b.step();
		static const char *const what[] = {"corrupted", "good but not captured",
						   "good unflagged capture", "good"};
		if ((b.d->ref_slot != slot) != flips)
			fail("%s reference upload: active slot %u -> %u", what[round], slot,
			     (unsigned)b.d->ref_slot);
		if (flips)
			good_ref = up;
		for (int k = 0; k < 2 && !failures; k++) {
			struct dsr_params q = good_p;
			q.mode = DSR_MODE_SUBTRACT;
			struct dsr_affine a = {1, 0, (double)(rng() % 5) - 2.0, 0, 1, 0.5};
			dsr_params_set_affine(&q, &a);
			write_params(b, q);
			gen++;
			std::vector<uint16_t> live = image(rng, w, h, bits, &good_ref);
			frame_through(b, q, &lut, &good_ref, live, gen,
				      host_frame(live, w, h, bits, 0, false));
			expect_ok++;
		}
	}
#endif

	// a reference upload with a bad CRC: the pixels flow (capture mode outputs them),
	// the verdict is bad; a header with a bad magic passes nothing and is bad
	if (!failures) {
		uint32_t w = 20, h = 10;
		struct dsr_params p;
		dsr_params_default(&p, w, h, 12);
		p.mode = DSR_MODE_PASS;
		write_params(b, p);
		gen++;
		std::vector<uint16_t> live = image(rng, w, h, 12, nullptr);
		frame_through(b, p, nullptr, nullptr, live, gen,
			      host_frame(live, w, h, 12, DSR_FLAG_REFERENCE, true));
		expect_bad++;
		expect_ref++;
		std::vector<uint8_t> junk = host_frame(live, w, h, 12, 0, false);
		junk[0] ^= 1;
		b.host.send(0, junk);
		expect_bad++;
		frame_through(b, p, nullptr, nullptr, live, gen, host_frame(live, w, h, 12, 0, false));
		expect_ok++;
	}
	// frames back to back while the host stops reading: every socket full, then drained
	if (!failures) {
		uint32_t w = TB_MAX_WIDTH, h = TB_MAX_HEIGHT;
		struct dsr_params p;
		dsr_params_default(&p, w, h, 14);
		p.mode = DSR_MODE_PASS;
		write_params(b, p);
		gen++;
		std::vector<std::vector<uint16_t>> lives;
		for (int k = 0; k < 5; k++) {
			lives.push_back(image(rng, w, h, 14, nullptr));
			b.host.send(0, host_frame(lives.back(), w, h, 14, 0, false));
			expect_ok++;
		}
		for (int round = 0; round < 3; round++) {
			b.fx.host_drain_pct = 0;
			for (int i = 0; i < 200000; i++)
				b.step();
			b.fx.host_drain_pct = 1 + rng() % 30;
			for (int i = 0; i < 100000; i++)
				b.step();
		}
		b.fx.host_drain_pct = 100;
		for (auto &l : lives)
			check_output(b, p, nullptr, nullptr, l, gen);
	}
	for (int i = 0; i < 200; i++)
		b.step();
	if (b.verdict_ok != expect_ok || b.verdict_bad != expect_bad || b.verdict_ref != expect_ref)
		fail("inbound verdicts: %u good, %u bad, %u reference; expected %u, %u, %u",
		     b.verdict_ok, b.verdict_bad, b.verdict_ref, expect_ok, expect_bad, expect_ref);
	if (!b.host.frames_in.empty())
		fail("%zu output frames left over", b.host.frames_in.size());
	if (!b.fx.full_edges || !b.fx.empty_edges)
		fail("the sockets never ran full (%" PRIu64 ") or empty (%" PRIu64 ")", b.fx.full_edges,
		     b.fx.empty_edges);
	double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
	printf("tb_board_top: %" PRIu64 " output pixels compared in %.2f s: %.0f pixels/s "
	       "(whole run: commands, gaps, full sockets)\n", b.pixels, secs, b.pixels / secs);
	printf("tb_board_top seed=%" PRIu64 ": %u frames in (%u bad), %" PRIu64 " FX3 reads, %" PRIu64
	       " writes, %" PRIu64 " PKTEND#, frames socket full %" PRIu64 " edges: %s\n", seed,
	       b.verdict_ok + b.verdict_bad, b.verdict_bad, b.fx.reads, b.fx.writes, b.fx.pktends,
	       b.fx.full_edges, failures ? "FAIL" : "pass");
	b.d->final();
	return failures ? 1 : 0;
}
