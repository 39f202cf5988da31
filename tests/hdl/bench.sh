#!/usr/bin/env bash
# bench.sh - the pipeline's speed figures, measured in one run:
#   cycles per pixel with no back-pressure (Verilator testbench, frames back to back);
#   Verilator and Icarus simulation speed in pixels per second on the same frames
#   (gen_smoke's benchmark stimulus, output compared with the C model in both), and
#   their ratio (process wall time, start-up included);
#   with FAST_TB and BASE_TB, the Verilator builds on a longer stimulus (VL_FRAMES 64x64
#   frames, every output word compared): the baseline (the test build as it was before
#   the speed work), the test build and the speed build (X fast, -O3), each run three
#   times interleaved, the median of each replay loop's own pixels/s (the machine is
#   shared: ratios within one run are what counts). BENCH verilator px_per_s is the
#   speed build's median, else the test build's Icarus-run figure.
# usage: bench.sh BUILD_DIR VERILATOR_TB BENCH_FRAMES [FAST_TB BASE_TB VL_FRAMES]
set -euo pipefail
build=$1 tb=$2 frames=$3 fast=${4:-} base=${5:-} vlframes=${6:-200}

"$tb" +seed=1 +throughput +test=size-change | grep '^throughput'
"$build/gen_smoke" "$build/bench" "$frames"

now() { date +%s.%N; }
replay() { "$1" +replay="$2.stim" +expect="$2.exp" | grep '^replay'; }
t0=$(now)
vl=$(replay "$tb" "$build/bench")
t1=$(now)
iv=$(vvp -n "$build/smoke.vvp" +stim="$build/bench.stim" +expect="$build/bench.exp" | grep '^tb_smoke')
t2=$(now)
echo "verilator: $vl"
echo "icarus:    $iv"
pixels=$(echo "$iv" | sed -n 's/.* \([0-9]*\) input pixels.*/\1/p')
case "$vl$iv" in *FAIL*) echo "bench: a simulator disagreed with the model" >&2; exit 1 ;; esac

# the Verilator builds against each other: the loop's pixels/s of each replay
runs=""
if [ -n "$fast" ] && [ -n "$base" ]; then
	"$build/gen_smoke" "$build/bench_vl" "$vlframes"
	for i in 1 2 3; do
		for b in base test fast; do
			case $b in base) bin=$base ;; test) bin=$tb ;; fast) bin=$fast ;; esac
			r=$(replay "$bin" "$build/bench_vl")
			echo "  run $i $b: $r"
			case "$r" in *pass) ;; *) echo "bench: $b build disagreed with the model" >&2; exit 1 ;; esac
			runs="$runs $b=$(echo "$r" | sed -n 's/.*: \([0-9]*\) pixels\/s.*/\1/p')"
		done
	done
fi

# instructions per simulated cycle of each build's replay loop (callgrind, 16 frames): the
# figure a loaded machine cannot disturb
irs=""
if [ -n "$fast" ] && [ -n "$base" ] && command -v valgrind >/dev/null; then
	for b in base test fast; do
		case $b in base) bin=$base ;; test) bin=$tb ;; fast) bin=$fast ;; esac
		ir=$(valgrind --tool=callgrind --collect-atstart=no --callgrind-out-file=/dev/null \
			"$bin" +replay="$build/bench.stim" +expect="$build/bench.exp" 2>&1 |
			sed -n 's/.*Collected : \([0-9]*\).*/\1/p')
		irs="$irs $b=$ir"
	done
	cycles=$(echo "$vl" | sed -n 's/.* \([0-9]*\) cycles in.*/\1/p')
	irs="$irs cycles=$cycles"
fi

python3 - "$pixels" "$t0" "$t1" "$t2" "$runs" "$irs" <<'PY'
import statistics, sys
px, t0, t1, t2 = int(sys.argv[1]), *map(float, sys.argv[2:5])
v, i = px / (t1 - t0), px / (t2 - t1)
runs = {}
for kv in sys.argv[5].split():
    k, x = kv.split("=")
    runs.setdefault(k, []).append(float(x))
med = {k: statistics.median(x) for k, x in runs.items()}
print(f"BENCH verilator px_per_s={med.get('fast', v):.0f}")
print(f"bench: {px} pixels (process wall time): Verilator test build {v:,.0f} pixels/s "
      f"({t1 - t0:.2f} s), Icarus {i:,.0f} pixels/s ({t2 - t1:.2f} s), Verilator/Icarus = {v / i:.1f}x")
if med:
    print(f"bench: Verilator replay loop, median of 3: baseline {med['base']:,.0f}, "
          f"test build {med['test']:,.0f} ({med['test'] / med['base']:.2f}x), "
          f"speed build {med['fast']:,.0f} pixels/s ({med['fast'] / med['base']:.2f}x the baseline)")
ir = {k: int(x) for k, x in (kv.split("=") for kv in sys.argv[6].split())}
if ir:
    c = ir.pop("cycles")
    print(f"BENCH verilator instr_per_cycle baseline={ir['base'] / c:.0f} test={ir['test'] / c:.0f} "
          f"speed={ir['fast'] / c:.0f} speedup={ir['base'] / ir['fast']:.2f}")
PY
