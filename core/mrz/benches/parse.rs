//! Parsing and repair speed per format.
#![allow(clippy::unwrap_used)]

use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;

const TD1: &str = "I<UTOD231458907<<<<<<<<<<<<<<<\n7408122F1204159UTO<<<<<<<<<<<6\nERIKSSON<<ANNA<MARIA<<<<<<<<<<";
const TD2: &str = "I<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<\nD231458907UTO7408122F1204159<<<<<<<6";
const TD3: &str =
    "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<10";

fn parse(c: &mut Criterion) {
    let today = time::Date::from_calendar_date(2026, time::Month::November, 21).unwrap();
    let mut g = c.benchmark_group("parse");
    for (name, text) in [("td1", TD1), ("td2", TD2), ("td3", TD3)] {
        g.bench_function(name, |b| {
            b.iter(|| aktiver_mrz::parse_at(black_box(text), today).unwrap())
        });
    }
    g.finish();
    let mut g = c.benchmark_group("repair");
    for (name, text) in [
        ("td1_valid", TD1.to_owned()),
        ("td1_one_confusion", TD1.replace("F1204159", "F12O4159")),
        ("td3_valid", TD3.to_owned()),
        ("td3_one_confusion", TD3.replace("F1204159", "F12O4159")),
        ("td3_ambiguous", TD3.replace("L898902C3", "LB98902C3")),
    ] {
        g.bench_function(name, |b| {
            b.iter(|| aktiver_mrz::parse_repairing_at(black_box(&text), 2, today).unwrap())
        });
    }
    g.finish();

    // What a scanner hands over: every position with a runner-up candidate.
    let mut g = c.benchmark_group("repair_candidates");
    let scanner = aktiver_mrz::RepairPolicy {
        max_changes: 3,
        wildcard_cost: 8,
        margin: 2,
    };
    for (name, text) in [("td1", TD1), ("td3", TD3)] {
        let cands: Vec<Vec<Vec<aktiver_mrz::Candidate>>> = text
            .lines()
            .map(|l| {
                l.bytes()
                    .map(|ch| {
                        let other = if ch.is_ascii_digit() { b'O' } else { b'0' };
                        vec![
                            aktiver_mrz::Candidate { ch, cost: 0 },
                            aktiver_mrz::Candidate { ch: other, cost: 3 },
                        ]
                    })
                    .collect()
            })
            .collect();
        g.bench_function(name, |b| {
            b.iter(|| {
                aktiver_mrz::repair::repair_candidates(black_box(&cands), &scanner, today).unwrap()
            })
        });
    }
    g.finish();
}

criterion_group!(benches, parse);
criterion_main!(benches);
