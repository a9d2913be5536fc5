//! Verifying an active-authentication signature against DG15.
//!
//! ECDSA keys (plain `r || s` signatures, BSI TR-03111, or X9.62 DER as
//! some documents send) are verified with [`crate::pki::verify`]; RSA keys
//! with ISO/IEC 9796-2 digital signature scheme 1 with partial message
//! recovery, as ICAO 9303-11 §6.1 prescribes.
//!
//! The caller passes DG15 (and DG14) bytes that passive authentication has
//! already vouched for; [`crate::verdict`] does exactly that.
//!
//! A hostile chip chooses its own DG15 when no SOD vouches for it, so the RSA
//! key is bounded (modulus size, exponent) before any arithmetic: a huge
//! exponent or modulus would otherwise pin the CPU.

use crate::lds::oid::{self, Oid};
use crate::lds::{AlgorithmIdentifier, Dg15, EcCurve, SecurityInfos, SubjectPublicKey, ber};
use crate::pki::HashAlgorithm;
use rsa::traits::PublicKeyParts;
use rsa::{BoxedUint, RsaPublicKey};
use thiserror::Error;

/// Smallest RSA active-authentication modulus accepted, in bits.
pub const MIN_AA_RSA_BITS: usize = 1024;
/// Largest RSA active-authentication modulus accepted, in bits (real chips
/// use 1024-3072).
pub const MAX_AA_RSA_BITS: usize = 4096;
/// Largest RSA public exponent accepted (as the `rsa` crate: 2^33 - 1;
/// real keys use 65537 or 3).
pub const MAX_AA_RSA_EXPONENT: u64 = (1 << 33) - 1;

/// The verifier's challenge and the chip's INTERNAL AUTHENTICATE response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActiveAuthEvidence {
    /// The 8-byte challenge (ICAO 9303-11 §6.1: RND.IFD).
    pub challenge: [u8; 8],
    pub signature: Vec<u8>,
}

/// Why an active-authentication signature was not accepted.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum AaError {
    #[error("DG15 is malformed")]
    MalformedDg15,
    #[error("active authentication with {0} keys is not implemented")]
    Unsupported(&'static str),
    /// The DG15 key is outside what a real chip uses (checked before any
    /// arithmetic).
    #[error("DG15 key rejected: {0}")]
    RejectedKey(&'static str),
    #[error("the signature over the challenge does not verify")]
    Invalid,
}

impl AaError {
    /// A fixed phrase for reader errors that carry `&'static str`.
    pub fn reason(&self) -> &'static str {
        match self {
            Self::MalformedDg15 => "DG15 is malformed",
            Self::Unsupported(_) => "active authentication with this key type is not implemented",
            Self::RejectedKey(r) => r,
            Self::Invalid => "the signature over the challenge does not verify",
        }
    }
}

/// Verifies the chip's signature over the verifier's challenge with the
/// DG15 key. For ECDSA the hash comes from DG14's ActiveAuthenticationInfo,
/// else from the curve size. Both files must already be vouched for by
/// passive authentication.
pub fn verify_active_authentication(
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
    let alg = from_dg14.unwrap_or_else(|| default_ecdsa_for(curve));
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

/// The hash matching the curve's strength when DG14 names none.
fn default_ecdsa_for(curve: EcCurve) -> Oid {
    match curve.field_len() {
        0..=28 => oid::ECDSA_PLAIN_SHA224,
        29..=32 => oid::ECDSA_PLAIN_SHA256,
        33..=48 => oid::ECDSA_PLAIN_SHA384,
        _ => oid::ECDSA_PLAIN_SHA512,
    }
}

/// The RSA public key of DG15, bounded before any big-number arithmetic.
fn bounded_rsa_key(modulus: &[u8], exponent: &[u8]) -> Result<RsaPublicKey, AaError> {
    let modulus = ber::strip_leading_zeros(modulus);
    let exponent = ber::strip_leading_zeros(exponent);
    let bits = modulus.len() * 8
        - modulus
            .first()
            .map_or(8, |b| usize::try_from(b.leading_zeros()).unwrap_or(8));
    if !(MIN_AA_RSA_BITS..=MAX_AA_RSA_BITS).contains(&bits) {
        return Err(AaError::RejectedKey("RSA modulus outside 1024..=4096 bits"));
    }
    let e = exponent
        .iter()
        .try_fold(0u64, |acc, &b| {
            (acc >> 56 == 0).then_some((acc << 8) | u64::from(b))
        })
        .filter(|&e| (3..=MAX_AA_RSA_EXPONENT).contains(&e) && e % 2 == 1)
        .ok_or(AaError::RejectedKey(
            "RSA public exponent not an odd number in 3..=2^33-1",
        ))?;
    let n = BoxedUint::from_be_slice_vartime(modulus);
    RsaPublicKey::new_with_size_limits(n, BoxedUint::from(e), MIN_AA_RSA_BITS..=MAX_AA_RSA_BITS)
        .map_err(|_| AaError::RejectedKey("invalid RSA public key"))
}

/// ISO/IEC 9796-2 scheme 1 with partial recovery: recover the message
/// representative `header M1 H(M1 || challenge) trailer` and check all of
/// it. The header is `6A` (M1 fills the space) or `6B BB.. BA` (padding
/// before a shorter M1): bits `01`, the more-data bit set because the
/// challenge is not recoverable, padding nibbles `B` ended by an `A`. The
/// trailer is `BC` (SHA-1 implied) or `xx CC` with an ISO/IEC 10118-3 hash
/// identifier.
pub fn verify_iso9796_2(
    modulus: &[u8],
    exponent: &[u8],
    challenge: &[u8],
    signature: &[u8],
) -> Result<(), AaError> {
    use HashAlgorithm as H;
    let key = bounded_rsa_key(modulus, exponent)?;
    let k = key.n().bits_vartime().div_ceil(8) as usize;
    let sig = ber::strip_leading_zeros(signature);
    if signature.len() > k && sig.len() > k {
        return Err(AaError::Invalid);
    }
    let s =
        BoxedUint::from_be_slice(sig, key.n().bits_precision()).map_err(|_| AaError::Invalid)?;
    if s >= *key.n().as_ref() {
        return Err(AaError::Invalid);
    }
    let m = rsa::hazmat::rsa_encrypt(&key, &s).map_err(|_| AaError::Invalid)?;
    let bytes = m.to_be_bytes();
    let m = bytes
        .get(bytes.len().saturating_sub(k)..)
        .ok_or(AaError::Invalid)?;

    let (hash, trailer) = match m {
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
    let m1_start = match m {
        [0x6A, ..] => 1,
        [0x6B, rest @ ..] => {
            let pad = rest.iter().take_while(|&&b| b == 0xBB).count();
            if rest.get(pad) != Some(&0xBA) {
                return Err(AaError::Invalid);
            }
            pad + 2
        }
        _ => return Err(AaError::Invalid),
    };
    let hlen = hash.output_len();
    let d_start = k
        .checked_sub(trailer + hlen)
        .filter(|&d| d >= m1_start)
        .ok_or(AaError::Invalid)?;
    let m1 = m.get(m1_start..d_start).ok_or(AaError::Invalid)?;
    let d = m.get(d_start..k - trailer).ok_or(AaError::Invalid)?;
    let mut input = m1.to_vec();
    input.extend_from_slice(challenge);
    // Both sides are public (the chip's signature and a hash of public
    // data): an ordinary comparison leaks nothing.
    if hash.digest(&input) == d {
        Ok(())
    } else {
        Err(AaError::Invalid)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    /// A 1024-bit RSA key made with `openssl genrsa 1024` for these tests
    /// (test material only, never used elsewhere): n and d, e = 65537.
    const N: &str = "b91ede3a5cd7a672f8265f87111e98f288c4f253bcdc856d84227962791bd8c6e949428235e33b3c977af8745f86680f3cb4ff3889f84d263419054e805ae6e69a08fcfbc936405ca6c6aecae912f064fec0ce2ef5f20f3f3ffbde3eb4b87def0e437285f07d659bd4b15b6511f62d32850079d7ea36e540c17cecda87aa9987";
    const D: &str = "aec78a21a84ea304a16df97b589a7ee55e643437037561348930d35239ee24b988c0765ee1e9ec9fc49581c6bdf9f47d8e5f8528287b9abb9b2c946a0d9dc5aa10595c9b0a569a72cfabf5244f946733970adcc992b55561cf15c4d13550987ffe60ff87f6f10f65d5471f5b7867f81616da92cdff93dd25ccfb9b06426c6a21";

    fn unhex(s: &str) -> Vec<u8> {
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    }

    fn key() -> (Vec<u8>, Vec<u8>) {
        (unhex(N), vec![0x01, 0x00, 0x01])
    }

    /// Signs a representative built by hand: raw RSA with the private
    /// exponent (m^d mod n, through the public operation with e := d).
    fn sign_raw(representative: &[u8]) -> Vec<u8> {
        let n = BoxedUint::from_be_slice_vartime(&unhex(N));
        let d = BoxedUint::from_be_slice_vartime(&unhex(D));
        let k = RsaPublicKey::new_unchecked(n, d);
        let m = BoxedUint::from_be_slice(representative, k.n().bits_precision()).unwrap();
        let s = rsa::hazmat::rsa_encrypt(&k, &m)
            .unwrap()
            .to_be_bytes()
            .to_vec();
        s[s.len() - 128..].to_vec()
    }

    fn representative(header: &[u8], m1_len: usize, challenge: &[u8], trailer: &[u8]) -> Vec<u8> {
        let m1 = vec![0x5A; m1_len];
        let mut input = m1.clone();
        input.extend_from_slice(challenge);
        let hash = match trailer {
            [0x34, 0xCC] => HashAlgorithm::Sha256,
            _ => HashAlgorithm::Sha1,
        };
        [header, &m1, &hash.digest(&input), trailer].concat()
    }

    const CHALLENGE: [u8; 8] = [1, 2, 3, 4, 5, 6, 7, 8];

    #[test]
    fn accepts_well_formed_representatives() {
        let (n, e) = key();
        // 6A M1 H BC
        let r = representative(&[0x6A], 128 - 1 - 20 - 1, &CHALLENGE, &[0xBC]);
        assert_eq!(verify_iso9796_2(&n, &e, &CHALLENGE, &sign_raw(&r)), Ok(()));
        // 6B BB BA M1 H 34 CC (SHA-256, explicit trailer, padded header)
        let r = representative(
            &[0x6B, 0xBB, 0xBA],
            128 - 3 - 32 - 2,
            &CHALLENGE,
            &[0x34, 0xCC],
        );
        assert_eq!(verify_iso9796_2(&n, &e, &CHALLENGE, &sign_raw(&r)), Ok(()));
        // The signature only covers its own challenge.
        assert_eq!(
            verify_iso9796_2(&n, &e, &[9; 8], &sign_raw(&r)),
            Err(AaError::Invalid)
        );
    }

    #[test]
    fn rejects_a_wrong_header_even_when_the_hash_matches() {
        let (n, e) = key();
        // 4A: the more-data bit is clear (full recovery claimed), yet the
        // hash covers a non-recovered challenge: malformed.
        for header in [[0x4A], [0x7A], [0x6C], [0x2A]] {
            let r = representative(&header, 128 - 1 - 20 - 1, &CHALLENGE, &[0xBC]);
            assert_eq!(
                verify_iso9796_2(&n, &e, &CHALLENGE, &sign_raw(&r)),
                Err(AaError::Invalid),
                "header {header:02X?}"
            );
        }
        // Padding not ended by BA.
        let r = representative(&[0x6B, 0xBB, 0xBB], 128 - 3 - 20 - 1, &CHALLENGE, &[0xBC]);
        assert_eq!(
            verify_iso9796_2(&n, &e, &CHALLENGE, &sign_raw(&r)),
            Err(AaError::Invalid)
        );
    }

    #[test]
    fn rejects_a_wrong_trailer() {
        let (n, e) = key();
        for trailer in [[0x00, 0xBD], [0x37, 0xCC], [0x34, 0xCD]] {
            let r = representative(&[0x6A], 128 - 1 - 20 - 2, &CHALLENGE, &trailer);
            assert_eq!(
                verify_iso9796_2(&n, &e, &CHALLENGE, &sign_raw(&r)),
                Err(AaError::Invalid),
                "trailer {trailer:02X?}"
            );
        }
    }

    #[test]
    fn bounds_the_key_before_arithmetic() {
        let (n, _) = key();
        // A 2^4096-bit exponent would take seconds per attempt; refused at once.
        let huge_e = vec![0xFF; 512];
        assert!(matches!(
            verify_iso9796_2(&n, &huge_e, &CHALLENGE, &[1; 128]),
            Err(AaError::RejectedKey(_))
        ));
        // An even exponent and e = 1 are not RSA keys.
        for e in [[0x01, 0x00, 0x00], [0x00, 0x00, 0x01]] {
            assert!(matches!(
                verify_iso9796_2(&n, &e, &CHALLENGE, &[1; 128]),
                Err(AaError::RejectedKey(_))
            ));
        }
        // A 16384-bit modulus is refused by size, not computed with.
        let mut big_n = vec![0xC5; 2048];
        big_n[2047] = 0xC7;
        assert!(matches!(
            verify_iso9796_2(&big_n, &[1, 0, 1], &CHALLENGE, &[1; 2048]),
            Err(AaError::RejectedKey(_))
        ));
        // Too small.
        assert!(matches!(
            verify_iso9796_2(&[0xC5; 64], &[1, 0, 1], &CHALLENGE, &[1; 64]),
            Err(AaError::RejectedKey(_))
        ));
    }

    #[test]
    fn rejects_garbage_signatures() {
        let (n, e) = key();
        assert_eq!(
            verify_iso9796_2(&n, &e, &CHALLENGE, &[0x17; 128]),
            Err(AaError::Invalid)
        );
        assert_eq!(
            verify_iso9796_2(&n, &e, &CHALLENGE, &[0xFF; 128]),
            Err(AaError::Invalid)
        );
        assert_eq!(
            verify_iso9796_2(&n, &e, &CHALLENGE, &[1; 129]),
            Err(AaError::Invalid)
        );
        assert_eq!(
            verify_iso9796_2(&n, &e, &CHALLENGE, &[]),
            Err(AaError::Invalid)
        );
    }
}
