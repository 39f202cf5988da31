// dsr_dp16kd_array - a 2^ADDR_WIDTH x DATA_WIDTH RAM of DP16KD side by side, both ports
// with the block RAMs' own output registers.
//
// Each DP16KD is as wide as one holds at this depth (16K x 1, 8K x 2, 4K x 4, 2K x 9,
// 1K x 18), so every slice is one whole block RAM and no depth mux follows a RAM output;
// deeper than 2^14 entries would need one, and elaboration stops. Port A reads and writes
// (read-before-write), port B likewise; dsr_ram_dp and dsr_ram_sdp give their OUT_REG
// form on the ECP5 through this module. Read data: the word addressed at the cycle with
// ce_x, two edges later when oce_x was high at the second. ECP5 synthesis only
// (DSR_ECP5).
`default_nettype none

`ifdef DSR_ECP5
module dsr_dp16kd_array #(
    parameter int DATA_WIDTH = 16,
    parameter int ADDR_WIDTH = 10
) (
    input  logic                  clk,

    input  logic                  a_ce,
    input  logic                  a_we,
    input  logic [ADDR_WIDTH-1:0] a_addr,
    input  logic [DATA_WIDTH-1:0] a_wdata,
    input  logic                  a_oce,
    output logic [DATA_WIDTH-1:0] a_rdata,

    input  logic                  b_ce,
    input  logic                  b_we,
    input  logic [ADDR_WIDTH-1:0] b_addr,
    input  logic [DATA_WIDTH-1:0] b_wdata,
    input  logic                  b_oce,
    output logic [DATA_WIDTH-1:0] b_rdata
);

    if (ADDR_WIDTH > 14) begin : g_too_deep
        $error("dsr_dp16kd_array: at most 2^14 entries (one DP16KD's depth)");
    end

    localparam int NATIVE = ADDR_WIDTH >= 14 ? 14 : ADDR_WIDTH == 13 ? 13 : ADDR_WIDTH == 12 ? 12
                          : ADDR_WIDTH == 11 ? 11 : 10;
    localparam int SLICE  = NATIVE == 14 ? 1 : NATIVE == 13 ? 2 : NATIVE == 12 ? 4 : NATIVE == 11 ? 9 : 18;
    localparam int NSLICE = (DATA_WIDTH + SLICE - 1) / SLICE;

    // the address on ADx13..(14 - NATIVE); at 18 bits ADx1..0 are the byte enables
    logic [13:0] ada, adb;
    if (NATIVE == 10) begin : g_a18
        assign ada = {10'(a_addr), 4'b0011};
        assign adb = {10'(b_addr), 4'b0011};
    end else begin : g_an
        assign ada = 14'(a_addr) << (14 - NATIVE);
        assign adb = 14'(b_addr) << (14 - NATIVE);
    end

    for (genvar k = 0; k < NSLICE; k++) begin : g_slice
        localparam int LO = k * SLICE;
        localparam int SW = DATA_WIDTH - LO < SLICE ? DATA_WIDTH - LO : SLICE;
        logic [17:0] dia, dib, doa, dob;
        assign dia = 18'(a_wdata[LO +: SW]);
        assign dib = 18'(b_wdata[LO +: SW]);
        dsr_dp16kd #(
            .WIDTH(SLICE)
        ) ram (
            .clk(clk),
            .ce_a(a_ce), .we_a(a_we), .oce_a(a_oce), .ad_a(ada), .di_a(dia), .do_a(doa),
            .ce_b(b_ce), .we_b(b_we), .oce_b(b_oce), .ad_b(adb), .di_b(dib), .do_b(dob)
        );
        assign a_rdata[LO +: SW] = doa[SW-1:0];
        assign b_rdata[LO +: SW] = dob[SW-1:0];
    end

endmodule
`endif

`default_nettype wire
