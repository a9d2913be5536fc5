//! Failure analysis: `fails LEVEL N [report [SEED]]`.
use aktiver_scan::scan_frame;
use aktiver_scan::synth::{Level, Scenario};
fn main() {
    let args: Vec<String> = std::env::args().collect();
    let level = Level::from_arg(args.get(1).map(String::as_str));
    let n: u64 = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(30);
    // `fails LEVEL N report [SEED]`: the report's scenarios and frames.
    let report = args.get(3).map(String::as_str) == Some("report");
    let base: u64 = args.get(4).and_then(|s| s.parse().ok()).unwrap_or(1);
    let cases: Vec<(u64, u64)> = if report {
        (0..n)
            .flat_map(|b| (0..5).map(move |i| (base + b * 7919, i)))
            .collect()
    } else {
        (0..n).map(|s| (s, 0)).collect()
    };
    for (seed, i) in cases {
        let g = Scenario::new(seed, level, None, (1280, 720)).frame(i);
        let t = std::time::Instant::now();
        let r = scan_frame(&g.image.frame());
        let ms = t.elapsed().as_secs_f64() * 1e3;
        print!("{ms:6.2}ms ");
        match &r.reading {
            Some(rd) if rd.lines == g.truth => println!(
                "{seed} {i} ok valid={} worst={:.2} margin={:.3}",
                r.valid, rd.worst_cost, rd.min_margin
            ),
            Some(rd) => {
                let mut diffs = Vec::new();
                for (li, (a, b)) in rd.lines.iter().zip(&g.truth).enumerate() {
                    for (ci, (x, y)) in a.chars().zip(b.chars()).enumerate() {
                        if x != y {
                            diffs.push(format!(
                                "{li}:{ci} {y}->{x} m={:.3}",
                                rd.margins
                                    .get(li)
                                    .and_then(|l| l.get(ci))
                                    .copied()
                                    .unwrap_or(9.0)
                            ));
                        }
                    }
                }
                println!(
                    "{seed} {i} {:?} valid={} worst={:.2} margin={:.3} cap={:.1} diffs {:?}",
                    r.feedback, r.valid, rd.worst_cost, rd.min_margin, rd.cap_px, diffs
                );
            }
            None => println!("{seed} {i} {:?} no reading", r.feedback),
        }
    }
}
