//! `cargo bench -p aktiver-scan`: time per 1280x720 frame (single-threaded).
use aktiver_scan::synth::{Level, Scenario, Subject, negative};
use aktiver_scan::{Format, scan_frame};
use criterion::{Criterion, criterion_group, criterion_main};
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

criterion_group!(benches, frames);
criterion_main!(benches);
