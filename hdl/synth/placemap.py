#!/usr/bin/env python3
"""placemap.py - where each block of a placed design sits on the die, as a picture and as
numbers: nextpnr's --write JSON in, a PNG out (one colour per block, one column of pixels
per bel in a tile) and one line per block:

    PLACE block=<label> cells=<n> x=<lo>..<hi> y=<lo>..<hi>

x and y span the middle 90 % of the block's cells (5th to 95th percentile of the tile
coordinates), so one stray cell does not widen it. A cell goes to the first block whose
regular expression matches its name (re.search); cells matching none are "other" (grey).
--mark REGEX frames the tiles of the matching cells in white (e.g. a critical path's).

usage: placemap.py ROUTED.json OUT.png [--block LABEL=REGEX]... [--mark REGEX]...
Without --block, the board's blocks (dsr_board, hdl/synth/bitstream.sh) are used.
No imaging library: the PNG is written with zlib.
"""
import argparse
import json
import re
import struct
import sys
import zlib

BOARD_BLOCKS = [
    ('prefetch-walk', r'frame_store\.prefetch\.(affine|sample_addr|walk_|jobs)'),
    ('prefetch', r'frame_store\.prefetch\.'),
    ('store', r'frame_store\.'),
    ('lut', r'u_top\.lut\.'),
    ('generator', r'u_top\.(affine|g_gen_fifo)\.'),
    ('sampler', r'u_top\.(sample_addr|bilinear|subtract)\.'),
    ('input-framer', r'u_top\.(frame_in|regs|ctx_fifo|framer|credit|pixel_)'),
    ('litedram', r'g_dram\.u_dram\.'),
    ('bridge', r'u_bridge\.'),
    ('core-other', r'u_core\.'),
]
COLOURS = [(255, 150, 150), (230, 0, 0), (255, 140, 0), (40, 80, 255), (0, 170, 0),
           (0, 220, 220), (220, 0, 220), (150, 150, 150), (230, 230, 0), (255, 255, 255),
           (120, 60, 0), (0, 100, 100)]
OTHER = (70, 70, 90)
S = 7   # pixels per tile


def write_png(path, w, h, rows):
    def chunk(tag, data):
        c = struct.pack('>I', len(data)) + tag + data
        return c + struct.pack('>I', zlib.crc32(tag + data) & 0xffffffff)
    raw = b''.join(b'\x00' + bytes(v for px in row for v in px) for row in rows)
    with open(path, 'wb') as f:
        f.write(b'\x89PNG\r\n\x1a\n')
        f.write(chunk(b'IHDR', struct.pack('>IIBBBBB', w, h, 8, 2, 0, 0, 0)))
        f.write(chunk(b'IDAT', zlib.compress(raw, 9)))
        f.write(chunk(b'IEND', b''))


def span(vals):
    v = sorted(vals)
    return v[int(0.05 * (len(v) - 1))], v[int(0.95 * (len(v) - 1))]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('routed')
    ap.add_argument('png')
    ap.add_argument('--block', action='append', default=[], help='LABEL=REGEX (in order)')
    ap.add_argument('--mark', action='append', default=[], help='REGEX: frame these cells')
    a = ap.parse_args()
    blocks = BOARD_BLOCKS
    if a.block:
        blocks = []
        for b in a.block:
            if '=' not in b:
                sys.exit(f'placemap: --block {b!r}: expected LABEL=REGEX')
            blocks.append(tuple(b.split('=', 1)))
    if len(blocks) > len(COLOURS):
        sys.exit(f'placemap: at most {len(COLOURS)} blocks')
    pats = [(lab, re.compile(rx)) for lab, rx in blocks]
    marks = [re.compile(m) for m in a.mark]

    try:
        mods = json.load(open(a.routed))['modules']
    except (OSError, ValueError, KeyError) as e:
        sys.exit(f'placemap: {a.routed}: not a nextpnr --write netlist ({e})')
    if len(mods) != 1:
        sys.exit(f'placemap: {a.routed}: expected one (flattened) module, found {len(mods)}')
    cells = next(iter(mods.values()))['cells']

    placed = []   # (x, y, site, block index or -1, marked)
    for name, c in cells.items():
        m = re.match(r'X(\d+)/Y(\d+)/([\w.]+)$', c.get('attributes', {}).get('NEXTPNR_BEL', ''))
        if not m:
            continue
        k = next((i for i, (_, p) in enumerate(pats) if p.search(name)), -1)
        placed.append((int(m[1]), int(m[2]), m[3], k, any(p.search(name) for p in marks)))
    if not placed:
        sys.exit(f'placemap: {a.routed}: no placed cell (NEXTPNR_BEL) - was it written after placement?')

    w = max(p[0] for p in placed) + 2
    h = max(p[1] for p in placed) + 2
    sites = sorted({p[2] for p in placed})
    rows = [[(0, 0, 0)] * (w * S) for _ in range(h * S)]
    for x, y, site, k, _ in placed:
        col = COLOURS[k] if k >= 0 else OTHER
        px = x * S + sites.index(site) * (S - 1) // max(1, len(sites))
        for dy in range(S - 1):
            rows[y * S + dy][px] = col
    for x, y, _, _, marked in placed:
        if not marked:
            continue
        for dx in range(-2, S + 2):
            for dy in (-2, S + 1):
                yy, xx = y * S + dy, x * S + dx
                if 0 <= yy < h * S and 0 <= xx < w * S:
                    rows[yy][xx] = (255, 255, 255)
        for dy in range(-2, S + 2):
            for dx in (-2, S + 1):
                yy, xx = y * S + dy, x * S + dx
                if 0 <= yy < h * S and 0 <= xx < w * S:
                    rows[yy][xx] = (255, 255, 255)
    write_png(a.png, w * S, h * S, rows)

    for i, (lab, _) in enumerate(blocks + [('other', '')]):
        k = i if i < len(blocks) else -1
        xs = [p[0] for p in placed if p[3] == k]
        ys = [p[1] for p in placed if p[3] == k]
        if not xs:
            print(f'PLACE block={lab} cells=0')
            continue
        (x0, x1), (y0, y1) = span(xs), span(ys)
        print(f'PLACE block={lab} cells={len(xs)} x={x0}..{x1} y={y0}..{y1}')
    n_marked = sum(1 for p in placed if p[4])
    if a.mark:
        print(f'placemap: {n_marked} marked cells')
    print(f'placemap: {a.png} ({len(placed)} placed cells, over {w} x {h} tiles)')


if __name__ == '__main__':
    main()
