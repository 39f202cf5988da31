#!/usr/bin/env bash
# bench.sh - the pipeline's speed figures, measured in one run:
#   cycles per pixel with no back-pressure (Verilator testbench, frames back to back);
#   Verilator and Icarus simulation speed in pixels per second on the same frames
#   (gen_smoke's benchmark stimulus, output compared with the C model in both), and
#   their ratio (process wall time, start-up included);
#   with FAST_TB and BASE_TB, the Verilator builds on a longer stimulus (VL_FRAMES 64x64
#   frames, every output word compared): the baseline (today's binary: main at the
#   Makefile's BASE_REV, built from its own sources, replaying the stimulus of its own
#   gen_smoke BASE_GEN), the test build and the speed build (X fast, clang -O3), each run
#   three times interleaved, the median of each replay loop's own pixels/s (the machine is
#   shared: ratios within one run are what counts); then each build's callgrind
#   instructions per input pixel and per cycle on the 16-frame stimulus. BENCH verilator
#   px_per_s is the test build's median (the binary make test runs), else its figure from
#   the Icarus comparison run.
# usage: bench.sh BUILD_DIR VERILATOR_TB BENCH_FRAMES [FAST_TB BASE_TB VL_FRAMES BASE_GEN]
set -euo pipefail
build=$1 tb=$2 frames=$3 fast=${4:-} base=${5:-} vlframes=${6:-200} basegen=${7:-$2}

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

# the Verilator builds against each other: the loop's pixels/s of each replay; the
# baseline plays the same frames as written by its own gen_smoke (its model and format)
runs=""
stim() { case $1 in base) echo "$2_base" ;; *) echo "$2" ;; esac; }
bin_of() { case $1 in base) echo "$base" ;; test) echo "$tb" ;; fast) echo "$fast" ;; esac; }
if [ -n "$fast" ] && [ -n "$base" ]; then
	"$build/gen_smoke" "$build/bench_vl" "$vlframes"
	if [ "$basegen" != "$tb" ]; then
		"$basegen" "$build/bench_vl_base" "$vlframes"
		"$basegen" "$build/bench_base" "$frames"
	else
		cp "$build/bench_vl.stim" "$build/bench_vl_base.stim"
		cp "$build/bench_vl.exp" "$build/bench_vl_base.exp"
		cp "$build/bench.stim" "$build/bench_base.stim"
		cp "$build/bench.exp" "$build/bench_base.exp"
	fi
	exec 4>&2
	TIMEFORMAT='%U %S'
	for i in 1 2 3; do
		for b in base test fast; do
			s=$(stim $b "$build/bench_vl")
			# the process's CPU time too (file reading included): a loaded machine
			# stretches the wall clock far more than the CPU time
			cpu=$( { time "$(bin_of $b)" +replay="$s.stim" +expect="$s.exp" \
				>"$build/bench_replay.out" 2>&4; } 2>&1 | awk '{ print $1 + $2 }')
			r=$(grep '^replay' "$build/bench_replay.out")
			echo "  run $i $b: $r (process CPU $cpu s)"
			case "$r" in *pass) ;; *) echo "bench: $b build disagreed with the model" >&2; exit 1 ;; esac
			px=$(echo "$r" | sed -n 's/.* \([0-9]*\) input pixels.*/\1/p')
			runs="$runs $b=$(echo "$r" | sed -n 's/.*: \([0-9]*\) pixels\/s.*/\1/p') ${b}_cpu=$(awk "BEGIN { print $px / $cpu }")"
		done
	done
fi

# instructions per input pixel and per simulated cycle of each build's replay loop
# (callgrind, 16 frames): the figure a loaded machine cannot disturb
irs=""
if [ -n "$fast" ] && [ -n "$base" ] && command -v valgrind >/dev/null; then
	for b in base test fast; do
		out=$(valgrind --tool=callgrind --collect-atstart=no --callgrind-out-file=/dev/null \
			"$(bin_of $b)" +replay="$(stim $b "$build/bench").stim" \
			+expect="$(stim $b "$build/bench").exp" 2>&1)
		ir=$(echo "$out" | sed -n 's/.*Collected : \([0-9]*\).*/\1/p')
		px=$(echo "$out" | sed -n 's/^replay: .* \([0-9]*\) input pixels.*/\1/p')
		cyc=$(echo "$out" | sed -n 's/^replay: .* \([0-9]*\) cycles in.*/\1/p')
		irs="$irs $b=$ir,$px,$cyc"
	done
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
print(f"BENCH verilator px_per_s={med.get('test', v):.0f}")
print(f"bench: {px} pixels (process wall time): Verilator test build {v:,.0f} pixels/s "
      f"({t1 - t0:.2f} s), Icarus {i:,.0f} pixels/s ({t2 - t1:.2f} s), Verilator/Icarus = {v / i:.1f}x")
if med:
    print(f"bench: Verilator replay loop, median of 3: baseline {med['base']:,.0f}, "
          f"test build {med['test']:,.0f} ({med['test'] / med['base']:.2f}x), "
          f"speed build {med['fast']:,.0f} pixels/s ({med['fast'] / med['base']:.2f}x the baseline)")
    print(f"bench: pixels per CPU second (whole process), median of 3: baseline "
          f"{med['base_cpu']:,.0f}, test build {med['test_cpu']:,.0f} "
          f"({med['test_cpu'] / med['base_cpu']:.2f}x), speed build {med['fast_cpu']:,.0f} "
          f"({med['fast_cpu'] / med['base_cpu']:.2f}x the baseline)")
ir = {k: [int(v) for v in x.split(",")] for k, x in (kv.split("=") for kv in sys.argv[6].split())}
if ir:
    per_px = {k: i / p for k, (i, p, c) in ir.items()}
    per_cyc = {k: i / c for k, (i, p, c) in ir.items()}
    print(f"BENCH verilator instr_per_px baseline={per_px['base']:.0f} test={per_px['test']:.0f} "
          f"speed={per_px['fast']:.0f} speedup={per_px['base'] / per_px['fast']:.2f}")
    print(f"bench: callgrind instructions per cycle baseline={per_cyc['base']:.0f} "
          f"test={per_cyc['test']:.0f} speed={per_cyc['fast']:.0f}")
PY
