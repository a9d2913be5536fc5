//! The rectified strip: sampled at full resolution along the region, ink
//! normalized per column block, glyph grids sampled from it.

use crate::frame::LumaFrame;
use crate::glyphs;
use crate::locate::Region;

pub(super) struct Strip {
    pub(super) w: usize,
    pub(super) h: usize,
    pub(super) ink: Vec<f32>,
    pub(super) saturated: f32,
    pub(super) clipped: bool,
    /// Per row, the columns `first..end` sampled inside the frame (a row of
    /// the rotated rectangle crosses the frame once); empty: every row
    /// lies wholly inside.
    pub(super) inside: Vec<(u32, u32)>,
    pub(super) sharp: f32,
}

impl Strip {
    /// Whether rows `y0..y1` (clamped to the strip) lie inside the frame
    /// over columns `x0..x1`: a line whose ends and margins do is whole,
    /// though other parts of the strip ran off the frame.
    pub(super) fn covers(&self, x0: i32, x1: i32, y0: i32, y1: i32) -> bool {
        if !self.clipped || self.inside.is_empty() {
            return true;
        }
        let (x0, x1) = (x0.max(0) as u32, x1.min(self.w as i32).max(0) as u32);
        let (y0, y1) = (y0.max(0) as usize, y1.min(self.h as i32).max(0) as usize);
        self.inside
            .get(y0..y1)
            .unwrap_or(&[])
            .iter()
            .all(|&(a, b)| a <= x0 && b >= x1)
    }

    #[inline]
    pub(super) fn ink(&self, x: i32, y: i32) -> f32 {
        if x < 0 || y < 0 || x as usize >= self.w || y as usize >= self.h {
            return 0.0;
        }
        self.ink
            .get(y as usize * self.w + x as usize)
            .copied()
            .unwrap_or(0.0)
    }

    pub(super) fn ink_bilinear(&self, x: f32, y: f32) -> f32 {
        // Truncation is floor for non-negative values, and far cheaper than a
        // libm call on targets without SSE4.1.
        if x >= 0.0 && y >= 0.0 {
            let (xi, yi) = (x as i32 as usize, y as i32 as usize);
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
    pub(super) fn glyph(
        &self,
        cx: f32,
        top: f32,
        baseline: f32,
        width_cap: f32,
    ) -> [f32; glyphs::N] {
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
            // Through i32 (one instruction each way, where usize takes
            // several): an x too large for it fails the check all the same.
            let xi = x as i32;
            if x < 0.0 || xi as usize + 1 >= self.w {
                return generic();
            }
            *t = (xi as usize, x - xi as f32);
        }
        for (i, t) in yt.iter_mut().take(GH * k).enumerate() {
            let y = y0 + ((i / k) as f32 + offs.get(i % k).copied().unwrap_or(0.5)) * sy;
            let yi = y as i32;
            if y < 0.0 || yi as usize + 1 >= self.h {
                return generic();
            }
            *t = (yi as usize, y - yi as f32);
        }
        // The sub-sample count as a constant: its loops unrolled.
        let sampled = match k {
            1 => self.glyph_taps::<1>(&xt, &yt),
            2 => self.glyph_taps::<2>(&xt, &yt),
            _ => self.glyph_taps::<3>(&xt, &yt),
        };
        sampled.unwrap_or_else(generic)
    }

    /// The glyph grid from its taps, `K` per grid step each way: per row tap
    /// the bilinear samples at its column taps, averaged per grid cell. The
    /// row taps step down the strip, mostly one row at a time: each strip
    /// row is interpolated across the column taps once (into `upper` and
    /// `lower`, the rows `row` and `row + 1`), not once per row tap that
    /// reads it. The same operations in the same order as a bilinear sample
    /// per tap, so the same values. `None`: a row tap outside the strip.
    fn glyph_taps<const K: usize>(
        &self,
        xt: &[(usize, f32); glyphs::GW * 3],
        yt: &[(usize, f32); glyphs::GH * 3],
    ) -> Option<[f32; glyphs::N]> {
        use glyphs::GW;
        let inv = 1.0 / (K * K) as f32;
        let xt = xt.get(..GW * K)?;
        let mut upper = [0.0f32; GW * 3];
        let mut lower = [0.0f32; GW * 3];
        let mut row = usize::MAX;
        let across = |yi: usize, h: &mut [f32; GW * 3]| -> Option<()> {
            let r = self.ink.get(yi * self.w..(yi + 1) * self.w)?;
            for (o, &(xi, fx)) in h.iter_mut().zip(xt) {
                // Every column tap has its right neighbour inside the strip.
                let &[a, b] = r.get(xi..xi + 2)?.try_into().ok()?;
                *o = a + (b - a) * fx;
            }
            Some(())
        };
        let mut out = [0.0f32; glyphs::N];
        for (row_out, taps) in out.chunks_exact_mut(GW).zip(yt.chunks_exact(K)) {
            for &(yi, fy) in taps {
                if yi != row {
                    if row != usize::MAX && yi == row + 1 {
                        std::mem::swap(&mut upper, &mut lower);
                        across(yi + 1, &mut lower)?;
                    } else {
                        across(yi, &mut upper)?;
                        across(yi + 1, &mut lower)?;
                    }
                    row = yi;
                }
                for (o, (tops, bottoms)) in row_out
                    .iter_mut()
                    .zip(upper.chunks_exact(K).zip(lower.chunks_exact(K)))
                {
                    let mut acc = 0.0;
                    for (&top, &bottom) in tops.iter().zip(bottoms) {
                        acc += top + (bottom - top) * fy;
                    }
                    *o += acc * inv;
                }
            }
        }
        Some(out)
    }
}

/// Samples the oriented rectangle at `s` full-res pixels per strip pixel and turns
/// it into ink in [0, 1] using block-wise paper and ink levels.
pub(super) fn sample_strip(
    frame: &LumaFrame<'_>,
    r: &Region,
    along: f32,
    perp: f32,
    s: f32,
) -> Option<Strip> {
    let w = ((2.0 * along / s) as usize).clamp(8, 2400);
    let h = ((2.0 * perp / s) as usize).clamp(8, 600);
    let mut v = vec![0.0f32; w * h];
    let (dx, dy) = (r.dx * s, r.dy * s);
    let (nx, ny) = (-r.dy * s, r.dx * s);
    let x0 = r.cx - r.dx * along + r.dy * perp;
    let y0 = r.cy - r.dy * along - r.dx * perp;
    let (fw, fh) = (frame.width() as f32, frame.height() as f32);
    let mut clipped = false;
    let mut inside = Vec::with_capacity(h);
    let mut sat = 0u32;
    // Where the frame's rows lie upright in memory, a strip row reads the
    // same two frame rows for many samples (it runs nearly along them):
    // they are looked up once per change of row, and each sample takes its
    // two pixel pairs from them. The same pixels and the same arithmetic as
    // `LumaFrame::sample`, so the same values.
    let upright = frame.row_slice(0).is_some();
    let mut pair_rows: (i32, Option<&[u8]>, Option<&[u8]>) = (-1, None, None);
    let mut sample = |x: f32, y: f32| -> f32 {
        // Inside the frame: x and y are not negative, so truncation floors.
        let (xi, yi) = (x as i32, y as i32);
        if upright && ((xi + 1) as u32) < frame.width() && ((yi + 1) as u32) < frame.height() {
            if pair_rows.0 != yi {
                pair_rows = (
                    yi,
                    frame.row_slice(yi as u32),
                    frame.row_slice(yi as u32 + 1),
                );
            }
            let xu = xi as usize;
            if let (Some(&[p00, p10]), Some(&[p01, p11])) = (
                pair_rows
                    .1
                    .and_then(|r| r.get(xu..xu + 2))
                    .and_then(|s| <&[u8; 2]>::try_from(s).ok()),
                pair_rows
                    .2
                    .and_then(|r| r.get(xu..xu + 2))
                    .and_then(|s| <&[u8; 2]>::try_from(s).ok()),
            ) {
                let (fx, fy) = (x - xi as f32, y - yi as f32);
                return crate::frame::bilinear([p00, p10, p01, p11].map(f32::from), fx, fy);
            }
        }
        frame.sample(x, y)
    };
    for j in 0..h {
        let (mut x, mut y) = (x0 + nx * j as f32, y0 + ny * j as f32);
        let row = v.get_mut(j * w..(j + 1) * w)?;
        let (mut first, mut end) = (w as u32, 0u32);
        for (i, o) in row.iter_mut().enumerate() {
            if x < 0.0 || y < 0.0 || x > fw - 1.0 || y > fh - 1.0 {
                clipped = true;
                // Outside the frame: a marker, turned into "no ink" below.
                *o = -1.0;
            } else {
                *o = sample(x, y);
                first = first.min(i as u32);
                end = i as u32 + 1;
            }
            if *o >= 250.0 {
                sat += 1;
            }
            x += dx;
            y += dy;
        }
        inside.push((first, end));
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
        inside: if clipped { inside } else { Vec::new() },
        sharp: if sharp_n > 0 {
            sharp_acc / sharp_n as f32
        } else {
            0.0
        },
    })
}

/// Sub-pixel shift of `b` against `a` maximizing correlation within `range`.
pub(super) fn best_shift(a: &[f32], b: &[f32], range: i32) -> (f32, f32) {
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

#[cfg(test)]
mod covers_tests {
    use super::Strip;

    /// A 10x4 strip whose left 3 columns ran off the frame in every row,
    /// and whose last row lies wholly outside.
    fn strip() -> Strip {
        Strip {
            w: 10,
            h: 4,
            ink: vec![0.0; 40],
            saturated: 0.0,
            clipped: true,
            inside: vec![(3, 10), (3, 10), (3, 10), (10, 0)],
            sharp: 0.0,
        }
    }

    #[test]
    fn a_line_clear_of_the_frame_edge_is_whole() {
        let s = strip();
        assert!(s.covers(4, 10, 0, 3));
        // Its margin reaches the columns outside the frame.
        assert!(!s.covers(2, 10, 0, 3));
        // Its rows reach the row outside.
        assert!(!s.covers(4, 10, 0, 4));
        // A strip that never left the frame covers everything.
        let inside = Strip {
            clipped: false,
            inside: Vec::new(),
            ..strip()
        };
        assert!(inside.covers(-5, 20, -2, 9));
    }
}

#[cfg(test)]
mod same_values {
    //! The faster forms give exactly the values of the plain ones.
    use super::{Strip, sample_strip};
    use crate::frame::{LumaFrame, LumaImage, Rotation};
    use crate::glyphs;
    use crate::locate::Region;

    fn strip(w: usize, h: usize) -> Strip {
        Strip {
            w,
            h,
            ink: (0..w * h)
                .map(|i| ((i * 7919 % 1000) as f32 / 1000.0).powi(2))
                .collect(),
            saturated: 0.0,
            clipped: false,
            inside: Vec::new(),
            sharp: 0.0,
        }
    }

    /// The glyph grid as it was sampled before: both rows of every row tap
    /// interpolated across the column taps afresh.
    fn glyph_per_tap(
        s: &Strip,
        cx: f32,
        top: f32,
        baseline: f32,
        width_cap: f32,
    ) -> [f32; glyphs::N] {
        use glyphs::{GH, GW, MARGIN};
        let cap = (baseline - top).max(1e-3);
        let sy = cap / (GH as f32 - 2.0 * MARGIN);
        let sx = width_cap.max(1e-3) * glyphs::GRID_W_CAPS / GW as f32;
        let x0 = cx - sx * GW as f32 / 2.0 - 0.5;
        let y0 = top - MARGIN * sy - 0.5;
        let offs = glyphs::subsample_offsets(sx, sy);
        let k = offs.len();
        let tap = |i: usize, o: f32, step: f32| o + ((i / k) as f32 + offs[i % k]) * step;
        let xt: Vec<(usize, f32)> = (0..GW * k)
            .map(|i| tap(i, x0, sx))
            .map(|x| (x as usize, x - (x as usize) as f32))
            .collect();
        let yt: Vec<(usize, f32)> = (0..GH * k)
            .map(|i| tap(i, y0, sy))
            .map(|y| (y as usize, y - (y as usize) as f32))
            .collect();
        let inv = 1.0 / (k * k) as f32;
        let mut out = [0.0f32; glyphs::N];
        for (gy, row_out) in out.chunks_exact_mut(GW).enumerate() {
            for &(yi, fy) in &yt[gy * k..(gy + 1) * k] {
                let (r0, r1) = (&s.ink[yi * s.w..], &s.ink[(yi + 1) * s.w..]);
                for (gx, o) in row_out.iter_mut().enumerate() {
                    let mut acc = 0.0;
                    for &(xi, fx) in &xt[gx * k..(gx + 1) * k] {
                        let top = r0[xi] + (r0[xi + 1] - r0[xi]) * fx;
                        let bottom = r1[xi] + (r1[xi + 1] - r1[xi]) * fx;
                        acc += top + (bottom - top) * fy;
                    }
                    *o += acc * inv;
                }
            }
        }
        out
    }

    #[test]
    fn glyph_rows_interpolated_once_give_the_per_tap_values() {
        let s = strip(160, 90);
        // One, two and three sub-samples per grid step, all inside.
        for (cx, top, cap) in [
            (40.3, 10.2, 12.0),
            (60.0, 20.7, 20.0),
            (70.5, 5.1, 33.0),
            (90.2, 30.4, 45.0),
        ] {
            for width in [cap, 0.8 * cap, 1.2 * cap] {
                let bits = |g: [f32; glyphs::N]| g.map(f32::to_bits);
                assert_eq!(
                    bits(s.glyph(cx, top, top + cap, width)),
                    bits(glyph_per_tap(&s, cx, top, top + cap, width)),
                    "{cx} {top} {cap} {width}"
                );
            }
        }
    }

    #[test]
    fn strip_from_row_pairs_equals_the_plain_bilinear_samples() {
        // A pattern with gradients and saturated pixels.
        let (w, h) = (320u32, 200u32);
        let mut img = LumaImage::new(w, h, 0);
        for (i, p) in img.data.iter_mut().enumerate() {
            let (x, y) = ((i as u32 % w) as f32, (i as u32 / w) as f32);
            *p = (128.0 + 127.0 * (0.21 * x).sin() * (0.13 * y + 0.3 * x.sqrt()).cos()) as u8;
        }
        // The same upright pixels behind a rotated layout: every sample
        // goes through `LumaFrame::sample`.
        let (buf, bw, bh, stride) = img.to_camera_buffer(Rotation::R180, 3);
        let turned = LumaFrame::new(&buf, bw, bh, stride, Rotation::R180).expect("frame");
        let upright = img.frame();
        // Tilted inside the frame, and running off its left and top edges.
        for (cx, cy, angle, half_len) in [(160.0, 100.0, 0.07, 120.0), (60.0, 30.0, -0.12, 110.0)] {
            let r = Region {
                cx,
                cy,
                dx: f32::cos(angle),
                dy: f32::sin(angle),
                half_len,
                half_h: 18.0,
                line_thick: 9.0,
                lines: 2,
                score: 1.0,
            };
            for s in [1.0, 1.37] {
                let a = sample_strip(&upright, &r, half_len * 1.1, 40.0, s).expect("strip");
                let b = sample_strip(&turned, &r, half_len * 1.1, 40.0, s).expect("strip");
                let bits = |v: &[f32]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
                assert_eq!(bits(&a.ink), bits(&b.ink), "{cx} {cy} {s}");
                assert_eq!(a.saturated.to_bits(), b.saturated.to_bits());
                assert_eq!((a.clipped, &a.inside), (b.clipped, &b.inside));
            }
        }
    }
}
