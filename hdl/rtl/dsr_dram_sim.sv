// dsr_dram_sim - the DRAM build for simulation: dsr_top with its reference in DRAM, the
// memory bridge, LiteDRAM's generated core with its SDRAMPHYModel (hdl/dram, --sim
// variant: DDR3 timings, refresh, banks) and the init sequence through wb_ctrl.
//
//   clk (pipeline) --- dsr_top --- dsr_mem_bridge --- litedram_core --- dram_clk
//                                                          |
//                                           dsr_dram_init (wb_ctrl)
//
// The Verilator testbench and dsr-sim drive clk and dram_clk from their own schedules;
// mem_hold is the slow-memory option (dsr_mem_bridge). The board top does the same
// with the hardware variant of the core and a PLL.
`default_nettype none

module dsr_dram_sim #(
    parameter int MAX_WIDTH        = 4096,
    parameter int MAX_HEIGHT       = 4096,
    parameter int PIXEL_BITS_MAX   = 16,
    parameter int INIT_DELAY_SHIFT = 8,
    parameter int REF_CACHE_NYB    = 2
) (
    input  logic        clk,
    input  logic        rst,
    input  logic        dram_clk,
    input  logic        mem_hold,
    output logic        dram_ready,     // the controller finished its init
    output logic [31:0] dram_rd_words,  // words read from DRAM (bandwidth measurements)
    output logic        dram_idle,      // nothing for the controller to do: dsr-sim may stop dram_clk

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
    input  logic        ref_wr_slot
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
        .MEM_AW(MEM_AW),
        .REF_CACHE_NYB(REF_CACHE_NYB)
    ) top (
        .clk, .rst,
        .reg_valid, .reg_ready, .reg_write, .reg_addr, .reg_wdata, .reg_rvalid, .reg_rdata,
        .s_valid, .s_ready, .s_data, .s_sof, .s_eol,
        .m_valid, .m_ready, .m_data, .m_last, .frame_capture,
        .ref_rd_slot, .ref_wr_slot,
        .mem_cmd_valid, .mem_cmd_ready, .mem_cmd_we, .mem_cmd_addr, .mem_cmd_wdata,
        .mem_cmd_wmask, .mem_rd_valid, .mem_rd_ready, .mem_rd_data
    );

    logic              user_clk, user_rst, init_done, init_error;
    logic              cmd_valid, cmd_ready, cmd_we, wdata_valid, wdata_ready;
    logic              rdata_valid, rdata_ready;
    logic [MEM_AW-1:0] cmd_addr;
    logic [127:0]      wdata_data, rdata_data;
    logic [15:0]       wdata_we;
    logic              wb_cyc, wb_stb, wb_we, wb_ack, wb_err, init_fsm_done, bridge_idle;
    logic [29:0]       wb_adr;
    logic [31:0]       wb_dat_w, wb_dat_r;
    logic [3:0]        wb_sel;

    dsr_mem_bridge #(
        .MEM_AW(MEM_AW)
    ) bridge (
        .clk, .rst,
        .mem_cmd_valid, .mem_cmd_ready, .mem_cmd_we, .mem_cmd_addr, .mem_cmd_wdata,
        .mem_cmd_wmask, .mem_rd_valid, .mem_rd_ready, .mem_rd_data, .hold(mem_hold),
        .idle(bridge_idle),
        .dram_clk(user_clk), .dram_rst(user_rst), .init_done,
        .cmd_valid, .cmd_ready, .cmd_we, .cmd_addr, .wdata_valid, .wdata_ready, .wdata_data,
        .wdata_we, .rdata_valid, .rdata_ready, .rdata_data
    );

    dsr_dram_init #(
        .DELAY_SHIFT(INIT_DELAY_SHIFT)
    ) init (
        .clk(user_clk), .rst(user_rst),
        .wb_cyc, .wb_stb, .wb_we, .wb_adr, .wb_dat_w, .wb_sel, .wb_ack, .done(init_fsm_done)
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
        .wb_ctrl_ack(wb_ack),
        .wb_ctrl_adr(wb_adr),
        .wb_ctrl_bte(2'b00),
        .wb_ctrl_cti(3'b000),
        .wb_ctrl_cyc(wb_cyc),
        .wb_ctrl_dat_r(wb_dat_r),
        .wb_ctrl_dat_w(wb_dat_w),
        .wb_ctrl_err(wb_err),
        .wb_ctrl_sel(wb_sel),
        .wb_ctrl_stb(wb_stb),
        .wb_ctrl_we(wb_we)
    );

    assign dram_ready = init_done && init_fsm_done && !init_error;
    assign dram_idle  = bridge_idle && dram_ready;

    always_ff @(posedge clk) begin
        if (rst) begin
            dram_rd_words <= '0;
        end else if (mem_rd_valid && mem_rd_ready) begin
            dram_rd_words <= dram_rd_words + 1'b1;
        end
    end

    logic unused_wb;
    assign unused_wb = ^{wb_dat_r, wb_err};

endmodule

`default_nettype wire
