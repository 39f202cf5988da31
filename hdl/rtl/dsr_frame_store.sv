// dsr_frame_store - the reference frame store: four banks by (x parity, y parity).
//
// The narrow interface the rest of the pipeline sees: per pixel, four bank read
// addresses in, four words out one cycle later, or one capture write. Each bank is a
// simple dual-port block RAM of (MAX_WIDTH/2) x (MAX_HEIGHT/2) words. On a production
// board with external DRAM and a tile cache only this module changes; its s_ready /
// m_ready handshake already allows a stall.
//
// One pipeline stage; s_ready = m_ready; s_user is carried along.
//
// OUT_REG = 1: m_data comes one cycle late, from each block RAM's own output register
// (dsr_ram_sdp OUT_REG, the DP16KD's OUTREG on the ECP5): it holds the words of the last
// pixel taken at m (m_valid && m_ready), loaded as a register of the consumer's first
// stage would load them, so the consumer uses m_data as that register (dsr_bilinear
// DATA_REG = 0). The RAM's clock-to-out then ends inside the EBR.
`default_nettype none

module dsr_frame_store #(
    parameter int USER_WIDTH = 1,
    parameter int DATA_WIDTH = 16,
    parameter int AW         = 18,
    parameter bit OUT_REG    = 1'b0
) (
    input  logic                    clk,
    input  logic                    rst,

    input  logic                    s_valid,
    output logic                    s_ready,
    input  logic [4*AW-1:0]         s_rd_addr,
    input  logic                    s_wr_en,
    input  logic [1:0]              s_wr_bank,
    input  logic [AW-1:0]           s_wr_addr,
    input  logic [DATA_WIDTH-1:0]   s_wr_data,
    input  logic [USER_WIDTH-1:0]   s_user,

    output logic                    m_valid,
    input  logic                    m_ready,
    output logic [4*DATA_WIDTH-1:0] m_data,     // bank b at [b*DATA_WIDTH +: DATA_WIDTH]
    output logic [USER_WIDTH-1:0]   m_user
);

    assign s_ready = m_ready;

    genvar b;
    generate
        for (b = 0; b < 4; b = b + 1) begin : g_bank
            localparam logic [1:0] BANK = b;
            dsr_ram_sdp #(
                .DATA_WIDTH(DATA_WIDTH),
                .ADDR_WIDTH(AW),
                .OUT_REG   (OUT_REG)
            ) ram (
                .clk     (clk),
                .wr_en   (m_ready && s_valid && s_wr_en && s_wr_bank == BANK),
                .wr_addr (s_wr_addr),
                .wr_data (s_wr_data),
                .rd_en   (m_ready),
                .rd_addr (s_rd_addr[b*AW +: AW]),
                .rd_oce  (m_valid && m_ready),
                .rd_data (m_data[b*DATA_WIDTH +: DATA_WIDTH])
            );
        end
    endgenerate

    always_ff @(posedge clk) begin
        if (rst) begin
            m_valid <= 1'b0;
        end else if (m_ready) begin
            m_valid <= s_valid;
        end
    end

    always_ff @(posedge clk) begin
        if (m_ready) begin
            m_user <= s_user;
        end
    end

endmodule

`default_nettype wire
