// tb_projective.cpp - dsr_projective, the projective coordinate generator, against the C
// model's dsr_model_position() bit for bit (Verilator).
//
// Frames of random size, including lines and columns of the full 4096 so that the
// denominator reaches both ends of its range; per frame a homography drawn over the
// whole accepted range (|h31|, |h32| up to DSR_H_PERSP_MAX, the extremes included; a11..ty
// plausible or any 32-bit value) or an affine one (h31 = h32 = 0). Input valid and
// output ready toggle at random so the pipeline stalls and bubbles everywhere. Every
// output position must equal the model's, in order; the count of positions must equal
// the pixels sent.
//
//   tb_projective [+seed=N] [+frames=N]
#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <memory>
#include <random>
#include <utility>

#include <verilated.h>

#include "Vdsr_projective.h"

extern "C" {
#include "dsr/model.h"
#include "tb_time.h"
}

struct Pixel {
	uint32_t x, y, frame;
};

struct Bench {
	VerilatedContext ctx;
	std::unique_ptr<Vdsr_projective> dut;
	std::mt19937_64 rng;
	std::deque<Pixel> sent;
	std::deque<std::pair<uint32_t, struct dsr_params>> frames;	// frames in flight
	uint64_t checked = 0, projective = 0;
	uint32_t frame_no = 0;
	int failures = 0;

	Bench(uint64_t seed) : rng(seed)
	{
		ctx.randReset(2);
		ctx.randSeed((int)seed);
		dut.reset(new Vdsr_projective(&ctx));
	}

	bool chance(unsigned pct) { return rng() % 100 < pct; }
	int32_t any32() { return (int32_t)(uint32_t)rng(); }
	int32_t span(int32_t lim) { return (int32_t)((int64_t)(rng() % (2 * (uint64_t)lim + 1)) - lim); }

	// A parameter set: h31, h32 within the board's range, extremes now and then.
	struct dsr_params random_params(uint32_t w, uint32_t h, bool corner)
	{
		struct dsr_params p;
		const int32_t hm = DSR_H_PERSP_MAX, one = 1 << DSR_A_FRAC_BITS;

		dsr_params_default(&p, w, h, 12);
		switch (rng() % 4) {
		case 0:		// any register values
			p.a11 = any32(), p.a12 = any32(), p.a21 = any32(), p.a22 = any32();
			p.tx = any32(), p.ty = any32();
			break;
		default:	// a plausible repositioning
			p.a11 = one + span(one / 8), p.a22 = one + span(one / 8);
			p.a12 = span(one / 5), p.a21 = span(one / 5);
			p.tx = span(300 << DSR_T_FRAC_BITS), p.ty = span(300 << DSR_T_FRAC_BITS);
			break;
		}
		switch (rng() % 7) {
		case 0: p.h31 = p.h32 = 0; break;			// affine
		case 1: p.h31 = chance(50) ? hm : -hm; p.h32 = chance(50) ? hm : -hm; break;
		// one of the two zero: D changes only at line ends (h31 = 0) or only along
		// lines (h32 = 0), the cases the reciprocal's restart (d_moved) tells apart
		case 2: p.h31 = 0; p.h32 = span(hm) | 1; break;
		case 3: p.h31 = span(hm) | 1; p.h32 = 0; break;
		default: p.h31 = span(hm); p.h32 = span(hm); break;
		}
		if (corner)	// D = 1 - 0.2 at the far corner: the table's low end
			p.h31 = p.h32 = -hm;
		return p;
	}

	// one clock, $time half a period (4 ns) before each edge
	void tick()
	{
		uint64_t half = tb_ps_ticks(ctx, 4000);
		half = half ? half : 1;
		ctx.timeInc(half);
		dut->clk = 0;
		dut->eval();
		ctx.timeInc(half);
		dut->clk = 1;
		dut->eval();
	}

	void drive_params(const struct dsr_params &p)
	{
		dut->a11 = (uint32_t)p.a11, dut->a12 = (uint32_t)p.a12;
		dut->a21 = (uint32_t)p.a21, dut->a22 = (uint32_t)p.a22;
		dut->tx = (uint32_t)p.tx, dut->ty = (uint32_t)p.ty;
		dut->h31 = (uint32_t)p.h31, dut->h32 = (uint32_t)p.h32;
	}

	// The output side of one cycle (before the edge): check a handshake.
	void observe()
	{
		if (!(dut->m_valid && dut->m_ready))
			return;
		if (sent.empty()) {
			fail("a position nobody asked for");
			return;
		}
		Pixel px = sent.front();
		sent.pop_front();
		if (dut->m_user != ((px.frame & 0xff) << 24 | (px.y & 0xfff) << 12 | (px.x & 0xfff))) {
			fail("out of order");
			return;
		}
		while (frames.front().first != px.frame)
			frames.pop_front();
		const struct dsr_params &p = frames.front().second;
		int64_t au, av;

		dsr_model_position(&p, px.x, px.y, &au, &av);
		uint32_t wu = (uint32_t)((uint64_t)au >> 16), wv = (uint32_t)((uint64_t)av >> 16);

		if (dut->m_pos_u != wu || dut->m_pos_v != wv) {
			if (failures < 5)
				fprintf(stderr,
					"tb_projective: frame %u pixel (%u, %u) h31 %d h32 %d: RTL u %08x v %08x, "
					"model %08x %08x\n", px.frame, px.x, px.y, p.h31, p.h32,
					dut->m_pos_u, dut->m_pos_v, wu, wv);
			fail("position differs from the model");
		}
		checked++;
		projective += dsr_params_projective(&p);
	}

	void fail(const char *what)
	{
		if (failures++ < 5)
			fprintf(stderr, "tb_projective: %s\n", what);
	}

	// One frame: every pixel offered with random gaps, the output stalled at random.
	void frame(uint32_t w, uint32_t h, bool corner)
	{
		struct dsr_params p = random_params(w, h, corner);
		unsigned in_pct = 30 + rng() % 71, out_pct = 30 + rng() % 71;
		uint32_t x = 0, y = 0;

		frames.push_back({ frame_no, p });
		while (y < h) {
			bool offer = chance(in_pct);

			dut->m_ready = chance(out_pct);
			dut->s_valid = offer;
			dut->s_sof = x == 0 && y == 0;
			dut->s_eol = x == w - 1;
			dut->s_user = (frame_no & 0xff) << 24 | (y & 0xfff) << 12 | (x & 0xfff);
			drive_params(p);	// stable for the frame, like the active set
			dut->eval();
			observe();
			bool accepted = offer && dut->s_ready;

			tick();
			if (accepted) {
				sent.push_back({ x, y, frame_no });
				if (++x == w)
					x = 0, y++;
			}
		}
		dut->s_valid = 0;
		frame_no++;
	}

	void drain()
	{
		for (int i = 0; i < 200 && !sent.empty(); i++) {
			dut->m_ready = chance(70);
			dut->eval();
			observe();
			tick();
		}
		if (!sent.empty())
			fail("positions missing at the end");
	}
};

int main(int argc, char **argv)
{
	uint64_t seed = 1;
	unsigned nframes = 60;

	for (int i = 1; i < argc; i++) {
		if (!strncmp(argv[i], "+seed=", 6))
			seed = strtoull(argv[i] + 6, NULL, 0);
		else if (!strncmp(argv[i], "+frames=", 8))
			nframes = (unsigned)strtoul(argv[i] + 8, NULL, 0);
	}
	Bench b(seed);
	uint64_t pixels = 0;

	b.dut->rst = 1;
	b.dut->m_ready = 1;
	b.dut->s_valid = 0;
	for (int i = 0; i < 4; i++)
		b.tick();
	b.dut->rst = 0;
	for (unsigned f = 0; f < nframes && !b.failures; f++) {
		uint32_t w, h;

		switch (f == 0 ? 9 : f % 4) {
		case 9: w = 4096, h = 4096; break;			// one whole frame
		case 0: w = 4096, h = 1 + b.rng() % 3; break;		// whole lines
		case 1: w = 1 + b.rng() % 3, h = 4096; break;		// whole columns
		default: w = 1 + b.rng() % 64, h = 1 + b.rng() % 48; break;
		}
		b.frame(w, h, f == 0);
		pixels += (uint64_t)w * h;
	}
	b.drain();
	printf("tb_projective: seed %" PRIu64 ", %u frames, %" PRIu64 " positions checked "
	       "(%" PRIu64 " projective): %s\n", seed, nframes, b.checked, b.projective,
	       b.failures ? "FAIL" : "pass");
	if (!b.failures && (b.checked != pixels || b.projective == 0)) {
		fprintf(stderr, "tb_projective: %" PRIu64 " positions for %" PRIu64 " pixels\n",
			b.checked, pixels);
		return 1;
	}
	return b.failures ? 1 : 0;
}
