# 20-usb: the simulated board (dsr-sim --vhci: the Verilated RTL behind the USB bridge
# model, attached to vhci-hcd) driven by the libusb `dsr` commands. No kernel driver is
# bound here (dsr.ko is loaded by later suites), so libusb streams.
# The board is the board top behind the FX3 model (about half dsr_top's pixel rate): with
# both kernels' guests at once on a loaded 2-core host every check passed, but the suite
# needed more than 420 s, hence 900 (a bound for hangs, not a speed goal).
# timeout: 900
. /lib/dsr-test.sh

D=/data
SERIAL=DSRSIM20
LIVE="--live $D/live-0.png --live $D/live-1.png --live $D/live-2.png --live $D/live-3.png"
FAULT_FRAMES=16

# start_sim SERIAL ARGS...: dsr-sim attached to vhci-hcd, in the background; waits until
# libusb lists the board (bounded). Sets SIM_PID.
start_sim() {
	serial=$1; shift
	dsr-sim --vhci --serial "$serial" "$@" >"sim-$serial.log" 2>&1 &
	SIM_PID=$!
	i=0
	while [ $i -lt 100 ]; do
		if dsr list 2>/dev/null | grep -q "serial $serial "; then return 0; fi
		if ! kill -0 $SIM_PID 2>/dev/null; then break; fi
		sleep 0.2
		i=$((i + 1))
	done
	echo "dsr-sim $serial did not appear on USB; its log:"; tail -n 20 "sim-$serial.log"
	return 1
}

# stop_sim: SIGTERM, then wait (bounded) until the board has left the bus.
stop_sim() {
	kill "$SIM_PID" 2>/dev/null
	i=0
	while kill -0 "$SIM_PID" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
	kill -9 "$SIM_PID" 2>/dev/null
	wait "$SIM_PID" 2>/dev/null
	i=0
	while dsr list 2>/dev/null | grep -q "serial"; do
		[ $i -ge 50 ] && break
		sleep 0.1; i=$((i + 1))
	done
}

# field NAME: a "NAME=value" from the last command's output.
field() { echo "$LAST_OUT" | sed -n "s/.*[ :]$1=\([0-9.]*\).*/\1/p" | tail -n 1; }

# ---------------------------------------------------------------- before any board
expect_fail "no board: dsr list says so" "no DSR board" dsr list
expect_fail "no board: dsr info --usb says so" "no DSR board on USB" dsr info --usb

if ! start_sim $SERIAL; then
	fail "dsr-sim --vhci: expected the board on USB within 20 s, got nothing"
	finish; exit
fi
pass "dsr-sim attached to vhci-hcd ($(grep -m1 -io 'busid [^ ]*' sim-$SERIAL.log))"

# ---------------------------------------------------------------- list, info, registers
expect_ok "dsr list" dsr list
case "$LAST_OUT" in
*"serial $SERIAL "*"high speed"*) pass "dsr list names serial $SERIAL at high speed" ;;
*) fail "dsr list: expected serial $SERIAL at high speed, got: $LAST_OUT" ;;
esac
busaddr=$(echo "$LAST_OUT" | awk '{print $1; exit}')
expect_ok "dsr info --usb" dsr info --usb
echo "$LAST_OUT" | sed 's/^/    /'
echo "$LAST_OUT" | grep -q "serial $SERIAL" && echo "$LAST_OUT" | grep -q "simulated" &&
	echo "$LAST_OUT" | grep -q "id:  *0x44535221" &&
	pass "dsr info: simulated board, serial, ID 0x44535221" ||
	fail "dsr info: expected simulated board, serial $SERIAL, id 0x44535221; got above"
expect_ok "dsr info --usb $SERIAL (by serial)" dsr info --usb $SERIAL
expect_ok "dsr info --usb $busaddr (by bus:addr)" dsr info --usb "$busaddr"
expect_fail "dsr info --usb 9:99: no such board" "no DSR board at '9:99'" dsr info --usb 9:99
expect_fail "dsr info --usb=NOSUCH1: no such serial" "no DSR board at 'NOSUCH1'" dsr info --usb=NOSUCH1

# Timeouts: no live frame sent and no source playing, so no frame comes.
expect_fail "no frame: acquire times out with a clear message" "no frame from the board within 1000 ms" \
	dsr acquire --usb -n 1 -o none --timeout 1000

# Permissions, as udevd would set them (the rules themselves are checked by
# udevadm test below): a user outside the dsr group is told about the udev rules and
# the group; a member of the dsr group gets in.
node=
for d in /sys/bus/usb/devices/*; do
	[ "$(cat "$d/idVendor" 2>/dev/null)" = 1209 ] &&
		node=$(printf '/dev/bus/usb/%03d/%03d' "$(cat "$d/busnum")" "$(cat "$d/devnum")")
done
if [ -n "$node" ] && su -s /bin/sh nobody -c true 2>/dev/null; then
	chmod 0600 "$node"
	expect_fail "permission denied names the udev rules and the dsr group" "permission denied.*udev rules.*dsr group" \
		su -s /bin/sh nobody -c "dsr info --usb"
	chgrp dsr "$node" && chmod 0660 "$node"
	expect_ok "a member of the dsr group opens the board ($node 0660 root:dsr)" su -s /bin/sh cart -c "dsr info --usb"
	chmod 0664 "$node"; chgrp root "$node"
else
	fail "permission test: expected a usbfs node and su, got node '$node'"
fi

# Register round trip: shadow registers hold what was written; read-only ones refuse.
expect_ok "register write + read back" dsr info --usb --reg 0x050=0x12345678 --reg 0x054=0xfedcba98 --reg 0x000
expect_eq "A11 read back" "0x050 0x12345678" "$(echo "$LAST_OUT" | grep '^0x050')"
expect_eq "A12 read back" "0x054 0xfedcba98" "$(echo "$LAST_OUT" | grep '^0x054')"
expect_eq "ID register" "0x000 0x44535221" "$(echo "$LAST_OUT" | grep '^0x000')"
expect_fail "register 0x102 refused (not a register)" "expected ADDR" dsr info --usb --reg 0x102

# ---------------------------------------------------------------- parameters, reference
expect_fail "dsr upload of a 4097-wide frame refused" "width" dsr upload --usb $D/params-bad.json
expect_ok "dsr upload params.json (no frame flows yet: --no-wait)" dsr upload --usb --no-wait $D/params.json
echo "    $LAST_OUT"
expect_ok "dsr reference upload ref.png" dsr reference upload --usb $D/ref.png
expect_ok "registers after upload" dsr info --usb --reg 0x040 --reg 0x050 --reg 0x068 --reg 0x06c --reg 0x010
a11=$(sed -n 's/.*"a11": *\([-0-9]*\).*/\1/p' $D/params.json)
expect_eq "A11 holds params.json's a11" "$(printf '0x050 0x%08x' "$a11")" "$(echo "$LAST_OUT" | grep '^0x050')"
status=$(echo "$LAST_OUT" | awk '/^0x010/ {print $2}')
if [ $((status & 4)) -ne 0 ]; then pass "STATUS REF_VALID after reference upload ($status)"
else fail "STATUS: expected REF_VALID (bit 2) after reference upload, got $status"; fi

# ---------------------------------------------------------------- subtraction, bit-exact
# A pure shift first (transport and pipeline without rotation), then the full affine.
expect_ok "dsr upload params-shift.json" dsr upload --usb --no-wait $D/params-shift.json
expect_ok "dsr acquire 20 shift-only subtraction frames, bit-exact" \
	dsr acquire --usb -n 20 -o shift $LIVE --check-model $D/ref.png --timeout 10000
echo "$LAST_OUT" | grep -q "20 frames compared with dsr_model_frame.*, 0 mismatched" &&
	pass "shift: 20 of 20 frames bit-exact" ||
	fail "shift model check: expected 20 frames, 0 mismatched; got: $(echo "$LAST_OUT" | tail -n 3)"
# The contrast LUT's way to the board (DSR_REQ_LUT_WRITE chunks): bit-exact with it.
expect_ok "dsr upload params-lut.json (LUT from the file)" dsr upload --usb --no-wait $D/params-lut.json
echo "$LAST_OUT" | grep -q "LUT histogram" && pass "upload says the LUT came from the file" ||
	fail "dsr upload params-lut.json: expected 'LUT histogram', got: $LAST_OUT"
expect_ok "dsr acquire 8 frames with the LUT, bit-exact" \
	dsr acquire --usb -n 8 -o lut $LIVE --check-model $D/ref.png -p $D/params-lut.json --timeout 10000
echo "$LAST_OUT" | grep -q "8 frames compared with dsr_model_frame.*, 0 mismatched" &&
	pass "LUT: 8 of 8 frames bit-exact" ||
	fail "LUT model check: expected 8 frames, 0 mismatched; got: $(echo "$LAST_OUT" | tail -n 3)"
expect_fail "--params naming another set than the board holds is refused" "another parameter set" \
	dsr acquire --usb -n 1 -o lut2 $LIVE --check-model $D/ref.png -p $D/params.json
expect_ok "dsr upload params.json (rotation + shift)" dsr upload --usb --no-wait $D/params.json
expect_ok "dsr acquire 60 subtraction frames, each bit-exact with dsr_model_frame" \
	dsr acquire --usb -n 60 -o sub $LIVE --check-model $D/ref.png --timeout 10000
echo "$LAST_OUT" | sed 's/^/    /'
case "$LAST_OUT" in
*"60 frames compared with dsr_model_frame"*", 0 mismatched"*) pass "model check: 60 of 60 frames bit-exact" ;;
*) fail "model check: expected 60 frames compared, 0 mismatched; got above" ;;
esac
mbps=$(echo "$LAST_OUT" | sed -n 's/.* \([0-9.]*\) MB\/s in.*/\1/p')
echo "DSR-METRIC usb_subtract_frames=60 usb_mbps_in=$mbps"
expect_eq "60 PNG files written" 60 "$(ls sub/frame-*.png 2>/dev/null | wc -l)"
expect_eq "60 lines in frames.jsonl" 60 "$(wc -l <sub/frames.jsonl)"
expect_eq "every frame: subtract mode, CRC valid, reference present" 60 \
	"$(grep -c '"mode":2,"crc_valid":true,"bad":false,"no_reference":false' sub/frames.jsonl)"
expect_eq "no frame lost" "dropped=0 malformed=0 crc_errors=0 overruns=0" \
	"$(echo "$LAST_OUT" | grep -o 'dropped=.*')"

# Warp mode: the aligned reference itself, also bit-exact.
expect_ok "dsr upload params-warp.json" dsr upload --usb --no-wait $D/params-warp.json
expect_ok "dsr acquire 8 warp frames, bit-exact" \
	dsr acquire --usb -n 8 -o warp $LIVE --check-model $D/ref.png --timeout 10000
echo "$LAST_OUT" | grep -q "8 frames compared with dsr_model_frame.*, 0 mismatched" &&
	pass "warp: 8 of 8 frames bit-exact" || fail "warp model check: expected 8 frames, 0 mismatched; got: $LAST_OUT"

# A live frame of the wrong size: the board STALLs bulk OUT; the error says so, the halt
# is cleared, and the next acquisition works.
expect_fail "live frame of the wrong size refused by the board" "refused" \
	dsr acquire --usb -n 1 -o small --live $D/live-small.png --timeout 3000
expect_ok "acquisition after the refused frame (halt cleared)" \
	dsr acquire --usb -n 2 -o after-small $LIVE --timeout 10000

# Throughput with bigger transfers: frames as fast as the board and USB/IP go.
expect_ok "dsr upload params.json again" dsr upload --usb --no-wait $D/params.json
expect_ok "throughput: 100 frames, no PNG" dsr acquire --usb -n 100 -o speed $LIVE --no-png --timeout 10000
mbps=$(echo "$LAST_OUT" | sed -n 's/.* \([0-9.]*\) MB\/s in.*/\1/p')
echo "DSR-METRIC usb_throughput_frames=100 usb_mbps_in=$mbps ($(echo "$LAST_OUT" | head -n 1))"

stop_sim
expect_fail "after the board left: dsr list says none" "no DSR board" dsr list

# ---------------------------------------------------------------- fault injection
# Each mode hits every 4th output frame. Frame faults must be counted and skipped, the
# other frames still bit-exact; a stall must be recovered from; a disconnect must end
# the command with a clear error, never a hang or crash. These use a pure shift
# (params-shift.json) so that they test the transport, whatever the warp does.
for mode in corrupt-header wrong-length truncated bad-crc; do
	if ! start_sim F$mode --fault "$mode,every=4"; then
		fail "fault $mode: dsr-sim did not attach"; continue
	fi
	dsr upload --usb --no-wait $D/params-shift.json >/dev/null 2>&1
	dsr reference upload --usb $D/ref.png >/dev/null 2>&1
	expect_ok "fault $mode: $FAULT_FRAMES good frames acquired around the faults" \
		dsr acquire --usb -n $FAULT_FRAMES -o "f-$mode" $LIVE --check-model $D/ref.png --timeout 5000
	stats=$(echo "$LAST_OUT" | grep -o 'dropped=.*')
	echo "    $mode: $stats; $(echo "$LAST_OUT" | grep 'model check')"
	if [ "$mode" = bad-crc ]; then counter=crc_errors; else counter=malformed; fi
	n=$(field $counter)
	if [ "${n:-0}" -ge 1 ]; then pass "fault $mode: counted as $counter ($n)"
	else fail "fault $mode: expected $counter >= 1, got '$stats'"; fi
	echo "$LAST_OUT" | grep -q "$FAULT_FRAMES frames compared.*, 0 mismatched" &&
		pass "fault $mode: the frames delivered are bit-exact" ||
		fail "fault $mode: expected $FAULT_FRAMES frames bit-exact, got: $(echo "$LAST_OUT" | grep 'model check')"
	stop_sim
done

if start_sim Fstall --fault stall,every=4; then
	dsr upload --usb --no-wait $D/params-shift.json >/dev/null 2>&1
	dsr reference upload --usb $D/ref.png >/dev/null 2>&1
	expect_ok "fault stall: acquisition recovers (halt cleared) and completes" \
		dsr acquire --usb -n $FAULT_FRAMES -o f-stall $LIVE --check-model $D/ref.png --timeout 5000 --max-errors 8
	echo "$LAST_OUT" | grep -q "stalled" &&
		pass "fault stall: reported ($(echo "$LAST_OUT" | grep -m1 stalled))" ||
		fail "fault stall: expected a 'stalled' message, got: $(echo "$LAST_OUT" | tail -n 3)"
	expect_fail "fault stall: without --max-errors the stall is an error" "stalled" \
		dsr acquire --usb -n $FAULT_FRAMES -o f-stall2 $LIVE --timeout 5000
	stop_sim
else
	fail "fault stall: dsr-sim did not attach"
fi

if start_sim Fdisc --fault disconnect,every=6; then
	dsr upload --usb --no-wait $D/params.json >/dev/null 2>&1
	dsr reference upload --usb $D/ref.png >/dev/null 2>&1
	t0=$(cut -d' ' -f1 /proc/uptime)
	expect_fail "fault disconnect: acquisition ends with 'unplugged'" "unplugged|NO_DEVICE" \
		timeout 60 dsr acquire --usb -n 50 -o f-disc $LIVE --timeout 5000
	t1=$(cut -d' ' -f1 /proc/uptime)
	echo "    disconnect noticed after $(awk -v a=$t0 -v b=$t1 'BEGIN{printf "%.1f", b-a}') s"
	stop_sim
	expect_fail "fault disconnect: board gone from the bus" "no DSR board" dsr list
else
	fail "fault disconnect: dsr-sim did not attach"
fi

# ---------------------------------------------------------------- the board's own source
# Streaming on (DSR_REQ_STREAM) starts the board's playback source (here dsr-sim --live):
# frames arrive with no bulk OUT traffic; each is checked against the played file.
if start_sim SRC1 --live $D/live-1.png; then
	dsr upload --usb --no-wait $D/params-shift.json >/dev/null 2>&1
	dsr reference upload --usb $D/ref.png >/dev/null 2>&1
	expect_ok "source streaming: 30 frames played by the board itself, bit-exact" \
		dsr acquire --usb -n 30 -o src --played $D/live-1.png --check-model $D/ref.png --no-png --timeout 10000
	echo "$LAST_OUT" | grep -q "30 frames compared with dsr_model_frame.*, 0 mismatched" &&
		pass "source: 30 of 30 frames bit-exact" ||
		fail "source model check: expected 30 frames, 0 mismatched; got: $(echo "$LAST_OUT" | tail -n 3)"
	mbps=$(echo "$LAST_OUT" | sed -n 's/.* \([0-9.]*\) MB\/s in.*/\1/p')
	echo "DSR-METRIC usb_source_frames=30 usb_source_mbps_in=$mbps ($(echo "$LAST_OUT" | head -n 1))"
	stop_sim
else
	fail "source: dsr-sim --live did not attach"
fi

# ---------------------------------------------------------------- beside the kernel driver
# With dsr.ko bound to the streaming interface, control requests (info, registers,
# parameters) still work over libusb; streaming over libusb is refused with a pointer
# to /dev/dsrN. The module is unloaded again for the suites after this one.
if [ -f /lib/modules/dsr.ko ] && insmod /lib/modules/dsr.ko; then
	if start_sim DRV1; then
		i=0; while [ ! -e /sys/class/dsr/dsr0 ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
		expect_ok "driver bound: dsr info --usb still works" dsr info --usb
		expect_ok "driver bound: parameters upload over libusb" dsr upload --usb --no-wait $D/params-shift.json
		expect_fail "driver bound: libusb streaming refused, pointing at /dev/dsrN" "kernel driver is bound.*/dev/dsr" \
			dsr acquire --usb -n 1 -o drv $LIVE --timeout 3000
		expect_ok "driver bound: dsr list says so" dsr list
		echo "$LAST_OUT" | grep -q "kernel driver" && pass "dsr list marks the board as driver-bound" ||
			fail "dsr list: expected 'kernel driver' beside the board, got: $LAST_OUT"
		stop_sim
	else
		fail "driver bound: dsr-sim did not attach"
	fi
	rmmod dsr || fail "rmmod dsr: expected success"
fi

# ---------------------------------------------------------------- udev rules on the real device
if command -v udevadm >/dev/null && start_sim UDEV1; then
	dev=$(ls -d /sys/bus/usb/devices/*/ 2>/dev/null | while read -r d; do
		[ "$(cat $d/idVendor 2>/dev/null)" = 1209 ] && echo "$d" && break; done)
	out=$(udevadm test --action=add "$dev" 2>&1)
	echo "$out" | grep -Ei 'GROUP|MODE|uaccess|dsr' | sed 's/^/    /' | head -n 8
	gid=$(awk -F: '$1 == "dsr" {print $3}' /etc/group)
	if echo "$out" | grep -q "70-dsr-usb.rules:.* GROUP $gid" &&
		echo "$out" | grep -q "70-dsr-usb.rules:.* MODE 0660" &&
		echo "$out" | grep -q "TAGS=.*:uaccess:"; then
		pass "udevadm test: 70-dsr-usb.rules gives the board GROUP dsr ($gid), MODE 0660, TAG uaccess"
	else
		fail "udevadm test $dev: expected GROUP $gid, MODE 0660 and TAGS uaccess from 70-dsr-usb.rules, got: $(echo "$out" | grep -E 'GROUP|MODE|TAGS' | tr '\n' ' ')"
	fi
	stop_sim
fi

finish
