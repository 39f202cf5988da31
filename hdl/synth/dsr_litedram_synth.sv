// dsr_litedram_synth - out-of-context synthesis top of LiteDRAM's generated hardware core
// alone (make synth-litedram; the core through dram/dsr_litedram_hw.sv, as on the board): the controller, the ECP5 DDR3 PHY and its CRG/PLL on the
// DDR3 pins of synth/dsr_dram_synth.lpf, no bridge, no init FSM, no pipeline. The native
// user port and wb_ctrl are registered in user_clk (dsr_scan_port: inputs from a scan
// chain, outputs captured and shifted out), as the bridge's ping-pong port and
// dsr_dram_init drive them from flip-flops, so the report shows the core's own paths:
// what limits dram_sys, and what a LiteDRAM setting (hdl/dram/dsr_dram.yml) changes.
`default_nettype none

module dsr_litedram_synth (
    input  logic        clk100,         // LiteDRAM's input clock (the board's fx3_clk)
    input  logic        rst,
    input  logic        si,             // user_clk domain scan chain
    input  logic        cap,
    output logic        so,
    output logic        pll_locked,

    output logic [12:0] ddram_a,
    output logic [2:0]  ddram_ba,
    output logic        ddram_cas_n,
    output logic        ddram_cke,
    output logic        ddram_clk_p,
    output logic        ddram_cs_n,
    output logic [1:0]  ddram_dm,
    inout  wire  [15:0] ddram_dq,
    inout  wire  [1:0]  ddram_dqs_p,
    output logic        ddram_odt,
    output logic        ddram_ras_n,
    output logic        ddram_reset_n,
    output logic        ddram_we_n
);
    // native port: cmd addr 23, valid, we; wdata 128, valid, we 16; rdata ready;
    // wb_ctrl: adr 30, dat_w 32, sel 4, cyc, stb, we
    localparam int IN_W  = 23 + 2 + 128 + 1 + 16 + 1 + 30 + 32 + 4 + 3;
    // cmd ready; wdata ready; rdata 128, valid; wb ack, err, dat_r 32; init done, error
    localparam int OUT_W = 1 + 1 + 128 + 1 + 2 + 32 + 2;

    logic             user_clk, user_rst, rst_q;
    logic [IN_W-1:0]  p_in;
    logic [OUT_W-1:0] p_out;

    logic [22:0]  cmd_addr;
    logic         cmd_valid, cmd_we, cmd_ready;
    logic [127:0] wdata_data, rdata_data;
    logic         wdata_valid, wdata_ready, rdata_valid, rdata_ready;
    logic [15:0]  wdata_we;
    logic [29:0]  wb_adr;
    logic [31:0]  wb_dat_w, wb_dat_r;
    logic [3:0]   wb_sel;
    logic         wb_cyc, wb_stb, wb_we, wb_ack, wb_err, init_done, init_error;

    assign {cmd_addr, cmd_valid, cmd_we, wdata_data, wdata_valid, wdata_we, rdata_ready,
            wb_adr, wb_dat_w, wb_sel, wb_cyc, wb_stb, wb_we} = p_in;
    assign p_out = {cmd_ready, wdata_ready, rdata_data, rdata_valid, wb_ack, wb_err,
                    wb_dat_r, init_done, init_error};

    dsr_scan_port #(
        .IN_W(IN_W),
        .OUT_W(OUT_W)
    ) port_u (
        .clk(user_clk), .rst(user_rst), .si, .cap, .so, .rst_q, .dut_in(p_in), .dut_out(p_out)
    );
    logic unused_rst_q;
    assign unused_rst_q = rst_q;

    dsr_litedram_hw dram (
        .clk(clk100), .rst, .pll_locked,
        .ddram_a, .ddram_ba, .ddram_cas_n, .ddram_cke, .ddram_clk_p, .ddram_cs_n, .ddram_dm,
        .ddram_dq, .ddram_dqs_p, .ddram_odt, .ddram_ras_n, .ddram_reset_n, .ddram_we_n,
        .init_done, .init_error, .user_clk, .user_rst,
        .cmd_valid, .cmd_ready, .cmd_we, .cmd_addr, .wdata_valid, .wdata_ready, .wdata_data,
        .wdata_we, .rdata_valid, .rdata_ready, .rdata_data,
        .wb_cyc, .wb_stb, .wb_we, .wb_adr, .wb_dat_w, .wb_sel, .wb_ack, .wb_err, .wb_dat_r
    );
endmodule

`default_nettype wire
