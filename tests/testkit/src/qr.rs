//! The phone's camera filming a QR code on a computer screen: the online
//! bank's activation-code image (a PNG, as the sandbox's bank serves it)
//! put into a camera frame, smaller, on a lit screen among page clutter,
//! with sensor noise. Deterministic for a seed.
use aktiver_scan::LumaImage;

/// The frame size of the simulated camera.
pub const FRAME: (u32, u32) = (1280, 720);

/// A greyscale PNG decoded to one byte per pixel.
fn decode_png(png_bytes: &[u8]) -> Result<LumaImage, String> {
    let mut reader = png::Decoder::new(std::io::Cursor::new(png_bytes))
        .read_info()
        .map_err(|e| format!("QR image: {e}"))?;
    let size = reader.output_buffer_size().ok_or("QR image: too large")?;
    let mut buf = vec![0u8; size];
    let info = reader
        .next_frame(&mut buf)
        .map_err(|e| format!("QR image: {e}"))?;
    if info.color_type != png::ColorType::Grayscale || info.bit_depth != png::BitDepth::Eight {
        return Err("QR image: not 8-bit greyscale".into());
    }
    buf.truncate(info.buffer_size());
    let mut img = LumaImage::new(info.width, info.height, 0);
    img.data = buf;
    Ok(img)
}

/// A tiny xorshift: noise without another crate.
struct Noise(u64);

impl Noise {
    fn next(&mut self) -> u8 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 >> 24) as u8
    }
}

/// A camera frame of the QR image `png` shown on a screen: scaled to
/// `scale` (nearest neighbour), its black and white squeezed to what a
/// screen filmed in a room gives, placed off centre on a page with text-like
/// clutter and a light gradient, plus noise.
pub fn frame_of_png(png_bytes: &[u8], seed: u64, scale: f32) -> Result<LumaImage, String> {
    let qr = decode_png(png_bytes)?;
    let (w, h) = FRAME;
    let mut noise = Noise(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
    let mut img = LumaImage::new(w, h, 0);
    for (i, p) in img.data.iter_mut().enumerate() {
        let (u, v) = (i as u32 % w, i as u32 / w);
        // The page around the code: a gradient and lines of "text".
        let text = (v / 9) % 3 == 0 && (u / 5 + v / 27) % 7 != 0;
        let base = 120 + (u * 50 / w) as i32 - (v * 30 / h) as i32;
        *p = if text { (base - 60) as u8 } else { base as u8 };
    }
    let side = (qr.width as f32 * scale) as u32;
    let (x0, y0) = (
        w / 2 - side / 2 + (seed % 97) as u32,
        h / 2 - side / 2 - (seed % 41) as u32,
    );
    for y in 0..side.min(h - y0) {
        for x in 0..side.min(w - x0) {
            let (sx, sy) = ((x as f32 / scale) as u32, (y as f32 / scale) as u32);
            let q = qr.data[(sy.min(qr.height - 1) * qr.width + sx.min(qr.width - 1)) as usize];
            // A screen filmed: black is dark grey, white is light grey.
            let lum = 45 + u32::from(q) * 160 / 255;
            img.data[((y0 + y) * w + x0 + x) as usize] = lum as u8;
        }
    }
    for p in img.data.iter_mut() {
        let n = i32::from(noise.next() % 17) - 8;
        *p = (i32::from(*p) + n).clamp(0, 255) as u8;
    }
    Ok(img)
}

/// A frame of a QR code carrying `text`, drawn as the online bank draws it.
pub fn frame_of_text(text: &str, seed: u64) -> Result<LumaImage, String> {
    let png = aktiver_sandbox::qr::png(text).ok_or("text too long for a QR code")?;
    frame_of_png(&png, seed, 0.75)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn the_scanner_reads_the_filmed_code() {
        let payload = "aktiver:activation-code:48151623";
        for seed in 0..3 {
            let f = frame_of_text(payload, seed).unwrap();
            assert_eq!((f.width, f.height), FRAME);
            let code = aktiver_scan::qr::scan_qr(&f.frame()).unwrap();
            assert_eq!(code.text(), payload);
        }
        // The page alone holds no code.
        let mut blank = frame_of_text(payload, 0).unwrap();
        blank.data.iter_mut().for_each(|p| *p = 128);
        assert!(aktiver_scan::qr::scan_qr(&blank.frame()).is_none());
        assert!(frame_of_png(b"not a png", 0, 1.0).is_err());
    }
}
