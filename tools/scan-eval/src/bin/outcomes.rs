//! Every frame's outcome, one line each, for checking that a change (a speed-up)
//! leaves what the scanner reads untouched:
//!
//! `cargo run --release -p aktiver-scan-tools --bin outcomes -- [--images DIR]...
//! [--rotations] [--synth LEVEL N]... > before.txt`, then the same after the
//! change and `diff before.txt after.txt`.
//!
//! Per image (every `.png`/`.jpg` of DIR, sorted; with `--rotations` also
//! turned by 90, 180 and 270 degrees) two lines, one for the camera-frame
//! entry point and one for the still-image entry point; per generated frame
//! (`--synth LEVEL N`: the report's N bursts of 5 frames, as `fails LEVEL N
//! report`) one line. A line holds the feedback, whether the check digits
//! hold, the lines read and a hash of every number of the reading (costs,
//! margins, cap height, saturation, sharpness) bit for bit: an outcome
//! column that must not change, and a hash that shows whether floating-point
//! results moved at all.
use aktiver_scan::synth::{Level, Scenario};
use aktiver_scan::{FrameScan, Rotation, scan_frame, scan_image};
use aktiver_scan_tools::turned;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::path::PathBuf;

fn line(name: &str, s: &FrameScan) -> String {
    let mut h = DefaultHasher::new();
    let lines = match &s.reading {
        Some(r) => {
            for l in &r.candidates.0 {
                for c in l {
                    for (ch, cost) in c {
                        ch.hash(&mut h);
                        cost.to_bits().hash(&mut h);
                    }
                }
            }
            for m in r.margins.iter().flatten() {
                m.to_bits().hash(&mut h);
            }
            for x in [
                r.worst_cost,
                r.min_margin,
                r.cap_px,
                r.saturated,
                r.sharpness,
            ] {
                x.to_bits().hash(&mut h);
            }
            r.aligned.hash(&mut h);
            format!("{:?} {}", r.format, r.lines.join("|"))
        }
        None => "-".to_string(),
    };
    format!(
        "{name}\t{}\t{}\t{lines}\t{:016x}",
        s.feedback.as_str(),
        s.valid,
        h.finish()
    )
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut dirs = Vec::new();
    let mut synth = Vec::new();
    let mut rotations = false;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--images" => dirs.extend(it.next().map(PathBuf::from)),
            "--rotations" => rotations = true,
            "--synth" => {
                let level = it.next().cloned();
                let n: u64 = it.next().and_then(|s| s.parse().ok()).unwrap_or(30);
                synth.push((level, n));
            }
            _ => {
                eprintln!("usage: outcomes [--images DIR]... [--rotations] [--synth LEVEL N]...");
                std::process::exit(2);
            }
        }
    }
    let turns: &[Rotation] = if rotations {
        &[Rotation::R0, Rotation::R90, Rotation::R180, Rotation::R270]
    } else {
        &[Rotation::R0]
    };
    for dir in &dirs {
        let mut files: Vec<PathBuf> = match std::fs::read_dir(dir) {
            Ok(rd) => rd
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| {
                    p.extension().and_then(|e| e.to_str()).is_some_and(|e| {
                        matches!(e.to_ascii_lowercase().as_str(), "png" | "jpg" | "jpeg")
                    })
                })
                .collect(),
            Err(e) => {
                eprintln!("{}: {e}", dir.display());
                std::process::exit(2);
            }
        };
        files.sort();
        for f in files {
            let img = match aktiver_scan_tools::load_image(&f) {
                Ok(i) => i,
                Err(e) => {
                    eprintln!("{}: {e}", f.display());
                    continue;
                }
            };
            let name = f.display().to_string();
            for &rot in turns {
                let im = turned(&img, rot);
                println!(
                    "{}",
                    line(&format!("{name} {rot:?} frame"), &scan_frame(&im.frame()))
                );
                println!(
                    "{}",
                    line(&format!("{name} {rot:?} image"), &scan_image(&im))
                );
            }
        }
    }
    for (level_arg, n) in synth {
        let level = Level::from_arg(level_arg.as_deref());
        for b in 0..n {
            let seed = 1 + b * 7919;
            for i in 0..5 {
                let g = Scenario::new(seed, level, None, (1280, 720)).frame(i);
                let s = scan_frame(&g.image.frame());
                println!(
                    "{}",
                    line(
                        &format!("{} {seed} {i}", level_arg.as_deref().unwrap_or("-")),
                        &s
                    )
                );
            }
        }
    }
}
