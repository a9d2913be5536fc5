//! Telling look-alikes apart by shape where template matching on a blurred
//! frame sees the difference only as a few hundredths of correlation and no
//! check digit settles it: in OCR-B a `D`'s straight left stem meets its top
//! and bottom strokes in square corners (an `O` is round on both sides), and
//! a `U` is open at the top (a `0` or an `O` closed).

use super::heights::{O_CLASS, ZERO_CLASS};
use super::line::Centre;
use super::strip::Strip;

/// A glyph's cell in the strip: its ink centre `cx`, its `baseline` and
/// capital height `cap` (strip rows).
struct Cell<'a> {
    strip: &'a Strip,
    cx: f32,
    baseline: f32,
    cap: f32,
}

impl Cell<'_> {
    /// The mean ink in column `x` from row `y0` to `y1`.
    fn column(&self, x: f32, y0: f32, y1: f32) -> f32 {
        let n = ((y1 - y0).ceil() as usize).max(1);
        let step = (y1 - y0) / n as f32;
        (0..n)
            .map(|k| self.strip.ink_bilinear(x, y0 + (k as f32 + 0.5) * step))
            .sum::<f32>()
            / n as f32
    }

    /// The two side strokes across the middle 30% of the glyph's height
    /// (upright there in `D`, `O`, `0` and `U`): the columns of the
    /// strongest ink left and right of the centre, and their mean ink.
    /// `None` unless both show a stroke. An `O`'s sides stand 0.34 capitals
    /// from its centre, a `D`'s stem 0.16 and its bow 0.26.
    fn sides(&self) -> Option<(f32, f32, f32)> {
        if self.cap < 4.0 {
            return None;
        }
        let (cx, cap) = (self.cx, self.cap);
        let (m0, m1) = (self.baseline - 0.65 * cap, self.baseline - 0.35 * cap);
        let stroke = |from: f32, to: f32| {
            let n = ((to - from).abs() * 2.0).ceil().max(1.0) as usize;
            (0..=n)
                .map(|k| {
                    let x = from + (to - from) * k as f32 / n as f32;
                    (x, self.column(x, m0, m1))
                })
                .fold((from, f32::MIN), |a, b| if b.1 > a.1 { b } else { a })
        };
        let (xl, il) = stroke(cx - 0.45 * cap, cx - 0.05 * cap);
        let (xr, ir) = stroke(cx + 0.05 * cap, cx + 0.45 * cap);
        (il >= 0.3 && ir >= 0.3).then_some((xl, xr, 0.5 * (il + ir)))
    }
}

/// How much more ink a glyph's left corners hold than its right ones, over
/// the ink of its side strokes: about 0.6 for a `D` on a clean frame, 0 for
/// an `O` (symmetric, however blurred). `None` if the cell shows no two side
/// strokes.
///
/// The side strokes are the peaks of the ink across the middle rows of the
/// glyph, left and right of its ink centre `cx`; the corners are the ink in
/// those strokes' columns at the glyph's top and bottom rows (`baseline`,
/// `cap` the capital height, strip rows).
pub(super) fn left_corners(strip: &Strip, cx: f32, baseline: f32, cap: f32) -> Option<f32> {
    let cell = Cell {
        strip,
        cx,
        baseline,
        cap,
    };
    let (xl, xr, norm) = cell.sides()?;
    // Corners: from just above the capital's top to 15% below it, and the
    // same at its foot; over the stroke's width.
    let corner = |x: f32| {
        let half = 0.06 * cap;
        let top = (baseline - 1.05 * cap, baseline - 0.85 * cap);
        let foot = (baseline - 0.15 * cap, baseline + 0.05 * cap);
        [x - half, x, x + half]
            .iter()
            .map(|&x| cell.column(x, top.0, top.1) + cell.column(x, foot.0, foot.1))
            .sum::<f32>()
            / 6.0
    };
    Some((corner(xl) - corner(xr)) / norm)
}

/// How much ink closes a glyph at its top, between its side strokes, over
/// the strokes' ink: about 1 for a `0` or an `O`, 0 for a `U` (open at the
/// top). The strongest row from a little above a `0`'s top to a fifth of the
/// capital below it, over the middle fifth of the space between the strokes.
/// `None` if the cell shows no two side strokes.
pub(super) fn top_closed(strip: &Strip, cx: f32, baseline: f32, cap: f32) -> Option<f32> {
    let cell = Cell {
        strip,
        cx,
        baseline,
        cap,
    };
    let (xl, xr, norm) = cell.sides()?;
    let (mid, half) = (0.5 * (xl + xr), 0.1 * (xr - xl));
    let (y0, y1) = (baseline - 1.2 * cap, baseline - 0.8 * cap);
    let rows = ((y1 - y0).ceil() as usize).max(1);
    let peak = (0..=rows)
        .map(|k| {
            let y = y0 + (y1 - y0) * k as f32 / rows as f32;
            [mid - half, mid, mid + half]
                .iter()
                .map(|&x| strip.ink_bilinear(x, y))
                .sum::<f32>()
                / 3.0
        })
        .fold(0.0f32, f32::max);
    Some(peak / norm)
}

/// What [`left_corners`] says, from +1 (a `D`) to -1 (an `O`). Measured on
/// 500 moderate frames of the own generator (seed 2) and the independent
/// renderer's 200 frames (seed 1): `D`s 0.46 and 0.49 in the median, 1% below
/// 0.18 and 0.24, the lowest 0.03 (a capital 8.6 rows tall); `O`s 0.00 in
/// the median, 1% above 0.17 and 0.14, the highest 0.22. Only a value beyond
/// the other letter's tail counts: between them the shape says nothing.
pub(super) fn shape_vote(f: f32) -> f32 {
    vote(f, (0.25, 0.4), (0.0, -0.15))
}

/// What [`top_closed`] says, from +1 (a `0` or an `O`) to -1 (a `U`).
/// Measured as above: `0`s and `O`s 0.99 in the median, 1% below 0.72 (own
/// generator) and 0.87 (independent), the lowest 0.61; `U`s 0.08 and 0.05,
/// 1% above 0.31 and 0.17, the highest 0.55.
pub(super) fn top_vote(f: f32) -> f32 {
    vote(f, (0.6, 0.75), (0.35, 0.2))
}

/// +1 from `a.1` on (0 up to `a.0`), -1 from `b.1` on (0 down to `b.0`),
/// linear between, 0 in between the two.
fn vote(f: f32, a: (f32, f32), b: (f32, f32)) -> f32 {
    if f > a.0 {
        ((f - a.0) / (a.1 - a.0)).min(1.0)
    } else if f < b.0 {
        -((b.0 - f) / (b.0 - b.1)).min(1.0)
    } else {
        0.0
    }
}

/// The most a shape moves the scores of a pair apart.
pub(super) const SHAPE_WEIGHT: f32 = 0.1;

/// Template indices (see [`crate::glyphs::CLASSES`]).
pub(super) const D_CLASS: usize = 13;
pub(super) const U_CLASS: usize = 30;

/// A measure of a glyph's shape and what it says for the first of a pair
/// of classes (+1) against the second (-1).
type Measure = (fn(&Strip, f32, f32, f32) -> Option<f32>, fn(f32) -> f32);

/// The pairs a shape tells apart: `D` from `O` by the left corners (names
/// have no check digit), `0` and `O` from `U` by the top (a `0` and a `U`
/// differ by 30 in a check sum, so no check digit ever tells them apart).
const PAIRS: [(usize, usize, Measure); 3] = [
    (D_CLASS, O_CLASS, (left_corners, shape_vote)),
    (ZERO_CLASS, U_CLASS, (top_closed, top_vote)),
    (O_CLASS, U_CLASS, (top_closed, top_vote)),
];

/// Whether classes `a` and `b` lead every other class and lie close enough
/// for the shape to settle.
pub(super) fn pair_in_doubt(sc: &[f32; 37], a: usize, b: usize) -> bool {
    let (Some(&sa), Some(&sb)) = (sc.get(a), sc.get(b)) else {
        return false;
    };
    let others = sc
        .iter()
        .enumerate()
        .filter(|&(k, _)| k != a && k != b)
        .map(|(_, &v)| v)
        .fold(f32::MIN, f32::max);
    sa.min(sb) >= others && (sa - sb).abs() <= 2.0 * SHAPE_WEIGHT
}

/// Moves the scores of a pair of [`PAIRS`] apart at every cell where they
/// are close, by the shape that tells them apart.
pub(super) fn weigh_shapes(
    scored: &mut [[f32; 37]],
    strip: &Strip,
    centres: &[Centre],
    baseline: f32,
    cap: f32,
) {
    for (sc, &(cx, d, r)) in scored.iter_mut().zip(centres) {
        let Some(&(a, b, (measure, says))) =
            PAIRS.iter().find(|(a, b, _)| pair_in_doubt(sc, *a, *b))
        else {
            continue;
        };
        let Some(f) = measure(strip, cx, baseline + d, cap * r.sqrt()) else {
            continue;
        };
        let z = says(f);
        if let Some(v) = sc.get_mut(a) {
            *v += SHAPE_WEIGHT / 2.0 * z;
        }
        if let Some(v) = sc.get_mut(b) {
            *v -= SHAPE_WEIGHT / 2.0 * z;
        }
    }
}
