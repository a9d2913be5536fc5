//! Failure analysis: `fails LEVEL N`.
use aktiver_scan::scan_frame;
use aktiver_scan::synth::{Level, Scenario};
fn main() {
    let args: Vec<String> = std::env::args().collect();
    let level = match args.get(1).map(String::as_str) {
        Some("clean") => Level::Clean,
        Some("hard") => Level::Hard,
        _ => Level::Moderate,
    };
    let n: u64 = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(30);
    for seed in 0..n {
        let g = Scenario::new(seed, level, None, (1280, 720)).frame(0);
        let r = scan_frame(&g.image.frame());
        match &r.reading {
            Some(rd) if rd.lines == g.truth => println!(
                "{seed} ok valid={} worst={:.2} margin={:.3}",
                r.valid, rd.worst_cost, rd.min_margin
            ),
            Some(rd) => {
                let mut diffs = Vec::new();
                for (li, (a, b)) in rd.lines.iter().zip(&g.truth).enumerate() {
                    for (ci, (x, y)) in a.chars().zip(b.chars()).enumerate() {
                        if x != y {
                            diffs.push(format!("{li}:{ci} {y}->{x}"));
                        }
                    }
                }
                println!(
                    "{seed} {:?} valid={} worst={:.2} margin={:.3} cap={:.1} diffs {:?}",
                    r.feedback, r.valid, rd.worst_cost, rd.min_margin, rd.cap_px, diffs
                );
            }
            None => println!("{seed} {:?} no reading", r.feedback),
        }
    }
}
