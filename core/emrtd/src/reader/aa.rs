//! Active authentication, reader side. Verification moved to the document
//! side ([`crate::auth`]) so a server checks a signature without the reader;
//! it is re-exported here for existing callers. What stays here is the
//! chip's signing (the virtual chip uses it).

pub use crate::auth::{AaError, verify_iso9796_2};

use super::ActiveAuthEvidence;

/// Verifies the chip's signature over the challenge with the DG15 key
/// (see [`crate::auth::verify_active_authentication`]).
pub fn verify(
    dg15: &[u8],
    dg14: Option<&[u8]>,
    evidence: &ActiveAuthEvidence,
) -> Result<(), AaError> {
    crate::auth::verify_active_authentication(dg15, dg14, evidence)
}

/// The chip side: an ISO/IEC 9796-2 scheme 1 signature with SHA-1 and
/// trailer BC over `challenge`, with `m1` as the recoverable part (the
/// virtual chip uses it; `d` is the private exponent).
pub fn sign_iso9796_2(
    modulus: &[u8],
    private_exponent: &[u8],
    m1_filler: u8,
    challenge: &[u8],
) -> Option<Vec<u8>> {
    use crate::pki::HashAlgorithm as H;
    let skip = modulus.iter().take_while(|b| **b == 0).count();
    let k = modulus.len() - skip;
    let m1_len = k.checked_sub(1 + 20 + 1)?;
    let m1 = vec![m1_filler; m1_len];
    let mut input = m1.clone();
    input.extend_from_slice(challenge);
    let mut m = Vec::with_capacity(k);
    m.push(0x6A);
    m.extend_from_slice(&m1);
    m.extend_from_slice(&H::Sha1.digest(&input));
    m.push(0xBC);
    crate::crypto::rsa_raw(&m, private_exponent, modulus)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn signing_needs_room_for_the_hash() {
        let e = [0x01, 0x00, 0x01];
        assert!(sign_iso9796_2(&[0xC5; 16], &e, 0, &[1; 8]).is_none());
    }
}
