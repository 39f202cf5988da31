// tb_dp16kd - ecp5_dp16kd.v (the DP16KD model of the post-synthesis run) against
// behavioural RAMs: dp16kd_dut as RTL beside synth_ecp5's netlist of it (dp16kd_net, its
// DP16KD cells simulated by the model), the same random stimulus into both, every output
// bit the RTL defines compared each cycle (4-state: X or Z from the netlist is a mismatch).
//
//   vvp tb_dp16kd.vvp [+seed=N] [+cycles=N]
//
// Addresses come mostly from a small pool so that reads meet earlier writes; the two
// ports never use the same address in a cycle (a collision is undefined in the hardware,
// X in the model). Mismatches print and fail; so does a run that compared too little.
`timescale 1ns / 1ps
`default_nettype none

module tb_dp16kd;

    logic         clk = 1'b0;
    logic         en_a = 1'b0, we_a = 1'b0, en_b = 1'b0, we_b = 1'b0;
    logic         oce_a = 1'b0, oce_b = 1'b0, rst_a = 1'b0, rst_b = 1'b0;
    logic [13:0]  addr_a = '0, addr_b = '0;
    logic [35:0]  wdata = '0;
    logic [17:0]  wdata_b = '0;
    logic [3:0]   be = '0;
    logic [2:0]   cs_a = '0, cs_b = '0;
    logic [519:0] q_rtl, q_net;

    dp16kd_dut rtl (
        .clk(clk), .en_a(en_a), .we_a(we_a), .addr_a(addr_a), .wdata(wdata), .be(be),
        .en_b(en_b), .we_b(we_b), .addr_b(addr_b), .wdata_b(wdata_b), .oce_a(oce_a),
        .oce_b(oce_b), .rst_a(rst_a), .rst_b(rst_b), .cs_a(cs_a), .cs_b(cs_b), .q(q_rtl)
    );
    dp16kd_net net (
        .clk(clk), .en_a(en_a), .we_a(we_a), .addr_a(addr_a), .wdata(wdata), .be(be),
        .en_b(en_b), .we_b(we_b), .addr_b(addr_b), .wdata_b(wdata_b), .oce_a(oce_a),
        .oce_b(oce_b), .rst_a(rst_a), .rst_b(rst_b), .cs_a(cs_a), .cs_b(cs_b), .q(q_net)
    );

    always #5 clk = !clk;

    logic [13:0] pool [0:63];
    int          seed = 1, cycles = 5000, errors = 0;
    longint      compared = 0;
    int          bit_errors [0:519];

    function automatic logic [13:0] pick();
        return $urandom_range(9, 0) == 0 ? 14'($urandom) : pool[$urandom_range(63, 0)];
    endfunction

    initial begin
        if (!$value$plusargs("seed=%d", seed)) seed = 1;
        if (!$value$plusargs("cycles=%d", cycles)) cycles = 5000;
        pool[0] = $urandom(seed);
        for (int i = 0; i < 64; i++) pool[i] = 14'($urandom);
        for (int b = 0; b < 520; b++) bit_errors[b] = 0;
        for (int c = 0; c < cycles; c++) begin
            @(negedge clk);
            // compare what the last rising edge produced, then drive the next cycle
            // ==? takes the RTL's X/Z bits as don't care; an X from the netlist where the
            // RTL is defined makes it X, not 1
            compared += $countones(~(q_rtl ^ q_rtl));
            if ((q_net ==? q_rtl) !== 1'b1) begin
                for (int b = 0; b < 520; b++) begin
                    if ((q_rtl[b] === 1'b0 || q_rtl[b] === 1'b1) && q_net[b] !== q_rtl[b]) begin
                        errors++;
                        bit_errors[b]++;
                        if (errors <= 10)
                            $display("tb_dp16kd: FAIL cycle %0d q[%0d]: netlist %b, RTL %b", c, b, q_net[b], q_rtl[b]);
                    end
                end
            end
            en_a    = $urandom_range(3, 0) != 0;
            we_a    = $urandom_range(4, 0) < 2;
            en_b    = $urandom_range(3, 0) != 0;
            we_b    = $urandom_range(4, 0) == 0;
            oce_a   = $urandom_range(3, 0) != 0;
            oce_b   = $urandom_range(3, 0) != 0;
            rst_a   = $urandom_range(40, 0) == 0;
            rst_b   = $urandom_range(40, 0) == 0;
            cs_a    = $urandom_range(7, 0) == 0 ? 3'($urandom) : 3'($urandom_range(5, 1));
            cs_b    = $urandom_range(7, 0) == 0 ? 3'($urandom) : 3'($urandom_range(5, 1));
            be      = 4'($urandom);
            wdata   = {4'($urandom), 32'($urandom)};
            wdata_b = 18'($urandom);
            addr_a  = pick();
            addr_b  = pick();
            if (addr_b[8:0] == addr_a[8:0]) addr_b[0] = !addr_b[0];
        end
        // which outputs (dp16kd_dut's q: the order of its last assignment)
        for (int b = 0; b < 520; b++)
            if (bit_errors[b] != 0) $display("tb_dp16kd: q[%0d]: %0d mismatches", b, bit_errors[b]);
        $display("tb_dp16kd: %0d cycles, %0d defined output bits compared, %0d mismatches: %s", cycles,
                 compared, errors, errors == 0 && compared > 64 * cycles ? "pass" : "FAIL");
        if (errors != 0 || compared <= 64 * cycles) $fatal(1, "tb_dp16kd: failed");
        $finish;
    end

endmodule

`default_nettype wire
