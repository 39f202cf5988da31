// dsr_ref_dram - the reference frame store in DRAM behind a prefetched tile cache.
//
// The same pipeline interface as dsr_frame_store (four bank addresses in, the four
// parity words of the 2x2 pair out, or one capture write), but the reference lives in
// DRAM (LiteDRAM native port, 128-bit words, reached through dsr_mem_bridge) in tiles of
// 8 x 4 pixels, one word per tile row, two reference slots:
//
//   word address = {slot, ty >> 1, tx >> 4, ty[0], tx[3:0], ly}
//                  (tx = x >> 3, ty = y >> 2, ly = y & 3; see word_addr)
//   pixel x & 7 at bits [16 * (x & 7) +: 16] of the word
//
// so a 2x2 pair touches at most four words and a warped line a run of neighbouring tiles,
// mostly in one DRAM row.
//
// The cache holds 2^CACHE_NYB tile rows (4 lines each) across the whole width: four block
// RAMs by (x parity, y parity), each word four pixels of one parity, addressed
// {y[1+CACHE_NYB:1], x >> 3},
// so the four parity words of any pair are read in one cycle. dsr_ref_prefetch walks the
// transform ahead of the sampler and requests tiles (fills); fills are read in order,
// each tile as four word reads, and written into the cache in order as they return, each
// once the sampler has read the last pixel of the tile it replaces. A pixel that
// reads the reference passes this stage only when the prefetcher has walked it and no
// fill requested for it or an earlier pixel is outstanding; otherwise the stage stalls
// (s_ready low) and sends a bubble on. Other pixels (PASS, CAPTURE, no reference) pass.
//
// Capture writes are gathered into whole words (8 pixels of a tile row, byte enables for
// a partial word at a line end) and written to the write slot. A frame that reads the
// reference starts its walk only when every earlier capture word has been sent, and
// invalidates the cache when the reference changed.
//
// Two pipeline stages (dsr_frame_store has one: its words go to dsr_bilinear as read,
// here the lane pick follows the block RAM); s_user is carried along.
`default_nettype none

module dsr_ref_dram #(
    parameter int USER_WIDTH = 1,
    parameter int DATA_WIDTH = 16,
    parameter int WB         = 13,
    parameter int HB         = 13,
    parameter int XB         = WB - 1,
    parameter int YB         = HB - 1,
    parameter int AW         = XB + YB - 2,
    parameter int MEM_AW     = 23,        // 128-bit word address of the native port
    parameter int SEQ_BITS   = 24,
    // tiles requested and not yet written into the cache: how far the walk may run ahead
    parameter int FILL_DEPTH = 256,
    // of those, read from DRAM and not yet written: their four words each wait in
    // dsr_mem_bridge's response FIFO (4 x ISS_MAX <= 2^RSP_BITS + 1 words there)
    parameter int ISS_MAX    = 128,
    parameter int CACHE_NYB  = 1          // the cache holds 2^CACHE_NYB tile rows (4 lines each)
) (
    input  logic                    clk,
    input  logic                    rst,

    // frames: one entry per frame start (the frame's parameters)
    input  logic                    frame_push,
    input  logic                    frame_reads,     // WARP/SUBTRACT with a reference
    input  logic                    frame_capture,
    input  logic [WB-1:0]           frame_width,
    input  logic [HB-1:0]           frame_height,
    input  logic [31:0]             frame_a11,
    input  logic [31:0]             frame_a12,
    input  logic [31:0]             frame_a21,
    input  logic [31:0]             frame_a22,
    input  logic [31:0]             frame_tx,
    input  logic [31:0]             frame_ty,
    input  logic [31:0]             frame_h31,
    input  logic [31:0]             frame_h32,
    input  logic                    ref_rd_slot,     // slot frames read
    input  logic                    ref_wr_slot,     // slot captures write

    // pipeline
    input  logic                    s_valid,
    output logic                    s_ready,
    input  logic [4*AW-1:0]         s_rd_addr,
    input  logic                    s_need,          // this pixel reads the reference
    input  logic                    s_wr_en,
    input  logic [1:0]              s_wr_bank,
    input  logic [AW-1:0]           s_wr_addr,
    input  logic [DATA_WIDTH-1:0]   s_wr_data,
    input  logic                    s_wr_flush,      // last pixel of its word (x & 7 == 7 or line end)
    input  logic                    s_wr_eof,        // last pixel of the capture frame
    input  logic [USER_WIDTH-1:0]   s_user,

    output logic                    m_valid,
    input  logic                    m_ready,
    output logic [4*DATA_WIDTH-1:0] m_data,
    output logic [USER_WIDTH-1:0]   m_user,

    // memory, pipeline clock (dsr_mem_bridge crosses to the DRAM clock)
    output logic                    mem_cmd_valid,
    input  logic                    mem_cmd_ready,
    output logic                    mem_cmd_we,
    output logic [MEM_AW-1:0]       mem_cmd_addr,
    output logic [127:0]            mem_cmd_wdata,
    output logic [15:0]             mem_cmd_wmask,
    input  logic                    mem_rd_valid,
    output logic                    mem_rd_ready,
    input  logic [127:0]            mem_rd_data
);

    localparam int TXB = XB - 3;
    localparam int TYB = YB - 2;
    localparam int CAW = 1 + CACHE_NYB + TXB;      // cache bank address {y[2+NYB-1:1], tx}
    localparam int FB  = $clog2(FILL_DEPTH);
    localparam int DW  = DATA_WIDTH;

    // ---------------------------------------------------------------- capture bookkeeping
    // captures started / whose last word was sent (mod 256; at most 8 frames in flight)
    logic [7:0]          capture_started, capture_done;
    logic                wq_full, wq_eof, wq_send;

    always_ff @(posedge clk) begin
        if (rst) begin
            capture_started <= '0;
            capture_done    <= '0;
        end else begin
            if (frame_push && frame_capture) begin
                capture_started <= capture_started + 1'b1;
            end
            if (wq_send && wq_eof) begin
                capture_done <= capture_done + 1'b1;
            end
        end
    end

    // The slot each capture writes, taken at its frame start (ref_wr_slot may change while
    // its pixels are still on their way here: the board flips the slots on the upload's
    // verdict), indexed by capture number; captures whose last word was taken (cap_taken)
    // are done with theirs. At most 8 frames are in flight (the context FIFO).
    logic       cap_slot_q [8];
    logic [2:0] cap_taken;
    always_ff @(posedge clk) begin
        if (frame_push && frame_capture) begin
            cap_slot_q[capture_started[2:0]] <= ref_wr_slot;
        end
    end

    // ---------------------------------------------------------------- prefetcher
    logic [SEQ_BITS-1:0] rd_seq, pf_seq;
    logic                fill_valid, fill_ready, fill_slot;
    logic [TXB-1:0]      fill_tx;
    logic [TYB-1:0]      fill_ty;
    logic [SEQ_BITS-1:0] fill_seq, wait_last, wait_seq;
    logic                wait_valid, wait_en;
    logic                unused_job_full;

    dsr_ref_prefetch #(
        .WB(WB),
        .HB(HB),
        .SEQ_BITS(SEQ_BITS),
        .NYB(CACHE_NYB)
    ) prefetch (
        .clk, .rst,
        .job_push(frame_push && frame_reads), .job_width(frame_width),
        .job_height(frame_height), .job_a11(frame_a11), .job_a12(frame_a12),
        .job_a21(frame_a21), .job_a22(frame_a22), .job_tx(frame_tx), .job_ty(frame_ty),
        .job_h31(frame_h31), .job_h32(frame_h32),
        .job_slot(ref_rd_slot), .job_ticket(capture_started), .job_full(unused_job_full),
        .capture_done, .rd_seq, .pf_seq,
        .fill_valid, .fill_ready, .fill_slot, .fill_tx, .fill_ty, .fill_seq,
        .wait_valid, .wait_en, .wait_last, .wait_seq
    );

    // ---------------------------------------------------------------- fills in flight
    // one ring, four pointers: requested (wr), read commands sent (iss), words taken from
    // the response FIFO (tk), written into the cache (ret). LUT RAM, read at iss, tk and ret
    // LUT RAM, never a block RAM: Yosys would take the pointer registers into a DP16KD's
    // read port (fl_seq and fl_wait did at 128 deep: 2 more EBR), and its 5.8 ns
    // clock-to-out would feed the sampler's gate and the take's compare
    (* ram_style = "distributed" *) logic                fl_slot [FILL_DEPTH];
    (* ram_style = "distributed" *) logic [TXB-1:0]      fl_tx [FILL_DEPTH];
    (* ram_style = "distributed" *) logic [TYB-1:0]      fl_ty [FILL_DEPTH];
    (* ram_style = "distributed" *) logic [SEQ_BITS-1:0] fl_seq [FILL_DEPTH];
    (* ram_style = "distributed" *) logic [SEQ_BITS-1:0] fl_wait [FILL_DEPTH];
    (* ram_style = "distributed" *) logic                fl_wen [FILL_DEPTH];
    logic [FB:0]         fl_wr, fl_iss, fl_iss1, fl_tk, fl_ret;
    logic [FB:0]         fl_wd, fl_wd_q;  // waits written (three cycles behind fl_wr), a cycle ago
    logic [1:0]          iss_word, tk_word, ret_word;
    logic                tk, tk_ok, tk_step_q, wait_over;
    logic                fl_empty, iss_pending, iss_go, iss_step, rd_cmd, rd_ret;

    // registered, so the prefetcher's issue does not wait for the subtraction: room for
    // two (a fill may go out in the cycle the flag is computed), at most FILL_DEPTH - 1 in
    // flight
    logic fill_room, iss_room;
    assign fill_ready  = fill_room;
    assign fl_empty    = fl_wr == fl_ret;
    // iss_pending (fl_wr != fl_iss) is a flip-flop, set a cycle ahead as dsr_credit sets
    // its ok, from the fills requested and not yet read (iss_cnt = fl_wr - fl_iss, its
    // +-1 from the register alone) and iss_cnt1 (iss_cnt == 1, a flip-flop too): a fill
    // requested sets it (the ring never holds more than FILL_DEPTH - 1), a fill's last
    // read command leaves it at !iss_cnt1, both or neither keep it. The read commands'
    // handshake then starts from flip-flops (timing: the 9-bit compare behind
    // iss_pending, then rd_cmd, then fl_iss's carry, were nine LUT levels, the board
    // netlist's deepest pipe_clk cone; fl_wr != fl_iss + 1 as the next value was still six)
    assign iss_go      = iss_pending && iss_room;
    assign iss_step    = rd_cmd && iss_word == 2'd3;
    logic [FB:0] iss_cnt;     // fl_wr - fl_iss
    logic        iss_cnt1;    // iss_cnt == 1

    always_ff @(posedge clk) begin
        if (rst) begin
            fl_wr    <= '0;
            fl_wd    <= '0;
            fl_wd_q  <= '0;
            fill_room <= 1'b1;
            iss_room  <= 1'b1;
            fl_iss   <= '0;
            fl_iss1  <= (FB + 1)'(1);
            iss_pending <= 1'b0;
            iss_cnt  <= '0;
            iss_cnt1 <= 1'b0;
            fl_tk    <= '0;
            fl_ret   <= '0;
            iss_word <= '0;
            tk_word  <= '0;
            ret_word <= '0;
            tk_ok    <= 1'b0;
            tk_step_q <= 1'b0;
        end else begin
            if (fill_valid && fill_ready) begin
                fl_wr <= fl_wr + 1'b1;
            end
            if (wait_valid) begin
                fl_wd <= fl_wd + 1'b1;
            end
            fl_wd_q <= fl_wd;
            fill_room <= (fl_wr - fl_ret) < (FB + 1)'(FILL_DEPTH - 1);
            // the same for reads sent and not written: their words fit the response FIFO
            iss_room  <= (fl_iss - fl_ret) < (FB + 1)'(ISS_MAX - 1);
            if (rd_cmd) begin
                iss_word <= iss_word + 1'b1;
            end
            if (iss_step) begin
                fl_iss  <= fl_iss1;
                fl_iss1 <= fl_iss1 + 1'b1;
            end
            case ({fill_valid && fill_ready, iss_step})
                2'b10: begin
                    iss_pending <= 1'b1;
                    iss_cnt     <= iss_cnt + 1'b1;
                    iss_cnt1    <= !iss_pending;
                end
                2'b01: begin
                    iss_pending <= !iss_cnt1;
                    iss_cnt     <= iss_cnt - 1'b1;
                    iss_cnt1    <= iss_cnt == (FB + 1)'(2);
                end
                default: ;
            endcase
            if (tk) begin
                tk_word <= tk_word + 1'b1;
                if (tk_word == 2'd3) fl_tk <= fl_tk + 1'b1;
            end
            // for the fill whose words are taken next: a cycle late (rd_seq only grows),
            // and none in the two cycles after a fill's last word (the next fill's wait is
            // read from the ring, then compared)
            tk_step_q <= tk && tk_word == 2'd3;
            tk_ok <= wait_over && wd_ok && !(tk && tk_word == 2'd3) && !tk_step_q;
            if (rd_ret) begin
                ret_word <= ret_word + 1'b1;
                if (ret_word == 2'd3) fl_ret <= fl_ret + 1'b1;
            end
        end
    end

    always_ff @(posedge clk) begin
        if (fill_valid && fill_ready) begin
            fl_slot[fl_wr[FB-1:0]] <= fill_slot;
            fl_tx[fl_wr[FB-1:0]]   <= fill_tx;
            fl_ty[fl_wr[FB-1:0]]   <= fill_ty;
            fl_seq[fl_wr[FB-1:0]]  <= fill_seq;
        end
        // the fill's wait, three cycles behind it (dsr_ref_prefetch: a block RAM read). A
        // last reader at or after the fill's own pixel is not in flight (an old value
        // whose busy epoch came round again): nothing to wait for
        if (wait_valid) begin
            fl_wait[fl_wd[FB-1:0]] <= wait_last;
            fl_wen[fl_wd[FB-1:0]]  <= wait_en && wait_before(wait_last, wait_seq);
        end
    end

    // a < b within the window (both within 2^(SEQ_BITS-2) of rd_seq)
    function automatic logic wait_before(input logic [SEQ_BITS-1:0] a,
                                         input logic [SEQ_BITS-1:0] b);
        logic [SEQ_BITS-1:0] d;
        d = a - b;
        wait_before = d[SEQ_BITS-1];
    endfunction

    // A fill's words are taken from the response FIFO (and written into the cache a cycle
    // later) only when the sampler has read the last pixel of the tile the fill replaces:
    // its read command went out without waiting, so the DRAM latency overlaps the old
    // tile's last reads and the prefetcher never stops for a busy slot.
    // The fill's wait is read from the ring into registers a cycle before the compare
    // (tk_wen_q, tk_wait_q: the entry at fl_tk, a cycle old), so the LUT RAM read and the
    // 24-bit compare with rd_seq are in two cycles (timing: together they were synth-store's
    // pipe_clk path after f6e4ae5, fl_tk -> fl_wait -> wait_before -> tk_ok). The entry is
    // current when tk_ok is set from it: fl_tk moved two cycles before at the latest
    // (tk_step_q), and the entry (all but its wait, see below) was written before its
    // fill's first read command went out, long before that fill's first word comes back
    // (asserted below).
    // The wait is written three cycles after the rest of the entry; a fill's words come
    // back from DRAM later than that, but the take does not rely on it: wd_ok says the
    // entry at fl_tk was written before the cycle tk_*_q read it (fl_wd_q, a cycle old,
    // past fl_tk; fl_tk never passes fl_wd, its words wait for it).
    logic                tk_wen_q, wd_ok;
    logic [SEQ_BITS-1:0] tk_wait_q;
    always_ff @(posedge clk) begin
        tk_wen_q  <= fl_wen[fl_tk[FB-1:0]];
        tk_wait_q <= fl_wait[fl_tk[FB-1:0]];
    end
    assign wait_over = !tk_wen_q || wait_before(tk_wait_q, rd_seq);
    assign wd_ok     = fl_wd_q != fl_tk;

    // ---------------------------------------------------------------- memory commands
    // tile reads first; a capture word goes when no read is waiting (reads of earlier
    // frames are all sent by then: their pixels passed this stage before the capture's)
    logic [MEM_AW-1:0] wq_addr;
    logic [127:0]      wq_data;
    logic [15:0]       wq_mask;
    localparam int PAD = MEM_AW - 1 - TYB - TXB - 2;

    // The word of tile row ly of tile (tx, ty). LiteDRAM maps word addresses {row, bank,
    // column} (ROW_BANK_COL, 128 words a DRAM row) and, with one port, sends a command to
    // another bank only once the last bank's commands are out: a new row costs a
    // precharge and an activate, a new bank a drain. So a DRAM row holds a block of 16
    // tiles x 2 tile rows (128 x 8 pixels): {ty >> 1, tx >> 4, ty[0], tx[3:0], ly}. The
    // fills of a rotated line and of an edge column read by the border rule (which climbs
    // a tile row every few pixels) then stay in one row twice as long as with whole tile
    // rows per DRAM row (measured over the bench's transforms; 4 x 8 and 8 x 4 tile
    // blocks were worse).
    // (A build narrower than 16 tiles has blocks of all its tiles.)
    localparam int TXL = TXB < 4 ? TXB : 4;
    initial begin
        if (PAD < 0) $fatal(1, "dsr_ref_dram: MEM_AW too small for two reference slots");
    end
    function automatic logic [MEM_AW-1:0] word_addr(input logic s, input logic [TYB-1:0] ty,
                                                    input logic [TXB-1:0] tx,
                                                    input logic [1:0] ly);
        logic [MEM_AW-1:0] a, ty_w, tx_w;
        ty_w = MEM_AW'(ty);
        tx_w = MEM_AW'(tx);
        a = MEM_AW'(s);
        a = (a << (TYB - 1)) | (ty_w >> 1);
        a = (a << (TXB - TXL)) | (tx_w >> TXL);
        a = (a << 1) | MEM_AW'(ty[0]);
        a = (a << TXL) | (tx_w & ((MEM_AW'(1) << TXL) - MEM_AW'(1)));
        word_addr = (a << 2) | MEM_AW'(ly);
    endfunction

    assign rd_cmd  = iss_go && mem_cmd_ready;
    assign wq_send = !iss_go && wq_full && mem_cmd_ready;

    assign mem_cmd_valid = iss_go || wq_full;
    assign mem_cmd_we    = !iss_go;
    assign mem_cmd_addr  = iss_pending
        ? word_addr(fl_slot[fl_iss[FB-1:0]], fl_ty[fl_iss[FB-1:0]], fl_tx[fl_iss[FB-1:0]],
                    iss_word)
        : wq_addr;
    assign mem_cmd_wdata = wq_data;
    assign mem_cmd_wmask = wq_mask;

    // ---------------------------------------------------------------- returned words
    // a word is tile row ly: even pixels to bank {ly[0], 0}, odd to {ly[0], 1}
    logic [4*DW-1:0] ret_even, ret_odd;
    logic [TYB-1:0]  tk_ty;
    logic unused_tk_ty;
    assign tk_ty        = fl_ty[fl_tk[FB-1:0]];
    assign unused_tk_ty = ^tk_ty[TYB-1:CACHE_NYB];
    // registered as they are taken, with their cache address (from the take's fill, so
    // the write address is flip-flops, not a ring read): the response FIFO's words come
    // from a block RAM's output (5.6 ns clock-to-out at -6) and go to the cache's block
    // RAMs across the die. The fill counts (fl_ret) move with the write, so need_ok sees a
    // fill only once it is written.
    logic                 ret_v;
    logic [127:0]         ret_d;
    logic [TXB-1:0]       ret_tx;
    logic [CACHE_NYB-1:0] ret_ty;
    logic [1:0]           ret_ly;
    always_ff @(posedge clk) begin
        if (rst) begin
            ret_v <= 1'b0;
        end else begin
            ret_v <= tk;
        end
    end
    always_ff @(posedge clk) begin
        ret_d  <= mem_rd_data;
        ret_tx <= fl_tx[fl_tk[FB-1:0]];
        ret_ty <= tk_ty[CACHE_NYB-1:0];
        ret_ly <= tk_word;
    end
    assign rd_ret       = ret_v;
    assign mem_rd_ready = tk_ok;
    assign tk           = mem_rd_valid && tk_ok;
    always_comb begin
        for (int i = 0; i < 4; i++) begin
            ret_even[i*DW +: DW] = ret_d[32*i +: DW];
            ret_odd[i*DW +: DW]  = ret_d[32*i + 16 +: DW];
        end
    end

    // ---------------------------------------------------------------- sampler side
    // Pixel rd_seq may be read when the prefetcher has walked it and the oldest fill in
    // flight is for a later pixel (fills go in pixel order). Registered: evaluated a cycle
    // ahead for both counts this pixel's read can leave (rd_seq, rd_seq + 1). The state it
    // sees is two cycles old, which is only stricter: pf_seq and fl_ret only grow, and a
    // fill requested meanwhile is for a pixel not walked then. That state is one snapshot
    // (st_*: pf_seq, the ring's emptiness and its oldest fill's pixel, registered
    // together; the ring entry at fl_ret is written whenever the ring is not empty), so
    // the LUT RAM read of the oldest fill and the compares with rd_seq are in two cycles
    // (timing: together they were ten LUT levels, the board's pipe_clk path).
    logic                need_ok, wr_ok, go, rd_inc, rd_inc_q, ok_stay, ok_inc, fill_ok;
    logic [SEQ_BITS-1:0] rd_seq1, st_oldest, st_pf_seq;
    logic                st_empty;
    always_ff @(posedge clk) begin
        st_oldest <= fl_seq[fl_ret[FB-1:0]];
    end
    assign fill_ok = rd_inc_q ? ok_inc : ok_stay;   // the next read's fill is in the cache
    assign need_ok = !s_need || fill_ok;
    assign wr_ok   = !(s_wr_en && s_wr_flush && wq_full);
    assign go      = s_valid && need_ok && wr_ok;
    assign s_ready = m_ready && (!s_valid || (need_ok && wr_ok));
    // A pixel reads the reference or is captured, never both (its frame's mode), so the
    // read count and the capture registers each look at their own half of the handshake
    // (timing: the capture enables do not wait for need_ok, the read count not for wr_ok).
    // Same as s_valid && s_ready && s_need, and take = s_valid && s_ready && s_wr_en.
    assign rd_inc  = s_valid && m_ready && s_need && fill_ok;

    always_ff @(posedge clk) begin
        if (rst) begin
            rd_seq   <= '0;
            rd_seq1  <= SEQ_BITS'(1);
            rd_inc_q <= 1'b0;
            ok_stay  <= 1'b0;
            ok_inc   <= 1'b0;
            st_empty  <= 1'b1;
            st_pf_seq <= '0;
        end else begin
            if (rd_inc) begin
                rd_seq  <= rd_seq1;
                rd_seq1 <= rd_seq1 + 1'b1;
            end
            rd_inc_q <= rd_inc;
            st_empty  <= fl_empty;
            st_pf_seq <= pf_seq;
            ok_stay  <= st_pf_seq != rd_seq && (st_empty || st_oldest != rd_seq);
            ok_inc   <= st_pf_seq != rd_seq1 && (st_empty || st_oldest != rd_seq1);
        end
    end

    // Two stages: the cache read (the block RAMs' read registers, lane_q), then the words
    // registered as read (bank_r, lane_r) before the lane pick: the EBR's clock-to-out
    // (5.8 ns at -6) and the pick no longer share a cycle; the pick (a 4-to-1 mux per bit)
    // feeds dsr_bilinear's input register. m_ready enables both stages. bank_r is each
    // block RAM's own output register (dsr_ram_sdp OUT_REG, rd_oce = m_ready: the DP16KD's
    // REGMODE "OUTREG" on the ECP5), loaded as the plain register was, so the same cycles;
    // the read's clock-to-out then ends inside the EBR (timing: seed 2 of an earlier
    // synth-store run had a cache EBR's output -> 5.64 ns of routing -> bank_r as its path).
    logic [16*DW-1:0] bank_r;              // four banks of four pixels
    logic [7:0]       lane_q, lane_r;
    logic             v_q;
    logic [USER_WIDTH-1:0] user_q;
    genvar b;
    generate
        for (b = 0; b < 4; b = b + 1) begin : g_bank
            logic [AW-1:0] a;
            assign a = s_rd_addr[b*AW +: AW];
            // the cache holds lines y[2:1] and every column: the rest of the row is not needed
            logic unused_row;
            assign unused_row = ^a[AW-1:XB+CACHE_NYB];
            dsr_ram_sdp #(
                .DATA_WIDTH(4 * DW),
                .ADDR_WIDTH(CAW),
                .OUT_REG   (1'b1)
            ) ram (
                .clk     (clk),
                .wr_en   (rd_ret && ret_ly[0] == b[1]),
                .wr_addr ({ret_ty, ret_ly[1], ret_tx}),
                .wr_data (b[0] ? ret_odd : ret_even),
                .rd_en   (m_ready),
                .rd_addr ({a[XB-1 +: 1 + CACHE_NYB], a[2 +: TXB]}),
                .rd_oce  (m_ready),
                .rd_data (bank_r[b*4*DW +: 4*DW])
            );
            always_ff @(posedge clk) begin
                if (m_ready) lane_q[2*b +: 2] <= a[1:0];
            end
            logic [4*DW-1:0] word;
            assign word = bank_r[b*4*DW +: 4*DW];
            assign m_data[b*DW +: DW] = word[lane_r[2*b +: 2]*DW +: DW];
        end
    endgenerate

    always_ff @(posedge clk) begin
        if (rst) begin
            v_q     <= 1'b0;
            m_valid <= 1'b0;
        end else if (m_ready) begin
            v_q     <= go;
            m_valid <= v_q;
        end
    end

    always_ff @(posedge clk) begin
        if (m_ready) begin
            user_q <= s_user;
            m_user <= user_q;
            lane_r <= lane_q;
        end
    end

    // ---------------------------------------------------------------- capture words
    // pixel (x, y): x = {wr_addr low, bank[0]}, y = {wr_addr high, bank[1]}
    logic [XB-1:0]   wx;
    logic [YB-1:0]   wy;
    logic [127:0]    acc_data;
    logic [15:0]     acc_mask;
    logic            take;
    assign wx   = {s_wr_addr[XB-2:0], s_wr_bank[0]};
    assign wy   = {s_wr_addr[AW-1 -: YB-1], s_wr_bank[1]};
    assign take = s_valid && m_ready && s_wr_en && !(s_wr_flush && wq_full);

    always_ff @(posedge clk) begin
        if (rst) begin
            acc_mask  <= '0;
            wq_full   <= 1'b0;
            wq_eof    <= 1'b0;
            cap_taken <= '0;
        end else begin
            if (wq_send) begin
                wq_full <= 1'b0;
            end
            if (take) begin
                if (s_wr_flush) begin
                    acc_mask <= '0;
                    wq_full  <= 1'b1;
                    wq_eof   <= s_wr_eof;
                    wq_mask  <= acc_mask | (16'h3 << {wx[2:0], 1'b0});
                    wq_addr  <= word_addr(cap_slot_q[cap_taken], wy[YB-1:2], wx[XB-1:3],
                                          wy[1:0]);
                    if (s_wr_eof) cap_taken <= cap_taken + 1'b1;
                end else begin
                    acc_mask <= acc_mask | (16'h3 << {wx[2:0], 1'b0});
                end
            end
        end
    end

    always_ff @(posedge clk) begin
        if (take) begin
            acc_data[16*wx[2:0] +: 16] <= 16'(s_wr_data);
            if (s_wr_flush) begin
                wq_data <= acc_data;
                wq_data[16*wx[2:0] +: 16] <= 16'(s_wr_data);
            end
        end
    end


`ifdef DSR_STALL_STATS
    /* verilator lint_off BLKSEQ */
    // debug aid (verilator -DDSR_STALL_STATS): per reading frame, the store stage's stalls
    // by cause and the prefetcher's, printed at the next frame start
    // (the walk never stops for a busy slot: it blocks on the window, the ring, or
    // other causes: frame starts, the sweep, its own pipeline)
    longint st_cyc, st_pf, st_fill, st_noiss, st_wait, st_data, pf_ring, pf_win,
            pf_other, pf_idle, lead_sum;
    int     ring_max;
    always @(posedge clk) begin
        if (rst || frame_push) begin
            if (!rst && st_cyc != 0)
                $display("STALLS cyc=%0d store: prefetch-behind=%0d fill-wait=%0d (not sent %0d, slot wait %0d, data %0d) | pf blocked: ring=%0d win=%0d other=%0d idle=%0d | lead avg=%0d ring max=%0d",
                         st_cyc, st_pf, st_fill, st_noiss, st_wait, st_data, pf_ring,
                         pf_win, pf_other, pf_idle, lead_sum / st_cyc, ring_max);
            st_cyc = 0; st_pf = 0; st_fill = 0; st_noiss = 0; st_wait = 0; st_data = 0;
            pf_ring = 0; pf_win = 0; pf_other = 0; pf_idle = 0; lead_sum = 0;
            ring_max = 0;
        end else if (prefetch.walking || rd_seq != pf_seq) begin
            st_cyc++;
            lead_sum += 64'(SEQ_BITS'(pf_seq - rd_seq));
            if (32'((FB + 1)'(fl_wr - fl_ret)) > ring_max) ring_max = 32'((FB + 1)'(fl_wr - fl_ret));
            if (s_valid && s_need && m_ready && !fill_ok) begin
                if (pf_seq == rd_seq) st_pf++;
                else begin
                    st_fill++;
                    if (fl_iss == fl_ret) st_noiss++;
                    else if (fl_tk == fl_ret && !wait_over) st_wait++;
                    else st_data++;
                end
            end
            if (prefetch.i_valid && !prefetch.done) begin
                if (!prefetch.win_q) pf_win++;
                else if (prefetch.go_q && !prefetch.nomiss && !fill_ready) pf_ring++;
                else pf_other++;
            end else if (!prefetch.i_valid && prefetch.walking) pf_idle++;
        end
    end
    /* verilator lint_on BLKSEQ */
`endif

`ifndef SYNTHESIS
    // the registered issue flag is the compare it replaces
    always @(posedge clk) begin
        if (!rst) assert (iss_pending == (fl_wr != fl_iss) && fl_iss1 == fl_iss + 1'b1
                          && iss_cnt == fl_wr - fl_iss && iss_cnt1 == (iss_cnt == (FB + 1)'(1)))
            else $error("dsr_ref_dram: iss_pending, iss_cnt or fl_iss1 out of step with the ring's counts");
    end
    // the split handshake above relies on it
    always @(posedge clk) begin
        if (!rst && s_valid) assert (!(s_need && s_wr_en))
            else $error("dsr_ref_dram: a pixel both reads the reference and is captured");
    end
    // a word is taken only when the ring read in the same cycle as the registered one
    // would have let it (the check without the register, a cycle before the take)
    logic wait_over_live_q;
    always @(posedge clk) begin
        wait_over_live_q <= fl_wd != fl_tk
                            && (!fl_wen[fl_tk[FB-1:0]] || wait_before(fl_wait[fl_tk[FB-1:0]], rd_seq));
        if (!rst && tk) assert (wait_over_live_q)
            else $error("dsr_ref_dram: a fill's word taken before its slot's old readers are done");
    end
`endif

endmodule

`default_nettype wire
