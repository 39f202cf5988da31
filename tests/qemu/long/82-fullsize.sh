# 82-fullsize (make soak): 4096x4096 and 2000x1500 16-bit radiographs written to the
# board with the 4096x4096 store (the DRAM board, DSR_SIM_VARIANT=fullsize) in pass-through
# and read back through dsr.ko bit for bit, by read() and by the mapped ring.
# timeout: 3000
. /lib/dsr-test.sh

grep -q '^dsr ' /proc/modules && rmmod dsr
# 4 ring slots: a 4096x4096 board's slot is 32 MiB
insmod /lib/modules/dsr.ko ring_frames=4 2>/dev/null || insmod /lib/modules/dsr.ko ||
	{ fail "insmod dsr.ko"; finish; exit; }
export DSR_SIM_VARIANT=fullsize
for args in "4096x4096 read" "4096x4096 mmap" "2000x1500 read" "2000x1500 mmap"; do
	set -- $args
	m=; [ "$2" = mmap ] && m=--mmap
	if dsr-boardtest frames --size "$1" --bits 16 -n 1 $m --timeout 1200000 --serial "F$1$2" \
		>frames.log 2>&1; then
		pass "$1 16-bit radiograph through $2, bit-exact ($(grep '^FRAMES' frames.log | cut -d' ' -f2-))"
	else
		fail "$1 through $2: $(grep -E '^FAIL|^dsr-boardtest' frames.log | head -n 3 | tr '\n' ';')"
	fi
	grep '^FRAMES' frames.log
done
rmmod dsr
finish
