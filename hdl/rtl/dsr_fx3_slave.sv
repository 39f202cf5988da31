// dsr_fx3_slave - the FPGA side of the FX3's GPIF II synchronous slave FIFO (32 bits).
//
// The FPGA is the bus master: it drives PCLK (outside this module), SLCS#, SLOE#, SLRD#,
// SLWR#, PKTEND# and A[1:0], and reads the four dedicated "DMA ready" flags (thread 0..3,
// dsr_hw.h DSR_FX3_*). Every pin is registered here (outputs from flops, inputs sampled
// into flops), so the internal latencies are the pin-level ones of dsr_hw.h plus two.
//
// Reads (threads 0 and 1, FX3 -> FPGA): the firmware puts a byte-count word in front of
// each DMA buffer (a consumer header; the buffer's data area is DSR_FX3_BUF_BYTES). When a thread's flag says a buffer is ready, one read fetches the count,
// then exactly that many bytes are read (rounded up to words) and streamed out with `keep`
// (16-bit halves valid) and `last` on the final word of a short buffer (the end of a USB
// transfer; a zero-length packet is one beat with keep = 0). A read is issued only when
// the receive FIFO has room for it and every read still in flight, so a read never has to
// be dropped. Reads never go past the buffer's end: no over-read, no guessing from a flag.
//
// Writes (threads 2 and 3, FPGA -> FX3): a thread is written while its flag says a buffer
// is free; the module counts the words of the current buffer (DSR_FX3_BUF_BYTES) and stops
// at its end. PKTEND# goes with the last word of a packet (s*_last) unless that word fills
// the buffer, which the FX3 commits by itself. A burst also ends when the source runs dry;
// the partly filled buffer stays with its thread and the count continues later.
//
// Flag latency: after a thread's buffer ended (read to its end, written full or PKTEND#),
// its flag still shows the old buffer for up to DSR_FX3_FLAG_LATENCY edges; the thread is
// left alone until the flag can show the next buffer. Between a read and a write burst one
// idle cycle with SLOE# high turns the bus around.
`default_nettype none

module dsr_fx3_slave #(
    parameter int RX_DEPTH = 16      // receive FIFO (power of two, > read latency + 2)
) (
    input  logic        clk,         // PCLK domain
    input  logic        rst,

    // pins (registered; the board top adds the I/O buffers)
    output logic [31:0] dq_o,
    output logic        dq_oe,
    input  logic [31:0] dq_i,
    output logic [1:0]  a,
    output logic        slcs_n,
    output logic        sloe_n,
    output logic        slrd_n,
    output logic        slwr_n,
    output logic        pktend_n,
    input  logic [3:0]  flag,

    // thread 0: host frames in
    output logic [31:0] m0_data,
    output logic [1:0]  m0_keep,
    output logic        m0_last,
    output logic        m0_valid,
    input  logic        m0_ready,

    // thread 1: command packets
    output logic [31:0] m1_data,
    output logic [1:0]  m1_keep,
    output logic        m1_last,
    output logic        m1_valid,
    input  logic        m1_ready,

    // thread 2: output frames to the host
    input  logic [31:0] s2_data,
    input  logic        s2_last,
    input  logic        s2_valid,
    output logic        s2_ready,

    // thread 3: command responses
    input  logic [31:0] s3_data,
    input  logic        s3_last,
    input  logic        s3_valid,
    output logic        s3_ready
);

    localparam int RD_LAT    = dsr_pkg::DSR_FX3_RD_LATENCY;
    localparam int FLAG_LAT  = dsr_pkg::DSR_FX3_FLAG_LATENCY;
    localparam int BUF_WORDS = dsr_pkg::DSR_FX3_BUF_BYTES / 4;
    localparam int BW        = $clog2(BUF_WORDS + 1);
    localparam int PIPE      = RD_LAT + 2;          // issue -> data in dq_q
    localparam int WAIT      = FLAG_LAT + 3;        // buffer end -> flag shows the next
    localparam int RXA       = $clog2(RX_DEPTH);

    initial begin
        if (RX_DEPTH < PIPE + 2 || (RX_DEPTH & (RX_DEPTH - 1)) != 0) begin
            $fatal(1, "dsr_fx3_slave: RX_DEPTH must be a power of two above the read latency");
        end
        if (BUF_WORDS < 2) begin
            $fatal(1, "dsr_fx3_slave: an FX3 buffer of at least two words (wr_full)");
        end
    end

    // ---- input registers
    logic [31:0] dq_q;
    logic [3:0]  flag_q;
    always_ff @(posedge clk) begin
        dq_q   <= dq_i;
        flag_q <= rst ? 4'b0000 : flag;
    end

    // ---- per-thread wait after a buffer end, and write-side word counts
    logic [3:0]            blocked;
    logic [3:0][3:0]       wait_cnt;
    logic [3:0]            block_now;       // start a wait this cycle
    logic [1:0][BW-1:0]    wr_count;        // threads 2, 3
    logic [1:0]            wr_full;         // wr_count == BUF_WORDS - 1, registered with it

    // blocked[t] = wait_cnt[t] != 0, kept as a flip-flop computed from the next count
    // (timing: the count's zero test stays out of the pick; a routed board's fx3_clk path
    // ran wait_cnt -> the flag pick -> rd_bytes, 2.9 ns logic, 7.7 ns routing)
    always_ff @(posedge clk) begin
        for (int t = 0; t < 4; t++) begin
            if (rst) begin
                wait_cnt[t] <= '0;
                blocked[t]  <= 1'b0;
            end else if (block_now[t]) begin
                wait_cnt[t] <= 4'(WAIT);
                blocked[t]  <= 1'b1;                       // WAIT > 0
            end else if (wait_cnt[t] != 0) begin
                wait_cnt[t] <= wait_cnt[t] - 1'b1;
                blocked[t]  <= wait_cnt[t] != 4'd1;
            end
        end
    end

    // ---- receive FIFO (shared by threads 0 and 1; one buffer at a time is read)
    localparam int RXW = 1 + 2 + 1 + 32;            // thread, keep, last, data
    logic           rx_push, rx_pop, rx_empty;
    logic [RXW-1:0] rx_wdata, rx_rdata;
    logic [RXA:0]   rx_count;

    dsr_fifo #(
        .DATA_WIDTH(RXW),
        .DEPTH(RX_DEPTH)
    ) rx_fifo (
        .clk, .rst,
        .wr_en(rx_push), .wr_data(rx_wdata),
        .rd_en(rx_pop), .rd_data(rx_rdata), .empty(rx_empty), .count(rx_count)
    );

    logic rx_thread;
    assign rx_thread = rx_rdata[RXW-1];
    assign m0_data   = rx_rdata[31:0];
    assign m1_data   = rx_rdata[31:0];
    assign m0_last   = rx_rdata[32];
    assign m1_last   = rx_rdata[32];
    assign m0_keep   = rx_rdata[34:33];
    assign m1_keep   = rx_rdata[34:33];
    assign m0_valid  = !rx_empty && !rx_thread;
    assign m1_valid  = !rx_empty && rx_thread;
    assign rx_pop    = (m0_valid && m0_ready) || (m1_valid && m1_ready);

    // ---- the bus state machine
    typedef enum logic [2:0] {IDLE, RD_HDR, RD_HDR_WAIT, RD_DATA, RD_DRAIN, RD_PAUSE, WR} state_t;
    state_t       state;
    logic [1:0]   thread;             // the thread being served
    logic         prefer_out;         // alternate between host frames in and out
    logic [14:0]  rd_bytes;           // bytes of the buffer still to be issued
    logic         rd_nz;              // rd_bytes != 0        } registered with rd_bytes: no
    logic         rd_fin;             // rd_bytes <= 4 (final) } compare before the state machine
    logic [14:0]  buf_bytes;          // this buffer's byte count
    logic [1:0][14:0] rd_left;        // threads 0, 1: bytes left of a paused buffer
    logic [1:0]   left_nz;            // rd_left != 0     } registered with rd_left: the
    logic [1:0]   left_fin;           // rd_left <= 4     } pick only selects flip-flops
    logic [1:0][14:0] rd_buf;         // ... and that buffer's byte count
    logic [PIPE-1:0] rd_pipe;         // reads issued, by age
    logic [PIPE-1:0] rd_pipe_hdr;     // ... of them the count word
    logic [PIPE-1:0] rd_pipe_end;     // ... of them the buffer's final word
    logic [RXA:0] inflight;           // data reads issued, not yet in the FIFO
    logic         issue, issue_hdr, issue_end;

    // bytes left to issue after this word
    logic [14:0] bytes_after;
    assign bytes_after = rd_fin ? 15'd0 : rd_bytes - 15'd4;

    // room for one more read: the FIFO's free slots cover every read in flight. Registered
    // (timing), so it is a cycle old: one more slot is kept for the read that cycle may add.
    // Computed below from rx_used, a register equal to rx_count + inflight
    logic rx_room;
    localparam int RX_LIMIT_I = RX_DEPTH - 2;
    localparam logic [RXA+1:0] RX_LIMIT = RX_LIMIT_I[RXA+1:0];

    assign issue     = (state == RD_HDR) || (state == RD_DATA && rd_nz && rx_room);
    assign issue_hdr = state == RD_HDR;
    assign issue_end = state == RD_DATA && rd_fin;

    // the arriving word (rd_pipe's oldest entry) is in dq_q now
    logic arrive, arrive_hdr, arrive_end;
    assign arrive     = rd_pipe[PIPE-1];
    assign arrive_hdr = rd_pipe_hdr[PIPE-1];
    assign arrive_end = rd_pipe_end[PIPE-1];

    // the buffer's count word, clamped to what a buffer holds, decoded into registers and
    // acted on a cycle after it arrived (hdr_q): the 32-bit compare and the zero and final
    // tests stay out of the state machine's cycle (a routed board's fx3_clk critical path
    // ran from dq_q through them into the flag wait: 4.2 ns logic, 8.1 ns routing)
    localparam int BUF_DATA = dsr_pkg::DSR_FX3_BUF_BYTES;
    logic        hdr_q;               // the count word arrived last cycle
    logic [14:0] hdr_bytes;           // its clamped value, hdr_bytes == 0, hdr_bytes <= 4
    logic        hdr_zero, hdr_fin;
    always_ff @(posedge clk) begin
        hdr_q     <= !rst && state == RD_HDR_WAIT && arrive;
        hdr_bytes <= dq_q > 32'(BUF_DATA) ? 15'(BUF_DATA) : dq_q[14:0];
        hdr_zero  <= dq_q == 32'd0;
        hdr_fin   <= dq_q <= 32'd4;
    end

    // a zero-length packet is one empty beat with last
    logic zlp;
    assign zlp = state == RD_HDR_WAIT && hdr_q && hdr_zero;

    // the final word of the buffer: keep its valid halves, last if the buffer was short
    logic [1:0] last_keep;
    assign last_keep = (buf_bytes[1:0] == 2'd1 || buf_bytes[1:0] == 2'd2) ? 2'b01 : 2'b11;
    assign rx_push  = (arrive && !arrive_hdr) || zlp;
    assign rx_wdata = zlp ? {thread[0], 2'b00, 1'b1, 32'd0}
                          : {thread[0], arrive_end ? last_keep : 2'b11,
                             arrive_end && buf_bytes < 15'(BUF_DATA), dq_q};

    // rx_used = rx_count + inflight (words issued and not yet popped: a data read or a
    // ZLP beat in, a pop out), kept as its own register: rx_room compares a register with
    // a constant, and the pop (the FIFO's empty compare, the stream's ready) only selects
    // among rx_used + 1, - 1 and itself (a routed out-of-context fx3_clk path ran the
    // FIFO's pointers -> count -> + inflight -> compare -> rx_room, 3.4 ns logic)
    logic [RXA+1:0] rx_used, rx_used_inc, rx_used_dec;
    logic           rx_in;
    assign rx_in       = (issue && !issue_hdr) || zlp;
    assign rx_used_inc = rx_used + 1'b1;
    assign rx_used_dec = rx_used - 1'b1;
    always_ff @(posedge clk) begin
        if (rst) begin
            rx_used <= '0;
        end else begin
            case ({rx_in, rx_pop})
                2'b10:   rx_used <= rx_used_inc;
                2'b01:   rx_used <= rx_used_dec;
                default: ;
            endcase
        end
        rx_room <= !rst && rx_used < RX_LIMIT;
    end

    // write side: the source of the thread being written
    logic        wr_valid, wr_last, wr_full_next, wr_go;
    logic [31:0] wr_data;
    logic        wsel;                // 0: thread 2, 1: thread 3
    assign wsel     = thread[0];
    assign wr_valid = wsel ? s3_valid : s2_valid;
    assign wr_last  = wsel ? s3_last : s2_last;
    assign wr_data  = wsel ? s3_data : s2_data;
    // the buffer's last word: a flag registered beside the count, so the buffer end (the
    // thread's flag wait, block_now) is a pick of flip-flops (a routed board's fx3_clk path
    // ran wsel -> the count's compare -> block_now -> wait_cnt)
    assign wr_full_next = wr_full[wsel];
    assign wr_go    = state == WR && wr_valid;
    assign s2_ready = wr_go && !wsel;
    assign s3_ready = wr_go && wsel;

    // a read starts only with the receive FIFO empty (one buffer at a time in it), seen
    // through a register: empty last cycle and nothing pushed then implies empty now, so
    // rx_idle is never wrong, at most a cycle late after the last pop (the FIFO's pointers
    // and compare stay out of the pick: a routed board's fx3_clk path ran wr_ptr -> count
    // -> empty -> pick -> rd_bytes, 2.7 ns logic, 8.0 ns routing)
    logic rx_idle;
    always_ff @(posedge clk) begin
        rx_idle <= !rst && rx_empty && !rx_push;
    end

    // which thread to serve next: flag up, not waiting, something to do; responses first,
    // then commands, then host frames in and out by turns
    logic want0, want1, want2, want3, quiet, pick;
    logic [1:0] pick_thread;
    assign want3 = flag_q[3] && !blocked[3] && s3_valid;
    assign want1 = flag_q[1] && !blocked[1] && rx_idle;
    assign want2 = flag_q[2] && !blocked[2] && s2_valid;
    assign want0 = flag_q[0] && !blocked[0] && rx_idle;
    // the bus is turned around: FX3 output off and ours off for a cycle
    assign quiet = sloe_n && !dq_oe;
    assign pick  = state == IDLE && quiet && (want3 || want1 || want2 || want0);
    assign pick_thread = want3 ? 2'd3 : want1 ? 2'd1 :
                         (want2 && (!want0 || !prefer_out)) ? 2'd2 : 2'd0;

    // a read stalled by a full receive FIFO gives the bus to a waiting write: the pipeline
    // may need its output written before it can take more input
    logic rd_yield;
    assign rd_yield = state == RD_DATA && rd_nz && !rx_room && (s2_valid || s3_valid);

    always_comb begin
        block_now = 4'b0000;
        if (state == RD_DRAIN && inflight == 0 && rd_pipe == 0) block_now[thread] = 1'b1;
        if (zlp) block_now[thread] = 1'b1;
        if (wr_go && (wr_last || wr_full_next)) block_now[thread] = 1'b1;
    end

    always_ff @(posedge clk) begin
        if (rst) begin
            state       <= IDLE;
            thread      <= '0;
            prefer_out  <= 1'b0;
            rd_bytes    <= '0;
            rd_nz       <= 1'b0;
            rd_fin      <= 1'b1;
            buf_bytes   <= '0;
            rd_pipe     <= '0;
            rd_pipe_hdr <= '0;
            rd_pipe_end <= '0;
            inflight    <= '0;
            wr_count    <= '0;
            wr_full     <= '0;
            rd_left     <= '0;
            left_nz     <= '0;
            left_fin    <= '1;
            rd_buf      <= '0;
            slcs_n      <= 1'b1;
            sloe_n      <= 1'b1;
            slrd_n      <= 1'b1;
            slwr_n      <= 1'b1;
            pktend_n    <= 1'b1;
            dq_oe       <= 1'b0;
            a           <= '0;
        end else begin
            rd_pipe     <= {rd_pipe[PIPE-2:0], issue};
            rd_pipe_hdr <= {rd_pipe_hdr[PIPE-2:0], issue && issue_hdr};
            rd_pipe_end <= {rd_pipe_end[PIPE-2:0], issue && issue_end};
            inflight    <= inflight + {{RXA{1'b0}}, issue && !issue_hdr}
                           - {{RXA{1'b0}}, rx_push && !zlp};
            slrd_n      <= !issue;
            slwr_n      <= !wr_go;
            pktend_n    <= !(wr_go && wr_last && !wr_full_next);
            if (state == RD_DATA && issue) begin
                rd_bytes <= bytes_after;
                rd_nz    <= !rd_fin;
                rd_fin   <= rd_bytes <= 15'd8;
            end
            if (wr_go) begin
                wr_count[wsel] <= (wr_last || wr_full_next) ? '0 : wr_count[wsel] + 1'b1;
                wr_full[wsel]  <= !(wr_last || wr_full_next) && wr_count[wsel] == BW'(BUF_WORDS - 2);
            end
            case (state)
                IDLE: begin
                    slcs_n <= !pick;
                    sloe_n <= !(pick && !pick_thread[1]);     // threads 0, 1 are reads
                    dq_oe  <= pick && pick_thread[1];
                    if (pick) begin
                        thread <= pick_thread;
                        a      <= pick_thread;
                        state  <= pick_thread[1] ? WR : RD_HDR;
                        // a paused buffer goes on where it stopped
                        if (!pick_thread[1] && left_nz[pick_thread[0]]) begin
                            state     <= RD_DATA;
                            rd_bytes  <= rd_left[pick_thread[0]];
                            rd_nz     <= 1'b1;
                            rd_fin    <= left_fin[pick_thread[0]];
                            buf_bytes <= rd_buf[pick_thread[0]];
                        end
                        if (pick_thread == 2'd2) prefer_out <= 1'b1;
                        if (pick_thread == 2'd0) prefer_out <= 1'b0;
                    end
                end
                RD_HDR: state <= RD_HDR_WAIT;
                RD_HDR_WAIT: begin
                    if (hdr_q) begin
                        buf_bytes <= hdr_bytes;
                        rd_bytes  <= hdr_bytes;
                        rd_nz     <= !hdr_zero;
                        rd_fin    <= hdr_fin;
                        state     <= hdr_zero ? IDLE : RD_DATA;
                    end
                end
                RD_DATA: begin
                    if (issue && issue_end) begin
                        state <= RD_DRAIN;
                        rd_left[thread[0]]  <= '0;
                        left_nz[thread[0]]  <= 1'b0;
                        left_fin[thread[0]] <= 1'b1;
                    end else if (rd_yield) begin
                        state <= RD_PAUSE;
                        rd_left[thread[0]]  <= rd_bytes;
                        left_nz[thread[0]]  <= rd_nz;
                        left_fin[thread[0]] <= rd_fin;
                        rd_buf[thread[0]]   <= buf_bytes;
                    end
                end
                RD_PAUSE: begin
                    // the reads in flight land; the buffer is not finished, no flag wait
                    if (inflight == 0 && rd_pipe == 0) begin
                        state <= IDLE;
                    end
                end
                RD_DRAIN: begin
                    if (inflight == 0 && rd_pipe == 0) begin
                        state <= IDLE;
                    end
                end
                WR: begin
                    // DQ stays driven through the last SLWR#; IDLE releases it
                    if (!wr_valid || wr_last || wr_full_next) begin
                        state <= IDLE;
                    end
                end
                default: state <= IDLE;
            endcase
        end
    end

    always_ff @(posedge clk) begin
        if (wr_go) begin
            dq_o <= wr_data;
        end
    end

`ifndef SYNTHESIS
    // assertions (Verilator --assert, Icarus): the registered flags follow rd_bytes,
    // rd_left and wait_cnt; rx_idle never claims an empty FIFO that holds a word
    always @(posedge clk) begin
        if (!rst) begin
            for (int t = 0; t < 4; t++) begin
                assert (blocked[t] == (wait_cnt[t] != 4'd0)) else $error("dsr_fx3_slave: blocked out of step");
            end
            for (int t = 0; t < 2; t++) begin
                assert (wr_full[t] == (wr_count[t] == BW'(BUF_WORDS - 1))) else $error("dsr_fx3_slave: wr_full out of step");
                assert (left_nz[t] == (rd_left[t] != 15'd0)) else $error("dsr_fx3_slave: left_nz out of step");
                assert (left_fin[t] == (rd_left[t] <= 15'd4)) else $error("dsr_fx3_slave: left_fin out of step");
            end
            assert (!rx_idle || rx_empty) else $error("dsr_fx3_slave: rx_idle with a word held");
            assert (rx_used == {1'b0, rx_count} + {1'b0, inflight}) else $error("dsr_fx3_slave: rx_used out of step");
            assert (rd_nz == (rd_bytes != 15'd0)) else $error("dsr_fx3_slave: rd_nz out of step");
            assert (rd_fin == (rd_bytes <= 15'd4)) else $error("dsr_fx3_slave: rd_fin out of step");
        end
    end
`endif

endmodule

`default_nettype wire
