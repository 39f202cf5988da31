#!/usr/bin/env bash
# netlist.sh - the synthesised configuration as Yosys maps it for the ECP5 (synth_ecp5:
# DP16KD block RAMs with Yosys's read-first emulation logic, MULT18X18D, LUT4, carry,
# TRELLIS_FF), written out as a Verilog netlist for simulation with Yosys's ECP5 cell
# models (share/ecp5/cells_sim.v).
# usage: netlist.sh YOSYS OUT.v MAX_WIDTH MAX_HEIGHT PIXEL_BITS_MAX rtl...
# Yosys gets every path relative to the working directory: YoWASP mounts its own temporary
# directory at /tmp inside its sandbox, so an absolute path into a tree under /tmp (a clone
# there) names a file Yosys cannot see.
set -euo pipefail
yosys=$1 out=$(realpath -m --relative-to=. "$2") w=$3 h=$4 bits=$5
shift 5
rtl=()
for f in "$@"; do rtl+=("$(realpath -m --relative-to=. "$f")"); done
set -- "${rtl[@]}"
mkdir -p "$(dirname "$out")"
"$yosys" -q -l "${out%.v}.log" -p "
	read_verilog -sv -D SYNTHESIS -D DSR_ECP5 $*
	chparam -set MAX_WIDTH $w -set MAX_HEIGHT $h -set PIXEL_BITS_MAX $bits dsr_top
	synth_ecp5 -top dsr_top
	rename -top dsr_top
	write_verilog -noattr $out
"
echo "netlist: $out (dsr_top $w x $h x $bits, synth_ecp5)"
