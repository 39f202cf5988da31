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

echo "synth-store: dsr_ref_dram + dsr_mem_bridge (4096 x 4096 x 16, out of context), LFE5U-85F-$speed CABGA381"
"$yosys" -q -l "$out/yosys.log" -p "
	read_verilog -sv $*
	synth_ecp5 -top dsr_store_synth -json $json
	tee -o $out/stat.txt stat
" || { tail -20 "$out/yosys.log" >&2; exit 1; }
"$nextpnr" --85k --speed "$speed" --package CABGA381 --json "$json" \
	--lpf "$here/dsr_store_synth.lpf" --lpf-allow-unconstrained --seed "$seed" \
	--timing-allow-fail --report "$out/report.json" -l "$out/nextpnr.log" >/dev/null 2>&1 || {
	tail -20 "$out/nextpnr.log" >&2
	echo "synth-store: nextpnr failed" >&2
	exit 1
}

python3 - "$out" "$speed" <<'PY'
import json, re, sys
out, speed = sys.argv[1], sys.argv[2]
log = open(f"{out}/nextpnr.log").read()
def name(net):
    # nextpnr names the clocks after their global buffers ($glbnet$clk$TRELLIS_IO_IN)
    return "dram_sys" if "dram_clk" in net else "pipe_clk" if "clk" in net else net
# the routed figures: the last report in the log
seen = {}
for m in re.finditer(r"Max frequency for clock\s+'([^']+)':\s+([0-9.]+) MHz \((PASS|FAIL) at ([0-9.]+) MHz\)", log):
    net, fmax, _, target = m.groups()
    seen[name(net)] = (float(fmax), float(target))
for nm, (fmax, target) in seen.items():
    print(f"SYNTH clock={nm} fmax_mhz={fmax:.1f} target_mhz={target:.0f} grade={speed}")
util = json.load(open(f"{out}/report.json")).get("utilization", {})
def used(k):
    u = util.get(k, {})
    return f"{u.get('used', 0)}"
print(f"  LUT4+carry: {used('TRELLIS_COMB')}  FF: {used('TRELLIS_FF')}  EBR: {used('DP16KD')}  "
      f"DSP: {used('MULT18X18D')}  LUT RAM: {used('TRELLIS_RAMW')}  (scan wrapper included)")
last = {}
for m in re.finditer(r"Critical path report for clock '([^']*)' \(posedge -> posedge\):\n(.*?)\n\n", log, re.S):
    last[m.group(1)] = m.group(2).splitlines()
for clk, lines in last.items():
    src = [l for l in lines if "Source" in l]
    snk = [l for l in lines if "Sink" in l]
    tot = [l for l in lines if "logic" in l and "routing" in l]
    nm = name(clk)
    if src and snk:
        print(f"  critical {nm}: {src[0].split('Source')[-1].strip()} -> {snk[-1].split('Sink')[-1].strip()}")
    if tot:
        print(f"    {tot[-1].split('Info:')[-1].strip()}")
    with open(f"{out}/critical_{nm}.txt", "w") as f:
        f.write("\n".join(lines) + "\n")
PY
python3 - "$out" <<'PY' || exit 1
import re, sys
log = open(f"{sys.argv[1]}/nextpnr.log").read()
# only the routed (last) report counts
last = {}
for m in re.finditer(r"Max frequency for clock\s+'([^']+)':.*\((PASS|FAIL)", log):
    last[m.group(1)] = m.group(2)
fail = [("dram_sys" if "dram_clk" in c else "pipe_clk") for c, r in last.items() if r == "FAIL"]
if fail:
    print("synth-store: below target: " + ", ".join(fail), file=sys.stderr)
    sys.exit(1)
PY
