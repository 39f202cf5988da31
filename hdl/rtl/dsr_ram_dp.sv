// dsr_ram_dp - dual-port block RAM: port A reads or writes, port B reads.
//
// One depth slice of a LUT bank (dsr_lut): port A belongs to the register file (LUT_DATA
// writes and read back), port B to the pixel pipeline, so a register access never
// disturbs a pixel.
// Both read ports are registered with an enable (a_en, b_en). OUT_REG = 1 adds a second
// register behind each, enabled by a_oce / b_oce (one more cycle of latency): on the
// ECP5 (DSR_ECP5, set by hdl/synth's scripts only) that register is the DP16KD's own
// output register (REGMODE "OUTREG", dsr_dp16kd_array), so the block RAM's 5.8 ns clock-to-out (-6) ends
// in the EBR and the fabric sees a register's; Yosys never infers it, so there the RAM
// is DP16KD instantiated. Everywhere else (Verilator, formal, other FPGAs) the same
// behaviour in plain RTL; tests/hdl's postsynth run checks that both are the same at gate
// level (tests/hdl/ecp5_dp16kd.v models the DP16KD).
`default_nettype none

module dsr_ram_dp #(
    parameter int DATA_WIDTH = 16,
    parameter int ADDR_WIDTH = 10,
    parameter bit OUT_REG    = 1'b0
) (
    input  logic                  clk,

    input  logic                  a_en,
    input  logic                  a_we,
    input  logic [ADDR_WIDTH-1:0] a_addr,
    input  logic [DATA_WIDTH-1:0] a_wdata,
    input  logic                  a_oce,
    output logic [DATA_WIDTH-1:0] a_rdata,

    input  logic                  b_en,
    input  logic [ADDR_WIDTH-1:0] b_addr,
    input  logic                  b_oce,
    output logic [DATA_WIDTH-1:0] b_rdata
);

`ifdef DSR_ECP5
    if (OUT_REG) begin : g_ebr
        // port A read-before-write, as the RTL below; port B only reads
        dsr_dp16kd_array #(
            .DATA_WIDTH(DATA_WIDTH), .ADDR_WIDTH(ADDR_WIDTH)
        ) ram (
            .clk(clk),
            .a_ce(a_en), .a_we(a_we), .a_addr(a_addr), .a_wdata(a_wdata), .a_oce(a_oce), .a_rdata(a_rdata),
            .b_ce(b_en), .b_we(1'b0), .b_addr(b_addr), .b_wdata('0), .b_oce(b_oce), .b_rdata(b_rdata)
        );
    end else begin : g_rtl
`endif

    // no_rw_check: a collision is never used. Port A's read during its own write is not
    // looked at (the register file only returns reads), and port B never reads the bank
    // that port A writes (LUT writes go to the shadow bank and wait while pixels of it are
    // in flight; the pipeline's read of the other bank is discarded). Yosys then maps the
    // EBR without a collision-emulation mux, and a 2^14 x 16 slice takes 16 EBR, not 32.
    (* no_rw_check *) logic [DATA_WIDTH-1:0] mem [0:(2**ADDR_WIDTH)-1];
    logic [DATA_WIDTH-1:0] a_q, b_q;

    always_ff @(posedge clk) begin
        if (a_en) begin
            if (a_we) begin
                mem[a_addr] <= a_wdata;
            end
            a_q <= mem[a_addr];
        end
    end

    always_ff @(posedge clk) begin
        if (b_en) begin
            b_q <= mem[b_addr];
        end
    end

    if (OUT_REG) begin : g_out
        always_ff @(posedge clk) begin
            if (a_oce) a_rdata <= a_q;
            if (b_oce) b_rdata <= b_q;
        end
    end else begin : g_noout
        assign a_rdata = a_q;
        assign b_rdata = b_q;
        logic unused_oce;
        assign unused_oce = ^{a_oce, b_oce};
    end

`ifdef DSR_ECP5
    end
`endif

endmodule

`default_nettype wire
