//! Device and biometric keys: P-256 SubjectPublicKeyInfo, ECDSA/SHA-256 DER signatures.
use p256::ecdsa::signature::Verifier;
use p256::ecdsa::{Signature, VerifyingKey};
use p256::pkcs8::DecodePublicKey;

use aktiver_protocol::{ErrorCode, decode_b64};

use crate::app::ApiError;

pub fn verify_p256(spki_b64: &str, message: &[u8], sig_b64: &str) -> Result<(), ApiError> {
    let spki = decode_b64("public_key_spki_b64", spki_b64)?;
    let sig = decode_b64("signature_b64", sig_b64)?;
    let key = VerifyingKey::from_public_key_der(&spki).map_err(|_| {
        ApiError::new(
            ErrorCode::PublicKeyInvalid,
            "not a P-256 SubjectPublicKeyInfo",
        )
        .map(|b| b.with_field("public_key_spki_b64"))
    })?;
    let sig = Signature::from_der(&sig).map_err(|_| {
        ApiError::new(
            ErrorCode::SignatureInvalid,
            "signature is not a DER ECDSA signature",
        )
        .map(|b| b.with_field("signature_b64"))
    })?;
    key.verify(message, &sig).map_err(|_| {
        ApiError::new(ErrorCode::SignatureInvalid, "signature does not verify")
            .map(|b| b.with_field("signature_b64"))
    })
}
