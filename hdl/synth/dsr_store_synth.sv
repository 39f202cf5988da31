// dsr_store_synth - out-of-context synthesis top of the DRAM reference store (make synth-store):
// dsr_ref_dram (with dsr_ref_prefetch and its second dsr_projective / dsr_sample_addr) and
// dsr_mem_bridge, parameterised as in the DRAM build (4096 x 4096 x 16, 4 cache tile rows),
// without LiteDRAM and without the rest of dsr_top. Every port of the two is registered in
// its own clock domain, so the timing report covers the store's own register-to-register
// paths: inputs come from a scan chain per domain (si_*), outputs are captured into
// registers and shifted out (so_*, parallel load on cap_*), which keeps every output bit
// observable (nothing optimised away) with one LUT level, outside the store, per bit.
`default_nettype none

module dsr_store_synth #(
    parameter int MAX_WIDTH  = 4096,
    parameter int MAX_HEIGHT = 4096,
    parameter int DW         = 16,
    parameter int CACHE_NYB  = 2,
    parameter int USER_WIDTH = 8,
    parameter int MEM_AW     = 23
) (
    input  logic clk,           // pipeline clock (125 MHz target)
    input  logic rst,
    input  logic si_p,
    input  logic cap_p,
    output logic so_p,

    input  logic dram_clk,      // LiteDRAM's user clock (75 MHz target)
    input  logic dram_rst,
    input  logic si_d,
    input  logic cap_d,
    output logic so_d
);

    localparam int WB = $clog2(MAX_WIDTH + 1);
    localparam int HB = $clog2(MAX_HEIGHT + 1);
    localparam int XB = WB - 1;
    localparam int YB = HB - 1;
    localparam int AW = XB + YB - 2;

    // ---------------------------------------------------------------- pipeline side
    localparam int PI = 3 + WB + HB + 8 * 32 + 2      // frame parameters and slots
                      + 1 + 4 * AW + 1 + 1 + 2 + AW + DW + 1 + 1 + USER_WIDTH + 1;
    localparam int PO = 1 + 1 + 4 * DW + USER_WIDTH;

    logic          rst_q;
    logic [PI-1:0] pin;
    logic [PO-1:0] pout;

    dsr_scan_port #(.IN_W(PI), .OUT_W(PO)) pport (
        .clk, .rst, .si(si_p), .cap(cap_p), .so(so_p), .rst_q, .dut_in(pin), .dut_out(pout)
    );

    logic                  frame_push, frame_reads, frame_capture, ref_rd_slot, ref_wr_slot;
    logic [WB-1:0]         frame_width;
    logic [HB-1:0]         frame_height;
    logic [31:0]           a11, a12, a21, a22, tx, ty, h31, h32;
    logic                  s_valid, s_ready, s_need, s_wr_en, s_wr_flush, s_wr_eof;
    logic [4*AW-1:0]       s_rd_addr;
    logic [1:0]            s_wr_bank;
    logic [AW-1:0]         s_wr_addr;
    logic [DW-1:0]         s_wr_data;
    logic [USER_WIDTH-1:0] s_user, m_user;
    logic                  m_valid, m_ready;
    logic [4*DW-1:0]       m_data;
    assign {frame_push, frame_reads, frame_capture, frame_width, frame_height,
            a11, a12, a21, a22, tx, ty, h31, h32, ref_rd_slot, ref_wr_slot,
            s_valid, s_rd_addr, s_need, s_wr_en, s_wr_bank, s_wr_addr, s_wr_data, s_wr_flush,
            s_wr_eof, s_user, m_ready} = pin;
    assign pout = {s_ready, m_valid, m_data, m_user};

    logic              mem_cmd_valid, mem_cmd_ready, mem_cmd_we, mem_rd_valid, mem_rd_ready;
    logic [MEM_AW-1:0] mem_cmd_addr;
    logic [127:0]      mem_cmd_wdata, mem_rd_data;
    logic [15:0]       mem_cmd_wmask;

    dsr_ref_dram #(
        .USER_WIDTH(USER_WIDTH),
        .DATA_WIDTH(DW),
        .WB(WB),
        .HB(HB),
        .AW(AW),
        .MEM_AW(MEM_AW),
        .CACHE_NYB(CACHE_NYB)
    ) store (
        .clk, .rst(rst_q),
        .frame_push, .frame_reads, .frame_capture, .frame_width, .frame_height,
        .frame_a11(a11), .frame_a12(a12), .frame_a21(a21), .frame_a22(a22),
        .frame_tx(tx), .frame_ty(ty), .frame_h31(h31), .frame_h32(h32),
        .ref_rd_slot, .ref_wr_slot,
        .s_valid, .s_ready, .s_rd_addr, .s_need, .s_wr_en, .s_wr_bank, .s_wr_addr,
        .s_wr_data, .s_wr_flush, .s_wr_eof, .s_user,
        .m_valid, .m_ready, .m_data, .m_user,
        .mem_cmd_valid, .mem_cmd_ready, .mem_cmd_we, .mem_cmd_addr, .mem_cmd_wdata,
        .mem_cmd_wmask, .mem_rd_valid, .mem_rd_ready, .mem_rd_data
    );

    // ---------------------------------------------------------------- DRAM side
    localparam int DI = 1 + 1 + 1 + 128 + 1;
    localparam int DO = 1 + 1 + MEM_AW + 1 + 128 + 16 + 1;

    logic          drst_q;
    logic [DI-1:0] din;
    logic [DO-1:0] dout;

    dsr_scan_port #(.IN_W(DI), .OUT_W(DO)) dport (
        .clk(dram_clk), .rst(dram_rst), .si(si_d), .cap(cap_d), .so(so_d), .rst_q(drst_q),
        .dut_in(din), .dut_out(dout)
    );

    logic              init_done, cmd_valid, cmd_ready, cmd_we, wdata_valid, wdata_ready;
    logic              rdata_valid, rdata_ready, unused_idle;
    logic [MEM_AW-1:0] cmd_addr;
    logic [127:0]      wdata_data, rdata_data;
    logic [15:0]       wdata_we;
    assign {init_done, cmd_ready, wdata_ready, rdata_data, rdata_valid} = din;
    assign dout = {cmd_valid, cmd_we, cmd_addr, wdata_valid, wdata_data, wdata_we, rdata_ready};

    dsr_mem_bridge #(
        .MEM_AW(MEM_AW)
    ) bridge (
        .clk, .rst(rst_q),
        .mem_cmd_valid, .mem_cmd_ready, .mem_cmd_we, .mem_cmd_addr, .mem_cmd_wdata,
        .mem_cmd_wmask, .mem_rd_valid, .mem_rd_ready, .mem_rd_data, .hold(1'b0),
        .idle(unused_idle),
        .dram_clk, .dram_rst(drst_q), .init_done,
        .cmd_valid, .cmd_ready, .cmd_we, .cmd_addr, .wdata_valid, .wdata_ready, .wdata_data,
        .wdata_we, .rdata_valid, .rdata_ready, .rdata_data
    );

endmodule

`default_nettype wire
