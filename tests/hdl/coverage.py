#!/usr/bin/env python3
"""coverage.py - Verilator coverage.dat -> figures, waivers, what is not hit.

usage: coverage.py COVERAGE_DAT WAIVERS [RTL_DIR]

Points: line/branch (v_line, v_branch), toggle (v_toggle, one per bit), user cover
properties (v_user) of the RTL files in RTL_DIR (the testbench's own are left out).
WAIVERS: one regular expression a line (matched against "type hierarchy name file:line"),
then " # reason"; a waiver covers only points that were not hit. Prints every unhit,
unwaived point and
  COVERAGE hit=<n> total=<n> waived=<n>
and exits 1 if a line, branch or user point is neither hit nor waived, or if a line,
branch or user waiver matches nothing (a toggle waiver that matches nothing is reported). Toggle points are counted and listed (by signal) but do not fail the
run: toggle coverage is not closed yet.
"""
import re
import sys


def points(path, rtl_dir):
    for line in open(path, encoding="latin-1"):
        if not line.startswith("C '"):
            continue
        key, _, count = line.rstrip("\n").rpartition("' ")
        fields = dict(f.split("\x02", 1) for f in key[3:].split("\x01") if "\x02" in f)
        fname = fields.get("f", "")
        if rtl_dir and rtl_dir not in fname:
            continue
        kind = fields.get("page", "").split("/")[0]
        name = f"{kind} {fields.get('h', '')} {fields.get('o', '')} {fname.split('/')[-1]}:{fields.get('l', '')}"
        yield kind, name, int(count)


def main():
    dat, waiver_path = sys.argv[1], sys.argv[2]
    rtl_dir = sys.argv[3] if len(sys.argv) > 3 else "/hdl/rtl/"
    waivers = []
    for line in open(waiver_path):
        line = line.rstrip("\n")
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        pat, _, reason = line.partition(" # ")
        if not reason.strip():
            sys.exit(f"coverage: waiver without a reason: {line}")
        waivers.append([re.compile(pat.strip()), reason.strip(), 0])
    hit = total = waived = 0
    missed = []
    by_kind = {}
    for kind, name, count in points(dat, rtl_dir):
        total += 1
        k = by_kind.setdefault(kind, [0, 0])
        k[1] += 1
        if count > 0:
            hit += 1
            k[0] += 1
            continue
        for w in waivers:
            if w[0].search(name):
                w[2] += 1
                waived += 1
                break
        else:
            missed.append(name)
    for kind, (h, t) in sorted(by_kind.items()):
        print(f"coverage: {kind}: {h} of {t} hit")
    toggles = {}
    for m in missed:
        if m.startswith("v_toggle "):
            sig = re.sub(r"\[\d+\]", "", " ".join(m.split()[1:3]))
            toggles[sig] = toggles.get(sig, 0) + 1
        else:
            print(f"coverage: NOT HIT {m}")
    for sig, n in sorted(toggles.items(), key=lambda t: -t[1]):
        print(f"coverage: toggle not hit (not enforced): {sig}: {n} bits")
    hard = [m for m in missed if not m.startswith("v_toggle ")]
    unused = [w for w in waivers if w[2] == 0]
    for w in unused:
        print(f"coverage: waiver matches nothing (remove it): {w[0].pattern}")
    # like toggle points themselves, a stale toggle waiver is reported, not fatal
    unused = [w for w in unused if not w[0].pattern.startswith("v_toggle")]
    print(f"COVERAGE hit={hit} total={total} waived={waived}")
    return 1 if hard or unused or total == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
