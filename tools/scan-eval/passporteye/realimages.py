"""PassportEye (PyPI, with tesseract) on the real images of `realimages`,
scored the same way: an image counts as exact when PassportEye's MRZ lines
equal the truth file's and it calls them valid; accepted wrong when it calls
a different MRZ valid; a false detection when it finds a valid MRZ in an
image without one. PassportEye mends characters in its parsed fields, not in
its lines, so a second count is kinder to it: valid, with the document
number and both dates (the chip's access key) equal to the truth's.

    realimages.py --dir DIR --truth FILE
"""

import argparse
import statistics
import sys
import time
from pathlib import Path


def load_truth(path):
    rows = []
    for line in Path(path).read_text().splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        cols = line.split("\t")
        kind = cols[1]
        lines = cols[2].split("|") if kind not in ("none", "skip") else []
        rows.append((cols[0], kind, lines))
    return rows


def key_fields(kind, lines):
    """Document number, birth date, expiry date of an MRZ given as lines."""
    if kind == "td1":
        return lines[0][5:14].strip("<"), lines[1][0:6], lines[1][8:14]
    return lines[1][0:9].strip("<"), lines[1][13:19], lines[1][21:27]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dir", required=True)
    ap.add_argument("--truth", required=True)
    a = ap.parse_args()
    from passporteye import read_mrz
    from passporteye.mrz.text import MRZOCRCleaner

    exact = standard = wrong = false_det = negatives = key_right = 0
    times = []
    print("| image | format | PassportEye | ms |\n|---|---|---|---|")
    for name, kind, truth in load_truth(a.truth):
        if kind == "skip":
            continue
        path = Path(a.dir) / name
        t = time.perf_counter()
        mrz = read_mrz(str(path))
        ms = (time.perf_counter() - t) * 1e3
        times.append(ms)
        lines, valid, key = None, False, None
        if mrz is not None:
            d = mrz.to_dict()
            key = (d.get("number", "").strip("<"), d.get("date_of_birth"), d.get("expiration_date"))
            lines = list(MRZOCRCleaner.apply(mrz.aux.get("raw_text", "")))
            valid = bool(mrz.valid)
        if kind == "none":
            negatives += 1
            false_det += valid
            outcome = "false detection" if valid else "none"
        else:
            standard += 1
            key_right += valid and key == key_fields(kind, truth)
            if lines == truth and valid:
                exact += 1
                outcome = "exact"
            elif valid:
                wrong += 1
                outcome = "WRONG"
            elif lines == truth:
                outcome = "read right, not valid"
            else:
                outcome = "not read" if lines is None else "misread"
        if outcome == "WRONG" and key == key_fields(kind, truth):
            outcome = "valid, lines differ, key fields right"
        print(f"| {name} | {kind} | {outcome} | {ms:.0f} |")
        sys.stdout.flush()
    print(
        f"\nPassportEye: standard MRZs read exactly: {exact}/{standard}"
        f" ({100.0 * exact / max(standard, 1):.1f}%); valid with the key fields right:"
        f" {key_right}/{standard}; lines accepted wrong: {wrong};"
        f" false detections: {false_det}/{negatives};"
        f" median {statistics.median(times):.0f} ms"
    )


if __name__ == "__main__":
    main()
