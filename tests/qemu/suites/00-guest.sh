# 00-guest: the test machine itself - modules loaded, vhci-hcd ready, binaries runnable.
# timeout: 60
. /lib/dsr-test.sh

for mod in usbcore usbip_core vhci_hcd; do
	if grep -q "^$mod " /proc/modules; then pass "module $mod loaded"
	else fail "module $mod: expected in /proc/modules, got: $(cut -d' ' -f1 /proc/modules | tr '\n' ' ')"; fi
done
attach=$(ls /sys/devices/platform/vhci_hcd.*/attach /sys/devices/faux/vhci_hcd.*/attach 2>/dev/null | head -n1)
if [ -n "$attach" ]; then pass "vhci attach file $attach"; else fail "vhci attach file: expected under /sys/devices/*/vhci_hcd.0, got none"; fi
nports=$(cat /sys/devices/platform/vhci_hcd.0/nports 2>/dev/null)
if [ "${nports:-0}" -gt 0 ]; then pass "vhci nports $nports"; else fail "vhci nports: expected > 0, got '${nports}'"; fi
for bin in dsr dsr-sim; do
	if command -v $bin >/dev/null; then
		expect_ok "$bin runs (shared libraries present)" $bin --help
	else
		fail "$bin: expected in /usr/bin, got absent (not built on the host?)"
	fi
done
finish
