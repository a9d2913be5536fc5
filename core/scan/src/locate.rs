//! Finding text-line candidates on a downscaled frame: horizontal gradient,
//! row-wise closing, run-based connected components, and grouping of parallel
//! elongated components into MRZ-shaped regions.

use crate::frame::LumaFrame;

/// The downscaled frame.
pub struct Small {
    pub w: usize,
    pub h: usize,
    pub f: usize,
    pub px: Vec<u8>,
}

/// The downscale factor for a frame: about 320 pixels along its longer side,
/// where a 1280x720 camera frame's MRZ characters come out 4-6 pixels apart.
pub fn default_factor(frame: &LumaFrame<'_>) -> usize {
    (frame.width().max(frame.height()) as usize / 320).max(1)
}

/// [`downscale_by`] the [`default_factor`].
pub fn downscale(frame: &LumaFrame<'_>) -> Small {
    downscale_by(frame, default_factor(frame))
}

/// Averages 8 pixels per `f` x `f` block (two rows, four columns), enough to
/// suppress sensor noise while reading about half the plane.
pub fn downscale_by(frame: &LumaFrame<'_>, f: usize) -> Small {
    let (w, h) = (frame.width() as usize, frame.height() as usize);
    let f = f.max(1);
    let (sw, sh) = (w / f, h / f);
    let mut px = vec![0u8; sw * sh];
    let rows = if f >= 2 { [f / 4, (3 * f) / 4] } else { [0, 0] };
    let cols: Vec<usize> = if f >= 4 {
        vec![0, f / 4, f / 2, (3 * f) / 4]
    } else {
        (0..f).collect()
    };
    let n = (2 * cols.len()) as u32;
    for y in 0..sh {
        let out = px.get_mut(y * sw..(y + 1) * sw);
        let Some(out) = out else { break };
        let r0 = frame.row_slice((y * f + rows[0]) as u32);
        let r1 = frame.row_slice((y * f + rows[1]) as u32);
        if let (Some(r0), Some(r1)) = (r0, r1) {
            for (x, o) in out.iter_mut().enumerate() {
                let base = x * f;
                let mut acc = 0u32;
                for &c in &cols {
                    acc += u32::from(r0.get(base + c).copied().unwrap_or(0));
                    acc += u32::from(r1.get(base + c).copied().unwrap_or(0));
                }
                *o = (acc / n) as u8;
            }
        } else {
            for (x, o) in out.iter_mut().enumerate() {
                let mut acc = 0u32;
                for &r in &rows {
                    for &c in &cols {
                        acc += u32::from(frame.get((x * f + c) as i32, (y * f + r) as i32));
                    }
                }
                *o = (acc / n) as u8;
            }
        }
    }
    Small {
        w: sw,
        h: sh,
        f,
        px,
    }
}

/// An elongated dark-text component, in small-image coordinates.
#[derive(Clone, Debug)]
pub struct Comp {
    pub cx: f32,
    pub cy: f32,
    /// Unit direction of the major axis (dx > 0).
    pub dx: f32,
    pub dy: f32,
    pub len: f32,
    pub thick: f32,
    pub count: u32,
}

/// A candidate MRZ region in full-resolution upright coordinates: an oriented
/// rectangle (centre, direction, half extents).
#[derive(Clone, Debug)]
pub struct Region {
    pub cx: f32,
    pub cy: f32,
    pub dx: f32,
    pub dy: f32,
    pub half_len: f32,
    pub half_h: f32,
    /// Estimated text-line thickness (full-res px).
    pub line_thick: f32,
    pub lines: usize,
    pub score: f32,
}

#[derive(Clone, Copy, Default)]
struct Acc {
    n: f64,
    sx: f64,
    sy: f64,
    sxx: f64,
    syy: f64,
    sxy: f64,
}

impl Acc {
    fn add_run(&mut self, y: usize, x0: usize, x1: usize) {
        // Sums over x in [x0, x1) in closed form.
        let n = (x1 - x0) as f64;
        let (a, b) = (x0 as f64, (x1 - 1) as f64);
        let sx = (a + b) * n / 2.0;
        let sxx = (b * (b + 1.0) * (2.0 * b + 1.0) - (a - 1.0) * a * (2.0 * a - 1.0)) / 6.0;
        let yf = y as f64;
        self.n += n;
        self.sx += sx;
        self.sy += yf * n;
        self.sxx += sxx;
        self.syy += yf * yf * n;
        self.sxy += yf * sx;
    }
}

impl Acc {
    /// The row of the fitted centre line at column `x`; level unless the
    /// component is clearly wider than tall (a glyph's own axis says
    /// nothing about its line's).
    fn row_at(&self, x: f64) -> f64 {
        let (mx, my) = (self.sx / self.n, self.sy / self.n);
        let cxx = self.sxx / self.n - mx * mx;
        let cyy = self.syy / self.n - my * my;
        let cxy = self.sxy / self.n - mx * my;
        let slope = if cxx > 4.0 * cyy && cxx > 0.0 {
            (cxy / cxx).clamp(-0.6, 0.6)
        } else {
            0.0
        };
        my + slope * (x - mx)
    }

    /// The height of the text: across the fit when the component is a
    /// stretch of line (wider than tall), else its box's.
    fn height(&self, bx: Bbox) -> f64 {
        let (mx, my) = (self.sx / self.n, self.sy / self.n);
        let cxx = self.sxx / self.n - mx * mx;
        let cyy = self.syy / self.n - my * my;
        let cxy = self.sxy / self.n - mx * my;
        if cxx > 4.0 * cyy {
            let tr = cxx + cyy;
            let det = cxx * cyy - cxy * cxy;
            let disc = (tr * tr / 4.0 - det).max(0.0).sqrt();
            (12.0 * (tr / 2.0 - disc).max(0.0)).sqrt().max(1.0)
        } else {
            f64::from(bx.height())
        }
    }

    fn merge(&mut self, o: &Acc) {
        self.n += o.n;
        self.sx += o.sx;
        self.sy += o.sy;
        self.sxx += o.sxx;
        self.syy += o.syy;
        self.sxy += o.sxy;
    }
}

/// A component's bounding box: columns `x0..x1`, rows `y0..y1`.
#[derive(Clone, Copy)]
struct Bbox {
    x0: u32,
    y0: u32,
    x1: u32,
    y1: u32,
}

impl Bbox {
    const EMPTY: Bbox = Bbox {
        x0: u32::MAX,
        y0: u32::MAX,
        x1: 0,
        y1: 0,
    };

    fn add_run(&mut self, y: u32, x0: u32, x1: u32) {
        self.x0 = self.x0.min(x0);
        self.x1 = self.x1.max(x1);
        self.y0 = self.y0.min(y);
        self.y1 = self.y1.max(y + 1);
    }

    fn height(&self) -> u32 {
        self.y1.saturating_sub(self.y0)
    }
}

/// Fewest pixels a component needs to be joined with its neighbours on a line.
const MIN_FRAGMENT: f64 = 4.0;

/// Joins components that continue one another along a text line: side by
/// side, about as tall, centred on one row, at most a text height apart.
/// Narrow glyphs (`1`, `I`) or a pitch wider than the gap the row closing
/// bridges (large print seen at a fine locator scale) break an MRZ line
/// into pieces that are each too short to count, and the line is lost.
fn join_fragments(parent: &mut [u32], accs: &mut [Acc], boxes: &[Bbox], gap: u32) {
    let mut roots: Vec<usize> = (0..parent.len())
        .filter(|&i| {
            parent.get(i).is_some_and(|&p| p as usize == i)
                && accs.get(i).is_some_and(|a| a.n >= MIN_FRAGMENT)
        })
        .collect();
    roots.sort_by_key(|&i| boxes.get(i).map_or(0, |b| b.x0));
    for (k, &a) in roots.iter().enumerate() {
        let Some(ba) = boxes.get(a).copied() else {
            continue;
        };
        for &b in roots.get(k + 1..).unwrap_or(&[]) {
            let Some(bb) = boxes.get(b).copied() else {
                continue;
            };
            if bb.x0 > ba.x1 + ba.height().max(gap) {
                break;
            }
            let (ra, rb) = (find(parent, a as u32), find(parent, b as u32));
            if ra == rb {
                continue;
            }
            let (Some(&acc_a), Some(&acc_b)) = (accs.get(ra as usize), accs.get(rb as usize))
            else {
                continue;
            };
            // A tilted line's box is taller than its text: its height is
            // then its thickness across the fit.
            let (ha, hb) = (acc_a.height(ba), acc_b.height(bb));
            let (lo, hi) = (ha.min(hb), ha.max(hb));
            let apart = bb.x0 as f64 - ba.x1 as f64;
            if 2.0 * lo < hi || apart < -1.0 || apart > lo.max(f64::from(gap)) {
                continue;
            }
            // The row the line joined so far (the larger of the two, by
            // its own fit: lines tilt) runs at beside the other, within a
            // third of the shorter's height. A speck between two lines is
            // no bridge from one to the other: by then it belongs to one.
            let (big, small) = if acc_a.n >= acc_b.n {
                (acc_a, acc_b)
            } else {
                (acc_b, acc_a)
            };
            let (sx, sy) = (small.sx / small.n, small.sy / small.n);
            if (big.row_at(sx) - sy).abs() * 3.0 > lo {
                continue;
            }
            let (keep, gone) = (ra.min(rb), ra.max(rb));
            if let Some(p) = parent.get_mut(gone as usize) {
                *p = keep;
            }
            let moved = accs.get(gone as usize).copied().unwrap_or_default();
            if let Some(acc) = accs.get_mut(keep as usize) {
                acc.merge(&moved);
            }
        }
    }
}

fn find(parent: &mut [u32], mut i: u32) -> u32 {
    while let Some(&p) = parent.get(i as usize) {
        if p == i {
            break;
        }
        let gp = parent.get(p as usize).copied().unwrap_or(p);
        if let Some(slot) = parent.get_mut(i as usize) {
            *slot = gp;
        }
        i = gp;
    }
    i
}

/// Text-like gradient threshold from the histogram of horizontal gradients.
fn threshold(hist: &[u32; 256], total: u32) -> u8 {
    let mut acc = 0u32;
    let target = total - total / 50; // 98th percentile
    let mut p98 = 0usize;
    for (v, &c) in hist.iter().enumerate() {
        acc += c;
        if acc >= target {
            p98 = v;
            break;
        }
    }
    ((p98 as f32 * 0.35) as u8).clamp(10, 60)
}

/// Elongated components of the gradient map.
pub fn components(s: &Small) -> Vec<Comp> {
    let (w, h) = (s.w, s.h);
    if w < 8 || h < 4 {
        return Vec::new();
    }
    let mut grad = vec![0u8; w * h];
    let mut hist = [0u32; 256];
    for y in 0..h {
        let row = s.px.get(y * w..(y + 1) * w).unwrap_or(&[]);
        let out = grad.get_mut(y * w..(y + 1) * w).unwrap_or(&mut []);
        for x in 1..w.saturating_sub(1) {
            let a = row.get(x - 1).copied().unwrap_or(0);
            let b = row.get(x + 1).copied().unwrap_or(0);
            let g = a.abs_diff(b);
            if let Some(o) = out.get_mut(x) {
                *o = g;
            }
            if let Some(hh) = hist.get_mut(g as usize) {
                *hh += 1;
            }
        }
    }
    let t = threshold(&hist, (w * h) as u32);
    let gap = 3usize;
    // Runs per row after closing gaps of up to `gap` pixels.
    let mut runs: Vec<(u32, u32, u32)> = Vec::new(); // (y, x0, x1)
    let mut row_start = Vec::with_capacity(h + 1);
    for y in 0..h {
        row_start.push(runs.len());
        let row = grad.get(y * w..(y + 1) * w).unwrap_or(&[]);
        let mut x = 0;
        let mut cur: Option<(usize, usize)> = None;
        while x < w {
            if row.get(x).copied().unwrap_or(0) >= t {
                cur = match cur {
                    Some((a, e)) if x <= e + gap + 1 => Some((a, x + 1)),
                    Some((a, e)) => {
                        runs.push((y as u32, a as u32, e as u32));
                        Some((x, x + 1))
                    }
                    None => Some((x, x + 1)),
                };
            }
            x += 1;
        }
        if let Some((a, e)) = cur {
            runs.push((y as u32, a as u32, e as u32));
        }
    }
    row_start.push(runs.len());
    // Union-find over runs overlapping (8-connected) in consecutive rows.
    let mut parent: Vec<u32> = (0..runs.len() as u32).collect();
    for y in 1..h {
        let (pa, pb) = (
            row_start.get(y - 1).copied().unwrap_or(0),
            row_start.get(y).copied().unwrap_or(0),
        );
        let pc = row_start.get(y + 1).copied().unwrap_or(pb);
        let mut j = pa;
        for i in pb..pc {
            let Some(&(_, a, b)) = runs.get(i) else {
                continue;
            };
            while j < pb && runs.get(j).is_some_and(|r| r.2 < a) {
                j += 1;
            }
            let mut k = j;
            while k < pb {
                let Some(&(_, c, d)) = runs.get(k) else { break };
                if c > b {
                    break;
                }
                if d + 1 > a && c < b + 1 {
                    let (ri, rk) = (find(&mut parent, i as u32), find(&mut parent, k as u32));
                    if ri != rk
                        && let Some(p) = parent.get_mut(ri.max(rk) as usize)
                    {
                        *p = ri.min(rk);
                    }
                }
                k += 1;
            }
        }
    }
    let mut accs: Vec<Acc> = vec![Acc::default(); runs.len()];
    let mut boxes: Vec<Bbox> = vec![Bbox::EMPTY; runs.len()];
    for i in 0..runs.len() {
        let r = find(&mut parent, i as u32) as usize;
        if let (Some(&(y, a, b)), Some(acc), Some(bx)) =
            (runs.get(i), accs.get_mut(r), boxes.get_mut(r))
        {
            acc.add_run(y as usize, a as usize, b as usize);
            bx.add_run(y, a, b);
        }
    }
    join_fragments(&mut parent, &mut accs, &boxes, gap as u32);
    let mut out = Vec::new();
    for (i, a) in accs.iter().enumerate() {
        if a.n < 30.0 || find(&mut parent, i as u32) as usize != i {
            continue;
        }
        let (mx, my) = (a.sx / a.n, a.sy / a.n);
        let cxx = a.sxx / a.n - mx * mx;
        let cyy = a.syy / a.n - my * my;
        let cxy = a.sxy / a.n - mx * my;
        let tr = cxx + cyy;
        let det = cxx * cyy - cxy * cxy;
        let disc = (tr * tr / 4.0 - det).max(0.0).sqrt();
        let (l1, l2) = (tr / 2.0 + disc, (tr / 2.0 - disc).max(0.0));
        let len = (12.0 * l1).sqrt();
        let thick = (12.0 * l2).sqrt().max(1.0);
        let ang = 0.5 * (2.0 * cxy).atan2(cxx - cyy);
        let (dx, dy) = (ang.cos(), ang.sin());
        if len < 24.0 || len / thick < 5.0 || dx.abs() < 0.85 {
            continue;
        }
        let (dx, dy) = if dx < 0.0 { (-dx, -dy) } else { (dx, dy) };
        out.push(Comp {
            cx: mx as f32,
            cy: my as f32,
            dx: dx as f32,
            dy: dy as f32,
            len: len as f32,
            thick: thick as f32,
            count: a.n as u32,
        });
    }
    out
}

/// Groups parallel, stacked, similarly long components into candidate regions
/// (full-resolution coordinates), best first.
pub fn regions(s: &Small, comps: &[Comp]) -> Vec<Region> {
    let mut order: Vec<usize> = (0..comps.len()).collect();
    order.sort_by(|&a, &b| {
        let la = comps.get(a).map_or(0.0, |c| c.len);
        let lb = comps.get(b).map_or(0.0, |c| c.len);
        lb.total_cmp(&la)
    });
    let mut used = vec![false; comps.len()];
    let mut out = Vec::new();
    let f = s.f as f32;
    for &si in &order {
        if used.get(si).copied().unwrap_or(true) {
            continue;
        }
        let Some(seed) = comps.get(si) else { continue };
        let (dx, dy) = (seed.dx, seed.dy);
        let (nx, ny) = (-dy, dx);
        let mut a_min = -seed.len / 2.0;
        let mut a_max = seed.len / 2.0;
        let mut p_min = -seed.thick / 2.0;
        let mut p_max = seed.thick / 2.0;
        let mut members = 1;
        let mut thick_sum = seed.thick;
        // Stack members outwards from the seed, one line pitch at a time.
        for _round in 0..3 {
            for (j, c) in comps.iter().enumerate() {
                if used.get(j).copied().unwrap_or(true) || j == si {
                    continue;
                }
                let (rx, ry) = (c.cx - seed.cx, c.cy - seed.cy);
                let along = rx * dx + ry * dy;
                let perp = rx * nx + ry * ny;
                let par = (c.dx * dx + c.dy * dy).abs();
                let reach = 3.5 * seed.thick.max(c.thick);
                let near = perp > p_max && perp - c.thick / 2.0 - p_max < reach
                    || perp < p_min && p_min - (perp + c.thick / 2.0) < reach;
                let overlap = (along + c.len / 2.0).min(a_max) - (along - c.len / 2.0).max(a_min);
                if par > 0.995
                    && near
                    && overlap > 0.5 * c.len.min(a_max - a_min)
                    && c.len > 0.5 * seed.len
                {
                    a_min = a_min.min(along - c.len / 2.0);
                    a_max = a_max.max(along + c.len / 2.0);
                    p_min = p_min.min(perp - c.thick / 2.0);
                    p_max = p_max.max(perp + c.thick / 2.0);
                    members += 1;
                    thick_sum += c.thick;
                    if let Some(u) = used.get_mut(j) {
                        *u = true;
                    }
                }
            }
        }
        if let Some(u) = used.get_mut(si) {
            *u = true;
        }
        let (ac, pc) = ((a_min + a_max) / 2.0, (p_min + p_max) / 2.0);
        let cx = seed.cx + ac * dx + pc * nx;
        let cy = seed.cy + ac * dy + pc * ny;
        let len = a_max - a_min;
        let height = p_max - p_min;
        let thick = thick_sum / members as f32;
        // MRZ lines are 30-48 cap heights long; shorter text is not worth reading.
        if len / thick < 20.0 {
            continue;
        }
        out.push(Region {
            cx: (cx + 0.5) * f,
            cy: (cy + 0.5) * f,
            dx,
            dy,
            half_len: len * f / 2.0,
            half_h: height * f / 2.0,
            line_thick: thick * f,
            lines: members,
            score: len * (members.min(3) as f32),
        });
    }
    out.sort_by(|a, b| b.score.total_cmp(&a.score));
    out
}
