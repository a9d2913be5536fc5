//! The online bank's QR image: the `qrcode` crate's modules written as a
//! greyscale PNG, without an image library.
use qrcode::{Color, EcLevel, QrCode};

/// Pixels per module and the quiet zone (modules) the QR standard asks for.
const SCALE: usize = 8;
const QUIET: usize = 4;

/// A PNG of the QR code of `text`; `None` if the text does not fit a QR code.
pub fn png(text: &str) -> Option<Vec<u8>> {
    let code = QrCode::with_error_correction_level(text.as_bytes(), EcLevel::M).ok()?;
    let w = code.width();
    let colors = code.to_colors();
    let side = (w + 2 * QUIET) * SCALE;
    let mut pixels = vec![255u8; side * side];
    for (i, c) in colors.iter().enumerate() {
        if *c != Color::Dark {
            continue;
        }
        let (mx, my) = (i % w + QUIET, i / w + QUIET);
        for y in my * SCALE..(my + 1) * SCALE {
            let row = pixels.get_mut(y * side + mx * SCALE..y * side + (mx + 1) * SCALE)?;
            row.fill(0);
        }
    }
    let mut out = Vec::new();
    {
        let side32 = u32::try_from(side).ok()?;
        let mut enc = png::Encoder::new(&mut out, side32, side32);
        enc.set_color(png::ColorType::Grayscale);
        enc.set_depth(png::BitDepth::Eight);
        let mut w = enc.write_header().ok()?;
        w.write_image_data(&pixels).ok()?;
        w.finish().ok()?;
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    #[test]
    fn png_signature_and_size() {
        let p = super::png("aktiver:activation-code:12345678").unwrap();
        assert!(p.starts_with(b"\x89PNG\r\n\x1a\n"));
        assert!(p.len() < 4096, "{}", p.len());
    }
}
