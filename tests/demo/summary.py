#!/usr/bin/env python3
"""summary.py REPORT.json TRUTH.json - what `make demo` prints at the end: the transform
dsr calibrate found against the one the follow-up was made with, the registration
quality, the lesion's contrast-to-noise ratio, and whether the board agreed with the
reference model bit for bit. Exits 1 if the report is not a successful calibration."""
import json
import math
import os
import sys


def frame_distance(a, b, w, h):
    """RMS and max over the frame of |a(x) - b(x)|: how far apart two live->reference
    transforms (JSON order a11, a12, tx, a21, a22, ty) send each pixel."""
    s, mx, n = 0.0, 0.0, 0
    step = max(1, min(w, h) // 64)
    for y in range(0, h, step):
        for x in range(0, w, step):
            du = (a[0] - b[0]) * x + (a[1] - b[1]) * y + (a[2] - b[2])
            dv = (a[3] - b[3]) * x + (a[4] - b[4]) * y + (a[5] - b[5])
            d = math.hypot(du, dv)
            s += d * d
            mx = max(mx, d)
            n += 1
    return math.sqrt(s / n), mx


def fmt(a):
    return "[%.5f %.5f %8.3f; %.5f %.5f %8.3f]" % tuple(a)


def main():
    rep = json.load(open(sys.argv[1]))
    truth = json.load(open(sys.argv[2]))
    reg = rep.get("registration", {})
    found = reg.get("affine")
    regs = reg.get("registers", {})
    w, h = regs.get("width", 0), regs.get("height", 0)
    board = rep.get("board")
    if board:
        print("  board:            %s (%s)%s" % (board["serial"], board["transport"],
                                                 ", simulated" if board["simulated"] else ""))
    print("  transform known:  %s" % fmt(truth["affine"]))
    if found:
        rms, mx = frame_distance(found, truth["affine"], w, h)
        print("  transform found:  %s" % fmt(found))
        print("  registration error over the %dx%d frame: %.3f px RMS, %.3f px max" % (w, h, rms, mx))
        print("  quality:          %.4f (ECC correlation; threshold --min-quality, default 0.50)" % reg["quality"])
        lut = reg.get("lut", {})
        print("  contrast LUT:     %s, residual %.1f grey levels RMS (exposure gain %.2f, gamma %.2f)"
              % (lut.get("method"), lut.get("residual", float("nan")), truth["exposure"]["gain"],
                 truth["exposure"]["gamma"]))
    les = rep.get("lesion")
    if les and les.get("refused"):
        print("  lesion:           not measured: %s" % les["refused"])
    elif les:
        print("  lesion:           %.0f %% mineral loss, r %.1f px at live (%.1f, %.1f): "
              "contrast-to-noise ratio %.2f" % (truth["loss"] * 100, truth["lesion"][2],
                                                les["live_xy"][0], les["live_xy"][1], les["cnr"]))
        print("                    density change %+.1f +- %.1f grey levels (%+.2f %% of the "
              "baseline), p %.2g" % tuple(float("nan") if les.get(k) is None else les[k]
                                           for k in ("change", "se", "change_pct", "p")))
    diff = rep.get("difference")
    if diff:
        print("  difference:       mean %.1f (midgrey %d), sd %.1f grey levels in field; "
              "%d pixels out of field (value 0)"
              % (diff["mean"], regs.get("midgrey", 0), diff["sd"],
                 diff.get("out_of_field_pixels", 0)))
    print("  board vs model:   %s over %d frames (%d pixels), parameter generation %s"
          % ("bit-exact" if rep.get("bit_exact") else "DIFFERENT", rep.get("frames_checked", 0),
             rep.get("pixels_checked", 0), rep.get("generation")))
    subs = [f for f in rep.get("frames", []) if f["what"] == "subtraction"]
    for f in subs:
        print("    frame seq %-4d generation %d  reference crc32 %s  pixels off %d"
              % (f["sequence"], f["generation"], f["reference_crc32"], f["pixels_differing_from_model"]))
    here = os.path.dirname(os.path.abspath(sys.argv[1]))
    if "dicom" in rep:
        print("  DICOM:            %s (study %s)" % (os.path.join(here, os.path.basename(rep["dicom"]["file"])),
                                                     rep["dicom"]["study_instance_uid"]))
    if rep.get("montage"):
        print("  montage:          %s" % os.path.join(here, os.path.basename(rep["montage"])))
    ok = rep.get("status") == "calibrated" and rep.get("bit_exact") is True
    print("  status:           %s%s" % (rep.get("status"), "" if ok else " - " + rep.get("error", "")))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
