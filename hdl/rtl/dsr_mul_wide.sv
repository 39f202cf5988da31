// dsr_mul_wide - one unsigned product a * b of up to 32 x 32 bits, as four dsr_mul (four
// MULT18X18D): a = ah * 2^16 + al, b = bh * 2^16 + bl, and
//   a * b = {ah*bh, al*bl} + (al*bh + ah*bl) << 16
// Five stages, all on the clock enable ce: operands and products (each dsr_mul's own two
// registers), the four products registered again next to the adders, the middle sum beside
// the concatenated high and low products, the 64-bit sum. So p is five enabled clocks
// after a and b, and no adder takes more than one 33-bit or one 64-bit carry chain.
`default_nettype none

module dsr_mul_wide #(
    parameter int A_WIDTH = 32,   // 17..32
    parameter int B_WIDTH = 32    // 17..32
) (
    input  logic                       clk,
    input  logic                       ce,
    input  logic [A_WIDTH-1:0]         a,
    input  logic [B_WIDTH-1:0]         b,
    output logic [A_WIDTH+B_WIDTH-1:0] p
);

    localparam int AH = A_WIDTH - 16;
    localparam int BH = B_WIDTH - 16;

    if (AH < 1 || AH > 16 || BH < 1 || BH > 16) begin : g_bad_width
`ifdef __ICARUS__
        initial $fatal(1, "dsr_mul_wide: %0d x %0d bits: each operand takes 17..32 bits",
                       A_WIDTH, B_WIDTH);
`else
        $error("dsr_mul_wide: %0d x %0d bits: each operand takes 17..32 bits",
               A_WIDTH, B_WIDTH);
`endif
    end

    // stages 1, 2: the four partial products, in the DSPs
    logic [31:0] ll_p, lh_p, hl_p, hh_p;
    dsr_mul #(.A_WIDTH(16), .B_WIDTH(16), .P_WIDTH(32)) mul_ll (
        .clk, .ce, .a(a[15:0]), .b(b[15:0]), .p(ll_p)
    );
    dsr_mul #(.A_WIDTH(16), .B_WIDTH(BH), .P_WIDTH(32)) mul_lh (
        .clk, .ce, .a(a[15:0]), .b(b[B_WIDTH-1:16]), .p(lh_p)
    );
    dsr_mul #(.A_WIDTH(AH), .B_WIDTH(16), .P_WIDTH(32)) mul_hl (
        .clk, .ce, .a(a[A_WIDTH-1:16]), .b(b[15:0]), .p(hl_p)
    );
    dsr_mul #(.A_WIDTH(AH), .B_WIDTH(BH), .P_WIDTH(32)) mul_hh (
        .clk, .ce, .a(a[A_WIDTH-1:16]), .b(b[B_WIDTH-1:16]), .p(hh_p)
    );

    logic [31:0] ll, lh, hl, hh;   // stage 3: the products next to the adders
    logic [32:0] mid;              // stage 4: the two cross products
    logic [63:0] lohi;             // stage 4: high and low products side by side
    /* verilator lint_off UNUSEDSIGNAL */
    logic [63:0] sum;              // stage 5 (bits above A_WIDTH + B_WIDTH are zero)
    /* verilator lint_on UNUSEDSIGNAL */

    always_ff @(posedge clk) begin
        if (ce) begin
            ll   <= ll_p;
            lh   <= lh_p;
            hl   <= hl_p;
            hh   <= hh_p;
            mid  <= 33'(lh) + 33'(hl);
            lohi <= {hh, ll};
            sum  <= lohi + {15'd0, mid, 16'd0};
        end
    end

    assign p = sum[A_WIDTH+B_WIDTH-1:0];

endmodule

`default_nettype wire
