//! Saves one generated moderate frame: `shot SEED FRAME OUT.png`.
#![allow(clippy::unwrap_used)]
use aktiver_scan::synth::{Level, Scenario};
fn main() {
    let a: Vec<String> = std::env::args().collect();
    let seed: u64 = a[1].parse().unwrap();
    let i: u64 = a[2].parse().unwrap();
    let g = Scenario::new(seed, Level::Moderate, None, (1280, 720)).frame(i as _);
    let im = &g.image;
    image::save_buffer(
        &a[3],
        &im.data,
        im.width,
        im.height,
        image::ExtendedColorType::L8,
    )
    .unwrap();
}
