//! The text lines of a strip: row-profile bands between half-maximum edges.

use super::Miss;
use super::deskew::Skew;
use super::strip::Strip;

pub(super) struct Band {
    pub(super) top: f32,
    pub(super) bottom: f32,
}

/// Two bands this close in height (the shorter over the taller) may be lines
/// of one MRZ.
const SAME_BAND_HEIGHT: f32 = 0.75;

/// Row ink is capped at this multiple of the row's total variation: text rows
/// measure 0.3-1 variation per unit of ink, flat background about 0.01.
pub(super) const TEXTURE_GAIN: f32 = 3.0;

/// The text lines of the deskewed strip, top to bottom, each between the
/// half-maximum edges of the row profile; at least two of one height, else
/// [`Miss::NotMrz`].
pub(super) fn find_bands(strip: &Strip, skew: &Skew) -> Result<Vec<Band>, Miss> {
    let h = strip.h;
    // Aligned row profile over the blocks that follow the fit (text, not background).
    let mut rows = vec![0.0f32; h];
    let mut texture = vec![0.0f32; h];
    let bw = skew.block_w;
    for b in (0..skew.blocks).filter(|&b| skew.on_text(b)) {
        for x in (b * bw..(b + 1) * bw).step_by(2) {
            let d = skew.delta(x as f32).round() as i32;
            for (y, (rv, tv)) in rows.iter_mut().zip(texture.iter_mut()).enumerate() {
                let v = strip.ink(x as i32, y as i32 + d);
                *rv += v;
                *tv += (v - strip.ink(x as i32 - 2, y as i32 + d)).abs();
            }
        }
    }
    // Text rows alternate ink and paper; the background beyond the card edge is
    // dark but flat, and must not outweigh the lines.
    for (rv, tv) in rows.iter_mut().zip(&texture) {
        *rv = rv.min(TEXTURE_GAIN * tv);
    }
    let floor = rows.iter().copied().fold(f32::MAX, f32::min);
    for v in rows.iter_mut() {
        *v -= floor;
    }
    let pmax = rows.iter().copied().fold(0.0, f32::max);
    if pmax <= 0.0 {
        return Err(Miss::NotMrz);
    }
    let mut bands: Vec<Band> = Vec::new();
    let thr = 0.4 * pmax;
    let mut y = 0;
    while y < h {
        if rows.get(y).copied().unwrap_or(0.0) > thr {
            let start = y;
            while y < h && rows.get(y).copied().unwrap_or(0.0) > thr {
                y += 1;
            }
            // Sub-row edges by linear interpolation across the threshold.
            let edge = |a: usize, b: usize| {
                let (va, vb) = (
                    rows.get(a).copied().unwrap_or(0.0),
                    rows.get(b).copied().unwrap_or(0.0),
                );
                if (vb - va).abs() < 1e-6 {
                    b as f32
                } else {
                    a as f32 + (thr - va) / (vb - va)
                }
            };
            let top = if start > 0 {
                edge(start - 1, start)
            } else {
                0.0
            };
            let bottom = if y < h { edge(y - 1, y) } else { h as f32 };
            bands.push(Band { top, bottom });
        }
        y += 1;
    }
    // Refine each edge at half of the nearby peak: with blur, the half-maximum
    // crossing is where the glyph outline was.
    for b in bands.iter_mut() {
        let (t, e) = (b.top.max(0.0) as usize, (b.bottom as usize).min(h));
        let span = e.saturating_sub(t);
        if span < 3 {
            continue;
        }
        let q = (span * 2 / 5).max(1);
        let peak = |a: usize, z: usize| {
            (a..z)
                .map(|y| (y, rows.get(y).copied().unwrap_or(0.0)))
                .fold((a, 0.0f32), |m, v| if v.1 > m.1 { v } else { m })
        };
        let (yt, pt) = peak(t, t + q);
        let half = 0.5 * pt;
        let mut y = yt;
        while y > 0 && rows.get(y - 1).copied().unwrap_or(0.0) > half {
            y -= 1;
        }
        if y > 0 {
            let (va, vb) = (
                rows.get(y - 1).copied().unwrap_or(0.0),
                rows.get(y).copied().unwrap_or(0.0),
            );
            b.top = if (vb - va).abs() > 1e-6 {
                (y - 1) as f32 + (half - va) / (vb - va)
            } else {
                y as f32
            };
        }
        let (yb, pb) = peak(e - q, e);
        let half = 0.5 * pb;
        let mut y = yb;
        while y + 1 < h && rows.get(y + 1).copied().unwrap_or(0.0) > half {
            y += 1;
        }
        if y + 1 < h {
            let (va, vb) = (
                rows.get(y).copied().unwrap_or(0.0),
                rows.get(y + 1).copied().unwrap_or(0.0),
            );
            b.bottom = if (va - vb).abs() > 1e-6 {
                y as f32 + (va - half) / (va - vb) + 0.5
            } else {
                y as f32 + 1.0
            };
        }
    }
    // The tallest height that two bands share (the MRZ has at least two lines
    // of one height): a barcode or a photo edge above the MRZ makes a taller
    // band, and must not make the lines look like noise.
    let mut heights: Vec<f32> = bands.iter().map(|b| b.bottom - b.top).collect();
    heights.sort_by(|a, b| b.total_cmp(a));
    let hmax = heights
        .windows(2)
        .find_map(|p| match p {
            [a, b] if *b >= SAME_BAND_HEIGHT * a => Some(*a),
            _ => None,
        })
        .or_else(|| heights.first().copied())
        .unwrap_or(0.0);
    bands.retain(|b| b.bottom - b.top > 0.55 * hmax && b.bottom - b.top < 1.6 * hmax);
    if bands.len() < 2 {
        return Err(Miss::NotMrz);
    }
    Ok(bands)
}
