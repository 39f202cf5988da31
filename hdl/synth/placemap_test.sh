#!/usr/bin/env bash
# placemap_test.sh - synth/placemap.py on synth/placemap_check.v placed by nextpnr (25k):
# each block's cell count is the placed netlist's, every placed cell is counted once, the
# marks are the matching cells, and the PNG covers the placed extent at 7 pixels a tile.
# Prints PLACEMAP_TEST pass or the first mismatch and exits 1.
# usage: placemap_test.sh YOSYS NEXTPNR PYTHON OUTDIR
set -euo pipefail
yosys=$1 nextpnr=$2 python=$3 out=$4
here=$(dirname "$0")
mkdir -p "$out"
"$yosys" -q -l "$out/yosys.log" -p "read_verilog $here/placemap_check.v; synth_ecp5 -top placemap_check -json $out/pm.json"
"$nextpnr" --25k --package CABGA256 --json "$out/pm.json" --lpf-allow-unconstrained --seed 1 \
	--write "$out/pm_routed.json" -l "$out/nextpnr.log" -q >/dev/null 2>&1 \
	|| { tail -5 "$out/nextpnr.log" >&2; exit 1; }
got=$("$python" "$here/placemap.py" "$out/pm_routed.json" "$out/pm.png" \
	--block 'cnt=u_cnt\.' --block 'shift=u_sh\.' --mark 'u_sh\.q')
fail=0
# the placed cells whose names match, from the placed netlist itself (not placemap)
count() { "$python" -c "
import json, re, sys
c = next(iter(json.load(open(sys.argv[1]))['modules'].values()))['cells']
print(sum(1 for n, v in c.items() if re.search(sys.argv[2], n) and 'NEXTPNR_BEL' in v.get('attributes', {})))
" "$out/pm_routed.json" "$1"; }
n_cnt=$(count 'u_cnt\.') n_sh=$(count 'u_sh\.') n_all=$(count '.')
grep -q "^PLACE block=cnt cells=$n_cnt " <<<"$got" || { echo "placemap_test: cnt: want $n_cnt cells: $got" >&2; fail=1; }
grep -q "^PLACE block=shift cells=$n_sh " <<<"$got" || { echo "placemap_test: shift: want $n_sh cells: $got" >&2; fail=1; }
[ "$n_cnt" -ge 16 ] || { echo "placemap_test: only $n_cnt cells in the 16-bit counter" >&2; fail=1; }
[ "$n_sh" -ge 24 ] || { echo "placemap_test: only $n_sh cells in the 24-bit shift register" >&2; fail=1; }
grep -q "($n_all placed cells," <<<"$got" || { echo "placemap_test: want $n_all placed cells: $got" >&2; fail=1; }
sum=0
for n in $(sed -n 's/^PLACE block=[^ ]* cells=\([0-9]*\).*/\1/p' <<<"$got"); do sum=$((sum + n)); done
[ "$sum" = "$n_all" ] || { echo "placemap_test: blocks hold $sum cells, $n_all placed" >&2; fail=1; }
n_mk=$(count 'u_sh\.q')
[ "$n_mk" -ge 1 ] || { echo "placemap_test: no cell named u_sh.q to mark" >&2; fail=1; }
grep -q "^placemap: $n_mk marked cells" <<<"$got" || { echo "placemap_test: marks: $got" >&2; fail=1; }
# the PNG: signature, and 7 pixels a tile over the extent placemap reports
ext=$(sed -n 's/.*placed cells, over \([0-9]*\) x \([0-9]*\) tiles).*/\1 \2/p' <<<"$got")
"$python" - "$out/pm.png" $ext <<'PY' || fail=1
import struct, sys
b = open(sys.argv[1], 'rb').read()
w, h = struct.unpack('>II', b[16:24])
want = (int(sys.argv[2]) * 7, int(sys.argv[3]) * 7)
if b[:8] != b'\x89PNG\r\n\x1a\n' or b[12:16] != b'IHDR' or (w, h) != want or w < 20 * 7:
    sys.exit(f'placemap_test: PNG header {b[:8]!r}, {w} x {h}, want {want}')
PY
if [ $fail -ne 0 ]; then
	echo "PLACEMAP_TEST fail"
	exit 1
fi
echo "PLACEMAP_TEST pass"
