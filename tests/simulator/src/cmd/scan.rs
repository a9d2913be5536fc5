//! `aktiver-sim mrz scan ...` (issue 3).
use super::{EXIT_INVALID, EXIT_MISUSE, EXIT_VALID};
use aktiver_scan::qr::{QrOptions, scan_qr_with};
use aktiver_scan::{Consensus, FrameScan, LumaImage, scan_frame, scan_image, still};
use clap::Args;
use serde_json::{Value, json};
use std::time::Instant;

#[derive(Args)]
pub struct ScanArgs {
    /// PNG or JPEG images.
    pub images: Vec<std::path::PathBuf>,
    /// Treat the images as consecutive frames and report the consensus.
    #[arg(long, conflicts_with = "qr")]
    pub burst: bool,
    /// One pass per image as for a camera frame, upright (a burst always is);
    /// without it a single image is also tried at other scales and turned.
    #[arg(long, conflicts_with = "qr")]
    pub frame: bool,
    /// Read a QR code (the activation code) instead of the MRZ: prints
    /// `{"image", "qr": text or null, "ms"}` per image; exit status 0 when
    /// every image held one.
    #[arg(long)]
    pub qr: bool,
}

/// `found`, `lines`, `valid`, the parsed fields (as `mrz parse`), `feedback`.
fn result_json(lines: Option<&[String]>, valid: bool, feedback: &str, ms: f64) -> Value {
    let mut v = match lines.and_then(|l| aktiver_mrz::parse(&l.join("\n")).ok()) {
        Some(m) => super::mrz::document_json(&m),
        None => json!({}),
    };
    v["found"] = json!(lines.is_some());
    v["lines"] = json!(lines.unwrap_or(&[]));
    v["valid"] = json!(valid);
    v["feedback"] = json!(feedback);
    v["ms"] = json!((ms * 1000.0).round() / 1000.0);
    v
}

fn frame_json(scan: &FrameScan, ms: f64) -> Value {
    let lines = scan.reading.as_ref().map(|r| r.lines.as_slice());
    result_json(lines, scan.valid, scan.feedback.as_str(), ms)
}

fn load(path: &std::path::Path) -> Result<LumaImage, String> {
    std::fs::read(path)
        .map_err(|e| e.to_string())
        .and_then(|b| still::decode(&b).map_err(|e| e.to_string()))
}

/// One still image, so it is worth trying hard (the camera path does not).
fn qr_json(img: &LumaImage) -> Value {
    let t = Instant::now();
    let code = scan_qr_with(&img.frame(), QrOptions { try_harder: true });
    let ms = t.elapsed().as_secs_f64() * 1e3;
    json!({
        "qr": code.as_ref().map(|c| c.text()),
        "ms": (ms * 1000.0).round() / 1000.0,
    })
}

fn run_qr(a: &ScanArgs) -> u8 {
    let mut status = EXIT_VALID;
    for path in &a.images {
        let img = match load(path) {
            Ok(i) => i,
            Err(e) => {
                eprintln!("aktiver-sim mrz scan: {}: {e}", path.display());
                return EXIT_MISUSE;
            }
        };
        let mut v = qr_json(&img);
        if v["qr"].is_null() {
            status = EXIT_INVALID;
        }
        v["image"] = json!(path.display().to_string());
        super::mrz::print_json(&v, false);
    }
    status
}

pub fn run(a: ScanArgs) -> u8 {
    if a.images.is_empty() {
        eprintln!("aktiver-sim mrz scan: give at least one PNG or JPEG image");
        return EXIT_MISUSE;
    }
    if a.qr {
        return run_qr(&a);
    }
    let mut status = EXIT_VALID;
    let mut consensus = Consensus::new();
    let mut agreed: Option<Vec<String>> = None;
    let mut total_ms = 0.0;
    let mut last_feedback = "no_document";
    for path in &a.images {
        let img = match load(path) {
            Ok(i) => i,
            Err(e) => {
                eprintln!("aktiver-sim mrz scan: {}: {e}", path.display());
                return EXIT_MISUSE;
            }
        };
        let t = Instant::now();
        // A burst is a camera's frames; a single image is a photo or a scan,
        // in any orientation and size.
        let scan = if a.burst || a.frame {
            scan_frame(&img.frame())
        } else {
            scan_image(&img)
        };
        let ms = t.elapsed().as_secs_f64() * 1e3;
        total_ms += ms;
        last_feedback = scan.feedback.as_str();
        if a.burst {
            if agreed.is_none() {
                agreed = consensus.push(&scan);
            }
        } else {
            let mut v = frame_json(&scan, ms);
            v["image"] = json!(path.display().to_string());
            super::mrz::print_json(&v, false);
            if !scan.valid {
                status = EXIT_INVALID;
            }
        }
    }
    if a.burst {
        let valid = agreed.is_some();
        let feedback = if valid { "read" } else { last_feedback };
        let mut v = result_json(agreed.as_deref(), valid, feedback, total_ms);
        v["frames"] = json!(a.images.len());
        super::mrz::print_json(&v, false);
        status = if valid { EXIT_VALID } else { EXIT_INVALID };
    }
    status
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn qr_json_without_a_code_is_null() {
        let v = qr_json(&LumaImage::new(320, 240, 200));
        assert_eq!(v["qr"], Value::Null);
        assert!(v["ms"].is_number());
        let empty = qr_json(&LumaImage::new(0, 0, 0));
        assert_eq!(empty["qr"], Value::Null);
    }

    #[test]
    fn qr_mode_exit_statuses() {
        let dir = std::env::temp_dir().join(format!("aktiver-sim-qr-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let blank = dir.join("blank.png");
        image::save_buffer(
            &blank,
            &[180; 64 * 48],
            64,
            48,
            image::ExtendedColorType::L8,
        )
        .unwrap();
        let args = |paths: Vec<std::path::PathBuf>| ScanArgs {
            images: paths,
            burst: false,
            frame: false,
            qr: true,
        };
        assert_eq!(run(args(vec![blank.clone()])), EXIT_INVALID);
        assert_eq!(run(args(vec![dir.join("missing.png")])), EXIT_MISUSE);
        assert_eq!(run(args(vec![])), EXIT_MISUSE);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_single_image_is_read_as_a_still_image() {
        // A 268x188 scan: read only upscaled, which a camera frame's one
        // pass does not try.
        let small = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../core/scan/tests/images/td3-egy-small-scan.jpg");
        let args = |frame: bool| ScanArgs {
            images: vec![small.clone()],
            burst: false,
            frame,
            qr: false,
        };
        assert_eq!(run(args(false)), EXIT_VALID);
        assert_eq!(run(args(true)), EXIT_INVALID);
    }
}
