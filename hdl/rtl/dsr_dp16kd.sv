// dsr_dp16kd - one ECP5 DP16KD block RAM with both output registers.
//
// Both ports WIDTH bits wide (1, 2, 4, 9 or 18), each with its output register (REGMODE
// "OUTREG", enabled by oce_x), read-before-write, no reset, chip selects unused. Yosys
// never puts a read into the DP16KD's own output register, and nextpnr times the
// register's clock-to-out rather than the array's 5.8 ns (-6), so the RAMs that need it
// instantiate the primitive (through dsr_dp16kd_array). For the ECP5 synthesis only
// (DSR_ECP5, set by hdl/synth's scripts); tests/hdl/ecp5_dp16kd.v models the cell.
`default_nettype none

`ifdef DSR_ECP5
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
