// dsr_frame_in - the live input: frame framing, pixel positions, size errors.
//
// Turns the s_* stream (s_sof on the first pixel, s_eol on the last of each line) into
// the pipeline's pixel stream with (x, y), line end, frame end and a bad flag, all
// positional: the configured width and height decide where a line and the frame end,
// the marks on the input are only checked.
//
// Bad input never hangs the pipeline and never leaves a frame unfinished:
//  - s_sof before width*height pixels (short frame): the new frame is held off while
//    padding pixels (value 0, bad) complete the current one; then it starts.
//  - pixels after the last one and before the next s_sof (long frame, or anything
//    before the first s_sof): dropped.
//  - s_eol not exactly on x = width-1: the pixel is marked bad.
// Each input frame with any of these counts once in BAD_FRAMES (bad_frame pulse); every
// output pixel of a short or misframed frame carries bad, so the framer flags the
// frame. A frame starts (sof_accept) only when the context FIFO has room (sof_hold low).
//
// The reference is valid after a capture frame whose last pixel arrived with no error;
// a capture frame start invalidates it. Warp and subtract frames of another size than
// the reference see no reference (frame_noref). Validity and size are kept per reference
// slot (the DRAM build's double buffer): a capture invalidates and validates the slot
// wr_slot named at its start, frames see the slot rd_slot names at theirs. The on-chip
// build ties both to 0 (one slot).
//
// The next frame's parameters (nxt_*, dsr_regs' pending-or-active select) are registered
// here a cycle ahead with everything derived from them (capture flag, line and frame end
// of a first pixel, depth mask, width - 2, height - 2), so nothing from the register
// file's commit state reaches the handshake's enables (timing). nxt_* change only at a
// commit's edge; dsr_regs lowers nxt_stable for the cycle after it and a frame start
// waits for nxt_stable (one cycle more after a commit; the caller raises sof_hold in that
// cycle), so the copies equal nxt_* in every cycle a frame can start.
//
// Stalls: m_ready low freezes the module (s_ready low, outputs held).
`default_nettype none

module dsr_frame_in #(
    parameter int WB = 11,              // bits of a width value (1..MAX_WIDTH)
    parameter int HB = 11,              // bits of a height value
    parameter int XB = WB - 1,          // bits of an x coordinate (MAX_WIDTH a power of 2)
    parameter int YB = HB - 1
) (
    input  logic          clk,
    input  logic          rst,

    input  logic          s_valid,
    output logic          s_ready,
    input  logic [15:0]   s_data,
    input  logic          s_sof,
    input  logic          s_eol,

    // parameters of the frame in progress, and of the one a frame start would begin
    input  logic [1:0]    act_mode,
    input  logic [WB-1:0] act_width,
    input  logic [HB-1:0] act_height,
    input  logic [4:0]    act_bits,
    input  logic [1:0]    nxt_mode,
    input  logic [WB-1:0] nxt_width,
    input  logic [HB-1:0] nxt_height,
    input  logic [4:0]    nxt_bits,
    input  logic          nxt_stable,   // nxt_* did not change at the last edge
    input  logic          sof_hold,     // no frame start: context FIFO full, or !nxt_stable
    input  logic [63:0]   time_now,
    input  logic          rd_slot,      // reference slot frames read
    input  logic          wr_slot,      // reference slot a capture writes

    output logic          m_valid,
    input  logic          m_ready,
    output logic [15:0]   m_live,
    output logic [XB-1:0] m_x,
    output logic [YB-1:0] m_y,
    output logic          m_sof,
    output logic          m_eol,
    output logic          m_eof,
    output logic          m_bad,

    // frame context: pushed one cycle after the frame start; frame_time (the time of the
    // frame start) is valid with ctx_push only
    output logic          ctx_push,
    output logic [63:0]   frame_time,
    output logic          frame_noref,
    output logic [15:0]   frame_mask,   // depth mask of the frame started last (its act_bits)

    // events and status for the register file
    output logic          sof_accept,
    output logic          bad_frame,
    output logic          err_short,
    output logic          err_long,
    output logic          err_line,
    output logic          in_frame,
    output logic          ref_valid
);

    logic          active;       // a frame is in progress (more pixels expected)
    logic          padding;      // completing a short frame with padding pixels
    logic          frame_bad;    // this frame (or the run of dropped pixels) is counted
    logic [XB-1:0] x;
    logic [YB-1:0] y;
    logic [WB-1:0] ref_width;     // of the slot frames read
    logic [HB-1:0] ref_height;
    logic          slot_valid [2];
    logic [WB-1:0] slot_width [2];
    logic [HB-1:0] slot_height [2];
    logic          cap_slot;      // the slot of the capture in progress
    // A clean capture's end sets its slot's flag a cycle later (timing: the line-end check
    // of the last pixel only loads cap_ok_q, not the slot flags' enables); ref_valid sees
    // the flag being set in that cycle, so no reader can tell the difference. cap_ok_q is
    // two registers (timing): cap_last_q, the handshake's part (a frame's last input pixel
    // was emitted), and cap_clean_q, what that pixel's frame and eol mark say if it was
    // taken (s_sof tells a start from a pixel inside the frame then), with no handshake
    logic          cap_last_q;    // a frame's last input pixel was emitted at the last edge
    logic          cap_clean_q;   // ... of a capture frame, clean, if one was
    logic          cap_ok_q;      // a clean capture's last pixel was emitted at the last edge
    logic          cap_ok_slot;   // its slot
    assign cap_ok_q   = cap_last_q && cap_clean_q;
    assign ref_valid  = slot_valid[rd_slot] || (cap_ok_q && cap_ok_slot == rd_slot);
    assign ref_width  = slot_width[rd_slot];
    assign ref_height = slot_height[rd_slot];

    // ---- the next frame's parameters and what follows from them, a cycle behind nxt_*
    // (equal to them whenever nxt_stable: see the header); data registers, no reset
    logic          nq_capture, nq_one_x, nq_one_y, nq_lx0, nq_ly0;
    logic [WB-1:0] nq_width;
    logic [HB-1:0] nq_height;
    logic [15:0]   nq_mask;
    logic [XB-1:0] nq_wm2;
    logic [YB-1:0] nq_hm2;
    // loaded only while nxt_stable is low (the cycle after a commit's edge, and reset):
    // nxt_* keep their value otherwise, so the copies are the same in every cycle; the
    // enable is dsr_regs' nxt_changed register (no path from the commit's logic)
    always_ff @(posedge clk) begin
        if (!nxt_stable) begin
            nq_capture <= nxt_mode == dsr_pkg::DSR_MODE_CAPTURE[1:0];
            nq_width   <= nxt_width;
            nq_height  <= nxt_height;
            nq_one_x   <= nxt_width == WB'(1);
            nq_one_y   <= nxt_height == HB'(1);
            // lx_q / ly_q after a first pixel at (0, 0) that is not its line's last (see
            // the line-end flags below; a width of 1 moves to (0, 1))
            nq_lx0     <= nxt_width <= WB'(2);
            nq_ly0     <= nxt_width == WB'(1) ? nxt_height == HB'(2) : nxt_height == HB'(1);
            nq_mask    <= 16'hffff >> (5'd16 - nxt_bits);
            nq_wm2     <= XB'(nxt_width - WB'(2));
            nq_hm2     <= YB'(nxt_height - HB'(2));
        end
    end

    // ---- handshake: a frame start waits for the previous frame, for FIFO room and for
    // the registered next parameters (nxt_stable): sof_hold is high while either of the
    // last two holds (dsr_top's one register of both), idle_q = !active && !padding a
    // register of its own, loaded with their next values (timing: two inputs of the frame
    // start's cone instead of five)
    logic sof_ok, idle_q;
    assign sof_ok  = idle_q && !sof_hold;
    assign s_ready = m_ready && !padding && (!s_sof || sof_ok);

    logic beat, start, in_beat, drop;
    assign beat    = s_valid && s_ready;
    assign start   = beat && s_sof;
    assign in_beat = beat && !s_sof && active;
    assign drop    = beat && !s_sof && !active;


    // line and frame end for both cases, so the handshake only picks one (timing)
    logic [XB-1:0] px;
    logic [YB-1:0] py;
    logic          last_x, last, cur_last_x, cur_last_y;
    assign px         = start ? '0 : x;
    assign py         = start ? '0 : y;
    // Line and frame end of the running frame as registers (timing: no compare between
    // the handshake and the registers it enables). lx_q == (x == width - 1) and
    // ly_q == (y == height - 1) whenever a frame is active: both follow x and y, which
    // move only when a pixel is emitted, from the frame's width - 2 and height - 2
    // (registered at the start) and whether its width is 1
    logic [XB-1:0] cur_wm2;
    logic [YB-1:0] cur_hm2;
    logic          cur_one_x, lx_q, ly_q;
    assign cur_last_x = lx_q;
    assign cur_last_y = ly_q;
    assign last_x     = start ? nq_one_x : cur_last_x;
    assign last       = start ? nq_one_x && nq_one_y : cur_last_x && cur_last_y;
    logic emit;
    assign emit = m_ready && (padding || start || in_beat);

    logic eol_wrong, short_now;
    assign eol_wrong = (start || in_beat) && (s_eol != last_x);
    assign short_now = s_valid && s_sof && active && !padding;

    // the depth mask, applied after the output register: cur_mask is loaded on the same
    // edge as the frame's first pixel (a start always emits), so live_q & cur_mask is
    // the pixel masked to its own frame's depth in every cycle (timing: the frame start
    // only enables live_q, it no longer selects a mask in front of it)
    logic [15:0] cur_mask, live_q;
    logic        pad_q;      // the output pixel is padding (its value is 0)
    always_ff @(posedge clk) begin
        if (start) begin
            cur_mask <= nq_mask;   // = the mask of act_bits while the frame is active
        end
    end
    assign m_live = pad_q ? 16'd0 : live_q & cur_mask;
    assign frame_mask = cur_mask;
    logic unused_act_bits, unused_act_size, unused_act_mode;
    assign unused_act_bits = ^act_bits;   // the frame's depth is cur_mask
    assign unused_act_size = ^{act_width, act_height};   // the slot's size is taken at the start
    assign unused_act_mode = ^act_mode;   // the frame's mode is cur_capture

    // a capture frame: its flag registered at the start (= act_mode is CAPTURE while the
    // frame is active)
    logic frame_capture, cur_capture;
    assign frame_capture = start ? nq_capture : cur_capture;

    // ---- position, frame state, output register
    always_ff @(posedge clk) begin
        if (rst) begin
            active     <= 1'b0;
            padding    <= 1'b0;
            idle_q     <= 1'b1;
            frame_bad  <= 1'b0;
            x          <= '0;
            y          <= '0;
            m_valid    <= 1'b0;
            cap_slot   <= 1'b0;
            cur_capture <= 1'b0;
            cap_last_q  <= 1'b0;
            cap_clean_q <= 1'b0;
            cap_ok_slot <= 1'b0;
            for (int k = 0; k < 2; k++) begin
                slot_valid[k]  <= 1'b0;
                slot_width[k]  <= '0;
                slot_height[k] <= '0;
            end
            frame_noref <= 1'b1;
        end else begin
            // The frame state: a short frame starts padding, the last pixel emitted ends the
            // frame and its padding. Spelled out per state instead of from emit and last
            // (timing: less of the frame start's cone in front of it): while idle_q only a
            // start moves it (a 1 x 1 frame ends at once), its frame end from nq_*; in a
            // frame the last pixel is lx_q && ly_q, emitted with m_ready while padding and
            // with an input beat without s_sof otherwise. In the clocked block, each change
            // behind its event (simulation: no wire of the s_* inputs evaluated in their
            // input-change region too, no assignment in the cycles without a change)
            if (idle_q) begin
                if (s_valid && s_sof && m_ready && !sof_hold) begin   // = start
                    active <= !(nq_one_x && nq_one_y);
                    idle_q <= nq_one_x && nq_one_y;
                end
            end else if (lx_q && ly_q && m_ready && (padding || (s_valid && !s_sof))) begin
                active  <= 1'b0;
                padding <= 1'b0;
                idle_q  <= 1'b1;
            end
            if (short_now) begin
                padding <= 1'b1;
            end
            // the last clean capture's flag; a capture starting now into the same slot
            // clears it again below (the newer event)
            if (cap_ok_q) begin
                slot_valid[cap_ok_slot] <= 1'b1;
            end
            // a capture is a reference only if every pixel came in cleanly: emit && last &&
            // frame_capture && !padding && !eol_wrong && (start || !frame_bad), with start
            // = s_sof and in_beat = !s_sof whenever emit && !padding
            cap_last_q  <= emit && !padding && last;
            cap_clean_q <= s_sof ? nq_capture && s_eol == nq_one_x
                                 : cur_capture && s_eol == lx_q && !frame_bad;
            cap_ok_slot <= s_sof ? wr_slot : cap_slot;
            if (start) begin
                frame_bad   <= eol_wrong;
                frame_noref <= !(ref_valid && ref_width == nq_width && ref_height == nq_height);
                cap_slot    <= wr_slot;
                cur_capture <= nq_capture;
                if (frame_capture) begin
                    // the size is read only while the slot is valid, so it is taken here
                    // and the capture's end sets one flag (cap_ok_q; timing: the end no
                    // longer enables the size registers)
                    slot_valid[wr_slot]  <= 1'b0;
                    slot_width[wr_slot]  <= nq_width;
                    slot_height[wr_slot] <= nq_height;
                end
            end else if (short_now || drop || eol_wrong) begin
                frame_bad <= 1'b1;
            end
            if (m_ready) begin
                m_valid <= emit;
            end
            // the output register loads whenever the output moves, emitted or not (only
            // m_valid says which): its clock enable is m_ready, not emit (timing: no
            // handshake in front of 40 enables); padding's 0 is applied behind it (pad_q)
            if (m_ready) begin
                live_q <= s_data;
                pad_q  <= padding;
                m_x    <= px;
                m_y    <= py;
                m_sof  <= start;
                m_eol  <= last_x;
                m_eof  <= last;
                m_bad  <= padding || eol_wrong;
            end
            if (emit) begin
                // last_x ? (0, py + 1) : (px + 1, py), the increments from x and y (timing:
                // no carry chain behind the start's select)
                x <= start ? XB'(!nq_one_x) : lx_q ? '0 : x + 1'b1;
                y <= start ? YB'(nq_one_x) : lx_q ? y + 1'b1 : y;
            end
        end
    end

    // the line-end flags follow x and y (see above): x becomes 0 after a line end, else
    // x + 1; y becomes y + 1 after a line end; a start puts the first pixel at (0, 0)
    always_ff @(posedge clk) begin
        if (rst) begin
            lx_q <= 1'b0;
            ly_q <= 1'b0;
        end else if (emit) begin
            if (start) begin
                lx_q <= nq_lx0;
                ly_q <= nq_ly0;
            end else if (lx_q) begin
                lx_q <= cur_one_x;
                ly_q <= y == cur_hm2;
            end else begin
                lx_q <= x == cur_wm2;
            end
        end
    end
    always_ff @(posedge clk) begin
        if (start) begin
            cur_wm2   <= nq_wm2;    // = act_width - 2 while the frame is active
            cur_hm2   <= nq_hm2;
            cur_one_x <= nq_one_x;
        end
    end

    // ---- frame context timing: time of the first pixel, push a cycle later. frame_time
    // is only read with ctx_push, so it follows time_now a cycle behind, without the frame
    // start as clock enable (timing: fan-out of start)
    always_ff @(posedge clk) begin
        if (rst) begin
            ctx_push   <= 1'b0;
            frame_time <= '0;
        end else begin
            ctx_push   <= start;
            frame_time <= time_now;
        end
    end

    // ---- events: each bad input frame counts once; registered (counters lag a cycle),
    // except the frame start, which must switch the parameters with its first pixel.
    // bad_frame = (start && eol_wrong) || (!start && !frame_bad && (short_now || drop ||
    // eol_wrong)) of the last cycle, from three registers (timing: the handshake in front
    // of one register, not of the whole expression): a beat (bf_beat_q), what it counts if
    // one was taken (bf_k_q; s_sof stands for the start then, and a short frame's s_sof is
    // never taken), and a short frame seen (bf_short_q, no handshake)
    logic bf_beat_q, bf_k_q, bf_short_q;
    assign sof_accept = start;
    assign bad_frame  = bf_short_q || (bf_beat_q && bf_k_q);
    always_ff @(posedge clk) begin
        if (rst) begin
            err_short  <= 1'b0;
            err_long   <= 1'b0;
            err_line   <= 1'b0;
            bf_beat_q  <= 1'b0;
            bf_k_q     <= 1'b0;
            bf_short_q <= 1'b0;
        end else begin
            err_short  <= short_now;
            err_long   <= drop;
            err_line   <= eol_wrong;
            bf_beat_q  <= beat;
            bf_k_q     <= s_sof ? s_eol != nq_one_x : !frame_bad && (!active || s_eol != lx_q);
            bf_short_q <= short_now && !frame_bad;
        end
    end
    assign in_frame   = active || padding;

`ifndef SYNTHESIS
    // assertions (Verilator --assert in every test build, Icarus): nothing is taken while
    // the output stalls, which holds still; a frame starts only when the previous one is
    // complete and the context FIFO has room; padding only inside a frame
    logic a_stall, a_nq_load;
    always @(posedge clk) begin
        a_stall <= !rst && m_valid && !m_ready;
        a_nq_load <= !nxt_stable;   // the nq_* copies were loaded at this edge
        if (!rst) begin
            assert (!$isunknown(m_valid) && !$isunknown(s_ready)) else $error("dsr_frame_in: X on valid/ready");
            if (s_ready) assert (m_ready) else $error("dsr_frame_in: ready while the output stalls");
            if (a_stall) assert (m_valid) else $error("dsr_frame_in: valid dropped while stalled");
            if (start) assert (!active && !padding && !sof_hold) else $error("dsr_frame_in: frame start inside a frame or with the FIFO full");
            if (padding) assert (active) else $error("dsr_frame_in: padding outside a frame");
            // the registered next parameters are those of nxt_* whenever a frame may start:
            // the copies of nxt_* in the first stable cycle after a load and at every
            // frame start (issue 13: not every cycle; the copies change only at a load, and
            // dsr_regs asserts nxt_* unchanged in every stable cycle, so any stable cycle
            // would repeat the first one's compare); the values derived from the width and
            // height in that first cycle
            if (nxt_stable && (a_nq_load || start)) begin
                assert (nq_width == nxt_width && nq_height == nxt_height
                        && nq_capture == (nxt_mode == dsr_pkg::DSR_MODE_CAPTURE[1:0])
                        && nq_mask == 16'hffff >> (5'd16 - nxt_bits))
                    else $error("dsr_frame_in: registered next parameters differ from nxt_* while stable");
                if (a_nq_load) begin
                    assert (nq_one_x == (nxt_width == WB'(1)) && nq_one_y == (nxt_height == HB'(1))
                            && nq_lx0 == (nxt_width <= WB'(2))
                            && nq_ly0 == (nxt_width == WB'(1) ? nxt_height == HB'(2) : nxt_height == HB'(1))
                            && nq_wm2 == XB'(nxt_width - WB'(2)) && nq_hm2 == YB'(nxt_height - HB'(2)))
                        else $error("dsr_frame_in: registered next parameters differ from nxt_* while stable");
                end
            end
            if (start) assert (nxt_stable) else $error("dsr_frame_in: frame start with the next parameters changing");
            if (in_frame) assert (cur_capture == (act_mode == dsr_pkg::DSR_MODE_CAPTURE[1:0]))
                else $error("dsr_frame_in: capture flag differs from the active mode");
        end
    end
`ifdef VERILATOR
    // protocol corners for coverage (make -C tests/hdl coverage, --coverage-user)
    c_size_change_w: cover property (@(posedge clk) start && ref_valid && nxt_mode[1] && ref_width != nxt_width);
    c_size_change_h: cover property (@(posedge clk) start && ref_valid && nxt_mode[1] && ref_width == nxt_width && ref_height != nxt_height);
    c_short_padded:  cover property (@(posedge clk) emit && padding && last);
    c_start_blocked: cover property (@(posedge clk) s_valid && s_sof && !active && !padding && sof_hold && nxt_stable && m_ready);
    // a frame start offered in the cycle after a commit's edge (held by sof_hold for it)
    c_start_after_commit: cover property (@(posedge clk) s_valid && s_sof && !active && !padding && !nxt_stable && m_ready);
`endif
`endif

endmodule

`default_nettype wire
