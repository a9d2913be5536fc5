//! Property tests: generate valid numbers of every kind with an independent
//! implementation of the rules and check what the parser reads back, and
//! that typing errors are caught.
#![allow(clippy::unwrap_used)]

use aktiver_nin::{ControlRule, Gender, NationalId, NinError, NinKind, Policy, Synthetic};
use proptest::prelude::*;
use time::{Date, Month};

const W1: [u32; 9] = [3, 7, 6, 1, 8, 9, 4, 5, 2];
const W2: [u32; 10] = [5, 4, 3, 2, 7, 6, 5, 4, 3, 2];

fn weighted(d: &[u8], w: &[u32]) -> u32 {
    d.iter()
        .zip(w)
        .map(|(&d, &w)| u32::from(d) * w)
        .sum::<u32>()
        % 11
}

/// The K1 that leaves `remainder` (0 = classic), if it is a digit.
fn k1_for(first9: &[u8], remainder: u32) -> Option<u8> {
    let k = (remainder + 11 - weighted(first9, &W1)) % 11;
    (k <= 9).then_some(k as u8)
}

fn k2_for(first10: &[u8]) -> Option<u8> {
    let k = (11 - weighted(first10, &W2)) % 11;
    (k <= 9).then_some(k as u8)
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Shape {
    Ordinary,
    D,
    H,
    Tenor,
    TenorD,
    Fh,
}

#[derive(Debug, Clone)]
struct Generated {
    number: String,
    kind: NinKind,
    synthetic: Option<Synthetic>,
    day_month: Option<(u8, Month)>,
    birth_date: Option<Date>,
    gender: Option<Gender>,
    rule: ControlRule,
}

/// An individual number whose range encodes `year`'s century.
fn individual_for(year: i32, pick: u16) -> u16 {
    match year {
        1854..=1899 => 500 + pick % 250,
        1900..=1939 => pick % 500,
        1940..=1999 if pick.is_multiple_of(3) => 900 + pick % 100,
        1940..=1999 => pick % 500,
        _ => 500 + pick % 500,
    }
}

fn build(shape: Shape, date: Date, pick: u16, remainder: u32, fh: [u8; 9]) -> Option<Generated> {
    let (first9, kind, synthetic) = match shape {
        Shape::Fh => {
            let mut first9 = fh;
            first9[0] = 8 + fh[0] % 2;
            (first9, NinKind::FhNumber, None)
        }
        _ => {
            let day = date.day()
                + if matches!(shape, Shape::D | Shape::TenorD) {
                    40
                } else {
                    0
                };
            let month = u8::from(date.month())
                + match shape {
                    Shape::H => 40,
                    Shape::Tenor | Shape::TenorD => 80,
                    _ => 0,
                };
            let yy = date.year().rem_euclid(100) as u8;
            let ind = individual_for(date.year(), pick);
            let first9 = [
                day / 10,
                day % 10,
                month / 10,
                month % 10,
                yy / 10,
                yy % 10,
                (ind / 100) as u8,
                (ind / 10 % 10) as u8,
                (ind % 10) as u8,
            ];
            let kind = match shape {
                Shape::D | Shape::TenorD => NinKind::DNumber,
                Shape::H => NinKind::HNumber,
                _ => NinKind::Ordinary,
            };
            let synthetic =
                matches!(shape, Shape::Tenor | Shape::TenorD).then_some(Synthetic::Tenor);
            (first9, kind, synthetic)
        }
    };
    // FH-numbers only exist under the classic rule.
    let remainder = if shape == Shape::Fh { 0 } else { remainder };
    let k1 = k1_for(&first9, remainder)?;
    let mut first10 = first9.to_vec();
    first10.push(k1);
    let k2 = k2_for(&first10)?;
    first10.push(k2);
    let number: String = first10.iter().map(|&d| char::from(b'0' + d)).collect();
    let rule = if remainder == 0 {
        ControlRule::Classic
    } else {
        ControlRule::From2032
    };
    let dated = shape != Shape::Fh;
    let classic = rule == ControlRule::Classic;
    Some(Generated {
        number,
        kind,
        synthetic,
        day_month: dated.then(|| (date.day(), date.month())),
        birth_date: (dated && classic).then_some(date),
        gender: (dated && classic).then(|| {
            if first9[8] % 2 == 1 {
                Gender::Male
            } else {
                Gender::Female
            }
        }),
        rule,
    })
}

fn shape() -> impl Strategy<Value = Shape> {
    prop_oneof![
        Just(Shape::Ordinary),
        Just(Shape::D),
        Just(Shape::H),
        Just(Shape::Tenor),
        Just(Shape::TenorD),
        Just(Shape::Fh),
    ]
}

fn birth_date() -> impl Strategy<Value = Date> {
    let first = Date::from_calendar_date(1854, Month::January, 1)
        .unwrap()
        .to_julian_day();
    let last = Date::from_calendar_date(2039, Month::December, 31)
        .unwrap()
        .to_julian_day();
    (first..=last).prop_map(|j| Date::from_julian_day(j).unwrap())
}

fn valid_number() -> impl Strategy<Value = Generated> {
    (
        shape(),
        birth_date(),
        any::<u16>(),
        0u32..=3,
        any::<[u8; 9]>(),
    )
        .prop_filter_map("control digit would be 10", |(s, d, pick, r, fh)| {
            build(s, d, pick, r, fh.map(|x| x % 10))
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn valid_numbers_round_trip(g in valid_number()) {
        let id = NationalId::parse(&g.number, Policy::SANDBOX).unwrap();
        prop_assert_eq!(id.as_str(), g.number.as_str());
        prop_assert_eq!(id.kind(), g.kind);
        prop_assert_eq!(id.synthetic(), g.synthetic);
        prop_assert_eq!(id.birth_day_month(), g.day_month);
        prop_assert_eq!(id.birth_date(), g.birth_date);
        prop_assert_eq!(id.gender(), g.gender);
        prop_assert_eq!(id.control_rule(), g.rule);
        // The separated form means the same number.
        let spaced = format!(" {} {} ", &g.number[..6], &g.number[6..]);
        prop_assert_eq!(NationalId::parse(&spaced, Policy::SANDBOX).unwrap(), id.clone());
        // Nothing of the number leaks through Debug; masking keeps at most
        // the date.
        let debug = format!("{id:?}");
        prop_assert!(!debug.contains(&g.number[6..]));
        prop_assert!(!debug.contains(&g.number[..6]));
        prop_assert!(id.masked(true).ends_with("*****"));
        prop_assert_eq!(id.masked(false), "***********");
        // Production refuses exactly the synthetic ones.
        let prod = NationalId::parse(&g.number, Policy::PRODUCTION);
        if g.synthetic.is_some() {
            prop_assert_eq!(prod, Err(NinError::SyntheticNotAllowed));
        } else {
            prop_assert_eq!(prod, Ok(id));
        }
    }

    /// K2 is unchanged by the 2032 rule and every digit has a K2 weight that
    /// is non-zero mod 11, so any single substitution breaks K2 under both
    /// rules (K1 alone does not catch it under the 2032 rule: it may shift the
    /// remainder from 0 to 1-3, and then ControlDigit2 is reported).
    #[test]
    fn every_single_substitution_is_caught(g in valid_number()) {
        let digits: Vec<u8> = g.number.bytes().collect();
        for pos in 0..11 {
            for replacement in b'0'..=b'9' {
                if replacement == digits[pos] {
                    continue;
                }
                let mut typo = digits.clone();
                typo[pos] = replacement;
                let typo = String::from_utf8(typo).unwrap();
                let result = NationalId::parse(&typo, Policy::SANDBOX);
                prop_assert!(
                    matches!(result, Err(NinError::ControlDigit1 | NinError::ControlDigit2)),
                    "{} at {}: {:?}", g.number, pos, result
                );
            }
        }
    }

    /// Adjacent K2 weights differ mod 11 (5,4,3,2,7,6,5,4,3,2,1), so swapping
    /// two different neighbouring digits is caught under both rules too.
    #[test]
    fn every_adjacent_transposition_is_caught(g in valid_number()) {
        let digits: Vec<u8> = g.number.bytes().collect();
        for pos in 0..10 {
            if digits[pos] == digits[pos + 1] {
                continue;
            }
            let mut typo = digits.clone();
            typo.swap(pos, pos + 1);
            let typo = String::from_utf8(typo).unwrap();
            let result = NationalId::parse(&typo, Policy::SANDBOX);
            prop_assert!(
                matches!(result, Err(NinError::ControlDigit1 | NinError::ControlDigit2)),
                "{} at {}: {:?}", g.number, pos, result
            );
        }
    }

    #[test]
    fn arbitrary_input_never_panics(s in any::<String>()) {
        if let Ok(id) = NationalId::parse(&s, Policy::SANDBOX) {
            prop_assert_eq!(id.as_str().len(), 11);
            prop_assert!(id.as_str().bytes().all(|b| b.is_ascii_digit()));
        }
    }

    #[test]
    fn digit_strings_are_classified_consistently(s in "[0-9]{11}") {
        match NationalId::parse(&s, Policy::SANDBOX) {
            Ok(id) => prop_assert_eq!(id.as_str(), s.as_str()),
            Err(e) => prop_assert!(matches!(
                e,
                NinError::ControlDigit1 | NinError::ControlDigit2 | NinError::ImpossibleDate
            )),
        }
    }
}
