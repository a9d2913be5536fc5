//! A parsed MRZ: every field, every check.

use crate::charset::{FILLER, check_digit, check_position_value};
use crate::date::MrzDate;
use crate::layout::{Format, Kind, Layout, Span};
use crate::repair::Repair;
use time::Date;

/// Sex as printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Sex {
    Female,
    Male,
    /// `<` or `X`.
    Unspecified,
}

/// What kind of travel document, from the document code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DocumentKind {
    /// `P`.
    Passport,
    /// `I`, `A` or `C`: identity cards and other official travel documents.
    IdCard,
    /// `V`.
    Visa,
    Other,
}

impl DocumentKind {
    /// A stable lower-case name.
    pub fn name(self) -> &'static str {
        match self {
            DocumentKind::Passport => "passport",
            DocumentKind::IdCard => "id_card",
            DocumentKind::Visa => "visa",
            DocumentKind::Other => "other",
        }
    }
}

/// The field a check digit protects.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CheckField {
    DocumentNumber,
    BirthDate,
    ExpiryDate,
    /// The TD3 personal number (optional data).
    OptionalData,
    Composite,
}

impl CheckField {
    /// A stable snake_case name.
    pub fn name(self) -> &'static str {
        match self {
            CheckField::DocumentNumber => "document_number",
            CheckField::BirthDate => "birth_date",
            CheckField::ExpiryDate => "expiry_date",
            CheckField::OptionalData => "optional_data",
            CheckField::Composite => "composite",
        }
    }
}

/// The verdict of one check digit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Check {
    pub field: CheckField,
    pub ok: bool,
}

/// A character that does not fit its field (a digit in a name, a letter in
/// a date). Positions are 1-based.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct FieldFault {
    pub line: usize,
    pub column: usize,
}

/// A check-digit rule over positions of the MRZ, as (line, column) 0-based.
#[derive(Debug, Clone)]
pub(crate) struct CheckRule {
    pub field: CheckField,
    pub data: Vec<(usize, usize)>,
    pub digit: (usize, usize),
    /// `<` may stand in the digit position when the data is all fillers.
    pub filler_when_empty: bool,
}

impl CheckRule {
    pub(crate) fn holds(&self, lines: &[Vec<u8>]) -> bool {
        let at = |(l, c): (usize, usize)| lines.get(l).and_then(|r| r.get(c)).copied();
        let data: Option<Vec<u8>> = self.data.iter().map(|&p| at(p)).collect();
        let (Some(data), Some(digit)) = (data, at(self.digit)) else {
            return false;
        };
        if digit == FILLER {
            return self.filler_when_empty && data.iter().all(|&c| c == FILLER);
        }
        check_position_value(digit) == Some(check_digit(&data))
    }
}

fn positions(s: Span) -> impl Iterator<Item = (usize, usize)> {
    (s.start..s.start + s.len).map(move |c| (s.line, c))
}

/// The document number, with the long-number rule of TD1/TD2 resolved: the
/// positions of the whole number, of its check digit, and of the optional
/// data that is left.
pub(crate) struct NumberLayout {
    pub number: Vec<(usize, usize)>,
    pub digit: (usize, usize),
    pub optional_rest: Vec<(usize, usize)>,
}

pub(crate) fn number_layout(format: Format, layout: &Layout, lines: &[Vec<u8>]) -> NumberLayout {
    let at = |(l, c): (usize, usize)| lines.get(l).and_then(|r| r.get(c)).copied();
    let digit = (
        layout.document_number_check.line,
        layout.document_number_check.start,
    );
    let mut number: Vec<_> = positions(layout.document_number).collect();
    let optional: Vec<_> = positions(layout.optional_1).collect();
    let long = matches!(format, Format::Td1 | Format::Td2)
        && at(digit) == Some(FILLER)
        && number.last().and_then(|&p| at(p)) != Some(FILLER);
    if long {
        // ICAO 9303 Part 5 note j: the number goes on in the optional data,
        // its check digit last, then a filler.
        let run = optional
            .iter()
            .take_while(|&&p| at(p).is_some_and(|c| c != FILLER))
            .count();
        if run >= 2 {
            number.extend_from_slice(&optional[..run - 1]);
            return NumberLayout {
                number,
                digit: optional[run - 1],
                optional_rest: optional[run..].to_vec(),
            };
        }
    }
    NumberLayout {
        number,
        digit,
        optional_rest: optional,
    }
}

pub(crate) fn check_rules(format: Format, layout: &Layout, lines: &[Vec<u8>]) -> Vec<CheckRule> {
    let number = number_layout(format, layout, lines);
    let one = |s: Span| (s.line, s.start);
    let mut rules = vec![
        CheckRule {
            field: CheckField::DocumentNumber,
            data: number.number,
            digit: number.digit,
            filler_when_empty: false,
        },
        CheckRule {
            field: CheckField::BirthDate,
            data: positions(layout.birth_date).collect(),
            digit: one(layout.birth_date_check),
            filler_when_empty: false,
        },
        CheckRule {
            field: CheckField::ExpiryDate,
            data: positions(layout.expiry_date).collect(),
            digit: one(layout.expiry_date_check),
            filler_when_empty: false,
        },
    ];
    if let Some(d) = layout.optional_check {
        rules.push(CheckRule {
            field: CheckField::OptionalData,
            data: positions(layout.optional_1).collect(),
            digit: one(d),
            // ICAO 9303 Part 4: position 43 may be `<` when the personal
            // number is all fillers.
            filler_when_empty: true,
        });
    }
    if let Some((d, runs)) = layout.composite {
        rules.push(CheckRule {
            field: CheckField::Composite,
            data: runs.iter().flat_map(|&s| positions(s)).collect(),
            digit: one(d),
            filler_when_empty: false,
        });
    }
    rules
}

/// A parsed machine-readable zone.
///
/// `Debug` shows only the format and verdicts: every field is personal data.
#[derive(Clone, PartialEq, Eq)]
pub struct Mrz {
    pub format: Format,
    /// The lines as read (after any repair).
    pub lines: Vec<String>,
    /// Document code with fillers removed (`P`, `I`, `ID`, `V`, ...).
    pub document_code: String,
    /// Issuing state or organization, fillers removed (`NOR`, `D`, `UTO`).
    pub issuing_state: String,
    /// The whole document number (long numbers joined), fillers removed.
    pub document_number: String,
    pub birth_date: MrzDate,
    pub expiry_date: MrzDate,
    pub sex: Sex,
    pub nationality: String,
    /// The primary identifier (surname), fillers turned into spaces.
    pub primary_identifier: String,
    /// The secondary identifier (given names), space separated.
    pub secondary_identifier: String,
    /// Optional data: TD3 personal number; TD1 line 1 (after a long
    /// document number); TD2/MRV optional data. Fillers removed at the end.
    pub optional_data: String,
    /// TD1 line 2 optional data.
    pub optional_data_2: Option<String>,
    /// Every check digit of the format and its verdict.
    pub checks: Vec<Check>,
    /// Characters that do not fit their field.
    pub field_faults: Vec<FieldFault>,
    /// Characters changed by OCR repair.
    pub repairs: Vec<Repair>,
}

impl core::fmt::Debug for Mrz {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Mrz")
            .field("format", &self.format)
            .field("valid", &self.is_valid())
            .field("checks", &self.checks)
            .field("field_faults", &self.field_faults.len())
            .field("repairs", &self.repairs.len())
            .finish_non_exhaustive()
    }
}

impl Mrz {
    /// Every check digit holds and every character fits its field.
    pub fn is_valid(&self) -> bool {
        self.checks.iter().all(|c| c.ok) && self.field_faults.is_empty()
    }

    /// The issuing state and the nationality are codes a document can carry
    /// (ISO 3166-1 alpha-3 or ICAO's own). No check digit covers them, so a
    /// reader of images should insist on this.
    pub fn states_known(&self) -> bool {
        crate::is_known_state(&self.issuing_state) && crate::is_known_state(&self.nationality)
    }

    /// The verdict of one check, if the format has it.
    pub fn check(&self, field: CheckField) -> Option<bool> {
        self.checks.iter().find(|c| c.field == field).map(|c| c.ok)
    }

    /// Passport, ID card or visa, from the document code.
    pub fn kind(&self) -> DocumentKind {
        match self.document_code.as_bytes().first() {
            Some(b'P') => DocumentKind::Passport,
            Some(b'I' | b'A' | b'C') => DocumentKind::IdCard,
            Some(b'V') => DocumentKind::Visa,
            _ => DocumentKind::Other,
        }
    }

    /// The MRZ text, lines joined by `\n`.
    pub fn text(&self) -> String {
        self.lines.join("\n")
    }

    /// Read validated lines (right count, right lengths, MRZ characters only).
    pub(crate) fn from_lines(format: Format, lines: Vec<Vec<u8>>, today: Date) -> Mrz {
        let layout = Layout::of(format);
        let text = |s: Span| -> &[u8] {
            lines
                .get(s.line)
                .and_then(|l| l.get(s.start..s.start + s.len))
                .unwrap_or(&[])
        };
        let at = |(l, c): (usize, usize)| lines.get(l).and_then(|r| r.get(c)).copied();
        let gather =
            |ps: &[(usize, usize)]| -> Vec<u8> { ps.iter().filter_map(|&p| at(p)).collect() };

        let number = number_layout(format, &layout, &lines);
        let checks = check_rules(format, &layout, &lines)
            .iter()
            .map(|r| Check {
                field: r.field,
                ok: r.holds(&lines),
            })
            .collect();
        let kinds = layout.kinds(format);
        let mut field_faults = Vec::new();
        for (l, (row, kinds)) in lines.iter().zip(&kinds).enumerate() {
            for (c, (&ch, kind)) in row.iter().zip(kinds).enumerate() {
                if !kind.allows(ch) || !fits_context(*kind, l, c, ch, &layout) {
                    field_faults.push(FieldFault {
                        line: l + 1,
                        column: c + 1,
                    });
                }
            }
        }
        let (primary, secondary) = split_names(text(layout.names));
        let sex = match text(layout.sex) {
            b"F" => Sex::Female,
            b"M" => Sex::Male,
            _ => Sex::Unspecified,
        };
        Mrz {
            format,
            document_code: trim(text(layout.document_code)),
            issuing_state: trim(text(layout.issuing_state)),
            document_number: trim(&gather(&number.number)),
            birth_date: MrzDate::birth(text(layout.birth_date), today),
            expiry_date: MrzDate::expiry(text(layout.expiry_date), today),
            sex,
            nationality: trim(text(layout.nationality)),
            primary_identifier: primary,
            secondary_identifier: secondary,
            optional_data: trim(&gather(&number.optional_rest)),
            optional_data_2: layout.optional_2.map(|s| trim(text(s))),
            checks,
            field_faults,
            repairs: Vec::new(),
            lines: lines
                .iter()
                .map(|l| String::from_utf8_lossy(l).into_owned())
                .collect(),
        }
    }
}

/// Rules beyond a position's kind: the document code starts with a letter,
/// and a check position holds `<` only where the standard allows it (the
/// long-number marker and an empty TD3 personal number, both judged by the
/// check rules themselves).
fn fits_context(kind: Kind, line: usize, column: usize, ch: u8, layout: &Layout) -> bool {
    let code = layout.document_code;
    if line == code.line && column == code.start {
        return ch.is_ascii_uppercase();
    }
    if kind == Kind::Check && ch == FILLER {
        let is = |s: Option<Span>| s.is_some_and(|s| s.line == line && s.start == column);
        return is(Some(layout.document_number_check)) || is(layout.optional_check);
    }
    true
}

/// Remove fillers at the end (and the start), keep inner ones as they are.
fn trim(raw: &[u8]) -> String {
    String::from_utf8_lossy(raw)
        .trim_matches(FILLER as char)
        .to_owned()
}

fn words(raw: &str) -> String {
    raw.split(FILLER as char)
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Primary and secondary identifiers: split at the first `<<`.
fn split_names(raw: &[u8]) -> (String, String) {
    let s = String::from_utf8_lossy(raw);
    match s.split_once("<<") {
        Some((primary, secondary)) => (words(primary), words(secondary)),
        None => (words(&s), String::new()),
    }
}
