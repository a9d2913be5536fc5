//! How far apart look-alikes are read: `lookalikes LEVEL N [SEED] [PAIRS]` reads
//! the report's frames (two threads) and, at every position whose true
//! character is one of a pair (default `0O`, also e.g. `8B`), prints the
//! distribution of the cost of the other one minus the cost of the truth
//! (positive: told apart), per true character.
use aktiver_scan::read::Reading;
use aktiver_scan::scan::scan_frame;
use aktiver_scan::synth::{Level, Scenario};

fn gaps(rd: &Reading, truth: &[String], pairs: &[(char, char)]) -> Vec<(char, f32)> {
    let mut out = Vec::new();
    for (li, line) in truth.iter().enumerate() {
        for (ci, t) in line.chars().enumerate() {
            let Some(&(a, b)) = pairs.iter().find(|p| p.0 == t || p.1 == t) else {
                continue;
            };
            let other = if t == a { b } else { a };
            let Some(cands) = rd.candidates.0.get(li).and_then(|l| l.get(ci)) else {
                continue;
            };
            let cost = |c: char| cands.iter().find(|x| x.0 == c).map(|x| x.1);
            // Positions that allow only one of the pair say nothing.
            if let (Some(ct), Some(co)) = (cost(t), cost(other)) {
                out.push((t, co - ct));
            } else if let (None, Some(_)) = (cost(t), cost(other)) {
                out.push((t, -1.0));
            }
        }
    }
    out
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let level = Level::from_arg(args.get(1).map(String::as_str));
    let n: u64 = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(100);
    let base: u64 = args.get(3).and_then(|s| s.parse().ok()).unwrap_or(1);
    let spec = args.get(4).cloned().unwrap_or_else(|| "0O".into());
    let pairs: Vec<(char, char)> = spec
        .as_bytes()
        .chunks(2)
        .filter_map(|c| match c {
            [a, b] => Some((char::from(*a), char::from(*b))),
            _ => None,
        })
        .collect();
    let threads = 2u64;
    let handles: Vec<_> = (0..threads)
        .map(|t| {
            let pairs = pairs.clone();
            std::thread::spawn(move || {
                let mut out = Vec::new();
                let mut b = t;
                while b < n {
                    let sc = Scenario::new(base.wrapping_add(b * 7919), level, None, (1280, 720));
                    for i in 0..5 {
                        let g = sc.frame(i);
                        let r = scan_frame(&g.image.frame());
                        if let Some(rd) = r.reading {
                            let gs = gaps(&rd, &g.truth, &pairs);
                            if gs.iter().any(|x| x.1 < 0.0) && std::env::var_os("SHOW").is_some() {
                                eprintln!("{} {i}: {:?}", base.wrapping_add(b * 7919), rd.lines);
                            }
                            out.extend(gs);
                            let exact = rd.lines == g.truth;
                            out.push(('#', if exact { 1.0 } else { 0.0 }));
                            if r.valid {
                                out.push(('V', if exact { 1.0 } else { -1.0 }));
                            }
                        }
                    }
                    b += threads;
                }
                out
            })
        })
        .collect();
    let all: Vec<(char, f32)> = handles
        .into_iter()
        .flat_map(|h| h.join().unwrap_or_default())
        .collect();
    let exact = all.iter().filter(|x| x.0 == '#' && x.1 > 0.0).count();
    let valid = all.iter().filter(|x| x.0 == 'V').count();
    let wrong = all.iter().filter(|x| x.0 == 'V' && x.1 < 0.0).count();
    println!(
        "frames {}: exact {exact}, valid {valid}, wrong-but-valid {wrong}",
        n * 5
    );
    for &(a, b) in &pairs {
        for t in [a, b] {
            let mut v: Vec<f32> = all.iter().filter(|x| x.0 == t).map(|x| x.1).collect();
            v.sort_by(f32::total_cmp);
            if v.is_empty() {
                continue;
            }
            let q = |p: f64| {
                v.get(((v.len() - 1) as f64 * p) as usize)
                    .copied()
                    .unwrap_or(0.0)
            };
            let neg = v.iter().filter(|&&g| g < 0.0).count();
            let close = v.iter().filter(|&&g| g < 0.12).count();
            let mean = v.iter().sum::<f32>() / v.len() as f32;
            println!(
                "{t}: n={} wrong={neg} under0.12={close} mean={mean:.3} p1={:.3} p5={:.3} p25={:.3} p50={:.3}",
                v.len(),
                q(0.01),
                q(0.05),
                q(0.25),
                q(0.5)
            );
        }
    }
}
