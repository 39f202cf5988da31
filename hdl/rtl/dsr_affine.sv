// dsr_affine - the coordinate generator: reference position (u, v) of each live pixel.
//
// Incremental, exactly as the C model: at the frame start both accumulators are
// (t << 8) + DSR_ACC_ROUND; each pixel adds a11 / a21 to the running value; after the
// last pixel of a line the row accumulators advance by a12 / a22 and the next line
// starts from them. Integer adds on DSR_ACC_BITS (48) bits, so no rounding ever
// accumulates. The parameters are the active set, stable for the frame in progress.
//
// Out go the accumulators without their low 16 bits: integer part (floor) and the
// 8-bit bilinear weight, i.e. the position rounded to 1/256 pixel.
//
// One pipeline stage; s_ready = m_ready (a stall freezes it). s_user is carried along.
`default_nettype none

module dsr_affine #(
    parameter int USER_WIDTH = 1,
    parameter int ACC_BITS   = dsr_pkg::DSR_ACC_BITS,
    parameter int POS_BITS   = ACC_BITS - dsr_pkg::DSR_A_FRAC_BITS + dsr_pkg::DSR_W_BITS
) (
    input  logic                  clk,
    input  logic                  rst,

    input  logic                  s_valid,
    output logic                  s_ready,
    input  logic                  s_sof,     // first pixel of a frame
    input  logic                  s_eol,     // last pixel of a line
    input  logic [USER_WIDTH-1:0] s_user,

    input  logic [31:0]           a11,
    input  logic [31:0]           a12,
    input  logic [31:0]           a21,
    input  logic [31:0]           a22,
    input  logic [31:0]           tx,
    input  logic [31:0]           ty,

    output logic                  m_valid,
    input  logic                  m_ready,
    // sample position: the accumulator's integer part and 8-bit weight (bits 47..16)
    output logic [POS_BITS-1:0]   m_pos_u,
    output logic [POS_BITS-1:0]   m_pos_v,
    output logic [USER_WIDTH-1:0] m_user
);

    localparam int TSHIFT = dsr_pkg::DSR_A_FRAC_BITS - dsr_pkg::DSR_T_FRAC_BITS;
    localparam logic [ACC_BITS-1:0] ROUND = ACC_BITS'(dsr_pkg::DSR_ACC_ROUND);

    // sign-extend a Q8.24 coefficient to the accumulator width
    function automatic logic [ACC_BITS-1:0] widen(input logic [31:0] v);
        widen = {{(ACC_BITS - 32){v[31]}}, v};
    endfunction

    // accumulator start value from a Q16.16 translation
    function automatic logic [ACC_BITS-1:0] start_of(input logic [31:0] t);
        start_of = {{(ACC_BITS - 32 - TSHIFT){t[31]}}, t, {TSHIFT{1'b0}}}
                 + ROUND;
    endfunction

    logic [ACC_BITS-1:0] row_u, row_v;   // accumulators at the start of this line
    logic [ACC_BITS-1:0] run_u, run_v;   // accumulators at the next pixel

    logic [ACC_BITS-1:0] cur_u, cur_v, cur_row_u, cur_row_v;
    assign cur_u     = s_sof ? start_of(tx) : run_u;
    assign cur_v     = s_sof ? start_of(ty) : run_v;
    assign cur_row_u = s_sof ? start_of(tx) : row_u;
    assign cur_row_v = s_sof ? start_of(ty) : row_v;

    assign s_ready = m_ready;

    always_ff @(posedge clk) begin
        if (rst) begin
            m_valid <= 1'b0;
            row_u   <= '0;
            row_v   <= '0;
            run_u   <= '0;
            run_v   <= '0;
        end else if (m_ready) begin
            m_valid <= s_valid;
            if (s_valid) begin
                if (s_eol) begin
                    row_u <= cur_row_u + widen(a12);
                    row_v <= cur_row_v + widen(a22);
                    run_u <= cur_row_u + widen(a12);
                    run_v <= cur_row_v + widen(a22);
                end else begin
                    if (s_sof) begin
                        row_u <= cur_row_u;
                        row_v <= cur_row_v;
                    end
                    run_u <= cur_u + widen(a11);
                    run_v <= cur_v + widen(a21);
                end
            end
        end
    end

    always_ff @(posedge clk) begin
        if (m_ready) begin
            // the bits below the weight only carry the rounding and are dropped here
            m_pos_u <= cur_u[ACC_BITS-1 -: POS_BITS];
            m_pos_v <= cur_v[ACC_BITS-1 -: POS_BITS];
            m_user  <= s_user;
        end
    end

endmodule

`default_nettype wire
