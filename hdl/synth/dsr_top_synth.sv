// dsr_top_synth - the core-only synthesis top (make synth): dsr_top with its on-chip
// reference store and without the DRAM build's memory port, whose 300 pins would not
// fit the package (nextpnr places the remaining ports itself; see synth.sh).
`default_nettype none

module dsr_top_synth #(
    parameter int MAX_WIDTH      = 256,
    parameter int MAX_HEIGHT     = 256,
    parameter int PIXEL_BITS_MAX = 12
) (
    input  logic        clk,
    input  logic        rst,
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
    output logic        m_last
);

    logic         mem_cmd_valid, mem_cmd_we, mem_rd_ready;
    logic [22:0]  mem_cmd_addr;
    logic [127:0] mem_cmd_wdata;
    logic [15:0]  mem_cmd_wmask;

    dsr_top #(
        .MAX_WIDTH(MAX_WIDTH),
        .MAX_HEIGHT(MAX_HEIGHT),
        .PIXEL_BITS_MAX(PIXEL_BITS_MAX),
        .REF_DRAM(0)
    ) u_top (
        .clk, .rst,
        .reg_valid, .reg_ready, .reg_write, .reg_addr, .reg_wdata, .reg_rvalid, .reg_rdata,
        .s_valid, .s_ready, .s_data, .s_sof, .s_eol,
        .m_valid, .m_ready, .m_data, .m_last,
        .ref_rd_slot(1'b0), .ref_wr_slot(1'b0),
        .mem_cmd_valid, .mem_cmd_ready(1'b0), .mem_cmd_we, .mem_cmd_addr, .mem_cmd_wdata,
        .mem_cmd_wmask, .mem_rd_valid(1'b0), .mem_rd_ready, .mem_rd_data(128'd0)
    );

    logic unused_mem;
    assign unused_mem = ^{mem_cmd_valid, mem_cmd_we, mem_rd_ready, mem_cmd_addr, mem_cmd_wdata,
                          mem_cmd_wmask};

endmodule

`default_nettype wire
