#!/usr/bin/env bash
# bitstream.sh - the board top (dsr_board, ButterStick r1.0 + FX3) to a .bit:
# Yosys synth_ecp5, nextpnr-ecp5 with the board's .lpf (clocks derived through the PLL,
# no --timing-allow-fail: a clock below its target fails the build), ecppack.
# nextpnr's default router (router1): on the whole board it routes in about 13 minutes and
# gave 14-26 MHz more per clock than router2 on a nearly equal netlist (hdl/README.md).
# Prints one line per clock:  SYNTH clock=<name> fmax_mhz=<x> target_mhz=<y> grade=<g>
# and the resources; exits non-zero if any clock misses its target.
#
# usage: bitstream.sh YOSYS NEXTPNR ECPPACK OUTDIR LPF DEVICE SPEED PACKAGE SEED MAX_W MAX_H BITS rtl...
# DEVICE: 85k (LFE5U-85F, the timing target at speed 6) or um5g-85k (the ButterStick's part).
# NEXTPNR_OPTS (environment, optional): more nextpnr options for placement experiments,
# e.g. "--placer static"; echoed so a log says which run it was.
# YOSYS_ONLY=1 (environment): stop after Yosys's JSON (make depth TOP=board reads it).
# PLACEMAP=1 (environment): also write the routed netlist and draw where each block sits
# (synth/placemap.py: OUTDIR/placement.png and one PLACE line per block).
set -uo pipefail
. "$(dirname "$0")/ecp5_yosys.sh"
yosys=$1 nextpnr=$2 ecppack=$3 out=$4 lpf=$5 device=$6 speed=$7 pkg=$8 seed=$9 w=${10} h=${11}
bits=${12}
shift 12
mkdir -p "$out"
: "${DRAM_SYS_MHZ:?DRAM_SYS_MHZ: sys_clk_freq of the YAML (hdl/Makefile)}"

echo "bitstream: dsr_board (MAX_WIDTH=$w MAX_HEIGHT=$h PIXEL_BITS_MAX=$bits), $device speed $speed $pkg${NEXTPNR_OPTS:+, nextpnr $NEXTPNR_OPTS}"
"$yosys" -q -l "$out/yosys.log" -p "
	read_verilog -sv -D DSR_ECP5 $*
	chparam -set MAX_WIDTH $w -set MAX_HEIGHT $h -set PIXEL_BITS_MAX $bits dsr_board
	$(ecp5_yosys_map dsr_board "$out/dsr_board.json")
	tee -o $out/stat.txt stat
" || { tail -20 "$out/yosys.log" >&2; exit 1; }
[ "${YOSYS_ONLY:-0}" = 1 ] && exit 0

write=()
[ "${PLACEMAP:-0}" = 1 ] && write=(--write "$out/routed.json")
"$nextpnr" "--$device" --speed "$speed" --package "$pkg" --json "$out/dsr_board.json" \
	--lpf "$lpf" --seed "$seed" --textcfg "$out/dsr_board.config" \
	--report "$out/report.json" -l "$out/nextpnr.log" ${NEXTPNR_OPTS:-} \
	"${write[@]}" >/dev/null 2>&1
pnr=$?
# the picture before the verdict (a run that misses a clock is the one worth looking at);
# a failed drawing does not hide the clock report
if [ "${PLACEMAP:-0}" = 1 ]; then
	python3 "$(dirname "$0")/placemap.py" "$out/routed.json" "$out/placement.png" \
		|| echo "bitstream: no placement picture (placemap.py above)" >&2
fi

# one line per clock from the routed design's timing summary (present on failure too)
# PLL outputs by name; the DRAM core's CRG as in synth_dram.sh, by the core's instance in
# dram/dsr_litedram_hw.sv (dram_sys by its target too, DRAM_SYS_MHZ: hdl/dram/dsr_dram.yml's
# sys_clk_freq, passed by hdl/Makefile); a clock without its line, or two nets named alike,
# fail the build
python3 "$(dirname "$0")/pnr_report.py" "$out" "$speed" --clock pipe_clk=pipe_clk \
	--clock fx3_clk=fx3_clk --clock clk30=clk30 --clock 'litedram\..*(sys2x|clkout0)=dram_sys2x' \
	--clock 'litedram\..*(init_clk|clkout1)=dram_init' --clock 'litedram\.sys_clk|user_clk=dram_sys' \
	--target "$DRAM_SYS_MHZ=dram_sys" --expect pipe_clk --expect fx3_clk --expect dram_sys \
	--expect dram_init
report=$?
if [ $pnr -ne 0 ]; then
	grep -E "ERROR|FAIL" "$out/nextpnr.log" | tail -5 >&2
	echo "bitstream: nextpnr failed (a clock misses its target, or placement/routing failed)" >&2
	exit 1
fi
if [ $report -ne 0 ]; then
	echo "bitstream: the clock report is incomplete (pnr_report.py above)" >&2
	exit 1
fi
"$ecppack" --compress "$out/dsr_board.config" "$out/dsr_board.bit" || exit 1
echo "bitstream: $out/dsr_board.bit ($(stat -c %s "$out/dsr_board.bit") bytes)"
