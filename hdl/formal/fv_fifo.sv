// fv_fifo - formal harness for dsr_fifo: first-word fall-through, count/empty, order,
// no loss, no duplication; a write when full and a read when empty change nothing.
//
// Data independence: the FIFO never looks at its data, so each accepted write carries
// its sequence number and the head must always be the oldest number not yet read.
// Writes and reads are free inputs, including writes when full and reads when empty.
`default_nettype none

module fv_fifo #(
    parameter int DEPTH = 8
) (
    input logic clk,
    input logic wr_en,
    input logic rd_en
);
    localparam int W  = $clog2(DEPTH) + 2;   // numbers wrap well beyond the depth
    localparam int CW = $clog2(DEPTH) + 1;

    logic          rst;
    logic [W-1:0]  wr_data, rd_data;
    logic          empty;
    logic [CW-1:0] count;

    dsr_fifo #(.DATA_WIDTH(W), .DEPTH(DEPTH)) dut (
        .clk, .rst, .wr_en, .wr_data, .rd_en, .rd_data, .empty, .count
    );

    logic init = 1'b1;
    always_ff @(posedge clk) init <= 1'b0;
    assign rst = init;

    logic full, wr_ok, rd_ok;
    assign full  = count == DEPTH[CW-1:0];
    assign wr_ok = wr_en && !full;
    assign rd_ok = rd_en && !empty;

    logic [W-1:0] n_in, n_out;
    always_ff @(posedge clk) begin
        if (rst) begin
            n_in  <= '0;
            n_out <= '0;
        end else begin
            if (wr_ok) n_in <= n_in + 1'b1;
            if (rd_ok) n_out <= n_out + 1'b1;
        end
    end
    assign wr_data = n_in;

    logic [W-1:0] held;
    assign held = n_in - n_out;

    always_ff @(posedge clk) begin
        if (!init) begin
            assert (count <= DEPTH[CW-1:0]);
            assert ({{(W - CW){1'b0}}, count} == held);
            assert (empty == (count == '0));
            if (!empty) assert (rd_data == n_out);      // the head is the oldest entry
            if (!$past(init)) begin
                // a write when full or a read when empty is ignored
                if ($past(wr_en && count == DEPTH[CW-1:0] && !rd_en)) assert (count == $past(count));
                if ($past(rd_en && empty && !wr_en)) assert (empty);
                // full: a write is dropped even together with a read (the producer
                // reserves room ahead with count)
                if ($past(wr_en && full && rd_en)) assert (count == $past(count) - 1'b1);
                // the head only moves on a read
                if ($past(!rd_en && !empty)) assert (rd_data == $past(rd_data));
            end
        end
    end

    always_ff @(posedge clk) begin
        if (!init) begin
            cover (full);
            cover (!$past(init) && $past(full) && wr_en && rd_en);
            cover (!$past(init) && $past(empty && wr_en) && rd_ok);  // fall-through next cycle
            cover (n_out == '1 && held == 2);                        // numbers wrap
        end
    end
endmodule

`default_nettype wire
