//! Rules the activation flow applies to a document, and Norwegian specifics.

use crate::document::{DocumentKind, Mrz};
use aktiver_nin::{NationalId, Policy};
use time::Date;

/// What a flow accepts: kinds of document, issuing states, and the date to
/// judge expiry against.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentRules {
    pub allowed_kinds: Vec<DocumentKind>,
    /// Issuing-state codes with fillers removed (`NOR`).
    pub allowed_issuing_states: Vec<String>,
    pub today: Date,
}

impl DocumentRules {
    /// Norwegian passports and national ID cards, as the BankID ID check
    /// accepts them.
    pub fn norwegian(today: Date) -> DocumentRules {
        DocumentRules {
            allowed_kinds: vec![DocumentKind::Passport, DocumentKind::IdCard],
            allowed_issuing_states: vec!["NOR".to_owned()],
            today,
        }
    }
}

/// Why a document is not accepted. Carries no personal data.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RuleViolation {
    #[error("the document is not valid (check digits or characters)")]
    Invalid,
    #[error("the document has expired")]
    Expired,
    #[error("the document's expiry date is not a complete date")]
    ExpiryUnknown,
    #[error("a {found} is not accepted here")]
    WrongKind { found: &'static str },
    #[error("documents issued by {found} are not accepted here")]
    IssuingStateNotAllowed { found: String },
}

impl RuleViolation {
    /// A stable code.
    pub fn code(&self) -> &'static str {
        match self {
            RuleViolation::Invalid => "invalid",
            RuleViolation::Expired => "expired",
            RuleViolation::ExpiryUnknown => "expiry_unknown",
            RuleViolation::WrongKind { .. } => "wrong_kind",
            RuleViolation::IssuingStateNotAllowed { .. } => "issuing_state_not_allowed",
        }
    }
}

impl Mrz {
    /// Expired on `today`: a document is valid through its expiry date.
    /// `None` when the expiry date is not a complete date.
    pub fn is_expired(&self, today: Date) -> Option<bool> {
        self.expiry_date.date.map(|d| d < today)
    }

    /// Check the document against a flow's rules, in the order a user
    /// would want to hear about them.
    pub fn check_rules(&self, rules: &DocumentRules) -> Result<(), RuleViolation> {
        if !self.is_valid() {
            return Err(RuleViolation::Invalid);
        }
        if !rules.allowed_kinds.contains(&self.kind()) {
            return Err(RuleViolation::WrongKind {
                found: self.kind().name(),
            });
        }
        if !rules.allowed_issuing_states.contains(&self.issuing_state) {
            return Err(RuleViolation::IssuingStateNotAllowed {
                found: self.issuing_state.clone(),
            });
        }
        match self.is_expired(rules.today) {
            None => Err(RuleViolation::ExpiryUnknown),
            Some(true) => Err(RuleViolation::Expired),
            Some(false) => Ok(()),
        }
    }

    /// The national identity number in the optional data: the first run of
    /// 11 digits there that is a valid number under `policy`. Norway's
    /// position for it is not published, so every optional field is
    /// searched (TD3 personal number, both TD1 optional fields).
    pub fn national_identity_number(&self, policy: Policy) -> Option<NationalId> {
        let fields =
            std::iter::once(self.optional_data.as_str()).chain(self.optional_data_2.as_deref());
        for field in fields {
            let bytes = field.as_bytes();
            for window in bytes.windows(11) {
                if window.iter().all(u8::is_ascii_digit) {
                    let s = String::from_utf8_lossy(window);
                    if let Ok(id) = NationalId::parse(&s, policy) {
                        return Some(id);
                    }
                }
            }
        }
        None
    }
}
