#![allow(clippy::unwrap_used)]

use super::*;

fn date(y: i32, m: u8, d: u8) -> Date {
    Date::from_calendar_date(y, Month::try_from(m).unwrap(), d).unwrap()
}

fn ok(n: &str) -> NationalId {
    NationalId::parse(n, Policy::SANDBOX).unwrap()
}

fn err(n: &str, policy: Policy) -> NinError {
    NationalId::parse(n, policy).unwrap_err()
}

#[test]
fn ordinary_number() {
    let id = NationalId::parse("01019000083", Policy::PRODUCTION).unwrap();
    assert_eq!(id.kind(), NinKind::Ordinary);
    assert_eq!(id.as_str(), "01019000083");
    assert_eq!(id.birth_date(), Some(date(1990, 1, 1)));
    assert_eq!(id.birth_day_month(), Some((1, Month::January)));
    assert_eq!(id.gender(), Some(Gender::Female));
    assert_eq!(id.synthetic(), None);
    assert_eq!(id.control_rule(), ControlRule::Classic);
    assert_eq!(ok("01019000164").gender(), Some(Gender::Male));
    assert_eq!(ok("01019000245").gender(), Some(Gender::Female));
}

#[test]
fn spaces_anywhere_other_separators_refused() {
    let plain = ok("01019000083");
    assert_eq!(ok("  01019000083\n"), plain);
    assert_eq!(ok("010190 00083"), plain);
    assert_eq!(ok("\t010190 00083 "), plain);
    assert_eq!(ok("010190  00083"), plain);
    // As typed in groups, and the issue's `11019 012345` shape.
    assert_eq!(ok("010 190 000 83"), plain);
    assert_eq!(ok("01019 000083"), plain);
    assert_eq!(
        err("010190-00083", Policy::SANDBOX),
        NinError::Length { found: 12 }
    );
    assert_eq!(
        err("0101-9000083", Policy::SANDBOX),
        NinError::Length { found: 12 }
    );
    assert_eq!(
        err("01019 00008x", Policy::SANDBOX),
        NinError::NonDigit { position: 11 }
    );
}

#[test]
fn length_errors_count_characters() {
    assert_eq!(err("", Policy::SANDBOX), NinError::Length { found: 0 });
    assert_eq!(err("   ", Policy::SANDBOX), NinError::Length { found: 0 });
    assert_eq!(
        err("0101900008", Policy::SANDBOX),
        NinError::Length { found: 10 }
    );
    assert_eq!(
        err("010190000833", Policy::SANDBOX),
        NinError::Length { found: 12 }
    );
    // Characters, not bytes.
    assert_eq!(
        err("0101900008ø", Policy::SANDBOX),
        NinError::NonDigit { position: 11 }
    );
}

#[test]
fn non_digit_positions_are_one_based_within_the_number() {
    assert_eq!(
        err("a1019000083", Policy::SANDBOX),
        NinError::NonDigit { position: 1 }
    );
    assert_eq!(
        err("010190 0008x", Policy::SANDBOX),
        NinError::NonDigit { position: 11 }
    );
    // Arabic-Indic digits are not digits here.
    assert_eq!(
        err("0101900008\u{0663}", Policy::SANDBOX),
        NinError::NonDigit { position: 11 }
    );
    assert_eq!(
        err("+1019000083", Policy::SANDBOX),
        NinError::NonDigit { position: 1 }
    );
}

#[test]
fn control_digit_errors() {
    // K1 = 1 leaves remainder 4: wrong under both rules.
    assert_eq!(err("01019000013", Policy::SANDBOX), NinError::ControlDigit1);
    // K1 = 9 leaves remainder 1: wrong classically, fine under the 2032 rule,
    // so K2 is what fails.
    assert_eq!(err("01019000093", Policy::SANDBOX), NinError::ControlDigit2);
    assert_eq!(err("01019000084", Policy::SANDBOX), NinError::ControlDigit2);
    // Under the 2032 rule 30108299920 and 30108299939 are both valid; mixing
    // their digits passes K1 but K2 catches it.
    assert_eq!(err("30108299930", Policy::SANDBOX), NinError::ControlDigit2);
}

#[test]
fn check_order_control_digits_before_date() {
    // Month 34 with correct control digits: a date error.
    assert_eq!(
        err("12345670120", Policy::SANDBOX),
        NinError::ImpossibleDate
    );
    // Month 34 with a wrong K1: the control digit is reported first.
    assert_eq!(err("12345670620", Policy::SANDBOX), NinError::ControlDigit1);
}

#[test]
fn check_order_date_before_synthetic_policy() {
    // 29 February 1900 in a Tenor number: the date wins over the policy.
    let bad_tenor = with_controls("298200000");
    assert_eq!(
        err(&bad_tenor, Policy::PRODUCTION),
        NinError::ImpossibleDate
    );
    let good_tenor = with_controls("288200000");
    assert_eq!(
        err(&good_tenor, Policy::PRODUCTION),
        NinError::SyntheticNotAllowed
    );
}

#[test]
fn reference_2032_examples() {
    // Two of them happen to satisfy the classic rule as well, so the old
    // century table applies: individual 999 with year 32 is 2000-2039, with
    // year 82 it is 1940-1999.
    let a = ok("02013299997");
    assert_eq!(a.control_rule(), ControlRule::Classic);
    assert_eq!(a.birth_date(), Some(date(2032, 1, 2)));
    assert_eq!(a.gender(), Some(Gender::Male));
    let b = ok("30108299920");
    assert_eq!(b.control_rule(), ControlRule::Classic);
    assert_eq!(b.birth_date(), Some(date(1982, 10, 30)));
    let c = NationalId::parse("30108299939", Policy::PRODUCTION).unwrap();
    assert_eq!(c.control_rule(), ControlRule::From2032);
    assert_eq!(c.kind(), NinKind::Ordinary);
    assert_eq!(c.birth_date(), None);
    assert_eq!(c.birth_day_month(), Some((30, Month::October)));
    assert_eq!(c.gender(), None);
}

#[test]
fn rule_2032_all_remainders() {
    for n in ["01019012308", "01019012316", "01019012324"] {
        let id = ok(n);
        assert_eq!(id.control_rule(), ControlRule::From2032, "{n}");
        assert_eq!(id.birth_date(), None);
        assert_eq!(id.gender(), None);
    }
    assert_eq!(
        k1_candidates_2032(&[0, 1, 0, 1, 9, 0, 1, 2, 3]),
        vec![0, 1, 2]
    );
}

#[test]
fn rule_2032_leap_day_needs_some_century() {
    // 29.02.00: 2000 is a leap year (1900 is not).
    let id = ok("29020012305");
    assert_eq!(id.birth_day_month(), Some((29, Month::February)));
    assert_eq!(id.birth_date(), None);
    // 29.02.01: no century makes it a leap year.
    assert_eq!(
        err("29020112318", Policy::SANDBOX),
        NinError::ImpossibleDate
    );
}

#[test]
fn d_number() {
    let id = ok("41019000077");
    assert_eq!(id.kind(), NinKind::DNumber);
    assert_eq!(id.birth_date(), Some(date(1990, 1, 1)));
    assert_eq!(id.synthetic(), None);
    assert_eq!(ok("41019012318").kind(), NinKind::DNumber);
}

#[test]
fn h_number() {
    let id = ok("01419000066");
    assert_eq!(id.kind(), NinKind::HNumber);
    assert_eq!(id.birth_date(), Some(date(1990, 1, 1)));
    assert_eq!(id.synthetic(), None);
    // NAV synthetic numbers (month + 40) are indistinguishable and pass
    // production.
    assert!(is_valid("01419000066", Policy::PRODUCTION));
}

#[test]
fn fh_number() {
    for n in ["81234567802", "92345610040"] {
        let id = ok(n);
        assert_eq!(id.kind(), NinKind::FhNumber);
        assert_eq!(id.birth_date(), None);
        assert_eq!(id.birth_day_month(), None);
        assert_eq!(id.gender(), None);
        assert_eq!(id.synthetic(), None);
        assert_eq!(id.masked(true), "***********");
    }
    // FH-numbers use the classic rule only: these satisfy only the 2032 one.
    for n in ["81234567810", "81234567829", "81234567837"] {
        assert_eq!(err(n, Policy::SANDBOX), NinError::ControlDigit1, "{n}");
    }
}

#[test]
fn tenor_synthetic() {
    let n = "01819000049";
    assert_eq!(err(n, Policy::PRODUCTION), NinError::SyntheticNotAllowed);
    assert_eq!(err(n, Policy::default()), NinError::SyntheticNotAllowed);
    let id = NationalId::parse(n, Policy::SANDBOX).unwrap();
    assert_eq!(id.kind(), NinKind::Ordinary);
    assert_eq!(id.synthetic(), Some(Synthetic::Tenor));
    assert_eq!(id.birth_date(), Some(date(1990, 1, 1)));
    // A synthetic D-number.
    let d = ok("41819000032");
    assert_eq!(d.kind(), NinKind::DNumber);
    assert_eq!(d.synthetic(), Some(Synthetic::Tenor));
    // 2032-rule synthetic numbers are synthetic too.
    assert_eq!(
        err("01819012373", Policy::PRODUCTION),
        NinError::SyntheticNotAllowed
    );
    assert_eq!(ok("01819012381").synthetic(), Some(Synthetic::Tenor));
}

#[test]
fn impossible_dates() {
    for p9 in [
        "000190000", // day 0
        "320190000", // day 32
        "400190000", // day 40 (neither ordinary nor D)
        "720190000", // D-number day 32
        "310490000", // 31 April
        "010090000", // month 0
        "011390000", // month 13
        "015390000", // H month 13
        "019390000", // Tenor month 13
        "416190000", // month 21
        "414190000", // D and H at once
    ] {
        let n = with_controls(p9);
        assert_eq!(err(&n, Policy::SANDBOX), NinError::ImpossibleDate, "{p9}");
    }
}

/// Complete nine digits with classic control digits, stepping the
/// individual number until both exist.
fn with_controls(p9: &str) -> String {
    let mut d: Vec<u8> = p9.bytes().map(|b| b - b'0').collect();
    loop {
        let first9: [u8; 9] = d.clone().try_into().unwrap();
        if let Some(k1) = classic_k1(&first9) {
            let mut first10 = [0u8; 10];
            first10[..9].copy_from_slice(&first9);
            first10[9] = k1;
            if let Some(k2) = k2(&first10) {
                return first10
                    .iter()
                    .chain([k2].iter())
                    .map(|&d| char::from(b'0' + d))
                    .collect();
            }
        }
        d[8] = (d[8] + 1) % 10;
    }
}

#[test]
fn century_boundaries() {
    // 1854-1899: 500-749 with year >= 54.
    assert_eq!(ok("01015450068").birth_date(), Some(date(1854, 1, 1)));
    // 1900-1999: 000-499.
    assert_eq!(ok("31129900183").birth_date(), Some(date(1999, 12, 31)));
    // 1940-1999: 900-999 with year >= 40.
    assert_eq!(ok("01014090017").birth_date(), Some(date(1940, 1, 1)));
    // 2000-2039: 500-999 with year < 40.
    assert_eq!(ok("01013950187").birth_date(), Some(date(2039, 1, 1)));
    assert_eq!(ok("01010050053").birth_date(), Some(date(2000, 1, 1)));
    // Unassigned ranges: valid, but the century stays unknown.
    let id = ok("01014050066");
    assert_eq!(id.birth_date(), None);
    assert_eq!(id.birth_day_month(), Some((1, Month::January)));
    assert!(id.gender().is_some());
    assert_eq!(ok("29029675110").birth_date(), None);
}

#[test]
fn leap_days_follow_the_century() {
    assert_eq!(ok("29020050088").birth_date(), Some(date(2000, 2, 29)));
    // 1900 was not a leap year.
    assert_eq!(
        err("29020000064", Policy::SANDBOX),
        NinError::ImpossibleDate
    );
}

#[test]
fn error_codes_and_messages() {
    let all = [
        (NinError::Length { found: 3 }, "length"),
        (NinError::NonDigit { position: 2 }, "non_digit"),
        (NinError::ImpossibleDate, "impossible_date"),
        (NinError::ControlDigit1, "control_digit_1"),
        (NinError::ControlDigit2, "control_digit_2"),
        (NinError::SyntheticNotAllowed, "synthetic_not_allowed"),
    ];
    for (e, code) in all {
        assert_eq!(e.code(), code);
        assert!(!e.to_string().is_empty());
    }
    // The message for a wrong number does not echo it.
    let e = err("01019000084", Policy::SANDBOX);
    assert!(!e.to_string().contains("0101900008"));
    assert!(!format!("{e:?}").contains("0101900008"));
}

#[test]
fn masking_and_debug() {
    let id = ok("01019000083");
    assert_eq!(id.masked(true), "010190*****");
    assert_eq!(id.masked(false), "***********");
    let dbg = format!("{id:?}");
    assert_eq!(dbg, "NationalId(***********, Ordinary)");
    assert!(!dbg.contains("010190"));
    assert!(!format!("{:#?}", ok("81234567802")).contains("8123"));
}

#[test]
fn kind_codes() {
    assert_eq!(NinKind::Ordinary.code(), "ordinary");
    assert_eq!(NinKind::DNumber.code(), "d_number");
    assert_eq!(NinKind::HNumber.code(), "h_number");
    assert_eq!(NinKind::FhNumber.code(), "fh_number");
    assert_eq!(Gender::Male.code(), "male");
    assert_eq!(Gender::Female.code(), "female");
}

#[test]
fn policies() {
    assert_eq!(Policy::default(), Policy::PRODUCTION);
    assert_ne!(Policy::PRODUCTION, Policy::SANDBOX);
    assert_eq!(
        Policy::SANDBOX,
        Policy {
            allow_synthetic: true
        }
    );
}
