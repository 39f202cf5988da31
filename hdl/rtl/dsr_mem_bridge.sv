// dsr_mem_bridge - the reference store's memory port from the pipeline clock to the DRAM
// controller's clock (LiteDRAM native port).
//
//   pipeline clk:  mem_cmd_* --> dsr_skid --> dsr_async_fifo --> 2 port registers --> native cmd (+ wdata)
//                  mem_rd_*  <-- dsr_async_fifo <-- native rdata
//
// Commands are sent one at a time: a write's data is handed over before the next command,
// so wdata follows the command order (and is presented with its command: see below).
// rdata_ready is always 1: the requester never has more reads outstanding than the
// response FIFO holds (dsr_ref_dram: ISS_MAX 128 fills x 4 words <= 2^RSP_BITS + 1).
// Nothing is sent before init_done.
//
// A pipeline reset also resets both FIFO sides; responses still owed for reads sent
// before it are dropped, so the next fills line up.
//
// hold (tests): while high, no command is sent to the controller and no response is
// handed to the pipeline, so the slow-memory option stalls both ends of the cache.
// Reset: both FIFO sides from one source (pipeline reset or controller reset) through
// dsr_reset_sync in each domain.
`default_nettype none

module dsr_mem_bridge #(
    parameter int MEM_AW   = 23,
    parameter int RSP_BITS = 9       // response FIFO: 2^RSP_BITS + 1 words (reads in flight)
) (
    input  logic              clk,          // pipeline
    input  logic              rst,
    input  logic              mem_cmd_valid,
    output logic              mem_cmd_ready,
    input  logic              mem_cmd_we,
    input  logic [MEM_AW-1:0] mem_cmd_addr,
    input  logic [127:0]      mem_cmd_wdata,
    input  logic [15:0]       mem_cmd_wmask,
    output logic              mem_rd_valid,
    input  logic              mem_rd_ready,
    output logic [127:0]      mem_rd_data,
    input  logic              hold,
    output logic              idle,         // simulation aid, see below

    input  logic              dram_clk,     // LiteDRAM user_clk
    input  logic              dram_rst,     // LiteDRAM user_rst
    input  logic              init_done,    // dram_clk
    output logic              cmd_valid,
    input  logic              cmd_ready,
    output logic              cmd_we,
    output logic [MEM_AW-1:0] cmd_addr,
    output logic              wdata_valid,
    input  logic              wdata_ready,
    output logic [127:0]      wdata_data,
    output logic [15:0]       wdata_we,
    input  logic              rdata_valid,
    output logic              rdata_ready,
    input  logic [127:0]      rdata_data
);

    localparam int CW = 1 + MEM_AW + 128 + 16;

    logic p_rst, d_rst, arst;
    assign arst = rst || dram_rst;
    dsr_reset_sync p_sync (.clk(clk), .arst(arst), .locked(1'b1), .rst(p_rst));
    dsr_reset_sync d_sync (.clk(dram_clk), .arst(arst), .locked(1'b1), .rst(d_rst));

    logic hold_d, init_d;
    dsr_sync_bit hold_sync (.clk(dram_clk), .rst(d_rst), .d(hold), .q(hold_d));
    dsr_sync_bit init_sync (.clk(dram_clk), .rst(d_rst), .d(init_done), .q(init_d));

    // ---------------------------------------------------------------- commands
    logic          c_valid, c_we, f_valid, f_ready, q_valid, q_ready;
    logic [CW-1:0] c_data, f_data, q_data;
    logic [127:0]  c_wdata;
    logic [15:0]   c_wmask;

    // a register slice in front of the FIFO: the requester's issue logic and the FIFO's
    // full flag (pointer increment, gray compare) are far apart on the die (the routed
    // board's pipe_clk critical path ran from one through the other)
    dsr_skid #(
        .DATA_WIDTH(CW)
    ) cmd_in_slice (
        .clk, .rst(p_rst),
        .s_data({mem_cmd_we, mem_cmd_addr, mem_cmd_wdata, mem_cmd_wmask}),
        .s_valid(mem_cmd_valid), .s_ready(mem_cmd_ready),
        .m_data(q_data), .m_valid(q_valid), .m_ready(q_ready)
    );

    dsr_async_fifo #(
        .WIDTH(CW),
        .ADDR_BITS(4)
    ) cmd_fifo (
        .s_clk(clk), .s_rst(p_rst),
        .s_data(q_data), .s_valid(q_valid), .s_ready(q_ready),
        .m_clk(dram_clk), .m_rst(d_rst),
        .m_data(f_data), .m_valid(f_valid), .m_ready(f_ready)
    );
    // The port: two command registers (ping-pong) after the FIFO, and the port's valids
    // as flip-flops. The controller's cmd_ready / wdata_ready reach only a few control
    // flops here (which entry is presented, its done flags, the valids, the owed count),
    // never the 168-bit registers' clock enables: an entry loads from the FIFO only
    // while it is empty by its registered flag, so the load waits on nothing of the
    // controller's in that cycle (the routed board's dram_sys path ran from LiteDRAM's
    // bank machines through cmd_ready to the enable of the old single command slice in
    // the middle of the die and back). With two entries the next command waits in the
    // other one, so the port still takes a read every cycle. The FIFO's pop is the
    // empty flag of the entry loaded next: flip-flops too.
    // A write's data is on wdata from the moment its command is offered until taken:
    // LiteDRAM takes write data on the bank machine's wdata_ready pulse without looking at
    // wdata_valid, and that pulse may come in the cycle the command is accepted. An entry
    // is done (freed, the other presented) when its command and, for a write, its data
    // are through, so commands and write data keep their order.
    logic [1:0]    e_full;
    logic [CW-1:0] e_data [2];
    logic          rd_sel, wr_sel, load;
    logic          cmd_done, data_done, cmd_valid_q, wdata_valid_q;

    assign f_ready  = !e_full[wr_sel];
    assign load     = f_valid && f_ready;
    assign c_data   = e_data[rd_sel];
    assign c_valid  = e_full[rd_sel];
    assign {c_we, cmd_addr, c_wdata, c_wmask} = c_data;

    assign cmd_valid   = cmd_valid_q;
    assign cmd_we      = c_we;
    assign wdata_valid = wdata_valid_q;
    assign wdata_data  = c_wdata;
    assign wdata_we    = c_wmask;

    // The port's next state, once for each value of the controller's two readies
    // (nx[{cmd_ready, wdata_ready}]), from flip-flops and the FIFO's head alone; the
    // readies only pick one. They come late in the cycle, out of LiteDRAM's bank machines
    // (eight LUTs deep on the routed board), and the four results are kept as nets so
    // that synthesis does not fold the readies back into the cones: the registers are
    // three LUT levels behind them on the board netlist (timing: the routed board's
    // dram_sys path ran cmd_ready -> five of our LUTs -> wdata_valid_q, 14.06 ns; at
    // 2508d15 the bridge is off dram_sys's worst path). Per value: the entry is done
    // when its command and, for a write, its data are through; the valids of the next
    // cycle are registered.
    localparam int PN = 7;   // {wdata_valid_q, cmd_valid_q, data_done, cmd_done, rd_sel, e_full}
    logic [PN-1:0] nx [4];
    for (genvar k = 0; k < 4; k = k + 1) begin : g_next
        localparam logic CR = k[1];
        localparam logic WR = k[0];
        (* keep *) logic [PN-1:0] n;
        logic cmd_thru, data_thru, done, sel, cdn, ddn, full, we;
        logic [1:0] ef;
        always_comb begin
            cmd_thru  = cmd_done || (cmd_valid_q && CR);
            data_thru = data_done || (wdata_valid_q && WR);
            done      = c_valid && cmd_thru && (!c_we || data_thru);
            sel       = rd_sel ^ done;
            cdn       = !done && cmd_thru;
            ddn       = !done && data_thru;
            if (sel == rd_sel) begin
                full = c_valid;
                we   = c_we;
            end else if (e_full[sel]) begin
                full = 1'b1;
                we   = e_data[sel][CW-1];
            end else begin
                full = load && wr_sel == sel;
                we   = f_data[CW-1];
            end
            for (int e = 0; e < 2; e++) begin
                if (done && rd_sel == 1'(e)) ef[e] = 1'b0;
                else if (load && wr_sel == 1'(e)) ef[e] = 1'b1;
                else ef[e] = e_full[e];
            end
            // init_done and hold act a cycle later than they would combinationally
            n = {full && we && !ddn, full && !cdn && init_d && !hold_d, ddn, cdn, sel, ef};
        end
        assign nx[k] = n;
    end

    always_ff @(posedge dram_clk) begin
        if (load) e_data[wr_sel] <= f_data;
    end

    always_ff @(posedge dram_clk) begin
        if (d_rst) begin
            e_full        <= '0;
            rd_sel        <= 1'b0;
            wr_sel        <= 1'b0;
            cmd_done      <= 1'b0;
            data_done     <= 1'b0;
            cmd_valid_q   <= 1'b0;
            wdata_valid_q <= 1'b0;
        end else begin
            if (load) wr_sel <= !wr_sel;
            {wdata_valid_q, cmd_valid_q, data_done, cmd_done, rd_sel, e_full}
                <= nx[{cmd_ready, wdata_ready}];
        end
    end

    // ---------------------------------------------------------------- responses
    // A pipeline reset empties the FIFOs while the controller may still owe data for
    // reads sent before it: those words are dropped. owed_all counts the reads owed since
    // the controller's own reset; at the FIFOs' reset they all become words to drop
    // (drop), which later responses count down. drop_z ("none left to drop") is a
    // flip-flop: low through the reset, set once drop reaches 0, so the response FIFO's
    // push is one gate from registers and drop_z's next state needs no adder. (Right
    // after the reset, drop_z may be low for a cycle with drop = 0: nothing is owed then,
    // so no response can arrive.) A read counts a cycle after it is sent (issued_q): the
    // controller's cmd_ready comes out of its bank machines late in the cycle, and the
    // routed board's dram_sys path ran from there through the count's adder into drop.
    // No response comes within a cycle of its read, and d_rst (dsr_reset_sync, at least
    // 3 cycles) ends no sooner than a cycle after the last read it can catch was counted.
    logic       r_valid, unused_r_ready, r_push, issued_q, drop_z, drop_0, drop_1;
    logic [RSP_BITS+1:0] owed_all, owed_next, drop;
    assign rdata_ready = 1'b1;
    assign r_push      = rdata_valid && drop_z;
    assign owed_next   = dram_rst ? '0 : owed_all + (RSP_BITS + 2)'(issued_q)
                                                  - (RSP_BITS + 2)'(rdata_valid);
    assign drop_0      = drop == '0;
    assign drop_1      = drop == (RSP_BITS + 2)'(1);

    // a read is sent: cmd_ready picks a term of flip-flops (kept apart, as nx above)
    (* keep *) logic c_rd_offered;
    assign c_rd_offered = !dram_rst && cmd_valid_q && !c_we;
    always_ff @(posedge dram_clk) begin
        issued_q <= cmd_ready && c_rd_offered;
        owed_all <= owed_next;
    end

    always_ff @(posedge dram_clk) begin
        if (d_rst) begin
            drop   <= owed_next;
            drop_z <= 1'b0;
        end else begin
            if (rdata_valid && !drop_z && !drop_0) drop <= drop - 1'b1;
            drop_z <= drop_z || drop_0 || (drop_1 && rdata_valid);
        end
    end

    dsr_async_fifo #(
        .WIDTH(128),
        .ADDR_BITS(RSP_BITS)
    ) rsp_fifo (
        .s_clk(dram_clk), .s_rst(d_rst),
        .s_data(rdata_data), .s_valid(r_push), .s_ready(unused_r_ready),
        .m_clk(clk), .m_rst(p_rst),
        .m_data(mem_rd_data), .m_valid(r_valid), .m_ready(mem_rd_ready && !hold)
    );
    assign mem_rd_valid = r_valid && !hold;

    // ---------------------------------------------------------------- idle (simulation)
    // Nothing for the controller to do: no command pushed in the last 15 pipeline cycles
    // (long enough for the FIFO's pointer to cross), none waiting or half sent, no read
    // owed, no response waiting. dsr-sim stops the controller's clock while idle (a
    // stopped clock only pauses refresh in the PHY model). Mixes both domains: read by the
    // simulator between edges, never by logic.
    logic [3:0] push_recent;
    always_ff @(posedge clk) begin
        if (p_rst) begin
            push_recent <= 4'hf;
        end else if (q_valid && q_ready) begin
            push_recent <= 4'hf;
        end else if (push_recent != '0) begin
            push_recent <= push_recent - 1'b1;
        end
    end
    assign idle = push_recent == '0 && !q_valid && !r_valid && !f_valid && !e_full[0] && !e_full[1] && !cmd_done
               && !data_done && owed_all == '0 && !issued_q && !d_rst;

endmodule

`default_nettype wire
