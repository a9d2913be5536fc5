"""Unit tests of render.py (run by run.sh before it renders):

    python -m unittest discover -s tools/scan-eval/independent
"""

import math
import random
import unittest

import render


def frame_points(size, box, pose):
    """The corners of `box` on the page where `pose` puts them in the frame."""
    pw, ph = size
    a, b, c, d, e, f, g, h = render.perspective_coeffs(
        render.page_corners(size, pose), [(0, 0), (pw, 0), (pw, ph), (0, ph)])
    pts = []
    for x, y in [(box[0], box[1]), (box[2], box[1]), (box[2], box[3]), (box[0], box[3])]:
        z = g * x + h * y + 1
        pts.append(((a * x + b * y + c) / z, (d * x + e * y + f) / z))
    return pts


def inside(pts):
    return all(-0.5 <= x <= render.W + 0.5 and -0.5 <= y <= render.H + 0.5 for x, y in pts)


class KeepInFrame(unittest.TestCase):
    def test_mrz_of_a_page_larger_than_the_frame_is_brought_inside(self):
        # A TD3 page at 90% of the frame's width is taller than the frame:
        # centred, its MRZ (at the page's bottom) runs off the bottom edge.
        rng = random.Random(7)
        mrz = render.td3(rng)
        page, box = render.document(rng, mrz, 0.9 * render.W / 125.0 * 2.54)
        pose = [render.W / 2 + 70, render.H / 2 + 35, page.size[0], math.radians(4.5), 0.05]
        self.assertFalse(inside(frame_points(page.size, box, pose)))
        kept = render.keep_in_frame(page.size, box, pose)
        self.assertTrue(inside(frame_points(page.size, box, kept)))
        # Only moved: same size, angle and tilt.
        self.assertEqual(kept[2:], pose[2:])

    def test_box_has_a_margin_of_one_character_height(self):
        rng = random.Random(3)
        mrz = render.td1(rng)
        pitch = 20.0
        page, box = render.document(rng, mrz, pitch)
        font, _ = render.font_for(pitch)
        glyph = font.getbbox("0")
        self.assertGreater(box[3] - box[1], len(mrz) * (glyph[3] - glyph[1]) + 2 * (glyph[3] - glyph[1]) - 1)
        self.assertLessEqual(box[3], page.size[1] + glyph[3] - glyph[1])

    def test_a_pose_already_inside_is_kept(self):
        rng = random.Random(5)
        mrz = render.td3(rng)
        page, box = render.document(rng, mrz, 0.6 * render.W / 125.0 * 2.54)
        pose = [render.W / 2, render.H / 2, page.size[0], math.radians(1.0), 0.0]
        self.assertEqual(render.keep_in_frame(page.size, box, pose), pose)

    def test_page_without_mrz_is_not_moved(self):
        pose = [render.W / 2, render.H / 2, 900, 0.0, 0.0]
        self.assertEqual(render.keep_in_frame((900, 600), None, pose), pose)


if __name__ == "__main__":
    unittest.main()
