// dsr_bilinear - bilinear interpolation of the 2x2 reference neighbourhood.
//
// Exactly the model's arithmetic, with no intermediate rounding:
//   top = p00*(256-fx) + p10*fx;  bot = p01*(256-fx) + p11*fx
//   ref = (top*(256-fy) + bot*fy + 32768) >> 16
// The four bank words are first put in place by the parity selects from
// dsr_sample_addr, masked to the frame's pixel depth (a reference captured at a deeper
// setting is read at the current one) and forced to 0 when the frame has no reference.
//
// Six pipeline stages (bank words registered straight from the RAMs, select, 4
// products, 2 sums, 2 products, sum): no logic follows a block RAM output in the same
// cycle, and every multiply has registers on both sides so it maps onto a DSP block.
// s_ready = m_ready.
`default_nettype none

module dsr_bilinear #(
    parameter int USER_WIDTH = 1,
    parameter int DATA_WIDTH = 16
) (
    input  logic                    clk,
    input  logic                    rst,

    input  logic                    s_valid,
    output logic                    s_ready,
    input  logic [4*DATA_WIDTH-1:0] s_data,     // bank {y parity, x parity}
    input  logic [3:0]              s_sel,      // {y1, y0, x1, x0}
    input  logic [7:0]              s_fx,
    input  logic [7:0]              s_fy,
    input  logic [DATA_WIDTH-1:0]   s_mask,
    input  logic                    s_noref,
    input  logic [USER_WIDTH-1:0]   s_user,

    output logic                    m_valid,
    input  logic                    m_ready,
    output logic [DATA_WIDTH-1:0]   m_ref,
    output logic [USER_WIDTH-1:0]   m_user
);

    localparam int W1  = dsr_pkg::DSR_W_BITS + 1;         // weights 0..256
    localparam int P1B = DATA_WIDTH + W1;                 // p * w
    localparam int TB  = P1B;                             // top, bot
    localparam int P2B = DATA_WIDTH + 2 * dsr_pkg::DSR_W_BITS;   // top * w < 2^P2B
    localparam int SH  = 2 * dsr_pkg::DSR_W_BITS;
    localparam logic [W1-1:0] ONE = dsr_pkg::DSR_W_ONE[W1-1:0];
    localparam logic [P2B-1:0] HALF = 1 << (SH - 1);

    assign s_ready = m_ready;

    // one word of the neighbourhood from its bank
    function automatic logic [DATA_WIDTH-1:0] pick(input logic [4*DATA_WIDTH-1:0] d,
                                                   input logic yb, input logic xb);
        pick = d[{yb, xb} * DATA_WIDTH +: DATA_WIDTH];
    endfunction

    // stage r: the RAM outputs and their metadata, registered before any logic
    logic [4*DATA_WIDTH-1:0] r_data;
    logic [3:0]              r_sel;
    logic [7:0]              r_fx, r_fy;
    logic [DATA_WIDTH-1:0]   r_mask;
    logic                    r_noref;
    logic [USER_WIDTH-1:0]   r_user;

    logic [DATA_WIDTH-1:0] keep;
    assign keep = r_noref ? '0 : r_mask;

    // stage registers
    logic [5:0]            v;
    logic [DATA_WIDTH-1:0] p00, p10, p01, p11;
    logic [W1-1:0]         wx0, wx1, wy0_1, wy1_1, wy0_2, wy1_2, wy0_3, wy1_3;
    logic [P1B-1:0]        m00, m10, m01, m11;
    logic [TB-1:0]         top, bot;
    logic [P2B-1:0]        mt, mb;
    logic [USER_WIDTH-1:0] u0, u1, u2, u3;

    // the final sum stays below 2^(DATA_WIDTH+16): neighbours are at most the mask, so
    // top, bot <= mask * 256 and mt + mb <= mask * 65536
    logic [DATA_WIDTH-1:0] ref_n;
    logic [SH-1:0]         unused_frac;
    assign {ref_n, unused_frac} = mt + mb + HALF;

    always_ff @(posedge clk) begin
        if (rst) begin
            v <= '0;
        end else if (m_ready) begin
            v <= {v[4:0], s_valid};
        end
    end

    always_ff @(posedge clk) begin
        if (m_ready) begin
            // stage r: as read
            r_data  <= s_data;
            r_sel   <= s_sel;
            r_fx    <= s_fx;
            r_fy    <= s_fy;
            r_mask  <= s_mask;
            r_noref <= s_noref;
            r_user  <= s_user;
            // stage 0: the neighbourhood in place
            p00 <= pick(r_data, r_sel[2], r_sel[0]) & keep;
            p10 <= pick(r_data, r_sel[2], r_sel[1]) & keep;
            p01 <= pick(r_data, r_sel[3], r_sel[0]) & keep;
            p11 <= pick(r_data, r_sel[3], r_sel[1]) & keep;
            wx0   <= ONE - {1'b0, r_fx};
            wx1   <= {1'b0, r_fx};
            wy0_1 <= ONE - {1'b0, r_fy};
            wy1_1 <= {1'b0, r_fy};
            u0  <= r_user;
            // stage 1: horizontal products
            m00   <= p00 * wx0;
            m10   <= p10 * wx1;
            m01   <= p01 * wx0;
            m11   <= p11 * wx1;
            wy0_2 <= wy0_1;
            wy1_2 <= wy1_1;
            u1  <= u0;
            // stage 2: top and bottom rows
            top   <= m00 + m10;
            bot   <= m01 + m11;
            wy0_3 <= wy0_2;
            wy1_3 <= wy1_2;
            u2  <= u1;
            // stage 3: vertical products
            mt  <= top * wy0_3;
            mb  <= bot * wy1_3;
            u3  <= u2;
            // stage 4: sum, round once
            m_ref  <= ref_n;
            m_user <= u3;
        end
    end

    assign m_valid = v[5];

endmodule

`default_nettype wire
