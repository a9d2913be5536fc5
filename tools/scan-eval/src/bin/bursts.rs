//! Burst failure analysis: `bursts LEVEL N [SEED]` runs the report's bursts (on
//! two threads, untimed) and prints, for each burst the consensus did not
//! read correctly, what every frame gave and whether it voted.
use aktiver_scan::consensus::Consensus;
use aktiver_scan::scan::{MAX_ACCEPT_COST, close_calls, scan_frame};
use aktiver_scan::synth::{Level, Scenario};

fn burst(seed: u64, level: Level) -> Option<String> {
    let sc = Scenario::new(seed, level, None, (1280, 720));
    let mut cons = Consensus::new();
    let mut result = None;
    let mut log = String::new();
    for i in 0..5 {
        let g = sc.frame(i);
        let r = scan_frame(&g.image.frame());
        if r.valid
            && let Some(rd) = &r.reading
            && rd.lines != g.truth
        {
            eprintln!(
                "WRONG BUT VALID {seed}/{i}: {:?} truth {:?}",
                rd.lines, g.truth
            );
        }
        match &r.reading {
            Some(rd) => {
                let votes = rd.aligned && rd.worst_cost <= MAX_ACCEPT_COST && close_calls(rd) <= 8;
                let mut diffs = Vec::new();
                for (li, (a, b)) in rd.lines.iter().zip(&g.truth).enumerate() {
                    for (ci, (x, y)) in a.chars().zip(b.chars()).enumerate() {
                        if x != y {
                            let c = rd.candidates.0.get(li).and_then(|l| l.get(ci));
                            diffs.push(format!("{li}:{ci} {y}->{x} {c:?}"));
                        }
                    }
                }
                log.push_str(&format!(
                    "  frame {i}: valid={} aligned={} worst={:.2} calls={} votes={votes} diffs {diffs:?}\n",
                    r.valid,
                    rd.aligned,
                    rd.worst_cost,
                    close_calls(rd),
                ));
            }
            None => log.push_str(&format!("  frame {i}: {:?} no reading\n", r.feedback)),
        }
        if result.is_none() {
            result = cons.push(&r);
        }
    }
    let verbose = std::env::var_os("VERBOSE").is_some();
    match result {
        Some(l) if l == sc.truth && !verbose => None,
        Some(l) if l == sc.truth => Some(format!("{seed} ok\n{log}")),
        Some(l) => Some(format!("{seed} WRONG {l:?}\n{log}")),
        None => Some(format!("{seed} no consensus, truth {:?}\n{log}", sc.truth)),
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let level = Level::from_arg(args.get(1).map(String::as_str));
    let n: u64 = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(100);
    let base: u64 = args.get(3).and_then(|s| s.parse().ok()).unwrap_or(1);
    let threads: u64 = 2;
    let handles: Vec<_> = (0..threads)
        .map(|t| {
            std::thread::spawn(move || {
                let mut fails = Vec::new();
                let mut b = t;
                while b < n {
                    if let Some(s) = burst(base.wrapping_add(b * 7919), level) {
                        fails.push((b, s));
                    }
                    b += threads;
                }
                fails
            })
        })
        .collect();
    let mut all: Vec<(u64, String)> = handles
        .into_iter()
        .flat_map(|h| h.join().unwrap_or_default())
        .collect();
    all.sort_by_key(|f| f.0);
    for (b, s) in &all {
        print!("burst {b}: {s}");
    }
    println!("{} of {n} bursts failed", all.len());
}
