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
    /// keyUsage bits (bit 0 = digitalSignature ... bit 5 = keyCertSign),
    /// when the extension is present.
    pub key_usage: Option<u16>,
    /// The algorithm named inside the signed part; must equal
    /// `signature_algorithm` (RFC 5280 §4.1.1.2).
    pub inner_signature_algorithm: AlgorithmIdentifier,
    /// Extensions that could not be read and were skipped (their OIDs):
    /// real CSCAs carry malformed ones, and only a few are needed.
    pub skipped_extensions: Vec<String>,
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
                limit: MAX_CERT_LEN,
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
        let inner_sig_alg = cx.next(&mut t, 0x30, "signature")?;
        let issuer = cx.next(&mut t, 0x30, "issuer")?.raw.to_vec();
        let validity = cx.next(&mut t, 0x30, "validity")?;
        let mut vr = validity.children();
        let not_before = time(&cx, &cx.next_any(&mut vr, "notBefore")?, "notBefore")?;
        let not_after = time(&cx, &cx.next_any(&mut vr, "notAfter")?, "notAfter")?;
        let subject = cx.next(&mut t, 0x30, "subject")?.raw.to_vec();
        let spki = cx.next(&mut t, 0x30, "subjectPublicKeyInfo")?;
        let public_key = PublicKeyInfo::parse_in(&cx, spki.raw)?;
        let mut ext = Extensions::default();
        while let Some(e) = t.next_tlv().map_err(cx.tlv_err("tbsCertificate"))? {
            if e.tag != 0xA3 {
                continue;
            }
            let mut er = e.children();
            let exts = cx.next(&mut er, 0x30, "extensions")?;
            let mut xs = exts.children();
            while let Some(x) = xs.next_tlv().map_err(cx.tlv_err("extensions"))? {
                if ext.skipped.len() + 1 > crate::lds::MAX_LIST * 2 {
                    return Err(cx.too_many("extensions"));
                }
                ext.read(&x);
            }
        }
        let inner_signature_algorithm =
            AlgorithmIdentifier::parse(&cx, &inner_sig_alg, "signature")?;
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
            subject_key_id: ext.subject_key_id,
            authority_key_id: ext.authority_key_id,
            is_ca: ext.is_ca,
            key_usage: ext.key_usage,
            inner_signature_algorithm,
            skipped_extensions: ext.skipped,
        })
    }

    /// Every certificate in a PEM text (`-----BEGIN CERTIFICATE-----`);
    /// fails on the first one that does not parse. See [`Self::from_pem_bundle`]
    /// for bundles that may hold bad entries.
    pub fn from_pem(pem: &[u8]) -> Result<Vec<Self>, LdsError> {
        let mut out = Vec::new();
        for block in pem_blocks(pem)? {
            out.push(Self::from_der(&block?)?);
        }
        Ok(out)
    }

    /// Every certificate of a PEM bundle that parses, and how many did not
    /// (one malformed CSCA must not cost the other hundreds, as master
    /// lists already treat their entries).
    pub fn from_pem_bundle(pem: &[u8]) -> Result<(Vec<Self>, usize), LdsError> {
        let mut out = Vec::new();
        let mut rejected = 0;
        for block in pem_blocks(pem)? {
            match block.and_then(|der| Self::from_der(&der)) {
                Ok(c) => out.push(c),
                Err(_) => rejected += 1,
            }
        }
        Ok((out, rejected))
    }

    /// Whether this certificate may act as a CSCA: basicConstraints cA and
    /// keyUsage keyCertSign (ICAO 9303-12 §7.1.1).
    pub fn is_certificate_authority(&self) -> bool {
        self.is_ca == Some(true)
            && self
                .key_usage
                .is_some_and(|k| k & KEY_USAGE_KEY_CERT_SIGN != 0)
    }

    /// Whether the outer and inner signature algorithms agree.
    pub fn signature_algorithms_agree(&self) -> bool {
        self.signature_algorithm == self.inner_signature_algorithm
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

/// The extensions a verifier needs, each read on its own so one malformed
/// extension never costs the whole certificate.
#[derive(Default)]
struct Extensions {
    subject_key_id: Option<Vec<u8>>,
    authority_key_id: Option<Vec<u8>>,
    is_ca: Option<bool>,
    key_usage: Option<u16>,
    skipped: Vec<String>,
}

impl Extensions {
    fn read(&mut self, ext: &Tlv<'_>) {
        let mut xr = ext.children();
        let Some(id) = xr
            .next_tlv()
            .ok()
            .flatten()
            .filter(|t| t.tag == 0x06)
            .and_then(|t| oid::parse(t.value))
        else {
            self.skipped.push("<malformed extnID>".into());
            return;
        };
        let mut value = xr.next_tlv().ok().flatten();
        if value.as_ref().is_some_and(|v| v.tag == 0x01) {
            value = xr.next_tlv().ok().flatten();
        }
        let Some(value) = value.filter(|v| v.tag == 0x04) else {
            self.skipped.push(id.to_string());
            return;
        };
        let inner = ber::parse_one(value.value).ok();
        let ok = if id == oid::EXT_SUBJECT_KEY_ID {
            // Some CSCAs (a Lithuanian one among them) put the key
            // identifier bytes straight into extnValue, without the inner
            // OCTET STRING: take them as the identifier.
            self.subject_key_id = Some(match inner {
                Some(i) if i.tag == 0x04 => i.value.to_vec(),
                _ => value.value.to_vec(),
            });
            true
        } else if id == oid::EXT_AUTHORITY_KEY_ID {
            inner.filter(|i| i.tag == 0x30).is_some_and(|i| {
                let mut ar = i.children();
                while let Ok(Some(a)) = ar.next_tlv() {
                    if a.tag == 0x80 {
                        self.authority_key_id = Some(a.value.to_vec());
                    }
                }
                true
            })
        } else if id == oid::EXT_BASIC_CONSTRAINTS {
            inner.filter(|i| i.tag == 0x30).is_some_and(|i| {
                let first = i.children().next_tlv().ok().flatten();
                self.is_ca =
                    Some(first.is_some_and(|b| {
                        b.tag == 0x01 && b.value.first().is_some_and(|&v| v != 0)
                    }));
                true
            })
        } else if id == oid::EXT_KEY_USAGE {
            inner.filter(|i| i.tag == 0x03).is_some_and(|i| {
                // BIT STRING: unused-bits byte, then bits 0.. from the MSB.
                let bytes = i.value.get(1..).unwrap_or(&[]);
                let mut bits = 0u16;
                for (n, b) in bytes.iter().take(2).enumerate() {
                    for k in 0..8 {
                        if b & (0x80 >> k) != 0 {
                            bits |= 1 << (n * 8 + k);
                        }
                    }
                }
                self.key_usage = Some(bits);
                true
            })
        } else {
            // Not needed for verification: never parsed.
            true
        };
        if !ok {
            self.skipped.push(id.to_string());
        }
    }
}

/// The DER of every CERTIFICATE block of a PEM text, each `Err` when its
/// base64 is bad; an error if there is no block at all.
fn pem_blocks(pem: &[u8]) -> Result<Vec<Result<Vec<u8>, LdsError>>, LdsError> {
    let text = core::str::from_utf8(pem).map_err(|_| pem_err("not UTF-8"))?;
    const BEGIN: &str = "-----BEGIN CERTIFICATE-----";
    const END: &str = "-----END CERTIFICATE-----";
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find(BEGIN) {
        let after = rest.get(start..).unwrap_or("");
        let end = after.find(END).ok_or_else(|| pem_err("missing END line"))? + END.len();
        let block = after.get(..end).unwrap_or("");
        let body = block
            .get(BEGIN.len()..block.len().saturating_sub(END.len()))
            .unwrap_or("");
        out.push(base64_decode(body).ok_or_else(|| pem_err("bad base64")));
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

/// Standard base64 with any whitespace (PEM bodies wrapped at any width);
/// `None` on any other character or a bad length.
pub fn base64_decode(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    let mut acc = 0u32;
    let mut bits = 0u32;
    let mut pad = 0usize;
    for c in text.bytes() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            b'=' => {
                pad += 1;
                continue;
            }
            b' ' | b'\t' | b'\r' | b'\n' => continue,
            _ => return None,
        };
        if pad > 0 {
            return None;
        }
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    (pad <= 2 && bits < 6).then_some(out)
}

/// keyUsage bit numbers (RFC 5280 §4.2.1.3).
pub const KEY_USAGE_DIGITAL_SIGNATURE: u16 = 1 << 0;
pub const KEY_USAGE_KEY_CERT_SIGN: u16 = 1 << 5;

fn pem_err(reason: &'static str) -> LdsError {
    LdsError::Invalid {
        file: "certificate",
        field: "PEM",
        reason,
    }
}

/// UTCTime `YYMMDDHHMM[SS]Z` or GeneralizedTime `YYYYMMDDHHMMSS[.f]Z` to Unix seconds.
pub(crate) fn time(
    cx: &crate::lds::Ctx,
    t: &Tlv<'_>,
    field: &'static str,
) -> Result<i64, LdsError> {
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

    fn encode64(b: &[u8]) -> String {
        const T: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        let mut s = String::new();
        for c in b.chunks(3) {
            let x = [c[0], *c.get(1).unwrap_or(&0), *c.get(2).unwrap_or(&0)];
            let n = (u32::from(x[0]) << 16) | (u32::from(x[1]) << 8) | u32::from(x[2]);
            for i in 0..4 {
                s.push(if i <= c.len() {
                    char::from(T[((n >> (18 - 6 * i)) & 63) as usize])
                } else {
                    '='
                });
            }
        }
        s
    }

    proptest::proptest! {
        /// Any bytes survive encoding and PEM-style wrapping at any width.
        #[test]
        fn base64_roundtrip(data in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..200),
                            width in 1usize..80) {
            let text = encode64(&data);
            let wrapped: String = text
                .as_bytes()
                .chunks(width)
                .map(|c| String::from_utf8_lossy(c).into_owned())
                .collect::<Vec<_>>()
                .join("\r\n");
            proptest::prop_assert_eq!(base64_decode(&wrapped), Some(data));
        }
    }

    #[test]
    fn base64_any_wrapping() {
        assert_eq!(base64_decode("TWFu").as_deref(), Some(&b"Man"[..]));
        assert_eq!(base64_decode("TW\r\nE=").as_deref(), Some(&b"Ma"[..]));
        assert_eq!(base64_decode("TQ==").as_deref(), Some(&b"M"[..]));
        assert_eq!(base64_decode("TQ=x"), None);
        assert_eq!(base64_decode("T*Q="), None);
    }

    /// An oversized certificate is refused quoting the certificate limit
    /// (16 KiB), not the 1 MiB file limit.
    #[test]
    fn oversized_certificate_quotes_the_certificate_limit() {
        let der = vec![0x30; MAX_CERT_LEN + 1];
        let Err(err) = Certificate::from_der(&der) else {
            panic!("an oversized certificate parsed");
        };
        assert_eq!(
            err,
            LdsError::FileTooLarge {
                file: "certificate",
                len: MAX_CERT_LEN + 1,
                limit: 16 * 1024,
            }
        );
        assert!(err.to_string().contains("limit of 16384"), "{err}");
    }

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
