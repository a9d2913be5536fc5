//! MRZ parsing and repair for shells that read an MRZ themselves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum MrzFormat {
    Td1,
    Td2,
    Td3,
    MrvA,
    MrvB,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum DocumentKind {
    Passport,
    IdCard,
    Visa,
    Other,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum Sex {
    Female,
    Male,
    Unspecified,
}

/// One check digit (or the composite): `name` is one of `document_number`,
/// `birth_date`, `expiry_date`, `optional_data`, `composite`.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct MrzCheck {
    pub name: String,
    pub ok: bool,
}

/// One character changed by OCR repair; line and column are 1-based.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct MrzRepair {
    pub line: u32,
    pub column: u32,
    pub from: String,
    pub to: String,
}

/// A parsed MRZ. Its `toString` (Kotlin) and `debugDescription` (Swift) come
/// from the redacting `Debug` below, so logging one leaks no personal data.
#[derive(Clone, PartialEq, Eq, uniffi::Record)]
#[uniffi::export(Debug)]
pub struct MrzDocument {
    pub format: MrzFormat,
    pub kind: DocumentKind,
    pub valid: bool,
    pub document_code: String,
    pub issuing_state: String,
    pub document_number: String,
    /// As printed, YYMMDD.
    pub birth_date_raw: String,
    /// ISO 8601 (YYYY-MM-DD) when the printed date is complete.
    pub birth_date: Option<String>,
    pub expiry_date_raw: String,
    pub expiry_date: Option<String>,
    pub sex: Sex,
    pub nationality: String,
    pub surname: String,
    pub given_names: String,
    pub optional_data: String,
    /// The Norwegian national identity number found in the optional data
    /// (synthetic test numbers included: see `national_id_synthetic`).
    pub national_id: Option<String>,
    /// `national_id` is a synthetic test number, which production must refuse.
    pub national_id_synthetic: bool,
    pub checks: Vec<MrzCheck>,
    pub repairs: Vec<MrzRepair>,
    /// Repair found more than one equally good reading; nothing was changed.
    pub ambiguous: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, uniffi::Error)]
pub enum MrzError {
    #[error("no MRZ text")]
    Empty,
    #[error("expected 2 or 3 lines, found {found}")]
    LineCount { found: u32 },
    #[error("line {line}: expected {expected} characters, found {found}")]
    LineLength {
        line: u32,
        expected: u32,
        found: u32,
    },
    #[error("line {line}, column {column}: character not allowed in an MRZ")]
    IllegalCharacter { line: u32, column: u32 },
}

impl From<aktiver_mrz::MrzError> for MrzError {
    fn from(e: aktiver_mrz::MrzError) -> Self {
        use aktiver_mrz::MrzError as E;
        let n = |v: usize| u32::try_from(v).unwrap_or(u32::MAX);
        match e {
            E::Empty => MrzError::Empty,
            E::LineCount { found } => MrzError::LineCount { found: n(found) },
            E::LineLength {
                line,
                expected,
                found,
            } => MrzError::LineLength {
                line: n(line),
                expected: n(expected),
                found: n(found),
            },
            E::IllegalCharacter { line, column } => MrzError::IllegalCharacter {
                line: n(line),
                column: n(column),
            },
        }
    }
}

fn document(m: &aktiver_mrz::Mrz, ambiguous: bool) -> MrzDocument {
    use aktiver_mrz::{DocumentKind as K, Format as F, Sex as S};
    let n = |v: usize| u32::try_from(v).unwrap_or(u32::MAX);
    let national_id = m.national_identity_number(aktiver_nin::Policy::SANDBOX);
    MrzDocument {
        format: match m.format {
            F::Td1 => MrzFormat::Td1,
            F::Td2 => MrzFormat::Td2,
            F::Td3 => MrzFormat::Td3,
            F::MrvA => MrzFormat::MrvA,
            F::MrvB => MrzFormat::MrvB,
        },
        kind: match m.kind() {
            K::Passport => DocumentKind::Passport,
            K::IdCard => DocumentKind::IdCard,
            K::Visa => DocumentKind::Visa,
            K::Other => DocumentKind::Other,
        },
        valid: m.is_valid(),
        document_code: m.document_code.clone(),
        issuing_state: m.issuing_state.clone(),
        document_number: m.document_number.clone(),
        birth_date_raw: m.birth_date.raw.clone(),
        birth_date: m.birth_date.iso(),
        expiry_date_raw: m.expiry_date.raw.clone(),
        expiry_date: m.expiry_date.iso(),
        sex: match m.sex {
            S::Female => Sex::Female,
            S::Male => Sex::Male,
            S::Unspecified => Sex::Unspecified,
        },
        nationality: m.nationality.clone(),
        surname: m.primary_identifier.clone(),
        given_names: m.secondary_identifier.clone(),
        optional_data: m.optional_data.clone(),
        national_id: national_id.as_ref().map(|id| id.as_str().to_owned()),
        national_id_synthetic: national_id.is_some_and(|id| id.synthetic().is_some()),
        checks: m
            .checks
            .iter()
            .map(|c| MrzCheck {
                name: c.field.name().to_owned(),
                ok: c.ok,
            })
            .collect(),
        repairs: m
            .repairs
            .iter()
            .map(|r| MrzRepair {
                line: n(r.line),
                column: n(r.column),
                from: r.from.to_string(),
                to: r.to.to_string(),
            })
            .collect(),
        ambiguous,
    }
}

/// Parse MRZ text (lines separated by newlines) without changing anything.
#[uniffi::export]
pub fn parse_mrz(text: String) -> Result<MrzDocument, MrzError> {
    let m = aktiver_mrz::parse(&text)?;
    Ok(document(&m, false))
}

/// Parse and repair OCR confusions, changing at most `max_changes`
/// characters. A repair that another reading would explain as well is not
/// made: the document comes back as read, with `ambiguous` set.
#[uniffi::export]
pub fn repair_mrz(text: String, max_changes: u32) -> Result<MrzDocument, MrzError> {
    let max = usize::try_from(max_changes).unwrap_or(usize::MAX).min(8);
    let out = aktiver_mrz::parse_repairing(&text, max)?;
    Ok(document(
        &out.mrz,
        out.status == aktiver_mrz::RepairStatus::Ambiguous,
    ))
}

// Field values are personal data: Debug shows only what is not.
impl core::fmt::Debug for MrzDocument {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("MrzDocument")
            .field("format", &self.format)
            .field("valid", &self.valid)
            .field("checks", &self.checks)
            .field("ambiguous", &self.ambiguous)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    const TD3: &str = "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<10";

    #[test]
    fn mrz_through_the_ffi_types() {
        let d = parse_mrz(TD3.into()).unwrap();
        assert!(d.valid);
        assert_eq!(d.format, MrzFormat::Td3);
        assert_eq!(d.birth_date.as_deref(), Some("1974-08-12"));
        assert_eq!(d.checks.len(), 5);
        let r = repair_mrz(TD3.replace("F1204159", "F12O4159"), 2).unwrap();
        assert!(r.valid && !r.ambiguous);
        assert_eq!(r.repairs[0].from, "O");
        let a = repair_mrz(TD3.replace("L898902C3", "LB98902C3"), 2).unwrap();
        assert!(!a.valid && a.ambiguous);
        assert_eq!(
            parse_mrz("P<".into()),
            Err(MrzError::LineCount { found: 1 })
        );
    }
}
