//! aktiver's core exported to Kotlin and Swift through uniffi.
//!
//! This is the only crate that knows uniffi. Every exported call returns a
//! typed error; nothing here panics on input.
//!
//! PLACEHOLDER BODIES: the API below is the contract; bodies are filled in as
//! the core crates land.

uniffi::setup_scaffolding!("aktiver");

/// The core's version, for diagnostics.
#[uniffi::export]
pub fn core_version() -> String {
    env!("CARGO_PKG_VERSION").to_owned()
}

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

#[derive(Clone, PartialEq, Eq, uniffi::Record)]
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
    /// The Norwegian national identity number found in the optional data.
    pub national_id: Option<String>,
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

/// Parse MRZ text (lines separated by newlines) without changing anything.
#[uniffi::export]
pub fn parse_mrz(text: String) -> Result<MrzDocument, MrzError> {
    let _ = text;
    Err(MrzError::Empty)
}

/// Parse and repair OCR confusions, changing at most `max_changes` characters.
#[uniffi::export]
pub fn repair_mrz(text: String, max_changes: u32) -> Result<MrzDocument, MrzError> {
    let _ = (text, max_changes);
    Err(MrzError::Empty)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum NinKind {
    Ordinary,
    DNumber,
    HNumber,
    FhNumber,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum Gender {
    Female,
    Male,
}

#[derive(Clone, PartialEq, Eq, uniffi::Record)]
pub struct NinInfo {
    pub kind: NinKind,
    /// ISO 8601 birth date, when the number encodes one unambiguously.
    pub birth_date: Option<String>,
    pub gender: Option<Gender>,
    /// A synthetic test number (Tenor, month + 80).
    pub synthetic: bool,
    /// Masked for display: date kept, the rest hidden (`010190*****`).
    pub masked: String,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, uniffi::Error)]
pub enum NinError {
    #[error("expected 11 digits, found {found} characters")]
    Length { found: u32 },
    #[error("character {position} is not a digit")]
    NonDigit { position: u32 },
    #[error("the date part is not a possible date")]
    ImpossibleDate,
    #[error("control digit 1 is wrong")]
    ControlDigit1,
    #[error("control digit 2 is wrong")]
    ControlDigit2,
    #[error("synthetic test numbers are not allowed here")]
    SyntheticNotAllowed,
}

/// Check a Norwegian national identity number.
#[uniffi::export]
pub fn check_nin(number: String, allow_synthetic: bool) -> Result<NinInfo, NinError> {
    let _ = (number, allow_synthetic);
    Err(NinError::Length { found: 0 })
}
