// dsr_board_dram_sim - the board's FPGA for simulation with its reference in DRAM:
// dsr_board_core (REF_DRAM = 1) joined to LiteDRAM's generated core in its --sim variant
// (hdl/dram: the controller with SDRAMPHYModel, DDR3 timings, refresh, banks).
//
// On the board, dsr_board joins the same core ports to the hardware variant (ECP5 DDR3
// PHY, DDR3 pins, its PLL); only the PHY differs. dram_clk is the controller's clock
// (the PLL output on the board); the testbench drives it as a third clock.
`default_nettype none

module dsr_board_dram_sim #(
    parameter int MAX_WIDTH        = 4096,
    parameter int MAX_HEIGHT       = 4096,
    parameter int PIXEL_BITS_MAX   = 16,
    parameter int INIT_DELAY_SHIFT = 8     // dsr_dram_init: the model needs no DDR3 waits
) (
    input  logic        fx3_clk,
    input  logic        pipe_clk,
    input  logic        dram_clk,
    input  logic        arst,
    input  logic        pll_locked,

    output logic [31:0] fx3_dq_o,
    output logic        fx3_dq_oe,
    input  logic [31:0] fx3_dq_i,
    output logic [1:0]  fx3_a,
    output logic        fx3_slcs_n,
    output logic        fx3_sloe_n,
    output logic        fx3_slrd_n,
    output logic        fx3_slwr_n,
    output logic        fx3_pktend_n,
    input  logic [3:0]  fx3_flag,

    output logic        in_frame_ok,
    output logic        in_frame_bad,
    output logic        in_frame_reference,
    output logic        ref_slot,
    output logic        dram_ready
);

    localparam int MEM_AW = 23;

    logic              user_clk, user_rst, init_done, init_error;
    logic              cmd_valid, cmd_ready, cmd_we, wdata_valid, wdata_ready;
    logic              rdata_valid, rdata_ready;
    logic [MEM_AW-1:0] cmd_addr;
    logic [127:0]      wdata_data, rdata_data;
    logic [15:0]       wdata_we;
    logic              wb_cyc, wb_stb, wb_we, wb_ack, wb_err;
    logic [29:0]       wb_adr;
    logic [31:0]       wb_dat_w, wb_dat_r;
    logic [3:0]        wb_sel;

    dsr_board_core #(
        .MAX_WIDTH(MAX_WIDTH), .MAX_HEIGHT(MAX_HEIGHT), .PIXEL_BITS_MAX(PIXEL_BITS_MAX),
        .REF_DRAM(1), .MEM_AW(MEM_AW), .DRAM_INIT_DELAY_SHIFT(INIT_DELAY_SHIFT)
    ) u_core (
        .fx3_clk, .pipe_clk, .arst, .pll_locked,
        .fx3_dq_o, .fx3_dq_oe, .fx3_dq_i, .fx3_a, .fx3_slcs_n, .fx3_sloe_n, .fx3_slrd_n,
        .fx3_slwr_n, .fx3_pktend_n, .fx3_flag,
        .in_frame_ok, .in_frame_bad, .in_frame_reference, .ref_slot,
        .dram_clk(user_clk), .dram_rst(user_rst), .dram_init_done(init_done),
        .dram_init_error(init_error), .dram_ready,
        .dram_cmd_valid(cmd_valid), .dram_cmd_ready(cmd_ready), .dram_cmd_we(cmd_we),
        .dram_cmd_addr(cmd_addr), .dram_wdata_valid(wdata_valid),
        .dram_wdata_ready(wdata_ready), .dram_wdata_data(wdata_data),
        .dram_wdata_we(wdata_we), .dram_rdata_valid(rdata_valid),
        .dram_rdata_ready(rdata_ready), .dram_rdata_data(rdata_data),
        .dram_wb_cyc(wb_cyc), .dram_wb_stb(wb_stb), .dram_wb_we(wb_we),
        .dram_wb_adr(wb_adr), .dram_wb_dat_w(wb_dat_w), .dram_wb_sel(wb_sel),
        .dram_wb_ack(wb_ack)
    );

    litedram_core dram (
        .clk(dram_clk),
        .init_done, .init_error,
        .sim_trace(1'b0),
        .user_clk, .user_rst,
        .user_port_native_0_cmd_addr(cmd_addr),
        .user_port_native_0_cmd_ready(cmd_ready),
        .user_port_native_0_cmd_valid(cmd_valid),
        .user_port_native_0_cmd_we(cmd_we),
        .user_port_native_0_rdata_data(rdata_data),
        .user_port_native_0_rdata_ready(rdata_ready),
        .user_port_native_0_rdata_valid(rdata_valid),
        .user_port_native_0_wdata_data(wdata_data),
        .user_port_native_0_wdata_ready(wdata_ready),
        .user_port_native_0_wdata_valid(wdata_valid),
        .user_port_native_0_wdata_we(wdata_we),
        .wb_ctrl_ack(wb_ack), .wb_ctrl_adr(wb_adr), .wb_ctrl_bte(2'b00),
        .wb_ctrl_cti(3'b000), .wb_ctrl_cyc(wb_cyc), .wb_ctrl_dat_r(wb_dat_r),
        .wb_ctrl_dat_w(wb_dat_w), .wb_ctrl_err(wb_err), .wb_ctrl_sel(wb_sel),
        .wb_ctrl_stb(wb_stb), .wb_ctrl_we(wb_we)
    );

    logic unused_wb;
    assign unused_wb = ^{wb_dat_r, wb_err};

endmodule

`default_nettype wire
