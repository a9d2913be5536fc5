//! Property tests: generated MRZs of every format parse back to the fields
//! they were made from, and a single corrupted character is detected or
//! reported, never silently turned into a different valid document.
#![allow(clippy::unwrap_used)]

use aktiver_mrz::*;
use proptest::prelude::*;
use time::macros::date;

const TODAY: time::Date = date!(2026 - 11 - 21);
const ALPHA: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ";
const ALNUM: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";

#[derive(Debug, Clone)]
struct Fields {
    format: Format,
    code: String,
    state: String,
    nationality: String,
    number: String,
    birth: String,
    expiry: String,
    sex: char,
    surname: String,
    given: String,
    optional: String,
}

fn chars(
    set: &'static [u8],
    len: std::ops::RangeInclusive<usize>,
) -> impl Strategy<Value = String> {
    proptest::collection::vec(proptest::sample::select(set), len)
        .prop_map(|v| String::from_utf8(v).unwrap())
}

fn ymd() -> impl Strategy<Value = String> {
    (0u32..100, 1u32..=12, 1u32..=28).prop_map(|(y, m, d)| format!("{y:02}{m:02}{d:02}"))
}

fn fields() -> impl Strategy<Value = Fields> {
    (
        proptest::sample::select(vec![
            Format::Td1,
            Format::Td2,
            Format::Td3,
            Format::MrvA,
            Format::MrvB,
        ]),
        chars(ALPHA, 3..=3),
        chars(ALPHA, 3..=3),
        chars(ALNUM, 9..=9),
        ymd(),
        ymd(),
        proptest::sample::select(vec!['M', 'F', '<']),
        chars(ALPHA, 1..=10),
        chars(ALPHA, 0..=8),
        chars(ALNUM, 0..=7),
    )
        .prop_map(
            |(format, state, nationality, number, birth, expiry, sex, surname, given, optional)| {
                let code = match format {
                    Format::Td3 => "P<",
                    Format::MrvA | Format::MrvB => "V<",
                    Format::Td1 => "ID",
                    Format::Td2 => "I<",
                }
                .to_owned();
                Fields {
                    format,
                    code,
                    state,
                    nationality,
                    number,
                    birth,
                    expiry,
                    sex,
                    surname,
                    given,
                    optional,
                }
            },
        )
}

fn pad(s: &str, n: usize) -> String {
    let mut s: String = s.chars().take(n).collect();
    while s.len() < n {
        s.push('<');
    }
    s
}

fn cd(s: &str) -> char {
    char::from(b'0' + check_digit(s.as_bytes()))
}

fn render(f: &Fields) -> String {
    let (_, width) = f.format.shape();
    let names = if f.given.is_empty() {
        f.surname.clone()
    } else {
        format!("{}<<{}", f.surname, f.given)
    };
    let num = format!("{}{}", f.number, cd(&f.number));
    let birth = format!("{}{}", f.birth, cd(&f.birth));
    let expiry = format!("{}{}", f.expiry, cd(&f.expiry));
    match f.format {
        Format::Td1 => {
            let opt1 = pad(&f.optional, 15);
            let opt2 = pad("", 11);
            let l1 = format!("{}{}{}{}", f.code, f.state, num, opt1);
            let l2 = format!("{birth}{}{expiry}{}{opt2}", f.sex, f.nationality);
            let comp = format!("{}{}{}{}", &l1[5..30], &l2[0..7], &l2[8..15], &l2[18..29]);
            format!("{l1}\n{l2}{}\n{}", cd(&comp), pad(&names, 30))
        }
        _ => {
            let l1 = format!("{}{}{}", f.code, f.state, pad(&names, width - 5));
            let head = format!("{num}{}{birth}{}{expiry}", f.nationality, f.sex);
            let l2 = match f.format {
                Format::Td3 => {
                    let opt = pad(&f.optional, 14);
                    let body = format!("{head}{opt}{}", cd(&opt));
                    let comp = format!("{}{}{}", &body[0..10], &body[13..20], &body[21..43]);
                    format!("{body}{}", cd(&comp))
                }
                Format::Td2 => {
                    let body = format!("{head}{}", pad(&f.optional, 7));
                    let comp = format!("{}{}{}", &body[0..10], &body[13..20], &body[21..35]);
                    format!("{body}{}", cd(&comp))
                }
                _ => format!("{head}{}", pad(&f.optional, width - 28)),
            };
            format!("{l1}\n{l2}")
        }
    }
}

/// Positions (0-based line, column) that a check digit covers, and the
/// kind of character each position accepts.
fn covered(format: Format) -> Vec<(usize, usize)> {
    let r = |l, a: usize, b: usize| (a..b).map(move |c| (l, c));
    match format {
        Format::Td1 => r(0, 5, 30)
            .chain(r(1, 0, 7))
            .chain(r(1, 8, 15))
            .chain(r(1, 18, 30))
            .collect(),
        Format::Td2 => r(1, 0, 10)
            .chain(r(1, 13, 20))
            .chain(r(1, 21, 36))
            .collect(),
        Format::Td3 => r(1, 0, 10)
            .chain(r(1, 13, 20))
            .chain(r(1, 21, 44))
            .collect(),
        Format::MrvA | Format::MrvB => r(1, 0, 10)
            .chain(r(1, 13, 20))
            .chain(r(1, 21, 28))
            .collect(),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn generated_documents_round_trip(f in fields()) {
        let text = render(&f);
        let m = parse_at(&text, TODAY).unwrap();
        prop_assert!(m.is_valid(), "{text}");
        prop_assert_eq!(m.format, f.format);
        prop_assert_eq!(&m.issuing_state, &f.state);
        prop_assert_eq!(&m.nationality, &f.nationality);
        prop_assert_eq!(&m.document_number, &f.number);
        prop_assert_eq!(&m.birth_date.raw, &f.birth);
        prop_assert_eq!(&m.expiry_date.raw, &f.expiry);
        prop_assert!(m.birth_date.date.is_some_and(|d| d <= TODAY));
        let surname_fits = f.surname.len() + 2 + f.given.len() <= f.format.shape().1 - 5;
        if f.format != Format::Td1 && surname_fits {
            prop_assert_eq!(&m.primary_identifier, &f.surname);
            prop_assert_eq!(&m.secondary_identifier, &f.given);
        }
        prop_assert_eq!(m.sex, match f.sex { 'M' => Sex::Male, 'F' => Sex::Female, _ => Sex::Unspecified });
        prop_assert_eq!(parse_repairing_at(&text, 2, TODAY).unwrap().status, RepairStatus::Valid);
    }

    #[test]
    fn one_corrupted_character_is_caught(f in fields(), pos in any::<proptest::sample::Index>(), with in proptest::sample::select(b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ<".to_vec())) {
        let text = render(&f);
        let original = parse_at(&text, TODAY).unwrap();
        let mut lines: Vec<Vec<u8>> = text.lines().map(|l| l.as_bytes().to_vec()).collect();
        let width = lines[0].len();
        let flat = pos.index(lines.len() * width);
        let (l, c) = (flat / width, flat % width);
        let was = lines[l][c];
        prop_assume!(was != with);
        lines[l][c] = with;
        let corrupted: String = lines.iter().map(|l| String::from_utf8(l.clone()).unwrap()).collect::<Vec<_>>().join("\n");
        let m = parse_at(&corrupted, TODAY).unwrap();

        // Detected, unless the check digits cannot see it: an uncovered
        // position, or a character worth the same mod 10.
        let is_covered = covered(f.format).contains(&(l, c));
        let same_value = char_value(was).unwrap() % 10 == char_value(with).unwrap() % 10;
        if m.is_valid() {
            prop_assert!(!is_covered || same_value, "undetected at {l},{c}: {corrupted}");
        }

        // Repair never turns it into a different document where check
        // digits are involved.
        let out = parse_repairing_at(&corrupted, 2, TODAY).unwrap();
        match out.status {
            RepairStatus::Repaired => {
                prop_assert!(out.mrz.is_valid());
                prop_assert!(!out.mrz.repairs.is_empty());
                for (i, (a, b)) in out.mrz.lines.iter().zip(&original.lines).enumerate() {
                    for (j, (x, y)) in a.bytes().zip(b.bytes()).enumerate() {
                        if x != y {
                            // Only an unverified (field-kind) repair at an
                            // uncovered position may differ from the truth.
                            let r = out.mrz.repairs.iter().find(|r| r.line == i + 1 && r.column == j + 1);
                            prop_assert!(r.is_some_and(|r| !r.verified), "wrong repair at {i},{j}: {corrupted}");
                        }
                    }
                }
            }
            RepairStatus::Valid => prop_assert!(m.is_valid()),
            RepairStatus::Ambiguous | RepairStatus::Unrepairable => {
                prop_assert!(out.mrz.repairs.is_empty());
                prop_assert_eq!(out.mrz.text(), corrupted);
            }
        }
    }

    #[test]
    fn confusions_in_numeric_fields_are_repaired(f in fields(), which in 0usize..3) {
        // Dates and their check digits only hold digits: a common confusion
        // there has one answer.
        let text = render(&f);
        let mut lines: Vec<Vec<u8>> = text.lines().map(|l| l.as_bytes().to_vec()).collect();
        let (l, c) = match (f.format, which) {
            (Format::Td1, 0) => (1, 2),
            (Format::Td1, 1) => (1, 10),
            (Format::Td1, _) => (1, 14),
            (_, 0) => (1, 15),
            (_, 1) => (1, 23),
            (_, _) => (1, 27),
        };
        let to = match lines[l][c] {
            b'0' => b'O', b'1' => b'I', b'2' => b'Z', b'5' => b'S', b'8' => b'B',
            _ => return Ok(()),
        };
        lines[l][c] = to;
        let corrupted = lines.iter().map(|l| String::from_utf8(l.clone()).unwrap()).collect::<Vec<_>>().join("\n");
        let out = parse_repairing_at(&corrupted, 2, TODAY).unwrap();
        prop_assert_eq!(out.status, RepairStatus::Repaired, "{}", corrupted);
        prop_assert_eq!(out.mrz.text(), text);
    }

    #[test]
    fn arbitrary_text_never_panics(s in "\\PC{0,200}") {
        let _ = parse_at(&s, TODAY);
        let _ = parse_repairing_at(&s, 2, TODAY);
    }

    #[test]
    fn mrz_shaped_noise_never_panics(lines in proptest::collection::vec(chars(b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ<<<<<<", 30..=30), 3..=3)) {
        let text = lines.join("\n");
        let m = parse_at(&text, TODAY).unwrap();
        let _ = m.national_identity_number(aktiver_nin::Policy::SANDBOX);
        let _ = parse_repairing_at(&text, 2, TODAY).unwrap();
    }
}
