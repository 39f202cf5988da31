// dsr_fx3_synth - out-of-context synthesis top of the FX3 side (make synth-fx3):
// dsr_fx3_slave on the ButterStick's FX3 pins (board/butterstick.lpf, DQ through BB
// tristates as in board/dsr_board.sv), its clock from a pin at 100 MHz instead of the
// board's PLL. The four stream ports are registered in the same clock (dsr_scan_port:
// inputs from a scan chain, outputs captured and shifted out), as the board core's
// crossings and slices drive them from flip-flops, so the report shows the slave's own
// paths (the board's fx3_clk critical path lies inside it) in minutes instead of a board
// run's half hour.
`default_nettype none

module dsr_fx3_synth (
    input  logic        fx3_clk,        // PCLK domain (100 MHz target)
    input  logic        rst,
    input  logic        si,
    input  logic        cap,
    output logic        so,

    inout  wire  [31:0] fx3_dq,
    output logic [1:0]  fx3_a,
    output logic        fx3_slcs_n,
    output logic        fx3_sloe_n,
    output logic        fx3_slrd_n,
    output logic        fx3_slwr_n,
    output logic        fx3_pktend_n,
    input  logic [3:0]  fx3_flag
);
    // m0_ready, m1_ready; s2 data, last, valid; s3 data, last, valid
    localparam int IN_W  = 2 + 2 * 34;
    // m0, m1: data, keep, last, valid; s2_ready, s3_ready
    localparam int OUT_W = 2 * 36 + 2;

    logic             rst_q;
    logic [IN_W-1:0]  p_in;
    logic [OUT_W-1:0] p_out;

    logic [31:0] dq_o, dq_i, m0_data, m1_data, s2_data, s3_data;
    logic        dq_oe;
    logic [1:0]  m0_keep, m1_keep;
    logic        m0_last, m0_valid, m0_ready, m1_last, m1_valid, m1_ready;
    logic        s2_last, s2_valid, s2_ready, s3_last, s3_valid, s3_ready;

    assign {m0_ready, m1_ready, s2_data, s2_last, s2_valid, s3_data, s3_last, s3_valid} = p_in;
    assign p_out = {m0_data, m0_keep, m0_last, m0_valid, m1_data, m1_keep, m1_last, m1_valid,
                    s2_ready, s3_ready};

    dsr_scan_port #(
        .IN_W(IN_W),
        .OUT_W(OUT_W)
    ) port_u (
        .clk(fx3_clk), .rst, .si, .cap, .so, .rst_q, .dut_in(p_in), .dut_out(p_out)
    );

    genvar i;
    generate
        for (i = 0; i < 32; i++) begin : g_dq
            BB u_bb (.I(dq_o[i]), .T(!dq_oe), .O(dq_i[i]), .B(fx3_dq[i]));
        end
    endgenerate

    dsr_fx3_slave fx3 (
        .clk(fx3_clk), .rst(rst_q),
        .dq_o, .dq_oe, .dq_i, .a(fx3_a), .slcs_n(fx3_slcs_n), .sloe_n(fx3_sloe_n),
        .slrd_n(fx3_slrd_n), .slwr_n(fx3_slwr_n), .pktend_n(fx3_pktend_n), .flag(fx3_flag),
        .m0_data, .m0_keep, .m0_last, .m0_valid, .m0_ready,
        .m1_data, .m1_keep, .m1_last, .m1_valid, .m1_ready,
        .s2_data, .s2_last, .s2_valid, .s2_ready,
        .s3_data, .s3_last, .s3_valid, .s3_ready
    );
endmodule

`default_nettype wire
