// tb_async_fifo.cpp - dsr_async_fifo between two unrelated clocks (Verilator).
//
// Several clock pairs (writer faster, reader faster, nearly equal with slow phase drift),
// each edge with random jitter so every phase relation between the domains occurs. The
// writer and reader switch between bursty and trickling valid/ready so the FIFO runs full
// and empty repeatedly. Every word is a random 32-bit value; the words read must be
// exactly the words written, in order: none lost, none repeated, none invented. Also:
// m_data holds while m_valid && !m_ready, and with the reader stopped the FIFO accepts
// exactly its capacity (2**ADDR_BITS + the output register) and no more.
//
//   tb_async_fifo [+seed=N] [+words=N]
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <memory>
#include <random>

#include <verilated.h>

#include "Vdsr_async_fifo.h"

#include "dsr/dsr_hw.h"
#include "tb_time.h"

#ifndef TB_ADDR_BITS
#define TB_ADDR_BITS 3
#endif

static const uint64_t kCapacity = (1u << TB_ADDR_BITS) + 1;

// One clock: half period in ps and a jitter bound; the next edge time.
struct Clock {
	uint64_t half_ps;
	uint64_t jitter_ps;
	uint64_t next_ps;
	bool level;
};

struct Bench {
	VerilatedContext ctx;
	std::unique_ptr<Vdsr_async_fifo> dut;
	std::mt19937_64 rng;
	std::deque<uint32_t> expect;	// written, not yet read
	uint64_t pushed = 0, popped = 0;
	uint64_t full_seen = 0, empty_seen = 0;
	unsigned write_pct = 100, read_pct = 100;
	bool reader_stopped = false;
	uint32_t held_data = 0;
	bool held = false;
	int failures = 0;

	Bench(uint64_t seed) : rng(seed)
	{
		ctx.randReset(2);
		ctx.randSeed((int)seed);
		dut.reset(new Vdsr_async_fifo(&ctx));
	}

	bool chance(unsigned pct) { return rng() % 100 < pct; }

	void fail(const char *what)
	{
		if (failures++ < 10)
			fprintf(stderr, "tb_async_fifo: FAIL after %" PRIu64 " pushed, %" PRIu64
				" popped: %s\n", pushed, popped, what);
	}

	// Rising edge of s_clk: the handshake is what the flops saw just before the edge.
	void write_edge()
	{
		// in reset the outputs are whatever the flops powered up with: no handshake
		bool hs = dut->s_valid && dut->s_ready && !dut->s_rst;
		if (!dut->s_ready && dut->s_valid && !dut->s_rst)
			full_seen++;
		dut->s_clk = 1;
		dut->eval();
		if (hs) {
			expect.push_back(dut->s_data);
			pushed++;
		}
		if (hs || !dut->s_valid) {
			dut->s_valid = chance(write_pct);
			dut->s_data = (uint32_t)rng();
		}
	}

	// Rising edge of m_clk.
	void read_edge()
	{
		bool hs = dut->m_valid && dut->m_ready && !dut->m_rst;
		if (dut->m_rst) {
			held = false;
		} else if (dut->m_valid && !dut->m_ready) {
			if (held && held_data != dut->m_data)
				fail("m_data changed while m_valid && !m_ready");
			held = true;
			held_data = dut->m_data;
		} else {
			held = false;
		}
		if (!dut->m_valid && !dut->m_rst)
			empty_seen++;
		uint32_t data = dut->m_data;
		dut->m_clk = 1;
		dut->eval();
		if (hs) {
			popped++;
			if (expect.empty()) {
				fail("read a word that was never written");
			} else {
				if (expect.front() != data) {
					char msg[96];
					snprintf(msg, sizeof(msg), "read 0x%08x, expected 0x%08x",
						 data, expect.front());
					fail(msg);
				}
				expect.pop_front();
			}
		}
		dut->m_ready = !reader_stopped && chance(read_pct);
	}

	// Advance to the earlier of the two clocks' next edges.
	void step(Clock &s, Clock &m)
	{
		Clock &c = s.next_ps <= m.next_ps ? s : m;
		bool is_s = &c == &s;
		ctx.time(tb_ps_ticks(ctx, c.next_ps));	// $time follows the edges
		c.level = !c.level;
		if (c.level) {
			if (is_s)
				write_edge();
			else
				read_edge();
		} else {
			if (is_s)
				dut->s_clk = 0;
			else
				dut->m_clk = 0;
			dut->eval();
		}
		c.next_ps += c.half_ps + (c.jitter_ps ? rng() % c.jitter_ps : 0);
	}

	void run_edges(Clock &s, Clock &m, uint64_t edges)
	{
		for (uint64_t i = 0; i < edges && failures == 0; i++)
			step(s, m);
	}

	void reset(Clock &s, Clock &m)
	{
		dut->s_rst = 1;
		dut->m_rst = 1;
		dut->s_valid = 0;
		dut->m_ready = 0;
		run_edges(s, m, 40);
		dut->s_rst = 0;
		dut->m_rst = 0;
	}

	// Reader stopped until the writer has stalled a long while: exactly the capacity.
	void check_capacity(Clock &s, Clock &m)
	{
		reader_stopped = true;
		write_pct = 100;
		run_edges(s, m, 400);
		uint64_t level = pushed - popped;
		if (level != kCapacity) {
			char msg[96];
			snprintf(msg, sizeof(msg), "holds %" PRIu64 " words with the reader stopped,"
				 " capacity is %" PRIu64, level, kCapacity);
			fail(msg);
		}
		reader_stopped = false;
	}

	// One clock pair: phases of different writer/reader duty, then drain.
	void run_pair(uint64_t s_half, uint64_t m_half, uint64_t words)
	{
		Clock s = { s_half, s_half / 7, 0, false };
		Clock m = { m_half, m_half / 7, rng() % (2 * m_half), false };
		static const unsigned duty[][2] = {
			{ 100, 100 }, { 100, 20 }, { 20, 100 }, { 50, 50 }, { 90, 10 }, { 5, 95 },
		};
		reset(s, m);
		uint64_t start = pushed;
		check_capacity(s, m);
		while (pushed - start < words && failures == 0) {
			const unsigned *d = duty[rng() % (sizeof(duty) / sizeof(duty[0]))];
			write_pct = d[0];
			read_pct = d[1];
			run_edges(s, m, 200 + rng() % 2000);
		}
		write_pct = 0;
		read_pct = 100;
		run_edges(s, m, 2000);
		if (!expect.empty() || dut->m_valid)
			fail("words left in the FIFO after draining");
	}
};

int main(int argc, char **argv)
{
	uint64_t seed = 1;
	uint64_t words = 20000;
	for (int i = 1; i < argc; i++) {
		if (!strncmp(argv[i], "+seed=", 6))
			seed = strtoull(argv[i] + 6, nullptr, 0);
		else if (!strncmp(argv[i], "+words=", 7))
			words = strtoull(argv[i] + 7, nullptr, 0);
	}
	Bench b(seed);
	// half periods in ps: the board's FX3 clock against its pipeline clock both ways
	// (dsr_hw.h; 5000 and 4000), a slow reader, and two clocks 0.1 % apart (the phase
	// walks slowly through every offset)
	static const uint64_t fx3 = 500000000ull / DSR_FX3_CLK_KHZ;
	static const uint64_t pipe = 500000000ull / DSR_PIPE_CLK_KHZ;
	static const uint64_t pairs[][2] = {
		{ fx3, pipe }, { pipe, fx3 }, { 3000, 11000 }, { 11000, 3000 }, { 4000, 4004 },
	};
	for (const auto &p : pairs)
		if (!b.failures)
			b.run_pair(p[0], p[1], words);
	if (b.pushed < words * 5 || b.full_seen == 0 || b.empty_seen == 0)
		b.fail("the run did not exercise full and empty");
	printf("tb_async_fifo ADDR_BITS=%d seed=%" PRIu64 ": %" PRIu64 " words in order,"
	       " %" PRIu64 " full stalls, %" PRIu64 " empty cycles: %s\n", TB_ADDR_BITS, seed,
	       b.popped, b.full_seen, b.empty_seen, b.failures ? "FAIL" : "pass");
	b.dut->final();
	return b.failures ? 1 : 0;
}
