//! Deskewing a strip: row profiles of column blocks, shifts chained from the
//! centre block outwards, and a Theil-Sen line through them, bowed where the
//! page or the lens bends the lines.

use super::Miss;
use super::bands::TEXTURE_GAIN;
use super::strip::{Strip, best_shift};

/// How a strip's lines run: at column `x` they stand `delta(x)` rows below
/// where they stand at column 0, and per column block the shift measured there
/// and how much its row profile varies (a flat block is background).
pub(super) struct Skew {
    pub(super) slope: f32,
    pub(super) icpt: f32,
    /// The bow: a second-order term about column `xm`, the middle of the
    /// blocks fitted. A passport page bulges by its binding, and a phone's
    /// lens bends lines near the frame's edge.
    pub(super) curve: f32,
    pub(super) xm: f32,
    pub(super) blocks: usize,
    pub(super) block_w: usize,
    pub(super) shift: Vec<f32>,
    pub(super) energy: Vec<f32>,
    pub(super) emax: f32,
}

impl Skew {
    /// The rows the lines stand lower at column `x`.
    pub(super) fn delta(&self, x: f32) -> f32 {
        let u = x - self.xm;
        self.icpt + self.slope * x + self.curve * u * u
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
/// `cap_guess` frame pixels tall. `by_texture`: each row's ink is capped by
/// its texture (see below), for a strip whose plain ink misled the skew.
pub(super) fn deskew(
    strip: &Strip,
    cap_guess: f32,
    s: f32,
    by_texture: bool,
) -> Result<Skew, Miss> {
    let (w, h) = (strip.w, strip.h);
    // Deskew: row profiles of column blocks, chained shifts from the centre.
    let k = 12usize;
    let bw = w / k;
    if bw < 2 {
        return Err(Miss::TooSmall);
    }
    // By texture, each row's ink is capped by it, as in the bands' row profile:
    // a straight edge (of a card or a page, a rule, a frame drawn around the
    // MRZ) is dark but flat along the row, and would pull the skew to its own.
    let prof: Vec<Vec<f32>> = (0..k)
        .map(|b| {
            (0..h)
                .map(|y| {
                    let (mut ink, mut texture) = (0.0f32, 0.0f32);
                    for x in b * bw..(b + 1) * bw {
                        let v = strip.ink(x as i32, y as i32);
                        ink += v;
                        texture += (v - strip.ink(x as i32 - 2, y as i32)).abs();
                    }
                    if by_texture {
                        ink.min(TEXTURE_GAIN * texture) / bw as f32
                    } else {
                        ink / bw as f32
                    }
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
    // Theil-Sen fit of shift against block centre: robust to a card edge or
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
    let line = fit_line(&pts, MIN_BOW * cap_guess / s);
    Ok(Skew {
        slope: line.slope,
        icpt: line.icpt,
        curve: line.curve,
        xm: line.xm,
        blocks: k,
        block_w: bw,
        shift,
        energy,
        emax,
    })
}

/// A bow (the middle against the ends) smaller than this share of the text
/// height is taken for noise in the block shifts: the straight line alone
/// holds. A twentieth: a page bowing by 1.3 strip rows of a 15-row text
/// height (PassportEye's `100_pass-lux`, under a tenth) put the glyphs at
/// its ends two rows off their baseline, where an `S` read `5`.
const MIN_BOW: f32 = 0.05;

/// The fitted line of the lines' offset: `icpt + slope x + curve (x - xm)²`.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Line {
    icpt: f32,
    slope: f32,
    curve: f32,
    xm: f32,
}

impl Line {
    #[cfg(test)]
    fn at(&self, x: f32) -> f32 {
        let u = x - self.xm;
        self.icpt + self.slope * x + self.curve * u * u
    }
}

/// Theil-Sen fit of (column, shift) points: the bow from the median second
/// divided difference over triples of points well apart, kept when it bends
/// the line by at least `min_bow` rows between its middle and its ends; then
/// slope and intercept from the medians over pairs. Robust to a few blocks of
/// card edge or background at the strip ends.
fn fit_line(pts: &[(f32, f32)], min_bow: f32) -> Line {
    let median = |v: &mut Vec<f32>| {
        v.sort_by(f32::total_cmp);
        v.get(v.len() / 2).copied().unwrap_or(0.0)
    };
    let (lo, hi) = pts
        .iter()
        .fold((f32::MAX, f32::MIN), |(a, b), p| (a.min(p.0), b.max(p.0)));
    let xm = if pts.is_empty() { 0.0 } else { (lo + hi) / 2.0 };
    let half = (hi - lo) / 2.0;
    // Triples whose gaps are each at least a quarter of the span: closer
    // points turn the shifts' noise into curvature.
    let gap = half / 2.0;
    let mut curves = Vec::new();
    for (i, a) in pts.iter().enumerate() {
        for (j, b) in pts.iter().enumerate().skip(i + 1) {
            if b.0 - a.0 < gap {
                continue;
            }
            for c in pts.iter().skip(j + 1) {
                if c.0 - b.0 < gap {
                    continue;
                }
                let d1 = (b.1 - a.1) / (b.0 - a.0);
                let d2 = (c.1 - b.1) / (c.0 - b.0);
                curves.push((d2 - d1) / (c.0 - a.0));
            }
        }
    }
    let curve = median(&mut curves);
    let curve = if curves.len() >= 3 && curve.abs() * half * half >= min_bow {
        curve
    } else {
        0.0
    };
    let straight: Vec<(f32, f32)> = pts
        .iter()
        .map(|&(x, y)| (x, y - curve * (x - xm) * (x - xm)))
        .collect();
    let mut slopes = Vec::with_capacity(pts.len() * pts.len() / 2);
    for (i, a) in straight.iter().enumerate() {
        for b in straight.iter().skip(i + 1) {
            if (b.0 - a.0).abs() > 1.0 {
                slopes.push((b.1 - a.1) / (b.0 - a.0));
            }
        }
    }
    let slope = median(&mut slopes);
    let mut icpts: Vec<f32> = straight.iter().map(|p| p.1 - slope * p.0).collect();
    let icpt = median(&mut icpts);
    Line {
        icpt,
        slope,
        curve,
        xm,
    }
}

#[cfg(test)]
mod tests {
    use super::fit_line;

    /// Block centres of a strip 600 columns wide in 12 blocks.
    fn xs() -> impl Iterator<Item = f32> {
        (0..12).map(|b| 25.0 + 50.0 * b as f32)
    }

    #[test]
    fn a_bowed_line_is_followed() {
        // 3 rows lower in the middle than at the ends, tilted, and one block
        // of background that correlated with nothing.
        let bow = |x: f32| 0.01 * x + 3.0 * (1.0 - ((x - 300.0) / 275.0).powi(2));
        let mut pts: Vec<(f32, f32)> = xs().map(|x| (x, bow(x))).collect();
        if let Some(p) = pts.first_mut() {
            p.1 = -9.0;
        }
        let line = fit_line(&pts, 1.0);
        for x in xs().skip(1) {
            assert!((line.at(x) - bow(x)).abs() < 0.3, "{x}: {}", line.at(x));
        }
    }

    #[test]
    fn a_straight_line_gets_no_bow_from_noise() {
        // A third of a row of noise either way: below the bow that is kept.
        let noise = [
            0.3, -0.2, 0.1, -0.3, 0.2, 0.0, -0.1, 0.3, -0.2, 0.1, -0.3, 0.2,
        ];
        let pts: Vec<(f32, f32)> = xs()
            .zip(noise)
            .map(|(x, n)| (x, 2.0 - 0.02 * x + n))
            .collect();
        let line = fit_line(&pts, 1.0);
        assert_eq!(line.curve, 0.0);
        assert!((line.slope + 0.02).abs() < 0.002, "{}", line.slope);
    }
}
