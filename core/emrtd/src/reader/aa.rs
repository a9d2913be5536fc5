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

/// Active authentication, reader side, as a sans-IO step of its own: one
/// INTERNAL AUTHENTICATE with the challenge, and the answer checked against
/// DG15 (the signature is also handed out as evidence for a remote verifier).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AaReader {
    challenge: [u8; 8],
}

impl AaReader {
    /// INTERNAL AUTHENTICATE over `challenge` (the verifier's, or a random one).
    pub fn start(challenge: [u8; 8]) -> (Self, crate::apdu::CommandApdu) {
        let cmd = crate::apdu::CommandApdu::new(0x00, 0x88, 0x00, 0x00)
            .with_data(challenge.to_vec())
            .with_le(256);
        (Self { challenge }, cmd)
    }

    pub fn challenge(&self) -> [u8; 8] {
        self.challenge
    }

    /// The chip's answer: the evidence, and whether DG15's key verifies it
    /// (`Ok(false)` when the key type cannot be checked here). A refusal, a
    /// malformed DG15 or a bad signature is an error phrase.
    pub fn finish(
        self,
        resp: &crate::apdu::ResponseApdu,
        dg15: &[u8],
        dg14: Option<&[u8]>,
    ) -> Result<(ActiveAuthEvidence, bool), &'static str> {
        if !resp.sw.is_success() || resp.data.is_empty() {
            return Err("the chip refused INTERNAL AUTHENTICATE");
        }
        let evidence = ActiveAuthEvidence {
            challenge: self.challenge,
            signature: resp.data.clone(),
        };
        match verify(dg15, dg14, &evidence) {
            Ok(()) => Ok((evidence, true)),
            Err(AaError::Unsupported(_)) => Ok((evidence, false)),
            Err(e) => Err(e.reason()),
        }
    }
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
    fn aa_reader_sends_the_challenge_and_refuses_bad_answers() {
        use crate::apdu::{ResponseApdu, StatusWord};
        let challenge = [1, 2, 3, 4, 5, 6, 7, 8];
        let (aa, cmd) = AaReader::start(challenge);
        assert_eq!(
            cmd.encode().unwrap(),
            [&[0x00, 0x88, 0x00, 0x00, 0x08][..], &challenge, &[0x00]].concat()
        );
        assert_eq!(aa.challenge(), challenge);
        let refused = ResponseApdu::new(vec![], StatusWord(0x6982));
        assert_eq!(
            aa.clone().finish(&refused, &[], None),
            Err("the chip refused INTERNAL AUTHENTICATE")
        );
        let garbage = ResponseApdu::new(vec![0x55; 64], StatusWord::SUCCESS);
        assert_eq!(
            aa.finish(&garbage, &[0x6F, 0x00], None),
            Err("DG15 is malformed")
        );
    }

    #[test]
    fn signing_needs_room_for_the_hash() {
        let e = [0x01, 0x00, 0x01];
        assert!(sign_iso9796_2(&[0xC5; 16], &e, 0, &[1; 8]).is_none());
    }
}
