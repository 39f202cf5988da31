#!/usr/bin/env bash
# abc_covers.sh SET DEPTH OUTDIR - reach every cover statement of formal/fv_SET.sv with
# ABC's BMC (smtbmc with z3 needs hours on the frame_in and regs harnesses). The
# harness's assertions (proved by SET.sby) become assumptions, each cover (c) becomes
# assert (!(c)); BMC finds one "failing" output at a time, which is then tied off, until
# all are reached or none is within DEPTH cycles. Prints "reached <n> of <m>" and each
# unreached cover; exit status 0 only if all were reached.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
s=$1 depth=$2 dir=$3
ABCBIN=${ABCBIN:-yosys-abc}
rm -rf "$dir" && mkdir -p "$dir"
sed 's/\bassert (/assume (/; s/^\(\s*\)cover (\(.*\));/\1assert (!(\2));/' "$here/fv_$s.sv" >"$dir/fv_$s.sv"
# the set's script and files, without its tasks; the harness replaced by the copy
{
	printf '[options]\nmode bmc\ndepth 1\n'
	# options other than the mode and depth (multiclock) carry over, untasked lines only
	sed -n '/^\[options\]/,/^\[/p' "$here/$s.sby" | grep -v '^\[' | grep -v '^[a-z_0-9]*:' |
		grep -v -E '^(mode|depth)\b' | grep . || true
	printf '[engines]\nabc bmc3\n[script]\n'
	sed -n '/^\[script\]/,/^\[/p' "$here/$s.sby" | grep -v '^\[' | grep -v '^[a-z_0-9]*:'
	printf '[files]\n'
	sed -n '/^\[files\]/,/^\[/p' "$here/$s.sby" | grep -v '^\[' | grep -v "fv_$s.sv" | grep . |
		while read -r f; do (cd "$here" && realpath "$f"); done
	echo "$dir/fv_$s.sv"
} >"$dir/model.sby"
( cd "$dir" && "$SBY" -f model.sby >model.log 2>&1 ) || { echo "abc_covers: model of $s failed" >&2; exit 1; }
aig=$dir/model/model/design_aiger.aig
mapfile -t names < <(python3 -c "
import json, sys
for a in json.load(open(sys.argv[1]))['asserts']: print(a[-1].lstrip('\\\\'))" "$dir/model/model/design_aiger.ywa")
zero="" reached=0
for _ in "${names[@]}"; do
	out=$("$ABCBIN" -c "read_aiger $aig; fold; strash; $zero bmc3 -F $depth -T 300" 2>&1)
	n=$(echo "$out" | sed -n 's/^Output \([0-9]*\) of miter .* was asserted in frame \([0-9]*\).*/\1 \2/p')
	[ -n "$n" ] || break
	echo "  reached ${names[${n% *}]#check_assert_} in cycle ${n#* }"
	zero="$zero zeropo -N ${n% *};"
	reached=$((reached + 1))
done
echo "reached $reached of ${#names[@]}"
[ "$reached" -eq "${#names[@]}" ]
