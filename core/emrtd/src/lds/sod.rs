//! EF.SOD: a CMS SignedData (RFC 5652) carrying the LDS security object
//! (ICAO 9303-10 §4.6.2). The SignedData reader is shared with CSCA master
//! lists. It works on BER as issued and keeps the bytes that signatures and
//! hashes cover exactly as read.

use super::ber::{self, Tlv};
use super::oid::{self, Oid};
use super::{Ctx, DataGroup, LdsError};

/// `AlgorithmIdentifier ::= SEQUENCE { algorithm OID, parameters ANY OPTIONAL }`
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlgorithmIdentifier {
    pub oid: Oid,
    /// The parameters element as encoded (tag included), if present.
    pub parameters: Option<Vec<u8>>,
}

impl AlgorithmIdentifier {
    pub(crate) fn parse(cx: &Ctx, t: &Tlv<'_>, field: &'static str) -> Result<Self, LdsError> {
        cx.expect_tag(t, 0x30, field)?;
        let mut r = t.children();
        let oid = cx.oid(&cx.next_any(&mut r, field)?, field)?;
        let parameters = r
            .next_tlv()
            .map_err(cx.tlv_err(field))?
            .filter(|p| p.tag != 0x05)
            .map(|p| p.raw.to_vec());
        Ok(Self { oid, parameters })
    }
}

/// How a SignerInfo names its certificate.
#[derive(Clone, PartialEq, Eq)]
pub enum SignerIdentifier {
    /// Issuer Name (DER as encoded) and serial number (INTEGER content bytes).
    IssuerAndSerialNumber {
        issuer: Vec<u8>,
        serial: Vec<u8>,
    },
    SubjectKeyIdentifier(Vec<u8>),
}

impl core::fmt::Debug for SignerIdentifier {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Self::IssuerAndSerialNumber { serial, .. } => {
                write!(f, "IssuerAndSerialNumber(serial {})", hex(serial))
            }
            Self::SubjectKeyIdentifier(k) => write!(f, "SubjectKeyIdentifier({})", hex(k)),
        }
    }
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02X}")).collect()
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignerInfo {
    pub version: u64,
    pub sid: SignerIdentifier,
    pub digest_algorithm: AlgorithmIdentifier,
    /// The signed attributes re-tagged as the `SET OF` they are signed as
    /// (`31 len content`), content exactly as read.
    pub signed_attributes: Option<Vec<u8>>,
    /// The contentType attribute, if present.
    pub content_type: Option<Oid>,
    /// The messageDigest attribute, if present.
    pub message_digest: Option<Vec<u8>>,
    /// The signingTime attribute (Unix seconds), if present and readable.
    pub signing_time: Option<i64>,
    pub signature_algorithm: AlgorithmIdentifier,
    pub signature: Vec<u8>,
}

/// The parts of a SignedData that passive authentication and master-list
/// loading need.
#[derive(Clone, PartialEq, Eq)]
pub struct SignedData {
    pub version: u64,
    pub digest_algorithms: Vec<AlgorithmIdentifier>,
    pub content_type: Oid,
    /// The encapsulated content octets (what messageDigest covers).
    pub content: Vec<u8>,
    /// Certificates carried in `certificates [0]`, DER as encoded.
    pub certificates: Vec<Vec<u8>>,
    pub signer_infos: Vec<SignerInfo>,
}

impl core::fmt::Debug for SignedData {
    // The content holds data-group hashes; show its size only.
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("SignedData")
            .field("version", &self.version)
            .field("content_type", &self.content_type)
            .field("content", &super::Redacted(self.content.len()))
            .field("certificates", &self.certificates.len())
            .field("signer_infos", &self.signer_infos)
            .finish_non_exhaustive()
    }
}

impl SignedData {
    /// Parses `ContentInfo { signedData, [0] SignedData }` from `data`.
    pub(crate) fn parse_content_info(cx: &Ctx, ci: &Tlv<'_>) -> Result<Self, LdsError> {
        cx.expect_tag(ci, 0x30, "ContentInfo")?;
        let mut r = ci.children();
        let ctype = cx.oid(
            &cx.next_any(&mut r, "ContentInfo contentType")?,
            "ContentInfo contentType",
        )?;
        if ctype != oid::SIGNED_DATA {
            return Err(cx.invalid("ContentInfo contentType", "not id-signedData"));
        }
        let explicit = cx.next(&mut r, 0xA0, "ContentInfo content")?;
        let mut er = explicit.children();
        let sd = cx.next(&mut er, 0x30, "SignedData")?;
        Self::parse_signed_data(cx, &sd)
    }

    fn parse_signed_data(cx: &Ctx, sd: &Tlv<'_>) -> Result<Self, LdsError> {
        let mut r = sd.children();
        let version = cx.uint(
            &cx.next_any(&mut r, "SignedData version")?,
            "SignedData version",
        )?;
        let dset = cx.next(&mut r, 0x31, "digestAlgorithms")?;
        let digest_algorithms = cx
            .children(&dset, "digestAlgorithms")?
            .iter()
            .map(|t| AlgorithmIdentifier::parse(cx, t, "digestAlgorithm"))
            .collect::<Result<Vec<_>, _>>()?;
        let eci = cx.next(&mut r, 0x30, "encapContentInfo")?;
        let mut er = eci.children();
        let content_type = cx.oid(&cx.next_any(&mut er, "eContentType")?, "eContentType")?;
        let econtent = cx.next(&mut er, 0xA0, "eContent")?;
        let mut ocr = econtent.children();
        let octets = cx.next_any(&mut ocr, "eContent")?;
        let content = octet_string(cx, &octets, "eContent")?;

        let mut certificates = Vec::new();
        if let Some(certs) = cx.optional(&mut r, 0xA0, "certificates")? {
            for c in cx.children(&certs, "certificates")? {
                if c.tag == 0x30 {
                    certificates.push(c.raw.to_vec());
                }
            }
        }
        let _crls = cx.optional(&mut r, 0xA1, "crls")?;
        let sis = cx.next(&mut r, 0x31, "signerInfos")?;
        let signer_infos = cx
            .children(&sis, "signerInfos")?
            .iter()
            .map(|t| parse_signer_info(cx, t))
            .collect::<Result<Vec<_>, _>>()?;
        if signer_infos.is_empty() {
            return Err(cx.missing("signerInfo"));
        }
        Ok(Self {
            version,
            digest_algorithms,
            content_type,
            content,
            certificates,
            signer_infos,
        })
    }
}

/// OCTET STRING content; BER may split it into a constructed string of chunks.
fn octet_string(cx: &Ctx, t: &Tlv<'_>, field: &'static str) -> Result<Vec<u8>, LdsError> {
    match t.tag {
        0x04 => Ok(t.value.to_vec()),
        0x24 => {
            let mut out = Vec::new();
            let mut r = t.children();
            while let Some(chunk) = r.next_tlv().map_err(cx.tlv_err(field))? {
                // Content is bounded by the input, so this never outgrows it.
                out.extend_from_slice(&octet_string(cx, &chunk, field)?);
            }
            Ok(out)
        }
        found => Err(LdsError::UnexpectedTag {
            file: cx.file,
            field,
            expected: 0x04,
            found,
        }),
    }
}

fn parse_signer_info(cx: &Ctx, t: &Tlv<'_>) -> Result<SignerInfo, LdsError> {
    cx.expect_tag(t, 0x30, "SignerInfo")?;
    let mut r = t.children();
    let version = cx.uint(
        &cx.next_any(&mut r, "SignerInfo version")?,
        "SignerInfo version",
    )?;
    let sid_t = cx.next_any(&mut r, "SignerInfo sid")?;
    let sid = match sid_t.tag {
        0x30 => {
            let mut sr = sid_t.children();
            let issuer = cx.next(&mut sr, 0x30, "sid issuer")?;
            let serial = cx.next(&mut sr, 0x02, "sid serialNumber")?;
            SignerIdentifier::IssuerAndSerialNumber {
                issuer: issuer.raw.to_vec(),
                serial: serial.value.to_vec(),
            }
        }
        0x80 => SignerIdentifier::SubjectKeyIdentifier(sid_t.value.to_vec()),
        found => {
            return Err(LdsError::UnexpectedTag {
                file: cx.file,
                field: "SignerInfo sid",
                expected: 0x30,
                found,
            });
        }
    };
    let digest_algorithm = AlgorithmIdentifier::parse(
        cx,
        &cx.next_any(&mut r, "SignerInfo digestAlgorithm")?,
        "SignerInfo digestAlgorithm",
    )?;
    let mut signed_attributes = None;
    let mut content_type = None;
    let mut message_digest = None;
    let mut signing_time = None;
    if let Some(sa) = cx.optional(&mut r, 0xA0, "signedAttrs")? {
        let mut der = vec![0x31];
        der.extend_from_slice(&der_length(sa.value.len()));
        der.extend_from_slice(sa.value);
        signed_attributes = Some(der);
        for attr in cx.children(&sa, "signedAttrs")? {
            cx.expect_tag(&attr, 0x30, "Attribute")?;
            let mut ar = attr.children();
            let at = cx.oid(&cx.next_any(&mut ar, "Attribute type")?, "Attribute type")?;
            let values = cx.next(&mut ar, 0x31, "Attribute values")?;
            let vals = cx.children(&values, "Attribute values")?;
            let [v] = vals.as_slice() else {
                if at == oid::CONTENT_TYPE || at == oid::MESSAGE_DIGEST {
                    return Err(cx.invalid("signed attribute", "must have exactly one value"));
                }
                continue;
            };
            if at == oid::CONTENT_TYPE {
                if content_type.is_some() {
                    return Err(cx.invalid("contentType attribute", "present twice"));
                }
                content_type = Some(cx.oid(v, "contentType attribute")?);
            } else if at == oid::SIGNING_TIME {
                signing_time = crate::pki::cert_time(cx, v, "signingTime attribute").ok();
            } else if at == oid::MESSAGE_DIGEST {
                if message_digest.is_some() {
                    return Err(cx.invalid("messageDigest attribute", "present twice"));
                }
                message_digest = Some(octet_string(cx, v, "messageDigest attribute")?);
            }
        }
    }
    let signature_algorithm = AlgorithmIdentifier::parse(
        cx,
        &cx.next_any(&mut r, "SignerInfo signatureAlgorithm")?,
        "SignerInfo signatureAlgorithm",
    )?;
    let sig = cx.next_any(&mut r, "SignerInfo signature")?;
    let signature = octet_string(cx, &sig, "SignerInfo signature")?;
    Ok(SignerInfo {
        version,
        sid,
        digest_algorithm,
        signed_attributes,
        content_type,
        message_digest,
        signing_time,
        signature_algorithm,
        signature,
    })
}

pub(crate) fn der_length(n: usize) -> Vec<u8> {
    if n < 0x80 {
        return vec![n as u8];
    }
    let bytes = n.to_be_bytes();
    let skip = bytes
        .iter()
        .position(|&b| b != 0)
        .unwrap_or(bytes.len() - 1);
    let significant = bytes.get(skip..).unwrap_or(&[]);
    let mut out = vec![0x80 | significant.len() as u8];
    out.extend_from_slice(significant);
    out
}

/// `DataGroupHash ::= SEQUENCE { dataGroupNumber INTEGER, dataGroupHashValue OCTET STRING }`
#[derive(Clone, PartialEq, Eq)]
pub struct DataGroupHash {
    pub data_group: DataGroup,
    pub hash: Vec<u8>,
}

impl core::fmt::Debug for DataGroupHash {
    // A DG1 hash could be brute-forced back to the MRZ; keep it out of logs.
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(
            f,
            "DataGroupHash({}, {:?})",
            self.data_group,
            super::Redacted(self.hash.len())
        )
    }
}

/// `LDSSecurityObject ::= SEQUENCE { version, hashAlgorithm, dataGroupHashValues, ldsVersionInfo OPTIONAL }`
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LdsSecurityObject {
    pub version: u64,
    pub hash_algorithm: AlgorithmIdentifier,
    pub hashes: Vec<DataGroupHash>,
    pub lds_version: Option<String>,
    pub unicode_version: Option<String>,
}

impl LdsSecurityObject {
    pub fn parse(data: &[u8]) -> Result<Self, LdsError> {
        Self::parse_in(&Ctx::new("LDSSecurityObject"), data)
    }

    fn parse_in(cx: &Ctx, data: &[u8]) -> Result<Self, LdsError> {
        let so = cx.outer(data, 0x30, "LDSSecurityObject")?;
        let mut r = so.children();
        let version = cx.uint(
            &cx.next_any(&mut r, "LDSSecurityObject version")?,
            "LDSSecurityObject version",
        )?;
        let hash_algorithm = AlgorithmIdentifier::parse(
            cx,
            &cx.next_any(&mut r, "hashAlgorithm")?,
            "hashAlgorithm",
        )?;
        let list = cx.next(&mut r, 0x30, "dataGroupHashValues")?;
        let mut hashes: Vec<DataGroupHash> = Vec::new();
        for h in cx.children(&list, "dataGroupHashValues")? {
            cx.expect_tag(&h, 0x30, "DataGroupHash")?;
            let mut hr = h.children();
            let n = cx.uint(&cx.next_any(&mut hr, "dataGroupNumber")?, "dataGroupNumber")?;
            let data_group = u8::try_from(n)
                .ok()
                .and_then(DataGroup::new)
                .ok_or_else(|| cx.invalid("dataGroupNumber", "not 1..=16"))?;
            if hashes.iter().any(|x| x.data_group == data_group) {
                return Err(cx.invalid("dataGroupHashValues", "a data group is listed twice"));
            }
            let hv = cx.next_any(&mut hr, "dataGroupHashValue")?;
            let hash = octet_string(cx, &hv, "dataGroupHashValue")?;
            if hash.len() > 64 {
                return Err(cx.invalid("dataGroupHashValue", "longer than any supported digest"));
            }
            hashes.push(DataGroupHash { data_group, hash });
        }
        let mut lds_version = None;
        let mut unicode_version = None;
        if let Some(info) = cx.optional(&mut r, 0x30, "ldsVersionInfo")? {
            let mut ir = info.children();
            lds_version = Some(printable(cx, &cx.next_any(&mut ir, "ldsVersion")?)?);
            unicode_version = Some(printable(cx, &cx.next_any(&mut ir, "unicodeVersion")?)?);
        }
        Ok(Self {
            version,
            hash_algorithm,
            hashes,
            lds_version,
            unicode_version,
        })
    }

    pub fn hash_of(&self, dg: DataGroup) -> Option<&[u8]> {
        self.hashes
            .iter()
            .find(|h| h.data_group == dg)
            .map(|h| h.hash.as_slice())
    }
}

fn printable(cx: &Ctx, t: &Tlv<'_>) -> Result<String, LdsError> {
    if t.value.len() > 16 || !t.value.iter().all(|b| b.is_ascii_graphic()) {
        return Err(cx.invalid("ldsVersionInfo", "not a short printable string"));
    }
    Ok(t.value.iter().map(|&b| char::from(b)).collect())
}

/// eContentTypes real issuers have signed an LDS security object under:
/// the ICAO OID, PKCS#7 id-data (Chinese passports), the early ICAO draft
/// arc 1.3.27.1.1.1 and the Dutch Sdu test/live OID (both as JMRTD accepts).
pub const LDS_SECURITY_OBJECT_TYPES: [oid::Oid; 4] = [
    oid::LDS_SECURITY_OBJECT,
    oid::ID_DATA,
    oid::LDS_SECURITY_OBJECT_ICAO_DRAFT,
    oid::LDS_SECURITY_OBJECT_SDU,
];

/// EF.SOD: `77 { ContentInfo }`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sod {
    pub signed_data: SignedData,
    pub lds_security_object: LdsSecurityObject,
}

impl Sod {
    pub fn parse(data: &[u8]) -> Result<Self, LdsError> {
        let cx = Ctx::new("EF.SOD");
        cx.check_len(data)?;
        let outer = ber::parse_one(data).map_err(cx.tlv_err("EF.SOD template"))?;
        // Tag 77 per ICAO; a bare ContentInfo is accepted for test tooling.
        let ci = match outer.tag {
            0x77 => {
                let mut r = outer.children();
                cx.next(&mut r, 0x30, "ContentInfo")?
            }
            0x30 => outer,
            _ => {
                cx.expect_tag(&outer, 0x77, "EF.SOD template")?;
                outer
            }
        };
        let signed_data = SignedData::parse_content_info(&cx, &ci)?;
        if !LDS_SECURITY_OBJECT_TYPES.contains(&signed_data.content_type) {
            return Err(cx.invalid(
                "eContentType",
                "not id-icao-mrtd-security-ldsSecurityObject nor a legacy type real issuers used",
            ));
        }
        // Whatever the label, the content must be an LDS security object.
        let lds_security_object = LdsSecurityObject::parse_in(&cx, &signed_data.content)?;
        Ok(Self {
            signed_data,
            lds_security_object,
        })
    }

    /// The first certificate carried in the SOD: the Document Signer.
    pub fn document_signer_certificate(&self) -> Option<&[u8]> {
        self.signed_data.certificates.first().map(Vec::as_slice)
    }

    pub fn signer_info(&self) -> Option<&SignerInfo> {
        self.signed_data.signer_infos.first()
    }
}

/// A CSCA master list: `CscaMasterList ::= SEQUENCE { version, certList SET OF Certificate }`
/// inside a SignedData.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct MasterListContent {
    pub signed_data: SignedData,
    pub certificates: Vec<Vec<u8>>,
}

/// Most CSCA certificates accepted from one master list (the BSI list has
/// several hundred).
pub const MAX_MASTER_LIST_CERTS: usize = 8192;
/// Largest master list accepted (the German list is about 0.9 MB and grows).
pub const MAX_MASTER_LIST_LEN: usize = 16 * super::MAX_FILE_LEN;

impl MasterListContent {
    pub(crate) fn parse(data: &[u8]) -> Result<Self, LdsError> {
        let cx = Ctx::new("master list");
        if data.len() > MAX_MASTER_LIST_LEN {
            return Err(LdsError::FileTooLarge {
                file: cx.file,
                len: data.len(),
                limit: MAX_MASTER_LIST_LEN,
            });
        }
        let ci = ber::parse_one(data).map_err(cx.tlv_err("ContentInfo"))?;
        let signed_data = SignedData::parse_content_info(&cx, &ci)?;
        if signed_data.content_type != oid::CSCA_MASTER_LIST {
            return Err(cx.invalid("eContentType", "not id-icao-cscaMasterList"));
        }
        let ml = ber::parse_one(&signed_data.content).map_err(cx.tlv_err("CscaMasterList"))?;
        cx.expect_tag(&ml, 0x30, "CscaMasterList")?;
        let mut r = ml.children();
        let _version = cx.uint(
            &cx.next_any(&mut r, "CscaMasterList version")?,
            "CscaMasterList version",
        )?;
        let set = cx.next(&mut r, 0x31, "certList")?;
        let mut certificates = Vec::new();
        let mut sr = set.children();
        while let Some(c) = sr.next_tlv().map_err(cx.tlv_err("certList"))? {
            if certificates.len() >= MAX_MASTER_LIST_CERTS {
                return Err(LdsError::TooMany {
                    file: cx.file,
                    field: "certificates",
                    limit: MAX_MASTER_LIST_CERTS,
                });
            }
            cx.expect_tag(&c, 0x30, "Certificate")?;
            certificates.push(c.raw.to_vec());
        }
        Ok(Self {
            signed_data,
            certificates,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn der_lengths() {
        assert_eq!(der_length(5), vec![5]);
        assert_eq!(der_length(0x80), vec![0x81, 0x80]);
        assert_eq!(der_length(0x1234), vec![0x82, 0x12, 0x34]);
    }

    #[test]
    fn garbage_is_an_error() {
        assert!(Sod::parse(&[0x77, 0x03, 0x30, 0x01, 0x00]).is_err());
        assert!(Sod::parse(&[]).is_err());
    }
}
