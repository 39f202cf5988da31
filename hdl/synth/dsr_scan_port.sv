// dsr_scan_port - one clock domain's registered boundary for an out-of-context synthesis top
// (dsr_store_synth): IN_W inputs shifted in through a scan chain (si), OUT_W outputs
// captured a cycle late and shifted out (so, parallel load on cap), the reset registered.
// Every port of the design under test then starts or ends at a flip-flop of its own domain,
// and every output bit stays observable (nothing optimised away) with one LUT level per bit.
`default_nettype none

module dsr_scan_port #(
    parameter int IN_W  = 8,
    parameter int OUT_W = 8
) (
    input  logic             clk,
    input  logic             rst,
    input  logic             si,
    input  logic             cap,
    output logic             so,
    output logic             rst_q,
    output logic [IN_W-1:0]  dut_in,
    input  logic [OUT_W-1:0] dut_out
);
    logic [OUT_W-1:0] out_q, sr;

    always_ff @(posedge clk) begin
        rst_q  <= rst;
        dut_in <= {dut_in[IN_W-2:0], si};
        out_q  <= dut_out;
        sr     <= cap ? out_q : {1'b0, sr[OUT_W-1:1]};
    end
    assign so = sr[0];
endmodule

`default_nettype wire
