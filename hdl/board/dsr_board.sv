// dsr_board - the FPGA top for the ButterStick r1.0 (LFE5UM5G-85F, CABGA381) with an FX3
// (CYUSB3014, SuperSpeed Explorer kit CYUSB3KIT-003) on SYZYGY ports 0 and 1.
//
// Only what is board- and vendor-specific lives here: the PLL (EHXPLLL: 30 MHz oscillator
// -> 125 MHz pipeline clock, 100 MHz FX3 PCLK), the DQ tristate buffers, PCLK forwarded
// through an ODDRX1F (inverted: the FX3 samples in the middle of our cycle), the reset
// button, the LEDs. Everything else is dsr_board_core, which the simulator Verilates with
// its clocks driven directly. Pins: board/butterstick.lpf; hdl/README.md has the table.
`default_nettype none

module dsr_board #(
    parameter int MAX_WIDTH      = 256,
    parameter int MAX_HEIGHT     = 256,
    parameter int PIXEL_BITS_MAX = 12
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
    output wire        fx3_reset_n
);

    // ---- clocks: VCO 500 MHz = 30 MHz / 6 * 25 * 4 (feedback from CLKOP)
    wire pipe_clk, fx3_clk, locked;

    (* FREQUENCY_PIN_CLKI = "30", FREQUENCY_PIN_CLKOP = "125", FREQUENCY_PIN_CLKOS = "100",
       ICP_CURRENT = "12", LPF_RESISTOR = "8", MFG_ENABLE_FILTEROPAMP = "1",
       MFG_GMCREF_SEL = "2" *)
    EHXPLLL #(
        .PLLRST_ENA("DISABLED"), .INTFB_WAKE("DISABLED"), .STDBY_ENABLE("DISABLED"),
        .DPHASE_SOURCE("DISABLED"), .OUTDIVIDER_MUXA("DIVA"), .OUTDIVIDER_MUXB("DIVB"),
        .OUTDIVIDER_MUXC("DIVC"), .OUTDIVIDER_MUXD("DIVD"),
        .CLKI_DIV(6), .CLKFB_DIV(25), .FEEDBK_PATH("CLKOP"),
        .CLKOP_ENABLE("ENABLED"), .CLKOP_DIV(4), .CLKOP_CPHASE(3), .CLKOP_FPHASE(0),
        .CLKOS_ENABLE("ENABLED"), .CLKOS_DIV(5), .CLKOS_CPHASE(4), .CLKOS_FPHASE(0)
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

    wire in_ok, in_bad, in_ref;
    dsr_board_core #(
        .MAX_WIDTH(MAX_WIDTH), .MAX_HEIGHT(MAX_HEIGHT), .PIXEL_BITS_MAX(PIXEL_BITS_MAX)
    ) u_core (
        .fx3_clk(fx3_clk), .pipe_clk(pipe_clk), .arst(!btn_n), .pll_locked(locked),
        .fx3_dq_o(dq_o), .fx3_dq_oe(dq_oe), .fx3_dq_i(dq_i), .fx3_a(fx3_a),
        .fx3_slcs_n(fx3_slcs_n), .fx3_sloe_n(fx3_sloe_n), .fx3_slrd_n(fx3_slrd_n),
        .fx3_slwr_n(fx3_slwr_n), .fx3_pktend_n(fx3_pktend_n), .fx3_flag(fx3_flag),
        .in_frame_ok(in_ok), .in_frame_bad(in_bad), .in_frame_reference(in_ref)
    );

    // ---- LEDs (pipe_clk)
    reg led_ok = 1'b0, led_bad = 1'b0;
    always @(posedge pipe_clk) begin
        if (in_ok) led_ok <= !led_ok;
        if (in_bad) led_bad <= 1'b1;
    end
    assign led = {led_bad, led_ok, locked};
    assign fx3_reset_n = locked;

    wire unused = in_ref;

endmodule

`default_nettype wire
