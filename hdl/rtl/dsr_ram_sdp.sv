// dsr_ram_sdp - simple dual-port block RAM: one write port, one registered read port.
//
// One bank of the reference frame store. The read register has an enable so a stalled
// pipeline keeps its read data; a read of the address being written in the same cycle
// returns an undefined word (no_rw_check below: the users never look at it). Maps onto
// ECP5 DP16KD (and any FPGA's block RAM) without vendor primitives.
// OUT_REG = 1 adds a second register behind the read register, enabled by rd_oce (one
// more cycle of latency), as dsr_ram_dp's: on the ECP5 (DSR_ECP5) it is the DP16KD's own
// output register (REGMODE "OUTREG", dsr_dp16kd in dsr_ram_dp.sv), one DP16KD deep per
// slice (elaboration stops above 2^14 entries); everywhere else plain RTL, the same
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
        if (ADDR_WIDTH > 14) begin : g_too_deep
            $error("dsr_ram_sdp: OUT_REG on the ECP5 holds at most 2^14 entries (one DP16KD's depth)");
        end
        // DP16KD side by side as in dsr_ram_dp: port A writes, port B reads
        localparam int NATIVE = ADDR_WIDTH >= 14 ? 14 : ADDR_WIDTH == 13 ? 13 : ADDR_WIDTH == 12 ? 12
                              : ADDR_WIDTH == 11 ? 11 : 10;
        localparam int SLICE  = NATIVE == 14 ? 1 : NATIVE == 13 ? 2 : NATIVE == 12 ? 4 : NATIVE == 11 ? 9 : 18;
        localparam int NSLICE = (DATA_WIDTH + SLICE - 1) / SLICE;
        logic [13:0] ada, adb;
        if (NATIVE == 10) begin : g_a18
            assign ada = {10'(wr_addr), 4'b0011};
            assign adb = {10'(rd_addr), 4'b0011};
        end else begin : g_an
            assign ada = 14'(wr_addr) << (14 - NATIVE);
            assign adb = 14'(rd_addr) << (14 - NATIVE);
        end
        for (genvar k = 0; k < NSLICE; k++) begin : g_slice
            localparam int LO = k * SLICE;
            localparam int SW = DATA_WIDTH - LO < SLICE ? DATA_WIDTH - LO : SLICE;
            logic [17:0] dia, dob;
            /* verilator lint_off UNUSEDSIGNAL */
            logic [17:0] doa;
            /* verilator lint_on UNUSEDSIGNAL */
            assign dia = 18'(wr_data[LO +: SW]);
            dsr_dp16kd #(
                .WIDTH(SLICE)
            ) ram (
                .clk(clk),
                .ce_a(wr_en), .we_a(wr_en), .oce_a(1'b0), .ad_a(ada), .di_a(dia), .do_a(doa),
                .ce_b(rd_en), .we_b(1'b0), .oce_b(rd_oce), .ad_b(adb), .di_b(18'd0), .do_b(dob)
            );
            assign rd_data[LO +: SW] = dob[SW-1:0];
        end
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
