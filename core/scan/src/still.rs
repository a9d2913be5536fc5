//! Still images (PNG, JPEG) for tests and desktop use.

use crate::frame::LumaImage;

#[derive(Debug, thiserror::Error)]
pub enum StillError {
    #[error("cannot decode the image: {0}")]
    Decode(String),
    #[error("image of {width}x{height} exceeds the size limit")]
    TooLarge { width: u32, height: u32 },
}

/// Decodes PNG or JPEG bytes into an upright luma image (BT.601), turned as
/// the EXIF orientation tag says (a phone stores a portrait photo sideways
/// and tags it).
pub fn decode(bytes: &[u8]) -> Result<LumaImage, StillError> {
    let mut reader = image::ImageReader::new(std::io::Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|e| StillError::Decode(e.to_string()))?;
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(crate::frame::MAX_SIDE);
    limits.max_image_height = Some(crate::frame::MAX_SIDE);
    limits.max_alloc = Some(1 << 30);
    reader.limits(limits);
    let mut decoder = reader
        .into_decoder()
        .map_err(|e| StillError::Decode(e.to_string()))?;
    // A malformed EXIF block is not worth refusing the image for.
    let orientation = image::ImageDecoder::orientation(&mut decoder)
        .unwrap_or(image::metadata::Orientation::NoTransforms);
    let mut img = image::DynamicImage::from_decoder(decoder)
        .map_err(|e| StillError::Decode(e.to_string()))?;
    img.apply_orientation(orientation);
    let luma = img.to_luma8();
    let (width, height) = luma.dimensions();
    if width > crate::frame::MAX_SIDE || height > crate::frame::MAX_SIDE {
        return Err(StillError::TooLarge { width, height });
    }
    Ok(LumaImage {
        width,
        height,
        data: luma.into_raw(),
    })
}

/// Encodes a luma image as PNG (generated frames for other tools).
pub fn encode_png(img: &LumaImage) -> Result<Vec<u8>, StillError> {
    let mut out = Vec::new();
    image::write_buffer_with_format(
        &mut std::io::Cursor::new(&mut out),
        &img.data,
        img.width,
        img.height,
        image::ExtendedColorType::L8,
        image::ImageFormat::Png,
    )
    .map_err(|e| StillError::Decode(e.to_string()))?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn png_round_trip_and_garbage() {
        let mut img = LumaImage::new(7, 3, 10);
        img.data[5] = 200;
        let png = encode_png(&img).unwrap();
        assert_eq!(decode(&png).unwrap(), img);
        assert!(decode(b"not an image").is_err());
        assert!(decode(&[]).is_err());
    }

    /// `png` with an eXIf chunk whose orientation tag is `orientation`,
    /// inserted after IHDR.
    fn with_exif_orientation(png: &[u8], orientation: u16) -> Vec<u8> {
        // A big-endian TIFF header and one IFD entry: tag 0x0112, SHORT, 1.
        let mut exif = b"MM\0*\0\0\0\x08\0\x01\x01\x12\0\x03\0\0\0\x01".to_vec();
        exif.extend_from_slice(&orientation.to_be_bytes());
        exif.extend_from_slice(&[0, 0, 0, 0, 0, 0]);
        let mut chunk = (exif.len() as u32).to_be_bytes().to_vec();
        let body: Vec<u8> = b"eXIf".iter().chain(&exif).copied().collect();
        chunk.extend_from_slice(&body);
        chunk.extend_from_slice(&crc32(&body).to_be_bytes());
        // Signature (8) and IHDR (4 + 4 + 13 + 4).
        let at = 8 + 25;
        let mut out = png[..at].to_vec();
        out.extend_from_slice(&chunk);
        out.extend_from_slice(&png[at..]);
        out
    }

    fn crc32(bytes: &[u8]) -> u32 {
        let mut c = !0u32;
        for &b in bytes {
            c ^= u32::from(b);
            for _ in 0..8 {
                c = if c & 1 == 1 {
                    0xEDB8_8320 ^ (c >> 1)
                } else {
                    c >> 1
                };
            }
        }
        !c
    }

    #[test]
    fn the_exif_orientation_turns_the_image_upright() {
        // 3 wide, 2 high: 0 1 2 / 3 4 5.
        let mut img = LumaImage::new(3, 2, 0);
        for (i, p) in img.data.iter_mut().enumerate() {
            *p = i as u8 * 40;
        }
        let png = encode_png(&img).unwrap();
        assert_eq!(decode(&with_exif_orientation(&png, 1)).unwrap(), img);
        // 6: the stored image is to be turned 90 degrees clockwise.
        let turned = decode(&with_exif_orientation(&png, 6)).unwrap();
        assert_eq!((turned.width, turned.height), (2, 3));
        assert_eq!(turned.data, [120, 0, 160, 40, 200, 80]);
        let upside_down = decode(&with_exif_orientation(&png, 3)).unwrap();
        assert_eq!(upside_down.data, [200, 160, 120, 80, 40, 0]);
    }
}
