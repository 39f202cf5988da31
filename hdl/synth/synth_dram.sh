#!/usr/bin/env bash
# synth_dram.sh - the DRAM build (dsr_dram_synth: dsr_top REF_DRAM + bridge + init +
# LiteDRAM's ECP5 DDR3 core) through Yosys and nextpnr-ecp5 for an LFE5U-85F, with the
# DDR3 pins of synth/dsr_dram_synth.lpf; resources and fmax of every clock domain.
# No --timing-allow-fail: a clock below its target fails the run (after the report).
# Prints one line per clock:  SYNTH clock=<name> fmax_mhz=<x> target_mhz=<y> grade=<g>
#
# usage: synth_dram.sh YOSYS NEXTPNR OUTDIR SPEED SEED files...
# SYNTH_DRAM_REUSE=1: keep OUTDIR/dsr_dram_synth.json if it is newer than every input file
# (Yosys takes minutes to an hour on this design; placement can be rerun alone).
set -uo pipefail
yosys=$1 nextpnr=$2 out=$3 speed=$4 seed=$5
shift 5
mkdir -p "$out"
here=$(cd "$(dirname "$0")" && pwd)
json=$out/dsr_dram_synth.json

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
		read_verilog -sv $*
		synth_ecp5 -top dsr_dram_synth -json $json
		tee -o $out/stat.txt stat
	" || { tail -20 "$out/yosys.log" >&2; exit 1; }
fi
"$nextpnr" --85k --speed "$speed" --package CABGA381 --json "$json" \
	--lpf "$here/dsr_dram_synth.lpf" --lpf-allow-unconstrained --seed "$seed" \
	--report "$out/report.json" -l "$out/nextpnr.log" >/dev/null 2>&1
pnr=$?

python3 - "$out" "$speed" <<'PY'
import json, re, sys
out, speed = sys.argv[1], sys.argv[2]
log = open(f"{out}/nextpnr.log").read()
def name(net, target=None):
    # the pipeline's port, its input clock, LiteDRAM's CRG outputs: sys2x (200 MHz, ECLK),
    # init (25 MHz), sys (100 MHz from CLKDIVF; its net may carry a sink's name)
    if net == "clk":
        return "pipe_clk"
    if net.startswith("clk100"):
        return "clk100"
    for key, nm in (("sys2x", "dram_sys2x"), ("clkout0", "dram_sys2x"), ("init", "dram_init"),
                    ("clkout1", "dram_init"), ("sys", "dram_sys")):
        if key in net:
            return nm
    if target is not None and abs(target - 100.0) < 0.01:
        return "dram_sys"
    return net
seen = {}
for m in re.finditer(r"Max frequency for clock\s+'([^']+)':\s+([0-9.]+) MHz \((PASS|FAIL) at ([0-9.]+) MHz\)", log):
    net, fmax, _, target = m.groups()
    seen[name(net, float(target))] = (float(fmax), float(target), net)
for nm, (fmax, target, net) in seen.items():
    print(f"SYNTH clock={nm} fmax_mhz={fmax:.1f} target_mhz={target:.0f} grade={speed}")
for nm, (fmax, target, net) in seen.items():
    print(f"  {nm}: net {net}")
try:
    util = json.load(open(f"{out}/report.json")).get("utilization", {})
    def used(k):
        u = util.get(k, {})
        return f"{u.get('used', 0)} / {u.get('available', 0)}"
    print(f"  LUT4: {used('TRELLIS_COMB')}  FF: {used('TRELLIS_FF')}  EBR: {used('DP16KD')}  "
          f"DSP: {used('MULT18X18D')}  LUT RAM: {used('TRELLIS_RAMW')}")
except (OSError, ValueError):
    pass
for m in list(re.finditer(r"Critical path report for clock '([^']*)' \(posedge -> posedge\):\n(.*?)\n\n", log, re.S)):
    lines = m.group(2).splitlines()
    src = [l for l in lines if "Source" in l]
    snk = [l for l in lines if "Sink" in l]
    if src and snk:
        print(f"  critical {name(m.group(1))}: {src[0].split('Source')[-1].strip()} -> {snk[-1].split('Sink')[-1].strip()}")
PY
if [ $pnr -ne 0 ]; then
	grep -E "ERROR|FAIL" "$out/nextpnr.log" | tail -5 >&2
	echo "synth-dram: nextpnr failed (a clock misses its target, or placement/routing failed)" >&2
	exit 1
fi
