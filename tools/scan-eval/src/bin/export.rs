//! Writes labelled frames for other tools (tools/passporteye/compare.sh):
//!
//! `cargo run --release -p aktiver-scan-tools --bin export -- mrz DIR N [SEED] [1080]`
//! writes N frames per level as `DIR/LEVEL_III.png` and `DIR/labels.json`
//! (`[{"file", "level", "truth": [lines]}]`), the same scenarios as the report.
//!
//! `cargo run -p aktiver-scan-tools --bin export -- qr PATH TEXT [MODULE_PX]`
//! writes a QR code of TEXT on a grey card-like background (for `mrz scan --qr`).
#![allow(clippy::unwrap_used)]

use aktiver_scan::synth::{Level, Scenario};
use rxing::qrcode::QRCodeWriter;
use rxing::{BarcodeFormat, Writer};

fn save(path: &str, data: &[u8], w: u32, h: u32) {
    if let Err(e) = image::save_buffer(path, data, w, h, image::ExtendedColorType::L8) {
        eprintln!("{path}: {e}");
        std::process::exit(2);
    }
}

fn mrz(args: &[String]) {
    let dir = args
        .first()
        .cloned()
        .unwrap_or_else(|| "/tmp/frames".into());
    let n: u64 = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(30);
    let seed: u64 = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(1);
    let size = if args.get(3).map(String::as_str) == Some("1080") {
        (1920, 1080)
    } else {
        (1280, 720)
    };
    std::fs::create_dir_all(&dir).unwrap();
    let mut labels = Vec::new();
    for level in Level::ALL {
        for i in 0..n {
            // Seeds and frame indices spread like the report's bursts.
            let sc = Scenario::new(seed.wrapping_add(i * 7919), level, None, size);
            let g = sc.frame(i % 5);
            let file = format!("{}_{i:03}.png", level.name());
            save(
                &format!("{dir}/{file}"),
                &g.image.data,
                g.image.width,
                g.image.height,
            );
            // MRZ characters are A-Z, 0-9 and '<': nothing to escape in JSON.
            let truth: Vec<String> = g.truth.iter().map(|l| format!("\"{l}\"")).collect();
            labels.push(format!(
                "{{\"file\": \"{file}\", \"level\": \"{}\", \"truth\": [{}]}}",
                level.name(),
                truth.join(", ")
            ));
        }
    }
    std::fs::write(
        format!("{dir}/labels.json"),
        format!("[\n{}\n]\n", labels.join(",\n")),
    )
    .unwrap();
    println!("{} frames in {dir}", labels.len());
}

fn qr(args: &[String]) {
    let (Some(path), Some(text)) = (args.first(), args.get(1)) else {
        eprintln!("usage: export qr PATH TEXT [MODULE_PX]");
        std::process::exit(2);
    };
    let module: u32 = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(6);
    let bits = QRCodeWriter
        .encode(text, &BarcodeFormat::QR_CODE, 0, 0)
        .unwrap();
    let side = (bits.getWidth() + 8) * module;
    let (w, h) = (side * 2, side + 2 * module);
    let mut data = vec![120u8; (w * h) as usize];
    for v in 0..side {
        for u in 0..side {
            let (mu, mv) = (u / module, v / module);
            let dark = mu >= 4
                && mv >= 4
                && mu - 4 < bits.getWidth()
                && mv - 4 < bits.getHeight()
                && bits.get(mu - 4, mv - 4);
            data[((v + module) * w + u + side / 2) as usize] = if dark { 20 } else { 235 };
        }
    }
    save(path, &data, w, h);
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("mrz") => mrz(&args[1..]),
        Some("qr") => qr(&args[1..]),
        _ => {
            eprintln!("usage: export mrz DIR N [SEED] [1080] | export qr PATH TEXT [MODULE_PX]");
            std::process::exit(2);
        }
    }
}
