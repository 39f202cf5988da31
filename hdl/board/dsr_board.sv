// dsr_board - the FPGA top for the ButterStick r1.0 (LFE5UM5G-85F, CABGA381) with an FX3
// (CYUSB3014, SuperSpeed Explorer kit CYUSB3KIT-003) on SYZYGY ports 0 and 1.
//
// Only what is board- and vendor-specific lives here: the PLL (EHXPLLL: 30 MHz oscillator
// -> the pipeline clock and the FX3 PCLK of dsr_hw.h, 125 and 100 MHz), the DQ tristate
// buffers, PCLK forwarded through an ODDRX1F (inverted: the FX3 samples in the middle of
// our cycle), the reset button, the LEDs, and (REF_DRAM = 1, the default) LiteDRAM's generated core with the ECP5
// DDR3 PHY on the board's DDR3 (hdl/dram, hardware variant: its own PLL, cascaded after
// this one, makes the controller's 75 MHz sys (sys_clk_freq in dsr_dram.yml, as LiteX runs
// its ECP5 DDR3 boards: the controller does not reach 100 MHz at -6), 150 MHz sys2x (DDR3
// CK) and 25 MHz init clocks from the 100 MHz fx3_clk; instantiated through
// dram/dsr_litedram_hw.sv), joined to the core's dram_* ports. Everything else is dsr_board_core, which the simulator Verilates with its
// clocks driven directly (with the --sim variant of the same LiteDRAM core:
// dsr_board_dram_sim). Pins: board/butterstick.lpf; hdl/README.md has the table.
`default_nettype none

module dsr_board #(
    parameter int MAX_WIDTH      = 256,
    parameter int MAX_HEIGHT     = 256,
    parameter int PIXEL_BITS_MAX = 12,
    parameter int REF_DRAM       = 1      // 1: reference in DDR3 (two slots), 0: on chip
) (
    input  wire        clk30,         // 30 MHz oscillator
    input  wire        btn_n,         // user button 0: board reset (active low)
    output wire [2:0]  led,           // PLL locked, frame in OK (toggles), frame in bad (sticky)

    output wire        fx3_pclk,
    inout  wire [31:0] fx3_dq,
    output wire [1:0]  fx3_a,
    output wire        fx3_slcs_n,
    output wire        fx3_sloe_n,
    output wire        fx3_slrd_n,
    output wire        fx3_slwr_n,
    output wire        fx3_pktend_n,
    input  wire [3:0]  fx3_flag,
    output wire        fx3_reset_n,

    // DDR3 (MT41K64M16 x16 on the ButterStick's banks 6/7; unused with REF_DRAM = 0)
    output wire [12:0] ddram_a,
    output wire [2:0]  ddram_ba,
    output wire        ddram_cas_n,
    output wire        ddram_cke,
    // CK and DQS are SSTL135D_I pairs: the _p port is the pair (.lpf), the _n pads follow
    // it; the generator's core lists ddram_clk_n/ddram_dqs_n as unused inputs (tied off)
    output wire        ddram_clk_p,
    output wire        ddram_cs_n,
    output wire [1:0]  ddram_dm,
    inout  wire [15:0] ddram_dq,
    inout  wire [1:0]  ddram_dqs_p,
    output wire        ddram_odt,
    output wire        ddram_ras_n,
    output wire        ddram_reset_n,
    output wire        ddram_we_n
);

    // ---- clocks: the pipeline's and the FX3's of dsr_hw.h (dsr_pkg::DSR_PIPE_CLK_KHZ,
    // DSR_FX3_CLK_KHZ) from the 30 MHz oscillator. Feedback from CLKOP: CLKOP = CLKI /
    // CLKI_DIV * CLKFB_DIV; the VCO (400-800 MHz) is the smallest common multiple of both
    // clocks in range, CLKOP = VCO / CLKOP_DIV, CLKOS = VCO / CLKOS_DIV (125 and 100 MHz:
    // 30 / 6 * 25, VCO 500 MHz, / 4 and / 5). nextpnr derives both clocks' constraints from
    // these dividers and butterstick.lpf's clk30 line; a clock the dividers cannot make
    // exactly stops elaboration.
    localparam int CLKI_KHZ = 30000;       // butterstick.lpf: FREQUENCY PORT "clk30" 30 MHZ
    localparam int PIPE_KHZ = dsr_pkg::DSR_PIPE_CLK_KHZ;
    localparam int FX3_KHZ = dsr_pkg::DSR_FX3_CLK_KHZ;

    function automatic int gcd(input int a, input int b);
        int x, y, t;
        x = a;
        y = b;
        while (y != 0) begin
            t = x % y;
            x = y;
            y = t;
        end
        gcd = x;
    endfunction

    localparam int PLL_CLKI_DIV = 6;                          // 5 MHz at the phase detector
    localparam int PLL_CLKFB_DIV = PIPE_KHZ * PLL_CLKI_DIV / CLKI_KHZ;
    localparam int PLL_LCM_KHZ = PIPE_KHZ / gcd(PIPE_KHZ, FX3_KHZ) * FX3_KHZ;
    localparam int PLL_VCO_KHZ = PLL_LCM_KHZ * ((400000 + PLL_LCM_KHZ - 1) / PLL_LCM_KHZ);
    localparam int PLL_CLKOP_DIV = PLL_VCO_KHZ / PIPE_KHZ;
    localparam int PLL_CLKOS_DIV = PLL_VCO_KHZ / FX3_KHZ;

    if (CLKI_KHZ / PLL_CLKI_DIV * PLL_CLKFB_DIV != PIPE_KHZ
            || CLKI_KHZ % PLL_CLKI_DIV != 0 || PLL_VCO_KHZ > 800000
            || PLL_CLKFB_DIV < 1 || PLL_CLKFB_DIV > 128
            || PLL_CLKOP_DIV > 128 || PLL_CLKOS_DIV > 128) begin : g_pll_bad
        $error("dsr_board: the PLL cannot make DSR_PIPE_CLK_KHZ and DSR_FX3_CLK_KHZ from clk30");
    end

    wire pipe_clk, fx3_clk, locked;

    (* ICP_CURRENT = "12", LPF_RESISTOR = "8", MFG_ENABLE_FILTEROPAMP = "1",
       MFG_GMCREF_SEL = "2" *)
    EHXPLLL #(
        .PLLRST_ENA("DISABLED"), .INTFB_WAKE("DISABLED"), .STDBY_ENABLE("DISABLED"),
        .DPHASE_SOURCE("DISABLED"), .OUTDIVIDER_MUXA("DIVA"), .OUTDIVIDER_MUXB("DIVB"),
        .OUTDIVIDER_MUXC("DIVC"), .OUTDIVIDER_MUXD("DIVD"),
        .CLKI_DIV(PLL_CLKI_DIV), .CLKFB_DIV(PLL_CLKFB_DIV), .FEEDBK_PATH("CLKOP"),
        .CLKOP_ENABLE("ENABLED"), .CLKOP_DIV(PLL_CLKOP_DIV), .CLKOP_CPHASE(PLL_CLKOP_DIV - 1),
        .CLKOP_FPHASE(0),
        .CLKOS_ENABLE("ENABLED"), .CLKOS_DIV(PLL_CLKOS_DIV), .CLKOS_CPHASE(PLL_CLKOS_DIV - 1),
        .CLKOS_FPHASE(0)
    ) u_pll (
        .CLKI(clk30), .CLKFB(pipe_clk), .CLKINTFB(), .PHASESEL0(1'b0), .PHASESEL1(1'b0),
        .PHASEDIR(1'b0), .PHASESTEP(1'b0), .PHASELOADREG(1'b0), .PLLWAKESYNC(1'b0),
        .RST(1'b0), .STDBY(1'b0), .ENCLKOP(1'b0), .ENCLKOS(1'b0), .ENCLKOS2(1'b0),
        .ENCLKOS3(1'b0),
        .CLKOP(pipe_clk), .CLKOS(fx3_clk), .CLKOS2(), .CLKOS3(), .LOCK(locked), .INTLOCK(),
        .REFCLK()
    );

    // ---- PCLK: fx3_clk forwarded inverted through the output DDR register
    ODDRX1F u_pclk (.D0(1'b0), .D1(1'b1), .SCLK(fx3_clk), .RST(1'b0), .Q(fx3_pclk));

    // ---- DQ: one bidirectional buffer per bit
    wire [31:0] dq_o, dq_i;
    wire        dq_oe;
    genvar i;
    generate
        for (i = 0; i < 32; i = i + 1) begin : g_dq
            BB u_bb (.I(dq_o[i]), .T(!dq_oe), .O(dq_i[i]), .B(fx3_dq[i]));
        end
    endgenerate

    // ---- the DRAM controller (its clock domain: user_clk, 75 MHz)
    localparam int MEM_AW = 23;
    wire              user_clk, user_rst, init_done, init_error;
    wire              cmd_valid, cmd_ready, cmd_we, wdata_valid, wdata_ready;
    wire              rdata_valid, rdata_ready;
    wire [MEM_AW-1:0] cmd_addr;
    wire [127:0]      wdata_data, rdata_data;
    wire [15:0]       wdata_we;
    wire              wb_cyc, wb_stb, wb_we, wb_ack;
    wire [29:0]       wb_adr;
    wire [31:0]       wb_dat_w;
    wire [3:0]        wb_sel;
    wire              dram_ready, ref_slot;

    generate
        if (REF_DRAM != 0) begin : g_dram
            wire        dram_pll_locked, wb_err;
            wire [31:0] wb_dat_r;
            dsr_litedram_hw u_dram (
                .clk(fx3_clk), .rst(!locked || !btn_n), .pll_locked(dram_pll_locked),
                .ddram_a, .ddram_ba, .ddram_cas_n, .ddram_cke, .ddram_clk_p, .ddram_cs_n,
                .ddram_dm, .ddram_dq, .ddram_dqs_p, .ddram_odt, .ddram_ras_n, .ddram_reset_n,
                .ddram_we_n,
                .init_done, .init_error, .user_clk, .user_rst,
                .cmd_valid, .cmd_ready, .cmd_we, .cmd_addr, .wdata_valid, .wdata_ready,
                .wdata_data, .wdata_we, .rdata_valid, .rdata_ready, .rdata_data,
                .wb_cyc, .wb_stb, .wb_we, .wb_adr, .wb_dat_w, .wb_sel, .wb_ack, .wb_err,
                .wb_dat_r
            );
        end else begin : g_onchip
            assign user_clk = 1'b0;
            assign user_rst = 1'b1;
            assign init_done = 1'b0;
            assign init_error = 1'b0;
            assign cmd_ready = 1'b0;
            assign wdata_ready = 1'b0;
            assign rdata_valid = 1'b0;
            assign rdata_data = 128'd0;
            assign wb_ack = 1'b0;
        end
    endgenerate

    wire in_ok, in_bad, in_ref;
    dsr_board_core #(
        .MAX_WIDTH(MAX_WIDTH), .MAX_HEIGHT(MAX_HEIGHT), .PIXEL_BITS_MAX(PIXEL_BITS_MAX),
        .REF_DRAM(REF_DRAM), .MEM_AW(MEM_AW)
    ) u_core (
        .fx3_clk(fx3_clk), .pipe_clk(pipe_clk), .arst(!btn_n), .pll_locked(locked),
        .fx3_dq_o(dq_o), .fx3_dq_oe(dq_oe), .fx3_dq_i(dq_i), .fx3_a(fx3_a),
        .fx3_slcs_n(fx3_slcs_n), .fx3_sloe_n(fx3_sloe_n), .fx3_slrd_n(fx3_slrd_n),
        .fx3_slwr_n(fx3_slwr_n), .fx3_pktend_n(fx3_pktend_n), .fx3_flag(fx3_flag),
        .in_frame_ok(in_ok), .in_frame_bad(in_bad), .in_frame_reference(in_ref),
        .ref_slot(ref_slot),
        .dram_clk(user_clk), .dram_rst(user_rst), .dram_init_done(init_done),
        .dram_init_error(init_error), .dram_ready(dram_ready),
        .dram_cmd_valid(cmd_valid), .dram_cmd_ready(cmd_ready), .dram_cmd_we(cmd_we),
        .dram_cmd_addr(cmd_addr), .dram_wdata_valid(wdata_valid),
        .dram_wdata_ready(wdata_ready), .dram_wdata_data(wdata_data),
        .dram_wdata_we(wdata_we), .dram_rdata_valid(rdata_valid),
        .dram_rdata_ready(rdata_ready), .dram_rdata_data(rdata_data),
        .dram_wb_cyc(wb_cyc), .dram_wb_stb(wb_stb), .dram_wb_we(wb_we),
        .dram_wb_adr(wb_adr), .dram_wb_dat_w(wb_dat_w), .dram_wb_sel(wb_sel),
        .dram_wb_ack(wb_ack)
    );

    // ---- LEDs (pipe_clk)
    reg led_ok = 1'b0, led_bad = 1'b0;
    always @(posedge pipe_clk) begin
        if (in_ok) led_ok <= !led_ok;
        if (in_bad) led_bad <= 1'b1;
    end
    assign led = {led_bad, led_ok, locked};
    assign fx3_reset_n = locked;

    wire unused = in_ref ^ ref_slot ^ dram_ready;

endmodule

`default_nettype wire
