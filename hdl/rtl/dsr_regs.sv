// dsr_regs - the register file: identity, status, counters, shadow parameters, commit.
//
// Bus: a request is accepted when reg_valid && reg_ready. A write takes effect a cycle
// after its acceptance: its address is decoded into a one-hot select and registered with
// its data at the acceptance, and every register's write enable is that select (timing:
// no address decode in front of a clock enable). reg_ready is low in that cycle (no
// access meets a write in flight, so a later read or write sees it done), for a LUT_DATA
// write while the pipeline still reads the shadow bank (see below) and for a LUT_DATA
// read in the cycle after a LUT_DATA write took effect (the LUT's port A performs that
// write then); it never depends on reg_valid. Through the board's register slice (half
// rate: an empty cycle after each access) the write's cycle costs nothing. A read
// answers exactly five cycles after its acceptance (every register alike: the LUT word
// takes that long to come back from block RAMs spread over the die) with one reg_rvalid
// pulse, in order, so reads may be issued back to back. Unknown addresses read 0 and
// ignore writes.
//
// Parameters live three times: shadow (what the host writes and reads back), pending
// (a checked snapshot taken by DSR_CTRL_COMMIT) and active (what the pipeline uses).
// A commit checks the shadow set at once; a bad set raises DSR_ERR_BAD_PARAMS, counts
// PARAM_ERRORS and changes nothing. A good one is copied to pending and becomes active
// at the next frame start (sof_accept), where GENERATION increments. Writing shadow
// registers after a commit therefore never leaks into the pending set.
//
// The LUT has two banks. LUT_DATA writes go to the shadow bank (the one not active) and
// mark it dirty; a commit takes the shadow bank along only if it is dirty, so a commit
// of new affine parameters alone keeps the active LUT. The committed bank becomes the
// active one at once if no frame is in flight (nothing can tell the difference: every
// pixel of the next frame meets it), otherwise at the frame start that activates the
// commit. Until then, and after that swap until no pixel of the old bank is left on its
// way to the LUT, LUT_DATA writes are held off with reg_ready low: an uncommitted write
// can neither reach the committed table nor a table a pixel is still reading. The wait
// ends with the frame start and drain, or when the pipeline runs empty, so it is only
// unbounded while an input frame stays open without pixels. Since the banks swap, the
// new shadow bank holds the previous table: an upload must always write every entry the
// frames will use. A bank never written since reset reads as the identity.
//
// LUT_ADDR counts 0 .. 2^PIXEL_BITS_MAX (one past the last entry, reached by stepping).
// A LUT_ADDR write outside the LUT and a LUT_DATA access past the end are refused (index unchanged, write
// dropped, read 0) with DSR_ERR_LUT_RANGE: nothing wraps silently.
//
// GAIN and MIDGREY keep all 32 written bits, so the commit check sees what the host wrote
// (GAIN <= DSR_GAIN_MAX, MIDGREY < 2^pixel_bits); the pipeline takes the low 16.
//
// Reset values: pass-through mode, 64x64 (or the maximum if smaller), 12 bits, identity
// transform, gain 1.0, midgrey 2048, identity LUT, generation 0, counters 0.
`default_nettype none

module dsr_regs #(
    parameter int MAX_WIDTH      = 1024,
    parameter int MAX_HEIGHT     = 1024,
    parameter int PIXEL_BITS_MAX = 16,
    parameter int WB             = $clog2(MAX_WIDTH + 1),
    parameter int HB             = $clog2(MAX_HEIGHT + 1)
) (
    input  logic                      clk,
    input  logic                      rst,

    // register bus
    input  logic                      reg_valid,
    output logic                      reg_ready,
    input  logic                      reg_write,
    input  logic [11:0]               reg_addr,
    input  logic [31:0]               reg_wdata,
    output logic                      reg_rvalid,
    output logic [31:0]               reg_rdata,

    // the active parameter set (changes only on sof_accept)
    output logic [1:0]                act_mode,
    output logic [WB-1:0]             act_width,
    output logic [HB-1:0]             act_height,
    output logic [4:0]                act_bits,
    output logic [31:0]               act_a11,
    output logic [31:0]               act_a12,
    output logic [31:0]               act_a21,
    output logic [31:0]               act_a22,
    output logic [31:0]               act_tx,
    output logic [31:0]               act_ty,
    output logic [15:0]               act_gain,
    output logic [15:0]               act_midgrey,
    output logic [31:0]               act_h31,
    output logic [31:0]               act_h32,
    output logic [31:0]               act_generation,
    output logic                      act_lut_bank,
    output logic                      act_lut_identity,

    // the set the next frame start will activate
    output logic [1:0]                nxt_mode,
    output logic [WB-1:0]             nxt_width,
    output logic [HB-1:0]             nxt_height,
    output logic [4:0]                nxt_bits,
    // nxt_* did not change at the last edge: low for the cycle after a commit (and after
    // reset); dsr_frame_in registers nxt_* and starts a frame only while this is high
    output logic                      nxt_stable,
    output logic                      nxt_change,   // nxt_* change at this edge (a commit)

    // LUT port A (register side): port A reads lut_addr every cycle; lut_wr is a write
    // of lut_wdata at lut_addr into bank lut_bank accepted now, which dsr_lut registers
    // (a copy per block RAM slice) and performs the next cycle instead of that read
    output logic                      lut_wr,
    output logic                      lut_bank,
    output logic [PIXEL_BITS_MAX-1:0] lut_addr,
    output logic [15:0]               lut_wdata,
    input  logic [15:0]               lut_rdata,
    input  logic                      lut_pixel_read,   // the LUT read a pixel's entry
    input  logic                      lut_pixel_bank,   // from this bank

    // free-running time base (header timestamps)
    output logic [63:0]               time_now,

    // events and state from the pipeline
    input  logic                      sof_accept,
    input  logic                      frame_out,
    input  logic                      bad_frame,
    input  logic                      err_short,
    input  logic                      err_long,
    input  logic                      err_line,
    input  logic                      in_frame,
    input  logic                      ref_valid
);

    localparam int DEF_WIDTH  = MAX_WIDTH < 64 ? MAX_WIDTH : 64;
    localparam int DEF_HEIGHT = MAX_HEIGHT < 64 ? MAX_HEIGHT : 64;
    localparam logic [31:0] A_ONE = 32'd1 << dsr_pkg::DSR_A_FRAC_BITS;
    localparam logic [15:0] GAIN_ONE = 16'd1 << dsr_pkg::DSR_GAIN_FRAC_BITS;
    localparam logic [15:0] DEF_MIDGREY = 16'd1 << (dsr_pkg::DSR_PIXEL_BITS_MIN - 1);
    localparam int LI = PIXEL_BITS_MAX + 1;          // LUT index, one past the end included
    localparam logic [LI-1:0] LUT_END = {1'b1, {PIXEL_BITS_MAX{1'b0}}};

    // the frame store and the coordinate split assume power-of-two maxima
    initial begin
        if (MAX_WIDTH < 4 || (MAX_WIDTH & (MAX_WIDTH - 1)) != 0) begin
            $fatal(1, "dsr_regs: MAX_WIDTH must be a power of two >= 4");
        end
        if (MAX_HEIGHT < 4 || (MAX_HEIGHT & (MAX_HEIGHT - 1)) != 0) begin
            $fatal(1, "dsr_regs: MAX_HEIGHT must be a power of two >= 4");
        end
    end

    // shadow set: every register keeps all 32 bits so the range check is exact
    logic [31:0] sh_mode, sh_width, sh_height, sh_bits;
    logic [31:0] sh_a11, sh_a12, sh_a21, sh_a22, sh_tx, sh_ty;
    logic [31:0] sh_gain, sh_midgrey;
    logic [31:0] sh_h31, sh_h32;
    // the commit check, one flag per rule, each registered when its register is written
    // (timing: the commit's clock enable of the pending set sees flags, no compares)
    logic        sh_mode_ok, sh_width_ok, sh_height_ok, sh_bits_ok;
    logic        sh_gain_ok, sh_midgrey_ok;   // each <= its DSR_*_MAX
    logic        sh_midgrey_fits;             // MIDGREY >> PIXEL_BITS == 0 (see midgrey_fits)
    logic        sh_h31_ok, sh_h32_ok;        // |h| <= DSR_H_PERSP_MAX

    // pending set. pend_valid is kept in PV copies, each fed back from itself (so that
    // synthesis keeps them apart), one per group of active registers: the frame start's
    // clock enable of the ~350 active registers is split over PV nets (timing: fan-out)
    localparam int PV = 4;
    logic [PV-1:0] pend_valid_q;
    logic        pend_valid;
    assign pend_valid = pend_valid_q[0];
    logic [1:0]  pend_mode;
    logic [WB-1:0] pend_width;
    logic [HB-1:0] pend_height;
    logic [4:0]  pend_bits;
    logic [31:0] pend_a11, pend_a12, pend_a21, pend_a22, pend_tx, pend_ty;
    logic [15:0] pend_gain, pend_midgrey;
    logic [31:0] pend_h31, pend_h32;

    // LUT bank bookkeeping
    logic                      lut_active;
    logic                      lut_dirty;
    logic                      lut_swap_pending;
    logic [1:0]                lut_loaded;
    logic [LI-1:0]             lut_index;
    logic                      lut_shadow_busy;   // pixels of the old bank still in flight
    logic [7:0]                frames_inflight;   // started before the last edge, last
                                                  // output word not yet taken
    logic                      sof_q;             // a frame started at the last edge
    logic                      idle;              // no pixel anywhere in the pipeline

    // status, errors, counters
    logic [31:0] error_bits;
    logic [31:0] frames_in, frames_out, bad_frames, param_errors;
    logic [63:0] time_cnt;
    logic [31:0] time_hi_latched;

    logic wr, rd, lut_hold;
    // the shadow bank is committed and waiting, or pixels may still read it
    assign lut_hold  = lut_swap_pending || lut_shadow_busy;
    logic lut_wr_q;   // a LUT_DATA write that took effect last cycle has port A now

    // ---- the write stage: a write accepted at the last edge (wq_valid) takes effect now,
    // its register a one-hot select (wq_sel, decoded from reg_addr at the acceptance), its
    // data wq_data. The writable registers, [k] for select bit k:
    localparam int W_MODE = 0, W_WIDTH = 1, W_HEIGHT = 2, W_BITS = 3, W_A11 = 4, W_A12 = 5,
                   W_A21 = 6, W_A22 = 7, W_TX = 8, W_TY = 9, W_GAIN = 10, W_MIDGREY = 11,
                   W_H31 = 12, W_H32 = 13, W_LUT_ADDR = 14, W_LUT_DATA = 15, W_CTRL = 16,
                   W_ERROR = 17, NW = 18;
    localparam logic [NW*12-1:0] WR_ADDR = {   // 12 bits per register, [0] lowest
        dsr_pkg::DSR_REG_ERROR, dsr_pkg::DSR_REG_CTRL, dsr_pkg::DSR_REG_LUT_DATA,
        dsr_pkg::DSR_REG_LUT_ADDR, dsr_pkg::DSR_REG_H32, dsr_pkg::DSR_REG_H31,
        dsr_pkg::DSR_REG_MIDGREY, dsr_pkg::DSR_REG_GAIN, dsr_pkg::DSR_REG_TY,
        dsr_pkg::DSR_REG_TX, dsr_pkg::DSR_REG_A22, dsr_pkg::DSR_REG_A21, dsr_pkg::DSR_REG_A12,
        dsr_pkg::DSR_REG_A11, dsr_pkg::DSR_REG_PIXEL_BITS, dsr_pkg::DSR_REG_HEIGHT,
        dsr_pkg::DSR_REG_WIDTH, dsr_pkg::DSR_REG_MODE
    };
    logic          wq_valid;
    logic [NW-1:0] wq_sel;    // one-hot, or none for an unknown address
    logic [31:0]   wq_data;
    // the select and data load whenever a write is offered (no acceptance in the enable);
    // the one offered last is the one accepted
    always_ff @(posedge clk) begin
        if (reg_valid && reg_write) begin
            for (int k = 0; k < NW; k++) wq_sel[k] <= reg_addr == WR_ADDR[k*12 +: 12];
            wq_data <= reg_wdata;
        end
    end
    always_ff @(posedge clk) begin
        if (rst) begin
            wq_valid <= 1'b0;
        end else begin
            wq_valid <= wr;
        end
    end
    // the write enable of register k: one LUT from flip-flops
    logic [NW-1:0] wq_en;
    assign wq_en = wq_valid ? wq_sel : '0;

    assign reg_ready = !wq_valid && !(reg_addr == dsr_pkg::DSR_REG_LUT_DATA && (reg_write ? lut_hold : lut_wr_q));
    assign wr = reg_valid && reg_ready && reg_write;
    assign rd = reg_valid && reg_ready && !reg_write;
    // a frame started this cycle is in flight from the next edge on; frames_inflight counts
    // a frame start a cycle later (sof_q: no carry chain behind the input handshake), and a
    // frame's last word leaves the output long after its start
    assign idle = frames_inflight == 8'd0 && !sof_q && !sof_accept;

    // |h| <= DSR_H_PERSP_MAX for a two's complement register, as two compares with
    // constants (no negation in series: timing): h >= -MAX when negative, h <= MAX else
    localparam logic [31:0] PERSP_NEG_MIN = ~dsr_pkg::DSR_H_PERSP_MAX + 32'd1;
    function automatic logic persp_ok(input logic [31:0] h);
        persp_ok = h[31] ? h >= PERSP_NEG_MIN : h <= dsr_pkg::DSR_H_PERSP_MAX;
    endfunction

    // ---- commit check: the same rules as dsr_params_check() with this board's limits,
    // one function per rule, evaluated on the value being written (and, for the one rule
    // that joins two registers, MIDGREY < 2^PIXEL_BITS, on the other's shadow value)
    function automatic logic mode_ok(input logic [31:0] v);
        mode_ok = v <= dsr_pkg::DSR_MODE_MAX;
    endfunction
    function automatic logic width_ok(input logic [31:0] v);
        width_ok = v != 32'd0 && v <= MAX_WIDTH;
    endfunction
    function automatic logic height_ok(input logic [31:0] v);
        height_ok = v != 32'd0 && v <= MAX_HEIGHT;
    endfunction
    function automatic logic bits_ok(input logic [31:0] v);
        bits_ok = v >= dsr_pkg::DSR_PIXEL_BITS_MIN && v <= PIXEL_BITS_MAX;
    endfunction
    // MIDGREY < 2^PIXEL_BITS. Its flag only counts together with the other rules
    // (params_ok ANDs them): with PIXEL_BITS_MIN <= bits <= PIXEL_BITS_MAX (bits_ok) and
    // MIDGREY <= 0xffff (midgrey_ok), (mg >> bits) == 0 is "no bit of mg from bits up
    // to 15 is set", and only bits PIXEL_BITS_MIN .. 15 can be among them. So the flag
    // shifts those few bits by bits - PIXEL_BITS_MIN (timing: a 4-bit shift instead of a
    // 32-bit one by the written value); outside that domain the flag may differ from
    // (mg >> bits) == 0, params_ok never does
    localparam int MG_LO = dsr_pkg::DSR_PIXEL_BITS_MIN;
    function automatic logic midgrey_fits(input logic [15-MG_LO:0] mg_hi,   // mg[15:MG_LO]
                                          input logic [4:0] bits);
        midgrey_fits = (mg_hi >> (bits - 5'(MG_LO))) == '0;
    endfunction

    logic params_ok;
    assign params_ok = sh_mode_ok && sh_width_ok && sh_height_ok && sh_bits_ok
                    && sh_midgrey_fits && sh_gain_ok && sh_midgrey_ok && sh_h31_ok && sh_h32_ok;

    // LUT_DATA accesses: the index must be inside the LUT. A read acts at its acceptance
    // (reg_ready spelled out: a read is accepted without a write in flight and, for
    // LUT_DATA, without lut_wr_q), a write in the write stage; never both in one cycle
    logic lut_access, lut_rd_access, lut_in_range, lut_addr_bad;
    assign lut_rd_access = reg_valid && !reg_write && !wq_valid && !lut_wr_q
                        && reg_addr == dsr_pkg::DSR_REG_LUT_DATA;
    assign lut_access    = lut_rd_access || wq_en[W_LUT_DATA];
    assign lut_in_range  = lut_index != LUT_END;
    assign lut_addr_bad  = wq_en[W_LUT_ADDR] && wq_data >= {{(32 - LI){1'b0}}, LUT_END};

    logic do_commit, do_clear;
    assign do_commit = wq_en[W_CTRL] && (wq_data & dsr_pkg::DSR_CTRL_COMMIT) != 0;
    assign do_clear  = wq_en[W_CTRL] && (wq_data & dsr_pkg::DSR_CTRL_CLEAR_COUNTERS) != 0;

    // ---- shadow registers and LUT index: plain writes
    always_ff @(posedge clk) begin
        if (rst) begin
            sh_mode    <= dsr_pkg::DSR_MODE_PASS;
            sh_width   <= DEF_WIDTH;
            sh_height  <= DEF_HEIGHT;
            sh_bits    <= dsr_pkg::DSR_PIXEL_BITS_MIN;
            sh_a11     <= A_ONE;
            sh_a12     <= '0;
            sh_a21     <= '0;
            sh_a22     <= A_ONE;
            sh_tx      <= '0;
            sh_ty      <= '0;
            sh_gain    <= {16'd0, GAIN_ONE};
            sh_midgrey <= {16'd0, DEF_MIDGREY};
            sh_h31     <= '0;
            sh_h32     <= '0;
            sh_mode_ok      <= 1'b1;
            sh_width_ok     <= 1'b1;
            sh_height_ok    <= 1'b1;
            sh_bits_ok      <= 1'b1;
            sh_gain_ok      <= 1'b1;
            sh_midgrey_ok   <= 1'b1;
            sh_midgrey_fits <= 1'b1;
            sh_h31_ok       <= 1'b1;
            sh_h32_ok       <= 1'b1;
            lut_index  <= '0;
        end else begin
            // one-hot: each register's write enable is wq_valid && its select (wq_en);
            // written as one test of wq_valid around the selects, the same enables, so
            // that the simulator skips all 18 tests in the cycles without a write
            if (wq_valid) begin
                if (wq_sel[W_MODE]) begin
                    sh_mode    <= wq_data;
                    sh_mode_ok <= mode_ok(wq_data);
                end
                if (wq_sel[W_WIDTH]) begin
                    sh_width    <= wq_data;
                    sh_width_ok <= width_ok(wq_data);
                end
                if (wq_sel[W_HEIGHT]) begin
                    sh_height    <= wq_data;
                    sh_height_ok <= height_ok(wq_data);
                end
                if (wq_sel[W_BITS]) begin
                    sh_bits         <= wq_data;
                    sh_bits_ok      <= bits_ok(wq_data);
                    sh_midgrey_fits <= midgrey_fits(sh_midgrey[15:MG_LO], wq_data[4:0]);
                end
                if (wq_sel[W_A11]) sh_a11 <= wq_data;
                if (wq_sel[W_A12]) sh_a12 <= wq_data;
                if (wq_sel[W_A21]) sh_a21 <= wq_data;
                if (wq_sel[W_A22]) sh_a22 <= wq_data;
                if (wq_sel[W_TX])  sh_tx  <= wq_data;
                if (wq_sel[W_TY])  sh_ty  <= wq_data;
                if (wq_sel[W_GAIN]) begin
                    sh_gain    <= wq_data;
                    sh_gain_ok <= wq_data <= dsr_pkg::DSR_GAIN_MAX;
                end
                if (wq_sel[W_MIDGREY]) begin
                    sh_midgrey      <= wq_data;
                    sh_midgrey_ok   <= wq_data <= dsr_pkg::DSR_MIDGREY_MAX;
                    sh_midgrey_fits <= midgrey_fits(wq_data[15:MG_LO], sh_bits[4:0]);
                end
                if (wq_sel[W_H31]) begin
                    sh_h31    <= wq_data;
                    sh_h31_ok <= persp_ok(wq_data);
                end
                if (wq_sel[W_H32]) begin
                    sh_h32    <= wq_data;
                    sh_h32_ok <= persp_ok(wq_data);
                end
                if (wq_sel[W_LUT_ADDR] && !lut_addr_bad) lut_index <= wq_data[LI-1:0];
            end
            // LUT_DATA reads and writes both step the index, up to one past the end
            if (lut_access && lut_in_range) begin
                lut_index <= lut_index + 1'b1;
            end
        end
    end

    // ---- LUT port A: writes into the shadow bank, reads it back. Port A reads lut_index
    // every cycle (a read takes the word of its acceptance cycle); a write, offered to
    // dsr_lut in the write stage, is registered there, beside each slice's block RAMs (the
    // address, data and write enable a copy per slice: no enable or address net from here
    // fans out to every EBR of the LUT), and lands two cycles after its acceptance, when
    // the port does it instead of a read (lut_wr_q holds a LUT_DATA read off for that
    // cycle). The bank cannot change in between: a write is accepted only without a swap
    // pending, and a commit is another access, accepted after the write stage.
    logic lut_wr_now;
    assign lut_wr_now = wq_en[W_LUT_DATA] && lut_in_range;
    always_ff @(posedge clk) begin
        if (rst) begin
            lut_wr_q <= 1'b0;
        end else begin
            lut_wr_q <= lut_wr_now;
        end
    end
    assign lut_wr    = lut_wr_now;
    assign lut_bank  = !lut_active;
    assign lut_addr  = lut_index[PIXEL_BITS_MAX-1:0];
    assign lut_wdata = wq_data[15:0];

    // ---- commit, activation at the frame start, LUT bank swap
    always_ff @(posedge clk) begin
        if (rst) begin
            pend_valid_q     <= '0;
            act_mode         <= dsr_pkg::DSR_MODE_PASS[1:0];
            act_width        <= DEF_WIDTH[WB-1:0];
            act_height       <= DEF_HEIGHT[HB-1:0];
            act_bits         <= dsr_pkg::DSR_PIXEL_BITS_MIN[4:0];
            act_a11          <= A_ONE;
            act_a12          <= '0;
            act_a21          <= '0;
            act_a22          <= A_ONE;
            act_tx           <= '0;
            act_ty           <= '0;
            act_gain         <= GAIN_ONE;
            act_midgrey      <= DEF_MIDGREY;
            act_h31          <= '0;
            act_h32          <= '0;
            act_generation   <= '0;
            lut_active       <= 1'b0;
            lut_dirty        <= 1'b0;
            lut_swap_pending <= 1'b0;
            lut_loaded       <= 2'b00;
            lut_shadow_busy  <= 1'b0;
            frames_inflight  <= '0;
            sof_q            <= 1'b0;
        end else begin
            sof_q           <= sof_accept;
            frames_inflight <= frames_inflight + {7'd0, sof_q} - {7'd0, frame_out};
            // pixels are in order: once one of the active bank was read, none of the
            // other bank is left; with no frame in flight there is no pixel at all
            if ((lut_pixel_read && lut_pixel_bank == lut_active) || idle) begin
                lut_shadow_busy <= 1'b0;
            end
            // a committed table waiting while the pipeline is empty: no pixel can tell
            // it from a swap at the frame start, and the shadow bank is free again
            if (lut_swap_pending && idle) begin
                lut_active       <= !lut_active;
                lut_swap_pending <= 1'b0;
            end
            // the frame start consumes whatever was pending before this cycle; every
            // copy of pend_valid holds the same value, each enables its own group
            for (int k = 0; k < PV; k++) begin
                if (sof_accept && pend_valid_q[k]) pend_valid_q[k] <= 1'b0;
            end
            if (sof_accept && pend_valid_q[1]) begin
                act_a11 <= pend_a11;
                act_a12 <= pend_a12;
                act_a21 <= pend_a21;
            end
            if (sof_accept && pend_valid_q[2]) begin
                act_a22 <= pend_a22;
                act_tx  <= pend_tx;
                act_ty  <= pend_ty;
            end
            if (sof_accept && pend_valid_q[3]) begin
                act_h31 <= pend_h31;
                act_h32 <= pend_h32;
            end
            if (sof_accept && pend_valid) begin
                act_mode       <= pend_mode;
                act_width      <= pend_width;
                act_height     <= pend_height;
                act_bits       <= pend_bits;
                act_gain       <= pend_gain;
                act_midgrey    <= pend_midgrey;
                act_generation <= act_generation + 1'b1;
                if (lut_swap_pending) begin
                    lut_active       <= !lut_active;
                    lut_swap_pending <= 1'b0;
                    lut_shadow_busy  <= 1'b1;
                end
            end
            if (lut_wr_now) begin
                lut_dirty              <= 1'b1;
                lut_loaded[!lut_active] <= 1'b1;
            end
            // a commit in the same cycle as a frame start waits for the next one
            if (do_commit && params_ok) begin
                pend_valid_q <= '1;
                pend_mode    <= sh_mode[1:0];
                pend_width   <= sh_width[WB-1:0];
                pend_height  <= sh_height[HB-1:0];
                pend_bits    <= sh_bits[4:0];
                pend_a11     <= sh_a11;
                pend_a12     <= sh_a12;
                pend_a21     <= sh_a21;
                pend_a22     <= sh_a22;
                pend_tx      <= sh_tx;
                pend_ty      <= sh_ty;
                pend_gain    <= sh_gain[15:0];
                pend_midgrey <= sh_midgrey[15:0];
                pend_h31     <= sh_h31;
                pend_h32     <= sh_h32;
                if (lut_dirty) begin
                    // nothing in flight: the committed bank is active at once
                    if (idle) begin
                        lut_active <= !lut_active;
                    end else begin
                        lut_swap_pending <= 1'b1;
                    end
                    lut_dirty <= 1'b0;
                end
            end
        end
    end

    assign act_lut_bank     = lut_active;
    assign act_lut_identity = !lut_loaded[lut_active];

    assign nxt_mode   = pend_valid ? pend_mode   : act_mode;
    assign nxt_width  = pend_valid ? pend_width  : act_width;
    assign nxt_height = pend_valid ? pend_height : act_height;
    assign nxt_bits   = pend_valid ? pend_bits   : act_bits;

    // nxt_* change only where a commit loads the pending set: a frame start copies the
    // pending set into the active one and clears pend_valid, which leaves them as they were
    logic nxt_changed;
    assign nxt_change = do_commit && params_ok;   // dsr_top registers it into sof_hold
    always_ff @(posedge clk) begin
        if (rst) begin
            nxt_changed <= 1'b1;
        end else begin
            nxt_changed <= do_commit && params_ok;
        end
    end
    assign nxt_stable = !nxt_changed;

    // ---- sticky errors (write 1 to clear) and counters
    // ERROR's bit of each cause (each DSR_ERR_* is one bit)
    localparam int E_SHORT  = $clog2(dsr_pkg::DSR_ERR_SHORT_FRAME);
    localparam int E_LONG   = $clog2(dsr_pkg::DSR_ERR_LONG_FRAME);
    localparam int E_LINE   = $clog2(dsr_pkg::DSR_ERR_LINE_LENGTH);
    localparam int E_PARAMS = $clog2(dsr_pkg::DSR_ERR_BAD_PARAMS);
    localparam int E_RANGE  = $clog2(dsr_pkg::DSR_ERR_LUT_RANGE);
    logic bad_params, lut_range;
    assign bad_params = do_commit && !params_ok;
    assign lut_range  = (lut_access && !lut_in_range) || lut_addr_bad;

    always_ff @(posedge clk) begin
        if (rst) begin
            error_bits   <= '0;
            frames_in    <= '0;
            frames_out   <= '0;
            bad_frames   <= '0;
            param_errors <= '0;
            time_cnt     <= '0;
        end else begin
            time_cnt <= time_cnt + 1'b1;
            // the clear as a mux in front of the OR, each cause shifted to its one-bit
            // mask's position: as a function (err_set) the simulator copied its five
            // arguments every cycle, and a select per cause cost more than a shift
            error_bits <= (wq_valid && wq_sel[W_ERROR] ? error_bits & ~wq_data : error_bits)
                        | (32'(err_short)  << E_SHORT) | (32'(err_long)   << E_LONG)
                        | (32'(err_line)   << E_LINE)  | (32'(bad_params) << E_PARAMS)
                        | (32'(lut_range)  << E_RANGE);
            if (do_clear) begin
                frames_in    <= '0;
                frames_out   <= '0;
                bad_frames   <= '0;
                param_errors <= '0;
            end else begin
                if (sof_accept)                frames_in    <= frames_in + 1'b1;
                if (frame_out)                 frames_out   <= frames_out + 1'b1;
                if (bad_frame)                 bad_frames   <= bad_frames + 1'b1;
                if (do_commit && !params_ok)   param_errors <= param_errors + 1'b1;
            end
        end
    end

    assign time_now = time_cnt;

    // ---- read path: select and volatile values in cycle 1, groups in 2, OR and LUT in 3
    logic [31:0] status;
    assign status = (in_frame ? dsr_pkg::DSR_STATUS_IN_FRAME : 32'd0)
                  | (pend_valid ? dsr_pkg::DSR_STATUS_COMMIT_PENDING : 32'd0)
                  | (ref_valid ? dsr_pkg::DSR_STATUS_REF_VALID : 32'd0)
                  | (error_bits != 0 ? dsr_pkg::DSR_STATUS_ERROR : 32'd0);

    // Timing: the bus address (reg_addr) also drives every write decode, so nothing wide
    // hangs off it here. At the acceptance (cycle 1) only a one-hot select of the
    // register and a copy of the values that change without a bus access (STATUS, ERROR,
    // GENERATION, FRAMES_IN/OUT, BAD_FRAMES, TIME_LO: rd1_vol) are registered; the rest
    // changes only through the bus, which accepted this read and no write, so it still
    // holds the acceptance cycle's value in cycle 2. In cycle 2 three AND-OR groups
    // select (1: status and identity, 2: counters and time, 3: the shadow set and
    // LUT_ADDR), in cycle 3 they are ORed, in cycle 4 held, and in cycle 5 the word meets
    // the LUT's (dsr_lut's port A answers four cycles after the address: timing, issue
    // 10): the values and the five cycles of one mux at the acceptance. Registers not
    // listed read 0.
    localparam int NR = 28, G1 = 7, G2 = 13;
    localparam logic [NR*12-1:0] RD_ADDR = {   // 12 bits per register, [0] lowest
        dsr_pkg::DSR_REG_LUT_ADDR, dsr_pkg::DSR_REG_H32, dsr_pkg::DSR_REG_H31,
        dsr_pkg::DSR_REG_MIDGREY, dsr_pkg::DSR_REG_GAIN, dsr_pkg::DSR_REG_TY,
        dsr_pkg::DSR_REG_TX, dsr_pkg::DSR_REG_A22, dsr_pkg::DSR_REG_A21, dsr_pkg::DSR_REG_A12,
        dsr_pkg::DSR_REG_A11, dsr_pkg::DSR_REG_PIXEL_BITS, dsr_pkg::DSR_REG_HEIGHT,
        dsr_pkg::DSR_REG_WIDTH, dsr_pkg::DSR_REG_MODE,                              // 13..27
        dsr_pkg::DSR_REG_TIME_HI, dsr_pkg::DSR_REG_PARAM_ERRORS, dsr_pkg::DSR_REG_TIME_LO,
        dsr_pkg::DSR_REG_BAD_FRAMES, dsr_pkg::DSR_REG_FRAMES_OUT,
        dsr_pkg::DSR_REG_FRAMES_IN,                                                 // 7..12
        dsr_pkg::DSR_REG_MAX_HEIGHT, dsr_pkg::DSR_REG_MAX_WIDTH, dsr_pkg::DSR_REG_VERSION,
        dsr_pkg::DSR_REG_ID, dsr_pkg::DSR_REG_GENERATION, dsr_pkg::DSR_REG_ERROR,
        dsr_pkg::DSR_REG_STATUS                                                     // 0..6
    };

    logic [NR-1:0]       rd1_sel;   // one-hot: the register read (none: it reads 0)
    logic [6:0][31:0]    rd1_vol;   // the volatile values of the acceptance cycle
    logic                rd1_valid, rd1_lut, rd2_valid, rd2_lut, rd3_valid, rd3_lut;
    logic                rd4_valid, rd4_lut;
    logic [31:0]         rd2_g1, rd2_g2, rd2_g3, rd3_word, rd4_word;

    // Each stage loads only when a read is in it: cycle 1 whenever a read is offered (no
    // address decode in the enable), cycles 2 to 5 behind the read's valid. The same
    // values where they are used; the simulator evaluates the select, the groups and the
    // result only for reads.
    logic rd_offer;
    assign rd_offer = reg_valid && !reg_write;
    always_ff @(posedge clk) begin
        if (rd_offer) begin
            for (int k = 0; k < NR; k++) rd1_sel[k] <= reg_addr == RD_ADDR[k*12 +: 12];
            rd1_vol <= {time_cnt[31:0], bad_frames, frames_out, frames_in, act_generation,
                        error_bits, status};
            rd1_lut <= reg_addr == dsr_pkg::DSR_REG_LUT_DATA && lut_in_range;
        end
    end

    always_ff @(posedge clk) begin
        if (rst) begin
            rd1_valid       <= 1'b0;
            rd2_valid       <= 1'b0;
            rd3_valid       <= 1'b0;
            rd4_valid       <= 1'b0;
            reg_rvalid      <= 1'b0;
            time_hi_latched <= '0;
        end else begin
            rd1_valid  <= rd;
            rd2_valid  <= rd1_valid;
            rd3_valid  <= rd2_valid;
            rd4_valid  <= rd3_valid;
            reg_rvalid <= rd4_valid;
            // rd with reg_ready spelled out (TIME_LO is not LUT_DATA): one decode
            if (reg_valid && !reg_write && !wq_valid && reg_addr == dsr_pkg::DSR_REG_TIME_LO) begin
                time_hi_latched <= time_cnt[63:32];
            end
        end
    end

    // cycle 2: the three groups, each the OR of its selected values (one-hot: the value);
    // val holds what each select reads
    function automatic logic [3*32-1:0] rd_groups(input logic [NR-1:0] sel,
                                                  input logic [NR-1:0][31:0] val);
        logic [31:0] g1, g2, g3;
        g1 = '0;
        g2 = '0;
        g3 = '0;
        for (int k = 0; k < G1; k++)   g1 = g1 | (sel[k] ? val[k] : 32'd0);
        for (int k = G1; k < G2; k++)  g2 = g2 | (sel[k] ? val[k] : 32'd0);
        for (int k = G2; k < NR; k++)  g3 = g3 | (sel[k] ? val[k] : 32'd0);
        rd_groups = {g3, g2, g1};
    endfunction

    // the LUT's read-back word comes from a register (dsr_lut's pick) and joins in cycle 5
    always_ff @(posedge clk) begin
        if (rd1_valid) begin
            {rd2_g3, rd2_g2, rd2_g1} <= rd_groups(rd1_sel, {
                {(32 - LI){1'b0}}, lut_index, sh_h32, sh_h31, sh_midgrey, sh_gain,
                sh_ty, sh_tx, sh_a22, sh_a21, sh_a12, sh_a11, sh_bits, sh_height,
                sh_width, sh_mode,
                time_hi_latched, param_errors, rd1_vol[6], rd1_vol[5], rd1_vol[4],
                rd1_vol[3],
                MAX_HEIGHT, MAX_WIDTH, dsr_pkg::DSR_RTL_VERSION, dsr_pkg::DSR_ID_VALUE,
                rd1_vol[2], rd1_vol[1], rd1_vol[0]});
            rd2_lut <= rd1_lut;
        end
        if (rd2_valid) begin
            rd3_word <= rd2_g1 | rd2_g2 | rd2_g3;
            rd3_lut  <= rd2_lut;
        end
        if (rd3_valid) begin
            rd4_word <= rd3_word;
            rd4_lut  <= rd3_lut;
        end
        if (rd4_valid) reg_rdata <= rd4_lut ? {16'd0, lut_rdata} : rd4_word;
    end

`ifndef SYNTHESIS
    // assertions (Verilator --assert in every test build, Icarus): no LUT write while the
    // shadow bank is committed or still read by pixels in flight; frames in flight never
    // go below zero
    // nxt_* one cycle ago (one register each: no concatenation to pack every clock)
    logic [1:0]    a_prev_mode;
    logic [WB-1:0] a_prev_width;
    logic [HB-1:0] a_prev_height;
    logic [4:0]    a_prev_bits;
    always @(posedge clk) begin
        a_prev_mode   <= nxt_mode;
        a_prev_width  <= nxt_width;
        a_prev_height <= nxt_height;
        a_prev_bits   <= nxt_bits;
    end
    always @(posedge clk) begin
        if (!rst) begin
            assert (!$isunknown(reg_ready) && !$isunknown(reg_rvalid)) else $error("dsr_regs: X on ready/rvalid");
            if (lut_wr_now) assert (!lut_hold) else $error("dsr_regs: LUT write into a bank in use");
            if (frame_out) assert (frames_inflight != 8'd0) else $error("dsr_regs: frame out with none in flight");
            assert (pend_valid_q == '0 || pend_valid_q == '1) else $error("dsr_regs: copies of pend_valid differ");
            if (lut_swap_pending) assert (pend_valid) else $error("dsr_regs: LUT swap pending without a pending commit");
            if (nxt_stable) assert (nxt_mode == a_prev_mode && nxt_width == a_prev_width
                                    && nxt_height == a_prev_height && nxt_bits == a_prev_bits)
                else $error("dsr_regs: next parameters changed while nxt_stable");
        end
    end
`ifdef VERILATOR
    // protocol corners for coverage (make -C tests/hdl coverage, --coverage-user)
    logic [7:0] c_held;   // cycles a LUT write has been held off
    always @(posedge clk) c_held <= rst || reg_ready || !reg_valid ? 8'd0 : c_held + {7'd0, c_held != 8'hff};
    c_w1c_short:  cover property (@(posedge clk) wq_en[W_ERROR] && (wq_data & error_bits & dsr_pkg::DSR_ERR_SHORT_FRAME) != 0);
    c_w1c_long:   cover property (@(posedge clk) wq_en[W_ERROR] && (wq_data & error_bits & dsr_pkg::DSR_ERR_LONG_FRAME) != 0);
    c_w1c_line:   cover property (@(posedge clk) wq_en[W_ERROR] && (wq_data & error_bits & dsr_pkg::DSR_ERR_LINE_LENGTH) != 0);
    c_w1c_params: cover property (@(posedge clk) wq_en[W_ERROR] && (wq_data & error_bits & dsr_pkg::DSR_ERR_BAD_PARAMS) != 0);
    c_w1c_range:  cover property (@(posedge clk) wq_en[W_ERROR] && (wq_data & error_bits & dsr_pkg::DSR_ERR_LUT_RANGE) != 0);
    c_clear_counters: cover property (@(posedge clk) do_clear && frames_in != 0);
    c_lut_hold_long:  cover property (@(posedge clk) c_held == 8'd200);
    c_lut_hold_busy:  cover property (@(posedge clk) reg_valid && !reg_ready && lut_shadow_busy && !lut_swap_pending);
    c_commit_at_sof:  cover property (@(posedge clk) do_commit && params_ok && sof_accept && pend_valid);
    c_idle_swap:      cover property (@(posedge clk) do_commit && params_ok && lut_dirty && idle);
`endif
`endif

endmodule

`default_nettype wire
