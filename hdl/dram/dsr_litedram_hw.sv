// dsr_litedram_hw - LiteDRAM's generated hardware core (hdl/dram, hardware variant:
// build/dram/hw/litedram_core.v, the ECP5 DDR3 PHY and its CRG/PLL) with the ports the
// DSR design uses, instantiated once here for every top that has it: the board
// (board/dsr_board.sv), the DRAM build's synthesis run (synth/dsr_dram_synth.sv) and the
// core's own out-of-context run (synth/dsr_litedram_synth.sv).
//
// The core's port names are the generator's (user_port_native_0_*, wb_ctrl_*); here they
// are the bridge's and the init FSM's: the native port (cmd, wdata, rdata; 128-bit words,
// a 23-bit word address for the 128 MB x16 DDR3 of dsr_dram.yml) and the wb_ctrl bus
// (classic cycles: BTE/CTI tied to 0). The generator lists ddram_clk_n and ddram_dqs_n
// as unused inputs: tied off here, the _p ports are the SSTL135D_I pairs (.lpf).
//
// The core's clock nets carry its instance name, litedram (after flattening e.g.
// g_dram.u_dram.litedram.sys_clk on the board): synth/bitstream.sh, synth_dram.sh and
// synth_litedram.sh name the clocks by it (sys_clk: dram_sys, crg_clkout1: dram_init,
// sys2x: dram_sys2x) and fail when an expected clock has no line.
`default_nettype none

module dsr_litedram_hw (
    input  wire         clk,            // the core's PLL input (the board's fx3_clk)
    input  wire         rst,
    output wire         pll_locked,

    output wire [12:0]  ddram_a,
    output wire [2:0]   ddram_ba,
    output wire         ddram_cas_n,
    output wire         ddram_cke,
    output wire         ddram_clk_p,
    output wire         ddram_cs_n,
    output wire [1:0]   ddram_dm,
    inout  wire [15:0]  ddram_dq,
    inout  wire [1:0]   ddram_dqs_p,
    output wire         ddram_odt,
    output wire         ddram_ras_n,
    output wire         ddram_reset_n,
    output wire         ddram_we_n,

    output wire         init_done,      // the core's own calibration status
    output wire         init_error,
    output wire         user_clk,       // dram_sys: the controller's clock and reset
    output wire         user_rst,

    input  wire         cmd_valid,
    output wire         cmd_ready,
    input  wire         cmd_we,
    input  wire [22:0]  cmd_addr,
    input  wire         wdata_valid,
    output wire         wdata_ready,
    input  wire [127:0] wdata_data,
    input  wire [15:0]  wdata_we,
    output wire         rdata_valid,
    input  wire         rdata_ready,
    output wire [127:0] rdata_data,

    input  wire         wb_cyc,
    input  wire         wb_stb,
    input  wire         wb_we,
    input  wire [29:0]  wb_adr,
    input  wire [31:0]  wb_dat_w,
    input  wire [3:0]   wb_sel,
    output wire         wb_ack,
    output wire         wb_err,
    output wire [31:0]  wb_dat_r
);

    litedram_core litedram (
        .clk(clk), .rst(rst), .pll_locked(pll_locked),
        .ddram_a(ddram_a), .ddram_ba(ddram_ba), .ddram_cas_n(ddram_cas_n),
        .ddram_cke(ddram_cke), .ddram_clk_n(1'b0), .ddram_clk_p(ddram_clk_p),
        .ddram_cs_n(ddram_cs_n), .ddram_dm(ddram_dm), .ddram_dq(ddram_dq),
        .ddram_dqs_n(2'b00), .ddram_dqs_p(ddram_dqs_p), .ddram_odt(ddram_odt),
        .ddram_ras_n(ddram_ras_n), .ddram_reset_n(ddram_reset_n), .ddram_we_n(ddram_we_n),
        .init_done(init_done), .init_error(init_error),
        .user_clk(user_clk), .user_rst(user_rst),
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

endmodule

`default_nettype wire
