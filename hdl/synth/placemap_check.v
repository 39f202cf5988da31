// placemap_check.v - a small design for synth/placemap_test.sh: two blocks whose
// flip-flop counts are known (u_cnt: a 16-bit counter, u_sh: a 24-bit shift register).
module pm_counter (input wire clk, output reg [15:0] q);
    always @(posedge clk) q <= q + 16'd1;
endmodule

module pm_shift (input wire clk, input wire d, output reg [23:0] q);
    always @(posedge clk) q <= {q[22:0], d};
endmodule

// (the blocks' outputs stay inside, so their nets keep the instance names)
module placemap_check (input wire clk, input wire d, output reg p, output reg s);
    wire [15:0] c;
    wire [23:0] sq;
    pm_counter u_cnt (.clk(clk), .q(c));
    pm_shift u_sh (.clk(clk), .d(d ^ c[15]), .q(sq));
    always @(posedge clk) begin
        p <= ^c;
        s <= ^sq;
    end
endmodule
