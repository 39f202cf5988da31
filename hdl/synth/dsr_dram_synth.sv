// dsr_dram_synth - synthesis top of the DRAM build (make -C hdl synth-dram): dsr_top with
// its reference in DRAM, dsr_mem_bridge, dsr_dram_init and LiteDRAM's generated core with
// the ECP5 DDR3 PHY (hdl/dram, hardware variant: its own PLL makes the controller's clocks
// from clk100; through dram/dsr_litedram_hw.sv, as on the board). The pipeline's ports go to pins, so nothing is optimised away; the board
// top (FX3 bridge, pipeline PLL) replaces them. Used for resources and fmax only.
`default_nettype none

module dsr_dram_synth #(
    parameter int MAX_WIDTH      = 4096,
    parameter int MAX_HEIGHT     = 4096,
    parameter int PIXEL_BITS_MAX = 16
) (
    input  logic        clk,            // pipeline clock
    input  logic        rst,
    input  logic        clk100,         // LiteDRAM's input clock

    input  logic        reg_valid,
    output logic        reg_ready,
    input  logic        reg_write,
    input  logic [11:0] reg_addr,
    input  logic [31:0] reg_wdata,
    output logic        reg_rvalid,
    output logic [31:0] reg_rdata,
    input  logic        s_valid,
    output logic        s_ready,
    input  logic [15:0] s_data,
    input  logic        s_sof,
    input  logic        s_eol,
    output logic        m_valid,
    input  logic        m_ready,
    output logic [15:0] m_data,
    output logic        m_last,
    output logic        frame_capture,
    input  logic        ref_rd_slot,
    input  logic        ref_wr_slot,

    output logic [12:0] ddram_a,
    output logic [2:0]  ddram_ba,
    output logic        ddram_cas_n,
    output logic        ddram_cke,
    // CK and DQS are SSTL135D_I pairs: the _p port is the pair (.lpf), the _n pads follow
    // it; the generator's core lists ddram_clk_n/ddram_dqs_n as unused inputs (tied off)
    output logic        ddram_clk_p,
    output logic        ddram_cs_n,
    output logic [1:0]  ddram_dm,
    inout  wire  [15:0] ddram_dq,
    inout  wire  [1:0]  ddram_dqs_p,
    output logic        ddram_odt,
    output logic        ddram_ras_n,
    output logic        ddram_reset_n,
    output logic        ddram_we_n,
    output logic        dram_ready
);

    localparam int MEM_AW = 23;

    logic              mem_cmd_valid, mem_cmd_ready, mem_cmd_we, mem_rd_valid, mem_rd_ready;
    logic [MEM_AW-1:0] mem_cmd_addr;
    logic [127:0]      mem_cmd_wdata, mem_rd_data;
    logic [15:0]       mem_cmd_wmask;

    dsr_top #(
        .MAX_WIDTH(MAX_WIDTH),
        .MAX_HEIGHT(MAX_HEIGHT),
        .PIXEL_BITS_MAX(PIXEL_BITS_MAX),
        .REF_DRAM(1),
        .MEM_AW(MEM_AW)
    ) top (
        .clk, .rst,
        .reg_valid, .reg_ready, .reg_write, .reg_addr, .reg_wdata, .reg_rvalid, .reg_rdata,
        .s_valid, .s_ready, .s_data, .s_sof, .s_eol,
        .m_valid, .m_ready, .m_data, .m_last, .frame_capture,
        .ref_rd_slot, .ref_wr_slot,
        .mem_cmd_valid, .mem_cmd_ready, .mem_cmd_we, .mem_cmd_addr, .mem_cmd_wdata,
        .mem_cmd_wmask, .mem_rd_valid, .mem_rd_ready, .mem_rd_data
    );

    logic              user_clk, user_rst, init_done, init_error, pll_locked;
    logic              cmd_valid, cmd_ready, cmd_we, wdata_valid, wdata_ready;
    logic              rdata_valid, rdata_ready;
    logic [MEM_AW-1:0] cmd_addr;
    logic [127:0]      wdata_data, rdata_data;
    logic [15:0]       wdata_we;
    logic              wb_cyc, wb_stb, wb_we, wb_ack, wb_err, init_fsm_done;
    logic [29:0]       wb_adr;
    logic [31:0]       wb_dat_w, wb_dat_r;
    logic [3:0]        wb_sel;

    dsr_mem_bridge #(
        .MEM_AW(MEM_AW)
    ) bridge (
        .clk, .rst,
        .mem_cmd_valid, .mem_cmd_ready, .mem_cmd_we, .mem_cmd_addr, .mem_cmd_wdata,
        .mem_cmd_wmask, .mem_rd_valid, .mem_rd_ready, .mem_rd_data, .hold(1'b0),
        .idle(unused_idle),
        .dram_clk(user_clk), .dram_rst(user_rst), .init_done,
        .cmd_valid, .cmd_ready, .cmd_we, .cmd_addr, .wdata_valid, .wdata_ready, .wdata_data,
        .wdata_we, .rdata_valid, .rdata_ready, .rdata_data
    );

    dsr_dram_init #(
        .DELAY_SHIFT(0)
    ) init (
        .clk(user_clk), .rst(user_rst),
        .wb_cyc, .wb_stb, .wb_we, .wb_adr, .wb_dat_w, .wb_sel, .wb_ack, .done(init_fsm_done)
    );

    dsr_litedram_hw dram (
        .clk(clk100), .rst, .pll_locked,
        .ddram_a, .ddram_ba, .ddram_cas_n, .ddram_cke, .ddram_clk_p, .ddram_cs_n, .ddram_dm,
        .ddram_dq, .ddram_dqs_p, .ddram_odt, .ddram_ras_n, .ddram_reset_n, .ddram_we_n,
        .init_done, .init_error, .user_clk, .user_rst,
        .cmd_valid, .cmd_ready, .cmd_we, .cmd_addr, .wdata_valid, .wdata_ready, .wdata_data,
        .wdata_we, .rdata_valid, .rdata_ready, .rdata_data,
        .wb_cyc, .wb_stb, .wb_we, .wb_adr, .wb_dat_w, .wb_sel, .wb_ack, .wb_err, .wb_dat_r
    );

    assign dram_ready = init_done && init_fsm_done && !init_error && pll_locked;

    logic unused_wb, unused_idle;
    assign unused_wb = ^{wb_dat_r, wb_err};

endmodule

`default_nettype wire
