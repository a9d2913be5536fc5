//! What each acceptance rule costs and saves: the scanner with every rule,
//! then with each rule of `aktiver_scan::rules` switched off in turn, then
//! with all of them off (only the check digits and the fields' characters
//! left), on three sets:
//!
//! - the real images of `realimages` (`scan_image`, as they come);
//! - the independent renderer's frames (`scan_frame`), if DIR is given
//!   (`tools/scan-eval/independent/run.sh` makes them under target/independent);
//! - the scanner's own generator, N frames of a level (moderate unless
//!   `--level hard`) and N/5 frames without an MRZ (`scan_frame`).
//!
//! `cargo run --release -p aktiver-scan-tools --bin ablation -- [--independent DIR] [--generated N] [--level LEVEL]`
//!
//! Per set and configuration: right readings accepted, wrong readings
//! accepted, and false detections on frames without an MRZ. A rule's cost is
//! the right readings it refuses (the row without it accepts more); what it
//! saves is the wrong readings and false detections it stops.

use aktiver_scan::rules::{self, Rule};
use aktiver_scan::synth::{Level, Scenario, negative};
use aktiver_scan::{FrameScan, LumaImage, scan_frame, scan_image, still};
use std::path::PathBuf;

/// One image or frame and its truth (no lines: no MRZ).
struct Case {
    img: LumaImage,
    truth: Vec<String>,
}

#[derive(Default, Clone, Copy)]
struct Count {
    right: usize,
    wrong: usize,
    false_detections: usize,
    documents: usize,
    negatives: usize,
}

impl Count {
    fn add(&mut self, scan: &FrameScan, truth: &[String]) {
        if truth.is_empty() {
            self.negatives += 1;
            self.false_detections += usize::from(scan.valid);
            return;
        }
        self.documents += 1;
        if scan.valid {
            if scan.reading.as_ref().is_some_and(|r| r.lines == truth) {
                self.right += 1;
            } else {
                self.wrong += 1;
            }
        }
    }

    fn cell(&self) -> String {
        format!(
            "{}/{} right, {} wrong, {}/{} false",
            self.right, self.documents, self.wrong, self.false_detections, self.negatives
        )
    }
}

fn decode(path: &std::path::Path) -> Result<LumaImage, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
    still::decode(&bytes).map_err(|e| format!("{}: {e}", path.display()))
}

fn real_images() -> Result<Vec<Case>, String> {
    let (dir, truth) = aktiver_scan_tools::default_real_images();
    let mut out = Vec::new();
    for t in aktiver_scan_tools::load_truth(&truth)? {
        if t.kind == "skip" {
            continue;
        }
        let img = decode(&dir.join(&t.file))
            .map_err(|e| format!("{e} (run tools/scan-eval/fetch-passporteye.sh first)"))?;
        out.push(Case {
            img,
            truth: t.lines,
        });
    }
    Ok(out)
}

fn independent(dir: &std::path::Path) -> Result<Vec<Case>, String> {
    let labels = std::fs::read_to_string(dir.join("labels.tsv"))
        .map_err(|e| format!("{}: {e}", dir.display()))?;
    let mut out = Vec::new();
    for line in labels.lines().filter(|l| !l.trim().is_empty()) {
        let cols: Vec<&str> = line.split('\t').collect();
        let (Some(file), Some(mrz)) = (cols.first(), cols.get(2)) else {
            return Err(format!("bad label line: {line}"));
        };
        let truth = match *mrz {
            "none" => Vec::new(),
            m => m.split('|').map(str::to_string).collect(),
        };
        out.push(Case {
            img: decode(&dir.join(file))?,
            truth,
        });
    }
    Ok(out)
}

/// `n` document frames (bursts of 5) and `n / 5` frames without an MRZ.
fn generated(n: u64, level: Level) -> Vec<Case> {
    let size = (1280, 720);
    let documents = (0..n).map(|i| Scenario::new(1000 + i / 5, level, None, size).frame(i % 5));
    let negatives = (0..n / 5).map(|i| negative(2000 + i, level, size));
    documents
        .chain(negatives)
        .map(|g| Case {
            img: g.image,
            truth: g.truth,
        })
        .collect()
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut independent_dir: Option<PathBuf> = None;
    let mut n_generated = 200u64;
    let mut level = Level::Moderate;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--independent" => independent_dir = it.next().map(PathBuf::from),
            "--generated" => n_generated = it.next().and_then(|s| s.parse().ok()).unwrap_or(200),
            "--level" => {
                level = match it.next().map(String::as_str) {
                    Some("clean") => Level::Clean,
                    Some("hard") => Level::Hard,
                    _ => Level::Moderate,
                }
            }
            _ => {
                eprintln!(
                    "usage: ablation [--independent DIR] [--generated N] [--level clean|moderate|hard]"
                );
                std::process::exit(2);
            }
        }
    }
    let real = real_images().unwrap_or_else(|e| {
        eprintln!("{e}");
        std::process::exit(2);
    });
    let indep = match &independent_dir {
        Some(d) => independent(d).unwrap_or_else(|e| {
            eprintln!("{e}");
            std::process::exit(2);
        }),
        None => Vec::new(),
    };
    let gen_cases = generated(n_generated, level);
    let mut configs: Vec<(String, Vec<Rule>)> = vec![("every rule".into(), Vec::new())];
    for r in Rule::ALL {
        configs.push((format!("without {}", r.name()), vec![r]));
    }
    configs.push(("without all of them".into(), Rule::ALL.to_vec()));
    println!(
        "| rules | real images (scan_image) | independent frames | own generator, {level:?} |"
    );
    println!("|---|---|---|---|");
    for (name, off) in configs {
        let (r, i, g) = rules::without(&off, || {
            let mut r = Count::default();
            for c in &real {
                r.add(&scan_image(&c.img), &c.truth);
            }
            let mut i = Count::default();
            for c in &indep {
                i.add(&scan_frame(&c.img.frame()), &c.truth);
            }
            let mut g = Count::default();
            for c in &gen_cases {
                g.add(&scan_frame(&c.img.frame()), &c.truth);
            }
            (r, i, g)
        });
        let indep_cell = if indep.is_empty() {
            "-".to_string()
        } else {
            i.cell()
        };
        println!("| {name} | {} | {indep_cell} | {} |", r.cell(), g.cell());
    }
}
