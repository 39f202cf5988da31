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

endmodule

`default_nettype wire
