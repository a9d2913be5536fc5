//! QR codes from the same camera frames as the MRZ: the alternative activation
//! path, where the online bank shows the activation code as a QR code.
//!
//! Decoding is rxing's (a port of ZXing and zxing-cpp); this module only turns a
//! [`LumaFrame`] (stride, rotation, region of interest) into the tightly packed
//! upright plane rxing reads, and keeps the payload out of logs.

use crate::frame::LumaFrame;
use rxing::common::HybridBinarizer;
use rxing::qrcode::QRCodeReader;
use rxing::qrcode::cpp_port::QrReader;
use rxing::{BarcodeFormat, BinaryBitmap, DecodeHints, Luma8Source, Reader};
use std::collections::HashSet;
use zeroize::Zeroizing;

/// Below this side no QR code fits: version 1 has 21 modules, and a module
/// needs at least one pixel.
const MIN_SIDE: u32 = 21;

/// The text of a decoded QR code. It is normally an activation code, a
/// one-time secret: `Debug` shows only its length and the text is wiped on drop.
pub struct QrCode {
    text: Zeroizing<String>,
}

impl QrCode {
    /// The decoded text, as encoded in the code (no trimming or normalisation).
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The text, still wiped when the caller drops it.
    pub fn into_text(self) -> Zeroizing<String> {
        self.text
    }
}

impl std::fmt::Debug for QrCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "QrCode({} bytes)", self.text.len())
    }
}

/// How hard to look.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct QrOptions {
    /// Scan every row for finder patterns instead of every few rows, and fall
    /// back to the older ZXing detector: finds smaller and damaged codes at
    /// several times the cost. Off for the live preview, where the next frame
    /// is another chance; on for a single still image.
    pub try_harder: bool,
}

/// Looks for a QR code in the frame and returns its text; `None` when there is
/// none, it cannot be decoded, or the frame is too small to hold one.
pub fn scan_qr(frame: &LumaFrame<'_>) -> Option<QrCode> {
    scan_qr_with(frame, QrOptions::default())
}

/// [`scan_qr`] with explicit options.
pub fn scan_qr_with(frame: &LumaFrame<'_>, options: QrOptions) -> Option<QrCode> {
    let (w, h) = (frame.width(), frame.height());
    if w < MIN_SIDE || h < MIN_SIDE {
        return None;
    }
    // The plane shows the code, hence the secret: wipe the copy too.
    let plane = Zeroizing::new(upright_plane(frame));
    // rxing indexes slices freely; a panic on some odd frame must not take the
    // app down (panic = "unwind" in every profile), it is just "no code".
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        decode(&plane, w, h, options)
    }))
    .ok()
    .flatten()
}

fn decode(plane: &[u8], w: u32, h: u32, options: QrOptions) -> Option<QrCode> {
    let source = Luma8Source::new_with_slice(plane, w, h).ok()?;
    let mut bitmap = BinaryBitmap::new(HybridBinarizer::new(source));
    let hints = DecodeHints {
        PossibleFormats: Some(HashSet::from([BarcodeFormat::QR_CODE])),
        TryHarder: Some(options.try_harder),
        ..DecodeHints::default()
    };
    // The zxing-cpp port first (better on perspective and small codes), then,
    // when trying hard, the original ZXing detector, as rxing's MultiFormatReader does.
    let result = QrReader
        .decode_with_hints(&mut bitmap, &hints)
        .or_else(|e| {
            if options.try_harder {
                QRCodeReader.decode_with_hints(&mut bitmap, &hints)
            } else {
                Err(e)
            }
        });
    let result = result.ok()?;
    if *result.getBarcodeFormat() != BarcodeFormat::QR_CODE {
        return None;
    }
    Some(QrCode {
        text: Zeroizing::new(result.getText().to_owned()),
    })
}

/// The upright region as a tightly packed plane (rxing reads no stride or rotation).
fn upright_plane(frame: &LumaFrame<'_>) -> Vec<u8> {
    let (w, h) = (frame.width(), frame.height());
    let mut out = Vec::with_capacity(w as usize * h as usize);
    for v in 0..h {
        match frame.row_slice(v) {
            Some(row) => out.extend_from_slice(row),
            None => out.extend((0..w).map(|u| frame.get(u as i32, v as i32))),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use crate::frame::{LumaImage, Rect, Rotation};
    use rxing::Writer;
    use rxing::qrcode::QRCodeWriter;

    const PAYLOAD: &str = "AKTIVER:ACT1:7Q4M-K2XD-9PLF-W3HN";

    /// A QR code drawn at `module` pixels per module, top-left at (x, y), on a
    /// mid-grey textured background of `w` x `h`.
    fn scene(text: &str, w: u32, h: u32, x: u32, y: u32, module: u32) -> LumaImage {
        let bits = QRCodeWriter
            .encode(text, &BarcodeFormat::QR_CODE, 0, 0)
            .expect("encode");
        let mut im = LumaImage::new(w, h, 0);
        for (i, p) in im.data.iter_mut().enumerate() {
            // Card-like clutter: a gradient and a fine pattern, never pure white or black.
            let (u, v) = (i as u32 % w, i as u32 / w);
            *p = 90 + ((u / 7 + v / 5) % 3) as u8 * 20 + (v * 40 / h) as u8;
        }
        let side = bits.getWidth() * module;
        for v in 0..side + 8 * module {
            for u in 0..side + 8 * module {
                // Quiet zone of 4 modules, then the symbol.
                let (mu, mv) = (u / module, v / module);
                let dark = mu >= 4
                    && mv >= 4
                    && mu - 4 < bits.getWidth()
                    && mv - 4 < bits.getHeight()
                    && bits.get(mu - 4, mv - 4);
                let (px, py) = (x + u, y + v);
                if px < w && py < h {
                    im.data[(py * w + px) as usize] = if dark { 25 } else { 230 };
                }
            }
        }
        im
    }

    #[test]
    fn decodes_upright() {
        let im = scene(PAYLOAD, 640, 480, 150, 90, 6);
        let code = scan_qr(&im.frame()).expect("decoded");
        assert_eq!(code.text(), PAYLOAD);
    }

    #[test]
    fn decodes_every_rotation_from_a_strided_buffer() {
        let im = scene(PAYLOAD, 640, 360, 300, 60, 5);
        for rot in [Rotation::R0, Rotation::R90, Rotation::R180, Rotation::R270] {
            // Stride larger than the width, with junk in the padding.
            let (mut buf, bw, bh, stride) = im.to_camera_buffer(rot, 48);
            for y in 0..bh {
                for x in bw..stride {
                    buf[(y * stride + x) as usize] = 255;
                }
            }
            let f = LumaFrame::new(&buf, bw, bh, stride, rot).unwrap();
            assert_eq!((f.width(), f.height()), (640, 360));
            let code = scan_qr(&f).unwrap_or_else(|| panic!("no code at {rot:?}"));
            assert_eq!(code.text(), PAYLOAD, "{rot:?}");
        }
    }

    #[test]
    fn decodes_inside_a_region_of_interest() {
        let im = scene(PAYLOAD, 640, 360, 300, 60, 5);
        let (buf, bw, bh, stride) = im.to_camera_buffer(Rotation::R90, 16);
        // The buffer is 360 wide, 640 high; the code sits in buffer rows 640-1-(300..)...
        let roi = Rect {
            x: 0,
            y: 0,
            width: bw,
            height: bh / 2 + 40,
        };
        let f = LumaFrame::with_roi(&buf, bw, bh, stride, Rotation::R90, Some(roi)).unwrap();
        assert_eq!(
            scan_qr(&f).map(|c| c.text().to_owned()).as_deref(),
            Some(PAYLOAD)
        );
        let other_half = Rect {
            x: 0,
            y: bh / 2 + 40,
            width: bw,
            height: bh / 2 - 40,
        };
        let f = LumaFrame::with_roi(&buf, bw, bh, stride, Rotation::R90, Some(other_half)).unwrap();
        assert!(scan_qr(&f).is_none());
    }

    #[test]
    fn utf8_and_long_payloads() {
        for text in ["æøå ÆØÅ activation", &"0123456789ABCDEF".repeat(12)] {
            let im = scene(text, 800, 800, 40, 40, 4);
            let mut o = QrOptions::default();
            assert_eq!(scan_qr_with(&im.frame(), o).unwrap().text(), text);
            o.try_harder = true;
            assert_eq!(scan_qr_with(&im.frame(), o).unwrap().text(), text);
        }
    }

    #[test]
    fn debug_hides_the_payload() {
        let im = scene(PAYLOAD, 400, 400, 40, 40, 5);
        let code = scan_qr(&im.frame()).unwrap();
        let d = format!("{code:?}");
        assert!(!d.contains("ACT1"), "{d}");
        assert_eq!(d, format!("QrCode({} bytes)", PAYLOAD.len()));
        assert_eq!(code.into_text().as_str(), PAYLOAD);
    }

    #[test]
    fn negatives_are_none() {
        let blank = LumaImage::new(1280, 720, 128);
        let im = scene(PAYLOAD, 640, 480, 0, 0, 1);
        // A code of one pixel per module, then cut in half: nothing decodable.
        let half = LumaFrame::with_roi(
            &im.data,
            640,
            480,
            640,
            Rotation::R0,
            Some(Rect {
                x: 0,
                y: 0,
                width: 17,
                height: 40,
            }),
        )
        .unwrap();
        assert!(scan_qr(&blank.frame()).is_none());
        assert!(scan_qr(&half).is_none());
        #[cfg(feature = "generator")]
        for level in crate::synth::Level::ALL {
            for seed in 0..3 {
                let g = crate::synth::negative(seed, level, (640, 360));
                assert!(scan_qr(&g.image.frame()).is_none(), "{level:?} {seed}");
                let g = crate::synth::Scenario::new(seed, level, None, (640, 360)).frame(0);
                assert!(scan_qr(&g.image.frame()).is_none(), "mrz {level:?} {seed}");
            }
        }
    }

    #[test]
    fn tiny_and_empty_frames() {
        for (w, h) in [(0, 0), (1, 1), (20, 400), (400, 20), (21, 21), (3, 1000)] {
            let im = LumaImage::new(w, h, 0);
            assert!(scan_qr(&im.frame()).is_none(), "{w}x{h}");
        }
    }

    /// A tiny xorshift so the test needs no extra crate.
    fn noise(seed: u64, n: usize) -> Vec<u8> {
        let mut s = seed | 1;
        (0..n)
            .map(|_| {
                s ^= s << 13;
                s ^= s >> 7;
                s ^= s << 17;
                s as u8
            })
            .collect()
    }

    #[test]
    fn random_frames_never_panic() {
        for seed in 0..40u64 {
            let w = 21 + (seed * 37 % 300) as u32;
            let h = 21 + (seed * 53 % 200) as u32;
            let mut data = noise(seed, (w * h) as usize);
            // Some frames binary, some with blocks that look like finder patterns.
            if seed % 3 == 0 {
                data.iter_mut()
                    .for_each(|p| *p = if *p > 127 { 255 } else { 0 });
            }
            if seed % 3 == 1 {
                for (i, p) in data.iter_mut().enumerate() {
                    let (u, v) = (i as u32 % w / 3, i as u32 / w / 3);
                    let ring = u.abs_diff(5).max(v.abs_diff(5));
                    if ring < 4 {
                        *p = if ring == 2 { 255 } else { 0 };
                    }
                }
            }
            let rot = Rotation::from_degrees((seed as i32 % 4) * 90).unwrap();
            let f = LumaFrame::new(&data, w, h, w, rot).unwrap();
            let _ = scan_qr(&f);
            let _ = scan_qr_with(&f, QrOptions { try_harder: true });
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]
        #[test]
        fn arbitrary_small_frames(
            w in 0u32..80, h in 0u32..80, pad in 0u32..5, rot in 0i32..4, seed in proptest::prelude::any::<u64>()
        ) {
            let stride = w + pad;
            let data = noise(seed, (stride * h) as usize);
            let f = LumaFrame::new(&data, w, h, stride, Rotation::from_degrees(rot * 90).unwrap()).unwrap();
            let _ = scan_qr_with(&f, QrOptions { try_harder: seed % 2 == 0 });
        }
    }
}
