// dsr_bilinear - bilinear interpolation of the 2x2 reference neighbourhood.
//
// Exactly the model's arithmetic, with no intermediate rounding:
//   top = p00*(256-fx) + p10*fx;  bot = p01*(256-fx) + p11*fx
//   ref = (top*(256-fy) + bot*fy + 32768) >> 16
// The four bank words are first put in place by the parity selects from
// dsr_sample_addr, masked to the frame's pixel depth (a reference captured at a deeper
// setting is read at the current one) and forced to 0 when the frame has no reference.
//
// Thirteen pipeline stages (bank words registered straight from the RAMs, select, 4
// products, 2 sums, 2 products, sum; each product stage is four: operands, operands
// again, product, product again): no logic follows a block RAM output in the same cycle,
// and every MULT18X18D has two registers on each side, the inner ones its own (dsr_mul:
// its input and output registers). The DSPs sit in a few rows of the die, often far from
// the logic around them (the routed board placed one 60 rows from both of its registers:
// 9.9 ns of routing around 3.9 ns of DSP); so the long routes lie between a flip-flop and
// the DSP's register. s_ready = m_ready. Each stage loads only with a valid pixel into
// it (ld[k], from the stage valid before it): a bubble leaves the stage as it is; the
// registers in the DSPs keep the stall enable alone.
//
// DATA_REG = 0: stage r's bank words are not registered here; s_data is already that
// register, one cycle behind the handshake (dsr_frame_store OUT_REG: the block RAMs' own
// output registers, loaded with s_valid && s_ready, as r_data would be).
`default_nettype none

module dsr_bilinear #(
    parameter int USER_WIDTH = 1,
    parameter int DATA_WIDTH = 16,
    parameter bit DATA_REG   = 1'b1
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
    localparam int STAGES = 13;
    logic [STAGES-1:0]     v;
    logic [DATA_WIDTH-1:0] p00, p10, p01, p11, p00_m, p10_m, p01_m, p11_m;
    logic [W1-1:0]         wx0, wx1, wy0_1, wy1_1, wy0_2, wy1_2, wy0_3, wy1_3;
    logic [W1-1:0]         wx0_m, wx1_m, wy0_1m, wy1_1m, wy0_1p, wy1_1p, wy0_3m, wy1_3m;
    logic [W1-1:0]         wy0_1d, wy1_1d;                   // beside the DSPs' operands
    logic [P1B-1:0]        m00, m10, m01, m11, m00_p, m10_p, m01_p, m11_p;
    logic [TB-1:0]         top, bot, top_m, bot_m;
    logic [P2B-1:0]        mt, mb;
    // top * w in two products of at most 16 x 9 bits (one MULT18X18D each, no adder
    // between a DSP and its register): low 16 bits of top and the rest
    localparam int TH = TB - 16;
    logic [16+W1-1:0]      mt_lo, mb_lo, mt_lo_q, mb_lo_q;
    logic [TH+W1-1:0]      mt_hi, mb_hi, mt_hi_q, mb_hi_q;
    logic [USER_WIDTH-1:0] u0, u0_m, u0_d, u0_p, u1, u2, u2_m, u2_d, u2_p, u2_q, u3;

    // the final sum stays below 2^(DATA_WIDTH+16): neighbours are at most the mask, so
    // top, bot <= mask * 256 and mt + mb <= mask * 65536
    logic [DATA_WIDTH-1:0] ref_n;
    logic [SH-1:0]         unused_frac;
    assign {ref_n, unused_frac} = mt + mb + HALF;

    always_ff @(posedge clk) begin
        if (rst) begin
            v <= '0;
        end else if (m_ready) begin
            v <= {v[STAGES-2:0], s_valid};
        end
    end

    // ld[k]: stage k loads (a valid pixel in stage k - 1, or at the input); a bubble
    // leaves the stage as it is. The registers in the DSPs (stages 3, 4, 8, 9: the
    // operands and the products) keep the stall enable alone, as the MULT18X18D's clock
    // enable.
    /* verilator lint_off UNUSEDSIGNAL */
    logic [STAGES-1:0] ld;      // bits 3, 4, 8, 9 unused
    /* verilator lint_on UNUSEDSIGNAL */
    assign ld = m_ready ? {v[STAGES-2:0], s_valid} : '0;

    if (DATA_REG) begin : g_data_reg
        always_ff @(posedge clk) begin
            if (ld[0]) r_data <= s_data;
        end
    end else begin : g_data_in
        assign r_data = s_data;     // the RAMs' output registers
    end

    // stage 1b operands, 1c products: p * w
    dsr_mul #(.A_WIDTH(DATA_WIDTH), .B_WIDTH(W1), .P_WIDTH(P1B)) mul_m00 (
        .clk, .ce(m_ready), .a(p00_m), .b(wx0_m), .p(m00_p)
    );
    dsr_mul #(.A_WIDTH(DATA_WIDTH), .B_WIDTH(W1), .P_WIDTH(P1B)) mul_m10 (
        .clk, .ce(m_ready), .a(p10_m), .b(wx1_m), .p(m10_p)
    );
    dsr_mul #(.A_WIDTH(DATA_WIDTH), .B_WIDTH(W1), .P_WIDTH(P1B)) mul_m01 (
        .clk, .ce(m_ready), .a(p01_m), .b(wx0_m), .p(m01_p)
    );
    dsr_mul #(.A_WIDTH(DATA_WIDTH), .B_WIDTH(W1), .P_WIDTH(P1B)) mul_m11 (
        .clk, .ce(m_ready), .a(p11_m), .b(wx1_m), .p(m11_p)
    );
    // stage 3b operands, 3c products: top * w, bot * w as the low 16 bits and the rest
    dsr_mul #(.A_WIDTH(16), .B_WIDTH(W1), .P_WIDTH(16 + W1)) mul_mt_lo (
        .clk, .ce(m_ready), .a(top_m[15:0]), .b(wy0_3m), .p(mt_lo)
    );
    dsr_mul #(.A_WIDTH(TH), .B_WIDTH(W1), .P_WIDTH(TH + W1)) mul_mt_hi (
        .clk, .ce(m_ready), .a(top_m[TB-1:16]), .b(wy0_3m), .p(mt_hi)
    );
    dsr_mul #(.A_WIDTH(16), .B_WIDTH(W1), .P_WIDTH(16 + W1)) mul_mb_lo (
        .clk, .ce(m_ready), .a(bot_m[15:0]), .b(wy1_3m), .p(mb_lo)
    );
    dsr_mul #(.A_WIDTH(TH), .B_WIDTH(W1), .P_WIDTH(TH + W1)) mul_mb_hi (
        .clk, .ce(m_ready), .a(bot_m[TB-1:16]), .b(wy1_3m), .p(mb_hi)
    );

    // one clocked block per stage (the same registers): with the operand registers of the
    // DSPs and the registers of their products in one block, Verilator could order the
    // blocks only with a shadow copy of each operand (__Vdly) every clock
    // stage r: as read
    always_ff @(posedge clk) begin
        if (ld[0]) begin
            r_sel   <= s_sel;
            r_fx    <= s_fx;
            r_fy    <= s_fy;
            r_mask  <= s_mask;
            r_noref <= s_noref;
            r_user  <= s_user;
        end
    end
    // stage 0: the neighbourhood in place
    always_ff @(posedge clk) begin
        if (ld[1]) begin
            // each word from its bank {y parity, x parity}, written out: a function's
            // 4-word argument was a member the simulator copied for every call
            p00 <= r_data[{r_sel[2], r_sel[0]} * DATA_WIDTH +: DATA_WIDTH] & keep;
            p10 <= r_data[{r_sel[2], r_sel[1]} * DATA_WIDTH +: DATA_WIDTH] & keep;
            p01 <= r_data[{r_sel[3], r_sel[0]} * DATA_WIDTH +: DATA_WIDTH] & keep;
            p11 <= r_data[{r_sel[3], r_sel[1]} * DATA_WIDTH +: DATA_WIDTH] & keep;
            wx0   <= ONE - {1'b0, r_fx};
            wx1   <= {1'b0, r_fx};
            wy0_1 <= ONE - {1'b0, r_fy};
            wy1_1 <= {1'b0, r_fy};
            u0  <= r_user;
        end
    end
    // stage 1: horizontal products (1a operands, 1b operands beside the DSPs,
    // 1c products, 1d)
    always_ff @(posedge clk) begin
        if (ld[2]) begin
            p00_m  <= p00;
            p10_m  <= p10;
            p01_m  <= p01;
            p11_m  <= p11;
            wx0_m  <= wx0;
            wx1_m  <= wx1;
            wy0_1m <= wy0_1;
            wy1_1m <= wy1_1;
            u0_m   <= u0;
        end
    end
    // (1b, 1c: the products' registers are the DSPs')
    always_ff @(posedge clk) begin
        if (m_ready) begin
            wy0_1d <= wy0_1m;
            wy1_1d <= wy1_1m;
            u0_d   <= u0_m;
        end
    end
    always_ff @(posedge clk) begin
        if (m_ready) begin
            wy0_1p <= wy0_1d;
            wy1_1p <= wy1_1d;
            u0_p   <= u0_d;
        end
    end
    always_ff @(posedge clk) begin
        if (ld[5]) begin
            m00    <= m00_p;
            m10    <= m10_p;
            m01    <= m01_p;
            m11    <= m11_p;
            wy0_2  <= wy0_1p;
            wy1_2  <= wy1_1p;
            u1     <= u0_p;
        end
    end
    // stage 2: top and bottom rows
    always_ff @(posedge clk) begin
        if (ld[6]) begin
            top   <= m00 + m10;
            bot   <= m01 + m11;
            wy0_3 <= wy0_2;
            wy1_3 <= wy1_2;
            u2  <= u1;
        end
    end
    // stage 3: vertical products (3a operands, 3b operands beside the DSPs,
    // 3c products, 3d products again, 3e sums)
    always_ff @(posedge clk) begin
        if (ld[7]) begin
            top_m  <= top;
            bot_m  <= bot;
            wy0_3m <= wy0_3;
            wy1_3m <= wy1_3;
            u2_m   <= u2;
        end
    end
    // (3b, 3c: the products' registers are the DSPs')
    always_ff @(posedge clk) begin
        if (m_ready) begin
            u2_d   <= u2_m;
        end
    end
    always_ff @(posedge clk) begin
        if (m_ready) begin
            u2_p   <= u2_d;
        end
    end
    always_ff @(posedge clk) begin
        if (ld[10]) begin
            mt_lo_q <= mt_lo;
            mt_hi_q <= mt_hi;
            mb_lo_q <= mb_lo;
            mb_hi_q <= mb_hi;
            u2_q    <= u2_p;
        end
    end
    always_ff @(posedge clk) begin
        if (ld[11]) begin
            mt     <= P2B'(mt_lo_q) + P2B'({mt_hi_q, 16'd0});
            mb     <= P2B'(mb_lo_q) + P2B'({mb_hi_q, 16'd0});
            u3     <= u2_q;
        end
    end
    // stage 4: sum, round once
    always_ff @(posedge clk) begin
        if (ld[12]) begin
            m_ref  <= ref_n;
            m_user <= u3;
        end
    end

    assign m_valid = v[STAGES-1];

endmodule

`default_nettype wire
