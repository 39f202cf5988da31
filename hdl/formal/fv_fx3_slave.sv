// fv_fx3_slave - formal harness for dsr_fx3_slave against a model of the FX3's slave FIFO.
//
// The FX3 side, per thread: write threads 2, 3 have a buffer (free or not) that fills word
// by word and is committed when full or by PKTEND#; read threads 0, 1 have a buffer
// (ready or not) whose first word is the byte count, then ceil(count / 4) data words. After
// a buffer ends (committed, or read to its end) the next one may or may not be there,
// and a free / ready buffer may appear at any time (the host's pace). The flag is the
// assumption: it may still show the old buffer for FLAG_STALE cycles after the edge that
// ended it, and it may be late to rise, but otherwise a raised flag means the buffer is
// there. Read data appears on DQ RD_LATENCY cycles after the cycle SLRD# was low (the
// count word of the header read; data words are free). The package is the real one with
// DSR_FX3_BUF_BYTES = 16 (4-word buffers, built by run.sh from rtl/dsr_pkg.sv): the module
// is written for any buffer size, the proof needs a small one.
`default_nettype none

module fv_fx3_slave #(
    parameter int FLAG_STALE = dsr_pkg::DSR_FX3_FLAG_LATENCY
) (
    input logic        clk,
    input logic [31:0] dq_i,
    input logic [3:0]  flag,
    input logic        m0_ready, m1_ready,
    input logic [31:0] s2_data, s3_data,
    input logic        s2_last, s3_last, s2_valid, s3_valid,
    input logic [1:0]  w_next, r_next, w_free, r_fill,   // the host's pace (free)
    input logic [14:0] count_in                          // a buffer's byte count (free)
);
    localparam int RD_LAT    = dsr_pkg::DSR_FX3_RD_LATENCY;
    localparam int BUF_BYTES = dsr_pkg::DSR_FX3_BUF_BYTES;
    localparam int BUF_WORDS = BUF_BYTES / 4;

    logic rst;
    logic [31:0] dq_o, m0_data, m1_data;
    logic dq_oe, slcs_n, sloe_n, slrd_n, slwr_n, pktend_n;
    logic [1:0] a, m0_keep, m1_keep;
    logic m0_last, m0_valid, m1_last, m1_valid, s2_ready, s3_ready;

    dsr_fx3_slave dut (
        .clk, .rst, .dq_o, .dq_oe, .dq_i, .a, .slcs_n, .sloe_n, .slrd_n, .slwr_n, .pktend_n,
        .flag, .m0_data, .m0_keep, .m0_last, .m0_valid, .m0_ready,
        .m1_data, .m1_keep, .m1_last, .m1_valid, .m1_ready,
        .s2_data, .s2_last, .s2_valid, .s2_ready, .s3_data, .s3_last, .s3_valid, .s3_ready
    );

    logic init = 1'b1;
    always_ff @(posedge clk) init <= 1'b0;
    assign rst = init;

    // ---- the bus as the FX3 sees it at the end of this cycle
    logic wr_pin, rd_pin;
    assign wr_pin = !slcs_n && !slwr_n;
    assign rd_pin = !slcs_n && !slrd_n;

    // ---- the FX3's sockets
    logic [1:0]  wbuf;                 // threads 2, 3: a free buffer is being filled
    logic [1:0][2:0] wfill;            // ... words in it
    logic [1:0]  rbuf;                 // threads 0, 1: a full buffer is being read
    logic [1:0]  rhdr_done;            // ... its count word was read
    logic [1:0][12:0] rleft;           // ... data words left
    logic [3:0][2:0] since;            // cycles since the thread's buffer ended (saturating)

    logic w_commit, r_end, hdr_read;
    logic [1:0] wt;
    logic rt;
    logic [12:0] words_in;
    assign wt = a[0];                  // write threads 2, 3 -> index 0, 1
    assign rt = a[0];
    assign words_in = 13'((count_in + 15'd3) >> 2);
    assign hdr_read = rd_pin && !a[1] && !rhdr_done[rt];
    assign w_commit = wr_pin && a[1] && (!pktend_n || wfill[wt] == 3'(BUF_WORDS - 1));
    assign r_end    = rd_pin && !a[1] &&
                      (hdr_read ? words_in == 0 : rleft[rt] == 13'd1);

    always_ff @(posedge clk) begin
        if (init) begin
            wbuf <= '0; wfill <= '0; rbuf <= '0; rhdr_done <= '0; rleft <= '0;
            since <= {4{3'd7}};
        end else begin
            for (int t = 0; t < 4; t++) if (since[t] != 3'd7) since[t] <= since[t] + 1'b1;
            for (int t = 0; t < 2; t++) begin
                if (!wbuf[t] && w_free[t]) wbuf[t] <= 1'b1;
                if (!rbuf[t] && r_fill[t]) rbuf[t] <= 1'b1;
            end
            if (wr_pin && a[1]) begin
                if (w_commit) begin
                    wfill[wt] <= '0;
                    wbuf[wt]  <= w_next[wt];
                    since[{1'b1, wt[0]}] <= '0;
                end else begin
                    wfill[wt] <= wfill[wt] + 1'b1;
                end
            end
            if (rd_pin && !a[1]) begin
                if (hdr_read) begin
                    rhdr_done[rt] <= 1'b1;
                    rleft[rt]     <= words_in;
                end else begin
                    rleft[rt] <= rleft[rt] - 1'b1;
                end
                if (r_end) begin
                    rhdr_done[rt] <= 1'b0;
                    rbuf[rt]      <= r_next[rt];
                    since[{1'b0, rt}] <= '0;
                end
            end
        end
    end

    // the flag: a raised flag means the buffer is there, except for FLAG_STALE cycles
    // after the edge that ended the previous one
    always @(*) begin
        if (!init) begin
            if (since[2] >= 3'(FLAG_STALE) && flag[2]) assume (wbuf[0]);
            if (since[3] >= 3'(FLAG_STALE) && flag[3]) assume (wbuf[1]);
            if (since[0] >= 3'(FLAG_STALE) && flag[0]) assume (rbuf[0]);
            if (since[1] >= 3'(FLAG_STALE) && flag[1]) assume (rbuf[1]);
        end
        assume (count_in <= 15'(BUF_BYTES));
    end

    // read data: the count word RD_LAT cycles after its read
    logic [RD_LAT-1:0] hdr_pipe;
    logic [RD_LAT-1:0][14:0] cnt_pipe;
    always_ff @(posedge clk) begin
        hdr_pipe <= {hdr_pipe[RD_LAT-2:0], !init && hdr_read};
        cnt_pipe <= {cnt_pipe[RD_LAT-2:0], count_in};
    end
    always @(*) if (hdr_pipe[RD_LAT-1]) assume (dq_i == 32'(cnt_pipe[RD_LAT-1]));

    // ---- the source words accepted last cycle, to be on the pins now
    logic        pend = 1'b0, pend_last;
    logic        pend_t;
    logic [31:0] pend_data;
    always_ff @(posedge clk) begin
        pend      <= !init && ((s2_valid && s2_ready) || (s3_valid && s3_ready));
        pend_t    <= s3_valid && s3_ready;
        pend_last <= (s3_valid && s3_ready) ? s3_last : s2_last;
        pend_data <= (s3_valid && s3_ready) ? s3_data : s2_data;
    end

    always @(*) begin
        if (!init) begin
            // never written past full: every write meets a free buffer of its thread
            if (wr_pin) assert (a[1] && wbuf[wt]);
            // never read past empty: a read meets a ready buffer, and no more words than
            // its count word says
            if (rd_pin) assert (!a[1] && rbuf[rt]);
            if (rd_pin && !hdr_read) assert (rleft[rt] != 0);
            // each accepted source word is written once, in order, with its data, the
            // cycle after it was accepted; nothing else is written
            assert (wr_pin == pend);
            if (pend) assert (a == {1'b1, pend_t} && dq_oe && dq_o == pend_data);
            // packet boundaries: PKTEND# exactly with a packet's last word that does not
            // fill the buffer (a full buffer is committed by the FX3 itself)
            if (!pktend_n) assert (wr_pin);
            if (wr_pin) assert (!pktend_n == (pend_last && wfill[wt] != 3'(BUF_WORDS - 1)));
            // the bus: one direction at a time, no contention
            assert (!(rd_pin && wr_pin));
            if (!sloe_n) assert (!dq_oe);
            // one word per handshake on the source side
            assert (!(s2_ready && s3_ready));
        end
    end

    // interesting cases
    always @(*) begin
        if (!init) begin
            cover (w_commit && pktend_n);                 // a buffer written full
            cover (w_commit && !pktend_n);                // a short packet
            cover (r_end && !hdr_read);                   // a buffer read to its end
            cover (r_end && hdr_read);                    // a zero-length buffer
        end
    end
endmodule

`default_nettype wire
