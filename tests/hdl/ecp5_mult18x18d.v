// ecp5_mult18x18d.v - simulation model of the ECP5 MULT18X18D for the post-synthesis
// simulation (make -C tests/hdl postsynth): synth_ecp5's own products (every REG_* at
// "NONE": a combinational 18 x 18 multiply) and dsr_mul's (input registers A and B and the
// output register on CLK0 / CE0). Yosys ships only a black box for it (cells_bb.v). Ports
// as in cells_bb.v.
//
// Modelled exactly: the input registers A (with SIGNEDA), B (with SIGNEDB) and C, the
// pipeline register (with the product's SIGNEDP) and the output register, each on its
// REG_*_CLK ("NONE": no register; "CLK0".."CLK3", rising edge), REG_*_CE ("CE0".."CE3")
// and REG_*_RST ("RST0".."RST3"), RESETMODE "SYNC" (reset at the edge, over the clock
// enable) or "ASYNC"; SOURCEA / SOURCEB (the shift inputs SRIA / SRIB instead of A / B,
// SOURCEB_MODE "B_SHIFT"); ROA / ROB / ROC and SROA / SROB (the operands after their
// registers, CAS_MATCH_REG "FALSE"). Every register starts at 0, as after configuration;
// there is no GSR net here, so GSR "ENABLED" and "DISABLED" behave alike. Any other
// parameter value (CLKn_DIV other than "ENABLED", a HIGHSPEED_CLK, MULT_BYPASS, another
// SOURCEB_MODE or CAS_MATCH_REG, a misspelt selection) stops the simulation at time 0
// with an error naming the parameter.
module MULT18X18D(A17, A16, A15, A14, A13, A12, A11, A10, A9, A8, A7, A6, A5, A4, A3, A2, A1, A0, B17, B16, B15, B14, B13, B12, B11, B10, B9, B8, B7, B6, B5, B4, B3, B2, B1, B0, C17, C16, C15, C14, C13, C12, C11, C10, C9, C8, C7, C6, C5, C4, C3, C2, C1, C0, SIGNEDA, SIGNEDB, SOURCEA, SOURCEB, CLK3, CLK2, CLK1, CLK0, CE3, CE2, CE1, CE0, RST3, RST2, RST1, RST0, SRIA17, SRIA16, SRIA15, SRIA14, SRIA13, SRIA12, SRIA11, SRIA10, SRIA9, SRIA8, SRIA7, SRIA6, SRIA5, SRIA4, SRIA3, SRIA2, SRIA1, SRIA0, SRIB17, SRIB16, SRIB15, SRIB14, SRIB13, SRIB12, SRIB11, SRIB10, SRIB9, SRIB8, SRIB7, SRIB6, SRIB5, SRIB4, SRIB3, SRIB2, SRIB1, SRIB0, SROA17, SROA16, SROA15, SROA14, SROA13, SROA12, SROA11, SROA10, SROA9, SROA8, SROA7, SROA6, SROA5, SROA4, SROA3, SROA2, SROA1, SROA0, SROB17, SROB16, SROB15, SROB14, SROB13, SROB12, SROB11, SROB10, SROB9, SROB8, SROB7, SROB6, SROB5, SROB4, SROB3, SROB2, SROB1, SROB0, ROA17, ROA16, ROA15, ROA14, ROA13, ROA12, ROA11, ROA10, ROA9, ROA8, ROA7, ROA6, ROA5, ROA4, ROA3, ROA2, ROA1, ROA0, ROB17, ROB16, ROB15, ROB14, ROB13, ROB12, ROB11, ROB10, ROB9, ROB8, ROB7, ROB6, ROB5, ROB4, ROB3, ROB2, ROB1, ROB0, ROC17, ROC16, ROC15, ROC14, ROC13, ROC12, ROC11, ROC10, ROC9, ROC8, ROC7, ROC6, ROC5, ROC4, ROC3, ROC2, ROC1, ROC0, P35, P34, P33, P32, P31, P30, P29, P28, P27, P26, P25, P24, P23, P22, P21, P20, P19, P18, P17, P16, P15, P14, P13, P12, P11, P10, P9, P8, P7, P6, P5, P4, P3, P2, P1, P0, SIGNEDP);
    parameter REG_INPUTA_CLK = "NONE";
    parameter REG_INPUTB_CLK = "NONE";
    parameter REG_INPUTC_CLK = "NONE";
    parameter REG_PIPELINE_CLK = "NONE";
    parameter REG_OUTPUT_CLK = "NONE";
    parameter REG_INPUTA_CE = "CE0";
    parameter REG_INPUTB_CE = "CE0";
    parameter REG_INPUTC_CE = "CE0";
    parameter REG_PIPELINE_CE = "CE0";
    parameter REG_OUTPUT_CE = "CE0";
    parameter REG_INPUTA_RST = "RST0";
    parameter REG_INPUTB_RST = "RST0";
    parameter REG_INPUTC_RST = "RST0";
    parameter REG_PIPELINE_RST = "RST0";
    parameter REG_OUTPUT_RST = "RST0";
    parameter CLK0_DIV = "ENABLED";
    parameter CLK1_DIV = "ENABLED";
    parameter CLK2_DIV = "ENABLED";
    parameter CLK3_DIV = "ENABLED";
    parameter HIGHSPEED_CLK = "NONE";
    parameter GSR = "ENABLED";
    parameter CAS_MATCH_REG = "FALSE";
    parameter SOURCEB_MODE = "B_SHIFT";
    parameter MULT_BYPASS = "DISABLED";
    parameter RESETMODE = "SYNC";
    input A17, A16, A15, A14, A13, A12, A11, A10, A9, A8, A7, A6, A5, A4, A3, A2, A1, A0, B17, B16, B15, B14, B13, B12, B11, B10, B9, B8, B7, B6, B5, B4, B3, B2, B1, B0, C17, C16, C15, C14, C13, C12, C11, C10, C9, C8, C7, C6, C5, C4, C3, C2, C1, C0, SIGNEDA, SIGNEDB, SOURCEA, SOURCEB, CLK3, CLK2, CLK1, CLK0, CE3, CE2, CE1, CE0, RST3, RST2, RST1, RST0, SRIA17, SRIA16, SRIA15, SRIA14, SRIA13, SRIA12, SRIA11, SRIA10, SRIA9, SRIA8, SRIA7, SRIA6, SRIA5, SRIA4, SRIA3, SRIA2, SRIA1, SRIA0, SRIB17, SRIB16, SRIB15, SRIB14, SRIB13, SRIB12, SRIB11, SRIB10, SRIB9, SRIB8, SRIB7, SRIB6, SRIB5, SRIB4, SRIB3, SRIB2, SRIB1, SRIB0;
    output SROA17, SROA16, SROA15, SROA14, SROA13, SROA12, SROA11, SROA10, SROA9, SROA8, SROA7, SROA6, SROA5, SROA4, SROA3, SROA2, SROA1, SROA0, SROB17, SROB16, SROB15, SROB14, SROB13, SROB12, SROB11, SROB10, SROB9, SROB8, SROB7, SROB6, SROB5, SROB4, SROB3, SROB2, SROB1, SROB0, ROA17, ROA16, ROA15, ROA14, ROA13, ROA12, ROA11, ROA10, ROA9, ROA8, ROA7, ROA6, ROA5, ROA4, ROA3, ROA2, ROA1, ROA0, ROB17, ROB16, ROB15, ROB14, ROB13, ROB12, ROB11, ROB10, ROB9, ROB8, ROB7, ROB6, ROB5, ROB4, ROB3, ROB2, ROB1, ROB0, ROC17, ROC16, ROC15, ROC14, ROC13, ROC12, ROC11, ROC10, ROC9, ROC8, ROC7, ROC6, ROC5, ROC4, ROC3, ROC2, ROC1, ROC0, P35, P34, P33, P32, P31, P30, P29, P28, P27, P26, P25, P24, P23, P22, P21, P20, P19, P18, P17, P16, P15, P14, P13, P12, P11, P10, P9, P8, P7, P6, P5, P4, P3, P2, P1, P0, SIGNEDP;

    // a selection's index: "<PREFIX>0".."<PREFIX>3" -> 0..3, "NONE" -> -1 (clocks only),
    // anything else -> -2 (an error below)
    function integer sel_index(input [8*8-1:0] v, input [8*8-1:0] prefix, input none_ok);
        integer k;
        begin
            sel_index = -2;
            if (none_ok && v == "NONE") sel_index = -1;
            for (k = 0; k < 4; k = k + 1)
                if (v == ((prefix << 8) | ("0" + k))) sel_index = k;
        end
    endfunction

    localparam integer CLK_A = sel_index(REG_INPUTA_CLK, "CLK", 1);
    localparam integer CLK_B = sel_index(REG_INPUTB_CLK, "CLK", 1);
    localparam integer CLK_C = sel_index(REG_INPUTC_CLK, "CLK", 1);
    localparam integer CLK_P = sel_index(REG_PIPELINE_CLK, "CLK", 1);
    localparam integer CLK_O = sel_index(REG_OUTPUT_CLK, "CLK", 1);
    localparam integer CE_A = sel_index(REG_INPUTA_CE, "CE", 0);
    localparam integer CE_B = sel_index(REG_INPUTB_CE, "CE", 0);
    localparam integer CE_C = sel_index(REG_INPUTC_CE, "CE", 0);
    localparam integer CE_P = sel_index(REG_PIPELINE_CE, "CE", 0);
    localparam integer CE_O = sel_index(REG_OUTPUT_CE, "CE", 0);
    localparam integer RST_A = sel_index(REG_INPUTA_RST, "RST", 0);
    localparam integer RST_B = sel_index(REG_INPUTB_RST, "RST", 0);
    localparam integer RST_C = sel_index(REG_INPUTC_RST, "RST", 0);
    localparam integer RST_P = sel_index(REG_PIPELINE_RST, "RST", 0);
    localparam integer RST_O = sel_index(REG_OUTPUT_RST, "RST", 0);
    localparam ASYNC = RESETMODE == "ASYNC";

    initial begin
        if (CLK_A < -1) $fatal(1, "MULT18X18D model: REG_INPUTA_CLK = \"%0s\" not modelled", REG_INPUTA_CLK);
        if (CLK_B < -1) $fatal(1, "MULT18X18D model: REG_INPUTB_CLK = \"%0s\" not modelled", REG_INPUTB_CLK);
        if (CLK_C < -1) $fatal(1, "MULT18X18D model: REG_INPUTC_CLK = \"%0s\" not modelled", REG_INPUTC_CLK);
        if (CLK_P < -1) $fatal(1, "MULT18X18D model: REG_PIPELINE_CLK = \"%0s\" not modelled", REG_PIPELINE_CLK);
        if (CLK_O < -1) $fatal(1, "MULT18X18D model: REG_OUTPUT_CLK = \"%0s\" not modelled", REG_OUTPUT_CLK);
        if (CE_A < 0) $fatal(1, "MULT18X18D model: REG_INPUTA_CE = \"%0s\" not modelled", REG_INPUTA_CE);
        if (CE_B < 0) $fatal(1, "MULT18X18D model: REG_INPUTB_CE = \"%0s\" not modelled", REG_INPUTB_CE);
        if (CE_C < 0) $fatal(1, "MULT18X18D model: REG_INPUTC_CE = \"%0s\" not modelled", REG_INPUTC_CE);
        if (CE_P < 0) $fatal(1, "MULT18X18D model: REG_PIPELINE_CE = \"%0s\" not modelled", REG_PIPELINE_CE);
        if (CE_O < 0) $fatal(1, "MULT18X18D model: REG_OUTPUT_CE = \"%0s\" not modelled", REG_OUTPUT_CE);
        if (RST_A < 0) $fatal(1, "MULT18X18D model: REG_INPUTA_RST = \"%0s\" not modelled", REG_INPUTA_RST);
        if (RST_B < 0) $fatal(1, "MULT18X18D model: REG_INPUTB_RST = \"%0s\" not modelled", REG_INPUTB_RST);
        if (RST_C < 0) $fatal(1, "MULT18X18D model: REG_INPUTC_RST = \"%0s\" not modelled", REG_INPUTC_RST);
        if (RST_P < 0) $fatal(1, "MULT18X18D model: REG_PIPELINE_RST = \"%0s\" not modelled", REG_PIPELINE_RST);
        if (RST_O < 0) $fatal(1, "MULT18X18D model: REG_OUTPUT_RST = \"%0s\" not modelled", REG_OUTPUT_RST);
        if (RESETMODE != "SYNC" && RESETMODE != "ASYNC") $fatal(1, "MULT18X18D model: RESETMODE = \"%0s\" not modelled", RESETMODE);
        if (GSR != "ENABLED" && GSR != "DISABLED") $fatal(1, "MULT18X18D model: GSR = \"%0s\" not modelled", GSR);
        if (CLK0_DIV != "ENABLED") $fatal(1, "MULT18X18D model: CLK0_DIV = \"%0s\" not modelled", CLK0_DIV);
        if (CLK1_DIV != "ENABLED") $fatal(1, "MULT18X18D model: CLK1_DIV = \"%0s\" not modelled", CLK1_DIV);
        if (CLK2_DIV != "ENABLED") $fatal(1, "MULT18X18D model: CLK2_DIV = \"%0s\" not modelled", CLK2_DIV);
        if (CLK3_DIV != "ENABLED") $fatal(1, "MULT18X18D model: CLK3_DIV = \"%0s\" not modelled", CLK3_DIV);
        if (HIGHSPEED_CLK != "NONE") $fatal(1, "MULT18X18D model: HIGHSPEED_CLK = \"%0s\" not modelled", HIGHSPEED_CLK);
        if (CAS_MATCH_REG != "FALSE") $fatal(1, "MULT18X18D model: CAS_MATCH_REG = \"%0s\" not modelled", CAS_MATCH_REG);
        if (SOURCEB_MODE != "B_SHIFT") $fatal(1, "MULT18X18D model: SOURCEB_MODE = \"%0s\" not modelled", SOURCEB_MODE);
        if (MULT_BYPASS != "DISABLED") $fatal(1, "MULT18X18D model: MULT_BYPASS = \"%0s\" not modelled", MULT_BYPASS);
    end

    wire [3:0] clk_v = {CLK3, CLK2, CLK1, CLK0};
    wire [3:0] ce_v  = {CE3, CE2, CE1, CE0};
    wire [3:0] rst_v = {RST3, RST2, RST1, RST0};

    wire [17:0] a = {A17, A16, A15, A14, A13, A12, A11, A10, A9, A8, A7, A6, A5, A4, A3, A2, A1,
        A0};
    wire [17:0] b = {B17, B16, B15, B14, B13, B12, B11, B10, B9, B8, B7, B6, B5, B4, B3, B2, B1,
        B0};
    wire [17:0] c = {C17, C16, C15, C14, C13, C12, C11, C10, C9, C8, C7, C6, C5, C4, C3, C2, C1,
        C0};
    wire [17:0] sria = {SRIA17, SRIA16, SRIA15, SRIA14, SRIA13, SRIA12, SRIA11, SRIA10, SRIA9,
        SRIA8, SRIA7, SRIA6, SRIA5, SRIA4, SRIA3, SRIA2, SRIA1, SRIA0};
    wire [17:0] srib = {SRIB17, SRIB16, SRIB15, SRIB14, SRIB13, SRIB12, SRIB11, SRIB10, SRIB9,
        SRIB8, SRIB7, SRIB6, SRIB5, SRIB4, SRIB3, SRIB2, SRIB1, SRIB0};

    // input registers: {sign, operand} for A and B, the operand for C
    wire [18:0] a_d = {SIGNEDA, SOURCEA ? sria : a};
    wire [18:0] b_d = {SIGNEDB, SOURCEB ? srib : b};
    wire [18:0] a_o, b_o;
    wire [17:0] c_o;
    reg  [18:0] a_r = 19'd0, b_r = 19'd0;
    reg  [17:0] c_r = 18'd0;

    generate
        if (CLK_A < 0) begin : g_a_none
            assign a_o = a_d;
        end else begin : g_a_reg
            wire ck = clk_v[CLK_A], en = ce_v[CE_A], rs = rst_v[RST_A];
            if (ASYNC) begin : g_async
                always @(posedge ck or posedge rs) a_r <= rs ? 19'd0 : en ? a_d : a_r;
            end else begin : g_sync
                always @(posedge ck) a_r <= rs ? 19'd0 : en ? a_d : a_r;
            end
            assign a_o = a_r;
        end
        if (CLK_B < 0) begin : g_b_none
            assign b_o = b_d;
        end else begin : g_b_reg
            wire ck = clk_v[CLK_B], en = ce_v[CE_B], rs = rst_v[RST_B];
            if (ASYNC) begin : g_async
                always @(posedge ck or posedge rs) b_r <= rs ? 19'd0 : en ? b_d : b_r;
            end else begin : g_sync
                always @(posedge ck) b_r <= rs ? 19'd0 : en ? b_d : b_r;
            end
            assign b_o = b_r;
        end
        if (CLK_C < 0) begin : g_c_none
            assign c_o = c;
        end else begin : g_c_reg
            wire ck = clk_v[CLK_C], en = ce_v[CE_C], rs = rst_v[RST_C];
            if (ASYNC) begin : g_async
                always @(posedge ck or posedge rs) c_r <= rs ? 18'd0 : en ? c : c_r;
            end else begin : g_sync
                always @(posedge ck) c_r <= rs ? 18'd0 : en ? c : c_r;
            end
            assign c_o = c_r;
        end
    endgenerate

    // the multiplier: each operand signed per its (registered) sign input; SIGNEDP = either
    wire signed [37:0] m = $signed({a_o[18] & a_o[17], a_o[17:0]})
                         * $signed({b_o[18] & b_o[17], b_o[17:0]});
    wire [36:0] m_d = {a_o[18] | b_o[18], m[35:0]};

    // pipeline register: {SIGNEDP, product}; output register: the product
    wire [36:0] p_o;
    wire [35:0] q_o;
    reg  [36:0] p_r = 37'd0;
    reg  [35:0] q_r = 36'd0;

    generate
        if (CLK_P < 0) begin : g_p_none
            assign p_o = m_d;
        end else begin : g_p_reg
            wire ck = clk_v[CLK_P], en = ce_v[CE_P], rs = rst_v[RST_P];
            if (ASYNC) begin : g_async
                always @(posedge ck or posedge rs) p_r <= rs ? 37'd0 : en ? m_d : p_r;
            end else begin : g_sync
                always @(posedge ck) p_r <= rs ? 37'd0 : en ? m_d : p_r;
            end
            assign p_o = p_r;
        end
        if (CLK_O < 0) begin : g_o_none
            assign q_o = p_o[35:0];
        end else begin : g_o_reg
            wire ck = clk_v[CLK_O], en = ce_v[CE_O], rs = rst_v[RST_O];
            if (ASYNC) begin : g_async
                always @(posedge ck or posedge rs) q_r <= rs ? 36'd0 : en ? p_o[35:0] : q_r;
            end else begin : g_sync
                always @(posedge ck) q_r <= rs ? 36'd0 : en ? p_o[35:0] : q_r;
            end
            assign q_o = q_r;
        end
    endgenerate

    assign {P35, P34, P33, P32, P31, P30, P29, P28, P27, P26, P25, P24, P23, P22, P21, P20, P19,
        P18, P17, P16, P15, P14, P13, P12, P11, P10, P9, P8, P7, P6, P5, P4, P3, P2, P1, P0} = q_o;
    assign SIGNEDP = p_o[36];
    assign {ROA17, ROA16, ROA15, ROA14, ROA13, ROA12, ROA11, ROA10, ROA9, ROA8, ROA7, ROA6, ROA5,
        ROA4, ROA3, ROA2, ROA1, ROA0} = a_o[17:0];
    assign {ROB17, ROB16, ROB15, ROB14, ROB13, ROB12, ROB11, ROB10, ROB9, ROB8, ROB7, ROB6, ROB5,
        ROB4, ROB3, ROB2, ROB1, ROB0} = b_o[17:0];
    assign {ROC17, ROC16, ROC15, ROC14, ROC13, ROC12, ROC11, ROC10, ROC9, ROC8, ROC7, ROC6, ROC5,
        ROC4, ROC3, ROC2, ROC1, ROC0} = c_o;
    assign {SROA17, SROA16, SROA15, SROA14, SROA13, SROA12, SROA11, SROA10, SROA9, SROA8, SROA7,
        SROA6, SROA5, SROA4, SROA3, SROA2, SROA1, SROA0} = a_o[17:0];
    assign {SROB17, SROB16, SROB15, SROB14, SROB13, SROB12, SROB11, SROB10, SROB9, SROB8, SROB7,
        SROB6, SROB5, SROB4, SROB3, SROB2, SROB1, SROB0} = b_o[17:0];
endmodule
