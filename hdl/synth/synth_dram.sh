#!/usr/bin/env bash
# synth_dram.sh - the DRAM build (dsr_dram_synth: dsr_top REF_DRAM + bridge + init +
# LiteDRAM's ECP5 DDR3 core) through Yosys and nextpnr-ecp5 for an LFE5U-85F, with the
# DDR3 pins of synth/dsr_dram_synth.lpf; resources and fmax of every clock domain.
#
# usage: synth_dram.sh YOSYS NEXTPNR OUTDIR SPEED SEED files...
set -euo pipefail
yosys=$1 nextpnr=$2 out=$3 speed=$4 seed=$5
shift 5
mkdir -p "$out"
here=$(cd "$(dirname "$0")" && pwd)

echo "synth: dsr_dram_synth (4096 x 4096 x 16 in DDR3, LiteDRAM ECP5DDRPHY), LFE5U-85F-$speed CABGA381"
"$yosys" -q -l "$out/yosys.log" -p "
	read_verilog -sv $*
	synth_ecp5 -top dsr_dram_synth -json $out/dsr_dram_synth.json
	tee -o $out/stat.txt stat
"
"$nextpnr" --85k --speed "$speed" --package CABGA381 --json "$out/dsr_dram_synth.json" \
	--lpf "$here/dsr_dram_synth.lpf" --lpf-allow-unconstrained --seed "$seed" --timing-allow-fail \
	--report "$out/report.json" -l "$out/nextpnr.log" >/dev/null 2>&1 || {
	tail -20 "$out/nextpnr.log" >&2
	exit 1
}

python3 - "$out" <<'PY'
import json, sys
out = sys.argv[1]
rep = json.load(open(f"{out}/report.json"))
util = rep.get("utilization", {})
def used(k):
    u = util.get(k, {})
    return f"{u.get('used', 0)} / {u.get('available', 0)}"
print(f"  LUT4:  {used('TRELLIS_COMB')}   (logic cells: LUT4 + carry)")
print(f"  FF:    {used('TRELLIS_FF')}")
print(f"  EBR:   {used('DP16KD')}")
print(f"  DSP:   {used('MULT18X18D')}")
for clk, v in rep.get("fmax", {}).items():
    print(f"  fmax:  {v.get('achieved', 0):.1f} MHz on {clk} (constraint {v.get('constraint', 0):.1f} MHz)")
PY
