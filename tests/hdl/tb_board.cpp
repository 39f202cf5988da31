// tb_board.cpp - the board mirror: expected behaviour of dsr_top from its handshakes.
//
// Every rule here is the documented one (dsr_hw.h, hdl/README.md); where the RTL and
// this file disagree the testbench fails, so this is the second, independent statement
// of the register file and framing behaviour, and dsr_model_frame() is the pixels'.
#include "tb_board.h"

#include <cstdio>
#include <cstring>

// Reset values of the board (hdl/README.md).
BoardMirror::BoardMirror(uint32_t mw, uint32_t mh, uint32_t bm)
	: max_w(mw), max_h(mh), bits_max(bm)
{
	sh_mode = DSR_MODE_PASS;
	sh_width = mw < 64 ? mw : 64;
	sh_height = mh < 64 ? mh : 64;
	sh_bits = DSR_PIXEL_BITS_MIN;
	sh_a[0] = 1 << DSR_A_FRAC_BITS;
	sh_a[1] = 0;
	sh_a[2] = 0;
	sh_a[3] = 1 << DSR_A_FRAC_BITS;
	sh_t[0] = sh_t[1] = 0;
	sh_h[0] = sh_h[1] = 0;
	sh_gain = 1u << DSR_GAIN_FRAC_BITS;
	sh_midgrey = 1u << (DSR_PIXEL_BITS_MIN - 1);
	act = shadow_params();
	pend = act;
	bank[0].assign(1u << bits_max, 0);
	bank[1].assign(1u << bits_max, 0);
}

// The shadow registers as a parameter set (what a commit would take).
struct dsr_params BoardMirror::shadow_params() const
{
	struct dsr_params p = {};

	p.mode = sh_mode;
	p.width = sh_width;
	p.height = sh_height;
	p.pixel_bits = sh_bits;
	p.a11 = sh_a[0];
	p.a12 = sh_a[1];
	p.a21 = sh_a[2];
	p.a22 = sh_a[3];
	p.tx = sh_t[0];
	p.ty = sh_t[1];
	p.h31 = sh_h[0];
	p.h32 = sh_h[1];
	p.gain = sh_gain;
	p.midgrey = sh_midgrey;
	return p;
}

// A register write accepted on the bus.
void BoardMirror::reg_write(uint32_t addr, uint32_t d)
{
	switch (addr) {
	case DSR_REG_MODE: sh_mode = d; break;
	case DSR_REG_WIDTH: sh_width = d; break;
	case DSR_REG_HEIGHT: sh_height = d; break;
	case DSR_REG_PIXEL_BITS: sh_bits = d; break;
	case DSR_REG_A11: sh_a[0] = (int32_t)d; break;
	case DSR_REG_A12: sh_a[1] = (int32_t)d; break;
	case DSR_REG_A21: sh_a[2] = (int32_t)d; break;
	case DSR_REG_A22: sh_a[3] = (int32_t)d; break;
	case DSR_REG_TX: sh_t[0] = (int32_t)d; break;
	case DSR_REG_TY: sh_t[1] = (int32_t)d; break;
	case DSR_REG_H31: sh_h[0] = (int32_t)d; break;
	case DSR_REG_H32: sh_h[1] = (int32_t)d; break;
	case DSR_REG_GAIN: sh_gain = d; break;		// all 32 bits, checked at commit
	case DSR_REG_MIDGREY: sh_midgrey = d; break;
	case DSR_REG_LUT_ADDR:
		if (d < (1u << bits_max))
			lut_index = d;
		else
			error_bits |= DSR_ERR_LUT_RANGE;	// refused, index unchanged
		break;
	case DSR_REG_LUT_DATA:
		if (swap_pending)
			violation = "LUT_DATA write accepted while a committed LUT waits for its frame start";
		if (lut_index == (1u << bits_max)) {
			error_bits |= DSR_ERR_LUT_RANGE;	// past the end: dropped
			break;
		}
		bank[!lut_active][lut_index] = (uint16_t)d;
		loaded[!lut_active] = true;
		dirty = true;
		lut_index++;
		break;
	case DSR_REG_ERROR: error_bits &= ~d; break;
	case DSR_REG_CTRL:
		if (d & DSR_CTRL_COMMIT) {
			struct dsr_params p = shadow_params();
			bool ok = dsr_params_check(&p, max_w, max_h, NULL) == 0 &&
				  p.pixel_bits <= bits_max;
			if (ok) {
				pend = p;
				pend_valid = true;
				// a dirty shadow LUT goes with the commit: active at once when
				// no frame is in flight (no pixel can tell), else at the start
				if (dirty) {
					if (idle())
						lut_swap(now_cycle);
					else
						swap_pending = true;
					dirty = false;
				}
			} else {
				error_bits |= DSR_ERR_BAD_PARAMS;
				if (!(d & DSR_CTRL_CLEAR_COUNTERS))
					param_errors++;
			}
		}
		if (d & DSR_CTRL_CLEAR_COUNTERS)
			frames_in = frames_out = bad_frames = param_errors = 0;
		break;
	default:
		break;
	}
}

// What a read accepted now will return.
uint32_t BoardMirror::reg_read(uint32_t addr, uint64_t now, bool *known)
{
	uint32_t status = 0;

	*known = true;
	switch (addr) {
	case DSR_REG_ID: return DSR_ID_VALUE;
	case DSR_REG_VERSION: return DSR_RTL_VERSION;
	case DSR_REG_MAX_WIDTH: return max_w;
	case DSR_REG_MAX_HEIGHT: return max_h;
	case DSR_REG_STATUS:
		if (open)
			status |= DSR_STATUS_IN_FRAME;
		if (pend_valid)
			status |= DSR_STATUS_COMMIT_PENDING;
		if (ref_valid)
			status |= DSR_STATUS_REF_VALID;
		if (error_bits)
			status |= DSR_STATUS_ERROR;
		return status;
	case DSR_REG_ERROR: return error_bits;
	case DSR_REG_GENERATION: return gen;
	case DSR_REG_FRAMES_IN: return frames_in;
	case DSR_REG_FRAMES_OUT: return frames_out;
	case DSR_REG_BAD_FRAMES: return bad_frames;
	case DSR_REG_PARAM_ERRORS: return param_errors;
	case DSR_REG_TIME_LO:
		time_hi_latched = now >> 32;
		return (uint32_t)now;
	case DSR_REG_TIME_HI: return (uint32_t)time_hi_latched;
	case DSR_REG_MODE: return sh_mode;
	case DSR_REG_WIDTH: return sh_width;
	case DSR_REG_HEIGHT: return sh_height;
	case DSR_REG_PIXEL_BITS: return sh_bits;
	case DSR_REG_A11: return (uint32_t)sh_a[0];
	case DSR_REG_A12: return (uint32_t)sh_a[1];
	case DSR_REG_A21: return (uint32_t)sh_a[2];
	case DSR_REG_A22: return (uint32_t)sh_a[3];
	case DSR_REG_TX: return (uint32_t)sh_t[0];
	case DSR_REG_TY: return (uint32_t)sh_t[1];
	case DSR_REG_H31: return (uint32_t)sh_h[0];
	case DSR_REG_H32: return (uint32_t)sh_h[1];
	case DSR_REG_GAIN: return sh_gain;
	case DSR_REG_MIDGREY: return sh_midgrey;
	case DSR_REG_LUT_ADDR: return lut_index;
	case DSR_REG_LUT_DATA: {
		if (lut_index == (1u << bits_max)) {
			error_bits |= DSR_ERR_LUT_RANGE;	// past the end: reads 0
			return 0;
		}
		uint32_t v = bank[!lut_active][lut_index];
		*known = loaded[!lut_active];
		lut_index++;
		return v;
	}
	default: return 0;
	}
}

// The LUT banks change roles: the committed shadow bank becomes the active one.
void BoardMirror::lut_swap(uint64_t now)
{
	lut_active ^= 1;
	swap_pending = false;
	last_swap_cycle = now;
}

// An output frame ended (its last word taken) in this cycle.
void BoardMirror::frame_done()
{
	done_now++;
}

// End of a cycle: a committed LUT still waiting while nothing is in flight becomes active
// (this cycle's frame start counts as in flight, this cycle's frame end not yet).
void BoardMirror::tick()
{
	if (swap_pending && idle())
		lut_swap(now_cycle);
	frames_done += done_now;
	done_now = 0;
	now_cycle++;
}

// One more bad input frame, counted once.
void BoardMirror::count_bad()
{
	if (!counted) {
		bad_frames++;
		counted = true;
	}
}

// s_sof presented while a frame is still short of pixels: the board pads it.
void BoardMirror::frame_short_seen()
{
	if (open && !cur.f.bad) {
		error_bits |= DSR_ERR_SHORT_FRAME;
		count_bad();
	}
}

// The frame in progress is complete (all pixels or padded): compute its output.
void BoardMirror::finalize()
{
	struct Current &c = cur;
	size_t n = (size_t)c.f.p.width * c.f.p.height;

	if (c.count < n) {
		error_bits |= DSR_ERR_SHORT_FRAME;
		count_bad();
		c.f.bad = true;
		c.live.resize(n, 0);
	}
	c.f.out.assign(n, 0);
	dsr_model_frame(&c.f.p, c.identity ? NULL : c.lut.data(),
			c.ref ? c.ref->data() : NULL, c.live.data(), c.f.out.data());
	if (c.f.p.mode == DSR_MODE_CAPTURE && !c.f.bad) {
		uint32_t mask = c.f.p.pixel_bits >= 16 ? 0xffff : (1u << c.f.p.pixel_bits) - 1;
		auto r = std::make_shared<std::vector<uint16_t>>(c.live);
		for (auto &v : *r)
			v &= mask;
		ref = r;
		ref_w = c.f.p.width;
		ref_h = c.f.p.height;
		ref_valid = true;
	}
	if (c.f.bad)
		c.f.flags |= DSR_FLAG_BAD;
	c.f.ref = c.ref;
	if (!c.identity)
		c.f.lut = std::make_shared<std::vector<uint16_t>>(c.lut);
	c.f.live = c.live;
	expected.push_back(c.f);
	open = false;
}

// A frame start accepted (s_sof beat): pending parameters and LUT swap take effect.
void BoardMirror::frame_start(uint64_t now)
{
	if (open)
		finalize();
	if (pend_valid) {
		act = pend;
		pend_valid = false;
		gen++;
		if (swap_pending)
			lut_swap(now);
	}
	frames_in++;
	counted = false;
	open = true;

	bool uses_ref = act.mode == DSR_MODE_WARP || act.mode == DSR_MODE_SUBTRACT;
	bool have_ref = ref_valid && ref_w == act.width && ref_h == act.height;

	cur.f = ExpectedFrame();
	cur.f.index = frames_started++;
	cur.f.p = act;
	cur.f.generation = gen;
	cur.f.timestamp = now;
	cur.f.flags = act.mode | (uses_ref && !have_ref ? DSR_FLAG_NO_REFERENCE : 0);
	cur.f.bad = false;
	cur.live.clear();
	cur.count = 0;
	cur.ref = have_ref ? ref : nullptr;
	cur.identity = !loaded[lut_active];
	if (!cur.identity)
		cur.lut = bank[lut_active];
	else
		cur.lut.clear();
	if (cur.lut.size() < DSR_LUT_SIZE && !cur.identity)
		cur.lut.resize(DSR_LUT_SIZE, 0);	// entries beyond the board's depth: unused
	if (act.mode == DSR_MODE_CAPTURE)
		ref_valid = false;
}

// A pixel accepted (the s_sof beat calls frame_start first, then this).
void BoardMirror::pixel(uint16_t data, bool eol)
{
	if (!open) {
		error_bits |= DSR_ERR_LONG_FRAME;
		count_bad();
		return;
	}
	uint32_t x = (uint32_t)(cur.count % cur.f.p.width);
	if (eol != (x == cur.f.p.width - 1)) {
		error_bits |= DSR_ERR_LINE_LENGTH;
		count_bad();
		cur.f.bad = true;
	}
	cur.live.push_back(data);
	cur.count++;
	if (cur.count == (size_t)cur.f.p.width * cur.f.p.height)
		finalize();
}
