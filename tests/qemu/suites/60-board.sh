# 60-board: dsr.ko with radiographs at full size and with a hostile board
# (dsr-boardtest from sim/guest, each run plugging in its own simulated boards):
#   - frames written in pass-through and read back bit for bit through read() and the
#     mapped ring: 2000x1500 at 16 bits (4096x4096: make soak), a multi-URB frame, and
#     a frame whose wire length ends exactly on an URB boundary (then a zero-length
#     packet);
#   - a bounded share of `make fuzz`: mutated frames and mutated enumerations
#     (dsr-sim --hostile) - every frame the driver delivers as valid must be valid,
#     and the kernel log stays clean.
# The frames run on the DRAM board (DSR_SIM_VARIANT=fullsize: the board build, 4096x4096);
# the hostile boards - a few hundred board starts that exercise the USB side - on the
# on-chip board (fast: the DRAM model's 64 MiB and its init cost every start about 30x).
# timeout: 900
. /lib/dsr-test.sh

T=dsr-boardtest
HOSTILE_FRAMES=${DSR_HOSTILE_FRAMES:-1500}
HOSTILE_ENUMS=${DSR_HOSTILE_ENUMS:-16}

if ! command -v $T >/dev/null || [ ! -f /lib/modules/dsr.ko ]; then
	fail "board suite: needs /lib/modules/dsr.ko and $T (make -C driver; make -C sim)"
	finish; exit
fi
grep -q '^dsr ' /proc/modules && rmmod dsr
# 4 ring slots: a 4096x4096 board's slot is 32 MiB
insmod /lib/modules/dsr.ko ring_frames=4 2>/dev/null || insmod /lib/modules/dsr.ko
grep -q '^dsr ' /proc/modules && pass "dsr.ko loaded ($(cat /sys/module/dsr/parameters/ring_frames 2>/dev/null) ring slots)" ||
	fail "insmod dsr.ko failed"

# frames NAME ARGS...: one dsr-boardtest frames run that must pass; shows its result line
frames() {
	name=$1; shift
	if $T frames "$@" >frames.log 2>&1; then
		pass "$name ($(grep '^FRAMES' frames.log | cut -d' ' -f2-))"
	else
		fail "$name: $(grep -E '^FAIL|^dsr-boardtest' frames.log | head -n 3 | tr '\n' ';')"
	fi
	grep '^FRAMES' frames.log | sed 's/^/DSR-METRIC /'
}

export DSR_SIM_VARIANT=fullsize
frames "a multi-URB frame (512x384, 16 bit) through read(), 3 frames bit-exact" \
	--size 512x384 --bits 16 -n 3 --serial MURB0001
frames "a frame ending exactly on an URB boundary (then a ZLP), read()" \
	--urb-edge --bits 16 -n 3 --serial EDGE0001
frames "a frame ending exactly on an URB boundary, mmap" \
	--urb-edge --bits 16 -n 3 --mmap --serial EDGE0002

# a full-size radiograph; 4096x4096 frames take minutes: make soak (long/82-fullsize)
frames "2000x1500 16-bit radiograph through read(), bit-exact" --size 2000x1500 --bits 16 -n 1 --serial FULL0001
frames "2000x1500 16-bit radiograph through mmap, bit-exact" --size 2000x1500 --bits 16 -n 1 --mmap --serial FULL0002
export DSR_SIM_VARIANT=fast

# hostile board: a bounded share of make fuzz (seeds differ per run of the suite)
seed=$(( $(date +%s) % 100000 * 1000 ))
echo "DSR-NOTE 60-board: hostile seed base $seed"
if $T hostile --target "$HOSTILE_FRAMES" --seed "$seed" --seconds 6 >hostile.log 2>&1; then
	pass "hostile board: $(grep '^HOSTILE' hostile.log | cut -d' ' -f2-)"
else
	fail "hostile board (seed $seed): $(grep -E '^FAIL' hostile.log | head -n 3 | tr '\n' ';') $(grep '^HOSTILE' hostile.log)"
fi
grep '^HOSTILE' hostile.log | sed 's/^/DSR-METRIC /'
if $T enum --count "$HOSTILE_ENUMS" --seed "$seed" --parallel 4 >enum.log 2>&1; then
	pass "hostile enumerations: $(grep '^ENUM' enum.log | cut -d' ' -f2-)"
else
	fail "hostile enumerations (seed $seed): $(grep -E '^FAIL' enum.log | head -n 3 | tr '\n' ';') $(grep '^ENUM' enum.log)"
fi
grep '^ENUM' enum.log | sed 's/^/DSR-METRIC /'
unset DSR_SIM_VARIANT
# the kernel's verdict now, before later suites add to the log
bad=$(dmesg | grep -E 'BUG:|WARNING:|Oops|general protection|Call Trace:|refcount_t:|Slab corruption|Poison overwritten' | head -n 3)
[ -z "$bad" ] && pass "kernel log clean after the hostile boards" || fail "kernel log: $bad"

rmmod dsr || fail "rmmod dsr after the board suite"
finish
