#!/bin/busybox sh
# guest-init.sh - /init of the demo's QEMU guest (laid over tests/qemu's initramfs).
# Loads vhci-hcd and dsr.ko, attaches the simulated board, runs `dsr calibrate` on the
# demo patient in /demo, and writes /tmp/demo-out as a tar archive raw onto the second
# disk (/dev/vda) for the host to unpack. Prints DEMO-* markers; always powers off.
/bin/busybox mkdir -p /proc /sys /dev /tmp /run /usr/sbin /sbin
/bin/busybox --install -s
export PATH=/usr/bin:/bin:/usr/sbin:/sbin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t tmpfs tmpfs /tmp
ln -s /proc/self/fd /dev/fd 2>/dev/null
echo "DEMO-BOOT uptime $(cut -d' ' -f1 /proc/uptime) s"

# finish RC: results onto the disk, the verdict on the console, power off
finish() {
	if [ -d /tmp/demo-out ] && [ -b /dev/vda ]; then
		cp /demo/truth.json /tmp/demo-out/ 2>/dev/null
		tar -cf /dev/vda -C /tmp demo-out && echo "DEMO results written to the result disk"
		sync
	else
		echo "DEMO no result disk (/dev/vda) or no results"
	fi
	echo "DEMO-RESULT rc=$1"
	poweroff -f
}

# load MOD.ko from DIR unless it is loaded already
load() { grep -q "^$(basename "$2" .ko | tr - _) " /proc/modules || insmod "$1/$2" || echo "DEMO module $2 failed"; }
while read -r mod; do load /lib/modules "$mod"; done </lib/modules/load-order
while read -r mod; do load /demo/modules "$mod"; done </demo/modules/load-order
# the board on the host (dsr_sim_host= on the command line): the user-mode network
if grep -q dsr_sim_host= /proc/cmdline; then
	ip link set lo up; ip link set eth0 up && ip addr add 10.0.2.15/24 dev eth0 &&
		echo "DEMO the simulated board runs on the host, reached over the user-mode network"
fi
if [ -f /lib/modules/dsr.ko ] && [ ! -f /demo/no-driver ]; then
	insmod /lib/modules/dsr.ko && echo "DEMO driver dsr.ko loaded"
fi
for _ in $(seq 1 50); do [ -b /dev/vda ] && break; sleep 0.1; done

echo "DEMO attaching the simulated board (dsr-sim --vhci: Verilated RTL + USB bridge model)"
dsr-sim --vhci >/tmp/sim.log 2>&1 &
found=
for _ in $(seq 1 100); do
	dsr list 2>/dev/null | grep -q DSRSIM && { found=1; break; }
	sleep 0.1
done
[ -n "$found" ] || { echo "DEMO no board enumerated: $(tail -n 3 /tmp/sim.log)"; finish 1; }
bopt=--usb
for _ in $(seq 1 20); do [ -e /dev/dsr0 ] && break; sleep 0.1; done
[ -e /dev/dsr0 ] && bopt="--device /dev/dsr0"
dsr info $bopt 2>&1 | sed 's/^/    /'

echo "DEMO dsr calibrate $bopt (reference and follow-up played through the board)"
cd /demo || finish 1
eval "set -- $(cat /demo/calibrate-args)"
dsr calibrate $bopt "$@" -o /tmp/demo-out 2>&1
rc=$?
echo "DEMO board counters after the run:"
dsr info $bopt 2>&1 | grep -E '^(frames|bad|param|generation|mode|frame:|affine|gain)' | sed 's/^/    /'
kill %1 2>/dev/null
finish $rc
