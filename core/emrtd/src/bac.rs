//! Basic Access Control (ICAO 9303 Part 11, 4.3 and Appendix D), reader and
//! chip side, and the access key shared with PACE.

use crate::apdu::CommandApdu;
use crate::crypto::{self, CipherKind, CryptoError, KDF_ENC, KDF_MAC, RandomError, Rng, Secret};
use crate::sm::{SmError, SmSession};
use thiserror::Error;
use zeroize::{Zeroize, Zeroizing};

/// Why BAC failed.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum BacError {
    #[error("GET CHALLENGE answer is {len} bytes, expected 8")]
    ChallengeLength { len: usize },
    #[error("MUTUAL AUTHENTICATE answer is {len} bytes, expected 40")]
    ResponseLength { len: usize },
    #[error("MUTUAL AUTHENTICATE MAC does not verify (wrong MRZ key?)")]
    BadMac,
    #[error("the other side did not echo our challenge")]
    ChallengeMismatch,
    #[error("{field} contains characters outside 0-9 A-Z <")]
    BadMrzField { field: &'static str },
    #[error("BAC crypto: {0}")]
    Crypto(#[from] CryptoError),
    #[error("BAC secure messaging: {0}")]
    Sm(#[from] SmError),
    #[error(transparent)]
    Random(#[from] RandomError),
}

/// The password of BAC and PACE: the MRZ information or a card access number.
#[derive(Clone, Zeroize)]
#[zeroize(drop)]
pub enum AccessKey {
    /// MRZ_information: document number, date of birth, date of expiry, each with its check digit.
    Mrz(String),
    /// The 6-digit card access number printed on ID cards.
    Can(String),
}

impl core::fmt::Debug for AccessKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            AccessKey::Mrz(_) => f.write_str("AccessKey::Mrz(<redacted>)"),
            AccessKey::Can(_) => f.write_str("AccessKey::Can(<redacted>)"),
        }
    }
}

impl AccessKey {
    /// Builds the MRZ information from the three fields, adding the check
    /// digits (ICAO 9303-11, 9.7.2). Document numbers shorter than 9
    /// characters are filled with `<`; longer ones (TD1/TD2 numbers continued
    /// in the optional data) are used whole, with the check digit over the
    /// whole number.
    pub fn from_mrz(
        document_number: &str,
        birth_yymmdd: &str,
        expiry_yymmdd: &str,
    ) -> Result<Self, BacError> {
        let mut doc = Zeroizing::new(document_number.trim().to_ascii_uppercase());
        while doc.len() < 9 {
            doc.push('<');
        }
        let mut info = String::with_capacity(doc.len() + 15);
        for (field, value) in [
            ("document number", doc.as_str()),
            ("date of birth", birth_yymmdd),
            ("date of expiry", expiry_yymmdd),
        ] {
            let is_date = field != "document number";
            if !value.bytes().all(aktiver_mrz::is_mrz_char)
                || (is_date && (value.len() != 6 || !value.bytes().all(|b| b.is_ascii_digit())))
            {
                return Err(BacError::BadMrzField { field });
            }
            info.push_str(value);
            info.push(char::from(
                b'0' + aktiver_mrz::check_digit(value.as_bytes()),
            ));
        }
        Ok(AccessKey::Mrz(info))
    }

    /// The MRZ key of a parsed machine-readable zone: the whole document
    /// number (a long TD1/TD2 number joined from the optional data) and the
    /// two dates. The check digits are recomputed, not copied, so an OCR
    /// error shows up as a failed access.
    pub fn from_document(mrz: &aktiver_mrz::Mrz) -> Result<Self, BacError> {
        Self::from_mrz(
            &mrz.document_number,
            &mrz.birth_date.raw,
            &mrz.expiry_date.raw,
        )
    }

    /// The MRZ key from a whole machine-readable zone (TD1: 3 lines of 30,
    /// TD2: 2 of 36, TD3: 2 of 44; the lines may also be run together),
    /// parsed by [`aktiver_mrz`]; see [`AccessKey::from_document`].
    pub fn from_mrz_text(mrz: &str) -> Result<Self, BacError> {
        let text: Zeroizing<String> =
            Zeroizing::new(mrz.chars().filter(|c| !c.is_whitespace()).collect());
        let width = match text.len() {
            90 => 30,
            72 => 36,
            88 => 44,
            _ => {
                return Err(BacError::BadMrzField {
                    field: "MRZ length",
                });
            }
        };
        let lines: Zeroizing<String> = Zeroizing::new(
            text.as_bytes()
                .chunks(width)
                .map(|l| String::from_utf8_lossy(l).into_owned())
                .collect::<Vec<_>>()
                .join("\n"),
        );
        let parsed = aktiver_mrz::parse(&lines).map_err(|_| BacError::BadMrzField {
            field: "machine-readable zone",
        })?;
        Self::from_document(&parsed)
    }

    /// The password bytes K before hashing: SHA-1(MRZ_information) for the
    /// MRZ, the CAN digits as they are for a CAN (ICAO 9303 Part 11, 9.7.3).
    pub fn pace_password(&self) -> Secret {
        match self {
            AccessKey::Mrz(info) => Zeroizing::new(crypto::sha1(info.as_bytes()).to_vec()),
            AccessKey::Can(can) => Zeroizing::new(can.as_bytes().to_vec()),
        }
    }

    /// The PACE password reference (P2 of MSE:Set AT's `83` object): 1 MRZ, 2 CAN.
    pub fn pace_reference(&self) -> u8 {
        match self {
            AccessKey::Mrz(_) => 1,
            AccessKey::Can(_) => 2,
        }
    }

    /// BAC keys, if this is an MRZ key (BAC has no CAN variant).
    pub fn bac_keys(&self) -> Option<BacKeys> {
        match self {
            AccessKey::Mrz(info) => Some(BacKeys::from_mrz_information(info)),
            AccessKey::Can(_) => None,
        }
    }
}

/// K_seed, K_enc and K_mac of BAC.
pub struct BacKeys {
    pub seed: Secret,
    pub k_enc: Secret,
    pub k_mac: Secret,
}

impl core::fmt::Debug for BacKeys {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("BacKeys(<redacted>)")
    }
}

impl BacKeys {
    pub fn from_mrz_information(info: &str) -> Self {
        let hash = Zeroizing::new(crypto::sha1(info.as_bytes()));
        let seed = Zeroizing::new(hash.get(..16).unwrap_or(&[]).to_vec());
        Self::from_seed(seed)
    }

    pub fn from_seed(seed: Secret) -> Self {
        let k_enc = crypto::kdf(&seed, KDF_ENC, CipherKind::Tdes);
        let k_mac = crypto::kdf(&seed, KDF_MAC, CipherKind::Tdes);
        Self { seed, k_enc, k_mac }
    }
}

/// GET CHALLENGE, expecting the chip's 8-byte RND.IC.
pub fn get_challenge() -> CommandApdu {
    CommandApdu::new(0x00, 0x84, 0x00, 0x00).with_le(8)
}

/// Reader side of BAC after GET CHALLENGE.
pub struct BacReader {
    keys: BacKeys,
    rnd_ic: [u8; 8],
    rnd_ifd: Zeroizing<[u8; 8]>,
    k_ifd: Zeroizing<[u8; 16]>,
}

impl core::fmt::Debug for BacReader {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("BacReader(<redacted>)")
    }
}

impl BacReader {
    /// Draws RND.IFD and K.IFD and builds MUTUAL AUTHENTICATE.
    pub fn start(
        keys: BacKeys,
        challenge: &[u8],
        rng: &mut dyn Rng,
    ) -> Result<(Self, CommandApdu), BacError> {
        let rnd_ic: [u8; 8] = challenge
            .try_into()
            .map_err(|_| BacError::ChallengeLength {
                len: challenge.len(),
            })?;
        let mut rnd_ifd = Zeroizing::new([0u8; 8]);
        let mut k_ifd = Zeroizing::new([0u8; 16]);
        rng.fill(rnd_ifd.as_mut())?;
        rng.fill(k_ifd.as_mut())?;
        let mut s = Zeroizing::new(Vec::with_capacity(32));
        s.extend_from_slice(rnd_ifd.as_ref());
        s.extend_from_slice(&rnd_ic);
        s.extend_from_slice(k_ifd.as_ref());
        let e_ifd = crypto::encrypt_cbc(CipherKind::Tdes, &keys.k_enc, &[0; 8], &s)?;
        let m_ifd = crypto::mac(CipherKind::Tdes, &keys.k_mac, &crypto::pad(&e_ifd, 8))?;
        let mut data = e_ifd;
        data.extend_from_slice(&m_ifd);
        let cmd = CommandApdu::new(0x00, 0x82, 0x00, 0x00)
            .with_data(data)
            .with_le(40);
        Ok((
            Self {
                keys,
                rnd_ic,
                rnd_ifd,
                k_ifd,
            },
            cmd,
        ))
    }

    /// Checks the chip's answer and derives the secure-messaging session.
    pub fn finish(self, response: &[u8]) -> Result<SmSession, BacError> {
        if response.len() != 40 {
            return Err(BacError::ResponseLength {
                len: response.len(),
            });
        }
        let (e_ic, m_ic) = response.split_at(32);
        let mac = crypto::mac(CipherKind::Tdes, &self.keys.k_mac, &crypto::pad(e_ic, 8))?;
        if !crypto::ct_eq(&mac, m_ic) {
            return Err(BacError::BadMac);
        }
        let r = Zeroizing::new(crypto::decrypt_cbc(
            CipherKind::Tdes,
            &self.keys.k_enc,
            &[0; 8],
            e_ic,
        )?);
        let (rnd_ic, rest) = r.split_at(8);
        let (rnd_ifd, k_ic) = rest.split_at(8);
        if rnd_ic != self.rnd_ic || !crypto::ct_eq(rnd_ifd, self.rnd_ifd.as_ref()) {
            return Err(BacError::ChallengeMismatch);
        }
        session_from(&self.k_ifd[..], k_ic, &self.rnd_ic, &self.rnd_ifd[..])
    }
}

fn session_from(
    k_ifd: &[u8],
    k_ic: &[u8],
    rnd_ic: &[u8],
    rnd_ifd: &[u8],
) -> Result<SmSession, BacError> {
    let seed: Secret = Zeroizing::new(k_ifd.iter().zip(k_ic).map(|(a, b)| a ^ b).collect());
    let ks_enc = crypto::kdf(&seed, KDF_ENC, CipherKind::Tdes);
    let ks_mac = crypto::kdf(&seed, KDF_MAC, CipherKind::Tdes);
    let mut ssc = Vec::with_capacity(8);
    ssc.extend_from_slice(rnd_ic.get(4..8).unwrap_or(&[]));
    ssc.extend_from_slice(rnd_ifd.get(4..8).unwrap_or(&[]));
    Ok(SmSession::new(CipherKind::Tdes, ks_enc, ks_mac, ssc)?)
}

/// Chip side of BAC: answers MUTUAL AUTHENTICATE for a challenge it issued.
pub fn chip_respond(
    keys: &BacKeys,
    rnd_ic: &[u8; 8],
    command_data: &[u8],
    rng: &mut dyn Rng,
) -> Result<(Vec<u8>, SmSession), BacError> {
    if command_data.len() != 40 {
        return Err(BacError::ResponseLength {
            len: command_data.len(),
        });
    }
    let (e_ifd, m_ifd) = command_data.split_at(32);
    let mac = crypto::mac(CipherKind::Tdes, &keys.k_mac, &crypto::pad(e_ifd, 8))?;
    if !crypto::ct_eq(&mac, m_ifd) {
        return Err(BacError::BadMac);
    }
    let s = Zeroizing::new(crypto::decrypt_cbc(
        CipherKind::Tdes,
        &keys.k_enc,
        &[0; 8],
        e_ifd,
    )?);
    let (rnd_ifd, rest) = s.split_at(8);
    let (echo_ic, k_ifd) = rest.split_at(8);
    if echo_ic != rnd_ic {
        return Err(BacError::ChallengeMismatch);
    }
    let mut k_ic = Zeroizing::new([0u8; 16]);
    rng.fill(k_ic.as_mut())?;
    let mut r = Zeroizing::new(Vec::with_capacity(32));
    r.extend_from_slice(rnd_ic);
    r.extend_from_slice(rnd_ifd);
    r.extend_from_slice(k_ic.as_ref());
    let e_ic = crypto::encrypt_cbc(CipherKind::Tdes, &keys.k_enc, &[0; 8], &r)?;
    let m_ic = crypto::mac(CipherKind::Tdes, &keys.k_mac, &crypto::pad(&e_ic, 8))?;
    let mut out = e_ic;
    out.extend_from_slice(&m_ic);
    let session = session_from(k_ifd, &k_ic[..], rnd_ic, rnd_ifd)?;
    Ok((out, session))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::crypto::FixedRng;
    use crate::crypto::tests::hex;

    #[test]
    fn icao_d2_keys() {
        let key = AccessKey::from_mrz("L898902C", "690806", "940623").unwrap();
        match &key {
            AccessKey::Mrz(info) => assert_eq!(info, "L898902C<369080619406236"),
            AccessKey::Can(_) => unreachable!(),
        }
        let keys = key.bac_keys().unwrap();
        assert_eq!(*keys.seed, hex("239AB9CB282DAF66231DC5A4DF6BFBAE"));
        assert_eq!(*keys.k_enc, hex("AB94FDECF2674FDFB9B391F85D7F76F2"));
        assert_eq!(*keys.k_mac, hex("7962D9ECE03D1ACD4C76089DCE131543"));
        assert_eq!(format!("{key:?}"), "AccessKey::Mrz(<redacted>)");
        assert!(!format!("{keys:?}").contains("AB94"));
    }

    #[test]
    fn icao_d3_mutual_authentication_both_sides() {
        let keys = || BacKeys::from_mrz_information("L898902C<369080619406236");
        let rnd_ic: [u8; 8] = hex("4608F91988702212").try_into().unwrap();
        let mut reader_rng = FixedRng::new(
            [
                hex("781723860C06C226"),
                hex("0B795240CB7049B01C19B33E32804F0B"),
            ]
            .concat(),
        );
        let (reader, cmd) = BacReader::start(keys(), &rnd_ic, &mut reader_rng).unwrap();
        assert_eq!(
            cmd.data,
            hex(
                "72C29C2371CC9BDB65B779B8E8D37B29ECC154AA56A8799FAE2F498F76ED92F2 5F1448EEA8AD90A7"
            )
        );
        assert_eq!(cmd.le, Some(40));

        let mut chip_rng = FixedRng::new(hex("0B4F80323EB3191CB04970CB4052790B"));
        let (resp, chip_sm) = chip_respond(&keys(), &rnd_ic, &cmd.data, &mut chip_rng).unwrap();
        assert_eq!(
            resp,
            hex("46B9342A41396CD7386BF5803104D7CEDC122B9132139BAF2EEDC94EE178534F2F2D235D074D7449")
        );
        let sm = reader.finish(&resp).unwrap();
        assert_eq!(sm.ssc(), hex("887022120C06C226"));
        assert_eq!(chip_sm.ssc(), hex("887022120C06C226"));
        // KSenc/KSmac are checked through the D.4 secure-messaging example in sm.rs;
        // here they are checked directly.
        let seed: Vec<u8> = hex("0B795240CB7049B01C19B33E32804F0B")
            .iter()
            .zip(hex("0B4F80323EB3191CB04970CB4052790B"))
            .map(|(a, b)| a ^ b)
            .collect();
        assert_eq!(
            *crypto::kdf(&seed, KDF_ENC, CipherKind::Tdes),
            hex("979EC13B1CBFE9DCD01AB0FED307EAE5")
        );
        assert_eq!(
            *crypto::kdf(&seed, KDF_MAC, CipherKind::Tdes),
            hex("F1CB1F1FB5ADF208806B89DC579DC1F8")
        );
    }

    #[test]
    fn wrong_key_fails_cleanly() {
        let rnd_ic = [1u8; 8];
        let mut rng = FixedRng::new(vec![2; 24]);
        let (_, cmd) = BacReader::start(
            BacKeys::from_mrz_information("AAAAAAAAA0000000000000000"),
            &rnd_ic,
            &mut rng,
        )
        .unwrap();
        let other = BacKeys::from_mrz_information("L898902C<369080619406236");
        let mut chip_rng = FixedRng::new(vec![3; 16]);
        assert!(matches!(
            chip_respond(&other, &rnd_ic, &cmd.data, &mut chip_rng),
            Err(BacError::BadMac)
        ));
        assert!(matches!(
            BacReader::start(other, &[0; 7], &mut FixedRng::new(vec![])),
            Err(BacError::ChallengeLength { len: 7 })
        ));
        assert!(AccessKey::from_mrz("L898902C", "69080", "940623").is_err());
        let td3 = "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<L898902C<3UTO6908061F9406236ZE184226B<<<<<14";
        match &AccessKey::from_mrz_text(td3).unwrap() {
            AccessKey::Mrz(info) => assert_eq!(info, "L898902C<369080619406236"),
            AccessKey::Can(_) => unreachable!(),
        }
        let td1 = "I<UTOD231458907<<<<<<<<<<<<<<<7408122F1204159UTO<<<<<<<<<<<6ERIKSSON<<ANNA<MARIA<<<<<<<<<<";
        match &AccessKey::from_mrz_text(td1).unwrap() {
            AccessKey::Mrz(info) => assert_eq!(info, "D23145890774081221204159"),
            AccessKey::Can(_) => unreachable!(),
        }
        assert!(AccessKey::from_mrz_text("P<UTO").is_err());
        // REFERENCE.md's TD1 long-number specimen: number D23145890734 (the
        // last three characters and its check digit 9 in the optional data).
        let long = "I<UTOD23145890<7349<<<<<<<<<<<\n3407127M9507122UTO<<<<<<<<<<<2\nSTEVENSON<<PETER<JOHN<<<<<<<<<";
        match &AccessKey::from_mrz_text(long).unwrap() {
            AccessKey::Mrz(info) => assert_eq!(info, "D23145890734934071279507122"),
            AccessKey::Can(_) => unreachable!(),
        }
        let parsed = aktiver_mrz::parse(long).unwrap();
        match &AccessKey::from_document(&parsed).unwrap() {
            AccessKey::Mrz(info) => assert_eq!(info, "D23145890734934071279507122"),
            AccessKey::Can(_) => unreachable!(),
        }
        assert!(AccessKey::from_mrz("L8989-2C", "690806", "940623").is_err());
    }
}
