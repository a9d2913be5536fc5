//! How tall a glyph stands: telling `0` from `O` by height against the
//! clearly read glyphs beside it.

use super::line::Centre;
use super::strip::Strip;
use crate::glyphs::CLASSES;

/// How tall a glyph stands above the baseline (strip rows), from the ink in
/// the middle of its cell: where the top stroke's rows reach half their peak.
/// `None` if the cell shows no top stroke.
pub(super) fn glyph_height(
    strip: &Strip,
    cx: f32,
    baseline: f32,
    cap: f32,
    pitch: f32,
) -> Option<f32> {
    // The middle 44% of the cell holds the top stroke of every round or flat
    // topped glyph and none of the sides of a `0` or an `O`.
    let (x0, x1) = (
        (cx - 0.22 * pitch).round() as i32,
        (cx + 0.22 * pitch).round() as i32,
    );
    if x1 <= x0 {
        return None;
    }
    // From well above the tallest digit down to the middle of the glyph.
    let (top, bottom) = (baseline - 1.4 * cap, baseline - 0.55 * cap);
    let rows = ((bottom - top).ceil() as usize).max(2);
    let prof: Vec<f32> = (0..rows)
        .map(|k| {
            let y = top + k as f32;
            (x0..x1)
                .map(|x| strip.ink_bilinear(x as f32, y))
                .sum::<f32>()
                / (x1 - x0) as f32
        })
        .collect();
    let peak = prof.iter().copied().fold(0.0f32, f32::max);
    // Nothing that reads as a stroke, or ink at the very top (a neighbour,
    // the line above, a smudge): no measurement.
    if peak < 0.3 || prof.first().copied().unwrap_or(1.0) > 0.25 * peak {
        return None;
    }
    let half = 0.5 * peak;
    let k = prof.iter().position(|&v| v >= half)?;
    let (a, b) = (prof.get(k.checked_sub(1)?).copied()?, prof.get(k).copied()?);
    let frac = if b - a > 1e-6 {
        (half - a) / (b - a)
    } else {
        0.5
    };
    Some(baseline - (top + k as f32 - 1.0 + frac))
}

/// How tall glyphs stand above the baseline as [`glyph_height`] measures
/// them, in units of the OCR-B font's design grid (capitals about 290): per
/// class whose top stroke lies in the middle of its cell, measured on clean
/// generated frames (the median; 1 to 3 units either way). A `0` stands
/// 24 units (8%) above an `O`: on a blurred frame that is all that tells them
/// apart, and the clearly read glyphs next to it show how tall each stands
/// there.
pub(super) const TOP_HEIGHTS: [(char, f32); 14] = [
    ('0', ZERO_HEIGHT),
    ('2', 314.0),
    ('3', 312.5),
    ('5', 312.5),
    ('7', 313.5),
    ('8', 311.5),
    ('9', 312.5),
    ('B', 289.0),
    ('E', 290.5),
    ('F', 291.0),
    ('G', 289.5),
    ('O', O_HEIGHT),
    ('P', 290.0),
    ('T', 292.0),
];
pub(super) const ZERO_HEIGHT: f32 = 313.6;
pub(super) const O_HEIGHT: f32 = 290.0;
/// Reference glyphs nearest a cell that tell the scale there, and how many
/// at least.
pub(super) const HEIGHT_NEIGHBOURS: usize = 6;
pub(super) const HEIGHT_MIN_NEIGHBOURS: usize = 3;
/// A glyph counts as a reference when it leads every other class by this.
pub(super) const HEIGHT_REF_MARGIN: f32 = 0.05;
/// The references' median deviation (relative) up to which their scale is
/// trusted fully, and from which not at all.
pub(super) const HEIGHT_MAD_FULL: f32 = 0.01;
pub(super) const HEIGHT_MAD_NONE: f32 = 0.03;
/// The most the measured height moves the scores of `0` and `O` apart.
pub(super) const HEIGHT_WEIGHT: f32 = 0.2;

/// Moves the scores of `0` and `O` apart at every cell where they are close,
/// by how tall the glyph stands against the clearly read glyphs near it.
pub(super) fn weigh_heights(scored: &mut [[f32; 37]], heights: &[Option<f32>], centres: &[Centre]) {
    let (zero, oh) = (ZERO_CLASS, O_CLASS);
    // References: (cell, rows per font unit, scaled to the mean pitch).
    let refs: Vec<(usize, f32)> = scored
        .iter()
        .enumerate()
        .filter_map(|(i, sc)| {
            let (best, lead) = best_and_lead(sc);
            let &(_, units) = TOP_HEIGHTS
                .iter()
                .find(|(c, _)| CLASSES.get(best) == Some(c))?;
            let r = centres.get(i)?.2;
            let h = (*heights.get(i)?)?;
            (lead >= HEIGHT_REF_MARGIN).then_some((i, h / (units * r.sqrt())))
        })
        .collect();
    if refs.len() < HEIGHT_MIN_NEIGHBOURS {
        return;
    }
    for (i, sc) in scored.iter_mut().enumerate() {
        if !zero_or_o_in_doubt(sc) {
            continue;
        }
        let (Some(Some(h)), Some(c)) = (heights.get(i), centres.get(i)) else {
            continue;
        };
        let mut near: Vec<(usize, f32)> = refs.iter().copied().filter(|&(k, _)| k != i).collect();
        near.sort_by_key(|&(k, _)| k.abs_diff(i));
        near.truncate(HEIGHT_NEIGHBOURS);
        if near.len() < HEIGHT_MIN_NEIGHBOURS {
            continue;
        }
        let mut units: Vec<f32> = near.iter().map(|p| p.1).collect();
        units.sort_by(f32::total_cmp);
        let mid = units.get(units.len() / 2).copied().unwrap_or(0.0);
        if mid <= 0.0 {
            continue;
        }
        // References that disagree (glare, a smudge, a misread neighbour)
        // weigh less: the spread of the `0`/`O` gap is 8%.
        let mut dev: Vec<f32> = units.iter().map(|u| (u / mid - 1.0).abs()).collect();
        dev.sort_by(f32::total_cmp);
        let mad = dev.get(dev.len() / 2).copied().unwrap_or(1.0);
        let trust =
            (1.0 - (mad - HEIGHT_MAD_FULL) / (HEIGHT_MAD_NONE - HEIGHT_MAD_FULL)).clamp(0.0, 1.0);
        let unit = mid * c.2.sqrt();
        // +1 at a `0`'s height, -1 at an `O`'s.
        let z = ((h / unit - (ZERO_HEIGHT + O_HEIGHT) / 2.0) / ((ZERO_HEIGHT - O_HEIGHT) / 2.0))
            .clamp(-1.0, 1.0)
            * trust;
        if let Some(v) = sc.get_mut(zero) {
            *v += HEIGHT_WEIGHT / 2.0 * z;
        }
        if let Some(v) = sc.get_mut(oh) {
            *v -= HEIGHT_WEIGHT / 2.0 * z;
        }
    }
}

/// Whether `0` and `O` lead every other class and lie close enough for the
/// height to settle: elsewhere the `0`/`O` choice is not what is in doubt.
pub(super) fn zero_or_o_in_doubt(sc: &[f32; 37]) -> bool {
    let (Some(&s0), Some(&so)) = (sc.get(ZERO_CLASS), sc.get(O_CLASS)) else {
        return false;
    };
    let others = sc
        .iter()
        .enumerate()
        .filter(|&(k, _)| k != ZERO_CLASS && k != O_CLASS)
        .map(|(_, &v)| v)
        .fold(f32::MIN, f32::max);
    s0.min(so) >= others && (s0 - so).abs() <= 2.0 * HEIGHT_WEIGHT
}

/// Template indices of `0` and `O` (see [`CLASSES`]).
pub(super) const ZERO_CLASS: usize = 0;
pub(super) const O_CLASS: usize = 24;

/// The best class of a cell's scores and its lead over the next.
pub(super) fn best_and_lead(sc: &[f32; 37]) -> (usize, f32) {
    let (mut bi, mut a, mut b) = (0, f32::MIN, f32::MIN);
    for (i, &v) in sc.iter().enumerate() {
        if v > a {
            b = a;
            a = v;
            bi = i;
        } else if v > b {
            b = v;
        }
    }
    (bi, a - b)
}
