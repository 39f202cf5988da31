// dsr_sync_bit - two-flop synchroniser for one level signal entering clk's domain.
//
// Only for signals that are stable for several clk cycles or whose bits change one at a
// time (gray-coded pointers, one bit per instance). The first flop may go metastable; the
// second gives it a full period to settle. The attributes keep the pair together and out
// of retiming and SRL inference; RESET_VALUE is what the output reads while rst holds.
`default_nettype none

module dsr_sync_bit #(
    parameter bit RESET_VALUE = 1'b0,
    parameter int STAGES      = 2
) (
    input  logic clk,
    input  logic rst,
    input  logic d,      // from another clock domain
    output logic q
);

    (* ASYNC_REG = "TRUE", keep *) logic [STAGES-1:0] sync;

    initial begin
        if (STAGES < 2) $fatal(1, "dsr_sync_bit: STAGES must be at least 2");
    end

    always_ff @(posedge clk) begin
        if (rst) begin
            sync <= {STAGES{RESET_VALUE}};
        end else begin
            sync <= {sync[STAGES-2:0], d};
        end
    end

    assign q = sync[STAGES-1];

endmodule

`default_nettype wire
