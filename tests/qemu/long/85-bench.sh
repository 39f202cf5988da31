# 85-bench (make bench): the guest's bulk IN throughput through dsr.ko - read() and the
# mapped ring - against libusb (usbfs bulk, `dsr acquire --usb`) reading the same board
# in the same run. The board is on the host in replay mode (dsr-sim --replay: its first
# frame repeated at the speed of the guest's URBs), so the numbers are the guest's data
# path, not the Verilated RTL's speed. For comparison: the same board without replay
# (RTL-bound) and the Verilated board inside the guest (SIM_MODE=guest's board).
# read() and libusb read the same board one after the other, alternating (DSR_BENCH_ROUNDS,
# default 2); mmap gets an identical board of its own (see below). A DSR-METRIC cpu line
# per measurement says where the guest's one CPU went (user, kernel, dsr.ko's work item,
# vhci_rx, network softirq, idle) and the guest CPU time per MB moved (busy_ms_per_MB:
# what the path costs, whatever the host's load lets the transport deliver). Prints BENCH guest read_MBps=<x> mmap_MBps=<y> libusb_MBps=<z>.
# Numbers, not a verdict.
# timeout: 1800
. /lib/dsr-test.sh

SIZE=${DSR_BENCH_SIZE:-1024x768}
N=${DSR_BENCH_FRAMES:-150}
grep -q '^dsr ' /proc/modules || insmod /lib/modules/dsr.ko || { fail "insmod dsr.ko"; finish; exit; }
dsr-drvtest mklive /tmp/live.pgm --size $SIZE --bits 12 || fail "mklive"

# board SERIAL ARGS...: plug a board in; DEV = its /dev node, PID its stand-in
board() {
	serial=$1; shift
	dsr-sim --vhci --serial "$serial" --live /tmp/live.pgm "$@" >"sim-$serial.log" 2>&1 &
	PID=$!
	DEV=
	for _ in $(seq 300); do
		for d in /sys/class/dsr/dsr*; do
			[ "$(cat "$d/serial" 2>/dev/null)" = "$serial" ] && DEV=/dev/${d##*/}
		done
		[ -n "$DEV" ] && [ -c "$DEV" ] && return 0
		sleep 0.1
	done
	return 1
}
# mbps ARGS...: dsr-drvtest stream --bench; prints the MB/s of its path= line
mbps() {
	dsr-drvtest stream "$@" --bench --size "${BSIZE:-$SIZE}" --bits 12 >bench.log 2>&1 ||
		echo "DSR-NOTE bench $*: $(grep -E '^FAIL' bench.log | head -n 2 | tr '\n' ';')" >&2
	grep '^path=' bench.log >&2
	sed -n 's/^path=.* MBps=\([0-9.]*\).*/\1/p' bench.log | tail -n 1
}

# cpu_snap: the guest CPU's ticks so far (one vCPU): user system irq softirq idle
# (/proc/stat), then the kernel threads of the path: unbound kworkers (dsr.ko's work item
# runs there), vhci_rx (socket -> URB buffer), ksoftirqd
cpu_snap() {
	set -- $(head -n 1 /proc/stat)
	echo "$2 $4 $7 $8 $5 $(cat /proc/[0-9]*/task/[0-9]*/stat 2>/dev/null | awk '
		{ c = $2; sub(/^\(/, "", c); t = $14 + $15 }
		c ~ /^kworker\/u/ { k += t } c ~ /^vhci_rx/ { v += t } c ~ /^ksoftirqd/ { s += t }
		END { print k + 0, v + 0, s + 0 }')"
}
# prof_line BEFORE AFTER LABEL MBPS: where the guest CPU went between two snapshots, in %
# of the interval: user (the reader: CRC check, libdsr), syscalls and other kernel work
# (sys: read()'s copy_to_user, usbfs reaping, poll; the threads below excluded),
# kworker (dsr.ko: copy into the ring, CRC), vhci_rx, softirq (virtio-net, TCP), idle
prof_line() {
	echo "$1 $2" | awk -v l="$3" -v m="${4:-0}" '{ for (i = 1; i <= 8; i++) d[i] = $(i + 8) - $i
		tot = d[1] + d[2] + d[3] + d[4] + d[5]; if (tot <= 0) tot = 1
		ms = 0; if (m + 0 > 0) ms = 1000 * (tot - d[5]) / tot / m
		printf "DSR-METRIC cpu %s user=%.0f%% sys=%.0f%% kworker=%.0f%% vhci_rx=%.0f%% softirq=%.0f%% idle=%.0f%% busy_ms_per_MB=%.1f\n",
			l, 100 * d[1] / tot, 100 * (d[2] - d[6] - d[7]) / tot, 100 * d[6] / tot,
			100 * d[7] / tot, 100 * (d[3] + d[4]) / tot, 100 * d[5] / tot, ms }'
}
read_mbps= mmap_mbps= usb_mbps=
# ROUNDS alternations of read() and libusb on one board, each path's MB/s the mean of its
# rounds: the host's load (CI, other jobs) shifts during a run, so both paths see it alike
ROUNDS=${DSR_BENCH_ROUNDS:-2}
# mmap on a board of its own: a board whose output waits in its FIFO (the relay answers
# bulk IN) refuses a LUT upload, which each dsr-drvtest run starts with
if board BENCHM01 --replay; then
	c0=$(cpu_snap)
	mmap_mbps=$(mbps "$DEV" -n "$N" --mmap)
	prof_line "$c0" "$(cpu_snap)" mmap "$mmap_mbps"
	kill $PID; wait $PID
fi
reads= usbs=
for r in $(seq "$ROUNDS"); do
	board BENCH00$r --replay || { fail "bench board $r (replay) did not bind: $(tail -n 3 sim-BENCH00$r.log)"; break; }
	c0=$(cpu_snap)
	m=$(mbps "$DEV" -n "$N")
	prof_line "$c0" "$(cpu_snap)" "read$r" "$m"
	[ -n "$m" ] && reads="$reads $m"
	# the same board through libusb: the driver lets go of the interface first
	intf=$(basename "$(readlink -f /sys/class/dsr/${DEV#/dev/}/device)")
	echo -n "$intf" >/sys/bus/usb/drivers/dsr/unbind
	c0=$(cpu_snap)
	if dsr acquire --usb=BENCH00$r -n "$N" -o /tmp/usbbench --no-png --timeout 10000 >usb.log 2>&1; then
		m=$(sed -n 's/.* \([0-9.]*\) MB\/s in.*/\1/p' usb.log | tail -n 1)
		[ -n "$m" ] && usbs="$usbs $m"
	else
		m=
		echo "DSR-NOTE libusb bench: $(tail -n 2 usb.log | tr '\n' ';')"
	fi
	prof_line "$c0" "$(cpu_snap)" "libusb$r" "$m"
	grep "^acquired" usb.log
	kill $PID; wait $PID
	grep -h 'replay:' sim-BENCH00$r.log
done
echo "DSR-NOTE bench rounds: read() MB/s$reads; libusb MB/s$usbs"
mean() { echo "$*" | awk 'NF { s = 0; for (i = 1; i <= NF; i++) s += $i; printf "%.2f", s / NF }'; }
read_mbps=$(mean $reads)
usb_mbps=$(mean $usbs)
echo "BENCH guest read_MBps=${read_mbps:-0} mmap_MBps=${mmap_mbps:-0} libusb_MBps=${usb_mbps:-0}"
[ -n "$read_mbps" ] && [ -n "$mmap_mbps" ] && [ -n "$usb_mbps" ] &&
	pass "guest throughput measured: read() $read_mbps, mmap $mmap_mbps, libusb $usb_mbps MB/s" ||
	fail "guest throughput: a measurement is missing (read '$read_mbps' mmap '$mmap_mbps' libusb '$usb_mbps')"
awk -v r="$read_mbps" -v m="$mmap_mbps" -v u="$usb_mbps" 'BEGIN { if (u > 0) printf "DSR-METRIC bench_ratio read/libusb=%.2f mmap/libusb=%.2f\n", r / u, m / u }'

# the board's own pace at 256x256 (the in-guest board needs seconds per 1024x768 frame):
# host RTL (no replay), and the Verilated board inside the guest
BSIZE=256x256
dsr-drvtest mklive /tmp/live.pgm --size $BSIZE --bits 12 || fail "mklive $BSIZE"
if board BENCHR02; then
	host_rtl=$(mbps "$DEV" -n 60)
	kill $PID; wait $PID
fi
if DSR_SIM_LOCAL=1 board BENCHR03; then
	guest_rtl=$(mbps "$DEV" -n 20)
	kill $PID; wait $PID
fi
echo "BENCH board size=$BSIZE host_rtl_read_MBps=${host_rtl:-0} guest_board_read_MBps=${guest_rtl:-0}"
[ -n "$host_rtl" ] && [ -n "$guest_rtl" ] && pass "board speeds measured (host RTL $host_rtl, in-guest $guest_rtl MB/s)" ||
	fail "board speeds: missing (host '$host_rtl', guest '$guest_rtl')"
finish
