//! X.509 certificates as eMRTD PKIs issue them, read leniently (BER, odd
//! string types, negative serials) with the signed bytes kept as encoded.

use super::hash::HashAlgorithm;
use super::signature::{self, SignatureError};
use crate::lds::ber::{self, Tlv};
use crate::lds::oid;
use crate::lds::{AlgorithmIdentifier, LdsError, PublicKeyInfo};

/// Largest certificate accepted (RSA-8192 CSCAs with extensions stay far below).
pub const MAX_CERT_LEN: usize = 16 * 1024;

/// A parsed certificate. CSCA and Document Signer certificates name
/// authorities, not people, so `Debug` shows the subject.
#[derive(Clone, PartialEq, Eq)]
pub struct Certificate {
    der: Vec<u8>,
    tbs: Vec<u8>,
    pub signature_algorithm: AlgorithmIdentifier,
    pub signature: Vec<u8>,
    serial: Vec<u8>,
    issuer: Vec<u8>,
    subject: Vec<u8>,
    /// Validity as Unix seconds.
    pub not_before: i64,
    pub not_after: i64,
    pub public_key: PublicKeyInfo,
    pub subject_key_id: Option<Vec<u8>>,
    pub authority_key_id: Option<Vec<u8>>,
    /// basicConstraints cA, when the extension is present.
    pub is_ca: Option<bool>,
}

impl core::fmt::Debug for Certificate {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Certificate")
            .field("subject", &self.subject_string())
            .field("issuer", &self.issuer_string())
            .field("serial", &hex(&self.serial))
            .field("not_before", &self.not_before)
            .field("not_after", &self.not_after)
            .finish_non_exhaustive()
    }
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02X}")).collect()
}

impl Certificate {
    pub fn from_der(der: &[u8]) -> Result<Self, LdsError> {
        let cx = crate::lds::Ctx::new("certificate");
        if der.len() > MAX_CERT_LEN {
            return Err(LdsError::FileTooLarge {
                file: cx.file,
                len: der.len(),
            });
        }
        let cert = cx.outer(der, 0x30, "Certificate")?;
        let mut r = cert.children();
        let tbs = cx.next(&mut r, 0x30, "tbsCertificate")?;
        let signature_algorithm = AlgorithmIdentifier::parse(
            &cx,
            &cx.next_any(&mut r, "signatureAlgorithm")?,
            "signatureAlgorithm",
        )?;
        let sig = cx.next(&mut r, 0x03, "signatureValue")?;
        let signature = match sig.value.split_first() {
            Some((0, rest)) => rest.to_vec(),
            _ => return Err(cx.invalid("signatureValue", "BIT STRING with unused bits")),
        };

        let mut t = tbs.children();
        let _version = cx.optional(&mut t, 0xA0, "version")?;
        let serial = cx.next(&mut t, 0x02, "serialNumber")?.value.to_vec();
        let _sig_alg = cx.next(&mut t, 0x30, "signature")?;
        let issuer = cx.next(&mut t, 0x30, "issuer")?.raw.to_vec();
        let validity = cx.next(&mut t, 0x30, "validity")?;
        let mut vr = validity.children();
        let not_before = time(&cx, &cx.next_any(&mut vr, "notBefore")?, "notBefore")?;
        let not_after = time(&cx, &cx.next_any(&mut vr, "notAfter")?, "notAfter")?;
        let subject = cx.next(&mut t, 0x30, "subject")?.raw.to_vec();
        let spki = cx.next(&mut t, 0x30, "subjectPublicKeyInfo")?;
        let public_key = PublicKeyInfo::parse_in(&cx, spki.raw)?;
        let mut subject_key_id = None;
        let mut authority_key_id = None;
        let mut is_ca = None;
        while let Some(e) = t.next_tlv().map_err(cx.tlv_err("tbsCertificate"))? {
            if e.tag != 0xA3 {
                continue;
            }
            let mut er = e.children();
            let exts = cx.next(&mut er, 0x30, "extensions")?;
            for ext in cx.children(&exts, "extensions")? {
                let mut xr = ext.children();
                let id = cx.oid(&cx.next_any(&mut xr, "extnID")?, "extnID")?;
                let mut value = cx.next_any(&mut xr, "extnValue")?;
                if value.tag == 0x01 {
                    value = cx.next_any(&mut xr, "extnValue")?;
                }
                cx.expect_tag(&value, 0x04, "extnValue")?;
                let inner = ber::parse_one(value.value).map_err(cx.tlv_err("extnValue"))?;
                if id == oid::EXT_SUBJECT_KEY_ID {
                    subject_key_id = Some(inner.value.to_vec());
                } else if id == oid::EXT_AUTHORITY_KEY_ID {
                    let mut ar = inner.children();
                    while let Some(a) = ar
                        .next_tlv()
                        .map_err(cx.tlv_err("authorityKeyIdentifier"))?
                    {
                        if a.tag == 0x80 {
                            authority_key_id = Some(a.value.to_vec());
                        }
                    }
                } else if id == oid::EXT_BASIC_CONSTRAINTS {
                    let mut br = inner.children();
                    let first = br.next_tlv().map_err(cx.tlv_err("basicConstraints"))?;
                    is_ca = Some(first.is_some_and(|b| {
                        b.tag == 0x01 && b.value.first().is_some_and(|&v| v != 0)
                    }));
                }
            }
        }
        Ok(Self {
            der: cert.raw.to_vec(),
            tbs: tbs.raw.to_vec(),
            signature_algorithm,
            signature,
            serial,
            issuer,
            subject,
            not_before,
            not_after,
            public_key,
            subject_key_id,
            authority_key_id,
            is_ca,
        })
    }

    /// Every certificate in a PEM text (`-----BEGIN CERTIFICATE-----`).
    pub fn from_pem(pem: &[u8]) -> Result<Vec<Self>, LdsError> {
        let text = core::str::from_utf8(pem).map_err(|_| pem_err("not UTF-8"))?;
        let mut out = Vec::new();
        let mut rest = text;
        const BEGIN: &str = "-----BEGIN CERTIFICATE-----";
        const END: &str = "-----END CERTIFICATE-----";
        while let Some(start) = rest.find(BEGIN) {
            let after = rest.get(start..).unwrap_or("");
            let end = after.find(END).ok_or_else(|| pem_err("missing END line"))? + END.len();
            let block = after.get(..end).unwrap_or("");
            let (label, der) = x509_cert::der::pem::decode_vec(block.as_bytes())
                .map_err(|_| pem_err("bad base64"))?;
            if label == "CERTIFICATE" {
                out.push(Self::from_der(&der)?);
            }
            rest = after.get(end..).unwrap_or("");
            if out.len() > crate::lds::sod::MAX_MASTER_LIST_CERTS {
                return Err(pem_err("too many certificates"));
            }
        }
        if out.is_empty() {
            return Err(pem_err("no CERTIFICATE block"));
        }
        Ok(out)
    }

    pub fn der(&self) -> &[u8] {
        &self.der
    }

    /// The signed part, as encoded.
    pub fn tbs(&self) -> &[u8] {
        &self.tbs
    }

    /// Serial number INTEGER content bytes.
    pub fn serial(&self) -> &[u8] {
        &self.serial
    }

    /// Issuer Name, DER as encoded.
    pub fn issuer(&self) -> &[u8] {
        &self.issuer
    }

    /// Subject Name, DER as encoded.
    pub fn subject(&self) -> &[u8] {
        &self.subject
    }

    pub fn subject_string(&self) -> String {
        name_string(&self.subject)
    }

    pub fn issuer_string(&self) -> String {
        name_string(&self.issuer)
    }

    pub fn is_valid_at(&self, unix: i64) -> bool {
        self.not_before <= unix && unix <= self.not_after
    }

    pub fn is_self_issued(&self) -> bool {
        names_match(&self.issuer, &self.subject)
    }

    /// Checks this certificate's signature with `issuer`'s key.
    pub fn verify_signed_by(&self, issuer: &Certificate) -> Result<(), SignatureError> {
        signature::verify(
            &issuer.public_key,
            &self.signature_algorithm,
            None,
            &self.tbs,
            &self.signature,
        )
    }

    /// Hash named by the signature algorithm (for reports).
    pub fn signature_hash(&self) -> Option<HashAlgorithm> {
        signature::signature_hash(&self.signature_algorithm, None).ok()
    }

    /// The certificate decoded by `x509-cert`, for callers that want the
    /// full structure (strict DER: may fail where this parser did not).
    pub fn x509(&self) -> Result<x509_cert::Certificate, x509_cert::der::Error> {
        use x509_cert::der::Decode;
        x509_cert::Certificate::from_der(&self.der)
    }
}

fn pem_err(reason: &'static str) -> LdsError {
    LdsError::Invalid {
        file: "certificate",
        field: "PEM",
        reason,
    }
}

/// UTCTime `YYMMDDHHMM[SS]Z` or GeneralizedTime `YYYYMMDDHHMMSS[.f]Z` to Unix seconds.
fn time(cx: &crate::lds::Ctx, t: &Tlv<'_>, field: &'static str) -> Result<i64, LdsError> {
    let bad = || cx.invalid(field, "not a UTC time");
    let s = core::str::from_utf8(t.value).map_err(|_| bad())?;
    let s = s.strip_suffix('Z').ok_or_else(bad)?;
    let s = s.split('.').next().unwrap_or("");
    if !s.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    let num = |a: usize, b: usize| -> Result<i64, LdsError> {
        s.get(a..b).and_then(|x| x.parse().ok()).ok_or_else(bad)
    };
    let (year, rest) = match (t.tag, s.len()) {
        (0x17, 10 | 12) => {
            let yy = num(0, 2)?;
            (if yy >= 50 { 1900 + yy } else { 2000 + yy }, 2)
        }
        (0x18, 12 | 14) => (num(0, 4)?, 4),
        _ => return Err(bad()),
    };
    let month = num(rest, rest + 2)?;
    let day = num(rest + 2, rest + 4)?;
    let hour = num(rest + 4, rest + 6)?;
    let minute = num(rest + 6, rest + 8)?;
    let second = if s.len() > rest + 8 {
        num(rest + 8, rest + 10)?
    } else {
        0
    };
    if !(1..=12).contains(&month)
        || !(1..=31).contains(&day)
        || hour > 23
        || minute > 59
        || second > 60
    {
        return Err(bad());
    }
    Ok(days_from_civil(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second)
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
pub fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Attribute values of a Name, normalised for comparison: OID bytes and the
/// value case-folded with whitespace collapsed (RFC 5280 §7.1, simplified).
fn normalised(name: &[u8]) -> Option<Vec<(Vec<u8>, String)>> {
    let n = ber::parse_one(name).ok()?;
    let mut out = Vec::new();
    let mut r = n.children();
    while let Some(rdn) = r.next_tlv().ok()? {
        let mut ar = rdn.children();
        while let Some(atv) = ar.next_tlv().ok()? {
            let mut vr = atv.children();
            let o = vr.next_tlv().ok()??;
            let v = vr.next_tlv().ok()??;
            let text = string_value(&v).to_lowercase();
            out.push((
                o.value.to_vec(),
                text.split_whitespace().collect::<Vec<_>>().join(" "),
            ));
            if out.len() > 64 {
                return None;
            }
        }
    }
    out.sort();
    Some(out)
}

fn string_value(v: &Tlv<'_>) -> String {
    match v.tag {
        // BMPString: UTF-16BE.
        0x1E => {
            let units: Vec<u16> = v
                .value
                .chunks(2)
                .map(|c| {
                    u16::from_be_bytes([
                        c.first().copied().unwrap_or(0),
                        c.get(1).copied().unwrap_or(0),
                    ])
                })
                .collect();
            String::from_utf16_lossy(&units)
        }
        _ => match core::str::from_utf8(v.value) {
            Ok(s) => s.to_owned(),
            Err(_) => v.value.iter().map(|&b| char::from(b)).collect(),
        },
    }
}

/// True if two encoded Names denote the same entity.
pub fn names_match(a: &[u8], b: &[u8]) -> bool {
    a == b || matches!((normalised(a), normalised(b)), (Some(x), Some(y)) if x == y)
}

/// `C=NO, O=..., CN=...` for reports; unknown attributes by OID.
pub fn name_string(name: &[u8]) -> String {
    let Ok(n) = ber::parse_one(name) else {
        return String::from("<malformed name>");
    };
    let mut parts = Vec::new();
    let mut r = n.children();
    while let Ok(Some(rdn)) = r.next_tlv() {
        let mut ar = rdn.children();
        while let Ok(Some(atv)) = ar.next_tlv() {
            let mut vr = atv.children();
            let (Ok(Some(o)), Ok(Some(v))) = (vr.next_tlv(), vr.next_tlv()) else {
                continue;
            };
            let key = match oid::parse(o.value) {
                Some(oid::AT_COMMON_NAME) => "CN".to_owned(),
                Some(oid::AT_COUNTRY) => "C".to_owned(),
                Some(oid::AT_ORGANIZATION) => "O".to_owned(),
                Some(x) if x == oid::Oid::new_unwrap("2.5.4.11") => "OU".to_owned(),
                Some(x) if x == oid::Oid::new_unwrap("2.5.4.5") => "serialNumber".to_owned(),
                Some(x) => x.to_string(),
                None => "?".to_owned(),
            };
            parts.push(format!("{key}={}", string_value(&v)));
        }
    }
    parts.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_days() {
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(days_from_civil(2000, 3, 1), 11_017);
        assert_eq!(days_from_civil(2024, 2, 29), 19_782);
    }

    #[test]
    fn times() {
        let cx = crate::lds::Ctx::new("t");
        let utc = [
            0x17, 13, b'2', b'4', b'0', b'1', b'0', b'1', b'0', b'0', b'0', b'0', b'0', b'0', b'Z',
        ];
        let t = ber::parse_one(&utc)
            .map_err(|_| ())
            .and_then(|t| time(&cx, &t, "x").map_err(|_| ()));
        assert_eq!(t, Ok(1_704_067_200));
        let gen_ = b"\x18\x0F20500101000000Z";
        let t = ber::parse_one(gen_)
            .map_err(|_| ())
            .and_then(|t| time(&cx, &t, "x").map_err(|_| ()));
        assert_eq!(t, Ok(2_524_608_000));
    }

    #[test]
    fn name_matching_is_case_and_type_insensitive() {
        // SEQUENCE { SET { SEQUENCE { 2.5.4.3, PrintableString "CSCA NO" } } }
        let a = [
            0x30, 0x12, 0x31, 0x10, 0x30, 0x0E, 0x06, 0x03, 0x55, 0x04, 0x03, 0x13, 0x07, b'C',
            b'S', b'C', b'A', b' ', b'N', b'O',
        ];
        let mut b = a;
        b[11] = 0x0C; // UTF8String
        b[18] = b'n';
        assert!(names_match(&a, &b));
        assert_eq!(name_string(&a), "CN=CSCA NO");
    }
}
