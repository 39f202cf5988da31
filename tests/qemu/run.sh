#!/usr/bin/env bash
# run.sh VMLINUX INITRAMFS - boot the test machine once, run every guest suite, judge it.
#
# QEMU exits 0 on poweroff and on panic alike, so the verdict comes only from the
# DSR-* marker lines /init prints on the serial console: one DSR-SUITE-RESULT per suite
# (plus "dmesg") and DSR-QEMU-DONE at the end. No DSR-QEMU-DONE = failure (panic, hang,
# timeout). Prints per-suite results and "N passed, M failed"; exits 1 on any failure.
# Environment: QEMU_TIMEOUT (s, default 1800; a guard against hangs, the run itself takes a few minutes), QEMU_MEM (MB, default 1024),
# QEMU_APPEND (extra kernel command line, e.g. "dsr.debug=1"), DEBUG_APPEND (the memory
# debugging options the Makefile chose for this kernel, debug-append.sh), QEMU_LOG_DIR
# (where console.log and times.txt go; default build/), SIM_MODE (host|guest, default
# host), SIM_NET (open, the default: the guest reaches the host's loopback at 10.0.2.2;
# restrict: the guest's network reaches only simhost), SIMHOST_VERBOSE=1
# (simhost.py logs each board it starts to simhost.log there), SIM_BOARD_BUILD (the
# dsr-sim build every suite's board comes from; default sim/build, the board with its
# reference in DRAM; the Makefile's SIM_REF_DRAM=0 sets sim/build-onchip).
set -uo pipefail
vmlinux=$1
initrd=$2
here=$(cd "$(dirname "$0")" && pwd)
outdir=${QEMU_LOG_DIR:-$here/build}
log=$outdir/console.log
timeout_s=${QEMU_TIMEOUT:-1800}
mkdir -p "$outdir"

# Host mode (SIM_MODE=host, the default): the simulated boards run on this host at native
# speed, started on demand by sim/remote/simhost.py on a free 127.0.0.1 port; the guest
# reaches it through QEMU's user-mode network (10.0.2.2) and plugs each board into its
# vhci-hcd over TCP. SIM_MODE=guest runs the Verilated boards inside the guest.
sim_mode=${SIM_MODE:-host}
net=(-nic none)
append_sim=
simhost_pid=
if [ "$sim_mode" = host ]; then
	portf=$outdir/simhost.port
	rm -f "$portf"
	root=${ROOT:-$(cd "$here/../.." && pwd)}
	sim=${SIM_BOARD_BUILD:-$root/sim/build}/dsr-sim
	sock=$outdir/simhost.sock
	# two more boards suites may ask for by DSR_SIM_VARIANT: fullsize (the DRAM board,
	# 4096x4096) and fast (the on-chip board, for suites that start hundreds of boards)
	python3 "$root/sim/remote/simhost.py" --sim "$sim" \
		--variant fullsize="$root/sim/build/dsr-sim" --variant fast="$root/sim/build-onchip/dsr-sim" \
		--port-file "$portf" --unix "$sock" \
		${SIMHOST_VERBOSE:+--verbose} 2>"$outdir/simhost.log" &
	simhost_pid=$!
	trap 'kill "$simhost_pid" 2>/dev/null; wait "$simhost_pid" 2>/dev/null' EXIT
	for _ in $(seq 100); do [ -s "$portf" ] && break; sleep 0.05; done
	[ -s "$portf" ] || { echo "run.sh: simhost.py did not start: $(cat "$outdir/simhost.log")"; exit 1; }
	if [ "${SIM_NET:-open}" = restrict ]; then
		# restrict=on: the guest reaches nothing on the host or beyond, except
		# 10.0.2.100:3240, whose every connection QEMU hands to a `simhost.py --pass-to`,
		# which passes it on to simhost (no relay stays in the stream)
		net=(-nic "user,model=virtio-net-pci,restrict=on,guestfwd=tcp:10.0.2.100:3240-cmd:python3 $root/sim/remote/simhost.py --pass-to $sock")
		# dsr_net_probe: what an open network would reach (00-guest checks it cannot)
		append_sim="dsr_sim_host=10.0.2.100:3240 dsr_net_probe=10.0.2.2:$(cat "$portf")"
		echo "run.sh: boards on the host (simhost.py), guest network restricted to it (10.0.2.100:3240)"
	else
		net=(-nic user,model=virtio-net-pci)
		append_sim="dsr_sim_host=10.0.2.2:$(cat "$portf")"
		echo "run.sh: boards on the host (simhost.py on 127.0.0.1:$(cat "$portf"))"
	fi
elif [ "$sim_mode" != guest ]; then
	echo "run.sh: SIM_MODE=$sim_mode: expected host or guest"; exit 2
fi

t0=$EPOCHREALTIME
boot_s=""
# The console, timestamped on the host as it arrives (boot time = first DSR-BOOT line).
timeout -k 5 "$timeout_s" qemu-system-x86_64 -nographic -no-reboot -m "${QEMU_MEM:-1024}" \
	-cpu max -smp 1 -kernel "$vmlinux" -initrd "$initrd" "${net[@]}" \
	-append "console=ttyS0 panic=-1 loglevel=1 $append_sim ${DEBUG_APPEND:-} ${QEMU_APPEND:-}" </dev/null 2>&1 |
	stdbuf -oL tr -d '\r' | while IFS= read -r line; do
		# A marker can follow firmware output without a newline: start the line there.
		[[ $line == ?*DSR-[A-Z]* && $line != \[* ]] && line=DSR-${line#*DSR-}
		printf '%s\n' "$line"
		if [ -z "$boot_s" ] && [[ $line == DSR-BOOT* ]]; then
			boot_s=$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }')
			echo "DSR-HOST boot_seconds=$boot_s"
		fi
	done | tee "$log" | grep -E --line-buffered '^DSR-(SUITE|CHECK|NOTE|METRIC|MODULE|HOST|QEMU|BOOT)|^(SOAK|BENCH|FUZZ) |Kernel panic|^\[ *[0-9.]+\] (BUG|WARNING)'
qemu_rc=${PIPESTATUS[0]}
total=$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }')

echo
echo "== QEMU test machine: results"
passed=0
failed=0
while read -r _ name verdict rc secs; do
	printf '  %-14s %s  (%s, %s)\n' "$name" "$verdict" "$rc" "$secs"
	if [ "$verdict" = PASS ]; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
done < <(grep '^DSR-SUITE-RESULT ' "$log")
if ! grep -q '^DSR-QEMU-DONE ' "$log"; then
	failed=$((failed + 1))
	if [ "$qemu_rc" -eq 124 ] || [ "$qemu_rc" -eq 137 ]; then
		echo "  guest did not finish within ${timeout_s} s (timeout); last console lines:"
	else
		echo "  guest stopped without its final marker (qemu exit $qemu_rc; panic?); last console lines:"
	fi
	tail -n 25 "$log" | sed 's/^/    | /'
fi
begin=$(grep -c '^DSR-SUITE-BEGIN ' "$log")
ended=$(grep '^DSR-SUITE-RESULT ' "$log" | grep -vc ' dmesg ')
if [ "$begin" -eq 0 ]; then
	echo "  no suite ran"; failed=$((failed + 1))
fi
boot=$(sed -n 's/^DSR-HOST boot_seconds=//p' "$log")
printf 'boot %s s (host clock to /init), total %s s, %s suites started, %s finished; console in %s\n' \
	"${boot:-?}" "$total" "$begin" "$ended" "$log"
printf 'boot_seconds=%s total_seconds=%s\n' "${boot:-}" "$total" >"$outdir/times.txt"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
