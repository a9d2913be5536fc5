//! A minimal DER writer for the test PKI and the files it issues.

use crate::lds::oid::Oid;
use crate::lds::sod::der_length;

pub fn tlv(tag: u32, value: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(value.len() + 6);
    let tb = tag.to_be_bytes();
    let skip = tb.iter().position(|&b| b != 0).unwrap_or(3);
    out.extend_from_slice(tb.get(skip..).unwrap_or(&[]));
    out.extend_from_slice(&der_length(value.len()));
    out.extend_from_slice(value);
    out
}

pub fn seq(parts: &[&[u8]]) -> Vec<u8> {
    tlv(0x30, &parts.concat())
}

/// DER SET OF: elements sorted by their encodings.
pub fn set_of(parts: &[&[u8]]) -> Vec<u8> {
    let mut v: Vec<&[u8]> = parts.to_vec();
    v.sort();
    tlv(0x31, &v.concat())
}

pub fn oid(o: &Oid) -> Vec<u8> {
    tlv(0x06, o.as_bytes())
}

pub fn uint(n: u64) -> Vec<u8> {
    uint_bytes(&n.to_be_bytes())
}

/// The content octets of a non-negative INTEGER (for implicitly tagged integers).
pub fn uint_content(n: u64) -> Vec<u8> {
    uint(n).get(2..).unwrap_or(&[0]).to_vec()
}

/// A non-negative INTEGER from big-endian magnitude bytes.
pub fn uint_bytes(be: &[u8]) -> Vec<u8> {
    let first = be
        .iter()
        .position(|&b| b != 0)
        .unwrap_or(be.len().saturating_sub(1));
    let mut v = be.get(first..).unwrap_or(&[0]).to_vec();
    if v.is_empty() {
        v.push(0);
    }
    if v.first().is_some_and(|b| b & 0x80 != 0) {
        v.insert(0, 0);
    }
    tlv(0x02, &v)
}

pub fn octets(v: &[u8]) -> Vec<u8> {
    tlv(0x04, v)
}

pub fn bits(v: &[u8]) -> Vec<u8> {
    let mut b = vec![0u8];
    b.extend_from_slice(v);
    tlv(0x03, &b)
}

pub fn null() -> Vec<u8> {
    vec![0x05, 0x00]
}

pub fn printable(s: &str) -> Vec<u8> {
    tlv(0x13, s.as_bytes())
}

pub fn utf8(s: &str) -> Vec<u8> {
    tlv(0x0C, s.as_bytes())
}

pub fn boolean(b: bool) -> Vec<u8> {
    tlv(0x01, &[if b { 0xFF } else { 0 }])
}

/// UTCTime for 1950..2049, GeneralizedTime otherwise (RFC 5280 §4.1.2.5).
pub fn time(unix: i64) -> Vec<u8> {
    let days = unix.div_euclid(86_400);
    let secs = unix.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    let hms = format!("{:02}{:02}{:02}", secs / 3600, (secs / 60) % 60, secs % 60);
    if (1950..2050).contains(&y) {
        tlv(0x17, format!("{:02}{m:02}{d:02}{hms}Z", y % 100).as_bytes())
    } else {
        tlv(0x18, format!("{y:04}{m:02}{d:02}{hms}Z").as_bytes())
    }
}

fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// Unix time of a calendar date at midnight UTC.
pub fn date(y: i64, m: i64, d: i64) -> i64 {
    crate::pki::days_from_civil(y, m, d) * 86_400
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_round_trip() {
        assert_eq!(time(date(2024, 1, 1)), b"\x17\x0D240101000000Z".to_vec());
        assert_eq!(time(date(2050, 6, 30)), b"\x18\x0F20500630000000Z".to_vec());
    }

    #[test]
    fn integers() {
        assert_eq!(uint(0), vec![2, 1, 0]);
        assert_eq!(uint(128), vec![2, 2, 0, 128]);
        assert_eq!(uint_bytes(&[0, 0, 1]), vec![2, 1, 1]);
    }
}
