//! Any frame size, stride, rotation and content: no panic.
#![no_main]
use aktiver_scan::{LumaFrame, Rect, Rotation, scan_frame};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if data.len() < 8 {
        return;
    }
    let w = u32::from(u16::from_le_bytes([data[0], data[1]]) % 700);
    let h = u32::from(u16::from_le_bytes([data[2], data[3]]) % 500);
    let pad = u32::from(data[4] % 8);
    let rot = [Rotation::R0, Rotation::R90, Rotation::R180, Rotation::R270][usize::from(data[5] % 4)];
    let roi = (data[6] & 1 == 1).then(|| Rect { x: w / 4, y: h / 4, width: w / 2, height: h / 2 });
    let body = &data[8..];
    let stride = w + pad;
    let need = (stride as usize) * (h as usize);
    let buf: Vec<u8> = (0..need).map(|i| body.get(i % body.len().max(1)).copied().unwrap_or(0)).collect();
    if let Ok(f) = LumaFrame::with_roi(&buf, w, h, stride, rot, roi) {
        let _ = scan_frame(&f);
    }
});
