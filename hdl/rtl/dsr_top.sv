// dsr_top - the DSR board's pixel pipeline with its register file.
//
//   s_* --> frame_in --> projective --> sample_addr --> frame_store --> bilinear --> lut
//             |             ^ credit                                                |
//             +-- frame context FIFO ------> framer <-- skid <-- pixel FIFO <-- subtract
//                                              |
//                                            skid --> m_*
//
// One pixel per clock. From the coordinate generator to the subtractor the pipeline runs
// freely: every module there has s_ready = m_ready, and their m_ready is tied high, so no
// stall enable fans out over their registers (timing). Back-pressure works by credits: a
// pixel enters the generator only while fewer than PF_DEPTH pixels are between the
// generator's input and the pixel FIFO's output (a registered count), so the FIFO can
// always take what is in flight. In the DRAM build the generator's output waits in a
// FIFO (gen credits likewise) and a skid buffer, as its store stalls on a miss and sends
// bubbles on. Per-pixel metadata (position, live
// value, frame end, bad and a 3-bit frame tag) travels in each module's user field, so a
// frame boundary can be anywhere in the pipeline; the frame's constants (size, mode,
// depth mask, gain, midgrey, LUT bank, no-reference) wait in a table of CTX_DEPTH
// entries written with the frame's context push, and each stage that uses one reads it
// with its pixel's tag (a narrow user word: fewer flip-flops, and a cheaper simulation).
// The framer's output goes through a skid buffer, so m_ready reaches no other logic
// combinationally.
//
// Requirements: MAX_WIDTH and MAX_HEIGHT powers of two, >= 4;
// PIXEL_BITS_MAX in DSR_PIXEL_BITS_MIN..DSR_PIXEL_BITS_MAX (the LUT has 2^PIXEL_BITS_MAX
// entries, the frame store PIXEL_BITS_MAX-bit words).
`default_nettype none

module dsr_top #(
    parameter int MAX_WIDTH      = 1024,
    parameter int MAX_HEIGHT     = 1024,
    parameter int PIXEL_BITS_MAX = 16,  // LUT has 2**PIXEL_BITS_MAX entries
    parameter int REF_DRAM       = 0,     // 1: reference in DRAM (dsr_ref_dram), 0: on chip
    parameter int MEM_AW         = 23,    // DRAM word address bits (128-bit words)
    parameter int REF_CACHE_NYB  = 2      // DRAM build: the tile cache holds 2^this tile rows
) (
    input  logic        clk,
    input  logic        rst,            // synchronous, active high

    // register bus
    input  logic        reg_valid,
    output logic        reg_ready,
    input  logic        reg_write,
    input  logic [11:0] reg_addr,
    input  logic [31:0] reg_wdata,
    output logic        reg_rvalid,
    output logic [31:0] reg_rdata,

    // live pixels: s_sof on the first pixel of a frame, s_eol on the last of a line
    input  logic        s_valid,
    output logic        s_ready,
    input  logic [15:0] s_data,
    input  logic        s_sof,
    input  logic        s_eol,

    // output frames: header, pixels, trailer as 16-bit little-endian words
    output logic        m_valid,
    input  logic        m_ready,
    output logic [15:0] m_data,
    output logic        m_last,

    // the frame that started last is a capture (its frame start set the active MODE): the
    // board's reference double buffer flips only after a capture
    output logic        frame_capture,

    // the reference's DRAM (REF_DRAM): two slots, native-port words in this clock domain
    // (dsr_mem_bridge crosses to the DRAM controller); unused by the on-chip build
    input  logic        ref_rd_slot,
    input  logic        ref_wr_slot,
    output logic        mem_cmd_valid,
    input  logic        mem_cmd_ready,
    output logic        mem_cmd_we,
    output logic [MEM_AW-1:0] mem_cmd_addr,
    output logic [127:0] mem_cmd_wdata,
    output logic [15:0] mem_cmd_wmask,
    input  logic        mem_rd_valid,
    output logic        mem_rd_ready,
    input  logic [127:0] mem_rd_data
);

    localparam int WB  = $clog2(MAX_WIDTH + 1);
    localparam int HB  = $clog2(MAX_HEIGHT + 1);
    localparam int XB  = WB - 1;
    localparam int YB  = HB - 1;
    localparam int DW  = PIXEL_BITS_MAX;
    localparam int AW  = XB + YB - 2;
    localparam int POS = dsr_pkg::DSR_ACC_BITS - dsr_pkg::DSR_A_FRAC_BITS + dsr_pkg::DSR_W_BITS;
    localparam int CTX_DEPTH = 8;

    // ---------------------------------------------------------------- register file
    logic [1:0]    act_mode, nxt_mode;
    logic [WB-1:0] act_width, nxt_width;
    logic [HB-1:0] act_height, nxt_height;
    logic [4:0]    act_bits, nxt_bits;
    logic          nxt_stable, nxt_change;
    logic [31:0]   act_a11, act_a12, act_a21, act_a22, act_tx, act_ty;
    logic [31:0]   act_h31, act_h32;
    logic [15:0]   act_gain, act_midgrey;
    logic [31:0]   act_generation;
    logic          act_lut_bank, act_lut_identity;
    logic          lut_wr, lut_bank;
    logic [DW-1:0] lut_addr;
    logic [15:0]   lut_wdata, lut_rdata;
    logic [63:0]   time_now;
    logic          sof_accept, bad_frame, err_short, err_long, err_line, in_frame, ref_valid;
    logic          frame_out;
    logic          lut_pixel_read, lut_pixel_bank;

    dsr_regs #(
        .MAX_WIDTH(MAX_WIDTH),
        .MAX_HEIGHT(MAX_HEIGHT),
        .PIXEL_BITS_MAX(PIXEL_BITS_MAX),
        .WB(WB),
        .HB(HB)
    ) regs (
        .clk, .rst,
        .reg_valid, .reg_ready, .reg_write, .reg_addr, .reg_wdata, .reg_rvalid, .reg_rdata,
        .act_mode, .act_width, .act_height, .act_bits,
        .act_a11, .act_a12, .act_a21, .act_a22, .act_tx, .act_ty, .act_h31, .act_h32,
        .act_gain, .act_midgrey, .act_generation, .act_lut_bank, .act_lut_identity,
        .nxt_mode, .nxt_width, .nxt_height, .nxt_bits, .nxt_stable, .nxt_change,
        .lut_wr, .lut_bank, .lut_addr, .lut_wdata, .lut_rdata,
        .lut_pixel_read, .lut_pixel_bank,
        .time_now,
        .sof_accept, .frame_out, .bad_frame, .err_short, .err_long, .err_line,
        .in_frame, .ref_valid
    );

    // ---------------------------------------------------------------- live input
    logic          fi_valid, fi_ready, fi_sof, fi_eol, fi_eof, fi_bad;
    logic [15:0]   fi_live;
    logic [XB-1:0] fi_x;
    logic [YB-1:0] fi_y;
    logic          ctx_push, sof_hold, frame_noref;
    logic [63:0]   frame_time;

    dsr_frame_in #(
        .WB(WB),
        .HB(HB)
    ) frame_in (
        .clk, .rst,
        .s_valid, .s_ready, .s_data, .s_sof, .s_eol,
        .act_mode, .act_width, .act_height, .act_bits,
        .nxt_mode, .nxt_width, .nxt_height, .nxt_bits, .nxt_stable,
        .sof_hold, .time_now,
        // reference slots: the DRAM build's double buffer; the on-chip store has one
        .rd_slot(REF_DRAM != 0 && ref_rd_slot), .wr_slot(REF_DRAM != 0 && ref_wr_slot),
        .m_valid(fi_valid), .m_ready(fi_ready), .m_live(fi_live), .m_x(fi_x), .m_y(fi_y),
        .m_sof(fi_sof), .m_eol(fi_eol), .m_eof(fi_eof), .m_bad(fi_bad),
        .ctx_push, .frame_time, .frame_noref, .frame_mask,
        .sof_accept, .bad_frame, .err_short, .err_long, .err_line, .in_frame, .ref_valid
    );

    // the frame's parameters join each pixel here (act_* belong to the pixel in fi_*);
    // its depth mask is frame_in's register (loaded with the start, from the registered
    // next depth), not a shift of act_bits in front of the frame table (timing)
    logic [15:0] frame_mask;

    // ---------------------------------------------------------------- frame context
    localparam int CTX_W = WB + HB + 5 + 32 + 64 + 32;
    logic [CTX_W-1:0]           ctx_wr_data, ctx_rd_data;
    logic                       ctx_empty, ctx_pop;
    logic [$clog2(CTX_DEPTH):0] ctx_count;
    logic [31:0]                ctx_flags;
    logic                       uses_reference;

    assign frame_capture  = act_mode == dsr_pkg::DSR_MODE_CAPTURE[1:0];
    assign uses_reference = act_mode == dsr_pkg::DSR_MODE_SUBTRACT[1:0]
                         || act_mode == dsr_pkg::DSR_MODE_WARP[1:0];
    assign ctx_flags = ({30'd0, act_mode} & dsr_pkg::DSR_FLAG_MODE_MASK)
                     | (uses_reference && frame_noref ? dsr_pkg::DSR_FLAG_NO_REFERENCE : 32'd0);
    // (the payload length, 2 * width * height, is the framer's product of the FIFO head)
    assign ctx_wr_data = {act_width, act_height, act_bits, act_generation, frame_time,
                          ctx_flags};
    // registered, so with room for a push on its way, one more frame start and this one:
    // count + push <= DEPTH-3 a cycle ago leaves a slot for a start now
    localparam int CB = $clog2(CTX_DEPTH) + 1;
    localparam int CTX_LIMIT_I = CTX_DEPTH - 2;
    localparam logic [CB-1:0] CTX_LIMIT = CTX_LIMIT_I[CB-1:0];
    // The FIFO's block merged with a commit's cycle (nxt_stable low) in one register,
    // sof_hold (timing: one input of the frame start instead of two); the frame start only
    // picks between the two compares, each formed from registers (timing: no carry chain
    // or compare behind the input handshake)
    always_ff @(posedge clk) begin
        if (rst) begin
            sof_hold <= 1'b1;   // nxt_stable is low after reset
        end else if (sof_accept) begin
            sof_hold <= ctx_count + {{(CB - 1){1'b0}}, ctx_push} >= CTX_LIMIT - 1'b1 || nxt_change;
        end else begin
            sof_hold <= ctx_count + {{(CB - 1){1'b0}}, ctx_push} >= CTX_LIMIT || nxt_change;
        end
    end

    dsr_fifo #(
        .DATA_WIDTH(CTX_W),
        .DEPTH(CTX_DEPTH)
    ) ctx_fifo (
        .clk, .rst,
        .wr_en(ctx_push), .wr_data(ctx_wr_data),
        .rd_en(ctx_pop), .rd_data(ctx_rd_data), .empty(ctx_empty), .count(ctx_count)
    );

    // ---------------------------------------------------------------- frame table
    // A frame's constants (size, mode, depth mask, gain, midgrey, LUT bank, no-reference)
    // stay here, not in every pixel: each pixel carries its frame's tag, the number of
    // frame starts modulo CTX_DEPTH, and the stages that use a constant read it with the
    // tag of a registered pixel, straight into a register or a short compare (the stages
    // register these inputs first). An entry is written with the context push (a cycle
    // after the start: act_* and frame_noref are then the frame's, as for every pixel of
    // it at the input) and rewritten CTX_DEPTH frame starts later, with the push of a
    // context that the FIFO holds only once the framer has popped this frame's, after
    // its last pixel (asserted below, with a count of each entry's pixels in flight).
    localparam int TAGB = $clog2(CTX_DEPTH);
    logic [TAGB-1:0] fi_tag;   // the frame of the pixel in fi_*: it changes with its start
    always_ff @(posedge clk) begin
        if (rst) begin
            fi_tag <= '0;
        end else if (sof_accept) begin
            fi_tag <= fi_tag + 1'b1;
        end
    end

    // a LUT RAM (each stage's read a copy of the bits it uses), one word per entry:
    // {width - 1, width, height, mode, noref, lut bank, lut identity, mask, gain, midgrey}
    // (width - 1 for the capture word end in front of sample_addr: the subtract is done at
    // the write, not between the table's read and sample_addr's s0_user, timing). 8 x 80
    // bits in the 256 x 256 build: wider than Verilator's toggle-coverage limit, like the
    // context FIFO's memory (the fields are covered where they are written, act_*, and
    // where they are used, the stages' inputs). Fields by bit offset (Yosys reads no
    // member of a struct array element)
    localparam int FT_MID   = 0;
    localparam int FT_GAIN  = 16;
    localparam int FT_MASK  = 32;
    localparam int FT_IDENT = 48;
    localparam int FT_BANK  = 49;
    localparam int FT_NOREF = 50;
    localparam int FT_MODE  = 51;
    localparam int FT_H     = 53;
    localparam int FT_WID   = FT_H + HB;
    localparam int FT_WM1   = FT_WID + WB;
    localparam int FT_BITS  = FT_WM1 + WB;
    (* ram_style = "distributed" *) logic [FT_BITS-1:0] ft [0:CTX_DEPTH-1];
    always_ff @(posedge clk) begin
        if (ctx_push) begin
            ft[fi_tag] <= {act_width - 1'b1, act_width, act_height, act_mode, frame_noref,
                           act_lut_bank, act_lut_identity, frame_mask, act_gain, act_midgrey};
        end
    end

    // ---------------------------------------------------------------- datapath
    // per-pixel metadata: {live, frame tag, eof, bad} after every stage, the position
    // through the generator, and next to the store the selects and weights
    localparam int U_PX = 16 + TAGB + 2;
    localparam int U_ST = 4 + 8 + 8 + U_PX;                           // + selects, weights
    localparam int U_AF = XB + YB + U_PX;                             // + position

    logic [U_AF-1:0]       af_s_user, af_o_user, af_m_user;
    logic [POS-1:0]        af_o_pos_u, af_o_pos_v, af_pos_u, af_pos_v;
    logic                  af_o_valid, af_valid, af_ready, af_s_ready;
    logic                  credit_ok, gen_ok;

    assign af_s_user = {fi_x, fi_y, fi_live, fi_tag, fi_eof, fi_bad};

    // a pixel enters only with a credit (room for it in the pixel FIFO before the framer,
    // and in the DRAM build in the FIFO after the generator): both registered flags, so
    // the input's handshake (frame_in's clock enables, the frame start) starts from two
    // flip-flops beside it and from nothing downstream
    assign fi_ready = credit_ok && gen_ok;

    // the generator runs freely in both builds (m_ready = 1)
    dsr_projective #(
        .USER_WIDTH(U_AF)
    ) affine (
        .clk, .rst,
        .s_valid(fi_valid && fi_ready), .s_ready(af_s_ready), .s_sof(fi_sof), .s_eol(fi_eol),
        .s_user(af_s_user),
        .a11(act_a11), .a12(act_a12), .a21(act_a21), .a22(act_a22), .tx(act_tx), .ty(act_ty),
        .h31(act_h31), .h32(act_h32),
        .m_valid(af_o_valid), .m_ready(1'b1), .m_pos_u(af_o_pos_u),
        .m_pos_v(af_o_pos_v), .m_user(af_o_user)
    );
    logic unused_af_s_ready;
    assign unused_af_s_ready = af_s_ready;

    generate
        if (REF_DRAM != 0) begin : g_gen_fifo
            // The DRAM store stalls its input on a miss. The generator does not stall: its
            // output waits in a FIFO with room for every pixel in flight from the
            // generator's input to the FIFO's output (gen credits, counted like the pixel
            // FIFO's below), and a skid after the FIFO gives the sampler registered data
            // and the FIFO a registered pop. The generator's stall enable (the old skid's
            // registered ready fanning out over all 29 stages and into frame_in's
            // handshake: the routed board's pipe_clk path) is gone. The generator still
            // takes each frame's act_* while its pixels enter, exactly as before.
            localparam int GF_DEPTH = 64;   // > generator latency 29 + 3 credit cycles
            localparam int GFB      = $clog2(GF_DEPTH) + 1;
            localparam int GF_W     = 2 * POS + U_AF;
            logic [GF_W-1:0] gf_data;
            logic            gf_empty, gf_pop, gf_ready, gf_in;
            logic [GFB-1:0]  gf_count, gen_used;

            dsr_fifo #(
                .DATA_WIDTH(GF_W),
                .DEPTH(GF_DEPTH)
            ) gen_fifo (
                .clk, .rst,
                .wr_en(af_o_valid), .wr_data({af_o_pos_u, af_o_pos_v, af_o_user}),
                .rd_en(gf_pop), .rd_data(gf_data), .empty(gf_empty), .count(gf_count)
            );
            assign gf_pop = gf_ready && !gf_empty;
            logic unused_gf_count;
            assign unused_gf_count = ^{gf_count, gen_used};

            dsr_skid #(
                .DATA_WIDTH(GF_W)
            ) affine_skid (
                .clk, .rst,
                .s_data(gf_data), .s_valid(!gf_empty), .s_ready(gf_ready),
                .m_data({af_pos_u, af_pos_v, af_m_user}), .m_valid(af_valid), .m_ready(af_ready)
            );

            // gen credits: pixels taken at the input and not yet popped from gen_fifo
            assign gf_in = fi_valid && fi_ready;
            dsr_credit #(
                .DEPTH(GF_DEPTH)
            ) gen_credit (
                .clk, .rst,
                .take(gf_in), .give(gf_pop), .ok(gen_ok), .used(gen_used)
            );
`ifndef SYNTHESIS
            always @(posedge clk) begin
                if (!rst) begin
                    assert (!(af_o_valid && gf_count == GF_DEPTH[GFB-1:0])) else $error("dsr_top: generator output into a full gen_fifo");
                end
            end
`endif
        end else begin : g_gen_free
            // on chip nothing after the generator ever stalls: it runs freely
            assign gen_ok = 1'b1;
            assign {af_pos_u, af_pos_v, af_m_user} = {af_o_pos_u, af_o_pos_v, af_o_user};
            assign af_valid = af_o_valid;
            logic unused_af_ready;
            assign unused_af_ready = af_ready;
        end
    endgenerate

    logic [XB-1:0]   af_x;
    logic [YB-1:0]   af_y;
    logic [U_PX-1:0] af_px;
    assign {af_x, af_y, af_px} = af_m_user;

    // af_px = {live, tag, eof, bad}; the frame's size and mode from the table
    logic [DW-1:0]   af_live;
    logic [TAGB-1:0] af_tag;
    logic [WB-1:0]   af_width;
    logic [HB-1:0]   af_height;
    logic [1:0]      af_mode;
    assign af_live   = af_px[TAGB + 2 +: DW];
    assign af_tag    = af_px[2 +: TAGB];
    assign af_width  = ft[af_tag][FT_WID +: WB];
    assign af_height = ft[af_tag][FT_H +: HB];
    assign af_mode   = ft[af_tag][FT_MODE +: 2];

    // for the DRAM store: the pixel reads the reference; capture word ends
    logic af_need, af_flush, af_eof;
    assign af_need  = (af_mode == dsr_pkg::DSR_MODE_SUBTRACT[1:0]
                       || af_mode == dsr_pkg::DSR_MODE_WARP[1:0]) && !ft[af_tag][FT_NOREF];
    assign af_flush = af_x[2:0] == 3'd7 || {1'b0, af_x} == ft[af_tag][FT_WM1 +: WB];
    assign af_eof   = af_px[1];

    logic              sa_valid, sa_ready, sa_wr_en;
    logic [4*AW-1:0]   sa_rd_addr;
    logic [3:0]        sa_sel;
    logic [7:0]        sa_fx, sa_fy;
    logic [1:0]        sa_wr_bank;
    logic [AW-1:0]     sa_wr_addr;
    logic [DW-1:0]     sa_wr_data;
    logic [U_PX-1:0]   sa_user;
    logic              sa_need, sa_flush, sa_eof;

    dsr_sample_addr #(
        .USER_WIDTH(U_PX + 3),
        .POS_BITS(POS),
        .WB(WB),
        .HB(HB),
        .DATA_WIDTH(DW)
    ) sample_addr (
        .clk, .rst,
        .s_valid(af_valid), .s_ready(af_ready), .s_pos_u(af_pos_u), .s_pos_v(af_pos_v),
        .s_width(af_width), .s_height(af_height),
        .s_capture(af_mode == dsr_pkg::DSR_MODE_CAPTURE[1:0]),
        .s_x(af_x), .s_y(af_y), .s_live(af_live),
        .s_user({af_need, af_flush, af_eof, af_px}),
        .m_valid(sa_valid), .m_ready(sa_ready), .m_rd_addr(sa_rd_addr), .m_sel(sa_sel),
        .m_fx(sa_fx), .m_fy(sa_fy), .m_wr_en(sa_wr_en), .m_wr_bank(sa_wr_bank),
        .m_wr_addr(sa_wr_addr), .m_wr_data(sa_wr_data),
        .m_user({sa_need, sa_flush, sa_eof, sa_user})
    );
    logic              st_valid, st_ready;
    logic [4*DW-1:0]   st_data;
    logic [U_ST-1:0]   st_user;

    generate
        if (REF_DRAM != 0) begin : g_dram
            dsr_ref_dram #(
                .USER_WIDTH(U_ST),
                .DATA_WIDTH(DW),
                .WB(WB),
                .HB(HB),
                .AW(AW),
                .MEM_AW(MEM_AW),
                .CACHE_NYB(REF_CACHE_NYB)
            ) frame_store (
                .clk, .rst,
                .frame_push(ctx_push), .frame_reads(uses_reference && !frame_noref),
                .frame_capture,
                .frame_width(act_width), .frame_height(act_height),
                .frame_a11(act_a11), .frame_a12(act_a12), .frame_a21(act_a21),
                .frame_a22(act_a22), .frame_tx(act_tx), .frame_ty(act_ty),
                .frame_h31(act_h31), .frame_h32(act_h32),
                .ref_rd_slot, .ref_wr_slot,
                .s_valid(sa_valid), .s_ready(sa_ready), .s_rd_addr(sa_rd_addr),
                .s_need(sa_need), .s_wr_en(sa_wr_en), .s_wr_bank(sa_wr_bank),
                .s_wr_addr(sa_wr_addr), .s_wr_data(sa_wr_data), .s_wr_flush(sa_flush),
                .s_wr_eof(sa_eof), .s_user({sa_sel, sa_fx, sa_fy, sa_user}),
                .m_valid(st_valid), .m_ready(st_ready), .m_data(st_data), .m_user(st_user),
                .mem_cmd_valid, .mem_cmd_ready, .mem_cmd_we, .mem_cmd_addr, .mem_cmd_wdata,
                .mem_cmd_wmask, .mem_rd_valid, .mem_rd_ready, .mem_rd_data
            );
        end else begin : g_bram
            dsr_frame_store #(
                .USER_WIDTH(U_ST),
                .DATA_WIDTH(DW),
                .AW(AW),
                .OUT_REG(1'b1)      // bilinear's stage r (DATA_REG = 0 below)
            ) frame_store (
                .clk, .rst,
                .s_valid(sa_valid), .s_ready(sa_ready), .s_rd_addr(sa_rd_addr),
                .s_wr_en(sa_wr_en), .s_wr_bank(sa_wr_bank), .s_wr_addr(sa_wr_addr),
                .s_wr_data(sa_wr_data), .s_user({sa_sel, sa_fx, sa_fy, sa_user}),
                .m_valid(st_valid), .m_ready(st_ready), .m_data(st_data), .m_user(st_user)
            );
            // no DRAM: the memory port is idle
            assign mem_cmd_valid = 1'b0;
            assign mem_cmd_we    = 1'b0;
            assign mem_cmd_addr  = '0;
            assign mem_cmd_wdata = '0;
            assign mem_cmd_wmask = '0;
            assign mem_rd_ready  = 1'b1;
            logic unused_mem;
            assign unused_mem = ^{ref_rd_slot, ref_wr_slot, mem_cmd_ready, mem_rd_valid,
                                  mem_rd_data, sa_need, sa_flush, sa_eof};
        end
    endgenerate

    logic [3:0]      st_sel;
    logic [7:0]      st_fx, st_fy;
    logic [U_PX-1:0] st_px;
    logic [TAGB-1:0] st_tag;
    logic [DW-1:0]   st_mask;
    assign {st_sel, st_fx, st_fy, st_px} = st_user;
    assign st_tag  = st_px[2 +: TAGB];
    assign st_mask = ft[st_tag][FT_MASK +: DW];

    logic            bi_valid, bi_ready;
    logic [DW-1:0]   bi_ref;
    logic [U_PX-1:0] bi_px;

    dsr_bilinear #(
        .USER_WIDTH(U_PX),
        .DATA_WIDTH(DW),
        .DATA_REG(REF_DRAM != 0)    // on-chip: the frame store's EBR output registers
    ) bilinear (
        .clk, .rst,
        .s_valid(st_valid), .s_ready(st_ready), .s_data(st_data), .s_sel(st_sel),
        .s_fx(st_fx), .s_fy(st_fy), .s_mask(st_mask), .s_noref(ft[st_tag][FT_NOREF]),
        .s_user(st_px),
        .m_valid(bi_valid), .m_ready(bi_ready), .m_ref(bi_ref), .m_user(bi_px)
    );

    logic [TAGB-1:0] bi_tag;
    assign bi_tag = bi_px[2 +: TAGB];

    logic            lu_valid, lu_ready;
    logic [15:0]     lu_refp;
    logic [U_PX-1:0] lu_px;

    dsr_lut #(
        .USER_WIDTH(U_PX),
        .ADDR_WIDTH(DW),
        .DATA_WIDTH(16)
    ) lut (
        .clk, .rst,
        .s_valid(bi_valid), .s_ready(bi_ready), .s_ref(bi_ref), .s_bank(ft[bi_tag][FT_BANK]),
        .s_identity(ft[bi_tag][FT_IDENT]), .s_user(bi_px),
        .m_valid(lu_valid), .m_ready(lu_ready), .m_refp(lu_refp), .m_user(lu_px),
        .a_wr(lut_wr), .a_bank(lut_bank), .a_addr(lut_addr),
        .a_wdata(lut_wdata), .a_rdata(lut_rdata),
        .pixel_read(lut_pixel_read), .pixel_bank(lut_pixel_bank)
    );

    logic [15:0]     lu_live;
    logic [TAGB-1:0] lu_tag;
    logic [1:0]      lu_frame;   // {eof, bad}
    assign {lu_live, lu_tag, lu_frame} = lu_px;

    logic        su_valid;
    logic [15:0] su_pixel;
    logic [1:0]  su_frame;

    // Everything from the generator to here runs freely (m_ready = 1: no stall enable
    // fans out over the pipeline's registers); a pixel is taken at the input only with a
    // credit, so the pixel FIFO below always has room for what is in flight
    dsr_subtract #(
        .USER_WIDTH(2)
    ) subtract (
        .clk, .rst,
        .s_valid(lu_valid), .s_ready(lu_ready), .s_live(lu_live), .s_refp(lu_refp),
        .s_mode(ft[lu_tag][FT_MODE +: 2]), .s_mask(ft[lu_tag][FT_MASK +: 16]), .s_gain(ft[lu_tag][FT_GAIN +: 16]),
        .s_midgrey(ft[lu_tag][FT_MID +: 16]),
        .s_user(lu_frame),
        .m_valid(su_valid), .m_ready(1'b1), .m_pixel(su_pixel), .m_user(su_frame)
    );

    // ---------------------------------------------------------------- pixel FIFO, credits
    localparam int PF_DEPTH = 128;         // > the pipeline's latency (~60) + 4: full rate
    localparam int PFB      = $clog2(PF_DEPTH) + 1;
    logic [17:0]    pf_data;
    logic           pf_empty, pf_pop, pf_ready;
    logic [PFB-1:0] pf_count, credits_used;
    logic           pipe_in;

    dsr_fifo #(
        .DATA_WIDTH(18),
        .DEPTH(PF_DEPTH)
    ) pixel_fifo (
        .clk, .rst,
        .wr_en(su_valid), .wr_data({su_frame, su_pixel}),
        .rd_en(pf_pop), .rd_data(pf_data), .empty(pf_empty), .count(pf_count)
    );
    assign pf_pop = pf_ready && !pf_empty;
    logic unused_pf_count;
    assign unused_pf_count = ^{pf_count, credits_used};

    // credits: pixels taken by the generator and not yet out of the FIFO (registered
    // count and flag: dsr_credit)
    assign pipe_in = fi_valid && fi_ready;
    dsr_credit #(
        .DEPTH(PF_DEPTH)
    ) credit (
        .clk, .rst,
        .take(pipe_in), .give(pf_pop), .ok(credit_ok), .used(credits_used)
    );

    // the framer sees the FIFO through a register slice
    logic        fr_ready, px_valid;
    logic [17:0] px_data;
    dsr_skid #(
        .DATA_WIDTH(18)
    ) pixel_skid (
        .clk, .rst,
        .s_data(pf_data), .s_valid(!pf_empty), .s_ready(pf_ready),
        .m_data(px_data), .m_valid(px_valid), .m_ready(fr_ready)
    );

    // ---------------------------------------------------------------- framer, output
    logic [WB-1:0] ctx_width;
    logic [HB-1:0] ctx_height;
    logic [4:0]    ctx_bits;
    logic [31:0]   ctx_generation, ctx_head_flags;
    logic [63:0]   ctx_time;
    assign {ctx_width, ctx_height, ctx_bits, ctx_generation, ctx_time, ctx_head_flags}
        = ctx_rd_data;

    logic        fr_valid, fr_last, out_ready;
    logic [15:0] fr_data;

    dsr_framer #(
        .WB(WB),
        .HB(HB)
    ) framer (
        .clk, .rst,
        .s_valid(px_valid), .s_ready(fr_ready), .s_pixel(px_data[15:0]),
        .s_eof(px_data[17]), .s_bad(px_data[16]),
        .ctx_empty, .ctx_pop, .ctx_width, .ctx_height, .ctx_bits, .ctx_generation,
        .ctx_time, .ctx_flags(ctx_head_flags),
        .m_valid(fr_valid), .m_ready(out_ready), .m_data(fr_data), .m_last(fr_last)
    );

    dsr_skid #(
        .DATA_WIDTH(17)
    ) out_skid (
        .clk, .rst,
        .s_data({fr_last, fr_data}), .s_valid(fr_valid), .s_ready(out_ready),
        .m_data({m_last, m_data}), .m_valid, .m_ready
    );

    assign frame_out = m_valid && m_ready && m_last;

`ifndef SYNTHESIS
    // assertions (Verilator --assert in every test build, Icarus): the context FIFO is
    // never pushed when full nor popped when empty (sof_hold reserves room); the output
    // holds still while stalled; the pipeline's valids are never X (4-state)
    logic        a_out_stall, a_run;
    logic [16:0] a_out;
    always @(posedge clk) begin
        a_out_stall <= !rst && m_valid && !m_ready;
        a_out       <= {m_last, m_data};
        a_run       <= !rst;   // from the second cycle out of reset (4-state: inputs settle)
        if (!rst && a_run) begin
            if (ctx_push) assert (ctx_count != CTX_DEPTH[$clog2(CTX_DEPTH):0])
                else $error("dsr_top: frame context pushed at full (dropped even with a pop)");
            if (ctx_pop) assert (!ctx_empty) else $error("dsr_top: frame context popped when empty");
            // the frame table's depth mask is that of the pushed frame's act_bits
            if (ctx_push) assert (frame_mask == 16'hffff >> (5'd16 - act_bits))
                else $error("dsr_top: frame_in's depth mask differs from act_bits at the push");
            if (a_out_stall) assert (m_valid && {m_last, m_data} === a_out)
                else $error("dsr_top: output changed while stalled");
            assert (!$isunknown({m_valid, s_ready, reg_ready, fi_valid, af_valid, sa_valid,
                                 st_valid, bi_valid, lu_valid, su_valid}))
                else $error("dsr_top: X on a valid/ready (m s reg fi af sa st bi lu su: %b)",
                            {m_valid, s_ready, reg_ready, fi_valid, af_valid, sa_valid,
                             st_valid, bi_valid, lu_valid, su_valid});
        end
    end

    // the frame table: an entry is live from its frame's context push until the frame's
    // last pixel (eof) leaves the subtractor's input, the last stage that reads the table.
    // A push never rewrites a live entry, and every pixel at the subtractor's input reads
    // a live one; with the pipeline in order (a frame's pixels behind its push, eof
    // last) every earlier read of a pixel is then of its own frame's entry too. A bit per
    // entry, two checks: assertions cost Verilator time in every test build, so the bits
    // are loaded only at a push or a frame's end (the only cycles they change in)
    logic [CTX_DEPTH-1:0] a_live, a_push_bit, a_done_bit;
    logic                 a_done;
    assign a_done      = lu_valid && lu_ready && lu_frame[1];
    assign a_push_bit  = ctx_push ? CTX_DEPTH'(1) << fi_tag : '0;
    assign a_done_bit  = a_done ? CTX_DEPTH'(1) << lu_tag : '0;
    always @(posedge clk) begin
        if (rst) begin
            a_live <= '0;
        end else if (ctx_push || a_done) begin
            a_live <= (a_live & ~a_done_bit) | a_push_bit;
        end
        // each check behind its own event (no 2-bit vector built every cycle)
        if (!rst && a_run && ctx_push) begin
            assert (!a_live[fi_tag])
                else $error("dsr_top: frame table entry %0d rewritten while live (push)", fi_tag);
        end
        if (!rst && a_run && lu_valid) begin
            assert (a_live[lu_tag])
                else $error("dsr_top: frame table entry %0d read while dead (subtractor)", lu_tag);
        end
    end
`ifdef VERILATOR
    // protocol corners for coverage (make -C tests/hdl coverage, --coverage-user)
    c_ctx_full: cover property (@(posedge clk) ctx_count == CTX_LIMIT);
`endif
`endif

endmodule

`default_nettype wire
