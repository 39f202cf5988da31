// tb_smoke - Icarus Verilog smoke test: dsr_top plays a gen_smoke stimulus file and its
// output stream is compared word by word with the C model's (tb_stim.h has the format).
//
//   vvp smoke.vvp +stim=FILE +expect=FILE
//
// Register writes and pixels are issued in file order, one per clock (a pixel waits for
// s_ready); the output is back-pressured by a 16-bit LFSR (ready 3 cycles in 4).
`timescale 1ns / 1ps
`default_nettype none

module tb_smoke #(
    parameter int MAX_WIDTH      = 256,
    parameter int MAX_HEIGHT     = 256,
    parameter int PIXEL_BITS_MAX = 16
);

    localparam int NSTIM = 1 << 18;
    localparam int NEXP  = 1 << 18;
    localparam logic [3:0] STIM_END   = 4'd0;
    localparam logic [3:0] STIM_WRITE = 4'd1;
    localparam logic [3:0] STIM_PIXEL = 4'd2;
    localparam logic [3:0] STIM_READ  = 4'd3;

    logic        clk = 1'b0;
    logic        rst = 1'b1;
    logic        reg_valid, reg_ready, reg_rvalid, reg_write;
    logic [11:0] reg_addr;
    logic [31:0] reg_wdata, reg_rdata;
    logic        s_valid, s_ready, s_sof, s_eol;
    logic [15:0] s_data;
    logic        m_valid, m_ready, m_last;
    logic [15:0] m_data;

`ifdef SMOKE_NETLIST
    // the post-synthesis netlist: parameters fixed at synthesis
    dsr_top dut (
`else
    dsr_top #(
        .MAX_WIDTH(MAX_WIDTH),
        .MAX_HEIGHT(MAX_HEIGHT),
        .PIXEL_BITS_MAX(PIXEL_BITS_MAX)
    ) dut (
`endif
        .clk(clk), .rst(rst),
        .reg_valid(reg_valid), .reg_ready(reg_ready), .reg_write(reg_write), .reg_addr(reg_addr),
        .reg_wdata(reg_wdata), .reg_rvalid(reg_rvalid), .reg_rdata(reg_rdata),
        .s_valid(s_valid), .s_ready(s_ready), .s_data(s_data), .s_sof(s_sof), .s_eol(s_eol),
        .m_valid(m_valid), .m_ready(m_ready), .m_data(m_data), .m_last(m_last)
    );

    logic [63:0] stim [0:NSTIM-1];
    logic [19:0] expw [0:NEXP-1];
    int          si = 0, ei = 0, errors = 0, frames = 0, pixels = 0, idle = 0;
    logic [31:0] rd_want [0:7];         // reads in flight (answered five cycles later)
    int          rd_w = 0, rd_r = 0, reads = 0;
    logic [15:0] lfsr = 16'hace1;
    logic [3:0]  cmd;

    assign cmd       = stim[si][63:60];
    assign reg_valid = !rst && (cmd == STIM_WRITE || cmd == STIM_READ);
    assign reg_write = cmd == STIM_WRITE;
    assign reg_addr  = stim[si][59:48];
    assign reg_wdata = stim[si][31:0];
    assign s_valid   = !rst && cmd == STIM_PIXEL;
    assign s_sof     = stim[si][32];
    assign s_eol     = stim[si][33];
    assign s_data    = stim[si][15:0];
    assign m_ready   = lfsr[1:0] != 2'b00;

    always #5 clk = !clk;

    initial begin
        string stim_path, exp_path;
        if (!$value$plusargs("stim=%s", stim_path) || !$value$plusargs("expect=%s", exp_path)) begin
            $display("tb_smoke: usage: +stim=FILE +expect=FILE");
            $finish;
        end
        $readmemh(stim_path, stim);
        $readmemh(exp_path, expw);
        repeat (8) @(posedge clk);
        rst <= 1'b0;
    end

    always @(posedge clk) begin
        if (!rst) begin
            lfsr <= {1'b0, lfsr[15:1]} ^ (lfsr[0] ? 16'hb400 : 16'h0000);
            if ((reg_valid && reg_ready) || (s_valid && s_ready)) begin
                si <= si + 1;
            end
            if (reg_valid && reg_ready && !reg_write) begin
                rd_want[rd_w % 8] <= reg_wdata;
                rd_w <= rd_w + 1;
            end
            if (reg_rvalid) begin
                if (rd_r == rd_w || reg_rdata !== rd_want[rd_r % 8]) begin
                    errors <= errors + 1;
                    $display("tb_smoke: FAIL register read %0d: got %08h, expected %08h", rd_r,
                             reg_rdata, rd_want[rd_r % 8]);
                end
                rd_r  <= rd_r + 1;
                reads <= reads + 1;
            end
            if (s_valid && s_ready) begin
                pixels <= pixels + 1;
            end
            // every check is 4-state: an X or Z the DUT drives is a failure, never a pass
            // (a `!=` with an X operand is X, and an `if` takes X as false)
            if (^{reg_ready, reg_rvalid, s_ready, m_valid} === 1'bx) begin
                errors <= errors + 1;
                if (errors < 10) begin
                    $display("tb_smoke: FAIL X/Z on a handshake: reg_ready %b reg_rvalid %b s_ready %b m_valid %b (output word %0d)",
                             reg_ready, reg_rvalid, s_ready, m_valid, ei);
                end
            end else if (m_valid && m_last === 1'bx) begin
                errors <= errors + 1;
                if (errors < 10) begin
                    $display("tb_smoke: FAIL m_last X/Z while m_valid (output word %0d)", ei);
                end
            end
            if (m_valid && m_ready) begin
                if (expw[ei][17]) begin
                    errors <= errors + 1;
                    $display("tb_smoke: FAIL output word %0d beyond the expected end", ei);
                end else if (^{m_last, m_data} === 1'bx
                             || (!expw[ei][18] && {m_last, m_data} !== expw[ei][16:0])) begin
                    errors <= errors + 1;
                    if (errors < 10) begin
                        $display("tb_smoke: FAIL word %0d: got %05h, expected %05h", ei,
                                 {m_last, m_data}, expw[ei][16:0]);
                    end
                end
                if (m_last) begin
                    frames <= frames + 1;
                end
                ei <= ei + 1;
            end
            idle <= cmd == STIM_END ? idle + 1 : 0;
            if (idle == 2000) begin
                if (!expw[ei][17]) begin
                    $display("tb_smoke: FAIL %0d output words, more expected", ei);
                    errors = errors + 1;
                end
                if (rd_r != rd_w) begin
                    $display("tb_smoke: FAIL %0d register reads never answered", rd_w - rd_r);
                    errors = errors + 1;
                end
                $display("tb_smoke: %0d frames, %0d input pixels, %0d output words, %0d register reads: %s",
                         frames, pixels, ei, reads, errors == 0 && frames > 0 ? "pass" : "FAIL");
                if (errors != 0 || frames == 0) begin
                    $fatal(1, "tb_smoke: failed");
                end
                $finish;
            end
        end
    end

endmodule

`default_nettype wire
