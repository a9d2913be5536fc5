//! A deterministic portrait: a synthetic face-like image encoded as a real
//! baseline JPEG, padded with comment segments to an exact size.

use jpeg_encoder::{ColorType, Encoder};

/// Portrait pixel size (ICAO's customary 3:4 chip portrait).
pub const WIDTH: u16 = 240;
pub const HEIGHT: u16 = 320;

/// The smallest portrait this generator makes.
pub const MIN_BYTES: usize = 1024;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PortraitError {
    #[error("portrait size {0} is below the minimum of {MIN_BYTES} bytes")]
    TooSmall(usize),
    #[error("JPEG encoding failed")]
    Encoding,
}

/// A JPEG of exactly `target` bytes (at least [`MIN_BYTES`]), the same for
/// the same `seed`. Returns the JPEG and its pixel size.
pub fn portrait(seed: &[u8], target: usize) -> Result<(Vec<u8>, u16, u16), PortraitError> {
    if target < MIN_BYTES {
        return Err(PortraitError::TooSmall(target));
    }
    let salt = seed
        .iter()
        .fold(0x9E37_79B9u32, |h, &b| h.rotate_left(5) ^ u32::from(b))
        .wrapping_mul(0x85EB_CA6B);
    let (mut w, mut h) = (WIDTH, HEIGHT);
    loop {
        let pixels = pixels(w, h, salt);
        // Highest quality that fits (binary search: size grows with quality),
        // so larger targets get better pictures.
        let fits = |len: usize| len == target || len + 4 <= target;
        let (mut lo, mut hi) = (1u8, 95u8);
        let mut best = None;
        while lo <= hi {
            let q = lo + (hi - lo) / 2;
            let jpeg = encode(&pixels, w, h, q)?;
            if fits(jpeg.len()) {
                best = Some(jpeg);
                lo = q + 1;
            } else {
                hi = q - 1;
            }
        }
        if let Some(jpeg) = best {
            return Ok((pad(jpeg, target), w, h));
        }
        if w <= 16 {
            return Err(PortraitError::TooSmall(target));
        }
        w /= 2;
        h /= 2;
    }
}

fn encode(pixels: &[u8], w: u16, h: u16, quality: u8) -> Result<Vec<u8>, PortraitError> {
    let mut out = Vec::new();
    Encoder::new(&mut out, quality)
        .encode(pixels, w, h, ColorType::Rgb)
        .map_err(|_| PortraitError::Encoding)?;
    Ok(out)
}

/// Background, an oval face, two eyes, and seed-dependent texture so
/// different seeds give different (but stable) images.
fn pixels(w: u16, h: u16, salt: u32) -> Vec<u8> {
    let (w, h) = (i32::from(w), i32::from(h));
    let mut out = Vec::with_capacity((w * h * 3) as usize);
    let mut state = salt | 1;
    for y in 0..h {
        for x in 0..w {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            let noise = (state & 0x1F) as i32 - 16;
            let (cx, cy) = (w / 2, h * 9 / 20);
            let (dx, dy) = (
                (x - cx) * 100 / (w * 3 / 10).max(1),
                (y - cy) * 100 / (h * 3 / 10).max(1),
            );
            let in_face = dx * dx + dy * dy < 100 * 100;
            let eye = |ex: i32| {
                let (ddx, ddy) = (x - ex, y - h * 2 / 5);
                ddx * ddx + ddy * ddy < (w / 24).max(1).pow(2)
            };
            let (r, g, b) = if eye(w * 2 / 5) || eye(w * 3 / 5) {
                (40, 40, 60)
            } else if in_face {
                (224, 180, 150)
            } else {
                (200, 210, 225 - y * 40 / h)
            };
            for c in [r, g, b] {
                out.push((c + noise).clamp(0, 255) as u8);
            }
        }
    }
    out
}

/// Inserts COM segments after SOI until the file is `target` bytes.
fn pad(jpeg: Vec<u8>, target: usize) -> Vec<u8> {
    let mut missing = target.saturating_sub(jpeg.len());
    let mut out = Vec::with_capacity(target);
    out.extend_from_slice(jpeg.get(..2).unwrap_or(&[]));
    while missing > 0 {
        // A COM segment costs at least 4 bytes; never leave 1-3 bytes over.
        let mut seg = missing.min(65_535 + 2);
        if (1..4).contains(&(missing - seg)) {
            seg -= 4;
        }
        let body = seg - 4;
        let len = (body + 2) as u16;
        out.extend_from_slice(&[0xFF, 0xFE]);
        out.extend_from_slice(&len.to_be_bytes());
        out.extend(std::iter::repeat_n(b' ', body));
        missing = missing.saturating_sub(seg);
    }
    out.extend_from_slice(jpeg.get(2..).unwrap_or(&[]));
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn exact_size_and_deterministic() {
        let (a, w, h) = portrait(b"seed", 17_600).unwrap();
        assert_eq!(a.len(), 17_600);
        assert!(a.starts_with(&[0xFF, 0xD8]) && a.ends_with(&[0xFF, 0xD9]));
        assert_eq!((w, h), (WIDTH, HEIGHT));
        let (b, _, _) = portrait(b"seed", 17_600).unwrap();
        assert_eq!(a, b);
        let (c, _, _) = portrait(b"other", 17_600).unwrap();
        assert_ne!(a, c);
    }

    #[test]
    fn small_targets_shrink_the_image() {
        let (a, w, _) = portrait(b"seed", 2_000).unwrap();
        assert_eq!(a.len(), 2_000);
        assert!(w <= WIDTH);
        assert!(portrait(b"seed", 10).is_err());
    }
}
