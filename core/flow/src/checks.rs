//! Local checks before any network call. A failed check is a field error on
//! the same screen and costs no attempt. Inputs are taken as people type them.
use time::Date;
use zeroize::Zeroizing;

use aktiver_mrz::{DocumentKind as MrzKind, DocumentRules, Mrz, RuleViolation};
use aktiver_nin::{NationalId, Policy};
use aktiver_protocol::{DocumentKind, ErrorCode, PasswordContext, PasswordViolation};

use crate::error::Failure;
use crate::screen::{FieldError, PasswordRule};

fn compact(input: &str) -> Zeroizing<String> {
    Zeroizing::new(input.chars().filter(|c| !c.is_whitespace()).collect())
}

/// The identity number under the flow's policy (production unless the
/// sandbox policy was chosen). Spaces anywhere are fine (`110190 12345`).
pub fn national_id(input: &str, policy: Policy) -> Result<NationalId, FieldError> {
    NationalId::parse(input, policy).map_err(|e| FieldError::new("national_id", e.code()))
}

/// A Norwegian mobile number as typed (`912 34 567`, `+47 912 34 567`,
/// `0047 912 34 567`), in E.164.
pub fn phone(input: &str) -> Result<Zeroizing<String>, FieldError> {
    aktiver_protocol::normalize_phone(input)
        .map(Zeroizing::new)
        .ok_or_else(|| FieldError::new("phone", "invalid_phone"))
}

/// `n` digits, spaces allowed between them.
pub fn digits(
    input: &str,
    n: usize,
    field: &str,
    code: &str,
) -> Result<Zeroizing<String>, FieldError> {
    let c = compact(input);
    if c.len() == n && c.bytes().all(|b| b.is_ascii_digit()) {
        Ok(c)
    } else {
        Err(FieldError::new(field, code))
    }
}

pub use aktiver_protocol::ACTIVATION_QR_PREFIX;

/// Eight digits, typed or as the QR code's text.
pub fn activation_code(input: &str) -> Result<Zeroizing<String>, FieldError> {
    let c = compact(input);
    let code = c.strip_prefix(ACTIVATION_QR_PREFIX).unwrap_or(&c);
    digits(code, 8, "code", "activation_code_format")
}

/// What the new-password screen shows about a draft.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PasswordFeedback {
    /// Every rule of the policy, met or not.
    pub rules: Vec<PasswordRule>,
    /// The rules broken.
    pub violations: Vec<PasswordViolation>,
    /// The two fields differ.
    pub mismatch: bool,
}

impl PasswordFeedback {
    /// The rules ticked from a list of broken ones (the server's answer).
    pub fn from_violations(violations: Vec<PasswordViolation>, ctx: &PasswordContext) -> Self {
        PasswordFeedback {
            rules: aktiver_protocol::policy_rules(ctx)
                .into_iter()
                .map(|rule| PasswordRule {
                    rule,
                    met: !violations.contains(&rule),
                })
                .collect(),
            violations,
            mismatch: false,
        }
    }
}

/// The policy's knowledge of the person: the birth date in the identity number.
pub fn password_context(nin: Option<&NationalId>) -> PasswordContext {
    let birth = nin
        .and_then(NationalId::birth_date)
        .map(|d| (d.day(), u8::from(d.month()), d.year().clamp(0, 9999) as u16));
    PasswordContext { birth_date: birth }
}

/// Live password feedback: every rule of the policy the server enforces
/// (the same function) met or not, and whether the two fields agree.
pub fn password(new: &str, repeat: &str, ctx: &PasswordContext) -> PasswordFeedback {
    let violations = aktiver_protocol::check_password(new, ctx);
    PasswordFeedback {
        mismatch: new != repeat,
        ..PasswordFeedback::from_violations(violations, ctx)
    }
}

/// What a scanned MRZ means for the flow.
#[derive(Debug, PartialEq, Eq)]
pub enum MrzVerdict {
    /// Read it again (wrong document kind): a field error on the scan screen.
    Rescan(FieldError),
    /// The ID check cannot go on with this document.
    Refuse(Failure),
}

/// The scanned MRZ: valid, Norwegian, the chosen kind, not expired, and
/// carrying the identity number that was entered.
pub fn scanned_mrz(
    text: &str,
    chosen: DocumentKind,
    nin: &NationalId,
    policy: Policy,
    today: Date,
) -> Result<Mrz, MrzVerdict> {
    let mrz = aktiver_mrz::parse_at(text, today)
        .map_err(|_| MrzVerdict::Rescan(FieldError::new("mrz", "mrz_unreadable")))?;
    let kind = match mrz.kind() {
        MrzKind::Passport => Some(DocumentKind::Passport),
        MrzKind::IdCard => Some(DocumentKind::IdCard),
        _ => None,
    };
    match mrz.check_rules(&DocumentRules::norwegian(today)) {
        Ok(()) => {}
        Err(RuleViolation::Invalid | RuleViolation::ExpiryUnknown) => {
            return Err(MrzVerdict::Rescan(FieldError::new("mrz", "mrz_unreadable")));
        }
        Err(RuleViolation::Expired) => {
            return Err(MrzVerdict::Refuse(Failure::from_code(
                ErrorCode::DocumentExpired,
            )));
        }
        Err(RuleViolation::WrongKind { .. } | RuleViolation::IssuingStateNotAllowed { .. }) => {
            return Err(MrzVerdict::Refuse(Failure::from_code(
                ErrorCode::DocumentNotAccepted,
            )));
        }
    }
    if kind != Some(chosen) {
        return Err(MrzVerdict::Rescan(FieldError::new(
            "mrz",
            "wrong_document_kind",
        )));
    }
    let same = mrz
        .national_identity_number(policy)
        .is_some_and(|n| n.as_str() == nin.as_str());
    if !same {
        return Err(MrzVerdict::Refuse(Failure::from_code(
            ErrorCode::IdentityMismatch,
        )));
    }
    Ok(mrz)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inputs_as_people_type_them() {
        assert_eq!(
            phone("+47 912 34 567")
                .map(|p| p.to_string())
                .ok()
                .as_deref(),
            Some("+4791234567")
        );
        assert_eq!(
            phone("0047 912 34 567")
                .map(|p| p.to_string())
                .ok()
                .as_deref(),
            Some("+4791234567")
        );
        assert_eq!(
            phone("12345678").err().map(|e| e.code),
            Some("invalid_phone".into())
        );
        assert_eq!(
            digits("123 456", 6, "code", "code_format")
                .map(|c| c.to_string())
                .ok()
                .as_deref(),
            Some("123456")
        );
        assert!(digits("12345", 6, "code", "code_format").is_err());
        assert_eq!(
            activation_code("aktiver:activation-code:12345678")
                .map(|c| c.to_string())
                .ok()
                .as_deref(),
            Some("12345678")
        );
        assert!(activation_code("1234567").is_err());
        let nin = national_id("158590 10099", Policy::SANDBOX);
        assert!(nin.is_ok());
        assert_eq!(
            national_id("15859010099", Policy::PRODUCTION)
                .err()
                .map(|e| e.code),
            Some("synthetic_not_allowed".into())
        );
        assert_eq!(
            national_id("15859010098", Policy::SANDBOX)
                .err()
                .map(|e| e.code),
            Some("control_digit_2".into())
        );
    }

    #[test]
    fn password_feedback_is_the_servers_policy() {
        use PasswordViolation as P;
        let unmet = |f: &PasswordFeedback| -> Vec<P> {
            f.rules.iter().filter(|r| !r.met).map(|r| r.rule).collect()
        };
        let none = PasswordContext::default();
        let f = password("abc", "abd", &none);
        assert!(f.mismatch);
        assert_eq!(
            unmet(&f),
            vec![P::TooShort { min: 8 }, P::NoDigit, P::Common]
        );
        assert_eq!(unmet(&f), f.violations);
        // Every rule listed, the birth date's only when the number is known.
        assert_eq!(f.rules.len(), 7);
        let nin = national_id("15859010099", Policy::SANDBOX).ok();
        let f = password("x150590x", "x150590x", &password_context(nin.as_ref()));
        assert_eq!(f.rules.len(), 8);
        assert_eq!(unmet(&f), vec![P::ContainsBirthDate]);
        assert!(!f.mismatch);
        let f = password("Fjord9Lyng4x", "Fjord9Lyng4x", &none);
        assert!(f.violations.is_empty() && !f.mismatch);
        assert!(f.rules.iter().all(|r| r.met));
    }
}
