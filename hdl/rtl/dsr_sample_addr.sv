// dsr_sample_addr - from a sample position to four frame store bank addresses.
//
// Border rule (edge replication, as the model): the neighbours ui and ui+1 are each
// clamped into [0, width-1]. Both always lie in the pair (cx, cx+1) with
// cx = clamp(ui, 0, max(width-2, 0)): off0 / off1 say which member of the pair each
// neighbour is (off = 0: cx, off = 1: cx+1), so
//   ui < 0: both cx;  0 <= ui <= width-2: cx, cx+1;  ui >= width-1: both cx+1;
//   width = 1: both cx = 0.
// The same in y. Column cx+off has parity cx[0]^off, so the 2x2 neighbourhood reads
// each of the four banks (x parity, y parity) at most once; the bank selects travel
// with the pixel and the bilinear stage puts the four words back in place.
// Bank b = {y parity, x parity} holds pixel (x, y) at {y >> 1, x >> 1}.
//
// In capture mode the pixel is written instead: bank {y[0], x[0]}. Writes leave this
// module at the same pipeline position as reads, so a frame captured after a warped one
// never overwrites pixels that frame has yet to read, and the next frame reads the
// complete new reference.
//
// Three pipeline stages (frame bounds, clamp, addresses), each loading only with a valid
// pixel into it (a bubble leaves the stage as it is); s_ready = m_ready.
`default_nettype none

module dsr_sample_addr #(
    parameter int USER_WIDTH = 1,
    parameter int POS_BITS   = 32,
    parameter int WB         = 11,
    parameter int HB         = 11,
    parameter int XB         = WB - 1,
    parameter int YB         = HB - 1,
    parameter int DATA_WIDTH = 16,
    parameter int AW         = XB + YB - 2     // bank address width
) (
    input  logic                  clk,
    input  logic                  rst,

    input  logic                  s_valid,
    output logic                  s_ready,
    input  logic [POS_BITS-1:0]   s_pos_u,
    input  logic [POS_BITS-1:0]   s_pos_v,
    input  logic [WB-1:0]         s_width,
    input  logic [HB-1:0]         s_height,
    input  logic                  s_capture,
    input  logic [XB-1:0]         s_x,
    input  logic [YB-1:0]         s_y,
    input  logic [DATA_WIDTH-1:0] s_live,
    input  logic [USER_WIDTH-1:0] s_user,

    output logic                  m_valid,
    input  logic                  m_ready,
    output logic [4*AW-1:0]       m_rd_addr,   // bank b at [b*AW +: AW]
    output logic [3:0]            m_sel,       // {y1, y0, x1, x0} parity of each neighbour
    output logic [7:0]            m_fx,
    output logic [7:0]            m_fy,
    output logic                  m_wr_en,
    output logic [1:0]            m_wr_bank,
    output logic [AW-1:0]         m_wr_addr,
    output logic [DATA_WIDTH-1:0] m_wr_data,
    output logic [USER_WIDTH-1:0] m_user
);

    localparam int IB = POS_BITS - dsr_pkg::DSR_W_BITS;   // integer part bits

    assign s_ready = m_ready;

    // ---- stage 0: the frame's bounds (width-1, width-2) next to the position
    logic                  s0_valid, s0_capture;
    logic [POS_BITS-1:0]   s0_pos_u, s0_pos_v;
    logic [WB-1:0]         wm1, wm2;
    logic [HB-1:0]         hm1, hm2;
    logic                  w_pair, h_pair;
    logic [XB-1:0]         s0_x;
    logic [YB-1:0]         s0_y;
    logic [DATA_WIDTH-1:0] s0_live;
    logic [USER_WIDTH-1:0] s0_user;

    always_ff @(posedge clk) begin
        if (rst) begin
            s0_valid <= 1'b0;
        end else if (m_ready) begin
            s0_valid <= s_valid;
        end
    end

    // each stage's registers load only with a valid pixel into the stage (a bubble leaves
    // them as they are; what leaves with m_valid low is the last valid pixel's)
    always_ff @(posedge clk) begin
        if (m_ready && s_valid) begin
            s0_pos_u   <= s_pos_u;
            s0_pos_v   <= s_pos_v;
            wm1        <= s_width - 1'b1;
            hm1        <= s_height - 1'b1;
            w_pair     <= s_width >= 2;
            h_pair     <= s_height >= 2;
            wm2        <= s_width >= 2 ? s_width - {{(WB - 2){1'b0}}, 2'd2} : '0;
            hm2        <= s_height >= 2 ? s_height - {{(HB - 2){1'b0}}, 2'd2} : '0;
            s0_capture <= s_capture;
            s0_x       <= s_x;
            s0_y       <= s_y;
            s0_live    <= s_live;
            s0_user    <= s_user;
        end
    end

    // ---- stage 1: clamp the pair origin, decide the two offsets per axis
    logic signed [IB-1:0] ui, vi;
    assign ui = s0_pos_u[POS_BITS-1 -: IB];
    assign vi = s0_pos_v[POS_BITS-1 -: IB];

    logic signed [IB-1:0] wm1_s, wm2_s, hm1_s, hm2_s;
    assign wm1_s = {{(IB - WB){1'b0}}, wm1};
    assign wm2_s = {{(IB - WB){1'b0}}, wm2};
    assign hm1_s = {{(IB - HB){1'b0}}, hm1};
    assign hm2_s = {{(IB - HB){1'b0}}, hm2};

    // the pair origin clamped to [0, size - 2] (a function: computed where it loads)
    function automatic logic [XB-1:0] clamp_x(input logic signed [IB-1:0] p);
        if (p < 0)           clamp_x = '0;
        else if (p > wm2_s)  clamp_x = wm2[XB-1:0];
        else                 clamp_x = p[XB-1:0];
    endfunction

    function automatic logic [YB-1:0] clamp_y(input logic signed [IB-1:0] p);
        if (p < 0)           clamp_y = '0;
        else if (p > hm2_s)  clamp_y = hm2[YB-1:0];
        else                 clamp_y = p[YB-1:0];
    endfunction

    logic                  s1_valid, s1_capture;
    logic [XB-1:0]         s1_cx, s1_x;
    logic [YB-1:0]         s1_cy, s1_y;
    logic                  s1_offx0, s1_offx1, s1_offy0, s1_offy1;
    logic [7:0]            s1_fx, s1_fy;
    logic [DATA_WIDTH-1:0] s1_live;
    logic [USER_WIDTH-1:0] s1_user;

    always_ff @(posedge clk) begin
        if (rst) begin
            s1_valid <= 1'b0;
        end else if (m_ready) begin
            s1_valid <= s0_valid;
        end
    end

    always_ff @(posedge clk) begin
        if (m_ready && s0_valid) begin
            s1_cx      <= clamp_x(ui);
            s1_cy      <= clamp_y(vi);
            s1_offx0   <= w_pair && ui >= wm1_s;
            s1_offx1   <= w_pair && ui >= 0;
            s1_offy0   <= h_pair && vi >= hm1_s;
            s1_offy1   <= h_pair && vi >= 0;
            s1_fx      <= s0_pos_u[7:0];
            s1_fy      <= s0_pos_v[7:0];
            s1_capture <= s0_capture;
            s1_x       <= s0_x;
            s1_y       <= s0_y;
            s1_live    <= s0_live;
            s1_user    <= s0_user;
        end
    end

    // ---- stage 2: bank addresses of the pair, parity selects, capture write
    logic [XB-2:0] col_even, col_odd;
    logic [YB-2:0] row_even, row_odd;
    // the even member of the pair is cx or cx+1: (cx + 1) >> 1 in bank coordinates
    assign col_even = s1_cx[XB-1:1] + {{(XB - 2){1'b0}}, s1_cx[0]};
    assign col_odd  = s1_cx[XB-1:1];
    assign row_even = s1_cy[YB-1:1] + {{(YB - 2){1'b0}}, s1_cy[0]};
    assign row_odd  = s1_cy[YB-1:1];

    always_ff @(posedge clk) begin
        if (rst) begin
            m_valid <= 1'b0;
            m_wr_en <= 1'b0;
        end else if (m_ready) begin
            m_valid <= s1_valid;
            m_wr_en <= s1_valid && s1_capture;
        end
    end

    always_ff @(posedge clk) begin
        if (m_ready && s1_valid) begin
            m_rd_addr[0*AW +: AW] <= {row_even, col_even};
            m_rd_addr[1*AW +: AW] <= {row_even, col_odd};
            m_rd_addr[2*AW +: AW] <= {row_odd, col_even};
            m_rd_addr[3*AW +: AW] <= {row_odd, col_odd};
            m_sel     <= {s1_cy[0] ^ s1_offy1, s1_cy[0] ^ s1_offy0,
                          s1_cx[0] ^ s1_offx1, s1_cx[0] ^ s1_offx0};
            m_fx      <= s1_fx;
            m_fy      <= s1_fy;
            m_wr_bank <= {s1_y[0], s1_x[0]};
            m_wr_addr <= {s1_y[YB-1:1], s1_x[XB-1:1]};
            m_wr_data <= s1_live;
            m_user    <= s1_user;
        end
    end

endmodule

`default_nettype wire
