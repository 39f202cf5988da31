# lib.sh - helpers for the guest suites (sourced: `. /lib/dsr-test.sh`).
#
# A suite is a sh script in tests/qemu/suites/NN-name.sh, run by /init in its own empty
# directory /tmp/NN-name with the console as stdout; it passes when it exits 0.
# An optional "# timeout: SECONDS" line bounds it (default 300).
# These helpers print one line per check and count failures; call `finish` last.

checks=0
check_failures=0

# pass NAME: a check that held.
pass() {
	checks=$((checks + 1))
	echo "DSR-CHECK PASS $*"
}

# fail NAME: what, expected, got - a check that did not hold (the suite goes on).
fail() {
	checks=$((checks + 1))
	check_failures=$((check_failures + 1))
	echo "DSR-CHECK FAIL $*"
}

# expect_ok NAME CMD...: CMD must exit 0; on failure its output is shown.
expect_ok() {
	name=$1; shift
	if out=$("$@" 2>&1); then
		pass "$name"
	else
		rc=$?
		fail "$name: '$*' expected exit 0, got $rc: $(echo "$out" | tail -n 5)"
	fi
	LAST_OUT=$out
}

# expect_fail NAME PATTERN CMD...: CMD must exit non-zero with PATTERN (grep -E) in its
# output: a clear error, not a crash (exit >= 128) or a silent failure.
expect_fail() {
	name=$1; pattern=$2; shift 2
	out=$("$@" 2>&1)
	rc=$?
	if [ "$rc" -eq 0 ]; then
		fail "$name: '$*' expected an error matching /$pattern/, got exit 0"
	elif [ "$rc" -ge 124 ]; then
		fail "$name: '$*' expected a clear error, got exit $rc (crash or timeout): $(echo "$out" | tail -n 5)"
	elif ! echo "$out" | grep -Eq "$pattern"; then
		fail "$name: '$*' expected an error matching /$pattern/, got: $(echo "$out" | tail -n 3)"
	else
		pass "$name ($(echo "$out" | grep -E "$pattern" | head -n 1))"
	fi
	LAST_OUT=$out
}

# expect_eq NAME EXPECTED GOT
expect_eq() {
	if [ "$2" = "$3" ]; then pass "$1 ($3)"; else fail "$1: expected '$2', got '$3'"; fi
}

# finish: the suite's exit status; a suite that checked nothing fails.
finish() {
	echo "DSR-CHECKS total=$checks failed=$check_failures"
	[ "$checks" -gt 0 ] && [ "$check_failures" -eq 0 ]
}
