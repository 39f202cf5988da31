#!/usr/bin/env python3
"""pnr_report.py - what a nextpnr-ecp5 run measured, for every synth script in this folder.

Reads OUTDIR/nextpnr.log and OUTDIR/report.json and prints
  SYNTH clock=<name> fmax_mhz=<x> target_mhz=<y> grade=<g>     one line per clock
the resources, and each clock's critical path (source -> sink, logic/routing split),
whose whole report goes to OUTDIR/critical_<name>.txt. nextpnr logs a post-placement
estimate first and the routed figures last: the last report of each clock counts.

usage: pnr_report.py OUTDIR GRADE [--clock REGEX=NAME]... [--target MHZ=NAME]...
                     [--expect NAME]... [--check LABEL]
  --clock   names a clock net (nextpnr calls them after their buffers, e.g.
            $glbnet$clk$TRELLIS_IO_IN); the first REGEX found in the net wins
  --target  names a clock that no --clock matched by its target frequency
  --expect  a clock that must have its SYNTH line: exit 1 (after the report) when one has
            none (a net name changed and no rule names it), or when, with --expect, a
            clock is left with its net's name
  --check   exit 1 (after the report) when a clock misses its target, saying so as LABEL
Two nets named alike always fail (one SYNTH line would hide the other).
"""
import argparse
import json
import re
import sys

FMAX = re.compile(r"Max frequency for clock\s+'([^']+)':\s+([0-9.]+) MHz \((PASS|FAIL) at ([0-9.]+) MHz\)")
CRIT = re.compile(r"Critical path report for clock '([^']*)' \(posedge -> posedge\):\n(.*?)\n\n", re.S)


def pairs(items):
    out = []
    for item in items:
        key, sep, name = item.rpartition("=")
        if not sep or not key or not name:
            sys.exit(f"pnr_report: '{item}' is not KEY=NAME")
        out.append((key, name))
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("outdir")
    ap.add_argument("grade")
    ap.add_argument("--clock", action="append", default=[])
    ap.add_argument("--target", action="append", default=[])
    ap.add_argument("--expect", action="append", default=[], metavar="NAME")
    ap.add_argument("--check", metavar="LABEL")
    args = ap.parse_args()
    clocks = [(re.compile(k), n) for k, n in pairs(args.clock)]
    targets = [(float(k), n) for k, n in pairs(args.target)]

    def name(net, target=None):
        for rx, nm in clocks:
            if rx.search(net):
                return nm
        for mhz, nm in targets:
            # a PLL output's constraint is its divided frequency (100.02 for 100)
            if target is not None and abs(target - mhz) < 0.5:
                return nm
        return net

    try:
        log = open(f"{args.outdir}/nextpnr.log").read()
    except OSError as e:
        sys.exit(f"pnr_report: {e}")
    seen, nets = {}, {}
    for m in FMAX.finditer(log):
        net, fmax, verdict, target = m.groups()
        nm = name(net, float(target))
        seen[nm] = (float(fmax), float(target), verdict)
        nets[net] = nm
    bad = []
    for nm in sorted(set(nets.values())):
        same = [net for net, n in nets.items() if n == nm]
        if len(same) > 1:
            bad.append(f"nets {', '.join(same)} are all named {nm}")
    if args.expect:
        bad += [f"no SYNTH line for {nm} (no net named so)" for nm in args.expect if nm not in seen]
        bad += [f"clock net {net} has no name (no --clock or --target for it)"
                for net, nm in nets.items() if net == nm]
    if not seen:
        print("  (no timing in nextpnr.log: placement or routing did not finish)")
    for nm, (fmax, target, _) in seen.items():
        print(f"SYNTH clock={nm} fmax_mhz={fmax:.1f} target_mhz={target:.0f} grade={args.grade}")
    for net, nm in nets.items():
        if net != nm:
            print(f"  {nm}: net {net}")

    try:
        util = json.load(open(f"{args.outdir}/report.json")).get("utilization", {})
        def used(k):
            u = util.get(k, {})
            return f"{u.get('used', 0)} / {u.get('available', 0)}"
        print(f"  LUT4+carry: {used('TRELLIS_COMB')}  FF: {used('TRELLIS_FF')}  EBR: {used('DP16KD')}  "
              f"DSP: {used('MULT18X18D')}  LUT RAM: {used('TRELLIS_RAMW')}")
    except (OSError, ValueError):
        pass

    last = {}
    for m in CRIT.finditer(log):
        last[nets.get(m.group(1)) or name(m.group(1))] = m.group(2).splitlines()
    for nm, lines in last.items():
        src = [l for l in lines if "Source" in l]
        snk = [l for l in lines if "Sink" in l]
        split = [l for l in lines if "ns logic" in l and "ns routing" in l]
        if src and snk:
            print(f"  critical {nm}: {src[0].split('Source')[-1].strip()} -> {snk[-1].split('Sink')[-1].strip()}")
        if split:
            print(f"    {split[-1].split('Info:')[-1].strip()}")
        with open(f"{args.outdir}/critical_{nm}.txt", "w") as f:
            f.write("\n".join(lines) + "\n")

    if bad:
        for msg in bad:
            print(f"pnr_report: {msg}", file=sys.stderr)
        return 1
    if args.check:
        fail = [nm for nm, (_, _, verdict) in seen.items() if verdict == "FAIL"]
        if fail:
            print(f"{args.check}: below target: {', '.join(fail)}", file=sys.stderr)
            return 1
        if not seen:
            print(f"{args.check}: no timing report", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
