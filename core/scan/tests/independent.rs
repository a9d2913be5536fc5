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

/// `img` moved `dx` pixels to the right (the left column repeated): another
/// frame of the same burst.
fn moved(img: &LumaImage, dx: usize) -> LumaImage {
    let w = img.width as usize;
    let mut out = img.clone();
    for (row, src) in out.data.chunks_exact_mut(w).zip(img.data.chunks_exact(w)) {
        for (x, p) in row.iter_mut().enumerate() {
            *p = src[x.saturating_sub(dx)];
        }
    }
    out
}

#[test]
fn frames_turned_away_from_the_rotation_passed_are_read_across_a_burst() {
    use aktiver_scan::{Consensus, LumaFrame, Rotation, scan_frame_turned};
    let frames = stored();
    // A TD3 and a TD1, and the frames without a document.
    let picked = frames.iter().filter(|(p, _)| {
        ["b0001-f0.jpg", "b0005-f1.jpg", "neg0000.jpg", "neg0001.jpg"]
            .iter()
            .any(|n| p.ends_with(n))
    });
    for (path, truth) in picked {
        let img = load(path);
        for turn in [Rotation::R90, Rotation::R180, Rotation::R270] {
            // The shell passes 0 for a buffer that `turn` turns upright.
            let mut burst = Consensus::new();
            let mut agreed = None;
            for k in 0..3 {
                let (buf, w, h, stride) = moved(&img, 3 * k).to_camera_buffer(turn, 0);
                let frame = LumaFrame::new(&buf, w, h, stride, Rotation::R0).unwrap();
                let scan = scan_frame_turned(&frame, burst.turn());
                if truth.is_empty() {
                    assert!(!scan.valid, "{path} turned {turn:?}: a false detection");
                    continue;
                }
                // The first frame is read turned; the burst keeps the turn,
                // and the next frames are looked at in it first.
                assert!(scan.valid, "{path} turned {turn:?}, frame {k}: {scan:?}");
                assert_eq!(scan.turn, turn, "{path} frame {k}");
                assert_eq!(scan.reading.as_ref().map(|r| &r.lines), Some(truth));
                agreed = agreed.or(burst.push(&scan));
                assert_eq!(burst.turn(), turn, "{path} frame {k}");
            }
            if !truth.is_empty() {
                assert_eq!(agreed.as_ref(), Some(truth), "{path} turned {turn:?}");
            }
        }
    }
}
