// dsr_credit - registered credit counter for a free-running pipeline in front of a FIFO.
//
// Counts the items taken at a pipeline's input and not yet given back (popped from the
// FIFO at its end); ok says another item may be taken. ok is a flip-flop, so the input's
// handshake starts from a register beside it and from nothing downstream.
// Timing: used +/- 1 and the two room compares come from the registered count alone;
// take and give (a FIFO's pop, its empty compare) only select among them, no carry chain
// or compare after them. A give alone always leaves room, as used never exceeds DEPTH.
// Same count, same ok as used' = used + take - give, ok' = used' < DEPTH.
`default_nettype none

module dsr_credit #(
    parameter int DEPTH = 64   // items the FIFO holds
) (
    input  logic                   clk,
    input  logic                   rst,

    input  logic                   take,     // an item enters (only when ok)
    input  logic                   give,     // an item leaves the FIFO
    output logic                   ok,       // room for one more (registered)
    output logic [$clog2(DEPTH):0] used      // items in flight: 0..DEPTH
);

    localparam int CB = $clog2(DEPTH) + 1;

    logic room_inc, room_same;
    assign room_inc  = used < DEPTH[CB-1:0] - 1'b1;   // used + 1 < DEPTH
    assign room_same = used < DEPTH[CB-1:0];

    always_ff @(posedge clk) begin
        if (rst) begin
            used <= '0;
            ok   <= 1'b1;
        end else begin
            case ({take, give})
                2'b10: begin
                    used <= used + 1'b1;
                    ok   <= room_inc;
                end
                2'b01: begin
                    used <= used - 1'b1;
                    ok   <= 1'b1;                 // used <= DEPTH always
                end
                default: ok <= room_same;
            endcase
        end
    end

`ifndef SYNTHESIS
    // assertions (Verilator --assert in every test build, Icarus): never more in flight
    // than the FIFO holds, never a take without a credit
    always @(posedge clk) begin
        if (!rst) begin
            assert (used <= DEPTH[CB-1:0]) else $error("dsr_credit: more items in flight than credits");
            if (take) assert (ok) else $error("dsr_credit: item taken without a credit");
        end
    end
`endif

endmodule

`default_nettype wire
