//! Diagnostics for one generated frame:
//! `cargo run --release -p aktiver-scan-tools --bin debug -- SEED LEVEL [FRAME] [loop]`.
use aktiver_scan::synth::{Level, Scenario};
use aktiver_scan::{locate, read};
use std::time::Instant;
fn main() {
    let args: Vec<String> = std::env::args().collect();
    let seed: u64 = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(1);
    let level = Level::from_arg(args.get(2).map(String::as_str));
    let index: u64 = args.get(3).and_then(|s| s.parse().ok()).unwrap_or(0);
    let g = Scenario::new(seed, level, None, (1280, 720)).frame(index);
    let f = g.image.frame();
    let t = Instant::now();
    let small = locate::downscale(&f);
    let t1 = t.elapsed();
    let comps = locate::components(&small);
    let t2 = t.elapsed();
    let regions = locate::regions(&small, &comps);
    println!(
        "downscale {:?} comps {:?} n={} regions={}",
        t1,
        t2 - t1,
        comps.len(),
        regions.len()
    );
    for c in &comps {
        println!(
            " comp c=({:.0},{:.0}) len {:.0} thick {:.1} dy {:.3} n {}",
            c.cx, c.cy, c.len, c.thick, c.dy, c.count
        );
    }
    for r in regions.iter().take(3) {
        if let Some((w, h, px)) = read::debug_strip(&f, r) {
            let _ = image::save_buffer(
                format!("/tmp/strip_{seed}_{}.png", r.lines),
                &px,
                w as u32,
                h as u32,
                image::ExtendedColorType::L8,
            );
        }
        let t = Instant::now();
        let res = read::read_region(&f, r);
        println!("region {:?} -> {:?}", r, t.elapsed());
        match res {
            Ok(rd) => {
                println!(
                    " worst {:.2} cap {:.1} min_margin {:.3} close_calls {} aligned {}",
                    rd.worst_cost,
                    rd.cap_px,
                    rd.min_margin,
                    aktiver_scan::scan::close_calls(&rd),
                    rd.aligned
                );
                let policy = aktiver_mrz::RepairPolicy {
                    max_changes: 2,
                    wildcard_cost: 300,
                    margin: 60,
                };
                let today = time::OffsetDateTime::now_utc().date();
                match aktiver_mrz::repair::repair_candidates(
                    &rd.candidates.to_mrz_candidates(),
                    &policy,
                    today,
                ) {
                    Ok(out) => println!(
                        " repair {:?} valid={} verified={:?}",
                        out.status,
                        out.mrz.is_valid(),
                        out.mrz
                            .repairs
                            .iter()
                            .map(|r| r.verified)
                            .collect::<Vec<_>>()
                    ),
                    Err(e) => println!(" repair error {e}"),
                }
                for (li, (a, b)) in rd.lines.iter().zip(&g.truth).enumerate() {
                    println!("  {a}\n  {b} {}", if a == b { "OK" } else { "XX" });
                    for (ci, (x, y)) in a.chars().zip(b.chars()).enumerate() {
                        if x != y {
                            let c = rd.candidates.0.get(li).and_then(|l| l.get(ci));
                            println!("    {li}:{ci} {y}->{x} {c:?}");
                        }
                    }
                }
            }
            Err(m) => println!(" miss {m:?}"),
        }
    }
    println!("truth {:?}", g.truth);
    if args.iter().any(|a| a == "loop") {
        let t = Instant::now();
        for _ in 0..200 {
            std::hint::black_box(aktiver_scan::scan_frame(&f));
        }
        println!("per frame {:?}", t.elapsed() / 200);
    }
}
