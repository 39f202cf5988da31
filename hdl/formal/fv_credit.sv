// fv_credit - formal harness for dsr_credit: the count is the items taken and not given
// back, ok is exactly "room for one more" (used < DEPTH) and a flip-flop, used never
// exceeds DEPTH. The user takes only with ok (as dsr_top's input handshake) and gives back
// only what it took (a FIFO pops only what was pushed); both are otherwise free.
`default_nettype none

module fv_credit #(
    parameter int DEPTH = 5
) (
    input logic clk,
    input logic take,
    input logic give
);
    localparam int CB = $clog2(DEPTH) + 1;

    logic          rst, ok;
    logic [CB-1:0] used;

    dsr_credit #(.DEPTH(DEPTH)) dut (.clk, .rst, .take, .give, .ok, .used);

    // reset in the first cycle only
    logic init = 1'b1;
    always_ff @(posedge clk) init <= 1'b0;
    assign rst = init;

    // the items really in flight, counted here
    logic [CB+1:0] n;
    always_ff @(posedge clk) begin
        if (rst) n <= '0;
        else     n <= n + (CB+2)'(take) - (CB+2)'(give);
    end

    always_comb begin
        if (!init) begin
            assume (!take || ok);
            assume (!give || n != 0);
        end
    end

    always_ff @(posedge clk) begin
        if (!init) begin
            assert ((CB+2)'(used) == n);
            assert (used <= DEPTH[CB-1:0]);
            assert (ok == (used < DEPTH[CB-1:0]));
        end
    end

    // every count reached, full and back to room
    always_ff @(posedge clk) begin
        if (!init) begin
            cover (used == DEPTH[CB-1:0]);
            cover (!init && $past(used == DEPTH[CB-1:0]) && ok);
        end
    end
endmodule

`default_nettype wire
