//! `aktiver-sim mrz scan` end to end on generated camera frames.
#![allow(clippy::unwrap_used)]

use aktiver_scan::synth::{Level, Scenario, negative};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

fn save(dir: &Path, name: &str, g: &aktiver_scan::synth::Generated) -> PathBuf {
    let path = dir.join(name);
    image::save_buffer(
        &path,
        &g.image.data,
        g.image.width,
        g.image.height,
        image::ExtendedColorType::L8,
    )
    .unwrap();
    path
}

fn scan(args: &[&Path], burst: bool) -> (Vec<Value>, i32) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_aktiver-sim"));
    cmd.args(["mrz", "scan"]);
    if burst {
        cmd.arg("--burst");
    }
    let out = cmd.args(args).output().unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    let docs = stdout
        .split("\n{")
        .enumerate()
        .filter(|(_, s)| !s.trim().is_empty())
        .map(|(i, s)| {
            let s = if i == 0 {
                s.to_owned()
            } else {
                format!("{{{s}")
            };
            serde_json::from_str(&s).unwrap()
        })
        .collect();
    (docs, out.status.code().unwrap())
}

#[test]
fn clean_frames_negatives_and_bad_files() {
    let dir = std::env::temp_dir().join(format!("aktiver-scan-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let scenario = Scenario::new(7, Level::Clean, None, (1280, 720));
    let frames: Vec<_> = (0..3).map(|i| scenario.frame(i)).collect();
    let paths: Vec<PathBuf> = frames
        .iter()
        .enumerate()
        .map(|(i, g)| save(&dir, &format!("clean{i}.png"), g))
        .collect();

    let (docs, status) = scan(&[&paths[0]], false);
    assert_eq!(docs.len(), 1);
    assert_eq!(docs[0]["found"], true, "{:?}", docs[0]);
    if status == 0 {
        assert_eq!(docs[0]["valid"], true);
        let lines: Vec<String> = docs[0]["lines"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l.as_str().unwrap().to_owned())
            .collect();
        assert_eq!(lines, frames[0].truth);
    }

    let refs: Vec<&Path> = paths.iter().map(PathBuf::as_path).collect();
    let (docs, status) = scan(&refs, true);
    assert_eq!(status, 0, "{docs:?}");
    let last = docs.last().unwrap();
    assert_eq!(last["valid"], true, "{last:?}");

    let neg = save(
        &dir,
        "negative.png",
        &negative(3, Level::Clean, (1280, 720)),
    );
    let (docs, status) = scan(&[&neg], false);
    assert_eq!(status, 1);
    assert_eq!(docs[0]["found"], false);
    assert_eq!(docs[0]["valid"], false);

    let junk = dir.join("junk.png");
    std::fs::write(&junk, b"not an image").unwrap();
    let (_, status) = scan(&[&junk], false);
    assert_eq!(status, 2);
    let (_, status) = scan(&[&dir.join("missing.png")], false);
    assert_eq!(status, 2);
    std::fs::remove_dir_all(&dir).unwrap();
}
