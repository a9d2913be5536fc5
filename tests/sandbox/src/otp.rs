//! Code-unit one-time codes: TOTP (RFC 6238) with HMAC-SHA1, 30 s steps, 6 digits.
use hmac::{Hmac, KeyInit, Mac};

pub const STEP_S: i64 = 30;

pub fn decode_hex(s: &str) -> Option<Vec<u8>> {
    let s = s.trim();
    if s.is_empty() || !s.len().is_multiple_of(2) {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| s.get(i..i + 2).and_then(|h| u8::from_str_radix(h, 16).ok()))
        .collect()
}

/// The code a code unit with `secret` shows at `unix_s`.
pub fn totp(secret: &[u8], unix_s: i64) -> String {
    let counter = (unix_s.max(0) / STEP_S) as u64;
    let Ok(mut mac) = Hmac::<sha1::Sha1>::new_from_slice(secret) else {
        return String::new();
    };
    mac.update(&counter.to_be_bytes());
    let h = mac.finalize().into_bytes();
    let off = (h.last().copied().unwrap_or(0) & 0x0f) as usize;
    let bytes = [0usize, 1, 2, 3].map(|i| h.get(off + i).copied().unwrap_or(0));
    let bin = u32::from_be_bytes(bytes) & 0x7fff_ffff;
    format!("{:06}", bin % 1_000_000)
}

/// Whether `code` is the code of the current step or the one before or after.
pub fn totp_matches(secret: &[u8], unix_s: i64, code: &str) -> bool {
    matching_step(secret, unix_s, code).is_some()
}

/// The time step (`unix_s / 30`) whose code `code` is, among the current
/// step and the ones before and after: the caller records it so a code is used once.
pub fn matching_step(secret: &[u8], unix_s: i64, code: &str) -> Option<i64> {
    [-STEP_S, 0, STEP_S].iter().find_map(|d| {
        let at = unix_s + d;
        crate::ct_eq(totp(secret, at).as_bytes(), code.as_bytes()).then_some(at.max(0) / STEP_S)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc6238_vectors() {
        // RFC 6238 appendix B, SHA-1, last 6 of the 8-digit values.
        let secret = b"12345678901234567890";
        assert_eq!(totp(secret, 59), "287082");
        assert_eq!(totp(secret, 1111111109), "081804");
        assert_eq!(totp(secret, 1234567890), "005924");
        assert!(totp_matches(secret, 89, "287082"));
        assert!(!totp_matches(secret, 200, "287082"));
    }
}
