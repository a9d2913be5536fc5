//! OCR-confusion repair on typed/OCR text.
#![allow(clippy::unwrap_used)]

use aktiver_mrz::*;
use time::macros::date;

const TODAY: time::Date = date!(2026 - 11 - 21);
const TD3: &str =
    "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<10";
const TD1: &str = "I<UTOD231458907<<<<<<<<<<<<<<<\n7408122F1204159UTO<<<<<<<<<<<6\nERIKSSON<<ANNA<MARIA<<<<<<<<<<";

fn repair(text: &str) -> RepairOutcome {
    parse_repairing_at(text, 2, TODAY).unwrap()
}

#[test]
fn valid_text_needs_no_repair() {
    let out = repair(TD3);
    assert_eq!(out.status, RepairStatus::Valid);
    assert!(out.mrz.repairs.is_empty());
}

#[test]
fn letter_in_a_date_is_repaired_and_reported() {
    let out = repair(&TD3.replace("F1204159", "F12O4159"));
    assert_eq!(out.status, RepairStatus::Repaired);
    assert_eq!(out.mrz.text(), TD3);
    assert_eq!(out.mrz.repairs.len(), 1);
    let r = out.mrz.repairs[0];
    assert_eq!(
        (r.line, r.column, r.from, r.to, r.verified),
        (2, 24, 'O', '0', true)
    );
}

#[test]
fn two_confusions_in_numeric_fields() {
    let out = repair(&TD3.replace("7408122F1204159", "74O8I22F1204159"));
    assert_eq!(out.status, RepairStatus::Repaired, "{out:?}");
    assert_eq!(out.mrz.text(), TD3);
    assert_eq!(out.mrz.repairs.len(), 2);
}

#[test]
fn too_many_changes_are_refused() {
    let text = TD3.replace("7408122F1204159", "74O8I22F12O4159");
    let out = parse_repairing_at(&text, 2, TODAY).unwrap();
    assert_eq!(out.status, RepairStatus::Unrepairable);
    assert!(!out.mrz.is_valid());
    assert!(out.mrz.repairs.is_empty());
    let out = parse_repairing_at(&text, 3, TODAY).unwrap();
    assert_eq!(out.status, RepairStatus::Repaired);
    assert_eq!(out.mrz.text(), TD3);
}

#[test]
fn letter_in_a_check_digit_is_repaired() {
    let out = repair(&TD3.replace("L898902C36", "L898902C3G"));
    assert_eq!(out.status, RepairStatus::Repaired, "{out:?}");
    assert_eq!(out.mrz.text(), TD3);
}

#[test]
fn confusion_in_an_alphanumeric_field_is_ambiguous() {
    // 8 read as B. Every character worth 8 mod 10 (`8`, `I`, `S`) passes
    // the check digits: the confusion says 8, a single arbitrary misread
    // says I or S just as well.
    let out = repair(&TD3.replace("L898902C3", "LB98902C3"));
    assert_eq!(out.status, RepairStatus::Ambiguous, "{out:?}");
    assert!(out.mrz.repairs.is_empty());
    assert_eq!(out.mrz.lines[1].as_bytes()[1], b'B');
}

#[test]
fn digit_in_a_name_is_repaired_unverified() {
    let out = repair(&TD3.replace("ERIKSSON", "ERIKSS0N"));
    assert_eq!(out.status, RepairStatus::Repaired);
    assert_eq!(out.mrz.primary_identifier, "ERIKSSON");
    assert!(!out.mrz.repairs[0].verified);
}

#[test]
fn filler_read_as_k_in_td1_optional_data() {
    // Optional data is covered only by the composite: K for < there is one
    // of many single changes that would fix it, so it stays ambiguous.
    let text = TD1.replace(
        "7408122F1204159UTO<<<<<<<<<<<6",
        "7408122F1204159UTO<<<K<<<<<<<6",
    );
    let out = repair(&text);
    assert_ne!(out.status, RepairStatus::Repaired, "{out:?}");
}

#[test]
fn lower_case_is_read_as_upper_case() {
    let out = repair(&TD3.to_lowercase());
    assert_eq!(out.status, RepairStatus::Valid);
}

#[test]
fn shape_errors_still_error() {
    assert_eq!(
        parse_repairing_at("P<UTO", 2, TODAY),
        Err(MrzError::LineCount { found: 1 })
    );
    assert!(matches!(
        parse_repairing_at(&TD3.replace('L', "#"), 2, TODAY),
        Err(MrzError::IllegalCharacter { line: 2, column: 1 })
    ));
}

#[test]
fn candidates_with_costs_decide_what_text_cannot() {
    // A scanner that saw an `8`-like glyph: 8 cheap, B dearer, nothing else.
    let mut cands: Vec<Vec<Vec<Candidate>>> = TD3
        .lines()
        .map(|l| {
            l.bytes()
                .map(|ch| vec![Candidate { ch, cost: 0 }])
                .collect()
        })
        .collect();
    cands[1][1] = vec![
        Candidate { ch: b'B', cost: 0 },
        Candidate { ch: b'8', cost: 1 },
    ];
    let policy = RepairPolicy {
        max_changes: 2,
        wildcard_cost: 6,
        margin: 2,
    };
    let out = repair::repair_candidates(&cands, &policy, TODAY).unwrap();
    assert_eq!(out.status, RepairStatus::Repaired, "{out:?}");
    assert_eq!(out.mrz.text(), TD3);
    // With a wildcard as cheap as the candidate, I and S are rivals again.
    let policy = RepairPolicy {
        wildcard_cost: 1,
        ..policy
    };
    let out = repair::repair_candidates(&cands, &policy, TODAY).unwrap();
    assert_eq!(out.status, RepairStatus::Ambiguous);
}
