//! The simulated face-check provider: it compares a live face with the chip's
//! portrait (here: looks up the person's configured outcome) and signs its
//! verdict with its own P-256 key, kept in the state database so verdicts
//! survive a restart. The activation service trusts only that key.
use p256::ecdsa::signature::{Signer, Verifier};
use p256::ecdsa::{Signature, SigningKey, VerifyingKey};
use zeroize::Zeroizing;

use aktiver_protocol::{FaceVerdict, FaceVerdictPayload, decode_b64, encode_b64};

/// The provider's name in verdicts.
pub const PROVIDER: &str = "sandbox-face";

/// Why a verdict is not accepted (no personal data).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum VerdictError {
    #[error("face_verdict.provider: not the trusted provider")]
    Provider,
    #[error("face_verdict: not base64")]
    Encoding,
    #[error("face_verdict.signature_b64: does not verify with the provider's key")]
    Signature,
    #[error("face_verdict.payload_b64: not a verdict payload")]
    Payload,
}

pub struct FaceProvider {
    key: SigningKey,
}

impl std::fmt::Debug for FaceProvider {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FaceProvider").finish_non_exhaustive()
    }
}

impl FaceProvider {
    /// The provider with its key derived from the server secret: the same
    /// key across restarts, and no private key in the database.
    pub fn from_secret(secret: &crate::secrets::ServerSecret) -> Result<Self, crate::ServerError> {
        (0u8..16)
            .find_map(|i| {
                let b = Zeroizing::new(secret.mac("face-provider-key", &[&[i]]));
                SigningKey::from_slice(b.as_slice()).ok()
            })
            .map(|key| FaceProvider { key })
            .ok_or_else(|| crate::ServerError::Tls("no face provider key".into()))
    }

    pub fn verifying_key(&self) -> VerifyingKey {
        *self.key.verifying_key()
    }

    /// Signs `payload` (as JSON) into a verdict.
    pub fn sign(&self, payload: &FaceVerdictPayload) -> Option<FaceVerdict> {
        let bytes = serde_json::to_vec(payload).ok()?;
        let sig: Signature = self.key.sign(&bytes);
        Some(FaceVerdict {
            provider: PROVIDER.to_owned(),
            payload_b64: encode_b64(&bytes),
            signature_b64: encode_b64(sig.to_der().as_bytes()),
        })
    }

    /// Checks the signature and returns the signed payload.
    pub fn verify(&self, v: &FaceVerdict) -> Result<FaceVerdictPayload, VerdictError> {
        if v.provider != PROVIDER {
            return Err(VerdictError::Provider);
        }
        let payload =
            decode_b64("payload_b64", &v.payload_b64).map_err(|_| VerdictError::Encoding)?;
        let sig =
            decode_b64("signature_b64", &v.signature_b64).map_err(|_| VerdictError::Encoding)?;
        let sig = Signature::from_der(&sig).map_err(|_| VerdictError::Signature)?;
        self.key
            .verifying_key()
            .verify(&payload, &sig)
            .map_err(|_| VerdictError::Signature)?;
        serde_json::from_slice(&payload).map_err(|_| VerdictError::Payload)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn payload() -> FaceVerdictPayload {
        FaceVerdictPayload {
            provider: PROVIDER.into(),
            session_id: "s".into(),
            portrait_sha256_b64: "h".into(),
            outcome: "pass".into(),
            issued_at: 1,
        }
    }

    #[test]
    fn sign_verify_and_key_persists() {
        let secret = crate::secrets::ServerSecret::ephemeral().unwrap();
        let p = FaceProvider::from_secret(&secret).unwrap();
        let v = p.sign(&payload()).unwrap();
        assert_eq!(p.verify(&v).unwrap(), payload());
        let again = FaceProvider::from_secret(&secret).unwrap();
        assert_eq!(again.verify(&v).unwrap(), payload());
        let other =
            FaceProvider::from_secret(&crate::secrets::ServerSecret::ephemeral().unwrap()).unwrap();
        assert_eq!(other.verify(&v), Err(VerdictError::Signature));
        let mut forged = v.clone();
        forged.payload_b64 = encode_b64(br#"{"outcome":"pass"}"#);
        assert_eq!(p.verify(&forged), Err(VerdictError::Signature));
    }
}
