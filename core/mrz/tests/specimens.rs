//! ICAO 9303 specimens and the rules around them.
#![allow(clippy::unwrap_used)]

use aktiver_mrz::*;
use time::macros::date;

const TODAY: time::Date = date!(2026 - 11 - 21);

const TD3: &str =
    "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<10";
const TD1: &str = "I<UTOD231458907<<<<<<<<<<<<<<<\n7408122F1204159UTO<<<<<<<<<<<6\nERIKSSON<<ANNA<MARIA<<<<<<<<<<";
const TD2: &str = "I<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<\nD231458907UTO7408122F1204159<<<<<<<6";
const TD1_LONG: &str = "I<UTOD23145890<7349<<<<<<<<<<<\n3407127M9507122UTO<<<<<<<<<<<2\nSTEVENSON<<PETER<JOHN<<<<<<<<<";

#[test]
fn td3_specimen() {
    let m = parse_at(TD3, TODAY).unwrap();
    assert_eq!(m.format, Format::Td3);
    assert!(m.is_valid(), "{m:?}");
    assert_eq!(m.document_code, "P");
    assert_eq!(m.kind(), DocumentKind::Passport);
    assert_eq!(m.issuing_state, "UTO");
    assert_eq!(m.primary_identifier, "ERIKSSON");
    assert_eq!(m.secondary_identifier, "ANNA MARIA");
    assert_eq!(m.document_number, "L898902C3");
    assert_eq!(m.nationality, "UTO");
    assert_eq!(m.birth_date.raw, "740812");
    assert_eq!(m.birth_date.iso().as_deref(), Some("1974-08-12"));
    assert_eq!(m.expiry_date.iso().as_deref(), Some("2012-04-15"));
    assert_eq!(m.sex, Sex::Female);
    assert_eq!(m.optional_data, "ZE184226B");
    let names: Vec<_> = m.checks.iter().map(|c| c.field.name()).collect();
    assert_eq!(
        names,
        [
            "document_number",
            "birth_date",
            "expiry_date",
            "optional_data",
            "composite"
        ]
    );
    assert_eq!(m.is_expired(TODAY), Some(true));
}

#[test]
fn td1_specimen() {
    let m = parse_at(TD1, TODAY).unwrap();
    assert_eq!(m.format, Format::Td1);
    assert!(m.is_valid(), "{m:?}");
    assert_eq!(m.kind(), DocumentKind::IdCard);
    assert_eq!(m.document_number, "D23145890");
    assert_eq!(m.primary_identifier, "ERIKSSON");
    assert_eq!(m.secondary_identifier, "ANNA MARIA");
    assert_eq!(m.optional_data, "");
    assert_eq!(m.optional_data_2.as_deref(), Some(""));
    assert_eq!(m.checks.len(), 4);
}

#[test]
fn td2_specimen() {
    let m = parse_at(TD2, TODAY).unwrap();
    assert_eq!(m.format, Format::Td2);
    assert!(m.is_valid(), "{m:?}");
    assert_eq!(m.document_number, "D23145890");
    assert_eq!(m.birth_date.iso().as_deref(), Some("1974-08-12"));
}

#[test]
fn td1_long_document_number() {
    let m = parse_at(TD1_LONG, TODAY).unwrap();
    assert!(m.is_valid(), "{m:?}");
    assert_eq!(m.document_number, "D23145890734");
    assert_eq!(check_digit(b"D23145890734"), 9);
    assert_eq!(m.optional_data, "");
    assert_eq!(m.sex, Sex::Male);
    assert_eq!(m.birth_date.iso().as_deref(), Some("1934-07-12"));
    assert_eq!(m.expiry_date.iso().as_deref(), Some("1995-07-12"));
    assert_eq!(m.primary_identifier, "STEVENSON");
    assert_eq!(m.secondary_identifier, "PETER JOHN");
}

#[test]
fn td3_position_43_may_be_filler_or_zero() {
    let head =
        "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159<<<<<<<<<<<<<<";
    for digit in ["0", "<"] {
        let text = format!("{head}{digit}X");
        let l2 = text.lines().nth(1).unwrap();
        // Recompute the composite for this variant.
        let comp: Vec<u8> = [&l2[0..10], &l2[13..20], &l2[21..43]].concat().into_bytes();
        let text = format!("{}{}", &text[..text.len() - 1], check_digit(&comp));
        let m = parse_at(&text, TODAY).unwrap();
        assert_eq!(m.check(CheckField::OptionalData), Some(true), "{text}");
        assert!(m.is_valid(), "{text}");
    }
}

#[test]
fn visas() {
    let mrv_a = "V<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL8988901C4XXX4009078F96121096ZE184226B<<<<<<";
    let m = parse_at(mrv_a, TODAY).unwrap();
    assert_eq!(m.format, Format::MrvA);
    assert_eq!(m.kind(), DocumentKind::Visa);
    assert!(m.is_valid(), "{m:?}");
    assert_eq!(m.nationality, "XXX");
    assert_eq!(special_code("XXX"), Some("unspecified nationality"));
    let mrv_b = "V<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<\nL8988901C4XXX4009078F9612109<<<<<<<<";
    let m = parse_at(mrv_b, TODAY).unwrap();
    assert_eq!(m.format, Format::MrvB);
    assert!(m.is_valid(), "{m:?}");
    assert_eq!(m.checks.len(), 3);
}

#[test]
fn failed_checks_are_named() {
    let bad = TD3.replace("L898902C36", "L898902C37");
    let m = parse_at(&bad, TODAY).unwrap();
    assert!(!m.is_valid());
    assert_eq!(m.check(CheckField::DocumentNumber), Some(false));
    assert_eq!(m.check(CheckField::Composite), Some(false));
    assert_eq!(m.check(CheckField::BirthDate), Some(true));
}

#[test]
fn field_kinds_are_enforced() {
    let digit_in_name = TD3.replace("ERIKSSON", "ERIKSS0N");
    let m = parse_at(&digit_in_name, TODAY).unwrap();
    assert!(m.checks.iter().all(|c| c.ok));
    assert!(!m.is_valid());
    assert_eq!(
        m.field_faults,
        [FieldFault {
            line: 1,
            column: 12
        }]
    );
}

#[test]
fn shape_errors_name_the_place() {
    assert_eq!(parse_at("", TODAY), Err(MrzError::Empty));
    assert_eq!(parse_at(" \n\n ", TODAY), Err(MrzError::Empty));
    assert_eq!(
        parse_at("ABC", TODAY),
        Err(MrzError::LineCount { found: 1 })
    );
    let short = TD3.replacen("<<<<<10", "<<<<10", 1);
    assert_eq!(
        parse_at(&short, TODAY),
        Err(MrzError::LineLength {
            line: 2,
            expected: 44,
            found: 43
        })
    );
    let lower = TD3.replace("ERIKSSON", "eRIKSSON");
    assert_eq!(
        parse_at(&lower, TODAY),
        Err(MrzError::IllegalCharacter { line: 1, column: 6 })
    );
    let multibyte = TD1.replace("ERIKSSON", "ERIKSSØN");
    assert!(matches!(
        parse_at(&multibyte, TODAY),
        Err(MrzError::IllegalCharacter { line: 3, column: 7 })
    ));
    assert_eq!(
        parse_at(&format!("{TD1}\nXXXX"), TODAY),
        Err(MrzError::LineCount { found: 4 })
    );
}

#[test]
fn crlf_and_blank_lines_are_fine() {
    let text = format!("\n  {}  \r\n", TD3.replace('\n', "\r\n"));
    assert!(parse_at(&text, TODAY).unwrap().is_valid());
}

#[test]
fn debug_shows_no_personal_data() {
    let m = parse_at(TD3, TODAY).unwrap();
    let d = format!("{m:?}");
    for secret in ["ERIKSSON", "L898902C3", "740812", "ANNA"] {
        assert!(!d.contains(secret), "{d}");
    }
}

#[test]
fn document_rules() {
    let m = parse_at(TD3, TODAY).unwrap();
    let rules = DocumentRules::norwegian(TODAY);
    assert_eq!(
        m.check_rules(&rules),
        Err(RuleViolation::IssuingStateNotAllowed {
            found: "UTO".into()
        })
    );
    let mut utopia = rules.clone();
    utopia.allowed_issuing_states = vec!["UTO".into()];
    assert_eq!(m.check_rules(&utopia), Err(RuleViolation::Expired));
    utopia.today = date!(2011 - 01 - 01);
    assert_eq!(m.check_rules(&utopia), Ok(()));
    utopia.allowed_kinds = vec![DocumentKind::IdCard];
    assert_eq!(
        m.check_rules(&utopia),
        Err(RuleViolation::WrongKind { found: "passport" })
    );
}
