//! The scanner on real photographs and scans, against a hand-checked truth file:
//!
//! `cargo run --release -p aktiver-scan-tools --bin realimages -- [--dir DIR]
//! [--truth FILE] [--rotations] [--runs N] [--only SUBSTRING]`
//!
//! Defaults: the images of `tools/scan-eval/fetch-passporteye.sh` and
//! `tools/scan-eval/data/passporteye.tsv`. Per image: the expected format, the
//! outcome (`exact`, `refused` with the feedback and how many characters the
//! unaccepted reading got wrong, `WRONG` when a wrong MRZ was accepted, `none`
//! when nothing was read) and the best time of N runs. `--rotations` also
//! feeds every image turned by 90, 180 and 270 degrees without telling the
//! scanner. `--frame`: one pass as for a camera frame (`scan_frame`) instead
//! of the still-image entry point (`scan_image`). The last lines sum up: exact reads of standard MRZs, accepted
//! wrong, false detections on images without an MRZ.

use aktiver_scan::still;
use aktiver_scan::{Rotation, scan_frame, scan_image};
use aktiver_scan_tools::{load_truth, turned};
use std::path::{Path, PathBuf};
use std::time::Instant;

#[derive(Default)]
struct Tally {
    standard: usize,
    exact: usize,
    refused_right: usize,
    wrong: usize,
    negatives: usize,
    false_detections: usize,
    ms: Vec<f64>,
}

fn main() {
    aktiver_scan::rules::without(&aktiver_scan_tools::rules_off(), run);
}

fn run() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (mut dir, mut truth_path) = aktiver_scan_tools::default_real_images();
    let mut rotations = false;
    let mut runs = 1usize;
    let mut only: Option<String> = None;
    let mut frame_only = false;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--dir" => dir = it.next().map(PathBuf::from).unwrap_or(dir),
            "--truth" => truth_path = it.next().map(PathBuf::from).unwrap_or(truth_path),
            "--rotations" => rotations = true,
            "--runs" => runs = it.next().and_then(|s| s.parse().ok()).unwrap_or(1).max(1),
            "--only" => only = it.next().cloned(),
            "--frame" => frame_only = true,
            "--draft" => {}
            _ => {
                eprintln!(
                    "usage: realimages [--dir DIR] [--truth FILE] [--rotations] [--runs N] [--only SUBSTRING]"
                );
                std::process::exit(2);
            }
        }
    }
    if args.iter().any(|a| a == "--draft") {
        draft(&dir);
        return;
    }
    let truth = match load_truth(&truth_path) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(2);
        }
    };
    let turns: &[Rotation] = if rotations {
        &[Rotation::R0, Rotation::R90, Rotation::R180, Rotation::R270]
    } else {
        &[Rotation::R0]
    };
    let mut tally = Tally::default();
    println!("| image | turned | format | outcome | ms |\n|---|---|---|---|---|");
    for t in &truth {
        if t.kind == "skip" || only.as_ref().is_some_and(|o| !t.file.contains(o.as_str())) {
            continue;
        }
        let bytes = match std::fs::read(dir.join(&t.file)) {
            Ok(b) => b,
            Err(e) => {
                eprintln!(
                    "{}: {e} (run tools/scan-eval/fetch-passporteye.sh first)",
                    t.file
                );
                std::process::exit(2);
            }
        };
        let img = match still::decode(&bytes) {
            Ok(i) => i,
            Err(e) => {
                eprintln!("{}: {e}", t.file);
                std::process::exit(2);
            }
        };
        for &rot in turns {
            let im = turned(&img, rot);
            let mut best = f64::INFINITY;
            let mut scan = None;
            for _ in 0..runs {
                let start = Instant::now();
                let s = if frame_only {
                    scan_frame(&im.frame())
                } else {
                    scan_image(&im)
                };
                best = best.min(start.elapsed().as_secs_f64() * 1e3);
                scan = Some(s);
            }
            let Some(scan) = scan else { continue };
            tally.ms.push(best);
            let lines = scan.reading.as_ref().map(|r| r.lines.clone());
            let outcome = if t.lines.is_empty() {
                tally.negatives += 1;
                if scan.valid {
                    tally.false_detections += 1;
                    "FALSE DETECTION".to_string()
                } else {
                    format!("none ({})", scan.feedback.as_str())
                }
            } else {
                tally.standard += 1;
                let right = lines.as_ref() == Some(&t.lines);
                match (scan.valid, right) {
                    (true, true) => {
                        tally.exact += 1;
                        "exact".to_string()
                    }
                    (true, false) => {
                        tally.wrong += 1;
                        let cands = scan
                            .reading
                            .as_ref()
                            .map(|r| wrong_candidates(&t.lines, r))
                            .unwrap_or_default();
                        format!("WRONG {} {cands}", diff(&t.lines, lines.as_deref()))
                    }
                    (false, true) => {
                        tally.refused_right += 1;
                        let unclear: Vec<String> = scan
                            .reading
                            .as_ref()
                            .map(|r| {
                                aktiver_scan::scan::unclear_unprotected(r)
                                    .iter()
                                    .filter_map(|&(li, ci)| {
                                        let c = r.candidates.0.get(li)?.get(ci)?;
                                        let list: Vec<String> =
                                            c.iter().map(|(ch, k)| format!("{ch}{k:.3}")).collect();
                                        Some(format!("{}:{} {}", li + 1, ci + 1, list.join(",")))
                                    })
                                    .collect()
                            })
                            .unwrap_or_default();
                        let unclear = if unclear.is_empty() {
                            scan.reading
                                .as_ref()
                                .and_then(aktiver_scan::scan::close_call_pairs)
                                .map(|c| vec![format!("close calls {c:?}")])
                                .unwrap_or_default()
                        } else {
                            unclear
                        };
                        format!(
                            "refused ({}: {}), read right {}",
                            scan.feedback.as_str(),
                            scan.reading
                                .as_ref()
                                .and_then(aktiver_scan::scan::refusal)
                                .unwrap_or("?"),
                            unclear.join("; ")
                        )
                    }
                    (false, false) => match &lines {
                        Some(l) => format!(
                            "refused ({}: {}), {}",
                            scan.feedback.as_str(),
                            scan.reading
                                .as_ref()
                                .and_then(aktiver_scan::scan::refusal)
                                .unwrap_or("?"),
                            diff(&t.lines, Some(l))
                        ),
                        None => format!("none ({})", scan.feedback.as_str()),
                    },
                }
            };
            println!(
                "| {} | {} | {} | {} | {:.1} |",
                t.file,
                rot.degrees(),
                t.kind,
                outcome,
                best
            );
        }
    }
    let mut ms = tally.ms.clone();
    ms.sort_by(f64::total_cmp);
    let median = ms.get(ms.len() / 2).copied().unwrap_or(0.0);
    let pct = |a: usize, b: usize| 100.0 * a as f64 / b.max(1) as f64;
    println!(
        "\nstandard MRZs read exactly: {}/{} ({:.1}%); read right but refused: {}; accepted wrong: {}; \
         false detections: {}/{}; median {:.1} ms, max {:.1} ms (best of {runs})",
        tally.exact,
        tally.standard,
        pct(tally.exact, tally.standard),
        tally.refused_right,
        tally.wrong,
        tally.false_detections,
        tally.negatives,
        median,
        ms.last().copied().unwrap_or(0.0),
    );
}

/// Where a reading differs from the truth: the format's shape, or the count
/// of wrong characters and the first few as `line:column want/got`.
fn diff(truth: &[String], got: Option<&[String]>) -> String {
    let Some(got) = got else {
        return "nothing read".to_string();
    };
    if got.len() != truth.len() || got.iter().zip(truth).any(|(g, t)| g.len() != t.len()) {
        let shape: Vec<usize> = got.iter().map(String::len).collect();
        return format!("read as {shape:?}");
    }
    let mut wrong = Vec::new();
    for (li, (g, t)) in got.iter().zip(truth).enumerate() {
        for (ci, (a, b)) in g.chars().zip(t.chars()).enumerate() {
            if a != b {
                wrong.push(format!("{}:{} {b}/{a}", li + 1, ci + 1));
            }
        }
    }
    let n = wrong.len();
    wrong.truncate(4);
    format!("{n} wrong [{}]", wrong.join(" "))
}

/// `--draft`: what the scanner reads in every image of `dir`, accepted or
/// not, as truth-file lines to check by eye against the image.
fn draft(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        eprintln!("{}: cannot list", dir.display());
        return;
    };
    let mut files: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    files.sort();
    for f in files {
        let Ok(img) = aktiver_scan_tools::load_image(&f) else {
            continue;
        };
        let name = f
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let mut shown = false;
        for rot in [Rotation::R0, Rotation::R90, Rotation::R180, Rotation::R270] {
            let s = scan_frame(&turned(&img, rot).frame());
            if let Some(r) = &s.reading {
                println!(
                    "{name}\t{:?}\t{}\t# turned {} valid={} {}",
                    r.format,
                    r.lines.join("|"),
                    rot.degrees(),
                    s.valid,
                    s.feedback.as_str()
                );
                shown = true;
                if s.valid {
                    break;
                }
            }
        }
        if !shown {
            println!("{name}\t?\t# {}x{}", img.width, img.height);
        }
    }
}

/// The candidates (with costs) at the first few positions read wrong.
fn wrong_candidates(truth: &[String], rd: &aktiver_scan::Reading) -> String {
    let mut out = Vec::new();
    for (li, (t, cands)) in truth.iter().zip(&rd.candidates.0).enumerate() {
        for (ci, (want, c)) in t.chars().zip(cands).enumerate() {
            if c.first().is_some_and(|b| b.0 != want) && out.len() < 4 {
                let list: Vec<String> = c
                    .iter()
                    .map(|(ch, cost)| format!("{ch}{cost:.3}"))
                    .collect();
                out.push(format!("{}:{} {}", li + 1, ci + 1, list.join(",")));
            }
        }
    }
    out.join("; ")
}
