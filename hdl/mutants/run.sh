#!/usr/bin/env bash
# Mutation run over the pipeline's control logic (mutants.txt): each mutant is one sed
# edit of one RTL file in a scratch copy of hdl/; its killers run against that copy.
#   run.sh [quick|full] [NAME...]     (MUTANT_SLOW=0: full list, fast killers only)
# Prints one line per mutant and
#   MUTANTS killed=<n> total=<n>
# Exit status non-zero if a mutant survives, a sed edit no longer applies (the RTL
# changed under it: update mutants.txt), or a killer fails on the unmutated RTL.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
hdl=$(cd "$here/.." && pwd)
root=$(cd "$hdl/.." && pwd)
set_want=${1:-quick}
shift || true
only=" $* "
work=${MUTANT_BUILD:-$hdl/build/mutants}
export VENV=${VENV:-$root/build/venv/bin}
mkdir -p "$work"

# the smoke stimulus comes from the unmutated C model
make -s -C "$root/tests/hdl" build/gen_smoke >/dev/null || exit 1
# the full run's DRAM killer: LiteDRAM's simulation core, generated once (hdl/dram)
if [ "$set_want" = full ]; then make -s -C "$hdl" dram >/dev/null || exit 1; fi
"$root/tests/hdl/build/gen_smoke" "$work/smoke" 0 >/dev/null || exit 1

# tb_failed STATUS LOG -> 0 if a Verilator killer's testbench ran and failed. A mutant
# that does not build (Verilator's -Wall: a signal the edit left unused) is no kill: the
# mutant has to be rewritten so that it builds and changes behaviour.
tb_failed() {
	[ "$1" -ne 0 ] || return 1
	grep -q '^tb_dsr: seed' "$2" && return 0
	echo "mutants: the testbench did not build or start (log: $2): not counted as a kill" >&2
	return 1
}

run_killer() {	# mutant-copy killer -> 0 if the killer failed (mutant killed)
	local m=$1 k=$2 log=$1/$3.log
	case "$k" in
	formal:*)
		FORMAL_BUILD="$m/build/formal" bash "$m/formal/run.sh" "${k#formal:}" >"$log" 2>&1
		[ $? -ne 0 ] ;;
	smoke)
		local rtl
		rtl=$(make -s -C "$m" --no-print-directory print-rtl)
		iverilog -g2012 -o "$m/smoke.vvp" -s tb_smoke $rtl "$root/tests/hdl/tb_smoke.sv" >"$log" 2>&1
		vvp -n "$m/smoke.vvp" +stim="$work/smoke.stim" +expect="$work/smoke.exp" >>"$log" 2>&1
		grep -q '^ERROR' "$log" || ! grep -q ': pass$' "$log" ;;
	dram)
		# the DRAM build's random run (tests/hdl make dram: LiteDRAM's simulation core,
		# slow memory, the store's own assertions), against the mutant's copy
		timeout 2400 make -C "$root/tests/hdl" HDL="$m" BUILD="$m/build/tb" SEED=1 dram \
			>"$log" 2>&1
		tb_failed $? "$log" ;;
	dram-slow)
		# tests/hdl's fixed slow-memory run (seed 2, DRAM_SLOW=0.2)
		timeout 2400 make -C "$root/tests/hdl" HDL="$m" BUILD="$m/build/tb" dram-slow \
			>"$log" 2>&1
		tb_failed $? "$log" ;;
	test:*|random)
		local tgt=verilator
		[ "$k" = random ] || tgt="test-${k#test:}"
		timeout 1800 make -C "$root/tests/hdl" HDL="$m" BUILD="$m/build/tb" SEED=1 FRAMES=60 \
			"$tgt" >"$log" 2>&1
		tb_failed $? "$log" ;;
	*) echo "mutants: unknown killer $k" >&2; return 1 ;;
	esac
}

trim() { sed 's/^[[:space:]]*//; s/[[:space:]]*$//' <<<"$1"; }
selected() {	# name set -> 0 if this run takes the mutant
	[ -n "$1" ] && [ "${1:0:1}" != "#" ] || return 1
	[ "$set_want" = full ] || [ "$2" = quick ] || return 1
	[ "$only" = "  " ] || [[ "$only" == *" $1 "* ]]
}
skipped() {	# killer -> 0 if this run leaves it out (quick: the slow ones)
	{ [ "$set_want" != full ] || [ "${MUTANT_SLOW:-1}" = 0 ]; } &&
		[[ "$1" == test:* || "$1" == random || "$1" == dram* ]]
}
# copy_hdl DIR: the part of hdl/ a killer reads. The DRAM build also needs hdl/dram (with
# its timestamps, so that make does not regenerate) and LiteDRAM's generated core, which no
# mutant touches: linked from hdl/build/dram (made first if missing).
copy_hdl() {
	cp -r "$hdl/rtl" "$hdl/formal" "$hdl/Makefile" "$1/"
	cp -rp "$hdl/dram" "$1/"
	mkdir -p "$1/build" && ln -s "$hdl/build/dram" "$1/build/dram"
}

# Every killer first runs on the unmutated RTL and must pass there: a killer that fails
# anyway (a testbench that no longer compiles, a broken formal set) would count every
# mutant as killed.
base=$work/_unmutated
rm -rf "$base" && mkdir -p "$base"
copy_hdl "$base"
declare -A base_done=()
while IFS='%' read -r name set file expr killers what; do
	name=$(trim "$name"); set=$(trim "$set"); killers=$(trim "$killers")
	selected "$name" "$set" || continue
	for k in $killers; do
		skipped "$k" && continue
		[ -n "${base_done[$k]:-}" ] && continue
		base_done[$k]=1
		if run_killer "$base" "$k" "${k//[:\/]/_}"; then
			echo "mutants: killer $k fails on the unmutated RTL (log: $base/${k//[:\/]/_}.log)"
			echo "MUTANTS killed=0 total=0"
			exit 1
		fi
	done
done <"$here/mutants.txt"

killed=0 total=0 bad=0
while IFS='%' read -r name set file expr killers what; do
	name=$(trim "$name"); set=$(trim "$set"); file=$(trim "$file")
	expr=$(trim "$expr"); killers=$(trim "$killers"); what=$(trim "$what")
	selected "$name" "$set" || continue
	m=$work/$name
	rm -rf "$m" && mkdir -p "$m"
	copy_hdl "$m"
	sed -i "$expr" "$m/rtl/$file"
	if cmp -s "$hdl/rtl/$file" "$m/rtl/$file"; then
		printf '%-16s NOT APPLIED (sed edit no longer matches rtl/%s)\n' "$name" "$file"
		bad=$((bad + 1)); continue
	fi
	by= ran=0
	for k in $killers; do
		# the full run tries every killer; quick uses the fast ones (formal, Icarus) and
		# stops at the first that kills
		skipped "$k" && continue
		ran=1
		if run_killer "$m" "$k" "${k//[:\/]/_}"; then
			by="$by $k"
			[ "$set_want" = full ] || break
		fi
	done
	if [ "$ran" = 0 ]; then
		printf '%-16s not run (only slow killers: %s)\n' "$name" "$killers"
		continue
	fi
	total=$((total + 1))
	if [ -n "$by" ]; then
		killed=$((killed + 1))
		printf '%-16s killed by%s  (%s)\n' "$name" "$by" "$what"
	else
		printf '%-16s SURVIVED %s  (%s; logs in %s)\n' "$name" "$killers" "$what" "$m"
	fi
done <"$here/mutants.txt"
echo "MUTANTS killed=$killed total=$total"
[ "$killed" -eq "$total" ] && [ "$bad" -eq 0 ]
