#!/usr/bin/env bash
# synth_store.sh - the DRAM reference store out of context (synth/dsr_store_synth.sv:
# dsr_ref_dram + dsr_ref_prefetch + dsr_mem_bridge, every port registered, no LiteDRAM,
# no rest of dsr_top) through Yosys synth_ecp5 and nextpnr-ecp5 for an LFE5U-85F:
# resources, routed fmax of both clocks, each clock's critical path.
# Prints one line per clock:  SYNTH clock=<name> fmax_mhz=<x> target_mhz=<y> grade=<g>
# and fails (after the report) when a clock misses its target.
#
# usage: synth_store.sh YOSYS NEXTPNR OUTDIR SPEED SEED files...
set -uo pipefail
yosys=$1 nextpnr=$2 out=$3 speed=$4 seed=$5
shift 5
mkdir -p "$out"
here=$(cd "$(dirname "$0")" && pwd)
json=$out/dsr_store_synth.json
# the two clocks, no pins (nextpnr places the scan ports): the pipeline's (dsr_hw.h) and
# LiteDRAM's user clock (the YAML's sys_clk_freq), both passed by hdl/Makefile
: "${PIPE_MHZ:?PIPE_MHZ: the pipeline clock (hdl/Makefile, from dsr_hw.h)}"
: "${DRAM_SYS_MHZ:?DRAM_SYS_MHZ: sys_clk_freq of the YAML (hdl/Makefile)}"
lpf=$out/dsr_store_synth.lpf
{
	echo "FREQUENCY PORT \"clk\" $PIPE_MHZ MHZ;"
	echo "FREQUENCY PORT \"dram_clk\" $DRAM_SYS_MHZ MHZ;"
} > "$lpf"

echo "synth-store: dsr_ref_dram + dsr_mem_bridge (4096 x 4096 x 16, out of context), LFE5U-85F-$speed CABGA381"
"$yosys" -q -l "$out/yosys.log" -p "
	read_verilog -sv -D DSR_ECP5 $*
	synth_ecp5 -top dsr_store_synth -json $json
	tee -o $out/stat.txt stat
" || { tail -20 "$out/yosys.log" >&2; exit 1; }
"$nextpnr" --85k --speed "$speed" --package CABGA381 --json "$json" \
	--lpf "$lpf" --lpf-allow-unconstrained --seed "$seed" \
	--timing-allow-fail --report "$out/report.json" -l "$out/nextpnr.log" >/dev/null 2>&1 || {
	tail -20 "$out/nextpnr.log" >&2
	echo "synth-store: nextpnr failed" >&2
	exit 1
}

# the pipeline is `clk`, LiteDRAM's user clock `dram_clk` (their global buffers' nets)
python3 "$here/pnr_report.py" "$out" "$speed" --clock dram_clk=dram_sys --clock clk=pipe_clk \
	--check synth-store
