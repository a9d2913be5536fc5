//! The character grid of a line: baseline, pitch from the periodicity, and
//! the perspective grid fit.

use super::GLYPH_W;
use super::bands::Band;
use super::strip::Strip;

/// The baseline of a line (strip rows, before the skew offset): the bottom edge of
/// each cell at half its peak, then a high quantile, because fillers end above the
/// baseline while letters and digits sit on it (and digits stand taller, so the
/// top edge is no reference).
pub(super) fn line_baseline(
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
pub(super) const MIDDLE: (f32, f32) = (0.2, 0.8);
pub(super) const BOUNDARY: f32 = 0.1;
pub(super) const BOUNDARY_WEIGHT: f32 = 2.0;

/// Pitches tried around the periodic estimate, in steps of this fraction.
pub(super) const PITCH_STEPS: i32 = 4;
pub(super) const PITCH_STEP: f32 = 0.005;

/// The character pitch of a fixed-pitch line from its column profile between
/// `left` and `right`: the lag near `p0` (within 15%) at which the profile's
/// autocorrelation, summed over the first few multiples, peaks. Fillers are as
/// periodic as text, so this holds where the grid fit alone drifts.
pub(super) fn periodic_pitch(col: &[f32], left: f32, right: f32, p0: f32) -> Option<f32> {
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
    let ac = autocorrelation(&v, max_lag);
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

/// The autocorrelation of `v` at lags 0 to `max_lag` (each the mean of
/// `v[i] * v[i + lag]` over the `len - lag` terms; `max_lag < len`). Four lags
/// are summed in one pass, each in its own running sum in the order of `i`
/// from a sum of -0.0, as `Iterator::sum` does: the same values, but four
/// independent additions per step instead of one chain.
fn autocorrelation(v: &[f32], max_lag: usize) -> Vec<f32> {
    let n = v.len();
    let mut ac = Vec::with_capacity(max_lag + 1);
    let mut lag = 0;
    while lag <= max_lag && lag < n {
        let lanes = (max_lag + 1 - lag).min(4).min(n - lag);
        let mut sums = [-0.0f32; 4];
        // The terms every lane has, then each lane's remaining ones.
        let common = n - (lag + lanes - 1);
        if lanes == 4
            && let (Some(x), Some(a), Some(b), Some(c), Some(d)) = (
                v.get(..common),
                v.get(lag..lag + common),
                v.get(lag + 1..lag + 1 + common),
                v.get(lag + 2..lag + 2 + common),
                v.get(lag + 3..lag + 3 + common),
            )
        {
            let [s0, s1, s2, s3] = &mut sums;
            for ((((&x, &a), &b), &c), &d) in x.iter().zip(a).zip(b).zip(c).zip(d) {
                *s0 += x * a;
                *s1 += x * b;
                *s2 += x * c;
                *s3 += x * d;
            }
        } else {
            for (j, s) in sums.iter_mut().enumerate().take(lanes) {
                for i in 0..common {
                    *s += v.get(i).copied().unwrap_or(0.0)
                        * v.get(i + lag + j).copied().unwrap_or(0.0);
                }
            }
        }
        for (j, s) in sums.iter_mut().enumerate().take(lanes) {
            let k = n - lag - j;
            for i in common..k {
                *s += v.get(i).copied().unwrap_or(0.0) * v.get(i + lag + j).copied().unwrap_or(0.0);
            }
            ac.push(*s / k as f32);
        }
        lag += lanes;
    }
    ac
}

/// A regular grid of `n` cells fitted to the column profile: the pitch (and a
/// linear change of it, for perspective) and the offset that put ink across every
/// cell's middle and gaps on the boundaries. The MRZ has no spaces, so a grid one
/// character off leaves a cell empty and loses. Returns n + 1 boundaries.
pub(super) fn grid_fit(col: &[f32], left: f32, right: f32, n: usize, cap: f32) -> Option<Vec<f32>> {
    let w = col.len();
    if w < 4 || n == 0 || w > i32::MAX as usize {
        return None;
    }
    // Mean ink over spans of the profile, from prefix sums: a cell is judged by
    // the ink across its middle (a `0` or an `O` is hollow at its very centre)
    // against the ink across its boundaries. Each entry holds the prefix sum
    // up to a column and the column's ink (one lookup per integral).
    let mut table: Vec<[f32; 2]> = Vec::with_capacity(w + 1);
    let mut acc = 0.0f32;
    for &c in col {
        table.push([acc, c]);
        acc += c;
    }
    table.push([acc, 0.0]);
    // Through i32, which converts to and from f32 in one instruction each
    // (usize takes several): x is clamped to [0, w] and w is a strip's
    // width, so the index is the same.
    let integral = |x: f32| {
        let x = x.clamp(0.0, w as f32);
        let i = x as i32;
        let [base, ink] = table.get(i as usize).copied().unwrap_or([acc, 0.0]);
        base + (x - i as f32) * ink
    };
    let mean = |a: f32, b: f32| (integral(b) - integral(a)) / (b - a).max(1e-3);
    let p0 = (right - left) / (n as f32 - 1.0 + GLYPH_W);
    let empty = 0.12 * cap;
    let nf = n as f32;
    let inside = |x: f32, p: f32| mean(x + MIDDLE.0 * p, x + MIDDLE.1 * p);
    let between = |x: f32, p: f32| mean(x - BOUNDARY * p, x + BOUNDARY * p);
    // Per cell of a grid of pitch `p` and perspective `g`: its pitch, the
    // spans' ends relative to its left edge, and the reciprocals of the
    // spans `inside` and `between` average over. Every offset tried shares
    // them, and divisions were most of the fit's time.
    let cells_of = |p: f32, g: f32, cells: &mut Vec<[f32; 6]>| {
        cells.clear();
        cells.extend((0..n).map(|j| {
            let pj = p * (1.0 + g * (j as f32 - nf / 2.0) / nf);
            [
                pj,
                MIDDLE.0 * pj,
                MIDDLE.1 * pj,
                BOUNDARY * pj,
                1.0 / ((MIDDLE.1 - MIDDLE.0) * pj).max(1e-3),
                1.0 / (2.0 * BOUNDARY * pj).max(1e-3),
            ]
        }));
    };
    let score_of = |o: f32, p: f32, cells: &[[f32; 6]]| {
        let mut x = o;
        let mut score = 0.0;
        for &[pj, m0, m1, half_boundary, inv_inside, inv_between] in cells {
            let c = (integral(x + m1) - integral(x + m0)) * inv_inside;
            let b = (integral(x + half_boundary) - integral(x - half_boundary)) * inv_between;
            score += c - BOUNDARY_WEIGHT * b;
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
    let mut cells = Vec::with_capacity(n);
    for pi in -PITCH_STEPS..=PITCH_STEPS {
        let p = pe * (1.0 + pi as f32 * PITCH_STEP);
        let span = (nf - 1.0 + GLYPH_W) * p;
        let inset = (1.0 - GLYPH_W) / 2.0 * p;
        let first = left - inset - 1.2 * p;
        let last = (right - span - inset + 1.2 * p).max(left - inset + 0.6 * p);
        cells_of(p, g0, &mut cells);
        let mut o = first;
        while o <= last {
            let sc = score_of(o, p, &cells);
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
            cells_of(p, g, &mut cells);
            for oi in -2..=2 {
                let o = o1 + oi as f32;
                let sc = score_of(o, p, &cells);
                if sc > best.0 {
                    best = (sc, o, p, g);
                }
            }
        }
    }
    let (_, o2, p2, g2) = best;
    for pi in -2..=2 {
        let p = p2 * (1.0 + pi as f32 * PITCH_STEP);
        cells_of(p, g2, &mut cells);
        for oi in -3..=3 {
            let o = o2 + oi as f32 * 0.5;
            let sc = score_of(o, p, &cells);
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
pub(super) fn segment(col: &[f32], expect: &[f32], cap: f32) -> Vec<usize> {
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
    // cost[i][x]: best cost with boundary i at column x. Only columns within
    // reach of the expected boundary are ever reached: each row keeps just
    // that window (the rest of a full row was never read).
    let windows: Vec<(usize, usize)> = expect.iter().map(|&e| range(e)).collect();
    let mut starts = Vec::with_capacity(n + 2);
    let mut total = 0usize;
    for &(lo, hi) in &windows {
        starts.push(total);
        total += (hi + 1).saturating_sub(lo);
    }
    starts.push(total);
    // Where boundary i at column x is kept, if x lies in its window.
    let slot = |i: usize, x: usize| -> Option<usize> {
        let (lo, hi) = *windows.get(i)?;
        (lo <= x && x <= hi).then(|| starts.get(i).copied().unwrap_or(0) + (x - lo))
    };
    let mut cost = vec![inf; total];
    let mut from = vec![0u32; total];
    let (lo, hi) = windows.first().copied().unwrap_or((1, 0));
    for x in lo..=hi {
        if let Some(c) = slot(0, x).and_then(|k| cost.get_mut(k)) {
            *c = col.get(x).copied().unwrap_or(0.0);
        }
    }
    for i in 1..=n {
        let e = expect.get(i).copied().unwrap_or(0.0);
        let local = e - expect.get(i - 1).copied().unwrap_or(0.0);
        let (plo, phi) = windows.get(i - 1).copied().unwrap_or((1, 0));
        let (lo, hi) = windows.get(i).copied().unwrap_or((1, 0));
        for x in lo..=hi {
            let mut best = (inf, 0u32);
            for px in plo..=phi.min(x.saturating_sub(1)) {
                let pc = slot(i - 1, px)
                    .and_then(|k| cost.get(k))
                    .copied()
                    .unwrap_or(inf);
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
                && let Some(k) = slot(i, x)
                && let (Some(c), Some(f)) = (cost.get_mut(k), from.get_mut(k))
            {
                *c = best.0 + col.get(x).copied().unwrap_or(0.0);
                *f = best.1;
            }
        }
    }
    let (lo, hi) = windows.get(n).copied().unwrap_or((1, 0));
    let last_cost = |x: usize| slot(n, x).and_then(|k| cost.get(k)).copied().unwrap_or(inf);
    let end = (lo..hi + 1)
        .filter(|&x| last_cost(x).is_finite())
        .min_by(|&a, &b| last_cost(a).total_cmp(&last_cost(b)));
    let Some(mut x) = end else {
        return expect.iter().map(|v| v.max(0.0) as usize).collect();
    };
    let mut out = vec![0usize; n + 1];
    for i in (0..=n).rev() {
        if let Some(o) = out.get_mut(i) {
            *o = x;
        }
        if i > 0 {
            x = slot(i, x).and_then(|k| from.get(k)).copied().unwrap_or(0) as usize;
        }
    }
    out
}

#[cfg(test)]
mod same_results {
    //! The faster forms give exactly the values of the plain ones they replaced.
    use super::{autocorrelation, segment};

    /// A column profile of ink bumps at an uneven pitch, with a ramp of noise.
    fn profile(w: usize) -> Vec<f32> {
        (0..w)
            .map(|x| {
                let t = x as f32 * 0.37;
                (t.sin() * 3.0 + (x as f32 * 0.051).cos() + 4.0).max(0.0) + (x % 7) as f32 * 0.013
            })
            .collect()
    }

    #[test]
    fn autocorrelation_sums_each_lag_as_the_plain_sum_does() {
        for (len, max_lag) in [(600, 61), (100, 49), (9, 4), (40, 3), (13, 12)] {
            let v: Vec<f32> = profile(len).iter().map(|c| c - 3.9).collect();
            let plain: Vec<f32> = (0..=max_lag)
                .map(|lag| {
                    v.iter()
                        .zip(v.iter().skip(lag))
                        .map(|(x, y)| x * y)
                        .sum::<f32>()
                        / (v.len() - lag) as f32
                })
                .collect();
            let fast = autocorrelation(&v, max_lag);
            let bits = |a: &[f32]| a.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
            assert_eq!(bits(&fast), bits(&plain), "len {len} max_lag {max_lag}");
        }
    }

    /// The dynamic programme over whole rows of columns, as it was.
    fn segment_over_whole_rows(col: &[f32], expect: &[f32], cap: f32) -> Vec<usize> {
        let n = expect.len() - 1;
        let w = col.len();
        let inf = f32::INFINITY;
        let p = (expect[n] - expect[0]) / n as f32;
        let lam = 2.0 * cap / (p * p);
        let reach = 0.3 * p;
        let range = |e: f32| {
            (
                (e - reach).max(0.0) as usize,
                ((e + reach).max(0.0) as usize).min(w - 1),
            )
        };
        let mut cost = vec![inf; (n + 1) * w];
        let mut from = vec![0u32; (n + 1) * w];
        let (lo, hi) = range(expect[0]);
        cost[lo..=hi].copy_from_slice(&col[lo..=hi]);
        for i in 1..=n {
            let local = expect[i] - expect[i - 1];
            let (plo, phi) = range(expect[i - 1]);
            let (lo, hi) = range(expect[i]);
            for x in lo..=hi {
                let mut best = (inf, 0u32);
                for px in plo..=phi.min(x.saturating_sub(1)) {
                    let pc = cost[(i - 1) * w + px];
                    if pc == inf {
                        continue;
                    }
                    let dev = (x - px) as f32 - local;
                    let c = pc + lam * dev * dev;
                    if c < best.0 {
                        best = (c, px as u32);
                    }
                }
                if best.0 < inf {
                    cost[i * w + x] = best.0 + col[x];
                    from[i * w + x] = best.1;
                }
            }
        }
        let mut x = (0..w)
            .filter(|&x| cost[n * w + x].is_finite())
            .min_by(|&a, &b| cost[n * w + a].total_cmp(&cost[n * w + b]))
            .expect("an end");
        let mut out = vec![0usize; n + 1];
        for i in (0..=n).rev() {
            out[i] = x;
            if i > 0 {
                x = from[i * w + x] as usize;
            }
        }
        out
    }

    #[test]
    fn segment_keeps_only_the_reachable_columns_and_finds_the_same_cells() {
        let col = profile(700);
        // On the grid, shifted, stretched, and running into either end.
        for (x0, pitch, n) in [
            (20.0, 15.1, 44),
            (27.5, 14.6, 44),
            (3.0, 16.3, 30),
            (1.0, 22.9, 30),
            (100.0, 15.0, 36),
        ] {
            let expect: Vec<f32> = (0..=n).map(|i| x0 + i as f32 * pitch).collect();
            assert_eq!(
                segment(&col, &expect, 14.0),
                segment_over_whole_rows(&col, &expect, 14.0),
                "{x0} {pitch} {n}"
            );
        }
    }
}
