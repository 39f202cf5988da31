#!/usr/bin/python3
"""bench_opencv.py DIR [MODEL [BITS [DSR]]] - OpenCV's findTransformECC (MOTION_AFFINE, or
MOTION_HOMOGRAPHY for MODEL projective) on the pairs that bench_register wrote into DIR,
timed and scored the same way, then the comparison and one BENCH line. With DSR (the dsr
command) also the whole process `dsr register` on the first pair: start, decode,
register, LUT, output; CPU ms (median) and wall ms (best and median) of PROCESS_RUNS
runs, against the target (150 ms up to 1024^2, 400 ms above), with the load average
the wall times were measured under.

OpenCV gets the usual coarse-to-fine use of ECC: a Gaussian pyramid down to about
128 pixels, identity start, the estimate carried down level by level. One thread, like
dsr_register_pair. Times are CPU time of the process (one thread), as for bench_register. RMS error: the root mean square over all pixels of the distance
between where the true and the estimated transforms send each live pixel.
"""
import os
import resource
import statistics
import subprocess
import sys
import time

import cv2
import numpy as np


def rms_error(a, b, w, h):
    """RMS over the frame of |a(x) - b(x)| for 3x3 homographies (live -> reference)."""
    ys, xs = np.mgrid[0:h:8, 0:w:8]
    pts = np.stack([xs.ravel(), ys.ravel(), np.ones(xs.size)])
    pa, pb = a @ pts, b @ pts
    d = pa[:2] / pa[2] - pb[:2] / pb[2]
    return float(np.sqrt(np.mean(np.sum(d * d, axis=0))))


def opencv_pyramid_ecc(ref, live, motion):
    """ECC from the coarsest level (<= 128 px) to full size; warp maps live -> ref."""
    levels = [(live, ref)]
    while max(levels[-1][0].shape) > 128:
        l, r = levels[-1]
        levels.append((cv2.pyrDown(l), cv2.pyrDown(r)))
    warp = np.eye(3 if motion == cv2.MOTION_HOMOGRAPHY else 2, 3, dtype=np.float32)
    crit = (cv2.TERM_CRITERIA_EPS | cv2.TERM_CRITERIA_COUNT, 100, 1e-5)
    for i in range(len(levels) - 1, -1, -1):
        l, r = levels[i]
        if i < len(levels) - 1:
            warp[:2, 2] *= 2  # pyrDown halves coordinates (centres at 2X)
            if motion == cv2.MOTION_HOMOGRAPHY:
                warp[2, :2] /= 2
        _, warp = cv2.findTransformECC(l, r, warp, motion, crit, None, 5)
    if warp.shape[0] == 2:
        warp = np.vstack([warp, [0, 0, 1]])
    return warp


PROCESS_RUNS = 5


def whole_process(dsr, d):
    """`dsr register` as a whole process on pair 0 (the default model, auto), run
    PROCESS_RUNS times after one unmeasured run (files in the page cache): the median CPU
    ms (all threads), the best and the median wall ms. The best wall time is the one
    least inflated by other jobs on a shared machine."""
    cmd = [dsr, "register", f"{d}/ref_000.pgm", f"{d}/live_000.pgm", "--json", "-q"]
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    cpus, walls = [], []
    for _ in range(PROCESS_RUNS):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.monotonic()
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
        walls.append(1e3 * (time.monotonic() - t0))
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(1e3 * ((after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)))
    return statistics.median(cpus), min(walls), statistics.median(walls)


def main():
    d = sys.argv[1]
    model = sys.argv[2] if len(sys.argv) > 2 else "affine"
    full = float((1 << int(sys.argv[3])) - 1) if len(sys.argv) > 3 else 4095.0
    dsr = sys.argv[4] if len(sys.argv) > 4 else None
    motion = cv2.MOTION_HOMOGRAPHY if model == "projective" else cv2.MOTION_AFFINE
    mname = "MOTION_HOMOGRAPHY" if model == "projective" else "MOTION_AFFINE"
    cv2.setNumThreads(1)
    truth = {}
    for line in open(f"{d}/truth.txt"):
        k, *v = line.split()
        truth[int(k)] = np.array([float(x) for x in v]).reshape(3, 3)
    ours = {}
    for line in open(f"{d}/dsr.txt"):
        k, ms, rms, ok, _wall, proj = line.split()
        ours[int(k)] = (float(ms), float(rms), int(ok), int(proj))
    times, errs, ok = [], [], 0
    first = True
    for k in sorted(truth):
        ref = cv2.imread(f"{d}/ref_{k:03d}.pgm", cv2.IMREAD_UNCHANGED).astype(np.float32) / full
        live = cv2.imread(f"{d}/live_{k:03d}.pgm", cv2.IMREAD_UNCHANGED).astype(np.float32) / full
        h, w = live.shape
        if first:  # warm-up, as for dsr
            try:
                opencv_pyramid_ecc(ref, live, motion)
            except cv2.error:
                pass
            first = False
        t0 = time.process_time()
        try:
            warp = opencv_pyramid_ecc(ref, live, motion).astype(np.float64)
            e = rms_error(truth[k], warp, w, h)
        except cv2.error:
            e = float("inf")  # OpenCV raises when ECC does not converge
        times.append(1e3 * (time.process_time() - t0))
        errs.append(e)
        ok += e < 1
        if sys.stderr.isatty():
            print(f"\ropencv: pair {k + 1}/{len(truth)}  {times[-1]:.0f} ms  rms {e:.4f} px   ",
                  end="", file=sys.stderr, flush=True)
    if sys.stderr.isatty():
        print(file=sys.stderr)
    n = len(times)
    our_ms = statistics.median(v[0] for v in ours.values())
    our_err = statistics.median(v[1] for v in ours.values())
    our_ok = sum(v[2] for v in ours.values())
    cv_ms = statistics.median(times)
    cv_err = statistics.median(errs)
    print(f"opencv findTransformECC {mname} (pyramid, 1 thread): median {cv_ms:.1f} CPU ms/pair "
          f"(min {min(times):.1f}, max {max(times):.1f}); RMS error median {cv_err:.4f} px, "
          f"max {max(errs):.4f} px; success {ok}/{n}")
    print()
    print(f"{'':24s} {'CPU ms':>10s} {'median RMS px':>14s} {'success':>8s}")
    print(f"{'dsr_register_pair':24s} {our_ms:10.1f} {our_err:14.4f} {our_ok:5d}/{n}")
    print(f"{'cv2.findTransformECC':24s} {cv_ms:10.1f} {cv_err:14.4f} {ok:5d}/{n}")
    print(f"speed ratio (OpenCV time / dsr time): {cv_ms / our_ms:.2f}x")
    if cv_err > 0 and np.isfinite(cv_err):
        print(f"accuracy ratio (OpenCV median RMS / dsr median RMS): {cv_err / our_err:.2f}x")
    h, w = live.shape
    line = (f"BENCH register {w}x{h} {model} dsr_ms={our_ms:.1f} opencv_{mname.lower()}_ms="
            f"{cv_ms:.1f} ratio={cv_ms / our_ms:.2f} dsr_rms={our_err:.4f} "
            f"opencv_rms={cv_err:.4f} dsr_chose_projective={sum(v[3] for v in ours.values())}/{n}")
    if dsr:
        cpu, wall, wall_med = whole_process(dsr, d)
        target = 150 if w * h <= 1024 * 1024 else 400
        line += (f" process_cpu_ms={cpu:.0f} process_wall_ms={wall:.0f}"
                 f" process_wall_median_ms={wall_med:.0f} process_target_ms={target}"
                 f" load={os.getloadavg()[0]:.1f}")
    print(line)


if __name__ == "__main__":
    main()
