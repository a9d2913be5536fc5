//! Parsing speed per kind of number and for early rejections.
#![allow(clippy::unwrap_used)]

use aktiver_nin::{NationalId, Policy};
use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;

fn parse(c: &mut Criterion) {
    let mut g = c.benchmark_group("parse");
    for (name, n) in [
        ("ordinary", "01019000083"),
        ("separated", " 010190 00083 "),
        ("rule_2032", "30108299939"),
        ("fh", "81234567802"),
        ("tenor", "01819000049"),
    ] {
        g.bench_function(name, |b| {
            b.iter(|| NationalId::parse(black_box(n), Policy::SANDBOX).unwrap())
        });
    }
    for (name, n) in [("bad_k1", "01019000013"), ("bad_length", "0101900008")] {
        g.bench_function(name, |b| {
            b.iter(|| NationalId::parse(black_box(n), Policy::SANDBOX).unwrap_err())
        });
    }
    g.finish();
}

criterion_group!(benches, parse);
criterion_main!(benches);
