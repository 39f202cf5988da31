#!/usr/bin/env bash
# demo-rtl.sh - the issue-2 demo: the pixel pipeline RTL in Verilator on the sample pair.
#
# Generates a synthetic baseline and follow-up (`dsr sample`, 256x256 at 12 bits: the
# Verilator test build's frame store), captures the baseline into the simulated board's
# reference store, subtracts the follow-up with the known transform as quantised by the
# model (the --truth parameter file), and writes into demo-out/rtl/:
#   reference.png live.png   the sample pair
#   model.png                the C reference model's output (dsr subtract)
#   rtl.png                  what the RTL sent
#   (all in demo-out/rtl/, beside the full demo's files) then says whether RTL and model agree bit for bit. Exit 0 only if they do.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
out=$root/demo-out/rtl
hdl=$root/tests/hdl
dsr=$root/userspace/build/dsr
mkdir -p "$out"

echo "demo-rtl: building libdsr/dsr and the Verilator testbench"
make -s -C "$root/userspace" >/dev/null
make -s -C "$hdl" build/obj/Vdsr_top build/gen_smoke >/dev/null

echo "demo-rtl: sample pair (rotation 3 deg, scale 1.02, shift 2.5,-1.5, exposure x1.1, lesion)"
"$dsr" sample -q -o "$out/reference.pgm" --follow "$out/live.pgm" --size 256x256 --bits 12 \
	--rotate 3 --scale 1.02 --shift 2.5,-1.5 --gain 1.1 --lesion 140,120,10,0.08 \
	--truth "$out/truth.json"

regs=$(python3 - "$out/truth.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))["registers"]
modes = {"pass": 0, "capture": 1, "subtract": 2, "warp": 3}
print(modes[r["mode"]], *(r[k] for k in ("width", "height", "pixel_bits", "a11", "a12", "a21",
      "a22", "tx", "ty", "gain", "midgrey")))
PY
)
# shellcheck disable=SC2086
"$hdl/build/gen_smoke" "$hdl/build/demo" demo "$out/reference.pgm" "$out/live.pgm" \
	"$out/model.pgm" $regs

echo "demo-rtl: RTL in Verilator: capture the reference, then subtract the live frame"
"$hdl/build/obj/Vdsr_top" +replay="$hdl/build/demo.stim" +expect="$hdl/build/demo.exp" \
	+dump="$out/rtl.pgm" | grep '^replay'

# PNGs through the project's own image code (`dsr subtract --mode pass` writes LIVE as is)
png() { "$dsr" subtract -q "$out/reference.pgm" "$1" -p "$out/truth.json" --mode pass -o "$2"; }
png "$out/reference.pgm" "$out/reference.png"
png "$out/live.pgm" "$out/live.png"
png "$out/rtl.pgm" "$out/rtl.png"
"$dsr" subtract -q "$out/reference.pgm" "$out/live.pgm" -p "$out/truth.json" -o "$out/model.png"
"$dsr" subtract -q "$out/reference.pgm" "$out/live.pgm" -p "$out/truth.json" -o "$out/model-dsr.pgm"

if cmp -s "$out/rtl.pgm" "$out/model.pgm" && cmp -s "$out/rtl.pgm" "$out/model-dsr.pgm"; then
	echo "demo-rtl: RTL and model AGREE on all $((256 * 256)) pixels; images in demo-out/rtl/"
else
	echo "demo-rtl: RTL and model DISAGREE (demo-out/rtl/rtl.pgm vs model.pgm)" >&2
	exit 1
fi
