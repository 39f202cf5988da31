// dsr_crc32_step - the frame payload's CRC-32 (IEEE 802.3, reflected) one little-endian
// 16-bit word further: bit 0 of the low byte first, as dsr_crc32() in the C model (start
// at 0xffffffff, the CRC is the complement of the end value). Combinational.
//
// The CRC is linear: the 16 bit steps on (crc, d) are 16 steps without data on
// v = crc ^ d, i.e. (v >> 16) ^ T(v[15:0]), and T is the XOR of four 16-entry tables, one
// per nibble of v (computed from CRC_POLY at elaboration). In hardware a table read is one
// LUT level per output bit, so the step is about three levels (the bit loop mapped to
// twice that); in simulation four table reads instead of 16 steps.
// Table j = 16 k + n: 16 steps on n << 4k (one function, no calls and no variable
// part-select: Icarus 11 takes only that as a constant function). n is j % 16, not
// 32'(j[3:0]): Yosys 0.70 sign-extends that cast of a part-select of the int j, so the
// netlist's tables 8-15 of each nibble were wrong (postsynth's CRC words).
// tests/hdl postsynth checks the synthesised CRC against the model.
`default_nettype none

module dsr_crc32_step (
    input  logic [31:0] crc,
    input  logic [15:0] data,
    output logic [31:0] next
);

    localparam logic [31:0] CRC_POLY = 32'hedb88320;

    function automatic logic [64*32-1:0] crc_tables();
        logic [64*32-1:0] t;
        logic [31:0]      v;
        t = '0;
        for (int j = 0; j < 64; j++) begin
            v = 32'(j % 16) << (4 * (j / 16));
            for (int i = 0; i < 16; i++) begin
                v = (v >> 1) ^ (v[0] ? CRC_POLY : 32'd0);
            end
            t = {v, t[64*32-1:32]};
        end
        crc_tables = t;
    endfunction

    localparam logic [64*32-1:0] CRC_TAB = crc_tables();

    logic [31:0] v;
    assign v    = crc ^ {16'd0, data};
    assign next = {16'd0, v[31:16]} ^ CRC_TAB[{2'd0, v[3:0]} * 32 +: 32]
                ^ CRC_TAB[{2'd1, v[7:4]} * 32 +: 32] ^ CRC_TAB[{2'd2, v[11:8]} * 32 +: 32]
                ^ CRC_TAB[{2'd3, v[15:12]} * 32 +: 32];

endmodule

`default_nettype wire
