#!/usr/bin/env bash
# bench.sh - the pipeline's speed figures, measured in one run:
#   cycles per pixel with no back-pressure (Verilator testbench, frames back to back);
#   Verilator and Icarus simulation speed in pixels per second on the same frames
#   (gen_smoke's benchmark stimulus, output compared with the C model in both), and
#   their ratio; with FAST_TB, the speed build (X fast, -O3) against the test build on
#   the same frames (BENCH verilator px_per_s is the speed build's figure, else the test
#   build's). Wall-clock time of each simulator process, start-up included.
# usage: bench.sh BUILD_DIR VERILATOR_TB BENCH_FRAMES [FAST_TB]
set -euo pipefail
build=$1 tb=$2 frames=$3 fast=${4:-}

"$tb" +seed=1 +throughput +test=size-change | grep '^throughput'
"$build/gen_smoke" "$build/bench" "$frames"

now() { date +%s.%N; }
replay() { "$1" +replay="$build/bench.stim" +expect="$build/bench.exp" | grep '^replay'; }
t0=$(now)
vl=$(replay "$tb")
t1=$(now)
iv=$(vvp -n "$build/smoke.vvp" +stim="$build/bench.stim" +expect="$build/bench.exp" | grep '^tb_smoke')
t2=$(now)
vf=skipped
t3=$t2
if [ -n "$fast" ]; then
	vf=$(replay "$fast")
	t3=$(now)
fi
echo "verilator: $vl"
echo "fast:      $vf"
echo "icarus:    $iv"
pixels=$(echo "$iv" | sed -n 's/.* \([0-9]*\) input pixels.*/\1/p')
case "$vl$iv$vf" in *FAIL*) echo "bench: a simulator disagreed with the model" >&2; exit 1 ;; esac
python3 - "$pixels" "$t0" "$t1" "$t2" "$t3" <<'PY'
import sys
px, t0, t1, t2, t3 = int(sys.argv[1]), *map(float, sys.argv[2:])
v, i = px / (t1 - t0), px / (t2 - t1)
f = px / (t3 - t2) if t3 > t2 else None
print(f"BENCH verilator px_per_s={f if f else v:.0f}")
print(f"bench: {px} pixels: Verilator {v:,.0f} pixels/s ({t1 - t0:.2f} s), "
      f"Icarus {i:,.0f} pixels/s ({t2 - t1:.2f} s), Verilator/Icarus = {v / i:.1f}x")
if f:
    print(f"bench: speed build {f:,.0f} pixels/s ({t3 - t2:.2f} s), {f / v:.2f}x the test build")
PY
