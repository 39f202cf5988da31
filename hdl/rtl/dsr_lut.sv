// dsr_lut - the contrast-matching LUT, double-buffered: ref' = lut[ref].
//
// Two banks of 2^ADDR_WIDTH 16-bit entries. Each pixel carries the bank of its frame's
// parameter set and whether that bank was never loaded (identity: ref' = ref). Port A
// of each bank belongs to the register file (writes into the shadow bank, read back);
// port B to the pixels, so register traffic never steals a pixel cycle.
//
// Three pipeline stages (RAM read, RAM outputs registered, bank select): no logic
// follows a block RAM output in the same cycle. s_ready = m_ready.
`default_nettype none

module dsr_lut #(
    parameter int USER_WIDTH = 1,
    parameter int ADDR_WIDTH = 16,
    parameter int DATA_WIDTH = 16
) (
    input  logic                  clk,
    input  logic                  rst,

    input  logic                  s_valid,
    output logic                  s_ready,
    input  logic [ADDR_WIDTH-1:0] s_ref,
    input  logic                  s_bank,
    input  logic                  s_identity,
    input  logic [USER_WIDTH-1:0] s_user,

    output logic                  m_valid,
    input  logic                  m_ready,
    output logic [DATA_WIDTH-1:0] m_refp,
    output logic [USER_WIDTH-1:0] m_user,

    // register side: port A of the bank a_bank reads a_addr every cycle, writes with a_we
    input  logic                  a_we,
    input  logic                  a_bank,
    input  logic [ADDR_WIDTH-1:0] a_addr,
    input  logic [DATA_WIDTH-1:0] a_wdata,
    output logic [DATA_WIDTH-1:0] a_rdata,

    // a pixel read its entry from this bank (lets the register file know when the
    // previous bank is out of use)
    output logic                  pixel_read,
    output logic                  pixel_bank
);

    assign s_ready = m_ready;
    assign pixel_read = s_valid && m_ready;
    assign pixel_bank = s_bank;

    logic [DATA_WIDTH-1:0] b_rdata [0:1];
    logic [DATA_WIDTH-1:0] a_rdata_bank [0:1];
    logic                  a_bank_q;

    genvar k;
    generate
        for (k = 0; k < 2; k = k + 1) begin : g_bank
            localparam logic BANK = k[0];
            dsr_ram_dp #(
                .DATA_WIDTH(DATA_WIDTH),
                .ADDR_WIDTH(ADDR_WIDTH)
            ) ram (
                .clk     (clk),
                .a_en    (a_bank == BANK),
                .a_we    (a_we),
                .a_addr  (a_addr),
                .a_wdata (a_wdata),
                .a_rdata (a_rdata_bank[k]),
                .b_en    (m_ready),
                .b_addr  (s_ref),
                .b_rdata (b_rdata[k])
            );
        end
    endgenerate

    // read-back answers from the bank the request went to, a cycle after the RAM: each
    // bank's port A output goes straight into a register (nothing behind the EBR's
    // clock-to-out in its cycle), the bank select follows in the next one. a_rdata
    // belongs to the access two cycles back.
    logic [DATA_WIDTH-1:0] a_rdata_q [0:1];
    logic                  a_bank_qq;
    always_ff @(posedge clk) begin
        a_bank_q     <= a_bank;
        a_bank_qq    <= a_bank_q;
        a_rdata_q[0] <= a_rdata_bank[0];
        a_rdata_q[1] <= a_rdata_bank[1];
    end
    assign a_rdata = a_rdata_q[a_bank_qq];

    logic                  v1, v2;
    logic                  bank1, ident1, bank2, ident2;
    logic [ADDR_WIDTH-1:0] ref1, ref2;
    logic [USER_WIDTH-1:0] u1, u2;
    logic [DATA_WIDTH-1:0] d2 [0:1];

    always_ff @(posedge clk) begin
        if (rst) begin
            v1      <= 1'b0;
            v2      <= 1'b0;
            m_valid <= 1'b0;
        end else if (m_ready) begin
            v1      <= s_valid;
            v2      <= v1;
            m_valid <= v2;
        end
    end

    always_ff @(posedge clk) begin
        if (m_ready) begin
            bank1  <= s_bank;
            ident1 <= s_identity;
            ref1   <= s_ref;
            u1     <= s_user;
            d2[0]  <= b_rdata[0];
            d2[1]  <= b_rdata[1];
            bank2  <= bank1;
            ident2 <= ident1;
            ref2   <= ref1;
            u2     <= u1;
            if (ident2) begin
                m_refp <= {{(DATA_WIDTH - ADDR_WIDTH){1'b0}}, ref2};
            end else begin
                m_refp <= d2[bank2];
            end
            m_user <= u2;
        end
    end

endmodule

`default_nettype wire
