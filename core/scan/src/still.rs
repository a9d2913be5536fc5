//! Still images (PNG, JPEG) for tests and desktop use.

use crate::frame::LumaImage;

#[derive(Debug, thiserror::Error)]
pub enum StillError {
    #[error("cannot decode the image: {0}")]
    Decode(String),
    #[error("image of {width}x{height} exceeds the size limit")]
    TooLarge { width: u32, height: u32 },
}

/// Decodes PNG or JPEG bytes into an upright luma image (BT.601).
pub fn decode(bytes: &[u8]) -> Result<LumaImage, StillError> {
    let mut reader = image::ImageReader::new(std::io::Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|e| StillError::Decode(e.to_string()))?;
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(crate::frame::MAX_SIDE);
    limits.max_image_height = Some(crate::frame::MAX_SIDE);
    limits.max_alloc = Some(1 << 30);
    reader.limits(limits);
    let img = reader
        .decode()
        .map_err(|e| StillError::Decode(e.to_string()))?;
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
}
