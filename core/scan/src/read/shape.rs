//! Telling `D` from `O` by shape: in OCR-B a `D`'s straight left stem meets
//! its top and bottom strokes in square corners, and its right side is round;
//! an `O` is round on both sides. Template matching on a blurred frame sees
//! that only as a few hundredths of correlation, and no check digit covers a
//! name.

use super::heights::O_CLASS;
use super::line::Centre;
use super::strip::Strip;

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
    if cap < 4.0 {
        return None;
    }
    // The middle 30% of the glyph's height: both side strokes of `D` and
    // `O`, upright there.
    let (m0, m1) = (baseline - 0.65 * cap, baseline - 0.35 * cap);
    let column = |x: f32, y0: f32, y1: f32| {
        let n = ((y1 - y0).ceil() as usize).max(1);
        let step = (y1 - y0) / n as f32;
        (0..n)
            .map(|k| strip.ink_bilinear(x, y0 + (k as f32 + 0.5) * step))
            .sum::<f32>()
            / n as f32
    };
    // The strongest stroke on one side: (column, ink). An `O`'s sides stand
    // 0.34 capitals from its centre, a `D`'s stem 0.16 and its bow 0.26.
    let stroke = |from: f32, to: f32| {
        let n = ((to - from).abs() * 2.0).ceil().max(1.0) as usize;
        (0..=n)
            .map(|k| {
                let x = from + (to - from) * k as f32 / n as f32;
                (x, column(x, m0, m1))
            })
            .fold((from, f32::MIN), |a, b| if b.1 > a.1 { b } else { a })
    };
    let (xl, il) = stroke(cx - 0.45 * cap, cx - 0.05 * cap);
    let (xr, ir) = stroke(cx + 0.05 * cap, cx + 0.45 * cap);
    let norm = 0.5 * (il + ir);
    if il < 0.3 || ir < 0.3 {
        return None;
    }
    // Corners: from just above the capital's top to 15% below it, and the
    // same at its foot; over the stroke's width.
    let corner = |x: f32| {
        let half = 0.06 * cap;
        let top = (baseline - 1.05 * cap, baseline - 0.85 * cap);
        let foot = (baseline - 0.15 * cap, baseline + 0.05 * cap);
        [x - half, x, x + half]
            .iter()
            .map(|&x| column(x, top.0, top.1) + column(x, foot.0, foot.1))
            .sum::<f32>()
            / 6.0
    };
    Some((corner(xl) - corner(xr)) / norm)
}

/// What [`left_corners`] says, from +1 (a `D`) to -1 (an `O`). Measured on
/// 500 moderate frames of the own generator (seed 2) and the independent
/// renderer's 200 frames (seed 1): `D`s 0.46 and 0.49 in the median, 1% below
/// 0.18 and 0.24, the lowest 0.03 (a capital 8.6 rows tall); `O`s 0.00 in
/// the median, 1% above 0.17 and 0.14, the highest 0.22. Only a value beyond
/// the other letter's tail counts: between them the shape says nothing.
pub(super) fn shape_vote(f: f32) -> f32 {
    if f > D_FROM {
        ((f - D_FROM) / (D_FULL - D_FROM)).min(1.0)
    } else if f < O_FROM {
        -((O_FROM - f) / (O_FROM - O_FULL)).min(1.0)
    } else {
        0.0
    }
}
const D_FROM: f32 = 0.25;
const D_FULL: f32 = 0.4;
const O_FROM: f32 = 0.0;
const O_FULL: f32 = -0.15;
/// The most the shape moves the scores of `D` and `O` apart.
pub(super) const SHAPE_WEIGHT: f32 = 0.1;

/// Template index of `D` (see [`crate::glyphs::CLASSES`]).
pub(super) const D_CLASS: usize = 13;

/// Whether `D` and `O` lead every other class and lie close enough for the
/// shape to settle.
pub(super) fn d_or_o_in_doubt(sc: &[f32; 37]) -> bool {
    let (Some(&sd), Some(&so)) = (sc.get(D_CLASS), sc.get(O_CLASS)) else {
        return false;
    };
    let others = sc
        .iter()
        .enumerate()
        .filter(|&(k, _)| k != D_CLASS && k != O_CLASS)
        .map(|(_, &v)| v)
        .fold(f32::MIN, f32::max);
    sd.min(so) >= others && (sd - so).abs() <= 2.0 * SHAPE_WEIGHT
}

/// Moves the scores of `D` and `O` apart at every cell where they are close,
/// by the ink in the glyph's left corners against its right ones.
pub(super) fn weigh_shapes(
    scored: &mut [[f32; 37]],
    strip: &Strip,
    centres: &[Centre],
    baseline: f32,
    cap: f32,
) {
    for (sc, &(cx, d, r)) in scored.iter_mut().zip(centres) {
        if !d_or_o_in_doubt(sc) {
            continue;
        }
        let Some(f) = left_corners(strip, cx, baseline + d, cap * r.sqrt()) else {
            continue;
        };
        let z = shape_vote(f);
        if let Some(v) = sc.get_mut(D_CLASS) {
            *v += SHAPE_WEIGHT / 2.0 * z;
        }
        if let Some(v) = sc.get_mut(O_CLASS) {
            *v -= SHAPE_WEIGHT / 2.0 * z;
        }
    }
}
