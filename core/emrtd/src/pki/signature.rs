//! Signature verification for the algorithms eMRTD PKIs use: RSA PKCS#1 v1.5
//! and RSASSA-PSS, ECDSA (X9.62 DER or BSI plain r||s) on every curve of
//! [`EcCurve`] (P-256, P-384, P-521 and brainpool P256r1/P384r1 through the
//! RustCrypto crates; brainpool P192r1/P224r1/P320r1/P512r1, P-192 and P-224
//! through [`super::weierstrass`]), with SHA-1/224/256/384/512.

use super::hash::HashAlgorithm;
use crate::lds::oid;
use crate::lds::{AlgorithmIdentifier, EcCurve, PublicKeyInfo, SubjectPublicKey, TlvReader, ber};
use ecdsa::signature::hazmat::PrehashVerifier;
use rsa::{BoxedUint, Pkcs1v15Sign, RsaPublicKey, pss::Pss};
use thiserror::Error;

/// Why a signature did not verify. OIDs are shown dotted; no key material.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum SignatureError {
    #[error("unsupported signature algorithm {0}")]
    UnsupportedAlgorithm(String),
    #[error("unsupported digest algorithm {0}")]
    UnsupportedDigest(String),
    #[error("unsupported or unknown elliptic curve")]
    UnsupportedCurve,
    #[error("the key type does not match the signature algorithm")]
    KeyMismatch,
    #[error("malformed public key: {0}")]
    MalformedKey(&'static str),
    #[error("malformed signature encoding")]
    MalformedSignature,
    #[error("malformed RSASSA-PSS parameters")]
    MalformedPssParameters,
    #[error("the signature does not verify")]
    Invalid,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scheme {
    RsaPkcs1(HashAlgorithm),
    RsaPss {
        hash: HashAlgorithm,
        salt_len: usize,
    },
    EcdsaDer(HashAlgorithm),
    EcdsaPlain(HashAlgorithm),
}

fn scheme(
    alg: &AlgorithmIdentifier,
    digest: Option<HashAlgorithm>,
) -> Result<Scheme, SignatureError> {
    use HashAlgorithm as H;
    let unsupported = || SignatureError::UnsupportedAlgorithm(alg.oid.to_string());
    let need_digest = || digest.ok_or_else(unsupported);
    Ok(match alg.oid {
        oid::SHA1_WITH_RSA => Scheme::RsaPkcs1(H::Sha1),
        oid::SHA224_WITH_RSA => Scheme::RsaPkcs1(H::Sha224),
        oid::SHA256_WITH_RSA => Scheme::RsaPkcs1(H::Sha256),
        oid::SHA384_WITH_RSA => Scheme::RsaPkcs1(H::Sha384),
        oid::SHA512_WITH_RSA => Scheme::RsaPkcs1(H::Sha512),
        // CMS signers often name the key algorithm and leave the hash to digestAlgorithm.
        oid::RSA_ENCRYPTION => Scheme::RsaPkcs1(need_digest()?),
        oid::RSASSA_PSS => pss_params(alg.parameters.as_deref())?,
        oid::ECDSA_SHA1 => Scheme::EcdsaDer(H::Sha1),
        oid::ECDSA_SHA224 => Scheme::EcdsaDer(H::Sha224),
        oid::ECDSA_SHA256 => Scheme::EcdsaDer(H::Sha256),
        oid::ECDSA_SHA384 => Scheme::EcdsaDer(H::Sha384),
        oid::ECDSA_SHA512 => Scheme::EcdsaDer(H::Sha512),
        oid::EC_PUBLIC_KEY => Scheme::EcdsaDer(need_digest()?),
        oid::ECDSA_PLAIN_SHA1 => Scheme::EcdsaPlain(H::Sha1),
        oid::ECDSA_PLAIN_SHA224 => Scheme::EcdsaPlain(H::Sha224),
        oid::ECDSA_PLAIN_SHA256 => Scheme::EcdsaPlain(H::Sha256),
        oid::ECDSA_PLAIN_SHA384 => Scheme::EcdsaPlain(H::Sha384),
        oid::ECDSA_PLAIN_SHA512 => Scheme::EcdsaPlain(H::Sha512),
        _ => return Err(unsupported()),
    })
}

/// `RSASSA-PSS-params ::= SEQUENCE { [0] hashAlgorithm DEFAULT sha1,
/// [1] maskGenAlgorithm DEFAULT mgf1SHA1, [2] saltLength DEFAULT 20, [3] trailerField DEFAULT 1 }`
fn pss_params(params: Option<&[u8]>) -> Result<Scheme, SignatureError> {
    let bad = SignatureError::MalformedPssParameters;
    let mut hash = HashAlgorithm::Sha1;
    let mut mgf_hash = HashAlgorithm::Sha1;
    let mut salt_len = 20usize;
    if let Some(p) = params {
        let seq = ber::parse_one(p).map_err(|_| bad.clone())?;
        let mut r = seq.children();
        while let Some(f) = r.next_tlv().map_err(|_| bad.clone())? {
            let inner = || -> Result<ber::Tlv<'_>, SignatureError> {
                f.children()
                    .next_tlv()
                    .ok()
                    .flatten()
                    .ok_or(SignatureError::MalformedPssParameters)
            };
            match f.tag {
                0xA0 => hash = alg_hash(&inner()?)?,
                0xA1 => {
                    let mgf = inner()?;
                    let mut mr: TlvReader<'_> = mgf.children();
                    let mgf_oid = mr
                        .next_tlv()
                        .ok()
                        .flatten()
                        .and_then(|t| oid::parse(t.value));
                    if mgf_oid != Some(oid::MGF1) {
                        return Err(SignatureError::UnsupportedAlgorithm(
                            "non-MGF1 mask generation".into(),
                        ));
                    }
                    let h = mr.next_tlv().ok().flatten().ok_or(bad.clone())?;
                    mgf_hash = alg_hash(&h)?;
                }
                0xA2 => {
                    let v = inner()?;
                    salt_len = ber::uint_value(v.value)
                        .and_then(|s| usize::try_from(s).ok())
                        .filter(|&s| s <= 512)
                        .ok_or(bad.clone())?;
                }
                0xA3 => {
                    if ber::uint_value(inner()?.value) != Some(1) {
                        return Err(bad);
                    }
                }
                _ => return Err(bad),
            }
        }
    }
    if mgf_hash != hash {
        return Err(SignatureError::UnsupportedAlgorithm(
            "PSS with an MGF1 hash unlike the message hash".into(),
        ));
    }
    Ok(Scheme::RsaPss { hash, salt_len })
}

fn alg_hash(t: &ber::Tlv<'_>) -> Result<HashAlgorithm, SignatureError> {
    let o = t
        .children()
        .next_tlv()
        .ok()
        .flatten()
        .and_then(|x| oid::parse(x.value))
        .ok_or(SignatureError::MalformedPssParameters)?;
    HashAlgorithm::from_oid(&o).ok_or_else(|| SignatureError::UnsupportedDigest(o.to_string()))
}

/// The digest a signature algorithm uses, if it names one.
pub fn signature_hash(
    alg: &AlgorithmIdentifier,
    digest: Option<HashAlgorithm>,
) -> Result<HashAlgorithm, SignatureError> {
    Ok(match scheme(alg, digest)? {
        Scheme::RsaPkcs1(h) | Scheme::EcdsaDer(h) | Scheme::EcdsaPlain(h) => h,
        Scheme::RsaPss { hash, .. } => hash,
    })
}

/// Verifies `signature` over `message` with `key` under `alg`. `digest` is
/// the hash to use when `alg` names only the key type (CMS `rsaEncryption`).
pub fn verify(
    key: &PublicKeyInfo,
    alg: &AlgorithmIdentifier,
    digest: Option<HashAlgorithm>,
    message: &[u8],
    signature: &[u8],
) -> Result<(), SignatureError> {
    let s = scheme(alg, digest)?;
    match (s, &key.key) {
        (Scheme::RsaPkcs1(h), SubjectPublicKey::Rsa { modulus, exponent }) => {
            let pk = rsa_key(modulus, exponent)?;
            let sig = pad_to(signature, modulus.len())?;
            let hashed = h.digest(message);
            let padding = match h {
                HashAlgorithm::Sha1 => Pkcs1v15Sign::new::<sha1::Sha1>(),
                HashAlgorithm::Sha224 => Pkcs1v15Sign::new::<sha2::Sha224>(),
                HashAlgorithm::Sha256 => Pkcs1v15Sign::new::<sha2::Sha256>(),
                HashAlgorithm::Sha384 => Pkcs1v15Sign::new::<sha2::Sha384>(),
                HashAlgorithm::Sha512 => Pkcs1v15Sign::new::<sha2::Sha512>(),
            };
            pk.verify(padding, &hashed, &sig)
                .map_err(|_| SignatureError::Invalid)
        }
        (Scheme::RsaPss { hash, salt_len }, SubjectPublicKey::Rsa { modulus, exponent }) => {
            let pk = rsa_key(modulus, exponent)?;
            let sig = pad_to(signature, modulus.len())?;
            let hashed = hash.digest(message);
            let result = match hash {
                HashAlgorithm::Sha1 => pk.verify(pss::<sha1::Sha1>(salt_len), &hashed, &sig),
                HashAlgorithm::Sha224 => pk.verify(pss::<sha2::Sha224>(salt_len), &hashed, &sig),
                HashAlgorithm::Sha256 => pk.verify(pss::<sha2::Sha256>(salt_len), &hashed, &sig),
                HashAlgorithm::Sha384 => pk.verify(pss::<sha2::Sha384>(salt_len), &hashed, &sig),
                HashAlgorithm::Sha512 => pk.verify(pss::<sha2::Sha512>(salt_len), &hashed, &sig),
            };
            result.map_err(|_| SignatureError::Invalid)
        }
        (Scheme::EcdsaDer(h) | Scheme::EcdsaPlain(h), SubjectPublicKey::Ec { curve, point }) => {
            let curve = curve.ok_or(SignatureError::UnsupportedCurve)?;
            let plain = matches!(s, Scheme::EcdsaPlain(_));
            let prehash = h.digest(message);
            // A hash shorter than the field is the same integer left-padded
            // (SEC 1 bits2int); the curve crates want at least half a field.
            let prehash = left_pad(&prehash, curve.field_len());
            use super::curve_params as c;
            match curve {
                EcCurve::P256 => ec_verify_p256(point, &prehash, signature, plain),
                EcCurve::P384 => ec_verify_p384(point, &prehash, signature, plain),
                EcCurve::BrainpoolP256r1 => ec_verify_bp256(point, &prehash, signature, plain),
                EcCurve::BrainpoolP384r1 => ec_verify_bp384(point, &prehash, signature, plain),
                EcCurve::P521 => ec_verify_p521(point, &prehash, signature, plain),
                EcCurve::BrainpoolP512r1 => {
                    generic(&c::BRAINPOOL_P512R1, point, &prehash, signature, plain)
                }
                EcCurve::BrainpoolP320r1 => {
                    generic(&c::BRAINPOOL_P320R1, point, &prehash, signature, plain)
                }
                EcCurve::BrainpoolP224r1 => {
                    generic(&c::BRAINPOOL_P224R1, point, &prehash, signature, plain)
                }
                EcCurve::BrainpoolP192r1 => {
                    generic(&c::BRAINPOOL_P192R1, point, &prehash, signature, plain)
                }
                EcCurve::P224 => generic(&c::P224, point, &prehash, signature, plain),
                EcCurve::P192 => generic(&c::P192, point, &prehash, signature, plain),
            }
        }
        _ => Err(SignatureError::KeyMismatch),
    }
}

fn pss<D: sha2::Digest + rsa::sha2::digest::FixedOutputReset>(salt_len: usize) -> Pss<D> {
    Pss {
        blinded: false,
        digest: D::new(),
        salt_len: Some(salt_len),
    }
}

/// Largest RSA modulus accepted (CSCAs use up to 4096; leave headroom).
const MAX_RSA_BITS: usize = 8192;

fn rsa_key(modulus: &[u8], exponent: &[u8]) -> Result<RsaPublicKey, SignatureError> {
    if modulus.len() * 8 > MAX_RSA_BITS || exponent.len() > 8 {
        return Err(SignatureError::MalformedKey(
            "RSA modulus or exponent too large",
        ));
    }
    let n = BoxedUint::from_be_slice_vartime(modulus);
    let e = BoxedUint::from_be_slice_vartime(exponent);
    RsaPublicKey::new_with_size_limits(n, e, 1024..=MAX_RSA_BITS)
        .map_err(|_| SignatureError::MalformedKey("invalid RSA public key"))
}

/// Signatures shorter than the modulus (leading zeros dropped by the signer)
/// are left-padded; longer ones are malformed.
fn pad_to(sig: &[u8], len: usize) -> Result<Vec<u8>, SignatureError> {
    let sig = if sig.len() > len {
        ber::strip_leading_zeros(sig)
    } else {
        sig
    };
    if sig.len() > len {
        return Err(SignatureError::MalformedSignature);
    }
    let mut out = vec![0u8; len - sig.len()];
    out.extend_from_slice(sig);
    Ok(out)
}

macro_rules! ec_verify_fn {
    ($name:ident, $curve:ty) => {
        fn $name(
            point: &[u8],
            prehash: &[u8],
            signature: &[u8],
            plain: bool,
        ) -> Result<(), SignatureError> {
            let key = ecdsa::VerifyingKey::<$curve>::from_sec1_bytes(point)
                .map_err(|_| SignatureError::MalformedKey("invalid EC point"))?;
            let sig = if plain {
                ecdsa::Signature::<$curve>::from_slice(signature)
            } else {
                ecdsa::Signature::<$curve>::from_der(signature)
            }
            .map_err(|_| SignatureError::MalformedSignature)?;
            key.verify_prehash(prehash, &sig)
                .map_err(|_| SignatureError::Invalid)
        }
    };
}

ec_verify_fn!(ec_verify_p256, p256::NistP256);
ec_verify_fn!(ec_verify_p384, p384::NistP384);
ec_verify_fn!(ec_verify_bp256, bp256::BrainpoolP256r1);
ec_verify_fn!(ec_verify_bp384, bp384::BrainpoolP384r1);
ec_verify_fn!(ec_verify_p521, p521::NistP521);

fn left_pad(hash: &[u8], len: usize) -> Vec<u8> {
    let mut out = vec![0u8; len.saturating_sub(hash.len())];
    out.extend_from_slice(hash);
    out
}

/// ECDSA on a curve without a RustCrypto crate: split `(r, s)` from the
/// plain (`r || s`) or X9.62 DER encoding and verify generically.
fn generic(
    params: &super::weierstrass::CurveParams,
    point: &[u8],
    prehash: &[u8],
    signature: &[u8],
    plain: bool,
) -> Result<(), SignatureError> {
    let (r, s) = if plain {
        // BSI TR-03111: r and s each exactly as long as the group order
        // (`n` is hex: its length in characters is twice its bytes).
        if signature.len() != params.n.len() {
            return Err(SignatureError::MalformedSignature);
        }
        signature.split_at(signature.len() / 2)
    } else {
        der_signature(signature)?
    };
    super::weierstrass::verify_prehash(params, point, prehash, r, s)
}

/// `ECDSA-Sig-Value ::= SEQUENCE { r INTEGER, s INTEGER }`, nothing after.
fn der_signature(sig: &[u8]) -> Result<(&[u8], &[u8]), SignatureError> {
    let bad = SignatureError::MalformedSignature;
    let seq = ber::parse_one(sig).map_err(|_| bad.clone())?;
    if seq.tag != 0x30 {
        return Err(bad);
    }
    let mut r = seq.children();
    let a = r.next_tlv().ok().flatten().ok_or(bad.clone())?;
    let b = r.next_tlv().ok().flatten().ok_or(bad.clone())?;
    if a.tag != 0x02 || b.tag != 0x02 || !matches!(r.next_tlv(), Ok(None)) {
        return Err(bad);
    }
    // Strict DER (the signature is malleable otherwise): positive INTEGERs
    // in their shortest form, definite minimal lengths, nothing else. The
    // canonical re-encoding must equal what was received.
    if a.value.first().is_none_or(|x| x & 0x80 != 0)
        || b.value.first().is_none_or(|x| x & 0x80 != 0)
    {
        return Err(bad);
    }
    let canonical = der_seq(&[der_int(a.value), der_int(b.value)].concat());
    if canonical != sig {
        return Err(bad);
    }
    Ok((a.value, b.value))
}

fn der_int(v: &[u8]) -> Vec<u8> {
    let v = ber::strip_leading_zeros(v);
    let mut body = Vec::with_capacity(v.len() + 1);
    if v.first().is_none_or(|x| x & 0x80 != 0) {
        body.push(0);
    }
    body.extend_from_slice(v);
    [&[0x02][..], &crate::lds::sod::der_length(body.len()), &body].concat()
}

fn der_seq(body: &[u8]) -> Vec<u8> {
    [&[0x30][..], &crate::lds::sod::der_length(body.len()), body].concat()
}
