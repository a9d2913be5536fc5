//! Diagnostics for one still image (a photo or a scan), upright:
//! `cargo run --release -p aktiver-scan-tools --bin stilldebug -- FILE [TRUTH]`.
//!
//! Per locator scale the regions found, each region's normalized strip
//! written to `/tmp/stilldebug_F_R.png` (F the scale, R the region) for the
//! image viewer, and its reading against TRUTH (the MRZ's lines joined by
//! `|`), with the candidates of every misread character.
use aktiver_scan::{LumaFrame, Rotation, locate, read};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let Some(path) = args.get(1) else {
        eprintln!("usage: stilldebug FILE [TRUTH]");
        std::process::exit(2);
    };
    let truth: Vec<String> = args
        .get(2)
        .map(|t| t.split('|').map(str::to_string).collect())
        .unwrap_or_default();
    let img = match aktiver_scan_tools::load_image(path) {
        Ok(i) => i,
        Err(e) => {
            eprintln!("{path}: {e}");
            std::process::exit(2);
        }
    };
    let Ok(frame) = LumaFrame::new(&img.data, img.width, img.height, img.width, Rotation::R0)
    else {
        eprintln!("{path}: not a frame");
        std::process::exit(2);
    };
    let f0 = locate::default_factor(&frame);
    for f in [f0, 2 * f0, f0.div_ceil(2)] {
        let small = locate::downscale_by(&frame, f);
        let comps = locate::components(&small);
        let regions = locate::regions(&small, &comps);
        println!("scale {f}: {} regions", regions.len());
        for (ri, r) in regions.iter().take(3).enumerate() {
            println!(
                " region {ri}: centre ({:.0}, {:.0}) dir ({:.3}, {:.3}) half_len {:.0} half_h {:.0} thick {:.1} lines {}",
                r.cx, r.cy, r.dx, r.dy, r.half_len, r.half_h, r.line_thick, r.lines
            );
            if let Some((w, h, px)) = read::debug_strip(&frame, r) {
                let out = format!("/tmp/stilldebug_{f}_{ri}.png");
                if image::save_buffer(&out, &px, w as u32, h as u32, image::ExtendedColorType::L8)
                    .is_ok()
                {
                    println!("  strip {w}x{h} -> {out}");
                }
            }
            match read::read_region(&frame, r) {
                Err(m) => println!("  miss {m:?}"),
                Ok(rd) => {
                    println!(
                        "  worst {:.3} cap {:.1} min_margin {:.3} aligned {} refusal {:?}",
                        rd.worst_cost,
                        rd.cap_px,
                        rd.min_margin,
                        rd.aligned,
                        aktiver_scan::scan::refusal(&rd)
                    );
                    let show = |li: usize, ci: usize| {
                        let c = rd.candidates.0.get(li).and_then(|l| l.get(ci));
                        let list: Vec<String> = c
                            .map(|c| c.iter().map(|(ch, k)| format!("{ch}{k:.3}")).collect())
                            .unwrap_or_default();
                        format!("{}:{} {}", li + 1, ci + 1, list.join(","))
                    };
                    if let Some(calls) = aktiver_scan::scan::close_call_pairs(&rd) {
                        for c in calls {
                            println!("  close call {c:?}: {}", show(c.0, c.1));
                        }
                    }
                    for (li, line) in rd.margins.iter().enumerate() {
                        for (ci, &m) in line.iter().enumerate() {
                            if m < 0.05 {
                                println!("  margin {m:.3} {}", show(li, ci));
                            }
                        }
                    }
                    for (li, ci) in aktiver_scan::scan::unclear_unprotected(&rd) {
                        println!("  unclear {}", show(li, ci));
                    }
                    for (li, a) in rd.lines.iter().enumerate() {
                        let b = truth.get(li).map_or("", String::as_str);
                        println!("  {a}\n  {b} {}", if a == b { "OK" } else { "XX" });
                        for (ci, (x, y)) in a.chars().zip(b.chars()).enumerate() {
                            let c = rd.candidates.0.get(li).and_then(|l| l.get(ci));
                            let list: Vec<String> = c
                                .map(|c| c.iter().map(|(ch, k)| format!("{ch}{k:.3}")).collect())
                                .unwrap_or_default();
                            if x != y {
                                println!("    {}:{} {y}->{x} {}", li + 1, ci + 1, list.join(","));
                            }
                        }
                    }
                }
            }
        }
    }
}
