//! Issuing a document: the LDS files, the SOD over them, and the keys the
//! chip needs.

use super::der;
use super::jpeg::{self, PortraitError};
use super::keys::{self, KeyAlgorithm, KeyError};
use super::test_pki::{DocumentSignerVariant, Signer, TestPki};
use crate::lds::oid::{self, Oid};
use crate::lds::{DataGroup, EcCurve, PaceProtocol, StandardizedDomainParameters, fid};
use rsa::RsaPrivateKey;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use zeroize::Zeroizing;

/// How DG2 encodes the facial record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PortraitEncoding {
    /// ISO/IEC 19794-5:2005 binary record in tag 5F2E (what documents carry today).
    Iso19794_5,
    /// ISO/IEC 39794-5 ASN.1 record in tag 7F2E (LDS 2 era).
    Iso39794_5,
}

/// A fault built into the issued document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DocumentFault {
    /// One byte of this data group flipped after the SOD was signed.
    TamperedDataGroup(DataGroup),
    /// Signed by an expired Document Signer.
    ExpiredDocumentSigner,
    /// Signed by a Document Signer from a CSCA outside the trust store.
    UntrustedDocumentSigner,
}

/// What to issue.
#[derive(Clone, PartialEq, Eq)]
pub struct DocumentSpec {
    /// The MRZ without line breaks: 90 characters (TD1) or 88 (TD3).
    pub mrz: String,
    /// Size of the JPEG portrait in bytes (DG2 adds about 70 bytes).
    pub portrait_bytes: usize,
    /// Face record standard for DG2.
    pub portrait_encoding: PortraitEncoding,
    /// PACE protocols for EF.CardAccess (and DG14); empty for a BAC-only
    /// document, which has no EF.CardAccess.
    pub pace: Vec<(PaceProtocol, StandardizedDomainParameters)>,
    /// Chip authentication key curve (DG14), if any.
    pub chip_authentication: Option<EcCurve>,
    /// Active authentication key (DG15), if any.
    pub active_authentication: Option<KeyAlgorithm>,
    /// DG11 fields (tag, text), e.g. `(0x5F0E, "NORDMANN<<KARI")`; empty for no DG11.
    pub dg11: Vec<(u32, String)>,
    /// Seed for the chip's keys and the portrait.
    pub seed: Vec<u8>,
    pub faults: Vec<DocumentFault>,
}

impl core::fmt::Debug for DocumentSpec {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("DocumentSpec")
            .field("mrz", &crate::lds::Redacted(self.mrz.len()))
            .field("portrait_bytes", &self.portrait_bytes)
            .field("pace", &self.pace)
            .field("chip_authentication", &self.chip_authentication)
            .field("active_authentication", &self.active_authentication)
            .field("dg11_fields", &self.dg11.len())
            .field("faults", &self.faults)
            .finish()
    }
}

/// ICAO 9303-3 specimen MRZs (fictional holders).
pub const SPECIMEN_TD3: &str =
    "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<L898902C36UTO7408122F1204159ZE184226B<<<<<10";
pub const SPECIMEN_TD1: &str =
    "I<UTOD231458907<<<<<<<<<<<<<<<7408122F1204159UTO<<<<<<<<<<<6ERIKSSON<<ANNA<MARIA<<<<<<<<<<";

impl DocumentSpec {
    /// A Norwegian-sized passport: 17.6 KB portrait, PACE (ECDH-GM, AES-128,
    /// brainpoolP256r1) and BAC, chip authentication on brainpoolP256r1,
    /// ECDSA P-256 active authentication.
    pub fn passport(mrz: &str) -> Self {
        Self {
            mrz: mrz.to_owned(),
            portrait_bytes: 17_600,
            portrait_encoding: PortraitEncoding::Iso19794_5,
            pace: vec![(
                PaceProtocol {
                    agreement: crate::lds::KeyAgreement::Ecdh,
                    mapping: crate::lds::PaceMapping::Generic,
                    cipher: crate::lds::PaceCipher::AesCbcCmac128,
                },
                StandardizedDomainParameters::BrainpoolP256r1,
            )],
            chip_authentication: Some(EcCurve::BrainpoolP256r1),
            active_authentication: Some(KeyAlgorithm::Ecdsa(EcCurve::P256)),
            dg11: Vec::new(),
            seed: b"aktiver test document".to_vec(),
            faults: Vec::new(),
        }
    }

    /// A TD1 ID card, otherwise like [`Self::passport`].
    pub fn id_card(mrz: &str) -> Self {
        Self::passport(mrz)
    }

    pub fn with_fault(mut self, fault: DocumentFault) -> Self {
        self.faults.push(fault);
        self
    }
}

/// The chip's chip-authentication key (static ECDH).
pub struct ChipAuthenticationKey {
    pub curve: EcCurve,
    pub key_id: Option<u64>,
    /// Secret scalar, big-endian, field-size bytes.
    pub secret: Zeroizing<Vec<u8>>,
    /// Uncompressed SEC1 public point (as in DG14).
    pub public_point: Vec<u8>,
}

impl core::fmt::Debug for ChipAuthenticationKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("ChipAuthenticationKey")
            .field("curve", &self.curve)
            .field("key_id", &self.key_id)
            .finish_non_exhaustive()
    }
}

/// The chip's active-authentication key.
pub enum ActiveAuthenticationKey {
    Ecdsa {
        curve: EcCurve,
        secret: Zeroizing<Vec<u8>>,
    },
    Rsa(Box<RsaPrivateKey>),
}

impl core::fmt::Debug for ActiveAuthenticationKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Self::Ecdsa { curve, .. } => write!(f, "ActiveAuthenticationKey::Ecdsa({curve:?})"),
            Self::Rsa(_) => write!(f, "ActiveAuthenticationKey::Rsa"),
        }
    }
}

impl ActiveAuthenticationKey {
    /// ECDSA signature in plain `r || s` form (BSI TR-03111, as ICAO 9303-11
    /// §6.1 asks of active authentication) over `message`, hashed with the
    /// curve's customary SHA-2. `None` for RSA keys.
    pub fn sign_ecdsa_plain(&self, message: &[u8]) -> Option<Vec<u8>> {
        let Self::Ecdsa { curve, secret } = self else {
            return None;
        };
        let der_sig = keys::ecdsa_sign(*curve, secret, message)?;
        let t = crate::lds::ber::parse_one(&der_sig).ok()?;
        let mut r = t.children();
        let n = curve.field_len();
        let mut out = Vec::with_capacity(2 * n);
        for _ in 0..2 {
            let int = r.next_tlv().ok()??;
            let v = crate::lds::ber::strip_leading_zeros(int.value);
            out.extend(std::iter::repeat_n(0u8, n.checked_sub(v.len())?));
            out.extend_from_slice(v);
        }
        Some(out)
    }
}

/// Private keys the chip needs.
#[derive(Debug, Default)]
pub struct ChipKeys {
    pub chip_authentication: Option<ChipAuthenticationKey>,
    pub active_authentication: Option<ActiveAuthenticationKey>,
}

/// An issued document: its files by FID, its keys and its signer.
#[derive(Debug)]
pub struct IssuedDocument {
    pub files: BTreeMap<u16, Vec<u8>>,
    pub keys: ChipKeys,
    /// The Document Signer certificate embedded in EF.SOD.
    pub document_signer: Vec<u8>,
}

impl IssuedDocument {
    pub fn file(&self, fid: u16) -> Option<&[u8]> {
        self.files.get(&fid).map(Vec::as_slice)
    }

    /// The data groups present, for passive authentication.
    pub fn data_groups(&self) -> Vec<(DataGroup, &[u8])> {
        self.files
            .iter()
            .filter_map(|(&f, v)| DataGroup::from_fid(f).map(|dg| (dg, v.as_slice())))
            .collect()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IssueError {
    #[error("the MRZ must be 90 (TD1) or 88 (TD3) characters of A-Z, 0-9 and <")]
    Mrz,
    #[error("portrait: {0}")]
    Portrait(#[from] PortraitError),
    #[error("key: {0}")]
    Key(#[from] KeyError),
    #[error("a data group to tamper with is not in the document")]
    NothingToTamper,
    #[error("unsupported PACE configuration")]
    Pace,
}

fn tlv16(tag: u32, v: &[u8]) -> Vec<u8> {
    der::tlv(tag, v)
}

/// Issues a document signed by `pki`'s Document Signer (or the faulty one
/// the spec asks for).
pub fn issue(pki: &TestPki, spec: &DocumentSpec) -> Result<IssuedDocument, IssueError> {
    if !matches!(spec.mrz.len(), 88 | 90)
        || !spec
            .mrz
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'<')
    {
        return Err(IssueError::Mrz);
    }
    let mut files = BTreeMap::new();
    let mut keys = ChipKeys::default();

    // DG1
    files.insert(fid::DG1, tlv16(0x61, &tlv16(0x5F1F, spec.mrz.as_bytes())));

    // DG2
    let (jpeg, w, h) = jpeg::portrait(&spec.seed, spec.portrait_bytes)?;
    let dg2 = match spec.portrait_encoding {
        PortraitEncoding::Iso19794_5 => dg2_19794(&jpeg, w, h),
        PortraitEncoding::Iso39794_5 => dg2_39794(&jpeg, w, h),
    };
    files.insert(fid::DG2, dg2);

    // DG11
    if !spec.dg11.is_empty() {
        let tags: Vec<u8> = spec.dg11.iter().flat_map(|(t, _)| der_tag(*t)).collect();
        let mut body = tlv16(0x5C, &tags);
        for (t, v) in &spec.dg11 {
            body.extend_from_slice(&tlv16(*t, v.as_bytes()));
        }
        files.insert(fid::DG11, tlv16(0x6B, &body));
    }

    // PACE infos, shared by EF.CardAccess and DG14.
    let mut pace_infos = Vec::new();
    for (protocol, params) in &spec.pace {
        let o = protocol.oid().ok_or(IssueError::Pace)?;
        pace_infos.push(der::seq(&[
            &der::oid(&o),
            &der::uint(2),
            &der::uint(u64::from(params.id())),
        ]));
    }
    if !pace_infos.is_empty() {
        let refs: Vec<&[u8]> = pace_infos.iter().map(Vec::as_slice).collect();
        files.insert(fid::EF_CARD_ACCESS, der::set_of(&refs));
    }

    // DG14: chip authentication (+ PACE and AA infos).
    let mut dg14_infos = pace_infos.clone();
    if let Some(curve) = spec.chip_authentication {
        let secret = keys::derive_ec_secret(curve, &spec.seed, "chip-authentication");
        let point = keys::ec_public_point(curve, &secret).unwrap_or_default();
        let ca_oid = oid::ID_CA
            .push_arc(2)
            .and_then(|o| o.push_arc(2))
            .map_err(|_| IssueError::Pace)?;
        let pk_oid = oid::ID_PK.push_arc(2).map_err(|_| IssueError::Pace)?;
        dg14_infos.push(der::seq(&[&der::oid(&ca_oid), &der::uint(1)]));
        dg14_infos.push(der::seq(&[
            &der::oid(&pk_oid),
            &keys::ec_spki(curve, &point),
        ]));
        keys.chip_authentication = Some(ChipAuthenticationKey {
            curve,
            key_id: None,
            secret,
            public_point: point,
        });
    }
    if let Some(alg) = spec.active_authentication {
        let (spki, key) = match alg {
            KeyAlgorithm::Ecdsa(curve) => {
                let secret = keys::derive_ec_secret(curve, &spec.seed, "active-authentication");
                let point = keys::ec_public_point(curve, &secret).unwrap_or_default();
                let hash = match curve.field_len() {
                    0..=32 => oid::ECDSA_SHA256,
                    33..=48 => oid::ECDSA_SHA384,
                    _ => oid::ECDSA_SHA512,
                };
                dg14_infos.push(der::seq(&[
                    &der::oid(&oid::ID_AA),
                    &der::uint(1),
                    &der::oid(&hash),
                ]));
                (
                    keys::ec_spki(curve, &point),
                    ActiveAuthenticationKey::Ecdsa { curve, secret },
                )
            }
            KeyAlgorithm::RsaPkcs1 { bits } | KeyAlgorithm::RsaPss { bits } => {
                let mut rng = keys::SeedRng::new(&spec.seed, "active-authentication");
                let k = RsaPrivateKey::new(&mut rng, bits)
                    .map_err(|_| IssueError::Key(KeyError::RsaGeneration))?;
                (
                    keys::rsa_spki(&k),
                    ActiveAuthenticationKey::Rsa(Box::new(k)),
                )
            }
        };
        files.insert(fid::DG15, tlv16(0x6F, &spki));
        keys.active_authentication = Some(key);
    }
    if !dg14_infos.is_empty() {
        let refs: Vec<&[u8]> = dg14_infos.iter().map(Vec::as_slice).collect();
        files.insert(fid::DG14, tlv16(0x6E, &der::set_of(&refs)));
    }

    // EF.COM lists the data groups present.
    let tag_list: Vec<u8> = files
        .keys()
        .filter_map(|&f| DataGroup::from_fid(f))
        .map(DataGroup::tag)
        .collect();
    let com = [
        tlv16(0x5F01, b"0107"),
        tlv16(0x5F36, b"040000"),
        tlv16(0x5C, &tag_list),
    ]
    .concat();
    files.insert(fid::EF_COM, tlv16(0x60, &com));

    // EF.SOD over the data groups.
    let variant = if spec
        .faults
        .contains(&DocumentFault::UntrustedDocumentSigner)
    {
        DocumentSignerVariant::UntrustedCsca
    } else if spec.faults.contains(&DocumentFault::ExpiredDocumentSigner) {
        DocumentSignerVariant::Expired
    } else {
        DocumentSignerVariant::Valid
    };
    let signer = pki.document_signer(variant)?;
    let hashes: Vec<Vec<u8>> = files
        .iter()
        .filter_map(|(&f, v)| {
            DataGroup::from_fid(f).map(|dg| {
                der::seq(&[
                    &der::uint(u64::from(dg.number())),
                    &der::octets(&Sha256::digest(v)),
                ])
            })
        })
        .collect();
    let hash_refs: Vec<&[u8]> = hashes.iter().map(Vec::as_slice).collect();
    let lso = der::seq(&[
        &der::uint(0),
        &der::seq(&[&der::oid(&oid::SHA256)]),
        &der::seq(&hash_refs),
    ]);
    let content_info = signed_data(&oid::LDS_SECURITY_OBJECT, &lso, &signer)?;
    files.insert(fid::EF_SOD, tlv16(0x77, &content_info));

    for fault in &spec.faults {
        if let DocumentFault::TamperedDataGroup(dg) = fault {
            let file = files
                .get_mut(&dg.fid())
                .ok_or(IssueError::NothingToTamper)?;
            if let Some(last) = file.last_mut() {
                *last ^= 0x01;
            }
        }
    }

    Ok(IssuedDocument {
        files,
        keys,
        document_signer: signer.certificate.der.clone(),
    })
}

fn der_tag(tag: u32) -> Vec<u8> {
    let b = tag.to_be_bytes();
    let skip = b.iter().position(|&x| x != 0).unwrap_or(3);
    b.get(skip..).unwrap_or(&[]).to_vec()
}

/// DG2 with one ISO/IEC 39794-5 face image data block, wrapped as JMRTD
/// writes it: `7F2E { A1 { 65 { [0] version, [1] { RepresentationBlock } } } }`.
fn dg2_39794(jpeg: &[u8], w: u16, h: u16) -> Vec<u8> {
    let code = |tag: u32, v: u64| der::tlv(tag, &der::tlv(0x80, &der::uint_content(v)));
    let size = der::tlv(
        0xA7,
        &[
            der::tlv(0x80, &der::uint_content(u64::from(w))),
            der::tlv(0x81, &der::uint_content(u64::from(h))),
        ]
        .concat(),
    );
    // imageDataFormat jpeg (2), faceImageKind2D mrtd (1), colour space sRGB (3).
    let info = der::tlv(
        0xA1,
        &[code(0xA0, 2), code(0xA1, 1), size, code(0xA9, 3)].concat(),
    );
    let rep2d = der::tlv(0xA0, &[der::tlv(0x80, jpeg), info].concat());
    let rep = der::seq(&[
        &der::tlv(0x80, &[0]),
        &der::tlv(0xA1, &der::tlv(0xA0, &rep2d)),
    ]);
    let version = der::tlv(
        0xA0,
        &[der::tlv(0x80, &[0]), der::tlv(0x81, &[0x07, 0xE3])].concat(),
    );
    let block = der::tlv(
        0xA1,
        &der::tlv(0x65, &[version, der::tlv(0xA1, &rep)].concat()),
    );
    let bht = tlv16(0xA1, &[tlv16(0x80, &[1, 1]), tlv16(0x81, &[2])].concat());
    let bit = tlv16(0x7F60, &[bht, tlv16(0x7F2E, &block)].concat());
    tlv16(0x75, &tlv16(0x7F61, &[der::uint(1), bit].concat()))
}

/// DG2 with one ISO/IEC 19794-5 (2005) facial record.
fn dg2_19794(jpeg: &[u8], w: u16, h: u16) -> Vec<u8> {
    let block_len = (20 + 12 + jpeg.len()) as u32;
    let mut rec = b"FAC\x00010\x00".to_vec();
    rec.extend_from_slice(&(14 + block_len).to_be_bytes());
    rec.extend_from_slice(&1u16.to_be_bytes());
    rec.extend_from_slice(&block_len.to_be_bytes());
    // No feature points; gender, eye and hair colour unspecified; frontal pose.
    rec.extend_from_slice(&[0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    // Full frontal, JPEG, size, 24-bit RGB, static photo from a digital camera.
    rec.push(1);
    rec.push(0);
    rec.extend_from_slice(&w.to_be_bytes());
    rec.extend_from_slice(&h.to_be_bytes());
    rec.extend_from_slice(&[1, 2, 0, 0, 0, 0]);
    rec.extend_from_slice(jpeg);
    let bht = tlv16(
        0xA1,
        &[
            tlv16(0x80, &[1, 1]),
            tlv16(0x81, &[2]),
            tlv16(0x87, &[1, 1]),
            tlv16(0x88, &[0, 8]),
        ]
        .concat(),
    );
    let bit = tlv16(0x7F60, &[bht, tlv16(0x5F2E, &rec)].concat());
    tlv16(0x75, &tlv16(0x7F61, &[der::uint(1), bit].concat()))
}

/// ContentInfo { signedData, SignedData } over `content` of `content_type`,
/// signed by `signer` with signed attributes (contentType, messageDigest).
pub(crate) fn signed_data(
    content_type: &Oid,
    content: &[u8],
    signer: &Signer,
) -> Result<Vec<u8>, KeyError> {
    let hash = signer.key.hash();
    let sha256 = der::seq(&[&der::oid(&hash.oid())]);
    let digest = hash.digest(content);
    let attrs = der::set_of(&[
        &der::seq(&[
            &der::oid(&oid::CONTENT_TYPE),
            &der::set_of(&[&der::oid(content_type)]),
        ]),
        &der::seq(&[
            &der::oid(&oid::MESSAGE_DIGEST),
            &der::set_of(&[&der::octets(&digest)]),
        ]),
    ]);
    let signature = signer.key.sign(&attrs)?;
    let mut signed_attrs = attrs;
    if let Some(t) = signed_attrs.first_mut() {
        *t = 0xA0;
    }
    let cert = &signer.certificate;
    let signer_info = der::seq(&[
        &der::uint(1),
        &der::seq(&[&cert.issuer_name, &der::uint(cert.serial)]),
        &sha256,
        &signed_attrs,
        &signer.key.signature_algorithm(),
        &der::octets(&signature),
    ]);
    let sd = der::seq(&[
        &der::uint(3),
        &der::set_of(&[&sha256]),
        &der::seq(&[
            &der::oid(content_type),
            &der::tlv(0xA0, &der::octets(content)),
        ]),
        &der::tlv(0xA0, &cert.der),
        &der::set_of(&[&signer_info]),
    ]);
    Ok(der::seq(&[
        &der::oid(&oid::SIGNED_DATA),
        &der::tlv(0xA0, &sd),
    ]))
}
