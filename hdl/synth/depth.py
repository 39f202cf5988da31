#!/usr/bin/env python3
"""depth.py - LUT levels per sequential endpoint of a Yosys synth_ecp5 netlist (write_json).

No placement, no routing: on the ECP5 at -6 a routed path costs about 1.4 ns of routing per
LUT hop (hdl/README.md, the timing history), so the number of LUT levels between two
registers predicts which paths cannot make 8 ns (125 MHz: about 3 levels) long before a
50-minute board run shows them one at a time.

Start points (level 0): TRELLIS_FF Q, DP16KD and MULT18X18D outputs (registered in this
design; a MULT18X18D without its output register counts as 2 levels from its inputs),
input ports, outputs of any other cell. TRELLIS_DPR16X4 (LUT RAM) DO: 1 level from its
contents (start), or 1 level more than its read address RAD.
Endpoints: TRELLIS_FF DI/CE/LSR/M, every data/control input of DP16KD, MULT18X18D and
TRELLIS_DPR16X4 (WAD/DI/WRE), output ports, inputs of any other cell.
Levels counted per cell (what costs a routed hop):
  LUT4          1 from A/B/C/D
  PFUMX         0 from ALUT/BLUT (the slice's own LUT5 mux), 1 from its select C0 (routed)
  L6MUX21       0 from D0/D1 (PFUMX outputs, dedicated), 1 from its select SD
  CCU2C         1 from A/B/C/D (the carry's entry: a LUT), CARRY from CIN (the dedicated
                chain: CARRY = 0.125 per CCU2C, 2 bits, so a 16-bit chain is one level more)
Clock domains: an endpoint belongs to the clock of its cell (TRELLIS_FF CLK, DP16KD port A/B
CLKA/CLKB, DPR16X4 WCK, MULT18X18D CLK0); a path counts only from start points of the same
clock (or an input port / clockless cell), so crossings (synchronisers, async FIFOs) never
make a cone deeper. Output ports count in every clock that reaches them.

usage: depth.py NETLIST.json [--out FILE] [--clock REGEX=NAME]... [--focus NAME] [--top N]
  --clock  names a clock net (re.fullmatch on any of the net's names); others keep a name
  --focus  the clock listed first and in detail (its worst endpoints with their paths)
Prints per clock:  DEPTH clock=<name> endpoints=<n> max_levels=<m> over3=<n>
and writes FILE: per clock the modules owning endpoints over 3 levels, then the worst
registers (all bits of a vector as one entry) with the cells of the worst path.
"""
import argparse
import json
import re
import sys
from collections import defaultdict

CARRY = 0.125
THRESH = 3

# output port -> [(input port prefix, cost)]; a prefix "A" matches A, A0.. only where listed
COMB = {
    "LUT4": {"Z": [("A", 1), ("B", 1), ("C", 1), ("D", 1)]},
    "PFUMX": {"Z": [("ALUT", 0), ("BLUT", 0), ("C0", 1)]},
    "L6MUX21": {"Z": [("D0", 0), ("D1", 0), ("SD", 1)]},
    "CCU2C": {
        "S0": [("A0", 1), ("B0", 1), ("C0", 1), ("D0", 1), ("CIN", CARRY)],
        "S1": [(p, 1) for p in ("A0", "B0", "C0", "D0", "A1", "B1", "C1", "D1")] + [("CIN", CARRY)],
        "COUT": [(p, 1) for p in ("A0", "B0", "C0", "D0", "A1", "B1", "C1", "D1")] + [("CIN", CARRY)],
    },
}
IGNORE = {"$scopeinfo"}
# Yosys's names for nets it made: the RTL net a cell hangs off, then _<CELL>_<PORT>...
DERIVED = re.compile(r"_(LUT4|TRELLIS_FF|PFUMX|L6MUX21|CCU2C|TRELLIS_DPR16X4|DP16KD|MULT18X18D)_")
CLOCK_PORTS = ("CLK", "CLKA", "CLKB", "WCK", "CLK0", "SCLK", "ECLK", "CLKI")


def fmt(v):
    return f"{v:g}" if v == int(v) else f"{v:.2f}".rstrip("0")


class Netlist:
    def __init__(self, path):
        data = json.load(open(path))
        tops = [n for n, m in data["modules"].items() if int(m.get("attributes", {}).get("top", "0"), 2)]
        if len(tops) != 1:
            sys.exit(f"depth: {path}: expected one top module, found {tops}")
        self.top = tops[0]
        mod = data["modules"][self.top]
        self.cells = {n: c for n, c in mod["cells"].items() if c["type"] not in IGNORE}
        # a name per net bit: the shortest public name ("x[3]" for bit 3 of x)
        self.names = defaultdict(list)
        for name, net in mod["netnames"].items():
            for i, b in enumerate(net["bits"]):
                if isinstance(b, int):
                    label = name if len(net["bits"]) == 1 else f"{name}[{i}]"
                    derived = bool(DERIVED.search(name))
                    self.names[b].append((net.get("hide_name", 0), name.startswith("$"), derived,
                                          "hdlname" not in net.get("attributes", {}), len(name), label))
        self.ports = mod.get("ports", {})

    def name(self, bit):
        if not isinstance(bit, int):
            return f"const {bit}"
        cands = sorted(self.names.get(bit, []))
        return cands[0][-1] if cands else f"net{bit}"

    def labels(self, bit):
        """Every name of a net bit with its index ("x[3]")."""
        return [c[-1] for c in self.names.get(bit, [])]

    def all_names(self, bit):
        return [re.sub(r"\[\d+\]$", "", c[-1]) for c in self.names.get(bit, [])]


def classify(nl, clock_names):
    """Per net bit: its combinational driver (cell, out port, arcs) or its start clock;
    and the list of endpoints (cell, port, bit index, net bit, clock)."""
    clock_of_bit = {}

    def clock(bit):
        if not isinstance(bit, int):
            return None
        if bit not in clock_of_bit:
            label = nl.name(bit)
            for regex, cname in clock_names:
                if any(re.fullmatch(regex, n) for n in nl.all_names(bit)):
                    label = cname
                    break
            clock_of_bit[bit] = label
        return clock_of_bit[bit]

    comb = {}      # bit -> (cell name, port, [(in port, in bit, cost)])
    start = {}     # bit -> (clock or None for every clock, base level, cell name, port)
    ends = []      # (cell name, port, index, bit, clock or None)
    for cname, c in nl.cells.items():
        t, conn, dirs = c["type"], c["connections"], c.get("port_directions", {})
        if t in COMB:
            for out, arcs in COMB[t].items():
                for b in conn.get(out, []):
                    ins = [(p, conn[p][0], cost) for p, cost in arcs if p in conn and conn[p]]
                    comb[b] = (cname, out, ins)
            continue
        if t == "TRELLIS_FF":
            clk = clock(conn["CLK"][0])
            start[conn["Q"][0]] = (clk, 0, cname, "Q")
            for p in ("DI", "CE", "LSR", "M"):
                if p in conn:
                    ends.append((cname, p, 0, conn[p][0], clk))
            continue
        if t == "TRELLIS_DPR16X4":
            clk = clock(conn["WCK"][0])
            for i, b in enumerate(conn["DO"]):
                # read through the LUT RAM: 1 level from the address, or from the contents
                comb[b] = (cname, f"DO[{i}]", [(f"RAD[{j}]", rb, 1) for j, rb in enumerate(conn["RAD"])])
                start[b] = (clk, 1, cname, f"DO[{i}]")
            for p in ("WAD", "DI", "WRE"):
                for i, b in enumerate(conn.get(p, [])):
                    ends.append((cname, p, i, b, clk))
            continue
        if t == "MULT18X18D" and c["parameters"].get("REG_OUTPUT_CLK", "NONE") == "NONE":
            ins = [(p, b, 2) for p, bits in conn.items() if dirs.get(p) == "input"
                   and not p.startswith(("CLK", "CE", "RST")) for b in bits]
            for p, bits in conn.items():
                if dirs.get(p) == "output":
                    for i, b in enumerate(bits):
                        comb[b] = (cname, f"{p}[{i}]", ins)
            continue
        # DP16KD, registered MULT18X18D, anything else: sequential at its clock ports
        clks = {p: clock(conn[p][0]) for p in CLOCK_PORTS if p in conn and conn[p]}

        def port_clock(p):
            if t == "DP16KD":
                return clks.get("CLKB" if p.endswith("B") or re.match(r"^(AD|DI|DO|CS)B", p) else "CLKA")
            return next(iter(clks.values()), None) if clks else None

        for p, bits in conn.items():
            if p in CLOCK_PORTS:
                continue
            d = dirs.get(p, "input")
            for i, b in enumerate(bits):
                if d == "output":
                    start[b] = (port_clock(p), 0, cname, f"{p}[{i}]" if len(bits) > 1 else p)
                elif d == "input":
                    ends.append((cname, p, i, b, port_clock(p)))
    for pname, port in nl.ports.items():
        for i, b in enumerate(port["bits"]):
            label = pname if len(port["bits"]) == 1 else f"{pname}[{i}]"
            if port["direction"] == "input":
                start[b] = (None, 0, f"port {label}", "in")
            else:
                ends.append((f"port {label}", "out", i, b, None))
    return comb, start, ends, set(clock_of_bit.values())


def arrivals(nl, comb, start, clk):
    """Worst level per net bit from start points of clock clk: bit -> (level, pred bit, via)."""
    arr = {}
    loops = [0]

    def own(b):
        s = start.get(b)
        if s and (s[0] is None or s[0] == clk):
            return (s[1], None, (s[2], s[3]))
        return None

    for root in list(comb.keys()) + list(start.keys()):
        if root in arr:
            continue
        stack = [(root, False)]
        onstack = set()
        while stack:
            b, done = stack.pop()
            if b in arr and not done:
                continue
            if not done:
                if b in onstack:
                    loops[0] += 1
                    arr[b] = None
                    continue
                onstack.add(b)
                stack.append((b, True))
                if b in comb:
                    for _, ib, _ in comb[b][2]:
                        if isinstance(ib, int) and ib not in arr:
                            stack.append((ib, False))
                continue
            onstack.discard(b)
            best = own(b)
            if b in comb:
                cell, out, ins = comb[b]
                for ip, ib, cost in ins:
                    a = arr.get(ib) if isinstance(ib, int) else None
                    if a is not None and (best is None or a[0] + cost > best[0]):
                        best = (a[0] + cost, ib, (cell, f"{ip}->{out}"))
            arr[b] = best
    return arr, loops[0]


def rtl_of(label):
    """The RTL net a Yosys-made net is named after (the part before _<CELL>_...)."""
    m = DERIVED.search(label)
    return label[:m.start()] if m else label


def module_of(label):
    """The instance owning a net or cell name: its dotted prefix (top: '<top>')."""
    base = re.sub(r"\[\d+\]$", "", label)
    if base.startswith("port "):
        return "<ports>"
    parts = base.split(".")
    return ".".join(parts[:-1]) if len(parts) > 1 else "<top>"


def register_of(nl, cell, bit_name):
    """The RTL register an endpoint cell is (its Q net's name without the bit)."""
    c = nl.cells.get(cell)
    if c and c["type"] == "TRELLIS_FF":
        return re.sub(r"\[\d+\]$", "", nl.name(c["connections"]["Q"][0]))
    if cell.startswith("port "):
        return re.sub(r"\[\d+\]$", "", cell)
    return cell


def path_of(nl, arr, b):
    hops = []
    while b is not None:
        lvl, pred, (cell, arc) = arr[b]
        ctype = nl.cells[cell]["type"] if cell in nl.cells else "port"
        hops.append((lvl, ctype, arc, cell, nl.name(b)))
        b = pred
    return list(reversed(hops))


def query(nl, comb, start, ends, frm, to):
    """PATH from=<re> to=<re> levels=<n> endpoint=<register.pin>, and its cells; 1 if none."""
    rf, rt = re.compile(frm), re.compile(to)
    sel = {b: (None,) + s[1:] for b, s in start.items()
           if rf.search(s[2]) or any(rf.search(n) for n in nl.all_names(b) + nl.labels(b))}
    arr, _ = arrivals(nl, comb, sel, None)
    best = None
    for cell, port, i, b, _ in ends:
        if not isinstance(b, int) or arr.get(b) is None:
            continue
        reg = register_of(nl, cell, nl.name(b))
        c = nl.cells.get(cell)
        alias = nl.all_names(c["connections"]["Q"][0]) if c and c["type"] == "TRELLIS_FF" else []
        if rt.search(reg) or rt.search(nl.name(b)) or any(rt.search(n) for n in alias):
            if best is None or arr[b][0] > best[0]:
                best = (arr[b][0], f"{reg}.{port}", b)
    if best is None:
        print(f"PATH from={frm} to={to}: none")
        return 1
    print(f"PATH from={frm} to={to} levels={fmt(best[0])} endpoint={best[1]}")
    for hl, ctype, arc, hcell, net in path_of(nl, arr, best[2]):
        print(f"  {fmt(hl):>5}  {ctype:10s} {arc:12s} {rtl_of(net):45s} {net}")
    return 0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("netlist")
    ap.add_argument("--out")
    ap.add_argument("--clock", action="append", default=[])
    ap.add_argument("--focus")
    ap.add_argument("--top", type=int, default=60)
    ap.add_argument("--from", dest="frm", help="with --to: the worst path from start points whose"
                    " net or cell matches (re.search) to endpoints whose register or net matches")
    ap.add_argument("--to")
    a = ap.parse_args()
    clock_names = []
    for item in a.clock:
        regex, sep, name = item.rpartition("=")
        if not sep:
            sys.exit(f"depth: '{item}' is not REGEX=NAME")
        clock_names.append((regex, name))
    nl = Netlist(a.netlist)
    comb, start, ends, _ = classify(nl, clock_names)
    named = [n for _, n in clock_names]
    if a.frm or a.to:
        sys.exit(query(nl, comb, start, ends, a.frm or ".", a.to or "."))
    clocks = sorted({e[4] for e in ends if e[4] is not None},
                    key=lambda c: (c != a.focus, c not in named, c))
    report = [f"depth.py {a.netlist}: top {nl.top}, {len(nl.cells)} cells; levels: LUT4 1, "
              f"PFUMX/L6MUX21 0 (select 1), CCU2C 1 + {CARRY} per cell along the carry"]
    lines = []
    for clk in clocks:
        if clk not in named and not any(e[4] == clk for e in ends if e[1] != "out"):
            continue
        arr, loops = arrivals(nl, comb, start, clk)
        eps = []
        for cell, port, i, b, eclk in ends:
            if eclk not in (clk, None) or not isinstance(b, int):
                continue
            r = arr.get(b)
            if r is None:
                continue
            if eclk is None and r[0] == 0 and r[1] is None:
                continue
            eps.append((r[0], cell, port, i, b))
        if not eps:
            continue
        if clk not in named and len(eps) < 1:
            continue
        mx = max(e[0] for e in eps)
        over = [e for e in eps if e[0] > THRESH]
        line = f"DEPTH clock={clk} endpoints={len(eps)} max_levels={fmt(mx)} over{THRESH}={len(over)}"
        if loops:
            line += f" loops={loops}"
        lines.append(line)
        if clk != a.focus and clk not in named:
            continue
        report += ["", "=" * 100, line, "=" * 100]
        # by module: the endpoint register's instance
        bymod = defaultdict(list)
        regs = {}
        for lvl, cell, port, i, b in eps:
            reg = register_of(nl, cell, nl.name(b))
            key = (reg, port)
            if key not in regs or lvl > regs[key][0]:
                regs[key] = (lvl, cell, port, i, b, regs.get(key, (0, 0, 0, 0, 0, 0))[5] + 1)
            else:
                regs[key] = regs[key][:5] + (regs[key][5] + 1,)
            if lvl > THRESH:
                bymod[module_of(reg)].append(lvl)
        report.append(f"\nmodules owning endpoints over {THRESH} levels (instance: endpoints, max):")
        for m, ls in sorted(bymod.items(), key=lambda kv: (-max(kv[1]), -len(kv[1]))):
            report.append(f"  {m:50s} {len(ls):5d}  max {fmt(max(ls))}")
        ranked = sorted(regs.items(), key=lambda kv: -kv[1][0])[:a.top]
        report.append(f"\nworst {len(ranked)} endpoints (register.pin, bits counted as one), by module:")
        groups = defaultdict(list)
        order = []
        for (reg, port), v in ranked:
            m = module_of(reg)
            if m not in groups:
                order.append(m)
            groups[m].append((reg, port, v))
        for m in order:
            report.append(f"\n## {m}")
            for reg, port, (lvl, cell, p, i, b, nbits) in groups[m]:
                report.append(f"  {fmt(lvl)} levels  {reg} .{port}  ({nbits} bit{'s' if nbits > 1 else ''};"
                              f" worst: {nl.name(b)})")
                for hl, ctype, arc, hcell, net in path_of(nl, arr, b):
                    report.append(f"      {fmt(hl):>5}  {ctype:10s} {arc:12s} {rtl_of(net):45s} {net}")
    for line in lines:
        print(line)
    if a.out:
        with open(a.out, "w") as f:
            f.write("\n".join(lines + [""] + report) + "\n")
        print(f"depth: {a.out}")


if __name__ == "__main__":
    main()
