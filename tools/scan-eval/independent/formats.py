"""Stored test images of the visa formats (MRV-A: 2 x 44, MRV-B: 2 x 36),
drawn by the independent renderer (render.py: Pillow and Debian's
fonts-ocr-b), for core/scan/tests/images. Real visa images under a licence
that lets us keep them are scarce; these are ours.

    formats.py OUT_DIR [--seed S]

Writes OUT_DIR/mrva-independent.jpg and OUT_DIR/mrvb-independent.jpg
(1280x720 camera frames, moderate degradations) and prints each MRZ.
"""

import argparse
import math
import random
from pathlib import Path

from render import background, check_digit, date, docnum, document, frame, keep_in_frame, names, pad, STATES, W, H


def visa(rng, chars):
    """A visa's MRZ of `chars` characters a line (44: MRV-A, 36: MRV-B): no
    composite check digit, optional data where no check digit reaches."""
    state, nat = rng.choice(STATES), rng.choice(STATES)
    num, birth, expiry = docnum(rng), date(rng, 1940, 2005), date(rng, 2025, 2035)
    head = num + check_digit(num) + nat + birth + check_digit(birth) + rng.choice("MF<")
    head += expiry + check_digit(expiry)
    opt = "".join(rng.choice("0123456789ABCDEFGHJKLMNPRSTVWXYZ") for _ in range(6))
    return [pad("V<" + state + names(rng, chars - 5), chars), pad(head + opt, chars)]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=7)
    a = ap.parse_args()
    rng = random.Random(a.seed)
    out = Path(a.out)
    for name, chars in [("mrva-independent.jpg", 44), ("mrvb-independent.jpg", 36)]:
        mrz = visa(rng, chars)
        page_mm = 125.0 if chars == 44 else 105.0
        page, box = document(rng, mrz, 0.7 * W / page_mm * 2.54)
        pose = [W / 2, H / 2, page.size[0], math.radians(rng.uniform(-4, 4)), rng.uniform(-0.04, 0.04)]
        img = frame(rng, page, background(rng), keep_in_frame(page.size, box, pose))
        img.save(out / name, quality=80)
        print(name, "|".join(mrz))


if __name__ == "__main__":
    main()
