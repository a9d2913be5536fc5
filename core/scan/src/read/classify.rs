//! Per-cell evidence: clear winners and faint glyphs.

use super::line::Centre;
use super::strip::Strip;

/// Best correlation high and far above every other class.
pub(super) fn clear_winner(scores: &[f32; 37]) -> bool {
    let (mut a, mut b) = (f32::MIN, f32::MIN);
    for &v in scores {
        if v > a {
            b = a;
            a = v;
        } else if v > b {
            b = v;
        }
    }
    a > 1.0 - CLEAR_COST && a - b > CLEAR_MARGIN
}
pub(super) const CLEAR_COST: f32 = 0.12;
pub(super) const CLEAR_MARGIN: f32 = 0.1;

/// Per cell, whether its darkest ink is much fainter than the line's: the
/// 95th percentile of the ink over the cell's glyph box against the median of
/// that over the line's cells.
pub(super) fn faint_cells(
    strip: &Strip,
    cells: &[usize],
    centres: &[Centre],
    base: f32,
    cap: f32,
    wanted: &dyn Fn(usize) -> bool,
) -> Vec<bool> {
    let mut box_ink = Vec::new();
    let peaks: Vec<Option<f32>> = cells
        .windows(2)
        .zip(centres)
        .enumerate()
        .map(|(ci, (w, &(_, d, _)))| {
            let [a, b] = w else { return None };
            if !wanted(ci) {
                return None;
            }
            let (top, bottom) = ((base + d - 1.1 * cap) as i32, (base + d).ceil() as i32);
            box_ink.clear();
            for y in top..bottom {
                for x in *a..*b {
                    box_ink.push(strip.ink(x as i32, y));
                }
            }
            if box_ink.is_empty() {
                return Some(0.0);
            }
            let k = (box_ink.len() * 95 / 100).min(box_ink.len() - 1);
            Some(*box_ink.select_nth_unstable_by(k, f32::total_cmp).1)
        })
        .collect();
    let mut sorted: Vec<f32> = peaks.iter().flatten().copied().collect();
    sorted.sort_by(f32::total_cmp);
    let median = sorted.get(sorted.len() / 2).copied().unwrap_or(0.0);
    peaks
        .iter()
        .map(|p| p.is_some_and(|p| p < FAINT * median))
        .collect()
}

/// A cell whose ink peaks below this share of the line's median is faint.
pub(super) const FAINT: f32 = 0.6;
