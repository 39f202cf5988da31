// dsr_cmd - command packets (the firmware's EP0 vendor requests) onto the register bus.
//
// Packets and responses are defined in dsr_hw.h (DSR_CMD_*, DSR_RSP_*): a header of three
// words (magic | opcode | tag, address, count), then the data words; every packet gets one
// three-word response (magic | opcode | tag, status, value). The packet is untrusted: a wrong
// magic, opcode, count, address, or a length that does not match the count is answered
// with DSR_RSP_BAD_COMMAND / DSR_RSP_BAD_ADDRESS, the rest of the packet is skipped up to
// its last word, and nothing is written (a LUT_WRITE cut short has written the entries
// before the cut, and says so with BAD_COMMAND). REG_READ answers the register's value;
// LUT_WRITE becomes LUT_ADDR then one LUT_DATA write per entry, two entries a word, so
// the register file's rules (LUT range, hold-off while a committed LUT waits) apply as is.
// The firmware's own EP0 work is done here too, from the registers: GET_INFO reads ID,
// VERSION, MAX_WIDTH and MAX_HEIGHT into a longer response; CAPTURE_BEGIN keeps MODE, then
// writes MODE = CAPTURE and COMMIT (a second BEGIN keeps the first MODE); CAPTURE_END writes
// the kept MODE back and COMMIT (refused without a BEGIN since reset or the last END). Those three take address 0, count 0 and no data.
// Runs in the pipeline's clock domain; one register access at a time.
// Timing (issue 10): the header's checks are registered as the words arrive (the opcode's
// decode with the first word, the address checks with the second, the count's with the
// third) and decided in S_CHECK, the cycle after the count word: no 32-bit compare of
// s_data reaches the state or a clock enable. Cost: one cycle per packet (s_ready low in
// S_CHECK) before its data words or its register access.
`default_nettype none

module dsr_cmd (
    input  logic        clk,
    input  logic        rst,

    // command words (thread 1, after the clock crossing)
    input  logic [31:0] s_data,
    input  logic [1:0]  s_keep,
    input  logic        s_last,
    input  logic        s_valid,
    output logic        s_ready,

    // responses (to thread 3)
    output logic [31:0] m_data,
    output logic        m_last,
    output logic        m_valid,
    input  logic        m_ready,

    // register bus master (dsr_top's reg_*)
    output logic        reg_valid,
    input  logic        reg_ready,
    output logic        reg_write,
    output logic [11:0] reg_addr,
    output logic [31:0] reg_wdata,
    input  logic        reg_rvalid,
    input  logic [31:0] reg_rdata
);

    typedef enum logic [3:0] {
        S_HDR, S_ADDR, S_COUNT, S_CHECK, S_DATA, S_SKIP, S_BUS, S_READ_WAIT, S_RESP, S_SEQ
    } state_t;

    // LUT_WRITE's entry count after the check (1..DSR_LUT_CHUNK)
    localparam int CW = $clog2(dsr_pkg::DSR_LUT_CHUNK + 1);

    state_t      state;
    logic [7:0]  opcode, tag;
    logic [31:0] addr;
    logic [CW-1:0] count;             // LUT entries still to write
    logic        count_done;          // count == 0 (registered with count)
    logic [31:0] value;               // REG_READ result, GET_INFO's first word
    logic [31:0] info [1:3];          // GET_INFO: VERSION, MAX_WIDTH, MAX_HEIGHT
    logic [7:0]  status;              // a DSR_RSP_* code (zero-extended in the response)
    logic [15:0] word_hi;             // LUT: the data word's second entry
    logic        hi_next;             // LUT: the word's high entry is still to write
    logic        word_last;           // the data word was the packet's last
    logic [2:0]  rsp_idx;
    logic [1:0]  seq_idx;             // GET_INFO / CAPTURE_*: the step of the sequence
    logic [31:0] kept_mode;           // MODE before CAPTURE_BEGIN
    logic        capturing;           // a CAPTURE_BEGIN waits for its CAPTURE_END

    logic take;
    assign take    = s_valid && s_ready;
    assign s_ready = state == S_HDR || state == S_ADDR || state == S_COUNT ||
                     state == S_DATA || state == S_SKIP;

    // checks on the header, registered as its words are taken (timing, see the top):
    // the opcode's decode with the first word, the address's checks with the second, the
    // count's with the third; S_CHECK decides from these registers
    logic magic_ok, is_write, is_read, is_lut, is_info, is_cap_begin, is_cap_end, is_seq;
    logic addr_ok, addr_zero;                 // the address word: in range, 4-aligned; 0
    logic cnt_zero, cnt_one, cnt_lut, keep_ok, cnt_last;   // the count word
    // what the header wants of the count, registered with the count word from the flags
    // of the first two words (magic folded in): S_CHECK's verdict is then one LUT level
    // from its flags (timing: the opcode's and the address's checks are not in series
    // with the count's in front of the state)
    logic want_one, want_zero, want_lut, addr_bad, one_word;
    logic count_ok;
    assign count_ok = keep_ok && ((want_one && cnt_one) || (want_zero && cnt_zero) ||
                                  (want_lut && cnt_lut));

    // the sequences' steps: GET_INFO reads registers 0x0, 0x4, 0x8, 0xc; CAPTURE_BEGIN
    // reads MODE, writes MODE = CAPTURE, then COMMIT; CAPTURE_END writes MODE, then COMMIT
    localparam logic [11:0] MODE_REG = dsr_pkg::DSR_REG_MODE[11:0];
    localparam logic [11:0] CTRL_REG = dsr_pkg::DSR_REG_CTRL[11:0];
    logic [11:0] seq_addr;
    logic        seq_write, seq_done;
    logic [31:0] seq_wdata;
    always_comb begin
        seq_addr  = {8'd0, seq_idx, 2'b00};
        seq_write = 1'b0;
        seq_wdata = 32'(dsr_pkg::DSR_CTRL_COMMIT);
        seq_done  = is_info ? seq_idx == 2'd3 : seq_idx == (is_cap_begin ? 2'd2 : 2'd1);
        if (is_cap_begin) begin
            seq_addr  = seq_idx == 2'd0 ? MODE_REG : seq_idx == 2'd1 ? MODE_REG : CTRL_REG;
            seq_write = seq_idx != 2'd0;
            if (seq_idx == 2'd1) seq_wdata = 32'(dsr_pkg::DSR_MODE_CAPTURE);
        end else if (is_cap_end) begin
            seq_addr  = seq_idx == 2'd0 ? MODE_REG : CTRL_REG;
            seq_write = 1'b1;
            if (seq_idx == 2'd0) seq_wdata = kept_mode;
        end
    end

    // the register access of S_BUS
    logic [11:0] bus_addr;
    logic        bus_write;
    logic [31:0] bus_wdata;
    assign reg_valid = state == S_BUS;
    assign reg_write = bus_write;
    assign reg_addr  = bus_addr;
    assign reg_wdata = bus_wdata;

    localparam logic [11:0] LUT_ADDR_REG = dsr_pkg::DSR_REG_LUT_ADDR[11:0];
    localparam logic [11:0] LUT_DATA_REG = dsr_pkg::DSR_REG_LUT_DATA[11:0];

    // one response: header, status, value (GET_INFO: and three more words)
    logic rsp_long;
    assign rsp_long = is_info && status == 8'(dsr_pkg::DSR_RSP_OK);
    always_comb begin
        case (rsp_idx)
            3'd0:    m_data = {dsr_pkg::DSR_RSP_MAGIC[15:0], opcode, tag};
            3'd1:    m_data = 32'(status);
            3'd2:    m_data = value;
            3'd3:    m_data = info[1];
            3'd4:    m_data = info[2];
            default: m_data = info[3];
        endcase
    end
    assign m_valid = state == S_RESP;
    assign m_last  = rsp_idx == (rsp_long ? 3'(dsr_pkg::DSR_RSP_INFO_WORDS - 1)
                                          : 3'(dsr_pkg::DSR_RSP_WORDS - 1));

    // the end of a packet that went wrong: skip to its last word, then answer
    task automatic fail(input logic [7:0] why, input logic at_last);
        status <= why;
        state  <= at_last ? S_RESP : S_SKIP;
    endtask

    always_ff @(posedge clk) begin
        if (rst) begin
            state   <= S_HDR;
            rsp_idx <= '0;
            status  <= '0;
            value   <= '0;
            hi_next <= 1'b0;
            seq_idx <= '0;
            kept_mode <= '0;
            capturing <= 1'b0;
        end else begin
            case (state)
                S_HDR: if (take) begin
                    opcode   <= s_data[15:8];
                    tag      <= s_data[7:0];
                    magic_ok <= s_data[31:16] == dsr_pkg::DSR_CMD_MAGIC[15:0] && s_keep == 2'b11;
                    is_write     <= s_data[15:8] == 8'(dsr_pkg::DSR_CMD_REG_WRITE);
                    is_read      <= s_data[15:8] == 8'(dsr_pkg::DSR_CMD_REG_READ);
                    is_lut       <= s_data[15:8] == 8'(dsr_pkg::DSR_CMD_LUT_WRITE);
                    is_info      <= s_data[15:8] == 8'(dsr_pkg::DSR_CMD_GET_INFO);
                    is_cap_begin <= s_data[15:8] == 8'(dsr_pkg::DSR_CMD_CAPTURE_BEGIN);
                    is_cap_end   <= s_data[15:8] == 8'(dsr_pkg::DSR_CMD_CAPTURE_END);
                    is_seq       <= s_data[15:8] == 8'(dsr_pkg::DSR_CMD_GET_INFO) ||
                                    s_data[15:8] == 8'(dsr_pkg::DSR_CMD_CAPTURE_BEGIN) ||
                                    s_data[15:8] == 8'(dsr_pkg::DSR_CMD_CAPTURE_END);
                    value    <= '0;
                    status   <= 8'(dsr_pkg::DSR_RSP_OK);
                    if (s_last) fail(8'(dsr_pkg::DSR_RSP_BAD_COMMAND), 1'b1);
                    else state <= S_ADDR;
                end
                S_ADDR: if (take) begin
                    addr      <= s_data;
                    addr_ok   <= s_data < 32'(dsr_pkg::DSR_REG_SPAN) && s_data[1:0] == 2'b00;
                    addr_zero <= s_data == 32'd0;
                    if (s_last) fail(8'(dsr_pkg::DSR_RSP_BAD_COMMAND), 1'b1);
                    else state <= S_COUNT;
                end
                S_COUNT: if (take) begin
                    // only LUT_WRITE uses the count, and only after cnt_lut (1..CHUNK) held
                    count    <= CW'(s_data);
                    cnt_zero <= s_data == 32'd0;
                    cnt_one  <= s_data == 32'd1;
                    cnt_lut  <= s_data != 32'd0 && s_data <= 32'(dsr_pkg::DSR_LUT_CHUNK);
                    keep_ok  <= s_keep == 2'b11;
                    cnt_last <= s_last;
                    want_one  <= magic_ok && is_write;
                    want_zero <= magic_ok && (is_read || (is_seq && addr_zero &&
                                                          (!is_cap_end || capturing)));
                    want_lut  <= magic_ok && is_lut;
                    addr_bad  <= !is_lut && !addr_ok;
                    one_word  <= is_seq || is_read;
                    state    <= S_CHECK;
                end
                S_CHECK: begin
                    count_done <= cnt_zero;
                    if (!count_ok) begin
                        fail(8'(dsr_pkg::DSR_RSP_BAD_COMMAND), cnt_last);
                    end else if (addr_bad) begin
                        fail(8'(dsr_pkg::DSR_RSP_BAD_ADDRESS), cnt_last);
                    end else if (one_word) begin
                        // REG_READ and the sequences: the count word ends the packet
                        if (!cnt_last) begin
                            fail(8'(dsr_pkg::DSR_RSP_BAD_COMMAND), 1'b0);
                        end else if (is_seq) begin
                            seq_idx <= '0;
                            state   <= S_SEQ;
                        end else begin
                            bus_addr  <= addr[11:0];
                            bus_write <= 1'b0;
                            state     <= S_BUS;
                        end
                    end else if (cnt_last) begin
                        fail(8'(dsr_pkg::DSR_RSP_BAD_COMMAND), 1'b1);   // no data
                    end else if (is_lut) begin
                        // LUT_ADDR first; the register file refuses an index outside
                        bus_addr  <= LUT_ADDR_REG;
                        bus_write <= 1'b1;
                        bus_wdata <= addr;
                        word_last <= 1'b0;
                        hi_next   <= 1'b0;
                        state     <= S_BUS;
                    end else begin
                        state <= S_DATA;
                    end
                end
                S_DATA: if (take) begin
                    word_hi   <= s_data[31:16];
                    word_last <= s_last;
                    bus_write <= 1'b1;
                    if (is_write) begin
                        if (!s_last) begin
                            fail(8'(dsr_pkg::DSR_RSP_BAD_COMMAND), 1'b0);
                        end else begin
                            bus_addr  <= addr[11:0];
                            bus_wdata <= s_data;
                            state     <= S_BUS;
                        end
                    end else begin
                        // LUT: the low entry now, the high one if the count wants it
                        bus_addr  <= LUT_DATA_REG;
                        bus_wdata <= {16'd0, s_data[15:0]};
                        hi_next    <= count > CW'(1);
                        count      <= count > CW'(1) ? count - CW'(2) : '0;
                        count_done <= count <= CW'(2);
                        state     <= S_BUS;
                    end
                end
                S_SKIP: if (take && s_last) begin
                    state <= S_RESP;
                end
                S_SEQ: begin
                    bus_addr  <= seq_addr;
                    bus_write <= seq_write;
                    bus_wdata <= seq_wdata;
                    state     <= S_BUS;
                end
                S_BUS: if (reg_ready) begin
                    if (!bus_write) begin
                        state <= S_READ_WAIT;
                    end else if (is_seq) begin
                        seq_idx <= seq_idx + 1'b1;
                        state   <= seq_done ? S_RESP : S_SEQ;
                        if (seq_done) begin
                            capturing <= is_cap_begin;
                            value     <= kept_mode;
                        end
                    end else if (is_write) begin
                        state <= S_RESP;
                    end else if (hi_next) begin
                        hi_next   <= 1'b0;
                        bus_wdata <= {16'd0, word_hi};
                    end else if (count_done) begin
                        // every entry written: the packet must end with this word
                        if (word_last) state <= S_RESP;
                        else fail(8'(dsr_pkg::DSR_RSP_BAD_COMMAND), 1'b0);
                    end else if (word_last) begin
                        fail(8'(dsr_pkg::DSR_RSP_BAD_COMMAND), 1'b1);   // cut short
                    end else begin
                        state <= S_DATA;
                    end
                end
                S_READ_WAIT: if (reg_rvalid) begin
                    state <= S_RESP;
                    if (!is_seq || seq_idx == 2'd0) value <= reg_rdata;
                    else info[seq_idx] <= reg_rdata;
                    if (is_cap_begin && !capturing) kept_mode <= reg_rdata;   // a repeated BEGIN keeps the first
                    if (is_seq) begin
                        seq_idx <= seq_idx + 1'b1;
                        if (!seq_done) state <= S_SEQ;
                    end
                end
                S_RESP: if (m_ready) begin
                    rsp_idx <= rsp_idx + 1'b1;
                    if (m_last) begin
                        rsp_idx <= '0;
                        state   <= S_HDR;
                    end
                end
                default: state <= S_HDR;
            endcase
        end
    end

endmodule

`default_nettype wire
