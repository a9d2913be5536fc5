//! The scanner on frames of the independent renderer
//! (`tools/scan-eval/independent/render.py`), as camera frames:
//!
//! `cargo run --release -p aktiver-scan-tools --bin independent -- DIR [--runs N]`
//!
//! DIR holds the frames and `labels.tsv` (FILE, BURST, MRZ lines joined by `|`
//! or `none`). Prints exact reads per frame, wrong-but-valid frames, the
//! 5-frame burst consensus, median/p95 ms per frame (`scan_frame`, one
//! thread, best of N runs) and the same for frames without a document.
//! `--misses` lists every frame not read exactly, and why a reading was
//! refused, and every burst the consensus missed.
use aktiver_scan::{Consensus, FrameScan, Reading, scan, scan_frame};
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Instant;

/// A burst's truth, its consensus, and the consensus's answer once it has one.
type Burst = (Vec<String>, Consensus, Option<Vec<String>>);

fn pct(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    sorted[((sorted.len() - 1) as f64 * q).round() as usize]
}

/// Why a reading was refused: the first failing gate, and every character
/// under no check digit not read clearly, with its truth and candidates.
fn explain(rd: &Reading, truth: &[String]) {
    println!("  refused: {}", scan::refusal(rd).unwrap_or("-"));
    if let Some(calls) = scan::close_call_pairs(rd) {
        for (li, ci, close) in calls {
            let t = truth.get(li).and_then(|l| l.chars().nth(ci)).unwrap_or('?');
            let cands = rd.candidates.0.get(li).and_then(|l| l.get(ci));
            println!("  close call line {li} col {ci} {close:?} (truth {t}): {cands:?}");
        }
    }
    for (li, ci) in scan::unclear_unprotected(rd) {
        let t = truth.get(li).and_then(|l| l.chars().nth(ci)).unwrap_or('?');
        let cands = rd.candidates.0.get(li).and_then(|l| l.get(ci));
        println!("  unclear line {li} col {ci} (truth {t}): {cands:?}");
    }
}

fn main() {
    aktiver_scan::rules::without(&aktiver_scan_tools::rules_off(), run);
}

fn run() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(dir) = args.first().map(PathBuf::from) else {
        eprintln!("usage: independent DIR [--runs N]");
        std::process::exit(2);
    };
    let runs = aktiver_scan_tools::runs_arg(&args);
    let verbose = args.iter().any(|a| a == "--misses");
    let labels = match std::fs::read_to_string(dir.join("labels.tsv")) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("{}: {e}", dir.join("labels.tsv").display());
            std::process::exit(2);
        }
    };
    let (mut frames, mut exact, mut accepted, mut wrong) = (0usize, 0usize, 0usize, 0usize);
    let (mut negatives, mut false_detections) = (0usize, 0usize);
    let (mut ms, mut neg_ms) = (Vec::new(), Vec::new());
    // Per burst: the truth and the consensus's answer once it has one.
    let mut bursts: BTreeMap<String, Burst> = BTreeMap::new();
    for line in labels.lines().filter(|l| !l.trim().is_empty()) {
        let cols: Vec<&str> = line.split('\t').collect();
        let (Some(file), Some(burst), Some(mrz)) = (cols.first(), cols.get(1), cols.get(2)) else {
            eprintln!("bad label line: {line}");
            std::process::exit(2);
        };
        let img = match aktiver_scan_tools::load_image(dir.join(file)) {
            Ok(i) => i,
            Err(e) => {
                eprintln!("{file}: {e}");
                std::process::exit(2);
            }
        };
        let frame = img.frame();
        let mut best = f64::MAX;
        let mut scan: Option<FrameScan> = None;
        for _ in 0..runs {
            let t = Instant::now();
            let s = scan_frame(&frame);
            best = best.min(t.elapsed().as_secs_f64() * 1e3);
            scan = Some(s);
        }
        let Some(scan) = scan else { continue };
        let read = scan.reading.as_ref().map(|r| r.lines.clone());
        if *mrz == "none" {
            negatives += 1;
            false_detections += usize::from(scan.valid);
            neg_ms.push(best);
            continue;
        }
        let truth: Vec<String> = mrz.split('|').map(str::to_string).collect();
        frames += 1;
        ms.push(best);
        if scan.valid {
            accepted += 1;
            if read.as_ref() == Some(&truth) {
                exact += 1;
            } else {
                wrong += 1;
                eprintln!("WRONG {file}: {:?}", read);
            }
        }
        if verbose && !(scan.valid && read.as_ref() == Some(&truth)) {
            println!("miss {file}: {} {:?}", scan.feedback.as_str(), read);
            if let Some(rd) = scan.reading.as_ref() {
                explain(rd, &truth);
            }
        }
        let entry = bursts
            .entry((*burst).to_string())
            .or_insert_with(|| (truth, Consensus::new(), None));
        if entry.2.is_none() {
            entry.2 = entry.1.push(&scan);
        }
    }
    if verbose {
        for (name, b) in &bursts {
            if b.2.as_ref() != Some(&b.0) {
                println!("burst missed {name}: {:?}", b.2);
            }
        }
    }
    let n_bursts = bursts.len();
    let burst_exact = bursts
        .values()
        .filter(|b| b.2.as_ref() == Some(&b.0))
        .count();
    let burst_wrong = bursts
        .values()
        .filter(|b| b.2.as_ref().is_some_and(|a| *a != b.0))
        .count();
    ms.sort_by(f64::total_cmp);
    neg_ms.sort_by(f64::total_cmp);
    let share = |a: usize, n: usize| 100.0 * a as f64 / n.max(1) as f64;
    println!(
        "| exact per frame | accepted per frame | wrong-but-valid | 5-frame burst | wrong bursts | median ms | p95 ms | no-document frame ms (false detections) |"
    );
    println!("|---|---|---|---|---|---|---|---|");
    println!(
        "| {:.1}% ({exact}/{frames}) | {:.1}% | {wrong} | {:.1}% ({burst_exact}/{n_bursts}) | {burst_wrong} | {:.1} | {:.1} | {:.2} ({false_detections}/{negatives}) |",
        share(exact, frames),
        share(accepted, frames),
        share(burst_exact, n_bursts),
        pct(&ms, 0.5),
        pct(&ms, 0.95),
        pct(&neg_ms, 0.5),
    );
}
