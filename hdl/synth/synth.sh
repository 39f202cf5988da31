#!/usr/bin/env bash
# synth.sh - dsr_top (in synth/dsr_top_synth.sv: on-chip store, no DRAM port) through Yosys (synth_ecp5) and nextpnr-ecp5 for an LFE5U-85F,
# then the numbers that matter: LUTs, flip-flops, block RAMs, DSPs, fmax, critical path,
# and one line for the pipeline clock:  SYNTH clock=pipe_clk fmax_mhz=<x> target_mhz=<y> grade=<g>
#
# SYNTH_SPEED (environment): speed grade 6 (default, slowest), 7 or 8.
# SYNTH_PORT_REGS (environment): 1 (default) registers every port in dsr_top_synth, as the
# board core does; 0 synthesises the bare dsr_top (the figures before 2026-12-05 23:30).
# YOSYS_ONLY=1 (environment): stop after Yosys's JSON (make depth reads that netlist).
# usage: synth.sh YOSYS NEXTPNR OUTDIR MAX_WIDTH MAX_HEIGHT PIXEL_BITS_MAX FREQ_MHZ PACKAGE SEED rtl...
# No pin constraints: nextpnr places the ports itself, so the figure is the core's.
# Every ECP5 script here reads the RTL with DSR_ECP5 defined: the RTL then instantiates
# ECP5 primitives where Yosys would not infer what we need (DP16KD's output register);
# without it (Verilator, formal, other FPGAs) the same behaviour in plain RTL.
set -euo pipefail
yosys=$1 nextpnr=$2 out=$3 w=$4 h=$5 bits=$6 freq=$7 pkg=$8 seed=$9
speed=${SYNTH_SPEED:-6}
port_regs=${SYNTH_PORT_REGS:-1}
shift 9
mkdir -p "$out"

echo "synth: dsr_top MAX_WIDTH=$w MAX_HEIGHT=$h PIXEL_BITS_MAX=$bits PORT_REGS=$port_regs, LFE5U-85F-$speed $pkg, target $freq MHz, seed $seed"
"$yosys" -q -l "$out/yosys.log" -p "
	read_verilog -sv -D DSR_ECP5 $*
	chparam -set MAX_WIDTH $w -set MAX_HEIGHT $h -set PIXEL_BITS_MAX $bits -set PORT_REGS $port_regs dsr_top_synth
	synth_ecp5 -top dsr_top_synth -json $out/dsr_top.json
	tee -o $out/stat.txt stat
"
[ "${YOSYS_ONLY:-0}" = 1 ] && exit 0
"$nextpnr" --85k --speed "$speed" --package "$pkg" --json "$out/dsr_top.json" --freq "$freq" --seed "$seed" \
	--timing-allow-fail --report "$out/report.json" -l "$out/nextpnr.log" >/dev/null 2>&1 || {
	tail -20 "$out/nextpnr.log" >&2
	exit 1
}

python3 "$(dirname "$0")/pnr_report.py" "$out" "$speed" --clock '\$clk\$=pipe_clk'
