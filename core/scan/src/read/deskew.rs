//! Deskewing a strip: row profiles of column blocks, shifts chained from the
//! centre block outwards, and a Theil-Sen line through them.

use super::Miss;
use super::strip::{Strip, best_shift};

/// How a strip's lines run: at column `x` they stand `delta(x)` rows below
/// where they stand at column 0, and per column block the shift measured there
/// and how much its row profile varies (a flat block is background).
pub(super) struct Skew {
    pub(super) slope: f32,
    pub(super) icpt: f32,
    pub(super) blocks: usize,
    pub(super) block_w: usize,
    pub(super) shift: Vec<f32>,
    pub(super) energy: Vec<f32>,
    pub(super) emax: f32,
}

impl Skew {
    /// The rows the lines stand lower at column `x`.
    pub(super) fn delta(&self, x: f32) -> f32 {
        self.icpt + self.slope * x
    }

    /// Whether column block `b` follows the fitted line and holds text (not
    /// background, not a card edge).
    pub(super) fn on_text(&self, b: usize) -> bool {
        let xc = (b as f32 + 0.5) * self.block_w as f32;
        let on_fit = (self.shift.get(b).copied().unwrap_or(0.0) - self.delta(xc)).abs() < 1.5;
        on_fit && self.energy.get(b).is_some_and(|&e| e > 0.3 * self.emax)
    }
}

/// The skew of `strip`, sampled at `s` frame pixels per row, for text about
/// `cap_guess` frame pixels tall.
pub(super) fn deskew(strip: &Strip, cap_guess: f32, s: f32) -> Result<Skew, Miss> {
    let (w, h) = (strip.w, strip.h);
    // Deskew: row profiles of column blocks, chained shifts from the centre.
    let k = 12usize;
    let bw = w / k;
    if bw < 2 {
        return Err(Miss::TooSmall);
    }
    let prof: Vec<Vec<f32>> = (0..k)
        .map(|b| {
            (0..h)
                .map(|y| {
                    (b * bw..(b + 1) * bw)
                        .map(|x| strip.ink(x as i32, y as i32))
                        .sum::<f32>()
                        / bw as f32
                })
                .collect()
        })
        .collect();
    // Variance, not energy: a uniformly dark block (background beyond the card)
    // has a flat profile and says nothing about the lines.
    let energy: Vec<f32> = prof
        .iter()
        .map(|p| {
            let m = p.iter().sum::<f32>() / p.len().max(1) as f32;
            p.iter().map(|v| (v - m) * (v - m)).sum()
        })
        .collect();
    let emax = energy.iter().copied().fold(0.0, f32::max);
    let range = ((cap_guess / s) * 0.6).max(2.0) as i32;
    let mut shift = vec![0.0f32; k];
    let mid = k / 2;
    for b in (mid + 1)..k {
        let prev = shift.get(b - 1).copied().unwrap_or(0.0);
        let (d, _) = best_shift(
            prof.get(b - 1).map_or(&[][..], |v| v),
            prof.get(b).map_or(&[][..], |v| v),
            range,
        );
        if let Some(sv) = shift.get_mut(b) {
            *sv = prev + d;
        }
    }
    for b in (0..mid).rev() {
        let next = shift.get(b + 1).copied().unwrap_or(0.0);
        let (d, _) = best_shift(
            prof.get(b + 1).map_or(&[][..], |v| v),
            prof.get(b).map_or(&[][..], |v| v),
            range,
        );
        if let Some(sv) = shift.get_mut(b) {
            *sv = next + d;
        }
    }
    // Theil-Sen line fit of shift against block centre: robust to a card edge or
    // background at the strip ends.
    let pts: Vec<(f32, f32)> = (0..k)
        .filter(|&b| energy.get(b).is_some_and(|&e| e > 0.3 * emax))
        .map(|b| {
            (
                (b as f32 + 0.5) * bw as f32,
                shift.get(b).copied().unwrap_or(0.0),
            )
        })
        .collect();
    let mut slopes = Vec::with_capacity(pts.len() * pts.len() / 2);
    for (i, a) in pts.iter().enumerate() {
        for b in pts.iter().skip(i + 1) {
            if (b.0 - a.0).abs() > 1.0 {
                slopes.push((b.1 - a.1) / (b.0 - a.0));
            }
        }
    }
    let median = |v: &mut Vec<f32>| {
        v.sort_by(f32::total_cmp);
        v.get(v.len() / 2).copied().unwrap_or(0.0)
    };
    let slope = median(&mut slopes);
    let mut icpts: Vec<f32> = pts.iter().map(|p| p.1 - slope * p.0).collect();
    let icpt = median(&mut icpts);
    Ok(Skew {
        slope,
        icpt,
        blocks: k,
        block_w: bw,
        shift,
        energy,
        emax,
    })
}
