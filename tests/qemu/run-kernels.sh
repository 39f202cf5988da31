#!/usr/bin/env bash
# run-kernels.sh KERNEL... - boot one guest per kernel at the same time and judge each.
#
# make test-kernels builds every kernel's guest first (they share the userspace, sim and
# data builds, so the builds run one after the other), then this boots them together:
# QEMU's TCG runs a guest's one vCPU on one host thread, so two guests on two cores take
# about as long as one. Each guest's output goes to build/run-KERNEL.log and, live, to
# stdout with a "[KERNEL] " prefix; at the end each kernel's verdict block is printed
# again, apart. Exits non-zero if any kernel's run failed.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
[ $# -gt 0 ] || { echo "usage: run-kernels.sh KERNEL..."; exit 2; }
pids=() logs=()
for k in "$@"; do
	log=$here/build/run-$k.log
	mkdir -p "$here/build"
	( make --no-print-directory -C "$here" run KERNEL="$k" 2>&1; echo "run-kernels: exit $?" ) |
		tee "$log" | sed -u "s/^/[$k] /" &
	pids+=($!) logs+=("$log")
done
for p in "${pids[@]}"; do wait "$p"; done
fail=0 i=0
for k in "$@"; do
	log=${logs[$i]}; i=$((i + 1))
	echo
	echo "######## kernel $k ($log)"
	sed -n '/^== QEMU test machine: results/,$p' "$log"
	grep -qx 'run-kernels: exit 0' "$log" || fail=$((fail + 1))
done
echo "kernels: $(($# - fail)) passed, $fail failed"
[ "$fail" -eq 0 ]
