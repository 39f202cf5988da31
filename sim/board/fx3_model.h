// fx3_model.h - the FX3 (CYUSB3014) as the FPGA's GPIF II pins see it, and its firmware's
// side of the sockets: one definition shared by tests/hdl/tb_board_top.cpp and dsr-sim's
// board (sim/board/board_fx3.cc).
//
// The chip: four sockets with DSR_FX3_BUF_COUNT DMA buffers of DSR_FX3_BUF_BYTES, a count
// word in front of each buffer handed to the GPIF, read data DSR_FX3_RD_LATENCY edges after
// SLRD#, flags following a read or write after a random 1..DSR_FX3_FLAG_LATENCY edges (per
// edge). Protocol violations by the FPGA (read of an empty socket, write into a full one,
// wrong thread, no SLCS#, bus contention) go to fx3_model_error(), which the program
// including this header defines.
// The firmware and host: OUT transfers packed into buffers as USB packets would fill them
// (a count-0 buffer after a full last one), command responses collected, output frames
// reassembled from IN buffers and trimmed to the byte count their header gives.
#ifndef SIM_FX3_MODEL_H
#define SIM_FX3_MODEL_H

#include <algorithm>
#include <cinttypes>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <random>
#include <vector>

#include "dsr/dsr_hw.h"

// The Verilated board (Vdsr_board_core.h, or another top with the same FX3 pins named by
// FX3_DUT, e.g. Vdsr_board_dram_sim) is included before this header.
#ifndef FX3_DUT
#define FX3_DUT Vdsr_board_core
#endif

void fx3_model_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static const unsigned kBufWords = DSR_FX3_BUF_BYTES / 4;

// ------------------------------------------------------------------ the FX3 at its pins

// The FPGA's FX3 pins as they were just before a PCLK edge.
struct Pins {
	bool cs, rd, wr, pe, oe, dq_oe;
	unsigned a;
	uint32_t dq_o;

	explicit Pins(const FX3_DUT *d)
		: cs(!d->fx3_slcs_n), rd(!d->fx3_slrd_n), wr(!d->fx3_slwr_n), pe(!d->fx3_pktend_n),
		  oe(!d->fx3_sloe_n), dq_oe(d->fx3_dq_oe), a(d->fx3_a), dq_o(d->fx3_dq_o) {}
};

struct Fx3 {
	std::mt19937_64 &rng;
	uint64_t edge = 0;
	// sockets 0, 1: buffers (count word first) waiting for the FPGA to read them
	std::deque<std::vector<uint32_t>> rx[2];
	size_t rx_pos[2] = {0, 0};
	// sockets 2, 3: the buffer being filled, buffers committed to USB
	std::vector<uint32_t> tx_cur[2];
	std::deque<std::vector<uint32_t>> tx_done[2];
	// flags: true state after each edge, pins delayed by 1..FLAG_LATENCY edges
	std::deque<uint8_t> hist;	// the last few edges only
	// read data scheduled for the pins: (edge after which it is driven, word)
	std::deque<std::pair<uint64_t, uint32_t>> rd_sched;
	uint64_t reads = 0, writes = 0, pktends = 0;
	uint64_t full_edges = 0, empty_edges = 0;	// frames socket full, host frames socket empty
	unsigned host_drain_pct = 50;
	bool armed = false;	// the firmware starts the GPIF once the FPGA is out of reset
	const bool trace = getenv("TB_PINS") != nullptr;

	explicit Fx3(std::mt19937_64 &r) : rng(r) {}

	uint8_t true_flags() const
	{
		uint8_t f = 0;
		for (int t = 0; t < 2; t++)
			if (!rx[t].empty())
				f |= 1u << t;
		for (int t = 0; t < 2; t++)
			if (tx_cur[t].size() < kBufWords && tx_done[t].size() < DSR_FX3_BUF_COUNT - 1)
				f |= 4u << t;
		return f;
	}

	void commit(int t)
	{
		tx_done[t].push_back(tx_cur[t]);
		tx_cur[t].clear();
	}

	// One PCLK rising edge: @p the pins as the FPGA drove them before the edge (which is
	// what the FX3 samples); then the FX3's outputs for the next edge go onto @d.
	void clock(const Pins &p, FX3_DUT *d)
	{
		if (!armed) {
			d->fx3_flag = 0;
			return;
		}
		bool cs = p.cs, rd = p.rd, wr = p.wr, pe = p.pe, oe = p.oe;
		unsigned a = p.a;
		if (trace)
			fprintf(stderr, "edge %" PRIu64 ": cs %d rd %d wr %d pe %d oe %d a %u flags %x true %x dq_i %08x\n",
				edge, cs, rd, wr, pe, oe, a, d->fx3_flag, true_flags(), d->fx3_dq_i);
		if (p.dq_oe && oe)
			fx3_model_error("bus contention: FPGA drives DQ while SLOE# is low (edge %" PRIu64 ")", edge);
		if ((rd || wr || pe) && !cs)
			fx3_model_error("SLRD#/SLWR#/PKTEND# without SLCS# (edge %" PRIu64 ")", edge);
		if (rd) {
			if (a > 1 || !oe) {
				fx3_model_error("read of thread %u (SLOE# %d)", a, oe);
			} else if (rx[a].empty()) {
				fx3_model_error("read of an empty socket %u (edge %" PRIu64 ")", a, edge);
			} else {
				uint32_t w = rx[a].front()[rx_pos[a]++];
				if (rx_pos[a] == rx[a].front().size()) {
					rx[a].pop_front();
					rx_pos[a] = 0;
				}
				rd_sched.push_back({edge + DSR_FX3_RD_LATENCY - 1, w});
				reads++;
			}
		}
		if (wr || pe) {
			int t = (int)a - 2;
			if (t < 0) {
				fx3_model_error("write to thread %u", a);
			} else if (wr && !p.dq_oe) {
				fx3_model_error("SLWR# without the FPGA driving DQ");
			} else if (wr && !(true_flags() & (4u << t))) {
				fx3_model_error("write into a full socket %u (edge %" PRIu64 ")", a, edge);
			} else {
				if (wr) {
					tx_cur[t].push_back(p.dq_o);
					writes++;
				}
				if (pe) {
					pktends++;
					commit(t);
				} else if (tx_cur[t].size() == kBufWords) {
					commit(t);
				}
			}
		}
		hist.push_back(true_flags());
		if (hist.size() > 2 * DSR_FX3_FLAG_LATENCY)
			hist.pop_front();
		full_edges += !(hist.back() & 4);
		empty_edges += !(hist.back() & 1);
		edge++;
		// pins for the next edge: one draw gives each flag its latency (a byte each) and
		// the garbage on DQ (the high half)
		uint64_t r = rng();
		uint8_t f = 0;
		for (int t = 0; t < 4; t++) {
			uint64_t lat = 1 + (r >> (8 * t) & 0xff) % DSR_FX3_FLAG_LATENCY;
			uint64_t i = hist.size() >= lat ? hist.size() - lat : 0;
			if (hist[i] & (1u << t))
				f |= 1u << t;
		}
		d->fx3_flag = f;
		d->fx3_dq_i = (uint32_t)(r >> 32);	// garbage unless a read's data is due
		while (!rd_sched.empty() && rd_sched.front().first < edge - 1)
			rd_sched.pop_front();
		if (!rd_sched.empty() && rd_sched.front().first == edge - 1) {
			d->fx3_dq_i = rd_sched.front().second;
			rd_sched.pop_front();
		}
	}
};

// ------------------------------------------------------------------ the firmware and host

struct Host {
	Fx3 &fx;
	std::mt19937_64 &rng;
	std::deque<std::vector<uint32_t>> pending[2];	// buffers not yet given to the sockets
	std::vector<uint8_t> in_bytes;			// thread 2 stream, trimmed frames
	std::vector<uint32_t> in_frame_words;		// the frame being collected
	std::deque<std::vector<uint8_t>> frames_in;	// complete frames from the board
	std::deque<std::vector<uint32_t>> responses;
	unsigned supply_pct = 60;

	Host(Fx3 &f, std::mt19937_64 &r) : fx(f), rng(r) {}

	// a chance of @pct percent (no draw at 100)
	bool chance(unsigned pct) { return pct >= 100 || (pct && rng() % 100 < pct); }

	// USB side, once per PCLK edge: hand buffers to the OUT sockets, drain the IN ones.
	void step()
	{
		for (int t = 0; t < 2; t++)
			if (!pending[t].empty() && fx.rx[t].size() < DSR_FX3_BUF_COUNT &&
			    chance(supply_pct)) {
				fx.rx[t].push_back(pending[t].front());
				pending[t].pop_front();
			}
		if (!fx.tx_done[1].empty()) {
			responses.push_back(fx.tx_done[1].front());
			fx.tx_done[1].pop_front();
		}
		if (!fx.tx_done[0].empty() && chance(fx.host_drain_pct)) {
			take_in_buffer(fx.tx_done[0].front());
			fx.tx_done[0].pop_front();
		}
	}

	// The firmware's IN side: whole frames from buffers; the frame's last buffer (PKTEND#
	// or full) is trimmed to the frame's byte count from its header.
	void take_in_buffer(const std::vector<uint32_t> &b)
	{
		in_frame_words.insert(in_frame_words.end(), b.begin(), b.end());
		if (in_frame_words.size() < DSR_FRAME_HEADER_SIZE / 4)
			return;
		const uint8_t *p = (const uint8_t *)in_frame_words.data();
		uint32_t w = p[DSR_HDR_OFF_WIDTH] | p[DSR_HDR_OFF_WIDTH + 1] << 8;
		uint32_t h = p[DSR_HDR_OFF_HEIGHT] | p[DSR_HDR_OFF_HEIGHT + 1] << 8;
		size_t bytes = DSR_FRAME_HEADER_SIZE + 2ull * w * h + DSR_FRAME_TRAILER_SIZE;
		size_t words = (bytes + 3) / 4;
		if (in_frame_words.size() < words) {
			if (b.size() != kBufWords)
				fx3_model_error("a short buffer (%zu words) inside an output frame", b.size());
			return;
		}
		if (in_frame_words.size() != words) {
			fx3_model_error("output frame of %zu bytes ends in a buffer of %zu words, not at PKTEND#",
			     bytes, in_frame_words.size());
		}
		std::vector<uint8_t> f(bytes);
		memcpy(f.data(), in_frame_words.data(), bytes);
		if (bytes % 4 && p[bytes] | p[bytes + 1])
			fx3_model_error("the pad half of an odd frame is not 0");
		frames_in.push_back(f);
		in_frame_words.clear();
	}

	// An OUT transfer of @bytes as the FX3 packs it: 1024-byte packets into buffers of
	// DSR_FX3_BUF_BYTES; a count word in front of each; a full last buffer gets a count-0 one.
	void send(int t, const std::vector<uint8_t> &bytes)
	{
		size_t off = 0;
		do {
			size_t n = std::min((size_t)DSR_FX3_BUF_BYTES, bytes.size() - off);
			std::vector<uint32_t> b(1 + (n + 3) / 4, 0);
			b[0] = (uint32_t)n;
			memcpy(&b[1], bytes.data() + off, n);
			pending[t].push_back(b);
			off += n;
			if (off == bytes.size() && n == DSR_FX3_BUF_BYTES)
				pending[t].push_back({0});
		} while (off < bytes.size());
	}
};


#endif /* SIM_FX3_MODEL_H */
