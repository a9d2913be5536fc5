//! SubjectPublicKeyInfo as found in DG15, DG14 and certificates: RSA or EC,
//! with named or explicit (ICAO/BSI style) curve parameters.

use super::ber::{self, TlvReader};
use super::oid::{self, Oid};
use super::{Ctx, LdsError};

/// The curves real CSCAs, Document Signers and chip keys use. All verify
/// ECDSA signatures; PACE and chip authentication implement the ones
/// `crate::pace` lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EcCurve {
    P256,
    P384,
    BrainpoolP256r1,
    BrainpoolP384r1,
    P521,
    BrainpoolP512r1,
    P192,
    P224,
    BrainpoolP192r1,
    BrainpoolP224r1,
    BrainpoolP320r1,
}

impl EcCurve {
    pub const ALL: [Self; 11] = [
        Self::P256,
        Self::P384,
        Self::BrainpoolP256r1,
        Self::BrainpoolP384r1,
        Self::P521,
        Self::BrainpoolP512r1,
        Self::P192,
        Self::P224,
        Self::BrainpoolP192r1,
        Self::BrainpoolP224r1,
        Self::BrainpoolP320r1,
    ];

    pub fn oid(self) -> Oid {
        match self {
            Self::P256 => oid::SECP256R1,
            Self::P384 => oid::SECP384R1,
            Self::BrainpoolP256r1 => oid::BRAINPOOL_P256R1,
            Self::BrainpoolP384r1 => oid::BRAINPOOL_P384R1,
            Self::P521 => oid::SECP521R1,
            Self::BrainpoolP512r1 => oid::BRAINPOOL_P512R1,
            Self::P192 => oid::SECP192R1,
            Self::P224 => oid::SECP224R1,
            Self::BrainpoolP192r1 => oid::BRAINPOOL_P192R1,
            Self::BrainpoolP224r1 => oid::BRAINPOOL_P224R1,
            Self::BrainpoolP320r1 => oid::BRAINPOOL_P320R1,
        }
    }

    pub fn from_oid(o: &Oid) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.oid() == *o)
    }

    /// Field (and coordinate) size in bytes.
    pub fn field_len(self) -> usize {
        match self {
            Self::P192 | Self::BrainpoolP192r1 => 24,
            Self::P224 | Self::BrainpoolP224r1 => 28,
            Self::P256 | Self::BrainpoolP256r1 => 32,
            Self::BrainpoolP320r1 => 40,
            Self::P384 | Self::BrainpoolP384r1 => 48,
            Self::BrainpoolP512r1 => 64,
            Self::P521 => 66,
        }
    }

    /// Prime modulus, big-endian, to recognise explicit domain parameters.
    pub(crate) fn prime(self) -> Vec<u8> {
        use crate::pki::curve_params as c;
        let hex: &str = match self {
            Self::P256 => "ffffffff00000001000000000000000000000000ffffffffffffffffffffffff",
            Self::BrainpoolP256r1 => c::BRAINPOOL_P256R1.p,
            Self::P384 => {
                "fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffeffffffff0000000000000000ffffffff"
            }
            Self::BrainpoolP384r1 => {
                "8cb91e82a3386d280f5d6f7e50e641df152f7109ed5456b412b1da197fb71123acd3a729901d1a71874700133107ec53"
            }
            Self::P521 => c::P521.p,
            Self::BrainpoolP512r1 => c::BRAINPOOL_P512R1.p,
            Self::P192 => c::P192.p,
            Self::P224 => c::P224.p,
            Self::BrainpoolP192r1 => c::BRAINPOOL_P192R1.p,
            Self::BrainpoolP224r1 => c::BRAINPOOL_P224R1.p,
            Self::BrainpoolP320r1 => c::BRAINPOOL_P320R1.p,
        };
        (0..hex.len() / 2)
            .filter_map(|i| hex.get(2 * i..2 * i + 2))
            .filter_map(|b| u8::from_str_radix(b, 16).ok())
            .collect()
    }

    /// Group order n, big-endian: explicit parameters must state it.
    pub(crate) fn order(self) -> Vec<u8> {
        use crate::pki::curve_params as c;
        let hex: &str = match self {
            Self::P256 => "ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551",
            Self::BrainpoolP256r1 => c::BRAINPOOL_P256R1.n,
            Self::P384 => {
                "ffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973"
            }
            Self::BrainpoolP384r1 => {
                "8cb91e82a3386d280f5d6f7e50e641df152f7109ed5456b31f166e6cac0425a7cf3ab6af6b7fc3103b883202e9046565"
            }
            Self::P521 => c::P521.n,
            Self::BrainpoolP512r1 => c::BRAINPOOL_P512R1.n,
            Self::P192 => c::P192.n,
            Self::P224 => c::P224.n,
            Self::BrainpoolP192r1 => c::BRAINPOOL_P192R1.n,
            Self::BrainpoolP224r1 => c::BRAINPOOL_P224R1.n,
            Self::BrainpoolP320r1 => c::BRAINPOOL_P320R1.n,
        };
        (0..hex.len() / 2)
            .filter_map(|i| hex.get(2 * i..2 * i + 2))
            .filter_map(|b| u8::from_str_radix(b, 16).ok())
            .collect()
    }

    /// Recognises explicit parameters by their prime. The verifier then uses
    /// its own constants for the curve, so a forged `a`/`b`/`G` cannot weaken
    /// it; a mismatching key simply fails to decode or verify.
    pub fn from_prime(p: &[u8]) -> Option<Self> {
        let p = ber::strip_leading_zeros(p);
        Self::ALL
            .into_iter()
            .find(|c| ber::strip_leading_zeros(&c.prime()) == p)
    }
}

/// A parsed public key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SubjectPublicKey {
    /// Big-endian modulus and exponent, sign padding removed.
    Rsa { modulus: Vec<u8>, exponent: Vec<u8> },
    /// SEC1 point; `curve` is `None` for parameters this crate does not know.
    Ec {
        curve: Option<EcCurve>,
        point: Vec<u8>,
    },
    /// Finite-field DH (DG14 DH chip authentication keys); kept raw.
    Other { algorithm: Oid, key: Vec<u8> },
}

/// SubjectPublicKeyInfo with the encoding as read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicKeyInfo {
    pub algorithm: Oid,
    pub key: SubjectPublicKey,
    /// The whole SubjectPublicKeyInfo encoding.
    pub raw: Vec<u8>,
}

impl PublicKeyInfo {
    /// Parses a DER SubjectPublicKeyInfo (the SEQUENCE, tag included).
    pub fn parse(data: &[u8]) -> Result<Self, LdsError> {
        Self::parse_in(&Ctx::new("SubjectPublicKeyInfo"), data)
    }

    pub(crate) fn parse_in(cx: &Ctx, data: &[u8]) -> Result<Self, LdsError> {
        let spki = cx.outer(data, 0x30, "SubjectPublicKeyInfo")?;
        let mut r = spki.children();
        let alg = cx.next(&mut r, 0x30, "algorithm")?;
        let mut ar = alg.children();
        let algorithm = cx.oid(&cx.next_any(&mut ar, "algorithm OID")?, "algorithm OID")?;
        let params = ar.next_tlv().map_err(cx.tlv_err("algorithm parameters"))?;
        let bits = cx.next(&mut r, 0x03, "subjectPublicKey")?;
        let key_bytes = match bits.value.split_first() {
            Some((0, rest)) => rest,
            _ => return Err(cx.invalid("subjectPublicKey", "BIT STRING with unused bits")),
        };
        let key = if algorithm == oid::RSA_ENCRYPTION || algorithm == oid::RSASSA_PSS {
            let rsa = ber::parse_one(key_bytes).map_err(cx.tlv_err("RSAPublicKey"))?;
            cx.expect_tag(&rsa, 0x30, "RSAPublicKey")?;
            let mut kr = rsa.children();
            let n = cx.next(&mut kr, 0x02, "modulus")?;
            let e = cx.next(&mut kr, 0x02, "publicExponent")?;
            SubjectPublicKey::Rsa {
                modulus: ber::strip_leading_zeros(n.value).to_vec(),
                exponent: ber::strip_leading_zeros(e.value).to_vec(),
            }
        } else if algorithm == oid::EC_PUBLIC_KEY
            || algorithm == oid::STANDARDIZED_DOMAIN_PARAMETERS
            || oid::is_under(&algorithm, &oid::ID_PK)
            || oid::is_under(&algorithm, &oid::ID_CA)
        {
            let curve = match params {
                Some(p) if p.tag == 0x06 => cx
                    .oid(&p, "namedCurve")
                    .ok()
                    .and_then(|o| EcCurve::from_oid(&o)),
                Some(p) if p.tag == 0x30 => explicit_curve(cx, &p)?,
                // BSI TR-03110 standardized domain parameters by id (DG14
                // chip-authentication keys of German and Dutch documents).
                Some(p) if p.tag == 0x02 => ber::uint_value(p.value)
                    .and_then(super::StandardizedDomainParameters::from_id)
                    .and_then(super::StandardizedDomainParameters::curve),
                _ => None,
            };
            let dh_by_id = params.is_some_and(|p| {
                p.tag == 0x02
                    && ber::uint_value(p.value)
                        .and_then(super::StandardizedDomainParameters::from_id)
                        .is_some_and(|s| s.curve().is_none())
            });
            if (oid::is_under(&algorithm, &oid::ID_PK)
                || algorithm == oid::STANDARDIZED_DOMAIN_PARAMETERS)
                && (dh_by_id || (params.is_some_and(|p| p.tag == 0x30) && curve.is_none()))
            {
                // id-PK-DH keys carry DH parameters (SEQUENCE too): keep raw.
                SubjectPublicKey::Other {
                    algorithm,
                    key: key_bytes.to_vec(),
                }
            } else {
                SubjectPublicKey::Ec {
                    curve,
                    point: key_bytes.to_vec(),
                }
            }
        } else {
            SubjectPublicKey::Other {
                algorithm,
                key: key_bytes.to_vec(),
            }
        };
        Ok(Self {
            algorithm,
            key,
            raw: spki.raw.to_vec(),
        })
    }
}

/// ECParameters ::= SEQUENCE { version, fieldID SEQUENCE { prime-field, p }, ... }
fn explicit_curve(cx: &Ctx, params: &ber::Tlv<'_>) -> Result<Option<EcCurve>, LdsError> {
    let mut r: TlvReader<'_> = params.children();
    let first = cx.next_any(&mut r, "ECParameters")?;
    if first.tag != 0x02 {
        // Not ECParameters (DH domain parameters start with an INTEGER too,
        // but are followed by INTEGERs, not a SEQUENCE).
        return Ok(None);
    }
    let Some(field) = r.next_tlv().map_err(cx.tlv_err("fieldID"))? else {
        return Ok(None);
    };
    if field.tag != 0x30 {
        return Ok(None);
    }
    let mut fr = field.children();
    let ftype = cx.oid(&cx.next_any(&mut fr, "fieldType")?, "fieldType")?;
    if ftype != oid::PRIME_FIELD {
        return Ok(None);
    }
    let p = cx.next(&mut fr, 0x02, "prime")?;
    let Some(curve) = EcCurve::from_prime(p.value) else {
        return Ok(None);
    };
    // The arithmetic uses the named curve's own constants; the stated order
    // must be that curve's and the cofactor (OPTIONAL in SEC 1) 1, else the
    // key claims another group (Wycheproof's WrongOrder/LargeCofactor keys).
    let _curve = cx.next(&mut r, 0x30, "curve")?;
    let _base = cx.next(&mut r, 0x04, "base")?;
    let order = cx.next(&mut r, 0x02, "order")?;
    if ber::strip_leading_zeros(order.value) != ber::strip_leading_zeros(&curve.order()) {
        return Ok(None);
    }
    match r.next_tlv().map_err(cx.tlv_err("cofactor"))? {
        None => Ok(Some(curve)),
        Some(h) if h.tag == 0x02 && h.value == [1] => Ok(Some(curve)),
        Some(_) => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn primes_are_well_formed() {
        for c in EcCurve::ALL {
            let p = c.prime();
            assert_eq!(ber::strip_leading_zeros(&p).len(), c.field_len(), "{c:?}");
            assert_eq!(EcCurve::from_prime(&[&[0u8][..], &p[..]].concat()), Some(c));
            assert_eq!(EcCurve::from_oid(&c.oid()), Some(c));
        }
    }

    #[test]
    fn explicit_parameters_are_recognised_by_prime() {
        fn tlv(tag: u8, v: &[u8]) -> Vec<u8> {
            let mut out = vec![tag];
            if v.len() < 0x80 {
                out.push(v.len() as u8);
            } else {
                out.extend_from_slice(&[0x82, (v.len() >> 8) as u8, v.len() as u8]);
            }
            out.extend_from_slice(v);
            out
        }
        let p = [&[0u8][..], &EcCurve::BrainpoolP256r1.prime()[..]].concat();
        let field = tlv(
            0x30,
            &[tlv(0x06, oid::PRIME_FIELD.as_bytes()), tlv(0x02, &p)].concat(),
        );
        let curve = tlv(0x30, &[tlv(0x04, &[1; 32]), tlv(0x04, &[2; 32])].concat());
        let params = tlv(
            0x30,
            &[
                tlv(0x02, &[1]),
                field.clone(),
                curve.clone(),
                tlv(0x04, &[4; 65]),
                tlv(0x02, &EcCurve::BrainpoolP256r1.order()),
                tlv(0x02, &[1]),
            ]
            .concat(),
        );
        let alg = tlv(
            0x30,
            &[tlv(0x06, oid::EC_PUBLIC_KEY.as_bytes()), params].concat(),
        );
        let spki = tlv(
            0x30,
            &[alg, tlv(0x03, &[&[0u8][..], &[4u8; 65][..]].concat())].concat(),
        );
        let info = PublicKeyInfo::parse(&spki).unwrap();
        assert!(matches!(
            info.key,
            SubjectPublicKey::Ec {
                curve: Some(EcCurve::BrainpoolP256r1),
                ..
            }
        ));
        // Another order or a cofactor other than 1: not this curve.
        for (order, cofactor) in [
            ([5u8; 32].to_vec(), 1u8),
            (EcCurve::BrainpoolP256r1.order(), 2),
        ] {
            let params = tlv(
                0x30,
                &[
                    tlv(0x02, &[1]),
                    field.clone(),
                    curve.clone(),
                    tlv(0x04, &[4; 65]),
                    tlv(0x02, &order),
                    tlv(0x02, &[cofactor]),
                ]
                .concat(),
            );
            let alg = tlv(
                0x30,
                &[tlv(0x06, oid::EC_PUBLIC_KEY.as_bytes()), params].concat(),
            );
            let spki = tlv(
                0x30,
                &[alg, tlv(0x03, &[&[0u8][..], &[4u8; 65][..]].concat())].concat(),
            );
            let info = PublicKeyInfo::parse(&spki).unwrap();
            assert!(
                matches!(info.key, SubjectPublicKey::Ec { curve: None, .. }),
                "{order:02x?} {cofactor}"
            );
        }
    }

    /// The hard-coded orders are the curve crates' own.
    #[test]
    fn orders_match_the_curve_crates() {
        use p256::elliptic_curve::Curve;
        let be = |words: &[u8]| ber::strip_leading_zeros(words).to_vec();
        assert_eq!(
            be(&p256::NistP256::ORDER.to_be_bytes()),
            EcCurve::P256.order()
        );
        assert_eq!(
            be(&p384::NistP384::ORDER.to_be_bytes()),
            EcCurve::P384.order()
        );
        assert_eq!(
            be(&bp384::BrainpoolP384r1::ORDER.to_be_bytes()),
            EcCurve::BrainpoolP384r1.order()
        );
    }

    #[test]
    fn standardized_parameter_ids_name_their_curve() {
        // SEQUENCE { SEQUENCE { id-PK-ECDH, INTEGER id }, BIT STRING point }
        let spki = |id: u8, alg: &Oid| {
            let a = alg.as_bytes();
            let mut algo = vec![0x06, a.len() as u8];
            algo.extend_from_slice(a);
            algo.extend_from_slice(&[0x02, 0x01, id]);
            let mut v = vec![0x30, algo.len() as u8];
            v.extend_from_slice(&algo);
            v.extend_from_slice(&[0x03, 0x42, 0x00, 0x04]);
            v.extend_from_slice(&[0x22; 64]);
            let mut out = vec![0x30, v.len() as u8];
            out.extend_from_slice(&v);
            out
        };
        let ecdh = Oid::new_unwrap("0.4.0.127.0.7.2.2.1.2");
        let dh = Oid::new_unwrap("0.4.0.127.0.7.2.2.1.1");
        for (id, curve) in [
            (13, EcCurve::BrainpoolP256r1),
            (12, EcCurve::P256),
            (17, EcCurve::BrainpoolP512r1),
            (11, EcCurve::BrainpoolP224r1),
            (14, EcCurve::BrainpoolP320r1),
        ] {
            // id-PK-ECDH (DG14) and standardizedDomainParameters (German
            // EF.CardSecurity) name the parameters the same way.
            for alg in [&ecdh, &oid::STANDARDIZED_DOMAIN_PARAMETERS] {
                let info = PublicKeyInfo::parse(&spki(id, alg)).unwrap();
                assert!(
                    matches!(info.key, SubjectPublicKey::Ec { curve: Some(c), .. } if c == curve),
                    "{id}: {:?}",
                    info.key
                );
            }
        }
        // Id 2 is the 2048-bit MODP group: a DH key, kept raw.
        let info = PublicKeyInfo::parse(&spki(2, &dh)).unwrap();
        assert!(matches!(info.key, SubjectPublicKey::Other { .. }));
    }

    #[test]
    fn named_curve_spki() {
        // SEQUENCE { SEQUENCE { ecPublicKey, prime256v1 }, BIT STRING 04 || 64 bytes }
        let mut spki = vec![0x30, 0x59, 0x30, 0x13, 0x06, 0x07];
        spki.extend_from_slice(oid::EC_PUBLIC_KEY.as_bytes());
        spki.extend_from_slice(&[0x06, 0x08]);
        spki.extend_from_slice(oid::SECP256R1.as_bytes());
        spki.extend_from_slice(&[0x03, 0x42, 0x00, 0x04]);
        spki.extend_from_slice(&[0x11; 64]);
        let info = PublicKeyInfo::parse(&spki).unwrap();
        assert!(
            matches!(info.key, SubjectPublicKey::Ec { curve: Some(EcCurve::P256), ref point } if point.len() == 65)
        );
    }
}
