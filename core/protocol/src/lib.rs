//! The activation protocol: JSON over HTTPS under `/v1`.
//!
//! Pure types and rules shared by the client core and the sandbox server:
//! request/response bodies ([`types`]), stable error codes ([`ErrorCode`]),
//! the password policy ([`password`]), the endpoint table ([`endpoints`]) and
//! the OpenAPI document generated from them ([`openapi`]).
pub mod endpoints;
pub mod error;
pub mod openapi;
pub mod password;
mod sensitive;
pub mod types;

pub use error::{ErrorBody, ErrorCode};
pub use password::{PasswordContext, PasswordViolation, check_password, policy_rules};
pub use sensitive::{Sensitive, decode_b64, encode_b64};
pub use types::*;

/// The header every state-changing call (POST, DELETE) must carry. Replaying
/// the same key with the same request returns the first response.
pub const IDEMPOTENCY_KEY_HEADER: &str = "Idempotency-Key";
/// Idempotency keys are 8..=128 printable ASCII characters.
pub const IDEMPOTENCY_KEY_MAX: usize = 128;
pub const IDEMPOTENCY_KEY_MIN: usize = 8;
/// The largest request body the service reads.
pub const MAX_BODY_BYTES: usize = 256 * 1024;
/// The largest request header block the service reads.
pub const MAX_HEADER_BYTES: usize = 16 * 1024;
pub const SMS_CODE_LEN: usize = 6;

/// A field-level validation failure.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("field `{field}`: {reason}")]
pub struct FieldError {
    pub field: &'static str,
    pub reason: &'static str,
}

/// Whether `key` is an acceptable idempotency key.
pub fn valid_idempotency_key(key: &str) -> bool {
    (IDEMPOTENCY_KEY_MIN..=IDEMPOTENCY_KEY_MAX).contains(&key.len())
        && key.bytes().all(|b| b.is_ascii_graphic())
}

/// Parses a request body into `T`, answering malformed input with a typed
/// error that names the position but never echoes the input (it may hold
/// personal data).
pub fn parse_body<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> Result<T, Box<ErrorBody>> {
    if bytes.len() > MAX_BODY_BYTES {
        return Err(Box::new(ErrorBody::new(
            ErrorCode::BodyTooLarge,
            format!("body exceeds {MAX_BODY_BYTES} bytes"),
        )));
    }
    serde_json::from_slice(bytes).map_err(|e| {
        let what = match e.classify() {
            serde_json::error::Category::Syntax | serde_json::error::Category::Eof => {
                "invalid JSON"
            }
            serde_json::error::Category::Data => "JSON does not match the request type",
            serde_json::error::Category::Io => "unreadable body",
        };
        Box::new(ErrorBody::new(
            ErrorCode::MalformedRequest,
            format!("{what} at line {} column {}", e.line(), e.column()),
        ))
    })
}

/// Normalizes a Norwegian mobile number to E.164 (`+47XXXXXXXX`), or `None`
/// if it is not one. Accepts spaces, `+47`, `0047` or 8 bare digits starting with 4 or 9.
pub fn normalize_phone(input: &str) -> Option<String> {
    let compact: String = input.chars().filter(|c| !c.is_whitespace()).collect();
    let national = compact
        .strip_prefix("+47")
        .or_else(|| compact.strip_prefix("0047"))
        .unwrap_or(&compact);
    let ok = national.len() == 8
        && national.bytes().all(|b| b.is_ascii_digit())
        && matches!(national.as_bytes().first(), Some(b'4' | b'9'));
    ok.then(|| format!("+47{national}"))
}

/// `+47 ••• •• 123`: enough for the user to recognise the number.
pub fn mask_phone(e164: &str) -> String {
    let tail: String = e164
        .chars()
        .rev()
        .take(3)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    format!("+47 ••• •• {tail}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn phone_normalization() {
        assert_eq!(
            normalize_phone("+47 912 34 567").as_deref(),
            Some("+4791234567")
        );
        assert_eq!(
            normalize_phone("004741234567").as_deref(),
            Some("+4741234567")
        );
        assert_eq!(normalize_phone("91234567").as_deref(), Some("+4791234567"));
        assert_eq!(normalize_phone("21234567"), None);
        assert_eq!(normalize_phone("+4691234567"), None);
        assert_eq!(mask_phone("+4791234567"), "+47 ••• •• 567");
    }

    #[test]
    fn malformed_bodies_are_typed_and_do_not_echo() {
        let e = parse_body::<StartSessionRequest>(br#"{"national_id": 12345678901}"#).err();
        let e = e.map(|e| (e.code, e.message.contains("12345678901")));
        assert_eq!(e, Some((ErrorCode::MalformedRequest, false)));
        let e = parse_body::<StartSessionRequest>(br#"{"national_id":"x","extra":"01020312345"}"#)
            .err();
        assert_eq!(e.map(|e| e.message.contains("01020312345")), Some(false));
    }

    #[test]
    fn idempotency_keys() {
        assert!(valid_idempotency_key(
            "0f8fad5b-d9cb-469f-a165-70867728950e"
        ));
        assert!(!valid_idempotency_key("short"));
        assert!(!valid_idempotency_key("has space inside"));
    }

    proptest! {
        #[test]
        fn parse_body_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
            let _ = parse_body::<StartSessionRequest>(&bytes);
            let _ = parse_body::<IdCheckEvidence>(&bytes);
            let _ = parse_body::<FaceCheckRequest>(&bytes);
            let _ = parse_body::<SetPasswordRequest>(&bytes);
        }

        #[test]
        fn parse_body_json_like_never_panics(s in "[{}\\[\\]\":,a-z0-9 _]{0,200}") {
            let _ = parse_body::<SignAgreementRequest>(s.as_bytes());
            let _ = parse_body::<KeyRegistration>(s.as_bytes());
        }

        #[test]
        fn phone_normalize_never_panics(s in "\\PC{0,20}") {
            if let Some(p) = normalize_phone(&s) {
                prop_assert_eq!(p.len(), 11);
            }
        }
    }
}
