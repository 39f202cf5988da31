// dsr_fifo - small synchronous first-word-fall-through FIFO.
//
// Holds the per-frame context (header fields) between the input, which pushes it at the
// start of a frame, and the framer, which pops it after the frame's trailer. DEPTH is a
// power of two; count lets the producer reserve room ahead of a push.
`default_nettype none

module dsr_fifo #(
    parameter int DATA_WIDTH = 8,
    parameter int DEPTH      = 4
) (
    input  logic                        clk,
    input  logic                        rst,

    input  logic                        wr_en,
    input  logic [DATA_WIDTH-1:0]       wr_data,

    input  logic                        rd_en,
    output logic [DATA_WIDTH-1:0]       rd_data,
    output logic                        empty,
    output logic [$clog2(DEPTH):0]      count
);

    localparam int AW = $clog2(DEPTH);

    // LUT RAM, never a block RAM: Yosys would otherwise absorb rd_ptr into a DP16KD's
    // read port (the 128-entry pixel FIFO did), and its 5.8 ns clock-to-out went into the
    // skid's muxes (the core build's critical path at -6)
    (* ram_style = "distributed" *) logic [DATA_WIDTH-1:0] mem [0:DEPTH-1];
    logic [AW:0]           wr_ptr;
    logic [AW:0]           rd_ptr;

    assign rd_data = mem[rd_ptr[AW-1:0]];
    assign empty   = (wr_ptr == rd_ptr);
    assign count   = wr_ptr - rd_ptr;

    // pointers one bit wider than the address tell full from empty; a write when full
    // or a read when empty is the caller's bug: ignored, and an assertion failure
    // (the reset written last, overriding: the same flip-flops as if/else, but Verilator
    // then sees rd_ptr read before it is written and keeps no shadow copy of it; wr_ptr
    // keeps one, for the memory's write below: in this block, Yosys maps the LUT RAM's
    // write enable with more LUTs)
    always_ff @(posedge clk) begin
        if (wr_en && count != DEPTH[AW:0]) begin
            wr_ptr <= wr_ptr + 1'b1;
        end
        if (rd_en && !empty) begin
            rd_ptr <= rd_ptr + 1'b1;
        end
        if (rst) begin
            wr_ptr <= '0;
            rd_ptr <= '0;
        end
    end

    always_ff @(posedge clk) begin
        if (wr_en && count != DEPTH[AW:0]) begin
            mem[wr_ptr[AW-1:0]] <= wr_data;
        end
    end

`ifndef SYNTHESIS
    // the callers reserve room before they push (dsr_top: sof_hold); a push into a full
    // FIFO would lose a frame's context, a pop from an empty one invent one
    always @(posedge clk) begin
        if (!rst) begin
            if (wr_en && count == DEPTH[AW:0]) $error("dsr_fifo: push while full drops a word");
            if (rd_en && empty) $error("dsr_fifo: pop while empty");
        end
    end
`endif

endmodule

`default_nettype wire
