// dsr_ram_dp - dual-port block RAM: port A reads or writes, port B reads.
//
// One depth slice of a LUT bank (dsr_lut): port A belongs to the register file (LUT_DATA
// writes and read back), port B to the pixel pipeline, so a register access never
// disturbs a pixel.
// Both read ports are registered with an enable.
`default_nettype none

module dsr_ram_dp #(
    parameter int DATA_WIDTH = 16,
    parameter int ADDR_WIDTH = 10
) (
    input  logic                  clk,

    input  logic                  a_en,
    input  logic                  a_we,
    input  logic [ADDR_WIDTH-1:0] a_addr,
    input  logic [DATA_WIDTH-1:0] a_wdata,
    output logic [DATA_WIDTH-1:0] a_rdata,

    input  logic                  b_en,
    input  logic [ADDR_WIDTH-1:0] b_addr,
    output logic [DATA_WIDTH-1:0] b_rdata
);

    // no_rw_check: a collision is never used. Port A's read during its own write is not
    // looked at (the register file only returns reads), and port B never reads the bank
    // that port A writes (LUT writes go to the shadow bank and wait while pixels of it are
    // in flight; the pipeline's read of the other bank is discarded). Yosys then maps the
    // EBR without a collision-emulation mux, and a 2^14 x 16 slice takes 16 EBR, not 32.
    (* no_rw_check *) logic [DATA_WIDTH-1:0] mem [0:(2**ADDR_WIDTH)-1];

    always_ff @(posedge clk) begin
        if (a_en) begin
            if (a_we) begin
                mem[a_addr] <= a_wdata;
            end
            a_rdata <= mem[a_addr];
        end
    end

    always_ff @(posedge clk) begin
        if (b_en) begin
            b_rdata <= mem[b_addr];
        end
    end

endmodule

`default_nettype wire
