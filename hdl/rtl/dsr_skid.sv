// dsr_skid - valid/ready register slice with a skid buffer.
//
// Breaks every combinational path through a stream: m_* are registers, and s_ready is
// a register too, so a consumer's ready never reaches the producer in the same cycle.
// Full throughput (one beat per clock) with a two-entry store; the second entry (temp)
// catches the beat that was already on its way when m_ready fell. The same structure as
// verilog-axis' axis_register with REG_TYPE = 2.
`default_nettype none

module dsr_skid #(
    parameter int DATA_WIDTH = 16
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
    logic [DATA_WIDTH-1:0] temp_data_reg;
    logic                  temp_valid_reg;
    logic                  s_ready_reg;

    // ready for the next cycle: the output drains now, or nothing would be left over
    logic s_ready_early;
    assign s_ready_early = m_ready || (!temp_valid_reg && (!m_valid_reg || !s_valid));

    assign s_ready = s_ready_reg;
    assign m_data  = m_data_reg;
    assign m_valid = m_valid_reg;

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

`ifndef SYNTHESIS
    // assertions (Verilator --assert in every test build, Icarus): the output holds still
    // while stalled; the skid register is only filled when ready has already dropped;
    // valid is never X (4-state)
    logic                  a_stall;
    logic [DATA_WIDTH-1:0] a_data;
    always @(posedge clk) begin
        a_stall <= !rst && m_valid && !m_ready;
        a_data  <= m_data;
        if (!rst) begin
            assert (!$isunknown(m_valid) && !$isunknown(s_ready)) else $error("dsr_skid: X on valid/ready");
            if (a_stall) assert (m_valid && m_data === a_data) else $error("dsr_skid: output changed while stalled");
            assert (!(temp_valid_reg && s_ready_reg)) else $error("dsr_skid: ready with the skid register full");
        end
    end
`endif

endmodule

`default_nettype wire
