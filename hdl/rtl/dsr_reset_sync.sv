// dsr_reset_sync - one clock domain's reset: asserted at once, released on a clk edge.
//
// The board reset (button) and "PLL not locked" are asynchronous to every domain. They
// assert rst immediately (asynchronously, so a domain whose clock has stopped is still held)
// and release it only after STAGES clean clk edges with the PLL locked, so every flop of the
// domain leaves reset on the same edge and none sees the release inside its aperture.
// rst is a register output: it fans out as an ordinary synchronous reset.
// COPIES > 1 makes the last stage that many flip-flops (kept apart), one per group of
// loads, so no single reset net spans the die: every copy is released on the same edge
// (timing: the routed board's pipe_clk path at ep27, seed 1, was the one pipe reset
// flip-flop at (95,86) -> 6.46 ns of routing -> dsr_cmd's write enables at (21,43)).
`default_nettype none

module dsr_reset_sync #(
    parameter int STAGES = 3,
    parameter int COPIES = 1
) (
    input  logic              clk,
    input  logic              arst,     // asynchronous request, active high
    input  logic              locked,   // PLL lock for the PLL that makes clk
    output logic [COPIES-1:0] rst       // synchronous to clk, active high
);

    (* ASYNC_REG = "TRUE", keep *) logic [STAGES-2:0] chain;
    (* keep *) logic [COPIES-1:0] last;
    logic hold;

    // the domain powers up in reset (ECP5: the flops' init value is their set value), so
    // nothing sees a random reset before the first clock edge or the hold arrives
    initial begin
        if (STAGES < 2) $fatal(1, "dsr_reset_sync: STAGES must be at least 2");
        if (COPIES < 1) $fatal(1, "dsr_reset_sync: COPIES must be at least 1");
        chain = '1;
        last  = '1;
    end

    assign hold = arst | ~locked;

    always_ff @(posedge clk or posedge hold) begin
        if (hold) begin
            chain <= '1;
            last  <= '1;
        end else begin
            chain <= (STAGES - 1)'({chain, 1'b0});
            last  <= {COPIES{chain[STAGES-2]}};
        end
    end

    assign rst = last;

endmodule

`default_nettype wire
