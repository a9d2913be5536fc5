//! Glyph cells as the scanner samples them, with their true labels: the
//! training and measurement data of the learned character model
//! (`tools/scan-eval/model`).
//!
//! ```text
//! cells gen OUT N SEED         own generator, N frames (moderate or hard, 400-2560 px wide)
//! cells dir OUT DIR SEED       independent renderer's frames (DIR/labels.tsv), rescaled 0.35-1.6x
//! cells real OUT [DIR TRUTH]   real images (measurement only: never train on these)
//! ```
//!
//! Each frame is read by `scan_image` with the reader's recording on; every
//! line it read whose text agrees with a true line in at least 80% of its
//! characters (its grid is right) gives one record per cell. Augmentation on
//! top of the generators' own: rescaling, stroke weight (a light min/max
//! filter) and JPEG at a random quality. Records of 780 bytes, little
//! endian: label (class index, `glyphs::CLASSES`), the reader's best class,
//! the shift index (`SHIFTS`, 0 = centred), flags (bit 0: the template's
//! lead is below 0.12; bits 1-2 the position's class: any, digit, letter,
//! sex; bit 3: a check digit covers it), the lead (f32), a frame id (u32), the 192 samples
//! (f32, 16 rows of 12).
use aktiver_scan::Format;
use aktiver_scan::frame::LumaImage;
use aktiver_scan::glyphs::{CLASSES, N};
use aktiver_scan::image_scan::scan_image;
use aktiver_scan::layout::{self, Class, FormatExt};
use aktiver_scan::read::dump;
use aktiver_scan::rules::{self, Rule};
use aktiver_scan::still;
use aktiver_scan::synth::rng::Rng;
use aktiver_scan::synth::{Level, Scenario};
use std::io::Write;
use std::path::{Path, PathBuf};

fn class_index(c: char) -> Option<u8> {
    CLASSES.iter().position(|&k| k == c).map(|i| i as u8)
}

/// Bilinear resampling with 3x3 supersampling per output pixel.
fn resize(img: &LumaImage, s: f32) -> LumaImage {
    let (w, h) = (
        ((img.width as f32 * s) as u32).max(16),
        ((img.height as f32 * s) as u32).max(16),
    );
    let get = |x: i32, y: i32| -> f32 {
        let x = x.clamp(0, img.width as i32 - 1) as usize;
        let y = y.clamp(0, img.height as i32 - 1) as usize;
        f32::from(img.data[y * img.width as usize + x])
    };
    let mut out = LumaImage::new(w, h, 0);
    for y in 0..h {
        for x in 0..w {
            let mut acc = 0.0;
            for sy in [0.17f32, 0.5, 0.83] {
                for sx in [0.17f32, 0.5, 0.83] {
                    let (fx, fy) = ((x as f32 + sx) / s - 0.5, (y as f32 + sy) / s - 0.5);
                    let (x0, y0) = (fx.floor(), fy.floor());
                    let (ax, ay) = (fx - x0, fy - y0);
                    let (x0, y0) = (x0 as i32, y0 as i32);
                    let top = get(x0, y0) * (1.0 - ax) + get(x0 + 1, y0) * ax;
                    let bot = get(x0, y0 + 1) * (1.0 - ax) + get(x0 + 1, y0 + 1) * ax;
                    acc += top * (1.0 - ay) + bot * ay;
                }
            }
            out.data[(y * w + x) as usize] = (acc / 9.0).round().clamp(0.0, 255.0) as u8;
        }
    }
    out
}

/// A light min (bolder ink) or max (thinner ink) filter, blended half way.
fn stroke(img: &mut LumaImage, bolder: bool) {
    let (w, h) = (img.width as usize, img.height as usize);
    let src = img.data.clone();
    for y in 1..h.saturating_sub(1) {
        for x in 1..w.saturating_sub(1) {
            let mut v = src[y * w + x];
            for (dx, dy) in [(-1i32, 0i32), (1, 0), (0, -1), (0, 1)] {
                let p = src[(y as i32 + dy) as usize * w + (x as i32 + dx) as usize];
                v = if bolder { v.min(p) } else { v.max(p) };
            }
            img.data[y * w + x] = ((u16::from(src[y * w + x]) + u16::from(v)) / 2) as u8;
        }
    }
}

fn jpeg(img: &LumaImage, quality: u8) -> LumaImage {
    use image::ImageEncoder;
    let mut buf = Vec::new();
    let enc = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut buf, quality);
    if enc
        .write_image(
            &img.data,
            img.width,
            img.height,
            image::ExtendedColorType::L8,
        )
        .is_err()
    {
        return img.clone();
    }
    still::decode(&buf).unwrap_or_else(|_| img.clone())
}

struct Writer {
    out: std::io::BufWriter<std::fs::File>,
    records: usize,
    frames_used: usize,
}

impl Writer {
    /// Reads `img` with recording on and writes the cells of every line
    /// that matches a true line.
    fn frame(&mut self, img: &LumaImage, truth: &[String], id: u32) {
        // The templates' own margins: the model's opinion off.
        dump::start();
        let _ = rules::without(&[Rule::GlyphModel], || scan_image(img));
        let lines = dump::take();
        let mut used = false;
        let first = truth.first().map_or("", String::as_str);
        let format = match (truth.len(), first.len()) {
            (3, _) => Format::Td1,
            (2, 36) => Format::Td2,
            _ => Format::Td3,
        }
        .of_reading(first);
        for (li, t) in truth.iter().enumerate() {
            let tc: Vec<char> = t.chars().collect();
            let agreeing: Vec<(usize, &dump::DumpedLine)> = lines
                .iter()
                .filter(|l| l.text.chars().count() == tc.len())
                .map(|l| (l.text.chars().zip(&tc).filter(|(a, b)| a == *b).count(), l))
                .filter(|(agree, _)| agree * 5 >= tc.len() * 4)
                .collect();
            // The line read best, or (`CELLS_ALL`) every line read on the
            // right grid (diagnostics of one image's passes).
            let chosen: Vec<&dump::DumpedLine> = if std::env::var_os("CELLS_ALL").is_some() {
                agreeing.iter().map(|(_, l)| *l).collect()
            } else {
                agreeing
                    .iter()
                    .max_by_key(|(agree, _)| *agree)
                    .map(|(_, l)| *l)
                    .into_iter()
                    .collect()
            };
            for line in chosen {
                used = true;
                for (ci, ((cells, &margin), read)) in line
                    .samples
                    .iter()
                    .zip(&line.margins)
                    .zip(line.text.chars())
                    .enumerate()
                {
                    let (Some(label), Some(best)) =
                        (tc.get(ci).copied().and_then(class_index), class_index(read))
                    else {
                        continue;
                    };
                    let class = match layout::class_at(format, li, ci) {
                        Class::Any => 0u8,
                        Class::Digit => 1,
                        Class::Alpha => 2,
                        Class::Sex => 3,
                    };
                    let flags = u8::from(margin < 0.12)
                        | class << 1
                        | u8::from(layout::check_covered(format, li, ci)) << 3;
                    for (si, g) in cells.iter().enumerate() {
                        let Some(g) = g else { continue };
                        let mut rec = Vec::with_capacity(12 + 4 * N);
                        rec.extend([label, best, si as u8, flags]);
                        rec.extend(margin.to_le_bytes());
                        rec.extend(id.to_le_bytes());
                        for v in g {
                            rec.extend(v.to_le_bytes());
                        }
                        if self.out.write_all(&rec).is_err() {
                            eprintln!("write failed");
                            std::process::exit(1);
                        }
                        self.records += 1;
                    }
                }
            }
        }
        self.frames_used += usize::from(used);
    }
}

/// Rescaling, stroke weight and JPEG, drawn from `rng`; `scale` the range.
fn augment(img: &LumaImage, rng: &mut Rng, scale: (f32, f32)) -> LumaImage {
    let s = rng.range(scale.0, scale.1);
    let mut out = if (s - 1.0).abs() > 0.02 {
        resize(img, s)
    } else {
        img.clone()
    };
    if rng.chance(0.3) {
        let bolder = rng.chance(0.5);
        stroke(&mut out, bolder);
    }
    if rng.chance(0.5) {
        out = jpeg(&out, rng.range(35.0, 95.0) as u8);
    }
    out
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let usage = || -> ! {
        eprintln!(
            "usage: cells gen OUT N SEED | cells dir OUT DIR SEED | cells real OUT [DIR TRUTH]"
        );
        std::process::exit(2);
    };
    let (Some(mode), Some(out)) = (args.first(), args.get(1)) else {
        usage()
    };
    let file = std::fs::File::create(out).unwrap_or_else(|e| {
        eprintln!("{out}: {e}");
        std::process::exit(2);
    });
    let mut w = Writer {
        out: std::io::BufWriter::new(file),
        records: 0,
        frames_used: 0,
    };
    let mut frames = 0usize;
    match mode.as_str() {
        "gen" => {
            let n: u64 = args
                .get(2)
                .and_then(|s| s.parse().ok())
                .unwrap_or_else(|| usage());
            let seed: u64 = args
                .get(3)
                .and_then(|s| s.parse().ok())
                .unwrap_or_else(|| usage());
            let mut rng = Rng::new(seed ^ 0xCE11);
            for i in 0..n {
                let level = if rng.chance(0.6) {
                    Level::Moderate
                } else {
                    Level::Hard
                };
                let width = rng.range(400.0, 2560.0) as usize;
                let sc = Scenario::new(seed * 100_000 + i, level, None, (width, width * 9 / 16));
                let g = sc.frame(0);
                let img = augment(&g.image, &mut rng, (1.0, 1.0));
                w.frame(&img, &g.truth, i as u32);
                frames += 1;
            }
        }
        "dir" => {
            let dir = args.get(2).map(PathBuf::from).unwrap_or_else(|| usage());
            let seed: u64 = args
                .get(3)
                .and_then(|s| s.parse().ok())
                .unwrap_or_else(|| usage());
            let mut rng = Rng::new(seed ^ 0xD1);
            let labels = std::fs::read_to_string(dir.join("labels.tsv")).unwrap_or_else(|e| {
                eprintln!("{}: {e}", dir.display());
                std::process::exit(2);
            });
            for (i, line) in labels.lines().enumerate() {
                let cols: Vec<&str> = line.split('\t').collect();
                let (Some(f), Some(mrz)) = (cols.first(), cols.get(2)) else {
                    continue;
                };
                if *mrz == "none" {
                    continue;
                }
                let Ok(img) = aktiver_scan_tools::load_image(dir.join(f)) else {
                    continue;
                };
                let truth: Vec<String> = mrz.split('|').map(str::to_string).collect();
                let img = augment(&img, &mut rng, (0.35, 1.6));
                w.frame(&img, &truth, i as u32);
                frames += 1;
            }
        }
        "real" => {
            let (mut dir, mut truth_path) = aktiver_scan_tools::default_real_images();
            if let (Some(d), Some(t)) = (args.get(2), args.get(3)) {
                dir = PathBuf::from(d);
                truth_path = PathBuf::from(t);
            }
            let truth = aktiver_scan_tools::load_truth(&truth_path).unwrap_or_else(|e| {
                eprintln!("{e}");
                std::process::exit(2);
            });
            for (i, t) in truth.iter().enumerate() {
                if t.lines.is_empty() {
                    continue;
                }
                let Ok(img) = aktiver_scan_tools::load_image(Path::new(&dir).join(&t.file)) else {
                    eprintln!("{}: cannot read", t.file);
                    continue;
                };
                w.frame(&img, &t.lines, i as u32);
                frames += 1;
            }
        }
        _ => usage(),
    }
    if w.out.flush().is_err() {
        eprintln!("write failed");
        std::process::exit(1);
    }
    eprintln!(
        "{frames} frames, {} with a matched line, {} records",
        w.frames_used, w.records
    );
}
