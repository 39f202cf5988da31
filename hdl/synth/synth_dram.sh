#!/usr/bin/env bash
# synth_dram.sh - the DRAM build (dsr_dram_synth: dsr_top REF_DRAM + bridge + init +
# LiteDRAM's ECP5 DDR3 core) through Yosys and nextpnr-ecp5 for an LFE5U-85F, with the
# DDR3 pins of synth/dsr_dram_synth.lpf; resources and fmax of every clock domain.
# No --timing-allow-fail: a clock below its target fails the run (after the report).
# nextpnr's default router (router1): on the whole board it routes in about 13 minutes and
# gave 14-26 MHz more per clock than router2 on a nearly equal netlist (hdl/README.md).
# Prints one line per clock:  SYNTH clock=<name> fmax_mhz=<x> target_mhz=<y> grade=<g>
#
# usage: synth_dram.sh YOSYS NEXTPNR OUTDIR SPEED SEED files...
# SYNTH_DRAM_REUSE=1: keep OUTDIR/dsr_dram_synth.json if it is newer than every input file
# (Yosys takes minutes to an hour on this design; placement can be rerun alone).
set -uo pipefail
. "$(dirname "$0")/ecp5_yosys.sh"
yosys=$1 nextpnr=$2 out=$3 speed=$4 seed=$5
shift 5
mkdir -p "$out"
here=$(cd "$(dirname "$0")" && pwd)
json=$out/dsr_dram_synth.json
# the clocks from dsr_hw.h and the YAML (hdl/Makefile), the DDR3 pins
: "${PIPE_MHZ:?PIPE_MHZ: the pipeline clock (hdl/Makefile, from dsr_hw.h)}"
: "${FX3_MHZ:?FX3_MHZ: the FX3 clock, the input of LiteDRAM (hdl/Makefile, from dsr_hw.h)}"
: "${DRAM_SYS_MHZ:?DRAM_SYS_MHZ: sys_clk_freq of the YAML (hdl/Makefile)}"
lpf=$out/dsr_dram_synth.lpf
{
	echo "FREQUENCY PORT \"clk\" $PIPE_MHZ MHZ;"
	echo "FREQUENCY PORT \"clk100\" $FX3_MHZ MHZ;"
	cat "$here/dsr_dram_synth.lpf"
} > "$lpf"

echo "synth: dsr_dram_synth (4096 x 4096 x 16 in DDR3, LiteDRAM ECP5DDRPHY), LFE5U-85F-$speed CABGA381"
fresh=0
if [ "${SYNTH_DRAM_REUSE:-0}" = 1 ] && [ -f "$json" ]; then
	fresh=1
	for f in "$@"; do [ "$f" -nt "$json" ] && fresh=0; done
fi
if [ $fresh = 1 ]; then
	echo "synth: reusing $json"
else
	"$yosys" -q -l "$out/yosys.log" -p "
		read_verilog -sv -D DSR_ECP5 $*
		$(ecp5_yosys_map dsr_dram_synth "$json")
		tee -o $out/stat.txt stat
	" || { tail -20 "$out/yosys.log" >&2; exit 1; }
fi
"$nextpnr" --85k --speed "$speed" --package CABGA381 --json "$json" \
	--lpf "$lpf" --lpf-allow-unconstrained --seed "$seed" \
	--report "$out/report.json" -l "$out/nextpnr.log" >/dev/null 2>&1
pnr=$?

# the pipeline's port, LiteDRAM's PLL input, its CRG outputs (by the core's instance in
# dram/dsr_litedram_hw.sv): sys2x (150 MHz, ECLK), init (25 MHz), sys (75 MHz from
# CLKDIVF, DRAM_SYS_MHZ: the YAML's sys_clk_freq, passed by hdl/Makefile; its net may
# carry a sink's name, hence --target); a clock without its line fails the run
python3 "$here/pnr_report.py" "$out" "$speed" --clock '\$clk\$=pipe_clk' --clock '\$clk100\$=clk100' \
	--clock 'litedram\..*(sys2x|clkout0)=dram_sys2x' --clock 'litedram\..*(init_clk|clkout1)=dram_init' \
	--clock 'litedram\.sys_clk|user_clk=dram_sys' --target "$DRAM_SYS_MHZ=dram_sys" \
	--expect pipe_clk --expect clk100 --expect dram_sys --expect dram_init
report=$?
if [ $report -ne 0 ]; then
	echo "synth-dram: the clock report is incomplete (pnr_report.py above)" >&2
	exit 1
fi
if [ $pnr -ne 0 ]; then
	grep -E "ERROR|FAIL" "$out/nextpnr.log" | tail -5 >&2
	echo "synth-dram: nextpnr failed (a clock misses its target, or placement/routing failed)" >&2
	exit 1
fi
