//! Deterministic keys for the test PKI and the chip: every key is derived
//! from a seed and a label, so a seed reproduces the same documents.

use super::der;
use crate::lds::EcCurve;
use crate::lds::oid;
use ecdsa::signature::hazmat::PrehashSigner;
use rsa::traits::PublicKeyParts;
use rsa::{Pkcs1v15Sign, RsaPrivateKey, pss::Pss};
use sha2::{Digest, Sha256, Sha384, Sha512};
use zeroize::Zeroizing;

/// Key and signature algorithm of a test CA or signer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyAlgorithm {
    Ecdsa(EcCurve),
    /// RSA with PKCS#1 v1.5 signatures (SHA-256). Key generation is slow in
    /// debug builds (seconds for 2048 bits).
    RsaPkcs1 {
        bits: usize,
    },
    /// RSA with RSASSA-PSS signatures (SHA-256, MGF1-SHA-256, salt 32), as
    /// Norway's current CSCAs.
    RsaPss {
        bits: usize,
    },
}

/// A counter-mode SHA-512 stream: deterministic randomness for RSA key
/// generation and PSS salts. Test use only.
pub(crate) struct SeedRng {
    seed: Zeroizing<Vec<u8>>,
    counter: u64,
    buf: Zeroizing<Vec<u8>>,
}

impl SeedRng {
    pub fn new(seed: &[u8], label: &str) -> Self {
        let mut s = seed.to_vec();
        s.extend_from_slice(label.as_bytes());
        Self {
            seed: Zeroizing::new(s),
            counter: 0,
            buf: Zeroizing::new(Vec::new()),
        }
    }

    fn fill(&mut self, dst: &mut [u8]) {
        for b in dst {
            if self.buf.is_empty() {
                let mut h = Sha512::new();
                h.update(&self.seed[..]);
                h.update(self.counter.to_be_bytes());
                self.counter += 1;
                *self.buf = h.finalize().to_vec();
            }
            *b = self.buf.pop().unwrap_or(0);
        }
    }
}

impl rand_core::TryRng for SeedRng {
    type Error = core::convert::Infallible;

    fn try_next_u32(&mut self) -> Result<u32, Self::Error> {
        let mut b = [0u8; 4];
        self.fill(&mut b);
        Ok(u32::from_le_bytes(b))
    }

    fn try_next_u64(&mut self) -> Result<u64, Self::Error> {
        let mut b = [0u8; 8];
        self.fill(&mut b);
        Ok(u64::from_le_bytes(b))
    }

    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Self::Error> {
        self.fill(dst);
        Ok(())
    }
}

impl rand_core::TryCryptoRng for SeedRng {}

/// EC secret scalar bytes for `curve` from `seed` and `label`, retrying until
/// the value is a valid scalar.
pub(crate) fn derive_ec_secret(curve: EcCurve, seed: &[u8], label: &str) -> Zeroizing<Vec<u8>> {
    // Bounded: a curve the test PKI cannot issue on never yields a key.
    let mut candidate = Zeroizing::new(Vec::new());
    for counter in 0u32..4096 {
        let mut wide = Zeroizing::new(Vec::with_capacity(128));
        for block in 0u8..2 {
            let mut h = Sha512::new();
            h.update(seed);
            h.update(label.as_bytes());
            h.update(counter.to_be_bytes());
            if block > 0 {
                h.update([block]);
            }
            wide.extend_from_slice(&h.finalize());
        }
        candidate = Zeroizing::new(wide.get(..curve.field_len()).unwrap_or(&[]).to_vec());
        if curve == EcCurve::P521
            && let Some(top) = candidate.first_mut()
        {
            // P-521 scalars are below 2^521: keep the top byte's lowest bit.
            *top &= 0x01;
        }
        if ec_public_point(curve, &candidate).is_some() {
            break;
        }
    }
    candidate
}

/// Uncompressed SEC1 public point for a secret scalar, `None` if invalid.
pub(crate) fn ec_public_point(curve: EcCurve, secret: &[u8]) -> Option<Vec<u8>> {
    macro_rules! point {
        ($c:ty) => {
            ecdsa::SigningKey::<$c>::from_slice(secret)
                .ok()
                .map(|k| k.verifying_key().to_sec1_point(false).as_bytes().to_vec())
        };
    }
    match curve {
        EcCurve::P256 => point!(p256::NistP256),
        EcCurve::P384 => point!(p384::NistP384),
        EcCurve::BrainpoolP256r1 => point!(bp256::BrainpoolP256r1),
        EcCurve::BrainpoolP384r1 => point!(bp384::BrainpoolP384r1),
        EcCurve::P521 => point!(p521::NistP521),
        // Chip-authentication keys on the other curves: the generic
        // arithmetic (the test PKI does not sign with them).
        c => {
            use crate::pki::weierstrass as w;
            let params = match c {
                EcCurve::P192 => &w::P192,
                EcCurve::BrainpoolP192r1 => &w::BRAINPOOL_P192R1,
                EcCurve::P224 => &w::P224,
                EcCurve::BrainpoolP224r1 => &w::BRAINPOOL_P224R1,
                EcCurve::BrainpoolP320r1 => &w::BRAINPOOL_P320R1,
                _ => &w::BRAINPOOL_P512R1,
            };
            w::KeyAgreementCurve::new(params)?.mul(None, secret)
        }
    }
}

/// SubjectPublicKeyInfo for an EC point on a named curve.
pub(crate) fn ec_spki(curve: EcCurve, point: &[u8]) -> Vec<u8> {
    der::seq(&[
        &der::seq(&[&der::oid(&oid::EC_PUBLIC_KEY), &der::oid(&curve.oid())]),
        &der::bits(point),
    ])
}

/// ECDSA signature (DER) over `message` with the curve's customary hash.
pub(crate) fn ecdsa_sign(curve: EcCurve, secret: &[u8], message: &[u8]) -> Option<Vec<u8>> {
    macro_rules! sign {
        ($c:ty, $h:ty) => {{
            let key = ecdsa::SigningKey::<$c>::from_slice(secret).ok()?;
            let digest = <$h>::digest(message);
            let sig: ecdsa::Signature<$c> = key.sign_prehash(&digest).ok()?;
            Some(sig.to_der().as_bytes().to_vec())
        }};
    }
    match curve {
        EcCurve::P256 => sign!(p256::NistP256, Sha256),
        EcCurve::P384 => sign!(p384::NistP384, Sha384),
        EcCurve::BrainpoolP256r1 => sign!(bp256::BrainpoolP256r1, Sha256),
        EcCurve::BrainpoolP384r1 => sign!(bp384::BrainpoolP384r1, Sha384),
        EcCurve::P521 => sign!(p521::NistP521, Sha512),
        _ => None,
    }
}

fn ecdsa_alg(curve: EcCurve) -> Vec<u8> {
    match curve {
        c if c.field_len() <= 32 => der::seq(&[&der::oid(&oid::ECDSA_SHA256)]),
        c if c.field_len() <= 48 => der::seq(&[&der::oid(&oid::ECDSA_SHA384)]),
        _ => der::seq(&[&der::oid(&oid::ECDSA_SHA512)]),
    }
}

/// A signing key of the test PKI. Secrets are zeroized on drop (`rsa`
/// zeroizes its own key material).
pub struct SigningKey {
    algorithm: KeyAlgorithm,
    inner: Inner,
    seed: Zeroizing<Vec<u8>>,
}

enum Inner {
    Ec {
        curve: EcCurve,
        secret: Zeroizing<Vec<u8>>,
    },
    Rsa(Box<RsaPrivateKey>),
}

impl core::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("SigningKey")
            .field("algorithm", &self.algorithm)
            .finish_non_exhaustive()
    }
}

/// Why a test key could not be made or used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    #[error("RSA key generation failed")]
    RsaGeneration,
    #[error("signing failed")]
    Signing,
}

impl SigningKey {
    pub fn derive(algorithm: KeyAlgorithm, seed: &[u8], label: &str) -> Result<Self, KeyError> {
        let inner = match algorithm {
            KeyAlgorithm::Ecdsa(curve) => Inner::Ec {
                curve,
                secret: derive_ec_secret(curve, seed, label),
            },
            KeyAlgorithm::RsaPkcs1 { bits } | KeyAlgorithm::RsaPss { bits } => {
                let mut rng = SeedRng::new(seed, label);
                Inner::Rsa(Box::new(
                    RsaPrivateKey::new(&mut rng, bits).map_err(|_| KeyError::RsaGeneration)?,
                ))
            }
        };
        let mut s = seed.to_vec();
        s.extend_from_slice(label.as_bytes());
        Ok(Self {
            algorithm,
            inner,
            seed: Zeroizing::new(s),
        })
    }

    pub fn algorithm(&self) -> KeyAlgorithm {
        self.algorithm
    }

    pub fn spki(&self) -> Vec<u8> {
        match &self.inner {
            Inner::Ec { curve, secret } => {
                ec_spki(*curve, &ec_public_point(*curve, secret).unwrap_or_default())
            }
            Inner::Rsa(k) => rsa_spki(k),
        }
    }

    /// The signature AlgorithmIdentifier this key signs under.
    /// The hash this key's signature algorithm uses (a CMS signer must name
    /// the same one as its digest algorithm).
    pub fn hash(&self) -> crate::pki::HashAlgorithm {
        use crate::pki::HashAlgorithm as H;
        match self.algorithm {
            KeyAlgorithm::Ecdsa(c) if c.field_len() <= 32 => H::Sha256,
            KeyAlgorithm::Ecdsa(c) if c.field_len() <= 48 => H::Sha384,
            KeyAlgorithm::Ecdsa(_) => H::Sha512,
            KeyAlgorithm::RsaPkcs1 { .. } | KeyAlgorithm::RsaPss { .. } => H::Sha256,
        }
    }

    pub fn signature_algorithm(&self) -> Vec<u8> {
        match self.algorithm {
            KeyAlgorithm::Ecdsa(c) => ecdsa_alg(c),
            KeyAlgorithm::RsaPkcs1 { .. } => {
                der::seq(&[&der::oid(&oid::SHA256_WITH_RSA), &der::null()])
            }
            KeyAlgorithm::RsaPss { .. } => {
                let sha256 = der::seq(&[&der::oid(&oid::SHA256), &der::null()]);
                let mgf = der::seq(&[&der::oid(&oid::MGF1), &sha256]);
                let params = der::seq(&[
                    &der::tlv(0xA0, &sha256),
                    &der::tlv(0xA1, &mgf),
                    &der::tlv(0xA2, &der::uint(32)),
                ]);
                der::seq(&[&der::oid(&oid::RSASSA_PSS), &params])
            }
        }
    }

    pub fn sign(&self, message: &[u8]) -> Result<Vec<u8>, KeyError> {
        match &self.inner {
            Inner::Ec { curve, secret } => {
                ecdsa_sign(*curve, secret, message).ok_or(KeyError::Signing)
            }
            Inner::Rsa(k) => {
                let digest = Sha256::digest(message);
                if matches!(self.algorithm, KeyAlgorithm::RsaPss { .. }) {
                    let mut rng = SeedRng::new(&self.seed, "pss-salt");
                    k.sign_with_rng(&mut rng, Pss::<Sha256>::new_with_salt(32), &digest)
                        .map_err(|_| KeyError::Signing)
                } else {
                    k.sign(Pkcs1v15Sign::new::<Sha256>(), &digest)
                        .map_err(|_| KeyError::Signing)
                }
            }
        }
    }
}

pub(crate) fn rsa_spki(k: &RsaPrivateKey) -> Vec<u8> {
    let n = k.n().as_ref().to_be_bytes();
    let e = k.e().to_be_bytes();
    let rsa_key = der::seq(&[&der::uint_bytes(&n), &der::uint_bytes(&e)]);
    der::seq(&[
        &der::seq(&[&der::oid(&oid::RSA_ENCRYPTION), &der::null()]),
        &der::bits(&rsa_key),
    ])
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::lds::oid::Oid;
    use crate::lds::{AlgorithmIdentifier, PublicKeyInfo};
    use crate::pki::{HashAlgorithm, SignatureError, verify};

    fn alg(oid: crate::lds::oid::Oid, params: Option<Vec<u8>>) -> AlgorithmIdentifier {
        AlgorithmIdentifier {
            oid,
            parameters: params,
        }
    }

    /// Every hash the verifier accepts, through RSA PKCS#1 v1.5, RSA-PSS and
    /// ECDSA (DER and plain), signed independently of the verifier's code.
    #[test]
    fn every_hash_and_scheme_verifies() {
        let msg = b"signed attributes";
        let mut rng = SeedRng::new(b"t", "rsa");
        let rsa = RsaPrivateKey::new(&mut rng, 1024).unwrap();
        let rsa_spki = PublicKeyInfo::parse(&rsa_spki(&rsa)).unwrap();
        let cases: [(HashAlgorithm, Oid, Pkcs1v15Sign); 5] = [
            (
                HashAlgorithm::Sha1,
                oid::SHA1_WITH_RSA,
                Pkcs1v15Sign::new::<sha1::Sha1>(),
            ),
            (
                HashAlgorithm::Sha224,
                oid::SHA224_WITH_RSA,
                Pkcs1v15Sign::new::<sha2::Sha224>(),
            ),
            (
                HashAlgorithm::Sha256,
                oid::SHA256_WITH_RSA,
                Pkcs1v15Sign::new::<Sha256>(),
            ),
            (
                HashAlgorithm::Sha384,
                oid::SHA384_WITH_RSA,
                Pkcs1v15Sign::new::<Sha384>(),
            ),
            (
                HashAlgorithm::Sha512,
                oid::SHA512_WITH_RSA,
                Pkcs1v15Sign::new::<Sha512>(),
            ),
        ];
        for (h, o, padding) in cases {
            let sig = rsa.sign(padding, &h.digest(msg)).unwrap();
            verify(&rsa_spki, &alg(o, None), None, msg, &sig).unwrap();
            // CMS style: rsaEncryption plus the SignerInfo's digest algorithm.
            verify(
                &rsa_spki,
                &alg(oid::RSA_ENCRYPTION, None),
                Some(h),
                msg,
                &sig,
            )
            .unwrap();
            assert_eq!(
                verify(&rsa_spki, &alg(o, None), None, b"other", &sig),
                Err(SignatureError::Invalid)
            );
        }

        // RSASSA-PSS with absent parameters means SHA-1, MGF1-SHA-1, salt 20.
        let sig = rsa
            .sign_with_rng(
                &mut rng,
                Pss::<sha1::Sha1>::new_with_salt(20),
                &HashAlgorithm::Sha1.digest(msg),
            )
            .unwrap();
        verify(&rsa_spki, &alg(oid::RSASSA_PSS, None), None, msg, &sig).unwrap();
        // SHA-512 with salt 32 (64 would not fit a 1024-bit modulus), parameters spelled out.
        let sha512 = der::seq(&[&der::oid(&oid::SHA512)]);
        let params = der::seq(&[
            &der::tlv(0xA0, &sha512),
            &der::tlv(0xA1, &der::seq(&[&der::oid(&oid::MGF1), &sha512])),
            &der::tlv(0xA2, &der::uint(32)),
        ]);
        let sig = rsa
            .sign_with_rng(
                &mut rng,
                Pss::<Sha512>::new_with_salt(32),
                &HashAlgorithm::Sha512.digest(msg),
            )
            .unwrap();
        verify(
            &rsa_spki,
            &alg(oid::RSASSA_PSS, Some(params.clone())),
            None,
            msg,
            &sig,
        )
        .unwrap();
        // MGF1 with another hash than the message hash is refused, not misverified.
        let mgf_sha1 = der::seq(&[
            &der::tlv(0xA0, &sha512),
            &der::tlv(
                0xA1,
                &der::seq(&[&der::oid(&oid::MGF1), &der::seq(&[&der::oid(&oid::SHA1)])]),
            ),
        ]);
        assert!(matches!(
            verify(
                &rsa_spki,
                &alg(oid::RSASSA_PSS, Some(mgf_sha1)),
                None,
                msg,
                &sig
            ),
            Err(SignatureError::UnsupportedAlgorithm(_))
        ));

        for curve in [
            EcCurve::P256,
            EcCurve::P384,
            EcCurve::BrainpoolP256r1,
            EcCurve::BrainpoolP384r1,
        ] {
            let secret = derive_ec_secret(curve, b"t", "ec");
            let spki =
                PublicKeyInfo::parse(&ec_spki(curve, &ec_public_point(curve, &secret).unwrap()))
                    .unwrap();
            for (h, der_oid, plain_oid) in [
                (HashAlgorithm::Sha1, oid::ECDSA_SHA1, oid::ECDSA_PLAIN_SHA1),
                (
                    HashAlgorithm::Sha224,
                    oid::ECDSA_SHA224,
                    oid::ECDSA_PLAIN_SHA224,
                ),
                (
                    HashAlgorithm::Sha256,
                    oid::ECDSA_SHA256,
                    oid::ECDSA_PLAIN_SHA256,
                ),
                (
                    HashAlgorithm::Sha384,
                    oid::ECDSA_SHA384,
                    oid::ECDSA_PLAIN_SHA384,
                ),
                (
                    HashAlgorithm::Sha512,
                    oid::ECDSA_SHA512,
                    oid::ECDSA_PLAIN_SHA512,
                ),
            ] {
                let (der_sig, plain_sig) = ecdsa_prehash(curve, &secret, &h.digest(msg));
                verify(&spki, &alg(der_oid, None), None, msg, &der_sig).unwrap();
                verify(&spki, &alg(plain_oid, None), None, msg, &plain_sig).unwrap();
                assert_eq!(
                    verify(&spki, &alg(der_oid, None), None, b"other", &der_sig),
                    Err(SignatureError::Invalid)
                );
                assert_eq!(
                    verify(&rsa_spki, &alg(der_oid, None), None, msg, &der_sig),
                    Err(SignatureError::KeyMismatch)
                );
            }
        }
    }

    fn ecdsa_prehash(curve: EcCurve, secret: &[u8], prehash: &[u8]) -> (Vec<u8>, Vec<u8>) {
        macro_rules! sign {
            ($c:ty) => {{
                let key = ecdsa::SigningKey::<$c>::from_slice(secret).unwrap();
                let sig: ecdsa::Signature<$c> = key.sign_prehash(prehash).unwrap();
                (sig.to_der().as_bytes().to_vec(), sig.to_bytes().to_vec())
            }};
        }
        match curve {
            EcCurve::P256 => sign!(p256::NistP256),
            EcCurve::P384 => sign!(p384::NistP384),
            EcCurve::BrainpoolP256r1 => sign!(bp256::BrainpoolP256r1),
            EcCurve::BrainpoolP384r1 => sign!(bp384::BrainpoolP384r1),
            EcCurve::P521 => sign!(p521::NistP521),
            _ => unreachable!("the test PKI issues no keys on {curve:?}"),
        }
    }
}
