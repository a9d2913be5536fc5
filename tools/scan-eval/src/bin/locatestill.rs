//! What the locator and the reader make of one still image, per orientation,
//! locator scale and upscale:
//! `cargo run --release -p aktiver-scan-tools --bin locatestill -- IMAGE [SCALE] [--strips DIR] [--lines]`.
//!
//! Per pass: the components and regions found (centre, length, height,
//! lines, score) and what reading each region gave (worst cost and the
//! lines' shape, never the characters) or why not. `SCALE` (1, 2 or 4)
//! reads the image upscaled that many times first; `--strips DIR` saves the
//! downscaled image of every pass and the ink strip of every region read
//! as PNGs there; `--lines` prints the
//! lines read (specimen documents only: they are personal data otherwise).

use aktiver_scan::{LumaFrame, LumaImage, Rotation, locate, read, still};

fn upscale(img: &LumaImage, k: u32) -> LumaImage {
    if k <= 1 {
        return img.clone();
    }
    let (w, h) = (img.width * k, img.height * k);
    let mut data = vec![0u8; (w * h) as usize];
    for y in 0..h {
        for x in 0..w {
            let sx = ((x as f32 + 0.5) / k as f32 - 0.5).max(0.0);
            let sy = ((y as f32 + 0.5) / k as f32 - 0.5).max(0.0);
            let v = img.frame().sample(sx, sy);
            data[(y * w + x) as usize] = v.round().clamp(0.0, 255.0) as u8;
        }
    }
    LumaImage {
        width: w,
        height: h,
        data,
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(path) = args.first() else {
        eprintln!("usage: locatestill IMAGE [SCALE] [--strips DIR]");
        std::process::exit(2);
    };
    let scale: u32 = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(1);
    let strips = args
        .iter()
        .position(|a| a == "--strips")
        .and_then(|i| args.get(i + 1))
        .cloned();
    let show_lines = args.iter().any(|a| a == "--lines");
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("{path}: {e}");
            std::process::exit(1);
        }
    };
    let img = match still::decode(&bytes) {
        Ok(i) => upscale(&i, scale),
        Err(e) => {
            eprintln!("{path}: {e}");
            std::process::exit(1);
        }
    };
    println!("{}x{} (x{scale})", img.width, img.height);
    for rot in [Rotation::R0, Rotation::R90, Rotation::R270, Rotation::R180] {
        let Ok(frame) = LumaFrame::new(&img.data, img.width, img.height, img.width, rot) else {
            continue;
        };
        let f0 = locate::default_factor(&frame);
        let mut fs = vec![f0];
        for f in [2 * f0, f0.div_ceil(2), 3 * f0, f0 + f0.div_ceil(2)] {
            if f >= 1 && !fs.contains(&f) {
                fs.push(f);
            }
        }
        for f in fs {
            let small = locate::downscale_by(&frame, f);
            if let Some(dir) = &strips {
                let _ = image::save_buffer(
                    format!("{dir}/small_r{}_f{f}.png", rot.degrees()),
                    &small.px,
                    small.w as u32,
                    small.h as u32,
                    image::ExtendedColorType::L8,
                );
            }
            let comps = locate::components(&small);
            let regions = locate::regions(&small, &comps);
            println!(
                "rot {:>3} f {f}: small {}x{} comps {} regions {}",
                rot.degrees(),
                small.w,
                small.h,
                comps.len(),
                regions.len()
            );
            for c in comps.iter().filter(|c| c.len > 20.0) {
                println!(
                    "   comp c=({:.0},{:.0}) len {:.0} thick {:.1} dy {:.3} n {}",
                    c.cx, c.cy, c.len, c.thick, c.dy, c.count
                );
            }
            for (i, r) in regions.iter().take(6).enumerate() {
                let res = read::read_region(&frame, r);
                let what = match &res {
                    Ok(rd) => format!(
                        "{:?} worst {:.2} cap {:.1} aligned {} lens {:?} refusal {:?}",
                        rd.format,
                        rd.worst_cost,
                        rd.cap_px,
                        rd.aligned,
                        rd.lines.iter().map(String::len).collect::<Vec<_>>(),
                        aktiver_scan::scan::refusal(rd)
                    ),
                    Err(m) => format!("{m:?}"),
                };
                println!(
                    "   region c=({:.0},{:.0}) len {:.0} h {:.0} thick {:.1} lines {} score {:.0} -> {what}",
                    r.cx,
                    r.cy,
                    2.0 * r.half_len,
                    2.0 * r.half_h,
                    r.line_thick,
                    r.lines,
                    r.score
                );
                if let Ok(rd) = &res {
                    for (li, ci) in aktiver_scan::scan::unclear_unprotected(rd) {
                        if let Some(c) = rd.candidates.0.get(li).and_then(|l| l.get(ci)) {
                            let list: Vec<String> =
                                c.iter().map(|(ch, k)| format!("{ch}{k:.3}")).collect();
                            println!("      unclear {}:{} {}", li + 1, ci + 1, list.join(","));
                        }
                    }
                    if show_lines {
                        for l in &rd.lines {
                            println!("      {l}");
                        }
                    }
                }
                if let (Some(dir), Some((w, h, px))) = (&strips, read::debug_strip(&frame, r)) {
                    let _ = image::save_buffer(
                        format!("{dir}/strip_r{}_f{f}_{i}.png", rot.degrees()),
                        &px,
                        w as u32,
                        h as u32,
                        image::ExtendedColorType::L8,
                    );
                }
            }
        }
    }
    let scan = aktiver_scan::scan_image(&img);
    println!("scan_image: {:?} valid {}", scan.feedback, scan.valid);
}
