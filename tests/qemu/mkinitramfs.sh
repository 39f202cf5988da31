#!/usr/bin/env bash
# mkinitramfs.sh OUT.cpio - the guest's whole root file system, as an uncompressed cpio.
#
# Uncompressed because the kernel unpacks it under TCG: decompressing gzip there costs
# more than QEMU reading a larger file. Contents:
#   /bin/busybox (static) and /init
#   /lib/modules/*.ko + load-order   usb-common, usbcore, usbip-core, vhci-hcd and what
#                                    they depend on (from modinfo), from KERNEL_IMAGE_DIR
#   /lib/modules/dsr.ko              the project's driver for this kernel (DSR_KO) when built
#   /lib/modules/dsr_failsubmit.ko   the driver tests' fault injection (tests/driver/failsubmit),
#                                    from failsubmit/ next to DSR_KO, when built
#   /usr/bin/...                     the project's binaries, each with its shared
#                                    libraries (ldd), and udevadm for the rules test
#   /suites/*.sh, /lib/dsr-test.sh   the test suites and their helpers
#   /usr/lib/udev/rules.d            the project's udev rules; /etc/group with dsr
#   /data                            test data made on the host (build/data)
# Environment: ROOT (repository), KERNEL_ABI, KERNEL_IMAGE_DIR; DSR_KO (the driver built
# for that kernel; default driver/dsr.ko); SUITES (optional glob), SUITE_DIR (suites, or
# long for make soak/bench/fuzz).
set -euo pipefail
out=$1
here=$(cd "$(dirname "$0")" && pwd)
: "${ROOT:?}" "${KERNEL_ABI:?}" "${KERNEL_IMAGE_DIR:?}"
stage=$(dirname "$out")/root
rm -rf "$stage"
mkdir -p "$stage"/{bin,sbin,usr/bin,usr/sbin,lib/modules,etc,suites,data,proc,sys,dev,tmp,run,usr/lib/udev/rules.d}

# copy_with_libs FILE DEST: a dynamic executable and every library ldd resolves for it,
# at the same paths in the guest (the loader included); static ones alone.
copy_with_libs() {
	install -m 0755 "$1" "$stage/$2"
	{ ldd "$1" 2>/dev/null || true; } | awk '/=> \//{print $3} /^\t\//{print $1}' | while read -r lib; do
		[ -e "$stage$lib" ] || { mkdir -p "$stage$(dirname "$lib")"; cp -L "$lib" "$stage$lib"; }
	done
}

cp /bin/busybox "$stage/bin/busybox"
install -m 0755 "$here/init" "$stage/init"
install -m 0644 "$here/lib.sh" "$stage/lib/dsr-test.sh"
# SUITES (a glob, e.g. "20-*") picks a subset while working on one suite; SUITE_DIR=long
# takes the long runs (soak, bench, fuzz) instead of make test's suites.
cp "$here"/${SUITE_DIR:-suites}/${SUITES:-*}.sh "$stage/suites/"

# Kernel modules: resolve dependencies depth-first so each loads after what it needs.
moddir=$KERNEL_IMAGE_DIR/modules/$KERNEL_ABI
declare -A seen=()
order=()
add_module() {
	local name=$1 path dep alt
	[ -n "${seen[$name]:-}" ] && return 0
	seen[$name]=1
	alt=$(echo "$name" | tr _ -)
	path=$(find "$moddir/kernel" -name "$name.ko" -o -name "$alt.ko" -o -name "$name.ko.xz" \
		-o -name "$alt.ko.xz" | head -n1)
	[ -n "$path" ] || { echo "mkinitramfs: module $name not found under $moddir" >&2; exit 1; }
	for dep in $(/sbin/modinfo -F depends "$path" | tr , ' '); do
		add_module "$dep"
	done
	# 6.12 ships modules xz-compressed; busybox insmod loads plain .ko only
	case $path in
	*.xz) xz -dc "$path" >"$stage/lib/modules/$(basename "$path" .xz)" ;;
	*) cp "$path" "$stage/lib/modules/" ;;
	esac
	order+=("$(basename "$path" .xz)")
}
for m in usb-common usbcore usbip-core vhci-hcd; do add_module "$m"; done
# virtio-net: the user-mode network to the host, where the simulated boards run (host
# mode); a kernel that builds one of them in has no module for it
for m in virtio_pci virtio_net; do
	[ -n "$(find "$moddir/kernel" -name "$m.ko*" | head -n1)" ] && add_module "$m"
done
printf '%s\n' "${order[@]}" >"$stage/lib/modules/load-order"
dsr_ko=${DSR_KO:-$ROOT/driver/dsr.ko}
[ -f "$dsr_ko" ] && cp "$dsr_ko" "$stage/lib/modules/dsr.ko"
fi_ko=$(dirname "$dsr_ko")/failsubmit/dsr_failsubmit.ko
[ -f "$fi_ko" ] && cp "$fi_ko" "$stage/lib/modules/dsr_failsubmit.ko"

# Project binaries (absent ones are skipped: the suite that needs one reports it).
for bin in "$ROOT/userspace/build/dsr" "$here"/build/bin/*; do
	[ -x "$bin" ] && [ -f "$bin" ] && copy_with_libs "$bin" "usr/bin/$(basename "$bin")"
done
# The simulated board: /usr/bin/dsr-sim is dsr-sim-remote, which asks the host for the
# board when the kernel command line names one (dsr_sim_host=, host mode) and otherwise
# runs the Verilated board here, /usr/bin/dsr-sim-local (guest mode).
# The boards: dsr-sim's default build, the board top with its DRAM (every suite's board,
# and DSR_SIM_VARIANT=fullsize), and the on-chip board (DSR_SIM_VARIANT=fast).
if [ -x "$ROOT/sim/build/dsr-sim" ]; then
	copy_with_libs "$ROOT/sim/build/dsr-sim" usr/bin/dsr-sim-local
	ln -sf dsr-sim-local "$stage/usr/bin/dsr-sim-local-fullsize"
fi
[ -x "$ROOT/sim/build-onchip/dsr-sim" ] &&
	copy_with_libs "$ROOT/sim/build-onchip/dsr-sim" usr/bin/dsr-sim-local-fast
[ -x "$ROOT/sim/build/dsr-sim-remote" ] && copy_with_libs "$ROOT/sim/build/dsr-sim-remote" usr/bin/dsr-sim
# Other suites' programs: one repository-relative path per line in extra-bins.
if [ -f "$here/extra-bins" ]; then
	grep -v '^#' "$here/extra-bins" | while read -r rel; do
		[ -n "$rel" ] && [ -x "$ROOT/$rel" ] && copy_with_libs "$ROOT/$rel" "usr/bin/$(basename "$rel")"
	done
fi
command -v udevadm >/dev/null && copy_with_libs "$(command -v udevadm)" usr/bin/udevadm
cp "$ROOT"/udev/*.rules "$stage/usr/lib/udev/rules.d/" 2>/dev/null || true

# Users for the permission tests: one outside the dsr group, one in it.
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/tmp:/bin/sh\ncart:x:1000:1000:cart:/tmp:/bin/sh\n' >"$stage/etc/passwd"
printf 'root:x:0:\ndsr:x:990:cart\nnogroup:x:65534:\ncart:x:1000:\n' >"$stage/etc/group"
[ -d "$here/build/data" ] && cp -r "$here/build/data/." "$stage/data/"

(cd "$stage" && find . -print0 | sort -z | cpio --null -o -H newc --quiet) >"$out.tmp"
mv "$out.tmp" "$out"
echo "mkinitramfs: $out ($(du -h "$out" | cut -f1)), modules: ${order[*]}"
