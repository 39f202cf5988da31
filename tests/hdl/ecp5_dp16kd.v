// ecp5_dp16kd.v - simulation model of the ECP5 DP16KD block RAM for the post-synthesis run
// (make -C tests/hdl postsynth) and tb_dp16kd. Yosys 0.70's share/ecp5/cells_sim.v declares
// DP16KD with its parameters only (no behaviour: every output X), so the Makefile strips
// that module from its copy and compiles this one instead. Ports as in cells_sim.v.
//
// The array is 1024 rows of 18 bits (16 data + 2 parity, bits 8 and 17). Per DATA_WIDTH_x:
//   1   ADx13..0 address; 16 one-bit words per row on the data bits (bit k at k + k/8)
//   2   ADx13..1; 8 two-bit words per row, the same data bits (ADx0 unused)
//   4   ADx13..2; 4 nibbles per row (ADx1..0 unused)
//   9   ADx13..3; 2 nine-bit words per row (bits 8:0, 17:9) (ADx2..0 unused)
//   18  ADx13..4; the whole row; ADx1/ADx0 write-enable bits 17:9 / 8:0 (ADx3..2 unused)
//   36  ADx13..5; rows 2n (DIA/DOA) and 2n+1 (DIB/DOB); ADx3..0 write-enable the four
//       9-bit bytes. Only as synth_ecp5 uses it (its PDPW16KD mapping): DATA_WIDTH_A = 36
//       is port A writing, port B the read port; DATA_WIDTH_B = 36 needs DATA_WIDTH_A = 36.
// This layout is the one synth_ecp5 writes INITVAL_xx in (measured on small initialised
// memories of each width): INITVAL_xx[20*i +: 18] is row 16*xx + i.
//
// Each port: a write when CEx, WEx and CSx2..0 == CSDECODE_x at the clock's rising edge;
// the read result goes to the output latch (DOx under REGMODE_x "NOREG") per WRITEMODE_x
// when the port writes: NORMAL holds the latch, WRITETHROUGH reads the row after the
// write, READBEFOREWRITE before it. REGMODE_x "OUTREG" adds the output register, loaded
// from the latch at the rising edge when OCEx (one more cycle of latency). RSTx clears the
// latch and the output register: RESETMODE "SYNC" at the rising edge, ungated by CEx/OCEx,
// and it blocks that port's write (as Yosys's brams_16kd.txt describes the primitive:
// rdsrst zero ungated block_wr); "ASYNC" at once and while it is high. The latch and the
// output register start at zero (Yosys's rdinit zero).
// Where the hardware's result is undefined this model gives X: a read of bits the other
// port writes at the same edge, two ports writing the same bit at the same edge, an X
// address or control, a read while CSx does not match CSDECODE_x.
// Anything outside this (a clock inverted, a width or mode not listed) stops the
// simulation with an ERROR line naming the parameter. GSR and ASYNC_RESET_RELEASE (reset
// release timing) do not change what this model computes.
`timescale 1ns / 1ps
module DP16KD(
    input DIA17, DIA16, DIA15, DIA14, DIA13, DIA12, DIA11, DIA10, DIA9, DIA8, DIA7, DIA6, DIA5, DIA4, DIA3, DIA2, DIA1, DIA0,
    input ADA13, ADA12, ADA11, ADA10, ADA9, ADA8, ADA7, ADA6, ADA5, ADA4, ADA3, ADA2, ADA1, ADA0,
    input CEA, OCEA, CLKA, WEA, RSTA,
    input CSA2, CSA1, CSA0,
    output DOA17, DOA16, DOA15, DOA14, DOA13, DOA12, DOA11, DOA10, DOA9, DOA8, DOA7, DOA6, DOA5, DOA4, DOA3, DOA2, DOA1, DOA0,
    input DIB17, DIB16, DIB15, DIB14, DIB13, DIB12, DIB11, DIB10, DIB9, DIB8, DIB7, DIB6, DIB5, DIB4, DIB3, DIB2, DIB1, DIB0,
    input ADB13, ADB12, ADB11, ADB10, ADB9, ADB8, ADB7, ADB6, ADB5, ADB4, ADB3, ADB2, ADB1, ADB0,
    input CEB, OCEB, CLKB, WEB, RSTB,
    input CSB2, CSB1, CSB0,
    output DOB17, DOB16, DOB15, DOB14, DOB13, DOB12, DOB11, DOB10, DOB9, DOB8, DOB7, DOB6, DOB5, DOB4, DOB3, DOB2, DOB1, DOB0
);
    parameter DATA_WIDTH_A = 18;
    parameter DATA_WIDTH_B = 18;
    parameter REGMODE_A = "NOREG";
    parameter REGMODE_B = "NOREG";
    parameter RESETMODE = "SYNC";
    parameter ASYNC_RESET_RELEASE = "SYNC";
    parameter CSDECODE_A = "0b000";
    parameter CSDECODE_B = "0b000";
    parameter WRITEMODE_A = "NORMAL";
    parameter WRITEMODE_B = "NORMAL";
    parameter GSR = "ENABLED";
    parameter CLKAMUX = "CLKA";
    parameter CLKBMUX = "CLKB";
    parameter INITVAL_00 = 320'h0;
    parameter INITVAL_01 = 320'h0;
    parameter INITVAL_02 = 320'h0;
    parameter INITVAL_03 = 320'h0;
    parameter INITVAL_04 = 320'h0;
    parameter INITVAL_05 = 320'h0;
    parameter INITVAL_06 = 320'h0;
    parameter INITVAL_07 = 320'h0;
    parameter INITVAL_08 = 320'h0;
    parameter INITVAL_09 = 320'h0;
    parameter INITVAL_0A = 320'h0;
    parameter INITVAL_0B = 320'h0;
    parameter INITVAL_0C = 320'h0;
    parameter INITVAL_0D = 320'h0;
    parameter INITVAL_0E = 320'h0;
    parameter INITVAL_0F = 320'h0;
    parameter INITVAL_10 = 320'h0;
    parameter INITVAL_11 = 320'h0;
    parameter INITVAL_12 = 320'h0;
    parameter INITVAL_13 = 320'h0;
    parameter INITVAL_14 = 320'h0;
    parameter INITVAL_15 = 320'h0;
    parameter INITVAL_16 = 320'h0;
    parameter INITVAL_17 = 320'h0;
    parameter INITVAL_18 = 320'h0;
    parameter INITVAL_19 = 320'h0;
    parameter INITVAL_1A = 320'h0;
    parameter INITVAL_1B = 320'h0;
    parameter INITVAL_1C = 320'h0;
    parameter INITVAL_1D = 320'h0;
    parameter INITVAL_1E = 320'h0;
    parameter INITVAL_1F = 320'h0;
    parameter INITVAL_20 = 320'h0;
    parameter INITVAL_21 = 320'h0;
    parameter INITVAL_22 = 320'h0;
    parameter INITVAL_23 = 320'h0;
    parameter INITVAL_24 = 320'h0;
    parameter INITVAL_25 = 320'h0;
    parameter INITVAL_26 = 320'h0;
    parameter INITVAL_27 = 320'h0;
    parameter INITVAL_28 = 320'h0;
    parameter INITVAL_29 = 320'h0;
    parameter INITVAL_2A = 320'h0;
    parameter INITVAL_2B = 320'h0;
    parameter INITVAL_2C = 320'h0;
    parameter INITVAL_2D = 320'h0;
    parameter INITVAL_2E = 320'h0;
    parameter INITVAL_2F = 320'h0;
    parameter INITVAL_30 = 320'h0;
    parameter INITVAL_31 = 320'h0;
    parameter INITVAL_32 = 320'h0;
    parameter INITVAL_33 = 320'h0;
    parameter INITVAL_34 = 320'h0;
    parameter INITVAL_35 = 320'h0;
    parameter INITVAL_36 = 320'h0;
    parameter INITVAL_37 = 320'h0;
    parameter INITVAL_38 = 320'h0;
    parameter INITVAL_39 = 320'h0;
    parameter INITVAL_3A = 320'h0;
    parameter INITVAL_3B = 320'h0;
    parameter INITVAL_3C = 320'h0;
    parameter INITVAL_3D = 320'h0;
    parameter INITVAL_3E = 320'h0;
    parameter INITVAL_3F = 320'h0;

    wire [17:0] dia = {DIA17, DIA16, DIA15, DIA14, DIA13, DIA12, DIA11, DIA10, DIA9, DIA8, DIA7, DIA6, DIA5, DIA4, DIA3, DIA2, DIA1, DIA0};
    wire [17:0] dib = {DIB17, DIB16, DIB15, DIB14, DIB13, DIB12, DIB11, DIB10, DIB9, DIB8, DIB7, DIB6, DIB5, DIB4, DIB3, DIB2, DIB1, DIB0};
    wire [13:0] ada = {ADA13, ADA12, ADA11, ADA10, ADA9, ADA8, ADA7, ADA6, ADA5, ADA4, ADA3, ADA2, ADA1, ADA0};
    wire [13:0] adb = {ADB13, ADB12, ADB11, ADB10, ADB9, ADB8, ADB7, ADB6, ADB5, ADB4, ADB3, ADB2, ADB1, ADB0};
    wire [2:0]  csa = {CSA2, CSA1, CSA0};
    wire [2:0]  csb = {CSB2, CSB1, CSB0};

    reg  [17:0] mem [0:1023];

    // ---- the parameters this model implements; anything else stops the simulation
    function integer width_ok(input integer w);
        width_ok = w == 1 || w == 2 || w == 4 || w == 9 || w == 18 || w == 36;
    endfunction

    function [2:0] csdecode(input [8*5-1:0] s);
        // "0bXYZ": s[23:16] = X, s[15:8] = Y, s[7:0] = Z
        csdecode = {s[16] , s[8], s[0]};    // '0' = 8'h30, '1' = 8'h31: bit 0 is the digit
    endfunction

    function integer csdecode_ok(input [8*5-1:0] s);
        csdecode_ok = s[39:24] == "0b" && (s[23:16] == "0" || s[23:16] == "1")
                      && (s[15:8] == "0" || s[15:8] == "1") && (s[7:0] == "0" || s[7:0] == "1");
    endfunction

    localparam [2:0] CSA_SEL = csdecode(CSDECODE_A);
    localparam [2:0] CSB_SEL = csdecode(CSDECODE_B);
    localparam OUTREG_A = REGMODE_A == "OUTREG";
    localparam OUTREG_B = REGMODE_B == "OUTREG";
    localparam ASYNC = RESETMODE == "ASYNC";
    // write modes: 0 NORMAL, 1 WRITETHROUGH, 2 READBEFOREWRITE
    localparam WMODE_A = WRITEMODE_A == "WRITETHROUGH" ? 1 : WRITEMODE_A == "READBEFOREWRITE" ? 2 : 0;
    localparam WMODE_B = WRITEMODE_B == "WRITETHROUGH" ? 1 : WRITEMODE_B == "READBEFOREWRITE" ? 2 : 0;

    task unsupported(input [8*24-1:0] name);
        begin
            $display("ERROR: DP16KD %m: parameter %0s: value not modelled by tests/hdl/ecp5_dp16kd.v", name);
            $finish(1);
        end
    endtask

    integer r, i;
    reg [319:0] iv;
    initial begin
        if (!width_ok(DATA_WIDTH_A)) unsupported("DATA_WIDTH_A");
        if (!width_ok(DATA_WIDTH_B)) unsupported("DATA_WIDTH_B");
        if (DATA_WIDTH_B == 36 && DATA_WIDTH_A != 36) unsupported("DATA_WIDTH_B");
        if (REGMODE_A != "NOREG" && REGMODE_A != "OUTREG") unsupported("REGMODE_A");
        if (REGMODE_B != "NOREG" && REGMODE_B != "OUTREG") unsupported("REGMODE_B");
        if (RESETMODE != "SYNC" && RESETMODE != "ASYNC") unsupported("RESETMODE");
        if (!csdecode_ok(CSDECODE_A)) unsupported("CSDECODE_A");
        if (!csdecode_ok(CSDECODE_B)) unsupported("CSDECODE_B");
        if (WRITEMODE_A != "NORMAL" && WRITEMODE_A != "WRITETHROUGH" && WRITEMODE_A != "READBEFOREWRITE")
            unsupported("WRITEMODE_A");
        if (WRITEMODE_B != "NORMAL" && WRITEMODE_B != "WRITETHROUGH" && WRITEMODE_B != "READBEFOREWRITE")
            unsupported("WRITEMODE_B");
        if (CLKAMUX != "CLKA") unsupported("CLKAMUX");
        if (CLKBMUX != "CLKB") unsupported("CLKBMUX");
        for (r = 0; r < 1024; r = r + 1) begin
            case (r / 16)
                'h00: iv = INITVAL_00; 'h01: iv = INITVAL_01; 'h02: iv = INITVAL_02; 'h03: iv = INITVAL_03;
                'h04: iv = INITVAL_04; 'h05: iv = INITVAL_05; 'h06: iv = INITVAL_06; 'h07: iv = INITVAL_07;
                'h08: iv = INITVAL_08; 'h09: iv = INITVAL_09; 'h0a: iv = INITVAL_0A; 'h0b: iv = INITVAL_0B;
                'h0c: iv = INITVAL_0C; 'h0d: iv = INITVAL_0D; 'h0e: iv = INITVAL_0E; 'h0f: iv = INITVAL_0F;
                'h10: iv = INITVAL_10; 'h11: iv = INITVAL_11; 'h12: iv = INITVAL_12; 'h13: iv = INITVAL_13;
                'h14: iv = INITVAL_14; 'h15: iv = INITVAL_15; 'h16: iv = INITVAL_16; 'h17: iv = INITVAL_17;
                'h18: iv = INITVAL_18; 'h19: iv = INITVAL_19; 'h1a: iv = INITVAL_1A; 'h1b: iv = INITVAL_1B;
                'h1c: iv = INITVAL_1C; 'h1d: iv = INITVAL_1D; 'h1e: iv = INITVAL_1E; 'h1f: iv = INITVAL_1F;
                'h20: iv = INITVAL_20; 'h21: iv = INITVAL_21; 'h22: iv = INITVAL_22; 'h23: iv = INITVAL_23;
                'h24: iv = INITVAL_24; 'h25: iv = INITVAL_25; 'h26: iv = INITVAL_26; 'h27: iv = INITVAL_27;
                'h28: iv = INITVAL_28; 'h29: iv = INITVAL_29; 'h2a: iv = INITVAL_2A; 'h2b: iv = INITVAL_2B;
                'h2c: iv = INITVAL_2C; 'h2d: iv = INITVAL_2D; 'h2e: iv = INITVAL_2E; 'h2f: iv = INITVAL_2F;
                'h30: iv = INITVAL_30; 'h31: iv = INITVAL_31; 'h32: iv = INITVAL_32; 'h33: iv = INITVAL_33;
                'h34: iv = INITVAL_34; 'h35: iv = INITVAL_35; 'h36: iv = INITVAL_36; 'h37: iv = INITVAL_37;
                'h38: iv = INITVAL_38; 'h39: iv = INITVAL_39; 'h3a: iv = INITVAL_3A; 'h3b: iv = INITVAL_3B;
                'h3c: iv = INITVAL_3C; 'h3d: iv = INITVAL_3D; 'h3e: iv = INITVAL_3E; default: iv = INITVAL_3F;
            endcase
            mem[r] = iv[20 * (r % 16) +: 18];
        end
    end

    // ---- one access: the rows it touches (two for width 36) and, per row, the mask of
    // the bits it reads or writes; `ok` is 0 when an address bit it uses is X/Z
    function [13:0] used_bits(input integer w);
        used_bits = w == 1 ? 14'h3fff : w == 2 ? 14'h3ffe : w == 4 ? 14'h3ffc :
                    w == 9 ? 14'h3ff8 : w == 18 ? 14'h3ff0 : 14'h3fe0;
    endfunction

    // data bit k of a narrow (1/2/4) word's row: the 16 data bits skip parity bits 8 and 17
    function integer dbit(input integer k);
        dbit = k + k / 8;
    endfunction

    // row of an access (the first of two for width 36)
    function [9:0] row_of(input integer w, input [13:0] ad);
        row_of = w == 36 ? {ad[13:5], 1'b0} : ad[13:4];
    endfunction

    // the physical bits of a narrow or 9-bit word within its row
    function [17:0] mask_of(input integer w, input [13:0] ad);
        integer k;
        begin
            mask_of = 18'h0;
            case (w)
                1:  mask_of[dbit(ad[3:0])] = 1'b1;
                2:  for (k = 0; k < 2; k = k + 1) mask_of[dbit(2 * ad[3:1] + k)] = 1'b1;
                4:  for (k = 0; k < 4; k = k + 1) mask_of[dbit(4 * ad[3:2] + k)] = 1'b1;
                9:  mask_of = ad[3] ? 18'h3fe00 : 18'h001ff;
                default: mask_of = 18'h3ffff;
            endcase
        end
    endfunction

    // a row's bits as the port's word (low bits), for widths up to 18
    function [17:0] extract(input integer w, input [13:0] ad, input [17:0] row);
        integer k;
        begin
            extract = {18{1'bx}};
            case (w)
                1:  extract[0] = row[dbit(ad[3:0])];
                2:  for (k = 0; k < 2; k = k + 1) extract[k] = row[dbit(2 * ad[3:1] + k)];
                4:  for (k = 0; k < 4; k = k + 1) extract[k] = row[dbit(4 * ad[3:2] + k)];
                9:  extract[8:0] = ad[3] ? row[17:9] : row[8:0];
                default: extract = row;
            endcase
        end
    endfunction

    // the port's word placed on the row's bits (for widths up to 18)
    function [17:0] place(input integer w, input [13:0] ad, input [17:0] d);
        integer k;
        begin
            place = {18{1'bx}};
            case (w)
                1:  place[dbit(ad[3:0])] = d[0];
                2:  for (k = 0; k < 2; k = k + 1) place[dbit(2 * ad[3:1] + k)] = d[k];
                4:  for (k = 0; k < 4; k = k + 1) place[dbit(4 * ad[3:2] + k)] = d[k];
                9:  if (ad[3]) place[17:9] = d[8:0]; else place[8:0] = d[8:0];
                default: place = d;
            endcase
        end
    endfunction

    // write-enable mask within each row: 18 and 36 have 9-bit byte enables on ADx3..0
    function [35:0] wmask(input integer w, input [13:0] ad);
        begin
            if (w == 18)
                wmask = {18'h0, {9{ad[1]}}, {9{ad[0]}}};
            else if (w == 36)
                wmask = {{9{ad[3]}}, {9{ad[2]}}, {9{ad[1]}}, {9{ad[0]}}};
            else
                wmask = {18'h0, mask_of(w, ad)};
        end
    endfunction

    // ---- the two ports, in one process so that a same-edge collision is seen in either
    // order; the latches and output registers change by non-blocking assignment
    reg  [35:0] lat_a = 36'h0, lat_b = 36'h0, oreg_a = 36'h0, oreg_b = 36'h0;
    reg  [35:0] nxt_a, nxt_b;
    reg         clka_q = 1'b0, clkb_q = 1'b0;
    // the last read and write of each port (for the same-edge collision checks), stamped
    // with $time: the harness must advance time every clock edge. A Verilator testbench
    // that never does ($time stays 0) makes every later read of the row a port last
    // wrote a "collision" (X; random in 2-state): a sliced dsr_lut built on this model
    // failed seed 5 at LUT entry 16383 (a slice's last address, its last write) so in
    // tb_dsr.cpp before it advanced time; it now steps $time half a clock before each
    // edge (make verilator-ecp5 runs the whole pipeline on this model).
    time        rd_t_a = -1, rd_t_b = -1, wr_t_a = -1, wr_t_b = -1;
    reg  [13:0] rd_ad_a, rd_ad_b;
    reg  [9:0]  wr_row_a, wr_row_b;
    reg  [35:0] wr_msk_a, wr_msk_b;

    function address_x(input integer w, input [13:0] ad);
        address_x = ^(ad & used_bits(w)) === 1'bx;
    endfunction

    // a read at the port's address: its word (a row pair for width 36), X if the address is
    function [35:0] read_word(input integer w, input [13:0] ad);
        reg [9:0] rw;
        begin
            rw = row_of(w, ad);
            if (address_x(w, ad))
                read_word = {36{1'bx}};
            else if (w == 36)
                read_word = {mem[rw + 10'd1], mem[rw]};
            else
                read_word = {18'h0, extract(w, ad, mem[rw])};
        end
    endfunction

    // the bits of row r that a write (first row wrow, per-row masks wmsk) changes
    function [17:0] on_row(input [9:0] r, input [9:0] wrow, input [35:0] wmsk);
        on_row = (r == wrow ? wmsk[17:0] : 18'h0) | (r == wrow + 10'd1 ? wmsk[35:18] : 18'h0);
    endfunction

    // the bits of a read's word (port layout) that a write of the other port changes
    function [35:0] clash(input integer w, input [13:0] ad, input [9:0] wrow, input [35:0] wmsk);
        reg [9:0]  rr;
        reg [35:0] ov;
        reg [17:0] t;
        integer    k;
        begin
            rr = row_of(w, ad);
            ov[17:0]  = (w >= 18 ? 18'h3ffff : mask_of(w, ad)) & on_row(rr, wrow, wmsk);
            ov[35:18] = w == 36 ? on_row(rr + 10'd1, wrow, wmsk) : 18'h0;
            if (w >= 18) begin
                clash = ov;
            end else begin
                t = extract(w, ad, ov[17:0]);
                clash = 36'h0;
                for (k = 0; k < 18; k = k + 1) clash[k] = t[k] === 1'b1;
            end
        end
    endfunction

    // one port's write of its word into the array (blocking: after both ports' reads)
    task write_word(input integer w, input [13:0] ad, input [35:0] d, input [35:0] we);
        reg [9:0]  rw;
        reg [17:0] pd;
        begin
            rw = row_of(w, ad);
            if (address_x(w, ad)) begin
                for (r = 0; r < 1024; r = r + 1) mem[r] = {18{1'bx}};
            end else if (w == 36) begin
                mem[rw]         = (mem[rw] & ~we[17:0]) | (d[17:0] & we[17:0]);
                mem[rw + 10'd1] = (mem[rw + 10'd1] & ~we[35:18]) | (d[35:18] & we[35:18]);
            end else begin
                pd = place(w, ad, d[17:0]);
                mem[rw] = (mem[rw] & ~we[17:0]) | (pd & we[17:0]);
            end
        end
    endtask

    // two writes at the same edge: the bits both change become X
    task write_clash(input [9:0] row, input [35:0] msk, input [9:0] orow, input [35:0] omsk);
        reg [17:0] o0, o1;
        begin
            o0 = on_row(row, row, msk) & on_row(row, orow, omsk);
            o1 = on_row(row + 10'd1, row, msk) & on_row(row + 10'd1, orow, omsk);
            mem[row] = mem[row] ^ (o0 & {18{1'bx}});
            if (o1 != 18'h0) mem[row + 10'd1] = mem[row + 10'd1] ^ (o1 & {18{1'bx}});
        end
    endtask

    // the decisions of each port at its edge
    reg        en_a, en_b, sel_a, sel_b, we_a, we_b, rst_a, rst_b;
    reg [35:0] wd_a, wd_b, wm_a, wm_b;

    always @(CLKA or CLKB) begin : ports
        reg rise_a, rise_b;
        rise_a = CLKA === 1'b1 && clka_q !== 1'b1;
        rise_b = CLKB === 1'b1 && clkb_q !== 1'b1;
        clka_q = CLKA;
        clkb_q = CLKB;
        // ---- decode
        if (rise_a) begin
            rst_a = RSTA === 1'b1 && !ASYNC;
            sel_a = csa === CSA_SEL;
            en_a  = CEA;
            we_a  = rst_a ? 1'b0 : WEA & sel_a;
            wd_a  = DATA_WIDTH_A == 36 ? {dib, dia} : {18'h0, dia};
            if (WEA !== 1'b0) wm_a = wmask(DATA_WIDTH_A, ada);
            if (^{CEA, RSTA, csa} === 1'bx)
                $display("WARNING: DP16KD %m: port A control X at %0t", $time);
        end
        if (rise_b) begin
            rst_b = RSTB === 1'b1 && !ASYNC;
            sel_b = csb === CSB_SEL;
            en_b  = CEB;
            we_b  = rst_b ? 1'b0 : WEB & sel_b;
            wd_b  = {18'h0, dib};
            if (WEB !== 1'b0) wm_b = wmask(DATA_WIDTH_B, adb);
            if (^{CEB, RSTB, csb} === 1'bx)
                $display("WARNING: DP16KD %m: port B control X at %0t", $time);
            if (DATA_WIDTH_A == 36 && CEB !== 1'b0 && WEB !== 1'b0) begin
                $display("ERROR: DP16KD %m: DATA_WIDTH_A 36 (port B read-only) with WEB at %0t", $time);
                $finish(1);
            end
        end
        // ---- reads, from the array before this edge's writes: the latch's next value
        if (rise_a && DATA_WIDTH_A != 36) begin
            nxt_a = lat_a;
            if (en_a === 1'b1 && sel_a) begin
                // NORMAL holds the latch on a write; WRITETHROUGH reads after it (below)
                if (we_a === 1'b0 || WMODE_A == 2) nxt_a = read_word(DATA_WIDTH_A, ada);
                else if (we_a !== 1'b1) nxt_a = {36{1'bx}};
                rd_t_a = $time;
                rd_ad_a = ada;
                if (wr_t_b == $time)
                    nxt_a = nxt_a ^ (clash(DATA_WIDTH_A, ada, wr_row_b, wr_msk_b) & {36{1'bx}});
            end else if (en_a !== 1'b0) begin
                nxt_a = {36{1'bx}};     // deselected (CSA != CSDECODE_A) or CEA X
            end
        end
        if (rise_b) begin
            nxt_b = lat_b;
            if (en_b === 1'b1 && sel_b) begin
                if (we_b === 1'b0 || WMODE_B == 2) nxt_b = read_word(DATA_WIDTH_B, adb);
                else if (we_b !== 1'b1) nxt_b = {36{1'bx}};
                rd_t_b = $time;
                rd_ad_b = adb;
                if (wr_t_a == $time)
                    nxt_b = nxt_b ^ (clash(DATA_WIDTH_B, adb, wr_row_a, wr_msk_a) & {36{1'bx}});
            end else if (en_b !== 1'b0) begin
                nxt_b = {36{1'bx}};
            end
        end
        // ---- writes
        if (rise_a && en_a !== 1'b0 && we_a !== 1'b0) begin
            write_word(DATA_WIDTH_A, ada, en_a === 1'b1 && we_a === 1'b1 ? wd_a : {36{1'bx}}, wm_a);
            wr_t_a = $time;
            wr_row_a = row_of(DATA_WIDTH_A, ada);
            wr_msk_a = wm_a;
            if (wr_t_b == $time) write_clash(wr_row_a, wr_msk_a, wr_row_b, wr_msk_b);
            if (rd_t_b == $time) begin
                nxt_b = nxt_b ^ (clash(DATA_WIDTH_B, rd_ad_b, wr_row_a, wr_msk_a) & {36{1'bx}});
                lat_b <= rst_b ? 36'h0 : nxt_b;
            end
            if (WMODE_A == 1 && DATA_WIDTH_A != 36 && en_a === 1'b1 && sel_a)
                nxt_a = read_word(DATA_WIDTH_A, ada);
        end
        if (rise_b && en_b !== 1'b0 && we_b !== 1'b0) begin
            write_word(DATA_WIDTH_B, adb, en_b === 1'b1 && we_b === 1'b1 ? wd_b : {36{1'bx}}, wm_b);
            wr_t_b = $time;
            wr_row_b = row_of(DATA_WIDTH_B, adb);
            wr_msk_b = wm_b;
            if (wr_t_a == $time) write_clash(wr_row_b, wr_msk_b, wr_row_a, wr_msk_a);
            if (rd_t_a == $time && DATA_WIDTH_A != 36) begin
                nxt_a = nxt_a ^ (clash(DATA_WIDTH_A, rd_ad_a, wr_row_b, wr_msk_b) & {36{1'bx}});
                lat_a <= rst_a ? 36'h0 : nxt_a;
            end
            if (WMODE_B == 1 && en_b === 1'b1 && sel_b) nxt_b = read_word(DATA_WIDTH_B, adb);
        end
        // ---- latches and output registers
        if (rise_a && DATA_WIDTH_A != 36) begin
            if (OUTREG_A) oreg_a <= rst_a ? 36'h0 : OCEA === 1'b1 ? lat_a : OCEA === 1'b0 ? oreg_a : {36{1'bx}};
            lat_a <= rst_a ? 36'h0 : nxt_a;
        end
        if (rise_b) begin
            if (OUTREG_B) oreg_b <= rst_b ? 36'h0 : OCEB === 1'b1 ? lat_b : OCEB === 1'b0 ? oreg_b : {36{1'bx}};
            lat_b <= rst_b ? 36'h0 : nxt_b;
        end
    end

    // RESETMODE "ASYNC": RSTx clears the latch and the output register while high
    always @* begin
        if (ASYNC && RSTA === 1'b1) begin
            lat_a  <= 36'h0;
            oreg_a <= 36'h0;
        end
        if (ASYNC && RSTB === 1'b1) begin
            lat_b  <= 36'h0;
            oreg_b <= 36'h0;
        end
    end

    wire [35:0] q_a = OUTREG_A ? oreg_a : lat_a;
    wire [35:0] q_b = OUTREG_B ? oreg_b : lat_b;
    // a port's unused output bits are X; width 36 reads come out on DOB (high) and DOA (low)
    function [17:0] outw(input integer w, input [35:0] q);
        outw = w == 1 ? {{17{1'bx}}, q[0]} : w == 2 ? {{16{1'bx}}, q[1:0]} : w == 4 ? {{14{1'bx}}, q[3:0]} :
               w == 9 ? {{9{1'bx}}, q[8:0]} : q[17:0];
    endfunction
    wire [17:0] doa = DATA_WIDTH_B == 36 ? q_b[17:0] : DATA_WIDTH_A == 36 ? {18{1'bx}} : outw(DATA_WIDTH_A, q_a);
    wire [17:0] dob = DATA_WIDTH_B == 36 ? q_b[35:18] : outw(DATA_WIDTH_B, q_b);
    assign {DOA17, DOA16, DOA15, DOA14, DOA13, DOA12, DOA11, DOA10, DOA9, DOA8, DOA7, DOA6, DOA5, DOA4, DOA3, DOA2, DOA1, DOA0} = doa;
    assign {DOB17, DOB16, DOB15, DOB14, DOB13, DOB12, DOB11, DOB10, DOB9, DOB8, DOB7, DOB6, DOB5, DOB4, DOB3, DOB2, DOB1, DOB0} = dob;
endmodule
