// dsr_ref_prefetch - walks each frame's transform ahead of the sampler and requests the
// reference tiles it will read, so the tile cache holds them before the pixel arrives.
//
// The walk uses the sampler's own modules, instantiated a second time: dsr_projective (the
// coordinate generator) and dsr_sample_addr (the border clamp and the 2x2 pair), fed a
// synthetic raster of the frame's size with the frame's parameters. So the prefetcher
// sees exactly the pair (cx..cx+1, cy..cy+1) each pixel will read, and a new coordinate
// generator changes both walks at once.
//
// Tiles are TILE_W x TILE_H = 8 x 4 pixels (one DRAM word per tile row). The cache is
// direct mapped by tile position: tile (tx, ty) lives in slot (tx, ty mod 2^NYB), so it
// holds 2^NYB tile rows across the whole width. A pair touches at most 2 x 2 tiles, all of
// different (tx, ty) parity: each parity class k = {ty[0], tx[0]} has its own tag bank
// with one lookup per pixel. Per slot: valid and tag (ty), in LUT RAM (see "tag banks":
// valid is a generation number, so a clear-all is one counter step, not 2048 flip-flops
// to mux), and busy and last (the sequence number of the last pixel that reads it), in
// block RAM, read only for a fill (see "last readers": busy is an epoch number too).
//
// Pixels that read the reference are numbered q = 0, 1, ... in the order both walks see
// them; the sampler reports how many it has read (rd_seq). A slot's new tile may be
// written only once the sampler is past the old tile's last reader: a fill whose slot is
// busy (marked by a pixel since the last time the sampler had read every walked pixel)
// carries that last reader (wait_last), and dsr_ref_dram reads it from DRAM at once but
// writes it into the cache only after the sampler has passed it (rd_seq > wait_last); the
// walk never stops for a busy slot, so it
// stays ahead (a window of pixels, bounded by dsr_ref_dram's fill ring). A fill is
// tagged with the q of the pixel that needed it, and the sampler reads pixel p only when
// no fill with q <= p is outstanding (dsr_ref_dram). Fills are issued in order, so a pixel
// never waits for a tile that was discovered late, and a tile is never overwritten while a
// pixel that needs it is in flight. One miss per cycle; a pixel with one miss still
// completes in its cycle.
//
// A frame starts (its first pixel at the tile stage) only when the capture frames that
// started before it have sent all their words (job_ticket = captures started before it,
// capture_done = captures sent); if the reference changed since the last frame (a capture
// since, or the other slot), every tag is invalidated first. Later captures cannot hold it
// up: their pixels come after this frame's.
`default_nettype none

module dsr_ref_prefetch #(
    parameter int WB        = 13,
    parameter int HB        = 13,
    parameter int XB        = WB - 1,
    parameter int YB        = HB - 1,
    parameter int SEQ_BITS  = 24,
    parameter int JOB_DEPTH = 8,
    parameter int NYB       = 1            // the cache holds 2^NYB tile rows (>= 1)
) (
    input  logic                clk,
    input  logic                rst,

    // one job per frame that reads the reference, pushed at its start
    input  logic                job_push,
    input  logic [WB-1:0]       job_width,
    input  logic [HB-1:0]       job_height,
    input  logic [31:0]         job_a11,
    input  logic [31:0]         job_a12,
    input  logic [31:0]         job_a21,
    input  logic [31:0]         job_a22,
    input  logic [31:0]         job_tx,
    input  logic [31:0]         job_ty,
    input  logic [31:0]         job_h31,
    input  logic [31:0]         job_h32,
    input  logic                job_slot,      // DRAM reference slot the frame reads
    input  logic [7:0]          job_ticket,    // captures started before this frame
    output logic                job_full,

    input  logic [7:0]          capture_done,  // captures whose words are all sent
    input  logic [SEQ_BITS-1:0] rd_seq,        // pixels the sampler has read

    output logic [SEQ_BITS-1:0] pf_seq,        // pixels whose tiles are requested

    // tile fill requests, in order
    output logic                fill_valid,
    input  logic                fill_ready,
    output logic                fill_slot,
    output logic [XB-4:0]       fill_tx,
    output logic [YB-3:0]       fill_ty,
    output logic [SEQ_BITS-1:0] fill_seq,
    // each fill's wait, three cycles after its request (the last readers are a block RAM
    // read at the issue, see "last readers"); one per fill, in order
    output logic                wait_valid,
    output logic                wait_en,       // the slot's old tile may still have readers:
    output logic [SEQ_BITS-1:0] wait_last,     // write the fill only once rd_seq > wait_last
    output logic [SEQ_BITS-1:0] wait_seq       // the fill's fill_seq
);

    localparam int TXB = XB - 3;                 // tile column bits (8 pixels a tile)
    localparam int TYB = YB - 2;                 // tile row bits (4 lines a tile)
    localparam int SXB = TXB - 1 + NYB - 1;      // slot index bits per parity bank
    localparam int NSB = 1 << SXB;               // slots per parity bank
    localparam int POS = dsr_pkg::DSR_ACC_BITS - dsr_pkg::DSR_A_FRAC_BITS + dsr_pkg::DSR_W_BITS;
    localparam int AW  = XB + YB - 2;
    localparam int JW  = WB + HB + 8 * 32 + 1 + 8;
    localparam logic [SEQ_BITS-1:0] WINDOW = SEQ_BITS'(1) << (SEQ_BITS - 2);
    localparam int GB  = 4;                      // valid generation bits (0: never valid)
    localparam int EB  = 4;                      // busy epoch bits
    localparam logic [GB-1:0] GEN_LAST = '1;
    // the tables are read over two cycles: NC candidates (the slots {j, lo}) at stage P,
    // one of them at stage R
    localparam int CB  = SXB > 4 ? 2 : 1;
    localparam int NC  = 1 << CB;
    localparam int LOB = SXB - CB;

    // ---------------------------------------------------------------- jobs
    logic                        job_empty, job_pop;
    logic [JW-1:0]               job_rd;
    logic [$clog2(JOB_DEPTH):0]  job_count;

    dsr_fifo #(
        .DATA_WIDTH(JW),
        .DEPTH(JOB_DEPTH)
    ) jobs (
        .clk, .rst,
        .wr_en(job_push),
        .wr_data({job_width, job_height, job_a11, job_a12, job_a21, job_a22, job_tx, job_ty,
                  job_h31, job_h32, job_slot, job_ticket}),
        .rd_en(job_pop), .rd_data(job_rd), .empty(job_empty), .count(job_count)
    );
    assign job_full = job_count == ($clog2(JOB_DEPTH) + 1)'(JOB_DEPTH);

    // the frame being walked
    logic          walking;
    logic [WB-1:0] w_width;
    logic [HB-1:0] w_height;
    logic [31:0]   w_a11, w_a12, w_a21, w_a22, w_tx, w_ty, w_h31, w_h32;
    logic          w_slot;
    logic [7:0]    w_ticket;
    logic [XB-1:0] gx;
    logic [YB-1:0] gy;

    logic          gen_valid, gen_ready, gen_sof, gen_eol, gen_last;
    assign gen_valid = walking;
    assign job_pop   = !walking && !job_empty;

    // frame start, line end and last line are flip-flops (set from the counters' next
    // values), so the generator's inputs do not wait for the counters' compares. The
    // compares are of registers alone: gx2 = gx + 2 and gy2 = gy + 2 are counters of their
    // own (timing: {1'b0, gx} + 2 == w_width was a carry chain, then the compare, then the
    // step's enable, 9 LUT levels to eol_q on the board netlist)
    logic          sof_q, eol_q, lrow_q;
    logic [WB-1:0] gx2;
    logic [HB-1:0] gy2;
    logic [WB-1:0] j_width;
    logic [HB-1:0] j_height;
    assign j_width  = job_rd[JW-1 -: WB];
    assign j_height = job_rd[JW-1-WB -: HB];
    assign gen_sof  = sof_q;
    assign gen_eol  = eol_q;
    assign gen_last = eol_q && lrow_q;

    always_ff @(posedge clk) begin
        if (rst) begin
            walking <= 1'b0;
            gx      <= '0;
            gy      <= '0;
            gx2     <= WB'(2);
            gy2     <= HB'(2);
            sof_q   <= 1'b0;
            eol_q   <= 1'b0;
            lrow_q  <= 1'b0;
        end else if (job_pop) begin
            walking <= 1'b1;
            gx      <= '0;
            gy      <= '0;
            gx2     <= WB'(2);
            gy2     <= HB'(2);
            sof_q   <= 1'b1;
            eol_q   <= j_width == WB'(1);
            lrow_q  <= j_height == HB'(1);
        end else if (gen_valid && gen_ready) begin
            sof_q <= 1'b0;
            if (gen_last) begin
                walking <= 1'b0;
            end
            if (gen_eol) begin
                gx     <= '0;
                gy     <= gy + 1'b1;
                gx2    <= WB'(2);
                gy2    <= gy2 + 1'b1;
                eol_q  <= w_width == WB'(1);
                lrow_q <= gy2 == w_height;
            end else begin
                gx    <= gx + 1'b1;
                gx2   <= gx2 + 1'b1;
                eol_q <= gx2 == w_width;
            end
        end
    end

    always_ff @(posedge clk) begin
        if (job_pop) begin
            {w_width, w_height, w_a11, w_a12, w_a21, w_a22, w_tx, w_ty, w_h31, w_h32, w_slot,
             w_ticket} <= job_rd;
        end
    end

    // ---------------------------------------------------------------- the sampler's walk
    logic           af_valid, af_ready;
    logic [POS-1:0] af_pos_u, af_pos_v;
    logic [WB+HB+9:0] af_user;

    dsr_projective #(
        .USER_WIDTH(WB + HB + 10)
    ) affine (
        .clk, .rst,
        .s_valid(gen_valid), .s_ready(gen_ready), .s_sof(gen_sof), .s_eol(gen_eol),
        .s_user({w_width, w_height, w_slot, w_ticket, gen_sof}),
        .a11(w_a11), .a12(w_a12), .a21(w_a21), .a22(w_a22), .tx(w_tx), .ty(w_ty),
        .h31(w_h31), .h32(w_h32),
        .m_valid(af_valid), .m_ready(af_ready), .m_pos_u(af_pos_u), .m_pos_v(af_pos_v),
        .m_user(af_user)
    );

    logic            sa_valid, sa_ready, sa_sof, sa_slot;
    logic [7:0]      sa_ticket;
    logic [4*AW-1:0] sa_rd_addr;
    // the sampler's fractions, selects and capture port mean nothing to the walk
    logic [3:0]      unused_sel;
    logic [7:0]      unused_fx, unused_fy;
    logic            unused_wr_en, unused_wr_data;
    logic [1:0]      unused_wr_bank;
    logic [AW-1:0]   unused_wr_addr;

    dsr_sample_addr #(
        .USER_WIDTH(10),
        .POS_BITS(POS),
        .WB(WB),
        .HB(HB),
        .DATA_WIDTH(1)
    ) sample_addr (
        .clk, .rst,
        .s_valid(af_valid), .s_ready(af_ready), .s_pos_u(af_pos_u), .s_pos_v(af_pos_v),
        .s_width(af_user[WB+HB+9 -: WB]), .s_height(af_user[HB+9 -: HB]),
        .s_capture(1'b0), .s_x('0), .s_y('0), .s_live(1'b0), .s_user(af_user[9:0]),
        .m_valid(sa_valid), .m_ready(sa_ready), .m_rd_addr(sa_rd_addr),
        .m_sel(unused_sel), .m_fx(unused_fx), .m_fy(unused_fy), .m_wr_en(unused_wr_en),
        .m_wr_bank(unused_wr_bank), .m_wr_addr(unused_wr_addr), .m_wr_data(unused_wr_data),
        .m_user({sa_slot, sa_ticket, sa_sof})
    );
    logic unused_rd_addr;
    assign unused_rd_addr = ^sa_rd_addr;

    // ---------------------------------------------------------------- tiles of the pair
    // bank 0 = {row_even, col_even} = {(cy+1)>>1, (cx+1)>>1}; bank 3 = {cy>>1, cx>>1}
    logic [TXB-1:0] tx0, tx1;
    logic [TYB-1:0] ty0, ty1;
    assign tx0 = sa_rd_addr[3*AW + 2 +: TXB];
    assign tx1 = sa_rd_addr[0*AW + 2 +: TXB];
    assign ty0 = sa_rd_addr[3*AW + (XB - 1) + 1 +: TYB];
    assign ty1 = sa_rd_addr[0*AW + (XB - 1) + 1 +: TYB];

    // the tile of bank k: its slot is {(ty >> 1) mod 2^(NYB-1), tx >> 1} (wiring only)
    function automatic logic [SXB-1:0] slot_of(input logic [TXB-1:0] tx, input logic [TYB-1:0] ty);
        slot_of = SXB'((32'(ty) >> 1 & ((32'd1 << (NYB - 1)) - 1)) << (TXB - 1)) | SXB'(tx >> 1);
    endfunction

    // A slot is free (its fill carries no wait) when it is not busy. Its last reader's age
    // is not looked at here: a busy slot's fill carries the last reader, and dsr_ref_dram
    // compares it with rd_seq (fl_wen: last before the fill's own pixel; the take:
    // wait_before(last, rd_seq)), the same sign test the age was (rd - last in
    // 1 .. 2^(SEQ_BITS-1)). A fill whose slot's age said "read" when I computed it is
    // therefore taken in the same cycle as if it carried no wait: rd_seq only grows, and
    // at the take rd_seq <= fill_seq (the fill's own pixel is not read before its words
    // are written), with fill_seq - last <= 2^(SEQ_BITS-1) (else fl_wen is low). Timing:
    // the 24-bit age of every candidate, picked by P's slot into R's free flag, was
    // synth-store's seed-2 pipe_clk path (c_last -> carry chain -> pick -> r_free, 10.76 ns).

    localparam int PW = 4 * (1 + TXB + TYB);       // a pair: present, tx, ty per bank
    localparam int KW = PW + 1 + 1 + 8;            // + sof, slot, ticket
    logic [PW-1:0] sa_pair;
    always_comb begin
        for (int k = 0; k < 4; k++) begin
            sa_pair[k * (1 + TXB + TYB) +: 1 + TXB + TYB] =
                {(tx0[0] == k[0] || tx1[0] == k[0]) && (ty0[0] == k[1] || ty1[0] == k[1]),
                 tx0[0] == k[0] ? tx0 : tx1, ty0[0] == k[1] ? ty0 : ty1};
        end
    end

    // The lookup is four stages, so no path runs from a table read to the walk's stall, and
    // a 512-deep LUT RAM read (the address fanned out to every cell, then a mux tree) is
    // split over two cycles:
    //   A  a register slice (dsr_skid) after the walk: its ready is a flip-flop
    //   P  the tables read at the NC slots {j, lo} that share the slot's low bits, as
    //      candidates that mirror the tables (each takes the table writes to its slot)
    //   R  the slot's candidate (tag, valid, busy, last), as copies
    //   I  hit and free (registered), first miss, issue, done
    // Every table write comes from I (issue: valid and tag; done: busy and last; the frame
    // start's invalidation; the all-read clear of busy) and reaches the tables a cycle later
    // (pending write, from registers). The copies in R and I are kept current: each takes
    // the writes of the cycle whose slot matches its own, and R's read takes the pending one.
    logic          a_valid, a_ready;
    logic [KW-1:0] a_data;
    dsr_skid #(
        .DATA_WIDTH(KW)
    ) slice (
        .clk, .rst,
        .s_data({sa_pair, sa_sof, sa_slot, sa_ticket}), .s_valid(sa_valid), .s_ready(sa_ready),
        .m_data(a_data), .m_valid(a_valid), .m_ready(a_ready)
    );

    logic [3:0]     a_present;
    logic [TXB-1:0] a_tx [4];
    logic [TYB-1:0] a_ty [4];
    logic [SXB-1:0] a_slot [4];
    logic [SXB-1:0] s_slot [4];                 // the slice's input
    always_comb begin
        for (int k = 0; k < 4; k++) begin
            {a_present[k], a_tx[k], a_ty[k]} = a_data[10 + k * (1 + TXB + TYB) +: 1 + TXB + TYB];
            a_slot[k] = slot_of(a_tx[k], a_ty[k]);
            s_slot[k] = slot_of(sa_pair[k * (1 + TXB + TYB) + TYB +: TXB],
                                sa_pair[k * (1 + TXB + TYB) +: TYB]);
        end
    end

    // the slice's state (dsr_skid's s_ready_reg, m_valid_reg, temp_valid_reg), mirrored for
    // the copies of A's slot in the tag banks (Yosys merges these with the slice's own)
    logic sk_sr, sk_mv, sk_tv;
    always_ff @(posedge clk) begin
        if (rst) begin
            sk_sr <= 1'b0;
            sk_mv <= 1'b0;
            sk_tv <= 1'b0;
        end else begin
            sk_sr <= a_ready || (!sk_tv && (!sk_mv || !sa_valid));
            if (sk_sr) begin
                if (a_ready || !sk_mv) sk_mv <= sa_valid;
                else sk_tv <= sa_valid;
            end else if (a_ready) begin
                sk_mv <= sk_tv;
                sk_tv <= 1'b0;
            end
        end
    end

    // stages P, R and I: the pixel (bank tiles, frame start, slot, ticket) and the copies
    logic                p_valid, r_valid, i_valid;
    logic [3:0]          p_present, r_present, i_present;
    logic [TXB-1:0]      p_tx [4];
    logic [TYB-1:0]      p_ty [4];
    logic                p_sof, p_rslot;
    logic [7:0]          p_ticket;
    logic [SXB-1:0]      p_slot [4];
    logic [TXB-1:0]      r_tx [4];
    logic [TXB-1:0]      i_tx [4];
    logic [TYB-1:0]      r_ty [4];
    logic [TYB-1:0]      i_ty [4];
    logic                r_sof, i_sof, r_rslot, i_rslot;
    logic [7:0]          r_ticket, i_ticket;
    logic [3:0]          r_v, i_hit;
    logic [TYB-1:0]      r_tag [4];
    logic [SXB-1:0]      r_slot [4];
    logic [SXB-1:0]      i_slot [4];
    always_comb begin
        for (int k = 0; k < 4; k++) begin
            p_slot[k] = slot_of(p_tx[k], p_ty[k]);
            r_slot[k] = slot_of(r_tx[k], r_ty[k]);
            i_slot[k] = slot_of(i_tx[k], i_ty[k]);
        end
    end

    // ---------------------------------------------------------------- tag banks
    // Per slot, all LUT RAM (written from the pending-write registers, read at stage A's
    // slot's low bits into stage P's candidates), because a 512-to-1 read of flip-flops spread over the die is a routing tree:
    // - tag and generation: valid is gen == cur_gen. The frame start's invalidation steps
    //   cur_gen (1 .. GEN_LAST); when it wraps, a sweep writes generation 0 (never valid)
    //   into every slot (NSB cycles, reads count as invalid and no fill issues meanwhile),
    //   so an old generation never comes back. Reset starts with a sweep.
    // Busy and the last readers are not here: they are read only when a fill issues (see
    // "last readers"), so they sit in block RAM, off the lookup.
    logic [TYB-1:0]      tag_rd [4];
    logic [GB-1:0]       gen_rd [4];
    logic [3:0]          teq_rd;
    logic [3:0]          pi_en, pd_en;              // pending writes (last cycle's events)
    logic [SXB-1:0]      pi_slot [4];
    logic [SXB-1:0]      pd_slot [4];
    logic [TYB-1:0]      pi_tag [4];
    logic [SEQ_BITS-1:0] pd_last;
    logic [GB-1:0]       cur_gen;
    logic [EB-1:0]       cur_ep;
    logic                sweeping, sw_init, ep_dirty, ep_step;
    logic [SXB-1:0]      sw_slot, sw_slot1, sw_slot_n;
    // the stage moves' flags and their copies (see "stage moves")
    localparam int NGA = 1 + 4 * NC;
    logic [NGA-1:0]      xa_q, ya_q, ga_take;
    logic [4:0]          xr_q, yr_q, xi_q, yi_q, gr_take, gi_take;

    genvar g;
    generate
        for (g = 0; g < 4; g = g + 1) begin : g_tab
            // one write port: the sweep, or the issue (none issues while sweeping). Which
            // candidate a write reaches is decoded a cycle ahead (tw_j below); the enable
            // as written here is its reference in the assertions only
            logic [SXB-1:0]      tw_slot;
            logic [GB+TYB-1:0]   tw_data;
`ifndef SYNTHESIS
            logic                tw_en;
            assign tw_en   = sweeping || pi_en[g];
`endif
            assign tw_slot = sweeping ? sw_slot : pi_slot[g];
            assign tw_data = sweeping ? '0 : {cur_gen, pi_tag[g]};
            // stage P's candidates, and R's read: the candidate of P's slot
            logic [GB+TYB-1:0]   c_tag [NC];
            logic [LOB-1:0]      a_lo, p_lo;
            logic [CB-1:0]       p_hi;
            assign a_lo = a_slot[g][LOB-1:0];   // the copies' check only (am_lo)
            assign p_lo = p_slot[g][LOB-1:0];
            assign p_hi = p_slot[g][SXB-1 -: CB];
            assign {gen_rd[g], tag_rd[g]} = c_tag[p_hi];
            // the read tag against P's tile row, per candidate (c_teq[j] = c_tag[j]'s row
            // == p_ty[g], registered from the next values where the candidate loads, in
            // two halves of the row, see g_hi), then the pick (R's registered tag compare
            // t_rr, see stage I)
            logic [NC-1:0]       c_teq, c_teq_lo, c_teq_hi;
            assign c_teq     = c_teq_lo & c_teq_hi;
            assign teq_rd[g] = c_teq[p_hi];
            for (genvar j = 0; j < NC; j = j + 1) begin : g_hi
                // LUT RAM: as a block RAM (Yosys takes the candidate registers into its
                // read port) P's stall would reach the EBR's address, and its 5.8 ns
                // clock-to-out the stage R read
                (* ram_style = "distributed" *) logic [GB+TYB-1:0]   tag_mem [1 << LOB];
                // whether a write goes to this candidate's memories: the slots' candidate
                // bits decoded a cycle ahead (i_hj: the pending writes' slot, pi_slot =
                // pd_slot = I's slot of the cycle before; sw_hj: the sweep's, from its next
                // value), so only the enables and the sweep's select are in front of the
                // write bypass into the candidates (timing: the board netlist mapped the
                // CB-bit compare of the sweep's mux as a chain of LUTs shared by the
                // candidates, pd_slot -> 4 LUTs -> c_tag)
                logic                tw_j, i_hj, sw_hj;
                always_ff @(posedge clk) begin
                    i_hj  <= i_slot[g][SXB-1 -: CB] == CB'(j);
                    sw_hj <= sw_slot_n[SXB-1 -: CB] == CB'(j);
                end
                assign tw_j = sweeping ? sw_hj : pi_en[g] && i_hj;
`ifndef SYNTHESIS
                always @(posedge clk) begin
                    if (!rst) assert (tw_j == (tw_en && tw_slot[SXB-1 -: CB] == CB'(j)))
                        else $error("dsr_ref_prefetch: a candidate's registered write decode is not the slots'");
                end
`endif
                // the writes' low slot bits against the candidate's (am_lo when P takes a
                // pixel, P's otherwise), registered from the next values as eq_qp is: qa_eq
                // / qp_eq = the pending writes' slot (pi_slot = pd_slot) is am_lo / P's,
                // sa_eq / sp_eq = the sweep's. Timing: at add9136 synth-store's seed-1
                // pipe_clk path was pd_slot -> the sweep's mux (then of the busy epochs'
                // write) -> this compare -> their candidate (9.38 ns)
                logic           qa_eq, qp_eq, sa_eq, sp_eq, wa_eq, wp_eq;
                logic [LOB-1:0] am_lo_n, p_lo_n;
                assign wa_eq = sweeping ? sa_eq : qa_eq;
                assign wp_eq = sweeping ? sp_eq : qp_eq;
                always_ff @(posedge clk) begin
                    if (tw_j) tag_mem[tw_slot[LOB-1:0]] <= tw_data;
                end
                // A's slot (its low bits) as this group's own copy of the slice's output
                // register: the slice's data path mirrored (sk_*: its state), loaded by
                // the group's own a_ready, so the read address is not one net to every
                // LUT RAM cell of the bank (timing: after the stage moves' flags,
                // synth-store's seed-1 path was the slice's a_data -> 4.20 ns of routing
                // -> a last_mem read -> c_last, 9.48 ns)
                // (it had one copy for each memory it addressed while the busy epochs and
                // last readers were LUT RAM here too: the routed board's pipe_clk path at
                // 641edbf ran from am_lo, placed between the three memories, over 29 rows
                // to the tag memory's read)
                (* keep *) logic [LOB-1:0] am_lo;
                logic [LOB-1:0] at_lo;
                logic           g_ready;
                assign g_ready = xa_q[1 + NC * g + j] || (fill_ready && ya_q[1 + NC * g + j]);
                always_comb begin
                    if (sk_sr) am_lo_n = g_ready || !sk_mv ? s_slot[g][LOB-1:0] : am_lo;
                    else       am_lo_n = g_ready ? at_lo : am_lo;
                    p_lo_n = ga_take[1 + NC * g + j] ? a_lo : p_lo;
                end
                always_ff @(posedge clk) begin
                    qa_eq <= i_slot[g][LOB-1:0] == am_lo_n;
                    qp_eq <= i_slot[g][LOB-1:0] == p_lo_n;
                    sa_eq <= sw_slot_n[LOB-1:0] == am_lo_n;
                    sp_eq <= sw_slot_n[LOB-1:0] == p_lo_n;
                end
                (* keep *) always_ff @(posedge clk) begin
                    if (sk_sr) begin
                        if (g_ready || !sk_mv) begin
                            am_lo <= s_slot[g][LOB-1:0];
                        end else begin
                            at_lo <= s_slot[g][LOB-1:0];
                        end
                    end else if (g_ready) begin
                        am_lo <= at_lo;
                    end
                end
`ifndef SYNTHESIS
                always @(posedge clk) begin
                    if (!rst && a_valid) assert (am_lo == a_lo)
                        else $error("dsr_ref_prefetch: a copy of A's slot is not the slice's");
                    if (!rst) assert (qa_eq == (pd_slot[g][LOB-1:0] == am_lo)
                                      && qp_eq == (pd_slot[g][LOB-1:0] == p_lo)
                                      && sa_eq == (sw_slot[LOB-1:0] == am_lo)
                                      && sp_eq == (sw_slot[LOB-1:0] == p_lo))
                        else $error("dsr_ref_prefetch: a candidate's registered write compare is not the slots'");
                end
`endif
                // a candidate is the table read at A's slot when P takes a pixel, its own
                // otherwise, then this cycle's write to its slot
                always_ff @(posedge clk) begin
                    if (ga_take[1 + NC * g + j]) begin
                        c_tag[j] <= tw_j && wa_eq ? tw_data : tag_mem[am_lo];
                    end else if (tw_j && wp_eq) begin
                        c_tag[j] <= tw_data;
                    end
                end
                // c_tag[j]'s row against P's, from the same next values: P takes a_ty with
                // the load (ga_take[0], equal to this copy), else keeps p_ty. Timing: the
                // TYB-bit compare was between c_tag and t_rr (the board's deepest cone
                // at 25adfd0: c_tag -> compare -> the p_hi pick -> t_rr, 11 levels); as
                // one compare behind the LUT RAM read it was 10 (ABC chains it), so each
                // half of the row has its own
                localparam int TL = TYB / 2;
                logic [TYB-1:0] mem_row;
                assign mem_row = tag_mem[am_lo][TYB-1:0];
                always_ff @(posedge clk) begin
                    if (ga_take[1 + NC * g + j]) begin
                        c_teq_lo[j] <= tw_j && wa_eq ? tw_data[TL-1:0] == a_ty[g][TL-1:0]
                                                     : mem_row[TL-1:0] == a_ty[g][TL-1:0];
                        c_teq_hi[j] <= tw_j && wa_eq ? tw_data[TYB-1:TL] == a_ty[g][TYB-1:TL]
                                                     : mem_row[TYB-1:TL] == a_ty[g][TYB-1:TL];
                    end else if (tw_j && wp_eq) begin
                        c_teq_lo[j] <= tw_data[TL-1:0] == p_ty[g][TL-1:0];
                        c_teq_hi[j] <= tw_data[TYB-1:TL] == p_ty[g][TYB-1:TL];
                    end
                end
`ifndef SYNTHESIS
                always @(posedge clk) begin
                    if (!rst && p_valid) assert (c_teq[j] == (c_tag[j][TYB-1:0] == p_ty[g]))
                        else $error("dsr_ref_prefetch: a candidate's registered tag compare is not its tag's");
                end
`endif
            end
        end
    endgenerate

    // ---------------------------------------------------------------- stage I: issue
    logic [3:0] iss_k, dn_k;

    // I's misses, registered with its hits (from I's next state, see below): the first
    // miss m, whether another miss follows, or none at all
    logic [1:0] m;
    logic       more, nomiss;

    // a frame's first pixel waits for the captures before it to be sent, then drops the
    // tags if the reference changed (a capture since, or another slot). It goes on two
    // cycles after the check passed (sof_chk, then sof_ok, both registered: frame starts
    // are rare; neither condition
    // can fall back while the pixel waits: later captures finish after it, and seen only
    // changes by its own drop). The drop itself (clr_v) is a flip-flop too, acting a cycle
    // after its check, while the pixel still waits at I (sof_ok is low until seen has
    // moved), so the ticket compares are not in front of the walk's step (timing: the
    // board's pipe_clk path at aa43abe ran capture_done -> the check -> i_hit's next value
    // -> m in one cycle); a frame start that drops the tags waits one cycle more.
    logic [7:0] seen_epoch;
    logic       seen_slot, seen_any, cur_slot;
    logic       stale, cap_wait, sof_ok, clr_v, clr_b, all_rd_q, done_q;
    assign cap_wait   = capture_done != i_ticket;
    assign stale      = !seen_any || seen_epoch != i_ticket || seen_slot != i_rslot;
    // the sampler has read every walked pixel: no slot has a reader in flight. From last
    // cycle's compare (a flip-flop, not a 24-bit compare in front of the epoch's step):
    // rd_seq == pf_seq then, and no done since, means it still holds (rd_seq <= pf_seq);
    // it may come a cycle late, which only keeps slots busy longer. It steps the busy
    // epoch (see "last readers") when a slot was marked since the last step
    assign clr_b      = all_rd_q && !done_q;
    assign ep_step    = clr_b && (ep_dirty || pd_en != '0);

    // the window, a cycle late (pf_seq grows by at most one a cycle: it can only be
    // stricter); the walk's step reads win2_q, two cycles late against one less
    logic win_q, win2_q;
    logic [SEQ_BITS-1:0] ahead;
    assign ahead = pf_seq - rd_seq;

    // I goes on (go), issues its first miss (issue), is done: go is a flip-flop (go_q, set
    // from I's next state, see "stage moves"), so are go with no miss (dnm_q) and go with
    // at most one (y_q): done is one gate from flip-flops and fill_ready
    logic issue, done, go_q, dnm_q, y_q;
    assign issue = go_q && !nomiss && fill_ready;
    assign done  = dnm_q || (fill_ready && y_q);
    always_comb begin
        for (int k = 0; k < 4; k++) begin
            iss_k[k] = issue && m == 2'(k);
            dn_k[k]  = done && i_present[k];
        end
    end

    assign fill_valid = issue;
    assign fill_slot  = i_sof ? i_rslot : cur_slot;
    assign fill_tx    = i_tx[m];
    assign fill_ty    = i_ty[m];
    assign fill_seq   = pf_seq;

    // ---------------------------------------------------------------- last readers
    // Per slot, the last pixel that reads it and its busy epoch: both written at each
    // done (the pending write, pd_*), read only when a fill issues, for the fill's wait.
    // Nothing in the lookup looks at them, so they are a block RAM per bank (dsr_ram_sdp
    // with its output register: read at I's slot every cycle, the word two cycles later)
    // and the wait follows the fill three cycles behind it (wait_*), into dsr_ref_dram's
    // fill ring, which needs it only when the fill's words come back from DRAM.
    // - Busy: the epoch is busy when it equals cur_ep at the issue; the all-read clear
    //   steps cur_ep (ep_step). A slot busy at the issue has a reader in flight, maybe:
    //   its fill carries the last reader (wait_en), and dsr_ref_dram compares it with
    //   rd_seq. A slot not marked for 2^EB steps reads busy again: that errs on the safe
    //   side (the fill waits for a last reader already read, or one at or after its own
    //   pixel, which dsr_ref_dram drops), so busy needs no sweep of its own; the reset's
    //   sweep (sw_init) writes cur_ep - 1 (not busy) into every slot.
    // - Timing and area: in LUT RAM beside the tags (read at A's slot into every
    //   candidate, copied through R and I with the write bypass), the last readers were
    //   24 bits of 4 x 4 candidates, 7 300 of the board's 60 000 placed cells, spread
    //   with the lookup over a third of the die (hdl/README.md); the busy epochs were 4
    //   bits of 4 x 4 candidates and the first miss's free flag (mfree), a cone in front
    //   of the step's flags.
    // The issue's read sees every write up to the cycle before it: the pending write of
    // the issue's own cycle (the last pixel's done, at most one a slot) goes to the same
    // edge as the read, so it is bypassed (lr_byp; its epoch is cur_ep: busy), as the
    // candidates bypass theirs.
    logic [SEQ_BITS-1:0] lr_rd [4];
    logic [EB-1:0]       ep_rd [4];
    logic [3:0]          lr_byp;
    logic [SXB-1:0]      lw_slot [4];
    logic [SEQ_BITS+EB-1:0] lw_data;
    assign lw_data = sw_init ? {pf_seq, cur_ep - 1'b1} : {pd_last, cur_ep};
    generate
        for (g = 0; g < 4; g = g + 1) begin : g_last
            // the reset's sweep, or the done (none while sw_init: it is the first sweep)
            assign lw_slot[g] = sw_init ? sw_slot : pd_slot[g];
            dsr_ram_sdp #(
                .DATA_WIDTH(SEQ_BITS + EB),
                .ADDR_WIDTH(SXB),
                .OUT_REG(1'b1)
            ) lr_mem (
                .clk,
                .wr_en(sw_init || pd_en[g]), .wr_addr(lw_slot[g]), .wr_data(lw_data),
                .rd_en(1'b1), .rd_addr(i_slot[g]), .rd_oce(1'b1), .rd_data({lr_rd[g], ep_rd[g]})
            );
            assign lr_byp[g] = pd_en[g] && pd_slot[g] == i_slot[g];
        end
    endgenerate

    // the issue's bank, epoch, bypass and pixel, two stages beside the RAM's read
    logic                w1_v, w2_v, w1_byp, w2_byp;
    logic [1:0]          w1_m, w2_m;
    logic [EB-1:0]       w1_ep, w2_ep;
    logic [SEQ_BITS-1:0] w1_bl, w2_bl, w1_seq, w2_seq;
    always_ff @(posedge clk) begin
        if (rst) begin
            w1_v       <= 1'b0;
            w2_v       <= 1'b0;
            wait_valid <= 1'b0;
        end else begin
            w1_v       <= issue;
            w2_v       <= w1_v;
            wait_valid <= w2_v;
        end
    end
    always_ff @(posedge clk) begin
        w1_m      <= m;
        w1_ep     <= cur_ep;
        w1_byp    <= lr_byp[m];
        w1_bl     <= pd_last;
        w1_seq    <= pf_seq;
        w2_m      <= w1_m;
        w2_ep     <= w1_ep;
        w2_byp    <= w1_byp;
        w2_bl     <= w1_bl;
        w2_seq    <= w1_seq;
        wait_en   <= w2_byp || ep_rd[w2_m] == w2_ep;
        wait_last <= w2_byp ? w2_bl : lr_rd[w2_m];
        wait_seq  <= w2_seq;
    end

    // ---------------------------------------------------------------- stage moves
    // A stage moves when the one after it is empty or moves; I moves when it is done.
    // What the moves need of the stages' state is registered from its next value (the
    // x_* and y_* flags below), so each move is one gate from flip-flops and fill_ready:
    //   i_take  = !i_valid || done                   = xi || fill_ready && yi
    //   r_take  = p_valid && (!r_valid || i_take)    = p_valid && (xr || fill_ready && yr)
    //   a_ready = !p_valid || r_take                 = xa || fill_ready && ya
    // (xi = !i_valid || go && nomiss, xr = !r_valid || xi, xa = !p_valid || xr, y = go &&
    // !more). Each group of registers a move loads has its own copy of the flags (kept
    // apart by the keep attribute: Yosys would merge the copies), so no move is one net to
    // hundreds of enables. Timing: synth-store's seed-1 pipe_clk path ran nomiss -> done ->
    // the I/R/P moves -> p_take -> 2.57 ns of routing to ~670 candidate registers, 10.74 ns.
    // Groups: A = {0: the slice and P's pixel, 1 + NC * g + j: bank g's candidate j},
    // R and I = {0: the stage's pixel, 1 + k: bank k's copy}.
    always_comb begin
        for (int n = 0; n < NGA; n++) ga_take[n] = a_valid && (xa_q[n] || (fill_ready && ya_q[n]));
        for (int n = 0; n < 5; n++) begin
            gr_take[n] = p_valid && (xr_q[n] || (fill_ready && yr_q[n]));
            gi_take[n] = r_valid && (xi_q[n] || (fill_ready && yi_q[n]));
        end
    end

    logic i_take, r_move, r_ready;
    assign i_take  = xi_q[0] || (fill_ready && yi_q[0]);    // I is free at the next edge
    assign r_move  = gi_take[0];
    assign r_ready = !r_valid || r_move;        // r_take = gr_take[0], p_take = ga_take[0]
    assign a_ready = xa_q[0] || (fill_ready && ya_q[0]);

    // the flags' next values (go_n .. y_n, nomiss_n, more_n: computed per value of
    // fill_ready and picked by it last, see "I's next state" below)
    logic sof_chk, sof_kept, sweeping_n, sw_end;
    logic go_n, nomiss_n, more_n, xi_n, xr_n, xa_n, y_n;

    genvar n;
    generate
        for (n = 0; n < NGA; n = n + 1) begin : g_fa
            (* keep *) always_ff @(posedge clk) begin
                if (rst) begin
                    xa_q[n] <= 1'b1;
                    ya_q[n] <= 1'b0;
                end else begin
                    xa_q[n] <= xa_n;
                    ya_q[n] <= y_n;
                end
            end
        end
        for (n = 0; n < 5; n = n + 1) begin : g_fri
            (* keep *) always_ff @(posedge clk) begin
                if (rst) begin
                    xr_q[n] <= 1'b1;
                    yr_q[n] <= 1'b0;
                    xi_q[n] <= 1'b1;
                    yi_q[n] <= 1'b0;
                end else begin
                    xr_q[n] <= xr_n;
                    yr_q[n] <= y_n;
                    xi_q[n] <= xi_n;
                    yi_q[n] <= y_n;
                end
            end
        end
    endgenerate

    // The slot compares the copies' next values need, registered from the slots' next
    // values (the compares are of flip-flops, so they can be made a cycle ahead): eq_qp =
    // the pending writes' slot (pi_slot = pd_slot = I's slot a cycle ago) is P's, eq_ip =
    // I's slot is P's, eq_ir = I's slot is R's. Timing: after the stage moves' flags,
    // synth-store's seed-1 pipe_clk path was p_tx -> the slot compare with pd_slot ->
    // R's next busy (10.10 ns).
    logic [3:0] eq_qp, eq_ip, eq_ir;
    always_ff @(posedge clk) begin
        for (int k = 0; k < 4; k++) begin
            logic c_ra, c_rp, c_ia, c_ip, c_ir;
            c_ra = r_slot[k] == a_slot[k];
            c_rp = r_slot[k] == p_slot[k];
            c_ia = i_slot[k] == a_slot[k];
            c_ip = i_slot[k] == p_slot[k];
            c_ir = i_slot[k] == r_slot[k];
            // P's slot moves on ga_take[0], R's on gr_take[0], I's on r_move
            eq_qp[k] <= ga_take[0] ? c_ia : c_ip;
            eq_ip[k] <= r_move ? (ga_take[0] ? c_ra : c_rp) : (ga_take[0] ? c_ia : c_ip);
            eq_ir[k] <= r_move ? (gr_take[0] ? c_rp : 1'b1) : (gr_take[0] ? c_ip : c_ir);
        end
    end

    // R's tag compares, registered from the next values the same way: t_rr = R's tag is
    // R's tile row (r_tag == r_ty), t_ir = I's tile row is R's (i_ty == r_ty), so I's next
    // hit is not behind a TYB-bit compare. Timing: after the slot compares, synth-store's
    // seed-2 pipe_clk path was r_ty -> r_tag == r_ty -> I's next first miss -> mfree
    // (10.36 ns). R's tag itself (r_tag) then only feeds the assertion below.
    // The rows a pixel entering R compares with (I's issue, the pending write) are
    // registered the same way: tq_ip = I's row is P's (i_ty == p_ty), tq_qp = the pending
    // write's row is P's (pi_tag == p_ty); tq_ip in two halves of the row (as one register
    // its own cone was 8 levels: the four rows' muxes and the compare, chained by ABC).
    // Timing: the board's mr_q / t_rr / r_v cones (8 / 7 / 7 LUT levels at a13cec6) ran
    // p_ty -> the 10-bit row compare (4 levels) -> t_rr_n's case mux -> mr_q; with these,
    // mr_q 7 (make -C hdl depth TOP=board).
    logic [3:0] t_rr, t_ir, t_rr_n, tq_ip_lo, tq_ip_hi, tq_qp, rp_q;
    localparam int TQ = TYB / 2;                 // tq_ip's halves
    always_comb begin
        for (int k = 0; k < 4; k++) begin
            // rn_tag's cases (R's next tag), against R's next row
            t_rr_n[k] = t_rr[k];
            if (gr_take[1 + k]) begin
                if (iss_k[k] && eq_ip[k]) t_rr_n[k] = tq_ip_lo[k] && tq_ip_hi[k];
                else if (pi_en[k] && eq_qp[k]) t_rr_n[k] = tq_qp[k];
                else t_rr_n[k] = teq_rd[k];
            end else if (iss_k[k] && eq_ir[k]) begin
                t_rr_n[k] = t_ir[k];
            end
        end
    end
    always_ff @(posedge clk) begin
        for (int k = 0; k < 4; k++) begin
            logic c_ty_ip, c_ty_rp, c_ty_ia, t_ir_n;
            c_ty_ip = i_ty[k] == p_ty[k];
            c_ty_rp = r_ty[k] == p_ty[k];
            c_ty_ia = i_ty[k] == a_ty[k];
            t_rr[k] <= t_rr_n[k];
            // I's row moves on r_move, R's on gr_take[0], P's on ga_take[0]; pi_tag takes
            // I's row every cycle
            t_ir_n = r_move ? (gr_take[0] ? c_ty_rp : 1'b1) : (gr_take[0] ? c_ty_ip : t_ir[k]);
            t_ir[k]  <= t_ir_n;
            tq_qp[k] <= ga_take[0] ? c_ty_ia : c_ty_ip;
            tq_ip_lo[k] <= r_move ? (ga_take[0] ? r_ty[k][TQ-1:0] == a_ty[k][TQ-1:0]
                                                : r_ty[k][TQ-1:0] == p_ty[k][TQ-1:0])
                                  : (ga_take[0] ? i_ty[k][TQ-1:0] == a_ty[k][TQ-1:0]
                                                : i_ty[k][TQ-1:0] == p_ty[k][TQ-1:0]);
            tq_ip_hi[k] <= r_move ? (ga_take[0] ? r_ty[k][TYB-1:TQ] == a_ty[k][TYB-1:TQ]
                                                : r_ty[k][TYB-1:TQ] == p_ty[k][TYB-1:TQ])
                                  : (ga_take[0] ? i_ty[k][TYB-1:TQ] == a_ty[k][TYB-1:TQ]
                                                : i_ty[k][TYB-1:TQ] == p_ty[k][TYB-1:TQ]);
            // R's present bits without I's row (case 1's misses at m, see mrm_v)
            rp_q[k]  <= (gr_take[0] ? p_present[k] : r_present[k]) && !t_ir_n;
        end
    end

    // R's next copies: the read at P's slot (with the pending write) when a pixel enters,
    // R's own otherwise; then this cycle's writes where the slot matches
    logic [3:0]          rn_v;
    logic [TYB-1:0]      rn_tag [4];
    always_comb begin
        for (int k = 0; k < 4; k++) begin
            logic                m_iss, b_v;
            logic [TYB-1:0]      b_tag;
            if (gr_take[1 + k]) begin
                b_v    = !sweeping && gen_rd[k] == cur_gen;
                b_tag  = tag_rd[k];
                if (pi_en[k] && eq_qp[k]) begin
                    b_v   = 1'b1;
                    b_tag = pi_tag[k];
                end
                m_iss = iss_k[k] && eq_ip[k];
            end else begin
                b_v    = r_v[k];
                b_tag  = r_tag[k];
                m_iss  = iss_k[k] && eq_ir[k];
            end
            rn_v[k]    = m_iss || (!clr_v && b_v);
            rn_tag[k]  = m_iss ? i_ty[k] : b_tag;
        end
    end

    // I's next hit: from R's copies (with this cycle's issue) when R moves on, I's own
    // otherwise (registers only: what the step needs of I's next pixel, its misses, is
    // computed by cases below, not from in_hit)
    logic [3:0]          in_hit;
    always_comb begin
        for (int k = 0; k < 4; k++) begin
            logic m_iss;
            m_iss = iss_k[k] && eq_ir[k];
            if (gi_take[1 + k]) begin
                in_hit[k]  = m_iss ? t_ir[k] : !clr_v && r_v[k] && t_rr[k];
            end else begin
                in_hit[k]  = iss_k[k] || (!clr_v && i_hit[k]);
            end
        end
    end

    // I's next state by cases. The step's flags need I's next misses (nomiss_n, more_n),
    // and through in_hit these were behind this cycle's issue (m -> iss_k -> in_hit ->
    // nomiss_n -> xi_n -> xr_n -> xa_n: synth-store's seed-1 pipe_clk path at pf10, and
    // fill_room -> ... -> xa_q on the board). But what I's next pixel is follows from
    // flip-flops and fill_ready alone, in four cases, each miss vector one or two gates
    // from flip-flops:
    //   xi_q (I empty, or done with no miss): R's pixel moves in, no issue   -> mr_v
    //   fill_ready, y_q (I issues its only miss m and is done): R moves in,
    //     its copy of m's slot takes the issue (t_ir)                      -> mrm_v
    //   fill_ready, go_q, more (I issues m, stays with its other misses)   -> msi_v
    //   else (no issue; I stays): I's misses (all of them after a drop)    -> I's summary
    // (a move with R empty leaves I empty: its flags ignore the values). The drop clr_v
    // only acts while I's frame start waits (go_q low), so never with a move or an issue.
    // Everything is computed for fill_ready = 0 and 1 from flip-flops, and fill_ready
    // (dsr_ref_dram's fill_room, a flip-flop with a wide fan-out) picks last.
    logic [3:0] mh;                              // I's first miss m, one-hot
    logic [3:0] mr_v, mrm_v, msi_v;
    logic [1:0] f_m [2];
    logic [3:0] f_mh [2];                        // f_m one-hot, straight from the misses
    logic [1:0] f_nm, f_more, f_go, f_xi, f_xr, f_xa, f_y;
    logic [1:0] c_m [4];                         // per case (xi_q, y_q, go_q, stay)
    logic [3:0] c_mh [4];
    logic [3:0] c_nm, c_more;
    logic [1:0] in_m;
    logic [3:0] in_mh;
    // R's misses (r_present & ~(r_v & t_rr)) and I's (i_present & ~i_hit) registered from
    // their next values (R's: its present bits, rn_v and t_rr_n; I's: in_hit), so each
    // case's miss vector is at most one gate from flip-flops. Timing: after the per-case
    // summaries, the board's deepest prefetcher cones (mfree, xa_q: 9 levels) began at
    // r_v / t_rr -> R's misses
    logic [3:0] mr_q, im_q;
    always_ff @(posedge clk) begin
        for (int k = 0; k < 4; k++) begin
            mr_q[k] <= (gr_take[1 + k] ? p_present[k] : r_present[k]) && !(rn_v[k] && t_rr_n[k]);
            im_q[k] <= (gi_take[1 + k] ? r_present[k] : i_present[k]) && !in_hit[k];
        end
    end
    always_comb begin
        for (int k = 0; k < 4; k++) begin
            mr_v[k]  = mr_q[k];
            mrm_v[k] = mh[k] && eq_ir[k] ? rp_q[k] : mr_q[k];
            msi_v[k] = im_q[k] && !mh[k];
        end
        // each case's summary (none, more than one, the first as index and one-hot) from
        // its own vector, all in parallel; the case is picked after them (timing: picked
        // first, the vector mux sat in front of every summary, and the board's pipe_clk
        // path at 95ffdca ran xi_q -> the pick -> i_hit's misses -> the first miss's free
        // flag, then in the lookup -> xr_q -> xa_q, 10 levels)
        for (int c = 0; c < 3; c++) begin
            logic [3:0] ms;
            case (c)
                0:       ms = mr_v;
                1:       ms = mrm_v;
                default: ms = msi_v;
            endcase
            c_m[c] = 2'd0;
            for (int k = 3; k >= 0; k--) begin
                if (ms[k]) c_m[c] = 2'(k);
            end
            // the lowest miss as one-hot (bit 0 with none, as c_m), not decoded from c_m
            // (timing: mh was the priority encode, then the shift, behind the misses)
            c_mh[c]   = {ms[3] && ms[2:0] == '0, ms[2] && ms[1:0] == '0, ms[1] && !ms[0],
                         ms[0] || ms == '0};
            c_nm[c]   = ms == '0;
            c_more[c] = (ms & (ms - 1'b1)) != '0;
        end
        // I stays (cases 2 and 3: xi_q low, so I holds a pixel): its miss vector im_q is
        // the one I's registered summary (nomiss, more, m, mh) was taken from, so "none
        // left after m" is !more and case 3's summary is the registered one, or, after a
        // drop (every present tile a miss), i_present's (a pixel has at least one present
        // tile, and the drop comes only while I holds one: case 3 has a miss then). Fewer
        // inputs in the step's flags: the board's xa_q / xr_q cones (9 / 8 LUT levels at
        // a13cec6) began at im_q -> the per-case summaries -> the case pick -> f_nm -> xa_q;
        // with this they begin at case 1's misses (mh, rp_q), still 9 / 8. (Checked against
        // the vectors' summaries below.)
        c_nm[2] = !more;
        c_nm[3] = nomiss && !clr_v;
        if (clr_v) begin
            c_m[3]    = i_present[0] ? 2'd0 : i_present[1] ? 2'd1 : i_present[2] ? 2'd2
                      : i_present[3] ? 2'd3 : 2'd0;
            c_mh[3]   = {i_present[3] && i_present[2:0] == '0,
                         i_present[2] && i_present[1:0] == '0,
                         i_present[1] && !i_present[0], i_present[0] || i_present == '0};
            c_more[3] = (i_present & (i_present - 1'b1)) != '0;
        end else begin
            c_m[3]    = m;
            c_mh[3]   = mh;
            c_more[3] = more;
        end
        for (int f = 0; f < 2; f++) begin
            logic [1:0] cs;
            logic       it, rm, pv, rv, iv, isof, sok, go;
            // I's next pixel's case
            if (xi_q[0])                 cs = 2'd0;
            else if (f == 1 && y_q)      cs = 2'd1;
            else if (f == 1 && go_q)     cs = 2'd2;
            else                         cs = 2'd3;
            f_m[f]    = c_m[cs];
            f_mh[f]   = c_mh[cs];
            f_nm[f]   = c_nm[cs];
            f_more[f] = c_more[cs];
            // the stages' next state, then the step's
            it   = xi_q[0] || (f == 1 && yi_q[0]);             // I takes (i_take)
            rm   = r_valid && it;                              // r_move
            pv   = (xa_q[0] || (f == 1 && ya_q[0])) ? a_valid : p_valid;
            rv   = (!r_valid || rm) ? p_valid : r_valid;
            iv   = it ? r_valid : i_valid;
            isof = rm ? r_sof : i_sof;
            sok  = i_valid && i_sof && !rm && sof_chk && sof_kept;
            go   = iv && (!isof || sok) && win2_q && !sw_nq;
            f_go[f] = go;
            // each flag as one OR: the stages' empties (flip-flops a gate or two away) beside
            // I's go with no miss, not the chain xi -> xr -> xa (xa_q: 9 levels at 2042545)
            f_xi[f] = !iv || (go && f_nm[f]);
            f_xr[f] = (!rv || !iv) || (go && f_nm[f]);
            f_xa[f] = (!pv || !rv || !iv) || (go && f_nm[f]);
            f_y[f]  = go && !f_more[f];
        end
    end
    assign go_n     = fill_ready ? f_go[1]   : f_go[0];
    assign nomiss_n = fill_ready ? f_nm[1]   : f_nm[0];
    assign more_n   = fill_ready ? f_more[1] : f_more[0];
    assign in_m     = fill_ready ? f_m[1]    : f_m[0];
    assign in_mh    = fill_ready ? f_mh[1]   : f_mh[0];
    assign xi_n     = fill_ready ? f_xi[1]   : f_xi[0];
    assign xr_n     = fill_ready ? f_xr[1]   : f_xr[0];
    assign xa_n     = fill_ready ? f_xa[1]   : f_xa[0];
    assign y_n      = fill_ready ? f_y[1]    : f_y[0];

    // the frame start's check and the sweep's flag, next values. The check is a cycle old
    // (sof_chk, registered; sof_kept: I's pixel did not change since), so go's next value
    // is a few gates from flip-flops: the ticket and slot compares (cap_wait, stale) are a
    // cycle before it. Neither condition falls back while the pixel waits (see above), so
    // the registered check only comes a cycle later: a frame start waits one cycle more.
    // Timing: synth-store's seed-1 pipe_clk path at 9510780 was i_rslot -> stale ->
    // sof_ok's next value -> go's -> xa_q (9.56 ns).
    // (sof_ok's next value is computed with the step's flags; sw_end = the sweep's last
    // slot, a flip-flop, so no SXB-bit compare is in front of go's next value)
    logic sof_ok_n;
    assign sof_ok_n = i_valid && i_sof && !r_move && sof_chk && sof_kept;
    // sweeping_n itself registered a cycle ahead (sw_nq) from the next values of what it
    // reads (sweeping, sw_end, clr_v, cur_gen == GEN_LAST), for go's next value: the
    // generation compare and the sweep's end are not in front of the step's flags
    logic sw_nq, clr_v_n, sw_nn, sw_wrap_q;
    logic [GB-1:0] cur_gen_n;
    assign clr_v_n   = i_valid && i_sof && !cap_wait && stale && !clr_v;
    assign cur_gen_n = !clr_v ? cur_gen : cur_gen == GEN_LAST ? GB'(1) : cur_gen + 1'b1;
    assign sw_nn     = (sweeping_n && sw_slot_n != SXB'(NSB - 1))
                       || (clr_v_n && cur_gen_n == GEN_LAST);
    always_comb begin
        sweeping_n = sweeping;
        if (sweeping && sw_end) sweeping_n = 1'b0;
        if (sw_wrap_q) sweeping_n = 1'b1;
        // sw_slot1 = sw_slot + 1, a counter of its own: no carry in front of the
        // candidates' sweep compares (timing: sw_slot's carry -> sw_slot_n -> sp_eq, 8.12
        // LUT levels on the board netlist). The generation's wrap (clr_v && cur_gen ==
        // GEN_LAST) is a flip-flop too, sw_wrap_q, set from the next values (timing: the
        // board's sp_eq / sa_eq cones, 8 LUT levels at a13cec6, ran clr_v -> cur_gen's
        // compare -> sw_slot_n -> the slot compare; with sw_wrap_q 7)
        sw_slot_n = sweeping ? sw_slot1 : sw_slot;
        if (rst || sw_wrap_q) sw_slot_n = '0;
    end

    always_ff @(posedge clk) begin
        if (ga_take[0]) begin
            for (int k = 0; k < 4; k++) begin
                p_present[k] <= a_present[k];
                p_tx[k] <= a_tx[k];
                p_ty[k] <= a_ty[k];
            end
            {p_sof, p_rslot, p_ticket} <= a_data[9:0];
        end
        if (gr_take[0]) begin
            r_present <= p_present;
            r_tx      <= p_tx;
            r_ty      <= p_ty;
            r_sof     <= p_sof;
            r_rslot   <= p_rslot;
            r_ticket  <= p_ticket;
        end
        if (r_move) begin
            i_present <= r_present;
            i_tx      <= r_tx;
            i_ty      <= r_ty;
            i_sof     <= r_sof;
            i_rslot   <= r_rslot;
            i_ticket  <= r_ticket;
        end
        r_v     <= rn_v;
        r_tag   <= rn_tag;
        i_hit   <= in_hit;
        m       <= in_m;
        mh      <= in_mh;
        more    <= more_n;
        nomiss  <= nomiss_n;
        pd_last <= pf_seq;
        for (int k = 0; k < 4; k++) begin
            pi_slot[k] <= i_slot[k];
            pi_tag[k]  <= i_ty[k];
            pd_slot[k] <= i_slot[k];
        end
    end

    always_ff @(posedge clk) begin
        if (rst) begin
            p_valid    <= 1'b0;
            r_valid    <= 1'b0;
            i_valid    <= 1'b0;
            pi_en      <= '0;
            pd_en      <= '0;
            win_q      <= 1'b1;
            win2_q     <= 1'b1;
            go_q       <= 1'b0;
            dnm_q      <= 1'b0;
            y_q        <= 1'b0;
            all_rd_q   <= 1'b0;
            done_q     <= 1'b0;
            sof_ok     <= 1'b0;
            sof_chk    <= 1'b0;
            sof_kept   <= 1'b0;
            clr_v      <= 1'b0;
            pf_seq     <= '0;
            seen_any   <= 1'b0;
            seen_epoch <= '0;
            seen_slot  <= 1'b0;
            cur_slot   <= 1'b0;
            cur_gen    <= GB'(1);
            cur_ep     <= '0;
            sweeping   <= 1'b1;
            sw_nq      <= 1'b1;                // sweeping, not at its end, no drop
            sw_wrap_q  <= 1'b0;
            sw_init    <= 1'b1;
            sw_slot    <= '0;
            sw_slot1   <= SXB'(1);
            sw_end     <= 1'b0;
            ep_dirty   <= 1'b0;
        end else begin
            if (a_ready) p_valid <= a_valid;
            if (r_ready) r_valid <= p_valid;
            if (i_take) i_valid <= r_valid;
            pi_en <= iss_k;
            pd_en <= dn_k;
            win_q <= ahead < WINDOW - 1'b1;
            win2_q <= ahead < WINDOW - SEQ_BITS'(2);
            go_q  <= go_n;
            dnm_q <= go_n && nomiss_n;
            y_q   <= y_n;
            all_rd_q <= rd_seq == pf_seq;
            done_q <= done;
            sof_ok <= sof_ok_n;
            sof_chk  <= !cap_wait && !stale;
            sof_kept <= !r_move;
            // once: in the cycle it acts, stale still holds (seen moves with it)
            clr_v  <= clr_v_n;
            sw_nq  <= sw_nn;
            sw_wrap_q <= clr_v_n && cur_gen_n == GEN_LAST;
            if (clr_v) begin
                seen_any   <= 1'b1;
                seen_epoch <= i_ticket;
                seen_slot  <= i_rslot;
            end
            if (i_valid && i_sof) begin
                cur_slot <= i_rslot;
            end
            if (done) begin
                pf_seq <= pf_seq + 1'b1;
            end
            // the clears: one step of the generation / epoch (a write this cycle carries the
            // old one, so it is cleared too, as the pending write before a clear must be)
            sweeping <= sweeping_n;
            sw_end <= sw_slot_n == SXB'(NSB - 1);
            if (sweeping) begin
                sw_slot  <= sw_slot1;
                sw_slot1 <= sw_slot1 + 1'b1;
                if (sw_slot == SXB'(NSB - 1)) begin
                    sw_init  <= 1'b0;
                end
            end
            if (clr_v) begin
                if (cur_gen == GEN_LAST) begin
                    cur_gen  <= GB'(1);
                    sw_slot  <= '0;
                    sw_slot1 <= SXB'(1);
                end else begin
                    cur_gen <= cur_gen + 1'b1;
                end
            end
            if (ep_step) cur_ep <= cur_ep + 1'b1;
            ep_dirty <= (ep_dirty || pd_en != '0) && !ep_step;
        end
    end

`ifndef SYNTHESIS
    // each fill's wait is the last reader of its slot among the pixels done before the
    // fill's (a model written at each done, not from the pending writes), three cycles on;
    // and it waits (wait_en) whenever the slot was marked by a done since the last
    // all-read step (a flag per slot, cleared by the step: the epochs' 2^EB wrap may add
    // waits, never drop one)
    logic [SEQ_BITS-1:0] ref_lr [4][NSB];
    logic [NSB-1:0]      ref_bz [4];
    logic [SEQ_BITS-1:0] ref_wait [3];
    logic [2:0]          ref_wv, ref_wb;
    always @(posedge clk) begin
        for (int k = 0; k < 4; k++) begin
            if (rst || ep_step) ref_bz[k] <= '0;
            if (dn_k[k]) begin
                ref_lr[k][i_slot[k]] <= pf_seq;
                ref_bz[k][i_slot[k]] <= 1'b1;
            end
        end
        ref_wv      <= rst ? 3'b0 : {ref_wv[1:0], issue};
        ref_wb      <= {ref_wb[1:0], ref_bz[m][i_slot[m]]};
        ref_wait[0] <= ref_lr[m][i_slot[m]];
        ref_wait[1] <= ref_wait[0];
        ref_wait[2] <= ref_wait[1];
        if (!rst) assert (wait_valid == ref_wv[2])
            else $error("dsr_ref_prefetch: a fill's wait not three cycles after the fill");
        if (!rst && wait_valid && ref_wb[2]) assert (wait_en)
            else $error("dsr_ref_prefetch: a fill whose slot is busy carries no wait");
        if (!rst && wait_valid && wait_en) assert (wait_last == ref_wait[2])
            else $error("dsr_ref_prefetch: a fill's wait is not its slot's last reader");
    end
`ifdef DSR_BYPASS_COUNT
    // how often a fill needed the write bypass (the case, not lr_byp, so a broken bypass
    // still counts), printed at the end: make -C tests/hdl dram-slow requires it. Only the
    // DRAM testbench defines it (dsr-sim and the other builds stay quiet, and need no
    // plusargs from their C++)
    longint byp_fills = 0;
    always @(posedge clk) begin
        if (!rst && issue && pd_en[m] && pd_slot[m] == i_slot[m]) byp_fills <= byp_fills + 1;
    end
    final $display("dsr_ref_prefetch: %0d fills read their last reader through the write bypass",
                   byp_fills);
`endif

    // I's next state by cases (and the step's flags from it) against the step as it was
    // computed before: I's next misses from in_hit (with this cycle's issue), its free
    // flags from R's or I's copies as the move goes
    logic [3:0] ref_miss;
    logic [1:0] ref_m;
    logic       ref_nm, ref_more, ref_pv, ref_rv, ref_iv, ref_go;
    logic       ref_c_nm2, ref_c_nm3;
    logic [3:0] ref_c_mh3;
    logic [1:0] ref_c_m3;
    logic       ref_c_more3;
    logic [3:0] ms_v;                           // case 3's miss vector, summarised below
    always_comb begin
        for (int k = 0; k < 4; k++) ms_v[k] = im_q[k] || (i_present[k] && clr_v);
        ref_c_nm2 = msi_v == '0;
        ref_c_nm3 = ms_v == '0;
        ref_c_m3 = 2'd0;
        for (int k = 3; k >= 0; k--) begin
            if (ms_v[k]) ref_c_m3 = 2'(k);
        end
        ref_c_mh3   = ms_v == '0 ? 4'b1 : 4'b1 << ref_c_m3;
        ref_c_more3 = (ms_v & (ms_v - 1'b1)) != '0;
        ref_miss = (r_move ? r_present : i_present) & ~in_hit;
        ref_m = 2'd0;
        for (int k = 3; k >= 0; k--) begin
            if (ref_miss[k]) ref_m = 2'(k);
        end
        ref_more = (ref_miss & ~(4'b1 << ref_m)) != '0;
        ref_nm   = ref_miss == '0;
        ref_pv   = a_ready ? a_valid : p_valid;
        ref_rv   = r_ready ? p_valid : r_valid;
        ref_iv   = i_take ? r_valid : i_valid;
        ref_go   = ref_iv && (!(r_move ? r_sof : i_sof) || sof_ok_n) && win2_q && !sweeping_n;
    end
    always @(posedge clk) begin
        if (!rst) begin
            assert (go_n == ref_go && xi_n == (!ref_iv || (ref_go && ref_nm))
                    && xr_n == (!ref_rv || xi_n) && xa_n == (!ref_pv || xr_n)
                    && y_n == (ref_go && !ref_more))
                else $error("dsr_ref_prefetch: the step's next flags by cases are not the stages'");
            // (I's misses matter while it holds a pixel)
            if (ref_iv) assert (nomiss_n == ref_nm && more_n == ref_more && in_m == ref_m)
                else $error("dsr_ref_prefetch: I's next misses by cases are not its next hits'");
            if (i_valid) assert (mh == 4'b1 << m)
                else $error("dsr_ref_prefetch: mh is not I's first miss");
            // the drop never comes with a move into I or an issue (the cases rely on it)
            if (clr_v) assert (!r_move && !issue && !go_q)
                else $error("dsr_ref_prefetch: the tag drop with a move or an issue");
            assert (mr_q == (r_present & ~(r_v & t_rr)) && im_q == (i_present & ~i_hit))
                else $error("dsr_ref_prefetch: R's or I's registered misses are not their state's");
            assert (sw_nq == sweeping_n)
                else $error("dsr_ref_prefetch: sw_nq is not the sweep's next flag");
            assert (sw_wrap_q == (clr_v && cur_gen == GEN_LAST))
                else $error("dsr_ref_prefetch: sw_wrap_q is not the generation's wrap");
            assert ((tq_ip_lo & tq_ip_hi) == {i_ty[3] == p_ty[3], i_ty[2] == p_ty[2],
                                              i_ty[1] == p_ty[1], i_ty[0] == p_ty[0]}
                    && tq_qp == {pi_tag[3] == p_ty[3], pi_tag[2] == p_ty[2],
                                 pi_tag[1] == p_ty[1], pi_tag[0] == p_ty[0]}
                    && rp_q == (r_present & ~t_ir))
                else $error("dsr_ref_prefetch: tq_ip_*, tq_qp or rp_q is not the rows' compare");
            // cases 2 and 3 (I stays) from I's registered summary: as from the vectors
            if (!xi_q[0]) assert (ref_c_nm2 == c_nm[2] && ref_c_nm3 == c_nm[3]
                                  && ref_c_m3 == c_m[3] && ref_c_mh3 == c_mh[3]
                                  && ref_c_more3 == c_more[3])
                else $error("dsr_ref_prefetch: I's registered miss summary is not its misses'");
            assert (sw_slot1 == sw_slot + 1'b1)
                else $error("dsr_ref_prefetch: sw_slot1 is not the sweep's slot + 1");
            assert (sw_end == (sw_slot == SXB'(NSB - 1)))
                else $error("dsr_ref_prefetch: sw_end is not the sweep's last slot");
        end
    end

    // the registered drop acts while its frame's first pixel still waits at I
    always @(posedge clk) begin
        if (!rst && clr_v) assert (i_valid && i_sof && !sof_ok)
            else $error("dsr_ref_prefetch: the tag drop without its waiting frame start");
    end
    // the frame start's registered check accepts a start only when the live check (what
    // it replaced) does too; and it is at most a cycle late: a start the live check
    // accepted in the cycle before, with I's pixel unchanged, is accepted now
    logic sof_live_d;
    always @(posedge clk) begin
        sof_live_d <= !rst && i_valid && i_sof && !r_move && !cap_wait && !stale;
        if (!rst && sof_ok_n) assert (!cap_wait && !stale)
            else $error("dsr_ref_prefetch: a frame start accepted by its registered check, not by the live one");
        if (!rst && sof_live_d && i_valid && !r_move) assert (sof_ok_n)
            else $error("dsr_ref_prefetch: the frame start's registered check more than a cycle late");
    end
    // the step's flags are the stages' state, registered a cycle ahead; go's window is
    // win_q a cycle later and one less, never looser than win_q
    logic win2_d;
    always @(posedge clk) begin
        win2_d <= rst ? 1'b1 : win2_q;
        if (!rst) begin
            assert (go_q == (i_valid && (!i_sof || sof_ok) && win2_d && !sweeping))
                else $error("dsr_ref_prefetch: go_q is not I's go");
            assert (!win2_d || win_q)
                else $error("dsr_ref_prefetch: the step's window looser than win_q");
            assert (dnm_q == (go_q && nomiss) && y_q == (go_q && !more))
                else $error("dsr_ref_prefetch: the step's flags are not I's");
            assert (xa_q == {NGA{!p_valid || !r_valid || !i_valid || dnm_q}}
                    && ya_q == {NGA{y_q}} && yr_q == {5{y_q}} && yi_q == {5{y_q}}
                    && xr_q == {5{!r_valid || !i_valid || dnm_q}}
                    && xi_q == {5{!i_valid || dnm_q}})
                else $error("dsr_ref_prefetch: a copy of the move flags is not the stages' state");
            // (while walking: the last line's end of a frame 2^YB lines high wraps gy, not
            // gy2; the next job loads both)
            if (walking) assert (gx2 == {1'b0, gx} + WB'(2) && gy2 == {1'b0, gy} + HB'(2))
                else $error("dsr_ref_prefetch: the walk's counters + 2 are not the counters'");
            assert (sk_mv == a_valid && sk_sr == sa_ready)
                else $error("dsr_ref_prefetch: the mirror of the slice's state is not the slice's");
            for (int k = 0; k < 4; k++) begin
                assert (eq_qp[k] == (pd_slot[k] == p_slot[k]) && pi_slot[k] == pd_slot[k]
                        && eq_ip[k] == (i_slot[k] == p_slot[k])
                        && eq_ir[k] == (i_slot[k] == r_slot[k]))
                    else $error("dsr_ref_prefetch: a registered slot compare is not the slots'");
                // (where they are read: R's while R holds a pixel, I's while both do; a
                // flag holds until its stage first loads, so not before)
                assert (!r_valid || (t_rr[k] == (r_tag[k] == r_ty[k])
                                     && (!i_valid || t_ir[k] == (i_ty[k] == r_ty[k]))))
                    else $error("dsr_ref_prefetch: a registered tag compare is not the tags'");
            end
        end
    end
`endif

endmodule

`default_nettype wire
