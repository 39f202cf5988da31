# 85-bench (make bench): the guest's bulk IN throughput through dsr.ko - read() and the
# mapped ring - against libusb (usbfs bulk, `dsr acquire --usb`) reading the same board
# in the same run. The board is on the host in replay mode (dsr-sim --replay: its first
# frame repeated at the speed of the guest's URBs), so the numbers are the guest's data
# path, not the Verilated RTL's speed. For comparison: the same board without replay
# (RTL-bound) and the Verilated board inside the guest (SIM_MODE=guest's board).
# read() and libusb read the same board one after the other; mmap gets an identical board
# of its own (see below). Prints BENCH guest read_MBps=<x> mmap_MBps=<y> libusb_MBps=<z>.
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

read_mbps= mmap_mbps= usb_mbps=
# mmap on a board of its own: a board whose output waits in its FIFO (the relay answers
# bulk IN) refuses a LUT upload, which each dsr-drvtest run starts with
if board BENCHM01 --replay; then
	mmap_mbps=$(mbps "$DEV" -n "$N" --mmap)
	kill $PID; wait $PID
fi
if board BENCH001 --replay; then
	read_mbps=$(mbps "$DEV" -n "$N")
	# the same board through libusb: the driver lets go of the interface first
	intf=$(basename "$(readlink -f /sys/class/dsr/${DEV#/dev/}/device)")
	echo -n "$intf" >/sys/bus/usb/drivers/dsr/unbind
	if dsr acquire --usb=BENCH001 -n "$N" -o /tmp/usbbench --no-png --timeout 10000 >usb.log 2>&1; then
		usb_mbps=$(sed -n 's/.* \([0-9.]*\) MB\/s in.*/\1/p' usb.log | tail -n 1)
	else
		echo "DSR-NOTE libusb bench: $(tail -n 2 usb.log | tr '\n' ';')"
	fi
	head -n 1 usb.log
	kill $PID; wait $PID
	grep -h 'replay:' sim-BENCH001.log
else
	fail "bench board (replay) did not bind: $(tail -n 3 sim-BENCH001.log)"
fi
echo "BENCH guest read_MBps=${read_mbps:-0} mmap_MBps=${mmap_mbps:-0} libusb_MBps=${usb_mbps:-0}"
[ -n "$read_mbps" ] && [ -n "$mmap_mbps" ] && [ -n "$usb_mbps" ] &&
	pass "guest throughput measured: read() $read_mbps, mmap $mmap_mbps, libusb $usb_mbps MB/s" ||
	fail "guest throughput: a measurement is missing (read '$read_mbps' mmap '$mmap_mbps' libusb '$usb_mbps')"
awk -v r="$read_mbps" -v m="$mmap_mbps" -v u="$usb_mbps" 'BEGIN { if (u > 0) printf "DSR-METRIC bench_ratio read/libusb=%.2f mmap/libusb=%.2f\n", r / u, m / u }'

# the board's own pace at 256x256 (the in-guest board needs seconds per 1024x768 frame):
# host RTL (no replay), and the Verilated board inside the guest
BSIZE=256x256
dsr-drvtest mklive /tmp/live.pgm --size $BSIZE --bits 12 || fail "mklive $BSIZE"
if board BENCH002; then
	host_rtl=$(mbps "$DEV" -n 60)
	kill $PID; wait $PID
fi
if DSR_SIM_LOCAL=1 board BENCH003; then
	guest_rtl=$(mbps "$DEV" -n 20)
	kill $PID; wait $PID
fi
echo "BENCH board size=$BSIZE host_rtl_read_MBps=${host_rtl:-0} guest_board_read_MBps=${guest_rtl:-0}"
[ -n "$host_rtl" ] && [ -n "$guest_rtl" ] && pass "board speeds measured (host RTL $host_rtl, in-guest $guest_rtl MB/s)" ||
	fail "board speeds: missing (host '$host_rtl', guest '$guest_rtl')"
finish
