// tb_mul - dsr_mul against a reference product, in both of its forms: built plain (the
// SystemVerilog registers) and with -DDSR_ECP5 (the MULT18X18D with its registers, run on
// ecp5_mult18x18d.v, the model the post-synthesis run uses). Random operands and a random
// clock enable for each signedness and width the pipeline uses, and the widest: after
// every clock, p must equal (4-state) the product of the operands taken two enabled
// clocks before. With -DBAD_PARAM it instantiates the primitive with a parameter value
// the model does not model, which must stop the run (make mul checks that it does).
`timescale 1ns / 1ps
`default_nettype none

module tb_mul;

    logic clk = 1'b0;
    always #5 clk = !clk;

    localparam int N = 8;
    // per case (case i at [i*8 +: 8] / bit i; Icarus 11 takes no unpacked parameters):
    // A_WIDTH, A_SIGNED, B_WIDTH, B_SIGNED, P_WIDTH
    localparam logic [N*8-1:0] AWS = {8'd9, 8'd18, 8'd18, 8'd18, 8'd17, 8'd16, 8'd16, 8'd16};
    localparam logic [N-1:0]   ASS = 8'b0110_1110;
    localparam logic [N*8-1:0] BWS = {8'd9, 8'd18, 8'd18, 8'd18, 8'd17, 8'd16, 8'd17, 8'd16};
    localparam logic [N-1:0]   BSS = 8'b0010_1110;
    localparam logic [N*8-1:0] PWS = {8'd18, 8'd36, 8'd36, 8'd36, 8'd34, 8'd32, 8'd32, 8'd32};

    logic [N-1:0] ok;
    logic [N-1:0] ce;
    int           errors = 0;

    for (genvar i = 0; i < N; i++) begin : g_case
        localparam int AW = int'(AWS[i*8 +: 8]);
        localparam int BW = int'(BWS[i*8 +: 8]);
        localparam int PW = int'(PWS[i*8 +: 8]);
        localparam bit AS = ASS[i];
        localparam bit BS = BSS[i];
        logic [AW-1:0] a, a_q;
        logic [BW-1:0] b, b_q;
        logic [PW-1:0] p, want;
        logic [1:0]       filled = 2'b00;    // enabled clocks so far (2: p is defined)

        dsr_mul #(.A_WIDTH(AW), .A_SIGNED(AS), .B_WIDTH(BW), .B_SIGNED(BS),
                  .P_WIDTH(PW)) dut (.clk, .ce(ce[i]), .a, .b, .p);

        // the reference: operands extended to 64 bits by their signedness, multiplied
        function automatic logic [63:0] ext_a(input logic [AW-1:0] v);
            ext_a = AS ? 64'($signed(v)) : 64'(v);
        endfunction
        function automatic logic [63:0] ext_b(input logic [BW-1:0] v);
            ext_b = BS ? 64'($signed(v)) : 64'(v);
        endfunction

        always @(posedge clk) begin
            if (ce[i]) begin
                a_q  <= a;
                b_q  <= b;
                want <= PW'(ext_a(a_q) * ext_b(b_q));
                if (filled != 2'b11) filled <= {filled[0], 1'b1};
            end
        end

        always @(negedge clk) begin
            if (filled == 2'b11 && p !== want) begin
                errors = errors + 1;
                if (errors < 10)
                    $display("ERROR: case %0d: %0d%s x %0d%s: got %h want %h", i, AW,
                             AS ? "s" : "u", BW, BS ? "s" : "u", p, want);
            end
            // new operands: random, or the extremes (-2^(w-1), 2^w - 1, 0) now and then
            case ($urandom % 8)
                0: a = {1'b1, {(AW - 1){1'b0}}};
                1: a = '1;
                2: a = '0;
                default: a = AW'($urandom);
            endcase
            case ($urandom % 8)
                0: b = {1'b1, {(BW - 1){1'b0}}};
                1: b = '1;
                2: b = '0;
                default: b = BW'($urandom);
            endcase
            ce[i] = ($urandom % 4) != 0;
        end
        assign ok[i] = filled == 2'b11;
    end

`ifdef BAD_PARAM
    // a value the model does not model: the run must stop at time 0
    MULT18X18D #(.REG_OUTPUT_CLK("CLK4")) bad (.CLK0(clk), .CE0(1'b1), .RST0(1'b0));
`endif

    initial begin
        repeat (20000) @(posedge clk);
        if (ok != '1) begin
            $display("ERROR: a case never had its clock enable twice");
            errors = errors + 1;
        end
        if (errors == 0) $display("tb_mul: %0d cases, 20000 clocks: pass", N);
        else $display("tb_mul: %0d errors: FAIL", errors);
        $finish;
    end

endmodule

`default_nettype wire
