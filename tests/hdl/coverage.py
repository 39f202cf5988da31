#!/usr/bin/env python3
"""coverage.py - Verilator coverage.dat -> figures, waivers, what is not hit.

usage: coverage.py [-v] WAIVERS RTL_DIR DAT [RESET_DAT] [--exclude HIER_RE] [DAT ...]

Points: line/branch (v_line, v_branch), toggle (v_toggle, one per bit), user cover
properties (v_user) of the RTL files in RTL_DIR (the testbench's own are left out), of
one or more runs (each a coverage.dat; their hierarchies differ by top module), minus a
run's instances whose hierarchy matches HIER_RE (covered by another run). RESET_DAT holds
the counts of the reset cycles (the testbench zeroes the counts when reset ends): added
to the line, branch and user points, not to the toggles (a register going from its
random initial value to its reset value is no toggle).

WAIVERS: one regular expression a line, matched against "type hierarchy name file:line"
(for a toggle the name carries the bit: "v_toggle TOP.dsr_top.regs time_now[40]
dsr_regs.sv:95"; a line, branch or user point ends in " | " and its source line, so a
waiver names the code, not a line number: "v_branch TOP.dsr_top.lut else dsr_lut.sv:110
| if (m_ready) begin"; "<18-63>" or "<3,5-6>" in a pattern matches exactly those numbers;
"<above-hit:N>" as a bit number matches bits N and up that are above the highest bit of
that signal the run toggled: a counter's bits that a bounded run does not reach (a longer
run may reach more of them), while bits 0..N-1 must toggle),
then " # reason". Closure, each a failure of the run:
  - a point neither hit nor waived (every kind: line, branch, toggle, user);
  - a waiver that matches a point that was hit: too broad, it would hide that point
    if it stopped being hit (name the bits, not the signal);
  - a waiver that matches nothing (stale).
A self-test makes one hit point of each kind (and bit 0 of a frame counter) unhit and
fails the run if the check would still pass. Prints the figures per kind, every unhit
unwaived point (toggles by signal, bits as ranges), each offending waiver, -v every
waived point, and
  COVERAGE hit=<n> total=<n> waived=<n>
"""
import re
import sys


def read_dat(path):
    """{key: count} of a coverage.dat."""
    counts = {}
    for line in open(path, encoding="latin-1"):
        if line.startswith("C '"):
            key, _, count = line.rstrip("\n").rpartition("' ")
            counts[key] = counts.get(key, 0) + int(count)
    return counts


def points(counts, reset, rtl_dir):
    for key, count in counts.items():
        fields = dict(f.split("\x02", 1) for f in key[3:].split("\x01") if "\x02" in f)
        fname = fields.get("f", "")
        if rtl_dir and rtl_dir not in fname:
            continue
        kind = fields.get("page", "").split("/")[0]
        if kind != "v_toggle":
            count += reset.get(key, 0)
        name = f"{kind} {fields.get('h', '')} {fields.get('o', '')} {fname.split('/')[-1]}:{fields.get('l', '')}"
        if kind != "v_toggle":
            name += " | " + source_line(fname, fields.get("l", ""))
        yield kind, name, count


_sources = {}


def source_line(path, line):
    """the RTL line a point is on, stripped (waivers match it instead of a line number)"""
    if path not in _sources:
        try:
            _sources[path] = open(path, encoding="latin-1").read().split("\n")
        except OSError:
            _sources[path] = []
    lines, n = _sources[path], int(line or 0)
    return " ".join(lines[n - 1].split()) if 0 < n <= len(lines) else ""


def expand_ranges(pat):
    """'<18-63>' or '<3,5-6>' in a waiver -> a group matching exactly those numbers"""
    def alt(m):
        nums = []
        for part in m.group(1).split(","):
            lo, _, hi = part.partition("-")
            nums += range(int(lo), int(hi or lo) + 1)
        return "(?:" + "|".join(str(n) for n in nums) + ")"
    return re.sub(r"<(\d+(?:-\d+)?(?:,\d+(?:-\d+)?)*)>", alt, pat)


ABOVE_HIT = re.compile(r"<above-hit:(\d+)>")


def split_toggle(name):
    """'v_toggle H sig[3] f:l' -> ('H sig', 3); (None, None) if not a toggle bit"""
    parts = name.split(" ")
    mo = re.match(r"(.*)\[(\d+)\]$", parts[2]) if parts[0] == "v_toggle" else None
    return (f"{parts[1]} {mo.group(1)}", int(mo.group(2))) if mo else (None, None)


def waiver_matches(w, name, top_hit):
    """w matches name; with <above-hit:N>, only bits from N up that are above the
    signal's highest hit bit"""
    mo = w[0].search(name)
    if not mo or w[4] is None:
        return bool(mo)
    sig, bit = split_toggle(name)
    return bit is not None and bit >= w[4] and bit > top_hit.get(sig, -1)


def read_waivers(path):
    waivers = []
    for line in open(path):
        line = line.rstrip("\n")
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        pat, _, reason = line.partition(" # ")
        if not reason.strip():
            sys.exit(f"coverage: waiver without a reason: {line}")
        pat = expand_ranges(pat.strip())
        ah = ABOVE_HIT.search(pat)
        pat = ABOVE_HIT.sub(r"\\d+", pat)
        # [pattern, reason, unhit points waived, hit points matched, <above-hit:N>'s N]
        waivers.append([re.compile(pat), reason.strip(), [], [], int(ah.group(1)) if ah else None])
    return waivers


def bit_ranges(bits):
    """[3, 4, 5, 9] -> '3-5,9'"""
    out, bits = [], sorted(bits)
    i = 0
    while i < len(bits):
        j = i
        while j + 1 < len(bits) and bits[j + 1] == bits[j] + 1:
            j += 1
        out.append(str(bits[i]) if i == j else f"{bits[i]}-{bits[j]}")
        i = j + 1
    return ",".join(out)


def toggle_groups(names):
    """toggle point names -> ['hier sig[bits]', ...] (one per signal)"""
    groups = {}
    for m in names:
        _, hier, sig, _ = m.split(" ")
        mo = re.match(r"(.*)\[(\d+)\]$", sig)
        base, bit = (mo.group(1), int(mo.group(2))) if mo else (sig, None)
        groups.setdefault(f"{hier} {base}", []).append(bit)
    out = []
    for sig, bits in sorted(groups.items()):
        nums = [b for b in bits if b is not None]
        out.append(f"{sig}[{bit_ranges(nums)}]" if nums else sig)
    return out


def evaluate(pts, waivers):
    """(hit, total, waived, missed, by_kind); fills each waiver's waived/hit lists"""
    for w in waivers:
        w[2], w[3] = [], []
    top_hit = {}    # toggle signal -> its highest bit that was hit
    for kind, name, count in pts:
        sig, bit = split_toggle(name)
        if sig and count > 0:
            top_hit[sig] = max(bit, top_hit.get(sig, -1))
    hit = total = waived = 0
    missed = []
    by_kind = {}
    for kind, name, count in pts:
        total += 1
        k = by_kind.setdefault(kind, [0, 0, 0])
        k[1] += 1
        w = next((w for w in waivers if waiver_matches(w, name, top_hit)), None)
        if count > 0:
            hit += 1
            k[0] += 1
            if w:
                w[3].append(name)
        elif w:
            w[2].append(name)
            waived += 1
            k[2] += 1
        else:
            missed.append(name)
    return hit, total, waived, missed, by_kind


def closed(pts, waivers):
    hit, total, waived, missed, _ = evaluate(pts, waivers)
    return not missed and total and hit + waived == total and \
        all(w[2] and not w[3] for w in waivers)


def self_test(pts, waivers):
    """The check can fail: one hit point of each kind (and a counter's low bit) made
    unhit must open the closure. Returns the kinds for which it did not."""
    wrong = []
    picks = {}
    for i, (kind, name, count) in enumerate(pts):
        if count > 0 and kind not in picks:
            picks[kind] = i
        if count > 0 and re.search(r" frames_in\[0\] ", name):
            picks["counter bit 0"] = i
    for kind, i in sorted(picks.items()):
        trial = list(pts)
        trial[i] = (trial[i][0], trial[i][1], 0)
        if closed(trial, waivers):
            wrong.append(f"{kind} ({trial[i][1]})")
    return wrong


def parse_args(args):
    """-v, WAIVERS, RTL_DIR, then runs: DAT [RESET_DAT] [--exclude REGEX]..."""
    verbose = "-v" in args
    args = [a for a in args if a != "-v"]
    if len(args) < 3:
        sys.exit(__doc__)
    waiver_path, rtl_dir, runs = args[0], args[1], []
    rest = args[2:]
    while rest:
        dat, rest = rest[0], rest[1:]
        reset = exclude = None
        if rest and not rest[0].startswith("--"):
            reset, rest = rest[0], rest[1:]
        if len(rest) > 1 and rest[0] == "--exclude":
            exclude, rest = re.compile(rest[1]), rest[2:]
        runs.append((dat, reset, exclude))
    return verbose, waiver_path, rtl_dir, runs


def main():
    verbose, waiver_path, rtl_dir, runs = parse_args(sys.argv[1:])
    waivers = read_waivers(waiver_path)
    pts = []
    for dat, reset, exclude in runs:
        for p in points(read_dat(dat), read_dat(reset) if reset else {}, rtl_dir):
            if not (exclude and exclude.search(p[1].split(" ")[1])):
                pts.append(p)
    wrong = self_test(pts, waivers) if pts else []
    hit, total, waived, missed, by_kind = evaluate(pts, waivers)
    for kind, (h, t, wv) in sorted(by_kind.items()):
        print(f"coverage: {kind}: {h} of {t} hit, {wv} waived")
    for m in missed:
        if not m.startswith("v_toggle "):
            print(f"coverage: NOT HIT {m}")
    for g in toggle_groups([m for m in missed if m.startswith("v_toggle ")]):
        print(f"coverage: NOT HIT toggle {g}")
    bad = 0
    for pat, reason, unhit, hits, _ in waivers:
        if verbose and unhit:
            print(f"coverage: waived {len(unhit)} by {pat.pattern}: {reason}")
            for g in toggle_groups([m for m in unhit if m.startswith("v_toggle ")]):
                print(f"coverage:   toggle {g}")
            for m in unhit:
                if not m.startswith("v_toggle "):
                    print(f"coverage:   {m}")
        if hits:
            bad += 1
            print(f"coverage: waiver matches {len(hits)} point(s) that were hit (narrow it): "
                  f"{pat.pattern}: e.g. {hits[0]}")
            if verbose:
                for h in hits:
                    print(f"coverage:   hit {h}")
        elif not unhit:
            bad += 1
            print(f"coverage: waiver matches nothing (remove it): {pat.pattern}")
    for w in wrong:
        print(f"coverage: self-test: made unhit, this point still passes: {w}")
    print(f"COVERAGE hit={hit} total={total} waived={waived}")
    if missed:
        print(f"coverage: FAIL: {len(missed)} point(s) neither hit nor waived")
    if bad:
        print(f"coverage: FAIL: {bad} waiver(s) too broad or stale")
    if wrong:
        print("coverage: FAIL: the check does not notice a point that stops being hit")
    return 1 if missed or bad or wrong or total == 0 or hit + waived != total else 0


if __name__ == "__main__":
    sys.exit(main())
