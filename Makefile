# DSR appliance: top-level entry points. Each part builds and tests itself; this file
# only strings them together.
#
#   make deps    install every package a fresh Debian 12 machine needs
#   make demo    the main job (on the simulated board when no hardware is attached)
#   make test    every test: unit, PACS (Orthanc), HDL, simulator, udev, kernel integration in QEMU
#   make bench   benchmarks (speed as ratios measured in one run)
#   make fuzz    bounded fuzzing of every parser of untrusted input, and the hostile board
#                against dsr.ko in QEMU
#   make soak    10 000 frames and 4096x4096 radiographs through dsr.ko in QEMU (SOAK line)

.PHONY: all deps demo test bench fuzz soak install clean \
	test-unit test-hdl test-sim test-udev test-qemu test-pacs test-qemu-6.1 test-qemu-6.12

all:
	$(MAKE) -C userspace
	$(MAKE) -C sim

deps:
	bash .ci/install-deps.sh

demo:
	bash tests/demo/demo.sh

# Order: fast and fundamental first. Every suite runs even when an earlier one fails,
# so one run reports every failure; the exit status is non-zero if any failed.
SUITES := test-unit test-pacs test-hdl test-sim test-udev test-qemu
test:
	@pass=0; fail=0; failed=; for s in $(SUITES); do \
		echo "######## $$s"; \
		if $(MAKE) --no-print-directory $$s; then pass=$$((pass + 1)); \
		else fail=$$((fail + 1)); failed="$$failed $$s"; fi; done; \
	echo "make test: failed suites:$${failed:- none}"; echo "suites: $$pass passed, $$fail failed"; \
	[ $$fail -eq 0 ]

test-unit:
	$(MAKE) -C userspace test

# The PACS workflow against a real Orthanc on loopback ports (tests/pacs), with the
# sanitizer build of dsr.
test-pacs:
	$(MAKE) -C userspace SAN=1 build-san/dsr
	bash tests/pacs/pacs-test.sh userspace/build-san/dsr

test-hdl:
	$(MAKE) -C hdl lint
	$(MAKE) -C hdl formal
	$(MAKE) -C hdl mutants-quick
	$(MAKE) -C tests/hdl test

test-sim:
	$(MAKE) -C sim test

test-udev:
	$(MAKE) -C udev test

# The kernel suites: every suite on both of Debian 12's kernels (6.1, the default, and
# 6.12), the two guests booted at the same time (each guest's TCG vCPU is one host thread;
# tests/qemu/run-kernels.sh keeps their outputs apart and checks both verdicts).
# test-qemu-6.1 / test-qemu-6.12: one kernel alone (QEMU_SUITES, a glob, picks suites).
QEMU_SUITES ?= *
test-qemu:
	$(MAKE) -C tests/qemu test-kernels KERNELS='6.1 6.12' SUITES='$(QEMU_SUITES)'

test-qemu-6.1 test-qemu-6.12:
	$(MAKE) -C tests/qemu test KERNEL=$(@:test-qemu-%=%) SUITES='$(QEMU_SUITES)'

bench:
	$(MAKE) -C tests/hdl bench
	$(MAKE) -C userspace bench
	$(MAKE) -C tests/qemu bench

fuzz:
	$(MAKE) -C userspace fuzz
	$(MAKE) -C sim fuzz
	$(MAKE) -C tests/qemu fuzz

soak:
	$(MAKE) -C tests/qemu soak

install:
	$(MAKE) -C userspace install
	$(MAKE) -C udev install
	$(MAKE) -C driver install

clean:
	$(MAKE) -C userspace clean
	-$(MAKE) -C sim clean
	-$(MAKE) -C hdl clean
	-$(MAKE) -C tests/hdl clean
	-$(MAKE) -C driver clean
	rm -rf demo-out
