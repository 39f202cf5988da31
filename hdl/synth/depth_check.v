// depth_check.v - a netlist with known LUT levels for synth/depth.py (make -C hdl depth-test).
// The chains are ECP5 cells placed by hand (keep), so Yosys cannot reshape them; the rest is
// RTL whose minimum depth is fixed. Expected (synth/depth_test.sh checks each):
//   c4    4 levels: r -> LUT4 -> LUT4 -> LUT4 -> LUT4 -> PFUMX (ALUT: 0) -> c4
//   c_sel 1 level:  r[12] -> PFUMX select C0 -> c_sel
//   c_and 2 levels: the AND of 16 flip-flops (two levels of LUT4 at best)
//   sum   the 8-bit add, a CCU2C chain: 1 level at its entry plus 0.125 per CCU2C after
//   b_q   clk_b: 1 level from its own flip-flop; the 3-level cone from clk_a's flip-flops
//         into b_x (a crossing) does not count in clk_b
module depth_check (
    input  wire        clk_a,
    input  wire        clk_b,
    input  wire [15:0] d,
    output reg         c4,
    output reg         c_sel,
    output reg         c_and,
    output reg  [8:0]  sum,
    output reg         b_q,
    output reg         b_x
);
    reg  [15:0] r;
    wire        l1, l2, l3, l4a, l4b, m4, ms;
    always @(posedge clk_a) r <= d;
    (* keep *) LUT4 #(.INIT(16'h6996)) u1 (.A(r[0]), .B(r[1]), .C(r[2]), .D(r[3]), .Z(l1));
    (* keep *) LUT4 #(.INIT(16'h6996)) u2 (.A(l1), .B(r[4]), .C(r[5]), .D(r[6]), .Z(l2));
    (* keep *) LUT4 #(.INIT(16'h6996)) u3 (.A(l2), .B(r[7]), .C(r[8]), .D(r[9]), .Z(l3));
    (* keep *) LUT4 #(.INIT(16'h6996)) u4a (.A(l3), .B(r[10]), .C(r[11]), .D(r[13]), .Z(l4a));
    (* keep *) LUT4 #(.INIT(16'h8000)) u4b (.A(r[0]), .B(r[5]), .C(r[10]), .D(r[15]), .Z(l4b));
    (* keep *) PFUMX u5 (.ALUT(l4a), .BLUT(l4b), .C0(r[12]), .Z(m4));
    (* keep *) PFUMX u6 (.ALUT(r[1]), .BLUT(r[2]), .C0(r[12]), .Z(ms));
    always @(posedge clk_a) begin
        c4    <= m4;
        c_sel <= ms;
        c_and <= &r;
        sum   <= r[7:0] + r[15:8];
    end
    reg b_r;
    always @(posedge clk_b) begin
        b_r <= d[0];
        b_q <= !b_r;
        b_x <= l3;
    end
endmodule
