//! Accuracy/speed report: `cargo run --release -p aktiver-scan-tools --bin report -- [BURSTS] [NEGATIVES] [LEVEL] [720|1080|2160] [SEED]`.
//! The reader was tuned on seed 1; seed 2 gives scenarios it was never tuned on.
use aktiver_scan::report::{LevelReport, run_level};
use aktiver_scan::synth::Level;
fn main() {
    aktiver_scan::rules::without(&aktiver_scan_tools::rules_off(), run);
}

fn run() {
    let args: Vec<String> = std::env::args().collect();
    let bursts = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(20);
    let negs = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(20);
    let levels: Vec<Level> = match args.get(3).map(String::as_str) {
        Some("clean") => vec![Level::Clean],
        Some("moderate") => vec![Level::Moderate],
        Some("hard") => vec![Level::Hard],
        _ => Level::ALL.to_vec(),
    };
    let size = match args.get(4).map(String::as_str) {
        Some("1080") => (1920, 1080),
        Some("2160") => (3840, 2160),
        _ => (1280, 720),
    };
    let seed: u64 = args.get(5).and_then(|s| s.parse().ok()).unwrap_or(1);
    println!("{}", LevelReport::header());
    for l in levels {
        println!("{}", run_level(l, bursts, negs, size, seed).row());
    }
}
