//! Camera frames as PNG for the page: 8-bit grey, half size (a 1280x720
//! frame is 640x360 on the page anyway).
use aktiver_scan::LumaImage;

/// The frame at half size, encoded as a grey PNG.
pub fn grey(img: &LumaImage) -> Option<Vec<u8>> {
    let (w, h) = (img.width as usize / 2, img.height as usize / 2);
    if w == 0 || h == 0 {
        return None;
    }
    let src_w = img.width as usize;
    let mut half = Vec::with_capacity(w * h);
    for y in 0..h {
        for x in 0..w {
            let at = |dx: usize, dy: usize| {
                u16::from(
                    img.data
                        .get((2 * y + dy) * src_w + 2 * x + dx)
                        .copied()
                        .unwrap_or(0),
                )
            };
            half.push(((at(0, 0) + at(1, 0) + at(0, 1) + at(1, 1)) / 4) as u8);
        }
    }
    let mut out = Vec::new();
    {
        let mut enc = png::Encoder::new(&mut out, w as u32, h as u32);
        enc.set_color(png::ColorType::Grayscale);
        enc.set_depth(png::BitDepth::Eight);
        enc.set_compression(png::Compression::Fast);
        let mut wr = enc.write_header().ok()?;
        wr.write_image_data(&half).ok()?;
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_frame_encodes_at_half_size() {
        let img = LumaImage::new(8, 6, 200);
        let png = grey(&img).unwrap_or_default();
        assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
        // IHDR: width and height, big-endian, after the 8-byte signature and 8-byte chunk header.
        assert_eq!(&png[16..24], &[0, 0, 0, 4, 0, 0, 0, 3]);
    }
}
