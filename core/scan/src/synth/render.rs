//! Rendering a card (in millimetres) to a canvas, and warping it into a scene.

use super::rng::Rng;
use crate::glyphs::{self, Raster};
use crate::layout::Format;
use ab_glyph::FontRef;
use std::collections::HashMap;

/// MRZ geometry (ICAO 9303: 2.54 mm pitch; cap height and line pitch nominal).
pub const PITCH_MM: f32 = 2.54;
pub const CAP_MM: f32 = 2.35;
pub const LINE_MM: f32 = 4.23;

/// A grey canvas (f32, 0-255) with a resolution in pixels per millimetre.
pub struct Canvas {
    pub w: usize,
    pub h: usize,
    pub res: f32,
    pub px: Vec<f32>,
}

impl Canvas {
    fn new(w_mm: f32, h_mm: f32, res: f32) -> Self {
        let w = (w_mm * res).ceil() as usize;
        let h = (h_mm * res).ceil() as usize;
        Self {
            w,
            h,
            res,
            px: vec![0.0; w * h],
        }
    }

    pub fn sample(&self, x: f32, y: f32) -> Option<f32> {
        if x < 0.0 || y < 0.0 {
            return None;
        }
        let (xi, yi) = (x as usize, y as usize);
        if xi + 1 >= self.w || yi + 1 >= self.h {
            return None;
        }
        let (fx, fy) = (x - xi as f32, y - yi as f32);
        let i = yi * self.w + xi;
        let p = |k: usize| self.px.get(k).copied().unwrap_or(0.0);
        let a = p(i) + (p(i + 1) - p(i)) * fx;
        let b = p(i + self.w) + (p(i + self.w + 1) - p(i + self.w)) * fx;
        Some(a + (b - a) * fy)
    }
}

struct GlyphCache<'f> {
    font: Option<FontRef<'f>>,
    cache: HashMap<(char, u32), Option<Raster>>,
}

impl GlyphCache<'_> {
    fn get(&mut self, c: char, cap_px: f32) -> Option<&Raster> {
        let key = (c, (cap_px * 4.0) as u32);
        let font = self.font.as_ref();
        self.cache
            .entry(key)
            .or_insert_with(|| font.and_then(|f| glyphs::rasterize(f, c, cap_px)))
            .as_ref()
    }
}

/// Draws `c` with its ink centre at `cx` and baseline at `baseline` (canvas pixels).
fn draw_char(
    cv: &mut Canvas,
    gc: &mut GlyphCache<'_>,
    c: char,
    cx: f32,
    baseline: f32,
    cap_px: f32,
    ink: f32,
) {
    let Some(r) = gc.get(c, cap_px) else { return };
    let ox = (cx - r.cx).round() as i64;
    let oy = (baseline - r.baseline).round() as i64;
    for y in 0..r.height {
        for x in 0..r.width {
            let a = r.cov.get(y * r.width + x).copied().unwrap_or(0.0);
            if a <= 0.0 {
                continue;
            }
            let (px, py) = (ox + x as i64, oy + y as i64);
            if px < 0 || py < 0 || px as usize >= cv.w || py as usize >= cv.h {
                continue;
            }
            if let Some(p) = cv.px.get_mut(py as usize * cv.w + px as usize) {
                *p = *p * (1.0 - a) + ink * a;
            }
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn draw_text(
    cv: &mut Canvas,
    gc: &mut GlyphCache<'_>,
    s: &str,
    x_mm: f32,
    base_mm: f32,
    cap_mm: f32,
    pitch_mm: f32,
    ink: f32,
) {
    let res = cv.res;
    for (i, c) in s.chars().enumerate() {
        let cx = (x_mm + (i as f32 + 0.5) * pitch_mm) * res;
        draw_char(cv, gc, c, cx, base_mm * res, cap_mm * res, ink);
    }
}

const WORDS: [&str; 12] = [
    "Surname",
    "Given names",
    "Nationality",
    "Date of birth",
    "Sex",
    "Place of birth",
    "Date of issue",
    "Authority",
    "Date of expiry",
    "Signature",
    "NORGE NOREG",
    "Personal no",
];

/// Renders a card: TD1 back (85.6 x 54 mm) or TD3 data page (125 x 88 mm),
/// with the MRZ when `mrz` is given.
pub fn render_card(rng: &mut Rng, format: Format, mrz: Option<&[String]>, res: f32) -> Canvas {
    let (w_mm, h_mm) = match format {
        Format::Td1 => (85.6, 54.0),
        _ => (125.0, 88.0),
    };
    let mut cv = Canvas::new(w_mm, h_mm, res);
    let paper = rng.range(200.0, 240.0);
    let mrz_top_mm = h_mm - 3.0 - LINE_MM * format.lines() as f32 - 1.0;
    // Guilloche: families of wavy lines, fainter in the MRZ clear zone.
    let fam: Vec<[f32; 5]> = (0..3)
        .map(|_| {
            [
                rng.range(0.5, 2.5),
                rng.range(2.0, 8.0),
                rng.range(0.05, 0.3),
                rng.range(0.0, 6.0),
                rng.range(10.0, 40.0),
            ]
        })
        .collect();
    let tint_x = rng.range(-15.0, 15.0) / w_mm;
    for y in 0..cv.h {
        let ym = y as f32 / res;
        let clear = if ym > mrz_top_mm { 0.25 } else { 1.0 };
        for x in 0..cv.w {
            let xm = x as f32 / res;
            let mut v = paper + tint_x * xm;
            for f in &fam {
                let s = (f[0] * xm + f[1] * (f[2] * ym + f[3]).sin()).sin();
                if s.abs() < 0.12 {
                    v -= f[4] * clear * (1.0 - s.abs() / 0.12);
                }
            }
            if let Some(p) = cv.px.get_mut(y * cv.w + x) {
                *p = v;
            }
        }
    }
    let mut gc = GlyphCache {
        font: glyphs::font(),
        cache: HashMap::new(),
    };
    // A portrait block on passports, a barcode-like strip sometimes.
    if format == Format::Td3 {
        let (px0, py0, px1, py1) = (5.0, 20.0, 38.0, 62.0);
        let tone = rng.range(60.0, 140.0);
        for y in (py0 * res) as usize..(py1 * res) as usize {
            for x in (px0 * res) as usize..(px1 * res) as usize {
                let xm = x as f32 / res - (px0 + px1) / 2.0;
                let ym = y as f32 / res - 38.0;
                let head = (xm * xm / 100.0 + ym * ym / 200.0) < 1.0;
                if let Some(p) = cv.px.get_mut(y * cv.w + x) {
                    *p = if head { tone } else { tone + 60.0 };
                }
            }
        }
    }
    if rng.chance(0.4) {
        let y0 = rng.range(4.0, mrz_top_mm - 12.0).max(1.0);
        let x0 = rng.range(3.0, w_mm * 0.5);
        let mut x = x0;
        while x < x0 + w_mm * 0.35 {
            let bw = rng.range(0.2, 0.8);
            if rng.chance(0.5) {
                for y in (y0 * res) as usize..((y0 + 8.0) * res) as usize {
                    for xx in (x * res) as usize..((x + bw) * res) as usize {
                        if let Some(p) = cv.px.get_mut(y * cv.w + xx) {
                            *p = 40.0;
                        }
                    }
                }
            }
            x += bw;
        }
    }
    // Visual-zone text: labels and values of various sizes.
    let text_x0 = if format == Format::Td3 { 42.0 } else { 4.0 };
    let mut y = rng.range(6.0, 10.0);
    loop {
        let cap = rng.range(1.3, 3.2);
        // Label and value must both end above the MRZ clear zone.
        if y + cap * 2.8 > mrz_top_mm - 2.0 {
            break;
        }
        let word = rng.pick(&WORDS).copied().unwrap_or("X");
        let x = text_x0 + rng.range(0.0, 10.0);
        let ink = rng.range(20.0, 110.0);
        draw_text(&mut cv, &mut gc, word, x, y, cap, cap * 0.75, ink);
        if rng.chance(0.7) {
            let val: String = (0..4 + rng.below(10))
                .map(|_| char::from(b'A' + rng.below(26) as u8))
                .collect();
            draw_text(
                &mut cv,
                &mut gc,
                &val,
                x,
                y + cap * 1.6,
                cap * 1.1,
                cap * 0.8,
                ink * 0.5,
            );
            y += cap * 1.6;
        }
        y += cap * 1.8 + rng.range(1.0, 4.0);
    }
    if let Some(lines) = mrz {
        let left = (w_mm - PITCH_MM * format.chars() as f32) / 2.0;
        let ink = rng.range(10.0, 50.0);
        for (i, line) in lines.iter().enumerate() {
            let base = mrz_top_mm + 1.0 + CAP_MM + LINE_MM * i as f32 + 0.5;
            draw_text(&mut cv, &mut gc, line, left, base, CAP_MM, PITCH_MM, ink);
        }
    }
    cv
}

// Index loops mirror the elimination formulas.
#[allow(clippy::needless_range_loop)]
/// 3x3 homography mapping `src[i]` to `dst[i]` (row-major, h33 = 1).
pub fn homography(src: &[(f64, f64); 4], dst: &[(f64, f64); 4]) -> Option<[f64; 9]> {
    let mut a = [[0.0f64; 9]; 8];
    for i in 0..4 {
        let (x, y) = src[i];
        let (u, v) = dst[i];
        a[2 * i] = [x, y, 1.0, 0.0, 0.0, 0.0, -u * x, -u * y, u];
        a[2 * i + 1] = [0.0, 0.0, 0.0, x, y, 1.0, -v * x, -v * y, v];
    }
    for c in 0..8 {
        let p = (c..8).max_by(|&i, &j| a[i][c].abs().total_cmp(&a[j][c].abs()))?;
        if a[p][c].abs() < 1e-12 {
            return None;
        }
        a.swap(c, p);
        for r in 0..8 {
            if r != c {
                let f = a[r][c] / a[c][c];
                for k in c..9 {
                    a[r][k] -= f * a[c][k];
                }
            }
        }
    }
    let mut h = [0.0; 9];
    for i in 0..8 {
        h[i] = a[i][8] / a[i][i];
    }
    h[8] = 1.0;
    Some(h)
}

pub fn apply(h: &[f64; 9], x: f64, y: f64) -> (f64, f64) {
    let w = h[6] * x + h[7] * y + h[8];
    (
        (h[0] * x + h[1] * y + h[2]) / w,
        (h[3] * x + h[4] * y + h[5]) / w,
    )
}

/// A cluttered scene: gradient, shapes, some text-free texture.
pub fn scene(rng: &mut Rng, w: usize, h: usize) -> Vec<f32> {
    let base = rng.range(40.0, 200.0);
    let (gx, gy) = (
        rng.range(-60.0, 60.0) / w as f32,
        rng.range(-60.0, 60.0) / h as f32,
    );
    let wood = [
        rng.range(0.01, 0.08),
        rng.range(0.0, 20.0),
        rng.range(0.0, 6.0),
    ];
    let mut px = vec![0.0f32; w * h];
    for y in 0..h {
        for x in 0..w {
            let v = base
                + gx * x as f32
                + gy * y as f32
                + wood[1] * (wood[0] * y as f32 + wood[2] * (x as f32 * 0.01).sin()).sin();
            if let Some(p) = px.get_mut(y * w + x) {
                *p = v;
            }
        }
    }
    for _ in 0..rng.below(8) {
        let (cx, cy) = (rng.range(0.0, w as f32), rng.range(0.0, h as f32));
        let (rx, ry) = (
            rng.range(10.0, w as f32 / 4.0),
            rng.range(10.0, h as f32 / 4.0),
        );
        let tone = rng.range(0.0, 255.0);
        let ellipse = rng.chance(0.5);
        let (x0, x1) = ((cx - rx).max(0.0) as usize, ((cx + rx) as usize).min(w));
        let (y0, y1) = ((cy - ry).max(0.0) as usize, ((cy + ry) as usize).min(h));
        for y in y0..y1 {
            for x in x0..x1 {
                let (dx, dy) = ((x as f32 - cx) / rx, (y as f32 - cy) / ry);
                if (!ellipse || dx * dx + dy * dy < 1.0)
                    && let Some(p) = px.get_mut(y * w + x)
                {
                    *p = tone;
                }
            }
        }
    }
    px
}

/// Warps the card canvas into the scene through `frame_to_mm` (a homography from
/// frame pixels to card millimetres).
pub fn warp_into(
    scene: &mut [f32],
    w: usize,
    h: usize,
    card: &Canvas,
    frame_to_mm: &[f64; 9],
    bbox: (usize, usize, usize, usize),
) {
    let (x0, y0, x1, y1) = bbox;
    for y in y0..y1.min(h) {
        for x in x0..x1.min(w) {
            let (mx, my) = apply(frame_to_mm, x as f64 + 0.5, y as f64 + 0.5);
            if let Some(v) = card.sample(mx as f32 * card.res - 0.5, my as f32 * card.res - 0.5)
                && let Some(p) = scene.get_mut(y * w + x)
            {
                *p = v;
            }
        }
    }
}
