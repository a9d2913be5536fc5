//! ICAO 9303 machine-readable zones.
//!
//! Parse TD1 (ID cards, 3x30), TD2 (2x36), TD3 (passports, 2x44) and the
//! visa formats MRV-A and MRV-B: every field, every check digit by name, the
//! long-document-number rule, OCR-confusion repair that refuses to guess,
//! and the Norwegian specifics (the national identity number in the optional
//! data). No I/O.
//!
//! ```
//! let mrz = aktiver_mrz::parse(
//!     "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\n\
//!      L898902C36UTO7408122F1204159ZE184226B<<<<<10",
//! ).unwrap();
//! assert!(mrz.is_valid());
//! assert_eq!(mrz.document_number, "L898902C3");
//! assert_eq!(mrz.birth_date.iso().as_deref(), Some("1974-08-12"));
//! ```

mod charset;
mod date;
mod document;
mod error;
mod layout;
mod norway;
pub mod repair;
mod states;

pub use charset::{char_value, check_digit, is_mrz_char};
pub use date::MrzDate;
pub use document::{Check, CheckField, DocumentKind, FieldFault, Mrz, Sex};
pub use error::MrzError;
pub use layout::Format;
pub use norway::{DocumentRules, RuleViolation};
pub use repair::{Candidate, Repair, RepairOutcome, RepairPolicy, RepairStatus};
pub use states::{is_known_state, special_code};

use time::{Date, OffsetDateTime};

/// Split text into MRZ lines: surrounding whitespace and blank lines are
/// dropped, `\r\n` is accepted.
fn lines_of(text: &str) -> Vec<Vec<u8>> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(|l| l.as_bytes().to_vec())
        .collect()
}

/// The format of these lines, or why they are not an MRZ.
pub(crate) fn validate_shape(lines: &[Vec<u8>]) -> Result<Format, MrzError> {
    let first = lines.first().ok_or(MrzError::Empty)?;
    let expected = match lines.len() {
        3 => 30,
        2 if first.len() < 40 => 36,
        2 => 44,
        found => return Err(MrzError::LineCount { found }),
    };
    for (i, line) in lines.iter().enumerate() {
        // Count characters, not bytes, so a stray multi-byte character is
        // reported where a reader sees it.
        let found = String::from_utf8_lossy(line).chars().count();
        if found != expected {
            return Err(MrzError::LineLength {
                line: i + 1,
                expected,
                found,
            });
        }
        if let Some(col) = line.iter().position(|&c| !is_mrz_char(c)) {
            return Err(MrzError::IllegalCharacter {
                line: i + 1,
                column: col + 1,
            });
        }
    }
    Format::detect(
        lines.len(),
        expected,
        first.first().copied().unwrap_or(b'<'),
    )
    .ok_or(MrzError::LineCount { found: lines.len() })
}

fn today() -> Date {
    OffsetDateTime::now_utc().date()
}

/// Parse MRZ text as printed (lines separated by newlines), resolving
/// dates against today's date.
pub fn parse(text: &str) -> Result<Mrz, MrzError> {
    parse_at(text, today())
}

/// [`parse`], resolving two-digit years against `today` (birth dates in
/// the past, expiry dates within fifty years of `today`).
pub fn parse_at(text: &str, today: Date) -> Result<Mrz, MrzError> {
    let lines = lines_of(text);
    let format = validate_shape(&lines)?;
    Ok(Mrz::from_lines(format, lines, today))
}

/// Parse text that came from OCR and repair confusions (`0`/`O`, `8`/`B`,
/// `<`/`K` ...), changing at most `max_changes` characters. Letters are read
/// case-insensitively. See [`repair`] for what is and is not repaired.
pub fn parse_repairing(text: &str, max_changes: usize) -> Result<RepairOutcome, MrzError> {
    parse_repairing_at(text, max_changes, today())
}

/// [`parse_repairing`] with an explicit `today`.
pub fn parse_repairing_at(
    text: &str,
    max_changes: usize,
    today: Date,
) -> Result<RepairOutcome, MrzError> {
    let upper = text.to_ascii_uppercase();
    let lines = lines_of(&upper);
    validate_shape(&lines)?;
    repair::repair_candidates(
        &repair::text_candidates(&lines),
        &RepairPolicy::text(max_changes),
        today,
    )
}
