//! `cargo bench -p aktiver-scan`: time per 1280x720 frame (single-threaded),
//! on the scanner's own generator (`scan_frame_1280x720`) and on the stored
//! frames of the independent renderer (`independent_1280x720`, see
//! `tests/independent/README.md`): each frame alone, and all six document
//! frames in turn (`documents`, throughput in frames per second).
use aktiver_scan::synth::{Level, Scenario, Subject, negative};
use aktiver_scan::{Format, LumaImage, scan_frame, still};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;

fn frames(c: &mut Criterion) {
    let size = (1280, 720);
    let td1 = Scenario::new(2, Level::Clean, Some(Subject::Document(Format::Td1)), size).frame(0);
    let td3 = Scenario::new(
        5,
        Level::Moderate,
        Some(Subject::Document(Format::Td3)),
        size,
    )
    .frame(0);
    let neg_scene = negative(0, Level::Moderate, size);
    let neg_card = negative(1, Level::Moderate, size);
    let mut g = c.benchmark_group("scan_frame_1280x720");
    g.bench_function("td1_clean", |b| {
        b.iter(|| scan_frame(black_box(&td1.image.frame())))
    });
    g.bench_function("td3_moderate", |b| {
        b.iter(|| scan_frame(black_box(&td3.image.frame())))
    });
    g.bench_function("negative_scene", |b| {
        b.iter(|| scan_frame(black_box(&neg_scene.image.frame())))
    });
    g.bench_function("negative_card", |b| {
        b.iter(|| scan_frame(black_box(&neg_card.image.frame())))
    });
    g.finish();
}

/// The stored independent frames: `(file stem, image, has a document)`.
fn independent_frames() -> Vec<(String, LumaImage, bool)> {
    let dir = format!("{}/tests/independent", env!("CARGO_MANIFEST_DIR"));
    let labels = std::fs::read_to_string(format!("{dir}/labels.tsv")).expect("labels.tsv");
    labels
        .lines()
        .filter_map(|l| {
            let cols: Vec<&str> = l.split('\t').collect();
            let (file, mrz) = (cols.first()?, cols.get(2)?);
            let bytes = std::fs::read(format!("{dir}/{file}")).expect("stored frame");
            let img = still::decode(&bytes).expect("decodable frame");
            let stem = file.trim_end_matches(".jpg").to_string();
            Some((stem, img, *mrz != "none"))
        })
        .collect()
}

fn independent(c: &mut Criterion) {
    let frames = independent_frames();
    let mut g = c.benchmark_group("independent_1280x720");
    for (stem, img, _) in &frames {
        g.bench_function(stem.as_str(), |b| {
            b.iter(|| scan_frame(black_box(&img.frame())))
        });
    }
    let docs: Vec<&LumaImage> = frames.iter().filter(|f| f.2).map(|f| &f.1).collect();
    g.throughput(Throughput::Elements(docs.len() as u64));
    g.bench_function("documents", |b| {
        b.iter(|| {
            for img in &docs {
                black_box(scan_frame(black_box(&img.frame())));
            }
        })
    });
    g.finish();
}

criterion_group!(benches, frames, independent);
criterion_main!(benches);
