// fv_skid - formal harness for dsr_skid: valid/ready rules, order, no loss, no duplication.
//
// Data independence: the skid never looks at its data, so numbering the beats (each
// accepted input carries its sequence number) proves order, loss and duplication for
// any data. The producer is free (valid may drop without a handshake); the consumer's
// ready is free. REG_TYPE as dsr_skid's (skid.sby proves both: 2, the skid buffer, holds
// up to two beats; 1, the half-rate slice, one).
`default_nettype none

module fv_skid #(
    parameter int REG_TYPE = 2
) (
    input logic       clk,
    input logic       s_valid,
    input logic       m_ready
);
    localparam int W = 4;

    logic         rst;
    logic [W-1:0] s_data, m_data;
    logic         s_ready, m_valid;

    dsr_skid #(.DATA_WIDTH(W), .REG_TYPE(REG_TYPE)) dut (
        .clk, .rst, .s_data, .s_valid, .s_ready, .m_data, .m_valid, .m_ready
    );

    // reset in the first cycle only
    logic init = 1'b1;
    always_ff @(posedge clk) init <= 1'b0;
    assign rst = init;

    logic [W-1:0] n_in, n_out;     // beats accepted / delivered
    always_ff @(posedge clk) begin
        if (rst) begin
            n_in  <= '0;
            n_out <= '0;
        end else begin
            if (s_valid && s_ready) n_in <= n_in + 1'b1;
            if (m_valid && m_ready) n_out <= n_out + 1'b1;
        end
    end
    assign s_data = n_in;

    logic [W-1:0] held;
    assign held = n_in - n_out;

    always_ff @(posedge clk) begin
        if (!init) begin
            // order, no loss, no duplication: the next beat out is the oldest one in
            if (m_valid) assert (m_data == n_out);
            // never more than the registers (two, or one for REG_TYPE 1), never a beat
            // out of nothing
            assert (held <= REG_TYPE);
            assert (m_valid == (held != 0));
            // room for the beat ready promises: not ready when every register is full
            if (held == REG_TYPE) assert (!s_ready);
            // output stable while stalled
            if (!$past(init) && $past(m_valid && !m_ready)) begin
                assert (m_valid);
                assert (m_data == $past(m_data));
            end
        end
    end

    // interesting cases: full, drain from temp, back-to-back throughput (REG_TYPE 1: a
    // stall, and a beat every second clock)
    always_ff @(posedge clk) begin
        if (!init) begin
            if (REG_TYPE == 2) begin
                cover (held == 2);
                cover (!$past(init) && $past(held == 2) && m_valid && m_ready && s_ready);
                cover (!$past(init) && $past(s_valid && s_ready && m_valid && m_ready) && s_valid && s_ready && m_valid && m_ready);
            end else begin
                cover (!$past(init) && $past(m_valid && !m_ready) && m_valid && m_ready);
                cover (!$past(init, 2) && $past(s_valid && s_ready, 2) && $past(m_valid && m_ready)
                       && s_valid && s_ready && n_in == 4'd2);
            end
        end
    end
endmodule

`default_nettype wire
