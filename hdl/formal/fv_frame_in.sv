// fv_frame_in - formal harness for dsr_frame_in's framing rules on a 4 x 4 maximum.
//
// Free inputs: the live stream (valid may drop, sof/eol anywhere, short, long and
// misframed frames), output back-pressure, the context FIFO's block, the next frame's
// parameters and the time (sof_hold is the FIFO's block or !nxt_stable, as dsr_top
// drives it). The active set is modelled as dsr_regs keeps it: it takes the
// next set exactly at a frame start. nxt_stable is as dsr_regs drives it: high exactly when
// the next set is the one of the cycle before (the next set may change in any cycle here).
// The properties look only at ports:
//  - handshake: nothing is accepted while the output stalls; the output holds still;
//  - every output frame is complete and in raster order: sof at (0,0), each pixel the
//    successor of the last, eol/eof exactly at the frame's width/height, the next sof
//    only after eof; one output frame per accepted start;
//  - a beat outside a frame is dropped (nothing emitted, ERR_LONG_FRAME a cycle later);
//  - a pixel emitted without an input beat is padding (value 0, bad); a pixel from a
//    beat carries the masked input and bad exactly when its eol mark is wrong;
//  - a frame starts only when no frame is in progress and the FIFO has room;
//  - BAD_FRAMES counts at most once per input frame; the context push follows the start;
//  - no reference unless the last clean capture had the frame's width and height.
`default_nettype none

module fv_frame_in (
    input logic        clk,
    input logic        s_valid,
    input logic [15:0] s_data,
    input logic        s_sof,
    input logic        s_eol,
    input logic        m_ready,
    input logic        ctx_block,
    input logic [1:0]  nxt_mode,
    input logic [2:0]  nxt_width,
    input logic [2:0]  nxt_height,
    input logic [4:0]  nxt_bits,
    input logic [7:0]  time_lo
);
    logic [63:0] time_now;
    assign time_now = {56'd0, time_lo};   // frame_time only copies it
    localparam int WB = 3, HB = 3, XB = 2, YB = 2;   // MAX_WIDTH = MAX_HEIGHT = 4

    logic          rst;
    logic          s_ready, m_valid, m_sof, m_eol, m_eof, m_bad;
    logic [15:0]   m_live;
    logic [XB-1:0] m_x;
    logic [YB-1:0] m_y;
    logic          ctx_push, frame_noref, sof_accept, bad_frame;
    logic [15:0]   frame_mask;
    logic          err_short, err_long, err_line, in_frame, ref_valid;
    logic [63:0]   frame_time;
    logic [1:0]    act_mode;
    logic [WB-1:0] act_width;
    logic [HB-1:0] act_height;
    logic [4:0]    act_bits;

    // nxt_stable: the next set did not change at the last edge (low after reset)
    logic          nxt_stable, nxt_seen;
    logic [12:0]   nxt_prev;
    always_ff @(posedge clk) begin
        nxt_prev <= {nxt_mode, nxt_width, nxt_height, nxt_bits};
        nxt_seen <= !rst;
    end
    assign nxt_stable = nxt_seen && nxt_prev == {nxt_mode, nxt_width, nxt_height, nxt_bits};

    // the start's hold as dsr_top drives it: the FIFO's block or a commit's cycle
    logic          sof_hold;
    assign sof_hold = ctx_block || !nxt_stable;

    dsr_frame_in #(.WB(WB), .HB(HB)) dut (
        .clk, .rst, .s_valid, .s_ready, .s_data, .s_sof, .s_eol,
        .act_mode, .act_width, .act_height, .act_bits,
        .nxt_mode, .nxt_width, .nxt_height, .nxt_bits, .nxt_stable, .sof_hold, .time_now,
        .rd_slot(1'b0), .wr_slot(1'b0),   // one reference slot (the on-chip build)
        .m_valid, .m_ready, .m_live, .m_x, .m_y, .m_sof, .m_eol, .m_eof, .m_bad,
        .ctx_push, .frame_time, .frame_noref, .frame_mask,
        .sof_accept, .bad_frame, .err_short, .err_long, .err_line, .in_frame, .ref_valid
    );

    logic init = 1'b1;
    always_ff @(posedge clk) init <= 1'b0;
    assign rst = init;

    // parameter sets the register file accepts (dsr_regs checks them at commit)
    always_comb begin
        assume (nxt_width >= 1 && nxt_width <= 4);
        assume (nxt_height >= 1 && nxt_height <= 4);
        assume (nxt_bits >= 12 && nxt_bits <= 16);
    end

    // the active set: reset values of dsr_regs, the next set at each frame start
    always_ff @(posedge clk) begin
        if (rst) begin
            act_mode   <= 2'd0;
            act_width  <= 3'd4;
            act_height <= 3'd4;
            act_bits   <= 5'd12;
        end else if (sof_accept) begin
            act_mode   <= nxt_mode;
            act_width  <= nxt_width;
            act_height <= nxt_height;
            act_bits   <= nxt_bits;
        end
    end

    logic beat, out_beat, fresh;
    assign beat     = s_valid && s_ready;
    assign out_beat = m_valid && m_ready;

    // output side: where the next pixel of the current output frame must be
    logic          o_in_frame;
    logic [XB-1:0] ex;
    logic [YB-1:0] ey;
    always_ff @(posedge clk) begin
        if (rst) begin
            o_in_frame <= 1'b0;
            ex <= '0;
            ey <= '0;
        end else if (out_beat) begin
            o_in_frame <= !m_eof;
            ex <= m_eol ? '0 : m_x + 1'b1;
            ey <= m_eol ? m_y + 1'b1 : m_y;
        end
    end

    // bad-frame pulses since the last frame start (the pulse lags its cause by a cycle)
    logic [1:0] bad_count;
    logic       start_d;
    always_ff @(posedge clk) begin
        if (rst) begin
            bad_count <= '0;
            start_d   <= 1'b0;
        end else begin
            start_d   <= sof_accept;
            bad_count <= (start_d ? 2'd0 : bad_count) + {1'b0, bad_frame};
        end
    end

    // a frame start that keeps waiting with the output free and FIFO room is accepted
    // once the frame in progress is padded out (at most 4 x 4 pixels): short frames
    // never hang the input
    logic [4:0] sof_wait;
    always_ff @(posedge clk) begin
        if (rst || !(s_valid && s_sof && m_ready && !ctx_block && nxt_stable) || sof_accept) sof_wait <= '0;
        else if (sof_wait != 5'h1f) sof_wait <= sof_wait + 1'b1;
    end

    // the reference's size: that of the last capture frame whose pixels all came out
    // clean (the output register shows a pixel the cycle after it was emitted)
    logic          m_ready_d, o_bad, clean_cap_end;
    logic [WB-1:0] r_w, eff_w;
    logic [HB-1:0] r_h, eff_h;
    assign clean_cap_end = !init && m_ready_d && m_valid && m_eof && act_mode == 2'd1 && !m_bad
                        && (m_sof || !o_bad);
    assign eff_w = clean_cap_end ? act_width : r_w;
    assign eff_h = clean_cap_end ? act_height : r_h;
    always_ff @(posedge clk) begin
        m_ready_d <= m_ready;
        if (rst) begin
            o_bad <= 1'b0;
            r_w   <= '0;
            r_h   <= '0;
        end else begin
            if (m_ready_d && m_valid) o_bad <= (m_sof ? 1'b0 : o_bad) | m_bad;
            r_w <= eff_w;
            r_h <= eff_h;
        end
    end

    logic [15:0] mask;
    assign mask = 16'hffff >> (5'd16 - act_bits);

    always_ff @(posedge clk) begin
        if (!init) begin
            // handshake
            if (s_ready) assert (m_ready);
            if (sof_accept) assert (!in_frame && !ctx_block && nxt_stable);
            // raster order, sizes, frame completion (for every pixel taken)
            if (m_valid) begin
                assert ({1'b0, m_x} < act_width && {1'b0, m_y} < act_height);
                assert (m_eol == ({1'b0, m_x} == act_width - 1'b1));
                assert (m_eof == (m_eol && {1'b0, m_y} == act_height - 1'b1));
                if (m_sof) assert (!o_in_frame && m_x == '0 && m_y == '0);
                else       assert (o_in_frame && m_x == ex && m_y == ey);
            end
            assert (bad_count <= 2'd1);
            assert (sof_wait <= 5'd17);
        end
        if (!init && !$past(init)) begin
            // the output holds still while stalled
            if ($past(m_valid && !m_ready)) begin
                assert (m_valid);
                assert ({m_live, m_x, m_y, m_sof, m_eol, m_eof, m_bad}
                        == $past({m_live, m_x, m_y, m_sof, m_eol, m_eof, m_bad}));
            end
            if ($past(m_ready)) begin
                // one output frame per accepted start, its first pixel right after
                assert ((m_valid && m_sof) == $past(sof_accept));
                // a dropped beat emits nothing; padding is 0 and bad; a beat's pixel
                // is the masked input, bad exactly when its eol mark is wrong
                if ($past(beat && !s_sof && !in_frame)) assert (!m_valid);
                if (m_valid && !$past(beat)) assert (m_live == 16'd0 && m_bad);
                if (m_valid && $past(beat)) begin
                    assert (m_live == ($past(s_data) & mask));
                    assert (m_bad == ($past(s_eol) != m_eol));
                end
            end
            assert (err_long == $past(beat && !s_sof && !in_frame));
            assert (err_line == ($past(beat && (s_sof || in_frame)) && m_bad));
            assert (ctx_push == $past(sof_accept));
            if (in_frame || ctx_push) assert (frame_mask == mask);   // the frame's depth (frame table)
            if (ctx_push) assert (frame_time == $past(time_now));
            // a capture start drops the reference (unless its single pixel renews it)
            if ($past(sof_accept && nxt_mode == 2'd1 && !(nxt_width == 1 && nxt_height == 1)))
                assert (!ref_valid);
            // warp/subtract see the reference only if it is valid and of the same size
            if ($past(sof_accept))
                assert (frame_noref == !$past(ref_valid && eff_w == nxt_width && eff_h == nxt_height));
            if (clean_cap_end) assert (ref_valid);
            // the reference becomes valid only with a clean capture frame's last pixel
            if (ref_valid && !$past(ref_valid))
                assert (m_valid && m_eof && !m_bad && act_mode == 2'd1);
        end
    end

    always_ff @(posedge clk) begin
        if (!init && !$past(init)) begin
            cover (m_valid && m_ready && m_eof && m_bad && m_live == 0 && !$past(beat)); // padded short frame
            cover (err_long);
            cover (err_line && m_eof);
            cover (m_valid && m_sof && m_eof);                                     // 1 x 1
            cover ($past(out_beat && m_eof) && out_beat && m_sof);                 // back to back
            cover (ref_valid && !$past(ref_valid) && act_width == 2 && act_height == 2);
            cover (s_valid && s_sof && !in_frame && ctx_block && m_ready);         // FIFO full
            cover (sof_wait == 5'd16);  // longest wait (17, the bound assumed above, is not reached in 70 cycles of BMC)
            cover (bad_frame && !$past(sof_accept) && !err_long && !err_short);    // misframed
        end
    end
endmodule

`default_nettype wire
