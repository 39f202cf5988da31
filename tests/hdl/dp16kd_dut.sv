// dp16kd_dut - the block RAMs tb_dp16kd checks ecp5_dp16kd.v with. tb_dp16kd runs this
// module as RTL (the reference) beside synth_ecp5's netlist of it (DP16KD cells simulated
// by ecp5_dp16kd.v), on the same stimulus, and compares every defined output bit.
//
// Inferred memories, mapped by synth_ecp5 as it maps ours: the LUT's slice (dsr_ram_dp,
// 16K x 1 port A read/write, B read; with OUT_REG at 16K, 4K and 512 deep: DP16KD
// instantiated with its output registers, read with DSR_ECP5 as hdl/synth reads it), the frame store's (dsr_ram_sdp at 16K, 8K, 4K, 2K
// and 1K deep: widths 1, 2, 4, 9, 18; with OUT_REG at 16K, as the on-chip store's, and at 4K x 8, as the DRAM store's cache), byte enables on 18 and 36 bits (PDPW16KD), a
// write-first and a no-change port, initialised ROMs (INITVAL at widths 1, 4, 18).
// Under SYNTHESIS, DP16KD instantiated directly in the modes synth_ecp5 never emits
// (REGMODE OUTREG with OCE, CSDECODE, RESETMODE SYNC with RST, WRITEMODE per port) at
// each width with both ports the same width; without it a plain behavioural equivalent.
`default_nettype none

module dp16kd_dut (
    input  logic         clk,
    input  logic         en_a,
    input  logic         we_a,
    input  logic [13:0]  addr_a,
    input  logic [35:0]  wdata,
    input  logic [3:0]   be,
    input  logic         en_b,
    input  logic         we_b,
    input  logic [13:0]  addr_b,
    input  logic [17:0]  wdata_b,
    input  logic         oce_a,
    input  logic         oce_b,
    input  logic         rst_a,
    input  logic         rst_b,
    input  logic [2:0]   cs_a,
    input  logic [2:0]   cs_b,
    output logic [519:0] q
);

    // ---- inferred, as our RTL's
    logic [15:0] lut_a, lut_b, s14, s13, s12;
    logic [17:0] s11, s10;
    dsr_ram_dp #(.DATA_WIDTH(16), .ADDR_WIDTH(14)) u_lut (
        .clk(clk), .a_en(en_a), .a_we(we_a), .a_addr(addr_a), .a_wdata(wdata[15:0]), .a_oce(oce_a),
        .a_rdata(lut_a), .b_en(en_b), .b_addr(addr_b), .b_oce(oce_b), .b_rdata(lut_b));
    // dsr_ram_dp with its output registers (OUT_REG): DP16KD instantiated under DSR_ECP5
    logic [15:0] o14_a, o14_b, o12_a, o12_b, o10_a, o10_b;
    dsr_ram_dp #(.DATA_WIDTH(16), .ADDR_WIDTH(14), .OUT_REG(1'b1)) u_o14 (
        .clk(clk), .a_en(en_a), .a_we(we_a), .a_addr(addr_a), .a_wdata(wdata[15:0]), .a_oce(oce_a),
        .a_rdata(o14_a), .b_en(en_b), .b_addr(addr_b), .b_oce(oce_b), .b_rdata(o14_b));
    dsr_ram_dp #(.DATA_WIDTH(16), .ADDR_WIDTH(12), .OUT_REG(1'b1)) u_o12 (
        .clk(clk), .a_en(en_a), .a_we(we_a), .a_addr(addr_a[11:0]), .a_wdata(wdata[31:16]), .a_oce(oce_a),
        .a_rdata(o12_a), .b_en(en_b), .b_addr(addr_b[11:0]), .b_oce(oce_b), .b_rdata(o12_b));
    dsr_ram_dp #(.DATA_WIDTH(16), .ADDR_WIDTH(9), .OUT_REG(1'b1)) u_o10 (
        .clk(clk), .a_en(en_a), .a_we(we_a), .a_addr(addr_a[8:0]), .a_wdata(wdata[35:20]), .a_oce(oce_a),
        .a_rdata(o10_a), .b_en(en_b), .b_addr(addr_b[8:0]), .b_oce(oce_b), .b_rdata(o10_b));
    // dsr_ram_sdp with its output register (OUT_REG), as the on-chip frame store's
    logic [15:0] r14;
    dsr_ram_sdp #(.DATA_WIDTH(16), .ADDR_WIDTH(14), .OUT_REG(1'b1)) u_r14 (
        .clk(clk), .wr_en(we_a), .wr_addr(addr_a), .wr_data(wdata[31:16]),
        .rd_en(en_b), .rd_addr(addr_b), .rd_oce(oce_b), .rd_data(r14));
    // and 4K deep, two 4-bit slices side by side, as the DRAM store's tile cache (4K x 64
    // at CACHE_NYB = 2: sixteen such slices)
    logic [7:0] r12;
    dsr_ram_sdp #(.DATA_WIDTH(8), .ADDR_WIDTH(12), .OUT_REG(1'b1)) u_r12 (
        .clk(clk), .wr_en(we_a), .wr_addr(addr_a[11:0]), .wr_data(wdata[35:28]),
        .rd_en(en_b), .rd_addr(addr_b[11:0]), .rd_oce(oce_b), .rd_data(r12));
    dsr_ram_sdp #(.DATA_WIDTH(16), .ADDR_WIDTH(14)) u_s14 (
        .clk(clk), .wr_en(we_a), .wr_addr(addr_a), .wr_data(wdata[15:0]),
        .rd_en(en_b), .rd_addr(addr_b), .rd_oce(1'b0), .rd_data(s14));
    dsr_ram_sdp #(.DATA_WIDTH(16), .ADDR_WIDTH(13)) u_s13 (
        .clk(clk), .wr_en(we_a), .wr_addr(addr_a[12:0]), .wr_data(wdata[31:16]),
        .rd_en(en_b), .rd_addr(addr_b[12:0]), .rd_oce(1'b0), .rd_data(s13));
    dsr_ram_sdp #(.DATA_WIDTH(16), .ADDR_WIDTH(12)) u_s12 (
        .clk(clk), .wr_en(we_a), .wr_addr(addr_a[11:0]), .wr_data(wdata[25:10]),
        .rd_en(en_b), .rd_addr(addr_b[11:0]), .rd_oce(1'b0), .rd_data(s12));
    dsr_ram_sdp #(.DATA_WIDTH(18), .ADDR_WIDTH(11)) u_s11 (
        .clk(clk), .wr_en(we_a), .wr_addr(addr_a[10:0]), .wr_data(wdata[35:18]),
        .rd_en(en_b), .rd_addr(addr_b[10:0]), .rd_oce(1'b0), .rd_data(s11));
    dsr_ram_sdp #(.DATA_WIDTH(18), .ADDR_WIDTH(10)) u_s10 (
        .clk(clk), .wr_en(we_a), .wr_addr(addr_a[9:0]), .wr_data(wdata[17:0]),
        .rd_en(en_b), .rd_addr(addr_b[9:0]), .rd_oce(1'b0), .rd_data(s10));

    // 1K x 18 with two 9-bit byte enables, 512 x 36 with four
    logic [17:0] be18 [0:1023];
    logic [35:0] be36 [0:511];
    logic [17:0] q_be18;
    logic [35:0] q_be36;
    always_ff @(posedge clk) begin
        if (we_a && be[0]) be18[addr_a[9:0]][8:0]  <= wdata[8:0];
        if (we_a && be[1]) be18[addr_a[9:0]][17:9] <= wdata[17:9];
        if (en_b) q_be18 <= be18[addr_b[9:0]];
    end
    always_ff @(posedge clk) begin
        if (we_a && be[0]) be36[addr_a[8:0]][8:0]   <= wdata[8:0];
        if (we_a && be[1]) be36[addr_a[8:0]][17:9]  <= wdata[17:9];
        if (we_a && be[2]) be36[addr_a[8:0]][26:18] <= wdata[26:18];
        if (we_a && be[3]) be36[addr_a[8:0]][35:27] <= wdata[35:27];
        if (en_b) q_be36 <= be36[addr_b[8:0]];
    end

    // write-first (WRITETHROUGH) and no-change (NORMAL) single ports, 1K x 18 and 2K x 9
    logic [17:0] wf [0:1023];
    logic [8:0]  nc [0:2047];
    logic [17:0] q_wf;
    logic [8:0]  q_nc;
    always_ff @(posedge clk) begin
        if (en_a) begin
            if (we_a) begin
                wf[addr_a[9:0]] <= wdata[17:0];
                q_wf <= wdata[17:0];
            end else begin
                q_wf <= wf[addr_a[9:0]];
            end
        end
    end
    always_ff @(posedge clk) begin
        if (en_a) begin
            if (we_a) nc[addr_a[10:0]] <= wdata[8:0];
            else      q_nc <= nc[addr_a[10:0]];
        end
    end

    // initialised ROMs: 16K x 1, 4K x 4, 1K x 18
    logic        rom1 [0:16383];
    logic [3:0]  rom4 [0:4095];
    logic [17:0] rom18 [0:1023];
    logic        q_rom1;
    logic [3:0]  q_rom4;
    logic [17:0] q_rom18;
    integer i;
    initial begin
        for (i = 0; i < 16384; i = i + 1) rom1[i] = 1'((i * 40503) >> 7);
        for (i = 0; i < 4096; i = i + 1) rom4[i] = 4'((i * 40503) >> 5);
        for (i = 0; i < 1024; i = i + 1) rom18[i] = 18'((i * 40503 * 7) >> 3);
    end
    always_ff @(posedge clk) begin
        q_rom1  <= rom1[addr_b];
        q_rom4  <= rom4[addr_b[11:0]];
        q_rom18 <= rom18[addr_b[9:0]];
    end

    // ---- DP16KD's own modes, both ports the same width: x1, x2, x4, x9, x18
    localparam int NW = 5;
    logic [NW*36-1:0] prim_q;
    genvar g;
    generate
        for (g = 0; g < NW; g++) begin : g_prim
            localparam int W  = g == 0 ? 1 : g == 1 ? 2 : g == 2 ? 4 : g == 3 ? 9 : 18;
            localparam int AW = W == 1 ? 14 : W == 2 ? 13 : W == 4 ? 12 : W == 9 ? 11 : 10;
            // port modes vary with the width: A write-through / normal / read-before-write
            // (strings as vectors: Yosys has no string parameters)
            localparam logic [119:0] WMA = g % 3 == 0 ? "WRITETHROUGH" : g % 3 == 1 ? "NORMAL" : "READBEFOREWRITE";
            localparam logic [119:0] WMB = g % 3 == 0 ? "NORMAL" : g % 3 == 1 ? "READBEFOREWRITE" : "WRITETHROUGH";
            localparam logic [47:0]  RMA = g % 2 == 0 ? "OUTREG" : "NOREG";
            localparam logic [2:0]   CSA = 3'(g + 1), CSB = 3'(5 - g);
            localparam logic [39:0]  CSA_S = {"0b", 8'h30 | CSA[2], 8'h30 | CSA[1], 8'h30 | CSA[0]};
            localparam logic [39:0]  CSB_S = {"0b", 8'h30 | CSB[2], 8'h30 | CSB[1], 8'h30 | CSB[0]};
            logic [AW-1:0] aa, ab;
            logic [W-1:0]  da, db, qa, qb;
            assign aa = addr_a[AW-1:0];
            assign ab = addr_b[AW-1:0];
            assign da = W'(wdata);
            assign db = W'(wdata_b);
`ifdef SYNTHESIS
            logic [13:0] ada, adb;
            logic [17:0] doa, dob, dia, dib;
            // the port's address on ADx13..(14 - AW); at 18 bits ADx1..0 are the byte enables
            assign ada = W == 18 ? {aa, 4'b0011} : 14'(aa) << (14 - AW);
            assign adb = W == 18 ? {ab, 4'b0011} : 14'(ab) << (14 - AW);
            assign dia = 18'(da);
            assign dib = 18'(db);
            assign qa  = doa[W-1:0];
            assign qb  = dob[W-1:0];
            DP16KD #(
                .DATA_WIDTH_A(W), .DATA_WIDTH_B(W), .REGMODE_A(RMA), .REGMODE_B("OUTREG"),
                .RESETMODE("SYNC"), .CSDECODE_A(CSA_S), .CSDECODE_B(CSB_S),
                .WRITEMODE_A(WMA), .WRITEMODE_B(WMB), .GSR("DISABLED")
            ) ram (
                .DIA17(dia[17]), .DIA16(dia[16]), .DIA15(dia[15]), .DIA14(dia[14]), .DIA13(dia[13]), .DIA12(dia[12]),
                .DIA11(dia[11]), .DIA10(dia[10]), .DIA9(dia[9]), .DIA8(dia[8]), .DIA7(dia[7]), .DIA6(dia[6]),
                .DIA5(dia[5]), .DIA4(dia[4]), .DIA3(dia[3]), .DIA2(dia[2]), .DIA1(dia[1]), .DIA0(dia[0]),
                .ADA13(ada[13]), .ADA12(ada[12]), .ADA11(ada[11]), .ADA10(ada[10]), .ADA9(ada[9]), .ADA8(ada[8]),
                .ADA7(ada[7]), .ADA6(ada[6]), .ADA5(ada[5]), .ADA4(ada[4]), .ADA3(ada[3]), .ADA2(ada[2]),
                .ADA1(ada[1]), .ADA0(ada[0]),
                .CEA(en_a), .OCEA(oce_a), .CLKA(clk), .WEA(we_a), .RSTA(rst_a),
                .CSA2(cs_a[2]), .CSA1(cs_a[1]), .CSA0(cs_a[0]),
                .DOA17(doa[17]), .DOA16(doa[16]), .DOA15(doa[15]), .DOA14(doa[14]), .DOA13(doa[13]), .DOA12(doa[12]),
                .DOA11(doa[11]), .DOA10(doa[10]), .DOA9(doa[9]), .DOA8(doa[8]), .DOA7(doa[7]), .DOA6(doa[6]),
                .DOA5(doa[5]), .DOA4(doa[4]), .DOA3(doa[3]), .DOA2(doa[2]), .DOA1(doa[1]), .DOA0(doa[0]),
                .DIB17(dib[17]), .DIB16(dib[16]), .DIB15(dib[15]), .DIB14(dib[14]), .DIB13(dib[13]), .DIB12(dib[12]),
                .DIB11(dib[11]), .DIB10(dib[10]), .DIB9(dib[9]), .DIB8(dib[8]), .DIB7(dib[7]), .DIB6(dib[6]),
                .DIB5(dib[5]), .DIB4(dib[4]), .DIB3(dib[3]), .DIB2(dib[2]), .DIB1(dib[1]), .DIB0(dib[0]),
                .ADB13(adb[13]), .ADB12(adb[12]), .ADB11(adb[11]), .ADB10(adb[10]), .ADB9(adb[9]), .ADB8(adb[8]),
                .ADB7(adb[7]), .ADB6(adb[6]), .ADB5(adb[5]), .ADB4(adb[4]), .ADB3(adb[3]), .ADB2(adb[2]),
                .ADB1(adb[1]), .ADB0(adb[0]),
                .CEB(en_b), .OCEB(oce_b), .CLKB(clk), .WEB(we_b), .RSTB(rst_b),
                .CSB2(cs_b[2]), .CSB1(cs_b[1]), .CSB0(cs_b[0]),
                .DOB17(dob[17]), .DOB16(dob[16]), .DOB15(dob[15]), .DOB14(dob[14]), .DOB13(dob[13]), .DOB12(dob[12]),
                .DOB11(dob[11]), .DOB10(dob[10]), .DOB9(dob[9]), .DOB8(dob[8]), .DOB7(dob[7]), .DOB6(dob[6]),
                .DOB5(dob[5]), .DOB4(dob[4]), .DOB3(dob[3]), .DOB2(dob[2]), .DOB1(dob[1]), .DOB0(dob[0])
            );
`else
            // the reference: a W-bit memory, a latch per port (the read), an output register
            logic [W-1:0] mem [0:(1 << AW) - 1];
            logic [W-1:0] lat_a = '0, lat_b = '0, reg_a = '0, reg_b = '0;
            logic         on_a, on_b;
            assign on_a = en_a && cs_a == CSA && !rst_a;
            assign on_b = en_b && cs_b == CSB && !rst_b;
            always_ff @(posedge clk) begin
                if (on_a && we_a) mem[aa] <= da;
                if (on_b && we_b) mem[ab] <= db;
            end
            always_ff @(posedge clk) begin
                if (rst_a) lat_a <= '0;
                else if (en_a && cs_a != CSA) lat_a <= 'x;
                else if (on_a && !we_a) lat_a <= mem[aa];
                else if (on_a && WMA == "WRITETHROUGH") lat_a <= da;
                else if (on_a && WMA == "READBEFOREWRITE") lat_a <= mem[aa];
                if (rst_b) lat_b <= '0;
                else if (en_b && cs_b != CSB) lat_b <= 'x;
                else if (on_b && !we_b) lat_b <= mem[ab];
                else if (on_b && WMB == "WRITETHROUGH") lat_b <= db;
                else if (on_b && WMB == "READBEFOREWRITE") lat_b <= mem[ab];
                if (rst_a) reg_a <= '0;
                else if (oce_a) reg_a <= lat_a;
                if (rst_b) reg_b <= '0;
                else if (oce_b) reg_b <= lat_b;
            end
            assign qa = RMA == "OUTREG" ? reg_a : lat_a;
            assign qb = reg_b;
`endif
            assign prim_q[g*36 +: 36] = {18'(qb), 18'(qa)};
        end
    endgenerate

    assign q = 520'({r12, r14, o10_b, o10_a, o12_b, o12_a, o14_b, o14_a, prim_q, q_rom18, q_rom4, q_rom1, q_nc, q_wf, q_be36, q_be18, s10, s11, s12, s13, s14,
                     lut_b, lut_a});

endmodule

`default_nettype wire
