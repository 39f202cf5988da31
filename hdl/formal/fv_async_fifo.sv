// fv_async_fifo - formal harness for dsr_async_fifo: two independent clocks, valid/ready
// rules, order, no loss, no duplication, capacity.
//
// Multiclock: s_clk and m_clk are free inputs sampled on the solver's global clock, so
// their edges interleave in every possible way (either may run any number of cycles
// while the other stands still). Inputs of each side change only right after an edge of
// their own clock (a synchronous producer / consumer). The synchronisers are ideal flops
// (no metastability model: the gray code makes a late or early sample a stale pointer,
// which the properties already allow for).
// Data independence: the FIFO never looks at its data, so numbering the words (each
// accepted word carries its sequence number, modulo 2^W > capacity) proves order, loss
// and duplication for any data. Reset: both sides together until each clock has had an
// edge in reset (the module's documented reset rule).
`default_nettype none

module fv_async_fifo #(
    parameter int ADDR_BITS = 2
) (
    input logic s_clk,
    input logic m_clk,
    input logic s_valid,
    input logic m_ready
);
    localparam int W   = ADDR_BITS + 1;          // 2^W > capacity 2^ADDR_BITS + 1
    localparam int CAP = (1 << ADDR_BITS) + 1;

    logic         rst;
    logic [W-1:0] s_data, m_data;
    logic         s_ready, m_valid;

    dsr_async_fifo #(.WIDTH(W), .ADDR_BITS(ADDR_BITS)) dut (
        .s_clk, .s_rst(rst), .s_data, .s_valid, .s_ready,
        .m_clk, .m_rst(rst), .m_data, .m_valid, .m_ready
    );

    // reset: from the start until both clocks have risen once in it
    logic s_seen = 1'b0, m_seen = 1'b0;
    always_ff @(posedge s_clk) s_seen <= 1'b1;
    always_ff @(posedge m_clk) m_seen <= 1'b1;
    assign rst = !(s_seen && m_seen);

    // inputs change only in the step in which their clock rose; a clock is high for one
    // step (a longer high phase adds nothing: the low phase, free in length, sets the
    // relative rates)
    always @($global_clock) begin
        if (!$rose(s_clk)) assume ($stable(s_valid));
        if (!$rose(m_clk)) assume ($stable(m_ready));
        if ($past(s_clk)) assume (!s_clk);
        if ($past(m_clk)) assume (!m_clk);
    end

    logic [W-1:0] n_in = '0, n_out = '0;   // words accepted / delivered
    always_ff @(posedge s_clk) if (!rst && s_valid && s_ready) n_in <= n_in + 1'b1;
    always_ff @(posedge m_clk) if (!rst && m_valid && m_ready) n_out <= n_out + 1'b1;
    assign s_data = n_in;

    logic [W-1:0] held;
    assign held = n_in - n_out;

    // the consumer's view at its last edge: stalled with a word (for stability)
    logic stalled = 1'b0;
    logic [W-1:0] stalled_data;
    always_ff @(posedge m_clk) begin
        stalled      <= !rst && m_valid && !m_ready;
        stalled_data <= m_data;
    end

    always @(*) begin
        if (!rst) begin
            // order, no loss, no duplication: the word offered is the oldest one not taken
            if (m_valid) assert (m_data == n_out);
            // never more than the capacity, never a word out of nothing
            assert (held <= CAP);
            if (m_valid) assert (held != 0);
            // not ready when full (a push would have overfilled it)
            if (held == CAP) assert (!s_ready);
            // output stable while stalled
            if (stalled) assert (m_valid && m_data == stalled_data);
        end
    end

    // interesting cases: full with the reader stopped, drained, words through both ways
    always @(*) begin
        if (!rst) begin
            cover (held == CAP);
            cover (held == CAP && m_valid && m_ready);
            cover (n_out == 3 && held == 0);
        end
    end
endmodule

`default_nettype wire
