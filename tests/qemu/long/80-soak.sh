# 80-soak (make soak): 10 000 subtraction frames from one simulated board through dsr.ko
# (read()), each compared pixel for pixel with the C model, none lost by sequence number.
# Prints SOAK frames=<n> lost=<n> mismatched=<n>.
# timeout: 3600
. /lib/dsr-test.sh

N=${DSR_SOAK_FRAMES:-10000}
SIZE=64x48
# the board's source rate: the guest's reader (which runs the model on every frame
# under emulation) must keep up, or the driver drops the oldest frames by design
FPS=${DSR_SOAK_FPS:-60}
grep -q '^dsr ' /proc/modules || insmod /lib/modules/dsr.ko urbs=8 urb_kb=64 ring_frames=32 2>/dev/null ||
	insmod /lib/modules/dsr.ko || { fail "insmod dsr.ko"; finish; exit; }
dsr-drvtest mklive /tmp/live.pgm --size $SIZE --bits 12 || fail "mklive"
dsr-sim --vhci --serial SOAK0001 --live /tmp/live.pgm --fps "$FPS" >sim.log 2>&1 &
sim=$!
dev=
for _ in $(seq 150); do
	for d in /sys/class/dsr/dsr*; do
		[ "$(cat "$d/serial" 2>/dev/null)" = SOAK0001 ] && dev=/dev/${d##*/}
	done
	[ -n "$dev" ] && [ -c "$dev" ] && break
	sleep 0.1
done
if [ -z "$dev" ]; then
	fail "soak board did not bind: $(tail -n 3 sim.log)"; finish; exit
fi
t0=$(cut -d' ' -f1 /proc/uptime)
dsr-drvtest stream "$dev" -n "$N" --size $SIZE --bits 12 --change-at $((N / 2)) >soak.log 2>&1
rc=$?
t1=$(cut -d' ' -f1 /proc/uptime)
kill $sim; wait $sim
line=$(grep '^path=' soak.log | tail -n 1)
frames=$(echo "$line" | sed -n 's/.* frames=\([0-9]*\).*/\1/p')
mism=$(echo "$line" | sed -n 's/.* mismatched=\([0-9]*\).*/\1/p')
bad=$(echo "$line" | sed -n 's/.* bad=\([0-9]*\).*/\1/p')
gaps=$(echo "$line" | sed -n 's/.* gaps=\([0-9]*\).*/\1/p')
lost=$(( ${gaps:-0} + N - ${frames:-0} ))
echo "SOAK frames=${frames:-0} lost=$lost mismatched=$(( ${mism:-0} + ${bad:-0} ))"
echo "DSR-METRIC soak_seconds=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.0f", b - a }') fps=$FPS $line"
[ $rc -eq 0 ] && pass "dsr-drvtest stream -n $N: every check held" ||
	fail "soak: $(grep '^FAIL' soak.log | head -n 3 | tr '\n' ';')"
expect_eq "soak: frames received" "$N" "${frames:-0}"
expect_eq "soak: frames lost by sequence number" 0 "$lost"
expect_eq "soak: frames that differ from the model" 0 "$(( ${mism:-1} + ${bad:-0} ))"
finish
