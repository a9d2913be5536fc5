//! From a candidate region to characters: rectify a strip at full resolution,
//! normalize ink, deskew, find the text lines, segment the fixed-pitch cells
//! and classify each cell against the OCR-B templates.

use crate::frame::LumaFrame;
use crate::layout::{Format, FormatExt};
use crate::locate::Region;

/// Ranked candidates for one character: (character, cost), cheapest first.
/// The cost is `1 - normalized cross-correlation` with the class template.
pub type Candidates = Vec<(char, f32)>;

/// Per MRZ line, per character, the ranked candidates (for repair under check digits).
#[derive(Clone, Default, PartialEq)]
pub struct CandidateLines(pub Vec<Vec<Candidates>>);

impl std::fmt::Debug for CandidateLines {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The candidates spell out personal data: show only the shape.
        let shape: Vec<usize> = self.0.iter().map(Vec::len).collect();
        write!(f, "CandidateLines({shape:?})")
    }
}

/// Capital height over character pitch (OCR-B size 1 in the MRZ).
pub const CAP_PER_PITCH: f32 = 2.35 / 2.54;
/// Mean glyph ink width over pitch (first and last characters of a line).
pub const GLYPH_W: f32 = 0.69;

impl CandidateLines {
    /// The shape `aktiver_mrz::repair::repair_candidates` takes: per position the
    /// candidates with their cost above the best one, in thousandths.
    pub fn to_mrz_candidates(&self) -> Vec<Vec<Vec<aktiver_mrz::Candidate>>> {
        self.0
            .iter()
            .map(|line| {
                line.iter()
                    .map(|cands| {
                        let best = cands.first().map_or(0.0, |c| c.1);
                        cands
                            .iter()
                            .map(|&(c, cost)| aktiver_mrz::Candidate {
                                ch: c as u8,
                                cost: ((cost - best).clamp(0.0, 2.0) * 1000.0) as u16,
                            })
                            .collect()
                    })
                    .collect()
            })
            .collect()
    }
}

/// How many candidates are kept per character.
pub const TOP: usize = 4;

/// What the reader saw in one region.
#[derive(Clone)]
pub struct Reading {
    pub format: Format,
    pub candidates: CandidateLines,
    /// Best candidate per position, restricted to the position's class.
    pub lines: Vec<String>,
    /// Worst best-candidate cost over all characters.
    pub worst_cost: f32,
    /// Smallest cost gap between the best and the runner-up allowed candidate over
    /// the positions no check digit covers (names, TD1 document code).
    pub min_margin: f32,
    /// That gap for every character (lines, then characters).
    pub margins: Vec<Vec<f32>>,
    /// Cap height in full-resolution pixels.
    pub cap_px: f32,
    /// Share of saturated pixels in the MRZ strip.
    pub saturated: f32,
    /// Mean ink step across character edges (0-1): low when blurred.
    pub sharpness: f32,
    /// The lines' character grids start within half a pitch of each other. A
    /// line read one cell off still parses when it has no check digit (TD3's
    /// name line), so a reading whose lines disagree is not to be trusted.
    pub aligned: bool,
}

/// What went wrong when a region did not yield a reading (for user feedback).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Miss {
    NotMrz,
    TooSmall,
    Clipped,
    Glare,
    Blurred,
}

/// Reads the region; `Err` says why not.
pub fn read_region(frame: &LumaFrame<'_>, r: &Region) -> Result<Reading, Miss> {
    let len = 2.0 * r.half_len;
    // The cap height lies between len/48 (TD3) and len/32 (TD1); aim for ~20 strip rows.
    let cap_guess = len / 44.0;
    if cap_guess < 5.0 {
        return Err(Miss::TooSmall);
    }
    let mut first = read_strip(frame, r, r.half_h + 1.2 * cap_guess, 1.0);
    if first.as_ref().err() == Some(&Miss::Clipped) {
        // Glare or shadow over one end of the MRZ shortens what the locator
        // joined, and a line then runs off the strip: look again, longer.
        first = read_strip(frame, r, r.half_h + 1.2 * cap_guess, LONGER_STRIP).or(first);
    }
    if first.is_ok()
        || r.lines >= 3
        || !matches!(first.as_ref().err(), Some(Miss::NotMrz | Miss::Clipped))
    {
        return first;
    }
    // The locator may have joined only some of the lines: a filler-heavy name
    // line breaks up at low resolution. Look again with room for the missing
    // lines on either side, at TD1's line spacing (the widest per length). Two
    // lines of a TD1 read as a TD3 seem to run off the strip: that too.
    let spacing = LINE_PER_PITCH * len / 30.0;
    let missing = (3 - r.lines) as f32;
    read_strip(
        frame,
        r,
        r.half_h + missing * spacing + 0.8 * cap_guess,
        1.0,
    )
    .or(first)
}

/// A strip whose lines measure less than this share of the intended text
/// height is sampled again.
const COARSE_STRIP: f32 = 0.75;

/// Two bands this close in height (the shorter over the taller) may be lines
/// of one MRZ.
const SAME_BAND_HEIGHT: f32 = 0.75;

/// A reading whose worst character costs at most this needs no other format
/// tried.
const GOOD_READING: f32 = 0.3;

/// How much longer the second look at a region that ran off its strip is.
const LONGER_STRIP: f32 = 1.35;

/// Row ink is capped at this multiple of the row's total variation: text rows
/// measure 0.3-1 variation per unit of ink, flat background about 0.01.
const TEXTURE_GAIN: f32 = 3.0;

/// Strip rows per text height.
const STRIP_ROWS_PER_CAP: f32 = 14.0;

/// MRZ line spacing over character pitch (ICAO 9303: 4.23 mm over 2.54 mm).
const LINE_PER_PITCH: f32 = 4.23 / 2.54;

/// Reads the strip of `r` that reaches `perp` full-resolution pixels either side
/// of its centre line, and `longer` times the usual margin along it.
fn read_strip(frame: &LumaFrame<'_>, r: &Region, perp: f32, longer: f32) -> Result<Reading, Miss> {
    read_strip_once(frame, r, perp, longer, 2)
}

/// [`read_strip`]; `again`: how many more times the strip may be sampled
/// again (finer, or narrower).
fn read_strip_once(
    frame: &LumaFrame<'_>,
    r: &Region,
    perp: f32,
    longer: f32,
    again: u8,
) -> Result<Reading, Miss> {
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
    let (w, h) = (strip.w, strip.h);
    // Deskew: row profiles of column blocks, chained shifts from the centre.
    let k = 12usize;
    let bw = w / k;
    if bw < 2 {
        return Err(Miss::TooSmall);
    }
    // Each row's ink is capped by its texture, as in the row profile below: a
    // straight edge (a card or page edge, a rule or a frame around the MRZ)
    // is dark but flat along the row, and would pull the skew to its own.
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
                    ink.min(TEXTURE_GAIN * texture) / bw as f32
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
    let skew = Skew::fit(&pts, MIN_BOW * cap_guess / s);
    let delta = |x: f32| skew.at(x);
    // Aligned row profile over the blocks that follow the fit (text, not background).
    let mut rows = vec![0.0f32; h];
    let mut texture = vec![0.0f32; h];
    for b in 0..k {
        let xc = (b as f32 + 0.5) * bw as f32;
        let on_fit = (shift.get(b).copied().unwrap_or(0.0) - delta(xc)).abs() < 1.5;
        if !on_fit || energy.get(b).is_none_or(|&e| e <= 0.3 * emax) {
            continue;
        }
        for x in (b * bw..(b + 1) * bw).step_by(2) {
            let d = delta(x as f32).round() as i32;
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
    // A barcode or a block of print beside the MRZ thickens what the locator
    // measured, and the strip comes out coarser than the glyph grid needs:
    // sample it again at the lines' own height.
    let mut line_h: Vec<f32> = bands.iter().map(|b| b.bottom - b.top).collect();
    line_h.sort_by(f32::total_cmp);
    let measured = line_h.get(line_h.len() / 2).copied().unwrap_or(0.0) * s;
    if again > 0 && s > 1.0 && measured < COARSE_STRIP * text_h {
        let finer = Region {
            line_thick: measured,
            ..r.clone()
        };
        return read_strip_once(frame, &finer, perp, longer, again - 1);
    }
    // The MRZ is the last two or three lines of the document; the strip may
    // also hold text above it or, widened, below a partial region. The lowest
    // window of lines with the MRZ's geometry is read.
    // The format the region's length suggests first (TD1 lines measure about
    // 32 text heights, TD3 lines 47); a good reading there ends the search.
    // TD2's 36 characters are tried only when the length says so most
    // clearly: two lines of a TD1 whose third was not found read, poorly,
    // as a TD2, and would stop the search for the third.
    let measured = 2.0 * r.half_len / r.line_thick.max(1.0);
    let mut try_formats = crate::layout::SHAPES.to_vec();
    try_formats.sort_by(|a, b| {
        (a.0.caps_per_line() - measured)
            .abs()
            .total_cmp(&(b.0.caps_per_line() - measured).abs())
    });
    if try_formats.first().is_some_and(|f| f.0 != Format::Td2) {
        try_formats.retain(|f| f.0 != Format::Td2);
    }
    let mut best: Option<Reading> = None;
    let mut miss = Miss::NotMrz;
    // The rows (top, bottom) of the window read best, or else of the lowest
    // window of the first format.
    let mut window: Option<(f32, f32, usize)> = None;
    for (format, n) in try_formats {
        if best.as_ref().is_some_and(|b| b.worst_cost <= GOOD_READING) {
            break;
        }
        for start in (0..=bands.len().saturating_sub(n)).rev() {
            let Some(chosen) = bands.get(start..start + n) else {
                continue;
            };
            let rows = match (chosen.first(), chosen.last()) {
                (Some(a), Some(b)) => Some((a.top, b.bottom, n)),
                _ => None,
            };
            window = window.or(rows);
            match read_lines(&strip, chosen, format, &delta, s) {
                Ok(rd) => {
                    if best.as_ref().is_none_or(|b| rd.worst_cost < b.worst_cost) {
                        best = Some(rd);
                        window = rows.or(window);
                    }
                    break;
                }
                // The most specific reason: a line that ran off the strip.
                Err(m) => {
                    if miss == Miss::NotMrz {
                        miss = m;
                    }
                }
            }
        }
    }
    // Print or a barcode beside the MRZ, inside the strip, sways the skew
    // (every row of the strip votes for it): when the reading is poor and the
    // strip holds much more than the lines read, read again around those
    // lines alone.
    if again > 0
        && best.as_ref().is_none_or(|b| b.worst_cost > GOOD_READING)
        && let Some((top, bottom, n)) = window
    {
        let line = (bottom - top) / (2 * n - 1).max(1) as f32;
        if h as f32 > bottom - top + NARROW_STRIP * line {
            let j = (top + bottom) / 2.0 + delta(w as f32 / 2.0);
            let o = perp - s * j;
            let narrow = Region {
                cx: r.cx + r.dy * o,
                cy: r.cy - r.dx * o,
                half_h: (bottom - top) / 2.0 * s,
                lines: n,
                ..r.clone()
            };
            let alone = read_strip_once(frame, &narrow, narrow.half_h + line * s, longer, 0);
            if let Ok(rd) = alone
                && best.as_ref().is_none_or(|b| rd.worst_cost < b.worst_cost)
            {
                best = Some(rd);
            }
        }
    }
    best.ok_or(miss)
}

/// A strip taller than the lines read by this many line heights holds other
/// print: see the end of [`read_strip_once`].
const NARROW_STRIP: f32 = 4.0;

mod bands;
mod classify;
mod grid;
mod heights;
mod line;
mod lines;
mod skew;
mod strip;
#[cfg(test)]
mod tests;

use bands::Band;
use lines::read_lines;
use skew::{MIN_BOW, Skew};
pub use strip::debug_strip;
use strip::{best_shift, sample_strip};
