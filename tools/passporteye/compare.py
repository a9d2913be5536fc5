"""Runs PassportEye on labelled frames (timing each) and prints, per level, both
tools' exact-read rate, wrong-but-valid count and median/p95 milliseconds.

Called by compare.sh; needs the passporteye package and tesseract on PATH.
"""

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path


def pct(values, q):
    if not values:
        return 0.0
    s = sorted(values)
    return s[round((len(s) - 1) * q)]


def run_passporteye(frames, labels, cache):
    """One result per file: cleaned lines, validity, milliseconds. Cached, as
    PassportEye needs about a second per frame."""
    from passporteye import read_mrz
    from passporteye.mrz.text import MRZOCRCleaner

    done = {}
    if cache.exists():
        for line in cache.read_text().splitlines():
            r = json.loads(line)
            done[r["file"]] = r
    with cache.open("a") as out:
        for i, label in enumerate(labels):
            f = label["file"]
            if f in done:
                continue
            t = time.perf_counter()
            mrz = read_mrz(str(frames / f))
            ms = (time.perf_counter() - t) * 1e3
            lines, valid = None, False
            if mrz is not None:
                raw = mrz.aux.get("raw_text", "")
                lines = list(MRZOCRCleaner.apply(raw))
                valid = bool(mrz.valid)
            r = {"file": f, "lines": lines, "valid": valid, "ms": ms}
            done[f] = r
            out.write(json.dumps(r) + "\n")
            out.flush()
            print(f"passporteye {i + 1}/{len(labels)} {f} {ms:.0f} ms", file=sys.stderr)
    return done


def load_ours(path):
    out = {}
    for line in Path(path).read_text().splitlines():
        if line.strip():
            r = json.loads(line)
            out[os.path.basename(r["image"])] = {
                "lines": r.get("lines") or None,
                "valid": bool(r.get("valid")),
                "ms": r.get("ms", 0.0),
            }
    return out


def summarise(labels, results):
    rows = {}
    for label in labels:
        r = results.get(label["file"])
        row = rows.setdefault(label["level"], {"n": 0, "exact": 0, "wrong_valid": 0, "ms": []})
        row["n"] += 1
        if r is None:
            continue
        row["ms"].append(r["ms"])
        exact = r["lines"] == label["truth"]
        row["exact"] += exact
        row["wrong_valid"] += r["valid"] and not exact
    return rows


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--frames", required=True, type=Path)
    ap.add_argument("--ours", required=True)
    ap.add_argument("--cache", required=True, type=Path)
    a = ap.parse_args()
    labels = json.loads((a.frames / "labels.json").read_text())
    ours = summarise(labels, load_ours(a.ours))
    theirs = summarise(labels, run_passporteye(a.frames, labels, a.cache))
    print(
        "| level | frames | tool | exact reads | wrong-but-valid | median ms | p95 ms |\n"
        "|---|---|---|---|---|---|---|"
    )
    for level in dict.fromkeys(l["level"] for l in labels):
        for name, rows in (("aktiver", ours), ("PassportEye", theirs)):
            r = rows[level]
            print(
                f"| {level} | {r['n']} | {name} | {100 * r['exact'] / max(r['n'], 1):.1f}% "
                f"| {r['wrong_valid']} | {statistics.median(r['ms']) if r['ms'] else 0:.1f} "
                f"| {pct(r['ms'], 0.95):.1f} |"
            )


if __name__ == "__main__":
    main()
