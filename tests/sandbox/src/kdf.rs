//! Password storage: Argon2id in PHC string form (the parameters travel with the hash).
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};

use aktiver_protocol::ErrorCode;

use crate::app::ApiError;
use crate::rules::Rules;

pub fn hash(password: &str, rules: &Rules) -> Result<String, ApiError> {
    let params = Params::new(rules.argon2_m_kib, rules.argon2_t, 1, None)
        .map_err(|_| ApiError::new(ErrorCode::Internal, "bad KDF parameters"))?;
    let salt = SaltString::encode_b64(&crate::app::random_bytes::<16>()?)
        .map_err(|_| ApiError::new(ErrorCode::Internal, "salt encoding"))?;
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|_| ApiError::new(ErrorCode::Internal, "hashing failed"))
}

pub fn verify(password: &str, phc: &str) -> bool {
    PasswordHash::new(phc).is_ok_and(|h| {
        Argon2::default()
            .verify_password(password.as_bytes(), &h)
            .is_ok()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn argon2id_roundtrip() {
        let h = hash("Fjord9Lyng4", &Rules::fast_kdf())
            .map_err(|e| e.0.message)
            .unwrap_or_default();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify("Fjord9Lyng4", &h));
        assert!(!verify("Fjord9Lyng5", &h));
        assert!(!verify("x", "not a hash"));
    }
}
