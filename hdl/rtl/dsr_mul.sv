// dsr_mul - one registered product a * b, as one MULT18X18D: the operands registered, the
// product registered (two cycles from a, b to p, both on the clock enable ce).
//
// Each operand is at most 18 bits, signed or unsigned (A_SIGNED, B_SIGNED), as the
// primitive takes them; wider products are split by the caller, with the sums in fabric.
// p is the exact product's low P_WIDTH bits (P_WIDTH <= 36: the product of two 18-bit
// operands, sign-extended when either is signed, fits the primitive's 36).
//
// With DSR_ECP5 defined (only the ECP5 synthesis scripts define it) it is the primitive
// with its input registers A and B and its output register on CLK0 / CE0 (no pipeline
// register, RST0 tied low), which nextpnr times as registered paths: Yosys's synth_ecp5
// never puts registers into a MULT18X18D, and without them nextpnr times the multiplier
// as 3.93 ns of logic between the fabric registers around it (-6). Otherwise the same
// behaviour in plain SystemVerilog (simulation, formal, other devices): p two enabled
// clocks after a and b, as the product registered twice (below).
`default_nettype none

module dsr_mul #(
    parameter int A_WIDTH  = 18,
    parameter bit A_SIGNED = 1'b0,
    parameter int B_WIDTH  = 18,
    parameter bit B_SIGNED = 1'b0,
    parameter int P_WIDTH  = A_WIDTH + B_WIDTH
) (
    input  logic               clk,
    input  logic               ce,
    input  logic [A_WIDTH-1:0] a,
    input  logic [B_WIDTH-1:0] b,
    output logic [P_WIDTH-1:0] p
);

    // what one MULT18X18D takes (Icarus 11 has no elaboration tasks: there at time 0)
    if (A_WIDTH < 1 || A_WIDTH > 18 || B_WIDTH < 1 || B_WIDTH > 18 || P_WIDTH < 1
            || P_WIDTH > 36) begin : g_too_wide
`ifdef __ICARUS__
        initial $fatal(1, "dsr_mul: %0d x %0d -> %0d bits is not one 18 x 18 multiplier",
                       A_WIDTH, B_WIDTH, P_WIDTH);
`else
        $error("dsr_mul: %0d x %0d -> %0d bits is not one 18 x 18 multiplier",
               A_WIDTH, B_WIDTH, P_WIDTH);
`endif
    end

`ifdef DSR_ECP5

    logic [17:0] a18, b18;
    logic [35:0] p36;
    assign a18 = A_SIGNED ? 18'($signed(a)) : 18'(a);
    assign b18 = B_SIGNED ? 18'($signed(b)) : 18'(b);

    MULT18X18D #(
        .REG_INPUTA_CLK("CLK0"), .REG_INPUTA_CE("CE0"), .REG_INPUTA_RST("RST0"),
        .REG_INPUTB_CLK("CLK0"), .REG_INPUTB_CE("CE0"), .REG_INPUTB_RST("RST0"),
        .REG_PIPELINE_CLK("NONE"),
        .REG_OUTPUT_CLK("CLK0"), .REG_OUTPUT_CE("CE0"), .REG_OUTPUT_RST("RST0"),
        .RESETMODE("SYNC")
    ) u_dsp (
        .A17(a18[17]), .A16(a18[16]), .A15(a18[15]), .A14(a18[14]), .A13(a18[13]),
        .A12(a18[12]), .A11(a18[11]), .A10(a18[10]), .A9(a18[9]), .A8(a18[8]), .A7(a18[7]),
        .A6(a18[6]), .A5(a18[5]), .A4(a18[4]), .A3(a18[3]), .A2(a18[2]), .A1(a18[1]),
        .A0(a18[0]), .B17(b18[17]), .B16(b18[16]), .B15(b18[15]), .B14(b18[14]), .B13(b18[13]),
        .B12(b18[12]), .B11(b18[11]), .B10(b18[10]), .B9(b18[9]), .B8(b18[8]), .B7(b18[7]),
        .B6(b18[6]), .B5(b18[5]), .B4(b18[4]), .B3(b18[3]), .B2(b18[2]), .B1(b18[1]),
        .B0(b18[0]), .C17(1'b0), .C16(1'b0), .C15(1'b0), .C14(1'b0), .C13(1'b0), .C12(1'b0),
        .C11(1'b0), .C10(1'b0), .C9(1'b0), .C8(1'b0), .C7(1'b0), .C6(1'b0), .C5(1'b0),
        .C4(1'b0), .C3(1'b0), .C2(1'b0), .C1(1'b0), .C0(1'b0), .SIGNEDA(A_SIGNED),
        .SIGNEDB(B_SIGNED), .SOURCEA(1'b0), .SOURCEB(1'b0), .CLK0(clk), .CE0(ce), .RST0(1'b0),
        .P35(p36[35]), .P34(p36[34]), .P33(p36[33]), .P32(p36[32]), .P31(p36[31]),
        .P30(p36[30]), .P29(p36[29]), .P28(p36[28]), .P27(p36[27]), .P26(p36[26]),
        .P25(p36[25]), .P24(p36[24]), .P23(p36[23]), .P22(p36[22]), .P21(p36[21]),
        .P20(p36[20]), .P19(p36[19]), .P18(p36[18]), .P17(p36[17]), .P16(p36[16]),
        .P15(p36[15]), .P14(p36[14]), .P13(p36[13]), .P12(p36[12]), .P11(p36[11]),
        .P10(p36[10]), .P9(p36[9]), .P8(p36[8]), .P7(p36[7]), .P6(p36[6]), .P5(p36[5]),
        .P4(p36[4]), .P3(p36[3]), .P2(p36[2]), .P1(p36[1]), .P0(p36[0])
    );

    /* verilator lint_off UNUSEDSIGNAL */
    logic [35:0] p36_all;    // bits above P_WIDTH: the sign extension
    /* verilator lint_on UNUSEDSIGNAL */
    assign p36_all = p36;
    assign p = p36_all[P_WIDTH-1:0];

`else

    // The product of the operands registered, then registered again: what leaves p is the
    // same as from operand registers and a product register (a product of registered
    // operands is the registered product), with one register per product instead of one
    // per operand (the operands are often shared, and each copy costs the simulators a
    // store every clock). The cast to P_WIDTH extends the operands to at least P_WIDTH
    // bits before the multiply (as an assignment would), so p is the exact product's low
    // P_WIDTH bits; an unsigned operand of a signed product gets a 0 above it. One clocked
    // block per signedness (chosen at elaboration): Verilator multiplies unsigned products
    // as such, and no arm of a constant condition sits unreachable in the coverage.
    logic [P_WIDTH-1:0] p_q;

    if (A_SIGNED && B_SIGNED) begin : g_ss
        always_ff @(posedge clk) begin
            if (ce) begin
                p_q <= P_WIDTH'($signed(a) * $signed(b));
                p   <= p_q;
            end
        end
    end else if (A_SIGNED) begin : g_su
        always_ff @(posedge clk) begin
            if (ce) begin
                p_q <= P_WIDTH'($signed(a) * $signed({1'b0, b}));
                p   <= p_q;
            end
        end
    end else if (B_SIGNED) begin : g_us
        always_ff @(posedge clk) begin
            if (ce) begin
                p_q <= P_WIDTH'($signed({1'b0, a}) * $signed(b));
                p   <= p_q;
            end
        end
    end else begin : g_uu
        always_ff @(posedge clk) begin
            if (ce) begin
                p_q <= P_WIDTH'(a * b);
                p   <= p_q;
            end
        end
    end

`endif

endmodule

`default_nettype wire
