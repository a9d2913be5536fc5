//! Still images as upright grey PNGs for looking at them (EXIF applied):
//! `topng OUT_DIR [--scale N] IMAGE...`.
fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(out) = args.first() else {
        eprintln!("usage: topng OUT_DIR [--scale N] IMAGE...");
        std::process::exit(2);
    };
    let mut scale = 1u32;
    // Fractions of the width and height: left, top, right, bottom.
    let mut crop = [0.0f32, 0.0, 1.0, 1.0];
    let mut files = Vec::new();
    let mut it = args.iter().skip(1);
    while let Some(a) = it.next() {
        if a == "--crop" {
            let v: Vec<f32> = it
                .next()
                .map(|s| s.split(',').filter_map(|x| x.parse().ok()).collect())
                .unwrap_or_default();
            if let [l, t, r, b] = v[..] {
                crop = [l, t, r, b];
            }
        } else if a == "--scale" {
            scale = it
                .next()
                .and_then(|s| s.parse().ok())
                .unwrap_or(1)
                .clamp(1, 8);
        } else {
            files.push(a.clone());
        }
    }
    for f in files {
        let img = match aktiver_scan_tools::load_image(&f) {
            Ok(i) => i,
            Err(e) => {
                eprintln!("{f}: {e}");
                continue;
            }
        };
        let x0 = (crop[0] * img.width as f32) as u32;
        let y0 = (crop[1] * img.height as f32) as u32;
        let cw = ((crop[2] * img.width as f32) as u32)
            .min(img.width)
            .saturating_sub(x0)
            .max(1);
        let ch = ((crop[3] * img.height as f32) as u32)
            .min(img.height)
            .saturating_sub(y0)
            .max(1);
        let (w, h) = (cw * scale, ch * scale);
        let mut data = vec![0u8; (w * h) as usize];
        for y in 0..h {
            for x in 0..w {
                let (sx, sy) = (x0 + x / scale, y0 + y / scale);
                data[(y * w + x) as usize] = img
                    .data
                    .get((sy * img.width + sx) as usize)
                    .copied()
                    .unwrap_or(0);
            }
        }
        let name = std::path::Path::new(&f)
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let path = format!("{out}/{name}.png");
        if let Err(e) = image::save_buffer(&path, &data, w, h, image::ExtendedColorType::L8) {
            eprintln!("{path}: {e}");
        }
    }
}
