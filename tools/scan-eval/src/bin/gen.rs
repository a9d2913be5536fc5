//! Writes generated frames as PNG: `cargo run --release -p aktiver-scan-tools --bin gen -- DIR LEVEL N`.
use aktiver_scan::synth::{Level, Scenario, negative};
fn main() {
    let args: Vec<String> = std::env::args().collect();
    let dir = args.get(1).cloned().unwrap_or_else(|| "/tmp/frames".into());
    let level = Level::from_arg(args.get(2).map(String::as_str));
    let n: u64 = args.get(3).and_then(|s| s.parse().ok()).unwrap_or(4);
    let _ = std::fs::create_dir_all(&dir);
    for i in 0..n {
        let g = if i % 4 == 3 {
            negative(i, level, (1280, 720))
        } else {
            Scenario::new(i, level, None, (1280, 720)).frame(0)
        };
        let path = format!("{dir}/{}_{i}.png", level.name());
        if let Err(e) = image::save_buffer(
            &path,
            &g.image.data,
            g.image.width,
            g.image.height,
            image::ExtendedColorType::L8,
        ) {
            eprintln!("{path}: {e}");
        }
        println!("{i}: {:?} {:?}", g.subject, g.truth);
    }
}
