// dsr_projective_mul - the last step of dsr_projective: a numerator n (Q.24, 48-bit two's
// complement) times the reciprocal r (Q2.30, 31 bits), floor-divided by 2^30, plus the
// sampling rounding constant; out go bits 47..16 of the result (integer part, weight).
//
// n = n2 * 2^32 + n1 * 2^16 + n0 (n2 signed), r = rh * 2^16 + rl, c_i = n_i * rl and
// d_i = n_i * rh (six products of at most 17 x 17 bits, one MULT18X18D each):
//   n * r = {c2, c0} + ({d2, d0} + c1 + (d1 << 16)) << 16
// and the rounding constant enters as ROUND_P = DSR_ACC_ROUND << 30 before the floor.
// Only bits 77..46 of that 81-bit sum go out, and the low 16 bits of X = {c2, c0} + ROUND_P
// cannot carry into them, so the sum is formed as (X >>> 16) + Y with Y = {d2, d0} + c1 +
// (d1 << 16), out going bits 61..30: every term fits in 64 bits (|Y| < 2^62 + 2^49,
// |X| < 2^63), which Verilator keeps in machine words instead of multi-word arithmetic
// (the 81-bit form was a sixth of the simulated pipeline's instructions), and the adders
// are 64 bits instead of 81.
// Six stages, all on the clock enable @en: operands and products (each product a dsr_mul:
// its operand and product registers are the MULT18X18D's own), products registered again
// where the sums are, two partial sums, the sum.
`default_nettype none

module dsr_projective_mul #(
    parameter int          NB       = 48,     // only 48: the split below is fixed
    parameter int          POS_BITS = 32,     // only 32
    parameter logic [79:0] ROUND_P  = '0
) (
    input  logic                clk,
    input  logic                en,
    input  logic [NB-1:0]       n,
    input  logic [30:0]         r,
    output logic [POS_BITS-1:0] pos
);

    logic        [31:0] c0, c1, d0, d1;
    logic signed [31:0] c2, d2;
    logic signed [63:0] y16, ym17;
    logic signed [47:0] x17;    // x16 >>> 16
    logic        [47:0] m16;
    /* verilator lint_off UNUSEDSIGNAL */
    logic signed [63:0] x16;    // bits 15..0: below the floor
    logic signed [63:0] p18;    // bits 29..0: below the floor; 63..62: sign only
    /* verilator lint_on UNUSEDSIGNAL */

    assign p18 = {{16{x17[47]}}, x17} + ym17;

    logic        [31:0] c0_p, c1_p;
    logic        [30:0] d0_p, d1_p;    // 16 x 15 bits
    logic signed [31:0] c2_p, d2_p;

    // 15: six products (15a operands at the DSPs, 15b products); n2 signed
    dsr_mul #(.A_WIDTH(16), .B_WIDTH(16), .P_WIDTH(32)) mul_c0 (
        .clk, .ce(en), .a(n[15:0]), .b(r[15:0]), .p(c0_p)
    );
    dsr_mul #(.A_WIDTH(16), .B_WIDTH(16), .P_WIDTH(32)) mul_c1 (
        .clk, .ce(en), .a(n[31:16]), .b(r[15:0]), .p(c1_p)
    );
    dsr_mul #(.A_WIDTH(16), .A_SIGNED(1'b1), .B_WIDTH(16), .P_WIDTH(32)) mul_c2 (
        .clk, .ce(en), .a(n[47:32]), .b(r[15:0]), .p(c2_p)
    );
    dsr_mul #(.A_WIDTH(16), .B_WIDTH(15)) mul_d0 (
        .clk, .ce(en), .a(n[15:0]), .b(r[30:16]), .p(d0_p)
    );
    dsr_mul #(.A_WIDTH(16), .B_WIDTH(15)) mul_d1 (
        .clk, .ce(en), .a(n[31:16]), .b(r[30:16]), .p(d1_p)
    );
    dsr_mul #(.A_WIDTH(16), .A_SIGNED(1'b1), .B_WIDTH(15), .P_WIDTH(32)) mul_d2 (
        .clk, .ce(en), .a(n[47:32]), .b(r[30:16]), .p(d2_p)
    );

    always_ff @(posedge clk) begin
        if (en) begin
            // 15c: the products where the sums are
            c0   <= c0_p;
            c1   <= c1_p;
            c2   <= c2_p;
            d0   <= 32'(d0_p);
            d1   <= 32'(d1_p);
            d2   <= d2_p;
            // 16: what concatenates, and the middle sum
            x16 <= $signed({c2, c0}) + $signed(64'(ROUND_P));
            y16 <= $signed({d2, d0});
            m16 <= 48'(c1) + {d1[31:0], 16'd0};
            // 17
            ym17 <= y16 + $signed({16'd0, m16});
            x17  <= x16[63:16];
            // 18: bits 61..30 = the 81-bit sum's bits 77..46 = floor(n * r / 2^30) + ROUND,
            // bits 47..16
            pos  <= p18[61:30];
        end
    end

endmodule

`default_nettype wire
