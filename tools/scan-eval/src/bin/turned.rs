//! The camera path on frames turned away from the rotation the shell passes:
//!
//! `cargo run --release -p aktiver-scan-tools --bin turned -- independent DIR [--runs N]`
//! `cargo run --release -p aktiver-scan-tools --bin turned -- generated LEVEL BURSTS [SEED] [--runs N]`
//!
//! DIR holds frames of the independent renderer and their `labels.tsv`
//! (`tools/scan-eval/independent/run.sh 40 20 1 turned` renders them and
//! prints this table);
//! `generated` renders the own generator's 5-frame bursts and as many
//! negatives as bursts. Every frame is stored turned by 0, 90, 180 and 270
//! degrees and passed with rotation 0. Per turn: frames read exactly by
//! `scan_frame` on its own, wrong-but-valid frames, 5-frame bursts read by the
//! consensus when each frame is looked at first in the turn the burst's last
//! frames were read in (`scan_frame_turned` with `Consensus::turn`, as the
//! flow does), median/p95 ms per frame alone and in the burst (best of N
//! runs, one thread), and ms per frame without a document. Then upright
//! frames timed in their own rotation only (`scan_frame_as_passed`, the
//! camera path before the rotation became a hint) and with the search,
//! taken in turns. `--misses` lists
//! the frames not read alone, and what the same frame gives with the right
//! rotation.
use aktiver_scan::orientation::scan_frame_as_passed;
use aktiver_scan::synth::{Level, Scenario, negative};
use aktiver_scan::{Consensus, LumaFrame, LumaImage, Rotation, scan_frame_turned};
use std::path::{Path, PathBuf};
use std::time::Instant;

/// A burst's name, truth, consensus, and the consensus's answer once it has one.
type Burst = (String, Vec<String>, Consensus, Option<Vec<String>>);

/// A frame: its burst (`None` without a document), the image and the truth.
struct Frame {
    burst: Option<String>,
    img: LumaImage,
    truth: Vec<String>,
}

fn independent(dir: &Path) -> Result<Vec<Frame>, String> {
    let labels = std::fs::read_to_string(dir.join("labels.tsv"))
        .map_err(|e| format!("{}: {e}", dir.join("labels.tsv").display()))?;
    let mut out = Vec::new();
    for line in labels.lines().filter(|l| !l.trim().is_empty()) {
        let cols: Vec<&str> = line.split('\t').collect();
        let (Some(file), Some(burst), Some(mrz)) = (cols.first(), cols.get(1), cols.get(2)) else {
            return Err(format!("bad label line: {line}"));
        };
        let img =
            aktiver_scan_tools::load_image(dir.join(file)).map_err(|e| format!("{file}: {e}"))?;
        let (burst, truth) = match *mrz {
            "none" => (None, Vec::new()),
            m => (
                Some(burst.to_string()),
                m.split('|').map(str::to_string).collect(),
            ),
        };
        out.push(Frame { burst, img, truth });
    }
    Ok(out)
}

fn generated(level: Level, bursts: u64, seed: u64) -> Vec<Frame> {
    let mut out = Vec::new();
    for b in 0..bursts {
        let sc = Scenario::new(seed.wrapping_add(b * 7919), level, None, (1280, 720));
        for i in 0..5 {
            let g = sc.frame(i);
            out.push(Frame {
                burst: Some(b.to_string()),
                img: g.image,
                truth: g.truth,
            });
        }
    }
    for n in 0..bursts {
        let g = negative(seed.wrapping_add(1_000_003 + n), level, (1280, 720));
        out.push(Frame {
            burst: None,
            img: g.image,
            truth: Vec::new(),
        });
    }
    out
}

fn pct(v: &mut [f64], q: f64) -> f64 {
    if v.is_empty() {
        return 0.0;
    }
    v.sort_by(f64::total_cmp);
    v[((v.len() - 1) as f64 * q).round() as usize]
}

/// The best time of `runs` scans of `frame` looked at first in `first`.
fn timed(frame: &LumaFrame<'_>, first: Rotation, runs: usize) -> (aktiver_scan::FrameScan, f64) {
    let mut best = f64::MAX;
    let mut out = None;
    for _ in 0..runs {
        let t = Instant::now();
        let s = scan_frame_turned(frame, first);
        best = best.min(t.elapsed().as_secs_f64() * 1e3);
        out = Some(s);
    }
    (out.unwrap_or_else(|| scan_frame_turned(frame, first)), best)
}

/// The best times of `runs` scans of `frame` in its own rotation only and
/// with the search for other turns, taken in turns (a busy machine slows
/// both alike); whether the two answered alike.
fn side_by_side(frame: &LumaFrame<'_>, runs: usize) -> (f64, f64, bool) {
    let (mut passed, mut searched) = (f64::MAX, f64::MAX);
    let mut same = true;
    for _ in 0..runs.max(3) {
        let t = Instant::now();
        let a = scan_frame_as_passed(frame);
        passed = passed.min(t.elapsed().as_secs_f64() * 1e3);
        let t = Instant::now();
        let b = scan_frame_turned(frame, Rotation::R0);
        searched = searched.min(t.elapsed().as_secs_f64() * 1e3);
        same &= a.valid == b.valid
            && a.reading.as_ref().map(|r| &r.lines) == b.reading.as_ref().map(|r| &r.lines);
    }
    (passed, searched, same)
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let runs = aktiver_scan_tools::runs_arg(&args);
    let misses = args.iter().any(|a| a == "--misses");
    let frames = match args.first().map(String::as_str) {
        Some("independent") if args.len() >= 2 => independent(&PathBuf::from(&args[1])),
        Some("generated") if args.len() >= 3 => {
            let level = Level::from_arg(args.get(1).map(String::as_str));
            let bursts = args[2].parse().unwrap_or(40);
            let seed = args.get(3).and_then(|s| s.parse().ok()).unwrap_or(1);
            Ok(generated(level, bursts, seed))
        }
        _ => Err("usage: turned independent DIR [--runs N] | turned generated LEVEL BURSTS [SEED] [--runs N]".into()),
    };
    let frames = frames.unwrap_or_else(|e| {
        eprintln!("{e}");
        std::process::exit(2);
    });
    println!(
        "| turned | exact per frame | wrong-but-valid | 5-frame burst | wrong bursts | median ms | p95 ms | in a burst: median ms | p95 ms | no-document ms (false) |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|");
    for rot in [Rotation::R0, Rotation::R90, Rotation::R180, Rotation::R270] {
        let (mut n, mut exact, mut wrong, mut negatives, mut false_det) = (0, 0, 0, 0, 0);
        let (mut ms, mut burst_ms, mut neg_ms) = (Vec::new(), Vec::new(), Vec::new());
        // Per burst: its consensus and answer.
        let mut bursts: Vec<Burst> = Vec::new();
        for f in &frames {
            // The buffer that `rot` turns upright, passed with rotation 0.
            let (buf, bw, bh, stride) = f.img.to_camera_buffer(rot, 0);
            let Ok(frame) = LumaFrame::new(&buf, bw, bh, stride, Rotation::R0) else {
                continue;
            };
            let (alone, t) = timed(&frame, Rotation::R0, runs);
            let Some(burst) = &f.burst else {
                negatives += 1;
                false_det += usize::from(alone.valid);
                neg_ms.push(t);
                continue;
            };
            n += 1;
            ms.push(t);
            if misses
                && !(alone.valid && alone.reading.as_ref().map(|r| &r.lines) == Some(&f.truth))
            {
                let (right, _) = timed(
                    &LumaFrame::new(&buf, bw, bh, stride, rot).unwrap_or(frame),
                    Rotation::R0,
                    1,
                );
                eprintln!(
                    "miss turned {} burst {burst}: {} turn {} (with the right rotation: {} valid={})",
                    rot.degrees(),
                    alone.feedback.as_str(),
                    alone.turn.degrees(),
                    right.feedback.as_str(),
                    right.valid
                );
            }
            if alone.valid {
                let read = alone.reading.as_ref().map(|r| &r.lines);
                if read == Some(&f.truth) {
                    exact += 1;
                } else {
                    wrong += 1;
                }
            }
            if bursts.last().is_none_or(|b| b.0 != *burst) {
                bursts.push((burst.clone(), f.truth.clone(), Consensus::new(), None));
            }
            if let Some(b) = bursts.last_mut()
                && b.3.is_none()
            {
                let (scan, t) = timed(&frame, b.2.turn(), runs);
                burst_ms.push(t);
                b.3 = b.2.push(&scan);
            }
        }
        let ok = bursts.iter().filter(|b| b.3.as_ref() == Some(&b.1)).count();
        let bad = bursts
            .iter()
            .filter(|b| b.3.as_ref().is_some_and(|a| *a != b.1))
            .count();
        let share = |a: usize, n: usize| 100.0 * a as f64 / n.max(1) as f64;
        println!(
            "| {}° | {:.1}% ({exact}/{n}) | {wrong} | {:.1}% ({ok}/{}) | {bad} | {:.1} | {:.1} | {:.1} | {:.1} | {:.2} ({false_det}/{negatives}) |",
            rot.degrees(),
            share(exact, n),
            share(ok, bursts.len()),
            bursts.len(),
            pct(&mut ms, 0.5),
            pct(&mut ms, 0.95),
            pct(&mut burst_ms, 0.5),
            pct(&mut burst_ms, 0.95),
            pct(&mut neg_ms, 0.5),
        );
    }
    // Upright frames: what looking for other turns costs where the first
    // look does not read.
    let (mut doc, mut neg) = ((Vec::new(), Vec::new()), (Vec::new(), Vec::new()));
    let mut differ = 0;
    for f in &frames {
        let frame = f.img.frame();
        let (a, b, same) = side_by_side(&frame, runs);
        differ += usize::from(!same);
        let into = if f.burst.is_some() {
            &mut doc
        } else {
            &mut neg
        };
        into.0.push(a);
        into.1.push(b);
    }
    println!(
        "\nupright, in its own rotation only / with the search: median {:.2} / {:.2} ms, p95 {:.2} / {:.2} ms; no document: median {:.3} / {:.3} ms, max {:.3} / {:.3} ms; {differ} frames answered otherwise",
        pct(&mut doc.0, 0.5),
        pct(&mut doc.1, 0.5),
        pct(&mut doc.0, 0.95),
        pct(&mut doc.1, 0.95),
        pct(&mut neg.0, 0.5),
        pct(&mut neg.1, 0.5),
        pct(&mut neg.0, 1.0),
        pct(&mut neg.1, 1.0),
    );
}
