//! Chip authentication (ICAO 9303-11, 6.2; BSI TR-03110) as a sans-IO state
//! machine of its own, like [`crate::pace`]: it emits commands, consumes the
//! chip's (already unwrapped) answers and ends with the new secure-messaging
//! session. Version 1 with 3DES sends the ephemeral key in MSE:Set KAT;
//! version 2 (AES) selects the protocol with MSE:Set AT and sends the key in
//! GENERAL AUTHENTICATE.
//!
//! The chip proves it holds the DG14 private key only implicitly: the next
//! protected answer must verify under the new keys (the reader checks that).

use crate::apdu::{CommandApdu, ResponseApdu};
use crate::crypto::{self, CipherKind, Rng, Secret};
use crate::pace::Curve;
use crate::sm::{SmError, SmSession};
use crate::tlv;
use thiserror::Error;

/// A chip-authentication key from DG14, with the protocol to use it.
#[derive(Clone, PartialEq, Eq)]
pub struct CaKey {
    pub curve: Curve,
    /// The chip's static public key (uncompressed point).
    pub point: Vec<u8>,
    pub cipher: CipherKind,
    /// The ChipAuthenticationInfo protocol OID (content bytes), if DG14 has one.
    pub oid: Option<Vec<u8>>,
    /// The key reference when DG14 holds several keys.
    pub key_id: Option<Vec<u8>>,
}

impl core::fmt::Debug for CaKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("CaKey")
            .field("curve", &self.curve)
            .field("cipher", &self.cipher)
            .finish_non_exhaustive()
    }
}

/// Why chip authentication failed.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum CaError {
    #[error("the chip refused {0}")]
    Refused(&'static str),
    #[error("the DG14 key is not a valid point")]
    BadKey,
    #[error("the random source failed")]
    Random,
    #[error("secure messaging: {0}")]
    Sm(#[from] SmError),
    #[error("chip authentication already finished")]
    Finished,
}

impl CaError {
    /// A fixed phrase for [`crate::reader::ReaderError::ChipAuthenticationFailed`].
    pub fn reason(&self) -> &'static str {
        match self {
            CaError::Refused("MSE:Set AT") => "the chip refused MSE:Set AT",
            CaError::Refused(_) => "the chip refused the ephemeral key",
            CaError::BadKey => "the DG14 key is not a valid point",
            CaError::Random => "the random source failed",
            CaError::Sm(_) => "secure messaging under the new keys failed",
            CaError::Finished => "chip authentication already finished",
        }
    }
}

/// What the reader does next.
#[derive(Debug)]
pub enum CaStep {
    /// Send this command (under the current session) and feed the answer to [`CaReader::step`].
    Send(CommandApdu),
    /// The chip accepted the key: use this session from now on.
    Done(SmSession),
}

enum State {
    SetAt,
    KeyAgreement,
    Finished,
}

/// The reader side of chip authentication.
pub struct CaReader {
    key: CaKey,
    sk: Secret,
    pk: Vec<u8>,
    state: State,
}

impl core::fmt::Debug for CaReader {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("CaReader")
            .field("key", &self.key)
            .finish_non_exhaustive()
    }
}

impl CaReader {
    /// Draws the ephemeral key pair and returns the first command.
    pub fn start(key: CaKey, rng: &mut dyn Rng) -> Result<(Self, CommandApdu), CaError> {
        let sk = key.curve.random_scalar(rng).map_err(|_| CaError::Random)?;
        let pk = key.curve.mul_generator(&sk).map_err(|_| CaError::Random)?;
        let (state, cmd) = match (&key.oid, key.cipher) {
            (Some(oid), c) if c != CipherKind::Tdes => {
                let mut data = tlv::encode(0x80, oid);
                if let Some(id) = &key.key_id {
                    data.extend(tlv::encode(0x84, id));
                }
                (
                    State::SetAt,
                    CommandApdu::new(0x00, 0x22, 0x41, 0xA4).with_data(data),
                )
            }
            _ => {
                // Version 1 with 3DES: MSE:Set KAT carries the key.
                let mut data = tlv::encode(0x91, &pk);
                if let Some(id) = &key.key_id {
                    data.extend(tlv::encode(0x84, id));
                }
                (
                    State::KeyAgreement,
                    CommandApdu::new(0x00, 0x22, 0x41, 0xA6).with_data(data),
                )
            }
        };
        Ok((Self { key, sk, pk, state }, cmd))
    }

    /// Consumes the chip's answer to the last command.
    pub fn step(&mut self, resp: &ResponseApdu) -> Result<CaStep, CaError> {
        match core::mem::replace(&mut self.state, State::Finished) {
            State::SetAt => {
                if !resp.sw.is_success() {
                    return Err(CaError::Refused("MSE:Set AT"));
                }
                self.state = State::KeyAgreement;
                Ok(CaStep::Send(
                    CommandApdu::new(0x00, 0x86, 0x00, 0x00)
                        .with_data(tlv::encode(0x7C, &tlv::encode(0x80, &self.pk)))
                        .with_le(256),
                ))
            }
            State::KeyAgreement => {
                if !resp.sw.is_success() {
                    return Err(CaError::Refused("the ephemeral key"));
                }
                Ok(CaStep::Done(self.session()?))
            }
            State::Finished => Err(CaError::Finished),
        }
    }

    /// KS_enc and KS_mac from ECDH with the DG14 key; SSC zero.
    fn session(&self) -> Result<SmSession, CaError> {
        let k = &self.key;
        let shared = k
            .curve
            .shared_secret(&k.point, &self.sk)
            .map_err(|_| CaError::BadKey)?;
        let ks_enc = crypto::kdf(&shared, crypto::KDF_ENC, k.cipher);
        let ks_mac = crypto::kdf(&shared, crypto::KDF_MAC, k.cipher);
        Ok(SmSession::with_zero_ssc(k.cipher, ks_enc, ks_mac)?)
    }
}

/// The first usable chip-authentication key of DG14 and its protocol:
/// ChipAuthenticationInfo's cipher (3DES when DG14 names none, as version 1
/// documents do).
pub fn ca_key_from_dg14(dg14: &[u8]) -> Option<CaKey> {
    use crate::lds::{SecurityInfos, SubjectPublicKey};
    let infos = SecurityInfos::parse_dg14(dg14).ok()?;
    let (curve, point, key_id) = infos
        .chip_authentication_public_keys()
        .find_map(|k| match &k.public_key.key {
            SubjectPublicKey::Ec {
                curve: Some(c),
                point,
            } => Some((Curve::from_ec_curve(*c), point.clone(), k.key_id)),
            _ => None,
        })?;
    let info = infos
        .chip_authentication_infos()
        .find(|i| key_id.is_none() || i.key_id.is_none() || i.key_id == key_id);
    let (cipher, oid) = match info {
        Some(i) => {
            let cipher = match i.cipher {
                Some(crate::lds::PaceCipher::AesCbcCmac128) => CipherKind::Aes128,
                Some(crate::lds::PaceCipher::AesCbcCmac192) => CipherKind::Aes192,
                Some(crate::lds::PaceCipher::AesCbcCmac256) => CipherKind::Aes256,
                _ => CipherKind::Tdes,
            };
            (cipher, Some(i.oid.as_bytes().to_vec()))
        }
        None => (CipherKind::Tdes, None),
    };
    let key_id = key_id.map(|id| {
        let b = id.to_be_bytes();
        let skip = b.iter().take_while(|x| **x == 0).count().min(7);
        b.get(skip..).unwrap_or(&[0]).to_vec()
    });
    Some(CaKey {
        curve,
        point,
        cipher,
        oid,
        key_id,
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::apdu::StatusWord;
    use crate::crypto::FixedRng;
    use crate::crypto::tests::hex;

    fn key(cipher: CipherKind, oid: Option<Vec<u8>>) -> (CaKey, Vec<u8>) {
        let c = Curve::BrainpoolP256r1;
        let sk_chip = vec![0x42; 32];
        let point = c.mul_generator(&sk_chip).unwrap();
        (
            CaKey {
                curve: c,
                point,
                cipher,
                oid,
                key_id: Some(vec![1]),
            },
            sk_chip,
        )
    }

    /// Version 2 (AES): MSE:Set AT, then GENERAL AUTHENTICATE with the key;
    /// both sides end with the same session keys.
    #[test]
    fn version_2_aes_agrees_with_the_chip_key() {
        let oid = hex("04007F00070202030202"); // id-CA-ECDH-AES-CBC-CMAC-128
        let (k, sk_chip) = key(CipherKind::Aes128, Some(oid.clone()));
        let sk_eph = vec![0x17; 32];
        let (mut ca, cmd) = CaReader::start(k.clone(), &mut FixedRng::new(sk_eph.clone())).unwrap();
        assert_eq!((cmd.ins, cmd.p1, cmd.p2), (0x22, 0x41, 0xA4));
        assert_eq!(cmd.data, [tlv::encode(0x80, &oid), hex("840101")].concat());
        let ok = ResponseApdu::new(vec![], StatusWord::SUCCESS);
        let ga = match ca.step(&ok).unwrap() {
            CaStep::Send(c) => c,
            CaStep::Done(_) => panic!(),
        };
        let pk_eph = k.curve.mul_generator(&sk_eph).unwrap();
        assert_eq!(ga.data, tlv::encode(0x7C, &tlv::encode(0x80, &pk_eph)));
        let mut reader_sm = match ca.step(&ok).unwrap() {
            CaStep::Done(sm) => sm,
            CaStep::Send(_) => panic!(),
        };
        // The chip's side: ECDH of its static key with the ephemeral one.
        let shared = k.curve.shared_secret(&pk_eph, &sk_chip).unwrap();
        let mut chip_sm = SmSession::with_zero_ssc(
            CipherKind::Aes128,
            crypto::kdf(&shared, crypto::KDF_ENC, CipherKind::Aes128),
            crypto::kdf(&shared, crypto::KDF_MAC, CipherKind::Aes128),
        )
        .unwrap();
        let wire = reader_sm
            .wrap(&CommandApdu::new(0, 0xB0, 0, 0).with_le(4))
            .unwrap()
            .encode()
            .unwrap();
        assert_eq!(chip_sm.unwrap_command(&wire).unwrap().le, Some(4));
        assert!(matches!(ca.step(&ok), Err(CaError::Finished)));
    }

    /// Chip authentication's key agreement and key derivation against ICAO
    /// numbers: 9303-11 G.1's chip key PK_IC and reader key SK_IFD
    /// (brainpoolP256r1) give K = 28768D20... and KS_enc/KS_mac F5F0E35C.../
    /// FE251C78...; CA computes exactly x(SK * PK_IC) and the same KDF.
    #[test]
    fn key_agreement_matches_icao_g1_numbers() {
        let point = hex(
            "049E880F842905B8B3181F7AF7CAA9F0EFB743847F44A306D2D28C1D9EC65DF6DB7764B22277A2EDDC3C265A9F018F9CB852E111B768B326904B59A0193776F094",
        );
        let sk = hex("A73FB703AC1436A18E0CFA5ABB3F7BEC7A070E7A6788486BEE230C4A22762595");
        let k = CaKey {
            curve: Curve::BrainpoolP256r1,
            point,
            cipher: CipherKind::Aes128,
            oid: Some(hex("04007F00070202030202")),
            key_id: None,
        };
        let (mut ca, _) = CaReader::start(k, &mut FixedRng::new(sk)).unwrap();
        let ok = ResponseApdu::new(vec![], StatusWord::SUCCESS);
        ca.step(&ok).unwrap();
        let mut got = match ca.step(&ok).unwrap() {
            CaStep::Done(sm) => sm,
            CaStep::Send(_) => panic!(),
        };
        let mut icao = SmSession::with_zero_ssc(
            CipherKind::Aes128,
            zeroize::Zeroizing::new(hex("F5F0E35C0D7161EE6724EE513A0D9A7F")),
            zeroize::Zeroizing::new(hex("FE251C7858B356B24514B3BD5F4297D1")),
        )
        .unwrap();
        let cmd = CommandApdu::new(0, 0xB0, 0, 0).with_le(4);
        assert_eq!(
            got.wrap(&cmd).unwrap().encode().unwrap(),
            icao.wrap(&cmd).unwrap().encode().unwrap()
        );
    }

    /// ICAO 9303-11 I.1's ChipAuthenticationPublicKeyInfo (brainpoolP256r1
    /// named by its standardized-parameter id 13) in a DG14: the key the
    /// reader finds is the one the example's CA_IC verifies against.
    #[test]
    fn icao_i1_public_key_info_from_dg14() {
        let info = hex(
            "3062060904007F000702020102305230 0C060704007F0007010202010D034200 041872709494399E7470A6431BE25E83EEE24FEA568C2ED28DB48E05DB3A610DC884D256A40E35EFCB59BF6753D3A489D28C7A4D973C2DA138A6E7A4A08F68E16F 02010D".replace(' ', "").as_str(),
        );
        let dg14 = tlv::encode(0x6E, &tlv::encode(0x31, &info));
        let k = ca_key_from_dg14(&dg14).expect("the I.1 key");
        assert_eq!(k.curve, Curve::BrainpoolP256r1);
        assert_eq!(k.key_id, Some(vec![13]));
        let cam = crate::pace::CamEvidence {
            curve: k.curve,
            pk_map_ic: hex(
                "04A234236AA9B9621E8EFB73B5245C0E09D2576E5277183C1208BDD55280CAE8B304F365713A356E65A451E165ECC9AC0AC46E3771342C8FE5AEDD092685338E23",
            ),
            ca_ic: zeroize::Zeroizing::new(hex(
                "85DC3FA93D0952BFA82F5FD189EE75BD82F11D1F0B8ED4BF5319AC9B53C426B3",
            )),
        };
        assert!(cam.verify(&k.point));
    }

    #[test]
    fn version_1_3des_uses_set_kat_and_refusals_fail() {
        let (k, _) = key(CipherKind::Tdes, None);
        let (mut ca, cmd) = CaReader::start(k, &mut FixedRng::new(vec![0x17; 32])).unwrap();
        assert_eq!((cmd.ins, cmd.p1, cmd.p2), (0x22, 0x41, 0xA6));
        assert_eq!(cmd.data.first(), Some(&0x91));
        let refused = ResponseApdu::new(vec![], StatusWord(0x6A80));
        assert_eq!(
            ca.step(&refused).unwrap_err(),
            CaError::Refused("the ephemeral key")
        );
        let (k, _) = key(CipherKind::Aes128, Some(hex("04007F00070202030202")));
        let (mut ca, _) = CaReader::start(k, &mut FixedRng::new(vec![0x17; 32])).unwrap();
        assert_eq!(
            ca.step(&refused).unwrap_err().reason(),
            "the chip refused MSE:Set AT"
        );
    }
}
