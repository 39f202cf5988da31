// dsr_ram_dp - dual-port block RAM: port A reads or writes, port B reads.
//
// One depth slice of a LUT bank (dsr_lut): port A belongs to the register file (LUT_DATA
// writes and read back), port B to the pixel pipeline, so a register access never
// disturbs a pixel.
// Both read ports are registered with an enable (a_en, b_en). OUT_REG = 1 adds a second
// register behind each, enabled by a_oce / b_oce (one more cycle of latency): on the
// ECP5 (DSR_ECP5, set by hdl/synth's scripts only) that register is the DP16KD's own
// output register (REGMODE "OUTREG"), so the block RAM's 5.8 ns clock-to-out (-6) ends
// in the EBR and the fabric sees a register's; Yosys never infers it, so there the RAM
// is DP16KD instantiated. Everywhere else (Verilator, formal, other FPGAs) the same
// behaviour in plain RTL; tests/hdl's postsynth run checks that both are the same at gate
// level (tests/hdl/ecp5_dp16kd.v models the DP16KD).
`default_nettype none

module dsr_ram_dp #(
    parameter int DATA_WIDTH = 16,
    parameter int ADDR_WIDTH = 10,
    parameter bit OUT_REG    = 1'b0
) (
    input  logic                  clk,

    input  logic                  a_en,
    input  logic                  a_we,
    input  logic [ADDR_WIDTH-1:0] a_addr,
    input  logic [DATA_WIDTH-1:0] a_wdata,
    input  logic                  a_oce,
    output logic [DATA_WIDTH-1:0] a_rdata,

    input  logic                  b_en,
    input  logic [ADDR_WIDTH-1:0] b_addr,
    input  logic                  b_oce,
    output logic [DATA_WIDTH-1:0] b_rdata
);

`ifdef DSR_ECP5
    if (OUT_REG) begin : g_ebr
        if (ADDR_WIDTH > 14) begin : g_too_deep
            $error("dsr_ram_dp: OUT_REG on the ECP5 holds at most 2^14 entries (one DP16KD's depth)");
        end
        // DP16KD side by side, each as wide as one holds at this depth (16K x 1, 8K x 2,
        // 4K x 4, 2K x 9, 1K x 18); port A read-before-write, as the RTL below
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
            logic [17:0] dia, doa, dob;
            assign dia = 18'(a_wdata[LO +: SW]);
            dsr_dp16kd #(
                .WIDTH(SLICE)
            ) ram (
                .clk(clk),
                .ce_a(a_en), .we_a(a_we), .oce_a(a_oce), .ad_a(ada), .di_a(dia), .do_a(doa),
                .ce_b(b_en), .we_b(1'b0), .oce_b(b_oce), .ad_b(adb), .di_b(18'd0), .do_b(dob)
            );
            assign a_rdata[LO +: SW] = doa[SW-1:0];
            assign b_rdata[LO +: SW] = dob[SW-1:0];
        end
    end else begin : g_rtl
`endif

    // no_rw_check: a collision is never used. Port A's read during its own write is not
    // looked at (the register file only returns reads), and port B never reads the bank
    // that port A writes (LUT writes go to the shadow bank and wait while pixels of it are
    // in flight; the pipeline's read of the other bank is discarded). Yosys then maps the
    // EBR without a collision-emulation mux, and a 2^14 x 16 slice takes 16 EBR, not 32.
    (* no_rw_check *) logic [DATA_WIDTH-1:0] mem [0:(2**ADDR_WIDTH)-1];
    logic [DATA_WIDTH-1:0] a_q, b_q;

    always_ff @(posedge clk) begin
        if (a_en) begin
            if (a_we) begin
                mem[a_addr] <= a_wdata;
            end
            a_q <= mem[a_addr];
        end
    end

    always_ff @(posedge clk) begin
        if (b_en) begin
            b_q <= mem[b_addr];
        end
    end

    if (OUT_REG) begin : g_out
        always_ff @(posedge clk) begin
            if (a_oce) a_rdata <= a_q;
            if (b_oce) b_rdata <= b_q;
        end
    end else begin : g_noout
        assign a_rdata = a_q;
        assign b_rdata = b_q;
        logic unused_oce;
        assign unused_oce = ^{a_oce, b_oce};
    end

`ifdef DSR_ECP5
    end
`endif

endmodule

`ifdef DSR_ECP5
// One ECP5 DP16KD, both ports WIDTH bits wide (1, 2, 4, 9 or 18), each with its output
// register (REGMODE "OUTREG", enabled by oce_x), read-before-write, no reset, chip
// selects unused. For the ECP5 synthesis only (DSR_ECP5).
module dsr_dp16kd #(
    parameter int WIDTH = 18
) (
    input  logic        clk,
    input  logic        ce_a, we_a, oce_a,
    input  logic [13:0] ad_a,
    input  logic [17:0] di_a,
    output logic [17:0] do_a,
    input  logic        ce_b, we_b, oce_b,
    input  logic [13:0] ad_b,
    input  logic [17:0] di_b,
    output logic [17:0] do_b
);
    DP16KD #(
        .DATA_WIDTH_A(WIDTH), .DATA_WIDTH_B(WIDTH), .REGMODE_A("OUTREG"), .REGMODE_B("OUTREG"),
        .RESETMODE("SYNC"), .ASYNC_RESET_RELEASE("SYNC"), .CSDECODE_A("0b000"), .CSDECODE_B("0b000"),
        .WRITEMODE_A("READBEFOREWRITE"), .WRITEMODE_B("READBEFOREWRITE"), .GSR("DISABLED")
    ) ram (
        .DIA17(di_a[17]), .DIA16(di_a[16]), .DIA15(di_a[15]), .DIA14(di_a[14]), .DIA13(di_a[13]),
        .DIA12(di_a[12]), .DIA11(di_a[11]), .DIA10(di_a[10]), .DIA9(di_a[9]), .DIA8(di_a[8]),
        .DIA7(di_a[7]), .DIA6(di_a[6]), .DIA5(di_a[5]), .DIA4(di_a[4]), .DIA3(di_a[3]),
        .DIA2(di_a[2]), .DIA1(di_a[1]), .DIA0(di_a[0]),
        .ADA13(ad_a[13]), .ADA12(ad_a[12]), .ADA11(ad_a[11]), .ADA10(ad_a[10]), .ADA9(ad_a[9]),
        .ADA8(ad_a[8]), .ADA7(ad_a[7]), .ADA6(ad_a[6]), .ADA5(ad_a[5]), .ADA4(ad_a[4]),
        .ADA3(ad_a[3]), .ADA2(ad_a[2]), .ADA1(ad_a[1]), .ADA0(ad_a[0]),
        .CEA(ce_a), .OCEA(oce_a), .CLKA(clk), .WEA(we_a), .RSTA(1'b0),
        .CSA2(1'b0), .CSA1(1'b0), .CSA0(1'b0),
        .DOA17(do_a[17]), .DOA16(do_a[16]), .DOA15(do_a[15]), .DOA14(do_a[14]), .DOA13(do_a[13]),
        .DOA12(do_a[12]), .DOA11(do_a[11]), .DOA10(do_a[10]), .DOA9(do_a[9]), .DOA8(do_a[8]),
        .DOA7(do_a[7]), .DOA6(do_a[6]), .DOA5(do_a[5]), .DOA4(do_a[4]), .DOA3(do_a[3]),
        .DOA2(do_a[2]), .DOA1(do_a[1]), .DOA0(do_a[0]),
        .DIB17(di_b[17]), .DIB16(di_b[16]), .DIB15(di_b[15]), .DIB14(di_b[14]), .DIB13(di_b[13]),
        .DIB12(di_b[12]), .DIB11(di_b[11]), .DIB10(di_b[10]), .DIB9(di_b[9]), .DIB8(di_b[8]),
        .DIB7(di_b[7]), .DIB6(di_b[6]), .DIB5(di_b[5]), .DIB4(di_b[4]), .DIB3(di_b[3]),
        .DIB2(di_b[2]), .DIB1(di_b[1]), .DIB0(di_b[0]),
        .ADB13(ad_b[13]), .ADB12(ad_b[12]), .ADB11(ad_b[11]), .ADB10(ad_b[10]), .ADB9(ad_b[9]),
        .ADB8(ad_b[8]), .ADB7(ad_b[7]), .ADB6(ad_b[6]), .ADB5(ad_b[5]), .ADB4(ad_b[4]),
        .ADB3(ad_b[3]), .ADB2(ad_b[2]), .ADB1(ad_b[1]), .ADB0(ad_b[0]),
        .CEB(ce_b), .OCEB(oce_b), .CLKB(clk), .WEB(we_b), .RSTB(1'b0),
        .CSB2(1'b0), .CSB1(1'b0), .CSB0(1'b0),
        .DOB17(do_b[17]), .DOB16(do_b[16]), .DOB15(do_b[15]), .DOB14(do_b[14]), .DOB13(do_b[13]),
        .DOB12(do_b[12]), .DOB11(do_b[11]), .DOB10(do_b[10]), .DOB9(do_b[9]), .DOB8(do_b[8]),
        .DOB7(do_b[7]), .DOB6(do_b[6]), .DOB5(do_b[5]), .DOB4(do_b[4]), .DOB3(do_b[3]),
        .DOB2(do_b[2]), .DOB1(do_b[1]), .DOB0(do_b[0])
    );
endmodule
`endif

`default_nettype wire
