//! A string that carries personal data or a secret: redacted in `Debug`,
//! zeroized on drop, plain on the wire.
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use zeroize::{Zeroize, ZeroizeOnDrop};

#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, Zeroize, ZeroizeOnDrop, ToSchema)]
#[serde(transparent)]
#[schema(value_type = String)]
pub struct Sensitive(String);

impl Sensitive {
    pub fn new(s: impl Into<String>) -> Self {
        Sensitive(s.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl From<&str> for Sensitive {
    fn from(s: &str) -> Self {
        Sensitive(s.to_owned())
    }
}

impl std::fmt::Debug for Sensitive {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("<redacted>")
    }
}

/// Decodes standard base64 (with padding), naming the field on failure.
pub fn decode_b64(field: &'static str, s: &str) -> Result<Vec<u8>, crate::FieldError> {
    use base64ct::Encoding;
    base64ct::Base64::decode_vec(s).map_err(|_| crate::FieldError {
        field,
        reason: "not standard base64",
    })
}

/// Encodes standard base64 (with padding).
pub fn encode_b64(bytes: &[u8]) -> String {
    use base64ct::Encoding;
    base64ct::Base64::encode_string(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_is_redacted() {
        let s = Sensitive::from("01020312345");
        assert_eq!(format!("{s:?}"), "<redacted>");
        assert_eq!(
            serde_json::to_string(&s).unwrap_or_default(),
            "\"01020312345\""
        );
    }

    #[test]
    fn base64_roundtrip_and_error_names_field() {
        assert_eq!(
            decode_b64("x", &encode_b64(b"abc")).ok(),
            Some(b"abc".to_vec())
        );
        let e = decode_b64("sod", "!!").err();
        assert_eq!(e.map(|e| e.field), Some("sod"));
    }
}
