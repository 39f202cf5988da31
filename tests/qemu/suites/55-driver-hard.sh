# 55-driver-hard: dsr.ko's error paths and races, one check per defect the driver once
# had (driver/README.md, "Defects and the tests that guard them"): unbind while reading
# and writing, a halt that will not clear, a writer racing its own frame, writers killed
# mid-frame, threads sharing a file, every slot dequeued, 32-bit ioctls, check_crc=0,
# 1000 open/stream/close cycles without slab or vmalloc growth, usb_submit_urb() failing
# on resubmission (injected). /init gates dmesg.
# timeout: 600
. /lib/dsr-test.sh

T=dsr-drvtest
SIZE=${DSR_DRV_SIZE:-64x48}
BITS=12
LIVE=/tmp/live.pgm
SIM_FPS=${DSR_DRV_FPS:-8}
SIM_PID=
DEV=
PARAMS=/sys/module/dsr/parameters

# The /dev node of the board whose sysfs serial is $1, or "".
dev_of() {
	for d in /sys/class/dsr/dsr*; do
		[ -e "$d/serial" ] && [ "$(cat "$d/serial")" = "$1" ] && { echo "/dev/${d##*/}"; return; }
	done
}

# wait_dev SERIAL: DEV once the board's node exists (10 s at most).
wait_dev() {
	DEV=
	for _ in $(seq 100); do
		DEV=$(dev_of "$1")
		[ -n "$DEV" ] && [ -c "$DEV" ] && return 0
		sleep 0.1
	done
	DEV=
	return 1
}

# start_sim SERIAL [dsr-sim options...]: attach a simulated board; SIM_PID, DEV.
start_sim() {
	serial=$1; shift
	dsr-sim --vhci --serial "$serial" --live "$LIVE" --fps "$SIM_FPS" "$@" >"/tmp/sim-$serial.log" 2>&1 &
	SIM_PID=$!
	wait_dev "$serial" && return 0
	echo "start_sim $serial: no /dev/dsrN; simulator log:"; tail -n 5 "/tmp/sim-$serial.log"
	return 1
}

stop_sim() { kill "$1" 2>/dev/null; wait "$1" 2>/dev/null; return 0; }

# run_t NAME LOG ARGS...: a dsr-drvtest run that must pass; its checks are shown.
run_t() {
	name=$1; log=$2; shift 2
	if "$@" >"$log" 2>&1; then
		pass "$name"
	else
		fail "$name: $*: $(grep -E '^FAIL|^dsr-|usage' "$log" | head -n 4 | tr '\n' ';')"
	fi
	grep -E '^(PASS|FAIL)|^toctou|^cycles=|^unbound' "$log" | sed 's/^/    /'
}

if ! command -v $T >/dev/null || [ ! -f /lib/modules/dsr.ko ]; then
	fail "driver suite: needs /lib/modules/dsr.ko and $T"
	finish; exit
fi
$T mklive "$LIVE" --size "$SIZE" --bits "$BITS" || fail "mklive"
grep -q '^dsr ' /proc/modules || expect_ok "insmod dsr.ko" insmod /lib/modules/dsr.ko

vm0=$(sed -n 's/^VmallocUsed: *\([0-9]*\).*/\1/p' /proc/meminfo)
if start_sim HARD0001; then
	vm1=$(sed -n 's/^VmallocUsed: *\([0-9]*\).*/\1/p' /proc/meminfo)
	ring=$(cat /sys/class/dsr/${DEV#/dev/}/ring)
	[ $((vm1 - vm0)) -lt 512 ] && pass "plugging costs no ring memory (VmallocUsed +$((vm1 - vm0)) kB; ring $ring comes with the first stream)" ||
		fail "plug: VmallocUsed grew by $((vm1 - vm0)) kB before any stream (ring $ring)"
	run_t "poll() starts nothing read() would not" /tmp/pollside.log $T pollside "$DEV"
	run_t "unbind while reading and writing: ENODEV first, for both" /tmp/unbind.log \
		$T unbind "$DEV" --size "$SIZE" --bits "$BITS"
	wait_dev HARD0001 && pass "rebound: $DEV" || fail "the board did not come back after bind"
fi
if [ -n "$DEV" ]; then
	run_t "4 threads on one file doing read() and DQBUF" /tmp/threads.log \
		$T threads "$DEV" -n 40 --size "$SIZE" --bits "$BITS"
	run_t "drop policy with every slot dequeued" /tmp/dqall.log $T dqall "$DEV" --size "$SIZE" --bits "$BITS"
	if command -v dsr-compat32 >/dev/null; then
		run_t "32-bit program: every ioctl through the compat path" /tmp/compat32.log \
			dsr-compat32 "$DEV" "${SIZE%x*}" "${SIZE#*x}" "$BITS"
	else
		fail "dsr-compat32 missing (make -C tests/driver)"
	fi
	refused0=$(grep -c 'frame refused' /tmp/sim-HARD0001.log)
	run_t "a thread changes the trailer during write(): only validated frames reach the board" \
		/tmp/toctou.log $T toctou "$DEV" -n 12 --bits "$BITS"
	refused=$(( $(grep -c 'frame refused' /tmp/sim-HARD0001.log) - refused0 ))
	expect_eq "frames the board refused during the toctou run" 0 "$refused"
	run_t "SIGKILL mid-write: the next write() succeeds, bit-exact" /tmp/sigkill.log \
		$T sigkill "$DEV" -n 3 --bits "$BITS"
	echo 1 >$PARAMS/force_dma
	run_t "DMA path (force_dma=1: dma_alloc_pages, partial syncs): 30 frames bit-exact" \
		/tmp/dma.log $T stream "$DEV" -n 30 --size "$SIZE" --bits "$BITS"
	echo 0 >$PARAMS/force_dma
	old_kb=$(cat $PARAMS/urb_kb) old_urbs=$(cat $PARAMS/urbs)
	# slab-sized URB buffers, so that a leaked one shows in Slab; 4 keep cycles quick
	echo 4 >$PARAMS/urb_kb; echo 4 >$PARAMS/urbs
	run_t "1000 open/stream/close cycles: slab and vmalloc unchanged" /tmp/cycles.log \
		$T cycles "$DEV" -n "${DSR_CYCLES:-1000}" --size "$SIZE" --bits "$BITS"
	echo "$old_kb" >$PARAMS/urb_kb; echo "$old_urbs" >$PARAMS/urbs
	stop_sim $SIM_PID
fi

# USB 3: 1024-byte bulk packets with bursts, the default URBs (16 x 256 KiB)
if start_sim SUPER001 --speed super; then
	speed=$(cat "/sys/class/dsr/${DEV#/dev/}/device/../speed" 2>/dev/null)
	expect_eq "super-speed board enumerated at 5000 Mb/s" 5000 "$speed"
	run_t "super-speed board: 30 subtraction frames via read(), every pixel = model" \
		/tmp/super.log $T stream "$DEV" -n 30 --size "$SIZE" --bits "$BITS"
	stop_sim $SIM_PID
fi

if start_sim STUCK001 --fault stall-stuck,every=4; then
	run_t "a halt whose clear-halt fails: a persistent error within 5 s, no hang" \
		/tmp/stuck.log $T stuck "$DEV" --size "$SIZE" --bits "$BITS"
	stop_sim $SIM_PID
fi

if start_sim DEAD0001 --fault io-error,every=4; then
	run_t "bulk IN failing for good (-EPROTO): a persistent error within 5 s, no endless retry" \
		/tmp/dead.log $T stuck "$DEV" --size "$SIZE" --bits "$BITS"
	n=$(sed -n 's/^stat transfer_errors=//p' /tmp/dead.log)
	[ "${n:-0}" -ge 16 ] && pass "transfer errors counted before giving up ($n)" ||
		fail "io-error: transfer_errors '$n', expected at least 16"
	stop_sim $SIM_PID
fi

# usb_submit_urb() itself failing on resubmission (-ENOMEM, as when the host controller
# driver runs out of memory): no device can cause that, so dsr_failsubmit.ko (a kprobe,
# the kernel's own error-injection technique) fails the board's bulk IN submissions
# once SKIP have gone through (STREAM_ON's 16 and some resubmissions)
FI=/sys/module/dsr_failsubmit/parameters
if [ ! -f /lib/modules/dsr_failsubmit.ko ]; then
	fail "failed resubmit: /lib/modules/dsr_failsubmit.ko missing (make -C driver testmodules)"
elif ! insmod /lib/modules/dsr_failsubmit.ko; then
	fail "failed resubmit: insmod dsr_failsubmit.ko (kprobe on usb_submit_urb) failed"
elif start_sim SUBMIT01; then
	echo 24 >$FI/skip; echo 5 >$FI/fail
	run_t "5 failed resubmissions: retried, the stream recovers, 40 frames bit-exact, none lost" \
		/tmp/submit-transient.log $T stream "$DEV" -n 40 --size "$SIZE" --bits "$BITS"
	expect_eq "resubmissions failed by injection (transient)" 5 "$(cat $FI/failed)"
	echo 24 >$FI/skip; echo 1000000 >$FI/fail
	n0=$(cat $FI/failed)
	run_t "resubmission failing for good: EIO within 5 s, on every call, no hang" \
		/tmp/submit-dead.log $T stuck "$DEV" --size "$SIZE" --bits "$BITS"
	n=$(( $(cat $FI/failed) - n0 ))
	echo 0 >$FI/fail
	[ "$n" -gt 10 ] && pass "resubmissions failed by injection before the driver gave up ($n)" ||
		fail "failed resubmit: $n submissions failed, expected more than 10 (10 retry rounds)"
	dmesg | grep -q 'bulk IN stream stopped: -5' && pass "dmesg: bulk IN stream stopped: -5" ||
		fail "failed resubmit: no 'bulk IN stream stopped: -5' in dmesg"
	stop_sim $SIM_PID
	rmmod dsr_failsubmit
fi

echo 0 >$PARAMS/check_crc
if start_sim NOCRC001 --fault bad-crc,every=3; then
	run_t "check_crc=0: no CRC_VALID, bad frames delivered, libdsr checks the CRC" \
		/tmp/nocrc.log $T nocrc "$DEV" -n 9 --size "$SIZE" --bits "$BITS"
	stop_sim $SIM_PID
fi
echo 1 >$PARAMS/check_crc
finish
