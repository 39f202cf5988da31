// dsr_top_synth - the core-only synthesis top (make synth): dsr_top with its on-chip
// reference store and without the DRAM build's memory port, whose 300 pins would not
// fit the package (nextpnr places the remaining ports itself; see synth.sh).
//
// PORT_REGS = 1 (default): every port goes through a register, as in the board core
// (dsr_board_core: a dsr_skid slice into the live input, the register bus through a
// half-rate dsr_skid, REG_TYPE 1, behind dsr_cmd): the live input and the register bus
// through a dsr_skid each (the bus's REG_TYPE 1 as on the board), the output stream
// through one more, reg_rvalid/reg_rdata registered. Without it nextpnr places the unconstrained
// pins anywhere on the die and pulls the combinational handshakes (s_ready, reg_ready)
// towards them, so the core's reg-to-reg paths measured the pin placement. PORT_REGS = 0
// is the bare dsr_top of the earlier figures (SYNTH_PORT_REGS=0 make synth).
`default_nettype none

module dsr_top_synth #(
    parameter int MAX_WIDTH      = 256,
    parameter int MAX_HEIGHT     = 256,
    parameter int PIXEL_BITS_MAX = 12,
    parameter bit PORT_REGS      = 1'b1
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

    // dsr_top's side of the ports
    logic        t_reg_valid, t_reg_ready, t_reg_write, t_reg_rvalid;
    logic [11:0] t_reg_addr;
    logic [31:0] t_reg_wdata, t_reg_rdata;
    logic        t_s_valid, t_s_ready, t_s_sof, t_s_eol;
    logic [15:0] t_s_data;
    logic        t_m_valid, t_m_ready, t_m_last;
    logic [15:0] t_m_data;

    generate
        if (PORT_REGS) begin : g_regs
            dsr_skid #(.DATA_WIDTH(45), .REG_TYPE(1)) reg_slice (
                .clk, .rst,
                .s_data({reg_write, reg_addr, reg_wdata}), .s_valid(reg_valid),
                .s_ready(reg_ready),
                .m_data({t_reg_write, t_reg_addr, t_reg_wdata}), .m_valid(t_reg_valid),
                .m_ready(t_reg_ready)
            );
            always_ff @(posedge clk) begin
                reg_rvalid <= !rst && t_reg_rvalid;
                reg_rdata  <= t_reg_rdata;
            end
            dsr_skid #(.DATA_WIDTH(18)) live_slice (
                .clk, .rst,
                .s_data({s_sof, s_eol, s_data}), .s_valid, .s_ready,
                .m_data({t_s_sof, t_s_eol, t_s_data}), .m_valid(t_s_valid), .m_ready(t_s_ready)
            );
            dsr_skid #(.DATA_WIDTH(17)) out_slice (
                .clk, .rst,
                .s_data({t_m_last, t_m_data}), .s_valid(t_m_valid), .s_ready(t_m_ready),
                .m_data({m_last, m_data}), .m_valid, .m_ready
            );
        end else begin : g_bare
            assign {t_reg_valid, t_reg_write, t_reg_addr, t_reg_wdata} =
                   {reg_valid, reg_write, reg_addr, reg_wdata};
            assign {reg_ready, reg_rvalid, reg_rdata} = {t_reg_ready, t_reg_rvalid, t_reg_rdata};
            assign {t_s_valid, t_s_sof, t_s_eol, t_s_data} = {s_valid, s_sof, s_eol, s_data};
            assign s_ready = t_s_ready;
            assign {m_valid, m_last, m_data} = {t_m_valid, t_m_last, t_m_data};
            assign t_m_ready = m_ready;
        end
    endgenerate

    logic unused_capture;   // the board's double buffer uses it; no DRAM here

    dsr_top #(
        .MAX_WIDTH(MAX_WIDTH),
        .MAX_HEIGHT(MAX_HEIGHT),
        .PIXEL_BITS_MAX(PIXEL_BITS_MAX),
        .REF_DRAM(0)
    ) u_top (
        .clk, .rst,
        .reg_valid(t_reg_valid), .reg_ready(t_reg_ready), .reg_write(t_reg_write),
        .reg_addr(t_reg_addr), .reg_wdata(t_reg_wdata), .reg_rvalid(t_reg_rvalid),
        .reg_rdata(t_reg_rdata),
        .s_valid(t_s_valid), .s_ready(t_s_ready), .s_data(t_s_data), .s_sof(t_s_sof),
        .s_eol(t_s_eol),
        .m_valid(t_m_valid), .m_ready(t_m_ready), .m_data(t_m_data), .m_last(t_m_last),
        .frame_capture(unused_capture), .ref_rd_slot(1'b0), .ref_wr_slot(1'b0),
        .mem_cmd_valid, .mem_cmd_ready(1'b0), .mem_cmd_we, .mem_cmd_addr, .mem_cmd_wdata,
        .mem_cmd_wmask, .mem_rd_valid(1'b0), .mem_rd_ready, .mem_rd_data(128'd0)
    );

    logic unused_mem;
    assign unused_mem = ^{unused_capture, mem_cmd_valid, mem_cmd_we, mem_rd_ready, mem_cmd_addr, mem_cmd_wdata,
                          mem_cmd_wmask};

endmodule

`default_nettype wire
