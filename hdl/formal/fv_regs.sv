// fv_regs - formal harness for dsr_regs' commit rules and LUT bank bookkeeping
// (MAX_WIDTH = MAX_HEIGHT = 4, PIXEL_BITS_MAX = 12).
//
// A reference model beside the DUT follows the bus: the shadow values that the commit
// check reads, the pending and active sets, the LUT's dirty/swap/active state, the sticky
// ERROR bits. Properties, all on ports:
//  - nxt_* change only in the cycle after an accepted commit, where nxt_stable is low (and
//    in the first cycle after reset);
//  - a refused commit changes nothing; an accepted one is pending (nxt_*, STATUS) until
//    the next frame start, where the active set takes it and GENERATION advances exactly
//    once; a commit in the same cycle as a frame start waits for the following one;
//  - the LUT banks swap at the frame start only if the committed shadow bank was written;
//    port A always addresses the shadow bank;
//  - no pixel ever meets a LUT bank being written: the pipeline is modelled as a queue of
//    the frames in flight (up to 4), each with the bank it started with; pixels read the
//    oldest frame's bank; a LUT write to a bank that a frame in flight uses is an error;
//  - a write takes effect a cycle after its acceptance (the model registers the accepted
//    write, wq_*, and acts on that); reg_ready is low only in that cycle, for a LUT_DATA
//    write, or for a LUT_DATA read while port A takes a write (a LUT write reaches port A
//    two cycles after its acceptance, modelled as done from its write stage on); a read
//    answers exactly five cycles after its acceptance; ERROR is sticky and
//    write-1-to-clear, per bit (LUT_RANGE not modelled here).
`default_nettype none

module fv_regs (
    input logic        clk,
    input logic        reg_valid,
    input logic        reg_write,
    input logic [11:0] reg_addr,
    input logic [31:0] reg_wdata,
    input logic [15:0] lut_rdata,
    input logic        sof_accept,
    input logic        frame_out,
    input logic        bad_frame,
    input logic        err_short,
    input logic        err_long,
    input logic        err_line,
    input logic        in_frame,
    input logic        ref_valid,
    input logic        px_read,      // the pipeline reads a pixel's LUT entry now
    input logic        px_done       // the oldest frame in flight has no pixels left
);
    localparam int MW = 4, MH = 4, PB = 12, WB = 3, HB = 3;

    logic          rst;
    logic          reg_ready, reg_rvalid;
    logic [31:0]   reg_rdata;
    logic [1:0]    act_mode, nxt_mode;
    logic [WB-1:0] act_width, nxt_width;
    logic [HB-1:0] act_height, nxt_height;
    logic [4:0]    act_bits, nxt_bits;
    logic          nxt_stable, nxt_change;
    logic [31:0]   act_a11, act_a12, act_a21, act_a22, act_tx, act_ty, act_generation;
    logic [15:0]   act_gain, act_midgrey;
    logic [31:0]   act_h31, act_h32;
    logic          act_lut_bank, act_lut_identity;
    logic          lut_wr, lut_bank;
    logic [PB-1:0] lut_addr;
    logic [15:0]   lut_wdata;
    logic [63:0]   time_now;
    logic          lut_pixel_read, lut_pixel_bank;

    dsr_regs #(.MAX_WIDTH(MW), .MAX_HEIGHT(MH), .PIXEL_BITS_MAX(PB), .WB(WB), .HB(HB)) dut (
        .clk, .rst,
        .reg_valid, .reg_ready, .reg_write, .reg_addr, .reg_wdata, .reg_rvalid, .reg_rdata,
        .act_mode, .act_width, .act_height, .act_bits,
        .act_a11, .act_a12, .act_a21, .act_a22, .act_tx, .act_ty, .act_h31, .act_h32,
        .act_gain, .act_midgrey, .act_generation, .act_lut_bank, .act_lut_identity,
        .nxt_mode, .nxt_width, .nxt_height, .nxt_bits, .nxt_stable, .nxt_change,
        .lut_wr, .lut_bank, .lut_addr, .lut_wdata, .lut_rdata,
        .lut_pixel_read, .lut_pixel_bank, .time_now,
        .sof_accept, .frame_out, .bad_frame, .err_short, .err_long, .err_line,
        .in_frame, .ref_valid
    );

    logic init = 1'b1;
    always_ff @(posedge clk) init <= 1'b0;
    assign rst = init;

    // port A's write as dsr_lut does it: lut_wr and its bank registered, the write the
    // next cycle (lut_we: the cycle port A writes)
    logic lut_we = 1'b0, lut_we_bank = 1'b0;
    always_ff @(posedge clk) begin
        lut_we      <= !rst && lut_wr;
        lut_we_bank <= lut_bank;
    end

    logic acc, wr, rd, commit;
    assign acc       = reg_valid && reg_ready;
    assign wr        = acc && reg_write;
    assign rd        = acc && !reg_write;
    // the write accepted at the last edge, which takes effect now
    logic        wq_v = 1'b0;
    logic [11:0] wq_a;
    logic [31:0] wq_d;
    always_ff @(posedge clk) begin
        wq_v <= !rst && wr;
        wq_a <= reg_addr;
        wq_d <= reg_wdata;
    end
    assign commit    = wq_v && wq_a == dsr_pkg::DSR_REG_CTRL && wq_d[0];

    // ---- model: shadow values the check reads, the check itself (dsr_params_check)
    logic [31:0] s_mode, s_width, s_height, s_bits;
    logic [31:0] s_midgrey, s_gain, s_h31, s_h32;
    always_ff @(posedge clk) begin
        if (rst) begin
            s_mode <= 0; s_width <= MW; s_height <= MH; s_bits <= 12; s_midgrey <= 2048;
            s_gain <= 256; s_h31 <= 0; s_h32 <= 0;
        end else if (wq_v) begin
            if (wq_a == dsr_pkg::DSR_REG_MODE)       s_mode    <= wq_d;
            if (wq_a == dsr_pkg::DSR_REG_WIDTH)      s_width   <= wq_d;
            if (wq_a == dsr_pkg::DSR_REG_HEIGHT)     s_height  <= wq_d;
            if (wq_a == dsr_pkg::DSR_REG_PIXEL_BITS) s_bits    <= wq_d;
            if (wq_a == dsr_pkg::DSR_REG_MIDGREY)    s_midgrey <= wq_d;
            if (wq_a == dsr_pkg::DSR_REG_GAIN)       s_gain    <= wq_d;
            if (wq_a == dsr_pkg::DSR_REG_H31)        s_h31     <= wq_d;
            if (wq_a == dsr_pkg::DSR_REG_H32)        s_h32     <= wq_d;
        end
    end
    logic ok;
    assign ok = s_mode <= 3 && s_width >= 1 && s_width <= MW && s_height >= 1 && s_height <= MH
             && s_bits >= 12 && s_bits <= PB && s_midgrey < (32'd1 << s_bits)
             && s_gain <= 32'hffff
             && $signed(s_h31) <= $signed(dsr_pkg::DSR_H_PERSP_MAX)
             && $signed(s_h31) >= -$signed(dsr_pkg::DSR_H_PERSP_MAX)
             && $signed(s_h32) <= $signed(dsr_pkg::DSR_H_PERSP_MAX)
             && $signed(s_h32) >= -$signed(dsr_pkg::DSR_H_PERSP_MAX);

    // ---- model: pending/active sets, LUT banks. A committed table becomes active at once
    // when no frame is in flight (started, last word not yet taken), else at the frame
    // start that activates the commit.
    logic idle;
    logic          m_pend, m_dirty, m_swap, m_bank;
    logic [1:0]    p_mode, a_mode;
    logic [WB-1:0] p_width, a_width;
    logic [HB-1:0] p_height, a_height;
    logic [4:0]    p_bits, a_bits;
    always_ff @(posedge clk) begin
        if (rst) begin
            m_pend <= 0; m_dirty <= 0; m_swap <= 0; m_bank <= 0;
            a_mode <= 0; a_width <= MW; a_height <= MH; a_bits <= 12;
        end else begin
            if (m_swap && idle) begin
                m_bank <= !m_bank;
                m_swap <= 0;
            end
            if (sof_accept && m_pend) begin
                m_pend <= 0;
                {a_mode, a_width, a_height, a_bits} <= {p_mode, p_width, p_height, p_bits};
                if (m_swap) begin
                    m_bank <= !m_bank;
                    m_swap <= 0;
                end
            end
            if (lut_we) m_dirty <= 1;   // in range (past the end is refused)
            if (commit && ok) begin
                m_pend <= 1;
                {p_mode, p_width, p_height, p_bits} <=
                    {s_mode[1:0], s_width[WB-1:0], s_height[HB-1:0], s_bits[4:0]};
                // the write on port A now was accepted a cycle ago: it counts
                if (m_dirty || lut_we) begin
                    if (idle) m_bank <= !m_bank;
                    else m_swap <= 1;
                    m_dirty <= 0;
                end
            end
        end
    end

    // ---- model: sticky errors, W1C
    logic [3:0] m_err, err_set;
    assign err_set = {commit && !ok, err_line, err_long, err_short};
    always_ff @(posedge clk) begin
        if (rst) m_err <= 0;
        else if (wq_v && wq_a == dsr_pkg::DSR_REG_ERROR) m_err <= (m_err & ~wq_d[3:0]) | err_set;
        else m_err <= m_err | err_set;
    end

    // ---- environment: frames in flight, each with its LUT bank, oldest first. A frame
    // start enters with the bank that becomes active; pixels read the oldest frame's bank.
    localparam int QD = 4;
    logic [QD-1:0] q_bank;
    logic [2:0]    q_n;
    logic [2:0]    fl_n;       // frames started (as of start_d), not yet output
    logic          start_d;
    always_ff @(posedge clk) begin
        if (rst) begin
            q_n <= 0; start_d <= 0; fl_n <= 0;
        end else begin
            start_d <= sof_accept;
            fl_n <= fl_n + {2'd0, start_d} - {2'd0, frame_out};
            case ({start_d, px_done && q_n != 0})
                2'b10: begin q_bank[q_n[1:0]] <= act_lut_bank; q_n <= q_n + 1'b1; end
                2'b01: begin q_bank <= q_bank >> 1; q_n <= q_n - 1'b1; end
                2'b11: begin q_bank <= q_bank >> 1; q_bank[q_n[1:0] - 1'b1] <= act_lut_bank; end
                default: ;
            endcase
        end
    end
    assign lut_pixel_read = px_read && q_n != 0;
    assign lut_pixel_bank = q_bank[0];
    always_comb begin
        assume (!(start_d && q_n == QD[2:0] && !px_done));   // model depth
        assume (!(sof_accept && start_d));                     // a frame has >= 1 pixel
        // a frame is output only after its last LUT read (it left the queue)
        assume (!frame_out || fl_n > q_n);
        assume (!(start_d && fl_n == 3'd7));
    end

    assign idle = fl_n == 0 && !start_d && !sof_accept;

    logic in_use0, in_use1;   // a frame in flight uses bank 0 / 1
    always_comb begin
        in_use0 = 0; in_use1 = 0;
        for (int i = 0; i < QD; i++) begin
            if (i < q_n && !q_bank[i]) in_use0 = 1;
            if (i < q_n && q_bank[i]) in_use1 = 1;
        end
    end

    // ---- properties
    always_ff @(posedge clk) begin
        if (!init) begin
            assert (nxt_mode == (m_pend ? p_mode : a_mode));
            assert (nxt_width == (m_pend ? p_width : a_width));
            assert (nxt_height == (m_pend ? p_height : a_height));
            assert (nxt_bits == (m_pend ? p_bits : a_bits));
            assert ({act_mode, act_width, act_height, act_bits} == {a_mode, a_width, a_height, a_bits});
            assert (act_lut_bank == m_bank);
            assert (lut_bank == !act_lut_bank);
            if (!reg_ready) assert (wq_v || (reg_addr == dsr_pkg::DSR_REG_LUT_DATA && (reg_write || lut_we)));
            // a LUT write reaches dsr_lut exactly in the write stage of an accepted LUT_DATA
            // write (one past the end is refused)
            if (lut_wr) assert (wq_v && wq_a == dsr_pkg::DSR_REG_LUT_DATA);
            // the hazard: a LUT write into a bank a frame in flight reads
            if (lut_we) assert (lut_we_bank ? !in_use1 : !in_use0);
            // the bank the write was accepted for is still the shadow bank when it lands
            if (lut_we) assert (lut_we_bank == lut_bank);
        end
        if (!init && !$past(init)) begin
            assert (act_generation == $past(act_generation) + {31'd0, $past(sof_accept && m_pend)});
            // dsr_frame_in's registered copy of nxt_* is current whenever nxt_stable
            if (nxt_stable)
                assert ({nxt_mode, nxt_width, nxt_height, nxt_bits}
                        == $past({nxt_mode, nxt_width, nxt_height, nxt_bits}));
            assert (nxt_stable == !$past(commit && ok));
            assert (nxt_stable == !$past(nxt_change));   // dsr_top's sof_hold register
        end
        if (!init && !$past(init) && !$past(init, 2) && !$past(init, 3) && !$past(init, 4)
            && !$past(init, 5)) begin
            assert (reg_rvalid == $past(rd, 5));
            if ($past(rd && reg_addr == dsr_pkg::DSR_REG_STATUS, 5))
                assert (reg_rdata[1] == $past(m_pend, 5));
            if ($past(rd && reg_addr == dsr_pkg::DSR_REG_ERROR, 5))
                assert (reg_rdata[3:0] == $past(m_err, 5));
        end
    end

    always_ff @(posedge clk) begin
        if (!init && !$past(init)) begin
            cover ($past(commit && sof_accept && m_pend) && m_pend);     // commit with a frame start
            cover (act_lut_bank && $past(!act_lut_bank));                // a swap
            cover (!reg_ready && reg_valid && wq_v);                     // an access meets a write in flight
            cover (!reg_ready && reg_valid && !wq_v);                    // LUT write held off
            cover ($past(!reg_ready && reg_valid && reg_write && !wq_v, 3) && lut_we);  // ... then let through
            cover ($past(commit && !ok) && m_err[3]);                    // refused commit
            cover (q_n == 3 && in_use0 && in_use1);                      // frames of both banks
        end
    end
endmodule

`default_nettype wire
