// dsr_async_fifo - FIFO between two unrelated clocks, valid/ready on both sides.
//
// Cummings' design ("Simulation and Synthesis Techniques for Asynchronous FIFO Design",
// SNUG 2002, style #2): binary pointers one bit wider than the address index the memory,
// their gray codes cross to the other side through two-flop synchronisers (one bit changes
// per step, so a pointer sampled mid-change is either the old or the new value, both safe),
// full and empty are registered from the next-state pointers (both outcomes computed
// from registers, the handshake selects: see below). A synchronised pointer is
// stale, never ahead, so full and empty are pessimistic and never lose or repeat a word.
//
// Read side is first-word-fall-through through a registered output: the memory's read
// register is m_data, so the storage maps onto a two-clock block RAM (or LUT RAM when small)
// and m_valid/m_data come straight from flops. m_ready reaches only the read pointer.
//
// Capacity is 2**ADDR_BITS words in the memory plus one in the output register. Latency:
// a word written on an s_clk edge is visible as m_valid 3-4 m_clk edges later.
// Reset: assert s_rst and m_rst together (dsr_reset_sync from the same source does that);
// resetting one side alone desynchronises the pointers.
`default_nettype none

module dsr_async_fifo #(
    parameter int WIDTH     = 32,
    parameter int ADDR_BITS = 4
) (
    input  logic             s_clk,
    input  logic             s_rst,
    input  logic [WIDTH-1:0] s_data,
    input  logic             s_valid,
    output logic             s_ready,

    input  logic             m_clk,
    input  logic             m_rst,
    output logic [WIDTH-1:0] m_data,
    output logic             m_valid,
    input  logic             m_ready
);

    localparam int AW = ADDR_BITS;

    initial begin
        if (AW < 2) $fatal(1, "dsr_async_fifo: ADDR_BITS must be at least 2");
    end

    // written only at wbin (never visible to the reader until its pointer crossed), read
    // only below the synchronised write pointer: no read/write collision on one address
    (* no_rw_check *) logic [WIDTH-1:0] mem [0:(2**AW)-1];

    // ---- write side (s_clk)
    // Timing: the pointer's increment, its gray code and the full compare are computed
    // from registers for both outcomes (push or not); push (s_ready && s_valid) only
    // selects one, so the loop s_ready -> push -> s_ready has no carry chain or compare
    // in it. Same pointers and flag as wbin_next = wbin + push, full_next from its gray.
    logic [AW:0] wbin, wgray, wbin_inc, wgray_inc;
    logic [AW:0] rgray_s;            // read pointer, synchronised into s_clk
    logic [AW:0] rgray_lap;          // rgray_s one lap on: the write pointer's gray when full
    logic        full_inc, full_same;
    logic        push;

    assign push      = s_valid && s_ready;
    assign wbin_inc  = wbin + 1'b1;
    assign wgray_inc = wbin_inc ^ (wbin_inc >> 1);   // gray code
    // full: the write pointer has lapped the read pointer once (top two gray bits differ)
    assign rgray_lap = {~rgray_s[AW:AW-1], rgray_s[AW-2:0]};
    assign full_inc  = wgray_inc == rgray_lap;
    assign full_same = wgray == rgray_lap;

    always_ff @(posedge s_clk) begin
        if (s_rst) begin
            wbin    <= '0;
            wgray   <= '0;
            s_ready <= 1'b0;
        end else if (push) begin
            wbin    <= wbin_inc;
            wgray   <= wgray_inc;
            s_ready <= !full_inc;
        end else begin
            s_ready <= !full_same;
        end
    end

    always_ff @(posedge s_clk) begin
        if (push) begin
            mem[wbin[AW-1:0]] <= s_data;
        end
    end

    // ---- read side (m_clk)
    // as the write side: both outcomes of the pointer and of empty from registers, pop
    // (m_ready, m_valid, empty) only selects
    logic [AW:0] rbin, rgray, rbin_inc, rgray_inc;
    logic [AW:0] wgray_m;            // write pointer, synchronised into m_clk
    logic        empty, empty_inc, empty_same;
    logic        pop;

    // pop from the memory into the output register when it is free or being taken
    assign pop        = !empty && (!m_valid || m_ready);
    assign rbin_inc   = rbin + 1'b1;
    assign rgray_inc  = rbin_inc ^ (rbin_inc >> 1);
    assign empty_inc  = rgray_inc == wgray_m;
    assign empty_same = rgray == wgray_m;

    always_ff @(posedge m_clk) begin
        if (m_rst) begin
            rbin    <= '0;
            rgray   <= '0;
            empty   <= 1'b1;
            m_valid <= 1'b0;
        end else begin
            if (pop) begin
                rbin    <= rbin_inc;
                rgray   <= rgray_inc;
                empty   <= empty_inc;
                m_valid <= 1'b1;
            end else begin
                empty   <= empty_same;
                if (m_ready) m_valid <= 1'b0;
            end
        end
    end

    always_ff @(posedge m_clk) begin
        if (pop) begin
            m_data <= mem[rbin[AW-1:0]];
        end
    end

    // ---- the two crossings: gray pointers, one synchroniser per bit
    for (genvar i = 0; i <= AW; i++) begin : g_sync
        dsr_sync_bit u_rptr_to_s (.clk(s_clk), .rst(s_rst), .d(rgray[i]), .q(rgray_s[i]));
        dsr_sync_bit u_wptr_to_m (.clk(m_clk), .rst(m_rst), .d(wgray[i]), .q(wgray_m[i]));
    end

endmodule

`default_nettype wire
