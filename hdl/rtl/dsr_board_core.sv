// dsr_board_core - everything on the board's FPGA except the clock generator and I/O cells.
//
// Two clock domains, each with its own reset synchroniser gated on PLL lock:
//   fx3_clk  (PCLK, 100 MHz): dsr_fx3_slave, the GPIF II slave-FIFO side
//   pipe_clk (125 MHz):       dsr_top, dsr_frame_check, dsr_cmd, dsr_pack16
// crossed only by four dsr_async_fifo (host frames, commands -> pipeline; output frames,
// responses -> FX3). The board top (dsr_board) adds the PLL, the tristate DQ buffers and
// the PCLK forwarding; the simulator Verilates this module with its clocks driven directly,
// so what it simulates is what goes into the FPGA. hdl/README.md lists every crossing.
//
// Reference store: REF_DRAM = 1 (the board build) keeps the reference in DDR3: dsr_top's
// DRAM store, dsr_mem_bridge (the crossing to the controller's clock) and dsr_dram_init
// live here; LiteDRAM's core itself (PHY, pins, its PLL) is outside, in the board top
// (hardware variant) or the simulation wrapper dsr_board_dram_sim (SDRAMPHYModel), joined
// by its native port and wb_ctrl in its user_clk domain (dram_*). REF_DRAM = 0 uses the
// on-chip store (one slot; the dram_* ports are unused).
//
// The reference double buffer (DRAM build): two slots. Frames read ref_rd_slot, captures
// write the other one; ref_rd_slot flips only after a capture whose frame checked good
// (in_frame_ok: header, length, CRC, trailer), so a reference with a bad CRC, a bad
// trailer or a wrong length never replaces the good one. Every good verdict queues a
// candidate flip, ordered with the frames: it waits until dsr_top has accepted the
// frame's first pixel (its frame start took the old slots and set the frame's MODE), and
// the next frame start waits until it is done (one cycle), so every frame sees the slots
// of its place in the stream, whatever the verdict's timing against the pixels still in
// the live-input slice. Only a capture flips (dsr_top's frame_capture): a good frame that
// dsr_top ran in another mode - even one flagged REFERENCE - wrote nothing, and the
// inactive slot holds an older capture. Whether the frame came as a REFERENCE upload from
// the host or from the sensor in capture mode does not matter.
`default_nettype none

module dsr_board_core #(
    parameter int MAX_WIDTH      = 1024,
    parameter int MAX_HEIGHT     = 1024,
    parameter int PIXEL_BITS_MAX = 16,
    parameter int FRAME_FIFO_BITS = 5,    // host/output frame crossings: 2^n + 1 words
    parameter int REF_DRAM       = 1,     // 1: reference in DRAM (two slots), 0: on chip
    parameter int MEM_AW         = 23,    // LiteDRAM native port: 128-bit word address
    parameter int DRAM_INIT_DELAY_SHIFT = 0   // dsr_dram_init: 0 on the board
) (
    input  logic        fx3_clk,
    input  logic        pipe_clk,
    input  logic        arst,          // board reset, asynchronous, active high
    input  logic        pll_locked,

    // FX3 GPIF II pins (the board top adds the I/O buffers)
    output logic [31:0] fx3_dq_o,
    output logic        fx3_dq_oe,
    input  logic [31:0] fx3_dq_i,
    output logic [1:0]  fx3_a,
    output logic        fx3_slcs_n,
    output logic        fx3_sloe_n,
    output logic        fx3_slrd_n,
    output logic        fx3_slwr_n,
    output logic        fx3_pktend_n,
    input  logic [3:0]  fx3_flag,

    // inbound frame verdicts (pipe_clk), for the LEDs; the active reference slot
    output logic        in_frame_ok,
    output logic        in_frame_bad,
    output logic        in_frame_reference,
    output logic        ref_slot,

    // LiteDRAM core (REF_DRAM): native port, wb_ctrl, status, in its user_clk domain
    input  logic              dram_clk,
    input  logic              dram_rst,
    input  logic              dram_init_done,
    input  logic              dram_init_error,
    output logic              dram_ready,     // init sequence done, no error (dram_clk)
    output logic              dram_cmd_valid,
    input  logic              dram_cmd_ready,
    output logic              dram_cmd_we,
    output logic [MEM_AW-1:0] dram_cmd_addr,
    output logic              dram_wdata_valid,
    input  logic              dram_wdata_ready,
    output logic [127:0]      dram_wdata_data,
    output logic [15:0]       dram_wdata_we,
    input  logic              dram_rdata_valid,
    output logic              dram_rdata_ready,
    input  logic [127:0]      dram_rdata_data,
    output logic              dram_wb_cyc,
    output logic              dram_wb_stb,
    output logic              dram_wb_we,
    output logic [29:0]       dram_wb_adr,
    output logic [31:0]       dram_wb_dat_w,
    output logic [3:0]        dram_wb_sel,
    input  logic              dram_wb_ack
);

    // ---- resets
    // the pipeline clock's reset is one copy per block below (dsr_reset_sync's COPIES, all
    // released on the same edge), so no reset net spans the die; pipe_rst names the
    // board core's own registers' copy
    localparam int PR_X0 = 0, PR_X1 = 1, PR_X2 = 2, PR_X3 = 3, PR_CHECK = 4, PR_LIVE = 5,
                   PR_CMD = 6, PR_REG = 7, PR_TOP = 8, PR_BRIDGE = 9, PR_PACK = 10,
                   PR_FLIP = 11, PR_N = 12;
    logic            fx3_rst, pipe_rst;
    logic [PR_N-1:0] prst;
    dsr_reset_sync u_fx3_rst  (.clk(fx3_clk),  .arst, .locked(pll_locked), .rst(fx3_rst));
    dsr_reset_sync #(.COPIES(PR_N)) u_pipe_rst (
        .clk(pipe_clk), .arst, .locked(pll_locked), .rst(prst)
    );
    assign pipe_rst = prst[PR_FLIP];

    // ---- FX3 side (fx3_clk)
    logic [31:0] f0_data, f1_data, f2_data, f3_data;
    logic [1:0]  f0_keep, f1_keep;
    logic        f0_last, f1_last, f2_last, f3_last;
    logic        f0_valid, f1_valid, f2_valid, f3_valid;
    logic        f0_ready, f1_ready, f2_ready, f3_ready;

    dsr_fx3_slave u_fx3 (
        .clk(fx3_clk), .rst(fx3_rst),
        .dq_o(fx3_dq_o), .dq_oe(fx3_dq_oe), .dq_i(fx3_dq_i), .a(fx3_a),
        .slcs_n(fx3_slcs_n), .sloe_n(fx3_sloe_n), .slrd_n(fx3_slrd_n), .slwr_n(fx3_slwr_n),
        .pktend_n(fx3_pktend_n), .flag(fx3_flag),
        .m0_data(f0_data), .m0_keep(f0_keep), .m0_last(f0_last), .m0_valid(f0_valid),
        .m0_ready(f0_ready),
        .m1_data(f1_data), .m1_keep(f1_keep), .m1_last(f1_last), .m1_valid(f1_valid),
        .m1_ready(f1_ready),
        .s2_data(f2_data), .s2_last(f2_last), .s2_valid(f2_valid), .s2_ready(f2_ready),
        .s3_data(f3_data), .s3_last(f3_last), .s3_valid(f3_valid), .s3_ready(f3_ready)
    );

    // ---- the four crossings
    logic [31:0] p0_data, p1_data, p2_data, p3_data;
    logic [1:0]  p0_keep, p1_keep;
    logic        p0_last, p1_last, p2_last, p3_last;
    logic        p0_valid, p1_valid, p2_valid, p3_valid;
    logic        p0_ready, p1_ready, p2_ready, p3_ready;

    // register slices on both sides of the host-frame crossing: the FIFO's pointer logic
    // (adder, gray code, compare) never sees a handshake computed in the same cycle
    logic [34:0] f0s_data, p0f_data;
    logic        f0s_valid, f0s_ready, p0f_valid, p0f_ready;
    dsr_skid #(.DATA_WIDTH(35)) u_x0_in_slice (
        .clk(fx3_clk), .rst(fx3_rst),
        .s_data({f0_last, f0_keep, f0_data}), .s_valid(f0_valid), .s_ready(f0_ready),
        .m_data(f0s_data), .m_valid(f0s_valid), .m_ready(f0s_ready)
    );
    dsr_async_fifo #(.WIDTH(35), .ADDR_BITS(FRAME_FIFO_BITS)) u_x0_frames_in (
        .s_clk(fx3_clk), .s_rst(fx3_rst), .s_data(f0s_data),
        .s_valid(f0s_valid), .s_ready(f0s_ready),
        .m_clk(pipe_clk), .m_rst(prst[PR_X0]), .m_data(p0f_data),
        .m_valid(p0f_valid), .m_ready(p0f_ready)
    );
    dsr_skid #(.DATA_WIDTH(35)) u_x0_out_slice (
        .clk(pipe_clk), .rst(prst[PR_X0]),
        .s_data(p0f_data), .s_valid(p0f_valid), .s_ready(p0f_ready),
        .m_data({p0_last, p0_keep, p0_data}), .m_valid(p0_valid), .m_ready(p0_ready)
    );
    // and in front of the command crossing: the receive FIFO's read (LUT RAM, thread bit)
    // into the crossing's pointer increment and full compare was fx3_clk's critical path
    logic [34:0] f1s_data;
    logic        f1s_valid, f1s_ready;
    dsr_skid #(.DATA_WIDTH(35)) u_x1_in_slice (
        .clk(fx3_clk), .rst(fx3_rst),
        .s_data({f1_last, f1_keep, f1_data}), .s_valid(f1_valid), .s_ready(f1_ready),
        .m_data(f1s_data), .m_valid(f1s_valid), .m_ready(f1s_ready)
    );
    dsr_async_fifo #(.WIDTH(35), .ADDR_BITS(4)) u_x1_cmd (
        .s_clk(fx3_clk), .s_rst(fx3_rst), .s_data(f1s_data),
        .s_valid(f1s_valid), .s_ready(f1s_ready),
        .m_clk(pipe_clk), .m_rst(prst[PR_X1]), .m_data({p1_last, p1_keep, p1_data}),
        .m_valid(p1_valid), .m_ready(p1_ready)
    );
    dsr_async_fifo #(.WIDTH(33), .ADDR_BITS(FRAME_FIFO_BITS)) u_x2_frames_out (
        .s_clk(pipe_clk), .s_rst(prst[PR_X2]), .s_data({p2_last, p2_data}),
        .s_valid(p2_valid), .s_ready(p2_ready),
        .m_clk(fx3_clk), .m_rst(fx3_rst), .m_data({f2_last, f2_data}),
        .m_valid(f2_valid), .m_ready(f2_ready)
    );
    dsr_async_fifo #(.WIDTH(33), .ADDR_BITS(2)) u_x3_rsp (
        .s_clk(pipe_clk), .s_rst(prst[PR_X3]), .s_data({p3_last, p3_data}),
        .s_valid(p3_valid), .s_ready(p3_ready),
        .m_clk(fx3_clk), .m_rst(fx3_rst), .m_data({f3_last, f3_data}),
        .m_valid(f3_valid), .m_ready(f3_ready)
    );

    // ---- pipeline side (pipe_clk)
    logic        reg_valid, reg_ready, reg_write, reg_rvalid;
    logic [11:0] reg_addr;
    logic [31:0] reg_wdata, reg_rdata;
    logic        live_valid, live_ready, live_sof, live_eol;
    logic [15:0] live_data;
    logic        out_valid, out_ready, out_last;
    logic [15:0] out_data;

    dsr_frame_check #(.MAX_WIDTH(MAX_WIDTH), .MAX_HEIGHT(MAX_HEIGHT)) u_check (
        .clk(pipe_clk), .rst(prst[PR_CHECK]),
        .s_data(p0_data), .s_keep(p0_keep), .s_last(p0_last), .s_valid(p0_valid),
        .s_ready(p0_ready),
        .m_pixel(chk_data), .m_sof(chk_sof), .m_eol(chk_eol), .m_valid(chk_valid),
        .m_ready(chk_ready),
        .frame_ok(in_frame_ok), .frame_bad(in_frame_bad),
        .frame_reference(in_frame_reference)
    );

    // a register slice into dsr_top: its s_ready depends on s_valid/s_sof combinationally,
    // which must not loop through the checker's half-word logic in one cycle (timing)
    logic [15:0] chk_data;
    logic        chk_sof, chk_eol, chk_valid, chk_ready;
    dsr_skid #(.DATA_WIDTH(18)) u_live_slice (
        .clk(pipe_clk), .rst(prst[PR_LIVE]),
        .s_data({chk_sof, chk_eol, chk_data}), .s_valid(chk_valid), .s_ready(chk_ready),
        .m_data({live_sof, live_eol, live_data}), .m_valid(live_valid), .m_ready(live_ready)
    );

    // the register bus goes through a register slice (dsr_skid, REG_TYPE 1: one entry,
    // half rate), so no combinational path crosses from dsr_regs into dsr_cmd: dsr_cmd sees
    // the slice's registered ready, and dsr_regs' reg_ready (a decode of the slice's address:
    // LUT_DATA held off) reaches only the slice's two valid/ready flip-flops, not the clock
    // enable of its request registers nor dsr_cmd's state (timing: that handshake was the
    // board's worst pipe_clk path). dsr_cmd issues one access at a time and waits for a
    // read's reg_rvalid before the next access, so reads cannot pass a write in the slice;
    // a LUT_DATA write waits in the slice while dsr_regs holds it off. Each access reaches
    // dsr_regs a cycle later; reg_rvalid and reg_rdata come from dsr_regs' registers as
    // they are. dsr_regs performs a write a cycle after accepting it, with reg_ready low in
    // that cycle: the slice, half rate, is empty then anyway, so that costs no cycle.
    logic        cmd_valid, cmd_ready, cmd_write;
    logic [11:0] cmd_addr;
    logic [31:0] cmd_wdata;
    dsr_cmd u_cmd (
        .clk(pipe_clk), .rst(prst[PR_CMD]),
        .s_data(p1_data), .s_keep(p1_keep), .s_last(p1_last), .s_valid(p1_valid),
        .s_ready(p1_ready),
        .m_data(p3_data), .m_last(p3_last), .m_valid(p3_valid), .m_ready(p3_ready),
        .reg_valid(cmd_valid), .reg_ready(cmd_ready), .reg_write(cmd_write),
        .reg_addr(cmd_addr), .reg_wdata(cmd_wdata), .reg_rvalid, .reg_rdata
    );
    dsr_skid #(.DATA_WIDTH(45), .REG_TYPE(1)) u_reg_slice (
        .clk(pipe_clk), .rst(prst[PR_REG]),
        .s_data({cmd_write, cmd_addr, cmd_wdata}), .s_valid(cmd_valid), .s_ready(cmd_ready),
        .m_data({reg_write, reg_addr, reg_wdata}), .m_valid(reg_valid), .m_ready(reg_ready)
    );

    // ---- reference slots (see the header): pending flips in verdict order, each waiting
    // for dsr_top to accept its frame's start (frame starts counted into and out of the
    // live-input slice, mod 8: at most two are in the slice, so at most two flips wait)
    logic       rd_slot, top_valid, sof_in, sof_top, flip_now, top_capture;
    logic [2:0] sofs_in, sofs_top;
    logic [2:0] flip_at [4];
    logic [2:0] flip_wr, flip_rd;
    assign sof_in   = chk_valid && chk_ready && chk_sof;
    assign sof_top  = top_valid && live_ready && live_sof;
    // the frame after a flip's frame starts once the flip is done
    assign top_valid = live_valid && !(flip_now && live_sof);

    // flip_now = flip_wr != flip_rd && sofs_top == flip_at[flip_rd], as a register:
    // computed from the next cycle's values of the same registers, so it is the same
    // every cycle (asserted below), and dsr_top's s_valid is one gate from flip-flops
    // (timing: the routed board's pipe_clk path ran from flip_wr through this decode
    // and top_valid into frame_in's frame start)
    logic       flip_push;
    logic [2:0] flip_wr_n, flip_rd_n, flip_at_n;
    assign flip_push  = REF_DRAM != 0 && in_frame_ok;
    assign flip_wr_n  = flip_wr + 3'(flip_push);
    assign flip_rd_n  = flip_rd + 3'(flip_now);
    assign flip_at_n  = flip_push && flip_wr[1:0] == flip_rd_n[1:0] ? sofs_in
                                                                    : flip_at[flip_rd_n[1:0]];
    // dsr_top's frame start (sof_top, behind its input handshake) only picks between the
    // two compares, each formed beside it from registers (timing: the routed board's
    // pipe_clk path at 13cc1c9 ran frame_in's handshake -> sofs_top's increment -> this
    // compare -> flip_now, 9 cells)
    logic flip_hit0, flip_hit1;
    assign flip_hit0 = sofs_top == flip_at_n;
    assign flip_hit1 = sofs_top + 3'd1 == flip_at_n;
    always_ff @(posedge pipe_clk) begin
        if (pipe_rst) begin
            flip_now <= 1'b0;
        end else begin
            flip_now <= flip_wr_n != flip_rd_n && (sof_top ? flip_hit1 : flip_hit0);
        end
    end

    always_ff @(posedge pipe_clk) begin
        if (pipe_rst) begin
            rd_slot  <= 1'b0;
            sofs_in  <= '0;
            sofs_top <= '0;
            flip_wr  <= '0;
            flip_rd  <= '0;
        end else begin
            sofs_in  <= sofs_in + 3'(sof_in);
            sofs_top <= sofs_top + 3'(sof_top);
            // the frame's start is the last one into the slice (the next transfer's header
            // is still ahead); a bad header passes no pixel and is never good
            if (flip_push) begin
                flip_at[flip_wr[1:0]] <= sofs_in;
                flip_wr <= flip_wr + 1'b1;
            end
            // the last frame start dsr_top took is the flip's frame (the next one is held)
            if (flip_now) begin
                rd_slot <= rd_slot ^ top_capture;
                flip_rd <= flip_rd + 1'b1;
            end
        end
    end
    assign ref_slot = rd_slot;

`ifndef SYNTHESIS
    // a fifth pending flip would overwrite the oldest: a reference lost or made active late
    always @(posedge pipe_clk) begin
        if (!pipe_rst && REF_DRAM != 0 && in_frame_ok && flip_wr - flip_rd == 3'd4 && !flip_now)
            $error("dsr_board_core: reference flip queue overflow");
        if (!pipe_rst && flip_now != (flip_wr != flip_rd && sofs_top == flip_at[flip_rd[1:0]]))
            $error("dsr_board_core: registered flip_now differs from its decode");
    end
`endif

    logic          mem_cmd_valid, mem_cmd_ready, mem_cmd_we, mem_rd_valid, mem_rd_ready;
    logic [MEM_AW-1:0] mem_cmd_addr;
    logic [127:0]  mem_cmd_wdata, mem_rd_data;
    logic [15:0]   mem_cmd_wmask;

    dsr_top #(
        .MAX_WIDTH(MAX_WIDTH), .MAX_HEIGHT(MAX_HEIGHT), .PIXEL_BITS_MAX(PIXEL_BITS_MAX),
        .REF_DRAM(REF_DRAM), .MEM_AW(MEM_AW)
    ) u_top (
        .clk(pipe_clk), .rst(prst[PR_TOP]),
        .reg_valid, .reg_ready, .reg_write, .reg_addr, .reg_wdata, .reg_rvalid, .reg_rdata,
        .s_valid(top_valid), .s_ready(live_ready), .s_data(live_data), .s_sof(live_sof),
        .s_eol(live_eol),
        .m_valid(out_valid), .m_ready(out_ready), .m_data(out_data), .m_last(out_last),
        .frame_capture(top_capture), .ref_rd_slot(rd_slot), .ref_wr_slot(!rd_slot),
        .mem_cmd_valid, .mem_cmd_ready, .mem_cmd_we, .mem_cmd_addr, .mem_cmd_wdata,
        .mem_cmd_wmask, .mem_rd_valid, .mem_rd_ready, .mem_rd_data
    );

    // ---- the DRAM: bridge to the controller's clock, its init sequence
    generate
        if (REF_DRAM != 0) begin : g_dram
            logic init_fsm_done, unused_idle;
            dsr_mem_bridge #(.MEM_AW(MEM_AW)) u_bridge (
                .clk(pipe_clk), .rst(prst[PR_BRIDGE]),
                .mem_cmd_valid, .mem_cmd_ready, .mem_cmd_we, .mem_cmd_addr, .mem_cmd_wdata,
                .mem_cmd_wmask, .mem_rd_valid, .mem_rd_ready, .mem_rd_data, .hold(1'b0),
                .idle(unused_idle),
                .dram_clk, .dram_rst, .init_done(dram_init_done),
                .cmd_valid(dram_cmd_valid), .cmd_ready(dram_cmd_ready), .cmd_we(dram_cmd_we),
                .cmd_addr(dram_cmd_addr), .wdata_valid(dram_wdata_valid),
                .wdata_ready(dram_wdata_ready), .wdata_data(dram_wdata_data),
                .wdata_we(dram_wdata_we), .rdata_valid(dram_rdata_valid),
                .rdata_ready(dram_rdata_ready), .rdata_data(dram_rdata_data)
            );
            dsr_dram_init #(.DELAY_SHIFT(DRAM_INIT_DELAY_SHIFT)) u_dram_init (
                .clk(dram_clk), .rst(dram_rst),
                .wb_cyc(dram_wb_cyc), .wb_stb(dram_wb_stb), .wb_we(dram_wb_we),
                .wb_adr(dram_wb_adr), .wb_dat_w(dram_wb_dat_w), .wb_sel(dram_wb_sel),
                .wb_ack(dram_wb_ack), .done(init_fsm_done)
            );
            assign dram_ready = dram_init_done && init_fsm_done && !dram_init_error;
        end else begin : g_onchip
            // the on-chip store: the memory port and the DRAM ports are idle
            assign mem_cmd_ready    = 1'b0;
            assign mem_rd_valid     = 1'b0;
            assign mem_rd_data      = '0;
            assign dram_ready       = 1'b0;
            assign dram_cmd_valid   = 1'b0;
            assign dram_cmd_we      = 1'b0;
            assign dram_cmd_addr    = '0;
            assign dram_wdata_valid = 1'b0;
            assign dram_wdata_data  = '0;
            assign dram_wdata_we    = '0;
            assign dram_rdata_ready = 1'b1;
            assign dram_wb_cyc      = 1'b0;
            assign dram_wb_stb      = 1'b0;
            assign dram_wb_we       = 1'b0;
            assign dram_wb_adr      = '0;
            assign dram_wb_dat_w    = '0;
            assign dram_wb_sel      = '0;
            logic unused_mem;
            assign unused_mem = ^{mem_cmd_valid, mem_cmd_we, mem_rd_ready, mem_cmd_addr,
                                  mem_cmd_wdata, mem_cmd_wmask, dram_clk, dram_rst,
                                  dram_init_done, dram_init_error, dram_cmd_ready,
                                  dram_wdata_ready, dram_rdata_valid, dram_rdata_data,
                                  dram_wb_ack};
        end
    endgenerate

    dsr_pack16 u_pack (
        .clk(pipe_clk), .rst(prst[PR_PACK]),
        .s_data(out_data), .s_last(out_last), .s_valid(out_valid), .s_ready(out_ready),
        .m_data(p2_data), .m_last(p2_last), .m_valid(p2_valid), .m_ready(p2_ready)
    );

endmodule

`default_nettype wire
