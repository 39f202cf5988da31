// dsr_lut - the contrast-matching LUT, double-buffered: ref' = lut[ref].
//
// Two banks of 2^ADDR_WIDTH 16-bit entries. Each pixel carries the bank of its frame's
// parameter set and whether that bank was never loaded (identity: ref' = ref). Port A
// of each bank belongs to the register file (writes into the shadow bank, read back);
// port B to the pixels, so register traffic never steals a pixel cycle.
//
// Each bank is split by depth into slices of one DP16KD's depth (2^14 entries, 16K x 1:
// a 2^16 x 16 bank is 4 slices of 16 block RAMs side by side), and each slice's output
// is registered on its own (dsr_ram_dp OUT_REG: on the ECP5 the DP16KD's output
// register, REGMODE "OUTREG", which nextpnr times as a register: the block RAM's 5.8 ns
// clock-to-out at -6 stays inside the EBR), so nothing follows a block RAM's read in its
// cycle. The pick among the 2 x NSLICE slice words follows a cycle later, from those
// registers, so that cycle holds only the route from the RAMs' corners of the die to
// one mux; the identity bypass comes a cycle after it, locally. In front of the RAMs each slice takes a copy of the
// pixel's address of its own, so no address net fans out to more than one slice's
// block RAMs (a 2^16 x 16 LUT is 128 of them, spread over the whole die).
//
// Five pipeline stages (address copies, RAM read, slice words registered, slice pick,
// bypass). s_ready = m_ready. Port A's read-back (the register file's, timed by nothing
// but the register read latency) has four: RAM read, output register, a fabric copy of
// each slice's word, the pick, so that no cycle runs from a block RAM across the die to
// the register file's read mux.
//
// The slices are the ECP5 form (DSR_ECP5, defined by the ECP5 synthesis scripts only, as
// for dsr_mul and dsr_ram_dp), and any build that defines DSR_LUT_SLICES: tests/hdl's
// coverage build (the synthesised 12-bit configuration) does, so its random run and
// coverage check the sliced form in Verilator, beside postsynth's gate-level run. Every
// other build (the fast test builds, Icarus, other devices) has the same cycles at this
// module's ports from one memory of both banks, read once per port and cycle: a
// simulator pays every slice's reads, copies and pick each cycle (8 % of the Verilator
// test build's instructions on make bench's replay).
`default_nettype none

`ifdef DSR_ECP5
`define DSR_LUT_SLICES
`endif

module dsr_lut #(
    parameter int USER_WIDTH = 1,
    parameter int ADDR_WIDTH = 16,
    parameter int DATA_WIDTH = 16
) (
    input  logic                  clk,
    input  logic                  rst,

    input  logic                  s_valid,
    output logic                  s_ready,
    input  logic [ADDR_WIDTH-1:0] s_ref,
    input  logic                  s_bank,
    input  logic                  s_identity,
    input  logic [USER_WIDTH-1:0] s_user,

    output logic                  m_valid,
    input  logic                  m_ready,
    output logic [DATA_WIDTH-1:0] m_refp,
    output logic [USER_WIDTH-1:0] m_user,

    // register side: port A reads a_addr every cycle (a_rdata four cycles later); a_wr is a
    // write of a_wdata at a_addr into bank a_bank, registered here (a copy per slice) and
    // done by the slice's port A the next cycle, instead of a read
    input  logic                  a_wr,
    input  logic                  a_bank,
    input  logic [ADDR_WIDTH-1:0] a_addr,
    input  logic [DATA_WIDTH-1:0] a_wdata,
    output logic [DATA_WIDTH-1:0] a_rdata,

    // a pixel read its entry from this bank (lets the register file know when the
    // previous bank is out of use)
    output logic                  pixel_read,
    output logic                  pixel_bank
);

    // slices: SAW address bits each (one DP16KD's depth at most), NRAM = 2 banks x
    // NSLICE, RAM r = {bank, the address bits above SAW}
    localparam int SAW    = ADDR_WIDTH > 14 ? 14 : ADDR_WIDTH;
    localparam int NSLICE = 1 << (ADDR_WIDTH - SAW);
    localparam int NRAM   = 2 * NSLICE;
    localparam int RB     = $clog2(NRAM);

    logic                  v0, ident0;
    logic [RB-1:0]         sel0;
    logic [ADDR_WIDTH-1:0] ref0;
    logic [USER_WIDTH-1:0] u0;

    // the RAMs read the pixel in the address stage (v0) as m_ready lets it on
    assign s_ready = m_ready;
    assign pixel_read = v0 && m_ready;
    assign pixel_bank = sel0[RB-1];

`ifdef DSR_LUT_SLICES
    // ---- the ECP5 form: RAM slices of one DP16KD's depth each (above)
    logic [RB-1:0]         a_sel, s_sel;
    // RAM r's words at [r*DATA_WIDTH +: DATA_WIDTH] (packed: plain registers for Yosys)
    logic [NRAM*DATA_WIDTH-1:0] b_rdata, a_rdata_ram;
    assign a_sel = RB'({a_bank, a_addr} >> SAW);
    assign s_sel = RB'({s_bank, s_ref} >> SAW);

`ifndef SYNTHESIS
    logic [NRAM-1:0] b_coll;   // RAM r's output register holds a collided read
`endif

    genvar r;
    generate
        for (r = 0; r < NRAM; r = r + 1) begin : g_ram
            localparam logic [RB-1:0] SEL = RB'(r);
            // this slice's copy of the address (keep: Yosys would merge identical copies)
            logic [SAW-1:0] b_addr;
            (* keep *) always_ff @(posedge clk) begin
                if (m_ready) begin
                    b_addr <= s_ref[SAW-1:0];
                end
            end
            // this slice's copy of a register-side write: its port A write enable, address
            // and data come from registers beside its RAMs (the decode is ahead of them)
            logic                  a_wr_c;
            logic [SAW-1:0]        a_waddr_c;
            logic [DATA_WIDTH-1:0] a_wdata_c;
            (* keep *) always_ff @(posedge clk) begin
                if (rst) begin
                    a_wr_c <= 1'b0;
                end else begin
                    a_wr_c <= a_wr && a_sel == SEL;
                end
            end
            (* keep *) always_ff @(posedge clk) begin
                a_waddr_c <= a_addr[SAW-1:0];
                a_wdata_c <= a_wdata;
            end
            dsr_ram_dp #(
                .DATA_WIDTH(DATA_WIDTH),
                .ADDR_WIDTH(SAW),
                .OUT_REG   (1'b1)
            ) ram (
                .clk     (clk),
                .a_en    (1'b1),        // every slice reads; the pick below takes one
                .a_we    (a_wr_c),
                .a_addr  (a_wr_c ? a_waddr_c : a_addr[SAW-1:0]),
                .a_wdata (a_wdata_c),
                .a_oce   (1'b1),
                .a_rdata (a_rdata_ram[r*DATA_WIDTH +: DATA_WIDTH]),
                .b_en    (m_ready),
                .b_addr  (b_addr),
                .b_oce   (m_ready),
                .b_rdata (b_rdata[r*DATA_WIDTH +: DATA_WIDTH])
            );
`ifndef SYNTHESIS
            // simulation only: port B reading the address port A writes in the same cycle
            // (a collision: the DP16KD returns an undefined word; no_rw_check, dsr_ram_dp),
            // flagged with the read and carried to the output register beside its word
            logic b_coll_q, b_coll_o;
            always_ff @(posedge clk) begin
                if (m_ready) begin
                    b_coll_q <= a_wr_c && a_waddr_c == b_addr;
                    b_coll_o <= b_coll_q;
                end
            end
            assign b_coll[r] = b_coll_o;
`endif
        end
    endgenerate

    // read-back: the word of the RAM the request went to, in stages that each stay
    // local (issue 10: the slices' block RAMs are spread over the whole die, and one
    // cycle from a RAM in one corner to the register file's read mux was 8.1 ns of
    // routing on the board). Each RAM's port A output is registered (its output
    // register, a_oce = 1), then copied into a fabric register of its own (a_rdata_sl,
    // no logic in front: placed anywhere between the RAM and the pick), then the pick
    // among the slices is registered here (a_rdata_q), and the register file takes it
    // from that register. a_rdata belongs to the access four cycles back.
    logic [NRAM*DATA_WIDTH-1:0] a_rdata_sl;
    logic [DATA_WIDTH-1:0]      a_rdata_q;
    logic [RB-1:0]              a_sel_q, a_sel_qq, a_sel_q3;
    always_ff @(posedge clk) begin
        a_sel_q    <= a_sel;
        a_sel_qq   <= a_sel_q;
        a_sel_q3   <= a_sel_qq;
        a_rdata_sl <= a_rdata_ram;
        a_rdata_q  <= a_rdata_sl[a_sel_q3*DATA_WIDTH +: DATA_WIDTH];
    end
    assign a_rdata = a_rdata_q;

    logic [RB-1:0]         sel1, sel2;
    logic [DATA_WIDTH-1:0] b_pick;   // the pixel's slice word (stage 3's input)
    always_ff @(posedge clk) begin
        if (m_ready) begin
            sel0 <= s_sel;
            sel1 <= sel0;
            sel2 <= sel1;
        end
    end
    assign b_pick = b_rdata[sel2*DATA_WIDTH +: DATA_WIDTH];   // the slices' output registers
`else
    // ---- every other build (Verilator, Icarus, other devices): the same cycles at this
    // module's ports from one memory of both banks, {bank, address}, read once per port
    // and cycle. The slices above exist for the ECP5's DP16KD (its output register holds
    // one block RAM's depth); each one's reads, copies and picks cost a simulator as much
    // as this whole memory (the coverage build and postsynth's gate-level run check the
    // sliced form).
    localparam int BAW = ADDR_WIDTH + 1;
    (* no_rw_check *) logic [DATA_WIDTH-1:0] mem [0:(2**BAW)-1];

    // port B: the pixel's entry (stage 0, the slices' address copies), the RAM read
    // (stage 1), the output register (stage 2, b_oce = m_ready)
    logic [BAW-1:0]        b_addr;
    logic [DATA_WIDTH-1:0] b_q, b_pick;
    always_ff @(posedge clk) begin
        if (m_ready) begin
            b_addr <= {s_bank, s_ref};
            b_q    <= mem[b_addr];
            b_pick <= b_q;
        end
    end
    assign sel0 = b_addr[BAW-1 -: RB];

    // port A: a write is registered (a_wr_c, its address and data) and done the next
    // cycle; every cycle a read of a_addr, or of the registered write's address when the
    // write goes to the same slice (as that slice's port A does: read before write),
    // registered four times (the RAM's read register, its output register, the slice's
    // fabric copy and the pick)
    logic                  a_wr_c;
    logic [BAW-1:0]        a_full, a_waddr_c, a_raddr;
    logic [DATA_WIDTH-1:0] a_wdata_c, a_q, a_q2, a_q3, a_q4;
    always_ff @(posedge clk) begin
        if (rst) begin
            a_wr_c <= 1'b0;
        end else begin
            a_wr_c <= a_wr;
        end
    end
    assign a_full = {a_bank, a_addr};
    always_ff @(posedge clk) begin
        a_waddr_c <= a_full;
        a_wdata_c <= a_wdata;
    end
    assign a_raddr = a_wr_c && a_waddr_c[BAW-1 -: RB] == a_full[BAW-1 -: RB] ? a_waddr_c : a_full;
    always_ff @(posedge clk) begin
        if (a_wr_c) begin
            mem[a_waddr_c] <= a_wdata_c;
        end
        a_q  <= mem[a_raddr];
        a_q2 <= a_q;
        a_q3 <= a_q2;
        a_q4 <= a_q3;
    end
    assign a_rdata = a_q4;
`endif

    logic                  v1, v2, v3;
    logic                  ident1, ident2, ident3;
    logic [ADDR_WIDTH-1:0] ref1, ref2, ref3;
    logic [USER_WIDTH-1:0] u1, u2, u3;
    logic [DATA_WIDTH-1:0]      d3;

    always_ff @(posedge clk) begin
        if (rst) begin
            v0      <= 1'b0;
            v1      <= 1'b0;
            v2      <= 1'b0;
            v3      <= 1'b0;
            m_valid <= 1'b0;
        end else if (m_ready) begin
            v0      <= s_valid;
            v1      <= v0;
            v2      <= v1;
            v3      <= v2;
            m_valid <= v3;
        end
    end

    always_ff @(posedge clk) begin
        if (m_ready) begin
            ident0 <= s_identity;
            ref0   <= s_ref;
            u0     <= s_user;
            ident1 <= ident0;
            ref1   <= ref0;
            u1     <= u0;
            ident2 <= ident1;
            ref2   <= ref1;
            u2     <= u1;
            d3     <= b_pick;
            ident3 <= ident2;
            ref3   <= ref2;
            u3     <= u2;
            if (ident3) begin
                m_refp <= {{(DATA_WIDTH - ADDR_WIDTH){1'b0}}, ref3};
            end else begin
                m_refp <= d3;
            end
            m_user <= u3;
        end
    end

`ifdef DSR_LUT_SLICES
`ifndef SYNTHESIS
    // assertion (Verilator --assert, Icarus): the word a pixel takes (stage 2 -> d3, used
    // unless the bank is the identity) was never read in the cycle port A wrote its
    // address: the LUT write hold-off (dsr_regs) keeps writes off the bank pixels read.
    // Port A's own read-back cannot take a collided word: port B never writes, and a port
    // A read while that port writes is read-before-write (a defined word), the cycle after
    // an accepted write being held off for reads (dsr_regs' reg_ready).
    always @(posedge clk) begin
        if (!rst && m_ready && v2 && !ident2) begin
            assert (!b_coll[sel2]) else $error("dsr_lut: pixel took slice %0d's word at address %0d, read in the cycle port A wrote it",
                                               sel2, ref2[SAW-1:0]);
        end
    end
`endif
`endif

endmodule

`default_nettype wire
