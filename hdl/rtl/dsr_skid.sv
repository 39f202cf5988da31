// dsr_skid - valid/ready register slice with a skid buffer.
//
// Breaks every combinational path through a stream: m_* are registers, and s_ready is
// a register too, so a consumer's ready never reaches the producer in the same cycle.
// REG_TYPE = 2 (default): full throughput (one beat per clock) with a two-entry store;
// the second entry (temp) catches the beat that was already on its way when m_ready fell.
// The same structure as verilog-axis' axis_register with REG_TYPE = 2.
// REG_TYPE = 1: one entry, half throughput (s_ready is low while the output holds a beat,
// so a beat every second clock at best), as axis_register's REG_TYPE = 1. m_ready then
// reaches only the two valid/ready flip-flops, never the data registers' clock enable
// (they load whenever s_ready is high): for a consumer whose ready is a deep decode of
// m_data itself (the register bus, dsr_regs' reg_ready), where a full-rate slice would
// put that decode in front of the clock enable of both data registers.
`default_nettype none

module dsr_skid #(
    parameter int DATA_WIDTH = 16,
    parameter int REG_TYPE   = 2      // 2: skid buffer, full rate; 1: one entry, half rate
) (
    input  logic                  clk,
    input  logic                  rst,

    input  logic [DATA_WIDTH-1:0] s_data,
    input  logic                  s_valid,
    output logic                  s_ready,

    output logic [DATA_WIDTH-1:0] m_data,
    output logic                  m_valid,
    input  logic                  m_ready
);

    logic [DATA_WIDTH-1:0] m_data_reg;
    logic                  m_valid_reg;
    logic                  temp_valid_reg;
    logic                  s_ready_reg;

    assign s_ready = s_ready_reg;
    assign m_data  = m_data_reg;
    assign m_valid = m_valid_reg;

    initial begin
        if (REG_TYPE != 1 && REG_TYPE != 2) $fatal(1, "dsr_skid: REG_TYPE must be 1 or 2");
    end

    generate
        if (REG_TYPE == 2) begin : g_skid
            logic [DATA_WIDTH-1:0] temp_data_reg;

            // ready for the next cycle: the output drains now, or nothing would be left over
            logic s_ready_early;
            assign s_ready_early = m_ready || (!temp_valid_reg && (!m_valid_reg || !s_valid));

            always_ff @(posedge clk) begin
                if (rst) begin
                    s_ready_reg    <= 1'b0;
                    m_valid_reg    <= 1'b0;
                    temp_valid_reg <= 1'b0;
                end else begin
                    s_ready_reg <= s_ready_early;
                    if (s_ready_reg) begin
                        if (m_ready || !m_valid_reg) begin
                            // output free: input goes straight to the output register
                            m_valid_reg <= s_valid;
                        end else begin
                            // output stalled: park the input in temp
                            temp_valid_reg <= s_valid;
                        end
                    end else if (m_ready) begin
                        // input held off: drain temp into the output register
                        m_valid_reg    <= temp_valid_reg;
                        temp_valid_reg <= 1'b0;
                    end
                end
            end

            // data registers need no reset: valid says whether they mean anything
            always_ff @(posedge clk) begin
                if (s_ready_reg) begin
                    if (m_ready || !m_valid_reg) begin
                        m_data_reg <= s_data;
                    end else begin
                        temp_data_reg <= s_data;
                    end
                end else if (m_ready) begin
                    m_data_reg <= temp_data_reg;
                end
            end
        end else begin : g_simple
            // s_ready_reg is high exactly while the output is empty (after the reset cycle):
            // a beat taken goes straight to the output, which then holds it until m_ready
            logic m_valid_next;
            assign m_valid_next = s_ready_reg ? s_valid : m_valid_reg && !m_ready;

            always_ff @(posedge clk) begin
                if (rst) begin
                    s_ready_reg <= 1'b0;
                    m_valid_reg <= 1'b0;
                end else begin
                    s_ready_reg <= !m_valid_next;
                    m_valid_reg <= m_valid_next;
                end
            end
            assign temp_valid_reg = 1'b0;

            // no reset (valid says whether it means anything); no m_ready in the enable
            always_ff @(posedge clk) begin
                if (s_ready_reg) m_data_reg <= s_data;
            end
        end
    endgenerate

`ifndef SYNTHESIS
    // assertions (Verilator --assert in every test build, Icarus): the output holds still
    // while stalled; the skid register is only filled when ready has already dropped
    // (REG_TYPE 1: ready only with the output empty); valid is never X (4-state)
    logic                  a_stall;
    logic [DATA_WIDTH-1:0] a_data;
    always @(posedge clk) begin
        a_stall <= !rst && m_valid && !m_ready;
        a_data  <= m_data;
        if (!rst) begin
            assert (!$isunknown(m_valid) && !$isunknown(s_ready)) else $error("dsr_skid: X on valid/ready");
            if (a_stall) assert (m_valid && m_data === a_data) else $error("dsr_skid: output changed while stalled");
            assert (!(temp_valid_reg && s_ready_reg)) else $error("dsr_skid: ready with the skid register full");
            if (REG_TYPE == 1) assert (!(m_valid_reg && s_ready_reg)) else $error("dsr_skid: ready with the output full (REG_TYPE 1)");
        end
    end
`endif

endmodule

`default_nettype wire
