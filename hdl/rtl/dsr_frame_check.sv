// dsr_frame_check - host frames (bulk OUT, thread 0) checked while they stream into dsr_top.
//
// The FX3 holds 512 KB, a frame is up to 32 MB: nothing can buffer a whole frame, so the
// header, the length and the CRC are checked on the fly, and the verdict comes with the
// frame's last word. Input: 32-bit words with keep (16-bit halves) and last (the end of
// the USB transfer). Output: the pixels as dsr_top's live input (s_sof on the first,
// s_eol at the end of each line), and one verdict pulse per transfer: frame_ok (header
// valid, exactly width*height pixels, trailer magic, payload CRC equal to the header's,
// the trailer's and the one computed, the transfer ending with the trailer) or frame_bad.
// frame_reference tells whether the frame asked to be stored as the reference: the
// double-buffered store makes it active only on frame_ok, so a bad upload never replaces
// a good reference.
//
// A header that fails its checks passes no pixel on; the rest of the transfer is dropped.
// A transfer that ends inside the payload leaves dsr_top a short frame (it pads it and
// sends it with DSR_FLAG_BAD when the next frame starts). Bytes after the trailer and
// before the transfer's end make the frame bad (they are dropped).
`default_nettype none

module dsr_frame_check #(
    parameter int MAX_WIDTH  = 1024,
    parameter int MAX_HEIGHT = 1024
) (
    input  logic        clk,
    input  logic        rst,

    input  logic [31:0] s_data,
    input  logic [1:0]  s_keep,
    input  logic        s_last,
    input  logic        s_valid,
    output logic        s_ready,

    output logic [15:0] m_pixel,
    output logic        m_sof,
    output logic        m_eol,
    output logic        m_valid,
    input  logic        m_ready,

    output logic        frame_ok,        // one-cycle verdicts at the transfer's end
    output logic        frame_bad,
    output logic        frame_reference  // with the verdict: the header's REFERENCE flag
);

    localparam int HDR_HALVES = dsr_pkg::DSR_FRAME_HEADER_SIZE / 2;
    localparam int TRL_HALVES = dsr_pkg::DSR_FRAME_TRAILER_SIZE / 2;
    // ---- 32 -> 16: one half per cycle into a register (low half first, a high half not
    // kept skipped), so every check below starts from flip-flops: the keep and half
    // selection is not in front of each enable. A word with no half kept (a zero-length
    // packet) becomes an end marker without data (h_zlp): it ends the transfer.
    logic        half;            // 0: the word's low half next, 1: its high half
    logic        in_empty, in_word_end, in_load;
    logic [15:0] h_data;          // the registered half
    logic        h_zlp;           // an end marker, no data
    logic        h_fin;           // the transfer ends here (its last half, or the marker)
    logic        h_valid, h_ready, h_take;

    assign in_empty    = s_keep == 2'b00;
    // the word's last half: the high one, or the low one when the high is not kept
    assign in_word_end = in_empty || half || !s_keep[1];
    assign in_load     = s_valid && (!h_valid || h_ready);
    assign s_ready     = (!h_valid || h_ready) && in_word_end;
    assign h_take      = h_valid && h_ready;

    always_ff @(posedge clk) begin
        if (rst) begin
            half    <= 1'b0;
            h_valid <= 1'b0;
        end else begin
            if (h_take)  h_valid <= 1'b0;
            if (in_load) begin
                h_valid <= 1'b1;
                half    <= !in_word_end;
            end
        end
    end
    always_ff @(posedge clk) begin
        if (in_load) begin
            h_data <= half ? s_data[31:16] : s_data[15:0];
            h_zlp  <= in_empty;
            h_fin  <= in_empty || (s_last && in_word_end);
        end
    end

    // ---- the frame, one half at a time, as a one-hot state machine whose next state is a
    // flat function of a few registered flags (no priority chain of compares in front of
    // the state's enables). CHK1..CHK4: the header is checked over four registered cycles
    // (field compares while width x height forms in its DSP's two registers, then the
    // payload length against the product, then the decision), taking no input meanwhile.
    logic st_header, st_chk1, st_chk2, st_chk3, st_chk4, st_payload, st_trailer, st_done,
          st_skip;
    logic checking;
    assign checking = st_chk1 || st_chk2 || st_chk3 || st_chk4;

    logic [HDR_HALVES*16-1:0] hdr;
    logic [5:0]  n;               // halves of the header so far
    logic        n_zero;          // n == 0
    logic        n_last;          // n == HDR_HALVES - 1: this half ends the header
    logic [15:0] wm1;             // width - 1 (CHK1 on)
    logic        wm1_zero;        // width == 1 (CHK2 on)
    logic        len_ok;          // fields and payload length good (CHK3 on)
    logic [15:0] x_left;          // pixels after this one in its line
    logic        x_eol;           // x_left == 0: this pixel ends its line
    logic [31:0] pixels_left;
    logic        px_last;         // pixels_left == 1: this pixel ends the payload
    logic [31:0] crc;
    logic        first;
    logic        reference;
    logic        fields_ok;       // CHK1 -> CHK3
    logic [31:0] pixels_total;    // width x height in CHK3 (its operands from CHK1)
    logic        done_ok;         // DONE: the trailer checked, waiting for the transfer end

    // the header with the half arriving now (its last)
    logic [HDR_HALVES*16-1:0] hdr_full;
    assign hdr_full = {h_data, hdr[HDR_HALVES*16-1:16]};

    function automatic logic [31:0] f32(input logic [HDR_HALVES*16-1:0] h, input int off);
        f32 = h[off*8 +: 32];
    endfunction
    function automatic logic [15:0] f16(input logic [HDR_HALVES*16-1:0] h, input int off);
        f16 = h[off*8 +: 16];
    endfunction

    // field checks on the registered header (CHK1)
    logic [15:0] hw, hh, hbits;
    logic        fields_now;
    assign hw    = f16(hdr, dsr_pkg::DSR_HDR_OFF_WIDTH);
    assign hh    = f16(hdr, dsr_pkg::DSR_HDR_OFF_HEIGHT);
    assign hbits = f16(hdr, dsr_pkg::DSR_HDR_OFF_PIXEL_BITS);
    assign fields_now = f32(hdr, dsr_pkg::DSR_HDR_OFF_MAGIC) == dsr_pkg::DSR_FRAME_MAGIC &&
                        f16(hdr, dsr_pkg::DSR_HDR_OFF_VERSION) == 16'(dsr_pkg::DSR_FRAME_VERSION) &&
                        f16(hdr, dsr_pkg::DSR_HDR_OFF_HEADER_SIZE) ==
                            16'(dsr_pkg::DSR_FRAME_HEADER_SIZE) &&
                        f16(hdr, dsr_pkg::DSR_HDR_OFF_FORMAT) == 16'(dsr_pkg::DSR_FORMAT_MONO16) &&
                        hw != 16'd0 && {16'd0, hw} <= MAX_WIDTH &&
                        hh != 16'd0 && {16'd0, hh} <= MAX_HEIGHT &&
                        hbits >= 16'(dsr_pkg::DSR_PIXEL_BITS_MIN) &&
                        hbits <= 16'(dsr_pkg::DSR_PIXEL_BITS_MAX);

    // width x height: the registered header's fields (from CHK1 on) into the DSP's input
    // registers at the end of CHK1, the product out of its output register in CHK3
    dsr_mul #(.A_WIDTH(16), .B_WIDTH(16), .P_WIDTH(32)) mul_pixels (
        .clk, .ce(1'b1), .a(hw), .b(hh), .p(pixels_total)
    );

    // ---- the trailer: its checked halves (payload CRC as computed, magic) compared bit
    // by bit into an accumulated difference (tdiff: 2 LUT levels a bit, no 16-bit compare
    // and no position decode in one cycle), reduced only at the verdict; the header's CRC
    // against the computed one is a registered compare (crc holds still in TRAILER, and
    // the verdict comes TRL_HALVES - 1 halves later)
    localparam int TRL_CRC_HALF   = dsr_pkg::DSR_TRL_OFF_PAYLOAD_CRC / 2;
    localparam int TRL_MAGIC_HALF = dsr_pkg::DSR_TRL_OFF_MAGIC / 2;
    localparam logic [31:0] TRL_MAGIC = dsr_pkg::DSR_TRAILER_MAGIC;
    // the verdict's half must not be a checked one: its difference is not in tdiff yet
    if (TRL_CRC_HALF + 1 >= TRL_HALVES - 1 || TRL_MAGIC_HALF + 1 >= TRL_HALVES - 1) begin : g_trl_layout
        $error("dsr_frame_check: a checked trailer half is the trailer's last");
    end
    logic [TRL_HALVES-1:0] tpos;  // one-hot: the trailer half arriving now
    logic [15:0] tdiff;           // bits that differed so far
    logic        hdr_crc_ok;      // the header's CRC == the computed one (TRAILER)
    logic [31:0] crc_final, crc_next;
    assign crc_final = ~crc;
    dsr_crc32_step u_crc (.crc(crc), .data(h_data), .next(crc_next));
    always_ff @(posedge clk) begin
        hdr_crc_ok <= f32(hdr, dsr_pkg::DSR_HDR_OFF_PAYLOAD_CRC) == crc_final;
    end
    logic trl_ok;                 // the whole trailer as expected (at its last half)
    assign trl_ok = tpos[TRL_HALVES-1] && tdiff == '0 && hdr_crc_ok;

    // ---- this cycle's events: a half taken inside the transfer (t_step), the transfer's
    // end taken (t_end: its last half or an end marker), a pixel taken (t_pixel)
    // (in HEADER, TRAILER, DONE and SKIP every half is taken at once, in PAYLOAD a pixel
    // with m_ready: the enables below say so per state instead of through h_ready)
    logic t_step, t_end, t_pixel, t_header, t_trailer;
    assign t_step    = h_take && !h_fin;
    assign t_end     = h_take && h_fin;
    assign t_pixel   = st_payload && h_valid && !h_zlp && m_ready;
    assign t_header  = st_header && h_valid;
    assign t_trailer = st_trailer && h_valid && !h_zlp;

    // pixels go to dsr_top only in PAYLOAD; CHK takes nothing, everything else at once
    assign m_pixel = h_data;
    assign m_sof   = first;
    assign m_eol   = x_eol;
    assign m_valid = st_payload && h_valid && !h_zlp;
    assign h_ready = !checking && (h_zlp || !st_payload || m_ready);

    // the state: a transfer's end returns to HEADER from anywhere (none is taken in CHK)
    always_ff @(posedge clk) begin
        if (rst) begin
            {st_header, st_chk1, st_chk2, st_chk3, st_chk4} <= 5'b10000;
            {st_payload, st_trailer, st_done, st_skip}      <= 4'b0000;
        end else begin
            st_header  <= t_end || (st_header && !(t_step && n_last));
            st_chk1    <= st_header && t_step && n_last;
            st_chk2    <= st_chk1;
            st_chk3    <= st_chk2;
            st_chk4    <= st_chk3;
            st_payload <= (st_chk4 && len_ok) || (st_payload && !t_end && !(t_step && px_last));
            st_trailer <= (st_payload && t_step && px_last) ||
                          (st_trailer && !t_end && !(t_step && tpos[TRL_HALVES-1]));
            st_done    <= (st_trailer && t_step && tpos[TRL_HALVES-1]) || (st_done && !h_take);
            st_skip    <= (st_chk4 && !len_ok) || (st_done && t_step) || (st_skip && !t_end);
        end
    end

    // the verdict at the transfer's end: good after a checked trailer (the transfer ending
    // with its last half, or with an end marker right after it), bad otherwise; an end
    // marker alone (nothing of the transfer seen) gives none
    logic end_ok;
    assign end_ok = (st_trailer && !h_zlp && trl_ok) || (st_done && h_zlp && done_ok);
    always_ff @(posedge clk) begin
        if (rst) begin
            frame_ok  <= 1'b0;
            frame_bad <= 1'b0;
        end else begin
            frame_ok  <= t_end && end_ok;
            frame_bad <= t_end && !end_ok && !(st_header && h_zlp && n_zero);
        end
        if (t_end) frame_reference <= reference && !(st_header && !h_zlp);
    end

    // the header: halves in, counted (n only moves in HEADER, back to 0 at its end)
    always_ff @(posedge clk) begin
        if (rst) begin
            n      <= '0;
            n_zero <= 1'b1;
            n_last <= 1'b0;
        end else if (t_header) begin
            n      <= h_fin || n_last ? 6'd0 : n + 6'd1;
            n_zero <= h_fin || n_last;
            n_last <= !(h_fin || n_last) && n == 6'(HDR_HALVES - 2);
        end
        if (t_header && !h_zlp) hdr <= hdr_full;
    end

    // the header's checks
    always_ff @(posedge clk) begin
        if (rst) begin
            reference <= 1'b0;
        end else if (st_chk1) begin
            reference <= (f32(hdr, dsr_pkg::DSR_HDR_OFF_FLAGS) & dsr_pkg::DSR_FLAG_REFERENCE) != 0;
        end
        if (st_chk1) begin
            fields_ok <= fields_now;
            wm1       <= hw - 16'd1;
        end
        if (st_chk2) wm1_zero <= wm1 == 16'd0;
        if (st_chk3) len_ok   <= fields_ok && f32(hdr, dsr_pkg::DSR_HDR_OFF_PAYLOAD_LENGTH) ==
                                 {pixels_total[30:0], 1'b0};
    end

    // the payload: position, count and CRC, loaded in CHK3, stepped per pixel
    always_ff @(posedge clk) begin
        if (st_chk3) begin
            pixels_left <= pixels_total;
            px_last     <= pixels_total == 32'd1;
            x_left      <= wm1;
            x_eol       <= wm1_zero;
            first       <= 1'b1;
            crc         <= 32'hffffffff;
        end else if (t_pixel) begin
            crc         <= crc_next;
            first       <= 1'b0;
            x_left      <= x_eol ? wm1 : x_left - 16'd1;
            x_eol       <= x_eol ? wm1_zero : x_left == 16'd1;
            pixels_left <= pixels_left - 32'd1;
            px_last     <= pixels_left == 32'd2;
        end
    end

    // the trailer: position and difference, held at their start outside TRAILER
    always_ff @(posedge clk) begin
        if (!st_trailer) begin
            tpos  <= TRL_HALVES'(1);
            tdiff <= '0;
        end else if (t_trailer) begin
            tpos <= tpos << 1;
            for (int i = 0; i < 16; i++) begin
                tdiff[i] <= tdiff[i]
                    | (tpos[TRL_CRC_HALF]       && (h_data[i] != crc_final[i]))
                    | (tpos[TRL_CRC_HALF + 1]   && (h_data[i] != crc_final[16 + i]))
                    | (tpos[TRL_MAGIC_HALF]     && (h_data[i] != TRL_MAGIC[i]))
                    | (tpos[TRL_MAGIC_HALF + 1] && (h_data[i] != TRL_MAGIC[16 + i]));
            end
            done_ok <= trl_ok;
        end
    end

endmodule

`default_nettype wire
