//! Norwegian national identity numbers (Skatteetaten's *fødselsnummer* and
//! its relatives).
//!
//! An 11-digit number `DDMMYY III K1 K2`:
//!
//! | Kind | How it is recognised |
//! |---|---|
//! | [`NinKind::Ordinary`] | a plain date |
//! | [`NinKind::DNumber`] | day + 40 |
//! | [`NinKind::HNumber`] | month + 40 |
//! | [`NinKind::FhNumber`] | first digit 8 or 9, no date |
//!
//! Synthetic test numbers from the Tenor test population have month + 80 and
//! are reported by [`NationalId::synthetic`]; [`NationalId::parse`] accepts
//! them only when the [`Policy`] allows it. NAV's synthetic test data use
//! month + 40, which cannot be told apart from an H-number: such numbers are
//! parsed as [`NinKind::HNumber`], never flagged synthetic, and therefore pass
//! a production policy.
//!
//! # Control digits and the 2032 rule
//!
//! K1 uses the weights 3,7,6,1,8,9,4,5,2 and K2 the weights 5,4,3,2,7,6,5,4,3,2
//! (each mod 11). From 2032 Skatteetaten lets the weighted sum including K1
//! leave a remainder of 0, 1, 2 or 3 instead of only 0; K2 is unchanged. Both
//! rules are accepted ([`NationalId::control_rule`] says which one holds; the
//! classic rule wins when both do). Numbers issued under the new rule no
//! longer encode century or gender, so for a number valid *only* under the
//! 2032 rule [`NationalId::birth_date`] and [`NationalId::gender`] are `None`
//! and [`NationalId::birth_day_month`] gives what is known. A number issued
//! after 2032 whose K1 happens to satisfy the classic rule cannot be told
//! apart from an older one; it is read with the old century and gender rules.
//! FH-numbers always use the classic rule.
//!
//! # Check order
//!
//! [`NationalId::parse`] reports the first failure in this order: length,
//! non-digit, control digit 1, control digit 2, date, synthetic policy. A
//! typing error is thus reported as a control-digit error even if it also
//! breaks the date, and a synthetic number is refused only once it is
//! otherwise valid.
//!
//! # Personal data
//!
//! The number is personal data. `Debug` prints it fully masked, errors never
//! contain it, and the full digits are only available through the explicit
//! [`NationalId::as_str`].

mod control;
mod decode;

use std::fmt;

use time::{Date, Month};

pub use control::{ControlRule, classic_k1, k1_candidates_2032, k2};

/// What the caller's environment accepts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Policy {
    /// Accept synthetic test numbers (Tenor, month + 80).
    pub allow_synthetic: bool,
}

impl Policy {
    /// Real users only: synthetic numbers are refused.
    pub const PRODUCTION: Policy = Policy {
        allow_synthetic: false,
    };
    /// Test environments: synthetic numbers are accepted.
    pub const SANDBOX: Policy = Policy {
        allow_synthetic: true,
    };
}

/// The kind of number.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum NinKind {
    /// Fødselsnummer: the birth date as is.
    Ordinary,
    /// D-number (people without a fødselsnummer): day + 40.
    DNumber,
    /// H-number (health-sector auxiliary number): month + 40. NAV's
    /// synthetic test numbers look the same and are reported as this kind.
    HNumber,
    /// FH-number (common auxiliary number): first digit 8 or 9, no date.
    FhNumber,
}

impl NinKind {
    /// A stable snake_case name for machine-readable output.
    pub fn code(self) -> &'static str {
        match self {
            NinKind::Ordinary => "ordinary",
            NinKind::DNumber => "d_number",
            NinKind::HNumber => "h_number",
            NinKind::FhNumber => "fh_number",
        }
    }
}

/// Where a synthetic test number comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Synthetic {
    /// Skatteetaten's Tenor test population: month + 80.
    Tenor,
}

/// Gender as encoded in the ninth digit (odd = male) of pre-2032 numbers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Gender {
    Female,
    Male,
}

impl Gender {
    /// A stable snake_case name for machine-readable output.
    pub fn code(self) -> &'static str {
        match self {
            Gender::Female => "female",
            Gender::Male => "male",
        }
    }
}

/// Why a number was refused. Messages never contain the number.
#[derive(thiserror::Error, Debug, Clone, PartialEq, Eq)]
pub enum NinError {
    /// Not 11 characters once spaces are dropped.
    #[error("expected 11 digits, found {found} characters")]
    Length { found: usize },
    /// The character at this 1-based position of the 11 is not an ASCII digit.
    #[error("character {position} of the number is not a digit")]
    NonDigit { position: usize },
    /// The date part is no possible date (or no known day/month encoding).
    #[error("the date part is not a possible date")]
    ImpossibleDate,
    /// The 10th digit does not satisfy the K1 rule.
    #[error("control digit 1 (the 10th digit) is wrong")]
    ControlDigit1,
    /// The 11th digit does not satisfy the K2 rule.
    #[error("control digit 2 (the 11th digit) is wrong")]
    ControlDigit2,
    /// A valid synthetic test number, refused by the policy.
    #[error("synthetic test numbers are not allowed here")]
    SyntheticNotAllowed,
}

impl NinError {
    /// A stable snake_case code for programs and translations.
    pub fn code(&self) -> &'static str {
        match self {
            NinError::Length { .. } => "length",
            NinError::NonDigit { .. } => "non_digit",
            NinError::ImpossibleDate => "impossible_date",
            NinError::ControlDigit1 => "control_digit_1",
            NinError::ControlDigit2 => "control_digit_2",
            NinError::SyntheticNotAllowed => "synthetic_not_allowed",
        }
    }
}

/// A valid Norwegian national identity number.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct NationalId {
    /// Exactly 11 ASCII digits.
    number: String,
    kind: NinKind,
    rule: ControlRule,
    synthetic: Option<Synthetic>,
    day_month: Option<(u8, Month)>,
    birth_date: Option<Date>,
    gender: Option<Gender>,
}

const MASK: &str = "***********";

/// Drop every space (people type `110190 12345` or `110 190 123 45`, as
/// python-stdnum's `compact` accepts) and turn the 11 remaining characters
/// into digit values. Positions in errors count the characters kept.
fn digits_of(input: &str) -> Result<[u8; 11], NinError> {
    let kept = || input.chars().filter(|c| !c.is_whitespace());
    let found = kept().count();
    if found != 11 {
        return Err(NinError::Length { found });
    }
    let mut digits = [0u8; 11];
    for (i, (slot, c)) in digits.iter_mut().zip(kept()).enumerate() {
        // `to_digit` accepts ASCII digits only, so no other script's digits.
        let d = c
            .to_digit(10)
            .and_then(|d| u8::try_from(d).ok())
            .ok_or(NinError::NonDigit { position: i + 1 })?;
        *slot = d;
    }
    Ok(digits)
}

impl NationalId {
    /// Parse and validate a number. Spaces anywhere are ignored (`010190 12345`,
    /// `010 190 123 45`), as python-stdnum does; any other separator is
    /// refused. See the crate docs for the order of checks.
    pub fn parse(input: &str, policy: Policy) -> Result<NationalId, NinError> {
        let digits = digits_of(input)?;
        let fh = digits[0] >= 8;
        let rule = control::k1_rule(&digits, !fh).ok_or(NinError::ControlDigit1)?;
        if !control::k2_ok(&digits) {
            return Err(NinError::ControlDigit2);
        }
        let decoded = decode::decode(&digits, rule)?;
        if decoded.synthetic.is_some() && !policy.allow_synthetic {
            return Err(NinError::SyntheticNotAllowed);
        }
        let gender = match (decoded.kind, rule) {
            (NinKind::FhNumber, _) | (_, ControlRule::From2032) => None,
            (_, ControlRule::Classic) if digits[8] % 2 == 1 => Some(Gender::Male),
            (_, ControlRule::Classic) => Some(Gender::Female),
        };
        let number = digits.iter().map(|&d| char::from(b'0' + d)).collect();
        Ok(NationalId {
            number,
            kind: decoded.kind,
            rule,
            synthetic: decoded.synthetic,
            day_month: decoded.date.map(|p| (p.day, p.month)),
            birth_date: decoded.date.and_then(|p| p.date),
            gender,
        })
    }

    /// The full 11 digits, without separator. Personal data: display
    /// [`NationalId::masked`] instead where possible.
    pub fn as_str(&self) -> &str {
        &self.number
    }

    pub fn kind(&self) -> NinKind {
        self.kind
    }

    /// The birth date, when the number encodes it unambiguously: `None` for
    /// FH-numbers, for numbers valid only under the 2032 rule, and for the
    /// individual-number ranges Skatteetaten's century table leaves unused.
    pub fn birth_date(&self) -> Option<Date> {
        self.birth_date
    }

    /// Day and month of birth, for every kind except FH-numbers (also when
    /// the century, and so [`NationalId::birth_date`], is unknown).
    pub fn birth_day_month(&self) -> Option<(u8, Month)> {
        self.day_month
    }

    /// The gender encoded in the ninth digit; `None` for FH-numbers and for
    /// numbers valid only under the 2032 rule.
    pub fn gender(&self) -> Option<Gender> {
        self.gender
    }

    pub fn synthetic(&self) -> Option<Synthetic> {
        self.synthetic
    }

    /// Which K1 rule the number satisfies.
    pub fn control_rule(&self) -> ControlRule {
        self.rule
    }

    /// The number for display: `010190*****` with `keep_date`, else all
    /// eleven masked. FH-numbers have no date and are always fully masked.
    pub fn masked(&self, keep_date: bool) -> String {
        match self.number.get(..6) {
            Some(date) if keep_date && self.kind != NinKind::FhNumber => {
                format!("{date}*****")
            }
            _ => MASK.to_owned(),
        }
    }
}

impl fmt::Debug for NationalId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Even the date is personal data, so nothing of the number shows.
        write!(f, "NationalId({MASK}, {:?})", self.kind)
    }
}

/// Whether `input` is a valid number under `policy`.
pub fn is_valid(input: &str, policy: Policy) -> bool {
    NationalId::parse(input, policy).is_ok()
}

#[cfg(test)]
mod tests;
