#!/usr/bin/env bash
# check_pkg.sh - the RTL's shared constants come from dsr_hw.h and nowhere else.
#
#  1. hdl/rtl/dsr_pkg.sv is exactly what hdl/gen/gen_dsr_pkg.c prints from dsr_hw.h now.
#  2. The other RTL files write no register offset, magic or header offset themselves:
#     no 12-bit literals (the register bus width), none of the magic values.
#  3. Every register of dsr_hw.h is decoded by dsr_regs.sv and every header / trailer
#     field offset is used by dsr_framer.sv, by its package name.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
rtl=$root/hdl/rtl
build=$here/build
mkdir -p "$build"
fail=0

cc -std=c11 -Wall -Wextra -Werror -I"$root/userspace/include" -o "$build/gen_dsr_pkg" \
	"$root/hdl/gen/gen_dsr_pkg.c"
"$build/gen_dsr_pkg" >"$build/dsr_pkg.sv"
if ! diff -u "$rtl/dsr_pkg.sv" "$build/dsr_pkg.sv"; then
	echo "check_pkg: hdl/rtl/dsr_pkg.sv is stale: run 'make -C hdl pkg' and commit it" >&2
	fail=1
fi

others=$(ls "$rtl"/*.sv | grep -v '/dsr_pkg\.sv$')
if grep -nE "12'[hdb]" $others; then
	echo "check_pkg: a 12-bit literal in the RTL: register offsets come from dsr_pkg" >&2
	fail=1
fi
for magic in 31525344 45525344 44535221; do
	if grep -niE "h_?${magic:0:4}_?${magic:4:4}" $others; then
		echo "check_pkg: magic value $magic restated in the RTL" >&2
		fail=1
	fi
done

names() { sed -n "s/.*localparam [^=]* \($1[A-Z0-9_]*\) =.*/\1/p" "$rtl/dsr_pkg.sv"; }
for n in $(names DSR_REG_); do
	[ "$n" = DSR_REG_SPAN ] && continue
	if ! grep -q "dsr_pkg::$n\b" "$rtl/dsr_regs.sv"; then
		echo "check_pkg: register $n is not decoded by dsr_regs.sv" >&2
		fail=1
	fi
done
for n in $(names DSR_HDR_OFF_) $(names DSR_TRL_OFF_); do
	if ! grep -q "dsr_pkg::$n\b" "$rtl/dsr_framer.sv"; then
		echo "check_pkg: header field $n is not placed by dsr_framer.sv" >&2
		fail=1
	fi
done
# every package name the RTL uses exists (a typo would also fail lint, say it here)
for n in $(grep -ohE 'dsr_pkg::[A-Z0-9_]+' $others | sort -u | sed 's/dsr_pkg:://'); do
	if ! grep -q "localparam [^=]* $n =" "$rtl/dsr_pkg.sv"; then
		echo "check_pkg: dsr_pkg::$n is not in the package" >&2
		fail=1
	fi
done

if [ $fail -ne 0 ]; then
	exit 1
fi
echo "check_pkg: dsr_pkg.sv matches dsr_hw.h; $(names DSR_REG_ | wc -l) registers and" \
	"$(( $(names DSR_HDR_OFF_ | wc -l) + $(names DSR_TRL_OFF_ | wc -l) )) frame field offsets used by name"
