#!/usr/bin/env bash
# demo-full.sh - `make demo`: the appliance end to end, on whatever board there is.
#
#   1. builds libdsr + dsr, the simulated board (dsr-sim: the Verilated RTL behind the
#      USB bridge model) and the driver (dsr.ko);
#   2. makes the demo patient: a baseline radiograph and a follow-up from the phantom,
#      placed differently, exposed differently, with a small lesion (tests/demo/mkdemo.c);
#   3. runs `dsr calibrate` through a board: plays the baseline and the follow-up
#      through it, registers on the host, uploads parameters + LUT, streams subtraction
#      frames and checks each bit for bit against the reference model:
#        - a real board if one is attached (dsr info finds a board that is not simulated),
#        - else the simulated board natively through vhci-hcd when this host can load
#          modules and we are root,
#        - else inside the QEMU test machine (tests/qemu's kernel and initramfs, plus an
#          overlay with this demo as /init); the results come back as a tar archive
#          written raw onto a second virtio disk;
#   4. leaves in demo-out/: montage.png, difference.png (16-bit), difference.dcm,
#      report.json, and prints what the report says against the truth;
#   5. a second pair with the beam angulated by a few degrees (tests/demo/projdemo.c):
#      registered affine-only and projective, subtracted through the C model of the
#      board; prints both registration errors and residuals, and writes
#      projective-pair.png (affine-only difference left, projective right).
# Environment: DEMO_SIZE="W H" (default "512 384"), DEMO_FRAMES (default 5),
# DEMO_CALIBRATE_ARGS (more dsr calibrate options), DEMO_SKIP_BUILD=1 (use what is built), DEMO_MODE=auto|board|native|qemu, DEMO_TRANSPORT=auto|usb (usb: leave dsr.ko unloaded in
# the guest, libusb drives the board), DEMO_SIM=PATH (another dsr-sim build, e.g. with a
# different frame store size), QEMU_TIMEOUT (s, default 540), SIM_MODE=host|guest (qemu mode:
# the simulated board runs on this host at native speed, plugged into the guest over
# QEMU's user-mode network - the default - or inside the guest).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
here=$root/tests/demo
work=$here/build
out=$root/demo-out
read -r W H <<<"${DEMO_SIZE:-512 384}"
frames=${DEMO_FRAMES:-5}
mode=${DEMO_MODE:-auto}
dsr=$root/userspace/build/dsr
t_start=$SECONDS

say() { printf '\n== %s\n' "$*"; }
log() { printf 'demo: %s\n' "$*"; }
die() { printf 'demo: FAILED: %s\n' "$*" >&2; exit 1; }

# run_logged NAME CMD...: run a build step quietly, show its log only if it fails
run_logged() {
	local name=$1 logf=$work/$1.log
	shift
	if ! "$@" >"$logf" 2>&1; then
		tail -n 30 "$logf" >&2
		die "$name failed (full log: $logf)"
	fi
}

mkdir -p "$work"
say "1/4 building (libdsr + dsr, dsr-sim, dsr.ko) - a few minutes the first time"
[ -n "${DEMO_SKIP_BUILD:-}" ] && make() { echo "(DEMO_SKIP_BUILD: make $* skipped)"; }
run_logged build-userspace make -C "$root/userspace" -j2
log "dsr: $dsr"
[ -f "$root/sim/Makefile" ] || die "sim/ is missing: no simulated board to run on"
run_logged build-sim make -C "$root/sim" -j2
log "dsr-sim: $root/sim/build/dsr-sim"
libs=$(command make -s -C "$root/userspace" print-libs)
# shellcheck disable=SC2086
run_logged build-mkdemo cc -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -O2 \
	-I"$root/userspace/include" -o "$work/mkdemo" "$here/mkdemo.c" $libs
# shellcheck disable=SC2086
run_logged build-projdemo cc -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -O2 \
	-I"$root/userspace/include" -o "$work/projdemo" "$here/projdemo.c" $libs

say "2/4 the patient: baseline and follow-up radiographs (phantom, known truth)"
data=$work/data
mkdir -p "$data"
"$work/mkdemo" "$data" "$W" "$H"
lesion=$(python3 -c 'import json,sys; t=json.load(open(sys.argv[1])); print(",".join("%.3f" % v for v in t["lesion"]))' "$data/truth.json")
cal_args=(--reference reference.png --live live.png --frames "$frames" --lesion "$lesion" --dicom
	--patient-name "Demo^Patient" --patient-id DSR-DEMO-0001 --accession DEMO1 --study-id DSR1)
# shellcheck disable=SC2206
cal_args+=(${DEMO_CALIBRATE_ARGS:-})

# Where to run: a real board, the simulated one natively, or the QEMU test machine.
real_board() { "$dsr" info 2>/dev/null | grep -q '^board: *DSR board'; }
native_ok() {
	[ "$(id -u)" -eq 0 ] && [ -d "/lib/modules/$(uname -r)/build" ] &&
		modprobe vhci-hcd 2>/dev/null && ls /sys/devices/platform/vhci_hcd.0/attach >/dev/null 2>&1
}
if [ "$mode" = auto ]; then
	if real_board; then mode=board
	elif native_ok; then mode=native
	else mode=qemu; fi
fi
rm -rf "$out"

# ---- a real board, or the simulated one on this host's vhci-hcd --------------------------
run_here() {
	mkdir -p "$out"
	(cd "$data" && "$dsr" calibrate "${cal_args[@]}" -o "$out") | sed 's/^/    /'
	cp "$data/truth.json" "$out/"
}

run_native() {
	log "building dsr.ko for the running kernel $(uname -r)"
	run_logged build-driver-native make -C "$root/driver" KDIR="/lib/modules/$(uname -r)/build"
	grep -q '^dsr ' /proc/modules || insmod "$root/driver/dsr.ko"
	log "starting dsr-sim on vhci-hcd"
	"$root/sim/build/dsr-sim" --vhci >"$work/sim.log" 2>&1 &
	local sim=$!
	for _ in $(seq 1 100); do [ -e /dev/dsr0 ] && break; sleep 0.1; done
	[ -e /dev/dsr0 ] || { kill "$sim"; die "no /dev/dsr0 after attaching the simulated board"; }
	cal_args+=(--device /dev/dsr0)
	run_here
	kill "$sim" 2>/dev/null || true
	wait "$sim" 2>/dev/null || true
}

# ---- the QEMU test machine with the demo as its /init ---------------------------------------
# modules_with_deps DIR NAME...: copy NAME.ko and what it needs into DIR, load-order listed
modules_with_deps() {
	local dir=$1 moddir name path dep
	shift
	# shellcheck disable=SC1091
	moddir=$(sed -n 's/^KERNEL_IMAGE_DIR := //p' "$root/build/kernel.mk")/modules/$(sed -n 's/^KERNEL_ABI := //p' "$root/build/kernel.mk")
	add() {
		local n=$1 p d
		grep -qx "$n" "$dir/.seen" 2>/dev/null && return 0
		echo "$n" >>"$dir/.seen"
		p=$(find "$moddir/kernel" -name "$n.ko" -o -name "$(echo "$n" | tr _ -).ko" | head -n1)
		[ -n "$p" ] || die "kernel module $n not found under $moddir"
		for d in $(/sbin/modinfo -F depends "$p" | tr , ' '); do add "$d"; done
		cp "$p" "$dir/"
		basename "$p" >>"$dir/load-order"
	}
	for name in "$@"; do add "$name"; done
	rm -f "$dir/.seen"
}

run_qemu() {
	log "building the QEMU test machine (Debian's kernel, busybox initramfs, dsr.ko)"
	run_logged build-guest make -C "$root/tests/qemu" guest
	local q overlay=$work/overlay img=$work/out.img
	q=$root/tests/qemu/build/$(sed -n 's/^KERNEL_ABI := //p' "$root/build/kernel.mk")
	rm -rf "$overlay" && mkdir -p "$overlay/demo/modules"
	cp "$data/reference.png" "$data/live.png" "$data/truth.json" "$overlay/demo/"
	install -m 0755 "$here/guest-init.sh" "$overlay/init"
	modules_with_deps "$overlay/demo/modules" virtio_pci virtio_blk
	printf '%q ' "${cal_args[@]}" >"$overlay/demo/calibrate-args"
	[ "${DEMO_TRANSPORT:-auto}" = usb ] && touch "$overlay/demo/no-driver"
	if [ -n "${DEMO_SIM:-}" ]; then
		mkdir -p "$overlay/usr/bin" && install -m 0755 "$DEMO_SIM" "$overlay/usr/bin/dsr-sim-local"
	fi
	(cd "$overlay" && find . -print0 | sort -z | cpio --null -o -H newc --quiet) >"$work/overlay.cpio"
	cat "$q/initramfs.cpio" "$work/overlay.cpio" >"$work/demo.cpio"
	rm -f "$img" && truncate -s 64M "$img"
	# the board on this host (sim/remote/simhost.py), unless SIM_MODE=guest
	local net=(-nic none) append_sim="" simhost=""
	if [ "${SIM_MODE:-host}" = host ]; then
		rm -f "$work/simhost.port"
		python3 "$root/sim/remote/simhost.py" --sim "${DEMO_SIM:-$root/sim/build/dsr-sim}" \
			--port-file "$work/simhost.port" 2>"$work/simhost.log" &
		simhost=$!
		for _ in $(seq 100); do [ -s "$work/simhost.port" ] && break; sleep 0.05; done
		[ -s "$work/simhost.port" ] || die "simhost.py did not start: $(cat "$work/simhost.log")"
		net=(-nic user,model=virtio-net-pci)
		append_sim="dsr_sim_host=10.0.2.2:$(cat "$work/simhost.port")"
		log "the simulated board runs on this host (127.0.0.1:$(cat "$work/simhost.port")), plugged into the guest over TCP"
	fi
	log "booting the guest: vhci-hcd + dsr.ko + dsr-sim, then dsr calibrate (console below)"
	timeout -k 5 "${QEMU_TIMEOUT:-540}" qemu-system-x86_64 -nographic -no-reboot -m 1024 \
		-cpu max -smp 1 -kernel "$q/vmlinux" -initrd "$work/demo.cpio" \
		-drive "file=$img,format=raw,if=virtio" "${net[@]}" \
		-append "console=ttyS0 panic=-1 loglevel=1 $append_sim" </dev/null 2>&1 | tr -d '\r' |
		tee "$work/console.log" | grep --line-buffered -E '^(DEMO|calibrate:|dsr |    )' |
		sed -u 's/^/  guest| /' || true
	if [ -n "$simhost" ]; then kill "$simhost" 2>/dev/null; wait "$simhost" 2>/dev/null || true; fi
	(cd "$root" && tar -xf "$img") || die "no results on the guest's result disk (console: $work/console.log)"
	if ! grep -q '^DEMO-RESULT rc=0' "$work/console.log"; then
		[ -f "$out/report.json" ] && python3 "$here/summary.py" "$out/report.json" "$out/truth.json" || true
		die "the guest run did not succeed (console: $work/console.log): $(grep -E '^DEMO-RESULT|dsr calibrate:' "$work/console.log" | tail -n 3)"
	fi
}

say "3/4 calibrating through the board ($mode)"
case $mode in
board) run_here ;;
native) run_native ;;
qemu) run_qemu ;;
*) die "DEMO_MODE=$mode: expected auto, board, native or qemu" ;;
esac

say "4/4 results"
for f in montage.png difference.png difference.dcm report.json; do
	[ -s "$out/$f" ] || die "expected $out/$f"
done
python3 "$here/summary.py" "$out/report.json" "$out/truth.json"
if command -v dciodvfy >/dev/null; then
	errs=$(dciodvfy "$out/difference.dcm" 2>&1 | grep -c '^Error' || true)
	log "dciodvfy difference.dcm: $errs errors"
fi

say "beam angulation: a projective pair, the affine-only difference next to the projective one"
if ! "$work/projdemo" "$out" "$W" "$H" | sed 's/^/    /'; then
	die "projective registration did not beat the affine-only one (or projdemo failed)"
fi
[ -s "$out/projective-pair.png" ] || die "expected $out/projective-pair.png"
log "files in $out:"
ls -l "$out" | sed 1d | awk '{ printf "    %-18s %9d bytes\n", $NF, $5 }'
log "done in $((SECONDS - t_start)) s"
