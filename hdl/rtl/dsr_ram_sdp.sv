// dsr_ram_sdp - simple dual-port block RAM: one write port, one registered read port.
//
// One bank of the reference frame store. The read register has an enable so a stalled
// pipeline keeps its read data; a read of the address being written in the same cycle
// returns an undefined word (no_rw_check below: the users never look at it). Maps onto
// ECP5 DP16KD (and any FPGA's block RAM) without vendor primitives.
// OUT_REG = 1 adds a second register behind the read register, enabled by rd_oce (one
// more cycle of latency), as dsr_ram_dp's: on the ECP5 (DSR_ECP5) it is the DP16KD's own
// output register (REGMODE "OUTREG", dsr_dp16kd_array), one DP16KD deep per slice
// (elaboration stops above 2^14 entries); everywhere else plain RTL, the same
// cycle for cycle.
`default_nettype none

module dsr_ram_sdp #(
    parameter int DATA_WIDTH = 16,
    parameter int ADDR_WIDTH = 10,
    parameter bit OUT_REG    = 1'b0
) (
    input  logic                  clk,

    input  logic                  wr_en,
    input  logic [ADDR_WIDTH-1:0] wr_addr,
    input  logic [DATA_WIDTH-1:0] wr_data,

    input  logic                  rd_en,
    input  logic [ADDR_WIDTH-1:0] rd_addr,
    input  logic                  rd_oce,
    output logic [DATA_WIDTH-1:0] rd_data
);

`ifdef DSR_ECP5
    if (OUT_REG) begin : g_ebr
        // port A writes, port B reads
        /* verilator lint_off UNUSEDSIGNAL */
        logic [DATA_WIDTH-1:0] unused_a;
        /* verilator lint_on UNUSEDSIGNAL */
        dsr_dp16kd_array #(
            .DATA_WIDTH(DATA_WIDTH), .ADDR_WIDTH(ADDR_WIDTH)
        ) ram (
            .clk(clk),
            .a_ce(wr_en), .a_we(wr_en), .a_addr(wr_addr), .a_wdata(wr_data), .a_oce(1'b0), .a_rdata(unused_a),
            .b_ce(rd_en), .b_we(1'b0), .b_addr(rd_addr), .b_wdata('0), .b_oce(rd_oce), .b_rdata(rd_data)
        );
    end else begin : g_rtl
`endif

    logic [DATA_WIDTH-1:0] rd_q;      // the read register

`ifdef SYNTHESIS
    // Synthesis: the word split into slices as wide as one DP16KD holds at this depth
    // (16K x 1, 8K x 2, 4K x 4, 2K x 9, 1K x 18), so each slice is whole block RAMs
    // side by side and no depth mux follows a RAM output (Yosys otherwise may build a
    // bank from narrower, deeper RAMs and a mux, which sits behind the EBR's 5.8 ns
    // clock-to-out at speed grade -6). The same memory as below, bit for bit.
    localparam int SLICE = ADDR_WIDTH >= 14 ? 1 : ADDR_WIDTH == 13 ? 2 : ADDR_WIDTH == 12 ? 4
                         : ADDR_WIDTH == 11 ? 9 : 18;
    localparam int NSLICE = (DATA_WIDTH + SLICE - 1) / SLICE;
    for (genvar k = 0; k < NSLICE; k++) begin : g_slice
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
                rd_q[LO +: SW] <= mem[rd_addr];
            end
        end
    end
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
            rd_q <= mem[rd_addr];
        end
    end
`endif

    if (OUT_REG) begin : g_out
        always_ff @(posedge clk) begin
            if (rd_oce) rd_data <= rd_q;
        end
    end else begin : g_noout
        assign rd_data = rd_q;
        logic unused_oce;
        assign unused_oce = rd_oce;
    end

`ifdef DSR_ECP5
    end
`endif

endmodule

`default_nettype wire
