#!/usr/bin/env bash
# synth_fx3.sh - the FX3 side out of context (synth/dsr_fx3_synth.sv: dsr_fx3_slave on the
# ButterStick's FX3 pins, its streams registered) through Yosys synth_ecp5 and nextpnr-ecp5
# for an LFE5U-85F: resources, routed fmax of fx3_clk (target FX3_MHZ: dsr_hw.h's
# DSR_FX3_CLK_KHZ, passed by hdl/Makefile), its critical path.
# The pins are the board's (the fx3_* lines of board/butterstick.lpf), the clock comes in
# on the oscillator's pin at that frequency.
# Prints one line per clock:  SYNTH clock=<name> fmax_mhz=<x> target_mhz=<y> grade=<g>
# and fails (after the report) when the clock misses its target.
#
# usage: synth_fx3.sh YOSYS NEXTPNR OUTDIR SPEED SEED BOARD_LPF files...
set -uo pipefail
yosys=$1 nextpnr=$2 out=$3 speed=$4 seed=$5 board_lpf=$6
shift 6
mkdir -p "$out"
here=$(cd "$(dirname "$0")" && pwd)
json=$out/dsr_fx3_synth.json
lpf=$out/dsr_fx3_synth.lpf
: "${FX3_MHZ:?FX3_MHZ: the FX3 clock (hdl/Makefile, from dsr_hw.h)}"

{
	echo "FREQUENCY PORT \"fx3_clk\" $FX3_MHZ MHZ;"
	sed -n 's/"clk30"/"fx3_clk"/p' "$board_lpf" | grep -E '^(LOCATE|IOBUF)'
	grep -E '"fx3_(dq|a|slcs_n|sloe_n|slrd_n|slwr_n|pktend_n|flag)(\[[0-9]+\])?"' "$board_lpf"
} > "$lpf"
[ "$(grep -c '^LOCATE' "$lpf")" -eq 44 ] || { echo "synth-fx3: expected 44 pins (clock, DQ 32, A 2, 5 strobes, 4 flags) in $lpf" >&2; exit 1; }

echo "synth-fx3: dsr_fx3_slave on the FX3 pins (out of context), LFE5U-85F-$speed CABGA381"
"$yosys" -q -l "$out/yosys.log" -p "
	read_verilog -sv -D DSR_ECP5 $*
	synth_ecp5 -top dsr_fx3_synth -json $json
	tee -o $out/stat.txt stat
" || { tail -20 "$out/yosys.log" >&2; exit 1; }
"$nextpnr" --85k --speed "$speed" --package CABGA381 --json "$json" \
	--lpf "$lpf" --lpf-allow-unconstrained --seed "$seed" \
	--timing-allow-fail --report "$out/report.json" -l "$out/nextpnr.log" >/dev/null 2>&1 || {
	tail -20 "$out/nextpnr.log" >&2
	echo "synth-fx3: nextpnr failed" >&2
	exit 1
}

python3 "$here/pnr_report.py" "$out" "$speed" --clock fx3_clk=fx3_clk --check synth-fx3
