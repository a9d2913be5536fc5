//! Norwegian national identity numbers.
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
#[uniffi::export(Debug)]
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

impl From<aktiver_nin::NinError> for NinError {
    fn from(e: aktiver_nin::NinError) -> Self {
        use aktiver_nin::NinError as E;
        let n = |v: usize| u32::try_from(v).unwrap_or(u32::MAX);
        match e {
            E::Length { found } => NinError::Length { found: n(found) },
            E::NonDigit { position } => NinError::NonDigit {
                position: n(position),
            },
            E::ImpossibleDate => NinError::ImpossibleDate,
            E::ControlDigit1 => NinError::ControlDigit1,
            E::ControlDigit2 => NinError::ControlDigit2,
            E::SyntheticNotAllowed => NinError::SyntheticNotAllowed,
        }
    }
}

/// Check a Norwegian national identity number.
#[uniffi::export]
pub fn check_nin(number: String, allow_synthetic: bool) -> Result<NinInfo, NinError> {
    use aktiver_nin::{Gender as G, NinKind as K};
    let policy = aktiver_nin::Policy { allow_synthetic };
    let id = aktiver_nin::NationalId::parse(&number, policy)?;
    Ok(NinInfo {
        kind: match id.kind() {
            K::Ordinary => NinKind::Ordinary,
            K::DNumber => NinKind::DNumber,
            K::HNumber => NinKind::HNumber,
            K::FhNumber => NinKind::FhNumber,
        },
        birth_date: id
            .birth_date()
            .map(|d| format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())),
        gender: id.gender().map(|g| match g {
            G::Female => Gender::Female,
            G::Male => Gender::Male,
        }),
        synthetic: id.synthetic().is_some(),
        masked: id.masked(true),
    })
}

impl core::fmt::Debug for NinInfo {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("NinInfo")
            .field("kind", &self.kind)
            .field("masked", &self.masked)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn nin_through_the_ffi_types() {
        assert_eq!(
            check_nin("123".into(), false),
            Err(NinError::Length { found: 3 })
        );
        let info = check_nin("02013299997".into(), false).unwrap();
        assert_eq!(info.kind, NinKind::Ordinary);
    }
}
