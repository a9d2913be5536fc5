//! Saves one generated moderate frame: `shot SEED FRAME OUT.png`.
use aktiver_scan::synth::{Level, Scenario};
fn main() {
    let a: Vec<String> = std::env::args().collect();
    let (Some(seed), Some(i), Some(out)) = (
        a.get(1).and_then(|s| s.parse().ok()),
        a.get(2).and_then(|s| s.parse().ok()),
        a.get(3),
    ) else {
        eprintln!("usage: shot SEED FRAME OUT.png");
        std::process::exit(2);
    };
    let g = Scenario::new(seed, Level::Moderate, None, (1280, 720)).frame(i);
    let im = &g.image;
    if let Err(e) = image::save_buffer(
        out,
        &im.data,
        im.width,
        im.height,
        image::ExtendedColorType::L8,
    ) {
        eprintln!("{out}: {e}");
        std::process::exit(2);
    }
}
