//! Stored frames of the independent renderer (`tools/scan-eval/independent`;
//! see `tests/independent/README.md`), read as camera frames: each document
//! frame is read exactly and accepted, each frame without a document gives
//! nothing. These are the frames of `cargo bench -p aktiver-scan`'s
//! `independent` group.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use aktiver_scan::{LumaImage, scan_frame, still};

/// `(file, truth lines)`; no lines for a frame without a document.
fn stored() -> Vec<(String, Vec<String>)> {
    let dir = format!("{}/tests/independent", env!("CARGO_MANIFEST_DIR"));
    let labels = std::fs::read_to_string(format!("{dir}/labels.tsv")).unwrap();
    labels
        .lines()
        .map(|l| {
            let cols: Vec<&str> = l.split('\t').collect();
            let lines = match cols[2] {
                "none" => Vec::new(),
                mrz => mrz.split('|').map(str::to_string).collect(),
            };
            (format!("{dir}/{}", cols[0]), lines)
        })
        .collect()
}

fn load(path: &str) -> LumaImage {
    still::decode(&std::fs::read(path).unwrap()).unwrap()
}

#[test]
fn stored_independent_frames_are_read_exactly_and_negatives_give_nothing() {
    let frames = stored();
    assert!(frames.iter().filter(|(_, t)| !t.is_empty()).count() >= 6);
    assert!(frames.iter().filter(|(_, t)| t.is_empty()).count() >= 2);
    for (path, truth) in frames {
        let scan = scan_frame(&load(&path).frame());
        if truth.is_empty() {
            assert!(!scan.valid, "{path}: a false detection");
        } else {
            assert!(scan.valid, "{path}: refused ({:?})", scan.feedback);
            assert_eq!(scan.reading.map(|r| r.lines), Some(truth), "{path}");
        }
    }
}
