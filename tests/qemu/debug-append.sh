#!/bin/sh
# debug-append.sh KERNEL_CONFIG - the memory-debugging boot options for the guest
# kernel, as far as its configuration has them (one line, for the kernel command line):
#   slub_debug=FZPU    sanity checks, red zones, poisoning, alloc/free owner of objects
#   page_poison=1      poison freed pages (CONFIG_PAGE_POISONING)
#   init_on_free=1     zero memory when it is freed
#   kfence.sample_interval=10   KFENCE sampling (Debian's 6.12 builds it with interval 0)
#   kmemleak=on        when CONFIG_DEBUG_KMEMLEAK is built (neither of Debian 12's)
# Without the config file (older make deps) the first three, which both kernels have.
cfg=$1
opts="slub_debug=FZPU page_poison=1 init_on_free=1"
has() { [ -f "$cfg" ] && grep -q "^$1=y" "$cfg"; }
has CONFIG_KFENCE && opts="$opts kfence.sample_interval=10"
has CONFIG_DEBUG_KMEMLEAK && opts="$opts kmemleak=on"
echo "$opts"
