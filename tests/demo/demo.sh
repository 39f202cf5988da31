#!/usr/bin/env bash
# demo.sh - `make demo`: the appliance end to end (see demo-full.sh for what it does and
# the environment variables it takes).
exec bash "$(dirname "$0")/demo-full.sh" "$@"
