//! SecurityInfos (BSI TR-03110 part 3, ICAO 9303 part 11 §9.2): the content
//! of EF.CardAccess and, wrapped in tag `6E`, of DG14.

use super::oid::{self, Oid};
use super::spki::{EcCurve, PublicKeyInfo};
use super::{Ctx, LdsError, MAX_LIST};

/// Key agreement of a PACE or chip-authentication protocol.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyAgreement {
    Dh,
    Ecdh,
}

/// PACE mapping.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PaceMapping {
    Generic,
    Integrated,
    ChipAuthentication,
}

/// Secure-messaging cipher of a PACE or chip-authentication protocol.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PaceCipher {
    Des3CbcCbc,
    AesCbcCmac128,
    AesCbcCmac192,
    AesCbcCmac256,
}

impl PaceCipher {
    fn from_arc(arc: u32) -> Option<Self> {
        Some(match arc {
            1 => Self::Des3CbcCbc,
            2 => Self::AesCbcCmac128,
            3 => Self::AesCbcCmac192,
            4 => Self::AesCbcCmac256,
            _ => return None,
        })
    }

    pub fn arc(self) -> u32 {
        match self {
            Self::Des3CbcCbc => 1,
            Self::AesCbcCmac128 => 2,
            Self::AesCbcCmac192 => 3,
            Self::AesCbcCmac256 => 4,
        }
    }

    /// Session key length in bytes.
    pub fn key_len(self) -> usize {
        match self {
            Self::Des3CbcCbc | Self::AesCbcCmac128 => 16,
            Self::AesCbcCmac192 => 24,
            Self::AesCbcCmac256 => 32,
        }
    }
}

/// A fully specified PACE protocol (`id-PACE-ECDH-GM-AES-CBC-CMAC-128`, ...).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PaceProtocol {
    pub agreement: KeyAgreement,
    pub mapping: PaceMapping,
    pub cipher: PaceCipher,
}

impl PaceProtocol {
    fn mapping_arc(agreement: KeyAgreement, mapping: PaceMapping) -> Option<u32> {
        Some(match (agreement, mapping) {
            (KeyAgreement::Dh, PaceMapping::Generic) => 1,
            (KeyAgreement::Ecdh, PaceMapping::Generic) => 2,
            (KeyAgreement::Dh, PaceMapping::Integrated) => 3,
            (KeyAgreement::Ecdh, PaceMapping::Integrated) => 4,
            (KeyAgreement::Ecdh, PaceMapping::ChipAuthentication) => 6,
            (KeyAgreement::Dh, PaceMapping::ChipAuthentication) => return None,
        })
    }

    fn from_mapping_arc(arc: u32) -> Option<(KeyAgreement, PaceMapping)> {
        Some(match arc {
            1 => (KeyAgreement::Dh, PaceMapping::Generic),
            2 => (KeyAgreement::Ecdh, PaceMapping::Generic),
            3 => (KeyAgreement::Dh, PaceMapping::Integrated),
            4 => (KeyAgreement::Ecdh, PaceMapping::Integrated),
            6 => (KeyAgreement::Ecdh, PaceMapping::ChipAuthentication),
            _ => return None,
        })
    }

    pub fn from_oid(o: &Oid) -> Option<Self> {
        match oid::suffix(o, &oid::ID_PACE)?.as_slice() {
            [m, c] => {
                let (agreement, mapping) = Self::from_mapping_arc(*m)?;
                Some(Self {
                    agreement,
                    mapping,
                    cipher: PaceCipher::from_arc(*c)?,
                })
            }
            _ => None,
        }
    }

    /// The protocol OID, e.g. `0.4.0.127.0.7.2.2.4.2.2`.
    pub fn oid(self) -> Option<Oid> {
        let m = Self::mapping_arc(self.agreement, self.mapping)?;
        oid::ID_PACE
            .push_arc(m)
            .ok()?
            .push_arc(self.cipher.arc())
            .ok()
    }
}

/// Standardized domain parameters (TR-03110 part 3 table 4).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StandardizedDomainParameters {
    Modp1024_160,
    Modp2048_224,
    Modp2048_256,
    NistP192,
    BrainpoolP192r1,
    NistP224,
    BrainpoolP224r1,
    NistP256,
    BrainpoolP256r1,
    BrainpoolP320r1,
    NistP384,
    BrainpoolP384r1,
    BrainpoolP512r1,
    NistP521,
}

impl StandardizedDomainParameters {
    pub fn from_id(id: u64) -> Option<Self> {
        Some(match id {
            0 => Self::Modp1024_160,
            1 => Self::Modp2048_224,
            2 => Self::Modp2048_256,
            8 => Self::NistP192,
            9 => Self::BrainpoolP192r1,
            10 => Self::NistP224,
            11 => Self::BrainpoolP224r1,
            12 => Self::NistP256,
            13 => Self::BrainpoolP256r1,
            14 => Self::BrainpoolP320r1,
            15 => Self::NistP384,
            16 => Self::BrainpoolP384r1,
            17 => Self::BrainpoolP512r1,
            18 => Self::NistP521,
            _ => return None,
        })
    }

    pub fn id(self) -> u8 {
        match self {
            Self::Modp1024_160 => 0,
            Self::Modp2048_224 => 1,
            Self::Modp2048_256 => 2,
            Self::NistP192 => 8,
            Self::BrainpoolP192r1 => 9,
            Self::NistP224 => 10,
            Self::BrainpoolP224r1 => 11,
            Self::NistP256 => 12,
            Self::BrainpoolP256r1 => 13,
            Self::BrainpoolP320r1 => 14,
            Self::NistP384 => 15,
            Self::BrainpoolP384r1 => 16,
            Self::BrainpoolP512r1 => 17,
            Self::NistP521 => 18,
        }
    }

    /// The curve, when it is one this crate implements.
    pub fn curve(self) -> Option<EcCurve> {
        match self {
            Self::NistP192 => Some(EcCurve::P192),
            Self::BrainpoolP192r1 => Some(EcCurve::BrainpoolP192r1),
            Self::NistP224 => Some(EcCurve::P224),
            Self::BrainpoolP224r1 => Some(EcCurve::BrainpoolP224r1),
            Self::NistP256 => Some(EcCurve::P256),
            Self::BrainpoolP256r1 => Some(EcCurve::BrainpoolP256r1),
            Self::BrainpoolP320r1 => Some(EcCurve::BrainpoolP320r1),
            Self::NistP384 => Some(EcCurve::P384),
            Self::BrainpoolP384r1 => Some(EcCurve::BrainpoolP384r1),
            Self::BrainpoolP512r1 => Some(EcCurve::BrainpoolP512r1),
            Self::NistP521 => Some(EcCurve::P521),
            Self::Modp1024_160 | Self::Modp2048_224 | Self::Modp2048_256 => None,
        }
    }

    pub fn from_curve(curve: EcCurve) -> Self {
        match curve {
            EcCurve::P192 => Self::NistP192,
            EcCurve::BrainpoolP192r1 => Self::BrainpoolP192r1,
            EcCurve::P224 => Self::NistP224,
            EcCurve::BrainpoolP224r1 => Self::BrainpoolP224r1,
            EcCurve::P256 => Self::NistP256,
            EcCurve::BrainpoolP256r1 => Self::BrainpoolP256r1,
            EcCurve::BrainpoolP320r1 => Self::BrainpoolP320r1,
            EcCurve::P384 => Self::NistP384,
            EcCurve::BrainpoolP384r1 => Self::BrainpoolP384r1,
            EcCurve::BrainpoolP512r1 => Self::BrainpoolP512r1,
            EcCurve::P521 => Self::NistP521,
        }
    }
}

/// `PACEInfo ::= SEQUENCE { protocol, version INTEGER, parameterId INTEGER OPTIONAL }`
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaceInfo {
    pub oid: Oid,
    /// `None` for a PACE OID this crate does not recognise.
    pub protocol: Option<PaceProtocol>,
    pub version: u64,
    pub parameter_id: Option<u64>,
}

impl PaceInfo {
    /// The standardized parameters named by `parameter_id`.
    pub fn standardized_parameters(&self) -> Option<StandardizedDomainParameters> {
        self.parameter_id
            .and_then(StandardizedDomainParameters::from_id)
    }
}

/// `PACEDomainParameterInfo ::= SEQUENCE { protocol, domainParameter AlgorithmIdentifier, parameterId OPTIONAL }`
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaceDomainParameterInfo {
    pub oid: Oid,
    /// The domain parameters' AlgorithmIdentifier, as encoded.
    pub domain_parameter: Vec<u8>,
    /// Curve recognised from explicit parameters, if any.
    pub curve: Option<EcCurve>,
    pub parameter_id: Option<u64>,
}

/// `ChipAuthenticationInfo ::= SEQUENCE { protocol, version, keyId OPTIONAL }`
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChipAuthenticationInfo {
    pub oid: Oid,
    pub agreement: Option<KeyAgreement>,
    pub cipher: Option<PaceCipher>,
    pub version: u64,
    pub key_id: Option<u64>,
}

/// `ChipAuthenticationPublicKeyInfo ::= SEQUENCE { protocol, SubjectPublicKeyInfo, keyId OPTIONAL }`
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChipAuthenticationPublicKeyInfo {
    pub oid: Oid,
    pub agreement: Option<KeyAgreement>,
    pub public_key: PublicKeyInfo,
    pub key_id: Option<u64>,
}

/// `ActiveAuthenticationInfo ::= SEQUENCE { protocol, version, signatureAlgorithm OID }`
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActiveAuthenticationInfo {
    pub version: u64,
    pub signature_algorithm: Oid,
}

/// `TerminalAuthenticationInfo ::= SEQUENCE { protocol, version, efCVCA OPTIONAL }`
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TerminalAuthenticationInfo {
    pub oid: Oid,
    pub version: u64,
    /// The efCVCA FileID, raw.
    pub ef_cvca: Option<Vec<u8>>,
}

/// A SecurityInfo this crate does not interpret, kept whole.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownSecurityInfo {
    pub oid: Oid,
    pub raw: Vec<u8>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SecurityInfo {
    Pace(PaceInfo),
    PaceDomainParameters(PaceDomainParameterInfo),
    ChipAuthentication(ChipAuthenticationInfo),
    ChipAuthenticationDomainParameters { oid: Oid, raw: Vec<u8> },
    ChipAuthenticationPublicKey(ChipAuthenticationPublicKeyInfo),
    ActiveAuthentication(ActiveAuthenticationInfo),
    TerminalAuthentication(TerminalAuthenticationInfo),
    Unknown(UnknownSecurityInfo),
}

/// `SecurityInfos ::= SET OF SecurityInfo`
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SecurityInfos {
    pub infos: Vec<SecurityInfo>,
}

impl SecurityInfos {
    /// Parses EF.CardAccess (or EF.CardSecurity's content): a bare SET.
    pub fn parse_card_access(data: &[u8]) -> Result<Self, LdsError> {
        let cx = Ctx::new("EF.CardAccess");
        let set = cx.outer(data, 0x31, "SecurityInfos")?;
        Self::parse_set(&cx, &set)
    }

    /// Parses DG14: `6E { SecurityInfos }`.
    pub fn parse_dg14(data: &[u8]) -> Result<Self, LdsError> {
        let cx = Ctx::new("DG14");
        let outer = cx.outer(data, 0x6E, "DG14 template")?;
        let mut r = outer.children();
        let set = cx.next(&mut r, 0x31, "SecurityInfos")?;
        Self::parse_set(&cx, &set)
    }

    fn parse_set(cx: &Ctx, set: &super::Tlv<'_>) -> Result<Self, LdsError> {
        let mut infos = Vec::new();
        for item in cx.children(set, "SecurityInfo")? {
            if infos.len() >= MAX_LIST {
                return Err(cx.too_many("SecurityInfo"));
            }
            cx.expect_tag(&item, 0x30, "SecurityInfo")?;
            infos.push(parse_info(cx, &item)?);
        }
        Ok(Self { infos })
    }

    pub fn pace_infos(&self) -> impl Iterator<Item = &PaceInfo> {
        self.infos.iter().filter_map(|i| match i {
            SecurityInfo::Pace(p) => Some(p),
            _ => None,
        })
    }

    pub fn chip_authentication_infos(&self) -> impl Iterator<Item = &ChipAuthenticationInfo> {
        self.infos.iter().filter_map(|i| match i {
            SecurityInfo::ChipAuthentication(p) => Some(p),
            _ => None,
        })
    }

    pub fn chip_authentication_public_keys(
        &self,
    ) -> impl Iterator<Item = &ChipAuthenticationPublicKeyInfo> {
        self.infos.iter().filter_map(|i| match i {
            SecurityInfo::ChipAuthenticationPublicKey(p) => Some(p),
            _ => None,
        })
    }

    pub fn active_authentication(&self) -> Option<&ActiveAuthenticationInfo> {
        self.infos.iter().find_map(|i| match i {
            SecurityInfo::ActiveAuthentication(a) => Some(a),
            _ => None,
        })
    }
}

fn parse_info(cx: &Ctx, item: &super::Tlv<'_>) -> Result<SecurityInfo, LdsError> {
    let mut r = item.children();
    let protocol = cx.oid(&cx.next_any(&mut r, "protocol")?, "protocol")?;
    let unknown = || {
        SecurityInfo::Unknown(UnknownSecurityInfo {
            oid: protocol,
            raw: item.raw.to_vec(),
        })
    };
    let opt_uint = |r: &mut super::TlvReader<'_>, field| -> Result<Option<u64>, LdsError> {
        match cx.optional(r, 0x02, field)? {
            Some(t) => cx.uint(&t, field).map(Some),
            None => Ok(None),
        }
    };

    if let Some(arcs) = oid::suffix(&protocol, &oid::ID_PACE) {
        return Ok(match arcs.as_slice() {
            [_, _] => {
                let version = cx.uint(
                    &cx.next_any(&mut r, "PACEInfo version")?,
                    "PACEInfo version",
                )?;
                let parameter_id = opt_uint(&mut r, "PACEInfo parameterId")?;
                SecurityInfo::Pace(PaceInfo {
                    oid: protocol,
                    protocol: PaceProtocol::from_oid(&protocol),
                    version,
                    parameter_id,
                })
            }
            [_] => {
                let alg = cx.next(&mut r, 0x30, "PACEDomainParameterInfo domainParameter")?;
                let curve = domain_curve(cx, &alg);
                let parameter_id = opt_uint(&mut r, "PACEDomainParameterInfo parameterId")?;
                SecurityInfo::PaceDomainParameters(PaceDomainParameterInfo {
                    oid: protocol,
                    domain_parameter: alg.raw.to_vec(),
                    curve,
                    parameter_id,
                })
            }
            _ => unknown(),
        });
    }
    if let Some(arcs) = oid::suffix(&protocol, &oid::ID_CA) {
        return Ok(match arcs.as_slice() {
            [a, c] => {
                let version = cx.uint(
                    &cx.next_any(&mut r, "ChipAuthenticationInfo version")?,
                    "ChipAuthenticationInfo version",
                )?;
                let key_id = opt_uint(&mut r, "ChipAuthenticationInfo keyId")?;
                SecurityInfo::ChipAuthentication(ChipAuthenticationInfo {
                    oid: protocol,
                    agreement: agreement_arc(*a),
                    cipher: PaceCipher::from_arc(*c),
                    version,
                    key_id,
                })
            }
            [_] => SecurityInfo::ChipAuthenticationDomainParameters {
                oid: protocol,
                raw: item.raw.to_vec(),
            },
            _ => unknown(),
        });
    }
    if let Some(arcs) = oid::suffix(&protocol, &oid::ID_PK) {
        let [a] = arcs.as_slice() else {
            return Ok(unknown());
        };
        let spki = cx.next(&mut r, 0x30, "chipAuthenticationPublicKey")?;
        let public_key = PublicKeyInfo::parse_in(cx, spki.raw)?;
        let key_id = opt_uint(&mut r, "ChipAuthenticationPublicKeyInfo keyId")?;
        return Ok(SecurityInfo::ChipAuthenticationPublicKey(
            ChipAuthenticationPublicKeyInfo {
                oid: protocol,
                agreement: agreement_arc(*a),
                public_key,
                key_id,
            },
        ));
    }
    if oid::is_under(&protocol, &oid::ID_TA) || protocol == oid::ID_TA {
        let version = cx.uint(
            &cx.next_any(&mut r, "TerminalAuthenticationInfo version")?,
            "TerminalAuthenticationInfo version",
        )?;
        let ef_cvca = r
            .next_tlv()
            .map_err(cx.tlv_err("TerminalAuthenticationInfo efCVCA"))?
            .map(|t| t.value.to_vec());
        return Ok(SecurityInfo::TerminalAuthentication(
            TerminalAuthenticationInfo {
                oid: protocol,
                version,
                ef_cvca,
            },
        ));
    }
    if protocol == oid::ID_AA {
        let version = cx.uint(
            &cx.next_any(&mut r, "ActiveAuthenticationInfo version")?,
            "ActiveAuthenticationInfo version",
        )?;
        let signature_algorithm = cx.oid(
            &cx.next_any(&mut r, "ActiveAuthenticationInfo signatureAlgorithm")?,
            "ActiveAuthenticationInfo signatureAlgorithm",
        )?;
        return Ok(SecurityInfo::ActiveAuthentication(
            ActiveAuthenticationInfo {
                version,
                signature_algorithm,
            },
        ));
    }
    Ok(unknown())
}

fn agreement_arc(a: u32) -> Option<KeyAgreement> {
    match a {
        1 => Some(KeyAgreement::Dh),
        2 => Some(KeyAgreement::Ecdh),
        _ => None,
    }
}

/// Recognises explicit EC parameters inside a domain-parameter AlgorithmIdentifier.
fn domain_curve(cx: &Ctx, alg: &super::Tlv<'_>) -> Option<EcCurve> {
    let mut r = alg.children();
    let _ = cx.next_any(&mut r, "algorithm").ok()?;
    let params = r.next_tlv().ok()??;
    if params.tag == 0x06 {
        return cx
            .oid(&params, "namedCurve")
            .ok()
            .and_then(|o| EcCurve::from_oid(&o));
    }
    let mut pr = params.children();
    let _version = pr.next_tlv().ok()??;
    let field = pr.next_tlv().ok()??;
    let mut fr = field.children();
    let _ftype = fr.next_tlv().ok()??;
    let p = fr.next_tlv().ok()??;
    EcCurve::from_prime(p.value)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn hex(s: &str) -> Vec<u8> {
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    }

    #[test]
    fn icao_card_access_example() {
        // ICAO 9303-11 G.1: PACE-ECDH-GM-AES-CBC-CMAC-128, brainpoolP256r1 (13).
        let infos =
            SecurityInfos::parse_card_access(&hex("31143012060A04007F0007020204020202010202010D"))
                .unwrap();
        let pace: Vec<_> = infos.pace_infos().collect();
        assert_eq!(pace.len(), 1);
        let p = pace[0];
        assert_eq!(
            p.protocol,
            Some(PaceProtocol {
                agreement: KeyAgreement::Ecdh,
                mapping: PaceMapping::Generic,
                cipher: PaceCipher::AesCbcCmac128
            })
        );
        assert_eq!(p.version, 2);
        assert_eq!(
            p.standardized_parameters(),
            Some(StandardizedDomainParameters::BrainpoolP256r1)
        );
        assert_eq!(p.protocol.and_then(PaceProtocol::oid), Some(p.oid));
    }

    #[test]
    fn unknown_info_is_kept_raw() {
        // SET { SEQUENCE { OID 1.2.3, INTEGER 1 } }
        let infos = SecurityInfos::parse_card_access(&hex("3109300706022A03020101")).unwrap();
        assert!(matches!(infos.infos[0], SecurityInfo::Unknown(_)));
    }

    #[test]
    fn truncated_is_an_error() {
        assert!(
            SecurityInfos::parse_card_access(&hex("31143012060A04007F00070202040202")).is_err()
        );
    }
}
