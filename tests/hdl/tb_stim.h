/*
 * tb_stim.h - the stimulus / expected-output file format shared by gen_smoke.c (which
 * writes them from the C model), the Icarus testbench tb_smoke.sv and the Verilator
 * testbench's +replay mode (which both play them), so the two simulators run the very
 * same frames.
 *
 * Both files are $readmemh text, one hex word per line.
 * Stimulus, 64 bits: [63:60] command, [59:48] register address, [33:32] {eol, sof},
 * [31:0] register data or pixel.
 *	STIM_WRITE  register write
 *	STIM_PIXEL  one input beat (waits for s_ready)
 *	STIM_READ   register read; [31:0] the value it must return (checked on reg_rvalid)
 *	STIM_END    end of the stimulus
 * Expected output, 20 bits: [18] don't care (timestamp words), [17] end of file,
 * [16] m_last, [15:0] m_data.
 */
#ifndef TB_STIM_H
#define TB_STIM_H

#define STIM_END	0
#define STIM_WRITE	1
#define STIM_PIXEL	2
#define STIM_READ	3

#define EXP_DONTCARE	(1u << 18)
#define EXP_END		(1u << 17)
#define EXP_LAST	(1u << 16)

#endif
