#!/usr/bin/env bash
# synth_litedram.sh - LiteDRAM's generated hardware core alone, out of context
# (synth/dsr_litedram_synth.sv: the core on the DDR3 pins of synth/dsr_dram_synth.lpf, its
# user port and wb_ctrl registered in user_clk), through Yosys synth_ecp5 and nextpnr-ecp5
# for an LFE5U-85F: resources, routed fmax of the core's clocks, each clock's critical path.
# What limits dram_sys, and what a LiteDRAM setting of hdl/dram/dsr_dram.yml changes, in
# minutes instead of the whole board's half hour. The target of dram_sys is the core's own
# sys_clk_freq (nextpnr derives it through the core's PLL and CLKDIVF).
# Prints one line per clock:  SYNTH clock=<name> fmax_mhz=<x> target_mhz=<y> grade=<g>
# and fails (after the report) when a clock misses its target.
#
# usage: synth_litedram.sh YOSYS NEXTPNR OUTDIR SPEED SEED SYS_MHZ files...
set -uo pipefail
yosys=$1 nextpnr=$2 out=$3 speed=$4 seed=$5 sys=$6
shift 6
mkdir -p "$out"
here=$(cd "$(dirname "$0")" && pwd)
json=$out/dsr_litedram_synth.json
# LiteDRAM's input clock (the board's fx3_clk: dsr_hw.h, through hdl/Makefile), the DDR3 pins
: "${FX3_MHZ:?FX3_MHZ: the FX3 clock, the input of LiteDRAM (hdl/Makefile, from dsr_hw.h)}"
lpf=$out/dsr_litedram_synth.lpf
{
	echo "FREQUENCY PORT \"clk100\" $FX3_MHZ MHZ;"
	cat "$here/dsr_dram_synth.lpf"
} > "$lpf"

echo "synth-litedram: LiteDRAM ECP5 DDR3 core alone (sys $sys MHz, out of context), LFE5U-85F-$speed CABGA381"
"$yosys" -q -l "$out/yosys.log" -p "
	read_verilog -sv -D DSR_ECP5 $*
	synth_ecp5 -top dsr_litedram_synth -json $json
	tee -o $out/stat.txt stat
" || { tail -20 "$out/yosys.log" >&2; exit 1; }
"$nextpnr" --85k --speed "$speed" --package CABGA381 --json "$json" \
	--lpf "$lpf" --lpf-allow-unconstrained --seed "$seed" \
	--timing-allow-fail --report "$out/report.json" -l "$out/nextpnr.log" >/dev/null 2>&1 || {
	tail -20 "$out/nextpnr.log" >&2
	echo "synth-litedram: nextpnr failed" >&2
	exit 1
}

# LiteDRAM's PLL input, its CRG outputs (by the core's instance in dram/dsr_litedram_hw.sv):
# sys2x (ECLK), init (25 MHz), sys (CLKDIVF; its net may carry a sink's name, hence
# --target); a clock without its line fails the run
python3 "$here/pnr_report.py" "$out" "$speed" --clock '\$clk100\$=clk100' \
	--clock 'litedram\..*(sys2x|clkout0)=dram_sys2x' --clock 'litedram\..*(init_clk|clkout1)=dram_init' \
	--clock 'litedram\.sys_clk|user_clk=dram_sys' --target "$sys=dram_sys" \
	--expect clk100 --expect dram_init --expect dram_sys --check synth-litedram
