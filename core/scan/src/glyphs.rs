//! OCR-B glyphs: the embedded font, rasterization, and the 37 class templates.

use ab_glyph::{Font, FontRef, PxScale, ScaleFont};
use std::sync::OnceLock;

/// Public-domain OCR-B (see assets/README.md).
pub const OCRB_OTF: &[u8] = include_bytes!("../assets/OCRB.otf");

/// The 37 MRZ classes, in template order.
pub const CLASSES: [char; 37] = [
    '0', '1', '2', '3', '4', '5', '6', '7', '8', '9', 'A', 'B', 'C', 'D', 'E', 'F', 'G', 'H', 'I',
    'J', 'K', 'L', 'M', 'N', 'O', 'P', 'Q', 'R', 'S', 'T', 'U', 'V', 'W', 'X', 'Y', 'Z', '<',
];

/// Normalized character grid: the cap height spans `GH - 2*MARGIN` rows.
pub const GW: usize = 12;
pub const GH: usize = 16;
pub const MARGIN: f32 = 1.5;
/// Grid width in cap heights (OCR-B glyphs are about 0.7 cap heights wide).
pub const GRID_W_CAPS: f32 = 0.95;
pub const N: usize = GW * GH;

/// A coverage bitmap of one glyph, ink = 1.0, with its cap-height box.
pub struct Raster {
    pub width: usize,
    pub height: usize,
    pub cov: Vec<f32>,
    /// Row of the cap top and of the baseline.
    pub top: f32,
    pub baseline: f32,
    /// Horizontal ink centre (column).
    pub cx: f32,
}

pub fn font() -> Option<FontRef<'static>> {
    FontRef::try_from_slice(OCRB_OTF).ok()
}

/// Pixel size that gives `cap_px` cap height.
pub fn scale_for_cap(font: &FontRef<'_>, cap_px: f32) -> PxScale {
    let probe = PxScale::from(100.0);
    let g = font.glyph_id('H').with_scale(probe);
    let cap = font
        .outline_glyph(g)
        .map(|o| o.px_bounds().height())
        .unwrap_or(70.0)
        .max(1.0);
    PxScale::from(100.0 * cap_px / cap)
}

/// Rasterizes `c` so that the cap height is `cap_px` pixels.
pub fn rasterize(font: &FontRef<'_>, c: char, cap_px: f32) -> Option<Raster> {
    let scale = scale_for_cap(font, cap_px);
    let sf = font.as_scaled(scale);
    let pad = 2.0;
    let glyph = font
        .glyph_id(c)
        .with_scale_and_position(scale, ab_glyph::point(pad, pad + sf.ascent()));
    let og = font.outline_glyph(glyph)?;
    let b = og.px_bounds();
    let width = (b.max.x.ceil() + pad) as usize;
    let height = (pad * 2.0 + sf.ascent() - sf.descent()).ceil() as usize;
    let mut cov = vec![0.0f32; width * height];
    let (ox, oy) = (b.min.x as i32, b.min.y as i32);
    og.draw(|x, y, v| {
        let (px, py) = (ox + x as i32, oy + y as i32);
        if px >= 0
            && py >= 0
            && (px as usize) < width
            && (py as usize) < height
            && let Some(p) = cov.get_mut(py as usize * width + px as usize)
        {
            *p = v.min(1.0);
        }
    });
    let baseline = pad + sf.ascent();
    let top = baseline - cap_px;
    let mut sum = 0.0;
    let mut wsum = 0.0;
    for y in 0..height {
        for x in 0..width {
            let v = cov.get(y * width + x).copied().unwrap_or(0.0);
            sum += v;
            wsum += v * (x as f32 + 0.5);
        }
    }
    let cx = if sum > 0.0 {
        wsum / sum
    } else {
        width as f32 / 2.0
    };
    Some(Raster {
        width,
        height,
        cov,
        top,
        baseline,
        cx,
    })
}

/// Samples a normalized grid from an ink function (`ink(x, y)` in source pixels),
/// given the character's horizontal centre, its cap top and baseline rows, and
/// the cap height that sets the grid's width (the cap height itself unless the
/// glyph is stretched).
pub fn normalize(
    ink: impl Fn(f32, f32) -> f32,
    cx: f32,
    top: f32,
    baseline: f32,
    width_cap: f32,
) -> [f32; N] {
    let cap = (baseline - top).max(1e-3);
    let sy = cap / (GH as f32 - 2.0 * MARGIN);
    let sx = width_cap.max(1e-3) * GRID_W_CAPS / GW as f32;
    let x0 = cx - sx * GW as f32 / 2.0;
    let y0 = top - MARGIN * sy;
    let mut out = [0.0f32; N];
    let offs = subsample_offsets(sx, sy);
    let inv = 1.0 / (offs.len() * offs.len()) as f32;
    for (gy, row) in out.chunks_exact_mut(GW).enumerate() {
        for (gx, o) in row.iter_mut().enumerate() {
            let mut acc = 0.0;
            for &oy in offs {
                for &ox in offs {
                    acc += ink(x0 + (gx as f32 + ox) * sx, y0 + (gy as f32 + oy) * sy);
                }
            }
            *o = acc * inv;
        }
    }
    out
}

/// Sub-sample positions within a grid cell of `sx` x `sy` source pixels: enough
/// that minification does not alias, no more.
pub fn subsample_offsets(sx: f32, sy: f32) -> &'static [f32] {
    match ((sx.max(sy) - 0.6).ceil() as usize).clamp(1, 3) {
        1 => &[0.5],
        2 => &[0.25, 0.75],
        _ => &[0.17, 0.5, 0.83],
    }
}

/// Mean-removed, unit-norm copy (for normalized cross-correlation).
pub fn standardize(v: &mut [f32; N]) -> bool {
    let mean = v.iter().sum::<f32>() / N as f32;
    let mut ss = 0.0;
    for x in v.iter_mut() {
        *x -= mean;
        ss += *x * *x;
    }
    if ss < 1e-6 {
        return false;
    }
    let inv = 1.0 / ss.sqrt();
    for x in v.iter_mut() {
        *x *= inv;
    }
    true
}

pub struct Templates {
    pub t: Vec<[f32; N]>,
    /// Per blur bank (horizontal blur, vertical blur; see [`BLURS`]) the 37
    /// templates blurred by that Gaussian.
    pub banks: Vec<Vec<[f32; N]>>,
}

/// Gaussian blur levels of the banks, in grid cells (sigma), per axis. No
/// camera frame is sharper than the lowest (sigma 0 was never chosen on the
/// generated frames; the sharp templates serve the first pass).
pub const BLURS: [f32; 4] = [0.5, 0.9, 1.3, 1.8];
/// Number of banks.
pub const BANKS: usize = BLURS.len() * BLURS.len();

/// Separable Gaussian blur of a grid, borders clamped, then standardized.
fn blur_grid(v: &[f32; N], sx: f32, sy: f32) -> [f32; N] {
    let kernel = |s: f32| -> Vec<f32> {
        if s <= 0.0 {
            return vec![1.0];
        }
        let r = (2.5 * s).ceil() as i32;
        let k: Vec<f32> = (-r..=r)
            .map(|d| (-(d * d) as f32 / (2.0 * s * s)).exp())
            .collect();
        let sum: f32 = k.iter().sum();
        k.into_iter().map(|x| x / sum).collect()
    };
    let (kx, ky) = (kernel(sx), kernel(sy));
    let (rx, ry) = ((kx.len() / 2) as i32, (ky.len() / 2) as i32);
    let at = |g: &[f32; N], x: i32, y: i32| {
        let x = x.clamp(0, GW as i32 - 1) as usize;
        let y = y.clamp(0, GH as i32 - 1) as usize;
        g.get(y * GW + x).copied().unwrap_or(0.0)
    };
    let mut tmp = [0.0f32; N];
    for y in 0..GH as i32 {
        for x in 0..GW as i32 {
            let acc: f32 = kx
                .iter()
                .enumerate()
                .map(|(i, k)| k * at(v, x + i as i32 - rx, y))
                .sum();
            if let Some(t) = tmp.get_mut(y as usize * GW + x as usize) {
                *t = acc;
            }
        }
    }
    let mut out = [0.0f32; N];
    for y in 0..GH as i32 {
        for x in 0..GW as i32 {
            let acc: f32 = ky
                .iter()
                .enumerate()
                .map(|(i, k)| k * at(&tmp, x, y + i as i32 - ry))
                .sum();
            if let Some(o) = out.get_mut(y as usize * GW + x as usize) {
                *o = acc;
            }
        }
    }
    standardize(&mut out);
    out
}

fn build_templates() -> Templates {
    let mut t = Vec::with_capacity(CLASSES.len());
    let f = font();
    for &c in &CLASSES {
        let g = f
            .as_ref()
            .and_then(|f| rasterize(f, c, 64.0))
            .map(|r| {
                let ink = |x: f32, y: f32| {
                    if x < 0.0 || y < 0.0 {
                        return 0.0;
                    }
                    r.cov
                        .get(y as usize * r.width + x as usize)
                        .filter(|_| (x as usize) < r.width)
                        .copied()
                        .unwrap_or(0.0)
                };
                let mut v = normalize(ink, r.cx, r.top, r.baseline, r.baseline - r.top);
                standardize(&mut v);
                v
            })
            .unwrap_or([0.0; N]);
        t.push(g);
    }
    let banks = BLURS
        .iter()
        .flat_map(|&sx| BLURS.iter().map(move |&sy| (sx, sy)))
        .map(|(sx, sy)| t.iter().map(|v| blur_grid(v, sx, sy)).collect())
        .collect();
    Templates { t, banks }
}

/// Dot product of two grids with eight independent sums, so that the compiler
/// can vectorize it (a single running sum is a serial dependency chain).
#[inline]
pub fn dot(a: &[f32; N], b: &[f32; N]) -> f32 {
    let mut acc = [0.0f32; 8];
    for (x, y) in a.chunks_exact(8).zip(b.chunks_exact(8)) {
        for ((s, p), q) in acc.iter_mut().zip(x).zip(y) {
            *s += p * q;
        }
    }
    acc.iter().sum()
}

/// Best correlation of a cell's samples with class `i` in blur bank `bank`.
pub fn correlate_bank(samples: &[[f32; N]], bank: usize, i: usize) -> f32 {
    let Some(t) = templates().banks.get(bank).and_then(|b| b.get(i)) else {
        return f32::MIN;
    };
    samples.iter().map(|g| dot(g, t)).fold(f32::MIN, f32::max)
}

/// The blur bank under which the cells' (best class, samples) fit best in sum.
pub fn best_bank<'a>(cells: impl Iterator<Item = (usize, &'a [[f32; N]])> + Clone) -> usize {
    (0..BANKS)
        .map(|b| {
            let total: f32 = cells
                .clone()
                .map(|(class, samples)| correlate_bank(samples, b, class))
                .filter(|v| v.is_finite())
                .sum();
            (b, total)
        })
        .fold((0, f32::MIN), |a, c| if c.1 > a.1 { c } else { a })
        .0
}

pub fn templates() -> &'static Templates {
    static T: OnceLock<Templates> = OnceLock::new();
    T.get_or_init(build_templates)
}

/// Normalized cross-correlation of a standardized sample with every class template.
pub fn correlate(sample: &[f32; N], out: &mut [f32; 37]) {
    let t = &templates().t;
    let mut outs = out.chunks_exact_mut(4);
    let mut quads = t.chunks_exact(4);
    for (o, q) in outs.by_ref().zip(quads.by_ref()) {
        if let ([o0, o1, o2, o3], [t0, t1, t2, t3]) = (o, q) {
            [*o0, *o1, *o2, *o3] = dot4(sample, [t0, t1, t2, t3]);
        }
    }
    for (o, t) in outs.into_remainder().iter_mut().zip(quads.remainder()) {
        *o = dot(sample, t);
    }
}

/// [`dot`] of `a` with four grids in one pass over `a`: each sum is formed
/// exactly as `dot` forms it, so the values are the same.
fn dot4(a: &[f32; N], b: [&[f32; N]; 4]) -> [f32; 4] {
    let mut acc = [[0.0f32; 8]; 4];
    accumulate4(a, b, &mut acc);
    acc.map(|a| a.iter().sum())
}

/// The running sums of [`dot4`]. Kept out of line: inlined, the compiler
/// vectorizes across the four grids and shuffles every step, three times
/// slower than one grid's sums per register.
#[inline(never)]
fn accumulate4(a: &[f32; N], b: [&[f32; N]; 4], acc: &mut [[f32; 8]; 4]) {
    for (c, x) in a.chunks_exact(8).enumerate() {
        for (bt, s) in b.iter().zip(acc.iter_mut()) {
            if let Some(y) = bt.get(c * 8..c * 8 + 8) {
                for ((s, p), q) in s.iter_mut().zip(x).zip(y) {
                    *s += p * q;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn correlate_gives_each_dot_product_bit_for_bit() {
        let t = templates();
        // A sample that is no template: a blend of two, standardized.
        let mut g = [0.0f32; N];
        for ((o, a), b) in g.iter_mut().zip(&t.t[3]).zip(&t.t[20]) {
            *o = 0.7 * a + 0.4 * b;
        }
        assert!(standardize(&mut g));
        let mut out = [0.0; 37];
        correlate(&g, &mut out);
        for (i, tpl) in t.t.iter().enumerate() {
            assert_eq!(out[i].to_bits(), dot(&g, tpl).to_bits(), "{}", CLASSES[i]);
        }
    }

    #[test]
    fn templates_are_distinct_and_self_match() {
        let t = templates();
        assert_eq!(t.t.len(), 37);
        for (i, a) in t.t.iter().enumerate() {
            let mut out = [0.0; 37];
            correlate(a, &mut out);
            assert!((out[i] - 1.0).abs() < 1e-3, "{}", CLASSES[i]);
            for (j, &s) in out.iter().enumerate() {
                if j != i {
                    assert!(s < 0.97, "{} vs {}: {s}", CLASSES[i], CLASSES[j]);
                }
            }
        }
    }
}
