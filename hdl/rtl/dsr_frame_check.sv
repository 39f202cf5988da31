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
    localparam logic [31:0] CRC_POLY = 32'hedb88320;   // IEEE 802.3 as dsr_framer

    function automatic logic [31:0] crc_half(input logic [31:0] crc, input logic [15:0] d);
        logic [31:0] c;
        c = crc;
        for (int i = 0; i < 16; i++) begin
            c = (c >> 1) ^ ((c[0] ^ d[i]) ? CRC_POLY : 32'd0);
        end
        crc_half = c;
    endfunction

    // ---- 32 -> 16: one half per cycle, low half first, halves not kept skipped
    logic        half;            // 0: low half next, 1: high half next
    logic        h_valid, h_end, h_take;
    logic [15:0] h_data;
    logic        h_empty;         // a keep = 0 word (zero-length packet): only its last
    logic        checking;        // CHECK1 / CHECK2 / CHECK3

    assign h_empty = s_keep == 2'b00;
    assign h_valid = s_valid && !h_empty;
    assign h_data  = half ? s_data[31:16] : s_data[15:0];
    // the last half of the word: the high one, or the low one when the high is not kept
    logic h_word_end;
    assign h_word_end = half || !s_keep[1];
    assign h_end  = s_last && h_word_end;
    // nothing is taken while the header is being checked (a zero-length packet waits too)
    assign s_ready = !checking && (h_empty || (h_take && h_word_end));

    always_ff @(posedge clk) begin
        if (rst) begin
            half <= 1'b0;
        end else if (h_take) begin
            half <= !h_word_end;
        end
    end

    // ---- the frame, one half-word at a time
    // CHECK1..CHECK3: the header is checked over three registered cycles (field compares,
    // while the width x height product forms in its DSP's two registers; then the payload
    // length), taking no input meanwhile
    typedef enum logic [2:0] {HEADER, CHECK1, CHECK2, CHECK3, PAYLOAD, TRAILER, DONE, SKIP}
        state_t;
    state_t      state;
    logic [HDR_HALVES*16-1:0] hdr;
    logic [5:0]  n;               // halves of header / trailer so far
    logic [15:0] width;
    logic [15:0] x;
    logic [31:0] pixels_left;
    logic [31:0] crc;
    logic        first;
    logic        reference;
    logic        fields_ok;       // CHECK1 -> CHECK3
    logic [31:0] pixels_total;    // width x height in CHECK3 (its operands from CHECK1)
    logic        trl_good;        // every trailer half so far as expected
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

    // field checks on the registered header (CHECK1)
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

    // width x height: the registered header's fields (from CHECK1 on) into the DSP's input
    // registers at the end of CHECK1, the product out of its output register in CHECK3
    dsr_mul #(.A_WIDTH(16), .B_WIDTH(16), .P_WIDTH(32)) mul_pixels (
        .clk, .ce(1'b1), .a(hw), .b(hh), .p(pixels_total)
    );

    // the trailer, half by half: payload CRC (as computed, and as the header said), magic
    logic [31:0] crc_final, hdr_crc;
    assign crc_final = ~crc;
    assign hdr_crc   = f32(hdr, dsr_pkg::DSR_HDR_OFF_PAYLOAD_CRC);
    localparam int TRL_CRC_HALF   = dsr_pkg::DSR_TRL_OFF_PAYLOAD_CRC / 2;
    localparam int TRL_MAGIC_HALF = dsr_pkg::DSR_TRL_OFF_MAGIC / 2;
    logic        trl_half_ok;
    always_comb begin
        trl_half_ok = 1'b1;
        if (n == 6'(TRL_CRC_HALF))       trl_half_ok = h_data == crc_final[15:0];
        if (n == 6'(TRL_CRC_HALF + 1))   trl_half_ok = h_data == crc_final[31:16];
        if (n == 6'(TRL_MAGIC_HALF))     trl_half_ok = h_data == dsr_pkg::DSR_TRAILER_MAGIC[15:0];
        if (n == 6'(TRL_MAGIC_HALF + 1)) trl_half_ok = h_data == dsr_pkg::DSR_TRAILER_MAGIC[31:16];
    end

    // pixels go to dsr_top only in PAYLOAD; CHECK takes nothing, everything else at once
    assign m_pixel = h_data;
    assign m_sof   = first;
    assign m_eol   = x == width - 16'd1;
    assign m_valid = state == PAYLOAD && h_valid;
    assign checking = state == CHECK1 || state == CHECK2 || state == CHECK3;
    assign h_take   = h_valid && !checking && (state != PAYLOAD || m_ready);

    always_ff @(posedge clk) begin
        frame_ok  <= 1'b0;
        frame_bad <= 1'b0;
        if (rst) begin
            state     <= HEADER;
            n         <= '0;
            reference <= 1'b0;
        end else if (state == CHECK1) begin
            fields_ok    <= fields_now;
            width        <= hw;
            reference    <= (f32(hdr, dsr_pkg::DSR_HDR_OFF_FLAGS) & dsr_pkg::DSR_FLAG_REFERENCE) != 0;
            state        <= CHECK2;
        end else if (state == CHECK2) begin
            state        <= CHECK3;    // the product in the DSP
        end else if (state == CHECK3) begin
            pixels_left <= pixels_total;
            x           <= '0;
            first       <= 1'b1;
            crc         <= 32'hffffffff;
            state       <= fields_ok && f32(hdr, dsr_pkg::DSR_HDR_OFF_PAYLOAD_LENGTH) ==
                           {pixels_total[30:0], 1'b0} ? PAYLOAD : SKIP;
        end else if (s_valid && h_empty && s_ready) begin
            // a zero-length packet ends the transfer: a checked trailer completes the
            // frame, anything else open is incomplete
            if (state == DONE) begin
                frame_ok  <= done_ok;
                frame_bad <= !done_ok;
            end else if (state != HEADER || n != 0) begin
                frame_bad <= 1'b1;
            end
            frame_reference <= reference;
            state <= HEADER;
            n     <= '0;
        end else if (h_take) begin
            case (state)
                HEADER: begin
                    hdr <= hdr_full;
                    n   <= n + 1'b1;
                    if (n == 6'(HDR_HALVES - 1)) begin
                        n     <= '0;
                        state <= CHECK1;
                    end
                    if (h_end) begin
                        frame_bad       <= 1'b1;   // the transfer ended inside the header
                        frame_reference <= 1'b0;
                        state           <= HEADER;
                        n               <= '0;
                    end
                end
                PAYLOAD: begin
                    crc         <= crc_half(crc, h_data);
                    first       <= 1'b0;
                    x           <= m_eol ? 16'd0 : x + 16'd1;
                    pixels_left <= pixels_left - 32'd1;
                    if (pixels_left == 32'd1) begin
                        state    <= TRAILER;
                        trl_good <= 1'b1;
                    end
                    if (h_end) begin
                        frame_bad       <= 1'b1;   // short: dsr_top pads it
                        frame_reference <= reference;
                        state           <= HEADER;
                    end
                end
                TRAILER: begin
                    n        <= n + 1'b1;
                    trl_good <= trl_good && trl_half_ok;
                    // the payload's CRC must also be the one the header announced
                    if (n == 6'd0) trl_good <= trl_half_ok && hdr_crc == crc_final;
                    if (n == 6'(TRL_HALVES - 1) || h_end) begin
                        n       <= '0;
                        done_ok <= n == 6'(TRL_HALVES - 1) && trl_good && trl_half_ok;
                        state   <= h_end ? HEADER : n == 6'(TRL_HALVES - 1) ? DONE : SKIP;
                        if (h_end) begin
                            frame_ok        <= n == 6'(TRL_HALVES - 1) && trl_good && trl_half_ok;
                            frame_bad       <= !(n == 6'(TRL_HALVES - 1) && trl_good && trl_half_ok);
                            frame_reference <= reference;
                        end
                    end
                end
                DONE: begin
                    // bytes after the trailer: the frame is bad
                    state <= h_end ? HEADER : SKIP;
                    if (h_end) begin
                        frame_bad       <= 1'b1;
                        frame_reference <= reference;
                    end
                end
                SKIP: begin
                    if (h_end) begin
                        frame_bad       <= 1'b1;   // bad header, or bytes after the trailer
                        frame_reference <= reference;
                        state           <= HEADER;
                        n               <= '0;
                    end
                end
                default: state <= HEADER;
            endcase
        end
    end

endmodule

`default_nettype wire
