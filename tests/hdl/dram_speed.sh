#!/usr/bin/env bash
# dram_speed.sh - what the DRAM model costs in simulation: the same frames (gen_smoke's
# benchmark stimulus, output compared with the C model) through the on-chip build and the
# DRAM build (LiteDRAM core + SDRAMPHYModel at 4/5 of the pipeline clock), in one run;
# pixels per second of each (process wall time) and their ratio.
# usage: dram_speed.sh BUILD_DIR ONCHIP_TB DRAM_TB BENCH_FRAMES
set -euo pipefail
build=$1 tb=$2 dtb=$3 frames=$4

"$build/gen_smoke" "$build/bench" "$frames"
now() { date +%s.%N; }
t0=$(now)
a=$("$tb" +replay="$build/bench.stim" +expect="$build/bench.exp" | grep '^replay')
t1=$(now)
b=$("$dtb" +replay="$build/bench.stim" +expect="$build/bench.exp" | grep '^replay')
t2=$(now)
echo "on-chip: $a"
echo "dram:    $b"
case "$a$b" in *FAIL*) echo "dram_speed: a build disagreed with the model" >&2; exit 1 ;; esac
pixels=$(echo "$a" | sed -n 's/.* \([0-9]*\) input pixels.*/\1/p')
[ -n "$pixels" ] || pixels=$(echo "$a" | grep -o '[0-9]* pixels' | head -1 | cut -d' ' -f1)
python3 - "$pixels" "$t0" "$t1" "$t2" "$a" "$b" <<'PY'
import re, sys
px, t0, t1, t2 = int(sys.argv[1]), *map(float, sys.argv[2:5])
loop = [float(re.search(r"([0-9.]+) pixels/s", l).group(1)) for l in sys.argv[5:7]]
a, b = px / (t1 - t0), px / (t2 - t1)
# the simulation loop alone, and the whole process (the DRAM model's start-up included:
# its 128 MB of DRAM arrays are initialised, randomly with --x-initial unique)
print(f"BENCH verilator px_per_s onchip={loop[0]:.0f} dram={loop[1]:.0f} "
      f"ratio={loop[0] / loop[1]:.2f} (simulation loop, {px} pixels)")
print(f"BENCH verilator process px_per_s onchip={a:.0f} dram={b:.0f} ratio={a / b:.2f} "
      f"(wall time of each process, start-up included)")
PY
