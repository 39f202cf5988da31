# 90-fuzz (make fuzz): the hostile board against dsr.ko - at least DSR_FUZZ_FRAMES mutated
# frames (default 100 000) and DSR_FUZZ_ENUMS mutated enumerations (default 1 000), every
# frame the driver delivers as valid checked, the kernel log clean afterwards.
# timeout: 5400
. /lib/dsr-test.sh

FRAMES=${DSR_FUZZ_FRAMES:-100000}
ENUMS=${DSR_FUZZ_ENUMS:-1000}
SEED=$(sed -n 's/.*dsr_fuzz_seed=\([0-9]*\).*/\1/p' /proc/cmdline)
SEED=${SEED:-$(( $(date +%s) % 100000 * 1000 ))}
echo "DSR-NOTE 90-fuzz: seed base $SEED (reproduce: make fuzz FUZZ_SEED=$SEED)"
grep -q '^dsr ' /proc/modules || insmod /lib/modules/dsr.ko || { fail "insmod dsr.ko"; finish; exit; }

# keep LOG, show its progress lines as they come (busybox: no sed -u)
progress() {
	: >"$1"
	while IFS= read -r l; do
		echo "$l" >>"$1"
		case $l in *-progress*) echo "DSR-NOTE $l" ;; esac
	done
}
dsr-boardtest hostile --target "$FRAMES" --seed "$SEED" --seconds 30 --frames 0.8 2>&1 | progress hostile.log
rc=$(grep -c '^FAIL' hostile.log); grep -q '^HOSTILE' hostile.log || rc=1
grep -E '^(FAIL|HOSTILE)' hostile.log | head -n 5
[ $rc -eq 0 ] && pass "hostile frames: $(grep '^HOSTILE' hostile.log | cut -d' ' -f2-)" ||
	fail "hostile frames (seed $SEED): $(grep -E '^FAIL' hostile.log | head -n 3 | tr '\n' ';')"
dsr-boardtest enum --count "$ENUMS" --seed "$SEED" --parallel 6 2>&1 | progress enum.log
rc=$(grep -c '^FAIL' enum.log); grep -q '^ENUM' enum.log || rc=1
grep -E '^(FAIL|ENUM)' enum.log | head -n 5
[ $rc -eq 0 ] && pass "hostile enumerations: $(grep '^ENUM' enum.log | cut -d' ' -f2-)" ||
	fail "hostile enumerations (seed $SEED): $(grep -E '^FAIL' enum.log | head -n 3 | tr '\n' ';')"
f=$(sed -n 's/^HOSTILE frames=[0-9]* mutated=\([0-9]*\).*/\1/p' hostile.log)
e=$(sed -n 's/^ENUM enumerations=[0-9]* mutated=\([0-9]*\).*/\1/p' enum.log)
echo "FUZZ hostile_frames=${f:-0} hostile_enumerations=${e:-0} seed=$SEED"
bad=$(dmesg | grep -E 'BUG:|WARNING:|Oops|general protection|Call Trace:|refcount_t:|Slab corruption|Poison overwritten' | head -n 3)
[ -z "$bad" ] && pass "kernel log clean after the hostile boards" || fail "kernel log: $bad"
finish
