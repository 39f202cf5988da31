/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * dsr_hw.h - the one definition of the DSR board's hardware contract.
 *
 * Everything that two parts of the project must agree on lives here and only here:
 * register map, fixed-point formats, pixel depth limits, LUT size, the frame header
 * and trailer, the USB identity and vendor requests. The kernel driver, libdsr, the
 * simulator's bridge model and the tests include this file; the RTL's package
 * hdl/rtl/dsr_pkg.sv is generated from it (hdl/gen/gen_dsr_pkg.c) and a test checks
 * that the two agree.
 *
 * Plain C, no allocation, usable from kernel and userspace alike.
 * All multi-byte quantities on the wire are little-endian.
 */
#ifndef DSR_HW_H
#define DSR_HW_H

#include <linux/types.h>

/* ------------------------------------------------------------------------------------
 * USB identity (pid.codes test VID:PID until the board has its own).
 */
#define DSR_USB_VID			0x1209
#define DSR_USB_PID			0x0001
#define DSR_USB_MANUFACTURER		"DSR appliance project"
#define DSR_USB_PRODUCT			"DSR subtraction board"
#define DSR_USB_INTERFACE		0	/* the streaming interface, vendor class 0xff */
#define DSR_USB_EP_IN			0x81	/* bulk IN: output frames */
#define DSR_USB_EP_OUT			0x02	/* bulk OUT: reference / playback frames */
#define DSR_USB_HS_MAXPACKET		512
#define DSR_USB_SS_MAXPACKET		1024
#define DSR_USB_SS_MAXBURST		16

/*
 * Vendor control requests on endpoint 0, recipient device
 * (bmRequestType 0xc0 for IN, 0x40 for OUT). Unknown requests STALL.
 */
#define DSR_REQ_REG_READ	0x01	/* IN,  wIndex = register address, wLength = 4, data u32 */
#define DSR_REQ_REG_WRITE	0x02	/* OUT, wIndex = register address, wLength = 4, data u32 */
#define DSR_REQ_LUT_WRITE	0x03	/* OUT, wValue = first LUT index / DSR_LUT_CHUNK,
					 *      data = up to DSR_LUT_CHUNK u16 entries into the
					 *      shadow LUT; does not commit */
#define DSR_REQ_GET_INFO	0x04	/* IN,  data = struct dsr_board_info */
#define DSR_REQ_STREAM		0x05	/* OUT, wValue = 1 start / 0 stop the playback source */
#define DSR_LUT_CHUNK		2048	/* entries per DSR_REQ_LUT_WRITE (4096 bytes) */

/* ------------------------------------------------------------------------------------
 * Pixels: unsigned, DSR_PIXEL_BITS_MIN..MAX significant bits, carried as u16 LE.
 * Bits above the configured depth are ignored (masked) on input.
 */
#define DSR_PIXEL_BITS_MIN	12
#define DSR_PIXEL_BITS_MAX	16
#define DSR_LUT_BITS		DSR_PIXEL_BITS_MAX
#define DSR_LUT_SIZE		(1u << DSR_LUT_BITS)	/* one entry per possible value */

/* Frame size limits accepted by any implementation; a board reports its own maximum
 * (DSR_REG_MAX_WIDTH / DSR_REG_MAX_HEIGHT), always <= these. */
#define DSR_WIDTH_MAX		4096
#define DSR_HEIGHT_MAX		4096

/* ------------------------------------------------------------------------------------
 * Fixed-point formats (two's complement where signed).
 *
 * The warp maps a live pixel (x, y) to reference (u, v):
 *	u = a11*x + a12*y + tx,  v = a21*x + a22*y + ty
 * Matrix entries are signed Q8.24 in 32 bits; translations are signed Q16.16.
 * The coordinate accumulators hold Q.24 in DSR_ACC_BITS bits; tx/ty are widened by
 * DSR_A_FRAC_BITS - DSR_T_FRAC_BITS. Coordinates are generated incrementally
 * (u += a11 per pixel, row start += a12 per line), which is exact in integers, so the
 * quantisation error is only that of the coefficients: for |x|,|y| < 4096 it is at most
 * 4095 * 2 * 2^-25 + 2^-17 < 2.5e-4 pixel, well inside the 1/100 pixel budget.
 *
 * Sampling: the accumulator plus DSR_ACC_ROUND is split into an integer part
 * (floor, arithmetic shift by 24) and an 8-bit weight (the next DSR_W_BITS bits), i.e.
 * the sample position is rounded to the nearest 1/256 pixel.
 */
#define DSR_A_FRAC_BITS		24	/* a11 a12 a21 a22: Q8.24 */
#define DSR_T_FRAC_BITS		16	/* tx ty: Q16.16 */
#define DSR_ACC_BITS		48
#define DSR_W_BITS		8	/* bilinear weight: 0..255, resolution 1/256 pixel */
#define DSR_W_ONE		(1 << DSR_W_BITS)
#define DSR_ACC_ROUND		(1 << (DSR_A_FRAC_BITS - DSR_W_BITS - 1))
#define DSR_GAIN_FRAC_BITS	8	/* gain: unsigned Q8.8 in 16 bits */
#define DSR_GAIN_MAX		0xffff
#define DSR_MIDGREY_MAX		0xffff	/* midgrey: integer grey level, < 2^pixel_bits */

/*
 * Projective warp (a homography normalised to h33 = 1):
 *	u = (a11*x + a12*y + tx) / D,  v = (a21*x + a22*y + ty) / D,  D = 1 + h31*x + h32*y
 * h31, h32 are signed in 32 bits. The board accepts |h31|, |h32| <= DSR_H_PERSP_MAX,
 * i.e. |h31|*4096, |h32|*4096 <= 0.1, so D stays within (0.8, 1.2) over any frame up to
 * 4096 x 4096 and needs no normalisation before the reciprocal. The denominator
 * accumulator holds Q.40 in DSR_DEN_BITS bits and is generated incrementally like the
 * numerators (exact integer adds). The reciprocal R = 1/D is a table seed refined by two
 * Newton-Raphson steps (the arithmetic paragraph below); D = 1 gives R = 1 exactly, so
 * with h31 = h32 = 0 every position is bit for bit the affine one.
 *
 * Error of the warped position against the exact float homography, for transforms with
 * |u|, |v| < 8192 over 4096 x 4096 (measured by test_model on random homographies):
 * coefficient quantisation <= 3.2e-4 pixel (the affine bound / 0.8), h31/h32
 * quantisation and the truncation of D < 1e-4, reciprocal (relative error < 2^-26) and
 * product truncation < 2e-4: in all under 1e-3 pixel, a tenth of the 1/100 budget.
 */
#define DSR_H_FRAC_BITS		40	/* h31 h32 */
#define DSR_H_PERSP_MAX		0x01999999	/* floor(0.1 / 4096 * 2^40) */
#define DSR_DEN_BITS		42	/* denominator accumulator: D in Q.40, 0.8..1.2 */
#define DSR_RCP_FRAC_BITS	30	/* d = D >> 10 and R = 1/D: unsigned Q2.30 */
#define DSR_RCP_D_MIN		(3u << 28)		/* d clamped to [0.75, 1.25) */
#define DSR_RCP_D_MAX		((5u << 28) - 1u)
#define DSR_RCP_SEED_STEP_BITS	7	/* seed entry i covers d in [0.75 + i/128, +1/128) */
#define DSR_RCP_SEED_ENTRIES	64
#define DSR_RCP_SEED_BASE	96	/* 0.75 * 2^7: index = (d >> 23) - 96 */
#define DSR_RCP_SEED_FRAC_BITS	16	/* seed: 1 / (left end of the interval), Q.16 */
#define DSR_RCP_SEED_BITS	17	/* width of a seed entry (the largest is 2^23 / 96) */
/* Seed entry i, 0..DSR_RCP_SEED_ENTRIES-1 (hdl/gen writes the table into dsr_pkg). */
#define DSR_RCP_SEED(i)	((1u << (DSR_RCP_SEED_FRAC_BITS + DSR_RCP_SEED_STEP_BITS)) / ((unsigned)(i) + DSR_RCP_SEED_BASE))

/*
 * The arithmetic, exactly (userspace/lib/model/ is the executable form of this):
 *	ui = acc_u >> 24 (floor), fx = (acc_u >> 16) & 0xff   (acc_u includes DSR_ACC_ROUND)
 *	border rule: each of the four neighbour coordinates ui, ui+1, vi, vi+1 is clamped
 *	into the frame (edge replication), [0, width-1] and [0, height-1]
 *	top = p00 * (256 - fx) + p10 * fx;  bot = p01 * (256 - fx) + p11 * fx
 *	ref = (top * (256 - fy) + bot * fy + 32768) >> 16
 *	ref' = lut[ref]
 *	d = live - ref'   (signed)
 *	out = clamp(midgrey + ((d * gain + 128) >> 8), 0, 2^bits - 1)   (>> is floor)
 * with every input pixel (live, and so the captured reference) masked to pixel_bits and
 * no intermediate rounding. By mode:
 *	PASS, CAPTURE: out = live;  WARP: out = min(ref', 2^bits - 1);  SUBTRACT: as above.
 * With no reference captured, reference pixels read as 0 (header flag NO_REFERENCE).
 *
 * Projective positions: the numerators n_u, n_v start at t * 2^8 (no rounding constant),
 * the denominator at 2^40; per pixel, with >> a floor and every product exact:
 *	d  = clamp(D >> 10, DSR_RCP_D_MIN, DSR_RCP_D_MAX)		Q2.30
 *	r0 = DSR_RCP_SEED((d >> 23) - DSR_RCP_SEED_BASE)		Q.16
 *	r1 = (r0 * (2^31 - ((d * r0) >> 16))) >> 16			Q.30
 *	r2 = (r1 * (2^31 - ((d * r1) >> 30))) >> 30			Q.30
 *	acc_u = ((n_u * r2) >> 30) + DSR_ACC_ROUND,  acc_v likewise
 * and acc_u, acc_v are sampled as above. With D = 2^40, r2 = 2^30 and acc = n + ROUND.
 */

/* Modes (DSR_REG_MODE). */
#define DSR_MODE_PASS		0	/* out = live */
#define DSR_MODE_CAPTURE	1	/* live frame written to the reference store; out = live */
#define DSR_MODE_SUBTRACT	2	/* out = clamp(midgrey + gain * (live - lut(warp(ref)))) */
#define DSR_MODE_WARP		3	/* out = lut(warp(ref)): the aligned reference */
#define DSR_MODE_MAX		3

/* ------------------------------------------------------------------------------------
 * Register map: 32-bit registers at byte addresses, accessed whole.
 * "shadow" registers are written freely and take effect together at the next start of
 * frame after a write of DSR_CTRL_COMMIT; every output frame carries the generation of
 * the parameter set that made it.
 */
#define DSR_REG_ID		0x000	/* RO  DSR_ID_VALUE */
#define DSR_REG_VERSION		0x004	/* RO  (major << 16) | minor of the RTL */
#define DSR_REG_MAX_WIDTH	0x008	/* RO  largest width the frame store holds */
#define DSR_REG_MAX_HEIGHT	0x00c	/* RO  largest height */
#define DSR_REG_STATUS		0x010	/* RO  DSR_STATUS_* */
#define DSR_REG_ERROR		0x014	/* RW1C sticky DSR_ERR_* bits */
#define DSR_REG_CTRL		0x018	/* WO  DSR_CTRL_* (self-clearing) */
#define DSR_REG_GENERATION	0x01c	/* RO  generation of the active parameter set */
#define DSR_REG_FRAMES_IN	0x020	/* RO  input frames started */
#define DSR_REG_FRAMES_OUT	0x024	/* RO  output frames completed */
#define DSR_REG_BAD_FRAMES	0x028	/* RO  input frames with a size error */
#define DSR_REG_PARAM_ERRORS	0x02c	/* RO  commits refused for out-of-range values */
#define DSR_REG_TIME_LO		0x030	/* RO  free-running clock counter, low word */
#define DSR_REG_TIME_HI		0x034	/* RO  high word (latched when TIME_LO is read) */

#define DSR_REG_MODE		0x040	/* shadow  DSR_MODE_* */
#define DSR_REG_WIDTH		0x044	/* shadow  1..MAX_WIDTH */
#define DSR_REG_HEIGHT		0x048	/* shadow  1..MAX_HEIGHT */
#define DSR_REG_PIXEL_BITS	0x04c	/* shadow  DSR_PIXEL_BITS_MIN..MAX */
#define DSR_REG_A11		0x050	/* shadow  Q8.24 */
#define DSR_REG_A12		0x054
#define DSR_REG_A21		0x058
#define DSR_REG_A22		0x05c
#define DSR_REG_TX		0x060	/* shadow  Q16.16 */
#define DSR_REG_TY		0x064
#define DSR_REG_GAIN		0x068	/* shadow  Q8.8, low 16 bits */
#define DSR_REG_MIDGREY		0x06c	/* shadow  grey level, low 16 bits */
#define DSR_REG_H31		0x070	/* shadow , |h31| <= DSR_H_PERSP_MAX (RTL >= 1.1) */
#define DSR_REG_H32		0x074	/* shadow , |h32| <= DSR_H_PERSP_MAX (RTL >= 1.1) */
#define DSR_REG_LUT_ADDR	0x080	/* RW  index of the next DSR_REG_LUT_DATA access */
#define DSR_REG_LUT_DATA	0x084	/* RW  shadow LUT entry at LUT_ADDR; LUT_ADDR += 1 */

#define DSR_REG_SPAN		0x100	/* registers decode in [0, DSR_REG_SPAN) */

#define DSR_ID_VALUE		0x44535221u	/* "!RSD" read as LE bytes "DSR!" */
#define DSR_RTL_VERSION		0x00010001u	/* 1.1: projective warp */
#define DSR_RTL_VERSION_PROJECTIVE 0x00010001u	/* first version with DSR_REG_H31 / H32 */

#define DSR_STATUS_IN_FRAME	(1u << 0)	/* an input frame is in progress */
#define DSR_STATUS_COMMIT_PENDING (1u << 1)	/* a commit waits for the next frame start */
#define DSR_STATUS_REF_VALID	(1u << 2)	/* the store holds a complete reference */
#define DSR_STATUS_ERROR	(1u << 3)	/* DSR_REG_ERROR is non-zero */

#define DSR_ERR_SHORT_FRAME	(1u << 0)	/* start of frame before width*height pixels */
#define DSR_ERR_LONG_FRAME	(1u << 1)	/* pixels after the last one of the frame */
#define DSR_ERR_LINE_LENGTH	(1u << 2)	/* end-of-line mark not at x = width-1 */
#define DSR_ERR_BAD_PARAMS	(1u << 3)	/* commit refused: a shadow value out of range */
#define DSR_ERR_LUT_RANGE	(1u << 4)	/* LUT_ADDR beyond the board's LUT, or a LUT_DATA
						 * access past its last entry (refused) */

#define DSR_CTRL_COMMIT		(1u << 0)	/* shadow -> active at the next frame start */
#define DSR_CTRL_CLEAR_COUNTERS	(1u << 1)

/* ------------------------------------------------------------------------------------
 * Frames on the wire (bulk IN and OUT): header, payload (width*height u16 LE pixels,
 * row-major), trailer. A short or zero-length USB packet ends each frame.
 *
 * The board streams at one pixel per clock without storing the frame, so it cannot
 * know the payload CRC when it sends the header: on the wire from the board,
 * payload_crc is 0 and the CRC follows in the trailer together with the frame's final
 * status. Receivers (driver, libusb transport) check the trailer, copy its CRC into the
 * header, set DSR_FLAG_CRC_VALID and hand users the header + payload only. Frames
 * sent to the board carry the CRC in the header and a trailer too.
 *
 * CRC-32 is the IEEE 802.3 one (reflected, polynomial 0xedb88320, init and final xor
 * 0xffffffff): crc32("123456789") = 0xcbf43926.
 */
/*
 * Resynchronising bulk OUT: a host that stops sending in the middle of a frame (time
 * out, killed writer) sends CLEAR_FEATURE(ENDPOINT_HALT) to the bulk OUT endpoint,
 * halted or not. The board then discards whatever part of a frame it had received,
 * and the next byte on bulk OUT starts a new header. A malformed frame STALLs the
 * endpoint, and the same request clears that and resynchronises.
 */
#define DSR_FRAME_MAGIC		0x31525344u	/* bytes "DSR1" */
#define DSR_FRAME_VERSION	1
#define DSR_TRAILER_MAGIC	0x45525344u	/* bytes "DSRE" */
#define DSR_FORMAT_MONO16	1		/* u16 LE per pixel, pixel_bits significant */

#define DSR_FLAG_MODE_MASK	0x0000000fu	/* DSR_MODE_* that produced the frame */
#define DSR_FLAG_REFERENCE	(1u << 4)	/* host->board: store as reference */
#define DSR_FLAG_CRC_VALID	(1u << 5)	/* payload_crc holds the payload's CRC */
#define DSR_FLAG_BAD		(1u << 6)	/* trailer: input size error, pixels invalid */
#define DSR_FLAG_NO_REFERENCE	(1u << 7)	/* warp/subtract with no reference stored */

struct dsr_frame_header {
	__le32 magic;		/* DSR_FRAME_MAGIC */
	__le16 version;		/* DSR_FRAME_VERSION */
	__le16 header_size;	/* sizeof(struct dsr_frame_header) = 64 */
	__le16 width;
	__le16 height;
	__le16 format;		/* DSR_FORMAT_MONO16 */
	__le16 pixel_bits;	/* 12..16 */
	__le32 sequence;	/* output frame counter, +1 per frame */
	__le32 generation;	/* parameter generation that produced the frame */
	__le64 timestamp;	/* board clock ticks at the frame's first pixel */
	__le32 flags;		/* DSR_FLAG_* */
	__le32 payload_length;	/* bytes of pixels = width * height * 2 */
	__le32 payload_crc;	/* CRC-32 of the payload, see DSR_FLAG_CRC_VALID */
	__le32 reserved[5];	/* zero */
};

struct dsr_frame_trailer {
	__le32 payload_crc;	/* CRC-32 of the payload as sent */
	__le32 flags;		/* final DSR_FLAG_BAD etc., ORed into the header's */
	__le32 magic;		/* DSR_TRAILER_MAGIC */
	__le32 reserved;	/* zero */
};

#define DSR_FRAME_HEADER_SIZE	64
#define DSR_FRAME_TRAILER_SIZE	16

/* Byte offsets of the header fields (for the RTL's framer and byte-level parsers). */
#define DSR_HDR_OFF_MAGIC		0
#define DSR_HDR_OFF_VERSION		4
#define DSR_HDR_OFF_HEADER_SIZE		6
#define DSR_HDR_OFF_WIDTH		8
#define DSR_HDR_OFF_HEIGHT		10
#define DSR_HDR_OFF_FORMAT		12
#define DSR_HDR_OFF_PIXEL_BITS		14
#define DSR_HDR_OFF_SEQUENCE		16
#define DSR_HDR_OFF_GENERATION		20
#define DSR_HDR_OFF_TIMESTAMP		24
#define DSR_HDR_OFF_FLAGS		32
#define DSR_HDR_OFF_PAYLOAD_LENGTH	36
#define DSR_HDR_OFF_PAYLOAD_CRC		40
#define DSR_TRL_OFF_PAYLOAD_CRC		0
#define DSR_TRL_OFF_FLAGS		4
#define DSR_TRL_OFF_MAGIC		8

/* Answer to DSR_REQ_GET_INFO. */
struct dsr_board_info {
	__le32 id;		/* DSR_ID_VALUE */
	__le32 rtl_version;	/* DSR_REG_VERSION */
	__le32 firmware_version; /* bridge firmware, (major << 16) | minor */
	__le16 max_width;
	__le16 max_height;
	__le16 pixel_bits_max;
	__le16 flags;		/* bit 0: simulated board */
	char serial[32];	/* NUL-terminated, same as the USB serial string */
};
#define DSR_BOARD_INFO_SIMULATED	(1u << 0)

/* ------------------------------------------------------------------------------------
 * The FPGA's clocks, kHz: the pipeline (dsr_top and the board core's pipe_clk domain) and
 * the FX3 interface (PCLK, fx3_clk; also LiteDRAM's input clock). The board's PLL makes
 * both from its oscillator (hdl/board/dsr_board.sv derives its dividers from these and
 * stops elaboration if they do not give them exactly), the synthesis scripts constrain
 * them (hdl/Makefile reads them from here), and the testbench and the simulated board run
 * their clocks at them. The DRAM controller's clock is LiteDRAM's: hdl/dram/dsr_dram.yml.
 */
#define DSR_PIPE_CLK_KHZ		125000	/* pipe_clk: dsr_top, one pixel per clock */
#define DSR_FX3_CLK_KHZ			100000	/* fx3_clk: GPIF II PCLK, LiteDRAM input */

/* ------------------------------------------------------------------------------------
 * The FPGA's USB side on hardware: an FX3 (CYUSB3014) in GPIF II synchronous slave-FIFO
 * mode, 32-bit bus, PCLK (DSR_FX3_CLK_KHZ) driven by the FPGA. Four DMA sockets, one per
 * GPIF thread (A[1:0]), each with a dedicated "DMA ready" flag (active high, FLAGA..FLAGD
 * = thread 0..3). Pin-level latencies: read data DSR_FX3_RD_LATENCY PCLK edges after SLRD#, a flag
 * reflects a read or write at most DSR_FX3_FLAG_LATENCY edges later.
 *
 * FX3 -> FPGA (threads 0, 1): the firmware puts a 32-bit header word in front of every
 * DMA buffer it hands to the GPIF (consumer header): the number of valid bytes that follow
 * (at most DSR_FX3_BUF_BYTES). A buffer shorter than that ends a USB transfer; a transfer
 * whose last buffer is full is followed by a buffer with count 0. EP0 vendor requests reach the FPGA as command packets on
 * thread 1, one per buffer; the FPGA answers every command with one response packet on
 * thread 3 (PKTEND# on its last word), which the firmware uses for the status or data
 * stage of the control transfer. DSR_REQ_REG_READ/REG_WRITE/LUT_WRITE become REG_READ,
 * REG_WRITE and LUT_WRITE packets; DSR_REQ_GET_INFO becomes a GET_INFO packet, whose
 * response carries the FPGA's ID, VERSION, MAX_WIDTH and MAX_HEIGHT registers (the
 * firmware adds its own version, the pixel depth and the serial); STREAM belongs to the
 * simulator's playback source. A bulk OUT frame whose header has DSR_FLAG_REFERENCE is
 * bracketed by CAPTURE_BEGIN (the FPGA keeps MODE, sets MODE = CAPTURE and commits) before
 * its first buffer and CAPTURE_END (MODE restored, committed) after its last: the
 * generation advances by two, and uncommitted shadow writes of the host are committed.
 * FPGA -> FX3 (thread 2): output frames, PKTEND# after each frame's last word (a zero-
 * length commit when that word filled the buffer); the firmware commits each frame's
 * last buffer with the frame's exact byte count (80 + 2*w*h, from the header).
 */
#define DSR_FX3_THREAD_FRAMES_OUT	0	/* host bulk OUT frames -> FPGA */
#define DSR_FX3_THREAD_CMD		1	/* EP0 vendor requests -> FPGA */
#define DSR_FX3_THREAD_FRAMES_IN	2	/* FPGA -> host bulk IN frames */
#define DSR_FX3_THREAD_RSP		3	/* FPGA -> firmware: command responses */
#define DSR_FX3_BUF_BYTES		16384	/* DMA buffer size of every socket */
#define DSR_FX3_BUF_COUNT		4	/* buffers per socket (4 x 4 x 16 KB of 512 KB) */
#define DSR_FX3_RD_LATENCY		2
#define DSR_FX3_FLAG_LATENCY		3

/* Command packet (thread 1), u32 LE words: word 0 = DSR_CMD_MAGIC << 16 | opcode << 8 |
 * tag, word 1 = register address or first LUT index, word 2 = count (REG_WRITE: 1,
 * REG_READ: 0, LUT_WRITE: entries, two per word, low half first), then the data words. */
#define DSR_CMD_MAGIC			0x4443u	/* "CD" */
#define DSR_CMD_REG_WRITE		0x01
#define DSR_CMD_REG_READ		0x02
#define DSR_CMD_LUT_WRITE		0x03
#define DSR_CMD_GET_INFO		0x04	/* address 0, count 0 */
#define DSR_CMD_CAPTURE_BEGIN		0x05	/* address 0, count 0; value: the kept MODE */
#define DSR_CMD_CAPTURE_END		0x06	/* address 0, count 0; BAD_COMMAND without a BEGIN */
#define DSR_CMD_WORDS_MAX		(3 + DSR_LUT_CHUNK / 2)

/* Response packet (thread 3), 3 u32 LE words: DSR_RSP_MAGIC << 16 | opcode << 8 | tag,
 * status (DSR_RSP_*), value (REG_READ: the register; CAPTURE_BEGIN: the MODE it kept;
 * CAPTURE_END: the MODE it restored; otherwise 0). A GET_INFO answered DSR_RSP_OK has
 * DSR_RSP_INFO_WORDS: value = ID, then VERSION, MAX_WIDTH, MAX_HEIGHT. */
#define DSR_RSP_MAGIC			0x5244u	/* "DR" */
#define DSR_RSP_OK			0
#define DSR_RSP_BAD_COMMAND		1	/* magic, opcode, count or length wrong */
#define DSR_RSP_BAD_ADDRESS		2	/* register address outside DSR_REG_SPAN or unaligned */
#define DSR_RSP_WORDS			3
#define DSR_RSP_INFO_WORDS		6

#endif /* DSR_HW_H */
