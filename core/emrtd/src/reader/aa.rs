//! Checking an active-authentication signature against DG15.
//!
//! ECDSA keys (plain `r || s` signatures, BSI TR-03111) are verified with
//! the signature code of [`crate::pki`]; RSA keys with ISO/IEC 9796-2
//! digital signature scheme 1 (partial message recovery), as ICAO 9303-11
//! §6.1 prescribes.

use super::ActiveAuthEvidence;
use crate::lds::oid::{self, Oid};
use crate::lds::{AlgorithmIdentifier, Dg15, EcCurve, SecurityInfos, SubjectPublicKey};
use thiserror::Error;

/// Why an active-authentication signature was not accepted.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum AaError {
    #[error("DG15 is malformed")]
    MalformedDg15,
    #[error("active authentication with {0} keys is not implemented")]
    Unsupported(&'static str),
    #[error("the signature over the challenge does not verify")]
    Invalid,
}

/// Verifies the chip's signature over the challenge with the DG15 key; the
/// hash comes from DG14's ActiveAuthenticationInfo, else from the curve size.
pub fn verify(
    dg15: &[u8],
    dg14: Option<&[u8]>,
    evidence: &ActiveAuthEvidence,
) -> Result<(), AaError> {
    let key = Dg15::parse(dg15)
        .map_err(|_| AaError::MalformedDg15)?
        .public_key;
    let curve = match &key.key {
        SubjectPublicKey::Ec { curve: Some(c), .. } => *c,
        SubjectPublicKey::Ec { curve: None, .. } => {
            return Err(AaError::Unsupported("unknown-curve EC"));
        }
        SubjectPublicKey::Rsa { modulus, exponent } => {
            return verify_iso9796_2(modulus, exponent, &evidence.challenge, &evidence.signature);
        }
        SubjectPublicKey::Other { .. } => return Err(AaError::Unsupported("non-RSA, non-EC")),
    };
    let from_dg14: Option<Oid> = dg14
        .and_then(|d| SecurityInfos::parse_dg14(d).ok())
        .and_then(|i| i.active_authentication().map(|a| a.signature_algorithm));
    let alg = from_dg14.unwrap_or(match curve {
        EcCurve::P256 | EcCurve::BrainpoolP256r1 => oid::ECDSA_PLAIN_SHA256,
        EcCurve::P384 | EcCurve::BrainpoolP384r1 => oid::ECDSA_PLAIN_SHA384,
    });
    // ICAO 9303-11 asks for plain r||s signatures, but documents often name
    // the X9.62 (DER) OID in DG14; accept either name and either encoding.
    let pairs = [
        (oid::ECDSA_SHA1, oid::ECDSA_PLAIN_SHA1),
        (oid::ECDSA_SHA224, oid::ECDSA_PLAIN_SHA224),
        (oid::ECDSA_SHA256, oid::ECDSA_PLAIN_SHA256),
        (oid::ECDSA_SHA384, oid::ECDSA_PLAIN_SHA384),
        (oid::ECDSA_SHA512, oid::ECDSA_PLAIN_SHA512),
    ];
    let (der, plain) = pairs
        .iter()
        .find(|(d, p)| *d == alg || *p == alg)
        .copied()
        .ok_or(AaError::Unsupported("this ECDSA hash"))?;
    for o in [plain, der] {
        let alg = AlgorithmIdentifier {
            oid: o,
            parameters: None,
        };
        if crate::pki::verify(&key, &alg, None, &evidence.challenge, &evidence.signature).is_ok() {
            return Ok(());
        }
    }
    Err(AaError::Invalid)
}

/// ISO/IEC 9796-2 scheme 1: recover the message representative
/// `01 M1 H(M1 || challenge) trailer` and check the hash.
pub fn verify_iso9796_2(
    modulus: &[u8],
    exponent: &[u8],
    challenge: &[u8],
    signature: &[u8],
) -> Result<(), AaError> {
    use crate::pki::HashAlgorithm as H;
    let m = crate::crypto::rsa_raw(signature, exponent, modulus).ok_or(AaError::Invalid)?;
    let k = m.len();
    let (hash, trailer) = match m.as_slice() {
        [.., 0xBC] => (H::Sha1, 1),
        [.., id, 0xCC] => (
            match id {
                0x33 => H::Sha1,
                0x34 => H::Sha256,
                0x35 => H::Sha512,
                0x36 => H::Sha384,
                0x38 => H::Sha224,
                _ => return Err(AaError::Invalid),
            },
            2,
        ),
        _ => return Err(AaError::Invalid),
    };
    let hlen = hash.output_len();
    // Header bits 01 (and the partial-recovery bit: the challenge is not in the representative).
    if m.first().is_none_or(|b| b & 0xC0 != 0x40) || k < 1 + hlen + trailer {
        return Err(AaError::Invalid);
    }
    let d_start = k - trailer - hlen;
    let m1 = m.get(1..d_start).ok_or(AaError::Invalid)?;
    let d = m.get(d_start..k - trailer).ok_or(AaError::Invalid)?;
    let mut input = m1.to_vec();
    input.extend_from_slice(challenge);
    if crate::crypto::ct_eq(&hash.digest(&input), d) {
        Ok(())
    } else {
        Err(AaError::Invalid)
    }
}

/// The chip side: an ISO/IEC 9796-2 scheme 1 signature with SHA-1 and
/// trailer BC over `challenge`, with `m1` as the recoverable part (the
/// virtual chip uses it; `d` is the private exponent).
pub fn sign_iso9796_2(
    modulus: &[u8],
    private_exponent: &[u8],
    m1_filler: u8,
    challenge: &[u8],
) -> Option<Vec<u8>> {
    use crate::pki::HashAlgorithm as H;
    let skip = modulus.iter().take_while(|b| **b == 0).count();
    let k = modulus.len() - skip;
    let m1_len = k.checked_sub(1 + 20 + 1)?;
    let m1 = vec![m1_filler; m1_len];
    let mut input = m1.clone();
    input.extend_from_slice(challenge);
    let mut m = Vec::with_capacity(k);
    m.push(0x6A);
    m.extend_from_slice(&m1);
    m.extend_from_slice(&H::Sha1.digest(&input));
    m.push(0xBC);
    crate::crypto::rsa_raw(&m, private_exponent, modulus)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn iso9796_2_rejects_garbage() {
        // A real key pair round trip is in tests/virtual_read.rs (issued RSA key).
        let n = [0xC5; 64];
        let e = [0x01, 0x00, 0x01];
        let challenge = [1, 2, 3, 4, 5, 6, 7, 8];
        assert!(verify_iso9796_2(&n, &e, &challenge, &[0x17; 64]).is_err());
        assert!(verify_iso9796_2(&n, &e, &challenge, &[0xFF; 64]).is_err());
        assert!(verify_iso9796_2(&n, &e, &challenge, &[]).is_err());
        assert!(verify_iso9796_2(&[], &e, &challenge, &[1]).is_err());
        assert!(sign_iso9796_2(&[0xC5; 16], &e, 0, &challenge).is_none());
    }
}
