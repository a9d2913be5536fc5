"""An independent renderer of benchmark camera frames, sharing nothing with the
scanner's own generator (core/scan/src/synth) but the OCR-B design: FreeType
through Pillow rasterises Debian's fonts-ocr-b, and the page, pose and
degradations are drawn here with their own models.

    render.py --out DIR [--bursts N] [--negatives M] [--seed S]

Writes DIR/*.jpg (1280x720) and DIR/labels.tsv: FILE<TAB>BURST<TAB>MRZ lines
joined by | (`none` for a frame without a document). Each burst is one
document held in front of the camera for 5 frames: the pose drifts a little,
the blur, noise and exposure change from frame to frame. The pose keeps the
whole MRZ, with a margin of one character height, inside the frame.
"""

import argparse
import math
import random
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter, ImageFont

FONT = "/usr/share/fonts/opentype/ocr-b/OCRB.otf"
W, H = 1280, 720
FRAMES_PER_BURST = 5
STATES = ["NOR", "SWE", "DNK", "FIN", "DEU", "FRA", "GBR", "USA", "NLD", "POL", "ESP", "ITA", "CAN"]
NAMES = ["OLSEN", "HANSEN", "JOHANSEN", "NILSEN", "BERG", "HAUGEN", "DAHL", "LIE", "MOE",
         "ANNA", "INGRID", "KARI", "OLA", "PER", "LARS", "SIGRID", "EMMA", "NORA", "JONAS",
         "MUSTERMANN", "ERIKSSON", "KOWALSKA", "DUBOIS", "SMITH", "GARCIA", "ROSSI"]
ALNUM = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def check_digit(s):
    total = 0
    for i, c in enumerate(s):
        v = int(c) if c.isdigit() else (ord(c) - 55 if c.isalpha() else 0)
        total += v * (7, 3, 1)[i % 3]
    return str(total % 10)


def pad(s, n):
    return (s + "<" * n)[:n]


def date(rng, y0, y1):
    return f"{rng.randint(y0, y1) % 100:02d}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"


def names(rng, n):
    sur = "<".join(rng.choice(NAMES) for _ in range(rng.randint(1, 2)))
    given = "<".join(rng.choice(NAMES) for _ in range(rng.randint(1, 2)))
    return pad(f"{sur}<<{given}", n)


def docnum(rng):
    # Letters and digits, as real document numbers mix them.
    return "".join(rng.choice(ALNUM if i < 2 else "0123456789") for i in range(9))


def td3(rng):
    state, nat = rng.choice(STATES), rng.choice(STATES)
    num, birth, expiry = docnum(rng), date(rng, 1940, 2005), date(rng, 2025, 2035)
    opt = pad("".join(rng.choice("0123456789") for _ in range(rng.choice([0, 0, 11]))), 14)
    opt_cd = check_digit(opt) if opt.strip("<") else "<"
    head = num + check_digit(num) + nat + birth + check_digit(birth) + rng.choice("MF<")
    head += expiry + check_digit(expiry) + opt + opt_cd
    comp = head[0:10] + head[13:20] + head[21:43]
    return [pad("P<" + state + names(rng, 39), 44), head + check_digit(comp)]


def td1(rng):
    state, nat = rng.choice(STATES), rng.choice(STATES)
    num, birth, expiry = docnum(rng), date(rng, 1940, 2005), date(rng, 2025, 2035)
    l1 = pad("I<" + state + num + check_digit(num), 30)
    l2 = birth + check_digit(birth) + rng.choice("MF<") + expiry + check_digit(expiry) + nat
    l2 = pad(l2, 29)
    comp = l1[5:30] + l2[0:7] + l2[8:15] + l2[18:29]
    return [l1, l2 + check_digit(comp), names(rng, 30)]


def font_for(pitch):
    """The OCR-B size whose advance is `pitch` pixels."""
    size = pitch / ImageFont.truetype(FONT, 100).getlength("0") * 100
    return ImageFont.truetype(FONT, max(6, round(size))), max(6, round(size))


def document(rng, mrz, pitch):
    """The document's page, upright, with its MRZ (or none) at the bottom:
    ICAO sizes, a TD3 page 125 mm wide and a TD1 card 85.6 mm, characters
    2.54 mm apart. Returns the page and the MRZ's box on it (x0, y0, x1, y1;
    None without an MRZ) grown by one character height on every side."""
    font, font_px = font_for(pitch)
    pitch = font.getlength("0")
    chars = len(mrz[0]) if mrz else 44
    page_mm = 125.0 if chars == 44 else 85.6
    pw = int(pitch * page_mm / 2.54)
    margin = (pw - pitch * chars) / 2 * rng.uniform(0.8, 1.2)
    ph = int(pw * (0.70 if chars == 44 else 0.63))
    paper = rng.randint(185, 245)
    page = Image.new("L", (pw, ph), paper)
    d = ImageDraw.Draw(page)
    # Security print: faint waves over the whole page.
    tint = paper - rng.randint(8, 30)
    for k in range(rng.randint(10, 30)):
        y0, amp, per = rng.uniform(0, ph), rng.uniform(3, 25), rng.uniform(40, 200)
        pts = [(x, y0 + amp * math.sin(x / per * 6.28 + k)) for x in range(0, pw, 4)]
        d.line(pts, fill=tint, width=1)
    ink = rng.randint(10, 70)
    # A portrait and printed fields.
    margin = int(margin)
    d.rectangle([margin, margin, margin + pw // 4, margin + int(ph * 0.5)], fill=rng.randint(60, 160))
    small = ImageFont.truetype(FONT, max(8, font_px * 2 // 3))
    y = margin
    while y < ph * 0.55:
        text = "".join(rng.choice(ALNUM + "  ") for _ in range(rng.randint(4, 18)))
        d.text((margin + pw // 4 + pitch * 2, y), text, fill=ink, font=small)
        y += font_px * 1.6
    box = None
    if mrz:
        line_gap = font_px * rng.uniform(1.35, 1.6)
        y = ph - margin * 0.6 - line_gap * len(mrz)
        boxes = []
        for line in mrz:
            d.text((margin, y), line, fill=ink, font=font)
            boxes.append(d.textbbox((margin, y), line, font=font))
            y += line_gap
        glyph = font.getbbox("0")
        char_h = glyph[3] - glyph[1]
        box = (min(b[0] for b in boxes) - char_h, min(b[1] for b in boxes) - char_h,
               max(b[2] for b in boxes) + char_h, max(b[3] for b in boxes) + char_h)
    return page, box


def perspective_coeffs(src, dst):
    """Pillow's PERSPECTIVE coefficients mapping output points `dst` to input
    points `src` (solved by Gaussian elimination, no numpy)."""
    a, b = [], []
    for (x, y), (u, v) in zip(dst, src):
        a.append([x, y, 1, 0, 0, 0, -u * x, -u * y])
        b.append(u)
        a.append([0, 0, 0, x, y, 1, -v * x, -v * y])
        b.append(v)
    n = 8
    m = [row[:] + [rhs] for row, rhs in zip(a, b)]
    for i in range(n):
        p = max(range(i, n), key=lambda r: abs(m[r][i]))
        m[i], m[p] = m[p], m[i]
        for r in range(n):
            if r != i:
                f = m[r][i] / m[i][i]
                m[r] = [x - f * y for x, y in zip(m[r], m[i])]
    return [m[i][n] / m[i][i] for i in range(n)]


def background(rng):
    base = rng.randint(30, 150)
    bg = Image.new("L", (W, H), base)
    d = ImageDraw.Draw(bg)
    for _ in range(rng.randint(3, 10)):
        x, y = rng.randint(0, W), rng.randint(0, H)
        d.rectangle([x, y, x + rng.randint(50, 500), y + rng.randint(50, 300)],
                    fill=max(0, min(255, base + rng.randint(-40, 40))))
    return bg.filter(ImageFilter.GaussianBlur(3))


def page_corners(size, pose):
    """Where `pose` (centre, width, angle, tilt) puts the corners of a page of
    `size` in the frame."""
    cx, cy, width, angle, tilt = pose
    pw, ph = size
    s = width / pw
    hw, hh = width / 2, ph * s / 2
    corners = []
    for (x, y), k in zip([(-hw, -hh), (hw, -hh), (hw, hh), (-hw, hh)], [1 - tilt, 1 + tilt, 1 + tilt, 1 - tilt]):
        x, y = x * k, y * (1 + (k - 1) / 2)
        ca, sa = math.cos(angle), math.sin(angle)
        corners.append((cx + x * ca - y * sa, cy + x * sa + y * ca))
    return corners


def keep_in_frame(size, box, pose):
    """`pose` moved (and if need be shrunk) so that `box` on the page lies
    inside the frame: a user holds the page so that the MRZ is seen whole
    (the scanner answers `move_away` otherwise). The page itself may run off
    the frame."""
    if box is None:
        return pose
    pw, ph = size
    pose = list(pose)
    for _ in range(20):
        to_frame = perspective_coeffs(page_corners(size, pose), [(0, 0), (pw, 0), (pw, ph), (0, ph)])
        a, b, c, d, e, f, g, h = to_frame
        pts = []
        for x, y in [(box[0], box[1]), (box[2], box[1]), (box[2], box[3]), (box[0], box[3])]:
            z = g * x + h * y + 1
            pts.append(((a * x + b * y + c) / z, (d * x + e * y + f) / z))
        x0, x1 = min(p[0] for p in pts), max(p[0] for p in pts)
        y0, y1 = min(p[1] for p in pts), max(p[1] for p in pts)
        if x1 - x0 > W or y1 - y0 > H:
            pose[2] *= 0.97 * min(W / (x1 - x0), H / (y1 - y0), 1.0)
            continue
        dx = max(0.0, -x0) - max(0.0, x1 - W)
        dy = max(0.0, -y0) - max(0.0, y1 - H)
        if abs(dx) < 0.5 and abs(dy) < 0.5:
            break
        pose[0] += dx
        pose[1] += dy
    return pose


def frame(rng, page, bg, pose):
    """The page placed on `bg` by `pose` (centre, width, angle, tilt), then
    the camera: blur, uneven light, noise."""
    pw, ph = page.size
    corners = page_corners(page.size, pose)
    coeffs = perspective_coeffs([(0, 0), (pw, 0), (pw, ph), (0, ph)], corners)
    warped = page.transform((W, H), Image.Transform.PERSPECTIVE, coeffs, Image.Resampling.BICUBIC, fillcolor=0)
    mask = Image.new("L", page.size, 255).transform((W, H), Image.Transform.PERSPECTIVE, coeffs,
                                                     Image.Resampling.BILINEAR, fillcolor=0)
    out = bg.copy()
    out.paste(warped, (0, 0), mask)
    out = out.filter(ImageFilter.GaussianBlur(rng.uniform(0.2, 1.4)))
    # Light falling off across the frame, and sensor noise.
    gain_l, gain_r = rng.uniform(0.75, 1.1), rng.uniform(0.75, 1.1)
    ramp = Image.linear_gradient("L").rotate(90, expand=True).resize((W, H))
    lo, hi = int(255 * min(gain_l, gain_r) / 1.1), 255
    light = ramp.point(lambda v: lo + (hi - lo) * v // 255)
    if gain_l > gain_r:
        light = light.transpose(Image.Transpose.FLIP_LEFT_RIGHT)
    out = Image.composite(out, Image.new("L", (W, H), 0), light)
    noise = Image.effect_noise((W, H), rng.uniform(4, 12))
    out = Image.blend(out, noise, rng.uniform(0.03, 0.08))
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--bursts", type=int, default=40)
    ap.add_argument("--negatives", type=int, default=20)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    rng = random.Random(a.seed)
    out = Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    labels = []
    for b in range(a.bursts):
        mrz = td3(rng) if rng.random() < 0.7 else td1(rng)
        # The document across 50-90% of the frame's width.
        frac = rng.uniform(0.5, 0.9)
        page_mm = 125.0 if len(mrz[0]) == 44 else 85.6
        page, box = document(rng, mrz, frac * W / page_mm * 2.54)
        bg = background(rng)
        width = page.size[0]
        pose = [W / 2 + rng.uniform(-80, 80), H / 2 + rng.uniform(-40, 40), width,
                math.radians(rng.uniform(-5, 5)), rng.uniform(-0.06, 0.06)]
        for f in range(FRAMES_PER_BURST):
            jitter = [pose[0] + rng.uniform(-6, 6), pose[1] + rng.uniform(-6, 6),
                      pose[2] * rng.uniform(0.98, 1.02), pose[3] + math.radians(rng.uniform(-0.5, 0.5)), pose[4]]
            img = frame(rng, page, bg, keep_in_frame(page.size, box, jitter))
            name = f"b{b:04d}-f{f}.jpg"
            img.save(out / name, quality=rng.randint(55, 90))
            labels.append(f"{name}\t{b}\t{'|'.join(mrz)}")
    for n in range(a.negatives):
        bg = background(rng)
        if n % 2 == 0:
            img = bg.filter(ImageFilter.GaussianBlur(rng.uniform(0.3, 1.2)))
        else:
            page, _ = document(rng, None, rng.uniform(0.5, 0.9) * W / 125.0 * 2.54)
            img = frame(rng, page, bg, [W / 2, H / 2, page.size[0], math.radians(rng.uniform(-5, 5)), 0.0])
        name = f"neg{n:04d}.jpg"
        img.save(out / name, quality=rng.randint(55, 90))
        labels.append(f"{name}\t-\tnone")
    (out / "labels.tsv").write_text("\n".join(labels) + "\n")
    print(f"{len(labels)} frames in {out}")


if __name__ == "__main__":
    main()
