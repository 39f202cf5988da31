// dsr_subtract - the output pixel by mode: live, warped reference, or the difference.
//
//   SUBTRACT: out = clamp(midgrey + ((d * gain + 128) >>> 8), 0, 2^bits - 1),
//             d = live - ref' (signed, 17 bits), >>> is floor;
//   WARP:     out = min(ref', 2^bits - 1);
//   PASS, CAPTURE: out = live.
// live is already masked to the frame's depth; ref' is a 16-bit LUT entry.
//
// Six pipeline stages (difference, product as three: operands and product, the
// MULT18X18D's own registers (dsr_mul), then the product again; offset, clamp);
// s_ready = m_ready.
`default_nettype none

module dsr_subtract #(
    parameter int USER_WIDTH = 1
) (
    input  logic                  clk,
    input  logic                  rst,

    input  logic                  s_valid,
    output logic                  s_ready,
    input  logic [15:0]           s_live,
    input  logic [15:0]           s_refp,
    input  logic [1:0]            s_mode,
    input  logic [15:0]           s_mask,     // 2^bits - 1
    input  logic [15:0]           s_gain,     // Q8.8
    input  logic [15:0]           s_midgrey,
    input  logic [USER_WIDTH-1:0] s_user,

    output logic                  m_valid,
    input  logic                  m_ready,
    output logic [15:0]           m_pixel,
    output logic [USER_WIDTH-1:0] m_user
);

    localparam int GF = dsr_pkg::DSR_GAIN_FRAC_BITS;
    localparam logic signed [33:0] GROUND = 34'sd1 <<< (GF - 1);

    assign s_ready = m_ready;

    // per-pixel context travelling through the four stages
    typedef struct packed {
        logic [1:0]            mode;
        logic [15:0]           mask;
        logic [15:0]           live;
        logic [15:0]           refp;
        logic [USER_WIDTH-1:0] user;
    } ctx_t;

    logic [5:0]          v;
    ctx_t                c1, c1_m, c1_p, c2, c3;
    logic [15:0]         gain1;
    logic signed [16:0]  d1;
    logic signed [33:0]  prod2, prod2_p;
    logic [15:0]         mid1, mid1_m, mid1_p, mid2;
    logic signed [33:0]  sum3;

    logic signed [33:0] scaled;
    assign scaled = (prod2 + GROUND) >>> GF;

    always_ff @(posedge clk) begin
        if (rst) begin
            v <= '0;
        end else if (m_ready) begin
            v <= {v[4:0], s_valid};
        end
    end

    // stage 2a operands, 2b product: d (signed) times the gain (unsigned Q8.8)
    dsr_mul #(.A_WIDTH(17), .A_SIGNED(1'b1), .B_WIDTH(16), .P_WIDTH(34)) mul_gain (
        .clk, .ce(m_ready), .a(d1), .b(gain1), .p(prod2_p)
    );

    always_ff @(posedge clk) begin
        if (m_ready) begin
            // stage 1: signed difference
            c1.mode    <= s_mode;
            c1.mask    <= s_mask;
            mid1       <= s_midgrey;
            c1.live    <= s_live;
            c1.refp    <= s_refp;
            c1.user    <= s_user;
            d1    <= $signed({1'b0, s_live}) - $signed({1'b0, s_refp});
            gain1 <= s_gain;
            // stage 2: times the gain (2a, 2b: the product; 2c)
            c1_m    <= c1;
            mid1_m  <= mid1;
            c1_p    <= c1_m;
            mid1_p  <= mid1_m;
            c2      <= c1_p;
            mid2    <= mid1_p;
            prod2   <= prod2_p;
            // stage 3: round, back to integer, add midgrey
            c3    <= c2;
            sum3  <= scaled + $signed({18'd0, mid2});
            // stage 4: clamp and pick by mode
            m_user <= c3.user;
            case (c3.mode)
                dsr_pkg::DSR_MODE_SUBTRACT[1:0]: begin
                    if (sum3 < 0) begin
                        m_pixel <= 16'd0;
                    end else if (sum3 > $signed({18'd0, c3.mask})) begin
                        m_pixel <= c3.mask;
                    end else begin
                        m_pixel <= sum3[15:0];
                    end
                end
                dsr_pkg::DSR_MODE_WARP[1:0]: begin
                    m_pixel <= c3.refp < c3.mask ? c3.refp : c3.mask;
                end
                default: begin
                    m_pixel <= c3.live;
                end
            endcase
        end
    end

    assign m_valid = v[5];

endmodule

`default_nettype wire
