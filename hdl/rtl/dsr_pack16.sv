// dsr_pack16 - dsr_top's 16-bit output words into 32-bit FX3 words, low half first.
//
// A frame with an odd number of 16-bit words (odd width x height) ends with a word whose
// high half is 0; the FX3 firmware commits that buffer with the frame's exact byte count
// (80 + 2 * width * height, from the header), so the host never sees the pad.
// Registered output (m_valid/m_data from flops); s_ready = !m_valid || m_ready.
`default_nettype none

module dsr_pack16 (
    input  logic        clk,
    input  logic        rst,

    input  logic [15:0] s_data,
    input  logic        s_last,
    input  logic        s_valid,
    output logic        s_ready,

    output logic [31:0] m_data,
    output logic        m_last,
    output logic        m_valid,
    input  logic        m_ready
);

    logic        have_low;      // the low half of the next word is held
    logic [15:0] low;

    assign s_ready = !m_valid || m_ready;

    always_ff @(posedge clk) begin
        if (rst) begin
            have_low <= 1'b0;
            m_valid  <= 1'b0;
        end else begin
            if (m_valid && m_ready) begin
                m_valid <= 1'b0;
            end
            if (s_valid && s_ready) begin
                if (have_low) begin
                    m_data   <= {s_data, low};
                    m_last   <= s_last;
                    m_valid  <= 1'b1;
                    have_low <= 1'b0;
                end else if (s_last) begin
                    m_data   <= {16'd0, s_data};
                    m_last   <= 1'b1;
                    m_valid  <= 1'b1;
                end else begin
                    low      <= s_data;
                    have_low <= 1'b1;
                end
            end
        end
    end

endmodule

`default_nettype wire
