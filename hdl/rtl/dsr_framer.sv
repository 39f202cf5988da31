// dsr_framer - wraps each frame's pixels in the wire format: header, payload, trailer.
//
// Output words are 16-bit little-endian units of the byte stream: 32 words of
// struct dsr_frame_header, width*height pixel words, 8 words of struct
// dsr_frame_trailer, m_last on the final trailer word. The header's fields come from
// the frame context FIFO (pushed by dsr_frame_in at the frame start), so the header can
// go out while the first pixels are still in the pipeline; payload_crc in the header
// is 0. The CRC-32 (IEEE, reflected) of the payload bytes is computed as the pixels
// pass and sent in the trailer, with the frame's flags and DSR_FLAG_BAD if any pixel
// of the frame was marked bad. The frame ends on the pixel marked eof.
//
// The payload length, 2 * width * height, is a registered product of the context at the
// FIFO's head (dsr_mul: two cycles, one MULT18X18D with its registers): the head is
// there two cycles before HEADER's first cycle (have_ctx a cycle after it, HEADER a
// cycle later), where the whole header, length included, is built and loaded.
//
// Overhead per frame: 32 + 8 words and two idle cycles. The output is a register; the
// pixel input is taken only in the payload phase (s_ready).
`default_nettype none

module dsr_framer #(
    parameter int WB = 11,
    parameter int HB = 11
) (
    input  logic          clk,
    input  logic          rst,

    // pixels from the pipeline
    input  logic          s_valid,
    output logic          s_ready,
    input  logic [15:0]   s_pixel,
    input  logic          s_eof,
    input  logic          s_bad,

    // frame context (FIFO head)
    input  logic          ctx_empty,
    output logic          ctx_pop,
    input  logic [WB-1:0] ctx_width,
    input  logic [HB-1:0] ctx_height,
    input  logic [4:0]    ctx_bits,
    input  logic [31:0]   ctx_generation,
    input  logic [63:0]   ctx_time,
    input  logic [31:0]   ctx_flags,

    output logic          m_valid,
    input  logic          m_ready,
    output logic [15:0]   m_data,
    output logic          m_last
);

    localparam int HDR_BITS   = dsr_pkg::DSR_FRAME_HEADER_SIZE * 8;
    localparam int TRL_BITS   = dsr_pkg::DSR_FRAME_TRAILER_SIZE * 8;
    localparam int HDR_WORDS  = dsr_pkg::DSR_FRAME_HEADER_SIZE / 2;
    localparam int TRL_WORDS  = dsr_pkg::DSR_FRAME_TRAILER_SIZE / 2;
    localparam int          HDR_LAST_I = HDR_WORDS - 1;
    localparam int          TRL_LAST_I = TRL_WORDS - 1;
    localparam logic [5:0]  HDR_LAST  = HDR_LAST_I[5:0];
    localparam logic [5:0]  TRL_LAST  = TRL_LAST_I[5:0];

    typedef enum logic [1:0] {IDLE, HEADER, PAYLOAD, TRAILER} state_t;

    state_t              state;
    logic [5:0]          count;       // the word of the header or trailer sent next
    logic [31:0]         crc;
    logic [31:0]         crc_next;    // crc with this pixel (dsr_crc32_step)
    logic                bad;
    logic [31:0]         flags;
    logic [31:0]         frame_seq;
    // the header's words 1..31, loaded with word 0 and shifted out a word at a time: each
    // output word comes from a flip-flop, not from a 32-way pick of the context (timing:
    // Yosys built that pick as a chain of seven LUTs)
    logic [HDR_BITS-17:0] hdr_rest;
    logic                 hdr_first;   // word 0 goes out next

    logic adv;
    assign adv     = !m_valid || m_ready;

    // the payload length of the context at the head: 2 * width * height
    logic [WB+HB-1:0] frame_pixels;
    logic [31:0]      payload_length;
    dsr_mul #(.A_WIDTH(WB), .B_WIDTH(HB)) mul_pixels (
        .clk, .ce(1'b1), .a(ctx_width), .b(ctx_height), .p(frame_pixels)
    );
    assign payload_length = {{(31 - WB - HB){1'b0}}, frame_pixels, 1'b0};

    // a context is waiting, registered: the FIFO's pointer compare would otherwise drive
    // the start of the header in IDLE (the core build's critical path at -6 once, 8 ns of
    // it routing). Cleared in the cycle of a pop, so the cycle after the last trailer
    // word never sees the context it just popped (one more idle cycle).
    logic have_ctx;
    dsr_crc32_step u_crc (.crc(crc), .data(s_pixel), .next(crc_next));

    always_ff @(posedge clk) begin
        if (rst) have_ctx <= 1'b0;
        else     have_ctx <= !ctx_empty && !ctx_pop;
    end
    // the context leaves the FIFO with the last trailer word
    assign ctx_pop = state == TRAILER && adv && count == TRL_LAST;
    assign s_ready = state == PAYLOAD && adv;

    // ---- the header, laid out by the byte offsets of dsr_hw.h, built once a frame as its
    // first word goes out (HEADER's first cycle: the length's product is ready by then).
    // The context stays at the FIFO's head until the pop after the trailer.
    function automatic logic [HDR_BITS-1:0] hdr_bits(input logic [WB-1:0] width,
                                                     input logic [HB-1:0] height,
                                                     input logic [4:0] bits,
                                                     input logic [31:0] seq,
                                                     input logic [31:0] generation,
                                                     input logic [63:0] time_stamp,
                                                     input logic [31:0] hflags,
                                                     input logic [31:0] length);
        logic [HDR_BITS-1:0] hdr;
        hdr = '0;
        hdr[dsr_pkg::DSR_HDR_OFF_MAGIC * 8 +: 32]          = dsr_pkg::DSR_FRAME_MAGIC;
        hdr[dsr_pkg::DSR_HDR_OFF_VERSION * 8 +: 16]        = dsr_pkg::DSR_FRAME_VERSION[15:0];
        hdr[dsr_pkg::DSR_HDR_OFF_HEADER_SIZE * 8 +: 16]    = dsr_pkg::DSR_FRAME_HEADER_SIZE[15:0];
        hdr[dsr_pkg::DSR_HDR_OFF_WIDTH * 8 +: 16]          = {{(16 - WB){1'b0}}, width};
        hdr[dsr_pkg::DSR_HDR_OFF_HEIGHT * 8 +: 16]         = {{(16 - HB){1'b0}}, height};
        hdr[dsr_pkg::DSR_HDR_OFF_FORMAT * 8 +: 16]         = dsr_pkg::DSR_FORMAT_MONO16[15:0];
        hdr[dsr_pkg::DSR_HDR_OFF_PIXEL_BITS * 8 +: 16]     = {11'd0, bits};
        hdr[dsr_pkg::DSR_HDR_OFF_SEQUENCE * 8 +: 32]       = seq;
        hdr[dsr_pkg::DSR_HDR_OFF_GENERATION * 8 +: 32]     = generation;
        hdr[dsr_pkg::DSR_HDR_OFF_TIMESTAMP * 8 +: 64]      = time_stamp;
        hdr[dsr_pkg::DSR_HDR_OFF_FLAGS * 8 +: 32]          = hflags;
        hdr[dsr_pkg::DSR_HDR_OFF_PAYLOAD_LENGTH * 8 +: 32] = length;
        hdr[dsr_pkg::DSR_HDR_OFF_PAYLOAD_CRC * 8 +: 32]    = 32'd0;
        hdr_bits = hdr;
    endfunction

    // ---- the trailer's word i, from the payload's CRC and flags (registered with the
    // frame's last pixel)
    function automatic logic [15:0] trl_word(input logic [2:0] i, input logic [31:0] c,
                                             input logic [31:0] tflags, input logic b);
        logic [TRL_BITS-1:0] trl;
        trl = '0;
        trl[dsr_pkg::DSR_TRL_OFF_PAYLOAD_CRC * 8 +: 32] = ~c;
        trl[dsr_pkg::DSR_TRL_OFF_FLAGS * 8 +: 32]       = tflags | (b ? dsr_pkg::DSR_FLAG_BAD : 32'd0);
        trl[dsr_pkg::DSR_TRL_OFF_MAGIC * 8 +: 32]       = dsr_pkg::DSR_TRAILER_MAGIC;
        trl_word = trl[{i, 4'd0} +: 16];
    endfunction

    always_ff @(posedge clk) begin
        if (rst) begin
            state    <= IDLE;
            m_valid  <= 1'b0;
            m_last   <= 1'b0;
            frame_seq <= '0;
            count    <= '0;
        end else begin
            if (adv) begin
                m_valid <= 1'b0;
                m_last  <= 1'b0;
            end
            case (state)
                IDLE: begin
                    if (have_ctx) begin
                        flags <= ctx_flags;
                        hdr_first <= 1'b1;
                        crc   <= 32'hffffffff;
                        bad   <= 1'b0;
                        count <= '0;
                        state <= HEADER;
                    end
                end
                HEADER: begin
                    if (adv) begin
                        m_valid <= 1'b1;
                        hdr_first <= 1'b0;
                        if (hdr_first) begin
                            {hdr_rest, m_data} <= hdr_bits(ctx_width, ctx_height, ctx_bits,
                                                           frame_seq, ctx_generation, ctx_time,
                                                           flags, payload_length);
                        end else begin
                            m_data   <= hdr_rest[15:0];
                            hdr_rest <= hdr_rest >> 16;
                        end
                        count   <= count + 1'b1;
                        if (count == HDR_LAST) begin
                            state <= PAYLOAD;
                        end
                    end
                end
                PAYLOAD: begin
                    if (adv && s_valid) begin
                        m_valid <= 1'b1;
                        m_data  <= s_pixel;
                        crc     <= crc_next;
                        bad     <= bad || s_bad;
                        if (s_eof) begin
                            count <= '0;
                            state <= TRAILER;
                        end
                    end
                end
                TRAILER: begin
                    if (adv) begin
                        m_valid <= 1'b1;
                        m_data  <= trl_word(count[2:0], crc, flags, bad);
                        count   <= count + 1'b1;
                        if (count == TRL_LAST) begin
                            m_last   <= 1'b1;
                            frame_seq <= frame_seq + 1'b1;
                            state    <= IDLE;
                        end
                    end
                end
                default: state <= IDLE;
            endcase
        end
    end

endmodule

`default_nettype wire
