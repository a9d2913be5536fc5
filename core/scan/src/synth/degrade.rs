//! Camera degradations on an f32 grey image.

use super::rng::Rng;

pub fn gaussian_blur(px: &mut [f32], w: usize, h: usize, sigma: f32) {
    if sigma < 0.2 || w == 0 || h == 0 {
        return;
    }
    let r = (sigma * 3.0).ceil() as i64;
    let k: Vec<f32> = (-r..=r)
        .map(|i| (-(i * i) as f32 / (2.0 * sigma * sigma)).exp())
        .collect();
    let s: f32 = k.iter().sum();
    let k: Vec<f32> = k.iter().map(|v| v / s).collect();
    let mut tmp = vec![0.0f32; px.len()];
    for y in 0..h {
        for x in 0..w {
            let mut acc = 0.0;
            for (j, kv) in k.iter().enumerate() {
                let xx = (x as i64 + j as i64 - r).clamp(0, w as i64 - 1) as usize;
                acc += kv * px.get(y * w + xx).copied().unwrap_or(0.0);
            }
            if let Some(t) = tmp.get_mut(y * w + x) {
                *t = acc;
            }
        }
    }
    for y in 0..h {
        for x in 0..w {
            let mut acc = 0.0;
            for (j, kv) in k.iter().enumerate() {
                let yy = (y as i64 + j as i64 - r).clamp(0, h as i64 - 1) as usize;
                acc += kv * tmp.get(yy * w + x).copied().unwrap_or(0.0);
            }
            if let Some(p) = px.get_mut(y * w + x) {
                *p = acc;
            }
        }
    }
}

/// Linear motion blur of `len` pixels at `angle` radians.
pub fn motion_blur(px: &mut [f32], w: usize, h: usize, len: f32, angle: f32) {
    if len < 1.0 {
        return;
    }
    let n = len.ceil() as i64 + 1;
    let (dx, dy) = (
        angle.cos() * len / (n - 1) as f32,
        angle.sin() * len / (n - 1) as f32,
    );
    let offs: Vec<(i64, i64)> = (0..n)
        .map(|i| {
            let t = i as f32 - (n - 1) as f32 / 2.0;
            ((t * dx).round() as i64, (t * dy).round() as i64)
        })
        .collect();
    let src = px.to_vec();
    for y in 0..h as i64 {
        for x in 0..w as i64 {
            let mut acc = 0.0;
            for &(ox, oy) in &offs {
                let xx = (x + ox).clamp(0, w as i64 - 1) as usize;
                let yy = (y + oy).clamp(0, h as i64 - 1) as usize;
                acc += src.get(yy * w + xx).copied().unwrap_or(0.0);
            }
            if let Some(p) = px.get_mut(y as usize * w + x as usize) {
                *p = acc / n as f32;
            }
        }
    }
}

/// Uneven light: a linear ramp times a soft vignette, `amount` in [0, 1).
pub fn uneven_light(px: &mut [f32], w: usize, h: usize, amount: f32, rng: &mut Rng) {
    let a = rng.range(0.0, std::f32::consts::TAU);
    let (ca, sa) = (a.cos(), a.sin());
    for y in 0..h {
        for x in 0..w {
            let (u, v) = (x as f32 / w as f32 - 0.5, y as f32 / h as f32 - 0.5);
            let ramp = 1.0 + amount * (u * ca + v * sa) * 1.4;
            let vig = 1.0 - amount * 0.6 * (u * u + v * v);
            if let Some(p) = px.get_mut(y * w + x) {
                *p *= ramp * vig;
            }
        }
    }
}

/// A specular highlight: a bright soft ellipse added to the image.
pub fn glare(px: &mut [f32], w: usize, h: usize, cx: f32, cy: f32, r: f32, strength: f32) {
    let r2 = r * r;
    let x0 = (cx - 3.0 * r).max(0.0) as usize;
    let x1 = ((cx + 3.0 * r).max(0.0) as usize).min(w);
    let y0 = (cy - 3.0 * r).max(0.0) as usize;
    let y1 = ((cy + 3.0 * r).max(0.0) as usize).min(h);
    for y in y0..y1 {
        for x in x0..x1 {
            let (dx, dy) = (x as f32 - cx, (y as f32 - cy) * 1.6);
            let g = (-(dx * dx + dy * dy) / (2.0 * r2)).exp();
            if let Some(p) = px.get_mut(y * w + x) {
                *p += strength * g;
            }
        }
    }
}

pub fn contrast(px: &mut [f32], c: f32, brightness: f32) {
    for p in px.iter_mut() {
        *p = 128.0 + (*p - 128.0) * c + brightness;
    }
}

pub fn noise(px: &mut [f32], sigma: f32, rng: &mut Rng) {
    if sigma <= 0.0 {
        return;
    }
    for p in px.iter_mut() {
        *p += sigma * rng.normal();
    }
}

const QLUMA: [f32; 64] = [
    16.0, 11.0, 10.0, 16.0, 24.0, 40.0, 51.0, 61.0, 12.0, 12.0, 14.0, 19.0, 26.0, 58.0, 60.0, 55.0,
    14.0, 13.0, 16.0, 24.0, 40.0, 57.0, 69.0, 56.0, 14.0, 17.0, 22.0, 29.0, 51.0, 87.0, 80.0, 62.0,
    18.0, 22.0, 37.0, 56.0, 68.0, 109.0, 103.0, 77.0, 24.0, 35.0, 55.0, 64.0, 81.0, 104.0, 113.0,
    92.0, 49.0, 64.0, 78.0, 87.0, 103.0, 121.0, 120.0, 101.0, 72.0, 92.0, 95.0, 98.0, 112.0, 100.0,
    103.0, 99.0,
];

// Index loops mirror the DCT formulas.
#[allow(clippy::needless_range_loop)]
/// JPEG-like artefacts: 8x8 DCT, quantization with the standard luminance table
/// at `quality` (1-100), inverse DCT. Chroma is not modelled (luma only).
pub fn jpeg(px: &mut [f32], w: usize, h: usize, quality: u32) {
    let q = quality.clamp(1, 100) as f32;
    let scale = if q < 50.0 {
        5000.0 / q
    } else {
        200.0 - 2.0 * q
    } / 100.0;
    let qt: Vec<f32> = QLUMA
        .iter()
        .map(|v| (v * scale).round().clamp(1.0, 255.0))
        .collect();
    let mut cos = [[0.0f32; 8]; 8];
    for (x, row) in cos.iter_mut().enumerate() {
        for (u, c) in row.iter_mut().enumerate() {
            let cu = if u == 0 { (0.5f32).sqrt() } else { 1.0 };
            *c = 0.5 * cu * (((2 * x + 1) as f32 * u as f32 * std::f32::consts::PI) / 16.0).cos();
        }
    }
    let mut blk = [[0.0f32; 8]; 8];
    let mut tmp = [[0.0f32; 8]; 8];
    for by in (0..h).step_by(8) {
        for bx in (0..w).step_by(8) {
            for (y, row) in blk.iter_mut().enumerate() {
                for (x, b) in row.iter_mut().enumerate() {
                    let (xx, yy) = ((bx + x).min(w - 1), (by + y).min(h - 1));
                    *b = px.get(yy * w + xx).copied().unwrap_or(0.0) - 128.0;
                }
            }
            // Forward: rows then columns.
            for y in 0..8 {
                for u in 0..8 {
                    tmp[y][u] = (0..8).map(|x| blk[y][x] * cos[x][u]).sum();
                }
            }
            for u in 0..8 {
                for v in 0..8 {
                    let c: f32 = (0..8).map(|y| tmp[y][u] * cos[y][v]).sum();
                    let qv = qt.get(v * 8 + u).copied().unwrap_or(1.0);
                    blk[v][u] = (c / qv).round() * qv;
                }
            }
            // Inverse.
            for v in 0..8 {
                for x in 0..8 {
                    tmp[v][x] = (0..8).map(|u| blk[v][u] * cos[x][u]).sum();
                }
            }
            for y in 0..8 {
                for x in 0..8 {
                    let val: f32 = (0..8).map(|v| tmp[v][x] * cos[y][v]).sum();
                    if bx + x < w
                        && by + y < h
                        && let Some(p) = px.get_mut((by + y) * w + bx + x)
                    {
                        *p = val + 128.0;
                    }
                }
            }
        }
    }
}
