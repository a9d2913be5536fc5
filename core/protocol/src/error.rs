//! Stable error codes. The code string is the contract: clients branch on it,
//! map it to a localized text through the remedy id, and never parse `message`.
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::password::PasswordViolation;

macro_rules! error_codes {
    ($( $(#[$doc:meta])* $variant:ident = ($code:literal, $status:literal, $remedy:literal), )*) => {
        /// Every error the activation service can answer with.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
        // utoipa does not see a `rename` passed through a macro, so the wire
        // form comes from `rename_all`; a unit test checks it equals `$code`.
        #[serde(rename_all = "snake_case")]
        pub enum ErrorCode {
            $( $(#[$doc])* $variant, )*
        }

        impl ErrorCode {
            /// Every code, for documentation and exhaustive tests.
            pub const ALL: &'static [ErrorCode] = &[$(ErrorCode::$variant,)*];

            /// The stable wire identifier (same as the serde form).
            pub fn as_str(self) -> &'static str {
                match self { $(ErrorCode::$variant => $code,)* }
            }

            /// The HTTP status this code is always sent with.
            pub fn http_status(self) -> u16 {
                match self { $(ErrorCode::$variant => $status,)* }
            }

            /// Identifier of the user-facing remedy text (localized by the shell).
            pub fn remedy_id(self) -> &'static str {
                match self { $(ErrorCode::$variant => $remedy,)* }
            }
        }
    };
}

error_codes! {
    /// The body is not valid JSON or does not match the request type.
    MalformedRequest = ("malformed_request", 400, "remedy.update_app"),
    /// The request body exceeds the size limit.
    BodyTooLarge = ("body_too_large", 413, "remedy.update_app"),
    /// A field is syntactically valid JSON but its value is not acceptable (see `field`).
    InvalidField = ("invalid_field", 400, "remedy.check_input"),
    /// The identity number fails its format or check digits.
    InvalidNationalId = ("invalid_national_id", 400, "remedy.check_national_id"),
    /// The phone number is not a plausible mobile number.
    InvalidPhone = ("invalid_phone", 400, "remedy.check_phone"),
    /// A request body that is not `Content-Type: application/json`.
    UnsupportedMediaType = ("unsupported_media_type", 415, "remedy.update_app"),
    /// The request's header or body did not arrive in time.
    RequestTimeout = ("request_timeout", 408, "remedy.retry"),
    /// The request headers exceed the size limit.
    HeadersTooLarge = ("headers_too_large", 431, "remedy.update_app"),
    /// The request URI exceeds the size limit.
    UriTooLong = ("uri_too_long", 414, "remedy.update_app"),
    /// No such endpoint.
    NotFound = ("not_found", 404, "remedy.update_app"),
    /// The endpoint exists but not with this method.
    MethodNotAllowed = ("method_not_allowed", 405, "remedy.update_app"),
    /// A state-changing call came without an `Idempotency-Key` header (or with an unusable one).
    IdempotencyKeyMissing = ("idempotency_key_missing", 400, "remedy.update_app"),
    /// The idempotency key was already used for a different request.
    IdempotencyKeyReused = ("idempotency_key_reused", 422, "remedy.update_app"),
    /// The identity number has no BankID with a bank offering app activation
    /// (told only by the sandbox online bank: starting a session answers alike
    /// for every number until the SMS code proves possession of the phone).
    NoBankid = ("no_bankid", 403, "remedy.contact_bank"),
    /// A sandbox endpoint on a server not bound to loopback, without the right `X-Sandbox-Token`.
    SandboxForbidden = ("sandbox_forbidden", 403, "remedy.update_app"),
    /// Another activation session for this identity number is in progress
    /// (told when the SMS code is verified; this session then ends).
    SessionInProgress = ("session_in_progress", 409, "remedy.finish_or_wait"),
    /// No session with this id.
    SessionNotFound = ("session_not_found", 404, "remedy.start_over"),
    /// The session window has passed.
    SessionExpired = ("session_expired", 410, "remedy.start_over"),
    /// Too many failed attempts: the session is suspended.
    SessionSuspended = ("session_suspended", 423, "remedy.wait_and_retry"),
    /// The call does not fit the session's current step.
    WrongStep = ("wrong_step", 409, "remedy.start_over"),
    /// Not sent any more: a number other than the registered one gets the same
    /// answer as the right one (no SMS arrives). Kept so old clients still parse.
    PhoneMismatch = ("phone_mismatch", 422, "remedy.check_phone_registered"),
    /// The SMS code is wrong; `attempts_left` says how many tries remain.
    SmsCodeWrong = ("sms_code_wrong", 422, "remedy.check_sms_code"),
    /// The SMS code has expired; request a new one.
    SmsCodeExpired = ("sms_code_expired", 410, "remedy.request_new_code"),
    /// The SMS code was entered wrong too many times; request a new one.
    SmsCodeInvalidated = ("sms_code_invalidated", 410, "remedy.request_new_code"),
    /// A new SMS code was requested before the cooldown ended (`retry_after_s`).
    ResendTooSoon = ("resend_too_soon", 429, "remedy.wait_and_retry"),
    /// Too many requests from this client, or SMS codes for this identity
    /// number or phone, or password changes in this session (`retry_after_s`).
    RateLimited = ("rate_limited", 429, "remedy.wait_and_retry"),
    /// The bank does not offer this activation method to this person.
    MethodNotOffered = ("method_not_offered", 422, "remedy.choose_other_method"),
    /// The one-time code from the code unit is wrong.
    OtpWrong = ("otp_wrong", 422, "remedy.check_otp"),
    /// The BankID password is wrong; `attempts_left` says how many tries remain.
    PasswordWrong = ("password_wrong", 422, "remedy.check_password"),
    /// The new password breaks the policy; `violations` lists why.
    PasswordPolicy = ("password_policy", 422, "remedy.choose_other_password"),
    /// Too many wrong passwords or one-time codes: the BankID is suspended.
    BankidSuspended = ("bankid_suspended", 423, "remedy.contact_bank"),
    /// The activation code is wrong, used or expired.
    ActivationCodeInvalid = ("activation_code_invalid", 422, "remedy.request_new_activation_code"),
    /// No open device challenge; request one first.
    ChallengeMissing = ("challenge_missing", 409, "remedy.retry"),
    /// The public key is not a P-256 SubjectPublicKeyInfo.
    PublicKeyInvalid = ("public_key_invalid", 400, "remedy.update_app"),
    /// A signature does not verify.
    SignatureInvalid = ("signature_invalid", 422, "remedy.retry"),
    /// The agreement id is not the current agreement.
    AgreementOutdated = ("agreement_outdated", 409, "remedy.reload_agreement"),
    /// The ID-check evidence is incomplete or malformed (see `field`); collected personal data is deleted.
    EvidenceRejected = ("evidence_rejected", 422, "remedy.id_check_failed"),
    /// Passive authentication failed: the SOD's signature or a data group's hash does not verify.
    DocumentNotAuthentic = ("document_not_authentic", 422, "remedy.id_check_failed"),
    /// The Document Signer does not chain to a trusted CSCA, or is outside its validity.
    DocumentSignerUntrusted = ("document_signer_untrusted", 422, "remedy.id_check_failed"),
    /// Active authentication failed (wrong challenge or signature), or the chip proved nothing.
    ChipAuthenticationFailed = ("chip_authentication_failed", 422, "remedy.rescan_chip"),
    /// The chip's MRZ (DG1) differs from the MRZ the camera scanned.
    MrzMismatch = ("mrz_mismatch", 422, "remedy.rescan_document"),
    /// The document's identity number is not the session's (or is absent).
    IdentityMismatch = ("identity_mismatch", 422, "remedy.use_own_document"),
    /// The document has expired.
    DocumentExpired = ("document_expired", 422, "remedy.renew_document"),
    /// The document's kind or issuing state is not accepted (Norwegian passports and ID cards only).
    DocumentNotAccepted = ("document_not_accepted", 422, "remedy.use_norwegian_document"),
    /// The face-check provider's verdict is that the face does not match the portrait.
    FaceCheckFailed = ("face_check_failed", 422, "remedy.retry_face_check"),
    /// The face verdict's signature does not verify, or it is for another session, portrait or time.
    FaceVerdictInvalid = ("face_verdict_invalid", 422, "remedy.retry_face_check"),
    /// The endpoint is specified but not available in this service.
    NotImplemented = ("not_implemented", 501, "remedy.choose_other_method"),
    /// An unexpected server fault.
    Internal = ("internal", 500, "remedy.try_later"),
    /// The server has too many open connections; retry shortly.
    ServerBusy = ("server_busy", 503, "remedy.try_later"),
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The JSON body of every non-2xx answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ErrorBody {
    pub code: ErrorCode,
    /// Identifier of the user-facing remedy text.
    pub remedy: String,
    /// Developer-facing English text. Never contains personal data.
    pub message: String,
    /// The request field the error is about, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attempts_left: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_after_s: Option<u64>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub violations: Vec<PasswordViolation>,
}

impl ErrorBody {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        ErrorBody {
            code,
            remedy: code.remedy_id().to_owned(),
            message: message.into(),
            field: None,
            attempts_left: None,
            retry_after_s: None,
            violations: Vec::new(),
        }
    }

    pub fn with_field(mut self, field: impl Into<String>) -> Self {
        self.field = Some(field.into());
        self
    }

    pub fn with_attempts_left(mut self, n: u32) -> Self {
        self.attempts_left = Some(n);
        self
    }

    pub fn with_retry_after(mut self, s: u64) -> Self {
        self.retry_after_s = Some(s);
        self
    }

    pub fn with_violations(mut self, v: Vec<PasswordViolation>) -> Self {
        self.violations = v;
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_and_match_serde() {
        let mut seen = std::collections::HashSet::new();
        for c in ErrorCode::ALL {
            assert!(seen.insert(c.as_str()), "duplicate {c}");
            let json = serde_json::to_string(c).unwrap_or_default();
            assert_eq!(json, format!("\"{}\"", c.as_str()));
            assert!((400..=599).contains(&c.http_status()));
            assert!(c.remedy_id().starts_with("remedy."));
        }
    }
}
