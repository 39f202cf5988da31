// tb_frame_check.cpp - dsr_frame_check alone (Verilator): host transfers of every kind
// against the rules its header documents, written here from those rules.
//
// Each transfer is a frame (header, payload, trailer) as the host builds it, then spoiled
// in one way or left good: payload bytes changed (both CRCs still the original), the
// trailer's CRC, the header's CRC, either half of the trailer magic, one header field
// out of range (magic, version, header size, format, width or height 0 or above the
// maximum, pixel bits, payload length), the transfer cut at any half-word (inside the
// header, the payload or the trailer), bytes after the trailer, or no bytes at all. It
// ends with `last` on its final word, or with a zero-length packet (a word with no half
// kept) after its data; words carry one or two halves. Valid gaps on the input and
// back-pressure on the pixel output are random and bursty.
//
// Checked: the verdict of every transfer (frame_ok for exactly the good ones, frame_bad
// for every other one with at least one byte, none for an empty transfer), its
// frame_reference when the whole header arrived, and the pixel stream: exactly the
// payload pixels of the transfers whose header is valid, up to the payload's end or the
// cut, with m_sof on each frame's first pixel and m_eol at each line's end; m_valid and
// the pixel hold while m_ready is low.
//
//   tb_frame_check [+seed=N] [+transfers=N]
#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <memory>
#include <random>
#include <vector>

#include <verilated.h>

#include "Vdsr_frame_check.h"

#include "dsr/dsr_hw.h"
#include "dsr/model.h"

#ifndef TB_MAX_WIDTH
#define TB_MAX_WIDTH 64
#endif
#ifndef TB_MAX_HEIGHT
#define TB_MAX_HEIGHT 64
#endif

enum Kind {
	K_GOOD, K_PAYLOAD, K_TRL_CRC, K_HDR_CRC, K_TRL_MAGIC, K_CUT, K_EXTRA, K_FIELD, K_EMPTY,
	K_COUNT
};
static const char *const kind_name[K_COUNT] = {
	"good", "payload changed", "trailer CRC", "header CRC", "trailer magic", "cut",
	"bytes after the trailer", "header field", "empty",
};

struct Word {
	uint32_t data;
	uint8_t keep;
	bool last;
};

struct Pixel {
	uint16_t v;
	bool sof, eol;
};

struct Verdict {
	bool ok;
	bool reference;
	bool check_reference;	// the whole header arrived
};

static uint16_t rd16(const std::vector<uint8_t> &b, size_t off)
{
	return (uint16_t)(b[off] | b[off + 1] << 8);
}

static uint32_t rd32(const std::vector<uint8_t> &b, size_t off)
{
	return (uint32_t)rd16(b, off) | (uint32_t)rd16(b, off + 2) << 16;
}

// What the checker must do with @b, from its documented rules: a verdict unless the
// transfer is empty; pixels only behind a valid header; good only when the header is
// valid, the payload complete, the trailer's magic right, the payload CRC equal to the
// header's and the trailer's, and the transfer ending with the trailer.
static bool expect_transfer(const std::vector<uint8_t> &b, std::vector<Pixel> &px,
			    Verdict &v)
{
	const size_t H = DSR_FRAME_HEADER_SIZE, T = DSR_FRAME_TRAILER_SIZE;
	v = {false, false, false};
	if (b.empty())
		return false;
	if (b.size() < H)
		return true;
	v.check_reference = b.size() > H;	// a transfer cut at the header's end is bad at once
	v.reference = (rd32(b, DSR_HDR_OFF_FLAGS) & DSR_FLAG_REFERENCE) != 0;
	uint32_t w = rd16(b, DSR_HDR_OFF_WIDTH), h = rd16(b, DSR_HDR_OFF_HEIGHT);
	uint32_t bits = rd16(b, DSR_HDR_OFF_PIXEL_BITS);
	bool valid = rd32(b, DSR_HDR_OFF_MAGIC) == DSR_FRAME_MAGIC &&
		     rd16(b, DSR_HDR_OFF_VERSION) == DSR_FRAME_VERSION &&
		     rd16(b, DSR_HDR_OFF_HEADER_SIZE) == DSR_FRAME_HEADER_SIZE &&
		     rd16(b, DSR_HDR_OFF_FORMAT) == DSR_FORMAT_MONO16 &&
		     w >= 1 && w <= TB_MAX_WIDTH && h >= 1 && h <= TB_MAX_HEIGHT &&
		     bits >= DSR_PIXEL_BITS_MIN && bits <= DSR_PIXEL_BITS_MAX &&
		     rd32(b, DSR_HDR_OFF_PAYLOAD_LENGTH) == 2 * w * h;
	if (!valid)
		return true;
	size_t n = w * h, have = (b.size() - H) / 2;
	for (size_t i = 0; i < n && i < have; i++)
		px.push_back({rd16(b, H + 2 * i), i == 0, i % w == w - 1});
	size_t end = H + 2 * n;
	if (b.size() != end + T)
		return true;
	uint32_t crc = dsr_crc32(0, b.data() + H, 2 * n);
	v.ok = rd32(b, end + DSR_TRL_OFF_MAGIC) == DSR_TRAILER_MAGIC &&
	       rd32(b, end + DSR_TRL_OFF_PAYLOAD_CRC) == crc &&
	       rd32(b, DSR_HDR_OFF_PAYLOAD_CRC) == crc;
	return true;
}

struct Bench {
	VerilatedContext ctx;
	std::unique_ptr<Vdsr_frame_check> dut;
	std::mt19937_64 rng;
	std::deque<Word> in;
	std::vector<Pixel> want_px, got_px;
	std::vector<Verdict> want_v;
	std::vector<Verdict> got_v;	// ok and reference as the checker said
	unsigned kinds[K_COUNT] = {};
	unsigned zlp_ends = 0, one_half_words = 0;
	unsigned in_pct = 100, out_pct = 100;
	uint64_t cycles = 0, stalls = 0;
	int failures = 0;

	Bench(uint64_t seed) : rng(seed)
	{
		ctx.randReset(2);
		ctx.randSeed((int)seed);
		dut.reset(new Vdsr_frame_check(&ctx));
	}

	unsigned pick(unsigned n) { return (unsigned)(rng() % n); }

	void fail(const char *what)
	{
		if (failures++ < 10)
			fprintf(stderr, "tb_frame_check: FAIL: %s\n", what);
	}

	std::vector<uint8_t> frame(Kind k)
	{
		struct dsr_frame_info fi = {};
		bool big = pick(8) == 0;
		fi.width = 1 + pick(big ? TB_MAX_WIDTH : 12);
		fi.height = 1 + pick(big ? TB_MAX_HEIGHT : 6);
		fi.format = DSR_FORMAT_MONO16;
		fi.pixel_bits = DSR_PIXEL_BITS_MIN + pick(DSR_PIXEL_BITS_MAX - DSR_PIXEL_BITS_MIN + 1);
		fi.sequence = (uint32_t)rng();
		fi.generation = (uint32_t)rng();
		fi.timestamp = rng();
		fi.flags = (uint32_t)rng() & ~DSR_FLAG_REFERENCE;
		if (pick(3) == 0)
			fi.flags |= DSR_FLAG_REFERENCE;
		fi.payload_length = 2 * fi.width * fi.height;
		const size_t H = DSR_FRAME_HEADER_SIZE;
		std::vector<uint8_t> f(H + fi.payload_length + DSR_FRAME_TRAILER_SIZE);
		for (size_t i = 0; i < fi.payload_length; i++)
			f[H + i] = (uint8_t)rng();
		uint32_t crc = dsr_crc32(0, f.data() + H, fi.payload_length);
		fi.payload_crc = k == K_HDR_CRC ? crc ^ (1u << pick(32)) : crc;
		unsigned field = k == K_FIELD ? pick(9) : 9;
		switch (field) {
		case 3: fi.format = DSR_FORMAT_MONO16 + 1 + pick(100); break;
		case 4: fi.width = pick(2) ? 0 : TB_MAX_WIDTH + 1 + pick(1000); break;
		case 5: fi.height = pick(2) ? 0 : TB_MAX_HEIGHT + 1 + pick(1000); break;
		case 6:
			fi.pixel_bits = pick(2) ? pick(DSR_PIXEL_BITS_MIN) :
						  DSR_PIXEL_BITS_MAX + 1 + pick(100);
			break;
		case 7: fi.payload_length += pick(2) ? 2 : (uint32_t)-2; break;
		case 8: fi.payload_length = (uint32_t)rng(); break;
		default: break;
		}
		dsr_header_pack(&fi, f.data());
		if (field <= 2) {
			// one of the fields dsr_header_pack() writes as constants: magic, version,
			// header size
			size_t off = field == 0 ? DSR_HDR_OFF_MAGIC + pick(4) :
				     field == 1 ? DSR_HDR_OFF_VERSION + pick(2) :
						  DSR_HDR_OFF_HEADER_SIZE + pick(2);
			f[off] ^= (uint8_t)(1u << pick(8));
		}
		size_t end = H + 2 * fi.width * fi.height;
		if (k == K_FIELD)
			end = f.size() - DSR_FRAME_TRAILER_SIZE;	// the trailer where it was built
		dsr_trailer_pack(k == K_TRL_CRC ? crc ^ (1u << pick(32)) : crc, (uint32_t)rng(),
				 f.data() + end);
		if (k == K_TRL_MAGIC)
			f[end + DSR_TRL_OFF_MAGIC + pick(4)] ^= (uint8_t)(1u << pick(8));
		if (k == K_PAYLOAD)
			f[H + pick(fi.payload_length)] ^= (uint8_t)(1u << pick(8));
		if (k == K_CUT) {
			// anywhere, or (half the time) within a few halves of the header's end or
			// inside the trailer, where the state changes
			size_t halves = f.size() / 2, cut = pick((unsigned)halves);
			if (pick(2))
				cut = pick(2) ? H / 2 - 2 + pick(4) :
					       halves - DSR_FRAME_TRAILER_SIZE / 2 + pick(DSR_FRAME_TRAILER_SIZE / 2);
			f.resize(2 * std::min(cut, halves - 1));
		}
		if (k == K_EXTRA)
			for (unsigned i = 1 + pick(6); i--;)
				f.push_back((uint8_t)rng()), f.push_back((uint8_t)rng());
		if (k == K_EMPTY)
			f.clear();
		return f;
	}

	// One transfer: its words onto the input queue and its expected outcome.
	void add_transfer(Kind k)
	{
		std::vector<uint8_t> f = frame(k);
		kinds[k]++;
		std::vector<Pixel> px;
		Verdict v;
		if (expect_transfer(f, px, v))
			want_v.push_back(v);
		want_px.insert(want_px.end(), px.begin(), px.end());
		bool zlp = f.empty() || pick(4) == 0;
		for (size_t i = 0; i < f.size(); i += 4) {
			Word w = {rd16(f, i), 1, false};
			if (i + 2 < f.size()) {
				w.data |= (uint32_t)rd16(f, i + 2) << 16;
				w.keep = 3;
			} else {
				w.data |= (uint32_t)rng() << 16;	// the half not kept: junk
				one_half_words++;
			}
			w.last = !zlp && i + 4 >= f.size();
			in.push_back(w);
		}
		if (zlp) {
			in.push_back({(uint32_t)rng(), 0, pick(4) != 0});
			zlp_ends++;
		}
	}

	void tick()
	{
		auto *d = dut.get();
		if (pick(64) == 0)
			in_pct = pick(3) == 0 ? 100 : 10 + pick(90);
		if (pick(64) == 0)
			out_pct = pick(3) == 0 ? 100 : 5 + pick(95);
		// input: a word, once offered, stays until taken
		if (!d->s_valid && !in.empty() && pick(100) < in_pct) {
			d->s_valid = 1;
			d->s_data = in.front().data;
			d->s_keep = in.front().keep;
			d->s_last = in.front().last;
		}
		d->m_ready = pick(100) < out_pct;
		d->clk = 0;
		d->eval();
		bool in_fire = d->s_valid && d->s_ready;
		if (d->m_valid && d->m_ready)
			got_px.push_back({(uint16_t)d->m_pixel, (bool)d->m_sof, (bool)d->m_eol});
		if (d->m_valid && !d->m_ready)
			stalls++;
		if (d->frame_ok && d->frame_bad)
			fail("frame_ok and frame_bad together");
		if (d->frame_ok || d->frame_bad)
			got_v.push_back({(bool)d->frame_ok, (bool)d->frame_reference, true});
		bool held = d->m_valid && !d->m_ready;
		uint32_t held_px = d->m_pixel, held_flags = d->m_sof | d->m_eol << 1;
		d->clk = 1;
		d->eval();
		cycles++;
		if (in_fire) {
			in.pop_front();
			d->s_valid = 0;
		}
		if (held) {
			d->clk = 0;
			d->eval();
			if (!d->m_valid || d->m_pixel != held_px ||
			    (uint32_t)(d->m_sof | d->m_eol << 1) != held_flags)
				fail("the output changed while m_ready was low");
		}
	}

	void reset()
	{
		dut->rst = 1;
		dut->s_valid = 0;
		dut->m_ready = 0;
		for (int i = 0; i < 4; i++) {
			dut->clk = 0;
			dut->eval();
			dut->clk = 1;
			dut->eval();
		}
		dut->rst = 0;
	}
};

int main(int argc, char **argv)
{
	uint64_t seed = 1;
	unsigned transfers = 3000;
	for (int i = 1; i < argc; i++) {
		if (!strncmp(argv[i], "+seed=", 6))
			seed = strtoull(argv[i] + 6, nullptr, 0);
		else if (!strncmp(argv[i], "+transfers=", 11))
			transfers = (unsigned)strtoul(argv[i] + 11, nullptr, 0);
	}
	Bench b(seed);
	b.reset();
	// every kind first (so a short run covers them), then a random mix, good ones
	// about a third
	for (unsigned i = 0; i < transfers; i++) {
		Kind k = i < K_COUNT ? (Kind)i : b.pick(3) == 0 ? K_GOOD : (Kind)b.pick(K_COUNT);
		b.add_transfer(k);
	}
	while (!b.in.empty() && !b.failures)
		b.tick();
	for (int i = 0; i < 64; i++)
		b.tick();

	char m[256];
	if (b.got_v.size() != b.want_v.size()) {
		snprintf(m, sizeof(m), "%zu verdicts, expected %zu", b.got_v.size(), b.want_v.size());
		b.fail(m);
	}
	unsigned ok = 0, bad = 0;
	for (size_t i = 0; i < b.got_v.size() && i < b.want_v.size(); i++) {
		const Verdict &g = b.got_v[i], &w = b.want_v[i];
		ok += g.ok;
		bad += !g.ok;
		if (g.ok != w.ok || (w.check_reference && g.reference != w.reference)) {
			snprintf(m, sizeof(m), "verdict %zu: %s reference=%d, expected %s reference=%d",
				 i, g.ok ? "ok" : "bad", g.reference, w.ok ? "ok" : "bad", w.reference);
			b.fail(m);
		}
	}
	if (b.got_px.size() != b.want_px.size()) {
		snprintf(m, sizeof(m), "%zu pixels out, expected %zu", b.got_px.size(), b.want_px.size());
		b.fail(m);
	}
	for (size_t i = 0; i < b.got_px.size() && i < b.want_px.size(); i++) {
		const Pixel &g = b.got_px[i], &w = b.want_px[i];
		if (g.v != w.v || g.sof != w.sof || g.eol != w.eol) {
			snprintf(m, sizeof(m), "pixel %zu: 0x%04x sof=%d eol=%d, expected 0x%04x sof=%d eol=%d",
				 i, g.v, g.sof, g.eol, w.v, w.sof, w.eol);
			b.fail(m);
			break;
		}
	}
	// a run that saw no good frame, no bad one or no pixel proves nothing
	if (ok == 0 || bad == 0 || b.got_px.empty() || b.zlp_ends == 0 || b.stalls == 0)
		b.fail("the run did not exercise good and bad frames, pixels, zero-length packets and back-pressure");
	printf("tb_frame_check seed=%" PRIu64 ": %zu transfers (", seed, (size_t)transfers);
	for (int k = 0; k < K_COUNT; k++)
		printf("%s%s %u", k ? ", " : "", kind_name[k], b.kinds[k]);
	printf("), %u zero-length ends, %u one-half words; verdicts %u good %u bad, %zu pixels, "
	       "%" PRIu64 " stalled cycles of %" PRIu64 ": %s\n",
	       b.zlp_ends, b.one_half_words, ok, bad, b.got_px.size(), b.stalls, b.cycles,
	       b.failures ? "FAIL" : "pass");
	return b.failures ? 1 : 0;
}
