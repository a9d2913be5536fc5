//! One look at a region: sample its strip, deskew it, find its lines and read
//! the window of them that is the MRZ. Whether to look again, and how, is
//! decided in `retry.rs`.

use super::bands::find_bands;
use super::deskew::deskew;
use super::strip::sample_strip;
use super::window::{GOOD_READING, read_window};
use super::{Miss, Reading};
use crate::frame::LumaFrame;
use crate::locate::Region;

/// Strip rows per text height.
const STRIP_ROWS_PER_CAP: f32 = 14.0;

/// A strip whose lines measure less than this share of the intended text
/// height is sampled again.
const COARSE_STRIP: f32 = 0.75;

/// A strip taller than the lines read by this many line heights holds other
/// print besides them.
const NARROW_STRIP: f32 = 4.0;

/// What one look at a strip saw.
pub(super) enum Look {
    /// Its lines measure much less than the height it was sampled for (a
    /// barcode or a block of print beside the MRZ thickened what the locator
    /// measured): the lines' own height, in frame pixels.
    Coarse { line_thick: f32 },
    /// What it read; and, where the strip holds much more than the lines read,
    /// the region of those lines alone with the reach (`perp`) to sample it at.
    Read {
        reading: Result<Reading, Miss>,
        narrow: Option<(Region, f32)>,
    },
}

/// Looks at the strip of `r` that reaches `perp` full-resolution pixels
/// either side of its centre line, and `longer` times the usual margin along
/// it. `may_be_coarse`: whether a coarse strip is reported as such (to be
/// sampled again) rather than read.
pub(super) fn look(
    frame: &LumaFrame<'_>,
    r: &Region,
    perp: f32,
    longer: f32,
    may_be_coarse: bool,
) -> Look {
    look_or_miss(frame, r, perp, longer, may_be_coarse).unwrap_or_else(|m| Look::Read {
        reading: Err(m),
        narrow: None,
    })
}

fn look_or_miss(
    frame: &LumaFrame<'_>,
    r: &Region,
    perp: f32,
    longer: f32,
    may_be_coarse: bool,
) -> Result<Look, Miss> {
    let cap_guess = 2.0 * r.half_len / 44.0;
    // About 14 strip rows per cap height: enough for the 13-row glyph grid, and
    // cheap. The locator's line thickness is the text height, within the range
    // the length allows (TD3's 44 characters to TD1's 30).
    let text_h = r
        .line_thick
        .clamp(2.0 * r.half_len / 48.0, 2.0 * r.half_len / 30.0);
    let s = (text_h / STRIP_ROWS_PER_CAP).max(1.0);
    let along = longer * r.half_len * 1.1 + 1.5 * cap_guess;
    let strip = sample_strip(frame, r, along, perp, s).ok_or(Miss::NotMrz)?;
    let skew = deskew(&strip, cap_guess, s, false)?;
    let bands = find_bands(&strip, &skew)?;
    let mut line_h: Vec<f32> = bands.iter().map(|b| b.bottom - b.top).collect();
    line_h.sort_by(f32::total_cmp);
    let measured = line_h.get(line_h.len() / 2).copied().unwrap_or(0.0) * s;
    if may_be_coarse && s > 1.0 && measured < COARSE_STRIP * text_h {
        return Ok(Look::Coarse {
            line_thick: measured,
        });
    }
    let delta = |x: f32| skew.delta(x);
    let (mut reading, mut window) = read_window(&strip, &bands, r, &delta, s);
    // A straight dark edge across the strip (of a card or a page, a rule, a
    // frame drawn around the MRZ) outweighs the text in the plain ink's
    // skew: a poor reading is read again deskewed by the text's texture.
    let mut skew = skew;
    if !reading
        .as_ref()
        .is_ok_and(|rd| rd.worst_cost <= GOOD_READING)
        && let Ok(by_texture) = deskew(&strip, cap_guess, s, true)
        && let Ok(bands) = find_bands(&strip, &by_texture)
    {
        let delta = |x: f32| by_texture.delta(x);
        let (again, at) = read_window(&strip, &bands, r, &delta, s);
        if let Ok(rd) = &again
            && !reading
                .as_ref()
                .is_ok_and(|b| b.worst_cost <= rd.worst_cost)
        {
            (reading, window) = (again, at);
            skew = by_texture;
        }
    }
    let delta = |x: f32| skew.delta(x);
    // The region of the lines read alone, centred on them across the strip.
    let narrow = window.and_then(|(top, bottom, n)| {
        let line = (bottom - top) / (2 * n - 1).max(1) as f32;
        (strip.h as f32 > bottom - top + NARROW_STRIP * line).then(|| {
            let j = (top + bottom) / 2.0 + delta(strip.w as f32 / 2.0);
            let o = perp - s * j;
            let narrow = Region {
                cx: r.cx + r.dy * o,
                cy: r.cy - r.dx * o,
                half_h: (bottom - top) / 2.0 * s,
                lines: n,
                ..r.clone()
            };
            let reach = narrow.half_h + line * s;
            (narrow, reach)
        })
    });
    Ok(Look::Read { reading, narrow })
}
