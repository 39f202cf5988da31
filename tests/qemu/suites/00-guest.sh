# 00-guest: the test machine itself - modules loaded, vhci-hcd ready, the network
# restricted to the board host, binaries runnable.
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
# The restricted network (run.sh, SIM_NET=restrict): the board host's forward answers,
# the host's loopback (where simhost listens, for an open network) does not.
probe=$(sed -n 's/.*dsr_net_probe=\([0-9.]*\):\([0-9]*\).*/\1 \2/p' /proc/cmdline)
board_host=$(sed -n 's/.*dsr_sim_host=\([0-9.]*\):\([0-9]*\).*/\1 \2/p' /proc/cmdline)
if [ -n "$probe" ]; then
	if nc -w 3 $board_host -e true 2>/dev/null; then pass "network: the board host ($board_host) answers"
	else fail "network: the board host ($board_host): expected a connection, got none"; fi
	if nc -w 3 $probe -e true 2>/dev/null; then fail "network: the host's loopback ($probe): expected out of reach (restrict=on), got a connection"
	else pass "network: the host's loopback ($probe) is out of reach"; fi
fi
for bin in dsr dsr-sim; do
	if command -v $bin >/dev/null; then
		expect_ok "$bin runs (shared libraries present)" $bin --help
	else
		fail "$bin: expected in /usr/bin, got absent (not built on the host?)"
	fi
done
finish
