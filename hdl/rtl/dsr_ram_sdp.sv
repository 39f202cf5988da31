// dsr_ram_sdp - simple dual-port block RAM: one write port, one registered read port.
//
// One bank of the reference frame store. The read register has an enable so a stalled
// pipeline keeps its read data; a read of the address being written in the same cycle
// returns an undefined word (no_rw_check below: the users never look at it). Maps onto
// ECP5 DP16KD (and any FPGA's block RAM) without vendor primitives.
`default_nettype none

module dsr_ram_sdp #(
    parameter int DATA_WIDTH = 16,
    parameter int ADDR_WIDTH = 10
) (
    input  logic                  clk,

    input  logic                  wr_en,
    input  logic [ADDR_WIDTH-1:0] wr_addr,
    input  logic [DATA_WIDTH-1:0] wr_data,

    input  logic                  rd_en,
    input  logic [ADDR_WIDTH-1:0] rd_addr,
    output logic [DATA_WIDTH-1:0] rd_data
);

`ifdef SYNTHESIS
    // Synthesis: the word split into slices as wide as one DP16KD holds at this depth
    // (16K x 1, 8K x 2, 4K x 4, 2K x 9, 1K x 18), so each slice is whole block RAMs
    // side by side and no depth mux follows a RAM output (Yosys otherwise may build a
    // bank from narrower, deeper RAMs and a mux, which sits behind the EBR's 5.8 ns
    // clock-to-out at speed grade -6). The same memory as below, bit for bit.
    localparam int SLICE = ADDR_WIDTH >= 14 ? 1 : ADDR_WIDTH == 13 ? 2 : ADDR_WIDTH == 12 ? 4
                         : ADDR_WIDTH == 11 ? 9 : 18;
    localparam int NSLICE = (DATA_WIDTH + SLICE - 1) / SLICE;
    genvar k;
    generate
        for (k = 0; k < NSLICE; k = k + 1) begin : g_slice
            localparam int LO = k * SLICE;
            localparam int SW = DATA_WIDTH - LO < SLICE ? DATA_WIDTH - LO : SLICE;
            (* no_rw_check *) logic [SW-1:0] mem [0:(2**ADDR_WIDTH)-1];
            always_ff @(posedge clk) begin
                if (wr_en) begin
                    mem[wr_addr] <= wr_data[LO +: SW];
                end
            end
            always_ff @(posedge clk) begin
                if (rd_en) begin
                    rd_data[LO +: SW] <= mem[rd_addr];
                end
            end
        end
    endgenerate
`else
    // no_rw_check: the users never need the result of a read of the address being written
    // in the same cycle (the frame store reads and writes one pixel per cycle, and a capture
    // pixel's own read is discarded), so Yosys maps the EBR as is instead of adding a
    // collision-emulation mux after it. A collision returns an undefined word.
    (* no_rw_check *) logic [DATA_WIDTH-1:0] mem [0:(2**ADDR_WIDTH)-1];

    always_ff @(posedge clk) begin
        if (wr_en) begin
            mem[wr_addr] <= wr_data;
        end
    end

    always_ff @(posedge clk) begin
        if (rd_en) begin
            rd_data <= mem[rd_addr];
        end
    end
`endif

endmodule

`default_nettype wire
