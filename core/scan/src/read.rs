//! From a candidate region to characters: rectify a strip at full resolution,
//! normalize ink, deskew, find the text lines, segment the fixed-pitch cells
//! and classify each cell against the OCR-B templates.

use crate::frame::LumaFrame;
use crate::glyphs::{self, CLASSES};
use crate::layout::{self, Format};
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

struct Strip {
    w: usize,
    h: usize,
    ink: Vec<f32>,
    saturated: f32,
    clipped: bool,
    sharp: f32,
}

impl Strip {
    #[inline]
    fn ink(&self, x: i32, y: i32) -> f32 {
        if x < 0 || y < 0 || x as usize >= self.w || y as usize >= self.h {
            return 0.0;
        }
        self.ink
            .get(y as usize * self.w + x as usize)
            .copied()
            .unwrap_or(0.0)
    }

    fn ink_bilinear(&self, x: f32, y: f32) -> f32 {
        // Truncation is floor for non-negative values, and far cheaper than a
        // libm call on targets without SSE4.1.
        if x >= 0.0 && y >= 0.0 {
            let (xi, yi) = (x as usize, y as usize);
            let (fx, fy) = (x - xi as f32, y - yi as f32);
            let i = yi * self.w + xi;
            if xi + 1 < self.w
                && let (Some(&[a, b]), Some(&[c, d])) = (
                    self.ink
                        .get(i..i + 2)
                        .and_then(|s| <&[f32; 2]>::try_from(s).ok()),
                    self.ink
                        .get(i + self.w..i + self.w + 2)
                        .and_then(|s| <&[f32; 2]>::try_from(s).ok()),
                )
            {
                let top = a + (b - a) * fx;
                let bottom = c + (d - c) * fx;
                return top + (bottom - top) * fy;
            }
        }
        let (xf, yf) = (x.floor(), y.floor());
        let (fx, fy) = (x - xf, y - yf);
        let (xi, yi) = (xf as i32, yf as i32);
        let a = self.ink(xi, yi) + (self.ink(xi + 1, yi) - self.ink(xi, yi)) * fx;
        let b = self.ink(xi, yi + 1) + (self.ink(xi + 1, yi + 1) - self.ink(xi, yi + 1)) * fx;
        a + (b - a) * fy
    }
}

impl Strip {
    /// [`glyphs::normalize`] over the ink (pixel centres at +0.5), computed
    /// separably: the grid is axis-aligned in the strip, so every column and
    /// row tap is found once instead of once per sample.
    fn glyph(&self, cx: f32, top: f32, baseline: f32, width_cap: f32) -> [f32; glyphs::N] {
        use glyphs::{GH, GW, MARGIN};
        let generic = || {
            glyphs::normalize(
                |x, y| self.ink_bilinear(x - 0.5, y - 0.5),
                cx,
                top,
                baseline,
                width_cap,
            )
        };
        let cap = (baseline - top).max(1e-3);
        let sy = cap / (GH as f32 - 2.0 * MARGIN);
        let sx = width_cap.max(1e-3) * glyphs::GRID_W_CAPS / GW as f32;
        let x0 = cx - sx * GW as f32 / 2.0 - 0.5;
        let y0 = top - MARGIN * sy - 0.5;
        let offs = glyphs::subsample_offsets(sx, sy);
        let k = offs.len();
        // Taps (index, fraction) per column sample and per row sample.
        let mut xt = [(0usize, 0.0f32); GW * 3];
        let mut yt = [(0usize, 0.0f32); GH * 3];
        for (i, t) in xt.iter_mut().take(GW * k).enumerate() {
            let x = x0 + ((i / k) as f32 + offs.get(i % k).copied().unwrap_or(0.5)) * sx;
            if x < 0.0 || x as usize + 1 >= self.w {
                return generic();
            }
            *t = (x as usize, x - (x as usize) as f32);
        }
        for (i, t) in yt.iter_mut().take(GH * k).enumerate() {
            let y = y0 + ((i / k) as f32 + offs.get(i % k).copied().unwrap_or(0.5)) * sy;
            if y < 0.0 || y as usize + 1 >= self.h {
                return generic();
            }
            *t = (y as usize, y - (y as usize) as f32);
        }
        let inv = 1.0 / (k * k) as f32;
        let mut out = [0.0f32; glyphs::N];
        for (gy, row_out) in out.chunks_exact_mut(GW).enumerate() {
            for &(yi, fy) in yt.get(gy * k..(gy + 1) * k).unwrap_or(&[]) {
                let (Some(r0), Some(r1)) = (
                    self.ink.get(yi * self.w..(yi + 1) * self.w),
                    self.ink.get((yi + 1) * self.w..(yi + 2) * self.w),
                ) else {
                    return generic();
                };
                for (gx, o) in row_out.iter_mut().enumerate() {
                    let mut acc = 0.0;
                    for &(xi, fx) in xt.get(gx * k..(gx + 1) * k).unwrap_or(&[]) {
                        let (a, b) = (
                            r0.get(xi).copied().unwrap_or(0.0),
                            r0.get(xi + 1).copied().unwrap_or(0.0),
                        );
                        let (c, d) = (
                            r1.get(xi).copied().unwrap_or(0.0),
                            r1.get(xi + 1).copied().unwrap_or(0.0),
                        );
                        let top = a + (b - a) * fx;
                        let bottom = c + (d - c) * fx;
                        acc += top + (bottom - top) * fy;
                    }
                    *o += acc * inv;
                }
            }
        }
        out
    }
}

/// Samples the oriented rectangle at `s` full-res pixels per strip pixel and turns
/// it into ink in [0, 1] using block-wise paper and ink levels.
fn sample_strip(frame: &LumaFrame<'_>, r: &Region, along: f32, perp: f32, s: f32) -> Option<Strip> {
    let w = ((2.0 * along / s) as usize).clamp(8, 2400);
    let h = ((2.0 * perp / s) as usize).clamp(8, 600);
    let mut v = vec![0.0f32; w * h];
    let (dx, dy) = (r.dx * s, r.dy * s);
    let (nx, ny) = (-r.dy * s, r.dx * s);
    let x0 = r.cx - r.dx * along + r.dy * perp;
    let y0 = r.cy - r.dy * along - r.dx * perp;
    let (fw, fh) = (frame.width() as f32, frame.height() as f32);
    let mut clipped = false;
    let mut sat = 0u32;
    for j in 0..h {
        let (mut x, mut y) = (x0 + nx * j as f32, y0 + ny * j as f32);
        let row = v.get_mut(j * w..(j + 1) * w)?;
        for o in row.iter_mut() {
            if x < 0.0 || y < 0.0 || x > fw - 1.0 || y > fh - 1.0 {
                clipped = true;
                // Outside the frame: a marker, turned into "no ink" below.
                *o = -1.0;
            } else {
                *o = frame.sample(x, y);
            }
            if *o >= 250.0 {
                sat += 1;
            }
            x += dx;
            y += dy;
        }
    }
    // Paper and ink levels per column block, from a coarse histogram.
    let bw = (h / 2).clamp(8, 64);
    let nb = w.div_ceil(bw);
    let mut lo = vec![0.0f32; nb];
    let mut hi = vec![0.0f32; nb];
    let mut hist = [0u32; 64];
    for b in 0..nb {
        hist.fill(0);
        let (c0, c1) = (b * bw, ((b + 1) * bw).min(w));
        // Every other row and column is plenty for two percentiles.
        for j in (0..h).step_by(2) {
            for i in (c0..c1).step_by(2) {
                let p = v.get(j * w + i).copied().unwrap_or(0.0);
                if p < 0.0 {
                    continue;
                }
                if let Some(hh) = hist.get_mut((p as usize >> 2).min(63)) {
                    *hh += 1;
                }
            }
        }
        let total: u32 = hist.iter().sum();
        let pct = |q: f32| {
            let target = (total as f32 * q) as u32;
            let mut acc = 0;
            for (k, &c) in hist.iter().enumerate() {
                acc += c;
                if acc > target {
                    return (k * 4 + 2) as f32;
                }
            }
            254.0
        };
        if let (Some(l), Some(hh)) = (lo.get_mut(b), hi.get_mut(b)) {
            *l = pct(0.03);
            *hh = pct(0.90);
        }
    }
    let mut contrasts: Vec<f32> = hi.iter().zip(&lo).map(|(h, l)| h - l).collect();
    contrasts.sort_by(f32::total_cmp);
    let med = contrasts
        .get(contrasts.len() * 3 / 4)
        .copied()
        .unwrap_or(0.0);
    if med < 12.0 {
        return None;
    }
    let mut sharp_acc = 0.0f32;
    let mut sharp_n = 0u32;
    // Paper and contrast per column, interpolated between block centres.
    let levels: Vec<(f32, f32)> = (0..w)
        .map(|i| {
            let t = (i as f32 + 0.5) / bw as f32 - 0.5;
            let b0 = (t.floor().max(0.0) as usize).min(nb - 1);
            let b1 = (b0 + 1).min(nb - 1);
            let ft = (t - b0 as f32).clamp(0.0, 1.0);
            let l = lo.get(b0).copied().unwrap_or(0.0) * (1.0 - ft)
                + lo.get(b1).copied().unwrap_or(0.0) * ft;
            let hh = hi.get(b0).copied().unwrap_or(0.0) * (1.0 - ft)
                + hi.get(b1).copied().unwrap_or(0.0) * ft;
            (hh, 1.0 / (hh - l).max(0.5 * med))
        })
        .collect();
    for row in v.chunks_exact_mut(w) {
        for (p, &(hh, inv)) in row.iter_mut().zip(&levels) {
            *p = if *p < 0.0 {
                0.0
            } else {
                ((hh - *p) * inv).clamp(0.0, 1.0)
            };
        }
    }
    for j in (0..h).step_by(4) {
        for i in 1..w {
            let a = v.get(j * w + i).copied().unwrap_or(0.0);
            let b = v.get(j * w + i - 1).copied().unwrap_or(0.0);
            let d = (a - b).abs();
            if d > 0.05 {
                sharp_acc += d;
                sharp_n += 1;
            }
        }
    }
    Some(Strip {
        w,
        h,
        ink: v,
        saturated: sat as f32 / (w * h) as f32,
        clipped,
        sharp: if sharp_n > 0 {
            sharp_acc / sharp_n as f32
        } else {
            0.0
        },
    })
}

/// Sub-pixel shift of `b` against `a` maximizing correlation within `range`.
fn best_shift(a: &[f32], b: &[f32], range: i32) -> (f32, f32) {
    let n = a.len() as i32;
    let corr = |s: i32| -> f32 {
        let mut acc = 0.0;
        for y in 0..n {
            let yb = y + s;
            if yb >= 0 && yb < n {
                acc += a.get(y as usize).copied().unwrap_or(0.0)
                    * b.get(yb as usize).copied().unwrap_or(0.0);
            }
        }
        acc
    };
    let mut best = (0, f32::MIN);
    for s in -range..=range {
        let c = corr(s);
        if c > best.1 {
            best = (s, c);
        }
    }
    let (s, c0) = best;
    let (cm, cp) = (corr(s - 1), corr(s + 1));
    let den = cm - 2.0 * c0 + cp;
    let frac = if den < -1e-6 {
        (0.5 * (cm - cp) / den).clamp(-0.5, 0.5)
    } else {
        0.0
    };
    (s as f32 + frac, c0)
}

struct Band {
    top: f32,
    bottom: f32,
}

/// The normalized ink strip of a region as 8-bit pixels (diagnostics).
pub fn debug_strip(frame: &LumaFrame<'_>, r: &Region) -> Option<(usize, usize, Vec<u8>)> {
    let cap_guess = 2.0 * r.half_len / 40.0;
    let s = (cap_guess / 16.0).max(1.0);
    let strip = sample_strip(
        frame,
        r,
        r.half_len * 1.1 + 1.5 * cap_guess,
        r.half_h + 1.2 * cap_guess,
        s,
    )?;
    Some((
        strip.w,
        strip.h,
        strip.ink.iter().map(|v| 255 - (v * 255.0) as u8).collect(),
    ))
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
    let delta = |x: f32| icpt + slope * x;
    // Aligned row profile over the blocks that follow the fit (text, not background).
    let mut rows = vec![0.0f32; h];
    let mut texture = vec![0.0f32; h];
    for b in 0..k {
        let xc = (b as f32 + 0.5) * bw as f32;
        let on_fit = (shift.get(b).copied().unwrap_or(0.0) - (icpt + slope * xc)).abs() < 1.5;
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
    let mut try_formats: [(Format, usize); 2] = [(Format::Td1, 3), (Format::Td3, 2)];
    if 2.0 * r.half_len / r.line_thick.max(1.0) > (32.3 + 47.4) / 2.0 {
        try_formats.reverse();
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

fn read_lines(
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
        let expect = match format {
            Format::Td1 => 32.3,
            // TD3; the scanner looks for no other 2-line format.
            _ => 47.4,
        };
        // Shorter may be glare or shadow over part of the line; see below.
        let short = ratio < expect * 0.8;
        if ratio > expect * 1.2 || (short && strip.clipped) {
            return Err(if strip.clipped {
                Miss::Clipped
            } else {
                Miss::NotMrz
            });
        }
        if bs < 2 || be + 2 > strip.w {
            return Err(Miss::Clipped);
        }
        geo.push((col, bs, be, short));
    }
    // All lines start and end together. Glare or a shadow may wash out part
    // of a line: a line that lies within the longest one of the MRZ's length
    // takes its extent.
    let (l0, r0) = geo
        .iter()
        .filter(|g| !g.3)
        .max_by_key(|g| g.2 - g.1)
        .map(|g| (g.1, g.2))
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
    for (li, (band, (col, bs, be, _))) in bands.iter().zip(&geo).enumerate() {
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

/// Horizontal sample placements per cell, in grid steps: the grid is only known
/// to about half a step. The centred one first: when it already gives a clear
/// winner the others are skipped (most characters of a sharp frame).
const SHIFTS: [(f32, f32); 5] = [(0.0, 0.0), (-0.5, 0.0), (0.5, 0.0), (0.0, -0.5), (0.0, 0.5)];

/// Vertical offsets of the whole line tried, in grid steps: the baseline is
/// measured to about a step.
/// (+1 was chosen once in 150 lines: the baseline is found low rather than high.)
const LINE_OFFSETS: [f32; 7] = [0.0, -0.25, 0.25, -0.5, 0.5, -0.75, -1.0];

/// Glyph heights tried per line, relative to what the pitch predicts.
/// (0.92 and 1.08 were never chosen on the generated frames.)
const LINE_SCALES: [f32; 5] = [1.0, 0.98, 1.02, 0.96, 1.04];

/// Every how many cells one is used to choose the line's offset and lens.
const LENS_STRIDE: usize = 3;

/// The (glyph height, blur bank) under which the cells fit the templates of
/// their classes best, in sum; `fitted` are the cells at the nominal height.
fn line_lens(
    cells: &[Centre],
    fitted: &[Fitted],
    sample: &dyn Fn(Centre, f32) -> Option<[f32; glyphs::N]>,
) -> (f32, usize) {
    let banks = &glyphs::templates().banks;
    let mut best = (f32::MIN, 1.0f32, 0usize);
    for kv in LINE_SCALES {
        let cells: Vec<([f32; glyphs::N], usize)> = if kv == 1.0 {
            fitted.iter().flatten().copied().collect()
        } else {
            cells
                .iter()
                .zip(fitted)
                .filter_map(|(&c, f)| Some((sample(c, kv)?, f.as_ref()?.1)))
                .collect()
        };
        for (b, bank) in banks.iter().enumerate() {
            let total: f32 = cells
                .iter()
                .filter_map(|(g, class)| bank.get(*class).map(|t| glyphs::dot(g, t)))
                .sum();
            if total > best.0 {
                best = (total, kv, b);
            }
        }
    }
    (best.1, best.2)
}

/// A glyph sample at a cell centre, moved by (x, y) grid steps.
type SampleAt<'a> = dyn Fn(Centre, (f32, f32)) -> Option<[f32; glyphs::N]> + 'a;

/// A cell: its ink centre (strip column), the skew offset there, and the
/// local pitch relative to the line's mean.
type Centre = (f32, f32, f32);

/// A cell's sample and its best class.
type Fitted = Option<([f32; glyphs::N], usize)>;

/// The vertical offset (grid steps) under which the cells fit their best
/// templates best, in sum, and each cell's sample and best class there.
fn line_offset(cells: &[Centre], sample: &SampleAt<'_>) -> (f32, Vec<Fitted>, f32) {
    let mut sc = [0.0f32; 37];
    let mut best = (f32::MIN, 0.0f32, Vec::new());
    for oy in LINE_OFFSETS {
        let mut total = 0.0;
        let mut fitted = Vec::with_capacity(cells.len());
        for &c in cells {
            let Some(g) = sample(c, (0.0, oy)) else {
                fitted.push(None);
                continue;
            };
            glyphs::correlate(&g, &mut sc);
            let (i, v) = sc
                .iter()
                .copied()
                .enumerate()
                .fold((0, f32::MIN), |a, b| if b.1 > a.1 { b } else { a });
            total += v;
            fitted.push(Some((g, i)));
        }
        if total > best.0 {
            best = (total, oy, fitted);
        }
    }
    (best.1, best.2, best.0)
}

/// Best correlation high and far above every other class.
fn clear_winner(scores: &[f32; 37]) -> bool {
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
const CLEAR_COST: f32 = 0.12;
const CLEAR_MARGIN: f32 = 0.1;

/// Classes rescored against the line's blur bank, per character.
const RESCORE: usize = 6;

/// A line whose worst character costs more than this is re-segmented.
const RETRY_COST: f32 = 0.5;
/// A line whose worst character costs more than this is read again on the grid
/// of a line whose worst does not.
const REGRID_COST: f32 = 0.3;

struct LineRead {
    cands: Vec<Candidates>,
    margins: Vec<f32>,
    text: String,
    worst: f32,
    sum: f32,
    margin: f32,
    cap: f32,
    /// Left edge of the first cell and the pitch (strip pixels).
    start: f32,
    pitch: f32,
    /// The cell boundaries the line was read with.
    grid: Vec<f32>,
}

/// Where one line lies in the strip: its band, column profile, ink extent
/// [bs, be) and index.
#[derive(Clone, Copy)]
struct LineGeometry<'a> {
    band: &'a Band,
    col: &'a [f32],
    bs: f32,
    be: f32,
    li: usize,
    /// Cell boundaries to use instead of fitting them to the column profile.
    grid: Option<&'a [f32]>,
    /// Only fit a subset of the cells, and give their mean cost as `sum`.
    probe: bool,
}

/// Segments one line between the ink extent [bs, be) and classifies every cell.
fn read_line(
    strip: &Strip,
    geometry: &LineGeometry<'_>,
    format: Format,
    delta: &dyn Fn(f32) -> f32,
) -> LineRead {
    let LineGeometry {
        band,
        col,
        bs,
        be,
        li,
        grid: _,
        probe: _,
    } = *geometry;
    let n = format.chars();
    // Digits stand taller than capitals in OCR-B, so the band height depends on
    // the line's content; the capital height follows from the pitch instead
    // (2.35 mm nominal at the 2.54 mm pitch), and the baseline is measured.
    let pitch = (be - bs) / (n as f32 - 1.0 + GLYPH_W);
    let expect = match geometry.grid {
        Some(g) => g.to_vec(),
        None => grid_fit(col, bs, be, n, band.bottom - band.top).unwrap_or_else(|| {
            let x0 = bs - (1.0 - GLYPH_W) / 2.0 * pitch;
            (0..=n).map(|i| x0 + i as f32 * pitch).collect()
        }),
    };
    let pitch =
        (expect.last().copied().unwrap_or(0.0) - expect.first().copied().unwrap_or(0.0)) / n as f32;
    let cap = CAP_PER_PITCH * pitch;
    let cells = segment(col, &expect, band.bottom - band.top);
    let base = line_baseline(strip, &cells, band, delta, cap);
    let mut out = LineRead {
        cands: Vec::with_capacity(n),
        margins: Vec::with_capacity(n),
        text: String::with_capacity(n),
        worst: 0.0,
        sum: 0.0,
        margin: f32::MAX,
        cap,
        start: cells.first().copied().unwrap_or(0) as f32,
        pitch,
        grid: expect.clone(),
    };
    // Ink centre of every cell, and the skew offset there.
    let centres: Vec<Centre> = cells
        .windows(2)
        .enumerate()
        .map(|(i, w)| {
            let (a, b) = match w {
                [a, b] => (*a, *b),
                _ => (0, 0),
            };
            let (mut m, mut mx) = (0.0f32, 0.0f32);
            for x in a..b {
                let c = col.get(x).copied().unwrap_or(0.0);
                m += c;
                mx += c * (x as f32 + 0.5);
            }
            let cx = if m > 0.0 {
                mx / m
            } else {
                (a + b) as f32 / 2.0
            };
            let local = match (expect.get(i), expect.get(i + 1)) {
                (Some(a), Some(b)) if pitch > 0.0 => (b - a) / pitch,
                _ => 1.0,
            };
            (cx, delta(cx), local)
        })
        .collect();
    let step = cap / 13.0;
    // A standardized glyph sample at a cell, moved by (ox, oy) grid steps, the
    // glyph box `kv` times the nominal height. Where perspective changes the
    // pitch along the line, a glyph's width follows the local pitch, and its
    // height the square root of it: along the direction of a tilt, lengths
    // shrink with the square of the distance, across it with the distance.
    // The line's `kv` is a vertical stretch only (a tilt about the line's own
    // axis): the width is known from the pitch. A `0` is an `O` 8% taller, so
    // any error in the height the glyph is sampled at is an error between them.
    let sample = |(cx, d, r): Centre, (ox, oy): (f32, f32), kv: f32| {
        let mut g = strip.glyph(
            cx + ox * step,
            base + d - cap * kv * r.sqrt() + oy * step,
            base + d + oy * step,
            cap * r,
        );
        glyphs::standardize(&mut g).then_some(g)
    };
    // The baseline holds for the whole line: its offset is chosen once, by the
    // fit of a subset of cells, so that no single character can slide up or
    // down until a shorter capital fits a taller digit. The subset's best
    // classes there then choose the line's lens: the whole line went through
    // one lens and one perspective, so the blur and the glyph height that best
    // explain those characters are the ones every close call is decided with.
    // Chosen per character, a blurred `0` passes for a sharp `O`, and a squat
    // `0` for an `O` (digits stand 7% taller than capitals in OCR-B).
    if geometry.probe {
        // A grid a whole pitch off fits the inner characters as well as the
        // right one (it reads them at the wrong indices); its end cells show
        // it. The subset's mean cost plus the end cells' mean cost, against
        // the sharp templates.
        let k = centres.len();
        let ends: Vec<Centre> = [0, 1, k.saturating_sub(2), k.saturating_sub(1)]
            .iter()
            .filter_map(|&i| centres.get(i).copied())
            .collect();
        let subset: Vec<Centre> = centres.iter().copied().step_by(LENS_STRIDE).collect();
        let (oy, _, fit) = line_offset(&subset, &|c, shift| sample(c, shift, 1.0));
        let mut sc = [0.0f32; 37];
        let end_fit: f32 = ends
            .iter()
            .filter_map(|&c| sample(c, (0.0, oy), 1.0))
            .map(|g| {
                glyphs::correlate(&g, &mut sc);
                sc.iter().copied().fold(f32::MIN, f32::max)
            })
            .sum();
        out.sum = 2.0 - fit / subset.len().max(1) as f32 - end_fit / ends.len().max(1) as f32;
        return out;
    }
    let subset: Vec<Centre> = centres.iter().copied().step_by(LENS_STRIDE).collect();
    let (oy, at_offset, _) = line_offset(&subset, &|c, shift| sample(c, shift, 1.0));
    let (kv, bank) = line_lens(&subset, &at_offset, &|c, kv| sample(c, (0.0, oy), kv));
    // Every cell against the sharp templates, at a few placements.
    let first: Vec<([f32; 37], Vec<[f32; glyphs::N]>)> = centres
        .iter()
        .map(|&centre| {
            let mut scores = [f32::MIN; 37];
            let mut samples = Vec::with_capacity(SHIFTS.len());
            for (ox, dy) in SHIFTS {
                let mut sc = [0.0f32; 37];
                if let Some(g) = sample(centre, (ox, oy + dy), kv) {
                    glyphs::correlate(&g, &mut sc);
                    samples.push(g);
                }
                for (a, b) in scores.iter_mut().zip(sc) {
                    *a = a.max(b);
                }
                if samples.len() == 1 && clear_winner(&scores) {
                    break;
                }
            }
            (scores, samples)
        })
        .collect();
    let order = |scores: &[f32; 37], idx: &mut Vec<usize>| {
        idx.sort_by(|&p, &q| {
            scores
                .get(q)
                .copied()
                .unwrap_or(0.0)
                .total_cmp(&scores.get(p).copied().unwrap_or(0.0))
        });
    };
    let mut scored: Vec<[f32; 37]> = first
        .into_iter()
        .map(|(mut scores, samples)| {
            let mut idx: Vec<usize> = (0..37).collect();
            order(&scores, &mut idx);
            for &i in idx.iter().take(RESCORE) {
                if let Some(sv) = scores.get_mut(i) {
                    *sv = glyphs::correlate_bank(&samples, bank, i);
                }
            }
            scores
        })
        .collect();
    // Heights are measured only on a line with a `0`/`O` call to settle (not
    // on a name line), faintness only where no check digit covers the cell.
    if scored.iter().any(zero_or_o_in_doubt) {
        let heights: Vec<Option<f32>> = centres
            .iter()
            .map(|&(cx, d, r)| glyph_height(strip, cx, base + d, cap * r.sqrt(), pitch * r))
            .collect();
        weigh_heights(&mut scored, &heights, &centres);
    }
    let faint = faint_cells(strip, &cells, &centres, base, cap, &|ci| {
        !layout::check_covered(format, li, ci)
    });
    for (ci, scores) in scored.into_iter().enumerate() {
        let mut idx: Vec<usize> = (0..37).collect();
        order(&scores, &mut idx);
        let class = layout::class_at(format, li, ci);
        let allowed = |i: &usize| CLASSES.get(*i).is_some_and(|&c| class.allows(c));
        let best = idx.iter().copied().find(allowed).unwrap_or(0);
        let cost = |i: usize| 1.0 - scores.get(i).copied().unwrap_or(0.0);
        let best_cost = cost(best);
        out.worst = out.worst.max(best_cost);
        out.sum += best_cost;
        let second = idx
            .iter()
            .copied()
            .filter(|i| *i != best && allowed(i))
            .map(cost)
            .next()
            .unwrap_or(2.0);
        // A glyph washed out by glare or shadow may have lost a stroke (an `E`
        // its foot, and reads as a clear `F`): its lead says nothing.
        let lead = if faint.get(ci).copied().unwrap_or(false) {
            0.0
        } else {
            second - best_cost
        };
        out.margins.push(lead);
        // Only where no check digit will catch a confusion (a close call under
        // one is settled by it, unless a rival reading also holds: see
        // `scan::lines_have_rival`).
        if !layout::check_covered(format, li, ci) {
            out.margin = out.margin.min(lead);
        }
        out.text.push(CLASSES.get(best).copied().unwrap_or('<'));
        // Only what the position allows: repair starts from the best of these,
        // as the text does.
        out.cands.push(
            idx.iter()
                .filter(|i| allowed(i))
                .take(TOP)
                .map(|&i| (CLASSES.get(i).copied().unwrap_or('<'), cost(i)))
                .collect(),
        );
    }
    out
}

/// Per cell, whether its darkest ink is much fainter than the line's: the
/// 95th percentile of the ink over the cell's glyph box against the median of
/// that over the line's cells.
fn faint_cells(
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
const FAINT: f32 = 0.6;

/// How tall a glyph stands above the baseline (strip rows), from the ink in
/// the middle of its cell: where the top stroke's rows reach half their peak.
/// `None` if the cell shows no top stroke.
fn glyph_height(strip: &Strip, cx: f32, baseline: f32, cap: f32, pitch: f32) -> Option<f32> {
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
const TOP_HEIGHTS: [(char, f32); 14] = [
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
const ZERO_HEIGHT: f32 = 313.6;
const O_HEIGHT: f32 = 290.0;
/// Reference glyphs nearest a cell that tell the scale there, and how many
/// at least.
const HEIGHT_NEIGHBOURS: usize = 6;
const HEIGHT_MIN_NEIGHBOURS: usize = 3;
/// A glyph counts as a reference when it leads every other class by this.
const HEIGHT_REF_MARGIN: f32 = 0.05;
/// The references' median deviation (relative) up to which their scale is
/// trusted fully, and from which not at all.
const HEIGHT_MAD_FULL: f32 = 0.01;
const HEIGHT_MAD_NONE: f32 = 0.03;
/// The most the measured height moves the scores of `0` and `O` apart.
const HEIGHT_WEIGHT: f32 = 0.2;

/// Moves the scores of `0` and `O` apart at every cell where they are close,
/// by how tall the glyph stands against the clearly read glyphs near it.
fn weigh_heights(scored: &mut [[f32; 37]], heights: &[Option<f32>], centres: &[Centre]) {
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
fn zero_or_o_in_doubt(sc: &[f32; 37]) -> bool {
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
const ZERO_CLASS: usize = 0;
const O_CLASS: usize = 24;

/// The best class of a cell's scores and its lead over the next.
fn best_and_lead(sc: &[f32; 37]) -> (usize, f32) {
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

/// The baseline of a line (strip rows, before the skew offset): the bottom edge of
/// each cell at half its peak, then a high quantile, because fillers end above the
/// baseline while letters and digits sit on it (and digits stand taller, so the
/// top edge is no reference).
fn line_baseline(
    strip: &Strip,
    cells: &[usize],
    band: &Band,
    delta: &dyn Fn(f32) -> f32,
    cap: f32,
) -> f32 {
    let y0 = (band.top - 0.3 * cap).floor() as i32;
    // Not far below the band: the card edge or the background may lie there.
    let y1 = (band.bottom + 0.12 * cap).ceil() as i32;
    let mut bottoms = Vec::with_capacity(cells.len());
    let mut prof = Vec::with_capacity((y1 - y0).max(0) as usize);
    for w in cells.windows(2) {
        let [a, b] = w else { continue };
        let d = delta((*a + *b) as f32 / 2.0).round() as i32;
        prof.clear();
        for y in y0..y1 {
            prof.push((*a..*b).map(|x| strip.ink(x as i32, y + d)).sum::<f32>());
        }
        let pm = prof.iter().copied().fold(0.0f32, f32::max);
        if pm <= 0.0 {
            continue;
        }
        let half = 0.5 * pm;
        // The lowest row above half.
        let Some(y) = prof.iter().rposition(|&v| v > half) else {
            continue;
        };
        let (va, vb) = (
            prof.get(y).copied().unwrap_or(0.0),
            prof.get(y + 1).copied().unwrap_or(0.0),
        );
        let frac = if va - vb > 1e-6 {
            (va - half) / (va - vb)
        } else {
            0.5
        };
        let bottom = y0 as f32 + y as f32 + frac + 0.5;
        if bottom > band.bottom - 0.3 * cap && y + 1 < prof.len() {
            bottoms.push(bottom);
        }
    }
    if bottoms.is_empty() {
        return band.bottom;
    }
    bottoms.sort_by(f32::total_cmp);
    let i = (bottoms.len() as f32 * 0.85) as usize;
    bottoms
        .get(i.min(bottoms.len() - 1))
        .copied()
        .unwrap_or(band.bottom)
}

/// The middle of a cell, and the half-width of the span around a boundary, in
/// pitches; the boundary's ink counts this many times against the middle's.
const MIDDLE: (f32, f32) = (0.2, 0.8);
const BOUNDARY: f32 = 0.1;
const BOUNDARY_WEIGHT: f32 = 2.0;

/// Pitches tried around the periodic estimate, in steps of this fraction.
const PITCH_STEPS: i32 = 4;
const PITCH_STEP: f32 = 0.005;

/// The character pitch of a fixed-pitch line from its column profile between
/// `left` and `right`: the lag near `p0` (within 15%) at which the profile's
/// autocorrelation, summed over the first few multiples, peaks. Fillers are as
/// periodic as text, so this holds where the grid fit alone drifts.
fn periodic_pitch(col: &[f32], left: f32, right: f32, p0: f32) -> Option<f32> {
    const MULTIPLES: usize = 4;
    let (a, b) = (
        left.max(0.0) as usize,
        (right.max(0.0) as usize).min(col.len()),
    );
    let seg = col.get(a..b)?;
    let max_lag = (MULTIPLES as f32 * p0 * 1.15).ceil() as usize + 1;
    if p0 < 3.0 || seg.len() < 2 * max_lag {
        return None;
    }
    let m = seg.iter().sum::<f32>() / seg.len() as f32;
    let v: Vec<f32> = seg.iter().map(|c| c - m).collect();
    let ac: Vec<f32> = (0..=max_lag)
        .map(|lag| {
            let k = v.len() - lag;
            v.iter()
                .zip(v.iter().skip(lag))
                .map(|(x, y)| x * y)
                .sum::<f32>()
                / k as f32
        })
        .collect();
    let at = |x: f32| {
        let i = x as usize;
        let f = x - i as f32;
        let p = ac.get(i).copied().unwrap_or(0.0);
        p + (ac.get(i + 1).copied().unwrap_or(0.0) - p) * f
    };
    let comb = |p: f32| (1..=MULTIPLES).map(|k| at(k as f32 * p)).sum::<f32>();
    let mut best = (f32::MIN, p0);
    let mut p = 0.85 * p0;
    while p <= 1.15 * p0 {
        let c = comb(p);
        if c > best.0 {
            best = (c, p);
        }
        p += 0.05;
    }
    (best.0 > 0.0).then_some(best.1)
}

/// A regular grid of `n` cells fitted to the column profile: the pitch (and a
/// linear change of it, for perspective) and the offset that put ink across every
/// cell's middle and gaps on the boundaries. The MRZ has no spaces, so a grid one
/// character off leaves a cell empty and loses. Returns n + 1 boundaries.
fn grid_fit(col: &[f32], left: f32, right: f32, n: usize, cap: f32) -> Option<Vec<f32>> {
    let w = col.len();
    if w < 4 || n == 0 {
        return None;
    }
    // Mean ink over spans of the profile, from prefix sums: a cell is judged by
    // the ink across its middle (a `0` or an `O` is hollow at its very centre)
    // against the ink across its boundaries.
    let mut prefix = Vec::with_capacity(w + 1);
    let mut acc = 0.0f32;
    prefix.push(0.0);
    for &c in col {
        acc += c;
        prefix.push(acc);
    }
    let integral = |x: f32| {
        let x = x.clamp(0.0, w as f32);
        let i = x as usize;
        let base = prefix.get(i).copied().unwrap_or(acc);
        base + (x - i as f32) * col.get(i).copied().unwrap_or(0.0)
    };
    let mean = |a: f32, b: f32| (integral(b) - integral(a)) / (b - a).max(1e-3);
    let p0 = (right - left) / (n as f32 - 1.0 + GLYPH_W);
    let empty = 0.12 * cap;
    let nf = n as f32;
    let inside = |x: f32, p: f32| mean(x + MIDDLE.0 * p, x + MIDDLE.1 * p);
    let between = |x: f32, p: f32| mean(x - BOUNDARY * p, x + BOUNDARY * p);
    let score_of = |o: f32, p: f32, g: f32| {
        let mut x = o;
        let mut score = 0.0;
        for j in 0..n {
            let pj = p * (1.0 + g * (j as f32 - nf / 2.0) / nf);
            let c = inside(x, pj);
            score += c - BOUNDARY_WEIGHT * between(x, pj);
            if c < empty {
                score -= cap;
            }
            x += pj;
        }
        // A character just beyond either end means the grid is too short:
        // among fillers nothing else holds the pitch.
        let outside = |c: f32| if c < empty { 0.0 } else { cap };
        score - BOUNDARY_WEIGHT * between(x, p) - outside(inside(x, p)) - outside(inside(o - p, p))
    };
    // The pitch from the profile's periodicity where it shows, else from the
    // extent; then the offset anywhere the extent allows, give or take a
    // pitch: a dark card edge or a stray mark stretches the extent, and the
    // cells just beyond each end must be empty.
    let pe = periodic_pitch(col, left, right, p0).unwrap_or(p0);
    // Perspective: the pitch changes along the line, by as much as a fifth
    // between its ends on a tilted page. Its halves' periodicity tells by how
    // much; the fit searches near that.
    let mid = (left + right) / 2.0;
    let g0 = match (
        periodic_pitch(col, left, mid, pe),
        periodic_pitch(col, mid, right, pe),
    ) {
        (Some(pl), Some(pr)) => 4.0 * (pr - pl) / (pr + pl),
        _ => 0.0,
    };
    // Coarse to fine: pitch and offset (every other pixel), then the
    // perspective term near them, then pitch and offset again.
    let mut best = (f32::MIN, 0.0f32, pe, g0);
    for pi in -PITCH_STEPS..=PITCH_STEPS {
        let p = pe * (1.0 + pi as f32 * PITCH_STEP);
        let span = (nf - 1.0 + GLYPH_W) * p;
        let inset = (1.0 - GLYPH_W) / 2.0 * p;
        let first = left - inset - 1.2 * p;
        let last = (right - span - inset + 1.2 * p).max(left - inset + 0.6 * p);
        let mut o = first;
        while o <= last {
            let sc = score_of(o, p, g0);
            if sc > best.0 {
                best = (sc, o, p, g0);
            }
            o += 2.0;
        }
    }
    let (_, o1, p1, _) = best;
    for gi in -3..=3 {
        let g = g0 + gi as f32 * 0.02;
        for pi in -1..=1 {
            let p = p1 * (1.0 + pi as f32 * PITCH_STEP);
            for oi in -2..=2 {
                let o = o1 + oi as f32;
                let sc = score_of(o, p, g);
                if sc > best.0 {
                    best = (sc, o, p, g);
                }
            }
        }
    }
    let (_, o2, p2, g2) = best;
    for pi in -2..=2 {
        let p = p2 * (1.0 + pi as f32 * PITCH_STEP);
        for oi in -3..=3 {
            let o = o2 + oi as f32 * 0.5;
            let sc = score_of(o, p, g2);
            if sc > best.0 {
                best = (sc, o, p, g2);
            }
        }
    }
    let (_, o, p, g) = best;
    let mut out = Vec::with_capacity(n + 1);
    let mut x = o;
    out.push(x);
    for j in 0..n {
        x += p * (1.0 + g * (j as f32 - nf / 2.0) / nf);
        out.push(x);
    }
    Some(out)
}

/// Cell boundaries (n + 1 columns) near the expected ones: dynamic programming
/// that puts boundaries in ink minima while keeping widths near the local pitch.
fn segment(col: &[f32], expect: &[f32], cap: f32) -> Vec<usize> {
    let n = expect.len().saturating_sub(1);
    let w = col.len();
    let inf = f32::INFINITY;
    let first = expect.first().copied().unwrap_or(0.0);
    let last = expect.last().copied().unwrap_or(0.0);
    let p = if n > 0 {
        (last - first) / n as f32
    } else {
        1.0
    };
    if n == 0 || w < 2 || p < 1.0 {
        return expect.iter().map(|v| v.max(0.0) as usize).collect();
    }
    let lam = 2.0 * cap / (p * p);
    let reach = 0.3 * p;
    let range = |e: f32| {
        (
            (e - reach).max(0.0) as usize,
            ((e + reach).max(0.0) as usize).min(w - 1),
        )
    };
    // cost[i][x]: best cost with boundary i at column x.
    let mut cost = vec![inf; (n + 1) * w];
    let mut from = vec![0u32; (n + 1) * w];
    let (lo, hi) = range(first);
    for x in lo..=hi {
        if let Some(c) = cost.get_mut(x) {
            *c = col.get(x).copied().unwrap_or(0.0);
        }
    }
    for i in 1..=n {
        let e = expect.get(i).copied().unwrap_or(0.0);
        let local = e - expect.get(i - 1).copied().unwrap_or(0.0);
        let (plo, phi) = range(expect.get(i - 1).copied().unwrap_or(0.0));
        let (lo, hi) = range(e);
        for x in lo..=hi {
            let mut best = (inf, 0u32);
            for px in plo..=phi.min(x.saturating_sub(1)) {
                let pc = cost.get((i - 1) * w + px).copied().unwrap_or(inf);
                if pc == inf {
                    continue;
                }
                let dev = (x - px) as f32 - local;
                let c = pc + lam * dev * dev;
                if c < best.0 {
                    best = (c, px as u32);
                }
            }
            if best.0 < inf
                && let (Some(c), Some(f)) = (cost.get_mut(i * w + x), from.get_mut(i * w + x))
            {
                *c = best.0 + col.get(x).copied().unwrap_or(0.0);
                *f = best.1;
            }
        }
    }
    let end = (0..w)
        .filter(|&x| cost.get(n * w + x).is_some_and(|c| c.is_finite()))
        .min_by(|&a, &b| {
            cost.get(n * w + a)
                .copied()
                .unwrap_or(inf)
                .total_cmp(&cost.get(n * w + b).copied().unwrap_or(inf))
        });
    let Some(mut x) = end else {
        return expect.iter().map(|v| v.max(0.0) as usize).collect();
    };
    let mut out = vec![0usize; n + 1];
    for i in (0..=n).rev() {
        if let Some(o) = out.get_mut(i) {
            *o = x;
        }
        if i > 0 {
            x = from.get(i * w + x).copied().unwrap_or(0) as usize;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strip(w: usize, h: usize) -> Strip {
        let ink = (0..w * h)
            .map(|i| ((i * 7919 % 1000) as f32 / 1000.0).powi(2))
            .collect();
        Strip {
            w,
            h,
            ink,
            saturated: 0.0,
            clipped: false,
            sharp: 0.0,
        }
    }

    /// A column profile of `n` glyphs whose pitch grows linearly from
    /// `p_left` to `p_right`, each glyph a bump over 0.69 of its cell, with a
    /// dark block (a card edge) a pitch past the end. Returns it with the true
    /// boundaries.
    fn perspective_profile(n: usize, x0: f32, p_left: f32, p_right: f32) -> (Vec<f32>, Vec<f32>) {
        let mut bounds = vec![x0];
        for j in 0..n {
            let p = p_left + (p_right - p_left) * (j as f32 + 0.5) / n as f32;
            bounds.push(bounds[j] + p);
        }
        let end = bounds[n];
        let w = (end + 3.0 * p_right) as usize;
        let col = (0..w)
            .map(|x| {
                let x = x as f32 + 0.5;
                if x > end + p_right && x < end + 2.0 * p_right {
                    return 12.0;
                }
                bounds
                    .windows(2)
                    .find(|b| x >= b[0] && x < b[1])
                    .map_or(0.0, |b| {
                        let t = (x - b[0]) / (b[1] - b[0]);
                        let margin = (1.0 - GLYPH_W) / 2.0;
                        if t > margin && t < 1.0 - margin {
                            8.0
                        } else {
                            0.0
                        }
                    })
            })
            .collect();
        (col, bounds)
    }

    #[test]
    fn the_grid_follows_a_pitch_that_changes_by_a_fifth() {
        let (n, p_left, p_right) = (44, 13.5, 16.5);
        let (col, truth) = perspective_profile(n, 20.0, p_left, p_right);
        let first = truth[0] + (1.0 - GLYPH_W) / 2.0 * p_left;
        // The extent as measured, stretched to the dark edge past the line.
        let last = truth[n] + 2.0 * p_right;
        let grid = grid_fit(&col, first, last, n, 14.0).expect("grid");
        for (j, (g, t)) in grid.iter().zip(&truth).enumerate() {
            assert!((g - t).abs() < 0.25 * p_left, "boundary {j}: {g} vs {t}");
        }
    }

    #[test]
    fn the_pitch_is_read_from_the_periodicity() {
        let (col, truth) = perspective_profile(30, 10.0, 15.0, 15.0);
        let p = periodic_pitch(&col, truth[0], truth[30], 16.5).expect("pitch");
        assert!((p - 15.0).abs() < 0.2, "{p}");
        // Flat: no period.
        assert_eq!(periodic_pitch(&[1.0; 600], 0.0, 600.0, 15.0), None);
    }

    #[test]
    fn separable_glyph_sampling_matches_the_generic_one() {
        let s = strip(120, 60);
        // Inside (every sub-sample count), and across the edges (fallback).
        for (cx, top, cap) in [
            (40.3, 10.2, 12.0),
            (60.0, 20.7, 20.0),
            (70.5, 5.1, 33.0),
            (3.0, 2.0, 14.0),
            (115.0, 40.0, 25.0),
        ] {
            // As wide as tall, and stretched either way.
            for width in [cap, 0.8 * cap, 1.2 * cap] {
                let fast = s.glyph(cx, top, top + cap, width);
                let slow = glyphs::normalize(
                    |x, y| s.ink_bilinear(x - 0.5, y - 0.5),
                    cx,
                    top,
                    top + cap,
                    width,
                );
                for (a, b) in fast.iter().zip(slow.iter()) {
                    assert!((a - b).abs() < 1e-4, "{cx} {top} {cap} {width}: {a} vs {b}");
                }
            }
        }
    }

    /// `text` set in OCR-B on white, capitals `cap` rows tall on the baseline
    /// row `base`, at the MRZ's pitch, slightly blurred; with each cell's
    /// centre column.
    fn set_line(text: &str, cap: f32, base: f32) -> (Strip, Vec<f32>, f32) {
        let font = glyphs::font().expect("font");
        let pitch = cap / CAP_PER_PITCH;
        let w = ((text.len() as f32 + 2.0) * pitch) as usize;
        let h = (base + cap) as usize;
        let mut ink = vec![0.0f32; w * h];
        let mut centres = Vec::new();
        for (i, c) in text.chars().enumerate() {
            let xc = (i as f32 + 1.5) * pitch;
            centres.push(xc);
            let r = glyphs::rasterize(&font, c, cap).expect("glyph");
            let (ox, oy) = (
                (xc - r.cx).round() as i32,
                (base - r.baseline).round() as i32,
            );
            for y in 0..r.height {
                for x in 0..r.width {
                    let (sx, sy) = (x as i32 + ox, y as i32 + oy);
                    if sx >= 0 && sy >= 0 && (sx as usize) < w && (sy as usize) < h {
                        ink[sy as usize * w + sx as usize] += r.cov[y * r.width + x];
                    }
                }
            }
        }
        // A [1 2 1] blur both ways: the lens.
        let blur = |v: &[f32], at: &dyn Fn(usize, i32) -> Option<usize>| -> Vec<f32> {
            (0..v.len())
                .map(|i| {
                    let g = |d| at(i, d).and_then(|j| v.get(j)).copied().unwrap_or(0.0);
                    (g(-1) + 2.0 * g(0) + g(1)) / 4.0
                })
                .collect()
        };
        let ink = blur(&ink, &|i, d| {
            let x = (i % w) as i32 + d;
            (x >= 0 && (x as usize) < w).then(|| i - (i % w) + x as usize)
        });
        let ink = blur(&ink, &|i, d| {
            let y = (i / w) as i32 + d;
            (y >= 0 && (y as usize) < h).then(|| y as usize * w + i % w)
        });
        let strip = Strip {
            w,
            h,
            ink,
            saturated: 0.0,
            clipped: false,
            sharp: 0.0,
        };
        (strip, centres, pitch)
    }

    /// Scores as the template match leaves them on a blurred frame: every
    /// character clear, except each `0` and `O`, which tie.
    fn tied_scores(text: &str) -> Vec<[f32; 37]> {
        text.chars()
            .map(|c| {
                let mut sc = [0.5f32; 37];
                for (k, v) in sc.iter_mut().enumerate() {
                    let class = CLASSES.get(k).copied();
                    if class == Some(c)
                        || (matches!(c, '0' | 'O') && matches!(class, Some('0' | 'O')))
                    {
                        *v = 0.9;
                    }
                }
                sc
            })
            .collect()
    }

    fn weighed(text: &str, cap: f32) -> Vec<[f32; 37]> {
        let base = 2.0 * cap;
        let (strip, xs, pitch) = set_line(text, cap, base);
        let centres: Vec<Centre> = xs.iter().map(|&x| (x, 0.0, 1.0)).collect();
        let heights: Vec<Option<f32>> = xs
            .iter()
            .map(|&x| glyph_height(&strip, x, base, cap, pitch))
            .collect();
        let mut scored = tied_scores(text);
        weigh_heights(&mut scored, &heights, &centres);
        scored
    }

    #[test]
    fn a_zero_stands_taller_than_an_o_and_the_digits_beside_it_tell() {
        let (zero, oh) = (0, 24);
        assert_eq!((CLASSES[zero], CLASSES[oh]), ('0', 'O'));
        assert_eq!((ZERO_CLASS, O_CLASS), (zero, oh));
        // At 14 rows per capital a `0` stands one row above an `O`.
        for cap in [14.0, 20.0] {
            let text = "2350O7890O58E";
            for (i, (c, sc)) in text.chars().zip(weighed(text, cap)).enumerate() {
                let lead = sc[zero] - sc[oh];
                match c {
                    '0' => assert!(lead > 0.1, "cap {cap}, cell {i}: {lead}"),
                    'O' => assert!(lead < -0.1, "cap {cap}, cell {i}: {lead}"),
                    _ => assert_eq!(sc, tied_scores(text)[i], "cell {i} untouched"),
                }
            }
        }
    }

    #[test]
    fn without_enough_clear_neighbours_the_height_says_nothing() {
        // Two references only.
        let text = "<<0<<O<<25";
        assert_eq!(weighed(text, 14.0), tied_scores(text));
    }
}
