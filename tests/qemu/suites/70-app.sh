# 70-app: what a technician and a clinic run, through every real part: the simulated
# board (Verilated RTL behind the bridge model) on vhci-hcd, the dsr.ko driver when it is
# built (else libusb), libdsr and the dsr command.
#   dsr calibrate   reference uploaded from a file, live frame played through the board in
#                   pass-through, registration + LUT on the host, upload, 3 subtraction
#                   frames from the board checked bit for bit against the reference model;
#                   the transform found against the one /data/live-0.png was made with
#   dsr series      the same reference against two follow-ups, PNG + DICOM differences
#   dsr reference capture, and dsr calibrate from a board whose sensor plays frames
# timeout: 240
. /lib/dsr-test.sh

# the driver, unless an earlier suite left it loaded; without it libusb does the work
if [ -f /lib/modules/dsr.ko ] && ! grep -q '^dsr ' /proc/modules; then
	insmod /lib/modules/dsr.ko && pass "dsr.ko loaded" || fail "insmod dsr.ko failed"
fi

# board_opt SERIAL: sets $opt to the dsr option that reaches the board with that serial - its
# /dev/dsrN when the driver has bound it, else libusb (other suites' boards may be present).
# With dsr.ko loaded the driver must bind the board: its probe can take seconds in a
# loaded emulated guest, and a libusb option handed out before it binds races with it
# (the streaming interface changes hands mid-run), so wait for it, and fail if it never comes.
board_opt() {
	opt="--usb=$1"
	for _ in $(seq 1 300); do
		for s in /sys/class/dsr/dsr*/serial; do
			[ -f "$s" ] && [ "$(cat "$s")" = "$1" ] && opt="--device /dev/$(basename "$(dirname "$s")")"
		done
		case $opt in --device*) break ;; esac
		grep -q '^dsr ' /proc/modules || break
		sleep 0.1
	done
	if [ "$opt" = "--usb=$1" ] && grep -q '^dsr ' /proc/modules; then
		fail "dsr.ko is loaded but did not bind board $1 within 30 s: $(dmesg | grep -i dsr | tail -n3)"
	fi
}

# the simulated board, attached to vhci-hcd; it serves until the kernel lets go
dsr-sim --vhci --serial DSRSIM71 >sim.log 2>&1 &
sim=$!
found=
for _ in $(seq 1 100); do
	if dsr list 2>/dev/null | grep -q DSRSIM71; then found=1; break; fi
	sleep 0.1
done
if [ -n "$found" ]; then
	pass "simulated board enumerated ($(dsr list 2>/dev/null | grep DSRSIM71 | head -n1))"
else
	fail "simulated board: expected in 'dsr list' within 10 s, got: $(dsr list 2>&1 | tail -n2); sim: $(tail -n3 sim.log)"
fi
board_opt DSRSIM71
bopt=$opt
echo "70-app: calibrating through $bopt"

# json_num FILE KEY [NTH]: the NTH (default 1st) number after "KEY": in a report
json_num() {
	awk -v k="\"$2\":" -v n="${3:-1}" 'index($0, k) { c++; if (c == n) { sub(".*" k " *", ""); sub("[,}].*", ""); print; exit } }' "$1"
}
# json_word FILE KEY: the last top-level-looking "KEY": value (a word), without its comma
json_word() {
	grep "^  \"$2\":" "$1" | tail -n1 | awk '{ print $2 }' | tr -d ','
}
# json_affine FILE N: the Nth element (1..6) of the first "affine" array
json_affine() {
	awk -v n="$2" '/"affine": \[/ { on = 1; i = 0; next } on { i++; if (i == n) { gsub("[ ,]", ""); print; exit } }' "$1"
}
# close_to NAME GOT WANT TOL
close_to() {
	if awk -v g="$2" -v w="$3" -v t="$4" 'BEGIN { d = g - w; if (d < 0) d = -d; exit !(g != "" && d <= t) }'; then
		pass "$1 ($2, truth $3)"
	else
		fail "$1: expected $3 +- $4, got '$2'"
	fi
}

# shellcheck disable=SC2086
expect_ok "dsr calibrate through the board ($bopt)" \
	dsr calibrate $bopt --reference /data/ref.png --live /data/live-0.png -o cal --frames 3 --dicom
echo "$LAST_OUT" | sed 's/^/    /'
r=cal/report.json
if [ -f $r ]; then
	expect_eq "calibration status" '"calibrated"' "$(json_word $r status)"
	expect_eq "board output bit-exact with the model" "true" "$(json_word $r bit_exact)"
	expect_eq "subtraction frames checked" "3" "$(json_num $r frames_checked)"
	gen=$(json_num $r generation)
	if [ "${gen:-0}" -ge 1 ]; then pass "parameter generation $gen named in the report"; else fail "generation: expected >= 1, got '$gen'"; fi
	sub=$(grep -c '"what": "subtraction"' $r)
	expect_eq "each saved frame names its generation and reference" "3" "$sub"
	# /data/live-0.png: rotation 1.5 degrees about the origin, then a shift (2.25, -1.5)
	close_to "transform tx found" "$(json_affine $r 3)" 2.25 0.15
	close_to "transform ty found" "$(json_affine $r 6)" -1.5 0.15
	close_to "transform a21 found (sin 1.5 deg)" "$(json_affine $r 4)" 0.026177 0.002
else
	fail "calibrate report: expected $r, got none"
fi
for f in montage.png difference.png difference.dcm; do
	if [ -s cal/$f ]; then pass "calibrate wrote $f"; else fail "calibrate: expected cal/$f, got none"; fi
done

# reference management: the board captures a frame played through it as its reference,
# and names it by the same pixel CRC that calibrate's report gave the uploaded one
# shellcheck disable=SC2086
expect_ok "dsr reference capture" dsr reference capture $bopt --live /data/ref.png -o captured.png
crc=$(echo "$LAST_OUT" | sed -n 's/.*crc32 \([0-9a-f]*\).*/\1/p')
refcrc=$(grep -A6 '"reference"' cal/report.json 2>/dev/null | sed -n 's/.*"crc32": "\([0-9a-f]*\)".*/\1/p' | head -n1)
expect_eq "captured reference is the calibrated one (crc32)" "$refcrc" "$crc"

# below the threshold nothing is uploaded: the board's generation does not move
# shellcheck disable=SC2086
before=$(dsr info $bopt 2>/dev/null | awk '/^generation/ { print $2; exit }')
# shellcheck disable=SC2086
expect_fail "calibrate refuses a poor match" "below the threshold" \
	dsr calibrate $bopt --reference /data/ref.png --live /data/live-3.png \
	--min-quality 0.99999 -o refused
# shellcheck disable=SC2086
after=$(dsr info $bopt 2>/dev/null | awk '/^generation/ { print $2; exit }')
[ -n "$before" ] || fail "dsr info: no generation counter in its output"
expect_eq "no upload after a refusal (generation unchanged)" "$before" "$after"

expect_ok "dsr series, two follow-ups" \
	dsr series /data/ref.png /data/live-0.png /data/live-1.png -o series --dicom -q
for f in difference-01.png difference-02.png difference-01.dcm difference-02.dcm montage.png report.json; do
	if [ -s series/$f ]; then pass "series wrote $f"; else fail "series: expected series/$f, got none"; fi
done
close_to "series member 1 tx (live-0 shift 2.25)" "$(json_affine series/report.json 3)" 2.25 0.15

kill "$sim" 2>/dev/null
wait "$sim" 2>/dev/null

# calibrate from the board's own source: a second simulated board whose "sensor" plays
# /data/live-1.png; the reference is captured by the board, the live frame acquired in
# pass-through, and the subtraction frame of the played live frame found among the
# sensor's frames and checked bit for bit
dsr-sim --vhci --live /data/live-1.png --serial DSRSIM70 >simph.log 2>&1 &
simph=$!
for _ in $(seq 1 100); do dsr list 2>/dev/null | grep -q DSRSIM70 && break; sleep 0.1; done
board_opt DSRSIM70
popt=$opt
# shellcheck disable=SC2086
expect_ok "the sensor's geometry (dsr upload params.json)" dsr upload $popt --no-wait /data/params.json
# shellcheck disable=SC2086
expect_ok "dsr calibrate from the board's source ($popt)" dsr calibrate $popt -o calsrc --frames 2
echo "$LAST_OUT" | sed 's/^/    /'
if [ -f calsrc/report.json ]; then
	expect_eq "source calibration: bit-exact" "true" "$(json_word calsrc/report.json bit_exact)"
	expect_eq "source calibration: reference captured by the board" "1" \
		"$(grep -c '"what": "reference (captured)"' calsrc/report.json)"
else
	fail "source calibration: expected calsrc/report.json"
fi
kill "$simph" 2>/dev/null
wait "$simph" 2>/dev/null
finish
