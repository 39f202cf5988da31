#!/usr/bin/env bash
# depth_test.sh - synth/depth.py against synth/depth_check.v, whose LUT levels are known
# (its header): Yosys synth_ecp5 as make synth runs it, then one PATH query per register and
# the DEPTH lines per clock. Prints DEPTH_TEST pass, or the first mismatch and exits 1.
# usage: depth_test.sh YOSYS PYTHON OUTDIR
set -euo pipefail
yosys=$1 python=$2 out=$3
here=$(dirname "$0")
mkdir -p "$out"
"$yosys" -q -l "$out/yosys.log" -p "read_verilog $here/depth_check.v; synth_ecp5 -top depth_check -json $out/depth_check.json"
fail=0
check() {   # check EXPECTED command...: the command's first line contains EXPECTED
	local want=$1 got
	shift
	got=$("$@" || true)
	got=${got%%$'\n'*}
	if [[ "$got" != *"$want"* ]]; then
		echo "depth_test: expected '$want', got '$got'" >&2
		fail=1
	fi
}
q() { "$python" "$here/depth.py" "$out/depth_check.json" --from . --to "$1"; }
check "levels=4 endpoint=c4.DI" q 'c4$'
check "levels=1 endpoint=c_sel.DI" q 'c_sel$'
check "levels=2 endpoint=c_and.DI" q 'c_and$'
check "levels=1.5 endpoint=sum.DI" q 'sum$'
check "levels=1 endpoint=b_q.DI" q 'b_q$'
# per clock: clk_a's 28 endpoints (r, c4, c_sel, c_and, sum), the deepest c4; clk_b's b_x
# is fed from clk_a only (a crossing), so clk_b counts b_r and b_q, at most 1 level
check "DEPTH clock=a endpoints=28 max_levels=4 over3=1" \
	"$python" "$here/depth.py" "$out/depth_check.json" --clock clk_a=a --clock clk_b=b
lines=$("$python" "$here/depth.py" "$out/depth_check.json" --clock clk_a=a --clock clk_b=b)
if ! grep -qx "DEPTH clock=b endpoints=2 max_levels=1 over3=0" <<<"$lines"; then
	echo "depth_test: clock b: got '$lines'" >&2
	fail=1
fi
if [ $fail -ne 0 ]; then
	echo "DEPTH_TEST fail"
	exit 1
fi
echo "DEPTH_TEST pass"
