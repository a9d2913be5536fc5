//! Milliseconds per frame for QR decoding (single-threaded, fastest of 5 runs):
//! `cargo run --release -p aktiver-scan-tools --bin qrbench -- [FRAMES]`.
//! Positives: a code on a generated negative frame; negatives: generated negatives
//! and MRZ frames at every level, 1280x720.
#![allow(clippy::unwrap_used)]

use aktiver_scan::LumaImage;
use aktiver_scan::qr::{QrOptions, scan_qr_with};
use aktiver_scan::synth::{Level, Scenario, negative};
use rxing::qrcode::QRCodeWriter;
use rxing::{BarcodeFormat, Writer};
use std::time::Instant;

fn paste_code(im: &mut LumaImage, text: &str, x: u32, y: u32, module: u32) {
    let bits = QRCodeWriter
        .encode(text, &BarcodeFormat::QR_CODE, 0, 0)
        .unwrap();
    let side = (bits.getWidth() + 8) * module;
    for v in 0..side {
        for u in 0..side {
            let (mu, mv) = (u / module, v / module);
            let dark = mu >= 4
                && mv >= 4
                && mu - 4 < bits.getWidth()
                && mv - 4 < bits.getHeight()
                && bits.get(mu - 4, mv - 4);
            let (px, py) = (x + u, y + v);
            if px < im.width && py < im.height {
                im.data[(py * im.width + px) as usize] = if dark { 30 } else { 220 };
            }
        }
    }
}

fn time(im: &LumaImage, o: QrOptions) -> (bool, f64) {
    let mut best = f64::MAX;
    let mut found = false;
    for _ in 0..5 {
        let t = Instant::now();
        found = scan_qr_with(&im.frame(), o).is_some();
        best = best.min(t.elapsed().as_secs_f64() * 1e3);
    }
    (found, best)
}

fn pct(v: &mut [f64], q: f64) -> f64 {
    v.sort_by(f64::total_cmp);
    v.get(((v.len().max(1) - 1) as f64 * q).round() as usize)
        .copied()
        .unwrap_or(0.0)
}

fn main() {
    let n: u64 = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(10);
    let size = (1280, 720);
    println!(
        "| set | try_harder | frames | decoded | median ms | p95 ms |\n|---|---|---|---|---|---|"
    );
    for try_harder in [false, true] {
        let o = QrOptions { try_harder };
        let (mut pos, mut neg) = (Vec::new(), Vec::new());
        let (mut pos_found, mut neg_found) = (0, 0);
        for level in Level::ALL {
            for i in 0..n {
                let mut im = negative(i, level, size).image;
                let module = 3 + (i % 4) as u32;
                paste_code(
                    &mut im,
                    "AKTIVER:ACT1:7Q4M-K2XD-9PLF-W3HN",
                    200 + 40 * i as u32,
                    100,
                    module,
                );
                let (f, ms) = time(&im, o);
                pos_found += usize::from(f);
                pos.push(ms);
                for im in [
                    negative(1000 + i, level, size).image,
                    Scenario::new(i, level, None, size).frame(0).image,
                ] {
                    let (f, ms) = time(&im, o);
                    neg_found += usize::from(f);
                    neg.push(ms);
                }
            }
        }
        let np = pos.len();
        let nn = neg.len();
        println!(
            "| code on a card scene | {try_harder} | {np} | {pos_found} | {:.2} | {:.2} |",
            pct(&mut pos, 0.5),
            pct(&mut pos, 0.95)
        );
        println!(
            "| no code (negatives, MRZ frames) | {try_harder} | {nn} | {neg_found} | {:.2} | {:.2} |",
            pct(&mut neg, 0.5),
            pct(&mut neg, 0.95)
        );
    }
}
