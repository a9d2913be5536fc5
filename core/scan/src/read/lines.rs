//! The lines of one MRZ window: their common extent, then each line read,
//! with the retries of a poorly read line.

use super::bands::Band;
use super::line::{LineGeometry, LineRead, REGRID_COST, RETRY_COST, read_line};
use super::strip::Strip;
use super::{CandidateLines, GLYPH_W, Miss, Reading};
use crate::layout::{Format, FormatExt};

pub(super) fn read_lines(
    strip: &Strip,
    bands: &[Band],
    format: Format,
    delta: &dyn Fn(f32) -> f32,
    s: f32,
) -> Result<Reading, Miss> {
    let caps: Vec<f32> = bands.iter().map(|b| b.bottom - b.top).collect();
    let cap = caps.iter().sum::<f32>() / caps.len() as f32;
    let mean_cap = cap;
    // Regular line spacing, as in the MRZ.
    for pair in bands.windows(2) {
        if let [a, b] = pair {
            let pitch = (b.top + b.bottom - a.top - a.bottom) / 2.0;
            if pitch < 1.3 * cap || pitch > 2.6 * cap {
                return Err(Miss::NotMrz);
            }
        }
    }
    // First the geometry of every line (cheap), then the classification.
    let mut geo: Vec<(Vec<f32>, usize, usize, bool)> = Vec::with_capacity(bands.len());
    for band in bands {
        let cap = band.bottom - band.top;
        // Column profile inside the band, following the skew.
        let col: Vec<(f32, f32)> = (0..strip.w)
            .map(|x| {
                let d = delta(x as f32);
                let (t, b) = (
                    (band.top + d - 0.15 * cap).floor() as i32,
                    (band.bottom + d + 0.15 * cap).ceil() as i32,
                );
                let inside = (t..b).map(|y| strip.ink(x as i32, y)).sum::<f32>();
                let solid = (t..b).filter(|&y| strip.ink(x as i32, y) > 0.5).count() as f32;
                // Background beyond the card is dark above and below the band too.
                let m = (0.3 * cap).ceil() as i32;
                let above = (t - m..t).map(|y| strip.ink(x as i32, y)).sum::<f32>();
                let below = (b..b + m).map(|y| strip.ink(x as i32, y)).sum::<f32>();
                if above.min(below) > 0.5 * m as f32 {
                    (0.0, 0.0)
                } else {
                    (inside, solid)
                }
            })
            .collect();
        // The extent is judged on solid ink only: faint background patterns and
        // blur halos would stretch it.
        let (col, solid): (Vec<f32>, Vec<f32>) = col.into_iter().unzip();
        let on = 0.08 * cap;
        // Longest run of ink columns allowing gaps up to 1.2 caps: the text extent.
        let gap_max = (1.2 * cap) as usize;
        let (mut bs, mut be, mut cs, mut last) = (0usize, 0usize, None::<usize>, 0usize);
        for (x, &c) in solid.iter().enumerate() {
            if c > on {
                match cs {
                    Some(_) if x - last <= gap_max => {}
                    _ => cs = Some(x),
                }
                last = x;
                if let Some(st) = cs
                    && last + 1 - st > be - bs
                {
                    bs = st;
                    be = last + 1;
                }
            }
        }
        // Against the lines' mean height: a band that merges with a dark card
        // edge below it measures taller than it is.
        let ratio = (be - bs) as f32 / mean_cap;
        let expect = format.caps_per_line();
        // Shorter may be glare or shadow over part of the line; see below.
        let short = ratio < expect * 0.8;
        // A line ends at the frame's edge when its ends or the margin past
        // them lie outside it: the strip running off the frame elsewhere
        // (an MRZ printed close to the edge of a scan) says nothing.
        let (d0, d1) = (delta(bs as f32), delta(be as f32));
        let clipped = !strip.covers(
            bs as i32 - cap.ceil() as i32,
            (be as f32 + cap).ceil() as i32,
            (band.top + d0.min(d1) - 0.15 * cap).floor() as i32,
            (band.bottom + d0.max(d1) + 0.15 * cap).ceil() as i32,
        );
        if ratio > expect * 1.2 || (short && clipped) {
            return Err(if clipped { Miss::Clipped } else { Miss::NotMrz });
        }
        if bs < 2 || be + 2 > strip.w {
            return Err(Miss::Clipped);
        }
        geo.push((col, bs, be, short));
    }
    // All lines start and end together. Glare or a shadow may wash out part
    // of a line: a line that lies within the longest one of the MRZ's length
    // takes its extent. When every line falls short by about as much, the
    // print is taller for its pitch than the font's (printers differ, and
    // blur at 5-9 pixels per character adds a pixel or two to a line's
    // height): the longest is taken if it is not much shorter.
    let longest = |full_only: bool| {
        geo.iter()
            .filter(|g| !full_only || !g.3)
            .max_by_key(|g| g.2 - g.1)
            .map(|g| (g.1, g.2))
    };
    let (l0, r0) = longest(true)
        .or_else(|| {
            longest(false)
                .filter(|&(a, b)| (b - a) as f32 / mean_cap >= ALL_SHORT * format.caps_per_line())
        })
        .ok_or(Miss::NotMrz)?;
    let tol = 1.5 * cap;
    for g in &mut geo {
        let (dl, dr) = (g.1 as f32 - l0 as f32, g.2 as f32 - r0 as f32);
        if !g.3 && dl.abs() <= tol && dr.abs() <= tol {
            continue;
        }
        if dl >= -tol && dr <= tol {
            (g.1, g.2) = (l0, r0);
        } else {
            return Err(Miss::NotMrz);
        }
    }
    let mut reads: Vec<LineRead> = Vec::with_capacity(bands.len());
    let mut grids: Vec<(f32, f32)> = Vec::with_capacity(bands.len());
    let mut cand_lines = Vec::with_capacity(bands.len());
    let mut text_lines = Vec::with_capacity(bands.len());
    let mut margins = Vec::with_capacity(bands.len());
    let mut worst = 0.0f32;
    let mut min_margin = f32::MAX;
    let mut cap_px = cap * s;
    // The median start and end over the lines.
    let agreed = {
        let mut starts: Vec<f32> = geo.iter().map(|g| g.1 as f32).collect();
        let mut ends: Vec<f32> = geo.iter().map(|g| g.2 as f32).collect();
        starts.sort_by(f32::total_cmp);
        ends.sort_by(f32::total_cmp);
        let mid = |v: &[f32]| match v.len() {
            0 => 0.0,
            k if k % 2 == 1 => v.get(k / 2).copied().unwrap_or(0.0),
            k => {
                (v.get(k / 2 - 1).copied().unwrap_or(0.0) + v.get(k / 2).copied().unwrap_or(0.0))
                    / 2.0
            }
        };
        (mid(&starts), mid(&ends))
    };
    // A visa's second line has optional data where TD2 and TD3 have the
    // composite check digit: its classes follow the document code read.
    let mut format = format;
    for (li, (band, (col, bs, be, _))) in bands.iter().zip(&geo).enumerate() {
        if li == 1
            && let Some(first) = reads.first()
        {
            format = format.of_reading(&first.text);
        }
        let line = |bs: f32, be: f32, probe: bool| {
            let geometry = LineGeometry {
                band,
                col,
                bs,
                be,
                li,
                grid: None,
                probe,
            };
            read_line(strip, &geometry, format, delta)
        };
        let mut got = line(*bs as f32, *be as f32, false);
        if got.worst > RETRY_COST {
            // A stray mark or a dark edge stretches the extent, a faint filler
            // shortens it. The grid fit already slides a pitch either way;
            // what is left to try is the extent the lines agree on, or another
            // line's (they start and end together).
            let (l, r) = (*bs as f32, *be as f32);
            let others = geo
                .iter()
                .enumerate()
                .filter(|&(k, _)| k != li)
                .map(|(_, g)| (g.1 as f32, g.2 as f32));
            // Each extent is probed on a third of its cells; only the best,
            // if it beats the first, is read in full.
            let mut pick = (line(l, r, true).sum, None);
            for (a, b) in [agreed].into_iter().chain(others) {
                if (a - l).abs() < 1.0 && (b - r).abs() < 1.0 {
                    continue;
                }
                if a < 1.0 || b > strip.w as f32 - 1.0 {
                    continue;
                }
                let probe = line(a, b, true).sum;
                if probe < pick.0 {
                    pick = (probe, Some((a, b)));
                }
            }
            if let Some((a, b)) = pick.1 {
                let alt = line(a, b, false);
                if alt.sum < got.sum {
                    got = alt;
                }
            }
        }
        reads.push(got);
    }
    // The lines share one grid, bar perspective: a line read poorly, its cells
    // fitted one character off (fillers leave little to fit), is read again
    // on the grid of a line that read well.
    for li in 0..reads.len() {
        if reads.get(li).is_none_or(|r| r.worst <= REGRID_COST) {
            continue;
        }
        let (Some(band), Some((col, bs, be, _))) = (bands.get(li), geo.get(li)) else {
            continue;
        };
        let donors: Vec<Vec<f32>> = reads
            .iter()
            .enumerate()
            .filter(|&(k, r)| k != li && r.worst <= REGRID_COST)
            .map(|(_, r)| r.grid.clone())
            .collect();
        for grid in &donors {
            let geometry = LineGeometry {
                band,
                col,
                bs: *bs as f32,
                be: *be as f32,
                li,
                grid: Some(grid),
                probe: false,
            };
            let alt = read_line(strip, &geometry, format, delta);
            if let Some(r) = reads.get_mut(li)
                && alt.sum < r.sum
            {
                *r = alt;
            }
        }
    }
    // The cells cover the ink: a TD3 line read as a TD2 one fits 36 cells of
    // the right pitch to 44 characters' ink, and its first 36 characters
    // hold the TD2 check digits but the composite's one time in ten.
    for (got, (_, bs, be, _)) in reads.iter().zip(&geo) {
        if ink_overruns(*bs as f32, *be as f32, got.pitch, format.chars()) {
            return Err(Miss::NotMrz);
        }
    }
    for (li, got) in reads.into_iter().enumerate() {
        worst = worst.max(got.worst);
        min_margin = min_margin.min(got.margin);
        if li == 0 {
            cap_px = got.cap * s;
        }
        grids.push((got.start, got.pitch));
        cand_lines.push(got.cands);
        text_lines.push(got.text);
        margins.push(got.margins);
    }
    let starts = grids.iter().map(|g| g.0);
    let spread = starts.clone().fold(f32::MIN, f32::max) - starts.fold(f32::MAX, f32::min);
    let mean_pitch = grids.iter().map(|g| g.1).sum::<f32>() / grids.len().max(1) as f32;
    let aligned = spread <= 0.5 * mean_pitch;
    Ok(Reading {
        format,
        candidates: CandidateLines(cand_lines),
        lines: text_lines,
        worst_cost: worst,
        min_margin,
        margins,
        cap_px,
        saturated: strip.saturated,
        sharpness: strip.sharp,
        aligned,
    })
}

/// The shortest share of its format's length, in text heights, that the
/// longest line may measure when every line falls short (see
/// [`read_lines`]): a TD1 line (32 heights) is not taken for a TD3 one (47).
const ALL_SHORT: f32 = 0.7;

/// How many cells the ink of a line may run beyond the format's: the 2-line
/// formats differ by 8 (36 and 44); security print stretches a passport's
/// measured ink by up to 4 cells (PassportEye's `79_pass-hun.png`). Falling
/// short is allowed: glare shortens lines, and the locator's region may end
/// short of the MRZ (the frame regression 1932237/4).
pub(super) const MAX_EXTENT_CELLS: f32 = 5.0;

/// Whether a line's ink, from `ink_start` to `ink_end` (the outer edges of
/// its first and last glyphs), spans more than [`MAX_EXTENT_CELLS`] cells of
/// `pitch` beyond the `chars` its format has.
pub(super) fn ink_overruns(ink_start: f32, ink_end: f32, pitch: f32, chars: usize) -> bool {
    // n glyphs span n - 1 pitches and one glyph's width.
    let cells = (ink_end - ink_start) / pitch.max(1e-3) + (1.0 - GLYPH_W);
    cells - chars as f32 > MAX_EXTENT_CELLS
}

#[cfg(test)]
mod tests {
    use super::{GLYPH_W, MAX_EXTENT_CELLS, ink_overruns};

    /// The ink of `n` glyphs at pitch 10 starting at 100.
    fn ink(n: usize) -> (f32, f32) {
        (100.0, 100.0 + 10.0 * (n as f32 - 1.0 + GLYPH_W))
    }

    #[test]
    fn a_td3_line_is_not_read_on_a_td2_grid() {
        let (a, b) = ink(44);
        assert!(ink_overruns(a, b, 10.0, 36));
        assert!(!ink_overruns(a, b, 10.0, 44));
    }

    #[test]
    fn a_few_cells_of_security_print_and_short_lines_pass() {
        let extra = MAX_EXTENT_CELLS as usize;
        let (a, b) = ink(44 + extra - 1);
        assert!(!ink_overruns(a, b, 10.0, 44));
        let (a, b) = ink(44 + extra + 1);
        assert!(ink_overruns(a, b, 10.0, 44));
        // Glare shortens a line: falling short is no reason to refuse.
        let (a, b) = ink(20);
        assert!(!ink_overruns(a, b, 10.0, 44));
    }
}
